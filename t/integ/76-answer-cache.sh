#!/bin/sh
# The answer cache (answer_cache_size) answers lookups without asking the
# MTA-STS and DANE caches, so what changes a domain's answer must reach
# it: under libfaketime, on a clock the test moves (as 75-clock.sh), with
# sts_check_interval = 1d so that a cached answer would otherwise hold
# until midnight.  A policy the daemon refreshes on its own (12 hours on,
# no lookup) is answered at once; the first lookup of a new UTC day
# records that day's policy for the reports although the answer still
# holds; tlspolicyctl flush drops answers; the replies of the Exim
# service, kept beside the answers, follow them (and are still logged at
# log_level debug); and answer_cache_size = 0 turns it off.  DANE is off: its results live for a DNS TTL of at most
# an hour, after which the caches are asked anyway (75-clock.sh checks
# that through the answer cache).
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need nsd unbound unbound-control ldns-signzone dig openssl python3 postmap
need_faketime

world_dns_up
world_https_up
world_dns_batch
world_sts refresh.test 1 "$(world_sts_body enforce 31557600 mx1.refresh.test)"
world_sts daily.test 1 "$(world_sts_body enforce 31557600 mx.daily.test)"
world_sts flushed.test 1 "$(world_sts_body enforce 31557600 mx.flushed.test)"
world_dns_commit
world_https_stop
world_https_start

M="unix:$T/run/postfix.sock:postfix"
E="unix:$T/run/exim.sock"
eq() { python3 "$top_srcdir/t/integ/eximclient.py" "$E" half "policy $1"; }
# the clock: day 1 is the UTC day after tomorrow, so that every time the
# test sets is ahead of the real clock (the test certificates are not
# valid before now)
now=$(date +%s)
day1=$(( (now / 86400 + 2) * 86400 ))
D1=$(date -u -d "@$day1" +%Y-%m-%d)
D2=$(date -u -d "@$((day1 + 86400))" +%Y-%m-%d)
# at SECONDS: the daemon's clock at day 1 + SECONDS
at() { faketime_set "+$((day1 + $1 - $(date +%s)))" "$M"; }
answers() { ctl status | sed -n 's/^answer_cache_domains: //p'; }

world_conf <<C
mta_sts = yes
dane = no
lookup_timeout = 3s
sts_check_interval = 1d
exim_listen = $E
C
check "daemon starts under libfaketime" start_daemon_faketime "+$((day1 + 10 * 3600 - now))"

# day 1, 10:00
at $((10 * 3600))
is "$(pm_q refresh.test "$M")" "secure match=mx1.refresh.test servername=hostname" "10:00: refresh.test, policy 1"
is "$(pm_q flushed.test "$M")" "secure match=mx.flushed.test servername=hostname" "10:00: flushed.test"
is "$(eq refresh.test)" "mode=enforce mx=mx1.refresh.test" "10:00: Exim: refresh.test, policy 1"
is "$(eq flushed.test)" "mode=enforce mx=mx.flushed.test" "10:00: Exim: flushed.test"
is "$(answers)" "3" "three domains in the answer cache: these two and wake.invalid"

# a new policy for refresh.test; an hour on, its answer still holds
world_dns_batch
world_dns_del "_mta-sts.refresh.test."
world_dns_set "_mta-sts.refresh.test. TXT \"v=STSv1; id=2;\""
world_dns_commit
world_policy refresh.test "$(world_sts_body enforce 31557600 mx2.refresh.test)"
at $((11 * 3600))
is "$(pm_q refresh.test "$M")" "secure match=mx1.refresh.test servername=hostname" \
    "11:00: the cached policy 1, no check due"
is "$(eq refresh.test)" "mode=enforce mx=mx1.refresh.test" "11:00: Exim: the cached policy 1"

# flush: the answer goes with the entries; with the policy host down
# the next lookup finds nothing
world_https_stop
like "$(ctl flush flushed.test)" "flushed flushed.test" "tlspolicyctl flush flushed.test"
out=$(pm_q flushed.test "$M"); rc=$?
is "$rc:$out" "1:" "after flush, HTTPS down: NOTFOUND, not the cached answer"
is "$(eq flushed.test)" "mode=none" "after flush, HTTPS down: Exim: none"
world_https_start

# daily.test is first looked up at 20:00: no refresh of its own before
# the next day (12 hours and its offset after 20:00)
at $((20 * 3600))
is "$(pm_q daily.test "$M")" "secure match=mx.daily.test servername=hostname" "20:00: daily.test"

# 23:30, 13 h 30 min after its fetch, the daemon refreshes refresh.test
# by itself; the next lookup gets policy 2 (the answer cache would have
# held policy 1 until midnight)
at $((23 * 3600 + 1800))
check "23:30: refresh.test refreshed without a lookup (id 2)" wait_for 10 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' list | grep -q '^refresh.test enforce id=2 '"
is "$(pm_q refresh.test "$M")" "secure match=mx2.refresh.test servername=hostname" \
    "23:30: policy 2 answered at once"
is "$(eq refresh.test)" "mode=enforce mx=mx2.refresh.test" "23:30: Exim: policy 2"

# day 2: the first lookup of daily.test records its policy for day 2
at $((24 * 3600 + 1800))
is "$(pm_q daily.test "$M")" "secure match=mx.daily.test servername=hostname" "day 2, 00:30: daily.test"
decisions_read
check "decision records read" test -n "$dump"
check "daily.test's policy recorded for day 1 ($D1)" sh -c \
    "printf '%s\n' \"\$1\" | grep -qF ' $D1\\09daily.test\\09sts\\091'" - "$dump"
check "and for day 2 ($D2), its answer cached since day 1" sh -c \
    "printf '%s\n' \"\$1\" | grep -qF ' $D2\\09daily.test\\09sts\\091'" - "$dump"
stop_daemon

# answer_cache_size = 0: no answer cache, the same answers
world_conf <<C
mta_sts = yes
dane = no
lookup_timeout = 3s
answer_cache_size = 0
C
check "daemon starts with answer_cache_size = 0" start_daemon
is "$(pm_q refresh.test "$M")" "secure match=mx2.refresh.test servername=hostname" "no answer cache: refresh.test"
is "$(pm_q refresh.test "$M")" "secure match=mx2.refresh.test servername=hostname" "no answer cache: again"
is "$(ctl status | grep -c '^answer_cache')" "0" "no answer cache in the status"
stop_daemon

# log_level debug: each lookup is decided and logged with its reason,
# the Exim service's too (a kept reply would skip the log line)
world_conf <<C
mta_sts = yes
dane = no
lookup_timeout = 3s
exim_listen = $E
log_level = debug
C
check "daemon starts with log_level = debug" start_daemon
eq refresh.test > /dev/null
eq refresh.test > /dev/null
is "$(grep -c 'exim lookup domain=refresh.test ' "$T/daemon.log")" "2" "debug: both Exim lookups logged"
stop_daemon
done_testing
