#!/usr/bin/env python3
"""Bounded memory and time per socketmap client (TAP output, no plan).

usage: limits.py SOCKET DAEMON_PID POSTFIX_DIR DAEMON_LOG BUDGET_MIB DEADLINE_S CTL...

The daemon runs with socketmap_buffer_limit = BUDGET_MIB and
socketmap_request_timeout = DEADLINE_S, its idle timeout well above the
deadline.  CTL... is the tlspolicyctl command line (status is read from
it).  With LIMITS_NO_RSS=1 (sanitizer builds: their allocator keeps
freed memory) the resident size is not checked.

Every wait polls with a generous upper bound; no step assumes speed.
"""
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time

import sockmapclient as client
from sockmapclient import ns, read_reply, tap

SOCK, PID, PFDIR, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
BUDGET = int(sys.argv[5]) << 20
DEADLINE = int(sys.argv[6])
CTL = sys.argv[7:]
CHECK_RSS = os.environ.get("LIMITS_NO_RSS") != "1"
# a request whose reply is ~2 KB: few requests fill the socket buffers
PIPE_REQUESTS = 400


def connect():
    return client.connect(SOCK, 10)


def hung_up(s):
    """True if the daemon closed s (its replies may still be unread)."""
    p = select.poll()
    p.register(s, select.POLLRDHUP | select.POLLHUP | select.POLLERR)
    return any(ev & (select.POLLRDHUP | select.POLLHUP | select.POLLERR)
               for _, ev in p.poll(0))


def rss_kib():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def status():
    out = subprocess.run(CTL + ["status"], capture_output=True, text=True,
                         timeout=30).stdout
    return {k: int(v) for k, v in re.findall(r"^(connections|buffered): (\d+)$",
                                             out, re.M)}


def settle(limit=60):
    """Poll until the daemon's buffered bytes stop changing; returns the
    last status and the peak resident size seen meanwhile."""
    last, same, peak = None, 0, rss_kib()
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit and same < 4:
        time.sleep(0.25)
        st = status()
        peak = max(peak, rss_kib())
        same = same + 1 if st == last else 0
        last = st
    return last or {}, peak


def log_count(pattern):
    with open(LOG, errors="replace") as f:
        return sum(1 for line in f if pattern in line)


def wait_log(pattern, want, limit=10):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        got = log_count(pattern)
        if got >= want:
            return got
        time.sleep(0.05)
    return log_count(pattern)


def probe(what):
    out, err, dt = client.postmap_q(PFDIR, SOCK, "bank.example", 30)
    tap(out == "dane-only", "after %s: postmap answers (%.3f s)" % (what, dt), err)
    tap(client.alive(PID), "after %s: daemon alive" % what)


def pipeliners(count):
    """count clients that send PIPE_REQUESTS requests each and never read"""
    req = ns("postfix big.example") * PIPE_REQUESTS
    conns = []
    for _ in range(count):
        s = connect()
        s.setblocking(False)
        try:
            s.send(req)
        except (BlockingIOError, BrokenPipeError, ConnectionResetError):
            pass
        conns.append(s)
    return conns


# 1. keys with control bytes are refused, logged once per connection
KEYLOG = "key with control bytes refused"
s = connect()
s.sendall(ns(b"postfix bank.example\0evil"))
r = read_reply(s)
tap(r == "PERM invalid key", "key with a NUL byte: PERM invalid key", r)
s.sendall(ns(b"postfix bank.example\x01"))
r = read_reply(s)
tap(r == "PERM invalid key", "key with a control byte: PERM invalid key", r)
s.sendall(ns(b"postfix bank.example\x7f"))
r = read_reply(s)
tap(r == "PERM invalid key", "key with DEL: PERM invalid key", r)
s.sendall(ns("postfix bank.example"))
r = read_reply(s)
tap(r == "OK dane-only", "same connection answers a clean key", r)
got = wait_log(KEYLOG, 1)
tap(got == 1, "refusal logged once for the connection", "%d lines" % got)
s.close()
s = connect()
s.sendall(ns(b"postfix bank.example\0"))
r = read_reply(s)
tap(r == "PERM invalid key", "key ending in a NUL byte: PERM invalid key", r)
got = wait_log(KEYLOG, 2)
tap(got == 2, "and logged again for a new connection", "%d lines" % got)
with open(LOG, errors="replace") as f:
    lines = [line for line in f if KEYLOG in line]
tap(lines and all("client pid=" in line for line in lines), "the log names the client",
    "".join(lines))
s.close()
probe("control bytes in keys")

# 2. under the budget, clients that pipeline and never read are held back,
# none is closed, and each holds a few KiB of buffers
FEW = 50
base = status().get("buffered", -1)
tap(base == 0, "no buffers held while no client is busy", base)
conns = pipeliners(FEW)
st, _ = settle()
held = st.get("buffered", -1)
tap(0 < held <= FEW * 24 * 1024,
    "%d non-reading clients hold %d bytes (at most 24 KiB each)" % (FEW, held), st)
tap(st.get("connections", 0) >= FEW and not any(hung_up(c) for c in conns),
    "none of them is closed", st)
for c in conns:
    c.close()
probe("%d non-reading clients" % FEW)

# 3. 1000 such clients go over the budget: the biggest holders are closed,
# the daemon stays small and keeps answering
MANY = 1000
rss0 = rss_kib()
conns = []
peak = rss0
for i in range(0, MANY, 100):
    conns += pipeliners(100)
    peak = max(peak, rss_kib())
st, p = settle()
peak = max(peak, p)
held = st.get("buffered", -1)
tap(0 <= held <= BUDGET, "%d non-reading clients: %d bytes buffered, within the budget of %d"
    % (MANY, held, BUDGET), st)
shed = wait_log("over the limit of", 1)
tap(shed >= 1, "over the budget, the largest holders were closed, with a warning")
closed = sum(1 for c in conns if hung_up(c))
tap(closed > 0, "%d of %d connections closed by the budget" % (closed, MANY))
if CHECK_RSS:
    growth = peak - rss0
    # the budget, plus allocator slack and 1000 connections' fixed cost
    tap(growth < (BUDGET >> 10) + 6 * 1024,
        "resident size grew by %d KiB (from %d KiB), under the budget of %d KiB + 6 MiB"
        % (growth, rss0, BUDGET >> 10))
    tap(peak < 40 * 1024, "resident size peaked at %d KiB, under 40 MiB" % peak)
else:
    tap(True, "# SKIP resident size not checked in sanitizer builds")
    tap(True, "# SKIP resident size not checked in sanitizer builds")
probe("%d non-reading clients" % MANY)
for c in conns:
    c.close()

# 4. slow drip: an incomplete request that gains a byte every 0.5 s is
# closed by the request deadline (the idle timeout is far longer)
DRIPS = 20
drips, sent = [], []
for _ in range(DRIPS):
    s = connect()
    s.setblocking(False)
    s.send(b"9000:postfix ")
    sent.append(time.monotonic())
    drips.append(s)
t0 = time.monotonic()
open_ = set(range(DRIPS))
closed_at = []   # seconds from each client's first byte to its close
limit = DEADLINE * 5 + 10
while open_ and time.monotonic() - t0 < limit:
    for i in list(open_):
        s = drips[i]
        if client.drip(s):
            open_.discard(i)
            closed_at.append(time.monotonic() - sent[i])
    time.sleep(0.5)
tap(not open_, "%d slow-drip clients closed by the %d s request deadline (last after %.1f s, "
    "bound %d s)" % (DRIPS, DEADLINE, max(closed_at or [0]), limit),
    "%d still open" % len(open_))
tap(min(closed_at or [0]) >= DEADLINE - 0.5,
    "none closed before the deadline (earliest %.1f s after its first byte)"
    % min(closed_at or [0]))
tap(wait_log("request not complete", 1) >= 1, "the deadline is logged")
for s in drips:
    s.close()
probe("slow-drip clients")

# 5. a client that pipelines and reads slowly, pausing longer than the
# request deadline in all, gets every reply in order: reading stops and
# resumes with its replies, and nothing waits for an event that never comes
COUNT = 3000
keys = ["big.example", "bank.example", "nothere.example"]
want = ["OK secure match=", "OK dane-only", "NOTFOUND"]
s = connect()
reqs = b"".join(ns("postfix " + keys[i % 3]) for i in range(COUNT))
threading.Thread(target=s.sendall, args=(reqs,), daemon=True).start()
buf, got, bad = b"", 0, 0
t0 = time.monotonic()
while got < COUNT and time.monotonic() - t0 < 60:
    try:
        data = s.recv(3000)
    except (socket.timeout, ConnectionResetError):
        break
    if not data:
        break
    buf += data
    while b":" in buf:
        colon = buf.index(b":")
        length = int(buf[:colon])
        if len(buf) < colon + length + 2:
            break
        if not buf[colon + 1:colon + 1 + length].decode().startswith(want[got % 3]):
            bad += 1
        buf = buf[colon + length + 2:]
        got += 1
        if got % 500 == 0:
            time.sleep(0.5)
tap(got == COUNT and bad == 0, "slow reader of %d pipelined requests: %d replies in order, "
    "%d wrong, %.1f s" % (COUNT, got, bad, time.monotonic() - t0))
s.close()
probe("a slow reader")

sys.exit(1 if client.failed else 0)
