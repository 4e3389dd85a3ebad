#!/bin/sh
# multihost.sh - one collector's log merged from many sending hosts:
# "tlspolicyctl ingest" of the generated Postfix log (bench/genlog.py) of
# one host, then of N hosts' logs of the same total length interleaved
# as central syslog merges them (runs of 1 to 16 lines per host, each
# host's clock a few seconds off, the same pids and queue IDs on every
# host).  Best of three wall-clock times and the peak RSS of each, and
# whether the merged log gives exactly the sessions of the hosts' own
# logs ingested one after the other.
#
# usage: bench/multihost.sh [--builddir DIR] [-n LINES] [-h HOSTS]
set -eu
builddir=.
lines=1000000
hosts=8
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$2; shift 2 ;;
	-n) lines=$2; shift 2 ;;
	-h) hosts=$2; shift 2 ;;
	*) echo "usage: $0 [--builddir DIR] [-n LINES] [-h HOSTS]" >&2; exit 2 ;;
	esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
. "$srcdir/bench/lib.sh"
bench_need "$CTL"
bench_tmp bench-multihost

python3 "$srcdir/bench/genlog.py" "$lines" 1 > "$T/one.log"
# each host's own log: genlog.py with its own seed, its own name and a
# clock up to 5 s off; then merged in random runs
per=$((lines / hosts))
i=1
while [ "$i" -le "$hosts" ]; do
	python3 "$srcdir/bench/genlog.py" "$per" "$i" | python3 -c '
import sys, time
host, skew = sys.argv[1], int(sys.argv[2])
for l in sys.stdin:
    t = time.strptime("2025 " + l[:15], "%Y %b %d %H:%M:%S")
    s = time.strftime("%b %e %H:%M:%S", time.localtime(time.mktime(t) + skew))
    sys.stdout.write(s + l[15:].replace(" mta1 ", " " + host + " ", 1))
' "mta$i" $(( (i * 7) % 11 - 5 )) > "$T/host$i.log"
	i=$((i + 1))
done
python3 - "$T"/host*.log > "$T/merged.log" <<'PY'
import random, sys
rnd = random.Random(7)
files = [open(p) for p in sys.argv[1:]]
live = list(range(len(files)))
out = sys.stdout
while live:
    k = rnd.choice(live)
    for _ in range(rnd.randint(1, 16)):
        l = files[k].readline()
        if not l:
            live.remove(k)
            break
        out.write(l)
PY
cat "$T"/host*.log > "$T/separate.log"
chmod 644 "$T"/*.log

bench_store_conf
# run LOG: best seconds and the largest peak RSS (kB) of three runs
run() {
	b= r=0
	for k in 1 2 3; do
		bench_fresh
		s=$(date +%s.%N)
		/usr/bin/time -f %M -o "$T/rss" "$CTL" -c "$T/bench.conf" ingest "$1" > "$T/out" 2>&1
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
		m=$(tail -1 "$T/rss")
		[ "$m" -gt "$r" ] && r=$m
	done
	echo "$b $r"
}
results() { "$CTL" -c "$T/bench.conf" results | sort; }

set -- $(run "$T/one.log"); t1=$1 r1=$2
n1=$(wc -l < "$T/one.log")
set -- $(run "$T/merged.log"); tn=$1 rn=$2
nn=$(wc -l < "$T/merged.log")
summary=$(tail -1 "$T/out")
results > "$T/merged.res"
bench_fresh
for f in "$T"/host*.log; do "$CTL" -c "$T/bench.conf" ingest "$f" > /dev/null 2>&1; done
results > "$T/separate.res"
same=no
cmp -s "$T/merged.res" "$T/separate.res" && same=yes

echo "one host:  $n1 lines; $hosts hosts merged: $nn lines"
echo "merged: $summary"
printf '%-22s %10s %14s %12s\n' "" "seconds" "lines/s" "peak RSS kB"
printf '%-22s %10.3f %14.0f %12d\n' "1 host" "$t1" "$(echo "$n1 / $t1" | bc -l)" "$r1"
printf '%-22s %10.3f %14.0f %12d\n' "$hosts hosts merged" "$tn" "$(echo "$nn / $tn" | bc -l)" "$rn"
echo "merged results equal the hosts' own logs ingested one by one: $same"
