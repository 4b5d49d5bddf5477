#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Active-mode FTP client for the conntrack helper tests.

ftp_active.py HOST FILE DATA_PORT COUNT: log in anonymously to HOST, then
COUNT times: offer DATA_PORT with PORT (active mode: the server connects
back), RETR FILE and a NOOP. Each PORT command that a NAT helper rewrites
to a longer address shifts the TCP sequence numbers of the control
connection, so the commands after it cross only if the sequence adjustment
runs too. Prints the SHA-256 of each copy received and the PORT commands'
replies; exits 1 on any error or timeout.
"""
import ftplib
import hashlib
import socket
import sys


def main():
    host, name, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ftp = ftplib.FTP()
    ftp.connect(host, 21, timeout=20)
    ftp.login()
    ftp.set_pasv(False)
    ftp.voidcmd("TYPE I")
    for i in range(count):
        # The data socket on a fixed port (makeport would take any free one).
        lsock = socket.create_server(("", port), backlog=1)
        lsock.settimeout(20)
        addr = ftp.sock.getsockname()[0]
        print("PORT reply:", ftp.sendport(addr, port))
        ftp.putcmd("RETR " + name)
        reply = ftp.getresp()
        if not reply.startswith("1"):
            print("RETR refused:", reply)
            return 1
        conn, peer = lsock.accept()
        conn.settimeout(20)
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        conn.close()
        lsock.close()
        print("data connection from %s:%d, %d bytes, sha256 %s" %
              (peer[0], peer[1], len(data), hashlib.sha256(data).hexdigest()))
        ftp.voidresp()
        print("NOOP reply:", ftp.voidcmd("NOOP"))
    ftp.quit()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, EOFError, ftplib.Error) as e:
        print("ftp_active: %s" % e)
        sys.exit(1)
