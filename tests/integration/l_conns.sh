#!/bin/bash
# SPDX-License-Identifier: MIT
# l_conns.sh -- 5,000 idle TCP connections fill --tcp-max-conns: UDP
# answers keep flowing, a new TCP client is turned away while they last,
# and is served once the idle ones have timed out.
. "$(dirname "$0")/l_lib.sh"
no_valgrind "5,000 connections and a 12 s idle timeout measure load, not memory"

N=5000
# Client and server each hold N descriptors here.
l_need_fds $((2 * N + 256))
need ss
p_start --tcp-max-conns "$N" --tcp-max-per-source 0 --tcp-idle-timeout 12

"$DZSEND" -o "$N" -c 60000 127.0.0.1 "$PORT" >"$tmp/hold.out" 2>&1 &
holder=$!
wait_for -t 60 l_has_line "$tmp/hold.out" '^open ' ||
	fail "the $N connections were not opened within 60 s"
expect_eq "$(head -n 1 "$tmp/hold.out")" "open $N" \
	"not every idle connection connected"
# Connected is not accepted: wait until dropzoned holds them all.
wait_for -t 30 l_fds_at_least "$N" ||
	fail "dropzoned holds $(l_server_fds) descriptors, not $N connections"
echo "dropzoned holds $(l_server_fds) descriptors"

for i in 1 2 3 4 5 6 7 8 9 10; do
	out=$(q +short A www.example.com)
	expect_eq "$out" 127.0.0.1 "UDP query $i with $N idle TCP connections"
done
p_check "UDP with $N idle TCP connections (dzsend)" \
	'^rcode=NOERROR id=[0-9]+ flags=qr,aa qd=1 an=1 ' -q www.example.com A
# The pool is full: one more connection is closed at once (unless the
# idle ones have begun to time out meanwhile: the machine may be slow).
out=$(dz -t -w 3000 -q www.example.com A)
if l_has_line "$tmp/hold.out" '^closed '; then
	echo "note: the idle connections timed out before the extra client"
else
	expect_eq "$out" closed "a TCP client past --tcp-max-conns $N"
fi

wait "$holder"
out=$(cat "$tmp/hold.out")
echo "idle holder: ${out//$'\n'/ }"
expect_match "$out" "^closed $N of $N ms=" \
	"dropzoned did not close every idle connection"
wait_for -t 10 l_conns_at_most 0 || fail "$(l_conns) connections remain"
p_check "a new TCP client after the idle ones timed out" \
	'^rcode=NOERROR id=[0-9]+ flags=qr,aa qd=1 an=1 ' \
	-t -q www.example.com A
out=$(q +tcp +short A www.example.com)
expect_eq "$out" 127.0.0.1 "dig +tcp after the idle connections"
p_alive "$N idle connections"
p_finish
