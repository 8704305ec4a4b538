/* SPDX-License-Identifier: MIT */
/* dname.c -- domain names: text <-> wire, case folding, comparison. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/dname.h"
#include "util/errcode.h"

static inline uint8_t dn_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static bool dn_hostchar(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Read one label's octet from text at *i, handling escapes. */
static int dn_text_octet(const char *t, size_t len, size_t *i, uint8_t *c,
			 bool *escaped)
{
	*escaped = false;
	if (t[*i] != '\\') {
		*c = (uint8_t)t[(*i)++];
		return 0;
	}
	*escaped = true;
	(*i)++;
	if (*i >= len) {
		return DZ_EDNAME;
	}
	if (isdigit((unsigned char)t[*i])) {
		if (*i + 3 > len || !isdigit((unsigned char)t[*i + 1]) ||
		    !isdigit((unsigned char)t[*i + 2])) {
			return DZ_EDNAME;
		}
		int v = (t[*i] - '0') * 100 + (t[*i + 1] - '0') * 10 +
			(t[*i + 2] - '0');
		if (v > 255) {
			return DZ_EDNAME;
		}
		*c = (uint8_t)v;
		*i += 3;
		return 0;
	}
	*c = (uint8_t)t[(*i)++];
	return 0;
}

int dz_dname_from_text(const char *text, size_t len, const uint8_t *origin,
		       uint8_t *out, size_t *outlen, unsigned *flags,
		       const char **why)
{
	static const uint8_t root[1] = { 0 };
	unsigned fl = 0;
	size_t pos = 0; /* write position in out */
	size_t i = 0;
	const char *reason = NULL;

	if (origin == NULL) {
		origin = root;
	}
	/* "@" and "" stand for the origin itself. */
	if (len == 0 || (len == 1 && text[0] == '@')) {
		size_t olen = dz_dname_len(origin);
		memcpy(out, origin, olen);
		*outlen = olen;
		if (flags) {
			*flags = DZ_DNAME_F_RELATIVE;
		}
		return 0;
	}
	if (len == 1 && text[0] == '.') {
		out[0] = 0;
		*outlen = 1;
		if (flags) {
			*flags = 0;
		}
		return 0;
	}
	bool absolute = false;
	while (i < len) {
		size_t lab = pos++; /* length byte */
		size_t n = 0;
		bool star_only = true;
		if (text[i] == '.') {
			reason = "empty label";
			goto fail;
		}
		while (i < len && text[i] != '.') {
			uint8_t c;
			bool esc;
			if (isspace((unsigned char)text[i]) ||
			    iscntrl((unsigned char)text[i])) {
				reason = "whitespace or control character";
				goto fail;
			}
			if (dn_text_octet(text, len, &i, &c, &esc) != 0) {
				reason = "bad escape";
				goto fail;
			}
			if (n >= DZ_LABEL_MAX) {
				reason = "label longer than 63 octets";
				goto fail;
			}
			if (pos >= DZ_DNAME_MAX) {
				reason = "name longer than 255 octets";
				goto fail;
			}
			if (c != '*' || esc) {
				star_only = false;
			}
			if (!dn_hostchar(c) && !(c == '*' && !esc)) {
				fl |= DZ_DNAME_F_NONHOST;
			}
			out[pos++] = c;
			n++;
		}
		out[lab] = (uint8_t)n;
		if (star_only && n == 1 && lab == 0) {
			fl |= DZ_DNAME_F_WILDCARD;
		} else if (memchr(out + lab + 1, '*', n) != NULL) {
			fl |= DZ_DNAME_F_NONHOST;
		}
		if (i < len) { /* at a dot */
			i++;
			if (i == len) {
				absolute = true;
			}
		}
	}
	if (absolute) {
		if (pos + 1 > DZ_DNAME_MAX) {
			reason = "name longer than 255 octets";
			goto fail;
		}
		out[pos++] = 0;
	} else {
		size_t olen = dz_dname_len(origin);
		if (pos + olen > DZ_DNAME_MAX) {
			reason = "name longer than 255 octets";
			goto fail;
		}
		memcpy(out + pos, origin, olen);
		pos += olen;
		fl |= DZ_DNAME_F_RELATIVE;
	}
	*outlen = pos;
	if (flags) {
		*flags = fl;
	}
	return 0;
fail:
	if (why) {
		*why = reason;
	}
	return DZ_EDNAME;
}

size_t dz_dname_to_text(const uint8_t *name, char *out, size_t outsz)
{
	size_t n = 0;
	char tmp[8];

#define DN_PUT(s, l) do { \
		for (size_t k_ = 0; k_ < (l); k_++) { \
			if (n + 1 < outsz) out[n] = (s)[k_]; \
			n++; \
		} \
	} while (0)

	if (name[0] == 0) {
		DN_PUT(".", 1);
	}
	while (name[0] != 0) {
		uint8_t l = name[0];
		for (uint8_t k = 1; k <= l; k++) {
			uint8_t c = name[k];
			if (c == '.' || c == '\\') {
				tmp[0] = '\\';
				tmp[1] = (char)c;
				DN_PUT(tmp, 2);
			} else if (c < 0x21 || c > 0x7e) {
				snprintf(tmp, sizeof(tmp), "\\%03u", c);
				DN_PUT(tmp, 4);
			} else {
				DN_PUT((const char *)&name[k], 1);
			}
		}
		DN_PUT(".", 1);
		name += l + 1;
	}
#undef DN_PUT
	if (outsz > 0) {
		out[n < outsz ? n : outsz - 1] = '\0';
	}
	return n;
}

size_t dz_dname_len(const uint8_t *name)
{
	const uint8_t *p = name;

	while (*p != 0) {
		p += *p + 1;
	}
	return (size_t)(p - name) + 1;
}

unsigned dz_dname_labels(const uint8_t *name)
{
	unsigned n = 0;

	while (*name != 0) {
		name += *name + 1;
		n++;
	}
	return n;
}

void dz_dname_tolower(uint8_t *name)
{
	/* Length octets (<= 63) are below 'A': the name lower-cases as
	 * one run of octets, eight at a time. */
	size_t len = dz_dname_len(name), i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, name + i, 8);
		w = dz_lower8(w);
		memcpy(name + i, &w, 8);
	}
	for (; i < len; i++) {
		name[i] = dn_lower(name[i]);
	}
}

bool dz_dname_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b) {
			return false;
		}
		uint8_t l = *a;
		if (l == 0) {
			return true;
		}
		for (uint8_t k = 1; k <= l; k++) {
			if (dn_lower(a[k]) != dn_lower(b[k])) {
				return false;
			}
		}
		a += l + 1;
		b += l + 1;
	}
}

bool dz_dname_is_subdomain(const uint8_t *name, const uint8_t *parent)
{
	unsigned nl = dz_dname_labels(name);
	unsigned pl = dz_dname_labels(parent);

	if (nl < pl) {
		return false;
	}
	for (unsigned k = 0; k < nl - pl; k++) {
		name += *name + 1;
	}
	return dz_dname_equal(name, parent);
}

size_t dz_dname_check(const uint8_t *name, const uint8_t *end)
{
	const uint8_t *p = name;

	for (;;) {
		if (p >= end) {
			return 0;
		}
		uint8_t l = *p;
		if (l > DZ_LABEL_MAX) { /* also catches pointers, 0xC0.. */
			return 0;
		}
		if ((size_t)(end - p) < (size_t)l + 1) {
			return 0;
		}
		p += l + 1;
		if ((size_t)(p - name) > DZ_DNAME_MAX) {
			return 0;
		}
		if (l == 0) {
			return (size_t)(p - name);
		}
	}
}

int dz_dname_cmp_canonical(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[128], *lb[128];
	unsigned na = 0, nb = 0;

	for (const uint8_t *p = a; *p != 0 && na < 128; p += *p + 1) {
		la[na++] = p;
	}
	for (const uint8_t *p = b; *p != 0 && nb < 128; p += *p + 1) {
		lb[nb++] = p;
	}
	/* Compare from the rightmost label. */
	while (na > 0 && nb > 0) {
		const uint8_t *x = la[--na];
		const uint8_t *y = lb[--nb];
		uint8_t lx = x[0], ly = y[0];
		uint8_t m = lx < ly ? lx : ly;
		for (uint8_t k = 1; k <= m; k++) {
			uint8_t cx = dn_lower(x[k]), cy = dn_lower(y[k]);
			if (cx != cy) {
				return cx < cy ? -1 : 1;
			}
		}
		if (lx != ly) {
			return lx < ly ? -1 : 1;
		}
	}
	if (na == nb) {
		return 0;
	}
	return na < nb ? -1 : 1;
}
