/* SPDX-License-Identifier: MIT */
/* export.c -- a served zone as an RFC 1035 zone file (written by ldns). */
#include <ldns/ldns.h>
#include <string.h>

#include "util/errcode.h"
#include "xfr/xfr-internal.h"
#include "xfr/xfr.h"
#include "zone/zone-internal.h"

/* One RR as text through ldns: rebuild its wire form, parse, print. */
static int print_rr(const uint8_t *owner, uint16_t type, uint32_t ttl,
		    const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	FILE *out = arg;
	size_t olen = dz_dname_len(owner), pos = 0, len;
	uint8_t *wire = malloc(olen + 10 + rdlen);
	ldns_rr *rr = NULL;
	ldns_status st;

	if (wire == NULL) {
		return DZ_ENOMEM;
	}
	memcpy(wire, owner, olen);
	dz_wire_set_u16(wire + olen, type);
	dz_wire_set_u16(wire + olen + 2, XC_IN);
	wire[olen + 4] = (uint8_t)(ttl >> 24);
	wire[olen + 5] = (uint8_t)(ttl >> 16);
	wire[olen + 6] = (uint8_t)(ttl >> 8);
	wire[olen + 7] = (uint8_t)ttl;
	dz_wire_set_u16(wire + olen + 8, rdlen);
	memcpy(wire + olen + 10, rdata, rdlen);
	len = olen + 10 + rdlen;
	st = ldns_wire2rr(&rr, wire, len, &pos, LDNS_SECTION_ANSWER);
	free(wire);
	if (st != LDNS_STATUS_OK) {
		return DZ_EINVAL;
	}
	ldns_rr_print(out, rr);
	ldns_rr_free(rr);
	return 0;
}

/* Every RR but the SOA (printed first, on its own). */
static int print_body(const uint8_t *owner, uint16_t type, uint32_t ttl,
		      const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	if (type == XT_SOA) {
		return 0;
	}
	return print_rr(owner, type, ttl, rdata, rdlen, arg);
}

int dz_xfr_zone_print(const struct dz_zone *z, FILE *out)
{
	char name[DZ_DNAME_MAX * 4 + 1];
	const uint8_t *soa = z->soa->rr[0];
	int rc;

	dz_dname_to_text(z->origin, name, sizeof(name));
	fprintf(out, "; zone %s serial %u, %zu records, exported by "
		"dropzone\n$ORIGIN %s\n", name, z->serial, z->nrr, name);
	rc = print_rr(z->origin, XT_SOA, z->soa->ttl, soa + 2,
		      dz_wire_get_u16(soa), out);
	if (rc == 0) {
		rc = dz_zone_walk(z, print_body, out);
	}
	return rc;
}

const struct dz_zone *dz_xfr_zone_exact(const struct dz_snapshot *snap,
					const uint8_t *lname, size_t len)
{
	const struct dz_zone *z;

	if (snap == NULL) {
		return NULL;
	}
	z = dz_snapshot_find_zone(snap, lname, len);
	return z != NULL && dz_dname_equal(z->origin, lname) ? z : NULL;
}

const struct dz_zone *dz_xfr_find_zone(const struct dz_snapshot *snap,
				       const char *zone)
{
	uint8_t name[DZ_DNAME_MAX];
	size_t len;
	const char *why;

	if (dz_dname_from_text(zone, strlen(zone), NULL, name, &len, NULL,
			       &why) != 0) {
		return NULL;
	}
	dz_dname_tolower(name);
	return dz_xfr_zone_exact(snap, name, len);
}

int dz_xfr_export(const struct dz_snapshot *snap, const char *zone,
		  FILE *out)
{
	const struct dz_zone *z = dz_xfr_find_zone(snap, zone);

	return z != NULL ? dz_xfr_zone_print(z, out) : DZ_ENOENT;
}
