#!/bin/sh
# A full disk under the store: the daemon keeps answering lookups, logs
# the failing writes once (not once per write), keeps what it read in
# memory and reads no further, neither crashes (no SIGBUS: nothing of the
# store is mapped from a file) nor hangs, and once space is freed it
# stores again: the counts then equal those of a clean import, nothing
# lost or doubled.  SIGTERM stops it while the disk is full.  The state
# directory is a small tmpfs.
. "$top_srcdir/t/lib.sh"
need python3 postmap timeout mount umount
need_root

genlog 6000 5 > "$T/all.log"
LINES=$(wc -l < "$T/all.log")
HALF=$((LINES / 2))
mkdir -p "$T/state"
chmod 644 "$T/all.log"
mount -t tmpfs -o size=6m,mode=0700 tmpfs "$T/state" || skip_all "cannot mount a tmpfs"
trap 'umount "$T/state" 2>/dev/null; cleanup' EXIT
chown nobody "$T/state"
printf 'bank.example dane-only\n' > "$T/lp"
chmod 644 "$T/lp"
check "tlspolicyd starts on the small file system" start_follower <<C
local_policy_file = $T/lp
C
SOCK="unix:$T/run/postfix.sock:postfix"
lookup() { [ "$(timeout 20 postmap -c "$(postfix_dir)" -q bank.example "socketmap:$SOCK")" = dane-only ]; }
failed_writes() { timeout 20 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" status | sed -n 's/^store_failed_writes: //p'; }
failing_for() { [ "$(failed_writes)" -ge "$1" ]; }

head -n "$HALF" "$T/all.log" >> "$T/log/mail.log"
check "the first half is counted" wait_for 30 lines_read "$HALF"

# fill the file system
dd if=/dev/zero of="$T/state/filler" bs=64k 2>/dev/null
check "the file system is full" sh -c "! dd if=/dev/zero of='$T/state/filler2' bs=4k count=1 2>/dev/null"
rm -f "$T/state/filler2"
loglines=$(wc -l < "$T/daemon.log")
tail -n +$((HALF + 1)) "$T/all.log" >> "$T/log/mail.log"
check "writes fail (store_failed_writes counts them)" wait_for 30 failing_for 1
recoveries() { timeout 20 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" status | sed -n 's/^store_recoveries: //p'; }
recovered_twice() { [ "$(recoveries)" -ge 2 ]; }
check "the daemon reopens the store with recovery, again and again" wait_for 60 recovered_twice
n=0 bad=0
while [ $n -lt 20 ]; do n=$((n + 1)); lookup || bad=$((bad + 1)); done
is "$bad" 0 "20 lookups answered with the disk full"
check "the daemon is alive" kill -0 "$DPID"
ctl status | grep -E '^(log |store)' | sed 's/^/# /'
timeout 60 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" results > /dev/null 2> "$T/results.err"; rc=$?
check "tlspolicyctl results ends by itself, without a signal (exit $rc)" test "$rc" -lt 124
diag "results: $(head -c 300 "$T/results.err")"
check "lookups still answered after that" lookup
new=$(tail -n +$((loglines + 1)) "$T/daemon.log" | grep -c .)
check "the failing writes logged once, not per write ($new lines)" test "$new" -le 8
tail -n +$((loglines + 1)) "$T/daemon.log" | head -8 | sed 's/^/# /'

# what the counts must be: one clean import of the whole log
ingest_clean "$T/all.log" /^control_socket/d > /dev/null
check "the clean import counted sessions" test "$(wc -l < "$T/clean.txt")" -gt 50

# space again: the daemon (retrying with a backoff of at most 30 s)
# stores what it kept, and reads on
rm -f "$T/state/filler"
check "the daemon says writes work again" wait_for 90 grep -q 'store: writes work again' "$T/daemon.log"
stored() {
	timeout 60 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" results > "$T/after.txt" 2>/dev/null \
	    && cmp -s "$T/clean.txt" "$T/after.txt"
}
wait_for 60 stored
same_file "$T/clean.txt" "$T/after.txt" "the counts equal a clean import's: nothing lost or doubled by the full disk" 10

# full again, then SIGTERM (whether the writes fail by then or still
# land in the log file, which recovery left at its full size)
dd if=/dev/zero of="$T/state/filler" bs=64k 2>/dev/null
genlog 2000 9 >> "$T/log/mail.log"
check "lookups answered" lookup
t0=$(date +%s%N)
kill -TERM "$DPID"
check "SIGTERM stops the daemon with the disk full" wait_for 10 sh -c "! kill -0 $DPID"
diag "stopped after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
wait "$DPID"; rc=$?
is "$rc" 0 "exit status 0 (no SIGBUS)"
done_testing
