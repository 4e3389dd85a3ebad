#!/bin/sh
# Run every fuzz target for a bounded time (TAP), in builds configured
# with --enable-fuzzing; skipped otherwise (corpus.sh replays the stored
# corpora in every build).
#
# FUZZ_SECONDS (default 10) is the time per target; 0 skips the run.
# Each target starts from a copy of its stored corpus in a scratch
# directory, so the source tree is never written.  A crash fails the
# target's test and prints the input in hex; keep FUZZ_KEEP=DIR set to
# keep the scratch directories (grown corpora, crash inputs) in DIR.
: "${top_srcdir:?}" "${top_builddir:?}" "${FUZZ_TARGETS:?}"
secs=${FUZZ_SECONDS:-10}

[ "${FUZZ_BUILD:-no}" = yes ] || { echo "1..0 # SKIP not configured with --enable-fuzzing"; exit 0; }
case $secs in
'' | *[!0-9]*) echo "1..0 # SKIP FUZZ_SECONDS=$secs is not a number of seconds"; exit 0 ;;
0) echo "1..0 # SKIP FUZZ_SECONDS=0"; exit 0 ;;
esac

if [ -n "${FUZZ_KEEP:-}" ]; then
	tmp=$FUZZ_KEEP
	mkdir -p "$tmp" || exit 1
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlspolicyd-fuzz.XXXXXX") || exit 1
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 1' HUP INT TERM
fi

n=0
for t in $FUZZ_TARGETS; do n=$((n + 1)); done
echo "1..$n"
i=0
for t in $FUZZ_TARGETS; do
	i=$((i + 1))
	d="$tmp/$t"
	rm -rf "$d"
	mkdir -p "$d/corpus" "$d/crash" "$d/tmp"
	cp "$top_srcdir/t/fuzz/corpus/$t"/* "$d/corpus/" 2>/dev/null
	# -timeout: one input may take at most 10 s; -rss_limit_mb: 2 GB
	if TMPDIR="$d/tmp" "$top_builddir/t/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$d/crash/" \
	    "$d/corpus" >"$d/log" 2>&1; then
		stats=$(sed -n 's/.*DONE *\(cov: [0-9]* ft: [0-9]*\).*/\1/p' "$d/log" | tail -n 1)
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log")
		echo "ok $i - $t: ${runs:-?} inputs in ${secs}s, ${stats:-no coverage figures}"
	else
		echo "not ok $i - $t: fuzzing failed"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$d/log" | head -5 | sed 's/^/# /'
		for f in "$d/crash"/*; do
			[ -f "$f" ] || continue
			echo "# input $(basename "$f") ($(wc -c <"$f") bytes), hex:"
			od -An -tx1 -v "$f" | head -32 | sed 's/^/#/'
		done
		tail -n 30 "$d/log" | sed 's/^/# /'
	fi
done
