/* SPDX-License-Identifier: MIT */
/* checks.h -- cross-record checks of a build, run before any RR is added. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/load.h"
#include "zone/dnszone.h"

/*
 * The build tells a dz_checks every RR it is about to serve, zone by zone
 * (the zone's own SOA/NS/glue and each record object's RRs), then runs it.
 * Objects that break a rule get reason ReconcileFailed, an error in their
 * bdiags and a status message, so the build leaves them out; everything
 * else is served as usual.
 *
 * Rules (RFC 1034 3.6.2, RFC 2181 10.1):
 *  - a CNAME at a zone's apex fails;
 *  - a CNAME beside other data at its owner fails (the other data stays);
 *  - two CNAMEs with different targets at one owner: the first noted
 *    (file path, then document order) is served, the others fail.
 * Not thread-safe; one instance per build.
 */
struct dz_checks;

/* New, empty; NULL on OOM. */
struct dz_checks *dz_checks_new(void);

/* Free it. NULL is a no-op. */
void dz_checks_free(struct dz_checks *c);

/*
 * Note a zone's own data: SOA and NS at the apex, glue A/AAAA of its
 * in-zone name servers. zone is the zone's key for dz_checks_add_rr too;
 * zobj is its DNSZone (named in messages). Returns 0 or DZ_ENOMEM.
 */
int dz_checks_add_zone(struct dz_checks *c, const struct dz_zspec *zone,
		       const struct dz_object *zobj);

/*
 * Note one RR that record object o gives to zone (owner in wire form, any
 * case; rdata uncompressed). Call in object order: that order decides
 * which of two conflicting CNAMEs is served. Returns 0 or DZ_ENOMEM.
 */
int dz_checks_add_rr(struct dz_checks *c, const struct dz_zspec *zone,
		     struct dz_object *o, const uint8_t *owner, uint16_t type,
		     const uint8_t *rdata, size_t rdlen);

/*
 * After telling it every RR once: does it need them all again? Only
 * when a CNAME was told (the second pass picks the other RRs at CNAME
 * owners). Then rewound: tell it the same RRs in the same order (zone
 * data included), then run it. False: run it now.
 */
bool dz_checks_rewind(struct dz_checks *c);

/*
 * Apply the rules. Returns the number of objects that failed (>= 0), or
 * DZ_ENOMEM.
 */
int dz_checks_run(struct dz_checks *c);
