/* SPDX-License-Identifier: MIT */
/* test_build.c -- manifests to zones: SOA/NS/glue, joins, status, corpus. */
#include <arpa/inet.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/load.h"
#include "plugin/plugin.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "zone/build.h"
#include "zone/snapshot.h"
#include "zone/zone.h"
#include "buildtest.h"

/* ---- fixture: files from buffers, one build ----------------------------- */


/* A diagnostic of o (load or build) containing phrase, or NULL. */
static const struct dz_diag *find_diag(const struct dz_object *o,
				       enum dz_severity sev,
				       const char *phrase)
{
	const struct dz_diags *lists[2] = { dz_object_diags(o),
					     dz_object_bdiags(o) };

	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; i < lists[l]->n; i++) {
			const struct dz_diag *d = &lists[l]->items[i];
			if (d->sev == sev && strstr(d->msg, phrase) != NULL) {
				return d;
			}
		}
	}
	return NULL;
}

static void expect_status(const char *kind, const char *name,
			  enum dz_reason r, const char *msg_part)
{
	const struct dz_object *o = obj(kind, name);

	if (o->reason != r || strstr(dz_object_message(o), msg_part) == NULL) {
		fail_msg("%s %s: %s '%s', want %s '%s'", kind, name,
			 dz_reason_name(o->reason), dz_object_message(o),
			 dz_reason_name(r), msg_part);
	}
}

/* ---- zone to sorted text ------------------------------------------------ */

struct text {
	char *lines[256];
	size_t n;
};

static void rdata_text(uint16_t type, const uint8_t *rd, uint16_t len,
		       char *out, size_t sz)
{
	const struct dz_kind *k = dz_kind_lookup_type(type);
	char a[DZ_DNAME_MAX * 4], b[DZ_DNAME_MAX * 4];

	if (type == 1 && len == 4) {
		inet_ntop(AF_INET, rd, out, (socklen_t)sz);
	} else if (type == 28 && len == 16) {
		inet_ntop(AF_INET6, rd, out, (socklen_t)sz);
	} else if (type == 2) {
		dz_dname_to_text(rd, out, sz);
	} else if (type == 6) {
		size_t ml = dz_dname_len(rd), rl = dz_dname_len(rd + ml);
		const uint8_t *p = rd + ml + rl;
		uint32_t v[5];
		for (int i = 0; i < 5; i++) {
			v[i] = (uint32_t)p[4 * i] << 24 |
			       (uint32_t)p[4 * i + 1] << 16 |
			       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
		}
		dz_dname_to_text(rd, a, sizeof(a));
		dz_dname_to_text(rd + ml, b, sizeof(b));
		snprintf(out, sz, "%s %s %u %u %u %u %u", a, b, v[0], v[1],
			 v[2], v[3], v[4]);
	} else if (k != NULL && k->print != NULL) {
		k->print(rd, len, out, sz);
	} else {
		snprintf(out, sz, "\\# %u", len);
	}
}

static const char *type_text(uint16_t type)
{
	switch (type) {
	case 1: return "A";
	case 2: return "NS";
	case 6: return "SOA";
	case 15: return "MX";
	case 28: return "AAAA";
	}
	return "?";
}

static int walk_cb(const uint8_t *owner, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	struct text *t = arg;
	char o[DZ_DNAME_MAX * 4], r[2200], line[3400];

	dz_dname_to_text(owner, o, sizeof(o));
	rdata_text(type, rdata, rdlen, r, sizeof(r));
	snprintf(line, sizeof(line), "%s %u %s %s", o, ttl, type_text(type),
		 r);
	assert_true(t->n < 256);
	t->lines[t->n++] = strdup(line);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const struct dz_zone *zone_of(const char *name)
{
	uint8_t wire[DZ_DNAME_MAX];
	size_t len;

	assert_int_equal(dz_dname_from_text(name, strlen(name), NULL, wire,
					    &len, NULL, NULL), 0);
	dz_dname_tolower(wire);
	const struct dz_zone *z = dz_snapshot_find_zone(fx.snap, wire, len);
	if (z != NULL && !dz_dname_equal(dz_zone_origin(z), wire)) {
		z = NULL;
	}
	return z;
}

/* The zone's RRs, one per line, sorted, joined with '\n'. */
static void expect_zone(const char *name, const char *want)
{
	const struct dz_zone *z = zone_of(name);
	struct text t = { .n = 0 };
	char got[8192];
	size_t len = 0;

	if (z == NULL) {
		fail_msg("zone %s not served", name);
	}
	assert_int_equal(dz_zone_walk(z, walk_cb, &t), 0);
	qsort(t.lines, t.n, sizeof(t.lines[0]), str_cmp);
	got[0] = '\0';
	for (size_t i = 0; i < t.n; i++) {
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s\n",
					t.lines[i]);
		free(t.lines[i]);
	}
	assert_string_equal(got, want);
}

/* ---- manifests ---------------------------------------------------------- */

#define HDR(kind, name) \
	"apiVersion: bindy.firestoned.io/v1beta1\nkind: " kind "\n" \
	"metadata:\n  name: " name "\n"

#define SOA \
	"  soaRecord:\n" \
	"    primaryNs: ns1.example.com.\n" \
	"    adminEmail: hostmaster@example.com\n" \
	"    serial: 5\n    refresh: 3600\n    retry: 600\n" \
	"    expire: 604800\n    negativeTtl: 86400\n"

#define ZONE(name, zone) HDR("DNSZone", name) \
	"spec:\n  zoneName: " zone "\n" SOA \
	"  recordsFrom:\n    - selector:\n        matchLabels:\n" \
	"          zone: " zone "\n"

static const char zone_glue[] =
	HDR("DNSZone", "example-com")
	"spec:\n"
	"  zoneName: example.com.\n"
	SOA
	"  ttl: 7200\n"
	"  clusterRef: ignored\n"
	"  nameServers:\n"
	"    - hostname: ns1.example.com.\n"
	"      ipv4Address: \"192.0.2.1\"\n"
	"      ipv6Address: \"2001:db8::1\"\n"
	"    - hostname: NS1.example.com.\n"
	"    - hostname: ns2.example.net.\n"
	"      ipv4Address: \"192.0.2.2\"\n";

static void test_zone_soa_ns_glue(void **state)
{
	(void)state;
	add_file("zone.yaml", zone_glue);
	build(NULL);
	expect_zone("example.com.",
		    "example.com. 7200 NS ns1.example.com.\n"
		    "example.com. 7200 NS ns2.example.net.\n"
		    "example.com. 7200 SOA ns1.example.com. "
		    "hostmaster.example.com. 5 3600 600 604800 86400\n"
		    "ns1.example.com. 7200 A 192.0.2.1\n"
		    "ns1.example.com. 7200 AAAA 2001:db8::1\n");
	expect_status("DNSZone", "example-com", DZ_REASON_SUCCEEDED,
		      "zone example.com served, 5 records, serial 5");
	assert_string_equal(obj("DNSZone", "example-com")->zone,
			    "example.com");
	assert_int_equal(dz_object_bdiags(obj("DNSZone", "example-com"))->n, 0);
}

static uint32_t serial_cb(const char *zone, uint32_t spec_serial, void *arg)
{
	assert_string_equal(zone, "example.com");
	assert_int_equal(spec_serial, 5);
	return *(uint32_t *)arg;
}

static void test_zone_serial_opt(void **state)
{
	uint32_t s = 2026010101;
	struct dz_build_opts opts = { .serial = serial_cb, .serial_arg = &s };

	(void)state;
	add_file("zone.yaml", zone_glue);
	build(&opts);
	expect_status("DNSZone", "example-com", DZ_REASON_SUCCEEDED,
		      "serial 2026010101");
	assert_int_equal(dz_zone_serial(zone_of("example.com.")), s);
}

static void test_zone_nameserverips(void **state)
{
	(void)state;
	add_file("zone.yaml",
		 HDR("DNSZone", "example-com")
		 "spec:\n  zoneName: example.com\n" SOA
		 "  nameServerIps:\n"
		 "    ns1.example.com.: 192.0.2.9\n"
		 "    ns.elsewhere.org.: 192.0.2.10\n");
	build(NULL);
	expect_zone("example.com.",
		    "example.com. 3600 NS ns.elsewhere.org.\n"
		    "example.com. 3600 NS ns1.example.com.\n"
		    "example.com. 3600 SOA ns1.example.com. "
		    "hostmaster.example.com. 5 3600 600 604800 86400\n"
		    "ns1.example.com. 3600 A 192.0.2.9\n");
}

static void test_zone_primary_ns_fallback(void **state)
{
	(void)state;
	add_file("zone.yaml", ZONE("example-com", "example.com"));
	build(NULL);
	expect_zone("example.com.",
		    "example.com. 3600 NS ns1.example.com.\n"
		    "example.com. 3600 SOA ns1.example.com. "
		    "hostmaster.example.com. 5 3600 600 604800 86400\n");
}

static void test_zone_bad_soa(void **state)
{
	const struct dz_object *o;

	(void)state;
	add_file("zone.yaml",
		 HDR("DNSZone", "bad")
		 "spec:\n  zoneName: a..b\n"
		 "  soaRecord:\n"
		 "    primaryNs: ns1.example.com.\n"
		 "    serial: 5\n    refresh: 0\n    retry: 600\n"
		 "    expire: 604800\n    negativeTtl: 86400\n");
	build(NULL);
	o = obj("DNSZone", "bad");
	assert_int_equal(o->reason, DZ_REASON_FAILED);
	assert_string_equal(dz_object_message(o), "zone.yaml:6:13: zoneName 'a..b' is "
			    "not a valid domain name: empty label");
	assert_non_null(find_diag(o, DZ_SEV_ERROR,
				  "missing required field 'adminEmail'"));
	assert_non_null(find_diag(o, DZ_SEV_ERROR,
				  "refresh 0 out of range"));
	assert_int_equal(dz_snapshot_zone_count(fx.snap), 0);
}

static void test_zone_bare_ip(void **state)
{
	(void)state;
	add_file("ip.yaml",
		 HDR("DNSZone", "ip")
		 "spec:\n  zoneName: 10.0.0.1\n" SOA);
	build(NULL);
	expect_status("DNSZone", "ip", DZ_REASON_FAILED,
		      "ip.yaml:6:13: zoneName '10.0.0.1' is an IP address, "
		      "not a domain name");
	/* A reverse zone is made of numbers too, and is fine. */
	add_file("rev.yaml",
		 HDR("DNSZone", "rev")
		 "spec:\n  zoneName: 0.168.192.in-addr.arpa\n" SOA);
	build(NULL);
	expect_status("DNSZone", "rev", DZ_REASON_SUCCEEDED, "served");
}

/* ---- joins -------------------------------------------------------------- */

#define A_REC(name, owner, addr, extra) \
	HDR("ARecord", name) extra \
	"spec:\n  name: " owner "\n  ipv4Addresses: [\"" addr "\"]\n"

#define LABEL(zone) "  labels:\n    zone: " zone "\n"

static void test_joins(void **state)
{
	(void)state;
	add_file("a.yaml", ZONE("example-com", "example.com"));
	add_file("b.yaml",
		 A_REC("by-label", "www", "192.0.2.1", LABEL("example.com"))
		 "---\n"
		 A_REC("by-ref", "ref", "192.0.2.2", "")
		 "  zoneRef: example-com\n"
		 "---\n"
		 A_REC("by-zone", "byzone", "192.0.2.3", "")
		 "  zone: Example.COM.\n"
		 "---\n"
		 A_REC("ref-missing", "x", "192.0.2.4", "")
		 "  zoneRef: nope\n"
		 "---\n"
		 A_REC("zone-missing", "x", "192.0.2.5", "")
		 "  zone: example.org\n"
		 "---\n"
		 A_REC("unselected", "x", "192.0.2.6", LABEL("example.org"))
		 "---\n"
		 A_REC("both", "x", "192.0.2.7", "")
		 "  zone: example.com\n  zoneRef: example-com\n"
		 "---\n"
		 "apiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\n"
		 "metadata:\n  name: other-ns\n  namespace: other\n"
		 "spec:\n  name: x\n  zone: example.com\n"
		 "  ipv4Addresses: [\"192.0.2.8\"]\n");
	build(NULL);
	expect_zone("example.com.",
		    "byzone.example.com. 3600 A 192.0.2.3\n"
		    "example.com. 3600 NS ns1.example.com.\n"
		    "example.com. 3600 SOA ns1.example.com. "
		    "hostmaster.example.com. 5 3600 600 604800 86400\n"
		    "ref.example.com. 3600 A 192.0.2.2\n"
		    "www.example.com. 3600 A 192.0.2.1\n");
	expect_status("ARecord", "by-label", DZ_REASON_SUCCEEDED,
		      "A record added to zone example.com");
	assert_string_equal(obj("ARecord", "by-label")->zone, "example.com");
	expect_status("ARecord", "by-ref", DZ_REASON_SUCCEEDED, "A record");
	expect_status("ARecord", "by-zone", DZ_REASON_SUCCEEDED, "A record");
	expect_status("ARecord", "ref-missing", DZ_REASON_ZONE_NOT_FOUND,
		      "no DNSZone 'nope' in namespace 'default'");
	expect_status("ARecord", "zone-missing", DZ_REASON_ZONE_NOT_FOUND,
		      "example.org");
	expect_status("ARecord", "unselected", DZ_REASON_NOT_SELECTED,
		      "no DNSZone in namespace 'default' selects");
	expect_status("ARecord", "both", DZ_REASON_FAILED,
		      "both zoneRef 'example-com' and zone 'example.com'");
	expect_status("ARecord", "other-ns", DZ_REASON_ZONE_NOT_FOUND,
		      "namespace 'other'");
	assert_null(obj("ARecord", "unselected")->zone);
}

static void test_selector_expressions(void **state)
{
	(void)state;
	add_file("z.yaml",
		 HDR("DNSZone", "z")
		 "spec:\n  zoneName: example.com\n" SOA
		 "  recordsFrom:\n"
		 "    - selector:\n"
		 "        matchExpressions:\n"
		 "          - key: tier\n"
		 "            operator: In\n"
		 "            values: [web, api]\n"
		 "          - key: hidden\n"
		 "            operator: DoesNotExist\n"
		 "    - selector:\n"
		 "        matchExpressions:\n"
		 "          - key: legacy\n"
		 "            operator: Exists\n");
	add_file("r.yaml",
		 A_REC("web", "web", "192.0.2.1", "  labels:\n    tier: web\n")
		 "---\n"
		 A_REC("hidden", "h", "192.0.2.2",
		       "  labels:\n    tier: web\n    hidden: \"yes\"\n")
		 "---\n"
		 A_REC("legacy", "legacy", "192.0.2.3",
		       "  labels:\n    legacy: \"\"\n")
		 "---\n"
		 A_REC("db", "db", "192.0.2.4", "  labels:\n    tier: db\n"));
	build(NULL);
	expect_status("ARecord", "web", DZ_REASON_SUCCEEDED, "");
	expect_status("ARecord", "hidden", DZ_REASON_NOT_SELECTED, "");
	expect_status("ARecord", "legacy", DZ_REASON_SUCCEEDED, "");
	expect_status("ARecord", "db", DZ_REASON_NOT_SELECTED, "");
}

static void test_selector_bad_operator(void **state)
{
	const struct dz_object *o;

	(void)state;
	add_file("z.yaml",
		 HDR("DNSZone", "z")
		 "spec:\n  zoneName: example.com\n" SOA
		 "  recordsFrom:\n"
		 "    - selector:\n"
		 "        matchExpressions:\n"
		 "          - key: tier\n"
		 "            operator: Gt\n"
		 "            values: [\"1\"]\n");
	build(NULL);
	o = obj("DNSZone", "z");
	assert_int_equal(o->reason, DZ_REASON_FAILED);
	assert_non_null(strstr(dz_object_message(o), "z.yaml:19:23: operator 'Gt' must "
			       "be In, NotIn, Exists or DoesNotExist"));
}

static void test_two_zones_select_one_record(void **state)
{
	(void)state;
	add_file("z.yaml",
		 ZONE("a", "example.com") "---\n" ZONE("b", "example.net"));
	/* Both zones select zone=example.com or zone=example.net only;
	 * a third selector on team=web is added to both. */
	add_file("z2.yaml",
		 HDR("DNSZone", "c")
		 "spec:\n  zoneName: example.org\n" SOA
		 "  recordsFrom:\n    - selector:\n        matchLabels:\n"
		 "          team: web\n"
		 "---\n"
		 HDR("DNSZone", "d")
		 "spec:\n  zoneName: example.info\n" SOA
		 "  recordsFrom:\n    - selector:\n        matchLabels:\n"
		 "          team: web\n");
	add_file("r.yaml",
		 A_REC("shared", "www", "192.0.2.1",
		       "  labels:\n    team: web\n"));
	build(NULL);
	expect_status("ARecord", "shared", DZ_REASON_SUCCEEDED,
		      "A record added to zones example.info, example.org");
	assert_non_null(zone_of("example.org."));
	assert_non_null(zone_of("example.info."));
	assert_non_null(dz_zone_lookup(zone_of("example.org."),
				       (const uint8_t *)"\3www\7example\3org",
				       17));
	assert_non_null(dz_zone_lookup(zone_of("example.info."),
				       (const uint8_t *)"\3www\7example\4info",
				       18));
}

/* ---- duplicates --------------------------------------------------------- */

static void test_duplicate_object(void **state)
{
	(void)state;
	add_file("a.yaml", ZONE("example-com", "example.com") "---\n"
		 A_REC("www", "www", "192.0.2.1", LABEL("example.com")));
	add_file("b.yaml",
		 A_REC("www", "www", "192.0.2.99", LABEL("example.com")));
	build(NULL);
	expect_status("ARecord", "www", DZ_REASON_SUCCEEDED, "");
	const struct dz_object *dup = &fx.files[1]->objects[0];
	assert_int_equal(dup->reason, DZ_REASON_DUPLICATE_OBJECT);
	assert_string_equal(dz_object_message(dup),
			    "duplicate of ARecord default/www in a.yaml:20");
	expect_zone("example.com.",
		    "example.com. 3600 NS ns1.example.com.\n"
		    "example.com. 3600 SOA ns1.example.com. "
		    "hostmaster.example.com. 5 3600 600 604800 86400\n"
		    "www.example.com. 3600 A 192.0.2.1\n");
}

static void test_duplicate_zone(void **state)
{
	(void)state;
	/* (default, z2) sorts after (default, z1): z1 serves. */
	add_file("a.yaml", ZONE("z2", "example.com"));
	add_file("b.yaml", ZONE("z1", "EXAMPLE.com."));
	build(NULL);
	expect_status("DNSZone", "z1", DZ_REASON_SUCCEEDED, "served");
	expect_status("DNSZone", "z2", DZ_REASON_DUPLICATE_ZONE,
		      "zone example.com is already served by DNSZone "
		      "default/z1 (b.yaml:1)");
	assert_int_equal(dz_snapshot_zone_count(fx.snap), 1);
}

/* ---- RRsets ------------------------------------------------------------- */

#define MX_REC(name, prio, server, ttl) \
	HDR("MXRecord", name) LABEL("example.com") \
	"spec:\n  name: \"@\"\n  priority: " prio "\n" \
	"  mailServer: " server "\n" ttl

static void test_rrset_union_collapse_ttl(void **state)
{
	const struct dz_diag *d;

	(void)state;
	add_file("a.yaml", ZONE("example-com", "example.com"));
	add_file("b.yaml",
		 MX_REC("mx1", "10", "mx1.example.net.", "  ttl: 300\n")
		 "---\n"
		 MX_REC("mx2", "20", "mx2.example.net.", "  ttl: 600\n")
		 "---\n"
		 A_REC("w1", "www", "192.0.2.1", LABEL("example.com"))
		 "---\n"
		 A_REC("w2", "www", "192.0.2.1", LABEL("example.com")));
	build(NULL);
	expect_zone("example.com.",
		    "example.com. 300 MX 10 mx1.example.net.\n"
		    "example.com. 300 MX 20 mx2.example.net.\n"
		    "example.com. 3600 NS ns1.example.com.\n"
		    "example.com. 3600 SOA ns1.example.com. "
		    "hostmaster.example.com. 5 3600 600 604800 86400\n"
		    "www.example.com. 3600 A 192.0.2.1\n");
	d = find_diag(obj("MXRecord", "mx2"), DZ_SEV_WARNING,
		      "TTL 600 differs from the RRset's other TTL: the "
		      "smallest is served");
	assert_non_null(d);
	assert_int_equal(d->line, 23);
	assert_null(find_diag(obj("MXRecord", "mx1"), DZ_SEV_WARNING, "TTL"));
	assert_null(find_diag(obj("ARecord", "w2"), DZ_SEV_WARNING, "TTL"));
	expect_status("MXRecord", "mx2", DZ_REASON_SUCCEEDED,
		      "MX record added to zone example.com");
}

static void test_relative_mailserver(void **state)
{
	(void)state;
	add_file("a.yaml", ZONE("example-com", "example.com"));
	add_file("mx.yaml",
		 MX_REC("mx", "10", "mail.example.com", ""));
	build(NULL);
	assert_non_null(find_diag(obj("MXRecord", "mx"), DZ_SEV_WARNING,
				  "mailServer 'mail.example.com' has no "
				  "trailing dot: served as "
				  "mail.example.com.example.com."));
	expect_status("MXRecord", "mx", DZ_REASON_SUCCEEDED, "MX record");
	expect_zone("example.com.",
		    "example.com. 3600 MX 10 mail.example.com.example.com.\n"
		    "example.com. 3600 NS ns1.example.com.\n"
		    "example.com. 3600 SOA ns1.example.com. "
		    "hostmaster.example.com. 5 3600 600 604800 86400\n");
}

static void test_mailserver_with_space(void **state)
{
	(void)state;
	add_file("a.yaml", ZONE("example-com", "example.com"));
	add_file("mx.yaml",
		 MX_REC("mx", "10", "\"mail example.com.\"", ""));
	build(NULL);
	expect_status("MXRecord", "mx", DZ_REASON_FAILED,
		      "mx.yaml:10:15: mailServer 'mail example.com.' is not a "
		      "valid domain name: whitespace or control character");
	assert_null(obj("MXRecord", "mx")->zone);
}

static void test_mx_target_without_address(void **state)
{
	(void)state;
	add_file("a.yaml", ZONE("example-com", "example.com"));
	add_file("mx.yaml",
		 MX_REC("no-addr", "10", "mail.example.com.", "")
		 "---\n"
		 MX_REC("has-addr", "20", "mx2.example.com.", "")
		 "---\n"
		 MX_REC("outside", "30", "mx.example.net.", "")
		 "---\n"
		 A_REC("mx2", "mx2", "192.0.2.2", LABEL("example.com")));
	build(NULL);
	const struct dz_diag *d = find_diag(obj("MXRecord", "no-addr"),
					    DZ_SEV_WARNING,
					    "mailServer 'mail.example.com.' has "
					    "no A or AAAA record");
	assert_non_null(d);
	assert_int_equal(d->line, 10);
	assert_null(find_diag(obj("MXRecord", "has-addr"), DZ_SEV_WARNING,
			      "no A or AAAA"));
	assert_null(find_diag(obj("MXRecord", "outside"), DZ_SEV_WARNING,
			      "no A or AAAA"));
	expect_status("MXRecord", "no-addr", DZ_REASON_SUCCEEDED, "MX");
}

static void test_owner_names(void **state)
{
	(void)state;
	add_file("a.yaml", ZONE("example-com", "example.com"));
	add_file("r.yaml",
		 A_REC("apex", "\"@\"", "192.0.2.1", LABEL("example.com"))
		 "---\n"
		 A_REC("abs", "abs.example.com.", "192.0.2.2",
		       LABEL("example.com"))
		 "---\n"
		 A_REC("outside", "x.example.org.", "192.0.2.3",
		       LABEL("example.com"))
		 "---\n"
		 A_REC("space", "\"a b\"", "192.0.2.4", LABEL("example.com"))
		 "---\n"
		 A_REC("odd", "a+b", "192.0.2.5", LABEL("example.com"))
		 "---\n"
		 A_REC("wild", "\"*.dev\"", "192.0.2.6", LABEL("example.com"))
		 "---\n"
		 A_REC("rel", "www.example.com", "192.0.2.8",
		       LABEL("example.com"))
		 "---\n"
		 A_REC("bigttl", "t", "192.0.2.7", LABEL("example.com"))
		 "  ttl: 2147483648\n");
	build(NULL);
	expect_status("ARecord", "apex", DZ_REASON_SUCCEEDED, "");
	expect_status("ARecord", "abs", DZ_REASON_SUCCEEDED, "");
	expect_status("ARecord", "outside", DZ_REASON_FAILED,
		      "name 'x.example.org.' is outside zone example.com");
	expect_status("ARecord", "space", DZ_REASON_FAILED,
		      "name 'a b' is not a valid domain name");
	expect_status("ARecord", "odd", DZ_REASON_SUCCEEDED, "");
	assert_non_null(find_diag(obj("ARecord", "odd"), DZ_SEV_WARNING,
				  "name 'a+b' has characters outside "
				  "hostname syntax"));
	expect_status("ARecord", "wild", DZ_REASON_SUCCEEDED, "");
	assert_int_equal(dz_object_bdiags(obj("ARecord", "wild"))->n, 0);
	assert_non_null(find_diag(obj("ARecord", "rel"), DZ_SEV_WARNING,
				  "name 'www.example.com' has no trailing "
				  "dot: served as www.example.com.example.com."));
	expect_status("ARecord", "bigttl", DZ_REASON_FAILED,
		      "ttl 2147483648 out of range 0..2147483647");
	expect_zone("example.com.",
		    "*.dev.example.com. 3600 A 192.0.2.6\n"
		    "a+b.example.com. 3600 A 192.0.2.5\n"
		    "abs.example.com. 3600 A 192.0.2.2\n"
		    "example.com. 3600 A 192.0.2.1\n"
		    "example.com. 3600 NS ns1.example.com.\n"
		    "example.com. 3600 SOA ns1.example.com. "
		    "hostmaster.example.com. 5 3600 600 604800 86400\n"
		    "www.example.com.example.com. 3600 A 192.0.2.8\n");
}

/* NSRecord: the real plugin when there is one, else a stand-in. */
static int ns_parse(struct dz_kind_ctx *ctx, const struct dz_ynode *spec)
{
	uint8_t name[DZ_DNAME_MAX];
	size_t len;

	if (dz_kind_get_name(ctx, spec, "nameserver", name, &len) != 0) {
		return DZ_EMANIFEST;
	}
	return dz_kind_add_rdata(ctx, name, len);
}

static const char *const ns_fields[] = { "nameserver", NULL };

static const struct dz_kind ns_standin = {
	.abi = DZ_KIND_ABI,
	.name = "NSRecord",
	.type_name = "NS",
	.rrtype = 2,
	.flags = DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS | DZ_KIND_F_ADDITIONAL,
	.fields = ns_fields,
	.parse = ns_parse,
};

#define NS_REC(name, owner, server) \
	HDR("NSRecord", name) LABEL("example.com") \
	"spec:\n  name: " owner "\n  nameserver: " server "\n"

static void test_apex_ns_records(void **state)
{
	(void)state;
	if (dz_kind_lookup_name("NSRecord") == NULL) {
		assert_int_equal(dz_kind_register(&ns_standin), 0);
	}
	/* An NS record at "@" replaces the primaryNs fallback. */
	add_file("a.yaml", ZONE("example-com", "example.com"));
	add_file("ns.yaml",
		 NS_REC("apex", "\"@\"", "ns9.example.net.")
		 "---\n"
		 NS_REC("sub", "sub", "ns.sub.example.com."));
	build(NULL);
	expect_zone("example.com.",
		    "example.com. 3600 NS ns9.example.net.\n"
		    "example.com. 3600 SOA ns1.example.com. "
		    "hostmaster.example.com. 5 3600 600 604800 86400\n"
		    "sub.example.com. 3600 NS ns.sub.example.com.\n");
	/* With nameServers, the same host from an NSRecord collapses. */
	for (size_t i = 0; i < fx.n; i++) {
		dz_mfile_free(fx.files[i]);
	}
	fx.n = 0;
	add_file("a.yaml", zone_glue);
	add_file("ns.yaml", NS_REC("apex", "\"@\"", "ns1.example.com."));
	build(NULL);
	expect_zone("example.com.",
		    "example.com. 7200 NS ns1.example.com.\n"
		    "example.com. 7200 NS ns2.example.net.\n"
		    "example.com. 7200 SOA ns1.example.com. "
		    "hostmaster.example.com. 5 3600 600 604800 86400\n"
		    "ns1.example.com. 7200 A 192.0.2.1\n"
		    "ns1.example.com. 7200 AAAA 2001:db8::1\n");
}

static void test_unknown_zone_still_parsed(void **state)
{
	(void)state;
	add_file("mx.yaml", MX_REC("mx", "70000", "mx.example.net.", ""));
	build(NULL);
	expect_status("MXRecord", "mx", DZ_REASON_FAILED,
		      "priority 70000 out of range 0..65535");
}

static void test_collect_diags(void **state)
{
	struct dz_diags d = { 0 };
	bool not_selected = false, unsupported = false;

	(void)state;
	add_file("a.yaml", ZONE("example-com", "example.com"));
	add_file("b.yaml",
		 A_REC("lost", "x", "192.0.2.1", LABEL("nowhere"))
		 "---\n"
		 HDR("ZZTestRecord", "c") LABEL("example.com")
		 "spec:\n  name: blog\n  target: www.example.com.\n");
	build(NULL);
	dz_build_collect_diags(fx.files, fx.n, &d);
	assert_int_equal(d.nerrors, 0);
	for (size_t i = 0; i < d.n; i++) {
		if (strstr(d.items[i].msg, "NotSelected") != NULL) {
			not_selected = true;
			assert_string_equal(d.items[i].file, "b.yaml");
			assert_int_equal(d.items[i].line, 1);
		}
		if (strstr(d.items[i].msg, "unsupported kind") != NULL) {
			assert_false(unsupported); /* reported once */
			unsupported = true;
		}
	}
	assert_true(not_selected);
	assert_true(unsupported);
	expect_status("ZZTestRecord", "c", DZ_REASON_UNSUPPORTED_KIND, "");
	dz_diags_clear(&d);
}

static void test_rebuild_resets(void **state)
{
	(void)state;
	add_file("a.yaml", ZONE("example-com", "example.com"));
	add_file("mx.yaml", MX_REC("mx", "10", "mail.example.com.", ""));
	build(NULL);
	build(NULL);
	/* One warning, not one per build. */
	assert_int_equal(dz_object_bdiags(obj("MXRecord", "mx"))->n, 1);
}

/* ---- the corpus --------------------------------------------------------- */

static const char *corpus_dir(void)
{
	static char path[4096];
	const char *shared = getenv("DZ_SHARED");

	if (shared == NULL) {
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/corpus/bindy-examples", shared);
	return path;
}

static bool has_diag(const struct dz_diags *d, enum dz_severity sev,
		     const char *phrase, uint32_t line)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].sev == sev &&
		    strstr(d->items[i].msg, phrase) != NULL &&
		    (line == 0 || d->items[i].line == line)) {
			return true;
		}
	}
	return false;
}

/* What each file alone must report. */
static void check_corpus_file(const char *rel, const struct dz_diags *d)
{
	if (strcmp(rel, "invalid-cname-target-no-trailing-dot.yaml") == 0) {
		/*
		 * CNAMERecord has no plugin yet, so the only possible
		 * diagnostic today is the unsupported-kind warning. Once a
		 * CNAME kind exists this must become the relative-target
		 * warning ("target 'example.github.io' has no trailing
		 * dot").
		 */
		assert_int_equal(d->nerrors, 0);
		if (dz_kind_lookup_name("CNAMERecord") == NULL) {
			assert_true(has_diag(d, DZ_SEV_WARNING,
					     "unsupported kind 'CNAMERecord'",
					     0));
		} else {
			assert_true(has_diag(d, DZ_SEV_WARNING,
					     "target 'example.github.io' has "
					     "no trailing dot", 13));
		}
	} else if (strcmp(rel, "invalid-dnszone-zonename-bare-ip.yaml") == 0) {
		assert_true(has_diag(d, DZ_SEV_ERROR, "zoneName '10.0.0.1' is "
				     "an IP address", 11));
	} else if (strcmp(rel, "invalid-mx-mailserver-with-space.yaml") == 0) {
		assert_true(has_diag(d, DZ_SEV_ERROR,
				     "mailServer 'mail example.com.'", 14));
	} else if (strncmp(rel, "invalid-", 8) == 0) {
		fail_msg("%s: no expectation for this invalid file", rel);
	} else if (d->nerrors != 0) {
		dz_diags_print(d, stderr);
		fail_msg("%s: unexpected errors", rel);
	}
}

static void test_corpus(void **state)
{
	const char *dir = corpus_dir();
	struct dz_mfile **files = NULL;
	struct dz_diags ld = { 0 }, all = { 0 };
	size_t n = 0, nerr_expected = 0;

	(void)state;
	assert_int_equal(dz_manifest_load_dir(dir, &files, &n, &ld), 0);
	assert_true(n >= 3);
	assert_int_equal(ld.n, 0);
	for (size_t i = 0; i < n; i++) {
		struct dz_diags d = { 0 };
		struct dz_snapshot *s = dz_build(&files[i], 1, NULL);
		assert_non_null(s);
		dz_build_collect_diags(&files[i], 1, &d);
		check_corpus_file(files[i]->rel, &d);
		dz_diags_clear(&d);
		dz_snapshot_unref(s);
		nerr_expected += strncmp(files[i]->rel, "invalid-", 8) == 0;
	}
	/* All together: only the invalid files' errors. */
	struct dz_snapshot *s = dz_build(files, n, NULL);
	assert_non_null(s);
	assert_true(dz_snapshot_zone_count(s) >= 4);
	dz_build_collect_diags(files, n, &all);
	for (size_t i = 0; i < all.n; i++) {
		if (all.items[i].sev == DZ_SEV_ERROR &&
		    strncmp(all.items[i].file, "invalid-", 8) != 0) {
			dz_diags_print(&all, stderr);
			fail_msg("unexpected error in %s", all.items[i].file);
		}
	}
	assert_true(all.nerrors >= nerr_expected - 1);
	dz_diags_clear(&all);
	dz_snapshot_unref(s);
	dz_manifest_free_all(files, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_zone_soa_ns_glue),
		T(test_zone_serial_opt),
		T(test_zone_nameserverips),
		T(test_zone_primary_ns_fallback),
		T(test_zone_bad_soa),
		T(test_zone_bare_ip),
		T(test_joins),
		T(test_selector_expressions),
		T(test_selector_bad_operator),
		T(test_two_zones_select_one_record),
		T(test_duplicate_object),
		T(test_duplicate_zone),
		T(test_rrset_union_collapse_ttl),
		T(test_relative_mailserver),
		T(test_mailserver_with_space),
		T(test_mx_target_without_address),
		T(test_owner_names),
		T(test_apex_ns_records),
		T(test_unknown_zone_still_parsed),
		T(test_collect_diags),
		T(test_rebuild_resets),
#undef T
	};
	const struct CMUnitTest corpus[] = {
		cmocka_unit_test(test_corpus),
	};
	const char *dir = corpus_dir();
	DIR *d = dir ? opendir(dir) : NULL;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	if (d == NULL) {
		fprintf(stderr, "SKIP corpus: $DZ_SHARED/corpus/bindy-examples "
			"not found (set DZ_SHARED)\n");
		return rc ? rc : 77;
	}
	closedir(d);
	return rc | cmocka_run_group_tests(corpus, NULL, NULL);
}
