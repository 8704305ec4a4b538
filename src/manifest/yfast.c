/* SPDX-License-Identifier: MIT */
/* yfast.c -- a fast parser for the block YAML that Kubernetes tools write. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/yaml.h"
#include "util/errcode.h"
#include "util/hex.h"

/*
 * The subset, line by line: comments, blank lines, "---" and "..." alone
 * at column 0, "key: scalar", "key:" followed by a nested block, "- scalar",
 * "- key: ..." and indentless sequences. Scalars are plain, single-quoted
 * or double-quoted, on one line. Everything else (and every input that
 * libyaml or yaml.c would warn about or refuse) is declined with
 * DZ_EAGAIN so that the libyaml path parses it and reports the problem.
 * The result must be exactly what yaml.c builds from libyaml's events:
 * tests/unit/test_yfast.c and tests/fuzz/fuzz_yfast.c compare the two.
 */

bool dz_yaml_fast_enabled = true;

/* Simple keys longer than 1024 characters are not keys for libyaml. */
#define KEY_MAX 1000
/* Nesting is bounded by the line width anyway; stay far from any limit. */
#define DEPTH_MAX 256

enum blk_type { BLK_MAP, BLK_SEQ, BLK_ISEQ /* indentless sequence */ };

/* One open block collection. */
struct blk {
	struct dz_ynode *node;
	size_t first; /* its children start at pend[first] */
	uint32_t col; /* 0-based column of its keys or dashes */
	enum blk_type type;
};

struct fp {
	const char *buf, *end;
	const char *ls;  /* start of the current line */
	uint32_t line;   /* 1-based number of the current line */
	bool ascii;      /* no byte >= 0x80: columns are byte offsets */
	const struct dz_yaml_limits *lim;
	struct dz_arena *arena;
	size_t nodes;

	struct blk *stk;
	unsigned depth, maxdepth;
	struct dz_ynode **pend;
	size_t npend, cappend;

	struct dz_ydoc *docs;
	size_t ndocs, capdocs;
	bool indoc;   /* a document is open */
	bool ended;   /* "..." seen: only "---" or the end may follow */
	bool await;   /* the top map's last key waits for a nested block */
};

/* ---- characters ---------------------------------------------------------- */

/* Byte classes: printable ASCII that may start a plain scalar, other
 * printable ASCII, and the rest (line breaks, controls, UTF-8). */
enum { C_OTHER = 0, C_TEXT = 1, C_PLAIN = 3 };

#define R4(x) x, x, x, x
#define R16(x) R4(x), R4(x), R4(x), R4(x)
static const uint8_t cls[256] = {
	R16(C_OTHER), R16(C_OTHER),
	/* ' ' ! " # $ % & ' ( ) * + , - . / */
	C_TEXT, C_TEXT, C_TEXT, C_TEXT, C_PLAIN, C_TEXT, C_TEXT, C_TEXT,
	C_PLAIN, C_PLAIN, C_TEXT, C_PLAIN, C_TEXT, C_TEXT, C_PLAIN, C_PLAIN,
	/* 0-9 : ; < = > ? */
	R4(C_PLAIN), R4(C_PLAIN), C_PLAIN, C_PLAIN, C_TEXT, C_PLAIN,
	C_PLAIN, C_PLAIN, C_TEXT, C_TEXT,
	/* @ A-O */
	C_TEXT, C_PLAIN, C_PLAIN, C_PLAIN, R4(C_PLAIN), R4(C_PLAIN),
	R4(C_PLAIN),
	/* P-Z [ \ ] ^ _ */
	R4(C_PLAIN), R4(C_PLAIN), C_PLAIN, C_PLAIN, C_PLAIN, C_TEXT,
	C_PLAIN, C_TEXT, C_PLAIN, C_PLAIN,
	/* ` a-o */
	C_TEXT, C_PLAIN, C_PLAIN, C_PLAIN, R4(C_PLAIN), R4(C_PLAIN),
	R4(C_PLAIN),
	/* p-z { | } ~ DEL */
	R4(C_PLAIN), R4(C_PLAIN), C_PLAIN, C_PLAIN, C_PLAIN, C_TEXT,
	C_TEXT, C_TEXT, C_PLAIN, C_OTHER,
	R16(C_OTHER), R16(C_OTHER), R16(C_OTHER), R16(C_OTHER),
	R16(C_OTHER), R16(C_OTHER), R16(C_OTHER), R16(C_OTHER),
};

/*
 * Whether libyaml's reader and scanner treat every character as we do:
 * printable ASCII, LF, CR only before LF, and UTF-8 without the line
 * breaks NEL, LS and PS, BOMs, C1 controls and non-characters.
 */
static bool text_ok(const unsigned char *s, size_t n, bool *ascii)
{
	const unsigned char *e = s + n;

	*ascii = true;
	while (s < e) {
		while (s < e && cls[*s] != C_OTHER) {
			s++;
		}
		if (s == e) {
			break;
		}
		unsigned c = *s;
		if (c == '\n' || (c == '\r' && s + 1 < e && s[1] == '\n')) {
			s++;
			continue;
		}
		*ascii = false;
		if (c >= 0xc2 && c <= 0xdf) {
			/* U+0080..U+009F: C1 controls and NEL */
			if (e - s < 2 || (s[1] & 0xc0) != 0x80 ||
			    (c == 0xc2 && s[1] < 0xa0)) {
				return false;
			}
			s += 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			if (e - s < 3 || (s[1] & 0xc0) != 0x80 ||
			    (s[2] & 0xc0) != 0x80) {
				return false;
			}
			uint32_t cp = (c & 0x0fu) << 12 |
				      (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
			if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) ||
			    cp == 0x2028 || cp == 0x2029 || cp == 0xfeff ||
			    cp >= 0xfffe) {
				return false;
			}
			s += 3;
		} else if (c >= 0xf0 && c <= 0xf4) {
			if (e - s < 4 || (s[1] & 0xc0) != 0x80 ||
			    (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80) {
				return false;
			}
			uint32_t cp = (c & 0x07u) << 18 |
				      (s[1] & 0x3fu) << 12 |
				      (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
			if (cp < 0x10000 || cp > 0x10ffff) {
				return false;
			}
			s += 4;
		} else {
			return false;
		}
	}
	return true;
}

/* libyaml counts columns in characters. */
static uint32_t col_of(const struct fp *f, const char *p)
{
	uint32_t col = (uint32_t)(p - f->ls);

	if (!f->ascii) {
		for (const char *q = f->ls; q < p; q++) {
			if (((unsigned char)*q & 0xc0) == 0x80) {
				col--;
			}
		}
	}
	return col;
}

/* Characters that may not start a plain scalar here (or that we leave to
 * libyaml: "-x", "?x" and ":x" are plain, but rare). */
static bool plain_start(char c)
{
	return cls[(unsigned char)c] == C_PLAIN || (unsigned char)c >= 0x80;
}

/* ---- nodes --------------------------------------------------------------- */

static int count_node(struct fp *f)
{
	if (f->nodes >= f->lim->max_nodes) {
		return DZ_EAGAIN;
	}
	f->nodes++;
	return 0;
}

static struct dz_ynode *node_new(struct fp *f, enum dz_ynode_type type,
				 uint32_t col, size_t extra)
{
	struct dz_ynode *n = dz_arena_alloc_raw(f->arena, sizeof(*n) + extra);

	if (n == NULL) {
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = f->line;
	n->col = col + 1;
	return n;
}

static int push(struct fp *f, struct dz_ynode *n)
{
	if (f->npend == f->cappend) {
		size_t cap = f->cappend ? f->cappend * 2 : 256;
		struct dz_ynode **p = realloc(f->pend, cap * sizeof(*p));
		if (p == NULL) {
			return DZ_ENOMEM;
		}
		f->pend = p;
		f->cappend = cap;
	}
	f->pend[f->npend++] = n;
	return 0;
}

/* A scalar node holding s[0..n) (copied, NUL-terminated). */
static int scalar(struct fp *f, const char *s, size_t n, uint32_t col,
		  bool quoted)
{
	int rc = count_node(f);

	if (rc != 0) {
		return rc;
	}
	struct dz_ynode *y = node_new(f, DZ_YNODE_SCALAR, col, n + 1);
	if (y == NULL) {
		return DZ_ENOMEM;
	}
	char *str = (char *)(y + 1);
	memcpy(str, s, n);
	str[n] = '\0';
	y->u.str = str;
	y->len = n;
	y->quoted = quoted;
	return push(f, y);
}

/* Open a collection whose first key or dash is at column col. */
static int open_blk(struct fp *f, enum blk_type type, uint32_t col)
{
	int rc = count_node(f);

	if (rc != 0) {
		return rc;
	}
	if (f->depth >= f->maxdepth) {
		return DZ_EAGAIN;
	}
	struct dz_ynode *n = node_new(f, type == BLK_MAP ? DZ_YNODE_MAP :
				      DZ_YNODE_SEQ, col, 0);
	if (n == NULL) {
		return DZ_ENOMEM;
	}
	f->stk[f->depth++] = (struct blk){
		.node = n, .first = f->npend, .col = col, .type = type,
	};
	return 0;
}

static int strcmp_key(const void *a, const void *b)
{
	return strcmp((*(const struct dz_ynode *const *)a)->u.str,
		      (*(const struct dz_ynode *const *)b)->u.str);
}

/* Whether the keys kids[0], kids[2], ... (n of them) are all different:
 * yaml.c warns about a duplicate, which we leave to it. */
static int keys_unique(struct dz_ynode **kids, size_t n)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			for (size_t j = 0; j < i; j++) {
				if (kids[2 * i]->len == kids[2 * j]->len &&
				    memcmp(kids[2 * i]->u.str,
					   kids[2 * j]->u.str,
					   kids[2 * i]->len) == 0) {
					return DZ_EAGAIN;
				}
			}
		}
		return 0;
	}
	struct dz_ynode **k = malloc(n * sizeof(*k));
	int rc = 0;
	if (k == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		k[i] = kids[2 * i];
	}
	qsort(k, n, sizeof(*k), strcmp_key);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(k[i - 1]->u.str, k[i]->u.str) == 0) {
			rc = DZ_EAGAIN;
			break;
		}
	}
	free(k);
	return rc;
}

/* Close the innermost collection; it joins its parent or becomes the
 * document's root (and gives the document its line, as in yaml.c). */
static int close_blk(struct fp *f)
{
	struct blk b = f->stk[--f->depth];
	struct dz_ynode *n = b.node;
	size_t cnt = f->npend - b.first;
	struct dz_ynode **kids = f->pend + b.first;
	int rc;

	if (b.type != BLK_MAP) {
		n->len = cnt;
		n->u.items = dz_arena_memdup(f->arena, kids,
					     cnt * sizeof(*kids));
		if (n->u.items == NULL) {
			return DZ_ENOMEM;
		}
	} else {
		size_t np = cnt / 2;
		if (cnt % 2 != 0) {
			return DZ_EAGAIN; /* a key without a value */
		}
		rc = keys_unique(kids, np);
		if (rc != 0) {
			return rc;
		}
		struct dz_ypair *pairs =
			dz_arena_alloc_raw(f->arena, np * sizeof(*pairs));
		if (pairs == NULL) {
			return DZ_ENOMEM;
		}
		for (size_t i = 0; i < np; i++) {
			pairs[i].key = kids[2 * i];
			pairs[i].value = kids[2 * i + 1];
		}
		n->u.pairs = pairs;
		n->len = np;
	}
	f->npend = b.first;
	if (f->depth > 0) {
		return push(f, n);
	}
	struct dz_ydoc *d = &f->docs[f->ndocs - 1];
	d->root = n;
	d->line = n->line;
	return 0;
}

/* ---- documents ----------------------------------------------------------- */

static int doc_start(struct fp *f, uint32_t line)
{
	if (f->ndocs >= f->lim->max_documents) {
		return DZ_EAGAIN;
	}
	if (f->ndocs == f->capdocs) {
		size_t cap = f->capdocs ? f->capdocs * 2 : 16;
		struct dz_ydoc *d = realloc(f->docs, cap * sizeof(*d));
		if (d == NULL) {
			return DZ_ENOMEM;
		}
		f->docs = d;
		f->capdocs = cap;
	}
	f->docs[f->ndocs++] = (struct dz_ydoc){ .root = NULL, .line = line };
	f->indoc = true;
	return 0;
}

/*
 * End the open document at the token on line 'line' ("---", "..." or the
 * end of the stream). An empty document ("---" alone) gets libyaml's empty
 * scalar, marked at that next token: yaml.c takes its line, then drops it.
 */
static int doc_end(struct fp *f, uint32_t line)
{
	int rc;

	if (f->await) {
		return DZ_EAGAIN; /* "key:" with nothing under it */
	}
	while (f->depth > 0) {
		rc = close_blk(f);
		if (rc != 0) {
			return rc;
		}
	}
	struct dz_ydoc *d = &f->docs[f->ndocs - 1];
	f->indoc = false;
	if (d->root == NULL) {
		d->line = line;
		return count_node(f); /* that scalar counts as a node */
	}
	return 0;
}

/* ---- scalars ------------------------------------------------------------- */

/* What scan() found at a node position. */
struct tok {
	bool key;         /* a plain key: its ':' is at 'after' - 1 */
	const char *after; /* the rest of the line */
};

/* Trailing spaces are not part of a plain scalar. */
static const char *rtrim(const char *s, const char *q)
{
	while (q > s && q[-1] == ' ') {
		q--;
	}
	return q;
}

/* What may follow a quoted scalar: spaces, then the end or a comment. */
static int quoted_end(const char *q, const char *e)
{
	const char *s = q;

	while (q < e && *q == ' ') {
		q++;
	}
	if (q == e || (*q == '#' && q > s)) {
		return 0;
	}
	return DZ_EAGAIN; /* a quoted key, or garbage */
}

static int single_quoted(struct fp *f, const char *s, const char *e)
{
	const char *q = s + 1;
	size_t n = 0;
	bool esc = false;

	for (;; q++) {
		if (q == e) {
			return DZ_EAGAIN; /* multi-line */
		}
		if (*q == '\'') {
			if (q + 1 < e && q[1] == '\'') {
				esc = true;
				q++;
			} else {
				break;
			}
		}
		n++;
	}
	int rc = quoted_end(q + 1, e);
	if (rc != 0) {
		return rc;
	}
	if (!esc) {
		return scalar(f, s + 1, n, col_of(f, s), true);
	}
	char *tmp = dz_arena_alloc_raw(f->arena, n + 1);
	if (tmp == NULL) {
		return DZ_ENOMEM;
	}
	size_t k = 0;
	for (const char *p = s + 1; p < q; p++) {
		tmp[k++] = *p;
		if (*p == '\'') {
			p++;
		}
	}
	return scalar(f, tmp, k, col_of(f, s), true);
}

static size_t utf8_put(char *o, uint32_t v)
{
	if (v <= 0x7f) {
		o[0] = (char)v;
		return 1;
	}
	if (v <= 0x7ff) {
		o[0] = (char)(0xc0 | v >> 6);
		o[1] = (char)(0x80 | (v & 0x3f));
		return 2;
	}
	if (v <= 0xffff) {
		o[0] = (char)(0xe0 | v >> 12);
		o[1] = (char)(0x80 | (v >> 6 & 0x3f));
		o[2] = (char)(0x80 | (v & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | v >> 18);
	o[1] = (char)(0x80 | (v >> 12 & 0x3f));
	o[2] = (char)(0x80 | (v >> 6 & 0x3f));
	o[3] = (char)(0x80 | (v & 0x3f));
	return 4;
}

/* One escape after a backslash at *pp (pp[0] is the escape character):
 * its bytes into o; the count, or 0 to decline. */
static size_t escape(const char **pp, const char *e, char *o)
{
	const char *p = *pp;
	int digits = 0;
	uint32_t v = 0;

	switch (*p) {
	case 'a': v = 0x07; break;
	case 'b': v = 0x08; break;
	case 't': v = 0x09; break;
	case 'n': v = 0x0a; break;
	case 'v': v = 0x0b; break;
	case 'f': v = 0x0c; break;
	case 'r': v = 0x0d; break;
	case 'e': v = 0x1b; break;
	case ' ': case '"': case '/': case '\\': v = (unsigned char)*p; break;
	case 'N': v = 0x85; break;
	case '_': v = 0xa0; break;
	case 'L': v = 0x2028; break;
	case 'P': v = 0x2029; break;
	case 'x': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default: return 0; /* \0 (a NUL), '\'' and line breaks too */
	}
	for (int i = 1; i <= digits; i++) {
		int h = p + i < e ? dz_hexval(p[i]) : -1;
		if (h < 0) {
			return 0;
		}
		v = v << 4 | (uint32_t)h;
	}
	if (v == 0 || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) {
		return 0;
	}
	*pp = p + digits;
	return utf8_put(o, v);
}

static int double_quoted(struct fp *f, const char *s, const char *e)
{
	const char *q = s + 1;
	bool esc = false;

	for (;; q++) {
		if (q == e) {
			return DZ_EAGAIN; /* multi-line */
		}
		if (*q == '"') {
			break;
		}
		if (*q == '\\') {
			esc = true;
			if (++q == e) {
				return DZ_EAGAIN; /* escaped line break */
			}
		}
	}
	int rc = quoted_end(q + 1, e);
	if (rc != 0) {
		return rc;
	}
	if (!esc) {
		return scalar(f, s + 1, (size_t)(q - s - 1), col_of(f, s),
			      true);
	}
	/* \L is 2 bytes in and 3 out: no escape grows more than that */
	char *tmp = dz_arena_alloc_raw(f->arena, (size_t)(q - s) * 2);
	if (tmp == NULL) {
		return DZ_ENOMEM;
	}
	size_t k = 0;
	for (const char *p = s + 1; p < q; p++) {
		if (*p != '\\') {
			tmp[k++] = *p;
			continue;
		}
		p++;
		size_t w = escape(&p, q, tmp + k);
		if (w == 0) {
			return DZ_EAGAIN;
		}
		k += w;
	}
	return scalar(f, tmp, k, col_of(f, s), true);
}

/*
 * The node that starts at s (not a space, before e, the line's end): a
 * quoted or plain scalar, pushed, or a plain key (t->key, nothing pushed:
 * the caller opens the map first).
 */
static int scan(struct fp *f, const char *s, const char *e, struct tok *t)
{
	const char *q;

	t->key = false;
	if (*s == '\'') {
		return single_quoted(f, s, e);
	}
	if (*s == '"') {
		return double_quoted(f, s, e);
	}
	if (!plain_start(*s)) {
		return DZ_EAGAIN;
	}
	for (q = s + 1; q < e; q++) {
		if (*q == ':' && (q + 1 == e || q[1] == ' ')) {
			if (q - s > KEY_MAX) {
				return DZ_EAGAIN;
			}
			t->key = true;
			t->after = q + 1;
			return 0;
		}
		if (*q == '#' && q[-1] == ' ') {
			break;
		}
	}
	return scalar(f, s, (size_t)(rtrim(s, q) - s), col_of(f, s), false);
}

/* The key of a plain "key:" found by scan() at s. */
static int key(struct fp *f, const char *s, const struct tok *t)
{
	return scalar(f, s, (size_t)(rtrim(s, t->after - 1) - s),
		      col_of(f, s), false);
}

/* ---- lines --------------------------------------------------------------- */

/* After "key:" (its map is on top): a scalar, or nothing yet. */
static int value(struct fp *f, const char *p, const char *e)
{
	struct tok t;
	int rc;

	while (p < e && *p == ' ') {
		p++;
	}
	if (p == e || *p == '#') {
		f->await = true;
		return 0;
	}
	rc = scan(f, p, e, &t);
	if (rc == 0 && t.key) {
		rc = DZ_EAGAIN; /* "a: b: c" */
	}
	return rc;
}

/* "key: ..." at s, in the map on top. */
static int key_line(struct fp *f, const char *s, const char *e)
{
	struct tok t;
	int rc = scan(f, s, e, &t);

	if (rc == 0 && !t.key) {
		rc = DZ_EAGAIN; /* a scalar where a key belongs */
	}
	if (rc == 0) {
		rc = key(f, s, &t);
	}
	return rc != 0 ? rc : value(f, t.after, e);
}

/* "- ..." at s, in the sequence on top. */
static int entry_line(struct fp *f, const char *s, const char *e)
{
	const char *p = s + 1;
	struct tok t;
	int rc;

	while (p < e && *p == ' ') {
		p++;
	}
	if (p == e || *p == '#' || p == s + 1) {
		return DZ_EAGAIN; /* "-" alone: the node is on later lines */
	}
	rc = scan(f, p, e, &t);
	if (rc != 0 || !t.key) {
		return rc;
	}
	/* "- key: ...": a map inside the entry, at the key's column */
	rc = open_blk(f, BLK_MAP, col_of(f, p));
	if (rc == 0) {
		rc = key(f, p, &t);
	}
	return rc != 0 ? rc : value(f, t.after, e);
}

/* The collection for the block that starts on this line, at column c. */
static int open_nested(struct fp *f, uint32_t c, bool dash)
{
	struct blk *top = &f->stk[f->depth - 1];

	f->await = false;
	if (dash && c == top->col) {
		return open_blk(f, BLK_ISEQ, c);
	}
	if (c <= top->col) {
		return DZ_EAGAIN; /* "key:" with an empty value */
	}
	return open_blk(f, dash ? BLK_SEQ : BLK_MAP, c);
}

/* Close what this line's column c ends; the line must continue what is
 * left on top: a key in a map, a dash in a sequence. */
static int continue_at(struct fp *f, uint32_t c, bool dash)
{
	int rc;

	while (f->depth > 0 && f->stk[f->depth - 1].col > c) {
		rc = close_blk(f);
		if (rc != 0) {
			return rc;
		}
	}
	if (f->depth == 0) {
		return DZ_EAGAIN; /* after the root node */
	}
	struct blk *top = &f->stk[f->depth - 1];
	if (top->col != c) {
		return DZ_EAGAIN;
	}
	if (top->type == BLK_ISEQ && !dash) {
		rc = close_blk(f); /* the key belongs to the parent map */
		if (rc != 0) {
			return rc;
		}
		top = &f->stk[f->depth - 1];
	}
	return (top->type == BLK_MAP) == !dash ? 0 : DZ_EAGAIN;
}

/* A line with content at s (column c, indentation only before it). */
static int content(struct fp *f, const char *s, const char *e, uint32_t c)
{
	bool dash = *s == '-' && (s + 1 == e || s[1] == ' ');
	int rc;

	if (!f->indoc) {
		if (f->ended || f->ndocs > 0) {
			return DZ_EAGAIN; /* content after "...": an error */
		}
		rc = doc_start(f, f->line);
	} else if (f->await) {
		rc = open_nested(f, c, dash);
	} else if (f->depth == 0) {
		rc = f->docs[f->ndocs - 1].root != NULL ? DZ_EAGAIN : 0;
		if (rc == 0) {
			rc = open_blk(f, dash ? BLK_SEQ : BLK_MAP, c);
		}
	} else {
		rc = continue_at(f, c, dash);
	}
	if (rc == 0 && f->depth == 0) {
		rc = open_blk(f, dash ? BLK_SEQ : BLK_MAP, c);
	}
	if (rc != 0) {
		return rc;
	}
	return dash ? entry_line(f, s, e) : key_line(f, s, e);
}

/* "---" or "..." at column 0 followed by a blank or the end of line: a
 * document marker, which may only be followed by a comment here. */
static int marker(struct fp *f, const char *s, const char *e, bool *is)
{
	const char *p = s + 3;

	*is = e - s >= 3 && (p == e || *p == ' ') &&
	      (memcmp(s, "---", 3) == 0 || memcmp(s, "...", 3) == 0);
	if (!*is) {
		return 0;
	}
	while (p < e && *p == ' ') {
		p++;
	}
	if (p != e && *p != '#') {
		return DZ_EAGAIN; /* "--- value" */
	}
	int rc = 0;
	if (*s == '-') {
		if (f->indoc) {
			rc = doc_end(f, f->line);
		}
		f->ended = false;
		return rc != 0 ? rc : doc_start(f, f->line);
	}
	if (!f->indoc) {
		return DZ_EAGAIN; /* "..." twice, or before any document */
	}
	f->ended = true;
	return doc_end(f, f->line);
}

static int one_line(struct fp *f, const char *e)
{
	const char *s = f->ls;
	bool is;
	int rc;

	while (s < e && *s == ' ') {
		s++;
	}
	if (s == e || *s == '#') {
		return 0;
	}
	if (s == f->ls) {
		rc = marker(f, s, e, &is);
		if (rc != 0 || is) {
			return rc;
		}
	}
	return content(f, s, e, (uint32_t)(s - f->ls));
}

static int run(struct fp *f)
{
	int rc = 0;

	while (f->ls < f->end) {
		const char *nl = memchr(f->ls, '\n', (size_t)(f->end - f->ls));
		const char *e = nl != NULL ? nl : f->end;
		if (e > f->ls && e[-1] == '\r') {
			e--;
		}
		rc = one_line(f, e);
		if (rc != 0) {
			return rc;
		}
		if (nl == NULL) {
			/* libyaml moves its end mark to the next line */
			f->ls = f->end;
			f->line++;
			break;
		}
		f->ls = nl + 1;
		f->line++;
	}
	if (f->indoc) {
		rc = doc_end(f, f->line);
	}
	return rc;
}

int dz_yaml_fast_parse(const char *buf, size_t len,
		       const struct dz_yaml_limits *lim,
		       struct dz_arena *arena, struct dz_ydoc **docs,
		       size_t *ndocs)
{
	struct fp f = {
		.buf = buf, .end = buf + len, .ls = buf, .line = 1,
		.lim = lim, .arena = arena,
	};
	int rc = DZ_EAGAIN;

	*docs = NULL;
	*ndocs = 0;
	if (len > lim->max_file_bytes ||
	    !text_ok((const unsigned char *)buf, len, &f.ascii)) {
		goto out;
	}
	f.maxdepth = lim->max_depth < DEPTH_MAX ? lim->max_depth : DEPTH_MAX;
	f.stk = malloc(((size_t)f.maxdepth + 1) * sizeof(*f.stk));
	if (f.stk == NULL) {
		rc = DZ_ENOMEM;
		goto out;
	}
	rc = run(&f);
	if (rc == 0 && f.ndocs > 0) {
		*docs = dz_arena_memdup(arena, f.docs,
					f.ndocs * sizeof(*f.docs));
		if (*docs == NULL) {
			rc = DZ_ENOMEM;
			goto out;
		}
		*ndocs = f.ndocs;
	}
out:
	free(f.stk);
	free(f.pend);
	free(f.docs);
	return rc;
}
