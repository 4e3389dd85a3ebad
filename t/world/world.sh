# A small Internet on loopback for the integration tests.  Source it
# after t/lib.sh (which gives $T, bg_pids, wait_for, free_port).
#
# world_up builds and starts, from Debian packages only:
#  - a test CA and an untrusted second CA (EC P-256, openssl), certificates
#    for every mta-sts.<domain> (good, expired, wrong name, untrusted CA)
#    and one certificate for all MX hosts;
#  - nsd serving a fake root ".", "test." and one child zone per line of
#    $WORLD_SPEC, signed at start with ldns-signzone (ECDSA P-256, NSEC),
#    DS records in the parents;
#  - unbound, validating, with the fake root as its only root and trust
#    anchor, never sending a query off loopback;
#  - nginx serving https://mta-sts.<domain>/.well-known/mta-sts.txt with
#    SNI, one server block and certificate per domain.
#
# Everything lives in one 127.S.0.0/16 (S is the first free "slot" from
# $WORLD_SLOTS), so that tests running in parallel each get their own
# world; as root, DNS uses port 53 and HTTPS port 443, else free ports.
#
# After world_up these are exported:
#   WORLD_RESOLVER       ip:port of the validating resolver (unbound)
#   WORLD_RESOLVER_IP, WORLD_RESOLVER_PORT
#   WORLD_RESOLV_CONF    a resolv.conf naming that resolver (options trust-ad)
#   WORLD_NSD, WORLD_NSD_PORT   the authoritative server
#   WORLD_HTTPS_ADDR, WORLD_HTTPS_PORT   nginx
#   WORLD_HTTPS_CLOSED   an address where nothing listens (no-https.test)
#   WORLD_CA, WORLD_CA_KEY       the test CA
#   WORLD_ROGUE_CA               the untrusted CA's certificate
#   WORLD_MX_CERT, WORLD_MX_KEY  a certificate for every mxN.<domain>
#   WORLD_DIR            $T/world, where all of it is kept
#
# Functions for tests:
#   world_up / world_down
#   world_set_txt DOMAIN [TEXT...]     _mta-sts.DOMAIN's TXT records
#                                      (none: remove them)
#   world_set_rr OWNER TYPE [RDATA...] replace one RRset (none: delete it);
#                                      re-signs the zone, reloads nsd and
#                                      flushes unbound, e.g.
#                                      world_set_rr mx1.sts-enforce.test A 127.0.0.9
#   world_set_policy DOMAIN BODY       what mta-sts.DOMAIN serves (as is)
#   world_del_policy DOMAIN            make it a 404
#   world_set_delay DOMAIN SECONDS     answer that slowly (0: at once);
#                                      restarts nginx
#   world_set_cert DOMAIN KIND         ok|expired|badname|untrusted;
#                                      restarts nginx
#   world_https_stop / world_https_start   nginx down / up
#   world_dns_stop / world_dns_start       the resolver down / up
#   world_auth_stop / world_auth_start     the authoritative server down / up
#   world_flush [ZONE]                 forget what unbound cached
#   world_mx_addr DOMAIN [N]           the address of mxN.DOMAIN (N=1)
#   world_cert FILE ISSUER NAME...     mint $WORLD_DIR/pki/FILE.{crt,key}
#                                      (ISSUER ca|rogue|expired)
#   world_dig ARGS...                  dig through the world's resolver
#
# The world is described by $WORLD_SPEC (set it, or add lines with
# $WORLD_SPEC_EXTRA, before world_up), one child zone of test. a line:
#   label  dnssec  https  txt  policy  tlsa
#   dnssec: signed | unsigned (insecure delegation, no DS) |
#           bogus (signed, every signature expired in 2020)
#   https:  ok | closed (mta-sts.<d> points where nothing listens) |
#           badname | expired | untrusted (certificate variants) |
#           redirect (301 to sts-enforce.test) | html (text/html) |
#           slow (waits $WORLD_SLOW_DELAY s, 5 by default) | -
#   txt:    comma-separated ids for "v=STSv1; id=ID;" records, or -
#   policy: enforce | testing | none | big (over 64 KiB) |
#           malformed | -
#   tlsa:   all | mx1 (3 1 1 records for the MX certificate) | -
# Every zone gets "MX 10 mx1.<d>" and "MX 20 mx2.<d>", with
# mxN.<d> = 127.S.(100+line).N; an enforce/testing policy lists
# "mx: mx1.<d>" and "mx: *.<d>".

WORLD_SPEC=${WORLD_SPEC:-'
sts-enforce   signed    ok         1    enforce   -
sts-testing   signed    ok         1    testing   -
sts-none      signed    ok         1    none      -
no-txt        signed    ok         -    enforce   -
two-txt       signed    ok         1,2  enforce   -
no-https      signed    closed     1    enforce   -
badname       signed    badname    1    enforce   -
expired       signed    expired    1    enforce   -
untrusted     signed    untrusted  1    enforce   -
redirect      signed    redirect   1    enforce   -
wrongtype     signed    html       1    enforce   -
bigbody       signed    ok         1    big       -
malformed     signed    ok         1    malformed -
slow          signed    slow       1    enforce   -
idchange      signed    ok         1    enforce   -
dane-all      signed    -          -    -         all
dane-partial  signed    -          -    -         mx1
unsigned      unsigned  ok         1    enforce   all
bogus         bogus     ok         1    enforce   all
'}
WORLD_SLOTS=${WORLD_SLOTS:-"53 54 55 56 57 58 59 60 61 62"}
WORLD_SLOW_DELAY=${WORLD_SLOW_DELAY:-5}

# --- helpers ---------------------------------------------------------------

world__spec() {
	printf '%s\n%s\n' "$WORLD_SPEC" "${WORLD_SPEC_EXTRA:-}" | sed 's/#.*//' | awk 'NF >= 6'
}

# world__field LABEL N: field N of LABEL's line in the spec
world__field() {
	world__spec | awk -v l="$1" -v n="$2" '$1 == l { print $n; exit }'
}

world__forget_pid() {
	bg_pids=$(printf ' %s ' "$bg_pids" | sed "s/ $1 / /g")
}

world__kill() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	world__forget_pid "$1"
}

# world__bindable IP PORT: nobody holds IP:PORT (UDP or TCP)
world__bindable() {
	python3 - "$1" "$2" <<'PY' 2>/dev/null
import socket, sys
for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    if kind == socket.SOCK_STREAM:
        # as the servers do: TIME_WAIT left by a finished world is no owner
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], int(sys.argv[2])))
    s.close()
PY
}

# world__wait PID SECONDS COMMAND...: poll COMMAND every 50 ms until it
# succeeds; fail as soon as PID has died
world__wait() {
	_ww_pid=$1 _ww_n=$(($2 * 20))
	shift 2
	while ! { "$@" && kill -0 "$_ww_pid"; } 2>/dev/null; do
		kill -0 "$_ww_pid" 2>/dev/null || return 1
		_ww_n=$((_ww_n - 1))
		[ "$_ww_n" -gt 0 ] || return 1
		sleep 0.05
	done
}

world_dig() {
	dig +time=1 +tries=2 -p "$WORLD_RESOLVER_PORT" @"$WORLD_RESOLVER_IP" "$@"
}

world_mx_addr() {
	_i=$(world__spec | awk -v l="${1%.test}" '$1 == l { print NR; exit }')
	[ -n "$_i" ] || return 1
	echo "$WORLD_NET.$((100 + _i)).${2:-1}"
}

# --- certificates -----------------------------------------------------------

world__pki_conf() {
	_p=$WORLD_DIR/pki
	mkdir -p "$_p/db"
	: > "$_p/db/index"
	cat > "$_p/openssl.cnf" <<CNF
[ req ]
distinguished_name = dn
[ dn ]
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ leaf_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ca ]
default_ca = world
[ world ]
database = $_p/db/index
new_certs_dir = $_p/db
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
rand_serial = yes
[ any ]
commonName = supplied
CNF
}

# world__ca NAME SUBJECT: a self-signed CA
world__ca() {
	openssl req -config "$WORLD_DIR/pki/openssl.cnf" -x509 -new -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORLD_DIR/pki/$1.key" \
	    -out "$WORLD_DIR/pki/$1.crt" -days 60 -subj "/CN=$2" -extensions ca_ext 2>/dev/null
}

# world_cert FILE ISSUER NAME...: $WORLD_DIR/pki/FILE.crt and .key for
# the DNS names NAME..., issued by the test CA ("ca"), the untrusted one
# ("rogue"), or by the test CA but expired a day ago ("expired")
world_cert() {
	_f=$WORLD_DIR/pki/$1 _iss=$2
	shift 2
	_san=$(printf 'DNS:%s,' "$@")
	_san=${_san%,}
	_cnf=$WORLD_DIR/pki/openssl.cnf
	case $_iss in
	expired)
		openssl req -config "$_cnf" -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout "$_f.key" -out "$_f.csr" -subj "/CN=$1" \
		    -addext "subjectAltName=$_san" 2>/dev/null &&
		openssl ca -config "$_cnf" -batch -notext -cert "$WORLD_DIR/pki/ca.crt" \
		    -keyfile "$WORLD_DIR/pki/ca.key" -in "$_f.csr" -out "$_f.crt" \
		    -extensions leaf_ext \
		    -startdate "$(date -u -d '30 days ago' +%Y%m%d%H%M%SZ)" \
		    -enddate "$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ)" 2>/dev/null
		;;
	*)
		openssl req -config "$_cnf" -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout "$_f.key" -out "$_f.crt" -days 30 -subj "/CN=$1" \
		    -CA "$WORLD_DIR/pki/$_iss.crt" -CAkey "$WORLD_DIR/pki/$_iss.key" \
		    -extensions leaf_ext -addext "subjectAltName=$_san" 2>/dev/null
		;;
	esac
}

# world__sts_cert LABEL KIND: the certificate mta-sts.LABEL.test serves
world__sts_cert() {
	_n=mta-sts.$1.test
	case $2 in
	expired) world_cert "$_n" expired "$_n" ;;
	badname) world_cert "$_n" ca mta-sts.wrong-name.test ;;
	untrusted) world_cert "$_n" rogue "$_n" ;;
	*) world_cert "$_n" ca "$_n" ;;
	esac
}

world__pki() {
	world__pki_conf
	world__ca ca "tlspolicyd test CA"
	world__ca rogue "untrusted test CA"
	# the default certificate for names nginx does not know
	world_cert default ca default.test
	world_cert mx ca $(world__spec | awk '{ print "mx1." $1 ".test mx2." $1 ".test" }')
	world__spec | while read -r _l _dnssec _https _rest; do
		case $_https in
		-|closed) ;;
		*) world__sts_cert "$_l" "$_https" & ;;
		esac
	done
	wait
	WORLD_MX_TLSA=$(openssl x509 -in "$WORLD_DIR/pki/mx.crt" -noout -pubkey |
	    openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
}

# --- policies ---------------------------------------------------------------

world__policy_body() {
	case $2 in
	enforce|testing)
		printf 'version: STSv1\nmode: %s\nmx: mx1.%s\nmx: *.%s\nmax_age: 86400\n' "$2" "$1" "$1"
		;;
	none) printf 'version: STSv1\nmode: none\nmax_age: 86400\n' ;;
	big)
		world__policy_body "$1" enforce
		# one line that takes the body past 64 KiB
		head -c 66560 /dev/zero | tr '\0' '#'
		echo
		;;
	malformed) printf '<html><body>Not a policy</body></html>\n' ;;
	esac
}

world_set_policy() {
	_d=$WORLD_DIR/www/mta-sts.${1%.}/.well-known
	mkdir -p "$_d"
	chmod 755 "$_d" "${_d%/*}"
	printf '%s' "$2" > "$_d/.mta-sts.txt.new"
	chmod 644 "$_d/.mta-sts.txt.new"
	mv "$_d/.mta-sts.txt.new" "$_d/mta-sts.txt"
}

world_del_policy() {
	rm -f "$WORLD_DIR/www/mta-sts.${1%.}/.well-known/mta-sts.txt"
}

# --- DNS --------------------------------------------------------------------

# zones are kept as $WORLD_DIR/dns/NAME.rr ("owner TYPE rdata" lines,
# absolute owners); NAME is "root", "test" or "LABEL.test"
world__zfile() {
	case $1 in
	.|'') echo root ;;
	*) _z=${1%.}; echo "$_z" ;;
	esac
}

world__zname() {
	[ "$1" = root ] && echo . || echo "$1."
}

# world__zone_of OWNER: the zone OWNER (absolute) lives in
world__zone_of() {
	_o=$1
	while :; do
		_z=$(world__zfile "$_o")
		[ -f "$WORLD_DIR/dns/$_z.rr" ] && { echo "$_z"; return 0; }
		case $_o in
		.) return 1 ;;
		*.*.) _o=${_o#*.} ;;
		*) _o=. ;;
		esac
	done
}

world__zone_mode() {
	case $1 in
	root|test) echo signed ;;
	*) world__field "${1%.test}" 2 ;;
	esac
}

world__keygen() {
	(cd "$WORLD_DIR/dns" && ldns-keygen -a ECDSAP256SHA256 -k "$(world__zname "$1")") \
	    > "$WORLD_DIR/dns/$1.key" &&
	    cp "$WORLD_DIR/dns/$(cat "$WORLD_DIR/dns/$1.key").ds" "$WORLD_DIR/dns/$1.ds"
}

# world__build ZONE: write and sign ZONE's file, with a new serial
world__build() {
	_dir=$WORLD_DIR/dns
	_zn=$(world__zname "$1")
	_serial=$(($(cat "$_dir/$1.serial" 2>/dev/null || echo 0) + 1))
	echo "$_serial" > "$_dir/$1.serial"
	{
		# the mailbox names this world, so that its nsd is told from another's
		printf '$TTL 60\n%s SOA ns.test. world-%s.test. %s 3600 600 86400 30\n' "$_zn" "$$" "$_serial"
		printf '%s NS ns.test.\n' "$_zn"
		case $1 in
		root)
			printf 'test. NS ns.test.\nns.test. A %s\n' "$WORLD_NSD"
			cat "$_dir/test.ds"
			;;
		test)
			printf 'ns.test. A %s\n' "$WORLD_NSD"
			world__spec | while read -r _l _dnssec _rest; do
				printf '%s.test. NS ns.test.\n' "$_l"
				[ "$_dnssec" = unsigned ] || cat "$_dir/$_l.test.ds"
			done
			;;
		esac
		cat "$_dir/$1.rr"
	} > "$_dir/$1.zone"
	_now=$(date +%s)
	case $(world__zone_mode "$1") in
	unsigned) cp "$_dir/$1.zone" "$_dir/$1.signed" ;;
	bogus)
		ldns-signzone -i 20200101000000 -e 20200201000000 -f "$_dir/$1.signed" \
		    "$_dir/$1.zone" "$_dir/$(cat "$_dir/$1.key")"
		;;
	*)
		ldns-signzone -i $((_now - 3600)) -e $((_now + 30 * 86400)) -f "$_dir/$1.signed" \
		    "$_dir/$1.zone" "$_dir/$(cat "$_dir/$1.key")"
		;;
	esac
}

# world__zone_rr LABEL DNSSEC HTTPS TXT POLICY TLSA INDEX: a child's records
world__zone_rr() {
	_d=$1.test.
	printf '%s MX 10 mx1.%s\n%s MX 20 mx2.%s\n' "$_d" "$_d" "$_d" "$_d"
	printf 'mx1.%s A %s.%s.1\nmx2.%s A %s.%s.2\n' "$_d" "$WORLD_NET" $((100 + $7)) \
	    "$_d" "$WORLD_NET" $((100 + $7))
	if [ "$4" != - ]; then
		for _id in $(echo "$4" | tr , ' '); do
			printf '_mta-sts.%s TXT "v=STSv1; id=%s;"\n' "$_d" "$_id"
		done
	fi
	case $3 in
	-) ;;
	closed) printf 'mta-sts.%s A %s\n' "$_d" "$WORLD_HTTPS_CLOSED" ;;
	*) printf 'mta-sts.%s A %s\n' "$_d" "$WORLD_HTTPS_ADDR" ;;
	esac
	case $6 in
	all) printf '_25._tcp.mx1.%s TLSA 3 1 1 %s\n_25._tcp.mx2.%s TLSA 3 1 1 %s\n' \
	    "$_d" "$WORLD_MX_TLSA" "$_d" "$WORLD_MX_TLSA" ;;
	mx1) printf '_25._tcp.mx1.%s TLSA 3 1 1 %s\n' "$_d" "$WORLD_MX_TLSA" ;;
	esac
}

world__dns_files() {
	_dir=$WORLD_DIR/dns
	mkdir -p "$_dir"
	world__spec | awk '{ print NR, $0 }' | while read -r _i _l _dnssec _https _txt _pol _tlsa; do
		world__zone_rr "$_l" "$_dnssec" "$_https" "$_txt" "$_pol" "$_tlsa" "$_i" > "$_dir/$_l.test.rr"
	done
	: > "$_dir/test.rr"
	: > "$_dir/root.rr"
	_zones=$(world__spec | awk '{ print $1 ".test" }')
	# keys for every signed zone, then children before their parents so
	# that the DS records are there
	for _z in $_zones test root; do
		[ "$(world__zone_mode "$_z")" = unsigned ] || world__keygen "$_z" &
	done
	wait
	for _z in $_zones; do
		world__build "$_z" &
	done
	wait
	world__build test
	world__build root
	printf '. 3600 IN NS ns.test.\nns.test. 3600 IN A %s\n' "$WORLD_NSD" > "$_dir/root.hints"
	cp "$_dir/root.ds" "$_dir/trust-anchor"

	{
		printf 'server:\n\tip-address: %s@%s\n\tport: %s\n' "$WORLD_NSD" "$WORLD_NSD_PORT" "$WORLD_NSD_PORT"
		printf '\tserver-count: 1\n\treuseport: no\n\tdo-ip6: no\n\tverbosity: 1\n'
		printf '\tusername: ""\n\tchroot: ""\n\tdatabase: ""\n\tzonesdir: "%s"\n' "$_dir"
		printf '\tpidfile: "%s/nsd.pid"\n\txfrdfile: "%s/xfrd.state"\n' "$_dir" "$_dir"
		printf '\tzonelistfile: "%s/zone.list"\n\tlogfile: "%s/nsd.log"\n' "$_dir" "$T"
		printf 'remote-control:\n\tcontrol-enable: yes\n\tcontrol-interface: "%s/nsd.ctl"\n' "$_dir"
		for _z in root test $_zones; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.signed"\n' "$(world__zname "$_z")" "$_z"
		done
	} > "$_dir/nsd.conf"

	{
		cat <<U
server:
	interface: $WORLD_RESOLVER_IP
	port: $WORLD_RESOLVER_PORT
	outgoing-interface: $WORLD_RESOLVER_IP
	so-reuseport: no
	num-threads: 1
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
	root-hints: "$_dir/root.hints"
	trust-anchor-file: "$_dir/trust-anchor"
	# unbound answers NXDOMAIN for the special-use name test. by default
	local-zone: "test." nodefault
	harden-glue: yes
	harden-dnssec-stripped: yes
	harden-below-nxdomain: yes
	harden-algo-downgrade: yes
	qname-minimisation: yes
	prefetch: no
	serve-expired: no
	cache-max-negative-ttl: 30
U
		if [ "$WORLD_NSD_PORT" != 53 ]; then
			# referrals carry no port: point every zone at nsd's
			for _z in root test $_zones; do
				printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: %s@%s\n\tstub-prime: no\n' \
				    "$(world__zname "$_z")" "$WORLD_NSD" "$WORLD_NSD_PORT"
			done
		fi
		printf 'remote-control:\n\tcontrol-enable: yes\n'
		printf '\tcontrol-interface: "%s/unbound.ctl"\n\tcontrol-use-cert: no\n' "$_dir"
	} > "$_dir/unbound.conf"
	printf 'nameserver %s\noptions trust-ad\n' "$WORLD_RESOLVER_IP" > "$WORLD_DIR/resolv.conf"
}

world__nsd_serial() {
	dig +short +norec +time=1 +tries=1 -p "$WORLD_NSD_PORT" @"$WORLD_NSD" \
	    "$(world__zname "$1")" SOA | awk '{ print $2, $3 }'
}

world__nsd_has() {
	[ "$(world__nsd_serial "$1")" = "world-$$.test. $2" ]
}

world_auth_start() {
	nsd -d -c "$WORLD_DIR/dns/nsd.conf" >> "$T/nsd.log" 2>&1 &
	WORLD_NSD_PID=$!
	bg_pids="$bg_pids $WORLD_NSD_PID"
	world__wait "$WORLD_NSD_PID" 10 world__nsd_has root "$(cat "$WORLD_DIR/dns/root.serial")" || return 1
	# the resolver may have given up on nsd while it was away
	world_flush
}

world_auth_stop() {
	world__kill "$WORLD_NSD_PID"
	WORLD_NSD_PID=
}

world__unbound_ready() {
	world_dig +dnssec sts-enforce.test MX | grep -Eq 'flags:[^;]* ad[ ;]'
}

world_dns_start() {
	unbound -d -c "$WORLD_DIR/dns/unbound.conf" >> "$T/unbound.log" 2>&1 &
	WORLD_UNBOUND_PID=$!
	bg_pids="$bg_pids $WORLD_UNBOUND_PID"
	world__wait "$WORLD_UNBOUND_PID" 10 world__unbound_ready
}

world_dns_stop() {
	world__kill "$WORLD_UNBOUND_PID"
	WORLD_UNBOUND_PID=
}

world__ubc() {
	unbound-control -c "$WORLD_DIR/dns/unbound.conf" "$@" >/dev/null 2>&1
}

# world_flush [ZONE]: forget what unbound cached (for ZONE, else all)
world_flush() {
	[ -n "${WORLD_UNBOUND_PID:-}" ] || return 0
	if [ -n "${1:-}" ]; then
		world__ubc flush_zone "$(world__zname "$(world__zfile "$1")")"
	else
		world__ubc flush_zone .
	fi
	world__ubc flush_bogus
	world__ubc flush_negative
	# forget servers that timed out, and queries still waiting for them
	world__ubc flush_infra all
	world__ubc flush_requestlist
}

# world__reload ZONE: re-sign ZONE, have nsd serve it, unbound forget it
world__reload() {
	world__build "$1" || return 1
	if [ -n "$WORLD_NSD_PID" ]; then
		_s=$(cat "$WORLD_DIR/dns/$1.serial")
		nsd-control -c "$WORLD_DIR/dns/nsd.conf" reload "$(world__zname "$1")" >/dev/null 2>&1
		if ! world__wait "$WORLD_NSD_PID" 5 world__nsd_has "$1" "$_s"; then
			# nsd decides by mtime; a restart always reads everything
			world_auth_stop
			world_auth_start || return 1
		fi
	fi
	world_flush "$1"
}

world_set_rr() {
	_o=$(echo "${1%.}." | tr 'A-Z' 'a-z')
	_t=$(echo "$2" | tr 'a-z' 'A-Z')
	shift 2
	_z=$(world__zone_of "$_o") || { echo "world_set_rr: no zone for $_o" >&2; return 1; }
	_f=$WORLD_DIR/dns/$_z.rr
	awk -v o="$_o" -v t="$_t" '!($1 == o && toupper($2) == t)' "$_f" > "$_f.new"
	for _rd in "$@"; do
		printf '%s %s %s\n' "$_o" "$_t" "$_rd" >> "$_f.new"
	done
	mv "$_f.new" "$_f"
	world__reload "$_z"
}

# world_set_txt DOMAIN [TEXT...]: _mta-sts.DOMAIN TXT records
world_set_txt() {
	_dom=${1%.}
	shift
	_n=0
	for _txt in "$@"; do
		_q=$(printf '%s' "$_txt" | sed 's/[\\"]/\\&/g')
		set -- "$@" "\"$_q\""
		_n=$((_n + 1))
	done
	# drop the unquoted originals
	while [ "$_n" -gt 0 ]; do
		shift
		_n=$((_n - 1))
	done
	world_set_rr "_mta-sts.$_dom" TXT "$@"
}

# --- HTTPS ------------------------------------------------------------------

world__nginx_conf() {
	_n=$WORLD_DIR/nginx
	_www=$WORLD_DIR/www
	_pki=$WORLD_DIR/pki
	_listen="$WORLD_HTTPS_ADDR:$WORLD_HTTPS_PORT"
	mkdir -p "$_n/tmp"
	{
		printf 'daemon off;\nmaster_process on;\nworker_processes 1;\n'
		printf 'pid %s/nginx.pid;\nlock_file %s/nginx.lock;\n' "$_n" "$_n"
		printf 'error_log %s/nginx.log notice;\n' "$T"
		[ "$(id -u)" = 0 ] && printf 'user nobody nogroup;\n'
		[ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ] &&
		    printf 'load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;\n'
		printf 'events { worker_connections 256; }\nhttp {\n'
		printf '\taccess_log %s/nginx-access.log;\n' "$T"
		for _t in client_body proxy fastcgi uwsgi scgi; do
			printf '\t%s_temp_path %s/tmp/%s;\n' "$_t" "$_n" "$_t"
		done
		printf '\ttypes { }\n\tdefault_type text/plain;\n\tserver_tokens off;\n'
		printf '\tssl_protocols TLSv1.2 TLSv1.3;\n\tkeepalive_timeout 5;\n'
		printf '\tserver {\n\t\tlisten %s ssl default_server;\n\t\tserver_name _;\n' "$_listen"
		printf '\t\tssl_certificate %s/default.crt;\n\t\tssl_certificate_key %s/default.key;\n' "$_pki" "$_pki"
		printf '\t\treturn 404;\n\t}\n'
		world__spec | while read -r _l _dnssec _https _rest; do
			case $_https in -|closed) continue ;; esac
			_h=mta-sts.$_l.test
			printf '\tserver {\n\t\tlisten %s ssl;\n\t\tserver_name %s;\n' "$_listen" "$_h"
			printf '\t\tssl_certificate %s/%s.crt;\n\t\tssl_certificate_key %s/%s.key;\n' \
			    "$_pki" "$_h" "$_pki" "$_h"
			printf '\t\troot %s/%s;\n' "$_www" "$_h"
			[ "$_https" = html ] && printf '\t\tdefault_type text/html;\n'
			printf '\t\tlocation = /.well-known/mta-sts.txt {\n'
			_delay=$(cat "$_www/$_h.delay" 2>/dev/null || echo 0)
			if [ "$_https" = redirect ]; then
				printf '\t\t\treturn 301 https://mta-sts.sts-enforce.test/.well-known/mta-sts.txt;\n'
			elif [ "$_delay" != 0 ]; then
				printf '\t\t\techo_sleep %s;\n\t\t\techo_exec /.well-known/.slow/mta-sts.txt;\n' "$_delay"
			fi
			printf '\t\t}\n'
			printf '\t\tlocation = /.well-known/.slow/mta-sts.txt {\n\t\t\tinternal;\n'
			printf '\t\t\talias %s/%s/.well-known/mta-sts.txt;\n\t\t}\n\t}\n' "$_www" "$_h"
		done
		printf '}\n'
	} > "$_n/nginx.conf"
}

world__https_ready() {
	openssl s_client -connect "$WORLD_HTTPS_ADDR:$WORLD_HTTPS_PORT" \
	    -servername default.test < /dev/null > /dev/null 2>&1
}

world_https_start() {
	world__nginx_conf
	nginx -c "$WORLD_DIR/nginx/nginx.conf" -p "$WORLD_DIR/nginx" -e "$T/nginx.log" \
	    >> "$T/nginx.log" 2>&1 &
	WORLD_NGINX_PID=$!
	bg_pids="$bg_pids $WORLD_NGINX_PID"
	world__wait "$WORLD_NGINX_PID" 10 world__https_ready
}

world_https_stop() {
	world__kill "$WORLD_NGINX_PID"
	WORLD_NGINX_PID=
}

world__https_restart() {
	if [ -n "$WORLD_NGINX_PID" ]; then
		world_https_stop
		world_https_start
	fi
}

# world_set_delay DOMAIN SECONDS: mta-sts.DOMAIN answers that late
world_set_delay() {
	echo "$2" > "$WORLD_DIR/www/mta-sts.${1%.}.delay"
	world__https_restart
}

# world_set_cert DOMAIN ok|expired|badname|untrusted
world_set_cert() {
	_l=${1%.}
	world__sts_cert "${_l%.test}" "$2" && world__https_restart
}

world__www() {
	world__spec | while read -r _l _dnssec _https _txt _pol _rest; do
		_h=mta-sts.$_l.test
		mkdir -p "$WORLD_DIR/www/$_h/.well-known"
		[ "$_https" = slow ] && echo "$WORLD_SLOW_DELAY" > "$WORLD_DIR/www/$_h.delay"
		[ "$_pol" = - ] || world_set_policy "$_l.test" "$(world__policy_body "$_l.test" "$_pol")
"
	done
	chmod -R a+rX "$WORLD_DIR/www"
}

# --- the whole world --------------------------------------------------------

# world__net SLOT: the addresses for 127.SLOT.0.0/16
world__net() {
	WORLD_NET=127.$1
	WORLD_NSD=$WORLD_NET.53.1
	WORLD_RESOLVER_IP=$WORLD_NET.53.2
	WORLD_HTTPS_ADDR=$WORLD_NET.44.1
	WORLD_HTTPS_CLOSED=$WORLD_NET.44.2
	if [ "$(id -u)" = 0 ]; then
		WORLD_NSD_PORT=53 WORLD_RESOLVER_PORT=53 WORLD_HTTPS_PORT=443
	else
		WORLD_NSD_PORT=$(free_port) WORLD_RESOLVER_PORT=$(free_port) WORLD_HTTPS_PORT=$(free_port)
	fi
	world__bindable "$WORLD_NSD" "$WORLD_NSD_PORT" &&
	    world__bindable "$WORLD_RESOLVER_IP" "$WORLD_RESOLVER_PORT" &&
	    world__bindable "$WORLD_HTTPS_ADDR" "$WORLD_HTTPS_PORT"
}

world_up() {
	WORLD_DIR=$T/world
	WORLD_NSD_PID= WORLD_UNBOUND_PID= WORLD_NGINX_PID=
	mkdir -p "$WORLD_DIR"
	# nginx's workers (nobody) read the policies below it
	chmod 755 "$WORLD_DIR"
	_started=$(date +%s)
	world__pki || { echo "world_up: certificates failed" >&2; return 1; }
	world__www
	_found=
	for _slot in $WORLD_SLOTS; do
		world__net "$_slot" || continue
		world__dns_files || { echo "world_up: zones failed" >&2; return 1; }
		# nsd holding its address is what claims the slot: a world
		# started at the same moment fails here and takes the next
		if world_auth_start; then
			_found=$_slot
			break
		fi
		world_auth_stop
	done
	[ -n "$_found" ] || { echo "world_up: no free slot in $WORLD_SLOTS" >&2; return 1; }
	WORLD_RESOLVER=$WORLD_RESOLVER_IP:$WORLD_RESOLVER_PORT
	WORLD_RESOLV_CONF=$WORLD_DIR/resolv.conf
	WORLD_CA=$WORLD_DIR/pki/ca.crt
	WORLD_CA_KEY=$WORLD_DIR/pki/ca.key
	WORLD_ROGUE_CA=$WORLD_DIR/pki/rogue.crt
	WORLD_MX_CERT=$WORLD_DIR/pki/mx.crt
	WORLD_MX_KEY=$WORLD_DIR/pki/mx.key
	export WORLD_DIR WORLD_NET WORLD_RESOLVER WORLD_RESOLVER_IP WORLD_RESOLVER_PORT \
	    WORLD_RESOLV_CONF WORLD_NSD WORLD_NSD_PORT WORLD_HTTPS_ADDR WORLD_HTTPS_PORT \
	    WORLD_HTTPS_CLOSED WORLD_CA WORLD_CA_KEY WORLD_ROGUE_CA WORLD_MX_CERT WORLD_MX_KEY
	world_dns_start || { echo "world_up: unbound did not validate" >&2; return 1; }
	world_https_start || { echo "world_up: nginx did not start" >&2; return 1; }
	WORLD_UP_SECONDS=$(($(date +%s) - _started))
}

world_down() {
	world_https_stop
	world_dns_stop
	world_auth_stop
}
