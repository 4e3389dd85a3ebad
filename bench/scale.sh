#!/bin/sh
# scale.sh - one host at internet scale: a state directory filled by
# bench/cachefill with N cached MTA-STS policies (each domain with the
# DANE result of a domain without DNSSEC beside it) and M DANE results
# (dane-only, each with the MTA-STS entry of a domain without a policy),
# then tlspolicyd started on it: store size, time from start
# to the first answer (restart-to-ready), RSS, and cached socketmap
# lookups (bench/sockmap, 16 persistent connections) of one domain, of
# 10,000 domains, and of every domain in turn (in a shuffled order: a
# first pass, which also records each domain's decision of the day, then
# the figures of pass 2), with the RSS after them, beside bench/refserver;
# the same with 1,000 of each, for comparison: both daemons run side by
# side and are measured in turn, three rounds; each figure but pass 1 is
# the median of the three.
#
# usage: bench/scale.sh [--builddir DIR] [-n N] [--dane M] [-d SECONDS]
#                       [--cache SIZE]
set -eu
builddir=.
n=1000000
dane=
duration=5
cache=
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$2; shift 2 ;;
	-n) n=$2; shift 2 ;;
	-d) duration=$2; shift 2 ;;
	--dane) dane=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	*) echo "usage: $0 [--builddir DIR] [-n N] [--dane M] [-d SECONDS] [--cache SIZE]" >&2; exit 2 ;;
	esac
done
. "$(dirname "$0")/lib.sh"
F=$builddir/bench/cachefill
for b in "$D" "$F" "$C" "$R"; do
	[ -x "$b" ] || { echo "missing $b (run make bench/cachefill bench/sockmap bench/refserver)" >&2; exit 1; }
done
bench_tmp tlspolicy-scale
user=
[ "$(id -u)" = 0 ] && user=nobody
want="OK secure match=mx.s7.example servername=hostname"

echo s7.example > "$T/key"
"$R" "$T/ref.sock" "$want" &
pids="$pids $!"

rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
# median FILE: of bench/sockmap's output lines in FILE, the one with the
# median rate
median() {
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^rps=/) print substr($i, 5), $0 }' "$1" |
	    sort -n | sed -n "$(( ($(wc -l < "$1") + 1) / 2 ))s/^[0-9]* //p"
}

# start TAG N M: fill a state directory, start tlspolicyd on it and
# restart it; then its first pass over every domain.  The figures go to
# files $T/TAG.*, the daemon stays up (its pid in $T/TAG.pid)
start() {
	tag=$1
	cnt=$2
	dn=$3
	S=$T/state.$tag
	run=$T/run.$tag
	mkdir -p "$S" "$run"
	echo "$cnt $dn" > "$T/$tag.size"
	fs=$(date +%s.%N)
	"$F" "$S" "$cnt" "$dn"
	fe=$(date +%s.%N)
	[ -z "$user" ] || chown -R "$user" "$S" "$run"
	# the fill's gigabyte goes to disk now, not while lookups are measured
	sync
	cat > "$T/conf.$tag" <<C
socketmap_listen = unix:$run/postfix.sock
control_socket = unix:$run/control.sock
state_directory = $S
log_level = warning
mta_sts = yes
dane = yes
dns_resolver = 127.0.0.1:9
user = $user
C
	[ -z "$cache" ] || echo "policy_cache_size = $cache" >> "$T/conf.$tag"
	# every domain, shuffled; and 10,000 of them
	awk -v n="$cnt" -v m="$dn" 'BEGIN { for (i = 0; i < n; i++) print "s" i ".example";
	    for (i = 0; i < m; i++) print "t" i ".example" }' | shuf --random-source=/dev/zero > "$T/all.$tag"
	head -n 10000 "$T/all.$tag" > "$T/hot.$tag"
	du -sk "$S" | cut -f1 > "$T/$tag.store"
	# ready: the first answer to a lookup of a cached policy
	ready() {
		while ! [ -S "$run/postfix.sock" ] || ! "$C" -u "$run/postfix.sock" -1 \
		    -k "$T/key" -e "$want" 2>&1 | grep -q ' errors=0'; do
			kill -0 "$dp" || { cat "$T/daemon.$tag.log" >&2; exit 1; }
			sleep 0.01
		done
	}
	# a first start and stop: the files written by the fill (and changed
	# by chown) are verified once and sealed at the clean stop, as after
	# any run of the daemon; then the restart that is measured
	"$D" -f -c "$T/conf.$tag" 2> "$T/daemon.$tag.log" &
	dp=$!
	ready
	kill "$dp"
	wait "$dp" 2>/dev/null || true
	s=$(date +%s.%N)
	"$D" -f -c "$T/conf.$tag" 2> "$T/daemon.$tag.log" &
	dp=$!
	pids="$pids $dp"
	ready
	e=$(date +%s.%N)
	echo "$dp" > "$T/$tag.pid"
	echo "$fe - $fs" | bc > "$T/$tag.fill"
	echo "$e - $s" | bc > "$T/$tag.ready"
	rss "$dp" > "$T/$tag.rss1"
	"$C" -u "$run/postfix.sock" -c 16 -a -k "$T/hot.$tag" -e "OK " > /dev/null
	"$C" -u "$run/postfix.sock" -c 16 -a -k "$T/all.$tag" -e "OK " > "$T/$tag.pass1"
}

# round TAG: one run of each measure, appended to its file
round() {
	"$C" -u "$T/run.$1/postfix.sock" -c 16 -d "$duration" -K s7.example -e "$want" >> "$T/$1.one"
	"$C" -u "$T/run.$1/postfix.sock" -c 16 -d "$duration" -k "$T/hot.$1" -e "OK " >> "$T/$1.hot"
	"$C" -u "$T/run.$1/postfix.sock" -c 16 -a -k "$T/all.$1" -e "OK " >> "$T/$1.pass2"
}

# row TAG: the row of figures
row() {
	one=$(median "$T/$1.one")
	hot=$(median "$T/$1.hot")
	pass1=$(cat "$T/$1.pass1")
	pass2=$(median "$T/$1.pass2")
	ref=$(median "$T/ref")
	read -r cnt dn < "$T/$1.size"
	printf '%9s %8s %6.1f %8d %7.2f %6d %8s %6s %8s %6s %8s %8s %6s %6d %8s %6s\n' "$cnt" "$dn" \
	    "$(cat "$T/$1.fill")" "$(($(cat "$T/$1.store") / 1024))" "$(cat "$T/$1.ready")" \
	    "$(($(cat "$T/$1.rss1") / 1024))" \
	    "$(field "$one" rps)" "$(field "$one" p99_us)" "$(field "$hot" rps)" "$(field "$hot" p99_us)" \
	    "$(field "$pass1" rps)" "$(field "$pass2" rps)" "$(field "$pass2" p99_us)" \
	    "$(($(rss "$(cat "$T/$1.pid")") / 1024))" "$(field "$ref" rps)" "$(field "$ref" p99_us)"
}

start small 1000 1000
start big "$n" "${dane:-$n}"
# the two daemons and refserver measured in turn, three rounds: the
# machine's drift falls on all of them
for r in 1 2 3; do
	round small
	round big
	"$C" -u "$T/ref.sock" -c 16 -d "$duration" -e "$want" >> "$T/ref"
done
echo "MTA-STS policies and DANE results cached; lookups over 16 connections (${duration}s, or every key once), $(nproc) cores shared by client and server"
echo "one: one domain; 10k: 10,000 domains; all: every domain once (pass1 records the day's decisions), then again (pass2); the two rows' daemons run side by side, each figure but pass1 the median of 3 rounds measured in turn; rss: after ready, and after all"
printf '%9s %8s %6s %8s %7s %6s %8s %6s %8s %6s %8s %8s %6s %6s %8s %6s\n' N_sts N_dane fill_s store_MB ready_s rss_MB \
    one_rps p99_us 10k_rps p99_us pass1_rps pass2_rps p99_us rss_MB ref_rps p99_us
row small
row big
