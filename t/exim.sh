# A private Exim 4.96 for the tests (source after lib.sh).
#
# Debian's exim4-daemon-light cannot be installed beside Postfix (both
# provide mail-transport-agent), so its packages are fetched with
# "apt-get download" into a cache and unpacked into $T/exim/root.  Exim
# insists on its compiled-in user Debian-exim before it reads any
# configuration: every Exim command runs in a private mount namespace in
# which copies of /etc/passwd and /etc/group that add Debian-exim, and the
# test's resolv.conf, are bind-mounted over the machine's files.  The
# machine's own files, users and /var/spool/exim4 are never touched.
#
#   exim_setup [RESOLV_CONF]     fetch (or skip the whole test when the
#                                packages cannot be fetched), unpack,
#                                write $T/exim/exim.conf; $EXIM_LOG is the
#                                mainlog.  Settings for the smtp
#                                transport come from $EXIM_TRANSPORT (lines)
#                                and for the main section from $EXIM_MAIN.
#   exim CMD...                  run the private exim with its -C config
#                                (with EXIM_DEVLOG=SOCKET: /dev/log is SOCKET),
#                                with no open file descriptor but 0, 1
#                                and 2 (see exim_exec)
#   exim_exec CMD...             the same in place of the calling (sub)shell
#   exim_send FROM TO...         queue a test message (no delivery yet);
#                                prints the message id
#   exim_deliver_now ID          one delivery attempt for ID now, even if
#                                retry hints say wait; waits until the
#                                attempt is logged
#   exim_queue_run               a two-phase queue run (-qqff): messages to
#                                the same host share a connection
#   exim_lines ID                the mainlog lines of message ID
#   exim_wrapper FILE            write FILE, a sendmail that runs the
#                                private exim (for tlspolicy-report)
#   exim_start [PORT]            exim_conf, then exim_daemon
#   exim_daemon [PORT]           a listening daemon (exim -bdf) on PORT
#                                (EXIM_PORT, default a free port) of the
#                                current $EXIM_DIR/exim.conf's
#                                local_interfaces; EXIM_PID is the pid of
#                                the daemon itself, also in its pid file
#                                $EXIM_DIR/exim.pid, and lib.sh's cleanup
#                                stops it
#   exim_stop                    stop the daemon and wait until it is gone
#
# The packages are cached in $EXIM_DEBS (default
# /var/cache/tlspolicyd-test/exim; contrib/quickstart.sh fills it).

EXIM_DEBS=${EXIM_DEBS:-/var/cache/tlspolicyd-test/exim}
EXIM_PKGS="exim4-daemon-light exim4-base exim4-config libidn12"

# exim_deb PACKAGE: the newest cached .deb of PACKAGE, or nothing
exim_deb() {
	ls "$EXIM_DEBS/$1"_*.deb 2>/dev/null | sort -V | tail -n 1
}

# exim_fetch: every package in the cache; tests running side by side
# download into their own directories and rename into the cache
exim_fetch() {
	_missing=
	for _p in $EXIM_PKGS; do
		[ -n "$(exim_deb "$_p")" ] || _missing="$_missing $_p"
	done
	[ -z "$_missing" ] && return 0
	mkdir -p "$EXIM_DEBS" || return 1
	_dl=$(mktemp -d "$EXIM_DEBS/.fetch.XXXXXX") || return 1
	chmod 755 "$_dl"
	# shellcheck disable=SC2086
	(cd "$_dl" && apt-get download $_missing) > "$T/exim-fetch.log" 2>&1
	_rc=$?
	for _f in "$_dl"/*.deb; do
		[ -f "$_f" ] && mv "$_f" "$EXIM_DEBS/"
	done
	rm -rf "$_dl"
	[ "$_rc" -eq 0 ] || return 1
	for _p in $EXIM_PKGS; do
		[ -n "$(exim_deb "$_p")" ] || return 1
	done
}

# exim_fail WHAT [LOG]: the private Exim does not work (a failed test,
# never a skip: the packages were there)
exim_fail() {
	not_ok "private exim: $1"
	[ -n "${2:-}" ] && [ -f "$2" ] && tail -n 15 "$2" | sed 's/^/# /'
	return 1
}

exim_setup() {
	if ! exim_fetch; then
		sed 's/^/# /' "$T/exim-fetch.log" 2>/dev/null | tail -n 5
		# contrib/quickstart.sh test fetched them: there, missing is a failure
		[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - the Exim packages cannot be fetched into $EXIM_DEBS"; exit 1; }
		skip_all "the Exim packages ($EXIM_PKGS) cannot be fetched with apt-get download into $EXIM_DEBS"
	fi
	EXIM_DIR=$T/exim
	EXIM_ROOT=$EXIM_DIR/root
	mkdir -p "$EXIM_ROOT" "$EXIM_DIR/spool" "$EXIM_DIR/log"
	for _p in $EXIM_PKGS; do
		dpkg -x "$(exim_deb "$_p")" "$EXIM_ROOT" || { exim_fail "dpkg -x $_p"; return 1; }
	done
	EXIM_BIN=$EXIM_ROOT/usr/sbin/exim4
	# set-uid would make the loader ignore LD_LIBRARY_PATH
	chmod 755 "$EXIM_BIN"
	EXIM_LIBS=$EXIM_ROOT/usr/lib/x86_64-linux-gnu
	_arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null) && EXIM_LIBS=$EXIM_ROOT/usr/lib/$_arch
	if LD_LIBRARY_PATH=$EXIM_LIBS ldd "$EXIM_BIN" | grep 'not found' > "$T/exim-ldd.log"; then
		exim_fail "libraries missing (contrib/quickstart.sh deps test installs them)" "$T/exim-ldd.log"
		return 1
	fi
	# Debian-exim: the first free uid and gid from 64000, in copies of
	# the user databases that only the namespace sees
	_uid=64000
	while getent passwd "$_uid" >/dev/null || getent group "$_uid" >/dev/null; do
		_uid=$((_uid + 1))
	done
	EXIM_UID=$_uid
	grep -v '^Debian-exim:' /etc/passwd > "$EXIM_DIR/passwd"
	echo "Debian-exim:x:$_uid:$_uid::$EXIM_DIR/spool:/usr/sbin/nologin" >> "$EXIM_DIR/passwd"
	grep -v '^Debian-exim:' /etc/group > "$EXIM_DIR/group"
	echo "Debian-exim:x:$_uid:" >> "$EXIM_DIR/group"
	chmod 644 "$EXIM_DIR/passwd" "$EXIM_DIR/group"
	if [ -n "${1:-}" ]; then
		EXIM_RESOLV=$1
	else
		EXIM_RESOLV=/etc/resolv.conf
	fi
	chown "$_uid:$_uid" "$EXIM_DIR/spool" "$EXIM_DIR/log"
	chmod 750 "$EXIM_DIR/spool"
	chmod 755 "$EXIM_DIR/log"
	EXIM_LOG=$EXIM_DIR/log/mainlog
	exim_conf
	if ! exim -bV > "$T/exim-bV.log" 2>&1 || ! grep -q '^Exim version 4' "$T/exim-bV.log"; then
		exim_fail "exim -bV" "$T/exim-bV.log"
		return 1
	fi
	EXIM_VERSION=$(sed -n 's/^Exim version \([^ ]*\).*/\1/p' "$T/exim-bV.log")
}

# exim_private: the main settings that keep an instance private (nothing
# outside $EXIM_DIR), for exim_conf and for configurations under test
exim_private() {
	cat <<P
exim_path = $EXIM_BIN
spool_directory = $EXIM_DIR/spool
log_file_path = $EXIM_DIR/log/%slog
pid_file_path = $EXIM_DIR/exim.pid
deliver_drop_privilege = true
keep_environment = LD_LIBRARY_PATH
primary_hostname = out.localdomain
qualify_domain = out.localdomain
P
}

exim_conf() {
	cat > "$EXIM_DIR/exim.conf" <<C
# private test instance: nothing outside $EXIM_DIR
$(exim_private)
local_interfaces = 127.0.0.1
daemon_smtp_ports = ${EXIM_PORT:-2525}
acl_smtp_rcpt = acl_rcpt
tls_advertise_hosts =
dns_dnssec_ok = 1
log_selector = +tls_peerdn +tls_certificate_verified +tls_sni +outgoing_port +millisec +pid +dnssec +retry_defer
${EXIM_MAIN:-}

begin acl
acl_rcpt:
  accept hosts = 127.0.0.1
  deny

begin routers
remote:
  driver = dnslookup
  transport = remote_smtp
  dnssec_request_domains = *
  no_more

begin transports
remote_smtp:
  driver = smtp
  hosts_try_dane = *
  tls_sni = \$host
${EXIM_TRANSPORT:-}

begin retry
*  *  F,1d,1m
C
	chmod 644 "$EXIM_DIR/exim.conf"
}

# exim_exec ARGS: the private exim in its namespace, as root, exec'd in
# place of the calling shell (unshare, sh and env each exec the next, so
# the pid stays the caller's: "(exim_exec -bdf) &" leaves $! the pid of
# Exim itself).  With EXIM_DEVLOG, a syslog socket: /dev in the namespace
# is a tmpfs with null, zero, random, urandom and that socket as /dev/log,
# for an Exim that logs to syslog.  Every file descriptor above 2 is
# closed before Exim starts: a daemon, or a process it leaves behind,
# must not hold what the test's callers opened (a make job slot, the
# lock file of "flock LOCK make check")
exim_exec() {
	mkdir -p "$EXIM_DIR/dev"
	exec unshare --mount --propagation private sh -c '
		mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group &&
		    mount --bind "$3" /etc/resolv.conf || exit 111
		if [ -n "$4" ]; then
			mount --bind /dev "$5" && mount -t tmpfs -o mode=755 tmpfs /dev || exit 111
			for _n in null zero random urandom; do
				touch "/dev/$_n" && mount --bind "$5/$_n" "/dev/$_n" || exit 111
			done
			ln -s /proc/self/fd /dev/fd
			touch /dev/log && mount --bind "$4" /dev/log || exit 111
		fi
		shift 5
		_l=$1 _b=$2 _c=$3
		shift 3
		exec python3 -c "import os, sys; os.closerange(3, 65536); os.execv(sys.argv[1], sys.argv[1:])" \
		    /usr/bin/env LD_LIBRARY_PATH="$_l" "$_b" -C "$_c" "$@"' sh \
	    "$EXIM_DIR/passwd" "$EXIM_DIR/group" "$EXIM_RESOLV" "${EXIM_DEVLOG:-}" "$EXIM_DIR/dev" \
	    "$EXIM_LIBS" "$EXIM_BIN" "$EXIM_DIR/exim.conf" "$@"
}

# exim ARGS: exim_exec in a subshell (the caller goes on)
exim() {
	(exim_exec "$@")
}

exim_wrapper() {
	cat > "$1" <<W
#!/bin/sh
exec unshare --mount --propagation private sh -c '
	mount --bind "\$1" /etc/passwd && mount --bind "\$2" /etc/group &&
	    mount --bind "\$3" /etc/resolv.conf || exit 75
	shift 3
	exec env LD_LIBRARY_PATH="$EXIM_LIBS" "$EXIM_BIN" -C "$EXIM_DIR/exim.conf" "\$@"' sh \
    "$EXIM_DIR/passwd" "$EXIM_DIR/group" "$EXIM_RESOLV" "\$@"
W
	chmod 755 "$1"
}

# exim_ids: the ids of the messages received so far, oldest first
exim_ids() {
	sed -n 's/^.* \([0-9A-Za-z]\{6\}-[0-9A-Za-z]\{6,11\}-[0-9A-Za-z]\{2,4\}\) <= .*/\1/p' "$EXIM_LOG" 2>/dev/null
}

exim_send() {
	_from=$1
	shift
	_before=$(exim_ids | wc -l)
	if ! printf 'From: %s\nSubject: test %s\n\nA test message.\n' "$_from" "$*" |
	    exim -odq -f "$_from" "$@" > "$T/exim-send.log" 2>&1; then
		exim_fail "message to $* not accepted" "$T/exim-send.log"
		return 1
	fi
	if ! wait_for 10 sh -c "[ \$(grep -c ' <= ' '$EXIM_LOG') -gt $_before ]"; then
		exim_fail "no <= line for the message to $*" "$EXIM_LOG"
		return 1
	fi
	exim_ids | sed -n "$((_before + 1))p"
}

# exim_attempted ID: the last delivery attempt of ID is logged (every
# address delivered, deferred or failed, or the message completed)
exim_attempted() {
	grep -Eq " $1 (=>|==|\*\*|Completed)" "$EXIM_LOG"
}

exim_deliver_now() {
	_n=$(grep -cE " $1 (=>|->|==|\*\*|Completed)" "$EXIM_LOG")
	exim -M "$1" > "$T/exim-deliver.log" 2>&1
	if ! wait_for 60 sh -c "[ \$(grep -cE ' $1 (=>|->|==|\*\*|Completed)' '$EXIM_LOG') -gt $_n ]"; then
		exim_fail "no delivery attempt of $1 logged" "$EXIM_LOG"
		return 1
	fi
}

exim_queue_run() {
	exim -qqff > "$T/exim-queue.log" 2>&1
}

exim_lines() {
	grep " $1 " "$EXIM_LOG"
}

exim_start() {
	EXIM_PORT=${1:-$(free_port)}
	exim_conf
	exim_daemon "$EXIM_PORT"
}

exim_daemon() {
	EXIM_PORT=${1:-${EXIM_PORT:-$(free_port)}}
	_n=$(grep -c 'daemon started' "$EXIM_LOG" 2>/dev/null)
	rm -f "$EXIM_DIR/exim.pid"
	# -oX alone writes no pid file: -oP names it
	(exim_exec -bdf -oX "$EXIM_PORT" -oP "$EXIM_DIR/exim.pid" >> "$T/exim-daemon.log" 2>&1) &
	EXIM_PID=$!
	bg_pids="$bg_pids $EXIM_PID"
	if ! wait_for 20 sh -c "kill -0 $EXIM_PID && [ \$(grep -c 'daemon started' '$EXIM_LOG') -gt ${_n:-0} ] && [ -s '$EXIM_DIR/exim.pid' ]"; then
		exim_fail "the daemon does not start on port $EXIM_PORT" "$T/exim-daemon.log"
		return 1
	fi
	# the pid Exim wrote is the one started, not a wrapper's
	if [ "$(cat "$EXIM_DIR/exim.pid")" != "$EXIM_PID" ]; then
		exim_fail "the daemon's pid file says $(cat "$EXIM_DIR/exim.pid"), not $EXIM_PID"
		kill "$(cat "$EXIM_DIR/exim.pid")" 2>/dev/null
		return 1
	fi
}

# exim_stop: SIGTERM to the daemon (and to what its pid file names, if that
# is another process), then wait until it has exited, a zombie or gone
# (SIGKILL after 20 s)
exim_stop() {
	[ -n "${EXIM_PID:-}" ] || return 0
	_pf=$(cat "$EXIM_DIR/exim.pid" 2>/dev/null)
	# shellcheck disable=SC2086
	kill $EXIM_PID $_pf 2>/dev/null
	# shellcheck disable=SC2086
	if ! wait_for 20 sh -c "! ps -o stat= -p '$(echo $EXIM_PID $_pf | tr ' ' ',')' | grep -qv '^Z'"; then
		kill -KILL $EXIM_PID $_pf 2>/dev/null
	fi
	wait "$EXIM_PID" 2>/dev/null
	EXIM_PID=
}
