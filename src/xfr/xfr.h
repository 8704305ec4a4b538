/* SPDX-License-Identifier: MIT */
/* xfr.h -- outgoing zone transfers (AXFR, IXFR), NOTIFY and their ACL. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "zone/snapshot.h"

struct event_base;
struct dz_xfr;

/* What dz_xfr_start() made of a query that came over TCP. */
enum dz_xfr_verdict {
	DZ_XFR_NONE = 0,  /* not a transfer: answer it the normal way */
	DZ_XFR_REPLY,     /* one message is in resp (REFUSED, NOTAUTH, an
			   * IXFR that is up to date, ...): send it */
	DZ_XFR_STREAM,    /* a transfer: send dz_xfr_next() until it
			   * returns 0, then dz_xfr_free() */
};

/*
 * Called by tcp.c for every query over TCP, inside a snapshot read lock,
 * before the normal answer path. Cheap when the query is not AXFR/IXFR
 * (it looks at the question type and returns DZ_XFR_NONE).
 * [in]  snap: the published snapshot (may be NULL).
 * [in]  req, reqlen: the query message.
 * [in]  peer, peerlen: the client's address (access control, logs).
 * [out] resp, *resplen: DZ_XFR_REPLY: the message (resp has DZ_MSG_MAX
 *       bytes of room).
 * [out] *out: DZ_XFR_STREAM: the transfer. It holds references to the
 *       zones it needs, so it stays valid outside the read lock.
 */
enum dz_xfr_verdict dz_xfr_start(const struct dz_snapshot *snap,
				 const uint8_t *req, size_t reqlen,
				 const struct sockaddr *peer, socklen_t peerlen,
				 uint8_t *resp, size_t *resplen,
				 struct dz_xfr **out);

/*
 * An IXFR query over UDP (RFC 1995 2), for the UDP path once the query
 * path has seen QTYPE IXFR. The checks of dz_xfr_start() (class,
 * --tsig-key, --allow-transfer, a served zone: the same REFUSED, NOTAUTH
 * or TSIG error), then NOERROR, AA and our SOA alone: the client is up
 * to date, or goes on over TCP. The SOA is left out, TC set, when it does
 * not fit in 512 octets, the client's EDNS size or udp_max.
 * [out] resp, *resplen: the reply (0: drop it).
 * [out] *zone: the zone that answered, or NULL.
 * False (resp untouched) when the query is not an IXFR with an SOA in
 * its authority section: the query path's FORMERR stands.
 */
bool dz_xfr_udp(const struct dz_snapshot *snap, const uint8_t *req,
		size_t reqlen, const struct sockaddr *peer, size_t udp_max,
		uint8_t *resp, size_t *resplen, const struct dz_zone **zone);

/* The zone a transfer sends (held by the transfer). */
const struct dz_zone *dz_xfr_zone(const struct dz_xfr *x);

/*
 * The next message of a transfer into resp (DZ_MSG_MAX bytes of room);
 * returns its length, or 0 when the transfer is complete. Called outside
 * the read lock, whenever the connection can take more output.
 */
size_t dz_xfr_next(struct dz_xfr *x, uint8_t *resp);

/* Release a transfer, complete or not (peer gone). NULL is a no-op. */
void dz_xfr_free(struct dz_xfr *x);

/*
 * The main loop calls this after every publication (old is NULL for the
 * first snapshot): record IXFR history for zones whose serial moved and
 * send NOTIFY to the configured secondaries for them, from base.
 * Main thread only.
 */
void dz_xfr_published(struct event_base *base, const char *state_dir,
		      const struct dz_snapshot *old,
		      const struct dz_snapshot *snap);

/* Stop NOTIFY retries and free what dz_xfr_published() kept. */
void dz_xfr_shutdown(void);

/* ---- Zone files (export.c, import.c) ------------------------------------ */

/*
 * Write the zone as an RFC 1035 zone file (absolute names, SOA first,
 * then canonical order; ldns prints every RR). 0 or a DZ_E* code.
 */
int dz_xfr_zone_print(const struct dz_zone *z, FILE *out);

/* The zone of snap named zone (text, trailing dot optional), or NULL. */
const struct dz_zone *dz_xfr_find_zone(const struct dz_snapshot *snap,
				       const char *zone);

/*
 * The control request "export ZONE": dz_xfr_zone_print() of the zone
 * served under that name. 0, DZ_ENOENT (not served) or a DZ_E* code.
 */
int dz_xfr_export(const struct dz_snapshot *snap, const char *zone,
		  FILE *out);

/*
 * Turn the zone file at path (origin: the zone's name) into bindy
 * manifests in namespace ns: a DNSZone (SOA, apex NS as nameServers,
 * recordsFrom a label selector) and one object per RRset (per RR for
 * the kinds that hold one RR: MX, CNAME, TXT, NS, SRV, CAA, PTR), each
 * RRset in its own file under outdir, or all as one YAML stream on out
 * when outdir is NULL. Problems go to err as "FILE:LINE: warning: ...";
 * RRs of a type without a kind are skipped with a warning.
 * 0, or a DZ_E* / -errno code (reported on err).
 */
int dz_xfr_import(const char *path, const char *origin, const char *ns,
		  const char *outdir, FILE *out, FILE *err);

/* ---- TSIG on other queries (the query path's hook) ----------------------- */

struct dz_xfr_tsig;

enum dz_xfr_tsig_verdict {
	DZ_XFR_TSIG_NONE = 0, /* not signed: answer req as usual */
	DZ_XFR_TSIG_REPLY,    /* signed but not valid (or no --tsig-key):
			       * send resp (*rlen bytes, NOTAUTH + TSIG
			       * error, RFC 8945 5.3) */
	DZ_XFR_TSIG_SIGNED,   /* valid: answer stripped (*slen bytes: req
			       * without its TSIG), then pass the answer
			       * to dz_xfr_tsig_wrap() */
};

/* True when --tsig-key is set: only then is dz_xfr_tsig_unwrap() needed
 * (without a key, query.c answers a signed query NOTAUTH itself). */
bool dz_xfr_tsig_enabled(void);

/*
 * For a query that is not a transfer (SOA queries of secondaries that
 * sign everything with the key, over UDP or TCP). Cheap when ARCOUNT is
 * 0. stripped and resp have reqlen and DZ_MSG_MAX bytes of room.
 */
enum dz_xfr_tsig_verdict dz_xfr_tsig_unwrap(const uint8_t *req,
					    size_t reqlen, uint8_t *stripped,
					    size_t *slen, uint8_t *resp,
					    size_t *rlen,
					    struct dz_xfr_tsig **ctx);

/*
 * Sign the answer of len bytes in resp (cap bytes of room) for the
 * request unwrapped into ctx, and free ctx. The new length, 0 when it
 * does not fit in cap (then drop it, or send it truncated).
 */
size_t dz_xfr_tsig_wrap(struct dz_xfr_tsig *ctx, uint8_t *resp, size_t len,
			size_t cap);

/*
 * With --catalog-zone NAME: add the catalog zone (RFC 9432, version 2:
 * one PTR per served zone below zones.NAME) to snap before it is
 * published, so it is served, transferred and NOTIFYed like the others.
 * Its serial moves when the set of zones does. Main thread. 0, or a
 * DZ_E* code (logged; the snapshot is served without it).
 */
int dz_xfr_catalog_add(struct dz_snapshot *snap);
