/* SPDX-License-Identifier: MIT */
/* test_yaml.c -- unit tests of the YAML tree builder and its limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manifest/yaml.h"
#include "util/errcode.h"

/* One parse: its arena, documents and diagnostics. */
struct res {
	struct dz_arena *arena;
	struct dz_ydoc *docs;
	size_t ndocs;
	struct dz_diags diags;
	int rc;
};

static void parse_lim(struct res *r, const char *buf, size_t len,
		      const struct dz_yaml_limits *lim)
{
	memset(r, 0, sizeof(*r));
	r->arena = dz_arena_new(0);
	assert_non_null(r->arena);
	r->rc = dz_yaml_parse_buffer(buf, len, "t.yaml", lim, r->arena,
				     &r->docs, &r->ndocs, &r->diags);
}

static void parse(struct res *r, const char *s)
{
	parse_lim(r, s, strlen(s), NULL);
}

static void res_clear(struct res *r)
{
	dz_diags_clear(&r->diags);
	dz_arena_free(r->arena);
}

/* Exactly one diagnostic, of this severity, at line:col, containing msg. */
static void expect_diag(const struct res *r, enum dz_severity sev,
			uint32_t line, uint32_t col, const char *msg)
{
	assert_int_equal(r->diags.n, 1);
	const struct dz_diag *d = &r->diags.items[0];
	if (strstr(d->msg, msg) == NULL) {
		fail_msg("diagnostic '%s' lacks '%s'", d->msg, msg);
	}
	assert_int_equal(d->sev, sev);
	assert_string_equal(d->file, "t.yaml");
	assert_int_equal(d->line, line);
	assert_int_equal(d->col, col);
}

static void test_positions(void **state)
{
	struct res r;
	parse(&r, "a: 1\nb:\n  - x\n  - 'y'\nc: {d: e}\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.ndocs, 1);
	const struct dz_ynode *root = r.docs[0].root;
	assert_int_equal(dz_ynode_type(root), DZ_YNODE_MAP);
	assert_int_equal(dz_ynode_line(root), 1);
	assert_int_equal(dz_ynode_col(root), 1);
	assert_int_equal(dz_ynode_len(root), 3);
	assert_int_equal(r.docs[0].line, 1);

	const struct dz_ynode *a = dz_ynode_get(root, "a");
	assert_string_equal(dz_ynode_str(a), "1");
	assert_int_equal(dz_ynode_line(a), 1);
	assert_int_equal(dz_ynode_col(a), 4);

	const struct dz_ynode *b = dz_ynode_get(root, "b");
	assert_int_equal(dz_ynode_type(b), DZ_YNODE_SEQ);
	assert_int_equal(dz_ynode_len(b), 2);
	assert_int_equal(dz_ynode_line(b), 3);
	assert_int_equal(dz_ynode_col(b), 3);
	assert_int_equal(dz_ynode_line(dz_ynode_at(b, 1)), 4);
	assert_int_equal(dz_ynode_col(dz_ynode_at(b, 1)), 5);
	assert_string_equal(dz_ynode_str(dz_ynode_at(b, 1)), "y");
	assert_null(dz_ynode_at(b, 2));

	const struct dz_ynode *k = dz_ynode_key_at(root, 2);
	assert_string_equal(dz_ynode_str(k), "c");
	assert_int_equal(dz_ynode_line(k), 5);
	assert_int_equal(dz_ynode_col(k), 1);
	const struct dz_ynode *d = dz_ynode_get(dz_ynode_value_at(root, 2),
						"d");
	assert_int_equal(dz_ynode_col(d), 8);
	res_clear(&r);
}

static void test_null_safe(void **state)
{
	struct res r;
	parse(&r, "s: x\n");
	const struct dz_ynode *s = dz_ynode_get(r.docs[0].root, "s");

	assert_int_equal(dz_ynode_type(NULL), 0);
	assert_null(dz_ynode_str(NULL));
	assert_null(dz_ynode_get(NULL, "a"));
	assert_null(dz_ynode_get(s, "a"));
	assert_null(dz_ynode_get(r.docs[0].root, "missing"));
	assert_int_equal(dz_ynode_len(NULL), 0);
	assert_int_equal(dz_ynode_len(s), 0);
	assert_null(dz_ynode_at(NULL, 0));
	assert_null(dz_ynode_at(s, 0));
	assert_null(dz_ynode_key_at(NULL, 0));
	assert_null(dz_ynode_value_at(r.docs[0].root, 1));
	assert_int_equal(dz_ynode_line(NULL), 0);
	assert_int_equal(dz_ynode_col(NULL), 0);
	assert_false(dz_ynode_quoted(NULL));
	res_clear(&r);
}

static void test_multi_document(void **state)
{
	struct res r;
	parse(&r, "# head\na: 1\n---\n---\n# only a comment\n---\nb: 2\n"
		  "...\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	assert_int_equal(r.ndocs, 4);
	assert_non_null(dz_ynode_get(r.docs[0].root, "a"));
	assert_null(r.docs[1].root);
	assert_null(r.docs[2].root);
	assert_non_null(dz_ynode_get(r.docs[3].root, "b"));
	assert_int_equal(r.docs[3].line, 7);
	res_clear(&r);
}

static void test_quoted(void **state)
{
	static const struct {
		const char *yaml;
		const char *str;
		bool quoted;
	} cases[] = {
		{ "v: 10\n", "10", false },
		{ "v: \"10\"\n", "10", true },
		{ "v: '10'\n", "10", true },
		{ "v: !!str 10\n", "10", true },
		{ "v: |\n  ten\n", "ten\n", true },
		{ "v: >-\n  ten\n", "ten", true },
		{ "v: true\n", "true", false },
		{ "v:\n", "", false },
		{ "v: \"\"\n", "", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct res r;
		parse(&r, cases[i].yaml);
		assert_int_equal(r.rc, 0);
		const struct dz_ynode *v = dz_ynode_get(r.docs[0].root, "v");
		assert_string_equal(dz_ynode_str(v), cases[i].str);
		assert_int_equal(dz_ynode_quoted(v), cases[i].quoted);
		res_clear(&r);
	}
}

static void test_alias_shared(void **state)
{
	struct res r;
	parse(&r, "x: &a {k: v}\ny: *a\ns: &t hi\nu: *t\n---\nz: &a 1\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.ndocs, 2);
	const struct dz_ynode *root = r.docs[0].root;
	assert_ptr_equal(dz_ynode_get(root, "x"), dz_ynode_get(root, "y"));
	assert_ptr_equal(dz_ynode_get(root, "s"), dz_ynode_get(root, "u"));
	assert_string_equal(dz_ynode_str(dz_ynode_get(dz_ynode_get(root, "y"),
						      "k")), "v");
	res_clear(&r);
}

static void test_errors(void **state)
{
	static const struct {
		const char *yaml;
		size_t len; /* 0: strlen */
		int rc;
		uint32_t line, col;
		const char *msg;
	} cases[] = {
		{ "a: b: c\n", 0, DZ_EYAML, 1, 5, "yaml syntax error: mapping "
		  "values are not allowed in this context" },
		{ "a:\n  b: c\n d: e\n", 0, DZ_EYAML, 3, 2, "yaml syntax "
		  "error: did not find expected key while parsing a block "
		  "mapping" },
		{ "a: [1, 2\nb: 3\n", 0, DZ_EYAML, 2, 2, "yaml syntax error" },
		{ "a: \xff\n", 0, DZ_EYAML, 1, 4, "invalid leading UTF-8" },
		{ "a: \xc3\x28\n", 0, DZ_EYAML, 1, 5, "yaml syntax error" },
		{ "a: b\0c\n", 7, DZ_EYAML, 1, 5, "yaml syntax error" },
		{ "a: \"b\\0c\"\n", 0, DZ_EYAML, 1, 4, "NUL character" },
		{ "? [a]\n: b\n", 0, DZ_EYAML, 1, 3, "mapping key must be a "
		  "scalar" },
		{ "{{a: 1}: 2}\n", 0, DZ_EYAML, 1, 2, "mapping key must be a "
		  "scalar" },
		{ "a: *zz\n", 0, DZ_EYAML, 1, 4, "undefined alias 'zz'" },
		{ "a: &x [*x]\n", 0, DZ_EYAML, 1, 8, "alias 'x' refers to a "
		  "node that contains it" },
		{ "a: &x 1\n---\nb: *x\n", 0, DZ_EYAML, 3, 4, "undefined "
		  "alias 'x'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct res r;
		size_t len = cases[i].len ? cases[i].len :
			     strlen(cases[i].yaml);
		parse_lim(&r, cases[i].yaml, len, NULL);
		assert_int_equal(r.rc, cases[i].rc);
		assert_int_equal(r.ndocs, 0);
		expect_diag(&r, DZ_SEV_ERROR, cases[i].line, cases[i].col,
			    cases[i].msg);
		res_clear(&r);
	}
}

static void test_empty(void **state)
{
	static const char *const cases[] = {
		"", "# only\n# comments\n", "\n\n\n", "---\n", "---\n...\n",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct res r;
		parse(&r, cases[i]);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.diags.n, 0);
		for (size_t j = 0; j < r.ndocs; j++) {
			assert_null(r.docs[j].root);
		}
		res_clear(&r);
	}
}

static void test_duplicate_keys(void **state)
{
	struct res r;
	parse(&r, "a: 1\nb: 2\na: 3\n");
	assert_int_equal(r.rc, 0);
	expect_diag(&r, DZ_SEV_WARNING, 3, 1, "duplicate key 'a'");
	const struct dz_ynode *root = r.docs[0].root;
	assert_int_equal(dz_ynode_len(root), 2);
	assert_string_equal(dz_ynode_str(dz_ynode_get(root, "a")), "3");
	res_clear(&r);

	/* A big map goes through the sorting path. */
	char buf[4096];
	size_t off = 0;
	for (int i = 0; i < 40; i++) {
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"k%d: %d\n", i % 30, i);
	}
	parse(&r, buf);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 10);
	assert_int_equal(dz_ynode_len(r.docs[0].root), 30);
	assert_string_equal(dz_ynode_str(dz_ynode_get(r.docs[0].root, "k5")),
			    "35");
	assert_string_equal(dz_ynode_str(dz_ynode_key_at(r.docs[0].root, 0)),
			    "k10");
	res_clear(&r);
}

static void test_limit_file_size(void **state)
{
	char dir[] = "/tmp/dz-yaml-XXXXXX";
	char path[64];
	struct res r = {0};

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.yaml", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	/* Sparse: 17 MiB of size without writing it. */
	assert_int_equal(ftruncate(fd, 17 * 1024 * 1024), 0);
	close(fd);

	r.arena = dz_arena_new(0);
	r.rc = dz_yaml_parse_file(path, "big.yaml", NULL, r.arena, &r.docs,
				  &r.ndocs, &r.diags);
	assert_int_equal(r.rc, DZ_ELIMIT);
	assert_int_equal(r.diags.n, 1);
	assert_string_equal(r.diags.items[0].msg, "file is 17825792 bytes, "
			    "larger than the 16777216-byte limit");
	assert_string_equal(r.diags.items[0].file, "big.yaml");
	res_clear(&r);

	/* A missing file: -ENOENT and a diagnostic. */
	r = (struct res){0};
	r.arena = dz_arena_new(0);
	snprintf(path, sizeof(path), "%s/none.yaml", dir);
	r.rc = dz_yaml_parse_file(path, "none.yaml", NULL, r.arena, &r.docs,
				  &r.ndocs, &r.diags);
	assert_true(r.rc < 0 && r.rc > -1000);
	assert_int_equal(r.diags.n, 1);
	res_clear(&r);

	snprintf(path, sizeof(path), "%s/big.yaml", dir);
	unlink(path);
	rmdir(dir);
}

static void test_limit_depth(void **state)
{
	size_t n = 10000;
	char *buf = malloc(2 * n + 1);
	struct res r;

	assert_non_null(buf);
	memset(buf, '[', n);
	memset(buf + n, ']', n);
	buf[2 * n] = '\0';
	parse(&r, buf);
	assert_int_equal(r.rc, DZ_ELIMIT);
	expect_diag(&r, DZ_SEV_ERROR, 1, 65, "nesting deeper than 64 levels");
	res_clear(&r);

	/* 64 levels are fine. */
	memset(buf, '[', 64);
	memset(buf + 64, ']', 64);
	buf[128] = '\0';
	parse(&r, buf);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	res_clear(&r);

	/* Block style counts the same way. */
	struct dz_yaml_limits lim;
	dz_yaml_limits_default(&lim);
	lim.max_depth = 2;
	parse_lim(&r, "a:\n  b:\n    c: 1\n", 17, &lim);
	assert_int_equal(r.rc, DZ_ELIMIT);
	expect_diag(&r, DZ_SEV_ERROR, 3, 5, "nesting deeper than 2 levels");
	res_clear(&r);
	free(buf);
}

static void test_limit_billion_laughs(void **state)
{
	char buf[4096];
	size_t off = 0;
	struct res r;
	clock_t t0 = clock();

	off += (size_t)snprintf(buf + off, sizeof(buf) - off,
				"a0: &a0 [lol, lol, lol, lol, lol, lol, lol, "
				"lol, lol, lol]\n");
	for (int i = 1; i <= 9; i++) {
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++) {
			off += (size_t)snprintf(buf + off, sizeof(buf) - off,
						"%s*a%d", j ? ", " : "",
						i - 1);
		}
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "]\n");
	}
	parse(&r, buf);
	assert_int_equal(r.rc, DZ_ELIMIT);
	assert_int_equal(r.diags.n, 1);
	assert_string_equal(r.diags.items[0].msg,
			    "aliases expand to more than 1000000 nodes");
	/* Level 5 is the first whose aliases pass a million. */
	assert_int_equal(r.diags.items[0].line, 6);
	assert_true(clock() - t0 < CLOCKS_PER_SEC);
	res_clear(&r);
}

static void test_limit_nodes_docs(void **state)
{
	struct dz_yaml_limits lim;
	struct res r;
	const char *y = "[1, 2, 3, 4]\n";
	const char *d = "a: 1\n---\nb: 2\n---\nc: 3\n";

	dz_yaml_limits_default(&lim);
	lim.max_nodes = 4;
	parse_lim(&r, y, strlen(y), &lim);
	assert_int_equal(r.rc, DZ_ELIMIT);
	expect_diag(&r, DZ_SEV_ERROR, 1, 11, "file has more than 4 nodes");
	res_clear(&r);

	dz_yaml_limits_default(&lim);
	lim.max_documents = 2;
	parse_lim(&r, d, strlen(d), &lim);
	assert_int_equal(r.rc, DZ_ELIMIT);
	expect_diag(&r, DZ_SEV_ERROR, 4, 1, "more than 2 documents");
	res_clear(&r);

	dz_yaml_limits_default(&lim);
	lim.max_file_bytes = 8;
	parse_lim(&r, d, strlen(d), &lim);
	assert_int_equal(r.rc, DZ_ELIMIT);
	expect_diag(&r, DZ_SEV_ERROR, 0, 0, "larger than the 8-byte limit");
	res_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_null_safe),
		cmocka_unit_test(test_multi_document),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_alias_shared),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_limit_file_size),
		cmocka_unit_test(test_limit_depth),
		cmocka_unit_test(test_limit_billion_laughs),
		cmocka_unit_test(test_limit_nodes_docs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
