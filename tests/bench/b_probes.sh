# Probe cost, measured side by side: the same programs untraced, under
# `vbench-trace trace`, and under a bpftrace script that counts the same
# tracepoints for the same process tree. One of each per round, the order
# reversed every other round (plain ours bt, bt ours plain: tests/bench/lib.sh),
# so each pair runs in both orders; figures are the programs' own elapsed
# time (no start-up).
# Ratios are traced score / untraced score = untraced time / traced time,
# taken per round, then summarised per order and overall.

PROBES_ROUNDS=${PROBES_ROUNDS:-10}

probes_bench_prog() {
	[ -x "$VB_TMP/probe_prog" ] ||
		cc -O2 -Wall -pthread -o "$VB_TMP/probe_prog" tests/integration/progs/probe_prog.c
}

# What the families count, as bpftrace counts it: classic tracepoints, the
# target set followed through fork in a map, as ours is.
probes_bpftrace_script() {
	cat <<'BT'
tracepoint:sched:sched_process_fork /pid == cpid || @t[pid]/ { @t[args->child_pid] = 1; @forks = count(); }
tracepoint:sched:sched_process_exit /pid == cpid || @t[pid]/ { @exits = count(); }
tracepoint:exceptions:page_fault_user /pid == cpid || @t[pid]/ { @pf_user = count(); }
tracepoint:exceptions:page_fault_kernel /pid == cpid || @t[pid]/ { @pf_kernel = count(); }
tracepoint:raw_syscalls:sys_enter /pid == cpid || @t[pid]/ { @sys[args->id] = count(); }
tracepoint:syscalls:sys_enter_clone,tracepoint:syscalls:sys_enter_clone3,
tracepoint:syscalls:sys_enter_fork,tracepoint:syscalls:sys_enter_vfork
/pid == cpid || @t[pid]/ { @clone = count(); @cs[tid] = nsecs; }
tracepoint:syscalls:sys_exit_clone,tracepoint:syscalls:sys_exit_clone3,
tracepoint:syscalls:sys_exit_fork,tracepoint:syscalls:sys_exit_vfork
/@cs[tid]/ { @clone_us = hist((nsecs - @cs[tid]) / 1000); delete(@cs[tid]); }
tracepoint:block:block_rq_issue { @rq[args->dev, args->sector] = nsecs; }
tracepoint:block:block_rq_complete /@rq[args->dev, args->sector]/ {
	@blk_us = hist((nsecs - @rq[args->dev, args->sector]) / 1000);
	delete(@rq[args->dev, args->sector]);
}
BT
}

# probes_elapsed MODE ARGS...: the program's own elapsed seconds, from its
# JSON line on stderr, however it was started.
probes_elapsed() {
	sed -n 's/.*"elapsed_s": \([0-9.]*\).*/\1/p' | tail -1
}

probes_run_plain() {
	"$VB_TMP/probe_prog" "$@" 2>&1 >/dev/null | probes_elapsed
}

# The counting families only (their bpftrace twin above counts the same);
# the sched family's cost is bench_probes_sched_cost's.
probes_run_ours() {
	"$VB" trace --json --no-breakdown -- "$VB_TMP/probe_prog" "$@" 2>&1 >/dev/null | probes_elapsed
}

# The sched family as run loads it: samples at 99 Hz (trace's default of
# 999 would add a sampler the bpftrace anchor does not have).
probes_run_sched() {
	"$VB" trace --json --freq 99 -- "$VB_TMP/probe_prog" "$@" 2>&1 >/dev/null | probes_elapsed
}

probes_run_bt_states() {
	bpftrace -c "$VB_TMP/probe_prog $*" "$VB_TMP/states.bt" 2>&1 >/dev/null | probes_elapsed
}

probes_run_bpftrace() {
	bpftrace -c "$VB_TMP/probe_prog $*" "$VB_TMP/probes.bt" 2>&1 >/dev/null | probes_elapsed
}

# probes_compare LABEL ARGS...: rounds of the three (two without bpftrace),
# then the untraced/traced time ratios.
probes_compare() {
	local label=$1 out=$VB_TMP/probes.rounds
	shift
	local args="$*"
	local variants=(plain "probes_run_plain $args" ours "probes_run_ours $args")
	command -v bpftrace >/dev/null && variants+=(bpftrace "probes_run_bpftrace $args")
	echo "   $label"
	bench_rounds "$PROBES_ROUNDS" "$out" "${variants[@]}" || { echo "   $label: a run failed"; return 1; }
	bench_ratio "$out" "vbench-trace" plain ours ">= 0.98 (mix)" s
	if command -v bpftrace >/dev/null; then
		bench_ratio "$out" "bpftrace" plain bpftrace "" s
	fi
}

bench_probes_cost() {
	probes_bench_prog
	probes_bpftrace_script >"$VB_TMP/probes.bt"
	command -v bpftrace >/dev/null || { echo "   bpftrace not installed: only our ratio is meaningful"; }
	echo "   plain/traced elapsed time (= traced/untraced score), $PROBES_ROUNDS rounds, order reversed every other round"
	probes_compare "fork loop (5000)" fork 5000
	probes_compare "page faults (256 MiB)" fault 256
	probes_compare "getppid (1M)" getppid 1000000
	probes_compare "workload-like mix" mix 300
}

# The kernel memory our maps take while loaded (bpftool's memlock figure).
bench_probes_map_memory() {
	probes_bench_prog
	timeout 60 "$VB" trace --kvm -- "$VB_TMP/probe_prog" sleep 2 >/dev/null 2>&1 &
	local pid=$! i
	for i in $(seq 30); do
		bpftool prog show -j | grep -q '"name":"vb_sys_enter"' && break
		sleep 0.1
	done
	bpftool map show -j | python3 -c '
import json, sys
ours = ("vb_targets", "vb_counters", "clone_start", "clone_hist", "vb_target_slots", "blk_inflight",
        "blk_stats", "syscall_counts", "kvm_pending", "kvm_stats",
        "sched_threads", "sched_exited", "sched_syscall_n", "sched_stack")
maps = [m for m in json.load(sys.stdin) if m.get("name", "") in ours or m.get("name", "").endswith(".rodata") and m.get("name", "")[:5] in ("block", "kvm_b")]
for m in sorted(maps, key=lambda m: -m.get("bytes_memlock", 0)):
    print("   %-16s %-16s %5d entries %9.1f KiB" % (m["name"], m["type"], m.get("max_entries", 0), m.get("bytes_memlock", 0) / 1024))
print("   total %d maps: %.1f KiB" % (len(maps), sum(m.get("bytes_memlock", 0) for m in maps) / 1024))'
	wait "$pid"
}

# What the sched family (thread states, cpu-clock samples at run's 99 Hz)
# adds: the same program under trace with and without it, and untraced, in
# both orders, beside bpftrace doing the same state accounting (the anchor;
# both follow wakeups with a program of their own).
# sched/nobreakdown is the rate with the family over the rate without it.
bench_probes_sched_cost() {
	probes_bench_prog
	probes_states_script >"$VB_TMP/states.bt"
	local w out=$VB_TMP/sched.rounds
	local have_bt=
	command -v bpftrace >/dev/null && have_bt=1
	echo "   elapsed time ratios (= rate ratios), $PROBES_ROUNDS rounds, order reversed every other round"
	for w in "getppid 2000000" "fork 2000" "mix 300"; do
		echo "   $w"
		bench_rounds "$PROBES_ROUNDS" "$out" plain "probes_run_plain $w" \
			nobreakdown "probes_run_ours $w" sched "probes_run_sched $w" \
			${have_bt:+bt_states "probes_run_bt_states $w"} ||
			{ echo "   $w: a run failed"; continue; }
		bench_ratio "$out" "sched on/off" nobreakdown sched "" s
		bench_ratio "$out" "traced/plain" plain sched "" s
		[ -z "$have_bt" ] || bench_ratio "$out" "bpftrace states/plain" plain bt_states "" s
	done
}
