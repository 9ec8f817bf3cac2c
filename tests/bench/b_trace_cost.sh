# What the probes cost the workloads themselves: each workload through
# `vbench-trace run -p native`, traced (the breakdown's sched family on, as
# run does by default), traced with --no-breakdown, and with --no-trace, the
# order reversed every other round (tests/bench/lib.sh), the ratio per order
# and overall (target >= 0.98 for each without the breakdown, >= 0.97 with).
# Beside them, the anchor: the untraced run under bpftrace doing the same
# thread-state accounting for the run's whole process tree (lib.sh's
# probes_states_script), where bpftrace is installed.
#
#   VB_BENCH_ROUNDS     rounds per workload (default 6)
#   VB_BENCH_SECS       seconds per run (default 2)
#   VB_BENCH_WORKLOADS  which (default: cpu mem diskrand diskseq fork net)

trace_cost_score() {
	local w=$1 flag=$2 out=$VB_TMP/tc-$w
	rm -rf "$out"
	# shellcheck disable=SC2086
	$VB run -p native -w "$w" -r 1 -d "${VB_BENCH_SECS:-2}" --disk-size 512M $flag -o "$out" \
		>/dev/null 2>&1 || return 1
	# The score; a traced run's own BPF run time (its cell's warm-up,
	# probe_cost) into tc-W.cost: "ns per second of run, ns per op"; an
	# untraced run's time per op into tc-W.cpu: "wall ns, CPU ns (utime +
	# stime)".
	python3 - "$out/results.json" "$VB_TMP/tc-$w" "$flag" <<'PY'
import json, sys
cell = json.load(open(sys.argv[1]))["platforms"][0]["workloads"][0]
c = cell.get("probe_cost")
if c and c.get("duration_s"):
    with open(sys.argv[2] + ".cost", "a") as f:
        f.write("%.0f %.4g\n" % (c["bpf_ns"] / c["duration_s"], c.get("per_op_ns", -1)))
if sys.argv[3] == "--no-trace":
    run = cell["runs"][0]
    if run.get("ops") and run.get("rusage"):
        with open(sys.argv[2] + ".cpu", "a") as f:
            f.write("%.6g %.6g\n" % (1e9 * run["duration_s"] / run["ops"],
                                     1e9 * (run["rusage"]["utime_s"] + run["rusage"]["stime_s"]) / run["ops"]))
print(cell["stats"]["mean"])
PY
}

# The probes' own CPU time beside the ratios: the BPF programs' run time
# (BPF_STATS_RUN_TIME) in the traced runs' warm-ups, per second of run and
# per op, and per op as a share of an untraced op's time (its wall time;
# beside it the CPU time, utime + stime, of the workload's processes, not
# the tool's). Unlike a score it does not move with the host's steal, so
# it is the cost's steadier figure. Were all of it on the op's serial path,
# the ratio would be 1 / (1 + share); BPF time spent beside it (another
# process on the other CPU: net's server) costs less, so that is the
# lowest ratio the programs alone account for. The measured ratio adds
# what they leave out (the tracepoints' own dispatch, caches).
trace_cost_bpf_line() {
	python3 - "$1.cost" "$1.cpu" "$2" <<'PY'
import os, statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
cpu = [tuple(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()] if os.path.exists(sys.argv[2]) else []
if rows:
    s = statistics.median(r[0] for r in rows)
    line = (f"   {sys.argv[3]:<12} BPF run time {100 * s / 1e9:.2f} % of one CPU "
            f"({min(r[0] for r in rows) / 1e6:.1f}..{max(r[0] for r in rows) / 1e6:.1f} ms/s), ")
    if all(r[1] >= 0 for r in rows):
        per_op = statistics.median(r[1] for r in rows)
        line += f"{per_op:.3g} ns per op, "
        if cpu:
            wall = statistics.median(c[0] for c in cpu)
            share = per_op / wall
            line += (f"{100 * share:.1f} % of an untraced op's {wall / 1e3:.3g} us "
                     f"(CPU {statistics.median(c[1] for c in cpu) / 1e3:.3g} us; "
                     f"ratio >= {1 / (1 + share):.3f} from it alone), ")
    print(line + f"median of {len(rows)} runs")
PY
}

# The same untraced run, started by bpftrace under the state accounting.
trace_cost_bt_score() {
	local w=$1 out=$VB_TMP/tc-$1
	rm -rf "$out"
	bpftrace -c "$VB run -p native -w $w -r 1 -d ${VB_BENCH_SECS:-2} --disk-size 512M --no-trace -o $out" \
		"$VB_TMP/states.bt" >/dev/null 2>&1 || return 1
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["platforms"][0]["workloads"][0]["stats"]["mean"])' \
		"$out/results.json"
}

# The anchor's own BPF run time: one more run under bpftrace, outside the
# rounds (the kernel times every program run meanwhile,
# kernel.bpf_stats_enabled), its programs found by the descriptors bpftrace
# holds and read every 0.2 s while it runs. Per op over the warm-up and the
# timed run together, taking the warm-up, as long as the timed run, to do
# about as many ops (results.json keeps only the timed run's).
trace_cost_bt_bpf_line() {
	local w=$1 out=$VB_TMP/tc-bt-$1 was pid
	command -v bpftool >/dev/null || { echo "   $w: bpftool not installed: no anchor BPF run time"; return 0; }
	rm -rf "$out"
	was=$(sysctl -n kernel.bpf_stats_enabled)
	# an interrupted bench must not leave every program on the machine timed
	trap 'sysctl -q kernel.bpf_stats_enabled="$was"' EXIT
	sysctl -q kernel.bpf_stats_enabled=1
	bpftrace -c "$VB run -p native -w $w -r 1 -d ${VB_BENCH_SECS:-2} --disk-size 512M --no-trace -o $out" \
		"$VB_TMP/states.bt" >/dev/null 2>&1 &
	pid=$!
	python3 - "$pid" "$out/results.json" "$w" <<'PY'
import json, os, subprocess, sys, time
pid, results, w = int(sys.argv[1]), sys.argv[2], sys.argv[3]
best = {}
while os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z":
    ids = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fdinfo"):
            try:
                for line in open(f"/proc/{pid}/fdinfo/{fd}"):
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
            except OSError:
                pass
    except OSError:
        break
    if ids:
        out = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, text=True).stdout
        for p in json.loads(out or "[]"):
            if p["id"] in ids:
                best[p["id"]] = max(best.get(p["id"], 0), p.get("run_time_ns", 0))
    time.sleep(0.2)
try:
    run = json.load(open(results))["platforms"][0]["workloads"][0]["runs"][0]
except (OSError, ValueError, KeyError, IndexError):
    sys.exit(print(f"   {w}: the anchor's run left no result"))
ns = sum(best.values())
print(f"   {w:<12} anchor's BPF run time {ns / 1e6:.1f} ms in {len(best)} programs, "
      f"about {ns / (2 * run['ops']):.3g} ns per op (warm-up and run)")
PY
	wait "$pid"
	sysctl -q kernel.bpf_stats_enabled="$was"
	trap - EXIT
}

bench_trace_cost() {
	local rounds=${VB_BENCH_ROUNDS:-6} w have_bt=
	command -v bpftrace >/dev/null && have_bt=1
	probes_states_script >"$VB_TMP/states.bt"
	echo "   traced/untraced score, $rounds rounds, order reversed every other round"
	[ -n "$have_bt" ] || echo "   bpftrace not installed: no anchor"
	for w in ${VB_BENCH_WORKLOADS:-cpu mem diskrand diskseq fork net}; do
		: >"$VB_TMP/tc-$w.cost"
		: >"$VB_TMP/tc-$w.cpu"
		bench_rounds "$rounds" "$VB_TMP/tc-$w.rounds" traced "trace_cost_score $w ''" \
			nobreakdown "trace_cost_score $w --no-breakdown" \
			untraced "trace_cost_score $w --no-trace" \
			${have_bt:+bt_states "trace_cost_bt_score $w"} ||
			{ echo "   $w: a run failed"; continue; }
		bench_ratio "$VB_TMP/tc-$w.rounds" "$w" traced untraced ">= 0.97"
		bench_ratio "$VB_TMP/tc-$w.rounds" "$w" nobreakdown untraced ">= 0.98"
		[ -z "$have_bt" ] || bench_ratio "$VB_TMP/tc-$w.rounds" "$w" bt_states untraced "(the anchor)"
		trace_cost_bpf_line "$VB_TMP/tc-$w" "$w"
		[ -z "$have_bt" ] || trace_cost_bt_bpf_line "$w"
	done
}
