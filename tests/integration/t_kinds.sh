#!/bin/bash
# SPDX-License-Identifier: MIT
# t_kinds.sh -- issue 7's kinds and semantics through dig: CNAME chains,
# referrals with glue, DS at a cut, RFC 4592 wildcards, SRV order and
# additional data, TXT strings, CAA, PTR, and rejected CNAMEs.
. "$(dirname "$0")/common.sh"
need dig

m="$tmp/manifests"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" example.com 3600 300
zone_manifest "$m/rev.yaml" 2.0.192.in-addr.arpa 3600 300

# rec FILE KIND NAME SPEC-LINES...: append one record of zone example.com
# (or of the reverse zone when KIND is PTRRecord).
n=0
rec()
{
	local file=$1 kind=$2 name=$3 zone=example.com
	shift 3
	[ "$kind" = PTRRecord ] && zone=2.0.192.in-addr.arpa
	n=$((n + 1))
	{
		printf -- '---\napiVersion: bindy.firestoned.io/v1beta1\n'
		printf 'kind: %s\nmetadata:\n  name: r%d\n  namespace: test\n' \
			"$kind" "$n"
		printf '  labels:\n    bindy.firestoned.io/zone: %s\n' "$zone"
		printf 'spec:\n  name: "%s"\n' "$name"
		printf '  %s\n' "$@"
	} >>"$file"
}

r="$m/records.yaml"
rec "$r" ARecord www 'ipv4Addresses: ["192.0.2.80"]'
rec "$r" CNAMERecord blog 'target: www.example.com.'
rec "$r" CNAMERecord chain1 'target: chain2.example.com.'
rec "$r" CNAMERecord chain2 'target: blog.example.com.'
rec "$r" CNAMERecord ext 'target: www.example.org.'
rec "$r" CNAMERecord loop1 'target: loop2.example.com.'
rec "$r" CNAMERecord loop2 'target: loop1.example.com.'
rec "$r" NSRecord sub 'nameserver: ns1.sub.example.com.'
rec "$r" NSRecord sub 'nameserver: ns.elsewhere.example.'
rec "$r" ARecord ns1.sub 'ipv4Addresses: ["192.0.2.53"]'
rec "$r" ARecord '*.dev' 'ipv4Addresses: ["192.0.2.99"]'
rec "$r" ARecord real.dev 'ipv4Addresses: ["192.0.2.98"]'
rec "$r" TXTRecord '@' 'text: ["v=spf1 -all"]'
rec "$r" TXTRecord multi 'text: ["first", "second string"]'
rec "$r" CAARecord '@' 'flags: 0' 'tag: issue' 'value: letsencrypt.org'
rec "$r" SRVRecord _sip._tcp 'priority: 20' 'weight: 0' 'port: 5060' \
	'target: srv3.example.com.'
rec "$r" SRVRecord _sip._tcp 'priority: 10' 'weight: 40' 'port: 5060' \
	'target: srv2.example.com.'
rec "$r" SRVRecord _sip._tcp 'priority: 10' 'weight: 60' 'port: 5060' \
	'target: srv1.example.com.'
rec "$r" ARecord srv1 'ipv4Addresses: ["192.0.2.61"]'
rec "$r" ARecord srv2 'ipv4Addresses: ["192.0.2.62"]'
rec "$r" PTRRecord 80 'target: www.example.com.'
# Rejected CNAMEs, in their own file: at the apex, and beside www's A.
b="$m/bad-cnames.yaml"
rec "$b" CNAMERecord '@' 'target: www.example.org.'
rec "$b" CNAMERecord www 'target: www.example.org.'

out=$("$top_builddir/tools/dropzonectl" check "$m" 2>&1)
expect_match "$out" "^bad-cnames\.yaml:[0-9]+:[0-9]+: error: .*apex" \
	"dropzonectl: no error for the CNAME at the apex"
expect_match "$out" "^bad-cnames\.yaml:[0-9]+:[0-9]+: error: .*beside other data" \
	"dropzonectl: no error for the CNAME beside www's A"
expect_no_match "$out" "^records\.yaml:.*: error:" \
	"dropzonectl: unexpected error in records.yaml"

start_server "$m"
wait_up example.com
wait_up 2.0.192.in-addr.arpa

# The rejected CNAMEs are not served; everything else is.
expect_eq "$(q +short A www.example.com)" 192.0.2.80 "www A after rejects"
expect_eq "$(q +short SOA example.com | awk '{print $1}')" ns1.example.com. \
	"apex SOA after the rejected apex CNAME"

# CNAME chain inside the zone: every link, then the address; aa set.
out=$(q A chain1.example.com)
expect_match "$(dig_flags "$out")" ' aa( |$)' "chain: aa not set"
expect_eq "$(q +noall +answer A chain1.example.com | awk '{print $1, $4, $5}')" \
"chain1.example.com. CNAME chain2.example.com.
chain2.example.com. CNAME blog.example.com.
blog.example.com. CNAME www.example.com.
www.example.com. A 192.0.2.80" "CNAME chain"
# Target outside the zone: the CNAME alone, NOERROR.
out=$(q A ext.example.com)
expect_eq "$(dig_status "$out")" NOERROR "ext: status"
expect_eq "$(q +noall +answer A ext.example.com | awk '{print $4, $5}')" \
	"CNAME www.example.org." "CNAME to another zone: the CNAME alone"
# A CNAME query is not followed.
expect_eq "$(q +short CNAME blog.example.com)" www.example.com. \
	"CNAME query"
# A loop ends: both links once, answered.
out=$(q A loop1.example.com)
expect_eq "$(dig_status "$out")" NOERROR "loop: status"
expect_eq "$(dig_count "$out" ANSWER)" 2 "loop: two CNAMEs"

# Referral: aa clear, NS in authority, in-bailiwick glue in additional.
out=$(q A host.sub.example.com)
expect_eq "$(dig_status "$out")" NOERROR "referral: status"
expect_no_match "$(dig_flags "$out")" ' aa( |$)' "referral: aa set"
expect_eq "$(dig_count "$out" ANSWER)" 0 "referral: answer not empty"
expect_eq "$(q +noall +authority A host.sub.example.com | awk '{print $1, $4, $5}' | sort)" \
"sub.example.com. NS ns.elsewhere.example.
sub.example.com. NS ns1.sub.example.com." "referral: authority"
expect_eq "$(q +noall +additional A host.sub.example.com | awk '{print $1, $4, $5}')" \
	"ns1.sub.example.com. A 192.0.2.53" "referral: glue"
# DS at the cut is the parent's: NODATA with aa and the SOA.
out=$(q DS sub.example.com)
expect_match "$(dig_flags "$out")" ' aa( |$)' "DS at cut: aa not set"
expect_eq "$(q +noall +authority DS sub.example.com | awk '{print $4}')" SOA \
	"DS at cut: SOA in authority"

# Wildcards: synthesis with the query name as owner; an existing name
# blocks it; a name below an existing non-wildcard node is NXDOMAIN.
expect_eq "$(q +noall +answer A foo.dev.example.com | awk '{print $1, $5}')" \
	"foo.dev.example.com. 192.0.2.99" "wildcard synthesis"
expect_eq "$(q +noall +answer A a.b.dev.example.com | awk '{print $1, $5}')" \
	"a.b.dev.example.com. 192.0.2.99" "wildcard over two labels"
expect_eq "$(q +short A real.dev.example.com)" 192.0.2.98 \
	"existing name beside the wildcard"
out=$(q AAAA real.dev.example.com)
expect_eq "$(dig_status "$out")" NOERROR "existing name, other type"
expect_eq "$(dig_count "$out" ANSWER)" 0 "existing name: not synthesized"
out=$(q AAAA foo.dev.example.com)
expect_eq "$(dig_status "$out")" NOERROR "wildcard NODATA: status"
expect_eq "$(dig_count "$out" ANSWER)" 0 "wildcard NODATA: answer"
out=$(q A x.real.dev.example.com)
expect_eq "$(dig_status "$out")" NXDOMAIN "below an existing name"

# SRV: priority ascending, then weight descending; targets' addresses.
expect_eq "$(q +short SRV _sip._tcp.example.com)" \
"10 60 5060 srv1.example.com.
10 40 5060 srv2.example.com.
20 0 5060 srv3.example.com." "SRV order"
expect_eq "$(q +noall +additional SRV _sip._tcp.example.com | awk '{print $1, $5}' | sort)" \
"srv1.example.com. 192.0.2.61
srv2.example.com. 192.0.2.62" "SRV additional"

# TXT: one RR with several strings; CAA; PTR in the reverse zone.
expect_eq "$(q +short TXT multi.example.com)" '"first" "second string"' \
	"TXT strings"
expect_eq "$(q +short TXT example.com)" '"v=spf1 -all"' "TXT at apex"
expect_eq "$(q +short CAA example.com)" '0 issue "letsencrypt.org"' "CAA"
expect_eq "$(q +short PTR 80.2.0.192.in-addr.arpa)" www.example.com. "PTR"

stop_server
