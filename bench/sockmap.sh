#!/bin/sh
# sockmap.sh - lookups per second and latency of tlspolicyd, side by side
# with the reference server (bench/refserver: answers a constant, does
# nothing else), over a unix socket; tlspolicyd answers from its local
# policy table (the benchmark domain and 100000 others).
#   default: the socketmap service, with 1, 16 and 64 persistent
#            connections, as Postfix asks;
#   --exim:  the Exim service (exim_listen), asked the way Exim's
#            ${readsocket} asks: a new connection per lookup, "policy
#            DOMAIN", shutdown of the writing side, the one-line answer
#            read until the server closes; 1 and 16 clients at a time
#            (refserver -l answers a constant line and closes).
#
# usage: bench/sockmap.sh [--builddir DIR] [-d SECONDS] [--exim]
set -eu
builddir=.
duration=5
exim=
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$2; shift 2 ;;
	-d) duration=$2; shift 2 ;;
	--exim) exim=yes; shift ;;
	*) echo "usage: $0 [--builddir DIR] [-d SECONDS] [--exim]" >&2; exit 2 ;;
	esac
done
. "$(dirname "$0")/lib.sh"
bench_need "$D" "$C" "$R"
bench_tmp

bench_policy 100000
bench_conf <<C
exim_listen = unix:$T/run/exim.sock
C
bench_daemon
if [ -n "$exim" ]; then
	want="mode=enforce"
	sock=$T/run/exim.sock
	conns="1 16"
	ropt=-l
	copt=-L
	title="Exim readsocket-style lookups (connect, request, shutdown, read to close)"
else
	want="OK secure match=mx.example.com servername=hostname"
	sock=$T/run/postfix.sock
	conns="1 16 64"
	ropt=
	copt=
	title="socketmap lookups, persistent connections"
fi
# shellcheck disable=SC2086
"$R" $ropt "$T/ref.sock" "$want" &
pids="$pids $!"
bench_wait "$sock" "$T/ref.sock"

echo "$title, unix socket, ${duration}s per run, $(nproc) cores shared by client and server"
printf '%5s  %10s %7s %7s  %10s %7s %7s  %9s %9s\n' conns ref_rps p50_us p99_us tlspd_rps p50_us p99_us rps_ratio p99_ratio
for c in $conns; do
	# shellcheck disable=SC2086
	ref=$("$C" $copt -u "$T/ref.sock" -c $c -d "$duration" -e "$want")
	# shellcheck disable=SC2086
	tp=$("$C" $copt -u "$sock" -c $c -d "$duration" -K example.com -e "$want")
	rr=$(field "$ref" rps); r99=$(field "$ref" p99_us); r50=$(field "$ref" p50_us)
	tr_=$(field "$tp" rps); t99=$(field "$tp" p99_us); t50=$(field "$tp" p50_us)
	printf '%5s  %10s %7s %7s  %10s %7s %7s  %8s%% %9s\n' $c "$rr" "$r50" "$r99" "$tr_" "$t50" "$t99" \
	    "$(awk "BEGIN { printf \"%.1f\", 100 * $tr_ / $rr }")" \
	    "$(awk "BEGIN { printf \"%.2f\", ($t99 + 0.0001) / ($r99 + 0.0001) }")"
done
