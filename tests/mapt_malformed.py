#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The malformed-packet suite of tests/mapt_malformed.sh: crafted, truncated
and hostile packets through the three MAPT roles, each in namespace R with a
sender namespace R4 on its IPv4 side and R6 on its IPv6 side (device "s0",
the MACs of tests/xlat_diff.py, no addresses):

  br    MAP-T BR (seed 002 rule + DMR, --reject-spoofed); R6 plays CE 11b
  ce    MAP-T CE 11b in one namespace (SNATPSID + MAPT); R4 is its LAN
        client 192.168.0.4, R6 the BR and the IPv4 Internet by the DMR
  clat  CLAT/SIIT: EAM 192.168.1.0/24 <-> 2001:db8:1:ff::/120, DMR
        64:ff9b::/96, icmp-source-ipv4 192.0.0.8; R4 is the LAN

Every case sends its packets from one side, then a sentinel that the role
translates; once the sentinel is out on the far side the case's output is
what came out on the far side before it and what came back on the sending
side (the translator's ICMP errors). Checked per case: every counter of
/proc/net/xt_MAPT moved by exactly what the case says (the sentinel's own
translation included), and the output is exactly the expected packets (by
family, protocol, ICMP type/code and, for Parameter Problem, the pointer),
with valid checksums.

  mapt_malformed.py [--only REGEX] [--list]

A case marked BUG is a kernel bug the lead knows of: its check fails (with
"BUG" in the line) until the kernel is fixed.
"""
import argparse
import ipaddress
import os
import re
import select
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xlat_diff import (ns_socket, drain, frame, icmp_err, with_option,  # noqa: E402
                       kind, checksums, is4, libc)
from pkt import ones_sum  # noqa: E402

from scapy.all import (IP, IPv6, TCP, UDP, ICMP, ICMPv6EchoRequest,  # noqa: E402
                       ICMPv6ND_RA, ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6ND_RS,
                       ICMPv6MLQuery, ICMPv6MLReport, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, Raw, raw)

SERVER4, SERVER6 = "203.0.113.56", "64:ff9b::cb00:7138"     # seed 002
CE11B, CE11B_4 = "2001:db8:ce:11b:0:c000:208:1b", "192.0.2.8"   # PSID 27: 55296-57343
CE774_4 = "192.0.2.59"                                       # no IPv6 route to it
RTR4, RTR4_6 = "203.0.113.254", "64:ff9b::cb00:71fe"        # an IPv4 router by the DMR
RTR6X = "2001:db8:ffff::1"                                   # an IPv6 router nothing maps
CLIENT4, CLIENT6 = "192.168.1.2", "2001:db8:1:ff::2"         # the CLAT's LAN by EAM
SRV4, SRV6 = "198.51.100.1", "64:ff9b::c633:6401"
SRV_RTR4, SRV_RTR6 = "198.51.100.254", "64:ff9b::c633:64fe"
LAN4 = "192.168.0.4"                                         # the CE's LAN client


# --- packet helpers ----------------------------------------------------------------
def fix4(b):
    """IPv4 bytes B with the header checksum recomputed."""
    b = bytearray(b)
    ihl = (b[0] & 15) * 4
    b[10:12] = b"\0\0"
    b[10:12] = struct.pack("!H", 0xFFFF - ones_sum(bytes(b[:ihl])))
    return bytes(b)


def set4(pkt, **f):
    """PKT (IPv4) with header fields changed, the header checksum fixed."""
    p = IP(raw(pkt))
    for k, v in f.items():
        setattr(p, k, v)
    del p.chksum
    return IP(raw(p))


def tot4(pkt, tot, cut=None):
    """PKT with total length TOT, cut to CUT bytes (default TOT)."""
    b = bytearray(raw(pkt))
    b[2:4] = struct.pack("!H", tot)
    return fix4(bytes(b[:tot if cut is None else cut]))


def plen6(pkt, plen, cut=None):
    b = bytearray(raw(pkt))
    b[4:6] = struct.pack("!H", plen)
    return bytes(b[:40 + plen if cut is None else cut])


def bad_csum(pkt, l4off):
    b = bytearray(raw(pkt))
    b[l4off + 2] ^= 0x5a
    return bytes(b)


def err(src, dst, typ, code, quoted, word=0, ttl=None):
    p = icmp_err(src, dst, typ, code, word, quoted)
    if ttl is not None:
        p = set4(p, ttl=ttl) if is4(raw(p)) else IPv6(raw(p))
        if not is4(raw(p)):
            p.hlim = ttl
    return p


def ext4884(quoted, n, ext=b"\x20\0\0\0" + b"\0\0\x08\x01\0\0\0\x2a"):
    """QUOTED padded to N bytes and an RFC 4884 extension structure
    (version 2, checksum left 0, one object) after it."""
    q = raw(quoted)[:n]
    return q + b"\0" * (n - len(q)) + ext


# --- the cases ------------------------------------------------------------------------
class Case:
    def __init__(self, name, side, pkts, stats=None, out=(), bug=None, check=None, back=True):
        self.name, self.side = name, side
        self.pkts = [raw(p) for p in (pkts if isinstance(pkts, list) else [pkts])]
        self.stats = dict(stats or {})
        self.out = sorted(out)
        self.bug, self.check, self.back = bug, check, back


def t(side, proto, typ=None, code=None, ptr=None):
    """An expected output packet: on SIDE ("4", "6"), PROTO, ICMP type/code,
    the Parameter Problem pointer."""
    k = (side, proto) + ((typ, code) if typ is not None else ())
    return k + ((ptr,) if ptr is not None else ())


def out_kind(side, b):
    k = kind(side, b)
    if len(k) == 4 and (k[1:] == (58, 4, 0) or k[1:] == (1, 12, 0)):
        off = (b[0] & 15) * 4 if is4(b) else 40
        k += (b[off + 4] if is4(b) else struct.unpack("!I", b[off + 4:off + 8])[0],)
    return k


MALFORMED = "dropped_malformed"
UNTRANS = "dropped_icmp_untranslatable"


def v6_cases(r, src, dst, sport, dport, rtr, quoted):
    """IPv6 arriving at role R for translation (its raw PREROUTING): from
    SRC:SPORT to DST:DPORT, ICMPv6 errors from RTR about QUOTED (a packet
    DST sent to SRC)."""
    U = IPv6(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(b"u" * 32)
    T = IPv6(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags="S")
    E = IPv6(src=src, dst=dst) / ICMPv6EchoRequest(id=sport, seq=1)
    fwd = r.fwd6            # the translated error's expected output
    c = [
        Case("ipv6 payload length beyond the frame (the IPv6 stack drops it)", "6",
             plen6(U, 200, cut=len(raw(U)))),
        Case("ipv6 payload length 0, not a jumbogram (trimmed to the header)", "6",
             plen6(U, 0, cut=len(raw(U))), {MALFORMED: 1}),
        Case("ipv6 payload cut to 4 bytes of the udp header", "6", plen6(U, 4), {MALFORMED: 1}),
        Case("ipv6 payload length 4, the frame longer (trimmed)", "6",
             plen6(U, 4, cut=len(raw(U))), {MALFORMED: 1}),
        Case("tcp header cut before its checksum (10 bytes)", "6", plen6(T, 10), {MALFORMED: 1}),
        Case("icmpv6 echo cut at 6 bytes", "6", plen6(E, 6), {MALFORMED: 1}),
        Case("icmpv6 message of 4 bytes (type 1, no body)", "6",
             plen6(err(rtr, dst, 1, 4, quoted), 4), {MALFORMED: 1}),
        Case("routing header, segments left 1: parameter problem at the field", "6",
             IPv6(src=src, dst=dst) / IPv6ExtHdrRouting(addresses=["2001:db8::1"], segleft=1) /
             UDP(sport=sport, dport=dport), {"dropped_segments_left": 1}, [t("6", 58, 4, 0, 43)]),
        Case("routing header after destination options, segments left 2: pointer 51", "6",
             IPv6(src=src, dst=dst) / IPv6ExtHdrDestOpt() /
             IPv6ExtHdrRouting(addresses=["2001:db8::1", "2001:db8::2"], segleft=2) /
             UDP(sport=sport, dport=dport), {"dropped_segments_left": 1}, [t("6", 58, 4, 0, 51)]),
        Case("40 destination options headers (320 bytes)", "6",
             IPv6(src=src, dst=dst) / eval("/".join(["IPv6ExtHdrDestOpt()"] * 40)) /
             UDP(sport=sport, dport=dport), {"dropped_extension_headers": 1}),
        Case("hop-by-hop options after destination options", "6",
             IPv6(src=src, dst=dst) / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() /
             UDP(sport=sport, dport=dport), {MALFORMED: 1}),
        Case("destination options header longer than the packet", "6",
             IPv6(src=src, dst=dst, nh=60) / Raw(b"\x11\x0a\x01\x04\0\0\0\0" + raw(UDP(sport=sport, dport=dport))),
             {MALFORMED: 1}),
        Case("hop limit 1: time exceeded", "6", set6(U, hlim=1), {"dropped_ttl_exceeded": 1},
             [t("6", 58, 3, 0)]),
        Case("hop limit 0: time exceeded", "6", set6(U, hlim=0), {"dropped_ttl_exceeded": 1},
             [t("6", 58, 3, 0)]),
        Case("informational icmpv6: RS, RA, NS, NA, MLD query, MLD report, 139, 200", "6",
             [IPv6(src=src, dst=dst, hlim=255) / m for m in (
                 ICMPv6ND_RS(), ICMPv6ND_RA(), ICMPv6ND_NS(tgt=dst), ICMPv6ND_NA(tgt=src),
                 ICMPv6MLQuery(), ICMPv6MLReport(mladdr="ff02::1:2"),
                 )] + [IPv6(src=src, dst=dst, nh=58) / Raw(bytes([ty]) + b"\0" * 7) for ty in (139, 200)],
             {UNTRANS: 8}),
        # ICMPv6 errors (RFC 7915 section 5.2)
        Case("icmpv6 port unreachable (translated)", "6", err(rtr, dst, 1, 4, quoted),
             {"icmp_errors_translated": 1, "translated_6to4": 1}, fwd(3, 3)),
        Case("icmpv6 error, quoted packet cut inside its ipv6 header (24 bytes)", "6",
             err(rtr, dst, 1, 4, raw(quoted)[:24]), {MALFORMED: 1}),
        Case("icmpv6 error, quoted packet of 39 bytes", "6",
             err(rtr, dst, 1, 4, raw(quoted)[:39]), {MALFORMED: 1}),
    ] + [
        Case("icmpv6 error, quoted packet cut at %d bytes (%s)" % (cut, why), "6",
             err(rtr, dst, 1, 4, raw(quoted)[:cut]), *r.cut6(cut))
        for cut, why in ((40, "the header alone"), (44, "the ports"), (46, "before the udp checksum"),
                         (48, "the udp header"))
        if r.cut6(cut)
    ] + [
        Case("icmpv6 error, quoted packet not ipv6 (version 4)", "6",
             err(rtr, dst, 1, 4, b"\x45" + raw(quoted)[1:]), {MALFORMED: 1}),
        Case("icmpv6 error, quoted packet cut inside a destination options header", "6",
             err(rtr, dst, 1, 4, raw(IPv6(src=dst, dst=src) / IPv6ExtHdrDestOpt() / UDP())[:44]),
             {MALFORMED: 1}),
        Case("icmpv6 error quoting an icmpv6 error", "6",
             err(rtr, dst, 1, 4, raw(err(dst, src, 1, 4, raw(IPv6(src=src, dst=dst) / UDP())))),
             {UNTRANS: 1}),
        Case("icmpv6 error with a bad checksum", "6",
             bad_csum(err(rtr, dst, 1, 4, quoted), 40), {"dropped_icmp_bad_checksum": 1}),
        Case("icmpv6 packet too big with a bad checksum", "6",
             bad_csum(err(rtr, dst, 2, 0, quoted, word=1400), 40), {"dropped_icmp_bad_checksum": 1}),
        Case("icmpv6 error, hop limit 1 (no error about an error)", "6",
             err(rtr, dst, 1, 4, quoted, ttl=1), {"dropped_ttl_exceeded": 1}),
        Case("icmpv6 parameter problem, pointer 2 (no IPv4 counterpart)", "6",
             err(rtr, dst, 4, 0, quoted, word=2), {UNTRANS: 1}),
        Case("icmpv6 destination unreachable code 7 (unknown)", "6",
             err(rtr, dst, 1, 7, quoted), {UNTRANS: 1}),
        Case("icmpv6 error, rfc 4884 length past the end (taken as no extension)", "6",
             err(rtr, dst, 1, 4, quoted, word=30 << 24),
             {"icmp_errors_translated": 1, "translated_6to4": 1}, fwd(3, 3), check=no_ext4),
        Case("icmpv6 error, rfc 4884 length 1 (below 128 bytes: no extension)", "6",
             err(rtr, dst, 1, 4, ext4884(quoted, len(raw(quoted))), word=1 << 24),
             {"icmp_errors_translated": 1, "translated_6to4": 1}, fwd(3, 3), check=no_ext4),
        Case("icmpv6 error, rfc 4884 extension after 128 bytes (carried, length 32)", "6",
             err(rtr, dst, 1, 4, ext4884(quoted, 128), word=16 << 24),
             {"icmp_errors_translated": 1, "translated_6to4": 1}, fwd(3, 3), check=ext4_len(32)),
    ]
    return c


def set6(pkt, **f):
    p = IPv6(raw(pkt))
    for k, v in f.items():
        setattr(p, k, v)
    return p


def icmp4_at(b):
    return (b[0] & 15) * 4


def no_ext4(outs):
    """The translated ICMPv4 error carries no RFC 4884 length."""
    for s, b in outs:
        if is4(b) and b[9] == 1 and b[icmp4_at(b) + 5]:
            return "RFC 4884 length %d, expected none" % b[icmp4_at(b) + 5]
    return None


def ext4_len(n):
    """The translated ICMPv4 error's RFC 4884 length is N (32-bit words)."""
    def check(outs):
        for s, b in outs:
            if is4(b) and b[9] == 1 and b[icmp4_at(b) + 5] != n:
                return "RFC 4884 length %d, expected %d" % (b[icmp4_at(b) + 5], n)
        return None
    return check


def ext6_len(n):
    def check(outs):
        for s, b in outs:
            if not is4(b) and b[6] == 58 and b[44] != n:
                return "RFC 4884 length %d, expected %d" % (b[44], n)
        return None
    return check


def src_is(addr):
    def check(outs):
        for s, b in outs:
            got = str(ipaddress.ip_address(b[12:16] if is4(b) else b[8:24]))
            if got != addr:
                return "source %s, expected %s" % (got, addr)
        return None
    return check


def v4_cases(r, src, dst, sport, dport, rtr, quoted):
    """IPv4 arriving at role R's raw PREROUTING for translation."""
    U = IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(b"u" * 32)
    T = IP(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags="S")
    E = IP(src=src, dst=dst) / ICMP(type=8, id=sport, seq=1)
    fwd = r.fwd4
    q = raw(quoted)
    qopt = raw(with_option(quoted, b"\x01\x01\x01\x00"))    # IHL 6: a 4-byte option
    return [
        Case("ipv4 total length beyond the frame (the IPv4 stack drops it)", "4",
             tot4(U, 200, cut=len(raw(U)))),
        Case("ipv4 udp cut to 4 bytes of its header (total length 24)", "4", tot4(U, 24),
             {MALFORMED: 1}),
        Case("ipv4 total length 24, the frame longer (trimmed)", "4",
             tot4(U, 24, cut=len(raw(U))), {MALFORMED: 1}),
        Case("tcp header cut before its checksum (16 bytes)", "4", tot4(T, 36), {MALFORMED: 1}),
        Case("icmp echo cut at 4 bytes", "4", tot4(E, 24), {MALFORMED: 1}),
        Case("ipv4 option with length 1", "4", with_option(U, b"\x07\x01\x00\x00"), {MALFORMED: 1}),
        Case("ipv4 option longer than the header", "4", with_option(U, b"\x07\x0c\x04\x00"),
             {MALFORMED: 1}),
        Case("ipv4 option type at the header's last byte", "4", with_option(U, b"\x01\x01\x01\x07"),
             {MALFORMED: 1}),
        Case("unexpired loose source route: source route failed", "4",
             with_option(U, b"\x83\x07\x04\xc6\x33\x64\x09\x00"), {"dropped_source_route": 1},
             [t("4", 1, 3, 5)]),
        Case("unexpired strict source route: source route failed", "4",
             with_option(U, b"\x89\x07\x04\xc6\x33\x64\x09\x00"), {"dropped_source_route": 1},
             [t("4", 1, 3, 5)]),
        Case("expired loose source route (translated)", "4",
             with_option(U, b"\x83\x07\x08\xc6\x33\x64\x09\x00"), {"translated_4to6": 1}, [t("6", 17)]),
        Case("ttl 1: time exceeded", "4", set4(U, ttl=1), {"dropped_ttl_exceeded": 1}, [t("4", 1, 11, 0)]),
        Case("ttl 0: time exceeded", "4", set4(U, ttl=0), {"dropped_ttl_exceeded": 1}, [t("4", 1, 11, 0)]),
        Case("udp with a zero checksum (RFC 7915 4.5: dropped by default, 3/13 back)", "4",
             IP(src=src, dst=dst) / UDP(sport=sport, dport=dport, chksum=0) / Raw(b"z" * 8),
             {"dropped_udp_zero_checksum": 1}, [t("4", 1, 3, 13)]),
        Case("informational icmp: source quench, redirect, router adv/sol, timestamp, "
             "timestamp reply, info request, address mask, 42", "4",
             [IP(src=src, dst=dst) / ICMP(type=ty, code=0) / Raw(b"\0" * 12)
              for ty in (4, 5, 9, 10, 13, 14, 15, 17, 42)], {UNTRANS: 9}),
        # ICMPv4 errors (RFC 7915 section 4.2)
        Case("icmp port unreachable (translated)", "4", err(rtr, dst, 3, 3, quoted),
             {"icmp_errors_translated": 1, "translated_4to6": 1}, fwd(1, 4)),
        Case("icmp error, quoted packet cut inside its ip header (12 bytes)", "4",
             err(rtr, dst, 3, 3, q[:12]), {MALFORMED: 1}),
        Case("icmp error, quoted packet of 19 bytes", "4",
             err(rtr, dst, 3, 3, q[:19]), {MALFORMED: 1}),
        Case("icmp error, quoted header alone (20 bytes: translated, no ports)", "4",
             err(rtr, dst, 3, 3, q[:20]), r.cut4_stats, r.cut4_out),
        Case("icmp error, quoted packet cut inside the udp header (22 bytes)", "4",
             err(rtr, dst, 3, 3, q[:22]), r.cut4_stats, r.cut4_out),
        Case("icmp error, quoted udp cut before its checksum (26 bytes: no ports either)", "4",
             err(rtr, dst, 3, 3, q[:26]), r.cut4_stats, r.cut4_out),
        Case("icmp error, quoted udp header whole (28 bytes)", "4",
             err(rtr, dst, 3, 3, q[:28]), {"icmp_errors_translated": 1, "translated_4to6": 1}, fwd(1, 4)),
        Case("icmp error, quoted packet claims 65000 bytes (translated)", "4",
             err(rtr, dst, 3, 3, tot4(quoted, 65000, cut=len(q))),
             {"icmp_errors_translated": 1, "translated_4to6": 1}, fwd(1, 4)),
        Case("icmp error, quoted total length below its header length", "4",
             err(rtr, dst, 3, 3, tot4(quoted, 16, cut=len(q))), {MALFORMED: 1}),
        Case("icmp error, quoted packet not ipv4 (version 6)", "4",
             err(rtr, dst, 3, 3, b"\x65" + q[1:]), {MALFORMED: 1}),
        Case("icmp error, quoted header with options cut inside them (IHL 6, 20 bytes)", "4",
             err(rtr, dst, 3, 3, qopt[:20]), {MALFORMED: 1},
             bug="xlat4_parse_any returns the header length (24) for a quoted header longer "
                 "than the bytes quoted; xlat_icmp4_err_parse passes it on and "
                 "mapt_4to6_err takes a positive return for success: the error is "
                 "translated with an all-zero quoted packet (0.0.0.0, protocol 0, port 0)"),
        Case("icmp error, quoted header with options, transport cut (IHL 6, 24 bytes)", "4",
             err(rtr, dst, 3, 3, qopt[:24]), r.cut4_stats, r.cut4_out),
        Case("icmp error quoting an icmp error", "4",
             err(rtr, dst, 11, 0, raw(IP(src=dst, dst=src, proto=1) /
                                      Raw(raw(err(dst, src, 3, 3, raw(IP(src=src, dst=dst) / UDP())))[20:]))),
             {UNTRANS: 1}),
        Case("icmp error with a bad checksum", "4",
             bad_csum(err(rtr, dst, 3, 3, quoted), 20), {"dropped_icmp_bad_checksum": 1}),
        Case("icmp error with no quoted packet (8 bytes)", "4",
             err(rtr, dst, 3, 3, b""), {MALFORMED: 1}),
        Case("icmp error, ttl 1 (no error about an error)", "4",
             err(rtr, dst, 3, 3, quoted, ttl=1), {"dropped_ttl_exceeded": 1}),
        Case("icmp parameter problem pointer 5 (no IPv6 counterpart)", "4",
             err(rtr, dst, 12, 0, quoted, word=5 << 24), {UNTRANS: 1}),
        Case("icmp destination unreachable code 14", "4", err(rtr, dst, 3, 14, quoted), {UNTRANS: 1}),
        Case("icmp error, rfc 4884 length past the end (taken as no extension)", "4",
             err(rtr, dst, 3, 3, quoted, word=60 << 16),
             {"icmp_errors_translated": 1, "translated_4to6": 1}, fwd(1, 4), check=ext6_len(0)),
        Case("icmp error, rfc 4884 length 2 (below 128 bytes: no extension)", "4",
             err(rtr, dst, 3, 3, ext4884(quoted, len(q)), word=2 << 16),
             {"icmp_errors_translated": 1, "translated_4to6": 1}, fwd(1, 4), check=ext6_len(0)),
        Case("icmp error, rfc 4884 extension after 128 bytes (carried, length 16)", "4",
             err(rtr, dst, 3, 3, ext4884(quoted, 128), word=32 << 16),
             {"icmp_errors_translated": 1, "translated_4to6": 1}, fwd(1, 4), check=ext6_len(19)),
    ]


# --- the roles -------------------------------------------------------------------------
class Role:
    def __init__(self, name):
        self.name = name
        self.sock = {}

    def fwd6(self, typ, code):      # a translated ICMPv6 error leaves as ICMPv4
        return [t("4", 1, typ, code)]

    def fwd4(self, typ, code):
        return [t("6", 58, typ, code)]

    cut4_stats = {"icmp_errors_translated": 1, "translated_4to6": 1}

    def cut6(self, n):
        """(counters, output) of an ICMPv6 error quoting N bytes of the
        packet, or None: not a case for this role."""
        return ({"icmp_errors_translated": 1, "translated_6to4": 1}, self.fwd6(3, 3))

    @property
    def cut4_out(self):
        return self.fwd4(1, 4)


class BR(Role):
    """The IPv6 side is CE 11b (and spoofers), the IPv4 side the server."""
    P = 55300

    def sentinel(self, side, tag):
        if side == "4":
            return IP(src=SERVER4, dst=CE11B_4) / UDP(sport=9, dport=self.P) / Raw(tag)
        return IPv6(src=CE11B, dst=SERVER6) / UDP(sport=self.P, dport=9) / Raw(tag)

    # An IPv4 error about a packet of CE 11b whose ports are unknown (cut):
    # the BR cannot tell which CE of 192.0.2.8 it is for (13 EA bits, 5 of
    # PSID): not its packet (XT_CONTINUE), and the BR has no IPv4 route to
    # 192.0.2.0/24 but the translation, so IPv4 routing drops it.
    cut4_stats = {}
    cut4_out = ()

    def cases(self):
        q6 = IPv6(src=SERVER6, dst=CE11B) / UDP(sport=7000, dport=self.P) / Raw(b"q" * 40)
        q4 = IP(src=CE11B_4, dst=SERVER4, id=7) / UDP(sport=self.P, dport=7000) / Raw(b"q" * 40)
        c = v6_cases(self, CE11B, SERVER6, self.P, 7000, CE11B, q6)
        c += v4_cases(self, SERVER4, CE11B_4, 7000, self.P, RTR4, q4)
        c += [
            Case("spoofed: CE 11b's address from port 1000 (not its set): ICMPv6 1/5", "6",
                 IPv6(src=CE11B, dst=SERVER6) / UDP(sport=1000, dport=7000),
                 {"dropped_spoofed": 1}, [t("6", 58, 1, 5)]),
            Case("spoofed: CE 11b's prefix with another interface identifier: ICMPv6 1/5", "6",
                 IPv6(src="2001:db8:ce:11b::1", dst=SERVER6) / UDP(sport=self.P, dport=7000),
                 {"dropped_spoofed": 1}, [t("6", 58, 1, 5)]),
            Case("spoofed: echo request from CE 11b, identifier 7 (not its set)", "6",
                 IPv6(src=CE11B, dst=SERVER6) / ICMPv6EchoRequest(id=7),
                 {"dropped_spoofed": 1}, [t("6", 58, 1, 5)]),
            # RFC 7757 section 4: the hairpinned request's source is the
            # DMR form 64:ff9b::c000:208, so CE 11b's reply crosses the BR too
            Case("hairpin: CE 11b's echo request to its own IPv4 address and its reply, turned around once each", "6",
                 IPv6(src=CE11B, dst="64:ff9b::c000:208") / ICMPv6EchoRequest(id=self.P),
                 {"translated_6to4": 2, "hairpinned": 2, "translated_4to6": 2},
                 [t("6", 58, 128, 0), t("6", 58, 129, 0)]),
            Case("icmpv6 error from an IPv6 router no rule maps (no icmp-source-ipv4)", "6",
                 err(RTR6X, SERVER6, 1, 4, q6), {"dropped_icmp_no_source": 1}),
            Case("icmpv6 error from CE 11b's prefix, wrong interface identifier", "6",
                 err("2001:db8:ce:11b::1", SERVER6, 1, 4, q6), {"dropped_icmp_no_source": 1}),
            Case("icmpv6 error quoting a packet to CE 11b for a port not its own", "6",
                 err(CE11B, SERVER6, 1, 4, IPv6(src=SERVER6, dst=CE11B) / UDP(sport=7000, dport=1000)),
                 {"dropped_unmapped": 1}),
            Case("ipv4 with DF, 1400 bytes, for the 1400-byte IPv6 link: fragmentation needed 1380",
                 "4", IP(src=SERVER4, dst=CE11B_4, flags="DF") / UDP(sport=7000, dport=self.P) /
                 Raw(b"f" * 1372), {"frag_needed_sent": 1}, [t("4", 1, 3, 4)],
                 check=mtu4(1380)),
            Case("ipv4 of 1300 bytes for CE 774, whose prefix is unreachable", "4",
                 IP(src=SERVER4, dst=CE774_4) / UDP(sport=7000, dport=40961) / Raw(b"n" * 1272),
                 {"dropped_no_route": 1}),
            Case("ipv4 to 192.0.2.8 with no port (protocol 253): not the BR's (no counter)", "4",
                 IP(src=SERVER4, dst=CE11B_4, proto=253) / Raw(b"x" * 16), {}, [], back=False),
        ]
        return c


def mtu4(m):
    def check(outs):
        for s, b in outs:
            got = struct.unpack("!H", b[icmp4_at(b) + 6:icmp4_at(b) + 8])[0]
            if got != m:
                return "MTU %d, expected %d" % (got, m)
        return None
    return check


class CE(Role):
    """The LAN client 192.168.0.4 on the IPv4 side; the BR and the IPv4
    Internet (by the DMR) on the IPv6 side. P: the port SNATPSID gave the
    client's UDP 7000 -> server 7000 (setup())."""
    P = None

    def setup(self, run):
        outs = run(self, "4", [raw(IP(src=LAN4, dst=SERVER4) / UDP(sport=7000, dport=7000) / Raw(b"setup"))])
        for s, b in outs:
            if s == "6" and b[6] == 17 and b"setup" in b:
                self.P = struct.unpack("!H", b[40:42])[0]
        return self.P

    def sentinel(self, side, tag):
        if side == "4":
            return IP(src=LAN4, dst=SERVER4) / UDP(sport=9, dport=9) / Raw(tag)
        return IPv6(src=SERVER6, dst=CE11B) / UDP(sport=7000, dport=self.P) / Raw(tag)

    def cut6(self, n):
        """Translated; conntrack relates the IPv4 error to the client's UDP
        by the quoted ports, but NAT must rewrite the whole quoted UDP
        header (8 bytes) and drops the error when it is cut shorter. With
        no ports nothing relates it: not a case here (it would be forwarded
        back out of the wan)."""
        if n < 44:
            return None
        return ({"icmp_errors_translated": 1, "translated_6to4": 1},
                self.fwd6(3, 3) if n >= 48 else [])

    def cases(self):
        P = self.P
        q6 = IPv6(src=CE11B, dst=SERVER6) / UDP(sport=P, dport=7000) / Raw(b"q" * 40)
        c = v6_cases(self, SERVER6, CE11B, 7000, P, RTR4_6, q6)
        # an error to the LAN client about its NATed UDP, and one about nothing
        qlan = IP(src=SERVER4, dst=LAN4) / UDP(sport=7000, dport=7000) / Raw(b"q" * 20)
        c += [
            Case("port 1000 at CE 11b (not its set)", "6",
                 IPv6(src=SERVER6, dst=CE11B) / UDP(sport=7000, dport=1000), {"dropped_port_not_ours": 1}),
            Case("echo request to CE 11b, identifier 7 (not its set)", "6",
                 IPv6(src=SERVER6, dst=CE11B) / ICMPv6EchoRequest(id=7), {"dropped_port_not_ours": 1}),
            Case("protocol 253 to CE 11b (no port to check)", "6",
                 IPv6(src=SERVER6, dst=CE11B, nh=253) / Raw(b"x" * 16), {"dropped_port_not_ours": 1}),
            Case("udp to CE 11b's port from a source nothing maps", "6",
                 IPv6(src=RTR6X, dst=CE11B) / UDP(sport=7000, dport=P), {"dropped_unmapped": 1}),
            Case("icmpv6 error from an IPv6 router no rule maps (no icmp-source-ipv4)", "6",
                 err(RTR6X, CE11B, 1, 4, q6), {"dropped_icmp_no_source": 1}),
            Case("lan: udp with a zero checksum (SNATed, then dropped, 3/13 back)", "4",
                 IP(src=LAN4, dst=SERVER4) / UDP(sport=7001, dport=7000, chksum=0) / Raw(b"z" * 8),
                 {"dropped_udp_zero_checksum": 1}, [t("4", 1, 3, 13)]),
            Case("lan: icmp timestamp request", "4",
                 IP(src=LAN4, dst=SERVER4) / ICMP(type=13, id=P) / Raw(b"\0" * 12), {UNTRANS: 1}),
            # What the NAT leaves alone never leaves with the LAN's
            # address (issue 19: a CE sends only what it owns).
            Case("lan: TCP SYN+FIN (conntrack INVALID, not NATed): not sent", "4",
                 IP(src=LAN4, dst=SERVER4) / TCP(sport=7010, dport=80, flags="SF"),
                 {"dropped_source_not_ce": 1}),
            Case("lan: TCP cut after 8 bytes of its header (INVALID, malformed for MAPT too): not sent", "4",
                 IP(src=LAN4, dst=SERVER4, proto=6) / Raw(b"\x1b\x62\x00\x50\x00\x00\x00\x01"),
                 {"dropped_malformed": 1}),
            Case("lan: protocol 253 (SNATPSID maps its address alone): no port of the set, not sent", "4",
                 IP(src=LAN4, dst=SERVER4, proto=253) / Raw(b"x" * 16),
                 {"dropped_source_not_ce": 1}),
            Case("lan: icmp error about a connection the CE has not (not SNATed)", "4",
                 err(LAN4, SERVER4, 3, 3, IP(src=SERVER4, dst=LAN4) / UDP(sport=7000, dport=5555)),
                 {"dropped_source_not_ce": 1}),
            Case("lan: icmp error about the client's NATed UDP (translated)", "4",
                 err(LAN4, SERVER4, 3, 3, qlan),
                 {"icmp_errors_translated": 1, "translated_4to6": 1}, [t("6", 58, 1, 4)]),
            Case("lan: udp to CE 774 (by the FMR), whose prefix has no route", "4",
                 IP(src=LAN4, dst=CE774_4) / UDP(sport=7002, dport=40961), {"dropped_no_route": 1}),
            Case("lan: ttl 1 (the IPv4 forwarding's time exceeded, before MAPT)", "4",
                 set4(IP(src=LAN4, dst=SERVER4) / UDP(sport=7003, dport=7000), ttl=1), {},
                 [t("4", 1, 11, 0)]),
        ]
        return c


class CLAT(Role):
    def sentinel(self, side, tag):
        if side == "4":
            return IP(src=CLIENT4, dst=SRV4) / UDP(sport=9, dport=9) / Raw(tag)
        return IPv6(src=SRV6, dst=CLIENT6) / UDP(sport=9, dport=9) / Raw(tag)

    def cases(self):
        q6 = IPv6(src=CLIENT6, dst=SRV6) / UDP(sport=40000, dport=7000) / Raw(b"q" * 40)
        q4 = IP(src=SRV4, dst=CLIENT4, id=7) / UDP(sport=7000, dport=40000) / Raw(b"q" * 40)
        c = v6_cases(self, SRV6, CLIENT6, 7000, 40000, SRV_RTR6, q6)
        # the IPv4 side is the LAN: the client's errors quote what the server sent
        c += v4_cases(self, CLIENT4, SRV4, 40000, 7000, CLIENT4, q4)
        c += [
            Case("icmpv6 error from an IPv6 router no rule maps: icmp-source-ipv4 192.0.0.8", "6",
                 err(RTR6X, CLIENT6, 1, 4, q6), {"icmp_errors_translated": 1, "translated_6to4": 1},
                 [t("4", 1, 3, 3)], check=src_is("192.0.0.8")),
        ]
        return c


ROLES = [BR("br"), CE("ce"), CLAT("clat")]


# --- running ----------------------------------------------------------------------------
def read_stats(fd):
    os.lseek(fd, 0, os.SEEK_SET)
    data = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    return {k: int(v) for k, v in (ln.split() for ln in data.decode().splitlines() if ln.strip())}


def run(role, side, pkts, n=[0], timeout=5.0):
    """Send PKTS and a sentinel from SIDE; what came out: [(side, bytes)].
    The sentinel is the last packet out; None when it never came."""
    other = "6" if side == "4" else "4"
    n[0] += 1
    tag = b"sentinel %d %s" % (n[0], role.name.encode())
    s = role.sock
    drain(s[side]), drain(s[other])
    for p in pkts:
        s[side].send(frame(side, p))
    s[side].send(frame(side, raw(role.sentinel(side, tag))))
    got, end = [], time.time() + timeout
    while time.time() < end:
        select.select([s[other]], [], [], 0.2)
        for b in drain(s[other]):
            if tag in b:
                # an earlier sentinel's answer (an ICMP error quoting it,
                # rate-limited, late) is none of this case's output
                return [(side, b) for b in drain(s[side]) if b"sentinel " not in b] + got
            if b"sentinel " not in b:
                got.append((other, b))
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--skip", default="^$", help="leave out the cases matching this regex")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    os.sched_setaffinity(0, {0})     # one CPU: the sentinel comes after the case
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    for r in ROLES:
        if not a.list:
            r.sock = {"4": ns_socket(r.name + "4", "s0"), "6": ns_socket(r.name + "6", "s0")}
            ns_socket(r.name, "lo").close()
            r.stats_fd = os.open("/proc/self/net/xt_MAPT", os.O_RDONLY)
    libc.setns(home, 0x40000000)
    failed, seen = 0, {}
    for r in ROLES:
        if isinstance(r, CE) and not a.list:
            if r.setup(run) is None:
                print("not ok - ce: setup: the client's UDP did not come out translated")
                failed += 1
                continue
            print("# ce: SNATPSID gave the client's UDP 7000 port %d" % r.P)
        elif isinstance(r, CE):
            r.P = 55300
        lost = 0
        for c in r.cases():
            name = "%s: %s" % (r.name, c.name)
            if lost >= 3:
                print("not ok - %s (skipped: the sentinel is lost)" % name)
                failed += 1
                continue
            if not re.search(a.only, name) or re.search(a.skip, name):
                continue
            if a.list:
                print(name)
                continue
            before = read_stats(r.stats_fd)
            outs = run(r, c.side, c.pkts)
            want = dict(c.stats)
            key = "translated_4to6" if c.side == "4" else "translated_6to4"
            want[key] = want.get(key, 0) + 1       # the sentinel
            lines = []
            lost = lost + 1 if outs is None else 0
            if outs is None:
                lines.append("the sentinel did not come through")
                outs = []
            for _ in range(20):                     # a late count: poll, briefly
                after = read_stats(r.stats_fd)
                delta = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
                if delta == want:
                    break
                time.sleep(0.05)
            if delta != want:
                lines.append("counters: expected %s, saw %s" % (want, delta))
            for k, v in delta.items():
                seen[k] = seen.get(k, 0) + v
            got = sorted(out_kind(s, b) for s, b in outs if c.back or s != c.side)
            if got != list(c.out):
                lines.append("output: expected %s, saw %s" % (list(c.out) or "nothing", got or "nothing"))
            for s, b in outs:
                if checksums(b):
                    lines.append("side %s: %s" % (s, checksums(b)))
            if c.check and not lines:
                why = c.check(outs)
                if why:
                    lines.append(why)
            if lines:
                for s, b in outs:
                    lines.append("side %s: %s" % (s, b.hex()))
            if c.bug:
                lines.insert(0, "BUG (known, the lead has it): " + c.bug) if lines else None
            print("%s - %s" % ("not ok" if lines else "ok", name))
            for ln in lines:
                print("    " + ln)
            failed += bool(lines)
    if not a.list:
        print("# counters moved: " + ", ".join("%s %d" % kv for kv in sorted(seen.items())))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
