# vbench-trace run: the plan, the results document, usage errors, Ctrl-C.

# Every bad input: exit 2, one "vbench-trace:" line on stderr, no files.
test_run_usage_errors() {
	local out=$VB_TMP/usage
	local cases=(
		"-p bogus"
		"-w cpu,bogus"
		"-d -1"
		"-d abc"
		"-r 0"
		"-r x"
		"--net-server 127.0.0.1:1"
		"--frobnicate"
		"-w mem:bufer-size=1M"
		"-w mem:duration=3"
		"-w mem:block-size=3"
		"-w bogus:x=1"
		"-p native --vary storage=layer,volume"
		"-p docker --vary storage=layer"
		"-p docker --vary storage=layer,layer"
		"-p docker --vary storage=layer,bogus"
		"-p docker --vary storage"
		"-p docker --vary nope=1,2"
		"-p docker --docker-volume --vary storage=layer,volume"
		"-p docker -O storage=volume --vary storage=layer,volume"
	)
	for c in "${cases[@]}"; do
		rc=0
		# shellcheck disable=SC2086
		$VB run $c -o "$out" >"$VB_TMP/stdout" 2>"$VB_TMP/stderr" || rc=$?
		[ "$rc" = 2 ] || fail "run $c: exit $rc, want 2"
		[ "$(wc -l <"$VB_TMP/stderr")" = 1 ] || fail "run $c: want one line on stderr, got: $(cat "$VB_TMP/stderr")"
		grep -q '^vbench-trace: ' "$VB_TMP/stderr" || fail "run $c: stderr does not start with vbench-trace:"
		[ ! -e "$out" ] || fail "run $c left $out behind"
	done
	rc=0
	$VB run -p native -w cpu -o /proc/vbench-no-such-dir 2>"$VB_TMP/stderr" || rc=$?
	[ "$rc" = 2 ] || fail "unwritable -o: exit $rc, want 2"
	grep -q 'cannot write results' "$VB_TMP/stderr" || fail "unwritable -o: $(cat "$VB_TMP/stderr")"
	rc=0
	echo '{"hello": 1}' >"$VB_TMP/notdoc.json"
	$VB report "$VB_TMP/notdoc.json" 2>"$VB_TMP/stderr" || rc=$?
	[ "$rc" = 2 ] || fail "report of a non-document: exit $rc, want 2"
	grep -q 'not a vbench-trace results document' "$VB_TMP/stderr" || fail "report: $(cat "$VB_TMP/stderr")"
}

# --vary names the platforms that have the knob when none selected does.
test_run_vary_names_the_platforms() {
	local rc=0
	$VB run -p native --vary storage=layer,volume -o "$VB_TMP/v" 2>"$VB_TMP/stderr" || rc=$?
	[ "$rc" = 2 ] || fail "exit $rc, want 2"
	grep -q "it is docker's: add -p docker" "$VB_TMP/stderr" || fail "$(cat "$VB_TMP/stderr")"
}

# --vary: the platform's own entry runs the first value, each further value
# is an entry of its own named PLATFORM[KNOB=VALUE] with only that change and
# the workloads the knob bears on; platforms without the knob run once; the
# workload's options from -w reach the agent and the config.
test_run_vary_entries_and_workload_options() {
	docker info >/dev/null 2>&1 || { echo "    SKIP: no Docker daemon"; return 0; }
	local out=$VB_TMP/vary
	$VB run -p native,docker -w mem:buffer-size=32M,diskrand --vary storage=layer,volume \
		--quick -r 1 -o "$out" >/dev/null 2>"$VB_TMP/err" || fail "run: $(cat "$VB_TMP/err")"
	assert_py "$out/results.json" '[p["name"] for p in d["platforms"]] == ["native", "docker", "docker[storage=volume]"]'
	assert_py "$out/results.json" 'd["platforms"][2]["variant"] == {"of": "docker", "knob": "storage", "value": "volume"}'
	assert_py "$out/results.json" '[p["settings"].get("storage") for p in d["platforms"]] == [None, "layer", "volume"]'
	assert_py "$out/results.json" '[w["name"] for w in d["platforms"][2]["workloads"]] == ["diskrand"]'
	assert_py "$out/results.json" 'all(w["status"] == "ok" for p in d["platforms"] for w in p["workloads"])'
	assert_py "$out/results.json" 'd["config"]["vary"] == [{"knob": "storage", "values": ["layer", "volume"]}]'
	assert_py "$out/results.json" 'd["config"]["workload_options"] == {"mem": "--buffer-size 32M"}'
	# A fresh 32 MiB buffer each run: its pages are faulted in, and the agent says its size.
	assert_py "$out/results.json" 'all(w["runs"][0]["extra"]["buffer_size"] == 32 << 20 for p in d["platforms"][:2] for w in p["workloads"] if w["name"] == "mem")'
	# vs_native compares with native's own entry, the variant included.
	assert_py "$out/results.json" '"vs_native" in d["platforms"][2]["workloads"][0]'
}

# Without root (or CAP_BPF + CAP_PERFMON), run stops before any work and names --no-trace.
test_run_without_privileges() {
	local out
	# Somewhere nobody can reach: $VB_TMP itself is root's alone.
	out=$(mktemp -d /tmp/vbench-unpriv.XXXXXX)
	chmod 777 "$out"
	trap 'rm -rf "$out"' RETURN
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		$VB run -p native -w cpu --quick -o "$out/r" 2>"$VB_TMP/stderr" || rc=$?
	[ "$rc" = 2 ] || fail "unprivileged run: exit $rc, want 2"
	grep -q -- '--no-trace' "$VB_TMP/stderr" || fail "no mention of --no-trace: $(cat "$VB_TMP/stderr")"
	[ ! -e "$out/r" ] || fail "unprivileged run left files"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		$VB run -p native -w cpu --quick -r 1 --no-trace -o "$out/r" >/dev/null 2>&1 ||
		fail "--no-trace run as nobody failed"
	assert_py "$out/r/results.json" 'd["platforms"][0]["workloads"][0]["status"] == "ok"'
}

# Every workload, natively, in --quick, with probes: a complete document.
test_run_native_all_quick() {
	local out=$VB_TMP/native
	$VB run -p native -w all --quick -o "$out" >"$VB_TMP/table" 2>"$VB_TMP/stderr" ||
		{ cat "$VB_TMP/stderr"; fail "run failed"; }
	assert_py "$out/results.json" 'd["schema"] == "vbench-trace/1" and d["status"] == "complete"'
	assert_py "$out/results.json" '[w["name"] for w in d["platforms"][0]["workloads"]] == ["cpu","mem","diskrand","diskseq","fork","net"]'
	assert_py "$out/results.json" 'all(w["status"] == "ok" and len(w["runs"]) == 3 and w["stats"]["n"] == 3 for w in d["platforms"][0]["workloads"])'
	assert_py "$out/results.json" 'all(abs(w["vs_native"] - 1) < 1e-9 for w in d["platforms"][0]["workloads"])'
	assert_py "$out/results.json" 'all(r["score"] > 0 and r["ops"] > 0 and "minflt" in r["rusage"] for w in d["platforms"][0]["workloads"] for r in w["runs"])'
	assert_py "$out/results.json" 'all(w["stats"]["ci95_low"] <= w["stats"]["mean"] <= w["stats"]["ci95_high"] for w in d["platforms"][0]["workloads"])'
	for f in report.md report.html; do
		[ -s "$out/$f" ] || fail "$f missing"
	done
	grep -q 'cpu' "$VB_TMP/table" || fail "the table does not name cpu"
	$VB report "$out/results.json" >"$VB_TMP/again" || fail "report failed"
	grep -q 'fork' "$VB_TMP/again" || fail "report does not name fork"
	cp "$out/results.json" "$VB_TMP/native-results.json"
}

# The fork probe counts exactly the forks the workload reports, run by run.
test_run_fork_probe_exact() {
	local out=$VB_TMP/fork
	$VB run -p native -w fork -r 3 -d 0.5 -o "$out" >/dev/null 2>&1 || fail "run failed"
	assert_py "$out/results.json" 'all(r["probes"]["host"]["forks"] == r["ops"] for r in d["platforms"][0]["workloads"][0]["runs"])'
	assert_py "$out/results.json" 'all(r["probes"]["host"]["clone_syscalls"] == r["ops"] for r in d["platforms"][0]["workloads"][0]["runs"])'
}

# --json prints the document on stdout.
test_run_json_stdout() {
	$VB run -p native -w cpu -r 1 -d 0.3 --json -o "$VB_TMP/j" >"$VB_TMP/doc.json" 2>/dev/null ||
		fail "run --json failed"
	assert_py "$VB_TMP/doc.json" 'd["schema"] == "vbench-trace/1" and d["platforms"][0]["workloads"][0]["runs"][0]["score"] > 0'
}

# Ctrl-C in the middle: an interrupted document, nothing of ours left running or loaded.
test_run_interrupt_leaves_nothing() {
	local out=$VB_TMP/intr before
	before=$(bpf_prog_count)
	$VB run -p native -w cpu,fork -r 5 -d 2 -o "$out" >/dev/null 2>&1 &
	local pid=$!
	sleep 4
	local agents
	agents=$(pgrep -P $pid -f vbench-trace-agent || true)
	[ -n "$agents" ] || fail "no agent was running under the tool"
	kill -INT $pid
	rc=0
	wait $pid || rc=$?
	[ "$rc" = 130 ] || fail "interrupted run: exit $rc, want 130"
	assert_py "$out/results.json" 'd["status"] == "interrupted"'
	wait_until 3 "the BPF program count back to $before" bpf_prog_count_is "$before" ||
		fail "BPF programs before $before, after $(bpf_prog_count)"
	for a in $agents; do
		! kill -0 "$a" 2>/dev/null || fail "agent $a is still running"
	done
}

# A platform this machine cannot reach is skipped with its reason; exit 0.
test_run_unreachable_platform_is_skipped() {
	local out=$VB_TMP/skip
	$VB run -p qemu -w cpu --quick --no-trace --libvirt-uri 'qemu+unix:///system?socket=/nonexistent' \
		-o "$out" >/dev/null 2>&1 || fail "run with an unreachable libvirt did not exit 0"
	assert_py "$out/results.json" 'd["platforms"][0]["status"] == "skipped" and len(d["platforms"][0]["reason"]) > 10'
}

# docker and qemu run every workload in --quick; the guest's own probes count
# exactly the forks the guest workload reports; host probes follow the
# container and the QEMU process.
test_run_docker_qemu_all_quick() {
	local out=$VB_TMP/dq pid rc=0
	$VB run -p docker,qemu -w all --quick -o "$out" >/dev/null 2>"$VB_TMP/stderr" &
	pid=$!
	wait $pid || rc=$?
	[ "$rc" = 0 ] || { tail -20 "$VB_TMP/stderr"; fail "run -p docker,qemu failed"; }
	assert_py "$out/results.json" '[p["name"] for p in d["platforms"]] == ["docker", "qemu"]'
	assert_py "$out/results.json" 'all(w["status"] == "ok" and len(w["runs"]) == 3 for p in d["platforms"] for w in p["workloads"])'
	assert_py "$out/results.json" 'all(len(p["workloads"]) == 6 for p in d["platforms"])'
	# docker: the container's tree is traced from the host.
	assert_py "$out/results.json" 'all(r["probes"]["host"]["forks"] == r["ops"] for w in d["platforms"][0]["workloads"] if w["name"] == "fork" for r in w["runs"])'
	# qemu: the guest kernel counts the guest's forks; the host sees QEMU's threads, not them.
	assert_py "$out/results.json" 'all(r["probes"]["guest"]["forks"] == r["ops"] for w in d["platforms"][1]["workloads"] if w["name"] == "fork" for r in w["runs"])'
	assert_py "$out/results.json" 'all(r["probes"]["host"]["syscalls"]["total"] > 0 for w in d["platforms"][1]["workloads"] for r in w["runs"])'
	# The guest's disk reads reach the guest's block layer (virtio-blk, O_DIRECT).
	assert_py "$out/results.json" 'all(r["probes"]["guest"]["block"]["reads"] > 0 for w in d["platforms"][1]["workloads"] if w["name"] == "diskrand" for r in w["runs"])'
	# Ours only: other runs on this machine may have theirs.
	! virsh -c qemu:///system list --name | grep -q "^vbench-trace-$pid-" || fail "a domain is left"
	[ -z "$(docker ps -aq --filter label=vbench-trace.pid=$pid)" ] || fail "a container is left"
}

# Ctrl-C while a guest cell runs: an interrupted document, no domain, no BPF program left.
test_run_interrupt_guest_cell() {
	local out=$VB_TMP/gintr before
	before=$(bpf_prog_count)
	$VB run -p qemu -w cpu -r 5 -d 2 -o "$out" >/dev/null 2>&1 &
	local pid=$!
	# Past the boot, into the runs.
	for _ in $(seq 1 60); do
		virsh -c qemu:///system list --name | grep -q '^vbench-trace-' && break
		sleep 0.5
	done
	sleep 8
	kill -INT $pid
	rc=0
	wait $pid || rc=$?
	[ "$rc" = 130 ] || fail "interrupted run: exit $rc, want 130"
	assert_py "$out/results.json" 'd["status"] == "interrupted"'
	sleep 1
	! virsh -c qemu:///system list --name | grep -q "^vbench-trace-$pid-" || fail "the domain is left"
	wait_until 3 "the BPF program count back to $before" bpf_prog_count_is "$before" ||
		fail "BPF programs before $before, after $(bpf_prog_count)"
}

# --runs auto repeats a cell until its CV is below 2 % or 10 runs.
test_run_runs_auto() {
	local out=$VB_TMP/auto
	$VB run -p native -w cpu -r auto -d 0.3 --no-trace -o "$out" >/dev/null 2>&1 || fail "run -r auto failed"
	assert_py "$out/results.json" 'd["config"]["runs"] == "auto"'
	assert_py "$out/results.json" '3 <= d["platforms"][0]["workloads"][0]["stats"]["n"] <= 10'
	assert_py "$out/results.json" 'd["platforms"][0]["workloads"][0]["stats"]["n"] == 10 or d["platforms"][0]["workloads"][0]["stats"]["cv"] < 0.02'
}

# Progress: plain log lines off a terminal, one updating line on a terminal.
test_run_progress_lines() {
	$VB run -p native -w cpu,fork -r 2 -d 0.3 --no-trace -o "$VB_TMP/prog" >/dev/null \
		2>"$VB_TMP/stderr" || fail "run failed"
	grep -q '^vbench-trace: \[1/2\] native cpu warm-up (elapsed 0:0[0-9], remaining ~' "$VB_TMP/stderr" ||
		fail "no plain progress line for the first cell: $(head -3 "$VB_TMP/stderr")"
	grep -q '^vbench-trace: \[2/2\] native fork run 2/2 ' "$VB_TMP/stderr" ||
		fail "no progress line for the last run"
	# On a terminal: carriage return and erase-line, no newline per run.
	script -qec "$VB run -p native -w cpu -r 2 -d 0.3 --no-trace -o $VB_TMP/prog-tty >/dev/null" \
		/dev/null >"$VB_TMP/tty" 2>&1 || fail "run on a terminal failed"
	grep -q $'\r\033\[K\[1/1\] native cpu run 2/2' "$VB_TMP/tty" || fail "no updating progress line on a terminal"
	! grep -q '^vbench-trace: \[1/1\]' "$VB_TMP/tty" || fail "log lines on a terminal"
}

# Every numeric option out of its range: exit 2, one line naming the range,
# no files; the bounds themselves are accepted.
test_run_option_ranges() {
	local out=$VB_TMP/ranges c want rc
	local cases=(
		"-d 1e9|0.001 to 86400"
		"-d 86401|0.001 to 86400"
		"-d 0.0009|0.001 to 86400"
		"-d nan|0.001 to 86400"
		"-d inf|0.001 to 86400"
		"-r 1001|1 to 1000"
		"-r 99999999999999999999|1 to 1000"
		"--disk-size 1023k|1M to 1024G"
		"--disk-size 1025G|1M to 1024G"
		"--disk-size 99999999999999999999G|1M to 1024G"
		"--disk-size 1.5G|1M to 1024G"
		"--net-server 127.0.0.1:65536|1 to 65535"
		"--net-server 127.0.0.1:0|1 to 65535"
	)
	for c in "${cases[@]}"; do
		want=${c#*|}
		c=${c%|*}
		rc=0
		# shellcheck disable=SC2086
		run_deadline 30 "$VB" run -p native -w cpu --no-trace $c -o "$out" >/dev/null 2>"$VB_TMP/stderr" || rc=$?
		[ "$rc" = 2 ] || fail "run $c: exit $rc, want 2"
		[ "$(wc -l <"$VB_TMP/stderr")" = 1 ] || fail "run $c: want one line, got: $(cat "$VB_TMP/stderr")"
		grep -qF "$want" "$VB_TMP/stderr" || fail "run $c: the message does not say '$want': $(cat "$VB_TMP/stderr")"
		[ ! -e "$out" ] || fail "run $c left $out behind"
	done
	run_deadline 60 "$VB" run -p native -w cpu --no-trace -r 1 -d 0.001 --disk-size 1024G -o "$out" \
		>/dev/null 2>"$VB_TMP/stderr" || fail "the bounds were refused: $(cat "$VB_TMP/stderr")"
	assert_py "$out/results.json" 'd["config"]["duration_s"] == 0.001 and d["config"]["disk_file_bytes"] == 1024 << 30'
}

# Links planted in a shared output directory, at the names the writers used
# to write through and at the final names: their target is left untouched and
# the outputs are files of their own. -o given a link to a directory, or a
# directory of another user, is refused before anything runs.
test_run_output_symlinks() {
	local out=$VB_TMP/shared victim=$VB_TMP/victim name rc
	mkdir -p "$out" "$VB_TMP/elsewhere"
	echo precious >"$victim"
	for name in report.md.tmp report.html.tmp results.json report.md report.html; do
		ln -s "$victim" "$out/$name"
	done
	run_deadline 60 "$VB" run -p native -w cpu -r 1 -d 0.2 --no-trace -o "$out" >/dev/null 2>"$VB_TMP/stderr" ||
		fail "run into a directory with planted links failed: $(cat "$VB_TMP/stderr")"
	[ "$(cat "$victim")" = precious ] || fail "the link's target was written"
	for name in results.json report.md report.html; do
		[ -f "$out/$name" ] && [ ! -L "$out/$name" ] || fail "$name is not a file of its own"
	done
	[ -z "$(find "$out" -name '.*.tmp')" ] || fail "temporaries left: $(ls -A "$out")"
	run_deadline 30 "$VB" report --format md -o "$out/report.md.tmp" "$out/results.json" ||
		fail "report -o over a link failed"
	[ "$(cat "$victim")" = precious ] || fail "report -o wrote through a link"
	# -o a link to a directory: refused, nothing written where it points.
	ln -s "$VB_TMP/elsewhere" "$VB_TMP/outlink"
	rc=0
	run_deadline 30 "$VB" run -p native -w cpu -r 1 -d 0.2 --no-trace -o "$VB_TMP/outlink" >/dev/null 2>"$VB_TMP/stderr" || rc=$?
	[ "$rc" = 2 ] || fail "-o a link: exit $rc, want 2"
	grep -q 'symbolic link' "$VB_TMP/stderr" || fail "-o a link: $(cat "$VB_TMP/stderr")"
	[ -z "$(ls -A "$VB_TMP/elsewhere")" ] || fail "files written through the link: $(ls -A "$VB_TMP/elsewhere")"
	# Another user's directory.
	mkdir "$VB_TMP/theirs"
	chown 65534:65534 "$VB_TMP/theirs"
	rc=0
	run_deadline 30 "$VB" run -p native -w cpu -r 1 -d 0.2 --no-trace -o "$VB_TMP/theirs" >/dev/null 2>"$VB_TMP/stderr" || rc=$?
	[ "$rc" = 2 ] || fail "-o another user's directory: exit $rc, want 2"
	grep -q 'not to you or root' "$VB_TMP/stderr" || fail "-o theirs: $(cat "$VB_TMP/stderr")"
}

# The output filesystem full: the run names the file it could not write and
# why, exits 1, lists no file it did not write, and the checkpoint it left
# does not say "interrupted"; no temporary is left taking space.
test_run_disk_full() {
	local mnt=$VB_TMP/full rc=0
	mkdir -p "$mnt"
	mount -t tmpfs -o size=64K vbench-full "$mnt"
	on_exit umount "$mnt"
	# Full, then one page free: room for a checkpoint, not for the end.
	dd if=/dev/zero of="$mnt/filler" bs=4096 2>/dev/null || true
	truncate -s -4096 "$mnt/filler"
	run_deadline 60 "$VB" run -p native -w cpu -r 1 -d 0.2 --no-trace -o "$mnt/out" >/dev/null 2>"$VB_TMP/stderr" || rc=$?
	[ "$rc" = 1 ] || fail "run on a full filesystem: exit $rc, want 1"
	grep -q "$mnt/out/results.json: No space left on device" "$VB_TMP/stderr" ||
		fail "no message naming results.json and ENOSPC: $(cat "$VB_TMP/stderr")"
	! grep -q 'results in' "$VB_TMP/stderr" || fail "it says results were written: $(grep 'results in' "$VB_TMP/stderr")"
	grep -q 'no results written' "$VB_TMP/stderr" || fail "it does not say nothing was written"
	[ -f "$mnt/out/results.json" ] || fail "the checkpoint of the first cell was not kept"
	assert_py "$mnt/out/results.json" 'd["status"] == "incomplete"'
	[ "$(ls -A "$mnt/out")" = results.json ] || fail "left in the output directory: $(ls -A "$mnt/out")"
	# Nothing free at all: no file, the same message.
	rm -rf "$mnt/out"
	dd if=/dev/zero of="$mnt/filler2" bs=4096 2>/dev/null || true
	rc=0
	run_deadline 60 "$VB" run -p native -w cpu -r 1 -d 0.2 --no-trace -o "$mnt/out" >/dev/null 2>"$VB_TMP/stderr" || rc=$?
	[ "$rc" = 1 ] || fail "run on a full filesystem: exit $rc, want 1"
	grep -q "results.json: No space left on device" "$VB_TMP/stderr" || fail "$(cat "$VB_TMP/stderr")"
	[ -z "$(ls -A "$mnt/out")" ] || fail "left in the output directory: $(ls -A "$mnt/out")"
}

# The scratch directory whose owner file names pid $1, or nothing.
scratch_of() {
	local f
	for f in /var/tmp/vbench-trace.??????/.owner; do
		[ -f "$f" ] && [ "$(cut -d' ' -f1 "$f")" = "$1" ] && dirname "$f"
	done
	return 0
}

has_scratch() {
	[ -n "$(scratch_of "$1")" ]
}

# A run killed with SIGKILL leaves its scratch directory; the next run
# removes it, and leaves that of a run still going.
test_run_sweeps_scratch_of_killed_runs() {
	local live killed dead_dir live_dir
	spawn "$VB" run -p native -w cpu -r 30 -d 1 --no-trace -o "$VB_TMP/live" >/dev/null 2>&1
	live=$SPAWNED
	spawn "$VB" run -p native -w cpu -r 30 -d 1 --no-trace -o "$VB_TMP/killed" >/dev/null 2>&1
	killed=$SPAWNED
	wait_until 30 "the live run's scratch directory" has_scratch "$live"
	wait_until 30 "the killed run's scratch directory" has_scratch "$killed"
	live_dir=$(scratch_of "$live")
	dead_dir=$(scratch_of "$killed")
	# The tool and its agent, as an OOM kill or a lost session would.
	kill -KILL -- "-$killed"
	wait_pid_deadline "$killed" 10 "the killed run" || true
	[ -d "$dead_dir" ] || fail "$dead_dir went with its run: the test shows nothing"
	run_deadline 60 "$VB" run -p native -w cpu -r 1 -d 0.1 --no-trace -o "$VB_TMP/next" >/dev/null 2>"$VB_TMP/stderr" ||
		fail "the next run failed: $(cat "$VB_TMP/stderr")"
	[ ! -e "$dead_dir" ] || fail "$dead_dir of the killed run is still there"
	[ -d "$live_dir" ] || fail "$live_dir of the live run was removed"
	kill_tree "$live"
	[ ! -e "$live_dir" ] || fail "the live run did not remove its own $live_dir when it ended"
}

# A platform whose every cell failed is "failed", its cells carry no stats,
# the document is still complete, and every report format renders it.
test_run_every_cell_failed() {
	local out=$VB_TMP/allfail port rc=0
	# A peer on loopback that closes every connection at once: the net cell fails.
	spawn python3 -c '
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    s.accept()[0].close()
' "$VB_TMP/closer.port"
	wait_until 10 "the closing peer's port" test -s "$VB_TMP/closer.port"
	port=$(cat "$VB_TMP/closer.port")
	run_deadline 120 "$VB" run -p native -w net -r 2 -d 0.2 --no-trace --net-server "127.0.0.1:$port" \
		-o "$out" >/dev/null 2>"$VB_TMP/stderr" || rc=$?
	[ "$rc" = 1 ] || fail "a run whose every cell failed: exit $rc, want 1"
	assert_py "$out/results.json" 'd["status"] == "complete"'
	assert_py "$out/results.json" 'd["platforms"][0]["status"] == "failed" and "every cell failed" in d["platforms"][0]["reason"]'
	assert_py "$out/results.json" 'all(w["status"] == "failed" and "stats" not in w and "vs_native" not in w for w in d["platforms"][0]["workloads"])'
	for f in text md html csv json; do
		run_deadline 30 "$VB" report --format "$f" "$out/results.json" >"$VB_TMP/rep.$f" ||
			fail "report --format $f of a failed platform failed"
		grep -q failed "$VB_TMP/rep.$f" || fail "report --format $f does not say failed"
	done
}

# Ctrl-C while the probes are being unloaded, after every cell finished:
# nothing is missing, so the document says "complete" (gdb stops the tool
# at probes_close and delivers SIGINT there).
test_run_sigint_in_teardown_is_complete() {
	local out=$VB_TMP/lateint
	command -v gdb >/dev/null || { echo "    note: no gdb; skipped"; return 0; }
	run_deadline 120 gdb -q -batch -ex 'set pagination off' -ex 'handle SIGINT nostop noprint pass' \
		-ex 'break probes_close' -ex run -ex delete -ex 'signal SIGINT' -ex 'print $_exitcode' \
		--args "$VB" run -p native -w cpu -r 1 -d 0.2 -o "$out" >"$VB_TMP/gdb.out" 2>&1 ||
		fail "gdb failed: $(tail -5 "$VB_TMP/gdb.out")"
	grep -q 'Breakpoint 1' "$VB_TMP/gdb.out" || fail "the tool never reached probes_close: $(tail -5 "$VB_TMP/gdb.out")"
	grep -q '^\$1 = 0$' "$VB_TMP/gdb.out" || fail "exit status: $(grep '^\$1' "$VB_TMP/gdb.out")"
	assert_py "$out/results.json" 'd["status"] == "complete" and d["platforms"][0]["workloads"][0]["status"] == "ok"'
	! grep -q 'missing' "$out/report.md" || fail "report.md says cells are missing"
}

# The native agent stopped (SIGSTOP) for a few seconds inside a 2 s run: that
# run is marked invalid with its reason, left out of the statistics, run
# again once (rerun: true), and every report warns of it.
test_run_stalled_run_is_invalid() {
	local out=$VB_TMP/stall run agent
	spawn "$VB" run -p native -w cpu -r 3 -d 2 --no-trace -o "$out" >/dev/null 2>"$VB_TMP/stderr"
	run=$SPAWNED
	wait_until 30 "run 1 of the cell" grep -q 'native cpu run 1/3' "$VB_TMP/stderr"
	agent=$(pgrep -P "$run" -f vbench-trace-agent)
	[ -n "$agent" ] || fail "no agent under the tool"
	sleep 0.3
	kill -STOP "$agent"
	sleep 5
	kill -CONT "$agent"
	wait_pid_deadline "$run" 60 "the run with a stalled agent" || fail "the run failed: $(cat "$VB_TMP/stderr")"
	grep -q 'is invalid: the timed part took' "$VB_TMP/stderr" || fail "no warning on stderr: $(cat "$VB_TMP/stderr")"
	assert_py "$out/results.json" 'd["status"] == "complete"'
	assert_py "$out/results.json" '[r.get("valid", True) for r in d["platforms"][0]["workloads"][0]["runs"]].count(False) == 1'
	assert_py "$out/results.json" 'all(r["duration_s"] > 4 and "2 s asked" in r["invalid_reason"] for r in d["platforms"][0]["workloads"][0]["runs"] if r.get("valid") is False)'
	# The rerun follows the invalid run; the statistics hold the 3 valid runs.
	assert_py "$out/results.json" '[i for i, r in enumerate(d["platforms"][0]["workloads"][0]["runs"]) if r.get("rerun")] == [1 + [i for i, r in enumerate(d["platforms"][0]["workloads"][0]["runs"]) if r.get("valid") is False][0]]'
	assert_py "$out/results.json" 'len(d["platforms"][0]["workloads"][0]["runs"]) == 4 and d["platforms"][0]["workloads"][0]["stats"]["n"] == 3'
	assert_py "$out/results.json" 'd["platforms"][0]["workloads"][0]["stats"]["cv"] < 0.5'
	grep -q 'left out of every statistic' "$out/report.md" || fail "report.md has no warning"
	grep -q 'left out of every statistic' "$out/report.html" || fail "report.html has no warning"
	run_deadline 30 "$VB" report "$out/results.json" | grep -q 'left out of every statistic' || fail "the text report has no warning"
}
