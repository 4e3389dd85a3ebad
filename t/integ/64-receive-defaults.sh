#!/bin/sh
# report_domains unset: the domains a real Postfix instance receives mail
# for are taken from its configuration (postconf -x through MAIL_CONFIG,
# a hash: table listed with postmap -s, a /file/name read; localhost, the
# unqualified $myhostname and a regexp: table left out and told).
# tlspolicyctl check-config shows the value in effect and where it came
# from; Postfix pipes DKIM-signed reports through "tlspolicyctl receive"
# (pipe(8) passes MAIL_CONFIG): one about a domain of its mydestination
# and one about a domain of its virtual_mailbox_domains table are stored,
# one about another domain bounces; the daemon's HTTP listener
# (http_tlsrpt) takes the same default at start and again on reload.
# With no domains anywhere, receive makes the MTA retry.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/postfix.sh"
need_root
need nsd unbound ldns-signzone dig openssl python3 gzip base64 postfix postconf postmap sendmail
need_dkimpy

world_dns_up
openssl genrsa -traditional -out "$T/rsa.pem" 2048 2>/dev/null
world_dns_batch
world_dkim s1 sender.test "$T/rsa.pem"
check "the test world serves the DKIM key" world_dns_commit

# the Postfix instance: its domains in every place they can be
pf_instance mx
postconf -c "$T/mx" -M# smtp/inet
printf 'virt.test OK\nvirt2.test OK\n' > "$T/mx/vdomains"
postmap -c "$T/mx" "hash:$T/mx/vdomains"
printf '/^re\\.test$/ OK\n' > "$T/mx/re"
printf '# relayed\nrelay.test\n' > "$T/mx/relay"
postconf -c "$T/mx" -e 'mydestination = $myhostname, localhost.$mydomain, localhost, ours.test' \
    "virtual_mailbox_domains = hash:$T/mx/vdomains, regexp:$T/mx/re" "relay_domains = $T/mx/relay" \
    "virtual_mailbox_maps = hash:$T/mx/vdomains"
touch -d '1 minute ago' "$T/mx/main.cf"

hp=$(free_port)
world_conf <<C
http_listen = 127.0.0.1:$hp
http_tlsrpt = yes
C
out=$(MAIL_CONFIG=$T/mx "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" check-config 2>&1 >/dev/null)
diag "$out"
like "$out" "tlspolicyctl: report_domains = ours\.test relay\.test virt2?\.test virt2?\.test \(from postconf mydestination, virtual_mailbox_domains, relay_domains\)" \
    "check-config: the Postfix instance's domains, and where they came from"
like "$out" "mx\.localdomain in mydestination: not fully qualified" "its unqualified myhostname is told, not taken"
like "$out" "localhost in mydestination: this host only" "localhost is told, not taken"
like "$out" "regexp:$T/mx/re in virtual_mailbox_domains: not read \(a regexp table cannot be listed\)" \
    "a regexp table is told, not read"
out=$(MAIL_CONFIG=$T/mx "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" check-config 2>/dev/null)
like "$out" "(^| )report_domains = ( |$)" "the printed settings stay as the file has them"
printf 'report_domains = set.test\n' >> "$T/tlspolicyd.conf"
like "$(MAIL_CONFIG=$T/mx "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" check-config 2>&1 >/dev/null)" \
    "report_domains = set\.test \(from $T/tlspolicyd\.conf\)" "an explicit report_domains wins"
sed -i '/^report_domains/d' "$T/tlspolicyd.conf"

# the daemon: the same default for reports POSTed to it
MAIL_CONFIG=$T/mx
export MAIL_CONFIG
check "tlspolicyd starts" start_daemon
unset MAIL_CONFIG
like "$(grep 'http_tlsrpt:' "$T/daemon.log")" \
    "http_tlsrpt: report_domains = ours\.test relay\.test .*\(from postconf mydestination, virtual_mailbox_domains, relay_domains\)" \
    "the daemon logs the domains it took"

# report ID DOMAIN: a report about DOMAIN into $T/ID.json
report() {
	sed -e "s/example\.org/$2/g" -e "s/\"report-id\": *\"[^\"]*\"/\"report-id\":\"$1\"/" \
	    "$top_srcdir/t/data/incoming/google.json" > "$T/$1.json"
}
post() {   # post ID: "CODE body" of a POST of $T/ID.json
	http_post "http://127.0.0.1:$hp/tlsrpt" "$T/$1.json" application/tlsrpt+json
}
report h-1 virt2.test
like "$(post h-1)" "^201 " "POST: a report about a domain of the Postfix table is stored"
report h-2 elsewhere.test
like "$(post h-2)" "^400 .*none of ours" "POST: a report about another domain is refused"
# reload after Postfix took another domain
printf 'virt.test OK\nvirt2.test OK\nlater.test OK\n' > "$T/mx/vdomains"
postmap -c "$T/mx" "hash:$T/mx/vdomains"
n=$(grep -c 'reload: report_domains' "$T/daemon.log")
kill -HUP "$DPID"
check "on reload the daemon takes Postfix's domains again" \
    wait_for 20 sh -c "[ \$(grep -c 'reload: report_domains = .*later\.test' '$T/daemon.log') -gt $n ]"
report h-3 later.test
like "$(post h-3)" "^201 " "POST: a report about the domain added to Postfix is stored"

# mail: Postfix's pipe(8) transport of contrib/postfix/tlsrpt-receive.txt
sed -n '/^     tlsrpt    unix/,/argv=/p' "$top_srcdir/contrib/postfix/tlsrpt-receive.txt" | sed 's/^     //' \
    | sed "s|user=tlspolicyd|user=$(id -un nobody)|; s|argv=/usr/sbin/tlspolicyctl receive|argv=$TLSPOLICYCTL -c $T/tlspolicyd.conf receive|" \
    >> "$T/mx/master.cf"
printf 'tlsrpt@ours.test tlsrpt:\n' > "$T/mx/transport"
postmap -c "$T/mx" "hash:$T/mx/transport"
postconf -c "$T/mx" -e "transport_maps = hash:$T/mx/transport" "tlsrpt_destination_recipient_limit = 1" \
    "maximal_queue_lifetime = 1h" "bounce_queue_lifetime = 0"
check "Postfix with the tlsrpt pipe transport starts" pf_start mx
mail() {   # mail ID: the signed report message of $T/ID.json into $T/ID.eml
	{
		printf 'From: TLS reporting <tlsrpt@sender.test>\nTo: tlsrpt@ours.test\nSubject: Report %s\n' "$1"
		printf 'Date: Mon, 30 Nov 2026 10:00:00 +0000\nMessage-ID: <%s@sender.test>\nMIME-Version: 1.0\n' "$1"
		printf 'Content-Type: multipart/report; report-type="tlsrpt";\n\tboundary="B"\n\n'
		printf -- '--B\nContent-Type: text/plain\n\nA report.\n\n--B\nContent-Type: application/tlsrpt+gzip\n'
		printf 'Content-Transfer-Encoding: base64\n\n'
		gzip -c < "$T/$1.json" | base64 -w 76
		printf -- '--B--\n'
	} | $PY "$top_srcdir/t/dkimsign.py" "$T/rsa.pem" rsa s1 sender.test > "$T/$1.eml"
	sendmail -C "$T/mx" -f tlsrpt@sender.test tlsrpt@ours.test < "$T/$1.eml"
}
report m-1 ours.test
mail m-1
check "Postfix: a report about its mydestination domain delivered through the pipe" \
    pf_wait mx "to=<tlsrpt@ours.test>.*relay=tlsrpt.*status=sent"
report m-2 virt.test
mail m-2
check "Postfix: a report about a domain of its virtual_mailbox_domains table too" \
    wait_for 30 sh -c "[ \$(grep -c 'to=<tlsrpt@ours.test>.*relay=tlsrpt.*status=sent' '$T/mx/maillog') -ge 2 ]"
report m-3 elsewhere.test
mail m-3
check "Postfix: a report about another domain bounced with the reason" \
    pf_wait mx "to=<tlsrpt@ours.test>.*status=bounced.*about elsewhere.test, none of report_domains"
reports=$(ctl reports)
like "$reports" "report-id=m-1 .*report-id=m-2 " "both stored"
like "$reports" "report-id=h-1 .*report-id=h-3 " "and the POSTed ones"
like "$reports" "summary: 4 reports" "nothing else"
grep 'relay=tlsrpt' "$T/mx/maillog" | sed 's/^/# /'

# no domains anywhere: the MTA keeps the message
postconf -c "$T/mx" -e 'mydestination = localhost' 'virtual_mailbox_domains =' 'relay_domains ='
touch -d '1 minute ago' "$T/mx/main.cf"
OUT=$(MAIL_CONFIG=$T/mx "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" receive < "$T/m-1.eml" 2>&1)
is "$?" 75 "no report_domains and none in Postfix's configuration: EX_TEMPFAIL"
like "$OUT" "report_domains is empty in $T/tlspolicyd.conf and the MTA's configuration names no domain: localhost in mydestination: this host only" \
    "said so, with what was not taken"
pf_stop mx
done_testing
