# Shared by the benchmark scripts; source it once $builddir is read from
# the options.  It sets builddir to an absolute path and D, CTL, C and
# R to the programs there: tlspolicyd, tlspolicyctl, bench/sockmap and
# bench/refserver.
#
#   bench_need PROG...          each PROG (a path) built, or exit with a hint
#   bench_tmp [NAME]            T: a scratch directory /tmp/NAME.XXXXXX,
#                               removed at exit, after the processes
#                               listed in $pids are stopped (any of them
#                               may have exited already)
#   bench_policy N              $T/local_policy: the benchmark domain
#                               example.com and N others
#   bench_conf [settings on stdin]  $T/tlspolicyd.conf: sockets under
#                               $T/run, state in $T/state, the policy
#                               table, no MTA-STS or DANE
#   bench_daemon                start tlspolicyd on it (added to $pids),
#                               its log $T/daemon.log
#   bench_wait SOCKET...        wait (10 s at most) until every SOCKET is
#                               there, or exit with the daemon's log
#   field OUTPUT NAME           the NAME=value figure of bench/sockmap's
#                               one-line OUTPUT
#   bench_store_conf            $T/bench.conf for tlspolicyctl alone: the
#                               store in $T/state, of user $user (nobody
#                               when run as root)
#   bench_fresh                 $T/state empty, for a run from scratch

builddir=$(cd "$builddir" && pwd)
D=$builddir/daemon/tlspolicyd
CTL=$builddir/daemon/tlspolicyctl
C=$builddir/bench/sockmap
R=$builddir/bench/refserver

bench_need() {
	for _b in "$@"; do
		[ -x "$_b" ] || { echo "missing $_b (run make bench)" >&2; exit 1; }
	done
}

bench_tmp() {
	T=$(mktemp -d "/tmp/${1:-tlspolicy-bench}.XXXXXX")
	chmod 755 "$T"
	pids=
	trap 'for p in $pids; do kill "$p" 2>/dev/null || :; done; wait 2>/dev/null || :; rm -rf "$T"' EXIT
}

bench_policy() {
	{
		echo "example.com secure match=mx.example.com servername=hostname"
		_i=0
		while [ $_i -lt "$1" ]; do
			echo "d$_i.example may"
			_i=$((_i + 1))
		done
	} > "$T/local_policy"
	chmod 644 "$T/local_policy"
}

bench_conf() {
	_user=
	[ "$(id -u)" = 0 ] && _user=nobody
	{
		printf 'socketmap_listen = unix:%s/run/postfix.sock\n' "$T"
		printf 'control_socket = unix:%s/run/control.sock\n' "$T"
		printf 'state_directory = %s/state\n' "$T"
		printf 'local_policy_file = %s/local_policy\n' "$T"
		printf 'log_level = warning\nmta_sts = no\ndane = no\nuser = %s\n' "$_user"
		cat
	} > "$T/tlspolicyd.conf"
}

bench_daemon() {
	"$D" -f -c "$T/tlspolicyd.conf" 2> "$T/daemon.log" &
	pids="$pids $!"
}

bench_wait() {
	for _s in "$@"; do
		_i=0
		while [ ! -S "$_s" ]; do
			_i=$((_i + 1))
			[ $_i -gt 200 ] && { echo "$_s: not there after 10 s" >&2; cat "$T/daemon.log" >&2; exit 1; }
			sleep 0.05
		done
	done
}

field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

bench_store_conf() {
	user=
	[ "$(id -u)" = 0 ] && user=nobody
	printf 'state_directory = %s/state\nuser = %s\ncontrol_socket =\n' "$T" "$user" > "$T/bench.conf"
}

bench_fresh() {
	rm -rf "$T/state"
	mkdir "$T/state"
	[ -z "$user" ] || chown "$user" "$T/state"
}
