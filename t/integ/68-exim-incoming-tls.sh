#!/bin/sh
# Incoming STARTTLS handshakes with Exim: Debian's Exim 4.96 (GnuTLS)
# configured with contrib/exim/exim.conf as shipped (paths substituted,
# STARTTLS offered with a certificate from the test CA through the
# MAIN_TLS_CERTIFICATE macro) takes connections from openssl s_client
# clients that reject its certificate (another CA: unknown_ca in TLS 1.2,
# other in TLS 1.3, where GnuTLS cannot read the client's alert; a wrong
# name: bad_certificate in TLS 1.2), ones that drop the connection in the
# handshake (eof), one that says nothing after STARTTLS (timeout), and
# ones that succeed: without mail (+smtp_no_mail), with three messages and
# a refused recipient in one connection, with a client certificate, with a
# refused recipient only.  tlspolicyd follows the mainlog and /metrics
# counts each handshake once under mta="exim", by outcome and reason; a
# restart of the daemon reads none of them again.  The Exim daemon holds
# no file descriptor of the test (exim_daemon, t/exim.sh) and is gone
# after exim_stop.  EXIM_CAPTURE=DIR keeps the mainlog (the golden inputs
# incoming-4.96* in t/data/logparse_exim come from such runs), and
# EXIM_LOG_SELECTOR replaces contrib's log_selector (MAIN_LOG_SELECTOR)
# for such a capture.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/exim.sh"
need_root
need openssl python3 promtool unshare apt-get dpkg

: > "$T/resolv.conf"
exim_setup "$T/resolv.conf" || { done_testing; exit 1; }
ok "private Exim $EXIM_VERSION"
EXIM_ADDR=127.0.3.68     # its own: tests run side by side

P=$T/pki
pki_ca "$P" ca
pki_ca "$P" other
pki_leaf "$P" mx ca mx.in.test
pki_leaf "$P" client ca client.test
chmod 644 "$P"/*.key

# contrib/exim/exim.conf with the site settings in its local include:
# STARTTLS with the test CA's certificate, client certificates asked for
# (CV=, DN=), a short receive timeout (the timeout case), mail only
# queued (no deliveries in this test)
cat > "$EXIM_DIR/local.conf" <<L
$(exim_private)
local_interfaces = $EXIM_ADDR
MAIN_TLS_CERTIFICATE = $P/mx.crt
MAIN_TLS_PRIVATEKEY = $P/mx.key
tls_try_verify_hosts = *
tls_verify_certificates = $P/ca.crt
smtp_receive_timeout = 2s
queue_only = true
${EXIM_LOG_SELECTOR:+MAIN_LOG_SELECTOR = $EXIM_LOG_SELECTOR}
L
chmod 644 "$EXIM_DIR/local.conf"
sed -e "s|/etc/exim/local.conf|$EXIM_DIR/local.conf|" -e "s|/run/tlspolicyd/exim.sock|$T/run/exim.sock|" \
    -e "s|/var/mail/|$EXIM_DIR/mail/|" "$top_srcdir/contrib/exim/exim.conf" > "$EXIM_DIR/exim.conf"
chmod 644 "$EXIM_DIR/exim.conf"
exim -bV > "$T/exim-bV2.log" 2>&1
check "exim accepts contrib/exim/exim.conf with STARTTLS on" test $? -eq 0
is "$(exim -bP log_selector tls_advertise_hosts 2>&1 | tr '\n' ' ')" \
    "log_selector = ${EXIM_LOG_SELECTOR:-+tls_peerdn +tls_certificate_verified +tls_sni +outgoing_port +dnssec +pid +smtp_no_mail} tls_advertise_hosts = * " \
    "contrib's log_selector (+pid +smtp_no_mail); STARTTLS offered with MAIN_TLS_CERTIFICATE"

hp=$(free_port)
write_conf <<C
http_listen = 127.0.0.1:$hp
log_source = $EXIM_LOG
C
# the daemon reads the mainlog as nobody (on Debian: a member of adm)
: >> "$EXIM_LOG"
chown "$EXIM_UID:$EXIM_UID" "$EXIM_LOG"
chmod 644 "$EXIM_LOG"
check "daemon starts" start_daemon
H="http://127.0.0.1:$hp"

# a descriptor of the test's shell (as flock's lock is of make check's):
# the Exim daemon must not hold it
exec 8>> "$T/held"
check "the Exim daemon listens on $EXIM_ADDR" exim_daemon
exec 8>&-
is "$(cat "$EXIM_DIR/exim.pid")" "$EXIM_PID" "EXIM_PID is the daemon's own pid (its pid file)"
is "$(ls -l "/proc/$EXIM_PID/fd" | grep -c "$T/held")" 0 "the daemon holds no descriptor of the test"
XPID=$EXIM_PID

scrape() {
	python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())' \
	    "$H/metrics"
}
# hs OUTCOME REASON: the count of Exim's handshakes in a fresh scrape
hs() {
	scrape | awk -v k="tlspolicyd_incoming_handshakes_total{mta=\"exim\",outcome=\"$1\",reason=\"$2\"}" \
	    '$1 == k { print $2 }'
}
# total [MTA]: all handshakes of an MTA (exim)
total() {
	scrape | awk -v m="${1:-exim}" 'index($1, "tlspolicyd_incoming_handshakes_total{mta=\"" m "\"") == 1 { n += $2 } END { print n + 0 }'
}
total_is() { [ "$(total)" = "$1" ]; }

# sc S_CLIENT-ARGS...: one STARTTLS session, QUIT after the handshake
sc() {
	printf 'QUIT\r\n' | timeout 20 openssl s_client -connect "$EXIM_ADDR:$EXIM_PORT" -starttls smtp \
	    -name client.test -quiet -verify_return_error "$@" >/dev/null 2>&1
}
# smtp HOW: a client after STARTTLS; drop: closes the connection at once
# (eof), hello: sends its ClientHello, then closes (eof), silent: says
# nothing for 4 s (Exim's 2 s timeout)
smtp() {
	python3 - "$EXIM_ADDR" "$EXIM_PORT" "$1" <<'PY'
import socket, ssl, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline()
        if not line or line[3:4] != b"-":
            return line
reply()
s.sendall(b"EHLO client.test\r\n"); reply()
s.sendall(b"STARTTLS\r\n")
assert reply().startswith(b"220")
if sys.argv[3] == "hello":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    out = ssl.MemoryBIO()
    tls = ctx.wrap_bio(ssl.MemoryBIO(), out)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    s.sendall(out.read())
    time.sleep(0.3)
elif sys.argv[3] == "silent":
    time.sleep(4)
s.close()
PY
}
# mail [CERT] [tls|plain] RCPT...: one connection, STARTTLS (with a client
# certificate CERT, or none: "-"), one message per recipient that Exim
# accepts; "plain": no STARTTLS
mail() {
	python3 - "$EXIM_ADDR" "$EXIM_PORT" "$P" "$@" <<'PY'
import smtplib, ssl, sys
addr, port, pki, cert, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
with smtplib.SMTP(addr, port, local_hostname="client.test", timeout=30) as s:
    if mode == "tls":
        ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
        ctx.check_hostname = False
        if cert != "-":
            ctx.load_cert_chain(pki + "/" + cert + ".crt", pki + "/" + cert + ".key")
        s._host = "mx.in.test"   # SNI
        s.starttls(context=ctx)
        s.ehlo("client.test")
    for i, rcpt in enumerate(sys.argv[6:]):
        # a sender and a subject with words like Exim's fields
        sender = "a@client.test" if i == 0 else '"x X=FAKE:0 S=1"@client.test'
        try:
            s.sendmail(sender, [rcpt], "Subject: X=FAKE:1 %d\r\nMessage-ID: <x X=FAKE:2@client.test>\r\n\r\nm\r\n" % i)
        except smtplib.SMTPRecipientsRefused:
            pass
PY
}

is "$(total)" 0 "no handshakes counted before any"
# failures: TLS 1.2: 2 x unknown_ca, 1 x bad_certificate; TLS 1.3: the
# same refusals are "Decryption has failed.": 2 x other; 2 x eof, 1 x timeout
sc -tls1_2 -CAfile "$P/other.crt"
sc -tls1_2 -CAfile "$P/other.crt"
sc -tls1_2 -CAfile "$P/ca.crt" -verify_hostname wrong.in.test
sc -tls1_3 -CAfile "$P/other.crt"
sc -tls1_3 -CAfile "$P/ca.crt" -verify_hostname wrong.in.test
smtp drop
smtp hello
smtp silent
# successes: 5 connections
check "a TLS 1.2 client that trusts the CA succeeds (no mail)" sc -tls1_2 -CAfile "$P/ca.crt" -verify_hostname mx.in.test
check "... and a TLS 1.3 one" sc -tls1_3 -CAfile "$P/ca.crt" -verify_hostname mx.in.test
check "three messages and a refused recipient in one TLS connection" \
    mail - tls nobody@out.localdomain nosuchuser@out.localdomain nobody@out.localdomain nobody@out.localdomain
check "a message from a client with a certificate" mail client tls nobody@out.localdomain
check "a TLS connection whose only recipient is refused" mail - tls nosuchuser@out.localdomain
check "a message without STARTTLS (no handshake)" mail - plain nobody@out.localdomain
check "Exim logged every connection" wait_for 30 sh -c \
    "[ \$(grep -c -e ' TLS error on connection from ' -e ' <= ' -e ' rejected RCPT ' -e ' no MAIL in ' '$EXIM_LOG') -ge 24 ]"

check "all 13 handshakes counted" wait_for 30 total_is 13
is "$(hs failure unknown_ca)" 2 "another CA, TLS 1.2: unknown_ca"
is "$(hs failure bad_certificate)" 1 "a wrong name, TLS 1.2: bad_certificate"
is "$(hs failure other)" 2 "either refusal in TLS 1.3 (\"Decryption has failed.\"): other"
is "$(hs failure eof)" 2 "dropped in the handshake: eof"
is "$(hs failure timeout)" 1 "nothing said after STARTTLS: timeout"
is "$(hs success none)" 5 "five connections with TLS: each once, whatever its messages and refusals"
is "$(total postfix)" 0 "nothing counted for Postfix"
is "$(scrape | grep -c '^tlspolicyd_incoming_handshakes_total{mta="exim",')" 19 \
    "one series per outcome and reason, none per client"
scrape > "$T/scrape"
check "promtool check metrics passes" sh -c "promtool check metrics < '$T/scrape'"
# the lines counted, in the words the parser expects
is "$(grep -c ' TLS error on connection from .* (gnutls_handshake): ' "$EXIM_LOG")" 8 "Exim logged 8 handshake errors"
like "$(grep ' <= "x X=FAKE:0 S=1"@client.test ' "$EXIM_LOG")" ' P=esmtps X=TLS1\.[23]:[^ ]+ CV=no SNI=mx\.in\.test S=' \
    "a sender with a fake X= in quotes, the real X= after P="
like "$(grep ' <= a@client.test .* CV=yes ' "$EXIM_LOG")" ' X=TLS1\.[23]:[^ ]+ CV=yes DN="CN=client\.test" ' \
    "the client certificate: CV=yes DN="
TZ=UTC "$top_builddir/t/logparse" -x "$(date +%s)" < "$EXIM_LOG" > "$T/parsed.txt"
is "$(grep -c '^in-tls-failed ' "$T/parsed.txt")" 8 "parsed: 8 handshake failures"
is "$(grep '^received .*rcpt=<a@client.test>' "$T/parsed.txt" | grep -c ' tls=TLS1\.[23]:')" 2 \
    "parsed: the messages over TLS with their cipher"
is "$(grep '^received ' "$T/parsed.txt" | grep -c 'tls=FAKE')" 0 "parsed: no cipher from a sender or subject"

# a restart: the position is kept, the log is not counted again
stop_daemon
ready=$(grep -c "log $EXIM_LOG: following" "$T/daemon.log")
check "daemon restarts" start_daemon
wait_for 10 sh -c "[ \$(grep -c 'log $EXIM_LOG: following' '$T/daemon.log') -gt $ready ]"
is "$(total)" 0 "after a restart nothing is counted again"
sc -tls1_2 -CAfile "$P/other.crt"
mail - tls nobody@out.localdomain nobody@out.localdomain
check "after a restart only the 2 new handshakes are counted" wait_for 30 total_is 2
is "$(hs failure unknown_ca)" 1 "... the new unknown_ca"
is "$(hs success none)" 1 "... and one success for the new connection's two messages"
sleep 1
is "$(total)" 2 "... exactly once"

exim_stop
check "exim_stop: the daemon is gone" sh -c "! kill -0 $XPID 2>/dev/null"
is "$(ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c "$T/held")" 0 "no process holds the test's descriptor"

if [ -n "${EXIM_CAPTURE:-}" ]; then
	mkdir -p "$EXIM_CAPTURE"
	cp "$EXIM_LOG" "$EXIM_CAPTURE/mainlog"
fi
stop_daemon
done_testing
