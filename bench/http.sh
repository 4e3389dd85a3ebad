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
builddir=$(cd "$builddir" && pwd)
D=$builddir/daemon/tlspolicyd
C=$builddir/bench/sockmap
for b in "$D" "$C"; do
	[ -x "$b" ] || { echo "missing $b (run make bench)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/tlspolicy-bench.XXXXXX)
chmod 755 "$T"
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{
	echo "example.com secure match=mx.example.com servername=hostname"
	i=0
	while [ $i -lt 10000 ]; do
		echo "d$i.example may"
		i=$((i + 1))
	done
} > "$T/local_policy"
chmod 644 "$T/local_policy"
user=
[ "$(id -u)" = 0 ] && user=nobody
cat > "$T/tlspolicyd.conf" <<C
socketmap_listen = unix:$T/run/postfix.sock
control_socket = unix:$T/run/control.sock
state_directory = $T/state
local_policy_file = $T/local_policy
log_level = warning
mta_sts = no
dane = no
user = $user
http_listen = 127.0.0.1:$port
C
"$D" -f -c "$T/tlspolicyd.conf" 2> "$T/daemon.log" &
pids="$pids $!"
i=0
while [ ! -S "$T/run/postfix.sock" ]; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "tlspolicyd did not start" >&2; cat "$T/daemon.log" >&2; exit 1; }
	sleep 0.05
done
want="OK secure match=mx.example.com servername=hostname"
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
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
