#!/bin/sh
# Integration tests run side by side (make -j): no two of them may serve
# on the same loopback address of the test world - an MX host on
# 127.0.3.N (a Postfix listener: pf_listener in t/postfix.sh), an Exim
# listener's EXIM_ADDR or a world's own DNS address
# WORLD_DNS53 - or one test's deliveries reach the other's servers (TAP).
: "${top_srcdir:?}"
cd "$top_srcdir/t/integ" || exit 1
echo "1..2"
# every address a test has a Postfix or Exim listener or a world DNS server on
served=$(for f in [0-9]*.sh; do
	sed -n -e 's/^listener \(127\.0\.3\.[0-9]*\) .*/\1/p' \
	    -e 's/^pf_listener [^ ]* \(127\.0\.3\.[0-9]*\)\( .*\)*$/\1/p' \
	    -e 's/.*-M "\(127\.0\.3\.[0-9]*\):smtp\/inet.*/\1/p' \
	    -e 's/^WORLD_DNS53=\(127\.[0-9.]*\).*/\1/p' \
	    -e 's/^EXIM_ADDR=\(127\.[0-9.]*\).*/\1/p' "$f" | sort -u | sed "s|\$| $f|"
done)
n=$(printf '%s\n' "$served" | grep -c .)
if [ "$n" -lt 20 ]; then
	echo "not ok 1 - only $n served addresses found: the patterns no longer match the tests"
else
	echo "ok 1 - $n addresses served by the integration tests"
fi
dups=$(printf '%s\n' "$served" | awk '{print $1}' | sort | uniq -d)
if [ -z "$dups" ]; then
	echo "ok 2 - no address served by two tests"
else
	echo "not ok 2 - addresses served by two tests:"
	for a in $dups; do
		printf '%s\n' "$served" | awk -v a="$a" '$1 == a { print "# " $0 }'
	done
fi
