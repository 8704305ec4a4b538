/* SPDX-License-Identifier: MIT */
/* load.h -- manifest files to objects: the unit that the build consumes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/yaml.h"
#include "plugin/plugin.h"
#include "util/arena.h"
#include "util/diag.h"

/* Why an object is or is not served: bindy's condition reasons. */
enum dz_reason {
	DZ_REASON_PENDING = 0,        /* not built yet */
	DZ_REASON_SUCCEEDED,          /* "ReconcileSucceeded" */
	DZ_REASON_FAILED,             /* "ReconcileFailed" */
	DZ_REASON_ZONE_NOT_FOUND,     /* "ZoneNotFound" */
	DZ_REASON_NOT_SELECTED,       /* "NotSelected" */
	DZ_REASON_DUPLICATE_ZONE,     /* "DuplicateZone" */
	DZ_REASON_DUPLICATE_OBJECT,   /* "DuplicateObject" */
	DZ_REASON_UNSUPPORTED_KIND,   /* "UnsupportedKind" (no plugin) */
};

/* "ReconcileSucceeded", ... Static string. */
const char *dz_reason_name(enum dz_reason r);

struct dz_label {
	const char *key;
	const char *value;
};

struct dz_mfile;

/*
 * What few objects have, kept aside so that the many do not pay for it:
 * made on first use (dz_object_rare), freed with the file. Objects
 * without one have no diagnostics and no message of their own.
 */
struct dz_orare {
	struct dz_diags diags;   /* load-time problems of this object */
	struct dz_diags bdiags;  /* build-time problems (cleared per build) */
	char *message;           /* status message (heap), NULL: the usual
	                          * one for the reason (dz_object_message) */
};

/*
 * What the objects of one file have in common: their file, kind,
 * namespace, labels and zone reference. A file's records mostly share
 * them, so each combination is stored once in the file's arena and
 * objects point at it (the loader looks for an equal one among the
 * file's 16 latest: one may be stored twice, never wrongly shared).
 */
struct dz_oclass {
	struct dz_mfile *file;
	const char *kind;        /* "DNSZone", "MXRecord", ... */
	const char *api_version; /* "bindy.firestoned.io/v1beta1" */
	const char *ns;          /* metadata.namespace, "default" if absent */
	const struct dz_kind *ops; /* record kind plugin; NULL for DNSZone
	                            * and for kinds without a plugin */
	const struct dz_label *labels; /* metadata.labels */
	/* records: spec.zoneRef or spec.zone (never both: that is an
	 * error) when a non-empty string, copied at load because the build
	 * looks it up every time; zone_by_ref tells which.
	 * dz_object_zone_ref / dz_object_zone_name read it. */
	const char *zone_key;
	uint32_t nlabels;
	bool is_zone;            /* kind == DNSZone */
	bool zone_by_ref;        /* zone_key is spec.zoneRef */
};

/*
 * One bindy object (one YAML document of a bindy.firestoned.io kind that
 * serves DNS data). Load-time fields are fixed once the file is loaded;
 * build-time fields are rewritten by every build. There is one per
 * record, so every byte counts a million times: what objects share is
 * in cls, what few have is in rare (load.c asserts the size).
 */
struct dz_object {
	/* load time */
	const struct dz_oclass *cls; /* file, kind, namespace, labels, ... */
	const char *name;        /* metadata.name */
	/* spec, packed (dz_ynode_pack; read it with dz_object_spec):
	 * NULL when missing or not a mapping (an error). The parse tree
	 * of the file is gone once the file is loaded. */
	const uint8_t *spec_packed;
	uint64_t id_hash;        /* dz_object_id_hash(kind, ns, name) */
	uint64_t spec_hash;      /* of spec as loaded (observedGeneration) */
	struct dz_orare *rare;   /* diagnostics, message; NULL: none */

	/* build time (zone/build.c) */
	const char *zone;        /* zoneName it is served in (interned,
	                          * never freed), NULL if none */
	uint32_t sidx;           /* its entry in the status table, when
	                          * that entry points back at it (status.c) */

	/* load time */
	uint32_t line, col;      /* start of the document's root node */

	/* build time */
	bool reused;             /* the last build in full kept its zones
	                          * as they were (a delta build leaves
	                          * what it does not touch as it is) */
	uint8_t built;           /* DZ_OBJ_B_*: what the last build did */
	uint8_t reason;          /* enum dz_reason */
};

/* A record's spec.zoneRef, spec.zone: NULL when not set. */
static inline const char *dz_object_zone_ref(const struct dz_object *o)
{
	return o->cls->zone_by_ref ? o->cls->zone_key : NULL;
}

static inline const char *dz_object_zone_name(const struct dz_object *o)
{
	return o->cls->zone_by_ref ? NULL : o->cls->zone_key;
}

/* An empty list: the diagnostics of an object that has none. */
extern const struct dz_diags dz_no_diags;

/* o's load-time and build-time diagnostics (read only). */
static inline const struct dz_diags *dz_object_diags(const struct dz_object *o)
{
	return o->rare != NULL ? &o->rare->diags : &dz_no_diags;
}

static inline const struct dz_diags *
dz_object_bdiags(const struct dz_object *o)
{
	return o->rare != NULL ? &o->rare->bdiags : &dz_no_diags;
}

/* The status message set on o, NULL when it has the usual one. */
static inline const char *dz_object_own_message(const struct dz_object *o)
{
	return o->rare != NULL ? o->rare->message : NULL;
}

/* o's side struct, made (zeroed) on first use. NULL when out of memory. */
struct dz_orare *dz_object_rare(struct dz_object *o);

/* The same for writing diagnostics: NULL when out of memory. */
static inline struct dz_diags *dz_object_bdiags_mut(struct dz_object *o)
{
	struct dz_orare *r = dz_object_rare(o);

	return r != NULL ? &r->bdiags : NULL;
}

/*
 * Take o's message and build-time diagnostics out of it (the caller owns
 * them; o has none after), and put such back: what o had is freed;
 * bdiags NULL leaves o's as they are. Put never fails for what was
 * taken from the same object: its side struct stays until the file goes
 * (out of memory otherwise drops what was given, and logs).
 */
void dz_object_take_status(struct dz_object *o, char **message,
			   struct dz_diags *bdiags);
void dz_object_put_status(struct dz_object *o, char *message,
			  struct dz_diags *bdiags);

/* dz_object.built: counted in its zones' fingerprints; its RRs added. */
enum {
	DZ_OBJ_B_MEMBER = 1 << 0,
	DZ_OBJ_B_ADDED = 1 << 1,
};

/* One manifest file and the objects it holds. */
struct dz_mfile {
	char *path;              /* as opened */
	char *rel;               /* relative to the manifest dir: shown to users */
	struct dz_arena *arena;  /* nodes, strings, objects */
	struct dz_object *objects;
	size_t nobjects;
	struct dz_diags diags;   /* file-level: YAML syntax, limits, I/O */
	bool failed;             /* unreadable or a syntax error: no objects */
	bool fresh;              /* loaded in this batch: not built before
	                          * (set.c; dz_build_opts.gone) */
	uint64_t seq;            /* unique per load in this process: tells
	                          * versions of one file apart */
	uint64_t stamp;          /* the build context that has it (build.c) */
	struct dz_mfile *retired_next; /* the set's list of versions that
	                                * left it (set.c) */
};

/*
 * Load one file: parse YAML (dz_yaml_parse_file with default limits), skip
 * empty documents, documents of other API groups, and bindy kinds that
 * serve no data (Bind9Cluster, Bind9Instance, ClusterBind9Provider); check
 * apiVersion (v1alpha1, v1beta1), kind, metadata.name, metadata.namespace,
 * labels (string values), spec is a map. A bindy record kind without a
 * plugin gets a warning "unsupported kind 'SRVRecord': skipped" and is kept
 * with reason UNSUPPORTED_KIND and ops NULL.
 * Always returns a file object (problems are in its diagnostics) unless out
 * of memory: then NULL.
 */
struct dz_mfile *dz_mfile_load(const char *path, const char *rel);

/*
 * Set o's status message (printf-style); the previous one is freed.
 * Out of memory leaves the usual message for the reason.
 */
void dz_object_set_message(struct dz_object *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Forget o's build-time status: reason PENDING, no message, no zone. */
void dz_object_reset_status(struct dz_object *o);

/*
 * o's status message: the one set, or the usual one for its reason
 * ("A record added to zone example.com"). The returned text may live in
 * a static buffer until the next call (main thread only).
 */
const char *dz_object_message(const struct dz_object *o);

/*
 * o's spec as a tree in scratch (unpacked from o->spec_packed; valid
 * until scratch is reset or freed, and while o lives). NULL when o has
 * no spec or on OOM (then *nomem, when given, is set).
 */
const struct dz_ynode *dz_object_spec(const struct dz_object *o,
				      struct dz_arena *scratch, bool *nomem);

/* The hash of an object's identity (kind, namespace, name). */
uint64_t dz_object_id_hash(const char *kind, const char *ns,
			   const char *name);

/* A hash of o's spec as loaded (observedGeneration moves with it). */
uint64_t dz_object_spec_hash(const struct dz_object *o);

/*
 * The one copy of a zone name shared by every object that names it:
 * never freed, so objects may point at it across builds. NULL on OOM.
 */
const char *dz_intern_zone(const char *name);

/*
 * The same with a caller's scratch arena for the parse tree (reset
 * before use; its blocks are reused, so a loop over many files touches
 * no new memory). For loader threads, one scratch each.
 */
struct dz_mfile *dz_mfile_load_scratch(const char *path, const char *rel,
				       struct dz_arena *scratch);

/*
 * Load n files (paths[i], shown as rels[i]) into out[i], on up to
 * threads threads (0: one per online CPU). Returns 0, or DZ_ENOMEM (then
 * out[] may hold some files and NULLs; the caller frees them).
 */
int dz_mfile_load_many(char *const *paths, char *const *rels, size_t n,
		       unsigned threads, struct dz_mfile **out);

/* The same from memory (tests, fuzzing). */
struct dz_mfile *dz_mfile_load_buffer(const char *buf, size_t len,
				      const char *rel);

/* Free the file, its arena and its objects. NULL is a no-op. */
void dz_mfile_free(struct dz_mfile *f);

/*
 * List the manifest files below dir, relative to it, sorted (strcmp):
 * regular files (or symlinks to them) ending in .yaml or .yml, recursing
 * into subdirectories; names starting with '.' are skipped, except that a
 * Kubernetes ConfigMap mount (visible entries are symlinks into "..data")
 * is read through "..data" exactly once. Symlinks to directories are not
 * followed (loops are impossible). Unreadable entries are reported in diags.
 * Returns 0 or -errno when dir itself cannot be opened.
 * *rels is a malloc'd array of malloc'd strings: free with dz_manifest_list_free.
 */
int dz_manifest_list(const char *dir, char ***rels, size_t *n,
		     struct dz_diags *diags);
void dz_manifest_list_free(char **rels, size_t n);

/*
 * Symlinks that lead outside the manifest directory are not followed
 * (dz_manifest_list reports and skips them) unless this is set (option
 * --follow-outside-symlinks). Startup only. Default false.
 */
extern bool dz_scan_follow_outside;

/*
 * Is dir/rel a manifest file that is not read because of what it is:
 * a symlink that cannot be followed (a loop, dangling), one that leads
 * outside dir (unless dz_scan_follow_outside), or an entry that cannot
 * be stat'ed? 1 with *why (malloc'd) in the words dz_manifest_list uses
 * in its diagnostics, 0 (a file to read, or gone) or DZ_ENOMEM. Logs
 * nothing (scan.c).
 */
int dz_manifest_skipped(const char *dir, const char *rel, char **why);

/*
 * List and load every file of dir. *files is malloc'd; free with
 * dz_manifest_free_all. Returns 0 or -errno (dir unreadable).
 */
int dz_manifest_load_dir(const char *dir, struct dz_mfile ***files,
			 size_t *n, struct dz_diags *diags);
void dz_manifest_free_all(struct dz_mfile **files, size_t n);
