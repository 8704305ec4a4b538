/* SPDX-License-Identifier: MIT */
/* dnszone.h -- a DNSZone spec, validated: SOA, apex NS, glue, selectors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/yaml.h"
#include "util/diag.h"
#include "util/dname.h"
#include "zone/select.h"
#include "zone/zone.h"

/* One apex name server, with its glue addresses when given. */
struct dz_zspec_ns {
	uint8_t host[DZ_DNAME_MAX];
	bool has_v4, has_v6;
	uint8_t v4[4];
	uint8_t v6[16];
};

struct dz_zspec {
	uint8_t origin[DZ_DNAME_MAX];   /* lower-case wire form */
	char name[DZ_DNAME_MAX * 4];    /* lower-case text, no trailing dot */
	uint8_t mname[DZ_DNAME_MAX];
	uint8_t rname[DZ_DNAME_MAX];
	uint32_t serial, refresh, retry, expire, minimum;
	uint32_t ttl;                   /* default TTL of the zone */
	struct dz_zspec_ns *ns;         /* deduplicated, malloc'd */
	size_t nns;
	struct dz_selector *sels;       /* recordsFrom, malloc'd */
	size_t nsels;
};

/*
 * Validate a DNSZone spec (MANIFESTS.md) and fill z. Problems go to diags
 * with file:line:col. Returns 0, DZ_EMANIFEST (an error was reported; z
 * must still be cleared) or DZ_ENOMEM.
 */
int dz_zspec_parse(struct dz_zspec *z, const struct dz_ynode *spec,
		   const char *file, struct dz_diags *diags);

/* Free what dz_zspec_parse allocated. */
void dz_zspec_clear(struct dz_zspec *z);

/* True when any of the zone's recordsFrom selectors takes the labels. */
bool dz_zspec_selects(const struct dz_zspec *z, const struct dz_label *labels,
		      size_t nlabels);

/*
 * Convert "hostmaster@example.com" to "hostmaster.example.com." (dots in
 * the local part escaped); other text is copied. out has outsz bytes.
 * Returns false when it does not fit.
 */
bool dz_zspec_email_to_name(const char *email, char *out, size_t outsz);

/* Room for any SOA rdata. */
#define DZ_ZSPEC_SOA_MAX (2 * DZ_DNAME_MAX + 20)

/* The zone's SOA rdata with this serial into rd; its length. */
size_t dz_zspec_soa_rdata(const struct dz_zspec *z, uint32_t serial,
			  uint8_t *rd);

/*
 * Add the zone's SOA (with this serial), the apex NS RRs of nameServers
 * (or nameServerIps) and glue A/AAAA for name servers inside the zone.
 * Returns 0 or dz_zone_builder_add's error.
 */
int dz_zspec_add_apex(const struct dz_zspec *z, struct dz_zone_builder *b,
		      uint32_t serial);

/*
 * Once every record is in: when the apex has no NS RRset (no nameServers
 * and no NS record at "@"), publish primaryNs alone.
 */
int dz_zspec_add_ns_fallback(const struct dz_zspec *z,
			     struct dz_zone_builder *b);
