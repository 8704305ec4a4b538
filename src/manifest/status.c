/* SPDX-License-Identifier: MIT */
/* status.c -- every object's status, the way kubectl shows it. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "manifest/status.h"
#include "manifest/yaml.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "zone/zone.h"

/*
 * One object's remembered state, 24 bytes: there is one per object, a
 * million at a million records. o is the object served now: its file
 * version stays alive until the next update has read it (the set retires
 * replaced versions, dz_mset_release_retired), so the table keeps no
 * copies of names, and reads the spec hash an entry was made with through
 * o (an object's spec_hash never changes). The update dereferences an old
 * entry's o only where it did when the entry kept its own hashes: once
 * its identity matched, or for an object kept or retired, both alive.
 * Times are unsigned 32-bit seconds (good until 2106).
 */
struct sobj {
	const struct dz_object *o;
	uint32_t idh;              /* id_fold(o->id_hash): probe without o */
	uint32_t created, transition;
	unsigned generation : 31;
	unsigned ready : 1;
};

_Static_assert(sizeof(struct sobj) <= 3 * sizeof(uint64_t),
	       "a status entry grew: one per object");

#define GEN_MAX 0x7fffffffu        /* generation saturates there */

/* The 32 bits of an identity hash that the index and entries keep. */
static uint32_t id_fold(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

/* Wall clock seconds as an entry keeps them. */
static uint32_t secs(time_t t)
{
	return t < 0 ? 0 : (uint64_t)t > UINT32_MAX ? UINT32_MAX :
	       (uint32_t)t;
}

/*
 * The table: entries in set order (files by path, objects in document
 * order), and the sorted order made only when a listing is printed. An
 * object kept since the last update reaches its entry through o->sidx;
 * an open-addressing index by (kind, namespace, name) is made only when
 * a duplicate changes hands (update_all). A batch costs one pass over
 * the objects, no sort.
 */
struct dz_status {
	struct sobj *v;
	size_t n;
	/* Files whose newest version is not served (dz_mset_problems),
	 * sorted by rel, and since when each is so. */
	struct dz_mset_problem *files;
	time_t *since;
	size_t nfiles;
	uint32_t *index;           /* entry + 1, 0 = empty; mask + 1 slots */
	size_t mask;
	const struct dz_snapshot *snap; /* the caller keeps it alive */
	/* The entries of the table before, reused by the next update (a
	 * fresh 1M-entry array costs as much in page faults as in work). */
	struct sobj *spare_v;
	size_t spare_vcap;
	size_t vcap;
	/* Entries left empty (o NULL) by in-place updates (update_delta),
	 * for the next new objects. */
	uint32_t *holes;
	size_t nholes, capholes;
	bool stale;                /* new, or an update failed: the next
	                            * one is made in full */
};

struct dz_status *dz_status_new(void)
{
	struct dz_status *st = calloc(1, sizeof(struct dz_status));

	if (st != NULL) {
		st->stale = true; /* nothing to update in place yet */
	}
	return st;
}

static void table_free(struct dz_status *t)
{
	free(t->v);
	free(t->index);
	free(t->spare_v);
	free(t->holes);
	dz_mset_problems_free(t->files, t->nfiles);
	free(t->since);
}

void dz_status_free(struct dz_status *st)
{
	if (st == NULL) {
		return;
	}
	table_free(st);
	free(st);
}

static int key_cmp3(const char *k1, const char *n1, const char *m1,
		    const char *k2, const char *n2, const char *m2)
{
	int c;

	if ((c = strcmp(k1, k2)) != 0 || (c = strcmp(n1, n2)) != 0) {
		return c;
	}
	return strcmp(m1, m2);
}

static int sobj_cmp(const void *pa, const void *pb)
{
	const struct dz_object *a = (*(const struct sobj *const *)pa)->o;
	const struct dz_object *b = (*(const struct sobj *const *)pb)->o;

	return key_cmp3(a->cls->kind, a->cls->ns, a->name, b->cls->kind,
			b->cls->ns, b->name);
}

/* The entries sorted by kind, namespace, name (malloc'd; *n of them:
 * the table's holes left out), or NULL. */
static const struct sobj **sorted(const struct dz_status *st, size_t *n)
{
	const struct sobj **p = malloc((st->n + 1) * sizeof(*p));

	*n = 0;
	if (p == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < st->n; i++) {
		if (st->v[i].o != NULL) {
			p[(*n)++] = &st->v[i];
		}
	}
	qsort(p, *n, sizeof(*p), sobj_cmp);
	return p;
}

/* The slot of o's identity in t's index: its entry or an empty one. */
static uint32_t *slot(const struct dz_status *t, const struct dz_object *o,
		      uint32_t h)
{
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		uint32_t *sl = &t->index[i];
		const struct sobj *e = *sl ? &t->v[*sl - 1] : NULL;
		/* the same object (kept since the last update) needs no
		 * string compare: most of a big table */
		if (e == NULL || (e->idh == h &&
				  (e->o == o ||
				   key_cmp3(e->o->cls->kind, e->o->cls->ns,
					    e->o->name, o->cls->kind,
					    o->cls->ns, o->name) == 0))) {
			return sl;
		}
	}
}

/* Fill a new entry for o, carrying over what old knew. */
static void note(struct sobj *e, const struct dz_object *o,
		 const struct sobj *old, time_t now)
{
	bool ready = o->reason == DZ_REASON_SUCCEEDED;

	if (old == NULL) {
		e->generation = 1;
		e->created = e->transition = secs(now);
	} else {
		e->generation = old->generation +
				(old->generation < GEN_MAX &&
				 dz_object_spec_hash(old->o) !=
				 dz_object_spec_hash(o));
		e->created = old->created;
		e->transition = old->ready == ready ? old->transition :
				secs(now);
	}
	e->o = o;
	e->idh = id_fold(o->id_hash);
	e->ready = ready;
}

/* A new empty table t for total entries (no index yet), in st's spare
 * array when it is big enough (taken from st). */
static int table_new(struct dz_status *t, struct dz_status *st, size_t total)
{
	memset(t, 0, sizeof(*t));
	if (st->spare_v != NULL && st->spare_vcap >= total + 1) {
		t->v = st->spare_v;
		t->vcap = st->spare_vcap;
		st->spare_v = NULL;
	} else {
		t->v = malloc((total + 1) * sizeof(*t->v));
		t->vcap = total + 1;
	}
	return t->v != NULL ? 0 : DZ_ENOMEM;
}

/* An empty index for t with room for total entries. */
static int index_new(struct dz_status *t, size_t total)
{
	size_t cap = 16;

	while (cap < 2 * total + 2) {
		cap *= 2;
	}
	free(t->index);
	t->index = calloc(cap, sizeof(*t->index));
	t->mask = cap - 1;
	return t->index != NULL ? 0 : DZ_ENOMEM;
}

/* Index t's entries by identity (the fast update makes none). */
static int index_fill(struct dz_status *t)
{
	if (t->index != NULL || t->n == 0) {
		return 0;
	}
	if (index_new(t, t->n) != 0) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].o != NULL) {
			*slot(t, t->v[i].o, t->v[i].idh) = (uint32_t)i + 1;
		}
	}
	return 0;
}

/* The last update's entry of o when o is the same object (kept since). */
static const struct sobj *kept_entry(const struct dz_status *st,
				     const struct dz_object *o)
{
	return o->sidx < st->n && st->v[o->sidx].o == o ? &st->v[o->sidx] :
	       NULL;
}

/* The last update's entry of o: kept_entry(), else by identity. */
static const struct sobj *old_entry(const struct dz_status *st,
				    const struct dz_object *o, uint32_t h)
{
	const struct sobj *e = kept_entry(st, o);
	const uint32_t *sl;

	if (e != NULL || st->index == NULL) {
		return e;
	}
	sl = slot(st, o, h);
	return *sl ? &st->v[*sl - 1] : NULL;
}

/* Entries of versions that left the set since the last update. */
struct gone {
	const struct sobj **v;
	size_t n, mask;
};

static int gone_fill(struct gone *g, const struct dz_status *st,
		     const struct dz_mset *set)
{
	size_t n = 0, cap = 16;

	for (const struct dz_mfile *f = dz_mset_retired(set); f != NULL;
	     f = f->retired_next) {
		n += f->nobjects;
	}
	while (cap < 2 * n + 2) {
		cap *= 2;
	}
	g->v = calloc(cap, sizeof(*g->v));
	g->mask = cap - 1;
	if (g->v == NULL) {
		return DZ_ENOMEM;
	}
	for (const struct dz_mfile *f = dz_mset_retired(set); f != NULL;
	     f = f->retired_next) {
		for (size_t j = 0; j < f->nobjects; j++) {
			const struct sobj *e = kept_entry(st, &f->objects[j]);
			size_t i = e != NULL ? e->idh & g->mask : 0;
			while (e != NULL && g->v[i] != NULL) {
				i = (i + 1) & g->mask;
			}
			if (e != NULL) {
				g->v[i] = e;
			}
		}
	}
	return 0;
}

static const struct sobj *gone_find(const struct gone *g,
				    const struct dz_object *o)
{
	uint32_t h = id_fold(o->id_hash);

	for (size_t i = h & g->mask; g->v[i] != NULL;
	     i = (i + 1) & g->mask) {
		const struct dz_object *x = g->v[i]->o;
		if (g->v[i]->idh == h &&
		    key_cmp3(x->cls->kind, x->cls->ns, x->name, o->cls->kind,
			     o->cls->ns, o->name) == 0) {
			return g->v[i];
		}
	}
	return NULL;
}

/*
 * The update of most batches, one pass and no index: an object kept
 * since the last update finds its entry through o->sidx, a new version
 * the entry of the version that left (by identity, among the few that
 * did), and duplicates are the build's (DuplicateObject). 1 (done), 0
 * when that is not enough -- an object that had an entry is now a
 * duplicate (another took its identity), or one was never built (a
 * build ran out of memory) -- or DZ_ENOMEM.
 */
static int update_fast(struct dz_status *t, const struct dz_status *st,
		       const struct dz_mset *set, time_t now)
{
	struct gone g = { 0 };
	int rc = 1;

	if (gone_fill(&g, st, set) != 0) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < dz_mset_count(set) && rc == 1; i++) {
		struct dz_mfile *f = dz_mset_served(set, i);
		for (size_t j = 0; j < f->nobjects && rc == 1; j++) {
			struct dz_object *o = &f->objects[j];
			const struct sobj *old = kept_entry(st, o);
			if (o->reason == DZ_REASON_DUPLICATE_OBJECT) {
				rc = old == NULL;
				continue;
			}
			if (o->reason == DZ_REASON_PENDING) {
				rc = 0;
				break;
			}
			if (old == NULL) {
				old = gone_find(&g, o);
			}
			note(&t->v[t->n], o, old, now);
			o->sidx = (uint32_t)t->n++;
		}
	}
	free(g.v);
	return rc;
}

/* Room in st for n more entries and nh more holes. */
static int reserve(struct dz_status *st, size_t n, size_t nh)
{
	size_t need = st->n + n + 1;

	if (need >= UINT32_MAX) {
		return DZ_ENOMEM;
	}
	if (need > st->vcap) {
		size_t cap = st->vcap + st->vcap / 2 > need ?
			     st->vcap + st->vcap / 2 : need;
		struct sobj *v = realloc(st->v, cap * sizeof(*v));
		if (v == NULL) {
			return DZ_ENOMEM;
		}
		st->v = v;
		st->vcap = cap;
	}
	if (st->nholes + nh > st->capholes) {
		size_t cap = st->nholes + nh + 16;
		uint32_t *h = realloc(st->holes, cap * sizeof(*h));
		if (h == NULL) {
			return DZ_ENOMEM;
		}
		st->holes = h;
		st->capholes = cap;
	}
	return 0;
}

/*
 * The update after a delta build (dz_mset_incremental): only the objects
 * of the files re-read, of the versions that left and the DNSZones the
 * build touched have news. Their entries are updated in place: a new
 * version takes over the entry of the version that left, a new object
 * a hole or a new entry, an entry nobody took becomes a hole. 1 (done),
 * 0 when the table should be made again (duplicates in the files re-read,
 * too many holes), DZ_ENOMEM (nothing changed).
 */
static int update_delta(struct dz_status *st, const struct dz_mset *set,
			struct dz_object *const *touched, size_t ntouched,
			time_t now)
{
	struct gone g = { 0 };
	size_t nnew = 0, ngone = 0;

	if (st->stale || st->nholes > st->n / 4 + 1024) {
		return 0;
	}
	for (size_t i = 0; i < dz_mset_count(set); i++) {
		const struct dz_mfile *f = dz_mset_served(set, i);
		for (size_t j = 0; dz_mset_changed(set, i) &&
		     j < f->nobjects; j++) {
			enum dz_reason r = f->objects[j].reason;
			if (r == DZ_REASON_DUPLICATE_OBJECT ||
			    r == DZ_REASON_PENDING) {
				return 0;
			}
			nnew++;
		}
	}
	for (const struct dz_mfile *f = dz_mset_retired(set); f != NULL;
	     f = f->retired_next) {
		ngone += f->nobjects;
	}
	/* entries are reached by pointer below: no realloc after this */
	if (reserve(st, nnew, ngone) != 0 || gone_fill(&g, st, set) != 0) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < dz_mset_count(set); i++) {
		struct dz_mfile *f = dz_mset_served(set, i);
		for (size_t j = 0; dz_mset_changed(set, i) &&
		     j < f->nobjects; j++) {
			struct dz_object *o = &f->objects[j];
			struct sobj *e = (struct sobj *)kept_entry(st, o), old;
			if (e == NULL) {
				e = (struct sobj *)gone_find(&g, o);
			}
			if (e != NULL) {
				old = *e;
				note(e, o, &old, now);
			} else {
				e = &st->v[st->nholes > 0 ?
					   st->holes[--st->nholes] : st->n++];
				note(e, o, NULL, now);
			}
			o->sidx = (uint32_t)(e - st->v);
		}
	}
	/* versions that left, their entry not taken over: holes */
	for (const struct dz_mfile *f = dz_mset_retired(set); f != NULL;
	     f = f->retired_next) {
		for (size_t j = 0; j < f->nobjects; j++) {
			struct sobj *e = (struct sobj *)kept_entry(
				st, &f->objects[j]);
			if (e == NULL) {
				continue;
			}
			e->o = NULL;
			st->holes[st->nholes++] = (uint32_t)(e - st->v);
		}
	}
	for (size_t i = 0; i < ntouched; i++) {
		struct sobj *e = (struct sobj *)kept_entry(st, touched[i]), old;
		if (e != NULL) {
			old = *e;
			note(e, touched[i], &old, now);
		}
	}
	free(g.v);
	/* the identity index (update_all) is made again when needed */
	free(st->index);
	st->index = NULL;
	st->mask = 0;
	return 1;
}

/* The general update: every object by identity, duplicates by set
 * order. */
static int update_all(struct dz_status *t, struct dz_status *st,
		      const struct dz_mset *set, size_t total, time_t now)
{
	t->n = 0;
	if (index_fill(st) != 0 || index_new(t, total) != 0) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < dz_mset_count(set); i++) {
		struct dz_mfile *f = dz_mset_served(set, i);
		for (size_t j = 0; j < f->nobjects; j++) {
			struct dz_object *o = &f->objects[j];
			uint32_t h = id_fold(o->id_hash);
			uint32_t *sl = slot(t, o, h);
			if (*sl != 0) {
				continue; /* duplicate: the first one is it */
			}
			note(&t->v[t->n], o, old_entry(st, o, h), now);
			o->sidx = (uint32_t)t->n;
			*sl = (uint32_t)++t->n;
		}
	}
	return 0;
}

/* t's files from set; each keeps the time old had for it. */
static int files_update(struct dz_status *t, const struct dz_status *old,
			const struct dz_mset *set, time_t now)
{
	size_t j = 0;

	if (dz_mset_problems(set, &t->files, &t->nfiles) != 0 ||
	    (t->since = calloc(t->nfiles + 1, sizeof(*t->since))) == NULL) {
		return DZ_ENOMEM;
	}
	/* Both sorted by rel: one walk. */
	for (size_t i = 0; i < t->nfiles; i++) {
		const char *rel = t->files[i].rel;
		while (j < old->nfiles && strcmp(old->files[j].rel, rel) < 0) {
			j++;
		}
		t->since[i] = j < old->nfiles &&
			      strcmp(old->files[j].rel, rel) == 0 ?
			      old->since[j] : now;
	}
	return 0;
}

int dz_status_update(struct dz_status *st, const struct dz_mset *set,
		     const struct dz_snapshot *snap, time_t now)
{
	struct dz_status t = { 0 };
	struct dz_object *const *touched;
	size_t total = 0, nt;
	int rc;

	if (dz_mset_incremental(set, &touched, &nt)) {
		struct dz_status nf = { 0 };
		rc = update_delta(st, set, touched, nt, now);
		if (rc == 1 && files_update(&nf, st, set, now) != 0) {
			dz_mset_problems_free(nf.files, nf.nfiles);
			free(nf.since);
			rc = DZ_ENOMEM;
		}
		if (rc < 0) {
			st->stale = true;
			return rc;
		}
		if (rc == 1) {
			dz_mset_problems_free(st->files, st->nfiles);
			free(st->since);
			st->files = nf.files;
			st->since = nf.since;
			st->nfiles = nf.nfiles;
			st->snap = snap;
			return 0;
		}
	}
	for (size_t i = 0; i < dz_mset_count(set); i++) {
		total += dz_mset_served(set, i)->nobjects;
	}
	if (total >= UINT32_MAX || table_new(&t, st, total) != 0) {
		table_free(&t);
		st->stale = true;
		return DZ_ENOMEM;
	}
	rc = update_fast(&t, st, set, now);
	if (rc == 0) {
		rc = update_all(&t, st, set, total, now);
	}
	if (rc < 0 || files_update(&t, st, set, now) != 0) {
		table_free(&t);
		st->stale = true;
		return DZ_ENOMEM;
	}
	/* st's entries are the next update's spare array */
	t.spare_v = st->v;
	t.spare_vcap = st->vcap;
	st->v = NULL;
	table_free(st);
	t.snap = snap;
	*st = t;
	return 0;
}

/* ---- printing ------------------------------------------------------- */

static void age(time_t secs, char *buf, size_t size)
{
	if (secs < 0) {
		secs = 0;
	}
	if (secs < 120) {
		snprintf(buf, size, "%llds", (long long)secs);
	} else if (secs < 7200) {
		snprintf(buf, size, "%lldm", (long long)secs / 60);
	} else if (secs < 172800) {
		snprintf(buf, size, "%lldh", (long long)secs / 3600);
	} else {
		snprintf(buf, size, "%lldd", (long long)secs / 86400);
	}
}

/* s on one line: control characters (a quoted value's newline) as
 * spaces. */
static void put_line(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
	}
	fputc('\n', out);
}

/* After the objects: the files not served as they are, when any. */
static void print_files(const struct dz_status *st, FILE *out)
{
	size_t wf = 4, wr = 6;

	if (st->nfiles == 0) {
		return;
	}
	for (size_t i = 0; i < st->nfiles; i++) {
		const struct dz_mset_problem *p = &st->files[i];
		size_t r = strlen(dz_mset_fault_name(p->fault));
		wf = strlen(p->rel) > wf ? strlen(p->rel) : wf;
		wr = r > wr ? r : wr;
	}
	fprintf(out, "\n%-*s   %-5s   %-*s   %s\n", (int)wf, "FILE", "READY",
		(int)wr, "REASON", "MESSAGE");
	for (size_t i = 0; i < st->nfiles; i++) {
		const struct dz_mset_problem *p = &st->files[i];
		fprintf(out, "%-*s   %-5s   %-*s   ", (int)wf, p->rel, "False",
			(int)wr, dz_mset_fault_name(p->fault));
		put_line(out, p->message);
	}
}

void dz_status_print_table(const struct dz_status *st, FILE *out,
			   time_t now)
{
	size_t wk = 4, wn = 9, wm = 4, wz = 4, wr = 6, n;
	const struct sobj **by = sorted(st, &n);
	char a[32];

	if (by == NULL) {
		fputs("out of memory\n", out);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct sobj *e = by[i];
		size_t z = strlen(e->o->zone ? e->o->zone : "<none>"), r;
		r = strlen(dz_reason_name(e->o->reason));
		size_t k = strlen(e->o->cls->kind);
		wk = k > wk ? k : wk;
		wn = strlen(e->o->cls->ns) > wn ? strlen(e->o->cls->ns) : wn;
		wm = strlen(e->o->name) > wm ? strlen(e->o->name) : wm;
		wz = z > wz ? z : wz;
		wr = r > wr ? r : wr;
	}
	fprintf(out, "%-*s   %-*s   %-*s   %-*s   %-5s   %-*s   %s\n",
		(int)wk, "KIND", (int)wn, "NAMESPACE", (int)wm, "NAME",
		(int)wz, "ZONE", "READY", (int)wr, "REASON", "AGE");
	for (size_t i = 0; i < n; i++) {
		const struct sobj *e = by[i];
		age(now - (time_t)e->created, a, sizeof(a));
		fprintf(out, "%-*s   %-*s   %-*s   %-*s   %-5s   %-*s   %s\n",
			(int)wk, e->o->cls->kind, (int)wn, e->o->cls->ns,
			(int)wm, e->o->name, (int)wz,
			e->o->zone ? e->o->zone : "<none>",
			e->ready ? "True" : "False", (int)wr,
			dz_reason_name(e->o->reason), a);
	}
	free(by);
	print_files(st, out);
}

/* A string as a JSON (and YAML double-quoted) literal. */
static void quote(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			fprintf(out, "\\%c", c);
		} else if (c == '\n') {
			fputs("\\n", out);
		} else if (c == '\t') {
			fputs("\\t", out);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
		} else {
			fputc(c, out);
		}
	}
	fputc('"', out);
}

/* An unquoted scalar that YAML and JSON read as a number or boolean. */
static bool is_literal(const struct dz_ynode *n)
{
	const char *s = n->u.str;
	char *end;

	if (n->quoted || s[0] == '\0') {
		return false;
	}
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
		return true;
	}
	if (s[0] == '+' || s[0] == '.' || (s[0] == '0' && s[1] != '\0')) {
		return false;
	}
	strtod(s, &end);
	return *end == '\0';
}

/* Plain YAML is safe for: letters, digits and -._/@ not at the start. */
static bool yaml_plain(const char *s)
{
	if (s[0] == '\0' || strchr("-.@/", s[0]) != NULL) {
		return false;
	}
	for (const char *c = s; *c != '\0'; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("-._/@", *c))) {
			return false;
		}
	}
	return strcmp(s, "true") != 0 && strcmp(s, "false") != 0 &&
	       strcmp(s, "null") != 0 && strcmp(s, "yes") != 0 &&
	       strcmp(s, "no") != 0 && strcmp(s, "on") != 0 &&
	       strcmp(s, "off") != 0 && strtod(s, NULL) == 0 &&
	       !(s[0] >= '0' && s[0] <= '9');
}

static void yaml_str(FILE *out, const char *s)
{
	if (yaml_plain(s)) {
		fputs(s, out);
	} else {
		quote(out, s);
	}
}

static void yaml_scalar(FILE *out, const struct dz_ynode *n)
{
	if (is_literal(n)) {
		fputs(n->u.str, out);
	} else {
		yaml_str(out, n->u.str);
	}
}

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++) {
		fputs("  ", out);
	}
}

/* The value after "key:" or "- ": scalars inline, collections below. */
static void yaml_node(FILE *out, const struct dz_ynode *n, int depth,
		      bool in_seq);

static void yaml_value(FILE *out, const struct dz_ynode *n, int depth)
{
	if (n->type == DZ_YNODE_SCALAR) {
		fputc(' ', out);
		yaml_scalar(out, n);
		fputc('\n', out);
	} else if (n->len == 0) {
		fputs(n->type == DZ_YNODE_MAP ? " {}\n" : " []\n", out);
	} else {
		fputc('\n', out);
		yaml_node(out, n, depth, false);
	}
}

static void yaml_node(FILE *out, const struct dz_ynode *n, int depth,
		      bool in_seq)
{
	for (size_t i = 0; i < n->len; i++) {
		/* The first line of a map inside a sequence follows "- ". */
		if (!(in_seq && i == 0)) {
			indent(out, depth);
		}
		if (n->type == DZ_YNODE_SEQ) {
			const struct dz_ynode *it = n->u.items[i];
			fputs("-", out);
			if (it->type == DZ_YNODE_MAP && it->len > 0) {
				fputc(' ', out);
				yaml_node(out, it, depth + 1, true);
			} else {
				yaml_value(out, it, depth + 1);
			}
			continue;
		}
		yaml_str(out, n->u.pairs[i].key->u.str);
		fputc(':', out);
		yaml_value(out, n->u.pairs[i].value, depth + 1);
	}
}

static void json_node(FILE *out, const struct dz_ynode *n, int depth)
{
	if (n == NULL) {
		fputs("null", out);
		return;
	}
	if (n->type == DZ_YNODE_SCALAR) {
		if (is_literal(n)) {
			fputs(n->u.str, out);
		} else {
			quote(out, n->u.str);
		}
		return;
	}
	fputc(n->type == DZ_YNODE_MAP ? '{' : '[', out);
	for (size_t i = 0; i < n->len; i++) {
		fprintf(out, "%s\n", i ? "," : "");
		indent(out, depth + 1);
		if (n->type == DZ_YNODE_MAP) {
			quote(out, n->u.pairs[i].key->u.str);
			fputs(": ", out);
			json_node(out, n->u.pairs[i].value, depth + 1);
		} else {
			json_node(out, n->u.items[i], depth + 1);
		}
	}
	if (n->len > 0) {
		fputc('\n', out);
		indent(out, depth);
	}
	fputc(n->type == DZ_YNODE_MAP ? '}' : ']', out);
}

/* What the status section shows, gathered once for both formats. */
struct view {
	const struct sobj *e;
	const struct dz_object *o;
	struct dz_arena *scratch;      /* the trees below */
	const struct dz_ynode *labels; /* NULL: none */
	const struct dz_ynode *spec;   /* NULL: none */
	char when[32];
	char source[300];
	bool has_zone_info;
	size_t records;
	uint32_t serial;
	const struct dz_diag *warn[32];
	size_t nwarn;
};

int dz_status_zone_serial(const struct dz_snapshot *snap, const char *zone,
			  uint32_t *serial)
{
	uint8_t wire[DZ_DNAME_MAX];
	size_t len;
	const struct dz_zone *z;

	if (snap == NULL || dz_dname_from_text(zone, strlen(zone), NULL, wire,
					       &len, NULL, NULL) != 0) {
		return -ENOENT;
	}
	dz_dname_tolower(wire);
	z = dz_snapshot_find_zone(snap, wire, len);
	if (z == NULL || !dz_dname_equal(dz_zone_origin(z), wire)) {
		return -ENOENT;
	}
	*serial = dz_zone_serial(z);
	return 0;
}

static void add_warns(struct view *v, const struct dz_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].sev == DZ_SEV_WARNING &&
		    v->nwarn < sizeof(v->warn) / sizeof(v->warn[0])) {
			v->warn[v->nwarn++] = &d->items[i];
		}
	}
}

/* o's labels as a map node, for the printers (NULL when none). */
static const struct dz_ynode *labels_tree(struct dz_arena *a,
					  const struct dz_object *o)
{
	const struct dz_oclass *c = o->cls;
	struct dz_ynode *map = dz_arena_alloc(a, sizeof(*map));
	struct dz_ypair *pairs = dz_arena_alloc(a, (c->nlabels + 1) *
						sizeof(*pairs));
	struct dz_ynode *nodes = dz_arena_alloc(a, (2 * c->nlabels + 1) *
						sizeof(*nodes));

	if (c->nlabels == 0 || map == NULL || pairs == NULL || nodes == NULL) {
		return NULL;
	}
	map->type = DZ_YNODE_MAP;
	map->len = c->nlabels;
	map->u.pairs = pairs;
	for (size_t i = 0; i < c->nlabels; i++) {
		struct dz_ynode *k = &nodes[2 * i], *val = &nodes[2 * i + 1];
		k->type = val->type = DZ_YNODE_SCALAR;
		k->u.str = c->labels[i].key;
		k->len = strlen(k->u.str);
		val->u.str = c->labels[i].value;
		val->len = strlen(val->u.str);
		val->quoted = true; /* label values are strings */
		pairs[i].key = k;
		pairs[i].value = val;
	}
	return map;
}

static void view_free(struct view *v)
{
	dz_arena_free(v->scratch);
}

static void view_init(struct view *v, const struct dz_status *st,
		      const struct sobj *e)
{
	const struct dz_object *o = e->o;
	time_t when = (time_t)e->transition;
	struct tm tm;
	char zone[300];

	memset(v, 0, sizeof(*v));
	v->e = e;
	v->o = o;
	if ((v->scratch = dz_arena_new(0)) != NULL) {
		v->labels = labels_tree(v->scratch, o);
		v->spec = dz_object_spec(o, v->scratch, NULL);
	}
	gmtime_r(&when, &tm);
	strftime(v->when, sizeof(v->when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(v->source, sizeof(v->source), "%s:%u", o->cls->file->rel,
		 o->line);
	add_warns(v, dz_object_diags(o));
	add_warns(v, dz_object_bdiags(o));
	if (o->cls->is_zone && o->zone != NULL && st->snap != NULL) {
		snprintf(zone, sizeof(zone), "%s.", o->zone);
		uint8_t wire[DZ_DNAME_MAX];
		size_t len;
		if (dz_dname_from_text(zone, strlen(zone), NULL, wire, &len,
				       NULL, NULL) == 0) {
			dz_dname_tolower(wire);
			const struct dz_zone *z = dz_snapshot_find_zone(
				st->snap, wire, len);
			if (z != NULL) {
				v->has_zone_info = true;
				v->records = dz_zone_rr_count(z);
				v->serial = dz_zone_serial(z);
			}
		}
	}
}

static void print_yaml(const struct view *v, FILE *out)
{
	const struct dz_object *o = v->o;

	fprintf(out, "apiVersion: %s\nkind: %s\nmetadata:\n",
		o->cls->api_version, o->cls->kind);
	fprintf(out, "  generation: %llu\n",
		(unsigned long long)v->e->generation);
	if (v->labels != NULL && v->labels->type == DZ_YNODE_MAP) {
		fputs("  labels:", out);
		yaml_value(out, v->labels, 2);
	}
	fputs("  name: ", out);
	yaml_str(out, o->name);
	fputs("\n  namespace: ", out);
	yaml_str(out, o->cls->ns);
	fputs("\nspec:", out);
	if (v->spec != NULL) {
		yaml_value(out, v->spec, 1);
	} else {
		fputs(" {}\n", out);
	}
	fputs("status:\n  conditions:\n  - type: Ready\n", out);
	fprintf(out, "    status: \"%s\"\n    reason: %s\n    message: ",
		v->e->ready ? "True" : "False", dz_reason_name(o->reason));
	quote(out, dz_object_message(o));
	fprintf(out, "\n    lastTransitionTime: \"%s\"\n", v->when);
	fprintf(out, "  observedGeneration: %llu\n",
		(unsigned long long)v->e->generation);
	if (o->zone != NULL) {
		fprintf(out, "  zone: %s\n", o->zone);
	}
	fprintf(out, "  source: %s\n", v->source);
	if (v->has_zone_info) {
		fprintf(out, "  recordCount: %zu\n  serial: %u\n", v->records,
			v->serial);
	}
	if (v->nwarn > 0) {
		fputs("  warnings:\n", out);
	}
	for (size_t i = 0; i < v->nwarn; i++) {
		fputs("  - ", out);
		quote(out, v->warn[i]->msg);
		fputc('\n', out);
	}
}

static void print_json(const struct view *v, FILE *out)
{
	const struct dz_object *o = v->o;

	fputs("{\n  \"apiVersion\": ", out);
	quote(out, o->cls->api_version);
	fputs(",\n  \"kind\": ", out);
	quote(out, o->cls->kind);
	fprintf(out, ",\n  \"metadata\": {\n    \"generation\": %llu,\n",
		(unsigned long long)v->e->generation);
	if (v->labels != NULL && v->labels->type == DZ_YNODE_MAP) {
		fputs("    \"labels\": ", out);
		json_node(out, v->labels, 2);
		fputs(",\n", out);
	}
	fputs("    \"name\": ", out);
	quote(out, o->name);
	fputs(",\n    \"namespace\": ", out);
	quote(out, o->cls->ns);
	fputs("\n  },\n  \"spec\": ", out);
	json_node(out, v->spec, 1);
	fprintf(out, ",\n  \"status\": {\n    \"conditions\": [\n      {\n"
		"        \"type\": \"Ready\",\n        \"status\": \"%s\",\n"
		"        \"reason\": \"%s\",\n        \"message\": ",
		v->e->ready ? "True" : "False", dz_reason_name(o->reason));
	quote(out, dz_object_message(o));
	fprintf(out, ",\n        \"lastTransitionTime\": \"%s\"\n      }\n"
		"    ],\n    \"observedGeneration\": %llu,\n", v->when,
		(unsigned long long)v->e->generation);
	if (o->zone != NULL) {
		fputs("    \"zone\": ", out);
		quote(out, o->zone);
		fputs(",\n", out);
	}
	if (v->has_zone_info) {
		fprintf(out, "    \"recordCount\": %zu,\n    \"serial\": %u,\n",
			v->records, v->serial);
	}
	fputs("    \"warnings\": [", out);
	for (size_t i = 0; i < v->nwarn; i++) {
		fputs(i ? ", " : "", out);
		quote(out, v->warn[i]->msg);
	}
	fputs("],\n    \"source\": ", out);
	quote(out, v->source);
	fputs("\n  }\n}\n", out);
}

/* File i of st as a ManifestFile object, in JSON or YAML. */
static void print_file(const struct dz_status *st, size_t i,
		       enum dz_status_format fmt, FILE *out)
{
	const struct dz_mset_problem *p = &st->files[i];
	bool json = fmt == DZ_STATUS_JSON;
	struct tm tm;
	char when[32];

	gmtime_r(&st->since[i], &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs(json ? "{\n  \"apiVersion\": \"" DZ_STATUS_FILE_API "\",\n"
	      "  \"kind\": \"" DZ_STATUS_FILE_KIND "\",\n"
	      "  \"metadata\": {\n    \"name\": " :
	      "apiVersion: " DZ_STATUS_FILE_API "\nkind: " DZ_STATUS_FILE_KIND
	      "\nmetadata:\n  name: ", out);
	if (json) {
		quote(out, p->rel);
	} else {
		yaml_str(out, p->rel);
	}
	fputs(json ? "\n  },\n  \"status\": {\n    \"conditions\": [\n"
	      "      {\n        \"type\": \"Ready\",\n"
	      "        \"status\": \"False\",\n        \"reason\": \"" :
	      "\nstatus:\n  conditions:\n  - type: Ready\n"
	      "    status: \"False\"\n    reason: ", out);
	fputs(dz_mset_fault_name(p->fault), out);
	fputs(json ? "\",\n        \"message\": " : "\n    message: ", out);
	quote(out, p->message);
	fprintf(out, json ? ",\n        \"lastTransitionTime\": \"%s\"\n"
		"      }\n    ]\n  }\n}\n" :
		"\n    lastTransitionTime: \"%s\"\n", when);
}

int dz_status_print_object(const struct dz_status *st, const char *kind,
			   const char *name, const char *ns,
			   enum dz_status_format fmt, FILE *out)
{
	const struct sobj *found = NULL;
	struct view v;

	if (strcasecmp(kind, DZ_STATUS_FILE_KIND) == 0) {
		for (size_t i = 0; i < st->nfiles; i++) {
			if (strcmp(st->files[i].rel, name) == 0) {
				print_file(st, i, fmt, out);
				return 0;
			}
		}
		return -ENOENT;
	}

	for (size_t i = 0; i < st->n; i++) {
		const struct sobj *e = &st->v[i];
		if (e->o == NULL || strcasecmp(e->o->cls->kind, kind) != 0 ||
		    strcmp(e->o->name, name) != 0 ||
		    (ns != NULL && ns[0] != '\0' &&
		     strcmp(e->o->cls->ns, ns) != 0)) {
			continue;
		}
		if (found != NULL) {
			return -EEXIST;
		}
		found = e;
	}
	if (found == NULL) {
		return -ENOENT;
	}
	view_init(&v, st, found);
	if (fmt == DZ_STATUS_JSON) {
		print_json(&v, out);
	} else {
		print_yaml(&v, out);
	}
	view_free(&v);
	return 0;
}

void dz_status_print_list(const struct dz_status *st, FILE *out)
{
	size_t n;
	const struct sobj **by = sorted(st, &n);
	struct view v;

	if (by == NULL) {
		return;
	}
	fputs("{\n\"apiVersion\": \"v1\",\n\"kind\": \"List\",\n\"items\": [\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		view_init(&v, st, by[i]);
		print_json(&v, out);
		view_free(&v);
		fputs(i + 1 < n + st->nfiles ? ",\n" : "\n", out);
	}
	for (size_t i = 0; i < st->nfiles; i++) {
		print_file(st, i, DZ_STATUS_JSON, out);
		fputs(i + 1 < st->nfiles ? ",\n" : "\n", out);
	}
	fputs("]\n}\n", out);
	free(by);
}
