/* SPDX-License-Identifier: MIT */
/* test_checks.c -- cross-record checks of the build: CNAME apex, beside. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/load.h"
#include "plugin/plugin.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "zone/build.h"
#include "zone/checks.h"
#include "zone/snapshot.h"
#include "zone/zone.h"
#include "buildtest.h"

enum { T_A = 1, T_NS = 2, T_CNAME = 5, T_SOA = 6, T_MX = 15, T_TXT = 16 };

/* ---- fixture: files from buffers, one build ----------------------------- */


static void expect_status(const char *kind, const char *name,
			  enum dz_reason r, const char *msg_part)
{
	const struct dz_object *o = obj(kind, name);

	if (o->reason != r || strstr(dz_object_message(o), msg_part) == NULL) {
		fail_msg("%s %s: %s '%s', want %s '%s'", kind, name,
			 dz_reason_name(o->reason), dz_object_message(o),
			 dz_reason_name(r), msg_part);
	}
}

/* The build error of o: exactly one, at this line. */
static void expect_error_at(const char *kind, const char *name,
			    const char *phrase, uint32_t line)
{
	const struct dz_object *o = obj(kind, name);
	size_t found = 0;

	for (size_t i = 0; i < dz_object_bdiags(o)->n; i++) {
		const struct dz_diag *d = &dz_object_bdiags(o)->items[i];
		if (d->sev == DZ_SEV_ERROR) {
			found++;
			assert_non_null(strstr(d->msg, phrase));
			assert_int_equal(d->line, line);
		}
	}
	assert_int_equal(found, 1);
}

/* Does the served zone example.com have an RRset (name, type)? */
static bool served(const char *name, uint16_t type)
{
	uint8_t wire[DZ_DNAME_MAX], zname[DZ_DNAME_MAX];
	size_t len, zlen;
	const struct dz_zone *z;
	const struct dz_node *n;

	assert_int_equal(dz_dname_from_text("example.com.", 12, NULL, zname,
					    &zlen, NULL, NULL), 0);
	z = dz_snapshot_find_zone(fx.snap, zname, zlen);
	assert_non_null(z);
	assert_int_equal(dz_dname_from_text(name, strlen(name), NULL, wire,
					    &len, NULL, NULL), 0);
	dz_dname_tolower(wire);
	n = dz_zone_lookup(z, wire, len);
	return n != NULL && dz_node_rrset(n, type) != NULL;
}

/* ---- manifests ---------------------------------------------------------- */

#define HDR(kind, name) \
	"apiVersion: bindy.firestoned.io/v1beta1\nkind: " kind "\n" \
	"metadata:\n  name: " name "\n  labels:\n    zone: example.com\n"

/* Line 14 is the first line after ZONE: records below count from there. */
#define ZONE \
	"apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n" \
	"metadata:\n  name: example-com\n" \
	"spec:\n  zoneName: example.com\n" \
	"  soaRecord:\n" \
	"    primaryNs: ns1.example.com.\n" \
	"    adminEmail: hostmaster@example.com\n" \
	"    serial: 5\n    refresh: 3600\n    retry: 600\n" \
	"    expire: 604800\n    negativeTtl: 86400\n" \
	"  recordsFrom:\n    - selector:\n        matchLabels:\n" \
	"          zone: example.com\n"

/* spec.name is on line 8 of each of these. */
#define CNAME(n, owner, target) HDR("CNAMERecord", n) \
	"spec:\n  name: " owner "\n  target: " target "\n"
#define A_REC(n, owner, ip) HDR("ARecord", n) \
	"spec:\n  name: " owner "\n  ipv4Address: " ip "\n"
#define MX_REC(n, owner, server) HDR("MXRecord", n) \
	"spec:\n  name: " owner "\n  priority: 10\n  mailServer: " server "\n"
#define NS_REC(n, owner, server) HDR("NSRecord", n) \
	"spec:\n  name: " owner "\n  nameserver: " server "\n"

/* ---- tests -------------------------------------------------------------- */

static void test_cname_alone_is_served(void **state)
{
	(void)state;
	add_file("zone.yaml", ZONE);
	add_file("c.yaml", CNAME("blog", "blog", "www.example.net."));
	build(NULL);
	expect_status("CNAMERecord", "blog", DZ_REASON_SUCCEEDED,
		      "CNAME record added to zone example.com");
	assert_true(served("blog.example.com.", T_CNAME));
	assert_int_equal(dz_object_bdiags(obj("CNAMERecord", "blog"))->n, 0);
}

static void test_cname_at_apex(void **state)
{
	(void)state;
	add_file("zone.yaml", ZONE);
	add_file("c.yaml", CNAME("apex", "\"@\"", "www.example.net.") "---\n"
		 A_REC("www", "www", "192.0.2.1"));
	build(NULL);
	expect_status("CNAMERecord", "apex", DZ_REASON_FAILED,
		      "c.yaml:8:9: CNAME at the zone apex is not allowed "
		      "(RFC 1034 3.6.2)");
	expect_error_at("CNAMERecord", "apex", "CNAME at the zone apex", 8);
	/* The zone keeps serving, without the CNAME. */
	expect_status("DNSZone", "example-com", DZ_REASON_SUCCEEDED,
		      "zone example.com served");
	expect_status("ARecord", "www", DZ_REASON_SUCCEEDED, "");
	assert_true(served("example.com.", T_SOA));
	assert_false(served("example.com.", T_CNAME));
	assert_true(served("www.example.com.", T_A));
}

/* The A is served, the CNAME is not: whichever file comes first. */
static void test_cname_beside_a(void **state)
{
	(void)state;
	add_file("zone.yaml", ZONE);
	add_file("a.yaml", CNAME("blog-cname", "blog", "www.example.net."));
	add_file("b.yaml", A_REC("blog-a", "blog", "192.0.2.7"));
	build(NULL);
	expect_status("CNAMERecord", "blog-cname", DZ_REASON_FAILED,
		      "a.yaml:8:9: CNAME 'blog.example.com.' beside other data "
		      "(A at the same name): see ARecord default/blog-a in "
		      "b.yaml:1");
	expect_error_at("CNAMERecord", "blog-cname",
			"CNAME 'blog.example.com.' beside other data "
			"(A at the same name)", 8);
	expect_status("ARecord", "blog-a", DZ_REASON_SUCCEEDED, "");
	assert_true(served("blog.example.com.", T_A));
	assert_false(served("blog.example.com.", T_CNAME));
}

/* Owners compare case-insensitively; every other type is named once. */
static void test_cname_beside_several(void **state)
{
	(void)state;
	add_file("zone.yaml", ZONE);
	add_file("r.yaml", A_REC("a1", "Blog", "192.0.2.7") "---\n"
		 MX_REC("mx", "blog", "mail.example.net.") "---\n"
		 A_REC("a2", "blog", "192.0.2.8") "---\n"
		 CNAME("c", "BLOG", "www.example.net."));
	build(NULL);
	expect_status("CNAMERecord", "c", DZ_REASON_FAILED,
		      "CNAME 'blog.example.com.' beside other data (A, MX at "
		      "the same name): see ARecord default/a1 in r.yaml:1");
	expect_status("MXRecord", "mx", DZ_REASON_SUCCEEDED, "");
	assert_true(served("blog.example.com.", T_MX));
	assert_false(served("blog.example.com.", T_CNAME));
}

/* Two targets: the first by file path is served, the other fails. */
static void test_two_cnames(void **state)
{
	(void)state;
	add_file("zone.yaml", ZONE);
	add_file("a.yaml", CNAME("first", "blog", "www.example.net."));
	add_file("b.yaml", CNAME("second", "blog", "blog.example.org.") "---\n"
		 CNAME("same", "blog", "WWW.example.net."));
	build(NULL);
	expect_status("CNAMERecord", "first", DZ_REASON_SUCCEEDED, "");
	/* The same target again is the same RR: it collapses. */
	expect_status("CNAMERecord", "same", DZ_REASON_SUCCEEDED, "");
	expect_status("CNAMERecord", "second", DZ_REASON_FAILED,
		      "b.yaml:8:9: CNAME 'blog.example.com.' beside other data "
		      "(CNAME at the same name): see CNAMERecord default/first "
		      "in a.yaml:1");
	assert_true(served("blog.example.com.", T_CNAME));
}

/* The zone's own data counts: glue of an in-zone name server. */
static void test_cname_beside_glue(void **state)
{
	(void)state;
	add_file("zone.yaml", ZONE
		 "  nameServers:\n"
		 "    - hostname: ns1.example.com.\n"
		 "      ipv4Address: \"192.0.2.1\"\n");
	add_file("c.yaml", CNAME("ns1", "ns1", "host.example.net."));
	build(NULL);
	expect_status("CNAMERecord", "ns1", DZ_REASON_FAILED,
		      "CNAME 'ns1.example.com.' beside other data (A at the "
		      "same name): see DNSZone default/example-com in "
		      "zone.yaml:1");
	assert_true(served("ns1.example.com.", T_A));
	assert_false(served("ns1.example.com.", T_CNAME));
}

/* A delegation point is data too (RFC 2181 10.1: NS included). */
static void test_cname_beside_delegation(void **state)
{
	(void)state;
	add_file("zone.yaml", ZONE);
	add_file("c.yaml", NS_REC("sub-ns", "sub", "ns.sub.example.com.")
		 "---\n" CNAME("sub-c", "sub", "elsewhere.example.net."));
	build(NULL);
	expect_status("CNAMERecord", "sub-c", DZ_REASON_FAILED,
		      "(NS at the same name)");
	assert_true(served("sub.example.com.", T_NS));
}

/* Below or above a CNAME is not "beside" it. */
static void test_cname_neighbours_are_fine(void **state)
{
	(void)state;
	add_file("zone.yaml", ZONE);
	add_file("c.yaml", CNAME("c", "blog", "www.example.net.") "---\n"
		 A_REC("below", "x.blog", "192.0.2.1") "---\n"
		 A_REC("other", "blog2", "192.0.2.2"));
	build(NULL);
	expect_status("CNAMERecord", "c", DZ_REASON_SUCCEEDED, "");
	expect_status("ARecord", "below", DZ_REASON_SUCCEEDED, "");
	expect_status("ARecord", "other", DZ_REASON_SUCCEEDED, "");
}

/* A failed check is an error for dropzonectl check, reported once even
 * over several builds; fixing the manifest clears it. */
static void test_cname_diags_and_rebuild(void **state)
{
	struct dz_diags d = { 0 };

	(void)state;
	add_file("zone.yaml", ZONE);
	add_file("c.yaml", CNAME("c", "blog", "www.example.net.") "---\n"
		 A_REC("a", "blog", "192.0.2.1"));
	build(NULL);
	build(NULL);
	assert_int_equal(dz_object_bdiags(obj("CNAMERecord", "c"))->nerrors, 1);
	dz_build_collect_diags(fx.files, fx.n, &d);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.items[0].file, "c.yaml");
	dz_diags_clear(&d);
	dz_mfile_free(fx.files[1]);
	fx.files[1] = NULL;
	fx.n = 1;
	add_file("c.yaml", CNAME("c", "blog", "www.example.net.") "---\n"
		 A_REC("a", "www", "192.0.2.1"));
	build(NULL);
	expect_status("CNAMERecord", "c", DZ_REASON_SUCCEEDED, "");
	assert_int_equal(dz_object_bdiags(obj("CNAMERecord", "c"))->n, 0);
}

/* A CNAME whose record fails to parse is no conflict for the others. */
static void test_broken_record_is_not_data(void **state)
{
	(void)state;
	add_file("zone.yaml", ZONE);
	add_file("c.yaml", CNAME("c", "blog", "www.example.net.") "---\n"
		 A_REC("bad", "blog", "192.0.2.300"));
	build(NULL);
	expect_status("ARecord", "bad", DZ_REASON_FAILED, "192.0.2.300");
	expect_status("CNAMERecord", "c", DZ_REASON_SUCCEEDED, "");
}

/* The API alone: zone data, record RRs, run. */
static void test_checks_api(void **state)
{
	struct dz_checks *c = dz_checks_new();
	struct dz_zspec z = { 0 };
	size_t len;

	(void)state;
	assert_non_null(c);
	assert_int_equal(dz_dname_from_text("example.com.", 12, NULL, z.origin,
					    &len, NULL, NULL), 0);
	assert_int_equal(dz_checks_add_zone(c, &z, NULL), 0);
	/* no CNAME told: nothing to look at twice */
	assert_false(dz_checks_rewind(c));
	assert_int_equal(dz_checks_run(c), 0);
	dz_checks_free(c);
	dz_checks_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_cname_alone_is_served),
		T(test_cname_at_apex),
		T(test_cname_beside_a),
		T(test_cname_beside_several),
		T(test_two_cnames),
		T(test_cname_beside_glue),
		T(test_cname_beside_delegation),
		T(test_cname_neighbours_are_fine),
		T(test_cname_diags_and_rebuild),
		T(test_broken_record_is_not_data),
		T(test_checks_api),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
