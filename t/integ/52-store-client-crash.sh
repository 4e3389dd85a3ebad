#!/bin/sh
# A client of the store killed with SIGKILL, idle or in the middle of a
# transaction, never takes the daemon down: it keeps answering lookups,
# keeps storing the counts of the log it follows, does not log a recovery
# loop, and the next client works.  Killed are: "tlspolicyctl ingest -"
# while it waits for input (then "tlspolicyctl results" runs), a client
# holding a write transaction, a client waiting for that transaction's
# lock, and "tlspolicyctl ingest FILE" at random moments of a large
# import (store opening, reading, inside its transaction, committing).
. "$top_srcdir/t/lib.sh"
need postmap python3 db5.3_verify setpriv
# the daemon reopens panicked environments, whose handles Berkeley DB does
# not free: not a leak of ours (sanitizer builds)
LSAN_OPTIONS="suppressions=$top_srcdir/t/lsan-bdb-panic.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

python3 "$top_srcdir/bench/genlog.py" 200000 3 > "$T/big.log"
mkdir -p "$T/log"
: > "$T/log/mail.log"
printf 'bank.example dane-only\n' > "$T/lp"
chmod 644 "$T/lp" "$T/log/mail.log" "$T/big.log"
write_conf <<C
local_policy_file = $T/lp
log_source = $T/log/mail.log
result_retention = 3650d
C
check "tlspolicyd starts" start_daemon
MAP="unix:$T/run/postfix.sock:postfix"
lines=0

seed=100

# stored - the daemon has read $lines lines and the counts it stored for
# the domains of its log (".followed") add up to the sessions it counted
stored() {
	sessions=$("$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" status 2>/dev/null \
	    | sed -n "s/^log .* lines=$lines .* sessions=\([0-9]*\) .*/\1/p")
	[ -n "$sessions" ] || return 1
	sum=$("$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" results 2>/dev/null | grep '\.followed ' \
	    | grep -o 'successes=[0-9]* failures=[0-9]*' | tr -c '0-9\n' ' ' \
	    | awk '{s += $1 + $2} END {print s + 0}')
	[ "$sessions" -gt 0 ] && [ "$sum" = "$sessions" ]
}

# round NAME: after a client was killed, a new client reads the results
# (the first to open the store after the death), then the daemon answers
# and stores the counts of a new piece of its log
round() {
	if ! ctl results > "$T/results.out" 2> "$T/results.err"; then
		fails=$((fails + 1))
		diag "$1: tlspolicyctl results failed: $(cat "$T/results.err")"
	fi
	if [ "$(pm_q bank.example "$MAP")" != dane-only ]; then
		fails=$((fails + 1))
		diag "$1: no answer to a lookup"
	fi
	seed=$((seed + 1))
	python3 "$top_srcdir/bench/genlog.py" 300 "$seed" | sed 's/\.example/.followed/g' > "$T/piece.log"
	cat "$T/piece.log" >> "$T/log/mail.log"
	lines=$((lines + $(wc -l < "$T/piece.log")))
	if ! wait_for 30 stored; then
		fails=$((fails + 1))
		diag "$1: the daemon did not store the counts of its log ($lines lines)"
		ctl status | sed 's/^/# /'
	fi
}

# 1. the reproducer: an idle "ingest -" killed, then "results"
mkfifo "$T/fifo"
chmod 666 "$T/fifo"
"$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" ingest - < "$T/fifo" > "$T/stream.out" 2>&1 &
ipid=$!
exec 7> "$T/fifo"
check "ingest - has joined the store" wait_for 10 grep -q '__db' "/proc/$ipid/maps"
kill -KILL "$ipid"
wait "$ipid" 2>/dev/null
exec 7>&-
fails=0
round "idle stream client"
is "$fails" 0 "after an idle 'ingest -' was killed: lookups, log counting and 'results' work"

# 2. a client holding a write transaction on result.db, and another one
# waiting for its lock inside Berkeley DB: the waiter killed first, then
# the holder
setpriv --reuid nobody --regid nogroup --clear-groups "$STORECLIENT" hold "$T/state" \
    > "$T/hold.out" 2>&1 &
hpid=$!
check "a client holds a transaction" wait_for 10 grep -q holding "$T/hold.out"
setpriv --reuid nobody --regid nogroup --clear-groups "$STORECLIENT" wait "$T/state" \
    > "$T/wait.out" 2>&1 &
wpid=$!
# blocked in the lock wait: asleep after saying so
check "a second client waits for its lock" wait_for 10 sh -c \
    "grep -q waiting '$T/wait.out' && grep -q '^State:.*S (sleeping)' /proc/$wpid/status"
fails=0
kill -KILL "$wpid"
wait "$wpid" 2>/dev/null
round "waiter killed"
kill -KILL "$hpid" 2>/dev/null
wait "$hpid" 2>/dev/null
round "holder killed"
is "$fails" 0 "after a waiting client and a client in a transaction were killed: lookups, stored counts and 'results' work"

# 3. imports killed at random moments
rounds=${CLIENT_CRASH_ROUNDS:-12}
fails=0
i=0
while [ $i -lt $rounds ]; do
	i=$((i + 1))
	cp "$T/big.log" "$T/import$i.log"
	chmod 644 "$T/import$i.log"
	touch -d '2 minutes ago' "$T/import$i.log"
	"$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" ingest "$T/import$i.log" > "$T/import.out" 2>&1 &
	ipid=$!
	# 0..199 ms: opening, reading, inside the transaction, committing
	sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 200 )))"
	kill -KILL "$ipid" 2>/dev/null
	wait "$ipid" 2>/dev/null
	round "import $i"
done
is "$fails" 0 "$rounds imports killed at random moments: lookups, log counting and 'results' work after each"

# 4. a whole import after all that, and its counts stay put on a rerun
check "a complete import works" ctl ingest "$T/big.log"
ctl results > "$T/after.txt"
ctl ingest "$T/big.log" > /dev/null 2>&1
is "$(ctl results)" "$(cat "$T/after.txt")" "importing the same file again counts nothing twice"

# no loop: at most two lines about the store (down, recovered) per client
# killed
down=$(grep -c 'store: \|PANIC\|run recovery\|DB_RUNRECOVERY' "$T/daemon.log")
check "no recovery loop in the daemon's log ($down lines)" test "$down" -le $((2 * (rounds + 3)))
grep 'store:' "$T/daemon.log" | sort | uniq -c | sort -rn | head -5 | sed 's/^/# /'
check "the daemon still answers" test "$(pm_q bank.example "$MAP")" = dane-only

kill "$DPID"
check "SIGTERM stops the daemon" wait_for 10 sh -c "! kill -0 $DPID"
wait "$DPID" 2>/dev/null
for db in result source; do
	out=$(cd "$T/state" && db5.3_verify -h "$T/state" "$db.db" 2>&1); rc=$?
	is "$rc" 0 "db5.3_verify $db.db"
	[ "$rc" = 0 ] || diag "$out"
done
done_testing
