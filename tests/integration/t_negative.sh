#!/bin/bash
# SPDX-License-Identifier: MIT
# t_negative.sh -- NXDOMAIN, NODATA, empty non-terminals, REFUSED, and the
# question echoed in its case (RFC 1034 4.3.2, RFC 2308).
. "$(dirname "$0")/common.sh"
need dig

m="$tmp/manifests"
mkdir -p "$m"
# example.com: negative TTL 300 < zone TTL 3600; example.net: 86400 > 60.
zone_manifest "$m/com.yaml" example.com 3600 300
zone_manifest "$m/net.yaml" example.net 60 86400
cat >"$m/records.yaml" <<'YAML'
apiVersion: bindy.firestoned.io/v1beta1
kind: ARecord
metadata:
  name: www
  namespace: test
  labels:
    bindy.firestoned.io/zone: example.com
spec:
  name: www
  ipv4Addresses: ["192.0.2.80"]
---
apiVersion: bindy.firestoned.io/v1beta1
kind: ARecord
metadata:
  name: deep
  namespace: test
  labels:
    bindy.firestoned.io/zone: example.com
spec:
  name: a.b
  ipv4Addresses: ["192.0.2.90"]
---
apiVersion: bindy.firestoned.io/v1beta1
kind: ARecord
metadata:
  name: www-net
  namespace: test
  labels:
    bindy.firestoned.io/zone: example.net
spec:
  name: www
  ipv4Addresses: ["192.0.2.81"]
YAML

start_server "$m"
wait_up example.com
wait_up example.net

# check_negative QNAME QTYPE STATUS ZONE TTL
check_negative()
{
	local what="$2 $1" out auth
	out=$(q "$2" "$1")
	expect_eq "$(dig_status "$out")" "$3" "$what: status"
	expect_match "$(dig_flags "$out")" ' aa( |$)' "$what: aa not set"
	expect_eq "$(dig_count "$out" ANSWER)" 0 "$what: answer not empty"
	auth=$(q +noall +authority "$2" "$1" | awk '{print $1, $2, $4}')
	expect_eq "$auth" "$4. $5 SOA" \
		"$what: authority must be the SOA of $4 with TTL $5"
}

check_negative nosuch.example.com A NXDOMAIN example.com 300
check_negative x.y.nosuch.example.com AAAA NXDOMAIN example.com 300
check_negative nosuch.example.net A NXDOMAIN example.net 60
# NODATA: the name exists with another type.
check_negative www.example.com MX NOERROR example.com 300
check_negative www.example.net TXT NOERROR example.net 60
# Empty non-terminal: b.example.com exists only as a parent of a.b.
check_negative b.example.com A NOERROR example.com 300
expect_eq "$(q +short A a.b.example.com)" "192.0.2.90" "A a.b.example.com"
# Below a.b there is nothing.
check_negative c.a.b.example.com A NXDOMAIN example.com 300

# Outside our zones: REFUSED, not authoritative, nothing in the sections.
out=$(q A www.example.org)
expect_eq "$(dig_status "$out")" REFUSED "A www.example.org: status"
expect_no_match "$(dig_flags "$out")" ' aa( |$)' \
	"A www.example.org: aa must be clear on REFUSED"
expect_eq "$(dig_count "$out" ANSWER)" 0 "A www.example.org: answer"
# A parent of our zone is not ours either.
out=$(q SOA com)
expect_eq "$(dig_status "$out")" REFUSED "SOA com: status"

# Case: the lookup ignores it, the question comes back as asked.
out=$(q +noall +question A WwW.ExAmPlE.CoM)
expect_match "$out" $'^;WwW\\.ExAmPlE\\.CoM\\.[ \t]+IN[ \t]+A$' \
	"question not echoed in its original case"
expect_eq "$(q +short A WwW.ExAmPlE.CoM)" "192.0.2.80" \
	"case-insensitive lookup of WwW.ExAmPlE.CoM"
out=$(q A NoSuCh.ExAmPlE.cOm)
expect_eq "$(dig_status "$out")" NXDOMAIN "A NoSuCh.ExAmPlE.cOm: status"
expect_match "$out" $'^;NoSuCh\\.ExAmPlE\\.cOm\\.[ \t]+IN[ \t]+A$' \
	"NXDOMAIN question not echoed in its original case"

stop_server
