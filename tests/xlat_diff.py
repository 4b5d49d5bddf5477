#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The differential of tests/mapt_vs_jool.sh: the same crafted packets
through two RFC 7915 translators configured alike, their outputs compared
byte by byte.

Each translator X (a, b) sits in namespace xX between an IPv4 side X4 and
an IPv6 side X6 (device eth0 in both, no addresses: this script sends and
receives Ethernet frames there). Every case sends its packets from one side
of both translators, then a sentinel datagram; what comes out on the other
side before the sentinel, and what came back on the sending side (ICMP
errors of the translator), is the case's output. The two outputs must be
identical, or differ only in a field ALLOWED lists with the RFC section
that allows it. A case may also state what RFC 7915 expects (EXPECT): the
second translator (ours) must meet it; where the first (Jool) does not, a
"# note" says so, and the outputs need not be identical. Fragments are
compared like everything else: each is translated on its own (RFC 7915
sections 4.1 and 5.1.1).

  xlat_diff.py [--names jool,ours] [--only REGEX] [--list]

Scapy from Debian (/usr/bin/python3).
"""
import argparse
import ctypes
import os
import re
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pkt import Packet, Packet4, ones_sum  # noqa: E402  checksum checks

import logging  # noqa: E402
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (IP, IPv6, TCP, UDP, ICMP, ICMPv6EchoRequest,  # noqa: E402  # noqa: E402
                       ICMPv6EchoReply, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, IPv6ExtHdrFragment,
                       PadN, Raw, raw, NoPayload, ConditionalField)

# --- the network (tests/mapt_vs_jool.sh builds it) --------------------------
MAC_X4, MAC_H4 = "02:00:00:00:04:01", "02:00:00:00:04:02"
MAC_X6, MAC_H6 = "02:00:00:00:06:01", "02:00:00:00:06:02"
H4 = "198.51.100.2"          # IPv4 host on the IPv4 side: 64:ff9b::c633:6402
H4_6 = "64:ff9b::c633:6402"  # (pool6/DMR 64:ff9b::/96, RFC 6052 section 2.2)
H4E = "203.0.113.2"          # behind it, by EAM 203.0.113.0/24 <-> 2001:db8:4::/120
H4E_6 = "2001:db8:4::2"
R4E = "203.0.113.254"        # an IPv4 router, by the same EAM
H6 = "2001:db8:6::2"         # IPv6 host, by EAM 192.0.2.0/24 <-> 2001:db8:6::/120
H6_4 = "192.0.2.2"
R6 = "2001:db8:6::fe"        # an IPv6 router, 192.0.2.254 by the same EAM
R6X = "2001:db8:ffff::1"     # an IPv6 router no mapping covers (RFC 6791)
MTU6 = 1300                  # the IPv6 side's links; the IPv4 side's are 1500
ROUTE1000_6 = "2001:db8:4::c8"   # 203.0.113.200 by EAM: its IPv4 route has MTU 1000
H6B = "2001:db8:6::3"        # another IPv6 host by EAM (192.0.2.3)
H6B_POOL6 = "64:ff9b::c000:203"  # 192.0.2.3 in pool6/DMR form (hairpinning)
H6_POOL6 = "64:ff9b::c000:202"   # 192.0.2.2 (H6_4) in pool6/DMR form

# --- the cases ----------------------------------------------------------------
CASES = []   # (name, side the packets are sent from: "4" or "6", [packets], expect)


def case(name, side, pkts, expect=None):
    CASES.append((name, side, pkts if isinstance(pkts, list) else [pkts], expect))


def frag4(pkt, size):
    """IPv4 fragments of PKT, SIZE bytes of payload each (a multiple of 8)."""
    pkt = IP(raw(pkt))
    body, hdr, out = raw(pkt.payload), pkt.copy(), []
    for off in range(0, len(body), size):
        f = hdr.copy()
        f.remove_payload()
        f.flags = "MF" if off + size < len(body) else 0
        f.frag, f.len, f.chksum = off // 8, None, None
        out.append(IP(raw(f / Raw(body[off:off + size]))))
    return out


def frag6(pkt, size, ident):
    """IPv6 fragments of PKT (no extension header), SIZE bytes each."""
    pkt = IPv6(raw(pkt))
    nh, body, out = pkt.nh, raw(pkt.payload), []
    for off in range(0, len(body), size):
        f = IPv6(src=pkt.src, dst=pkt.dst, hlim=pkt.hlim, tc=pkt.tc, fl=pkt.fl) / \
            IPv6ExtHdrFragment(nh=nh, id=ident, offset=off // 8, m=int(off + size < len(body))) / \
            Raw(body[off:off + size])
        out.append(IPv6(raw(f)))
    return out


def with_option(pkt, opt):
    """PKT with the IPv4 option OPT (bytes, padded to 4), the transport
    checksum computed on the header's destination (scapy would take a
    source route's last address)."""
    b = bytearray(raw(pkt))
    b = b[:20] + opt + b[20:]
    b[0] = 0x40 | (20 + len(opt)) // 4
    b[2:4] = struct.pack("!H", len(b))
    b[10:12] = b"\0\0"
    b[10:12] = struct.pack("!H", 0xFFFF - ones_sum(bytes(b[:20 + len(opt)])))
    return IP(bytes(b))


def tos_is(tos):
    """EXPECT: IPv4 out, its TOS byte TOS (RFC 7915 section 5.1 copies the
    whole Traffic Class)."""
    def check(out):
        seen = [b[1] for s, b in out if s == "4" and is4(b)]
        return None if seen and all(t == tos for t in seen) else \
            "RFC 7915 section 5.1: TOS 0x%02x, saw %s" % (tos, [hex(t) for t in seen] or "nothing")
    return check


def payload(n, c=b"d"):
    return Raw(c * n)


# --- fragments: what RFC 7915 sections 4.1 and 5.1.1 make of each -------------
def f4(b):
    """(id, DF, MF, offset in 8 bytes, protocol, payload) of IPv4 bytes B."""
    ihl = (b[0] & 15) * 4
    fl = struct.unpack("!H", b[6:8])[0]
    tot = struct.unpack("!H", b[2:4])[0]
    return (struct.unpack("!H", b[4:6])[0], fl >> 14 & 1, fl >> 13 & 1, fl & 0x1FFF, b[9],
            bytes(b[ihl:tot]))


def f6(b):
    """(id, M, offset in 8 bytes, next header, payload) of IPv6 bytes B
    whose first header after the IPv6 one is a Fragment Header; None when
    it has none."""
    if b[0] >> 4 == 4 or b[6] != 44:
        return None
    off = struct.unpack("!H", b[42:44])[0]
    plen = struct.unpack("!H", b[4:6])[0]
    return (struct.unpack("!I", b[44:48])[0], off & 1, off >> 3, b[40], bytes(b[48:40 + plen]))


def same_data(first, proto, a, b):
    """A first fragment's payload A and B agree but for the transport
    checksum (the pseudo-header changed); a non-first's are equal."""
    at = {6: 16, 17: 6}.get(proto) if first else None
    if at is None or len(a) < at + 2:
        return a == b
    return len(a) == len(b) and a[:at] == b[:at] and a[at + 2:] == b[at + 2:]


def one_each_46(sent):
    """EXPECT: each IPv4 fragment SENT leaves as one IPv6 fragment, in
    order (RFC 7915 section 4.1: Fragment Header with Identification = the
    IPv4 ID zero-extended, M = MF, offset = the IPv4 offset; nothing
    reassembled, nothing held)."""
    sent = [f4(raw(p)) for p in sent]

    def check(out):
        if [s for s, _ in out] != ["6"] * len(sent):
            return "RFC 7915 section 4.1: %d IPv6 fragments, saw %s" % (
                len(sent), [kind(s, b) for s, b in out] or "nothing")
        for i, ((ident, _df, mf, off, proto, data), (_, b)) in enumerate(zip(sent, out)):
            g = f6(b)
            if g is None:
                return "packet %d: no Fragment Header" % i
            if g[:4] != (ident, mf, off, proto):
                return "packet %d: Fragment Header id 0x%x M %d offset %d nh %d, want 0x%x %d %d %d" % (
                    (i,) + g[:4] + (ident, mf, off, proto))
            if not same_data(off == 0, proto, data, g[4]):
                return "packet %d: the fragment's data changed (%d bytes, sent %d)" % (i, len(g[4]), len(data))
        return None
    return check


def one_each_64(sent):
    """EXPECT: each IPv6 fragment SENT leaves as one IPv4 fragment, in
    order (RFC 7915 section 5.1.1: Identification = the low 16 bits of the
    Fragment Header's, DF 0, MF = M, offset copied)."""
    sent = [f6(raw(p)) for p in sent]

    def check(out):
        if [s for s, _ in out] != ["4"] * len(sent):
            return "RFC 7915 section 5.1.1: %d IPv4 fragments, saw %s" % (
                len(sent), [kind(s, b) for s, b in out] or "nothing")
        for i, ((ident, m, off, nh, data), (_, b)) in enumerate(zip(sent, out)):
            g = f4(b)
            want = (ident & 0xFFFF, 0, m, off, 1 if nh == 58 else nh)
            if g[:5] != want:
                return "packet %d: IPv4 id 0x%x DF %d MF %d offset %d proto %d, want 0x%x %d %d %d %d" % (
                    (i,) + g[:5] + want)
            if not same_data(off == 0, nh, data, g[5]):
                return "packet %d: the fragment's data changed (%d bytes, sent %d)" % (i, len(g[5]), len(data))
        return None
    return check


def split46(ident, off0, more, size, mtu=1280):
    """EXPECT: an IPv4 packet (or fragment) with DF clear, SIZE bytes of
    payload at offset OFF0 (8-byte units), MF MORE, leaves as IPv6
    fragments of at most MTU bytes each (RFC 7915 section 4.1: fragment to
    lowest-ipv6-mtu, default 1280), Identification IDENT, offsets
    contiguous, M set on all but the last (which keeps MORE)."""
    def check(out):
        if len(out) < 2 or any(s != "6" or f6(b) is None for s, b in out):
            return "RFC 7915 section 4.1: IPv6 fragments of at most %d bytes, saw %s" % (
                mtu, [(kind(s, b), len(b)) for s, b in out] or "nothing")
        at, total = off0, 0
        for i, (_, b) in enumerate(out):
            ident_, m, off, _nh, data = f6(b)
            last = i == len(out) - 1
            why = ("%d bytes" % len(b) if len(b) > mtu else
                   "id 0x%x" % ident_ if ident_ != ident else
                   "offset %d, want %d" % (off, at) if off != at else
                   "M %d" % m if m != (more if last else 1) else
                   "%d bytes of data, not a multiple of 8" % len(data) if not last and len(data) % 8 else "")
            if why:
                return "RFC 7915 section 4.1: fragment %d: %s (%s)" % (
                    i, why, [(len(x), f6(x)[1:3]) for _, x in out])
            at += len(data) // 8
            total += len(data)
        return None if total == size else "the fragments hold %d bytes, sent %d" % (total, size)
    return check


def split4(mtu, ident=None, more=0):
    """EXPECT: IPv4 fragments of at most MTU bytes (the IPv4 route's), all
    with one Identification (IDENT when given), DF 0, MF on all but the
    last (which keeps MORE)."""
    def check(out):
        if len(out) < 2 or any(s != "4" or not is4(b) for s, b in out):
            return "IPv4 fragments of at most %d bytes, saw %s" % (
                mtu, [(kind(s, b), len(b)) for s, b in out] or "nothing")
        ids = {f4(b)[0] for _, b in out}
        for i, (_, b) in enumerate(out):
            _id, df, mf, _off, _p, _d = f4(b)
            if len(b) > mtu or df or mf != (more if i == len(out) - 1 else 1):
                return "fragment %d: %d bytes DF %d MF %d" % (i, len(b), df, mf)
        if len(ids) != 1 or (ident is not None and ids != {ident}):
            return "Identifications %s, want %s" % ([hex(x) for x in ids], hex(ident) if ident else "one")
        return None
    return check


def atomic64(ident, proto):
    """EXPECT: one IPv4 packet, Identification the low 16 bits of IDENT,
    DF 0, MF 0, offset 0, protocol PROTO (RFC 7915 section 5.1.1)."""
    def check(out):
        if len(out) != 1 or out[0][0] != "4" or not is4(out[0][1]):
            return "RFC 7915 section 5.1.1: one IPv4 packet, saw %s" % ([kind(s, b) for s, b in out] or "nothing")
        g = f4(out[0][1])[:5]
        want = (ident & 0xFFFF, 0, 0, 0, proto)
        return None if g == want else \
            "RFC 7915 section 5.1.1: id 0x%x DF %d MF %d offset %d proto %d, want 0x%x %d %d %d %d" % (g + want)
    return check


def icmp_word(side, typ, code, word):
    """EXPECT: one ICMP error on SIDE, TYPE/CODE, its 32-bit word (MTU) WORD."""
    def check(out):
        k = [kind(s, b) for s, b in out]
        if len(out) != 1 or k[0][0] != side or k[0][2:] != (typ, code):
            return "one ICMP %d/%d on side %s, saw %s" % (typ, code, side, k or "nothing")
        b = out[0][1]
        off = (b[0] & 15) * 4 if is4(b) else 40
        w = struct.unpack("!I", b[off + 4:off + 8])[0]
        return None if w == word else "ICMP %d/%d word %d, want %d" % (typ, code, w, word)
    return check


def quoted4(typ, code, ident, mf, off):
    """EXPECT: one ICMPv4 TYPE/CODE whose quoted IPv4 header has
    Identification IDENT, DF 0, MF MF, offset OFF (RFC 7915 section 5.3,
    as 5.1.1 for the outer header)."""
    def check(out):
        k = [kind(s, b) for s, b in out]
        if len(out) != 1 or k[0][:4] != ("4", 1, typ, code):
            return "one ICMPv4 %d/%d, saw %s" % (typ, code, k or "nothing")
        b = out[0][1]
        q = (b[0] & 15) * 4 + 8
        g = f4(b[q:] + b"\0" * 20)[:4] if len(b) >= q + 20 else None
        want = (ident, 0, mf, off)
        return None if g == want else \
            "RFC 7915 section 5.3: quoted id/DF/MF/offset %s, want %s" % (g, want)
    return check


def quoted6(typ, code, ident, m, off):
    """EXPECT: one ICMPv6 TYPE/CODE whose quoted IPv6 header has a
    Fragment Header with Identification IDENT, M, offset OFF (RFC 7915
    section 4.3, as 4.1 for the outer header)."""
    def check(out):
        k = [kind(s, b) for s, b in out]
        if len(out) != 1 or k[0][:4] != ("6", 58, typ, code):
            return "one ICMPv6 %d/%d, saw %s" % (typ, code, k or "nothing")
        b = out[0][1]
        g = f6(b[48:]) if len(b) >= 48 + 48 else None
        want = (ident, m, off)
        return None if g and g[:3] == want else \
            "RFC 7915 section 4.3: quoted Fragment Header %s, want %s" % (g and g[:3], want)
    return check


def hairpin_frags(sent, src, dst):
    """EXPECT: each IPv6 fragment SENT back out alone as an IPv6 fragment
    SRC > DST, in order: translated to IPv4 (Identification the low 16 bits,
    RFC 7915 section 5.1.1) and back (that Identification zero-extended,
    section 4.1), offsets and M kept."""
    sent = [f6(raw(p)) for p in sent]

    def check(out):
        if len(out) != len(sent) or any(s != "6" or f6(b) is None for s, b in out):
            return "RFC 7757 section 4: %d IPv6 fragments back, saw %s" % (
                len(sent), [kind(s, b) for s, b in out] or "nothing")
        for i, ((ident, m, off, nh, data), (_, b)) in enumerate(zip(sent, out)):
            p, g = IPv6(b), f6(b)
            want = (src, dst, ident & 0xFFFF, m, off, nh)
            got = (p.src, p.dst) + g[:4]
            if got != want:
                return "fragment %d: %s > %s id 0x%x M %d offset %d nh %d, want %s > %s 0x%x %d %d %d" % (
                    (i,) + got + want)
            if not same_data(off == 0, nh, data, g[4]):
                return "fragment %d: its data changed" % i
        return None
    return check


def hairpin(src, dst, proto):
    """EXPECT: one IPv6 packet back on the IPv6 side from SRC to DST,
    protocol PROTO (RFC 7757 section 4: a hairpinned packet's source takes
    the pool6/DMR form of its IPv4 address)."""
    def check(out):
        p = [IPv6(b) for s, b in out if s == "6" and not is4(b)]
        if len(out) != 1 or len(p) != 1:
            return "RFC 7757 section 4: one IPv6 packet back, saw %s" % ([kind(s, b) for s, b in out] or "nothing")
        got = (p[0].src, p[0].dst, p[0].nh)
        return None if got == (src, dst, proto) else \
            "RFC 7757 section 4: %s > %s nh %d, want %s > %s nh %d" % (got + (src, dst, proto))
    return check


# IPv4 -> IPv6 (RFC 7915 section 4)
U4 = IP(src=H4, dst=H6_4, id=0x1234, flags="DF") / UDP(sport=40001, dport=7000) / payload(100)
case("4to6 tcp syn, tos 0x28", "4",
     IP(src=H4, dst=H6_4, id=0x1111, flags="DF", tos=0x28) /
     TCP(sport=40000, dport=80, flags="S", seq=1000, options=[("MSS", 1460), ("SAckOK", b"")]),
     ("6", 6))
case("4to6 tcp data from an EAM source", "4",
     IP(src=H4E, dst=H6_4, flags="DF") / TCP(sport=40000, dport=80, flags="PA", seq=1, ack=2) /
     payload(300), ("6", 6))
case("4to6 udp", "4", U4, ("6", 17))
case("4to6 udp, DF clear, ECN CE", "4",
     IP(src=H4, dst=H6_4, id=0x2222, tos=0x03) / UDP(sport=40001, dport=7000) / payload(60), ("6", 17))
case("4to6 udp zero checksum: dropped, 3/13 back", "4",   # RFC 7915 section 4.5, `udp-zero-checksum drop`
     IP(src=H4, dst=H6_4, flags="DF") / UDP(sport=40001, dport=7000, chksum=0) / payload(40), ("4", 1, 3, 13))
case("4to6 icmp echo request", "4",
     IP(src=H4, dst=H6_4, flags="DF") / ICMP(type=8, id=0x4242, seq=1) / payload(56), ("6", 58, 128, 0))
case("4to6 icmp echo reply", "4",
     IP(src=H4, dst=H6_4) / ICMP(type=0, id=0x4243, seq=2) / payload(56), ("6", 58, 129, 0))
case("4to6 unknown protocol 253", "4", IP(src=H4, dst=H6_4, proto=253) / payload(32), ("6", 253))
case("4to6 ttl 1: time exceeded", "4",
     IP(src=H4, dst=H6_4, ttl=1) / UDP(sport=40001, dport=7000) / payload(20), ("4", 1, 11, 0))
case("4to6 ttl 2", "4", IP(src=H4, dst=H6_4, ttl=2) / UDP(sport=40001, dport=7000) / payload(20),
     ("6", 17))
case("4to6 ipv4 option record route (ignored)", "4",
     with_option(IP(src=H4, dst=H6_4) / UDP(sport=40001, dport=7000) / payload(20),
                 b"\x07\x07\x04\0\0\0\0\0"), ("6", 17))
case("4to6 ipv4 unexpired loose source route: source route failed", "4",
     with_option(IP(src=H4, dst=H6_4) / UDP(sport=40001, dport=7000) / payload(20),
                 b"\x83\x07\x04\xc0\x00\x02\x09\0"), ("4", 1, 3, 5))
case("4to6 ipv4 expired loose source route (ignored)", "4",
     with_option(IP(src=H4, dst=H6_4) / UDP(sport=40001, dport=7000) / payload(20),
                 b"\x83\x07\x08\xc0\x00\x02\x09\0"), ("6", 17))
case("4to6 DF set, too big for the IPv6 link: fragmentation needed", "4",
     IP(src=H4, dst=H6_4, flags="DF") / UDP(sport=40001, dport=7000) / payload(1372),
     icmp_word("4", 3, 4, MTU6 - 20))
case("4to6 DF set, 1270 bytes: fits the 1300-byte IPv6 link whole", "4",
     IP(src=H4, dst=H6_4, id=0x3330, flags="DF") / UDP(sport=40001, dport=7000) / payload(1242), ("6", 17))
case("4to6 DF clear, 1260 bytes: 1280 after translation, whole", "4",
     IP(src=H4, dst=H6_4, id=0x3331) / UDP(sport=40001, dport=7000) / payload(1232), ("6", 17))
case("4to6 DF clear, 1270 bytes: fits the IPv6 link, not lowest-ipv6-mtu 1280: IPv6 fragments", "4",
     IP(src=H4, dst=H6_4, id=0x3332) / UDP(sport=40001, dport=7000) / payload(1242),
     split46(0x3332, 0, 0, 1250))
case("4to6 DF clear, too big for the IPv6 link: IPv6 fragments", "4",
     IP(src=H4, dst=H6_4, id=0x3333) / UDP(sport=40001, dport=7000) / payload(1372),
     split46(0x3333, 0, 0, 1380))
BIG4 = frag4(IP(src=H4, dst=H6_4, id=0x3334) / UDP(sport=40001, dport=7000) / payload(2792), 1400)
case("4to6 first fragment of 1420 bytes, too big for 1280: IPv6 fragments, M on all", "4",
     BIG4[0], split46(0x3334, 0, 1, 1400))
case("4to6 last fragment of 1420 bytes, too big for 1280: IPv6 fragments from its offset", "4",
     BIG4[1], split46(0x3334, 175, 0, 1400))
# Fragments translated one by one (RFC 7915 section 4.1), none waiting
# for another: 408 bytes of UDP in three fragments of 136.
F4 = frag4(IP(src=H4, dst=H6_4, id=0x4444) / UDP(sport=40001, dport=7000) / payload(400), 208)
case("4to6 fragments, first and last", "4", F4, one_each_46(F4))
F43 = frag4(IP(src=H4, dst=H6_4, id=0x4447) / UDP(sport=40001, dport=7000) / payload(400), 136)
case("4to6 fragments, first, middle and last", "4", F43, one_each_46(F43))
F43R = frag4(IP(src=H4, dst=H6_4, id=0x4448) / UDP(sport=40001, dport=7000) / payload(400), 136)[::-1]
case("4to6 fragments out of order: last, middle, first", "4", F43R, one_each_46(F43R))
F4O = frag4(IP(src=H4, dst=H6_4, id=0x4449) / UDP(sport=40001, dport=7000) / payload(400), 208)
F4O = [F4O[0], frag4(IP(src=H4, dst=H6_4, id=0x4449) / UDP(sport=40001, dport=7000) / payload(400), 104)[1]] + F4O[1:]
case("4to6 fragments overlapping (offset 104 inside the first)", "4", F4O, one_each_46(F4O))
F4A = frag4(IP(src=H4, dst=H6_4, id=0x4445) / UDP(sport=40001, dport=7000) / payload(400), 136)
case("4to6 first fragment alone", "4", F4A[:1], one_each_46(F4A[:1]))
case("4to6 middle fragment alone", "4", F4A[1:2], one_each_46(F4A[1:2]))
case("4to6 last fragment alone", "4", F4A[2:], one_each_46(F4A[2:]))
F4T = frag4(IP(src=H4E, dst=H6_4, id=0x444a) / TCP(sport=40000, dport=80, flags="PA", seq=1, ack=2) /
            payload(300), 160)
case("4to6 tcp fragments from an EAM source", "4", F4T, one_each_46(F4T))
case("4to6 fragmented icmp echo: dropped (its checksum covers data not here)", "4",
     frag4(IP(src=H4, dst=H6_4, id=0x444b) / ICMP(type=8, id=0x4244, seq=1) / payload(300), 160), "drop")
case("4to6 protocol 59", "4", IP(src=H4, dst=H6_4, proto=59) / payload(32), ("6", 59))
# RFC 7915 section 4.5: a stateless translator cannot compute the checksum
# of a fragmented datagram: dropped, 3/13 back (the default policy).
F4Z = frag4(IP(src=H4, dst=H6_4, id=0x444c) / UDP(sport=40001, dport=7000, chksum=0) / payload(400), 208)
case("4to6 udp zero checksum, first fragment: dropped, 3/13 back", "4", F4Z[:1], ("4", 1, 3, 13))

# ICMPv4 errors (RFC 7915 section 4.2) from an IPv4 router about a packet the
# IPv6 host sent; what the translator must make of each type and code.
Q4 = IP(src=H6_4, dst=H4E, ttl=63, id=7, flags="DF") / UDP(sport=40002, dport=7000) / payload(40)
Q4E = IP(src=H6_4, dst=H4E, ttl=63, id=8) / ICMP(type=8, id=0x5151, seq=3) / payload(24)
ICMP4_MAP = [  # type, code, (ICMPv6 type, code) or None: dropped
    (3, 0, (1, 0)), (3, 1, (1, 0)), (3, 2, (4, 1)), (3, 3, (1, 4)), (3, 5, (1, 0)),
    (3, 6, (1, 0)), (3, 7, (1, 0)), (3, 8, (1, 0)), (3, 9, (1, 1)), (3, 10, (1, 1)),
    (3, 11, (1, 0)), (3, 12, (1, 0)), (3, 13, (1, 1)), (3, 14, None), (3, 15, (1, 1)),
    (4, 0, None), (5, 0, None), (6, 0, None), (9, 0, None), (10, 0, None),
    (11, 0, (3, 0)), (11, 1, (3, 1)), (12, 1, None), (13, 0, None), (14, 0, None),
    (15, 0, None), (16, 0, None), (17, 0, None), (18, 0, None), (42, 0, None)]


def icmp_err(src, dst, typ, code, word, quoted):
    """An ICMPv4 (IPv4 SRC) or ICMPv6 error: TYPE, CODE, the 32-bit WORD
    after the checksum (unused, MTU, pointer), QUOTED (bytes or a packet)."""
    body = bytearray(struct.pack("!BBHI", typ, code, 0, word) + raw(quoted))
    if ":" in src:
        pseudo = IPv6(src=src, dst=dst)
        pseudo = raw(pseudo)[8:40] + struct.pack("!IxxxB", len(body), 58)
        body[2:4] = struct.pack("!H", 0xFFFF - ones_sum(pseudo + bytes(body)))
        return IPv6(raw(IPv6(src=src, dst=dst, nh=58) / Raw(bytes(body))))
    body[2:4] = struct.pack("!H", 0xFFFF - ones_sum(bytes(body)))
    return IP(raw(IP(src=src, dst=dst, proto=1) / Raw(bytes(body))))


def icmp4_err(typ, code, quoted, src=R4E, word=0):
    return icmp_err(src, H6_4, typ, code, word, quoted)


for t, c, m in ICMP4_MAP:
    exp = ("6", 58) + m if m else "drop"
    case("4to6 icmp error %d/%d" % (t, c), "4", icmp4_err(t, c, Q4), exp)
for t, c, m in ((3, 3, (1, 4)), (11, 0, (3, 0)), (3, 1, (1, 0))):
    case("4to6 icmp error %d/%d, quoted packet truncated to 28 bytes" % (t, c), "4",
         icmp4_err(t, c, raw(Q4)[:28]), ("6", 58) + m)
case("4to6 icmp error 3/3, quoted header cut at 12 bytes", "4",
     icmp4_err(3, 3, raw(Q4)[:12]), "drop")
case("4to6 icmp error 3/1 quoting an echo request", "4", icmp4_err(3, 1, Q4E), ("6", 58, 1, 0))
# An ICMPv4 error quoting a fragment (no expectation: compared with Jool).
Q4F = frag4(IP(src=H6_4, dst=H4E, ttl=63, id=9) / UDP(sport=40002, dport=7000) / payload(400), 208)
# RFC 7915 section 4.3: the quoted header is translated as section 4.1
# says, a fragment's with its Fragment Header (Jool 4.1.9 drops an error
# quoting a non-first fragment).
case("4to6 icmp error 3/3 quoting a first fragment", "4", icmp4_err(3, 3, raw(Q4F[0])[:68]),
     quoted6(1, 4, 9, 1, 0))
case("4to6 icmp error 3/3 quoting a non-first fragment", "4", icmp4_err(3, 3, raw(Q4F[1])[:68]),
     quoted6(1, 4, 9, 0, 26))
case("4to6 icmp error 3/1 from the IPv4 host (pool6 source)", "4",
     icmp4_err(3, 1, Q4, src=H4), ("6", 58, 1, 0))
case("4to6 icmp error 11/0 quoting an icmp error (3/3)", "4",
     icmp4_err(11, 0, IP(src=H6_4, dst=H4E, ttl=63, proto=1) / Raw(raw(icmp4_err(3, 3, raw(Q4)[:28]))[20:])),
     "drop")   # RFC 7915 section 4.3: more than one embedded header
case("4to6 icmp error 12/2 (bad length) pointer 2", "4", icmp4_err(12, 2, Q4, word=2 << 24),
     ("6", 58, 4, 0))
for ptr, m in ((0, 0), (1, 1), (2, 4), (8, 7), (9, 6), (12, 8), (16, 24), (5, None), (10, None)):
    case("4to6 icmp error 12/0 pointer %d" % ptr, "4",
         icmp4_err(12, 0, Q4, word=ptr << 24), ("6", 58, 4, 0) if m is not None else "drop")
for mtu in (1000, 1400, 0):
    case("4to6 fragmentation needed, mtu %d: packet too big" % mtu, "4",
         icmp4_err(3, 4, Q4, word=mtu), ("6", 58, 2, 0))

# IPv6 -> IPv4 (RFC 7915 section 5)
U6 = IPv6(src=H6, dst=H4_6) / UDP(sport=40003, dport=7000) / payload(100)
case("6to4 tcp syn, traffic class 0x28, flow label", "6",
     IPv6(src=H6, dst=H4_6, tc=0x28, fl=0x12345) /
     TCP(sport=40000, dport=80, flags="S", seq=1000, options=[("MSS", 1440)]), tos_is(0x28))
case("6to4 tcp data to an EAM destination", "6",
     IPv6(src=H6, dst=H4E_6) / TCP(sport=40000, dport=80, flags="PA", seq=1, ack=2) / payload(300),
     ("4", 6))
case("6to4 udp", "6", U6, ("4", 17))
case("6to4 udp zero checksum", "6",     # invalid in IPv6 (RFC 8200 section 8.1)
     IPv6(src=H6, dst=H4_6) / UDP(sport=40003, dport=7000, chksum=0) / payload(40), "drop")
case("6to4 icmpv6 echo request", "6",
     IPv6(src=H6, dst=H4_6) / ICMPv6EchoRequest(id=0x6161, seq=1, data=b"p" * 56), ("4", 1, 8, 0))
case("6to4 icmpv6 echo reply", "6",
     IPv6(src=H6, dst=H4_6) / ICMPv6EchoReply(id=0x6162, seq=2, data=b"p" * 56), ("4", 1, 0, 0))
case("6to4 unknown next header 253", "6", IPv6(src=H6, dst=H4_6, nh=253) / payload(32), ("4", 253))
case("6to4 hop limit 1: time exceeded", "6",
     IPv6(src=H6, dst=H4_6, hlim=1) / UDP(sport=40003, dport=7000) / payload(20), ("6", 58, 3, 0))
case("6to4 hop limit 2", "6",
     IPv6(src=H6, dst=H4_6, hlim=2) / UDP(sport=40003, dport=7000) / payload(20), ("4", 17))
case("6to4 result of 1260 bytes: DF clear", "6",
     IPv6(src=H6, dst=H4_6) / UDP(sport=40003, dport=7000) / payload(1232), ("4", 17))
case("6to4 result of 1280 bytes: DF set", "6",
     IPv6(src=H6, dst=H4_6) / UDP(sport=40003, dport=7000) / payload(1252), ("4", 17))
case("6to4 hop-by-hop options (ignored)", "6",
     IPv6(src=H6, dst=H4_6) / IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)]) /
     UDP(sport=40003, dport=7000) / payload(20), ("4", 17))
case("6to4 destination options (ignored)", "6",
     IPv6(src=H6, dst=H4_6) / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)]) /
     UDP(sport=40003, dport=7000) / payload(20), ("4", 17))
case("6to4 routing header, segments left 0 (ignored)", "6",
     IPv6(src=H6, dst=H4_6) / IPv6ExtHdrRouting(addresses=["2001:db8::1"], segleft=0) /
     UDP(sport=40003, dport=7000) / payload(20), ("4", 17))
case("6to4 routing header, segments left 1: parameter problem", "6",
     IPv6(src=H6, dst=H4_6) / IPv6ExtHdrRouting(addresses=["2001:db8::1"], segleft=1) /
     UDP(sport=40003, dport=7000) / payload(20), ("6", 58, 4, 0))
case("6to4 atomic fragment", "6",
     IPv6(src=H6, dst=H4_6) / IPv6ExtHdrFragment(id=0xabcd1234, m=0, offset=0) /
     UDP(sport=40003, dport=7000) / payload(20), atomic64(0xabcd1234, 17))
# RFC 7915 section 5.1: a Destination Options header is ignored (skipped),
# and section 5.1.1 takes the protocol from the last header: translated.
# (Jool 4.1.9 answers any extension header after a Fragment Header with
# ICMPv6 1/1.)
case("6to4 atomic fragment, then destination options", "6",
     IPv6(src=H6, dst=H4_6) / IPv6ExtHdrFragment(id=0xabcd1235, m=0, offset=0) /
     IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)]) / UDP(sport=40003, dport=7000) / payload(20),
     atomic64(0xabcd1235, 17))
# A real first fragment: the header is in the Fragmentable Part (RFC 8200
# section 4.5), so skipping it would move every later fragment's data by
# its length (RFC 7915 gives no rule for that); not translated, answered
# as a packet the translator filters (ICMPv6 1/1), as Jool does.
F6D = frag6(IPv6(src=H6, dst=H4_6) / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)]) /
            UDP(sport=40003, dport=7000) / payload(400), 208, 0x5566778b)
case("6to4 first fragment, then destination options: not translated", "6", F6D[:1], ("6", 58, 1, 1))
F6 = frag6(IPv6(src=H6, dst=H4_6) / UDP(sport=40003, dport=7000) / payload(400), 208, 0x55667788)
case("6to4 fragments, first and last", "6", F6, one_each_64(F6))
F63 = frag6(IPv6(src=H6, dst=H4_6) / UDP(sport=40003, dport=7000) / payload(400), 136, 0x5566778c)
case("6to4 fragments, first, middle and last", "6", F63, one_each_64(F63))
F63R = frag6(IPv6(src=H6, dst=H4_6) / UDP(sport=40003, dport=7000) / payload(400), 136, 0x5566778d)[::-1]
case("6to4 fragments out of order: last, middle, first", "6", F63R, one_each_64(F63R))
F6O = frag6(IPv6(src=H6, dst=H4_6) / UDP(sport=40003, dport=7000) / payload(400), 208, 0x5566778e)
F6O = [F6O[0], frag6(IPv6(src=H6, dst=H4_6) / UDP(sport=40003, dport=7000) / payload(400), 104,
                     0x5566778e)[1]] + F6O[1:]
case("6to4 fragments overlapping (offset 104 inside the first)", "6", F6O, one_each_64(F6O))
F6A = frag6(IPv6(src=H6, dst=H4_6) / UDP(sport=40003, dport=7000) / payload(400), 136, 0x12345689)
case("6to4 first fragment alone", "6", F6A[:1], one_each_64(F6A[:1]))
case("6to4 middle fragment alone", "6", F6A[1:2], one_each_64(F6A[1:2]))
case("6to4 last fragment alone", "6", F6A[2:], one_each_64(F6A[2:]))
F6T = frag6(IPv6(src=H6, dst=H4E_6) / TCP(sport=40000, dport=80, flags="PA", seq=1, ack=2) /
            payload(300), 160, 0x5566778f)
case("6to4 tcp fragments to an EAM destination", "6", F6T, one_each_64(F6T))
case("6to4 fragmented icmpv6 echo: dropped (its checksum covers data not here)", "6",
     frag6(IPv6(src=H6, dst=H4_6) / ICMPv6EchoRequest(id=0x4245, seq=1, data=b"e" * 300), 160, 0x55667790),
     "drop")
case("6to4 next header 59 (no next header): IPv4 protocol 59", "6",    # RFC 7915 section 5.1
     IPv6(src=H6, dst=H4_6, nh=59) / payload(20), ("4", 59))
# The IPv4 route to 203.0.113.200 (2001:db8:4::c8 by EAM) has MTU 1000
# (tests/mapt_vs_jool.sh).
# RFC 7915 section 5.1: over 1260 bytes DF is set, so the translator
# answers Packet Too Big; its MTU is the IPv4 route's + 20 but never below
# 1280 (RFC 8201 section 4: a host discards a smaller one): the sender's
# 1280-byte packets become 1260 bytes, DF clear, and IPv4 fragments them.
case("6to4 1300 bytes (DF set: over 1260) to the 1000-byte IPv4 route: packet too big, mtu 1280", "6",
     IPv6(src=H6, dst=ROUTE1000_6) / UDP(sport=40003, dport=7000) / payload(1252),
     icmp_word("6", 2, 0, 1280))
# DF clear (up to 1260 bytes, or a Fragment Header: RFC 7915 sections 5.1,
# 5.1.1): the IPv4 side fragments it; Jool 4.1.9 answers Packet Too Big.
case("6to4 1200 bytes (DF clear: up to 1260) to the 1000-byte IPv4 route: IPv4 fragments", "6",
     IPv6(src=H6, dst=ROUTE1000_6) / UDP(sport=40003, dport=7000) / payload(1152), split4(1000))
F6B = frag6(IPv6(src=H6, dst=ROUTE1000_6) / UDP(sport=40003, dport=7000) / payload(2400), 1200, 0x55667791)
case("6to4 first fragment of 1248 bytes to the 1000-byte IPv4 route: IPv4 fragments, its id", "6",
     F6B[0], split4(1000, 0x7791, 1))
# EAM hairpinning (RFC 7757 section 4, appendix B): 192.0.2.3 is EAM
# 2001:db8:6::3; to its pool6 form from an EAM host, the packet comes back
# out as IPv6 from the pool6 form of the sender's IPv4 address, so the
# reply crosses the translator too.
case("6to4 EAM hairpin: to the pool6 form of an EAM host, back from the sender's pool6 form", "6",
     IPv6(src=H6, dst=H6B_POOL6) / UDP(sport=40003, dport=7000) / payload(40),
     hairpin(H6_POOL6, H6B, 17))
case("6to4 EAM hairpin, tcp syn", "6",
     IPv6(src=H6, dst=H6B_POOL6) / TCP(sport=40000, dport=80, flags="S", seq=5), hairpin(H6_POOL6, H6B, 6))
F6H = frag6(IPv6(src=H6, dst=H6B_POOL6) / UDP(sport=40003, dport=7000) / payload(400), 136, 0x55667792)
case("6to4 EAM hairpin, fragments: each back alone, Identification the low 16 bits", "6", F6H,
     hairpin_frags(F6H, H6_POOL6, H6B))

# ICMPv6 errors (RFC 7915 section 5.2) from an IPv6 router about a packet the
# IPv4 host sent.
Q6 = IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40004, dport=7000) / payload(40)
Q6E = IPv6(src=H4_6, dst=H6, hlim=63) / ICMPv6EchoRequest(id=0x7171, seq=4, data=b"q" * 24)
ICMP6_MAP = [
    (1, 0, (3, 1)), (1, 1, (3, 10)), (1, 2, (3, 1)), (1, 3, (3, 1)), (1, 4, (3, 3)),
    (1, 5, None), (1, 6, None), (3, 0, (11, 0)), (3, 1, (11, 1)), (4, 1, (3, 2)),
    (4, 2, None), (50, 0, None), (130, 0, None), (135, 0, None), (200, 0, None)]


def icmp6_err(typ, code, quoted, src=R6, word=0):
    return icmp_err(src, H4_6, typ, code, word, quoted)


for t, c, m in ICMP6_MAP:
    exp = ("4", 1) + m if m else "drop"
    case("6to4 icmpv6 %d/%d" % (t, c), "6", icmp6_err(t, c, Q6), exp)
for t, c, m in ((1, 4, (3, 3)), (3, 0, (11, 0))):
    case("6to4 icmpv6 error %d/%d, quoted packet truncated to 48 bytes" % (t, c), "6",
         icmp6_err(t, c, raw(Q6)[:48]), ("4", 1) + m)
case("6to4 icmpv6 error 1/4, quoted header cut at 24 bytes", "6",
     icmp6_err(1, 4, raw(Q6)[:24]), "drop")
case("6to4 icmpv6 error 1/0 quoting an echo request", "6", icmp6_err(1, 0, Q6E), ("4", 1, 3, 1))
# RFC 7915 section 5.3: the quoted header is translated as section 5.1.1
# says for a fragment: Identification the low 16 bits, MF = M, the offset
# (Jool 4.1.9 writes a first fragment's as a whole packet's, MF 0 and its
# own Identification, and drops an error quoting a non-first fragment).
Q6F = frag6(IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40004, dport=7000) / payload(400), 208, 0x77778888)
case("6to4 icmpv6 error 1/4 quoting a first fragment", "6", icmp6_err(1, 4, raw(Q6F[0])[:88]),
     quoted4(3, 3, 0x8888, 1, 0))
case("6to4 icmpv6 error 1/4 quoting a non-first fragment", "6", icmp6_err(1, 4, raw(Q6F[1])[:88]),
     quoted4(3, 3, 0x8888, 0, 26))
case("6to4 icmpv6 error 1/4 from an unmapped source (RFC 6791)", "6", icmp6_err(1, 4, Q6, src=R6X))
for ptr, m in ((0, 0), (1, 1), (4, 2), (6, 9), (7, 8), (8, 12), (24, 16), (2, None)):
    case("6to4 icmpv6 parameter problem 4/0 pointer %d" % ptr, "6",
         icmp6_err(4, 0, Q6, word=ptr), ("4", 1, 12, 0) if m is not None else "drop")
for mtu in (1400, 1300, 1500):
    case("6to4 packet too big, mtu %d: fragmentation needed" % mtu, "6",
         icmp6_err(2, 0, Q6, word=mtu), ("4", 1, 3, 4))

# --- allowed differences ------------------------------------------------------
# (case regex, field, why): the field is masked in both outputs before they
# are compared; each use is reported. docs/mapt-design.md repeats this table.
ALLOWED = [
    (r"^6to4 ", "ip4.id",
     "RFC 7915 section 5.1 (and RFC 6864): with no Fragment Header the IPv4 "
     "Identification is the translator's own choice (only where the packets "
     "sent have no Fragment Header: a fragment's is the low 16 bits of its "
     "Fragment Header's, compared)"),
    (r"^4to6 ", "ip4.id@4",
     "RFC 6864 section 4: the Identification of an ICMPv4 error the "
     "translator itself sends (time exceeded, source route failed, "
     "fragmentation needed, 3/13) is the sending stack's own choice"),
]


# --- packets: fields, masks, checks ---------------------------------------------
def is4(b):
    return b[0] >> 4 == 4


def mask(b, field):
    """B with FIELD zeroed, with the checksums covering it."""
    b = bytearray(b)
    if field == "ip4.id" and is4(b):
        ihl = (b[0] & 15) * 4
        b[4:6] = b[10:12] = b"\0\0"
        if b[9] == 1 and len(b) >= ihl + 8 + 20 and b[ihl] in (3, 11, 12):
            q = ihl + 8         # the quoted packet's header and the ICMP checksum
            b[q + 4:q + 6] = b[q + 10:q + 12] = b[ihl + 2:ihl + 4] = b"\0\0"
            if b[q + 9] == 1 and len(b) >= q + (b[q] & 15) * 4 + 4:
                qi = q + (b[q] & 15) * 4     # a quoted ICMP message's checksum
                b[qi + 2:qi + 4] = b"\0\0"
    return bytes(b)


def checksums(b):
    """What is wrong with B's checksums ('' when nothing)."""
    if is4(b):
        if b[6] & 0x3F or b[7]:            # a fragment: the header's only
            return "" if ones_sum(b[:(b[0] & 15) * 4]) == 0xFFFF else "checksum bad header"
        st = Packet4(b).checksum_state()
    else:
        p = Packet(b)
        if b[6] == 44:                     # a fragment: no header checksum
            return ""
        st = p.checksum_state()
    return "" if st in ("valid", None) else "checksum " + st


def fields(b):
    """(name, value) of every field scapy sees in B, layer by layer."""
    p, out, i = (IP(b) if is4(b) else IPv6(b)), [], 0
    while p is not None and not isinstance(p, NoPayload):
        for f in p.fields_desc:
            if isinstance(f, ConditionalField) and not f._evalcond(p):
                continue
            out.append(("%d.%s.%s" % (i, p.__class__.__name__, f.name), repr(p.getfieldval(f.name))))
        p, i = p.payload, i + 1
    return out


def show(b):
    p = IP(b) if is4(b) else IPv6(b)
    return "%s (%d bytes) %s" % (p.summary(), len(b), checksums(b))


def kind(side, b):
    """(side, protocol[, icmp type, code]) of an output packet, for EXPECT."""
    if is4(b):
        ihl, proto = (b[0] & 15) * 4, b[9]
        off = ihl
    else:
        p = Packet(b)
        proto, off = p.proto, p.l4off
        if b[6] == 44:
            return (side, 44)
    if proto in (1, 58) and len(b) >= off + 2:
        return (side, proto, b[off], b[off + 1])
    return (side, proto)


# --- sockets in the namespaces ------------------------------------------------
libc = ctypes.CDLL(None, use_errno=True)


def ns_socket(ns, dev):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:          # CLONE_NEWNET
        sys.exit("setns %s: %s" % (ns, os.strerror(ctypes.get_errno())))
    os.close(fd)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))   # ETH_P_ALL
    s.bind((dev, 0))
    s.setblocking(False)
    return s


def mac(m):
    return bytes(int(x, 16) for x in m.split(":"))


def frame(side, b):
    if side == "4":
        return mac(MAC_X4) + mac(MAC_H4) + b"\x08\x00" + b
    return mac(MAC_X6) + mac(MAC_H6) + b"\x86\xdd" + b


def own_noise(b):
    """The translator's own neighbour discovery, MLD, router solicitations."""
    return not is4(b) and (b[8] == 0xfe or b[24] == 0xff)


def sentinel(side, n):
    tag = b"sentinel %d" % n
    if side == "4":
        return raw(IP(src=H4, dst=H6_4) / UDP(sport=9, dport=9) / Raw(tag)), tag
    return raw(IPv6(src=H6, dst=H4_6) / UDP(sport=9, dport=9) / Raw(tag)), tag


def drain(s):
    out = []
    while True:
        try:
            data, addr = s.recvfrom(65535)
        except BlockingIOError:
            return out
        if addr[2] == socket.PACKET_OUTGOING or data[12:14] not in (b"\x08\x00", b"\x86\xdd"):
            continue
        if not own_noise(data[14:]):
            out.append(data[14:])


def run_case(socks, n, side, pkts, timeout=2.0):
    """Send PKTS and a sentinel from SIDE through each translator; return
    per translator the list of (side, packet) that came out."""
    other = "6" if side == "4" else "4"
    for t in socks:
        drain(t[side]), drain(t[other])
        for p in pkts:
            t[side].send(frame(side, raw(p)))
    sent, tag = sentinel(side, n)
    for t in socks:
        t[side].send(frame(side, sent))
    outs = []
    for t in socks:
        got, seen, end = [], False, time.time() + timeout
        while not seen and time.time() < end:
            select.select([t[other]], [], [], 0.2)
            for b in drain(t[other]):
                if tag in b:
                    seen = True
                    break
                got.append((other, b))
        back = [(side, b) for b in drain(t[side])]
        if not seen:
            back.append(("!", b"the sentinel did not come through"))
        outs.append(back + got)
    return outs


def has_fh(pkts):
    """Any of PKTS an IPv6 packet with a Fragment Header."""
    return any(not is4(b) and b[6] == 44 for b in (raw(p) for p in pkts))


def compare(name, out_a, out_b, names, sent=()):
    """(ok, allowed fields used, report lines). The IPv4 Identification is
    masked (ALLOWED "ip4.id") only when no packet SENT has a Fragment
    Header."""
    lines, used = [], []
    fh = has_fh(sent)
    for who, out in zip(names, (out_a, out_b)):
        for s, b in out:
            if s == "!":
                lines.append("%s: %s" % (who, b.decode()))
            elif checksums(b) and who == names[1] and names[0] != names[1]:
                lines.append("%s: %s: %s" % (who, checksums(b), show(b)))
    if [s for s, _ in out_a] != [s for s, _ in out_b]:
        lines.append("output sides or counts differ: %s %s, %s %s" % (
            names[0], [s for s, _ in out_a] or "nothing", names[1], [s for s, _ in out_b] or "nothing"))
    else:
        for i, ((s, a), (_, b)) in enumerate(zip(out_a, out_b)):
            if a == b:
                continue
            for rx, field, _why in ALLOWED:
                if field == "ip4.id" and fh:
                    continue
                if re.search(rx, name) and field.split("@")[1:] in ([], [s]):
                    ma, mb = mask(a, field.split("@")[0]), mask(b, field.split("@")[0])
                    if (ma, mb) != (a, b):
                        a, b = ma, mb
                        used.append(field)
            if a == b:
                continue
            fa, fb = fields(a), fields(b)
            diff = ["%s: %s %s, %s %s" % (fa[j][0], names[0], fa[j][1], names[1], fb[j][1])
                    for j in range(min(len(fa), len(fb))) if fa[j] != fb[j]]
            if len(fa) != len(fb):
                diff.append("layers differ")
            lines.append("packet %d (side %s) differs: %s" % (i, s, "; ".join(diff[:8])))
    if lines:
        for who, out in zip(names, (out_a, out_b)):
            if not out:
                lines.append("%s: nothing" % who)
            for s, b in out:
                if s != "!":
                    lines.append("%s, side %s: %s" % (who, s, show(b)))
                    lines.append("  %s" % b.hex())
    return not lines, sorted(set(used)), lines


def expect_failure(expect, out):
    if expect is None:
        return None
    if callable(expect):
        return expect([(s, b) for s, b in out if s != "!"])
    kinds = [kind(s, b) for s, b in out if s != "!"]
    if expect == "drop":
        return None if not kinds else "RFC 7915: dropped, saw %s" % kinds
    if not kinds or any(k[:len(expect)] != expect for k in kinds):
        return "RFC 7915: %s, saw %s" % (expect, kinds or "nothing")
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", default="jool,ours", help="translators a and b")
    ap.add_argument("--only", default="", help="cases matching this regex")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    names = a.names.split(",")
    cases = [c for c in CASES if re.search(a.only, c[0])]
    if a.list:
        for c in cases:
            print(c[0])
        return 0
    os.sched_setaffinity(0, {0})     # one CPU: the sentinel comes after the case
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    socks = [{"4": ns_socket(x + "4", "eth0"), "6": ns_socket(x + "6", "eth0")} for x in ("a", "b")]
    libc.setns(home, 0x40000000)
    failed = 0
    allowed_used = {}
    for n, (name, side, pkts, expect) in enumerate(cases):
        out_a, out_b = run_case(socks, n, side, pkts)
        good, used, lines = compare(name, out_a, out_b, names, pkts)
        miss_b = expect_failure(expect, out_b)
        miss_a = expect_failure(expect, out_a)
        if not good and expect is not None and miss_a and not miss_b:
            good, used = True, used + ["where %s misses RFC 7915" % names[0]]
            lines = []
        if miss_b and names[0] == names[1]:
            miss_b = None   # the harness's own test: the same translator twice, identical is the check
        if miss_b:
            good = False
            lines.insert(0, "%s: %s" % (names[1], miss_b))
        what = "identical" if not used else "identical except allowed " + ", ".join(used)
        for f in used:
            if f.startswith("where "):
                continue
            allowed_used[f] = allowed_used.get(f, 0) + 1
        print("%s - %s vs %s: %s" % ("ok" if good else "not ok", names[1], names[0], name) +
              (": " + what if good else ""))
        for ln in lines:
            print("    " + ln)
        if miss_a:
            print("# note: %s: %s: %s" % (name, names[0], miss_a))
        failed += not good
    for rx, field, why in ALLOWED:
        if field in allowed_used:
            print("# allowed difference %s in %d cases: %s" % (field, allowed_used[field], why))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
