# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# common.sh -- shared by every integration test: the real dropzoned on a
# free loopback port, queried with the real dig.
#
# Source it first thing from a bash test:
#     . "$(dirname "$0")/common.sh"
# Tests exit 0 (pass), 1 (fail) or 77 (skip), as automake expects.
#
# Variables (set on sourcing):
#   top_srcdir, top_builddir  from make check; else derived from $0
#   DROPZONED, DROPZONECTL    the programs under test
#   tmp                       a fresh directory, removed at exit
#   HAVE_IPV6                 1 when [::1] is usable, else 0
# Variables set by start_server:
#   PORT                      the port it listens on (UDP and TCP)
#   SERVER_PID                its pid ("" when not running)
#   SERVER_LOG                its stdout+stderr ($tmp/server.N.log)
#
# Functions (stable: other helpers' tests use them):
#   fail MSG...               print "FAIL: MSG" (+ server log), exit 1
#   skip MSG...               print "SKIP: MSG", exit 77
#   need PROG...              skip unless every PROG is in $PATH
#   start_server DIR [ARGS]   start dropzoned serving DIR on 127.0.0.1
#                             (and [::1]) at a random free port, with
#                             --threads 2 --state-dir $tmp/state; returns
#                             once it answers any query (10 s deadline)
#   wait_up ZONE              wait (10 s) until SOA ZONE has an answer
#   stop_server               SIGTERM, wait (10 s); fail unless exit 0
#   q ARGS...                 dig @127.0.0.1 -p $PORT +time=2 +tries=2 ARGS
#                             (+time=2 x DZ_TIME_FACTOR)
#   q6 ARGS...                the same over [::1]
#   wait_for [-t SECS] CMD... poll CMD until it succeeds; 1 on timeout
#   dig_status OUT            "NOERROR", "NXDOMAIN", ... of dig output
#   dig_flags OUT             " qr aa rd" of dig output (leading space)
#   dig_count OUT SECTION     ANSWER/AUTHORITY/ADDITIONAL count
#   expect_match OUT ERE MSG  fail with MSG unless OUT matches ERE (grep -E)
#   expect_no_match OUT ERE MSG
#   expect_eq GOT WANT MSG    fail unless GOT = WANT
#   port_in_use PORT          true when a TCP listener or a UDP socket
#                             is bound to PORT
#   zone_manifest FILE ZONE [TTL [NEGTTL]]
#                             write a v1beta1 DNSZone for ZONE to FILE
#                             (namespace test, ns1.ZONE with glue,
#                             recordsFrom label bindy.firestoned.io/zone)
#   no_valgrind WHY           skip (77) with WHY under DZ_VALGRIND=1
#
# Environment:
#   DZ_VALGRIND=1             every "$DROPZONED" runs under valgrind
#                             memcheck (log $tmp/vg/vg.PID.log); any error
#                             or definite leak fails stop_server, or the
#                             test at exit, with the log shown
#   DZ_TIME_FACTOR            multiplies every wait_for deadline and q's
#                             timeout (default 5 under DZ_VALGRIND, else
#                             1); exported

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
DROPZONED="$top_builddir/src/dropzoned"
# shellcheck disable=SC2034 # used by the tests
DROPZONECTL="$top_builddir/tools/dropzonectl"
PORT=""
SERVER_PID=""
SERVER_LOG=""
_dz_nstarts=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dz-test.XXXXXX") || exit 99

_dz_cleanup()
{
	if [ -n "$SERVER_PID" ]; then
		kill -KILL "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	# The runs stop_server did not check (killed, or started directly).
	if [ -d "$tmp/vg" ] && ! _dz_vg_check "$tmp"/vg/vg.*.log; then
		_dz_rc=1
	fi
	rm -rf "$tmp"
}
# shellcheck disable=SC2154
trap '_dz_rc=$?; _dz_cleanup; exit $_dz_rc' EXIT
trap 'exit 1' INT TERM HUP

: "${DZ_VALGRIND:=0}"
if [ "$DZ_VALGRIND" = 1 ]; then
	: "${DZ_TIME_FACTOR:=5}"
else
	: "${DZ_TIME_FACTOR:=1}"
fi
export DZ_TIME_FACTOR

HAVE_IPV6=0
if [ -r /proc/net/if_inet6 ] &&
   grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6; then
	HAVE_IPV6=1
fi

fail()
{
	echo "FAIL: $*" >&2
	if [ -n "$SERVER_LOG" ] && [ -s "$SERVER_LOG" ]; then
		echo "---- last lines of the server log ($SERVER_LOG):" >&2
		tail -n 30 "$SERVER_LOG" >&2
	fi
	exit 1
}

skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

need()
{
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || skip "'$p' is not installed"
	done
}

# Monotonic-enough time in microseconds (bash 5 EPOCHREALTIME).
_dz_now()
{
	local t=${EPOCHREALTIME/[.,]/}
	echo "$t"
}

wait_for()
{
	local secs=10 end
	if [ "${1:-}" = "-t" ]; then
		secs=$2
		shift 2
	fi
	end=$(($(_dz_now) + secs * DZ_TIME_FACTOR * 1000000))
	while ! "$@"; do
		if [ "$(_dz_now)" -ge "$end" ]; then
			return 1
		fi
		sleep 0.05
	done
	return 0
}

port_in_use()
{
	local hex
	hex=$(printf '%04X' "$1")
	# A TCP listener (state 0A) or any UDP socket on the port; TCP
	# connections in TIME_WAIT and the like do not block a bind.
	{
		awk '$4 == "0A" {print $2}' /proc/net/tcp /proc/net/tcp6
		awk 'NR > 1 {print $2}' /proc/net/udp /proc/net/udp6
	} 2>/dev/null | grep -q ":$hex\$"
}

# Under DZ_VALGRIND, $DROPZONED becomes a script that execs valgrind (same
# pid) on the real one; h_lib's setpriv wrapper runs it as nobody.
_dz_vg_wrap()
{
	local real=$DROPZONED supp="$top_srcdir/tests/integration/valgrind.supp"
	need valgrind
	mkdir -p "$tmp/vg"
	chmod 1777 "$tmp/vg"
	cat >"$tmp/dropzoned-vg" <<EOF
#!/bin/sh
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \\
	--track-fds=no --num-callers=30 --suppressions="$supp" \\
	--log-file="$tmp/vg/vg.%p.log" "$real" "\$@"
EOF
	chmod 755 "$tmp/dropzoned-vg"
	DROPZONED=$tmp/dropzoned-vg
}

# An error or a definite leak in a log (errors show before the summary,
# which a run killed with SIGKILL never gets); fatal signals count.
_dz_vg_bad='ERROR SUMMARY: [1-9]|definitely lost in loss|^==[0-9]+== '\
'(Invalid |Conditional jump|Use of uninit|Syscall param|Mismatched|'\
'Source and dest|Process terminating .* signal ([4678]|11) )'

# _dz_vg_check LOG...: a summary line for each log, the whole log when it
# has an error or a definite leak (then return 1); renamed *.checked.
_dz_vg_check()
{
	local log rc=0 sum
	for log in "$@"; do
		[ -f "$log" ] || continue
		sum=$(sed -n 's/^==[0-9]*== \(ERROR SUMMARY: [0-9]* errors\).*/\1/p' \
			"$log")
		echo "valgrind: ${log##*/}: ${sum:-no summary (killed)}" >&2
		if grep -Eq "$_dz_vg_bad" "$log"; then
			echo "---- valgrind found errors ($log):" >&2
			cat "$log" >&2
			rc=1
		fi
		mv "$log" "$log.checked"
	done
	return "$rc"
}

if [ "$DZ_VALGRIND" = 1 ]; then
	_dz_vg_wrap
fi

no_valgrind()
{
	[ "$DZ_VALGRIND" != 1 ] || skip "not run under valgrind: $*"
}

_dz_alive()
{
	[ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null
}

# Up: answers something (even REFUSED) on the port, or has died.
_dz_answers_or_died()
{
	_dz_alive || return 0
	dig +time=1 +tries=1 @127.0.0.1 -p "$PORT" SOA . >/dev/null 2>&1
}

start_server()
{
	local dir=$1 attempt
	shift
	[ -x "$DROPZONED" ] || fail "$DROPZONED was not built"
	need dig
	mkdir -p "$tmp/state"
	for attempt in 1 2 3 4 5 6 7 8; do
		# Below the kernel's ephemeral range (32768-60999): no outgoing
		# connection can be holding it.
		PORT=$((10000 + RANDOM % 22000))
		if port_in_use "$PORT"; then
			continue
		fi
		_dz_nstarts=$((_dz_nstarts + 1))
		SERVER_LOG="$tmp/server.$_dz_nstarts.log"
		local listen=(--listen "127.0.0.1:$PORT")
		if [ "$HAVE_IPV6" = 1 ]; then
			listen+=(--listen "[::1]:$PORT")
		fi
		"$DROPZONED" --foreground --manifests "$dir" "${listen[@]}" \
			--threads 2 --state-dir "$tmp/state" "$@" \
			>"$SERVER_LOG" 2>&1 &
		SERVER_PID=$!
		if ! wait_for -t 10 _dz_answers_or_died; then
			fail "dropzoned (pid $SERVER_PID) gives no answer on" \
			     "port $PORT within 10 s"
		fi
		if _dz_alive; then
			return 0
		fi
		local rc=0
		wait "$SERVER_PID" || rc=$?
		SERVER_PID=""
		# Lost a race for the port: try another one.
		if grep -qi 'in use\|bind' "$SERVER_LOG"; then
			echo "port $PORT busy (attempt $attempt), retrying" >&2
			continue
		fi
		fail "dropzoned exited with status $rc at start-up"
	done
	fail "no free port found for dropzoned after 8 attempts"
}

_dz_has_soa()
{
	[ -n "$(q +short SOA "$1" 2>/dev/null)" ]
}

wait_up()
{
	wait_for -t 10 _dz_has_soa "$1" ||
		fail "zone '$1' not served on port $PORT within 10 s"
}

_dz_dead()
{
	! kill -0 "$SERVER_PID" 2>/dev/null
}

stop_server()
{
	local rc=0 pid=$SERVER_PID
	[ -n "$pid" ] || fail "stop_server: no server running"
	kill -TERM "$pid" 2>/dev/null || fail "server $pid already gone"
	if ! wait_for -t 10 _dz_dead; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		SERVER_PID=""
		fail "dropzoned did not exit within 10 s of SIGTERM"
	fi
	wait "$pid" || rc=$?
	SERVER_PID=""
	_dz_vg_check "$tmp/vg/vg.$pid.log" ||
		fail "valgrind: errors or definite leaks in dropzoned $pid"
	[ "$rc" -eq 0 ] || fail "dropzoned exited with status $rc on SIGTERM"
}

# Two tries: on a loaded shared machine a worker can miss dig's 2 s once;
# a wrong answer still fails at once. Under valgrind, one thread runs at a
# time: a long reload can hold the answers back for seconds.
q()
{
	dig @127.0.0.1 -p "$PORT" +time=$((2 * DZ_TIME_FACTOR)) +tries=2 "$@"
}

q6()
{
	dig @::1 -p "$PORT" +time=$((2 * DZ_TIME_FACTOR)) +tries=2 "$@"
}

dig_status()
{
	printf '%s\n' "$1" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p' | head -n 1
}

dig_flags()
{
	printf '%s\n' "$1" | sed -n 's/^;; flags:\([^;]*\);.*/\1/p' | head -n 1
}

dig_count()
{
	printf '%s\n' "$1" |
		sed -n "s/^;; flags:.* $2: \([0-9]*\).*/\1/p" | head -n 1
}

expect_match()
{
	printf '%s\n' "$1" | grep -Eq -- "$2" ||
		fail "$3"$'\n'"---- expected /$2/ in:"$'\n'"$1"
}

expect_no_match()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3"$'\n'"---- did not expect /$2/ in:"$'\n'"$1"
	fi
}

expect_eq()
{
	[ "$1" = "$2" ] ||
		fail "$3"$'\n'"---- got:"$'\n'"$1"$'\n'"---- want:"$'\n'"$2"
}

zone_manifest()
{
	local file=$1 zone=$2 ttl=${3:-3600} neg=${4:-300}
	cat >"$file" <<EOF
apiVersion: bindy.firestoned.io/v1beta1
kind: DNSZone
metadata:
  name: zone-${zone//./-}
  namespace: test
spec:
  zoneName: $zone
  ttl: $ttl
  soaRecord:
    primaryNs: ns1.$zone.
    adminEmail: hostmaster.$zone.
    serial: 1
    refresh: 3600
    retry: 600
    expire: 604800
    negativeTtl: $neg
  nameServers:
    - hostname: ns1.$zone.
      ipv4Address: "192.0.2.53"
  recordsFrom:
    - selector:
        matchLabels:
          bindy.firestoned.io/zone: $zone
EOF
}
