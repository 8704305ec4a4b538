/* SPDX-License-Identifier: MIT */
/* diag.h -- diagnostics with file:line:col, printed compiler-style. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum dz_severity {
	DZ_SEV_ERROR = 0,
	DZ_SEV_WARNING = 1,
};

struct dz_diag {
	enum dz_severity sev;
	const char *file; /* display path, owned by the list (copied) */
	uint32_t line;    /* 1-based; 0 when unknown */
	uint32_t col;     /* 1-based; 0 when unknown */
	char *msg;        /* owned by the list */
};

/*
 * A growable list; zero-initialise (struct dz_diags d = {0}) to use. Two
 * of these sit in every manifest object, so the capacity is not stored:
 * the array grows by doubling when n reaches 8, 16, 32, ... (diag.c).
 */
struct dz_diags {
	struct dz_diag *items;
	uint32_t n;
	uint32_t nerrors;
};

/*
 * Append a diagnostic; file is copied. Messages are lower case phrases that
 * quote the offending value: "mailServer 'mail example.com.' has whitespace".
 * Out of memory drops the entry silently (and logs).
 */
void dz_diags_add(struct dz_diags *d, enum dz_severity sev, const char *file,
		  uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Append copies of every entry of src. */
void dz_diags_append(struct dz_diags *d, const struct dz_diags *src);

/* "FILE:LINE:COL: error: MSG\n" per entry, in insertion order. */
void dz_diags_print(const struct dz_diags *d, FILE *out);

/* Format one entry like dz_diags_print into buf; returns length. */
size_t dz_diag_format(const struct dz_diag *e, char *buf, size_t sz);

/* Remove entry i (the others keep their order). */
void dz_diags_remove(struct dz_diags *d, size_t i);

/* Release storage; the list is empty and reusable afterwards. */
void dz_diags_clear(struct dz_diags *d);
