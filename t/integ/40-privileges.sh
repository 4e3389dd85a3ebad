#!/bin/sh
# Privileges: bind as root, then run as the configured user; sockets,
# state directory and store files get least permissions.  Running as an
# ordinary user works too (no change of user).
. "$top_srcdir/t/lib.sh"
need_root
need postmap setpriv

printf 'bank.example dane-only\n' > "$T/lp"
chmod 644 "$T/lp"
write_conf <<C
user = nobody
local_policy_file = $T/lp
C
check "daemon starts as root" start_daemon
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)
is "$(awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/$DPID/status)" \
    "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" "all uids are nobody's"
is "$(awk '/^Gid:/ {print $2, $3, $4, $5}' /proc/$DPID/status)" \
    "$nobody_gid $nobody_gid $nobody_gid $nobody_gid" "all gids are nobody's"
# the groups of the run-as user (initgroups), nothing inherited from root
groups_of() { tr ' \t' '\n\n' | grep . | sort -n | tr '\n' ' '; }
is "$(awk '/^Groups:/ {$1=""; print}' /proc/$DPID/status | groups_of)" "$(id -G nobody | groups_of)" \
    "supplementary groups: the run-as user's own"
groups=$(awk '/^Groups:/ {$1=""; print}' /proc/$DPID/status)
case " $groups " in *" 0 "*) not_ok "root group kept";; *) ok "root group not kept";; esac
is "$(awk '/^CapEff:/ {print $2}' /proc/$DPID/status)" "0000000000000000" "no capabilities"

want_group=root
getent group postfix >/dev/null && want_group=postfix
is "$(stat -c '%a %G' "$T/run/postfix.sock")" "660 $want_group" "socketmap socket 0660, group $want_group"
is "$(stat -c '%a %U' "$T/run/control.sock")" "600 nobody" "control socket 0600, owned by the run-as user"
is "$(stat -c '%a %U' "$T/state")" "700 nobody" "state directory 0700, owned by the run-as user"
nfiles=$(find "$T/state" -type f | wc -l)
bad=$(find "$T/state" -type f \( ! -user nobody -o -perm /077 \) | head -3)
check "the store has files ($nfiles)" test "$nfiles" -gt 0
is "$bad" "" "store files owned by the run-as user, mode 0600"
is "$(pm_q bank.example "unix:$T/run/postfix.sock:postfix")" "dane-only" "answers after the drop"
# another user is refused by the control socket, and told why and who may
chmod 644 "$T/tlspolicyd.conf"
out=$(setpriv --reuid=daemon --regid=daemon --clear-groups "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" status 2>&1); rc=$?
like "$rc $out" "^1 tlspolicyctl: connect to unix:$T/run/control.sock: permission denied by the socket $T/run/control.sock \(owner nobody, group [a-z]*, mode 0600\): run this as root or as nobody$" \
    "permission denied: the socket, its owner and mode, who may connect"
stop_daemon

# Refusals.
write_conf <<C
user = no-such-user-tlspolicyd
C
out=$(timeout 10 "$TLSPOLICYD" -f -c "$T/tlspolicyd.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*unknown user \"no-such-user-tlspolicyd\"" "unknown user refused"
write_conf <<C
user = root
C
out=$(timeout 10 "$TLSPOLICYD" -f -c "$T/tlspolicyd.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*has uid 0" "uid 0 refused as run-as user"
write_conf <<C
socketmap_socket_group = no-such-group-tlspolicyd
C
out=$(timeout 10 "$TLSPOLICYD" -f -c "$T/tlspolicyd.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*unknown group" "unknown socket group refused"

# State directory owned by someone else: refused with the fix in the message.
rm -rf "$T/state" "$T/run"
mkdir -m 700 "$T/state"
write_conf <<C
user = nobody
C
out=$(timeout 10 "$TLSPOLICYD" -f -c "$T/tlspolicyd.conf" 2>&1); rc=$?
like "$rc $out" "^1 .*not owned by user nobody \(fix with: chown" "foreign state directory refused"

# An ordinary user runs it without any privilege change.
rm -rf "$T/state" "$T/run"
mkdir "$T/u"
chown nobody "$T/u"
cat > "$T/user.conf" <<C
socketmap_listen = unix:$T/u/postfix.sock
control_socket = unix:$T/u/control.sock
state_directory = $T/u/state
user = tlspolicyd-ignored-when-not-root
local_policy_file = $T/lp
C
setpriv --reuid=nobody --regid=nogroup --clear-groups "$TLSPOLICYD" -f -c "$T/user.conf" > "$T/user.log" 2>&1 &
UPID=$!
bg_pids="$bg_pids $UPID"
check "non-root daemon starts" wait_for 10 grep -q ' ready ' "$T/user.log"
is "$(pm_q bank.example "unix:$T/u/postfix.sock:postfix")" "dane-only" "non-root daemon answers"
is "$(stat -c '%U' "$T/u/state/meta.db")" "nobody" "non-root store owned by that user"
kill "$UPID"
done_testing
