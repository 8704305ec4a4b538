/* SPDX-License-Identifier: MIT */
/* snapshot.h -- the set of zones served at one moment, and its publication. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/zone.h"

struct dz_snapshot;

/* Empty snapshot with a reference count of 1. NULL on OOM. */
struct dz_snapshot *dz_snapshot_new(void);

/*
 * Add a zone; the snapshot takes a new reference to it (the caller keeps
 * its own). DZ_EEXIST when a zone with the same origin is present.
 * Build time only, before the snapshot is published.
 */
int dz_snapshot_add_zone(struct dz_snapshot *s, struct dz_zone *z);

void dz_snapshot_ref(struct dz_snapshot *s);
/* Drop a reference; at zero the zones are unreferenced. NULL: no-op. */
void dz_snapshot_unref(struct dz_snapshot *s);

size_t dz_snapshot_zone_count(const struct dz_snapshot *s);
/* Zones in canonical order of their origins. */
const struct dz_zone *dz_snapshot_zone_at(const struct dz_snapshot *s,
					  size_t i);
/*
 * Is a zone's origin at or below another's? Then a name of one zone may
 * be the other's (the query path's links do not know).
 */
bool dz_snapshot_nested(const struct dz_snapshot *s);
/* Generation number: increases with every published snapshot. */
uint64_t dz_snapshot_generation(const struct dz_snapshot *s);

/*
 * The zone with the longest origin at or above lname (lower-case wire
 * name of length len), or NULL when we are not authoritative.
 * Hot-path safe.
 */
const struct dz_zone *dz_snapshot_find_zone(const struct dz_snapshot *s,
					    const uint8_t *lname, size_t len);

struct dz_lname; /* zone-internal.h */

/*
 * The same for a name dz_lname_parse() prepared: its suffix hashes serve
 * the probes. *at gets the label index of the zone's origin in the name.
 * Hot-path safe.
 */
const struct dz_zone *dz_snapshot_find_zone_ln(const struct dz_snapshot *s,
					       const struct dz_lname *ln,
					       unsigned *at);

/* ---- Publication (RCU, liburcu-memb) ----------------------------------

 * Workers call dz_snapshot_reader_register() once per thread, and bracket
 * each batch of queries with dz_snapshot_read_lock()/_unlock(); between
 * them dz_snapshot_current() stays valid. A reader never blocks on a
 * publish and never sees a half-built snapshot.
 */
void dz_snapshot_reader_register(void);
void dz_snapshot_reader_unregister(void);
void dz_snapshot_read_lock(void);
void dz_snapshot_read_unlock(void);
/* The published snapshot (NULL before the first). Inside a read lock. */
const struct dz_snapshot *dz_snapshot_current(void);

/*
 * Publish s (takes over the caller's reference) with one atomic pointer
 * swap, assign its generation, wait for readers of the old one to finish,
 * and drop the old one. Called from one thread (the main loop) only; the
 * caller must not hold a read lock.
 */
void dz_snapshot_publish(struct dz_snapshot *s);
