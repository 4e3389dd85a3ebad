# Shell helpers for the integration tests: TAP output, temporary
# directories, background processes that are always cleaned up, and
# polling instead of fixed sleeps.  Source it; then call plan N.

: "${top_srcdir:?run through make check}" "${top_builddir:?}" "${TLSPOLICYD:?}" "${TLSPOLICYCTL:?}"

tap_n=0
tap_failed=0
bg_pids=""

plan() { echo "1..$1"; }

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# check DESCRIPTION COMMAND...: ok if the command succeeds
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3"
		diag "got:  '$1'" "want: '$2'"
	fi
}

# like GOT PATTERN DESCRIPTION: ok if GOT, with its lines joined by
# spaces, contains PATTERN (grep -E)
like() {
	if printf '%s' "$1" | tr '\n' ' ' | grep -Eq -- "$2"; then
		ok "$3"
	else
		not_ok "$3"
		diag "got:  '$1'" "want match: '$2'"
	fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# need_faketime: libfaketime (Debian's faketime package), as need() does
# for tools
need_faketime() {
	FT=
	for _f in /usr/lib/*/faketime/libfaketimeMT.so.1; do [ -f "$_f" ] && FT=$_f; done
	[ -n "$FT" ] && return
	[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - libfaketime is not installed"; exit 1; }
	skip_all "libfaketime is not installed (package faketime)"
}

# start_daemon_faketime OFFSET: start_daemon under libfaketime, its clock
# OFFSET ("+SECONDS", "+3m"...) ahead of the real one; the test moves it
# by writing another offset to $T/clock, read at every time call (the
# daemon's timers follow)
start_daemon_faketime() {
	echo "$1" > "$T/clock"
	chmod 644 "$T/clock"
	LD_PRELOAD=$FT FAKETIME_TIMESTAMP_FILE=$T/clock FAKETIME_NO_CACHE=1
	export LD_PRELOAD FAKETIME_TIMESTAMP_FILE FAKETIME_NO_CACHE
	start_daemon
	_sdf=$?
	unset LD_PRELOAD FAKETIME_TIMESTAMP_FILE FAKETIME_NO_CACHE
	return $_sdf
}

# faketime_set OFFSET MAP: move that clock, then wake the daemon's loop
# with lookups through the socketmap MAP
faketime_set() {
	echo "$1" > "$T/clock"
	pm_q wake.invalid "$2" >/dev/null
	sleep 0.3
	pm_q wake.invalid "$2" >/dev/null
}

# need TOOL...: skip the test without a tool, but fail in CI, where
# .ci/run installs everything
need() {
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			if [ "${CI:-}" = true ]; then
				echo "1..1"
				echo "not ok 1 - $tool is not installed"
				exit 1
			fi
			skip_all "$tool not installed"
		fi
	done
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - must run as root"; exit 1; }
		skip_all "needs root"
	fi
}

cleanup() {
	for pf in ${PF_INSTANCES:-}; do
		postfix -c "$T/$pf" stop >/dev/null 2>&1
	done
	for pid in $bg_pids; do
		kill "$pid" 2>/dev/null
	done
	for pid in $bg_pids; do
		wait "$pid" 2>/dev/null
	done
	if [ "$tap_failed" -gt 0 ] && [ -n "${T:-}" ]; then
		for f in "$T"/*.log "$T"/*/maillog; do
			[ -f "$f" ] || continue
			diag "--- $f"
			tail -n 30 "$f" | sed 's/^/# /'
		done
	fi
	[ -n "${T:-}" ] && [ -z "${KEEP_TMP:-}" ] && rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# T: a private scratch directory the run-as user may traverse
T=$(mktemp -d /tmp/tlspolicy-test.XXXXXX)
chmod 755 "$T"

# wait_for SECONDS COMMAND...: poll every 50 ms until COMMAND succeeds
wait_for() {
	_wf_limit=$(($1 * 20))
	shift
	_wf_i=0
	while ! "$@" 2>/dev/null; do
		_wf_i=$((_wf_i + 1))
		[ "$_wf_i" -ge "$_wf_limit" ] && return 1
		sleep 0.05
	done
	return 0
}

# free_port: a port on 127.0.0.1 free now for both TCP and UDP, outside
# the kernel's ephemeral range (so no client socket, and no resolver of
# the test world, can be handed it while a server of the test world is
# restarting), and not handed out before in this test
free_port() {
	python3 - "$T/ports" <<'PY'
import random, socket, sys
lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
# above the ports daemons are usually configured on, below the range
pool = (10000, lo - 1) if lo > 14096 else (max(hi + 1, 1024), 65535)
try:
    used = set(open(sys.argv[1]).read().split())
except OSError:
    used = set()
for _ in range(1000):
    port = random.randint(*pool)
    if str(port) in used:
        continue
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            with socket.socket(socket.AF_INET, kind) as s:
                s.bind(("127.0.0.1", port))
    except OSError:
        continue
    with open(sys.argv[1], "a") as f:
        f.write("%d\n" % port)
    print(port)
    sys.exit(0)
sys.exit("free_port: no free port in %d-%d" % pool)
PY
}

# postfix_dir: a minimal Postfix configuration directory for postmap -c
postfix_dir() {
	if [ ! -f "$T/postfix/main.cf" ]; then
		mkdir -p "$T/postfix"
		# myhostname: no DNS lookup of this machine's name at start-up
		printf 'compatibility_level = 3.6\nmyhostname = localhost.localdomain\n' > "$T/postfix/main.cf"
		# Postfix waits for a just-written main.cf to settle; age it
		touch -d '1 minute ago' "$T/postfix/main.cf"
	fi
	echo "$T/postfix"
}

# pm_q KEY MAP: postmap -q against a socketmap endpoint, e.g.
# pm_q example.com unix:$T/run/postfix.sock:postfix
pm_q() {
	postmap -c "$(postfix_dir)" -q "$1" "socketmap:$2"
}

# write_conf [settings on stdin]: $T/tlspolicyd.conf for a test daemon;
# the test's own settings replace these defaults.  Tests never ask the
# machine's resolver: MTA-STS and DANE are off unless a test turns them
# on with its own loopback resolver.
write_conf() {
	extra=$(cat)
	if [ "$(id -u)" = 0 ]; then user=nobody; else user=; fi
	{
		for kv in "socketmap_listen = unix:$T/run/postfix.sock" \
		    "control_socket = unix:$T/run/control.sock" \
		    "state_directory = $T/state" "user = $user" \
		    "mta_sts = no" "dane = no" "dns_resolver = 127.0.0.1:9"; do
			key=${kv%% =*}
			printf '%s\n' "$extra" | grep -q "^$key *=" || printf '%s\n' "$kv"
		done
		printf '%s\n' "$extra"
	} > "$T/tlspolicyd.conf"
}

# start_daemon: start tlspolicyd -f on $T/tlspolicyd.conf, wait until it
# answers; DPID is its pid, its log $T/daemon.log
start_daemon() {
	ready0=$(grep -c ' ready ' "$T/daemon.log" 2>/dev/null)
	"$TLSPOLICYD" -f -c "$T/tlspolicyd.conf" "$@" >> "$T/daemon.log" 2>&1 &
	DPID=$!
	bg_pids="$bg_pids $DPID"
	wait_for 10 daemon_ready "${ready0:-0}"
}

daemon_ready() {
	kill -0 "$DPID" && [ "$(grep -c ' ready ' "$T/daemon.log")" -gt "$1" ]
}

stop_daemon() {
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
}

# ctl ARGS: tlspolicyctl against the test daemon
ctl() {
	"$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" "$@"
}

done_testing() {
	# Daemons built with --enable-sanitizers report into their logs.
	reports=$(grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T"/*.log 2>/dev/null)
	if [ -n "$reports" ]; then
		not_ok "sanitizer reports in $reports"
		for f in $reports; do
			grep -A20 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" | head -40 | sed 's/^/# /'
		done
	else
		ok "no sanitizer reports in the daemon logs"
	fi
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# need_dkimpy [MODULE...]: python3 with dkimpy (and each MODULE) as $PY;
# without them the test is skipped (in CI it fails)
need_dkimpy() {
	PY=/usr/bin/python3
	_mods=dkim
	for _m in "$@"; do _mods="$_mods, $_m"; done
	$PY -c "import $_mods" 2>/dev/null || {
		[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - python3-dkim missing"; exit 1; }
		skip_all "python3-dkim (dkimpy) not installed"
	}
}

# same_file A B DESCRIPTION [LINES]: ok if the files are equal, else not ok
# with the first LINES (20) lines of their diff
same_file() {
	if cmp -s "$1" "$2"; then
		ok "$3"
	else
		not_ok "$3"
		diff "$1" "$2" | head -"${4:-20}" | sed 's/^/# /'
	fi
}

# lacks PATTERN FILE DESCRIPTION: ok if no line of FILE matches PATTERN
# (grep -Ei), else not ok with the first lines that do
lacks() {
	if grep -Eiq -- "$1" "$2"; then
		not_ok "$3"
		grep -Ei -- "$1" "$2" | head -5 | sed 's/^/# /'
	else
		ok "$3"
	fi
}

# genlog LINES SEED [HOSTS]: a generated Postfix log (bench/genlog.py)
genlog() { python3 "$top_srcdir/bench/genlog.py" "$@"; }

# start_follower [settings on stdin]: an empty log $T/log/mail.log and a
# daemon configured to follow it, keeping the generated logs' old days;
# then start_daemon
start_follower() {
	mkdir -p "$T/log"
	: > "$T/log/mail.log"
	chmod 644 "$T/log/mail.log"
	{ printf 'log_source = %s\nresult_retention = 3650d\n' "$T/log/mail.log"; cat; } | write_conf
	start_daemon
}

# ingest_clean LOG [SED]: LOG imported once, without interruption, into a
# store of its own ($T/clean, with $T/clean.conf: the daemon's settings
# without log_source, SED applied); ingest's output on standard output,
# the counts in $T/clean.txt; the import's exit status
ingest_clean() {
	mkdir -p "$T/clean"
	chown nobody "$T/clean" 2>/dev/null
	sed "s|^state_directory = .*|state_directory = $T/clean|; /^log_source/d; ${2:-}" \
	    "$T/tlspolicyd.conf" > "$T/clean.conf"
	"$TLSPOLICYCTL" -c "$T/clean.conf" ingest "$1"
	_rc=$?
	"$TLSPOLICYCTL" -c "$T/clean.conf" results > "$T/clean.txt"
	return $_rc
}

# tap_from NAME OUT RC: take over the TAP lines a client (NAME) wrote to
# OUT and exited with RC; a failure without a "not ok", or no result at
# all, is a failure
tap_from() {
	cat "$2"
	tap_n=$(grep -cE '^(not )?ok ' "$2")
	tap_failed=$(grep -c '^not ok ' "$2")
	[ "$3" = 0 ] || [ "$tap_failed" -gt 0 ] || not_ok "$1 exited with status $3"
	# a client that ran no check has checked nothing
	[ "$tap_n" -gt 0 ] || not_ok "$1 printed no results"
}

# http_post URL FILE TYPE: "CODE body" of a POST of FILE as TYPE
http_post() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], data=open(sys.argv[2], "rb").read(), method="POST",
                             headers={"Content-Type": sys.argv[3]})
try:
    r = urllib.request.urlopen(req, timeout=20)
    code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
print(code, body.decode(errors="replace").strip())
PY
}

# decisions_read: $dump, the decision records of the running daemon's
# store, read through the store's owner: the daemon lends it, having
# committed everything (its writes need not be on disk yet)
decisions_read() {
	dump=$("$STOREDUMP" "$T/state" "unix:$T/run/control.sock" decision.db)
}

# decided RECORD: $dump holds RECORD (fields joined by \09) for today
decided() { printf '%s\n' "$dump" | grep -qF " $(date -u +%Y-%m-%d)\\09$1"; }

# lines_read N: the daemon's status says it has read N lines of its log
lines_read() { timeout 20 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" status | grep -q "lines=$1 "; }

# has_store: the daemon's status says it has its store open (not lent)
has_store() { timeout 20 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" status | grep -qx 'store: open'; }
