/* SPDX-License-Identifier: MIT */
/* ypack.c -- YAML trees packed into a few bytes, and unpacked on demand. */
#include <pthread.h>
#include <string.h>

#include "manifest/yaml.h"

/*
 * A loaded object keeps its spec packed: a parsed tree costs 32 bytes a
 * node plus 16-byte-rounded strings, a packed one about a byte a node
 * plus its text. Block YAML is predictable, so positions are mostly not
 * stored at all: each node has a guessed line:col (below), and its tag
 * says whether the guess is right. The packed form, node by node in
 * document order:
 *
 *   tag      bits 0-1: 0 a word (a scalar from words[]), else the type;
 *            bit 2: quoted; bit 3: line as guessed; bit 4: col as
 *            guessed; bits 5-7: "small" (below)
 *   line     unless guessed: zigzag varint, the line minus the guess
 *   col      unless guessed: zigzag varint, the col minus the guess
 *   word     small 0-6: words[small]; 7: a byte, the index
 *   scalar   small 0-5: the length; 6: varint length; 7: length >= 6,
 *            no NUL inside (strlen); then the text and a NUL
 *   seq/map  small 0-6: the count; 7: varint count; then the items, or
 *            key and value of each pair
 *
 * A map's key is one byte when it is a plain word at its guessed place
 * (the index; KEY_ESC: a node as above follows).
 *
 * The guesses, for a block map's key: the map's line:col for the first,
 * then the line after the last node so far, same col; a block sequence's
 * item: the sequence's line for the first, then the line after the last
 * node, col + 2; a map's value: a scalar (or an empty map or sequence)
 * on the key's line after "key: ", a map or sequence on the next line,
 * indented by 2 from the key. The whole tree: line 0 (so its line is
 * stored in full), col 3 (the indent under "spec:").
 *
 * Unpacked scalars point into the packed bytes (or at words[]), so a tree
 * lives as long as both its arena and the packed bytes. The nodes of a
 * map or sequence are allocated together with its pair or item array.
 */

enum {
	TAG_TYPE = 3,
	TAG_WORD = 0,
	TAG_QUOTED = 1 << 2,
	TAG_LINE = 1 << 3,
	TAG_COL = 1 << 4,
	TAG_SHIFT = 5,
	SMALL_MAX = 7,  /* small: count or index follows */
	SMALL_VLEN = 6, /* scalar small: varint length follows */
	SMALL_STRLEN = 7, /* scalar small: NUL-terminated, length >= 6 */
	KEY_ESC = 0xff,
};

struct word {
	const char *s;
	uint8_t len;
};

#define W(x) { x, sizeof(x) - 1 }

/*
 * Keys the bindy kinds read and values they often have: a byte each
 * instead of their text. The first SMALL_MAX fit in a value's tag. Append
 * only: a reordering is harmless (the bytes live in memory only) but
 * needless.
 */
static const struct word words[] = {
	/* values in the tag: TTLs and MX priorities */
	W("3600"), W("300"), W("10"), W("20"), W("86400"), W("60"), W("0"),
	/* keys */
	W("zoneRef"), W("zone"), W("name"), W("ttl"), W("ipv4Address"),
	W("ipv4Addresses"), W("ipv6Address"), W("ipv6Addresses"),
	W("mailServer"), W("priority"), W("target"), W("port"), W("weight"),
	W("text"), W("nameserver"), W("flags"), W("tag"), W("value"),
	W("zoneName"), W("soaRecord"), W("primaryNs"), W("adminEmail"),
	W("serial"), W("refresh"), W("retry"), W("expire"), W("negativeTtl"),
	W("nameServers"), W("nameServerIps"), W("recordsFrom"),
	W("selector"), W("matchLabels"), W("matchExpressions"), W("key"),
	W("operator"), W("values"), W("hostname"),
	/* more values */
	W("600"), W("1800"), W("7200"), W("120"), W("900"), W("43200"),
	W("604800"), W("1209600"), W("1"), W("5"), W("30"), W("40"), W("50"),
	W("100"), W("25"), W("53"), W("80"), W("443"), W("issue"),
	W("issuewild"), W("iodef"), W("In"), W("NotIn"), W("Exists"),
	W("DoesNotExist"), W("true"), W("false"), W("app"),
};

#define NWORDS (sizeof(words) / sizeof(words[0]))
#define WORD_MAXLEN 16
#define HSIZE 256 /* > 2 * NWORDS: short probes */

_Static_assert(NWORDS < KEY_ESC, "a key byte holds a word index");
_Static_assert(DZ_YNODE_SCALAR == 1 && DZ_YNODE_SEQ == 2 &&
	       DZ_YNODE_MAP == 3, "a type fits in TAG_TYPE, 0 is free");

/* words[] by hash: index + 1, 0 empty (built once, then read-only). */
static uint8_t whash[HSIZE];
static pthread_once_t whash_once = PTHREAD_ONCE_INIT;

static unsigned word_hash(const char *s, size_t len)
{
	unsigned h = (unsigned)len * 7u + (uint8_t)s[0] * 31u +
		     (uint8_t)s[len - 1] * 131u + (uint8_t)s[len / 2];

	return h & (HSIZE - 1);
}

static void whash_build(void)
{
	for (size_t i = 0; i < NWORDS; i++) {
		unsigned h = word_hash(words[i].s, words[i].len);
		while (whash[h] != 0) {
			h = (h + 1) & (HSIZE - 1);
		}
		whash[h] = (uint8_t)(i + 1);
	}
}

/* The index of the scalar n in words[], or -1. */
static int word_index(const struct dz_ynode *n)
{
	if (n->type != DZ_YNODE_SCALAR || n->len == 0 ||
	    n->len > WORD_MAXLEN) {
		return -1;
	}
	for (unsigned h = word_hash(n->u.str, n->len);; h = (h + 1) &
							   (HSIZE - 1)) {
		unsigned i = whash[h];
		if (i == 0) {
			return -1;
		}
		if (words[i - 1].len == n->len &&
		    memcmp(words[i - 1].s, n->u.str, n->len) == 0) {
			return (int)i - 1;
		}
	}
}

/* Where a node is expected: as a scalar (or an empty map or sequence),
 * and as a map or sequence with items (block style). */
struct guess {
	int64_t line, col;
	int64_t bline, bcol;
};

static void guess_at(struct guess *g, int64_t line, int64_t col)
{
	g->line = g->bline = line;
	g->col = g->bcol = col;
}

/* The guess for the value of key k. */
static void guess_value(struct guess *g, const struct dz_ynode *k)
{
	g->line = k->line;
	g->col = (int64_t)k->col + (int64_t)k->len + 2 + (k->quoted ? 2 : 0);
	g->bline = (int64_t)k->line + 1;
	g->bcol = (int64_t)k->col + 2;
}

static uint64_t zigzag(int64_t d)
{
	return ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
}

/* ---- packing ----------------------------------------------------------- */

struct writer {
	uint8_t *out;   /* the first cap bytes are written, all counted */
	size_t cap;
	size_t len;
	uint32_t line;  /* of the last node */
};

static void put_byte(struct writer *w, uint8_t b)
{
	if (w->len < w->cap) {
		w->out[w->len] = b;
	}
	w->len++;
}

static void put_bytes(struct writer *w, const void *p, size_t n)
{
	if (n <= w->cap && w->len <= w->cap - n) {
		memcpy(w->out + w->len, p, n);
	}
	w->len += n;
}

static void put_varint(struct writer *w, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_byte(w, (uint8_t)v);
}

/* The "small" of a scalar's tag. */
static unsigned scalar_small(const struct dz_ynode *n)
{
	if (n->len < SMALL_VLEN) {
		return (unsigned)n->len;
	}
	return strlen(n->u.str) == n->len ? SMALL_STRLEN : SMALL_VLEN;
}

static void pack(struct writer *w, const struct dz_ynode *n,
		 const struct guess *g);

static void pack_items(struct writer *w, const struct dz_ynode *n)
{
	struct guess g;

	if (n->type == DZ_YNODE_SEQ) {
		for (size_t i = 0; i < n->len; i++) {
			guess_at(&g, i ? (int64_t)w->line + 1 : n->line,
				 (int64_t)n->col + 2);
			pack(w, n->u.items[i], &g);
		}
		return;
	}
	for (size_t i = 0; i < n->len; i++) {
		const struct dz_ynode *k = n->u.pairs[i].key;
		int64_t line = i ? (int64_t)w->line + 1 : n->line;
		int wi = k->quoted ? -1 : word_index(k);

		if (wi >= 0 && k->line == line && k->col == n->col) {
			put_byte(w, (uint8_t)wi);
			w->line = k->line;
		} else {
			put_byte(w, KEY_ESC);
			guess_at(&g, line, n->col);
			pack(w, k, &g);
		}
		guess_value(&g, k);
		pack(w, n->u.pairs[i].value, &g);
	}
}

static void pack(struct writer *w, const struct dz_ynode *n,
		 const struct guess *g)
{
	int wi = word_index(n);
	unsigned type = wi >= 0 ? TAG_WORD : (unsigned)n->type;
	unsigned small;
	bool block = n->type != DZ_YNODE_SCALAR && n->len > 0;
	int64_t gl = block ? g->bline : g->line;
	int64_t gc = block ? g->bcol : g->col;
	uint8_t tag;

	if (wi >= 0) {
		small = wi < SMALL_MAX ? (unsigned)wi : SMALL_MAX;
	} else if (n->type == DZ_YNODE_SCALAR) {
		small = scalar_small(n);
	} else {
		small = n->len < SMALL_MAX ? (unsigned)n->len : SMALL_MAX;
	}
	tag = (uint8_t)(type | (n->quoted ? TAG_QUOTED : 0) |
			(n->line == gl ? TAG_LINE : 0) |
			(n->col == gc ? TAG_COL : 0) | small << TAG_SHIFT);
	put_byte(w, tag);
	if (n->line != gl) {
		put_varint(w, zigzag((int64_t)n->line - gl));
	}
	if (n->col != gc) {
		put_varint(w, zigzag((int64_t)n->col - gc));
	}
	w->line = n->line;
	if (wi >= 0) {
		if (small == SMALL_MAX) {
			put_byte(w, (uint8_t)wi);
		}
		return;
	}
	if (n->type != DZ_YNODE_SCALAR) {
		if (small == SMALL_MAX) {
			put_varint(w, n->len);
		}
		pack_items(w, n);
		return;
	}
	if (small == SMALL_VLEN) {
		put_varint(w, n->len);
	}
	put_bytes(w, n->u.str, n->len + 1);
}

/* Where the whole tree is guessed: its line is stored in full. */
static const struct guess root_guess = { 0, 3, 0, 3 };

const uint8_t *dz_ynode_pack(struct dz_arena *a, const struct dz_ynode *n)
{
	/* Most specs fit: packed once, then copied. */
	uint8_t buf[512];
	struct writer w = { .out = buf, .cap = sizeof(buf) };
	uint8_t *out;

	if (n == NULL) {
		return NULL;
	}
	pthread_once(&whash_once, whash_build);
	pack(&w, n, &root_guess);
	if (w.len <= w.cap) {
		return dz_arena_bytes(a, buf, w.len);
	}
	out = dz_arena_alloc_raw(a, w.len);
	if (out == NULL) {
		return NULL;
	}
	w = (struct writer){ .out = out, .cap = w.len };
	pack(&w, n, &root_guess);
	return out;
}

/* ---- unpacking --------------------------------------------------------- */

struct reader {
	const uint8_t *p;
	struct dz_arena *a;
	uint32_t line; /* of the last node */
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

static int64_t get_zigzag(struct reader *r)
{
	uint64_t v = get_varint(r);

	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void unpack(struct reader *r, struct dz_ynode *n,
		   const struct guess *g);

/* Room for the n->len items of n, each bytes (the array and the nodes
 * together); on OOM n is left empty and the reading stops. */
static void *take(struct reader *r, struct dz_ynode *n, size_t each)
{
	void *p = dz_arena_alloc_raw(r->a, n->len ? n->len * each : 1);

	if (p == NULL) {
		r->nomem = true;
		n->len = 0;
	}
	return p;
}

static void unpack_seq(struct reader *r, struct dz_ynode *n)
{
	struct dz_ynode **items, *nodes;
	struct guess g;

	items = take(r, n, sizeof(*items) + sizeof(*nodes));
	n->u.items = items;
	nodes = (struct dz_ynode *)(items + n->len);
	for (size_t i = 0; i < n->len && !r->nomem; i++) {
		guess_at(&g, i ? (int64_t)r->line + 1 : n->line,
			 (int64_t)n->col + 2);
		items[i] = &nodes[i];
		unpack(r, &nodes[i], &g);
	}
}

static void unpack_map(struct reader *r, struct dz_ynode *n)
{
	struct dz_ypair *pairs;
	struct dz_ynode *nodes;
	struct guess g;

	pairs = take(r, n, sizeof(*pairs) + 2 * sizeof(*nodes));
	n->u.pairs = pairs;
	nodes = (struct dz_ynode *)(pairs + n->len);
	for (size_t i = 0; i < n->len && !r->nomem; i++) {
		struct dz_ynode *k = &nodes[2 * i];
		uint8_t b = *r->p++;
		pairs[i].key = k;
		pairs[i].value = k + 1;
		if (b != KEY_ESC) {
			k->type = DZ_YNODE_SCALAR;
			k->quoted = false;
			k->line = i ? r->line + 1 : n->line;
			k->col = n->col;
			k->u.str = words[b].s;
			k->len = words[b].len;
			r->line = k->line;
		} else {
			guess_at(&g, i ? (int64_t)r->line + 1 : n->line,
				 n->col);
			unpack(r, k, &g);
		}
		guess_value(&g, k);
		unpack(r, k + 1, &g);
	}
}

static void unpack(struct reader *r, struct dz_ynode *n,
		   const struct guess *g)
{
	uint8_t tag = *r->p++;
	unsigned type = tag & TAG_TYPE, small = tag >> TAG_SHIFT;
	bool block = type > DZ_YNODE_SCALAR && small != 0;
	int64_t line = block ? g->bline : g->line;
	int64_t col = block ? g->bcol : g->col;

	if (!(tag & TAG_LINE)) {
		line += get_zigzag(r);
	}
	if (!(tag & TAG_COL)) {
		col += get_zigzag(r);
	}
	n->line = r->line = (uint32_t)line;
	n->col = (uint32_t)col;
	n->quoted = (tag & TAG_QUOTED) != 0;
	if (type == TAG_WORD) {
		const struct word *wd = &words[small < SMALL_MAX ? small
								 : *r->p++];
		n->type = DZ_YNODE_SCALAR;
		n->u.str = wd->s;
		n->len = wd->len;
		return;
	}
	n->type = (enum dz_ynode_type)type;
	if (type == DZ_YNODE_SCALAR) {
		if (small == SMALL_VLEN) {
			n->len = (size_t)get_varint(r);
		}
		n->u.str = (const char *)r->p;
		if (small < SMALL_VLEN) {
			n->len = small;
		} else if (small == SMALL_STRLEN) {
			n->len = strlen(n->u.str);
		}
		r->p += n->len + 1;
		return;
	}
	n->len = small < SMALL_MAX ? small : (size_t)get_varint(r);
	if (type == DZ_YNODE_SEQ) {
		unpack_seq(r, n);
	} else {
		unpack_map(r, n);
	}
}

const struct dz_ynode *dz_ynode_unpack(struct dz_arena *a, const uint8_t *p)
{
	struct reader r = { .p = p, .a = a };
	struct dz_ynode *n;

	if (p == NULL) {
		return NULL;
	}
	n = dz_arena_alloc_raw(a, sizeof(*n));
	if (n == NULL) {
		return NULL;
	}
	unpack(&r, n, &root_guess);
	return r.nomem ? NULL : n;
}
