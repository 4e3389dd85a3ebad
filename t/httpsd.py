#!/usr/bin/env python3
"""A small HTTPS server for the tests, with SNI and misbehaviour on demand.

usage: httpsd.py ADDRESS PORT CERTDIR ROOT

CERTDIR holds NAME.crt/NAME.key pairs; the certificate is chosen by the
SNI name, else "default".  A request for PATH on host H is answered from
ROOT/H/PATH, with the content type "text/plain" unless ROOT/H/PATH.type
says otherwise.  ROOT/H/PATH.status holds "CODE [LOCATION]" to answer with
another status, ROOT/H/PATH.delay a number of seconds to wait first.
A POST to PATH is stored as ROOT/H/PATH.posted.N (N = 1, 2, ...) with its
content type in ROOT/H/PATH.posted.N.type, and answered 200 (or from
ROOT/H/PATH.status, without storing).  Prints "ready" when it listens.
"""
import http.server
import os
import socketserver
import ssl
import sys
import time

addr, port, certdir, root = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def context(name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(certdir, name + ".crt"), os.path.join(certdir, name + ".key"))
    return ctx


contexts = {f[:-4]: context(f[:-4]) for f in os.listdir(certdir) if f.endswith(".crt")}
default = contexts["default"]


def sni(sock, name, ctx):
    if name in contexts:
        sock.context = contexts[name]


default.sni_callback = sni


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        base = os.path.normpath(os.path.join(root, host, self.path.lstrip("/")))
        if not base.startswith(os.path.abspath(root) + os.sep):
            self.send_error(400)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status = read(base + ".status")
        code = int(status.decode().split()[0]) if status else 200
        if code == 200:
            os.makedirs(os.path.dirname(base), exist_ok=True)
            n = 1
            while os.path.exists("%s.posted.%d" % (base, n)):
                n += 1
            with open("%s.posted.%d" % (base, n), "wb") as f:
                f.write(body)
            with open("%s.posted.%d.type" % (base, n), "w") as f:
                f.write(self.headers.get("Content-Type") or "")
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        base = os.path.normpath(os.path.join(root, host, self.path.lstrip("/")))
        if not base.startswith(os.path.abspath(root) + os.sep):
            self.send_error(400)
            return
        delay = read(base + ".delay")
        if delay:
            time.sleep(float(delay))
        status = read(base + ".status")
        body = read(base)
        ctype = (read(base + ".type") or b"text/plain").decode().strip()
        if status:
            parts = status.decode().split()
            self.send_response(int(parts[0]))
            if len(parts) > 1:
                self.send_header("Location", parts[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_request(self, code="-", size="-"):
        host = (self.headers.get("Host") or "-") if hasattr(self, "headers") else "-"
        sys.stderr.write('httpsd: %s "%s" %s\n' % (host, self.requestline, code))

    def log_message(self, fmt, *args):
        sys.stderr.write("httpsd: " + (fmt % args) + "\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def get_request(self):
        sock, peer = self.socket.accept()
        return default.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), peer

    def finish_request(self, request, client_address):
        try:
            request.settimeout(30)
            request.do_handshake()
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)


srv = Server((addr, port), Handler)
print("ready", flush=True)
srv.serve_forever()
