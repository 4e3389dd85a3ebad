#!/usr/bin/env python3
"""Hostile socketmap clients against a running tlspolicyd (TAP output).

usage: hostile.py SOCKET DAEMON_PID POSTFIX_DIR

Prints numbered TAP results but no plan; the caller prints the plan.

After every attack a real `postmap -q` must still get its answer within
PROBE_LIMIT seconds and the daemon must still be running.
"""
import random
import socket
import sys
import time

import sockmapclient as client
from sockmapclient import ns, read_reply, tap

SOCK, PID, PFDIR = sys.argv[1], int(sys.argv[2]), sys.argv[3]
PROBE_LIMIT = 2.0
REQUEST_MAX = 10100


def connect():
    return client.connect(SOCK, 5)


def closed_by_server(s, timeout=3):
    s.settimeout(timeout)
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def probe(what):
    out, err, dt = client.postmap_q(PFDIR, SOCK, "bank.example", 10)
    tap(out == "dane-only" and dt < PROBE_LIMIT,
        "after %s: postmap answers in %.3f s" % (what, dt), err)
    tap(client.alive(PID), "after %s: daemon alive" % what)


# 1. not a netstring at all
s = connect()
s.sendall(b"hello, world\r\n")
tap(closed_by_server(s), "garbage: connection closed")
s.close()
probe("garbage")

# 2. a 10 MB length
s = connect()
s.sendall(b"10000000:" + b"x" * 1000)
r = read_reply(s)
tap(r == "PERM request too large", "10 MB length: PERM reply", r)
tap(closed_by_server(s), "10 MB length: then closed")
s.close()
probe("10 MB length")

# 3. empty netstring, then a normal request on the same connection
s = connect()
s.sendall(b"0:,")
r = read_reply(s)
tap(r is not None and r.startswith("PERM malformed request"), "0:, gets PERM", r)
s.sendall(ns("postfix bank.example"))
r = read_reply(s)
tap(r == "OK dane-only", "same connection still serves", r)
s.close()
probe("0:,")

# 4. half a request, then close
s = connect()
s.sendall(b"19:postfix exa")
s.close()
probe("half a request then close")

# 5. lengths around the limit
s = connect()
key = "a" * (REQUEST_MAX - len("postfix "))
s.sendall(ns("postfix " + key))
r = read_reply(s)
tap(r == "NOTFOUND ", "request of exactly %d bytes answered" % REQUEST_MAX, r)
s.sendall(ns("postfix " + key + "a"))
r = read_reply(s)
tap(r == "PERM request too large", "request of %d bytes refused" % (REQUEST_MAX + 1), r)
s.close()
probe("requests at the size limit")

# 6. pipelined requests are answered in order
s = connect()
keys = ["bank.example", "nothere.example", "legacy.example"] * 100
s.sendall(b"".join(ns("postfix " + k) for k in keys))
want = {"bank.example": "OK dane-only", "legacy.example": "OK may",
        "nothere.example": "NOTFOUND "}
got = [read_reply(s) for _ in keys]
tap(got == [want[k] for k in keys], "300 pipelined requests answered in order")
s.close()

# 7. one byte at a time
s = connect()
for b in ns("postfix legacy.example"):
    s.sendall(bytes([b]))
    time.sleep(0.005)
r = read_reply(s)
tap(r == "OK may", "request sent byte by byte", r)
s.close()

# 8. random binary garbage
rnd = random.Random(8461)
for i in range(20):
    s = connect()
    try:
        s.sendall(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 4096))))
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.close()
probe("random binary garbage")

# 9. a client that sends but never reads its replies
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(SOCK)
s.setblocking(False)
req = ns("postfix bank.example") * 1000
sent = 0
stalled = closed = False
t0 = time.monotonic()
while not stalled and not closed and time.monotonic() - t0 < 20:
    try:
        sent += s.send(req)
    except BlockingIOError:
        time.sleep(0.05)
        try:
            sent += s.send(req)
        except BlockingIOError:
            stalled = True
        except (BrokenPipeError, ConnectionResetError):
            closed = True
    except (BrokenPipeError, ConnectionResetError):
        closed = True
tap(stalled, "never-reading client wrote %d bytes before the daemon stopped reading "
    "(%.1f s, bound 20 s)" % (sent, time.monotonic() - t0),
    "closed by the daemon instead" if closed else "still read after 20 s")
probe("a client that never reads")
s.close()

# 10. 1000 idle connections held open (beyond the connection limit the
# longest-idle one makes room for the new one)
conns = []
for i in range(1000):
    conns.append(connect())
tap(len(conns) == 1000, "1000 idle connections open")
probe("1000 idle connections")
for c in conns:
    c.close()

# 11. the idle timeout closes a silent connection
s = connect()
tap(closed_by_server(s, timeout=10), "idle connection closed by the idle timeout")
s.close()
probe("idle timeout")

# 12. bytes trickled into an incomplete request are not activity: the
# idle timeout closes the connection (the request deadline is far longer)
s = connect()
s.setblocking(False)
s.send(b"9000:postfix ")
t0 = time.monotonic()
gone = False
while not gone and time.monotonic() - t0 < 20:
    gone = client.drip(s)
    if not gone:
        time.sleep(0.5)
tap(gone, "a byte every 0.5 s does not hold a connection past the idle timeout "
    "(closed after %.1f s, bound 20 s)" % (time.monotonic() - t0))
s.close()
probe("slow drip")

# The calling script adds its own checks and prints the plan.
sys.exit(1 if client.failed else 0)
