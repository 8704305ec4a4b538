/* SPDX-License-Identifier: MIT */
/* test_query_ident.c -- NSID (RFC 5001), CH TXT identity (RFC 4892), timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "query-fixture.h"
#include "query/query.h"

static uint8_t resp[DZ_MSG_MAX];
static size_t resplen;

static void set_ident(const char *nsid, const char *identity,
		      const char *version)
{
	struct dz_query_ident id = { 0 };

	id.nsid_len = strlen(nsid);
	memcpy(id.nsid, nsid, id.nsid_len);
	id.identity_len = strlen(identity);
	memcpy(id.identity, identity, id.identity_len);
	id.version_len = strlen(version);
	memcpy(id.version, version, id.version_len);
	dz_query_ctx_set_ident(fx_ctx, &id);
}

/* Reset the identity before each test: all off. */
static int each(void **state)
{
	(void)state;
	set_ident("", "", "");
	return 0;
}

/*
 * A query; edns < 0: no OPT; nsid: with an empty NSID option (the OPT RR
 * is the last RR ldns writes: its rdlength is the last two octets).
 */
static uint8_t *query(const char *name, uint16_t type, uint16_t class,
		      int edns, bool nsid, size_t *len)
{
	uint8_t *w = fx_query(name, type, class, edns, false, 0, len);

	assert_non_null(w);
	if (nsid) {
		w = realloc(w, *len + 4);
		assert_non_null(w);
		memcpy(w + *len, "\0\3\0\0", 4);
		w[*len - 1] = 4;
		*len += 4;
	}
	return w;
}

static ldns_pkt *ask(const char *name, uint16_t type, uint16_t class,
		     int edns, bool nsid)
{
	size_t len;
	uint8_t *w = query(name, type, class, edns, nsid, &len);
	ldns_pkt *p = NULL;

	resplen = dz_query_answer(fx_ctx, fx_snap, w, len, resp, 0);
	free(w);
	assert_true(resplen > 0);
	assert_int_equal(ldns_wire2pkt(&p, resp, resplen), LDNS_STATUS_OK);
	return p;
}

/* The response ends with the OPT RR: its rdata, or NULL when empty. */
static const uint8_t *opt_rdata(size_t *rdlen)
{
	/* Without options the OPT RR is the last 11 octets. */
	for (size_t n = 0; n + 11 <= resplen; n++) {
		const uint8_t *o = resp + resplen - 11 - n;
		if (o[0] == 0 && o[1] == 0 && o[2] == 41 &&
		    (size_t)(o[9] << 8 | o[10]) == n) {
			*rdlen = n;
			return n > 0 ? o + 11 : NULL;
		}
	}
	fail_msg("no OPT RR at the end of the response");
	return NULL;
}

static void test_nsid_sent_when_asked(void **state)
{
	size_t rdlen;
	const uint8_t *rd;
	struct dz_query_info info;

	(void)state;
	set_ident("node-7", "", "");
	ldns_pkt *p = ask("www.example.com.", LDNS_RR_TYPE_A,
			  LDNS_RR_CLASS_IN, 1232, true);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	rd = opt_rdata(&rdlen);
	assert_int_equal(rdlen, 4 + 6);
	assert_memory_equal(rd, "\0\3\0\6node-7", 10);
	dz_query_last(fx_ctx, &info);
	assert_true(info.nsid);
}

static void test_nsid_not_asked(void **state)
{
	size_t rdlen;
	struct dz_query_info info;

	(void)state;
	set_ident("node-7", "", "");
	ldns_pkt_free(ask("www.example.com.", LDNS_RR_TYPE_A,
			  LDNS_RR_CLASS_IN, 1232, false));
	assert_null(opt_rdata(&rdlen));
	dz_query_last(fx_ctx, &info);
	assert_false(info.nsid);
}

static void test_nsid_not_configured(void **state)
{
	size_t rdlen;

	(void)state;
	ldns_pkt_free(ask("www.example.com.", LDNS_RR_TYPE_A,
			  LDNS_RR_CLASS_IN, 1232, true));
	assert_null(opt_rdata(&rdlen));
}

/* Ask name with an NSID option: the rcode, one answer at most, and the
 * NSID option "\0\3\0\2" + nsid2 (two octets) in the OPT RR. */
static void expect_nsid(const char *name, uint16_t class, int rcode,
			size_t an, const char *nsid2)
{
	char want[6] = { 0, 3, 0, 2, nsid2[0], nsid2[1] };
	size_t rdlen;
	ldns_pkt *p = ask(name, class == LDNS_RR_CLASS_CH ? LDNS_RR_TYPE_TXT :
			  LDNS_RR_TYPE_A, class, 1232, true);

	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	assert_int_equal(ldns_pkt_ancount(p), an);
	assert_int_equal(ldns_pkt_edns_udp_size(p), DZ_EDNS_SIZE_DEFAULT);
	ldns_pkt_free(p);
	assert_non_null(opt_rdata(&rdlen));
	assert_int_equal(rdlen, 6);
	assert_memory_equal(opt_rdata(&rdlen), want, 6);
}

/* Negative and refused answers carry it too: every OPT does. */
static void test_nsid_on_refused_and_nxdomain(void **state)
{
	(void)state;
	set_ident("n1", "", "");
	expect_nsid("nope.invalid.", LDNS_RR_CLASS_IN, LDNS_RCODE_REFUSED, 0,
		    "n1");
	expect_nsid("nope.example.com.", LDNS_RR_CLASS_IN,
		    LDNS_RCODE_NXDOMAIN, 0, "n1");
}

/* The largest NSID with a 512-octet client still fits, the answer TC. */
static void test_nsid_fits_512(void **state)
{
	char big[DZ_NSID_MAX + 1];
	size_t rdlen;

	(void)state;
	memset(big, 'x', DZ_NSID_MAX);
	big[DZ_NSID_MAX] = '\0';
	set_ident(big, "", "");
	ldns_pkt *p = ask("big.example.com.", LDNS_RR_TYPE_A,
			  LDNS_RR_CLASS_IN, 512, true);
	assert_true(resplen <= 512);
	assert_true(ldns_pkt_tc(p));
	ldns_pkt_free(p);
	assert_non_null(opt_rdata(&rdlen));
	assert_int_equal(rdlen, 4 + DZ_NSID_MAX);
}

/* A TXT answer in class CH with text, AA set. */
static void expect_txt(const char *name, uint16_t type, const char *text)
{
	char want[300];
	ldns_pkt *p = ask(name, type, LDNS_RR_CLASS_CH, -1, false);
	ldns_rr *rr;
	char *s;

	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	rr = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
	assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_TXT);
	assert_int_equal(ldns_rr_get_class(rr), LDNS_RR_CLASS_CH);
	assert_int_equal(ldns_rr_ttl(rr), 0);
	s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	snprintf(want, sizeof(want), "\"%s\"", text);
	assert_string_equal(s, want);
	free(s);
	s = ldns_rdf2str(ldns_rr_owner(rr));
	assert_string_equal(s, name);
	free(s);
	ldns_pkt_free(p);
}

static void expect_refused(const char *name, uint16_t type)
{
	ldns_pkt *p = ask(name, type, LDNS_RR_CLASS_CH, -1, false);

	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
}

static void test_chaos_identity(void **state)
{
	struct dz_query_info info;

	(void)state;
	set_ident("", "ns1.dc1", "dropzone 9");
	expect_txt("id.server.", LDNS_RR_TYPE_TXT, "ns1.dc1");
	dz_query_last(fx_ctx, &info);
	assert_int_equal(info.cls, DZ_ANS_POSITIVE);
	assert_null(info.zone);
	assert_int_equal(info.qclass, LDNS_RR_CLASS_CH);
	expect_txt("hostname.bind.", LDNS_RR_TYPE_TXT, "ns1.dc1");
	expect_txt("version.bind.", LDNS_RR_TYPE_TXT, "dropzone 9");
	expect_txt("version.server.", LDNS_RR_TYPE_ANY, "dropzone 9");
	/* the owner keeps the case of the question */
	expect_txt("ID.Server.", LDNS_RR_TYPE_TXT, "ns1.dc1");
}

static void test_chaos_off_or_other(void **state)
{
	(void)state;
	expect_refused("id.server.", LDNS_RR_TYPE_TXT);
	expect_refused("version.bind.", LDNS_RR_TYPE_TXT);
	set_ident("", "ns1", "");
	expect_refused("version.bind.", LDNS_RR_TYPE_TXT);
	expect_refused("version.server.", LDNS_RR_TYPE_TXT);
	expect_refused("id.server.", LDNS_RR_TYPE_A);
	expect_refused("authors.bind.", LDNS_RR_TYPE_TXT);
	expect_refused("www.example.com.", LDNS_RR_TYPE_TXT);
	expect_refused("server.", LDNS_RR_TYPE_TXT);
	/* class IN is not CH */
	ldns_pkt *p = ask("id.server.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, -1,
			  false);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
}

/* EDNS in a CH question: the OPT comes back, with the NSID asked for. */
static void test_chaos_with_nsid(void **state)
{
	(void)state;
	set_ident("n2", "ns2", "");
	expect_nsid("id.server.", LDNS_RR_CLASS_CH, LDNS_RCODE_NOERROR, 1,
		    "n2");
}

/* One query in DZ_QUERY_SAMPLE carries a start time. */
static void test_sampled_start(void **state)
{
	struct dz_query_ctx *fresh = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
	struct dz_query_info info;
	unsigned timed = 0;
	size_t len;
	uint8_t *w = query("www.example.com.", LDNS_RR_TYPE_A,
			   LDNS_RR_CLASS_IN, -1, false, &len);

	(void)state;
	assert_non_null(fresh);
	for (unsigned i = 0; i < 4 * DZ_QUERY_SAMPLE; i++) {
		assert_true(dz_query_answer(fresh, fx_snap, w, len, resp,
					    0) > 0);
		dz_query_last(fresh, &info);
		if (i == 0) {
			assert_true(info.start_ns > 0);
			assert_true(info.start_ns <= dz_query_now_ns());
		}
		timed += info.start_ns != 0;
	}
	assert_int_equal(timed, 4);
	free(w);
	dz_query_ctx_free(fresh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nsid_sent_when_asked, each),
		cmocka_unit_test_setup(test_nsid_not_asked, each),
		cmocka_unit_test_setup(test_nsid_not_configured, each),
		cmocka_unit_test_setup(test_nsid_on_refused_and_nxdomain, each),
		cmocka_unit_test_setup(test_nsid_fits_512, each),
		cmocka_unit_test_setup(test_chaos_identity, each),
		cmocka_unit_test_setup(test_chaos_off_or_other, each),
		cmocka_unit_test_setup(test_chaos_with_nsid, each),
		cmocka_unit_test_setup(test_sampled_start, each),
	};

	return cmocka_run_group_tests(tests, fx_group_setup,
				      fx_group_teardown);
}
