#!/bin/bash
# SPDX-License-Identifier: MIT
# d_drain.sh -- SIGTERM drains TCP: new connections are refused, a query
# already begun on an open connection is still answered, a connection
# that never finishes its query is cut at the deadline (5 s), exit 0.
. "$(dirname "$0")/common.sh"
need dig od timeout

m="$tmp/manifests"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" drain.test
# Long TCP timeouts: only the shutdown deadline may cut a connection.
start_server "$m" --allow-root --tcp-io-timeout 60000 --tcp-idle-timeout 60
wait_up drain.test
port=$PORT

# SOA drain.test, id 0x1234, RD: 28 octets after the 2-octet length.
head='\x00\x1c\x12\x34\x01\x00'
rest='\x00\x01\x00\x00\x00\x00\x00\x00\x05drain\x04test\x00\x00\x06\x00\x01'

exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect (3)"
exec 4<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect (4)"
# Both send the start of a query; 4 never sends the rest.
printf "$head" >&3
printf "$head" >&4

tcp_listening()
{
	awk -v p=":$(printf '%04X' "$port")" \
		'$4 == "0A" && substr($2, length($2) - 4) == p {f = 1}
		 END {exit !f}' /proc/net/tcp
}
tcp_listening || fail "no TCP listener on $port"
kill -TERM "$SERVER_PID"
gone() { ! tcp_listening; }
wait_for -t 10 gone || fail "still accepting TCP after SIGTERM"
kill -0 "$SERVER_PID" 2>/dev/null ||
	fail "exited without waiting for the open query"
if (exec 5<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	fail "a new TCP connection was accepted while draining"
fi

# The rest of the query: answered, then the server closes.
printf "$rest" >&3
resp=$(timeout 10 cat <&3 | od -An -v -tx1 | tr -s ' \n' ' ')
exec 3>&-
# length, id 12 34, QR+AA, NOERROR, 1 question, 1 answer
expect_match "$resp" '^ ?[0-9a-f]{2} [0-9a-f]{2} 12 34 8[45] [08]0 00 01 00 01 ' \
	"no answer to the query begun before SIGTERM"

d_wait_exit() { wait_for -t 15 _dz_dead; }
d_wait_exit || fail "not stopped 15 s after SIGTERM (deadline 5 s)"
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=""
exec 4>&-
expect_eq "$rc" 0 "exit status after draining"
expect_match "$(cat "$SERVER_LOG")" "1 tcp connection cut at the shutdown deadline" \
	"the unfinished connection was not cut at the deadline"
