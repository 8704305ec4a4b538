/* SPDX-License-Identifier: MIT */
/* test_zone_edit.c -- editing a zone in place against building it anew. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/dname.h"
#include "util/errcode.h"
#include "util/wire.h"
#include "zone/zone-internal.h"

enum { T_A = 1, T_NS = 2, T_CNAME = 5, T_SOA = 6, T_MX = 15, T_TXT = 16,
       T_AAAA = 28 };

/* ---- RRs and the model: the RR list a zone is built from, in order ---- */

struct rr {
	uint8_t owner[DZ_DNAME_MAX + 1];
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t rdata[300];
};

struct model {
	struct rr *v;
	size_t n, cap;
};

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static size_t wname(const char *text, uint8_t *out)
{
	size_t len;
	const char *why;

	assert_int_equal(dz_dname_from_text(text, strlen(text), NULL, out,
					    &len, NULL, &why), 0);
	return len;
}

static struct rr mk(const char *owner, uint16_t type, uint32_t ttl)
{
	struct rr r;

	memset(&r, 0, sizeof(r));
	wname(owner, r.owner);
	r.type = type;
	r.ttl = ttl;
	return r;
}

static void set_u32(uint8_t *p, uint32_t v)
{
	dz_wire_set_u16(p, (uint16_t)(v >> 16));
	dz_wire_set_u16(p + 2, (uint16_t)v);
}

static struct rr mk_soa(uint32_t serial, uint32_t ttl, uint32_t minimum)
{
	struct rr r = mk("example.com.", T_SOA, ttl);
	size_t l = wname("ns1.example.com.", r.rdata);

	l += wname("hostmaster.example.com.", r.rdata + l);
	set_u32(r.rdata + l, serial);
	set_u32(r.rdata + l + 4, 7200);
	set_u32(r.rdata + l + 8, 900);
	set_u32(r.rdata + l + 12, 1209600);
	set_u32(r.rdata + l + 16, minimum);
	r.rdlen = (uint16_t)(l + 20);
	return r;
}

static struct rr mk_name(const char *owner, uint16_t type, const char *target)
{
	struct rr r = mk(owner, type, 3600);

	r.rdlen = (uint16_t)wname(target, r.rdata);
	return r;
}

static struct rr mk_a(const char *owner, uint8_t last)
{
	struct rr r = mk(owner, T_A, 300);

	r.rdata[0] = 127;
	r.rdata[3] = last;
	r.rdlen = 4;
	return r;
}

static bool rr_eq(const struct rr *a, const struct rr *b)
{
	return a->type == b->type && a->rdlen == b->rdlen &&
	       dz_dname_equal(a->owner, b->owner) &&
	       memcmp(a->rdata, b->rdata, a->rdlen) == 0;
}

static void m_push(struct model *m, const struct rr *r)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		assert_non_null(m->v);
	}
	m->v[m->n++] = *r;
}

static long m_find(const struct model *m, const struct rr *r)
{
	for (size_t i = 0; i < m->n; i++) {
		if (rr_eq(&m->v[i], r)) {
			return (long)i;
		}
	}
	return -1;
}

static void m_del(struct model *m, size_t i)
{
	memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
	m->n--;
}

static struct model m_copy(const struct model *m)
{
	struct model c = { .n = m->n, .cap = m->n + 1 };

	c.v = malloc(c.cap * sizeof(*c.v));
	assert_non_null(c.v);
	memcpy(c.v, m->v, m->n * sizeof(*m->v));
	return c;
}

/* The same RRs in another order: the zone must not change. */
static struct model m_shuffled(const struct model *m)
{
	struct model c = m_copy(m);

	for (size_t i = c.n; i > 1; i--) {
		size_t j = rnd((uint32_t)i);
		struct rr t = c.v[i - 1];
		c.v[i - 1] = c.v[j];
		c.v[j] = t;
	}
	return c;
}

static struct dz_zone *build(const struct model *m)
{
	uint8_t origin[DZ_DNAME_MAX];
	struct dz_zone_builder *b;
	const char *err = NULL;
	struct dz_zone *z;

	wname("example.com.", origin);
	b = dz_zone_builder_new(origin);
	assert_non_null(b);
	for (size_t i = 0; i < m->n; i++) {
		const struct rr *r = &m->v[i];
		assert_int_equal(dz_zone_builder_add(b, r->owner, r->type,
						     r->ttl, r->rdata,
						     r->rdlen, NULL), 0);
	}
	z = dz_zone_builder_finish(b, &err);
	assert_non_null(z);
	return z;
}

static int e_del(struct dz_zone_edit *e, const struct rr *r)
{
	return dz_zone_edit_del(e, r->owner, r->type, r->ttl, r->rdata,
				r->rdlen);
}

static int e_add(struct dz_zone_edit *e, const struct rr *r)
{
	return dz_zone_edit_add(e, r->owner, r->type, r->ttl, r->rdata,
				r->rdlen);
}

/* ---- comparing an edited zone with a fresh build ------------------------ */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static int walk_cb(const uint8_t *owner, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	struct buf *b = arg;

	put(b, owner, dz_dname_len(owner));
	put(b, &type, sizeof(type));
	put(b, &ttl, sizeof(ttl));
	put(b, &rdlen, sizeof(rdlen));
	put(b, rdata, rdlen);
	return 0;
}

static void same_rrset(const struct dz_rrset *x, const struct dz_rrset *y)
{
	assert_int_equal(x->type, y->type);
	assert_int_equal(x->ttl, y->ttl);
	assert_int_equal(x->count, y->count);
	assert_int_equal(x->flags & ~(uint32_t)DZ_RRSET_F_MERGED,
			 y->flags & ~(uint32_t)DZ_RRSET_F_MERGED);
	assert_int_equal(x->name_offset, y->name_offset);
	assert_int_equal(x->group == NULL, y->group == NULL);
	for (uint16_t i = 0; i < x->count; i++) {
		uint16_t l = dz_wire_get_u16(x->rr[i]);
		assert_int_equal(l, dz_wire_get_u16(y->rr[i]));
		assert_memory_equal(x->rr[i], y->rr[i], (size_t)l + 2);
		if (x->group != NULL) {
			assert_int_equal(x->group[i], y->group[i]);
		}
	}
}

/* The name of the node a link leads to; "" none, NULL unknown. */
static const uint8_t *link_name(const struct dz_zone *z,
				const struct dz_rrset *rs, size_t i)
{
	uint32_t l = dz_rrset_link(rs, i);

	if (l >= DZ_LINK_NODE) {
		assert_true(l - DZ_LINK_NODE < z->nnodes);
		return dz_zone_node_at(z, l - DZ_LINK_NODE)->name;
	}
	return l == DZ_LINK_NONE ? (const uint8_t *)"" : NULL;
}

/* x's links (an edited zone's) lead where y's do (a fresh one's). */
static void same_links(const struct dz_zone *e, const struct dz_rrset *x,
		       const struct dz_zone *f, const struct dz_rrset *y)
{
	assert_int_equal(x->flags & DZ_RRSET_F_LINKS,
			 y->flags & DZ_RRSET_F_LINKS);
	for (uint16_t i = 0; (x->flags & DZ_RRSET_F_LINKS) && i < x->count;
	     i++) {
		const uint8_t *a = link_name(e, x, i), *b = link_name(f, y, i);
		if (a == NULL || b == NULL) {
			assert_ptr_equal(a, b);
		} else {
			assert_int_equal(dz_dname_len(a), dz_dname_len(b));
			assert_memory_equal(a, b, dz_dname_len(a));
		}
	}
}

/* e (edited) must be what f (fresh) is, seen from every side. */
static void same_zone(const struct dz_zone *e, const struct dz_zone *f)
{
	struct buf be = { 0 }, bf = { 0 };
	const struct dz_node *const *sf = dz_zone_sorted(f);
	const struct dz_node *const *se = dz_zone_sorted(e);

	assert_int_equal(dz_zone_walk(e, walk_cb, &be), 0);
	assert_int_equal(dz_zone_walk(f, walk_cb, &bf), 0);
	assert_int_equal(be.len, bf.len);
	assert_memory_equal(be.p, bf.p, be.len);
	free(be.p);
	free(bf.p);
	assert_int_equal(dz_zone_node_count(e), dz_zone_node_count(f));
	assert_int_equal(dz_zone_rr_count(e), dz_zone_rr_count(f));
	assert_int_equal(dz_zone_serial(e), dz_zone_serial(f));
	assert_int_equal(e->neg_ttl, f->neg_ttl);
	/* an edit that adds or drops nodes drops the links */
	assert_int_equal(e->flags & ~(uint32_t)DZ_ZONE_F_LINKS,
			 f->flags & ~(uint32_t)DZ_ZONE_F_LINKS);
	assert_true(f->flags & DZ_ZONE_F_LINKS);
	assert_int_equal(e->nwild, f->nwild);
	assert_ptr_equal(e->soa, dz_node_rrset(e->apex, T_SOA));
	assert_true(e->apex->flags & DZ_NODE_F_APEX);
	for (size_t k = 0; k < dz_zone_node_count(f); k++) {
		const struct dz_node *y = sf[k];
		const struct dz_node *x = dz_zone_lookup(e, y->name,
							 y->name_len);
		assert_non_null(x);
		assert_ptr_equal(se[k], x);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->nchild, y->nchild);
		assert_int_equal(x->labels, y->labels);
		assert_int_equal(x->hash, y->hash);
		assert_int_equal(x->nrrsets, y->nrrsets);
		for (uint16_t t = 0; t < y->nrrsets; t++) {
			same_rrset(&x->rrsets[t], &y->rrsets[t]);
			if (e->flags & DZ_ZONE_F_LINKS) {
				same_links(e, &x->rrsets[t], f,
					   &y->rrsets[t]);
			}
			assert_ptr_equal(dz_node_rrset(x, y->rrsets[t].type),
					 &x->rrsets[t]);
		}
	}
}

/* ---- the RR lists an edit keeps ----------------------------------------- */

struct recs {
	struct buf del, add;
	size_t ndel, nadd;
};

static int rec_del(const uint8_t *owner, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	struct recs *r = arg;

	r->ndel++;
	return walk_cb(owner, type, ttl, rdata, rdlen, &r->del);
}

static int rec_add(const uint8_t *owner, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	struct recs *r = arg;

	r->nadd++;
	return walk_cb(owner, type, ttl, rdata, rdlen, &r->add);
}

/* Is x (owner, type, ttl, rdata) in model m? ttl counts. */
static bool m_has_exact(const struct model *m, const struct rr *x)
{
	long i = m_find(m, x);

	return i >= 0 && m->v[i].ttl == x->ttl;
}

/* The edit's lists are the set differences of the two models. */
static void check_recs(const struct dz_zone *z, const struct dz_zone *from,
		       const struct model *old, const struct model *new)
{
	struct recs r = { 0 };
	size_t ndel = 0, nadd = 0;

	assert_int_equal(dz_zone_edit_walk(z, from, rec_del, rec_add, &r), 0);
	for (size_t i = 0; i < old->n; i++) {
		ndel += !m_has_exact(new, &old->v[i]);
	}
	for (size_t i = 0; i < new->n; i++) {
		nadd += !m_has_exact(old, &new->v[i]);
	}
	assert_int_equal(r.ndel, ndel);
	assert_int_equal(r.nadd, nadd);
	/* each listed RR is one of the difference */
	for (int side = 0; side < 2; side++) {
		struct buf *b = side ? &r.add : &r.del;
		const struct model *in = side ? new : old;
		const struct model *out = side ? old : new;
		size_t at = 0;
		while (at < b->len) {
			struct rr x;
			size_t l = dz_dname_len(b->p + at);
			memset(&x, 0, sizeof(x));
			memcpy(x.owner, b->p + at, l);
			at += l;
			memcpy(&x.type, b->p + at, 2);
			memcpy(&x.ttl, b->p + at + 2, 4);
			memcpy(&x.rdlen, b->p + at + 6, 2);
			memcpy(x.rdata, b->p + at + 8, x.rdlen);
			at += 8 + x.rdlen;
			assert_true(m_has_exact(in, &x));
			assert_false(m_has_exact(out, &x));
		}
	}
	free(r.del.p);
	free(r.add.p);
	assert_int_equal(dz_zone_edit_walk(z, z, rec_del, rec_add, &r),
			 DZ_ENOENT);
}

/* ---- the random zones --------------------------------------------------- */

static const char *const names[] = {
	"example.com.", "www.example.com.", "a.example.com.",
	"b.a.example.com.", "c.b.a.example.com.", "x.c.b.a.example.com.",
	"d.example.com.", "e.d.example.com.", "*.example.com.",
	"*.d.example.com.", "f.*.example.com.", "y.e.d.example.com.",
	"z.y.e.d.example.com.", "mail.example.com.", "m.n.o.example.com.",
	"in.sub.example.com.", "deep.in.sub.example.com.",
	"p.q.sub.example.com.", "*.sub.example.com.", "g.example.com.",
	"h.g.example.com.", "*.h.g.example.com.",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* A random RR of the kinds edits take (no NS, CNAME, SOA). */
static struct rr rand_rr(void)
{
	const char *owner = names[rnd(NNAMES)];
	static const char *const mx[] = { "mail.example.com.",
					   "mx.example.net.",
					   "www.example.com.",
					   "m.n.o.example.com." };
	struct rr r;

	switch (rnd(4)) {
	case 0:
		r = mk_a(owner, (uint8_t)(1 + rnd(6)));
		break;
	case 1:
		r = mk(owner, T_AAAA, 300);
		r.rdata[0] = 0xfd;
		r.rdata[15] = (uint8_t)(1 + rnd(4));
		r.rdlen = 16;
		break;
	case 2:
		r = mk(owner, T_TXT, 60);
		r.rdlen = (uint16_t)(2 + rnd(3));
		r.rdata[0] = (uint8_t)(r.rdlen - 1);
		memset(r.rdata + 1, 'a' + (int)rnd(3), r.rdlen - 1u);
		break;
	default:
		r = mk(owner, T_MX, 600);
		dz_wire_set_u16(r.rdata, (uint16_t)(10 * (1 + rnd(2))));
		r.rdlen = (uint16_t)(2 + wname(mx[rnd(4)], r.rdata + 2));
		break;
	}
	return r;
}

/* The fixed part: SOA, apex NS, a delegation with glue. */
static void base_model(struct model *m)
{
	struct rr r = mk_soa(100, 3600, 300);

	m_push(m, &r);
	r = mk_name("example.com.", T_NS, "ns1.example.com.");
	m_push(m, &r);
	r = mk_a("ns1.example.com.", 53);
	m_push(m, &r);
	r = mk_name("sub.example.com.", T_NS, "ns.sub.example.com.");
	m_push(m, &r);
	r = mk_a("ns.sub.example.com.", 54);
	m_push(m, &r);
	r = mk_name("alias.example.com.", T_CNAME, "www.example.com.");
	m_push(m, &r);
}

/* Not removed at random: the SOA and what edits decline. */
static bool fixed(const struct rr *r)
{
	return r->type == T_SOA || r->type == T_NS || r->type == T_CNAME;
}

static void rand_model(struct model *m, size_t n)
{
	base_model(m);
	while (n > 0) {
		struct rr r = rand_rr();
		if (m_find(m, &r) < 0) {
			m_push(m, &r);
			n--;
		}
	}
}

static int edits, rebuilds;
static uint32_t maxdepth;

/*
 * One random edit of z (built from m): removes, then adds (some of them
 * RRs just removed), sometimes an SOA swap. The model follows; both
 * zones compared. Returns the new zone, its model in *out.
 */
static struct dz_zone *rand_edit(struct dz_zone *z, const struct model *m,
				 struct model *out, uint32_t *serial)
{
	struct model n = m_copy(m), removed = { 0 };
	struct dz_zone_edit *e;
	struct dz_zone *ez, *fz;
	size_t ndel = rnd(6), nadd = rnd(6), rd, ra;
	const char *err = NULL;
	int why = 0;

	e = dz_zone_edit_new(z, &why);
	if (e == NULL) { /* garbage: rebuild, as the build would */
		assert_int_equal(why, DZ_EAGAIN);
		assert_true(z->garbage > (z->bytes - z->garbage) / 100 *
					  dz_zone_edit_garbage_pct);
		rebuilds++;
		free(n.v);
		*out = m_copy(m);
		return build(m);
	}
	edits++;
	if (rnd(4) == 0) {
		for (size_t k = 0; k < n.n; k++) {
			if (n.v[k].type == T_SOA) {
				assert_int_equal(e_del(e, &n.v[k]), 0);
				m_push(&removed, &n.v[k]);
				m_del(&n, k);
				break;
			}
		}
	}
	for (size_t k = 0; k < ndel && n.n > 0; k++) {
		size_t i = rnd((uint32_t)n.n);
		if (fixed(&n.v[i])) {
			continue;
		}
		assert_int_equal(e_del(e, &n.v[i]), 0);
		assert_int_equal(e_del(e, &n.v[i]), DZ_ENOENT);
		m_push(&removed, &n.v[i]);
		m_del(&n, i);
	}
	bool soa = false;
	for (size_t k = 0; k < n.n; k++) {
		soa = soa || n.v[k].type == T_SOA;
	}
	if (!soa) { /* the SOA went: a new one */
		struct rr s = mk_soa(++*serial, 3600 - rnd(2) * 1800,
				     60 + rnd(600));
		assert_int_equal(e_add(e, &s), 0);
		m_push(&n, &s);
	}
	for (size_t k = 0; k < nadd; k++) {
		struct rr r;
		if (removed.n > 0 && rnd(3) == 0) {
			r = removed.v[rnd((uint32_t)removed.n)];
		} else {
			r = rand_rr();
		}
		if (r.type == T_SOA || m_find(&n, &r) >= 0) {
			continue;
		}
		assert_int_equal(e_add(e, &r), 0);
		m_push(&n, &r);
	}
	dz_zone_edit_count(e, &rd, &ra);
	ez = dz_zone_edit_finish(e, &err);
	assert_non_null(ez);
	maxdepth = ez->depth > maxdepth ? ez->depth : maxdepth;
	assert_int_equal(dz_zone_fingerprint(ez), 0);
	removed.n = 0;
	free(removed.v);
	removed = m_shuffled(&n);
	fz = build(&removed);
	same_zone(ez, fz);
	check_recs(ez, z, m, &n);
	{
		struct recs r = { 0 };
		dz_zone_edit_walk(ez, z, rec_del, rec_add, &r);
		assert_int_equal(r.ndel, rd);
		assert_int_equal(r.nadd, ra);
		free(r.del.p);
		free(r.add.p);
	}
	/* names not in the zone are not found */
	for (size_t k = 0; k < NNAMES; k++) {
		uint8_t w[DZ_DNAME_MAX];
		size_t l = wname(names[k], w);
		assert_int_equal(dz_zone_lookup(ez, w, l) == NULL,
				 dz_zone_lookup(fz, w, l) == NULL);
	}
	dz_zone_unref(fz);
	free(removed.v);
	*out = n;
	return ez;
}

#define LIVE 6

/* Chains of edits of edits, some of older zones, freed in random order. */
static void test_edit_differential(void **state)
{
	(void)state;
	/* small zones: a quarter would be one edit deep */
	dz_zone_edit_garbage_pct = 150;
	for (uint64_t seed = 1; seed <= 6; seed++) {
		struct dz_zone *zs[LIVE] = { 0 };
		struct model ms[LIVE] = { 0 };
		uint32_t serial = 100;
		rng_state = 0x9e3779b97f4a7c15ull * seed;
		rand_model(&ms[0], 20 + rnd(60));
		zs[0] = build(&ms[0]);
		for (int step = 0; step < 60; step++) {
			/* mostly the newest zone, sometimes an older one */
			int from = 0, to;
			for (int i = 0; i < LIVE; i++) {
				if (zs[i] != NULL && (rnd(4) != 0 || !zs[from])) {
					from = i;
				}
			}
			for (to = 0; to < LIVE && zs[to] != NULL; to++) {
			}
			if (to == LIVE) { /* full: free one, not from */
				to = (from + 1 + (int)rnd(LIVE - 1)) % LIVE;
				dz_zone_unref(zs[to]);
				free(ms[to].v);
			}
			zs[to] = rand_edit(zs[from], &ms[from], &ms[to],
					   &serial);
			if (rnd(3) == 0 && from != to) { /* base goes first */
				dz_zone_unref(zs[from]);
				free(ms[from].v);
				zs[from] = NULL;
				ms[from] = (struct model){ 0 };
			}
		}
		int order[LIVE];
		for (int i = 0; i < LIVE; i++) {
			order[i] = i;
		}
		for (int i = LIVE - 1; i > 0; i--) {
			int j = (int)rnd((uint32_t)i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (int i = 0; i < LIVE; i++) {
			dz_zone_unref(zs[order[i]]);
			free(ms[order[i]].v);
		}
	}
	/* most steps were edits; chains long enough to need rebuilds */
	assert_true(edits > 4 * rebuilds);
	assert_true(rebuilds > 0);
	assert_true(maxdepth >= 4);
	dz_zone_edit_garbage_pct = 25;
}

/* Many nodes: several pages, the index doubled by an edit. */
static void test_edit_big(void **state)
{
	struct model m = { 0 }, n;
	struct dz_zone *z, *ez, *fz;
	struct dz_zone_edit *e;
	struct buf before = { 0 }, after = { 0 };
	char text[64];
	int why;

	(void)state;
	rng_state = 77;
	base_model(&m);
	for (int i = 0; i < 3000; i++) {
		snprintf(text, sizeof(text), "h%d.l%d.example.com.", i, i % 7);
		struct rr r = mk_a(text, (uint8_t)i);
		m_push(&m, &r);
	}
	z = build(&m);
	assert_int_equal(dz_zone_walk(z, walk_cb, &before), 0);
	/* one RR: a few pages copied, not the zone */
	e = dz_zone_edit_new(z, &why);
	assert_non_null(e);
	assert_int_equal(e_del(e, &m.v[100]), 0);
	ez = dz_zone_edit_finish(e, NULL);
	assert_non_null(ez);
	assert_true(ez->garbage < 64 * 1024);
	assert_true(ez->bytes - z->bytes < 64 * 1024);
	dz_zone_unref(ez);
	/* many: removes and adds over every page, the index grows */
	n = m_copy(&m);
	e = dz_zone_edit_new(z, &why);
	assert_non_null(e);
	for (int i = 0; i < 500; i++) {
		size_t k = 6 + rnd((uint32_t)n.n - 6);
		assert_int_equal(e_del(e, &n.v[k]), 0);
		m_del(&n, k);
	}
	for (int i = 0; i < 1500; i++) {
		snprintf(text, sizeof(text), "n%d.l%d.example.com.", i, i % 5);
		struct rr r = mk_a(text, (uint8_t)i);
		assert_int_equal(e_add(e, &r), 0);
		m_push(&n, &r);
	}
	ez = dz_zone_edit_finish(e, NULL);
	assert_non_null(ez);
	fz = build(&n);
	same_zone(ez, fz);
	check_recs(ez, z, &m, &n);
	/* the base is as it was */
	assert_int_equal(dz_zone_walk(z, walk_cb, &after), 0);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.p, after.p, before.len);
	dz_zone_unref(z);
	dz_zone_unref(fz);
	dz_zone_unref(ez);
	free(before.p);
	free(after.p);
	free(m.v);
	free(n.v);
}

/* ---- what edits decline ------------------------------------------------- */

static struct dz_zone *small_zone(struct model *m)
{
	struct rr r;

	base_model(m);
	r = mk_a("www.example.com.", 1);
	m_push(m, &r);
	r = mk_a("www.example.com.", 2);
	m_push(m, &r);
	return build(m);
}

/* An edit of z that must fail at op with rc. */
static void declines(struct dz_zone *z, const struct rr *del,
		     const struct rr *add, int rc)
{
	int why = 0;
	struct dz_zone_edit *e = dz_zone_edit_new(z, &why);

	assert_non_null(e);
	if (del != NULL) {
		assert_int_equal(e_del(e, del), add == NULL ? rc : 0);
	}
	if (add != NULL) {
		assert_int_equal(e_add(e, add), rc);
	}
	dz_zone_edit_free(e);
}

static void test_edit_declines(void **state)
{
	struct model m = { 0 };
	struct dz_zone *z = small_zone(&m);
	struct rr www1 = mk_a("www.example.com.", 1);
	struct rr r;

	(void)state;
	/* identical RR, RRset with another TTL */
	declines(z, NULL, &www1, DZ_EAGAIN);
	r = mk_a("www.example.com.", 3);
	r.ttl = 301;
	declines(z, NULL, &r, DZ_EAGAIN);
	/* an RR whose TTL is not the RRset's */
	r = www1;
	r.ttl = 301;
	declines(z, &r, NULL, DZ_EAGAIN);
	/* CNAME added, removed, or beside */
	r = mk_name("cn.example.com.", T_CNAME, "www.example.com.");
	declines(z, NULL, &r, DZ_EAGAIN);
	r = mk_name("alias.example.com.", T_CNAME, "www.example.com.");
	declines(z, &r, NULL, DZ_EAGAIN);
	r = mk_a("alias.example.com.", 9);
	declines(z, NULL, &r, DZ_EAGAIN);
	/* NS below the apex and at it */
	r = mk_name("sub.example.com.", T_NS, "ns.sub.example.com.");
	declines(z, &r, NULL, DZ_EAGAIN);
	r = mk_name("sub2.example.com.", T_NS, "ns.sub.example.com.");
	declines(z, NULL, &r, DZ_EAGAIN);
	r = mk_name("example.com.", T_NS, "ns1.example.com.");
	declines(z, &r, NULL, DZ_EAGAIN);
	r = mk_name("example.com.", T_NS, "ns2.example.com.");
	declines(z, NULL, &r, DZ_EAGAIN);
	/* a remove after an add */
	r = mk_a("new.example.com.", 1);
	declines(z, NULL, &r, 0);
	{
		int why;
		struct dz_zone_edit *e = dz_zone_edit_new(z, &why);
		assert_int_equal(e_add(e, &r), 0);
		assert_int_equal(e_del(e, &www1), DZ_EAGAIN);
		dz_zone_edit_free(e);
	}
	/* no such RR: the edit lives on; outside the zone */
	{
		int why;
		struct dz_zone_edit *e = dz_zone_edit_new(z, &why);
		r = mk_a("nope.example.com.", 1);
		assert_int_equal(e_del(e, &r), DZ_ENOENT);
		r = mk_a("www.example.com.", 7);
		assert_int_equal(e_del(e, &r), DZ_ENOENT);
		assert_int_equal(e_del(e, &www1), 0);
		r = mk_a("www.example.org.", 1);
		assert_int_equal(e_add(e, &r), DZ_EINVAL);
		assert_null(dz_zone_edit_finish(e, NULL));
		/* no SOA at the apex */
		e = dz_zone_edit_new(z, &why);
		assert_int_equal(e_del(e, &m.v[0]), 0);
		const char *err = NULL;
		assert_null(dz_zone_edit_finish(e, &err));
		assert_non_null(err);
	}
	dz_zone_unref(z);
	free(m.v);
}

/* What the builder merged, edits do not take apart. */
static void test_edit_merged(void **state)
{
	struct model m = { 0 };
	struct dz_zone *z;
	struct rr dup = mk_a("dup.example.com.", 1);
	struct rr t1 = mk_a("ttl.example.com.", 1), t2 = mk_a("ttl.example.com.", 2);
	struct rr add;

	(void)state;
	base_model(&m);
	m_push(&m, &dup);
	m_push(&m, &dup);
	t2.ttl = 600;
	m_push(&m, &t1);
	m_push(&m, &t2);
	z = build(&m);
	assert_true(dz_node_rrset(dz_zone_lookup(z, dup.owner,
						 dz_dname_len(dup.owner)),
				  T_A)->flags & DZ_RRSET_F_MERGED);
	assert_false(dz_node_rrset(z->apex, T_SOA)->flags &
		     DZ_RRSET_F_MERGED);
	declines(z, &dup, NULL, DZ_EAGAIN);
	declines(z, &t1, NULL, DZ_EAGAIN);
	/* adding to them is fine: the builder would make the same */
	add = mk_a("dup.example.com.", 5);
	declines(z, NULL, &add, 0);
	dz_zone_unref(z);
	free(m.v);
}

/* Deep chains and garbage make edit_new decline: rebuild. */
static void test_edit_limits(void **state)
{
	struct model m = { 0 };
	struct dz_zone *z = small_zone(&m), *ez;
	struct dz_zone_edit *e;
	int why = 0, depth = 0;

	(void)state;
	dz_zone_edit_garbage_pct = 25;
	/* empty edits make no garbage: the depth limit */
	for (;;) {
		e = dz_zone_edit_new(z, &why);
		if (e == NULL) {
			break;
		}
		ez = dz_zone_edit_finish(e, NULL);
		assert_non_null(ez);
		dz_zone_unref(z); /* older generations stay while needed */
		z = ez;
		depth++;
	}
	assert_int_equal(why, DZ_EAGAIN);
	assert_int_equal(depth, 256);
	assert_int_equal(dz_zone_serial(z), 100);
	dz_zone_unref(z);
	free(m.v);
	/* a change replaced again and again: the garbage limit */
	m = (struct model){ 0 };
	z = small_zone(&m);
	depth = 0;
	for (;;) {
		struct rr a = mk_a("www.example.com.", (uint8_t)(10 + depth));
		struct rr b = mk_a("www.example.com.", (uint8_t)(11 + depth));
		e = dz_zone_edit_new(z, &why);
		if (e == NULL) {
			break;
		}
		if (depth == 0) {
			a = mk_a("www.example.com.", 1);
		}
		assert_int_equal(e_del(e, &a), 0);
		assert_int_equal(e_add(e, &b), 0);
		ez = dz_zone_edit_finish(e, NULL);
		assert_non_null(ez);
		dz_zone_unref(z);
		z = ez;
		depth++;
	}
	assert_int_equal(why, DZ_EAGAIN);
	assert_true(depth > 0 && depth < 256);
	assert_true(z->garbage > (z->bytes - z->garbage) / 4);
	dz_zone_unref(z);
	free(m.v);
	/* the names where a check failed stay with the edits */
	m = (struct model){ 0 };
	z = small_zone(&m);
	{
		static const uint8_t www[] = "\3WWW\7example\3com";
		const uint8_t *const failed[] = { www };
		assert_int_equal(dz_zone_set_build_info(z, 42, failed, 1),
				 0);
	}
	e = dz_zone_edit_new(z, &why);
	ez = dz_zone_edit_finish(e, NULL);
	assert_int_equal(dz_zone_content_hash(ez), 0);
	assert_true(dz_zone_check_failed_at(ez,
		    (const uint8_t *)"\3www\7EXAMPLE\3com"));
	assert_false(dz_zone_check_failed_at(ez,
		     (const uint8_t *)"\4mail\7example\3com"));
	assert_int_equal(dz_zone_set_build_info(ez, 7, NULL, 0), 0);
	assert_true(dz_zone_check_failed_at(ez,
		    (const uint8_t *)"\3www\7example\3com"));
	assert_int_equal(dz_zone_content_hash(z), 42);
	/* unrelated zones are not edits of each other */
	assert_int_equal(dz_zone_edit_walk(z, ez, NULL, NULL, NULL),
			 DZ_ENOENT);
	assert_int_equal(dz_zone_edit_walk(ez, z, NULL, NULL, NULL), 0);
	dz_zone_unref(z);
	dz_zone_unref(ez);
	free(m.v);
}

/* Wildcards: removing the last one clears the zone's flag; ENTs go. */
static void test_edit_wild_and_ents(void **state)
{
	struct model m = { 0 };
	struct dz_zone *z, *ez, *fz;
	struct dz_zone_edit *e;
	struct rr w = mk_a("*.x.y.example.com.", 1);
	struct rr d = mk_a("q.r.s.example.com.", 1);
	int why;

	(void)state;
	dz_zone_edit_garbage_pct = 1000;
	{
		struct rr s = mk_soa(1, 3600, 300);
		m_push(&m, &s);
	}
	m_push(&m, &w);
	m_push(&m, &d);
	z = build(&m);
	assert_true(z->flags & DZ_ZONE_F_WILD);
	e = dz_zone_edit_new(z, &why);
	assert_int_equal(e_del(e, &w), 0);
	assert_int_equal(e_del(e, &d), 0);
	ez = dz_zone_edit_finish(e, NULL);
	assert_non_null(ez);
	assert_false(ez->flags & DZ_ZONE_F_WILD);
	assert_int_equal(dz_zone_node_count(ez), 1);
	m.n = 1;
	fz = build(&m);
	same_zone(ez, fz);
	dz_zone_unref(fz);
	dz_zone_unref(z);
	z = ez;
	/* and back: the ENTs and the wildcard again, below a new name */
	e = dz_zone_edit_new(z, &why);
	assert_int_equal(e_add(e, &w), 0);
	assert_int_equal(e_add(e, &d), 0);
	ez = dz_zone_edit_finish(e, NULL);
	m.n = 3;
	fz = build(&m);
	same_zone(ez, fz);
	assert_true(ez->flags & DZ_ZONE_F_WILD);
	dz_zone_unref(fz);
	dz_zone_unref(ez);
	dz_zone_unref(z);
	free(m.v);
	dz_zone_edit_garbage_pct = 25;
}

/* The canonical order is made once, whichever thread asks first. */
static void *sorted_thread(void *arg)
{
	return (void *)dz_zone_sorted(arg);
}

static void test_edit_sorted_threads(void **state)
{
	struct model m = { 0 };
	struct dz_zone *z = small_zone(&m), *ez;
	struct dz_zone_edit *e;
	struct rr r = mk_a("t.example.com.", 1);
	pthread_t th[4];
	void *res[4];
	int why;

	(void)state;
	e = dz_zone_edit_new(z, &why);
	assert_int_equal(e_add(e, &r), 0);
	ez = dz_zone_edit_finish(e, NULL);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_create(&th[i], NULL, sorted_thread,
						ez), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &res[i]);
		assert_non_null(res[i]);
		assert_ptr_equal(res[i], res[0]);
	}
	assert_ptr_equal(dz_zone_sorted(ez), res[0]);
	dz_zone_unref(z);
	dz_zone_unref(ez);
	free(m.v);
}

/* A compaction is the zone built afresh, and counts as it for walks. */
static void test_edit_compact(void **state)
{
	struct model m = { 0 }, n = { 0 };
	struct dz_zone *z, *c, *f, *e;
	struct rr dup = mk_a("dup.example.com.", 1);
	struct recs r = { 0 };
	uint32_t serial = 100;

	(void)state;
	dz_zone_edit_garbage_pct = 1000;
	rng_state = 0x5eed;
	rand_model(&m, 80);
	z = build(&m);
	for (int i = 0; i < 12; i++) {
		struct dz_zone *next = rand_edit(z, &m, &n, &serial);
		dz_zone_unref(z);
		free(m.v);
		z = next;
		m = n;
	}
	assert_true(z->depth > 0 && z->garbage > 0);
	dz_zone_set_fingerprint(z, 77);
	c = dz_zone_compact(z);
	assert_non_null(c);
	f = build(&m);
	same_zone(c, f);
	assert_int_equal(c->depth, 0);
	assert_int_equal(c->garbage, 0);
	assert_int_equal(dz_zone_fingerprint(c), 77);
	/* from z: no change; an edit of c walks from z */
	assert_int_equal(dz_zone_edit_walk(c, z, rec_del, rec_add, &r), 0);
	assert_int_equal(r.ndel + r.nadd, 0);
	e = rand_edit(c, &m, &n, &serial);
	if (e->depth == 1) { /* an edit, not a rebuild */
		check_recs(e, z, &m, &n);
	}
	dz_zone_unref(e);
	dz_zone_unref(f);
	dz_zone_unref(c);
	dz_zone_unref(z);
	free(m.v);
	free(n.v);
	/* still merged: an edit may not take one of the two away */
	m = (struct model){ 0 };
	base_model(&m);
	m_push(&m, &dup);
	m_push(&m, &dup);
	z = build(&m);
	c = dz_zone_compact(z);
	assert_non_null(c);
	declines(c, &dup, NULL, DZ_EAGAIN);
	dz_zone_unref(c);
	dz_zone_unref(z);
	free(m.v);
	dz_zone_edit_garbage_pct = 25;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit_differential),
		cmocka_unit_test(test_edit_big),
		cmocka_unit_test(test_edit_declines),
		cmocka_unit_test(test_edit_merged),
		cmocka_unit_test(test_edit_limits),
		cmocka_unit_test(test_edit_wild_and_ents),
		cmocka_unit_test(test_edit_sorted_threads),
		cmocka_unit_test(test_edit_compact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
