#!/bin/sh
# The run-as user attacks the daemon's start-up: it watches the socket
# paths in the socket directory it owns and renames a symbolic link to a
# root-owned file over each socket the moment it appears, hoping that root
# then changes owner or mode "of the socket" by name.  Over many starts
# the target must keep its owner, group and mode.
. "$top_srcdir/t/lib.sh"
need_root
need setpriv
SYMRACE="$top_builddir/t/symrace"
STARTS=${RACE_STARTS:-150}

printf 'bank.example dane-only\n' > "$T/lp"
chmod 644 "$T/lp"
echo "precious" > "$T/target"
chown root:root "$T/target"
chmod 644 "$T/target"
before=$(stat -c '%u:%g %a' "$T/target")

# The socket directory belongs to the run-as user (the daemon creates it
# so, and so may an administrator).
mkdir -p "$T/run"
chown nobody:nogroup "$T/run"
chmod 755 "$T/run"
write_conf <<C
user = nobody
local_policy_file = $T/lp
socketmap_socket_mode = 0666
C

setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$SYMRACE" 3600 "$T/target" "$T/run/postfix.sock" "$T/run/control.sock" > "$T/race.out" 2>&1 &
RPID=$!
bg_pids="$bg_pids $RPID"

started=0
i=0
while [ "$i" -lt "$STARTS" ]; do
	i=$((i + 1))
	# links left by the racer would stop the next start: clear them as
	# root, as an administrator would
	rm -f "$T/run/postfix.sock" "$T/run/control.sock"
	# a new log each time: the shell truncates it only after forking
	log=$T/start.$i.out
	"$TLSPOLICYD" -f -c "$T/tlspolicyd.conf" > "$log" 2>&1 &
	pid=$!
	wait_for 10 sh -c "grep -q ' ready ' '$log' || ! kill -0 $pid"
	grep -q ' ready ' "$log" && started=$((started + 1))
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$log"
	[ "$(stat -c '%u:%g %a' "$T/target")" = "$before" ] || break
done
kill "$RPID"
wait "$RPID" 2>/dev/null
bg_pids=
diag "$i starts, $started reached ready; links swapped in: $(cat "$T/race.out")"
is "$(stat -c '%u:%g %a' "$T/target")" "$before" "a root-owned file keeps owner and mode over $i racing starts"
is "$(cat "$T/target")" "precious" "and its content"
check "the daemon started most of the time" test "$started" -ge $((STARTS / 2))
check "the racer did swap links in" test "$(cat "$T/race.out")" -gt 0

# Without the racer: the sockets are the run-as user's, created with
# their final group and mode.
rm -f "$T/run/postfix.sock" "$T/run/control.sock"
want_group=nogroup
getent group postfix >/dev/null && want_group=postfix
check "daemon starts" start_daemon
is "$(stat -c '%a %U %G' "$T/run/postfix.sock")" "666 nobody $want_group" "socketmap socket: owner, group, mode given at bind"
is "$(stat -c '%a %U' "$T/run/control.sock")" "600 nobody" "control socket 0600, the run-as user's"
is "$(pm_q bank.example "unix:$T/run/postfix.sock:postfix")" "dane-only" "answers"
stop_daemon

# A socket directory the run-as user may not write: bound by root, with
# group and mode still given at bind time.
rm -rf "$T/run"
mkdir -m 755 "$T/run"
check "daemon starts with a root-owned socket directory" start_daemon
is "$(stat -c '%a %U %G' "$T/run/postfix.sock")" "666 root $want_group" "socketmap socket bound by root"
is "$(pm_q bank.example "unix:$T/run/postfix.sock:postfix")" "dane-only" "answers"
stop_daemon

# A missing socket directory is created and handed to the run-as user.
rm -rf "$T/run"
check "daemon starts and creates the socket directory" start_daemon
is "$(stat -c '%a %U' "$T/run")" "755 nobody" "socket directory 0755, the run-as user's"
stop_daemon
check "sockets removed at exit" test ! -e "$T/run/postfix.sock" -a ! -e "$T/run/control.sock"
done_testing
