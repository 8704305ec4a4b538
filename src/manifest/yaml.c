/* SPDX-License-Identifier: MIT */
/* yaml.c -- libyaml events to a tree of nodes that remember file positions. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "manifest/yaml.h"
#include "util/errcode.h"

#define STR_TAG "tag:yaml.org,2002:str"

/* An anchored node: what an alias shares, and how much it expands to. */
struct anchor {
	const char *name;
	struct dz_ynode *node;
	size_t size; /* nodes in its subtree, aliases expanded (saturated) */
	bool open;   /* collection not closed yet: an alias would loop */
};

/* One open collection. */
struct frame {
	struct dz_ynode *node;
	size_t first; /* its children start at pend[first] */
	size_t size;  /* subtree size so far, itself included */
	long anchor;  /* index in anchors, or -1 */
};

/* Parser state for one file. */
struct yp {
	const struct dz_yaml_limits *lim;
	struct dz_arena *arena;
	struct dz_diags *diags;
	const char *display;
	const char *buf;
	size_t len;
	int rc; /* first failure; parsing stops when set */

	struct frame *stack; /* max_depth entries */
	unsigned depth;

	/* Children of every open collection, innermost last. */
	struct dz_ynode **pend;
	size_t npend, cappend;

	/* Anchors of the current document and a hash index over them
	 * (anchors are unbounded, so no linear search). */
	struct anchor *anchors;
	size_t nanchors, capanchors;
	size_t *slots; /* index + 1; 0 is empty */
	size_t nslots;

	struct dz_ydoc *docs;
	size_t ndocs, capdocs;
	size_t nodes; /* expanded node count of the file */
};

void dz_yaml_limits_default(struct dz_yaml_limits *l)
{
	l->max_file_bytes = 16u * 1024 * 1024;
	l->max_depth = 64;
	l->max_nodes = 1000000;
	l->max_documents = 100000;
}

static void yerr(struct yp *p, int rc, uint32_t line, uint32_t col,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void yerr(struct yp *p, int rc, uint32_t line, uint32_t col,
		 const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dz_diags_add(p->diags, DZ_SEV_ERROR, p->display, line, col, "%s",
		     msg);
	if (p->rc == 0) {
		p->rc = rc;
	}
}

static void nomem(struct yp *p)
{
	if (p->rc == 0) {
		p->rc = DZ_ENOMEM;
	}
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap) {
		return 0;
	}
	size_t ncap = *cap ? *cap * 2 : 16;
	while (ncap < need) {
		ncap *= 2;
	}
	void *n = realloc(*arr, ncap * elem);
	if (n == NULL) {
		return DZ_ENOMEM;
	}
	*arr = n;
	*cap = ncap;
	return 0;
}

/* ---- anchors ------------------------------------------------------------ */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++) {
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	}
	return h;
}

static void anchors_reset(struct yp *p)
{
	p->nanchors = 0;
	if (p->slots != NULL) {
		memset(p->slots, 0, p->nslots * sizeof(*p->slots));
	}
}

static struct anchor *anchor_find(struct yp *p, const char *name)
{
	if (p->nslots == 0) {
		return NULL;
	}
	size_t mask = p->nslots - 1;
	for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
		if (p->slots[i] == 0) {
			return NULL;
		}
		struct anchor *a = &p->anchors[p->slots[i] - 1];
		if (strcmp(a->name, name) == 0) {
			return a;
		}
	}
}

/* Put index idx (0-based) in the table, replacing an anchor of that name. */
static void slot_put(struct yp *p, size_t idx)
{
	size_t mask = p->nslots - 1;
	const char *name = p->anchors[idx].name;

	for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
		if (p->slots[i] == 0 ||
		    strcmp(p->anchors[p->slots[i] - 1].name, name) == 0) {
			p->slots[i] = idx + 1;
			return;
		}
	}
}

static int slots_grow(struct yp *p)
{
	size_t n = p->nslots ? p->nslots * 2 : 64;
	size_t *s = calloc(n, sizeof(*s));

	if (s == NULL) {
		return DZ_ENOMEM;
	}
	free(p->slots);
	p->slots = s;
	p->nslots = n;
	/* Re-insert in definition order so redefinitions still win. */
	for (size_t i = 0; i < p->nanchors; i++) {
		slot_put(p, i);
	}
	return 0;
}

/* Define anchor 'name' for node; returns its index or -1 on failure. */
static long anchor_add(struct yp *p, const char *name, struct dz_ynode *node,
		       size_t size, bool open)
{
	if (grow((void **)&p->anchors, &p->capanchors, p->nanchors + 1,
		 sizeof(*p->anchors)) != 0) {
		nomem(p);
		return -1;
	}
	char *copy = dz_arena_strdup(p->arena, name);
	if (copy == NULL) {
		nomem(p);
		return -1;
	}
	size_t idx = p->nanchors++;
	p->anchors[idx] = (struct anchor){
		.name = copy, .node = node, .size = size, .open = open,
	};
	if ((p->nanchors * 2 > p->nslots && slots_grow(p) != 0)) {
		nomem(p);
		return -1;
	}
	slot_put(p, idx);
	return (long)idx;
}

/* ---- tree building ------------------------------------------------------- */

static size_t sat_add(size_t a, size_t b, size_t cap)
{
	return (a > cap || b > cap - a) ? cap : a + b;
}

/* Count size nodes against the limit; false (and a diagnostic) past it. */
static bool count_nodes(struct yp *p, size_t size, bool alias,
			const yaml_mark_t *m)
{
	size_t max = p->lim->max_nodes;

	if (size > max || p->nodes > max - size) {
		if (alias) {
			yerr(p, DZ_ELIMIT, m->line + 1, m->column + 1,
			     "aliases expand to more than %zu nodes", max);
		} else {
			yerr(p, DZ_ELIMIT, m->line + 1, m->column + 1,
			     "file has more than %zu nodes", max);
		}
		return false;
	}
	p->nodes += size;
	return true;
}

static struct dz_ynode *node_new(struct yp *p, enum dz_ynode_type type,
				 const yaml_mark_t *m)
{
	struct dz_ynode *n = dz_arena_alloc(p->arena, sizeof(*n));

	if (n == NULL) {
		nomem(p);
		return NULL;
	}
	n->type = type;
	n->line = (uint32_t)m->line + 1;
	n->col = (uint32_t)m->column + 1;
	return n;
}

/* A complete node (scalar, alias target or closed collection) joins its
 * parent, or becomes the document's root. */
static void attach(struct yp *p, struct dz_ynode *n, size_t size)
{
	if (p->depth == 0) {
		struct dz_ydoc *d = &p->docs[p->ndocs - 1];
		d->root = n;
		d->line = n->line;
		return;
	}
	struct frame *f = &p->stack[p->depth - 1];
	if (f->node->type == DZ_YNODE_MAP && (p->npend - f->first) % 2 == 0 &&
	    n->type != DZ_YNODE_SCALAR) {
		yerr(p, DZ_EYAML, n->line, n->col,
		     "mapping key must be a scalar");
		return;
	}
	if (grow((void **)&p->pend, &p->cappend, p->npend + 1,
		 sizeof(*p->pend)) != 0) {
		nomem(p);
		return;
	}
	p->pend[p->npend++] = n;
	f->size = sat_add(f->size, size, p->lim->max_nodes + 1);
}

static void on_scalar(struct yp *p, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *val = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;

	if (!count_nodes(p, 1, false, m)) {
		return;
	}
	if (memchr(val, '\0', len) != NULL) {
		yerr(p, DZ_EYAML, m->line + 1, m->column + 1,
		     "scalar contains a NUL character");
		return;
	}
	struct dz_ynode *n = node_new(p, DZ_YNODE_SCALAR, m);
	if (n == NULL) {
		return;
	}
	n->u.str = dz_arena_strndup(p->arena, val, len);
	if (n->u.str == NULL) {
		nomem(p);
		return;
	}
	n->len = len;
	/* "10" and !!str 10 are strings; block scalars are text too. */
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		    (tag != NULL && strcmp(tag, STR_TAG) == 0);
	if (ev->data.scalar.anchor != NULL &&
	    anchor_add(p, (const char *)ev->data.scalar.anchor, n, 1,
		       false) < 0) {
		return;
	}
	attach(p, n, 1);
}

static void on_alias(struct yp *p, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *a = anchor_find(p, name);

	if (a == NULL) {
		yerr(p, DZ_EYAML, m->line + 1, m->column + 1,
		     "undefined alias '%s'", name);
		return;
	}
	if (a->open) {
		/* Sharing the pointer would make the tree a cycle. */
		yerr(p, DZ_EYAML, m->line + 1, m->column + 1,
		     "alias '%s' refers to a node that contains it", name);
		return;
	}
	if (!count_nodes(p, a->size, true, m)) {
		return;
	}
	attach(p, a->node, a->size);
}

static void on_start(struct yp *p, const yaml_event_t *ev,
		     enum dz_ynode_type type)
{
	const yaml_mark_t *m = &ev->start_mark;
	const yaml_char_t *anchor = type == DZ_YNODE_MAP ?
		ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;

	if (p->depth >= p->lim->max_depth) {
		yerr(p, DZ_ELIMIT, m->line + 1, m->column + 1,
		     "nesting deeper than %u levels", p->lim->max_depth);
		return;
	}
	if (!count_nodes(p, 1, false, m)) {
		return;
	}
	struct dz_ynode *n = node_new(p, type, m);
	if (n == NULL) {
		return;
	}
	long ai = -1;
	if (anchor != NULL) {
		ai = anchor_add(p, (const char *)anchor, n, 0, true);
		if (ai < 0) {
			return;
		}
	}
	p->stack[p->depth++] = (struct frame){
		.node = n, .first = p->npend, .size = 1, .anchor = ai,
	};
}

static int keycmp(const void *a, const void *b)
{
	const struct dz_ypair *x = *(const struct dz_ypair *const *)a;
	const struct dz_ypair *y = *(const struct dz_ypair *const *)b;
	int c = strcmp(x->key->u.str, y->key->u.str);

	if (c != 0) {
		return c;
	}
	return x < y ? -1 : (x > y ? 1 : 0);
}

/* Warn about a duplicate key; the LAST occurrence wins (as in most YAML
 * loaders): earlier ones are marked by a NULL value and dropped. */
static void dup_key(struct yp *p, struct dz_ypair *earlier,
		    const struct dz_ypair *later)
{
	dz_diags_add(p->diags, DZ_SEV_WARNING, p->display, later->key->line,
		     later->key->col, "duplicate key '%s'",
		     later->key->u.str);
	earlier->value = NULL;
}

static void map_dedup_sorted(struct yp *p, struct dz_ypair *pairs, size_t n)
{
	struct dz_ypair **idx = malloc(n * sizeof(*idx));

	if (idx == NULL) {
		nomem(p);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		idx[i] = &pairs[i];
	}
	qsort(idx, n, sizeof(*idx), keycmp);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(idx[i - 1]->key->u.str, idx[i]->key->u.str) == 0) {
			dup_key(p, idx[i - 1], idx[i]);
		}
	}
	free(idx);
}

/* Drop duplicate keys; quadratic for small maps, sorting for big ones. */
static size_t map_dedup(struct yp *p, struct dz_ypair *pairs, size_t n)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			for (size_t j = 0; j < i; j++) {
				if (pairs[j].value != NULL &&
				    strcmp(pairs[j].key->u.str,
					   pairs[i].key->u.str) == 0) {
					dup_key(p, &pairs[j], &pairs[i]);
				}
			}
		}
	} else {
		map_dedup_sorted(p, pairs, n);
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (pairs[i].value != NULL) {
			pairs[k++] = pairs[i];
		}
	}
	return k;
}

static void on_end(struct yp *p)
{
	struct frame f = p->stack[--p->depth];
	struct dz_ynode *n = f.node;
	size_t cnt = p->npend - f.first;
	/* pend is NULL until the first child anywhere: "[]" first */
	struct dz_ynode **kids = cnt > 0 ? p->pend + f.first : NULL;

	if (n->type == DZ_YNODE_SEQ) {
		n->len = cnt;
		n->u.items = dz_arena_memdup(p->arena, kids,
					     cnt * sizeof(*kids));
		if (n->u.items == NULL) {
			nomem(p);
			return;
		}
	} else {
		size_t np = cnt / 2;
		struct dz_ypair *pairs = dz_arena_alloc(p->arena,
							np * sizeof(*pairs));
		if (pairs == NULL) {
			nomem(p);
			return;
		}
		for (size_t i = 0; i < np; i++) {
			pairs[i].key = kids[2 * i];
			pairs[i].value = kids[2 * i + 1];
		}
		n->u.pairs = pairs;
		n->len = map_dedup(p, pairs, np);
	}
	p->npend = f.first;
	if (f.anchor >= 0) {
		p->anchors[f.anchor].size = f.size;
		p->anchors[f.anchor].open = false;
	}
	attach(p, n, f.size);
}

static void on_doc_start(struct yp *p, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;

	if (p->ndocs >= p->lim->max_documents) {
		yerr(p, DZ_ELIMIT, m->line + 1, m->column + 1,
		     "more than %zu documents", p->lim->max_documents);
		return;
	}
	if (grow((void **)&p->docs, &p->capdocs, p->ndocs + 1,
		 sizeof(*p->docs)) != 0) {
		nomem(p);
		return;
	}
	p->docs[p->ndocs++] = (struct dz_ydoc){
		.root = NULL, .line = (uint32_t)m->line + 1,
	};
	anchors_reset(p); /* anchors are scoped to one document */
}

static void on_doc_end(struct yp *p)
{
	struct dz_ydoc *d = &p->docs[p->ndocs - 1];

	/* "---" alone yields an empty plain scalar: an empty document. */
	if (d->root != NULL && d->root->type == DZ_YNODE_SCALAR &&
	    !d->root->quoted && d->root->len == 0) {
		d->root = NULL;
	}
}

/* ---- driver -------------------------------------------------------------- */

/* Line and column of a byte offset (reader errors carry only an offset). */
static void offset_pos(const struct yp *p, size_t off, uint32_t *line,
		       uint32_t *col)
{
	uint32_t l = 1;
	size_t bol = 0;

	if (off > p->len) {
		off = p->len;
	}
	for (size_t i = 0; i < off; i++) {
		if (p->buf[i] == '\n') {
			l++;
			bol = i + 1;
		}
	}
	*line = l;
	*col = (uint32_t)(off - bol) + 1;
}

static void syntax_error(struct yp *p, const yaml_parser_t *ps)
{
	uint32_t line, col;

	if (ps->error == YAML_MEMORY_ERROR) {
		nomem(p);
		return;
	}
	if (ps->error == YAML_READER_ERROR) {
		offset_pos(p, ps->problem_offset, &line, &col);
	} else {
		line = (uint32_t)ps->problem_mark.line + 1;
		col = (uint32_t)ps->problem_mark.column + 1;
	}
	yerr(p, DZ_EYAML, line, col, "yaml syntax error: %s%s%s",
	     ps->problem ? ps->problem : "unknown problem",
	     ps->context ? " " : "", ps->context ? ps->context : "");
}

static void dispatch(struct yp *p, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		on_doc_start(p, ev);
		break;
	case YAML_DOCUMENT_END_EVENT:
		on_doc_end(p);
		break;
	case YAML_SCALAR_EVENT:
		on_scalar(p, ev);
		break;
	case YAML_ALIAS_EVENT:
		on_alias(p, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		on_start(p, ev, DZ_YNODE_SEQ);
		break;
	case YAML_MAPPING_START_EVENT:
		on_start(p, ev, DZ_YNODE_MAP);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		on_end(p);
		break;
	default:
		break;
	}
}

static void run(struct yp *p)
{
	yaml_parser_t ps;
	yaml_event_t ev;
	bool done = false;

	if (!yaml_parser_initialize(&ps)) {
		nomem(p);
		return;
	}
	yaml_parser_set_input_string(&ps, (const unsigned char *)p->buf,
				     p->len);
	while (!done && p->rc == 0) {
		if (!yaml_parser_parse(&ps, &ev)) {
			syntax_error(p, &ps);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		dispatch(p, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&ps);
}

int dz_yaml_parse_buffer(const char *buf, size_t len, const char *display,
			 const struct dz_yaml_limits *limits,
			 struct dz_arena *arena, struct dz_ydoc **docs,
			 size_t *ndocs, struct dz_diags *diags)
{
	struct dz_yaml_limits deflim;
	struct yp p = {
		.arena = arena, .diags = diags, .display = display,
		.buf = buf, .len = len,
	};

	*docs = NULL;
	*ndocs = 0;
	if (limits == NULL) {
		dz_yaml_limits_default(&deflim);
		limits = &deflim;
	}
	p.lim = limits;
	if (len > limits->max_file_bytes) {
		yerr(&p, DZ_ELIMIT, 0, 0,
		     "file is %zu bytes, larger than the %zu-byte limit", len,
		     limits->max_file_bytes);
		goto out;
	}
	if (dz_yaml_fast_enabled) {
		p.rc = dz_yaml_fast_parse(buf, len, limits, arena, docs,
					  ndocs);
		if (p.rc != DZ_EAGAIN) {
			goto out;
		}
		p.rc = 0;
	}
	p.stack = calloc((size_t)limits->max_depth + 1, sizeof(*p.stack));
	if (p.stack == NULL) {
		p.rc = DZ_ENOMEM;
		goto out;
	}
	run(&p);
	if (p.rc == 0 && p.ndocs > 0) {
		*docs = dz_arena_memdup(arena, p.docs,
					p.ndocs * sizeof(*p.docs));
		if (*docs == NULL) {
			p.rc = DZ_ENOMEM;
			goto out;
		}
		*ndocs = p.ndocs;
	}
out:
	free(p.stack);
	free(p.pend);
	free(p.anchors);
	free(p.slots);
	free(p.docs);
	return p.rc;
}

/* Read the whole file; refuse it before reading when it is too large. */
/* n bytes for the file's text, keeping the first len of old (NULL). In
 * the arena: a loader reads file after file into the same blocks, where
 * a malloc'd buffer would be fresh pages each time (its freed chunk is
 * split by the allocations made meanwhile). */
static char *text_grow(struct dz_arena *a, char *old, size_t len, size_t n)
{
	char *nb = dz_arena_alloc_raw(a, n);

	if (nb != NULL && len > 0) {
		memcpy(nb, old, len);
	}
	return nb;
}

static int read_file(const char *path, const char *display, size_t max,
		     struct dz_arena *a, char **bufp, size_t *lenp,
		     struct dz_diags *diags)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int rc = 0;
	/* O_NONBLOCK: a FIFO swapped in for a file must not block the
	 * reload (it is then refused as not a regular file). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		dz_diags_add(diags, DZ_SEV_ERROR, display, 0, 0,
			     "cannot open file: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		dz_diags_add(diags, DZ_SEV_ERROR, display, 0, 0,
			     "not a regular file");
		goto out;
	}
	if ((uintmax_t)st.st_size > max) {
		rc = DZ_ELIMIT;
		dz_diags_add(diags, DZ_SEV_ERROR, display, 0, 0,
			     "file is %jd bytes, larger than the %zu-byte limit",
			     (intmax_t)st.st_size, max);
		goto out;
	}
	/* One byte more than expected, to notice a file that grew. */
	cap = (size_t)st.st_size + 1;
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				break; /* grew past the limit: the caller says so */
			}
			char *nb = text_grow(a, buf, len, cap * 2);
			if (nb == NULL) {
				rc = DZ_ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		if (buf == NULL && (buf = text_grow(a, NULL, 0, cap)) == NULL) {
			rc = DZ_ENOMEM;
			goto out;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			rc = -errno;
			dz_diags_add(diags, DZ_SEV_ERROR, display, 0, 0,
				     "cannot read file: %s", strerror(errno));
			goto out;
		}
		if (r == 0) {
			break;
		}
		len += (size_t)r;
	}
	*bufp = buf;
	*lenp = len;
out:
	if (fd >= 0) {
		close(fd);
	}
	return rc;
}

int dz_yaml_parse_file(const char *path, const char *display,
		       const struct dz_yaml_limits *limits,
		       struct dz_arena *arena, struct dz_ydoc **docs,
		       size_t *ndocs, struct dz_diags *diags)
{
	struct dz_yaml_limits deflim;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*docs = NULL;
	*ndocs = 0;
	if (limits == NULL) {
		dz_yaml_limits_default(&deflim);
		limits = &deflim;
	}
	if (display == NULL) {
		display = path;
	}
	rc = read_file(path, display, limits->max_file_bytes, arena, &buf,
		       &len, diags);
	if (rc == 0) {
		rc = dz_yaml_parse_buffer(buf ? buf : "", len, display, limits,
					  arena, docs, ndocs, diags);
	}
	return rc;
}
