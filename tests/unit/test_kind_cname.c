/* SPDX-License-Identifier: MIT */
/* test_kind_cname.c -- CNAMERecord: parse vectors, print, descriptor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kindtest.h"
#include "util/errcode.h"

#define E DZ_EMANIFEST
#define WWW "03777777"                  /* www */
#define EXCOM "076578616d706c6503636f6d00" /* example.com. */
#define L64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct kt_vec good[] = {
	{ "target: www.example.com.\n", 0, WWW EXCOM, NULL, 0 },
	{ "name: blog\nttl: 300\ntarget: www.example.com.\n", 0, WWW EXCOM,
	  NULL, 0 },
	/* Case is kept as written (RFC 4343). */
	{ "target: WWW.Example.COM.\n", 0,
	  "03575757074578616d706c6503434f4d00", NULL, 0 },
	/* The corpus's mistake: relative to the zone, with a warning that
	 * names what is served. */
	{ "name: blog\ntarget: example.github.io\n", 0,
	  "076578616d706c650667697468756202696f" EXCOM,
	  "target 'example.github.io' has no trailing dot: served as "
	  "example.github.io.example.com.", 2 },
	{ "target: www\n", 0, WWW EXCOM,
	  "target 'www' has no trailing dot: served as www.example.com.", 1 },
	{ "target: \"@\"\n", 0, EXCOM, NULL, 0 },
	{ "target: _sip._tcp.example.com.\n", 0,
	  "045f736970045f746370" EXCOM, NULL, 0 },
	{ "target: w!w.example.com.\n", 0, NULL, "outside hostname syntax",
	  1 },
	{ "target: www.example.com.\nvalue: x\n", 0, WWW EXCOM,
	  "unknown field 'value' ignored", 2 },
};

static const struct kt_vec bad[] = {
	{ "name: blog\n", E, NULL, "missing required field 'target'", 1 },
	{ "name: blog\ntarget:\n", E, NULL, "missing required field 'target'",
	  1 },
	{ "target: [www.example.com.]\n", E, NULL,
	  "'target' must be a domain name", 1 },
	{ "name: x\ntarget: {a: b}\n", E, NULL,
	  "'target' must be a domain name", 2 },
	{ "target: www..example.com.\n", E, NULL,
	  "target 'www..example.com.' is not a valid domain name: empty label",
	  1 },
	{ "target: \"www example.com.\"\n", E, NULL,
	  "is not a valid domain name: whitespace", 1 },
	{ "target: " L64 ".com.\n", E, NULL, "label longer than 63", 1 },
};

static void test_cname_parse_accepts_good(void **state)
{
	kt_check(dz_kind_lookup_name("CNAMERecord"), good,
		 sizeof(good) / sizeof(good[0]));
}

static void test_cname_parse_rejects_bad(void **state)
{
	kt_check(dz_kind_lookup_name("CNAMERecord"), bad,
		 sizeof(bad) / sizeof(bad[0]));
}

/* In no zone yet, a relative target still draws the core's warning. */
static void test_cname_parse_without_zone(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("CNAMERecord");
	struct dz_diags diags = { 0 };
	struct dz_rdata_list out = { 0 };
	char hex[256];

	assert_int_equal(kt_run(k, "name: blog\ntarget: example.github.io\n",
				NULL, &diags, &out), 0);
	kt_hex(&out, hex, sizeof(hex));
	assert_string_equal(hex, "076578616d706c650667697468756202696f00");
	assert_int_equal(diags.n, 1);
	assert_int_equal(diags.items[0].sev, DZ_SEV_WARNING);
	assert_int_equal(diags.items[0].line, 2);
	assert_string_equal(diags.items[0].msg,
			    "target 'example.github.io' has no trailing dot: "
			    "it is relative to the zone the record joins");
	dz_rdata_list_clear(&out);
	dz_diags_clear(&diags);
	/* Absolute names and "@" draw nothing. */
	assert_int_equal(kt_run(k, "target: a.example.\n", NULL, &diags,
				&out), 0);
	assert_int_equal(kt_run(k, "target: \"@\"\n", NULL, &diags, &out), 0);
	assert_int_equal(diags.n, 0);
	dz_rdata_list_clear(&out);
	dz_diags_clear(&diags);
}

static void test_cname_descriptor(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("CNAMERecord");

	assert_non_null(k);
	assert_ptr_equal(dz_kind_lookup_type(5), k);
	assert_string_equal(k->type_name, "CNAME");
	assert_int_equal(k->name_offset, 0);
	/* The query engine follows the chain: no ADDITIONAL. */
	assert_int_equal(k->flags, DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS);
	assert_null(k->compare);
}

static void test_cname_print(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("CNAMERecord");

	kt_check_print(k, WWW EXCOM, "www.example.com.");
	kt_check_print(k, "00", ".");
	kt_check_print(k, "03612e6200", "a\\.b.");
	kt_check_print(k, WWW EXCOM "00", NULL); /* trailing byte */
	kt_check_print(k, WWW, NULL);            /* no root label */
	kt_check_print(k, "0561626300", NULL);   /* runs past len */
	kt_check_print(k, "", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cname_parse_accepts_good),
		cmocka_unit_test(test_cname_parse_rejects_bad),
		cmocka_unit_test(test_cname_parse_without_zone),
		cmocka_unit_test(test_cname_descriptor),
		cmocka_unit_test(test_cname_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
