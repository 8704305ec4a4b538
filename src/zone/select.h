/* SPDX-License-Identifier: MIT */
/* select.h -- Kubernetes label selectors (matchLabels, matchExpressions). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "manifest/load.h"

enum dz_sel_op {
	DZ_SEL_IN = 1,
	DZ_SEL_NOT_IN,
	DZ_SEL_EXISTS,
	DZ_SEL_DOES_NOT_EXIST,
};

struct dz_sel_expr {
	const char *key;
	enum dz_sel_op op;
	const char **values; /* nvalues strings */
	size_t nvalues;
};

/*
 * One selector: every matchLabels pair and every expression must hold.
 * An empty selector selects everything (as in Kubernetes). Strings are
 * borrowed (the manifest's arena); arrays are malloc'd.
 */
struct dz_selector {
	struct dz_label *labels;
	size_t nlabels;
	struct dz_sel_expr *exprs;
	size_t nexprs;
};

/* "In" -> DZ_SEL_IN, ...; 0 when unknown. */
enum dz_sel_op dz_sel_op_parse(const char *s);

/* True when the label set satisfies the selector. */
bool dz_selector_match(const struct dz_selector *s,
		       const struct dz_label *labels, size_t nlabels);

/* Release the arrays (not the strings); the selector is empty after. */
void dz_selector_clear(struct dz_selector *s);
