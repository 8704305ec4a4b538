/* SPDX-License-Identifier: MIT */
/* test_xfr.c -- AXFR and IXFR streams, access list, replies, settings. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "query-fixture.h"
#include "query/query.h"
#include "xfr/xfr-internal.h"
#include "xfr/xfr.h"

static struct dz_snapshot *snap;
static uint8_t resp[DZ_MSG_MAX];
static struct sockaddr_in peer_ok, peer_bad;
static const char *allow[] = { "127.0.0.0/30", "::1" };

static int setup(void **state)
{
	(void)state;
	snap = fx_snapshot();
	assert_non_null(snap);
	peer_ok.sin_family = peer_bad.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &peer_ok.sin_addr);
	inet_pton(AF_INET, "127.0.0.9", &peer_bad.sin_addr);
	dz_xfr_allow.v = allow;
	dz_xfr_allow.n = 2;
	dz_xfr_cfg_reload();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dz_snapshot_unref(snap);
	return 0;
}

/* A query as wire: name, type; with serial != 0 an IXFR SOA. */
static size_t make_query(const char *name, ldns_rr_type type,
			 uint32_t serial, bool edns, uint8_t *out)
{
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	assert_int_equal(ldns_pkt_query_new_frm_str(&p, name, type,
						    LDNS_RR_CLASS_IN, 0),
			 LDNS_STATUS_OK);
	ldns_pkt_set_id(p, 0x1234);
	if (serial != 0) {
		char soa[256];
		ldns_rr *rr = NULL;
		snprintf(soa, sizeof(soa), "%s 0 IN SOA . . %u 0 0 0 0", name,
			 serial);
		assert_int_equal(ldns_rr_new_frm_str(&rr, soa, 0, NULL, NULL),
				 LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	}
	if (edns) {
		ldns_pkt_set_edns_udp_size(p, 1232);
	}
	assert_int_equal(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	memcpy(out, wire, len);
	free(wire);
	ldns_pkt_free(p);
	return len;
}

/* Run a transfer to its end; the RRs of every message in one list. */
static ldns_rr_list *stream(struct dz_xfr *x, size_t *nmsg, bool question)
{
	ldns_rr_list *all = ldns_rr_list_new();
	size_t len;

	*nmsg = 0;
	while ((len = dz_xfr_next(x, resp)) > 0) {
		ldns_pkt *p = NULL;
		assert_true(len <= DZ_MSG_MAX);
		assert_int_equal(ldns_wire2pkt(&p, resp, len), LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt_id(p), 0x1234);
		assert_true(ldns_pkt_qr(p));
		assert_true(ldns_pkt_aa(p));
		assert_false(ldns_pkt_tc(p));
		assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
		/* the question in the first message only */
		assert_int_equal(ldns_pkt_qdcount(p),
				 *nmsg == 0 && question ? 1 : 0);
		/* packed, but not past the target by more than one RR */
		assert_true(len < 16384 + 1024);
		ldns_rr_list_push_rr_list(all, ldns_pkt_answer(p));
		ldns_rr_list_free(ldns_pkt_answer(p));
		ldns_pkt_set_answer(p, ldns_rr_list_new());
		ldns_pkt_free(p);
		(*nmsg)++;
	}
	dz_xfr_free(x);
	return all;
}

static enum dz_xfr_verdict start(const char *name, ldns_rr_type type,
				 uint32_t serial,
				 const struct sockaddr_in *peer,
				 size_t *rlen, struct dz_xfr **x)
{
	uint8_t q[512];
	size_t qlen = make_query(name, type, serial, true, q);

	return dz_xfr_start(snap, q, qlen, (const struct sockaddr *)peer,
			    sizeof(*peer), resp, rlen, x);
}

static const struct dz_zone *zone_named(const char *name)
{
	for (size_t i = 0; i < dz_snapshot_zone_count(snap); i++) {
		const struct dz_zone *z = dz_snapshot_zone_at(snap, i);
		char t[256];
		dz_dname_to_text(dz_zone_origin(z), t, sizeof(t));
		if (strcmp(t, name) == 0) {
			return z;
		}
	}
	fail_msg("no zone %s", name);
	return NULL;
}

/* Every RR of the zone once, the SOA first and last. */
static void check_full(ldns_rr_list *l, const struct dz_zone *z)
{
	size_t n = ldns_rr_list_rr_count(l);
	ldns_rr_list *body = ldns_rr_list_new();

	assert_int_equal(n, dz_zone_rr_count(z) + 1);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(l, 0)),
			 LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(l, n - 1)),
			 LDNS_RR_TYPE_SOA);
	for (size_t i = 1; i + 1 < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		assert_int_not_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_SOA);
		ldns_rr_list_push_rr(body, rr);
	}
	ldns_rr_list_sort(body);
	for (size_t i = 1; i < ldns_rr_list_rr_count(body); i++) {
		assert_int_not_equal(ldns_rr_compare(
			ldns_rr_list_rr(body, i - 1),
			ldns_rr_list_rr(body, i)), 0);
	}
	ldns_rr_list_free(body);
}

static void test_axfr(void **state)
{
	struct dz_xfr *x = NULL;
	size_t rlen = 0, nmsg;
	ldns_rr_list *l;

	(void)state;
	assert_int_equal(start("example.com.", LDNS_RR_TYPE_AXFR, 0, &peer_ok,
			       &rlen, &x), DZ_XFR_STREAM);
	assert_non_null(x);
	l = stream(x, &nmsg, true);
	check_full(l, zone_named("example.com."));
	assert_int_equal(nmsg, 1);
	ldns_rr_list_deep_free(l);
}

/* A zone of many RRs: several messages, each packed to the target. */
static void test_axfr_big(void **state)
{
	struct dz_zone_builder *b;
	struct dz_snapshot *s = dz_snapshot_new(), *keep = snap;
	struct dz_zone *z;
	struct dz_xfr *x = NULL;
	const char *err;
	char line[160];
	size_t rlen, nmsg;
	ldns_rr_list *l;

	(void)state;
	b = dz_zone_builder_new((const uint8_t *)"\3big\4test");
	assert_int_equal(fx_add(b, "big.test. 60 IN SOA ns.big.test. "
				"h.big.test. 5 1 1 1 1"), 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(line, sizeof(line), "host%d.sub.big.test. 60 IN TXT "
			 "\"record number %d of the big zone\"", i, i);
		assert_int_equal(fx_add(b, line), 0);
	}
	z = dz_zone_builder_finish(b, &err);
	assert_non_null(z);
	assert_int_equal(dz_snapshot_add_zone(s, z), 0);
	snap = s;
	assert_int_equal(start("big.test.", LDNS_RR_TYPE_AXFR, 0, &peer_ok,
			       &rlen, &x), DZ_XFR_STREAM);
	snap = keep;
	/* the transfer holds the zone: the snapshot may go */
	dz_snapshot_unref(s);
	l = stream(x, &nmsg, true);
	check_full(l, z);
	assert_true(nmsg >= 10);
	dz_zone_unref(z);
	ldns_rr_list_deep_free(l);
}

static void expect_reply(enum dz_xfr_verdict v, size_t rlen, int rcode,
			 size_t nan)
{
	ldns_pkt *p = NULL;

	assert_int_equal(v, DZ_XFR_REPLY);
	assert_int_equal(ldns_wire2pkt(&p, resp, rlen), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	assert_int_equal(ldns_pkt_id(p), 0x1234);
	assert_int_equal(ldns_pkt_ancount(p), nan);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_false(ldns_pkt_tc(p));
	ldns_pkt_free(p);
}

static void test_refused(void **state)
{
	struct dz_xfr *x = NULL;
	size_t rlen = 0;
	enum dz_xfr_verdict v;

	(void)state;
	v = start("example.com.", LDNS_RR_TYPE_AXFR, 0, &peer_bad, &rlen, &x);
	assert_null(x);
	expect_reply(v, rlen, LDNS_RCODE_REFUSED, 0);
	v = start("example.com.", LDNS_RR_TYPE_IXFR, 1, &peer_bad, &rlen, &x);
	expect_reply(v, rlen, LDNS_RCODE_REFUSED, 0);
}

static void test_notauth(void **state)
{
	struct dz_xfr *x = NULL;
	size_t rlen = 0;
	enum dz_xfr_verdict v;

	(void)state;
	v = start("example.org.", LDNS_RR_TYPE_AXFR, 0, &peer_ok, &rlen, &x);
	expect_reply(v, rlen, LDNS_RCODE_NOTAUTH, 0);
	/* a name inside a zone is not a zone */
	v = start("www.example.com.", LDNS_RR_TYPE_AXFR, 0, &peer_ok, &rlen,
		  &x);
	expect_reply(v, rlen, LDNS_RCODE_NOTAUTH, 0);
	assert_null(x);
}

static void test_not_transfer(void **state)
{
	struct dz_xfr *x = NULL;
	size_t rlen = 0;

	(void)state;
	assert_int_equal(start("example.com.", LDNS_RR_TYPE_SOA, 0, &peer_ok,
			       &rlen, &x), DZ_XFR_NONE);
	assert_int_equal(start("example.com.", LDNS_RR_TYPE_A, 0, &peer_bad,
			       &rlen, &x), DZ_XFR_NONE);
	assert_null(x);
}

static void test_ixfr_current(void **state)
{
	struct dz_xfr *x = NULL;
	size_t rlen = 0;
	enum dz_xfr_verdict v;

	(void)state;
	/* example.net has serial 7: the client is up to date, or ahead */
	v = start("example.net.", LDNS_RR_TYPE_IXFR, 7, &peer_ok, &rlen, &x);
	expect_reply(v, rlen, LDNS_RCODE_NOERROR, 1);
	v = start("example.net.", LDNS_RR_TYPE_IXFR, 8, &peer_ok, &rlen, &x);
	expect_reply(v, rlen, LDNS_RCODE_NOERROR, 1);
}

/* dz_xfr_udp() on a query; whether it answered, the reply's rcode,
 * answer count and TC bit (-1, 0, false when it did not). The serial
 * of the SOA answered goes to udp_serial. */
static uint32_t udp_serial;

static bool udp(const char *name, ldns_rr_type type, uint32_t serial,
		const struct sockaddr_in *peer, size_t udp_max, int *rcode,
		size_t *nan, bool *tc)
{
	const struct dz_zone *z = NULL;
	ldns_pkt *p = NULL;
	uint8_t q[512];
	size_t qlen = make_query(name, type, serial, true, q), rlen = 0;

	*rcode = -1;
	*nan = 0;
	*tc = false;
	if (!dz_xfr_udp(snap, q, qlen, (const struct sockaddr *)peer,
			udp_max, resp, &rlen, &z)) {
		assert_null(z);
		return false;
	}
	assert_true(rlen <= (udp_max < 512 ? 512 : udp_max));
	assert_int_equal(ldns_wire2pkt(&p, resp, rlen), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(p), 0x1234);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	*rcode = ldns_pkt_get_rcode(p);
	*nan = ldns_pkt_ancount(p);
	*tc = ldns_pkt_tc(p);
	if (*nan == 1) {
		ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
		assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
		udp_serial = ldns_rdf2native_int32(ldns_rr_rdf(soa, 2));
	}
	assert_true(ldns_pkt_aa(p) == (*rcode == LDNS_RCODE_NOERROR));
	assert_true((z != NULL) == (*rcode == LDNS_RCODE_NOERROR));
	ldns_pkt_free(p);
	return true;
}

/* IXFR over UDP (RFC 1995 2): our SOA alone, or the TCP path's refusal. */
static void test_ixfr_udp(void **state)
{
	int rc;
	size_t nan;
	bool tc;

	(void)state;
	/* older, the same, newer: the SOA (serial 7) */
	for (uint32_t from = 6; from <= 8; from++) {
		assert_true(udp("example.net.", LDNS_RR_TYPE_IXFR, from,
				&peer_ok, 1232, &rc, &nan, &tc));
		assert_int_equal(rc, LDNS_RCODE_NOERROR);
		assert_int_equal(nan, 1);
		assert_false(tc);
		assert_int_equal(udp_serial, 7);
	}
	assert_true(udp("example.net.", LDNS_RR_TYPE_IXFR, 3, &peer_bad, 1232,
			&rc, &nan, &tc));
	assert_int_equal(rc, LDNS_RCODE_REFUSED);
	assert_int_equal(nan, 0);
	assert_true(udp("example.org.", LDNS_RR_TYPE_IXFR, 3, &peer_ok, 1232,
			&rc, &nan, &tc));
	assert_int_equal(rc, LDNS_RCODE_NOTAUTH);
	/* no SOA in the authority section, AXFR, a plain query: FORMERR
	 * or the answer of the query path */
	assert_false(udp("example.net.", LDNS_RR_TYPE_IXFR, 0, &peer_ok, 1232,
			 &rc, &nan, &tc));
	assert_false(udp("example.net.", LDNS_RR_TYPE_AXFR, 0, &peer_ok, 1232,
			 &rc, &nan, &tc));
	assert_false(udp("example.net.", LDNS_RR_TYPE_SOA, 0, &peer_ok, 1232,
			 &rc, &nan, &tc));
	/* no room for the SOA: TC, and the client goes to TCP all the same */
	assert_true(udp("example.net.", LDNS_RR_TYPE_IXFR, 3, &peer_ok, 40,
			&rc, &nan, &tc));
	assert_int_equal(rc, LDNS_RCODE_NOERROR);
	assert_int_equal(nan, 0);
	assert_true(tc);
}

/* No history: the whole zone, in the AXFR shape (RFC 1995 4). */
static void test_ixfr_fallback(void **state)
{
	struct dz_xfr *x = NULL;
	size_t rlen = 0, nmsg;
	ldns_rr_list *l;

	(void)state;
	assert_int_equal(start("example.net.", LDNS_RR_TYPE_IXFR, 3, &peer_ok,
			       &rlen, &x), DZ_XFR_STREAM);
	l = stream(x, &nmsg, true);
	check_full(l, zone_named("example.net."));
	ldns_rr_list_deep_free(l);
}

static const char *const ix_v1[] = {
	"ix.test. 300 IN SOA ns.ix.test. h.ix.test. 1 7200 900 1209600 600",
	"ix.test. 300 IN NS ns.ix.test.",
	"ns.ix.test. 300 IN A 127.0.0.1",
	"www.ix.test. 300 IN A 127.0.0.2",
	"old.ix.test. 300 IN TXT \"going\"",
	NULL,
};

static const char *const ix_v2[] = {
	"ix.test. 300 IN SOA ns.ix.test. h.ix.test. 2 7200 900 1209600 600",
	"ix.test. 300 IN NS ns.ix.test.",
	"ns.ix.test. 300 IN A 127.0.0.1",
	"www.ix.test. 300 IN A 127.0.0.3",
	"new.ix.test. 300 IN TXT \"coming\"",
	NULL,
};

static const char *const ix_v3[] = {
	"ix.test. 300 IN SOA ns.ix.test. h.ix.test. 3 7200 900 1209600 600",
	"ix.test. 300 IN NS ns.ix.test.",
	"ns.ix.test. 60 IN A 127.0.0.1",
	"www.ix.test. 300 IN A 127.0.0.3",
	"new.ix.test. 300 IN TXT \"coming\"",
	NULL,
};

/* The serials and type sequence of an IXFR stream, as text. */
static void ixfr_shape(ldns_rr_list *l, char *out, size_t outsz)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *t;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			n += (size_t)snprintf(out + n, outsz - n, "SOA%u ",
				ldns_rdf2native_int32(ldns_rr_rdf(rr, 2)));
			continue;
		}
		t = ldns_rdf2str(ldns_rr_owner(rr));
		n += (size_t)snprintf(out + n, outsz - n, "%s/%u ", t,
				      ldns_rr_ttl(rr));
		free(t);
	}
}

/* IXFR from serial from of ix.test at version z; its shape. */
static void ixfr_of(struct dz_zone *z, uint32_t from, char *shape,
		    size_t sz)
{
	struct dz_snapshot *s = dz_snapshot_new(), *keep = snap;
	struct dz_xfr *x = NULL;
	size_t rlen, nmsg;
	ldns_rr_list *l;

	assert_int_equal(dz_snapshot_add_zone(s, z), 0);
	snap = s;
	assert_int_equal(start("ix.test.", LDNS_RR_TYPE_IXFR, from, &peer_ok,
			       &rlen, &x), DZ_XFR_STREAM);
	snap = keep;
	dz_snapshot_unref(s);
	l = stream(x, &nmsg, true);
	ixfr_shape(l, shape, sz);
	ldns_rr_list_deep_free(l);
}

static void test_ixfr_history(void **state)
{
	struct dz_zone *v1 = fx_zone("ix.test.", ix_v1, false);
	struct dz_zone *v2 = fx_zone("ix.test.", ix_v2, false);
	struct dz_zone *v3 = fx_zone("ix.test.", ix_v3, false);
	char dir[] = "/tmp/dz-test-xfr.XXXXXX", shape[1024], cmd[128];

	(void)state;
	assert_non_null(mkdtemp(dir));
	dz_xfr_hist_record(dir, NULL, v1);
	dz_xfr_hist_record(dir, v1, v2);
	dz_xfr_hist_record(dir, v2, v3);
	/* RFC 1995 4: new SOA, (old SOA, deleted, new SOA, added)..., SOA */
	ixfr_of(v3, 1, shape, sizeof(shape));
	assert_string_equal(shape, "SOA3 SOA1 old.ix.test./300 "
			    "www.ix.test./300 SOA2 new.ix.test./300 "
			    "www.ix.test./300 SOA2 ns.ix.test./300 SOA3 "
			    "ns.ix.test./60 SOA3 ");
	ixfr_of(v3, 2, shape, sizeof(shape));
	assert_string_equal(shape, "SOA3 SOA2 ns.ix.test./300 SOA3 "
			    "ns.ix.test./60 SOA3 ");
	/* a serial the history does not know: the whole zone */
	ixfr_of(v3, 4294967000u, shape, sizeof(shape));
	assert_string_equal(shape, "SOA3 ix.test./300 new.ix.test./300 "
			    "ns.ix.test./60 www.ix.test./300 SOA3 ");

	/* a restart: the history comes back from the state dir */
	dz_xfr_hist_clear();
	dz_xfr_hist_record(dir, NULL, v3);
	ixfr_of(v3, 2, shape, sizeof(shape));
	assert_string_equal(shape, "SOA3 SOA2 ns.ix.test./300 SOA3 "
			    "ns.ix.test./60 SOA3 ");
	/* ... unless the zone moved on meanwhile: it cannot be used */
	dz_xfr_hist_clear();
	dz_xfr_hist_record(dir, NULL, v2);
	ixfr_of(v2, 1, shape, sizeof(shape));
	assert_string_equal(shape, "SOA2 ix.test./300 new.ix.test./300 "
			    "ns.ix.test./300 www.ix.test./300 SOA2 ");
	dz_xfr_hist_clear();
	dz_zone_unref(v1);
	dz_zone_unref(v2);
	dz_zone_unref(v3);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The bound: only the last N changes are kept. */
static void test_ixfr_bound(void **state)
{
	struct dz_zone *v1 = fx_zone("ix.test.", ix_v1, false);
	struct dz_zone *v2 = fx_zone("ix.test.", ix_v2, false);
	struct dz_zone *v3 = fx_zone("ix.test.", ix_v3, false);
	char shape[1024];
	unsigned keep = dz_xfr_ixfr_history;

	(void)state;
	dz_xfr_ixfr_history = 1;
	dz_xfr_hist_record(NULL, NULL, v1);
	dz_xfr_hist_record(NULL, v1, v2);
	dz_xfr_hist_record(NULL, v2, v3);
	ixfr_of(v3, 1, shape, sizeof(shape));
	assert_true(strncmp(shape, "SOA3 ix.test./300", 17) == 0);
	ixfr_of(v3, 2, shape, sizeof(shape));
	assert_true(strncmp(shape, "SOA3 SOA2 ", 10) == 0);
	dz_xfr_ixfr_history = keep;
	dz_xfr_hist_clear();
	dz_zone_unref(v1);
	dz_zone_unref(v2);
	dz_zone_unref(v3);
}

static void test_acl_parse(void **state)
{
	struct xacl a;
	const char *why = NULL;

	(void)state;
	assert_int_equal(dz_xfr_acl_parse("10.0.0.0/8", &a, &why), 0);
	assert_int_equal(a.len, 8);
	assert_int_equal(dz_xfr_acl_parse("::1", &a, &why), 0);
	assert_int_equal(a.len, 128);
	assert_int_equal(dz_xfr_acl_parse("10.0.0.0/33", &a, &why), -1);
	assert_string_equal(why, "prefix length out of range");
	assert_int_equal(dz_xfr_acl_parse("host.example", &a, &why), -1);
	assert_int_equal(dz_xfr_acl_parse("1.2.3.4/", &a, &why), -1);
}

static void test_acl_match(void **state)
{
	const struct xcfg *c = dz_xfr_cfg();
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	(void)state;
	inet_pton(AF_INET, "127.0.0.3", &s4.sin_addr);
	assert_true(dz_xfr_acl_allows(c, (struct sockaddr *)&s4));
	inet_pton(AF_INET, "127.0.0.4", &s4.sin_addr);
	assert_false(dz_xfr_acl_allows(c, (struct sockaddr *)&s4));
	inet_pton(AF_INET6, "::1", &s6.sin6_addr);
	assert_true(dz_xfr_acl_allows(c, (struct sockaddr *)&s6));
	inet_pton(AF_INET6, "::2", &s6.sin6_addr);
	assert_false(dz_xfr_acl_allows(c, (struct sockaddr *)&s6));
	/* v4-mapped peers (dual-stack sockets) match IPv4 prefixes */
	inet_pton(AF_INET6, "::ffff:127.0.0.2", &s6.sin6_addr);
	assert_true(dz_xfr_acl_allows(c, (struct sockaddr *)&s6));
}

static void test_tsig_keyfile(void **state)
{
	struct xtsig_key k;
	const char *why = NULL;

	(void)state;
	assert_int_equal(dz_xfr_tsig_parse(
		"# made by tsig-keygen\n"
		"key \"xfr-key\" {\n\talgorithm hmac-sha256;\n"
		"\tsecret \"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\";\n};\n",
		&k, &why), 0);
	assert_string_equal(k.name, "xfr-key.");
	assert_string_equal(k.algorithm, "hmac-sha256.");
	assert_string_equal(k.secret, "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
	assert_int_equal(dz_xfr_tsig_parse(
		"key k { algorithm hmac-md5; secret \"aa==\"; };", &k, &why),
		-1);
	assert_string_equal(why, "algorithm is not hmac-sha256");
	assert_int_equal(dz_xfr_tsig_parse("key k { algorithm hmac-sha256; };",
					   &k, &why), -1);
	assert_string_equal(why, "the key has no secret");
	assert_int_equal(dz_xfr_tsig_parse("zone x {};", &k, &why), -1);
}

#define KEY_SECRET "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"

/* A signed SOA query through the query path's hook: answered, signed. */
static void signed_query(const struct dz_snapshot *s)
{
	struct dz_query_ctx *qc = dz_query_ctx_new(1232);
	struct dz_xfr_tsig *ctx = NULL;
	ldns_pkt *qp = NULL, *rp = NULL;
	uint8_t *wire = NULL, stripped[512];
	size_t qlen = 0, slen = 0, rlen = 0;

	ldns_pkt_query_new_frm_str(&qp, "sig.test.", LDNS_RR_TYPE_SOA,
				   LDNS_RR_CLASS_IN, 0);
	ldns_pkt_tsig_sign(qp, "xfr-key.", KEY_SECRET, 300, "hmac-sha256.",
			   NULL);
	ldns_pkt2wire(&wire, qp, &qlen);
	assert_int_equal(dz_xfr_tsig_unwrap(wire, qlen, stripped, &slen, resp,
					    &rlen, &ctx), DZ_XFR_TSIG_SIGNED);
	assert_int_equal(dz_wire_get_u16(stripped + 10), 0);
	rlen = dz_query_answer(qc, s, stripped, slen, resp, 0);
	rlen = dz_xfr_tsig_wrap(ctx, resp, rlen, 1232);
	assert_true(rlen > 0);
	assert_int_equal(ldns_wire2pkt(&rp, resp, rlen), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_ancount(rp), 1);
	assert_true(ldns_pkt_tsig_verify(rp, resp, rlen, "xfr-key.",
		KEY_SECRET, ldns_rr_rdf(ldns_pkt_tsig(qp), 3)));
	ldns_pkt_free(rp);
	/* unsigned: untouched */
	assert_int_equal(dz_xfr_tsig_unwrap(stripped, slen, stripped, &slen,
					    resp, &rlen, &ctx),
			 DZ_XFR_TSIG_NONE);
	free(wire);
	ldns_pkt_free(qp);
	dz_query_ctx_free(qc);
}

/* Several messages, each signed, each verifying against the one before
 * (RFC 8945 5.3.1); a wrong secret gets NOTAUTH. */
static void test_tsig_stream(void **state)
{
	char path[] = "/tmp/dz-test-xfr-key.XXXXXX";
	int fd = mkstemp(path);
	const char *why = NULL, *ptr = NULL;
	struct dz_zone_builder *b = dz_zone_builder_new(
		(const uint8_t *)"\3sig\4test");
	struct dz_snapshot *s = dz_snapshot_new(), *keep = snap;
	struct dz_zone *z;
	struct dz_xfr *x = NULL;
	ldns_pkt *qp = NULL;
	ldns_rdf *mac;
	uint8_t *wire = NULL;
	size_t qlen = 0, rlen, n = 0;
	char line[128];

	(void)state;
	assert_true(fd >= 0);
	snprintf(line, sizeof(line), "key \"xfr-key\" { algorithm "
		 "hmac-sha256; secret \"%s\"; };\n", KEY_SECRET);
	assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	close(fd);
	assert_int_equal(dz_xfr_tsig_opt(path, &ptr, &why), 0);
	unlink(path);
	dz_xfr_cfg_reload();
	assert_int_equal(fx_add(b, "sig.test. 60 IN SOA ns.sig.test. "
				"h.sig.test. 5 1 1 1 1"), 0);
	for (int i = 0; i < 2000; i++) {
		snprintf(line, sizeof(line), "h%d.sig.test. 60 IN TXT "
			 "\"some text to fill the messages %d\"", i, i);
		assert_int_equal(fx_add(b, line), 0);
	}
	z = dz_zone_builder_finish(b, &why);
	assert_int_equal(dz_snapshot_add_zone(s, z), 0);
	dz_zone_unref(z);

	assert_int_equal(ldns_pkt_query_new_frm_str(&qp, "sig.test.",
		LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_tsig_sign(qp, "xfr-key.", KEY_SECRET, 300,
					    "hmac-sha256.", NULL),
			 LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt2wire(&wire, qp, &qlen), LDNS_STATUS_OK);
	mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(qp), 3));
	assert_int_equal(dz_xfr_start(s, wire, qlen,
				      (struct sockaddr *)&peer_ok,
				      sizeof(peer_ok), resp, &rlen, &x),
			 DZ_XFR_STREAM);
	while ((rlen = dz_xfr_next(x, resp)) > 0) {
		ldns_pkt *p = NULL;
		assert_int_equal(ldns_wire2pkt(&p, resp, rlen),
				 LDNS_STATUS_OK);
		assert_non_null(ldns_pkt_tsig(p));
		assert_true(ldns_pkt_tsig_verify_next(p, resp, rlen,
			"xfr-key.", KEY_SECRET, mac, n > 0));
		ldns_rdf_deep_free(mac);
		mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(p), 3));
		ldns_pkt_free(p);
		n++;
	}
	dz_xfr_free(x);
	assert_true(n > 3);
	ldns_rdf_deep_free(mac);
	free(wire);
	ldns_pkt_free(qp);

	/* the wrong secret: NOTAUTH, and nothing of the zone */
	qp = NULL;
	ldns_pkt_query_new_frm_str(&qp, "sig.test.", LDNS_RR_TYPE_AXFR,
				   LDNS_RR_CLASS_IN, 0);
	ldns_pkt_tsig_sign(qp, "xfr-key.", "b3RoZXJvdGhlcm90aGVyb3RoZXI=",
			   300, "hmac-sha256.", NULL);
	ldns_pkt2wire(&wire, qp, &qlen);
	assert_int_equal(dz_xfr_start(s, wire, qlen,
				      (struct sockaddr *)&peer_ok,
				      sizeof(peer_ok), resp, &rlen, &x),
			 DZ_XFR_REPLY);
	assert_int_equal(resp[3] & 0x0f, LDNS_RCODE_NOTAUTH);
	assert_int_equal(dz_wire_get_u16(resp + 6), 0);
	free(wire);
	ldns_pkt_free(qp);
	/* unsigned while a key is set: REFUSED */
	snap = s;
	assert_int_equal(start("sig.test.", LDNS_RR_TYPE_AXFR, 0, &peer_ok,
			       &rlen, &x), DZ_XFR_REPLY);
	assert_int_equal(resp[3] & 0x0f, LDNS_RCODE_REFUSED);
	snap = keep;
	signed_query(s);
	dz_snapshot_unref(s);
	dz_xfr_tsig_opt(NULL, &ptr, &why);
	dz_xfr_cfg_reload();
}

/* The catalog: SOA, NS invalid., version "2", one PTR per zone. */
static void test_catalog(void **state)
{
	struct dz_snapshot *s = fx_snapshot(), *keep = snap;
	struct dz_xfr *x = NULL;
	size_t rlen, nmsg, nptr = 0;
	ldns_rr_list *l;
	uint32_t serial;

	(void)state;
	dz_xfr_catalog = "catalog.invalid";
	assert_int_equal(dz_xfr_catalog_add(s), 0);
	assert_int_equal(dz_snapshot_zone_count(s), 5);
	snap = s;
	serial = dz_zone_serial(zone_named("catalog.invalid."));
	assert_int_equal(start("catalog.invalid.", LDNS_RR_TYPE_AXFR, 0,
			       &peer_ok, &rlen, &x), DZ_XFR_STREAM);
	l = stream(x, &nmsg, true);
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *t = ldns_rr2str(rr);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_PTR) {
			nptr++;
			assert_non_null(strstr(t, ".zones.catalog.invalid."));
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT) {
			assert_non_null(strstr(t, "version.catalog.invalid."));
			assert_non_null(strstr(t, "\"2\""));
		}
		free(t);
	}
	assert_int_equal(nptr, 4);
	ldns_rr_list_deep_free(l);
	snap = keep;
	dz_snapshot_unref(s);
	/* the same zones: the same serial */
	s = fx_snapshot();
	assert_int_equal(dz_xfr_catalog_add(s), 0);
	snap = s;
	assert_int_equal(dz_zone_serial(zone_named("catalog.invalid.")),
			 serial);
	snap = keep;
	dz_snapshot_unref(s);
	dz_xfr_catalog = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_axfr),
		cmocka_unit_test(test_axfr_big),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_notauth),
		cmocka_unit_test(test_not_transfer),
		cmocka_unit_test(test_ixfr_current),
		cmocka_unit_test(test_ixfr_fallback),
		cmocka_unit_test(test_ixfr_udp),
		cmocka_unit_test(test_ixfr_history),
		cmocka_unit_test(test_ixfr_bound),
		cmocka_unit_test(test_acl_parse),
		cmocka_unit_test(test_acl_match),
		cmocka_unit_test(test_tsig_keyfile),
		cmocka_unit_test(test_tsig_stream),
		cmocka_unit_test(test_catalog),
	};

	(void)fx_query; /* the fixture's, unused here */

	return cmocka_run_group_tests(tests, setup, teardown);
}
