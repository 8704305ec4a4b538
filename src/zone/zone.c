/* SPDX-License-Identifier: MIT */
/* zone.c -- the zone builder and the immutable zone it produces. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plugin.h"
#include "util/arena.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "zone/zone-internal.h"

#define T_SOA 6
#define T_NS 2
#define T_CNAME 5
#define T_PTR 12

static_assert(sizeof(struct dz_node) == 64, "a node is one cache line");

/*
 * Build-time state. Growable arrays come from malloc; the rdata of every
 * RR goes into a scratch arena as "u16 rdlen, rdata", and finish copies
 * it next to its node's RRsets (one or two cache lines per answer).
 */
struct b_rrset {
	uint16_t type;
	uint32_t ttl;
	size_t count, cap;
	const uint8_t **rr; /* arena: u16 rdlen, rdata */
};

struct b_owner {
	uint8_t *name;      /* arena, lower case */
	uint8_t len;
	uint32_t hash;
	size_t ntypes, cap;
	struct b_rrset *types;
};

struct dz_zone_builder {
	struct dz_arena *arena;
	struct dz_arena *rdata; /* scratch, freed by finish */
	uint8_t *origin;    /* arena, lower case */
	uint8_t origin_len;
	unsigned origin_labels;
	struct b_owner *owners;
	size_t nowners, cap;
	size_t *table;      /* owner index + 1; 0 = empty */
	size_t mask;
	size_t nrr;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap) {
		return 0;
	}
	size_t n = *cap ? *cap * 2 : 4;
	while (n < need) {
		n *= 2;
	}
	void *q = realloc(*p, n * size);
	if (q == NULL) {
		return DZ_ENOMEM;
	}
	*p = q;
	*cap = n;
	return 0;
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
	b->mask = 63;
	b->table = calloc(b->mask + 1, sizeof(*b->table));
	if (b->arena == NULL || b->rdata == NULL || b->table == NULL) {
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

/* Free the builder's malloc'd parts; the arena is the caller's business. */
static void builder_release(struct dz_zone_builder *b)
{
	for (size_t i = 0; i < b->nowners; i++) {
		struct b_owner *o = &b->owners[i];
		for (size_t t = 0; t < o->ntypes; t++) {
			free(o->types[t].rr);
		}
		free(o->types);
	}
	free(b->owners);
	free(b->table);
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

static struct b_owner *owner_find(const struct dz_zone_builder *b,
				  const uint8_t *lname, size_t len,
				  uint32_t h, size_t *slot)
{
	size_t i = h & b->mask;

	for (;; i = (i + 1) & b->mask) {
		size_t k = b->table[i];
		if (k == 0) {
			*slot = i;
			return NULL;
		}
		struct b_owner *o = &b->owners[k - 1];
		if (o->hash == h && o->len == len &&
		    memcmp(o->name, lname, len) == 0) {
			*slot = i;
			return o;
		}
	}
}

static int table_grow(struct dz_zone_builder *b)
{
	size_t mask = (b->mask + 1) * 2 - 1;
	size_t *t = calloc(mask + 1, sizeof(*t));

	if (t == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t k = 0; k < b->nowners; k++) {
		size_t i = b->owners[k].hash & mask;
		while (t[i] != 0) {
			i = (i + 1) & mask;
		}
		t[i] = k + 1;
	}
	free(b->table);
	b->table = t;
	b->mask = mask;
	return 0;
}

/* The owner entry for a lower-case name, created when missing. */
static struct b_owner *owner_get(struct dz_zone_builder *b,
				 const uint8_t *lname, size_t len)
{
	uint32_t h = dz_name_hash(lname, len);
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
	if (grow((void **)&b->owners, &b->cap, b->nowners + 1,
		 sizeof(*b->owners)) != 0) {
		return NULL;
	}
	o = &b->owners[b->nowners];
	memset(o, 0, sizeof(*o));
	o->name = dz_arena_memdup(b->arena, lname, len);
	if (o->name == NULL) {
		return NULL;
	}
	o->len = (uint8_t)len;
	o->hash = h;
	b->table[slot] = ++b->nowners;
	return o;
}

static struct b_rrset *rrset_find(const struct b_owner *o, uint16_t type)
{
	for (size_t t = 0; t < o->ntypes; t++) {
		if (o->types[t].type == type) {
			return &o->types[t];
		}
	}
	return NULL;
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

static int rr_append(struct dz_zone_builder *b, struct b_rrset *s,
		     const uint8_t *rdata, uint16_t rdlen)
{
	uint8_t *rr;

	if (grow((void **)&s->rr, &s->cap, s->count + 1, sizeof(*s->rr))) {
		return DZ_ENOMEM;
	}
	rr = dz_arena_alloc_raw(b->rdata, (size_t)rdlen + 2);
	if (rr == NULL) {
		return DZ_ENOMEM;
	}
	dz_wire_set_u16(rr, rdlen);
	if (rdlen > 0) {
		memcpy(rr + 2, rdata, rdlen);
	}
	s->rr[s->count++] = rr;
	b->nrr++;
	return 0;
}

int dz_zone_builder_add(struct dz_zone_builder *b, const uint8_t *owner,
			uint16_t type, uint32_t ttl, const uint8_t *rdata,
			uint16_t rdlen, bool *ttl_conflict)
{
	uint8_t lname[DZ_DNAME_MAX + 1];
	size_t len;
	struct b_owner *o;
	struct b_rrset *s;

	if (ttl_conflict != NULL) {
		*ttl_conflict = false;
	}
	if (!owner_norm(b, owner, lname, &len)) {
		return DZ_EINVAL;
	}
	o = owner_get(b, lname, len);
	if (o == NULL) {
		return DZ_ENOMEM;
	}
	s = rrset_find(o, type);
	if (s == NULL) {
		if (grow((void **)&o->types, &o->cap, o->ntypes + 1,
			 sizeof(*o->types)) != 0) {
			return DZ_ENOMEM;
		}
		s = &o->types[o->ntypes++];
		memset(s, 0, sizeof(*s));
		s->type = type;
		s->ttl = ttl;
	} else if (s->ttl != ttl) {
		if (ttl_conflict != NULL) {
			*ttl_conflict = true;
		}
		if (ttl < s->ttl) {
			s->ttl = ttl;
		}
	}
	for (size_t i = 0; i < s->count; i++) {
		if (dz_wire_get_u16(s->rr[i]) == rdlen &&
		    (rdlen == 0 || memcmp(s->rr[i] + 2, rdata, rdlen) == 0)) {
			return 0; /* identical RR: collapse */
		}
	}
	return rr_append(b, s, rdata, rdlen);
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
	return o != NULL && rrset_find(o, type) != NULL;
}

/* ---- finish -------------------------------------------------------------- */

/* Add an owner entry (no RRsets) for every name between apex and owners. */
static int add_ents(struct dz_zone_builder *b)
{
	size_t n = b->nowners; /* entries added below need no walk */

	for (size_t i = 0; i < n; i++) {
		const uint8_t *name = b->owners[i].name;
		size_t len = b->owners[i].len;
		unsigned labels = dz_dname_labels(name);
		for (; labels > b->origin_labels + 1; labels--) {
			len -= (size_t)name[0] + 1;
			name += name[0] + 1;
			/* name is in the arena: owner_get's realloc of
			 * b->owners does not move it */
			if (owner_get(b, name, len) == NULL) {
				return DZ_ENOMEM;
			}
		}
	}
	return 0;
}

/* Stable merge sort of RR pointers by the kind's compare(). */
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
		const uint8_t *a = v[i], *c = v[j];
		if (k->compare(c + 2, dz_wire_get_u16(c), a + 2,
			       dz_wire_get_u16(a)) < 0) {
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

static void rrset_make(struct dz_rrset *r, const struct b_rrset *s,
		       const uint8_t **tmp, struct carve *c)
{
	const struct dz_kind *k = dz_kind_lookup_type(s->type);
	const uint8_t **rr = (const uint8_t **)(void *)c->ptrs;

	c->ptrs += s->count * sizeof(*rr);
	r->type = s->type;
	r->ttl = s->ttl;
	r->count = (uint16_t)s->count;
	rrset_flags(r, k);
	memcpy(rr, s->rr, s->count * sizeof(*rr));
	if (k != NULL && k->compare != NULL) {
		rr_sort(rr, tmp, s->count, k);
	}
	/* the rdata moves next to the node's RRsets, in answer order */
	for (size_t i = 0; i < s->count; i++) {
		size_t len = (size_t)dz_wire_get_u16(rr[i]) + 2;
		memcpy(c->rd, rr[i], len);
		rr[i] = c->rd;
		c->rd += len;
	}
	r->rr = rr;
	if (rotates(r, k)) {
		rrset_groups(r, rr, k, c);
	}
}

static int type_cmp(const void *a, const void *b)
{
	const struct b_rrset *x = a, *y = b;

	return (int)x->type - (int)y->type;
}

/*
 * One block per node: its RRsets, their RR pointers, rotation groups and
 * rdata, so an answer reads a line or two past the node.
 */
static int node_rrsets(struct dz_zone *z, struct dz_node *n,
		       struct b_owner *o, const uint8_t **tmp)
{
	size_t nptr = 0, ngrp = 0, nrd = 0, size;
	struct dz_rrset *sets;
	struct carve c;

	qsort(o->types, o->ntypes, sizeof(*o->types), type_cmp);
	for (size_t t = 0; t < o->ntypes; t++) {
		const struct b_rrset *s = &o->types[t];
		struct dz_rrset probe = { .type = s->type };
		const struct dz_kind *k = dz_kind_lookup_type(s->type);
		rrset_flags(&probe, k);
		nptr += s->count;
		ngrp += rotates(&probe, k) ? s->count : 0;
		for (size_t i = 0; i < s->count; i++) {
			nrd += (size_t)dz_wire_get_u16(s->rr[i]) + 2;
		}
	}
	size = o->ntypes * sizeof(*sets) + nptr * sizeof(uint8_t *) +
	       ngrp * sizeof(uint16_t) + nrd;
	sets = dz_arena_alloc(z->arena, size);
	if (sets == NULL) {
		return DZ_ENOMEM;
	}
	c.ptrs = (uint8_t *)(sets + o->ntypes);
	c.groups = c.ptrs + nptr * sizeof(uint8_t *);
	c.rd = c.groups + ngrp * sizeof(uint16_t);
	for (size_t t = 0; t < o->ntypes; t++) {
		rrset_make(&sets[t], &o->types[t], tmp, &c);
	}
	n->rrsets = sets;
	return 0;
}

static int node_make(struct dz_zone *z, struct dz_node *n,
		     struct b_owner *o, const uint8_t **tmp)
{
	size_t rel = (size_t)o->len - z->origin_len;

	if (o->ntypes > 0 && node_rrsets(z, n, o, tmp) != 0) {
		return DZ_ENOMEM;
	}
	n->name = o->name;
	n->name_len = o->len;
	n->labels = (uint8_t)dz_dname_labels(o->name);
	n->hash = o->hash;
	n->nrrsets = (uint16_t)o->ntypes;
	if (rel <= DZ_NODE_REL) {
		memcpy(n->rel, o->name, rel);
	}
	if (o->ntypes == 0) {
		n->flags |= DZ_NODE_F_ENT;
	}
	if (o->len == z->origin_len) {
		n->flags |= DZ_NODE_F_APEX;
		z->apex = n;
	}
	return 0;
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
	uint32_t node;
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

/* Sort s (every node of z) in canonical order. */
static int sort_canonical(const struct dz_zone *z, const struct dz_node **s,
			  struct dz_node *nodes)
{
	struct skey *k = malloc((z->nnodes + 1) * sizeof(*k));
	uint8_t *buf = NULL;
	size_t total = 0, at = 0;

	for (size_t i = 0; i < z->nnodes; i++) {
		total += nodes[i].name_len;
	}
	if (k == NULL || (buf = malloc(total + 8)) == NULL) {
		free(k);
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < z->nnodes; i++) {
		size_t len = skey_make(&nodes[i], z->origin_len, buf + at);
		uint8_t pad[8] = { 0 };
		if (len == 0 && nodes[i].name_len != z->origin_len) {
			/* a 0 octet in a label: the slow, exact way */
			free(k);
			free(buf);
			qsort(s, z->nnodes, sizeof(*s), node_cmp);
			return 0;
		}
		memcpy(pad, buf + at, len < 8 ? len : 8);
		k[i].pre = (uint64_t)pad[0] << 56 | (uint64_t)pad[1] << 48 |
			   (uint64_t)pad[2] << 40 | (uint64_t)pad[3] << 32 |
			   (uint64_t)pad[4] << 24 | (uint64_t)pad[5] << 16 |
			   (uint64_t)pad[6] << 8 | pad[7];
		k[i].key = buf + at;
		k[i].len = (uint32_t)len;
		k[i].node = (uint32_t)i;
		at += len;
	}
	qsort(k, z->nnodes, sizeof(*k), skey_cmp);
	for (size_t i = 0; i < z->nnodes; i++) {
		s[i] = &nodes[k[i].node];
	}
	free(k);
	free(buf);
	return 0;
}

static int zone_index(struct dz_zone *z, struct dz_node *nodes)
{
	size_t size = 16;
	struct dz_slot *t;
	const struct dz_node **s;

	while (size < z->nnodes * 2) {
		size *= 2;
	}
	t = dz_arena_alloc(z->arena, size * sizeof(*t));
	s = dz_arena_alloc(z->arena, z->nnodes * sizeof(*s));
	if (t == NULL || s == NULL) {
		return DZ_ENOMEM;
	}
	z->mask = (uint32_t)(size - 1);
	for (size_t k = 0; k < z->nnodes; k++) {
		size_t i = nodes[k].hash & z->mask;
		while (t[i].node != 0) {
			i = (i + 1) & z->mask;
		}
		t[i].hash = nodes[k].hash;
		t[i].node = (uint32_t)(k + 1);
		s[k] = &nodes[k];
	}
	if (sort_canonical(z, s, nodes) != 0) {
		return DZ_ENOMEM;
	}
	z->table = t;
	z->nodes = nodes;
	z->sorted = s;
	return 0;
}

/* The node one label up (it exists: add_ents made every ancestor). */
static struct dz_node *parent_of(struct dz_zone *z, const struct dz_node *n)
{
	const uint8_t *p = n->name + n->name[0] + 1;

	return (struct dz_node *)dz_zone_lookup(z, p,
						n->name_len - n->name[0] - 1u);
}

/*
 * Zone cuts and wildcards, for the query path: DZ_NODE_F_DELEG on every
 * non-apex node with NS, DZ_NODE_F_OCCLUDED on every node below one,
 * DZ_NODE_F_WILD_PARENT on the parent of each "*" node.
 */
static void zone_mark(struct dz_zone *z, struct dz_node *nodes)
{
	for (size_t k = 0; k < z->nnodes; k++) {
		struct dz_node *n = &nodes[k];
		if (!(n->flags & DZ_NODE_F_APEX) &&
		    dz_node_rrset(n, T_NS) != NULL) {
			n->flags |= DZ_NODE_F_DELEG;
			z->flags |= DZ_ZONE_F_DELEG;
		}
	}
	for (size_t k = 0; k < z->nnodes; k++) {
		struct dz_node *n = &nodes[k], *p = n;
		if (n->flags & DZ_NODE_F_APEX) {
			continue;
		}
		if (n->name[0] == 1 && n->name[1] == '*') {
			n->flags |= DZ_NODE_F_WILDCARD;
			z->flags |= DZ_ZONE_F_WILD;
			parent_of(z, n)->flags |= DZ_NODE_F_WILD_PARENT;
		}
		while (z->flags & DZ_ZONE_F_DELEG) {
			p = parent_of(z, p);
			if (p->flags & DZ_NODE_F_APEX) {
				break;
			}
			if (p->flags & DZ_NODE_F_DELEG) {
				n->flags |= DZ_NODE_F_OCCLUDED;
				break;
			}
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

static struct dz_zone *zone_assemble(struct dz_zone_builder *b,
				     const char **err)
{
	struct dz_zone *z = dz_arena_alloc(b->arena, sizeof(*z));
	struct dz_node *nodes;
	uint8_t *raw;
	const uint8_t **tmp = NULL;
	size_t maxrr = 1;

	if (z == NULL || add_ents(b) != 0) {
		goto oom;
	}
	z->arena = b->arena;
	z->origin = b->origin;
	z->origin_len = b->origin_len;
	z->origin_labels = (uint8_t)b->origin_labels;
	z->nrr = b->nrr;
	z->nnodes = b->nowners;
	for (size_t i = 0; i < b->nowners; i++) {
		for (size_t t = 0; t < b->owners[i].ntypes; t++) {
			if (b->owners[i].types[t].count > maxrr) {
				maxrr = b->owners[i].types[t].count;
			}
		}
	}
	/* one cache line each */
	raw = dz_arena_alloc(b->arena, (z->nnodes + 1) * sizeof(*nodes) + 63);
	tmp = malloc(maxrr * sizeof(*tmp));
	if (raw == NULL || tmp == NULL) {
		goto oom;
	}
	nodes = (struct dz_node *)(void *)(raw + (-(uintptr_t)raw & 63));
	for (size_t i = 0; i < b->nowners; i++) {
		if (node_make(z, &nodes[i], &b->owners[i], tmp) != 0) {
			goto oom;
		}
	}
	free(tmp);
	tmp = NULL;
	if (z->apex == NULL || !zone_soa(z)) {
		*err = "no SOA record at the zone apex";
		return NULL;
	}
	if (zone_index(z, nodes) != 0) {
		goto oom;
	}
	zone_mark(z, nodes);
	atomic_init(&z->refs, 1);
	return z;
oom:
	free(tmp);
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
		dz_arena_free(z->arena); /* z itself lives in it */
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

int dz_zone_walk(const struct dz_zone *z, dz_zone_rr_fn cb, void *arg)
{
	for (size_t k = 0; k < z->nnodes; k++) {
		const struct dz_node *n = z->sorted[k];
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
