#!/usr/bin/env bash
# make bench: ratios measured side by side in one run, never absolute targets.
# Each tests/bench/b_*.sh defines bench_* functions, called in order, with
# tests/bench/lib.sh (rounds in both orders, ratios per order) sourced first.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
export VB=$BUILD/vbench-trace AGENT=$BUILD/vbench-trace-agent
export VB_TMP=$(mktemp -d /tmp/vbench-bench.XXXXXX)
trap 'rm -rf "$VB_TMP"' EXIT
only=${VB_ONLY:-}
for f in tests/bench/b_*.sh; do
	for b in $(bash -c "source tests/bench/lib.sh; source $f; declare -F" | awk '$3 ~ /^bench_/ { print $3 }'); do
		[ -n "$only" ] && [[ "$b" != *$only* ]] && continue
		echo "== $b"
		bash -c "cd '$PWD'; source tests/bench/lib.sh; source $f; $b" || echo "   ($b failed)"
	done
done
