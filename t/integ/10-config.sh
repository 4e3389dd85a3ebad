#!/bin/sh
# Configuration checking: tlspolicyd -n, tlspolicyctl check-config, and
# start-up failures that must say which file and line is wrong.
. "$top_srcdir/t/lib.sh"

write_conf </dev/null
out=$("$TLSPOLICYD" -n -c "$T/tlspolicyd.conf" 2>&1); rc=$?
is "$rc:$out" "0:tlspolicyd: configuration $T/tlspolicyd.conf OK" "tlspolicyd -n accepts a good file"

# the default file of this build (its sysconfdir), as -h names it
deffile=$("$TLSPOLICYD" -h | sed -n 's/.*(default \(\/[^ ]*\) .*/\1/p')
like "$deffile" "^/.*/tlspolicyd/tlspolicyd.conf$" "tlspolicyd -h names the default file"
if [ ! -e "$deffile" ]; then
	is "$("$TLSPOLICYD" -n 2>&1)" "tlspolicyd: configuration (defaults: $deffile not found) OK" \
	    "no file: built-in defaults, and the path looked for"
else
	ok "# SKIP $deffile exists"
fi
# the installed pages and the contrib units of this build name its paths
like "$(grep -A2 '^\.Sh FILES' "$top_builddir/man/tlspolicyd.conf.5")" "Pa $deffile\$" \
    "tlspolicyd.conf(5) names this build's file"
sbin=$(sed -n 's|^ExecStart=\(/.*\)/tlspolicyd -f$|\1|p' "$top_builddir/contrib/built/tlspolicyd.service")
like "$(cat "$top_builddir/contrib/built/tlspolicy-report.cron" "$top_builddir/contrib/built/tlspolicy-report.service")" \
    "root  $sbin/tlspolicy-report.*ExecStart=$sbin/tlspolicy-report" "units and cron line agree on the binaries' directory ($sbin)"
is "$(grep -c "$deffile" "$top_builddir/man/tlspolicyd.8")" \
    "$(grep -c /etc/tlspolicyd/tlspolicyd.conf "$top_srcdir/daemon/tlspolicyd.8")" "tlspolicyd(8): every mention of the file substituted"

printf 'log_level = info\nsocketmap_listn = unix:/x\n' > "$T/bad.conf"
out=$("$TLSPOLICYD" -n -c "$T/bad.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*bad.conf, line 2: unknown setting \"socketmap_listn\"" "unknown key: file and line"
printf 'socketmap_max_connections = 0\n' > "$T/bad.conf"
out=$("$TLSPOLICYD" -n -c "$T/bad.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*line 1: socketmap_max_connections: expected a number from 1 to 100000" "out of range value"
out=$("$TLSPOLICYD" -n -c "$T/nonexistent.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*open $T/nonexistent.conf: No such file" "missing configuration file"

printf 'ok.example may\nbad.example secure match\n' > "$T/lp"
printf 'local_policy_file = %s\n' "$T/lp" > "$T/lp.conf"
out=$("$TLSPOLICYD" -n -c "$T/lp.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*lp, line 2: attribute without '='" "-n checks the local policy table too"
out=$("$TLSPOLICYCTL" -c "$T/lp.conf" check-config 2>&1); rc=$?
like "$rc $out" "^1 .*lp, line 2" "tlspolicyctl check-config reports the same error"
printf 'local_policy_file = %s\n' "$T/no/such/table" > "$T/nolp.conf"
out=$("$TLSPOLICYD" -n -c "$T/nolp.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*local_policy_file: open $T/no/such/table: No such file" "a missing table: the setting is named"
out=$("$TLSPOLICYCTL" -c "$T/nolp.conf" check-config 2>&1); rc=$?
like "$rc $out" "^1 tlspolicyctl: local_policy_file: open $T/no/such/table" "check-config names the setting too"

out=$("$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" check-config 2>/dev/null)
like "$out" "(^| )socketmap_max_connections = 1000 " "check-config prints defaults"
like "$out" "(^| )state_directory = $T/state " "check-config prints file settings"
is "$(printf '%s\n' "$out" | wc -l)" "53" "check-config prints every setting"
printf '%s\n' "$out" > "$T/printed.conf"
is "$("$TLSPOLICYCTL" -c "$T/printed.conf" check-config 2>/dev/null)" "$out" \
    "check-config output read back as a file prints the same"

# lists are printed in canonical form: sets sorted and normalized
cat > "$T/lists.conf" <<C
dane_required_domains = Z.example., a.EXAMPLE
sending_mta_ip = mta2=2001:DB8::1, mta1=192.0.2.1
socketmap_listen = unix:$T/a.sock,
  inet:127.0.0.1:8461
C
out=$("$TLSPOLICYCTL" -c "$T/lists.conf" check-config 2>&1)
like "$out" "(^| )dane_required_domains = a.example z.example " "a domain set, canonical"
like "$out" "(^| )sending_mta_ip = mta1=192.0.2.1 mta2=2001:db8::1 " "a HOST=IP map, canonical"
like "$out" "(^| )socketmap_listen = unix:$T/a.sock inet:127.0.0.1:8461 " "endpoints, in order"
printf 'log_level = info\n\nreport_exclude_domains = a.example\n  -bad-.example\n' > "$T/bad.conf"
out=$("$TLSPOLICYD" -n -c "$T/bad.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*bad.conf, line 3: report_exclude_domains: not a domain name: \"-bad-.example\"" \
    "a bad list word: file, line, key and the word"

# A daemon with a broken table stops at once with the reason.
write_conf <<C
local_policy_file = $T/lp
C
chmod 644 "$T/lp"
out=$(timeout 10 "$TLSPOLICYD" -f -c "$T/tlspolicyd.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*lp, line 2: attribute without '='" "daemon refuses to start with a broken table"

# A second daemon on the same socket refuses instead of stealing it.
write_conf </dev/null
check "first daemon starts" start_daemon
out=$(timeout 10 "$TLSPOLICYD" -f -c "$T/tlspolicyd.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*is in use: is another tlspolicyd running" "second daemon refuses"
check "first daemon unharmed" kill -0 "$DPID"
like "$(ctl status)" "uptime: " "first daemon still answers"
stop_daemon

# Usage and version.
out=$("$TLSPOLICYD" -V); is "$out" "tlspolicyd $(sed -n 's/^AC_INIT(\[tlspolicyd\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" "-V prints the version"
"$TLSPOLICYD" -x >/dev/null 2>&1; is "$?" "2" "unknown option: exit 2"
"$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" frobnicate >/dev/null 2>&1; is "$?" "2" "tlspolicyctl unknown command: exit 2"
out=$("$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" status 2>&1); rc=$?
like "$rc $out" "^1 .*is tlspolicyd running" "tlspolicyctl without a daemon says so"
# without -f: in the background, syslog, a PID file beside the control
# socket, removed at exit
write_conf </dev/null
"$TLSPOLICYD" -c "$T/tlspolicyd.conf" > "$T/bg.out" 2>&1; rc=$?
is "$rc" 0 "without -f: the parent returns 0"
check "without -f: a PID file beside the control socket" wait_for 10 test -s "$T/run/tlspolicyd.pid"
bgpid=$(cat "$T/run/tlspolicyd.pid" 2>/dev/null)
# without a PID file, find it by this test's own configuration file
[ -n "$bgpid" ] || bgpid=$(pgrep -f -- "-c $T/tlspolicyd.conf\$" | head -1)
bg_pids="$bg_pids $bgpid"
check "the PID file names the daemon, which answers" sh -c \
    "tr '\\0' ' ' < /proc/$bgpid/cmdline | grep -q tlspolicyd && '$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' status | grep -q uptime"
kill "$bgpid"
check "the PID file is removed at exit" wait_for 10 test ! -e "$T/run/tlspolicyd.pid"
# every program: --help (exit 0, on stdout), -V and --version, usage errors
# that name the problem (exit 2)
REPORT=$top_builddir/reporter/tlspolicy-report
version=$("$TLSPOLICYD" -V | cut -d' ' -f2)
for p in "$TLSPOLICYD" "$TLSPOLICYCTL" "$REPORT"; do
	n=${p##*/}
	out=$("$p" --help 2>/dev/null); rc=$?
	like "$rc $out" "^0 usage: $n " "$n --help: usage on stdout, exit 0"
	is "$("$p" -V 2>&1) $("$p" --version 2>&1)" "$n $version $n $version" "$n -V and --version"
done
out=$("$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" frobnicate 2>&1)
like "$out" "^tlspolicyctl: unknown command \"frobnicate\"" "tlspolicyctl names an unknown command"
out=$("$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" query 2>&1); rc=$?
like "$rc $out" "^2 tlspolicyctl: query: wrong number of arguments" "tlspolicyctl: a command with missing arguments, exit 2"
out=$("$TLSPOLICYD" extra 2>&1); rc=$?
like "$rc $out" "^2 tlspolicyd: unexpected argument \"extra\"" "tlspolicyd: a stray argument named, exit 2"
# days: impossible dates refused, today and yesterday accepted
for d in 2026-02-30 2026-13-01 2026-3-1 tomorrow; do
	out=$("$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" results --day "$d" 2>&1); rc=$?
	like "$rc $out" "^2 tlspolicyctl: --day expects a date .*\"$d\"" "results --day $d refused"
	out=$("$REPORT" -c "$T/tlspolicyd.conf" --day "$d" 2>&1); rc=$?
	like "$rc $out" "^2 tlspolicy-report: --day expects a date .*\"$d\"" "tlspolicy-report --day $d refused"
done
out=$("$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" results --day yesterday 2>&1); rc=$?
like "$rc $out" "^0 tlspolicyctl: no TLS sessions counted on $(date -u -d yesterday +%Y-%m-%d) \(log_source is not set" \
    "results --day yesterday: accepted; no data is said, with the likely reason"
out=$("$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" results --day today --domain example.com 2>&1); rc=$?
like "$rc $out" "^0 tlspolicyctl: no TLS sessions counted on $(date -u +%Y-%m-%d) for example.com" "results --day today --domain: accepted, no data said"
done_testing
