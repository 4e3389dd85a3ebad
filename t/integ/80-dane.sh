#!/bin/sh
# DANE decisions through a validating resolver over signed zones, and
# their precedence over MTA-STS; real Postfix postmap asks.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need nsd unbound unbound-control ldns-signzone dig openssl python3 postmap db5.3_dump

hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
H1=$(hex 32) H2=$(hex 32) H3=$(hex 32)

world_dns_up
world_https_up
world_dns_batch
# all MX hosts covered
world_dns_set "dane-all.test. MX 10 mx1.dane-all.test."
world_dns_set "dane-all.test. MX 20 mx2.dane-all.test."
world_dns_set "mx1.dane-all.test. A 127.0.3.1"
world_dns_set "mx2.dane-all.test. A 127.0.3.2"
world_dns_set "_25._tcp.mx1.dane-all.test. TLSA 3 1 1 $H1"
world_dns_set "_25._tcp.mx2.dane-all.test. TLSA 2 0 1 $H2"
# one of two MX hosts covered
world_dns_set "dane-partial.test. MX 10 mx1.dane-partial.test."
world_dns_set "dane-partial.test. MX 20 mx2.dane-partial.test."
world_dns_set "mx1.dane-partial.test. A 127.0.3.3"
world_dns_set "mx2.dane-partial.test. A 127.0.3.4"
world_dns_set "_25._tcp.mx1.dane-partial.test. TLSA 3 1 1 $H1"
# only PKIX usages (unusable for SMTP)
world_mx usage1.test 127.0.3.5
world_dns_set "_25._tcp.mx.usage1.test. TLSA 1 1 1 $H3"
# malformed: SHA-256 with 3 bytes
world_mx short.test 127.0.3.6
world_dns_set "_25._tcp.mx.short.test. TLSA 3 1 1 abcdef"
# a CNAME'd MX host: the expanded name is the TLSA base domain
world_dns_set "cname.test. MX 10 mx.cname.test."
world_dns_set "mx.cname.test. CNAME real.cname-target.test."
world_dns_set "real.cname-target.test. A 127.0.3.7"
world_dns_set "_25._tcp.real.cname-target.test. TLSA 3 1 1 $H1"
# implicit MX (no MX RRset): the domain itself
world_dns_set "implicit.test. A 127.0.3.8"
world_dns_set "_25._tcp.implicit.test. TLSA 3 1 1 $H2"
# secure MX without TLSA, and MTA-STS
world_mx stsonly.test 127.0.3.9
world_sts stsonly.test 1 "$(world_sts_body enforce 86400 mx.stsonly.test)"
# DANE and MTA-STS: DANE wins
world_mx both.test 127.0.3.10
world_dns_set "_25._tcp.mx.both.test. TLSA 3 1 1 $H1"
world_sts both.test 1 "$(world_sts_body enforce 86400 mx.both.test)"
# insecure (unsigned) and bogus (expired signatures) zones
world_mx unsigned.test 127.0.3.11
world_dns_set "_25._tcp.mx.unsigned.test. TLSA 3 1 1 $H1"
world_mx bogus.test 127.0.3.12
world_dns_commit
world_https_stop
world_https_start

world_conf <<C
dane = yes
mta_sts = yes
dane_required_domains = required.test
sts_fetch_timeout = 3s
lookup_timeout = 5s
C
check "daemon starts" start_daemon
M="unix:$T/run/postfix.sock:postfix"

is "$(pm_q dane-all.test "$M")" "dane-only" "every MX host with usable TLSA: dane-only"
is "$(pm_q dane-partial.test "$M")" "dane" "one of two MX hosts with TLSA: dane"
is "$(pm_q usage1.test "$M")" "dane" "only usage-1 TLSA records (unusable): dane"
is "$(pm_q short.test "$M")" "dane" "malformed TLSA record (unusable): dane"
is "$(pm_q cname.test "$M")" "dane-only" "CNAME'd MX host with TLSA at the expanded name: dane-only"
is "$(pm_q implicit.test "$M")" "dane-only" "no MX, TLSA on the domain itself: dane-only"
# "lookups resolves wakeups" of tlspolicyctl status, and their growth
counters() { ctl status | awk -F': ' '$1 == "lookups" { l = $2 } $1 == "resolves" { r = $2 }
    $1 == "wakeups" { w = $2 } END { print l + 0, r + 0, w + 0 }'; }
grown() { set -- $1 $(counters); echo "$(($4 - $1)) $(($5 - $2)) $(($6 - $3))"; }
c0=$(counters)
is "$(pm_q both.test "$M")" "dane-only" "DANE and MTA-STS: DANE wins"
# cold, both sources resolving: decided at once (waiting for DANE), then
# once when DANE ends; the end of MTA-STS wakes nobody, DANE decides
is "$(grown "$c0")" "1 2 1" "cold lookup, DANE decides: one lookup, decided twice, woken once"
is "$(pm_q both.test "unix:$T/run/postfix.sock:postfix-tlsrpt")" "dane-only" "DANE answer under postfix-tlsrpt carries no STS attributes"
c0=$(counters)
is "$(pm_q stsonly.test "$M")" "secure match=mx.stsonly.test servername=hostname" "secure MX without TLSA: MTA-STS applies"
# cold, no TLSA: DANE ends first and MTA-STS is waited for if still
# running; one decision per end of a source, never more
g=$(grown "$c0")
case $g in "1 2 1"|"1 3 2") want=$g ;; *) want="1 2 1 or 1 3 2" ;; esac
is "$g" "$want" "cold lookup, MTA-STS decides: one decision per source end"
out=$(pm_q unsigned.test "$M"); rc=$?
is "$rc:$out" "1:" "insecure (unsigned) zone: DANE does not apply, NOTFOUND"
is "$(pm_q bogus.test "$M")" "dane" "bogus (expired signatures): dane, so Postfix defers on its own"
is "$(pm_q required.test "$M")" "dane-only" "dane_required_domains: dane-only without any DNS data"

q=$(ctl query dane-partial.test)
like "$q" "dane: some MX hosts \(secure MX, 1 of 2 MX hosts have secure TLSA records" "query: the DANE verdict and why"
like "$q" "dane host: mx1.dane-partial.test: secure, usable TLSA" "query: each MX host and its status"
like "$q" "dane host: mx2.dane-partial.test: secure, no TLSA" "query: a host without TLSA"
like "$q" "dane tlsa: _25._tcp.mx1.dane-partial.test 3 1 1 $(echo "$H1" | tr a-f A-F)" "query: the TLSA records"
like "$(ctl query cname.test)" "dane host: mx.cname.test -> real.cname-target.test: secure, usable TLSA" "query: the TLSA base domain of a CNAME'd host"
like "$(ctl query unsigned.test)" "dane mx: not validated" "query: insecure MX"

# records for the reporter: type tlsa, policy domain = the TLSA base domain
decisions_read
check "decision records read from the running daemon's store" test -n "$dump"
check "tlsa decision recorded with its base domain" decided 'dane-all.test\09tlsa\09mx1.dane-all.test'
check "tlsa decision of the CNAME target" decided 'cname.test\09tlsa\09real.cname-target.test'

# a DNS outage while an MTA-STS enforce policy is cached: the DANE
# lookups fail, the secure policy is still served, never a downgrade
world_dns_stop
like "$(ctl flush stsonly.test dane)" "flushed stsonly.test" "tlspolicyctl flush DOMAIN dane"
is "$(pm_q stsonly.test "$M")" "secure match=mx.stsonly.test servername=hostname" "DNS outage: cached MTA-STS enforce policy still served"
like "$(ctl query stsonly.test)" "reason: DANE lookups failed .* cached MTA-STS enforce policy id 1 holds" "DNS outage: the reason says so"
world_dns_start
done_testing
