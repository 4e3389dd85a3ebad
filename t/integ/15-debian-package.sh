#!/bin/sh
# The Debian package: built with dpkg-buildpackage from a copy of the
# source tree, lintian clean, installed on this machine with dpkg -i, its
# files, user and units checked, the service's ExecStart run as systemd
# runs it (systemd is not PID 1 here), asked with postmap, then purged.
# The machine is left as it was, also when a check fails: the package is
# purged and the tlspolicyd user put back as it was before.
. "$top_srcdir/t/lib.sh"
need_root
need dpkg-buildpackage dh lintian systemd-analyze setpriv unshare postmap python3

if dpkg-query -W -f='${Status}' tlspolicyd 2>/dev/null | grep -q 'ok installed'; then
	[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - tlspolicyd is installed as a package"; exit 1; }
	skip_all "the tlspolicyd package is installed on this machine: not touching it"
fi

test_t0=$(date +%s)
unit=/lib/systemd/system/tlspolicyd.service
if [ -S /run/tlspolicyd/control.sock ] && /usr/sbin/tlspolicyctl status >/dev/null 2>&1; then
	[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - a tlspolicyd runs on this machine"; exit 1; }
	skip_all "a tlspolicyd runs on this machine: not touching its directories"
fi
notify_name=@tlspolicyd-test-notify-$$

# The user as it was: the test removes it, so that the package's postinst
# creates it, and puts it back with the same ids afterwards.
user_before=$(getent passwd tlspolicyd)
group_before=$(getent group tlspolicyd)
adm_before=no
id -nG tlspolicyd 2>/dev/null | tr ' ' '\n' | grep -qx adm && adm_before=yes

restore_user() {
	if getent passwd tlspolicyd >/dev/null; then
		userdel tlspolicyd
	fi
	if getent group tlspolicyd >/dev/null; then
		groupdel tlspolicyd
	fi
	[ -n "$user_before" ] || return 0
	gid=$(printf '%s\n' "$group_before" | cut -d: -f3)
	[ -n "$gid" ] && groupadd --system -g "$gid" tlspolicyd
	printf '%s\n' "$user_before" | {
		IFS=: read -r _ _ uid ugid gecos home shell
		useradd --system -u "$uid" -g "$ugid" -c "$gecos" -d "$home" -M -s "$shell" tlspolicyd
	}
	[ "$adm_before" = yes ] && usermod -a -G adm tlspolicyd
	return 0
}

# dpkg_locked ARGS: dpkg ARGS, waiting up to 3 minutes while another
# package manager holds dpkg's lock; its output in $T/dpkg.out
dpkg_locked() {
	_dl_i=0
	while :; do
		dpkg "$@" > "$T/dpkg.out" 2>&1 && return 0
		_dl_rc=$?
		grep -Eq 'frontend lock|database is locked|lock was locked' "$T/dpkg.out" && [ "$_dl_i" -lt 360 ] || return "$_dl_rc"
		_dl_i=$((_dl_i + 1))
		sleep 0.5
	done
}

pkg_cleanup() {
	[ -n "${RUNPID:-}" ] && kill "$RUNPID" 2>/dev/null && wait "$RUNPID" 2>/dev/null
	[ -n "${NOTIFYPID:-}" ] && kill "$NOTIFYPID" 2>/dev/null && wait "$NOTIFYPID" 2>/dev/null
	if dpkg-query -W -f='${Status}' tlspolicyd 2>/dev/null | grep -q 'install\|config-files'; then
		rm -f /etc/tlspolicyd/policy
		dpkg_locked --purge tlspolicyd
	fi
	rm -rf /run/tlspolicyd
	for d in $saved_dirs; do
		rm -rf "$d"
		mv "$d.15-debian-package-saved" "$d"
	done
	restore_user
	[ -n "${made_policy_rc:-}" ] && rm -f /usr/sbin/policy-rc.d
	cleanup
}
trap pkg_cleanup EXIT

# Directories of an installation by hand are put aside (renamed on their
# file system) and put back afterwards: dpkg must not find an unowned
# file where its conffile goes, and the purge removes the state directory.
saved_dirs=
for d in /etc/tlspolicyd /var/lib/tlspolicyd /run/tlspolicyd; do
	if [ -e "$d" ]; then
		mv "$d" "$d.15-debian-package-saved" || { echo "1..1"; echo "not ok 1 - cannot put $d aside"; exit 1; }
		saved_dirs="$saved_dirs $d"
	fi
done

if [ -n "$user_before" ]; then
	diag "user tlspolicyd exists (as contrib/quickstart.sh makes it): removed for the test, put back after"
	userdel tlspolicyd
	getent group tlspolicyd >/dev/null && groupdel tlspolicyd
fi

# --- build ------------------------------------------------------------------
# The source tree without build products (out-of-tree build directories,
# configure's output in the tree, git's data).
mkdir -p "$T/src"
(cd "$top_srcdir" && tar --exclude=./.git --exclude='./_build*' --exclude='./build-*' \
    --exclude=./_inst --exclude=./autom4te.cache --exclude=./config.status --exclude=./config.log \
    --exclude=./Makefile --exclude='*.o' --exclude='*.a' --exclude='./tlspolicyd-*' \
    -cf - .) | tar -C "$T/src" -xf -
# the source package first, from the clean tree
(cd "$T" && dpkg-source -b src) > "$T/source.log" 2>&1
check "dpkg-source -b: the source package" test -f "$T"/tlspolicyd_*.dsc
t0=$(date +%s)
(cd "$T/src" && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -us -uc -b) \
    > "$T/build.log" 2>&1
rc=$?
is "$rc" 0 "dpkg-buildpackage -us -uc -b ($(($(date +%s) - t0)) s)"
deb=$(ls "$T"/tlspolicyd_*_*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then
	not_ok "a tlspolicyd_*.deb was built"
	tail -n 40 "$T/build.log" | sed 's/^/# /'
	echo "1..$tap_n"
	exit 1
fi
ok "built $(basename "$deb")"

# lintian, on the binary packages and on the source package: no error,
# warning, info or pedantic tag but one (its own notes go to stderr).
# The package has no init.d script: Debian 12 runs systemd.  The
# source package was made before the build.
out=$(lintian --display-info --pedantic "$T"/tlspolicyd_*.changes "$T"/tlspolicyd_*.dsc 2>/dev/null); rc=$?
lintian_tags=$(printf '%s\n' "$out" | grep -v '^I: tlspolicyd: package-supports-alternative-init-but-no-init.d-script ')
is "$rc $lintian_tags" "0 " "lintian: no tags (but the no-init.d-script info)"

# --- install ----------------------------------------------------------------
# policy-rc.d: as on a machine without systemd, nothing is started
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	made_policy_rc=1
fi
dpkg_locked -i "$deb"; rc=$?
is "$rc" 0 "dpkg -i $(basename "$deb")"
if [ "$rc" != 0 ]; then
	diag "$(cat "$T/dpkg.out")"
	echo "1..$tap_n"
	exit 1
fi
dpkg -L tlspolicyd > "$T/files"

for f in /usr/sbin/tlspolicyd /usr/sbin/tlspolicyctl /usr/sbin/tlspolicy-report; do
	check "$f installed, executable" test -x "$f"
done
is "$(/usr/sbin/tlspolicyd -V)" "tlspolicyd $(sed -n '1s/.*(\([^)-]*\).*/\1/p' "$top_srcdir/debian/changelog")" \
    "version of the package"
is "$(dpkg-query -W -f='${Conffiles}' tlspolicyd | awk '{print $1}')" /etc/tlspolicyd/tlspolicyd.conf \
    "/etc/tlspolicyd/tlspolicyd.conf is the conffile"
like "$(grep -c '^#[a-z_]* = ' /etc/tlspolicyd/tlspolicyd.conf) $(grep -c '^[a-z]' /etc/tlspolicyd/tlspolicyd.conf)" \
    '^[1-9][0-9]* 0$' "the conffile is a commented example"
like "$(/usr/sbin/tlspolicyd -n 2>&1)" "configuration /etc/tlspolicyd/tlspolicyd.conf OK" \
    "tlspolicyd reads the conffile by default"
for f in /usr/share/man/man8/tlspolicyd.8.gz /usr/share/man/man8/tlspolicyctl.8.gz \
    /usr/share/man/man8/tlspolicy-report.8.gz /usr/share/man/man5/tlspolicyd.conf.5.gz \
    /usr/share/doc/tlspolicyd/copyright /usr/share/doc/tlspolicyd/contrib/postfix/main.cf.snippet \
    /usr/share/doc/tlspolicyd/contrib/exim/conf.d/main/00_tlspolicyd \
    "$unit" /lib/systemd/system/tlspolicy-report.service /lib/systemd/system/tlspolicy-report.timer; do
	check "$f installed" test -f "$f"
done

# the user, made by postinst
pw=$(getent passwd tlspolicyd)
check "user tlspolicyd created" test -n "$pw"
uid=$(printf '%s' "$pw" | cut -d: -f3)
check "a system user (uid $uid)" test "${uid:-1000}" -lt 1000
is "$(printf '%s' "$pw" | cut -d: -f6,7)" "/var/lib/tlspolicyd:/usr/sbin/nologin" "its home and shell"
is "$(id -gn tlspolicyd 2>/dev/null)" tlspolicyd "its own group"
like " $(id -nG tlspolicyd 2>/dev/null) " " adm " "member of adm (reads /var/log/mail.log)"
is "$(stat -c '%U %G %a' /var/lib/tlspolicyd)" "tlspolicyd tlspolicyd 700" "state directory"

# enabled on install: the service and the report timer (not the report
# service itself, which the timer starts)
check "tlspolicyd.service enabled" test -L /etc/systemd/system/multi-user.target.wants/tlspolicyd.service
check "tlspolicy-report.timer enabled" test -L /etc/systemd/system/timers.target.wants/tlspolicy-report.timer
check "tlspolicy-report.service not enabled by itself" \
    test ! -e /etc/systemd/system/multi-user.target.wants/tlspolicy-report.service

out=$(systemd-analyze verify "$unit" /lib/systemd/system/tlspolicy-report.service \
    /lib/systemd/system/tlspolicy-report.timer 2>&1); rc=$?
is "$rc $out" "0 " "systemd-analyze verify: the three units"

# the unit's promises
unitval() { sed -n "s/^$1=//p" "$unit"; }
is "$(unitval Type)" notify "Type=notify"
is "$(unitval ProtectSystem) $(unitval NoNewPrivileges) $(unitval RuntimeDirectory)" \
    "strict yes tlspolicyd" "ProtectSystem=strict, NoNewPrivileges, RuntimeDirectory"
like "$(unitval ReadWritePaths)" "^/var/lib/tlspolicyd( |$)" "ReadWritePaths: the state directory"

# --- the service, run as systemd runs it -------------------------------------
# Our configuration: the resolver of this machine is never asked (no
# MTA-STS, no DANE); a local policy table answers.
cat >> /etc/tlspolicyd/tlspolicyd.conf <<EOF
mta_sts = no
dane = no
dns_resolver = 127.0.0.1:9
local_policy_file = /etc/tlspolicyd/policy
EOF
printf 'bank.example dane-only\n' > /etc/tlspolicyd/policy
chmod 644 /etc/tlspolicyd/policy

# systemd's side of the notify protocol: a datagram socket (an abstract
# name here) whose messages are written one per line
python3 -u - "$notify_name" > "$T/notify.out" 2>"$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1][1:])
print("listening", flush=True)
while True:
    print(s.recv(4096).decode().replace("\n", " "), flush=True)
PY
NOTIFYPID=$!
bg_pids="$bg_pids $NOTIFYPID"
wait_for 10 grep -q listening "$T/notify.out"

# What systemd does for this unit (it has no User=: it starts as root):
# RuntimeDirectory with its mode, ExecStartPre, then ExecStart with
# NOTIFY_SOCKET in a clean environment, the capability bounding set and
# no_new_privs, in a mount namespace where everything is read-only but
# ReadWritePaths, the runtime directory and the API file systems
# (ProtectSystem=strict), with a private /tmp (PrivateTmp).
is "$(unitval User)" "" "no User=: started as root, drops privileges itself"
# (the runtime directory is named here, never taken from the unit: the
# test removes it at the end)
rtdir=/run/tlspolicyd
is "$(unitval RuntimeDirectory) $(unitval RuntimeDirectoryMode)" "tlspolicyd 0755" \
    "RuntimeDirectory=tlspolicyd, mode 0755"
mkdir -m 0755 "$rtdir"
caps=$(unitval CapabilityBoundingSet | tr 'A-Z ' 'a-z\n' | sed -n 's/^cap_/+/p' | tr '\n' ',')
setpriv_args="--bounding-set=-all,${caps%,}"
[ "$(unitval NoNewPrivileges)" = yes ] && setpriv_args="$setpriv_args --no-new-privs"
rwpaths="$(unitval ReadWritePaths) $rtdir"
{
	keep=
	echo 'set -e'
	echo 'mount --make-rprivate /'
	echo 'mount -t tmpfs -o mode=1777 tmpfs /tmp'
	echo 'mount -t tmpfs -o mode=1777 tmpfs /var/tmp'
	for p in $rwpaths; do
		case $p in -*) p=${p#-}; [ -e "$p" ] || continue;; esac
		echo "mount --bind '$p' '$p'"
		keep="$keep|$p"
	done
	echo "awk '{print \$2}' /proc/self/mounts | sort -u | while read -r m; do"
	echo "	case \$m in /dev|/dev/*|/proc|/proc/*|/sys|/sys/*|/tmp|/var/tmp${keep}) continue;; esac"
	echo '	mount -o remount,bind,ro "$m" 2>/dev/null || mount -o remount,ro "$m" 2>/dev/null || :'
	echo 'done'
	echo 'touch /usr/.tlspolicyd-rw 2>/dev/null && exit 97'
	unitval ExecStartPre | sed 's/^/env -i PATH=\/usr\/sbin:\/usr\/bin:\/sbin:\/bin /'
	printf 'exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 NOTIFY_SOCKET=%s RUNTIME_DIRECTORY=%s setpriv %s -- %s\n' \
	    "$notify_name" "$rtdir" "$setpriv_args" "$(unitval ExecStart)"
} > "$T/run-unit.sh"
t0=$(date +%s)
(cd / && exec unshare --mount sh "$T/run-unit.sh") > "$T/daemon.log" 2>&1 &
RUNPID=$!
bg_pids="$bg_pids $RUNPID"
check "READY=1 from the service" wait_for 30 grep -q 'READY=1' "$T/notify.out"
diag "ready after $(($(date +%s) - t0)) s; notifications: $(tr '\n' ' ' < "$T/notify.out")"
check "still running" kill -0 "$RUNPID"
ruid=$(awk '/^Uid:/ {print $2}' /proc/$RUNPID/status 2>/dev/null)
is "$ruid" "$(id -u tlspolicyd)" "runs as user tlspolicyd"
like "$(awk '/^NoNewPrivs:/ {print $2}' /proc/$RUNPID/status)" "^1$" "with no_new_privs"
like " $(awk '/^Groups:/ {$1=""; print}' /proc/$RUNPID/status) " " $(getent group adm | cut -d: -f3) " \
    "with group adm"
nfiles=$(find /var/lib/tlspolicyd -type f | wc -l)
bad=$(find /var/lib/tlspolicyd -type f \( ! -user tlspolicyd -o -perm /077 \) | head -3)
check "the store is in /var/lib/tlspolicyd ($nfiles files)" test "$nfiles" -gt 0
is "$bad" "" "store files owned by tlspolicyd, mode 0600"
is "$(stat -c %U "$rtdir")" tlspolicyd "ExecStartPre gave $rtdir to tlspolicyd"

listen=$(/usr/sbin/tlspolicyctl check-config 2>/dev/null | sed -n 's/^socketmap_listen = \([^ ]*\).*/\1/p')
diag "socketmap_listen in effect: $listen"
case $listen in
unix:"$rtdir"/*)
	is "$(stat -c '%U %a' "${listen#unix:}")" "tlspolicyd 660" "socket owned by tlspolicyd, 0660";;
unix:*)
	is "$(stat -c '%a' "${listen#unix:}")" "660" "socket 0660";;
esac
is "$(pm_q bank.example "$listen:postfix")" "dane-only" "postmap -q bank.example socketmap:$listen:postfix"
out=$(pm_q example.com "$listen:postfix"); rc=$?
is "$rc $out" "1 " "postmap -q example.com: NOTFOUND (exit 1, no output)"
out=$(/usr/sbin/tlspolicyctl query bank.example 2>&1); rc=$?
like "$rc $out" "^0 .*dane-only" "tlspolicyctl query through the control socket"
# tlspolicyctl results drops to the user and borrows the store over the
# control socket, as tlspolicy-report does
out=$(/usr/sbin/tlspolicyctl results 2>&1); rc=$?
is "$rc" 0 "tlspolicyctl results borrows the store from the service"
[ "$rc" = 0 ] || diag "$out"
check "the service is still running" kill -0 "$RUNPID"

kill -TERM "$RUNPID"
wait "$RUNPID"
is "$?" 0 "SIGTERM: exit 0"
RUNPID=
check "STOPPING=1 told" grep -q 'STOPPING=1' "$T/notify.out"
rm -rf /run/tlspolicyd    # systemd removes the RuntimeDirectory

# --- purge ------------------------------------------------------------------
rm -f /etc/tlspolicyd/policy
dpkg_locked --purge tlspolicyd; rc=$?
is "$rc" 0 "dpkg --purge tlspolicyd"
[ "$rc" = 0 ] || diag "$(cat "$T/dpkg.out")"
check "the package is gone" sh -c '! dpkg-query -W tlspolicyd >/dev/null 2>&1'
left=
while read -r f; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	[ -d "$f" ] && continue    # shared directories stay (/lib is a link to usr/lib)
	left="$left $f"
done < "$T/files"
is "$left" "" "no file of the package left"
left=$(ls -d /etc/tlspolicyd /var/lib/tlspolicyd /run/tlspolicyd /usr/share/doc/tlspolicyd \
    /etc/systemd/system/multi-user.target.wants/tlspolicyd.service \
    /etc/systemd/system/timers.target.wants/tlspolicy-report.timer 2>/dev/null)
is "$left" "" "no configuration, state, runtime directory or enabled unit left"
# Debian keeps system users on purge (files elsewhere may still be owned by
# them); the trap puts the user back as it was before the test.
check "user tlspolicyd kept on purge, as Debian does" sh -c 'getent passwd tlspolicyd >/dev/null'

diag "whole test: $(($(date +%s) - test_t0)) s"
echo "1..$tap_n"
[ "$tap_failed" -eq 0 ]
