# Where the time went, in `run` (root): every run's probes.host.breakdown
# from the real sched family, its per-op figures, a VMM's threads by role
# on a real QEMU, the cell's overhead against native, and the section's
# HTML bars drawn by a real headless Chromium.

# bd_run NAME ARGS...: `run --json` into $VB_TMP/NAME.json (its directory NAME.d).
bd_run() {
	local name=$1
	shift
	"$VB" run --json -o "$VB_TMP/$name.d" "$@" >"$VB_TMP/$name.json" 2>"$VB_TMP/$name.err" ||
		{ tail -5 "$VB_TMP/$name.err" >&2; fail "run $* exited $?"; }
}

# Every run: states cover the threads' wall time, per_op_ns is states / ops;
# the programs' own time is the cell's, measured in its warm-up alone (the
# timed runs' programs are not timed); cpu is user code; fork's kernel
# time is its clone, exit and wait4 (and the faults that follow a fork).
test_breakdown_native_cpu_fork() {
	bd_run nat -p native -w cpu,fork -r 2 -d 2
	python3 - "$VB_TMP/nat.json" <<'PY' || fail "native breakdown"
import json, sys
d = json.load(open(sys.argv[1]))
cells = {c["name"]: c for c in d["platforms"][0]["workloads"]}
assert set(cells) == {"cpu", "fork"}, cells.keys()
for name, c in cells.items():
    assert len(c["runs"]) == 2 and "overhead" not in c
    pc = c["probe_cost"]
    print("%s: probe cost %.1f ms in the %.2f s warm-up, %.0f ns per op" % (
          name, pc["bpf_ns"] / 1e6, pc["duration_s"], pc["per_op_ns"]))
    assert pc["measured_in"] == "warm-up" and 0 < pc["bpf_ns"] < 0.2 * 2 * pc["duration_s"] * 1e9
    assert pc["per_op_ns"] > 0
    for r in c["runs"]:
        b = r["probes"]["host"]["breakdown"]
        st, per = b["states_ns"], b["per_op_ns"]
        oncpu = st["user"] + st["kernel_syscall"] + st["kernel_fault"] + st["kernel_other"]
        ks = b["syscalls_ns"]
        print("%s: coverage %.4f, %d threads, wall %.0f ms, ops %d, on-CPU %.0f ms (user %.1f %%, "
              "syscall %.1f %%, fault %.1f %%)" % (
              name, b["coverage"], b["threads"], b["wall_ns"] / 1e6, r["ops"], oncpu / 1e6,
              100 * st["user"] / oncpu, 100 * st["kernel_syscall"] / oncpu,
              100 * st["kernel_fault"] / oncpu))
        assert 0.99 <= b["coverage"] <= 1.01, b["coverage"]
        assert b["ops"] == r["ops"] > 0
        for k, v in st.items():
            assert abs(per[k] * r["ops"] - v) <= 1e-6 * max(v, 1), (k, per[k], v)
        # the window holds the run: every live thread's wall at least its duration
        assert b["wall_ns"] >= 0.99 * r["duration_s"] * 1e9
        assert "probe_cost_ns" not in b
        if name == "cpu":
            assert st["user"] >= 0.95 * oncpu  # interrupts on a busy machine: kernel_other
        else:
            sys_ns = st["kernel_syscall"]
            clone = ks.get("clone", 0) + ks.get("clone3", 0)
            exit_ = ks.get("exit_group", 0) + ks.get("exit", 0)
            wait = ks.get("wait4", 0) + ks.get("waitid", 0)
            print("  kernel in syscalls %.0f ms: clone %.1f %%, exit %.1f %%, wait4 %.1f %%" % (
                  sys_ns / 1e6, 100 * clone / sys_ns, 100 * exit_ / sys_ns, 100 * wait / sys_ns))
            assert clone > 0 and exit_ > 0 and wait > 0
            assert clone + exit_ + wait >= 0.9 * sys_ns
            assert st["kernel_fault"] > 0.05 * oncpu
            assert st["user"] < 0.5 * oncpu
PY
	grep -q '^Where the time went' "$VB_TMP/nat.d/../nat.json" 2>/dev/null && fail "text in the json"
	grep -q '^## Where the time went' "$VB_TMP/nat.d/report.md" ||
		fail "report.md has no Where the time went section"
	grep -q 'id="breakdown"' "$VB_TMP/nat.d/report.html" ||
		fail "report.html has no breakdown section"
}

# --no-breakdown: no sched family, no breakdown, no section.
test_breakdown_off() {
	bd_run off -p native -w cpu -r 1 -d 1 --no-breakdown
	assert_py "$VB_TMP/off.json" \
		"'breakdown' not in d['platforms'][0]['workloads'][0]['runs'][0]['probes']['host']"
	assert_py "$VB_TMP/off.json" \
		"'page_faults_user' in d['platforms'][0]['workloads'][0]['runs'][0]['probes']['host']"
	! grep -q 'Where the time went' "$VB_TMP/off.d/report.md" || fail "a section without a breakdown"
}

# Decodes a PNG (8-bit RGB/RGBA) with zlib alone; prints how many pixels have
# each of the colours given as hex arguments.
bd_png_colours() {
	python3 tests/integration/png.py count "$@"
}

# A real QEMU: its threads by role, the vCPUs holding most of its on-CPU
# time; the guest's own breakdown (the agent loads the family in the guest
# kernel); the qemu cell's overhead against native adds up; the HTML's bars
# (user and sleep colours) drawn by headless Chromium.
test_breakdown_qemu_roles_overhead_html() {
	local browser profile counts
	bd_run q -p native,qemu -w cpu,net -r 1 -d 3
	if python3 -c "import json,sys; d=json.load(open('$VB_TMP/q.json')); sys.exit(d['platforms'][1]['status'] == 'skipped')"; then :; else
		echo "    SKIP: qemu is not available here"
		return 0
	fi
	python3 - "$VB_TMP/q.json" <<'PY' || fail "qemu roles and overhead"
import json, sys
d = json.load(open(sys.argv[1]))
nat, qemu = (p["workloads"][0] for p in d["platforms"])
b = qemu["runs"][0]["probes"]["host"]["breakdown"]
roles = b["roles"]
oncpu = lambda st: st["user"] + st["kernel_syscall"] + st["kernel_fault"] + st["kernel_other"]
total = sum(oncpu(r["states_ns"]) for r in roles.values())
for k, r in roles.items():
    print("%-9s %d threads, on-CPU %.0f ms (%.1f %%), samples %d" % (
          k, r["threads"], oncpu(r["states_ns"]) / 1e6, 100 * oncpu(r["states_ns"]) / total,
          r["samples"]["total"]))
assert roles["vcpu"]["threads"] >= 1 and roles["main_loop"]["threads"] == 1
# the vCPU threads' samples land in named regions: not "other" (a file of no
# name we give) nor "unknown" (no mapping); at least 95 %, as the issue asks
vs = roles["vcpu"]["samples"]
named = vs["total"] - vs["by_region"].get("other", 0) - vs["by_region"].get("unknown", 0)
print("vcpu samples in named regions %d of %d, classified %.3f" % (named, vs["total"], vs["classified"]))
assert vs["total"] > 0 and named >= 0.95 * vs["total"]
assert oncpu(roles["vcpu"]["states_ns"]) >= 0.5 * total
assert sum(r["wall_ns"] for r in roles.values()) == b["wall_ns"]
assert "roles" not in nat["runs"][0]["probes"]["host"]["breakdown"]
o = qemu["overhead"]
print("overhead: %+.0f ns per event; shares %s" % (
      o["extra_total_ns"], {k: round(v, 3) for k, v in o["share_of_gap"].items()}))
for k, v in o["extra_per_op_ns"].items():
    assert abs(v - (o["per_op_ns"][k] - o["native_per_op_ns"][k])) <= 1e-6 * max(abs(v), 1)
assert abs(sum(o["share_of_gap"].values()) - 1) < 1e-9
# the busy gap: every bucket but sleep, and its shares (no sleep among them)
busy = sum(v for k, v in o["extra_per_op_ns"].items() if k != "sleep")
print("busy gap: %+.0f ns per event, sleep %+.0f apart" % (
      o["extra_busy_ns"], o["extra_per_op_ns"]["sleep"]))
assert abs(o["extra_busy_ns"] - busy) <= 1e-6 * max(abs(busy), 1)
assert "sleep" not in o["share_of_busy_gap"]
assert abs(sum(o["share_of_busy_gap"].values()) - 1) < 1e-9
assert abs(o["per_op_ns"]["user"] - b["per_op_ns"]["user"]) < 1e-6
assert "overhead" not in nat
# the guest's own view: the agent's threads as the guest kernel scheduled them
g = qemu["runs"][0]["probes"]["guest"]["breakdown"]
gst = g["states_ns"]
print("guest: coverage %.4f, %d threads, on-CPU user %.1f %%, samples %d, probe cost %.1f ms" % (
      g["coverage"], g["threads"], 100 * gst["user"] / oncpu(gst), g["samples"]["total"],
      g.get("probe_cost_ns", 0) / 1e6))
assert 0.99 <= g["coverage"] <= 1.01
assert gst["user"] >= 0.9 * oncpu(gst)
assert abs(g["per_op_ns"]["user"] * qemu["runs"][0]["ops"] - gst["user"]) <= 1e-6 * gst["user"]
PY
	# The net cell: how much of the main loop's time went to the network
	# backend (SLIRP), its socket syscalls kept apart from the other threads'.
	python3 - "$VB_TMP/q.json" <<'PY' || fail "the main loop's network backend"
import json, sys
d = json.load(open(sys.argv[1]))
qemu = d["platforms"][1]
cells = {w["name"]: w for w in qemu["workloads"]}
nb = {}
for name, w in cells.items():
    run = w["runs"][0]
    b = run["probes"]["host"]["breakdown"]
    ml = b["roles"]["main_loop"]
    n = ml["network_backend"]
    nb[name] = n["ns"] / run["duration_s"]
    print("%s: main loop network backend %.1f ms of %.1f ms on CPU (%.1f %%): socket syscalls "
          "%.1f ms, network code %.1f ms (%d of %d user samples); main loop syscalls %.1f ms "
          "of %.1f ms in kernel_syscall" % (
          name, n["ns"] / 1e6, n["on_cpu_ns"] / 1e6, 100 * n["share_of_on_cpu"],
          n["syscall_ns"] / 1e6, n["user_ns"] / 1e6, n["samples"]["network"],
          n["samples"]["user"], sum(ml["syscalls_ns"].values()) / 1e6,
          ml["states_ns"]["kernel_syscall"] / 1e6))
    # the main thread's own syscall time is its role's syscall state
    mine = sum(ml["syscalls_ns"].values())
    assert abs(mine - ml["states_ns"]["kernel_syscall"]) <= 0.01 * max(mine, 1e6)
    for k, v in ml["syscalls_ns"].items():
        assert v <= b["syscalls_ns"].get(k, 0) + 1, k
    assert n["ns"] == n["syscall_ns"] + n["user_ns"] and n["samples"]["network"] <= n["samples"]["user"]
    on = sum(ml["states_ns"][k] for k in ("user", "kernel_syscall", "kernel_fault", "kernel_other"))
    assert n["on_cpu_ns"] == on and abs(n["share_of_on_cpu"] - n["ns"] / on) < 1e-9
# SLIRP relays the guest's uplink in the main loop through socket syscalls
# (measured here: half its on-CPU time); the cpu cell has no traffic
net = cells["net"]["runs"][0]["probes"]["host"]["breakdown"]["roles"]["main_loop"]
assert net["network_backend"]["share_of_on_cpu"] >= 0.2
assert net["syscalls_ns"].get("sendto", 0) >= 0.5 * net["network_backend"]["syscall_ns"]
assert nb["net"] >= 10 * nb["cpu"], nb
PY
	grep -q "^Main loop's network backend: qemu .* per write, [0-9]* % of its on-CPU time" \
		"$VB_TMP/q.d/report.md" || fail "report.md has no network backend line"
	grep -q "main loop spent [0-9]* % of its on-CPU time in the network backend" \
		"$VB_TMP/q.d/report.md" || fail "no finding cites the network backend"
	grep -A12 '^Where the time went' "$VB_TMP/q.err" "$VB_TMP/q.d/report.md" >/dev/null || true
	grep -q '| qemu: vcpu |' "$VB_TMP/q.d/report.md" || fail "report.md has no vcpu row"
	grep -q '| qemu: busy gap vs native |' "$VB_TMP/q.d/report.md" ||
		fail "report.md has no busy gap row"
	browser=$(command -v chromium || command -v chromium-browser) ||
		fail "chromium is not installed (bash platforms/setup.sh packages installs it)"
	profile=$(mktemp -d "$VB_TMP/chromium.XXXXXX")
	# Only the section: the page's own CSS and the section, so the bars are in view.
	python3 - "$VB_TMP/q.d/report.html" "$VB_TMP/bd.html" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
head = h[:h.index("<body")]
sec = re.search(r'<section id="breakdown">.*?</section>', h, re.S).group(0)
open(sys.argv[2], "w").write(head + "<body><main><div class=\"wrap\">" + sec + "</div></main></body></html>")
PY
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
		--screenshot="$VB_TMP/bd.png" --window-size=1200,900 "file://$VB_TMP/bd.html" \
		>"$VB_TMP/chromium.log" 2>&1 || true
	[ -s "$VB_TMP/bd.png" ] || fail "chromium wrote no screenshot: $(tail -3 "$VB_TMP/chromium.log")"
	counts=$(bd_png_colours "$VB_TMP/bd.png" 5b8ff9 d3d9e0)
	echo "screenshot pixels: $counts"
	python3 -c "
import sys
c = dict(kv.split('=') for kv in '$counts'.split())
sys.exit(0 if int(c['5b8ff9']) >= 500 and int(c['d3d9e0']) >= 500 else 1)" ||
		fail "the user and sleep bars are not drawn ($counts)"
}
