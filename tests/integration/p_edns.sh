#!/bin/bash
# SPDX-License-Identifier: MIT
# p_edns.sh -- EDNS0 (RFC 6891, 3225): OPT echo, BADVERS, malformed OPT,
# and UDP truncation against our 1232-octet payload size.
. "$(dirname "$0")/p_lib.sh"
p_start "$@"

Q=$(quest www.example.com 1)
OK='^rcode=NOERROR id=4660 flags=qr,aa qd=1 an=1 '

p_check "plain EDNS query: OPT echoed, udp=1232, DO=0" \
	'^rcode=NOERROR .*flags=qr,aa qd=1 an=1 .* edns=0 udp=1232 do=0 extrcode=0$' \
	-e 4096 -q www.example.com A
p_check "DO=1 is copied" \
	'^rcode=NOERROR .*flags=qr,aa qd=1 an=1 .* edns=0 udp=1232 do=1 extrcode=0$' \
	-e 1232 -D -q www.example.com A
p_check "small client size: still our 1232 in the OPT" \
	' edns=0 udp=1232 do=0 extrcode=0$' -e 512 -q www.example.com A
p_check "no OPT in, no OPT out" "${OK}ns=[0-9]+ ar=[0-9]+ len=[0-9]+$" \
	"$(hdr 0x1234 0 1 0 0 0)$Q"
p_check "negative answers carry the OPT too" \
	'^rcode=NXDOMAIN .*flags=qr,aa .* edns=0 udp=1232 do=1 ' \
	-e 1232 -D -q nope.example.com A
p_check "REFUSED carries the OPT too" \
	'^rcode=REFUSED .*flags=qr qd=1 .* edns=0 udp=1232 ' \
	-e 1232 -q www.example.org A
p_check "TCP: OPT echoed" \
	'^rcode=NOERROR .*an=1 .* edns=0 udp=1232 do=1 extrcode=0$' \
	-t -e 1232 -D -q www.example.com A

# Version 1: BADVERS is extended rcode 16 = extrcode 1 << 4 | header 0;
# dzsend prints BADVERS only when both parts are right.
hostile "EDNS version 1 is BADVERS" \
	'^rcode=BADVERS id=4660 flags=qr(,aa)? qd=1 an=0 .* edns=0 udp=1232 do=0 extrcode=1$' \
	"$(hdr 0x1234 0 1 0 0 1)$Q$(opt 1232 1)"
hostile "EDNS version 255 is BADVERS" \
	'^rcode=BADVERS id=4660 .*an=0 .* edns=0 udp=1232 .*extrcode=1$' \
	"$(hdr 0x1234 0 1 0 0 1)$Q$(opt 4096 255 0x8000)"
hostile "two OPTs are FORMERR" '^rcode=FORMERR id=4660 flags=qr .*an=0 ' \
	"$(hdr 0x1234 0 1 0 0 2)$Q$(opt)$(opt)"
hostile "OPT with owner 'a.' is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' \
	"$(hdr 0x1234 0 1 0 0 1)${Q}0161$(opt)"
hostile "OPT option longer than its RDATA is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' \
	"$(hdr 0x1234 0 1 0 0 1)$Q$(opt 1232 0 0 000a0010)"
hostile "OPT option header cut short is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' \
	"$(hdr 0x1234 0 1 0 0 1)$Q$(opt 1232 0 0 000a00)"
# RDLENGTH 10, two octets present.
hostile "OPT RDLENGTH past the message end is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' \
	"$(hdr 0x1234 0 1 0 0 1)$Q"00002904d000000000000a0001
hostile "OPT cut after its type is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' \
	"$(hdr 0x1234 0 1 0 0 1)$Q"000029
hostile "ARCOUNT=1 with nothing there is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' "$(hdr 0x1234 0 1 0 0 1)$Q"
hostile "OPT in the answer section is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' \
	"$(hdr 0x1234 0 1 1 0 0)$Q$(opt)"
hostile "OPT in the authority section is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' \
	"$(hdr 0x1234 0 1 0 1 0)$Q$(opt)"
# RFC 7871 7.1.2: a server without client-subnet support ignores ECS.
hostile "client subnet option (not supported) is ignored" \
	"${OK}.* edns=0 udp=1232 do=0 extrcode=0$" \
	"$(hdr 0x1234 0 1 0 0 1)$Q$(opt 1232 0 0 0008000400010000)"
# Options we do not know (and a client cookie) are ignored.
hostile "unknown EDNS option is ignored" \
	"${OK}.* edns=0 udp=1232 do=0 extrcode=0$" \
	"$(hdr 0x1234 0 1 0 0 1)$Q$(opt 1232 0 0 fde90003616263)"
hostile "client cookie and padding are accepted" \
	"${OK}.* edns=0 udp=1232 do=0 extrcode=0$" \
	"$(hdr 0x1234 0 1 0 0 1)$Q$(opt 1232 0 0 \
	000a00080102030405060708000c000400000000)"

# Truncation. An A RR with a compressed owner is 2 + 10 + 4 = 16 octets;
# the OPT is 11; NS + glue, if a server adds them, at most 34 more.
#   a40.example.com:  12 + (17 + 4) + 40 * 16 = 673 (+ 11 = 684, <= 718)
#     > 512: TC without EDNS and with a client size below 1232;
#     < 1232: whole with EDNS (client 1232 or 4096).
#   a100.example.com: 12 + (18 + 4) + 100 * 16 = 1634 (+ 11 = 1645)
#     > 1232, our cap even when the client offers 4096: TC over UDP always;
#     TCP: all 100.
# A truncated answer drops the RRset whole (an=0), keeps the OPT.
p_check "40 A, UDP without EDNS: TC" \
	'^rcode=NOERROR .*flags=qr,aa,tc qd=1 an=0 ' -q a40.example.com A
p_check "40 A, EDNS 512: TC, OPT kept" \
	'^rcode=NOERROR .*flags=qr,aa,tc qd=1 an=0 .* edns=0 udp=1232 ' \
	-e 512 -q a40.example.com A
p_check "40 A, EDNS size 100 counts as 512: TC" \
	'^rcode=NOERROR .*flags=qr,aa,tc qd=1 an=0 .* edns=0 udp=1232 ' \
	-e 100 -q a40.example.com A
p_check "40 A, EDNS 1232: whole" \
	'^rcode=NOERROR .*flags=qr,aa qd=1 an=40 .* edns=0 udp=1232 ' \
	-e 1232 -q a40.example.com A
p_check "40 A, EDNS 4096: whole" \
	'^rcode=NOERROR .*flags=qr,aa qd=1 an=40 .* edns=0 udp=1232 ' \
	-e 4096 -q a40.example.com A
p_check "100 A, UDP without EDNS: TC" \
	'^rcode=NOERROR .*flags=qr,aa,tc qd=1 an=0 ' -q a100.example.com A
p_check "100 A, EDNS 4096: TC (our cap is 1232)" \
	'^rcode=NOERROR .*flags=qr,aa,tc qd=1 an=0 .* edns=0 udp=1232 ' \
	-e 4096 -q a100.example.com A
p_check "100 A, EDNS 65535: TC (our cap is 1232)" \
	'^rcode=NOERROR .*flags=qr,aa,tc qd=1 an=0 .* edns=0 udp=1232 ' \
	-e 65535 -q a100.example.com A
p_check "100 A over TCP: all" \
	'^rcode=NOERROR .*flags=qr,aa qd=1 an=100 ' -t -q a100.example.com A
p_check "100 A over TCP with EDNS: all" \
	'^rcode=NOERROR .*flags=qr,aa qd=1 an=100 .* edns=0 udp=1232 ' \
	-t -e 1232 -q a100.example.com A
# dig agrees: it sees TC and retries over TCP to get all 100.
out=$(q +ignore +noedns A a100.example.com)
expect_match "$(dig_flags "$out")" ' tc' "dig +ignore: no TC on 100 A"
out=$(q +short A a100.example.com)
expect_eq "$(printf '%s\n' "$out" | grep -c '^127\.0\.1\.')" 100 \
	"dig (TC, then TCP) did not get 100 A"
p_alive "the truncation checks"

p_finish
