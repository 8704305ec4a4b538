/* SPDX-License-Identifier: MIT */
/* test_kind_aaaa.c -- AAAARecord: parse vectors, print. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kindtest.h"
#include "util/errcode.h"

#define E DZ_EMANIFEST
#define DB8_1 "20010db8000000000000000000000001"

static const struct kt_vec good[] = {
	{ "ipv6Addresses: [\"2001:db8::1\"]\n", 0, DB8_1, NULL, 0 },
	{ "ipv6Address: 2001:db8::1\n", 0, DB8_1, NULL, 0 },
	{ "ipv6Address: 2001:DB8::1\n", 0, DB8_1, NULL, 0 },
	{ "ipv6Address: 2001:0db8:0000:0000:0000:0000:0000:0001\n", 0, DB8_1,
	  NULL, 0 },
	{ "ipv6Address: 2001:db8:0:0:0:0:0:1\n", 0, DB8_1, NULL, 0 },
	{ "ipv6Addresses:\n  - \"::1\"\n  - \"::\"\n", 0,
	  "00000000000000000000000000000001|"
	  "00000000000000000000000000000000", NULL, 0 },
	{ "ipv6Address: \"::ffff:192.0.2.1\"\n", 0,
	  "00000000000000000000ffffc0000201", NULL, 0 },
	{ "ipv6Address: \"2001:db8::\"\n", 0,
	  "20010db8000000000000000000000000", NULL, 0 },
};

static const struct kt_vec bad[] = {
	{ "ipv6Addresses: [\"::1\"]\nipv6Address: \"::1\"\n", E, NULL,
	  "both 'ipv6Address' and 'ipv6Addresses' set", 2 },
	{ "name: www\n", E, NULL, "missing required field 'ipv6Addresses'", 1 },
	{ "ipv6Addresses: []\n", E, NULL, "'ipv6Addresses' is empty", 1 },
	{ "ipv6Addresses: \"::1\"\n", E, NULL,
	  "'ipv6Addresses' must be a list", 1 },
	{ "ipv6Address: fe80::1%eth0\n", E, NULL,
	  "invalid IPv6 address 'fe80::1%eth0'", 1 },
	{ "ipv6Addresses:\n  - \"::1\"\n  - 2001:db8::1::2\n", E, NULL,
	  "invalid IPv6 address '2001:db8::1::2'", 3 },
	{ "ipv6Address: 2001:db8:::1\n", E, NULL, "invalid IPv6 address", 1 },
	{ "ipv6Address: 12345::1\n", E, NULL, "invalid IPv6 address", 1 },
	{ "ipv6Address: 2001:db8::g\n", E, NULL, "invalid IPv6 address", 1 },
	{ "ipv6Address: 1:2:3:4:5:6:7:8:9\n", E, NULL, "invalid IPv6 address",
	  1 },
	{ "ipv6Address: \" ::1\"\n", E, NULL, "invalid IPv6 address", 1 },
	{ "ipv6Address: \"\"\n", E, NULL, "invalid IPv6 address ''", 1 },
	{ "ipv6Address: 192.0.2.1\n", E, NULL,
	  "an IPv4 address belongs in an ARecord", 1 },
	{ "ipv6Address:\n  x: 1\n", E, NULL, "got a map", 2 },
};

static void test_aaaa_parse_accepts_good(void **state)
{
	kt_check(dz_kind_lookup_name("AAAARecord"), good,
		 sizeof(good) / sizeof(good[0]));
}

static void test_aaaa_parse_rejects_bad(void **state)
{
	kt_check(dz_kind_lookup_name("AAAARecord"), bad,
		 sizeof(bad) / sizeof(bad[0]));
}

static void test_aaaa_descriptor(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("AAAARecord");

	assert_non_null(k);
	assert_ptr_equal(dz_kind_lookup_type(28), k);
	assert_string_equal(k->type_name, "AAAA");
	assert_int_equal(k->flags, 0);
}

static void test_aaaa_print(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("AAAARecord");

	kt_check_print(k, DB8_1, "2001:db8::1");
	kt_check_print(k, "00000000000000000000000000000000", "::");
	kt_check_print(k, "00000000000000000000ffffc0000201",
		       "::ffff:192.0.2.1");
	kt_check_print(k, "c0000201", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aaaa_parse_accepts_good),
		cmocka_unit_test(test_aaaa_parse_rejects_bad),
		cmocka_unit_test(test_aaaa_descriptor),
		cmocka_unit_test(test_aaaa_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
