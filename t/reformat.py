#!/usr/bin/env python3
"""Rewrite a Postfix maillog_file log ("Mmm DD HH:MM:SS host tag[pid]: msg",
local time) with another envelope of SPEC 3.1; the messages stay as they are.

usage: reformat.py FORMAT < maillog > log
FORMAT: traditional (space-padded day, FQDN host), rfc3339, rfc5424, short-iso
Lines of another shape pass unchanged; a log with no line rewritten exits 1
(a comparison with the original would then compare it with itself).
"""
import re
import sys
import time

LINE = re.compile(r"^([A-Z][a-z]{2}) (\d\d) (\d\d):(\d\d):(\d\d) (\S+) (\S+)\[(\d+)\]: (.*)$")
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def main():
    fmt = sys.argv[1]
    year = time.localtime().tm_year
    rewritten = 0
    for line in sys.stdin:
        m = LINE.match(line.rstrip("\n"))
        if not m:
            sys.stdout.write(line)
            continue
        rewritten += 1
        mon, day, hh, mi, ss, host, tag, pid, msg = m.groups()
        lt = time.localtime(time.mktime((year, MON.index(mon) + 1, int(day), int(hh), int(mi), int(ss), 0, 0, -1)))
        off = lt.tm_gmtoff
        sign = "+" if off >= 0 else "-"
        oh, om = abs(off) // 3600, abs(off) % 3600 // 60
        iso = "%04d-%02d-%sT%s:%s:%s" % (year, MON.index(mon) + 1, day, hh, mi, ss)
        if fmt == "traditional":
            print("%s %2d %s:%s:%s %s.localdomain %s[%s]: %s" % (mon, int(day), hh, mi, ss, host, tag, pid, msg))
        elif fmt == "rfc3339":
            print("%s.123456%s%02d:%02d %s %s[%s]: %s" % (iso, sign, oh, om, host, tag, pid, msg))
        elif fmt == "rfc5424":
            print("<22>1 %s.123456%s%02d:%02d %s %s %s - - %s" % (iso, sign, oh, om, host, tag, pid, msg))
        elif fmt == "short-iso":
            print("%s%s%02d%02d %s %s[%s]: %s" % (iso, sign, oh, om, host, tag, pid, msg))
        else:
            sys.exit("unknown format " + fmt)
    if rewritten == 0:
        sys.exit("reformat.py: no line in the traditional format, nothing rewritten")


if __name__ == "__main__":
    main()
