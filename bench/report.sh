#!/bin/sh
# report.sh - time and peak memory to build the TLSRPT reports (JSON, gzip,
# e-mail; no DNS, no sending) of one day for 10,000 policy domains with
# realistic failure details: a generated 1,000,000-line Postfix log over
# 10,000 domains is imported with "tlspolicyctl ingest", then
# bench/reportbuild builds every domain's report as tlspolicy-report
# does.  Target: under 10 seconds and under 100 MB.
#
# usage: bench/report.sh [--builddir DIR] [-n LINES] [-d DOMAINS]
set -eu
builddir=.
lines=1000000
domains=10000
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$2; shift 2 ;;
	-n) lines=$2; shift 2 ;;
	-d) domains=$2; shift 2 ;;
	*) echo "usage: $0 [--builddir DIR] [-n LINES] [-d DOMAINS]" >&2; exit 2 ;;
	esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "$builddir" && pwd)
CTL=$builddir/daemon/tlspolicyctl B=$builddir/bench/reportbuild
for b in "$CTL" "$B"; do
	[ -x "$b" ] || { echo "missing $b (run make bench)" >&2; exit 1; }
done
W=$(mktemp -d /tmp/bench-report.XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"
mkdir "$W/state"
user=
[ "$(id -u)" = 0 ] && { user=nobody; chown nobody "$W/state"; }
printf 'state_directory = %s/state\nuser = %s\ncontrol_socket =\n' "$W" "$user" > "$W/bench.conf"
python3 "$srcdir/bench/genlog.py" "$lines" 1 "$domains" > "$W/mail.log"
chmod 644 "$W/mail.log"
"$CTL" -c "$W/bench.conf" ingest "$W/mail.log" 2>/dev/null
day=$("$CTL" -c "$W/bench.conf" results 2>/dev/null | sed -n '1s/ .*//p')
if [ "$user" ]; then
	su -s /bin/sh "$user" -c "'$B' '$W/state' '$day'"
else
	"$B" "$W/state" "$day"
fi
