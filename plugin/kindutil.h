/* SPDX-License-Identifier: MIT */
/* kindutil.h -- helpers shared by built-in kinds of the same shape. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/plugin.h"

/*
 * Text to rdata for one address; false when text is not a valid address.
 * out holds the shape's rdlen bytes.
 */
typedef bool dz_kindutil_addr_fn(const char *text, uint8_t *out);

/* An address kind: a list field (v1beta1) or a scalar field (v1alpha1). */
struct dz_kindutil_addr_shape {
	const char *list;     /* "ipv4Addresses" */
	const char *one;      /* "ipv4Address" */
	const char *family;   /* "IPv4", for messages */
	const char *hint;     /* appended to the error when is_other() */
	bool (*is_other)(const char *text); /* the other family? or NULL */
	size_t rdlen;         /* 4 or 16 */
	dz_kindutil_addr_fn *decode;
};

/*
 * Parse spec.<list> or spec.<one> (exactly one of them) and add one RR per
 * address. Errors: both set, neither set, an empty list, a non-scalar item,
 * "invalid IPv4 address '1.2.3'" at the offending item (every bad item is
 * reported, not only the first). Returns 0 or DZ_EMANIFEST / DZ_ENOMEM.
 */
int dz_kindutil_addr_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
			   const struct dz_kindutil_addr_shape *shape);

/*
 * Print the uncompressed wire name at rdata[0..len) as text with a trailing
 * dot, escaping '.', '\\', '"' and non-printable octets (\DDD).
 * Returns the number of rdata bytes the name used, or 0 when the name is
 * malformed, runs past len, or the text does not fit in outsz (NUL
 * included). *outlen receives the text length.
 */
size_t dz_kindutil_name_print(const uint8_t *rdata, size_t len, char *out,
			      size_t outsz, size_t *outlen);

/*
 * A kind whose rdata is one domain name and nothing else (CNAME, NS, PTR;
 * NSD's "compressed name" rdata shape): read spec.<field> with
 * dz_kind_get_name (relative names completed with the zone and warned
 * about) and add the one RR. Returns 0 or DZ_EMANIFEST / DZ_ENOMEM.
 */
int dz_kindutil_target_parse(struct dz_kind_ctx *ctx,
			     const struct dz_ynode *spec, const char *field);

/*
 * print() for that shape: the name with its trailing dot, and nothing may
 * follow it in rdata. Same contract as dz_kind.print.
 */
size_t dz_kindutil_target_print(const uint8_t *rdata, size_t len, char *out,
				size_t outsz);

/*
 * Append one RFC 1035 <character-string> as zone-file text: in double
 * quotes, '"' and '\\' escaped with a backslash, octets outside printable
 * ASCII as \DDD. *pos is where to write in out and is advanced; false
 * when the text (and a NUL) does not fit in outsz.
 */
bool dz_kindutil_qstring_print(const uint8_t *s, size_t len, char *out,
			       size_t outsz, size_t *pos);
