/* SPDX-License-Identifier: MIT */
/* test_serials.c -- served serials: content change, RFC 1982, the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/serials.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/dz-test-serials.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_serial_gt(void **state)
{
	(void)state;
	assert_true(dz_serial_gt(2, 1));
	assert_false(dz_serial_gt(1, 2));
	assert_false(dz_serial_gt(5, 5));
	assert_true(dz_serial_gt(0, 0xffffffffu));     /* wraps */
	assert_true(dz_serial_gt(10, 0xfffffff0u));
	assert_false(dz_serial_gt(0xfffffff0u, 10));
}

static void test_serials_pick_rules(void **state)
{
	struct dz_serials *s = dz_serials_open(dir);
	uint32_t v;

	(void)state;
	assert_non_null(s);
	/* Unknown zone: the spec serial. */
	assert_int_equal(dz_serials_pick("a.test", 7, 0x11, s), 7);
	/* Not committed: still unknown. */
	assert_false(dz_serials_lookup(s, "a.test", &v));
	/* Picks only stick for zones that are served: fake it through the
	 * lookup of a second open after a hand-written file. */
	dz_serials_free(s);
	FILE *f;
	char path[128];
	snprintf(path, sizeof(path), "%s/serials", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("a.test 10 0000000000000011\nbroken line\n"
	      "w.test 4294967295 00000000000000aa\n", f);
	fclose(f);
	s = dz_serials_open(dir);
	assert_non_null(s);
	assert_true(dz_serials_lookup(s, "a.test", &v));
	assert_int_equal(v, 10);
	/* Same content: the last served serial, or the spec when higher. */
	assert_int_equal(dz_serials_pick("a.test", 7, 0x11, s), 10);
	assert_int_equal(dz_serials_pick("a.test", 12, 0x11, s), 12);
	/* Changed content: last + 1, or the spec when higher. */
	assert_int_equal(dz_serials_pick("a.test", 7, 0x22, s), 11);
	assert_int_equal(dz_serials_pick("a.test", 20, 0x22, s), 20);
	/* RFC 1982 wrap. */
	assert_int_equal(dz_serials_pick("w.test", 0xfffffff0u, 0xbb, s), 0);
	assert_int_equal(dz_serials_pick("w.test", 1, 0xbb, s), 1);
	dz_serials_free(s);
}

static void test_serials_commit_empty(void **state)
{
	struct dz_serials *s = dz_serials_open(dir);
	char path[128];

	(void)state;
	assert_non_null(s);
	assert_int_equal(dz_serials_commit(s, NULL), 0);
	snprintf(path, sizeof(path), "%s/serials", dir);
	assert_int_not_equal(access(path, F_OK), 0); /* nothing to write */
	dz_serials_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serial_gt),
		cmocka_unit_test_setup_teardown(test_serials_pick_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_serials_commit_empty,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
