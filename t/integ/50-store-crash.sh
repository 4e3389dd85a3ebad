#!/bin/sh
# SIGKILL at random moments (during store creation, recovery, and while
# serving) never leaves the store unusable: every restart comes up and
# answers, and Berkeley DB's own verifier finds the databases sound.
# A SIGKILL right after a cold MTA-STS lookup keeps its decision record.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need postmap db5.3_verify db5.3_dump nsd unbound unbound-control ldns-signzone openssl python3

printf 'bank.example dane-only\n' > "$T/lp"
chmod 644 "$T/lp"
write_conf <<C
local_policy_file = $T/lp
C
i=0
rounds=25
fails=0
while [ $i -lt $rounds ]; do
	i=$((i + 1))
	"$TLSPOLICYD" -f -c "$T/tlspolicyd.conf" >> "$T/daemon.log" 2>&1 &
	pid=$!
	# 0..249 ms: early kills land in store creation and recovery
	sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 250 )))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# stale sockets of the killed daemon must not block the next one
	if ! start_daemon; then
		fails=$((fails + 1))
		diag "round $i: restart after SIGKILL failed"
		continue
	fi
	[ "$(pm_q bank.example "unix:$T/run/postfix.sock:postfix")" = dane-only ] || {
		fails=$((fails + 1))
		diag "round $i: no answer after restart"
	}
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
done
is "$fails" "0" "$rounds SIGKILL/restart rounds: every restart came up and answered"
check "restart after the last SIGKILL" start_daemon
like "$(ctl status)" "uptime:" "daemon serves"
stop_daemon
for db in meta policy decision result report dane source; do
	out=$(cd "$T/state" && db5.3_verify -h "$T/state" "$db.db" 2>&1); rc=$?
	is "$rc" "0" "db5.3_verify $db.db after the crashes"
	[ "$rc" = 0 ] || diag "$out"
done
check "every restart logged ready" test "$(grep -c ' ready ' "$T/daemon.log")" -ge $((rounds + 1))

# The policy and the decision record of a lookup are written before its
# answer leaves: killed the moment the answer is in, the daemon has lost
# neither once the next start has recovered the store.
world_dns_up
world_https_up
world_dns_batch
for n in 1 2 3; do
	world_sts "crash$n.test" "$n" "$(printf 'version: STSv1\nmode: enforce\nmx: mx.crash%s.test\nmax_age: 86400\n' $n)"
done
world_dns_commit
world_https_stop
world_https_start
write_conf <<C
local_policy_file = $T/lp
mta_sts = yes
dns_resolver = $WORLD_DNS
sts_ca_file = $WORLD_CA
sts_https_port = $WORLD_HTTPS_PORT
lookup_timeout = 5s
C
for n in 1 2 3; do
	start_daemon || { not_ok "daemon starts for cold lookup $n"; continue; }
	is "$(pm_q "crash$n.test" "unix:$T/run/postfix.sock:postfix")" \
	    "secure match=mx.crash$n.test servername=hostname" "cold lookup $n answered"
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
done
# the next start recovers the store; its clean stop leaves it closed
check "restart after the kills" start_daemon
stop_daemon
dump=$("$STOREDUMP" "$T/state" - decision.db 2>&1)
today=$(date -u +%Y-%m-%d)
has() { printf '%s\n' "$dump" | grep -qxF " $today\\09$1"; }
for n in 1 2 3; do
	check "decision of cold lookup $n kept through the SIGKILL after its answer" \
	    has "crash$n.test\\09sts\\09$n"
done
# without the HTTPS server, the policies come from the recovered cache
world_https_stop
check "start without the HTTPS server" start_daemon
for n in 1 2 3; do
	is "$(pm_q "crash$n.test" "unix:$T/run/postfix.sock:postfix")" \
	    "secure match=mx.crash$n.test servername=hostname" \
	    "policy of cold lookup $n kept through the SIGKILL after its answer"
done
stop_daemon
done_testing
