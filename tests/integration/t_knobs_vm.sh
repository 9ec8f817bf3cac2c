# The qemu and kvm knobs (-O NAME=VALUE): net=tap|passt, vcpus, thp,
# tcg-threads. Each is checked where it takes effect: the bridge's counters,
# the running domain's XML, QEMU's thread names, what the guest's agent says.

# Skips (returns 1) when qemu cannot run here.
knobs_qemu_here() {
	if "$VB" doctor 2>/dev/null | grep -q 'ready   platform qemu'; then
		return 0
	fi
	echo "    SKIP: qemu is not available here: $("$VB" doctor 2>&1 | grep 'platform qemu' | head -1)"
	return 1
}

# Builds guestctl (tests/integration/progs) against the tool's objects.
knobs_guestctl() {
	[ -x "$VB_TMP/guestctl" ] && return 0
	make -s BUILD="${BUILD:=build}" "$BUILD/tests/progs/guestctl" >/dev/null || fail "cannot build guestctl"
	ln -sf "$PWD/$BUILD/tests/progs/guestctl" "$VB_TMP/guestctl"
}

# The running domain of run $1 (name), or nothing.
knobs_domain() {
	virsh -c qemu:///system list --name 2>/dev/null | grep "^vbench-trace-$1-" | head -1
}

# What run $1 left behind: links, namespaces, domains, iptables rules.
knobs_leftovers() {
	ip -o link show 2>/dev/null | grep -o "vbt-$1-[a-z]*" || true
	ip netns list 2>/dev/null | grep "^vbench-trace-$1-" || true
	virsh -c qemu:///system list --all --name 2>/dev/null | grep "^vbench-trace-$1-" || true
	iptables -w 5 -S FORWARD 2>/dev/null | grep -- "vbt-$1-" || true
}

knobs_assert_clean() {
	local left
	left=$(knobs_leftovers "$1")
	[ -z "$left" ] || fail "run $1 left behind: $(echo $left)"
}

# The thread names of QEMU for run $1's domain, one a line (nothing until it runs).
knobs_qemu_threads() {
	local dom qpid
	dom=$(knobs_domain "$1")
	[ -n "$dom" ] || return 0
	qpid=$(cat "/run/libvirt/qemu/$dom.pid" 2>/dev/null) || return 0
	cat /proc/"$qpid"/task/*/comm 2>/dev/null || true
}

knobs_has_tcg_thread() {
	knobs_qemu_threads "$1" | grep -q '/TCG$'
}

# The uplink runs through our bridge: the host end of the veth sends the
# namespace at least what the run reports, the guest's tap is a port of the
# bridge, and nothing of the run is left once it ends.
test_knobs_vm_net_tap_goes_through_the_bridge() {
	knobs_qemu_here || return 0
	local pid rc=0 tx=0 now ports="" end bytes addrs=""
	spawn "$VB" run -p qemu -w net -r 1 -d 2 -O net=tap -o "$VB_TMP/tap" -v \
		>"$VB_TMP/tap.out" 2>&1
	pid=$SPAWNED
	end=$(($(vb_now_ms) + (VB_GUEST_BOOT_S + 120) * 1000))
	# The counter goes with the link at teardown: keep the last value read.
	while vb_alive "$pid" && [ "$(vb_now_ms)" -lt "$end" ]; do
		now=$(cat "/sys/class/net/vbt-$pid-qh/statistics/tx_bytes" 2>/dev/null || echo 0)
		[ "$now" -gt "$tx" ] && tx=$now
		# The veth joins at prepare, the guest's tap once its domain starts.
		now=$(ls "/sys/class/net/vbt-$pid-qb/brif" 2>/dev/null | tr '\n' ' ')
		[[ "$ports" == *vnet* ]] || ports=$now
		# The host has no address on the bridge or its veth end: it routes nothing.
		[ -n "$ports" ] && [ -z "$addrs" ] &&
			addrs=$(ip -o addr show dev "vbt-$pid-qb" 2>/dev/null; ip -o addr show dev "vbt-$pid-qh" 2>/dev/null; echo checked)
		sleep 0.05
	done
	wait_pid_deadline "$pid" 10 "vbench-trace run -O net=tap" || rc=$?
	cat "$VB_TMP/tap.out"
	[ $rc -eq 0 ] || fail "run -O net=tap exited $rc"
	assert_py "$VB_TMP/tap/results.json" '[p for p in d["platforms"] if p["name"] == "qemu"][0]["workloads"][0]["stats"]["mean"] > 0'
	bytes=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(r["bytes"] for p in d["platforms"] if p["name"] == "qemu" for r in p["workloads"][0]["runs"]))' "$VB_TMP/tap/results.json")
	echo "    run bytes $bytes, bridge to namespace (veth tx) $tx bytes, bridge ports: $ports"
	[ "$bytes" -gt 0 ] || fail "the run reports no bytes"
	[ "$tx" -ge "$bytes" ] || fail "the veth to the namespace sent $tx bytes, fewer than the run's $bytes"
	[[ " $ports" == *" vbt-$pid-qh "* ]] || fail "the veth is not on the bridge (ports: $ports)"
	[[ "$ports" == *vnet* ]] || fail "no tap of the guest on the bridge (ports: $ports)"
	grep -q "RUN net .*--server 10.0.2.2:" "$VB_TMP/tap.out" || fail "the agent was not pointed at 10.0.2.2"
	[ "$addrs" = checked ] || fail "the host has addresses on our links: $addrs"
	# The main loop's network backend is its reads and writes of the tap
	# device (told by the fd's inode), not socket syscalls as with SLIRP.
	python3 - "$VB_TMP/tap/results.json" <<'PY' || fail "the main loop's tap backend"
import json, sys
d = json.load(open(sys.argv[1]))
run = [p for p in d["platforms"] if p["name"] == "qemu"][0]["workloads"][0]["runs"][0]
ml = run["probes"]["host"]["breakdown"]["roles"]["main_loop"]
n = ml["network_backend"]
print("    main loop: network backend %.1f ms (tap device %.1f ms) of %.1f ms on CPU; "
      "writev %.1f ms, read %.1f ms" % (n["ns"] / 1e6, n["tap_ns"] / 1e6, n["on_cpu_ns"] / 1e6,
      ml["syscalls_ns"].get("writev", 0) / 1e6, ml["syscalls_ns"].get("read", 0) / 1e6))
assert n["tap_ns"] >= 0.9 * n["syscall_ns"] and n["share_of_on_cpu"] >= 0.1
# every tap write is a writev of the main loop; its other writes (eventfds) are not the tap's
assert n["tap_ns"] <= sum(ml["syscalls_ns"].get(k, 0) for k in ("read", "readv", "write", "writev")) + 1
PY
	knobs_assert_clean "$pid"
}

# SIGINT in the middle of the net cell: stop and teardown still run, and
# leave no link, namespace, domain or firewall rule.
test_knobs_vm_net_tap_sigint_leaves_nothing() {
	knobs_qemu_here || return 0
	local pid rc=0
	spawn "$VB" run -p qemu -w net -r 2 -d 10 -O net=tap -o "$VB_TMP/int" -v \
		>"$VB_TMP/int.out" 2>&1
	pid=$SPAWNED
	wait_until $((VB_GUEST_BOOT_S + 60)) "the net cell's first run" \
		grep -q 'qemu net run 1/2' "$VB_TMP/int.out" || { cat "$VB_TMP/int.out"; return 1; }
	[ -n "$(knobs_domain "$pid")" ] || fail "no domain while the net cell runs"
	[ -e "/run/netns/vbench-trace-$pid-qemu" ] || fail "no namespace while the net cell runs"
	kill -INT "$pid"
	wait_pid_deadline "$pid" 60 "vbench-trace run after SIGINT" || rc=$?
	cat "$VB_TMP/int.out"
	echo "    exit status after SIGINT: $rc"
	assert_py "$VB_TMP/int/results.json" 'd["status"] == "interrupted"'
	knobs_assert_clean "$pid"
}

# A run killed outright leaves its network; the next prepare removes it once
# its pid is no longer a running vbench-trace, and leaves a live run's alone.
test_knobs_vm_tap_leftovers_of_dead_runs_swept() {
	knobs_qemu_here || return 0
	knobs_guestctl
	local dead live rc=0
	sleep 300 &
	dead=$!
	kill -9 $dead
	wait $dead 2>/dev/null || true
	sleep 300 &
	live=$! # alive, but not a vbench-trace: its pid names nothing of ours
	on_exit "kill $live 2>/dev/null; ip link del vbt-$dead-qb 2>/dev/null; ip link del vbt-$live-qb 2>/dev/null; ip netns del vbench-trace-$dead-qemu 2>/dev/null; true"
	ip link add "vbt-$dead-qb" type bridge
	ip link add "vbt-$live-qb" type bridge
	ip netns add "vbench-trace-$dead-qemu"
	mkdir -p "$VB_TMP/sw"
	run_deadline 600 "$VB_TMP/guestctl" qemu "$VB_TMP/sw" --prepare-only >"$VB_TMP/sw.out" 2>&1 || rc=$?
	cat "$VB_TMP/sw.out"
	[ $rc -eq 77 ] && { echo "    SKIP: qemu is not available here"; return 0; }
	[ ! -e "/sys/class/net/vbt-$dead-qb" ] || fail "a dead run's bridge was not swept"
	[ ! -e "/sys/class/net/vbt-$live-qb" ] || fail "a bridge named by a pid that is no vbench-trace was not swept"
	[ ! -e "/run/netns/vbench-trace-$dead-qemu" ] || fail "a dead run's namespace was not swept"
	grep -q "removed vbt-$dead-qb" "$VB_TMP/sw.out" || fail "the sweep did not say what it removed"
}

# vcpus: the guest's own cpu count, as its agent says in hello, is the value
# asked for; a count above the host's is refused at prepare, naming the range.
test_knobs_vm_vcpus_reach_the_guest() {
	knobs_qemu_here || return 0
	local pid rc=0 cpus
	cpus=$(nproc)
	spawn "$VB" run -p qemu -w cpu -r 1 -d 1 -O vcpus=1 -o "$VB_TMP/v1" -v >"$VB_TMP/v1.out" 2>&1
	pid=$SPAWNED
	wait_pid_deadline "$pid" $((VB_GUEST_BOOT_S + 60)) "run -O vcpus=1" || rc=$?
	cat "$VB_TMP/v1.out"
	[ $rc -eq 0 ] || fail "run -O vcpus=1 exited $rc"
	grep -q "guest vbench-trace-$pid-1 has 1 vCPUs;" "$VB_TMP/v1.out" ||
		fail "the guest's agent did not report 1 cpu"
	rc=0
	run_deadline 120 "$VB" run -p qemu -w cpu -r 1 -d 1 -O vcpus=$((cpus + 1)) \
		-o "$VB_TMP/v2" >"$VB_TMP/v2.out" 2>&1 || rc=$?
	cat "$VB_TMP/v2.out"
	# A value this machine cannot take: the platform is skipped with why, as
	# one it cannot run at all is (exit 0), and nothing was started.
	[ $rc -eq 0 ] || fail "vcpus=$((cpus + 1)) on a $cpus-cpu host exited $rc, expected 0 (skipped)"
	assert_py "$VB_TMP/v2/results.json" 'd["platforms"][0]["status"] == "skipped"'
	assert_py "$VB_TMP/v2/results.json" '"vcpus='$((cpus + 1))': a whole number from 1 to '$cpus'" in d["platforms"][0]["reason"]'
}

# tcg-threads=single: one TCG thread for all vCPUs; multi: one per vCPU.
# Seen in the running QEMU's thread names (debug-threads=on).
test_knobs_vm_tcg_threads_single_and_multi() {
	knobs_qemu_here || return 0
	local mode pid rc threads
	[ "$(nproc)" -ge 2 ] || { echo "    SKIP: one cpu: no two vCPUs to tell the modes apart"; return 0; }
	for mode in single multi; do
		rc=0
		spawn "$VB" run -p qemu -w cpu -r 1 -d 2 -O vcpus=2 -O tcg-threads=$mode \
			-o "$VB_TMP/tcg-$mode" >"$VB_TMP/tcg-$mode.out" 2>&1
		pid=$SPAWNED
		wait_until $((VB_GUEST_BOOT_S + 30)) "a TCG thread in run $pid's QEMU" \
			knobs_has_tcg_thread "$pid" || { cat "$VB_TMP/tcg-$mode.out"; return 1; }
		threads=$(knobs_qemu_threads "$pid" | grep '/TCG$' | sort | tr '\n' ',')
		echo "    tcg-threads=$mode: $threads"
		wait_pid_deadline "$pid" $((VB_GUEST_BOOT_S + 60)) "run -O tcg-threads=$mode" || rc=$?
		[ $rc -eq 0 ] || { cat "$VB_TMP/tcg-$mode.out"; fail "run -O tcg-threads=$mode exited $rc"; }
		case $mode in
		single) [ "$threads" = "ALL CPUs/TCG," ] || fail "single: expected one 'ALL CPUs/TCG' thread, saw $threads" ;;
		multi) [ "$threads" = "CPU 0/TCG,CPU 1/TCG," ] || fail "multi: expected 'CPU 0/TCG' and 'CPU 1/TCG', saw $threads" ;;
		esac
		knobs_assert_clean "$pid"
	done
}

# thp=never reaches the guest kernel's command line (the running domain's XML)
# and the guest kernel runs it (its agent reads its sysfs setting at hello).
test_knobs_vm_thp_on_the_guest_cmdline() {
	knobs_qemu_here || return 0
	local pid rc=0 dom cmdline
	spawn "$VB" run -p qemu -w cpu -r 1 -d 2 -O thp=never -o "$VB_TMP/thp" -v >"$VB_TMP/thp.out" 2>&1
	pid=$SPAWNED
	wait_until $((VB_GUEST_BOOT_S + 30)) "run $pid's domain" knobs_has_tcg_thread "$pid" ||
		{ cat "$VB_TMP/thp.out"; return 1; }
	dom=$(knobs_domain "$pid")
	cmdline=$(virsh -c qemu:///system dumpxml "$dom" | grep -o '<cmdline>.*</cmdline>')
	echo "    $cmdline"
	wait_pid_deadline "$pid" $((VB_GUEST_BOOT_S + 60)) "run -O thp=never" || rc=$?
	[ $rc -eq 0 ] || { cat "$VB_TMP/thp.out"; fail "run -O thp=never exited $rc"; }
	[[ "$cmdline" == *" transparent_hugepage=never "* ]] || fail "no transparent_hugepage=never on the guest's cmdline"
	# The guest kernel's own setting, as its agent read it at hello.
	grep "has .* vCPUs; transparent_hugepage:" "$VB_TMP/thp.out" || true
	grep -q "guest $dom has .* vCPUs; transparent_hugepage: .*\[never\]" "$VB_TMP/thp.out" ||
		fail "the guest's kernel does not run transparent_hugepage never"
}

# passt: runs where libvirt and passt take it; elsewhere the platform is
# skipped with the reason doctor gives too.
test_knobs_vm_passt_runs_or_says_why_not() {
	knobs_qemu_here || return 0
	local rc=0 why
	why=$("$VB" doctor 2>&1 | grep -A2 'option qemu -O net ' | grep -o 'passt: .*' || true)
	run_deadline $((VB_GUEST_BOOT_S + 60)) "$VB" run -p qemu -w net -r 1 -d 1 -O net=passt \
		-o "$VB_TMP/passt" >"$VB_TMP/passt.out" 2>&1 || rc=$?
	cat "$VB_TMP/passt.out"
	if [ -z "$why" ]; then
		[ $rc -eq 0 ] || fail "doctor says passt works here, but the run exited $rc"
		return 0
	fi
	echo "    doctor: $why"
	[ $rc -eq 0 ] || fail "net=passt where it cannot work exited $rc, expected 0 (skipped)"
	assert_py "$VB_TMP/passt/results.json" '[p for p in d["platforms"] if p["name"] == "qemu"][0]["status"] == "skipped"'
	assert_py "$VB_TMP/passt/results.json" '[p for p in d["platforms"] if p["name"] == "qemu"][0]["reason"].startswith("net=passt: ")'
	grep -q "qemu: skipped: net=passt: " "$VB_TMP/passt.out" || fail "the run does not say why passt cannot be used"
}

# A guest whose QEMU dies in the net cell: the cell fails, and the run still
# removes its bridge, namespace and rule (libvirt took the tap with the domain).
test_knobs_vm_net_tap_crashed_guest_leaves_nothing() {
	knobs_qemu_here || return 0
	local pid rc=0 dom qpid
	spawn "$VB" run -p qemu -w net -r 2 -d 10 -O net=tap -o "$VB_TMP/crash" -v \
		>"$VB_TMP/crash.out" 2>&1
	pid=$SPAWNED
	wait_until $((VB_GUEST_BOOT_S + 60)) "the net cell's first run" \
		grep -q 'qemu net run 1/2' "$VB_TMP/crash.out" || { cat "$VB_TMP/crash.out"; return 1; }
	dom=$(knobs_domain "$pid")
	qpid=$(cat "/run/libvirt/qemu/$dom.pid")
	grep -q qemu-system "/proc/$qpid/comm" || fail "pid $qpid of $dom is not QEMU"
	kill -KILL "$qpid"
	wait_pid_deadline "$pid" 120 "vbench-trace run after its QEMU was killed" || rc=$?
	cat "$VB_TMP/crash.out"
	[ $rc -eq 1 ] || fail "a run whose guest died exited $rc, expected 1"
	knobs_assert_clean "$pid"
}
