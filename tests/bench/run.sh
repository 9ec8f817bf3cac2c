#!/usr/bin/env bash
# make bench: ratios measured side by side in one run, never absolute targets.
# Each tests/bench/b_*.sh defines bench_* functions, called in order.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
export VB=$BUILD/vbench-trace AGENT=$BUILD/vbench-trace-agent
export VB_TMP=$(mktemp -d /tmp/vbench-bench.XXXXXX)
trap 'rm -rf "$VB_TMP"' EXIT
only=${VB_ONLY:-}
for f in tests/bench/b_*.sh; do
	for b in $(bash -c "source $f; declare -F" | awk '$3 ~ /^bench_/ { print $3 }'); do
		[ -n "$only" ] && [[ "$b" != *$only* ]] && continue
		echo "== $b"
		bash -c "cd '$PWD'; source $f; $b" || echo "   ($b failed)"
	done
done
