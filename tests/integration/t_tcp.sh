#!/bin/bash
# SPDX-License-Identifier: MIT
# t_tcp.sh -- the same answers over TCP, several queries on one connection.
. "$(dirname "$0")/common.sh"
need dig

start_server "$top_srcdir/conf/examples"
wait_up example.com

for query in "MX example.com" "SOA example.com" "NS example.com" \
	     "AAAA mail1.example.com" "A www.example.com"; do
	# shellcheck disable=SC2086 # split "TYPE NAME"
	udp=$(q +short $query | sort)
	# shellcheck disable=SC2086
	tcp=$(q +tcp +short $query | sort)
	[ -n "$tcp" ] || fail "$query over TCP: no answer"
	expect_eq "$tcp" "$udp" "$query: TCP and UDP answers differ"
done

out=$(q +tcp MX example.com)
expect_match "$(dig_flags "$out")" ' aa( |$)' "MX over TCP: aa not set"
expect_match "$out" 'status: NOERROR' "MX over TCP: status"
expect_eq "$(dig_count "$out" ADDITIONAL)" 5 \
	"MX over TCP: 4 addresses and OPT in the additional section"
out=$(q +tcp A nosuch.example.com)
expect_eq "$(dig_status "$out")" NXDOMAIN "NXDOMAIN over TCP"

# Three queries, one connection (+keepopen): every one answered.
out=$(q +tcp +keepopen +noall +answer \
	example.com SOA www.example.com A mail1.example.com AAAA)
expect_match "$out" $'^example\\.com\\..*[ \t]SOA[ \t]' "keepopen: SOA missing"
expect_match "$out" $'^www\\.example\\.com\\..*[ \t]A[ \t]+192\\.0\\.2\\.80$' \
	"keepopen: A www missing"
expect_match "$out" $'^mail1\\.example\\.com\\..*[ \t]AAAA[ \t]+2001:db8::11$' \
	"keepopen: AAAA mail1 missing"
expect_no_match "$(q +tcp +keepopen example.com SOA www.example.com A \
	mail1.example.com AAAA 2>&1)" 'connection timed out|communications error|no servers' \
	"keepopen: a query on the kept-open connection failed"

stop_server
