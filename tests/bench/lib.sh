# Shared by the benchmarks: sourced by run.sh before each b_*.sh.
#
# This machine's speed drifts (its disk by a third within seconds), so a
# comparison never runs one side first every time: bench_rounds reverses the
# order every other round (A B, B A, A B, ...: A B B A over two rounds), and
# bench_ratio pairs the two figures of each round, so drift between rounds
# cancels, and prints the ratio for each order as well as overall. When the
# two orders disagree by more than their spread, the order matters and the
# overall figure is the one to quote.
#
# This machine is itself a guest, and its host takes CPU from it (steal: a
# few percent of the time, a third of both CPUs while the disk is busy).
# Each run records how much was taken meanwhile, and bench_ratio also
# summarises the rounds in which neither run lost much to it.

# The machine's steal so far, in USER_HZ ticks over every CPU (/proc/stat's
# eighth figure): the time the hypervisor beneath ran something else.
bench_steal_ticks() {
	awk '/^cpu / { print $9; exit }' /proc/stat
}

# bench_rounds ROUNDS OUT NAME CMD [NAME CMD]...: runs the commands (shell
# strings, each printing one number) ROUNDS times, in the given order in even
# rounds and reversed in odd ones. Appends "round position name value steal"
# lines to OUT, steal the share of the machine's CPU time the hypervisor
# took while the command ran. Fails, naming the command, when one prints no
# number.
bench_rounds() {
	local rounds=$1 out=$2 r i n v s0 s1 t0 t1 ncpu
	ncpu=$(nproc)
	shift 2
	local names=() cmds=() order=()
	while [ $# -ge 2 ]; do
		names+=("$1")
		cmds+=("$2")
		shift 2
	done
	n=${#names[@]}
	: >"$out"
	for ((r = 0; r < rounds; r++)); do
		order=()
		for ((i = 0; i < n; i++)); do
			if ((r % 2)); then order+=($((n - 1 - i))); else order+=("$i"); fi
		done
		for ((i = 0; i < n; i++)); do
			s0=$(bench_steal_ticks)
			t0=$(date +%s%N)
			v=$(eval "${cmds[${order[i]}]}") || v=""
			t1=$(date +%s%N)
			s1=$(bench_steal_ticks)
			if ! [[ "$v" =~ ^[0-9.eE+-]+$ ]]; then
				echo "   ${names[${order[i]}]}: no number from '${cmds[${order[i]}]}' (round $((r + 1)))" >&2
				return 1
			fi
			echo "$r $i ${names[${order[i]}]} $v $(awk -v s=$((s1 - s0)) -v ns=$((t1 - t0)) \
				-v hz="$(getconf CLK_TCK)" -v n="$ncpu" 'BEGIN { printf "%.4f", (ns > 0 ? s / hz / (ns / 1e9) / n : 0) }')" >>"$out"
		done
	done
}

# bench_ratio OUT LABEL A B [TARGET] [UNIT]: the ratio A/B of each round,
# summarised overall and per order (A first, B first): median, spread
# (min..max) and count; then the rounds in which the hypervisor beneath took
# less than VB_BENCH_QUIET (default 2) % of the machine's CPU time during
# both runs, for a ratio steal did not move; then both sides' medians, the
# median steal and the load average.
bench_ratio() {
	python3 - "$@" <<'PY'
import os, statistics, sys
out, label, a, b = sys.argv[1:5]
target = sys.argv[5] if len(sys.argv) > 5 else ""
unit = sys.argv[6] if len(sys.argv) > 6 else ""
quiet = float(os.environ.get("VB_BENCH_QUIET", "2")) / 100
rounds = {}
for line in open(out):
    f = line.split()
    steal = float(f[4]) if len(f) > 4 else 0.0
    rounds.setdefault(int(f[0]), {})[f[2]] = (int(f[1]), float(f[3]), steal)
pairs = [(x[a][1] / x[b][1], x[a][0] < x[b][0], x[a][1], x[b][1], max(x[a][2], x[b][2]))
         for x in rounds.values() if a in x and b in x and x[b][1] > 0]
if not pairs:
    print(f"   {label}: no complete round")
    sys.exit(1)

def summary(rs):
    if not rs:
        return "-"
    return f"{statistics.median(rs):.3f} ({min(rs):.3f}..{max(rs):.3f}, n {len(rs)})"

alls = [p[0] for p in pairs]
first_a = [p[0] for p in pairs if p[1]]
first_b = [p[0] for p in pairs if not p[1]]
print(f"   {label:<12} {a}/{b} {summary(alls)}" + (f"  target {target}" if target else ""))
print(f"   {'':<12} {a} first {summary(first_a)}; {b} first {summary(first_b)}")
print(f"   {'':<12} steal < {100 * quiet:g} % in both runs {summary([p[0] for p in pairs if p[4] < quiet])}"
      f" of {len(pairs)} rounds")
load = open("/proc/loadavg").read().split()[0]
print(f"   {'':<12} medians: {a} {statistics.median(p[2] for p in pairs):.4g}, "
      f"{b} {statistics.median(p[3] for p in pairs):.4g} {unit}, steal "
      f"{100 * statistics.median(p[4] for p in pairs):.1f} %  (load {load})")
PY
}

# The anchor of the sched family's cost: bpftrace doing the same thread-state
# accounting (on CPU, runnable, blocked, sleeping, time per syscall) for the
# same process tree (the command bpftrace -c starts, and what it forks), from
# the same tracepoints. Used by b_probes.sh and b_trace_cost.sh.
probes_states_script() {
	cat <<'BT'
tracepoint:sched:sched_process_fork /pid == cpid || @t[pid]/ { @t[args->child_pid] = 1; }
tracepoint:raw_syscalls:sys_enter /pid == cpid || @t[pid]/ { @se[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /@se[tid]/ { @sys_ns[args->id] = sum(nsecs - @se[tid]); delete(@se[tid]); }
tracepoint:sched:sched_switch /args->prev_pid == cpid || @t[args->prev_pid]/ {
	@oncpu_ns = sum(nsecs - @in[args->prev_pid]);
	@out[args->prev_pid] = nsecs;
	@pst[args->prev_pid] = args->prev_state;
	if (args->prev_state == 0) { @ready[args->prev_pid] = nsecs; }
}
tracepoint:sched:sched_switch /args->next_pid == cpid || @t[args->next_pid]/ {
	@in[args->next_pid] = nsecs;
	if (@ready[args->next_pid]) { @runnable_ns = sum(nsecs - @ready[args->next_pid]); delete(@ready[args->next_pid]); }
}
tracepoint:sched:sched_wakeup /args->pid == cpid || @t[args->pid]/ {
	if (@out[args->pid]) {
		if (@pst[args->pid] == 2) { @blocked_ns = sum(nsecs - @out[args->pid]); }
		else { @sleep_ns = sum(nsecs - @out[args->pid]); }
		delete(@out[args->pid]);
	}
	@ready[args->pid] = nsecs;
}
END { clear(@t); clear(@se); clear(@in); clear(@out); clear(@pst); clear(@ready); }
BT
}
