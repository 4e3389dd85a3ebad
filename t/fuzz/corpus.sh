#!/bin/sh
# Replay every stored fuzz corpus through its target (TAP).
# Each file in t/fuzz/corpus/<target>/ must run without a crash or a
# sanitizer report; a crash found by fuzzing becomes a file here.  A
# corpus directory without a target in FUZZ_TARGETS is never replayed:
# that fails too.
: "${top_srcdir:?}" "${top_builddir:?}" "${FUZZ_TARGETS:?}"
# targets that need files (fuzz_report's store) make them under TMPDIR
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlspolicyd-corpus.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
n=0
for t in $FUZZ_TARGETS; do n=$((n + 1)); done
echo "1..$((n + 1))"
i=0
for t in $FUZZ_TARGETS; do
	i=$((i + 1))
	bin="$top_builddir/t/fuzz/fuzz_$t"
	files=$(ls "$top_srcdir/t/fuzz/corpus/$t"/* 2>/dev/null | wc -l)
	if [ "$files" -eq 0 ]; then
		echo "not ok $i - $t: empty corpus"
		continue
	fi
	if out=$(TMPDIR="$tmp" "$bin" "$top_srcdir/t/fuzz/corpus/$t"/* 2>&1); then
		echo "ok $i - $t: $files corpus files replayed"
	else
		echo "not ok $i - $t: replay failed"
		printf '%s\n' "$out" | sed 's/^/# /' | head -40
	fi
done
i=$((i + 1))
orphans=
for d in "$top_srcdir/t/fuzz/corpus"/*/; do
	[ -d "$d" ] || continue
	t=$(basename "$d")
	case " $FUZZ_TARGETS " in *" $t "*) ;; *) orphans="$orphans $t" ;; esac
done
if [ -z "$orphans" ]; then
	echo "ok $i - every corpus directory has its target"
else
	echo "not ok $i - corpus directories without a target in FUZZ_TARGETS:$orphans"
fi
