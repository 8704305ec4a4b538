/* SPDX-License-Identifier: MIT */
/* build.h -- loaded manifest objects to a snapshot of zones, with status. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/load.h"
#include "util/diag.h"
#include "zone/snapshot.h"

struct dz_build_opts {
	/*
	 * Optional: the serial to serve for a zone whose spec serial is
	 * spec_serial (issue 3 persists serials). NULL: the spec serial.
	 */
	uint32_t (*serial)(const char *zone_name, uint32_t spec_serial,
			   void *arg);
	/*
	 * Optional, preferred over serial: the same with a hash of the
	 * zone's content (every RR with its owner, type, TTL and rdata, the
	 * apex from the spec; the SOA serial left out). Equal content gives
	 * an equal hash across runs, so the caller can tell whether a zone
	 * changed since it last served it. Called once per served zone per
	 * build, after its records are in (serial_arg is passed to both).
	 */
	uint32_t (*content_serial)(const char *zone_name, uint32_t spec_serial,
				   uint64_t content_hash, void *arg);
	void *serial_arg;
	/*
	 * Optional: the snapshot served now. A zone whose inputs (its
	 * DNSZone and every record that joins it, by file version) are
	 * those it was built from there is taken over as it is: its records
	 * are not parsed again and keep their status. NULL: build all.
	 */
	const struct dz_snapshot *prev;
	/*
	 * Optional, with prev: the file versions prev was built from that
	 * are not among the files any more (replaced or deleted), with the
	 * status of that build. A zone of prev whose inputs changed only
	 * by the objects of these and of the new versions is then edited
	 * in place (dz_zone_edit_*) instead of built again; a list that
	 * misses a version is detected (the fingerprints do not add up)
	 * and the zone is built.
	 */
	struct dz_mfile *const *gone;
	size_t ngone;
	/*
	 * Optional: for a trial build that may be taken back. Receives
	 * what dz_build_undo() needs to give every object of the files the
	 * status it had before this build (then build again), or NULL.
	 * Free it with dz_build_undo_free() when the build stands.
	 */
	struct dz_build_undo **undo;
	/*
	 * Optional: what the last build with it left (dz_build_ctx_new),
	 * for a caller that builds one set again and again. With it, prev
	 * and gone, a build whose changes are records of zones served in
	 * prev -- no DNSZone among the fresh and gone versions, no
	 * identity of theirs met twice, each record in one zone, and those
	 * zones edited in place -- looks at nothing else: its cost follows
	 * the change, not the number of objects (a "delta" build). Any
	 * other build is made in full and leaves its state here.
	 */
	struct dz_build_ctx *ctx;
};

struct dz_build_ctx;

/* An empty context (calloc). NULL on OOM. */
struct dz_build_ctx *dz_build_ctx_new(void);

/* Free c and what it holds (a snapshot reference). NULL is a no-op. */
void dz_build_ctx_free(struct dz_build_ctx *c);

/*
 * Whether the last build with c was a delta. Then the only objects whose
 * status it set are those of fresh file versions and *touched (the
 * DNSZones of the zones it edited; valid until the next build).
 */
bool dz_build_ctx_incremental(const struct dz_build_ctx *c,
			      struct dz_object *const **touched, size_t *n);

struct dz_build_undo;

/* Give the objects of an undone build their earlier status, except
 * those of fresh file versions (dz_mfile.fresh), which had none before
 * and keep what the build found; frees u. */
void dz_build_undo(struct dz_build_undo *u);

/* Keep the build; frees u. NULL is a no-op. */
void dz_build_undo_free(struct dz_build_undo *u);

/*
 * Build a snapshot from every object of the given files:
 *  - DNSZones: validate spec (zoneName, soaRecord, ttl, nameServers,
 *    nameServerIps, recordsFrom); duplicates by zoneName -> DuplicateZone
 *    for all but the first by (namespace, name); duplicate objects (same
 *    kind, namespace, name) -> DuplicateObject for all but the first by
 *    file path.
 *  - SOA and apex NS from the DNSZone, glue A/AAAA for in-zone hosts.
 *  - Records join a zone by spec.zoneRef, else spec.zone, else the
 *    zones' recordsFrom selectors (same namespace); kinds' parse() run with
 *    that zone as origin; RRsets merged across objects.
 *  - Cross-record checks: MX (any DZ_KIND_F_ADDITIONAL) target with no
 *    A/AAAA in any zone served here -> warning.
 * Every object's reason, message, zone and bdiags are (re)set.
 * Returns a snapshot with a reference count of 1; NULL only on OOM.
 */
struct dz_snapshot *dz_build(struct dz_mfile *const *files, size_t n,
			     const struct dz_build_opts *opts);

/*
 * Gather every diagnostic of the files and their objects (file-level,
 * load-time, build-time), in file order, into out. With the status
 * reasons that are not success or failure (ZoneNotFound, NotSelected,
 * DuplicateZone, DuplicateObject, UnsupportedKind) as warnings.
 */
void dz_build_collect_diags(struct dz_mfile *const *files, size_t n,
			    struct dz_diags *out);
