#!/bin/sh
# scale.sh - one host at internet scale: a state directory filled by
# bench/cachefill with N cached MTA-STS policies and N DANE results, then
# tlspolicyd started on it: store size, time from start to the first
# answer (restart-to-ready), RSS once ready, and cached socketmap lookups
# (bench/sockmap, 16 persistent connections, keys spread over the cache)
# beside bench/refserver; the same with 1,000 entries for comparison.
#
# With --dane M: M DANE results instead of N.  A DANE result takes a
# fixed 26.8 kB in memory (16 hosts of 8 TLSA records each): do not ask
# for a million of them on a machine without 30 GB to spare.
#
# usage: bench/scale.sh [--builddir DIR] [-n N] [--dane M] [-d SECONDS]
set -eu
builddir=.
n=1000000
dane=
duration=5
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$2; shift 2 ;;
	-n) n=$2; shift 2 ;;
	-d) duration=$2; shift 2 ;;
	--dane) dane=$2; shift 2 ;;
	*) echo "usage: $0 [--builddir DIR] [-n N] [--dane M] [-d SECONDS]" >&2; exit 2 ;;
	esac
done
builddir=$(cd "$builddir" && pwd)
D=$builddir/daemon/tlspolicyd
F=$builddir/bench/cachefill
C=$builddir/bench/sockmap
R=$builddir/bench/refserver
for b in "$D" "$F" "$C" "$R"; do
	[ -x "$b" ] || { echo "missing $b (run make bench/cachefill bench/sockmap bench/refserver)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/tlspolicy-scale.XXXXXX)
chmod 755 "$T"
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
user=
[ "$(id -u)" = 0 ] && user=nobody
want="OK secure match=mx.s7.example servername=hostname"

echo s7.example > "$T/key"
"$R" "$T/ref.sock" "$want" &
pids="$pids $!"

# one COUNT: fill, start, measure; prints one row
one() {
	cnt=$1
	dn=${2:-$1}
	S=$T/state$cnt
	mkdir -p "$S" "$T/run$cnt"
	fs=$(date +%s.%N)
	"$F" "$S" "$cnt" "$dn"
	fe=$(date +%s.%N)
	[ -z "$user" ] || chown -R "$user" "$S" "$T/run$cnt"
	cat > "$T/$cnt.conf" <<C
socketmap_listen = unix:$T/run$cnt/postfix.sock
control_socket = unix:$T/run$cnt/control.sock
state_directory = $S
log_level = warning
mta_sts = yes
dane = yes
dns_resolver = 127.0.0.1:9
user = $user
C
	size=$(du -sk "$S" | cut -f1)
	s=$(date +%s.%N)
	"$D" -f -c "$T/$cnt.conf" 2> "$T/daemon$cnt.log" &
	dp=$!
	pids="$pids $dp"
	# ready: the first answer to a lookup of a cached policy
	while ! [ -S "$T/run$cnt/postfix.sock" ] || ! "$C" -u "$T/run$cnt/postfix.sock" -1 \
	    -k "$T/key" -e "$want" 2>&1 | grep -q ' errors=0'; do
		kill -0 "$dp" || { cat "$T/daemon$cnt.log" >&2; exit 1; }
		sleep 0.01
	done
	e=$(date +%s.%N)
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$dp/status")
	tp=$("$C" -u "$T/run$cnt/postfix.sock" -c 16 -d "$duration" -K s7.example -e "$want")
	rss2=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$dp/status")
	ref=$("$C" -u "$T/ref.sock" -c 16 -d "$duration" -e "$want")
	f() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
	printf '%9s %8s %8.1f %9d %8.2f %9d %9d %10s %7s %10s %7s\n' "$cnt" "$dn" "$(echo "$fe - $fs" | bc)" \
	    "$((size / 1024))" "$(echo "$e - $s" | bc)" "$((rss / 1024))" "$((rss2 / 1024))" \
	    "$(f "$tp" rps)" "$(f "$tp" p99_us)" "$(f "$ref" rps)" "$(f "$ref" p99_us)"
	kill "$dp"
	wait "$dp" 2>/dev/null || true
}
echo "cached MTA-STS policies and DANE results; lookups: 16 connections, ${duration}s, $(nproc) cores shared by client and server"
printf '%9s %8s %8s %9s %8s %9s %9s %10s %7s %10s %7s\n' N_sts N_dane fill_s store_MB ready_s rss_MB rss2_MB tlspd_rps p99_us ref_rps p99_us
one 1000
one "$n" "${dane:-$n}"
