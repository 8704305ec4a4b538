#!/bin/bash
# SPDX-License-Identifier: MIT
# p_types.sh -- special query types: zone transfers, OPT as a QTYPE, ANY
# (RFC 8482: one RRset, not the whole node).
. "$(dirname "$0")/p_lib.sh"
p_start "$@"

H=$(hdr 0x1234 0 1 0 0 0)

hostile "AXFR over UDP is FORMERR" '^rcode=FORMERR id=4660 flags=qr(,aa)? ' \
	"$H$(quest example.com 252)"
hostile "AXFR over TCP is REFUSED" '^rcode=REFUSED id=4660 flags=qr(,aa)? ' \
	-t "$H$(quest example.com 252)"
hostile "IXFR over UDP is FORMERR" '^rcode=FORMERR id=4660 flags=qr(,aa)? ' \
	"$H$(quest example.com 251)"
hostile "IXFR over TCP is REFUSED" '^rcode=REFUSED id=4660 flags=qr(,aa)? ' \
	-t "$H$(quest example.com 251)"
hostile "QTYPE OPT is FORMERR" '^rcode=FORMERR id=4660 flags=qr(,aa)? ' \
	"$H$(quest www.example.com 41)"
hostile "QTYPE OPT over TCP is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr(,aa)? ' -t "$H$(quest example.com 41)"
hostile "QTYPE 0: no crash" '^(rcode=[A-Z]+ id=4660 .*|noresponse)$' \
	"$H$(quest www.example.com 0)"
hostile "unknown QTYPE 65280 is NODATA" \
	'^rcode=NOERROR id=4660 flags=qr,aa qd=1 an=0 ns=1 ' \
	"$H$(quest www.example.com 65280)"

# ANY at a node with A, AAAA and MX: one RRset (RFC 8482 4.1).
p_check "ANY at multi: some answer, no truncation" \
	'^rcode=NOERROR id=[0-9]+ flags=qr,aa qd=1 an=[1-9][0-9]* ' \
	-q multi.example.com ANY
out=$(q +noall +answer ANY multi.example.com) ||
	fail "dig ANY multi.example.com failed: $out"
types=$(printf '%s\n' "$out" | awk 'NF >= 4 { print $4 }' | sort -u)
echo "ANY multi.example.com answer:"
printf '  %s\n' "$out"
[ -n "$types" ] || fail "ANY multi.example.com: empty answer"
[ "$(printf '%s\n' "$types" | wc -l)" -eq 1 ] ||
	fail "ANY multi.example.com gave more than one RRset:"$'\n'"$out"
case $types in
A | AAAA | MX | HINFO) ;;
*) fail "ANY multi.example.com: unexpected type '$types'" ;;
esac
out=$(q +tcp +noall +answer ANY multi.example.com)
[ "$(printf '%s\n' "$out" | awk 'NF >= 4 { print $4 }' | sort -u |
	wc -l)" -eq 1 ] ||
	fail "ANY over TCP gave more than one RRset:"$'\n'"$out"
p_check "ANY at a missing name is NXDOMAIN" \
	'^rcode=NXDOMAIN id=[0-9]+ flags=qr,aa qd=1 an=0 ns=1 ' \
	-q nope.example.com ANY
p_alive "ANY"

# And the plain types through dig.
out=$(q +short A www.example.com)
expect_eq "$out" 127.0.0.1 "dig A www.example.com"
out=$(q +short AAAA multi.example.com)
expect_eq "$out" ::1 "dig AAAA multi.example.com"
out=$(q +short MX multi.example.com)
expect_eq "$out" "10 www.example.com." "dig MX multi.example.com"
out=$(q AXFR example.com)
expect_no_match "$out" '^www\.example\.com\.[[:space:]].*[[:space:]]A[[:space:]]' \
	"dig AXFR example.com transferred the zone"

p_finish
