#!/bin/sh
# Golden files for the Exim main-log parser: each
# t/data/logparse_exim/NAME.log, parsed by "t/logparse -x" (in UTC, the
# year of syslog dates anchored at 2025-03-10T09:46:40Z), must give
# NAME.ref line for line (TAP).  Every reference needs its input and every
# input its reference; no case at all is a failure, never a pass.
: "${top_srcdir:?}" "${top_builddir:?}"
set -u
n=0
failed=0
data=$top_srcdir/t/data/logparse_exim
for ref in "$data"/*.ref; do
	[ -f "$ref" ] || continue
	if [ ! -f "${ref%.ref}.log" ]; then
		n=$((n + 1))
		echo "not ok $n - golden reference $(basename "$ref") has no input"
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
	out=$(TZ=UTC "$top_builddir/t/logparse" -x 1741600000 < "$log")
	if [ "$out" = "$(cat "${log%.log}.ref")" ]; then
		echo "ok $n - logparse_exim golden file $name"
	else
		echo "not ok $n - logparse_exim golden file $name"
		printf '%s\n' "$out" | diff "${log%.log}.ref" - | sed 's/^/# /' | head -40
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
