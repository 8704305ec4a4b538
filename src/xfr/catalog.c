/* SPDX-License-Identifier: MIT */
/* catalog.c -- the catalog zone (RFC 9432) of every zone we serve. */
#include <string.h>
#include <time.h>

#include "daemon/serials.h"
#include "util/errcode.h"
#include "util/log.h"
#include "xfr/xfr-internal.h"
#include "xfr/xfr.h"
#include "zone/zone-internal.h"

/* The members the catalog had last time, and its serial then. */
static struct {
	uint64_t hash;
	uint32_t serial;
	bool known;
} cat;

static uint64_t fnv64(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h = (h ^ p[i]) * 1099511628211ull;
	}
	return h;
}

/* name = label "." tail (wire); false when too long. */
static bool join(uint8_t *out, const char *label, const uint8_t *tail)
{
	size_t l = strlen(label), t = dz_dname_len(tail);

	if (l > DZ_LABEL_MAX || 1 + l + t > DZ_DNAME_MAX) {
		return false;
	}
	out[0] = (uint8_t)l;
	memcpy(out + 1, label, l);
	memcpy(out + 1 + l, tail, t);
	return true;
}

/* SOA "invalid. invalid. serial 3600 600 2147483646 0" (RFC 9432 4.1). */
static size_t soa_rdata(uint8_t *rd, uint32_t serial)
{
	static const uint8_t invalid[] = "\7invalid";
	const uint32_t v[5] = { serial, 3600, 600, 2147483646u, 0 };
	size_t n = 0;

	for (int k = 0; k < 2; k++) {
		memcpy(rd + n, invalid, sizeof(invalid));
		n += sizeof(invalid);
	}
	for (int k = 0; k < 5; k++) {
		rd[n++] = (uint8_t)(v[k] >> 24);
		rd[n++] = (uint8_t)(v[k] >> 16);
		rd[n++] = (uint8_t)(v[k] >> 8);
		rd[n++] = (uint8_t)v[k];
	}
	return n;
}

/* One PTR per member: <hash of the name>.zones.CATALOG (RFC 9432 4.3). */
static int add_members(struct dz_zone_builder *b, const uint8_t *origin,
		       const struct dz_snapshot *snap, uint64_t *hash)
{
	uint8_t zones[DZ_DNAME_MAX], owner[DZ_DNAME_MAX];
	char id[17];
	int rc = 0;

	if (!join(zones, "zones", origin)) {
		return DZ_EINVAL;
	}
	for (size_t i = 0; rc == 0 && i < dz_snapshot_zone_count(snap); i++) {
		const struct dz_zone *z = dz_snapshot_zone_at(snap, i);
		uint64_t h = fnv64(14695981039346656037ull, z->origin,
				   z->origin_len);
		if (dz_dname_equal(z->origin, origin)) {
			continue;
		}
		*hash = fnv64(*hash, z->origin, z->origin_len);
		snprintf(id, sizeof(id), "%016llx", (unsigned long long)h);
		if (!join(owner, id, zones)) {
			return DZ_EINVAL;
		}
		rc = dz_zone_builder_add(b, owner, XT_PTR, 0, z->origin,
					 z->origin_len, NULL);
	}
	return rc;
}

int dz_xfr_catalog_add(struct dz_snapshot *snap)
{
	uint8_t origin[DZ_DNAME_MAX], rd[64], ver[DZ_DNAME_MAX];
	static const uint8_t invalid[] = "\7invalid";
	uint64_t hash = 14695981039346656037ull;
	struct dz_zone_builder *b;
	struct dz_zone *z;
	const char *why = NULL;
	size_t len;
	int rc;

	if (dz_xfr_catalog == NULL || snap == NULL) {
		return 0;
	}
	if (dz_dname_from_text(dz_xfr_catalog, strlen(dz_xfr_catalog), NULL,
			       origin, &len, NULL, &why) != 0) {
		dz_log_err("--catalog-zone '%s': %s", dz_xfr_catalog, why);
		return DZ_EINVAL;
	}
	dz_dname_tolower(origin);
	b = dz_zone_builder_new(origin);
	if (b == NULL) {
		return DZ_ENOMEM;
	}
	rc = add_members(b, origin, snap, &hash);
	/* A new serial only when the members changed (time: it never goes
	 * back, even across restarts). */
	if (!cat.known || cat.hash != hash) {
		uint32_t now = (uint32_t)time(NULL);
		cat.serial = cat.known && !dz_serial_gt(now, cat.serial) ?
			     cat.serial + 1 : now;
		cat.hash = hash;
		cat.known = true;
	}
	if (rc == 0) {
		rc = dz_zone_builder_add(b, origin, XT_SOA, 0, rd,
					 (uint16_t)soa_rdata(rd, cat.serial),
					 NULL);
	}
	if (rc == 0) {
		rc = dz_zone_builder_add(b, origin, XT_NS, 0, invalid,
					 sizeof(invalid), NULL);
	}
	if (rc == 0 && join(ver, "version", origin)) {
		rc = dz_zone_builder_add(b, ver, 16, 0,
					 (const uint8_t *)"\0012", 2, NULL);
	}
	if (rc != 0) {
		dz_zone_builder_free(b);
		dz_log_err("catalog zone '%s': %s", dz_xfr_catalog,
			   dz_strerror(rc));
		return rc;
	}
	z = dz_zone_builder_finish(b, &why);
	if (z == NULL) {
		return DZ_ENOMEM;
	}
	rc = dz_snapshot_add_zone(snap, z);
	if (rc == DZ_EEXIST) {
		dz_log_err("catalog zone '%s': a zone of that name is served "
			   "from the manifests", dz_xfr_catalog);
	}
	dz_zone_unref(z);
	return rc;
}
