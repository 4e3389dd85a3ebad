# A small Internet on loopback for the integration tests:
#  - DNS with DNSSEC: nsd serves a fake root ".", "test." and two child
#    zones, signed at test time with ldns-signzone (ECDSA P-256, NSEC):
#    bogus.test. carries signatures that expired in 2020, unsigned.test.
#    is delegated without DS.  A validating unbound, with the fake root's
#    key as its only trust anchor, resolves for the programs under test.
#  - HTTPS: t/httpsd.py with certificates from a test CA (t/pki.sh).
# Source after lib.sh and pki.sh.
#
#   world_dns_up                 start nsd and unbound; WORLD_DNS=127.0.0.1:PORT
#                                (and port 53 of $WORLD_DNS53 if set, for libc)
#   world_dns_set "RR"           add a record (zone-file syntax, absolute owner)
#   world_dns_del NAME           remove every record of NAME
#   world_dns_stop / _start      a resolver outage and its end: the
#                                resolver's ports refuse, but stay held
#   world_dns_queries            how many queries unbound has received
#   world_https_up               start httpsd; WORLD_HTTPS_PORT, WORLD_CA
#   world_https_stop / _start
# A server of the world that does not come up is a failed test ("test
# world: ..." with its log) and a non-zero return, never a silent gap.
# Zone changes are reloaded by nsd-control; nsd and unbound keep their
# ports for the whole test.
#   world_sts DOMAIN ID BODY     publish a complete MTA-STS domain: TXT,
#                                the policy host's address, certificate, body
#   world_sts_body MODE MAX_AGE [MX...]  the text of a policy
#   world_mx DOMAIN ADDRESS      DOMAIN's one MX host mx.DOMAIN at ADDRESS
#   world_conf                   write_conf (settings on stdin) with the
#                                world's resolver, CA and HTTPS port
#   world_resolv                 $T/resolv.conf for libc: $WORLD_DNS53
#   world_dkim SEL DOMAIN KEY    publish an RSA key for DKIM; world_txt
#                                splits a long TXT text into strings

WORLD_ZONES="test. bogus.test. unsigned.test."

# world_zone_of NAME: the zone NAME belongs to
world_zone_of() {
	case $1 in
	*.bogus.test.|bogus.test.) echo bogus.test. ;;
	*.unsigned.test.|unsigned.test.) echo unsigned.test. ;;
	*) echo test. ;;
	esac
}

# world_sign ZONE [EXPIRED]: ZONE's signed file from its records
world_sign() {
	_z=$1
	_dir=$T/dns
	{
		printf '$TTL 60\n%s SOA ns.test. admin.test. %s 3600 600 86400 60\n' "$_z" "$(world_serial "$_z" next)"
		printf '%s NS ns.test.\n' "$_z"
		case $_z in
		.)
			printf 'ns.test. A 127.0.0.1\ntest. NS ns.test.\n'
			cat "$_dir/test..ds"
			;;
		test.)
			printf 'ns.test. A 127.0.0.1\n'
			printf 'bogus.test. NS ns.test.\nunsigned.test. NS ns.test.\n'
			cat "$_dir/bogus.test..ds"
			;;
		esac
		cat "$_dir/records.$_z" 2>/dev/null
	} > "$_dir/$_z.zone"
	if [ "$_z" = unsigned.test. ]; then
		cp "$_dir/$_z.zone" "$_dir/$_z.zone.signed"
	elif [ "$_z" = bogus.test. ]; then
		ldns-signzone -i 20191201000000 -e 20200101000000 -f "$_dir/$_z.zone.signed" \
		    "$_dir/$_z.zone" "$_dir/$(cat "$_dir/$_z.key")"
	else
		ldns-signzone -f "$_dir/$_z.zone.signed" "$_dir/$_z.zone" "$_dir/$(cat "$_dir/$_z.key")"
	fi
}

# world_serial ZONE [next]: ZONE's SOA serial, counted up by each signing
# so that a reload can be seen to have happened
world_serial() {
	_sf=$T/dns/serial.$1
	_sn=$(cat "$_sf" 2>/dev/null || echo 0)
	if [ "${2:-}" = next ]; then
		_sn=$((_sn + 1))
		echo "$_sn" > "$_sf"
	fi
	echo "$_sn"
}

# world_fail WHAT LOG: a server of the world did not come up
world_fail() {
	not_ok "test world: $1"
	[ -f "$2" ] && tail -n 15 "$2" | sed 's/^/# /'
	return 1
}

# world_port_free ADDRESS PORT: nothing has ADDRESS:PORT, TCP or UDP
world_port_free() {
	python3 - "$1" "$2" <<'PY'
import socket, sys
for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind((sys.argv[1], int(sys.argv[2])))
        except OSError:
            sys.exit(1)
PY
}

# world_alive PID: the process still runs
world_alive() { kill -0 "$1" 2>/dev/null; }

world_dns_up() {
	_dir=$T/dns
	mkdir -p "$_dir"
	# keys, children first so their DS records go into their parents
	for _z in bogus.test. test. .; do
		(cd "$_dir" && ldns-keygen -a ECDSAP256SHA256 -k "$_z") > "$_dir/$_z.key"
		ldns-key2ds -n -2 "$_dir/$(cat "$_dir/$_z.key").key" > "$_dir/$_z.ds"
	done
	for _z in . $WORLD_ZONES; do
		world_sign "$_z"
	done
	# a port taken between free_port and the bind costs a new port
	for _try in 1 2 3; do
		NSD_PORT=$(free_port)
		world_nsd_conf
		world_nsd_start quiet && break
	done
	[ -n "${WORLD_NSD_PID:-}" ] && world_alive "$WORLD_NSD_PID" || world_fail "nsd does not start" "$T/nsd.log" || return 1
	# unbound shares a port with any process of the same user that set
	# SO_REUSEPORT too: port 53 must be free, not shared with a stranger
	if [ -n "${WORLD_DNS53:-}" ] && ! world_port_free "$WORLD_DNS53" 53; then
		world_fail "$WORLD_DNS53 port 53 is taken" /dev/null
		return 1
	fi
	for _try in 1 2 3; do
		WORLD_DNS_PORT=$(free_port)
		WORLD_DNS=127.0.0.1:$WORLD_DNS_PORT
		world_unbound_conf
		world_dns_start quiet && return 0
	done
	world_fail "unbound does not start" "$T/unbound.log"
}

world_nsd_conf() {
	_dir=$T/dns
	{
		printf 'server:\n\tip-address: 127.0.0.1@%s\n\tzonesdir: "%s"\n' "$NSD_PORT" "$_dir"
		printf '\tusername: ""\n\tchroot: ""\n\tdatabase: ""\n\tpidfile: "%s/nsd.pid"\n' "$_dir"
		printf '\txfrdfile: "%s/xfrd.state"\n\tzonelistfile: "%s/zone.list"\n' "$_dir" "$_dir"
		printf '\tlogfile: "%s/nsd.log"\n\tverbosity: 1\n\tdo-ip6: no\n' "$T"
		printf 'remote-control:\n\tcontrol-enable: yes\n\tcontrol-interface: "%s/nsd.ctl"\n' "$_dir"
		for _z in . $WORLD_ZONES; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.zone.signed"\n' "$_z" "$_z"
		done
	} > "$_dir/nsd.conf"
}

world_unbound_conf() {
	_dir=$T/dns
	# outgoing queries from the ephemeral range only: never from a port
	# that free_port hands out to a server of this or another test world
	_eph_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
	cat > "$_dir/unbound.conf" <<U
server:
	interface: 127.0.0.1@$WORLD_DNS_PORT
	$([ -n "${WORLD_DNS53:-}" ] && echo "interface: $WORLD_DNS53@53")
	port: $WORLD_DNS_PORT
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$_dir"
	pidfile: "$_dir/unbound.pid"
	use-syslog: no
	logfile: "$T/unbound.log"
	verbosity: 1
	val-log-level: 2
	do-ip6: no
	do-not-query-localhost: no
	outgoing-interface: 127.0.0.1
	outgoing-port-avoid: 0-$((_eph_lo - 1))
	access-control: 127.0.0.0/8 allow
	module-config: "validator iterator"
	trust-anchor-file: "$_dir/..ds"
	harden-dnssec-stripped: yes
	# unbound answers NXDOMAIN for the special-use name test. by default
	local-zone: "test." nodefault
	val-override-date: 0
	cache-max-ttl: 0
	cache-max-negative-ttl: 0
$(for _z in . $WORLD_ZONES; do
	# every zone, so that referrals keep nsd's port
	printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: 127.0.0.1@%s\n\tstub-prime: no\n' "$_z" "$NSD_PORT"
done)
remote-control:
	control-enable: yes
	control-interface: "$_dir/unbound.ctl"
	control-use-cert: no
U
}

# world_nsd_serves ZONE SERIAL: nsd answers for ZONE with that serial
world_nsd_serves() {
	[ "$(dig +short +time=1 +tries=1 -p "$NSD_PORT" @127.0.0.1 "$1" SOA | cut -d' ' -f3)" = "$2" ]
}

# world_nsd_start [quiet]: start nsd and wait until it serves every zone
world_nsd_start() {
	nsd -d -c "$T/dns/nsd.conf" >> "$T/nsd.log" 2>&1 &
	WORLD_NSD_PID=$!
	bg_pids="$bg_pids $WORLD_NSD_PID"
	for _z in . $WORLD_ZONES; do
		if ! wait_for 20 world_nsd_ready "$_z" "$(world_serial "$_z")"; then
			kill "$WORLD_NSD_PID" 2>/dev/null
			wait "$WORLD_NSD_PID" 2>/dev/null
			[ "${1:-}" = quiet ] || world_fail "nsd does not serve $_z on port $NSD_PORT" "$T/nsd.log"
			return 1
		fi
	done
}

world_nsd_ready() { world_alive "$WORLD_NSD_PID" && world_nsd_serves "$@"; }

world_unbound_ready() {
	world_alive "$WORLD_DNS_PID" &&
	    dig +dnssec +time=1 +tries=1 -p "$WORLD_DNS_PORT" @127.0.0.1 test. SOA | grep -q 'flags:.* ad'
}

# world_dns_ports: the resolver's ADDRESS:PORT pairs
world_dns_ports() {
	echo "127.0.0.1:$WORLD_DNS_PORT${WORLD_DNS53:+ $WORLD_DNS53:53}"
}

# world_dns_start [quiet]: start unbound and wait until it validates;
# then let go of the ports held during an outage
world_dns_start() {
	for _try in 1 2 3; do
		unbound -d -c "$T/dns/unbound.conf" >> "$T/unbound.log" 2>&1 &
		WORLD_DNS_PID=$!
		bg_pids="$bg_pids $WORLD_DNS_PID"
		wait_for 20 world_unbound_ready && break
		kill "$WORLD_DNS_PID" 2>/dev/null
		wait "$WORLD_DNS_PID" 2>/dev/null
		WORLD_DNS_PID=
		# a port held by a stranger is not won by trying again
		[ -z "${WORLD_HOLD_PID:-}" ] && break
	done
	if [ -n "${WORLD_HOLD_PID:-}" ]; then
		kill "$WORLD_HOLD_PID" 2>/dev/null
		wait "$WORLD_HOLD_PID" 2>/dev/null
		WORLD_HOLD_PID=
	fi
	if [ -z "$WORLD_DNS_PID" ]; then
		[ "${1:-}" = quiet ] || world_fail "unbound does not answer on $WORLD_DNS" "$T/unbound.log"
		return 1
	fi
}

# world_dns_stop: a resolver outage.  Queries are refused as if nothing
# listened, but the ports stay held, so that unbound gets them back.
world_dns_stop() {
	: > "$T/portholder.out"
	python3 "$top_srcdir/t/portholder.py" $(world_dns_ports) > "$T/portholder.out" 2>> "$T/portholder.log" &
	WORLD_HOLD_PID=$!
	bg_pids="$bg_pids $WORLD_HOLD_PID"
	if ! wait_for 20 grep -q ready "$T/portholder.out"; then
		world_fail "the resolver's ports cannot be held" "$T/portholder.log"
		kill "$WORLD_HOLD_PID" 2>/dev/null
		WORLD_HOLD_PID=
	fi
	kill "$WORLD_DNS_PID" 2>/dev/null
	wait "$WORLD_DNS_PID" 2>/dev/null
	[ -n "$WORLD_HOLD_PID" ]
}

world_dns_queries() {
	unbound-control -c "$T/dns/unbound.conf" stats_noreset | sed -n 's/^total\.num\.queries=//p'
}

# world_dns_reload ZONE: re-sign, have nsd load it (nsd keeps its port),
# wait until nsd serves the new serial, forget what unbound cached
world_dns_reload() {
	world_sign "$1"
	_serial=$(world_serial "$1")
	nsd-control -c "$T/dns/nsd.conf" reload "$1" >> "$T/nsd.log" 2>&1
	if ! wait_for 20 world_nsd_ready "$1" "$_serial"; then
		world_fail "nsd does not serve $1 serial $_serial" "$T/nsd.log"
		return 1
	fi
	unbound-control -c "$T/dns/unbound.conf" flush_zone "$1" >/dev/null 2>&1
	unbound-control -c "$T/dns/unbound.conf" flush_bogus >/dev/null 2>&1
	unbound-control -c "$T/dns/unbound.conf" flush_negative >/dev/null 2>&1
}

world_dns_set() {
	_z=$(world_zone_of "${1%% *}")
	printf '%s\n' "$1" >> "$T/dns/records.$_z"
	[ -n "${WORLD_BATCH:-}" ] || world_dns_reload "$_z"
}

world_dns_del() {
	_z=$(world_zone_of "$1")
	grep -v "^$1 " "$T/dns/records.$_z" > "$T/dns/records.new" || true
	mv "$T/dns/records.new" "$T/dns/records.$_z"
	[ -n "${WORLD_BATCH:-}" ] || world_dns_reload "$_z"
}

# world_dns_batch / world_dns_commit: many changes, one reload
world_dns_batch() { WORLD_BATCH=1; }
world_dns_commit() {
	WORLD_BATCH=
	for _z in $WORLD_ZONES; do
		world_dns_reload "$_z" || return 1
	done
}

world_https_up() {
	WORLD_HTTPS_PORT=$(free_port)
	WORLD_CA=$T/pki/ca.crt
	mkdir -p "$T/certs" "$T/www"
	pki_ca "$T/pki" ca
	pki_ca "$T/pki" rogue
	pki_leaf "$T/pki" default ca default.test
	cp "$T/pki/default.crt" "$T/pki/default.key" "$T/certs/"
	world_https_start
}

world_https_start() {
	python3 "$top_srcdir/t/httpsd.py" 127.0.0.1 "$WORLD_HTTPS_PORT" "$T/certs" "$T/www" \
	    > "$T/httpsd.out" 2>> "$T/httpsd.log" &
	WORLD_HTTPS_PID=$!
	bg_pids="$bg_pids $WORLD_HTTPS_PID"
	if ! wait_for 20 grep -q ready "$T/httpsd.out"; then
		world_fail "httpsd does not listen on port $WORLD_HTTPS_PORT" "$T/httpsd.log"
		return 1
	fi
	: > "$T/httpsd.out"
}

world_https_stop() {
	kill "$WORLD_HTTPS_PID" 2>/dev/null
	wait "$WORLD_HTTPS_PID" 2>/dev/null
}

# world_cert NAME [CA [expired]] [SAN]: a certificate for mta-sts.NAME
world_cert() {
	pki_leaf "$T/pki" "mta-sts.$1" "${2:-ca}" "${4:-mta-sts.$1}" "${3:-}"
	cp "$T/pki/mta-sts.$1.crt" "$T/pki/mta-sts.$1.key" "$T/certs/"
}

# world_policy DOMAIN BODY: what https://mta-sts.DOMAIN/.well-known/mta-sts.txt serves
world_policy() {
	mkdir -p "$T/www/mta-sts.$1/.well-known"
	printf '%s' "$2" > "$T/www/mta-sts.$1/.well-known/mta-sts.txt"
}

world_sts() {
	world_dns_set "_mta-sts.$1. TXT \"v=STSv1; id=$2;\""
	world_dns_set "mta-sts.$1. A 127.0.0.1"
	world_cert "$1"
	world_policy "$1" "$3"
}

# world_mx DOMAIN ADDRESS: DOMAIN's one MX host, mx.DOMAIN, at ADDRESS
world_mx() {
	world_dns_set "$1. MX 10 mx.$1."
	world_dns_set "mx.$1. A $2"
}

# world_sts_body MODE MAX_AGE [MX...]: the text of an MTA-STS policy
world_sts_body() {
	printf 'version: STSv1\nmode: %s\n' "$1"
	_age=$2
	shift 2
	for _mx in "$@"; do
		printf 'mx: %s\n' "$_mx"
	done
	printf 'max_age: %s\n' "$_age"
}

# world_resolv: $T/resolv.conf naming the world's port 53 resolver
# ($WORLD_DNS53), the AD bit trusted
world_resolv() {
	printf 'nameserver %s\noptions trust-ad\n' "$WORLD_DNS53" > "$T/resolv.conf"
}

# world_conf [settings on stdin]: write_conf for a daemon that resolves
# through the world and, once world_https_up ran, fetches policies from
# its HTTPS server
world_conf() {
	{
		printf 'dns_resolver = %s\n' "$WORLD_DNS"
		if [ -n "${WORLD_HTTPS_PORT:-}" ]; then
			printf 'sts_ca_file = %s\nsts_https_port = %s\n' "$WORLD_CA" "$WORLD_HTTPS_PORT"
		fi
		cat
	} | write_conf
}

# world_txt TEXT: TEXT as the strings of a TXT record (at most 255 bytes
# each), for world_dns_set
world_txt() { printf '%s' "$1" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' '; }

# world_dkim SELECTOR DOMAIN KEY: publish the public half of the RSA
# private key KEY (PEM) as DKIM key SELECTOR of DOMAIN
world_dkim() {
	_p=$(openssl rsa -in "$3" -pubout -outform DER 2>/dev/null | base64 -w0)
	world_dns_set "$1._domainkey.$2. TXT $(world_txt "v=DKIM1; k=rsa; p=$_p")"
}
