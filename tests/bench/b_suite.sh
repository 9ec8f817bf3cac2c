# The whole --quick suite on native, docker and qemu: its wall time (target
# <= 6 min on this machine kind) and each platform's vs_native per workload.
bench_quick_suite() {
	local out=$VB_TMP/suite start end
	start=$(date +%s.%N)
	timeout --kill-after=30 1800 $VB run -p native,docker,qemu --quick -o "$out" >/dev/null \
		2>"$VB_TMP/suite.err" || echo "   (the suite exited non-zero or ran past 30 min; see below)"
	end=$(date +%s.%N)
	python3 - "$out/results.json" "$start" "$end" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
secs = float(sys.argv[3]) - float(sys.argv[2])
print(f"   quick suite native+docker+qemu: {secs:.0f} s  (target <= 360 s)")
cols = [p for p in d["platforms"]]
names = ["cpu", "mem", "diskrand", "diskseq", "fork", "net"]
head = "".join(f"{(p['name'] + ('/' + p['variant'] if p.get('variant') else '')):>12}" for p in cols)
print(f"   {'vs_native':<10}{head}")
for n in names:
    row = ""
    for p in cols:
        cell = next((w for w in p.get("workloads", []) if w["name"] == n), None)
        if p.get("status") == "skipped":
            row += f"{'skipped':>12}"
        elif cell is None or "vs_native" not in cell:
            row += f"{(cell or {}).get('status', '-'):>12}"
        else:
            row += f"{cell['vs_native']:>12.3f}"
    print(f"   {n:<10}{row}")
PY
	grep 'vbench-trace: ' "$VB_TMP/suite.err" | grep -v '\[' | head -20 | sed 's/^/   /'
}
