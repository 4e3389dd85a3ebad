# Test certificates made with openssl at test time (EC P-256: fast).
# Source after lib.sh.  pki_ca DIR NAME makes a CA; pki_leaf makes a leaf;
# pki_spki gives a certificate's TLSA 3 1 1 digest.

# pki_ca DIR NAME: DIR/NAME.crt and DIR/NAME.key, a self-signed CA
pki_ca() {
	mkdir -p "$1"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1/$2.key" -out "$1/$2.crt" -days 30 -subj "/CN=$2 test CA" \
	    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
	    2>/dev/null
}

# pki_leaf DIR FILE CA DNSNAME [expired]: DIR/FILE.crt/.key for DNSNAME,
# signed by DIR/CA; "expired" makes one that ended in 2020, "future" one
# that starts in 2099
pki_leaf() {
	_d=$1 _f=$2 _ca=$3 _name=$4
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$_d/$_f.key" -out "$_d/$_f.csr" -subj "/CN=$_name" 2>/dev/null
	printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	    "$_name" > "$_d/$_f.ext"
	if [ "${5:-}" = expired ] || [ "${5:-}" = future ]; then
		# openssl ca takes fixed dates; x509 -req cannot go back in time
		mkdir -p "$_d/ca-$_f"
		: > "$_d/ca-$_f/index"
		echo 01 > "$_d/ca-$_f/serial"
		cat > "$_d/ca-$_f/ca.cnf" <<CNF
[ ca ]
default_ca = test
[ test ]
database = $_d/ca-$_f/index
serial = $_d/ca-$_f/serial
new_certs_dir = $_d/ca-$_f
default_md = sha256
policy = any
copy_extensions = none
[ any ]
commonName = supplied
CNF
		openssl ca -batch -config "$_d/ca-$_f/ca.cnf" -cert "$_d/$_ca.crt" -keyfile "$_d/$_ca.key" \
		    -in "$_d/$_f.csr" -out "$_d/$_f.crt" -extfile "$_d/$_f.ext" -notext \
		    $([ "$5" = future ] && echo "-startdate 20990101000000Z -enddate 20990201000000Z" ||
		    echo "-startdate 20200101000000Z -enddate 20200201000000Z") 2>/dev/null
	else
		openssl x509 -req -in "$_d/$_f.csr" -CA "$_d/$_ca.crt" -CAkey "$_d/$_ca.key" \
		    -CAcreateserial -days 30 -extfile "$_d/$_f.ext" -out "$_d/$_f.crt" 2>/dev/null
	fi
}

# pki_spki CERT: the SHA-256 of CERT's public key, as TLSA 3 1 1 names it
pki_spki() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1
}
