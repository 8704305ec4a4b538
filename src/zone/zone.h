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
