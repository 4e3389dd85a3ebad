#!/bin/sh
# Hostile bytes in a followed log: every line of interest carries
# invalid UTF-8 (0xff, overlong, cut short, surrogates, above U+10FFFF)
# or control bytes in a host name, an address or a text, a Postfix 3.10
# TLSRPT line names a failure type RFC 8460 does not know, and another
# program logs under the tag "evil/smtp".  What the daemon stores, what
# "tlspolicyctl results --json" prints and the reports tlspolicy-report
# writes are valid UTF-8 JSON (strict json.load, the RFC 8460 JSON
# Schema), with host names as A-labels and addresses as IP addresses or
# left out; only the MTA's syslog names count, in the daemon and in
# "tlspolicyctl ingest" alike.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need nsd unbound ldns-signzone python3

world_dns_up
world_dns_batch
for d in b.test multi.test evil-tag.test; do
	world_dns_set "_smtp._tls.$d. TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@reports.test\""
done
world_dns_commit

check "tlspolicyd starts" start_follower <<C
dns_resolver = $WORLD_DNS
report_from = tlsrpt-noreply@sender.test
C

# the log, as bytes
python3 - > "$T/hostile.log" <<'PY'
import sys
out = sys.stdout.buffer
def line(pid, msg, name=b"postfix"):
    out.write(b"2025-03-10T09:14:%02dZ mta1 %s/smtp[%d]: %s\n" % (pid % 60, name, pid, msg))
def status(pid, qid, dom, relay, dsn, st, text, name=b"postfix"):
    line(pid, b"%s: to=<a@%s>, relay=%s, delay=1, delays=0/0/0/0, dsn=%s, status=%s (%s)"
         % (qid, dom, relay, dsn, st, text), name)
# 1. a host name with 0xff, a verification text with 0xff and \x01
line(1, b"server certificate verification failed for mx.\xff.evil.example[192.0.2.2]:25: num=62:hostname mismatch \xff\x01")
line(1, b"Untrusted TLS connection established to mx.\xff.evil.example[192.0.2.2]:25: TLSv1.3 with cipher X")
status(1, b"1A2B3C4D01", b"b.test", b"mx.\xff.evil.example[192.0.2.2]:25", b"4.7.5", b"deferred", b"Server certificate not verified")
# 2. terminal escapes in the host name: no address either
line(2, b"Untrusted TLS connection established to mx.\x1b[2J\x1b[H.evil.example[192.0.2.9]:25: TLSv1.3 with cipher X")
status(2, b"1A2B3C4D02", b"b.test", b"mx.\x1b[2J\x1b[H.evil.example[192.0.2.9]:25", b"4.7.5", b"deferred", b"Server certificate not verified")
# 3. Postfix 3.10's own verdict with a type RFC 8460 does not have
line(3, b"TLSRPT: status=failure, domain=b.test, receiving_mx=mx.b.test[192.0.2.3], failure_type=bogus_type, failure_reason=\xc0\xaf\x7f")
line(3, b"Untrusted TLS connection established to mx.b.test[192.0.2.3]:25: TLSv1.3 with cipher X")
status(3, b"1A2B3C4D03", b"b.test", b"mx.b.test[192.0.2.3]:25", b"4.7.5", b"deferred", b"Server certificate not verified")
# 4. a handshake error text cut inside a sequence, a DSN and status with bytes
line(4, b"SSL_connect error to mx.b.test[192.0.2.4]:25: Connection reset by \xe2\x82")
status(4, b"1A2B3C4D04", b"b.test", b"mx.b.test[IPv6:2001:db8::4]:25", b"4.7.\x1b", b"deferred\xff", b"Cannot start TLS: handshake failure")
# 5. a reason naming a host with a surrogate and an address with DEL
line(5, b"1A2B3C4D05: TLS is required, but was not offered by host mx.\xed\xa0\x80.b.test[192.0.2.5\x7f]")
status(5, b"1A2B3C4D05", b"b.test", b"mx2.b.test[198.51.100.5]:25", b"2.0.0", b"sent", b"250 ok \xf4\x90\x80\x80")
# 6. a policy warning with a code point above U+10FFFF and a CR
line(6, b"warning: TLS policy lookup for b.test/mx.\xf4\x90\x80\x80.b.test: non DNSSEC destination\r")
status(6, b"1A2B3C4D06", b"b.test", b"none", b"4.7.5", b"deferred", b"non DNSSEC destination")
# 7. a U-label host name: kept as its A-label
line(7, b"Untrusted TLS connection established to mx.b\xc3\xbccher.test[192.0.2.7]:25: TLSv1.3 with cipher X")
status(7, b"1A2B3C4D07", b"b.test", b"mx.b\xc3\xbccher.test[192.0.2.7]:25", b"4.7.5", b"deferred", b"Server certificate not verified \xc3\xa9")
# 8. another program's tag: not a Postfix session
line(113, b"Verified TLS connection established to mx.evil-tag.test[192.0.2.8]:25: TLSv1.3 with cipher X", b"evil")
status(113, b"1A2B3C4D08", b"evil-tag.test", b"mx.evil-tag.test[192.0.2.8]:25", b"4.7.5", b"deferred", b"Server certificate not verified", b"evil")
# 9. a multi-instance name and a service's own syslog name do count
line(114, b"Verified TLS connection established to mx.multi.test[192.0.2.10]:25: TLSv1.3 with cipher X", b"postfix-out")
status(114, b"1A2B3C4D09", b"multi.test", b"mx.multi.test[192.0.2.10]:25", b"2.0.0", b"sent", b"250 ok", b"postfix-out")
line(115, b"Verified TLS connection established to mx.multi.test[192.0.2.10]:25: TLSv1.3 with cipher X", b"postfix/relay")
status(115, b"1A2B3C4D10", b"multi.test", b"mx.multi.test[192.0.2.10]:25", b"2.0.0", b"sent", b"250 ok", b"postfix/relay")
PY
cat "$T/hostile.log" >> "$T/log/mail.log"
lines=$(wc -l < "$T/hostile.log")
check "the daemon reads all $lines lines" wait_for 10 lines_read "$lines"
diag "$(ctl status | grep '^log ')"

# check_json FILE: strict UTF-8, JSON, no control characters, RFC 8460
# result types, host names as LDH A-labels, addresses as IP addresses
cat > "$T/check.py" <<'PY'
import ipaddress, json, re, sys
RFC = {"starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
       "certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
       "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid"}
LDH = re.compile(r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
def walk(v, key=None):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, k)
    elif isinstance(v, list):
        for x in v:
            walk(x, key)
    elif isinstance(v, str):
        for c in v:
            if ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f:
                sys.exit("%s: control character in %s: %r" % (sys.argv[1], key, v))
        if key == "result-type" and v not in RFC:
            sys.exit("%s: result-type %r" % (sys.argv[1], v))
        if key in ("receiving-ip", "sending-mta-ip"):
            ipaddress.ip_address(v)
        if key == "receiving-mx-hostname" and not LDH.match(v):
            sys.exit("%s: receiving-mx-hostname %r" % (sys.argv[1], v))
with open(sys.argv[1], encoding="utf-8", errors="strict") as f:
    doc = json.load(f)
walk(doc)
print("ok")
PY
ctl results --json > "$T/results.json"
is "$(python3 "$T/check.py" "$T/results.json" 2>&1)" ok \
    "results --json: strict UTF-8 JSON, RFC 8460 result types, A-labels, IP addresses"
r=$(ctl results)
diag "$r"
like "$r" "b.test no-policy-found successes=1 failures=6" "b.test: every hostile session counted, once"
like "$r" "b.test tlsa successes=0 failures=1" "with the DANE failure"
like "$r" "validation-failure count=1 mx=mx.b.test ip=192.0.2.3 sending=- reason=\"bogus_type, failure_reason=" \
    "an unknown TLSRPT failure_type: validation-failure with the logged text as the reason"
like "$r" "mx=- ip=192.0.2.2 " "a host name with 0xff is left out, its address kept"
like "$r" "mx=- ip=- " "a host name with escapes and the address after it: both left out"
like "$r" "mx=mx.xn--bcher-kva.test ip=192.0.2.7 " "a U-label host name as its A-label"
like "$r" "ip=2001:db8::4 " "an IPv6: prefix is dropped"
like "$r" "starttls-not-supported count=1 mx=- ip=- " "a host in a reason text with a surrogate and an address with DEL: left out"
like "$r" "multi.test no-policy-found successes=2 failures=0" "postfix-out and postfix/relay count"
if printf '%s\n' "$r" | grep -q evil-tag; then
	not_ok "the evil/smtp lines are not counted by the daemon"
else
	ok "the evil/smtp lines are not counted by the daemon"
fi
stop_daemon

# the same bytes through "tlspolicyctl ingest", into another store
mkdir -p "$T/other"
chown nobody "$T/other" 2>/dev/null
sed "s|^state_directory = .*|state_directory = $T/other|" "$T/tlspolicyd.conf" > "$T/other.conf"
chmod 644 "$T/hostile.log"
out=$("$TLSPOLICYCTL" -c "$T/other.conf" ingest "$T/hostile.log" 2>&1)
like "$out" "$lines lines, 2 skipped, 10 sessions counted" "ingest: the same sessions, the evil/smtp lines skipped"
"$TLSPOLICYCTL" -c "$T/other.conf" results --json > "$T/other.json"
check "ingest: the same results as the daemon's" cmp -s "$T/results.json" "$T/other.json"
# a setting naming the instances: only those count
printf 'postfix_syslog_names = postfix-out\n' >> "$T/other.conf"
rm -rf "$T/other"/*
like "$("$TLSPOLICYCTL" -c "$T/other.conf" ingest "$T/hostile.log" 2>&1)" "1 sessions counted" \
    "postfix_syslog_names = postfix-out: only that instance counts"

# the reports: valid UTF-8, valid against RFC 8460's schema
mkdir -p "$T/dry"
chown nobody "$T/dry" 2>/dev/null
"$top_builddir/reporter/tlspolicy-report" -v -c "$T/tlspolicyd.conf" --day 2025-03-10 --dry-run "$T/dry" \
    > "$T/report.log" 2>&1
drc=$?
diag "$(cat "$T/report.log")"
like "$drc $(cat "$T/report.log")" "^0 .*dry run: 2 files written to $T/dry, 0 not written.*domains without a report: [0-9]+ without a TLSRPT record, 0 with an unusable record, 0 DNS failures" \
    "dry run: the summary counts the files written and why other domains have none; exit 0"
mkdir -p "$T/ro"
chmod 555 "$T/ro"
out=$("$top_builddir/reporter/tlspolicy-report" -c "$T/tlspolicyd.conf" --day 2025-03-10 --dry-run "$T/ro" 2>&1); rc=$?
like "$rc $out" "^1 .*--dry-run $T/ro: Permission denied" "dry run into a directory the reporter may not write: refused at once, with the reason"
sed 's/^dns_resolver = .*/dns_resolver = 127.0.0.1:9/' "$T/tlspolicyd.conf" > "$T/nodns.conf"
out=$("$top_builddir/reporter/tlspolicy-report" -v -c "$T/nodns.conf" --day 2025-03-10 2>&1); rc=$?
like "$rc $out" "^1 .*0 reports delivered, 0 deliveries failed .*[1-9][0-9]* DNS failures \(retried later\)" \
    "DNS down: nothing sent, the summary says why, exit status 1"
n=$(ls "$T/dry" | grep -c '\.eml$')
is "$n" 2 "two report messages written (b.test, multi.test), none for evil-tag.test"
python3 "$top_srcdir/t/checkreport.py" "$top_srcdir/t/tlsrpt-schema.json" "$T/dry"/*.eml > "$T/checked.txt" 2>&1
rc=$?
sed 's/^/# /' "$T/checked.txt"
is "$rc" 0 "every report message: headers, gzip, strict JSON, the RFC 8460 schema"
python3 - "$T/dry" > "$T/bodies.txt" 2>&1 <<'PY'
import email, email.policy, glob, gzip, os, sys
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.eml"))):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    for part in m.walk():
        if part.get_filename():
            open(f + ".json", "wb").write(gzip.decompress(part.get_payload(decode=True)))
PY
bad=
bodies=0
for j in "$T/dry"/*.eml.json; do
	[ -f "$j" ] || continue
	bodies=$((bodies + 1))
	[ "$(python3 "$T/check.py" "$j" 2>&1)" = ok ] || bad="$bad $j"
done
is "$bodies" "$n" "a report body in each of the $n messages"
is "$bad" "" "every report body: strict UTF-8, RFC 8460 result types, A-labels, IP addresses"
done_testing
