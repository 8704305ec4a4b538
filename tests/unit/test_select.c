/* SPDX-License-Identifier: MIT */
/* test_select.c -- label selectors: matchLabels and the four operators. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zone/select.h"

static const struct dz_label labels[] = {
	{ "zone", "example.com" },
	{ "team", "web" },
	{ "empty", "" },
};
#define NL (sizeof(labels) / sizeof(labels[0]))

static bool match1(enum dz_sel_op op, const char *key, const char **vals,
		   size_t nvals)
{
	struct dz_sel_expr e = { key, op, vals, nvals };
	struct dz_selector s = { .exprs = &e, .nexprs = 1 };

	return dz_selector_match(&s, labels, NL);
}

static void test_empty_selects_all(void **state)
{
	struct dz_selector s = { 0 };

	(void)state;
	assert_true(dz_selector_match(&s, labels, NL));
	assert_true(dz_selector_match(&s, NULL, 0));
}

static void test_match_labels(void **state)
{
	struct dz_label want[2] = { { "zone", "example.com" },
				    { "team", "web" } };
	struct dz_selector s = { .labels = want, .nlabels = 1 };

	(void)state;
	assert_true(dz_selector_match(&s, labels, NL));
	s.nlabels = 2;
	assert_true(dz_selector_match(&s, labels, NL));
	want[1].value = "api";
	assert_false(dz_selector_match(&s, labels, NL));
	want[1] = (struct dz_label){ "missing", "x" };
	assert_false(dz_selector_match(&s, labels, NL));
	/* Values are compared exactly: case matters, as in Kubernetes. */
	want[0].value = "Example.com";
	s.nlabels = 1;
	assert_false(dz_selector_match(&s, labels, NL));
	assert_false(dz_selector_match(&s, NULL, 0));
}

static void test_in(void **state)
{
	const char *v[] = { "api", "web" };

	(void)state;
	assert_true(match1(DZ_SEL_IN, "team", v, 2));
	assert_false(match1(DZ_SEL_IN, "team", v, 1));
	assert_false(match1(DZ_SEL_IN, "missing", v, 2));
}

static void test_not_in(void **state)
{
	const char *v[] = { "api", "web" };

	(void)state;
	assert_false(match1(DZ_SEL_NOT_IN, "team", v, 2));
	assert_true(match1(DZ_SEL_NOT_IN, "team", v, 1));
	/* An absent label is "not in" any set. */
	assert_true(match1(DZ_SEL_NOT_IN, "missing", v, 2));
}

static void test_exists(void **state)
{
	(void)state;
	assert_true(match1(DZ_SEL_EXISTS, "team", NULL, 0));
	assert_true(match1(DZ_SEL_EXISTS, "empty", NULL, 0));
	assert_false(match1(DZ_SEL_EXISTS, "missing", NULL, 0));
}

static void test_does_not_exist(void **state)
{
	(void)state;
	assert_false(match1(DZ_SEL_DOES_NOT_EXIST, "team", NULL, 0));
	assert_true(match1(DZ_SEL_DOES_NOT_EXIST, "missing", NULL, 0));
}

static void test_all_must_hold(void **state)
{
	const char *v[] = { "web" };
	struct dz_label want[1] = { { "zone", "example.com" } };
	struct dz_sel_expr e[2] = {
		{ "team", DZ_SEL_IN, v, 1 },
		{ "gone", DZ_SEL_DOES_NOT_EXIST, NULL, 0 },
	};
	struct dz_selector s = { want, 1, e, 2 };

	(void)state;
	assert_true(dz_selector_match(&s, labels, NL));
	e[1].key = "team";
	assert_false(dz_selector_match(&s, labels, NL));
}

static void test_op_parse(void **state)
{
	(void)state;
	assert_int_equal(dz_sel_op_parse("In"), DZ_SEL_IN);
	assert_int_equal(dz_sel_op_parse("NotIn"), DZ_SEL_NOT_IN);
	assert_int_equal(dz_sel_op_parse("Exists"), DZ_SEL_EXISTS);
	assert_int_equal(dz_sel_op_parse("DoesNotExist"),
			 DZ_SEL_DOES_NOT_EXIST);
	assert_int_equal(dz_sel_op_parse("in"), 0);
	assert_int_equal(dz_sel_op_parse("Gt"), 0);
}

static void test_clear(void **state)
{
	struct dz_selector s = { 0 };

	(void)state;
	s.labels = calloc(1, sizeof(*s.labels));
	s.nlabels = 1;
	s.exprs = calloc(1, sizeof(*s.exprs));
	s.nexprs = 1;
	s.exprs[0].values = calloc(2, sizeof(char *));
	dz_selector_clear(&s);
	assert_null(s.labels);
	assert_int_equal(s.nexprs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_selects_all),
		cmocka_unit_test(test_match_labels),
		cmocka_unit_test(test_in),
		cmocka_unit_test(test_not_in),
		cmocka_unit_test(test_exists),
		cmocka_unit_test(test_does_not_exist),
		cmocka_unit_test(test_all_must_hold),
		cmocka_unit_test(test_op_parse),
		cmocka_unit_test(test_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
