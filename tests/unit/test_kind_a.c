/* SPDX-License-Identifier: MIT */
/* test_kind_a.c -- ARecord: parse vectors, print. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kindtest.h"
#include "util/errcode.h"

#define E DZ_EMANIFEST

static const struct kt_vec good[] = {
	{ "ipv4Addresses: [192.0.2.1]\n", 0, "c0000201", NULL, 0 },
	{ "ipv4Addresses:\n  - 192.0.2.1\n  - 198.51.100.7\n", 0,
	  "c0000201|c6336407", NULL, 0 },
	{ "ipv4Address: 203.0.113.10\n", 0, "cb00710a", NULL, 0 },
	{ "ipv4Address: \"10.0.0.1\"\n", 0, "0a000001", NULL, 0 },
	{ "ipv4Addresses: [0.0.0.0, 255.255.255.255]\n", 0,
	  "00000000|ffffffff", NULL, 0 },
	/* The core collapses duplicates, not the kind. */
	{ "ipv4Addresses: [192.0.2.1, 192.0.2.1]\n", 0, "c0000201|c0000201",
	  NULL, 0 },
	/* A null scalar is an absent field. */
	{ "ipv4Address: ~\nipv4Addresses: [192.0.2.1]\n", 0, "c0000201",
	  NULL, 0 },
	{ "name: www\nttl: 300\nipv4Address: 192.0.2.1\n", 0, "c0000201",
	  NULL, 0 },
	{ "ipv4Addresses: [192.0.2.1]\nipv4address: 192.0.2.2\n", 0,
	  "c0000201", "unknown field 'ipv4address'", 2 },
};

static const struct kt_vec bad[] = {
	{ "ipv4Addresses: [192.0.2.1]\nipv4Address: 192.0.2.2\n", E, NULL,
	  "both 'ipv4Address' and 'ipv4Addresses' set", 2 },
	{ "name: www\n", E, NULL, "missing required field 'ipv4Addresses'", 1 },
	{ "ipv4Addresses: []\n", E, NULL, "'ipv4Addresses' is empty", 1 },
	{ "ipv4Addresses: 192.0.2.1\n", E, NULL,
	  "'ipv4Addresses' must be a list", 1 },
	{ "ipv4Address: [192.0.2.1]\n", E, NULL,
	  "'ipv4Address' must hold IPv4 addresses, got a list", 1 },
	{ "ipv4Addresses:\n  - {a: 1}\n", E, NULL, "got a map", 2 },
	{ "ipv4Addresses:\n  - 192.0.2.1\n  - 1.2.3\n", E, NULL,
	  "invalid IPv4 address '1.2.3'", 3 },
	{ "ipv4Address: 256.1.1.1\n", E, NULL,
	  "invalid IPv4 address '256.1.1.1'", 1 },
	{ "ipv4Address: 01.2.3.4\n", E, NULL,
	  "invalid IPv4 address '01.2.3.4'", 1 },
	{ "ipv4Address: 1.2.3.00\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: 1.2.3.4.5\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: 1..3.4\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: 1.2.3.\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: .1.2.3\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: 1.2.3.0004\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: 1.2.3.1000\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: -1.2.3.4\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: a.b.c.d\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: 0x7f.0.0.1\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: \"192.0.2.1 \"\n", E, NULL,
	  "invalid IPv4 address '192.0.2.1 '", 1 },
	{ "ipv4Address: \" 192.0.2.1\"\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: \"192.0 .2.1\"\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: \"\"\n", E, NULL, "invalid IPv4 address ''", 1 },
	{ "ipv4Address: 3232235521\n", E, NULL, "invalid IPv4 address", 1 },
	{ "ipv4Address: \"2001:db8::1\"\n", E, NULL,
	  "an IPv6 address belongs in an AAAARecord", 1 },
	/* Every bad item is reported, and nothing is served. */
	{ "ipv4Addresses:\n  - 1.2.3\n  - 192.0.2.1\n  - 300.1.1.1\n", E, NULL,
	  "invalid IPv4 address '300.1.1.1'", 4 },
};

static void test_a_parse_accepts_good(void **state)
{
	kt_check(dz_kind_lookup_name("ARecord"), good,
		 sizeof(good) / sizeof(good[0]));
}

static void test_a_parse_rejects_bad(void **state)
{
	kt_check(dz_kind_lookup_name("ARecord"), bad,
		 sizeof(bad) / sizeof(bad[0]));
}

static void test_a_descriptor(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("ARecord");

	assert_non_null(k);
	assert_ptr_equal(dz_kind_lookup_type(1), k);
	assert_string_equal(k->type_name, "A");
	assert_int_equal(k->flags, 0);
	assert_null(k->compare);
}

static void test_a_print(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("ARecord");

	kt_check_print(k, "c0000201", "192.0.2.1");
	kt_check_print(k, "ffffffff", "255.255.255.255");
	kt_check_print(k, "00000000", "0.0.0.0");
	kt_check_print(k, "c00002", NULL);
	kt_check_print(k, "c000020100", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_parse_accepts_good),
		cmocka_unit_test(test_a_parse_rejects_bad),
		cmocka_unit_test(test_a_descriptor),
		cmocka_unit_test(test_a_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
