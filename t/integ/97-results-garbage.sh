#!/bin/sh
# Garbage in a followed log: random bytes, NULs, a 1 MB line, lines cut
# short, a Postfix line with a broken prefix.  The daemon survives,
# counts them as skipped, and the valid deliveries around them still
# count, once each; the same through "tlspolicyctl ingest -".
. "$top_srcdir/t/lib.sh"
need python3

check "tlspolicyd starts" start_follower < /dev/null

good() {   # good N: a verified delivery to good.example, process N
	printf 'Mar 10 09:14:02 mta1 postfix/smtp[%s]: Verified TLS connection established to mx.good.example[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n' "$1"
	printf 'Mar 10 09:14:03 mta1 postfix/smtp[%s]: 4B7E21C0F%02d: to=<a@good.example>, relay=mx.good.example[192.0.2.1]:25, delay=1.4, delays=0.08/0.01/0.92/0.39, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n' "$1" "$1"
}
{
	good 10
	head -c 20000 /dev/urandom | tr -d '\n'; echo
	good 11
	printf 'Mar 10 09:14:02 mta1 postfix/smtp[12]: Verified TLS\000connection established to mx\n'
	good 13
	python3 -c 'import sys; sys.stdout.write("Mar 10 09:14:02 mta1 postfix/smtp[14]: " + "A" * 1048576 + "\n")'
	good 15
	printf 'Mar 10 09:14:03 mta1 postfix/smtp[16]: 4B7E21C0F16: to=<a@good.example>, relay=mx.good.example[192.0.2.1]:25, del\n'
	printf 'Mar 99 99:99:99 mta1 postfix/smtp[17]: Verified TLS connection established to mx.good.example[192.0.2.1]:25: TLSv1.3\n'
	printf '<999999999999>1 x y z\n\n\r\n'
	# a recipient domain that tries to smuggle in a header: not a domain, not counted
	printf 'Mar 10 09:14:03 mta1 postfix/smtp[20]: 4B7E21C0F20: to=<a@evil.example\rBcc: x@y>, relay=mx.good.example[192.0.2.1]:25, delay=1.4, delays=0.08/0.01/0.92/0.39, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n'
	good 18
} > "$T/garbage.log"
cat "$T/garbage.log" >> "$T/log/mail.log"
lines=$(wc -l < "$T/garbage.log")
check "the daemon reads all $lines lines" wait_for 10 lines_read "$lines"
status=$(ctl status | grep '^log ')
diag "$status"
like "$status" "sessions=5 " "the five deliveries around the garbage count, once each"
like "$status" "skipped=([6-9]|1[0-9]) " "the garbage lines are counted as skipped"
check "the daemon still runs" kill -0 "$DPID"
like "$(ctl results)" "good.example no-policy-found successes=5 failures=0" "stored: five successes"
stop_daemon

# the same bytes on standard input, into another store
mkdir -p "$T/other"
chown nobody "$T/other" 2>/dev/null
sed "s|^state_directory = .*|state_directory = $T/other|" "$T/tlspolicyd.conf" > "$T/other.conf"
out=$("$TLSPOLICYCTL" -c "$T/other.conf" ingest - < "$T/garbage.log" 2>&1)
like "$out" "$lines lines, ([6-9]|1[0-9]) skipped, 5 sessions counted" "ingest - counts the same"
# a file that ends without a newline: its last line is still read
good 19 | head -c -1 > "$T/nonl.log"
chmod 644 "$T/nonl.log"
is "$("$TLSPOLICYCTL" -c "$T/other.conf" ingest "$T/nonl.log" 2>&1 | grep -o '[0-9]* lines')" "1 lines" \
    "ingest FILE: a last line without a newline in a file just written waits"
touch -d '2 minutes ago' "$T/nonl.log"
like "$("$TLSPOLICYCTL" -c "$T/other.conf" ingest "$T/nonl.log" 2>&1)" "2 lines, 0 skipped, 1 sessions" \
    "and counts once the file has not changed for a minute"
done_testing
