/* SPDX-License-Identifier: MIT */
/* set.c -- the manifest set: the files served now, updated by batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "manifest/set.h"
#include "util/errcode.h"
#include "util/log.h"

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

/* A manifest name that is not read, and why (dz_manifest_skipped). */
struct skip {
	char *rel;                 /* first, as in struct entry (lower()) */
	char *why;
};

struct dz_mset {
	char *root;
	struct entry *v;           /* sorted by rel */
	size_t n, cap;
	struct skip *skips;        /* sorted by rel */
	size_t nskips, capskips;
	char **pend;               /* marked rel paths, unsorted, may repeat */
	size_t npend, cappend;
	struct dz_mfile **files;   /* served versions, for dz_build */
	size_t nfiles;
	struct dz_mfile *retired;  /* versions served before, not now */
	struct dz_mfile *dead;     /* rejected versions replaced: never
				    * served, but the status table may
				    * point at one (an update that ran
				    * out of memory); freed with retired */
	struct dz_build_ctx *ctx;  /* what the last build left (build.h) */
	bool applied;              /* the last apply succeeded */
};

/* A served version leaves the set: freed by dz_mset_release_retired. */
static void retire(struct dz_mset *s, struct dz_mfile *f)
{
	if (f != NULL) {
		f->retired_next = s->retired;
		s->retired = f;
	}
}

const struct dz_mfile *dz_mset_retired(const struct dz_mset *s)
{
	return s->retired;
}

/* A rejected version leaves: freed with the retired ones, not in their
 * list (the build takes that list as what was served). */
static void bury(struct dz_mset *s, struct dz_mfile *f)
{
	if (f != NULL) {
		f->retired_next = s->dead;
		s->dead = f;
	}
}

static void free_list(struct dz_mfile **head)
{
	while (*head != NULL) {
		struct dz_mfile *f = *head;
		*head = f->retired_next;
		dz_mfile_free(f);
	}
}

void dz_mset_release_retired(struct dz_mset *s)
{
	free_list(&s->retired);
	free_list(&s->dead);
}

struct dz_mset *dz_mset_new(const char *root)
{
	struct dz_mset *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		return NULL;
	}
	s->root = strdup(root);
	s->ctx = dz_build_ctx_new();
	if (s->root == NULL || s->ctx == NULL) {
		free(s->root);
		dz_build_ctx_free(s->ctx);
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
	dz_build_ctx_free(s->ctx);
	for (size_t i = 0; i < s->n; i++) {
		entry_clear(&s->v[i]);
	}
	for (size_t i = 0; i < s->npend; i++) {
		free(s->pend[i]);
	}
	for (size_t i = 0; i < s->nskips; i++) {
		free(s->skips[i].rel);
		free(s->skips[i].why);
	}
	free(s->skips);
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

/* Index of rel in v (n structs of size bytes, each starting with its
 * char *rel, sorted), or where it would go (*found false). */
static size_t lower(const void *v, size_t n, size_t size, const char *rel,
		    bool *found)
{
	size_t lo = 0, hi = n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const void *at = (const char *)v + mid * size;
		int c = strcmp(*(char *const *)at, rel);
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

static size_t find(const struct dz_mset *s, const char *rel, bool *found)
{
	return lower(s->v, s->n, sizeof(*s->v), rel, found);
}

/*
 * Note rel as skipped for why (taken). Logged when log is set and the
 * reason is new. 0 or DZ_ENOMEM.
 */
static int skip_note(struct dz_mset *s, const char *rel, char *why, bool log)
{
	bool found;
	size_t at = lower(s->skips, s->nskips, sizeof(*s->skips), rel, &found);
	struct skip *k = found ? &s->skips[at] : NULL;

	if (found && strcmp(k->why, why) == 0) {
		free(why);
		return 0;
	}
	if (found) {
		free(k->why);
	} else {
		if (s->nskips == s->capskips) {
			size_t cap = s->capskips ? s->capskips * 2 : 8;
			k = realloc(s->skips, cap * sizeof(*k));
			if (k == NULL) {
				free(why);
				return DZ_ENOMEM;
			}
			s->skips = k;
			s->capskips = cap;
		}
		k = &s->skips[at];
		memmove(k + 1, k, (s->nskips - at) * sizeof(*k));
		if ((k->rel = strdup(rel)) == NULL) {
			memmove(k, k + 1, (s->nskips - at) * sizeof(*k));
			free(why);
			return DZ_ENOMEM;
		}
		s->nskips++;
	}
	k->why = why;
	if (log) {
		dz_log_warn("manifests '%s': %s: %s", s->root, rel, why);
	}
	return 0;
}

/* rel is read again (or gone): no longer skipped. */
static void skip_drop(struct dz_mset *s, const char *rel)
{
	bool found;
	size_t at = lower(s->skips, s->nskips, sizeof(*s->skips), rel, &found);

	if (found) {
		free(s->skips[at].rel);
		free(s->skips[at].why);
		memmove(&s->skips[at], &s->skips[at + 1],
			(s->nskips - at - 1) * sizeof(*s->skips));
		s->nskips--;
	}
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

static bool is_below(const char *rel, const char *prefix, size_t plen)
{
	return plen == 0 || (strncmp(rel, prefix, plen) == 0 &&
			     rel[plen] == '/');
}

/* Mark the set's files and the skipped ones below prefix ("" = all). */
static int touch_known(struct dz_mset *s, const char *prefix)
{
	size_t plen = strlen(prefix);

	for (size_t i = 0; i < s->n; i++) {
		if (is_below(s->v[i].rel, prefix, plen) &&
		    dz_mset_touch(s, s->v[i].rel) != 0) {
			return DZ_ENOMEM;
		}
	}
	for (size_t i = 0; i < s->nskips; i++) {
		if (is_below(s->skips[i].rel, prefix, plen) &&
		    dz_mset_touch(s, s->skips[i].rel) != 0) {
			return DZ_ENOMEM;
		}
	}
	return 0;
}

/* Mark prefix/rel ("" prefix: rel); into *full when full is not NULL. */
static int touch_below(struct dz_mset *s, const char *prefix,
		       const char *rel, char **full)
{
	char *r = NULL;
	int rc;

	if (prefix[0] == '\0') {
		r = strdup(rel);
	} else if (asprintf(&r, "%s/%s", prefix, rel) < 0) {
		r = NULL;
	}
	rc = r != NULL ? dz_mset_touch(s, r) : DZ_ENOMEM;
	if (full != NULL && rc == 0) {
		*full = r;
	} else {
		free(r);
	}
	return rc;
}

/*
 * The scan's problems with manifest names (symlinks not followed): mark
 * them, so that the apply finds them skipped. Those the caller logs
 * (logged) are noted here, so that the apply does not log them again.
 */
static int touch_found(struct dz_mset *s, const char *prefix,
		       const struct dz_diags *found, bool logged)
{
	int rc = 0;

	for (size_t i = 0; i < found->n && rc == 0; i++) {
		const struct dz_diag *d = &found->items[i];
		char *rel = NULL, *why;
		/* Directories and the like: nothing to mark. */
		if (!dz_mset_is_manifest_name(d->file)) {
			continue;
		}
		if ((rc = touch_below(s, prefix, d->file, &rel)) != 0) {
			break;
		}
		if (logged) {
			why = strdup(d->msg);
			rc = why != NULL ? skip_note(s, rel, why, false) :
			     DZ_ENOMEM;
		}
		free(rel);
	}
	return rc;
}

int dz_mset_touch_tree(struct dz_mset *s, const char *prefix,
		       struct dz_diags *diags)
{
	struct dz_diags found = { 0 };
	bool logged = prefix[0] == '\0' && diags != NULL;
	char **rels = NULL, *dir = NULL;
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
	rc = dz_manifest_list(dir, &rels, &n, &found);
	if (rc == DZ_ENOMEM) {
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = touch_below(s, prefix, rels[i], NULL);
	}
	if (rc == 0) {
		rc = touch_found(s, prefix, &found, logged);
	}
	if (logged) {
		dz_diags_append(diags, &found);
	}
out:
	dz_diags_clear(&found);
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
	bury(s, s->v[at].rejected);
	s->v[at].served = NULL;
	s->v[at].rejected = NULL;
	entry_clear(&s->v[at]);
	memmove(&s->v[at], &s->v[at + 1], (s->n - at - 1) * sizeof(*s->v));
	s->n--;
}

/*
 * Is rel a manifest file to read (symlinks followed: ConfigMap mounts)?
 * 0 with *path set; 1 when it is not there or skipped (noted, logged
 * when new); DZ_ENOMEM.
 */
static int present(struct dz_mset *s, const char *rel, char **path)
{
	struct stat st;
	char *why = NULL;
	int rc;

	*path = NULL;
	if (!dz_mset_is_manifest_name(rel)) {
		skip_drop(s, rel);
		return 1;
	}
	rc = dz_manifest_skipped(s->root, rel, &why);
	if (rc == 1) {
		return skip_note(s, rel, why, true) == 0 ? 1 : DZ_ENOMEM;
	}
	if (rc != 0) {
		return rc;
	}
	skip_drop(s, rel);
	if (asprintf(path, "%s/%s", s->root, rel) < 0) {
		*path = NULL;
		return DZ_ENOMEM;
	}
	return stat(*path, &st) == 0 && S_ISREG(st.st_mode) ? 0 : 1;
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

	if (f == NULL) {
		if (found) {
			remove_at(s, at);
			st->files++;
			st->removed++;
		}
		return 0;
	}
	st->files++;
	if (!found && insert(s, at, rel) != 0) {
		dz_mfile_free(f);
		return DZ_ENOMEM;
	}
	e = &s->v[at];
	e->changed = true;
	if (f->failed && e->served != NULL) {
		bury(s, e->rejected);
		e->rejected = f;
		st->rejected++;
		return 0;
	}
	st->loaded++;
	f->fresh = true;
	if (e->served == NULL) {
		e->served = f;
		return 0;
	}
	/* A trial: kept if it builds cleanly (see the rule in set.h).
	 * Whether the version served is clean is known from the last
	 * build -- unless a newer version is rejected: then its objects
	 * say so (finish()), and it is as clean as when it was taken. */
	if (e->rejected == NULL && e->prev == NULL) {
		e->clean = file_clean(e->served);
	}
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
		int here = present(s, rels[i], &path);
		if (here < 0) {
			rc = here;
			goto out;
		}
		if (here == 0) {
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


/*
 * Build with the versions the served snapshot was made from that are
 * not served now (trials' previous versions, retired ones), so that the
 * build can edit zones in place.
 */
static int build_gone(struct dz_mset *s, struct dz_build_opts o,
		      struct dz_snapshot **out)
{
	struct dz_mfile **gone;
	size_t n = 0;

	for (const struct dz_mfile *f = s->retired; f; f = f->retired_next) {
		n++;
	}
	for (size_t i = 0; i < s->n; i++) {
		n += s->v[i].prev != NULL;
	}
	gone = malloc((n + 1) * sizeof(*gone));
	if (gone == NULL) {
		return DZ_ENOMEM;
	}
	o.gone = gone;
	for (struct dz_mfile *f = s->retired; f; f = f->retired_next) {
		gone[o.ngone++] = f;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].prev != NULL) {
			gone[o.ngone++] = s->v[i].prev;
		}
	}
	*out = dz_build(s->files, s->nfiles, &o);
	free(gone);
	return *out == NULL ? DZ_ENOMEM : 0;
}

static int build(struct dz_mset *s, const struct dz_build_opts *opts,
		 struct dz_snapshot **out, struct dz_build_undo **undo)
{
	struct dz_build_opts o = { 0 };

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
	if (opts != NULL) {
		o = *opts;
	}
	o.undo = undo;
	o.ctx = s->ctx;
	if (o.prev != NULL) {
		return build_gone(s, o, out);
	}
	*out = dz_build(files, s->nfiles, &o);
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
			bury(s, e->rejected);
			e->rejected = e->served;
			e->served = e->prev;
			st->loaded--;
			st->rejected++;
			back = true;
		} else {
			retire(s, e->prev);
			bury(s, e->rejected);
			e->rejected = NULL;
		}
		e->prev = NULL;
	}
	return back;
}

/* "file:line:col: what" ("file: what" without a line) of the first
 * error of a version that is not served. */
static void reject_msg(const struct dz_mfile *f, char *buf, size_t size)
{
	for (size_t i = 0; i < f->diags.n; i++) {
		const struct dz_diag *d = &f->diags.items[i];
		if (d->sev != DZ_SEV_ERROR) {
			continue;
		}
		if (d->line == 0) {
			snprintf(buf, size, "%s: %s", d->file, d->msg);
		} else {
			snprintf(buf, size, "%s:%u:%u: %s", d->file, d->line,
				 d->col ? d->col : 1, d->msg);
		}
		return;
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

/* Record the cleanliness of the versions read in this batch, and show
 * the rejections in the status of the objects still served. */
static void finish(struct dz_mset *s)
{
	char msg[400];

	for (size_t i = 0; i < s->n; i++) {
		s->v[i].served->fresh = false;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = &s->v[i];
		/* A version read in this batch and served: is it clean?
		 * (Others are looked at when a newer version comes.) */
		if (e->rejected == NULL) {
			if (e->changed) {
				e->clean = file_clean(e->served);
			}
			continue;
		}
		reject_msg(e->rejected, msg, sizeof(msg));
		for (size_t j = 0; j < e->served->nobjects; j++) {
			struct dz_object *o = &e->served->objects[j];
			/* a duplicate says so: the status of its identity
			 * is the first object's */
			if (o->reason == DZ_REASON_DUPLICATE_OBJECT) {
				continue;
			}
			o->reason = DZ_REASON_FAILED;
			dz_object_set_message(o, "%s (last good version still "
					      "served)", msg);
		}
	}
}

/*
 * A skipped symlink changes with its target, which may be touched
 * without it: look at every skipped file again (they are few). Those
 * readable now are marked; a changed reason is logged. 0 or DZ_ENOMEM.
 */
static int recheck_skips(struct dz_mset *s)
{
	int rc = 0;

	for (size_t i = 0; i < s->nskips && rc == 0; i++) {
		char *why = NULL, *rel = s->skips[i].rel;
		rc = dz_manifest_skipped(s->root, rel, &why);
		if (rc == 1) {
			rc = skip_note(s, rel, why, true);
		} else if (rc == 0) {
			rc = dz_mset_touch(s, rel); /* present() drops it */
		}
	}
	return rc;
}

int dz_mset_apply(struct dz_mset *s, const struct dz_build_opts *opts,
		  struct dz_mset_stats *stats, struct dz_snapshot **out)
{
	struct dz_mset_stats st = { 0 };
	struct dz_snapshot *snap = NULL;
	struct dz_build_undo *undo = NULL;
	int rc;

	*out = NULL;
	if (s->npend == 0) {
		rc = 0;
		goto out;
	}
	s->applied = false;
	s->nfiles = 0; /* the array points at versions about to go */
	for (size_t i = 0; i < s->n; i++) {
		s->v[i].changed = false;
	}
	if ((rc = recheck_skips(s)) != 0 ||
	    (rc = reread_pending(s, &st)) != 0) {
		goto out;
	}
	st.builds++;
	if ((rc = build(s, opts, &snap, &undo)) != 0) {
		goto out;
	}
	if (settle_trials(s, &st)) {
		/* The objects kept get the status they had before the
		 * trial: the next build may keep their zones. */
		dz_build_undo(undo);
		undo = NULL;
		dz_snapshot_unref(snap);
		snap = NULL;
		st.builds++;
		if ((rc = build(s, opts, &snap, NULL)) != 0) {
			goto out;
		}
	}
	finish(s);
	s->applied = true;
	*out = snap;
out:
	dz_build_undo_free(undo);
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

bool dz_mset_changed(const struct dz_mset *s, size_t i)
{
	return s->v[i].changed;
}

bool dz_mset_incremental(const struct dz_mset *s,
			 struct dz_object *const **touched, size_t *n)
{
	bool inc = dz_build_ctx_incremental(s->ctx, touched, n);

	return s->applied && inc;
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
				const struct dz_object *o = &r->objects[j];
				dz_diags_append(out, dz_object_diags(o));
				dz_diags_append(out, dz_object_bdiags(o));
			}
			continue;
		}
		struct dz_mfile *f = e->served;
		dz_build_collect_diags(&f, 1, out);
	}
}

const char *dz_mset_fault_name(enum dz_mset_fault f)
{
	switch (f) {
	case DZ_MSET_LOAD_FAILED:
		return "LoadFailed";
	case DZ_MSET_REJECTED:
		return "Rejected";
	case DZ_MSET_SKIPPED:
		return "Skipped";
	}
	return "Unknown";
}

/* Is the newest version of e's file not served? */
static bool entry_faulty(const struct entry *e)
{
	return e->rejected != NULL || e->served->failed;
}

/* p for e (entry_faulty), or for k. 0 or DZ_ENOMEM. */
static int problem(const struct entry *e, const struct skip *k,
		   struct dz_mset_problem *p)
{
	char msg[400];
	int len;

	if (k != NULL) {
		p->fault = DZ_MSET_SKIPPED;
		p->rel = strdup(k->rel);
		len = asprintf(&p->message, "%s: %s", k->rel, k->why);
	} else {
		const struct dz_mfile *newest = e->rejected ? e->rejected :
						e->served;
		p->fault = newest->failed ? DZ_MSET_LOAD_FAILED :
			   DZ_MSET_REJECTED;
		reject_msg(newest, msg, sizeof(msg));
		p->rel = strdup(e->rel);
		len = asprintf(&p->message, "%s%s", msg, e->served->failed ?
			       "" : " (last good version still served)");
	}
	if (len < 0) {
		p->message = NULL;
	}
	return p->rel != NULL && p->message != NULL ? 0 : DZ_ENOMEM;
}

int dz_mset_problems(const struct dz_mset *s, struct dz_mset_problem **v,
		     size_t *n)
{
	size_t count = s->nskips, i = 0, j = 0, k = 0;
	int rc = 0;

	*v = NULL;
	*n = 0;
	for (size_t e = 0; e < s->n; e++) {
		count += entry_faulty(&s->v[e]);
	}
	if (count == 0) {
		return 0;
	}
	*v = calloc(count, sizeof(**v));
	if (*v == NULL) {
		return DZ_ENOMEM;
	}
	/* Both lists are sorted by rel: merge them. */
	while (rc == 0 && (i < s->n || j < s->nskips)) {
		if (i < s->n && !entry_faulty(&s->v[i])) {
			i++;
		} else if (j < s->nskips && (i == s->n ||
			   strcmp(s->skips[j].rel, s->v[i].rel) < 0)) {
			rc = problem(NULL, &s->skips[j++], &(*v)[k++]);
		} else {
			rc = problem(&s->v[i++], NULL, &(*v)[k++]);
		}
	}
	*n = k;
	if (rc != 0) {
		dz_mset_problems_free(*v, k);
		*v = NULL;
		*n = 0;
	}
	return rc;
}

void dz_mset_problems_free(struct dz_mset_problem *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].rel);
		free(v[i].message);
	}
	free(v);
}
