#!/bin/sh
# The HTTPS client against a real TLS server on loopback: verification of
# name, chain and dates, status codes, content types, size and time limits.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
need openssl python3

P=$T/pki
pki_ca "$P" ca
pki_ca "$P" rogue
pki_leaf "$P" default ca mta-sts.good.test
pki_leaf "$P" mta-sts.good.test ca mta-sts.good.test
pki_leaf "$P" mta-sts.wrongname.test ca mta-sts.other.test
pki_leaf "$P" mta-sts.expired.test ca mta-sts.expired.test expired
pki_leaf "$P" mta-sts.untrusted.test rogue mta-sts.untrusted.test
mkdir -p "$T/certs"
for n in default mta-sts.good.test mta-sts.wrongname.test mta-sts.expired.test mta-sts.untrusted.test; do
	cp "$P/$n.crt" "$P/$n.key" "$T/certs/"
done
check "expired certificate made" sh -c "! openssl x509 -checkend 0 -noout -in '$P/mta-sts.expired.test.crt' >/dev/null"

W=$T/www/mta-sts.good.test/.well-known
mkdir -p "$W"
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.good.test\r\nmax_age: 86400\r\n' > "$W/mta-sts.txt"
cp "$W/mta-sts.txt" "$W/html.txt"; echo text/html > "$W/html.txt.type"
echo "301 https://elsewhere.test/" > "$W/moved.txt.status"
python3 -c 'import sys; sys.stdout.write("x" * (65 * 1024))' > "$W/big.txt"
python3 -c 'import sys; sys.stdout.write("x" * (64 * 1024))' > "$W/exact.txt"
cp "$W/mta-sts.txt" "$W/slow.txt"; echo 5 > "$W/slow.txt.delay"
for d in wrongname expired untrusted; do
	mkdir -p "$T/www/mta-sts.$d.test/.well-known"
	cp "$W/mta-sts.txt" "$T/www/mta-sts.$d.test/.well-known/"
done

port=$(free_port)
python3 "$top_srcdir/t/httpsd.py" 127.0.0.1 "$port" "$T/certs" "$T/www" > "$T/httpsd.log" 2>&1 &
bg_pids="$bg_pids $!"
check "HTTPS server up" wait_for 10 grep -q ready "$T/httpsd.log"

get() {   # get HOST PATH [TIMEOUT_MS]
	"$HTTPSGET" "$P/ca.crt" 127.0.0.1 "$port" "$1" "$2" "${3:-3000}" 65536
}
out=$(get mta-sts.good.test /.well-known/mta-sts.txt)
like "$out" "^result=ok code=200 type=text/plain length=65 version: STSv1" "valid policy fetched"
like "$(get mta-sts.good.test /.well-known/html.txt)" "^result=ok code=200 type=text/html " "content type reported"
like "$(get mta-sts.good.test /.well-known/moved.txt)" "^result=ok code=301 " "redirect not followed"
like "$(get mta-sts.good.test /.well-known/none.txt)" "^result=ok code=404 " "404 reported"
like "$(get mta-sts.good.test /.well-known/exact.txt)" "^result=ok code=200 type=text/plain length=65536" "64 KiB body accepted"
like "$(get mta-sts.good.test /.well-known/big.txt)" "^result=response too large" "65 KiB body refused"
like "$(get mta-sts.wrongname.test /.well-known/mta-sts.txt)" "^result=certificate not valid why=certificate: hostname mismatch" "wrong name refused"
like "$(get mta-sts.expired.test /.well-known/mta-sts.txt)" "^result=certificate not valid why=certificate: certificate has expired" "expired certificate refused"
like "$(get mta-sts.untrusted.test /.well-known/mta-sts.txt)" "^result=certificate not valid why=certificate: unable to get local issuer" "untrusted CA refused"
t0=$(date +%s%N)
like "$(get mta-sts.good.test /.well-known/slow.txt 1000)" "^result=timeout" "slow server hits the deadline"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "deadline kept (${ms} ms for a 1000 ms deadline)" test "$ms" -lt 2500
dead=$(free_port)
like "$("$HTTPSGET" "$P/ca.crt" 127.0.0.1 "$dead" mta-sts.good.test / 2000 65536)" "^result=connect failed why=connect: Connection refused" "nothing listening"
# a TCP peer that speaks no TLS at all
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); print("ready", flush=True)
while True:
    c, _ = s.accept(); c.sendall(b"220 not tls\r\n" * 10); time.sleep(0.2); c.close()
' "$dead" > "$T/junk.log" 2>&1 &
bg_pids="$bg_pids $!"
wait_for 5 grep -q ready "$T/junk.log"
like "$("$HTTPSGET" "$P/ca.crt" 127.0.0.1 "$dead" mta-sts.good.test / 2000 65536)" "^result=TLS failed" "non-TLS peer"
done_testing
