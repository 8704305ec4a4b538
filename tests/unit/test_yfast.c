/* SPDX-License-Identifier: MIT */
/* test_yfast.c -- the fast YAML path against libyaml, input by input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../fuzz/ycmp.h"

/* Both paths; the fast one must agree whenever it accepts. */
static bool check(const char *buf, size_t len,
		  const struct dz_yaml_limits *lim, const char *name)
{
	struct ycmp c;

	ycmp_run(buf, len, lim, &c);
	if (!c.same) {
		fail_msg("%s: %s", name, c.why);
	}
	return c.fast_rc == 0;
}

/* ---- hand-written inputs ----------------------------------------------- */

struct edge {
	const char *in;
	bool fast; /* the fast path must accept it */
};

static const struct edge edges[] = {
	/* documents */
	{ "a: 1\n", true }, { "a: 1", true }, { "", true }, { "\n\n", true },
	{ "# only a comment\n", true }, { "---\na: 1\n", true },
	{ "---\n", true }, { "---", true }, { "---\n---\n", true },
	{ "---\n...\n", true }, { "---\n# c\n", true }, { "---\n  ", true },
	{ "---\n# c", true }, { "a: 1\n...\n", true },
	{ "a: 1\n...\n---\nb: 2\n", true }, { "--- # c\na: 1\n", true },
	{ "---  \na: 1\n", true }, { "a: 1\n---\n", true },
	{ "a: 1\n---\n---\nb: 2\n", true }, { "a: b\n--- \nc: d\n...\n", true },
	{ "a: b\n...\n---\n", true }, { "---\n...\n---\n...\n", true },
	{ "--- #c\n--- #d\n", true }, { "a: 1\n\n\n# c\n\n", true },
	{ "a: 1\n# c", true }, { "a: 1\n  ", true },
	{ "...\n", false }, { "a: 1\n...\n...\n", false },
	{ "a: 1\n...\nb: 2\n", false }, { "--- a\n", false },
	{ "%YAML 1.1\n---\na: 1\n", false }, { "\xef\xbb\xbf" "a: 1\n", false },
	{ "foo\n", false }, { "'foo'\n", false },
	/* line ends and characters */
	{ "a: 1\r\nb: 2\r\n", true }, { "a: 1\rb: 2\n", false },
	{ "a:\tb\n", false }, { "a: b\t\n", false },
	{ "a: caf\xc3\xa9\n", true },
	{ "\xc3\xa9: x\n", true }, { "a: \xc2\xa0x\n", true },
	{ "a: \xf0\x9f\x98\x80 x\n", true }, { "a: \xc2\x85\n", false },
	{ "a: \xe2\x80\xa8\n", false }, { "a: \xef\xbb\xbfx\n", false },
	{ "a: \xff\n", false }, { "a: \x7f\n", false }, { "a: \x01\n", false },
	{ "a: \xc0\xae\n", false }, { "a: \xed\xa0\x80\n", false },
	/* block structure */
	{ "a:\n  b: 1\n  c: 2\nd: 3\n", true },
	{ "a:\n- 1\n- 2\nb: 3\n", true },
	{ "a:\n  - 1\n  - 2\nb: 3\n", true }, { "- a: 1\n  b: 2\n- c\n", true },
	{ "- a:\n  - x\n  b: 1\n", true }, { "- a:\n  - x\n- b\n", true },
	{ "- a:\n    b: 1\n", true }, { "-  a: 1\n   b: 2\n", true },
	{ "a: # c\n  b: 1\n", true }, { "  a: 1\n  b: 2\n", true },
	{ "- 1\n- 2\n", true }, { "a:\n  b:\n    c:\n      d: 1\n", true },
	{ "a:\n- b:\n  - c: 1\n    d: 2\n  e: 3\n", true },
	{ "a:\n  -   x\n  -   y\n", true }, { "x:\n- a\n-  b\n- 'c'\n", true },
	{ "a: b\n  # c\nd: 1\n", true },
	{ "a:\n  - 1\n  b: 2\n", false }, { "- a:\n- b\n", false },
	{ "a:\n", false }, { "a:\nb: 1\n", false }, { "a: #c\n", false },
	{ "a: b\n  c\n", false }, { "a: b\n    # c\n  d: 1\n", false },
	{ "  a: 1\nb: 2\n", false }, { "a: 1\n b: 2\n", false },
	{ "a:\n  b: 1\n c: 2\n", false }, { "a:\n    b: 1\n  c: 2\n", false },
	{ "a: 1\n- b\n", false }, { "- a\nb: 1\n", false },
	{ "- - 1\n", false }, { "-\n  a: 1\n", false }, { "- \n", false },
	{ "- a\n -b\n", false }, { "? a\n: b\n", false },
	{ "a: 1\na: 2\n", false }, { "a: 1\nb: 2\na: 3\n", false },
	{ "a: - b\n", false }, { "- a: - b\n", false },
	/* plain scalars and keys */
	{ "a: b #c\n", true }, { "a: b#c\n", true }, { "a: b  \n", true },
	{ "a:b: c\n", true }, { "a::: c\n", true }, { "a  : c\n", true },
	{ "a b: c d\n", true }, { "a#b: c\n", true },
	{ "a: http://x/y\n", true },
	{ "a: 2001:db8::1\n", true }, { "a: ~\n", true }, { "a: ...\n", true },
	{ "...x: 1\n", true }, { "a:   x   y  \n", true },
	{ "a: b: c\n", false }, { "a: b:\n", false }, { "a:b\n", false },
	{ "a #b: c\n", false }, { "a: fe80::\n", false }, { "a: -1\n", false },
	{ "a: ?x\n", false }, { "a: :x\n", false }, { "a: [1]\n", false },
	{ "a: {b: 1}\n", false }, { "a: &x 1\nb: *x\n", false },
	{ "a: !!str 1\n", false }, { "a: |\n  x\n", false },
	{ "a: >\n  x\n", false }, { "a: %x\n", false }, { "a: @x\n", false },
	{ "a: `x\n", false }, { "a: ---\n", false }, { "---x: 1\n", false },
	{ "-x\n", false },
	/* quoted scalars */
	{ "a: 'x'\n", true }, { "a: 'x''y'\n", true }, { "a: ''\n", true },
	{ "a: \"\"\n", true }, { "a: 'x' #c\n", true }, { "- 'a'\n", true },
	{ "- \"a\"\n", true }, { "a: \"x\" # c\n", true },
	{ "a: 'it''s'  # c\n", true }, { "a: \"x\\ny\"\n", true },
	{ "a: \"\\x41\\u00e9\\U0001F600\"\n", true },
	{ "a: \"\\a\\b\\t\\v\\f\\r\\e\\ \\\"\\/\\\\\\N\\_\\L\\P\"\n", true },
	{ "a: \"# not a comment: x\"\n", true }, { "a: 'b: c'\n", true },
	{ "a: \"\\0\"\n", false }, { "a: \"\\'\"\n", false },
	{ "a: \"\\x00\"\n", false }, { "a: \"\\uD800\"\n", false },
	{ "a: \"\\q\"\n", false }, { "a: \"\\x4\"\n", false },
	{ "a: \"x\\\n  y\"\n", false }, { "a: 'x'#c\n", false },
	{ "a: 'x' y\n", false }, { "'a': 1\n", false }, { "\"a\": 1\n", false },
	{ "a: 'x\n  y'\n", false }, { "a: \"x\n  y\"\n", false },
	{ "a: 'b': c\n", false },
};

static void test_edges(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		const char *in = edges[i].in;
		char name[80];
		snprintf(name, sizeof(name), "edge %zu", i);
		bool ok = check(in, strlen(in), NULL, name);
		if (ok != edges[i].fast) {
			fail_msg("edge %zu: fast path %s it", i,
				 ok ? "accepts" : "declines");
		}
	}
}

/* A simple key longer than 1024 characters is not a key for libyaml. */
static void test_long_key(void **state)
{
	char buf[2100];

	(void)state;
	memset(buf, 'k', sizeof(buf));
	memcpy(buf + 990, ": v\n", 4);
	assert_true(check(buf, 994, NULL, "990-byte key"));
	memset(buf, 'k', sizeof(buf));
	memcpy(buf + 1100, ": v\n", 4);
	assert_false(check(buf, 1104, NULL, "1100-byte key"));
}

/* ---- limits -------------------------------------------------------------- */

static void test_limits(void **state)
{
	struct dz_yaml_limits lim;
	const char *deep = "a:\n b:\n  c:\n   d: 1\n"; /* 4 maps, 9 nodes */
	const char *docs = "---\na: 1\n---\nb: 2\n---\n";

	(void)state;
	dz_yaml_limits_default(&lim);
	lim.max_depth = 4;
	assert_true(check(deep, strlen(deep), &lim, "depth 4"));
	lim.max_depth = 3;
	assert_false(check(deep, strlen(deep), &lim, "depth 3"));
	dz_yaml_limits_default(&lim);
	lim.max_nodes = 9;
	assert_true(check(deep, strlen(deep), &lim, "9 nodes"));
	lim.max_nodes = 8;
	assert_false(check(deep, strlen(deep), &lim, "8 nodes"));
	/* libyaml's empty scalar of an empty document is a node too */
	lim.max_nodes = 10;
	assert_true(check("a: 1\n---\n", 9, &lim, "empty document"));
	lim.max_nodes = 3;
	assert_false(check("a: 1\n---\n", 9, &lim, "empty document"));
	dz_yaml_limits_default(&lim);
	lim.max_documents = 3;
	assert_true(check(docs, strlen(docs), &lim, "3 documents"));
	lim.max_documents = 2;
	assert_false(check(docs, strlen(docs), &lim, "2 documents"));
	dz_yaml_limits_default(&lim);
	lim.max_file_bytes = 4;
	assert_false(check(docs, strlen(docs), &lim, "file size"));
}

/* ---- the bench manifests' shape ---------------------------------------- */

static size_t bench_text(char *buf, size_t cap, unsigned n)
{
	size_t k = (size_t)snprintf(buf, cap, "# generated by bench/gen\n");

	for (unsigned i = 0; i < n && k < cap; i++) {
		k += (size_t)snprintf(buf + k, cap - k,
			"---\napiVersion: bindy.firestoned.io/v1alpha1\n"
			"kind: ARecord\nmetadata:\n  name: host-%u\n"
			"  namespace: bench\nspec:\n  zoneRef: hosting\n"
			"  name: host-%u\n  ipv4Address: \"10.0.%u.%u\"\n"
			"  ttl: 3600\n", i, i, i / 256, i % 256);
	}
	return k;
}

static void test_bench_shape(void **state)
{
	static char buf[1 << 20];
	struct dz_yaml_limits lim;
	struct dz_arena *a = dz_arena_new(0);
	struct dz_ydoc *docs;
	size_t n, len = bench_text(buf, sizeof(buf), 2000);
	struct dz_diags diags = { 0 };

	(void)state;
	assert_true(len < sizeof(buf));
	assert_true(check(buf, len, NULL, "bench"));
	/* through dz_yaml_parse_buffer, fast path on */
	assert_int_equal(dz_yaml_parse_buffer(buf, len, "b.yaml", NULL, a,
					      &docs, &n, &diags), 0);
	assert_int_equal(n, 2000);
	assert_int_equal(diags.n, 0);
	assert_int_equal(docs[1].line, 14); /* its root's, not the ---'s */
	const struct dz_ynode *spec = docs[1].root->u.pairs[3].value;
	assert_string_equal(docs[1].root->u.pairs[3].key->u.str, "spec");
	assert_int_equal(spec->line, 20);
	assert_int_equal(spec->col, 3);
	assert_string_equal(spec->u.pairs[2].value->u.str, "10.0.0.1");
	assert_true(spec->u.pairs[2].value->quoted);
	assert_int_equal(spec->u.pairs[2].value->col, 16);
	/* the fast path itself accepts it */
	dz_yaml_limits_default(&lim);
	dz_arena_reset(a);
	assert_int_equal(dz_yaml_fast_parse(buf, len, &lim, a, &docs, &n), 0);
	assert_int_equal(n, 2000);
	dz_arena_free(a);
}

/* ---- every mutation of a few small manifests --------------------------- */

static const char *const seeds[] = {
	"---\napiVersion: bindy.firestoned.io/v1beta1\nkind: MXRecord\n"
	"metadata:\n  name: mx # c\n  labels:\n    zone: 'ex.com'\n"
	"spec:\n  priority: 10\n  mailServer: \"mail.ex.com.\"\n",
	"a:\n- b: 1\n  c:\n  - x\n  - 'y'\nd: e\n...\n",
	"- a: \"\\x41\"\n  b:\n    c: d\n- e\n",
};

/* Delete each byte, and insert or overwrite with each of a few bytes
 * that matter to YAML, at every position. */
static void test_mutations(void **state)
{
	static const char ins[] = " -:#'\"\n\r\t\\x?[&|>.\xc3";
	char buf[512], name[64];
	size_t accepted = 0, total = 0;

	(void)state;
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		const char *in = seeds[s];
		size_t len = strlen(in);
		assert_true(check(in, len, NULL, "seed"));
		for (size_t i = 0; i <= len; i++) {
			snprintf(name, sizeof(name), "seed %zu at %zu", s, i);
			if (i < len) {
				memcpy(buf, in, i);
				memcpy(buf + i, in + i + 1, len - i - 1);
				accepted += check(buf, len - 1, NULL, name);
				total++;
			}
			for (size_t j = 0; j < sizeof(ins) - 1; j++) {
				memcpy(buf, in, i);
				buf[i] = ins[j];
				memcpy(buf + i + 1, in + i, len - i);
				accepted += check(buf, len + 1, NULL, name);
				total++;
				if (i < len) {
					memcpy(buf, in, len);
					buf[i] = ins[j];
					accepted += check(buf, len, NULL, name);
					total++;
				}
			}
		}
	}
	printf("mutations: %zu inputs, %zu accepted by the fast path\n",
	       total, accepted);
}

/* ---- the shared corpus --------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* The JSON string at p (just after its opening quote), decoded in place
 * into out; only what the ferret corpus uses. Returns its length. */
static size_t json_string(const char *p, char *out)
{
	size_t k = 0;

	for (; *p && *p != '"'; p++) {
		if (*p != '\\') {
			out[k++] = *p;
			continue;
		}
		switch (*++p) {
		case 'n': out[k++] = '\n'; break;
		case 't': out[k++] = '\t'; break;
		case 'r': out[k++] = '\r'; break;
		case 'u': {
			unsigned v = 0;
			sscanf(p + 1, "%4x", &v);
			p += 4;
			out[k++] = v < 0x80 ? (char)v : '?';
			break;
		}
		default: out[k++] = *p; break;
		}
	}
	return k;
}

/* Every "manifests" text of a JSON-lines file (ferret/cases.jsonl). */
static void check_jsonl(const char *path, const char *buf, size_t *files,
			size_t *fast)
{
	static const char field[] = "\"manifests\": \"";
	char *out = malloc(strlen(buf) + 1);
	char name[4200];

	assert_non_null(out);
	for (const char *p = strstr(buf, field); p != NULL;
	     p = strstr(p + 1, field)) {
		size_t n = json_string(p + sizeof(field) - 1, out);
		snprintf(name, sizeof(name), "%s at byte %zu", path,
			 (size_t)(p - buf));
		/* every converted manifest is plain block YAML */
		if (!check(out, n, NULL, name)) {
			fail_msg("%s: fast path declines", name);
		}
		(*files)++;
		(*fast)++;
	}
	free(out);
}

static void walk(const char *dir, size_t *files, size_t *fast)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0) {
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			walk(path, files, fast);
			continue;
		}
		size_t len = 0;
		char *buf = slurp(path, &len);
		assert_non_null(buf);
		(*files)++;
		*fast += check(buf, len, NULL, path);
		if (strstr(e->d_name, ".jsonl") != NULL) {
			check_jsonl(path, buf, files, fast);
		}
		/* bindy examples are block YAML but for RBAC flow lists */
		if (strstr(path, "bindy-examples/") != NULL &&
		    strstr(buf, "[\"") == NULL) {
			assert_true(check(buf, len, NULL, path));
		}
		free(buf);
	}
	closedir(d);
}

static void test_corpus(void **state)
{
	const char *shared = getenv("DZ_SHARED");
	char dir[4096];
	size_t files = 0, fast = 0;

	(void)state;
	if (shared == NULL) {
		fprintf(stderr, "test_yfast: DZ_SHARED is not set\n");
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/corpus", shared);
	walk(dir, &files, &fast);
	printf("corpus: %zu inputs, %zu accepted by the fast path\n", files,
	       fast);
	assert_true(files > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_long_key),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bench_shape),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
