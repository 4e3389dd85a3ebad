#!/bin/sh
# /api/v1/policy answers as tlspolicyctl query does: a domain never looked
# up is resolved through the real test world (DNSSEC-signed DNS, HTTPS
# policy server) and its enforce policy comes back; while the HTTP answer
# waits for a slow policy server its connection is suspended, and
# socketmap lookups and other HTTP requests are answered meanwhile; a
# policy slower than lookup_timeout is answered after it as a socketmap
# lookup would be, and its resolution goes on; a bad name is a 400; a daemon stopped while an answer
# waits exits cleanly.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need nsd unbound unbound-control ldns-signzone openssl python3 postmap

world_dns_up
world_https_up
world_dns_batch
ENFORCE='version: STSv1
mode: enforce
mx: mx1.enforce.test
max_age: 86400
'
world_sts enforce.test 1 "$ENFORCE"
world_sts slowapi.test 1 "$(world_sts_body enforce 86400 mx.slowapi.test)"
echo 3 > "$T/www/mta-sts.slowapi.test/.well-known/mta-sts.txt.delay"
world_sts slower.test 1 "$ENFORCE"
echo 9 > "$T/www/mta-sts.slower.test/.well-known/mta-sts.txt.delay"
world_sts stopping.test 1 "$ENFORCE"
echo 9 > "$T/www/mta-sts.stopping.test/.well-known/mta-sts.txt.delay"
world_dns_commit
world_https_stop
world_https_start

printf 'bank.example dane-only\n' > "$T/local_policy"
chmod 644 "$T/local_policy"
hp=$(free_port)
world_conf <<C
mta_sts = yes
sts_fetch_timeout = 15s
lookup_timeout = 6s
local_policy_file = $T/local_policy
http_listen = 127.0.0.1:$hp
C
check "daemon starts" start_daemon
H="http://127.0.0.1:$hp"

# get URL: "CODE BODY" of a GET
get() {
	python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=60)
    code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
print(code, body.decode())
PY
}

# 1. never looked up: resolved now, the enforce policy with its reason
is "$(grep -c 'enforce.test' "$T/httpsd.log")" 0 "enforce.test was never fetched"
out=$(get "$H/api/v1/policy/enforce.test")
like "$out" '^200 \{"domain":"enforce.test","reply":"OK","answer":"secure match=mx1.enforce.test servername=hostname","reason":"[^"]*MTA-STS' \
    "a domain never looked up gets its enforce policy through the API"
is "$(grep -c 'mta-sts.enforce.test "GET' "$T/httpsd.log")" 1 "... after one real HTTPS fetch"
want=$(ctl query enforce.test | sed -n 's/^reason: //p')
check "the reason is tlspolicyctl query's" python3 -c '
import json, sys
got = json.loads(sys.argv[1].split(" ", 1)[1])["reason"]
assert got == sys.argv[2], (got, sys.argv[2])' "$out" "$want"
like "$(get "$H/api/v1/policy?domain=Enforce.Test.")" '^200 \{"domain":"enforce.test","reply":"OK"' \
    "?domain= works too, the name normalised"

# 2. a slow policy server: the API answer waits for it; socketmap lookups
# and other HTTP requests go on meanwhile
check "while an API answer waits 3 s for a policy, lookups and pages are answered at once" \
    python3 - "$H" "$T/run/postfix.sock" <<'PY'
import json, sys, threading, time, urllib.request
sys.path.insert(0, __import__("os").environ["top_srcdir"] + "/t/integ")
import sockmapclient as sm
base, path = sys.argv[1:3]
res = {}
def api():
    t0 = time.monotonic()
    body = urllib.request.urlopen(base + "/api/v1/policy/slowapi.test", timeout=60).read()
    res["t"] = time.monotonic() - t0
    res["body"] = json.loads(body)
th = threading.Thread(target=api)
th.start()
time.sleep(0.3)   # the request is in, its connection suspended
lat, pages, n = [], 0, 0
p = sm.connect(path, 5)
while th.is_alive():
    t0 = time.monotonic()
    p.sendall(sm.ns("postfix bank.example"))
    r = p.recv(4096)
    assert r == sm.ns("OK dane-only"), r
    lat.append(time.monotonic() - t0)
    if n % 20 == 0:
        t0 = time.monotonic()
        assert urllib.request.urlopen(base + "/metrics", timeout=10).status == 200
        lat.append(time.monotonic() - t0)
        pages += 1
    n += 1
    time.sleep(0.01)
th.join()
print("# API answer after %.2f s; meanwhile %d lookups and %d scrapes, slowest %.1f ms"
      % (res["t"], n, pages, 1000 * max(lat)))
assert res["body"]["answer"] == "secure match=mx.slowapi.test servername=hostname", res
assert res["t"] >= 2.5, res["t"]
assert n >= 50 and pages >= 3, (n, pages)
assert max(lat) < 1.0, max(lat)
PY

# 3. slower than lookup_timeout: answered after it, as socketmap would
t0=$(date +%s%N)
out=$(get "$H/api/v1/policy/slower.test")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
like "$out" '^200 \{"domain":"slower.test","reply":"NOTFOUND","answer":null' \
    "a policy slower than lookup_timeout: NOTFOUND, as a socketmap lookup"
check "... answered after lookup_timeout (6 s), not before and not long after (${ms} ms)" \
    test "$ms" -ge 5500 -a "$ms" -lt 8500
is "$(pm_q slower.test "unix:$T/run/postfix.sock:postfix")" "secure match=mx1.enforce.test servername=hostname" \
    "the resolution went on: socketmap then gets the policy"

# 4. bad names
like "$(get "$H/api/v1/policy/%3Cscript%3E.example")" '^400 \{"error":"not a domain name"\}' "a bad name: 400"
like "$(get "$H/api/v1/policy?domain=a..b")" '^400 ' "a bad ?domain=: 400"
like "$(get "$H/api/v1/policy")" '^400 ' "no domain: 400"

# 5. stopped while an answer waits: the client's connection is closed,
# the daemon exits cleanly
fetches() { get "$H/metrics" | awk '$1 == "tlspolicyd_sts_policy_fetches_total" { print $2 }'; }
f0=$(fetches)
python3 - "$H/api/v1/policy/stopping.test" > "$T/stopping.out" 2>&1 <<'PY' &
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=60).read()
    print("answered")
except Exception as e:
    print("closed:", type(e).__name__)
PY
cpid=$!
bg_pids="$bg_pids $cpid"
fetch_started() { [ "$(fetches)" -gt "$f0" ]; }
check "the request waits for stopping.test's policy" wait_for 20 fetch_started
kill "$DPID"
wait "$DPID"
is "$?" 0 "the daemon stopped with the answer waiting exits 0"
wait "$cpid"
like "$(cat "$T/stopping.out")" "^closed" "the waiting client's connection is closed"
like "$(tail -1 "$T/daemon.log")" "stopped$" "and says it stopped"
done_testing
