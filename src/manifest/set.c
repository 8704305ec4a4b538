/* SPDX-License-Identifier: MIT */
/* set.c -- the manifest set: the files served now, updated by batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "manifest/set.h"
#include "util/errcode.h"

/* One file of the set. */
struct entry {
	char *rel;
	struct dz_mfile *served;   /* its objects are built */
	struct dz_mfile *rejected; /* newer version not served, or NULL */
	struct dz_mfile *prev;     /* during an apply: the version a trial
	                            * replaced, to go back to */
	bool clean;                /* served version: no ReconcileFailed in
	                            * the last build */
	bool changed;              /* re-read by the last apply */
};

struct dz_mset {
	char *root;
	struct entry *v;           /* sorted by rel */
	size_t n, cap;
	char **pend;               /* marked rel paths, unsorted, may repeat */
	size_t npend, cappend;
	struct dz_mfile **files;   /* served versions, for dz_build */
	size_t nfiles;
	struct dz_mfile *retired;  /* versions served before, not now */
};

/* A served version leaves the set: freed by dz_mset_release_retired. */
static void retire(struct dz_mset *s, struct dz_mfile *f)
{
	if (f != NULL) {
		f->retired_next = s->retired;
		s->retired = f;
	}
}

void dz_mset_release_retired(struct dz_mset *s)
{
	while (s->retired != NULL) {
		struct dz_mfile *f = s->retired;
		s->retired = f->retired_next;
		dz_mfile_free(f);
	}
}

struct dz_mset *dz_mset_new(const char *root)
{
	struct dz_mset *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		return NULL;
	}
	s->root = strdup(root);
	if (s->root == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

static void entry_clear(struct entry *e)
{
	dz_mfile_free(e->served);
	dz_mfile_free(e->rejected);
	dz_mfile_free(e->prev);
	free(e->rel);
}

void dz_mset_free(struct dz_mset *s)
{
	if (s == NULL) {
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		entry_clear(&s->v[i]);
	}
	for (size_t i = 0; i < s->npend; i++) {
		free(s->pend[i]);
	}
	dz_mset_release_retired(s);
	free(s->pend);
	free(s->v);
	free(s->files);
	free(s->root);
	free(s);
}

const char *dz_mset_root(const struct dz_mset *s)
{
	return s->root;
}

bool dz_mset_is_manifest_name(const char *rel)
{
	const char *c = rel, *slash;
	size_t n = strlen(rel);

	if (!((n > 5 && strcmp(rel + n - 5, ".yaml") == 0) ||
	      (n > 4 && strcmp(rel + n - 4, ".yml") == 0))) {
		return false;
	}
	for (;;) {
		if (c[0] == '.' || c[0] == '/' || c[0] == '\0') {
			return false;
		}
		slash = strchr(c, '/');
		if (slash == NULL) {
			return true;
		}
		c = slash + 1;
	}
}

/* Index of rel, or where it would go (*found false). */
static size_t find(const struct dz_mset *s, const char *rel, bool *found)
{
	size_t lo = 0, hi = s->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid].rel, rel);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

int dz_mset_touch(struct dz_mset *s, const char *rel)
{
	char *copy;

	if (s->npend == s->cappend) {
		size_t cap = s->cappend ? s->cappend * 2 : 16;
		char **p = realloc(s->pend, cap * sizeof(*p));
		if (p == NULL) {
			return DZ_ENOMEM;
		}
		s->pend = p;
		s->cappend = cap;
	}
	copy = strdup(rel);
	if (copy == NULL) {
		return DZ_ENOMEM;
	}
	s->pend[s->npend++] = copy;
	return 0;
}

/* Mark the set's files below prefix ("" = all). */
static int touch_known(struct dz_mset *s, const char *prefix)
{
	size_t plen = strlen(prefix);

	for (size_t i = 0; i < s->n; i++) {
		const char *rel = s->v[i].rel;
		if (plen > 0 && (strncmp(rel, prefix, plen) != 0 ||
				 rel[plen] != '/')) {
			continue;
		}
		if (dz_mset_touch(s, rel) != 0) {
			return DZ_ENOMEM;
		}
	}
	return 0;
}

int dz_mset_touch_tree(struct dz_mset *s, const char *prefix,
		       struct dz_diags *diags)
{
	struct dz_diags ignore = { 0 };
	char **rels = NULL, *dir = NULL, *rel;
	size_t n = 0;
	int rc = touch_known(s, prefix);

	if (rc != 0) {
		goto out;
	}
	if (asprintf(&dir, "%s%s%s", s->root, prefix[0] ? "/" : "",
		     prefix) < 0) {
		dir = NULL;
		rc = DZ_ENOMEM;
		goto out;
	}
	/* A directory that is gone is no error here: its files leave. */
	rc = dz_manifest_list(dir, &rels, &n,
			      prefix[0] || diags == NULL ? &ignore : diags);
	if (rc == DZ_ENOMEM) {
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (prefix[0] == '\0') {
			rc = dz_mset_touch(s, rels[i]);
			continue;
		}
		if (asprintf(&rel, "%s/%s", prefix, rels[i]) < 0) {
			rc = DZ_ENOMEM;
			break;
		}
		rc = dz_mset_touch(s, rel);
		free(rel);
	}
out:
	dz_diags_clear(&ignore);
	dz_manifest_list_free(rels, n);
	free(dir);
	return rc;
}

size_t dz_mset_pending(const struct dz_mset *s)
{
	return s->npend;
}

static int insert(struct dz_mset *s, size_t at, const char *rel)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct entry *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL) {
			return DZ_ENOMEM;
		}
		s->v = v;
		s->cap = cap;
	}
	memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(*s->v));
	memset(&s->v[at], 0, sizeof(*s->v));
	s->v[at].rel = strdup(rel);
	s->n++;
	if (s->v[at].rel == NULL) {
		memmove(&s->v[at], &s->v[at + 1], (--s->n - at) *
			sizeof(*s->v));
		return DZ_ENOMEM;
	}
	return 0;
}

static void remove_at(struct dz_mset *s, size_t at)
{
	retire(s, s->v[at].served);
	s->v[at].served = NULL;
	entry_clear(&s->v[at]);
	memmove(&s->v[at], &s->v[at + 1], (s->n - at - 1) * sizeof(*s->v));
	s->n--;
}

/* A manifest file is there (symlinks followed: ConfigMap mounts). */
static bool present(const struct dz_mset *s, const char *rel, char **path)
{
	struct stat st;

	*path = NULL;
	if (!dz_mset_is_manifest_name(rel) ||
	    asprintf(path, "%s/%s", s->root, rel) < 0) {
		*path = NULL;
		return false;
	}
	return dz_manifest_outside(s->root, rel, NULL) == 0 &&
	       stat(*path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Take one re-read file in: f is its new version, or NULL when it is gone.
 * 0 or DZ_ENOMEM (f is then freed).
 */
static int take(struct dz_mset *s, const char *rel, struct dz_mfile *f,
		struct dz_mset_stats *st)
{
	struct entry *e;
	bool found;
	size_t at = find(s, rel, &found);

	st->files++;
	if (f == NULL) {
		if (found) {
			remove_at(s, at);
			st->removed++;
		}
		return 0;
	}
	if (!found && insert(s, at, rel) != 0) {
		dz_mfile_free(f);
		return DZ_ENOMEM;
	}
	e = &s->v[at];
	e->changed = true;
	if (f->failed && e->served != NULL) {
		dz_mfile_free(e->rejected);
		e->rejected = f;
		st->rejected++;
		return 0;
	}
	st->loaded++;
	if (e->served == NULL) {
		e->served = f;
		return 0;
	}
	/* A trial: kept if it builds cleanly (see the rule in set.h). */
	retire(s, e->prev);
	e->prev = e->served;
	e->served = f;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The marked files, each once, sorted; the pending list is emptied. */
static size_t take_pending(struct dz_mset *s)
{
	size_t n = 0;

	qsort(s->pend, s->npend, sizeof(*s->pend), str_cmp);
	for (size_t i = 0; i < s->npend; i++) {
		if (n > 0 && strcmp(s->pend[i], s->pend[n - 1]) == 0) {
			free(s->pend[i]);
		} else {
			s->pend[n++] = s->pend[i];
		}
	}
	s->npend = 0;
	return n;
}

/* Re-read every marked file once (in parallel), then take them in order. */
static int reread_pending(struct dz_mset *s, struct dz_mset_stats *st)
{
	size_t n = take_pending(s), nload = 0;
	char **rels = s->pend, **paths = calloc(n + 1, sizeof(*paths));
	char **lrels = calloc(n + 1, sizeof(*lrels));
	struct dz_mfile **got = calloc(n + 1, sizeof(*got));
	int rc = DZ_ENOMEM;

	if (paths == NULL || lrels == NULL || got == NULL) {
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char *path;
		if (present(s, rels[i], &path)) {
			lrels[nload] = rels[i];
			paths[nload++] = path;
		} else {
			free(path);
		}
	}
	rc = dz_mfile_load_many(paths, lrels, nload, 0, got);
	for (size_t i = 0, j = 0; i < n && rc == 0; i++) {
		bool here = j < nload && lrels[j] == rels[i];
		rc = take(s, rels[i], here ? got[j] : NULL, st);
		if (here) {
			got[j++] = NULL;
		}
	}
out:
	for (size_t i = 0; got != NULL && i < nload; i++) {
		dz_mfile_free(got[i]);
	}
	for (size_t i = 0; i < n; i++) {
		free(rels[i]);
		if (paths != NULL) {
			free(paths[i]);
		}
	}
	free(paths);
	free(lrels);
	free(got);
	return rc;
}

static bool file_clean(const struct dz_mfile *f)
{
	if (f->failed) {
		return false;
	}
	for (size_t i = 0; i < f->nobjects; i++) {
		if (f->objects[i].reason == DZ_REASON_FAILED) {
			return false;
		}
	}
	return true;
}

static int build(struct dz_mset *s, const struct dz_build_opts *opts,
		 struct dz_snapshot **out)
{
	struct dz_mfile **files = realloc(s->files, (s->n + 1) *
					  sizeof(*files));

	if (files == NULL) {
		return DZ_ENOMEM;
	}
	s->files = files;
	s->nfiles = 0;
	for (size_t i = 0; i < s->n; i++) {
		files[s->nfiles++] = s->v[i].served;
	}
	*out = dz_build(files, s->nfiles, opts);
	return *out == NULL ? DZ_ENOMEM : 0;
}

/* After a trial build: take back the previous version of files that were
 * clean and now fail. True when any was taken back. */
static bool settle_trials(struct dz_mset *s, struct dz_mset_stats *st)
{
	bool back = false;

	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = &s->v[i];
		if (e->prev == NULL) {
			continue;
		}
		if (e->clean && !file_clean(e->served)) {
			dz_mfile_free(e->rejected);
			e->rejected = e->served;
			e->served = e->prev;
			st->loaded--;
			st->rejected++;
			back = true;
		} else {
			retire(s, e->prev);
			dz_mfile_free(e->rejected);
			e->rejected = NULL;
		}
		e->prev = NULL;
	}
	return back;
}

/* "file:line:col: what" of the first error of a rejected version. */
static void reject_msg(const struct dz_mfile *f, char *buf, size_t size)
{
	for (size_t i = 0; i < f->diags.n; i++) {
		if (f->diags.items[i].sev == DZ_SEV_ERROR) {
			const struct dz_diag *d = &f->diags.items[i];
			snprintf(buf, size, "%s:%u:%u: %s", d->file, d->line,
				 d->col ? d->col : 1, d->msg);
			return;
		}
	}
	for (size_t i = 0; i < f->nobjects; i++) {
		if (f->objects[i].reason == DZ_REASON_FAILED) {
			snprintf(buf, size, "%.*s", (int)size - 1,
				 dz_object_message(&f->objects[i]));
			return;
		}
	}
	snprintf(buf, size, "%s: invalid", f->rel);
}

/* Record each file's cleanliness and show the rejections in the status
 * of the objects still served. */
static void finish(struct dz_mset *s)
{
	char msg[400];

	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = &s->v[i];
		/* While a newer version is rejected, the served one is as
		 * clean as when it was taken, whatever its objects show now
		 * (below: "last good version still served", which a reused
		 * zone carries over to the next build). */
		if (e->rejected == NULL) {
			e->clean = file_clean(e->served);
			continue;
		}
		reject_msg(e->rejected, msg, sizeof(msg));
		for (size_t j = 0; j < e->served->nobjects; j++) {
			struct dz_object *o = &e->served->objects[j];
			o->reason = DZ_REASON_FAILED;
			dz_object_set_message(o, "%s (last good version still "
					      "served)", msg);
		}
	}
}

int dz_mset_apply(struct dz_mset *s, const struct dz_build_opts *opts,
		  struct dz_mset_stats *stats, struct dz_snapshot **out)
{
	struct dz_mset_stats st = { 0 };
	struct dz_snapshot *snap = NULL;
	int rc;

	*out = NULL;
	if (s->npend == 0) {
		rc = 0;
		goto out;
	}
	s->nfiles = 0; /* the array points at versions about to go */
	for (size_t i = 0; i < s->n; i++) {
		s->v[i].changed = false;
	}
	if ((rc = reread_pending(s, &st)) != 0) {
		goto out;
	}
	st.builds++;
	if ((rc = build(s, opts, &snap)) != 0) {
		goto out;
	}
	if (settle_trials(s, &st)) {
		dz_snapshot_unref(snap);
		snap = NULL;
		st.builds++;
		if ((rc = build(s, opts, &snap)) != 0) {
			goto out;
		}
	}
	finish(s);
	*out = snap;
out:
	if (stats != NULL) {
		*stats = st;
	}
	return rc;
}

size_t dz_mset_count(const struct dz_mset *s)
{
	return s->n;
}

struct dz_mfile *dz_mset_served(const struct dz_mset *s, size_t i)
{
	return s->v[i].served;
}

const struct dz_mfile *dz_mset_rejected(const struct dz_mset *s, size_t i)
{
	return s->v[i].rejected;
}

struct dz_mfile *const *dz_mset_files(const struct dz_mset *s, size_t *n)
{
	*n = s->nfiles;
	return s->files;
}

void dz_mset_collect_changed(const struct dz_mset *s, struct dz_diags *out)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct entry *e = &s->v[i];
		if (!e->changed) {
			continue;
		}
		if (e->rejected != NULL) {
			struct dz_mfile *r = e->rejected;
			dz_diags_append(out, &r->diags);
			for (size_t j = 0; j < r->nobjects; j++) {
				dz_diags_append(out, &r->objects[j].diags);
				dz_diags_append(out, &r->objects[j].bdiags);
			}
			continue;
		}
		struct dz_mfile *f = e->served;
		dz_build_collect_diags(&f, 1, out);
	}
}
