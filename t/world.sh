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
#   world_dns_stop / _start      a resolver outage and its end
#   world_dns_queries            how many queries unbound has received
#   world_https_up               start httpsd; WORLD_HTTPS_PORT, WORLD_CA
#   world_https_stop / _start
#   world_sts DOMAIN ID BODY     publish a complete MTA-STS domain: TXT,
#                                the policy host's address, certificate, body

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
		printf '$TTL 60\n%s SOA ns.test. admin.test. %s 3600 600 86400 60\n' "$_z" "$(date +%s)"
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

world_dns_up() {
	NSD_PORT=$(free_port)
	WORLD_DNS_PORT=$(free_port)
	WORLD_DNS=127.0.0.1:$WORLD_DNS_PORT
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
	{
		printf 'server:\n\tip-address: 127.0.0.1@%s\n\tzonesdir: "%s"\n' "$NSD_PORT" "$_dir"
		printf '\tusername: ""\n\tchroot: ""\n\tdatabase: ""\n\tpidfile: "%s/nsd.pid"\n' "$_dir"
		printf '\txfrdfile: "%s/xfrd.state"\n\tzonelistfile: "%s/zone.list"\n' "$_dir" "$_dir"
		printf '\tlogfile: "%s/nsd.log"\n\tverbosity: 1\n\tdo-ip6: no\n' "$T"
		printf 'remote-control:\n\tcontrol-enable: no\n'
		for _z in . $WORLD_ZONES; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.zone.signed"\n' "$_z" "$_z"
		done
	} > "$_dir/nsd.conf"
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
	world_nsd_start
	world_dns_start
}

world_nsd_start() {
	nsd -d -c "$T/dns/nsd.conf" >> "$T/nsd.log" 2>&1 &
	WORLD_NSD_PID=$!
	bg_pids="$bg_pids $WORLD_NSD_PID"
	wait_for 10 sh -c "dig +short +time=1 +tries=1 -p $NSD_PORT @127.0.0.1 test. SOA | grep -q ns.test"
}

world_dns_start() {
	unbound -d -c "$T/dns/unbound.conf" >> "$T/unbound.log" 2>&1 &
	WORLD_DNS_PID=$!
	bg_pids="$bg_pids $WORLD_DNS_PID"
	wait_for 10 sh -c "dig +dnssec +time=1 +tries=1 -p $WORLD_DNS_PORT @127.0.0.1 test. SOA | grep -q 'flags:.* ad'"
}

world_dns_stop() {
	kill "$WORLD_DNS_PID" 2>/dev/null
	wait "$WORLD_DNS_PID" 2>/dev/null
}

world_dns_queries() {
	unbound-control -c "$T/dns/unbound.conf" stats_noreset | sed -n 's/^total\.num\.queries=//p'
}

# world_dns_reload ZONE: re-sign, restart nsd, forget what unbound cached
world_dns_reload() {
	world_sign "$1"
	kill "$WORLD_NSD_PID" 2>/dev/null
	wait "$WORLD_NSD_PID" 2>/dev/null
	world_nsd_start
	unbound-control -c "$T/dns/unbound.conf" flush_zone "$1" >/dev/null 2>&1
	unbound-control -c "$T/dns/unbound.conf" flush_bogus >/dev/null 2>&1
	unbound-control -c "$T/dns/unbound.conf" flush_negative >/dev/null 2>&1
}

world_dns_set() {
	_z=$(world_zone_of "${1%% *}")
	printf '%s\n' "$1" >> "$T/dns/records.$_z"
	[ -z "${WORLD_BATCH:-}" ] && world_dns_reload "$_z"
	return 0
}

world_dns_del() {
	_z=$(world_zone_of "$1")
	grep -v "^$1 " "$T/dns/records.$_z" > "$T/dns/records.new" || true
	mv "$T/dns/records.new" "$T/dns/records.$_z"
	[ -z "${WORLD_BATCH:-}" ] && world_dns_reload "$_z"
	return 0
}

# world_dns_batch / world_dns_commit: many changes, one reload
world_dns_batch() { WORLD_BATCH=1; }
world_dns_commit() {
	WORLD_BATCH=
	for _z in $WORLD_ZONES; do
		world_sign "$_z"
	done
	world_dns_reload test.
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
	wait_for 10 grep -q ready "$T/httpsd.out"
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
