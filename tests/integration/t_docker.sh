# docker: the agent in a FROM-scratch container of the real dockerd, driven
# through `vbench-trace run -p docker`, checked from the host side with the
# docker CLI. Tests that need a piece not built yet (the runner, real
# workloads, probes) say SKIP and why, and pass.

docker_skip() {
	echo "    SKIP: $*"
}

docker_have_runner() {
	$VB run --help 2>&1 | grep -q -- '--platforms' ||
		{ docker_skip "'vbench-trace run' is not built yet"; return 1; }
}

docker_have_workload() {
	$VB workload "$1" --duration 0.1 >/dev/null 2>&1 ||
		{ docker_skip "the $1 workload is not built yet"; return 1; }
}

docker_have_engine() {
	docker info >/dev/null 2>&1 ||
		{ docker_skip "no Docker daemon ('bash platforms/setup.sh' starts it)"; return 1; }
}

# The image the driver must use for this agent: version-<crc32 of the agent>.
docker_expected_tag() {
	local crc
	crc=$(python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$AGENT")
	docker images vbench-trace-agent --format '{{.Repository}}:{{.Tag}}' | grep -- "-$crc\$" | head -1
}

# Containers a run of ours could have left, on this host.
docker_our_containers() {
	docker ps -a --filter label=vbench-trace=1 --format '{{.Names}}'
}

# One short run that makes the driver build (or reuse) its image. The cells
# may fail while the workloads are stand-ins; the platform must not.
docker_prepare_image() {
	local out=$VB_TMP/docker-prep
	rm -rf "$out"
	$VB run -p docker -w cpu -r 1 -d 0.2 --no-trace -o "$out" >/dev/null 2>"$VB_TMP/prep.err" || true
	assert_py "$out/results.json" 'd["platforms"][0]["name"] == "docker" and d["platforms"][0]["status"] == "ok"' ||
		{ cat "$VB_TMP/prep.err"; return 1; }
}

# The image is built here from the agent alone: one layer, one file, the
# agent byte for byte; tagged with the agent's hash; older tags removed.
test_docker_image_is_the_agent_alone() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_prepare_image
	local tag
	tag=$(docker_expected_tag)
	[ -n "$tag" ] || fail "no vbench-trace-agent image tagged with the agent's crc32: $(docker images vbench-trace-agent)"
	[ "$(docker images vbench-trace-agent -q | sort -u | wc -l)" = 1 ] ||
		fail "more than one vbench-trace-agent image: $(docker images vbench-trace-agent)"
	[ "$(docker image inspect -f '{{len .RootFS.Layers}}' "$tag")" = 1 ] || fail "$tag has more than one layer"
	docker image inspect -f '{{.Config.Labels}}' "$tag" | grep -q 'vbench-trace:1' || fail "$tag lacks the vbench-trace=1 label"
	docker save "$tag" -o "$VB_TMP/image.tar"
	python3 - "$VB_TMP/image.tar" "$AGENT" <<'PY' || fail "the image holds more than the agent"
import hashlib, io, json, sys, tarfile
outer = tarfile.open(sys.argv[1])
manifest = json.load(outer.extractfile("manifest.json"))
layers = manifest[0]["Layers"]
assert len(layers) == 1, layers
layer = tarfile.open(fileobj=io.BytesIO(outer.extractfile(layers[0]).read()))
files = [m for m in layer.getmembers() if not m.isdir()]
assert [m.name for m in files] == ["vbench-trace-agent"], [m.name for m in files]
got = hashlib.sha256(layer.extractfile(files[0]).read()).hexdigest()
want = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert got == want, "the image's agent differs from " + sys.argv[2]
assert files[0].mode & 0o111, "the agent is not executable"
PY
}

# The agent in a container of that image speaks the protocol through the
# CLI's pipes: a hello frame, one result frame per RUN line, then it quits.
test_docker_agent_answers_through_the_cli() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_prepare_image
	local tag
	tag=$(docker_expected_tag)
	[ -n "$tag" ] || fail "no image for this agent"
	printf 'RUN cpu --duration 0.2\nRUN nosuchworkload\nQUIT\n' |
		timeout 60 docker run -i --rm --init --pull=never --log-driver=none "$tag" serve \
			>"$VB_TMP/frames" 2>"$VB_TMP/frames.err" || fail "docker run failed: $(cat "$VB_TMP/frames.err")"
	python3 - "$VB_TMP/frames" <<'PY' || fail "frames: $(head -c 600 "$VB_TMP/frames")"
import json, re, sys, zlib
data = open(sys.argv[1], "rb").read()
frames = []
for m in re.finditer(rb"@@VBENCH (\d+) ([0-9a-f]{8})\n", data):
    body = data[m.end():m.end() + int(m.group(1))]
    assert zlib.crc32(body) == int(m.group(2), 16), "bad crc"
    frames.append(json.loads(body))
assert len(frames) == 3, frames
assert frames[0]["agent"] == "vbench-trace-agent", frames[0]
assert frames[1]["workload"] == "cpu", frames[1]
assert frames[2].get("error") == "unknown workload", frames[2]
PY
}

# A full cell through the tool: the agent ran cpu in the container.
test_docker_run_cpu() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_have_workload cpu || return 0
	local out=$VB_TMP/docker-cpu
	$VB run -p docker -w cpu --quick -r 2 --no-trace -o "$out" >/dev/null 2>"$VB_TMP/err" ||
		fail "run -p docker -w cpu failed: $(cat "$VB_TMP/err")"
	assert_py "$out/results.json" 'd["platforms"][0]["name"] == "docker" and d["platforms"][0]["status"] == "ok"'
	assert_py "$out/results.json" 'all(r["score"] > 0 and r["ops"] > 0 for r in d["platforms"][0]["workloads"][0]["runs"])'
	assert_py "$out/results.json" 'len(d["platforms"][0]["workloads"][0]["runs"]) == 2'
	[ -z "$(docker_our_containers)" ] || fail "containers left: $(docker_our_containers)"
}

# Host probes follow the container's process tree: the fork workload's
# children are counted on the host, as many as the agent reports.
test_docker_host_probes_see_the_container() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_have_workload fork || return 0
	local out=$VB_TMP/docker-fork rc=0
	$VB run -p docker -w fork -r 2 -d 0.5 -o "$out" >/dev/null 2>"$VB_TMP/err" || rc=$?
	if grep -q 'probes are not built yet' "$VB_TMP/err"; then
		docker_skip "the probes are not built yet"
		return 0
	fi
	[ "$rc" = 0 ] || fail "run -p docker -w fork failed: $(cat "$VB_TMP/err")"
	assert_py "$out/results.json" 'all(r["ops"] > 0 and r["probes"]["host"]["forks"] == r["ops"] for r in d["platforms"][0]["workloads"][0]["runs"])'
}

# --docker-volume: the disk file on the writable layer (overlay2, no
# mounts) in one container, on a bind mount at /vol in the other, seen from
# the host with docker inspect while the containers run.
test_docker_disk_layer_vs_volume() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_have_workload diskrand || return 0
	local out=$VB_TMP/docker-vol seen=$VB_TMP/seen pid
	: >"$seen"
	$VB run -p docker -w diskrand --quick -r 2 --no-trace --docker-volume -o "$out" \
		>/dev/null 2>"$VB_TMP/err" &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		for c in $(docker ps -q --filter label=vbench-trace=1); do
			docker inspect -f '{{.Name}} {{.GraphDriver.Name}} mounts={{range .Mounts}}{{.Type}}:{{.Source}}:{{.Destination}}{{end}}' \
				"$c" >>"$seen" 2>/dev/null || true
		done
		sleep 0.2
	done
	wait $pid || fail "run --docker-volume failed: $(cat "$VB_TMP/err")"
	sort -u "$seen" -o "$seen"
	grep -Eq ' overlay2 mounts=$' "$seen" || fail "no container with the disk on the writable layer: $(cat "$seen")"
	grep -Eq ' overlay2 mounts=bind:/.*/docker-volume:/vol$' "$seen" ||
		fail "no container with a bind mount at /vol: $(cat "$seen")"
	assert_py "$out/results.json" '[(p["name"], p.get("variant")) for p in d["platforms"]] == [("docker", None), ("docker[storage=volume]", {"of": "docker", "knob": "storage", "value": "volume"})]'
	assert_py "$out/results.json" 'all(w["status"] == "ok" for p in d["platforms"] for w in p["workloads"])'
	[ -z "$(docker_our_containers)" ] || fail "containers left: $(docker_our_containers)"
}

# Ctrl-C while a container runs: the run ends as interrupted, and no
# container of ours is left behind.
test_docker_interrupt_leaves_no_container() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_have_workload cpu || return 0
	local out=$VB_TMP/docker-intr pid rc=0
	$VB run -p docker -w cpu -r 5 -d 2 --no-trace -o "$out" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		[ -n "$(docker ps -q --filter label=vbench-trace=1)" ] && break
		sleep 0.1
	done
	[ -n "$(docker ps -q --filter label=vbench-trace=1)" ] || fail "no container appeared"
	sleep 1
	kill -INT $pid
	wait $pid || rc=$?
	[ "$rc" = 130 ] || fail "interrupted run: exit $rc, want 130"
	assert_py "$out/results.json" 'd["status"] == "interrupted"'
	[ -z "$(docker_our_containers)" ] || fail "containers left: $(docker_our_containers)"
}

# A leftover of a crashed run (its owner pid is gone) is removed by the next
# run's teardown; a container made by someone else is not touched.
test_docker_teardown_removes_leftovers() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_prepare_image
	local tag stale other
	tag=$(docker_expected_tag)
	stale=vbench-trace-stale-$$
	other=vbench-test-other-$$
	# pid 2^22+1 is above pid_max's limit: never a live process.
	docker create --name "$stale" --init --label vbench-trace=1 --label vbench-trace.pid=4194305 \
		--label "vbench-trace.host=$(hostname)" "$tag" serve >/dev/null
	docker create --name "$other" "$tag" serve >/dev/null
	docker_prepare_image
	rc=0
	docker inspect "$stale" >/dev/null 2>&1 || rc=1
	docker rm -f "$other" >/dev/null 2>&1 || fail "a container without our label was removed"
	[ "$rc" = 1 ] || { docker rm -f "$stale" >/dev/null; fail "the leftover $stale was not removed"; }
}

# No daemon: the platform is skipped with a reason that says how to start one.
test_docker_unreachable_daemon_is_skipped() {
	docker_have_runner || return 0
	local out=$VB_TMP/docker-nodaemon
	DOCKER_HOST=unix:///nonexistent/docker.sock $VB run -p docker -w cpu --quick --no-trace \
		-o "$out" >/dev/null 2>&1 || fail "run with no daemon did not exit 0"
	assert_py "$out/results.json" 'd["platforms"][0]["status"] == "skipped"'
	assert_py "$out/results.json" '"unix:///nonexistent/docker.sock" in d["platforms"][0]["reason"] and "setup.sh" in d["platforms"][0]["reason"]'
}

# The net workload reaches the runner's net-server on the bridge's gateway
# address, the way a container reaches its host.
test_docker_net_through_the_bridge() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_have_workload net || return 0
	local out=$VB_TMP/docker-net gw
	$VB run -p docker -w net --quick -r 2 --no-trace -v -o "$out" >/dev/null 2>"$VB_TMP/err" ||
		fail "run -p docker -w net failed: $(cat "$VB_TMP/err")"
	gw=$(docker network inspect bridge -f '{{range .IPAM.Config}}{{.Gateway}},{{.Subnet}} {{end}}' |
		python3 -c 'import ipaddress, sys
gw, net = sys.stdin.read().split()[0].split(",")
print(gw or next(ipaddress.ip_network(net).hosts()))')
	grep -q -- "--server $gw:" "$VB_TMP/err" || fail "the agent was not sent to the gateway $gw: $(grep RUN "$VB_TMP/err")"
	assert_py "$out/results.json" 'all(r["score"] > 0 and r["bytes"] > 0 for r in d["platforms"][0]["workloads"][0]["runs"])'
}

# The container of the run started as SPAWNED (the tool's pid is its
# vbench-trace.pid label): its name once it runs, within 60 s.
docker_container_of() {
	docker ps --filter "label=vbench-trace.pid=$1" --format '{{.Names}}' | head -1
}

docker_wait_container() {
	local pid=$1
	wait_until 60 "a container labelled vbench-trace.pid=$pid" \
		bash -c "[ -n \"\$(docker ps -q --filter label=vbench-trace.pid=$pid)\" ]"
}

# Containers run confined: no capabilities, no-new-privileges, a pids and a
# memory limit, labelled with the tool's pid and start time; what the engine
# and the kernel say of a running one matches config.docker in results.json.
test_docker_containers_are_confined() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_have_workload fork || return 0
	local out=$VB_TMP/docker-conf name init tool
	spawn "$VB" run -p docker -w fork -r 3 -d 1 --no-trace -o "$out" >/dev/null 2>"$VB_TMP/err"
	tool=$SPAWNED
	docker_wait_container "$tool" || { cat "$VB_TMP/err"; return 1; }
	name=$(docker_container_of "$tool")
	docker inspect -f '{{json .HostConfig.CapDrop}} {{json .HostConfig.CapAdd}} {{json .HostConfig.SecurityOpt}} {{.HostConfig.PidsLimit}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{index .Config.Labels "vbench-trace.start"}}' \
		"$name" >"$VB_TMP/hc"
	init=$(docker inspect -f '{{.State.Pid}}' "$name")
	# The kernel's view of the container's init: no capability at all, and
	# no way to gain one through exec.
	grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs):' "/proc/$init/status" >"$VB_TMP/caps"
	wait_pid_deadline "$tool" 120 "vbench-trace run -p docker -w fork" ||
		fail "run -p docker -w fork failed: $(cat "$VB_TMP/err")"
	grep -q '^CapEff:[[:space:]]*0000000000000000$' "$VB_TMP/caps" || fail "capabilities left: $(cat "$VB_TMP/caps")"
	grep -q '^CapBnd:[[:space:]]*0000000000000000$' "$VB_TMP/caps" || fail "bounding set not empty: $(cat "$VB_TMP/caps")"
	grep -q '^NoNewPrivs:[[:space:]]*1$' "$VB_TMP/caps" || fail "no-new-privileges not set: $(cat "$VB_TMP/caps")"
	python3 - "$VB_TMP/hc" "$out/results.json" <<'PY' ||
import json, sys
capdrop, capadd, secopt, pids, mem, swap, start = open(sys.argv[1]).read().split()
d = json.load(open(sys.argv[2]))
c = d["config"]["docker"]
assert json.loads(capdrop) == c["cap_drop"] == ["ALL"], (capdrop, c)
assert (json.loads(capadd) or []) == c["cap_add"] == [], (capadd, c)
assert any("no-new-privileges" in o for o in json.loads(secopt)) and c["no_new_privileges"], secopt
assert int(pids) == c["pids_limit"] > 0, (pids, c)
assert int(mem) == c["memory_bytes"] == d["config"]["disk_file_bytes"] + (1 << 30), (mem, c)
assert int(swap) == c["memory_swap_bytes"], (swap, c)
assert int(start) > 0, start
PY
		fail "the container's settings differ from config.docker: $(cat "$VB_TMP/hc")"
	# Confined, fork still forks: every run counted its children.
	assert_py "$out/results.json" 'all(r["ops"] > 0 for r in d["platforms"][0]["workloads"][0]["runs"])'
	[ -z "$(docker ps -aq --filter "label=vbench-trace.pid=$tool")" ] || fail "the run left its container"
}

# SIGKILL mid-cell leaves the container (the tool had no chance to remove
# it); the next run removes it because its owner is gone.
test_docker_sigkill_leftover_swept_by_next_run() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_have_workload cpu || return 0
	local out=$VB_TMP/docker-kill9 tool left
	spawn "$VB" run -p docker -w cpu -r 5 -d 2 --no-trace -o "$out" >/dev/null 2>"$VB_TMP/err"
	tool=$SPAWNED
	# What the dead run leaves besides: its work directory (the log names it).
	on_exit "grep -l . /var/tmp/vbench-trace.*/vbench-trace-$tool-*.log 2>/dev/null | xargs -r -n1 dirname | xargs -r rm -rf"
	on_exit "docker ps -aq --filter label=vbench-trace.pid=$tool | xargs -r docker rm -f >/dev/null"
	docker_wait_container "$tool" || { cat "$VB_TMP/err"; return 1; }
	sleep 1
	kill -KILL "$tool"
	wait_pid_deadline "$tool" 30 "the killed run" || true
	left=$(docker ps -aq --filter "label=vbench-trace.pid=$tool")
	[ -n "$left" ] || fail "no container of the killed run $tool was left: nothing for the next run to sweep"
	docker_prepare_image
	left=$(docker ps -aq --filter "label=vbench-trace.pid=$tool")
	[ -z "$left" ] || fail "the next run left the dead run's containers: $(docker ps -a --filter "label=vbench-trace.pid=$tool")"
}

# A live run's containers are never swept, even by a run that sees its pid
# with another start time (a reused pid) as gone.
test_docker_sweep_tells_reused_pids_apart() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_prepare_image
	local tag live start reused owned
	tag=$(docker_expected_tag)
	sleep 600 &
	live=$!
	on_exit "kill $live"
	start=$(awk '{print $22}' "/proc/$live/stat")
	owned=vbench-trace-live-$$
	reused=vbench-trace-reused-$$
	on_exit "docker rm -f $owned $reused >/dev/null 2>&1"
	docker create --name "$owned" --init --label vbench-trace=1 --label "vbench-trace.pid=$live" \
		--label "vbench-trace.start=$start" --label "vbench-trace.host=$(hostname)" "$tag" serve >/dev/null
	docker create --name "$reused" --init --label vbench-trace=1 --label "vbench-trace.pid=$live" \
		--label "vbench-trace.start=$((start - 1))" --label "vbench-trace.host=$(hostname)" "$tag" serve >/dev/null
	docker_prepare_image
	docker inspect "$owned" >/dev/null 2>&1 || fail "the container of a live owner ($live, start $start) was removed"
	! docker inspect "$reused" >/dev/null 2>&1 || fail "the container of a reused pid ($live, start $((start - 1))) was kept"
}

# docker kill mid-run: the error names the container and how it died, not
# only "the agent went away"; the cell fails, the run goes on and cleans up.
test_docker_killed_container_is_named() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_have_workload cpu || return 0
	local out=$VB_TMP/docker-dkill tool name rc=0
	spawn "$VB" run -p docker -w cpu -r 5 -d 2 --no-trace -o "$out" >/dev/null 2>"$VB_TMP/err"
	tool=$SPAWNED
	docker_wait_container "$tool" || { cat "$VB_TMP/err"; return 1; }
	name=$(docker_container_of "$tool")
	sleep 1
	docker kill "$name" >/dev/null
	wait_pid_deadline "$tool" 120 "the run whose container was killed" || rc=$?
	[ "$rc" = 1 ] || fail "a run whose cell failed: exit $rc, want 1: $(cat "$VB_TMP/err")"
	grep -q "container $name .*killed by signal 9" "$VB_TMP/err" ||
		fail "no message naming $name's death: $(cat "$VB_TMP/err")"
	assert_py "$out/results.json" 'd["platforms"][0]["workloads"][0]["status"] == "failed"'
	[ -z "$(docker ps -aq --filter "label=vbench-trace.pid=$tool")" ] || fail "the killed container was left"
}

# The connection to dockerd dies mid-run (a proxy on a socket of our own
# stands for the daemon, so the machine's dockerd, which other runs use,
# stays up): the error names dockerd's connection.
test_docker_lost_daemon_is_named() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	docker_have_workload cpu || return 0
	local out=$VB_TMP/docker-ddead sock=$VB_TMP/docker-proxy.sock proxy tool rc=0
	python3 - "$sock" <<'PY' &
import os, socket, sys, threading
path = sys.argv[1]
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(64)
def pump(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    # Half-close, as the engine's hijacked attach stream expects.
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass
while True:
    c, _ = srv.accept()
    d = socket.socket(socket.AF_UNIX)
    d.connect("/var/run/docker.sock")
    threading.Thread(target=pump, args=(c, d), daemon=True).start()
    threading.Thread(target=pump, args=(d, c), daemon=True).start()
PY
	proxy=$!
	on_exit "kill -KILL $proxy"
	wait_until 10 "the proxy's socket" test -S "$sock"
	DOCKER_HOST=unix://$sock spawn "$VB" run -p docker -w cpu -r 5 -d 2 --no-trace -o "$out" \
		>/dev/null 2>"$VB_TMP/err"
	tool=$SPAWNED
	on_exit "docker ps -aq --filter label=vbench-trace.pid=$tool | xargs -r docker rm -f >/dev/null"
	docker_wait_container "$tool" || { cat "$VB_TMP/err"; return 1; }
	sleep 1
	kill -KILL "$proxy"
	wait_pid_deadline "$tool" 120 "the run whose dockerd connection died" || rc=$?
	[ "$rc" = 1 ] || fail "a run whose cell failed: exit $rc, want 1: $(cat "$VB_TMP/err")"
	grep -q "lost the connection to dockerd at unix://$sock" "$VB_TMP/err" ||
		fail "no message naming dockerd's connection: $(cat "$VB_TMP/err")"
}

# As a user who may not open docker's socket: skipped with "permission
# denied" and the way out, not "is dockerd running?".
test_docker_permission_denied_is_named() {
	docker_have_engine || return 0
	docker_have_runner || return 0
	id nobody >/dev/null 2>&1 || { docker_skip "no user 'nobody'"; return 0; }
	local dir
	# Not under VB_TMP, which only root may enter.
	dir=$(mktemp -d /tmp/vbench-it-nobody.XXXXXX)
	on_exit rm -rf "$dir"
	chown nobody "$dir"
	runuser -u nobody -- "$VB" run -p docker -w cpu --quick --no-trace -o "$dir/out" \
		>/dev/null 2>"$VB_TMP/err" || fail "an unprivileged run with docker skipped did not exit 0: $(cat "$VB_TMP/err")"
	assert_py "$dir/out/results.json" 'd["platforms"][0]["status"] == "skipped"'
	assert_py "$dir/out/results.json" '"permission denied" in d["platforms"][0]["reason"] and "docker" in d["platforms"][0]["reason"] and "is dockerd running" not in d["platforms"][0]["reason"]'
}
