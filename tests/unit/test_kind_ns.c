/* SPDX-License-Identifier: MIT */
/* test_kind_ns.c -- NSRecord: parse vectors, print, descriptor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kindtest.h"
#include "util/errcode.h"

#define E DZ_EMANIFEST
#define NS1 "036e7331"                   /* ns1 */
#define SUB "09737562646f6d61696e"        /* subdomain */
#define EXCOM "076578616d706c6503636f6d00" /* example.com. */
#define EXNET "076578616d706c65036e657400" /* example.net. */

static const struct kt_vec good[] = {
	/* The corpus's delegation. */
	{ "name: subdomain\nttl: 86400\nnameserver: "
	  "ns1.subdomain.example.com.\n", 0, NS1 SUB EXCOM, NULL, 0 },
	/* At the apex: joins the apex NS set (the core's business). */
	{ "name: \"@\"\nnameserver: ns1.example.net.\n", 0, NS1 EXNET, NULL,
	  0 },
	{ "nameserver: ns1\n", 0, NS1 EXCOM,
	  "nameserver 'ns1' has no trailing dot: served as ns1.example.com.",
	  1 },
	{ "nameserver: NS1.Example.NET.\n", 0,
	  "034e5331074578616d706c65034e455400", NULL, 0 },
	{ "nameserver: ns_1.example.net.\n", 0, NULL, NULL, 0 },
	{ "nameserver: n$1.example.net.\n", 0, NULL,
	  "outside hostname syntax", 1 },
	{ "nameserver: ns1.example.net.\nnameServer: x\n", 0, NS1 EXNET,
	  "unknown field 'nameServer' ignored", 2 },
};

static const struct kt_vec bad[] = {
	{ "name: sub\n", E, NULL, "missing required field 'nameserver'", 1 },
	{ "name: sub\nnameserver: ~\n", E, NULL,
	  "missing required field 'nameserver'", 1 },
	{ "nameserver: [ns1.example.net.]\n", E, NULL,
	  "'nameserver' must be a domain name", 1 },
	{ "name: sub\nnameserver: ns1..example.net.\n", E, NULL,
	  "nameserver 'ns1..example.net.' is not a valid domain name: "
	  "empty label", 2 },
	{ "nameserver: \"ns1\\texample.net.\"\n", E, NULL,
	  "whitespace or control character", 1 },
};

static void test_ns_parse_accepts_good(void **state)
{
	kt_check(dz_kind_lookup_name("NSRecord"), good,
		 sizeof(good) / sizeof(good[0]));
}

static void test_ns_parse_rejects_bad(void **state)
{
	kt_check(dz_kind_lookup_name("NSRecord"), bad,
		 sizeof(bad) / sizeof(bad[0]));
}

static void test_ns_descriptor(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("NSRecord");

	assert_non_null(k);
	assert_ptr_equal(dz_kind_lookup_type(2), k);
	assert_string_equal(k->type_name, "NS");
	assert_int_equal(k->name_offset, 0);
	assert_int_equal(k->flags, DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS |
			 DZ_KIND_F_ADDITIONAL);
	assert_null(k->compare);
}

static void test_ns_print(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("NSRecord");

	kt_check_print(k, NS1 EXNET, "ns1.example.net.");
	kt_check_print(k, "00", ".");
	kt_check_print(k, NS1 EXNET "01", NULL);
	kt_check_print(k, NS1, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_parse_accepts_good),
		cmocka_unit_test(test_ns_parse_rejects_bad),
		cmocka_unit_test(test_ns_descriptor),
		cmocka_unit_test(test_ns_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
