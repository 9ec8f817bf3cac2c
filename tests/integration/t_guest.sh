# The qemu and kvm platforms: real libvirtd, real QEMU, Debian's kernel, the
# agent as the guest's /init. The driver is exercised through its ops by a
# small program (progs/guestctl.c) linked with the tool's objects, and, once
# the runner exists, through `vbench-trace run`.

# Builds a program from tests/integration/progs against the tool's objects
# (the Makefile's rule) and links it into $VB_TMP.
guest_prog() {
	local name=$1
	[ -x "$VB_TMP/$name" ] && return 0
	make -s BUILD="${BUILD:=build}" "$BUILD/tests/progs/$name" >/dev/null || fail "cannot build $name"
	ln -sf "$PWD/$BUILD/tests/progs/$name" "$VB_TMP/$name"
}

# Domains this test's guestctl (pid $1) left behind.
guest_leftovers() {
	virsh -c qemu:///system list --all --name | grep "^vbench-trace-$1-" || true
}

# The result line for workload $2 in guestctl output $1, as JSON in $3.
guest_result() {
	grep "^result {\"workload\":\"$2\"" "$1" | head -1 | cut -d' ' -f2- >"$3"
	[ -s "$3" ] || fail "no result for $2 in $1"
}

test_guest_qemu_boots_runs_and_stops_clean() {
	guest_prog guestctl
	local out=$VB_TMP/qemu.out rc=0 pid
	mkdir -p "$VB_TMP/wq"
	"$VB_TMP/guestctl" qemu "$VB_TMP/wq" "RUN cpu --duration 1" "RUN fork --duration 1" \
		>"$out" 2>"$VB_TMP/qemu.err" &
	pid=$!
	wait $pid || rc=$?
	cat "$VB_TMP/qemu.err" >&2
	if [ $rc -eq 77 ]; then
		echo "    SKIP: qemu is not available here: $(cat "$VB_TMP/qemu.err")"
		return 0
	fi
	[ $rc -eq 0 ] || fail "guestctl qemu exited $rc"
	grep '^hello ' "$out" | cut -d' ' -f2- >"$VB_TMP/hello.json"
	assert_py "$VB_TMP/hello.json" 'd["pid"] == 1 and d["kernel"].endswith("-amd64") and d["cpus"] >= 1'
	awk '$1 == "target_pid" && $2 > 0 { ok = 1 } END { exit !ok }' "$out" ||
		fail "no QEMU pid for the host probes"
	guest_result "$out" cpu "$VB_TMP/cpu.json"
	guest_result "$out" fork "$VB_TMP/fork.json"
	if grep -q '"not built yet"' "$VB_TMP/cpu.json"; then
		echo "    (workloads are stand-ins in this tree: the link is checked, not the scores)"
	else
		assert_py "$VB_TMP/cpu.json" 'd["score"] > 0 and d["ops"] > 0'
		assert_py "$VB_TMP/fork.json" 'd["ops"] > 0'
	fi
	# Guest probes, once they load in the guest's kernel: every fork the workload
	# made is one the guest kernel saw.
	if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if "forks" in d.get("probes_guest", {}) else 1)' "$VB_TMP/fork.json"; then
		assert_py "$VB_TMP/fork.json" 'd["probes_guest"]["forks"] == d["ops"]'
	else
		echo "    (no guest fork counter: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("probes_guest", {}).get("missing", {}).get("fork", "probes not built"))' "$VB_TMP/fork.json" | cut -c1-160))"
	fi
	[ -z "$(guest_leftovers $pid)" ] || fail "domains left after stop: $(guest_leftovers $pid)"
	[ ! -e "$VB_TMP/wq/qemu-guest/disk.raw" ] || fail "teardown left the disk image"
}

test_guest_killed_tool_leaves_no_domain() {
	guest_prog guestctl
	local out=$VB_TMP/hang.out pid qpid
	mkdir -p "$VB_TMP/wk"
	"$VB_TMP/guestctl" qemu "$VB_TMP/wk" --hang >"$out" 2>"$VB_TMP/hang.err" &
	pid=$!
	for _ in $(seq 1 120); do
		grep -q '^hello ' "$out" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.5
	done
	if ! grep -q '^hello ' "$out"; then
		wait $pid && true
		[ $? -eq 77 ] && { echo "    SKIP: $(cat "$VB_TMP/hang.err")"; return 0; }
		fail "the guest never said hello: $(cat "$VB_TMP/hang.err")"
	fi
	qpid=$(awk '$1 == "target_pid" { print $2 }' "$out")
	grep -q qemu-system "/proc/$qpid/comm" || fail "target_pid $qpid is not QEMU"
	[ -n "$(guest_leftovers $pid)" ] || fail "no domain while the tool runs"
	kill -9 $pid
	wait $pid 2>/dev/null || true
	# libvirt ends an AUTODESTROY domain when its connection goes.
	for _ in $(seq 1 40); do
		[ -z "$(guest_leftovers $pid)" ] && break
		sleep 0.25
	done
	[ -z "$(guest_leftovers $pid)" ] || fail "domain left after the tool was killed: $(guest_leftovers $pid)"
	for _ in $(seq 1 20); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.25; done
	! kill -0 "$qpid" 2>/dev/null || fail "QEMU ($qpid) still runs"
	# Its work dir was out of QEMU's reach (under the private $VB_TMP), so its
	# files went to libvirt's images dir; the next suite that goes there sweeps them.
	if [ -d "/var/lib/libvirt/images/vbench-trace-$pid-qemu" ]; then
		"$VB_TMP/guestctl" qemu "$VB_TMP/wk" --prepare-only >/dev/null
		[ ! -e "/var/lib/libvirt/images/vbench-trace-$pid-qemu" ] ||
			fail "the killed suite's files stay in /var/lib/libvirt/images"
	fi
	rm -rf "$VB_TMP/wk"
}

test_guest_kvm_runs_or_says_why_not() {
	guest_prog guestctl
	local rc=0
	mkdir -p "$VB_TMP/wv"
	"$VB_TMP/guestctl" kvm "$VB_TMP/wv" "RUN cpu --duration 1" >"$VB_TMP/kvm.out" \
		2>"$VB_TMP/kvm.err" || rc=$?
	cat "$VB_TMP/kvm.err" >&2
	if [ $rc -eq 77 ]; then
		grep -q '/dev/kvm' "$VB_TMP/kvm.err" || fail "kvm skipped without naming /dev/kvm"
		grep -q "^vbench-trace: kvm: skipped: .*(.*)" "$VB_TMP/kvm.err" ||
			fail "the reason names no way out"
		echo "    SKIP (as it should say): $(cat "$VB_TMP/kvm.err")"
		return 0
	fi
	[ $rc -eq 0 ] || fail "guestctl kvm exited $rc"
	grep -q '^hello ' "$VB_TMP/kvm.out" || fail "no hello from the kvm guest"
	grep -q '^result {"workload":"cpu"' "$VB_TMP/kvm.out" || fail "no cpu result from kvm"
}

test_guest_domain_xml_kvm_and_qemu_differ_in_type_only() {
	guest_prog domxml
	"$VB_TMP/domxml" qemu >"$VB_TMP/q.xml"
	"$VB_TMP/domxml" kvm >"$VB_TMP/k.xml"
	diff "$VB_TMP/q.xml" "$VB_TMP/k.xml" >"$VB_TMP/xml.diff" && fail "the two documents are the same"
	[ "$(grep -c '^[<>]' "$VB_TMP/xml.diff")" -eq 2 ] || { cat "$VB_TMP/xml.diff"; fail "more than the type differs"; }
	grep -q "^< <domain type='qemu'>" "$VB_TMP/xml.diff" || fail "qemu's type line"
	grep -q "^> <domain type='kvm'>" "$VB_TMP/xml.diff" || fail "kvm's type line"
	# libvirt's own schema accepts both.
	if command -v virt-xml-validate >/dev/null && command -v xmllint >/dev/null; then
		virt-xml-validate "$VB_TMP/q.xml" domain >/dev/null || fail "libvirt's schema refuses the qemu XML"
		virt-xml-validate "$VB_TMP/k.xml" domain >/dev/null || fail "libvirt's schema refuses the kvm XML"
	fi
}

test_guest_unreachable_libvirt_is_named() {
	guest_prog guestctl
	local rc=0
	VB_LIBVIRT_URI='qemu+unix:///system?socket=/nonexistent/libvirt-sock' \
		"$VB_TMP/guestctl" qemu "$VB_TMP" >/dev/null 2>"$VB_TMP/uri.err" || rc=$?
	[ $rc -eq 77 ] || fail "an unreachable libvirt should make qemu unavailable (rc $rc)"
	grep -q "cannot connect to libvirt at qemu+unix:///system?socket=/nonexistent/libvirt-sock (is libvirtd running?" \
		"$VB_TMP/uri.err" || fail "reason: $(cat "$VB_TMP/uri.err")"
}

test_guest_run_qemu_cpu_quick() {
	if "$VB" run --help 2>&1 | grep -q 'not built yet'; then
		echo "    SKIP: 'vbench-trace run' is not built in this tree yet"
		return 0
	fi
	local rc=0 pid
	spawn "$VB" run -p qemu -w cpu --quick -r 1 -o "$VB_TMP/run" >"$VB_TMP/run.out" 2>&1
	pid=$SPAWNED
	wait_pid_deadline $pid $((VB_GUEST_BOOT_S + 120)) "vbench-trace run -p qemu" || rc=$?
	cat "$VB_TMP/run.out"
	[ $rc -eq 0 ] || fail "vbench-trace run -p qemu exited $rc"
	assert_py "$VB_TMP/run/results.json" '[p for p in d["platforms"] if p["name"] == "qemu"][0]["status"] in ("ok", "skipped")'
	if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [p for p in d["platforms"] if p["name"]=="qemu"][0]["status"]=="ok" else 1)' "$VB_TMP/run/results.json"; then
		assert_py "$VB_TMP/run/results.json" '[p for p in d["platforms"] if p["name"] == "qemu"][0]["workloads"][0]["runs"][0]["score"] > 0'
	fi
	# This run's domains only: other runs on the machine may have theirs.
	[ -z "$(guest_leftovers $pid)" ] || fail "domains left after run: $(guest_leftovers $pid)"
}

test_guest_failed_boot_reports_the_console() {
	guest_prog guestctl
	local rc=0 pid
	echo "not an executable" >"$VB_TMP/bad-init"
	mkdir -p "$VB_TMP/wb"
	VB_AGENT_PATH=$VB_TMP/bad-init "$VB_TMP/guestctl" qemu "$VB_TMP/wb" \
		>/dev/null 2>"$VB_TMP/bad.err" &
	pid=$!
	wait $pid || rc=$?
	cat "$VB_TMP/bad.err"
	[ $rc -eq 77 ] && { echo "    SKIP: qemu is not available here"; return 0; }
	[ $rc -ne 0 ] || fail "a guest whose /init cannot run started"
	grep -q "^vbench-trace: qemu: the guest stopped before its agent said hello; console (.*) says .*Kernel panic - not syncing: No working init found" \
		"$VB_TMP/bad.err" || fail "the error does not carry the console's panic"
	[ "$(grep -c . "$VB_TMP/bad.err")" -eq 1 ] || fail "more than one line of error"
	[ -z "$(guest_leftovers $pid)" ] || fail "domain left after a failed start"
}

# A domain of this tool whose owner is gone, as after libvirtd restarted
# under a run (AUTODESTROY no longer applies and QEMU lives on): the next
# run's prepare destroys it. Owners are told by pid and start time
# (/proc/PID/stat field 22) in the domain's <description>, so a live run's
# domain stays and a reused pid does not fool the sweep.
orphan_domain() { # NAME OWNER_PID OWNER_START
	cat >"$VB_TMP/$1.xml" <<XML
<domain type='qemu'>
  <name>$1</name>
  <description>vbench-trace owner pid=$2 start=$3</description>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><controller type='usb' model='none'/><memballoon model='none'/></devices>
</domain>
XML
	run_deadline 60 virsh -q -c qemu:///system create "$VB_TMP/$1.xml" >/dev/null ||
		fail "cannot create the stand-in domain $1"
	on_exit "virsh -q -c qemu:///system destroy $1 >/dev/null 2>&1 || true"
}

domain_active() {
	virsh -c qemu:///system list --name | grep -qx "$1"
}

test_guest_orphan_domains_swept_live_ones_kept() {
	guest_prog guestctl
	local dead me start rc=0
	sleep 0 &
	dead=$!
	wait $dead
	me=$$
	start=$(sed 's/.*) //' /proc/$me/stat | awk '{ print $20 }')
	orphan_domain "vbench-trace-$dead-1" "$dead" 12345
	orphan_domain "vbench-trace-$me-91" "$me" "$start"
	orphan_domain "vbench-trace-$me-92" "$me" $((start + 1))
	mkdir -p "$VB_TMP/wo"
	run_deadline 600 "$VB_TMP/guestctl" qemu "$VB_TMP/wo" --prepare-only \
		>/dev/null 2>"$VB_TMP/orphan.err" || rc=$?
	cat "$VB_TMP/orphan.err" >&2
	[ $rc -eq 77 ] && { echo "    SKIP: qemu is not available here"; return 0; }
	! domain_active "vbench-trace-$dead-1" || fail "the dead owner's domain is still there"
	! domain_active "vbench-trace-$me-92" ||
		fail "a domain whose owner pid was reused (another start time) is still there"
	domain_active "vbench-trace-$me-91" || fail "the sweep destroyed a live run's domain"
	grep -q "destroyed domain vbench-trace-$dead-1, left by a run that is gone (pid $dead)" \
		"$VB_TMP/orphan.err" || fail "the sweep did not say what it destroyed"
}

# The real thing: a run's guest whose owner was killed with SIGKILL while
# libvirt could not end it (here: a domain created outside the tool's
# connection, carrying the killed tool's pid and start time).
test_guest_killed_run_domain_swept_by_next_run() {
	guest_prog guestctl
	local pid start rc=0
	sleep 300 &
	pid=$!
	start=$(sed 's/.*) //' /proc/$pid/stat | awk '{ print $20 }')
	orphan_domain "vbench-trace-$pid-1" "$pid" "$start"
	mkdir -p "$VB_TMP/wr"
	run_deadline 600 "$VB_TMP/guestctl" qemu "$VB_TMP/wr" --prepare-only >/dev/null 2>&1 || rc=$?
	[ $rc -eq 77 ] && { echo "    SKIP: qemu is not available here"; return 0; }
	domain_active "vbench-trace-$pid-1" || fail "swept while its owner still ran"
	kill -9 $pid
	wait $pid 2>/dev/null || true
	run_deadline 600 "$VB_TMP/guestctl" qemu "$VB_TMP/wr" --prepare-only >/dev/null 2>&1 ||
		fail "the next prepare failed"
	! domain_active "vbench-trace-$pid-1" || fail "the killed run's domain outlived the next run"
}

# A result that does not come in time: the collect deadline holds (it does
# not restart), and the message gives the limit and the guest's name.
test_guest_collect_deadline_names_limit_and_guest() {
	guest_prog guestctl
	local rc=0 t0 t1 pid
	mkdir -p "$VB_TMP/wd"
	t0=$(date +%s)
	spawn "$VB_TMP/guestctl" qemu "$VB_TMP/wd" --collect-timeout 3 "RUN cpu --duration 60" \
		>"$VB_TMP/dl.out" 2>"$VB_TMP/dl.err"
	pid=$SPAWNED
	wait_pid_deadline $pid $((VB_GUEST_BOOT_S + 60)) "guestctl with a 3 s collect limit" || rc=$?
	t1=$(date +%s)
	cat "$VB_TMP/dl.err" >&2
	[ $rc -eq 77 ] && { echo "    SKIP: qemu is not available here"; return 0; }
	[ $rc -ne 0 ] || fail "a 60 s run came back within a 3 s limit"
	grep -q '^hello ' "$VB_TMP/dl.out" || fail "the guest never said hello"
	grep -Eq "^vbench-trace: qemu: guest vbench-trace-$pid-1 gave no result within 3 s; " \
		"$VB_TMP/dl.err" || fail "the timeout names neither the limit nor the guest"
	# hello (up to 120 s) + 3 s + stop (poweroff wait 5 s, destroy) + teardown
	[ $((t1 - t0)) -lt $((VB_HELLO_S + 40)) ] || fail "took $((t1 - t0)) s"
	[ -z "$(guest_leftovers $pid)" ] || fail "domains left: $(guest_leftovers $pid)"
}

# A work dir so deep that the agent's socket path would not fit a unix
# socket's 108 bytes: the files go to a private mkdtemp directory (never a
# predictable /tmp name), the guest still boots there, and the directory
# goes at teardown.
test_guest_long_work_dir_uses_a_private_dir() {
	guest_prog guestctl
	local deep rc=0 pid
	deep=/var/tmp/vbench-it-$$-$(printf 'd%.0s' $(seq 1 70))
	mkdir -m 0755 "$deep"
	on_exit "rm -rf '$deep'"
	ls -d /tmp/vbench-trace-* 2>/dev/null | sort >"$VB_TMP/tmp.before" || true
	spawn "$VB_TMP/guestctl" qemu "$deep" "RUN cpu --duration 1" >"$VB_TMP/long.out" \
		2>"$VB_TMP/long.err"
	pid=$SPAWNED
	wait_pid_deadline $pid $((VB_GUEST_BOOT_S + 60)) "guestctl in a deep work dir" || rc=$?
	cat "$VB_TMP/long.err" >&2
	[ $rc -eq 77 ] && { echo "    SKIP: qemu is not available here"; return 0; }
	[ $rc -eq 0 ] || fail "guestctl in a deep work dir exited $rc"
	grep -q '^result {"workload":"cpu"' "$VB_TMP/long.out" || fail "no cpu result"
	[ ! -e "/tmp/vbench-trace-$pid-1.sock" ] && [ ! -e "/tmp/vbench-trace-$pid-1.console.log" ] ||
		fail "files under predictable /tmp names"
	ls -d /tmp/vbench-trace-* 2>/dev/null | sort >"$VB_TMP/tmp.after" || true
	[ -z "$(comm -13 "$VB_TMP/tmp.before" "$VB_TMP/tmp.after")" ] ||
		fail "private dirs left: $(comm -13 "$VB_TMP/tmp.before" "$VB_TMP/tmp.after")"
}

# An unprivileged user and a libvirt socket it may not open: said as
# permission denied, not as "is libvirtd running?".
test_guest_permission_denied_on_libvirt_socket_is_named() {
	guest_prog guestctl
	local dir rc=0 prog
	command -v setpriv >/dev/null || { echo "    SKIP: no setpriv"; return 0; }
	prog=$(readlink -f "$VB_TMP/guestctl")
	dir=$(mktemp -d /tmp/vbench-it-sock.XXXXXX) # mode 0700: others cannot reach the socket
	on_exit "rm -rf '$dir'"
	spawn python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(60)' "$dir/sock"
	wait_until 10 "the stand-in socket" test -S "$dir/sock"
	VB_AGENT_PATH=/bin/true VB_LIBVIRT_URI="qemu+unix:///system?socket=$dir/sock" \
		run_deadline 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$prog" qemu /tmp \
		>/dev/null 2>"$VB_TMP/perm.err" || rc=$?
	cat "$VB_TMP/perm.err" >&2
	[ $rc -eq 77 ] || fail "a socket it may not open should make qemu unavailable (rc $rc)"
	grep -q "skipped: permission denied on libvirt's socket at qemu+unix:///system?socket=$dir/sock: .*(run as root" \
		"$VB_TMP/perm.err" || fail "reason: $(cat "$VB_TMP/perm.err")"
}

# /dev/kvm root's alone (mode 600): libvirt re-probes QEMU at every call.
# `run` says so once, before anything starts, and doctor names the fix; a
# /dev/kvm given to group kvm (mode 660) draws no word. The device node is
# a stand-in in a private mount namespace: the machine's /dev is untouched.
test_guest_closed_kvm_device_warned_once_up_front() {
	command -v unshare >/dev/null || { echo "    SKIP: no unshare"; return 0; }
	getent passwd libvirt-qemu >/dev/null || { echo "    SKIP: no libvirt-qemu user"; return 0; }
	local vb
	vb=$(readlink -f "$VB")
	cat >"$VB_TMP/fake-kvm.sh" <<SH
set -e
mount --make-rprivate /
mkdir -p "$VB_TMP/dev"
mount -t tmpfs none "$VB_TMP/dev"
cp -a /dev/null /dev/zero /dev/urandom /dev/random "$VB_TMP/dev/"
mknod "$VB_TMP/dev/kvm" c 10 232
chgrp kvm "$VB_TMP/dev/kvm"
chmod \$1 "$VB_TMP/dev/kvm"
mount --bind "$VB_TMP/dev" /dev
"$vb" run -p kvm,qemu -w cpu --no-trace -r 1 -d 0.2 -o "$VB_TMP/pf-\$1" \
	--libvirt-uri 'qemu+unix:///system?socket=/nonexistent' >/dev/null 2>"$VB_TMP/pf-\$1.err" || true
"$vb" doctor >"$VB_TMP/doctor-\$1.out" 2>&1 || true
SH
	run_deadline 120 unshare -m bash "$VB_TMP/fake-kvm.sh" 600
	cat "$VB_TMP/pf-600.err" >&2
	[ "$(grep -c "cannot open /dev/kvm (mode 600)" "$VB_TMP/pf-600.err")" -eq 1 ] ||
		fail "not warned exactly once"
	head -1 "$VB_TMP/pf-600.err" | grep -q "^vbench-trace: warning: kvm: QEMU's user .* cannot open /dev/kvm (mode 600): .*platforms/setup.sh" ||
		fail "the warning is not the first line or names no fix"
	grep -Eq "MISSING +preflight .*cannot open /dev/kvm \(mode 600\)" "$VB_TMP/doctor-600.out" ||
		fail "doctor does not name the state: $(grep preflight "$VB_TMP/doctor-600.out")"
	run_deadline 120 unshare -m bash "$VB_TMP/fake-kvm.sh" 660
	! grep -q "cannot open /dev/kvm (mode" "$VB_TMP/pf-660.err" || fail "warned about a usable /dev/kvm"
	grep -Eq "ready +preflight" "$VB_TMP/doctor-660.out" || fail "doctor: $(grep preflight "$VB_TMP/doctor-660.out")"
}

# doctor, as a user who may not read tracefs (mounted mode 0700, as the
# kernel mounts it): "mounted ... cannot read", never "not mounted".
test_doctor_tracefs_unreadable_said_as_such() {
	command -v setpriv >/dev/null || { echo "    SKIP: no setpriv"; return 0; }
	[ "$(stat -c %a /sys/kernel/tracing 2>/dev/null)" = 700 ] ||
		{ echo "    SKIP: /sys/kernel/tracing is not mode 700 here"; return 0; }
	local vb
	vb=$(readlink -f "$VB")
	run_deadline 120 setpriv --reuid=65534 --regid=65534 --clear-groups "$vb" doctor \
		>"$VB_TMP/doctor-nobody.out" 2>&1 || true
	grep -Eq "MISSING +tracefs +mounted at /sys/kernel/tracing but this user cannot read it \(mode 700\)" \
		"$VB_TMP/doctor-nobody.out" || fail "$(grep tracefs "$VB_TMP/doctor-nobody.out")"
	! grep -q "not mounted" "$VB_TMP/doctor-nobody.out" || fail "doctor says tracefs is not mounted"
}

# The guest's QEMU stopped (SIGSTOP) for a few seconds inside a 2 s run, as
# a paused or starved VM is: that run is marked invalid with its reason,
# left out of the statistics and run again once.
test_guest_stalled_qemu_run_is_invalid() {
	local out=$VB_TMP/gstall run qemu
	spawn "$VB" run -p qemu -w cpu -r 2 -d 2 --no-trace -o "$out" >/dev/null 2>"$VB_TMP/stderr"
	run=$SPAWNED
	wait_until $((VB_GUEST_BOOT_S + 120)) "run 1 of the qemu cell" \
		grep -qE 'qemu cpu run 1/2|qemu: skipped' "$VB_TMP/stderr"
	if grep -q 'qemu: skipped' "$VB_TMP/stderr"; then
		kill_tree "$run" 5
		echo "    SKIP: qemu is not available here"
		return 0
	fi
	qemu=$(pgrep -f "guest=vbench-trace-$run-" | head -1)
	[ -n "$qemu" ] || fail "no QEMU process for this run's domain"
	sleep 0.5
	kill -STOP "$qemu"
	sleep 6
	kill -CONT "$qemu"
	wait_pid_deadline "$run" 120 "the run with a stalled guest" ||
		fail "the run failed: $(cat "$VB_TMP/stderr")"
	grep -q 'is invalid' "$VB_TMP/stderr" || fail "no warning on stderr: $(cat "$VB_TMP/stderr")"
	assert_py "$out/results.json" 'd["status"] == "complete"'
	assert_py "$out/results.json" '[r.get("valid", True) for r in d["platforms"][0]["workloads"][0]["runs"]].count(False) >= 1'
	assert_py "$out/results.json" 'd["platforms"][0]["workloads"][0]["stats"]["n"] == len([r for r in d["platforms"][0]["workloads"][0]["runs"] if r.get("valid", True)])'
	grep -q 'left out of every statistic' "$out/report.md" || fail "report.md has no warning"
	[ -z "$(guest_leftovers "$run")" ] || fail "domains left after run: $(guest_leftovers "$run")"
}
