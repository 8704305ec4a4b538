#!/bin/bash
# SPDX-License-Identifier: MIT
# p_header.sh -- hostile and unusual DNS headers: dropped, FORMERR, NOTIMP,
# REFUSED; the server answers a good query after each.
. "$(dirname "$0")/p_lib.sh"
p_start "$@"

Q=$(quest www.example.com 1)

hostile "11-byte message is dropped" '^noresponse$' -w 500 \
	"$(hdr 0x1234 0 1 0 0 0 | cut -c1-22)"
hostile "empty-ish 1-byte message is dropped" '^noresponse$' -w 500 '00'
hostile "QR=1 (a response) is dropped" '^noresponse$' -w 500 \
	"$(hdr 0x1234 0x8000 1 0 0 0)$Q"
hostile "QR=1 header alone is dropped" '^noresponse$' -w 500 \
	"$(hdr 0x1234 0x8000 0 0 0 0)"
hostile "QDCOUNT=0 is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr qd=0 an=0 ns=0 ar=0 ' \
	"$(hdr 0x1234 0 0 0 0 0)"
hostile "QDCOUNT=2 is FORMERR" '^rcode=FORMERR id=4660 flags=qr .*an=0 ' \
	"$(hdr 0x1234 0 2 0 0 0)$Q$Q"
hostile "QDCOUNT=2 with one question is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' "$(hdr 0x1234 0 2 0 0 0)$Q"
hostile "QDCOUNT=1 without a question is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' "$(hdr 0x1234 0 1 0 0 0)"
# Opcode is bits 11..14 of the flags word; the response echoes it.
hostile "opcode IQUERY is NOTIMP" \
	'^rcode=NOTIMP id=4660 flags=qr .*an=0 .* opcode=1$' \
	"$(hdr 0x1234 0x0800 1 0 0 0)$Q"
hostile "opcode STATUS is NOTIMP" \
	'^rcode=NOTIMP id=4660 flags=qr .*an=0 .* opcode=2$' \
	"$(hdr 0x1234 0x1000 1 0 0 0)$Q"
hostile "opcode NOTIFY is NOTIMP" \
	'^rcode=NOTIMP id=4660 flags=qr .*an=0 .* opcode=4$' \
	"$(hdr 0x1234 0x2000 1 0 0 0)$(quest example.com 6)"
hostile "opcode UPDATE is NOTIMP" \
	'^rcode=NOTIMP id=4660 flags=qr .*an=0 .* opcode=5$' \
	"$(hdr 0x1234 0x2800 1 0 0 0)$(quest example.com 6)"
hostile "opcode 15 is NOTIMP" \
	'^rcode=NOTIMP id=4660 flags=qr .*an=0 .* opcode=15$' \
	"$(hdr 0x1234 0x7800 1 0 0 0)$Q"
hostile "class CHAOS is REFUSED" \
	'^rcode=REFUSED id=4660 flags=qr qd=1 an=0 ' \
	"$(hdr 0x1234 0 1 0 0 0)$(quest www.example.com 1 3)"
hostile "class 254 (NONE) is REFUSED" \
	'^rcode=REFUSED id=4660 flags=qr qd=1 an=0 ' \
	"$(hdr 0x1234 0 1 0 0 0)$(quest www.example.com 1 254)"
hostile "CHAOS version.bind TXT is REFUSED" \
	'^rcode=REFUSED id=4660 flags=qr qd=1 an=0 ' \
	"$(hdr 0x1234 0 1 0 0 0)$(quest version.bind 16 3)"
# RD is copied; AD/CD bits in a query (RFC 6840) do not break it.
p_check "RD is echoed" '^rcode=NOERROR id=4660 flags=qr,aa,rd qd=1 an=1 ' \
	"$(hdr 0x1234 0x0100 1 0 0 0)$Q"
hostile "AD and CD bits set are still answered" \
	'^rcode=NOERROR id=4660 flags=qr,aa(,rd)? qd=1 an=1 ' \
	"$(hdr 0x1234 0x0030 1 0 0 0)$Q"
hostile "name outside our zones is REFUSED without AA" \
	'^rcode=REFUSED id=4660 flags=qr qd=1 an=0 ' \
	"$(hdr 0x1234 0 1 0 0 0)$(quest www.example.org 1)"
hostile "empty datagram is dropped" '^noresponse$' -w 500 ''
hostile "header only, QDCOUNT=1: FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' "$(hdr 0x1234 0 1 0 0 0)"
hostile "unknown class 4660 is REFUSED" \
	'^rcode=REFUSED id=4660 flags=qr qd=1 an=0 ' \
	"$(hdr 0x1234 0 1 0 0 0)$(quest www.example.com 1 4660)"
hostile "class ANY is REFUSED" '^rcode=REFUSED id=4660 flags=qr qd=1 an=0 ' \
	"$(hdr 0x1234 0 1 0 0 0)$(quest www.example.com 1 255)"
hostile "ANCOUNT=65535 with no records is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' "$(hdr 0x1234 0 1 65535 0 0)$Q"
hostile "NSCOUNT=1 with a cut record is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr .*an=0 ' \
	"$(hdr 0x1234 0 1 0 1 0)${Q}c00c000100010000"
hostile "UPDATE with no zone section is NOTIMP" \
	'^rcode=NOTIMP id=4660 flags=qr .*opcode=5$' "$(hdr 0x1234 0x2800 0 0 0 0)"
# The same over TCP.
hostile "TCP: QDCOUNT=0 is FORMERR" '^rcode=FORMERR id=4660 flags=qr ' -t \
	"$(hdr 0x1234 0 0 0 0 0)"
hostile "TCP: opcode UPDATE is NOTIMP" '^rcode=NOTIMP id=4660 flags=qr ' -t \
	"$(hdr 0x1234 0x2800 1 0 0 0)$(quest example.com 6)"
hostile "TCP: QR=1 is dropped (or the connection closed)" \
	'^(noresponse|closed)$' -t -w 500 "$(hdr 0x1234 0x8000 1 0 0 0)$Q"

p_finish
