#!/usr/bin/env bash
# Runs the libFuzzer harnesses built from tests/fuzz/fuzz_<name>.c.
#
#   bash tests/fuzz/run.sh SECONDS BIN...   fuzz each for SECONDS (make fuzz)
#   bash tests/fuzz/run.sh smoke BIN...     replay each one's corpus and
#                                           regressions, then fuzz it briefly
#                                           (make fuzz-smoke; FUZZ_SMOKE_SECONDS, default 5)
#
# Seeds are read from tests/fuzz/corpus/<name>/ and never written; what the
# fuzzer finds goes to BUILD/fuzz/corpus/<name>/ (kept between runs) and
# crashes to BUILD/fuzz/crashes/<name>/. Reproducers of fixed crashes live in
# tests/fuzz/regressions/<name>/; tests/fuzz/pending/<name>/ holds those not
# fixed yet, which the smoke leaves out. Exits 1 when any harness failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage: run.sh SECONDS|smoke BIN...}
shift
if [ "$mode" = smoke ]; then
	seconds=${FUZZ_SMOKE_SECONDS:-5}
else
	seconds=$mode
fi
failed=()
summary=()

for bin in "$@"; do
	name=$(basename "$bin")
	build=$(dirname "$bin")
	seeds=$here/corpus/$name
	found=$build/corpus/$name
	crashes=$build/crashes/$name
	log=$build/$name.log
	mkdir -p "$found" "$crashes"
	# Control-protocol and report code print errors for bad input on every
	# run; libFuzzer keeps its own copy of stderr for what matters.
	opts=(-close_fd_mask=3 -max_len=8192 -timeout=10 -rss_limit_mb=2048
		"-artifact_prefix=$crashes/")

	if [ "$mode" = smoke ]; then
		replay=("$seeds")
		[ -d "$here/regressions/$name" ] && replay+=("$here/regressions/$name")
		if ! "$bin" "${opts[@]}" -runs=0 "${replay[@]}" >"$log" 2>&1; then
			echo "vbench-trace fuzz: $name fails on its corpus or a regression; see $log" >&2
			failed+=("$name")
			continue
		fi
	fi
	if ! "$bin" "${opts[@]}" -seed=1 -max_total_time="$seconds" "$found" "$seeds" \
		>"$log" 2>&1; then
		echo "vbench-trace fuzz: $name crashed; the input is in $crashes, the report in $log" >&2
		failed+=("$name")
		continue
	fi
	# "#123456	DONE   cov: 310 ft: 1012 corp: ..." and "Done 123456 runs in 5 second(s)"
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	summary+=("$(printf '%-18s cov %-6s ft %-6s runs %s' "$name" \
		"$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$last")" \
		"$(sed -E 's/.*ft: ([0-9]+).*/\1/' <<<"$last")" \
		"$(sed -E 's/^#([0-9]+).*/\1/' <<<"$last")")")
done

printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "vbench-trace fuzz: ${#failed[@]} harness(es) failed: ${failed[*]}" >&2
	exit 1
fi
echo "fuzz: ${#summary[@]} harnesses ran ${seconds} s each, no crash"
