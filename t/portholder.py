#!/usr/bin/env python3
# portholder.py ADDR:PORT...: keep a server's ports from being taken by
# anything else while the server is down, and keep them refusing.
# For each ADDR:PORT it binds a UDP socket, connected to the discard port
# so that it receives nothing (queries to the port get an ICMP port
# unreachable, as if nobody listened), and a TCP socket that is bound but
# never listens (connections are refused).  Both use SO_REUSEPORT, so the
# holder can bind beside a running server of the same user that does too
# (unbound), and the server can bind again beside the holder: the port is
# never free in between.  Prints "ready" once everything is bound and
# then waits for a signal.
import signal
import socket
import sys

socks = []
for arg in sys.argv[1:]:
    host, port = arg.rsplit(":", 1)
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind((host, int(port)))
        if kind == socket.SOCK_DGRAM:
            s.connect(("127.0.0.1", 9))
        socks.append(s)
print("ready", flush=True)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
while True:
    signal.pause()
