#!/bin/bash
# SPDX-License-Identifier: MIT
# r_overflow.sh -- the inotify queue overflows: a full rescan, nothing
# missed. Needs root to lower fs.inotify.max_queued_events for the
# moment dropzoned opens its inotify fd (the limit is per fd, taken at
# creation); the old value is put back at once.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

knob=/proc/sys/fs/inotify/max_queued_events
[ -w "$knob" ] || skip "cannot lower $knob (not root)"
old=$(cat "$knob")

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" r.test
echo 16 >"$knob" || skip "cannot lower $knob"
restore() { echo "$old" >"$knob"; }
trap '_dz_rc=$?; restore; _dz_cleanup; exit $_dz_rc' EXIT
start_server "$m" --reload-delay 50
restore
wait_up r.test

# Stop the main loop so that the events pile up in the kernel queue.
kill -STOP "$SERVER_PID"
for i in $(seq 1 200); do
	a_record "$m/h$i.yaml" "h$i" "192.0.2.$((i % 250 + 1))"
done
kill -CONT "$SERVER_PID"
wait_answer h200.r.test A 192.0.2.201
wait_answer h1.r.test A 192.0.2.2
wait_answer h100.r.test A 192.0.2.101
grep -q 'inotify queue overflow' "$SERVER_LOG" || fail "no overflow seen"
stop_server
