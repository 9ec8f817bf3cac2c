#!/usr/bin/env bash
# Integration tests (root): real BPF in the real kernel, real dockerd,
# libvirtd and QEMU, real iperf3/sysbench/fio as peers. Each tests/integration/
# t_*.sh defines test_* functions; each runs in a subshell with a time limit.
# Closing line: "integration: N passed, N failed".
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
export VB=$BUILD/vbench-trace AGENT=$BUILD/vbench-trace-agent
export VB_TMP=$(mktemp -d /tmp/vbench-it.XXXXXX)
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
		if timeout 900 bash -c "set -eu; cd '$PWD'; source tests/integration/lib.sh; source $f; $t" \
			>"$VB_TMP/$t.log" 2>&1; then
			pass=$((pass + 1))
			echo "  ok   $t ($(($(date +%s) - start)) s)"
		else
			fail=$((fail + 1))
			failed+=("$t")
			echo "  FAIL $t ($(($(date +%s) - start)) s)"
			sed 's/^/      /' "$VB_TMP/$t.log" | tail -40
		fi
	done
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
