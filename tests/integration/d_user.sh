#!/bin/bash
# SPDX-License-Identifier: MIT
# d_user.sh -- started as root with --user nobody: the sockets are bound
# as root (port 53 would work), then every thread runs as nobody; the
# state dir is made 0750 for nobody, control.sock is 0600. Without a
# user and without the user "dropzone", root is kept with a warning.
. "$(dirname "$0")/common.sh"
need dig

[ "$(id -u)" -eq 0 ] || skip "not root: cannot test dropping privileges"
nobody_uid=$(id -u nobody 2>/dev/null) || skip "no user 'nobody'"

# nobody must reach the manifests and the state dir's parent.
chmod 755 "$tmp"
m="$tmp/manifests"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" user.test
st="$tmp/state-nobody"

start_server "$m" --user nobody --state-dir "$st"
wait_up user.test
for status in /proc/"$SERVER_PID"/task/*/status; do
	uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "$status")
	expect_eq "$uids" "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" \
		"$status: not running as nobody"
done
expect_match "$(cat "$SERVER_LOG")" "running as user 'nobody'" \
	"no log line for the switch"
expect_eq "$(stat -c '%U %a' "$st")" "nobody 750" "state dir owner/mode"
wait_for -t 10 test -S "$st/control.sock" || fail "no control.sock"
expect_eq "$(stat -c '%U %a' "$st/control.sock")" "nobody 600" \
	"control.sock owner/mode"
out=$("$DROPZONECTL" --state-dir "$st" status 2>&1) ||
	fail "dropzonectl status failed: $out"
stop_server

# An unknown user is refused before anything is bound.
out=$("$DROPZONED" --foreground --manifests "$m" --listen 127.0.0.1:1 \
	--user no-such-user-dz 2>&1) && fail "unknown user accepted"
expect_match "$out" "user 'no-such-user-dz' does not exist" \
	"no reason for the unknown user"

if ! getent passwd dropzone >/dev/null; then
	# No user configured, no "dropzone": root is kept, loudly...
	start_server "$m"
	wait_up user.test
	expect_match "$(cat "$SERVER_LOG")" "warning: RUNNING AS ROOT" \
		"no warning for running as root"
	stop_server
	# ... unless told so.
	start_server "$m" --allow-root
	wait_up user.test
	expect_no_match "$(cat "$SERVER_LOG")" "RUNNING AS ROOT" \
		"warning despite --allow-root"
	stop_server
	start_server "$m" --user root
	wait_up user.test
	expect_no_match "$(cat "$SERVER_LOG")" "RUNNING AS ROOT" \
		"warning despite --user root"
	stop_server
fi
