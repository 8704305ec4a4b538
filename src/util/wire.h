/* SPDX-License-Identifier: MIT */
/* wire.h -- bounded cursor over a byte buffer with a sticky error. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Writes and reads never go past cap. The first overflow sets err and every
 * later call is a no-op, so a sequence of writes is checked once at the end
 * (the caller then sets TC, or reports the error). Hot-path safe: no
 * allocation, all inline.
 */
struct dz_wire {
	uint8_t *buf;
	size_t cap;
	size_t pos;
	bool err;
};

static inline void dz_wire_init(struct dz_wire *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->pos = 0;
	w->err = false;
}

static inline size_t dz_wire_left(const struct dz_wire *w)
{
	return w->err ? 0 : w->cap - w->pos;
}

static inline bool dz_wire_reserve(struct dz_wire *w, size_t n)
{
	if (w->err || w->cap - w->pos < n) {
		w->err = true;
		return false;
	}
	return true;
}

static inline void dz_wire_put_u8(struct dz_wire *w, uint8_t v)
{
	if (dz_wire_reserve(w, 1)) {
		w->buf[w->pos++] = v;
	}
}

static inline void dz_wire_put_u16(struct dz_wire *w, uint16_t v)
{
	if (dz_wire_reserve(w, 2)) {
		w->buf[w->pos++] = (uint8_t)(v >> 8);
		w->buf[w->pos++] = (uint8_t)v;
	}
}

static inline void dz_wire_put_u32(struct dz_wire *w, uint32_t v)
{
	if (dz_wire_reserve(w, 4)) {
		w->buf[w->pos++] = (uint8_t)(v >> 24);
		w->buf[w->pos++] = (uint8_t)(v >> 16);
		w->buf[w->pos++] = (uint8_t)(v >> 8);
		w->buf[w->pos++] = (uint8_t)v;
	}
}

static inline void dz_wire_put_bytes(struct dz_wire *w, const void *p, size_t n)
{
	if (dz_wire_reserve(w, n)) {
		memcpy(w->buf + w->pos, p, n);
		w->pos += n;
	}
}

/* Big-endian loads from a buffer the caller has bounds-checked. */
static inline uint16_t dz_wire_get_u16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t dz_wire_get_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void dz_wire_set_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ASCII lower case of one octet (DNS names compare case-insensitively). */
static inline uint8_t dz_wire_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/*
 * Does the name at off in a message we wrote (compression pointers
 * allowed, and trusted: ours) equal the uncompressed wire name s,
 * ignoring case? Hot-path safe.
 */
static inline bool dz_wire_name_eq(const uint8_t *pkt, size_t off,
				   const uint8_t *s)
{
	for (int hops = 0; hops < 128;) {
		uint8_t l = pkt[off];
		if ((l & 0xc0) == 0xc0) {
			off = ((size_t)(l & 0x3f) << 8) | pkt[off + 1];
			hops++;
			continue;
		}
		if (l != s[0]) {
			return false;
		}
		if (l == 0) {
			return true;
		}
		for (uint8_t k = 1; k <= l; k++) {
			if (dz_wire_lower(pkt[off + k]) !=
			    dz_wire_lower(s[k])) {
				return false;
			}
		}
		off += (size_t)l + 1;
		s += l + 1;
	}
	return false;
}
