"""Pieces shared by the socketmap test clients (hostile.py, limits.py):
TAP lines without a plan, netstrings, connecting and reading replies."""
import os
import socket
import subprocess
import time

n = 0
failed = 0


def tap(cond, desc, diag=None):
    """Print one numbered TAP result (and diag lines when it failed)."""
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, desc), flush=True)
    if not cond and diag:
        for line in str(diag).splitlines():
            print("# " + line)


def ns(payload):
    """payload as a netstring."""
    if isinstance(payload, str):
        payload = payload.encode()
    return str(len(payload)).encode() + b":" + payload + b","


def connect(path, timeout):
    """A connected unix socket, retried while the listen queue is full."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    for _ in range(5000):
        try:
            s.connect(path)
            return s
        except BlockingIOError:  # listen queue full for a moment
            time.sleep(0.001)
    raise RuntimeError("cannot connect")


def read_reply(s):
    """Read one netstring reply; None on EOF."""
    data = b""
    while b":" not in data:
        chunk = s.recv(1)
        if not chunk:
            return None
        data += chunk
    length = int(data[:-1])
    body = b""
    while len(body) < length + 1:
        chunk = s.recv(length + 1 - len(body))
        if not chunk:
            return None
        body += chunk
    assert body[-1:] == b","
    return body[:-1].decode(errors="replace")


def postmap_q(pfdir, path, key, timeout):
    """postmap -q KEY against the socketmap at path: (answer, stderr, seconds)."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(["postmap", "-c", pfdir, "-q", key,
                            "socketmap:unix:%s:postfix" % path],
                           capture_output=True, text=True, timeout=timeout)
        out, err = p.stdout.strip(), p.stderr
    except subprocess.TimeoutExpired:
        out, err = "", "postmap timed out"
    return out, err, time.monotonic() - t0


def alive(pid):
    """True while process pid exists."""
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def drip(s):
    """On a non-blocking socket: send one byte unless the server closed it;
    True once it has."""
    try:
        if s.recv(4096) == b"":
            return True
    except BlockingIOError:
        pass
    except (ConnectionResetError, BrokenPipeError):
        return True
    try:
        s.send(b"a")
    except BlockingIOError:
        pass
    except (ConnectionResetError, BrokenPipeError):
        return True
    return False
