/* SPDX-License-Identifier: MIT */
/* ns.c -- NSRecord: name server, RR type NS (2), RFC 1035 3.3.11. */
#include "plugin/kindutil.h"
#include "plugin/plugin.h"

/*
 * rdata: NSDNAME alone (offset 0, compressible). Its A/AAAA go in the
 * additional section (RFC 1035 3.3.11); below the apex those are the
 * delegation's glue. Whether the RR is part of the apex NS set or a
 * delegation depends only on its owner, which is the core's business:
 * the kind is the same either way.
 */
static int ns_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	return dz_kindutil_target_parse(ctx, spec, "nameserver");
}

static const char *const ns_fields[] = { "nameserver", NULL };

const struct dz_kind dz_kind_ns = {
	.abi = DZ_KIND_ABI,
	.name = "NSRecord",
	.type_name = "NS",
	.rrtype = 2,
	.name_offset = 0,
	.flags = DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS | DZ_KIND_F_ADDITIONAL,
	.fields = ns_fields,
	.parse = ns_parse,
	.print = dz_kindutil_target_print,
};
