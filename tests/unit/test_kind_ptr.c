/* SPDX-License-Identifier: MIT */
/* test_kind_ptr.c -- PTRRecord: parse vectors, print, descriptor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kindtest.h"
#include "util/errcode.h"

#define E DZ_EMANIFEST
#define HOST10 "06686f73743130"              /* host10 */
#define EXCOM "076578616d706c6503636f6d00" /* example.com. */

static const struct kt_vec good[] = {
	/* The corpus's reverse record (its zone is not KT_ORIGIN: the
	 * owner is the core's, the target is absolute anyway). */
	{ "name: \"10\"\ntarget: host10.example.com.\n", 0, HOST10 EXCOM, NULL,
	  0 },
	{ "target: host10\n", 0, HOST10 EXCOM,
	  "target 'host10' has no trailing dot: served as "
	  "host10.example.com.", 1 },
	/* DNS-SD browsing PTRs live in forward zones: no restriction. */
	{ "name: _http._tcp\ntarget: \"My\\\\ Printer._http._tcp.example.com.\"\n",
	  0, "0a4d79205072696e746572055f68747470045f746370" EXCOM,
	  "outside hostname syntax", 2 },
};

static const struct kt_vec bad[] = {
	{ "name: \"10\"\n", E, NULL, "missing required field 'target'", 1 },
	{ "target: {host: x}\n", E, NULL, "'target' must be a domain name",
	  1 },
	{ "name: \"10\"\ntarget: host10..example.com.\n", E, NULL,
	  "empty label", 2 },
	{ "target: \"bad\\\\256.\"\n", E, NULL, "bad escape", 1 },
};

static void test_ptr_parse_accepts_good(void **state)
{
	kt_check(dz_kind_lookup_name("PTRRecord"), good,
		 sizeof(good) / sizeof(good[0]));
}

static void test_ptr_parse_rejects_bad(void **state)
{
	kt_check(dz_kind_lookup_name("PTRRecord"), bad,
		 sizeof(bad) / sizeof(bad[0]));
}

static void test_ptr_descriptor(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("PTRRecord");

	assert_non_null(k);
	assert_ptr_equal(dz_kind_lookup_type(12), k);
	assert_string_equal(k->type_name, "PTR");
	assert_int_equal(k->name_offset, 0);
	assert_int_equal(k->flags, DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS);
}

static void test_ptr_print(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("PTRRecord");

	kt_check_print(k, HOST10 EXCOM, "host10.example.com.");
	kt_check_print(k, "03612062" "00", "a\\032b.");
	kt_check_print(k, HOST10 EXCOM "00", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptr_parse_accepts_good),
		cmocka_unit_test(test_ptr_parse_rejects_bad),
		cmocka_unit_test(test_ptr_descriptor),
		cmocka_unit_test(test_ptr_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
