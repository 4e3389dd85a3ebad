#!/bin/sh
# Incoming STARTTLS handshakes: a real Postfix smtpd with certificates from
# the test CA (one listener at smtpd_tls_loglevel 0, one at 1, one with an
# expired certificate) takes connections from openssl s_client clients
# that reject its certificate (another CA: unknown_ca; a wrong name:
# bad_certificate; expired: certificate_expired), one that drops the
# connection in the handshake (eof) and ones that succeed.  tlspolicyd
# follows the smtpd's log and /metrics counts each handshake once, by
# outcome and reason; a restart of the daemon reads none of them again.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/postfix.sh"
need_root
need openssl python3 postfix postconf promtool

P=$T/pki
pki_ca "$P" ca
pki_ca "$P" other
pki_leaf "$P" mx ca mx.in.test
pki_leaf "$P" old ca mx.in.test expired
chmod 644 "$P"/*.key

pf_instance in
postconf -c "$T/in" -e "inet_interfaces = all" "smtpd_tls_security_level = may" \
    "smtpd_tls_cert_file = $P/mx.crt" "smtpd_tls_key_file = $P/mx.key"
postconf -c "$T/in" -M# smtp/inet
# loglevel 0 (Postfix's default: no "TLS connection established" line),
# loglevel 1, and an expired certificate
postconf -c "$T/in" -M "127.0.3.131:smtp/inet=127.0.3.131:smtp inet n - n - - smtpd -o smtpd_tls_loglevel=0"
postconf -c "$T/in" -M "127.0.3.132:smtp/inet=127.0.3.132:smtp inet n - n - - smtpd -o smtpd_tls_loglevel=1"
postconf -c "$T/in" -M "127.0.3.133:smtp/inet=127.0.3.133:smtp inet n - n - - smtpd -o smtpd_tls_cert_file=$P/old.crt -o smtpd_tls_key_file=$P/old.key"
check "the receiving Postfix starts" pf_start in
touch "$T/in/maillog"

hp=$(free_port)
write_conf <<C
http_listen = 127.0.0.1:$hp
log_source = $T/in/maillog
C
check "daemon starts" start_daemon
H="http://127.0.0.1:$hp"

scrape() {
	python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())' \
	    "$H/metrics"
}
# hs OUTCOME REASON: the count of the Postfix handshakes in a fresh scrape
hs() {
	scrape | awk -v k="tlspolicyd_incoming_handshakes_total{mta=\"postfix\",outcome=\"$1\",reason=\"$2\"}" \
	    '$1 == k { print $2 }'
}
total() {
	scrape | awk '/^tlspolicyd_incoming_handshakes_total\{mta="postfix"/ { n += $2 } END { print n + 0 }'
}
total_is() { [ "$(total)" = "$1" ]; }

# sc ADDRESS S_CLIENT-ARGS...: one STARTTLS session, QUIT after the handshake
sc() {
	_a=$1
	shift
	printf 'QUIT\r\n' | timeout 20 openssl s_client -connect "$_a:25" -starttls smtp -quiet \
	    -verify_return_error "$@" >/dev/null 2>&1
}
# drop ADDRESS: STARTTLS, then the connection closed before the handshake
# is over (after half a ClientHello)
drop() {
	python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 25), timeout=20)
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
s.sendall(b"\x16\x03\x01\x00\xc8\x01\x00")
s.close()
PY
}

is "$(total)" 0 "no handshakes counted before any"

# failures: 3 x unknown_ca, 2 x bad_certificate (wrong name), 1 x
# certificate_expired, 2 x eof; successes: 2 at loglevel 0, 1 at 1
for i in 1 2; do sc 127.0.3.131 -CAfile "$P/other.crt"; done
sc 127.0.3.132 -CAfile "$P/other.crt"
sc 127.0.3.131 -CAfile "$P/ca.crt" -verify_hostname wrong.in.test
sc 127.0.3.132 -CAfile "$P/ca.crt" -verify_hostname wrong.in.test
sc 127.0.3.133 -CAfile "$P/ca.crt" -verify_hostname mx.in.test
drop 127.0.3.131
drop 127.0.3.132
check "a client that trusts the CA succeeds (loglevel 0)" sc 127.0.3.131 -CAfile "$P/ca.crt" -verify_hostname mx.in.test
sc 127.0.3.131 -CAfile "$P/ca.crt" -verify_hostname mx.in.test
check "... and at loglevel 1" sc 127.0.3.132 -CAfile "$P/ca.crt" -verify_hostname mx.in.test
pf_wait in 'smtpd\[[0-9]+\]: disconnect from .*starttls=1 .*' 30
check "all 11 handshakes counted" wait_for 30 total_is 11
is "$(hs failure unknown_ca)" 3 "another CA: unknown_ca"
is "$(hs failure bad_certificate)" 2 "a wrong name: bad_certificate"
is "$(hs failure certificate_expired)" 1 "an expired certificate: certificate_expired"
is "$(hs failure eof)" 2 "a dropped handshake: eof"
is "$(hs success none)" 3 "successes at loglevel 0 and 1, each once"
is "$(hs failure other)" 0 "nothing unexplained"
is "$(scrape | grep -c '^tlspolicyd_incoming_handshakes_total{mta="postfix",')" 19 "one series per outcome and reason, none per client"
is "$(scrape | awk '/^tlspolicyd_incoming_handshakes_total\{mta="exim"/ { n += $2 } END { print n + 0 }')" 0 \
    "nothing counted for Exim"
scrape > "$T/scrape"
check "promtool check metrics passes" sh -c "promtool check metrics < '$T/scrape'"
# the log has the lines counted, in the words the parser expects
like "$(grep -c 'SSL_accept error from' "$T/in/maillog")" '^8$' "smtpd logged 8 SSL_accept errors"

# a restart: the position is kept, the log is not counted again
stop_daemon
check "daemon restarts" start_daemon
following() { grep -q "log $T/in/maillog: following" "$T/daemon.log"; }
wait_for 10 following
sc 127.0.3.131 -CAfile "$P/other.crt"
check "after a restart only the new handshake is counted" wait_for 30 total_is 1
is "$(hs failure unknown_ca)" 1 "... the new unknown_ca"
is "$(hs success none)" 0 "... and none of the earlier successes again"

done_testing
