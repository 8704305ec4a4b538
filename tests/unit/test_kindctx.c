/* SPDX-License-Identifier: MIT */
/* test_kindctx.c -- the parse context: helpers' diagnostics, dz_kind_run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/yaml.h"
#include "util/arena.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "zone/kindctx.h"

/* What the test kind's parse() does; set by each test. */
static int (*test_body)(struct dz_kind_ctx *ctx, const struct dz_ynode *spec);

static int test_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	return test_body(ctx, spec);
}

static const char *const test_fields[] = { "priority", "mailServer",
					   "text", NULL };

static const struct dz_kind test_kind = {
	.abi = DZ_KIND_ABI,
	.name = "TestRecord",
	.type_name = "TEST",
	.rrtype = 65280,
	.fields = test_fields,
	.parse = test_parse,
};

struct fixture {
	struct dz_arena *arena;
	struct dz_diags diags;
	struct dz_rdata_list out;
	uint8_t origin[DZ_DNAME_MAX];
};

static struct fixture fx;

static int setup(void **state)
{
	size_t len;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.arena = dz_arena_new(0);
	assert_non_null(fx.arena);
	assert_int_equal(dz_dname_from_text("example.com.", 12, NULL,
					    fx.origin, &len, NULL, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dz_diags_clear(&fx.diags);
	dz_rdata_list_clear(&fx.out);
	dz_arena_free(fx.arena);
	return 0;
}

/* Parse yaml (a map) and run the test kind with body on it. */
static int run(const char *yaml, int (*body)(struct dz_kind_ctx *,
					     const struct dz_ynode *))
{
	struct dz_ydoc *docs = NULL;
	size_t ndocs = 0;
	struct dz_yaml_limits lim;

	dz_yaml_limits_default(&lim);
	assert_int_equal(dz_yaml_parse_buffer(yaml, strlen(yaml), "t.yaml",
					      &lim, fx.arena, &docs, &ndocs,
					      &fx.diags), 0);
	assert_int_equal(ndocs, 1);
	test_body = body;
	return dz_kind_run(&test_kind, docs[0].root, fx.origin, "t.yaml",
			   &fx.diags, &fx.out);
}

/* Exactly one diagnostic, with this severity, text and position. */
static void expect_one(enum dz_severity sev, const char *msg, uint32_t line,
		       uint32_t col)
{
	assert_int_equal(fx.diags.n, 1);
	assert_int_equal(fx.diags.items[0].sev, sev);
	assert_string_equal(fx.diags.items[0].msg, msg);
	assert_string_equal(fx.diags.items[0].file, "t.yaml");
	assert_int_equal(fx.diags.items[0].line, line);
	if (col != 0) {
		assert_int_equal(fx.diags.items[0].col, col);
	}
}

/* ---- dz_kind_get_uint ----------------------------------------------- */

static uint64_t got_uint;

static int body_prio(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	return dz_kind_get_uint(ctx, spec, "priority", 0, 65535, true,
				&got_uint);
}

static int body_prio_opt(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	got_uint = 7;
	return dz_kind_get_uint(ctx, spec, "priority", 0, 65535, false,
				&got_uint);
}

static void test_uint_ok(void **state)
{
	(void)state;
	assert_int_equal(run("priority: 10\n", body_prio), 0);
	assert_int_equal(got_uint, 10);
	assert_int_equal(fx.diags.n, 0);
}

static void test_uint_quoted(void **state)
{
	(void)state;
	assert_int_equal(run("priority: \"20\"\n", body_prio), 0);
	assert_int_equal(got_uint, 20);
}

static void test_uint_missing(void **state)
{
	(void)state;
	assert_int_equal(run("mailServer: x.\n", body_prio), DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "missing required field 'priority'", 1, 1);
}

static void test_uint_optional(void **state)
{
	(void)state;
	assert_int_equal(run("mailServer: x.\n", body_prio_opt), 0);
	assert_int_equal(got_uint, 7);
	assert_int_equal(fx.diags.n, 0);
}

static void test_uint_not_int(void **state)
{
	(void)state;
	assert_int_equal(run("text: t\npriority: abc\n", body_prio),
			 DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "'priority' must be an integer, got 'abc'",
		   2, 11);
}

static void test_uint_range(void **state)
{
	(void)state;
	assert_int_equal(run("priority: 70000\n", body_prio), DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "priority 70000 out of range 0..65535", 1,
		   11);
}

static void test_uint_negative(void **state)
{
	(void)state;
	assert_int_equal(run("priority: -1\n", body_prio), DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "priority -1 out of range 0..65535", 1, 11);
}

static void test_uint_huge(void **state)
{
	(void)state;
	assert_int_equal(run("priority: 99999999999999999999999\n",
			     body_prio), DZ_EMANIFEST);
	assert_non_null(strstr(fx.diags.items[0].msg, "out of range"));
}

static void test_uint_list(void **state)
{
	(void)state;
	assert_int_equal(run("priority: [1, 2]\n", body_prio), DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "'priority' must be an integer, got a list",
		   1, 11);
}

/* ---- dz_kind_get_str ------------------------------------------------ */

static const char *got_str;

static int body_str(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	const struct dz_ynode *node = NULL;
	int rc;

	got_str = NULL;
	rc = dz_kind_get_str(ctx, spec, "text", true, &got_str, &node);
	if (rc == 0) {
		assert_non_null(node);
	}
	return rc;
}

static void test_str(void **state)
{
	(void)state;
	assert_int_equal(run("text: hello\n", body_str), 0);
	assert_string_equal(got_str, "hello");
	assert_int_equal(run("priority: 1\n", body_str), DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "missing required field 'text'", 1, 1);
}

static void test_str_map(void **state)
{
	(void)state;
	assert_int_equal(run("text:\n  a: b\n", body_str), DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "'text' must be a string, got a map", 2, 3);
}

/* ---- dz_kind_get_name ----------------------------------------------- */

static uint8_t got_name[DZ_DNAME_MAX];

static int body_name(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	size_t len = 0;
	int rc = dz_kind_get_name(ctx, spec, "mailServer", got_name, &len);

	if (rc == 0) {
		assert_int_equal(len, dz_dname_len(got_name));
	}
	return rc;
}

static void expect_name(const char *text)
{
	char buf[DZ_DNAME_MAX * 4];

	dz_dname_to_text(got_name, buf, sizeof(buf));
	assert_string_equal(buf, text);
}

static void test_name_absolute(void **state)
{
	(void)state;
	assert_int_equal(run("mailServer: mail.example.net.\n", body_name),
			 0);
	assert_int_equal(fx.diags.n, 0);
	expect_name("mail.example.net.");
}

static void test_name_space(void **state)
{
	(void)state;
	assert_int_equal(run("priority: 1\nmailServer: \"mail example.com.\"\n",
			     body_name), DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "mailServer 'mail example.com.' is not a "
		   "valid domain name: whitespace or control character", 2,
		   13);
}

static void test_name_empty_label(void **state)
{
	(void)state;
	assert_int_equal(run("mailServer: a..b.\n", body_name),
			 DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "mailServer 'a..b.' is not a valid domain "
		   "name: empty label", 1, 13);
}

static void test_name_relative(void **state)
{
	(void)state;
	assert_int_equal(run("mailServer: mail.example.com\n", body_name), 0);
	expect_one(DZ_SEV_WARNING, "mailServer 'mail.example.com' has no "
		   "trailing dot: served as mail.example.com.example.com.", 1,
		   13);
	expect_name("mail.example.com.example.com.");
}

static void test_name_nonhost(void **state)
{
	(void)state;
	assert_int_equal(run("mailServer: mail!x.example.com.\n", body_name),
			 0);
	expect_one(DZ_SEV_WARNING, "mailServer 'mail!x.example.com.' has "
		   "characters outside hostname syntax", 1, 13);
}

static void test_name_at(void **state)
{
	(void)state;
	assert_int_equal(run("mailServer: \"@\"\n", body_name), 0);
	assert_int_equal(fx.diags.n, 0);
	expect_name("example.com.");
}

static void test_name_missing(void **state)
{
	(void)state;
	assert_int_equal(run("priority: 1\n", body_name), DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "missing required field 'mailServer'", 1, 1);
}

static int body_name_node(struct dz_kind_ctx *ctx,
			  const struct dz_ynode *spec)
{
	const struct dz_ynode *list = dz_ynode_get(spec, "text");
	size_t len;
	int rc = 0;

	for (size_t i = 0; i < dz_ynode_len(list); i++) {
		if (dz_kind_name_node(ctx, dz_ynode_at(list, i), "text",
				      got_name, &len) != 0) {
			rc = DZ_EMANIFEST;
		}
	}
	return rc;
}

static void test_name_node(void **state)
{
	(void)state;
	assert_int_equal(run("text:\n  - ok.example.\n  - \"bad name.\"\n",
			     body_name_node), DZ_EMANIFEST);
	expect_one(DZ_SEV_ERROR, "text 'bad name.' is not a valid domain "
		   "name: whitespace or control character", 3, 5);
}

/* ---- dz_kind_run ------------------------------------------------------ */

static int body_two_then_fail(struct dz_kind_ctx *ctx,
			      const struct dz_ynode *spec)
{
	static const uint8_t rd[2] = { 1, 2 };

	assert_int_equal(dz_kind_add_rdata(ctx, rd, 2), 0);
	assert_int_equal(dz_kind_add_rdata(ctx, rd, 1), 0);
	return dz_kind_error(ctx, dz_ynode_get(spec, "text"), "bad text '%s'",
			     dz_ynode_str(dz_ynode_get(spec, "text")));
}

static int body_two(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	static const uint8_t rd[3] = { 1, 2, 3 };

	(void)spec;
	assert_int_equal(dz_kind_add_rdata(ctx, rd, 3), 0);
	return dz_kind_add_rdata(ctx, rd, 2);
}

static int body_error_but_ok(struct dz_kind_ctx *ctx,
			     const struct dz_ynode *spec)
{
	static const uint8_t rd[1] = { 9 };

	(void)spec;
	dz_kind_add_rdata(ctx, rd, 1);
	dz_kind_error(ctx, NULL, "something wrong");
	return 0;
}

static void test_run_ok(void **state)
{
	(void)state;
	assert_int_equal(run("text: a\n", body_two), 0);
	assert_int_equal(fx.out.n, 2);
	assert_int_equal(fx.out.items[0].len, 3);
	assert_memory_equal(fx.out.items[0].data, "\1\2\3", 3);
	assert_int_equal(fx.out.items[1].len, 2);
	assert_int_equal(fx.diags.n, 0);
}

static void test_run_failure_rolls_back(void **state)
{
	(void)state;
	/* What an earlier run added stays; this run's RRs go. */
	assert_int_equal(run("text: a\n", body_two), 0);
	assert_int_equal(run("text: b\n", body_two_then_fail), DZ_EMANIFEST);
	assert_int_equal(fx.out.n, 2);
	expect_one(DZ_SEV_ERROR, "bad text 'b'", 1, 7);
}

static void test_run_error_means_failure(void **state)
{
	(void)state;
	assert_int_equal(run("text: a\n", body_error_but_ok), DZ_EMANIFEST);
	assert_int_equal(fx.out.n, 0);
	expect_one(DZ_SEV_ERROR, "something wrong", 1, 1);
}

static void test_run_unknown_field(void **state)
{
	(void)state;
	assert_int_equal(run("name: www\nttl: 5\nzone: a\nzoneRef: b\n"
			     "text: a\nfoo: 1\n", body_two), 0);
	expect_one(DZ_SEV_WARNING, "unknown field 'foo' ignored", 6, 1);
}

static void test_run_not_map(void **state)
{
	(void)state;
	assert_int_equal(run("- a\n- b\n", body_two), DZ_EMANIFEST);
	assert_int_equal(fx.diags.nerrors, 1);
	assert_int_equal(fx.out.n, 0);
}

/* ---- dz_kind_ctx_call ---------------------------------------------- */

static int call_fn(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
		   void *arg)
{
	uint64_t *v = arg;
	static const uint8_t rd[1] = { 0 };

	assert_int_equal(dz_kind_add_rdata(ctx, rd, 1), DZ_EINVAL);
	return dz_kind_get_uint(ctx, spec, "ttl", 0, 2147483647, false, v);
}

static void test_ctx_call(void **state)
{
	struct dz_ydoc *docs = NULL;
	size_t ndocs = 0;
	struct dz_yaml_limits lim;
	uint64_t v = 0;
	const char *y = "ttl: 300\nfoo: 1\n";

	(void)state;
	dz_yaml_limits_default(&lim);
	assert_int_equal(dz_yaml_parse_buffer(y, strlen(y), "t.yaml", &lim,
					      fx.arena, &docs, &ndocs,
					      &fx.diags), 0);
	assert_int_equal(dz_kind_ctx_call(docs[0].root, NULL, "t.yaml",
					  &fx.diags, call_fn, &v), 0);
	assert_int_equal(v, 300);
	assert_int_equal(fx.diags.n, 0); /* no unknown-field check */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_uint_ok),
		T(test_uint_quoted),
		T(test_uint_missing),
		T(test_uint_optional),
		T(test_uint_not_int),
		T(test_uint_range),
		T(test_uint_negative),
		T(test_uint_huge),
		T(test_uint_list),
		T(test_str),
		T(test_str_map),
		T(test_name_absolute),
		T(test_name_space),
		T(test_name_empty_label),
		T(test_name_relative),
		T(test_name_nonhost),
		T(test_name_at),
		T(test_name_missing),
		T(test_name_node),
		T(test_run_ok),
		T(test_run_failure_rolls_back),
		T(test_run_error_means_failure),
		T(test_run_unknown_field),
		T(test_run_not_map),
		T(test_ctx_call),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
