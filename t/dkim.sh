#!/bin/sh
# DKIM verification (tlspolicy/report/dkim) against signatures made by an
# independent implementation (dkimpy, t/dkimsign.py) with RSA and Ed25519
# keys generated here by openssl: every canonicalisation passes; changed
# bodies and signed fields, the wrong key, a revoked or missing key, an
# expired signature and an l= that leaves text unsigned fail.
. "$top_srcdir/t/lib.sh"
: "${DKIMVERIFY:?}"
PY=/usr/bin/python3
$PY -c 'import dkim, nacl' 2>/dev/null || {
	[ "${CI:-}" = true ] && { echo "1..1"; echo "not ok 1 - python3-dkim missing"; exit 1; }
	skip_all "python3-dkim (dkimpy) not installed"
}

# keys: RSA 2048 (PEM for the signer, SubjectPublicKeyInfo in p=), a
# second RSA key, and Ed25519 (the raw 32-byte seed and public key)
openssl genrsa -traditional -out "$T/rsa.pem" 2048 2>/dev/null
openssl genrsa -traditional -out "$T/other.pem" 2048 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$T/ed.pem" 2>/dev/null
openssl pkey -in "$T/ed.pem" -outform DER | tail -c 32 | base64 -w0 > "$T/ed.seed"
rsa_p=$(openssl rsa -in "$T/rsa.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
other_p=$(openssl rsa -in "$T/other.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
ed_p=$(openssl pkey -in "$T/ed.pem" -pubout -outform DER | tail -c 32 | base64 -w0)
echo "v=DKIM1; k=rsa; p=$rsa_p" > "$T/rsa.key"
echo "v=DKIM1; k=ed25519; p=$ed_p" > "$T/ed.key"
echo "v=DKIM1; k=rsa; p=$other_p" > "$T/other.key"
echo "v=DKIM1; k=rsa; p=" > "$T/revoked.key"
: > "$T/none.key"
# the public key in PKCS#1 form, as some publish it
pkcs1_p=$(openssl rsa -in "$T/rsa.pem" -RSAPublicKey_out -outform DER 2>/dev/null | base64 -w0)
echo "v=DKIM1; p=$pkcs1_p" > "$T/pkcs1.key"

# the message: blanks and empty lines at the end make the canonicalisations differ
printf '%s\r\n' "From: TLS Reports <tlsrpt@sender.example>" "To: tls@example.org" \
    "Subject: Report Domain: example.org" "  Submitter: sender.example" \
    "Date: Mon, 30 Nov 2026 10:00:00 +0000" "Message-ID: <r1@sender.example>" \
    "MIME-Version: 1.0" "Content-Type: text/plain" "" "a  report \t line  " "" "last" "" "" > "$T/msg"

sign_to() {  # sign_to OUT KEY ALG [options]
	out=$(printf '%s' "$1" | tr / _)
	shift
	k=$1 a=$2
	shift 2
	$PY "$top_srcdir/t/dkimsign.py" "$k" "$a" sel sender.example "$@" < "$T/msg" > "$T/$out"
}
verify() {  # verify MESSAGE KEYFILE: the verifier's output
	"$DKIMVERIFY" "$T/$(printf '%s' "$1" | tr / _)" "$T/$2" 2>&1
}

for c in relaxed/simple simple/simple relaxed/relaxed simple/relaxed; do
	sign_to "rsa-$c" "$T/rsa.pem" rsa --canon "$c"
	like "$(verify "rsa-$c" rsa.key)" "^pass d=sender.example s=sel" "rsa-sha256 $c passes"
done
for c in relaxed/relaxed simple/simple; do
	sign_to "ed-$c" "$T/ed.seed" ed25519 --canon "$c"
	like "$(verify "ed-$c" ed.key)" "^pass d=sender.example" "ed25519-sha256 $c passes"
done
like "$(verify rsa-relaxed/simple pkcs1.key)" "^pass" "an RSA key published in PKCS#1 form"

# LF line ends, as a pipe from the MTA hands the message over
tr -d '\r' < "$T/msg" > "$T/msg.lf"
$PY "$top_srcdir/t/dkimsign.py" "$T/rsa.pem" rsa sel sender.example --canon relaxed/relaxed < "$T/msg.lf" > "$T/lf"
like "$(verify lf rsa.key)" "^pass" "a message with LF line ends"

# what an MTA may do without breaking a relaxed signature: refold a
# signed field, add a field nobody signed
sed 's/^Subject: Report Domain: example.org/Subject:   Report   Domain: example.org /' "$T/rsa-relaxed_relaxed" > "$T/refolded"
like "$(verify refolded rsa.key)" "^pass" "relaxed: blanks changed in a signed field"
{ printf 'Received: from x by y\r\n'; cat "$T/rsa-relaxed_simple"; } > "$T/added"
like "$(verify added rsa.key)" "^pass" "a field added on the way"

# tampering
sed 's/^last/LAST/' "$T/rsa-relaxed_simple" > "$T/body"
like "$(verify body rsa.key)" "^fail: body hash mismatch" "changed body fails"
sed 's/^a  report/a report/' "$T/rsa-relaxed_simple" > "$T/body2"
like "$(verify body2 rsa.key)" "^fail: body hash mismatch" "simple body: one blank removed fails"
sed 's/^Subject: Report Domain: example.org/Subject: Report Domain: evil.example/' "$T/rsa-relaxed_simple" > "$T/hdr"
like "$(verify hdr rsa.key)" "^fail: signature does not verify" "changed signed field fails"
sed 's/^Subject: Report Domain: example.org/Subject: Report Domain: evil.example/' "$T/ed-relaxed_relaxed" > "$T/edhdr"
like "$(verify edhdr ed.key)" "^fail: signature does not verify" "ed25519: changed signed field fails"
sed 's/^From: TLS Reports <tlsrpt@sender.example>/From: TLS Reports <tlsrpt@evil.example>/' "$T/ed-relaxed_relaxed" > "$T/from"
like "$(verify from ed.key)" "^fail" "changed From fails"
sed 's/d=sender.example/d=evil.example/' "$T/rsa-relaxed_simple" > "$T/d"
like "$(verify d rsa.key)" "^fail: signature does not verify" "changed d= fails (the signature covers it)"

# keys
like "$(verify rsa-relaxed/simple other.key)" "^fail: signature does not verify" "another key fails"
like "$(verify rsa-relaxed/simple revoked.key)" "^fail: key record: key revoked" "revoked key (empty p=) fails"
like "$(verify rsa-relaxed/simple none.key)" "^nokey: no key record" "missing key: no pass"
like "$(verify rsa-relaxed/simple ed.key)" "^fail: key type does not match" "Ed25519 key for an RSA signature"
echo "v=DKIM1; k=rsa; h=sha1; p=$rsa_p" > "$T/sha1.key"
like "$(verify rsa-relaxed/simple sha1.key)" "^nokey: key record: h= does not allow sha256" "key for sha1 only"

# time
sign_to expired "$T/rsa.pem" rsa --expire -60
like "$(verify expired rsa.key)" "^fail: the signature has expired" "expired signature (x= past) fails"
sign_to fresh "$T/rsa.pem" rsa --expire 3600
like "$(verify fresh rsa.key)" "^pass" "x= in the future passes"

# l=: honoured only when it covers the whole body
sign_to len "$T/rsa.pem" rsa --length
like "$(verify len rsa.key)" "^pass" "l= covering the whole body passes"
printf 'appended by someone else\r\n' >> "$T/len"
like "$(verify len rsa.key)" "^fail: l= leaves part of the body unsigned" "text after l= fails"

# signatures that do not parse, or do not sign From
printf 'DKIM-Signature: v=1; a=rsa-sha1; d=x.example; s=s; h=from; bh=AAAA; b=AAAA\r\n' | cat - "$T/msg" > "$T/sha1"
like "$(verify sha1 rsa.key)" "^none: signature algorithm not rsa-sha256" "rsa-sha1 is refused"
$PY "$top_srcdir/t/dkimsign.py" "$T/rsa.pem" rsa sel sender.example --headers subject:to < "$T/msg" > "$T/nofrom" 2>/dev/null \
    || { printf 'DKIM-Signature: v=1; a=rsa-sha256; d=sender.example; s=sel; h=subject:to; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n'; cat "$T/msg"; } > "$T/nofrom"
like "$(verify nofrom rsa.key)" "^none: the From field is not signed" "a signature without From is refused"
done_testing
