# Probe exactness and cleanup (root): each test runs a small program of
# ours under `vbench-trace trace` and sets the probes' counts beside the
# numbers the program or the kernel's own accounting gives.

PROGS=tests/integration/progs

# Builds the test programs into $VB_TMP once.
probes_progs() {
	[ -x "$VB_TMP/probe_prog" ] || cc -O2 -Wall -pthread -o "$VB_TMP/probe_prog" $PROGS/probe_prog.c
	[ -x "$VB_TMP/kvm_prog" ] || cc -O2 -Wall -o "$VB_TMP/kvm_prog" $PROGS/kvm_prog.c
	if [ ! -x "$VB_TMP/probes_close" ]; then
		make -s BUILD="${BUILD:=build}" "$BUILD/tests/progs/probes_close" >/dev/null || return 1
		ln -sf "$PWD/$BUILD/tests/progs/probes_close" "$VB_TMP/probes_close"
	fi
}

# probes_trace NAME [trace options] -- COMMAND...: the JSON to $VB_TMP/NAME.json,
# the program's own JSON line (stderr) to $VB_TMP/NAME.self.
probes_trace() {
	local name=$1
	shift
	"$VB" trace --json "$@" >"$VB_TMP/$name.json" 2>"$VB_TMP/$name.err" ||
		{ cat "$VB_TMP/$name.err" >&2; fail "trace $* exited $?"; }
	grep '^{"mode"' "$VB_TMP/$name.err" >"$VB_TMP/$name.self" || true
}

# IDs of the BPF programs, maps and links process $1 holds ("p:ID", "m:ID",
# "l:ID", one a line), from its descriptors: exactly its own, whatever else
# the machine is loading meanwhile.
probes_ids_of() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		awk '/^prog_id:/ { print "p:" $2 } /^map_id:/ { print "m:" $2 }
			/^link_id:/ { print "l:" $2 }' "$f" 2>/dev/null
	done | sort -u
}

# Everything loaded now, in the same form.
probes_ids_loaded() {
	{
		bpftool prog show -j | python3 -c 'import json, sys; [print("p:%d" % p["id"]) for p in json.load(sys.stdin)]'
		bpftool map show -j | python3 -c 'import json, sys; [print("m:%d" % m["id"]) for m in json.load(sys.stdin)]'
		bpftool link show -j | python3 -c 'import json, sys; [print("l:%d" % l["id"]) for l in json.load(sys.stdin)]'
	} | sort -u
}

# Waits until trace (process $1) has loaded every family, which it does
# before it forks the command, then writes what it holds to $2.
probes_wait_loaded() {
	local i
	for i in $(seq 200); do
		if pgrep -P "$1" >/dev/null; then
			probes_ids_of "$1" >"$2"
			grep -q '^l:' "$2" && return 0
		fi
		sleep 0.05
	done
	fail "process $1 never started its command"
}

# Whether none of the IDs in file $1 is loaded.
probes_none_of() {
	[ -z "$(comm -12 "$1" <(probes_ids_loaded))" ]
}

# Fails when any of the IDs in file $1 is still loaded 2 s after the process
# is gone. The kernel frees a raw tracepoint's or tp_btf's program (and the
# maps only it held) after RCU grace periods, not when its link is closed:
# measured on this machine's 6.18, up to 17 objects (sys_enter, sys_exit,
# the page-fault and block programs and their maps) still listed right
# after the exit, none 1.2 s later. (The fork family's classic tracepoint
# links used to hide it: their detach waits for a grace period at close, so
# the exit itself took that long.) A leak never goes.
probes_assert_gone() {
	wait_until 2 "the BPF objects of the run gone" probes_none_of "$1" ||
		fail "BPF objects left loaded 2 s after the process: $(echo $(comm -12 "$1" <(probes_ids_loaded)))"
	echo "$(wc -l <"$1") BPF objects (programs, maps, links) held, none left"
}

test_probes_fork_exact() {
	probes_progs
	probes_trace fork -- "$VB_TMP/probe_prog" fork 200
	local f=$VB_TMP/fork.json
	assert_py "$f" 'd["probes"]["host"]["forks"] == 200'
	assert_py "$f" 'd["probes"]["host"]["clone_syscalls"] == 200'
	assert_py "$f" 'd["probes"]["host"]["threads"] == 0'
	# 200 children and the program itself
	assert_py "$f" 'd["probes"]["host"]["exits"] == 201'
	assert_py "$f" 'sum(d["probes"]["host"]["clone_latency"]["hist_log2_us"]) == 200'
	assert_py "$f" '0 < d["probes"]["host"]["clone_latency"]["p50_us"] <= d["probes"]["host"]["clone_latency"]["p99_us"]'
	assert_py "$f" 'd["probes"]["host"]["syscalls"]["top"]["clone"] == 200'
	assert_py "$f" 'd["probes"]["host"]["overflow"]["targets"] == 0'
	assert_py "$f" 'd["probes"]["host"]["breakdown"]["threads"] == 201'
	# The fork family's work is done by the sched family's programs where it
	# is loaded (tp_btf or raw_tp), by the fork family's own without it: the
	# same counts every way.
	probes_trace fork-nb --no-breakdown -- "$VB_TMP/probe_prog" fork 200
	VBENCH_SCHED_HOOK=raw_tp probes_trace fork-raw -- "$VB_TMP/probe_prog" fork 200
	for f in "$VB_TMP/fork-nb.json" "$VB_TMP/fork-raw.json"; do
		assert_py "$f" 'd["probes"]["host"]["forks"] == 200'
		assert_py "$f" 'd["probes"]["host"]["exits"] == 201'
		assert_py "$f" 'd["probes"]["host"]["clone_syscalls"] == 200'
		assert_py "$f" 'sum(d["probes"]["host"]["clone_latency"]["hist_log2_us"]) == 200'
		assert_py "$f" '0 < d["probes"]["host"]["clone_latency"]["p50_us"] <= d["probes"]["host"]["clone_latency"]["p99_us"]'
	done
	assert_py "$VB_TMP/fork-raw.json" 'd["probes"]["host"]["breakdown"]["threads"] == 201'
}

# Threads are counted, not added to the target set (their process is in it
# already), and each has its own entry in the thread-state accounting, made
# when its parent clones it.
test_probes_threads_exact() {
	probes_progs
	probes_trace threads -- "$VB_TMP/probe_prog" threads 100
	probes_trace threads-nb --no-breakdown -- "$VB_TMP/probe_prog" threads 100
	local f
	for f in "$VB_TMP/threads.json" "$VB_TMP/threads-nb.json"; do
		assert_py "$f" 'd["probes"]["host"]["threads"] == 100'
		assert_py "$f" 'd["probes"]["host"]["forks"] == 0'
		assert_py "$f" 'd["probes"]["host"]["exits"] == 1'
		assert_py "$f" 'd["probes"]["host"]["clone_syscalls"] == 100'
	done
	f=$VB_TMP/threads.json
	assert_py "$f" 'd["probes"]["host"]["breakdown"]["threads"] == 101'
	assert_py "$f" 'd["probes"]["host"]["breakdown"]["lost_threads"] == 0'
	assert_py "$f" 'abs(d["probes"]["host"]["breakdown"]["coverage"] - 1) < 0.01'
}

# An exited thread is folded under the name it had at its exit: its
# parent's, copied into its entry at the fork, until it renames itself, as
# often as it likes.
test_probes_breakdown_names_at_exit() {
	probes_progs
	probes_trace rename -- "$VB_TMP/probe_prog" rename 5
	assert_py "$VB_TMP/rename.json" \
		'sorted((c["comm"], c["threads"]) for c in d["probes"]["host"]["breakdown"]["by_comm"]) == [("ab", 5), ("zz", 1)]'
}

# More children than the target filter has slots (VB_TARGET_SLOTS, 4096):
# pids wrap onto slots earlier children raised and lowered again, and every
# child must still be followed by every family, the fork family's exit and
# the sched family's thread accounting alike.
test_probes_fork_past_the_filter_slots() {
	probes_progs
	probes_trace forks -- "$VB_TMP/probe_prog" fork 4200
	local f=$VB_TMP/forks.json
	assert_py "$f" 'd["probes"]["host"]["forks"] == 4200'
	assert_py "$f" 'd["probes"]["host"]["exits"] == 4201'
	assert_py "$f" 'd["probes"]["host"]["breakdown"]["threads"] == 4201'
	assert_py "$f" 'd["probes"]["host"]["overflow"]["targets"] == 0'
}

# getrusage counts every fault handle_mm_fault() resolved for the task,
# user mode or kernel mode (copy_to_user): so user + kernel-mode faults at
# user addresses must agree with minflt + majflt.
test_probes_page_faults_match_rusage() {
	probes_progs
	probes_trace fault -- "$VB_TMP/probe_prog" fault 256
	python3 - "$VB_TMP/fault.json" "$VB_TMP/fault.self" <<'PY' || fail "page faults differ from getrusage"
import json, sys
h = json.load(open(sys.argv[1]))["probes"]["host"]
own = json.loads(open(sys.argv[2]).read())
probes = h["page_faults_user"] + h["page_faults_kernel"]
rusage = own["minflt"] + own["majflt"]
print("probes %d (user %d, kernel %d), getrusage %d, diff %.3f %%" % (
    probes, h["page_faults_user"], h["page_faults_kernel"], rusage, 100.0 * (probes - rusage) / rusage))
assert rusage >= 65536, "the program touched 65536 pages"
assert abs(probes - rusage) <= 0.02 * rusage
PY
}

probes_disk_reads() {
	awk -v d="$1" '$3 == d { print $4 }' /proc/diskstats
}

# N O_DIRECT reads of a file on the root filesystem: counted as requests of
# the target, and no more than the device itself completed meanwhile.
probes_block_check() {
	local name=$1 n=$2
	local file=/var/tmp/vbench-probes-$$.dat
	dd if=/dev/urandom of="$file" bs=1M count=64 conv=fsync status=none
	local dev
	dev=$(lsblk -no PKNAME "$(df --output=source "$file" | tail -1)" 2>/dev/null || true)
	[ -n "$dev" ] || dev=$(basename "$(df --output=source "$file" | tail -1)")
	local before after
	before=$(probes_disk_reads "$dev")
	probes_trace "$name" -- "$VB_TMP/probe_prog" pread "$file" "$n" || { rm -f "$file"; return 1; }
	after=$(probes_disk_reads "$dev")
	rm -f "$file"
	python3 - "$VB_TMP/$name.json" "$n" "$dev" "$((after - before))" <<'PY' || fail "block counts off"
import json, sys
b = json.load(open(sys.argv[1]))["probes"]["host"]["block"]
n, dev, disk = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
d = b["device"]
print("hook %s: attributed reads %d of %d, device %s reads %d, /proc/diskstats reads %d, p50 %.0f us p99 %.0f us" % (
    b["hook"], b["reads"], n, d["devices"], d["reads"], disk, b["p50_us"], b["p99_us"]))
assert abs(b["reads"] - n) <= 0.02 * n
assert b["read"]["bytes"] == 4096 * b["reads"]
assert d["devices"] == [dev]
assert b["reads"] <= d["reads"] <= disk + 2  # diskstats' window holds ours
assert b["read"]["p50_us"] > 0
PY
}

test_probes_block_direct_reads() {
	probes_progs
	probes_block_check block 2000
	assert_py "$VB_TMP/block.json" 'd["probes"]["host"]["block"]["hook"] == "tp_btf"'
}

test_probes_block_raw_tp_fallback() {
	probes_progs
	export VBENCH_BLOCK_HOOK=raw_tp
	probes_block_check blockraw 500
	assert_py "$VB_TMP/blockraw.json" 'd["probes"]["host"]["block"]["hook"] == "raw_tp"'
}

# Counted by the sched family's sys_enter (the syscalls family's own program
# detached), by the syscalls family's alone with --no-breakdown, and by the
# raw_tp sched programs: the same count each way, and the two counts of a run
# agree (the sched family's time per syscall names the same calls).
test_probes_syscalls_exact() {
	probes_progs
	probes_trace sys -- "$VB_TMP/probe_prog" getppid 10000
	probes_trace sysnobd --no-breakdown -- "$VB_TMP/probe_prog" getppid 10000
	VBENCH_SCHED_HOOK=raw_tp probes_trace sysraw -- "$VB_TMP/probe_prog" getppid 10000
	for f in sys sysnobd sysraw; do
		assert_py "$VB_TMP/$f.json" 'd["probes"]["host"]["syscalls"]["top"]["getppid"] == 10000'
		assert_py "$VB_TMP/$f.json" 'list(d["probes"]["host"]["syscalls"]["top"])[0] == "getppid"'
		assert_py "$VB_TMP/$f.json" 'd["probes"]["host"]["syscalls"]["total"] >= 10000'
	done
	assert_py "$VB_TMP/sys.json" '"getppid" in d["probes"]["host"]["breakdown"]["syscalls_ns"]'
}

# The kvm family loads and attaches with or without /dev/kvm. With one, a
# tiny VM's exits are counted as the kernel's own kvm:kvm_exit count says
# (perf stat over the same process tree; the last exit has no entry after it),
# and its time in guest mode is the stretches between entries and exits.
test_probes_kvm_family_loads() {
	probes_progs
	probes_trace kvm0 --kvm -- "$VB_TMP/probe_prog" getppid 10
	assert_py "$VB_TMP/kvm0.json" '"vm_exits" in d["probes"]["host"] and "kvm" not in d["probes"]["host"]["missing"]'
	[ -c /dev/kvm ] || { echo "no /dev/kvm: loaded and attached, no exits to count"; return 0; }
	perf stat -x, -e kvm:kvm_exit -o "$VB_TMP/kvm.perf" -- \
		"$VB" trace --json --kvm -- "$VB_TMP/kvm_prog" 1000 >"$VB_TMP/kvm.json" 2>"$VB_TMP/kvm.err" ||
		{ cat "$VB_TMP/kvm.err"; fail "trace --kvm of a tiny VM failed"; }
	grep -q 'ok 1000' "$VB_TMP/kvm.err" || fail "the tiny VM did not run"
	python3 - "$VB_TMP/kvm.json" "$VB_TMP/kvm.perf" <<'PY' || fail "VM exits differ from kvm:kvm_exit"
import json, sys
v = json.load(open(sys.argv[1]))["probes"]["host"]["vm_exits"]
perf = [l for l in open(sys.argv[2]) if "kvm:kvm_exit" in l][0]
kernel = int(perf.split(",")[0])
print("vm_exits.total %d, perf kvm:kvm_exit %d, by reason %s" % (v["total"], kernel, v["by_reason"]))
assert 0 <= kernel - v["total"] <= 2
assert sum(r["samples"] for r in v["table"]) == v["total"]
if kernel == 0:
    # kvm_pvm (this machine kind) runs the VM without firing kvm:kvm_exit:
    # nothing to split, and nothing may be made up.
    assert v["guest_mode_stretches"] == 0 and "guest_mode_share" not in v
    print("no VM exit fired (the kernel counted none): guest mode not split")
    sys.exit(0)
# Every exit after the thread's first follows an entry of the same thread:
# that stretch was guest mode (as many stretches as handled exits, give or
# take the window's edges), and the time inside KVM_RUN splits into the two.
print("guest mode %.1f us in %d stretches, exit handling %.1f us, guest share %.3f" % (
    v["guest_mode_us"], v["guest_mode_stretches"], v["time_us"], v["guest_mode_share"]))
assert v["total"] <= v["guest_mode_stretches"] <= v["total"] + 2
assert v["guest_mode_us"] > 0 and 0 < v["guest_mode_share"] < 1
PY
}

test_probes_close_releases_everything() {
	probes_progs
	"$VB_TMP/probes_close" 3
}

test_probes_nothing_left_after_a_run() {
	probes_progs
	"$VB" trace --json -- "$VB_TMP/probe_prog" sleep 2 >"$VB_TMP/run.json" 2>&1 &
	local pid=$!
	probes_wait_loaded "$pid" "$VB_TMP/run.ids"
	wait "$pid"
	probes_assert_gone "$VB_TMP/run.ids"
}

test_probes_sigint_cleans_up() {
	probes_progs
	set -m # background jobs take SIGINT only with job control on
	"$VB" trace --json -- "$VB_TMP/probe_prog" sleep 30 >"$VB_TMP/int.json" 2>"$VB_TMP/int.err" &
	local pid=$! rc=0
	set +m
	probes_wait_loaded "$pid" "$VB_TMP/int.ids"
	sleep 0.3
	kill -INT "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ] || fail "trace exited $rc after SIGINT, expected 130 (the child's SIGINT)"
	assert_py "$VB_TMP/int.json" 'd["status"] == "interrupted" and d["signal"] == 2'
	probes_assert_gone "$VB_TMP/int.ids"
}

test_probes_privileges_named() {
	local rc=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$VB" trace -- true \
		2>"$VB_TMP/priv.err" || rc=$?
	[ "$rc" -eq 1 ] || fail "unprivileged trace exited $rc, expected 1"
	grep -q 'CAP_BPF' "$VB_TMP/priv.err" || fail "the message does not name CAP_BPF: $(cat "$VB_TMP/priv.err")"
}

# --- thread-state accounting (the sched family, probes.host.breakdown) -----

# probes_breakdown NAME PYTHON: runs PYTHON with b = the breakdown, own =
# the program's own JSON line (its /proc/self/stat and schedstat at its
# end), elapsed = trace's own wall clock for the command, st = states_ns,
# wall = wall_ns, oncpu = the four on-CPU states. Prints the states.
probes_breakdown() {
	python3 - "$VB_TMP/$1.json" "$VB_TMP/$1.self" "$2" <<'PY' || fail "breakdown of $1: $2"
import json, sys
d = json.load(open(sys.argv[1]))
b = d["probes"]["host"]["breakdown"]
own = json.loads(open(sys.argv[2]).read())
elapsed = d["elapsed_s"] * 1e9
st, wall = b["states_ns"], b["wall_ns"]
oncpu = st["user"] + st["kernel_syscall"] + st["kernel_fault"] + st["kernel_other"]
print("wall %.1f ms (trace: %.1f ms), coverage %.4f, hook %s, samples %d, fault method %s" % (
    wall / 1e6, elapsed / 1e6, b["coverage"], b["hook"], b["samples"]["total"], b["fault_method"]))
print("  " + ", ".join("%s %.1f ms (%.1f %%)" % (k, v / 1e6, 100.0 * v / wall) for k, v in st.items()))
print("  runnable after wakeup %.1f ms, after preemption %.1f ms; sleep by reason %s" % (
    b["runnable_ns"]["after_wakeup"] / 1e6, b["runnable_ns"]["after_preemption"] / 1e6,
    {k: round(v / 1e6, 1) for k, v in b["sleep_ns_by_reason"].items() if v}))
assert b["threads"] == 1 and b["lost_threads"] == 0
assert 0.95 <= b["coverage"] <= 1.05
# the window is trace's own: from the child's release to its reaping
assert abs(wall - elapsed) <= 0.02 * elapsed + 2e6, "wall %d vs trace's %d" % (wall, elapsed)
exec(sys.argv[3])
PY
}

# A spinner: on CPU it is user code; user+kernel agree with the kernel's
# utime+stime (ticks), and on-CPU time with schedstat (which also holds the
# moments before the window: the forked child before its exec).
test_probes_breakdown_spinner() {
	probes_progs
	awk '/^cpu /{print $9}' /proc/stat >"$VB_TMP/spin.steal0"
	probes_trace spin -- "$VB_TMP/probe_prog" spin 2
	awk '/^cpu /{print $9}' /proc/stat >"$VB_TMP/spin.steal1"
	probes_breakdown spin '
import os
ticks = (own["utime_ticks"] + own["stime_ticks"]) * 1e9 / own["clk_tck"]
# The hypervisor under this machine ran something else for a part of the
# time the spinner was on CPU (5 % in one CI run): steal, kept apart from the
# on-CPU states as the kernel keeps it out of its run time, and never more
# than the steal of every CPU in /proc/stat over the window (ticks: one each side).
v = os.environ["VB_TMP"] + "/spin.steal"
machine = (int(open(v + "1").read()) - int(open(v + "0").read())) * 1e9 / own["clk_tck"]
print("  steal %.1f ms; steal of every CPU in /proc/stat meanwhile %.0f ms" % (st["steal"] / 1e6, machine / 1e6))
assert st["steal"] <= machine + 2 * os.cpu_count() * 1e9 / own["clk_tck"]
print("  user / on-CPU %.3f; on-CPU %.1f ms, utime+stime %.1f ms (%+.1f %%), schedstat run %.1f ms (%+.1f %%)" % (
    st["user"] / oncpu, oncpu / 1e6, ticks / 1e6, 100 * (oncpu - ticks) / ticks,
    own["schedstat_run_ns"] / 1e6, 100 * (oncpu - own["schedstat_run_ns"]) / own["schedstat_run_ns"]))
print("  runnable %.1f ms, schedstat wait %.1f ms; switch-ins repaired by a sample: %d" % (
    st["runnable"] / 1e6, own["schedstat_wait_ns"] / 1e6, b["switch_repairs"]))
assert st["user"] >= 0.9 * oncpu
# the figure the issue asks, of the time the hypervisor left it: at least 97 % user
print("  user / (wall - steal) %.4f" % (st["user"] / (wall - st["steal"])))
assert st["user"] >= 0.97 * (wall - st["steal"])
assert abs(oncpu - ticks) <= 0.10 * ticks
# the figure the issue asks: within 2 % (measured here: -0.08 to -0.10 %)
assert abs(oncpu - own["schedstat_run_ns"]) <= 0.02 * own["schedstat_run_ns"]
# The runqueue wait the kernel counts (schedstat field 2) within 5 % of the wall
# time: a switch-in the probes did not see is put right by the next sample.
assert abs(st["runnable"] - own["schedstat_wait_ns"]) <= 0.05 * wall
assert st["blocked_io"] + st["sleep"] <= 0.05 * wall
assert b["samples"]["by_state"]["user"] >= 0.9 * b["samples"]["total"] > 0
'
}

# Touching fresh pages: the fault handling the samples find (under
# exc_page_fault) is kernel time, and the user/kernel split agrees with
# the kernel's own utime/stime (both sampled: a wide margin).
test_probes_breakdown_faults() {
	probes_progs
	probes_trace faultbd -- "$VB_TMP/probe_prog" fault 256
	probes_breakdown faultbd '
hz = own["clk_tck"]
ut, stt = own["utime_ticks"] * 1e9 / hz, own["stime_ticks"] * 1e9 / hz
kern = oncpu - st["user"]
print("  user %.1f ms vs utime %.1f ms; kernel %.1f ms (fault %.1f) vs stime %.1f ms; fault samples %d" % (
    st["user"] / 1e6, ut / 1e6, kern / 1e6, st["kernel_fault"] / 1e6, stt / 1e6, b["samples"]["by_state"]["kernel_fault"]))
assert b["fault_method"] == "tracepoints+samples"
assert st["kernel_fault"] >= 0.5 * kern
assert abs(st["user"] - ut) <= 0.2 * (ut + stt)
assert abs(kern - stt) <= 0.2 * (ut + stt)
'
}

# A nanosleep loop: sleeping, and the kernel names the reason.
test_probes_breakdown_sleeper() {
	probes_progs
	probes_trace nsleep -- "$VB_TMP/probe_prog" nsleep 100 10
	probes_breakdown nsleep '
r = b["sleep_ns_by_reason"]
print("  sleep / wall %.3f, sleep / (wall - runnable) %.3f" % (st["sleep"] / wall, st["sleep"] / (wall - st["runnable"])))
assert st["sleep"] >= 0.9 * (wall - st["runnable"])  # runnable: a loaded machine
assert r["nanosleep"] >= 0.95 * st["sleep"]
assert r["nanosleep"] >= 100 * 10e6  # 100 sleeps of at least 10 ms
assert b["syscalls_ns"]["clock_nanosleep"] > 0
'
}

# sleep 1, as the issue names it: at least 97 % of its wall time asleep, in
# nanosleep (99.8 to 99.9 % in three runs here).
test_probes_breakdown_sleep_one() {
	probes_progs
	probes_trace sleep1 -- "$VB_TMP/probe_prog" sleep 1
	probes_breakdown sleep1 '
print("  sleep / wall %.4f" % (st["sleep"] / wall))
assert st["sleep"] >= 0.97 * wall
assert b["sleep_ns_by_reason"]["nanosleep"] >= 0.97 * st["sleep"]
'
}

# O_DIRECT reads wait uninterruptibly for the disk, inside pread64.
test_probes_breakdown_direct_reads() {
	probes_progs
	local file=/var/tmp/vbench-probes-$$.dat
	on_exit rm -f "$file"
	dd if=/dev/urandom of="$file" bs=1M count=64 conv=fsync status=none
	probes_trace odirect -- "$VB_TMP/probe_prog" pread "$file" 2000
	probes_breakdown odirect '
# on a loaded machine each completion waits for a CPU: the share is of
# the time not spent waiting for one. How that time splits between the
# syscall on CPU and the wait for the device depends on the device (a fast
# virtio disk completes in tens of microseconds): the reads hold nearly all
# of it, a good part is the wait, and the wait is uninterruptible, not sleep.
# The reads on CPU include what the hypervisor beneath stole from them: on
# this machine a read of its virtio disk costs the guest steal (in /proc/stat
# 80 to 140 ms of it over a 170 ms trace; the reads 10 to 50 ms of that).
busy = wall - st["runnable"]
reads = st["blocked_io"] + st["kernel_syscall"] + st["steal"]
print("  blocked_io / (wall - runnable) %.3f, + kernel_syscall + steal %.3f" % (
    st["blocked_io"] / busy, reads / busy))
assert st["blocked_io"] >= 0.15 * busy
assert reads >= 0.8 * busy
assert st["blocked_io"] >= 0.9 * (st["blocked_io"] + st["sleep"])
assert list(b["syscalls_ns"])[0] == "pread64"
'
}

# Two spinners on one CPU: the traced one waits for it, after preemptions;
# its runnable time agrees with schedstat's run-queue wait.
test_probes_breakdown_runnable() {
	probes_progs
	spawn taskset -c 0 "$VB_TMP/probe_prog" spin 6
	sleep 0.3
	probes_trace runq -- taskset -c 0 "$VB_TMP/probe_prog" spin 2
	probes_breakdown runq '
run = st["runnable"]
print("  runnable %.1f ms, schedstat wait %.1f ms (%+.1f %%)" % (
    run / 1e6, own["schedstat_wait_ns"] / 1e6, 100 * (run - own["schedstat_wait_ns"]) / own["schedstat_wait_ns"]))
assert run >= 0.3 * wall
assert b["runnable_ns"]["after_preemption"] > b["runnable_ns"]["after_wakeup"]
# the figure the issue asks: within 5 % (measured here: -0.21 to -0.32 %)
assert abs(run - own["schedstat_wait_ns"]) <= 0.05 * own["schedstat_wait_ns"]
'
}

# The raw_tp fallback gives the same accounting; --probe-cost and --ops add
# their keys, --freq sets the sampler's rate (and refuses what is not one);
# --no-breakdown leaves the family (and its key) out.
test_probes_breakdown_raw_tp_and_off() {
	probes_progs
	VBENCH_SCHED_HOOK=raw_tp probes_trace spinraw -- "$VB_TMP/probe_prog" spin 1
	assert_py "$VB_TMP/spinraw.json" 'd["probes"]["host"]["breakdown"]["hook"] == "raw_tp"'
	probes_breakdown spinraw 'assert st["user"] >= 0.9 * oncpu'
	probes_trace cost --probe-cost --freq 250 --ops 1000 -- "$VB_TMP/probe_prog" getppid 1000
	assert_py "$VB_TMP/cost.json" 'd["probes"]["host"]["breakdown"]["probe_cost_ns"] > 0'
	assert_py "$VB_TMP/cost.json" 'd["probes"]["host"]["breakdown"]["samples"]["hz"] == 250'
	for f in 0 10000 x -5; do
		rc=0
		"$VB" trace --freq "$f" -- true >/dev/null 2>"$VB_TMP/freq.err" || rc=$?
		[ "$rc" -eq 2 ] || fail "trace --freq $f exited $rc, expected 2"
		grep -q "from 1 to 9999" "$VB_TMP/freq.err" || fail "--freq $f: $(cat "$VB_TMP/freq.err")"
	done
	assert_py "$VB_TMP/cost.json" 'd["probes"]["host"]["breakdown"]["ops"] == 1000'
	assert_py "$VB_TMP/cost.json" 'abs(d["probes"]["host"]["breakdown"]["per_op_ns"]["kernel_syscall"] * 1000 - d["probes"]["host"]["breakdown"]["states_ns"]["kernel_syscall"]) < 1000'
	probes_trace nobd --no-breakdown -- "$VB_TMP/probe_prog" getppid 1000
	assert_py "$VB_TMP/nobd.json" '"breakdown" not in d["probes"]["host"]'
	assert_py "$VB_TMP/nobd.json" '"sched" not in d["probes"]["host"]["missing"]'
}
