#!/bin/sh
# Fail on unsafe C library calls anywhere in our sources (TAP).
: "${top_srcdir:?}"
cd "$top_srcdir" || exit 1
echo "1..1"
hits=$(grep -nE '(^|[^_a-zA-Z0-9])(sprintf|vsprintf|strcpy|strcat|sscanf|atoi|atol|gets|strtok)[[:space:]]*\(' \
	daemon/*.c daemon/*.h tlspolicy/*.c tlspolicy/*.h reporter/*.c reporter/*.h \
	t/*.c t/*.h t/unit/*.c t/fuzz/*.c bench/*.c 2>/dev/null \
	| grep -vE '(snprintf|vsnprintf)[[:space:]]*\(' )
if [ -z "$hits" ]; then
	echo "ok 1 - no sprintf, strcpy, strcat, sscanf, atoi, gets or strtok"
else
	echo "not ok 1 - banned functions used"
	printf '%s\n' "$hits" | sed 's/^/# /'
fi
