#!/bin/sh
# Other implementations' MTA-STS and TLSRPT test vectors, read in place
# from ../shared/peer-vectors beside the source tree (PEER_VECTORS to
# point elsewhere) and never copied here: every sts-policy, sts-txt and
# tlsrpt-txt vector goes through the real parsers (t/peervec) and the
# verdict must be the one its vectors.tsv records, except for the cases
# listed in lenient() below.  One TAP line per vector, then a summary.
# Skipped when the directory is not there.
: "${top_srcdir:?}" "${top_builddir:?}"
set -u
dir=${PEER_VECTORS:-$top_srcdir/../shared/peer-vectors}
if [ ! -f "$dir/sts-policy/vectors.tsv" ]; then
	echo "1..0 # SKIP no peer vectors at $dir"
	exit 0
fi

# lenient KIND/FILE - the reason we deliberately differ from the recorded
# verdict (printed), or nothing.  Keep in step with sts.h, tlsrpt.h and
# tlspolicyd(8), STANDARDS.
lenient() {
	case $1 in
	esac
}

n=0
agree=0
failed=0
for kind in sts-policy sts-txt tlsrpt-txt; do
	kagree=0
	kn=0
	tab=$(printf '\t')
	while IFS=$tab read -r file expected details rest; do
		[ "$file" = file ] && continue
		n=$((n + 1))
		kn=$((kn + 1))
		case $file in
		*-rrset-*) out=$("$top_builddir/t/peervec" -r "$kind" "$dir/$kind/$file") ;;
		*) out=$("$top_builddir/t/peervec" "$kind" "$dir/$kind/$file") ;;
		esac
		got=${out%% *}
		if [ "$got" = "$expected" ]; then
			agree=$((agree + 1))
			kagree=$((kagree + 1))
			echo "ok $n - $kind/$file: $out"
			continue
		fi
		why=$(lenient "$kind/$file")
		if [ -n "$why" ]; then
			echo "ok $n - $kind/$file: $out (recorded $expected; lenient: $why)"
		else
			echo "not ok $n - $kind/$file: $out"
			printf '# want: %s %s\n' "$expected" "$details"
			failed=1
		fi
	done < "$dir/$kind/vectors.tsv"
	echo "# $kind: $kagree/$kn agree with the recorded verdict"
done
# tlsrpt-json: aggregate reports as other implementations send them; the
# project writes reports but reads none, so there is no parser to run.
echo "# tlsrpt-json: not run (no incoming report parser)"
echo "# in all: $agree/$n agree"
echo "1..$n"
exit $failed
