#!/bin/sh
# A full state_directory never takes the daemon down: with no space left
# it keeps answering lookups promptly (postmap and "tlspolicyctl query"),
# says once that the store is down, serves SIGTERM, and once space is
# free again it recovers, says so once, and stores the counts of the
# lines it read meanwhile and after.  "tlspolicyctl results" and
# "ingest" on the full disk end with a message, not a signal.  The daemon
# also starts on a full disk and answers lookups.  The state directory is
# a small tmpfs filled up with a file.
. "$top_srcdir/t/lib.sh"
need_root
need postmap python3 mount umount
LSAN_OPTIONS="suppressions=$top_srcdir/t/lsan-bdb-panic.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

mkdir -p "$T/state" "$T/log"
if ! mount -t tmpfs -o "size=32m,mode=0700,uid=$(id -u nobody),gid=$(id -g nobody)" \
    tmpfs "$T/state" 2>/dev/null; then
	skip_all "cannot mount a tmpfs"
fi
# the tmpfs goes before lib.sh's cleanup removes $T
trap 'kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; umount -l "$T/state"; cleanup' EXIT

: > "$T/log/mail.log"
printf 'bank.example dane-only\n' > "$T/lp"
chmod 644 "$T/lp" "$T/log/mail.log"
write_conf <<C
local_policy_file = $T/lp
log_source = $T/log/mail.log
result_retention = 3650d
C
MAP="unix:$T/run/postfix.sock:postfix"
lines=0
seed=200

# piece: append a piece of log for the domains ".followed"
piece() {
	seed=$((seed + 1))
	python3 "$top_srcdir/bench/genlog.py" 300 "$seed" | sed 's/\.example/.followed/g' \
	    > "$T/piece.log"
	cat "$T/piece.log" >> "$T/log/mail.log"
	lines=$((lines + $(wc -l < "$T/piece.log")))
}

# read_all: the daemon has read the $lines lines of its log
read_all() {
	ctl status 2>/dev/null | grep -q "^log .* lines=$lines "
}

# stored: the daemon read $lines lines and the counts stored for the
# domains of its log add up to the sessions it counted
stored() {
	sessions=$(ctl status 2>/dev/null \
	    | sed -n "s/^log .* lines=$lines .* sessions=\([0-9]*\) .*/\1/p")
	[ -n "$sessions" ] || return 1
	sum=$(ctl results 2>/dev/null | grep '\.followed ' \
	    | grep -o 'successes=[0-9]* failures=[0-9]*' | tr -c '0-9\n' ' ' \
	    | awk '{s += $1 + $2} END {print s + 0}')
	[ "$sessions" -gt 0 ] && [ "$sum" = "$sessions" ]
}

# answers WHAT: a lookup through postmap and one through tlspolicyctl,
# each within 5 seconds
answers() {
	is "$(timeout 5 postmap -c "$(postfix_dir)" -q bank.example "socketmap:$MAP")" \
	    dane-only "$1: postmap -q is answered"
	like "$(timeout 5 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" query bank.example)" \
	    "reply: OK dane-only" "$1: tlspolicyctl query is answered"
}

# fill: no space left in the state directory
fill() {
	cat /dev/zero > "$T/state/filler" 2>/dev/null
	sync
	check "the state directory is full" test "$(df -P "$T/state" | awk 'NR == 2 {print $4}')" -eq 0
}

# noisy: the lines about the store in the daemon's log
noisy() {
	grep -c 'store: \|PANIC\|run recovery\|DB_RUNRECOVERY\|No space\|store checkpoint' \
	    "$T/daemon.log"
}

check "tlspolicyd starts" start_daemon
piece
check "it stores the counts of its log" wait_for 30 stored

# --- the disk fills up while the daemon runs
fill
n0=$(noisy)
for i in 1 2 3 4 5 6; do
	piece
	check "piece $i: the daemon reads its log on the full disk" wait_for 30 read_all
	answers "full disk, piece $i"
done
check "the daemon is alive" kill -0 "$DPID"
check "the daemon says the store is down" wait_for 30 grep -q 'store: .*lookups are answered' \
    "$T/daemon.log"
sleep 3   # the store check runs every second: room for a flood to show
n1=$(noisy)
check "a few lines about the full store, not a flood ($((n1 - n0)))" test $((n1 - n0)) -le 2
like "$(grep 'store: ' "$T/daemon.log")" "No space left on device" "the reason is said"
grep 'store' "$T/daemon.log" | tail -n 5 | sed 's/^/# /'

out=$(ctl results 2>&1); rc=$?
check "tlspolicyctl results on the full disk: no signal (exit $rc)" test "$rc" -lt 128
[ "$rc" = 0 ] || like "$out" "tlspolicyctl: .*" "results: a message ($out)"
python3 "$top_srcdir/bench/genlog.py" 200 7 > "$T/import.log"
chmod 644 "$T/import.log"
touch -d '2 minutes ago' "$T/import.log"
out=$(ctl ingest "$T/import.log" 2>&1); rc=$?
check "tlspolicyctl ingest on the full disk: no signal, not success (exit $rc)" \
    test "$rc" -gt 0 -a "$rc" -lt 128
like "$out" "No space left on device" "ingest: a message saying why"

# --- space again
rm -f "$T/state/filler"
check "the daemon says it is back" wait_for 30 grep -q 'store: recovered\|store: .*storing again' \
    "$T/daemon.log"
piece
check "it stores the counts of every line, those read while the disk was full too" \
    wait_for 60 stored
answers "after recovery"
check "ingest works again" ctl ingest "$T/import.log"

# --- SIGTERM on a full disk
fill
piece
check "it reads its log" wait_for 30 read_all
answers "full again"
kill "$DPID"
check "SIGTERM stops the daemon on a full disk" wait_for 10 sh -c "! kill -0 $DPID"
wait "$DPID" 2>/dev/null
rc=$?
check "it exited without a signal (exit $rc)" test "$rc" -lt 128

# --- start on a full disk, its regions to be made anew: lookups are
# answered
rm -f "$T/state/"__db.*
fill
n0=$(grep -c 'store: .*lookups are answered' "$T/daemon.log")
check "tlspolicyd starts on a full disk" start_daemon
answers "started on a full disk"
check "it says the store is down" wait_for 30 sh -c \
    "test \$(grep -c 'store: .*lookups are answered' '$T/daemon.log') -gt $n0"
piece
sleep 3   # room for a flood to show
n1=$(grep -c 'store: .*lookups are answered' "$T/daemon.log")
check "one line about it, not a flood ($((n1 - n0)))" test $((n1 - n0)) -eq 1
rm -f "$T/state/filler"
check "once there is room, it opens the store" wait_for 30 sh -c \
    "test \$(grep -c 'store: recovered' '$T/daemon.log') -gt 1"
check "and stores the counts of its log, from where it was" wait_for 60 stored
kill "$DPID"
check "SIGTERM stops it" wait_for 10 sh -c "! kill -0 $DPID"
wait "$DPID" 2>/dev/null
done_testing
