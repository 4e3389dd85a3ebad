#!/bin/sh
# Incoming TLSRPT reports through a real Exim: Debian's Exim 4.96 in a
# private prefix, listening on a loopback address of its own, with the
# router and pipe transport of contrib/exim/tlsrpt-receive.conf as
# shipped (the command, user and group substituted), receives
# DKIM-signed reports by SMTP and pipes them to "tlspolicyctl receive".
# report_domains is not set: it comes from Exim's local_domains ("@" is
# primary_hostname) and relay_to_domains, through exim_path, as
# check-config shows.  Reports about those domains land in the store
# ("tlspolicyctl reports"); a report about another domain, a message that
# is no report (EX_DATAERR) and an unsigned report (EX_NOPERM) fail the
# delivery with the reason and are quarantined; with the DKIM key's DNS
# down the pipe's EX_TEMPFAIL is one of the transport's temp_errors, so
# Exim defers, and delivers on the retry once DNS is back.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/exim.sh"
need_root
need nsd unbound ldns-signzone dig openssl python3 gzip base64 unshare apt-get dpkg
PY=/usr/bin/python3
$PY -c 'import dkim' 2>/dev/null || {
	[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - python3-dkim missing"; exit 1; }
	skip_all "python3-dkim (dkimpy) not installed"
}

: > "$T/resolv.conf"
exim_setup "$T/resolv.conf" || { done_testing; exit 1; }
ok "private Exim $EXIM_VERSION"
EXIM_ADDR=127.0.3.111     # its own: tests run side by side

world_dns_up
openssl genrsa -traditional -out "$T/rsa.pem" 2048 2>/dev/null
rsa_p=$(openssl rsa -in "$T/rsa.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
txt() { printf '%s' "$1" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' '; }
world_dns_batch
world_dns_set "s1._domainkey.sender.test. TXT $(txt "v=DKIM1; k=rsa; p=$rsa_p")"
check "the test world serves the DKIM key" world_dns_commit

# Exim: its domains, and the receive snippet as shipped
C=$top_srcdir/contrib/exim/tlsrpt-receive.conf
snippet() {   # snippet router|transport
	sed -n "/^# --- $1 ---\$/,/^# --- /p" "$C" | grep -v '^# --- '
}
user=$(id -un nobody)
group=$(id -gn nobody)
EXIM_PORT=$(free_port)
printf 'virtual.test: x\n' > "$EXIM_DIR/virtual"
chmod 644 "$EXIM_DIR/virtual"
exim_receive_conf() {   # exim_receive_conf [TRANSPORT EDIT]
	cat > "$EXIM_DIR/exim.conf" <<X
# private test instance: nothing outside $EXIM_DIR
$(exim_private | sed -e 's/^primary_hostname = .*/primary_hostname = mx.ours.test/' \
    -e '/^deliver_drop_privilege/d')
local_interfaces = $EXIM_ADDR
daemon_smtp_ports = $EXIM_PORT
domainlist local_domains = @ : localhost : ours.test
domainlist relay_to_domains = <, relay.test , lsearch;$EXIM_DIR/virtual , +local_domains
acl_smtp_rcpt = acl_rcpt
# received by the daemon, delivered by "exim -M" as root: this Exim is not
# set-uid, so only a delivery started by root may run the pipe as $user
queue_only = true
log_selector = +millisec +pid

begin acl
acl_rcpt:
  accept domains = +local_domains
  deny

begin routers
$(snippet router)

begin transports
$(snippet transport | sed -e "s|^  command = /usr/sbin/tlspolicyctl receive|  command = $TLSPOLICYCTL -c $T/tlspolicyd.conf receive|" \
    -e "s|^  user = tlspolicyd|  user = $user|" -e "s|^  group = tlspolicyd|  group = $group|" ${1:+-e "$1"})

begin retry
*  *  F,1d,1m
X
	chmod 644 "$EXIM_DIR/exim.conf"
}
exim_receive_conf
check "the shipped pipe transport runs tlspolicyctl here" grep -q "command = $TLSPOLICYCTL -c" "$EXIM_DIR/exim.conf"
exim -bV > "$T/exim-bV.log" 2>&1
check "exim accepts the configuration" test $? -eq 0

# exim_path: the private Exim (in its namespace, where Debian-exim exists)
cat > "$T/exim-bP" <<W
#!/bin/sh
exec env LD_LIBRARY_PATH=$EXIM_LIBS $EXIM_BIN -C $EXIM_DIR/exim.conf "\$@"
W
chmod 755 "$T/exim-bP"
write_conf <<Cf
dns_resolver = $WORLD_DNS
exim_path = $T/exim-bP
Cf
# ns CMD...: CMD in a namespace with Exim's user databases, as Exim's
# own children run
ns() {
	unshare --mount --propagation private sh -c '
		mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group || exit 111
		shift 2
		exec "$@"' sh "$EXIM_DIR/passwd" "$EXIM_DIR/group" "$@"
}
out=$(ns "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" check-config 2>&1 >/dev/null)
diag "$out"
like "$out" "tlspolicyctl: report_domains = mx\.ours\.test ours\.test relay\.test \(from exim -bP local_domains, relay_to_domains\)" \
    "check-config: Exim's domains (@ = primary_hostname), and where they came from"
like "$out" "lsearch;$EXIM_DIR/virtual in relay_to_domains: not read \(a lookup\)" "a lookup is told, not read"
like "$out" "localhost in local_domains: this host only" "localhost is told, not taken"
like "$out" "host name mx\.ours\.test from Exim primary_hostname" "the host name from the same Exim"
check "tlspolicyd starts" start_daemon

# the Exim daemon on its address (exim_daemon: this configuration as it is)
check "the Exim daemon listens on $EXIM_ADDR" exim_daemon "$EXIM_PORT"

# report ID DOMAIN: a signed report message about DOMAIN into $T/ID.eml
report() {
	sed -e "s/example\.org/$2/g" -e "s/\"report-id\": *\"[^\"]*\"/\"report-id\":\"$1\"/" \
	    "$top_srcdir/t/data/incoming/microsoft.json" > "$T/$1.json"
	{
		printf 'From: TLS reporting <tlsrpt@sender.test>\nTo: tlsrpt@ours.test\nSubject: Report %s\n' "$1"
		printf 'Date: Mon, 30 Nov 2026 10:00:00 +0000\nMessage-ID: <%s@sender.test>\nMIME-Version: 1.0\n' "$1"
		printf 'Content-Type: multipart/report; report-type="tlsrpt";\n\tboundary="B"\n\n'
		printf -- '--B\nContent-Type: text/plain\n\nA report.\n\n--B\nContent-Type: application/tlsrpt+gzip\n'
		printf 'Content-Transfer-Encoding: base64\n\n'
		gzip -c < "$T/$1.json" | base64 -w 76
		printf -- '--B--\n'
	} > "$T/$1.unsigned"
	$PY "$top_srcdir/t/dkimsign.py" "$T/rsa.pem" rsa s1 sender.test < "$T/$1.unsigned" > "$T/$1.eml"
}
# smtp FILE: send FILE to tlsrpt@ours.test over SMTP; the message id
smtp() {
	$PY - "$EXIM_ADDR" "$EXIM_PORT" "$1" > "$T/smtp.log" 2>&1 <<'PY'
import smtplib, sys
with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=30) as s:
    s.sendmail("tlsrpt@sender.test", ["tlsrpt@ours.test"], open(sys.argv[3], "rb").read())
PY
	[ $? -eq 0 ] || { sed 's/^/# /' "$T/smtp.log"; return 1; }
}
# id_of ID: Exim's id of the message whose Message-ID is ID@sender.test
id_of() { sed -n "s/^.* \([0-9A-Za-z]\{6\}-[0-9A-Za-z]\{6,11\}-[0-9A-Za-z]\{2,4\}\) <= .* id=$1@sender.test.*/\1/p" "$EXIM_LOG" | tail -n 1; }
# deliver ID FILE: FILE (Message-ID ID) by SMTP, then one delivery attempt
deliver() {
	smtp "$2" || return 1
	wait_for 30 sh -c "grep -q ' <= .* id=$1@sender.test' '$EXIM_LOG'" || return 1
	exim -M "$(id_of "$1")" > "$T/exim-deliver.log" 2>&1
	return 0
}
delivered() {   # delivered ID PATTERN: a delivery line of ID matches
	_x=$(id_of "$1")
	[ -n "$_x" ] && grep " $_x " "$EXIM_LOG" | grep -Eq -- "$2"
}
Q=$T/state/quarantine
nq() { ls "$Q" 2>/dev/null | wc -l; }

report x-1 ours.test
check "a signed report about ours.test accepted over SMTP" deliver x-1 "$T/x-1.eml"
check "delivered through the pipe transport" \
    wait_for 60 delivered x-1 "=> tlsrpt <tlsrpt@ours.test> R=tlspolicy_tlsrpt_receive T=tlspolicy_tlsrpt_pipe"
report x-2 relay.test
deliver x-2 "$T/x-2.eml"
check "one about relay.test (relay_to_domains) delivered too" \
    wait_for 60 delivered x-2 "=> tlsrpt <tlsrpt@ours.test> R=tlspolicy_tlsrpt_receive T=tlspolicy_tlsrpt_pipe"
like "$(ctl reports)" "report-id=x-1 .*report-id=x-2 " "both in the store"

report x-3 elsewhere.test
deliver x-3 "$T/x-3.eml"
check "one about another domain: the delivery fails (EX_DATAERR)" \
    wait_for 60 delivered x-3 "\*\* tlsrpt@ours.test R=tlspolicy_tlsrpt_receive T=tlspolicy_tlsrpt_pipe: Child process of tlspolicy_tlsrpt_pipe transport returned 65"
printf 'From: a@sender.test\nTo: tlsrpt@ours.test\nSubject: hello\nMessage-ID: <x-4@sender.test>\n\nnot a report\n' \
    | $PY "$top_srcdir/t/dkimsign.py" "$T/rsa.pem" rsa s1 sender.test > "$T/x-4.eml"
deliver x-4 "$T/x-4.eml"
check "a message that is no report: fails (EX_DATAERR)" \
    wait_for 60 delivered x-4 "\*\* tlsrpt@ours.test .*returned 65"
report x-5 ours.test
deliver x-5 "$T/x-5.unsigned"
check "an unsigned report: fails (EX_NOPERM)" \
    wait_for 60 delivered x-5 "\*\* tlsrpt@ours.test .*returned 77"
is "$(nq)" 3 "the three are quarantined"
like "$(cat "$Q"/* | grep '^X-Tlspolicyd-Refused:' | sort | tr '\n' ' ')" \
    "no TLSRPT report in the message.*not trusted: no DKIM signature.*about elsewhere.test, none of report_domains" \
    "each with its reason"

n_before=$(nq)
world_dns_stop
report x-6 ours.test
deliver x-6 "$T/x-6.eml"
check "DNS down: the pipe's EX_TEMPFAIL defers the message" \
    wait_for 60 delivered x-6 "== tlsrpt@ours.test R=tlspolicy_tlsrpt_receive T=tlspolicy_tlsrpt_pipe defer \(0\): Child process of tlspolicy_tlsrpt_pipe transport returned 75"
is "$(nq)" "$n_before" "not quarantined"
world_dns_start
exim -M "$(id_of x-6)" > "$T/exim-retry.log" 2>&1   # before its retry time
check "DNS back: delivered on the retry" \
    wait_for 60 delivered x-6 "=> tlsrpt <tlsrpt@ours.test> R=tlspolicy_tlsrpt_receive T=tlspolicy_tlsrpt_pipe"
reports=$(ctl reports)
like "$reports" "report-id=x-6 " "and stored"
like "$reports" "summary: 3 reports" "three stored, nothing else"
grep 'tlsrpt@ours.test' "$EXIM_LOG" | sed 's/^/# /'
exim_stop
done_testing
