/* SPDX-License-Identifier: MIT */
/* load.c -- manifest files to bindy objects: apiVersion, kind, metadata. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/load.h"
#include "util/errcode.h"
#include "util/log.h"
#include "util/par.h"

static uint64_t hash_node(uint64_t h, const struct dz_ynode *n);

/* One per record, two million at a million names: what objects share
 * goes to their class, what few have to their side struct. */
_Static_assert(sizeof(struct dz_object) <= 72,
	       "struct dz_object grew: there is one per record");

#define BINDY_GROUP "bindy.firestoned.io"


/* bindy kinds that configure servers, not DNS data: skipped silently. */
static const char *const skipped_kinds[] = {
	"Bind9Cluster", "Bind9Instance", "ClusterBind9Provider",
	"Bind9GlobalCluster", NULL,
};

static const char *const versions[] = { "v1alpha1", "v1beta1", NULL };
/* The apiVersion strings objects point at (the file's text is freed). */
static const char *const api_versions[] = {
	BINDY_GROUP "/v1alpha1", BINDY_GROUP "/v1beta1",
};

static const char *const reason_names[] = {
	[DZ_REASON_PENDING] = "Pending",
	[DZ_REASON_SUCCEEDED] = "ReconcileSucceeded",
	[DZ_REASON_FAILED] = "ReconcileFailed",
	[DZ_REASON_ZONE_NOT_FOUND] = "ZoneNotFound",
	[DZ_REASON_NOT_SELECTED] = "NotSelected",
	[DZ_REASON_DUPLICATE_ZONE] = "DuplicateZone",
	[DZ_REASON_DUPLICATE_OBJECT] = "DuplicateObject",
	[DZ_REASON_UNSUPPORTED_KIND] = "UnsupportedKind",
};

const char *dz_reason_name(enum dz_reason r)
{
	if ((size_t)r >= sizeof(reason_names) / sizeof(reason_names[0]) ||
	    reason_names[r] == NULL) {
		return "Pending";
	}
	return reason_names[r];
}

/* How many of a file's latest classes a new object is compared with. */
#define NCLASS 16

/* Loader state for one file. */
struct ld {
	struct dz_mfile *f;
	const char *display;
	struct dz_oclass *cls[NCLASS]; /* the classes made last */
	size_t ncls;            /* made so far; the next one goes to
	                         * cls[ncls % NCLASS] */
	struct dz_label *tl;    /* labels of the document at hand (malloc'd;
	                         * its text is in the parse tree) */
	size_t tcap;
	struct dz_object *objs; /* malloc'd while loading */
	size_t nobjs, capobjs;
	bool nomem;
};

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcmp(s, list[i]) == 0) {
			return true;
		}
	}
	return false;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A diagnostic at node n (or at the document root 'at' when n is NULL). */
static void diag_at(struct ld *l, struct dz_diags *d, enum dz_severity sev,
		    const struct dz_ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void diag_at(struct ld *l, struct dz_diags *d, enum dz_severity sev,
		    const struct dz_ynode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (d == NULL) {
		l->nomem = true; /* an object's side struct: out of memory */
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dz_diags_add(d, sev, l->display, dz_ynode_line(n), dz_ynode_col(n),
		     "%s", msg);
}

static struct dz_object *obj_new(struct ld *l)
{
	if (l->nobjs == l->capobjs) {
		size_t cap = l->capobjs ? l->capobjs * 2 : 8;
		struct dz_object *o = realloc(l->objs, cap * sizeof(*o));
		if (o == NULL) {
			l->nomem = true;
			return NULL;
		}
		l->objs = o;
		l->capobjs = cap;
	}
	struct dz_object *o = &l->objs[l->nobjs++];
	memset(o, 0, sizeof(*o));
	return o;
}

/* o's load-time diagnostics for writing, NULL when out of memory. */
static struct dz_diags *odiags(struct dz_object *o)
{
	struct dz_orare *r = dz_object_rare(o);

	return r != NULL ? &r->diags : NULL;
}

/* A copy of s (NULL: NULL) in the file's arena. */
static const char *adup(struct ld *l, const char *s)
{
	const char *c = s != NULL ? dz_arena_strdup(l->f->arena, s) : NULL;

	l->nomem |= s != NULL && c == NULL;
	return c;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool class_same(const struct dz_oclass *a, const struct dz_oclass *b)
{
	if (a->api_version != b->api_version || a->ops != b->ops ||
	    a->is_zone != b->is_zone || a->zone_by_ref != b->zone_by_ref ||
	    a->nlabels != b->nlabels || !str_eq(a->kind, b->kind) ||
	    !str_eq(a->ns, b->ns) || !str_eq(a->zone_key, b->zone_key)) {
		return false;
	}
	for (uint32_t i = 0; i < a->nlabels; i++) {
		if (!str_eq(a->labels[i].key, b->labels[i].key) ||
		    !str_eq(a->labels[i].value, b->labels[i].value)) {
			return false;
		}
	}
	return true;
}

/*
 * A namespace (key false) or zone reference (key true) in the file's
 * arena: an earlier class's copy, else a new one. Classes share their
 * strings so that the build's caches that compare pointers (the zone of
 * a namespace and zoneRef) hit across kinds.
 */
static const char *class_str(struct ld *l, const char *s, bool key)
{
	size_t n = l->ncls < NCLASS ? l->ncls : NCLASS;

	for (size_t i = 1; s != NULL && i <= n; i++) {
		const struct dz_oclass *k = l->cls[(l->ncls - i) % NCLASS];
		const char *t = key ? k->zone_key : k->ns;
		if (str_eq(t, s)) {
			return t;
		}
	}
	return adup(l, s);
}

/* A copy of c (its text in the parse tree) in the file's arena. */
static struct dz_oclass *class_new(struct ld *l, const struct dz_oclass *c)
{
	struct dz_oclass *k = dz_arena_alloc(l->f->arena, sizeof(*k));
	struct dz_label *lb = NULL;

	if (k == NULL || (c->nlabels > 0 &&
			  (lb = dz_arena_alloc(l->f->arena, c->nlabels *
					       sizeof(*lb))) == NULL)) {
		l->nomem = true;
		return NULL;
	}
	*k = *c;
	k->file = l->f;
	/* kind names that outlive the file's text: the plugin's own */
	if (c->ops == NULL && !c->is_zone) {
		k->kind = adup(l, c->kind);
	}
	if (strcmp(c->ns, "default") != 0) {
		k->ns = class_str(l, c->ns, false);
	}
	k->zone_key = class_str(l, c->zone_key, true);
	for (uint32_t i = 0; i < c->nlabels; i++) {
		lb[i].key = adup(l, c->labels[i].key);
		lb[i].value = adup(l, c->labels[i].value);
	}
	k->labels = lb;
	if (l->nomem) {
		return NULL;
	}
	l->cls[l->ncls++ % NCLASS] = k;
	return k;
}

/* The class equal to c among the file's latest, or a new one. */
static const struct dz_oclass *class_keep(struct ld *l,
					  const struct dz_oclass *c)
{
	size_t n = l->ncls < NCLASS ? l->ncls : NCLASS;

	for (size_t i = 1; i <= n; i++) {
		const struct dz_oclass *k = l->cls[(l->ncls - i) % NCLASS];
		if (class_same(k, c)) {
			return k;
		}
	}
	return class_new(l, c);
}

static void load_labels(struct ld *l, struct dz_object *o,
			struct dz_oclass *c, const struct dz_ynode *labels)
{
	if (labels == NULL) {
		return;
	}
	if (dz_ynode_type(labels) != DZ_YNODE_MAP) {
		diag_at(l, odiags(o), DZ_SEV_ERROR, labels,
			"'metadata.labels' must be a mapping");
		return;
	}
	size_t n = dz_ynode_len(labels);
	if (n > l->tcap) {
		struct dz_label *t = realloc(l->tl, n * sizeof(*t));
		if (t == NULL) {
			l->nomem = true;
			return;
		}
		l->tl = t;
		l->tcap = n;
	}
	c->labels = l->tl;
	for (size_t i = 0; i < n; i++) {
		const struct dz_ynode *k = dz_ynode_key_at(labels, i);
		const struct dz_ynode *v = dz_ynode_value_at(labels, i);
		if (dz_ynode_type(v) != DZ_YNODE_SCALAR) {
			diag_at(l, odiags(o), DZ_SEV_ERROR, v,
				"label '%s' must be a string",
				dz_ynode_str(k));
			continue;
		}
		l->tl[c->nlabels].key = dz_ynode_str(k);
		l->tl[c->nlabels++].value = dz_ynode_str(v);
	}
}

static void load_metadata(struct ld *l, struct dz_object *o,
			  struct dz_oclass *c, const struct dz_ynode *root)
{
	const struct dz_ynode *md = dz_ynode_get(root, "metadata");
	const struct dz_ynode *name = dz_ynode_get(md, "name");
	const struct dz_ynode *ns = dz_ynode_get(md, "namespace");

	/* Never NULL, so that the build can always name the object. */
	o->name = "";
	c->ns = "default";
	if (md != NULL && dz_ynode_type(md) != DZ_YNODE_MAP) {
		diag_at(l, odiags(o), DZ_SEV_ERROR, md,
			"'metadata' must be a mapping");
		return;
	}
	if (name == NULL) {
		diag_at(l, odiags(o), DZ_SEV_ERROR, md ? md : root,
			"missing required field 'metadata.name'");
	} else if (dz_ynode_type(name) != DZ_YNODE_SCALAR ||
		   dz_ynode_str(name)[0] == '\0') {
		diag_at(l, odiags(o), DZ_SEV_ERROR, name,
			"'metadata.name' must be a non-empty string");
	} else {
		o->name = dz_arena_strdup(l->f->arena, dz_ynode_str(name));
		l->nomem |= o->name == NULL;
	}
	if (ns != NULL) {
		const char *s = dz_ynode_str(ns);
		if (s == NULL) {
			diag_at(l, odiags(o), DZ_SEV_ERROR, ns,
				"'metadata.namespace' must be a string");
		} else if (s[0] != '\0') {
			c->ns = s; /* copied with the class */
		}
	}
	load_labels(l, o, c, dz_ynode_get(md, "labels"));
}

/* A non-empty string field of spec, or NULL; *node gets its node. */
static const char *spec_str(const struct dz_ynode *spec, const char *key,
			    const struct dz_ynode **node)
{
	const struct dz_ynode *n = dz_ynode_get(spec, key);
	const char *s = n ? dz_ynode_str(n) : NULL;

	*node = n;
	return (s != NULL && s[0] != '\0') ? s : NULL;
}

/* How a record names its zone: spec.zoneRef or spec.zone, not both. */
static void load_zone_fields(struct ld *l, struct dz_object *o,
			     struct dz_oclass *c, const struct dz_ynode *spec)
{
	const struct dz_ynode *rn, *zn;
	const char *ref = spec_str(spec, "zoneRef", &rn);
	const char *zone = spec_str(spec, "zone", &zn);

	if (ref != NULL && zone != NULL) {
		diag_at(l, odiags(o), DZ_SEV_ERROR, zn,
			"both zoneRef '%s' and zone '%s' are set: use one",
			ref, zone);
		return;
	}
	c->zone_by_ref = ref != NULL;
	c->zone_key = ref != NULL ? ref : zone; /* copied with the class */
}

/* Keep spec packed; the tree itself goes with the file's scratch. */
static void load_spec(struct ld *l, struct dz_object *o,
		      struct dz_oclass *c, const struct dz_ynode *root)
{
	const struct dz_ynode *spec = dz_ynode_get(root, "spec");

	if (spec == NULL) {
		diag_at(l, odiags(o), DZ_SEV_ERROR, root,
			"missing required field 'spec'");
	} else if (dz_ynode_type(spec) != DZ_YNODE_MAP) {
		diag_at(l, odiags(o), DZ_SEV_ERROR, spec,
			"'spec' must be a mapping");
	} else {
		if (!c->is_zone) {
			load_zone_fields(l, o, c, spec);
		}
		o->spec_packed = dz_ynode_pack(l->f->arena, spec);
		l->nomem |= o->spec_packed == NULL;
		o->spec_hash = hash_node(0xcbf29ce484222325ULL, spec);
		return;
	}
	o->spec_hash = hash_node(0xcbf29ce484222325ULL, NULL);
}

/*
 * Check apiVersion; false when the document is not ours (or is broken at
 * file level, then with a diagnostic).
 */
static bool check_api(struct ld *l, const struct dz_ynode *root,
		      const char **api)
{
	const struct dz_ynode *n = dz_ynode_get(root, "apiVersion");
	const char *s = dz_ynode_str(n);
	size_t glen = strlen(BINDY_GROUP);

	if (s == NULL) {
		/* Not a Kubernetes object at all: likely a mistake. */
		diag_at(l, &l->f->diags, DZ_SEV_WARNING, n ? n : root,
			"document has no 'apiVersion' string: skipped");
		return false;
	}
	if (strncmp(s, BINDY_GROUP, glen) != 0 ||
	    (s[glen] != '/' && s[glen] != '\0')) {
		return false; /* another API group: not ours, silently */
	}
	for (size_t i = 0; s[glen] == '/' && versions[i] != NULL; i++) {
		if (strcmp(s + glen + 1, versions[i]) == 0) {
			*api = api_versions[i];
			return true;
		}
	}
	diag_at(l, &l->f->diags, DZ_SEV_ERROR, n,
		"unsupported apiVersion '%s'", s);
	return false;
}

/* Kind of a bindy document; NULL when it yields no object. */
static const char *check_kind(struct ld *l, const struct dz_ynode *root,
			      const struct dz_ynode **kn)
{
	const char *kind;

	*kn = dz_ynode_get(root, "kind");
	kind = dz_ynode_str(*kn);
	if (kind == NULL || kind[0] == '\0') {
		diag_at(l, &l->f->diags, DZ_SEV_ERROR, *kn ? *kn : root,
			"missing required field 'kind'");
		return NULL;
	}
	if (in_list(kind, skipped_kinds)) {
		return NULL;
	}
	if (strcmp(kind, "DNSZone") != 0 && dz_kind_lookup_name(kind) == NULL &&
	    !has_suffix(kind, "Record")) {
		diag_at(l, &l->f->diags, DZ_SEV_WARNING, *kn,
			"unknown kind '%s': skipped", kind);
		return NULL;
	}
	return kind;
}

static void load_doc(struct ld *l, const struct dz_ydoc *doc)
{
	const struct dz_ynode *root = doc->root;
	const struct dz_ynode *kn;
	const char *api = NULL, *kind;

	if (root == NULL) {
		return;
	}
	if (dz_ynode_type(root) != DZ_YNODE_MAP) {
		diag_at(l, &l->f->diags, DZ_SEV_ERROR, root,
			"document is not a mapping");
		return;
	}
	if (!check_api(l, root, &api)) {
		return;
	}
	kind = check_kind(l, root, &kn);
	if (kind == NULL) {
		return;
	}
	struct dz_object *o = obj_new(l);
	struct dz_oclass c = { .api_version = api, .kind = kind };
	if (o == NULL) {
		return;
	}
	o->line = root->line;
	o->col = root->col;
	c.is_zone = strcmp(kind, "DNSZone") == 0;
	if (c.is_zone) {
		c.kind = "DNSZone";
	} else if ((c.ops = dz_kind_lookup_name(kind)) != NULL) {
		c.kind = c.ops->name;
	} else {
		diag_at(l, odiags(o), DZ_SEV_WARNING, kn,
			"unsupported kind '%s': skipped", kind);
		o->reason = DZ_REASON_UNSUPPORTED_KIND;
	}
	load_metadata(l, o, &c, root);
	load_spec(l, o, &c, root);
	o->cls = class_keep(l, &c);
	if (o->cls == NULL) {
		return; /* out of memory: nomem set */
	}
	o->id_hash = dz_object_id_hash(o->cls->kind, o->cls->ns, o->name);
	if (dz_object_diags(o)->nerrors > 0) {
		char msg[512];

		o->reason = DZ_REASON_FAILED;
		dz_diag_format(&o->rare->diags.items[0], msg, sizeof(msg));
		msg[strcspn(msg, "\n")] = '\0';
		dz_object_set_message(o, "%s", msg);
	}
}

static void rare_free(struct dz_orare *r)
{
	if (r != NULL) {
		dz_diags_clear(&r->diags);
		dz_diags_clear(&r->bdiags);
		free(r->message);
		free(r);
	}
}

static struct dz_mfile *mfile_new(const char *path, const char *rel)
{
	static atomic_uint_fast64_t seq;
	struct dz_mfile *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		return NULL;
	}
	f->seq = atomic_fetch_add(&seq, 1) + 1;
	f->path = strdup(path ? path : (rel ? rel : ""));
	f->rel = strdup(rel ? rel : f->path ? f->path : "");
	f->arena = dz_arena_new(0);
	if (f->path == NULL || f->rel == NULL || f->arena == NULL) {
		dz_mfile_free(f);
		return NULL;
	}
	return f;
}

/* Turn parsed documents into objects; NULL (file freed) when out of memory. */
static struct dz_mfile *finish(struct dz_mfile *f, int rc,
			       const struct dz_ydoc *docs, size_t ndocs)
{
	struct ld l = { .f = f, .display = f->rel };

	if (rc == DZ_ENOMEM) {
		goto fail;
	}
	if (rc != 0) {
		f->failed = true;
		return f;
	}
	/* At most one object a document: one allocation, no regrowth. */
	if (ndocs > 0) {
		l.objs = malloc(ndocs * sizeof(*l.objs));
		l.capobjs = ndocs;
		l.nomem = l.objs == NULL;
	}
	for (size_t i = 0; i < ndocs && !l.nomem; i++) {
		load_doc(&l, &docs[i]);
	}
	if (l.nomem) {
		goto fail;
	}
	if (l.nobjs > 0) {
		/* The growth array becomes the file's: no copy. */
		struct dz_object *fit = realloc(l.objs, l.nobjs *
						sizeof(*l.objs));
		f->objects = fit != NULL ? fit : l.objs;
		f->nobjects = l.nobjs;
		free(l.tl);
		return f;
	}
	free(l.objs);
	free(l.tl);
	return f;
fail:
	for (size_t i = 0; i < l.nobjs; i++) {
		rare_free(l.objs[i].rare);
	}
	free(l.objs);
	free(l.tl);
	dz_mfile_free(f);
	return NULL;
}

struct dz_mfile *dz_mfile_load_scratch(const char *path, const char *rel,
				       struct dz_arena *scratch)
{
	struct dz_mfile *f = mfile_new(path, rel);
	struct dz_ydoc *docs;
	size_t ndocs;

	if (f == NULL) {
		return NULL;
	}
	dz_arena_reset(scratch);
	int rc = dz_yaml_parse_file(f->path, f->rel, NULL, scratch, &docs,
				    &ndocs, &f->diags);
	return finish(f, rc, docs, ndocs);
}

struct dz_mfile *dz_mfile_load(const char *path, const char *rel)
{
	struct dz_arena *scratch = dz_arena_new(0);
	struct dz_mfile *f = NULL;

	if (scratch != NULL) {
		f = dz_mfile_load_scratch(path, rel, scratch);
	}
	dz_arena_free(scratch);
	return f;
}

struct dz_mfile *dz_mfile_load_buffer(const char *buf, size_t len,
				      const char *rel)
{
	struct dz_arena *scratch = dz_arena_new(0);
	struct dz_mfile *f = mfile_new(NULL, rel);
	struct dz_ydoc *docs;
	size_t ndocs;

	if (f == NULL || scratch == NULL) {
		dz_arena_free(scratch);
		dz_mfile_free(f);
		return NULL;
	}
	int rc = dz_yaml_parse_buffer(buf, len, f->rel, NULL, scratch, &docs,
				      &ndocs, &f->diags);
	f = finish(f, rc, docs, ndocs);
	dz_arena_free(scratch);
	return f;
}

const struct dz_ynode *dz_object_spec(const struct dz_object *o,
				      struct dz_arena *scratch, bool *nomem)
{
	const struct dz_ynode *n;

	if (o->spec_packed == NULL) {
		return NULL;
	}
	n = dz_ynode_unpack(scratch, o->spec_packed);
	if (n == NULL && nomem != NULL) {
		*nomem = true;
	}
	return n;
}

/* ---- loading many files on several threads ---------------------------- */

struct loader {
	char *const *paths, *const *rels;
	struct dz_mfile **out;
	size_t n;
	atomic_size_t next;  /* the next file to take */
	atomic_bool nomem;
};

/* A loader's scratch chunk: files of up to a quarter of it are read and
 * parsed in blocks it keeps from file to file (dz_yaml_parse_file). */
#define LOADER_CHUNK (8u << 20)

static void loader_run(void *arg)
{
	struct loader *ld = arg;
	struct dz_arena *scratch = dz_arena_new(LOADER_CHUNK);

	if (scratch == NULL) {
		atomic_store(&ld->nomem, true);
		return;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&ld->next, 1);
		if (i >= ld->n || atomic_load(&ld->nomem)) {
			break;
		}
		ld->out[i] = dz_mfile_load_scratch(ld->paths[i], ld->rels[i],
						   scratch);
		if (ld->out[i] == NULL) {
			atomic_store(&ld->nomem, true);
		}
	}
	dz_arena_free(scratch);
}

int dz_mfile_load_many(char *const *paths, char *const *rels, size_t n,
		       unsigned threads, struct dz_mfile **out)
{
	struct loader ld = { .paths = paths, .rels = rels, .out = out,
			     .n = n };

	memset(out, 0, n * sizeof(*out));
	atomic_init(&ld.next, 0);
	atomic_init(&ld.nomem, false);
	/* A thread is worth its start only with a few files to share. */
	dz_par_run(dz_par_threads(threads, n, 2), loader_run, &ld);
	return atomic_load(&ld.nomem) ? DZ_ENOMEM : 0;
}

void dz_mfile_free(struct dz_mfile *f)
{
	if (f == NULL) {
		return;
	}
	for (size_t i = 0; i < f->nobjects; i++) {
		rare_free(f->objects[i].rare);
	}
	free(f->objects);
	dz_diags_clear(&f->diags);
	dz_arena_free(f->arena);
	free(f->path);
	free(f->rel);
	free(f);
}

int dz_manifest_load_dir(const char *dir, struct dz_mfile ***files,
			 size_t *n, struct dz_diags *diags)
{
	char **rels = NULL, **paths = NULL;
	size_t nrels = 0;
	struct dz_mfile **out = NULL;
	int rc;

	*files = NULL;
	*n = 0;
	rc = dz_manifest_list(dir, &rels, &nrels, diags);
	if (rc != 0) {
		goto out;
	}
	out = calloc(nrels ? nrels : 1, sizeof(*out));
	paths = calloc(nrels ? nrels : 1, sizeof(*paths));
	if (out == NULL || paths == NULL) {
		rc = DZ_ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < nrels; k++) {
		if (asprintf(&paths[k], "%s/%s", dir, rels[k]) < 0) {
			paths[k] = NULL;
			rc = DZ_ENOMEM;
			goto out;
		}
	}
	if ((rc = dz_mfile_load_many(paths, rels, nrels, 0, out)) != 0) {
		goto out;
	}
	*files = out;
	*n = nrels;
	out = NULL;
out:
	dz_manifest_free_all(out, nrels);
	dz_manifest_list_free(paths, nrels);
	dz_manifest_list_free(rels, nrels);
	return rc;
}

void dz_manifest_free_all(struct dz_mfile **files, size_t n)
{
	if (files == NULL) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		dz_mfile_free(files[i]);
	}
	free(files);
}

/* ---- status text ------------------------------------------------------ */

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ b[i]) * 0x100000001b3ULL;
	}
	return h;
}

/* FNV-1a over the tree: types, scalars, keys, in file order. */
static uint64_t hash_node(uint64_t h, const struct dz_ynode *n)
{
	uint8_t t;

	if (n == NULL) {
		return hash_bytes(h, "", 1);
	}
	t = (uint8_t)n->type;
	h = hash_bytes(h, &t, 1);
	switch (n->type) {
	case DZ_YNODE_SCALAR:
		return hash_bytes(h, n->u.str, strlen(n->u.str) + 1);
	case DZ_YNODE_SEQ:
		for (size_t i = 0; i < n->len; i++) {
			h = hash_node(h, n->u.items[i]);
		}
		return hash_bytes(h, "]", 1);
	case DZ_YNODE_MAP:
		for (size_t i = 0; i < n->len; i++) {
			h = hash_node(h, n->u.pairs[i].key);
			h = hash_node(h, n->u.pairs[i].value);
		}
		return hash_bytes(h, "}", 1);
	}
	return h;
}

uint64_t dz_object_id_hash(const char *kind, const char *ns,
			   const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = hash_bytes(h, kind, strlen(kind) + 1);
	h = hash_bytes(h, ns, strlen(ns) + 1);
	return hash_bytes(h, name, strlen(name));
}

uint64_t dz_object_spec_hash(const struct dz_object *o)
{
	return o->spec_hash;
}

void dz_object_set_message(struct dz_object *o, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&m, fmt, ap);
	va_end(ap);
	dz_object_put_status(o, n >= 0 ? m : NULL, NULL);
}

void dz_object_reset_status(struct dz_object *o)
{
	o->reason = DZ_REASON_PENDING;
	if (o->rare != NULL) {
		free(o->rare->message);
		o->rare->message = NULL;
	}
	o->zone = NULL;
}

const struct dz_diags dz_no_diags;

struct dz_orare *dz_object_rare(struct dz_object *o)
{
	if (o->rare == NULL) {
		o->rare = calloc(1, sizeof(*o->rare));
	}
	return o->rare;
}

void dz_object_take_status(struct dz_object *o, char **message,
			   struct dz_diags *bdiags)
{
	static const struct dz_diags none;

	*message = NULL;
	*bdiags = none;
	if (o->rare != NULL) {
		*message = o->rare->message;
		*bdiags = o->rare->bdiags;
		o->rare->message = NULL;
		o->rare->bdiags = none;
	}
}

void dz_object_put_status(struct dz_object *o, char *message,
			  struct dz_diags *bdiags)
{
	bool some = message != NULL ||
		    (bdiags != NULL && bdiags->items != NULL);
	struct dz_orare *r = some ? dz_object_rare(o) : o->rare;

	if (r == NULL) {
		if (some) {
			dz_log(DZ_LOG_ERR, "out of memory: a status of "
			       "%s dropped", o->name);
			free(message);
			if (bdiags != NULL) {
				dz_diags_clear(bdiags);
			}
		}
		return;
	}
	free(r->message);
	r->message = message;
	if (bdiags != NULL) {
		dz_diags_clear(&r->bdiags);
		r->bdiags = *bdiags;
	}
}

const char *dz_object_message(const struct dz_object *o)
{
	static char buf[512];

	if (dz_object_own_message(o) != NULL) {
		return o->rare->message;
	}
	if (o->reason == DZ_REASON_SUCCEEDED && o->cls->ops != NULL &&
	    o->zone != NULL) {
		snprintf(buf, sizeof(buf), "%s record added to zone %s",
			 o->cls->ops->type_name, o->zone);
		return buf;
	}
	return "";
}

/* Interned zone names: an open-addressing set that only grows. */
static struct {
	char **slot;
	size_t cap, n;
} interned;

static size_t name_hash(const char *s)
{
	size_t h = 5381;

	while (*s != '\0') {
		h = h * 33 ^ (unsigned char)*s++;
	}
	return h;
}

static bool intern_grow(void)
{
	size_t cap = interned.cap ? interned.cap * 2 : 64;
	char **slot = calloc(cap, sizeof(*slot));

	if (slot == NULL) {
		return false;
	}
	for (size_t i = 0; i < interned.cap; i++) {
		char *s = interned.slot[i];
		if (s == NULL) {
			continue;
		}
		size_t j = name_hash(s) & (cap - 1);
		while (slot[j] != NULL) {
			j = (j + 1) & (cap - 1);
		}
		slot[j] = s;
	}
	free(interned.slot);
	interned.slot = slot;
	interned.cap = cap;
	return true;
}

const char *dz_intern_zone(const char *name)
{
	size_t i;

	if (2 * (interned.n + 1) > interned.cap && !intern_grow()) {
		return NULL;
	}
	i = name_hash(name) & (interned.cap - 1);
	while (interned.slot[i] != NULL) {
		if (strcmp(interned.slot[i], name) == 0) {
			return interned.slot[i];
		}
		i = (i + 1) & (interned.cap - 1);
	}
	interned.slot[i] = strdup(name);
	if (interned.slot[i] == NULL) {
		return NULL;
	}
	interned.n++;
	return interned.slot[i];
}
