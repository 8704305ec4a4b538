/* SPDX-License-Identifier: MIT */
/* kindctx.h -- the core side of plugin.h's dz_kind_ctx: run a kind's parse. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "manifest/yaml.h"
#include "plugin/plugin.h"
#include "util/diag.h"

/* One RR produced by a kind's parse(): rdata in uncompressed wire form. */
struct dz_rdata {
	uint16_t len;
	const uint8_t *data; /* malloc'd, owned by the list */
};

struct dz_rdata_list {
	struct dz_rdata *items;
	size_t n;
	size_t cap;
};

void dz_rdata_list_clear(struct dz_rdata_list *l);

/*
 * Run k->parse() on spec.
 * [in]  origin: the zone the record is served in (wire); relative target
 *       names are completed with it. NULL: the root (record not in a zone;
 *       still parsed so that its errors are reported).
 * [in]  file: display path used in diagnostics.
 * [out] diags: errors and warnings with file:line:col.
 * [out] out: the RRs (appended).
 * Returns 0, or DZ_EMANIFEST when parse failed (out is then cleared of
 * what this call added), or DZ_ENOMEM.
 */
int dz_kind_run(const struct dz_kind *k, const struct dz_ynode *spec,
		const uint8_t *origin, const char *file,
		struct dz_diags *diags, struct dz_rdata_list *out);

/*
 * Run fn with a parse context that is not a kind's (no RRs: the
 * dz_kind_add_rdata of such a context fails with DZ_EINVAL; no unknown
 * field check), so that the core reads its own fields (DNSZone specs, a
 * record's name and ttl) with the same helpers and diagnostics.
 * Returns fn's result, DZ_EMANIFEST when an error was reported, or
 * DZ_ENOMEM.
 */
int dz_kind_ctx_call(const struct dz_ynode *spec, const uint8_t *origin,
		     const char *file, struct dz_diags *diags,
		     int (*fn)(struct dz_kind_ctx *ctx,
			       const struct dz_ynode *spec, void *arg),
		     void *arg);
