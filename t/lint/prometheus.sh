#!/bin/sh
# contrib/prometheus: the alert rules pass promtool (syntax and their unit
# tests), the Grafana dashboard is valid JSON, and every tlspolicyd metric
# they use is one tlspolicyd(8) documents (TAP).
: "${top_srcdir:?}"
echo "1..4"
n=0
t() { n=$((n + 1)); if "$@" >/dev/null 2>&1; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; fi; }
P=$top_srcdir/contrib/prometheus
if ! command -v promtool >/dev/null 2>&1 && [ "${CI:-}" != true ]; then
	echo "ok 1 # SKIP promtool not installed"
	echo "ok 2 # SKIP promtool not installed"
	n=2
else
	desc="promtool check rules"; t promtool check rules "$P/tlspolicyd-rules.yml"
	desc="promtool test rules"; t sh -c "cd '$P' && promtool test rules tlspolicyd-rules.test.yml"
fi
desc="the Grafana dashboard is valid JSON with panels"
t python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["panels"] and all(p["targets"] for p in d["panels"])' "$P/tlspolicyd-dashboard.json"
used=$(cat "$P/tlspolicyd-rules.yml" "$P/tlspolicyd-dashboard.json" | grep -o 'tlspolicyd_[a-z_]*' \
    | sed 's/_\(bucket\|sum\|count\)$//' | sort -u)
documented=$(sed -n 's/^\.It Li \(tlspolicyd_[a-z_]*\).*/\1/p' "$top_srcdir/daemon/tlspolicyd.8" | sort -u)
missing=$(printf '%s\n' "$used" | grep -vxF "$documented")
n=$((n + 1))
if [ -n "$used" ] && [ -z "$missing" ]; then
	echo "ok $n - the $(printf '%s\n' "$used" | wc -l) metrics used are documented in tlspolicyd(8)"
else
	echo "not ok $n - used but not documented: $missing"
fi
