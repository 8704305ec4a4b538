/* SPDX-License-Identifier: MIT */
/* srv.c -- SRVRecord: service location, RR type SRV (33), RFC 2782. */
#include <stdio.h>
#include <string.h>

#include "plugin/kindutil.h"
#include "plugin/plugin.h"
#include "util/wire.h"

/*
 * rdata: PRIORITY, WEIGHT, PORT (u16 each), then TARGET (a wire name) at
 * offset 6. RFC 2782 forbids compressing the target, and its A/AAAA go in
 * the additional section. "target: ." means "no such service here".
 */
#define SRV_NAME_OFFSET 6

static int srv_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	static const char *const nums[] = { "priority", "weight", "port" };
	uint8_t rd[SRV_NAME_OFFSET + 255];
	uint64_t v[3] = { 0, 0, 0 };
	size_t nlen = 0;
	struct dz_wire w;
	int rc = 0;

	/* Every field is checked so that one run reports every problem. */
	for (size_t i = 0; i < 3; i++) {
		int r = dz_kind_get_uint(ctx, spec, nums[i], 0, 65535, true,
					 &v[i]);
		if (r != 0 && rc == 0) {
			rc = r;
		}
	}
	int r = dz_kind_get_name(ctx, spec, "target",
				     rd + SRV_NAME_OFFSET, &nlen);
	if (rc != 0 || r != 0) {
		return rc != 0 ? rc : r;
	}
	dz_wire_init(&w, rd, sizeof(rd));
	for (size_t i = 0; i < 3; i++) {
		dz_wire_put_u16(&w, (uint16_t)v[i]);
	}
	return dz_kind_add_rdata(ctx, rd, SRV_NAME_OFFSET + nlen);
}

/*
 * Static order: ascending priority (clients try the lowest first), then
 * descending weight so that the heaviest server of a priority leads in
 * clients that ignore weights. Equal (priority, weight) compare equal and
 * rotate (DZ_KIND_F_ROTATE); RFC 2782's weighted pick is the client's.
 */
static int srv_compare(const uint8_t *a, size_t alen, const uint8_t *b,
		       size_t blen)
{
	uint16_t pa = alen >= 4 ? dz_wire_get_u16(a) : 0;
	uint16_t pb = blen >= 4 ? dz_wire_get_u16(b) : 0;
	uint16_t wa = alen >= 4 ? dz_wire_get_u16(a + 2) : 0;
	uint16_t wb = blen >= 4 ? dz_wire_get_u16(b + 2) : 0;

	if (pa != pb) {
		return (pa > pb) - (pa < pb);
	}
	return (wa < wb) - (wa > wb);
}

/* "10 60 8080 server1.example.com." */
static size_t srv_print(const uint8_t *rdata, size_t len, char *out,
			size_t outsz)
{
	size_t used, tlen = 0;
	int n;

	if (len < SRV_NAME_OFFSET + 1) {
		return 0;
	}
	n = snprintf(out, outsz, "%u %u %u ", dz_wire_get_u16(rdata),
		     dz_wire_get_u16(rdata + 2), dz_wire_get_u16(rdata + 4));
	if (n < 0 || (size_t)n >= outsz) {
		return 0;
	}
	used = dz_kindutil_name_print(rdata + SRV_NAME_OFFSET,
				      len - SRV_NAME_OFFSET, out + n,
				      outsz - (size_t)n, &tlen);
	if (used != len - SRV_NAME_OFFSET) {
		return 0;
	}
	return (size_t)n + tlen;
}

static const char *const srv_fields[] = { "priority", "weight", "port",
					  "target", NULL };

const struct dz_kind dz_kind_srv = {
	.abi = DZ_KIND_ABI,
	.name = "SRVRecord",
	.type_name = "SRV",
	.rrtype = 33,
	.name_offset = SRV_NAME_OFFSET,
	.flags = DZ_KIND_F_NAME | DZ_KIND_F_ADDITIONAL | DZ_KIND_F_ROTATE,
	.fields = srv_fields,
	.parse = srv_parse,
	.compare = srv_compare,
	.print = srv_print,
};
