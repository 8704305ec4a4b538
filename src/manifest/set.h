/* SPDX-License-Identifier: MIT */
/* set.h -- the manifest set: the files served now, updated by batches. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/load.h"
#include "util/diag.h"
#include "zone/build.h"
#include "zone/snapshot.h"

/*
 * The set holds, for every manifest file below the root (by its path
 * relative to the root), the version whose objects are served, and the
 * newest version when that one was rejected. Changes are collected with
 * dz_mset_touch() / dz_mset_touch_tree() and applied together by
 * dz_mset_apply(), which re-reads only the touched files.
 *
 * The rule that keeps good data in service ("last good"):
 *  - A file that now fails to load (YAML syntax error, unreadable, over
 *    a limit) keeps its previous version in service; the new version is
 *    kept as "rejected" for its diagnostics.
 *  - A file that loads, but in which some object now ends ReconcileFailed
 *    (a load or build error of the object itself), is rejected as a whole
 *    when its previous version had no failed object: the previous version
 *    stays in service. Whole files, not single objects: a file is the unit
 *    that is loaded, and mixing objects of two versions of one file would
 *    serve a state that never existed on disk.
 *  - Otherwise the new version is served (a new file, or a file that was
 *    not clean before, is served with whatever of it is valid).
 *  - While a file is rejected, every object of the served version reports
 *    ReconcileFailed with the new version's first error (file:line:col)
 *    and "last good version still served"; once the file is fixed its
 *    objects report their own status again.
 *  - A file that is gone (deleted, renamed away, no longer a manifest
 *    name) leaves the set with everything it served.
 *  - A manifest name that is not read at all (a symlink that loops,
 *    dangles or leads outside the root) is remembered as skipped, with
 *    why, until a re-read finds it readable or gone; every apply looks
 *    at the skipped files again (a symlink changes with its target).
 *    Its reason is logged when it is new or changes (the scan's own
 *    diagnostics count as logged when dz_mset_touch_tree hands them to
 *    the caller).
 * Single-threaded: only the main loop uses a set.
 */
struct dz_mset;

/* Empty set for the directory root (copied). NULL on OOM. */
struct dz_mset *dz_mset_new(const char *root);

/* Free the set and every file in it. NULL is a no-op. */
void dz_mset_free(struct dz_mset *s);

/* The root directory, as given. */
const char *dz_mset_root(const struct dz_mset *s);

/*
 * True when rel (relative to the root) can name a manifest: every
 * component is non-empty and does not start with '.', and the last ends
 * in .yaml or .yml.
 */
bool dz_mset_is_manifest_name(const char *rel);

/* Mark one file (rel to the root) for re-reading. 0 or DZ_ENOMEM. */
int dz_mset_touch(struct dz_mset *s, const char *rel);

/*
 * Mark a whole subtree: every file of the set below prefix ("" for the
 * root), every file skipped there, and every manifest file now found
 * there (dz_manifest_list), skipped symlinks included (the apply sorts
 * them out). A missing directory only marks the set's files (they will
 * leave). Listing problems go to diags (the root only; a subtree's are
 * logged by the apply). 0 or DZ_ENOMEM.
 */
int dz_mset_touch_tree(struct dz_mset *s, const char *prefix,
		       struct dz_diags *diags);

/* Number of files marked and not yet applied. */
size_t dz_mset_pending(const struct dz_mset *s);

/* What one dz_mset_apply() did. */
struct dz_mset_stats {
	size_t files;       /* files re-read (loaded, or found gone or
	                     * skipped: then they leave the set) */
	size_t loaded;      /* of which new versions now served */
	size_t rejected;    /* of which rejected (last good kept) */
	size_t removed;     /* of which gone */
	size_t builds;      /* dz_build runs (2 when a file was rejected) */
};

/*
 * Apply the marked changes: re-read the marked files, then build a
 * snapshot over the whole set with opts (every zone is rebuilt; the
 * unchanged files are not re-read), following the rule above.
 * [out] out: the new snapshot (reference count 1) for the caller to
 *       publish; NULL when nothing was marked.
 * [out] stats: may be NULL.
 * Problems of the re-read files are logged by the caller from the set.
 * Returns 0 or DZ_ENOMEM (then the set may hold some new versions, but
 * no snapshot is returned: the served one stays).
 */
int dz_mset_apply(struct dz_mset *s, const struct dz_build_opts *opts,
		  struct dz_mset_stats *stats, struct dz_snapshot **out);

/*
 * Free the file versions that left the set (deleted files, versions
 * replaced by newer ones) since the last call. Until then they stay, so
 * that the status table (status.c), which points at the objects served
 * before, can be updated from them: call this once dz_status_update()
 * has succeeded. dz_mset_free() frees them too.
 */
void dz_mset_release_retired(struct dz_mset *s);

/* The versions that left the set since the last release (a list by
 * retired_next), for the status table to find their entries. */
const struct dz_mfile *dz_mset_retired(const struct dz_mset *s);

/* Files in the set, sorted by rel path. */
size_t dz_mset_count(const struct dz_mset *s);
/* The served version of file i (its objects carry the last build's
 * status). */
struct dz_mfile *dz_mset_served(const struct dz_mset *s, size_t i);
/* The rejected newer version of file i, or NULL. */
const struct dz_mfile *dz_mset_rejected(const struct dz_mset *s, size_t i);

/* Whether file i was re-read by the last apply. */
bool dz_mset_changed(const struct dz_mset *s, size_t i);

/*
 * Whether the last apply's build was incremental (a delta build,
 * build.h): then only the objects of the files re-read (dz_mset_changed),
 * of the versions that left (dz_mset_retired) and *touched have a new
 * status. False after an apply that failed.
 */
bool dz_mset_incremental(const struct dz_mset *s,
			 struct dz_object *const **touched, size_t *n);

/*
 * Every served file, in rel order, for dz_build_collect_diags() and the
 * like (borrowed array, valid until the next apply).
 */
struct dz_mfile *const *dz_mset_files(const struct dz_mset *s, size_t *n);

/*
 * The diagnostics of the files re-read by the last apply: what a reload
 * logs (served files: file, load and build problems; rejected files:
 * their own problems). Appended to out.
 */
void dz_mset_collect_changed(const struct dz_mset *s, struct dz_diags *out);

/* Why a file below the root is not served as it is on disk. */
enum dz_mset_fault {
	DZ_MSET_LOAD_FAILED, /* its newest version could not be read or
	                      * parsed, or is over a limit */
	DZ_MSET_REJECTED,    /* its newest version loaded, but an object of
	                      * it fails where the served version's did not */
	DZ_MSET_SKIPPED,     /* not read: a symlink that loops, dangles or
	                      * leads outside the root */
};

/* "LoadFailed", "Rejected", "Skipped". Static string. */
const char *dz_mset_fault_name(enum dz_mset_fault f);

/* One file whose newest version on disk is not served. */
struct dz_mset_problem {
	char *rel;               /* malloc'd */
	enum dz_mset_fault fault;
	char *message;           /* malloc'd: the first error as
	                          * "file:line:col: what" ("file: what"
	                          * without a position), with "(last good
	                          * version still served)" when one is */
};

/*
 * Every file below the root whose newest version is not served, sorted
 * by rel: files that fail to load (never loaded, or a rejected newer
 * version), and the skipped ones. A file leaves the list at the apply
 * that finds it loading, gone or no longer skipped. *v is malloc'd
 * (dz_mset_problems_free). 0 or DZ_ENOMEM.
 */
int dz_mset_problems(const struct dz_mset *s, struct dz_mset_problem **v,
		     size_t *n);

/* Free what dz_mset_problems returned. NULL is a no-op. */
void dz_mset_problems_free(struct dz_mset_problem *v, size_t n);
