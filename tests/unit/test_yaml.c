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

/* ---- packed trees (ypack.c) --------------------------------------------- */

/* a and b alike in everything a diagnostic or a kind can see. */
static void same_tree(const struct dz_ynode *a, const struct dz_ynode *b)
{
	assert_non_null(b);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->quoted, b->quoted);
	assert_int_equal(a->line, b->line);
	assert_int_equal(a->col, b->col);
	assert_int_equal(a->len, b->len);
	switch (a->type) {
	case DZ_YNODE_SCALAR:
		assert_memory_equal(a->u.str, b->u.str, a->len + 1);
		break;
	case DZ_YNODE_SEQ:
		for (size_t i = 0; i < a->len; i++) {
			same_tree(a->u.items[i], b->u.items[i]);
		}
		break;
	case DZ_YNODE_MAP:
		for (size_t i = 0; i < a->len; i++) {
			same_tree(a->u.pairs[i].key, b->u.pairs[i].key);
			same_tree(a->u.pairs[i].value, b->u.pairs[i].value);
		}
		break;
	}
}

/* Pack n, unpack it twice (packed bytes are read-only and reusable) and
 * compare; returns the arena bytes the packed form took. */
static size_t round_trip(const struct dz_ynode *n)
{
	struct dz_arena *pa = dz_arena_new(0), *ta = dz_arena_new(0);
	const uint8_t *p;
	size_t used;

	assert_non_null(pa);
	assert_non_null(ta);
	p = dz_ynode_pack(pa, n);
	assert_non_null(p);
	used = dz_arena_used(pa);
	for (int i = 0; i < 2; i++) {
		dz_arena_reset(ta);
		same_tree(n, dz_ynode_unpack(ta, p));
	}
	dz_arena_free(ta);
	dz_arena_free(pa);
	return used;
}

static void test_pack_null(void **state)
{
	struct dz_arena *a = dz_arena_new(0);

	assert_null(dz_ynode_pack(a, NULL));
	assert_null(dz_ynode_unpack(a, NULL));
	dz_arena_free(a);
}

/* Every document of yaml, parsed by both parsers, packs and comes back. */
static void pack_yaml(const char *yaml, size_t len)
{
	for (int fast = 0; fast < 2; fast++) {
		struct res r;
		dz_yaml_fast_enabled = fast;
		parse_lim(&r, yaml, len ? len : strlen(yaml), NULL);
		if (r.rc != 0) {
			fail_msg("rc %d: %s", r.rc, r.diags.n ?
				 r.diags.items[0].msg : "");
		}
		assert_int_equal(r.diags.n, 0);
		for (size_t i = 0; i < r.ndocs; i++) {
			if (r.docs[i].root != NULL) {
				round_trip(r.docs[i].root);
			}
		}
		res_clear(&r);
	}
	dz_yaml_fast_enabled = true;
}

static void test_pack_yaml(void **state)
{
	static const char *const docs[] = {
		/* a record as the generators write it, and variations */
		"zoneRef: hosting\nname: host-1\nipv4Address: \"10.0.0.1\"\n"
		"ttl: 3600\n",
		"zoneRef:   far\n\n\n# comment\nname:\tx\n'ttl': '3600'\n"
		"\"target\": \"\"\nzone: ''\nport:\nweight: 443\n",
		/* block and indentless sequences, nested maps */
		"nameServers:\n  - hostname: ns1.\n"
		"    ipv4Address: \"1.2.3.4\"\n"
		"  - hostname: ns2.\nsoaRecord:\n  primaryNs: ns1.\n"
		"  serial: 2026010101\nlist:\n- a\n- - b\n  - c\n- {}\n- []\n",
		/* flow style, empty collections, col 1 */
		"{a: [1, 2, {b: c}], d: {}, e: [], 'q': \"3600\"}\n",
		"[x, [y, [z]], {}]\n",
		"plain\n",
		"\"quoted at col 1\"\n",
		/* block scalars and multi-line values */
		"text: |\n  one\n  two\nnext: >-\n  folded\n  text\n"
		"multi: a\n  b\n  c\nafter: 1\n",
		/* aliases: the repeated nodes' lines go back */
		"base: &b\n  ttl: 300\n  name: x\nlist: &l [1, 2]\n"
		"a: *b\nb: *l\nc: *b\n",
		/* escapes and non-ASCII (a NUL the parser refuses: the
		 * random trees have them) */
		"utf: \"\\u00e9t\\u00e9\"\ntab: \"\\t\"\nraw: \u00e9t\u00e9\n",
		"words: [3600, 300, 10, 20, 86400, 60, 0, 600, In, Exists,"
		" false, \"zoneRef\", ttl]\nIn: NotIn\n",
		/* several documents */
		"a: 1\n---\nb: 2\n---\n- x\n",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		pack_yaml(docs[i], 0);
	}
}

/* Long strings, long lines, many items, deep nesting, far-off lines. */
static void test_pack_big(void **state)
{
	size_t cap = 300000, n = 0;
	char *y = malloc(cap);
	assert_non_null(y);

	/* a 100 kB value, a value past column 10000, a 1000-item sequence,
	 * and far below an alias back to the first */
	n += (size_t)snprintf(y + n, cap - n, "k: &x \"");
	memset(y + n, 'x', 100000);
	n += 100000;
	n += (size_t)snprintf(y + n, cap - n, "\"\nwide: ");
	memset(y + n, ' ', 10000);
	n += 10000;
	n += (size_t)snprintf(y + n, cap - n, "v\nitems:\n");
	for (int i = 0; i < 1000; i++) {
		n += (size_t)snprintf(y + n, cap - n, "  - item%d\n", i);
	}
	memset(y + n, '\n', 50000);
	n += 50000;
	n += (size_t)snprintf(y + n, cap - n, "late: [a, *x]\n");
	pack_yaml(y, n);

	/* 60 levels of maps, then of flow sequences */
	n = 0;
	for (int i = 0; i < 60; i++) {
		n += (size_t)snprintf(y + n, cap - n, "%*sk%d:\n", 2 * i, "",
				      i);
	}
	n += (size_t)snprintf(y + n, cap - n, "%*send\n", 120, "");
	pack_yaml(y, n);
	n = 0;
	for (int i = 0; i < 60; i++) {
		y[n++] = '[';
	}
	for (int i = 0; i < 60; i++) {
		y[n++] = ']';
	}
	y[n++] = '\n';
	pack_yaml(y, n);
	free(y);
}

/* A record's spec as the benchmark writes it: positions cost nothing. */
static void test_pack_size(void **state)
{
	struct res r;

	parse(&r, "spec:\n  zoneRef: hosting\n  name: host-12345\n"
		  "  ipv4Address: \"10.0.177.129\"\n  ttl: 3600\n");
	assert_int_equal(r.rc, 0);
	assert_true(round_trip(dz_ynode_get(r.docs[0].root, "spec")) <= 48);
	res_clear(&r);
}

/* ---- random trees, with positions a parser would never give ---------- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;
static unsigned rnd_budget; /* nodes left for the tree being made */

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return n ? (uint32_t)(rnd_state % n) : 0;
}

static uint32_t rnd_pos(uint32_t near)
{
	static const uint32_t odd[] = { 0, 1, 2, 127, 128, 16383, 16384,
					0x7fffffff, 0x80000000, UINT32_MAX,
					UINT32_MAX - 1 };
	switch (rnd(4)) {
	case 0:
		return odd[rnd(sizeof(odd) / sizeof(odd[0]))];
	case 1:
		return near - rnd(3);
	default:
		return near + rnd(3);
	}
}

static struct dz_ynode *rnd_tree(struct dz_arena *a, unsigned depth,
				 uint32_t *line)
{
	static const char *const strs[] = {
		"", "3600", "ttl", "zoneRef", "In", "app", "x", "hosting",
		"2001:db8::1", "abcde", "abcdef",
	};
	struct dz_ynode *n = dz_arena_alloc(a, sizeof(*n));
	unsigned t = depth > 6 || rnd_budget == 0 ? 0 : rnd(3);

	assert_non_null(n);
	rnd_budget -= rnd_budget > 0;
	*line = rnd_pos(*line + 1);
	n->line = *line;
	n->col = rnd_pos(3);
	n->quoted = rnd(2);
	if (t == 0) {
		size_t len = rnd(4) ? 0 : rnd(700);
		char *s;
		n->type = DZ_YNODE_SCALAR;
		if (len == 0 && rnd(2)) {
			n->u.str = strs[rnd(sizeof(strs) / sizeof(strs[0]))];
			n->len = strlen(n->u.str);
			return n;
		}
		s = dz_arena_alloc(a, len + 1);
		assert_non_null(s);
		for (size_t i = 0; i < len; i++) {
			s[i] = (char)(rnd(8) ? 'a' + rnd(26) : rnd(256));
		}
		n->u.str = s;
		n->len = len;
		return n;
	}
	n->len = rnd(4) ? rnd(8) : rnd(200);
	if (n->len > rnd_budget) {
		n->len = rnd_budget;
	}
	rnd_budget -= (unsigned)n->len;
	if (t == 1) {
		n->type = DZ_YNODE_SEQ;
		n->u.items = dz_arena_alloc(a, (n->len + 1) * sizeof(void *));
		assert_non_null(n->u.items);
		for (size_t i = 0; i < n->len; i++) {
			n->u.items[i] = rnd_tree(a, depth + 1, line);
		}
		return n;
	}
	n->type = DZ_YNODE_MAP;
	n->u.pairs = dz_arena_alloc(a, (n->len + 1) * sizeof(*n->u.pairs));
	assert_non_null(n->u.pairs);
	for (size_t i = 0; i < n->len; i++) {
		/* keys: mostly scalars (the parser allows nothing else) */
		n->u.pairs[i].key = rnd_tree(a, rnd(8) ? 7 : depth + 1,
					     line);
		n->u.pairs[i].value = rnd_tree(a, depth + 1, line);
	}
	return n;
}

static void test_pack_random(void **state)
{
	for (int i = 0; i < 300; i++) {
		struct dz_arena *a = dz_arena_new(0);
		uint32_t line = rnd_pos(1);
		assert_non_null(a);
		rnd_budget = 2000;
		round_trip(rnd_tree(a, 0, &line));
		dz_arena_free(a);
	}
}

/* Positions that follow the guesses except here and there, and keys
 * that are words: the short forms and the fallbacks side by side. */
static void test_pack_guessed(void **state)
{
	static const char *const keys[] = { "zoneRef", "ttl", "name", "x" };

	for (int round = 0; round < 300; round++) {
		struct dz_arena *a = dz_arena_new(0);
		struct dz_ynode *m = dz_arena_alloc(a, sizeof(*m));
		uint32_t line = 1 + rnd(100000);

		assert_non_null(m);
		m->type = DZ_YNODE_MAP;
		m->line = line;
		m->col = rnd(2) ? 3 : 1 + rnd(5);
		m->len = rnd(6);
		m->u.pairs = dz_arena_alloc(a, (m->len + 1) *
					       sizeof(*m->u.pairs));
		for (size_t i = 0; i < m->len; i++) {
			struct dz_ynode *k = dz_arena_alloc(a, 2 * sizeof(*k));
			struct dz_ynode *v = k + 1;
			k->type = v->type = DZ_YNODE_SCALAR;
			k->u.str = keys[rnd(4)];
			k->len = strlen(k->u.str);
			k->quoted = rnd(8) == 0;
			line += i ? 1 + (rnd(4) == 0) : 0;
			k->line = rnd(8) ? line : rnd_pos(line);
			k->col = rnd(8) ? m->col : rnd_pos(m->col);
			line = k->line;
			v->u.str = rnd(2) ? "3600" : "host-1";
			v->len = strlen(v->u.str);
			v->quoted = rnd(2);
			v->line = rnd(8) ? k->line : rnd_pos(k->line);
			v->col = rnd(8) ? k->col + (uint32_t)k->len + 2
					: rnd_pos(k->col);
			line = v->line;
			m->u.pairs[i].key = k;
			m->u.pairs[i].value = v;
		}
		round_trip(m);
		dz_arena_free(a);
	}
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
		cmocka_unit_test(test_pack_null),
		cmocka_unit_test(test_pack_yaml),
		cmocka_unit_test(test_pack_big),
		cmocka_unit_test(test_pack_size),
		cmocka_unit_test(test_pack_random),
		cmocka_unit_test(test_pack_guessed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
