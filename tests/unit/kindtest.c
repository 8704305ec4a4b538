/* SPDX-License-Identifier: MIT */
/* kindtest.c -- table-driven checks of a record kind's parse(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kindtest.h"
#include "manifest/yaml.h"
#include "util/arena.h"
#include "util/dname.h"
#include "util/errcode.h"

int kt_run(const struct dz_kind *k, const char *yaml, const char *origin,
	   struct dz_diags *diags, struct dz_rdata_list *out)
{
	struct dz_yaml_limits lim;
	struct dz_arena *arena = dz_arena_new(0);
	struct dz_ydoc *docs = NULL;
	size_t ndocs = 0, olen = 0;
	uint8_t owire[DZ_DNAME_MAX];
	int rc;

	assert_non_null(arena);
	dz_yaml_limits_default(&lim);
	rc = dz_yaml_parse_buffer(yaml, strlen(yaml), "test.yaml", &lim,
				  arena, &docs, &ndocs, diags);
	if (rc != 0) {
		dz_diags_print(diags, stderr);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(ndocs, 1);
	if (origin != NULL) {
		assert_int_equal(dz_dname_from_text(origin, strlen(origin),
						    NULL, owire, &olen, NULL,
						    NULL), 0);
	}
	rc = dz_kind_run(k, docs[0].root, origin ? owire : NULL, "test.yaml",
			 diags, out);
	dz_arena_free(arena);
	return rc;
}

void kt_hex(const struct dz_rdata_list *l, char *buf, size_t sz)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0 && pos + 2 < sz) {
			buf[pos++] = '|';
		}
		for (size_t j = 0; j < l->items[i].len && pos + 3 < sz; j++) {
			snprintf(buf + pos, 3, "%02x", l->items[i].data[j]);
			pos += 2;
		}
		buf[pos] = '\0';
	}
}

/* The first diagnostic containing phrase, or NULL. */
static const struct dz_diag *kt_find(const struct dz_diags *d,
				     const char *phrase)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strstr(d->items[i].msg, phrase) != NULL) {
			return &d->items[i];
		}
	}
	return NULL;
}

static void kt_check_one(const struct dz_kind *k, const struct kt_vec *v)
{
	struct dz_diags diags = { 0 };
	struct dz_rdata_list out = { 0 };
	char hex[4096];
	int rc = kt_run(k, v->yaml, KT_ORIGIN, &diags, &out);

	dz_diags_print(&diags, stderr);
	assert_int_equal(rc, v->rc);
	if (rc != 0) {
		assert_int_equal(out.n, 0);
	}
	if (v->rdata != NULL) {
		kt_hex(&out, hex, sizeof(hex));
		assert_string_equal(hex, v->rdata);
	}
	if (v->phrase == NULL) {
		assert_int_equal(diags.n, 0);
	} else {
		const struct dz_diag *e = kt_find(&diags, v->phrase);
		if (e == NULL) {
			fail_msg("no diagnostic contains \"%s\"", v->phrase);
		}
		if (v->line != 0) {
			assert_int_equal(e->line, v->line);
		}
		assert_int_equal(e->sev == DZ_SEV_ERROR, v->rc != 0);
	}
	dz_rdata_list_clear(&out);
	dz_diags_clear(&diags);
}

void kt_check(const struct dz_kind *k, const struct kt_vec *v, size_t n)
{
	assert_non_null(k);
	for (size_t i = 0; i < n; i++) {
		print_message("%s vector %zu: %s\n", k->name, i, v[i].yaml);
		kt_check_one(k, &v[i]);
	}
}

void kt_check_print(const struct dz_kind *k, const char *hex,
		    const char *text)
{
	uint8_t rd[1024];
	char out[1024];
	size_t len = strlen(hex) / 2;

	assert_true(len <= sizeof(rd));
	for (size_t i = 0; i < len; i++) {
		unsigned b;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		rd[i] = (uint8_t)b;
	}
	if (text == NULL) {
		assert_int_equal(k->print(rd, len, out, sizeof(out)), 0);
		return;
	}
	assert_int_equal(k->print(rd, len, out, sizeof(out)), strlen(text));
	assert_string_equal(out, text);
	/* Too small a buffer is an error, never a truncated text. */
	assert_int_equal(k->print(rd, len, out, strlen(text)), 0);
}
