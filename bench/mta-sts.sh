#!/bin/sh
# mta-sts.sh - MTA-STS lookups of tlspolicyd side by side with Debian's
# postfix-mta-sts-resolver (mta-sts-daemon), both resolving through the
# same unbound and fetching from the same HTTPS server on loopback:
#  - cached lookups per second and p50/p99 latency at 1, 16 and 64
#    connections, with bench/refserver (a constant answer) as the ceiling;
#  - cold lookups (TXT + address + HTTPS fetch), against the time of the
#    DNS and HTTPS round trips they need.
# Needs root (port 53 and 443 on loopback addresses, a private mount
# namespace for the resolver's /etc/resolv.conf) and the packages unbound,
# openssl, python3 and postfix-mta-sts-resolver.
#
# usage: bench/mta-sts.sh [--builddir DIR] [-d SECONDS] [-n COLD_DOMAINS]
set -eu
builddir=.
duration=5
ncold=50
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$2; shift 2 ;;
	-d) duration=$2; shift 2 ;;
	-n) ncold=$2; shift 2 ;;
	*) echo "usage: $0 [--builddir DIR] [-d SECONDS] [-n COLD_DOMAINS]" >&2; exit 2 ;;
	esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
. "$srcdir/bench/lib.sh"
bench_need "$D" "$C" "$R"
for t in unbound openssl python3 mta-sts-daemon unshare; do
	command -v "$t" >/dev/null || { echo "$t is not installed" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }

bench_tmp
DNS_IP=127.0.53.1
MTS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# domains: one warm (answers measured for throughput), 2 x ncold cold ones
domains="warm.test"
i=0
while [ $i -lt "$ncold" ]; do
	domains="$domains a$i.test b$i.test"
	i=$((i + 1))
done

# certificates: a test CA and one certificate naming every policy host
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca.key" \
    -out "$T/ca.crt" -days 2 -subj "/CN=bench CA" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
san=$(for d in $domains; do printf 'DNS:mta-sts.%s,' "$d"; done)
mkdir -p "$T/certs"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/certs/default.key" \
    -out "$T/leaf.csr" -subj "/CN=mta-sts.warm.test" 2>/dev/null
printf 'subjectAltName=%s\n' "${san%,}" > "$T/leaf.ext"
openssl x509 -req -in "$T/leaf.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
    -extfile "$T/leaf.ext" -out "$T/certs/default.crt" 2>/dev/null

# DNS and policies
{
	cat <<U
server:
	interface: $DNS_IP
	port: 53
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$T"
	pidfile: "$T/unbound.pid"
	use-syslog: no
	verbosity: 0
	do-ip6: no
	access-control: 127.0.0.0/8 allow
	module-config: "iterator"
	local-zone: "test." static
U
	for d in $domains; do
		printf "\tlocal-data: '_mta-sts.%s. TXT \"v=STSv1; id=1;\"'\n" "$d"
		printf '\tlocal-data: "mta-sts.%s. A 127.0.0.1"\n' "$d"
		mkdir -p "$T/www/mta-sts.$d/.well-known"
		printf 'version: STSv1\r\nmode: enforce\r\nmx: mx1.%s\r\nmx: *.mx.%s\r\nmax_age: 86400\r\n' \
		    "$d" "$d" > "$T/www/mta-sts.$d/.well-known/mta-sts.txt"
	done
} > "$T/unbound.conf"
unbound -d -c "$T/unbound.conf" 2> "$T/unbound.log" &
pids="$pids $!"
python3 "$srcdir/t/httpsd.py" 127.0.0.1 443 "$T/certs" "$T/www" > "$T/httpsd.out" 2> /dev/null &
pids="$pids $!"

cat > "$T/tlspolicyd.conf" <<C
socketmap_listen = unix:$T/run/postfix.sock
control_socket = unix:$T/run/control.sock
state_directory = $T/state
log_level = warning
user = nobody
dns_resolver = $DNS_IP
sts_ca_file = $T/ca.crt
dane = no
C
"$D" -f -c "$T/tlspolicyd.conf" 2> "$T/daemon.log" &
pids="$pids $!"
"$R" "$T/ref.sock" "OK secure match=mx1.warm.test:.mx.warm.test servername=hostname" &
pids="$pids $!"

# mta-sts-daemon reads the resolver from /etc/resolv.conf: give it its own
echo "nameserver $DNS_IP" > "$T/resolv.conf"
cat > "$T/mts.yml" <<Y
host: 127.0.0.1
port: $MTS_PORT
cache:
  type: internal
  options:
    cache_size: 10000
default_zone:
  strict_testing: false
  timeout: 4
Y
SSL_CERT_FILE=$T/ca.crt unshare --mount --propagation private sh -c \
    "mount --bind '$T/resolv.conf' /etc/resolv.conf && exec mta-sts-daemon -c '$T/mts.yml' -v warn" \
    2> "$T/mts.log" &
pids="$pids $!"

i=0
until [ -S "$T/run/postfix.sock" ] && [ -S "$T/ref.sock" ] && grep -q ready "$T/httpsd.out" \
    && python3 -c "import socket; socket.create_connection(('127.0.0.1', $MTS_PORT), 1)" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "servers did not start" >&2; tail "$T"/*.log >&2; exit 1; }
	sleep 0.05
done

ratio() { awk "BEGIN { printf \"%.2f\", ($1 + 0.0001) / ($2 + 0.0001) }"; }

# the round trips a cold lookup needs, measured alone
rtt=$(python3 - "$DNS_IP" "$T/ca.crt" <<'PY'
import socket, ssl, struct, sys, time
dns, ca = sys.argv[1], sys.argv[2]
def q(name, t):
    p = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0)
    for l in name.split("."):
        p += bytes([len(l)]) + l.encode()
    return p + b"\0" + struct.pack(">HH", t, 1)
best_dns = best_https = 1e9
for _ in range(20):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    t0 = time.perf_counter(); s.sendto(q("_mta-sts.warm.test", 16), (dns, 53)); s.recv(4096)
    best_dns = min(best_dns, time.perf_counter() - t0); s.close()
    ctx = ssl.create_default_context(cafile=ca)
    t0 = time.perf_counter()
    c = ctx.wrap_socket(socket.create_connection(("127.0.0.1", 443)), server_hostname="mta-sts.warm.test")
    c.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.warm.test\r\nConnection: close\r\n\r\n")
    while c.recv(65536): pass
    best_https = min(best_https, time.perf_counter() - t0); c.close()
print("%d %d" % (best_dns * 1e6, best_https * 1e6))
PY
)
dns_us=${rtt% *}
https_us=${rtt#* }

for d in $domains; do case $d in a*) echo "$d";; esac; done > "$T/cold-a"
for d in $domains; do case $d in b*) echo "$d";; esac; done > "$T/cold-b"
echo "cold lookups ($ncold fresh domains each, one at a time): TXT and A in parallel, then HTTPS"
echo "  network minimum: DNS $dns_us us + HTTPS GET $https_us us = $((dns_us + https_us)) us"
tp=$("$C" -u "$T/run/postfix.sock" -1 -k "$T/cold-a" -e "OK secure" || true)
mt=$("$C" -i "127.0.0.1:$MTS_PORT" -1 -k "$T/cold-b" -e "OK secure" || true)
printf '  %-22s p50 %6s us  max %6s us  (%s x the network minimum)\n' tlspolicyd \
    "$(field "$tp" p50_us)" "$(field "$tp" max_us)" "$(ratio "$(field "$tp" p50_us)" $((dns_us + https_us)))"
printf '  %-22s p50 %6s us  max %6s us  (%s x the network minimum)\n' postfix-mta-sts-resolver \
    "$(field "$mt" p50_us)" "$(field "$mt" max_us)" "$(ratio "$(field "$mt" p50_us)" $((dns_us + https_us)))"

want="OK secure match=mx1.warm.test:.mx.warm.test servername=hostname"
# the resolver lists the patterns in no fixed order
want_any="OK secure match="
# warm both caches
for try in 1 2 3; do
	w1=$("$C" -u "$T/run/postfix.sock" -1 -K warm.test -e "$want" || true)
	w2=$("$C" -i "127.0.0.1:$MTS_PORT" -1 -K warm.test -e "$want_any" || true)
	[ "$(field "$w1" errors)$(field "$w2" errors)" = 00 ] && break
	sleep 1
done
[ "$(field "$w1" errors)$(field "$w2" errors)" = 00 ] || { echo "warm-up failed: $w1 / $w2" >&2; tail -5 "$T/mts.log" >&2; exit 1; }
echo
echo "cached lookups, ${duration}s per run, $(nproc) cores shared by client and server"
printf '%5s  %9s %7s  %9s %7s %7s  %9s %7s %7s  %8s %8s  %8s\n' conns ref_rps p99_us \
    tlspd_rps p50_us p99_us resolver_rps p50_us p99_us tlspd/ref tlspd/res p99_res/tlspd
for c in 1 16 64; do
	ref=$("$C" -u "$T/ref.sock" -c $c -d "$duration" -e "$want")
	tp=$("$C" -u "$T/run/postfix.sock" -c $c -d "$duration" -K warm.test -e "$want")
	mt=$("$C" -i "127.0.0.1:$MTS_PORT" -c $c -d "$duration" -K warm.test -e "$want_any")
	printf '%5s  %9s %7s  %9s %7s %7s  %9s %7s %7s  %7s%% %7sx  %8sx\n' $c \
	    "$(field "$ref" rps)" "$(field "$ref" p99_us)" \
	    "$(field "$tp" rps)" "$(field "$tp" p50_us)" "$(field "$tp" p99_us)" \
	    "$(field "$mt" rps)" "$(field "$mt" p50_us)" "$(field "$mt" p99_us)" \
	    "$(awk "BEGIN { printf \"%.1f\", 100 * $(field "$tp" rps) / $(field "$ref" rps) }")" \
	    "$(ratio "$(field "$tp" rps)" "$(field "$mt" rps)")" \
	    "$(ratio "$(field "$mt" p99_us)" "$(field "$tp" p99_us)")"
done
