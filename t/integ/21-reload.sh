#!/bin/sh
# Reload (tlspolicyctl reload and SIGHUP) reads tlspolicyd.conf again:
# local_policy_file and log_level change at once, other changed settings
# are logged as needing a restart, and a broken file changes nothing and
# is logged, as is a failed tlspolicyctl reload.
. "$top_srcdir/t/lib.sh"
need postmap

printf 'one.example may\n' > "$T/lp1"
printf 'two.example encrypt\n' > "$T/lp2"
chmod 644 "$T/lp1" "$T/lp2"
write_conf <<C
local_policy_file = $T/lp1
C
cp "$T/tlspolicyd.conf" "$T/base.conf"
check "tlspolicyd starts" start_daemon
M="unix:$T/run/postfix.sock:postfix"
is "$(pm_q one.example "$M")" "may" "the first table is served"

sed "s|^local_policy_file = .*|local_policy_file = $T/lp2|" "$T/base.conf" > "$T/tlspolicyd.conf"
printf 'log_level = debug\nsocketmap_max_connections = 5\n' >> "$T/tlspolicyd.conf"
out=$(ctl reload 2>&1); rc=$?
like "$rc $out" "^0 local_policy_entries: 1" "tlspolicyctl reload: OK"
is "$(pm_q two.example "$M")" "encrypt" "local_policy_file changed: the other table is served"
is "$(pm_q one.example "$M")" "" "... and the first one no longer"
like "$(cat "$T/daemon.log")" "reload: socketmap_max_connections changed in $T/tlspolicyd.conf: it takes effect at the next restart" \
    "a setting that needs a restart is logged"
check "log_level changed: debug lines now" wait_for 5 grep -q 'debug: ' "$T/daemon.log"

printf 'broken.example nosuchlevel\n' >> "$T/lp2"
out=$(ctl reload 2>&1); rc=$?
like "$rc $out" "^1 .*local_policy_file: .*lp2, line 2: unknown TLS security level" "a broken table: tlspolicyctl reload says why"
check "a failed tlspolicyctl reload is logged" grep -q 'reload failed, keeping the previous table: local_policy_file: .*lp2, line 2' "$T/daemon.log"
is "$(pm_q two.example "$M")" "encrypt" "a broken table changes nothing"
printf 'two.example encrypt\n' > "$T/lp2"
printf 'sts_ca_fle = /x\n' >> "$T/tlspolicyd.conf"
kill -HUP "$DPID"
check "SIGHUP with a broken file: logged with what is wrong" wait_for 5 grep -q \
    'reload failed, keeping the previous table: .*unknown setting "sts_ca_fle" (did you mean "sts_ca_file"?)' "$T/daemon.log"
is "$(pm_q two.example "$M")" "encrypt" "a broken file changes nothing"
cp "$T/base.conf" "$T/tlspolicyd.conf"
kill -HUP "$DPID"
check "SIGHUP reads the file too" wait_for 5 sh -c "[ \"\$(postmap -c '$(postfix_dir)' -q one.example '$(echo "socketmap:$M")')\" = may ]"
# a new table name whose table is broken: the old name and table stay
printf 'three.example nosuchlevel\n' > "$T/lp3"
chmod 644 "$T/lp3"
sed "s|^local_policy_file = .*|local_policy_file = $T/lp3|" "$T/base.conf" > "$T/tlspolicyd.conf"
out=$(ctl reload 2>&1); rc=$?
like "$rc $out" "^1 .*lp3, line 1: unknown TLS security level" "a new local_policy_file with an error: refused"
like "$(ctl status)" "local_policy_file: $T/lp1" "... the old table's name stays"
is "$(pm_q one.example "$M")" "may" "... and the old table is served"
stop_daemon
done_testing
