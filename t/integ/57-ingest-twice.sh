#!/bin/sh
# No log is counted twice: "tlspolicyctl ingest" refuses a file that the
# daemon follows as a log_source - by its name, through a symbolic or hard
# link, as a rotated generation (mail.log.1), or under any name when it
# is the file of the log_source's saved position - and the counts stay
# those of one reading.  Another file is imported as before.
. "$top_srcdir/t/lib.sh"
need python3 postmap

genlog 300 5 > "$T/all.log"
mkdir -p "$T/log"
cp "$T/all.log" "$T/log/mail.log"
chmod 644 "$T/all.log" "$T/log/mail.log"
write_conf <<C
log_source = $T/log/mail.log
result_retention = 3650d
C
# the counts of one reading, in a store of their own
mkdir -p "$T/clean"
sed -e '/^log_source/d' -e 's/^user = .*/user =/' -e "s|^state_directory = .*|state_directory = $T/clean|" \
    "$T/tlspolicyd.conf" > "$T/clean.conf"
check "clean import" "$TLSPOLICYCTL" -c "$T/clean.conf" ingest "$T/all.log"
"$TLSPOLICYCTL" -c "$T/clean.conf" results > "$T/once.txt"
check "the log has counts" test -s "$T/once.txt"

check "tlspolicyd starts" start_daemon
same() { ctl results > "$T/now.txt" 2>&1 && cmp -s "$T/once.txt" "$T/now.txt"; }
check "the daemon counted the followed log once" wait_for 20 same

refused() {   # refused NAME FILE PATTERN
	out=$(ctl ingest "$2" 2>&1); rc=$?
	like "$rc $out" "^1 tlspolicyctl: .*$3.*twice" "$1: refused, with the reason"
	check "$1: the counts are those of one reading" same
}
refused "the log_source itself" "$T/log/mail.log" "is log_source $T/log/mail.log"
ln -s "$T/log/mail.log" "$T/link.log"
refused "a symbolic link to it" "$T/link.log" "is log_source"
ln "$T/log/mail.log" "$T/hard.log"
refused "a hard link to it" "$T/hard.log" "is log_source"
rm "$T/hard.log"
stop_daemon
# renamed while the daemon was stopped: only its saved position knows it
mv "$T/log/mail.log" "$T/moved.log"
refused "the followed file under another name" "$T/moved.log" "is the file tlspolicyd follows as log_source"
mv "$T/moved.log" "$T/log/mail.log.1"
: > "$T/log/mail.log"
refused "a rotated generation" "$T/log/mail.log.1" "is a rotated log of log_source"
out=$(ctl ingest - < /dev/null 2>&1)
check "standard input is still accepted" test $? = 0
out=$(ctl ingest "$T/all.log" 2>&1); rc=$?
like "$rc $out" "^0 .* sessions counted" "another file is imported"
ctl results > "$T/now.txt"
check "and counted" sh -c "! cmp -s '$T/once.txt' '$T/now.txt'"
done_testing
