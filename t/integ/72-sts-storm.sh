#!/bin/sh
# A policy with "max_age: 0" (legal per RFC 8461, and anyone can publish
# one) must answer the lookup that fetched it and must not make the
# daemon check the domain again and again: the resolver's own query
# counter shows how many queries the daemon sent while one domain is
# looked up without pause.  DANE is on too, and the test world's unbound
# hands out every answer with TTL 0.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need nsd unbound unbound-control ldns-signzone dig openssl python3 postmap

world_dns_up
world_https_up
world_dns_batch
world_sts zero.test 1 "$(world_sts_body enforce 0 mx.zero.test)"
world_sts other.test 1 "$(world_sts_body enforce 86400 mx.other.test)"
world_dns_commit
world_https_stop
world_https_start

LOOKUP_TIMEOUT=5
world_conf <<C
mta_sts = yes
dane = yes
sts_check_interval = 10s
lookup_timeout = ${LOOKUP_TIMEOUT}s
C
check "daemon starts" start_daemon
M="unix:$T/run/postfix.sock:postfix"
ZERO="secure match=mx.zero.test servername=hostname"
OTHER="secure match=mx.other.test servername=hostname"

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

like "$(dig +noall +answer +time=2 -p "$WORLD_DNS_PORT" @127.0.0.1 _mta-sts.zero.test TXT)" \
    "^_mta-sts\.zero\.test\.[[:space:]]+0[[:space:]]" "the resolver answers with TTL 0"
q0=$(world_dns_queries)
like "$q0" "^[0-9]+$" "unbound counts the queries it receives ($q0 so far)"

# zero.test looked up without pause for 4 seconds, starting cold
: > "$T/zero.out"
(
	end=$(( $(date +%s) + 4 ))
	while [ "$(date +%s)" -lt "$end" ]; do
		pm_q zero.test "$M" >> "$T/zero.out" || echo NOTFOUND >> "$T/zero.out"
	done
) &
hammer=$!
t0=$(date +%s%N)
check "max_age 0: the first lookup is answered" wait_for $((LOOKUP_TIMEOUT + 5)) test -s "$T/zero.out"
ms=$(ms_since "$t0")
is "$(head -n 1 "$T/zero.out")" "$ZERO" "max_age 0: the lookup that fetched the policy gets it (${ms} ms)"

# meanwhile, a domain seen for the first time is answered as fast as ever
t0=$(date +%s%N)
out=$(pm_q other.test "$M")
ms=$(ms_since "$t0")
is "$out" "$OTHER" "other domain, looked up meanwhile: its policy"
check "other domain: answered well within lookup_timeout (${ms} ms)" \
    test "$ms" -lt $((LOOKUP_TIMEOUT * 1000 / 2))

wait "$hammer"
q1=$(world_dns_queries)
n=$(wc -l < "$T/zero.out")
is "$(sort -u "$T/zero.out")" "$ZERO" "max_age 0: all $n lookups of 4 seconds answered with the enforce policy"
like "$q1" "^[0-9]+$" "unbound counts the queries it receives ($q1 now)"
sent=$((q1 - q0))
diag "queries sent for both domains: $sent"
# at least the cold lookups' own queries were counted: the counter works
check "max_age 0: a handful of DNS queries for $n lookups ($sent, 1 to 19)" test "$sent" -ge 1 -a "$sent" -lt 20
is "$(grep -c 'mta-sts.zero.test "GET' "$T/httpsd.log")" "1" "max_age 0: one HTTPS fetch"
like "$(ctl query zero.test)" "mta-sts max_age: 0 .*mta-sts expires: in (2[0-9][0-9]|300)s" \
    "max_age 0 counts as 300 s"
like "$(ctl query other.test)" "mta-sts expires: in 86[34][0-9][0-9]s" "max_age 86400 as published"

done_testing
