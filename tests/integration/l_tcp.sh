#!/bin/bash
# SPDX-License-Identifier: MIT
# l_tcp.sh -- TCP limits one by one: the per-query deadline against a
# client dripping one octet a second, queries per connection, message
# size, connections per source, and accept() out of descriptors.
. "$(dirname "$0")/l_lib.sh"
need ss

H=$(hdr 0x1234 0 1 0 0 0)
Q="$H$(quest www.example.com 1)"          # 33 octets
OK='^rcode=NOERROR id=[0-9]+ flags=qr,aa qd=1 an=1 '

# Defaults: --tcp-io-timeout 2000, --tcp-max-message 4096.
p_start

# 35 octets at one a second would take 35 s; the deadline is 2 s after
# the first octet, and every octet must not push it back.
dz -t -s 1000 -w 5000 -q www.example.com A >"$tmp/drip.out" 2>&1 &
drip=$!
p_check "a slow but steady client (10 ms an octet) is answered" "$OK" \
	-t -s 10 -q www.example.com A
p_alive "a client dripping one octet a second (meanwhile)"
wait "$drip"
out=$(cat "$tmp/drip.out")
echo "one octet a second: $out"
expect_eq "$out" closed "a client sending one octet a second was not cut off"

# A message of exactly --tcp-max-message octets is read (and is FORMERR:
# trailing octets); one more octet closes the connection unread.
pad=$((4096 - ${#Q} / 2))
hostile "a 4096-octet query is read: FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' -t "$Q$(rep "$pad" 00)"
hostile "a 4097-octet query closes the connection" '^closed$' \
	-t -w 3000 "$Q$(rep $((pad + 1)) 00)"
hostile "a length prefix of 65535 closes the connection" '^closed$' \
	-t -r -w 3000 "ffff$Q"
stop_server

p_start --tcp-max-queries 3 --tcp-max-message 65535 --tcp-max-per-source 10
out=$(dz -t -q www.example.com A -q www.example.com A -q www.example.com A \
	-q www.example.com A -q www.example.com A)
echo "five queries, --tcp-max-queries 3:"
printf '%s\n' "$out" | sed 's/^/  /'
expect_eq "$(printf '%s\n' "$out" | grep -Ec "$OK")" 3 \
	"not 3 answers on a connection limited to 3 queries"
expect_eq "$(printf '%s\n' "$out" | tail -n 2 | tr '\n' ' ')" \
	"closed closed " "the connection stayed open after 3 queries"
{
	printf ffff
	head -c 65535 /dev/zero | tr '\0' '\1' | od -An -tx1 -v | tr -d ' \n'
} >"$tmp/big.hex"
hostile "--tcp-max-message 65535: 64 KiB of 0x01 is FORMERR" \
	'^rcode=FORMERR id=257 flags=qr(,rd)? ' -t -r -w 5000 "@$tmp/big.hex"

# Ten idle connections from 127.0.0.1 use up its share.
"$DZSEND" -o 10 -c 20000 127.0.0.1 "$PORT" >"$tmp/ten.out" 2>&1 &
ten=$!
wait_for l_has_line "$tmp/ten.out" '^open 10$' ||
	fail "the ten connections did not open: $(cat "$tmp/ten.out")"
wait_for l_fds_at_least 10 || fail "dropzoned did not take the ten"
hostile "the 11th connection from 127.0.0.1 is closed" '^closed$' \
	-t -w 3000 -q www.example.com A
if "$DZSEND" -b 127.0.0.2 -w 500 127.0.0.1 "$PORT" >/dev/null 2>&1; then
	p_check "127.0.0.2 is not counted with 127.0.0.1" "$OK" \
		-t -b 127.0.0.2 -q www.example.com A
else
	echo "note: cannot bind 127.0.0.2: per-source check skipped"
fi
wait "$ten"
out=$(cat "$tmp/ten.out")
expect_match "$out" '^closed 10 of 10 ' "the ten idle connections stayed"
p_check "127.0.0.1 is served again once its connections closed" "$OK" \
	-t -q www.example.com A
stop_server

# Out of descriptors: accept() fails with EMFILE; dropzoned must pause
# that listener rather than spin, keep answering UDP, and resume.
if ! command -v prlimit >/dev/null 2>&1; then
	echo "note: prlimit is not installed: EMFILE check skipped"
	echo PASS
	exit 0
fi
p_start --tcp-max-per-source 0 --tcp-max-conns 1000
base=$(l_server_fds)
prlimit --pid "$SERVER_PID" --nofile=$((base + 20)):$((base + 20)) ||
	fail "prlimit failed"
"$DZSEND" -o 100 -c 30000 127.0.0.1 "$PORT" >"$tmp/many.out" 2>&1 &
many=$!
wait_for l_has_line "$tmp/many.out" '^open ' ||
	fail "the 100 connections did not open"
wait_for l_has_line "$SERVER_LOG" 'tcp accept: .*pausing' ||
	fail "no 'pausing' warning once out of descriptors"
# CPU time over two seconds: a spinning accept loop burns one core.
cpu() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
hz=$(getconf CLK_TCK)
t0=$(cpu)
sleep 2
t1=$(cpu)
echo "CPU out of descriptors: $((t1 - t0)) ticks in 2 s ($hz a second)"
[ $((t1 - t0)) -lt "$hz" ] ||
	fail "dropzoned used $((t1 - t0)) ticks of CPU in 2 s out of descriptors"
out=$(q +short A www.example.com)
expect_eq "$out" 127.0.0.1 "UDP while out of descriptors"
kill "$many"
wait "$many" 2>/dev/null
# The held connections close: descriptors come back, accept resumes.
l_tcp_ok()
{
	dz -t -w 1000 -q www.example.com A 2>&1 | grep -Eq "$OK"
}
wait_for -t 20 l_tcp_ok || fail "TCP not served again after EMFILE"
p_alive "EMFILE"
p_finish
