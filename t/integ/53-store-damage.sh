#!/bin/sh
# Damaged or lost store files are found and said, never counted twice or
# dropped in silence, and never stop lookups:
#   - a page of source.db or result.db overwritten: the daemon starts,
#     answers lookups, says the file is damaged and counts nothing;
#     "tlspolicyctl results" and "ingest" fail with a message;
#   - policy.db overwritten: moved aside, the cache starts empty;
#   - source.db deleted: the counts are not doubled; result.db deleted:
#     they are rebuilt from the log; both said in the log, and
#     "tlspolicyctl results" fails until the daemon has dealt with it.
. "$top_srcdir/t/lib.sh"
need postmap python3

python3 "$top_srcdir/bench/genlog.py" 3000 11 > "$T/all.log"
mkdir -p "$T/log"
cp "$T/all.log" "$T/log/mail.log"
LINES=$(wc -l < "$T/log/mail.log")
printf 'bank.example dane-only\n' > "$T/lp"
chmod 644 "$T/lp" "$T/log/mail.log" "$T/all.log"
write_conf <<C
local_policy_file = $T/lp
log_source = $T/log/mail.log
result_retention = 3650d
C
MAP="unix:$T/run/postfix.sock:postfix"

counted() {
	"$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" status 2>/dev/null | grep -q "lines=$LINES "
}

check "tlspolicyd starts" start_daemon
check "it reads the log" wait_for 30 counted
stop_daemon
ctl results > "$T/good.txt"
check "counts stored" test -s "$T/good.txt"
cp -a "$T/state" "$T/good"

# restore: the good state again
restore() {
	rm -rf "$T/state"
	cp -a "$T/good" "$T/state"
}

# damage FILE: overwrite its second page with garbage
damage() {
	dd if=/dev/urandom of="$T/state/$1" bs=4096 seek=1 count=1 conv=notrunc 2>/dev/null
}

# started WHAT: the daemon came up and answers lookups
started() {
	check "$1: the daemon starts" start_daemon
	is "$(pm_q bank.example "$MAP")" dane-only "$1: lookups are answered"
}

# --- a page of source.db overwritten
restore
damage source.db
started "source.db damaged"
like "$(cat "$T/daemon.log")" "source.db is damaged.*results are not counted" \
    "source.db damaged: said in the log"
stop_daemon
ctl ingest "$T/all.log" > "$T/out" 2>&1; rc=$?
check "source.db damaged: tlspolicyctl ingest fails" test "$rc" != 0
like "$(cat "$T/out")" "source.db is damaged" "source.db damaged: ingest says why"

# --- a page of result.db overwritten
restore
damage result.db
ctl results > "$T/out" 2>&1; rc=$?
check "result.db damaged: tlspolicyctl results fails" test "$rc" != 0
like "$(cat "$T/out")" "result.db is damaged" "result.db damaged: results says why"
: > "$T/daemon.log"
started "result.db damaged"
like "$(cat "$T/daemon.log")" "result.db is damaged.*results are not counted" \
    "result.db damaged: said in the log"
stop_daemon

# --- a page of policy.db (a cache) overwritten
restore
damage policy.db
: > "$T/daemon.log"
started "policy.db damaged"
like "$(cat "$T/daemon.log")" "policy.db is damaged.*moved to policy.db.damaged-" \
    "policy.db damaged: moved aside, said in the log"
check "policy.db damaged: the log is still counted" wait_for 30 counted
stop_daemon
is "$(ctl results)" "$(cat "$T/good.txt")" "policy.db damaged: counts unchanged"

# --- source.db deleted: reading the log again must not double the counts
restore
rm -f "$T/state/source.db"
ctl results > "$T/out" 2>&1; rc=$?
check "source.db deleted: tlspolicyctl results fails" test "$rc" != 0
like "$(cat "$T/out")" "source.db was deleted or replaced" "source.db deleted: results says why"
: > "$T/daemon.log"
started "source.db deleted"
like "$(cat "$T/daemon.log")" "source.db was deleted or replaced.*counting afresh.*result.db.unmatched-" \
    "source.db deleted: said in the log, old counts moved aside"
check "source.db deleted: the log is read again" wait_for 30 counted
stop_daemon
is "$(ctl results)" "$(cat "$T/good.txt")" "source.db deleted: counts equal, not doubled"

# --- result.db deleted: the counts are rebuilt from the log
restore
rm -f "$T/state/result.db"
ctl results > "$T/out" 2>&1; rc=$?
check "result.db deleted: tlspolicyctl results fails" test "$rc" != 0
like "$(cat "$T/out")" "result.db was deleted or replaced" "result.db deleted: results says why"
: > "$T/daemon.log"
started "result.db deleted"
like "$(cat "$T/daemon.log")" "result.db was deleted or replaced.*counting afresh" \
    "result.db deleted: said in the log"
check "result.db deleted: the log is read again" wait_for 30 counted
stop_daemon
is "$(ctl results)" "$(cat "$T/good.txt")" "result.db deleted: counts rebuilt"
done_testing
