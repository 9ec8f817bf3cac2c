# What the probes cost the workloads themselves: each workload through
# `vbench-trace run -p native`, traced and with --no-trace, alternating, the
# ratio of the medians (target >= 0.98 for each).
#
#   VB_BENCH_ROUNDS  rounds per workload (default 6)
#   VB_BENCH_SECS    seconds per run (default 2)

trace_cost_score() {
	local w=$1 flag=$2 out=$VB_TMP/tc-$w
	rm -rf "$out"
	# shellcheck disable=SC2086
	$VB run -p native -w "$w" -r 1 -d "${VB_BENCH_SECS:-2}" --disk-size 512M $flag -o "$out" \
		>/dev/null 2>&1 || return 1
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["platforms"][0]["workloads"][0]["stats"]["mean"])' \
		"$out/results.json"
}

bench_trace_cost() {
	local rounds=${VB_BENCH_ROUNDS:-6} w i t u
	echo "   traced/untraced score, median of $rounds alternating rounds (target >= 0.98 each)"
	for w in cpu mem diskrand diskseq fork net; do
		local traced=() untraced=()
		for ((i = 0; i < rounds; i++)); do
			if ((i % 2)); then
				u=$(trace_cost_score "$w" --no-trace) && t=$(trace_cost_score "$w" "")
			else
				t=$(trace_cost_score "$w" "") && u=$(trace_cost_score "$w" --no-trace)
			fi || { echo "   $w: a run failed"; continue 2; }
			traced+=("$t")
			untraced+=("$u")
		done
		python3 - "$w" "${traced[*]}" "${untraced[*]}" <<'PY'
import statistics, sys
w, t, u = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
r = statistics.median(t) / statistics.median(u)
# The spread of the round-by-round ratios says how much of r is noise.
rr = sorted(a / b for a, b in zip(t, u))
print(f"   {w:<9} traced {statistics.median(t):>10.1f}  untraced {statistics.median(u):>10.1f}  "
      f"ratio {r:.3f}  (rounds {rr[0]:.2f}..{rr[-1]:.2f})")
PY
	done
}
