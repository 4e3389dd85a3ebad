#!/bin/sh
# Every configuration key is documented in tlspolicyd.conf(5), and the man
# page documents no key the program does not know (TAP).
: "${top_srcdir:?}" "${TLSPOLICYCTL:?}"
echo "1..2"
empty=$(mktemp); trap 'rm -f "$empty"' EXIT
keys=$("$TLSPOLICYCTL" -c "$empty" check-config 2>/dev/null | sed -n 's/^\([a-z0-9_]*\) = .*/\1/p' | sort)
doc=$(sed -n 's/^\.It Cm \([a-z0-9_]*\).*/\1/p' "$top_srcdir/daemon/tlspolicyd.conf.5" | sort)
missing=$(printf '%s\n' "$keys" | grep -vxF "$doc")
extra=$(printf '%s\n' "$doc" | grep -vxF "$keys")
if [ -n "$keys" ] && [ -z "$missing" ]; then
	echo "ok 1 - all $(printf '%s\n' "$keys" | wc -l) settings are documented"
else
	echo "not ok 1 - undocumented settings: $missing"
fi
if [ -n "$doc" ] && [ -z "$extra" ]; then
	echo "ok 2 - the man page documents only known settings"
else
	echo "not ok 2 - documented but unknown: $extra"
fi
