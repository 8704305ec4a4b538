#!/bin/bash
# SPDX-License-Identifier: MIT
# p_names.sh -- malformed question names: long labels and names, every
# kind of compression pointer in the question, truncation, trailing bytes.
. "$(dirname "$0")/p_lib.sh"
p_start "$@"

H=$(hdr 0x1234 0 1 0 0 0)
EX=$(wname example.com)          # 13 octets
TC=00010001                      # type A, class IN
a() { rep "$1" 61; }             # N octets of 'a'

hostile "label of 64 octets is FORMERR" '^rcode=FORMERR id=4660 flags=qr ' \
	"${H}40$(a 64)$EX$TC"
p_check "label of 63 octets is fine (NXDOMAIN)" \
	'^rcode=NXDOMAIN id=4660 flags=qr,aa qd=1 an=0 ns=1 ' \
	"${H}3f$(a 63)$EX$TC"
# 3 labels of 63 (3 x 64 octets) + one of 49 (50) + example.com (13) = 255.
p_check "name of exactly 255 octets is fine (NXDOMAIN)" \
	'^rcode=NXDOMAIN id=4660 flags=qr,aa qd=1 an=0 ns=1 ' \
	"$H$(rep 3 3f"$(a 63)")31$(a 49)$EX$TC"
# The same with a last label of 50: 256 octets.
hostile "name of 256 octets is FORMERR" '^rcode=FORMERR id=4660 flags=qr ' \
	"$H$(rep 3 3f"$(a 63)")32$(a 50)$EX$TC"
hostile "name of 413 octets is FORMERR" '^rcode=FORMERR id=4660 flags=qr ' \
	"$H$(rep 6 3f"$(a 63)")0f$(a 15)$EX$TC"
hostile "128 one-octet labels (257 octets) is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "$H$(rep 128 0161)00$TC"
hostile "pointer to itself is FORMERR" '^rcode=FORMERR id=4660 flags=qr ' \
	"${H}c00c$TC"
# The id is c00c: offset 12 points to 0, which points back to 12.
hostile "pointer loop through the header is FORMERR" \
	'^rcode=FORMERR id=49164 flags=qr ' "$(hdr 0xc00c 0 1 0 0 0)c000$TC"
hostile "label then pointer back to the name is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "${H}0161c00c$TC"
# Offset 14 holds 00 (the root): followed, it would read ". A".
hostile "forward pointer is FORMERR" '^rcode=FORMERR id=4660 flags=qr ' \
	"${H}c00e$TC"
hostile "pointer past the end is FORMERR" '^rcode=FORMERR id=4660 flags=qr ' \
	"${H}c0ff$TC"
hostile "pointer 3fff past the end is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "${H}ffff$TC"
hostile "half a pointer at the end is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "$H"c0
hostile "label type 01 (extended label 0x40) is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "${H}4161$EX$TC"
hostile "label type 10 (0x80) is FORMERR" '^rcode=FORMERR id=4660 flags=qr ' \
	"${H}8161$EX$TC"
hostile "qname cut by the message end is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "$H"03777777076578
hostile "qname without its root label is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "$H$(wname www.example.com | \
	sed 's/00$//')"
hostile "question without type and class is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "$H$(wname www.example.com)"
hostile "question with a type but no class is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "$H$(wname www.example.com)0001"
hostile "trailing garbage after the question is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "$H$(quest www.example.com 1)deadbeef"
hostile "one trailing byte after the question is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' "$H$(quest www.example.com 1)00"
# A label holding a dot is one label: "www.example" + "com" is not ours.
hostile "label with a dot inside is its own label (REFUSED)" \
	'^rcode=REFUSED id=4660 flags=qr qd=1 an=0 ' \
	"${H}0b$(printf www.example | od -An -tx1 | tr -d ' \n')03636f6d00$TC"
hostile "binary label under the zone is NXDOMAIN" \
	'^rcode=NXDOMAIN id=4660 flags=qr,aa qd=1 an=0 ' \
	"${H}0400ff2e20$EX$TC"
p_check "mixed-case name is found" \
	'^rcode=NOERROR id=4660 flags=qr,aa qd=1 an=1 ' \
	"$H$(quest WwW.ExAmPlE.cOm 1)"
# The same damage over TCP.
hostile "TCP: pointer loop is FORMERR" '^rcode=FORMERR id=4660 flags=qr ' \
	-t "${H}0161c00c$TC"
hostile "TCP: label of 64 octets is FORMERR" \
	'^rcode=FORMERR id=4660 flags=qr ' -t "${H}40$(a 64)$EX$TC"

p_finish
