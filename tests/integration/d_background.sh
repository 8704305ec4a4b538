#!/bin/bash
# SPDX-License-Identifier: MIT
# d_background.sh -- without --foreground: the command returns once the
# daemon serves; --pidfile names it and keeps a second one out; SIGTERM
# stops it and removes the pidfile.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/d_lib.sh"
need dig ps

m="$tmp/manifests"
mkdir -p "$m" "$tmp/state"
zone_manifest "$m/zone.yaml" bg.test
pf="$tmp/dropzoned.pid"
d_free_port
args=(--manifests "$m" --listen "127.0.0.1:$PORT" --threads 2
      --state-dir "$tmp/state" --allow-root --pidfile "$pf")

SERVER_LOG="$tmp/server.bg.log"
"$DROPZONED" "${args[@]}" >"$SERVER_LOG" 2>&1 || fail "start failed"
[ -s "$pf" ] || fail "no pidfile"
SERVER_PID=$(cat "$pf")
kill -0 "$SERVER_PID" || fail "pid $SERVER_PID in the pidfile is not running"
# It answers as soon as the starting command has returned.
expect_match "$(q SOA bg.test)" "status: NOERROR" "no answer after start"
expect_eq "$(ps -o sid= -p "$SERVER_PID" | tr -d ' ')" "$SERVER_PID" \
	"the daemon does not lead its own session"

# A second daemon with the same pidfile refuses to start.
rc=0
out=$("$DROPZONED" "${args[@]}" 2>&1) || rc=$?
expect_eq "$rc" 1 "second daemon's exit status"
expect_match "$out" "pidfile '$pf': held by a running dropzoned \\(pid $SERVER_PID\\)" \
	"second daemon does not name the first"

# Not our child: wait for it to go away (or to be a zombie that the
# container's init does not reap), not for its status.
gone() { ! grep -qs '^State:[[:space:]]*[^Z]' "/proc/$SERVER_PID/status"; }
kill -TERM "$SERVER_PID"
wait_for -t 15 gone || fail "daemon did not stop"
SERVER_PID=""
wait_for -t 5 test ! -e "$pf" || fail "pidfile left behind"
