/* SPDX-License-Identifier: MIT */
/* ptr.c -- PTRRecord: domain name pointer, RR type PTR (12), RFC 1035 3.3.12. */
#include "plugin/kindutil.h"
#include "plugin/plugin.h"

/*
 * rdata: PTRDNAME alone (offset 0, compressible). Reverse zones are the
 * usual home ("10" in 0.168.192.in-addr.arpa), but RFC 1035 puts no limit
 * on where a PTR lives (DNS-SD uses them in forward zones), so neither do
 * we. No ADDITIONAL: resolvers do not expect the target's addresses.
 */
static int ptr_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	return dz_kindutil_target_parse(ctx, spec, "target");
}

static const char *const ptr_fields[] = { "target", NULL };

const struct dz_kind dz_kind_ptr = {
	.abi = DZ_KIND_ABI,
	.name = "PTRRecord",
	.type_name = "PTR",
	.rrtype = 12,
	.name_offset = 0,
	.flags = DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS,
	.fields = ptr_fields,
	.parse = ptr_parse,
	.print = dz_kindutil_target_print,
};
