#!/bin/sh
# Real Exim 4.96 (Debian's GnuTLS build, from a private prefix: t/exim.sh)
# delivers over STARTTLS to the test world's MX hosts - a valid
# certificate, an expired one, one for another name, one from an
# untrusted CA, a self-signed one, no STARTTLS at all, DANE with a
# matching and with a wrong TLSA record - and its mainlog says what
# happened.  The lines of each kind are checked here, and parsed by
# logparse_exim (t/logparse -x) into the fields the TLS results need.
# EXIM_CAPTURE=DIR keeps the mainlog (the golden inputs in
# t/data/logparse_exim come from such runs).
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/postfix.sh"
. "$top_srcdir/t/exim.sh"
need_root
need nsd unbound ldns-signzone dig openssl python3 postfix postconf unshare apt-get dpkg

# the Exim packages first: without them the whole test is a skip
: > "$T/resolv.conf"
exim_setup "$T/resolv.conf" || { done_testing; exit 1; }
ok "private Exim $EXIM_VERSION from $(basename "$(exim_deb exim4-daemon-light)")"

WORLD_DNS53=127.0.53.85   # its own: tests run side by side
world_dns_up
P=$T/pki
mkdir -p "$P"
pki_ca "$P" ca
pki_ca "$P" rogue
pki_leaf "$P" good ca mx.good.test
pki_leaf "$P" expired ca mx.certexpired.test expired
pki_leaf "$P" other ca mx.other.test
pki_leaf "$P" rogueleaf rogue mx.untrusted-mx.test
pki_leaf "$P" future ca mx.notyetvalid.test future
# self-signed, but a proper server certificate (not a CA's)
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$P/selfsigned.key" \
    -out "$P/selfsigned.crt" -days 30 -subj /CN=mx.selfsigned.test -addext subjectAltName=DNS:mx.selfsigned.test \
    -addext basicConstraints=critical,CA:FALSE -addext keyUsage=critical,digitalSignature \
    -addext extendedKeyUsage=serverAuth 2>/dev/null
pki_leaf "$P" danegood ca mx.dane-good.test
pki_leaf "$P" danebad ca mx.dane-bad.test
chmod 644 "$P"/*.key
spki() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1; }

world_dns_batch
mx() {   # mx DOMAIN ADDRESS
	world_dns_set "$1. MX 10 mx.$1."
	world_dns_set "mx.$1. A $2"
}
mx good.test 127.0.3.81
mx nostarttls.test 127.0.3.82
mx plain.test 127.0.3.82
mx certexpired.test 127.0.3.83
mx wrongname.test 127.0.3.84
mx untrusted-mx.test 127.0.3.85
mx selfsigned.test 127.0.3.86
mx dane-good.test 127.0.3.87
mx dane-bad.test 127.0.3.88
mx opportunistic.test 127.0.3.83
mx notyetvalid.test 127.0.3.89
world_dns_set "_25._tcp.mx.dane-good.test. TLSA 3 1 1 $(spki "$P/danegood.crt")"
world_dns_set "_25._tcp.mx.dane-bad.test. TLSA 3 1 1 $(spki "$P/good.crt")"
# a secure MX host whose TLSA lookup fails validation (a CNAME into the
# zone with expired signatures)
mx tlsa-bogus.test 127.0.3.81
world_dns_set "_25._tcp.mx.tlsa-bogus.test. CNAME tlsa.bogus.test."
world_dns_set "tlsa.bogus.test. TLSA 3 1 1 $(spki "$P/good.crt")"
world_dns_commit
printf 'nameserver %s\noptions trust-ad\n' "$WORLD_DNS53" > "$T/resolv.conf"

# the receiving side: one Postfix, a listener per kind of MX
pf_instance mx
mkdir -p "$T/mail"
chown nobody "$T/mail"
postconf -c "$T/mx" -e "inet_interfaces = all" \
    "virtual_mailbox_domains = good.test nostarttls.test plain.test certexpired.test wrongname.test untrusted-mx.test selfsigned.test dane-good.test dane-bad.test opportunistic.test notyetvalid.test tlsa-bogus.test" \
    "virtual_mailbox_base = $T/mail" "virtual_mailbox_maps = static:box/" \
    "virtual_uid_maps = static:$(id -u nobody)" "virtual_gid_maps = static:$(id -g nobody)" \
    "smtpd_tls_security_level = may"
postconf -c "$T/mx" -M# smtp/inet
listener() {   # listener ADDRESS CERT|none
	if [ "$2" = none ]; then
		postconf -c "$T/mx" -M "$1:smtp/inet=$1:smtp inet n - n - - smtpd -o smtpd_tls_security_level=none"
	else
		postconf -c "$T/mx" -M "$1:smtp/inet=$1:smtp inet n - n - - smtpd -o smtpd_tls_cert_file=$P/$2.crt -o smtpd_tls_key_file=$P/$2.key"
	fi
}
listener 127.0.3.81 good
listener 127.0.3.82 none
listener 127.0.3.83 expired
listener 127.0.3.84 other
listener 127.0.3.85 rogueleaf
listener 127.0.3.86 selfsigned
listener 127.0.3.87 danegood
listener 127.0.3.88 danebad
listener 127.0.3.89 future
check "receiving Postfix starts" pf_start mx

# The sending Exim: TLS required and verified with the host name, except
# for plain.test (opportunistic, clear text) and opportunistic.test
# (verification tried, not required); DANE where there is TLSA.
EXIM_TRANSPORT="  hosts_require_tls = \${if match_domain{\$domain}{plain.test:opportunistic.test}{}{*}}
  tls_verify_hosts = \${if match_domain{\$domain}{plain.test:opportunistic.test}{}{*}}
  tls_try_verify_hosts = *
  tls_verify_certificates = $P/ca.crt
  tls_verify_cert_hostnames = *"
exim_conf
check "Exim resolves MX through the test world (DNSSEC)" sh -c \
    "dig +dnssec @$WORLD_DNS53 mx.dane-good.test A | grep -q 'flags:.* ad'"

# one message per domain, one attempt each
for d in good nostarttls plain certexpired wrongname untrusted-mx selfsigned notyetvalid dane-good dane-bad tlsa-bogus opportunistic; do
	id=$(exim_send sender@out.localdomain "user@$d.test") || continue
	eval "id_$(echo "$d" | tr - _)=$id"
	check "$d.test: one delivery attempt logged ($id)" exim_deliver_now "$id"
done
# two recipients in one message and two messages over one connection
id_multi=$(exim_send sender@out.localdomain a@good.test b@good.test)
id_cont1=$(exim_send sender@out.localdomain c@good.test)
id_cont2=$(exim_send sender@out.localdomain d@good.test)
exim_queue_run
check "the queue run delivered every good.test message" wait_for 60 sh -c \
    "grep -q ' $id_multi Completed' '$EXIM_LOG' && grep -q ' $id_cont1 Completed' '$EXIM_LOG' && grep -q ' $id_cont2 Completed' '$EXIM_LOG'"

# the listening daemon: a message over SMTP, delivered at once
check "the Exim daemon listens" exim_start
python3 - "$EXIM_PORT" > "$T/smtp.log" 2>&1 <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
    s.sendmail("sender@out.localdomain", ["smtp@good.test"], "Subject: smtp\r\n\r\nover SMTP\r\n")
PY
check "a message over SMTP is accepted" test $? -eq 0
check "and delivered by the daemon's own delivery process" wait_for 60 grep -q '=> smtp@good.test R=remote T=remote_smtp H=mx.good.test DS \[127.0.3.81\]:25 X=[^ ]* CV=yes' "$EXIM_LOG"
exim_stop

sed 's/^/# /' "$EXIM_LOG"
L() { exim_lines "$1"; }
like "$(L "$id_good")" "=> user@good.test R=remote T=remote_smtp H=mx.good.test DS \[127.0.3.81\]:25 X=TLS1.3:[^ ]+:256 CV=yes DN=\"CN=mx.good.test\" K C=\"250 " \
    "good: => with X=, CV=yes, DN= and DS"
like "$(L "$id_nostarttls")" "== user@nostarttls.test R=remote T=remote_smtp defer \(-38\) H=mx.nostarttls.test DS \[127.0.3.82\]:25: a TLS session is required, but the server did not offer TLS support" \
    "no STARTTLS under hosts_require_tls: defer (-38)"
like "$(L "$id_plain")" "=> user@plain.test R=remote T=remote_smtp H=mx.plain.test DS \[127.0.3.82\]:25 K C=\"250 " \
    "no STARTTLS, opportunistic: => without X="
for d in certexpired untrusted_mx selfsigned notyetvalid; do
	eval "id=\$id_$d"
	like "$(L "$id")" "== user@$(echo $d | tr _ -).test R=remote T=remote_smtp defer \(-37\) H=mx.$(echo $d | tr _ -).test DS \[127.0.3.8[0-9]\]:25: TLS session: \(certificate verification failed\): certificate invalid" \
	    "$d: defer (-37) with GnuTLS's one text for every CA-chain problem"
done
like "$(L "$id_wrongname")" "== user@wrongname.test R=remote T=remote_smtp defer \(-37\) H=mx.wrongname.test DS \[127.0.3.84\]:25: TLS session: \(certificate verification failed\)$" \
    "wrong name: defer (-37) with no reason at all"
like "$(L "$id_dane_good")" "=> user@dane-good.test R=remote T=remote_smtp H=mx.dane-good.test DS \[127.0.3.87\]:25 X=TLS1.3:[^ ]+:256 CV=dane DN=\"CN=mx.dane-good.test\"" \
    "DANE match: CV=dane"
like "$(L "$id_dane_bad")" "DANE attempt failed; TLS connection to mx.dane-bad.test \[127.0.3.88\]: \(certificate verification failed\): Verification failed. The certificate differs..* == user@dane-bad.test R=remote T=remote_smtp defer \(-37\) H=mx.dane-bad.test DS \[127.0.3.88\]:25: TLS session: \(certificate verification failed\): Verification failed. The certificate differs." \
    "DANE mismatch: the attempt and the deferral (-37)"
like "$(L "$id_tlsa_bogus")" "== user@tlsa-bogus.test R=remote T=remote_smtp defer \(-36\).*DANE error: tlsa lookup DEFER" \
    "TLSA lookup failing validation: defer (-36), DANE error: tlsa lookup DEFER"
like "$(L "$id_opportunistic")" "=> user@opportunistic.test R=remote T=remote_smtp H=mx.opportunistic.test DS \[127.0.3.83\]:25 X=TLS1.3:[^ ]+:256 CV=no " \
    "expired certificate, verification only tried: delivered with CV=no"
like "$(L "$id_multi")" "=> a@good.test .* -> b@good.test " "two recipients, one transaction: => then ->"
like "$(L "$id_cont1") $(L "$id_multi") $(L "$id_cont2")" "\[127.0.3.81\]:25\* X=" "a second message over the open connection: * after the port"

# every address line parses, with the fields the results need
"$top_builddir/t/logparse" -x 1741600000 < "$EXIM_LOG" > "$T/parsed.txt"
sed 's/^/# /' "$T/parsed.txt"
# pk KIND ID: the first line of that kind for message ID
pk() { grep -F " msgid=$2 " "$T/parsed.txt" | grep "^$1 " | head -n 1; }
like "$(pk delivered "$id_good")" "rcpt=<user@good.test> domain=good.test mx=mx.good.test addr=127.0.3.81 port=25 dnssec tls=TLS1.3:[^ ]+ cv=yes dn=\"CN=mx.good.test\" router=remote transport=remote_smtp text=\"250 " \
    "parsed: the verified delivery"
like "$(pk deferred "$id_certexpired")" "domain=certexpired.test mx=mx.certexpired.test addr=127.0.3.83 .*errno=-37 tlserr=cert-invalid text=\"TLS session: \(certificate verification failed\): certificate invalid\"" \
    "parsed: the certificate failure"
for d in untrusted_mx selfsigned notyetvalid; do
	eval "id=\$id_$d"
	like "$(pk deferred "$id")" "errno=-37 tlserr=cert-invalid " "parsed: $d, the same cert-invalid as the expired one"
done
like "$(pk host-error "$id_nostarttls") $(pk deferred "$id_nostarttls")" "^host-error .* mx=mx.nostarttls.test addr=127.0.3.82 port=25 tlserr=not-offered text=.* deferred .*errno=-38 tlserr=not-offered text=\"a TLS session is required, but the server did not offer TLS support\"" \
    "parsed: no STARTTLS, the host line and the deferral"
like "$(pk delivered "$id_plain")" "mx=mx.plain.test addr=127.0.3.82 port=25 dnssec router=remote" "parsed: clear text, no tls="
like "$(pk delivered "$id_dane_good")" "mx=mx.dane-good.test .* cv=dane" "parsed: DANE"
like "$(pk delivered "$id_opportunistic")" "mx=mx.opportunistic.test .*tls=TLS1.3:[^ ]+ cv=no" "parsed: TLS without verification"
like "$(grep -F -e " msgid=$id_cont1 " -e " msgid=$id_multi " -e " msgid=$id_cont2 " "$T/parsed.txt" | grep continued)" \
    "^delivered .* addr=127.0.3.81 port=25 dnssec continued tls=" "parsed: the continued connection"
like "$(pk delivered "$id_multi") / $(grep -F " msgid=$id_multi " "$T/parsed.txt" | grep ' more ')" "rcpt=<a@good.test> .* / delivered .* more rcpt=<b@good.test>" \
    "parsed: a further recipient of the same transaction"
like "$(pk dane-failed "$id_dane_bad")" "mx=mx.dane-bad.test addr=127.0.3.88 tlserr=dane-mismatch text=\"\(certificate verification failed\): Verification failed. The certificate differs. ?\"" \
    "parsed: the DANE failure"
like "$(pk deferred "$id_tlsa_bogus")" "domain=tlsa-bogus.test .*errno=-36 tlserr=tlsa-defer text=\".*DANE error: tlsa lookup DEFER" \
    "parsed: the TLSA lookup failure"
like "$(pk deferred "$id_wrongname")" "mx=mx.wrongname.test .*errno=-37 tlserr=cert-noreason text=\"TLS session: \(certificate verification failed\)\"$" \
    "parsed: the wrong name, with nothing to tell it from the others"
is "$(grep -c '^skip' "$T/parsed.txt")" 0 "no mainlog line is refused"

if [ -n "${EXIM_CAPTURE:-}" ]; then
	mkdir -p "$EXIM_CAPTURE"
	cp "$EXIM_LOG" "$EXIM_CAPTURE/mainlog"
	printf 'good=%s nostarttls=%s plain=%s certexpired=%s wrongname=%s untrusted=%s selfsigned=%s notyetvalid=%s danegood=%s danebad=%s tlsabogus=%s opportunistic=%s multi=%s cont=%s,%s\n' \
	    "$id_good" "$id_nostarttls" "$id_plain" "$id_certexpired" "$id_wrongname" "$id_untrusted_mx" \
	    "$id_selfsigned" "$id_notyetvalid" "$id_dane_good" "$id_dane_bad" "$id_tlsa_bogus" "$id_opportunistic" "$id_multi" "$id_cont1" "$id_cont2" \
	    > "$EXIM_CAPTURE/ids"
fi
pf_stop mx
done_testing
