/* SPDX-License-Identifier: MIT */
/* ixfr.c -- per-zone history of differences for IXFR (RFC 1995). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/errcode.h"
#include "util/log.h"
#include "xfr/xfr-internal.h"
#include "zone/zone-internal.h"

#define HIST_MAGIC "DZIXFR1\n"
/* A history file larger than this is damaged, not read. */
#define HIST_FILE_MAX (256u << 20)

/* The differences of one zone, oldest first, each leading to the next. */
struct hist {
	uint8_t origin[DZ_DNAME_MAX];
	struct xdiff **d;
	size_t n;
	bool loaded;
};

static struct {
	pthread_mutex_t lock;  /* workers read chains, the main loop adds */
	struct hist *v;
	size_t n;
} hs = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void diff_unref(struct xdiff *d)
{
	if (d != NULL && atomic_fetch_sub(&d->refs, 1) == 1) {
		free(d->del);
		free(d->add);
		free(d);
	}
}

void dz_xfr_diffs_unref(struct xdiff **d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		diff_unref(d[i]);
	}
	free(d);
}

/* Under the lock. */
static struct hist *find(const uint8_t *origin, bool add)
{
	struct hist *v;

	for (size_t i = 0; i < hs.n; i++) {
		if (dz_dname_equal(hs.v[i].origin, origin)) {
			return &hs.v[i];
		}
	}
	if (!add || (v = realloc(hs.v, (hs.n + 1) * sizeof(*v))) == NULL) {
		return NULL;
	}
	hs.v = v;
	memset(&v[hs.n], 0, sizeof(*v));
	memcpy(v[hs.n].origin, origin, dz_dname_len(origin));
	return &hs.v[hs.n++];
}

static void hist_drop(struct hist *h, size_t k)
{
	if (h->n == 0) {
		return;
	}
	for (size_t i = 0; i < k && i < h->n; i++) {
		diff_unref(h->d[i]);
	}
	k = k < h->n ? k : h->n;
	memmove(h->d, h->d + k, (h->n - k) * sizeof(*h->d));
	h->n -= k;
}

int dz_xfr_hist_chain(const uint8_t *origin, uint32_t from, uint32_t to,
		      struct xdiff ***out, size_t *n)
{
	struct hist *h;
	size_t i, k;
	int rc = DZ_ENOENT;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&hs.lock);
	h = find(origin, false);
	for (i = 0; h != NULL && i < h->n && h->d[i]->from != from; i++) {
	}
	if (h == NULL || i == h->n || h->d[h->n - 1]->to != to) {
		goto out;
	}
	/* The history is kept as one chain: from i on it leads to 'to'. */
	*out = malloc((h->n - i) * sizeof(**out));
	if (*out == NULL) {
		rc = DZ_ENOMEM;
		goto out;
	}
	for (k = i; k < h->n; k++) {
		atomic_fetch_add(&h->d[k]->refs, 1);
		(*out)[k - i] = h->d[k];
	}
	*n = h->n - i;
	rc = 0;
out:
	pthread_mutex_unlock(&hs.lock);
	return rc;
}

/* ---- Differences ---------------------------------------------------------- */

struct item {
	const uint8_t *owner;
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
};

struct items {
	struct item *v;
	size_t n, cap;
	bool oom;
};

static int collect(const uint8_t *owner, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	struct items *it = arg;

	if (type == XT_SOA) {
		return 0;
	}
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 256;
		struct item *v = realloc(it->v, cap * sizeof(*v));
		if (v == NULL) {
			it->oom = true;
			return 1;
		}
		it->v = v;
		it->cap = cap;
	}
	it->v[it->n++] = (struct item){ owner, type, ttl, rdata, rdlen };
	return 0;
}

/* The RRs an edit removed and added (dz_zone_edit_walk). */
struct edit_items {
	struct items del, add;
};

static int collect_del(const uint8_t *owner, uint16_t type, uint32_t ttl,
		       const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	return collect(owner, type, ttl, rdata, rdlen,
		       &((struct edit_items *)arg)->del);
}

static int collect_add(const uint8_t *owner, uint16_t type, uint32_t ttl,
		       const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	return collect(owner, type, ttl, rdata, rdlen,
		       &((struct edit_items *)arg)->add);
}

/*
 * Every RR of old into *a and of z into *b, or when z is an edit of old,
 * only what the edit removed and added (O(change), not O(zone)).
 */
static void collect_diff(const struct dz_zone *old, const struct dz_zone *z,
			 struct items *a, struct items *b)
{
	struct edit_items e = { 0 };

	if (dz_zone_edit_walk(z, old, collect_del, collect_add, &e) == 0) {
		*a = e.del;
		*b = e.add;
		return;
	}
	free(e.del.v);
	free(e.add.v);
	dz_zone_walk(old, collect, a);
	dz_zone_walk(z, collect, b);
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c = dz_dname_cmp_canonical(a->owner, b->owner);
	size_t m;

	if (c != 0) {
		return c;
	}
	if (a->type != b->type) {
		return a->type < b->type ? -1 : 1;
	}
	m = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	if ((c = memcmp(a->rdata, b->rdata, m)) != 0) {
		return c;
	}
	if (a->rdlen != b->rdlen) {
		return a->rdlen < b->rdlen ? -1 : 1;
	}
	return a->ttl < b->ttl ? -1 : a->ttl > b->ttl;
}

/* Append one RR to a packed list (a memstream). */
static void pack(FILE *f, const uint8_t *owner, uint16_t type, uint32_t ttl,
		 const uint8_t *rdata, uint16_t rdlen)
{
	uint8_t h[8] = { type >> 8, type, ttl >> 24, ttl >> 16, ttl >> 8, ttl,
			 rdlen >> 8, rdlen };

	fwrite(owner, 1, dz_dname_len(owner), f);
	fwrite(h, 1, sizeof(h), f);
	fwrite(rdata, 1, rdlen, f);
}

static void pack_soa(FILE *f, const struct dz_zone *z)
{
	const uint8_t *rr = z->soa->rr[0];

	pack(f, z->origin, XT_SOA, z->soa->ttl, rr + 2, dz_wire_get_u16(rr));
}

/* Merge two sorted lists into what was deleted and what was added. */
static void merge(const struct items *o, const struct items *n, FILE *del,
		  FILE *add)
{
	size_t i = 0, k = 0;

	while (i < o->n || k < n->n) {
		int c = i == o->n ? 1 : k == n->n ? -1 :
			item_cmp(&o->v[i], &n->v[k]);
		if (c < 0) {
			const struct item *x = &o->v[i++];
			pack(del, x->owner, x->type, x->ttl, x->rdata,
			     x->rdlen);
		} else if (c > 0) {
			const struct item *x = &n->v[k++];
			pack(add, x->owner, x->type, x->ttl, x->rdata,
			     x->rdlen);
		} else {
			i++;
			k++;
		}
	}
}

/* The difference from old to z, or NULL (out of memory). */
static struct xdiff *diff_make(const struct dz_zone *old,
			       const struct dz_zone *z)
{
	struct items a = { 0 }, b = { 0 };
	struct xdiff *d = calloc(1, sizeof(*d));
	FILE *del = d ? open_memstream((char **)&d->del, &d->del_len) : NULL;
	FILE *add = d ? open_memstream((char **)&d->add, &d->add_len) : NULL;
	bool ok = del != NULL && add != NULL;

	if (ok) {
		collect_diff(old, z, &a, &b);
		ok = !a.oom && !b.oom;
	}
	if (ok) {
		if (a.n > 1) { /* an edit may remove nothing (v NULL) */
			qsort(a.v, a.n, sizeof(*a.v), item_cmp);
		}
		if (b.n > 1) {
			qsort(b.v, b.n, sizeof(*b.v), item_cmp);
		}
		pack_soa(del, old);
		pack_soa(add, z);
		merge(&a, &b, del, add);
	}
	ok = (del == NULL || fclose(del) == 0) && ok;
	ok = (add == NULL || fclose(add) == 0) && ok;
	free(a.v);
	free(b.v);
	if (d != NULL) {
		atomic_init(&d->refs, 1);
		d->from = old->serial;
		d->to = z->serial;
	}
	if (!ok) {
		diff_unref(d);
		return NULL;
	}
	return d;
}

/* ---- The state dir ------------------------------------------------------- */

/* STATE/ixfr/NAME.hist; NAME with every byte outside [a-z0-9._-] as
 * %XX (no '/' can get through), "root" for the root zone. */
static char *hist_path(const char *state_dir, const uint8_t *origin)
{
	char text[DZ_DNAME_MAX * 4 + 1], name[DZ_DNAME_MAX * 12 + 8];
	size_t len = dz_dname_to_text(origin, text, sizeof(text)), n = 0;
	char *path;

	if (len > 1) {
		text[--len] = '\0';
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || (c == '.' && i > 0)) {
			name[n++] = (char)c;
		} else {
			n += (size_t)sprintf(name + n, "%%%02X", c);
		}
	}
	name[n] = '\0';
	if (asprintf(&path, "%s/ixfr/%s.hist", state_dir,
		     strcmp(text, ".") == 0 ? "root" : name) < 0) {
		return NULL;
	}
	return path;
}

static void put32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	fwrite(b, 1, 4, f);
}

/* Write the history (temporary file, fsync, rename); none: remove it. */
static void hist_save(const char *state_dir, const struct hist *h)
{
	char *path = hist_path(state_dir, h->origin), *tmp = NULL, *dir;
	FILE *f = NULL;
	int fd, rc = 0;

	if (path == NULL || asprintf(&tmp, "%s.tmp", path) < 0) {
		goto out;
	}
	if (h->n == 0) {
		unlink(path);
		goto out;
	}
	if (asprintf(&dir, "%s/ixfr", state_dir) >= 0) {
		mkdir(dir, 0750);
		free(dir);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		if (fd >= 0) {
			close(fd);
		}
		goto out;
	}
	fputs(HIST_MAGIC, f);
	for (size_t i = 0; i < h->n; i++) {
		const struct xdiff *d = h->d[i];
		put32(f, d->from);
		put32(f, d->to);
		put32(f, (uint32_t)d->del_len);
		put32(f, (uint32_t)d->add_len);
		fwrite(d->del, 1, d->del_len, f);
		fwrite(d->add, 1, d->add_len, f);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		rc = -errno;
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -errno;
	}
out:
	if (rc != 0) {
		dz_log_warn("ixfr history '%s': cannot write: %s", path,
			    strerror(-rc));
		unlink(tmp);
	}
	free(tmp);
	free(path);
}

/* A packed list that stays inside its bounds and starts with an SOA. */
static bool list_ok(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	bool first = true;

	while (p < end) {
		size_t n = dz_dname_check(p, end);
		if (n == 0 || (size_t)(end - p) < n + 8) {
			return false;
		}
		if (first && dz_wire_get_u16(p + n) != XT_SOA) {
			return false;
		}
		first = false;
		size_t rdlen = dz_wire_get_u16(p + n + 6);
		if ((size_t)(end - p) < n + 8 + rdlen) {
			return false;
		}
		p += n + 8 + rdlen;
	}
	return !first;
}

/* One difference from the file at *p (advanced); NULL when damaged. */
static struct xdiff *diff_read(const uint8_t **p, const uint8_t *end)
{
	struct xdiff *d;
	size_t dl, al;

	if (end - *p < 16) {
		return NULL;
	}
	dl = dz_wire_get_u32(*p + 8);
	al = dz_wire_get_u32(*p + 12);
	if ((size_t)(end - *p) - 16 < dl || (size_t)(end - *p) - 16 - dl < al ||
	    !list_ok(*p + 16, dl) || !list_ok(*p + 16 + dl, al) ||
	    (d = calloc(1, sizeof(*d))) == NULL) {
		return NULL;
	}
	atomic_init(&d->refs, 1);
	d->from = dz_wire_get_u32(*p);
	d->to = dz_wire_get_u32(*p + 4);
	d->del = malloc(dl);
	d->add = malloc(al ? al : 1);
	if (d->del == NULL || d->add == NULL) {
		diff_unref(d);
		return NULL;
	}
	memcpy(d->del, *p + 16, dl);
	memcpy(d->add, *p + 16 + dl, al);
	d->del_len = dl;
	d->add_len = al;
	*p += 16 + dl + al;
	return d;
}

static int hist_push(struct hist *h, struct xdiff *d)
{
	struct xdiff **v = realloc(h->d, (h->n + 1) * sizeof(*v));

	if (v == NULL) {
		return DZ_ENOMEM;
	}
	h->d = v;
	h->d[h->n++] = d;
	return 0;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		if (errno != ENOENT) {
			dz_log_warn_errno("ixfr history '%s': cannot read",
					  path);
		}
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && st.st_size > 0 &&
	    (size_t)st.st_size <= HIST_FILE_MAX &&
	    (buf = malloc((size_t)st.st_size)) != NULL &&
	    fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? (size_t)st.st_size : 0;
	fclose(f);
	return buf;
}

/* Read the zone's history back (a damaged file is dropped, logged). */
static void hist_load(const char *state_dir, struct hist *h)
{
	char *path = hist_path(state_dir, h->origin);
	size_t len = 0;
	uint8_t *buf = path ? read_all(path, &len) : NULL;
	const uint8_t *p = buf, *end = buf + len;
	size_t ml = strlen(HIST_MAGIC);

	if (buf == NULL) {
		free(path);
		return;
	}
	if (len < ml || memcmp(buf, HIST_MAGIC, ml) != 0) {
		p = end + 1;
	} else {
		p += ml;
	}
	while (p < end) {
		struct xdiff *d = diff_read(&p, end);
		if (d == NULL || (h->n > 0 && h->d[h->n - 1]->to != d->from) ||
		    hist_push(h, d) != 0) {
			diff_unref(d);
			break;
		}
	}
	if (p != end) {
		dz_log_warn("ixfr history '%s': damaged: %zu changes kept",
			    path, h->n);
	}
	free(buf);
	free(path);
}

void dz_xfr_hist_record(const char *state_dir, const struct dz_zone *old,
			const struct dz_zone *z)
{
	struct xdiff *d = NULL;
	struct hist *h;
	bool dirty = false;

	if (old != NULL && dz_xfr_ixfr_history > 0) {
		d = diff_make(old, z);  /* outside the lock: may take a while */
	}
	pthread_mutex_lock(&hs.lock);
	h = find(z->origin, true);
	if (h != NULL && !h->loaded) {
		h->loaded = true;
		if (state_dir != NULL) {
			hist_load(state_dir, h);
		}
	}
	if (h == NULL) {
		diff_unref(d);
		pthread_mutex_unlock(&hs.lock);
		return;
	}
	/* The history is one chain ending at the served serial. */
	if (h->n > 0 && (d == NULL || h->d[h->n - 1]->to != d->from) &&
	    h->d[h->n - 1]->to != z->serial) {
		hist_drop(h, h->n);
		dirty = true;
	}
	if (d != NULL && hist_push(h, d) == 0) {
		d = NULL;
		dirty = true;
	}
	diff_unref(d);
	if (h->n > dz_xfr_ixfr_history) {
		hist_drop(h, h->n - dz_xfr_ixfr_history);
		dirty = true;
	}
	if (dirty && state_dir != NULL) {
		hist_save(state_dir, h);
	}
	pthread_mutex_unlock(&hs.lock);
}

void dz_xfr_hist_clear(void)
{
	pthread_mutex_lock(&hs.lock);
	for (size_t i = 0; i < hs.n; i++) {
		hist_drop(&hs.v[i], hs.v[i].n);
		free(hs.v[i].d);
	}
	free(hs.v);
	hs.v = NULL;
	hs.n = 0;
	pthread_mutex_unlock(&hs.lock);
}
