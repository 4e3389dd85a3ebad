#!/bin/sh
# ingest.sh - log ingestion speed: "tlspolicyctl ingest" of a generated,
# realistic 1,000,000-line Postfix log into a fresh store (parsing,
# session correlation, attribution and the Berkeley DB commits), side by
# side with "grep -c 'TLS connection established'" and pflogsumm (Debian
# package pflogsumm) on the same file in the same run.  Each is run
# three times with the file in the page cache; the best time is shown.
# With --exim: an Exim main log instead, the real one of Debian's Exim 4.96
# in t/data/logparse_exim/world-4.96.log repeated with fresh message ids,
# beside "grep -c ' => '" (pflogsumm reads no Exim logs).
#
# usage: bench/ingest.sh [--builddir DIR] [-n LINES] [--exim]
set -eu
builddir=.
lines=1000000
exim=
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$2; shift 2 ;;
	-n) lines=$2; shift 2 ;;
	--exim) exim=1; shift ;;
	*) echo "usage: $0 [--builddir DIR] [-n LINES] [--exim]" >&2; exit 2 ;;
	esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
. "$srcdir/bench/lib.sh"
bench_need "$CTL"
[ -n "$exim" ] || command -v pflogsumm >/dev/null \
    || { echo "pflogsumm is not installed (apt-get install pflogsumm)" >&2; exit 1; }
bench_tmp bench-ingest

if [ -n "$exim" ]; then
	# the same lines again and again, each round with its own message ids
	python3 - "$srcdir/t/data/logparse_exim/world-4.96.log" "$lines" > "$T/mail.log" <<'EOF2'
import string, sys
src = open(sys.argv[1]).read().splitlines()
al = string.ascii_letters + string.digits
n = r = 0
while n < int(sys.argv[2]):
    p = al[r % 62] + al[r // 62 % 62] + al[r // 3844 % 62]
    for l in src:
        sys.stdout.write(l.replace(' 1xY', ' ' + p) + '\n')
        n += 1
    r += 1
EOF2
else
	python3 "$srcdir/bench/genlog.py" "$lines" 1 > "$T/mail.log"
fi
chmod 644 "$T/mail.log"
bytes=$(wc -c < "$T/mail.log")
n=$(wc -l < "$T/mail.log")
cat "$T/mail.log" > /dev/null   # into the page cache

# best of three wall-clock times, in seconds
best() {
	b=
	for i in 1 2 3; do
		[ -n "${prep:-}" ] && eval "$prep"
		s=$(date +%s.%N)
		"$@" > "$T/out" 2> "$T/err" || { cat "$T/err" >&2; exit 1; }
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}

bench_store_conf
prep=bench_fresh
t_ingest=$(best "$CTL" -c "$T/bench.conf" ingest "$T/mail.log")
summary=$(cat "$T/out")
prep=
if [ -n "$exim" ]; then
	t_grep=$(best grep -c ' => ' "$T/mail.log")
	matches=$(cat "$T/out")
	echo "log: $n lines, $bytes bytes (Exim 4.96's world-4.96.log, repeated)"
	echo "tlspolicyctl ingest: $summary"
	echo "grep -c ' => ': $matches lines"
	printf '%-28s %10s %14s %10s\n' "" "seconds" "lines/s" "MB/s"
	for row in "tlspolicyctl ingest:$t_ingest" "grep -c:$t_grep"; do
		name=${row%%:*} t=${row#*:}
		printf '%-28s %10.3f %14.0f %10.1f\n' "$name" "$t" "$(echo "$n / $t" | bc -l)" \
		    "$(echo "$bytes / $t / 1000000" | bc -l)"
	done
	printf 'ingest / grep time:       %.1fx\n' "$(echo "$t_ingest / $t_grep" | bc -l)"
	exit 0
fi
t_grep=$(best grep -c 'TLS connection established' "$T/mail.log")
matches=$(cat "$T/out")
t_pfl=$(best pflogsumm --zero_fill "$T/mail.log")

echo "log: $n lines, $bytes bytes (bench/genlog.py, seed 1)"
echo "tlspolicyctl ingest: $summary"
echo "grep -c: $matches lines"
printf '%-28s %10s %14s %10s\n' "" "seconds" "lines/s" "MB/s"
for row in "tlspolicyctl ingest:$t_ingest" "grep -c:$t_grep" "pflogsumm:$t_pfl"; do
	name=${row%%:*} t=${row#*:}
	printf '%-28s %10.3f %14.0f %10.1f\n' "$name" "$t" "$(echo "$n / $t" | bc -l)" \
	    "$(echo "$bytes / $t / 1000000" | bc -l)"
done
printf 'ingest / grep time:       %.1fx\n' "$(echo "$t_ingest / $t_grep" | bc -l)"
printf 'pflogsumm / ingest time:  %.1fx faster\n' "$(echo "$t_pfl / $t_ingest" | bc -l)"
