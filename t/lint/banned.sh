#!/bin/sh
# Fail on unsafe C library calls anywhere in our sources (TAP).
: "${top_srcdir:?}"
cd "$top_srcdir" || exit 1
echo "1..2"
# Every C file of the tree, found rather than globbed, so that a moved
# directory cannot make the check pass on nothing.
files=$(find daemon tlspolicy reporter t bench -name '*.[ch]' ! -path '*/_*' | sort)
nfiles=$(printf '%s\n' "$files" | grep -c '\.[ch]$')
if [ "$nfiles" -lt 50 ] || ! printf '%s\n' "$files" | grep -q '^tlspolicy/.*/store\.c$' \
    || ! printf '%s\n' "$files" | grep -q '^tlspolicy/base/numparse\.c$'; then
	echo "not ok 1 - the tree is not where expected ($nfiles C files; store.c, numparse.c?)"
	echo "not ok 2 - the tree is not where expected ($nfiles C files; store.c, numparse.c?)"
	exit 0
fi
# shellcheck disable=SC2086
hits=$(grep -nE '(^|[^_a-zA-Z0-9])(sprintf|vsprintf|strcpy|strcat|sscanf|atoi|atol|atoll|gets|strtok)[[:space:]]*\(' \
	$files | grep -vE '(snprintf|vsnprintf)[[:space:]]*\(' )
if [ -z "$hits" ]; then
	echo "ok 1 - no sprintf, strcpy, strcat, sscanf, atoi, gets or strtok"
else
	echo "not ok 1 - banned functions used"
	printf '%s\n' "$hits" | sed 's/^/# /'
fi
# Numbers are parsed by numparse (explicit length, exact syntax, bounds)
# and nowhere else: the strtol family only in numparse.c.
# shellcheck disable=SC2086
hits=$(grep -nE '(^|[^_a-zA-Z0-9])(strto(l|ll|ul|ull|q|uq|imax|umax))[[:space:]]*\(' \
	$(printf '%s\n' "$files" | grep -vx 'tlspolicy/base/numparse\.c'))
if [ -z "$hits" ]; then
	echo "ok 2 - no strtol, strtoul, strtoll or strtoull outside numparse.c"
else
	echo "not ok 2 - numbers parsed outside numparse.c"
	printf '%s\n' "$hits" | sed 's/^/# /'
fi
