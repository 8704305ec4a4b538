/* SPDX-License-Identifier: MIT */
/* zone-internal.h -- zone layouts shared by the builder and the query path. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/arena.h"
#include "util/dname.h"
#include "zone/zone.h"

/*
 * Everything below lives in the zone's arena and is read-only after
 * dz_zone_builder_finish(); query workers read it without locks.
 */

/* dz_rrset.flags: the kind's DZ_KIND_F_* bits (plugin.h), plus: */
enum {
	DZ_RRSET_F_SOA = 1u << 16, /* SOA: two compressible names at 0 */
	/* the builder collapsed an identical RR into it, or its RRs came
	 * with differing TTLs: edits do not remove from it (zone.h) */
	DZ_RRSET_F_MERGED = 1u << 17,
	/* each RR is preceded by a link to its target's node: an RRset
	 * with DZ_KIND_F_ADDITIONAL (dz_rrset_link()) */
	DZ_RRSET_F_LINKS = 1u << 18,
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
	DZ_NODE_F_LINKS = 1 << 6,    /* an RRset has DZ_RRSET_F_LINKS */
};

/* dz_zone.flags */
enum {
	DZ_ZONE_F_DELEG = 1 << 0,    /* some node has DZ_NODE_F_DELEG */
	DZ_ZONE_F_WILD = 1 << 1,     /* some node has DZ_NODE_F_WILDCARD */
	/* the RR links (dz_rrset_link()) are right: an edit that adds or
	 * drops a node (indexes move, targets appear) clears it */
	DZ_ZONE_F_LINKS = 1 << 2,
};

/*
 * One cache line per node: a probe that matches its hash tag reads the
 * node and, for names up to DZ_NODE_REL octets above the origin, nothing
 * else to confirm the match (the origin part is the same for every name
 * in the zone).
 */
#define DZ_NODE_REL 34

struct dz_node {
	const uint8_t *name;  /* lower-case wire form */
	const struct dz_rrset *rrsets; /* sorted by type */
	uint32_t hash;        /* dz_name_hash(name, name_len) */
	uint16_t flags;       /* DZ_NODE_F_* */
	uint16_t nrrsets;
	uint8_t name_len;
	uint8_t labels;
	/* name's first name_len - origin_len octets when they fit */
	uint8_t rel[DZ_NODE_REL];
	uint32_t nchild;      /* nodes one label below it (edits) */
};

/*
 * The additional section's target of an RR with DZ_RRSET_F_LINKS (the
 * name at name_offset), found once when the zone is made, so an answer
 * neither parses nor looks it up. Only while the zone has
 * DZ_ZONE_F_LINKS; else, and for DZ_LINK_UNKNOWN, look it up.
 */
enum {
	DZ_LINK_UNKNOWN = 0, /* not in the zone, not a name, not yet known */
	DZ_LINK_NONE = 1,    /* in the zone, no node of that name */
	DZ_LINK_NODE = 2,    /* + node index: that node */
};

/* The link of RR i of rs (DZ_RRSET_F_LINKS): 4 octets before it. */
static inline uint32_t dz_rrset_link(const struct dz_rrset *rs, size_t i)
{
	uint32_t l;

	memcpy(&l, rs->rr[i] - 4, 4);
	return l;
}

/* A slot of the name index: the hash as a tag, node index + 1 (0: empty). */
struct dz_slot {
	uint32_t hash;
	uint32_t node;
};

/*
 * Nodes and slots live in pages reached through a directory, so that an
 * edit (zone.h) copies the directories and only the pages it writes:
 * node k is nodes[k >> DZ_NODE_PAGE_SHIFT][k & (DZ_NODE_PAGE - 1)], slot
 * i is slots[i >> DZ_SLOT_PAGE_SHIFT][i & (DZ_SLOT_PAGE - 1)] (a table
 * smaller than a page is one page). A built zone's pages are slices of
 * one array. 16 KiB each.
 */
#define DZ_NODE_PAGE_SHIFT 8
#define DZ_NODE_PAGE (1u << DZ_NODE_PAGE_SHIFT)
#define DZ_SLOT_PAGE_SHIFT 11
#define DZ_SLOT_PAGE (1u << DZ_SLOT_PAGE_SHIFT)

struct dz_zone_gen;  /* the arenas a zone's parts live in (zone.c) */
struct dz_zone_rec;  /* an RR an edit removed or added (zone.c) */

struct dz_zone {
	atomic_uint refs;
	struct dz_zone_gen *gen; /* holds this and every older arena */
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
	/* open addressing, linear probing; pages of DZ_SLOT_PAGE slots */
	const struct dz_slot *const *slots;
	/* nnodes in pages of DZ_NODE_PAGE, 64-octet aligned */
	const struct dz_node *const *nodes;
	/* nnodes in canonical order: use dz_zone_sorted() */
	_Atomic(const struct dz_node *const *) sorted;
	pthread_mutex_t sort_lock;
	bool sorted_malloced;  /* made lazily (dz_zone_sorted) */
	/* dz_zone_set_build_info(): lower-case names, shared by edits */
	const uint8_t *const *failed;
	size_t nfailed;
	uint64_t fingerprint;  /* what it was built from (build.c) */
	uint64_t content_hash;
	uint64_t id;           /* unique in the process, never 0 */
	/* ---- edits (zone.c) ---- */
	size_t ncap;           /* nodes the pages have room for */
	size_t nwild;          /* nodes with DZ_NODE_F_WILDCARD */
	uint32_t depth;        /* edits since the last build */
	size_t bytes;          /* held by the arenas of the chain */
	size_t garbage;        /* ...of which no longer used */
	uint64_t from_id;      /* the zone it was edited from, or 0 */
	const struct dz_zone_rec *dels, *adds;
	size_t ndels, nadds;
};

/*
 * dz_zone_edit_new() declines (DZ_EAGAIN) when the garbage its chain
 * holds exceeds this percentage of the bytes still in use (25: a
 * quarter). Tests raise it to make long chains of small zones.
 */
extern unsigned dz_zone_edit_garbage_pct;

/*
 * The nodes in canonical order (RFC 4034 6.1), for walks and transfers
 * (never the query path): made on first use for an edited zone, safe
 * from any thread. NULL when out of memory.
 */
const struct dz_node *const *dz_zone_sorted(const struct dz_zone *z);

/*
 * Name hashes fold the labels from the root down, so one pass over a
 * name yields the hash of every suffix (its zone's origin, the closest
 * encloser) at once: each label's octets, eight at a time, multiplied
 * into its parent's hash.
 */
#define DZ_HASH_ROOT 2166136261u

/*
 * Lower-case len octets of a wire name in place, eight at a time (its
 * length octets, <= 63, are below 'A'): 7 octets past the end must be
 * writable.
 */
static inline void dz_lower_name8(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		w = dz_lower8(w);
		memcpy(p + i, &w, 8);
	}
}

/*
 * Hash of a label (length octet first, lower case) under its parent's.
 * Reads the label in words of eight: 7 octets past its end must be
 * readable (they do not count).
 */
static inline uint32_t dz_label_hash8(uint32_t parent, const uint8_t *label)
{
	unsigned l = label[0];
	uint64_t h = ((uint64_t)parent << 8 | l) * 0x9e3779b97f4a7c15ull;

	for (unsigned i = 0; i < l; i += 8) {
		uint64_t w;
		memcpy(&w, label + 1 + i, 8);
		if (l - i < 8) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			w &= ~0ull >> (8 * (8 - (l - i)));
#else
			w &= ~0ull << (8 * (8 - (l - i)));
#endif
		}
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	h *= 0xff51afd7ed558ccdull; /* every octet into the low bits */
	return (uint32_t)(h >> 32);
}

/* Node k of z (k < z->nnodes). */
static inline const struct dz_node *dz_zone_node_at(const struct dz_zone *z,
						    size_t k)
{
	return &z->nodes[k >> DZ_NODE_PAGE_SHIFT][k & (DZ_NODE_PAGE - 1)];
}

/* The same for a label anywhere (a padded copy). Not the hot path. */
static inline uint32_t dz_label_hash(uint32_t parent, const uint8_t *label)
{
	uint8_t tmp[DZ_LABEL_MAX + 1 + 8] = { 0 };

	memcpy(tmp, label, (size_t)label[0] + 1);
	return dz_label_hash8(parent, tmp);
}

/* Hash of a lower-case wire name of length len. Not the hot path. */
uint32_t dz_name_hash(const uint8_t *lname, size_t len);

/*
 * A lower-case name with the offsets and hashes of all its suffixes:
 * suffix i starts at off[i] (label i; i == labels is the root) and
 * hashes to hash[i]. Made by dz_lname_parse(). Hot-path safe.
 */
struct dz_lname {
	uint8_t len;
	uint8_t labels;
	uint8_t off[128];
	uint32_t hash[128];
	uint8_t name[DZ_DNAME_MAX + 1 + 8]; /* + room for word reads */
};

/*
 * Validate the wire name at in (no pointers, labels <= 63, <= 255 octets,
 * inside end), lower-case it into ln and hash its suffixes. Returns its
 * length, or 0 when it is invalid. Hot-path safe.
 */
static inline size_t dz_lname_parse(struct dz_lname *ln, const uint8_t *in,
				    const uint8_t *end)
{
	size_t pos = 0, avail = (size_t)(end - in), len;
	unsigned n = 0;
	uint32_t h = DZ_HASH_ROOT;

	for (;;) {
		if (pos >= avail) {
			return 0;
		}
		uint8_t l = in[pos];
		if (l > DZ_LABEL_MAX || avail - pos < (size_t)l + 1 ||
		    pos + l + 1 > DZ_DNAME_MAX) {
			return 0;
		}
		ln->off[n] = (uint8_t)pos;
		if (l == 0) {
			break;
		}
		n++;
		pos += (size_t)l + 1;
	}
	len = pos + 1;
	ln->len = (uint8_t)len;
	ln->labels = (uint8_t)n;
	memcpy(ln->name, in, len);
	dz_lower_name8(ln->name, len);
	ln->hash[n] = h;
	while (n-- > 0) {
		h = dz_label_hash8(h, ln->name + ln->off[n]);
		ln->hash[n] = h;
	}
	return len;
}

/* Do the first n octets of a and b match? (n small: a name's labels) */
static inline bool dz_bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t x, y;

	while (n >= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y) {
			return false;
		}
		a += 8;
		b += 8;
		n -= 8;
	}
	while (n-- > 0) {
		if (*a++ != *b++) {
			return false;
		}
	}
	return true;
}

/*
 * The node of a lower-case name at or below the zone's origin (the
 * caller knows it is), of length len and hash h; NULL when none.
 * Hot-path safe: the slot's hash tag rejects most probes without
 * touching a node.
 */
static inline const struct dz_node *dz_zone_find(const struct dz_zone *z,
						 const uint8_t *lname,
						 size_t len, uint32_t h)
{
	size_t rel = len - z->origin_len;
	const struct dz_slot *const *slots = z->slots;
	const struct dz_node *const *nodes = z->nodes;

	for (uint32_t i = h & z->mask;; i = (i + 1) & z->mask) {
		const struct dz_slot *s = &slots[i >> DZ_SLOT_PAGE_SHIFT]
						[i & (DZ_SLOT_PAGE - 1)];
		if (s->node == 0) {
			return NULL;
		}
		if (s->hash != h) {
			continue;
		}
		uint32_t k = s->node - 1;
		const struct dz_node *n = &nodes[k >> DZ_NODE_PAGE_SHIFT]
						[k & (DZ_NODE_PAGE - 1)];
		if (n->name_len != len) {
			continue;
		}
		if (rel <= DZ_NODE_REL ? dz_bytes_eq(n->rel, lname, rel) :
		    memcmp(n->name, lname, len) == 0) {
			return n;
		}
	}
}
