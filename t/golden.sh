#!/bin/sh
# Golden files of the log parsers (TAP).  Each t/data/logparse_MTA/NAME.log,
# parsed by t/logparse (postfix: t/logparse; exim: t/logparse -x; in UTC,
# the year of syslog dates anchored at 2025-03-10T09:46:40Z), must give
# NAME.ref line for line; NAME.sessions.ref, where present, holds the
# session outcomes of the same lines (t/logparse -s; Exim: t/logparse -X),
# NAME.handshakes.ref the incoming handshakes (t/logparse -H; Exim: -E).
# Every reference needs its input and every input its reference; a parser
# with no case at all is a failure, never a pass.
: "${top_srcdir:?}" "${top_builddir:?}"
set -u
n=0
failed=0
at=1741600000

# compare WHAT REF ARGS...: t/logparse ARGS on the input must give REF
compare() {
	_what=$1 _ref=$2
	shift 2
	n=$((n + 1))
	out=$(TZ=UTC "$top_builddir/t/logparse" "$@" < "$log")
	if [ "$out" = "$(cat "$_ref")" ]; then
		echo "ok $n - $_what golden file $name"
	else
		echo "not ok $n - $_what golden file $name"
		printf '%s\n' "$out" | diff "$_ref" - | sed 's/^/# /' | head -40
		failed=1
	fi
}

for mta in postfix exim; do
	data=$top_srcdir/t/data/logparse_$mta
	case $mta in postfix) flag= sflag=-s hflag=-H ;; exim) flag=-x sflag=-X hflag=-E ;; esac
	cases=0
	for ref in "$data"/*.ref; do
		[ -f "$ref" ] || continue
		case $ref in
		*.sessions.ref) base=${ref%.sessions.ref} ;;
		*.handshakes.ref) base=${ref%.handshakes.ref} ;;
		*) base=${ref%.ref} ;;
		esac
		if [ ! -f "$base.log" ] || [ ! -f "$base.ref" ]; then
			n=$((n + 1))
			echo "not ok $n - logparse_$mta: $(basename "$ref") has no input or no parser reference"
			failed=1
		fi
	done
	for log in "$data"/*.log; do
		[ -f "$log" ] || continue
		cases=$((cases + 1))
		name=$(basename "$log" .log)
		if [ ! -f "${log%.log}.ref" ]; then
			n=$((n + 1))
			echo "not ok $n - logparse_$mta: golden input $name.log has no $name.ref"
			failed=1
			continue
		fi
		# shellcheck disable=SC2086
		compare "logparse_$mta" "${log%.log}.ref" $flag "$at"
		if [ -f "${log%.log}.sessions.ref" ]; then
			compare "session outcomes" "${log%.log}.sessions.ref" "$sflag" "$at"
		fi
		if [ -f "${log%.log}.handshakes.ref" ]; then
			compare "incoming handshakes" "${log%.log}.handshakes.ref" "$hflag" "$at"
		fi
	done
	if [ "$cases" -eq 0 ]; then
		n=$((n + 1))
		echo "not ok $n - logparse_$mta: no golden files in $data"
		failed=1
	fi
done
echo "1..$n"
exit $failed
