/* SPDX-License-Identifier: MIT */
/* config.c -- the settings file: one YAML key per option row. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/opt.h"
#include "manifest/yaml.h"
#include "util/arena.h"
#include "util/errcode.h"

/*
 * The values set from every file read: option rows point into them. A
 * file is parsed into a scratch arena, freed once applied, so that what
 * a parse leaves behind (the tree, a fast-parser attempt that declined)
 * is not kept for the life of the process.
 */
static struct dz_arena *keep;
#define KEEP_CHUNK 4096 /* a settings file sets a few short values */

/* Levenshtein distance of a and b, capped: only small ones matter. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63) {
		return 99;
	}
	for (size_t j = 0; j <= lb; j++) {
		prev[j] = j;
	}
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? sub : del;
			cur[j] = cur[j] < ins ? cur[j] : ins;
		}
		memcpy(prev, cur, (lb + 1) * sizeof(*prev));
	}
	return prev[lb];
}

/* How far an unknown key is from a row name: the edit distance, or 1
 * when one starts the other ("listen_addr", "listen"); '_' is '-'. */
static size_t how_far(const char *key, const char *name)
{
	char k[64];
	size_t i, n = strlen(name);

	for (i = 0; key[i] != '\0' && i < sizeof(k) - 1; i++) {
		k[i] = key[i] == '_' ? '-' : key[i];
	}
	k[i] = '\0';
	if (i >= 4 && n >= 4 && (strncmp(k, name, n) == 0 ||
				 strncmp(k, name, i) == 0)) {
		return 1;
	}
	return distance(k, name);
}

/* The file key nearest to an unknown one, or NULL when none is close. */
static const char *nearest(const char *key)
{
	const struct dz_opt *rows[256];
	size_t n = dz_opt_rows(rows, 256), best = 3;
	const char *name = NULL;

	for (size_t i = 0; i < n && i < 256; i++) {
		size_t d = how_far(key, rows[i]->name);

		if (!rows[i]->cli_only && d < best) {
			best = d;
			name = rows[i]->name;
		}
	}
	return name;
}

static void problem(struct dz_diags *d, const char *file,
		    const struct dz_ynode *at, const char *key,
		    const char *why)
{
	dz_diags_add(d, DZ_SEV_ERROR, file, at->line, at->col, "key '%s': %s",
		     key, why);
}

/* A scalar value, or NULL after reporting why it cannot be one. */
static const char *scalar(const struct dz_ynode *v, const char *file,
			  const char *key, struct dz_diags *d)
{
	if (v->type != DZ_YNODE_SCALAR) {
		problem(d, file, v, key, v->type == DZ_YNODE_MAP ?
			"a mapping is not a value here" :
			"takes one value, not a list");
		return NULL;
	}
	if (v->len == 0 && !v->quoted) {
		problem(d, file, v, key, "needs a value");
		return NULL;
	}
	return v->u.str;
}

/* Set one value of row o; a wrong one is reported at node v. */
static void set_one(const struct dz_opt *o, const struct dz_ynode *v,
		    const char *file, struct dz_diags *d)
{
	const char *why = NULL, *text = scalar(v, file, o->name, d);
	char msg[256];

	if (text == NULL) {
		return;
	}
	if ((text = dz_arena_strdup(keep, text)) == NULL) {
		problem(d, file, v, o->name, "out of memory");
		return;
	}
	if (dz_opt_set(o, text, DZ_OPT_SRC_FILE, &why) != 0) {
		snprintf(msg, sizeof(msg), "'%s': %s", text, why);
		problem(d, file, v, o->name, msg);
	}
}

static bool many(const struct dz_opt *o)
{
	return o->type == DZ_OPT_LIST || (o->type == DZ_OPT_FUNC && o->repeat);
}

/* One "key: value" pair of the top-level mapping. */
static void set_pair(const struct dz_ypair *p, const char *file,
		     struct dz_diags *d)
{
	const char *key = p->key->type == DZ_YNODE_SCALAR ? p->key->u.str : "";
	const struct dz_opt *o = dz_opt_find(key);
	const char *near;
	char msg[128];

	if (o == NULL) {
		near = nearest(key);
		snprintf(msg, sizeof(msg), "unknown setting%s%s%s",
			 near ? "; did you mean '" : "", near ? near : "",
			 near ? "'?" : "");
		problem(d, file, p->key, key, msg);
	} else if (o->cli_only) {
		problem(d, file, p->key, key, "only on the command line");
	} else if (many(o) && p->value->type == DZ_YNODE_SEQ) {
		for (size_t i = 0; i < p->value->len; i++) {
			set_one(o, p->value->u.items[i], file, d);
		}
	} else {
		set_one(o, p->value, file, d);
	}
}

/* Apply the parsed documents: none, or one mapping. */
static int apply(const struct dz_ydoc *docs, size_t ndocs,
		 const char *file, struct dz_diags *d)
{
	const struct dz_ynode *root = ndocs > 0 ? docs[0].root : NULL;
	size_t before = d->nerrors;

	if (ndocs > 1) {
		dz_diags_add(d, DZ_SEV_ERROR, file, docs[1].line, 1,
			     "one YAML document expected, found %zu", ndocs);
		return DZ_EINVAL;
	}
	if (root == NULL) {
		return 0; /* empty file, or comments only: the defaults */
	}
	if (root->type != DZ_YNODE_MAP) {
		dz_diags_add(d, DZ_SEV_ERROR, file, root->line, root->col,
			     "settings must be a mapping of key: value");
		return DZ_EINVAL;
	}
	for (size_t i = 0; i < root->len; i++) {
		set_pair(&root->u.pairs[i], file, d);
	}
	return d->nerrors > before ? DZ_EINVAL : 0;
}

static int load(const char *path, const char *buf, size_t len,
		const char *display, struct dz_diags *d)
{
	struct dz_arena *scratch;
	struct dz_ydoc *docs = NULL;
	size_t ndocs = 0, before = d->n;
	int rc;

	if (keep == NULL && (keep = dz_arena_new(KEEP_CHUNK)) == NULL) {
		return DZ_ENOMEM;
	}
	if ((scratch = dz_arena_new(0)) == NULL) {
		return DZ_ENOMEM;
	}
	if (path != NULL) {
		rc = dz_yaml_parse_file(path, display, NULL, scratch, &docs,
					&ndocs, d);
	} else {
		rc = dz_yaml_parse_buffer(buf, len, display, NULL, scratch,
					  &docs, &ndocs, d);
	}
	if (rc == 0) {
		rc = apply(docs, ndocs, display, d);
		/* The parser only warns (a duplicate key: the last one
		 * wins); in settings that is a mistake worth stopping for. */
		if (rc == 0 && d->n > before) {
			rc = DZ_EINVAL;
		}
	}
	dz_arena_free(scratch);
	return rc;
}

size_t dz_config_kept(void)
{
	return keep != NULL ? dz_arena_used(keep) : 0;
}

int dz_config_load_file(const char *path, const char *display,
			struct dz_diags *diags)
{
	return load(path, NULL, 0, display ? display : path, diags);
}

int dz_config_load_buffer(const char *buf, size_t len, const char *display,
			  struct dz_diags *diags)
{
	return load(NULL, buf, len, display, diags);
}

static void print(const struct dz_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct dz_diag *e = &d->items[i];

		fprintf(stderr, "%s:%u:%u: %s\n", e->file, (unsigned)e->line,
			(unsigned)e->col, e->msg);
	}
}

int dz_config_setup(int argc, char **argv, const char **path)
{
	const struct dz_opt *config = dz_opt_find("config");
	struct dz_opt_arg *args = calloc((size_t)argc + 1, sizeof(*args));
	struct dz_diags d = { 0 };
	const char *file = NULL;
	size_t n;
	int rc;

	*path = NULL;
	if (args == NULL) {
		fprintf(stderr, "dropzoned: out of memory\n");
		return 2;
	}
	n = dz_opt_scan_argv(argc, argv, args);
	for (size_t i = 0; i < n; i++) {
		if (args[i].o == config) {
			file = args[i].value;
		}
	}
	rc = dz_config_load_file(file ? file : DZ_CONFIG_DEFAULT, NULL, &d);
	if (rc == -ENOENT && file == NULL) {
		rc = 0; /* no default file: the built-in defaults */
	} else if (rc == 0) {
		*path = file ? file : DZ_CONFIG_DEFAULT;
	}
	if (rc != 0) {
		/* -errno (cannot read it) says more on its own. */
		if (d.n > 0 && !(rc < 0 && rc > DZ_EINVAL)) {
			print(&d);
		} else {
			fprintf(stderr, "dropzoned: config '%s': %s\n",
				file ? file : DZ_CONFIG_DEFAULT,
				dz_strerror(rc));
		}
		dz_diags_clear(&d);
		free(args);
		return 2;
	}
	dz_diags_clear(&d);
	dz_opt_apply_argv(args, n);
	free(args);
	return 0;
}
