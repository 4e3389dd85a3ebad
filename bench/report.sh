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
. "$srcdir/bench/lib.sh"
B=$builddir/bench/reportbuild
bench_need "$CTL" "$B"
bench_tmp bench-report
bench_store_conf
bench_fresh
python3 "$srcdir/bench/genlog.py" "$lines" 1 "$domains" > "$T/mail.log"
chmod 644 "$T/mail.log"
"$CTL" -c "$T/bench.conf" ingest "$T/mail.log" 2>/dev/null
day=$("$CTL" -c "$T/bench.conf" results 2>/dev/null | sed -n '1s/ .*//p')
if [ "$user" ]; then
	su -s /bin/sh "$user" -c "'$B' '$T/state' '$day'"
else
	"$B" "$T/state" "$day"
fi
