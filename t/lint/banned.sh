#!/bin/sh
# Fail on unsafe C library calls anywhere in our sources (TAP).
: "${top_srcdir:?}"
cd "$top_srcdir" || exit 1
echo "1..1"
# Every C file of the tree, found rather than globbed, so that a moved
# directory cannot make the check pass on nothing.
files=$(find daemon tlspolicy reporter t bench -name '*.[ch]' ! -path '*/_*' | sort)
nfiles=$(printf '%s\n' "$files" | grep -c '\.[ch]$')
if [ "$nfiles" -lt 50 ] || ! printf '%s\n' "$files" | grep -q '^tlspolicy/.*/store\.c$'; then
	echo "not ok 1 - only $nfiles C files found under $top_srcdir"
	exit 0
fi
# shellcheck disable=SC2086
hits=$(grep -nE '(^|[^_a-zA-Z0-9])(sprintf|vsprintf|strcpy|strcat|sscanf|atoi|atol|gets|strtok)[[:space:]]*\(' \
	$files | grep -vE '(snprintf|vsnprintf)[[:space:]]*\(' )
if [ -z "$hits" ]; then
	echo "ok 1 - no sprintf, strcpy, strcat, sscanf, atoi, gets or strtok"
else
	echo "not ok 1 - banned functions used"
	printf '%s\n' "$hits" | sed 's/^/# /'
fi
