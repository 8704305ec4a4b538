#!/bin/bash
# SPDX-License-Identifier: MIT
# t_ipv6.sh -- UDP and TCP answers over [::1].
. "$(dirname "$0")/common.sh"
need dig
[ "$HAVE_IPV6" = 1 ] || skip "no IPv6 loopback (::1) on this host"

start_server "$top_srcdir/conf/examples"
wait_up example.com

out=$(q6 MX example.com)
expect_eq "$(dig_status "$out")" NOERROR "MX over ::1: status"
expect_match "$(dig_flags "$out")" ' aa( |$)' "MX over ::1: aa not set"
expect_eq "$(q6 +short MX example.com)" \
	$'10 mail1.example.com.\n20 mail2.example.com.' "MX over ::1"
expect_eq "$(q6 +tcp +short MX example.com)" \
	$'10 mail1.example.com.\n20 mail2.example.com.' "MX over ::1, TCP"
expect_eq "$(q6 +short AAAA mail2.example.com)" "2001:db8::12" \
	"AAAA over ::1"
stop_server
