#!/usr/bin/python3
"""Sign a message on stdin with DKIM (dkimpy, an implementation independent
of the one under test) and write it, signature first, to stdout.

  dkimsign.py KEYFILE rsa|ed25519 SELECTOR DOMAIN [--canon H/B] [--length]
              [--expire SECONDS] [--headers a:b:c]

KEYFILE: RSA private key in PEM, or an Ed25519 seed in base64.
--expire adds x= at now + SECONDS (negative: already expired).
"""
import sys
import time

import dkim

args = sys.argv[1:]
keyfile, alg, selector, domain = args[:4]
opts = args[4:]
canon = (b"relaxed", b"simple")
length = False
expire = None
headers = None
i = 0
while i < len(opts):
    if opts[i] == "--canon":
        h, b = opts[i + 1].split("/")
        canon = (h.encode(), b.encode())
        i += 2
    elif opts[i] == "--length":
        length = True
        i += 1
    elif opts[i] == "--expire":
        expire = int(opts[i + 1])
        i += 2
    elif opts[i] == "--headers":
        headers = [x.encode() for x in opts[i + 1].split(":")]
        i += 2
    else:
        sys.exit("unknown option " + opts[i])

if expire is not None:
    # dkimpy has no x= of its own: add it to the fields before they are signed
    orig = dkim.DKIM.gen_header

    def gen_header(self, fields, *a, **kw):
        at = [n for n, (k, v) in enumerate(fields) if k == b"b"][0]
        fields.insert(at, (b"x", str(int(time.time()) + expire).encode()))
        return orig(self, fields, *a, **kw)

    dkim.DKIM.gen_header = gen_header

msg = sys.stdin.buffer.read()
key = open(keyfile, "rb").read().strip()
sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                canonicalize=canon,
                signature_algorithm=(b"rsa-sha256" if alg == "rsa" else b"ed25519-sha256"),
                include_headers=headers, length=length,
                linesep=(b"\r\n" if b"\r\n" in msg else b"\n"))
sys.stdout.buffer.write(sig + msg)
