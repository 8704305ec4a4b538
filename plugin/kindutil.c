/* SPDX-License-Identifier: MIT */
/* kindutil.c -- helpers shared by built-in kinds of the same shape. */
#include <stdio.h>
#include <string.h>

#include "plugin/kindutil.h"
#include "util/dname.h"

/* The core's rule (kindctx.c): an unquoted "", "~" or "null" is absent. */
static const struct dz_ynode *ku_field(const struct dz_ynode *spec,
				       const char *field)
{
	const struct dz_ynode *n = dz_ynode_get(spec, field);
	const char *s;

	if (n == NULL || dz_ynode_type(n) != DZ_YNODE_SCALAR ||
	    dz_ynode_quoted(n)) {
		return n;
	}
	s = dz_ynode_str(n);
	if (s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0) {
		return NULL;
	}
	return n;
}

/* One address node to one RR. */
static int ku_addr_one(struct dz_kind_ctx *ctx, const struct dz_ynode *n,
		       const char *field,
		       const struct dz_kindutil_addr_shape *shape)
{
	uint8_t rd[16];
	const char *s;

	if (dz_ynode_type(n) != DZ_YNODE_SCALAR) {
		return dz_kind_error(ctx, n, "'%s' must hold %s addresses, "
				     "got a %s", field, shape->family,
				     dz_ynode_type(n) == DZ_YNODE_MAP ?
				     "map" : "list");
	}
	s = dz_ynode_str(n);
	if (!shape->decode(s, rd)) {
		bool other = shape->is_other != NULL && shape->is_other(s);
		return dz_kind_error(ctx, n, "invalid %s address '%s'%s",
				     shape->family, s,
				     other ? shape->hint : "");
	}
	return dz_kind_add_rdata(ctx, rd, shape->rdlen);
}

int dz_kindutil_addr_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
			   const struct dz_kindutil_addr_shape *shape)
{
	const struct dz_ynode *list = ku_field(spec, shape->list);
	const struct dz_ynode *one = ku_field(spec, shape->one);
	int rc = 0;

	if (list != NULL && one != NULL) {
		return dz_kind_error(ctx, one, "both '%s' and '%s' set",
				     shape->one, shape->list);
	}
	if (one != NULL) {
		return ku_addr_one(ctx, one, shape->one, shape);
	}
	if (list == NULL) {
		return dz_kind_error(ctx, NULL, "missing required field '%s'",
				     shape->list);
	}
	if (dz_ynode_type(list) != DZ_YNODE_SEQ) {
		return dz_kind_error(ctx, list, "'%s' must be a list",
				     shape->list);
	}
	if (dz_ynode_len(list) == 0) {
		return dz_kind_error(ctx, list, "'%s' is empty", shape->list);
	}
	/* Report every bad item, then fail once. */
	for (size_t i = 0; i < dz_ynode_len(list); i++) {
		int r = ku_addr_one(ctx, dz_ynode_at(list, i), shape->list,
				    shape);
		if (r != 0 && rc == 0) {
			rc = r;
		}
	}
	return rc;
}

/* Append one octet of a label as text; false when out is full. */
static bool ku_put_octet(uint8_t c, char *out, size_t outsz, size_t *pos)
{
	char tmp[5];
	int n;

	if (c == '.' || c == '\\' || c == '"') {
		n = snprintf(tmp, sizeof(tmp), "\\%c", c);
	} else if (c <= 0x20 || c >= 0x7f) {
		n = snprintf(tmp, sizeof(tmp), "\\%03u", c);
	} else {
		tmp[0] = (char)c;
		tmp[1] = '\0';
		n = 1;
	}
	if (*pos + (size_t)n >= outsz) {
		return false;
	}
	memcpy(out + *pos, tmp, (size_t)n);
	*pos += (size_t)n;
	return true;
}

size_t dz_kindutil_name_print(const uint8_t *rdata, size_t len, char *out,
			      size_t outsz, size_t *outlen)
{
	size_t i = 0, pos = 0;

	if (outsz == 0) {
		return 0;
	}
	while (i < len && rdata[i] != 0) {
		size_t l = rdata[i];
		if (l > 63 || i + 1 + l >= len) {
			return 0;
		}
		for (size_t j = 0; j < l; j++) {
			if (!ku_put_octet(rdata[i + 1 + j], out, outsz, &pos)) {
				return 0;
			}
		}
		if (pos + 1 >= outsz) {
			return 0;
		}
		out[pos++] = '.';
		i += 1 + l;
	}
	if (i >= len || i + 1 > 255) {
		return 0;
	}
	if (i == 0) {
		if (outsz < 2) {
			return 0;
		}
		out[pos++] = '.';
	}
	out[pos] = '\0';
	*outlen = pos;
	return i + 1;
}

int dz_kindutil_target_parse(struct dz_kind_ctx *ctx,
			     const struct dz_ynode *spec, const char *field)
{
	uint8_t name[255];
	size_t len = 0;
	int rc = dz_kind_get_name(ctx, spec, field, name, &len);

	if (rc != 0) {
		return rc;
	}
	return dz_kind_add_rdata(ctx, name, len);
}

size_t dz_kindutil_target_print(const uint8_t *rdata, size_t len, char *out,
				size_t outsz)
{
	size_t tlen = 0;

	/* A trailing byte after the name is malformed rdata, not text. */
	if (dz_kindutil_name_print(rdata, len, out, outsz, &tlen) != len) {
		return 0;
	}
	return tlen;
}

bool dz_kindutil_qstring_print(const uint8_t *s, size_t len, char *out,
			       size_t outsz, size_t *pos)
{
	char tmp[5];

	if (*pos + 1 >= outsz) {
		return false;
	}
	out[(*pos)++] = '"';
	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];
		int n;

		if (c == '"' || c == '\\') {
			n = snprintf(tmp, sizeof(tmp), "\\%c", c);
		} else if (c < 0x20 || c >= 0x7f) {
			n = snprintf(tmp, sizeof(tmp), "\\%03u", c);
		} else {
			tmp[0] = (char)c;
			n = 1;
		}
		if (*pos + (size_t)n + 1 >= outsz) {
			return false;
		}
		memcpy(out + *pos, tmp, (size_t)n);
		*pos += (size_t)n;
	}
	if (*pos + 1 >= outsz) {
		return false; /* no room for the quote and the NUL */
	}
	out[(*pos)++] = '"';
	out[*pos] = '\0';
	return true;
}
