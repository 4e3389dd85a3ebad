#!/bin/sh
# End to end with real Postfix, configured with contrib/postfix: a sending
# instance asks tlspolicyd (dane-only for a domain whose MX pins its
# certificate with TLSA 3 1 1) and delivers over verified TLS to a
# receiving instance on loopback; the same delivery to an MX whose
# certificate does not match the TLSA record is deferred.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/postfix.sh"
need_root
need nsd unbound ldns-signzone dig openssl postfix postconf sendmail unshare

# the receiving side: two MX addresses, a good and a wrong certificate
P=$T/pki
pki_ca "$P" ca
pki_leaf "$P" good ca mx.dane-good.test
pki_leaf "$P" bad ca mx.dane-bad.test
chmod 644 "$P"/*.key
GOOD=$(pki_spki "$P/good.crt")

WORLD_DNS53=127.0.53.90   # its own: tests run side by side
world_dns_up
world_dns_batch
world_mx dane-good.test 127.0.3.21
world_mx dane-bad.test 127.0.3.22
world_dns_set "_25._tcp.mx.dane-good.test. TLSA 3 1 1 $GOOD"
world_dns_set "_25._tcp.mx.dane-bad.test. TLSA 3 1 1 $GOOD"
world_dns_commit
world_resolv
check "port 53 of the test resolver validates" sh -c "dig +dnssec @$WORLD_DNS53 mx.dane-good.test A | grep -q 'flags:.* ad'"

world_conf <<C
dane = yes
socketmap_socket_mode = 0666
C
check "tlspolicyd starts" start_daemon
is "$(pm_q dane-good.test "unix:$T/run/postfix.sock:postfix")" "dane-only" "tlspolicyd answers dane-only"

pf_receiver mx "dane-good.test dane-bad.test"
postconf -c "$T/mx" -e "smtpd_tls_cert_file = $P/good.crt" "smtpd_tls_key_file = $P/good.key"
pf_listener mx 127.0.3.21
pf_listener mx 127.0.3.22 "$P/bad"
check "receiving Postfix starts" pf_start mx

# the sending side, configured with contrib/postfix/main.cf.snippet
pf_sender out
# a test queue retries within seconds, so a start-up race on either side
# costs a retry rather than the test
postconf -c "$T/out" -e "queue_run_delay = 1s" "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
check "sending Postfix starts (resolving through the test world)" pf_start out "$T/resolv.conf"

pf_send out sender@out.localdomain user@dane-good.test
check "delivery logged: Verified TLS connection established" \
    pf_wait out "Verified TLS connection established to mx.dane-good.test\[127.0.3.21\]:25"
check "delivered (status=sent)" pf_wait out "to=<user@dane-good.test>, relay=mx.dane-good.test.*status=sent"
check "the message is in the receiving Maildir" wait_for 10 sh -c "ls '$T/mail/box/new/' | grep -q ."

pf_send out sender@out.localdomain user@dane-bad.test
check "TLSA mismatch: deferred" pf_wait out "to=<user@dane-bad.test>, .*status=deferred"
# retried at least once, not merely waited for: a second deferral.  The
# queue is flushed once a second while waiting: Postfix alone may wait out
# its backoff (or skip a scan) longer than a busy machine gives the test.
deferred_twice() {
	_n=0
	while [ "$_n" -lt 30 ]; do
		[ "$(grep -c 'to=<user@dane-bad.test>, .*status=deferred' "$T/out/maillog")" -ge 2 ] && return 0
		pf_flush out
		wait_for 1 sh -c "[ \$(grep -c 'to=<user@dane-bad.test>, .*status=deferred' '$T/out/maillog') -ge 2 ]"
		_n=$((_n + 1))
	done
	return 1
}
check "TLSA mismatch: retried and deferred again" deferred_twice
check "TLSA mismatch: never sent" sh -c "! grep -q 'to=<user@dane-bad.test>, .*status=sent' '$T/out/maillog'"
like "$(grep 'dane-bad' "$T/out/maillog")" "(not verified|certificate verification failed|no matching TLSA)" "the deferral says the certificate did not match"
check "no mail for dane-bad.test was delivered" sh -c "[ \$(ls '$T/mail/box/new/' | wc -l) -eq 1 ]"
pf_stop out
pf_stop mx
done_testing
