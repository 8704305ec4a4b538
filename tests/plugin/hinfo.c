/* SPDX-License-Identifier: MIT */
/* hinfo.c -- example external kind: HINFORecord, RR type HINFO (13). */

/*
 * Built as a loadable module (tests/plugin/hinfo.la, -module) by
 * `make check`, and loaded by tests/unit/test_kind_loader.c through
 * dz_kind_load_dir(). It uses only plugin/plugin.h, util/wire.h and libc,
 * like any out-of-tree kind; the dz_kind_* helpers resolve against the
 * host program (dropzoned is linked with -export-dynamic).
 *
 *   kind: HINFORecord
 *   spec: { name: host, cpu: "ARM64", os: "Linux" }
 *
 * rdata (RFC 1035 3.3.2): two <character-string>s, CPU then OS.
 */
#include <stdio.h>
#include <string.h>

#include "plugin/plugin.h"
#include "util/wire.h"

/* One <character-string>: length octet, then at most 255 bytes. */
static int hinfo_string(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
			const char *field, struct dz_wire *w)
{
	const struct dz_ynode *node = NULL;
	const char *s = NULL;
	size_t len;
	int rc;

	rc = dz_kind_get_str(ctx, spec, field, true, &s, &node);
	if (rc != 0) {
		return rc;
	}
	len = strlen(s);
	if (len > 255) {
		return dz_kind_error(ctx, node, "%s '%.20s...' is %zu bytes, "
				     "longer than 255", field, s, len);
	}
	dz_wire_put_u8(w, (uint8_t)len);
	dz_wire_put_bytes(w, s, len);
	return 0;
}

static int hinfo_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	uint8_t rd[2 * 256];
	struct dz_wire w;
	int rc, rc2;

	dz_wire_init(&w, rd, sizeof(rd));
	rc = hinfo_string(ctx, spec, "cpu", &w);
	rc2 = hinfo_string(ctx, spec, "os", &w);
	if (rc != 0 || rc2 != 0) {
		return rc != 0 ? rc : rc2;
	}
	return dz_kind_add_rdata(ctx, rd, w.pos);
}

/* Quote one <character-string> at *i; false on malformed rdata or a full
 * buffer. */
static bool hinfo_print_string(const uint8_t *rd, size_t len, size_t *i,
			       char *out, size_t outsz, size_t *pos)
{
	size_t n;

	if (*i >= len || *i + 1 + rd[*i] > len) {
		return false;
	}
	n = rd[(*i)++];
	if (*pos + 1 >= outsz) {
		return false;
	}
	out[(*pos)++] = '"';
	for (size_t j = 0; j < n; j++, (*i)++) {
		uint8_t c = rd[*i];
		int k;

		if (c == '"' || c == '\\') {
			k = snprintf(out + *pos, outsz - *pos, "\\%c", c);
		} else if (c < 0x20 || c >= 0x7f) {
			k = snprintf(out + *pos, outsz - *pos, "\\%03u", c);
		} else {
			k = snprintf(out + *pos, outsz - *pos, "%c", c);
		}
		if (k < 0 || *pos + (size_t)k >= outsz) {
			return false;
		}
		*pos += (size_t)k;
	}
	if (*pos + 1 >= outsz) {
		return false;
	}
	out[(*pos)++] = '"';
	out[*pos] = '\0';
	return true;
}

/* "\"ARM64\" \"Linux\"" */
static size_t hinfo_print(const uint8_t *rdata, size_t len, char *out,
			  size_t outsz)
{
	size_t i = 0, pos = 0;

	if (!hinfo_print_string(rdata, len, &i, out, outsz, &pos) ||
	    pos + 1 >= outsz) {
		return 0;
	}
	out[pos++] = ' ';
	if (!hinfo_print_string(rdata, len, &i, out, outsz, &pos) ||
	    i != len) {
		return 0;
	}
	return pos;
}

static const char *const hinfo_fields[] = { "cpu", "os", NULL };

static const struct dz_kind hinfo_kind = {
	.abi = DZ_KIND_ABI,
	.name = "HINFORecord",
	.type_name = "HINFO",
	.rrtype = 13,
	.fields = hinfo_fields,
	.parse = hinfo_parse,
	.print = hinfo_print,
};

/* The one symbol dz_kind_load_dir() looks for. */
const struct dz_kind *dz_kind_plugin(void);

const struct dz_kind *dz_kind_plugin(void)
{
	return &hinfo_kind;
}
