#!/bin/sh
# Incoming TLSRPT reports by mail: messages as other mail systems send
# them (a multipart/report with a gzip'd report, a bare JSON attachment),
# signed here with DKIM (dkimpy) by keys published in the test world's
# signed zone, are piped through "tlspolicyctl receive" while tlspolicyd
# runs and owns the store.  Signed reports about our domains are stored,
# once; tampered, unsigned, foreign, expired, unknown-key, not-ours and
# not-a-report messages are refused with the sysexits code the MTA needs
# and kept in the quarantine directory (mode 0600) with the reason; a DNS
# outage and an unset report_domains make the MTA retry (EX_TEMPFAIL)
# without quarantining.  An Authentication-Results field of the
# configured authserv-id is trusted instead of a signature; one of
# another authserv-id is not.  "tlspolicyctl reports" lists and sums up.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/postfix.sh"
need_root
need nsd unbound ldns-signzone dig openssl python3 gzip base64 postfix postconf postmap sendmail
need_dkimpy nacl

world_dns_up

# DKIM keys: RSA for sender.test, Ed25519 for mailru.test
openssl genrsa -traditional -out "$T/rsa.pem" 2048 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$T/ed.pem" 2>/dev/null
openssl pkey -in "$T/ed.pem" -outform DER | tail -c 32 | base64 -w0 > "$T/ed.seed"
ed_p=$(openssl pkey -in "$T/ed.pem" -pubout -outform DER | tail -c 32 | base64 -w0)
world_dns_batch
world_dkim s1 sender.test "$T/rsa.pem"
world_dns_set "ed._domainkey.mailru.test. TXT \"v=DKIM1; k=ed25519; p=$ed_p\""
world_dns_set "revoked._domainkey.sender.test. TXT \"v=DKIM1; k=rsa; p=\""
check "the test world serves the DKIM keys" world_dns_commit

world_conf <<C
report_domains = ours.test other-ours.test
C
check "tlspolicyd starts" start_daemon
Q=$T/state/quarantine

# report JSON of the known senders, about ours.test
report() {   # report FIXTURE ID: the fixture about ours.test with report-id ID
	sed -e 's/example\.org/ours.test/g' -e "s/\"report-id\": *\"[^\"]*\"/\"report-id\":\"$2\"/" \
	    "$top_srcdir/t/data/incoming/$1"
}
# mail FROM FILE [CTYPE]: an RFC 8460 report message carrying FILE gzip'd
mail() {
	printf 'From: TLS reporting <%s>\nTo: tlsrpt@ours.test\nSubject: Report Domain: ours.test Submitter: x Report-ID: <r>\n' "$1"
	printf 'Date: Mon, 30 Nov 2026 10:00:00 +0000\nMessage-ID: <%s@x>\nMIME-Version: 1.0\n' "$$.$(date +%s%N)"
	printf 'Content-Type: multipart/report; report-type="tlsrpt";\n\tboundary="BOUNDARY"\n\n'
	printf -- '--BOUNDARY\nContent-Type: text/plain\n\nThis is an aggregate TLS report.\n\n'
	printf -- '--BOUNDARY\nContent-Type: %s\nContent-Transfer-Encoding: base64\n' "${3:-application/tlsrpt+gzip}"
	printf 'Content-Disposition: attachment; filename="x!ours.test!1!2!r.json.gz"\n\n'
	gzip -c < "$2" | base64 -w 76
	printf -- '--BOUNDARY--\n'
}
sign() {   # sign KEY ALG SELECTOR DOMAIN [options] < message
	$PY "$top_srcdir/t/dkimsign.py" "$@"
}
# receive NAME: pipe $T/NAME.eml; RC and OUT (stdout and stderr) set
receive() {
	OUT=$(ctl receive < "$T/$1.eml" 2>&1)
	RC=$?
}
nq() { ls "$Q" 2>/dev/null | wc -l; }

report google.json g-1 > "$T/google.json"
mail tlsrpt@sender.test "$T/google.json" | sign "$T/rsa.pem" rsa s1 sender.test > "$T/google.eml"
receive google
is "$RC" 0 "a signed report: EX_OK"
like "$OUT" "^stored report g-1 from Google Inc. \(2026-11-29, dkim d=sender.test s=s1, 1 policy\)" \
    "stored, trusted by DKIM"
receive google
is "$RC" 0 "the same report again: EX_OK"
like "$OUT" "^duplicate report g-1" "and not stored twice"
is "$(nq)" 0 "nothing quarantined"

# Ed25519, d= a parent of the From domain, LF line ends, the report as
# application/octet-stream, counts as strings and packed TLSA records
report mailru.json m-1 > "$T/mailru.json"
mail tlsrpt@reports.mailru.test "$T/mailru.json" application/octet-stream \
    | sign "$T/ed.seed" ed25519 ed mailru.test --canon relaxed/relaxed > "$T/mailru.eml"
receive mailru
is "$RC" 0 "Ed25519 signature of a parent of the From domain: EX_OK"
like "$OUT" "dkim d=mailru.test s=ed.*notes: .*several TLSA records packed" "stored with its quirks noted"

# a parent domain that is a public suffix may not sign
printf '// a list of our own\ntest\nmailru.test\n' > "$T/psl.dat"
{ cat "$T/tlspolicyd.conf"; echo "public_suffix_list = $T/psl.dat"; } > "$T/psl.conf"
report mailru.json m-2 > "$T/mailru2.json"
mail tlsrpt@reports.mailru.test "$T/mailru2.json" \
    | sign "$T/ed.seed" ed25519 ed mailru.test --canon relaxed/relaxed > "$T/psl.eml"
OUT=$("$TLSPOLICYCTL" -c "$T/psl.conf" receive < "$T/psl.eml" 2>&1)
is "$?" 77 "a signature by a public suffix: EX_NOPERM"
like "$OUT" "d=mailru.test is not the From domain reports.mailru.test or a parent of it below the public suffix" \
    "said so"

# refused and quarantined
quarantined() {   # quarantined WHAT PATTERN: the newest file holds the reason, mode 0600
	f=$(ls -t "$Q" | head -1)
	like "$(head -1 "$Q/$f")" "^X-Tlspolicyd-Refused: .*$2" "$1: quarantined with the reason"
	is "$(stat -c %a "$Q/$f")" 600 "$1: quarantine file mode 0600"
}
report microsoft.json ms-1 > "$T/ms.json"
mail tlsrpt@sender.test "$T/ms.json" | sign "$T/rsa.pem" rsa s1 sender.test > "$T/ms.eml"
# the body changed after signing: one more policy line in the report
awk '/^--BOUNDARY--/ { print "--BOUNDARY\nContent-Type: text/plain\n\nadded\n" } { print }' "$T/ms.eml" > "$T/tampered.eml"
receive tampered
is "$RC" 77 "changed body: EX_NOPERM"
like "$OUT" "refused \(quarantined as .*\): not trusted: d=sender.test s=s1: body hash mismatch" "with the reason on stderr"
quarantined "changed body" "body hash mismatch"

sed 's/^Subject: Report Domain: ours.test/Subject: Report Domain: other.test/' "$T/ms.eml" > "$T/subject.eml"
receive subject
is "$RC" 77 "changed signed field: EX_NOPERM"
quarantined "changed signed field" "signature does not verify"

mail tlsrpt@forged.test "$T/ms.json" | sign "$T/rsa.pem" rsa s1 sender.test > "$T/foreign.eml"
receive foreign
is "$RC" 77 "d= not the From domain: EX_NOPERM"
quarantined "wrong d=" "d=sender.test is not the From domain forged.test"

mail tlsrpt@sender.test "$T/ms.json" | sign "$T/rsa.pem" rsa nokey sender.test > "$T/nokey.eml"
receive nokey
is "$RC" 77 "no key in DNS: EX_NOPERM"
quarantined "missing key" "nokey: no key record"

mail tlsrpt@sender.test "$T/ms.json" | sign "$T/rsa.pem" rsa revoked sender.test > "$T/revoked.eml"
receive revoked
is "$RC" 77 "revoked key: EX_NOPERM"

mail tlsrpt@sender.test "$T/ms.json" | sign "$T/rsa.pem" rsa s1 sender.test --expire -10 > "$T/expired.eml"
receive expired
is "$RC" 77 "expired signature: EX_NOPERM"
quarantined "expired" "expired"

mail tlsrpt@sender.test "$T/ms.json" > "$T/unsigned.eml"
receive unsigned
is "$RC" 77 "unsigned: EX_NOPERM"
quarantined "unsigned" "no DKIM signature"

printf 'From: a@sender.test\nTo: tlsrpt@ours.test\nSubject: hello\n\nnot a report\n' \
    | sign "$T/rsa.pem" rsa s1 sender.test > "$T/text.eml"
receive text
is "$RC" 65 "not a report: EX_DATAERR"
quarantined "not a report" "no TLSRPT report in the message"

sed 's/ours\.test/elsewhere.test/g' "$T/ms.json" > "$T/foreign.json"
mail tlsrpt@sender.test "$T/foreign.json" | sign "$T/rsa.pem" rsa s1 sender.test > "$T/notours.eml"
receive notours
is "$RC" 65 "a report about another domain: EX_DATAERR"
quarantined "not ours" "about elsewhere.test, none of report_domains"

head -c 40000000 /dev/zero > "$T/zeros"
mail tlsrpt@sender.test "$T/zeros" | sign "$T/rsa.pem" rsa s1 sender.test > "$T/bomb.eml"
receive bomb
is "$RC" 65 "a gzip bomb: EX_DATAERR"
quarantined "gzip bomb" "bomb"
n_before=$(nq)

# the MTA must retry: DNS failing, report_domains not set
world_dns_stop
receive ms
is "$RC" 75 "DNS down: EX_TEMPFAIL"
like "$OUT" "DKIM not checked for now" "said so"
is "$(nq)" "$n_before" "not quarantined"
world_dns_start
receive ms
is "$RC" 0 "DNS back: the retry is stored"
grep -v '^report_domains' "$T/tlspolicyd.conf" > "$T/nodomains.conf"
OUT=$("$TLSPOLICYCTL" -c "$T/nodomains.conf" receive < "$T/google.eml" 2>&1)
is "$?" 75 "report_domains unset: EX_TEMPFAIL"
like "$OUT" "report_domains is empty" "said so"

# Authentication-Results of our own MTA, when configured
report mox.json mox-1 > "$T/mox.json"
{ printf 'Authentication-Results: mx.ours.test; spf=pass smtp.mailfrom=mox.test;\n\tdkim=pass header.d=mox.test header.s=x\n'
  mail tlsrpt@mox.test "$T/mox.json"; } > "$T/ar.eml"
receive ar
is "$RC" 77 "Authentication-Results not trusted by default"
{ cat "$T/tlspolicyd.conf"; echo "incoming_trusted_authserv_id = mx.ours.test"; } > "$T/ar.conf"
sed 's/^Authentication-Results: mx.ours.test;/Authentication-Results: mx.evil.test;/' "$T/ar.eml" > "$T/ar-other.eml"
OUT=$("$TLSPOLICYCTL" -c "$T/ar.conf" receive < "$T/ar-other.eml" 2>&1)
is "$?" 77 "Authentication-Results of another authserv-id: EX_NOPERM"
OUT=$("$TLSPOLICYCTL" -c "$T/ar.conf" receive < "$T/ar.eml" 2>&1)
is "$?" 0 "Authentication-Results of the configured authserv-id: EX_OK"
like "$OUT" "authentication-results mx.ours.test dkim=pass header.d=mox.test.*left out: mx1.ours.test other.example" \
    "trusted so; the policies of domains not ours left out"

# shown
ctl reports > "$T/reports.txt"
sed 's/^/# /' "$T/reports.txt"
like "$(grep -c report-id= "$T/reports.txt")" "^4$" "reports lists four reports"
like "$(cat "$T/reports.txt")" "2026-11-29 Google Inc. report-id=g-1 .*via=mail trusted-by=\"dkim d=sender.test s=s1\"" \
    "Google's, with how it was trusted"
like "$(cat "$T/reports.txt")" "sts ours.test mx=mx1.ours.test mx2.ours.test successes=1204 failures=7" \
    "its policy and counts"
like "$(cat "$T/reports.txt")" "certificate-expired 5" "its failures by result type"
like "$(tail -1 "$T/reports.txt")" "^summary: 4 reports from 4 organizations; 1617 sessions, 12 failed \(0\.7%\)" \
    "summary over all"
ctl reports --json > "$T/reports.json"
like "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["summary"]; print(s["reports"], s["total-failure-session-count"], s["failures-by-result-type"]["tlsa-invalid"])' "$T/reports.json")" \
    "^4 12 4$" "--json: the same sums, by result type"
like "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["reports"]; print(sum(p["total-failure-session-count"] for x in r for p in x["policies"]), sum(sum(p["result-types"].values()) for x in r for p in x["policies"]), sorted(set(x["via"] for x in r)), all(x["received"].endswith("Z") and x["report-id"] for x in r))' "$T/reports.json")" \
    "^12 12 \['mail'\] True$" "--json: each report with its policies, result types and how it came"
like "$(ctl reports --day 2026-11-28)" "^summary: 0 reports" "--day: another day has none"
# a real Postfix delivering to the pipe(8) transport of
# contrib/postfix/tlsrpt-receive.txt (run as the daemon's user here)
pf_instance mx
postconf -c "$T/mx" -M# smtp/inet
sed -n '/^     tlsrpt    unix/,/argv=/p' "$top_srcdir/contrib/postfix/tlsrpt-receive.txt" | sed 's/^     //' \
    | sed "s|user=tlspolicyd|user=$(id -un nobody)|; s|argv=/usr/sbin/tlspolicyctl receive|argv=$TLSPOLICYCTL -c $T/tlspolicyd.conf receive|" \
    >> "$T/mx/master.cf"
printf 'tlsrpt@ours.test tlsrpt:\n' > "$T/mx/transport"
postmap -c "$T/mx" "hash:$T/mx/transport"
postconf -c "$T/mx" -e "mydestination = ours.test" "transport_maps = hash:$T/mx/transport" \
    "tlsrpt_destination_recipient_limit = 1" "inet_interfaces = 127.0.0.1" "maximal_queue_lifetime = 1h" \
    "bounce_queue_lifetime = 0"
check "Postfix with the tlsrpt pipe transport starts" pf_start mx
report google.json pf-1 > "$T/pf1.json"
mail tlsrpt@sender.test "$T/pf1.json" | sign "$T/rsa.pem" rsa s1 sender.test > "$T/pf1.eml"
sendmail -C "$T/mx" -f tlsrpt@sender.test tlsrpt@ours.test < "$T/pf1.eml"
check "Postfix: a signed report delivered through the pipe" pf_wait mx "to=<tlsrpt@ours.test>.*relay=tlsrpt.*status=sent"
like "$(ctl reports)" "report-id=pf-1 " "Postfix: and stored"
awk '/^--BOUNDARY--/ { print "--BOUNDARY\nContent-Type: text/plain\n\nadded\n" } { print }' "$T/pf1.eml" > "$T/pf2.eml"
sendmail -C "$T/mx" -f tlsrpt@sender.test tlsrpt@ours.test < "$T/pf2.eml"
check "Postfix: a tampered one bounced with the reason" \
    pf_wait mx "to=<tlsrpt@ours.test>.*status=bounced.*not trusted: d=sender.test s=s1: body hash mismatch"
report microsoft.json pf-3 > "$T/pf3.json"
mail tlsrpt@sender.test "$T/pf3.json" | sign "$T/rsa.pem" rsa s1 sender.test > "$T/pf3.eml"
world_dns_stop
sendmail -C "$T/mx" -f tlsrpt@sender.test tlsrpt@ours.test < "$T/pf3.eml"
check "Postfix: DNS down, deferred" pf_wait mx "to=<tlsrpt@ours.test>.*status=deferred.*DKIM not checked for now"
world_dns_start
pf_flush mx
check "Postfix: DNS back, delivered on the retry" \
    wait_for 30 sh -c "[ \$(grep -c 'to=<tlsrpt@ours.test>.*relay=tlsrpt.*status=sent' '$T/mx/maillog') -ge 2 ]"
like "$(ctl reports)" "report-id=pf-3 " "Postfix: the retried report stored"
grep 'relay=tlsrpt' "$T/mx/maillog" | sed 's/^/# /'
check "the daemon holds its store again" wait_for 20 has_store
check "it lent the store to the receivers" grep -q 'store: back from pid' "$T/daemon.log"
done_testing
