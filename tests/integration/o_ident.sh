#!/bin/bash
# SPDX-License-Identifier: MIT
# o_ident.sh -- NSID (RFC 5001) and CH TXT id.server, hostname.bind,
# version.bind, version.server (RFC 4892): answered as configured, off
# (REFUSED, no NSID) unless set; bad values refused at start; the query
# log at debug.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" o.test
a_record "$m/www.yaml" www 192.0.2.1 o.test

# chaos NAME: the TXT answer of class CH NAME, or the status when none.
chaos()
{
	local out
	out=$(q CH TXT "$1") || fail "no answer to CH TXT $1: $out"
	if [ "$(dig_status "$out")" = NOERROR ]; then
		q +short CH TXT "$1"
	else
		dig_status "$out"
	fi
}

start_server "$m" --nsid node-1 --identity "dz test 1" \
	--version-string "dropzone x" --query-log --log-level debug
wait_answer www.o.test A 192.0.2.1
out=$(q +nsid www.o.test A)
expect_match "$out" '; NSID: 6e 6f 64 65 2d 31 \("node-1"\)' "NSID"
out=$(q +nsid nope.invalid A)
expect_match "$out" 'status: REFUSED' "REFUSED outside our zones"
expect_match "$out" '; NSID: .*"node-1"' "NSID on REFUSED"
expect_no_match "$(q www.o.test A)" 'NSID' "NSID not asked for"
expect_eq "$(chaos id.server)" '"dz test 1"' "id.server"
expect_eq "$(chaos hostname.bind)" '"dz test 1"' "hostname.bind"
expect_eq "$(chaos version.bind)" '"dropzone x"' "version.bind"
expect_eq "$(chaos version.server)" '"dropzone x"' "version.server"
expect_eq "$(chaos authors.bind)" REFUSED "authors.bind"
out=$(q CH A id.server)
expect_eq "$(dig_status "$out")" REFUSED "CH A id.server"
out=$(q +tcp CH TXT id.server)
expect_match "$out" 'id\.server\.[[:space:]]+0[[:space:]]+CH[[:space:]]+TXT[[:space:]]+"dz test 1"' \
	"id.server over TCP"
expect_match "$(dig_flags "$out")" ' aa' "AA on the CH answer"

# The query log: one debug line per query.
_logged() { grep -q 'debug: query 127\.0\.0\.1#[0-9]* tcp id\.server\. CH TXT NOERROR [0-9]' "$SERVER_LOG"; }
wait_for -t 5 _logged || fail "no query log line for id.server over TCP"
grep -Eq 'debug: query 127\.0\.0\.1#[0-9]+ udp www\.o\.test\. IN A NOERROR [0-9]+$' \
	"$SERVER_LOG" || fail "no query log line for www.o.test"
grep -Eq 'debug: query 127\.0\.0\.1#[0-9]+ udp nope\.invalid\. IN A REFUSED [0-9]+$' \
	"$SERVER_LOG" || fail "no query log line for nope.invalid"
stop_server

# Hex NSID, and the rest off.
start_server "$m" --nsid hex:00ff41
wait_answer www.o.test A 192.0.2.1
expect_match "$(q +nsid www.o.test A)" '; NSID: 00 ff 41 ' "hex NSID"
expect_eq "$(chaos id.server)" REFUSED "id.server unset"
expect_eq "$(chaos hostname.bind)" REFUSED "hostname.bind unset"
expect_eq "$(chaos version.bind)" REFUSED "version.bind unset"
expect_no_match "$(cat "$SERVER_LOG")" 'debug: query' "query log while off"
stop_server

# Nothing configured: no NSID even when asked.
start_server "$m" --identity @hostname
wait_answer www.o.test A 192.0.2.1
expect_no_match "$(q +nsid www.o.test A)" 'NSID' "NSID while unset"
expect_eq "$(chaos id.server)" "\"$(hostname)\"" "id.server @hostname"
stop_server

# Bad values stop the start with the reason.
for bad in hex:0 hex:zz "hex:$(printf '%0258d' 0)"; do
	rc=0
	"$DROPZONED" --manifests "$m" --nsid "$bad" >"$tmp/bad.log" 2>&1 ||
		rc=$?
	expect_eq "$rc" 2 "exit status for --nsid $bad"
	expect_match "$(cat "$tmp/bad.log")" "--nsid '$bad': " \
		"message for --nsid $bad"
done
long=$(printf '%0256d' 0)
rc=0
"$DROPZONED" --manifests "$m" --identity "$long" >"$tmp/bad.log" 2>&1 ||
	rc=$?
expect_eq "$rc" 2 "exit status for a long --identity"
expect_match "$(cat "$tmp/bad.log")" 'longer than 255 octets' \
	"message for a long --identity"
exit 0
