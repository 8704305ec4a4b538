/* SPDX-License-Identifier: MIT */
/* mx.c -- MXRecord: mail exchanger, RR type MX (15), RFC 1035 3.3.9. */
#include <stdio.h>
#include <string.h>

#include "plugin/kindutil.h"
#include "plugin/plugin.h"
#include "util/wire.h"

/*
 * rdata: PREFERENCE (u16) then EXCHANGE (a wire name). The name is at
 * offset 2; it may be compressed in answers (RFC 1035 type), and its
 * A/AAAA go in the additional section (RFC 1035 3.3.9, RFC 2181 10.3).
 */
#define MX_NAME_OFFSET 2

/*
 * priority goes through dz_kind_get_uint, which also takes a quoted "10":
 * bindy's CRD types it as an integer, but kubectl users quote numbers
 * often enough that refusing them would only annoy.
 */
static int mx_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	uint8_t rd[MX_NAME_OFFSET + 255];
	uint64_t prio = 0;
	size_t nlen = 0;
	struct dz_wire w;
	int rc, rc2;

	/* Both fields are checked so that one run reports both problems. */
	rc = dz_kind_get_uint(ctx, spec, "priority", 0, 65535, true, &prio);
	rc2 = dz_kind_get_name(ctx, spec, "mailServer", rd + MX_NAME_OFFSET,
			       &nlen);
	if (rc != 0 || rc2 != 0) {
		return rc != 0 ? rc : rc2;
	}
	dz_wire_init(&w, rd, sizeof(rd));
	dz_wire_put_u16(&w, (uint16_t)prio);
	return dz_kind_add_rdata(ctx, rd, MX_NAME_OFFSET + nlen);
}

/* Static order: ascending priority. Equal priorities compare equal so
 * that the core rotates them (DZ_KIND_F_ROTATE). */
static int mx_compare(const uint8_t *a, size_t alen, const uint8_t *b,
		      size_t blen)
{
	uint16_t pa = alen >= 2 ? dz_wire_get_u16(a) : 0;
	uint16_t pb = blen >= 2 ? dz_wire_get_u16(b) : 0;

	return (pa > pb) - (pa < pb);
}

/* "10 mail.example.com." */
static size_t mx_print(const uint8_t *rdata, size_t len, char *out,
		       size_t outsz)
{
	size_t used, tlen = 0;
	int n;

	if (len < MX_NAME_OFFSET + 1) {
		return 0;
	}
	n = snprintf(out, outsz, "%u ", dz_wire_get_u16(rdata));
	if (n < 0 || (size_t)n >= outsz) {
		return 0;
	}
	used = dz_kindutil_name_print(rdata + MX_NAME_OFFSET,
				      len - MX_NAME_OFFSET, out + n,
				      outsz - (size_t)n, &tlen);
	if (used != len - MX_NAME_OFFSET) {
		return 0;
	}
	return (size_t)n + tlen;
}

static const char *const mx_fields[] = { "priority", "mailServer", NULL };

const struct dz_kind dz_kind_mx = {
	.abi = DZ_KIND_ABI,
	.name = "MXRecord",
	.type_name = "MX",
	.rrtype = 15,
	.name_offset = MX_NAME_OFFSET,
	.flags = DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS | DZ_KIND_F_ADDITIONAL |
		 DZ_KIND_F_ROTATE,
	.fields = mx_fields,
	.parse = mx_parse,
	.compare = mx_compare,
	.print = mx_print,
};
