/* SPDX-License-Identifier: MIT */
/* zone.h -- immutable zones: built once from RRs, then only read. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dz_zone;
struct dz_node;
struct dz_rrset;
struct dz_zone_builder;

/*
 * Start a zone whose apex is origin (wire form, any case). The builder
 * owns an arena that becomes the zone's. NULL on OOM.
 */
struct dz_zone_builder *dz_zone_builder_new(const uint8_t *origin);

/*
 * Make room for about nrr RRs before adding them (optional): the
 * builder's arrays are made once at their size instead of doubling,
 * each doubling a copy into fresh pages. 0 or DZ_ENOMEM.
 */
int dz_zone_builder_reserve(struct dz_zone_builder *b, size_t nrr);

/* Abandon a builder that will not be finished. NULL is a no-op. */
void dz_zone_builder_free(struct dz_zone_builder *b);

/*
 * Add one RR (rdata uncompressed). owner must be at or below the origin,
 * else DZ_EINVAL. An RR identical to one already present (owner, type,
 * rdata) collapses into it. All RRs of one owner and type form one RRset
 * whose TTL is the smallest given; *ttl_conflict (may be NULL) is set to
 * true when this RR's TTL differs from the RRset's so far.
 * Returns 0, DZ_EINVAL or DZ_ENOMEM. Load time only.
 */
int dz_zone_builder_add(struct dz_zone_builder *b, const uint8_t *owner,
			uint16_t type, uint32_t ttl, const uint8_t *rdata,
			uint16_t rdlen, bool *ttl_conflict);

/* True when owner already has an RRset of this type (for checks). */
bool dz_zone_builder_has(const struct dz_zone_builder *b,
			 const uint8_t *owner, uint16_t type);

/*
 * Finish the zone: sort each RRset with its kind's compare() and mark the
 * rotation groups, add the empty non-terminals between the apex and every
 * owner, build the name index. Requires exactly one SOA at the apex.
 * Consumes the builder in every case. Returns the zone with a reference
 * count of 1, or NULL (no SOA at the apex, or OOM; *err gets a phrase).
 */
struct dz_zone *dz_zone_builder_finish(struct dz_zone_builder *b,
				       const char **err);

/* Reference counting; unref frees the zone at zero. NULL is a no-op. */
void dz_zone_ref(struct dz_zone *z);
void dz_zone_unref(struct dz_zone *z);

/*
 * The builder's record of what the zone was made from (the objects and
 * their versions): a later build whose inputs have the same fingerprint
 * reuses the zone instead of building it again. Set before publication.
 */
void dz_zone_set_fingerprint(struct dz_zone *z, uint64_t fp);
uint64_t dz_zone_fingerprint(const struct dz_zone *z);

/* Accessors (borrowed). */
const uint8_t *dz_zone_origin(const struct dz_zone *z);
uint32_t dz_zone_serial(const struct dz_zone *z);
size_t dz_zone_rr_count(const struct dz_zone *z);   /* RRs incl. SOA, NS */
size_t dz_zone_node_count(const struct dz_zone *z); /* incl. ENTs */

/*
 * Exact lookup of a lower-case wire name in the zone; NULL when the name
 * is not a node (neither data nor an empty non-terminal). Hot-path safe.
 */
const struct dz_node *dz_zone_lookup(const struct dz_zone *z,
				     const uint8_t *lname, size_t len);

/* The node's RRset of this type, or NULL. Hot-path safe. */
const struct dz_rrset *dz_node_rrset(const struct dz_node *n, uint16_t type);

/*
 * Visit every RR in canonical name order, then type order, as wire rdata
 * (for export, tests and dropzonectl). Stops when cb returns non-zero and
 * returns that value.
 */
typedef int (*dz_zone_rr_fn)(const uint8_t *owner, uint16_t type,
			     uint32_t ttl, const uint8_t *rdata,
			     uint16_t rdlen, void *arg);
int dz_zone_walk(const struct dz_zone *z, dz_zone_rr_fn cb, void *arg);

/* ---- editing a served zone in place (issue 3) -------------------------- */

/*
 * A new version of a zone made from a served one by removing and adding
 * RRs, sharing everything it does not change with it (copy-on-write of
 * the touched parts), so that a change costs O(change) however big the
 * zone is. The result must be exactly what dz_zone_builder would make of
 * the edited RR set -- lookups, flags, RRset order and rotation groups,
 * walk order -- or the edit declines with DZ_EAGAIN and the caller builds
 * the zone from scratch. It declines what needs to know where an RR came
 * from or touches zone-wide structure:
 *  - adding an RR identical to one present, or to an RRset whose TTL
 *    differs (the builder would merge them);
 *  - removing from an RRset that the builder merged (identical RRs
 *    collapsed, or differing TTLs), or an RR whose TTL is not the
 *    RRset's;
 *  - any CNAME added or removed, or any RR added at a name with a CNAME;
 *  - NS added or removed below the apex (zone cuts), or at the apex;
 *  - the edit chain of this zone is long or holds much garbage
 *    (dz_zone_edit_new returns NULL with *why = DZ_EAGAIN: rebuild).
 * Removing the last RR of a name removes its node (or leaves an empty
 * non-terminal when names exist below it), and empty non-terminals
 * that are left with nothing below go too; adding below a new name makes
 * the empty non-terminals above it. The apex SOA may be replaced (remove
 * the old one, add the new one): the serial and negative TTL follow.
 *
 * Call every remove before any add. Single-threaded, load time only; the
 * base zone is not changed and stays valid for readers.
 */
struct dz_zone_edit;

/*
 * Start an edit of base (the edit holds a reference to it). NULL with
 * *why = DZ_ENOMEM, or DZ_EAGAIN when base should be rebuilt instead.
 */
struct dz_zone_edit *dz_zone_edit_new(struct dz_zone *base, int *why);

/* Abandon an edit. NULL is a no-op. */
void dz_zone_edit_free(struct dz_zone_edit *e);

/*
 * Remove one RR (owner any case, rdata uncompressed, as given to the
 * builder; ttl as given too). 0, DZ_ENOENT (no such RR), DZ_EAGAIN (see
 * above) or DZ_ENOMEM. After any error but DZ_ENOENT the edit is dead:
 * free it.
 */
int dz_zone_edit_del(struct dz_zone_edit *e, const uint8_t *owner,
		     uint16_t type, uint32_t ttl, const uint8_t *rdata,
		     uint16_t rdlen);

/* Add one RR: 0, DZ_EINVAL (owner not in the zone), DZ_EAGAIN or
 * DZ_ENOMEM. After an error the edit is dead: free it. */
int dz_zone_edit_add(struct dz_zone_edit *e, const uint8_t *owner,
		     uint16_t type, uint32_t ttl, const uint8_t *rdata,
		     uint16_t rdlen);

/* Net RRs removed and added so far (a remove and an add of the same RR
 * cancel out). */
void dz_zone_edit_count(const struct dz_zone_edit *e, size_t *removed,
			size_t *added);

/*
 * Finish: the new zone (reference count 1, fingerprint and content hash
 * 0 until set) or NULL (OOM, or no SOA at the apex: *err says). Consumes
 * e in every case.
 */
struct dz_zone *dz_zone_edit_finish(struct dz_zone_edit *e,
				    const char **err);

/*
 * When z was made by an edit of from: visit the RRs removed (del) and
 * then those added (add), SOA included, and return 0 (or the first
 * non-zero a callback returned). DZ_ENOENT when z is not an edit of
 * from (then diff the two zones with dz_zone_walk).
 */
int dz_zone_edit_walk(const struct dz_zone *z, const struct dz_zone *from,
		      dz_zone_rr_fn del, dz_zone_rr_fn add, void *arg);

/*
 * A new zone with z's content made afresh, as a build of its RRs makes it
 * (no edit chain, no garbage), keeping what z's build knew: fingerprint,
 * content hash, the names where a check failed, which RRsets merged. It
 * counts as z for dz_zone_edit_walk (an edit of it walks from z; it walks
 * from z as no change). NULL on OOM.
 */
struct dz_zone *dz_zone_compact(const struct dz_zone *z);

/*
 * What the build knows of a zone's inputs beyond the fingerprint: the
 * hash of its content (see build.h content_serial) and the names at
 * which a cross-record check failed an object (wire form, any case):
 * a change at one of them could change which object wins, so the build
 * rebuilds the zone rather than edit it there. Edits keep the names
 * (and set no hash); failed NULL keeps the names z has. 0 or DZ_ENOMEM.
 */
int dz_zone_set_build_info(struct dz_zone *z, uint64_t content_hash,
			   const uint8_t *const *failed, size_t nfailed);
uint64_t dz_zone_content_hash(const struct dz_zone *z);

/* Did a check fail an object at owner (wire form, any case)? */
bool dz_zone_check_failed_at(const struct dz_zone *z, const uint8_t *owner);
