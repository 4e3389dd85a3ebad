#!/usr/bin/env python3
"""A ${readsocket}-style client of the Exim policy service.

eximclient.py ENDPOINT MODE [REQUEST]
  ENDPOINT  unix:/path or inet:HOST:PORT ([::1] for IPv6)
  MODE      half   write REQUEST, shut down writing, read until close
            line   write REQUEST + "\\n", keep writing open, read until close
            raw    REQUEST is a Python bytes literal, written as is, then half
            big    write REQUEST bytes of "a" after "policy ", then half
            idle   connect, write nothing, read until close: print seconds
            partial write REQUEST, keep writing open, read until close:
                   print seconds
            hold N open N connections that write nothing, then ask REQUEST
                   (half) on one more; print its answer
Prints the answer as received (repr when it is not a printable line).
Exits 3 if the server does not close within 30 s.
"""
import ast
import socket
import sys
import time


def connect(ep):
    if ep.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(ep[5:])
        return s
    host, port = ep[5:].rsplit(":", 1)
    if host.startswith("["):
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.connect((host[1:-1], int(port)))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect((host, int(port)))
    return s


def read_all(s):
    s.settimeout(30)
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return data
            data += chunk
    except socket.timeout:
        print("no close within 30 s; got %r" % data)
        sys.exit(3)
    except ConnectionResetError:
        return data + b"<reset>"


def ask(ep, payload, half=True):
    s = connect(ep)
    try:
        s.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    if half:
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    data = read_all(s)
    s.close()
    return data


def show(data):
    text = data.decode("utf-8", "replace")
    if text.endswith("\n") and text.count("\n") == 1 and text[:-1].isprintable():
        print(text[:-1])
    else:
        print(repr(data))


def main():
    ep, mode = sys.argv[1], sys.argv[2]
    req = sys.argv[3] if len(sys.argv) > 3 else ""
    if mode == "half":
        show(ask(ep, req.encode()))
    elif mode == "line":
        show(ask(ep, req.encode() + b"\n", half=False))
    elif mode == "raw":
        show(ask(ep, ast.literal_eval(req)))
    elif mode == "big":
        show(ask(ep, b"policy " + b"a" * int(req)))
    elif mode == "idle":
        s = connect(ep)
        t0 = time.monotonic()
        data = read_all(s)
        print("closed after %.0f s%s" % (time.monotonic() - t0, (" with %r" % data) if data else ""))
    elif mode == "partial":
        s = connect(ep)
        s.sendall(req.encode())
        t0 = time.monotonic()
        data = read_all(s)
        print("closed after %.0f s%s" % (time.monotonic() - t0, (" with %r" % data) if data else ""))
    elif mode == "hold":
        n = int(sys.argv[3])
        held = [connect(ep) for _ in range(n)]
        show(ask(ep, sys.argv[4].encode()))
        gone = 0
        for h in held:
            h.settimeout(0.01)
            try:
                if h.recv(1) == b"":
                    gone += 1
            except (socket.timeout, BlockingIOError):
                pass
            except ConnectionResetError:
                gone += 1
            h.close()
        print("closed idle: %d" % gone)
    else:
        sys.exit("unknown mode " + mode)


main()
