/* SPDX-License-Identifier: MIT */
/* aaaa.c -- AAAARecord: IPv6 addresses, RR type AAAA (28). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "plugin/kindutil.h"
#include "plugin/plugin.h"
#include "util/wire.h"

/*
 * Any RFC 4291 section 2.2 text form, as inet_pton reads it: full,
 * "::"-compressed, or with an embedded dotted quad. Zone ids ("%eth0")
 * name an interface, which means nothing in DNS data, so they are refused
 * (glibc refuses them too; the explicit check keeps that independent of
 * the libc).
 */
static bool aaaa_decode(const char *s, uint8_t *out)
{
	if (strchr(s, '%') != NULL) {
		return false;
	}
	return inet_pton(AF_INET6, s, out) == 1;
}

static bool aaaa_is_v4(const char *s)
{
	uint8_t tmp[4];

	return inet_pton(AF_INET, s, tmp) == 1;
}

static const struct dz_kindutil_addr_shape aaaa_shape = {
	.list = "ipv6Addresses",
	.one = "ipv6Address",
	.family = "IPv6",
	.hint = " (an IPv4 address belongs in an ARecord)",
	.is_other = aaaa_is_v4,
	.rdlen = 16,
	.decode = aaaa_decode,
};

static int aaaa_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	return dz_kindutil_addr_parse(ctx, spec, &aaaa_shape);
}

/* RFC 5952 canonical text (glibc's inet_ntop produces it). */
static size_t aaaa_print(const uint8_t *rdata, size_t len, char *out,
			 size_t outsz)
{
	char buf[INET6_ADDRSTRLEN];
	size_t n;

	if (len != 16 || inet_ntop(AF_INET6, rdata, buf, sizeof(buf)) == NULL) {
		return 0;
	}
	n = strlen(buf);
	if (n >= outsz) {
		return 0;
	}
	memcpy(out, buf, n + 1);
	return n;
}

static const char *const aaaa_fields[] = { "ipv6Addresses", "ipv6Address",
					   NULL };

const struct dz_kind dz_kind_aaaa = {
	.abi = DZ_KIND_ABI,
	.name = "AAAARecord",
	.type_name = "AAAA",
	.rrtype = 28,
	.fields = aaaa_fields,
	.parse = aaaa_parse,
	.print = aaaa_print,
};
