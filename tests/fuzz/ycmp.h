/* SPDX-License-Identifier: MIT */
/* ycmp.h -- parse with yfast.c and with libyaml, compare the trees. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "manifest/yaml.h"
#include "util/diag.h"
#include "util/errcode.h"

/* What one input gave on both paths. */
struct ycmp {
	int fast_rc;   /* 0, DZ_EAGAIN or DZ_ENOMEM */
	int slow_rc;   /* dz_yaml_parse_buffer() without the fast path */
	uint32_t slow_diags;
	bool same;     /* fast_rc != 0, or both trees are identical */
	char why[256]; /* the first difference */
};

static bool ycmp_node(const struct dz_ynode *a, const struct dz_ynode *b,
		      struct ycmp *c, const char *where);

static bool ycmp_fail(struct ycmp *c, const struct dz_ynode *a,
		      const char *where, const char *what)
{
	snprintf(c->why, sizeof(c->why), "%s at %u:%u (%s)", what,
		 a ? a->line : 0, a ? a->col : 0, where);
	return false;
}

static bool ycmp_kids(const struct dz_ynode *a, const struct dz_ynode *b,
		      struct ycmp *c)
{
	for (size_t i = 0; i < a->len; i++) {
		if (a->type == DZ_YNODE_SEQ) {
			if (!ycmp_node(a->u.items[i], b->u.items[i], c,
				       "item")) {
				return false;
			}
		} else if (!ycmp_node(a->u.pairs[i].key, b->u.pairs[i].key, c,
				      "key") ||
			   !ycmp_node(a->u.pairs[i].value,
				      b->u.pairs[i].value, c, "value")) {
			return false;
		}
	}
	return true;
}

/* Everything yaml.c sets: type, position, quoted, length, bytes. */
static bool ycmp_node(const struct dz_ynode *a, const struct dz_ynode *b,
		      struct ycmp *c, const char *where)
{
	if (a == NULL || b == NULL) {
		return a == b ? true : ycmp_fail(c, a ? a : b, where, "null");
	}
	if (a->type != b->type) {
		return ycmp_fail(c, a, where, "type");
	}
	if (a->line != b->line || a->col != b->col) {
		snprintf(c->why, sizeof(c->why), "position %u:%u vs %u:%u (%s)",
			 a->line, a->col, b->line, b->col, where);
		return false;
	}
	if (a->quoted != b->quoted) {
		return ycmp_fail(c, a, where, "quoted");
	}
	if (a->len != b->len) {
		return ycmp_fail(c, a, where, "len");
	}
	if (a->type == DZ_YNODE_SCALAR) {
		if (memcmp(a->u.str, b->u.str, a->len + 1) != 0) {
			return ycmp_fail(c, a, where, "scalar bytes");
		}
		return true;
	}
	return ycmp_kids(a, b, c);
}

static bool ycmp_docs(const struct dz_ydoc *a, size_t na,
		      const struct dz_ydoc *b, size_t nb, struct ycmp *c)
{
	if (na != nb) {
		snprintf(c->why, sizeof(c->why), "%zu vs %zu documents", na,
			 nb);
		return false;
	}
	for (size_t i = 0; i < na; i++) {
		if (a[i].line != b[i].line) {
			snprintf(c->why, sizeof(c->why),
				 "document %zu line %u vs %u", i, a[i].line,
				 b[i].line);
			return false;
		}
		if (!ycmp_node(a[i].root, b[i].root, c, "root")) {
			return false;
		}
	}
	return true;
}

/*
 * Parse buf both ways (lim may be NULL). When the fast path accepts, the
 * libyaml path must succeed without a diagnostic and build the same tree.
 */
static void ycmp_run(const char *buf, size_t len,
		     const struct dz_yaml_limits *lim, struct ycmp *c)
{
	struct dz_yaml_limits def;
	struct dz_arena *fa = dz_arena_new(0), *sa = dz_arena_new(0);
	struct dz_ydoc *fd = NULL, *sd = NULL;
	size_t fn = 0, sn = 0;
	struct dz_diags diags = { 0 };

	memset(c, 0, sizeof(*c));
	if (lim == NULL) {
		dz_yaml_limits_default(&def);
		lim = &def;
	}
	if (fa == NULL || sa == NULL) {
		c->fast_rc = c->slow_rc = DZ_ENOMEM;
		goto out;
	}
	c->fast_rc = dz_yaml_fast_parse(buf, len, lim, fa, &fd, &fn);
	dz_yaml_fast_enabled = false;
	c->slow_rc = dz_yaml_parse_buffer(buf, len, "t.yaml", lim, sa, &sd,
					  &sn, &diags);
	dz_yaml_fast_enabled = true;
	c->slow_diags = diags.n;
	c->same = true;
	if (c->fast_rc != 0) {
		if (c->fast_rc != DZ_EAGAIN && c->fast_rc != DZ_ENOMEM) {
			c->same = false;
			snprintf(c->why, sizeof(c->why), "fast rc %d",
				 c->fast_rc);
		} else if (fd != NULL || fn != 0) {
			c->same = false;
			snprintf(c->why, sizeof(c->why), "declined with docs");
		}
		goto out;
	}
	if (c->slow_rc != 0 || diags.n != 0) {
		c->same = false;
		snprintf(c->why, sizeof(c->why),
			 "fast accepted, libyaml rc %d with %u diagnostics%s%s",
			 c->slow_rc, diags.n, diags.n ? ": " : "",
			 diags.n ? diags.items[0].msg : "");
		goto out;
	}
	c->same = ycmp_docs(fd, fn, sd, sn, c);
out:
	dz_diags_clear(&diags);
	dz_arena_free(fa);
	dz_arena_free(sa);
}
