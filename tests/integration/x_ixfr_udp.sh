#!/bin/bash
# SPDX-License-Identifier: MIT
# x_ixfr_udp.sh -- IXFR over UDP (RFC 1995 section 2): a client in
# --allow-transfer gets NOERROR, AA, the question and our SOA alone,
# whatever serial it has (older: go on over TCP; the same or newer: up
# to date); a zone we do not serve NOTAUTH; a client outside the list
# REFUSED; with --tsig-key the request must be signed, and the answer is.
# An IXFR without an SOA in its authority section stays FORMERR, and
# AXFR over UDP too (p_types.sh: dig sends neither).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" u.test
a_record "$m/www.yaml" www 192.0.2.1 u.test
key=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=
printf 'key "k" { algorithm hmac-sha256; secret "%s"; };\n' "$key" \
	>"$tmp/k.key"

# ixfr SERIAL ZONE [DIG ARGS]: the whole dig output of an IXFR over UDP
# (+all after ixfr=, which turns on the terse transfer output)
ixfr() { q +notcp +norec "ixfr=$1" "$2" +all "${@:3}" 2>&1; }
# answer_of OUT: the answer section, tabs as spaces
answer_of()
{
	printf '%s\n' "$1" |
		awk '/^;; ANSWER SECTION:/ { f = 1; next } /^$/ { f = 0 }
		     f' | tr -s '\t ' ' '
}

start_server "$m" --allow-transfer 127.0.0.1
wait_up u.test
s=$(serial u.test)
[ -n "$s" ] || fail "no serial for u.test"
soa="u.test. 3600 IN SOA ns1.u.test. hostmaster.u.test. $s 3600 600 604800 300"

# Older (also one that is smaller only in serial arithmetic, RFC 1982),
# the same, newer: our SOA alone each time.
wrap=$(((s + 2147483649) % 4294967296))
for from in $((s - 1)) "$wrap" "$s" $((s + 1)); do
	out=$(ixfr "$from" u.test)
	expect_match "$out" ';; SERVER: 127\.0\.0\.1#[0-9]+\(.*\) \(UDP\)' \
		"IXFR from $from did not go over UDP"
	expect_eq "$(dig_status "$out")" NOERROR "IXFR from $from: status"
	expect_eq "$(dig_flags "$out")" " qr aa" "IXFR from $from: flags"
	expect_match "$out" 'QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1' \
		"IXFR from $from: counts (question, SOA, OPT)"
	expect_match "$out" '^;u\.test\.[[:space:]]+IN[[:space:]]+IXFR$' \
		"IXFR from $from: question"
	expect_eq "$(answer_of "$out")" "$soa" "IXFR from $from: answer"
done

out=$(ixfr 1 u.test +noedns)
expect_match "$out" 'QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0' \
	"IXFR without EDNS: counts"
expect_eq "$(answer_of "$out")" "$soa" "IXFR without EDNS: answer"

out=$(ixfr 1 other.test)
expect_eq "$(dig_status "$out")" NOTAUTH "a zone not served"
expect_match "$out" 'QUERY: 1, ANSWER: 0, AUTHORITY: 0' \
	"a zone not served: counts"

stop_server

# A client outside --allow-transfer: REFUSED, as over TCP, no SOA.
start_server "$m" --allow-transfer 127.0.0.2
wait_up u.test
out=$(ixfr 1 u.test)
expect_eq "$(dig_status "$out")" REFUSED "a client not allowed"
expect_eq "$(dig_flags "$out")" " qr" "a client not allowed: flags"
expect_match "$out" 'QUERY: 1, ANSWER: 0, AUTHORITY: 0' \
	"a client not allowed: counts"
out=$(q +tcp "ixfr=1" u.test 2>&1)
expect_match "$out" 'Transfer failed' "the same client over TCP"
stop_server

# With --tsig-key: signed, the answer signed too; unsigned, REFUSED.
start_server "$m" --allow-transfer 127.0.0.1 --tsig-key "$tmp/k.key"
wait_up u.test
out=$(ixfr 1 u.test -y "hmac-sha256:k:$key")
expect_no_match "$out" "Couldn't verify|failed|tsig verify failure" \
	"the signed answer does not verify"
expect_eq "$(dig_status "$out")" NOERROR "signed IXFR: status"
expect_eq "$(answer_of "$out")" "$soa" "signed IXFR: answer"
expect_match "$out" 'TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 32 .* NOERROR' \
	"signed IXFR: no TSIG on the answer"
out=$(ixfr 1 u.test -y "hmac-sha256:k:$(printf '%s' "$key" | tr c d)")
expect_match "$out" "BADSIG" "a wrong secret is not BADSIG"
expect_eq "$(answer_of "$out")" "" "an SOA for a wrong secret"
out=$(ixfr 1 u.test)
expect_eq "$(dig_status "$out")" REFUSED "unsigned IXFR with --tsig-key"
expect_eq "$(answer_of "$out")" "" "an SOA for an unsigned IXFR"
stop_server
echo PASS
