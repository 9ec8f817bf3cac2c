#!/usr/bin/env bash
# Integration tests (root): real BPF in the real kernel, real dockerd,
# libvirtd and QEMU, real iperf3/sysbench/fio as peers. Each tests/integration/
# t_*.sh defines test_* functions; each runs in a bash of its own, in a process
# group of its own, with a time limit.
# Closing line: "integration: N passed, N failed".
#
#   VB_ONLY=SUBSTRING     run only the tests whose names contain it
#   VB_TEST_TIMEOUT=S     per-test limit (default 900 s). A test's own deadlines
#                         (lib.sh: wait_pid_deadline, run_deadline, wait_until)
#                         are shorter and fire first, naming what they waited
#                         for; this limit only catches a wait that has none.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
source tests/integration/lib.sh
export VB=$BUILD/vbench-trace AGENT=$BUILD/vbench-trace-agent
export VB_TMP=$(mktemp -d /tmp/vbench-it.XXXXXX)
limit=${VB_TEST_TIMEOUT:-900}
# Time a timed-out test's on_exit handlers get between SIGTERM and SIGKILL.
grace=30
current=""
interrupted() {
	[ -n "$current" ] && kill_tree "$current" 5
	exit 130
}
trap interrupted INT TERM
trap 'rm -rf "$VB_TMP"' EXIT
pass=0
fail=0
failed=()
only=${VB_ONLY:-}
for f in tests/integration/t_*.sh; do
	for t in $(bash -c "source tests/integration/lib.sh; source $f; declare -F" |
		awk '$3 ~ /^test_/ { print $3 }'); do
		[ -n "$only" ] && [[ "$t" != *$only* ]] && continue
		start=$(date +%s)
		# setsid: the test leads a process group of its own (its pid is the
		# group's id), so a timeout ends everything it started and nothing else.
		# The log is opened for appending: run.sh adds to it while the test writes.
		: >"$VB_TMP/$t.log"
		# env --default-signal: bash starts an asynchronous command with SIGINT
		# and SIGQUIT ignored, and an ignored signal stays ignored in everything
		# the test runs; tests that send SIGINT need it back to the default.
		env --default-signal=INT,QUIT setsid -w \
			bash -c "set -eu; cd '$PWD'; source tests/integration/lib.sh; source $f; $t" \
			>>"$VB_TMP/$t.log" 2>&1 </dev/null &
		current=$!
		timed_out=0
		if ! vb_wait_gone "$current" "$limit"; then
			timed_out=1
			echo "    TIMEOUT: $t still running after $limit s (none of its own deadlines fired);" \
				"killing its process group $current" >>"$VB_TMP/$t.log"
			kill_tree "$current" "$grace"
		fi
		rc=0
		wait "$current" || rc=$?
		# What the test left running in its group would skew the next test.
		# (Zombies are left out: their parent's exit has not been reaped yet.)
		left=$(ps -e -o pgid=,stat=,pid=,args= |
			awk -v g="$current" '$1 == g && $2 !~ /^Z/ { $1 = $2 = ""; print substr($0, 3, 100) }')
		if [ -n "$left" ]; then
			echo "    note: $t left processes running (killed now):" >>"$VB_TMP/$t.log"
			echo "$left" | sed 's/^/      /' >>"$VB_TMP/$t.log"
			kill -KILL -- "-$current" 2>/dev/null
		fi
		pgid=$current
		current=""
		secs=$(($(date +%s) - start))
		if [ "$rc" -eq 0 ] && [ "$timed_out" -eq 0 ]; then
			pass=$((pass + 1))
			echo "  ok   $t ($secs s)"
			[ -n "$left" ] && sed -n '/note: .* left processes/,$p' "$VB_TMP/$t.log"
		else
			fail=$((fail + 1))
			failed+=("$t")
			if [ "$timed_out" -eq 1 ]; then
				echo "  FAIL $t ($secs s): TIMEOUT after $limit s, process group $pgid killed"
			else
				echo "  FAIL $t ($secs s)"
			fi
			sed 's/^/      /' "$VB_TMP/$t.log" | tail -40
		fi
	done
done
echo "integration: $pass passed, $fail failed${failed[*]:+ (${failed[*]})}"
[ "$fail" -eq 0 ]
