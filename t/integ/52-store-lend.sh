#!/bin/sh
# A client killed while it has the store borrowed costs nothing: the
# daemon follows a log while "tlspolicyctl ingest -" borrows the store and
# is killed with SIGKILL, again and again, at varied moments (holding it,
# committing, waiting for it).  After each kill, "tlspolicyctl results"
# works, socketmap lookups answer, and the daemon logs no Berkeley DB panic;
# at the end the counts of the followed log equal those of one clean
# import, and SIGTERM stops the daemon at once.  Every step is bounded by
# a timeout, so that a wedge fails the test instead of hanging it.
. "$top_srcdir/t/lib.sh"
need python3 postmap timeout db5.3_verify

ROUNDS=${STORE_LEND_ROUNDS:-20}
genlog 20000 11 > "$T/all.log"
LINES=$(wc -l < "$T/all.log")
chmod 644 "$T/all.log"
printf 'bank.example dane-only\n' > "$T/lp"
chmod 644 "$T/lp"
check "tlspolicyd starts" start_follower <<C
local_policy_file = $T/lp
C
SOCK="unix:$T/run/postfix.sock:postfix"

# holder: the pid written in the store's lock file (empty when free)
holder() { cat "$T/state/store.lock" 2>/dev/null | tr -d '\n'; }
held_by() { [ "$(holder)" = "$1" ]; }
# lines that are read and committed (a borrow each time) but count nothing
noise() { i=0; while [ $i -lt "$1" ]; do echo "Mar 10 00:00:00 mx other[1]: noise $i"; i=$((i + 1)); done; }

chunk=$((LINES / ROUNDS + 1))
fails=0 held=0 results_ms_max=0 back_ms_max=0
mkfifo "$T/feed"
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	# the ingest has to ask the daemon for the store
	wait_for 20 has_store || diag "round $r: the daemon does not have its store"
	# the daemon's log grows meanwhile
	sed -n "$(( (r - 1) * chunk + 1 )),$(( r * chunk ))p" "$T/all.log" >> "$T/log/mail.log"
	"$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" ingest - < "$T/feed" > "$T/ingest.$r.out" 2>&1 &
	IPID=$!
	exec 3> "$T/feed"
	noise 50 >&3
	case $((r % 4)) in
	0)	# as soon as it holds the store
		wait_for 20 held_by "$IPID" && held=$((held + 1)) ;;
	1)	# while it is borrowing or committing again
		noise 100 >&3
		sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 300 )))" ;;
	2)	# idle: it has given the store back, then gets new input
		wait_for 20 held_by "$IPID"
		wait_for 20 sh -c "! grep -qx '$IPID' '$T/state/store.lock'"
		noise 10 >&3
		sleep "0.0$(( $(od -An -N2 -tu2 /dev/urandom) % 10 ))" ;;
	*)	# at a random moment of its first second
		sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 1000 )))" ;;
	esac
	[ "$(holder)" = "$IPID" ] && held=$((held + 1))
	kill -KILL "$IPID" 2>/dev/null
	wait "$IPID" 2>/dev/null
	exec 3>&-
	# the daemon takes its store back by itself
	t0=$(date +%s%N)
	if ! wait_for 20 has_store; then
		fails=$((fails + 1))
		diag "round $r: the daemon did not take its store back"
	fi
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -gt "$back_ms_max" ] && back_ms_max=$ms
	t0=$(date +%s%N)
	if ! timeout 60 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" results > "$T/results.out" 2> "$T/results.err"; then
		fails=$((fails + 1))
		diag "round $r: results failed: $(cat "$T/results.err")"
	fi
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -gt "$results_ms_max" ] && results_ms_max=$ms
	if [ "$(timeout 20 postmap -c "$(postfix_dir)" -q bank.example "socketmap:$SOCK")" != dane-only ]; then
		fails=$((fails + 1))
		diag "round $r: no socketmap answer"
	fi
	kill -0 "$DPID" 2>/dev/null || { fails=$((fails + 1)); diag "round $r: the daemon died"; break; }
done
is "$fails" 0 "$ROUNDS ingests killed with SIGKILL: results and lookups worked after each"
diag "$held kills landed while the ingest held the store; longest from a kill until the daemon had its store again: $back_ms_max ms; slowest results (borrowing from the daemon): $results_ms_max ms"
check "some kills landed while the ingest held the store" test "$held" -ge $((ROUNDS / 4))
lacks 'panic|run recovery|DB_RUNRECOVERY' "$T/daemon.log" "no Berkeley DB panic in the daemon's log"
check "the daemon lent the store and took it back" grep -q 'store: back from pid' "$T/daemon.log"

# the rest of the log; the daemon catches up and its counts are exact
sed -n "$(( ROUNDS * chunk + 1 )),\$p" "$T/all.log" >> "$T/log/mail.log"
check "the daemon catches up with all $LINES lines" wait_for 60 lines_read "$LINES"
ctl status | grep -E '^(log |store)' | sed 's/^/# /'
timeout 60 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" results > "$T/followed.txt"
ingest_clean "$T/all.log" /^control_socket/d > /dev/null
check "the clean import counted sessions" test "$(wc -l < "$T/clean.txt")" -gt 100
same_file "$T/clean.txt" "$T/followed.txt" "the followed log's counts equal a clean import's: nothing counted twice or lost"
# a later ingest of the same file into the daemon's store adds exactly its counts
timeout 60 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" ingest "$T/all.log" > "$T/later.out" 2>&1
like "$(cat "$T/later.out")" "$LINES lines" "a later ingest borrows the store and reads every line"

t0=$(date +%s%N)
kill -TERM "$DPID"
check "SIGTERM stops the daemon within 10 s" wait_for 10 sh -c "! kill -0 $DPID"
diag "stopped after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
wait "$DPID" 2>/dev/null
for db in result source decision; do
	out=$(cd "$T/state" && db5.3_verify -h "$T/state" "$db.db" 2>&1); rc=$?
	is "$rc" 0 "db5.3_verify $db.db after the kills"
	[ "$rc" = 0 ] || diag "$out"
done
grep -E 'store: (lent|back)' "$T/daemon.log" | tail -4 | sed 's/^/# /'
done_testing
