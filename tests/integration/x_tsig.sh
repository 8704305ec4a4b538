#!/bin/bash
# SPDX-License-Identifier: MIT
# x_tsig.sh -- transfers signed with TSIG (RFC 8945, hmac-sha256, the key
# from a BIND-style --tsig-key file): the right key transfers, every
# message verified by dig; a wrong secret gets NOTAUTH/BADSIG, an unknown
# key name BADKEY, an unsigned request REFUSED.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

secret=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=
m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" t.test
for i in $(seq 1 300); do
	a_record "$m/a$i.yaml" "host$i" "192.0.2.$((i % 250 + 1))" t.test
done
cat >"$tmp/xfr.key" <<EOF
key "xfr-key" {
	algorithm hmac-sha256;
	secret "$secret";
};
EOF
start_server "$m" --allow-transfer 127.0.0.1 --tsig-key "$tmp/xfr.key"
wait_up t.test
wait_for -t 10 eval '[ -n "$(q +short host300.t.test A)" ]' ||
	fail "the records are not served"

out=$(q -y "hmac-sha256:xfr-key:$secret" AXFR t.test +nostats 2>&1)
expect_no_match "$out" "Couldn't verify|failed" "signed AXFR failed"
expect_eq "$(printf '%s\n' "$out" | grep -c 'IN	A	')" 301 \
	"A records in the signed AXFR"
expect_match "$out" "TSIG	hmac-sha256. [0-9]+ 300 32 .* NOERROR" \
	"no TSIG on the answers"

wrong=$(printf '%s' "$secret" | tr 'c' 'd')
out=$(q -y "hmac-sha256:xfr-key:$wrong" AXFR t.test 2>&1)
expect_match "$out" "BADSIG" "a wrong secret is not BADSIG"
expect_no_match "$out" "host1\.t\.test" "data sent for a wrong secret"

out=$(q -y "hmac-sha256:other-key:$secret" AXFR t.test 2>&1)
expect_match "$out" "BADKEY" "an unknown key is not BADKEY"

out=$(q AXFR t.test 2>&1)
expect_match "$out" "Transfer failed" "unsigned AXFR not refused"
grep -q "t.test.' to 127.0.0.1#[0-9]* refused: not signed" "$SERVER_LOG" ||
	fail "no log line for the unsigned transfer"
grep -q "refused: TSIG BADSIG" "$SERVER_LOG" ||
	fail "no log line for the bad signature"
stop_server
