# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# d_lib.sh -- shared by the daemon tests (d_*.sh): source it after
# common.sh.
#
#   d_free_port                 set PORT to a free loopback port
#   d_start ARGS...             start "$DROPZONED ARGS" in the background
#                               on 127.0.0.1:$PORT (a free port; --listen
#                               is added), log in $SERVER_LOG, pid in
#                               SERVER_PID; returns at once
#   d_wait_exit                 wait (15 s) for SERVER_PID to end; sets
#                               D_RC to its exit status
#   notify_start ZONE           a fake systemd notify socket: starts a
#                               listener on $tmp/notify.sock (python3)
#                               that appends every message to
#                               $tmp/notify.log, one per line, "\n" in a
#                               message as " "; on READY=1 it first asks
#                               127.0.0.1:$(cat $tmp/port) for SOA ZONE
#                               and appends "answer=RCODE" or
#                               "answer=none" to that line.
#                               Exports NOTIFY_SOCKET.

d_free_port()
{
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		PORT=$((10000 + RANDOM % 22000))
		port_in_use "$PORT" || return 0
	done
	fail "no free port"
}

d_start()
{
	d_free_port
	echo "$PORT" >"$tmp/port"
	_dz_nstarts=$((_dz_nstarts + 1))
	SERVER_LOG="$tmp/server.$_dz_nstarts.log"
	"$DROPZONED" --listen "127.0.0.1:$PORT" "$@" >"$SERVER_LOG" 2>&1 &
	SERVER_PID=$!
}

d_wait_exit()
{
	wait_for -t 15 _dz_dead || fail "dropzoned $SERVER_PID did not exit"
	D_RC=0
	wait "$SERVER_PID" || D_RC=$?
	SERVER_PID=""
}

NOTIFY_PID=""

_d_notify_cleanup()
{
	if [ -n "$NOTIFY_PID" ]; then
		kill "$NOTIFY_PID" 2>/dev/null
		wait "$NOTIFY_PID" 2>/dev/null
	fi
	_dz_cleanup
}
trap '_dz_rc=$?; _d_notify_cleanup; exit $_dz_rc' EXIT

notify_start()
{
	need python3
	cat >"$tmp/notify.py" <<'PY'
import os, socket, struct, sys

sock_path, log_path, port_file, zone = sys.argv[1:5]

def ask():
    """SOA query for zone over UDP: the rcode, or 'none'."""
    try:
        port = int(open(port_file).read())
    except (OSError, ValueError):
        return "noport"
    q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
    for label in zone.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 6, 1)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(3)
    try:
        u.sendto(q, ("127.0.0.1", port))
        r = u.recv(4096)
    except OSError:
        return "none"
    return str(r[3] & 15) if r[:2] == q[:2] else "none"

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
os.chmod(sock_path, 0o777)
with open(log_path, "a", buffering=1) as log:
    log.write("listening\n")
    while True:
        m = s.recv(4096).decode(errors="replace").replace("\n", " ")
        if "READY=1" in m.split(" "):
            m += " answer=" + ask()
        log.write(m + "\n")
PY
	python3 "$tmp/notify.py" "$tmp/notify.sock" "$tmp/notify.log" \
		"$tmp/port" "$1" &
	NOTIFY_PID=$!
	wait_for -t 30 grep -q listening "$tmp/notify.log" 2>/dev/null ||
		fail "the notify listener did not start"
	export NOTIFY_SOCKET="$tmp/notify.sock"
}
