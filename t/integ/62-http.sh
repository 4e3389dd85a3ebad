#!/bin/sh
# The HTTP side (http_listen): a non-loopback listener without http_allow
# is refused; /metrics passes promtool and its values follow real postmap
# lookups and a real followed log; only GET and HEAD are served; hostile
# text from the log and from a POSTed TLSRPT report (markup, quotes,
# UTF-8) comes out escaped in the status page and as the same text in the
# JSON API (/api/v1/results, /status, /incoming); hundreds of idle and
# half-sent HTTP connections are limited and timed out and never keep
# socketmap lookups from being answered; a real Prometheus scrapes the
# daemon and its HTTP API returns the lookup count; every metric the
# Grafana dashboard and the alert rules query is in a real scrape.
. "$top_srcdir/t/lib.sh"
need postmap python3 promtool prometheus

hp=$(free_port)
mkdir -p "$T/log"
: > "$T/log/mail.log"
chmod 644 "$T/log/mail.log"
printf 'bank.example dane-only\nlegacy.example may\n' > "$T/local_policy"
chmod 644 "$T/local_policy"

# 1. the listener's address rules, checked by -n and at start
write_conf <<C
http_listen = 0.0.0.0:$hp
C
out=$("$TLSPOLICYD" -n -c "$T/tlspolicyd.conf" 2>&1); rc=$?
like "$rc $out" "^[1-9].*http_listen: inet:0.0.0.0:$hp is not a loopback address: list the networks allowed to connect in http_allow" \
    "a non-loopback http_listen without http_allow is refused"
write_conf <<C
http_listen = 0.0.0.0:$hp
http_allow = 192.0.2.0/24 2001:db8::/32
C
out=$("$TLSPOLICYD" -n -c "$T/tlspolicyd.conf" 2>&1)
like "$out" "configuration .* OK" "... and accepted with http_allow"
write_conf <<C
http_listen = unix:$T/http.sock
C
out=$("$TLSPOLICYD" -n -c "$T/tlspolicyd.conf" 2>&1)
like "$out" "http_listen: expected IP:PORT" "no unix sockets for HTTP"
write_conf <<C
http_allow = 192.0.2.0/33
C
out=$("$TLSPOLICYD" -n -c "$T/tlspolicyd.conf" 2>&1)
like "$out" "http_allow: expected IP or IP/PREFIX" "a bad prefix length is refused"

write_conf <<C
http_listen = 127.0.0.1:$hp
http_max_connections = 40
http_max_connections_per_ip = 32
http_timeout = 3s
local_policy_file = $T/local_policy
log_source = $T/log/mail.log
result_retention = 3650d
http_tlsrpt = yes
report_domains = our.example
C
check "daemon starts" start_daemon
U="unix:$T/run/postfix.sock"
H="http://127.0.0.1:$hp"

# get URL [METHOD]: "CODE\nheaders\n\nbody" through python3 (no curl needed)
get() {
	python3 - "$1" "${2:-GET}" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], method=sys.argv[2])
try:
    r = urllib.request.urlopen(req, timeout=20)
    code, hdrs, body = r.status, r.headers, r.read()
except urllib.error.HTTPError as e:
    code, hdrs, body = e.code, e.headers, e.read()
try:
    sys.stdout.write("%d\n%s\n\n" % (code, str(hdrs).strip()))
    sys.stdout.flush()
    sys.stdout.buffer.write(body)
    sys.stdout.flush()
except BrokenPipeError:     # a reader that wanted the first line only
    pass
PY
}
body() { get "$@" | sed '1,/^$/d'; }
# metric NAME{LABELS}: its value in a fresh scrape
metric() { body "$H/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

# 2. /metrics: the format, and values after real lookups
body "$H/metrics" > "$T/scrape1"
check "promtool check metrics passes" sh -c "promtool check metrics < '$T/scrape1'"
is "$(get "$H/metrics" | sed -n 's/^Content-Type: //p' | tr -d '\r')" \
    "text/plain; version=0.0.4; charset=utf-8" "Prometheus text format 0.0.4"
is "$(metric 'tlspolicyd_lookups_total{map="postfix",answer="dane-only"}')" 0 "no lookups yet"
for i in 1 2 3; do pm_q bank.example "$U:postfix" >/dev/null; done
pm_q example.com "$U:postfix" >/dev/null
pm_q legacy.example "$U:postfix-tlsrpt" >/dev/null
pm_q bank.example "$U:nosuch" >/dev/null 2>&1
is "$(metric 'tlspolicyd_lookups_total{map="postfix",answer="dane-only"}')" 3 "lookups by map and answer kind"
is "$(metric 'tlspolicyd_lookups_total{map="postfix",answer="notfound"}')" 1 "NOTFOUND counted"
is "$(metric 'tlspolicyd_lookups_total{map="postfix-tlsrpt",answer="may"}')" 1 "the postfix-tlsrpt map"
is "$(metric 'tlspolicyd_lookups_total{map="none",answer="error"}')" 1 "an unknown map name is an error"
is "$(metric 'tlspolicyd_lookup_duration_seconds_count')" 6 "every lookup timed"
is "$(metric 'tlspolicyd_build_info{version="'"$("$TLSPOLICYD" -V | cut -d' ' -f2)"'"}')" 1 "build_info"
like "$(metric process_start_time_seconds)" "^1[0-9]{9}$" "process start time"

# 3. a real log: a good session, and a failure whose reason is hostile
today=$(date -u +%Y-%m-%d)
python3 - "$today" >> "$T/log/mail.log" <<'PY'
import sys
day = sys.argv[1].encode()
out = sys.stdout.buffer
def line(pid, msg):
    out.write(b"%sT09:14:%02dZ mta1 postfix/smtp[%d]: %s\n" % (day, pid % 60, pid, msg))
def status(pid, qid, dom, relay, dsn, st, text):
    line(pid, b"%s: to=<a@%s>, relay=%s, delay=1, delays=0/0/0/0, dsn=%s, status=%s (%s)"
         % (qid, dom, relay, dsn, st, text))
line(11, b"server certificate verification failed for mx.evil.example[192.0.2.2]:25: "
     b"num=62:hostname mismatch <script>alert(\"x\")</script> 'q' & \xc3\xbc")
line(11, b"Untrusted TLS connection established to mx.evil.example[192.0.2.2]:25: TLSv1.3 with cipher X")
status(11, b"1A2B3C4D01", b"b\xc3\xbccher.example", b"mx.evil.example[192.0.2.2]:25", b"4.7.5",
       b"deferred", b"Server certificate not verified")
line(12, b"Trusted TLS connection established to mx.good.example[192.0.2.3]:25: TLSv1.3 with cipher X")
status(12, b"1A2B3C4D02", b"good.example", b"mx.good.example[192.0.2.3]:25", b"2.0.0", b"sent", b"250 ok")
out.write(b"garbage that is no log line\n")
PY
one_failure() {
	[ "$(metric 'tlspolicyd_sessions_total{policy_type="no-policy-found",result="certificate-host-mismatch"}')" = 1 ]
}
check "a session failure from the log is counted" wait_for 20 one_failure
is "$(metric 'tlspolicyd_sessions_total{policy_type="no-policy-found",result="success"}')" 1 "the success too"
is "$(metric "tlspolicyd_log_lines_total{source=\"$T/log/mail.log\"}")" 6 "log lines read, by source"
is "$(metric "tlspolicyd_log_lines_skipped_total{source=\"$T/log/mail.log\"}")" 1 "the garbage line skipped"
body "$H/metrics" > "$T/scrape2"
check "promtool check metrics passes after activity" sh -c "promtool check metrics < '$T/scrape2'"
check "every metric the dashboard and the alert rules query is in a real scrape, with the labels they use" \
    python3 - "$T/scrape2" "$top_srcdir/contrib/prometheus/tlspolicyd-dashboard.json" \
    "$top_srcdir/contrib/prometheus/tlspolicyd-rules.yml" <<'PY'
import json, re, sys
scrape, dash, rules = sys.argv[1:4]
families, labels = set(), {}
for line in open(scrape):
    m = re.match(r"# TYPE (\S+) (\S+)", line)
    if m:
        families.add(m.group(1))
        continue
    m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? ", line)
    if m:
        name = re.sub(r"_(bucket|sum|count)$", "", m.group(1)) if m.group(1) not in families else m.group(1)
        labels.setdefault(name, set()).update(re.findall(r'([a-zA-Z_]\w*)="', m.group(3) or ""))
exprs = []
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "expr" and isinstance(v, str):
                exprs.append(v)
            else:
                walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(json.load(open(dash)))
exprs += re.findall(r"^\s*expr:\s*(.+)$", open(rules).read(), re.M)
assert len(exprs) >= 10, exprs
checked = set()
for e in exprs:
    for name, sel in re.findall(r"\b((?:tlspolicyd|process)_\w+)(\{[^}]*\})?", e):
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in families or base in families, "%s (in %s) is not in /metrics" % (name, e)
        used = set(re.findall(r"([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)", sel)) - {"job", "instance"}
        if labels.get(base):    # a family without samples yet: its name is enough
            missing = used - labels[base] - {"le"}
            assert not missing, "%s has no label %s (in %s)" % (name, missing, e)
        checked.add(base)
print("# %d metrics of %d expressions found in the scrape" % (len(checked), len(exprs)))
PY

# 4. read-only
out=$(get "$H/metrics" POST)
like "$(printf '%s' "$out" | head -1)" "^405$" "POST is refused with 405"
like "$out" "Allow: GET, HEAD" "... saying what is allowed"
like "$(get "$H/metrics" DELETE | head -1)" "^405$" "DELETE too"
out=$(get "$H/metrics" HEAD)
is "$(printf '%s' "$out" | head -1)$(printf '%s' "$out" | sed '1,/^$/d' | wc -c)" "2000" "HEAD: 200, no body"
like "$(get "$H/nothing" | head -1)" "^404$" "unknown paths are 404"

# 5. hostile text: escaped in HTML, the same text in JSON; from the log,
# and from a TLSRPT report about our domain POSTed by a hostile sender
python3 - "$H/tlsrpt" "$today" <<'PY'
import json, sys, urllib.request
url, day = sys.argv[1:3]
r = {"organization-name": "<img src=x onerror=alert(1)> \"Evil\" & Co", "contact-info": "<a href=x>c</a>",
     "report-id": "<script>alert('id')</script>",
     "date-range": {"start-datetime": day + "T00:00:00Z", "end-datetime": day + "T23:59:59Z"},
     "policies": [{"policy": {"policy-type": "sts", "policy-domain": "our.example",
                              "mx-host": ["<b>mx</b>.our.example"]},
                   "summary": {"total-successful-session-count": 7, "total-failure-session-count": 3},
                   "failure-details": [{"result-type": "<i>odd</i>", "sending-mta-ip": "192.0.2.9",
                                        "receiving-mx-hostname": "<svg onload=alert(2)>",
                                        "failure-reason-code": "<script>reason()</script> & \u00fc",
                                        "failed-session-count": 3}]}]}
req = urllib.request.Request(url, data=json.dumps(r).encode(), method="POST",
                             headers={"Content-Type": "application/tlsrpt+json"})
print("# POST /tlsrpt:", urllib.request.urlopen(req, timeout=20).status)
PY
body "$H/" > "$T/page.html"
like "$(cat "$T/page.html")" "<td>xn--bcher-kva.example</td>" "the status page lists the domain (A-label)"
like "$(cat "$T/page.html")" "hostname mismatch &lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt; &#39;q&#39; &amp; ü" \
    "the reason is HTML-escaped, UTF-8 kept"
check "no markup from the log in the page" sh -c "! grep -q '<script' '$T/page.html'"
like "$(cat "$T/page.html")" "<td>&lt;img src=x onerror=alert\(1\)&gt; &quot;Evil&quot; &amp; Co</td>" \
    "incoming reports: the organization escaped"
like "$(cat "$T/page.html")" "<td>&lt;script&gt;alert\(&#39;id&#39;\)&lt;/script&gt;</td>" "... the report-id"
like "$(cat "$T/page.html")" "<td>&lt;b&gt;mx&lt;/b&gt;.our.example</td>" "... the mx-host"
like "$(cat "$T/page.html")" "&lt;i&gt;odd&lt;/i&gt; 3 &lt;svg onload=alert\(2\)&gt;: &lt;script&gt;reason\(\)&lt;/script&gt; &amp; ü" \
    "... the result type, MX host name and failure reason"
check "no markup from the report in the page" sh -c "! grep -Eq '<b>mx|<i>odd|<a href=x|<svg onload|<img' '$T/page.html'"
body "$H/api/v1/incoming?day=$today" > "$T/incoming.json"
check "incoming JSON: strict UTF-8 JSON, the hostile strings exactly as sent" python3 - "$T/incoming.json" <<'PY'
import json, sys
data = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", errors="strict"))
r = data["reports"][0]
assert r["organization-name"] == "<img src=x onerror=alert(1)> \"Evil\" & Co", r
assert r["report-id"] == "<script>alert('id')</script>", r
p = r["policies"][0]
assert p["mx-host"] == "<b>mx</b>.our.example" and p["result-types"] == {"<i>odd</i>": 3}, p
d = p["failure-details"][0]
assert d["receiving-mx-hostname"] == "<svg onload=alert(2)>", d
assert d["failure-reason-code"] == "<script>reason()</script> & \u00fc", d
s = data["summary"][0]
assert s["organization-name"] == r["organization-name"] and s["failure-rate"] == 0.3, s
PY
check "the page has its SVG chart and no external assets" python3 - "$T/page.html" <<'PY'
import sys, re
page = open(sys.argv[1], encoding="utf-8").read()
assert "<svg" in page and "</svg>" in page, "no svg"
assert not re.search(r'(src|href)="(https?:)?//', page), "external reference"
assert not re.search(r"<(script|img|link|iframe)", page), "active or external element"
PY
check "worst domain first" python3 - "$T/page.html" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
assert page.index("xn--bcher-kva.example") < page.index("good.example")
PY
body "$H/api/v1/results/today" > "$T/results.json"
check "results JSON: strict UTF-8 JSON, the reason exactly as logged" python3 - "$T/results.json" <<'PY'
import json, sys
data = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", errors="strict"))
bad = [g for g in data if g["domain"] == "xn--bcher-kva.example"][0]
d = bad["failure-details"][0]
assert d["result-type"] == "certificate-host-mismatch", d
want = "num=62:hostname mismatch <script>alert(\"x\")</script> 'q' & \u00fc"
assert d["failure-reason-code"] == want, (d["failure-reason-code"], want)
assert [g for g in data if g["domain"] == "good.example"][0]["total-successful-session-count"] == 1
PY
body "$H/api/v1/status" > "$T/status.json"
check "status JSON: sessions worst first, with the failure's reason" python3 - "$T/status.json" <<'PY'
import json, sys
s = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", errors="strict"))
doms = s["today"]["domains"]
assert doms[0]["domain"] == "xn--bcher-kva.example" and doms[0]["failure-rate"] == 1.0, doms
assert "<script>" in doms[0]["most-frequent-failure"]["failure-reason-code"]
assert s["today"]["sessions"] == 2 and s["today"]["failures"] == 1
assert s["listeners"]["http"] and s["days"][-1]["failures"] == 1
PY
like "$(body "$H/api/v1/policy/Bank.Example.")" '"reply":"OK","answer":"dane-only","reason":"local policy table' \
    "policy API: the answer and why, as tlspolicyctl query"
like "$(get "$H/api/v1/policy/%3Cscript%3E.example" | head -1)" "^400$" "policy API: not a domain name"
like "$(body "$H/api/v1/results/2026-13-x")" '"error":"expected a day' "results API: a bad day"
like "$(body "$H/api/v1/reports")" '"deliveries":\[\]' "reports API: none sent yet"
like "$(get "$H/api/v1/incoming?day=2026-02-30" | head -1)" "^400$" "incoming API: a day not in the calendar"
like "$(get "$H/api/v1/incoming?days=0" | head -1)" "^400$" "incoming API: days=0"
like "$(body "$H/api/v1/incoming?days=2")" '"reports-count":1,' "incoming API: the last two days"
like "$(body "$H/api/v1/incoming?domain=other.example")" '"reports-count":0,' "incoming API: ?domain= filters"
like "$(body "$H/api/v1/incoming?domain=Our.Example")" '"policy-domain":"our.example","reports-count":1,' \
    "... by our domain, normalised"

# 6. hundreds of idle and half-sent connections: limited, timed out, and
# socketmap lookups keep being answered meanwhile
check "idle HTTP connections do not stop lookups" python3 - "$hp" "$T/run/postfix.sock" <<'PY'
import select, socket, sys, time
sys.path.insert(0, __import__("os").environ["top_srcdir"] + "/t/integ")
import sockmapclient as sm
port, path = int(sys.argv[1]), sys.argv[2]
conns = []
for i in range(300):
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        continue
    if i % 2:
        s.send(b"GET / HTTP/1.1\r\nHost: x\r\n")   # half a request, never finished
    conns.append(s)
# lookups while they are held: one persistent connection, and new ones
lat = []
p = sm.connect(path, 5)
for i in range(300):
    t0 = time.monotonic()
    if i % 3 == 0:
        q = sm.connect(path, 5)
        q.sendall(sm.ns("postfix bank.example"))
        r = q.recv(4096)
        q.close()
    else:
        p.sendall(sm.ns("postfix bank.example"))
        r = p.recv(4096)
    assert r == sm.ns("OK dane-only"), r
    lat.append(time.monotonic() - t0)
# how many the daemon kept: the others it closed at once
time.sleep(0.5)
r, _, _ = select.select(conns, [], [], 0)
def gone(s):
    try:
        return s.recv(1) == b""
    except OSError:
        return True
closed = [s for s in r if gone(s)]
held = len(conns) - len(closed)
print("# %d connections made, %d held by the daemon; 300 lookups, slowest %.1f ms"
      % (len(conns), held, 1000 * max(lat)))
assert 1 <= held <= 32, held
# the held ones are closed by http_timeout (3 s)
deadline = time.monotonic() + 30
left = [s for s in conns if s not in closed]
while left and time.monotonic() < deadline:
    r, _, _ = select.select(left, [], [], 1)
    for s in r:
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            left.remove(s)
assert not left, "%d connections still open after 30 s" % len(left)
PY
is "$(get "$H/metrics" | head -1)" 200 "the daemon still answers HTTP afterwards"
is "$(pm_q bank.example "$U:postfix")" "dane-only" "and lookups"

# 7. a real Prometheus scrapes it; its HTTP API gives back our count
pp=$(free_port)
cat > "$T/prometheus.yml" <<Y
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: tlspolicyd
    static_configs:
      - targets: ['127.0.0.1:$hp']
Y
check "the Prometheus configuration is valid" sh -c "promtool check config '$T/prometheus.yml' >/dev/null 2>&1"
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prometheus" \
    --web.listen-address="127.0.0.1:$pp" > "$T/prometheus.log" 2>&1 &
bg_pids="$bg_pids $!"
q='tlspolicyd_lookups_total{map="postfix",answer="dane-only"}'
pq() {
	python3 - "http://127.0.0.1:$pp/api/v1/query" "$q" <<'PY'
import json, sys, urllib.parse, urllib.request
url = sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]})
r = json.load(urllib.request.urlopen(url, timeout=5))
res = r["data"]["result"]
print(res[0]["value"][1] if res else "none")
PY
}
want=$(metric "$q")
prom_has() { [ "$(pq)" = "$want" ]; }
check "Prometheus scrapes and returns the lookup count ($want)" wait_for 90 prom_has
q='up{job="tlspolicyd"}'
is "$(pq)" 1 "Prometheus sees the target up"

stop_daemon
done_testing
