#!/bin/sh
# The test world itself on a shared machine: its servers' ports are
# chosen outside the ephemeral range and free for TCP and UDP, and no
# other process can take them while the world runs - not during a
# resolver outage (world_dns_stop / world_dns_start) and not while nsd
# reloads a changed zone.  A stranger that keeps trying to bind the
# ports stands for the resolvers and DNS clients of other worlds on the
# same machine.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need_root
need nsd nsd-control unbound unbound-control ldns-signzone dig python3

# free_port: outside ip_local_port_range, free for both, never twice
range=$(cat /proc/sys/net/ipv4/ip_local_port_range)
lo=${range%%[!0-9]*}
hi=${range##*[!0-9]}
ports=
for i in 1 2 3 4 5 6 7 8 9 10; do
	ports="$ports $(free_port)"
done
bad=
for p in $ports; do
	[ "$p" -ge "$lo" ] && [ "$p" -le "$hi" ] && bad="$bad $p"
done
is "$bad" "" "free_port: no port in the ephemeral range $lo-$hi ($ports )"
is "$(printf '%s\n' $ports | sort -u | wc -l)" 10 "free_port: ten calls, ten ports"

world_dns_up
check "the resolver validates" sh -c "dig +dnssec +time=2 +tries=1 -p $WORLD_DNS_PORT @127.0.0.1 test. SOA | grep -q 'flags:.* ad'"

# stranger PORT NAME: keep trying to bind UDP and TCP 127.0.0.1:PORT and
# hold it once bound, until $T/NAME.stop exists; $T/NAME.took says so
stranger() {
	python3 - "$1" "$T/$2" > /dev/null 2>&1 <<'PY' &
import os, socket, sys, time
port, base = int(sys.argv[1]), sys.argv[2]
held = []
while not os.path.exists(base + ".stop"):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        if any(s.type == kind for s in held):
            continue
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", port))
            held.append(s)
            open(base + ".took", "a").write("%s\n" % kind)
        except OSError:
            s.close()
    time.sleep(0.005)
PY
	bg_pids="$bg_pids $!"
	eval "stranger_$2=$!"
}
stranger_done() {
	touch "$T/$1.stop"
	eval "wait \$stranger_$1" 2>/dev/null
	test ! -e "$T/$1.took"
}

# a resolver outage with a stranger at the door
world_dns_stop
stranger "$WORLD_DNS_PORT" resolver
out=$(dig +time=2 +tries=1 -p "$WORLD_DNS_PORT" @127.0.0.1 test. SOA 2>&1)
like "$out" "connection refused|no servers could be reached" "outage: UDP queries get no answer"
out=$(dig +tcp +time=2 +tries=1 -p "$WORLD_DNS_PORT" @127.0.0.1 test. SOA 2>&1)
like "$out" "connection refused" "outage: TCP connections are refused"
sleep 1   # the outage lasts; the stranger keeps trying meanwhile
check "outage ends: world_dns_start succeeds" world_dns_start
check "outage: the stranger never got the resolver's port" stranger_done resolver
check "after the outage the resolver validates again" sh -c \
    "dig +dnssec +time=2 +tries=1 -p $WORLD_DNS_PORT @127.0.0.1 test. SOA | grep -q 'flags:.* ad'"

# zone changes with a stranger at nsd's door
stranger "$NSD_PORT" nsd
for i in 1 2 3; do
	world_dns_set "r$i.test. A 192.0.2.$i"
done
check "reloads: the stranger never got nsd's port" stranger_done nsd
is "$(dig +short +time=2 +tries=1 -p "$WORLD_DNS_PORT" @127.0.0.1 r3.test. A)" 192.0.2.3 \
    "the last change resolves through the resolver"
check "nsd is the process it was" world_alive "$WORLD_NSD_PID"
done_testing
