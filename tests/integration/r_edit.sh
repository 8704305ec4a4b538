#!/bin/bash
# SPDX-License-Identifier: MIT
# r_edit.sh -- a change to a few records of a big zone edits the served
# zone in place (issue 3): the log says so with the exact RR counts, new
# names bring their empty non-terminals and removed ones take them away,
# the serial moves, and IXFR serves exactly the change.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" e.test
# 2,000 hosts in one file: the zone is worth editing rather than building.
for i in $(seq 1 2000); do
	printf -- '---\napiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\n'
	printf 'metadata:\n  name: h%s\n  namespace: test\n  labels:\n' "$i"
	printf '    bindy.firestoned.io/zone: e.test\n'
	printf 'spec:\n  name: h%s\n  ipv4Addresses: ["198.51.%s.%s"]\n' \
		"$i" $((i / 250)) $((i % 250))
done >"$m/hosts.yaml"
a_record "$m/www.yaml" www 192.0.2.1 e.test
start_server "$m" --allow-transfer 127.0.0.1
wait_answer www.e.test A 192.0.2.1
wait_answer h2000.e.test A 198.51.8.0

last_reload() { reload_lines | tail -n 1; }
nreloads() { reload_lines | wc -l; }

# One record changes: edited in place, one RR out, one in.
n=$(nreloads)
s1=$(serial e.test)
a_record /dev/stdout www 192.0.2.2 e.test | put "$m/www.yaml"
wait_answer www.e.test A 192.0.2.2
wait_for -t 10 eval '[ "$(nreloads)" -gt "$n" ]' || fail "no reload line"
expect_match "$(last_reload)" 'records \+1 -1 .*\(0 rebuilt, 1 edited in place\)' \
	"one-record change"
s2=$(serial e.test)
[ "$s2" -gt "$s1" ] || fail "serial did not move: $s1 -> $s2"

# IXFR from the old serial: exactly the change, between the two SOAs.
ixfr=$(q +tcp "ixfr=$s1" e.test +noall +answer | awk '{print $4, $5}')
expect_eq "$(echo "$ixfr" | tr '\n' ' ')" \
	"SOA ns1.e.test. SOA ns1.e.test. A 192.0.2.1 SOA ns1.e.test. A 192.0.2.2 SOA ns1.e.test. " \
	"IXFR after an edit"

# A name three labels down: its empty non-terminals appear (NODATA).
a_record "$m/deep.yaml" x.y.z 192.0.2.9 e.test
wait_answer x.y.z.e.test A 192.0.2.9
expect_eq "$(q +noall +comments y.z.e.test A | grep -o 'status: [A-Z]*')" \
	"status: NOERROR" "empty non-terminal made by an edit"
expect_match "$(last_reload)" '1 edited in place' "new name"

# Removed: the name and its empty non-terminals are gone (NXDOMAIN).
rm -f "$m/deep.yaml"
wait_for -t 10 eval '[ "$(q +noall +comments x.y.z.e.test A |
	grep -o "status: [A-Z]*")" = "status: NXDOMAIN" ]' ||
	fail "removed name still there"
expect_eq "$(q +noall +comments z.e.test A | grep -o 'status: [A-Z]*')" \
	"status: NXDOMAIN" "empty non-terminal left behind"
expect_match "$(last_reload)" 'records \+0 -1 .*1 edited in place' \
	"removed name"

# A CNAME needs the cross-record checks: the zone is built, and right.
n=$(nreloads)
cat >"$m/alias.yaml" <<EOF2
apiVersion: bindy.firestoned.io/v1beta1
kind: CNAMERecord
metadata:
  name: alias
  namespace: test
  labels:
    bindy.firestoned.io/zone: e.test
spec:
  name: alias
  target: www.e.test.
EOF2
wait_answer alias.e.test CNAME www.e.test.
wait_for -t 10 eval '[ "$(nreloads)" -gt "$n" ]' || fail "no reload line"
expect_match "$(last_reload)" '\(1 rebuilt, 0 edited in place\)' \
	"CNAME: rebuilt"
expect_eq "$(answer h1234.e.test)" 198.51.4.234 "host after the rebuild"

# And the next plain change is edited again, from the rebuilt zone.
a_record /dev/stdout www 192.0.2.3 e.test | put "$m/www.yaml"
wait_answer www.e.test A 192.0.2.3
expect_match "$(last_reload)" '1 edited in place' "edit after a rebuild"
expect_eq "$(answer alias.e.test CNAME)" www.e.test. "CNAME kept"
stop_server
