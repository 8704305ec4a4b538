#!/bin/bash
# SPDX-License-Identifier: MIT
# d_logfile.sh -- --log-file: timestamped lines in the file; SIGUSR1
# reopens it after a rotation (the old name moved away: a new file).
. "$(dirname "$0")/common.sh"
need dig

m="$tmp/manifests"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" log.test
lf="$tmp/dropzoned.log"

start_server "$m" --allow-root --log-file "$lf"
wait_up log.test
serving() { grep -q 'info: serving on 127.0.0.1' "$lf"; }
wait_for -t 10 serving || fail "no 'serving on' line in $lf"
expect_match "$(head -n 1 "$lf")" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z dropzoned\[[0-9]+\]: ' \
	"log line without timestamp and pid"

mv "$lf" "$lf.1"
kill -USR1 "$SERVER_PID"
reopened() { grep -q 'SIGUSR1: log file reopened' "$lf" 2>/dev/null; }
wait_for -t 10 reopened || fail "no new log file after SIGUSR1"
# The rotated file got nothing after the signal.
expect_no_match "$(cat "$lf.1")" 'reopened' "old file written after USR1"
kill -HUP "$SERVER_PID"
rescan() { grep -q 'SIGHUP: rescanning' "$lf"; }
wait_for -t 10 rescan || fail "the new log file is not used"
stop_server
expect_match "$(tail -n 1 "$lf")" 'info: stopped$' "no 'stopped' line"
