#!/bin/sh
# Exactly once: a large generated Postfix log is written to a live file in
# pieces (partial lines included), rotated by rename and by copytruncate
# while it is written, and the daemon following it is killed with SIGKILL
# at random moments and restarted again and again.  The stored counts
# must equal, record for record, those of one clean import of the same
# log with "tlspolicyctl ingest".
. "$top_srcdir/t/lib.sh"
need python3 db5.3_verify

LINES=${RESULTS_CRASH_LINES:-60000}
genlog "$LINES" 7 > "$T/all.log"
LINES=$(wc -l < "$T/all.log")   # whole deliveries: a few lines more
chmod 644 "$T/all.log"
check "tlspolicyd starts following the log" start_follower < /dev/null

python3 "$top_srcdir/t/logwriter.py" "$T/all.log" "$T/log/mail.log" 3 > "$T/writer.out" 2>&1 &
WPID=$!
bg_pids="$bg_pids $WPID"
rounds=0 fails=0
while [ $rounds -lt 25 ] || ! grep -q done "$T/writer.out"; do
	rounds=$((rounds + 1))
	sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 400 + 50 )))"
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	start_daemon || { fails=$((fails + 1)); diag "round $rounds: restart failed"; }
done
is "$fails" 0 "$rounds SIGKILL/restart rounds while the log was written and rotated, every restart came up"
check "the writer rotated by rename and by copytruncate" test -f "$T/log/mail.log.2"
check "the daemon resumed inside the rotated copies" grep -q 'rotated\|truncated' "$T/daemon.log"
check "the daemon catches up with all $LINES lines" wait_for 60 lines_read "$LINES"
ctl status | grep '^log ' | sed 's/^/# /'
stop_daemon
ctl results > "$T/crashed.txt" 2> "$T/results.log"

# the same log, imported once without interruption into another store
check "clean import" ingest_clean "$T/all.log"
sessions=$(grep -o 'successes=[0-9]* failures=[0-9]*' "$T/clean.txt" | tr -c '0-9\n' ' ' | awk '{s += $1 + $2} END {print s}')
check "the clean import counted sessions ($sessions)" test "${sessions:-0}" -gt 1000
same_file "$T/clean.txt" "$T/crashed.txt" "counts after $rounds SIGKILLs and two rotations equal the clean import's exactly"

# a second import of the same file adds nothing: it resumes at its end
before=$(cat "$T/clean.txt")
"$TLSPOLICYCTL" -c "$T/clean.conf" ingest "$T/all.log" > "$T/again.out" 2>&1
is "$("$TLSPOLICYCTL" -c "$T/clean.conf" results)" "$before" "importing the same file again counts nothing twice"
for db in result source; do
	out=$(cd "$T/state" && db5.3_verify -h "$T/state" "$db.db" 2>&1); rc=$?
	is "$rc" 0 "db5.3_verify $db.db after the crashes"
	[ "$rc" = 0 ] || diag "$out"
done
done_testing
