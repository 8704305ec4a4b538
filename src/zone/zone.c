/* SPDX-License-Identifier: MIT */
/* zone.c -- the zone builder, the immutable zone it produces, and edits. */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "plugin/plugin.h"
#include "util/arena.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "util/par.h"
#include "zone/zone-internal.h"

#define T_SOA 6
#define T_NS 2
#define T_CNAME 5
#define T_PTR 12

static_assert(sizeof(struct dz_node) == 64, "a node is one cache line");

/*
 * Build-time state: a few growable arrays linked by 32-bit indices, so
 * that a million names cost a handful of reallocs, not millions of
 * mallocs. An owner is 24 octets, an RRset 20, an RR 16, a slot of the
 * owner index 8 (at most half full). Every link is an index + 1 (0 ends
 * a list). The rdata of every RR goes into a scratch arena as "u16
 * rdlen, rdata", and finish copies it next to its node's RRsets (one or
 * two cache lines per answer). An RRset's RRs are in no particular
 * order: finish sorts them.
 */
struct b_rr {
	const uint8_t *rd;  /* u16 rdlen, rdata */
	uint32_t next;      /* the RRset's next RR + 1 */
};

struct b_set {
	uint32_t next;      /* the owner's next RRset + 1 */
	uint32_t rrs;       /* its first RR + 1 */
	uint32_t count;
	uint32_t ttl;
	uint16_t type;
	bool merged;        /* DZ_RRSET_F_MERGED */
	bool rot;           /* its kind rotates (DZ_KIND_F_ROTATE) */
	bool lnk;           /* its RRs get links (DZ_RRSET_F_LINKS) */
};

enum {
	B_IN_BASE = 1 << 0, /* edits: its RRsets came from the base zone */
	B_DIRTY = 1 << 1,   /* edits: changed */
};

struct b_owner {
	const uint8_t *name; /* arena, lower case */
	uint32_t hash;
	uint32_t sets;      /* its first RRset + 1 */
	uint32_t bytes;     /* its node's block: see rrsets_size() */
	uint16_t nsets;     /* RRsets in the list (edits: some emptied) */
	uint8_t len;
	uint8_t flags;      /* B_* */
};

struct dz_zone_builder {
	struct dz_arena *arena;
	struct dz_arena *rdata; /* scratch, freed by finish */
	uint8_t *origin;    /* arena, lower case */
	uint8_t origin_len;
	unsigned origin_labels;
	struct b_owner *owners;
	struct b_set *sets;
	struct b_rr *rrs;
	size_t nowners, cowners, nsets, csets, nrrs, crrs;
	/* owner index + 1 by hash, as the zone's name index (dz_slot):
	 * built in the same order and at the same size, finish copies it */
	struct dz_slot *table;
	size_t mask;
	size_t nrr;
	size_t most;        /* the most RRs in one RRset */
	size_t last;        /* the owner of the last RR added + 1 */
};

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Below this, faulting pages one by one costs less than a syscall. */
#define PREFAULT_MIN (256 * 1024)

/*
 * Map len octets at p that are about to be written densely, all in one
 * call: on a VM a page fault costs several times what populating the
 * page does. Best effort (older kernels say EINVAL).
 */
static void prefault(void *p, size_t len)
{
	static long page;
	uintptr_t from, to;

	if (len < PREFAULT_MIN) {
		return;
	}
	if (page == 0) {
		page = sysconf(_SC_PAGESIZE);
	}
	from = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	to = ((uintptr_t)p + len) & ~((uintptr_t)page - 1);
	if (to > from) {
		(void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
	}
}

/* Room in *p for exactly n elements (reserve: no rounding up). */
static int fit(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;

	if (n <= *cap) {
		return 0;
	}
	if ((q = realloc(*p, n * size)) == NULL) {
		return DZ_ENOMEM;
	}
	prefault((uint8_t *)q + *cap * size, (n - *cap) * size);
	*p = q;
	*cap = n;
	return 0;
}

/* Room in *p for need elements of size octets (at most UINT32_MAX - 1:
 * links are 32 bits). */
static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap) {
		return 0;
	}
	if (need >= UINT32_MAX) {
		return DZ_ENOMEM;
	}
	size_t n = *cap ? *cap * 2 : 4;
	while (n < need) {
		n *= 2;
	}
	return fit(p, cap, n, size);
}

/* An empty owner index of 16 slots. */
static int table_init(struct dz_zone_builder *b)
{
	b->mask = 15;
	b->table = calloc(b->mask + 1, sizeof(*b->table));
	return b->table != NULL ? 0 : DZ_ENOMEM;
}

struct dz_zone_builder *dz_zone_builder_new(const uint8_t *origin)
{
	struct dz_zone_builder *b = calloc(1, sizeof(*b));
	size_t len = dz_dname_len(origin);

	if (b == NULL) {
		return NULL;
	}
	b->arena = dz_arena_new(0);
	b->rdata = dz_arena_new(0);
	if (b->arena == NULL || b->rdata == NULL || table_init(b) != 0) {
		goto fail;
	}
	b->origin = dz_arena_memdup(b->arena, origin, len);
	if (b->origin == NULL) {
		goto fail;
	}
	dz_dname_tolower(b->origin);
	b->origin_len = (uint8_t)len;
	b->origin_labels = dz_dname_labels(origin);
	return b;
fail:
	dz_arena_free(b->arena);
	dz_arena_free(b->rdata);
	free(b->table);
	free(b);
	return NULL;
}

/* The owners, RRsets, RRs and their index (malloc'd). */
static void owners_free(struct dz_zone_builder *b)
{
	free(b->owners);
	free(b->sets);
	free(b->rrs);
	free(b->table);
}

/* Free the builder's malloc'd parts; the arena is the caller's business. */
static void builder_release(struct dz_zone_builder *b)
{
	owners_free(b);
	dz_arena_free(b->rdata);
	free(b);
}

void dz_zone_builder_free(struct dz_zone_builder *b)
{
	if (b == NULL) {
		return;
	}
	dz_arena_free(b->arena);
	builder_release(b);
}

/*
 * dz_name_hash() of a lower-case name at lname, which has 8 octets of
 * room past its end (they do not count): no copy per label.
 */
static uint32_t name_hash8(const uint8_t *lname)
{
	uint8_t off[128];
	unsigned n = 0;
	uint32_t h = DZ_HASH_ROOT;

	for (size_t p = 0; lname[p] != 0 && n < 128; p += lname[p] + 1u) {
		off[n++] = (uint8_t)p;
	}
	while (n-- > 0) {
		h = dz_label_hash8(h, lname + off[n]);
	}
	return h;
}

static struct b_owner *owner_find(const struct dz_zone_builder *b,
				  const uint8_t *lname, size_t len,
				  uint32_t h, size_t *slot)
{
	size_t i = h & b->mask;

	for (;; i = (i + 1) & b->mask) {
		const struct dz_slot *s = &b->table[i];
		if (s->node == 0) {
			*slot = i;
			return NULL;
		}
		if (s->hash != h) {
			continue;
		}
		struct b_owner *o = &b->owners[s->node - 1];
		if (o->len == len && memcmp(o->name, lname, len) == 0) {
			*slot = i;
			return o;
		}
	}
}

/* The index at twice the size, filled in owner order (as zone_index()
 * fills the zone's). */
static int table_grow(struct dz_zone_builder *b)
{
	size_t mask = (b->mask + 1) * 2 - 1;
	struct dz_slot *t = calloc(mask + 1, sizeof(*t));

	if (t == NULL) {
		return DZ_ENOMEM;
	}
	prefault(t, (mask + 1) * sizeof(*t));
	for (size_t k = 0; k < b->nowners; k++) {
		uint32_t h = b->owners[k].hash;
		size_t i = h & mask;
		while (t[i].node != 0) {
			i = (i + 1) & mask;
		}
		t[i].hash = h;
		t[i].node = (uint32_t)(k + 1);
	}
	free(b->table);
	b->table = t;
	b->mask = mask;
	return 0;
}

/* The owner entry for a lower-case name of hash h, created when
 * missing. */
static struct b_owner *owner_get_h(struct dz_zone_builder *b,
				   const uint8_t *lname, size_t len,
				   uint32_t h)
{
	size_t slot;
	struct b_owner *o = owner_find(b, lname, len, h, &slot);

	if (o != NULL) {
		return o;
	}
	if ((b->nowners + 1) * 2 > b->mask + 1) {
		if (table_grow(b) != 0) {
			return NULL;
		}
		owner_find(b, lname, len, h, &slot);
	}
	if (grow((void **)&b->owners, &b->cowners, b->nowners + 1,
		 sizeof(*b->owners)) != 0) {
		return NULL;
	}
	o = &b->owners[b->nowners];
	*o = (struct b_owner){ .len = (uint8_t)len, .hash = h };
	o->name = dz_arena_bytes(b->arena, lname, len);
	if (o->name == NULL) {
		return NULL;
	}
	b->table[slot].hash = h;
	b->table[slot].node = (uint32_t)++b->nowners;
	return o;
}

static struct b_owner *owner_get(struct dz_zone_builder *b,
				 const uint8_t *lname, size_t len)
{
	return owner_get_h(b, lname, len, dz_name_hash(lname, len));
}

static inline struct b_set *set_at(const struct dz_zone_builder *b,
				   uint32_t link)
{
	return &b->sets[link - 1];
}

static inline struct b_rr *rr_at(const struct dz_zone_builder *b,
				 uint32_t link)
{
	return &b->rrs[link - 1];
}

static struct b_set *rrset_find(const struct dz_zone_builder *b,
				const struct b_owner *o, uint16_t type)
{
	for (uint32_t l = o->sets; l != 0; l = set_at(b, l)->next) {
		if (set_at(b, l)->type == type) {
			return set_at(b, l);
		}
	}
	return NULL;
}

/* Does an RRset of this type get rotation groups (rrset_groups())? */
static bool type_rotates(uint16_t type)
{
	const struct dz_kind *k = dz_kind_lookup_type(type);

	return k != NULL && k->compare != NULL &&
	       (k->flags & DZ_KIND_F_ROTATE);
}

/*
 * Do RRsets of this type get links to their targets' nodes? Those with
 * additional section processing (rrset_flags() gives NS without a kind
 * DZ_KIND_F_ADDITIONAL too).
 */
static bool type_links(uint16_t type)
{
	const struct dz_kind *k = dz_kind_lookup_type(type);
	const uint32_t want = DZ_KIND_F_NAME | DZ_KIND_F_ADDITIONAL;

	return k != NULL ? (k->flags & want) == want : type == T_NS;
}

/* Room for add more octets in o's block (an owner of 4 GiB: no). */
static bool bytes_add(struct b_owner *o, size_t add)
{
	if (add > UINT32_MAX - o->bytes) {
		return false;
	}
	o->bytes += (uint32_t)add;
	return true;
}

/* A new, empty RRset of type at o (b->sets may move); NULL on OOM. */
static struct b_set *rrset_new(struct dz_zone_builder *b, struct b_owner *o,
			       uint16_t type, uint32_t ttl)
{
	struct b_set *s;

	if (o->nsets == UINT16_MAX ||
	    grow((void **)&b->sets, &b->csets, b->nsets + 1,
		 sizeof(*b->sets)) != 0 ||
	    !bytes_add(o, sizeof(struct dz_rrset))) {
		return NULL;
	}
	s = &b->sets[b->nsets];
	*s = (struct b_set){ .next = o->sets, .type = type, .ttl = ttl,
			     .rot = type_rotates(type),
			     .lnk = type_links(type) };
	o->sets = (uint32_t)++b->nsets;
	o->nsets++;
	return s;
}

/* The octets an RR takes in its node's block: pointer, rotation group,
 * link, "u16 rdlen, rdata". */
static size_t rr_bytes(const struct b_set *s, const uint8_t *rd)
{
	return sizeof(uint8_t *) + (s->rot ? sizeof(uint16_t) : 0) +
	       (s->lnk ? 4 : 0) + 2 + dz_wire_get_u16(rd);
}

/* Lower-case copy of owner in out; false when not at or below origin. */
static bool owner_norm(const struct dz_zone_builder *b, const uint8_t *owner,
		       uint8_t *out, size_t *len)
{
	*len = dz_dname_len(owner);
	if (*len > DZ_DNAME_MAX) {
		return false;
	}
	memcpy(out, owner, *len);
	dz_dname_tolower(out);
	return *len >= b->origin_len &&
	       dz_dname_is_subdomain(out, b->origin);
}

/* Link the RR rd (u16 rdlen, rdata; kept as it is) into s, o's. */
static int rr_link(struct dz_zone_builder *b, struct b_owner *o,
		   struct b_set *s, const uint8_t *rd)
{
	if (grow((void **)&b->rrs, &b->crrs, b->nrrs + 1,
		 sizeof(*b->rrs)) != 0 || !bytes_add(o, rr_bytes(s, rd))) {
		return DZ_ENOMEM;
	}
	b->rrs[b->nrrs] = (struct b_rr){ .rd = rd, .next = s->rrs };
	s->rrs = (uint32_t)++b->nrrs;
	s->count++;
	b->most = s->count > b->most ? s->count : b->most;
	return 0;
}

/* Add a copy of the RR to s, o's; *out (may be NULL): the copy. */
static int rr_append(struct dz_zone_builder *b, struct b_owner *o,
		     struct b_set *s, const uint8_t *rdata, uint16_t rdlen,
		     const uint8_t **out)
{
	uint8_t *rr = dz_arena_alloc_raw(b->rdata, (size_t)rdlen + 2);

	if (rr == NULL) {
		return DZ_ENOMEM;
	}
	dz_wire_set_u16(rr, rdlen);
	if (rdlen > 0) {
		memcpy(rr + 2, rdata, rdlen);
	}
	if (rr_link(b, o, s, rr) != 0) {
		return DZ_ENOMEM;
	}
	if (out != NULL) {
		*out = rr;
	}
	b->nrr++;
	return 0;
}

/* The link of the RR with this rdata in s, or 0; *prev: the link of the
 * one before it (0 when it is the first). */
static uint32_t rr_find(const struct dz_zone_builder *b,
			const struct b_set *s, const uint8_t *rdata,
			uint16_t rdlen, uint32_t *prev)
{
	uint32_t p = 0;

	for (uint32_t l = s->rrs; l != 0; p = l, l = rr_at(b, l)->next) {
		const uint8_t *rd = rr_at(b, l)->rd;
		if (dz_wire_get_u16(rd) == rdlen &&
		    (rdlen == 0 || memcmp(rd + 2, rdata, rdlen) == 0)) {
			if (prev != NULL) {
				*prev = p;
			}
			return l;
		}
	}
	return 0;
}

int dz_zone_builder_reserve(struct dz_zone_builder *b, size_t nrr)
{
	/* One RR an RRset is the common case, names are fewer (a host
	 * has A, AAAA, MX...): the owners' guess errs low, as what is
	 * reserved is prefaulted. The index grows as before: its size is
	 * the served zone's. */
	if (nrr >= UINT32_MAX - 1) {
		return 0;
	}
	if (fit((void **)&b->rrs, &b->crrs, nrr, sizeof(*b->rrs)) != 0 ||
	    fit((void **)&b->sets, &b->csets, nrr, sizeof(*b->sets)) != 0 ||
	    fit((void **)&b->owners, &b->cowners, nrr / 2 + 1,
		sizeof(*b->owners)) != 0) {
		return DZ_ENOMEM;
	}
	return 0;
}

int dz_zone_builder_add(struct dz_zone_builder *b, const uint8_t *owner,
			uint16_t type, uint32_t ttl, const uint8_t *rdata,
			uint16_t rdlen, bool *ttl_conflict)
{
	uint8_t lname[DZ_DNAME_MAX + 1 + 8];
	size_t len;
	struct b_owner *o;
	struct b_set *s;

	if (ttl_conflict != NULL) {
		*ttl_conflict = false;
	}
	if (!owner_norm(b, owner, lname, &len)) {
		return DZ_EINVAL;
	}
	/* the RRs of one name tend to come one after the other */
	o = b->last != 0 ? &b->owners[b->last - 1] : NULL;
	if (o == NULL || o->len != len || memcmp(o->name, lname, len) != 0) {
		o = owner_get_h(b, lname, len, name_hash8(lname));
		if (o == NULL) {
			return DZ_ENOMEM;
		}
		b->last = (size_t)(o - b->owners) + 1;
	}
	s = rrset_find(b, o, type);
	if (s == NULL) {
		if ((s = rrset_new(b, o, type, ttl)) == NULL) {
			return DZ_ENOMEM;
		}
	} else if (s->ttl != ttl) {
		if (ttl_conflict != NULL) {
			*ttl_conflict = true;
		}
		if (ttl < s->ttl) {
			s->ttl = ttl;
		}
		s->merged = true;
	}
	if (rr_find(b, s, rdata, rdlen, NULL) != 0) {
		s->merged = true;
		return 0; /* identical RR: collapse */
	}
	return rr_append(b, o, s, rdata, rdlen, NULL);
}

bool dz_zone_builder_has(const struct dz_zone_builder *b,
			 const uint8_t *owner, uint16_t type)
{
	uint8_t lname[DZ_DNAME_MAX + 1];
	size_t len, slot;
	const struct b_owner *o;

	if (!owner_norm(b, owner, lname, &len)) {
		return false;
	}
	o = owner_find(b, lname, len, dz_name_hash(lname, len), &slot);
	return o != NULL && rrset_find(b, o, type) != NULL;
}

/* ---- finish -------------------------------------------------------------- */

/*
 * Add an owner entry (no RRsets) for every name between apex and owners,
 * and note in *upp the index of each one's parent (the apex's: its own;
 * UINT32_MAX when the apex has no entry: finish fails then). malloc'd.
 */
static int add_ents(struct dz_zone_builder *b, uint32_t **upp)
{
	size_t n = b->nowners, cap = 0, slot; /* new entries need no walk */
	const struct b_owner *a = owner_find(b, b->origin, b->origin_len,
					     dz_name_hash(b->origin,
							  b->origin_len),
					     &slot);
	uint32_t apex = a != NULL ? (uint32_t)(a - b->owners) : UINT32_MAX;
	uint32_t *up = NULL;

	for (size_t i = 0; i < n; i++) {
		for (size_t k = i;;) {
			/* in the arena: owner_get's realloc does not move it */
			const uint8_t *name = b->owners[k].name;
			size_t len = b->owners[k].len, had = b->nowners, pk;
			struct b_owner *o;
			if (grow((void **)&up, &cap, b->nowners, sizeof(*up))) {
				goto oom;
			}
			if (len == b->origin_len) {
				up[k] = (uint32_t)k;
				break;
			}
			len -= (size_t)name[0] + 1;
			name += name[0] + 1;
			if (len == b->origin_len) {
				up[k] = apex;
				break;
			}
			if ((o = owner_get(b, name, len)) == NULL) {
				goto oom;
			}
			pk = (size_t)(o - b->owners);
			up[k] = (uint32_t)pk;
			if (b->nowners == had) {
				break; /* its own walk does the rest */
			}
			k = pk;
		}
	}
	if (grow((void **)&up, &cap, b->nowners + 1, sizeof(*up)) != 0) {
		goto oom;
	}
	*upp = up;
	return 0;
oom:
	free(up);
	return DZ_ENOMEM;
}

/*
 * Answer order: the kind's compare(), then RFC 4034 6.3's canonical
 * order (rdata as octet strings), so that an RRset's order depends on
 * its RRs only, never on the order they came in: an edit (which adds
 * at the end) then makes what a build makes.
 */
static int rr_cmp(const uint8_t *a, const uint8_t *b, const struct dz_kind *k)
{
	size_t al = dz_wire_get_u16(a), bl = dz_wire_get_u16(b);
	int c = 0;

	if (k != NULL && k->compare != NULL) {
		c = k->compare(a + 2, al, b + 2, bl);
	}
	if (c == 0) {
		c = memcmp(a + 2, b + 2, al < bl ? al : bl);
	}
	return c != 0 ? c : (al > bl) - (al < bl);
}

/* Merge sort of RR pointers by rr_cmp(). */
static void rr_sort(const uint8_t **v, const uint8_t **tmp, size_t n,
		    const struct dz_kind *k)
{
	if (n < 2) {
		return;
	}
	size_t h = n / 2;
	rr_sort(v, tmp, h, k);
	rr_sort(v + h, tmp, n - h, k);
	size_t i = 0, j = h, o = 0;
	while (i < h && j < n) {
		if (rr_cmp(v[j], v[i], k) < 0) {
			tmp[o++] = v[j++];
		} else {
			tmp[o++] = v[i++];
		}
	}
	while (i < h) {
		tmp[o++] = v[i++];
	}
	while (j < n) {
		tmp[o++] = v[j++];
	}
	memcpy(v, tmp, n * sizeof(*v));
}

static void rrset_flags(struct dz_rrset *r, const struct dz_kind *k)
{
	if (k != NULL) {
		r->flags = k->flags;
		r->name_offset = k->name_offset;
	} else if (r->type == T_NS) {
		r->flags = DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS |
			   DZ_KIND_F_ADDITIONAL;
	} else if (r->type == T_CNAME || r->type == T_PTR) {
		r->flags = DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS;
	}
	if (r->type == T_SOA) {
		r->flags |= DZ_RRSET_F_SOA;
	}
}

/* Where node_make() carves a node's RR pointers, groups and rdata from. */
struct carve {
	uint8_t *ptrs;
	uint8_t *groups;
	uint8_t *rd;
};

static bool rotates(const struct dz_rrset *r, const struct dz_kind *k)
{
	return k != NULL && k->compare != NULL &&
	       (r->flags & DZ_KIND_F_ROTATE);
}

/* Mark runs of RRs that compare equal (already sorted). */
static void rrset_groups(struct dz_rrset *r, const uint8_t **rr,
			 const struct dz_kind *k, struct carve *c)
{
	uint16_t *g = (uint16_t *)(void *)c->groups;

	c->groups += r->count * sizeof(*g);
	for (size_t i = 0; i < r->count;) {
		size_t j = i + 1;
		while (j < r->count &&
		       k->compare(rr[i] + 2, dz_wire_get_u16(rr[i]),
				  rr[j] + 2, dz_wire_get_u16(rr[j])) == 0) {
			g[j++] = 0;
		}
		g[i] = (uint16_t)(j - i);
		i = j;
	}
	r->group = g;
}

static void rrset_make(struct dz_rrset *r, const struct dz_zone_builder *b,
		       const struct b_set *s, const uint8_t **tmp,
		       struct carve *c)
{
	const struct dz_kind *k = dz_kind_lookup_type(s->type);
	const uint8_t **rr = (const uint8_t **)(void *)c->ptrs;
	size_t n = 0;

	c->ptrs += s->count * sizeof(*rr);
	*r = (struct dz_rrset){ .type = s->type, .ttl = s->ttl,
				.count = (uint16_t)s->count };
	rrset_flags(r, k);
	if (s->merged) {
		r->flags |= DZ_RRSET_F_MERGED;
	}
	if (s->lnk) {
		r->flags |= DZ_RRSET_F_LINKS;
	}
	for (uint32_t l = s->rrs; l != 0; l = rr_at(b, l)->next) {
		rr[n++] = rr_at(b, l)->rd;
	}
	rr_sort(rr, tmp, s->count, k);
	/* the rdata moves next to the node's RRsets, in answer order,
	 * each after its link (made by node_links()) */
	for (size_t i = 0; i < s->count; i++) {
		size_t len = (size_t)dz_wire_get_u16(rr[i]) + 2;
		if (s->lnk) {
			memset(c->rd, 0, 4); /* DZ_LINK_UNKNOWN */
			c->rd += 4;
		}
		memcpy(c->rd, rr[i], len);
		rr[i] = c->rd;
		c->rd += len;
	}
	r->rr = rr;
	if (rotates(r, k)) {
		rrset_groups(r, rr, k, c);
	}
}

/* Relink o's RRsets in type order (few: by insertion). */
static void sets_sort(const struct dz_zone_builder *b, struct b_owner *o)
{
	uint32_t sorted = 0, l = o->sets;

	while (l != 0) {
		struct b_set *s = set_at(b, l);
		uint32_t next = s->next, *at = &sorted;
		while (*at != 0 && set_at(b, *at)->type < s->type) {
			at = &set_at(b, *at)->next;
		}
		s->next = *at;
		*at = l;
		l = next;
	}
	o->sets = sorted;
}

/*
 * One block per node: its RRsets, their RR pointers, rotation groups and
 * rdata, so an answer reads a line or two past the node. The builder
 * counts the octets as RRs come (o->bytes): sizing every block needs
 * no walk over the RRs.
 */
static size_t rrsets_size(const struct b_owner *o)
{
	return o->bytes;
}

/* Fill sets, a block of rrsets_size(o) bytes, from o (its RRsets put in
 * type order first). */
static void rrsets_fill(struct dz_node *n, const struct dz_zone_builder *b,
			struct b_owner *o, struct dz_rrset *sets,
			const uint8_t **tmp)
{
	size_t nptr = 0, ngrp = 0, t = 0;
	struct carve c;

	sets_sort(b, o);
	for (uint32_t l = o->sets; l != 0; l = set_at(b, l)->next) {
		const struct b_set *s = set_at(b, l);
		nptr += s->count;
		ngrp += s->rot ? s->count : 0;
	}
	c.ptrs = (uint8_t *)(sets + o->nsets);
	c.groups = c.ptrs + nptr * sizeof(uint8_t *);
	c.rd = c.groups + ngrp * sizeof(uint16_t);
	for (uint32_t l = o->sets; l != 0; l = set_at(b, l)->next) {
		rrset_make(&sets[t++], b, set_at(b, l), tmp, &c);
	}
	assert((uint8_t *)c.rd == (uint8_t *)sets + o->bytes);
	n->rrsets = sets;
	n->nrrsets = o->nsets;
	n->flags &= (uint16_t)~DZ_NODE_F_LINKS;
	for (t = 0; t < n->nrrsets; t++) {
		if (sets[t].flags & DZ_RRSET_F_LINKS) {
			n->flags |= DZ_NODE_F_LINKS;
		}
	}
}

static int node_rrsets(struct dz_arena *a, struct dz_node *n,
		       const struct dz_zone_builder *b, struct b_owner *o,
		       const uint8_t **tmp)
{
	struct dz_rrset *sets = dz_arena_alloc_raw(a, rrsets_size(o));

	if (sets == NULL) {
		return DZ_ENOMEM;
	}
	rrsets_fill(n, b, o, sets, tmp);
	return 0;
}

/*
 * n from o, every octet of it written once (no zeroing first: a fresh
 * page is faulted in by the write itself); block: rrsets_size(o) bytes
 * when o has RRsets.
 */
static void node_make(struct dz_zone *z, struct dz_node *n,
		      const struct dz_zone_builder *b, struct b_owner *o,
		      uint8_t *block, const uint8_t **tmp)
{
	size_t rel = (size_t)o->len - z->origin_len;
	struct dz_node v = {
		.name = o->name,
		.name_len = o->len,
		.labels = (uint8_t)dz_dname_labels(o->name),
		.hash = o->hash,
	};

	if (o->nsets > 0) {
		rrsets_fill(&v, b, o, (struct dz_rrset *)(void *)block, tmp);
	} else {
		v.flags |= DZ_NODE_F_ENT;
	}
	if (o->len != z->origin_len && dz_node_rrset(&v, T_NS) != NULL) {
		v.flags |= DZ_NODE_F_DELEG; /* zone_mark() does the rest */
	}
	if (rel <= DZ_NODE_REL) {
		memcpy(v.rel, o->name, rel);
	}
	if (o->len == z->origin_len) {
		v.flags |= DZ_NODE_F_APEX;
		z->apex = n;
	}
	*n = v;
}

static inline const struct dz_node *node_at(const struct dz_zone *z, size_t k)
{
	return &z->nodes[k >> DZ_NODE_PAGE_SHIFT][k & (DZ_NODE_PAGE - 1)];
}

static bool node_idx(const struct dz_zone *z, const uint8_t *lname,
		     size_t len, uint32_t h, size_t *k);

/* The link of RR i of rs (DZ_RRSET_F_LINKS), as the query path would
 * find its target: the name must parse and be at or below the origin. */
static uint32_t rr_target(const struct dz_zone *z, const struct dz_rrset *rs,
			  size_t i, struct dz_lname *t)
{
	const uint8_t *rd = rs->rr[i] + 2;
	uint16_t rdlen = dz_wire_get_u16(rs->rr[i]);
	size_t k, at;

	if (rs->name_offset >= rdlen ||
	    dz_lname_parse(t, rd + rs->name_offset, rd + rdlen) == 0 ||
	    t->labels < z->origin_labels) {
		return DZ_LINK_UNKNOWN;
	}
	at = t->off[t->labels - z->origin_labels];
	if ((size_t)t->len - at != z->origin_len ||
	    memcmp(t->name + at, z->origin, z->origin_len) != 0) {
		return DZ_LINK_UNKNOWN; /* another zone's, maybe */
	}
	if (!node_idx(z, t->name, t->len, t->hash[0], &k)) {
		return DZ_LINK_NONE;
	}
	return (uint32_t)k + DZ_LINK_NODE;
}

/* Link n's RRs to their targets in z (n's block is still ours). */
static void node_links(const struct dz_zone *z, const struct dz_node *n)
{
	struct dz_lname t;

	for (uint16_t s = 0; s < n->nrrsets; s++) {
		const struct dz_rrset *rs = &n->rrsets[s];
		if (!(rs->flags & DZ_RRSET_F_LINKS)) {
			continue;
		}
		for (size_t i = 0; i < rs->count; i++) {
			uint32_t l = rr_target(z, rs, i, &t);
			memcpy((uint8_t *)(uintptr_t)(rs->rr[i] - 4), &l, 4);
		}
	}
}

static inline const struct dz_slot *slot_at(const struct dz_zone *z, size_t i)
{
	return &z->slots[i >> DZ_SLOT_PAGE_SHIFT][i & (DZ_SLOT_PAGE - 1)];
}

static int node_cmp(const void *a, const void *b)
{
	const struct dz_node *const *x = a, *const *y = b;

	return dz_dname_cmp_canonical((*x)->name, (*y)->name);
}

/*
 * Canonical order (RFC 4034 6.1) by memcmp: a node's sort key is its
 * labels above the origin, rightmost first, each followed by a 0 octet,
 * so that a label sorts before any longer one it begins (names are lower
 * case already). Exact only when no label holds a 0 octet: a zone with
 * one sorts with dz_dname_cmp_canonical instead. The first eight octets
 * (big-endian, zero padded) settle most comparisons without memcmp.
 */
struct skey {
	uint64_t pre;
	const uint8_t *key;
	uint32_t len;
	const struct dz_node *node;
};

static int skey_cmp(const void *a, const void *b)
{
	const struct skey *x = a, *y = b;
	int c;

	if (x->pre != y->pre) {
		return x->pre < y->pre ? -1 : 1;
	}
	c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	if (c != 0) {
		return c;
	}
	return x->len < y->len ? -1 : (x->len > y->len);
}

/* The sorted runs k[lo..mid) and k[mid..hi) merged into out[lo..hi). */
static void skey_merge(const struct skey *k, size_t lo, size_t mid,
		       size_t hi, struct skey *out)
{
	size_t i = lo, j = mid, o = lo;

	while (i < mid && j < hi) {
		out[o++] = skey_cmp(&k[j], &k[i]) < 0 ? k[j++] : k[i++];
	}
	while (i < mid) {
		out[o++] = k[i++];
	}
	while (j < hi) {
		out[o++] = k[j++];
	}
}

#define SKEY_RUN 16

/*
 * Sort k[0..n), with tmp[0..n) to merge into: glibc's qsort would
 * malloc as much itself, on the worker thread that runs it, whose
 * malloc arena keeps it resident once freed. Runs of SKEY_RUN by
 * insertion, then merged in pairs.
 */
static void skey_sort(struct skey *k, struct skey *tmp, size_t n)
{
	struct skey *from = k, *to = tmp, *swap;

	for (size_t lo = 0; lo < n; lo += SKEY_RUN) {
		size_t hi = lo + SKEY_RUN < n ? lo + SKEY_RUN : n;
		for (size_t i = lo + 1; i < hi; i++) {
			struct skey x = k[i];
			size_t j = i;
			for (; j > lo && skey_cmp(&x, &k[j - 1]) < 0; j--) {
				k[j] = k[j - 1];
			}
			k[j] = x;
		}
	}
	for (size_t w = SKEY_RUN; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			skey_merge(from, lo, mid, hi, to);
		}
		swap = from;
		from = to;
		to = swap;
	}
	if (from != k) {
		memcpy(k, from, n * sizeof(*k));
	}
}

/* n's key into out (room for its name's length); its length, or 0 when
 * a label holds a 0 octet. */
static size_t skey_make(const struct dz_node *n, size_t origin_len,
			uint8_t *out)
{
	const uint8_t *lab[DZ_DNAME_MAX / 2 + 1];
	size_t nl = 0, len = 0;

	for (size_t i = 0; i + origin_len < n->name_len; i += n->name[i] + 1) {
		lab[nl++] = n->name + i;
	}
	while (nl-- > 0) {
		const uint8_t *l = lab[nl];
		if (memchr(l + 1, 0, l[0]) != NULL) {
			return 0;
		}
		memcpy(out + len, l + 1, l[0]);
		len += l[0];
		out[len++] = 0;
	}
	return len;
}

/*
 * The keys of s[from..to) into k[from..to), their octets in buf (room
 * for the names of s[from..to)). 0, or 1 when a label holds a 0 octet.
 */
static int keys_make(const struct dz_zone *z, const struct dz_node **s,
		     struct skey *k, size_t from, size_t to, uint8_t *buf)
{
	size_t at = 0;

	for (size_t i = from; i < to; i++) {
		size_t len = skey_make(s[i], z->origin_len, buf + at);
		uint8_t pad[8] = { 0 };
		if (len == 0 && s[i]->name_len != z->origin_len) {
			return 1;
		}
		memcpy(pad, buf + at, len < 8 ? len : 8);
		k[i].pre = (uint64_t)pad[0] << 56 | (uint64_t)pad[1] << 48 |
			   (uint64_t)pad[2] << 40 | (uint64_t)pad[3] << 32 |
			   (uint64_t)pad[4] << 24 | (uint64_t)pad[5] << 16 |
			   (uint64_t)pad[6] << 8 | pad[7];
		k[i].key = buf + at;
		k[i].len = (uint32_t)len;
		k[i].node = s[i];
		at += len;
	}
	return 0;
}

/* A big zone's sort: two halves at once, then one merge. */
#define SORT_HALF_MIN 32768

struct sort_par {
	const struct dz_zone *z;
	const struct dz_node **s;
	struct skey *k;
	struct skey *tmp;       /* as many, for the merges */
	size_t cut[3];          /* half h is k[cut[h]..cut[h + 1]) */
	uint8_t *buf;           /* the keys' octets, half h from off[h] */
	size_t off[2];
	int rc[2];
	atomic_uint next;
};

static void sort_run(void *arg)
{
	struct sort_par *p = arg;
	unsigned h;

	while ((h = atomic_fetch_add(&p->next, 1)) < 2) {
		size_t from = p->cut[h], to = p->cut[h + 1];
		p->rc[h] = keys_make(p->z, p->s, p->k, from, to,
				     p->buf + p->off[h]);
		if (p->rc[h] == 0) {
			skey_sort(p->k + from, p->tmp + from, to - from);
		}
	}
}

/* The sorted halves of p->k into s (keys are unique: names are). */
static void sort_merge(const struct sort_par *p, const struct dz_node **s)
{
	size_t i = 0, j = p->cut[1], o = 0, mid = p->cut[1], n = p->cut[2];

	while (i < mid && j < n) {
		if (skey_cmp(&p->k[j], &p->k[i]) < 0) {
			s[o++] = p->k[j++].node;
		} else {
			s[o++] = p->k[i++].node;
		}
	}
	while (i < mid) {
		s[o++] = p->k[i++].node;
	}
	while (j < n) {
		s[o++] = p->k[j++].node;
	}
}

/* Sort s (every node of z, in any order) in canonical order; par: on
 * two threads when z is big. */
static int sort_canonical(const struct dz_zone *z, const struct dz_node **s,
			  bool par)
{
	struct sort_par p = { .z = z, .s = s,
			      .cut = { 0, z->nnodes, z->nnodes } };
	unsigned threads = par ? dz_par_threads(0, z->nnodes,
						SORT_HALF_MIN) : 1;
	size_t total = 0;
	int rc = 0;

	if (threads >= 2) {
		p.cut[1] = z->nnodes / 2;
		threads = 2;
	}
	for (size_t i = 0; i < z->nnodes; i++) {
		if (i == p.cut[1]) {
			p.off[1] = total;
		}
		total += s[i]->name_len;
	}
	/* Both halves' temporaries from this thread: what a worker frees
	 * stays resident in its malloc arena (malloc_trim never shrinks
	 * that). */
	p.k = malloc(2 * (z->nnodes + 1) * sizeof(*p.k));
	p.tmp = p.k != NULL ? p.k + z->nnodes + 1 : NULL;
	p.buf = malloc(total + 8);
	if (p.k == NULL || p.buf == NULL) {
		free(p.k);
		free(p.buf);
		return DZ_ENOMEM;
	}
	atomic_init(&p.next, 0);
	dz_par_run(threads, sort_run, &p);
	if (p.rc[0] == DZ_ENOMEM || p.rc[1] == DZ_ENOMEM) {
		rc = DZ_ENOMEM;
	} else if (p.rc[0] != 0 || p.rc[1] != 0) {
		/* a 0 octet in a label: the slow, exact way */
		qsort(s, z->nnodes, sizeof(*s), node_cmp);
	} else {
		sort_merge(&p, s);
	}
	free(p.k);
	free(p.buf);
	return rc;
}

/*
 * The name index and the page directories over the flat arrays. The
 * builder's owner index is the same table when it has the same size
 * (filled in the same order): copied, not made again. The canonical
 * order is made on first use (dz_zone_sorted): only transfers and
 * walks need it, and a big zone is served sooner without it.
 */
static int zone_index(struct dz_zone *z, const struct dz_zone_builder *b,
		      struct dz_node *nodes)
{
	struct dz_arena *a = b->arena;
	bool same;
	size_t size = 16, nsp, nnp = (z->nnodes + DZ_NODE_PAGE - 1) /
				     DZ_NODE_PAGE;
	struct dz_slot *t;
	const struct dz_slot **sdir;
	const struct dz_node **ndir;

	while (size < z->nnodes * 2) {
		size *= 2;
	}
	nsp = (size + DZ_SLOT_PAGE - 1) / DZ_SLOT_PAGE;
	same = b->mask + 1 == size && b->nowners == z->nnodes;
	t = dz_arena_alloc_raw(a, size * sizeof(*t));
	sdir = dz_arena_alloc(a, nsp * sizeof(*sdir));
	ndir = dz_arena_alloc(a, nnp * sizeof(*ndir));
	if (t == NULL || sdir == NULL || ndir == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t p = 0; p < nsp; p++) {
		sdir[p] = t + p * DZ_SLOT_PAGE;
	}
	for (size_t p = 0; p < nnp; p++) {
		ndir[p] = nodes + p * DZ_NODE_PAGE;
	}
	z->mask = (uint32_t)(size - 1);
	prefault(t, size * sizeof(*t));
	if (same) {
		memcpy(t, b->table, size * sizeof(*t));
	} else {
		memset(t, 0, size * sizeof(*t));
	}
	for (size_t k = 0; k < z->nnodes && !same; k++) {
		size_t i = nodes[k].hash & z->mask;
		while (t[i].node != 0) {
			i = (i + 1) & z->mask;
		}
		t[i].hash = nodes[k].hash;
		t[i].node = (uint32_t)(k + 1);
	}
	z->slots = sdir;
	z->nodes = ndir;
	z->ncap = z->nnodes;
	atomic_init(&z->sorted, NULL);
	return 0;
}

/*
 * Zone cuts and wildcards, for the query path: DZ_NODE_F_DELEG on every
 * non-apex node with NS (node_make() set it), DZ_NODE_F_OCCLUDED on
 * every node below one, DZ_NODE_F_WILD_PARENT on the parent of each "*"
 * node. And for edits, each node's count of children and the zone's of
 * wildcards. up: each node's parent (add_ents()).
 */
static void zone_mark(struct dz_zone *z, struct dz_node *nodes,
		      const uint32_t *up)
{
	for (size_t k = 0; k < z->nnodes; k++) {
		if (nodes[k].flags & DZ_NODE_F_DELEG) {
			z->flags |= DZ_ZONE_F_DELEG;
			break;
		}
	}
	for (size_t k = 0; k < z->nnodes; k++) {
		struct dz_node *n = &nodes[k], *p;
		if (n->flags & DZ_NODE_F_APEX) {
			continue;
		}
		p = &nodes[up[k]];
		p->nchild++;
		if (n->name[0] == 1 && n->name[1] == '*') {
			n->flags |= DZ_NODE_F_WILDCARD;
			z->flags |= DZ_ZONE_F_WILD;
			z->nwild++;
			p->flags |= DZ_NODE_F_WILD_PARENT;
		}
		while (z->flags & DZ_ZONE_F_DELEG) {
			if (p->flags & DZ_NODE_F_APEX) {
				break;
			}
			if (p->flags & DZ_NODE_F_DELEG) {
				n->flags |= DZ_NODE_F_OCCLUDED;
				break;
			}
			p = &nodes[up[p - nodes]];
		}
	}
}

/* serial and negative TTL from the apex SOA; false when it is unusable. */
static bool zone_soa(struct dz_zone *z)
{
	const struct dz_rrset *soa = dz_node_rrset(z->apex, T_SOA);

	if (soa == NULL || soa->count != 1) {
		return false;
	}
	const uint8_t *rd = soa->rr[0] + 2;
	const uint8_t *end = rd + dz_wire_get_u16(soa->rr[0]);
	size_t l1 = dz_dname_check(rd, end);
	size_t l2 = l1 ? dz_dname_check(rd + l1, end) : 0;
	if (l2 == 0 || (size_t)(end - rd) != l1 + l2 + 20) {
		return false;
	}
	const uint8_t *nums = rd + l1 + l2;
	uint32_t minimum = dz_wire_get_u32(nums + 16);
	z->soa = soa;
	z->serial = dz_wire_get_u32(nums);
	z->neg_ttl = soa->ttl < minimum ? soa->ttl : minimum;
	return true;
}

/*
 * The arenas a zone's parts live in: its own, and through parent every
 * older generation's that an edit shares pages or blocks with. Each
 * zone holds a reference to its generation, each generation one to its
 * parent, so zones of one chain may be freed in any order.
 */
struct dz_zone_gen {
	atomic_uint refs;
	struct dz_arena *arena;
	struct dz_zone_gen *parent;
};

static struct dz_zone_gen *gen_new(struct dz_arena *a,
				   struct dz_zone_gen *parent)
{
	struct dz_zone_gen *g = malloc(sizeof(*g));

	if (g == NULL) {
		return NULL;
	}
	atomic_init(&g->refs, 1);
	g->arena = a;
	g->parent = parent;
	if (parent != NULL) {
		atomic_fetch_add_explicit(&parent->refs, 1,
					  memory_order_relaxed);
	}
	return g;
}

static void gen_unref(struct dz_zone_gen *g)
{
	while (g != NULL && atomic_fetch_sub_explicit(&g->refs, 1,
						      memory_order_acq_rel) == 1) {
		struct dz_zone_gen *p = g->parent;
		dz_arena_free(g->arena);
		free(g);
		g = p;
	}
}

static atomic_uint_fast64_t zone_ids = 1;

/* What every new zone starts with (its gen set by the caller). */
static void zone_init(struct dz_zone *z)
{
	atomic_init(&z->refs, 1);
	pthread_mutex_init(&z->sort_lock, NULL);
	z->id = atomic_fetch_add_explicit(&zone_ids, 1, memory_order_relaxed);
}

/*
 * Making the nodes of a big zone is the last long step before it can
 * be served: it runs on every CPU, over runs of owners. One allocation
 * holds every block (their sizes known from the builder), and each run
 * fills its owners' nodes and blocks.
 */
#define NODE_RUN 4096

struct node_par {
	struct dz_zone *z;
	const struct dz_zone_builder *b;
	struct b_owner *owners;
	struct dz_node *nodes;
	size_t n;
	size_t *off;            /* per run of NODE_RUN owners: its blocks */
	uint8_t *blocks;
	atomic_size_t next;
	atomic_bool nomem;
};

/* The size of o's block, aligned for its RRsets (pointers): not to 16
 * as an arena allocation, ~4 octets a node less. */
static size_t block_of(const struct b_owner *o)
{
	size_t al = _Alignof(struct dz_rrset);

	return o->nsets == 0 ? 0 : (rrsets_size(o) + al - 1) & ~(al - 1);
}

static void node_fill(struct node_par *p, size_t run, const uint8_t **tmp)
{
	size_t from = run * NODE_RUN, off = p->off[run];
	size_t to = from + NODE_RUN < p->n ? from + NODE_RUN : p->n;

	/* each run maps its own part of the arrays, on its own CPU */
	prefault(p->nodes + from, (to - from) * sizeof(*p->nodes));
	prefault(p->blocks + off, p->off[run + 1] - off);
	for (size_t i = from; i < to; i++) {
		node_make(p->z, &p->nodes[i], p->b, &p->owners[i],
			  p->blocks + off, tmp);
		off += block_of(&p->owners[i]);
	}
}

static void node_run(void *arg)
{
	struct node_par *p = arg;
	const uint8_t **tmp = malloc((p->b->most + 1) * sizeof(*tmp));
	size_t run;

	if (tmp == NULL) {
		atomic_store(&p->nomem, true);
		return;
	}
	while ((run = atomic_fetch_add(&p->next, 1)) * NODE_RUN < p->n) {
		node_fill(p, run, tmp);
	}
	free(tmp);
}

/* Every node of z (the builder's owners) into nodes, on every CPU. */
static int nodes_make(struct dz_zone *z, struct dz_zone_builder *b,
		      struct dz_node *nodes)
{
	struct node_par p = { .z = z, .b = b, .owners = b->owners,
			      .nodes = nodes, .n = b->nowners };
	unsigned threads = dz_par_threads(0, p.n, 4 * NODE_RUN);
	size_t runs = (p.n + NODE_RUN - 1) / NODE_RUN, total = 0;
	static uint8_t raw_none[1];

	p.off = malloc((runs + 1) * sizeof(*p.off));
	if (p.off == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < p.n; i++) {
		if (i % NODE_RUN == 0) {
			p.off[i / NODE_RUN] = total;
		}
		total += block_of(&b->owners[i]);
	}
	p.off[runs] = total;
	atomic_init(&p.next, 0);
	atomic_init(&p.nomem, false);
	/* (no RRsets at all: no block, and p.blocks + 0 is never read) */
	p.blocks = total > 0 ? dz_arena_alloc_raw(b->arena, total) : raw_none;
	if (p.blocks != NULL) {
		dz_par_run(threads, node_run, &p);
	}
	free(p.off);
	return p.blocks == NULL || atomic_load(&p.nomem) ? DZ_ENOMEM : 0;
}

static struct dz_zone *zone_assemble(struct dz_zone_builder *b,
				     const char **err)
{
	struct dz_zone *z = dz_arena_alloc(b->arena, sizeof(*z));
	struct dz_node *nodes;
	uint32_t *up = NULL;
	uint8_t *raw;

	if (z == NULL || add_ents(b, &up) != 0) {
		goto oom;
	}
	z->origin = b->origin;
	z->origin_len = b->origin_len;
	z->origin_labels = (uint8_t)b->origin_labels;
	z->nrr = b->nrr;
	z->nnodes = b->nowners;
	/* one cache line each (written whole by node_make) */
	raw = dz_arena_alloc_raw(b->arena,
				 (z->nnodes + 1) * sizeof(*nodes) + 63);
	if (raw == NULL) {
		goto oom;
	}
	nodes = (struct dz_node *)(void *)(raw + (-(uintptr_t)raw & 63));
	memset(&nodes[z->nnodes], 0, sizeof(*nodes));
	if (nodes_make(z, b, nodes) != 0) {
		goto oom;
	}
	if (z->apex == NULL || !zone_soa(z)) {
		*err = "no SOA record at the zone apex";
		free(up);
		return NULL;
	}
	if (zone_index(z, b, nodes) != 0) {
		goto oom;
	}
	zone_mark(z, nodes, up);
	free(up);
	up = NULL;
	for (size_t k = 0; k < z->nnodes; k++) {
		if (nodes[k].flags & DZ_NODE_F_LINKS) {
			node_links(z, &nodes[k]);
		}
	}
	z->flags |= DZ_ZONE_F_LINKS;
	z->gen = gen_new(b->arena, NULL);
	if (z->gen == NULL) {
		goto oom;
	}
	zone_init(z);
	z->bytes = dz_arena_used(b->arena);
	return z;
oom:
	free(up);
	*err = "out of memory";
	return NULL;
}

struct dz_zone *dz_zone_builder_finish(struct dz_zone_builder *b,
				       const char **err)
{
	const char *dummy;
	struct dz_zone *z;

	if (err == NULL) {
		err = &dummy;
	}
	z = zone_assemble(b, err);
	if (z == NULL) {
		dz_arena_free(b->arena);
	}
	builder_release(b);
	return z;
}

/* ---- the finished zone ------------------------------------------------- */

void dz_zone_ref(struct dz_zone *z)
{
	if (z != NULL) {
		atomic_fetch_add_explicit(&z->refs, 1, memory_order_relaxed);
	}
}

void dz_zone_unref(struct dz_zone *z)
{
	if (z == NULL) {
		return;
	}
	if (atomic_fetch_sub_explicit(&z->refs, 1,
				      memory_order_acq_rel) == 1) {
		struct dz_zone_gen *g = z->gen;
		if (z->sorted_malloced) {
			free((void *)atomic_load_explicit(
				&z->sorted, memory_order_relaxed));
		}
		pthread_mutex_destroy(&z->sort_lock);
		gen_unref(g); /* z itself lives in its arena */
	}
}

const uint8_t *dz_zone_origin(const struct dz_zone *z)
{
	return z->origin;
}

uint32_t dz_zone_serial(const struct dz_zone *z)
{
	return z->serial;
}

size_t dz_zone_rr_count(const struct dz_zone *z)
{
	return z->nrr;
}

size_t dz_zone_node_count(const struct dz_zone *z)
{
	return z->nnodes;
}

uint32_t dz_name_hash(const uint8_t *lname, size_t len)
{
	const uint8_t *label[128];
	unsigned n = 0;
	uint32_t h = DZ_HASH_ROOT;

	(void)len;
	for (const uint8_t *p = lname; *p != 0 && n < 128; p += *p + 1) {
		label[n++] = p;
	}
	while (n-- > 0) {
		h = dz_label_hash(h, label[n]);
	}
	return h;
}

const struct dz_node *dz_zone_lookup(const struct dz_zone *z,
				     const uint8_t *lname, size_t len)
{
	/* dz_zone_find() needs a name that ends in the origin */
	if (len < z->origin_len ||
	    memcmp(lname + len - z->origin_len, z->origin,
		   z->origin_len) != 0) {
		return NULL;
	}
	return dz_zone_find(z, lname, len, dz_name_hash(lname, len));
}

const struct dz_rrset *dz_node_rrset(const struct dz_node *n, uint16_t type)
{
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		if (n->rrsets[i].type == type) {
			return &n->rrsets[i];
		}
		if (n->rrsets[i].type > type) {
			break;
		}
	}
	return NULL;
}

const struct dz_node *const *dz_zone_sorted(const struct dz_zone *z)
{
	/* the lock and the lazy array are not part of the zone's value */
	struct dz_zone *w = (struct dz_zone *)z;
	const struct dz_node *const *s;
	const struct dz_node **v;

	s = atomic_load_explicit(&w->sorted, memory_order_acquire);
	if (s != NULL) {
		return s;
	}
	pthread_mutex_lock(&w->sort_lock);
	s = atomic_load_explicit(&w->sorted, memory_order_relaxed);
	if (s == NULL && (v = malloc((z->nnodes + 1) * sizeof(*v))) != NULL) {
		for (size_t k = 0; k < z->nnodes; k++) {
			v[k] = node_at(z, k);
		}
		if (sort_canonical(z, v, true) != 0) {
			free(v);
		} else {
			w->sorted_malloced = true;
			s = v;
			atomic_store_explicit(&w->sorted, s,
					      memory_order_release);
		}
	}
	pthread_mutex_unlock(&w->sort_lock);
	return s;
}

int dz_zone_walk(const struct dz_zone *z, dz_zone_rr_fn cb, void *arg)
{
	const struct dz_node *const *sorted = dz_zone_sorted(z);

	if (sorted == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t k = 0; k < z->nnodes; k++) {
		const struct dz_node *n = sorted[k];
		for (uint16_t t = 0; t < n->nrrsets; t++) {
			const struct dz_rrset *r = &n->rrsets[t];
			for (uint16_t i = 0; i < r->count; i++) {
				int rc = cb(n->name, r->type, r->ttl,
					    r->rr[i] + 2,
					    dz_wire_get_u16(r->rr[i]), arg);
				if (rc != 0) {
					return rc;
				}
			}
		}
	}
	return 0;
}

void dz_zone_set_fingerprint(struct dz_zone *z, uint64_t fp)
{
	z->fingerprint = fp;
}

uint64_t dz_zone_fingerprint(const struct dz_zone *z)
{
	return z->fingerprint;
}

int dz_zone_set_build_info(struct dz_zone *z, uint64_t content_hash,
			   const uint8_t *const *failed, size_t nfailed)
{
	uint8_t **v = NULL;

	z->content_hash = content_hash;
	if (failed == NULL) {
		return 0;
	}
	if (nfailed > 0) {
		v = dz_arena_alloc(z->gen->arena, nfailed * sizeof(*v));
		if (v == NULL) {
			return DZ_ENOMEM;
		}
	}
	for (size_t i = 0; i < nfailed; i++) {
		v[i] = dz_arena_memdup(z->gen->arena, failed[i],
				       dz_dname_len(failed[i]));
		if (v[i] == NULL) {
			return DZ_ENOMEM;
		}
		dz_dname_tolower(v[i]);
	}
	z->failed = (const uint8_t *const *)v;
	z->nfailed = nfailed;
	return 0;
}

uint64_t dz_zone_content_hash(const struct dz_zone *z)
{
	return z->content_hash;
}

bool dz_zone_check_failed_at(const struct dz_zone *z, const uint8_t *owner)
{
	for (size_t i = 0; i < z->nfailed; i++) {
		if (dz_dname_equal(z->failed[i], owner)) {
			return true;
		}
	}
	return false;
}
/* ---- editing a served zone in place ------------------------------------- */

/*
 * An edit stages the owners it touches in a builder of its own (their
 * RRsets copied from the base's nodes, as RR pointers into the base's
 * blocks) and makes the new zone at finish: a copy of the base's
 * struct, its page directories copied on first write, each node or slot
 * page copied the first time it is written, a new block per touched
 * node (node_rrsets(), as a build makes it). Everything new goes into
 * the edit's arena, which becomes the new zone's generation.
 */
#define EDIT_MAX_DEPTH 256
#define EDIT_CHUNK 4096

unsigned dz_zone_edit_garbage_pct = 25;

/* An RR an edit removed or added (kept by the new zone). */
struct dz_zone_rec {
	const uint8_t *owner; /* lower case */
	const uint8_t *rr;    /* u16 rdlen, rdata */
	uint32_t ttl;
	uint16_t type;
};

struct e_rec {
	struct dz_zone_rec r;
	uint32_t hash;
	bool dead;            /* cancelled by an add of the same RR */
};

struct dz_zone_edit {
	struct dz_zone *base;     /* held */
	struct dz_zone_builder b; /* touched owners; b.arena is the edit's */
	struct e_rec *dels, *adds;
	size_t ndels, cdels, nadds, cadds;
	size_t live_dels, live_adds;
	size_t *dtab;             /* dels index + 1 by hash */
	size_t dmask;
	bool adding;              /* an add came: no more removes */
	bool dead;
};

struct dz_zone_edit *dz_zone_edit_new(struct dz_zone *base, int *why)
{
	struct dz_zone_edit *e;
	int dummy;

	if (why == NULL) {
		why = &dummy;
	}
	if (base->depth + 1 > EDIT_MAX_DEPTH ||
	    base->garbage > (base->bytes - base->garbage) / 100 *
				    dz_zone_edit_garbage_pct) {
		*why = DZ_EAGAIN;
		return NULL;
	}
	*why = DZ_ENOMEM;
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		return NULL;
	}
	e->b.arena = dz_arena_new(EDIT_CHUNK);
	e->b.rdata = e->b.arena;
	e->dmask = 63;
	e->dtab = calloc(e->dmask + 1, sizeof(*e->dtab));
	if (e->b.arena == NULL || table_init(&e->b) != 0 || e->dtab == NULL) {
		dz_arena_free(e->b.arena);
		free(e->b.table);
		free(e->dtab);
		free(e);
		return NULL;
	}
	e->b.origin = (uint8_t *)base->origin; /* only read */
	e->b.origin_len = base->origin_len;
	e->b.origin_labels = base->origin_labels;
	e->b.nrr = base->nrr;
	dz_zone_ref(base);
	e->base = base;
	*why = 0;
	return e;
}

/* Everything but the arena. */
static void edit_release(struct dz_zone_edit *e)
{
	owners_free(&e->b);
	free(e->dels);
	free(e->adds);
	free(e->dtab);
	dz_zone_unref(e->base);
	free(e);
}

void dz_zone_edit_free(struct dz_zone_edit *e)
{
	if (e != NULL) {
		dz_arena_free(e->b.arena);
		edit_release(e);
	}
}

/*
 * The staged owner of a lower-case name in the zone, its RRsets copied
 * from the base's node when it has one; missing owners are made only
 * when create is true. NULL with *rc = DZ_ENOENT or DZ_ENOMEM.
 */
static struct b_owner *stage(struct dz_zone_edit *e, const uint8_t *lname,
			     size_t len, bool create, int *rc)
{
	uint32_t h = dz_name_hash(lname, len);
	const struct dz_node *n;
	struct b_owner *o;
	size_t slot;

	o = owner_find(&e->b, lname, len, h, &slot);
	if (o != NULL) {
		return o;
	}
	n = dz_zone_find(e->base, lname, len, h);
	*rc = n == NULL && !create ? DZ_ENOENT : DZ_ENOMEM;
	if ((n == NULL && !create) || (o = owner_get(&e->b, lname, len)) ==
	    NULL) {
		return NULL;
	}
	o->flags |= n != NULL ? B_IN_BASE : 0;
	if (n == NULL || n->nrrsets == 0) {
		return o;
	}
	/* in reverse, so that the list is in type order */
	for (uint16_t t = n->nrrsets; t-- > 0;) {
		const struct dz_rrset *r = &n->rrsets[t];
		struct b_set *s = rrset_new(&e->b, o, r->type, r->ttl);
		if (s == NULL) {
			return NULL;
		}
		s->merged = (r->flags & DZ_RRSET_F_MERGED) != 0;
		for (uint16_t i = r->count; i-- > 0;) {
			if (rr_link(&e->b, o, s, r->rr[i]) != 0) {
				return NULL;
			}
		}
	}
	return o;
}

static uint32_t rec_hash(const uint8_t *owner, size_t len, uint16_t type,
			 const uint8_t *rr)
{
	uint32_t h = 2166136261u;
	size_t rdlen = (size_t)dz_wire_get_u16(rr) + 2;

	for (size_t i = 0; i < len; i++) {
		h = (h ^ owner[i]) * 16777619u;
	}
	h = (h ^ (type >> 8)) * 16777619u;
	h = (h ^ (type & 0xff)) * 16777619u;
	for (size_t i = 0; i < rdlen; i++) {
		h = (h ^ rr[i]) * 16777619u;
	}
	return h;
}

static bool rec_eq(const struct e_rec *x, const uint8_t *owner, size_t len,
		   uint16_t type, uint32_t ttl, const uint8_t *rr)
{
	size_t rdlen = (size_t)dz_wire_get_u16(rr) + 2;

	return x->r.type == type && x->r.ttl == ttl &&
	       dz_dname_len(x->r.owner) == len &&
	       memcmp(x->r.owner, owner, len) == 0 &&
	       memcmp(x->r.rr, rr, rdlen) == 0;
}

static int rec_push(struct e_rec **v, size_t *n, size_t *cap,
		    const uint8_t *owner, const uint8_t *rr, uint32_t ttl,
		    uint16_t type, uint32_t hash)
{
	if (grow((void **)v, cap, *n + 1, sizeof(**v)) != 0) {
		return DZ_ENOMEM;
	}
	(*v)[(*n)++] = (struct e_rec){
		.r = { .owner = owner, .rr = rr, .ttl = ttl, .type = type },
		.hash = hash,
	};
	return 0;
}

static void dtab_put(size_t *t, size_t mask, const struct e_rec *v, size_t k)
{
	size_t i = v[k].hash & mask;

	while (t[i] != 0) {
		i = (i + 1) & mask;
	}
	t[i] = k + 1;
}

/* Note a removed RR (rr points into the base zone). */
static int note_del(struct dz_zone_edit *e, const uint8_t *owner,
		    size_t len, uint16_t type, uint32_t ttl, const uint8_t *rr)
{
	uint32_t h = rec_hash(owner, len, type, rr);

	if ((e->ndels + 1) * 2 > e->dmask + 1) {
		size_t mask = e->dmask * 2 + 1;
		size_t *t = calloc(mask + 1, sizeof(*t));
		if (t == NULL) {
			return DZ_ENOMEM;
		}
		for (size_t k = 0; k < e->ndels; k++) {
			dtab_put(t, mask, e->dels, k);
		}
		free(e->dtab);
		e->dtab = t;
		e->dmask = mask;
	}
	if (rec_push(&e->dels, &e->ndels, &e->cdels, owner, rr, ttl, type,
		     h) != 0) {
		return DZ_ENOMEM;
	}
	dtab_put(e->dtab, e->dmask, e->dels, e->ndels - 1);
	e->live_dels++;
	return 0;
}

/* Note an added RR, or cancel the removal of the same one. */
static int note_add(struct dz_zone_edit *e, const uint8_t *owner,
		    size_t len, uint16_t type, uint32_t ttl, const uint8_t *rr)
{
	uint32_t h = rec_hash(owner, len, type, rr);

	for (size_t i = h & e->dmask; e->dtab[i] != 0;
	     i = (i + 1) & e->dmask) {
		struct e_rec *d = &e->dels[e->dtab[i] - 1];
		if (!d->dead && d->hash == h &&
		    rec_eq(d, owner, len, type, ttl, rr)) {
			d->dead = true;
			e->live_dels--;
			return 0;
		}
	}
	if (rec_push(&e->adds, &e->nadds, &e->cadds, owner, rr, ttl, type,
		     h) != 0) {
		return DZ_ENOMEM;
	}
	e->live_adds++;
	return 0;
}

int dz_zone_edit_del(struct dz_zone_edit *e, const uint8_t *owner,
		     uint16_t type, uint32_t ttl, const uint8_t *rdata,
		     uint16_t rdlen)
{
	uint8_t lname[DZ_DNAME_MAX + 1];
	size_t len;
	uint32_t l = 0, prev = 0;
	struct b_owner *o;
	struct b_set *s;
	int rc = 0;

	if (e->dead || e->adding) {
		e->dead = true; /* removes come first (zone.h) */
		return DZ_EAGAIN;
	}
	if (!owner_norm(&e->b, owner, lname, &len)) {
		return DZ_ENOENT;
	}
	o = stage(e, lname, len, false, &rc);
	if (o == NULL) {
		e->dead = rc != DZ_ENOENT;
		return rc;
	}
	s = rrset_find(&e->b, o, type);
	if (s == NULL || (l = rr_find(&e->b, s, rdata, rdlen, &prev)) == 0) {
		return DZ_ENOENT;
	}
	/* where the builder merged, which RR came from where is lost */
	if (type == T_CNAME || type == T_NS || s->merged || s->ttl != ttl) {
		e->dead = true;
		return DZ_EAGAIN;
	}
	if (note_del(e, o->name, len, type, ttl, rr_at(&e->b, l)->rd) != 0) {
		e->dead = true;
		return DZ_ENOMEM;
	}
	if (prev != 0) {
		rr_at(&e->b, prev)->next = rr_at(&e->b, l)->next;
	} else {
		s->rrs = rr_at(&e->b, l)->next;
	}
	o->bytes -= (uint32_t)rr_bytes(s, rr_at(&e->b, l)->rd);
	s->count--;
	o->flags |= B_DIRTY;
	e->b.nrr--;
	return 0;
}

/* The RRset of type at o, made when missing; NULL on OOM. */
static struct b_set *rrset_get(struct dz_zone_builder *b, struct b_owner *o,
			       uint16_t type)
{
	struct b_set *s = rrset_find(b, o, type);

	return s != NULL ? s : rrset_new(b, o, type, 0);
}

static int edit_add(struct dz_zone_edit *e, const uint8_t *owner,
		    uint16_t type, uint32_t ttl, const uint8_t *rdata,
		    uint16_t rdlen)
{
	uint8_t lname[DZ_DNAME_MAX + 1];
	size_t len;
	struct b_owner *o;
	struct b_set *s;
	const uint8_t *rr;
	int rc = 0;

	if (!owner_norm(&e->b, owner, lname, &len)) {
		return DZ_EINVAL;
	}
	if (type == T_CNAME || type == T_NS) {
		return DZ_EAGAIN;
	}
	o = stage(e, lname, len, true, &rc);
	if (o == NULL) {
		return rc;
	}
	if (rrset_find(&e->b, o, T_CNAME) != NULL) {
		return DZ_EAGAIN;
	}
	s = rrset_get(&e->b, o, type);
	if (s == NULL) {
		return DZ_ENOMEM;
	}
	if (s->count == 0) {
		s->ttl = ttl; /* new, or emptied by removes */
		s->merged = false;
	} else if (s->ttl != ttl || s->count >= UINT16_MAX ||
		   rr_find(&e->b, s, rdata, rdlen, NULL) != 0) {
		return DZ_EAGAIN; /* the builder would merge them */
	}
	if (rr_append(&e->b, o, s, rdata, rdlen, &rr) != 0) {
		return DZ_ENOMEM;
	}
	o->flags |= B_DIRTY;
	return note_add(e, o->name, len, type, ttl, rr);
}

int dz_zone_edit_add(struct dz_zone_edit *e, const uint8_t *owner,
		     uint16_t type, uint32_t ttl, const uint8_t *rdata,
		     uint16_t rdlen)
{
	int rc;

	if (e->dead) {
		return DZ_EAGAIN;
	}
	e->adding = true;
	rc = edit_add(e, owner, type, ttl, rdata, rdlen);
	if (rc != 0) {
		e->dead = true;
	}
	return rc;
}

void dz_zone_edit_count(const struct dz_zone_edit *e, size_t *removed,
			size_t *added)
{
	if (removed != NULL) {
		*removed = e->live_dels;
	}
	if (added != NULL) {
		*added = e->live_adds;
	}
}

/* ---- finishing an edit: the new zone ------------------------------------ */

/* The new zone while it is made; its directories malloc'd once written. */
struct fin {
	struct dz_zone *z;
	struct dz_arena *a;
	struct dz_node **ndir;  /* NULL: still the base's */
	uint8_t *nown;          /* per node page: ours to write */
	size_t nnp, cnp;        /* node pages, room in ndir */
	struct dz_slot **sdir;  /* NULL: still the base's */
	uint8_t *sown;
	size_t nsp;
	size_t garbage;         /* of older generations, replaced */
};

static size_t slots_per_page(const struct dz_zone *z)
{
	size_t size = (size_t)z->mask + 1;

	return size < DZ_SLOT_PAGE ? size : DZ_SLOT_PAGE;
}

/* Node page p's room for nodes. */
static size_t npage_cap(const struct fin *f, size_t p)
{
	size_t c = f->z->ncap - p * DZ_NODE_PAGE;

	return c < DZ_NODE_PAGE ? c : DZ_NODE_PAGE;
}

static int ndir_own(struct fin *f)
{
	if (f->ndir != NULL) {
		return 0;
	}
	f->cnp = f->nnp + 4;
	f->ndir = malloc(f->cnp * sizeof(*f->ndir));
	f->nown = calloc(f->cnp, 1);
	if (f->ndir == NULL || f->nown == NULL) {
		return DZ_ENOMEM;
	}
	memcpy(f->ndir, f->z->nodes, f->nnp * sizeof(*f->ndir));
	f->z->nodes = (const struct dz_node *const *)f->ndir;
	f->garbage += f->nnp * sizeof(*f->ndir);
	return 0;
}

/*
 * Node page p (p <= the number of pages) made ours, with room for need
 * nodes: a copy, grown when it is the last page and too small (small
 * zones stay small). NULL on OOM.
 */
static struct dz_node *npage_w(struct fin *f, size_t p, size_t need)
{
	size_t cap = p < f->nnp ? npage_cap(f, p) : 0, ncap = cap;
	struct dz_node *pg;
	uint8_t *raw;

	if (ndir_own(f) != 0) {
		return NULL;
	}
	if (p < f->nnp && f->nown[p] && need <= cap) {
		return f->ndir[p];
	}
	if (need > cap) {
		ncap = cap * 2 > 16 ? cap * 2 : 16;
		ncap = ncap < need ? need : ncap;
		ncap = ncap < DZ_NODE_PAGE ? ncap : DZ_NODE_PAGE;
	}
	if (p == f->nnp && f->nnp == f->cnp) {
		size_t n = f->cnp * 2;
		void *d = realloc(f->ndir, n * sizeof(*f->ndir));
		void *o = d != NULL ? realloc(f->nown, n) : NULL;
		if (d != NULL) {
			f->ndir = d;
		}
		if (o == NULL) {
			return NULL;
		}
		f->nown = o;
		memset(f->nown + f->cnp, 0, n - f->cnp);
		f->cnp = n;
		f->z->nodes = (const struct dz_node *const *)f->ndir;
	}
	raw = dz_arena_alloc_raw(f->a, ncap * sizeof(*pg) + 63);
	if (raw == NULL) {
		return NULL;
	}
	pg = (struct dz_node *)(void *)(raw + (-(uintptr_t)raw & 63));
	if (cap > 0) {
		memcpy(pg, f->ndir[p], cap * sizeof(*pg));
	}
	memset(pg + cap, 0, (ncap - cap) * sizeof(*pg));
	f->garbage += cap * sizeof(*pg);
	if (p == f->nnp) {
		f->nnp++;
	}
	if (ncap != cap) {
		f->z->ncap = p * DZ_NODE_PAGE + ncap; /* p is the last page */
	}
	f->ndir[p] = pg;
	f->nown[p] = 1;
	return pg;
}

/* Node k made writable (k <= nnodes: the next one is room made). */
static struct dz_node *node_w(struct fin *f, size_t k)
{
	size_t off = k & (DZ_NODE_PAGE - 1);
	struct dz_node *pg = npage_w(f, k >> DZ_NODE_PAGE_SHIFT, off + 1);

	return pg != NULL ? &pg[off] : NULL;
}

/* Slot i made writable. NULL on OOM. */
static struct dz_slot *slot_w(struct fin *f, size_t i)
{
	size_t p = i >> DZ_SLOT_PAGE_SHIFT, per = slots_per_page(f->z);
	struct dz_slot *pg;

	if (f->sdir == NULL) {
		f->nsp = ((size_t)f->z->mask + 1) / per;
		f->sdir = malloc(f->nsp * sizeof(*f->sdir));
		f->sown = calloc(f->nsp, 1);
		if (f->sdir == NULL || f->sown == NULL) {
			return NULL;
		}
		memcpy(f->sdir, f->z->slots, f->nsp * sizeof(*f->sdir));
		f->z->slots = (const struct dz_slot *const *)f->sdir;
		f->garbage += f->nsp * sizeof(*f->sdir);
	}
	if (!f->sown[p]) {
		pg = dz_arena_alloc_raw(f->a, per * sizeof(*pg));
		if (pg == NULL) {
			return NULL;
		}
		memcpy(pg, f->sdir[p], per * sizeof(*pg));
		f->garbage += per * sizeof(*pg);
		f->sdir[p] = pg;
		f->sown[p] = 1;
	}
	return &f->sdir[p][i & (DZ_SLOT_PAGE - 1)];
}

/* The index of the node of a lower-case name in the zone, if any. */
static bool node_idx(const struct dz_zone *z, const uint8_t *lname,
		     size_t len, uint32_t h, size_t *k)
{
	for (size_t i = h & z->mask;; i = (i + 1) & z->mask) {
		const struct dz_slot *s = slot_at(z, i);
		if (s->node == 0) {
			return false;
		}
		const struct dz_node *n = node_at(z, s->node - 1);
		if (s->hash == h && n->name_len == len &&
		    memcmp(n->name, lname, len) == 0) {
			*k = s->node - 1;
			return true;
		}
	}
}

/* The slot that holds node k (it is indexed). */
static size_t slot_of(const struct dz_zone *z, size_t k)
{
	size_t i = node_at(z, k)->hash & z->mask;

	while (slot_at(z, i)->node != k + 1) {
		i = (i + 1) & z->mask;
	}
	return i;
}

static int slot_put(struct fin *f, uint32_t h, size_t k)
{
	size_t i = h & f->z->mask;
	struct dz_slot *s;

	while (slot_at(f->z, i)->node != 0) {
		i = (i + 1) & f->z->mask;
	}
	s = slot_w(f, i);
	if (s == NULL) {
		return DZ_ENOMEM;
	}
	s->hash = h;
	s->node = (uint32_t)(k + 1);
	return 0;
}

/* Empty slot i, moving later slots of its cluster back (no tombstones). */
static int slot_drop(struct fin *f, size_t i)
{
	size_t mask = f->z->mask, j = i;
	struct dz_slot *d;

	for (;;) {
		j = (j + 1) & mask;
		const struct dz_slot *s = slot_at(f->z, j);
		if (s->node == 0) {
			break;
		}
		size_t home = s->hash & mask;
		if (i <= j ? home > i && home <= j : home > i || home <= j) {
			continue; /* probing for it never passes i */
		}
		struct dz_slot v = *s;
		if ((d = slot_w(f, i)) == NULL) {
			return DZ_ENOMEM;
		}
		*d = v;
		i = j;
	}
	if ((d = slot_w(f, i)) == NULL) {
		return DZ_ENOMEM;
	}
	d->hash = 0;
	d->node = 0;
	return 0;
}

/* Double the name index (every slot page new): rare, O(zone). */
static int rehash(struct fin *f)
{
	struct dz_zone *z = f->z;
	size_t size = ((size_t)z->mask + 1) * 2, per, nsp;
	struct dz_slot **dir;
	uint8_t *own;

	per = size < DZ_SLOT_PAGE ? size : DZ_SLOT_PAGE;
	nsp = size / per;
	dir = malloc(nsp * sizeof(*dir));
	own = malloc(nsp);
	if (dir == NULL || own == NULL) {
		free(dir);
		free(own);
		return DZ_ENOMEM;
	}
	memset(own, 1, nsp);
	for (size_t p = 0; p < nsp; p++) {
		if ((dir[p] = dz_arena_alloc(f->a, per * sizeof(**dir))) ==
		    NULL) {
			free(dir);
			free(own);
			return DZ_ENOMEM;
		}
	}
	f->garbage += (size / 2) * sizeof(**dir);
	if (f->sdir == NULL) { /* the base's directory */
		f->garbage += size / 2 / slots_per_page(z) * sizeof(*dir);
	}
	free(f->sdir);
	free(f->sown);
	f->sdir = dir;
	f->sown = own;
	f->nsp = nsp;
	z->slots = (const struct dz_slot *const *)dir;
	z->mask = (uint32_t)(size - 1);
	for (size_t k = 0; k < z->nnodes; k++) {
		if (slot_put(f, node_at(z, k)->hash, k) != 0) {
			return DZ_ENOMEM;
		}
	}
	return 0;
}

/*
 * The index of the node of a lower-case name (in the edit's arena, so
 * the node may point into it), made with the missing nodes above it as
 * a build makes them: empty non-terminals, flags, counts of children.
 */
static int node_make_edit(struct fin *f, const uint8_t *lname, size_t len,
			  size_t *idx)
{
	struct dz_zone *z = f->z;
	uint32_t h = dz_name_hash(lname, len);
	size_t rel = len - z->origin_len, pk, k;
	struct dz_node *n, *p;
	int rc;

	if (node_idx(z, lname, len, h, idx)) {
		return 0;
	}
	/* not the apex (it exists), so there is a parent */
	rc = node_make_edit(f, lname + lname[0] + 1, len - lname[0] - 1u, &pk);
	if (rc != 0) {
		return rc;
	}
	if ((z->nnodes + 1) * 2 > (size_t)z->mask + 1 && rehash(f) != 0) {
		return DZ_ENOMEM;
	}
	k = z->nnodes;
	if ((n = node_w(f, k)) == NULL || (p = node_w(f, pk)) == NULL) {
		return DZ_ENOMEM;
	}
	memset(n, 0, sizeof(*n));
	n->name = lname;
	n->name_len = (uint8_t)len;
	n->labels = (uint8_t)dz_dname_labels(lname);
	n->hash = h;
	n->flags = DZ_NODE_F_ENT;
	if (rel <= DZ_NODE_REL) {
		memcpy(n->rel, lname, rel);
	}
	p->nchild++;
	if (lname[0] == 1 && lname[1] == '*') {
		n->flags |= DZ_NODE_F_WILDCARD;
		p->flags |= DZ_NODE_F_WILD_PARENT;
		z->flags |= DZ_ZONE_F_WILD;
		z->nwild++;
	}
	if (!(p->flags & DZ_NODE_F_APEX) &&
	    (p->flags & (DZ_NODE_F_DELEG | DZ_NODE_F_OCCLUDED))) {
		n->flags |= DZ_NODE_F_OCCLUDED;
	}
	if (slot_put(f, h, k) != 0) {
		return DZ_ENOMEM;
	}
	z->nnodes++;
	/* a target may have appeared: links say it is not there */
	z->flags &= ~(uint32_t)DZ_ZONE_F_LINKS;
	*idx = k;
	return 0;
}

/*
 * Remove node k, an empty non-terminal with nothing below (the last
 * node moves into its place), then its parent when that is left so.
 */
static int node_drop(struct fin *f, size_t k)
{
	struct dz_zone *z = f->z;

	for (;;) {
		const struct dz_node *n = node_at(z, k);
		const uint8_t *pname = n->name + n->name[0] + 1;
		size_t plen = n->name_len - n->name[0] - 1u, pk;
		size_t last = z->nnodes - 1;
		bool wild = (n->flags & DZ_NODE_F_WILDCARD) != 0;
		struct dz_node *d, *p;
		struct dz_slot *s;

		if (slot_drop(f, slot_of(z, k)) != 0) {
			return DZ_ENOMEM;
		}
		if (k != last) {
			size_t i = slot_of(z, last);
			if ((d = node_w(f, k)) == NULL ||
			    (s = slot_w(f, i)) == NULL) {
				return DZ_ENOMEM;
			}
			*d = *node_at(z, last);
			s->node = (uint32_t)(k + 1);
		}
		z->nnodes--;
		/* the last node moved: links to it are wrong */
		z->flags &= ~(uint32_t)DZ_ZONE_F_LINKS;
		if (!node_idx(z, pname, plen, dz_name_hash(pname, plen),
			      &pk) || (p = node_w(f, pk)) == NULL) {
			return DZ_ENOMEM; /* cannot be: every parent is */
		}
		p->nchild--;
		if (wild) {
			p->flags &= (uint16_t)~DZ_NODE_F_WILD_PARENT;
			if (--z->nwild == 0) {
				z->flags &= ~(uint32_t)DZ_ZONE_F_WILD;
			}
		}
		if (p->nchild > 0 || p->nrrsets > 0 ||
		    (p->flags & DZ_NODE_F_APEX)) {
			return 0;
		}
		k = pk;
	}
}

/* Octets of a node's block (its RRsets, pointers, groups, rdata). */
static size_t block_size(const struct dz_node *n)
{
	size_t size = n->nrrsets * sizeof(struct dz_rrset);

	for (uint16_t t = 0; t < n->nrrsets; t++) {
		const struct dz_rrset *r = &n->rrsets[t];
		size += r->count * (sizeof(*r->rr) +
				    (r->group != NULL ? sizeof(*r->group) : 0) +
				    (r->flags & DZ_RRSET_F_LINKS ? 4 : 0));
		for (uint16_t i = 0; i < r->count; i++) {
			size += (size_t)dz_wire_get_u16(r->rr[i]) + 2;
		}
	}
	return size;
}

/* Unlink the emptied RRsets of o; the most RRs one of the others has. */
static size_t owner_compact(const struct dz_zone_builder *b,
			    struct b_owner *o)
{
	size_t most = 1;
	uint32_t *at = &o->sets;

	while (*at != 0) {
		struct b_set *s = set_at(b, *at);
		if (s->count == 0) {
			*at = s->next;
			o->nsets--;
			o->bytes -= (uint32_t)sizeof(struct dz_rrset);
			continue;
		}
		most = s->count > most ? s->count : most;
		at = &s->next;
	}
	return most;
}

/* A touched owner's node: made, given its new block, or left empty. */
static int owner_apply(struct fin *f, const struct dz_zone_builder *b,
		       struct b_owner *o, const uint8_t **tmp)
{
	struct dz_node *n;
	size_t k;
	int rc;

	if (!node_idx(f->z, o->name, o->len, o->hash, &k)) {
		if (o->nsets == 0) {
			return 0;
		}
		if ((rc = node_make_edit(f, o->name, o->len, &k)) != 0) {
			return rc;
		}
	}
	if ((n = node_w(f, k)) == NULL) {
		return DZ_ENOMEM;
	}
	f->garbage += block_size(n);
	n->rrsets = NULL;
	n->nrrsets = 0;
	n->flags |= DZ_NODE_F_ENT;
	n->flags &= (uint16_t)~DZ_NODE_F_LINKS;
	if (o->nsets > 0) {
		if (node_rrsets(f->a, n, b, o, tmp) != 0) {
			return DZ_ENOMEM;
		}
		n->flags &= (uint16_t)~DZ_NODE_F_ENT;
	}
	return 0;
}

/* Make the new zone's nodes from the touched owners. */
static int fin_nodes(struct fin *f, struct dz_zone_builder *b)
{
	const uint8_t **tmp;
	size_t most = 1, k;
	int rc = 0;

	for (size_t i = 0; i < b->nowners; i++) {
		if (b->owners[i].flags & B_DIRTY) {
			size_t m = owner_compact(b, &b->owners[i]);
			most = m > most ? m : most;
		}
	}
	if ((tmp = malloc(most * sizeof(*tmp))) == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < b->nowners && rc == 0; i++) {
		if (b->owners[i].flags & B_DIRTY) {
			rc = owner_apply(f, b, &b->owners[i], tmp);
		}
	}
	free(tmp);
	if (rc != 0) {
		return rc;
	}
	/* names left empty go once nothing new is below them */
	for (size_t i = 0; i < b->nowners && rc == 0; i++) {
		const struct b_owner *o = &b->owners[i];
		const struct dz_node *n;
		if (!(o->flags & B_DIRTY) || o->nsets > 0 ||
		    !node_idx(f->z, o->name, o->len, o->hash, &k)) {
			continue;
		}
		n = node_at(f->z, k);
		if (n->nchild == 0 && n->nrrsets == 0 &&
		    !(n->flags & DZ_NODE_F_APEX)) {
			rc = node_drop(f, k);
		}
	}
	/* the new blocks' links, while no node was made or dropped: the
	 * old blocks' links stay right */
	for (size_t i = 0; i < b->nowners && rc == 0 &&
	     (f->z->flags & DZ_ZONE_F_LINKS); i++) {
		const struct b_owner *o = &b->owners[i];
		if ((o->flags & B_DIRTY) && o->nsets > 0 &&
		    node_idx(f->z, o->name, o->len, o->hash, &k)) {
			node_links(f->z, node_at(f->z, k));
		}
	}
	return rc;
}

/* The edit's RR lists, kept by the new zone for dz_zone_edit_walk(). */
static int fin_recs(struct fin *f, const struct dz_zone_edit *e)
{
	struct dz_zone *z = f->z;
	struct dz_zone_rec *d, *a;
	size_t nd = 0, na = 0;

	d = dz_arena_alloc_raw(f->a, (e->live_dels + 1) * sizeof(*d));
	a = dz_arena_alloc_raw(f->a, (e->live_adds + 1) * sizeof(*a));
	if (d == NULL || a == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < e->ndels; i++) {
		if (!e->dels[i].dead) {
			d[nd++] = e->dels[i].r;
		}
	}
	for (size_t i = 0; i < e->nadds; i++) {
		a[na++] = e->adds[i].r;
	}
	/* the base's lists are of no use to the new zone */
	if (z->from_id != 0) {
		f->garbage += (z->ndels + z->nadds + 2) * sizeof(*d);
	}
	for (size_t i = 0; i < z->nadds; i++) {
		f->garbage += (size_t)dz_wire_get_u16(z->adds[i].rr) + 2;
	}
	z->dels = d;
	z->ndels = nd;
	z->adds = a;
	z->nadds = na;
	return 0;
}

/* Directories into the arena, apex, SOA. */
static int fin_zone(struct fin *f, const char **err)
{
	struct dz_zone *z = f->z;
	size_t k;

	if (f->ndir != NULL) {
		z->nodes = dz_arena_memdup(f->a, f->ndir,
					   f->nnp * sizeof(*f->ndir));
	}
	if (f->sdir != NULL) {
		z->slots = dz_arena_memdup(f->a, f->sdir,
					   f->nsp * sizeof(*f->sdir));
	}
	if (z->nodes == NULL || z->slots == NULL) {
		*err = "out of memory";
		return DZ_ENOMEM;
	}
	if (!node_idx(z, z->origin, z->origin_len,
		      dz_name_hash(z->origin, z->origin_len), &k)) {
		*err = "no SOA record at the zone apex";
		return DZ_EINVAL;
	}
	z->apex = node_at(z, k);
	if (!zone_soa(z)) {
		*err = "no SOA record at the zone apex";
		return DZ_EINVAL;
	}
	return 0;
}

struct dz_zone *dz_zone_edit_finish(struct dz_zone_edit *e,
				    const char **err)
{
	const struct dz_zone *base = e->base;
	struct fin f = { .a = e->b.arena };
	const char *dummy;
	struct dz_zone *z;
	int rc = DZ_ENOMEM;

	if (err == NULL) {
		err = &dummy;
	}
	*err = "out of memory";
	if (e->dead) {
		*err = "edit failed";
		goto fail;
	}
	z = dz_arena_alloc_raw(f.a, sizeof(*z));
	if (z == NULL) {
		goto fail;
	}
	memcpy(z, base, sizeof(*z)); /* then what is its own */
	f.z = z;
	f.nnp = (base->ncap + DZ_NODE_PAGE - 1) / DZ_NODE_PAGE;
	rc = fin_nodes(&f, &e->b);
	if (rc == 0) {
		rc = fin_recs(&f, e);
	}
	if (rc == 0) {
		rc = fin_zone(&f, err);
	}
	if (rc == 0 && (z->gen = gen_new(f.a, base->gen)) == NULL) {
		*err = "out of memory";
		rc = DZ_ENOMEM;
	}
	free(f.ndir);
	free(f.nown);
	free(f.sdir);
	free(f.sown);
	if (rc != 0) {
		goto fail;
	}
	zone_init(z);
	atomic_init(&z->sorted, NULL);
	z->sorted_malloced = false;
	z->nrr = e->b.nrr;
	z->depth = base->depth + 1;
	z->from_id = base->id;
	z->fingerprint = 0;
	z->content_hash = 0;
	z->garbage = base->garbage + f.garbage;
	z->bytes = base->bytes + dz_arena_used(f.a);
	edit_release(e); /* the arena is the new generation's */
	return z;
fail:
	dz_zone_edit_free(e);
	return NULL;
}

int dz_zone_edit_walk(const struct dz_zone *z, const struct dz_zone *from,
		      dz_zone_rr_fn del, dz_zone_rr_fn add, void *arg)
{
	if (z->from_id == 0 || z->from_id != from->id) {
		return DZ_ENOENT;
	}
	for (size_t i = 0; del != NULL && i < z->ndels; i++) {
		const struct dz_zone_rec *r = &z->dels[i];
		int rc = del(r->owner, r->type, r->ttl, r->rr + 2,
			     dz_wire_get_u16(r->rr), arg);
		if (rc != 0) {
			return rc;
		}
	}
	for (size_t i = 0; add != NULL && i < z->nadds; i++) {
		const struct dz_zone_rec *r = &z->adds[i];
		int rc = add(r->owner, r->type, r->ttl, r->rr + 2,
			     dz_wire_get_u16(r->rr), arg);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

/*
 * A compaction is a build of the zone's own RRs: no manifest is read
 * and no object looked at, so a delta build can make one when the edit
 * chain is too long or holds too much garbage, and go on editing.
 */
struct dz_zone *dz_zone_compact(const struct dz_zone *z)
{
	struct dz_zone_builder *b = dz_zone_builder_new(z->origin);
	struct dz_zone *c;
	const char *err;
	int rc = b != NULL ? 0 : DZ_ENOMEM;

	for (size_t k = 0; k < z->nnodes && rc == 0; k++) {
		const struct dz_node *n = node_at(z, k);
		for (size_t i = 0; i < n->nrrsets && rc == 0; i++) {
			const struct dz_rrset *rs = &n->rrsets[i];
			for (size_t j = 0; j < rs->count && rc == 0; j++) {
				bool conflict;
				rc = dz_zone_builder_add(
					b, n->name, rs->type, rs->ttl,
					rs->rr[j] + 2,
					dz_wire_get_u16(rs->rr[j]), &conflict);
			}
		}
	}
	if (rc != 0) {
		dz_zone_builder_free(b);
		return NULL;
	}
	if ((c = dz_zone_builder_finish(b, &err)) == NULL) {
		return NULL;
	}
	/* What the build knew that the RRs do not say. */
	for (size_t k = 0; k < z->nnodes; k++) {
		const struct dz_node *n = node_at(z, k);
		for (size_t i = 0; i < n->nrrsets; i++) {
			const struct dz_rrset *rs = &n->rrsets[i];
			const struct dz_node *cn;
			if (!(rs->flags & DZ_RRSET_F_MERGED)) {
				continue;
			}
			cn = dz_zone_lookup(c, n->name, n->name_len);
			/* c is not published yet: still ours to write */
			if (cn != NULL) {
				struct dz_rrset *crs = (struct dz_rrset *)
					dz_node_rrset(cn, rs->type);
				if (crs != NULL) {
					crs->flags |= DZ_RRSET_F_MERGED;
				}
			}
		}
	}
	if (dz_zone_set_build_info(c, z->content_hash, z->failed,
				   z->nfailed) != 0) {
		dz_zone_unref(c);
		return NULL;
	}
	c->fingerprint = z->fingerprint;
	/* The same content: an edit of c walks from z, and c from z is
	 * no change at all. */
	c->id = z->id;
	c->from_id = z->id;
	c->ndels = c->nadds = 0;
	return c;
}
