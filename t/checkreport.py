#!/usr/bin/env python3
"""Check TLSRPT report messages (RFC 8460 section 5.3) and print a summary.

usage: checkreport.py SCHEMA FILE...

Each FILE is a delivered message (Maildir file) or, with a .gz or .json
name, a report body.  For messages: the headers, subject, MIME structure
and file name are checked, the attachment gunzipped.  Every report is
validated against SCHEMA (jsonschema) and its summary lines and failure
details must add up.  No FILE at all is an error.  Prints one line per message:
  to=ADDR domain=D policies=TYPE:DOMAIN:OK/FAIL[,...] details=TYPE:COUNT[,...]
and exits 1 with the reason on the first problem.
"""
import email
import email.policy
import gzip
import json
import re
import sys

import jsonschema


def fail(path, why):
    print("%s: %s" % (path, why))
    sys.exit(1)


def summary(path, rep):
    pols, dets = [], []
    for p in rep["policies"]:
        s = p["summary"]
        total = sum(d["failed-session-count"] for d in p.get("failure-details", []))
        if total != s["total-failure-session-count"]:
            fail(path, "failure details do not add up")
        pols.append("%s:%s:%d/%d" % (p["policy"]["policy-type"], p["policy"]["policy-domain"],
                                     s["total-successful-session-count"], s["total-failure-session-count"]))
        dets += ["%s:%d" % (d["result-type"], d["failed-session-count"]) for d in p.get("failure-details", [])]
    return "policies=%s details=%s" % (",".join(pols), ",".join(dets) or "-")


def check_message(path, schema):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    dom, sub = msg["TLS-Report-Domain"], msg["TLS-Report-Submitter"]
    if not dom or not sub:
        fail(path, "TLS-Report-Domain or TLS-Report-Submitter missing")
    subject = " ".join(str(msg["Subject"]).split())
    m = re.fullmatch(r"Report Domain: (\S+) Submitter: (\S+) Report-ID: <([^<>@\s]+@[^<>@\s]+)>", subject)
    if not m or m.group(1) != dom or m.group(2) != sub:
        fail(path, "bad subject: %r" % subject)
    for h in ("Message-ID", "Date", "From", "To"):
        if not msg[h]:
            fail(path, "no %s header" % h)
    if msg["Auto-Submitted"] != "auto-generated" or msg["TLS-Required"] != "No":
        fail(path, "Auto-Submitted or TLS-Required missing")
    if msg.get_content_type() != "multipart/report" or msg.get_param("report-type") != "tlsrpt":
        fail(path, "not multipart/report; report-type=tlsrpt")
    parts = list(msg.iter_parts())
    if len(parts) != 2 or parts[0].get_content_type() != "text/plain" \
            or parts[1].get_content_type() != "application/tlsrpt+gzip":
        fail(path, "parts are not text/plain + application/tlsrpt+gzip")
    name = parts[1].get_filename()
    fm = re.fullmatch(r"([^!]+)!([^!]+)!(\d+)!(\d+)(?:!\w+)?\.json\.gz", name or "")
    if not fm or fm.group(1) != sub or fm.group(2) != dom:
        fail(path, "bad file name %r" % name)
    rep = json.loads(gzip.decompress(parts[1].get_content()))
    validate(path, rep, schema)
    start = int(fm.group(3))
    if rep["report-id"] != m.group(3) or not rep["contact-info"].endswith("@" + sub) \
            or int(fm.group(4)) - start != 86399:
        fail(path, "report-id, contact-info or period does not match the message")
    return "to=%s domain=%s %s" % (msg["To"], dom, summary(path, rep))


def validate(path, rep, schema):
    try:
        jsonschema.validate(rep, schema)
    except jsonschema.ValidationError as e:
        fail(path, "schema: %s" % e.message)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: checkreport.py SCHEMA FILE... (no file: nothing checked)")
    schema = json.load(open(sys.argv[1]))
    for path in sys.argv[2:]:
        if path.endswith(".gz") or ".posted." in path:
            data = open(path, "rb").read()
            rep = json.loads(gzip.decompress(data))
            validate(path, rep, schema)
            print("post %s" % summary(path, rep))
        elif path.endswith(".json"):
            rep = json.load(open(path))
            validate(path, rep, schema)
            print("json %s" % summary(path, rep))
        else:
            print(check_message(path, schema))


if __name__ == "__main__":
    main()
