#!/bin/sh
# TLSRPT reports POSTed to the HTTP listener (http_tlsrpt, RFC 8460
# section 5.3): a gzip'd and a plain JSON report about our domain are
# stored (201), the same report again is a duplicate (200), and
# tlspolicyctl reports shows them "via https"; a report about another
# domain, garbage, another media type and an oversized body are refused
# with their codes and nothing is stored; /metrics counts the stored
# reports' sessions by organization and result; without http_tlsrpt a
# POST is refused (405) as before.
. "$top_srcdir/t/lib.sh"
need python3 postmap

hp=$(free_port)
write_conf <<C
http_listen = 127.0.0.1:$hp
http_tlsrpt = yes
report_domains = our.example
C
check "daemon starts" start_daemon
H="http://127.0.0.1:$hp"

# report ID DOMAIN [plain]: an RFC 8460 report into $T/ID.json(.gz)
report() {
	python3 - "$T/$1" "$1" "$2" <<'PY'
import datetime, gzip, json, sys
path, rid, dom = sys.argv[1:4]
day = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
r = {"organization-name": "Sender Org", "contact-info": "tlsrpt@sender.example",
     "report-id": rid,
     "date-range": {"start-datetime": day + "T00:00:00Z", "end-datetime": day + "T23:59:59Z"},
     "policies": [{"policy": {"policy-type": "sts", "policy-domain": dom,
                              "policy-string": ["version: STSv1", "mode: enforce", "mx: mx." + dom, "max_age: 86400"],
                              "mx-host": ["mx." + dom]},
                   "summary": {"total-successful-session-count": 40, "total-failure-session-count": 2},
                   "failure-details": [{"result-type": "certificate-expired", "sending-mta-ip": "192.0.2.9",
                                        "receiving-mx-hostname": "mx." + dom, "failed-session-count": 2}]}]}
data = json.dumps(r).encode()
open(path + ".json", "wb").write(data)
open(path + ".json.gz", "wb").write(gzip.compress(data))
PY
}
# post FILE TYPE: "CODE body" of a POST to /tlsrpt
post() { http_post "$H/tlsrpt" "$1" "$2"; }
stored() { ctl reports --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["reports"]))'; }

report r-1 our.example
report r-2 our.example
report r-3 other.example
is "$(post "$T/r-1.json.gz" application/tlsrpt+gzip)" "201 stored" "a gzip'd report about our domain: stored (201)"
is "$(post "$T/r-1.json.gz" application/tlsrpt+gzip)" "200 duplicate, stored before" "the same report again: a duplicate (200)"
is "$(post "$T/r-2.json" "application/tlsrpt+json; charset=utf-8")" "201 stored" "a plain JSON report: stored"
like "$(post "$T/r-3.json.gz" application/tlsrpt+gzip)" "^400 the report is about other.example, none of ours" \
    "a report about another domain: 400"
like "$(post "$T/r-1.json" text/plain)" "^415 unsupported media type" "another media type: 415"
like "$(post "$T/r-1.json" application/tlsrpt+gzip)" "^400 not a report: not gzip data" "declared gzip, not gzip: 400"
head -c 300 /dev/urandom > "$T/garbage"
like "$(post "$T/garbage" application/tlsrpt+json)" "^400 not a report: " "garbage: 400"
head -c $((5 * 1024 * 1024)) /dev/zero > "$T/big"
like "$(post "$T/big" application/tlsrpt+json)" "^413 report larger than" "a body over 4 MB: 413"
is "$(stored)" 2 "two reports stored, nothing else"
ctl reports > "$T/reports.txt"
sed 's/^/# /' "$T/reports.txt"
like "$(cat "$T/reports.txt")" "Sender Org report-id=r-1 .*via=https trusted-by=\"none \(HTTP POST\)\"" \
    "tlspolicyctl reports: the report, via https, trusted by nothing"
like "$(ctl reports --json)" '"certificate-expired"' "its failures by result type"
like "$(grep 'http: ' "$T/daemon.log")" "stored report r-1 from Sender Org" "logged when stored"
# /metrics: the sessions of the reports received (yesterday's), by
# organization and result
metric() {
	python3 - "$H/metrics" "$1" <<'PY'
import sys, urllib.request
for line in urllib.request.urlopen(sys.argv[1], timeout=20).read().decode().splitlines():
    name, _, value = line.rpartition(" ")
    if name == sys.argv[2]:
        print(value)
PY
}
# (read from the store, which tlspolicyctl reports has just borrowed: the
# daemon takes it back within a few seconds)
succ() { [ "$(metric 'tlspolicyd_incoming_sessions{organization="Sender Org",result="success"}')" = 80 ]; }
check "/metrics: the successful sessions of both reports" wait_for 10 succ
is "$(metric 'tlspolicyd_incoming_sessions{organization="Sender Org",result="certificate-expired"}')" 4 \
    "/metrics: their failures by result type"
is "$(pm_q example.com "unix:$T/run/postfix.sock:postfix"; echo "rc=$?")" "rc=1" "lookups go on"
stop_daemon

write_conf <<C
http_listen = 127.0.0.1:$hp
report_domains = our.example
C
check "daemon starts without http_tlsrpt" start_daemon
like "$(post "$T/r-2.json.gz" application/tlsrpt+gzip)" "^405 " "without http_tlsrpt: POST refused (405)"
stop_daemon
done_testing
