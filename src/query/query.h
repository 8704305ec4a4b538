/* SPDX-License-Identifier: MIT */
/* query.h -- one DNS query message in, one response out. The hot path. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "zone/snapshot.h"

/* Our EDNS UDP payload size unless configured (DNS flag day 2020). */
#define DZ_EDNS_SIZE_DEFAULT 1232
/* Room for the largest message (TCP). */
#define DZ_MSG_MAX 65535

struct dz_query_ctx; /* per worker: compression table, rotation counter */

/*
 * One per worker thread, made at startup. edns_size is the payload size we
 * advertise and the cap for UDP answers to EDNS clients (512..65535).
 * NULL on OOM.
 */
struct dz_query_ctx *dz_query_ctx_new(uint16_t edns_size);
void dz_query_ctx_free(struct dz_query_ctx *q);

/* Longest NSID we send: any answer carrying it still fits 512 octets. */
#define DZ_NSID_MAX 128
/* Longest identity or version text: one TXT character-string. */
#define DZ_IDENT_MAX 255

/*
 * Answers about the server itself, so operators can tell nodes apart:
 * NSID (RFC 5001) in the OPT RR of responses to queries that ask for it;
 * TXT in class CH (RFC 4892) for id.server. and hostname.bind. (identity),
 * version.bind. and version.server. (version). A length of 0 turns one
 * off: no NSID option, REFUSED like any other class CH query.
 */
struct dz_query_ident {
	uint8_t nsid[DZ_NSID_MAX];
	size_t nsid_len;
	uint8_t identity[DZ_IDENT_MAX];
	size_t identity_len;
	uint8_t version[DZ_IDENT_MAX];
	size_t version_len;
};

/*
 * The process's settings (--nsid, --identity, --version-string), copied
 * by dz_query_ctx_new(): set them before the workers are made.
 */
extern struct dz_query_ident dz_query_ident;

/* Replace the settings one context answers with (tests). */
void dz_query_ctx_set_ident(struct dz_query_ctx *q,
			    const struct dz_query_ident *id);

/*
 * One query in DZ_QUERY_SAMPLE gets a start time (dz_query_info.start_ns)
 * for the request duration histogram: two clock reads per query would
 * cost more than a small answer takes to build.
 */
#define DZ_QUERY_SAMPLE 16

/* CLOCK_MONOTONIC in nanoseconds (vDSO: no system call on Linux). */
static inline uint64_t dz_query_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

enum {
	DZ_QUERY_TCP = 1 << 0, /* came over TCP: no size limit but 65535 */
};

/*
 * A batch of UDP queries is answered in two steps, so that the cache
 * misses of its lookups overlap instead of adding up:
 *   dz_query_prepare() for each query i of the batch (i < DZ_QUERY_BATCH),
 *   dz_query_prefetch() once for the batch,
 *   then dz_query_answer() for each, with DZ_QUERY_PREPARED(i) in flags:
 * the question is parsed, lower-cased and hashed and the name looked up
 * once, in the preparation. Use the same snapshot (inside one read lock)
 * and request buffers, unchanged, for all three. A query that flags no
 * preparation, or another buffer (a signed query's unsigned copy), is
 * answered from scratch.
 */
#define DZ_QUERY_BATCH 32
#define DZ_QUERY_PREP_SHIFT 8
#define DZ_QUERY_PREPARED(i) (((unsigned)(i) + 1) << DZ_QUERY_PREP_SHIFT)

void dz_query_prepare(struct dz_query_ctx *q, const struct dz_snapshot *snap,
		      unsigned i, const uint8_t *req, size_t reqlen);
void dz_query_prefetch(struct dz_query_ctx *q, unsigned n);

/*
 * Answer one query.
 * [in]  snap: the published snapshot (inside a read lock), may be NULL
 *       (then everything is REFUSED).
 * [in]  req, reqlen: the query message.
 * [out] resp: at least DZ_MSG_MAX bytes.
 * [in]  flags: DZ_QUERY_*, DZ_QUERY_PREPARED(i).
 * Returns the response length, or 0 when the query must be dropped (too
 * short to answer, QR set). Follows RFC 1034 4.3.2, 1035, 2181, 2308, 6891,
 * 8482: see query.c. Hot path: no allocation, no lock, no syscall.
 */
size_t dz_query_answer(struct dz_query_ctx *q, const struct dz_snapshot *snap,
		       const uint8_t *req, size_t reqlen, uint8_t *resp,
		       unsigned flags);

/* How an answer turned out, for metrics, rate limiting and the query log. */
enum dz_answer_class {
	DZ_ANS_DROPPED = 0, /* no response (too short, QR set) */
	DZ_ANS_POSITIVE,    /* NOERROR with answer records */
	DZ_ANS_NODATA,      /* NOERROR, no answer, authoritative */
	DZ_ANS_NXDOMAIN,
	DZ_ANS_REFERRAL,    /* NOERROR, no answer, AA clear: a zone cut */
	DZ_ANS_REFUSED,     /* not our zone, or refused class/type */
	DZ_ANS_ERROR,       /* FORMERR, NOTIMP, NOTAUTH, BADVERS */
};

/*
 * What the last dz_query_answer() on q did. Valid until the next call on
 * q; zone points into the snapshot, so use it inside the same read lock.
 */
struct dz_query_info {
	enum dz_answer_class cls;
	const struct dz_zone *zone;  /* the zone that answered, or NULL */
	const uint8_t *qname;        /* lower-case wire name, or NULL when
				      * the question did not parse */
	size_t qname_len;
	uint16_t qtype, qclass;
	uint8_t opcode;
	uint16_t rcode;              /* with the EDNS extended bits */
	bool edns, do_bit, tc;
	bool wildcard;               /* synthesised from a wildcard */
	bool nsid;                   /* the query asked for the NSID */
	size_t len;                  /* response length, 0 when dropped */
	uint64_t start_ns;           /* dz_query_now_ns() when the query
				      * came in, for one in DZ_QUERY_SAMPLE;
				      * else 0 */
};

/* Describe the last answer of q (hot-path cheap: reads what is there). */
void dz_query_last(const struct dz_query_ctx *q, struct dz_query_info *info);
