/* SPDX-License-Identifier: MIT */
/* ypack.c -- YAML trees packed into a few bytes, and unpacked on demand. */
#include <string.h>

#include "manifest/yaml.h"

/*
 * A loaded object keeps its spec packed: a parsed tree costs about 40
 * bytes a node plus 16-byte-rounded strings, a packed one a byte or two a
 * node plus its text. The packed form, node by node in document order:
 *
 *   tag      type (bits 0-1), quoted (bit 2), common key (bit 3)
 *   line     zigzag varint: the line minus the previous node's
 *   col      varint
 *   scalar   common key: one byte, its index in keys[];
 *            else varint length, the text, a NUL
 *   seq      varint count, the items
 *   map      varint count, then key and value of each pair
 *
 * Unpacked scalars point into the packed bytes (or at keys[]), so a tree
 * lives as long as both its arena and the packed bytes.
 */

enum {
	TAG_TYPE = 3,
	TAG_QUOTED = 1 << 2,
	TAG_KEY = 1 << 3,
};

/* Keys the bindy kinds use: one byte each instead of their text. */
static const char *const keys[] = {
	"zoneRef", "zone", "name", "ttl", "ipv4Address", "ipv4Addresses",
	"ipv6Address", "ipv6Addresses", "mailServer", "priority", "target",
	"port", "weight", "text", "nameserver", "flags", "tag", "value",
	"zoneName", "soaRecord", "primaryNs", "adminEmail", "serial",
	"refresh", "retry", "expire", "negativeTtl", "nameServers",
	"nameServerIps", "recordsFrom", "selector", "matchLabels",
	"matchExpressions", "key", "operator", "values", "hostname",
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct writer {
	uint8_t *out;   /* NULL: only count */
	size_t len;
	uint32_t line;  /* of the previous node */
};

static void put_byte(struct writer *w, uint8_t b)
{
	if (w->out != NULL) {
		w->out[w->len] = b;
	}
	w->len++;
}

static void put_varint(struct writer *w, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_byte(w, (uint8_t)v);
}

static int key_index(const char *s)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i], s) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static void pack(struct writer *w, const struct dz_ynode *n, bool is_key)
{
	int64_t dl = (int64_t)n->line - (int64_t)w->line;
	uint8_t tag = (uint8_t)n->type | (n->quoted ? TAG_QUOTED : 0);
	int k = is_key && n->type == DZ_YNODE_SCALAR ? key_index(n->u.str) : -1;

	if (k >= 0) {
		tag |= TAG_KEY;
	}
	put_byte(w, tag);
	/* zigzag: small deltas of either sign in one byte (an alias
	 * repeats an earlier node: its line goes back) */
	put_varint(w, ((uint64_t)dl << 1) ^ (uint64_t)(dl >> 63));
	put_varint(w, n->col);
	w->line = n->line;
	switch (n->type) {
	case DZ_YNODE_SCALAR:
		if (k >= 0) {
			put_byte(w, (uint8_t)k);
			return;
		}
		put_varint(w, n->len);
		for (size_t i = 0; i <= n->len; i++) {
			put_byte(w, (uint8_t)n->u.str[i]);
		}
		return;
	case DZ_YNODE_SEQ:
		put_varint(w, n->len);
		for (size_t i = 0; i < n->len; i++) {
			pack(w, n->u.items[i], false);
		}
		return;
	case DZ_YNODE_MAP:
		put_varint(w, n->len);
		for (size_t i = 0; i < n->len; i++) {
			pack(w, n->u.pairs[i].key, true);
			pack(w, n->u.pairs[i].value, false);
		}
		return;
	}
}

const uint8_t *dz_ynode_pack(struct dz_arena *a, const struct dz_ynode *n)
{
	struct writer w = { 0 };

	if (n == NULL) {
		return NULL;
	}
	pack(&w, n, false);
	w.out = dz_arena_alloc_raw(a, w.len);
	if (w.out == NULL) {
		return NULL;
	}
	w.len = 0;
	w.line = 0;
	pack(&w, n, false);
	return w.out;
}

struct reader {
	const uint8_t *p;
	struct dz_arena *a;
	uint32_t line;
	bool nomem;
};

static uint64_t get_varint(struct reader *r)
{
	uint64_t v = 0;

	for (unsigned shift = 0;; shift += 7) {
		uint8_t b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			return v;
		}
	}
}

static struct dz_ynode *unpack(struct reader *r)
{
	struct dz_ynode *n;
	uint8_t tag;
	uint64_t zz;

	/* After a failed allocation the rest is not read at all. */
	if (r->nomem ||
	    (n = dz_arena_alloc_raw(r->a, sizeof(*n))) == NULL) {
		r->nomem = true;
		return NULL;
	}
	tag = *r->p++;
	zz = get_varint(r);
	r->line = (uint32_t)((int64_t)r->line +
			     (int64_t)((zz >> 1) ^ (~(zz & 1) + 1)));
	n->line = r->line;
	n->col = (uint32_t)get_varint(r);
	n->type = (enum dz_ynode_type)(tag & TAG_TYPE);
	n->quoted = (tag & TAG_QUOTED) != 0;
	if (n->type == DZ_YNODE_SCALAR && (tag & TAG_KEY)) {
		uint8_t k = *r->p++;
		n->u.str = k < NKEYS ? keys[k] : "";
		n->len = strlen(n->u.str);
		return n;
	}
	n->len = (size_t)get_varint(r);
	switch (n->type) {
	case DZ_YNODE_SCALAR:
		n->u.str = (const char *)r->p;
		r->p += n->len + 1;
		break;
	case DZ_YNODE_SEQ:
		n->u.items = dz_arena_alloc_raw(r->a, (n->len ? n->len : 1) *
						sizeof(*n->u.items));
		if (n->u.items == NULL) {
			r->nomem = true;
			n->len = 0;
		}
		for (size_t i = 0; i < n->len; i++) {
			n->u.items[i] = unpack(r);
		}
		break;
	case DZ_YNODE_MAP:
		n->u.pairs = dz_arena_alloc_raw(r->a, (n->len ? n->len : 1) *
						sizeof(*n->u.pairs));
		if (n->u.pairs == NULL) {
			r->nomem = true;
			n->len = 0;
		}
		for (size_t i = 0; i < n->len; i++) {
			n->u.pairs[i].key = unpack(r);
			n->u.pairs[i].value = unpack(r);
		}
		break;
	}
	return n;
}

const struct dz_ynode *dz_ynode_unpack(struct dz_arena *a, const uint8_t *p)
{
	struct reader r = { .p = p, .a = a };
	const struct dz_ynode *n;

	if (p == NULL) {
		return NULL;
	}
	n = unpack(&r);
	return r.nomem ? NULL : n;
}
