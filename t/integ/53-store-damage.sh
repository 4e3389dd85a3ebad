#!/bin/sh
# Damaged or lost store files are found and said, never counted twice or
# dropped in silence, and never stop lookups:
#   - a page of result.db or source.db overwritten (also in a result.db
#     from before page checksums): the daemon starts, answers lookups,
#     says which file is damaged and counts nothing; "tlspolicyctl
#     results" and "ingest" fail with the reason;
#   - policy.db overwritten: moved aside, the cache starts empty, the log
#     is still counted;
#   - source.db deleted: not read again from its start (the counts stay
#     as they were); result.db deleted or overwritten: said, "results"
#     fails; "tlspolicyctl store-accept" goes on from there.
. "$top_srcdir/t/lib.sh"
need postmap python3 db5.3_dump db5.3_load

genlog 3000 11 > "$T/all.log"
genlog 500 12 > "$T/more.log"
mkdir -p "$T/log"
cp "$T/all.log" "$T/log/mail.log"
LINES=$(wc -l < "$T/log/mail.log")
MORE=$(wc -l < "$T/more.log")
printf 'bank.example dane-only\n' > "$T/lp"
chmod 644 "$T/lp" "$T/log/mail.log" "$T/all.log"
write_conf <<C
local_policy_file = $T/lp
log_source = $T/log/mail.log
result_retention = 3650d
C
MAP="unix:$T/run/postfix.sock:postfix"


check "tlspolicyd starts" start_daemon
check "it reads the log" wait_for 30 lines_read "$LINES"
stop_daemon
ctl results > "$T/good.txt"
check "counts stored" test -s "$T/good.txt"
cp -a "$T/state" "$T/good"

# restore: the good state again
restore() {
	rm -rf "$T/state"
	cp -a "$T/good" "$T/state"
	cp "$T/all.log" "$T/log/mail.log"
	: > "$T/daemon.log"
}

# damage FILE [PAGE]: overwrite a page (the second) with garbage
damage() {
	dd if=/dev/urandom of="$T/state/$1" bs=4096 seek="${2:-1}" count=1 conv=notrunc 2>/dev/null
}

# started WHAT: the daemon came up and answers lookups
started() {
	check "$1: the daemon starts" start_daemon
	is "$(pm_q bank.example "$MAP")" dane-only "$1: lookups are answered"
}

# refused WHAT PATTERN ARGS: tlspolicyctl ARGS exits non-zero and says PATTERN
refused() {
	what=$1 pat=$2
	shift 2
	ctl "$@" > "$T/out" 2>&1
	rc=$?
	check "$what: tlspolicyctl $1 exits non-zero" test "$rc" != 0
	like "$(cat "$T/out")" "$pat" "$what: tlspolicyctl $1 says why"
}

# accepted WHAT PATTERN: tlspolicyctl store-accept succeeds and says PATTERN
accepted() {
	ctl store-accept > "$T/out" 2>&1
	rc=$?
	is "$rc" 0 "$1: tlspolicyctl store-accept"
	like "$(cat "$T/out")" "$2" "$1: store-accept says what it did"
}

# --- a page of source.db overwritten
restore
damage source.db
started "source.db damaged"
like "$(cat "$T/daemon.log")" "source.db is damaged \(.+\).*results are not counted" \
    "source.db damaged: said in the log"
like "$(ctl status)" "counting: paused: .*source.db is damaged" "source.db damaged: said in the status"
refused "source.db damaged, daemon running" "is running.*stop it first" store-accept
stop_daemon
refused "source.db damaged" "source.db is damaged.*store-accept" ingest "$T/all.log"
accepted "source.db damaged" "source.db moved to source.db.damaged.*counting starts at its current end"
check "source.db damaged: the damaged file kept aside" test -f "$T/state/source.db.damaged"
started "source.db damaged, accepted"
cat "$T/more.log" >> "$T/log/mail.log"
check "source.db damaged, accepted: only the new lines are read" wait_for 30 lines_read "$MORE"
stop_daemon
ctl results > "$T/out.txt"
check "source.db damaged, accepted: the new lines counted" sh -c "! cmp -s '$T/out.txt' '$T/good.txt'"

# --- a page of result.db overwritten
restore
damage result.db
refused "result.db damaged" "result.db is damaged \(.+\)" results
started "result.db damaged"
like "$(cat "$T/daemon.log")" "result.db is damaged \(.+\).*results are not counted" \
    "result.db damaged: said in the log"
stop_daemon
accepted "result.db damaged" "result.db moved to result.db.damaged"
started "result.db damaged, accepted"
cat "$T/more.log" >> "$T/log/mail.log"
check "result.db damaged, accepted: reading goes on from the saved position" \
    wait_for 30 lines_read "$((LINES + MORE))"
stop_daemon
ctl results > "$T/out.txt"; rc=$?
is "$rc" 0 "result.db damaged, accepted: tlspolicyctl results works again"

# --- the same in a result.db from before page checksums: this is the
# --- file that made Berkeley DB read past its region (SIGBUS)
restore
# legacy_result: result.db written again without checksums, as before
legacy_result() {
	(cd "$T/state" && rm -f result.db __db.0* store.seal && db5.3_load -h . result.db < ../dump \
	    && rm -f __db.0* && chown --reference=meta.db result.db && chmod 600 result.db)
}
(cd "$T/state" && db5.3_dump -h . result.db | sed '/^chksum=/d' > ../dump)
legacy_result
is "$(ctl results)" "$(cat "$T/good.txt")" "result.db without checksums: read as before"
check "result.db without checksums: it has none" sh -c \
    "! db5.3_dump -h '$T/state' result.db 2>/dev/null | grep -q '^chksum='"
for round in 1 2 3 4 5 6; do
	rm -rf "$T/state"
	cp -a "$T/good" "$T/state"
	legacy_result
	damage result.db
	ctl results > "$T/out" 2>&1
	rc=$?
	[ "$rc" = 1 ] && grep -q "result.db is damaged" "$T/out" || break
done
is "$rc" 1 "result.db without checksums, damaged: tlspolicyctl results fails, no crash (6 rounds)"
like "$(cat "$T/out")" "result.db is damaged" "result.db without checksums, damaged: says why"

# --- a page of policy.db (a cache) overwritten
restore
damage policy.db
started "policy.db damaged"
like "$(cat "$T/daemon.log")" "policy.db is damaged \(.+\): moved to policy.db.damaged; the MTA-STS policy cache starts empty" \
    "policy.db damaged: moved aside, said in the log"
cat "$T/more.log" >> "$T/log/mail.log"
check "policy.db damaged: the log is still counted" wait_for 30 lines_read "$((LINES + MORE))"
stop_daemon

# --- source.db deleted: reading the log again would double the counts
restore
rm -f "$T/state/source.db"
ctl results > "$T/out.txt" 2> "$T/err.txt"; rc=$?
check "source.db deleted: tlspolicyctl results exits non-zero" test "$rc" != 0
like "$(cat "$T/err.txt")" "source.db was deleted or replaced.*count twice.*store-accept" \
    "source.db deleted: tlspolicyctl results says why and what to do"
started "source.db deleted"
like "$(cat "$T/daemon.log")" "source.db was deleted or replaced.*results are not counted" \
    "source.db deleted: said in the log"
ctl status > "$T/status.txt"
like "$(cat "$T/status.txt")" "counting: paused" "source.db deleted: counting paused"
check "source.db deleted: the log is not followed" sh -c "! grep -q 'lines=' '$T/status.txt'"
stop_daemon
is "$(ctl results 2>/dev/null)" "$(cat "$T/good.txt")" "source.db deleted: counts as they were, not doubled"
mkdir -p "$T/dry"
chown nobody "$T/dry" 2>/dev/null
"$top_builddir/reporter/tlspolicy-report" -v -c "$T/tlspolicyd.conf" --day 2025-03-10 \
    --dry-run "$T/dry" > "$T/report.out" 2>&1
rc=$?
is "$rc" 1 "source.db deleted: tlspolicy-report refuses"
like "$(cat "$T/report.out")" "source.db was deleted.*no reports are sent" "source.db deleted: tlspolicy-report says why"
check "source.db deleted: no report written" sh -c "! ls '$T/dry' | grep -q ."
accepted "source.db deleted" "counting starts at its current end"
accepted "source.db deleted, accepted twice" "^nothing to accept: result.db and source.db match *$"
started "source.db deleted, accepted"
cat "$T/more.log" >> "$T/log/mail.log"
check "source.db deleted, accepted: only the new lines are read" wait_for 30 lines_read "$MORE"
stop_daemon

# --- result.db deleted: the counts are lost, said, not silently restarted
restore
rm -f "$T/state/result.db"
refused "result.db deleted" "result.db was deleted or replaced: the counts stored before are lost" results
started "result.db deleted"
like "$(cat "$T/daemon.log")" "result.db was deleted or replaced.*results are not counted" \
    "result.db deleted: said in the log"
stop_daemon
accepted "result.db deleted" "kept under a new stamp"
started "result.db deleted, accepted"
cat "$T/more.log" >> "$T/log/mail.log"
check "result.db deleted, accepted: reading goes on from the saved position" \
    wait_for 30 lines_read "$((LINES + MORE))"
stop_daemon

# --- both deleted: counting from scratch, as documented
restore
rm -f "$T/state/result.db" "$T/state/source.db"
started "both deleted"
check "both deleted: the log is read again from its start" wait_for 30 lines_read "$LINES"
stop_daemon
is "$(ctl results)" "$(cat "$T/good.txt")" "both deleted: the same counts again"

# --- result.db overwritten as a whole
restore
head -c 8192 /dev/urandom > "$T/state/result.db"
refused "result.db overwritten" "result.db is damaged" results
restore
: > "$T/state/result.db"
refused "result.db emptied" "result.db is damaged" results
started "result.db emptied"
stop_daemon
done_testing
