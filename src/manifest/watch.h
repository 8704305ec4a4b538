/* SPDX-License-Identifier: MIT */
/* watch.h -- inotify on the manifest tree: kernel events to batches. */
#pragma once

#include <event2/event.h>
#include <stdint.h>

#include "manifest/set.h"

struct dz_watch;

/*
 * Called from the main loop once a burst of changes has been quiet for
 * the delay: the changed files are marked in the set (dz_mset_pending()
 * > 0) and the callback applies them. first_us: CLOCK_MONOTONIC time in
 * microseconds of the first event of the batch.
 */
typedef void (*dz_watch_batch_fn)(struct dz_mset *set, uint64_t first_us,
				  void *arg);

/*
 * Watch the set's root and every subdirectory (not the names starting
 * with '.', not symlinks to directories) with one inotify fd read by a
 * persistent event of base, and the root's parent for the root being
 * created again. Events:
 *  - IN_CLOSE_WRITE, IN_MOVED_TO, IN_MOVED_FROM, IN_DELETE of a manifest
 *    name (dz_mset_is_manifest_name), IN_CREATE of a symlink: that file;
 *  - IN_CREATE / IN_MOVED_TO of a directory: it is watched and its files
 *    marked; IN_DELETE / IN_MOVED_FROM of one: its files marked (they
 *    leave) and its watches dropped;
 *  - "..data" created or renamed into a directory (a Kubernetes ConfigMap
 *    update): every file of that directory;
 *  - IN_DELETE_SELF / IN_MOVE_SELF of the root, the root created again in
 *    its parent, IN_Q_OVERFLOW: every watch re-armed, a full rescan;
 *  - other names starting with '.', editor files (x~, .x.swp, 4913) and
 *    any other name: ignored.
 * Each event (re)starts a one-shot timer of delay_ms (0: 5 ms); when it
 * fires, cb runs with the batch. A burst that never pauses is cut after
 * 100 delays.
 * Returns NULL (logged) when inotify or the root cannot be watched.
 */
struct dz_watch *dz_watch_new(struct event_base *base, struct dz_mset *set,
			      unsigned delay_ms, dz_watch_batch_fn cb,
			      void *arg);

/* Stop watching and free. NULL is a no-op. */
void dz_watch_free(struct dz_watch *w);

/*
 * Re-arm every watch and mark every file (SIGHUP, overflow); the batch
 * is applied from the main loop at once (a zero timer).
 */
void dz_watch_rescan(struct dz_watch *w);

/* Directories watched now (root included; tests and logs). */
size_t dz_watch_count(const struct dz_watch *w);
