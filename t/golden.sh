#!/bin/sh
# Golden files: each t/data/logparse_postfix/NAME.log, parsed by t/logparse
# (in UTC, with the year anchored at 2025-03-10T09:46:40Z), must give
# NAME.ref line for line, and its session outcomes NAME.sessions.ref (TAP).
# Every reference needs its input and every input its reference; no case
# at all is a failure, never a pass.
: "${top_srcdir:?}" "${top_builddir:?}"
set -u
n=0
failed=0
data=$top_srcdir/t/data/logparse_postfix
for ref in "$data"/*.ref; do
	[ -f "$ref" ] || continue
	case $ref in *.sessions.ref) base=${ref%.sessions.ref} ;; *) base=${ref%.ref} ;; esac
	[ "$ref" != "$base.ref" ] && [ -f "$base.ref" ] && continue
	if [ ! -f "$base.log" ] || [ ! -f "$base.ref" ]; then
		n=$((n + 1))
		echo "not ok $n - golden input or reference missing for $(basename "$base")"
		failed=1
	fi
done
for log in "$data"/*.log; do
	[ -f "$log" ] || continue
	n=$((n + 1))
	name=$(basename "$log" .log)
	if [ ! -f "${log%.log}.ref" ]; then
		echo "not ok $n - golden input $name.log has no $name.ref"
		failed=1
		continue
	fi
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
if [ "$n" -eq 0 ]; then
	n=1
	echo "not ok 1 - no golden files in $data"
	failed=1
fi
echo "1..$n"
exit $failed
