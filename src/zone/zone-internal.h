/* SPDX-License-Identifier: MIT */
/* zone-internal.h -- zone layouts shared by the builder and the query path. */
#pragma once

#include <stdatomic.h>
#include <stdint.h>

#include "util/arena.h"
#include "zone/zone.h"

/*
 * Everything below lives in the zone's arena and is read-only after
 * dz_zone_builder_finish(); query workers read it without locks.
 */

/* dz_rrset.flags: the kind's DZ_KIND_F_* bits (plugin.h), plus: */
enum {
	DZ_RRSET_F_SOA = 1u << 16, /* SOA: two compressible names at 0 */
};

struct dz_rrset {
	uint16_t type;
	uint16_t count;       /* RRs, >= 1 */
	uint32_t ttl;
	uint32_t flags;       /* DZ_KIND_F_* | DZ_RRSET_F_* */
	uint16_t name_offset; /* with DZ_KIND_F_NAME */
	/* count pointers, each to "u16 rdlength (network order), rdata",
	 * in answer order (sorted by the kind's compare()). */
	const uint8_t *const *rr;
	/* With DZ_KIND_F_ROTATE: group[i] is the number of RRs from i on
	 * that compare equal to rr[i] when i starts such a run, else 0.
	 * NULL when the RRset does not rotate. */
	const uint16_t *group;
};

enum {
	DZ_NODE_F_APEX = 1 << 0,
	DZ_NODE_F_ENT = 1 << 1,      /* empty non-terminal: no RRsets */
	DZ_NODE_F_DELEG = 1 << 2,    /* NS below the apex: a zone cut */
	DZ_NODE_F_OCCLUDED = 1 << 3, /* strictly below a zone cut */
	DZ_NODE_F_WILD_PARENT = 1 << 4, /* has the child "*" */
	DZ_NODE_F_WILDCARD = 1 << 5, /* its first label is "*" */
};

/* dz_zone.flags */
enum {
	DZ_ZONE_F_DELEG = 1 << 0,    /* some node has DZ_NODE_F_DELEG */
	DZ_ZONE_F_WILD = 1 << 1,     /* some node has DZ_NODE_F_WILDCARD */
};

struct dz_node {
	const uint8_t *name;  /* lower-case wire form */
	uint8_t name_len;
	uint8_t labels;
	uint16_t flags;       /* DZ_NODE_F_* */
	uint16_t nrrsets;
	uint32_t hash;        /* dz_name_hash(name, name_len) */
	const struct dz_rrset *rrsets; /* sorted by type */
};

struct dz_zone {
	atomic_uint refs;
	struct dz_arena *arena;
	const uint8_t *origin; /* lower-case */
	uint8_t origin_len;
	uint8_t origin_labels;
	uint32_t flags;        /* DZ_ZONE_F_* */
	const struct dz_node *apex;
	const struct dz_rrset *soa;
	uint32_t serial;
	uint32_t neg_ttl;      /* min(SOA TTL, SOA MINIMUM): RFC 2308 */
	size_t nrr;
	size_t nnodes;
	uint32_t mask;         /* table size - 1 (power of two) */
	const struct dz_node **table; /* open addressing, linear probing */
	const struct dz_node **sorted; /* nnodes, canonical order */
	uint64_t fingerprint;  /* what it was built from (build.c) */
};

/* FNV-1a over a lower-case wire name. Hot-path safe. */
static inline uint32_t dz_name_hash(const uint8_t *lname, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h = (h ^ lname[i]) * 16777619u;
	}
	return h;
}
