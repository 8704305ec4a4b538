/* SPDX-License-Identifier: MIT */
/* fixture.h -- the manifests the query and manifest fuzz targets serve. */
#pragma once

#include <stddef.h>
#include <string.h>

#include "manifest/load.h"
#include "zone/build.h"
#include "zone/snapshot.h"

/*
 * Three zones and a child zone; the records cover every built-in kind,
 * a CNAME chain and a CNAME loop, wildcards, a delegation with glue, MX
 * with equal priorities and a reverse zone. Kept small: the query target
 * builds it once, the manifest target loads it beside every input.
 */
static const char fz_zones_yaml[] =
	"apiVersion: bindy.firestoned.io/v1beta1\n"
	"kind: DNSZone\n"
	"metadata: {name: example-com, namespace: dns}\n"
	"spec:\n"
	"  zoneName: example.com\n"
	"  ttl: 3600\n"
	"  soaRecord: {primaryNs: ns1.example.com., adminEmail: "
	"hostmaster.example.com., serial: 1, refresh: 3600, retry: 600,\n"
	"    expire: 604800, negativeTtl: 300}\n"
	"  nameServers:\n"
	"    - {hostname: ns1.example.com., ipv4Address: \"127.0.0.1\",\n"
	"       ipv6Address: \"::1\"}\n"
	"    - {hostname: ns2.example.net., ipv4Address: \"127.0.0.2\"}\n"
	"  recordsFrom:\n"
	"    - selector: {matchLabels: {zone: example.com}}\n"
	"---\n"
	"apiVersion: bindy.firestoned.io/v1beta1\n"
	"kind: DNSZone\n"
	"metadata: {name: example-net, namespace: dns}\n"
	"spec:\n"
	"  zoneName: example.net\n"
	"  ttl: 300\n"
	"  soaRecord: {primaryNs: ns2.example.net., adminEmail: "
	"hostmaster.example.net., serial: 7, refresh: 3600, retry: 600,\n"
	"    expire: 604800, negativeTtl: 60}\n"
	"  nameServers: [{hostname: ns2.example.net., "
	"ipv4Address: \"127.0.0.2\"}]\n"
	"---\n"
	"apiVersion: bindy.firestoned.io/v1beta1\n"
	"kind: DNSZone\n"
	"metadata: {name: child, namespace: dns}\n"
	"spec:\n"
	"  zoneName: child.example.com\n"
	"  ttl: 300\n"
	"  soaRecord: {primaryNs: ns1.example.com., adminEmail: "
	"hostmaster.example.com., serial: 3, refresh: 3600, retry: 600,\n"
	"    expire: 604800, negativeTtl: 60}\n"
	"  nameServers: [{hostname: ns1.example.com.}]\n"
	"---\n"
	"apiVersion: bindy.firestoned.io/v1beta1\n"
	"kind: DNSZone\n"
	"metadata: {name: rev, namespace: dns}\n"
	"spec:\n"
	"  zoneName: 0.0.127.in-addr.arpa\n"
	"  ttl: 300\n"
	"  soaRecord: {primaryNs: ns1.example.com., adminEmail: "
	"hostmaster.example.com., serial: 1, refresh: 3600, retry: 600,\n"
	"    expire: 604800, negativeTtl: 60}\n"
	"  nameServers: [{hostname: ns1.example.com.}]\n";

/* Records: v1beta1 by label into example.com, v1alpha1 by zone/zoneRef. */
#define FZ_REC(kind, name, body) \
	"---\napiVersion: bindy.firestoned.io/v1beta1\nkind: " kind "\n" \
	"metadata: {name: " name ", namespace: dns, " \
	"labels: {zone: example.com}}\nspec: " body "\n"
#define FZ_OLD(kind, name, body) \
	"---\napiVersion: bindy.firestoned.io/v1alpha1\nkind: " kind "\n" \
	"metadata: {name: " name ", namespace: dns}\nspec: " body "\n"

static const char fz_records_yaml[] =
	FZ_REC("ARecord", "www", "{name: www, ipv4Addresses: [127.0.0.3, "
	       "127.0.0.4]}")
	FZ_REC("AAAARecord", "www6", "{name: www, ipv6Addresses: ['::3']}")
	FZ_REC("TXTRecord", "spf", "{name: '@', text: ['v=spf1 -all']}")
	FZ_REC("MXRecord", "mx1", "{name: '@', priority: 10, "
	       "mailServer: mail1.example.com.}")
	FZ_REC("MXRecord", "mx2", "{name: '@', priority: 10, "
	       "mailServer: mail2.example.com.}")
	FZ_REC("MXRecord", "mx3", "{name: '@', priority: 20, "
	       "mailServer: mx.example.net.}")
	FZ_REC("ARecord", "mail1", "{name: mail1, ipv4Addresses: [127.0.0.11]}")
	FZ_REC("AAAARecord", "mail2", "{name: mail2, ipv6Addresses: ['::12']}")
	FZ_REC("CNAMERecord", "alias", "{name: alias, target: www.example.com.}")
	FZ_REC("CNAMERecord", "a2", "{name: a2, target: alias.example.com.}")
	FZ_REC("CNAMERecord", "out", "{name: out, target: www.example.net.}")
	FZ_REC("CNAMERecord", "loop1", "{name: loop1, "
	       "target: loop2.example.com.}")
	FZ_REC("CNAMERecord", "loop2", "{name: loop2, "
	       "target: loop1.example.com.}")
	FZ_REC("ARecord", "wild", "{name: '*.dev', ipv4Addresses: [127.0.0.9]}")
	FZ_REC("CNAMERecord", "wildc", "{name: '*.w', target: www.example.com.}")
	FZ_REC("TXTRecord", "wildt", "{name: '*', text: [wild, card]}")
	FZ_REC("NSRecord", "sub1", "{name: sub, nameserver: ns.sub.example.com.}")
	FZ_REC("NSRecord", "sub2", "{name: sub, nameserver: ns2.example.net.}")
	FZ_REC("ARecord", "subglue", "{name: ns.sub, ipv4Addresses: "
	       "[127.0.0.5]}")
	FZ_REC("NSRecord", "childns", "{name: child, "
	       "nameserver: ns1.example.com.}")
	FZ_REC("SRVRecord", "srv", "{name: _sip._tcp, priority: 10, weight: 5, "
	       "port: 5060, target: www.example.com.}")
	FZ_REC("CAARecord", "caa", "{name: '@', flags: 0, tag: issue, "
	       "value: ca.example.net}")
	FZ_OLD("ARecord", "netwww", "{zone: example.net, name: www, "
	       "ipv4Address: 127.0.0.20}")
	FZ_OLD("ARecord", "netmx", "{zone: example.net, name: mx, "
	       "ipv4Address: 127.0.0.21}")
	FZ_OLD("ARecord", "childwww", "{zoneRef: child, name: www, "
	       "ipv4Address: 127.0.0.22}")
	FZ_OLD("PTRRecord", "ptr", "{zone: 0.0.127.in-addr.arpa, name: '3', "
	       "target: www.example.com.}");

/*
 * Load the fixture's two files into files[0..1]; with extra, a third from
 * those bytes. Returns how many were loaded (fewer: out of memory).
 */
static inline size_t fz_load(struct dz_mfile **files, const char *extra,
			     size_t len)
{
	size_t n = 0;

	files[n] = dz_mfile_load_buffer(fz_zones_yaml,
					sizeof(fz_zones_yaml) - 1, "zones.yaml");
	n += files[n] != NULL;
	files[n] = dz_mfile_load_buffer(fz_records_yaml,
					sizeof(fz_records_yaml) - 1,
					"records.yaml");
	n += files[n] != NULL;
	if (extra != NULL) {
		files[n] = dz_mfile_load_buffer(extra, len, "fuzz.yaml");
		n += files[n] != NULL;
	}
	return n;
}
