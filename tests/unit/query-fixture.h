/* SPDX-License-Identifier: MIT */
/* query-fixture.h -- the zones test_query and test_query_alloc answer from. */
#pragma once

#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#include "plugin/plugin.h"
#include "query/query.h"
#include "util/dname.h"
#include "zone/snapshot.h"
#include "zone/zone.h"

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

/*
 * Zone cuts, CNAMEs and wildcards (after RFC 4592 2.2.1's example).
 * child.example.test is also a zone of its own (fx_child).
 */
static const char *const fx_test[] = {
	"example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. "
	"1 7200 900 1209600 600",
	"example.test. 3600 IN NS ns1.example.test.",
	"ns1.example.test. 300 IN A 127.0.0.1",
	/* a cut with in-bailiwick, in-zone and outside name servers */
	"sub.example.test. 300 IN NS ns.sub.example.test.",
	"sub.example.test. 300 IN NS ns1.example.test.",
	"sub.example.test. 300 IN NS ns.other.test.",
	"sub.example.test. 300 IN NS ns.deleg2.example.test.",
	"ns.sub.example.test. 300 IN A 127.0.0.5",
	"ns.sub.example.test. 300 IN AAAA ::5",
	"deep.www.sub.example.test. 300 IN A 127.0.0.6",
	"*.sub.example.test. 300 IN A 127.0.0.9",
	"deleg2.example.test. 300 IN NS ns.deleg2.example.test.",
	"ns.deleg2.example.test. 300 IN A 127.0.0.8",
	/* a cut with a DS RRset, one without, one served as a zone too */
	"sub.example.test. 300 IN DS 12345 8 2 "
	"49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE43DC2E2DA2C4F0F7D2A3F8C1",
	"nods.example.test. 300 IN NS ns1.example.test.",
	"child.example.test. 300 IN NS ns1.example.test.",
	"child.example.test. 300 IN DS 54321 8 2 "
	"49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE43DC2E2DA2C4F0F7D2A3F8C1",
	/* wildcards */
	"*.example.test. 300 IN TXT \"wild\"",
	"*.example.test. 300 IN MX 10 host1.example.test.",
	"sub.*.example.test. 300 IN TXT \"sub\"",
	"host1.example.test. 300 IN A 127.0.0.7",
	"_ssh._tcp.host1.example.test. 300 IN TXT \"ssh\"",
	"_ssh._tcp.host2.example.test. 300 IN TXT \"ssh2\"",
	"*.w.example.test. 300 IN CNAME host1.example.test.",
	"x.*.e.example.test. 300 IN A 127.0.0.10",
	"*.wns.example.test. 300 IN NS ns1.example.test.",
	/* CNAMEs */
	"a.example.test. 300 IN CNAME B.example.test.",
	"b.example.test. 300 IN CNAME host1.example.test.",
	"out.example.test. 300 IN CNAME www.example.com.",
	"dangling.example.test. 300 IN CNAME nothere.host1.example.test.",
	"toent.example.test. 300 IN CNAME host2.example.test.",
	"loop1.example.test. 300 IN CNAME loop2.example.test.",
	"loop2.example.test. 300 IN CNAME loop1.example.test.",
	"self.example.test. 300 IN CNAME self.example.test.",
	"todeleg.example.test. 300 IN CNAME x.sub.example.test.",
	"towild.example.test. 300 IN CNAME any.w.example.test.",
	"tomx.example.test. 300 IN CNAME mx.example.test.",
	"mx.example.test. 300 IN MX 10 host1.example.test.",
	NULL,
};

static const char *const fx_child[] = {
	"child.example.test. 300 IN SOA ns1.example.test. "
	"hostmaster.example.test. 9 7200 900 1209600 600",
	"child.example.test. 300 IN NS ns1.example.test.",
	"www.child.example.test. 300 IN A 127.0.0.20",
	NULL,
};

/* A chain of CNAMEs longer than we follow: c0 -> c1 -> ... -> c24 (A). */
static int fx_long_chain(struct dz_zone_builder *b)
{
	char line[128];
	int rc = 0;

	for (int i = 0; i < 24 && rc == 0; i++) {
		snprintf(line, sizeof(line),
			 "c%d.example.test. 300 IN CNAME c%d.example.test.",
			 i, i + 1);
		rc = fx_add(b, line);
	}
	return rc ? rc : fx_add(b, "c24.example.test. 300 IN A 127.0.0.24");
}

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
	if (strcmp(origin, "example.test.") == 0 && fx_long_chain(b) != 0) {
		dz_zone_builder_free(b);
		return NULL;
	}
	for (int i = 0; big && i < 60; i++) {
		snprintf(line, sizeof(line),
			 "big.example.com. 300 IN A 127.0.1.%d", i);
		fx_add(b, line);
	}
	return dz_zone_builder_finish(b, &err);
}

/* Add a zone to s and drop our reference; false on failure. */
static bool fx_add_zone(struct dz_snapshot *s, const char *origin,
			const char *const *rrs)
{
	struct dz_zone *z = fx_zone(origin, rrs, false);
	bool ok = z != NULL && dz_snapshot_add_zone(s, z) == 0;

	dz_zone_unref(z);
	return ok;
}

/* example.com, example.net, example.test and child.example.test. */
static struct dz_snapshot *fx_snapshot(void)
{
	struct dz_snapshot *s;
	struct dz_zone *com, *net;

	s = dz_snapshot_new(); /* MX: the built-in kind (plugin/mx.c) */
	com = fx_zone("example.com.", fx_com, true);
	net = fx_zone("example.net.", fx_net, false);
	if (s == NULL || com == NULL || net == NULL ||
	    dz_snapshot_add_zone(s, com) != 0 ||
	    dz_snapshot_add_zone(s, net) != 0) {
		return NULL;
	}
	dz_zone_unref(com);
	dz_zone_unref(net);
	if (!fx_add_zone(s, "example.test.", fx_test) ||
	    !fx_add_zone(s, "child.example.test.", fx_child)) {
		return NULL;
	}
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

/* A group's snapshot and query context: fx_group_setup() makes them,
 * fx_group_teardown() frees them (cmocka group fixtures). */
static struct dz_snapshot *fx_snap;
static struct dz_query_ctx *fx_ctx;

static inline int fx_group_setup(void **state)
{
	(void)state;
	fx_snap = fx_snapshot();
	fx_ctx = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
	return fx_snap != NULL && fx_ctx != NULL ? 0 : -1;
}

static inline int fx_group_teardown(void **state)
{
	(void)state;
	dz_query_ctx_free(fx_ctx);
	dz_snapshot_unref(fx_snap);
	return 0;
}
