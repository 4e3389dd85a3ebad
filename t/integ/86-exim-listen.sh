#!/bin/sh
# The Exim policy service (exim_listen) end to end: MTA-STS and DANE
# decisions from the test world's DNS and HTTPS servers, asked by a
# ${readsocket}-style client (t/integ/eximclient.py) and by the real Exim
# 4.96's ${readsocket} expansion (exim -be, t/exim.sh); hostile requests.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/exim.sh"
need_root
need nsd unbound unbound-control ldns-signzone dig openssl python3 unshare apt-get dpkg

exim_setup || { done_testing; exit 1; }
ok "private Exim $EXIM_VERSION"

hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
world_dns_up
world_https_up
world_dns_batch
ENFORCE='version: STSv1
mode: enforce
mx: mx1.enforce.test
mx: *.mx.enforce.test
max_age: 86400
'
world_sts enforce.test 1 "$ENFORCE"
world_sts testing.test 1 "$(printf 'version: STSv1\nmode: testing\nmx: mx.testing.test\nmax_age: 86400\n')"
world_sts none.test 1 "$(printf 'version: STSv1\nmode: none\nmax_age: 86400\n')"
world_sts flight.test 1 "$ENFORCE"
echo 0.5 > "$T/www/mta-sts.flight.test/.well-known/mta-sts.txt.delay"
world_dns_set "dane-all.test. MX 10 mx.dane-all.test."
world_dns_set "mx.dane-all.test. A 127.0.3.1"
world_dns_set "_25._tcp.mx.dane-all.test. TLSA 3 1 1 $(hex 32)"
world_dns_set "dane-partial.test. MX 10 mx1.dane-partial.test."
world_dns_set "dane-partial.test. MX 20 mx2.dane-partial.test."
world_dns_set "mx1.dane-partial.test. A 127.0.3.3"
world_dns_set "mx2.dane-partial.test. A 127.0.3.4"
world_dns_set "_25._tcp.mx1.dane-partial.test. TLSA 3 1 1 $(hex 32)"
world_dns_commit
world_https_stop
world_https_start

PORT=$(free_port)
getent group nogroup > /dev/null && GROUP=nogroup || GROUP=$(id -gn)
write_conf <<C
exim_listen = unix:$T/run/exim.sock inet:127.0.0.1:$PORT
exim_socket_mode = 0660
exim_socket_group = $GROUP
mta_sts = yes
dane = yes
dns_resolver = $WORLD_DNS
sts_ca_file = $WORLD_CA
sts_https_port = $WORLD_HTTPS_PORT
sts_fetch_timeout = 3s
lookup_timeout = 3s
socketmap_max_connections = 12
socketmap_idle_timeout = 2s
socketmap_request_timeout = 2s
C
check "daemon starts" start_daemon
S=unix:$T/run/exim.sock
I=inet:127.0.0.1:$PORT
q() { python3 "$top_srcdir/t/integ/eximclient.py" "$@"; }

is "$(stat -c '%a %G' "$T/run/exim.sock")" "660 $GROUP" "the socket has exim_socket_mode and exim_socket_group"

# the answers, readsocket style: write, shut down writing, read to close
is "$(q "$S" half 'policy enforce.test')" "mode=enforce mx=mx1.enforce.test:*.mx.enforce.test" \
    "enforce: MX patterns, cold lookup"
is "$(q "$S" half 'policy testing.test')" "mode=testing mx=mx.testing.test" "testing: MX patterns"
is "$(q "$S" half 'policy none.test')" "mode=none" "MTA-STS mode none: none"
is "$(q "$S" half 'policy nothing.test')" "mode=none" "no policy at all: none"
is "$(q "$S" half 'policy dane-all.test')" "mode=dane-only" "TLSA on every MX: dane-only"
is "$(q "$S" half 'policy dane-partial.test')" "mode=dane" "TLSA on some MX: dane"
is "$(q "$I" half 'policy ENFORCE.test.')" "mode=enforce mx=mx1.enforce.test:*.mx.enforce.test" \
    "inet listener; the domain is normalised"
is "$(q "$S" line 'policy testing.test')" "mode=testing mx=mx.testing.test" \
    "a newline ends the request without a shutdown (shutdown=no)"
is "$(q "$S" raw "b'policy none.test\\r\\n'")" "mode=none" "CR LF ends the request"

# one resolution per domain in flight: 10 clients at once
pids=
for i in 0 1 2 3 4 5 6 7 8 9; do
	q "$S" half 'policy flight.test' > "$T/flight.$i" &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
is "$(cat "$T"/flight.* | sort | uniq -c | sed 's/^ *//')" \
    "10 mode=enforce mx=mx1.enforce.test:*.mx.enforce.test" "10 concurrent cold lookups all get the policy"
is "$(grep -c 'mta-sts.flight.test "GET' "$T/httpsd.log")" "1" "one HTTPS fetch for them"

# hostile requests: a clear error answer, the daemon stays up
is "$(q "$S" half 'bogus')" 'mode=error reason="expected: policy DOMAIN"' "no policy verb: error"
is "$(q "$S" half 'policy')" 'mode=error reason="expected: policy DOMAIN"' "no domain: error"
is "$(q "$S" half 'policy a.test b.test')" 'mode=error reason="expected: policy DOMAIN (one domain)"' \
    "two domains: error"
is "$(q "$S" half 'policy -x..test')" 'mode=error reason="not a domain name"' "invalid domain: error"
is "$(q "$S" raw "b'policy enforce.te\\x00st'")" 'mode=error reason="control bytes in request"' "NUL byte: error"
is "$(q "$S" raw "b'policy enforce.test\\x1b[2J'")" 'mode=error reason="control bytes in request"' \
    "escape sequence: error"
like "$(q "$S" big 600)" 'mode=error reason="request too long"' "a 600-byte request: error, closed"
like "$(q "$S" big 200000)" 'mode=error reason="request too long"' "a 200 KB request: error, closed"
is "$(q "$S" raw "b''")" "b''" "nothing sent: closed without an answer"
like "$(q "$S" idle)" '^closed after [234] s$' "a silent client is closed after the idle timeout"
like "$(q "$S" partial 'policy enforce.te')" '^closed after [234] s$' \
    "a request never finished is closed after the request timeout"
out=$(q "$S" hold 16 'policy testing.test')
like "$out" "^mode=testing mx=mx.testing.test" "16 idle connections over a limit of 12: a new client is answered"
like "$out" "closed idle: ([4-9]|1[0-6])$" "and the connections idle the longest are closed"
check "the daemon is still running" kill -0 "$DPID"
is "$(grep -c 'malformed request' "$T/daemon.log")" "5" "each malformed request logged once"

# the real Exim: ${readsocket}, then fields picked with ${extract}
be() { exim -be "$1" 2>&1; }
SP=$T/run/exim.sock
RS="\${readsocket{$SP}{policy enforce.test}{5s}{}{mode=down}}"
is "$(be "$RS")" "mode=enforce mx=mx1.enforce.test:*.mx.enforce.test" "exim readsocket: the enforce answer"
is "$(be "\${extract{mode}{$RS}}")" "enforce" "exim extract: mode"
is "$(be "\${extract{mx}{$RS}}")" "mx1.enforce.test:*.mx.enforce.test" "exim extract: mx"
is "$(be "\${map{<: \${extract{mx}{$RS}}}{[\$item]}}")" "[mx1.enforce.test]:[*.mx.enforce.test]" \
    "exim: the mx field is a colon list"
is "$(be "\${if match{$RS}{\\N^mode=enforce( |\$)\\N}{yes}{no}}")" "yes" "exim match on the mode"
is "$(be "\${extract{mode}{\${readsocket{inet:127.0.0.1:$PORT}{policy testing.test}{5s}{}{mode=down}}}}")" \
    "testing" "exim readsocket inet: testing"
is "$(be "\${extract{mx}{\${readsocket{$SP}{policy testing.test}{5s}{}{mode=down}}}}")" "mx.testing.test" \
    "exim extract: testing mx"
for d in dane-all.test:dane-only dane-partial.test:dane none.test:none nothing.test:none; do
	is "$(be "\${extract{mode}{\${readsocket{$SP}{policy ${d%%:*}}{5s}{}{mode=down}}}}")" "${d#*:}" \
	    "exim: ${d%%:*} -> ${d#*:}"
done
is "$(be "\${extract{mode}{\${readsocket{$SP}{policy testing.test\n}{5s:shutdown=no}{}{mode=down}}}}")" \
    "testing" "exim readsocket with shutdown=no: the newline ends the request"
is "$(be "\${extract{reason}{\${readsocket{$SP}{policy a b}{5s}{}{mode=down}}}}")" \
    "expected: policy DOMAIN (one domain)" "exim extract: a quoted reason with blanks"
is "$(be "\${extract{mode}{\${readsocket{$SP}{policy a b}{5s}{}{mode=down}}}}")" "error" \
    "exim extract: mode of an error answer"

# outages: a cached enforce policy is still answered, never temp
world_https_stop
world_dns_stop
is "$(be "$RS")" "mode=enforce mx=mx1.enforce.test:*.mx.enforce.test" "DNS and HTTPS down: cached enforce answered"
world_dns_start

# the daemon down: the fail string of ${readsocket}
stop_daemon
is "$(be "$RS")" "mode=down" "daemon stopped: exim gets the fail string"
done_testing
