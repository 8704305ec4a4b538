/* SPDX-License-Identifier: MIT */
/* cname.c -- CNAMERecord: canonical name, RR type CNAME (5), RFC 1035 3.3.1. */
#include "plugin/kindutil.h"
#include "plugin/plugin.h"

/*
 * rdata: CNAME (a wire name) alone, so the name is at offset 0 and may be
 * compressed (RFC 1035 type). No ADDITIONAL: the query engine follows the
 * chain itself instead. "Not at the apex, nothing beside it" needs every
 * record of the zone, so it is the build's check (zone/checks.c), not ours.
 */
static int cname_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	return dz_kindutil_target_parse(ctx, spec, "target");
}

static const char *const cname_fields[] = { "target", NULL };

const struct dz_kind dz_kind_cname = {
	.abi = DZ_KIND_ABI,
	.name = "CNAMERecord",
	.type_name = "CNAME",
	.rrtype = 5,
	.name_offset = 0,
	.flags = DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS,
	.fields = cname_fields,
	.parse = cname_parse,
	.print = dz_kindutil_target_print,
};
