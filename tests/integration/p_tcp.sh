#!/bin/bash
# SPDX-License-Identifier: MIT
# p_tcp.sh -- TCP framing under abuse: several and pipelined queries, a
# lying length prefix, a 64 KiB message, a slow client, idle connections.
. "$(dirname "$0")/p_lib.sh"
p_start "$@"

H=$(hdr 0x1234 0 1 0 0 0)
M="$H$(quest www.example.com 1)"          # 33 octets
frame() { printf '%04x%s' $((${#1} / 2)) "$1"; }

# True when at least $1 TCP connections to the server are established.
conns_at_least()
{
	[ "$(ss -Htn state established "( sport = :$PORT )" | wc -l)" -ge "$1" ]
}

# Idle connections run in the background while the rest goes on: one
# that never sends a byte must be closed within 15 s (idle timeout 10 s),
# and 20 of them must not keep new clients out.
dz -t -c 15000 >"$tmp/idle.out" 2>&1 &
idle_pid=$!
idlers=()
for i in $(seq 1 20); do
	dz -t -c 15000 >"$tmp/idle.$i.out" 2>&1 &
	idlers+=($!)
done
wait_for conns_at_least 21 || fail "the 21 idle clients did not connect"

out=$(dz -t -q www.example.com A -q a40.example.com A \
	-q nope.example.com A -q a100.example.com A -q www.example.org A)
p_check "five queries on one connection" \
	'^rcode=(NOERROR|NXDOMAIN|REFUSED) ' -t -q www.example.com A \
	-q a40.example.com A -q nope.example.com A -q a100.example.com A \
	-q www.example.org A
expect_eq "$(printf '%s\n' "$out" | sed 's/ id=[0-9]*//; s/ ns=.*//')" \
"rcode=NOERROR flags=qr,aa qd=1 an=1
rcode=NOERROR flags=qr,aa qd=1 an=40
rcode=NXDOMAIN flags=qr,aa qd=1 an=0
rcode=NOERROR flags=qr,aa qd=1 an=100
rcode=REFUSED flags=qr qd=1 an=0" "five queries on one connection"
p_check "three pipelined queries in one write" \
	'^rcode=NOERROR id=4660 flags=qr,aa qd=1 an=1 ' \
	-t -r -n 3 "$(frame "$M")$(frame "$M")$(frame "$M")"
p_check "a query split after its length prefix" \
	'^rcode=NOERROR id=4660 flags=qr,aa qd=1 an=1 ' \
	-t -r "$(frame "$M")00" "21$M"
p_alive "pipelining"

# Says 100, sends 20, then idles: we must be answered elsewhere meanwhile.
dz -t -r -w 1000 -c 15000 \
	"0064$(printf '%s' "$M" | cut -c1-40)" >"$tmp/liar.out" 2>&1 &
liar=$!
wait_for conns_at_least 22 || fail "the lying client did not connect"
p_alive "a lying length prefix (UDP)"
p_check "new TCP connection while a liar waits" \
	'^rcode=NOERROR id=[0-9]+ flags=qr,aa qd=1 an=1 ' \
	-t -q www.example.com A

# 65535 octets of 0x01: a query (QR=0, opcode 0) with QDCOUNT 257.
{
	printf ffff
	head -c 65535 /dev/zero | tr '\0' '\1' | od -An -tx1 -v | tr -d ' \n'
} >"$tmp/big.hex"
hostile "64 KiB message of 0x01 octets: FORMERR or close" \
	'^(rcode=FORMERR id=257 flags=qr(,rd)? .*|closed)$' -t -r -w 5000 \
	"@$tmp/big.hex"
{
	printf ffff
	head -c 65535 /dev/urandom | od -An -tx1 -v | tr -d ' \n'
} >"$tmp/rnd.hex"
hostile "64 KiB of random octets: anything but a crash" \
	'^(rcode=.*|noresponse|closed)$' -t -r -w 3000 "@$tmp/rnd.hex"
hostile "zero-length message: dropped or closed" '^(noresponse|closed)$' \
	-t -r -w 1000 0000
hostile "length 11: dropped or closed" '^(noresponse|closed)$' \
	-t -r -w 1000 "000b$(printf '%s' "$M" | cut -c1-22)"
hostile "length 1 then close" '^(noresponse|closed)$' -t -r -w 500 0001

# A client sending one octet every 300 ms (35 octets: about 10 s) is
# answered or closed, and never blocks anyone else meanwhile.
dz -t -s 300 -w 3000 -q www.example.com A >"$tmp/slow.out" 2>&1 &
slow=$!
wait_for conns_at_least 1 || fail "the slow client did not connect"
for i in 1 2 3 4 5 6; do
	# dig's own 1 s timeout (no retry) is the bound: a server blocked
	# by the slow client would miss it. No wall-clock check on top:
	# shared CI machines are too noisy for one.
	out=$(q +time=1 +short A www.example.com)
	expect_eq "$out" 127.0.0.1 "UDP dig $i during the slow client"
	out=$(q +tcp +time=1 +short A www.example.com)
	expect_eq "$out" 127.0.0.1 "TCP dig $i during the slow client"
	sleep 1
done
wait "$slow"
slow_out=$(cat "$tmp/slow.out")
echo "slow client: $slow_out"
expect_match "$slow_out" \
	'^(rcode=NOERROR id=[0-9]+ flags=qr,aa qd=1 an=1 .*|closed)$' \
	"the slow client got neither an answer nor a close"

wait "$liar"
liar_out=$(cat "$tmp/liar.out")
echo "lying length prefix: ${liar_out//$'\n'/ }"
expect_match "$liar_out" '^(noresponse|closed)$' \
	"the lying length prefix was answered"
expect_match "$liar_out" '^closed( ms=[0-9]+)?$' \
	"the lying connection stayed open 15 s after its last byte"

wait "$idle_pid"
idle_out=$(cat "$tmp/idle.out")
echo "idle connection: $idle_out"
expect_match "$idle_out" '^closed ms=[0-9]+$' \
	"an idle connection was still open after 15 s"
ms=${idle_out#closed ms=}
[ "$ms" -ge 1000 ] ||
	echo "note: idle connection closed after only $ms ms" >&2
for p in "${idlers[@]}"; do
	wait "$p"
done
p_alive "idle connections"

p_finish
