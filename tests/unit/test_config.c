/* SPDX-License-Identifier: MIT */
/* test_config.c -- the settings file, and the shipped Kubernetes YAML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/config.h"
#include "daemon/opt.h"
#include "manifest/load.h"
#include "manifest/yaml.h"
#include "util/arena.h"
#include "util/errcode.h"
#include "zone/build.h"
#include "zone/snapshot.h"

/* A table of every row type, standing in for dropzoned's tables. */
static bool t_flag;
static unsigned t_number = 7;
static const char *t_text = "default";
static struct dz_strlist t_items;
static const char *t_config;
static char t_seen[256]; /* what the FUNC rows were given, "|"-joined */

static int t_func(const char *value, void *ptr, const char **why)
{
	(void)ptr;
	if (value == NULL) {
		strcat(t_seen, "<clear>");
		return 0;
	}
	if (strcmp(value, "bad") == 0) {
		*why = "is bad";
		return -1;
	}
	strcat(t_seen, value);
	strcat(t_seen, "|");
	return 0;
}

static const struct dz_opt test_opts[] = {
	{ .name = "flag", .type = DZ_OPT_FLAG, .ptr = &t_flag },
	{ .name = "number", .short_name = 'n', .type = DZ_OPT_UINT,
	  .ptr = &t_number, .min = 1, .max = 100 },
	{ .name = "text", .type = DZ_OPT_STRING, .ptr = &t_text },
	{ .name = "items", .type = DZ_OPT_LIST, .ptr = &t_items },
	{ .name = "multi", .type = DZ_OPT_FUNC, .parse = t_func,
	  .repeat = true },
	{ .name = "single", .type = DZ_OPT_FUNC, .parse = t_func },
	{ .name = "config", .short_name = 'c', .type = DZ_OPT_STRING,
	  .ptr = &t_config, .cli_only = true },
	{ .name = NULL },
};

const struct dz_opt *const dz_opt_tables[] = { test_opts, NULL };

static struct dz_diags diags;

static int reset(void **state)
{
	(void)state;
	t_flag = false;
	t_number = 7;
	t_text = "default";
	t_items.n = 0;
	t_config = NULL;
	t_seen[0] = '\0';
	dz_opt_forget_argv();
	dz_diags_clear(&diags);
	return 0;
}

static int load(const char *text)
{
	return dz_config_load_buffer(text, strlen(text), "t.yaml", &diags);
}

/* The only diagnostic is at line:col and says msg. */
static void expect_diag(uint32_t line, uint32_t col, const char *msg)
{
	assert_int_equal(diags.n, 1);
	assert_string_equal(diags.items[0].file, "t.yaml");
	assert_int_equal(diags.items[0].line, line);
	assert_int_equal(diags.items[0].col, col);
	assert_string_equal(diags.items[0].msg, msg);
}

static void every_type(void **state)
{
	(void)state;
	assert_int_equal(load("# comment\n"
			      "flag: true\n"
			      "number: 42\n"
			      "text: hello world\n"
			      "items: [a, b]\n"
			      "multi:\n  - x\n  - y\n"
			      "single: z\n"), 0);
	assert_int_equal(diags.n, 0);
	assert_true(t_flag);
	assert_int_equal(t_number, 42);
	assert_string_equal(t_text, "hello world");
	assert_int_equal(t_items.n, 2);
	assert_string_equal(t_items.v[0], "a");
	assert_string_equal(t_items.v[1], "b");
	assert_string_equal(t_seen, "x|y|z|");
}

/*
 * A file the fast parser declines (a flow sequence at the end, after 200
 * list items it has already turned into nodes) is parsed again by
 * libyaml: neither tree is kept, only the 202 values set, packed in the
 * arena (each its length and a NUL). The values outlive the parse.
 */
static void kept_values_only(void **state)
{
	struct dz_yaml_limits lim;
	struct dz_arena *a = dz_arena_new(0);
	struct dz_ydoc *docs = NULL;
	size_t ndocs = 0, before, len = 0;
	char *buf = malloc(16 * 1024), name[8];

	(void)state;
	assert_non_null(a);
	assert_non_null(buf);
	len += (size_t)sprintf(buf + len, "items:\n");
	for (int i = 0; i < 200; i++) {
		len += (size_t)sprintf(buf + len, "  - it%03d\n", i);
	}
	len += (size_t)sprintf(buf + len, "multi: [p, q]\n");
	dz_yaml_limits_default(&lim);
	assert_int_equal(dz_yaml_fast_parse(buf, len, &lim, a, &docs, &ndocs),
			 DZ_EAGAIN);
	assert_true(dz_arena_used(a) > 200 * 16); /* what it left behind */
	dz_arena_free(a);

	before = dz_config_kept();
	assert_int_equal(dz_config_load_buffer(buf, len, "t.yaml", &diags), 0);
	assert_int_equal(dz_config_kept() - before, 200 * 6 + 2 * 2);
	memset(buf, 'x', len); /* nothing may point into the text */
	free(buf);
	assert_int_equal(t_items.n, 200);
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "it%03d", i);
		assert_string_equal(t_items.v[i], name);
	}
	assert_string_equal(t_seen, "p|q|");
}

static void scalar_for_a_list(void **state)
{
	(void)state;
	assert_int_equal(load("items: only\nmulti: one\nflag: false\n"), 0);
	assert_int_equal(t_items.n, 1);
	assert_string_equal(t_items.v[0], "only");
	assert_string_equal(t_seen, "one|");
	assert_false(t_flag);
}

static void empty_file(void **state)
{
	(void)state;
	assert_int_equal(load(""), 0);
	assert_int_equal(load("# nothing but comments\n#text: x\n"), 0);
	assert_int_equal(diags.n, 0);
	assert_string_equal(t_text, "default");
}

static void unknown_key(void **state)
{
	(void)state;
	assert_int_equal(load("text: a\nnumbr: 3\n"), DZ_EINVAL);
	expect_diag(2, 1, "key 'numbr': unknown setting; did you mean "
		    "'number'?");
	assert_string_equal(t_text, "a"); /* the good keys are set */
	reset(NULL);
	assert_int_equal(load("zzzzzzzz: 3\n"), DZ_EINVAL);
	expect_diag(1, 1, "key 'zzzzzzzz': unknown setting");
}

/* Settings that must be refused, each with its one diagnostic. */
struct bad {
	const char *text;
	uint32_t line, col;
	const char *msg;
};

static void expect_refused(const struct bad *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		reset(NULL);
		assert_int_equal(load(b[i].text), DZ_EINVAL);
		expect_diag(b[i].line, b[i].col, b[i].msg);
	}
}

static void wrong_values(void **state)
{
	static const struct bad bad[] = {
		{ "number: many\n", 1, 9,
		  "key 'number': 'many': not a number in 1..100" },
		{ "number: 101\n", 1, 9,
		  "key 'number': '101': not a number in 1..100" },
		{ "flag: maybe\n", 1, 7,
		  "key 'flag': 'maybe': not a boolean (true or false)" },
		{ "multi: [ok, bad]\n", 1, 13, "key 'multi': 'bad': is bad" },
		{ "text:\n", 1, 6, "key 'text': needs a value" },
	};

	(void)state;
	expect_refused(bad, sizeof(bad) / sizeof(bad[0]));
	reset(NULL);
	assert_int_equal(load("text: ''\n"), 0); /* quoted: empty on purpose */
	assert_string_equal(t_text, "");
}

static void wrong_shapes(void **state)
{
	static const struct bad bad[] = {
		{ "number: [1, 2]\n", 1, 9,
		  "key 'number': takes one value, not a list" },
		{ "text:\n  a: b\n", 2, 3,
		  "key 'text': a mapping is not a value here" },
		{ "items: [[a]]\n", 1, 9,
		  "key 'items': takes one value, not a list" },
		{ "- text\n", 1, 1, "settings must be a mapping of key: value" },
		{ "text: a\n---\ntext: b\n", 3, 1,
		  "one YAML document expected, found 2" },
		{ "config: other.yaml\n", 1, 1,
		  "key 'config': only on the command line" },
	};

	(void)state;
	expect_refused(bad, sizeof(bad) / sizeof(bad[0]));
	assert_null(t_config);
}

static void duplicate_key(void **state)
{
	(void)state;
	assert_int_equal(load("number: 3\nnumber: 4\n"), DZ_EINVAL);
	assert_int_equal(diags.n, 1);
	assert_int_equal(diags.items[0].line, 2);
	assert_non_null(strstr(diags.items[0].msg, "'number'"));
}

static void syntax_error(void **state)
{
	(void)state;
	assert_int_equal(load("items: [a\n"), DZ_EYAML);
	assert_true(diags.n >= 1);
	assert_non_null(strstr(diags.items[0].msg, "yaml"));
}

/* The command line replaces a file's list and overrides its scalars. */
static void argv_wins(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(load("text: file\nitems: [f1, f2]\nmulti: [m]\n"
			      "number: 5\n"), 0);
	assert_int_equal(dz_opt_set(dz_opt_find("text"), "argv",
				    DZ_OPT_SRC_ARGV, &why), 0);
	assert_int_equal(dz_opt_set(dz_opt_find("items"), "a1",
				    DZ_OPT_SRC_ARGV, &why), 0);
	assert_int_equal(dz_opt_set(dz_opt_find("items"), "a2",
				    DZ_OPT_SRC_ARGV, &why), 0);
	assert_int_equal(dz_opt_set(dz_opt_find("multi"), "am",
				    DZ_OPT_SRC_ARGV, &why), 0);
	assert_string_equal(t_text, "argv");
	assert_int_equal(t_items.n, 2);
	assert_string_equal(t_items.v[0], "a1");
	assert_string_equal(t_items.v[1], "a2");
	assert_string_equal(t_seen, "m|<clear>am|");
	assert_int_equal(t_number, 5); /* not on the command line */
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/dz-test-config.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void setup_order(void **state)
{
	char *path = write_tmp("text: file\nnumber: 9\nitems: f\n");
	char *argv[] = { "dropzoned", "--text", "argv", "-c", path,
			 "--items", "a", NULL };
	const char *used = NULL;

	(void)state;
	assert_int_equal(dz_config_setup(7, argv, &used), 0);
	assert_string_equal(used, path);
	assert_string_equal(t_text, "argv");
	assert_int_equal(t_number, 9);
	assert_int_equal(t_items.n, 1);
	assert_string_equal(t_items.v[0], "a");
	unlink(path);
	free(path);
}

static void setup_errors(void **state)
{
	char *path = write_tmp("number: 0\n");
	char *bad[] = { "dropzoned", "--config", path, NULL };
	char *missing[] = { "dropzoned", "-c", "/nonexistent/dz.yaml", NULL };
	const char *used = NULL;

	(void)state;
	assert_int_equal(dz_config_setup(3, bad, &used), 2);
	assert_null(used);
	assert_int_equal(dz_config_setup(3, missing, &used), 2);
	unlink(path);
	free(path);
}

/* --- The Kubernetes objects in conf/kubernetes ------------------------ */

static const struct dz_ynode *at(const struct dz_ynode *n, const char *path)
{
	char key[64];

	while (n != NULL && *path != '\0') {
		size_t len = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)len, path);
		if (dz_ynode_type(n) == DZ_YNODE_SEQ) {
			n = dz_ynode_at(n, (size_t)atoi(key));
		} else {
			n = dz_ynode_get(n, key);
		}
		path += len + (path[len] == '.');
	}
	return n;
}

static const char *str_at(const struct dz_ynode *n, const char *path)
{
	const struct dz_ynode *v = at(n, path);

	return v != NULL ? dz_ynode_str(v) : NULL;
}

/* Parse conf/kubernetes/NAME: one document, a mapping of that kind. */
static const struct dz_ynode *k8s(struct dz_arena *a, const char *name,
				  const char *kind)
{
	const char *top = getenv("top_srcdir");
	struct dz_ydoc *docs = NULL;
	size_t ndocs = 0;
	char path[4096];

	if (top == NULL) {
		skip(); /* outside make check */
	}
	snprintf(path, sizeof(path), "%s/conf/kubernetes/%s", top, name);
	assert_int_equal(dz_yaml_parse_file(path, name, NULL, a, &docs,
					    &ndocs, &diags), 0);
	assert_int_equal(diags.n, 0);
	assert_int_equal(ndocs, 1);
	assert_string_equal(str_at(docs[0].root, "kind"), kind);
	assert_non_null(str_at(docs[0].root, "metadata.name"));
	return docs[0].root;
}

static void k8s_deployment(void **state)
{
	struct dz_arena *a = dz_arena_new(0);
	const struct dz_ynode *d, *c, *args;
	bool manifests = false, http = false;

	(void)state;
	d = k8s(a, "deployment.yaml", "Deployment");
	assert_string_equal(str_at(d, "apiVersion"), "apps/v1");
	assert_string_equal(str_at(d, "spec.replicas"), "2");
	c = at(d, "spec.template.spec.containers.0");
	assert_non_null(str_at(c, "image"));
	assert_string_equal(str_at(c, "readinessProbe.httpGet.path"),
			    "/ready");
	assert_string_equal(str_at(c, "livenessProbe.httpGet.path"),
			    "/health");
	assert_string_equal(str_at(c, "readinessProbe.httpGet.port"), "http");
	assert_string_equal(str_at(c, "volumeMounts.0.mountPath"),
			    "/etc/dropzone/manifests");
	assert_string_equal(str_at(d, "spec.template.spec.volumes.0.configMap."
				   "name"), "dropzone-manifests");
	args = at(c, "args");
	assert_non_null(args);
	for (size_t i = 0; i + 1 < dz_ynode_len(args); i++) {
		const char *k = dz_ynode_str(dz_ynode_at(args, i));
		const char *v = dz_ynode_str(dz_ynode_at(args, i + 1));

		manifests |= strcmp(k, "--manifests") == 0 &&
			     strcmp(v, "/etc/dropzone/manifests") == 0;
		http |= strcmp(k, "--http") == 0 &&
			strcmp(v, "0.0.0.0:8080") == 0;
	}
	assert_true(manifests);
	assert_true(http);
	dz_arena_free(a);
}

static void k8s_service(void **state)
{
	struct dz_arena *a = dz_arena_new(0);
	const struct dz_ynode *s, *ports;
	bool udp = false, tcp = false;

	(void)state;
	s = k8s(a, "service.yaml", "Service");
	ports = at(s, "spec.ports");
	for (size_t i = 0; i < dz_ynode_len(ports); i++) {
		const struct dz_ynode *p = dz_ynode_at(ports, i);
		bool is53 = strcmp(str_at(p, "port"), "53") == 0;

		udp |= is53 && strcmp(str_at(p, "protocol"), "UDP") == 0;
		tcp |= is53 && strcmp(str_at(p, "protocol"), "TCP") == 0;
	}
	assert_true(udp);
	assert_true(tcp);
	assert_string_equal(dz_ynode_str(dz_ynode_get(at(s, "spec.selector"),
						      "app.kubernetes.io/name")),
			    "dropzone");
	dz_arena_free(a);
}

/* Every manifest in the ConfigMap loads and builds without an error. */
static void k8s_configmap(void **state)
{
	struct dz_arena *a = dz_arena_new(0);
	const struct dz_ynode *data;
	struct dz_mfile *files[16];
	struct dz_build_opts bopts = { 0 };
	struct dz_snapshot *snap;
	size_t n;

	(void)state;
	data = at(k8s(a, "configmap.yaml", "ConfigMap"), "data");
	n = dz_ynode_len(data);
	assert_true(n >= 2 && n <= 16);
	for (size_t i = 0; i < n; i++) {
		const char *text = dz_ynode_str(dz_ynode_value_at(data, i));

		files[i] = dz_mfile_load_buffer(text, strlen(text),
			dz_ynode_str(dz_ynode_key_at(data, i)));
		assert_non_null(files[i]);
	}
	snap = dz_build(files, n, &bopts);
	assert_non_null(snap);
	dz_build_collect_diags(files, n, &diags);
	for (size_t i = 0; i < diags.n; i++) {
		print_message("%s:%u: %s\n", diags.items[i].file,
			      diags.items[i].line, diags.items[i].msg);
	}
	assert_int_equal(diags.n, 0);
	assert_int_equal(dz_snapshot_zone_count(snap), 1);
	dz_snapshot_unref(snap);
	for (size_t i = 0; i < n; i++) {
		dz_mfile_free(files[i]);
	}
	dz_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(every_type, reset),
		cmocka_unit_test_setup(kept_values_only, reset),
		cmocka_unit_test_setup(scalar_for_a_list, reset),
		cmocka_unit_test_setup(empty_file, reset),
		cmocka_unit_test_setup(unknown_key, reset),
		cmocka_unit_test_setup(wrong_values, reset),
		cmocka_unit_test_setup(wrong_shapes, reset),
		cmocka_unit_test_setup(duplicate_key, reset),
		cmocka_unit_test_setup(syntax_error, reset),
		cmocka_unit_test_setup(argv_wins, reset),
		cmocka_unit_test_setup(setup_order, reset),
		cmocka_unit_test_setup(setup_errors, reset),
		cmocka_unit_test_setup(k8s_deployment, reset),
		cmocka_unit_test_setup(k8s_service, reset),
		cmocka_unit_test_setup(k8s_configmap, reset),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	reset(NULL);
	return rc;
}
