/* SPDX-License-Identifier: MIT */
/* diag.c -- diagnostics list and its compiler-style output. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/log.h"

static const char *const sev_names[] = {
	[DZ_SEV_ERROR] = "error",
	[DZ_SEV_WARNING] = "warning",
};

static void diags_push(struct dz_diags *d, enum dz_severity sev,
		       const char *file, uint32_t line, uint32_t col,
		       char *msg)
{
	/* The capacity is 8 and then the power of two at or above n: full
	 * exactly when n is 0 or a power of two from 8 on (after removals
	 * the array may be bigger than that; shrinking to 2n keeps it). */
	if (d->n == 0 || (d->n >= 8 && (d->n & (d->n - 1)) == 0)) {
		size_t cap = d->n ? (size_t)d->n * 2 : 8;
		struct dz_diag *items = cap <= UINT32_MAX ?
			realloc(d->items, cap * sizeof(*items)) : NULL;
		if (items == NULL) {
			goto out;
		}
		d->items = items;
	}
	char *f = strdup(file ? file : "");
	if (f == NULL) {
		goto out;
	}
	d->items[d->n++] = (struct dz_diag){
		.sev = sev, .file = f, .line = line, .col = col, .msg = msg,
	};
	if (sev == DZ_SEV_ERROR) {
		d->nerrors++;
	}
	return;
out:
	dz_log_err("out of memory recording a diagnostic");
	free(msg);
}

void dz_diags_add(struct dz_diags *d, enum dz_severity sev, const char *file,
		  uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
	}
	va_end(ap);
	if (msg == NULL) {
		dz_log_err("out of memory recording a diagnostic");
		return;
	}
	diags_push(d, sev, file, line, col, msg);
}

void dz_diags_append(struct dz_diags *d, const struct dz_diags *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct dz_diag *e = &src->items[i];
		dz_diags_add(d, e->sev, e->file, e->line, e->col, "%s", e->msg);
	}
}

size_t dz_diag_format(const struct dz_diag *e, char *buf, size_t sz)
{
	int n;

	if (e->line > 0) {
		n = snprintf(buf, sz, "%s:%u:%u: %s: %s", e->file, e->line,
			     e->col ? e->col : 1, sev_names[e->sev], e->msg);
	} else {
		n = snprintf(buf, sz, "%s: %s: %s", e->file,
			     sev_names[e->sev], e->msg);
	}
	if (n < 0) {
		return 0;
	}
	return (size_t)n < sz ? (size_t)n : (sz ? sz - 1 : 0);
}

void dz_diags_print(const struct dz_diags *d, FILE *out)
{
	char line[2048];

	for (size_t i = 0; i < d->n; i++) {
		dz_diag_format(&d->items[i], line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
}

void dz_diags_remove(struct dz_diags *d, size_t i)
{
	if (i >= d->n) {
		return;
	}
	if (d->items[i].sev == DZ_SEV_ERROR) {
		d->nerrors--;
	}
	free((char *)d->items[i].file);
	free(d->items[i].msg);
	memmove(&d->items[i], &d->items[i + 1],
		(d->n - i - 1) * sizeof(*d->items));
	d->n--;
}

void dz_diags_clear(struct dz_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free((char *)d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	*d = (struct dz_diags){0};
}
