/* SPDX-License-Identifier: MIT */
/* test_zone.c -- the zone builder and the immutable zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "plugin/plugin.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "zone/zone-internal.h"

static const char *const SOA_RR =
	"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. "
	"2024010101 7200 900 1209600 300";

static void name(const char *text, uint8_t *out)
{
	size_t len;
	const char *why;

	assert_int_equal(dz_dname_from_text(text, strlen(text), NULL, out,
					    &len, NULL, &why), 0);
}

/* Add one RR given in zone-file text; returns the builder's status. */
static int add_rr(struct dz_zone_builder *b, const char *text, bool *conflict)
{
	ldns_rr *rr = NULL;
	ldns_buffer *buf = ldns_buffer_new(512);
	int rc;

	assert_int_equal(ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL),
			 LDNS_STATUS_OK);
	assert_int_equal(ldns_rr_rdata2buffer_wire(buf, rr), LDNS_STATUS_OK);
	rc = dz_zone_builder_add(b, ldns_rdf_data(ldns_rr_owner(rr)),
				 ldns_rr_get_type(rr), ldns_rr_ttl(rr),
				 ldns_buffer_begin(buf),
				 (uint16_t)ldns_buffer_position(buf), conflict);
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
	return rc;
}

static struct dz_zone_builder *new_builder(void)
{
	uint8_t origin[DZ_DNAME_MAX];
	struct dz_zone_builder *b;

	name("Example.COM.", origin);
	b = dz_zone_builder_new(origin);
	assert_non_null(b);
	assert_int_equal(add_rr(b, SOA_RR, NULL), 0);
	return b;
}

static struct dz_zone *finish(struct dz_zone_builder *b)
{
	const char *err = NULL;
	struct dz_zone *z = dz_zone_builder_finish(b, &err);

	assert_non_null(z);
	return z;
}

static const struct dz_node *lookup(const struct dz_zone *z, const char *text)
{
	uint8_t n[DZ_DNAME_MAX];

	name(text, n);
	return dz_zone_lookup(z, n, dz_dname_len(n));
}

/* A node's flags but DZ_NODE_F_LINKS (it has RRsets with targets). */
static unsigned nflags(const struct dz_node *n)
{
	assert_non_null(n);
	return n->flags & ~(unsigned)DZ_NODE_F_LINKS;
}

static void test_zone_builder_basic(void **state)
{
	(void)state;
	struct dz_zone_builder *b = new_builder();
	assert_int_equal(add_rr(b, "example.com. 3600 IN NS ns1.example.com.",
				NULL), 0);
	assert_int_equal(add_rr(b, "ns1.example.com. 300 IN A 127.0.0.1",
				NULL), 0);
	assert_int_equal(add_rr(b, "www.example.com. 300 IN A 127.0.0.2",
				NULL), 0);
	struct dz_zone *z = finish(b);
	uint8_t origin[DZ_DNAME_MAX];
	name("example.com.", origin);
	assert_memory_equal(dz_zone_origin(z), origin, dz_dname_len(origin));
	assert_int_equal(dz_zone_serial(z), 2024010101u);
	assert_int_equal(z->neg_ttl, 300);
	assert_int_equal(dz_zone_rr_count(z), 4);
	assert_int_equal(dz_zone_node_count(z), 3);
	assert_non_null(z->soa);
	assert_true(z->soa->flags & DZ_RRSET_F_SOA);
	assert_true(z->apex->flags & DZ_NODE_F_APEX);
	const struct dz_rrset *ns = dz_node_rrset(z->apex, 2);
	assert_non_null(ns);
	assert_int_equal(ns->flags, DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS |
			 DZ_KIND_F_ADDITIONAL | DZ_RRSET_F_LINKS);
	assert_int_equal(ns->name_offset, 0);
	assert_null(dz_node_rrset(z->apex, 1));
	/* RRsets sorted by type */
	assert_int_equal(z->apex->rrsets[0].type, 2);
	assert_int_equal(z->apex->rrsets[1].type, 6);
	dz_zone_unref(z);
}

static void test_zone_builder_rejects_outside_owner(void **state)
{
	(void)state;
	struct dz_zone_builder *b = new_builder();
	assert_int_equal(add_rr(b, "www.example.org. 300 IN A 127.0.0.1",
				NULL), DZ_EINVAL);
	assert_int_equal(add_rr(b, "com. 300 IN A 127.0.0.1", NULL),
			 DZ_EINVAL);
	dz_zone_builder_free(b);
	dz_zone_builder_free(NULL);
}

static void test_zone_builder_collapse(void **state)
{
	(void)state;
	struct dz_zone_builder *b = new_builder();
	assert_int_equal(add_rr(b, "www.example.com. 300 IN A 127.0.0.1",
				NULL), 0);
	assert_int_equal(add_rr(b, "WWW.example.com. 300 IN A 127.0.0.1",
				NULL), 0);
	assert_int_equal(add_rr(b, "www.example.com. 300 IN A 127.0.0.2",
				NULL), 0);
	struct dz_zone *z = finish(b);
	const struct dz_node *n = lookup(z, "www.example.com.");
	assert_non_null(n);
	assert_int_equal(dz_node_rrset(n, 1)->count, 2);
	assert_int_equal(dz_zone_rr_count(z), 3);
	dz_zone_unref(z);
}

static void test_zone_builder_ttl_min_and_conflict(void **state)
{
	(void)state;
	bool c = true;
	struct dz_zone_builder *b = new_builder();
	assert_int_equal(add_rr(b, "a.example.com. 600 IN A 127.0.0.1", &c),
			 0);
	assert_false(c);
	assert_int_equal(add_rr(b, "a.example.com. 600 IN A 127.0.0.2", &c),
			 0);
	assert_false(c);
	assert_int_equal(add_rr(b, "a.example.com. 60 IN A 127.0.0.3", &c),
			 0);
	assert_true(c);
	assert_int_equal(add_rr(b, "a.example.com. 900 IN A 127.0.0.4", &c),
			 0);
	assert_true(c);
	assert_int_equal(add_rr(b, "a.example.com. 60 IN A 127.0.0.5", NULL),
			 0);
	struct dz_zone *z = finish(b);
	const struct dz_rrset *r = dz_node_rrset(lookup(z, "a.example.com."),
						 1);
	assert_int_equal(r->ttl, 60);
	assert_int_equal(r->count, 5);
	/* no kind for A in this build or a kind: either way, all kept */
	dz_zone_unref(z);
}

static void test_zone_builder_has(void **state)
{
	(void)state;
	uint8_t n[DZ_DNAME_MAX];
	struct dz_zone_builder *b = new_builder();
	assert_int_equal(add_rr(b, "a.example.com. 600 IN A 127.0.0.1", NULL),
			 0);
	name("A.Example.com.", n);
	assert_true(dz_zone_builder_has(b, n, 1));
	assert_false(dz_zone_builder_has(b, n, 28));
	name("b.example.com.", n);
	assert_false(dz_zone_builder_has(b, n, 1));
	name("a.example.org.", n);
	assert_false(dz_zone_builder_has(b, n, 1));
	dz_zone_builder_free(b);
}

static void test_zone_ents(void **state)
{
	(void)state;
	struct dz_zone_builder *b = new_builder();
	assert_int_equal(add_rr(b, "a.b.c.example.com. 300 IN A 127.0.0.1",
				NULL), 0);
	assert_int_equal(add_rr(b, "x.c.example.com. 300 IN A 127.0.0.1",
				NULL), 0);
	struct dz_zone *z = finish(b);
	assert_int_equal(dz_zone_node_count(z), 5);
	const struct dz_node *n = lookup(z, "b.c.example.com.");
	assert_non_null(n);
	assert_true(n->flags & DZ_NODE_F_ENT);
	assert_int_equal(n->nrrsets, 0);
	n = lookup(z, "c.example.com.");
	assert_non_null(n);
	assert_true(n->flags & DZ_NODE_F_ENT);
	n = lookup(z, "a.b.c.example.com.");
	assert_non_null(n);
	assert_false(n->flags & DZ_NODE_F_ENT);
	assert_int_equal(n->labels, 5);
	assert_null(lookup(z, "d.example.com."));
	assert_null(lookup(z, "z.a.b.c.example.com."));
	dz_zone_unref(z);
}

static void test_zone_lookup_case(void **state)
{
	(void)state;
	struct dz_zone_builder *b = new_builder();
	assert_int_equal(add_rr(b, "MiXeD.Example.com. 300 IN A 127.0.0.1",
				NULL), 0);
	struct dz_zone *z = finish(b);
	const struct dz_node *n = lookup(z, "mixed.example.com.");
	assert_non_null(n);
	assert_memory_equal(n->name, "\5mixed\7example\3com", 19);
	/* lookup takes lower-case names: the caller folds case */
	assert_null(lookup(z, "MIXED.example.com."));
	assert_non_null(lookup(z, "example.com."));
	dz_zone_unref(z);
}

struct walk {
	char out[1024];
	size_t n;
	int stop_after;
};

static int walk_cb(const uint8_t *owner, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	struct walk *w = arg;
	char text[256];

	(void)ttl;
	(void)rdata;
	(void)rdlen;
	dz_dname_to_text(owner, text, sizeof(text));
	w->n += (size_t)snprintf(w->out + w->n, sizeof(w->out) - w->n,
				 "%s/%u ", text, type);
	if (w->stop_after > 0 && --w->stop_after == 0) {
		return 42;
	}
	return 0;
}

static void test_zone_walk_order(void **state)
{
	(void)state;
	struct walk w = { .n = 0 };
	struct dz_zone_builder *b = new_builder();
	assert_int_equal(add_rr(b, "z.example.com. 300 IN A 127.0.0.1",
				NULL), 0);
	assert_int_equal(add_rr(b, "a.b.example.com. 300 IN AAAA ::1",
				NULL), 0);
	assert_int_equal(add_rr(b, "a.b.example.com. 300 IN A 127.0.0.1",
				NULL), 0);
	assert_int_equal(add_rr(b, "b.example.com. 300 IN TXT \"x\"",
				NULL), 0);
	assert_int_equal(add_rr(b, "A.example.com. 300 IN A 127.0.0.1",
				NULL), 0);
	assert_int_equal(add_rr(b, "example.com. 300 IN NS ns.example.com.",
				NULL), 0);
	struct dz_zone *z = finish(b);
	assert_int_equal(dz_zone_walk(z, walk_cb, &w), 0);
	assert_string_equal(w.out,
			    "example.com./2 example.com./6 a.example.com./1 "
			    "b.example.com./16 a.b.example.com./1 "
			    "a.b.example.com./28 z.example.com./1 ");
	memset(&w, 0, sizeof(w));
	w.stop_after = 2;
	assert_int_equal(dz_zone_walk(z, walk_cb, &w), 42);
	assert_string_equal(w.out, "example.com./2 example.com./6 ");
	dz_zone_unref(z);
}

/* Owners as the walk visits them: each must sort after the one before. */
struct order {
	uint8_t prev[DZ_DNAME_MAX];
	bool have;
	size_t n;
};

static int order_cb(const uint8_t *owner, uint16_t type, uint32_t ttl,
		    const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	struct order *o = arg;

	(void)type;
	(void)ttl;
	(void)rdata;
	(void)rdlen;
	if (o->have && dz_dname_equal(o->prev, owner)) {
		return 0; /* another RRset of the same node */
	}
	assert_true(!o->have || dz_dname_cmp_canonical(o->prev, owner) < 0);
	memcpy(o->prev, owner, dz_dname_len(owner));
	o->have = true;
	o->n++;
	return 0;
}

/*
 * Canonical order (RFC 4034 6.1) through the fast sort key, and through
 * the exact comparison when a label holds a 0 octet: prefixes, parents
 * and children, octets above 0x7f, hyphens and digits.
 */
static void test_zone_canonical_order(void **state)
{
	static const char *const names[] = {
		"a", "ab", "a-", "a0", "b.a", "a.a", "aa.a", "a.ab", "z",
		"\\200", "\\200a", "a\\255", "host-1", "host-10", "host-2",
		"host-1.host-1", "x.y.z", "y.z", "*.z", "longlabel-abcdefgh",
		"longlabel-abcdefg", "longlabel-abcdefgh.a", NULL,
	};
	(void)state;
	for (int slow = 0; slow < 2; slow++) {
		struct dz_zone_builder *b = new_builder();
		struct order o = { .have = false };
		char rr[300];
		size_t n = 2; /* the apex and nul or NULL below */

		for (size_t i = 0; names[i] != NULL; i++, n++) {
			snprintf(rr, sizeof(rr), "%s.example.com. 300 IN A "
				 "192.0.2.1", names[i]);
			assert_int_equal(add_rr(b, rr, NULL), 0);
		}
		if (slow) {
			assert_int_equal(add_rr(b, "a\\000b.example.com. 300 "
						"IN A 192.0.2.1", NULL), 0);
		}
		struct dz_zone *z = finish(b);
		assert_int_equal(dz_zone_walk(z, order_cb, &o), 0);
		assert_int_equal(o.n, n - 1 + (size_t)slow);
		dz_zone_unref(z);
	}
}

/* A zone big enough to be sorted in two halves, each in many runs,
 * names added in no order: canonical order all the same. */
static void test_zone_canonical_order_big(void **state)
{
	struct dz_zone_builder *b = new_builder();
	struct order o = { .have = false };
	const size_t n = 70001;
	char rr[128];

	(void)state;
	for (size_t i = 0; i < n; i++) {
		size_t k = (i * 40503) % n; /* a permutation: n is prime */
		snprintf(rr, sizeof(rr), "h%zu.s%zu.example.com. 300 IN A "
			 "192.0.2.1", k, k % 7);
		assert_int_equal(add_rr(b, rr, NULL), 0);
	}
	struct dz_zone *z = finish(b);
	assert_int_equal(dz_zone_walk(z, order_cb, &o), 0);
	assert_int_equal(o.n, n + 1); /* the apex too (s0..s6 hold no RR) */
	dz_zone_unref(z);
}

static void test_zone_no_soa(void **state)
{
	(void)state;
	uint8_t origin[DZ_DNAME_MAX];
	const char *err = NULL;
	name("example.com.", origin);
	struct dz_zone_builder *b = dz_zone_builder_new(origin);
	assert_int_equal(add_rr(b, "www.example.com. 300 IN A 127.0.0.1",
				NULL), 0);
	assert_null(dz_zone_builder_finish(b, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "no SOA"));

	/* an SOA below the apex does not count */
	b = dz_zone_builder_new(origin);
	assert_int_equal(add_rr(b, "sub.example.com. 300 IN SOA a. b. 1 2 3 "
				"4 5", NULL), 0);
	assert_null(dz_zone_builder_finish(b, &err));

	/* two SOAs at the apex */
	b = new_builder();
	assert_int_equal(add_rr(b, "example.com. 300 IN SOA a. b. 1 2 3 4 5",
				NULL), 0);
	err = NULL;
	assert_null(dz_zone_builder_finish(b, &err));
	assert_non_null(err);
}

static void test_zone_neg_ttl_min(void **state)
{
	(void)state;
	uint8_t origin[DZ_DNAME_MAX];
	name("example.net.", origin);
	struct dz_zone_builder *b = dz_zone_builder_new(origin);
	assert_int_equal(add_rr(b, "example.net. 120 IN SOA a. b. 7 2 3 4 "
				"3600", NULL), 0);
	struct dz_zone *z = finish(b);
	assert_int_equal(z->neg_ttl, 120);
	assert_int_equal(dz_zone_serial(z), 7);
	dz_zone_ref(z);
	dz_zone_unref(z);
	dz_zone_unref(z);
	dz_zone_unref(NULL);
}

static void test_zone_sort_and_groups(void **state)
{
	(void)state;
	/* The built-in MX kind orders by priority and rotates ties. */
	assert_non_null(dz_kind_lookup_type(15));
	struct dz_zone_builder *b = new_builder();
	const char *mx[] = { "20 c.", "10 a.", "30 d.", "10 b.", "20 e.",
			     "10 f." };
	char line[128];
	for (size_t i = 0; i < 6; i++) {
		snprintf(line, sizeof(line), "example.com. 300 IN MX %s",
			 mx[i]);
		assert_int_equal(add_rr(b, line, NULL), 0);
	}
	struct dz_zone *z = finish(b);
	const struct dz_rrset *r = dz_node_rrset(z->apex, 15);
	assert_non_null(r);
	assert_int_equal(r->count, 6);
	/* stable: equal priorities keep insertion order */
	const char want[] = { 'a', 'b', 'f', 'c', 'e', 'd' };
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(r->rr[i][2 + 2 + 1], want[i]);
	}
	assert_non_null(r->group);
	assert_int_equal(r->group[0], 3);
	assert_int_equal(r->group[1], 0);
	assert_int_equal(r->group[2], 0);
	assert_int_equal(r->group[3], 2);
	assert_int_equal(r->group[4], 0);
	assert_int_equal(r->group[5], 1);
	assert_true(r->flags & DZ_KIND_F_ROTATE);
	assert_int_equal(r->name_offset, 2);
	dz_zone_unref(z);
}

static void test_zone_many_nodes(void **state)
{
	(void)state;
	char line[128];
	struct dz_zone_builder *b = new_builder();
	for (int i = 0; i < 2000; i++) {
		snprintf(line, sizeof(line),
			 "h%d.s%d.example.com. 300 IN A 127.0.%d.%d", i,
			 i % 7, i / 256, i % 256);
		assert_int_equal(add_rr(b, line, NULL), 0);
	}
	struct dz_zone *z = finish(b);
	assert_int_equal(dz_zone_node_count(z), 1 + 7 + 2000);
	assert_int_equal(dz_zone_rr_count(z), 2001);
	for (int i = 0; i < 2000; i += 97) {
		snprintf(line, sizeof(line), "h%d.s%d.example.com.", i, i % 7);
		assert_non_null(lookup(z, line));
	}
	dz_zone_unref(z);
}

static void test_zone_cut_and_wildcard_flags(void **state)
{
	(void)state;
	struct dz_zone_builder *b = new_builder();
	const char *rrs[] = {
		"example.com. 300 IN NS ns1.example.com.",
		"ns1.example.com. 300 IN A 127.0.0.1",
		"sub.example.com. 300 IN NS ns.sub.example.com.",
		"ns.sub.example.com. 300 IN A 127.0.0.2",
		"a.b.in.sub.example.com. 300 IN NS ns1.example.com.",
		"*.example.com. 300 IN A 127.0.0.3",
		"x.*.w.example.com. 300 IN A 127.0.0.4",
	};
	for (size_t i = 0; i < sizeof(rrs) / sizeof(*rrs); i++) {
		assert_int_equal(add_rr(b, rrs[i], NULL), 0);
	}
	struct dz_zone *z = finish(b);
	assert_true(z->flags & DZ_ZONE_F_DELEG);
	assert_true(z->flags & DZ_ZONE_F_WILD);
	const struct dz_node *apex = lookup(z, "example.com.");
	assert_int_equal(nflags(apex) & ~DZ_NODE_F_APEX,
			 DZ_NODE_F_WILD_PARENT);
	assert_int_equal(nflags(lookup(z, "sub.example.com.")),
			 DZ_NODE_F_DELEG);
	assert_int_equal(nflags(lookup(z, "ns.sub.example.com.")),
			 DZ_NODE_F_OCCLUDED);
	/* an ENT below the cut, and a nested cut */
	assert_int_equal(nflags(lookup(z, "in.sub.example.com.")),
			 DZ_NODE_F_ENT | DZ_NODE_F_OCCLUDED);
	assert_int_equal(nflags(lookup(z, "a.b.in.sub.example.com.")),
			 DZ_NODE_F_DELEG | DZ_NODE_F_OCCLUDED);
	assert_int_equal(nflags(lookup(z, "ns1.example.com.")), 0);
	assert_int_equal(nflags(lookup(z, "*.example.com.")),
			 DZ_NODE_F_WILDCARD);
	/* "*" as an empty non-terminal is still a wildcard */
	assert_int_equal(nflags(lookup(z, "*.w.example.com.")),
			 DZ_NODE_F_ENT | DZ_NODE_F_WILDCARD);
	assert_int_equal(nflags(lookup(z, "w.example.com.")),
			 DZ_NODE_F_ENT | DZ_NODE_F_WILD_PARENT);
	dz_zone_unref(z);

	/* neither: no zone flag */
	z = finish(new_builder());
	assert_int_equal(z->flags, DZ_ZONE_F_LINKS);
	dz_zone_unref(z);
}

/*
 * The RRs of many names interleaved, names made before their parents
 * have data: every RRset whole and in order, every parent's count of
 * children right (the builder links owners by index).
 */
static void test_zone_interleaved(void **state)
{
	(void)state;
	char line[128];
	struct dz_zone_builder *b = new_builder();
	assert_int_equal(add_rr(b, "x.y.z.d1.example.com. 300 IN A 127.1.0.1",
				NULL), 0);
	for (int i = 0; i < 3000; i++) {
		int j = i % 500;
		snprintf(line, sizeof(line),
			 "h%d.d%d.example.com. 300 IN A 127.0.%d.%d", j, j % 3,
			 i / 256, i % 256);
		assert_int_equal(add_rr(b, line, NULL), 0);
		if (i < 500) {
			snprintf(line, sizeof(line),
				 "h%d.d%d.example.com. 300 IN TXT \"t\"", j,
				 j % 3);
			assert_int_equal(add_rr(b, line, NULL), 0);
		}
	}
	assert_int_equal(add_rr(b, "z.d1.example.com. 300 IN A 127.1.0.2",
				NULL), 0);
	assert_true(dz_zone_builder_has(b, (const uint8_t *)
					"\4h499\2d1\7example\3com", 16));
	assert_false(dz_zone_builder_has(b, (const uint8_t *)
					 "\4h499\2d1\7example\3com", 28));
	struct dz_zone *z = finish(b);
	/* apex, d0..d2, 500 hosts, z, y (ENT), x */
	assert_int_equal(dz_zone_node_count(z), 1 + 3 + 500 + 3);
	assert_int_equal(dz_zone_rr_count(z), 1 + 3000 + 500 + 2);
	assert_int_equal(lookup(z, "example.com.")->nchild, 3);
	assert_int_equal(lookup(z, "d0.example.com.")->nchild, 167);
	assert_int_equal(lookup(z, "d1.example.com.")->nchild, 167 + 1);
	assert_int_equal(nflags(lookup(z, "z.d1.example.com.")), 0);
	assert_int_equal(lookup(z, "z.d1.example.com.")->nchild, 1);
	assert_int_equal(nflags(lookup(z, "y.z.d1.example.com.")),
			 DZ_NODE_F_ENT);
	for (int j = 0; j < 500; j += 7) {
		snprintf(line, sizeof(line), "h%d.d%d.example.com.", j, j % 3);
		const struct dz_node *n = lookup(z, line);
		assert_non_null(n);
		assert_int_equal(n->nrrsets, 2);
		const struct dz_rrset *a = dz_node_rrset(n, 1);
		assert_non_null(a);
		assert_int_equal(a->count, 6);
		for (int i = 0; i < 6; i++) {
			int want = j + 500 * i;
			const uint8_t *rd = a->rr[i] + 2;
			assert_int_equal(dz_wire_get_u16(a->rr[i]), 4);
			assert_int_equal(rd[2] * 256 + rd[3], want);
		}
		assert_int_equal(dz_node_rrset(n, 16)->count, 1);
		assert_true(n->rrsets[0].type < n->rrsets[1].type);
	}
	dz_zone_unref(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_builder_basic),
		cmocka_unit_test(test_zone_builder_rejects_outside_owner),
		cmocka_unit_test(test_zone_builder_collapse),
		cmocka_unit_test(test_zone_builder_ttl_min_and_conflict),
		cmocka_unit_test(test_zone_builder_has),
		cmocka_unit_test(test_zone_ents),
		cmocka_unit_test(test_zone_lookup_case),
		cmocka_unit_test(test_zone_walk_order),
		cmocka_unit_test(test_zone_canonical_order),
		cmocka_unit_test(test_zone_no_soa),
		cmocka_unit_test(test_zone_neg_ttl_min),
		cmocka_unit_test(test_zone_canonical_order_big),
		cmocka_unit_test(test_zone_sort_and_groups),
		cmocka_unit_test(test_zone_many_nodes),
		cmocka_unit_test(test_zone_cut_and_wildcard_flags),
		cmocka_unit_test(test_zone_interleaved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
