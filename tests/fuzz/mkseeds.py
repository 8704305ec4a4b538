#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# mkseeds.py -- write the query seeds of tests/fuzz/corpus/query: one flag
# byte (bit 0: TCP) and a query message each. Rerun after editing.
import os
import struct
import sys

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
         "TXT": 16, "AAAA": 28, "SRV": 33, "DS": 43, "CAA": 257,
         "AXFR": 252, "ANY": 255, "OPT": 41}


def name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qname, qtype, tcp=False, edns=None, do=False, opcode=0,
          qclass=1, flags=0x0100, extra=b""):
    hdr = struct.pack("!HHHHHH", 0xbeef, flags | (opcode << 11), 1, 0, 0,
                      1 if edns is not None else 0)
    msg = hdr + name(qname) + struct.pack("!HH", TYPES[qtype], qclass)
    if edns is not None:
        msg += b"\0" + struct.pack("!HHBBHH", 41, edns, 0, 0,
                                   0x8000 if do else 0, len(extra)) + extra
    return bytes([1 if tcp else 0]) + msg


SEEDS = {
    "www-a": query("www.example.com", "A"),
    "www-any-tcp": query("www.example.com", "ANY", tcp=True),
    "apex-mx-edns": query("example.com", "MX", edns=1232),
    "apex-soa-do": query("EXAMPLE.com", "SOA", edns=4096, do=True),
    "alias-a": query("a2.example.com", "A"),
    "loop": query("loop1.example.com", "AAAA", edns=512),
    "out-cname": query("out.example.com", "A"),
    "wild-a": query("x.y.dev.example.com", "A"),
    "wild-cname": query("foo.w.example.com", "MX"),
    "wild-txt": query("nothing.example.com", "TXT"),
    "deleg": query("a.b.sub.example.com", "A", tcp=True),
    "child-ds": query("child.example.com", "DS"),
    "child-www": query("www.child.example.com", "A"),
    "nxdomain": query("no.such.child.example.com", "A", edns=1232),
    "nodata": query("www.example.com", "SRV"),
    "srv": query("_sip._tcp.example.com", "SRV"),
    "caa": query("example.com", "CAA"),
    "ptr": query("3.0.0.127.in-addr.arpa", "PTR"),
    "net": query("www.example.net", "A"),
    "refused": query("example.org", "A"),
    "axfr-tcp": query("example.com", "AXFR", tcp=True),
    "axfr-udp": query("example.com", "AXFR"),
    "notify": query("example.com", "SOA", opcode=4),
    "chaos": query("version.bind", "TXT", qclass=3),
    "edns-cookie": query("www.example.com", "A", edns=1232,
                         extra=struct.pack("!HH", 10, 8) + b"\1" * 8),
    "opt-qtype": query("example.com", "OPT"),
}

# a compression pointer in the question (to the header: a loop-ish shape)
SEEDS["ptr-qname"] = (b"\0" + struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) +
                      b"\3www\xc0\x0c" + struct.pack("!HH", 1, 1))
# EDNS version 1
v1 = bytearray(query("www.example.com", "A", edns=1232))
v1[-5] = 1
SEEDS["edns-v1"] = bytes(v1)

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "corpus", "query")
os.makedirs(out, exist_ok=True)
for key, data in SEEDS.items():
    with open(os.path.join(out, key), "wb") as f:
        f.write(data)
