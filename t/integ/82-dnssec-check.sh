#!/bin/sh
# With DANE on, the daemon checks at start and on reload that its resolver
# validates DNSSEC (the AD bit on the root's DNSKEY): a validating unbound
# passes, the authoritative nsd (which sets no AD bit) is warned about in
# the log and shown as such by "tlspolicyctl status".
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need nsd unbound ldns-signzone

world_dns_up
write_conf <<C
dane = yes
dns_resolver = $WORLD_DNS
C
check "tlspolicyd starts" start_daemon
check "a validating resolver is found to validate" wait_for 10 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' status | grep -q '^dnssec: validating (AD bit on the root'"
like "$(cat "$T/daemon.log")" "DNSSEC check: resolver $WORLD_DNS validates" "... and logged"
like "$(ctl status)" "version: [0-9]" "status shows the version"
ctl reload > /dev/null
check "reload checks again" wait_for 10 sh -c "[ \$(grep -c 'DNSSEC check: ' '$T/daemon.log') -ge 2 ]"
stop_daemon

# the authoritative server: answers, without the AD bit
write_conf <<C
dane = yes
dns_resolver = 127.0.0.1:$NSD_PORT
C
check "tlspolicyd starts on a resolver that does not validate" start_daemon
check "status: NOT validating" wait_for 10 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' status | grep -q '^dnssec: NOT validating (no AD bit'"
like "$(cat "$T/daemon.log")" "warning: DNSSEC check: resolver 127.0.0.1:$NSD_PORT does not validate \(no AD bit on the root's DNSKEY\): every domain looks unsigned to DANE" \
    "a clear warning in the log"
stop_daemon

# nothing answers
write_conf <<C
dane = yes
dns_resolver = 127.0.0.1:9
C
check "tlspolicyd starts with no resolver" start_daemon
check "status: unknown" wait_for 20 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' status | grep -q '^dnssec: unknown (no answer'"
stop_daemon
done_testing
