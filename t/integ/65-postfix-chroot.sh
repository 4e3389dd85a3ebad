#!/bin/sh
# The setup README gives, as it is, with Debian's stock master.cf: smtp(8)
# chrooted into the queue directory.  tlspolicyd listens on its default
# socket, moved into this test Postfix's queue directory; main.cf gets
# README's lines verbatim.  Deliveries then carry the MTA-STS policy: a
# good MX is delivered to with a verified certificate, an MX whose
# certificate names another host is not delivered to (at Postfix's own
# "may" it would have been).
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/postfix.sh"
need_root
need nsd unbound ldns-signzone dig openssl python3 postfix postconf sendmail unshare

WORLD_DNS53=127.0.53.65   # its own: tests run side by side
world_dns_up
world_https_up
P=$T/pki
pki_leaf "$P" good ca mx.good.test
pki_leaf "$P" other ca mx.other.test
chmod 644 "$P"/*.key
world_dns_batch
for d in good wrongname; do
	world_sts "$d.test" 1 "$(world_sts_body enforce 86400 "mx.$d.test")"
done
world_mx good.test 127.0.3.65
world_mx wrongname.test 127.0.3.66
world_dns_commit
world_https_stop
world_https_start
printf 'nameserver %s\n' "$WORLD_DNS53" > "$T/resolv.conf"

# the receiving side
pf_receiver mx "good.test wrongname.test"
pf_listener mx 127.0.3.65 "$P/good"
pf_listener mx 127.0.3.66 "$P/other"
check "receiving Postfix starts" pf_start mx

# the sending side: Debian's master.cf as installed, README's main.cf lines
pf_instance out
cp /etc/postfix/master.cf "$T/out/master.cf"
postconf -c "$T/out" -M# smtp/inet
is "$(postconf -c "$T/out" -Mf smtp/unix | awk '{ print $5 }')" y "smtp(8) runs chrooted, as Debian's master.cf has it"
sed -n '/^    # \/etc\/postfix\/main.cf$/,/^$/p' "$top_srcdir/README" | sed -e 's/^    //' -e '/^#/d' -e '/^$/d' > "$T/readme.cf"
like "$(cat "$T/readme.cf")" "^smtp_tls_policy_maps = socketmap:unix:tlspolicyd/postfix.sock:postfix" "README has the main.cf lines"
cat "$T/readme.cf" >> "$T/out/main.cf"
# the test CA in place of the system's, and one attempt per message
postconf -c "$T/out" -e "smtp_tls_CAfile = $P/ca.crt" "inet_interfaces = 127.0.0.1" \
    "maximal_queue_lifetime = 0" "bounce_queue_lifetime = 0"
# what Debian's postfix service copies into the chroot before it starts
Q=$T/out/queue
mkdir -p "$Q/etc"
for f in localtime services hosts host.conf nsswitch.conf; do
	[ -e "/etc/$f" ] && cp "/etc/$f" "$Q/etc/"
done
cp "$T/resolv.conf" "$Q/etc/resolv.conf"

# the daemon: every default but the queue directory's place
world_conf <<C
socketmap_listen = unix:$Q/tlspolicyd/postfix.sock
mta_sts = yes
C
check "tlspolicyd starts" start_daemon
check "the daemon made its directory in the queue directory" test -S "$Q/tlspolicyd/postfix.sock"
check "sending Postfix starts" pf_start out "$T/resolv.conf"

pf_send out "<>" user@good.test
check "good.test: delivered" pf_wait out "to=<user@good.test>, relay=mx.good.test.*status=sent"
like "$(grep 'smtp\[.*mx.good.test' "$T/out/maillog")" "Verified TLS connection established to mx.good.test" \
    "good.test: the certificate was verified (the policy's secure level, not Postfix's may)"
pf_send out "<>" user@wrongname.test
check "wrongname.test: attempted" pf_wait out "to=<user@wrongname.test>, relay=mx.wrongname.test.*status=(sent|deferred|bounced)"
like "$(grep 'to=<user@wrongname.test>' "$T/out/maillog")" "status=(deferred|bounced).*(Server certificate not verified|certificate verification failed)" \
    "wrongname.test: not delivered to an MX whose certificate names another host"
if grep -q 'client TLS configuration problem\|socketmap.*lookup error' "$T/out/maillog"; then
	not_ok "no socketmap errors in the sending Postfix's log"
	grep 'client TLS configuration problem\|lookup error' "$T/out/maillog" | head -5 | sed 's/^/# /'
else
	ok "no socketmap errors in the sending Postfix's log"
fi
pf_stop out
pf_stop mx
done_testing
