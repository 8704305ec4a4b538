#!/bin/bash
# SPDX-License-Identifier: MIT
# r_status.sh -- dropzonectl status and wait against the running daemon:
# the table, one object as YAML and JSON, ReconcileFailed with
# file:line:col while the last good version is served, the way back,
# observedGeneration and lastTransitionTime, control.sock's mode.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" r.test
a_record "$m/www.yaml" www 192.0.2.1
start_server "$m"
wait_answer www.r.test A 192.0.2.1
ctl() { "$DROPZONECTL" --state-dir "$tmp/state" "$@"; }

sock="$tmp/state/control.sock"
[ -S "$sock" ] || fail "no control.sock in the state dir"
expect_eq "$(stat -c %a "$sock")" 600 "control.sock mode"

out=$(ctl status) || fail "status failed: $out"
expect_match "$out" '^KIND +NAMESPACE +NAME +ZONE +READY +REASON +AGE' \
	"table header"
expect_match "$out" 'ARecord +test +a-www-r-test +r\.test +True +ReconcileSucceeded +[0-9]+s' \
	"ARecord row"
expect_match "$out" 'DNSZone +test +zone-r-test +r\.test +True' "zone row"

y=$(ctl status ARecord/a-www-r-test -n test) || fail "status one: $y"
expect_match "$y" '^apiVersion: bindy.firestoned.io/v1beta1$' "apiVersion"
expect_match "$y" '^kind: ARecord$' "kind"
expect_match "$y" '^  name: a-www-r-test$' "name"
expect_match "$y" '^  ipv4Addresses:$' "spec"
expect_match "$y" '^    reason: ReconcileSucceeded$' "reason"
expect_match "$y" '^  observedGeneration: 1$' "generation"
expect_match "$y" '^  source: www.yaml:1$' "source"
expect_match "$y" '^  zone: r.test$' "zone"
t1=$(printf '%s\n' "$y" | sed -n 's/.*lastTransitionTime: "\(.*\)"/\1/p')
[ -n "$t1" ] || fail "no lastTransitionTime"
# Kind in any case, namespace found when unique.
ctl status arecord/a-www-r-test >/dev/null || fail "kind case / any ns"
ctl status ARecord/a-www-r-test -n other >/dev/null 2>&1 &&
	fail "found in the wrong namespace"
ctl status ARecord/nope >/dev/null 2>&1 && fail "found a missing object"

j=$(ctl status DNSZone/zone-r-test -o json) || fail "json: $j"
expect_match "$j" '"recordCount": [0-9]+' "zone record count"
expect_match "$j" '"serial": 1,' "zone serial"
if command -v python3 >/dev/null; then
	printf '%s\n' "$j" | python3 -m json.tool >/dev/null ||
		fail "not JSON: $j"
fi

# Broken: the old record stays, the object reports the error.
a_record /dev/stdout www 192.0.2.300 | put "$m/www.yaml"
_failed() { ctl status | grep -Eq 'a-www-r-test .* False +ReconcileFailed'; }
wait_for -t 10 _failed || fail "no ReconcileFailed: $(ctl status)"
y=$(ctl status ARecord/a-www-r-test)
expect_match "$y" 'message: "www.yaml:[0-9]+:[0-9]+: .*192\.0\.2\.300.*last good' \
	"failure message"
expect_eq "$(answer www.r.test)" 192.0.2.1 "last good record lost"

# Fixed: Ready again, a new generation.
a_record /dev/stdout www 192.0.2.3 | put "$m/www.yaml"
wait_answer www.r.test A 192.0.2.3
y=$(ctl status ARecord/a-www-r-test)
expect_match "$y" 'reason: ReconcileSucceeded' "back to success"
expect_match "$y" 'observedGeneration: 2' "generation after the fix"
t2=$(printf '%s\n' "$y" | sed -n 's/.*lastTransitionTime: "\(.*\)"/\1/p')
# A change that keeps it Ready: generation moves, transition time not.
a_record /dev/stdout www 192.0.2.4 | put "$m/www.yaml"
wait_answer www.r.test A 192.0.2.4
y=$(ctl status ARecord/a-www-r-test)
expect_match "$y" 'observedGeneration: 3' "generation after a change"
expect_match "$y" "lastTransitionTime: \"$t2\"" "transition time moved"

# wait: the current serial at once, a later one once it is served.
s=$(serial r.test)
ctl wait r.test --serial "$s" --timeout 5 >/dev/null || fail "wait current"
ctl wait r.test --serial $((s + 1)) --timeout 10 >"$tmp/wait.out" 2>&1 &
waiter=$!
a_record "$m/new.yaml" new 192.0.2.9
wait "$waiter" || fail "wait for serial $((s + 1)) failed: $(cat "$tmp/wait.out")"
expect_eq "$(serial r.test)" $((s + 1)) "serial after the change"
ctl wait r.test --serial $((s + 50)) --timeout 1 >/dev/null 2>&1 &&
	fail "wait returned for a serial never served"
ctl wait nope.test --serial 1 --timeout 1 >/dev/null 2>&1 &&
	fail "wait returned for a zone not served"
stop_server
[ -e "$sock" ] && fail "control.sock left behind"
ctl status >/dev/null 2>&1 && fail "status without a daemon succeeded"
exit 0
