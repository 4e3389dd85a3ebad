#!/bin/sh
# http.sh - what the HTTP side (http_listen) costs the socketmap service:
# lookups per second and latency (bench/sockmap, 16 persistent
# connections, answers from the local policy table) in three runs:
#   quiet:   no HTTP client;
#   scrape:  /metrics fetched every 100 ms, and the status page every
#            second, as a busy Prometheus and a browser would;
#   hostile: 300 HTTP connections opened and held, half of them with
#            half a request (more than the connection limits let in;
#            the rest are closed at once and reopened).
# Figures, not a pass/fail test.
#
# usage: bench/http.sh [--builddir DIR] [-d SECONDS]
set -eu
builddir=.
duration=5
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$2; shift 2 ;;
	-d) duration=$2; shift 2 ;;
	*) echo "usage: $0 [--builddir DIR] [-d SECONDS]" >&2; exit 2 ;;
	esac
done
. "$(dirname "$0")/lib.sh"
bench_need "$D" "$C"
bench_tmp

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bench_policy 10000
bench_conf <<C
http_listen = 127.0.0.1:$port
C
bench_daemon
bench_wait "$T/run/postfix.sock"
want="OK secure match=mx.example.com servername=hostname"
run() { "$C" -u "$T/run/postfix.sock" -c 16 -d "$duration" -K example.com -e "$want"; }

# the HTTP clients, in the background for one run each
scraper() {
	python3 - "$port" > /dev/null 2>&1 <<'PY' &
import sys, time, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
n = 0
while True:
    t = time.monotonic()
    urllib.request.urlopen(base + "/metrics", timeout=5).read()
    if n % 10 == 0:
        urllib.request.urlopen(base + "/", timeout=5).read()
    n += 1
    time.sleep(max(0, 0.1 - (time.monotonic() - t)))
PY
	echo $!
}
hostile() {
	python3 - "$port" > /dev/null 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
conns = []
while True:
    conns = [s for s in conns if s.fileno() >= 0]
    while len(conns) < 300:
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
            if len(conns) % 2:
                s.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            s.close()
            break
        s.setblocking(False)
        conns.append(s)
    time.sleep(0.5)
    for s in conns:           # reopen what the daemon closed
        try:
            if s.recv(1) == b"":
                s.close()
        except BlockingIOError:
            pass
        except OSError:
            s.close()
PY
	echo $!
}

echo "socketmap lookups (16 connections, ${duration}s per run) with the HTTP side busy; $(nproc) cores"
printf '%-8s %10s %8s %8s %8s %9s %9s\n' run rps p50_us p99_us max_us rps_ratio p99_ratio
base_rps=; base_p99=
for mode in quiet scrape hostile; do
	hp=
	case $mode in
	scrape) hp=$(scraper) ;;
	hostile) hp=$(hostile) ;;
	esac
	[ -n "$hp" ] && { pids="$pids $hp"; sleep 1; }
	out=$(run)
	[ -n "$hp" ] && kill "$hp" 2>/dev/null
	rps=$(field "$out" rps); p50=$(field "$out" p50_us); p99=$(field "$out" p99_us); mx=$(field "$out" max_us)
	[ -z "$base_rps" ] && { base_rps=$rps; base_p99=$p99; }
	printf '%-8s %10s %8s %8s %8s %8s%% %9s\n' $mode "$rps" "$p50" "$p99" "$mx" \
	    "$(awk "BEGIN { printf \"%.1f\", 100 * $rps / $base_rps }")" \
	    "$(awk "BEGIN { printf \"%.2f\", ($p99 + 0.0001) / ($base_p99 + 0.0001) }")"
done
