# The knobs of the drivers whose agent runs on the host's kernel: thp
# (native, docker) set in the real sysfs for the platform's cells and put
# back after a normal end, Ctrl-C and SIGKILL (then by the next run), with
# its effect on the page faults of a 256 MiB buffer; docker's net=host seen
# by docker inspect and scored by the net cell; doctor's listing of both.

THP=/sys/kernel/mm/transparent_hugepage/enabled
THP_STATE=/var/cache/vbench-trace/host-thp.state

knobs_skip() {
	echo "    SKIP: $*"
}

# The selected mode of the enabled file: "madvise" of "always [madvise] never".
thp_mode() {
	sed -n 's/.*\[\(.*\)\].*/\1/p' "$THP"
}

# Skips unless this machine can set THP; then THP_ORIG is the host's mode,
# THP_OTHER a mode other than it (the one a test sets), and the test puts
# the host's mode back however it ends.
thp_ready() {
	[ -w "$THP" ] || { knobs_skip "$THP is missing or read-only"; return 1; }
	[ ! -e "$THP_STATE" ] || { knobs_skip "$THP_STATE exists: a run holds THP"; return 1; }
	THP_ORIG=$(thp_mode)
	[ -n "$THP_ORIG" ] || fail "no selected mode in $THP: $(cat "$THP")"
	if [ "$THP_ORIG" = never ]; then THP_OTHER=always; else THP_OTHER=never; fi
	on_exit "echo $THP_ORIG >$THP; rm -f $THP_STATE"
}

thp_is() {
	[ "$(thp_mode)" = "$1" ]
}

# FAULTS: faults per MiB of the mem workload over a fresh 256 MiB buffer,
# run directly (the tool's cells run mem with its default block alone).
mem_faults_per_mib() {
	run_deadline 60 "$VB" workload mem --buffer-size 256M --duration 1 >"$VB_TMP/mem.json" ||
		fail "workload mem failed"
	FAULTS=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rusage"]["minflt"] / 256)' \
		"$VB_TMP/mem.json")
}

# A native run holds thp=MODE (-r 3 -d 2: about 8 s of cells); the mode is
# in sysfs while it runs, the mem workload's faults per MiB under it go to
# FAULTS, and the host's mode is back once it ends. (Not in a $(...): a
# subshell would not run the on_exit handlers spawn registers.)
thp_faults_under() {
	local mode=$1 out=$VB_TMP/thp-$1 tool rc=0
	spawn "$VB" run -p native -w cpu -r 3 -d 2 --no-trace -O "thp=$mode" -o "$out" \
		>/dev/null 2>"$VB_TMP/err-$mode"
	tool=$SPAWNED
	wait_until 30 "thp=$mode in $THP" thp_is "$mode" || { cat "$VB_TMP/err-$mode"; return 1; }
	mem_faults_per_mib
	thp_is "$mode" || fail "the mode changed during the run: $(cat "$THP")"
	wait_pid_deadline "$tool" 120 "the thp=$mode run" || rc=$?
	[ "$rc" = 0 ] || fail "run -O thp=$mode exited $rc: $(cat "$VB_TMP/err-$mode")"
	assert_py "$out/results.json" "d['config']['platform_options']['thp'] == '$mode'"
	assert_py "$out/results.json" "d['config']['host_thp']['enabled'] == '$THP_ORIG'"
	thp_is "$THP_ORIG" || fail "after thp=$mode the host has $(thp_mode), not $THP_ORIG"
}

# Each value is in sysfs while the cells run and the host's mode comes back;
# a 256 MiB buffer faults at least 10x less per MiB under always than never.
test_knobs_host_thp_in_effect_and_restored() {
	thp_ready || return 0
	if ! grep -qw always "$THP" || ! grep -qw never "$THP"; then
		knobs_skip "this kernel does not offer both always and never: $(cat "$THP")"
		return 0
	fi
	local always never
	thp_faults_under always
	always=$FAULTS
	thp_faults_under never
	never=$FAULTS
	echo "    faults per MiB of a 256 MiB buffer: thp=always $always, thp=never $never"
	python3 -c 'import sys; a, n = map(float, sys.argv[1:]); sys.exit(0 if n >= 10 * max(a, 0.1) else 1)' \
		"$always" "$never" || fail "thp=never gave $never faults/MiB, thp=always $always: not 10x apart"
	[ ! -e "$THP_STATE" ] || fail "the state file is left: $(cat "$THP_STATE")"
}

# The default leaves the host's mode alone and writes no state file.
test_knobs_host_thp_default_leaves_host() {
	thp_ready || return 0
	local out=$VB_TMP/thp-host
	run_deadline 60 "$VB" run -p native -w cpu -r 1 -d 0.5 --no-trace -o "$out" >/dev/null 2>"$VB_TMP/err" ||
		fail "run failed: $(cat "$VB_TMP/err")"
	assert_py "$out/results.json" "d['config']['platform_options']['thp'] == 'host'"
	thp_is "$THP_ORIG" || fail "thp=host changed the host's mode to $(thp_mode)"
	[ ! -e "$THP_STATE" ] || fail "thp=host left a state file"
}

# Ctrl-C mid-cell: the run ends interrupted and the host's mode is back.
test_knobs_host_thp_restored_after_sigint() {
	thp_ready || return 0
	local out=$VB_TMP/thp-int tool rc=0
	spawn "$VB" run -p native -w cpu -r 5 -d 2 --no-trace -O "thp=$THP_OTHER" -o "$out" \
		>/dev/null 2>"$VB_TMP/err"
	tool=$SPAWNED
	wait_until 30 "thp=$THP_OTHER in $THP" thp_is "$THP_OTHER" || { cat "$VB_TMP/err"; return 1; }
	[ -e "$THP_STATE" ] || fail "no state file while the run holds thp=$THP_OTHER"
	sleep 1
	kill -INT "$tool"
	wait_pid_deadline "$tool" 60 "the interrupted run" || rc=$?
	[ "$rc" = 130 ] || fail "the interrupted run exited $rc, want 130: $(cat "$VB_TMP/err")"
	assert_py "$out/results.json" 'd["status"] == "interrupted"'
	thp_is "$THP_ORIG" || fail "after Ctrl-C the host has $(thp_mode), not $THP_ORIG"
	[ ! -e "$THP_STATE" ] || fail "the state file is left after Ctrl-C: $(cat "$THP_STATE")"
}

# SIGKILL mid-cell leaves the mode set and a state file naming the dead
# run; doctor names it, and the next run puts the mode back and says so.
test_knobs_host_thp_restored_by_next_run_after_sigkill() {
	thp_ready || return 0
	local out=$VB_TMP/thp-kill tool
	spawn "$VB" run -p native -w cpu -r 5 -d 2 --no-trace -O "thp=$THP_OTHER" -o "$out" \
		>/dev/null 2>"$VB_TMP/err"
	tool=$SPAWNED
	wait_until 30 "thp=$THP_OTHER in $THP" thp_is "$THP_OTHER" || { cat "$VB_TMP/err"; return 1; }
	sleep 1
	kill -KILL "$tool"
	wait_pid_deadline "$tool" 30 "the killed run" || true
	thp_is "$THP_OTHER" || fail "the killed run's mode is gone already: $(cat "$THP")"
	grep -q "^owner $tool " "$THP_STATE" || fail "the state file does not name the killed run $tool: $(cat "$THP_STATE" 2>&1)"
	grep -qx "enabled $THP_ORIG" "$THP_STATE" || fail "the state file does not keep $THP_ORIG: $(cat "$THP_STATE")"
	# doctor says so, and leaves it to the next run.
	run_deadline 120 "$VB" doctor >"$VB_TMP/doctor.txt" || true
	grep -Eq "^  MISSING +host THP +enabled $THP_OTHER, .*left set by a run that is gone \(pid $tool\): the host had '$THP_ORIG'" \
		"$VB_TMP/doctor.txt" || fail "doctor's host THP line: $(grep -A1 'host THP' "$VB_TMP/doctor.txt")"
	thp_is "$THP_OTHER" || fail "doctor changed the mode"
	run_deadline 60 "$VB" run -p native -w cpu -r 1 -d 0.2 --no-trace -o "$VB_TMP/thp-next" \
		>/dev/null 2>"$VB_TMP/err-next" || fail "the next run failed: $(cat "$VB_TMP/err-next")"
	thp_is "$THP_ORIG" || fail "the next run left $(thp_mode), not $THP_ORIG"
	[ ! -e "$THP_STATE" ] || fail "the next run left the state file"
	grep -q "a run that is gone (pid $tool) left transparent huge pages set; put back '$THP_ORIG'" \
		"$VB_TMP/err-next" || fail "the next run did not say what it put back: $(cat "$VB_TMP/err-next")"
}

# While one run holds THP another may not set it (it fails, naming the
# holder) and the holder's mode stays; thp=host runs alongside.
test_knobs_host_thp_one_holder() {
	thp_ready || return 0
	local tool rc=0 second
	if [ "$THP_OTHER" = never ]; then second=always; else second=never; fi
	spawn "$VB" run -p native -w cpu -r 3 -d 2 --no-trace -O "thp=$THP_OTHER" -o "$VB_TMP/thp-a" \
		>/dev/null 2>"$VB_TMP/err"
	tool=$SPAWNED
	wait_until 30 "thp=$THP_OTHER in $THP" thp_is "$THP_OTHER" || { cat "$VB_TMP/err"; return 1; }
	run_deadline 60 "$VB" run -p native -w cpu -r 1 -d 0.2 --no-trace -O "thp=$second" \
		-o "$VB_TMP/thp-b" >/dev/null 2>"$VB_TMP/err-b" || rc=$?
	[ "$rc" = 1 ] || fail "a second setter exited $rc, want 1: $(cat "$VB_TMP/err-b")"
	grep -q "another vbench-trace run (pid $tool) holds transparent huge pages" "$VB_TMP/err-b" ||
		fail "the second setter does not name the holder $tool: $(cat "$VB_TMP/err-b")"
	assert_py "$VB_TMP/thp-b/results.json" 'd["platforms"][0]["status"] == "failed"'
	thp_is "$THP_OTHER" || fail "the second setter changed the holder's mode to $(thp_mode)"
	wait_pid_deadline "$tool" 120 "the holding run" || fail "the holding run failed: $(cat "$VB_TMP/err")"
	thp_is "$THP_ORIG" || fail "after both runs the host has $(thp_mode), not $THP_ORIG"
}

# docker net=host and thp together: while the container runs it is on the
# host's network and the mode is set; the net cell scores over loopback;
# no container is left and the mode comes back.
test_knobs_host_docker_net_host_and_thp() {
	docker info >/dev/null 2>&1 || { knobs_skip "no Docker daemon"; return 0; }
	thp_ready || return 0
	local out=$VB_TMP/docker-net-host tool seen=$VB_TMP/seen rc=0 net
	: >"$seen"
	spawn "$VB" run -p docker -w net -r 2 -d 2 --no-trace -O net=host -O "thp=$THP_OTHER" -v \
		-o "$out" >/dev/null 2>"$VB_TMP/err"
	tool=$SPAWNED
	on_exit "docker ps -aq --filter label=vbench-trace.pid=$tool | xargs -r docker rm -f >/dev/null"
	while vb_alive "$tool"; do
		for c in $(docker ps -q --filter "label=vbench-trace.pid=$tool"); do
			# Nothing from a container removed in between.
			net=$(docker inspect -f '{{.HostConfig.NetworkMode}}' "$c" 2>/dev/null) || continue
			[ -z "$net" ] || echo "network=$net thp=$(thp_mode)" >>"$seen"
		done
		sleep 0.2
	done
	wait_pid_deadline "$tool" 120 "the docker run" || rc=$?
	[ "$rc" = 0 ] || fail "run -p docker -O net=host exited $rc: $(cat "$VB_TMP/err")"
	sort -u "$seen" -o "$seen"
	[ "$(cat "$seen")" = "network=host thp=$THP_OTHER" ] ||
		fail "while the container ran, want 'network=host thp=$THP_OTHER', saw: $(cat "$seen")"
	grep -q "RUN net .*--server 127.0.0.1:" "$VB_TMP/err" ||
		fail "the agent was not sent to 127.0.0.1: $(grep 'RUN net' "$VB_TMP/err")"
	assert_py "$out/results.json" 'd["platforms"][0]["workloads"][0]["status"] == "ok"'
	assert_py "$out/results.json" 'all(r["score"] > 0 and r["bytes"] > 0 for r in d["platforms"][0]["workloads"][0]["runs"])'
	assert_py "$out/results.json" 'd["config"]["platform_options"]["net"] == "host"'
	[ -z "$(docker ps -aq --filter "label=vbench-trace.pid=$tool")" ] || fail "the run left its container"
	thp_is "$THP_ORIG" || fail "after the docker run the host has $(thp_mode), not $THP_ORIG"
}

# doctor lists each knob with its default, the values this machine takes
# (for thp: those the kernel offers in a writable file) and why not the
# others; with a remote DOCKER_HOST docker's thp and net=host are not here,
# the reason naming DOCKER_HOST.
test_knobs_host_doctor_lists_knobs() {
	run_deadline 120 "$VB" doctor --json >"$VB_TMP/doctor.json" || true
	run_deadline 120 "$VB" doctor >"$VB_TMP/doctor.txt" || true
	python3 - "$VB_TMP/doctor.json" "$THP" <<'PY' || fail "doctor --json: $(grep -A12 '"option"' "$VB_TMP/doctor.json" | head -60)"
import json, os, sys
d = json.load(open(sys.argv[1]))
opts = {(c["option"]["platform"], c["option"]["name"]): c for c in d["checks"] if "option" in c}
try:
    kernel = open(sys.argv[2]).read().replace("[", " ").replace("]", " ").split()
    writable = os.access(sys.argv[2], os.W_OK)
except OSError:
    kernel, writable = [], False
for plat in ("native", "docker"):
    o = opts[(plat, "thp")]["option"]
    assert o["default"] == "host", o
    want = ["host"] + [m for m in ("always", "madvise", "never") if writable and m in kernel]
    assert o["supported"] == want, (plat, o["supported"], want)
    assert set(o["unsupported"]) == {"always", "madvise", "never"} - set(want), o
    assert all("thp=host" in why for why in o["unsupported"].values()), o
n = opts[("docker", "net")]["option"]
assert n["default"] == "bridge" and n["supported"] == ["bridge", "host"], n
PY
	grep -Eq '^  (ready|partly) +option native -O thp +default host; here: host' "$VB_TMP/doctor.txt" ||
		fail "doctor's text: $(grep -A2 'option native' "$VB_TMP/doctor.txt")"
	grep -Eq '^  ready +option docker -O net +default bridge; here: bridge host$' "$VB_TMP/doctor.txt" ||
		fail "doctor's text: $(grep -A2 'option docker -O net' "$VB_TMP/doctor.txt")"
	# Remote by its name, and nothing answers there: no packet leaves this host.
	DOCKER_HOST=tcp://0.0.0.0:1 run_deadline 120 "$VB" doctor --json >"$VB_TMP/doctor-remote.json" || true
	assert_py "$VB_TMP/doctor-remote.json" \
		'[c["option"] for c in d["checks"] if c.get("option", {}).get("platform") == "docker" and c["option"]["name"] == "net"][0]["supported"] == ["bridge"]'
	assert_py "$VB_TMP/doctor-remote.json" \
		'all("DOCKER_HOST=tcp://0.0.0.0:1" in why for c in d["checks"] if c.get("option", {}).get("platform") == "docker" for why in c["option"]["unsupported"].values())'
	assert_py "$VB_TMP/doctor-remote.json" \
		'[c["option"] for c in d["checks"] if c.get("option", {}).get("platform") == "native" and c["option"]["name"] == "thp"][0]["unsupported"] == {}' 
}
