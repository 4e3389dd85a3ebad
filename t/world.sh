# A small Internet on loopback for the MTA-STS tests: a real DNS server
# (unbound answering the test. zone from local data, changeable at run
# time through unbound-control) and a real HTTPS server (t/httpsd.py)
# with certificates from a test CA.  Source after lib.sh and pki.sh.
#
#   world_dns_up                 start unbound; WORLD_DNS=127.0.0.1:PORT
#   world_dns_set "RR"           add a record, e.g. "a.test. TXT \"v=STSv1; id=1\""
#   world_dns_del NAME           remove every record of NAME
#   world_dns_stop / _start      an outage and its end
#   world_https_up               start httpsd; WORLD_HTTPS_PORT, WORLD_CA
#   world_https_stop / _start
#   world_sts DOMAIN ID BODY [CERT]   publish a complete MTA-STS domain: TXT,
#                                     the policy host's address, certificate, body

world_dns_up() {
	WORLD_DNS_PORT=$(free_port)
	WORLD_DNS=127.0.0.1:$WORLD_DNS_PORT
	mkdir -p "$T/unbound"
	cat > "$T/unbound/unbound.conf" <<U
server:
	interface: 127.0.0.1@$WORLD_DNS_PORT
	port: $WORLD_DNS_PORT
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$T/unbound"
	pidfile: "$T/unbound/unbound.pid"
	use-syslog: no
	logfile: "$T/unbound.log"
	verbosity: 1
	do-ip6: no
	access-control: 127.0.0.0/8 allow
	module-config: "iterator"
	local-zone: "test." static
	local-data: "test. SOA ns.test. admin.test. 1 3600 600 86400 60"
	cache-max-ttl: 0
	cache-max-negative-ttl: 0
remote-control:
	control-enable: yes
	control-interface: "$T/unbound/control.sock"
	control-use-cert: no
U
	world_dns_start
}

world_dns_start() {
	unbound -d -c "$T/unbound/unbound.conf" >> "$T/unbound.log" 2>&1 &
	WORLD_DNS_PID=$!
	bg_pids="$bg_pids $WORLD_DNS_PID"
	wait_for 10 sh -c "dig +short +time=1 +tries=1 -p $WORLD_DNS_PORT @127.0.0.1 test. SOA | grep -q ns.test"
	# records survive restarts: replay them
	if [ -f "$T/unbound/records" ]; then
		while IFS= read -r rr; do
			unbound-control -c "$T/unbound/unbound.conf" local_data "$rr" >/dev/null
		done < "$T/unbound/records"
	fi
}

world_dns_stop() {
	kill "$WORLD_DNS_PID" 2>/dev/null
	wait "$WORLD_DNS_PID" 2>/dev/null
}

world_dns_set() {
	printf '%s\n' "$1" >> "$T/unbound/records"
	unbound-control -c "$T/unbound/unbound.conf" local_data "$1" >/dev/null
}

world_dns_del() {
	grep -v "^$1 " "$T/unbound/records" > "$T/unbound/records.new" || true
	mv "$T/unbound/records.new" "$T/unbound/records"
	unbound-control -c "$T/unbound/unbound.conf" local_data_remove "$1" >/dev/null
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
