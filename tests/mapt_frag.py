#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Fragments through a MAP-T BR and a MAP-T CE, one by one, both ways
(tests/mapt_frag.sh builds the namespaces): RFC 7915 sections 4.1 and
5.1.1 field by field, and the fragment cache of a MAP rule with port sets
(RFC 7597 section 8.3.3: a non-first fragment takes the ports of the first
fragment of the same source, destination, protocol and identification).

Each role R sits in namespace R between a sender R4 (IPv4 side, device s0)
and R6 (IPv6 side, device s0), the MACs of tests/xlat_diff.py:

  br   the seed 002 BR (rule 2001:db8:ce::/51 192.0.2.0/24, 13 EA bits,
       DMR 64:ff9b::/96); behind br6 two CEs that share 192.0.2.8: CE 11b
       (PSID 27, ports 55296-57343) and CE 101 (PSID 1, ports 2048-4095);
       on br4 the server 203.0.113.56; IPv6 link MTU 1400; the IPv4 route
       to 203.0.113.200 has MTU 1000
  brs  the same BR, its namespace's cache made with mapt_frag_cache_entries 4
  ce   CE 11b in one namespace (SNATPSID, MAPT after it, MAPT on the wan);
       ce4 is its LAN client 192.168.0.4, ce6 the BR side

A step sends its packets and a sentinel (the role translates it too) from
one side; its output is what came out on the far side before the
sentinel and what came back. Checked per step: the output field by field
(addresses, Identification, offsets, M/MF, DF, the first fragment's ports,
each datagram reassembled with its transport checksum valid) and the
counters of /proc/net/xt_MAPT that concern fragments (COUNTERS) moved by
exactly what the step says.

  mapt_frag.py PHASE...   (br, expiry, silent, small, ct, ce)
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xlat_diff import ns_socket, is4, kind, libc, f4, f6, frag4, frag6  # noqa: E402
from mapt_malformed import BR as MBR, CE as MCE, run, read_stats  # noqa: E402
from pkt import ones_sum  # noqa: E402

from scapy.all import IP, IPv6, UDP, ICMP, ICMPv6EchoRequest, Raw, raw  # noqa: E402

SERVER4, SERVER6 = "203.0.113.56", "64:ff9b::cb00:7138"
MTU1000_4, MTU1000_6 = "203.0.113.200", "64:ff9b::cb00:71c8"   # IPv4 route MTU 1000
CE11B, CE101 = "2001:db8:ce:11b:0:c000:208:1b", "2001:db8:ce:101:0:c000:208:1"
CE_4 = "192.0.2.8"           # both: CE 11b PSID 27, CE 101 PSID 1
P11B, P101 = 55300, 2050
LAN4 = "192.168.0.4"

COUNTERS = ("frag_cache_stored", "frag_cache_hit", "dropped_frag_cache_miss", "frag_cache_evicted",
            "fragmented_4to6", "packet_too_big_sent", "frag_needed_sent", "dropped_udp_zero_checksum",
            "dropped_spoofed", "dropped_port_not_ours", "dropped_fragmented_icmp", "dropped_malformed")

failed = 0


def result(good, name, lines=()):
    global failed
    print("%s - %s" % ("ok" if good else "not ok", name))
    for ln in lines:
        print("    " + ln)
    failed += not good


# --- datagrams out of fragments -------------------------------------------------------
def pseudo_ok(b4or6, src, dst, proto, l4):
    """The transport checksum of L4 (whole) valid for SRC, DST."""
    if proto not in (6, 17):
        return True
    if b4or6 == 6:
        ph = src + dst + struct.pack("!IxxxB", len(l4), proto)
    else:
        ph = src + dst + struct.pack("!xBH", proto, len(l4))
    return ones_sum(ph + l4) == 0xFFFF


def datagrams(outs):
    """The datagrams in OUTS [(side, bytes)]: fragments (IPv4, or IPv6 with
    a Fragment Header first) put together by (source, destination,
    identification); [(family, src, dst, proto, l4 bytes or None when
    incomplete, [packet sizes])]."""
    groups, res = {}, []
    for _s, b in outs:
        if is4(b):
            ident, _df, mf, off, proto, data = f4(b)
            if not mf and not off:
                res.append((4, b[12:16], b[16:20], proto, data, [len(b)]))
                continue
            groups.setdefault((4, b[12:16], b[16:20], ident, proto), []).append((off, mf, data, len(b)))
        else:
            g = f6(b)
            if g is None:
                plen = struct.unpack("!H", b[4:6])[0]
                res.append((6, b[8:24], b[24:40], b[6], bytes(b[40:40 + plen]), [len(b)]))
                continue
            ident, m, off, nh, data = g
            groups.setdefault((6, b[8:24], b[24:40], ident, nh), []).append((off, m, data, len(b)))
    for (fam, src, dst, _id, proto), fr in groups.items():
        fr.sort(key=lambda x: x[0])
        body, whole = b"", True
        for off, _m, data, _n in fr:
            if off * 8 != len(body):
                whole = False
            body += data
        whole = whole and fr[-1][1] == 0
        res.append((fam, src, dst, proto, body if whole else None, [x[3] for x in fr]))
    return res


def socket_aton(fam, x):
    import socket
    return socket.inet_pton(socket.AF_INET if fam == 4 else socket.AF_INET6, x)


def expect_datagrams(want, mtu):
    """EXPECT: exactly the datagrams WANT [(family, src, dst, sport, dport,
    payload)], in any order, each whole once put together, its UDP
    checksum valid, every packet at most MTU bytes."""
    def check(outs):
        got = datagrams(outs)
        why = []
        left = list(want)
        for fam, src, dst, proto, l4, sizes in got:
            if any(n > mtu for n in sizes):
                why.append("a packet over %d bytes: %s" % (mtu, sizes))
            if l4 is None:
                why.append("an incomplete datagram to %s (fragments of %s bytes)" % (
                    show_addr(fam, dst), sizes))
                continue
            if proto != 17 or len(l4) < 8:
                why.append("not UDP: protocol %d to %s" % (proto, show_addr(fam, dst)))
                continue
            sport, dport = struct.unpack("!HH", l4[:4])
            key = (fam, src, dst, sport, dport, l4[8:])
            match = [w for w in left if (w[0], socket_aton(w[0], w[1]), socket_aton(w[0], w[2])) + w[3:] == key]
            if not match:
                why.append("unexpected: %s %s:%d > %s:%d, %d bytes" % (
                    "IPv%d" % fam, show_addr(fam, src), sport, show_addr(fam, dst), dport, len(l4)))
                continue
            left.remove(match[0])
            if not pseudo_ok(fam, src, dst, 17, l4):
                why.append("UDP checksum not valid to %s:%d" % (show_addr(fam, dst), dport))
        for w in left:
            why.append("missing: IPv%d %s:%d > %s:%d" % (w[0], w[1], w[3], w[2], w[4]))
        return "; ".join(why) or None
    return check


def show_addr(fam, b):
    import socket
    return socket.inet_ntop(socket.AF_INET if fam == 4 else socket.AF_INET6, b)


def fields46(sent, dst6, src6=SERVER6):
    """EXPECT: each IPv4 fragment of SENT out as one IPv6 fragment, in
    order: SRC6 > DST6, Fragment Header Identification = the IPv4 one,
    M = MF, the same offset, next header = protocol, the first fragment's
    ports unchanged (RFC 7915 section 4.1)."""
    sent = [(f4(raw(p)), raw(p)) for p in sent]

    def check(outs):
        if [s for s, _ in outs] != ["6"] * len(sent):
            return "%d IPv6 fragments, saw %s" % (len(sent), [kind(s, b) for s, b in outs] or "nothing")
        for i, (((ident, _df, mf, off, proto, data), _), (_, b)) in enumerate(zip(sent, outs)):
            g = f6(b)
            if g is None:
                return "packet %d: no Fragment Header" % i
            p = IPv6(b)
            if (p.src, p.dst) != (src6, dst6[i] if isinstance(dst6, list) else dst6):
                return "packet %d: %s > %s" % (i, p.src, p.dst)
            if g[:4] != (ident, mf, off, proto):
                return "packet %d: id 0x%x M %d offset %d nh %d, want 0x%x %d %d %d" % (
                    (i,) + g[:4] + (ident, mf, off, proto))
            if len(g[4]) != len(data) or (off == 0 and g[4][:4] != data[:4]) or (off and g[4] != data):
                return "packet %d: its data (ports) changed" % i
        return None
    return check


def fields64(sent, src4=CE_4, dst4=SERVER4):
    """EXPECT: each IPv6 fragment of SENT out as one IPv4 fragment, in
    order: SRC4 > DST4, Identification the low 16 bits of the Fragment
    Header's, DF 0, MF = M, the same offset, the first fragment's ports
    unchanged (RFC 7915 section 5.1.1)."""
    sent = [f6(raw(p)) for p in sent]

    def check(outs):
        if [s for s, _ in outs] != ["4"] * len(sent):
            return "%d IPv4 fragments, saw %s" % (len(sent), [kind(s, b) for s, b in outs] or "nothing")
        for i, ((ident, m, off, nh, data), (_, b)) in enumerate(zip(sent, outs)):
            p = IP(b)
            if (p.src, p.dst) != (src4, dst4):
                return "packet %d: %s > %s" % (i, p.src, p.dst)
            g = f4(b)
            want = (ident & 0xFFFF, 0, m, off, nh)
            if g[:5] != want:
                return "packet %d: id 0x%x DF %d MF %d offset %d proto %d, want 0x%x %d %d %d %d" % (
                    (i,) + g[:5] + want)
            if len(g[5]) != len(data) or (off == 0 and g[5][:4] != data[:4]) or (off and g[5] != data):
                return "packet %d: its data (ports) changed" % i
        return None
    return check


def both(*checks):
    def check(outs):
        for c in checks:
            why = c(outs)
            if why:
                return why
        return None
    return check


def nothing(outs):
    return None if not outs else "nothing out, saw %s" % [kind(s, b) for s, b in outs]


def icmp_back(side, typ, code, word=None):
    def check(outs):
        k = [kind(s, b) for s, b in outs]
        if len(outs) != 1 or k[0][0] != side or k[0][2:] != (typ, code):
            return "one ICMP %d/%d back, saw %s" % (typ, code, k or "nothing")
        b = outs[0][1]
        off = (b[0] & 15) * 4 if is4(b) else 40
        w = struct.unpack("!I", b[off + 4:off + 8])[0]
        return None if word is None or w == word else "its MTU %d, want %d" % (w, word)
    return check


def split6(ident, dst6, mtu=1280):
    """EXPECT: IPv6 fragments to DST6, each at most MTU bytes,
    Identification IDENT, offsets contiguous, the datagram whole."""
    def check(outs):
        if len(outs) < 2 or any(s != "6" or f6(b) is None for s, b in outs):
            return "IPv6 fragments, saw %s" % ([(kind(s, b), len(b)) for s, b in outs] or "nothing")
        at = 0
        for i, (_, b) in enumerate(outs):
            ident_, m, off, _nh, data = f6(b)
            if len(b) > mtu or ident_ != ident or off != at or IPv6(b).dst != dst6 or \
                    m != (i < len(outs) - 1):
                return "fragment %d: %d bytes id 0x%x offset %d (want %d) M %d to %s" % (
                    i, len(b), ident_, off, at, m, IPv6(b).dst)
            at += len(data) // 8
        return None
    return check


# --- steps -------------------------------------------------------------------------------
class BR(MBR):
    P = P11B


class CE(MCE):
    pass


def step(role, name, side, pkts, stats, check):
    """Send PKTS from SIDE through ROLE; the output must pass CHECK and the
    COUNTERS must move by STATS exactly (None: not checked, where
    conntrack reassembled and either way of translating is right)."""
    before = read_stats(role.stats_fd)
    outs = run(role, side, [raw(p) for p in pkts])
    lines = []
    if outs is None:
        lines.append("the sentinel did not come through")
        outs = []
    for _ in range(20):
        after = read_stats(role.stats_fd)
        delta = {k: after.get(k, 0) - before.get(k, 0) for k in COUNTERS
                 if after.get(k, 0) != before.get(k, 0)}
        if stats is None or delta == stats:
            break
        time.sleep(0.05)
    if stats is not None and delta != stats:
        lines.append("counters: expected %s, saw %s" % (stats, delta))
    why = check(outs)
    if why:
        lines.append(why)
    if lines:
        for s, b in outs:
            lines.append("out, side %s: %s (%d bytes)" % (s, (IP(b) if is4(b) else IPv6(b)).summary(), len(b)))
    result(not lines, "%s: %s" % (role.name, name), lines)
    return outs


def udp4(ident, dport, n, size, src=SERVER4, dst=CE_4, sport=7000, c=b"f"):
    return frag4(IP(src=src, dst=dst, id=ident) / UDP(sport=sport, dport=dport) / Raw(c * n), size)


def udp6(ident, sport, n, size, src=CE11B, dst=SERVER6, dport=7000, c=b"g"):
    return frag6(IPv6(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(c * n), size, ident)


def phase_br(r):
    a, b = udp4(0x1001, P11B, 400, 136), udp4(0x1002, P101, 400, 136, c=b"h")
    step(r, "4to6: fragments to CE 11b (port 55300) and CE 101 (port 2050), both 192.0.2.8, interleaved: "
         "each fragment alone to its CE (the cache), fields per RFC 7915 section 4.1", "4",
         [a[0], b[0], a[1], b[1], a[2], b[2]],
         {"frag_cache_stored": 2, "frag_cache_hit": 4},
         both(fields46([a[0], b[0], a[1], b[1], a[2], b[2]], [CE11B, CE101] * 3),
              expect_datagrams([(6, SERVER6, CE11B, 7000, P11B, b"f" * 400),
                                (6, SERVER6, CE101, 7000, P101, b"h" * 400)], 1400)))
    a = udp4(0x1003, P11B, 400, 136)
    step(r, "4to6: a lone middle fragment: dropped (dropped_frag_cache_miss)", "4", a[1:2],
         {"dropped_frag_cache_miss": 1}, nothing)
    a = udp4(0x1004, P11B, 400, 136)
    step(r, "4to6: the last fragment before its first: dropped; the first and the middle one pass", "4",
         [a[2], a[0], a[1]], {"dropped_frag_cache_miss": 1, "frag_cache_stored": 1, "frag_cache_hit": 1},
         fields46(a[:2], CE11B))
    a = udp4(0x1005, P11B, 400, 136)
    o = udp4(0x1005, P11B, 400, 208)[1]         # offset 26: inside the first one's 17 + middle's
    step(r, "4to6: overlapping fragments: each alone to CE 11b", "4", [a[0], a[1], o, a[2]],
         {"frag_cache_stored": 1, "frag_cache_hit": 3}, fields46([a[0], a[1], o, a[2]], CE11B))
    step(r, "4to6: DF clear, 1400 bytes to CE 11b: IPv6 fragments of at most 1280 (fragmented_4to6)", "4",
         [IP(src=SERVER4, dst=CE_4, id=0x1006) / UDP(sport=7000, dport=P11B) / Raw(b"i" * 1372)],
         {"fragmented_4to6": 1},
         both(split6(0x1006, CE11B), expect_datagrams([(6, SERVER6, CE11B, 7000, P11B, b"i" * 1372)], 1280)))
    big = udp4(0x1007, P11B, 2792, 1400)
    step(r, "4to6: a first and a last fragment of 1420 bytes: each split to 1280, all to CE 11b", "4", big,
         {"frag_cache_stored": 1, "frag_cache_hit": 1, "fragmented_4to6": 2},
         expect_datagrams([(6, SERVER6, CE11B, 7000, P11B, b"f" * 2792)], 1280))
    step(r, "4to6: DF set, 1400 bytes (1420 > the 1400-byte IPv6 link): fragmentation needed, MTU 1380", "4",
         [IP(src=SERVER4, dst=CE_4, flags="DF") / UDP(sport=7000, dport=P11B) / Raw(b"j" * 1372)],
         {"frag_needed_sent": 1}, icmp_back("4", 3, 4, 1380))
    step(r, "4to6: UDP zero checksum (udp-zero-checksum drop, the default): dropped, ICMPv4 3/13 back", "4",
         [IP(src=SERVER4, dst=CE_4) / UDP(sport=7000, dport=P11B, chksum=0) / Raw(b"z" * 20)],
         {"dropped_udp_zero_checksum": 1}, icmp_back("4", 3, 13))
    step(r, "4to6: fragmented ICMP echo: dropped (dropped_fragmented_icmp)", "4",
         frag4(IP(src=SERVER4, dst=CE_4, id=0x1008) / ICMP(type=8, id=P11B, seq=1) / Raw(b"e" * 300), 160),
         {"dropped_fragmented_icmp": 2}, nothing)

    a = udp6(0xabcd2001, P11B, 400, 136)
    step(r, "6to4: CE 11b's fragments (port 55300): each alone, its non-first ones past the anti-spoofing "
         "(the cache), fields per RFC 7915 section 5.1.1", "6", a,
         {"frag_cache_stored": 1, "frag_cache_hit": 2},
         both(fields64(a), expect_datagrams([(4, CE_4, SERVER4, P11B, 7000, b"g" * 400)], 1500)))
    a = udp6(0xabcd2002, P11B, 400, 136)
    step(r, "6to4: out of order (last, middle, first): the two before the first dropped", "6", a[::-1],
         {"frag_cache_stored": 1, "dropped_frag_cache_miss": 2}, fields64(a[:1]))
    a = udp6(0xabcd2003, 1000, 400, 136)
    step(r, "6to4: a spoofed first fragment (port 1000, not CE 11b's) and its others: all dropped", "6", a,
         {"dropped_spoofed": 1, "dropped_frag_cache_miss": 2}, nothing)
    a = udp6(0xabcd2004, P11B, 400, 136)
    step(r, "6to4: a lone last fragment: dropped (dropped_frag_cache_miss)", "6", a[2:],
         {"dropped_frag_cache_miss": 1}, nothing)
    a = udp6(0xabcd2005, P11B, 400, 136)
    o = udp6(0xabcd2005, P11B, 400, 136, src=CE101)
    step(r, "6to4: CE 101's non-first fragment with the identification of CE 11b's first: dropped", "6",
         [a[0], o[1]], {"frag_cache_stored": 1, "dropped_frag_cache_miss": 1}, fields64(a[:1]))
    step(r, "6to4: 1300 bytes to 203.0.113.200 (IPv4 route MTU 1000, DF set over 1260): packet too big, "
         "MTU 1280", "6", [IPv6(src=CE11B, dst=MTU1000_6) / UDP(sport=P11B, dport=7000) / Raw(b"k" * 1252)],
         {"packet_too_big_sent": 1}, icmp_back("6", 2, 0, 1280))
    a = udp6(0xabcd2006, P11B, 2400, 1200, dst=MTU1000_6)
    step(r, "6to4: fragments of 1248 bytes to 203.0.113.200 (DF clear): IPv4 fragments of at most 1000, "
         "its identification", "6", a, {"frag_cache_stored": 1, "frag_cache_hit": 2},
         expect_datagrams([(4, CE_4, MTU1000_4, P11B, 7000, b"g" * 2400)], 1000))
    step(r, "6to4: fragmented ICMPv6 echo: dropped (dropped_fragmented_icmp)", "6",
         frag6(IPv6(src=CE11B, dst=SERVER6) / ICMPv6EchoRequest(id=P11B, data=b"e" * 300), 160, 0xabcd2007),
         {"dropped_fragmented_icmp": 2}, nothing)


def phase_expiry(r):
    t = int(open("/sys/module/xt_LW4O6/parameters/mapt_frag_timeout").read())
    a = udp4(0x1101, P11B, 400, 136)
    step(r, "4to6: a first fragment (stored)", "4", a[:1], {"frag_cache_stored": 1}, fields46(a[:1], CE11B))
    time.sleep(t + 1.5)
    step(r, "4to6: its middle fragment %.1f s later (mapt_frag_timeout %d): dropped" % (t + 1.5, t), "4",
         a[1:2], {"dropped_frag_cache_miss": 1}, nothing)
    a = udp6(0xabcd2101, P11B, 400, 136)
    step(r, "6to4: a first fragment (stored)", "6", a[:1], {"frag_cache_stored": 1}, fields64(a[:1]))
    time.sleep(t + 1.5)
    step(r, "6to4: its middle fragment %.1f s later: dropped" % (t + 1.5), "6", a[1:2],
         {"dropped_frag_cache_miss": 1}, nothing)


def phase_silent(r):
    step(r, "4to6: UDP zero checksum under udp-zero-checksum drop-silent: dropped, nothing back", "4",
         [IP(src=SERVER4, dst=CE_4) / UDP(sport=7000, dport=P11B, chksum=0) / Raw(b"z" * 20)],
         {"dropped_udp_zero_checksum": 1}, nothing)


def phase_small(r):
    firsts = [udp4(0x3001 + i, P11B, 400, 136)[:2] for i in range(5)]
    step(r, "4to6: five first fragments in a cache of 4 entries (one set): the oldest evicted", "4",
         [f[0] for f in firsts], {"frag_cache_stored": 5, "frag_cache_evicted": 1},
         fields46([f[0] for f in firsts], CE11B))
    step(r, "4to6: the evicted one's middle fragment: dropped", "4", [firsts[0][1]],
         {"dropped_frag_cache_miss": 1}, nothing)
    step(r, "4to6: the four others' middle fragments: to CE 11b", "4", [f[1] for f in firsts[1:]],
         {"frag_cache_hit": 4}, fields46([f[1] for f in firsts[1:]], CE11B))


def phase_ct(r):
    """Conntrack's defragmentation on (a conntrack match in the BR): MAPT
    sees reassembled packets; what leaves must be valid and correct."""
    a, b = udp4(0x1201, P11B, 400, 136), udp4(0x1202, P101, 400, 136, c=b"h")
    step(r, "conntrack on, 4to6: fragments to CE 11b and CE 101 interleaved: both datagrams whole at "
         "their CE, valid", "4", [a[0], b[0], a[1], b[1], a[2], b[2]], None,
         expect_datagrams([(6, SERVER6, CE11B, 7000, P11B, b"f" * 400),
                           (6, SERVER6, CE101, 7000, P101, b"h" * 400)], 1400))
    a = udp4(0x1203, P11B, 1900, 1000)
    step(r, "conntrack on, 4to6: 1928 bytes in two fragments: IPv6 of at most 1280 bytes each, valid", "4",
         a, None, expect_datagrams([(6, SERVER6, CE11B, 7000, P11B, b"f" * 1900)], 1280))
    a = udp4(0x1204, P11B, 400, 136)
    step(r, "conntrack on, 4to6: a lone middle fragment: nothing out", "4", a[1:2], None, nothing)
    a = udp6(0xabcd2201, P11B, 400, 136)
    step(r, "conntrack on, 6to4: CE 11b's fragments: the datagram whole at the server, valid", "6", a, None,
         expect_datagrams([(4, CE_4, SERVER4, P11B, 7000, b"g" * 400)], 1500))
    a = udp6(0xabcd2202, 1000, 400, 136)
    step(r, "conntrack on, 6to4: spoofed fragments (port 1000): nothing out", "6", a, {"dropped_spoofed": 1},
         nothing)
    a = udp6(0xabcd2203, P11B, 2400, 1200, dst=MTU1000_6)
    step(r, "conntrack on, 6to4: 2448 bytes in fragments to the 1000-byte IPv4 route: IPv4 fragments of "
         "at most 1000, valid", "6", a, None,
         expect_datagrams([(4, CE_4, MTU1000_4, P11B, 7000, b"g" * 2400)], 1000))


def phase_ce(r):
    if r.setup(run) is None:
        result(False, "ce: setup: the client's UDP 7000 > 203.0.113.56:7000 comes out translated")
        return
    print("# ce: SNATPSID gave the client's UDP 7000 port %d" % r.P)
    P = r.P
    a = udp6(0xabcd3001, 7000, 400, 136, src=SERVER6, dst=CE11B, dport=P)
    step(r, "6to4: fragments to CE 11b's port %d: all reach the LAN client (the port check by the "
         "cache), the datagram valid" % P, "6", a, {"frag_cache_stored": 1, "frag_cache_hit": 2},
         expect_datagrams([(4, SERVER4, LAN4, 7000, 7000, b"g" * 400)], 1500))
    a = udp6(0xabcd3002, 7000, 400, 136, src=SERVER6, dst=CE11B, dport=1000)
    step(r, "6to4: fragments to port 1000 (not CE 11b's): the first dropped (dropped_port_not_ours), "
         "the others miss", "6", a, {"dropped_port_not_ours": 1, "dropped_frag_cache_miss": 2}, nothing)
    a = udp6(0xabcd3003, 7000, 400, 136, src=SERVER6, dst=CE11B, dport=P)
    step(r, "6to4: a lone middle fragment: dropped (dropped_frag_cache_miss)", "6", a[1:2],
         {"dropped_frag_cache_miss": 1}, nothing)
    a = udp4(0x4001, 7000, 400, 136, src=LAN4, dst=SERVER4)
    step(r, "4to6: the LAN client's fragments (conntrack reassembles them for NAT): to the server from "
         "port %d, valid" % P, "4", a, None,
         expect_datagrams([(6, CE11B, SERVER6, P, 7000, b"f" * 400)], 1500))
    a = udp4(0x4002, 7000, 1900, 1000, src=LAN4, dst=SERVER4)
    step(r, "4to6: the LAN client's 1928 bytes in two fragments: IPv6 of at most 1280 bytes each, valid",
         "4", a, None, expect_datagrams([(6, CE11B, SERVER6, P, 7000, b"f" * 1900)], 1280))


PHASES = {"br": ("br", phase_br), "expiry": ("br", phase_expiry), "silent": ("br", phase_silent),
          "small": ("brs", phase_small), "ct": ("br", phase_ct), "ce": ("ce", phase_ce)}


def main():
    os.sched_setaffinity(0, {0})     # one CPU: the sentinel comes after the step
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    for ph in sys.argv[1:]:
        ns, fn = PHASES[ph]
        r = CE(ns) if ns == "ce" else BR(ns)
        r.sock = {"4": ns_socket(ns + "4", "s0"), "6": ns_socket(ns + "6", "s0")}
        ns_socket(ns, "lo").close()
        r.stats_fd = os.open("/proc/self/net/xt_MAPT", os.O_RDONLY)
        libc.setns(home, 0x40000000)
        try:
            fn(r)
        except Exception as e:      # noqa: BLE001  a phase that cannot run is a failure, not the end
            result(False, "%s: phase %s ran to its end (%s: %s)" % (ns, ph, type(e).__name__, e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
