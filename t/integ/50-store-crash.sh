#!/bin/sh
# SIGKILL at random moments (during store creation, recovery, and while
# serving) never leaves the store unusable: every restart comes up and
# answers, and Berkeley DB's own verifier finds the databases sound.
. "$top_srcdir/t/lib.sh"
need postmap db5.3_verify

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
done_testing
