#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Packet tools for the netns tests: read pcap files, check IPv6 packets
field by field (addresses, transport checksums), craft and send packets.
Plain Python (no scapy) so that it starts quickly inside a TCG VM.

  pkt.py check PCAP [--forbid PFX] [--require PFX] [--allow-partial] [--min N]
  pkt.py dump PCAP                 one line per IPv6 packet
  pkt.py dump-l4 PCAP              one line per IP packet with its ports
  pkt.py diff PCAP_A PCAP_B        IPv6 packets byte for byte, in order
  pkt.py send-file HEX              raw IPv6 packets, one hex line each
  pkt.py send-4in6 ...             a crafted UDP/IPv4 packet in IPv6
  pkt.py tos PCAP                  outer traffic class and inner TOS of 4in6
  pkt.py udp-echo|udp-ask|udp-refused|udp-unreachable|udp-stream ...
  pkt.py udp-flows|udp-ports|in-set ...     many UDP flows, their source ports
  pkt.py icmp-error ...            craft an ICMPv6 error quoting a packet
  pkt.py genl FAMILY CMD [...]      one raw generic netlink request
  pkt.py genl-probe OUT STOP SECS   nlctrl requests in a loop, timed
"""
import argparse
import ipaddress
import random
import socket
import struct
import sys

ETH_P_IPV6 = 0x86DD
EXT_HEADERS = (0, 43, 60)       # hop-by-hop, routing, destination options
FRAGMENT = 44
CHECK_OFFSET = {6: 16, 17: 6, 136: 6, 33: 6, 58: 2}
NAMES = {6: "TCP", 17: "UDP", 58: "ICMPv6"}


def ones_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def read_pcap(path, ethertypes=(ETH_P_IPV6,)):
    """IP packets (bytes from the IP header on) in a pcap file: IPv6 only
    unless ethertypes says otherwise."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off, pkts = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if linktype == 1:                       # Ethernet
            if len(frame) >= 14 and struct.unpack("!H", frame[12:14])[0] in ethertypes:
                pkts.append(frame[14:])
        elif linktype == 113:                   # Linux cooked (any)
            if len(frame) >= 16 and struct.unpack("!H", frame[14:16])[0] in ethertypes:
                pkts.append(frame[16:])
        elif linktype in (101, 229):            # raw IP
            pkts.append(frame)
    return pkts


class Packet:
    """The fields of one IPv6 packet the tests look at."""

    def __init__(self, raw):
        self.raw = raw
        self.src = ipaddress.IPv6Address(raw[8:24])
        self.dst = ipaddress.IPv6Address(raw[24:40])
        self.plen = struct.unpack("!H", raw[4:6])[0]
        nh, off, self.first = raw[6], 40, True
        while nh in EXT_HEADERS + (FRAGMENT,) and off + 8 <= len(raw):
            if nh == FRAGMENT:
                self.first = struct.unpack("!H", raw[off + 2:off + 4])[0] & ~7 == 0
                nh, off = raw[off], off + 8
            else:
                nh, off = raw[off], off + 8 * (raw[off + 1] + 1)
        self.proto, self.l4off = nh, off

    def l4(self):
        return self.raw[self.l4off:40 + self.plen]

    def checksum_state(self):
        """'valid', 'partial' (a CHECKSUM_PARTIAL pseudo-header sum, not yet
        completed), 'bad', or None when there is no checksum to check."""
        if self.proto not in CHECK_OFFSET or not self.first:
            return None
        l4 = self.l4()
        co = CHECK_OFFSET[self.proto]
        if len(l4) < co + 2 or len(self.raw) < 40 + self.plen:
            return None
        pseudo = self.src.packed + self.dst.packed + struct.pack("!IxxxB", len(l4), self.proto)
        if ones_sum(pseudo + l4) == 0xFFFF:
            return "valid"
        field = struct.unpack("!H", l4[co:co + 2])[0]
        p = ones_sum(pseudo)
        if field == p or {field, p} == {0, 0xFFFF}:
            return "partial"
        return "bad"

    def quoted(self):
        """The packet quoted in an ICMPv6 error, or None."""
        l4 = self.l4()
        if self.proto == 58 and len(l4) >= 48 and l4[0] < 128:
            return Packet(l4[8:])
        return None

    def describe(self):
        name = NAMES.get(self.proto, str(self.proto))
        extra = ""
        q = self.quoted()
        if q:
            extra = " [quoting %s > %s]" % (q.src, q.dst)
        l4 = self.l4()
        if self.proto == 58 and len(l4) >= 2:
            extra += " type %d code %d" % (l4[0], l4[1])
        return "%s > %s %s len %d cksum %s%s" % (
            self.src, self.dst, name, self.plen, self.checksum_state(), extra)


class Packet4:
    """The fields of one IPv4 packet the tests look at."""

    def __init__(self, raw):
        self.raw = raw
        ihl = (raw[0] & 15) * 4
        self.ihl, self.tot = ihl, struct.unpack("!H", raw[2:4])[0]
        self.df = bool(raw[6] & 0x40)
        self.first = struct.unpack("!H", raw[6:8])[0] & 0x1FFF == 0
        self.proto = raw[9]
        self.src = ipaddress.IPv4Address(raw[12:16])
        self.dst = ipaddress.IPv4Address(raw[16:20])
        l4 = raw[ihl:self.tot]
        self.sport = self.dport = None
        if self.first and self.proto in (6, 17) and len(l4) >= 4:
            self.sport, self.dport = struct.unpack("!HH", l4[:4])
        elif self.first and self.proto == 1 and len(l4) >= 8 and l4[0] in (0, 8):
            self.sport = self.dport = struct.unpack("!H", l4[4:6])[0]   # echo id

    def checksum_state(self):
        """'valid' or 'bad' for the header and the TCP/UDP/ICMP checksum."""
        if ones_sum(self.raw[:self.ihl]) != 0xFFFF:
            return "bad header"
        l4 = self.raw[self.ihl:self.tot]
        if not self.first or len(self.raw) < self.tot:
            return "valid"
        if self.proto == 1:
            return "valid" if ones_sum(l4) == 0xFFFF else "bad"
        if self.proto in (6, 17):
            if self.proto == 17 and l4[6:8] == b"\0\0":
                return "valid"
            pseudo = self.src.packed + self.dst.packed + struct.pack("!xBH", self.proto, len(l4))
            return "valid" if ones_sum(pseudo + l4) == 0xFFFF else "bad"
        return "valid"

    def describe(self):
        name = {1: "ICMP", 6: "TCP", 17: "UDP"}.get(self.proto, str(self.proto))
        ports = " %s > %s" % (self.sport, self.dport) if self.sport is not None else ""
        l4 = self.raw[self.ihl:]
        if self.first and self.proto == 1 and len(l4) >= 2 and l4[0] not in (0, 8):
            ports = " type %d code %d" % (l4[0], l4[1])          # an error
        return "%s > %s %s%s len %d cksum %s" % (
            self.src, self.dst, name, ports, self.tot, self.checksum_state())


def any_packet(raw):
    if raw[0] >> 4 == 4:
        return Packet4(raw)
    return Packet(raw)


def cmd_dump4(a):
    """IPv4 packets, and IPv4 in IPv6 as 'outer: inner'."""
    for r in read_pcap(a.pcap, (0x0800, ETH_P_IPV6)):
        p = any_packet(r)
        if isinstance(p, Packet) and p.proto == 4:
            print("%s > %s 4in6: %s" % (p.src, p.dst, Packet4(p.l4()).describe()))
        else:
            print(p.describe())
    return 0


def l4_line(p):
    """'SRC > DST NAME SPORT > DPORT cksum STATE' for one IPv4 or IPv6
    packet: NAME is TCP, UDP, ICMP-T or ICMPv6-T (T the type; an echo or
    echo reply carries its identifier as both ports), other protocols by
    number with ports '-'."""
    if isinstance(p, Packet4):
        l4, v6, state = p.raw[p.ihl:p.tot], False, p.checksum_state()
    else:
        l4, v6, state = p.l4(), True, p.checksum_state()
    sport = dport = "-"
    name = {6: "TCP", 17: "UDP"}.get(p.proto, str(p.proto))
    if p.first and p.proto in (6, 17) and len(l4) >= 4:
        sport, dport = struct.unpack("!HH", l4[:4])
    elif p.first and p.proto in (1, 58) and len(l4) >= 8:
        name = "%s-%d" % ("ICMPv6" if v6 else "ICMP", l4[0])
        if l4[0] in ((128, 129) if v6 else (0, 8)):
            sport = dport = struct.unpack("!H", l4[4:6])[0]
    return "%s > %s %s %s > %s cksum %s" % (p.src, p.dst, name, sport, dport,
                                           "-" if state is None else state.replace(" ", "-"))


def cmd_dump_l4(a):
    """One line per IPv4 or IPv6 packet (l4_line), fields split by spaces
    for awk: $1 source, $3 destination, $4 protocol, $5 and $7 ports, $9
    checksum state."""
    for r in read_pcap(a.pcap, (0x0800, ETH_P_IPV6)):
        print(l4_line(any_packet(r)))
    return 0


def cmd_tos(a):
    """The DSCP/ECN bytes of 4in6 packets, as 'OUTER6: INNER4 tclass T tos
    S', and of IPv4 packets, as 'INNER4 tos S' (decimal; ECN is the low
    two bits: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE)."""
    for r in read_pcap(a.pcap, (0x0800, ETH_P_IPV6)):
        p = any_packet(r)
        if isinstance(p, Packet) and p.proto == 4:
            q = Packet4(p.l4())
            tc = (struct.unpack("!I", r[:4])[0] >> 20) & 0xFF
            print("%s > %s 4in6: %s > %s tclass %d tos %d" % (
                p.src, p.dst, q.src, q.dst, tc, q.raw[1]))
        elif isinstance(p, Packet4):
            print("%s > %s tos %d" % (p.src, p.dst, p.raw[1]))
    return 0


def ip4_udp(src, dst, sport, dport, payload, ttl=64, tos=0):
    s, d = ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = 0xFFFF - ones_sum(s + d + struct.pack("!xBH", 17, len(udp)) + udp)
    udp = udp[:6] + struct.pack("!H", c or 0xFFFF) + udp[8:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(udp), 1, 0, ttl, 17, 0, s, d)
    hdr = hdr[:10] + struct.pack("!H", 0xFFFF - ones_sum(hdr)) + hdr[12:]
    return hdr + udp


def cmd_send_4in6(a):
    """A UDP/IPv4 packet in IPv6 (next header 4), sent from a raw socket."""
    inner = ip4_udp(a.src4, a.dst4, a.sport, a.dport, b"softwire test", tos=a.tos)
    if a.malformed == "truncated":          # half an IPv4 header
        inner = inner[:10]
    elif a.malformed == "ihl":              # IHL 3: shorter than a header
        inner = bytes([0x43]) + inner[1:]
    elif a.malformed == "version":          # not IPv4 at all
        inner = bytes([0x65]) + inner[1:]
    elif a.malformed == "checksum":         # header checksum wrong
        inner = inner[:10] + bytes([inner[10] ^ 0xFF]) + inner[11:]
    elif a.malformed == "length":           # total length beyond the packet
        inner = inner[:2] + struct.pack("!H", len(inner) + 100) + inner[4:]
    s6, d6 = ipaddress.IPv6Address(a.src6).packed, ipaddress.IPv6Address(a.dst6).packed
    vtf = 6 << 28 | a.tclass << 20
    send_raw([struct.pack("!IHBB", vtf, len(inner), 4, 64) + s6 + d6 + inner] * a.count)
    return 0


def cmd_check(a):
    pkts = [Packet(r) for r in read_pcap(a.pcap)]
    forbid = [ipaddress.IPv6Network(p) for p in a.forbid]
    require = [ipaddress.IPv6Network(p) for p in a.require]
    bad = []
    for p in pkts:
        addrs = [p.src, p.dst]
        q = p.quoted()
        if q:
            addrs += [q.src, q.dst]
        for n in forbid:
            for x in addrs:
                if x in n:
                    bad.append("%s: carries %s, inside the forbidden %s" % (p.describe(), x, n))
        for n in require:
            if not any(x in n for x in addrs):
                bad.append("%s: no address in %s" % (p.describe(), n))
        st = p.checksum_state()
        if st == "bad" or (st == "partial" and not a.allow_partial):
            bad.append("%s: checksum %s" % (p.describe(), st))
        if q and q.checksum_state() == "bad" and len(q.raw) >= 40 + q.plen:
            bad.append("%s: quoted packet checksum bad" % p.describe())
    summary = {}
    for p in pkts:
        k = NAMES.get(p.proto, str(p.proto))
        summary[k] = summary.get(k, 0) + 1
    print("  %d IPv6 packets (%s)" % (len(pkts), ", ".join(
        "%s %d" % kv for kv in sorted(summary.items()))))
    if len(pkts) < a.min:
        bad.append("expected at least %d packets, saw %d" % (a.min, len(pkts)))
    for b in bad[:10]:
        print("  unexpected: " + b)
    return 1 if bad else 0


def cmd_dump(a):
    for p in read_pcap(a.pcap):
        print(Packet(p).describe())
    return 0


def cmd_diff(a):
    pa, pb = read_pcap(a.a), read_pcap(a.b)
    if len(pa) != len(pb):
        print("  %s has %d packets, %s has %d" % (a.a, len(pa), a.b, len(pb)))
        return 1
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y:
            at = next(j for j in range(min(len(x), len(y))) if x[j] != y[j]) \
                if any(x[j] != y[j] for j in range(min(len(x), len(y)))) else min(len(x), len(y))
            print("  packet %d differs at byte %d:\n    %s\n    %s" % (
                i, at, Packet(x).describe(), Packet(y).describe()))
            return 1
    print("  %d packets identical" % len(pa))
    return 0


def udp6(src, dst, sport, dport, payload, hlim=64):
    s, d = ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed
    length = 8 + len(payload)
    udp = struct.pack("!HHHH", sport, dport, length, 0) + payload
    c = 0xFFFF - ones_sum(s + d + struct.pack("!IxxxB", length, 17) + udp)
    udp = udp[:6] + struct.pack("!H", c or 0xFFFF) + udp[8:]
    return struct.pack("!IHBB", 6 << 28, length, 17, hlim) + s + d + udp


def icmp6(src, dst, typ, code, body, hlim=64):
    s, d = ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed
    msg = struct.pack("!BBH", typ, code, 0) + body
    c = 0xFFFF - ones_sum(s + d + struct.pack("!IxxxB", len(msg), 58) + msg)
    msg = msg[:2] + struct.pack("!H", c) + msg[4:]
    return struct.pack("!IHBB", 6 << 28, len(msg), 58, hlim) + s + d + msg


def send_raw(packets, dev=None):
    """Send complete IPv6 packets (IPV6_HDRINCL raw socket): they leave
    through the routing table like locally generated packets."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for p in packets:
        sock.sendto(p, (str(ipaddress.IPv6Address(p[24:40])), 0))
    sock.close()


def send_frames(dev, dst_mac, packets):
    """Send IPv6 packets as Ethernet frames from an AF_PACKET socket."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((dev, 0))
    src_mac = sock.getsockname()[4]
    dmac = bytes.fromhex(dst_mac.replace(":", ""))
    for p in packets:
        sock.send(dmac + src_mac + struct.pack("!H", ETH_P_IPV6) + p)
    sock.close()


def rand_in(net, rng):
    net = ipaddress.IPv6Network(net)
    host = rng.getrandbits(128 - net.prefixlen) if net.prefixlen < 128 else 0
    return ipaddress.IPv6Address(int(net.network_address) | host)


def cmd_icmp_error(a):
    """An ICMPv6 error (type/code) from --src to --dst quoting a UDP packet
    --qsrc -> --qdst, padded to --size bytes, sent as an Ethernet frame on
    --dev to --mac (AF_PACKET makes skbs larger than a page non-linear)."""
    quoted = udp6(a.qsrc, a.qdst, a.qsport, a.qdport, b"q" * a.qlen)
    body = struct.pack("!I", a.mtu if a.type == 2 else 0) + quoted
    pkt = icmp6(a.src, a.dst, a.type, a.code, body)
    send_frames(a.dev, a.mac, [pkt])
    return 0


def cmd_icmp6_4in6(a):
    """An ICMPv6 error from --src to --dst (type/code, --mtu for Packet Too
    Big) quoting a 4in6 packet --qsrc6 -> --qdst6 whose inner UDP/IPv4
    packet is --qsrc4:--qsport -> --qdst4:--qdport (DF set with --df), as
    a router on the IPv6 path between two softwire ends would send it."""
    inner = bytearray(ip4_udp(a.qsrc4, a.qdst4, a.qsport, a.qdport, b"q" * a.qlen))
    if a.df:
        inner[6] |= 0x40
        inner[10:12] = b"\0\0"
        inner[10:12] = struct.pack("!H", 0xFFFF - ones_sum(bytes(inner[:20])))
    s6 = ipaddress.IPv6Address(a.qsrc6).packed
    d6 = ipaddress.IPv6Address(a.qdst6).packed
    quoted = struct.pack("!IHBB", 6 << 28, len(inner), 4, 64) + s6 + d6 + bytes(inner)
    body = struct.pack("!I", a.mtu if a.type == 2 else 0) + quoted
    send_raw([icmp6(a.src, a.dst, a.type, a.code, body)])
    return 0


def cmd_send_echo4(a):
    """One ICMP echo request to DST with identifier ID from a raw socket,
    its checksum right or (--bad-checksum) wrong."""
    msg = struct.pack("!BBHHH", 8, 0, 0, a.id, 1) + b"softwire test"
    c = 0xFFFF - ones_sum(msg)
    if a.bad_checksum:
        c ^= 0x5555
    msg = msg[:2] + struct.pack("!H", c) + msg[4:]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.sendto(msg, (a.dst, 0))
    return 0


def cmd_send_udp4_size(a):
    """One UDP datagram of SIZE bytes from port 4242, DF set (IP_PMTUDISC_PROBE:
    sent whatever the kernel knows of the path)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, 10, 3)       # IP_MTU_DISCOVER, PROBE
    sock.bind(("0.0.0.0", 4242))
    sock.sendto(b"s" * a.size, (a.dst, a.port))
    return 0


def forwardable(first16):
    """Can an address starting with these 16 bits be forwarded, and is it
    not on the test's own links (fd00::/16)? Not ::/8 (unspecified,
    loopback, IPv4-mapped), link-local fe80::/10, multicast ff00::/8."""
    return first16 >> 8 not in (0, 0xFF) and first16 & 0xFFC0 != 0xFE80 \
        and first16 != 0xFD00


def npt_addr_ok(addr, to):
    """An address for the differential test: forwardable before and after
    its prefix becomes `to`'s, and no 0xffff carrier word (there MAP66 and
    ip6t_NPT are specified to differ: NPT maps it irreversibly or drops)."""
    w = struct.unpack("!8H", addr.packed)
    n = min(to.prefixlen, 16)
    mask = (0xFFFF << (16 - n)) & 0xFFFF
    mapped = (struct.unpack("!H", to.network_address.packed[:2])[0] & mask) | (w[0] & ~mask & 0xFFFF)
    return 0xFFFF not in w[3:] and forwardable(w[0]) and forwardable(mapped)


def cmd_npt_plan(a):
    """Random prefix pairs (/1../64) and packets for the differential test
    against ip6t_NPT: writes npt.rules, map66.rules and packets.hex."""
    rng = random.Random(a.seed)
    lens = [1, 15, 16, 17, 32, 47, 48, 49, 56, 63, 64]
    lens += [rng.randrange(5, 65) for _ in range(max(0, a.configs - len(lens)))]
    # Fixed ends of the flows, and the test's own links, that no prefix
    # may cover; the prefixes one direction maps from do not overlap, so
    # that each packet meets exactly the rule it was made for.
    fixed_src = ipaddress.IPv6Address("fd00:f00d::1")
    fixed_dst = ipaddress.IPv6Address("fd00:beef::1")
    links = ipaddress.IPv6Network("fd00::/16")

    def pick(n, taken):
        while True:
            net = ipaddress.IPv6Network((rng.getrandbits(n) << (128 - n), n))
            # Mostly forwardable addresses (a /10 in ff00::/8 has none).
            if sum(forwardable(struct.unpack("!H", rand_in(net, rng).packed[:2])[0])
                   for _ in range(8)) < 4:
                continue
            if fixed_src not in net and fixed_dst not in net and \
                    not net.overlaps(links) and not any(net.overlaps(t) for t in taken):
                taken.append(net)
                return net
    snat, dnat, taken_s, taken_d, taken_to = [], [], [], [], []
    # Shortest first: once long prefixes are strewn about, a short one
    # that overlaps none of them may no longer exist.
    lens.sort()
    for i, n in enumerate(lens):
        if i % 2 == 0:
            snat.append((pick(n, taken_s), pick(n, taken_to)))
        else:
            dnat.append((pick(n, taken_d), pick(n, taken_to)))
    pkts = []
    for k in range(a.packets):
        for frm, to in snat:
            while True:
                src = rand_in(frm, rng)
                if npt_addr_ok(src, to):
                    break
            pkts.append(udp6(src, fixed_dst, 1024 + k, 9, b"snpt-%d" % k))
        for frm, to in dnat:
            while True:
                dst = rand_in(frm, rng)
                if npt_addr_ok(dst, to):
                    break
            pkts.append(udp6(fixed_src, dst, 2048 + k, 9, b"dnpt-%d" % k))

    def ruleset(target):
        out = ["*mangle"]
        chains = ["s%d" % i for i in range(len(snat))] + ["d%d" % i for i in range(len(dnat))]
        out += [":%s - [0:0]" % c for c in chains]
        for i, (frm, to) in enumerate(snat):
            out.append("-A POSTROUTING -o %s -s %s -j s%d" % (a.out_dev, frm, i))
            out.append("-A s%d -j %s" % (i, target("SNPT", frm, to)))
            out.append("-A s%d -j ACCEPT" % i)
        for i, (frm, to) in enumerate(dnat):
            out.append("-A PREROUTING -i %s -d %s -j d%d" % (a.in_dev, frm, i))
            out.append("-A d%d -j %s" % (i, target("DNPT", frm, to)))
            out.append("-A d%d -j ACCEPT" % i)
        out.append("COMMIT")
        return "\n".join(out) + "\n"
    with open(a.dir + "/npt.rules", "w") as f:
        f.write(ruleset(lambda t, frm, to: "%s --src-pfx %s --dst-pfx %s" % (t, frm, to)))
    with open(a.dir + "/map66.rules", "w") as f:
        f.write(ruleset(lambda t, frm, to: "MAP66 --to %s" % to))
    with open(a.dir + "/packets.hex", "w") as f:
        f.write("\n".join(p.hex() for p in pkts) + "\n")
    print("  %d prefix pairs (lengths %s), %d packets" % (
        len(lens), ",".join(map(str, lens)), len(pkts)))
    return 0


def cmd_send_file(a):
    with open(a.file) as f:
        send_raw([bytes.fromhex(x) for x in f.read().split()])
    return 0


def cmd_udp_echo(a):
    """Answer COUNT UDP datagrams on PORT with "echo: " + the datagram."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", a.port))
    sock.settimeout(30)
    for _ in range(a.count):
        data, peer = sock.recvfrom(2048)
        print("  udp-echo: %d bytes from %s" % (len(data), peer[0]))
        sock.sendto(b"echo: " + data, peer)
    return 0


def cmd_udp_ask(a):
    """Send MSG COUNT times to DST PORT; each answer must echo it."""
    sock = socket.socket(socket.AF_INET6 if ":" in a.dst else socket.AF_INET,
                         socket.SOCK_DGRAM)
    sock.settimeout(5)
    sock.connect((a.dst, a.port))
    for i in range(a.count):
        sock.send(a.msg.encode())
        try:
            data = sock.recv(2048)
        except OSError as e:
            print("  udp-ask: no answer: %s" % e)
            return 1
        if data != b"echo: " + a.msg.encode():
            print("  udp-ask: unexpected answer %r" % data)
            return 1
    return 0


def cmd_udp_stream(a):
    """Ask DST PORT (a udp-echo server) COUNT times, one every INTERVAL
    seconds, without stopping at a loss; print how many answers came."""
    import time
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(a.interval)
    sock.connect((a.dst, a.port))
    got = 0
    for i in range(a.count):
        sent = time.monotonic()
        try:
            sock.send(b"%d" % i)
            while True:
                data = sock.recv(2048)
                if data == b"echo: %d" % i:
                    got += 1
                    break
        except OSError:
            pass
        left = a.interval - (time.monotonic() - sent)
        if left > 0:
            time.sleep(left)
    print(got)
    return 0


def cmd_send_udp4(a):
    """One UDP datagram over IPv4 from source port 4242."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, a.tos)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a.ttl)
    sock.bind(("0.0.0.0", 4242))
    for _ in range(a.count):
        sock.sendto(b"softwire test", (a.dst, a.port))
    return 0


def cmd_send_udp4_list(a):
    """One UDP datagram from source port 4242 to each "address port" line."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", 4242))
    with open(a.file) as f:
        for line in f:
            dst, port = line.split()
            sock.sendto(b"softwire test", (dst, int(port)))
    return 0


def cmd_outer6(a):
    """The IPv6 header fields of each packet: traffic class, flow label,
    hop limit."""
    for r in read_pcap(a.pcap):
        p = Packet(r)
        v = struct.unpack("!I", r[:4])[0]
        print("%s > %s tc %d fl %d hlim %d" % (p.src, p.dst, (v >> 20) & 0xFF,
                                              v & 0xFFFFF, r[7]))
    return 0


def cmd_udp_error(a):
    """Send one datagram to DST PORT: the ICMP or ICMPv6 error that comes back
    must reach this socket as a.expect (ECONNREFUSED for port unreachable,
    EHOSTUNREACH for host unreachable), which the kernel reports only when
    the quoted packet matches what this socket sent."""
    import errno
    if ":" in a.dst:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # host unreachable is a soft error: reported with IP_RECVERR only
        sock.setsockopt(socket.IPPROTO_IP, 11, 1)      # IP_RECVERR
    sock.settimeout(5)
    sock.connect((a.dst, a.port))
    sock.send(b"anyone there?")
    try:
        sock.recv(2048)
    except OSError as e:
        if e.errno == a.expect:
            return 0
        print("  %s: %s instead of %s" % (a.cmd, e, errno.errorcode[a.expect]))
        return 1
    print("  %s: got an answer" % a.cmd)
    return 1


def nl_attr(typ, payload):
    pad = (4 - len(payload) % 4) % 4
    return struct.pack("=HH", 4 + len(payload), typ) + payload + b"\0" * pad


def nl_talk(sock, typ, flags, cmd, version, attrs, reserved=0):
    """One request; returns (errno, extack message, replies)."""
    body = struct.pack("=BBH", cmd, version, reserved) + attrs
    sock.send(struct.pack("=IHHII", 16 + len(body), typ, flags | 1, 1, 0) + body)
    replies = []
    while True:
        data = sock.recv(1 << 16)
        off = 0
        while off + 16 <= len(data):
            ln, t, fl, _, _ = struct.unpack_from("=IHHII", data, off)
            msg = data[off:off + ln]
            off += (ln + 3) & ~3
            if t == 3:                                  # NLMSG_DONE
                return 0, "", replies
            if t != 2:                                  # not NLMSG_ERROR
                replies.append(msg)
                continue
            err = -struct.unpack_from("=i", msg, 16)[0]
            text = ""
            if err and fl & 0x200:                      # NLM_F_ACK_TLVS
                a = 20 + (16 if fl & 0x100 else struct.unpack_from("=I", msg, 20)[0])
                while a + 4 <= len(msg):
                    al, at = struct.unpack_from("=HH", msg, a)
                    if al < 4:
                        break
                    if at == 1:                         # NLMSGERR_ATTR_MSG
                        text = msg[a + 4:a + al].split(b"\0")[0].decode()
                    a += (al + 3) & ~3
            return err, text, replies


def genl_attrs(specs):
    """Attributes from TYPE:KIND:VALUE (KIND str, u32, hex, flag)."""
    attrs = b""
    for spec in specs:
        typ, kind, val = spec.split(":", 2)
        payload = {"str": lambda v: v.encode() + b"\0",
                   "u32": lambda v: struct.pack("=I", int(v)),
                   "hex": bytes.fromhex,
                   "flag": lambda v: b""}[kind](val)
        attrs += nl_attr(int(typ), payload)
    return attrs


def cmd_genl(a):
    """One request of generic netlink family FAMILY, command CMD, with the
    attributes given as TYPE:KIND:VALUE (KIND str, u32, hex, flag), then
    one more of the same command per --part, on the same socket; prints
    "error N: message" (of the first that failed) or "ok" and exits 0 on
    success."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    sock.setsockopt(270, 11, 1)                         # NETLINK_EXT_ACK
    sock.setsockopt(270, 10, 1)                         # NETLINK_CAP_ACK
    sock.bind((0, 0))
    err, text, rep = nl_talk(sock, 0x10, 4, 3, 1,       # CTRL_CMD_GETFAMILY
                             nl_attr(2, a.family.encode() + b"\0"))
    if err or not rep:
        print("error %d: no family %s %s" % (err, a.family, text))
        return 1
    fid, off = None, 20
    while off + 4 <= len(rep[0]):
        al, at = struct.unpack_from("=HH", rep[0], off)
        if at == 1:                                     # CTRL_ATTR_FAMILY_ID
            fid = struct.unpack_from("=H", rep[0], off + 4)[0]
        off += (al + 3) & ~3
    flags = 0x300 if a.dump else 4                      # NLM_F_DUMP, else ACK
    if a.fresh:
        # A socket that has received nothing yet: the kernel sizes the
        # first part of a dump at NLMSG_GOODSIZE for it.
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        sock.setsockopt(270, 11, 1)
        sock.setsockopt(270, 10, 1)
        sock.bind((0, 0))
    for n, specs in enumerate([a.attr] + (a.part or [])):
        err, text, rep = nl_talk(sock, fid, flags, a.cmd, 1, genl_attrs(specs),
                                 a.reserved)
        if err:
            print("error %d: %s%s" % (err, text, " (part %d)" % n if n else ""))
            return 1
    print("ok, %d messages" % len(rep))
    return 0


def cmd_genl_probe(a):
    """nlctrl GETFAMILY requests one after the other until file STOP exists
    (or SECONDS pass); writes "start end" (time.time()) of each to OUT."""
    import os
    import time
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    sock.bind((0, 0))
    req = nl_attr(2, b"nlctrl\0")
    limit = time.time() + a.seconds
    with open(a.out, "w") as out:
        while time.time() < limit and not os.path.exists(a.stop):
            t0 = time.time()
            err, _, _ = nl_talk(sock, 0x10, 4, 3, 1, req)
            out.write("%.6f %.6f %d\n" % (t0, time.time(), err))
            time.sleep(a.interval)
    return 0


def cmd_udp_flows(a):
    """Open COUNT UDP sockets at once (COUNT flows), send one datagram to
    DST PORT from each (from source port SPORT for the first, if given),
    keep them open SECONDS; print how many got an answer."""
    import select
    import time
    socks = []
    for i in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if i == 0 and a.sport:
            s.bind(("0.0.0.0", a.sport))
        s.connect((a.dst, a.port))
        s.send(b"flow %d" % i)
        s.setblocking(False)
        socks.append(s)
        if a.pace:
            time.sleep(a.pace)
    answered = set()
    end = time.monotonic() + a.seconds
    while time.monotonic() < end and len(answered) < len(socks):
        r, _, _ = select.select([s for s in socks if s not in answered], [], [],
                                max(0, end - time.monotonic()))
        for s in r:
            try:
                s.recv(2048)
                answered.add(s)
            except OSError:
                pass
    print(len(answered))
    return 0


def cmd_udp_ports(a):
    """Answer UDP datagrams on PORT for SECONDS (or until COUNT came);
    print the source port of each, in the order they came."""
    import time
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # A burst of a thousand flows must not overflow the socket (the
    # default buffer holds a few hundred small datagrams): 8 MB, as root.
    sock.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)     # SO_RCVBUFFORCE
    sock.bind(("0.0.0.0", a.port))
    end = time.monotonic() + a.seconds
    n = 0
    with open(a.out, "w") as out:
        while n < a.count and time.monotonic() < end:
            sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                data, peer = sock.recvfrom(2048)
            except OSError:
                continue
            out.write("%s %d\n" % peer)
            out.flush()
            sock.sendto(b"echo: " + data, peer)
            n += 1
    return 0


def cmd_in_set(a):
    """Check the ports (one "ADDR PORT" per line of FILE): all from ADDR,
    all distinct, all in the port set PSID/LEN at OFFSET (RFC 7597 section
    5.1: A = port >> (16 - a) is not 0 when a > 0, and the k bits after A
    are the PSID). Print problems; exit 1 if any."""
    psid, k = (int(x) for x in a.psid.split("/"))
    off = a.offset
    bad, seen = [], set()
    for line in open(a.file):
        addr, port = line.split()
        port = int(port)
        if addr != a.addr:
            bad.append("%s %d: not from %s" % (addr, port, a.addr))
        if port in seen:
            bad.append("port %d twice" % port)
        seen.add(port)
        m = 16 - off - k
        if (off and port >> (16 - off) == 0) or ((port >> m) & ((1 << k) - 1)) != psid or port == 0:
            bad.append("port %d is not in PSID %d/%d at offset %d" % (port, psid, k, off))
    print("  %d ports, %d distinct" % (sum(1 for _ in open(a.file)), len(seen)))
    for b in bad[:10]:
        print("  " + b)
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("pcap")
    c.add_argument("--forbid", action="append", default=[])
    c.add_argument("--require", action="append", default=[])
    c.add_argument("--allow-partial", action="store_true")
    c.add_argument("--min", type=int, default=1)
    c.set_defaults(fn=cmd_check)
    c = sub.add_parser("dump")
    c.add_argument("pcap")
    c.set_defaults(fn=cmd_dump)
    c = sub.add_parser("diff")
    c.add_argument("a")
    c.add_argument("b")
    c.set_defaults(fn=cmd_diff)
    c = sub.add_parser("udp-echo")
    c.add_argument("port", type=int)
    c.add_argument("count", type=int)
    c.set_defaults(fn=cmd_udp_echo)
    c = sub.add_parser("udp-ask")
    c.add_argument("dst")
    c.add_argument("port", type=int)
    c.add_argument("msg")
    c.add_argument("count", type=int)
    c.set_defaults(fn=cmd_udp_ask)
    for name, err in (("udp-refused", 111), ("udp-unreachable", 113)):
        c = sub.add_parser(name)      # ECONNREFUSED, EHOSTUNREACH
        c.add_argument("dst")
        c.add_argument("port", type=int)
        c.set_defaults(fn=cmd_udp_error, expect=err)
    c = sub.add_parser("send-udp4")
    c.add_argument("dst")
    c.add_argument("port", type=int)
    c.add_argument("--tos", type=int, default=0)
    c.add_argument("--ttl", type=int, default=64)
    c.add_argument("--count", type=int, default=1)
    c.set_defaults(fn=cmd_send_udp4)
    c = sub.add_parser("icmp6-4in6")
    for k in ("src", "dst", "qsrc6", "qdst6", "qsrc4", "qdst4"):
        c.add_argument("--" + k, required=True)
    c.add_argument("--type", type=int, default=2)
    c.add_argument("--code", type=int, default=0)
    c.add_argument("--mtu", type=int, default=1400)
    c.add_argument("--qsport", type=int, default=4242)
    c.add_argument("--qdport", type=int, default=5000)
    c.add_argument("--qlen", type=int, default=64)
    c.add_argument("--df", action="store_true")
    c.set_defaults(fn=cmd_icmp6_4in6)
    c = sub.add_parser("send-echo4")
    c.add_argument("dst")
    c.add_argument("id", type=int)
    c.add_argument("--bad-checksum", action="store_true")
    c.set_defaults(fn=cmd_send_echo4)
    c = sub.add_parser("send-udp4-size")
    c.add_argument("dst")
    c.add_argument("port", type=int)
    c.add_argument("size", type=int)
    c.set_defaults(fn=cmd_send_udp4_size)
    c = sub.add_parser("send-udp4-list")
    c.add_argument("file")
    c.set_defaults(fn=cmd_send_udp4_list)
    c = sub.add_parser("outer6")
    c.add_argument("pcap")
    c.set_defaults(fn=cmd_outer6)
    c = sub.add_parser("udp-stream")
    c.add_argument("dst")
    c.add_argument("port", type=int)
    c.add_argument("count", type=int)
    c.add_argument("interval", type=float)
    c.set_defaults(fn=cmd_udp_stream)
    c = sub.add_parser("udp-flows")
    c.add_argument("dst")
    c.add_argument("port", type=int)
    c.add_argument("count", type=int)
    c.add_argument("seconds", type=float)
    c.add_argument("--sport", type=int, default=0)
    c.add_argument("--pace", type=float, default=0)
    c.set_defaults(fn=cmd_udp_flows)
    c = sub.add_parser("udp-ports")
    c.add_argument("port", type=int)
    c.add_argument("count", type=int)
    c.add_argument("seconds", type=float)
    c.add_argument("out")
    c.set_defaults(fn=cmd_udp_ports)
    c = sub.add_parser("in-set")
    c.add_argument("file")
    c.add_argument("addr")
    c.add_argument("psid")
    c.add_argument("offset", type=int)
    c.set_defaults(fn=cmd_in_set)
    c = sub.add_parser("dump4")
    c.add_argument("pcap")
    c.set_defaults(fn=cmd_dump4)
    c = sub.add_parser("dump-l4")
    c.add_argument("pcap")
    c.set_defaults(fn=cmd_dump_l4)
    c = sub.add_parser("send-4in6")
    for k in ("src6", "dst6", "src4", "dst4"):
        c.add_argument("--" + k, required=True)
    c.add_argument("--sport", type=int, default=53)
    c.add_argument("--dport", type=int, required=True)
    c.add_argument("--malformed", choices=("truncated", "ihl", "version", "checksum", "length"))
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--tclass", type=int, default=0, help="outer traffic class")
    c.add_argument("--tos", type=int, default=0, help="inner TOS")
    c.set_defaults(fn=cmd_send_4in6)
    c = sub.add_parser("tos")
    c.add_argument("pcap")
    c.set_defaults(fn=cmd_tos)
    c = sub.add_parser("npt-plan")
    c.add_argument("dir")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--configs", type=int, default=40)
    c.add_argument("--packets", type=int, default=6)
    c.add_argument("--out-dev", default="eth0")
    c.add_argument("--in-dev", default="eth1")
    c.set_defaults(fn=cmd_npt_plan)
    c = sub.add_parser("send-file")
    c.add_argument("file")
    c.set_defaults(fn=cmd_send_file)
    c = sub.add_parser("icmp-error")
    for k in ("dev", "mac", "src", "dst", "qsrc", "qdst"):
        c.add_argument("--" + k, required=True)
    c.add_argument("--type", type=int, default=1)
    c.add_argument("--code", type=int, default=4)
    c.add_argument("--mtu", type=int, default=1280)
    c.add_argument("--qsport", type=int, default=40000)
    c.add_argument("--qdport", type=int, default=33434)
    c.add_argument("--qlen", type=int, default=16)
    c.set_defaults(fn=cmd_icmp_error)
    c = sub.add_parser("genl")
    c.add_argument("family")
    c.add_argument("cmd", type=int)
    c.add_argument("attr", nargs="*", help="TYPE:str|u32|hex|flag:VALUE")
    c.add_argument("--part", action="append", nargs="+", metavar="ATTR",
                   help="one more request of CMD, on the same socket")
    c.add_argument("--reserved", type=int, default=0)
    c.add_argument("--dump", action="store_true")
    c.add_argument("--fresh", action="store_true",
                   help="the request on a socket that has received nothing")
    c.set_defaults(fn=cmd_genl)
    c = sub.add_parser("genl-probe")
    c.add_argument("out")
    c.add_argument("stop")
    c.add_argument("seconds", type=float)
    c.add_argument("--interval", type=float, default=0.001)
    c.set_defaults(fn=cmd_genl_probe)
    a = ap.parse_args()
    sys.exit(a.fn(a))


if __name__ == "__main__":
    main()
