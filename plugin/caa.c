/* SPDX-License-Identifier: MIT */
/* caa.c -- CAARecord: certification authority authorization, CAA (257). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "plugin/kindutil.h"
#include "plugin/plugin.h"
#include "util/wire.h"

/*
 * rdata (RFC 8659 4.1): FLAGS (u8; bit 128 is "issuer critical"), TAG
 * LENGTH (u8), TAG (ASCII letters and digits), VALUE (the rest, no length
 * octet). bindy offers issue, issuewild and iodef; RFC 8659 lets a CA
 * define more, so other well-formed tags are served with a warning
 * (usually a typo, "isue"). Tags compare case-insensitively.
 */
#define CAA_TAG_MAX 15

/* The tags of the IANA "Certification Authority Restriction Properties"
 * registry that bindy users meet. */
static const char *const caa_known[] = {
	"issue", "issuewild", "iodef", "issuemail", "issuevmc",
	"contactemail", "contactphone", NULL,
};

/* Validate the tag; 0, or the error already reported. */
static int caa_tag(struct dz_kind_ctx *ctx, const char *tag,
		   const struct dz_ynode *at)
{
	size_t len = strlen(tag);

	if (len == 0) {
		return dz_kind_error(ctx, at, "'tag' is empty");
	}
	for (size_t i = 0; i < len; i++) {
		char c = tag[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9'))) {
			return dz_kind_error(ctx, at, "CAA tag '%s' may hold "
					     "only letters and digits", tag);
		}
	}
	if (len > CAA_TAG_MAX) {
		return dz_kind_error(ctx, at, "CAA tag '%s' is longer than %u "
				     "characters", tag, CAA_TAG_MAX);
	}
	for (size_t i = 0; caa_known[i] != NULL; i++) {
		if (strcasecmp(caa_known[i], tag) == 0) {
			return 0;
		}
	}
	dz_kind_warn(ctx, at, "unknown CAA tag '%s' (issue, issuewild and "
		     "iodef are the usual ones)", tag);
	return 0;
}

/* RFC 8659 4.4: iodef is a mailto:, http: or https: URL. */
static void caa_check_iodef(struct dz_kind_ctx *ctx, const char *value,
			    const struct dz_ynode *at)
{
	if (strncasecmp(value, "mailto:", 7) != 0 &&
	    strncasecmp(value, "http://", 7) != 0 &&
	    strncasecmp(value, "https://", 8) != 0) {
		dz_kind_warn(ctx, at, "iodef value '%s' is not a mailto:, "
			     "http: or https: URL", value);
	}
}

static int caa_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	uint8_t rd[DZ_RDATA_MAX];
	const struct dz_ynode *tnode = NULL, *vnode = NULL;
	const char *tag = NULL, *value = NULL;
	uint64_t flags = 0;
	size_t tlen, vlen;
	struct dz_wire w;
	int rc, rc2, rc3;

	/* Every field is checked so that one run reports every problem. */
	rc = dz_kind_get_uint(ctx, spec, "flags", 0, 255, true, &flags);
	rc2 = dz_kind_get_str(ctx, spec, "tag", true, &tag, &tnode);
	if (rc2 == 0) {
		rc2 = caa_tag(ctx, tag, tnode);
	}
	rc3 = dz_kind_get_str(ctx, spec, "value", true, &value, &vnode);
	if (rc != 0 || rc2 != 0 || rc3 != 0) {
		return rc != 0 ? rc : rc2 != 0 ? rc2 : rc3;
	}
	if (strcasecmp(tag, "iodef") == 0) {
		caa_check_iodef(ctx, value, vnode);
	}
	tlen = strlen(tag);
	vlen = strlen(value);
	if (2 + tlen + vlen > sizeof(rd)) {
		return dz_kind_error(ctx, vnode, "CAA value of %zu bytes is "
				     "too long", vlen);
	}
	dz_wire_init(&w, rd, sizeof(rd));
	dz_wire_put_u8(&w, (uint8_t)flags);
	dz_wire_put_u8(&w, (uint8_t)tlen);
	dz_wire_put_bytes(&w, tag, tlen);
	dz_wire_put_bytes(&w, value, vlen);
	return dz_kind_add_rdata(ctx, rd, 2 + tlen + vlen);
}

/* "0 issue \"letsencrypt.org\"" (RFC 8659 4.1.1 presentation form). */
static size_t caa_print(const uint8_t *rdata, size_t len, char *out,
			size_t outsz)
{
	size_t tlen, pos;
	int n;

	if (len < 2 || rdata[1] == 0 || 2 + (size_t)rdata[1] > len) {
		return 0;
	}
	tlen = rdata[1];
	for (size_t i = 0; i < tlen; i++) {
		uint8_t c = rdata[2 + i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9'))) {
			return 0; /* not a tag: no text form */
		}
	}
	n = snprintf(out, outsz, "%u %.*s ", rdata[0], (int)tlen,
		     (const char *)rdata + 2);
	if (n < 0 || (size_t)n >= outsz) {
		return 0;
	}
	pos = (size_t)n;
	if (!dz_kindutil_qstring_print(rdata + 2 + tlen, len - 2 - tlen, out,
				       outsz, &pos)) {
		return 0;
	}
	return pos;
}

static const char *const caa_fields[] = { "flags", "tag", "value", NULL };

const struct dz_kind dz_kind_caa = {
	.abi = DZ_KIND_ABI,
	.name = "CAARecord",
	.type_name = "CAA",
	.rrtype = 257,
	.fields = caa_fields,
	.parse = caa_parse,
	.print = caa_print,
};
