/* SPDX-License-Identifier: MIT */
/* build.c -- loaded manifest objects to a snapshot of zones, with status. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dname.h"
#include "util/errcode.h"
#include "util/log.h"
#include "util/par.h"
#include "zone/build.h"
#include "zone/checks.h"
#include "zone/dnszone.h"
#include "zone/kindctx.h"

enum {
	T_A = 1,
	T_SOA = 6,
	T_AAAA = 28,
};

/* A DNSZone object that passed the load and duplicate checks. */
struct bzone {
	struct dz_object *obj;
	struct dz_zspec spec;
	bool ok;       /* spec valid */
	bool serves;   /* ok and first of its zoneName */
	struct dz_zone_builder *b;
	struct dz_zone *zone;
	uint64_t hash; /* content: sum of RR hashes, SOA serial left out */
	uint64_t fp;   /* inputs: the DNSZone and the records that join */
	size_t nmembers; /* records that join (plan_reuse): the builder's
			  * guess of its RRs */
	size_t obj_index; /* of obj in bstate.objs */
	const struct dz_zone *reuse; /* the served zone, same fp: kept */
	uint8_t **failed;  /* owners where a check failed a member */
	size_t nfailed, capfailed;
	/* Editing the served zone in place instead (dz_zone_edit): */
	struct dz_zone *prev;  /* the served zone of this origin */
	bool no_edit;          /* a member joins another zone too */
	bool edited;           /* zone is prev edited */
	uint64_t fp_fresh;     /* fingerprint shares of fresh members */
	uint64_t fp_gone;      /* and of gone ones */
	size_t *fresh;         /* st->objs indexes of fresh members */
	size_t nfresh, capfresh;
	struct dz_object **gone; /* gone versions that were members */
	size_t ngone, capgone;
	/* Kept in a dz_build_ctx: the zone the last build served for it
	 * (held by the context's snapshot), NULL when none. */
	const struct dz_zone *served;
	bool touched;          /* a delta build changes its members */
	struct dz_zone *compact; /* prev made afresh (held), or NULL */
};

/* An object's status from the previous build, kept aside until it is
 * known whether the object is built again or its zones are reused. */
struct saved {
	enum dz_reason reason;
	uint8_t built;
	bool reused;
	bool restored;  /* given back to the object: nothing here */
	bool light;     /* reason, message and zone only (delta builds) */
	char *message;
	const char *zone;
	struct dz_diags bdiags;
};

/* A record parsed for one of its zones, kept from the checks pass to
 * the pass that adds it: every record is parsed once per build. All of
 * it is in a parse arena (bstate.parsed): rr.items and their data too,
 * so rr.cap is 0 and the list is never cleared. */
struct pzone {
	uint8_t *owner;               /* wire name */
	uint32_t ttl;
	uint32_t ttl_line, ttl_col;   /* spec.ttl, else spec */
	struct dz_rdata_list rr;
};

/* The zones a record joins (in st->zlists: most lists hold one). */
struct zlist {
	uint32_t n;
	struct bzone *z[];
};

/* The list of a record that joins none. */
static const struct zlist no_zones;

/* What a build knows of one record object: one per object, 16 bytes. */
struct prec {
	const struct zlist *zl;       /* the zones it joins, NULL until
				       * known */
	struct pzone *pz;             /* zl->n entries (1 when none), or
				       * NULL before it is parsed */
};

_Static_assert(sizeof(struct prec) <= 16, "one prec per object");

/* How many zones p joins (none while not known). */
static size_t prec_nz(const struct prec *p)
{
	return p->zl != NULL ? p->zl->n : 0;
}

/* An MX/NS/SRV target to check for A/AAAA once all zones are built. */
struct target {
	struct dz_object *obj;
	struct bzone *zone;
	const uint8_t *name;    /* in bstate.tnames */
};

/* bstate.flags: what the passes over every object need to know without
 * reading the object (a million objects are 180 MB; these are 1). */
enum {
	OF_ZONE = 1 << 0,   /* a DNSZone */
	OF_BAD = 1 << 1,    /* failed to load, or a kind without a plugin */
	OF_KEPT = 1 << 2,   /* restore(): status taken back, nothing to do */
};

struct bstate {
	const struct dz_build_opts *opts;
	struct dz_object **objs;
	uint64_t *ids;          /* parallel to objs: id_hash */
	uint8_t *flags;         /* parallel to objs: OF_* */
	struct saved *saved;    /* parallel to objs; NULL while no object
				 * has a status to save (a first build) */
	struct prec *prec;      /* parallel to objs: records' zones, RRs */
	size_t nobjs;
	struct bzone *zones;
	size_t nzones;
	struct bzone **by_ref;  /* serving and not, by (ns, metadata.name) */
	struct bzone **by_name; /* serving only, by (ns, zone name) */
	size_t nserving;
	struct target *targets;
	size_t ntargets, captargets;
	size_t *multi;          /* objs indexes of members of several zones */
	size_t nmulti, capmulti;
	struct dz_arena *scratch; /* unpacked specs, one object at a time */
	/* The records' parse results (struct pzone and all it points to):
	 * one mapped arena per preparse thread, the rest in parsed[0].
	 * A record's results live until every record is added, then go
	 * all at once: no malloc and free a record, and none of it left
	 * in malloc's free lists (on a worker thread, in an arena that
	 * malloc_trim never shrinks) when the build is done. */
	struct dz_arena *parsed[DZ_PAR_MAX + 1];
	atomic_size_t nparsed;
	struct dz_arena *zspecs;  /* unpacked DNSZone specs, for the build */
	struct dz_arena *zlists;  /* records' zone lists, for the build */
	struct dz_arena *tnames;  /* names of struct target, for the build */
	/* The last zoneRef looked up: a file's records mostly name one
	 * zone, with the same (per-file) copies of namespace and ref. */
	const char *last_ns, *last_ref;
	struct bzone *last_zone;
	bool nomem;
	/* The identity index classify_objects made, for the context. */
	struct dz_object **idx;
	size_t idx_mask, nidx;
	uint64_t *dups;         /* identities with more than one object */
	size_t ndups, capdups;
	/* A delta build (delta()): the zone table is the context's, the
	 * objects are the fresh ones; uobjs and usaved undo the status of
	 * the DNSZones it touched; tz lists the zones it edits. */
	bool delta;
	struct dz_object **uobjs;
	struct saved *usaved;
	size_t nu, capu;
	struct bzone **tz;
	size_t ntz, captz;
	/* targets of the gone versions' RRs, and owners whose A or AAAA
	 * an edit removed or added (for the context's target table) */
	struct target *gtargets, *aown;
	size_t ngt, capgt, naown, capaown;
	struct served *serve;   /* finish_zones: zones for the snapshot */
	size_t nserve, capserve;
};

/*
 * What one build leaves for the next (see build.h): the zone table, its
 * DNSZones' specs, every object by identity, and the snapshot it made.
 * The files it was made from carry its stamp.
 */
struct dz_build_ctx {
	struct dz_snapshot *snap; /* a reference; NULL: nothing kept */
	uint64_t stamp;
	size_t nfiles;
	struct bzone *zones;
	size_t nzones;
	struct bzone **by_ref, **by_name;
	size_t nserving;
	struct dz_arena *zspecs;
	struct dz_object **idx;   /* open addressing by id_hash: the
				   * first object of each identity */
	size_t idx_mask, nidx;
	uint64_t *dups;           /* sorted */
	size_t ndups;
	bool incremental;         /* the last build was a delta */
	struct dz_object **touched; /* its DNSZones with a new status */
	size_t ntouched, captouched;
	struct tname *tix;        /* who names which target (tix_*) */
	size_t tmask, ntix;
};

/* ---- status helpers ------------------------------------------------- */

static void set_status(struct dz_object *o, enum dz_reason r,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_status(struct dz_object *o, enum dz_reason r,
		       const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	o->reason = r;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dz_object_set_message(o, "%s", msg);
}

static void set_zone(struct dz_object *o, const char *name)
{
	o->zone = dz_intern_zone(name);
}

static const struct dz_diag *first_error(const struct dz_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].sev == DZ_SEV_ERROR) {
			return &d->items[i];
		}
	}
	return NULL;
}

/* ReconcileFailed with the first error of the load or build diags. */
static void set_failed(struct dz_object *o)
{
	const struct dz_diag *e = first_error(dz_object_diags(o));

	if (e == NULL) {
		e = first_error(dz_object_bdiags(o));
	}
	if (e == NULL) {
		set_status(o, DZ_REASON_FAILED, "%s:%u:%u: invalid %s",
			   o->cls->file->rel, o->line, o->col, o->cls->kind);
		return;
	}
	set_status(o, DZ_REASON_FAILED, "%s:%u:%u: %s", e->file, e->line,
		   e->col ? e->col : 1, e->msg);
}

/* Append src to dst, skipping entries dst already has (multi-zone runs). */
static void merge_diags(struct dz_diags *dst, const struct dz_diags *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct dz_diag *e = &src->items[i];
		bool dup = false;
		for (size_t j = 0; j < dst->n && !dup; j++) {
			const struct dz_diag *d = &dst->items[j];
			dup = d->line == e->line && d->col == e->col &&
			      d->sev == e->sev && strcmp(d->msg, e->msg) == 0;
		}
		if (!dup) {
			dz_diags_add(dst, e->sev, e->file, e->line, e->col,
				     "%s", e->msg);
		}
	}
}

/* o has no build-time diagnostics. */
static void clear_bdiags(struct dz_object *o)
{
	if (o->rare != NULL) {
		dz_diags_clear(&o->rare->bdiags);
	}
}

/* ---- objects: reset, duplicates, load-time state -------------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ b[i]) * 0x100000001b3ULL;
	}
	return h;
}

/* Room for one more element of size at the end of the array *vp (n
 * used, cap allocated); NULL on OOM. */
static void *vec_push(void *vp, size_t *n, size_t *cap, size_t size)
{
	void **v = vp;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		void *p = realloc(*v, c * size);
		if (p == NULL) {
			return NULL;
		}
		*v = p;
		*cap = c;
	}
	return (char *)*v + (*n)++ * size;
}

static bool same_id(const struct dz_object *a, const struct dz_object *b)
{
	return strcmp(a->cls->kind, b->cls->kind) == 0 &&
	       strcmp(a->cls->ns, b->cls->ns) == 0 &&
	       strcmp(a->name, b->name) == 0;
}

/* st->saved for n objects, all "nothing saved", unless there is one. */
static int saved_alloc(struct bstate *st, size_t n)
{
	if (st->saved == NULL &&
	    (st->saved = calloc(n ? n : 1, sizeof(*st->saved))) == NULL) {
		return DZ_ENOMEM;
	}
	return 0;
}

/* Move o's status from the last build to sv; o starts afresh. */
static void save_status(struct saved *sv, struct dz_object *o)
{
	sv->reason = o->reason;
	dz_object_take_status(o, &sv->message, &sv->bdiags);
	sv->zone = o->zone;
	sv->built = o->built;
	sv->reused = o->reused;
	o->built = 0;
	o->reused = false;
	dz_object_reset_status(o);
}

static int collect_objects(struct bstate *st, struct dz_mfile *const *files,
			   size_t n)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < n; i++) {
		total += files[i]->nobjects;
	}
	st->objs = calloc(total ? total : 1, sizeof(*st->objs));
	st->prec = calloc(total ? total : 1, sizeof(*st->prec));
	st->ids = malloc((total ? total : 1) * sizeof(*st->ids));
	st->flags = malloc(total ? total : 1);
	if (st->objs == NULL || st->prec == NULL || st->ids == NULL ||
	    st->flags == NULL || (st->opts != NULL && st->opts->prev != NULL &&
				  saved_alloc(st, total) != 0)) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < files[i]->nobjects; j++) {
			struct dz_object *o = &files[i]->objects[j];
			/* At start no object was built: no saved[] */
			if (o->reason != DZ_REASON_PENDING || o->built ||
			    dz_object_own_message(o) != NULL ||
			    o->zone != NULL ||
			    dz_object_bdiags(o)->items != NULL || o->reused) {
				if (saved_alloc(st, total) != 0) {
					return DZ_ENOMEM;
				}
				save_status(&st->saved[k], o);
			}
			st->ids[k] = o->id_hash;
			const struct dz_oclass *c = o->cls;
			st->flags[k] = (uint8_t)((c->is_zone ? OF_ZONE : 0) |
				       (dz_object_diags(o)->nerrors > 0 ||
					o->spec_packed == NULL ||
					(!c->is_zone && c->ops == NULL) ?
					OF_BAD : 0));
			st->objs[k++] = o;
		}
	}
	st->nobjs = k;
	return 0;
}

/* ReconcileFailed (load time) or UnsupportedKind for an OF_BAD object. */
static void classify_bad(struct dz_object *o)
{
	if (dz_object_diags(o)->nerrors > 0 || o->spec_packed == NULL) {
		set_failed(o);
	} else if (!o->cls->is_zone && o->cls->ops == NULL) {
		set_status(o, DZ_REASON_UNSUPPORTED_KIND,
			   "unsupported kind '%s': skipped", o->cls->kind);
	}
}

/* The slot of o's identity in an index: the object there or NULL. */
static struct dz_object **idx_slot(struct dz_object **idx, size_t mask,
				   const struct dz_object *o)
{
	size_t j = o->id_hash & mask;

	while (idx[j] != NULL && (idx[j]->id_hash != o->id_hash ||
				  !same_id(idx[j], o))) {
		j = (j + 1) & mask;
	}
	return &idx[j];
}

/*
 * DuplicateObject, ReconcileFailed (load time), UnsupportedKind. Objects
 * come in set order (files by path, then document order), so the first
 * of an identity met is the one served: a hash set, no sort. The set
 * and the identities met twice stay in st for a build context.
 */
static int classify_objects(struct bstate *st)
{
	size_t cap = 16;

	while (cap < 2 * st->nobjs + 2) {
		cap *= 2;
	}
	st->idx_mask = cap - 1;
	st->idx = calloc(cap, sizeof(*st->idx));
	if (st->idx == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < st->nobjs; i++) {
		struct dz_object *o = st->objs[i], *w;
		struct dz_object **sl = idx_slot(st->idx, st->idx_mask, o);
		uint64_t *d;

		if (*sl == NULL) {
			*sl = o;
			st->nidx++;
			continue;
		}
		w = *sl;
		set_status(o, DZ_REASON_DUPLICATE_OBJECT,
			   "duplicate of %s %s/%s in %s:%u", w->cls->kind,
			   w->cls->ns, w->name, w->cls->file->rel, w->line);
		d = vec_push(&st->dups, &st->ndups, &st->capdups, sizeof(*d));
		if (d == NULL) {
			return DZ_ENOMEM;
		}
		*d = o->id_hash;
	}
	for (size_t i = 0; i < st->nobjs; i++) {
		if ((st->flags[i] & OF_BAD) &&
		    st->objs[i]->reason == DZ_REASON_PENDING) {
			classify_bad(st->objs[i]);
		}
	}
	return 0;
}

/* ---- zones: parse, duplicates, indexes ------------------------------- */

static int ref_cmp(const void *pa, const void *pb)
{
	const struct bzone *a = *(const struct bzone *const *)pa;
	const struct bzone *b = *(const struct bzone *const *)pb;
	int c = strcmp(a->obj->cls->ns, b->obj->cls->ns);

	return c ? c : strcmp(a->obj->name, b->obj->name);
}

/* Zone name, then (namespace, name): the first of a name serves. */
static int zname_cmp(const void *pa, const void *pb)
{
	const struct bzone *a = *(const struct bzone *const *)pa;
	const struct bzone *b = *(const struct bzone *const *)pb;
	int c = strcmp(a->spec.name, b->spec.name);

	return c ? c : ref_cmp(pa, pb);
}

static int ns_zname_cmp(const void *pa, const void *pb)
{
	const struct bzone *a = *(const struct bzone *const *)pa;
	const struct bzone *b = *(const struct bzone *const *)pb;
	int c = strcmp(a->obj->cls->ns, b->obj->cls->ns);

	return c ? c : strcmp(a->spec.name, b->spec.name);
}

static int parse_zones(struct bstate *st)
{
	size_t n = 0;

	for (size_t i = 0; i < st->nobjs; i++) {
		n += (st->flags[i] & OF_ZONE) &&
		     st->objs[i]->reason == DZ_REASON_PENDING;
	}
	st->zones = calloc(n ? n : 1, sizeof(*st->zones));
	if (st->zones == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < st->nobjs; i++) {
		struct dz_object *o = st->objs[i];
		if (!(st->flags[i] & OF_ZONE) ||
		    o->reason != DZ_REASON_PENDING) {
			continue;
		}
		struct bzone *z = &st->zones[st->nzones++];
		bool nomem = false;
		const struct dz_ynode *spec = dz_object_spec(o, st->zspecs,
							     &nomem);
		z->obj = o;
		z->obj_index = i;
		if (nomem) {
			return DZ_ENOMEM;
		}
		struct dz_diags *bd = dz_object_bdiags_mut(o);
		if (bd == NULL) {
			return DZ_ENOMEM;
		}
		int rc = dz_zspec_parse(&z->spec, spec, o->cls->file->rel, bd);
		if (rc == DZ_ENOMEM) {
			return rc;
		}
		z->ok = rc == 0;
		if (!z->ok) {
			set_failed(o);
		}
	}
	return 0;
}

static int index_zones(struct bstate *st)
{
	size_t n = st->nzones;
	struct bzone **s = calloc(n + 1, sizeof(*s));

	st->by_ref = calloc(n + 1, sizeof(*st->by_ref));
	st->by_name = calloc(n + 1, sizeof(*st->by_name));
	if (s == NULL || st->by_ref == NULL || st->by_name == NULL) {
		free(s);
		return DZ_ENOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		st->by_ref[i] = &st->zones[i];
		if (st->zones[i].ok) {
			s[k++] = &st->zones[i];
		}
	}
	qsort(st->by_ref, n, sizeof(*s), ref_cmp);
	qsort(s, k, sizeof(*s), zname_cmp);
	for (size_t i = 0; i < k; i++) {
		struct bzone *first = s[i];
		while (i + 1 < k && strcmp(s[i + 1]->spec.name,
					   first->spec.name) == 0) {
			struct dz_object *o = s[++i]->obj;
			set_status(o, DZ_REASON_DUPLICATE_ZONE,
				   "zone %s is already served by DNSZone %s/%s "
				   "(%s:%u)", first->spec.name,
				   first->obj->cls->ns, first->obj->name,
				   first->obj->cls->file->rel,
				   first->obj->line);
		}
		first->serves = true;
		st->by_name[st->nserving++] = first;
	}
	free(s);
	qsort(st->by_name, st->nserving, sizeof(*s), ns_zname_cmp);
	return 0;
}

/* splitmix64's finalizer: spreads FNV's weak high bits before summing. */
static uint64_t mix(uint64_t h)
{
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

/*
 * One RR's share of its zone's content hash. Shares are summed, so the
 * hash does not depend on the order objects are built in.
 */
static uint64_t rr_hash(const uint8_t *owner, uint16_t type, uint32_t ttl,
			const uint8_t *rdata, uint16_t rdlen)
{
	uint8_t lname[DZ_DNAME_MAX];
	size_t len = dz_dname_len(owner);
	uint64_t h = 0xcbf29ce484222325ULL;

	memcpy(lname, owner, len);
	dz_dname_tolower(lname);
	h = fnv(h, lname, len);
	h = fnv(h, &type, sizeof(type));
	h = fnv(h, &ttl, sizeof(ttl));
	h = fnv(h, &rdlen, sizeof(rdlen));
	return mix(fnv(h, rdata, rdlen));
}

/* What the apex RRs are made of, except the serial. */
static uint64_t apex_hash(const struct dz_zspec *z)
{
	const uint32_t v[6] = { z->refresh, z->retry, z->expire, z->minimum,
				z->ttl, (uint32_t)z->nns };
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(h, z->origin, dz_dname_len(z->origin));
	h = fnv(h, z->mname, dz_dname_len(z->mname));
	h = fnv(h, z->rname, dz_dname_len(z->rname));
	h = fnv(h, v, sizeof(v));
	for (size_t i = 0; i < z->nns; i++) {
		const struct dz_zspec_ns *ns = &z->ns[i];
		h = fnv(h, ns->host, dz_dname_len(ns->host));
		h = fnv(h, &ns->has_v4, sizeof(ns->has_v4));
		h = fnv(h, &ns->has_v6, sizeof(ns->has_v6));
		h = fnv(h, ns->has_v4 ? ns->v4 : NULL, ns->has_v4 ? 4 : 0);
		h = fnv(h, ns->has_v6 ? ns->v6 : NULL, ns->has_v6 ? 16 : 0);
	}
	return mix(h);
}

/* ---- reuse: zones whose inputs did not change ------------------------ */

static int record_zones(struct bstate *st, struct dz_object *o, bool dry,
			const struct zlist **out);

/* An object version's identity: its file's load number and its place. */
static uint64_t obj_id(const struct dz_object *o, size_t nzones)
{
	uint64_t idx = (uint64_t)(o - o->cls->file->objects);

	return mix(o->cls->file->seq * 0x9e3779b97f4a7c15ULL + (idx << 8) +
		   nzones);
}

static int plan_edits(struct bstate *st);
static void unkeep_mixed(struct bstate *st);

/* A zone taken over from the served snapshot, as it is or edited. */
static bool kept(const struct bzone *z)
{
	return z->reuse != NULL || z->edited;
}

/* Pass 0 of plan_reuse for record o (st->objs[i]), one of nz zones' z. */
static int note_member(struct bstate *st, struct bzone *z,
		       const struct dz_object *o, size_t i, size_t nz)
{
	uint64_t id = obj_id(o, nz);
	size_t *slot;

	z->fp += id;
	z->nmembers++;
	if (st->opts == NULL || st->opts->prev == NULL ||
	    !o->cls->file->fresh) {
		return 0;
	}
	z->fp_fresh += id;
	z->no_edit = z->no_edit || nz > 1;
	slot = vec_push(&z->fresh, &z->nfresh, &z->capfresh, sizeof(*slot));
	if (slot == NULL) {
		return DZ_ENOMEM;
	}
	*slot = i;
	return 0;
}

/* Move the status in sv back to o (what o has now is freed). */
static void give_back(struct dz_object *o, struct saved *sv)
{
	if (sv->light) {
		o->reason = sv->reason;
		dz_object_put_status(o, sv->message, NULL);
		o->zone = sv->zone;
		memset(sv, 0, sizeof(*sv));
		return;
	}
	o->reason = sv->reason;
	dz_object_put_status(o, sv->message, &sv->bdiags);
	o->zone = sv->zone;
	o->built = sv->built;
	o->reused = sv->reused;
	memset(sv, 0, sizeof(*sv));
}

/* Take back the previous build's status of st->objs[i]. */
static void restore(struct bstate *st, size_t i)
{
	give_back(st->objs[i], &st->saved[i]);
	st->saved[i].restored = true;
	st->objs[i]->reused = true;
	st->flags[i] |= OF_KEPT;
}

/* Nothing left to do for st->objs[i] (a DNSZone, or taken back). */
static bool settled(const struct bstate *st, size_t i)
{
	return (st->flags[i] & (OF_ZONE | OF_KEPT)) != 0;
}

static bool is_member(const struct dz_object *o)
{
	return !o->cls->is_zone && o->cls->ops != NULL &&
	       o->reason == DZ_REASON_PENDING;
}

/*
 * Each record's zones folded into the zones' fingerprints; with a served
 * snapshot (opts->prev), a zone whose fingerprint is the one it was
 * built with there is kept, and records whose zones are all kept take
 * back their status. Pass 0 sums, pass 1 marks.
 */
static int plan_reuse(struct bstate *st)
{
	const struct dz_snapshot *prev = st->opts ? st->opts->prev : NULL;
	struct bzone *const *zs;
	size_t nz;

	for (size_t i = 0; i < st->nserving; i++) {
		st->by_name[i]->fp = obj_id(st->by_name[i]->obj, 0);
		st->by_name[i]->nmembers = 0;
	}
	for (int pass = 0; pass < (prev != NULL ? 2 : 1); pass++) {
		for (size_t i = 0; i < st->nobjs; i++) {
			struct dz_object *o = st->objs[i];
			struct prec *p = &st->prec[i];
			bool all = true;
			if (!is_member(o)) {
				continue;
			}
			if (p->zl == NULL &&
			    record_zones(st, o, true, &p->zl) != 0) {
				return DZ_ENOMEM;
			}
			zs = p->zl->z;
			nz = p->zl->n;
			for (size_t j = 0; j < nz; j++) {
				if (pass == 0 &&
				    note_member(st, zs[j], o, i, nz) != 0) {
					return DZ_ENOMEM;
				}
				all = all && (zs[j]->reuse != NULL ||
					      zs[j]->edited);
			}
			if (pass == 0 && nz > 0) {
				o->built |= DZ_OBJ_B_MEMBER;
			}
			if (pass == 0 && nz > 1 && prev != NULL) {
				size_t *m = vec_push(&st->multi, &st->nmulti,
						     &st->capmulti,
						     sizeof(*m));
				if (m == NULL) {
					return DZ_ENOMEM;
				}
				*m = i;
			}
			if (pass == 1 && nz > 0 && all &&
			    !o->cls->file->fresh) {
				restore(st, i);
			}
		}
		for (size_t i = 0; pass == 0 && prev != NULL &&
		     i < st->nserving; i++) {
			struct bzone *z = st->by_name[i];
			size_t len = dz_dname_len(z->spec.origin);
			uint8_t lname[DZ_DNAME_MAX];
			const struct dz_zone *pz;

			memcpy(lname, z->spec.origin, len);
			dz_dname_tolower(lname);
			pz = dz_snapshot_find_zone(prev, lname, len);
			if (pz == NULL ||
			    dz_dname_len(dz_zone_origin(pz)) != len) {
				continue;
			}
			if (dz_zone_fingerprint(pz) == z->fp) {
				z->reuse = pz;
				restore(st, z->obj_index);
			} else {
				z->prev = (struct dz_zone *)pz;
			}
		}
		if (pass == 0 && prev != NULL) {
			if (plan_edits(st) != 0) {
				return DZ_ENOMEM;
			}
			unkeep_mixed(st);
		}
	}
	return 0;
}

static int start_zones(struct bstate *st)
{
	for (size_t i = 0; i < st->nserving; i++) {
		struct bzone *z = st->by_name[i];
		if (kept(z)) {
			continue;
		}
		if ((z->b = dz_zone_builder_new(z->spec.origin)) == NULL ||
		    dz_zone_builder_reserve(z->b, z->nmembers) != 0) {
			return DZ_ENOMEM;
		}
		z->hash = apex_hash(&z->spec);
	}
	return 0;
}

/*
 * The apex (SOA, NS, glue) goes in last, once every record is in, so that
 * the serial can depend on the content hash (issue 3: a zone whose
 * content changed gets a new serial).
 */
static uint32_t pick_serial(const struct bstate *st, const struct bzone *z)
{
	const struct dz_build_opts *op = st->opts;
	uint32_t serial = z->spec.serial;

	if (op != NULL && op->content_serial != NULL) {
		serial = op->content_serial(z->spec.name, serial, z->hash,
					    op->serial_arg);
	} else if (op != NULL && op->serial != NULL) {
		serial = op->serial(z->spec.name, serial, op->serial_arg);
	}
	return serial;
}

static int add_apex(struct bstate *st, struct bzone *z)
{
	return dz_zspec_add_apex(&z->spec, z->b, pick_serial(st, z));
}

/* ---- records: which zones ------------------------------------------- */

static struct bzone *find_ref(struct bstate *st, const char *ns,
			      const char *name)
{
	size_t lo = 0, hi = st->nzones;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct dz_object *o = st->by_ref[mid]->obj;
		int c = strcmp(o->cls->ns, ns);
		if (c == 0) {
			c = strcmp(o->name, name);
		}
		if (c == 0) {
			return st->by_ref[mid];
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

/* First serving zone of namespace ns (index into by_name). */
static size_t ns_lower(const struct bstate *st, const char *ns)
{
	size_t lo = 0, hi = st->nserving;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(st->by_name[mid]->obj->cls->ns, ns) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/* spec.zone: a zoneName, any case, one trailing dot tolerated. */
static struct bzone *find_zone_name(struct bstate *st, const char *ns,
				    const char *text)
{
	char want[DZ_DNAME_MAX * 4];
	size_t len = strlen(text);

	if (len >= sizeof(want)) {
		return NULL;
	}
	for (size_t i = 0; i <= len; i++) {
		char c = text[i];
		want[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	if (len > 1 && want[len - 1] == '.') {
		want[len - 1] = '\0';
	}
	for (size_t i = ns_lower(st, ns); i < st->nserving; i++) {
		struct bzone *z = st->by_name[i];
		if (strcmp(z->obj->cls->ns, ns) != 0) {
			break;
		}
		if (strcmp(z->spec.name, want) == 0) {
			return z;
		}
	}
	return NULL;
}

/* Append z to a zone list (in st->zlists: most lists hold one zone). */
static int push_zone(struct bstate *st, const struct zlist **out,
		     struct bzone *z)
{
	uint32_t n = (*out)->n;
	struct zlist *l = dz_arena_alloc_raw(st->zlists, sizeof(*l) +
					     (n + 1) * sizeof(l->z[0]));

	if (l == NULL) {
		return DZ_ENOMEM;
	}
	if (n > 0) {
		memcpy(l->z, (*out)->z, n * sizeof(l->z[0]));
	}
	l->z[n] = z;
	l->n = n + 1;
	*out = l;
	return 0;
}

static int by_ref(struct bstate *st, struct dz_object *o, const char *ref,
		  bool dry, const struct zlist **out)
{
	struct bzone *z;

	if (o->cls->ns != st->last_ns || ref != st->last_ref) {
		st->last_ns = o->cls->ns;
		st->last_ref = ref;
		st->last_zone = find_ref(st, o->cls->ns, ref);
	}
	z = st->last_zone;

	if (dry && (z == NULL || !z->serves)) {
		return 0;
	}
	if (z == NULL) {
		set_status(o, DZ_REASON_ZONE_NOT_FOUND,
			   "no DNSZone '%s' in namespace '%s'", ref,
			   o->cls->ns);
		return 0;
	}
	if (!z->serves) {
		set_status(o, DZ_REASON_ZONE_NOT_FOUND,
			   "DNSZone '%s' in namespace '%s' is not served (%s)",
			   ref, o->cls->ns, dz_reason_name(z->obj->reason));
		return 0;
	}
	return push_zone(st, out, z);
}

/*
 * The zones that take record o (in st->zlists). With none,
 * o's reason says why (or an error is in its bdiags) unless dry: then o
 * is left as it is.
 */
static int record_zones(struct bstate *st, struct dz_object *o, bool dry,
			const struct zlist **out)
{
	const char *ref = dz_object_zone_ref(o);
	const char *zone = dz_object_zone_name(o);

	/* Both set is a load-time error: such an object never gets here. */
	*out = &no_zones;
	if (ref != NULL) {
		return by_ref(st, o, ref, dry, out);
	}
	if (zone != NULL) {
		struct bzone *z = find_zone_name(st, o->cls->ns, zone);
		if (z == NULL && dry) {
			return 0;
		}
		if (z == NULL) {
			set_status(o, DZ_REASON_ZONE_NOT_FOUND,
				   "no zone '%s' served in namespace '%s'",
				   zone, o->cls->ns);
			return 0;
		}
		return push_zone(st, out, z);
	}
	for (size_t i = ns_lower(st, o->cls->ns); i < st->nserving; i++) {
		struct bzone *z = st->by_name[i];
		if (strcmp(z->obj->cls->ns, o->cls->ns) != 0) {
			break;
		}
		if (dz_zspec_selects(&z->spec, o->cls->labels,
				     o->cls->nlabels) &&
		    push_zone(st, out, z) != 0) {
			return DZ_ENOMEM;
		}
	}
	if ((*out)->n == 0 && !dry) {
		set_status(o, DZ_REASON_NOT_SELECTED, "no DNSZone in namespace "
			   "'%s' selects its labels", o->cls->ns);
	}
	return 0;
}

/* ---- records: owner, TTL, RRs --------------------------------------- */

struct owner_arg {
	const struct bzone *zone; /* NULL: not in a zone */
	uint8_t owner[DZ_DNAME_MAX];
	uint32_t ttl;
	uint32_t ttl_line, ttl_col;
};

static int owner_fn(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
		    void *arg)
{
	struct owner_arg *a = arg;
	const uint8_t *origin = a->zone ? a->zone->spec.origin : NULL;
	const struct dz_ynode *node = NULL;
	const char *s = NULL, *why = "invalid";
	char text[DZ_DNAME_MAX * 4 + 2];
	uint8_t abs[DZ_DNAME_MAX];
	unsigned flags = 0;
	uint64_t ttl = a->zone ? a->zone->spec.ttl : 3600;
	size_t len;
	int rc;

	rc = dz_kind_get_uint(ctx, spec, "ttl", 0, 2147483647, false, &ttl);
	a->ttl = (uint32_t)ttl;
	node = dz_ynode_get(spec, "ttl");
	a->ttl_line = dz_ynode_line(node ? node : spec);
	a->ttl_col = dz_ynode_col(node ? node : spec);
	if (dz_kind_get_str(ctx, spec, "name", true, &s, &node) != 0) {
		return DZ_EMANIFEST;
	}
	len = strlen(s);
	if (dz_dname_from_text(s, len, origin, a->owner, &len, &flags,
			       &why) != 0) {
		return dz_kind_error(ctx, node, "name '%s' is not a valid "
				     "domain name: %s", s, why);
	}
	if (origin != NULL && !(flags & DZ_DNAME_F_RELATIVE) &&
	    !dz_dname_is_subdomain(a->owner, origin)) {
		return dz_kind_error(ctx, node, "name '%s' is outside zone %s",
				     s, a->zone->spec.name);
	}
	if (flags & DZ_DNAME_F_NONHOST) {
		dz_kind_warn(ctx, node, "name '%s' has characters outside "
			     "hostname syntax", s);
	}
	/* "www.example.com" in example.com: most likely meant absolute. */
	if (origin != NULL && (flags & DZ_DNAME_F_RELATIVE) && s[0] != '\0' &&
	    strcmp(s, "@") != 0 && strlen(s) + 2 <= sizeof(text)) {
		snprintf(text, sizeof(text), "%s.", s);
		if (dz_dname_from_text(text, strlen(text), NULL, abs, &len,
				       NULL, NULL) == 0 &&
		    dz_dname_is_subdomain(abs, origin)) {
			dz_dname_to_text(a->owner, text, sizeof(text));
			dz_kind_warn(ctx, node, "name '%s' has no trailing "
				     "dot: served as %s", s, text);
		}
	}
	return rc;
}

/*
 * Parse o for one zone (NULL: none) into rr; diagnostics merged into
 * o->bdiags. Returns 0, DZ_EMANIFEST or DZ_ENOMEM.
 */
static int parse_record(struct dz_object *o, const struct dz_ynode *spec,
			const struct bzone *z, struct owner_arg *oa,
			struct dz_rdata_list *rr, bool keep_diags)
{
	struct dz_diags tmp = { 0 };
	const uint8_t *origin = z ? z->spec.origin : NULL;
	int rc1, rc2;

	memset(oa, 0, sizeof(*oa));
	oa->zone = z;
	rc1 = dz_kind_ctx_call(spec, origin, o->cls->file->rel, &tmp, owner_fn,
			       oa);
	rc2 = dz_kind_run(o->cls->ops, spec, origin, o->cls->file->rel, &tmp,
			  rr);
	if (keep_diags && tmp.n > 0) {
		struct dz_diags *bd = dz_object_bdiags_mut(o);
		if (bd == NULL) {
			rc1 = DZ_ENOMEM;
		} else {
			merge_diags(bd, &tmp);
		}
	}
	dz_diags_clear(&tmp);
	if (rc1 == DZ_ENOMEM || rc2 == DZ_ENOMEM) {
		return DZ_ENOMEM;
	}
	return (rc1 || rc2) ? DZ_EMANIFEST : 0;
}

/* Append (o, name) to a list of targets. 0 or DZ_ENOMEM. */
static int push_name(struct bstate *st, struct target **v, size_t *n,
		     size_t *cap, struct dz_object *o, const uint8_t *name)
{
	struct target *t;
	const uint8_t *copy;

	if (st->tnames == NULL && (st->tnames = dz_arena_new(0)) == NULL) {
		return DZ_ENOMEM;
	}
	copy = dz_arena_memdup(st->tnames, name, dz_dname_len(name));
	if (copy == NULL || (t = vec_push(v, n, cap, sizeof(*t))) == NULL) {
		return DZ_ENOMEM;
	}
	t->obj = o;
	t->zone = NULL;
	t->name = copy;
	return 0;
}

/* The target of RR r of o when its kind has one that is checked. */
static const uint8_t *rr_target(const struct dz_object *o, const uint8_t *data,
				uint16_t len)
{
	const struct dz_kind *k = o->cls->ops;

	if (!(k->flags & DZ_KIND_F_ADDITIONAL) || !(k->flags & DZ_KIND_F_NAME) ||
	    len <= k->name_offset ||
	    dz_dname_check(data + k->name_offset, data + len) == 0) {
		return NULL;
	}
	return data + k->name_offset;
}

static bool is_addr(uint16_t type)
{
	return type == T_A || type == T_AAAA;
}

static int add_target(struct bstate *st, struct dz_object *o,
		      struct bzone *z, const struct dz_rdata *r)
{
	const uint8_t *name = rr_target(o, r->data, r->len);

	if (name == NULL) {
		return 0;
	}
	if (push_name(st, &st->targets, &st->ntargets, &st->captargets, o,
		      name) != 0) {
		return DZ_ENOMEM;
	}
	st->targets[st->ntargets - 1].zone = z;
	return 0;
}

/* Add one zone's RRs of o to its builder. */
static int add_rrs(struct bstate *st, struct dz_object *o, struct bzone *z,
		   const struct pzone *oa)
{
	const struct dz_rdata_list *rr = &oa->rr;
	uint16_t type = o->cls->ops->rrtype;
	struct dz_diags *bd;
	bool warned = false;

	for (size_t i = 0; i < rr->n; i++) {
		bool conflict = false;
		int rc = dz_zone_builder_add(z->b, oa->owner, type, oa->ttl,
					     rr->items[i].data,
					     rr->items[i].len, &conflict);
		if (rc == DZ_ENOMEM) {
			return rc;
		}
		if (rc == 0) {
			z->hash += rr_hash(oa->owner, type, oa->ttl,
					   rr->items[i].data, rr->items[i].len);
		}
		if (rc != 0) {
			dz_log_err("%s %s/%s: cannot add to zone %s: %s",
				   o->cls->kind, o->cls->ns, o->name,
				   z->spec.name, dz_strerror(rc));
			continue;
		}
		if (conflict && !warned &&
		    (bd = dz_object_bdiags_mut(o)) != NULL) {
			dz_diags_add(bd, DZ_SEV_WARNING, o->cls->file->rel,
				     oa->ttl_line, oa->ttl_col,
				     "TTL %u differs from the RRset's other "
				     "TTL: the smallest is served", oa->ttl);
			warned = true;
		}
		if ((rc = add_target(st, o, z, &rr->items[i])) != 0) {
			return rc;
		}
	}
	return 0;
}

static void set_succeeded(struct dz_object *o, struct bzone *const *zs,
			  size_t n)
{
	char list[400];
	size_t len = 0;

	set_zone(o, zs[0]->spec.name);
	if (n == 1) {
		/* the usual message, made when shown: no copy per record */
		o->reason = DZ_REASON_SUCCEEDED;
		return;
	}
	list[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(list); i++) {
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? ", " : "", zs[i]->spec.name);
	}
	set_status(o, DZ_REASON_SUCCEEDED, "%s record added to zones %s",
		   o->cls->ops->type_name, list);
}

/* The parse results stay in their arena until parsed_free. */
static void prec_clear_parse(struct prec *p)
{
	p->pz = NULL;
}

/* Every record's parse results gone at once. */
static void parsed_free(struct bstate *st)
{
	size_t n = atomic_load(&st->nparsed);

	for (size_t i = 0; st->prec != NULL && i < st->nobjs; i++) {
		st->prec[i].pz = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		dz_arena_free(st->parsed[i]);
		st->parsed[i] = NULL;
	}
	atomic_store(&st->nparsed, 0);
}

/* The arena for parse results made outside preparse (parsed[0]). */
static struct dz_arena *parsed_main(struct bstate *st)
{
	if (atomic_load(&st->nparsed) == 0) {
		if ((st->parsed[0] = dz_arena_new(0)) == NULL) {
			return NULL;
		}
		atomic_store(&st->nparsed, 1);
	}
	return st->parsed[0];
}

/* owner and the RRs of rr into z, one block of a: items, then the
 * owner and every rdata. 0 or DZ_ENOMEM. */
static int pzone_keep(struct dz_arena *a, struct pzone *z,
		      const struct owner_arg *oa,
		      const struct dz_rdata_list *rr)
{
	size_t olen = dz_dname_len(oa->owner), size = olen;
	uint8_t *at;

	for (size_t i = 0; i < rr->n; i++) {
		size += sizeof(*rr->items) + rr->items[i].len;
	}
	if ((at = dz_arena_alloc_raw(a, size)) == NULL) {
		return DZ_ENOMEM;
	}
	z->rr = (struct dz_rdata_list){ .items = (void *)at, .n = rr->n };
	at += rr->n * sizeof(*rr->items);
	z->owner = memcpy(at, oa->owner, olen);
	at += olen;
	for (size_t i = 0; i < rr->n; i++) {
		uint16_t len = rr->items[i].len;
		z->rr.items[i] = (struct dz_rdata){ len, at };
		memcpy(at, rr->items[i].data, len);
		at += len;
	}
	z->ttl = oa->ttl;
	z->ttl_line = oa->ttl_line;
	z->ttl_col = oa->ttl_col;
	return 0;
}

/*
 * Parse o for each of its zones (for none: once, for its diagnostics)
 * into p->pz, allocated from keep. 0, DZ_EMANIFEST (o failed) or
 * DZ_ENOMEM.
 */
static int parse_all(struct dz_arena *scratch, struct dz_arena *keep,
		     struct dz_object *o, struct prec *p)
{
	size_t nz = prec_nz(p), n = nz ? nz : 1;
	struct owner_arg oa;
	const struct dz_ynode *spec;
	bool nomem = false;
	int rc = 0, bad = 0;

	dz_arena_reset(scratch);
	spec = dz_object_spec(o, scratch, &nomem);
	p->pz = keep != NULL ? dz_arena_alloc(keep, n * sizeof(*p->pz)) : NULL;
	if (p->pz == NULL || nomem) {
		p->pz = NULL;
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < n && rc != DZ_ENOMEM; i++) {
		struct dz_rdata_list rr = { 0 };
		rc = parse_record(o, spec, nz ? p->zl->z[i] : NULL, &oa,
				  &rr, true);
		if (rc != DZ_ENOMEM) {
			bad |= rc;
			rc = pzone_keep(keep, &p->pz[i], &oa, &rr);
		}
		dz_rdata_list_clear(&rr);
	}
	if (rc == DZ_ENOMEM) {
		p->pz = NULL;
		return rc;
	}
	return (bad || dz_object_bdiags(o)->nerrors > 0) ? DZ_EMANIFEST : 0;
}

/*
 * A record for every zone it joins: parsed once per build (in the
 * checks pass when there is one); with ck, only tell ck what would be
 * added (o stays pending unless it failed); without, add it to them all.
 */
static int build_record(struct bstate *st, size_t idx, struct dz_checks *ck)
{
	struct dz_object *o = st->objs[idx];
	struct prec *p = &st->prec[idx];
	size_t i;
	int rc = 0;

	/* No zone: the full lookup once more, for the status it sets. */
	if (prec_nz(p) == 0 &&
	    (rc = record_zones(st, o, false, &p->zl)) != 0) {
		return rc;
	}
	if (p->pz == NULL &&
	    (rc = parse_all(st->scratch, parsed_main(st), o, p)) != 0) {
		if (rc == DZ_EMANIFEST) {
			set_failed(o);
			prec_clear_parse(p);
			rc = 0;
		}
		return rc;
	}
	for (i = 0; ck != NULL && i < p->zl->n && rc == 0; i++) {
		const struct pzone *z = &p->pz[i];
		for (size_t j = 0; !kept(p->zl->z[i]) && j < z->rr.n &&
		     rc == 0; j++) {
			rc = dz_checks_add_rr(ck, &p->zl->z[i]->spec, o,
					      z->owner,
					      o->cls->ops->rrtype,
					      z->rr.items[j].data,
					      z->rr.items[j].len);
		}
	}
	if (ck != NULL) {
		return rc;
	}
	for (i = 0; i < p->zl->n && rc == 0; i++) {
		if (!kept(p->zl->z[i])) {
			rc = add_rrs(st, o, p->zl->z[i], &p->pz[i]);
		}
	}
	if (rc == 0 && p->zl->n > 0) {
		set_succeeded(o, p->zl->z, p->zl->n);
		o->built |= DZ_OBJ_B_ADDED;
	}
	prec_clear_parse(p);
	return rc;
}

/* ---- editing a served zone in place ---------------------------------- */

/*
 * The RRs of z's gone members that were added to it, removed from the
 * edit. Their versions were built from the same DNSZone, so they parse
 * as they did then.
 */
static int edit_gone(struct bstate *st, struct bzone *z,
		     struct dz_zone_edit *e)
{
	for (size_t i = 0; i < z->ngone; i++) {
		struct dz_object *o = z->gone[i];
		struct dz_rdata_list rr = { 0 };
		const struct dz_ynode *spec;
		struct owner_arg oa;
		bool nomem = false;
		int rc;

		if (!(o->built & DZ_OBJ_B_ADDED)) {
			continue;
		}
		dz_arena_reset(st->scratch);
		spec = dz_object_spec(o, st->scratch, &nomem);
		rc = nomem ? DZ_ENOMEM :
		     parse_record(o, spec, z, &oa, &rr, false);
		if (rc == 0 && dz_zone_check_failed_at(z->prev, oa.owner)) {
			rc = DZ_EAGAIN; /* which object wins may change */
		}
		for (size_t j = 0; rc == 0 && j < rr.n; j++) {
			const uint8_t *t = rr_target(o, rr.items[j].data,
						     rr.items[j].len);
			rc = dz_zone_edit_del(e, oa.owner, o->cls->ops->rrtype,
					      oa.ttl, rr.items[j].data,
					      rr.items[j].len);
			z->hash -= rr_hash(oa.owner, o->cls->ops->rrtype,
					   oa.ttl, rr.items[j].data,
					   rr.items[j].len);
			if (rc == 0 && t != NULL) {
				rc = push_name(st, &st->gtargets, &st->ngt,
					       &st->capgt, o, t);
			}
		}
		if (rc == 0 && is_addr(o->cls->ops->rrtype) && rr.n > 0) {
			rc = push_name(st, &st->aown, &st->naown,
				       &st->capaown, o, oa.owner);
		}
		dz_rdata_list_clear(&rr);
		if (rc != 0) {
			/* added then, failing now: do not guess */
			return rc == DZ_EMANIFEST ? DZ_EAGAIN : rc;
		}
	}
	return 0;
}

/* A fresh member (st->objs[idx], of z alone) parsed and added. */
static int edit_fresh(struct bstate *st, struct bzone *z,
		      struct dz_zone_edit *e, size_t idx)
{
	struct dz_object *o = st->objs[idx];
	struct prec *p = &st->prec[idx];
	const struct pzone *pz;
	int rc = parse_all(st->scratch, parsed_main(st), o, p);

	if (rc == DZ_EMANIFEST) {
		set_failed(o);
		prec_clear_parse(p);
		return 0;
	}
	pz = rc == 0 ? &p->pz[0] : NULL;
	if (rc == 0 && dz_zone_check_failed_at(z->prev, pz->owner)) {
		rc = DZ_EAGAIN; /* which object wins may change */
	}
	for (size_t i = 0; rc == 0 && i < pz->rr.n; i++) {
		const struct dz_rdata *r = &pz->rr.items[i];
		rc = dz_zone_edit_add(e, pz->owner, o->cls->ops->rrtype,
				      pz->ttl, r->data, r->len);
		if (rc == 0) {
			z->hash += rr_hash(pz->owner, o->cls->ops->rrtype,
					   pz->ttl, r->data, r->len);
			rc = add_target(st, o, z, r);
		}
	}
	if (rc == 0 && is_addr(o->cls->ops->rrtype) && pz->rr.n > 0) {
		rc = push_name(st, &st->aown, &st->naown, &st->capaown, o,
			       pz->owner);
	}
	if (rc == 0) {
		set_succeeded(o, p->zl->z, p->zl->n);
		o->built |= DZ_OBJ_B_ADDED;
	}
	prec_clear_parse(p);
	return rc;
}

/* The apex SOA with this serial: removed (before any add) or added. */
static int edit_soa(struct bzone *z, struct dz_zone_edit *e, uint32_t serial,
		    bool add)
{
	uint8_t rd[DZ_ZSPEC_SOA_MAX];
	size_t len = dz_zspec_soa_rdata(&z->spec, serial, rd);

	return add ? dz_zone_edit_add(e, z->spec.origin, T_SOA, z->spec.ttl,
				      rd, (uint16_t)len) :
		     dz_zone_edit_del(e, z->spec.origin, T_SOA, z->spec.ttl,
				      rd, (uint16_t)len);
}

/* An edit declined or undone: z's fresh members are built with the
 * zone instead. */
static void edit_undo(struct bstate *st, struct bzone *z)
{
	size_t k = 0;

	for (size_t i = 0; i < z->nfresh; i++) {
		struct dz_object *o = st->objs[z->fresh[i]];
		dz_object_reset_status(o);
		clear_bdiags(o);
		o->built &= (uint8_t)~DZ_OBJ_B_ADDED;
		prec_clear_parse(&st->prec[z->fresh[i]]);
	}
	for (size_t i = 0; i < st->ntargets; i++) {
		if (st->targets[i].zone != z) {
			st->targets[k++] = st->targets[i];
		}
	}
	st->ntargets = k;
	z->hash = 0;
}

/*
 * A record of several zones is built for all of them or kept with all
 * of them: its status (a check that fails it, warnings) comes from every
 * zone it joins. Zones kept while another zone of such a record is built
 * are built too.
 */
static void unkeep_mixed(struct bstate *st)
{
	bool again = st->nmulti > 0;

	while (again) {
		again = false;
		for (size_t i = 0; i < st->nmulti; i++) {
			const struct prec *p = &st->prec[st->multi[i]];
			size_t nkept = 0;
			for (size_t j = 0; j < p->zl->n; j++) {
				nkept += kept(p->zl->z[j]);
			}
			if (nkept == 0 || nkept == p->zl->n) {
				continue;
			}
			for (size_t j = 0; j < p->zl->n; j++) {
				struct bzone *z = p->zl->z[j];
				if (!kept(z)) {
					continue;
				}
				dz_zone_unref(z->zone);
				z->zone = NULL;
				z->edited = false;
				z->reuse = NULL;
				edit_undo(st, z);
			}
			again = true;
		}
	}
}

/*
 * Edit z's served zone: its gone members' RRs out, the fresh ones' in,
 * a new SOA when the content changed. Declined edits (DZ_EAGAIN and the
 * like) leave z to be built: 0. DZ_ENOMEM.
 */
static int edit_zone(struct bstate *st, struct bzone *z)
{
	size_t removed, added;
	uint32_t old = dz_zone_serial(z->prev);
	const char *err = NULL;
	int why = 0, rc;
	struct dz_zone_edit *e = dz_zone_edit_new(z->prev, &why);

	if (e == NULL && why == DZ_EAGAIN) {
		/* a long edit chain, or much garbage in it: start a new
		 * chain from the zone's own RRs (no manifest is read) */
		if ((z->compact = dz_zone_compact(z->prev)) == NULL) {
			return DZ_ENOMEM;
		}
		z->prev = z->compact;
		e = dz_zone_edit_new(z->prev, &why);
	}
	if (e == NULL) {
		return why == DZ_ENOMEM ? why : 0;
	}
	z->hash = dz_zone_content_hash(z->prev);
	rc = edit_gone(st, z, e);
	if (rc == 0) {
		rc = edit_soa(z, e, old, false);
	}
	for (size_t i = 0; rc == 0 && i < z->nfresh; i++) {
		rc = edit_fresh(st, z, e, z->fresh[i]);
	}
	if (rc == 0) {
		rc = edit_soa(z, e, pick_serial(st, z), true);
	}
	if (rc != 0) {
		dz_zone_edit_free(e);
		edit_undo(st, z);
		return rc == DZ_ENOMEM ? rc : 0;
	}
	dz_zone_edit_count(e, &removed, &added);
	if (removed == 0 && added == 0) {
		/* the same content: keep the zone served */
		dz_zone_edit_free(e);
		z->reuse = z->prev;
		if (!st->delta) {
			dz_zone_set_fingerprint(z->prev, z->fp);
			restore(st, z->obj_index);
		} /* else when the delta stands (delta_build) */
		return 0;
	}
	z->zone = dz_zone_edit_finish(e, &err);
	if (z->zone == NULL) {
		return DZ_ENOMEM; /* the SOA is there: out of memory */
	}
	dz_zone_set_fingerprint(z->zone, z->fp);
	dz_zone_set_build_info(z->zone, z->hash, NULL, 0); /* keeps names */
	z->edited = true;
	return 0;
}

/*
 * A change of much of a zone (a rescan, a bulk rewrite) is built rather
 * than edited: the build parses on every core and makes no garbage.
 */
static bool too_big(const struct bzone *z)
{
	return z->nfresh + z->ngone > 1024 + dz_zone_rr_count(z->prev) / 16;
}

/* Note gone version o as a member of the zones it joined. */
static int note_gone(struct bstate *st, struct dz_object *o)
{
	const struct zlist *zl;
	struct dz_object **slot;

	if (o->cls->is_zone || o->cls->ops == NULL ||
	    !(o->built & DZ_OBJ_B_MEMBER)) {
		return 0;
	}
	if (record_zones(st, o, true, &zl) != 0) {
		return DZ_ENOMEM;
	}
	for (size_t k = 0, nz = zl->n; k < nz; k++) {
		struct bzone *z = zl->z[k];
		if (z->prev == NULL) {
			continue;
		}
		z->fp_gone += obj_id(o, nz);
		z->no_edit = z->no_edit || nz > 1;
		slot = vec_push(&z->gone, &z->ngone, &z->capgone,
				sizeof(*slot));
		if (slot == NULL) {
			return DZ_ENOMEM;
		}
		*slot = o;
	}
	return 0;
}

/*
 * Zones of the served snapshot whose inputs changed only by members that
 * join them alone, fresh ones and gone ones: edited in place when the
 * fingerprints add up (then nothing else changed: not the DNSZone, no
 * duplicate or selector decision) and no check failed in their last
 * build.
 */
static int plan_edits(struct bstate *st)
{
	const struct dz_build_opts *op = st->opts;
	bool any = false;

	for (size_t i = 0; i < st->nserving; i++) {
		any = any || st->by_name[i]->prev != NULL;
	}
	for (size_t f = 0; any && f < op->ngone; f++) {
		for (size_t j = 0; j < op->gone[f]->nobjects; j++) {
			if (note_gone(st, &op->gone[f]->objects[j]) != 0) {
				return DZ_ENOMEM;
			}
		}
	}
	for (size_t i = 0; any && i < st->nserving; i++) {
		struct bzone *z = st->by_name[i];
		if (z->prev == NULL || z->no_edit ||
		    too_big(z) ||
		    dz_zone_fingerprint(z->prev) - z->fp_gone + z->fp_fresh !=
		    z->fp) {
			continue;
		}
		if (edit_zone(st, z) != 0) {
			return DZ_ENOMEM;
		}
	}
	return 0;
}

/* ---- parsing the records on every core ------------------------------ */

/*
 * Parsing is most of a build's work and touches nothing but the object
 * and its prec, so the records whose zones are known are parsed first,
 * in parallel; build_record then finds them parsed (or failed).
 */
struct preparse {
	struct bstate *st;
	size_t *idx;            /* st->objs indexes to parse */
	size_t n;
	atomic_size_t next;
	atomic_bool nomem;
};

#define PREPARSE_CHUNK 64

static void preparse_run(void *arg)
{
	struct preparse *pp = arg;
	struct dz_arena *scratch = dz_arena_new(0);
	struct dz_arena *keep = dz_arena_new_mapped(0);

	if (keep != NULL) {
		/* parsed[0] is taken (parsed_main, run before) */
		pp->st->parsed[atomic_fetch_add(&pp->st->nparsed, 1)] = keep;
	}
	while (scratch != NULL && keep != NULL &&
	       !atomic_load(&pp->nomem)) {
		size_t k = atomic_fetch_add(&pp->next, PREPARSE_CHUNK);
		for (size_t j = k; j < k + PREPARSE_CHUNK && j < pp->n; j++) {
			size_t i = pp->idx[j];
			struct prec *p = &pp->st->prec[i];
			int rc = parse_all(scratch, keep, pp->st->objs[i], p);
			if (rc == DZ_EMANIFEST) {
				set_failed(pp->st->objs[i]);
				prec_clear_parse(p);
			} else if (rc != 0) {
				atomic_store(&pp->nomem, true);
			}
		}
		if (k >= pp->n) {
			break;
		}
	}
	if (scratch == NULL || keep == NULL) {
		atomic_store(&pp->nomem, true);
	}
	dz_arena_free(scratch);
}

static int preparse(struct bstate *st)
{
	struct preparse pp = { .st = st };
	int rc = 0;

	pp.idx = malloc((st->nobjs + 1) * sizeof(*pp.idx));
	if (pp.idx == NULL || parsed_main(st) == NULL) {
		free(pp.idx);
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < st->nobjs; i++) {
		if (!settled(st, i) && prec_nz(&st->prec[i]) > 0 &&
		    is_member(st->objs[i])) {
			pp.idx[pp.n++] = i;
		}
	}
	atomic_init(&pp.next, 0);
	atomic_init(&pp.nomem, false);
	if (pp.n > 0) {
		dz_par_run(dz_par_threads(0, pp.n, 4 * PREPARSE_CHUNK),
			   preparse_run, &pp);
	}
	if (atomic_load(&pp.nomem)) {
		rc = DZ_ENOMEM;
	}
	free(pp.idx);
	return rc;
}

/* ---- finish: zones to the snapshot, cross-record checks ------------- */

/* The DNSZone's status (also for a kept zone: the status it had may be
 * from a trial build that was taken back). */
static void zone_served(struct bzone *z, const struct dz_zone *zone)
{
	set_zone(z->obj, z->spec.name);
	set_status(z->obj, DZ_REASON_SUCCEEDED,
		   "zone %s served, %zu records, serial %u", z->spec.name,
		   dz_zone_rr_count(zone), dz_zone_serial(zone));
}

/* A zone for the snapshot, and the bzone it serves. */
struct served {
	struct bzone *z;
	const struct dz_zone *zone;
};

static int served_cmp(const void *pa, const void *pb)
{
	const struct served *a = pa, *b = pb;

	return dz_dname_cmp_canonical(dz_zone_origin(a->zone),
				      dz_zone_origin(b->zone));
}

/* zone is to serve z (serve_all adds them). 0 or DZ_ENOMEM. */
static int serve(struct bstate *st, struct bzone *z, const struct dz_zone *zone)
{
	struct served *v = vec_push(&st->serve, &st->nserve, &st->capserve,
				    sizeof(*v));

	if (v == NULL) {
		return DZ_ENOMEM;
	}
	*v = (struct served){ z, zone };
	return 0;
}

/* The zones to snap in canonical order (each add then appends): a build
 * of many zones is not quadratic. What each bzone serves is noted. */
static int serve_all(struct bstate *st, struct dz_snapshot *snap)
{
	if (st->nserve > 1) {
		qsort(st->serve, st->nserve, sizeof(*st->serve), served_cmp);
	}
	for (size_t i = 0; i < st->nserve; i++) {
		struct served *v = &st->serve[i];
		int rc = dz_snapshot_add_zone(snap, (struct dz_zone *)v->zone);
		if (rc == DZ_ENOMEM) {
			return rc;
		}
		v->z->served = rc == 0 ? v->zone : NULL;
	}
	return 0;
}

/* A delta build changes the status of z's DNSZone: keep the old one
 * for dz_build_undo. 0 or DZ_ENOMEM. */
static int save_light(struct bstate *st, struct dz_object *o)
{
	if (st->nu == st->capu) {
		size_t cap = st->capu ? 2 * st->capu : 8;
		struct dz_object **uo = realloc(st->uobjs, cap * sizeof(*uo));
		struct saved *sv;
		if (uo == NULL) {
			return DZ_ENOMEM;
		}
		st->uobjs = uo;
		sv = realloc(st->usaved, cap * sizeof(*sv));
		if (sv == NULL) {
			return DZ_ENOMEM;
		}
		st->usaved = sv;
		st->capu = cap;
	}
	st->uobjs[st->nu] = o;
	st->usaved[st->nu] = (struct saved){ .reason = o->reason,
					     .zone = o->zone,
					     .light = true };
	if (o->rare != NULL) {
		st->usaved[st->nu].message = o->rare->message;
		o->rare->message = NULL;
	}
	st->nu++;
	return 0;
}

static int finish_zones(struct bstate *st, struct dz_snapshot *snap)
{
	for (size_t i = 0; i < st->nserving; i++) {
		struct bzone *z = st->by_name[i];
		const char *err = "out of memory";
		int rc;

		if (st->delta && !z->touched) {
			/* as it was: zone and status */
			if (z->served != NULL &&
			    serve(st, z, z->served) != 0) {
				return DZ_ENOMEM;
			}
			continue;
		}
		if (z->reuse != NULL) {
			if (serve(st, z, z->reuse) != 0) {
				return DZ_ENOMEM;
			}
			if (!st->delta) {
				zone_served(z, z->reuse);
			}
			continue;
		}
		if (z->edited) {
			if (serve(st, z, z->zone) != 0 ||
			    (st->delta && save_light(st, z->obj) != 0)) {
				return DZ_ENOMEM;
			}
			zone_served(z, z->zone);
			continue;
		}
		rc = add_apex(st, z);
		if (rc == 0) {
			rc = dz_zspec_add_ns_fallback(&z->spec, z->b);
		}
		if (rc == DZ_ENOMEM) {
			return rc;
		}
		z->zone = dz_zone_builder_finish(z->b, &err);
		z->b = NULL;
		if (z->zone == NULL) {
			set_status(z->obj, DZ_REASON_FAILED, "%s:%u:%u: zone %s "
				   "not built: %s", z->obj->cls->file->rel,
				   z->obj->line, z->obj->col, z->spec.name,
				   err);
			continue;
		}
		dz_zone_set_fingerprint(z->zone, z->fp);
		if (dz_zone_set_build_info(z->zone, z->hash,
					   (const uint8_t *const *)z->failed,
					   z->nfailed) != 0 ||
		    serve(st, z, z->zone) != 0) {
			return DZ_ENOMEM;
		}
		zone_served(z, z->zone);
	}
	return serve_all(st, snap);
}

/* The spec field (and its node) of o that names target (relative names
 * from origin), for the message. */
static const char *target_field(struct bstate *st, const struct dz_object *o,
				const uint8_t *origin, const uint8_t *target,
				const struct dz_ynode **node)
{
	const struct dz_kind *k = o->cls->ops;
	uint8_t name[DZ_DNAME_MAX];
	const struct dz_ynode *spec;
	size_t len;

	dz_arena_reset(st->scratch);
	spec = dz_object_spec(o, st->scratch, NULL);
	*node = spec;
	for (size_t i = 0; k->fields != NULL && k->fields[i] != NULL; i++) {
		const struct dz_ynode *n = dz_ynode_get(spec, k->fields[i]);
		const char *s = n ? dz_ynode_str(n) : NULL;
		if (s != NULL &&
		    dz_dname_from_text(s, strlen(s), origin, name, &len, NULL,
				       NULL) == 0 &&
		    dz_dname_equal(name, target)) {
			*node = n;
			return k->fields[i];
		}
	}
	return "target";
}

/* Whether target is out of our zones or has an A or AAAA in snap. */
static bool target_ok(const struct dz_snapshot *snap, const uint8_t *target)
{
	uint8_t lname[DZ_DNAME_MAX];
	size_t len = dz_dname_len(target);
	const struct dz_zone *z;
	const struct dz_node *n;

	memcpy(lname, target, len);
	dz_dname_tolower(lname);
	if ((z = dz_snapshot_find_zone(snap, lname, len)) == NULL) {
		return true; /* not ours: nothing to check */
	}
	n = dz_zone_lookup(z, lname, len);
	return n != NULL && (dz_node_rrset(n, T_A) != NULL ||
			     dz_node_rrset(n, T_AAAA) != NULL);
}

static void warn_target(struct bstate *st, struct dz_object *o,
			const uint8_t *origin, const uint8_t *target)
{
	char text[DZ_DNAME_MAX * 4];
	const struct dz_ynode *at;
	const char *field = target_field(st, o, origin, target, &at);

	struct dz_diags *bd = dz_object_bdiags_mut(o);

	if (bd == NULL) {
		return; /* dropped, as dz_diags_add drops on OOM */
	}
	dz_dname_to_text(target, text, sizeof(text));
	dz_diags_add(bd, DZ_SEV_WARNING, o->cls->file->rel,
		     dz_ynode_line(at), dz_ynode_col(at),
		     "%s '%s' has no A or AAAA record", field, text);
}

static void check_targets(struct bstate *st, const struct dz_snapshot *snap)
{
	for (size_t i = 0; i < st->ntargets; i++) {
		struct target *t = &st->targets[i];
		if (!target_ok(snap, t->name)) {
			warn_target(st, t->obj, t->zone->spec.origin, t->name);
		}
	}
}

/* ---- who names a target: its warning follows the target's RRs ---------
 *
 * A record kept from an earlier build (reused, or untouched by a delta
 * build) was checked against the zones of that build. The context keeps
 * every (target, object) of the records built, so that a build can look
 * again at the objects naming a name whose A/AAAA changed.
 */

/*
 * One target name (as spelled in the records) and the objects naming it.
 * Records point at few names (an MX farm, a few name servers), so the
 * table is keyed by name and each name lists its users: keyed by (name,
 * object), a million MX records at 16 mail hosts would make 16 probe
 * clusters of 60k entries each.
 */
struct tuse {
	struct dz_object *o;
	bool warned;         /* o has the warning for it */
};

struct tname {
	uint64_t h;          /* of the lower-case name */
	uint8_t *name;       /* malloc'd; NULL: empty slot */
	struct tuse *uses;   /* one per record naming it (an object naming
	                      * it twice is there twice) */
	uint32_t n, cap;
};

static uint64_t tname_hash(const uint8_t *name)
{
	uint8_t lname[DZ_DNAME_MAX];
	size_t len = dz_dname_len(name);

	memcpy(lname, name, len);
	dz_dname_tolower(lname);
	return mix(fnv(0xcbf29ce484222325ULL, lname, len));
}

/* Linear probing: is the entry at j, whose home is h, still reachable
 * with slot i emptied? (Its home is cyclically in (i, j].) */
static bool probe_stays(size_t i, size_t j, size_t h)
{
	return i < j ? (h > i && h <= j) : (h > i || h <= j);
}

/* The slot of name (exact spelling) in c's table: its entry, or the
 * empty slot where it would go. */
static size_t tix_slot(const struct dz_build_ctx *c, const uint8_t *name,
		       uint64_t h)
{
	size_t len = dz_dname_len(name), j = h & c->tmask;

	while (c->tix[j].name != NULL &&
	       (c->tix[j].h != h || dz_dname_len(c->tix[j].name) != len ||
		memcmp(c->tix[j].name, name, len) != 0)) {
		j = (j + 1) & c->tmask;
	}
	return j;
}

/* Room in c's table for one more name. 0 or DZ_ENOMEM. */
static int tix_grow(struct dz_build_ctx *c)
{
	if (c->tix != NULL && 2 * (c->ntix + 1) <= c->tmask + 1) {
		return 0;
	}
	size_t cap = c->tmask ? 2 * (c->tmask + 1) : 64;
	struct tname *t = calloc(cap, sizeof(*t));
	if (t == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; c->tix != NULL && i <= c->tmask; i++) {
		if (c->tix[i].name != NULL) {
			size_t j = c->tix[i].h & (cap - 1);
			while (t[j].name != NULL) {
				j = (j + 1) & (cap - 1);
			}
			t[j] = c->tix[i];
		}
	}
	free(c->tix);
	c->tix = t;
	c->tmask = cap - 1;
	return 0;
}

/* o names name (h its tname_hash) in c. 0 or DZ_ENOMEM. */
static int tix_put(struct dz_build_ctx *c, const uint8_t *name, uint64_t h,
		   struct dz_object *o, bool warned)
{
	if (tix_grow(c) != 0) {
		return DZ_ENOMEM;
	}
	struct tname *e = &c->tix[tix_slot(c, name, h)];
	if (e->name == NULL) {
		size_t len = dz_dname_len(name);
		if ((e->name = malloc(len)) == NULL) {
			return DZ_ENOMEM;
		}
		memcpy(e->name, name, len);
		e->h = h;
		c->ntix++;
	}
	if (e->n == e->cap) {
		uint32_t cap = e->cap ? 2 * e->cap : 2;
		struct tuse *u = realloc(e->uses, cap * sizeof(*u));
		if (u == NULL) {
			return DZ_ENOMEM;
		}
		e->uses = u;
		e->cap = cap;
	}
	e->uses[e->n++] = (struct tuse){ o, warned };
	return 0;
}

static int tix_add(struct dz_build_ctx *c, struct dz_object *o,
		   const uint8_t *name, bool warned)
{
	return tix_put(c, name, tname_hash(name), o, warned);
}

static void tname_free(struct tname *e)
{
	free(e->name);
	free(e->uses);
	*e = (struct tname){ 0 };
}

/* o no longer names name (once). */
static void tix_del(struct dz_build_ctx *c, struct dz_object *o,
		    const uint8_t *name)
{
	if (c->tix == NULL) {
		return;
	}
	size_t i = tix_slot(c, name, tname_hash(name));
	struct tname *e = &c->tix[i];
	uint32_t k = 0;

	while (k < e->n && e->uses[k].o != o) {
		k++;
	}
	if (k == e->n) {
		return;
	}
	e->uses[k] = e->uses[--e->n];
	if (e->n > 0) {
		return;
	}
	tname_free(e);
	c->ntix--;
	for (size_t j = (i + 1) & c->tmask; c->tix[j].name != NULL;
	     j = (j + 1) & c->tmask) {
		if (!probe_stays(i, j, c->tix[j].h & c->tmask)) {
			c->tix[i] = c->tix[j];
			c->tix[j] = (struct tname){ 0 };
			i = j;
		}
	}
}

static void tix_free(struct tname *t, size_t mask)
{
	for (size_t i = 0; t != NULL && i <= mask; i++) {
		tname_free(&t[i]);
	}
	free(t);
}

/* The index of o's warning that target has no A or AAAA, or -1. */
static long target_warning(const struct dz_object *o, const uint8_t *target)
{
	char text[DZ_DNAME_MAX * 4], want[DZ_DNAME_MAX * 4 + 40];
	size_t lw;

	dz_dname_to_text(target, text, sizeof(text));
	lw = (size_t)snprintf(want, sizeof(want),
			      " '%s' has no A or AAAA record", text);
	const struct dz_diags *bd = dz_object_bdiags(o);

	for (size_t i = 0; i < bd->n; i++) {
		const char *m = bd->items[i].msg;
		size_t lm = strlen(m);
		if (bd->items[i].sev == DZ_SEV_WARNING && lm >= lw &&
		    strcmp(m + lm - lw, want) == 0) {
			return (long)i;
		}
	}
	return -1;
}

/* u's warning for target name made true in snap again (ok: whether
 * name has an A or AAAA there). */
static void retarget(struct bstate *st, const uint8_t *name, bool ok,
		     struct tuse *u)
{
	struct dz_object *o = u->o;

	if (ok != u->warned) {
		return; /* as it was */
	}
	if (ok) {
		long i = target_warning(o, name);
		if (i >= 0) {
			dz_diags_remove(&o->rare->bdiags, (size_t)i);
		}
		u->warned = false;
		return;
	}
	uint8_t origin[DZ_DNAME_MAX];
	size_t len;
	if (o->zone == NULL ||
	    dz_dname_from_text(o->zone, strlen(o->zone), NULL, origin, &len,
			       NULL, NULL) != 0) {
		return;
	}
	warn_target(st, o, origin, name);
	u->warned = true;
}

/* Every user of e's name retargeted. */
static void retarget_all(struct bstate *st, const struct dz_snapshot *snap,
			 struct tname *e)
{
	bool ok = target_ok(snap, e->name);

	for (uint32_t k = 0; k < e->n; k++) {
		retarget(st, e->name, ok, &e->uses[k]);
	}
}

/* Every entry naming name, retargeted. */
static void retarget_name(struct bstate *st, struct dz_build_ctx *c,
			  const struct dz_snapshot *snap, const uint8_t *name)
{
	uint64_t h = tname_hash(name);

	/* every spelling of name */
	for (size_t i = h & c->tmask;
	     c->tix != NULL && c->tix[i].name != NULL;
	     i = (i + 1) & c->tmask) {
		if (c->tix[i].h == h && dz_dname_equal(c->tix[i].name, name)) {
			retarget_all(st, snap, &c->tix[i]);
		}
	}
}

/* What a build needs to give every object its status from before it. */
struct dz_build_undo {
	struct dz_object **objs;
	struct saved *saved;
	size_t n;
	struct dz_build_ctx *ctx; /* what the build left there goes too */
};

static void undo_free(struct dz_object **objs, struct saved *saved, size_t n)
{
	for (size_t i = 0; saved != NULL && i < n; i++) {
		free(saved[i].message);
		if (!saved[i].light) {
			dz_diags_clear(&saved[i].bdiags);
		}
	}
	free(saved);
	free(objs);
}

static void ctx_clear(struct dz_build_ctx *c);

void dz_build_undo(struct dz_build_undo *u)
{
	if (u == NULL) {
		return;
	}
	for (size_t i = 0; i < u->n; i++) {
		struct dz_object *o = u->objs[i];
		struct saved *sv = &u->saved[i];
		/* restored: it has it already; fresh: it had none, and
		 * a rejected version's says why */
		if (!sv->restored && !o->cls->file->fresh) {
			give_back(o, sv);
		}
	}
	if (u->ctx != NULL) {
		ctx_clear(u->ctx);
	}
	dz_build_undo_free(u);
}

void dz_build_undo_free(struct dz_build_undo *u)
{
	if (u != NULL) {
		undo_free(u->objs, u->saved, u->n);
		free(u);
	}
}

/* Drop what one build put in z (builder, zone, member lists): what it
 * serves and its spec stay. */
static void zone_reset(struct bzone *z)
{
	dz_zone_builder_free(z->b);
	dz_zone_unref(z->zone);
	dz_zone_unref(z->compact);
	z->compact = NULL;
	free(z->fresh);
	for (size_t k = 0; k < z->nfailed; k++) {
		free(z->failed[k]);
	}
	free(z->failed);
	free(z->gone);
	z->b = NULL;
	z->zone = NULL;
	z->reuse = NULL;
	z->prev = NULL;
	z->failed = NULL;
	z->nfailed = z->capfailed = 0;
	z->fresh = NULL;
	z->nfresh = z->capfresh = 0;
	z->gone = NULL;
	z->ngone = z->capgone = 0;
	z->fp_fresh = z->fp_gone = z->hash = 0;
	z->no_edit = z->edited = z->touched = false;
}

static void zones_free(struct bzone *zones, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dz_zspec_clear(&zones[i].spec);
		zone_reset(&zones[i]);
	}
	free(zones);
}

/* keep_undo: hand the saved statuses to opts->undo when asked for. */
static void state_free(struct bstate *st, bool keep_undo)
{
	struct dz_object **uo = st->delta ? st->uobjs : st->objs;
	struct saved *us = st->delta ? st->usaved : st->saved;
	size_t un = st->delta ? st->nu : st->nobjs;

	if (st->delta) {
		for (size_t i = 0; i < st->ntz; i++) {
			zone_reset(st->tz[i]);
		}
	} else {
		zones_free(st->zones, st->nzones);
		free(st->by_ref);
		free(st->by_name);
	}
	free(st->tz);
	free(st->gtargets);
	free(st->aown);
	free(st->serve);
	free(st->targets);
	free(st->multi);
	if (keep_undo && !st->delta && us == NULL && st->opts != NULL &&
	    st->opts->undo != NULL && saved_alloc(st, un) == 0) {
		us = st->saved; /* nothing was saved: undo makes it PENDING */
	}
	if (keep_undo && st->opts != NULL && st->opts->undo != NULL &&
	    (us != NULL || st->delta) &&
	    (*st->opts->undo = malloc(sizeof(struct dz_build_undo))) != NULL) {
		**st->opts->undo = (struct dz_build_undo){ uo, us, un,
							   st->opts->ctx };
	} else {
		undo_free(uo, us, un);
	}
	if (st->delta) {
		free(st->objs);
	}
	parsed_free(st);
	free(st->ids);
	free(st->flags);
	free(st->prec);
	free(st->idx);
	free(st->dups);
	dz_arena_free(st->scratch);
	dz_arena_free(st->zspecs);
	dz_arena_free(st->zlists);
	dz_arena_free(st->tnames);
	memset(st, 0, sizeof(*st));
}

/* Remember owner (a copy) as a name where a check failed in z. */
static int note_failed(struct bzone *z, const uint8_t *owner)
{
	uint8_t **slot = vec_push(&z->failed, &z->nfailed, &z->capfailed,
				  sizeof(*slot));

	if (slot == NULL) {
		return DZ_ENOMEM;
	}
	*slot = malloc(dz_dname_len(owner));
	if (*slot == NULL) {
		z->nfailed--;
		return DZ_ENOMEM;
	}
	memcpy(*slot, owner, dz_dname_len(owner));
	return 0;
}

/*
 * Cross-record checks (checks.c) before any record reaches a builder:
 * every record is parsed once to learn its RRs, and objects that break a
 * rule (a CNAME at the apex or beside other data) are failed here, so the
 * record loop skips them.
 */
static int feed_checks(struct bstate *st, struct dz_checks *ck)
{
	int rc = 0;

	for (size_t i = 0; i < st->nserving && rc == 0; i++) {
		if (!kept(st->by_name[i])) {
			rc = dz_checks_add_zone(ck, &st->by_name[i]->spec,
						st->by_name[i]->obj);
		}
	}
	for (size_t i = 0; i < st->nobjs && rc == 0; i++) {
		if (!settled(st, i) &&
		    st->objs[i]->reason == DZ_REASON_PENDING) {
			rc = build_record(st, i, ck);
		}
	}
	return rc;
}

static int run_checks(struct bstate *st)
{
	struct dz_checks *ck = dz_checks_new();
	int rc = ck != NULL ? 0 : DZ_ENOMEM;

	/* twice when there are CNAMEs (checks.h); the second time every
	 * record is parsed already, and those that failed are left out */
	if (rc == 0 && (rc = feed_checks(st, ck)) == 0 &&
	    dz_checks_rewind(ck)) {
		rc = feed_checks(st, ck);
	}
	if (rc == 0 && dz_checks_run(ck) == DZ_ENOMEM) {
		rc = DZ_ENOMEM;
	}
	dz_checks_free(ck);
	/* Zones a check failed a member of are never edited in place:
	 * an edit could change which object wins. (Parsed objects that
	 * failed failed a check: a failed parse leaves no pz.) */
	for (size_t i = 0; i < st->nobjs && rc == 0; i++) {
		const struct prec *p = &st->prec[i];
		if (settled(st, i) || p->pz == NULL ||
		    st->objs[i]->reason != DZ_REASON_FAILED) {
			continue;
		}
		for (size_t j = 0; j < prec_nz(p) && rc == 0; j++) {
			rc = note_failed(p->zl->z[j], p->pz[j].owner);
		}
	}
	return rc;
}

static int build_all(struct bstate *st, struct dz_mfile *const *files,
		     size_t n, struct dz_snapshot *snap)
{
	int rc;

	st->scratch = dz_arena_new(0);
	st->zspecs = dz_arena_new(0);
	st->zlists = dz_arena_new(0);
	if (st->scratch == NULL || st->zspecs == NULL || st->zlists == NULL) {
		return DZ_ENOMEM;
	}
	if ((rc = collect_objects(st, files, n)) != 0 ||
	    (rc = classify_objects(st)) != 0 ||
	    (rc = parse_zones(st)) != 0 || (rc = index_zones(st)) != 0 ||
	    (rc = plan_reuse(st)) != 0 || (rc = start_zones(st)) != 0 ||
	    (rc = preparse(st)) != 0 || (rc = run_checks(st)) != 0) {
		return rc;
	}
	for (size_t i = 0; i < st->nobjs; i++) {
		if (settled(st, i) ||
		    st->objs[i]->reason != DZ_REASON_PENDING) {
			continue;
		}
		if ((rc = build_record(st, i, NULL)) != 0) {
			return rc;
		}
	}
	/* every record is added: the zones are made without them */
	parsed_free(st);
	if ((rc = finish_zones(st, snap)) != 0) {
		return rc;
	}
	check_targets(st, snap);
	return 0;
}

/* The targets of record st->objs[i], kept by this build, parsed again:
 * to c's table, their warnings looked at again. 0 or DZ_ENOMEM. */
static int tix_parse_kept(struct bstate *st, struct dz_build_ctx *c,
			  size_t i, const struct dz_snapshot *snap)
{
	struct dz_object *o = st->objs[i];
	const struct prec *p = &st->prec[i];
	int rc = 0;

	if (!(o->cls->ops->flags & DZ_KIND_F_ADDITIONAL) ||
	    !(o->cls->ops->flags & DZ_KIND_F_NAME) || p->zl == NULL) {
		return 0;
	}
	for (size_t j = 0; rc == 0 && j < p->zl->n; j++) {
		struct dz_rdata_list rr = { 0 };
		const struct dz_ynode *spec;
		struct owner_arg oa;
		bool nomem = false;

		dz_arena_reset(st->scratch);
		spec = dz_object_spec(o, st->scratch, &nomem);
		rc = nomem ? DZ_ENOMEM :
		     parse_record(o, spec, p->zl->z[j], &oa, &rr, false);
		for (size_t k = 0; rc == 0 && k < rr.n; k++) {
			const uint8_t *t = rr_target(o, rr.items[k].data,
						     rr.items[k].len);
			struct tuse u = { o, false };
			if (t == NULL) {
				continue;
			}
			u.warned = target_warning(o, t) >= 0;
			retarget(st, t, target_ok(snap, t), &u);
			rc = tix_add(c, o, t, u.warned);
		}
		dz_rdata_list_clear(&rr);
	}
	return rc == DZ_ENOMEM ? rc : 0;
}

/*
 * After a build in full: c's table holds the targets of the records it
 * built and, from old (the table before), of those it kept, whose
 * warnings are looked at again. With no table before (the first build,
 * or one after a build taken back) the kept records are parsed for
 * theirs. 0 or DZ_ENOMEM.
 */
static int tix_rebuild(struct bstate *st, struct dz_build_ctx *c,
		       struct tname *old, size_t oldmask,
		       const struct dz_snapshot *snap)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && old != NULL && i <= oldmask; i++) {
		struct tname *e = &old[i];
		bool ok = e->name != NULL && target_ok(snap, e->name);
		for (uint32_t k = 0; rc == 0 && k < e->n; k++) {
			struct tuse *u = &e->uses[k];
			if (u->o->cls->file->stamp != c->stamp ||
			    !u->o->reused) {
				continue; /* gone, or built again */
			}
			retarget(st, e->name, ok, u);
			rc = tix_put(c, e->name, e->h, u->o, u->warned);
		}
	}
	for (size_t i = 0; old == NULL && rc == 0 && i < st->nobjs; i++) {
		if ((st->flags[i] & OF_KEPT) && !(st->flags[i] & OF_ZONE)) {
			rc = tix_parse_kept(st, c, i, snap);
		}
	}
	tix_free(old, oldmask);
	for (size_t i = 0; rc == 0 && i < st->ntargets; i++) {
		const struct target *t = &st->targets[i];
		rc = tix_add(c, t->obj, t->name, !target_ok(snap, t->name));
	}
	return rc;
}

/* A delta build's changes to c's table: gone records' targets out,
 * fresh ones in, and a look again at whoever names a name whose A or
 * AAAA changed. 0 or DZ_ENOMEM. */
static int tix_delta(struct bstate *st, struct dz_build_ctx *c,
		     const struct dz_snapshot *snap)
{
	int rc = 0;

	for (size_t i = 0; i < st->ngt; i++) {
		tix_del(c, st->gtargets[i].obj, st->gtargets[i].name);
	}
	for (size_t i = 0; rc == 0 && i < st->ntargets; i++) {
		const struct target *t = &st->targets[i];
		rc = tix_add(c, t->obj, t->name, !target_ok(snap, t->name));
	}
	for (size_t i = 0; rc == 0 && i < st->naown; i++) {
		retarget_name(st, c, snap, st->aown[i].name);
	}
	return rc;
}

/* ---- the context a build leaves for the next ------------------------ */

struct dz_build_ctx *dz_build_ctx_new(void)
{
	return calloc(1, sizeof(struct dz_build_ctx));
}

/* Forget what the last build left: the next one builds in full. */
static void ctx_clear(struct dz_build_ctx *c)
{
	zones_free(c->zones, c->nzones);
	free(c->by_ref);
	free(c->by_name);
	dz_arena_free(c->zspecs);
	free(c->idx);
	free(c->dups);
	free(c->touched);
	tix_free(c->tix, c->tmask);
	dz_snapshot_unref(c->snap);
	memset(c, 0, sizeof(*c));
}

void dz_build_ctx_free(struct dz_build_ctx *c)
{
	if (c != NULL) {
		ctx_clear(c);
		free(c);
	}
}

bool dz_build_ctx_incremental(const struct dz_build_ctx *c,
			      struct dz_object *const **touched, size_t *n)
{
	*touched = c != NULL ? c->touched : NULL;
	*n = c != NULL ? c->ntouched : 0;
	return c != NULL && c->snap != NULL && c->incremental;
}

static int u64_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* Stamp: the files of the build c now describes, which made snap. */
static void ctx_stamp(struct dz_build_ctx *c, struct dz_mfile *const *files,
		      size_t n, struct dz_snapshot *snap)
{
	static atomic_uint_fast64_t stamps;

	c->stamp = atomic_fetch_add(&stamps, 1) + 1;
	for (size_t i = 0; i < n; i++) {
		files[i]->stamp = c->stamp;
	}
	c->nfiles = n;
	dz_snapshot_ref(snap);
	dz_snapshot_unref(c->snap);
	c->snap = snap;
}

/* A full build's zone table and identity index go to c (cleared). */
static void ctx_take(struct dz_build_ctx *c, struct bstate *st,
		     struct dz_mfile *const *files, size_t n,
		     struct dz_snapshot *snap)
{
	for (size_t i = 0; i < st->nzones; i++) {
		zone_reset(&st->zones[i]);
	}
	c->zones = st->zones;
	c->nzones = st->nzones;
	c->by_ref = st->by_ref;
	c->by_name = st->by_name;
	c->nserving = st->nserving;
	c->zspecs = st->zspecs;
	c->idx = st->idx;
	c->idx_mask = st->idx_mask;
	c->nidx = st->nidx;
	c->dups = st->dups;
	c->ndups = st->ndups;
	if (c->ndups > 1) {
		qsort(c->dups, c->ndups, sizeof(*c->dups), u64_cmp);
	}
	st->zones = NULL;
	st->nzones = st->nserving = 0;
	st->by_ref = st->by_name = NULL;
	st->zspecs = NULL;
	st->idx = NULL;
	st->dups = NULL;
	c->incremental = false;
	ctx_stamp(c, files, n, snap);
}

static bool is_dup(const struct dz_build_ctx *c, uint64_t h)
{
	return c->ndups > 0 &&
	       bsearch(&h, c->dups, c->ndups, sizeof(h), u64_cmp) != NULL;
}

/* Empty slot sl of c's index, then close the gap (linear probing). */
static void idx_del(struct dz_build_ctx *c, struct dz_object **sl)
{
	size_t mask = c->idx_mask, i = (size_t)(sl - c->idx), j = i;

	c->idx[i] = NULL;
	c->nidx--;
	for (;;) {
		j = (j + 1) & mask;
		if (c->idx[j] == NULL) {
			return;
		}
		size_t h = c->idx[j]->id_hash & mask;
		/* stays when its home is cyclically in (i, j] */
		bool stays = i < j ? (h > i && h <= j) : (h > i || h <= j);
		if (!stays) {
			c->idx[i] = c->idx[j];
			c->idx[j] = NULL;
			i = j;
		}
	}
}

static bool has_zone(const struct dz_mfile *f)
{
	for (size_t i = 0; i < f->nobjects; i++) {
		if (f->objects[i].cls->is_zone) {
			return true;
		}
	}
	return false;
}

/* Can c describe files plus gone, minus the fresh versions? */
static bool delta_files(const struct dz_build_ctx *c,
			const struct dz_build_opts *op,
			struct dz_mfile *const *files, size_t n, size_t *nfresh)
{
	size_t kept = 0;

	if (c->snap == NULL || op->prev != c->snap ||
	    (op->ngone > 0 && op->gone == NULL)) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const struct dz_mfile *f = files[i];
		if (!f->fresh) {
			if (f->stamp != c->stamp) {
				return false;
			}
			kept++;
		} else if (f->stamp == c->stamp || has_zone(f)) {
			return false;
		} else {
			*nfresh += f->nobjects;
		}
	}
	for (size_t i = 0; i < op->ngone; i++) {
		if (op->gone[i]->stamp != c->stamp || has_zone(op->gone[i])) {
			return false;
		}
	}
	return kept + op->ngone == c->nfiles;
}

/* The identities of the gone versions out of c's index, the fresh ones
 * in; false when that decides a duplicate (a build in full does). */
static bool delta_ids(struct dz_build_ctx *c, const struct dz_build_opts *op,
		      struct dz_mfile *const *files, size_t n, size_t nfresh)
{
	for (size_t f = 0; f < op->ngone; f++) {
		for (size_t j = 0; j < op->gone[f]->nobjects; j++) {
			struct dz_object *g = &op->gone[f]->objects[j];
			struct dz_object **sl = idx_slot(c->idx, c->idx_mask,
							 g);
			if (*sl == NULL || (*sl == g &&
					    is_dup(c, g->id_hash))) {
				return false;
			}
			if (*sl == g) {
				idx_del(c, sl);
			} /* else another version won: g did not count */
		}
	}
	if (2 * (c->nidx + nfresh) > c->idx_mask + 1) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; files[i]->fresh && j < files[i]->nobjects;
		     j++) {
			struct dz_object *o = &files[i]->objects[j];
			struct dz_object **sl = idx_slot(c->idx, c->idx_mask,
							 o);
			if (*sl != NULL) {
				return false;
			}
			*sl = o;
			c->nidx++;
		}
	}
	return true;
}

static int touch(struct bstate *st, struct bzone *z)
{
	struct bzone **t;

	if (z->touched) {
		return 0;
	}
	if ((t = vec_push(&st->tz, &st->ntz, &st->captz, sizeof(*t))) == NULL) {
		return DZ_ENOMEM;
	}
	*t = z;
	z->touched = true;
	return 0;
}

/* The fresh objects as st->objs, with the status the load gives them. */
static int delta_objects(struct bstate *st, struct dz_mfile *const *files,
			 size_t n, size_t nfresh)
{
	size_t k = 0;

	st->objs = calloc(nfresh + 1, sizeof(*st->objs));
	st->prec = calloc(nfresh + 1, sizeof(*st->prec));
	st->ids = malloc((nfresh + 1) * sizeof(*st->ids));
	st->flags = calloc(nfresh + 1, 1);
	if (st->objs == NULL || st->prec == NULL || st->ids == NULL ||
	    st->flags == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; files[i]->fresh && j < files[i]->nobjects;
		     j++) {
			struct dz_object *o = &files[i]->objects[j];
			clear_bdiags(o);
			o->built = 0;
			o->reused = false;
			dz_object_reset_status(o);
			st->ids[k] = o->id_hash;
			if (dz_object_diags(o)->nerrors > 0 ||
			    o->spec_packed == NULL || o->cls->ops == NULL) {
				st->flags[k] = OF_BAD;
				classify_bad(o);
			}
			st->objs[k++] = o;
		}
	}
	st->nobjs = k;
	return 0;
}

/* Fresh and gone members to their zones: 1, 0 (not a delta), ENOMEM. */
static int delta_members(struct bstate *st)
{
	const struct dz_build_opts *op = st->opts;
	const struct zlist *zl;

	for (size_t i = 0; i < st->nobjs; i++) {
		struct dz_object *o = st->objs[i];
		struct prec *p = &st->prec[i];
		size_t *slot;
		if (!is_member(o)) {
			continue;
		}
		if (record_zones(st, o, false, &p->zl) != 0) {
			return DZ_ENOMEM;
		}
		if (p->zl->n == 0) {
			continue; /* its status says why */
		}
		if (p->zl->n > 1 || p->zl->z[0]->served == NULL) {
			return 0;
		}
		struct bzone *z = p->zl->z[0];
		o->built |= DZ_OBJ_B_MEMBER;
		z->fp_fresh += obj_id(o, 1);
		slot = vec_push(&z->fresh, &z->nfresh, &z->capfresh,
				sizeof(*slot));
		if (slot == NULL || touch(st, z) != 0) {
			return DZ_ENOMEM;
		}
		*slot = i;
	}
	for (size_t f = 0; f < op->ngone; f++) {
		for (size_t j = 0; j < op->gone[f]->nobjects; j++) {
			struct dz_object *g = &op->gone[f]->objects[j], **slot;
			if (g->cls->ops == NULL ||
			    !(g->built & DZ_OBJ_B_MEMBER)) {
				continue;
			}
			if (record_zones(st, g, true, &zl) != 0) {
				return DZ_ENOMEM;
			}
			if (zl->n != 1 || zl->z[0]->served == NULL) {
				return 0;
			}
			struct bzone *z = zl->z[0];
			z->fp_gone += obj_id(g, 1);
			slot = vec_push(&z->gone, &z->ngone, &z->capgone,
					sizeof(*slot));
			if (slot == NULL || touch(st, z) != 0) {
				return DZ_ENOMEM;
			}
			*slot = g;
		}
	}
	return 1;
}

/*
 * A build from the context (build.h): every file one its build had or a
 * fresh version, no DNSZone among the fresh and gone versions, no
 * identity of theirs met twice, each of their records in one zone, and
 * those zones edited in place. Nothing else is looked at: the other
 * objects keep their status, the other zones are served as they are.
 * 1 (done), 0 (build in full instead), DZ_ENOMEM.
 */
static int delta_build(struct bstate *st, struct dz_mfile *const *files,
		       size_t n, struct dz_snapshot *snap)
{
	struct dz_build_ctx *c = st->opts->ctx;
	size_t nfresh = 0;
	int rc;

	if (!delta_files(c, st->opts, files, n, &nfresh) ||
	    !delta_ids(c, st->opts, files, n, nfresh)) {
		return 0;
	}
	st->delta = true;
	st->zones = c->zones;
	st->nzones = c->nzones;
	st->by_ref = c->by_ref;
	st->by_name = c->by_name;
	st->nserving = c->nserving;
	st->scratch = dz_arena_new(0);
	st->zlists = dz_arena_new(0);
	if (st->scratch == NULL || st->zlists == NULL ||
	    delta_objects(st, files, n, nfresh) != 0) {
		return DZ_ENOMEM;
	}
	if ((rc = delta_members(st)) != 1) {
		return rc;
	}
	for (size_t i = 0; i < st->ntz; i++) {
		struct bzone *z = st->tz[i];
		z->prev = (struct dz_zone *)z->served;
		z->fp = dz_zone_fingerprint(z->prev) - z->fp_gone +
			z->fp_fresh;
		if (too_big(z)) {
			return 0;
		}
		if ((rc = edit_zone(st, z)) != 0) {
			return rc;
		}
		if (!kept(z)) {
			return 0; /* declined */
		}
	}
	if ((rc = finish_zones(st, snap)) != 0) {
		return rc;
	}
	for (size_t i = 0; i < st->ntz; i++) {
		struct bzone *z = st->tz[i];
		if (z->reuse != NULL) {
			dz_zone_set_fingerprint((struct dz_zone *)z->reuse,
						z->fp);
		}
	}
	check_targets(st, snap);
	if ((rc = tix_delta(st, c, snap)) != 0) {
		return rc;
	}
	/* what it did, for the next build and the status table */
	c->ntouched = 0;
	for (size_t i = 0; i < st->nu; i++) {
		struct dz_object **t = vec_push(&c->touched, &c->ntouched,
						&c->captouched, sizeof(*t));
		if (t == NULL) {
			return DZ_ENOMEM;
		}
		*t = st->uobjs[i];
	}
	c->incremental = true;
	ctx_stamp(c, files, n, snap);
	return 1;
}

struct dz_snapshot *dz_build(struct dz_mfile *const *files, size_t n,
			     const struct dz_build_opts *opts)
{
	struct bstate st = { .opts = opts };
	struct dz_build_ctx *c = opts != NULL ? opts->ctx : NULL;
	struct dz_snapshot *snap = dz_snapshot_new();
	int rc = 0;

	if (snap == NULL) {
		return NULL;
	}
	if (c != NULL && (rc = delta_build(&st, files, n, snap)) == 0) {
		/* not a delta: what it began goes */
		state_free(&st, false);
		st.opts = opts;
	}
	if (rc == 0) {
		/* c goes, but for its target table (tix_rebuild) */
		struct tname *old = c != NULL ? c->tix : NULL;
		size_t omask = c != NULL ? c->tmask : 0;
		if (c != NULL) {
			c->tix = NULL;
			ctx_clear(c);
		}
		rc = build_all(&st, files, n, snap) == 0 ? 1 : DZ_ENOMEM;
		if (rc == 1 && c != NULL) {
			ctx_take(c, &st, files, n, snap);
			rc = tix_rebuild(&st, c, old, omask, snap) == 0 ?
			     1 : DZ_ENOMEM;
			old = NULL;
		}
		tix_free(old, omask);
	}
	if (rc != 1) {
		dz_log_err("out of memory building zones");
		dz_snapshot_unref(snap);
		snap = NULL;
		if (c != NULL) {
			ctx_clear(c);
		}
	}
	state_free(&st, true);
	return snap;
}

/* ---- diagnostics ---------------------------------------------------- */

static bool reason_is_warning(enum dz_reason r)
{
	return r == DZ_REASON_ZONE_NOT_FOUND || r == DZ_REASON_NOT_SELECTED ||
	       r == DZ_REASON_DUPLICATE_ZONE ||
	       r == DZ_REASON_DUPLICATE_OBJECT ||
	       r == DZ_REASON_UNSUPPORTED_KIND;
}

static bool has_msg(const struct dz_diags *d, const char *msg)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->items[i].msg, msg) == 0) {
			return true;
		}
	}
	return false;
}

void dz_build_collect_diags(struct dz_mfile *const *files, size_t n,
			    struct dz_diags *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct dz_mfile *f = files[i];
		dz_diags_append(out, &f->diags);
		for (size_t j = 0; j < f->nobjects; j++) {
			const struct dz_object *o = &f->objects[j];
			dz_diags_append(out, dz_object_diags(o));
			dz_diags_append(out, dz_object_bdiags(o));
			if (!reason_is_warning(o->reason) ||
			    has_msg(dz_object_diags(o), dz_object_message(o))) {
				continue;
			}
			dz_diags_add(out, DZ_SEV_WARNING, f->rel, o->line,
				     o->col, "%s %s/%s not served: %s (%s)",
				     o->cls->kind, o->cls->ns, o->name,
				     dz_object_message(o),
				     dz_reason_name(o->reason));
		}
	}
}
