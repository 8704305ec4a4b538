/* SPDX-License-Identifier: MIT */
/* dname.h -- domain names in uncompressed wire form: text, case, compare. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DZ_DNAME_MAX 255 /* octets, including the root label */
#define DZ_LABEL_MAX 63

/* Flags reported by dz_dname_from_text() (bit set, output). */
enum {
	DZ_DNAME_F_RELATIVE = 1 << 0, /* no trailing dot: origin appended */
	DZ_DNAME_F_NONHOST = 1 << 1,  /* a char outside [A-Za-z0-9-_], or '*'
	                               * not as a whole leading label */
	DZ_DNAME_F_WILDCARD = 1 << 2, /* first label is '*' */
};

/*
 * Parse a presentation-format name into wire form.
 * [in]  text, len: the name ("www", "mail.example.com.", "@" or "" for the
 *       origin itself, "." for the root). Escapes "\." and "\DDD" work.
 * [in]  origin: wire name appended to relative names; NULL means the root.
 * [out] out: DZ_DNAME_MAX bytes; *outlen its length (root = 1).
 * [out] flags: DZ_DNAME_F_* (may be NULL).
 * Returns 0, or DZ_EDNAME with *why set to a static phrase: "empty label",
 * "label longer than 63 octets", "name longer than 255 octets",
 * "whitespace or control character", "bad escape".
 * Case is preserved. Not for the hot path.
 */
int dz_dname_from_text(const char *text, size_t len, const uint8_t *origin,
		       uint8_t *out, size_t *outlen, unsigned *flags,
		       const char **why);

/*
 * Write the name as text with a trailing dot (root: "."), escaping
 * non-printable octets and dots inside labels as \DDD / "\.".
 * Always NUL-terminates when outsz > 0; returns the text length.
 */
size_t dz_dname_to_text(const uint8_t *name, char *out, size_t outsz);

/* Length of a valid wire name including the root byte. */
size_t dz_dname_len(const uint8_t *name);

/* Number of labels, not counting the root (root = 0). */
unsigned dz_dname_labels(const uint8_t *name);

/* ASCII lower case of eight octets at once (octets >= 0x80 kept). */
static inline uint64_t dz_lower8(uint64_t w)
{
	const uint64_t hi = 0x8080808080808080ull;
	uint64_t h7 = w & ~hi;
	uint64_t ge_a = h7 + 0x3f3f3f3f3f3f3f3full; /* >= 'A' */
	uint64_t gt_z = h7 + 0x2525252525252525ull; /* > 'Z' */

	return w | ((ge_a & ~gt_z & ~w & hi) >> 2);
}

/* Lower-case ASCII letters in place. Hot-path safe. */
void dz_dname_tolower(uint8_t *name);

/* Case-insensitive equality of two wire names. Hot-path safe. */
bool dz_dname_equal(const uint8_t *a, const uint8_t *b);

/* True when name equals parent or lies below it (case-insensitive). */
bool dz_dname_is_subdomain(const uint8_t *name, const uint8_t *parent);

/*
 * Validate a wire name inside a buffer: labels <= 63, total <= 255, no
 * compression pointers. Returns the length, or 0 when invalid or when it
 * runs past end. Hot-path safe.
 */
size_t dz_dname_check(const uint8_t *name, const uint8_t *end);

/* Canonical DNS ordering (RFC 4034 6.1) of two lower-case wire names. */
int dz_dname_cmp_canonical(const uint8_t *a, const uint8_t *b);
