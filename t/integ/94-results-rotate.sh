#!/bin/sh
# Rotation while the daemon is stopped: a generated Postfix log is
# appended to the followed file in pieces, and between two runs of the
# daemon logrotate rotates it once or twice, by rename ("create") and by
# copytruncate, with lines written before, between and after the
# rotations.  After each start every line is read, and at the end the
# stored counts equal, record for record, those of one clean import of
# the concatenated log with "tlspolicyctl ingest".  Then the generation of
# the saved position is rotated away for good ("rotate 1", twice): its
# unread lines are reported lost (log, status), the generation written
# after it and the new file are still read.
. "$top_srcdir/t/lib.sh"
need python3 logrotate split

genlog 12000 11 > "$T/all.log"
split -n l/12 -d "$T/all.log" "$T/piece."
genlog 300 12 > "$T/extra.log"
split -n l/3 -d "$T/extra.log" "$T/extra."
L=$T/log/mail.log
mkdir -p "$T/log"
chmod 755 "$T/log"
cat "$T/piece.00" > "$L"
chmod 644 "$L" "$T/all.log"
write_conf <<C
log_source = $L
result_retention = 3650d
C

# rotate STYLE [COUNT]: what logrotate does for a log with STYLE (create
# or copytruncate), keeping COUNT generations
rotate() {
	printf '%s {\n\trotate %s\n\tnocompress\n\t%s\n\tmissingok\n}\n' \
	    "$L" "${2:-9}" "$(if [ "$1" = create ]; then echo 'create 0644'; else echo copytruncate; fi)" \
	    > "$T/logrotate.conf"
	logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" || diag "logrotate $1 failed"
	chmod 644 "$L"
}
add() { cat "$T/$1" >> "$L"; }
lines_are() { ctl status | grep -q "^log $L: lines=$1 "; }
read_upto() {   # the number of lines of the pieces up to piece N
	cat $(i=0; while [ $i -le "$1" ]; do printf '%s/piece.%02d ' "$T" $i; i=$((i + 1)); done) | wc -l
}

check "tlspolicyd starts following the log" start_daemon
check "the first piece is read" wait_for 60 lines_are "$(read_upto 0)"

stop_daemon
add piece.01; rotate create; add piece.02
start_daemon
check "renamed once while stopped: the rest of mail.log.1, then the new file" \
    wait_for 60 lines_are "$(read_upto 2)"

kill -KILL "$DPID"; wait "$DPID" 2>/dev/null
add piece.03; rotate create; add piece.04; rotate create; add piece.05
start_daemon
check "renamed twice after a SIGKILL: mail.log.2's rest, mail.log.1, the new file" \
    wait_for 60 lines_are "$(read_upto 5)"

stop_daemon
add piece.06; rotate copytruncate; add piece.07; rotate copytruncate; add piece.08
start_daemon
check "copytruncate twice while stopped: the rest from the older copy, the newer copy, the file" \
    wait_for 60 lines_are "$(read_upto 8)"

stop_daemon
add piece.09; rotate create; add piece.10; rotate copytruncate; add piece.11
start_daemon
check "renamed then copytruncated while stopped: every line read" \
    wait_for 60 lines_are "$(read_upto 11)"
like "$(ctl status | grep "^log $L:")" " gaps=0$" "status: no lines lost"
check "no loss logged" sh -c "! grep -q 'LINES LOST' '$T/daemon.log'"
check "each resume found the saved file" test "$(grep -c 'rotated while stopped' "$T/daemon.log")" -eq 4
stop_daemon
ctl results > "$T/rotated.txt"

check "clean import" ingest_clean "$T/all.log"
sessions=$(grep -o 'successes=[0-9]* failures=[0-9]*' "$T/clean.txt" | tr -c '0-9\n' ' ' | awk '{s += $1 + $2} END {print s}')
check "the clean import counted sessions ($sessions)" test "${sessions:-0}" -gt 500
same_file "$T/clean.txt" "$T/rotated.txt" "counts after seven rotations while stopped equal the clean import's exactly"

# the saved file rotated away for good: extra.00 is lost, loudly
all=$(read_upto 11)
rm -f "$L".[0-9]*   # generations read already, as an admin cleans up
add extra.00; rotate create 1; add extra.01; rotate create 1; add extra.02
check "the saved file is gone (rotate 1): only mail.log.1 is left" test "$(ls "$T/log")" = "$(printf 'mail.log\nmail.log.1')"
start_daemon
want=$((all + $(cat "$T/extra.01" "$T/extra.02" | wc -l)))
check "the generation written after the lost one and the new file are read" \
    wait_for 60 lines_are "$want"
like "$(ctl status | grep "^log $L:")" " gaps=1" "status: one loss"
# the saved position: the end of piece.11, alone in the file after the
# copytruncate
like "$(ctl status | grep "^log $L: LINES LOST")" "offset $(wc -c < "$T/piece.11") " \
    "status: the loss, with the offset of the saved position"
check "the loss is logged as an error" grep -q "error: log $L: LINES LOST" "$T/daemon.log"
stop_daemon
done_testing
