/* SPDX-License-Identifier: MIT */
/* test_query_rfc.c -- zone cuts, CNAMEs, wildcards (RFC 1034, 4592). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include <cmocka.h>

#include "query-fixture.h"
#include "query/query.h"

static struct dz_snapshot *snap;
static struct dz_query_ctx *ctx;
static uint8_t resp[DZ_MSG_MAX];

static int setup(void **state)
{
	(void)state;
	snap = fx_snapshot();
	ctx = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
	return snap != NULL && ctx != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	dz_query_ctx_free(ctx);
	dz_snapshot_unref(snap);
	return 0;
}

/* The way Ferret asks: flags 0, no EDNS, UDP. */
static ldns_pkt *ask(const char *name, uint16_t type)
{
	size_t len, n;
	ldns_pkt *p = NULL;
	uint8_t *w = fx_query(name, type, LDNS_RR_CLASS_IN, -1, false, 0,
			      &len);

	assert_non_null(w);
	w[2] = 0;
	n = dz_query_answer(ctx, snap, w, len, resp, 0);
	free(w);
	assert_true(n > 12);
	assert_int_equal(ldns_wire2pkt(&p, resp, n), LDNS_STATUS_OK);
	return p;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A section as sorted "owner type rdata" lines joined by " | ", lower
 * case, TTLs and class left out.
 */
static const char *sec(const ldns_rr_list *l)
{
	static char out[2048];
	char *lines[64];
	size_t n = ldns_rr_list_rr_count(l), pos = 0;

	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *o = ldns_rdf2str(ldns_rr_owner(rr));
		char *t = ldns_rr_type2str(ldns_rr_get_type(rr));
		char rd[512] = "";
		for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
			char *r = ldns_rdf2str(ldns_rr_rdf(rr, k));
			strcat(rd, k ? " " : "");
			strcat(rd, r);
			free(r);
		}
		lines[i] = malloc(strlen(o) + strlen(t) + strlen(rd) + 3);
		sprintf(lines[i], "%s %s %s", o, t, rd);
		for (char *c = lines[i]; *c != '\0'; c++) {
			*c = (char)tolower((unsigned char)*c);
		}
		free(o);
		free(t);
	}
	qsort(lines, n, sizeof(*lines), line_cmp);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		pos += (size_t)snprintf(out + pos, sizeof(out) - pos, "%s%s",
					i ? " | " : "", lines[i]);
		free(lines[i]);
	}
	return out;
}

/* rcode, AA and the three sections (NULL: not checked). */
static void expect(const char *name, uint16_t type, int rcode, bool aa,
		   const char *an, const char *ns, const char *ar)
{
	ldns_pkt *p = ask(name, type);

	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	assert_int_equal(ldns_pkt_aa(p), aa);
	assert_false(ldns_pkt_tc(p));
	assert_string_equal(sec(ldns_pkt_answer(p)), an);
	if (ns != NULL) {
		assert_string_equal(sec(ldns_pkt_authority(p)), ns);
	}
	if (ar != NULL) {
		assert_string_equal(sec(ldns_pkt_additional(p)), ar);
	}
	ldns_pkt_free(p);
}

#define SOA "example.test. soa ns1.example.test. hostmaster.example.test. " \
	    "1 7200 900 1209600 600"
#define SUB_NS "sub.example.test. ns ns.deleg2.example.test. | " \
	       "sub.example.test. ns ns.other.test. | " \
	       "sub.example.test. ns ns.sub.example.test. | " \
	       "sub.example.test. ns ns1.example.test."
#define SUB_GLUE "ns.deleg2.example.test. a 127.0.0.8 | " \
		 "ns.sub.example.test. a 127.0.0.5 | " \
		 "ns.sub.example.test. aaaa ::5 | " \
		 "ns1.example.test. a 127.0.0.1"
#define DS_RD "8 2 49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de43dc2e2da2c4f0f7" \
	      "d2a3f8c1"

/* ---- zone cuts ------------------------------------------------------- */

static void test_rfc_referral(void **state)
{
	(void)state;
	/* below the cut, at it (any type, NS too), and glue names: AA
	 * clear, NS in authority, the addresses of every name server we
	 * have (in the cut, elsewhere in the zone, below another cut) */
	const char *names[] = { "deep.www.sub.example.test.",
				"sub.example.test.", "ns.sub.example.test.",
				"x.sub.example.test.",
				"x.y.sub.example.test." };
	const uint16_t types[] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_NS,
				   LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_AAAA,
				   LDNS_RR_TYPE_DS };
	for (size_t i = 0; i < 5; i++) {
		for (size_t t = 0; t < 5; t++) {
			if (t == 4 && i == 1) {
				continue; /* DS at the cut: ours */
			}
			expect(names[i], types[t], LDNS_RCODE_NOERROR, false,
			       "", SUB_NS, SUB_GLUE);
		}
	}
	/* a cut whose name server has no address here */
	expect("x.nods.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	       false, "", "nods.example.test. ns ns1.example.test.",
	       "ns1.example.test. a 127.0.0.1");
}

static void test_rfc_ds_at_cut(void **state)
{
	(void)state;
	expect("sub.example.test.", LDNS_RR_TYPE_DS, LDNS_RCODE_NOERROR, true,
	       "sub.example.test. ds 12345 " DS_RD, "", "");
	expect("nods.example.test.", LDNS_RR_TYPE_DS, LDNS_RCODE_NOERROR,
	       true, "", SOA, "");
	/* the child's apex: the parent, also ours, answers DS */
	expect("child.example.test.", LDNS_RR_TYPE_DS, LDNS_RCODE_NOERROR,
	       true, "child.example.test. ds 54321 " DS_RD, "", "");
	/* ...and the child everything else */
	expect("www.child.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	       true, "www.child.example.test. a 127.0.0.20", "", "");
	/* a zone apex whose parent is not ours answers DS itself */
	expect("example.test.", LDNS_RR_TYPE_DS, LDNS_RCODE_NOERROR, true, "",
	       SOA, "");
}

/* ---- CNAME ------------------------------------------------------------ */

static void test_rfc_cname_chain(void **state)
{
	(void)state;
	expect("a.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true,
	       "a.example.test. cname b.example.test. | "
	       "b.example.test. cname host1.example.test. | "
	       "host1.example.test. a 127.0.0.7", "", "");
	/* the last name's additional data */
	expect("tomx.example.test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, true,
	       "mx.example.test. mx 10 host1.example.test. | "
	       "tomx.example.test. cname mx.example.test.", "",
	       "host1.example.test. a 127.0.0.7");
}

static void test_rfc_cname_not_followed(void **state)
{
	(void)state;
	const char *a = "a.example.test. cname b.example.test.";

	expect("a.example.test.", LDNS_RR_TYPE_CNAME, LDNS_RCODE_NOERROR,
	       true, a, "", "");
	expect("a.example.test.", LDNS_RR_TYPE_ANY, LDNS_RCODE_NOERROR, true,
	       a, "", "");
	/* out of the zone, even into another zone of ours */
	expect("out.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true,
	       "out.example.test. cname www.example.com.", "", "");
}

static void test_rfc_cname_negative_end(void **state)
{
	(void)state;
	/* RFC 6604: the rcode of the last name, with its SOA */
	expect("dangling.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN,
	       true, "dangling.example.test. cname nothere.host1.example.test.",
	       SOA, "");
	expect("toent.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	       true, "toent.example.test. cname host2.example.test.", SOA,
	       "");
	expect("b.example.test.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, true,
	       "b.example.test. cname host1.example.test.", SOA, "");
}

static void test_rfc_cname_loops(void **state)
{
	(void)state;
	expect("loop1.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true,
	       "loop1.example.test. cname loop2.example.test. | "
	       "loop2.example.test. cname loop1.example.test.", "", "");
	expect("self.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true,
	       "self.example.test. cname self.example.test.", "", "");
	/* 17 CNAMEs (the first and 16 followed), then we stop */
	ldns_pkt *p = ask("c0.example.test.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 17);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	ldns_pkt_free(p);
	p = ask("c8.example.test.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_ancount(p), 17);
	ldns_pkt_free(p);
	p = ask("c9.example.test.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_ancount(p), 16); /* 15 CNAMEs and the A */
	ldns_pkt_free(p);
}

static void test_rfc_cname_to_cut(void **state)
{
	(void)state;
	/* the answer is ours (AA), the rest a referral */
	expect("todeleg.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	       true, "todeleg.example.test. cname x.sub.example.test.",
	       SUB_NS, SUB_GLUE);
}

/* ---- wildcards (the example of RFC 4592 2.2.1) ------------------------ */

static void test_rfc_wildcard_synthesis(void **state)
{
	(void)state;
	expect("host3.example.test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR,
	       true, "host3.example.test. mx 10 host1.example.test.", "",
	       "host1.example.test. a 127.0.0.7");
	expect("foo.bar.example.test.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR,
	       true, "foo.bar.example.test. txt \"wild\"", "", "");
	/* the question's case is kept in the synthesized owner */
	ldns_pkt *p = ask("HOST3.example.test.", LDNS_RR_TYPE_TXT);
	char *o = ldns_rdf2str(ldns_rr_owner(
		ldns_rr_list_rr(ldns_pkt_answer(p), 0)));
	assert_string_equal(o, "HOST3.example.test.");
	free(o);
	ldns_pkt_free(p);
	/* the wildcard itself asked for */
	expect("*.example.test.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true,
	       "*.example.test. txt \"wild\"", "", "");
}

static void test_rfc_wildcard_nodata(void **state)
{
	(void)state;
	expect("host3.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	       true, "", SOA, "");
	/* "*" as an empty non-terminal still matches: NODATA */
	expect("y.e.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true,
	       "", SOA, "");
}

static void test_rfc_wildcard_closest_encloser(void **state)
{
	(void)state;
	/* names that exist, data or empty non-terminal, are not matched */
	expect("host1.example.test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR,
	       true, "", SOA, "");
	expect("host2.example.test.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR,
	       true, "", SOA, "");
	expect("sub.*.example.test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR,
	       true, "", SOA, "");
	/* the closest encloser has no wildcard child */
	expect("_telnet._tcp.host1.example.test.", LDNS_RR_TYPE_TXT,
	       LDNS_RCODE_NXDOMAIN, true, "", SOA, "");
	expect("x._tcp.host2.example.test.", LDNS_RR_TYPE_TXT,
	       LDNS_RCODE_NXDOMAIN, true, "", SOA, "");
	expect("ghost.*.example.test.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NXDOMAIN,
	       true, "", SOA, "");
	expect("nothere.host1.example.test.", LDNS_RR_TYPE_A,
	       LDNS_RCODE_NXDOMAIN, true, "", SOA, "");
}

static void test_rfc_wildcard_cname(void **state)
{
	(void)state;
	expect("any.w.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true,
	       "any.w.example.test. cname host1.example.test. | "
	       "host1.example.test. a 127.0.0.7", "", "");
	/* a chain that reaches a wildcard */
	expect("towild.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	       true, "any.w.example.test. cname host1.example.test. | "
	       "host1.example.test. a 127.0.0.7 | "
	       "towild.example.test. cname any.w.example.test.", "", "");
}

static void test_rfc_wildcard_and_cuts(void **state)
{
	(void)state;
	/* *.sub is below the cut: never synthesized from */
	expect("zz.sub.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	       false, "", SUB_NS, SUB_GLUE);
	/* "*" with NS: a referral to it */
	expect("foo.wns.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	       false, "", "*.wns.example.test. ns ns1.example.test.",
	       "ns1.example.test. a 127.0.0.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_referral),
		cmocka_unit_test(test_rfc_ds_at_cut),
		cmocka_unit_test(test_rfc_cname_chain),
		cmocka_unit_test(test_rfc_cname_not_followed),
		cmocka_unit_test(test_rfc_cname_negative_end),
		cmocka_unit_test(test_rfc_cname_loops),
		cmocka_unit_test(test_rfc_cname_to_cut),
		cmocka_unit_test(test_rfc_wildcard_synthesis),
		cmocka_unit_test(test_rfc_wildcard_nodata),
		cmocka_unit_test(test_rfc_wildcard_closest_encloser),
		cmocka_unit_test(test_rfc_wildcard_cname),
		cmocka_unit_test(test_rfc_wildcard_and_cuts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
