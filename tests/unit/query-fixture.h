/* SPDX-License-Identifier: MIT */
/* query-fixture.h -- the zones test_query and test_query_alloc answer from. */
#pragma once

#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#include "plugin/plugin.h"
#include "util/dname.h"
#include "zone/snapshot.h"
#include "zone/zone.h"

/* A stand-in MX kind for as long as the built-in one has not landed. */
static int fx_mx_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	(void)ctx;
	(void)spec;
	return 0;
}

static int fx_mx_compare(const uint8_t *a, size_t alen, const uint8_t *b,
			 size_t blen)
{
	(void)alen;
	(void)blen;
	return (int)dz_wire_get_u16(a) - (int)dz_wire_get_u16(b);
}

static const struct dz_kind fx_mx = {
	.abi = DZ_KIND_ABI,
	.name = "TestMXRecord",
	.type_name = "MX",
	.rrtype = 15,
	.name_offset = 2,
	.flags = DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS | DZ_KIND_F_ADDITIONAL |
		 DZ_KIND_F_ROTATE,
	.parse = fx_mx_parse,
	.compare = fx_mx_compare,
};

/* Add one RR given as zone-file text; 0 or the builder's status. */
static int fx_add(struct dz_zone_builder *b, const char *text)
{
	ldns_rr *rr = NULL;
	ldns_buffer *buf;
	int rc;

	if (ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL) !=
	    LDNS_STATUS_OK) {
		fprintf(stderr, "bad fixture RR: %s\n", text);
		return -1;
	}
	buf = ldns_buffer_new(512);
	ldns_rr_rdata2buffer_wire(buf, rr);
	rc = dz_zone_builder_add(b, ldns_rdf_data(ldns_rr_owner(rr)),
				 ldns_rr_get_type(rr), ldns_rr_ttl(rr),
				 ldns_buffer_begin(buf),
				 (uint16_t)ldns_buffer_position(buf), NULL);
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
	return rc;
}

static const char *const fx_com[] = {
	"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. "
	"2024010101 7200 900 1209600 600",
	"example.com. 3600 IN NS ns1.example.com.",
	"example.com. 3600 IN NS ns2.example.com.",
	"ns1.example.com. 300 IN A 127.0.0.1",
	"ns1.example.com. 300 IN AAAA ::1",
	"ns2.example.com. 300 IN A 127.0.0.2",
	"example.com. 300 IN MX 20 mail3.example.com.",
	"example.com. 300 IN MX 10 mail1.example.com.",
	"example.com. 300 IN MX 10 mail2.example.com.",
	"example.com. 300 IN MX 10 mail4.example.net.",
	"example.com. 300 IN MX 30 Mail1.Example.com.",
	"mail1.example.com. 300 IN A 127.0.0.11",
	"mail1.example.com. 300 IN AAAA ::ffff:127.0.0.11",
	"mail2.example.com. 300 IN A 127.0.0.12",
	"www.example.com. 300 IN A 127.0.0.3",
	"www.example.com. 300 IN TXT \"hello\"",
	"a.b.c.example.com. 300 IN A 127.0.0.4",
	"bigmx.example.com. 300 IN MX 10 big.example.com.",
	"alias.example.com. 300 IN CNAME www.example.com.",
	NULL,
};

static const char *const fx_net[] = {
	"example.net. 100 IN SOA ns1.example.com. hostmaster.example.com. "
	"7 7200 900 1209600 600",
	"example.net. 100 IN NS ns1.example.com.",
	"mail4.example.net. 300 IN A 127.0.0.14",
	NULL,
};

static struct dz_zone *fx_zone(const char *origin, const char *const *rrs,
			       bool big)
{
	uint8_t o[DZ_DNAME_MAX];
	size_t len;
	const char *why, *err;
	char line[128];
	struct dz_zone_builder *b;

	if (dz_dname_from_text(origin, strlen(origin), NULL, o, &len, NULL,
			       &why) != 0) {
		return NULL;
	}
	b = dz_zone_builder_new(o);
	for (size_t i = 0; rrs[i] != NULL; i++) {
		if (fx_add(b, rrs[i]) != 0) {
			dz_zone_builder_free(b);
			return NULL;
		}
	}
	/* 60 A RRs: ~1 KB, more than 512 bytes, less than 1232 */
	for (int i = 0; big && i < 60; i++) {
		snprintf(line, sizeof(line),
			 "big.example.com. 300 IN A 127.0.1.%d", i);
		fx_add(b, line);
	}
	return dz_zone_builder_finish(b, &err);
}

/* example.com and example.net; NULL on failure. */
static struct dz_snapshot *fx_snapshot(void)
{
	struct dz_snapshot *s;
	struct dz_zone *com, *net;

	if (dz_kind_lookup_type(15) == NULL) {
		dz_kind_register(&fx_mx);
	}
	s = dz_snapshot_new();
	com = fx_zone("example.com.", fx_com, true);
	net = fx_zone("example.net.", fx_net, false);
	if (s == NULL || com == NULL || net == NULL ||
	    dz_snapshot_add_zone(s, com) != 0 ||
	    dz_snapshot_add_zone(s, net) != 0) {
		return NULL;
	}
	dz_zone_unref(com);
	dz_zone_unref(net);
	return s;
}

/* A query in wire form (malloc'd by ldns); edns < 0: no OPT. */
static uint8_t *fx_query(const char *qname, uint16_t type, uint16_t class,
			 int edns, bool dobit, uint8_t version, size_t *len)
{
	ldns_rdf *name = ldns_dname_new_frm_str(qname);
	ldns_pkt *p = ldns_pkt_query_new(name, type, class, LDNS_RD);
	uint8_t *wire = NULL;

	ldns_pkt_set_id(p, 0x1234);
	if (edns >= 0) {
		ldns_pkt_set_edns_udp_size(p, (uint16_t)edns);
		ldns_pkt_set_edns_do(p, dobit);
		ldns_pkt_set_edns_version(p, version);
	}
	if (ldns_pkt2wire(&wire, p, len) != LDNS_STATUS_OK) {
		wire = NULL;
	}
	ldns_pkt_free(p);
	return wire;
}
