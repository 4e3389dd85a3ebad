#!/bin/sh
# What happens as time passes, without waiting for it: the daemon runs
# under libfaketime (Debian's faketime package) with its clock read from a
# file the test moves forward.  A cached DANE result lives for its DNS TTL
# (bounded to at least 60 s) and is then looked up again; an MTA-STS
# policy not checked for 12 hours is refreshed by the daemon on its own,
# picking up a new policy id without any lookup of the domain; a policy
# unused for 180 days is forgotten.  A max_age of 0 counts as five
# minutes: then an unchanged TXT id extends the policy, and a TXT record
# that went makes no resolver storm.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need nsd unbound unbound-control ldns-signzone dig openssl python3 postmap
need_faketime

world_dns_up
world_https_up
world_dns_batch
world_sts refresh.test 1 "$(world_sts_body enforce 31557600 mx1.refresh.test)"
world_sts forget.test 1 "$(world_sts_body enforce 31557600 mx.forget.test)"
world_sts aged.test 1 "$(world_sts_body enforce 0 mx.aged.test)"
world_sts gone.test 1 "$(world_sts_body enforce 0 mx.gone.test)"
world_mx dane.test 127.0.3.77
world_dns_set "_25._tcp.mx.dane.test. TLSA 3 1 1 0000000000000000000000000000000000000000000000000000000000000000"
world_dns_commit
world_https_stop
world_https_start

world_conf <<C
mta_sts = yes
dane = yes
lookup_timeout = 3s
C
check "daemon starts under libfaketime" start_daemon_faketime +0
M="unix:$T/run/postfix.sock:postfix"
at() { faketime_set "$1" "$M"; }   # at OFFSET: the daemon's clock moved

is "$(pm_q dane.test "$M")" "dane-only" "dane.test: dane-only"
is "$(pm_q refresh.test "$M")" "secure match=mx1.refresh.test servername=hostname" "refresh.test: policy 1"
is "$(pm_q forget.test "$M")" "secure match=mx.forget.test servername=hostname" "forget.test: cached"
is "$(pm_q aged.test "$M")" "secure match=mx.aged.test servername=hostname" "aged.test (max_age 0): cached"
is "$(pm_q gone.test "$M")" "secure match=mx.gone.test servername=hostname" "gone.test (max_age 0): cached"

# DANE: the TLSA record goes; the cached result holds for its TTL
world_dns_del "_25._tcp.mx.dane.test."
at "+30s"
is "$(pm_q dane.test "$M")" "dane-only" "30 s later, within the TTL: still the cached dane-only"
at "+3m"
pm_q dane.test "$M" >/dev/null   # the expired result is served once while it is looked up again
check "3 minutes later, past the TTL: looked up again, no longer dane-only" wait_for 5 sh -c \
    "[ \"\$(postmap -c '$(postfix_dir)' -q dane.test 'socketmap:$M')\" != dane-only ]"

# max_age 0: ten minutes on, both policies have expired.  aged.test's TXT
# id is unchanged and its policy host down: the lookup waits for the TXT
# check, which extends the cached policy.  gone.test's TXT record went:
# its policy is no more, and lookups without pause do not make the daemon
# check again and again.
world_dns_del "_mta-sts.gone.test."
world_https_stop
at "+10m"
is "$(pm_q aged.test "$M")" "secure match=mx.aged.test servername=hostname" \
    "10 minutes on: max_age 0 policy expired, TXT id unchanged, HTTPS down: still served"
like "$(ctl query aged.test)" "mta-sts expires: in (2[0-9][0-9]|300)s" "aged.test: extended by five minutes"
q0=$(world_dns_queries)
: > "$T/gone.out"
end=$(( $(date +%s) + 3 ))
while [ "$(date +%s)" -lt "$end" ]; do
	pm_q gone.test "$M" >> "$T/gone.out" || echo NOTFOUND >> "$T/gone.out"
done
q1=$(world_dns_queries)
like "$q0 $q1" "^[0-9]+ [0-9]+$" "unbound counts the queries it receives ($q0, then $q1)"
sent=$((q1 - q0))
is "$(sort -u "$T/gone.out")" "NOTFOUND" "gone.test: expired policy, TXT record gone: NOTFOUND"
# at least the one check that found the TXT record gone: the counter works
check "gone.test: $(wc -l < "$T/gone.out") lookups in 3 s, a handful of DNS queries ($sent, 1 to 19)" \
    test "$sent" -ge 1 -a "$sent" -lt 20
world_https_start

# MTA-STS: a new policy is published; nothing happens for 11 hours...
world_dns_batch
world_dns_del "_mta-sts.refresh.test."
world_dns_set "_mta-sts.refresh.test. TXT \"v=STSv1; id=2;\""
world_dns_commit
world_policy refresh.test "$(world_sts_body enforce 31557600 mx2.refresh.test)"
at "+11h"
like "$(ctl list)" "refresh.test enforce id=1 " "11 hours on: the cached policy, not refreshed yet"
# ... and 13 hours on the daemon has refreshed it by itself
at "+48600"   # 13 h 30 min
check "13 hours on: refreshed without a lookup (id 2)" wait_for 10 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' list | grep -q '^refresh.test enforce id=2 '"
like "$(ctl list)" "forget.test enforce id=1 " "forget.test still cached"

# 181 days without a lookup: forgotten
at "+181d"
check "181 days unused: forgotten" wait_for 10 sh -c \
    "! '$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' list | grep -q '^forget.test '"
stop_daemon
done_testing
