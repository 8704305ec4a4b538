/* SPDX-License-Identifier: MIT */
/* test_kind_caa.c -- CAARecord: parse vectors, print. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kindtest.h"
#include "util/errcode.h"

#define E DZ_EMANIFEST
#define ISSUE "056973737565"                    /* 5 "issue" */
#define LE "6c657473656e63727970742e6f7267"     /* letsencrypt.org */
#define CAA(f, t, v) "flags: " f "\ntag: " t "\nvalue: " v "\n"

static const struct kt_vec good[] = {
	/* The corpus's three. */
	{ "name: \"@\"\n" CAA("0", "issue", "letsencrypt.org"), 0,
	  "00" ISSUE LE, NULL, 0 },
	{ CAA("0", "issuewild", "letsencrypt.org"), 0,
	  "0009697373756577696c64" LE, NULL, 0 },
	{ CAA("0", "iodef", "mailto:security@example.com"), 0,
	  "0005696f646566" "6d61696c746f3a7365637572697479406578616d706c652e"
	  "636f6d", NULL, 0 },
	{ CAA("128", "iodef", "https://ca.example.net/report"), 0, NULL, NULL,
	  0 },
	{ CAA("0", "iodef", "HTTP://ca.example.net/"), 0, NULL, NULL, 0 },
	/* RFC 8659 4.2: ";" (or nothing) forbids every CA. */
	{ CAA("0", "issue", "\";\""), 0, "00" ISSUE "3b", NULL, 0 },
	{ CAA("0", "issue", "\"\""), 0, "00" ISSUE, NULL, 0 },
	/* Tags are case-insensitive; the case written is kept. */
	{ CAA("0", "Issue", "ca.example.net"), 0, NULL, NULL, 0 },
	{ CAA("0", "issuemail", "ca.example.net"), 0, NULL, NULL, 0 },
	{ CAA("\"0\"", "issue", "ca.example.net"), 0, NULL, NULL, 0 },
	/* Well-formed but not a tag we know: served, with a warning. */
	{ CAA("0", "isue", "letsencrypt.org"), 0, "000469737565" LE,
	  "unknown CAA tag 'isue'", 2 },
	{ CAA("0", "abcdefghijklmn5", "x"), 0, NULL, "unknown CAA tag", 2 },
	{ CAA("0", "iodef", "security@example.com"), 0, NULL,
	  "iodef value 'security@example.com' is not a mailto:, http: or "
	  "https: URL", 3 },
};

static const struct kt_vec bad[] = {
	{ "tag: issue\nvalue: x\n", E, NULL, "missing required field 'flags'",
	  1 },
	{ "flags: 0\nvalue: x\n", E, NULL, "missing required field 'tag'", 1 },
	{ "flags: 0\ntag: issue\n", E, NULL, "missing required field 'value'",
	  1 },
	{ "flags: 0\ntag: issue\nvalue:\n", E, NULL,
	  "missing required field 'value'", 1 },
	{ CAA("256", "issue", "x"), E, NULL, "flags 256 out of range 0..255",
	  1 },
	{ CAA("-1", "issue", "x"), E, NULL, "out of range 0..255", 1 },
	{ CAA("critical", "issue", "x"), E, NULL,
	  "'flags' must be an integer, got 'critical'", 1 },
	{ CAA("0", "\"\"", "x"), E, NULL, "'tag' is empty", 2 },
	{ CAA("0", "issue-wild", "x"), E, NULL,
	  "CAA tag 'issue-wild' may hold only letters and digits", 2 },
	{ CAA("0", "\"issue \"", "x"), E, NULL,
	  "may hold only letters and digits", 2 },
	{ CAA("0", "abcdefghijklmnop", "x"), E, NULL,
	  "CAA tag 'abcdefghijklmnop' is longer than 15 characters", 2 },
	{ CAA("0", "[issue]", "x"), E, NULL, "'tag' must be a string", 2 },
	{ CAA("0", "issue", "[a, b]"), E, NULL, "'value' must be a string",
	  3 },
	/* Every problem in one run. */
	{ CAA("300", "is sue", "{}"), E, NULL, "flags 300", 1 },
	{ CAA("300", "is sue", "{}"), E, NULL, "letters and digits", 2 },
	{ CAA("300", "is sue", "{}"), E, NULL, "'value' must be a string", 3 },
};

static void test_caa_parse_accepts_good(void **state)
{
	kt_check(dz_kind_lookup_name("CAARecord"), good,
		 sizeof(good) / sizeof(good[0]));
}

static void test_caa_parse_rejects_bad(void **state)
{
	kt_check(dz_kind_lookup_name("CAARecord"), bad,
		 sizeof(bad) / sizeof(bad[0]));
}

static void test_caa_descriptor(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("CAARecord");

	assert_non_null(k);
	assert_ptr_equal(dz_kind_lookup_type(257), k);
	assert_string_equal(k->type_name, "CAA");
	assert_int_equal(k->flags, 0);
}

static void test_caa_print(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("CAARecord");

	kt_check_print(k, "00" ISSUE LE, "0 issue \"letsencrypt.org\"");
	kt_check_print(k, "80" ISSUE, "128 issue \"\"");
	kt_check_print(k, "00" ISSUE "22" "5c" "0a",
		       "0 issue \"\\\"\\\\\\010\"");
	kt_check_print(k, "00", NULL);           /* no tag length */
	kt_check_print(k, "0000", NULL);         /* empty tag */
	kt_check_print(k, "0006697373756500", NULL); /* tag runs past */
	kt_check_print(k, "0002612d", NULL);     /* '-' is not a tag octet */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caa_parse_accepts_good),
		cmocka_unit_test(test_caa_parse_rejects_bad),
		cmocka_unit_test(test_caa_descriptor),
		cmocka_unit_test(test_caa_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
