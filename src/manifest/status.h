/* SPDX-License-Identifier: MIT */
/* status.h -- every object's status, the way kubectl shows it. */
#pragma once

#include <stdio.h>
#include <time.h>

#include "manifest/set.h"
#include "zone/snapshot.h"

/*
 * What the status remembers across builds, per object (kind, namespace,
 * name): when it was first seen (AGE), when Ready last flipped
 * (lastTransitionTime), and its generation, which starts at 1 and bumps
 * whenever the hash of its served spec changes (observedGeneration). The
 * rest (reason, message, zone, source, warnings) is read from the set's
 * objects at print time. Kept in memory: a restart starts at generation
 * 1 again. Main loop only.
 *
 * It also keeps, from the same update, the files whose newest version is
 * not served (dz_mset_problems: failed to load, rejected, skipped) with
 * since when: they are shown as objects of kind ManifestFile, Ready
 * False, named by their path relative to the manifest directory.
 */
struct dz_status;

/* The apiVersion and kind of the files shown with the objects. */
#define DZ_STATUS_FILE_API "dropzone.io/v1"
#define DZ_STATUS_FILE_KIND "ManifestFile"

struct dz_status *dz_status_new(void);
void dz_status_free(struct dz_status *st);

/*
 * After a build of the set has been published as snap: note every
 * served object (the first of a duplicated identity), forget the ones
 * gone. now: wall clock. 0 or DZ_ENOMEM.
 */
int dz_status_update(struct dz_status *st, const struct dz_mset *set,
		     const struct dz_snapshot *snap, time_t now);

/*
 * kubectl-style table of every object, sorted by kind, namespace, name:
 * KIND NAMESPACE NAME ZONE READY REASON AGE. When a file is not served
 * as it is on disk, a second table follows after an empty line, sorted
 * by path: FILE READY REASON MESSAGE (reason LoadFailed, Rejected or
 * Skipped; message the first error, "file:line:col: what").
 */
void dz_status_print_table(const struct dz_status *st, FILE *out,
			   time_t now);

enum dz_status_format { DZ_STATUS_YAML, DZ_STATUS_JSON };

/*
 * One object as `kubectl get -o yaml|json` prints it: apiVersion, kind,
 * metadata (name, namespace, labels, generation), spec, status. kind is
 * matched without regard to case; ns NULL or "" matches any namespace
 * when the name is unique across them. Kind ManifestFile: a file of the
 * second table by its path (apiVersion, kind, metadata.name, status). Returns 0, -ENOENT when there is
 * no such object, or -EEXIST when ns was not given and the name is in
 * several namespaces.
 */
int dz_status_print_object(const struct dz_status *st, const char *kind,
			   const char *name, const char *ns,
			   enum dz_status_format fmt, FILE *out);

/*
 * The serial a served zone (text, trailing dot optional, any case) has
 * in snap. -ENOENT when it is not served.
 */
int dz_status_zone_serial(const struct dz_snapshot *snap, const char *zone,
			  uint32_t *serial);

/*
 * Every object as one JSON document, the way `kubectl get -o json` prints
 * a list: {"apiVersion": "v1", "kind": "List", "items": [...]}, sorted by
 * kind, namespace, name; then the files of the second table, as
 * ManifestFile items, sorted by path.
 */
void dz_status_print_list(const struct dz_status *st, FILE *out);
