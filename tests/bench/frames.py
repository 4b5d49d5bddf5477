#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Frames for the decapsulation benchmarks, for sendraw: 4in6 packets of a
100-byte IPv4 UDP packet (the size pktgen sends), as a B4 sends them.

  frames.py OUT DSTMAC MODE [N]

MODE: one   the softwire 100.64.0.1 PSID 5/6 of B4 2001:db8:0:5::1
      10k   random softwires of 625 addresses x 16 PSIDs (psid-length 4)
      1M    random softwires of 16384 addresses x 64 PSIDs (psid-length 6)
      tnl   B4 2001:db8:b4::2 (a Linux ip4ip6 tunnel's remote end)
Address number I is 100.64.I/256.I%256, its PSID P's B4 2001:db8:I:P::1
(the tables bench/run.sh loads); psid-offset 6; the outer destination is
the AFTR 2001:db8:ffff::1, the inner one 203.0.113.1 port 4242.
OUT holds N frames (default 1, 16384 for 10k and 1M), each as a 2-byte
little-endian length and the frame.
"""
import ipaddress
import random
import struct
import sys

AFTR = ipaddress.ip_address("2001:db8:ffff::1").packed
INNER_DST = bytes([203, 0, 113, 1])
IP4_LEN = 86                    # 100-byte frame less the Ethernet header


def csum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(dstmac, b4, src4, sport):
    ip4 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, IP4_LEN, 0, 0x4000, 64, 17, 0,
                      src4, INNER_DST)
    ip4 = ip4[:10] + struct.pack("!H", csum(ip4)) + ip4[12:]
    udp = struct.pack("!HHHH", sport, 4242, IP4_LEN - 20, 0)
    inner = ip4 + udp + bytes(IP4_LEN - 28)
    ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(inner), 4, 64, b4, AFTR)
    eth = dstmac + bytes.fromhex("020000000001") + b"\x86\xdd"
    return eth + ip6 + inner


def softwire(i, p, plen):
    src4 = bytes([100, 64, i // 256, i % 256])
    b4 = ipaddress.ip_address("2001:db8:%x:%x::1" % (i, p)).packed
    a = random.randrange(1, 64)             # offset 6: A = 0 is not in a set
    m = random.randrange(1 << (10 - plen))
    return b4, src4, (a << 10) | (p << (10 - plen)) | m


def main():
    out, mac, mode = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), sys.argv[3]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else (16384 if mode in ("10k", "1M") else 1)
    random.seed(9)
    with open(out, "wb") as f:
        for _ in range(n):
            if mode == "one":
                b4, src4, sport = softwire(0, 5, 6)
                src4 = bytes([100, 64, 0, 1])
            elif mode == "10k":
                b4, src4, sport = softwire(random.randrange(625), random.randrange(16), 4)
            elif mode == "1M":
                b4, src4, sport = softwire(random.randrange(16384), random.randrange(64), 6)
            elif mode == "tnl":
                b4, src4, sport = (ipaddress.ip_address("2001:db8:b4::2").packed,
                                   bytes([198, 18, 0, 2]), 4242)
            else:
                sys.exit("frames.py: unknown mode " + mode)
            fr = frame(mac, b4, src4, sport)
            f.write(struct.pack("<H", len(fr)) + fr)


if __name__ == "__main__":
    main()
