#!/usr/bin/env python3
"""Write a realistic Postfix log (traditional syslog prefix) to stdout.

usage: genlog.py LINES [SEED [DOMAINS]]

Each message: smtpd connect/client/disconnect, cleanup, qmgr from=, one
smtp delivery (1-3 recipients) and qmgr removed.  Deliveries go to 2000
domains by a long-tailed choice; with DOMAINS given, to that many, every
second message to the next domain in turn (so that each sees some mail): most over verified or trusted TLS, some plaintext, some failing
(certificate verification, no STARTTLS, handshake errors, TLSA lookup
errors), some on a reused connection.  Deterministic for a given seed.
"""
import random
import sys
import time
import zlib

MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def main():
    want = int(sys.argv[1])
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    t = time.mktime((2025, 3, 10, 0, 0, 0, 0, 0, -1))
    out = sys.stdout
    n = 0
    seq = 0
    ndomains = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    spread = len(sys.argv) > 3
    domains = ["d%05d.example" % i for i in range(ndomains)]

    def w(pid, tag, msg):
        nonlocal n
        lt = time.localtime(t)
        out.write("%s %2d %02d:%02d:%02d mta1 postfix/%s[%d]: %s\n" % (
            MON[lt.tm_mon - 1], lt.tm_mday, lt.tm_hour, lt.tm_min, lt.tm_sec, tag, pid, msg))
        n += 1

    while n < want:
        seq += 1
        t += rnd.random() * 0.5
        qid = "%010X" % (0x4B7E21C0F5 + seq)
        spid = 20000 + seq % 50
        dpid = 30000 + seq % 40
        if spread and seq % 2 == 0:
            dom = domains[seq // 2 % len(domains)]
        else:
            dom = domains[int(rnd.paretovariate(1.2)) % len(domains)]
        mx = "mx%d.%s" % (rnd.randint(1, 2), dom)
        h = zlib.crc32(mx.encode()) & 0xffff   # each MX host keeps its address
        ip = "198.51.%d.%d" % (h % 250, h // 250 % 250 + 1)
        w(spid, "smtpd", "connect from client%d.example.net[192.0.2.%d]" % (seq % 97, seq % 250))
        w(spid, "smtpd", "%s: client=client%d.example.net[192.0.2.%d]" % (qid, seq % 97, seq % 250))
        w(12001, "cleanup", "%s: message-id=<%d.%d@example.net>" % (qid, seq, rnd.randint(1, 1 << 30)))
        w(812, "qmgr", "%s: from=<user%d@example.net>, size=%d, nrcpt=1 (queue active)" % (
            qid, seq % 500, rnd.randint(900, 90000)))
        w(spid, "smtpd", "disconnect from client%d.example.net[192.0.2.%d] ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7" % (seq % 97, seq % 250))
        r = rnd.random()
        nrcpt = 1 if rnd.random() < 0.85 else rnd.randint(2, 3)
        status = "sent"
        dsn = "2.0.0"
        text = "250 2.0.0 Ok: queued as %010X" % rnd.randint(0, 1 << 40)
        conn = ""
        if r < 0.80:
            trust = "Verified" if r < 0.5 else "Trusted"
            reused = rnd.random() < 0.1
            w(dpid, "smtp", "%s TLS connection %s to %s[%s]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256" % (
                trust, "reused" if reused else "established", mx, ip))
            if reused:
                conn = "conn_use=%d, " % rnd.randint(2, 9)
        elif r < 0.90:
            pass   # plaintext
        elif r < 0.94:
            w(dpid, "smtp", "server certificate verification failed for %s[%s]:25: certificate has expired" % (mx, ip))
            w(dpid, "smtp", "Untrusted TLS connection established to %s[%s]:25: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)" % (mx, ip))
            status, dsn, text = "deferred", "4.7.5", "Server certificate not verified"
        elif r < 0.97:
            status, dsn = "deferred", "4.7.4"
            text = "TLS is required, but was not offered by host %s[%s]" % (mx, ip)
        elif r < 0.99:
            w(dpid, "smtp", "SSL_connect error to %s[%s]:25: -1" % (mx, ip))
            w(dpid, "smtp", "warning: TLS library problem: error:0A000410:SSL routines::sslv3 alert handshake failure:ssl/record/rec_layer_s3.c:1584:SSL alert number 40:")
            status, dsn, text = "deferred", "4.7.5", "Cannot start TLS: handshake failure"
        else:
            w(dpid, "smtp", "warning: DANE TLSA lookup problem: Host or domain name not found. Name service error for name=_25._tcp.%s type=TLSA: Host not found, try again" % mx)
            w(dpid, "smtp", "warning: TLS policy lookup for %s/%s: TLSA lookup error for %s:25" % (dom, mx, mx))
            for i in range(nrcpt):
                w(dpid, "smtp", "%s: to=<u%d@%s>, relay=none, delay=0.3, delays=0.01/0/0.29/0, dsn=4.7.5, status=deferred (TLSA lookup error for %s:25)" % (qid, i, dom, mx))
            w(812, "qmgr", "%s: removed" % qid)
            continue
        t += rnd.random() * 0.2
        for i in range(nrcpt):
            w(dpid, "smtp", "%s: to=<u%d@%s>, relay=%s[%s]:25, %sdelay=1.4, delays=0.08/0.01/0.92/0.39, dsn=%s, status=%s (%s)" % (
                qid, i, dom, mx, ip, conn, dsn, status, text))
        if status == "sent":
            w(812, "qmgr", "%s: removed" % qid)


if __name__ == "__main__":
    main()
