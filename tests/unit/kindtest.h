/* SPDX-License-Identifier: MIT */
/* kindtest.h -- table-driven checks of a record kind's parse(). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "plugin/plugin.h"
#include "util/diag.h"
#include "zone/kindctx.h"

/* One vector: a spec map in YAML (line 1 is the spec's first key). */
struct kt_vec {
	const char *yaml;
	int rc;            /* 0, or DZ_EMANIFEST */
	const char *rdata; /* hex per RR joined by '|'; NULL: not checked */
	const char *phrase; /* a diagnostic containing it must exist; NULL:
	                     * no diagnostic at all */
	uint32_t line;     /* that diagnostic's line; 0: not checked */
};

/* The zone every vector is parsed in. */
#define KT_ORIGIN "example.com."

/*
 * Parse yaml, run kind k on the root map with origin KT_ORIGIN (NULL: the
 * root). diags and out must be zeroed by the caller and cleared after.
 * Returns dz_kind_run's result; fails the test on a YAML error.
 */
int kt_run(const struct dz_kind *k, const char *yaml, const char *origin,
	   struct dz_diags *diags, struct dz_rdata_list *out);

/* Hex of every RR joined by '|' into buf. */
void kt_hex(const struct dz_rdata_list *l, char *buf, size_t sz);

/* Run and check every vector; names the failing one. */
void kt_check(const struct dz_kind *k, const struct kt_vec *v, size_t n);

/* print() of rdata given as hex must give text. */
void kt_check_print(const struct dz_kind *k, const char *hex,
		    const char *text);
