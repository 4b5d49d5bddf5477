#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hold one packet queued by NFQUEUE, then let it go.

nfq_hold.py QUEUE READY GO: bind to NFQUEUE number QUEUE (IPv4), wait for
one packet, create the file READY, wait (30 s at most) until the file GO
exists, then give the packet the verdict NF_ACCEPT, so that it goes on
through the hooks after the queueing rule. Plain nfnetlink, no library.
"""
import os
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NF_ACCEPT = 1


def attr(typ, payload):
    a = struct.pack("=HH", 4 + len(payload), typ) + payload
    return a + b"\0" * (-len(a) % 4)


def message(sock, msg, queue, attrs, flags=NLM_F_REQUEST | NLM_F_ACK):
    body = struct.pack("!BBH", socket.AF_UNSPEC, 0, queue) + b"".join(attrs)
    hdr = struct.pack("=IHHII", 16 + len(body), NFNL_SUBSYS_QUEUE << 8 | msg, flags, 0, 0)
    sock.send(hdr + body)


def check_ack(sock):
    data = sock.recv(65536)
    length, typ = struct.unpack("=IH", data[:6])
    if typ == 2:                                        # NLMSG_ERROR
        err = struct.unpack("=i", data[16:20])[0]
        if err:
            raise OSError(-err, os.strerror(-err))


def main():
    queue, ready, go = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    message(sock, NFQNL_MSG_CONFIG, queue,
            [attr(NFQA_CFG_CMD, struct.pack("!BxH", NFQNL_CFG_CMD_BIND, socket.AF_INET))])
    check_ack(sock)
    message(sock, NFQNL_MSG_CONFIG, queue,
            [attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META))])
    check_ack(sock)
    open(ready + ".bound", "w").close()
    sock.settimeout(30)
    while True:
        data = sock.recv(65536)
        typ = struct.unpack("=H", data[4:6])[0]
        if typ == NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET:
            break
    off = 20                                            # nlmsghdr + nfgenmsg
    packet_id = None
    while off + 4 <= len(data):
        alen, atyp = struct.unpack("=HH", data[off:off + 4])
        if atyp & 0x7fff == NFQA_PACKET_HDR:
            packet_id = struct.unpack("!I", data[off + 4:off + 8])[0]
        off += (alen + 3) & ~3
    if packet_id is None:
        print("nfq_hold: no packet id")
        return 1
    open(ready, "w").close()
    for _ in range(300):
        if os.path.exists(go):
            break
        time.sleep(0.1)
    message(sock, NFQNL_MSG_VERDICT, queue,
            [attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))],
            flags=NLM_F_REQUEST)
    time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
