/* SPDX-License-Identifier: MIT */
/* txt.c -- TXTRecord: text strings, RR type TXT (16), RFC 1035 3.3.14. */
#include <stdio.h>
#include <string.h>

#include "plugin/kindutil.h"
#include "plugin/plugin.h"

/*
 * rdata: one or more <character-string>s, each a length octet and that
 * many bytes. The manifest's list items are the strings of ONE RR, as in
 * a zone file's `@ TXT "part one" "part two"`: that is how long DKIM keys
 * are split, and verifiers join the strings back. bindy's v1alpha1 shape
 * is a single scalar, tolerated as a one-item list.
 */
#define TXT_STR_MAX 255

/* The core's rule (kindctx.c): an unquoted "", "~" or "null" is absent. */
static bool txt_is_null(const struct dz_ynode *n)
{
	const char *s;

	if (dz_ynode_type(n) != DZ_YNODE_SCALAR || dz_ynode_quoted(n)) {
		return false;
	}
	s = dz_ynode_str(n);
	return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* Append item i (1-based, for messages) to rd; report what is wrong. */
static int txt_item(struct dz_kind_ctx *ctx, const struct dz_ynode *n,
		    size_t i, uint8_t *rd, size_t *len)
{
	const char *s;
	size_t slen;

	if (dz_ynode_type(n) != DZ_YNODE_SCALAR) {
		return dz_kind_error(ctx, n, "text item %zu must be a string, "
				     "got a %s", i, dz_ynode_type(n) ==
				     DZ_YNODE_MAP ? "map" : "list");
	}
	s = dz_ynode_str(n);
	slen = strlen(s);
	if (slen > TXT_STR_MAX) {
		return dz_kind_error(ctx, n, "text item %zu is %zu bytes, longer "
				     "than %u: split it into several items",
				     i, slen, TXT_STR_MAX);
	}
	if (*len + 1 + slen > DZ_RDATA_MAX) {
		return dz_kind_error(ctx, n, "text is longer than %u bytes in "
				     "all from item %zu on", DZ_RDATA_MAX, i);
	}
	rd[(*len)++] = (uint8_t)slen;
	memcpy(rd + *len, s, slen);
	*len += slen;
	return 0;
}

static int txt_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	uint8_t rd[DZ_RDATA_MAX]; /* 64 KiB: the most one RR can hold */
	const struct dz_ynode *text = dz_ynode_get(spec, "text");
	size_t len = 0, n;
	int rc = 0;

	if (text == NULL || txt_is_null(text)) {
		return dz_kind_error(ctx, NULL, "missing required field 'text'");
	}
	if (dz_ynode_type(text) == DZ_YNODE_MAP) {
		return dz_kind_error(ctx, text, "'text' must be a list of "
				     "strings, got a map");
	}
	if (dz_ynode_type(text) == DZ_YNODE_SCALAR) {
		rc = txt_item(ctx, text, 1, rd, &len);
		return rc != 0 ? rc : dz_kind_add_rdata(ctx, rd, len);
	}
	if ((n = dz_ynode_len(text)) == 0) {
		return dz_kind_error(ctx, text, "'text' is empty");
	}
	/* Report every bad item, then fail once. */
	for (size_t i = 0; i < n; i++) {
		int r = txt_item(ctx, dz_ynode_at(text, i), i + 1, rd, &len);
		if (r != 0 && rc == 0) {
			rc = r;
		}
	}
	return rc != 0 ? rc : dz_kind_add_rdata(ctx, rd, len);
}

/* "\"v=spf1 mx -all\" \"second\"" */
static size_t txt_print(const uint8_t *rdata, size_t len, char *out,
			size_t outsz)
{
	size_t i = 0, pos = 0;

	if (len == 0 || outsz == 0) {
		return 0;
	}
	while (i < len) {
		size_t slen = rdata[i];
		if (i + 1 + slen > len) {
			return 0; /* a string runs past the rdata */
		}
		if (i > 0) {
			if (pos + 1 >= outsz) {
				return 0;
			}
			out[pos++] = ' ';
		}
		if (!dz_kindutil_qstring_print(rdata + i + 1, slen, out, outsz,
					       &pos)) {
			return 0;
		}
		i += 1 + slen;
	}
	return pos;
}

static const char *const txt_fields[] = { "text", NULL };

const struct dz_kind dz_kind_txt = {
	.abi = DZ_KIND_ABI,
	.name = "TXTRecord",
	.type_name = "TXT",
	.rrtype = 16,
	.fields = txt_fields,
	.parse = txt_parse,
	.print = txt_print,
};
