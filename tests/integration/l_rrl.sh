#!/bin/bash
# SPDX-License-Identifier: MIT
# l_rrl.sh -- response rate limiting: a flood from one source is limited
# (most answers dropped, every slip-th truncated) while another source is
# answered in full; a whitelisted source and TCP are never limited; off
# by default.
. "$(dirname "$0")/l_lib.sh"
no_valgrind "floods at 2,000 queries a second and counts the answers: throughput"

OK='^rcode=NOERROR id=[0-9]+ flags=qr,aa qd=1 an=1 '
RATE=10

"$DZSEND" -b 127.0.0.2 -w 100 127.0.0.1 9 >/dev/null 2>&1 ||
	skip "cannot bind 127.0.0.2 (another loopback source)"

# flood_field OUT NAME: the number after NAME= in a dzsend -F line.
flood_field()
{
	printf '%s\n' "$1" | sed -n "s/.* $2=\([0-9]*\).*/\1/p"
}

# Off by default: a flood is answered in full.
p_start
out=$(dz -F 1000 -P 2000 -w 1000 -q www.example.com A)
echo "no RRL: $out"
[ "$(flood_field "$out" full)" -ge 950 ] ||
	fail "without --rrl-rate a flood was not answered: $out"
stop_server

# /32 prefixes so that 127.0.0.1 and 127.0.0.2 are different clients.
p_start --rrl-rate "$RATE" --rrl-slip 2 --rrl-ipv4-prefix 32 \
	--rrl-whitelist 127.0.0.3

dz -F 4000 -P 2000 -w 1000 -q www.example.com A >"$tmp/flood.out" 2>&1 &
flood=$!
# Another source, well under the rate, during the flood: all answered.
p_check "127.0.0.2 during the flood from 127.0.0.1: answered in full" \
	"$OK" -b 127.0.0.2 -q www.example.com A -q www.example.com A \
	-q www.example.com A -q www.example.com A -q www.example.com A
# TCP is never limited, even for the flooding source.
p_check "TCP from 127.0.0.1 during its flood: answered in full" "$OK" -t \
	-q www.example.com A -q www.example.com A -q www.example.com A \
	-q www.example.com A -q www.example.com A -q www.example.com A \
	-q www.example.com A -q www.example.com A -q www.example.com A \
	-q www.example.com A -q www.example.com A -q www.example.com A
wait "$flood"
out=$(cat "$tmp/flood.out")
echo "flood from 127.0.0.1 at --rrl-rate $RATE: $out"
sent=$(flood_field "$out" sent)
full=$(flood_field "$out" full)
tc=$(flood_field "$out" tc)
lost=$(flood_field "$out" lost)
ms=$(flood_field "$out" ms)
[ -n "$sent" ] && [ "$sent" -eq 4000 ] || fail "the flood did not run: $out"
# At most RATE a second got through whole (the flood spans ms / 1000
# seconds, begun and ended mid-second), at least one did.
max=$((RATE * (ms / 1000 + 2)))
[ "$full" -ge 1 ] && [ "$full" -le "$max" ] ||
	fail "$full whole answers of $sent, want 1..$max: $out"
# slip 2: of the limited answers, about half truncated, half dropped.
limited=$((sent - full))
[ "$tc" -ge $((limited / 4)) ] && [ "$tc" -le $((limited * 3 / 4)) ] ||
	fail "$tc truncated of $limited limited, want about half: $out"
[ "$lost" -ge $((limited / 4)) ] ||
	fail "$lost dropped of $limited limited, want about half: $out"

# Past the rate: answers, then drops and slips; a slip is a truncated
# answer with the question only. Each query waits for its answer (or
# 50 ms), so on a slow machine the run spans seconds and the bucket
# refills: six times the rate in a row (dzsend takes 64 at most) still
# leaves limited answers however slowly they go.
SLIP='^rcode=NOERROR id=[0-9]+ flags=qr,aa,tc qd=1 an=0 ns=0 ar=0 len=33$'
qs=()
for i in $(seq 1 $((RATE * 6))); do
	qs+=(-q www.example.com A)
done
out=$(dz -w 50 "${qs[@]}")
echo "$((RATE * 6)) queries in a row:"
printf '%s\n' "$out" | sed 's/^/  /'
expect_no_match "$out" "^rcode=NOERROR id=[0-9]+ flags=qr,aa,tc .*an=[1-9]" \
	"a slip carried answers"
[ "$(printf '%s\n' "$out" | grep -Ec "$SLIP")" -ge 1 ] ||
	fail "no slip (TC=1, question only) among $((RATE * 6)) queries"
expect_no_match "$(printf '%s\n' "$out" | grep -Ev "$OK|$SLIP|^noresponse$")" . \
	"an answer that is neither whole nor a slip, nor a drop"
# dig retries a truncated answer over TCP: the real client gets through.
# Its first datagram may be one of the dropped ones (slip 2): dig then
# prints a timeout line and asks again; only the answer counts.
out=$(q +short +tries=4 A www.example.com | grep -v '^;;')
expect_eq "$out" 127.0.0.1 "dig from the limited source (TC, then TCP)"

# The whitelist exempts.
out=$(dz -b 127.0.0.3 -F 1000 -P 1000 -w 1000 -q www.example.com A)
echo "flood from whitelisted 127.0.0.3: $out"
[ "$(flood_field "$out" full)" -ge 950 ] && [ "$(flood_field "$out" tc)" = 0 ] ||
	fail "the whitelisted source was limited: $out"
p_alive "the floods"
p_finish
