#!/bin/bash
# SPDX-License-Identifier: MIT
# t_examples.sh -- conf/examples served: the MX setups of the seed page.
. "$(dirname "$0")/common.sh"
need dig

start_server "$top_srcdir/conf/examples"
wait_up example.com

# Failover pair at the apex: priority order, authoritative, addresses of
# both mail servers (A and AAAA) in the additional section, no duplicates.
out=$(q MX example.com)
expect_eq "$(dig_status "$out")" NOERROR "MX example.com: status"
expect_match "$(dig_flags "$out")" ' aa( |$)' "MX example.com: aa not set"
ans=$(q +noall +answer MX example.com | awk '$4 == "MX" {print $5, $6}')
expect_eq "$ans" $'10 mail1.example.com.\n20 mail2.example.com.' \
	"MX example.com: not the failover pair in priority order"
add=$(q +noall +additional MX example.com |
	awk '$4 == "A" || $4 == "AAAA" {print $1, $4, $5}')
for want in "mail1.example.com. A 192.0.2.11" \
	    "mail1.example.com. AAAA 2001:db8::11" \
	    "mail2.example.com. A 192.0.2.12" \
	    "mail2.example.com. AAAA 2001:db8::12"; do
	expect_match "$add" "^${want//./\\.}\$" \
		"MX example.com: '$want' missing from the additional section"
done
expect_eq "$(printf '%s\n' "$add" | sort | uniq -d)" "" \
	"MX example.com: duplicates in the additional section"
expect_eq "$(printf '%s\n' "$add" | wc -l)" 4 \
	"MX example.com: unexpected additional records"

# Subdomain mail and the single server (a v1alpha1 zoneRef file).
expect_eq "$(q +short MX support.example.com)" \
	"10 mail-support.example.com." "MX support.example.com"
expect_eq "$(q +short MX single.example.com)" "10 mail.example.com." \
	"MX single.example.com"
expect_eq "$(q +short A mail.example.com)" "203.0.113.10" \
	"A mail.example.com (v1alpha1 ipv4Address)"

# Equal priorities on lb: both servers, and each gets first place.
firsts=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
	out=$(q +short MX lb.example.com)
	expect_eq "$(printf '%s\n' "$out" | sort)" \
		$'10 mail1.example.com.\n10 mail2.example.com.' \
		"MX lb.example.com: not the equal-priority pair"
	firsts="$firsts$(printf '%s\n' "$out" | head -n 1)"$'\n'
done
expect_match "$firsts" "mail1" "MX lb.example.com: mail1 never first"
expect_match "$firsts" "mail2" "MX lb.example.com: mail2 never first"

# Addresses.
expect_eq "$(q +short AAAA mail1.example.com)" "2001:db8::11" \
	"AAAA mail1.example.com"
expect_eq "$(q +short AAAA mail-support.example.com)" "2001:db8::13" \
	"AAAA mail-support.example.com"
expect_eq "$(q +short A www.example.com | sort)" \
	$'192.0.2.80\n192.0.2.81' "A www.example.com"
out=$(q +noall +answer A www.example.com)
expect_match "$out" $'^www\\.example\\.com\\.[ \t]+300[ \t]' \
	"A www.example.com: TTL 300 from spec.ttl"
out=$(q +noall +answer A mail1.example.com)
expect_match "$out" $'^mail1\\.example\\.com\\.[ \t]+3600[ \t]' \
	"A mail1.example.com: zone TTL 3600 inherited"

stop_server
