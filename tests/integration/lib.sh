# Shared by the integration tests: sourced, not run.
# Each test file defines functions named test_*; run.sh calls them, each in a
# bash of its own (under `set -eu`, in a process group of its own).
#
# Deadlines: every wait in a test has one, and it is shorter than run.sh's
# per-test limit (VB_TEST_TIMEOUT), so the test's own message says what it
# waited for. A missed deadline kills what was waited on and ends the test.
# Seconds are whole numbers.
#
#   spawn CMD...                 CMD in the background in a process group of its
#                                own; $SPAWNED is its pid; killed on exit
#   wait_pid_deadline PID S [WHAT]   wait for PID at most S seconds
#   run_deadline S CMD...        run CMD, at most S seconds
#   wait_until S WHAT CMD...     poll CMD until it succeeds, at most S seconds
#   on_exit CMD...               run CMD when the test ends, however it ends
#   kill_tree PID [GRACE]        end PID, its descendants and their groups
VB=${VB:-build/vbench-trace}
AGENT=${AGENT:-build/vbench-trace-agent}

# The tool waits this long for a guest's hello (platforms/libvirt.c,
# HELLO_TIMEOUT_S); a test waiting for a guest allows the tool's wait plus
# a margin, so the tool's own message comes first.
VB_HELLO_S=120
VB_GUEST_BOOT_S=$((VB_HELLO_S + 60))

fail() {
	echo "    FAIL: $*" >&2
	return 1
}

# assert_py FILE PYTHON-EXPR: evaluates a Python expression over the parsed
# JSON document bound to `d`; fails when it is false.
assert_py() {
	local file=$1 expr=$2
	python3 - "$file" "$expr" <<'PY' || fail "$expr (in $file)"
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
sys.exit(0 if ok else 1)
PY
}

# --- cleanup registry -------------------------------------------------------

VB_ON_EXIT=()

# on_exit CMD...: runs CMD when the test's bash exits (success, failure under
# set -e, a missed deadline, or run.sh's SIGTERM), last registered first.
# One argument is a shell string, evaluated then ('kill $SRV' sees SRV's value
# at exit); several are a command and its arguments, quoted now. Each handler
# runs in a subshell with a deadline of 60 s; a failing handler does not stop
# the others. Use on_exit, never `trap ... EXIT`, which would replace it.
on_exit() {
	if [ $# -eq 1 ]; then
		VB_ON_EXIT+=("$1")
	else
		VB_ON_EXIT+=("$(printf '%q ' "$@")")
	fi
	if [ -z "${VB_ON_EXIT_SET:-}" ]; then
		VB_ON_EXIT_SET=1
		trap vb_run_on_exit EXIT
		trap 'exit 143' TERM
		trap 'exit 130' INT
	fi
}

vb_run_on_exit() {
	local rc=$? i pid
	set +e
	trap - TERM INT
	for ((i = ${#VB_ON_EXIT[@]} - 1; i >= 0; i--)); do
		(eval "${VB_ON_EXIT[i]}") </dev/null &
		pid=$!
		if ! vb_wait_gone "$pid" 60; then
			echo "    FAIL: deadline: cleanup '${VB_ON_EXIT[i]}' still running after 60 s; killed it" >&2
			kill_tree "$pid" 2
			rc=1
		fi
		wait "$pid" 2>/dev/null
	done
	VB_ON_EXIT=()
	exit "$rc"
}

# --- processes and deadlines ------------------------------------------------

# PID and its descendants, parents first.
vb_tree() {
	local c
	[ -d "/proc/$1" ] || return 0
	echo "$1"
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		vb_tree "$c"
	done
}

# PID exists and is not a zombie (a command name may hold spaces and ')').
vb_alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}

vb_pgid() {
	ps -o pgid= -p "$1" 2>/dev/null | tr -d ' '
}

# kill_tree PID [GRACE]: SIGTERM to PID, to each of its descendants and to
# every process group they lead or belong to (but the caller's own group),
# then SIGKILL to whatever is left after GRACE seconds (default 5).
kill_tree() {
	local root=$1 grace=${2:-5} own p g pids groups="" i
	own=$(vb_pgid "$BASHPID")
	pids=$(vb_tree "$root")
	[ -n "$pids" ] || return 0
	for p in $pids; do
		g=$(vb_pgid "$p")
		[ -n "$g" ] && [ "$g" != "$own" ] && [[ " $groups " != *" $g "* ]] && groups="$groups $g"
	done
	for g in $groups; do kill -TERM -- "-$g" 2>/dev/null; done
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	for ((i = 0; i < grace * 5; i++)); do
		for p in $pids; do
			vb_alive "$p" && break
			p=""
		done
		[ -z "$p" ] && return 0
		sleep 0.2
	done
	for g in $groups; do kill -KILL -- "-$g" 2>/dev/null; done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	return 0
}

# vb_wait_gone PID SECONDS: 0 once PID has ended (or is a zombie), 1 at the
# deadline. Polls every 0.2 s.
vb_wait_gone() {
	local pid=$1 end=$(($(vb_now_ms) + $2 * 1000))
	while vb_alive "$pid"; do
		[ "$(vb_now_ms)" -ge "$end" ] && return 1
		sleep 0.2
	done
	return 0
}

vb_now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# The number of BPF programs loaded on the machine.
bpf_prog_count() {
	bpftool prog list 2>/dev/null | grep -c '^[0-9]' || true
}

# Whether the machine has exactly $1 BPF programs loaded: for wait_until,
# since the kernel frees a closed raw tracepoint's program after RCU grace
# periods, some hundreds of ms after the process went.
bpf_prog_count_is() {
	[ "$(bpf_prog_count)" = "$1" ]
}

# spawn CMD...: starts the program CMD in the background, in a process group
# (and session) of its own, so a deadline can end it and everything it
# started without touching the test itself; it takes SIGINT. Sets SPAWNED to its pid (also
# its group id) and registers kill_tree for it with on_exit. Redirections
# given to spawn apply to CMD: `spawn "$VB" net-server -p 0 >out 2>err`.
spawn() {
	# With SIGINT and SIGQUIT at their defaults, as for a program run in the
	# foreground (bash would start it with both ignored), so a test can
	# interrupt it.
	env --default-signal=INT,QUIT setsid -w "$@" &
	SPAWNED=$!
	on_exit "kill_tree $SPAWNED"
}

# wait_pid_deadline PID SECONDS [WHAT]: waits for PID to end and returns its
# exit status (0 when PID is not this shell's child). When it is still running
# after SECONDS, prints "FAIL: deadline: WHAT (pid PID) still running after
# SECONDS s", kills it with kill_tree and ends the test with status 1
# (on_exit handlers run). WHAT defaults to PID's command line.
wait_pid_deadline() {
	local pid=$1 secs=$2 what=${3:-} rc=0
	[ -n "$what" ] || what=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | cut -c1-120)
	if ! vb_wait_gone "$pid" "$secs"; then
		echo "    FAIL: deadline: ${what:-process} (pid $pid) still running after $secs s; killed it and its process group" >&2
		kill_tree "$pid"
		wait "$pid" 2>/dev/null
		exit 1
	fi
	# bash keeps the status of its own children; another process's is unknown.
	{ wait "$pid"; } 2>"${VB_TMP:-/tmp}/.wait.$BASHPID" || rc=$?
	if [ "$rc" -eq 127 ] && grep -q 'not a child' "${VB_TMP:-/tmp}/.wait.$BASHPID"; then
		rc=0
	fi
	rm -f "${VB_TMP:-/tmp}/.wait.$BASHPID"
	return "$rc"
}

# run_deadline SECONDS CMD...: runs the program CMD in the foreground and
# returns its status. When it is still running after SECONDS, timeout(1)
# sends SIGTERM (SIGKILL 5 s later) to it and what it started, and the test
# ends with status 1 after "FAIL: deadline: CMD did not finish within S s".
run_deadline() {
	local secs=$1 rc=0 start
	shift
	start=$(vb_now_ms)
	timeout --kill-after=5 "$secs" "$@" || rc=$?
	if { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && [ $(($(vb_now_ms) - start)) -ge $((secs * 1000)) ]; then
		echo "    FAIL: deadline: '$*' did not finish within $secs s (killed)" >&2
		exit 1
	fi
	return "$rc"
}

# wait_until SECONDS WHAT CMD...: runs CMD (a program or a function) every
# 0.2 s until it succeeds; returns 0 then. At the deadline prints
# "FAIL: deadline: WHAT not within SECONDS s" and returns 1 (the test goes on
# only where the caller handles it: `wait_until ... || { ...; }`).
wait_until() {
	local secs=$1 what=$2 end
	shift 2
	end=$(($(vb_now_ms) + secs * 1000))
	until "$@"; do
		if [ "$(vb_now_ms)" -ge "$end" ]; then
			echo "    FAIL: deadline: $what not within $secs s" >&2
			return 1
		fi
		sleep 0.2
	done
}
