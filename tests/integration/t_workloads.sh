# The five local workloads through both binaries, as the runner and the agent
# call them. Sourced by run.sh; each test_* runs under `set -eu`.

WL_LOCAL="cpu mem diskrand diskseq fork"

# Short options that make each workload finish in well under a second.
wl_short_opts() {
	case $1 in
	cpu) echo "--duration 0.3 --max-prime 5000" ;;
	mem) echo "--duration 0.3 --block-size 4k" ;;
	diskrand) echo "--duration 0.3 --file $2 --size 16M" ;;
	diskseq) echo "--duration 0.3 --file $2 --size 16M" ;;
	fork) echo "--duration 0.3" ;;
	esac
}

# check_wl_json FILE NAME: one line, one object, the fields workload_exec makes.
check_wl_json() {
	local file=$1 name=$2
	[ "$(wc -l <"$file")" -eq 1 ] || fail "$name: expected one line on stdout, got $(wc -l <"$file")"
	assert_py "$file" "d['workload'] == '$name' and d['ops'] > 0 and d['score'] > 0"
	assert_py "$file" "set(d) == {'workload', 'unit', 'higher_is_better', 'score', 'duration_s', 'ops', 'bytes', 'rusage', 'extra'}"
	assert_py "$file" "set(d['rusage']) == {'minflt', 'majflt', 'nvcsw', 'nivcsw', 'utime_s', 'stime_s'}"
	assert_py "$file" "0.3 <= d['duration_s'] < 3 and d['unit'] in ('events/s', 'MiB/s', 'forks/s')"
	assert_py "$file" "abs(d['score'] - (d['bytes'] / 2**20 if d['unit'] == 'MiB/s' else d['ops']) / d['duration_s']) <= 1e-6 * d['score']"
}

test_workloads_json_both_binaries() {
	local img=/var/tmp/vbench-it-wl-$$.img bin w
	trap "rm -f '$img'" EXIT
	for bin in "$VB" "$AGENT"; do
		for w in $WL_LOCAL; do
			# shellcheck disable=SC2046 # the options are words on purpose
			"$bin" workload "$w" $(wl_short_opts "$w" "$img") >"$VB_TMP/$w.json" 2>"$VB_TMP/$w.err" ||
				fail "$bin workload $w: exit $? ($(cat "$VB_TMP/$w.err"))"
			[ ! -s "$VB_TMP/$w.err" ] || fail "$bin workload $w wrote on stderr: $(cat "$VB_TMP/$w.err")"
			check_wl_json "$VB_TMP/$w.json" "$w"
		done
	done
	assert_py "$VB_TMP/cpu.json" "d['extra']['primes'] == 669" # below 5000
	assert_py "$VB_TMP/diskseq.json" "d['extra']['image_reused'] and d['extra']['direct']"
}

# The agent parses options again for every RUN line of one process.
test_workloads_agent_serve_many() {
	printf '%s\n' "RUN cpu --duration 0.1" "RUN mem --duration 0.1 --oper read" "RUN cpu --bogus" \
		"RUN fork --duration 0.1" "RUN mem --duration 0.1 --access rnd" QUIT |
		"$AGENT" serve >"$VB_TMP/serve.out" 2>"$VB_TMP/serve.err"
	python3 - "$VB_TMP/serve.out" <<'PY' || fail "agent serve frames (see $VB_TMP/serve.out)"
import json, re, sys
text = open(sys.argv[1]).read()
frames = [json.loads(m) for m in re.findall(r'@@VBENCH \d+ [0-9a-f]+\n(.*)\n', text)]
assert len(frames) == 6, frames                      # hello + five results
res = frames[1:]
assert [f['workload'] for f in res] == ['cpu', 'mem', 'cpu', 'fork', 'mem'], res
assert 'unknown option' in res[2]['error'], res[2]
for f in res[:2] + res[3:]:
    assert 'error' not in f and f['ops'] > 0, f
assert res[1]['extra']['oper'] == 'read' and res[4]['extra']['access'] == 'rnd'
PY
}

# Every read it counts is a read the block layer completed for its device.
test_workloads_diskrand_diskstats() {
	local img=/var/tmp/vbench-it-stats-$$.img maj min before after ops
	trap "rm -f '$img'" EXIT
	"$VB" workload diskrand --file "$img" --size 32M --duration 0.1 >/dev/null # prepares
	read -r maj min < <(stat -c '%Hd %Ld' "$img")
	reads() { awk -v a="$maj" -v b="$min" '$1 == a && $2 == b { print $4 }' /proc/diskstats; }
	before=$(reads)
	[ -n "$before" ] || fail "no /proc/diskstats line for $maj:$min (the device of $img)"
	"$VB" workload diskrand --file "$img" --size 32M --duration 1 >"$VB_TMP/dr.json"
	after=$(reads)
	ops=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ops"])' "$VB_TMP/dr.json")
	echo "diskrand ops $ops, device $maj:$min read completions $((after - before))"
	[ "$((after - before))" -ge "$ops" ] || fail "device completed $((after - before)) reads < $ops ops"
	[ "$((after - before))" -le "$((ops + ops / 20 + 20))" ] ||
		fail "device completed $((after - before)) reads, more than 5 % over $ops ops"
}

test_workloads_bad_options() {
	local bin args rc lines
	for bin in "$VB" "$AGENT"; do
		for args in "cpu --duration -1" "cpu --duration x" "fork --duration" "mem --block-size 1X" \
			"mem --oper copy" "mem --access sideways" "diskrand --size 10Q" \
			"diskseq --bogus" "fork extra" "cpu --max-prime 1"; do
			rc=0
			# shellcheck disable=SC2086
			"$bin" workload $args >"$VB_TMP/bad.out" 2>"$VB_TMP/bad.err" || rc=$?
			[ "$rc" -eq 2 ] || fail "$bin workload $args: exit $rc, expected 2"
			[ ! -s "$VB_TMP/bad.out" ] || fail "$bin workload $args: wrote on stdout"
			lines=$(wc -l <"$VB_TMP/bad.err")
			[ "$lines" -eq 1 ] || fail "$bin workload $args: $lines lines on stderr"
			grep -Eq '^vbench-trace(-agent)?: ' "$VB_TMP/bad.err" ||
				fail "$bin workload $args: stderr does not start with vbench-trace: $(cat "$VB_TMP/bad.err")"
		done
	done
}

test_workloads_help_names_peer() {
	local w
	for w in $WL_LOCAL; do
		"$VB" workload "$w" --help >"$VB_TMP/help.txt"
		grep -q -- '--duration SECONDS' "$VB_TMP/help.txt" || fail "$w --help has no --duration"
		grep -q 'peer: .*\(sysbench\|fio\|stress-ng\)' "$VB_TMP/help.txt" || fail "$w --help names no peer"
	done
}

# A device that cannot hold --size is read only as far as it goes; one that
# holds a filesystem is refused, mounted or not.
test_workloads_disk_block_device() {
	local img=/var/tmp/vbench-it-loop-$$.img dev rc
	WL_LOOPDEV= WL_MNT=$VB_TMP/wl-mnt
	trap "mountpoint -q '$WL_MNT' && umount '$WL_MNT'; [ -z \"\$WL_LOOPDEV\" ] || losetup -d \"\$WL_LOOPDEV\"; rm -f '$img'" EXIT
	truncate -s 8M "$img"
	WL_LOOPDEV=$(losetup --find --show "$img") || fail "losetup: no loop device for $img"
	dev=$WL_LOOPDEV
	"$VB" workload diskrand --file "$dev" --size 64M --duration 0.2 >"$VB_TMP/loop.json" 2>"$VB_TMP/loop.err"
	assert_py "$VB_TMP/loop.json" "d['extra']['size'] == 8 << 20 and d['extra']['block_device']"
	grep -q 'holds only' "$VB_TMP/loop.err" || fail "no warning about the device's size"
	[ "$(stat -c %s "$img")" -eq $((8 << 20)) ] || fail "the backing file grew"

	mkfs.ext4 -q -F "$dev"
	rc=0
	"$VB" workload diskseq --file "$dev" --size 4M --duration 0.1 2>"$VB_TMP/fs.err" || rc=$?
	[ "$rc" -eq 2 ] && grep -q -- '--overwrite' "$VB_TMP/fs.err" ||
		fail "a device holding ext4 was not refused (exit $rc: $(cat "$VB_TMP/fs.err"))"
	mkdir -p "$WL_MNT"
	mount "$dev" "$WL_MNT"
	rc=0
	"$VB" workload diskseq --file "$dev" --size 4M --duration 0.1 --overwrite 2>"$VB_TMP/mnt.err" || rc=$?
	[ "$rc" -eq 1 ] && grep -q 'in use' "$VB_TMP/mnt.err" ||
		fail "a mounted device was not refused (exit $rc: $(cat "$VB_TMP/mnt.err"))"
	[ -d "$WL_MNT/lost+found" ] || fail "the mounted filesystem was damaged"
}
