/* SPDX-License-Identifier: MIT */
/* test_kind_mx.c -- MXRecord: parse vectors, order, print. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kindtest.h"
#include "util/errcode.h"

#define E DZ_EMANIFEST
#define MAIL "046d61696c"              /* mail */
#define EXCOM "076578616d706c6503636f6d00" /* example.com. */

static const struct kt_vec good[] = {
	{ "priority: 10\nmailServer: mail.example.com.\n", 0,
	  "000a" MAIL EXCOM, NULL, 0 },
	{ "name: \"@\"\nttl: 300\npriority: 0\nmailServer: mail.example.com.\n",
	  0, "0000" MAIL EXCOM, NULL, 0 },
	{ "priority: 65535\nmailServer: Mail.Example.COM.\n", 0,
	  "ffff044d61696c074578616d706c6503434f4d00", NULL, 0 },
	/* Quoted digits are taken, as dz_kind_get_uint does everywhere. */
	{ "priority: \"20\"\nmailServer: mail.example.com.\n", 0,
	  "0014" MAIL EXCOM, NULL, 0 },
	/* Relative names are completed with the zone, with a warning that
	 * names what is served (the seed page's common mistake). */
	{ "priority: 10\nmailServer: mail\n", 0, "000a" MAIL EXCOM,
	  "mailServer 'mail' has no trailing dot: served as mail.example.com.",
	  2 },
	{ "priority: 10\nmailServer: mail.example.com\n", 0,
	  "000a" MAIL "076578616d706c6503636f6d" EXCOM,
	  "served as mail.example.com.example.com.", 2 },
	{ "priority: 10\nmailServer: \"@\"\n", 0, "000a" EXCOM, NULL, 0 },
	/* RFC 7505 null MX. */
	{ "priority: 0\nmailServer: .\n", 0, "000000", NULL, 0 },
	{ "priority: 10\nmailServer: ma!l.example.com.\n", 0, NULL,
	  "outside hostname syntax", 2 },
};

static const struct kt_vec bad[] = {
	{ "mailServer: mail.example.com.\n", E, NULL,
	  "missing required field 'priority'", 1 },
	{ "priority: 10\n", E, NULL, "missing required field 'mailServer'", 1 },
	{ "priority: 10\nmailServer:\n", E, NULL,
	  "missing required field 'mailServer'", 1 },
	{ "priority: 70000\nmailServer: mail.example.com.\n", E, NULL,
	  "priority 70000 out of range 0..65535", 1 },
	{ "priority: -1\nmailServer: mail.example.com.\n", E, NULL,
	  "out of range 0..65535", 1 },
	{ "priority: ten\nmailServer: mail.example.com.\n", E, NULL,
	  "'priority' must be an integer", 1 },
	{ "priority: 1.5\nmailServer: mail.example.com.\n", E, NULL,
	  "'priority' must be an integer", 1 },
	{ "priority: [10]\nmailServer: mail.example.com.\n", E, NULL,
	  "'priority' must be an integer", 1 },
	{ "priority: 10\nmailServer: \"mail example.com.\"\n", E, NULL,
	  "mailServer 'mail example.com.' is not a valid domain name", 2 },
	{ "priority: 10\nmailServer: mail..example.com.\n", E, NULL,
	  "empty label", 2 },
	{ "priority: 10\nmailServer: [mail.example.com.]\n", E, NULL,
	  "'mailServer' must be a domain name", 2 },
	/* Both problems are reported in one run. */
	{ "priority: 99999\nmailServer: a..b.\n", E, NULL, "empty label", 2 },
	{ "priority: 99999\nmailServer: a..b.\n", E, NULL, "priority 99999",
	  1 },
};

static void test_mx_parse_accepts_good(void **state)
{
	kt_check(dz_kind_lookup_name("MXRecord"), good,
		 sizeof(good) / sizeof(good[0]));
}

static void test_mx_parse_rejects_bad(void **state)
{
	kt_check(dz_kind_lookup_name("MXRecord"), bad,
		 sizeof(bad) / sizeof(bad[0]));
}

/* Outside a zone, a relative name ends at the root, with a warning. */
static void test_mx_parse_without_zone(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("MXRecord");
	struct dz_diags diags = { 0 };
	struct dz_rdata_list out = { 0 };
	char hex[256];

	assert_int_equal(kt_run(k, "priority: 1\nmailServer: mail\n", NULL,
				&diags, &out), 0);
	kt_hex(&out, hex, sizeof(hex));
	assert_string_equal(hex, "0001" MAIL "00");
	assert_int_equal(diags.n, 1);
	assert_int_equal(diags.items[0].sev, DZ_SEV_WARNING);
	assert_string_equal(diags.items[0].msg,
			    "mailServer 'mail' has no trailing dot: it is "
			    "relative to the zone the record joins");
	dz_rdata_list_clear(&out);
	dz_diags_clear(&diags);
}

static void test_mx_descriptor(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("MXRecord");

	assert_non_null(k);
	assert_ptr_equal(dz_kind_lookup_type(15), k);
	assert_string_equal(k->type_name, "MX");
	assert_int_equal(k->name_offset, 2);
	assert_int_equal(k->flags, DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS |
			 DZ_KIND_F_ADDITIONAL | DZ_KIND_F_ROTATE);
	assert_non_null(k->compare);
}

/* Priority only: equal priorities compare equal so that they rotate. */
static void test_mx_compare_by_priority(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("MXRecord");
	static const uint8_t p10a[] = { 0, 10, 1, 'a', 0 };
	static const uint8_t p10b[] = { 0, 10, 1, 'b', 0 };
	static const uint8_t p5z[] = { 0, 5, 1, 'z', 0 };
	static const uint8_t p300[] = { 1, 44, 1, 'a', 0 };

	assert_int_equal(k->compare(p10a, 5, p10b, 5), 0);
	assert_true(k->compare(p5z, 5, p10a, 5) < 0);
	assert_true(k->compare(p10a, 5, p5z, 5) > 0);
	assert_true(k->compare(p10a, 5, p300, 5) < 0);
}

static void test_mx_print(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("MXRecord");

	kt_check_print(k, "000a" MAIL EXCOM, "10 mail.example.com.");
	kt_check_print(k, "000000", "0 .");
	kt_check_print(k, "ffff02615c00", "65535 a\\\\.");
	kt_check_print(k, "000103612e6200", "1 a\\.b.");
	kt_check_print(k, "0001036120620a00", NULL);   /* runs past len */
	kt_check_print(k, "000a" MAIL, NULL);          /* no root label */
	kt_check_print(k, "000a" MAIL EXCOM "00", NULL); /* trailing byte */
	kt_check_print(k, "00", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mx_parse_accepts_good),
		cmocka_unit_test(test_mx_parse_rejects_bad),
		cmocka_unit_test(test_mx_parse_without_zone),
		cmocka_unit_test(test_mx_descriptor),
		cmocka_unit_test(test_mx_compare_by_priority),
		cmocka_unit_test(test_mx_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
