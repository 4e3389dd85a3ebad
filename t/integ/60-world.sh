#!/bin/sh
# The test world itself (t/world/world.sh): signed DNS through a
# validating resolver, HTTPS policy servers with good and broken
# certificates, and the functions tests use to change them.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/world/world.sh"
need nsd nsd-control unbound unbound-control ldns-keygen ldns-signzone nginx dig openssl python3

check "the world comes up" world_up
[ -n "${WORLD_RESOLVER:-}" ] || { echo "1..$tap_n"; exit 1; }
diag "world up in ${WORLD_UP_SECONDS}s: resolver $WORLD_RESOLVER, nsd $WORLD_NSD:$WORLD_NSD_PORT," \
    "https $WORLD_HTTPS_ADDR:$WORLD_HTTPS_PORT"

# flags LINE of dig's answer, e.g. "qr rd ra ad"
flags() {
	world_dig +dnssec "$@" | sed -n 's/^;; flags: \([^;]*\);.*/\1/p'
}
status() {
	world_dig "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}

# --- DNS -----------------------------------------------------------------

like "$(flags sts-enforce.test MX)" ' ad$' "MX of a signed zone: AD set"
is "$(world_dig +short sts-enforce.test MX | sort | tr '\n' ' ')" \
    "10 mx1.sts-enforce.test. 20 mx2.sts-enforce.test. " "MX records of sts-enforce.test"
is "$(world_dig +short mx1.sts-enforce.test A)" "$(world_mx_addr sts-enforce.test 1)" \
    "mx1.sts-enforce.test has its own address"
is "$(world_dig +short _mta-sts.sts-enforce.test TXT)" '"v=STSv1; id=1;"' "the MTA-STS TXT record"
like "$(flags _mta-sts.sts-enforce.test TXT)" ' ad$' "TXT validated"
is "$(world_dig +short _mta-sts.two-txt.test TXT | sort | tr '\n' ' ')" \
    '"v=STSv1; id=1;" "v=STSv1; id=2;" ' "two-txt.test: two TXT records"
is "$(status _mta-sts.no-txt.test TXT)" NXDOMAIN "no-txt.test: no TXT record"
is "$(world_dig +short mta-sts.sts-enforce.test A)" "$WORLD_HTTPS_ADDR" "the policy host's address"
is "$(status bogus.test MX)" SERVFAIL "bogus.test (expired signatures): SERVFAIL"
is "$(status unsigned.test MX)" NOERROR "unsigned.test answers"
like "$(flags unsigned.test MX)" '^qr rd ra$' "unsigned.test: no AD"
like "$(world_dig +dnssec _25._tcp.mx1.dane-all.test TLSA)" "flags:[^;]* ad;.*TLSA[[:space:]]+3 1 1 " \
    "dane-all.test: validated TLSA"
is "$(status _25._tcp.mx2.dane-partial.test TLSA)" NXDOMAIN "dane-partial.test: no TLSA for mx2"

# --- HTTPS ---------------------------------------------------------------

# tls DOMAIN: openssl s_client's verdict for mta-sts.DOMAIN
tls() {
	_addr=$(world_dig +short "mta-sts.$1" A)
	openssl s_client -connect "$_addr:$WORLD_HTTPS_PORT" -servername "mta-sts.$1" \
	    -verify_hostname "mta-sts.$1" -CAfile "$WORLD_CA" -verify_return_error \
	    < /dev/null > "$T/s_client.out" 2>&1
}

# fetch DOMAIN: "CODE TYPE SIZE" of https://mta-sts.DOMAIN/.well-known/mta-sts.txt,
# its body in $T/body; the address comes from the world's DNS
fetch() {
	_h=mta-sts.$1
	_addr=$(world_dig +short "$_h" A)
	if command -v curl > /dev/null 2>&1; then
		# nothing at all when no HTTP answer came
		_out=$(curl -sS -m 10 -o "$T/body" -w '%{http_code} %{content_type} %{size_download}' \
		    --cacert "$WORLD_CA" --resolve "$_h:$WORLD_HTTPS_PORT:$_addr" \
		    "https://$_h:$WORLD_HTTPS_PORT/.well-known/mta-sts.txt" 2>/dev/null) &&
		    echo "$_out"
	else
		python3 - "$_h" "$_addr" "$WORLD_HTTPS_PORT" "$WORLD_CA" "$T/body" <<'PY' 2>/dev/null
import http.client, socket, ssl, sys
host, addr, port, ca, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)
class Conn(http.client.HTTPSConnection):
    def connect(self):
        self.sock = ctx.wrap_socket(socket.create_connection((addr, port), 10),
                                    server_hostname=host)
c = Conn(host, port, context=ctx)
c.request("GET", "/.well-known/mta-sts.txt")
r = c.getresponse()
body = r.read()
open(out, "wb").write(body)
print(r.status, r.getheader("Content-Type"), len(body))
PY
	fi
}

check "sts-enforce.test: certificate verifies" tls sts-enforce.test
if tls expired.test; then not_ok "expired.test: verification fails"; else
	like "$(cat "$T/s_client.out")" "certificate has expired" "expired.test: verification fails"
fi
if tls untrusted.test; then not_ok "untrusted.test: verification fails"; else
	like "$(cat "$T/s_client.out")" "unable to get local issuer" "untrusted.test: verification fails"
fi
if tls badname.test; then not_ok "badname.test: verification fails"; else
	like "$(cat "$T/s_client.out")" "hostname mismatch" "badname.test: verification fails"
fi

is "$(fetch sts-enforce.test)" "200 text/plain 92" "the policy, as text/plain"
is "$(cat "$T/body")" "$(printf 'version: STSv1\nmode: enforce\nmx: mx1.sts-enforce.test\nmx: *.sts-enforce.test\nmax_age: 86400')" \
    "the policy's body"
like "$(fetch sts-none.test)" "^200 text/plain" "sts-none.test serves"
like "$(cat "$T/body")" "mode: none" "sts-none.test: mode none"
is "$(fetch expired.test)" "" "expired.test: no policy over an expired certificate"
like "$(fetch redirect.test)" "^301 " "redirect.test: 301"
like "$(fetch wrongtype.test)" "^200 text/html " "wrongtype.test: text/html"
big=$(fetch bigbody.test)
check "bigbody.test: over 64 KiB ($big)" test "${big##* }" -gt 65536
like "$(fetch malformed.test)" "^200 text/plain" "malformed.test serves"
like "$(cat "$T/body")" "^<html>" "malformed.test: not a policy"
is "$(fetch no-https.test)" "" "no-https.test: nothing listens"

# --- changing the world ----------------------------------------------------

check "world_set_txt" world_set_txt idchange.test "v=STSv1; id=2;"
is "$(world_dig +short _mta-sts.idchange.test TXT)" '"v=STSv1; id=2;"' "the resolver sees the new id"
like "$(flags _mta-sts.idchange.test TXT)" ' ad$' "the re-signed TXT validates"
check "world_set_txt with no text" world_set_txt idchange.test
is "$(status _mta-sts.idchange.test TXT)" NXDOMAIN "the TXT record is gone"
check "world_set_rr" world_set_rr mx1.idchange.test A 127.0.0.9
is "$(world_dig +short mx1.idchange.test A)" 127.0.0.9 "the resolver sees the new address"

world_set_policy idchange.test "$(printf 'version: STSv1\nmode: testing\nmax_age: 600\n')"
fetch idchange.test > /dev/null
like "$(cat "$T/body")" "mode: testing" "world_set_policy changes the body"
world_del_policy idchange.test
like "$(fetch idchange.test)" "^404 " "world_del_policy: 404"

world_set_delay sts-testing.test 1
t0=$(date +%s%N)
fetch sts-testing.test > /dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
check "world_set_delay: answered after ${ms} ms" test "$ms" -ge 1000 -a "$ms" -lt 4000
like "$(cat "$T/body")" "mode: testing" "the slow body is the policy"

world_https_stop
is "$(fetch sts-enforce.test)" "" "world_https_stop: no HTTPS"
check "world_https_start" world_https_start
like "$(fetch sts-enforce.test)" "^200 " "HTTPS is back"

world_dns_stop
is "$(world_dig +short +tries=1 sts-enforce.test MX 2>/dev/null | grep -c MX)" 0 "world_dns_stop: no resolver"
check "world_dns_start" world_dns_start
like "$(flags sts-enforce.test MX)" ' ad$' "the resolver is back and validates"

world_auth_stop
check "world_auth_start" world_auth_start
like "$(flags _mta-sts.sts-enforce.test TXT)" ' ad$' "answers after the authoritative server's restart"

done_testing
