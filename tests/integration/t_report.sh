# report, compare and doctor from the command line, on the crafted fixtures
# (tests/fixtures/*.json, written by tests/fixtures/gen_fixtures.py).

FIX=tests/fixtures
REPORT_FIXTURES="full skipped sparse regressed"

# Checks one rendered file by its format; python3 only, no third-party modules.
check_rendered() {
	local fmt=$1 out=$2 src=$3
	python3 - "$fmt" "$out" "$src" <<'PY' || fail "$fmt report of $src is not well formed ($out)"
import csv, json, sys
fmt, out, src = sys.argv[1:4]
text = open(out, encoding="utf-8").read()
assert text.strip(), "empty"
if fmt == "json":
    assert json.loads(text) == json.load(open(src)), "json report differs from the document"
elif fmt == "csv":
    rows = list(csv.reader(open(out, newline="")))
    assert len(rows) >= 2, "no data rows"
    assert all(len(r) == len(rows[0]) for r in rows), "ragged rows"
    assert rows[0][:5] == ["platform", "variant", "platform_status", "reason", "workload"]
elif fmt == "html":
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "<svg" in text, "no chart"
    for banned in ("<script", "http://", "https://", "<link", "@import"):
        assert banned not in text, "fetches or scripts: " + banned
assert "\033[" not in text, "colour in a file"
doc = json.load(open(src))
for p in doc["platforms"]:
    if isinstance(p, dict) and p.get("status") in ("skipped", "failed") and p.get("reason"):
        assert p["reason"] in text or fmt == "html" and p["reason"].replace("'", "&#39;") in text, \
            "reason missing: " + p["reason"]
PY
}

test_report_renders_every_format() {
	for f in $REPORT_FIXTURES; do
		for fmt in text md html json csv; do
			"$VB" report --format "$fmt" -o "$VB_TMP/$f.$fmt" "$FIX/$f.json" ||
				fail "report --format $fmt $f.json exited $?"
			check_rendered "$fmt" "$VB_TMP/$f.$fmt" "$FIX/$f.json"
		done
	done
	# The default is text, on stdout; a pipe gets no colour.
	"$VB" report "$FIX/full.json" >"$VB_TMP/default.txt"
	grep -q '^Findings' "$VB_TMP/default.txt" || fail "text report has no findings section"
	grep -q 'SLIRP' "$VB_TMP/default.txt" || fail "the fixture's net finding is missing"
	grep -q 'skipped: /dev/kvm not present' <("$VB" report "$FIX/skipped.json") ||
		fail "skipped platform's reason missing from the text report"
}

test_report_rejects_what_is_not_a_document() {
	local rc
	printf 'not json at all' >"$VB_TMP/garbage.json"
	for f in "$FIX/not-vbench.json" "$VB_TMP/garbage.json" "$VB_TMP/absent.json"; do
		rc=0
		"$VB" report "$f" >"$VB_TMP/out" 2>"$VB_TMP/err" || rc=$?
		[ "$rc" -eq 2 ] || fail "report $f exited $rc, want 2"
		[ "$(wc -l <"$VB_TMP/err")" -eq 1 ] || fail "report $f: want one error line, got: $(cat "$VB_TMP/err")"
		grep -q '^vbench-trace: ' "$VB_TMP/err" || fail "report $f: error does not start with vbench-trace:"
		[ ! -s "$VB_TMP/out" ] || fail "report $f printed a report anyway"
	done
	rc=0
	"$VB" report --format pdf "$FIX/full.json" 2>"$VB_TMP/err" || rc=$?
	[ "$rc" -eq 2 ] || fail "unknown format exited $rc, want 2"
}

# Decodes a PNG (8-bit RGB/RGBA, the five filters) with zlib alone and prints
# "distinct_colours non_white_share platform_colours_seen".
png_stats() {
	python3 tests/integration/png.py stats "$1"
}

test_report_html_renders_in_chromium() {
	local browser profile
	browser=$(command -v chromium || command -v chromium-browser) ||
		fail "chromium is not installed (bash platforms/setup.sh packages installs it)"
	"$VB" report --format html -o "$VB_TMP/full.html" "$FIX/full.json"
	profile=$(mktemp -d "$VB_TMP/chromium.XXXXXX")
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
		--screenshot="$VB_TMP/full.png" --window-size=1200,1600 "file://$VB_TMP/full.html" \
		>"$VB_TMP/chromium.log" 2>&1 || true
	[ -s "$VB_TMP/full.png" ] || fail "chromium wrote no screenshot: $(tail -3 "$VB_TMP/chromium.log")"
	read -r colours ink bars < <(png_stats "$VB_TMP/full.png")
	echo "screenshot: $colours colours, $ink of pixels not white, $bars of 4 platform colours"
	[ "$colours" -ge 50 ] || fail "screenshot has only $colours colours: blank page?"
	python3 -c "import sys; sys.exit(0 if $ink >= 0.2 else 1)" || fail "screenshot is mostly white ($ink ink)"
	[ "$bars" -eq 4 ] || fail "screenshot shows $bars of the 4 platform colours: charts not drawn?"
}

test_compare_identical_and_regressed() {
	local rc=0
	"$VB" compare --fail-on-regression "$FIX/full.json" "$FIX/full.json" >"$VB_TMP/same.txt" ||
		fail "compare of a document with itself exited $?"
	grep -q ' 0 significant regressions' "$VB_TMP/same.txt" || fail "identical documents differ"
	"$VB" compare --fail-on-regression "$FIX/full.json" "$FIX/regressed.json" >"$VB_TMP/reg.txt" || rc=$?
	[ "$rc" -eq 1 ] || fail "compare --fail-on-regression exited $rc on a regression, want 1"
	grep -E '^qemu +cpu .*REGRESSION' "$VB_TMP/reg.txt" >/dev/null ||
		fail "the qemu cpu regression is not named: $(cat "$VB_TMP/reg.txt")"
	grep -E '^docker +fork .*improvement' "$VB_TMP/reg.txt" >/dev/null ||
		fail "the docker fork improvement is not named"
	grep -q '(welch)' "$VB_TMP/reg.txt" || fail "the test used is not named"
	"$VB" compare "$FIX/full.json" "$FIX/regressed.json" >/dev/null ||
		fail "compare without --fail-on-regression exited $?"
	"$VB" compare "$FIX/full.json" "$FIX/skipped.json" >"$VB_TMP/hosts.txt" || true
	grep -q 'hosts differ' "$VB_TMP/hosts.txt" || fail "different hosts not noted"
	rc=0
	"$VB" compare "$FIX/full.json" "$FIX/not-vbench.json" >/dev/null 2>"$VB_TMP/err" || rc=$?
	[ "$rc" -eq 2 ] || fail "compare with a bad file exited $rc, want 2"
	[ "$(wc -l <"$VB_TMP/err")" -eq 1 ] || fail "compare: want one error line"
}

test_doctor_lines_and_json() {
	local rc=0 jrc=0
	"$VB" doctor >"$VB_TMP/doctor.txt" || rc=$?
	"$VB" doctor --json >"$VB_TMP/doctor.json" || jrc=$?
	[ "$rc" -eq "$jrc" ] || fail "doctor exited $rc, doctor --json $jrc"
	assert_py "$VB_TMP/doctor.json" "isinstance(d['native_ready'], bool) and len(d['checks']) >= 20"
	assert_py "$VB_TMP/doctor.json" "all(set(c) >= {'name', 'ready', 'detail'} for c in d['checks'])"
	assert_py "$VB_TMP/doctor.json" "all(c['ready'] or c.get('fix') for c in d['checks'])"
	assert_py "$VB_TMP/doctor.json" "({c['name'] for c in d['checks']} >= {'BTF', 'BPF privileges', '/dev/kvm', 'platform native', 'tracepoint kvm/kvm_exit', 'peer fio'})"
	# One line per check, and the exit status follows native.
	[ "$(grep -cE '^  (ready|partly|MISSING) ' "$VB_TMP/doctor.txt")" -eq \
		"$(python3 -c "import json; print(len(json.load(open('$VB_TMP/doctor.json'))['checks']))")" ] ||
		fail "doctor prints a different number of checks than doctor --json"
	assert_py "$VB_TMP/doctor.json" "d['native_ready'] == ($rc == 0)"
	# This machine runs native: the agent is built beside the tool.
	[ -x "$AGENT" ] && { [ "$rc" -eq 0 ] || fail "doctor says native does not work: $(grep native "$VB_TMP/doctor.txt")"; }
	return 0
}

test_report_colour_only_on_a_terminal() {
	command -v script >/dev/null || fail "script (bsdutils) is needed to fake a terminal"
	# script gives the report a terminal: colour; NO_COLOR or a pipe: none.
	script -qec "$VB report $FIX/full.json" /dev/null >"$VB_TMP/tty.txt"
	grep -q $'\033\\[' "$VB_TMP/tty.txt" || fail "no colour on a terminal"
	NO_COLOR=1 script -qec "$VB report $FIX/full.json" /dev/null >"$VB_TMP/nocolor.txt"
	! grep -q $'\033\\[' "$VB_TMP/nocolor.txt" || fail "colour despite NO_COLOR"
	"$VB" report "$FIX/full.json" | { ! grep -q $'\033\\['; } || fail "colour in a pipe"
}

# A results document whose every string is hostile: markup for HTML and
# Markdown, a line break that would start a heading, terminal escape sequences.
write_hostile_doc() {
	python3 - "$1" <<'PY'
import json, sys
H = "<script>alert(1)</script>\"'</svg>|`[l](javascript:x)`*_~\n# HEAD \x1b[2J\x1b]0;t\x07 \u009b31m &amp;"
def run(score, guest=False):
    return {"score": score, "duration_s": 10, "ops": 1000, "bytes": 4096000,
            "probes": {"host": {"syscalls": {"total": 100, "top": {"<script>\x1b[31m|": 90}},
                                "block": {"requests": 200, "p99_us": 70, "hist_log2_us": [0, 5, 100]},
                                "vm_exits": {"by_reason": {"</svg><script>": 50}},
                                "overflow": {"targets": 2}}}}
doc = {"schema": "vbench-trace/1", "status": "complete", "started_at": H, "tool_version": H,
       "host": {"kernel": H, "cpu_model": H, "cpus": 2}, "config": {"runs": 3, "net_server": H},
       "platforms": [
           {"name": "native", "status": "ok",
            "workloads": [{"name": H, "unit": H, "runs": [run(100 + i) for i in range(3)]}]},
           {"name": H, "variant": H, "status": "ok",
            "workloads": [{"name": H, "unit": H, "runs": [run(50 + i) for i in range(3)]},
                          {"name": "cpu", "error": H, "runs": []}]},
           {"name": H, "status": "skipped", "reason": H}],
       "findings": [{"platform": H, "variant": H, "workload": H, "rule": H, "text": H,
                     "evidence": {H: H, "n": 7}}]}
json.dump(doc, open(sys.argv[1], "w"))
PY
}

test_report_hostile_strings_stay_text() {
	local doc=$VB_TMP/hostile-doc.json
	write_hostile_doc "$doc"
	for fmt in text md html csv json; do
		"$VB" report --format "$fmt" "$doc" >"$VB_TMP/hostile.$fmt" ||
			fail "report --format $fmt of the hostile document exited $?"
	done
	"$VB" compare "$doc" "$doc" >"$VB_TMP/hostile.compare" || fail "compare exited $?"
	python3 - "$VB_TMP" <<'PY' || fail "a hostile string survived unescaped"
import csv, html.parser, re, sys
d = sys.argv[1]
def read(ext):
    return open(f"{d}/hostile.{ext}", "rb").read().decode("utf-8")
for ext in ("text", "md", "html", "csv", "compare"):
    t = read(ext)
    bad = [c for c in t if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
    assert not bad, f"{ext}: control characters {bad[:3]!r}"
    assert "\n# HEAD" not in t, f"{ext}: the payload's line break started a line"
j = read("json")
assert "\x1b" not in j and "\x07" not in j, "json: raw escape sequence"
# HTML: parsed as a browser would, the payload opens no element and closes none.
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.starts, self.ends = [], []
    def handle_starttag(self, tag, attrs):
        self.starts.append(tag)
        for k, v in attrs:
            assert k in ("class", "style", "title", "lang", "charset", "name", "content",
                         "viewbox", "role", "aria-label", "x", "y", "x1", "y1", "x2", "y2",
                         "width", "height", "rx", "fill", "fill-opacity", "stroke",
                         "stroke-width", "stroke-dasharray", "d", "text-anchor", "id"), k
    def handle_endtag(self, tag):
        self.ends.append(tag)
p = P()
p.feed(read("html"))
assert "script" not in p.starts, "html: a script element"
assert p.starts.count("svg") == p.ends.count("svg"), "html: an svg closed by the payload"
assert "&lt;script&gt;" in read("html"), "html: payload missing"
# Markdown: outside code spans, no raw markup; every table row as wide as its header.
md = read("md")
plain = re.sub(r"(?<!\\)(`+)(?!`).*?(?<!`)\1(?!`)", "", md)
assert "<script" not in plain and "</svg" not in plain, "md: raw HTML"
width = None
for line in md.split("\n"):
    if not line.startswith("|"):
        width = None
        continue
    cells = len(re.findall(r"(?<!\\)\|", re.sub(r"\\\\", "", line)))
    width = width or cells
    assert cells == width, "md: a table row split by the payload: " + line[:80]
rows = list(csv.reader(open(f"{d}/hostile.csv", newline="", encoding="utf-8")))
assert all(len(r) == len(rows[0]) for r in rows), "csv: ragged rows"
assert any(r[3].startswith("<script>") for r in rows), "csv: the reason is missing"
PY
}

# Each must be refused at once with one line and exit 2; timeout is the deadline.
test_report_refuses_unbounded_input() {
	local f rc start
	mkfifo "$VB_TMP/fifo.json"
	truncate -s 200M "$VB_TMP/big.json"
	python3 -c "
import json, sys
run = {'score': 1.0, 'duration_s': 1, 'ops': 1}
json.dump({'schema': 'vbench-trace/1', 'platforms': [{'name': 'native', 'status': 'ok',
           'workloads': [{'name': 'cpu', 'runs': [run] * 100000}]}]}, open(sys.argv[1], 'w'))
" "$VB_TMP/runs.json"
	for f in "$VB_TMP/fifo.json" /dev/zero "$VB_TMP/big.json" "$VB_TMP/runs.json"; do
		for fmt in text html; do
			rc=0
			start=$(date +%s%N)
			timeout 20 "$VB" report --format $fmt "$f" >"$VB_TMP/out" 2>"$VB_TMP/err" || rc=$?
			echo "report $f ($fmt): exit $rc in $((($(date +%s%N) - start) / 1000000)) ms: $(cat "$VB_TMP/err")"
			[ "$rc" -eq 2 ] || fail "report $f exited $rc, want 2 (124: it hung)"
			[ "$(wc -l <"$VB_TMP/err")" -eq 1 ] || fail "report $f: want one error line"
			[ ! -s "$VB_TMP/out" ] || fail "report $f printed a report anyway"
		done
	done
	grep -q 'big.json: 200 MiB is over the 64 MiB limit' <("$VB" report "$VB_TMP/big.json" 2>&1) ||
		fail "the size limit is not named"
	rc=0
	timeout 20 "$VB" compare "$VB_TMP/fifo.json" "$FIX/full.json" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 2 ] || fail "compare of a FIFO exited $rc, want 2"
}

# Output that cannot be written fails with one line, for compare as for report.
test_compare_write_error_fails() {
	local rc=0
	"$VB" compare "$FIX/full.json" "$FIX/regressed.json" >/dev/full 2>"$VB_TMP/err" || rc=$?
	[ "$rc" -eq 1 ] || fail "compare > /dev/full exited $rc, want 1"
	[ "$(wc -l <"$VB_TMP/err")" -eq 1 ] || fail "compare > /dev/full: want one error line: $(cat "$VB_TMP/err")"
	grep -q '^vbench-trace: compare: cannot write to stdout' "$VB_TMP/err" || fail "error not named: $(cat "$VB_TMP/err")"
	rc=0
	"$VB" report "$FIX/full.json" >/dev/full 2>"$VB_TMP/err" || rc=$?
	[ "$rc" -eq 1 ] || fail "report > /dev/full exited $rc, want 1"
}

# A document of one experiment: qemu's net with net=user (the baseline, 95
# MiB/s), net=tap (812) and native (1300), net=passt skipped.
write_experiment_doc() {
	python3 - "$1" <<'PY'
import json, sys
MIB = 1048576
def cell(mean, syscalls_per_mib):
    runs = []
    for i in range(3):
        s = mean * (1 + (i - 1) * 0.01)
        runs.append({"score": s, "duration_s": 10, "ops": s * 10, "bytes": s * 10 * MIB,
                     "probes": {"host": {"syscalls": {"total": syscalls_per_mib * mean * 10}}}})
    return [{"name": "net", "unit": "MiB/s", "higher_is_better": True, "runs": runs}]
doc = {"schema": "vbench-trace/1", "status": "complete", "started_at": "2026-12-02T10:00:00Z",
       "host": {"kernel": "Linux", "cpus": 2},
       "config": {"runs": 3, "duration_s": 10, "vary": [{"knob": "net", "values": ["user", "tap", "passt"]}]},
       "platforms": [
           {"name": "native", "status": "ok", "settings": {}, "workloads": cell(1300, 30)},
           {"name": "qemu", "status": "ok", "settings": {"net": "user"}, "workloads": cell(95, 1139)},
           {"name": "qemu[net=tap]", "status": "ok", "settings": {"net": "tap"},
            "variant": {"of": "qemu", "knob": "net", "value": "tap"}, "workloads": cell(812, 41)},
           {"name": "qemu[net=passt]", "status": "skipped", "reason": "libvirt refuses passt here",
            "settings": {"net": "passt"}, "variant": {"of": "qemu", "knob": "net", "value": "passt"},
            "workloads": []}]}
json.dump(doc, open(sys.argv[1], "w"))
PY
}

# Prints "colour first_row longest_run" for each hex colour given: the longest
# horizontal run of exactly that colour in the PNG and the row it starts on.
png_runs() {
	python3 tests/integration/png.py runs "$@"
}

test_report_experiment_bars_in_chromium() {
	local browser profile doc=$VB_TMP/experiment.json html=$VB_TMP/experiment.html
	browser=$(command -v chromium || command -v chromium-browser) ||
		fail "chromium is not installed (bash platforms/setup.sh packages installs it)"
	write_experiment_doc "$doc"
	"$VB" report --format html -o "$html" "$doc" || fail "report --format html exited $?"
	grep -q '<h2>Experiments</h2>' "$html" || fail "no Experiments section"
	grep -q 'gap closed: 60 % (58..61 %)' "$html" || fail "the share of the gap is not on the chart"
	grep -q 'skipped: libvirt refuses passt here' "$html" || fail "the skipped variant is not named"
	profile=$(mktemp -d "$VB_TMP/chromium.XXXXXX")
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
		--screenshot="$VB_TMP/experiment.png" --window-size=1200,3000 "file://$html" \
		>"$VB_TMP/chromium.log" 2>&1 || true
	[ -s "$VB_TMP/experiment.png" ] || fail "chromium wrote no screenshot: $(tail -3 "$VB_TMP/chromium.log")"
	# The chart's own colours (report_html.c EX_BASE, EX_VAR, EX_NATIVE): the
	# longest run of each is its bar; all on one scale, stacked in that order.
	png_runs "$VB_TMP/experiment.png" 8a97a8 7b4fa8 24466f >"$VB_TMP/runs.txt"
	cat "$VB_TMP/runs.txt"
	python3 - "$VB_TMP/runs.txt" <<'PY' || fail "the Experiments bars are not laid out on one scale: $(cat "$VB_TMP/runs.txt")"
import sys
bars = {c: (int(y), int(w)) for c, y, w in (l.split() for l in open(sys.argv[1]))}
(by, bw), (vy, vw), (ny, nw) = bars["8a97a8"], bars["7b4fa8"], bars["24466f"]
assert nw > 100, f"native's bar is {nw} px wide"
assert abs(bw / nw - 95 / 1300) < 0.02, f"baseline/native {bw / nw:.3f}, want {95 / 1300:.3f}"
assert abs(vw / nw - 812 / 1300) < 0.02, f"variant/native {vw / nw:.3f}, want {812 / 1300:.3f}"
assert 0 < by < vy < ny, f"rows out of order: baseline {by}, variant {vy}, native {ny}"
PY
}
