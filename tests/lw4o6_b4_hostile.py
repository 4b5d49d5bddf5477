#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The LAN side of tests/lw4o6_b4_hostile.sh: hostile IPv4 packets sent one
by one from the client (namespace "client", 10.0.0.2, its default route the
B4) towards the server 198.51.100.1, each checked against the B4's counters
(/proc/net/xt_LW4O6 of namespace "b4", opened there before the sends):

  lw4o6_b4_hostile.py MODE LABEL   MODE: owner (--b4-ipv4 + --psid) or dslite

owner: every case that the B4's NAT leaves alone (conntrack INVALID, a
protocol no SNAT rule maps) is dropped and counted by the counter the case
names, never encapsulated; a case the NAT may or may not map (a bad TCP
checksum: conntrack checks it only where the checksum is not offloaded)
is either dropped and counted or NATed into the set. dslite: the same
packets are encapsulated as they are (the AFTR NATs): no counter moves.
The wire is checked by the shell script from a capture of the wan.
"""
import ctypes
import os
import socket
import sys
import time

from scapy.all import IP, TCP, ICMP, Raw, raw  # noqa: E402

SERVER4 = "198.51.100.1"
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def setns(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:          # CLONE_NEWNET
        sys.exit("setns %s: %s" % (ns, os.strerror(ctypes.get_errno())))
    os.close(fd)


def counters(f):
    f.seek(0)
    return {k: int(v) for k, v in (line.split() for line in f.read().splitlines())}


# (description, packet, the counter that must count it, or a tuple of the
# counters of which exactly one must: owner mode)
CASES = [
    ("TCP SYN+FIN (conntrack: invalid flags, not NATed)",
     IP(dst=SERVER4) / TCP(sport=40001, dport=80, flags="SF"),
     "encap_dropped_source_not_ours"),
    ("TCP cut after 8 bytes of its header (conntrack: truncated)",
     IP(dst=SERVER4, proto=6) / Raw(b"\x9c\x42\x00\x50\x00\x00\x00\x01"),
     "encap_dropped_source_not_ours"),
    ("protocol 253 (no SNAT rule maps it)",
     IP(dst=SERVER4, proto=253) / Raw(b"experimental payload"),
     "encap_dropped_source_not_ours"),
    ("UDP header cut after 4 bytes",
     IP(dst=SERVER4, proto=17) / Raw(b"\x9c\x43\x13\x8a"),
     "encap_dropped_source_not_ours"),
    ("TCP SYN with a bad checksum (NATed only where conntrack does not check it)",
     IP(dst=SERVER4) / TCP(sport=40003, dport=80, flags="S", chksum=0x1234),
     ("encap_dropped_source_not_ours", "encapsulated")),
    ("ICMP timestamp request (no port: sent if NATed to the B4's address)",
     IP(dst=SERVER4) / ICMP(type=13, id=4242),
     ("encapsulated", "encap_dropped_source_not_ours")),
]
WATCH = ["encapsulated", "encap_dropped_source_not_ours",
         "encap_dropped_port_not_in_set", "encap_dropped_malformed"]


def main():
    mode, label = sys.argv[1], sys.argv[2]
    setns("b4")
    cf = open("/proc/net/xt_LW4O6")
    setns("client")
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    failed = 0
    for desc, pkt, want in CASES:
        pkt[IP].src = "10.0.0.2"
        # Each mode its own identifiers: no connection of an earlier
        # round (NATed then) is met again.
        if mode == "dslite" and pkt.haslayer(ICMP):
            pkt[ICMP].id += 1000
        elif mode == "dslite" and pkt.haslayer(TCP):
            pkt[TCP].sport += 1000
        before = counters(cf)
        s.sendto(raw(pkt), (SERVER4, 0))
        # The B4 counts in softirq: wait until something moved (or 3 s).
        end = time.monotonic() + 3
        while time.monotonic() < end:
            time.sleep(0.05)
            after = counters(cf)
            if any(after.get(k, 0) != before.get(k, 0) for k in WATCH):
                break
        time.sleep(0.1)
        after = counters(cf)
        moved = {k: after.get(k, 0) - before.get(k, 0) for k in WATCH
                 if after.get(k, 0) != before.get(k, 0)}
        if mode == "dslite":
            ok = moved == {"encapsulated": 1}
            what = "encapsulated as it is (DS-Lite: the AFTR NATs)"
        elif isinstance(want, tuple):
            ok = len(moved) == 1 and list(moved.values()) == [1] and \
                next(iter(moved)) in want
            what = "one of %s counted once" % " or ".join(want)
        else:
            ok = moved == {want: 1}
            what = "dropped, %s counted once" % want
        print("%s - %s: %s: %s%s" % ("ok" if ok else "not ok", label, desc, what,
                                      "" if ok else " (moved: %s)" % moved))
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
