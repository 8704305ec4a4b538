#!/bin/bash
# SPDX-License-Identifier: MIT
# t_apex.sh -- SOA and NS at the apex, from the DNSZone, with NS glue.
. "$(dirname "$0")/common.sh"
need dig

start_server "$top_srcdir/conf/examples"
wait_up example.com

out=$(q SOA example.com)
expect_eq "$(dig_status "$out")" NOERROR "SOA example.com: status"
expect_match "$(dig_flags "$out")" ' aa( |$)' "SOA example.com: aa not set"
soa=$(q +noall +answer SOA example.com)
# The served serial may exceed the spec's 2026010101 (it is a floor).
expect_match "$soa" $'^example\\.com\\.[ \t]+3600[ \t]+IN[ \t]+SOA[ \t]+ns1\\.example\\.com\\. hostmaster\\.example\\.com\\. [0-9]+ 3600 600 604800 300$' \
	"SOA example.com: fields from soaRecord"
serial=$(printf '%s\n' "$soa" | awk '{print $7}')
[ "$serial" -ge 2026010101 ] || fail "SOA serial $serial < spec serial"
expect_eq "$(dig_count "$out" ANSWER)" 1 "SOA example.com: one SOA"

out=$(q NS example.com)
expect_match "$(dig_flags "$out")" ' aa( |$)' "NS example.com: aa not set"
expect_eq "$(q +short NS example.com | sort)" \
	$'ns1.example.com.\nns2.example.com.' "NS example.com: the nameServers"
add=$(q +noall +additional NS example.com |
	awk '$4 == "A" || $4 == "AAAA" {print $1, $4, $5}' | sort)
expect_eq "$add" "ns1.example.com. A 192.0.2.1
ns1.example.com. AAAA 2001:db8::1
ns2.example.com. A 192.0.2.2
ns2.example.com. AAAA 2001:db8::2" "NS example.com: glue in the additional section"

# The glue names are ordinary in-zone data too.
expect_eq "$(q +short A ns2.example.com)" "192.0.2.2" "A ns2.example.com"

stop_server
