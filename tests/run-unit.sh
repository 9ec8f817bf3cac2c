#!/usr/bin/env bash
# Runs cmocka test binaries, then one closing line: "unit: N passed, N failed".
set -u
pass=0
fail=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | grep -o '\[  PASSED  \] [0-9]*' | awk '{ print $NF }' | tail -1)
	f=$(printf '%s\n' "$out" | grep -o '\[  FAILED  \] [0-9][0-9]*' | awk '{ print $NF }' | tail -1)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out"
		[ -z "$f" ] && fail=$((fail + 1)) # crashed before cmocka could count
		echo "FAILED: $t (exit $rc)"
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
