/* SPDX-License-Identifier: MIT */
/* serials.h -- the serial each zone last served, kept in the state dir. */
#pragma once

#include <stdint.h>

#include "zone/snapshot.h"

struct dz_serials;

/*
 * Open the store of state_dir/serials (a missing file is an empty
 * store; a damaged line is skipped with a warning). NULL on OOM.
 * The file holds one line per zone: "NAME SERIAL HASH" (HASH: the zone's
 * content hash, 16 hex digits).
 */
struct dz_serials *dz_serials_open(const char *state_dir);

/* Free. NULL is a no-op. */
void dz_serials_free(struct dz_serials *s);

/*
 * The serial to serve for zone (lower-case text, no trailing dot) whose
 * spec says spec_serial and whose content hashes to hash
 * (dz_build_opts.content_serial; arg is the store). With last served
 * serial L and hash H on record:
 *   hash == H: max(spec_serial, L)       (RFC 1982 comparison)
 *   hash != H: max(spec_serial, L + 1)
 *   no record: spec_serial.
 * Only remembered as a candidate: dz_serials_commit() makes it stick.
 */
uint32_t dz_serials_pick(const char *zone, uint32_t spec_serial,
			 uint64_t hash, void *arg);

/*
 * The zones of snap are served now: record their serial and the hash
 * picked for them, and rewrite the file (temporary file, fsync, rename)
 * when anything changed. Zones no longer served keep their record, so a
 * zone that comes back never goes backwards. 0 or -errno (logged).
 */
int dz_serials_commit(struct dz_serials *s, const struct dz_snapshot *snap);

/* The serial on record for zone, or false. */
bool dz_serials_lookup(const struct dz_serials *s, const char *zone,
		       uint32_t *serial);

/* RFC 1982: true when a is greater than b. */
bool dz_serial_gt(uint32_t a, uint32_t b);
