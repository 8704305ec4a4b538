/* SPDX-License-Identifier: MIT */
/* a.c -- ARecord: IPv4 addresses, RR type A (1). */
#include <stdio.h>
#include <string.h>

#include "plugin/kindutil.h"
#include "plugin/plugin.h"
#include "util/wire.h"

/*
 * Strict dotted quad: four decimal parts 0..255 of 1-3 digits, no leading
 * zeros (inet_aton would read "010" as octal 8), nothing else. Whitespace
 * is not trimmed: "1.2.3.4 " is almost always a copy-paste accident.
 */
static bool a_decode(const char *s, uint8_t *out)
{
	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		int digits = 0;

		if (part > 0 && *s++ != '.') {
			return false;
		}
		while (*s >= '0' && *s <= '9') {
			if (digits == 1 && v == 0) {
				return false; /* leading zero */
			}
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || v > 255) {
				return false;
			}
		}
		if (digits == 0) {
			return false;
		}
		out[part] = (uint8_t)v;
	}
	return *s == '\0';
}

static bool a_is_v6(const char *s)
{
	return strchr(s, ':') != NULL;
}

static const struct dz_kindutil_addr_shape a_shape = {
	.list = "ipv4Addresses",
	.one = "ipv4Address",
	.family = "IPv4",
	.hint = " (an IPv6 address belongs in an AAAARecord)",
	.is_other = a_is_v6,
	.rdlen = 4,
	.decode = a_decode,
};

static int a_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	return dz_kindutil_addr_parse(ctx, spec, &a_shape);
}

static size_t a_print(const uint8_t *rdata, size_t len, char *out,
		      size_t outsz)
{
	int n;

	if (len != 4) {
		return 0;
	}
	n = snprintf(out, outsz, "%u.%u.%u.%u", rdata[0], rdata[1], rdata[2],
		     rdata[3]);
	return (n < 0 || (size_t)n >= outsz) ? 0 : (size_t)n;
}

static const char *const a_fields[] = { "ipv4Addresses", "ipv4Address",
					NULL };

const struct dz_kind dz_kind_a = {
	.abi = DZ_KIND_ABI,
	.name = "ARecord",
	.type_name = "A",
	.rrtype = 1,
	.fields = a_fields,
	.parse = a_parse,
	.print = a_print,
};
