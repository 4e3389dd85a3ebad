#!/bin/sh
# Exim 4.96 configured with contrib/exim/exim.conf as shipped (only paths
# substituted; site settings in the file its .include_if_exists names)
# delivers to the test world with tlspolicyd's decisions: an MTA-STS
# enforce domain with a good MX is delivered with a verified certificate;
# one whose MX has a certificate for another name, or an expired one, or
# an MX the policy does not list, is deferred; a testing domain is
# delivered as before; a report (TLS-Required: No) is not held by the
# policy; with the daemon stopped, mail goes out fail-open through
# R=tlspolicy_unavailable.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/postfix.sh"
. "$top_srcdir/t/exim.sh"
need_root
need nsd unbound unbound-control ldns-signzone dig openssl python3 postfix postconf unshare apt-get dpkg

: > "$T/resolv.conf"
exim_setup "$T/resolv.conf" || { done_testing; exit 1; }
ok "private Exim $EXIM_VERSION"

# the plain exim.conf repeats the conf.d files verbatim
C=$top_srcdir/contrib/exim
for f in main/00_tlspolicyd acl/70_tlspolicyd router/150_tlspolicyd transport/30_tlspolicyd; do
	sed -n "/^# --- begin conf.d\/${f%%/*}\/${f#*/} ---\$/,/^# --- end conf.d\/${f%%/*}\/${f#*/} ---\$/p" "$C/exim.conf" |
	    sed '1d;$d' > "$T/block"
	check "exim.conf holds conf.d/$f verbatim" cmp -s "$T/block" "$C/conf.d/$f"
done

WORLD_DNS53=127.0.53.87   # its own: tests run side by side
world_dns_up
world_https_up
P=$T/pki
pki_leaf "$P" stsgood ca mx.sts-good.test
pki_leaf "$P" stswild ca mx.sts-wild.test
pki_leaf "$P" stsother ca mx.other.test
pki_leaf "$P" stsexpired ca mx.sts-expired.test expired
pki_leaf "$P" stsbadmx ca mx.sts-badmx.test
pki_leaf "$P" ststesting ca mx.other.test
chmod 644 "$P"/*.key
world_dns_batch
mx() {   # mx DOMAIN ADDRESS
	world_dns_set "$1. MX 10 mx.$1."
	world_dns_set "mx.$1. A $2"
}
pol() {  # pol MODE MX...
	_m=$1
	shift
	printf 'version: STSv1\nmode: %s\n' "$_m"
	for _x in "$@"; do printf 'mx: %s\n' "$_x"; done
	printf 'max_age: 86400\n'
}
mx sts-good.test 127.0.3.91
mx sts-wild.test 127.0.3.92
mx sts-wrongname.test 127.0.3.93
mx sts-expired.test 127.0.3.94
mx sts-badmx.test 127.0.3.95
mx sts-testing.test 127.0.3.96
mx nopolicy.test 127.0.3.91
world_sts sts-good.test 1 "$(pol enforce mx.sts-good.test)"
world_sts sts-wild.test 1 "$(pol enforce '*.sts-wild.test')"
world_sts sts-wrongname.test 1 "$(pol enforce mx.sts-wrongname.test)"
world_sts sts-expired.test 1 "$(pol enforce mx.sts-expired.test)"
world_sts sts-badmx.test 1 "$(pol enforce mx.elsewhere.test '*.mx.sts-badmx.test')"
world_sts sts-testing.test 1 "$(pol testing mx.sts-testing.test)"
world_dns_commit
world_https_stop
world_https_start
printf 'nameserver %s\noptions trust-ad\n' "$WORLD_DNS53" > "$T/resolv.conf"

# the receiving side: one Postfix, a listener per kind of MX
pf_instance mx
mkdir -p "$T/mail"
chown nobody "$T/mail"
postconf -c "$T/mx" -e "inet_interfaces = all" \
    "virtual_mailbox_domains = sts-good.test sts-wild.test sts-wrongname.test sts-expired.test sts-badmx.test sts-testing.test nopolicy.test" \
    "virtual_mailbox_base = $T/mail" "virtual_mailbox_maps = static:box/" \
    "virtual_uid_maps = static:$(id -u nobody)" "virtual_gid_maps = static:$(id -g nobody)" \
    "smtpd_tls_security_level = may"
postconf -c "$T/mx" -M# smtp/inet
listener() {   # listener ADDRESS CERT
	postconf -c "$T/mx" -M "$1:smtp/inet=$1:smtp inet n - n - - smtpd -o smtpd_tls_cert_file=$P/$2.crt -o smtpd_tls_key_file=$P/$2.key"
}
listener 127.0.3.91 stsgood
listener 127.0.3.92 stswild
listener 127.0.3.93 stsother
listener 127.0.3.94 stsexpired
listener 127.0.3.95 stsbadmx
listener 127.0.3.96 ststesting
check "receiving Postfix starts" pf_start mx

# tlspolicyd with the Exim listener, socket mode 0660 (the default)
write_conf <<W
exim_listen = unix:$T/run/exim.sock
mta_sts = yes
dane = yes
dns_resolver = $WORLD_DNS
sts_ca_file = $WORLD_CA
sts_https_port = $WORLD_HTTPS_PORT
sts_fetch_timeout = 3s
lookup_timeout = 5s
W
check "daemon starts" start_daemon

# Exim from contrib/exim/exim.conf: paths substituted, site settings in
# the local include
cat > "$EXIM_DIR/local.conf" <<L
$(exim_private)
TLSPOLICY_CA = $P/ca.crt
L
chmod 644 "$EXIM_DIR/local.conf"
sed -e "s|/etc/exim/local.conf|$EXIM_DIR/local.conf|" -e "s|/run/tlspolicyd/exim.sock|$T/run/exim.sock|" \
    -e "s|/var/mail/|$EXIM_DIR/mail/|" "$C/exim.conf" > "$EXIM_DIR/exim.conf"
chmod 644 "$EXIM_DIR/exim.conf"
exim -bV > "$T/exim-bV2.log" 2>&1
check "exim accepts the configuration" test $? -eq 0
sed 's/^/# /' "$T/exim-bV2.log" | grep -i -e error -e 'not' | head -5

L() { exim_lines "$1"; }
send() {   # send DOMAIN: queue one message, one delivery attempt
	_id=$(exim_send sender@out.localdomain "user@$1") || return 1
	exim_deliver_now "$_id" || return 1
	echo "$_id"
}
# Exim routes as Debian-exim (a user only its namespace knows, so the
# daemon cannot name its group): the socket's group is not Exim's yet, so
# Exim cannot connect and fails open, visibly; with the socket's group
# Debian-exim's, mode 0660 lets it in
id_perm=$(send sts-good.test)
like "$(L "$id_perm")" "=> user@sts-good.test R=tlspolicy_unavailable T=remote_smtp " \
    "socket 0660 of another group: Exim (Debian-exim) cannot ask, delivers fail-open"
chgrp "$EXIM_UID" "$T/run/exim.sock"
id_good=$(send sts-good.test)
id_wild=$(send sts-wild.test)
id_wrongname=$(send sts-wrongname.test)
id_expired=$(send sts-expired.test)
id_badmx=$(send sts-badmx.test)
id_testing=$(send sts-testing.test)
id_none=$(send nopolicy.test)
# a TLSRPT report: TLS-Required: No (RFC 8689) takes it out of the policy
printf 'From: sender@out.localdomain\nTLS-Required: No\nSubject: report\n\nreport\n' |
    exim -odq -f sender@out.localdomain tlsrpt@sts-wrongname.test > "$T/exim-send.log" 2>&1
wait_for 10 sh -c "grep -q '<= .*tlsrpt@sts-wrongname.test\|for tlsrpt@sts-wrongname.test' '$EXIM_LOG'"
id_report=$(exim_ids | tail -n 1)
exim_deliver_now "$id_report"

like "$(L "$id_good")" "=> user@sts-good.test R=tlspolicy_enforce T=remote_smtp_tlspolicy H=mx.sts-good.test DS \[127.0.3.91\]:25 X=TLS[^ ]+ CV=yes " \
    "enforce, good MX: delivered through the policy transport, certificate verified"
like "$(L "$id_wild")" "=> user@sts-wild.test R=tlspolicy_enforce T=remote_smtp_tlspolicy H=mx.sts-wild.test .* CV=yes " \
    "enforce with a *. pattern: delivered, verified"
like "$(L "$id_wrongname")" "== user@sts-wrongname.test R=tlspolicy_enforce T=remote_smtp_tlspolicy defer \(-37\) H=mx.sts-wrongname.test .*certificate verification failed" \
    "enforce, MX certificate for another name: deferred"
like "$(L "$id_expired")" "== user@sts-expired.test R=tlspolicy_enforce T=remote_smtp_tlspolicy defer \(-37\) H=mx.sts-expired.test .*certificate invalid" \
    "enforce, expired MX certificate: deferred"
like "$(L "$id_badmx")" "== user@sts-badmx.test R=tlspolicy_enforce_nomx defer \(-[0-9]+\): no MX host of sts-badmx.test matches its MTA-STS policy" \
    "enforce, MX not in the policy (mx.sts-badmx.test vs *.mx.sts-badmx.test): deferred, never contacted"
check "the unlisted MX was never contacted" sh -c "! grep ' $id_badmx ' '$EXIM_LOG' | grep -q 'H=mx.sts-badmx.test'"
# the transport's tcp:connect check alone, with the router's filter
# removed: the unlisted MX is refused before any connection
cp "$EXIM_DIR/exim.conf" "$T/exim.conf.shipped"
sed '/ignore_target_hosts = TLSPOLICY_MX_IGNORE/d' "$T/exim.conf.shipped" > "$EXIM_DIR/exim.conf"
check "the router's MX filter removed for this check" sh -c "! cmp -s '$T/exim.conf.shipped' '$EXIM_DIR/exim.conf'"
id_backup=$(send sts-badmx.test)
like "$(L "$id_backup")" "H=mx.sts-badmx.test \[127.0.3.95\]:25 Event requests alternate response .*== user@sts-badmx.test R=tlspolicy_enforce T=remote_smtp_tlspolicy defer \(-58\)" \
    "without the router's filter, the tcp:connect event refuses the unlisted MX"
check "and no TLS session was started with it" sh -c "! grep ' $id_backup ' '$EXIM_LOG' | grep -q 'tlspolicyd: cert\|X=TLS'"
cp "$T/exim.conf.shipped" "$EXIM_DIR/exim.conf"
like "$(L "$id_testing")" "=> user@sts-testing.test R=tlspolicy_testing T=remote_smtp_tlspolicy_testing H=mx.sts-testing.test .* CV=no " \
    "testing, MX certificate for another name: delivered as before (CV=no)"
like "$(L "$id_testing")" "tlspolicyd: cert H=mx.sts-testing.test \\[127.0.3.96\\] depth=0 notbefore=\"[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]{8} [0-9]{4} UTC\" notafter=\"[^\"]+\" names=$(printf 'DNS=mx.other.test' | base64)( |\$)" \
    "the event ACL logs the certificate's dates and names (base64) for the counts"
like "$(L "$id_none")" "=> user@nopolicy.test R=dnslookup T=remote_smtp H=mx.nopolicy.test " "no policy: delivered as before"
like "$(L "$id_report")" "=> tlsrpt@sts-wrongname.test R=dnslookup T=remote_smtp " \
    "a report with TLS-Required: No to an enforce domain with a bad MX: delivered"

# Debian's own configuration, built by its update-exim4.conf (from the
# exim4-config package) with the contrib/exim files added as they are:
# split (conf.d) and single template.  Routing is checked with exim -bt
# (routers only, nothing delivered) in a namespace whose /var/spool and
# /var/log are private, as Debian's configuration names those.
deb_ns() {
	unshare --mount --propagation private sh -c '
		mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group &&
		    mount --bind "$3" /etc/resolv.conf && mount -t tmpfs none /var/spool &&
		    mount -t tmpfs none /var/log || exit 111
		shift 3
		exec "$@"' sh "$EXIM_DIR/passwd" "$EXIM_DIR/group" "$EXIM_RESOLV" "$@"
}
# with the log selectors as contrib/exim/README says (section 3)
DEB_SELECTOR="+smtp_protocol_error +smtp_syntax_error +tls_certificate_verified +tls_peerdn +pid +smtp_no_mail"
deb_macros() {
	printf 'TLSPOLICY_SOCKET = %s\nTLSPOLICY_CA = %s\nSPOOLDIR = %s\nMAIN_LOG_SELECTOR = %s\n' "$T/run/exim.sock" \
	    "$P/ca.crt" "$EXIM_DIR/spool" "$DEB_SELECTOR"
}
for layout in split template; do
	UE=$T/etc-exim4-$layout
	cp -a "$EXIM_ROOT/etc/exim4" "$UE"
	if [ $layout = split ]; then
		cp "$C/conf.d/main/00_tlspolicyd" "$UE/conf.d/main/"
		cp "$C/conf.d/acl/70_tlspolicyd" "$UE/conf.d/acl/"
		cp "$C/conf.d/router/150_tlspolicyd" "$UE/conf.d/router/"
		cp "$C/conf.d/transport/30_tlspolicyd" "$UE/conf.d/transport/"
		deb_macros > "$UE/conf.d/main/000_localmacros"
	else
		# as contrib/exim/README says: main block near the top, the ACL
		# after "begin acl", routers right before the primary (dnslookup)
		# router, transports after "begin transports"
		deb_macros > "$T/deb-macros"
		awk -v m="$C/conf.d/main/00_tlspolicyd" -v r="$C/conf.d/router/150_tlspolicyd" \
		    -v t="$C/conf.d/transport/30_tlspolicyd" -v a="$C/conf.d/acl/70_tlspolicyd" -v lm="$T/deb-macros" '
			function put(f,  l) { while ((getline l < f) > 0) print l; close(f) }
			NR == 1 { put(lm); put(m) }
			/^### router\/200_exim4-config_primary$/ && !rdone { put(r); rdone = 1 }
			{ print }
			/^begin acl$/ { put(a) }
			/^begin transports$/ { put(t) }' \
		    "$EXIM_ROOT/etc/exim4/exim4.conf.template" > "$UE/exim4.conf.template"
	fi
	cat > "$UE/update-exim4.conf.conf" <<U
dc_eximconfig_configtype='internet'
dc_other_hostnames=''
dc_local_interfaces='127.0.0.1'
dc_readhost=''
dc_relay_domains=''
dc_minimaldns='false'
dc_relay_nets=''
dc_smarthost=''
CFILEMODE='644'
dc_use_split_config='$([ $layout = split ] && echo true || echo false)'
dc_hide_mailname=''
dc_mailname_in_oh='true'
dc_localdelivery='mail_spool'
U
	deb_ns bash "$EXIM_ROOT/usr/sbin/update-exim4.conf" -d "$UE" -o "$T/exim4.$layout.conf" \
	    > "$T/update-$layout.log" 2>&1
	check "Debian $layout: update-exim4.conf builds the configuration" test -s "$T/exim4.$layout.conf"
	chmod 644 "$T/exim4.$layout.conf"
	bt() { deb_ns env LD_LIBRARY_PATH="$EXIM_LIBS" "$EXIM_BIN" -C "$T/exim4.$layout.conf" -bt "$1" 2>&1; }
	like "$(bt user@sts-good.test)" "router = tlspolicy_enforce, transport = remote_smtp_tlspolicy .*host mx.sts-good.test \[127.0.3.91\]" \
	    "Debian $layout: enforce domain routed by tlspolicy_enforce to the policy transport"
	like "$(bt user@sts-badmx.test)" "no MX host of sts-badmx.test matches its MTA-STS policy" \
	    "Debian $layout: enforce domain without a matching MX: deferred"
	like "$(bt user@sts-testing.test)" "router = tlspolicy_testing, transport = remote_smtp_tlspolicy_testing" \
	    "Debian $layout: testing domain routed by tlspolicy_testing"
	# (Debian's dnslookup ignores loopback MX addresses, the test world's:
	# reaching it is what counts here)
	like "$(bt user@nopolicy.test)" "R: tlspolicy_unavailable for .*R: dnslookup for user@nopolicy.test" \
	    "Debian $layout: a domain without a policy passed on to Debian's dnslookup router as before"
	check "Debian $layout: the event ACL is in the configuration" grep -q '^tlspolicyd_event:' "$T/exim4.$layout.conf"
	is "$(deb_ns env LD_LIBRARY_PATH="$EXIM_LIBS" "$EXIM_BIN" -C "$T/exim4.$layout.conf" -bP log_selector 2>&1)" \
	    "log_selector = $DEB_SELECTOR" "Debian $layout: MAIN_LOG_SELECTOR sets the log selectors (+pid +smtp_no_mail)"
done

# the daemon hung (stopped with SIGSTOP: connections are accepted by the
# kernel, nothing answers): each ask times out after 3 s, then fail open
kill -STOP "$DPID"
id_hung=$(send sts-wrongname.test)
kill -CONT "$DPID"
like "$(L "$id_hung")" "=> user@sts-wrongname.test R=tlspolicy_unavailable T=remote_smtp " \
    "daemon hung: delivered fail-open after the readsocket timeouts, R=tlspolicy_unavailable"

# the daemon stopped: fail open, every such delivery marked by its router
stop_daemon
id_down=$(send sts-good.test)
like "$(L "$id_down")" "=> user@sts-good.test R=tlspolicy_unavailable T=remote_smtp H=mx.sts-good.test " \
    "daemon stopped: delivered fail-open, R=tlspolicy_unavailable in the mainlog"
id_down2=$(send sts-wrongname.test)
like "$(L "$id_down2")" "=> user@sts-wrongname.test R=tlspolicy_unavailable T=remote_smtp .* CV=no " \
    "daemon stopped: the enforce domain with a bad certificate goes out too (documented fail-open)"

# a stale socket file that nobody listens on (a daemon killed with
# SIGKILL): connection refused, fail open
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/run/exim.sock"
chmod 666 "$T/run/exim.sock"
id_stale=$(send sts-good.test)
like "$(L "$id_stale")" "=> user@sts-good.test R=tlspolicy_unavailable T=remote_smtp " \
    "stale socket, connection refused: delivered fail-open"
rm -f "$T/run/exim.sock"

# fail closed when chosen: TLSPOLICY_DEFER_WHEN_UNAVAILABLE
echo "TLSPOLICY_DEFER_WHEN_UNAVAILABLE = yes" >> "$EXIM_DIR/local.conf"
id_closed=$(send sts-good.test)
like "$(L "$id_closed")" "== user@sts-good.test R=tlspolicy_unavailable defer \(-1\): tlspolicyd does not answer" \
    "TLSPOLICY_DEFER_WHEN_UNAVAILABLE: deferred instead"
sed 's/^/# /' "$EXIM_LOG"
pf_stop mx
done_testing
