#!/bin/bash
# SPDX-License-Identifier: MIT
# d_notify.sh -- systemd notification: READY=1 only once queries are
# answered, RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 at SIGTERM.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/d_lib.sh"
need dig

m="$tmp/manifests"
mkdir -p "$m" "$tmp/state"
zone_manifest "$m/zone.yaml" notify.test
notify_start notify.test

d_start --foreground --allow-root --manifests "$m" --threads 2 \
	--state-dir "$tmp/state"
ready1() { grep -q '^READY=1' "$tmp/notify.log"; }
wait_for -t 15 ready1 || fail "no READY=1 within 15 s"
# The listener asked the moment READY=1 came: the answer was there.
expect_match "$(cat "$tmp/notify.log")" '^READY=1 .*answer=0$' \
	"READY=1 came before queries were answered"
expect_match "$(cat "$tmp/notify.log")" 'STATUS=serving 1 zone' \
	"no STATUS with READY=1"

# SIGHUP: RELOADING=1 (with MONOTONIC_USEC), then READY=1 once the
# rescan is applied: the record added before it is served by then.
cat >"$m/www.yaml" <<'YAML'
apiVersion: bindy.firestoned.io/v1beta1
kind: ARecord
metadata:
  name: www
  namespace: test
  labels:
    bindy.firestoned.io/zone: notify.test
spec:
  name: www
  ipv4Address: "192.0.2.7"
YAML
kill -HUP "$SERVER_PID"
ready2() { [ "$(grep -c '^READY=1' "$tmp/notify.log")" -ge 2 ]; }
wait_for -t 15 ready2 || fail "no second READY=1 after SIGHUP"
log=$(grep -v '^listening' "$tmp/notify.log")
expect_match "$(sed -n 2p <<<"$log")" '^RELOADING=1 MONOTONIC_USEC=[0-9]+$' \
	"SIGHUP did not send RELOADING=1 first"
expect_match "$(sed -n 3p <<<"$log")" '^READY=1 .*answer=0$' \
	"no READY=1 after RELOADING=1"
expect_eq "$(q +short A www.notify.test)" "192.0.2.7" \
	"the rescan was not applied"

kill -TERM "$SERVER_PID"
d_wait_exit
expect_eq "$D_RC" 0 "exit status after SIGTERM"
expect_match "$(tail -n 1 "$tmp/notify.log")" '^STOPPING=1$' \
	"no STOPPING=1 at SIGTERM"
