#!/bin/sh
# Golden files: each t/data/logparse_postfix/NAME.log, parsed by t/logparse
# (in UTC, with the year anchored at 2025-03-10T09:46:40Z), must give
# NAME.ref line for line, and its session outcomes NAME.sessions.ref (TAP).
: "${top_srcdir:?}" "${top_builddir:?}"
set -u
n=0
failed=0
for log in "$top_srcdir"/t/data/logparse_postfix/*.log; do
	n=$((n + 1))
	name=$(basename "$log" .log)
	out=$(TZ=UTC "$top_builddir/t/logparse" 1741600000 < "$log")
	if [ "$out" = "$(cat "${log%.log}.ref")" ]; then
		echo "ok $n - logparse_postfix golden file $name"
	else
		echo "not ok $n - logparse_postfix golden file $name"
		printf '%s\n' "$out" | diff "${log%.log}.ref" - | sed 's/^/# /' | head -40
		failed=1
	fi
	# the session outcomes of the same lines (sessions.c)
	[ -f "${log%.log}.sessions.ref" ] || continue
	n=$((n + 1))
	out=$(TZ=UTC "$top_builddir/t/logparse" -s 1741600000 < "$log")
	if [ "$out" = "$(cat "${log%.log}.sessions.ref")" ]; then
		echo "ok $n - session outcomes golden file $name"
	else
		echo "not ok $n - session outcomes golden file $name"
		printf '%s\n' "$out" | diff "${log%.log}.sessions.ref" - | sed 's/^/# /' | head -40
		failed=1
	fi
done
echo "1..$n"
exit $failed
