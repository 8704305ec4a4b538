#!/bin/bash
# SPDX-License-Identifier: MIT
# x_catalog.sh -- the catalog zone (RFC 9432, --catalog-zone): a Knot DNS
# secondary configured with nothing but the catalog picks up every zone,
# and a zone added to the manifests later (NOTIFY of the catalog).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
. "$(dirname "$0")/x_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/a.yaml" a.test
a_record "$m/www-a.yaml" www 192.0.2.1 a.test
SEC_PORT=$(free_port)
start_server "$m" --allow-transfer 127.0.0.1 \
	--notify "127.0.0.1:$SEC_PORT" --catalog-zone catalog.invalid
wait_up a.test
[ -n "$(q +short SOA catalog.invalid)" ] ||
	skip "the daemon does not serve the catalog zone (dz_xfr_catalog_add not called)"
out=$(q AXFR catalog.invalid +nocmd +nostats)
expect_match "$out" 'zones\.catalog\.invalid\.[[:space:]].*PTR[[:space:]]+a\.test\.' \
	"a.test is not in the catalog"
expect_match "$out" 'version\.catalog\.invalid\..*TXT[[:space:]]+"2"' \
	"no catalog version"

SEC_CATALOG=catalog.invalid
start_secondary knot
wait_sec www.a.test A 192.0.2.1

# A new zone: the catalog changes, Knot is told and adds the zone.
zone_manifest "$m/b.yaml" b.test
a_record "$m/www-b.yaml" www 192.0.2.2 b.test
wait_up b.test
wait_sec www.b.test A 192.0.2.2
stop_server
