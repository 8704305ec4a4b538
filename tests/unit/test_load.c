/* SPDX-License-Identifier: MIT */
/* test_load.c -- unit tests of manifest loading and directory listing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/load.h"
#include "util/errcode.h"

static bool corpus_missing;

static struct dz_mfile *load(const char *s)
{
	struct dz_mfile *f = dz_mfile_load_buffer(s, strlen(s), "t.yaml");

	assert_non_null(f);
	assert_string_equal(f->rel, "t.yaml");
	return f;
}

static void expect_diag(const struct dz_diags *d, size_t i,
			enum dz_severity sev, uint32_t line, uint32_t col,
			const char *msg)
{
	assert_true(i < d->n);
	const struct dz_diag *e = &d->items[i];
	if (strcmp(e->msg, msg) != 0) {
		fail_msg("diagnostic '%s', expected '%s'", e->msg, msg);
	}
	assert_int_equal(e->sev, sev);
	assert_string_equal(e->file, "t.yaml");
	assert_int_equal(e->line, line);
	assert_int_equal(e->col, col);
}

#define ZONE(name) \
	"apiVersion: bindy.firestoned.io/v1beta1\n" \
	"kind: DNSZone\n" \
	"metadata:\n" \
	"  name: " name "\n" \
	"spec:\n" \
	"  zoneName: example.com\n"

static void test_skipping(void **state)
{
	struct dz_mfile *f = load(
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n"
		"---\n"
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
		"metadata:\n  name: r\n"
		"---\n"
		"apiVersion: bindy.firestoned.ioX/v1beta1\nkind: DNSZone\n"
		"---\n"
		"apiVersion: bindy.firestoned.io/v1beta1\nkind: Bind9Cluster\n"
		"metadata:\n  name: c\nspec: {}\n"
		"---\n"
		"apiVersion: bindy.firestoned.io/v1beta1\nkind: Bind9Instance\n"
		"---\n"
		"apiVersion: bindy.firestoned.io/v1alpha1\n"
		"kind: ClusterBind9Provider\n"
		"---\n"
		"---\n"
		"# just a comment\n"
		"---\n" ZONE("z1"));

	assert_false(f->failed);
	assert_int_equal(f->diags.n, 0);
	assert_int_equal(f->nobjects, 1);
	const struct dz_object *o = &f->objects[0];
	assert_ptr_equal(o->cls->file, f);
	assert_true(o->cls->is_zone);
	assert_null(o->cls->ops);
	assert_string_equal(o->cls->kind, "DNSZone");
	assert_string_equal(o->cls->api_version, "bindy.firestoned.io/v1beta1");
	assert_string_equal(o->name, "z1");
	assert_string_equal(o->cls->ns, "default");
	assert_int_equal(o->line, 29);
	assert_int_equal(o->col, 1);
	assert_int_equal(dz_object_diags(o)->n, 0);
	struct dz_arena *a = dz_arena_new(0);
	const struct dz_ynode *spec = dz_object_spec(o, a, NULL);
	assert_string_equal(dz_ynode_str(dz_ynode_get(spec, "zoneName")),
			    "example.com");
	dz_arena_free(a);
	dz_mfile_free(f);
}

static void test_kinds(void **state)
{
	static const char *const kinds[] = {
		"ARecord", "AAAARecord", "MXRecord", "SRVRecord", "ZZTestRecord",
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char buf[512];
		snprintf(buf, sizeof(buf),
			 "apiVersion: bindy.firestoned.io/v1alpha1\n"
			 "kind: %s\nmetadata:\n  name: r\n  namespace: ns1\n"
			 "spec:\n  name: www\n", kinds[i]);
		struct dz_mfile *f = load(buf);
		const struct dz_kind *ops = dz_kind_lookup_name(kinds[i]);

		assert_int_equal(f->diags.n, 0);
		assert_int_equal(f->nobjects, 1);
		const struct dz_object *o = &f->objects[0];
		assert_false(o->cls->is_zone);
		assert_ptr_equal(o->cls->ops, ops);
		assert_string_equal(o->cls->ns, "ns1");
		if (ops == NULL) {
			char msg[128];
			snprintf(msg, sizeof(msg),
				 "unsupported kind '%s': skipped", kinds[i]);
			assert_int_equal(o->reason,
					 DZ_REASON_UNSUPPORTED_KIND);
			assert_int_equal(dz_object_diags(o)->n, 1);
			assert_int_equal(dz_object_diags(o)->nerrors, 0);
			expect_diag(dz_object_diags(o), 0, DZ_SEV_WARNING, 2, 7,
				    msg);
		} else {
			assert_int_equal(dz_object_diags(o)->n, 0);
			assert_int_equal(o->reason, DZ_REASON_PENDING);
		}
		dz_mfile_free(f);
	}
}

/* Documents that produce no object and one file-level diagnostic. */
static void test_file_diags(void **state)
{
	static const struct {
		const char *yaml;
		enum dz_severity sev;
		uint32_t line, col;
		const char *msg;
	} cases[] = {
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: Foo\n",
		  DZ_SEV_WARNING, 2, 7, "unknown kind 'Foo': skipped" },
		{ "apiVersion: bindy.firestoned.io/v2\nkind: DNSZone\n",
		  DZ_SEV_ERROR, 1, 13,
		  "unsupported apiVersion 'bindy.firestoned.io/v2'" },
		{ "apiVersion: bindy.firestoned.io\nkind: DNSZone\n",
		  DZ_SEV_ERROR, 1, 13,
		  "unsupported apiVersion 'bindy.firestoned.io'" },
		{ "apiVersion: bindy.firestoned.io/v1beta1\nspec: {}\n",
		  DZ_SEV_ERROR, 1, 1, "missing required field 'kind'" },
		{ "- a\n- b\n", DZ_SEV_ERROR, 1, 1,
		  "document is not a mapping" },
		{ "just text\n", DZ_SEV_ERROR, 1, 1,
		  "document is not a mapping" },
		{ "kind: DNSZone\n", DZ_SEV_WARNING, 1, 1,
		  "document has no 'apiVersion' string: skipped" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dz_mfile *f = load(cases[i].yaml);
		assert_false(f->failed);
		assert_int_equal(f->nobjects, 0);
		assert_int_equal(f->diags.n, 1);
		expect_diag(&f->diags, 0, cases[i].sev, cases[i].line,
			    cases[i].col, cases[i].msg);
		dz_mfile_free(f);
	}
}

/* Documents that produce one object with one load error. */
static void test_object_errors(void **state)
{
	static const struct {
		const char *yaml;
		uint32_t line, col;
		const char *msg;
	} cases[] = {
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		  "spec: {}\n", 1, 1, "missing required field 'metadata.name'" },
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		  "metadata:\n  namespace: x\nspec: {}\n", 4, 3,
		  "missing required field 'metadata.name'" },
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		  "metadata: [a]\nspec: {}\n", 3, 11,
		  "'metadata' must be a mapping" },
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		  "metadata:\n  name: [a]\nspec: {}\n", 4, 9,
		  "'metadata.name' must be a non-empty string" },
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		  "metadata:\n  name: ''\nspec: {}\n", 4, 9,
		  "'metadata.name' must be a non-empty string" },
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		  "metadata:\n  name: z\n  namespace: {a: b}\nspec: {}\n", 5, 14,
		  "'metadata.namespace' must be a string" },
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		  "metadata:\n  name: z\n  labels: [a]\nspec: {}\n", 5, 11,
		  "'metadata.labels' must be a mapping" },
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		  "metadata:\n  name: z\n  labels:\n    a: {b: c}\nspec: {}\n",
		  6, 8, "label 'a' must be a string" },
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		  "metadata:\n  name: z\n", 1, 1,
		  "missing required field 'spec'" },
		{ "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		  "metadata:\n  name: z\nspec: zone\n", 5, 7,
		  "'spec' must be a mapping" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dz_mfile *f = load(cases[i].yaml);
		assert_int_equal(f->diags.n, 0);
		assert_int_equal(f->nobjects, 1);
		const struct dz_object *o = &f->objects[0];
		assert_non_null(o->name);
		assert_non_null(o->cls->ns);
		assert_int_equal(dz_object_diags(o)->n, 1);
		expect_diag(dz_object_diags(o), 0, DZ_SEV_ERROR, cases[i].line,
			    cases[i].col, cases[i].msg);
		assert_int_equal(o->reason, DZ_REASON_FAILED);
		assert_non_null(strstr(dz_object_message(o), cases[i].msg));
		dz_mfile_free(f);
	}
}

static void test_labels_namespace(void **state)
{
	struct dz_mfile *f = load(
		"# leading comment\n"
		"---\n"
		"apiVersion: bindy.firestoned.io/v1beta1\n"
		"kind: MXRecord\n"
		"metadata:\n"
		"  name: mx1\n"
		"  namespace: mail\n"
		"  labels:\n"
		"    zone: example.com\n"
		"    tier: \"1\"\n"
		"    empty:\n"
		"spec:\n"
		"  name: '@'\n"
		"---\n"
		ZONE("z"));

	assert_int_equal(f->diags.n, 0);
	assert_int_equal(f->nobjects, 2);
	const struct dz_object *o = &f->objects[0];
	assert_string_equal(o->cls->ns, "mail");
	assert_string_equal(o->name, "mx1");
	assert_int_equal(o->line, 3);
	assert_int_equal(o->cls->nlabels, 3);
	assert_string_equal(o->cls->labels[0].key, "zone");
	assert_string_equal(o->cls->labels[0].value, "example.com");
	assert_string_equal(o->cls->labels[1].key, "tier");
	assert_string_equal(o->cls->labels[1].value, "1");
	assert_string_equal(o->cls->labels[2].value, "");
	o = &f->objects[1];
	assert_int_equal(o->line, 15);
	assert_int_equal(o->col, 1);
	assert_string_equal(o->cls->ns, "default");
	assert_int_equal(o->cls->nlabels, 0);
	dz_mfile_free(f);
}

/* A record in namespace ns, labelled app=app (none when NULL). */
#define REC(kind, name, ns, app, ref)					\
	"---\napiVersion: bindy.firestoned.io/v1beta1\nkind: " kind	\
	"\nmetadata:\n  name: " name "\n  namespace: " ns "\n"		\
	app "spec:\n  zoneRef: " ref "\n  name: x\n"

/* Records that differ only in name and spec share a class; any other
 * difference makes one of its own. */
static void test_classes(void **state)
{
	struct dz_mfile *f = load(
		REC("ARecord", "a1", "n1", "", "z")
		REC("AAAARecord", "b1", "n1", "", "z")
		REC("ARecord", "a2", "n1", "", "z")
		REC("ARecord", "a3", "n1", "  labels:\n    app: x\n", "z")
		REC("ARecord", "a4", "n1", "  labels:\n    app: y\n", "z")
		REC("ARecord", "a5", "n2", "", "z")
		REC("ARecord", "a6", "n1", "", "other")
		REC("ARecord", "a7", "n1", "  labels:\n    app: x\n", "z"));
	const struct dz_object *o = f->objects;

	(void)state;
	assert_int_equal(f->nobjects, 8);
	assert_ptr_equal(o[0].cls, o[2].cls);
	assert_ptr_equal(o[3].cls, o[7].cls);
	for (size_t i = 0; i < 7; i++) {
		for (size_t j = i + 1; j < 7; j++) {
			if (i != 0 || j != 2) {
				assert_ptr_not_equal(o[i].cls, o[j].cls);
			}
		}
	}
	/* equal strings are one copy: the build compares pointers */
	assert_ptr_equal(o[0].cls->ns, o[1].cls->ns);
	assert_ptr_equal(o[0].cls->zone_key, o[5].cls->zone_key);
	assert_string_equal(o[4].cls->labels[0].value, "y");
	assert_string_equal(o[5].cls->ns, "n2");
	assert_string_equal(dz_object_zone_ref(&o[6]), "other");
	for (size_t i = 0; i < 8; i++) {
		assert_ptr_equal(o[i].cls->file, f);
		assert_int_equal(o[i].id_hash,
				 dz_object_id_hash(o[i].cls->kind, o[i].cls->ns,
						   o[i].name));
	}
	dz_mfile_free(f);
}

static void test_syntax_error(void **state)
{
	struct dz_mfile *f = load(ZONE("z") "---\nkey: [unclosed\n");

	assert_true(f->failed);
	assert_int_equal(f->nobjects, 0);
	assert_int_equal(f->diags.nerrors, 1);
	assert_non_null(strstr(f->diags.items[0].msg, "yaml syntax error"));
	dz_mfile_free(f);
	dz_mfile_free(NULL);
}

static void test_reason_names(void **state)
{
	static const struct {
		enum dz_reason r;
		const char *name;
	} cases[] = {
		{ DZ_REASON_PENDING, "Pending" },
		{ DZ_REASON_SUCCEEDED, "ReconcileSucceeded" },
		{ DZ_REASON_FAILED, "ReconcileFailed" },
		{ DZ_REASON_ZONE_NOT_FOUND, "ZoneNotFound" },
		{ DZ_REASON_NOT_SELECTED, "NotSelected" },
		{ DZ_REASON_DUPLICATE_ZONE, "DuplicateZone" },
		{ DZ_REASON_DUPLICATE_OBJECT, "DuplicateObject" },
		{ DZ_REASON_UNSUPPORTED_KIND, "UnsupportedKind" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(dz_reason_name(cases[i].r), cases[i].name);
	}
}

/* ---- directories ------------------------------------------------------- */

static void put(const char *dir, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void sub(char *out, size_t sz, const char *dir, const char *rel)
{
	snprintf(out, sz, "%s/%s", dir, rel);
}

static void rm_rf(const char *path)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static void make_tree(char *dir)
{
	char p[512], q[512];

	assert_non_null(mkdtemp(dir));
	put(dir, "b.yaml", ZONE("b"));
	put(dir, "a.yml", ZONE("a"));
	put(dir, ".hidden.yaml", ZONE("h"));
	put(dir, "notes.txt", "not yaml");
	put(dir, "x.yaml.swp", "");
	sub(p, sizeof(p), dir, "sub");
	assert_int_equal(mkdir(p, 0755), 0);
	put(dir, "sub/c.yaml", ZONE("c"));
	sub(p, sizeof(p), dir, "sub/deeper");
	assert_int_equal(mkdir(p, 0755), 0);
	put(dir, "sub/deeper/d.yaml", "# empty\n");
	sub(p, sizeof(p), dir, ".git");
	assert_int_equal(mkdir(p, 0755), 0);
	put(dir, ".git/e.yaml", ZONE("e"));
	/* A symlink to a directory: not followed. */
	sub(p, sizeof(p), dir, "link-to-sub");
	assert_int_equal(symlink("sub", p), 0);
	/* A symlink to a regular file: followed. */
	sub(p, sizeof(p), dir, "alias.yaml");
	assert_int_equal(symlink("b.yaml", p), 0);
	/* A dangling symlink: a warning. */
	sub(p, sizeof(p), dir, "dangling.yaml");
	assert_int_equal(symlink("nowhere.yaml", p), 0);
	/* A ConfigMap mount. */
	sub(p, sizeof(p), dir, "cm");
	assert_int_equal(mkdir(p, 0755), 0);
	sub(p, sizeof(p), dir, "cm/..2026_01_01");
	assert_int_equal(mkdir(p, 0755), 0);
	put(dir, "cm/..2026_01_01/a.yaml", ZONE("cm-a"));
	sub(p, sizeof(p), dir, "cm/..data");
	assert_int_equal(symlink("..2026_01_01", p), 0);
	sub(q, sizeof(q), dir, "cm/a.yaml");
	assert_int_equal(symlink("..data/a.yaml", q), 0);
}

static void test_list(void **state)
{
	static const char *const want[] = {
		"a.yml", "alias.yaml", "b.yaml", "cm/a.yaml", "sub/c.yaml",
		"sub/deeper/d.yaml",
	};
	char dir[] = "/tmp/dz-load-XXXXXX";
	struct dz_diags diags = {0};
	char **rels;
	size_t n;

	make_tree(dir);
	assert_int_equal(dz_manifest_list(dir, &rels, &n, &diags), 0);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(rels[i], want[i]);
	}
	assert_int_equal(diags.n, 1);
	assert_int_equal(diags.items[0].sev, DZ_SEV_WARNING);
	assert_string_equal(diags.items[0].file, "dangling.yaml");
	dz_manifest_list_free(rels, n);
	dz_diags_clear(&diags);

	/* dz_manifest_load_dir: the same files, loaded. */
	struct dz_mfile **files;
	assert_int_equal(dz_manifest_load_dir(dir, &files, &n, &diags), 0);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		char path[512];
		sub(path, sizeof(path), dir, want[i]);
		assert_string_equal(files[i]->rel, want[i]);
		assert_string_equal(files[i]->path, path);
		assert_false(files[i]->failed);
		assert_int_equal(files[i]->diags.n, 0);
	}
	assert_int_equal(files[3]->nobjects, 1);
	assert_string_equal(files[3]->objects[0].name, "cm-a");
	assert_int_equal(files[5]->nobjects, 0);
	dz_manifest_free_all(files, n);
	dz_diags_clear(&diags);

	/* A missing directory: -ENOENT and a diagnostic. */
	char missing[600];
	sub(missing, sizeof(missing), dir, "missing");
	assert_int_equal(dz_manifest_list(missing, &rels, &n, &diags),
			 -ENOENT);
	assert_null(rels);
	assert_int_equal(diags.nerrors, 1);
	dz_diags_clear(&diags);
	rm_rf(dir);
}

static void test_list_unreadable(void **state)
{
	char dir[] = "/tmp/dz-load-XXXXXX";
	char p[512];
	struct dz_diags diags = {0};
	char **rels;
	size_t n;

	if (geteuid() == 0) {
		skip(); /* root reads everything */
	}
	assert_non_null(mkdtemp(dir));
	put(dir, "ok.yaml", "");
	sub(p, sizeof(p), dir, "locked");
	assert_int_equal(mkdir(p, 0755), 0);
	put(dir, "locked/x.yaml", "");
	assert_int_equal(chmod(p, 0), 0);
	assert_int_equal(dz_manifest_list(dir, &rels, &n, &diags), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rels[0], "ok.yaml");
	assert_int_equal(diags.nerrors, 1);
	assert_string_equal(diags.items[0].file, "locked");
	dz_manifest_list_free(rels, n);
	dz_diags_clear(&diags);
	chmod(p, 0755);
	rm_rf(dir);
}

/* Every corpus file loads without file-level errors. */
static void test_corpus(void **state)
{
	const char *shared = getenv("DZ_SHARED");
	char dir[1024];
	struct dz_diags diags = {0};
	struct dz_mfile **files;
	size_t n;

	snprintf(dir, sizeof(dir), "%s/corpus/bindy-examples",
		 shared ? shared : "");
	if (shared == NULL || access(dir, R_OK) != 0) {
		corpus_missing = true;
		skip();
	}
	assert_int_equal(dz_manifest_load_dir(dir, &files, &n, &diags), 0);
	assert_int_equal(diags.n, 0);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		if (files[i]->diags.nerrors > 0 || files[i]->failed) {
			dz_diags_print(&files[i]->diags, stderr);
			fail_msg("%s: file-level errors", files[i]->rel);
		}
		for (size_t j = 0; j < files[i]->nobjects; j++) {
			const struct dz_object *o = &files[i]->objects[j];
			assert_non_null(o->spec_packed);
			assert_true(o->name[0] != '\0');
			if (dz_object_diags(o)->nerrors > 0) {
				dz_diags_print(dz_object_diags(o), stderr);
				fail_msg("%s: object errors", files[i]->rel);
			}
		}
	}
	dz_manifest_free_all(files, n);
}

/* Two trees alike in every field a reader sees. */
static void same_tree(const struct dz_ynode *a, const struct dz_ynode *b)
{
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->line, b->line);
	assert_int_equal(a->col, b->col);
	assert_int_equal(a->quoted, b->quoted);
	assert_int_equal(a->len, b->len);
	for (size_t i = 0; i < a->len || a->type == DZ_YNODE_SCALAR; i++) {
		if (a->type == DZ_YNODE_SCALAR) {
			assert_memory_equal(a->u.str, b->u.str, a->len + 1);
			return;
		}
		if (a->type == DZ_YNODE_SEQ) {
			same_tree(a->u.items[i], b->u.items[i]);
		} else {
			same_tree(a->u.pairs[i].key, b->u.pairs[i].key);
			same_tree(a->u.pairs[i].value, b->u.pairs[i].value);
		}
	}
}

/* A spec is kept packed; unpacked it is the parsed tree again. */
static void test_spec_packed(void **state)
{
	static const char doc[] =
		"apiVersion: bindy.firestoned.io/v1beta1\n"
		"kind: TXTRecord\n"
		"metadata: {name: t}\n"
		"spec:\n"
		"  zoneRef: z\n"
		"  name: \"www\"\n"
		"  text: ['a b', \"\", plain, 300]\n"
		"  unknownKey: {nested: [1, {deep: x}], other: ''}\n"
		"  ttl: 300\n"
		"  anchor: &a [x, y]\n"
		"  alias: *a\n"
		"  long: \"" "0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789\"\n";
	struct dz_arena *a = dz_arena_new(0), *b = dz_arena_new(0);
	struct dz_diags d = { 0 };
	struct dz_ydoc *docs;
	size_t ndocs;

	(void)state;
	assert_int_equal(dz_yaml_parse_buffer(doc, sizeof(doc) - 1, "t.yaml",
					      NULL, a, &docs, &ndocs, &d), 0);
	struct dz_mfile *f = dz_mfile_load_buffer(doc, sizeof(doc) - 1,
						  "t.yaml");
	assert_non_null(f);
	assert_int_equal(f->nobjects, 1);
	assert_string_equal(dz_object_zone_ref(&f->objects[0]), "z");
	assert_null(dz_object_zone_name(&f->objects[0]));
	const struct dz_ynode *spec = dz_object_spec(&f->objects[0], b, NULL);
	same_tree(dz_ynode_get(docs[0].root, "spec"), spec);
	assert_string_equal(dz_ynode_str(dz_ynode_get(spec, "zoneRef")), "z");
	dz_mfile_free(f);
	dz_arena_free(a);
	dz_arena_free(b);
	dz_diags_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skipping),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_file_diags),
		cmocka_unit_test(test_object_errors),
		cmocka_unit_test(test_labels_namespace),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_unreadable),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_spec_packed),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	if (failed == 0 && corpus_missing) {
		fprintf(stderr, "test_load: $DZ_SHARED/corpus/bindy-examples "
			"is missing: corpus test skipped\n");
		return 77;
	}
	return failed;
}
