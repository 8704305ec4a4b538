/* SPDX-License-Identifier: MIT */
/* test_kind_txt.c -- TXTRecord: parse vectors, print. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kindtest.h"
#include "util/errcode.h"

#define E DZ_EMANIFEST

static const struct kt_vec good[] = {
	/* One item, one string. */
	{ "name: \"@\"\ntext:\n  - \"v=spf1 -all\"\n", 0,
	  "0b763d73706631202d616c6c", NULL, 0 },
	/* Several items: ONE RR with several strings. */
	{ "text: [ab, \"\", c]\n", 0, "026162" "00" "0163", NULL, 0 },
	/* v1alpha1's scalar is tolerated. */
	{ "text: hello world\n", 0, "0b68656c6c6f20776f726c64", NULL, 0 },
	{ "text: \"\"\n", 0, "00", NULL, 0 },
	/* Numbers and booleans are their text. */
	{ "text: [42, true]\n", 0, "023432" "0474727565", NULL, 0 },
	/* UTF-8 goes through as bytes. */
	{ "text: [\"caf\\u00e9\"]\n", 0, "05636166c3a9", NULL, 0 },
};

static const struct kt_vec bad[] = {
	{ "name: \"@\"\n", E, NULL, "missing required field 'text'", 1 },
	{ "name: x\ntext:\n", E, NULL, "missing required field 'text'", 1 },
	{ "name: x\ntext: []\n", E, NULL, "'text' is empty", 2 },
	{ "text: {a: b}\n", E, NULL, "'text' must be a list of strings, "
	  "got a map", 1 },
	{ "text:\n  - ok\n  - [nested]\n", E, NULL,
	  "text item 2 must be a string, got a list", 3 },
	{ "text:\n  - {a: b}\n", E, NULL,
	  "text item 1 must be a string, got a map", 2 },
};

/* "text:\n  - ok\n  - <n x's>\n" */
static void long_item(char *buf, size_t sz, size_t n)
{
	size_t pos = (size_t)snprintf(buf, sz, "text:\n  - ok\n  - ");

	assert_true(pos + n + 2 < sz);
	memset(buf + pos, 'x', n);
	pos += n;
	buf[pos++] = '\n';
	buf[pos] = '\0';
}

static void test_txt_parse_accepts_good(void **state)
{
	kt_check(dz_kind_lookup_name("TXTRecord"), good,
		 sizeof(good) / sizeof(good[0]));
}

static void test_txt_parse_rejects_bad(void **state)
{
	kt_check(dz_kind_lookup_name("TXTRecord"), bad,
		 sizeof(bad) / sizeof(bad[0]));
}

/* 255 bytes is the most a <character-string> holds (RFC 1035 3.3). */
static void test_txt_item_length(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("TXTRecord");
	static char yaml[1024];
	struct kt_vec v = { yaml, 0, NULL, NULL, 0 };

	long_item(yaml, sizeof(yaml), 255);
	kt_check(k, &v, 1);
	long_item(yaml, sizeof(yaml), 300);
	v.rc = E;
	v.phrase = "text item 2 is 300 bytes, longer than 255";
	v.line = 3;
	kt_check(k, &v, 1);
	/* The scalar form says the same. */
	memset(yaml, 0, sizeof(yaml));
	memcpy(yaml, "text: ", 6);
	memset(yaml + 6, 'y', 256);
	yaml[262] = '\n';
	v.phrase = "text item 1 is 256 bytes, longer than 255";
	v.line = 1;
	kt_check(k, &v, 1);
}

/* Every bad item is reported, then the record fails once. */
static void test_txt_reports_every_item(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("TXTRecord");
	struct dz_diags diags = { 0 };
	struct dz_rdata_list out = { 0 };

	assert_int_equal(kt_run(k, "text:\n  - [a]\n  - ok\n  - {b: c}\n",
				KT_ORIGIN, &diags, &out), E);
	assert_int_equal(diags.nerrors, 2);
	assert_int_equal(diags.items[0].line, 2);
	assert_int_equal(diags.items[1].line, 4);
	assert_int_equal(out.n, 0);
	dz_diags_clear(&diags);
}

static void test_txt_descriptor(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("TXTRecord");

	assert_non_null(k);
	assert_ptr_equal(dz_kind_lookup_type(16), k);
	assert_string_equal(k->type_name, "TXT");
	assert_int_equal(k->flags, 0);
	assert_null(k->compare);
}

static void test_txt_print(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("TXTRecord");

	kt_check_print(k, "0b763d73706631202d616c6c", "\"v=spf1 -all\"");
	kt_check_print(k, "026162" "00" "0163", "\"ab\" \"\" \"c\"");
	kt_check_print(k, "00", "\"\"");
	/* '"' and '\\' escaped, control and 8-bit octets as \DDD. */
	kt_check_print(k, "06" "22" "5c" "09" "c3a9" "7e",
		       "\"\\\"\\\\\\009\\195\\169~\"");
	kt_check_print(k, "", NULL);         /* no string at all */
	kt_check_print(k, "0361", NULL);     /* runs past the rdata */
	kt_check_print(k, "0161" "02", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt_parse_accepts_good),
		cmocka_unit_test(test_txt_parse_rejects_bad),
		cmocka_unit_test(test_txt_item_length),
		cmocka_unit_test(test_txt_reports_every_item),
		cmocka_unit_test(test_txt_descriptor),
		cmocka_unit_test(test_txt_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
