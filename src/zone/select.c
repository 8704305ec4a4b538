/* SPDX-License-Identifier: MIT */
/* select.c -- Kubernetes label selector matching. */
#include <stdlib.h>
#include <string.h>

#include "zone/select.h"

enum dz_sel_op dz_sel_op_parse(const char *s)
{
	if (strcmp(s, "In") == 0) {
		return DZ_SEL_IN;
	}
	if (strcmp(s, "NotIn") == 0) {
		return DZ_SEL_NOT_IN;
	}
	if (strcmp(s, "Exists") == 0) {
		return DZ_SEL_EXISTS;
	}
	if (strcmp(s, "DoesNotExist") == 0) {
		return DZ_SEL_DOES_NOT_EXIST;
	}
	return 0;
}

/* The value of label key, or NULL when the object has no such label. */
static const char *label_value(const struct dz_label *labels, size_t n,
			       const char *key)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(labels[i].key, key) == 0) {
			return labels[i].value ? labels[i].value : "";
		}
	}
	return NULL;
}

static bool in_values(const struct dz_sel_expr *e, const char *v)
{
	for (size_t i = 0; i < e->nvalues; i++) {
		if (strcmp(e->values[i], v) == 0) {
			return true;
		}
	}
	return false;
}

static bool expr_match(const struct dz_sel_expr *e,
		       const struct dz_label *labels, size_t n)
{
	const char *v = label_value(labels, n, e->key);

	switch (e->op) {
	case DZ_SEL_IN:
		return v != NULL && in_values(e, v);
	case DZ_SEL_NOT_IN:
		return v == NULL || !in_values(e, v);
	case DZ_SEL_EXISTS:
		return v != NULL;
	case DZ_SEL_DOES_NOT_EXIST:
		return v == NULL;
	}
	return false;
}

bool dz_selector_match(const struct dz_selector *s,
		       const struct dz_label *labels, size_t nlabels)
{
	for (size_t i = 0; i < s->nlabels; i++) {
		const char *v = label_value(labels, nlabels, s->labels[i].key);
		if (v == NULL || strcmp(v, s->labels[i].value) != 0) {
			return false;
		}
	}
	for (size_t i = 0; i < s->nexprs; i++) {
		if (!expr_match(&s->exprs[i], labels, nlabels)) {
			return false;
		}
	}
	return true;
}

void dz_selector_clear(struct dz_selector *s)
{
	for (size_t i = 0; i < s->nexprs; i++) {
		free(s->exprs[i].values);
	}
	free(s->exprs);
	free(s->labels);
	memset(s, 0, sizeof(*s));
}
