/* SPDX-License-Identifier: MIT */
/* badabi.c -- test module built against a future ABI: must be refused. */
#include "plugin/plugin.h"

static int badabi_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	return dz_kind_error(ctx, spec, "badabi must never run");
}

static const struct dz_kind badabi_kind = {
	.abi = DZ_KIND_ABI + 1,
	.name = "BadAbiRecord",
	.type_name = "TYPE65280",
	.rrtype = 65280, /* private use, RFC 6895 */
	.parse = badabi_parse,
};

const struct dz_kind *dz_kind_plugin(void);

const struct dz_kind *dz_kind_plugin(void)
{
	return &badabi_kind;
}
