/* SPDX-License-Identifier: MIT */
/* test_kind_srv.c -- SRVRecord: parse vectors, order, print. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kindtest.h"
#include "util/errcode.h"

#define E DZ_EMANIFEST
#define S1 "0773657276657231"              /* server1 */
#define EXCOM "076578616d706c6503636f6d00" /* example.com. */
#define SRV(p, w, port, target) \
	"priority: " p "\nweight: " w "\nport: " port "\ntarget: " target "\n"

static const struct kt_vec good[] = {
	/* The corpus's primary server. */
	{ "name: _service._tcp\nttl: 3600\n"
	  SRV("10", "60", "8080", "server1.example.com."), 0,
	  "000a003c1f90" S1 EXCOM, NULL, 0 },
	{ SRV("0", "0", "0", "server1.example.com."), 0,
	  "000000000000" S1 EXCOM, NULL, 0 },
	{ SRV("65535", "65535", "65535", "server1.example.com."), 0,
	  "ffffffffffff" S1 EXCOM, NULL, 0 },
	/* "." : the service is decidedly not available (RFC 2782). */
	{ SRV("0", "0", "0", "."), 0, "00000000000000", NULL, 0 },
	{ SRV("\"1\"", "\"2\"", "\"3\"", "server1.example.com."), 0,
	  "000100020003" S1 EXCOM, NULL, 0 },
	{ SRV("1", "2", "389", "server1"), 0, "000100020185" S1 EXCOM,
	  "target 'server1' has no trailing dot: served as "
	  "server1.example.com.", 4 },
};

static const struct kt_vec bad[] = {
	{ "weight: 1\nport: 1\ntarget: a.\n", E, NULL,
	  "missing required field 'priority'", 1 },
	{ "priority: 1\nport: 1\ntarget: a.\n", E, NULL,
	  "missing required field 'weight'", 1 },
	{ "priority: 1\nweight: 1\ntarget: a.\n", E, NULL,
	  "missing required field 'port'", 1 },
	{ "priority: 1\nweight: 1\nport: 1\n", E, NULL,
	  "missing required field 'target'", 1 },
	{ SRV("70000", "1", "1", "a."), E, NULL,
	  "priority 70000 out of range 0..65535", 1 },
	{ SRV("1", "-5", "1", "a."), E, NULL,
	  "weight -5 out of range 0..65535", 2 },
	{ SRV("1", "1", "65536", "a."), E, NULL,
	  "port 65536 out of range 0..65535", 3 },
	{ SRV("1", "1", "http", "a."), E, NULL,
	  "'port' must be an integer, got 'http'", 3 },
	{ SRV("1", "1", "1", "a..b."), E, NULL, "empty label", 4 },
	{ SRV("1", "1", "1", "[a.]"), E, NULL,
	  "'target' must be a domain name", 4 },
	/* Every problem in one run. */
	{ SRV("x", "1", "99999", "a..b."), E, NULL, "'priority' must be", 1 },
	{ SRV("x", "1", "99999", "a..b."), E, NULL, "port 99999", 3 },
	{ SRV("x", "1", "99999", "a..b."), E, NULL, "empty label", 4 },
};

static void test_srv_parse_accepts_good(void **state)
{
	kt_check(dz_kind_lookup_name("SRVRecord"), good,
		 sizeof(good) / sizeof(good[0]));
}

static void test_srv_parse_rejects_bad(void **state)
{
	kt_check(dz_kind_lookup_name("SRVRecord"), bad,
		 sizeof(bad) / sizeof(bad[0]));
}

static void test_srv_descriptor(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("SRVRecord");

	assert_non_null(k);
	assert_ptr_equal(dz_kind_lookup_type(33), k);
	assert_string_equal(k->type_name, "SRV");
	assert_int_equal(k->name_offset, 6);
	/* RFC 2782: the target is never compressed. */
	assert_int_equal(k->flags, DZ_KIND_F_NAME | DZ_KIND_F_ADDITIONAL |
			 DZ_KIND_F_ROTATE);
	assert_non_null(k->compare);
}

/* Priority ascending, then weight descending; the rest compares equal. */
static void test_srv_compare(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("SRVRecord");
	static const uint8_t p10w60[] = { 0, 10, 0, 60, 0, 80, 1, 'a', 0 };
	static const uint8_t p10w40[] = { 0, 10, 0, 40, 0, 80, 1, 'b', 0 };
	static const uint8_t p10w60b[] = { 0, 10, 0, 60, 1, 0, 1, 'z', 0 };
	static const uint8_t p5w0[] = { 0, 5, 0, 0, 0, 80, 1, 'c', 0 };
	static const uint8_t p300w99[] = { 1, 44, 0, 99, 0, 80, 1, 'a', 0 };

	assert_int_equal(k->compare(p10w60, 9, p10w60b, 9), 0);
	assert_true(k->compare(p10w60, 9, p10w40, 9) < 0);
	assert_true(k->compare(p10w40, 9, p10w60, 9) > 0);
	assert_true(k->compare(p5w0, 9, p10w60, 9) < 0);
	assert_true(k->compare(p10w40, 9, p300w99, 9) < 0);
	assert_true(k->compare(p300w99, 9, p5w0, 9) > 0);
}

static void test_srv_print(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("SRVRecord");

	kt_check_print(k, "000a003c1f90" S1 EXCOM,
		       "10 60 8080 server1.example.com.");
	kt_check_print(k, "00000000000000", "0 0 0 .");
	kt_check_print(k, "ffffffffffff00", "65535 65535 65535 .");
	kt_check_print(k, "000a003c1f90", NULL);       /* no target */
	kt_check_print(k, "000a003c1f90" S1, NULL);    /* no root label */
	kt_check_print(k, "000000000000" "0000", NULL); /* trailing byte */
	kt_check_print(k, "0001", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srv_parse_accepts_good),
		cmocka_unit_test(test_srv_parse_rejects_bad),
		cmocka_unit_test(test_srv_descriptor),
		cmocka_unit_test(test_srv_compare),
		cmocka_unit_test(test_srv_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
