#!/bin/sh
# The status page in a real browser: tlspolicyd with real data (sessions
# of three days from a followed Postfix log, one with a hostile reason;
# an MTA-STS policy resolved through the test world by a postmap lookup;
# a TLSRPT report about our domain POSTed by a hostile sender) serves "/",
# headless Chromium renders it, and the test reads the rendered DOM: the
# version, the sessions per domain with their failure rates, the chart
# with one bar pair per day in its place on a time axis, the policy cache, the incoming reports, and
# the hostile names as text (no element, attribute or script injected).
# A screenshot is taken too ($T/page.png, kept with KEEP_TMP=1).
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need chromium nsd unbound unbound-control ldns-signzone openssl python3 postmap timeout

# Chromium and its helpers run in timeout's process group: killed
# whatever happens
BROWSER_PGID=
browser_kill() {
	[ -n "$BROWSER_PGID" ] && kill -KILL -- "-$BROWSER_PGID" 2>/dev/null
	BROWSER_PGID=
}
trap 'browser_kill; cleanup' EXIT

world_dns_up
world_https_up
world_sts enforce.test 1 "$(world_sts_body enforce 86400 mx1.enforce.test)"
# the policy server restarts with the new certificate
world_https_stop
world_https_start

mkdir -p "$T/log"
: > "$T/log/mail.log"
chmod 644 "$T/log/mail.log"
hp=$(free_port)
world_conf <<C
mta_sts = yes
lookup_timeout = 10s
http_listen = 127.0.0.1:$hp
http_tlsrpt = yes
report_domains = our.example
log_source = $T/log/mail.log
result_retention = 30d
C
check "daemon starts" start_daemon
H="http://127.0.0.1:$hp"
version=$("$TLSPOLICYD" -V | cut -d' ' -f2)

# the data: a policy lookup, three days of sessions, an incoming report
is "$(pm_q enforce.test "unix:$T/run/postfix.sock:postfix")" "secure match=mx1.enforce.test servername=hostname" \
    "a real lookup resolves enforce.test"
today=$(date -u +%Y-%m-%d)
d1=$(date -u -d yesterday +%Y-%m-%d)
d3=$(date -u -d '3 days ago' +%Y-%m-%d)
python3 - "$d3" "$d1" "$today" >> "$T/log/mail.log" <<'PY'
import sys
out = sys.stdout.buffer
pid = 100
def session(day, dom, ok, reason=b""):
    global pid
    pid += 1
    def line(msg):
        out.write(b"%sT09:14:%02dZ mta1 postfix/smtp[%d]: %s\n" % (day, pid % 60, pid, msg))
    mx = b"mx." + dom
    if ok:
        line(b"Trusted TLS connection established to %s[192.0.2.3]:25: TLSv1.3 with cipher X" % mx)
        st, dsn, text = b"sent", b"2.0.0", b"250 ok"
    else:
        line(b"server certificate verification failed for %s[192.0.2.2]:25: %s" % (mx, reason))
        line(b"Untrusted TLS connection established to %s[192.0.2.2]:25: TLSv1.3 with cipher X" % mx)
        st, dsn, text = b"deferred", b"4.7.5", b"Server certificate not verified"
    line(b"%010X: to=<a@%s>, relay=%s[192.0.2.2]:25, delay=1, delays=0/0/0/0, dsn=%s, status=%s (%s)"
         % (pid, dom, mx, dsn, st, text))
d3, d1, today = (a.encode() for a in sys.argv[1:4])
session(d3, b"old.example", True)
session(d3, b"old.example", False, b"num=10:certificate has expired")
session(d1, b"good.example", True)
for i in range(3):
    session(today, b"good.example", True)
session(today, b"half.example", True)
session(today, b"half.example", False, b"num=62:hostname mismatch")
session(today, b"evil.example", False,
        b"num=62:hostname mismatch <img src=x onerror=alert(1)><script>document.title='owned'</script>")
PY
# all counted, also in the chart's days (a walk of the store cached for a
# minute at most)
counted() {
	body_of "$H/api/v1/status" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["today"]["sessions"] == 6 and s["today"]["failures"] == 2 and len(s["days"]) == 3'
}
body_of() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())' "$1"; }
check "the log's sessions are counted" wait_for 90 counted
python3 - "$H/tlsrpt" "$d1" <<'PY'
import json, sys, urllib.request
url, day = sys.argv[1:3]
r = {"organization-name": "Evil <img src=x onerror=alert(3)> Org", "contact-info": "x@evil.example",
     "report-id": "<script>alert(4)</script>",
     "date-range": {"start-datetime": day + "T00:00:00Z", "end-datetime": day + "T23:59:59Z"},
     "policies": [{"policy": {"policy-type": "sts", "policy-domain": "our.example",
                              "mx-host": ["<iframe src=//x>.our.example"]},
                   "summary": {"total-successful-session-count": 90, "total-failure-session-count": 10},
                   "failure-details": [{"result-type": "certificate-expired",
                                        "receiving-mx-hostname": "mx.our.example",
                                        "failure-reason-code": "<b onclick=alert(5)>expired</b>",
                                        "failed-session-count": 10}]}]}
req = urllib.request.Request(url, data=json.dumps(r).encode(), method="POST",
                             headers={"Content-Type": "application/tlsrpt+json"})
assert urllib.request.urlopen(req, timeout=20).status == 201
PY
check "a hostile incoming report is stored" test $? = 0

# browser RESULT ARGS...: headless Chromium on the page, in the
# background under timeout (its own process group), waited for
browser() {
	_out=$1
	shift
	mkdir -p "$T/chromium"
	timeout -k 10 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
	    --disable-dev-shm-usage --user-data-dir="$(mktemp -d "$T/chromium/profile.XXXXXX")" \
	    "$@" "$H/" > "$_out" 2>> "$T/chromium.log" &
	BROWSER_PGID=$!
	wait "$BROWSER_PGID"
	_rc=$?
	browser_kill
	return "$_rc"
}
check "chromium renders the page (--dump-dom)" browser "$T/dom.html" --dump-dom
check "chromium takes a screenshot" browser "$T/screenshot.out" --screenshot="$T/page.png" \
    --window-size=1280,2400 --hide-scrollbars
check "the screenshot is a PNG of the window's size" python3 - "$T/page.png" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1280, 2400), (w, h)
assert len(data) > 20000, len(data)
PY
no_browser() { ! pgrep -f -- "--user-data-dir=$T/chromium" >/dev/null; }
check "no Chromium process left behind" no_browser

# what the browser shows
check "the rendered DOM shows what the daemon knows" python3 - "$T/dom.html" "$version" "$d3" "$d1" "$today" <<'PY'
import sys
from html.parser import HTMLParser
dom, version, d3, d1, today = sys.argv[1:6]

class Tree(HTMLParser):
    """elements with attributes, and the text of each table row and heading"""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.rows, self.heads, self.svg = [], [], [], [], []
        self.cell, self.row, self.head, self.in_svg, self.title = None, None, None, 0, ""
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        if tag == "tr": self.row = []
        if tag in ("td", "th"): self.cell = ""
        if tag in ("h1", "h2", "h3"): self.head = ""
        if tag == "svg": self.in_svg += 1
        if self.in_svg: self.svg.append((tag, dict(attrs)))
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(self.cell.strip()); self.cell = None
        if tag == "tr" and self.row is not None: self.rows.append(self.row); self.row = None
        if tag in ("h1", "h2", "h3") and self.head is not None: self.heads.append(self.head.strip()); self.head = None
        if tag == "svg": self.in_svg -= 1
    def handle_data(self, data):
        if self.cell is not None: self.cell += data
        if self.head is not None: self.head += data
        if self.tags and self.tags[-1] == "title" and not self.in_svg: self.title += data

t = Tree()
t.feed(open(dom, encoding="utf-8").read())
def row(first, *more):
    for r in t.rows:
        if r and r[0] == first and all(m in r for m in more):
            return r
    raise AssertionError("no row %r %r in %r" % (first, more, t.rows))
# version and the facts
assert "tlspolicyd " + version in t.heads, t.heads
assert row("resolver validates DNSSEC")[1].startswith("yes"), row("resolver validates DNSSEC")
assert row("MTA-STS") == ["MTA-STS", "on"]
cache = t.rows[[r[:2] for r in t.rows].index(["enforce", "testing"]) + 1]
assert cache[0] == "1", cache
# today's sessions, worst first, with failure rates
heads = [h for h in t.heads if h.startswith("Today")]
assert heads == ["Today (%s)" % today], t.heads
doms = [r for r in t.rows if len(r) == 7 and r[0].endswith(".example")]
today_rows = doms[:3]
assert [r[0] for r in today_rows] == ["evil.example", "half.example", "good.example"], today_rows
assert today_rows[0][1:4] == ["1", "1", "100.0%"], today_rows[0]
assert today_rows[1][1:4] == ["2", "1", "50.0%"], today_rows[1]
assert today_rows[2][1:4] == ["3", "0", "0.0%"], today_rows[2]
reason = "num=62:hostname mismatch <img src=x onerror=alert(1)><script>document.title='owned'</script>"
assert today_rows[0][6] == reason, today_rows[0]
assert doms[3][0] == "good.example" and doms[3][1:4] == ["1", "0", "0.0%"], doms[3:]
# the chart: one bar pair per day with sessions, in day order
bars = [a for tag, a in t.svg if tag == "rect"]
alls = [a for a in bars if a.get("class") == "all"]
fails = [a for a in bars if a.get("class") == "fail"]
assert len(alls) == 3 and len(fails) == 3, bars
hf = [float(a["height"]) for a in fails]
ha = [float(a["height"]) for a in alls]
assert ha[2] > ha[0] > 0 and hf[0] > 0 and hf[1] == 0 and hf[2] > 0, (ha, hf)
xs = [float(a["x"]) for a in alls]
# on a time axis: three days ago, yesterday, today
assert xs[0] < xs[1] < xs[2] and abs((xs[1] - xs[0]) - 2 * (xs[2] - xs[1])) < 0.5, xs
svg = open(dom, encoding="utf-8").read().split("<svg")[1]
assert ">%s</text>" % d3 in svg and ">%s</text>" % today in svg and ">sessions</text>" in svg, svg
# the incoming reports
assert "Reports received about our domains" in t.heads, t.heads
org = "Evil <img src=x onerror=alert(3)> Org"
r = row("our.example", org)
assert r[2:6] == ["1", "100", "10", "10.0%"] and r[6] == "certificate-expired 10", r
lat = row(d1, org)
assert lat[2] == "<script>alert(4)</script>" and lat[4] == "<iframe src=//x>.our.example", lat
assert "<b onclick=alert(5)>expired</b>" in lat[7], lat
# nothing injected: no script, image, frame or event handler anywhere
assert not {"script", "img", "iframe", "b", "object", "embed"} & set(t.tags), set(t.tags)
assert not [a for a in t.attrs if a[1].startswith("on")], [a for a in t.attrs if a[1].startswith("on")]
assert t.title == "tlspolicyd status", t.title
print("# %d elements, %d table rows, %d chart bars" % (len(t.tags), len(t.rows), len(alls)))
PY
stop_daemon
done_testing
