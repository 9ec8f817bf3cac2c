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
	on_exit rm -f "$img"
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
	assert_py "$VB_TMP/diskseq.json" "d['extra']['buffer'] in ('hugetlb', 'thp', 'pages')"
	assert_py "$VB_TMP/diskrand.json" "d['extra']['buffer'] == 'pages'" # one 4 KiB page
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
	on_exit rm -f "$img"
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

# A 1 MiB O_DIRECT read reaches the device as one request, as fio's does when
# its buffer is contiguous: the read buffer is a huge page, not 256 scattered
# pages (a loop device takes 128 segments, a virtio disk 254; scattered pages
# split every read in two). The loop device is the test's own, so its read
# counter holds our reads alone.
test_workloads_diskseq_one_request_per_read() {
	local back=/var/tmp/vbench-it-seqdev-$$.img mnt=$VB_TMP/seq-mnt dev
	on_exit rm -f "$back"
	truncate -s 96M "$back"
	dev=$(losetup --find --show "$back") || fail "losetup: no loop device for $back"
	on_exit losetup -d "$dev"
	mkfs.ext4 -q -F "$dev"
	mkdir -p "$mnt"
	mount "$dev" "$mnt"
	on_exit umount "$mnt"
	"$VB" workload diskseq --file "$mnt/img" --size 32M --duration 0.1 >/dev/null # prepares
	"$VB" workload diskseq --file "$mnt/img" --size 32M --duration 1 >"$VB_TMP/seq.json"
	python3 -c 'import json, sys; x = json.load(open(sys.argv[1]))["extra"]; print("diskseq buffer", x["buffer"], "device reads per op", x["device_reads_per_op"])' "$VB_TMP/seq.json"
	assert_py "$VB_TMP/seq.json" "d['ops'] >= 20 and d['extra']['direct']"
	assert_py "$VB_TMP/seq.json" "d['extra']['buffer'] in ('hugetlb', 'thp')"
	assert_py "$VB_TMP/seq.json" "1.0 <= d['extra']['device_reads_per_op'] <= 1.05"
	# a tmpfs file sits on no block device: the field says it cannot tell
	[ "$(stat -f -c %T /dev/shm)" = tmpfs ] || return 0
	on_exit rm -f "/dev/shm/vbench-it-nodev-$$.img"
	"$VB" workload diskseq --file "/dev/shm/vbench-it-nodev-$$.img" --size 4M --duration 0.1 \
		--buffered >"$VB_TMP/nodev.json"
	assert_py "$VB_TMP/nodev.json" "d['extra']['device_reads_per_op'] is None"
}

# On a full filesystem diskrand removes the partial image it created (and only
# that), cuts an image it extended back to its length, and says how much it needed.
test_workloads_diskrand_full_filesystem() {
	local mnt=$VB_TMP/full-mnt rc
	mkdir -p "$mnt"
	mount -t tmpfs -o size=32M tmpfs "$mnt"
	on_exit umount "$mnt"
	rc=0
	"$VB" workload diskrand --file "$mnt/img" --size 200M --buffered --duration 0.1 \
		>"$VB_TMP/full.out" 2>"$VB_TMP/full.err" || rc=$?
	cat "$VB_TMP/full.err"
	[ "$rc" -eq 1 ] || fail "exit $rc on a full filesystem, expected 1"
	grep -q 'is full' "$VB_TMP/full.err" || fail "the message does not say the filesystem is full"
	grep -q '200.0 MiB' "$VB_TMP/full.err" || fail "the message does not say how much it needed"
	[ ! -e "$mnt/img" ] || fail "the partial image $mnt/img was left behind"
	[ "$(df --output=used -B1 "$mnt" | tail -1)" -lt $((1 << 20)) ] || fail "the filesystem stayed full"

	# an image it found is not removed, only cut back, and still reused
	"$VB" workload diskrand --file "$mnt/img" --size 8M --buffered --duration 0.1 >/dev/null
	rc=0
	"$VB" workload diskrand --file "$mnt/img" --size 200M --buffered --duration 0.1 \
		>/dev/null 2>"$VB_TMP/grow.err" || rc=$?
	[ "$rc" -eq 1 ] && grep -q 'cut back' "$VB_TMP/grow.err" ||
		fail "growing an image on a full filesystem: exit $rc: $(cat "$VB_TMP/grow.err")"
	[ "$(stat -c %s "$mnt/img")" -eq $((8 << 20)) ] || fail "the found image was not cut back to 8 MiB"
	"$VB" workload diskrand --file "$mnt/img" --size 8M --buffered --duration 0.1 >"$VB_TMP/again.json"
	assert_py "$VB_TMP/again.json" "d['extra']['image_reused']"

	# a write refused half way (the file size limit, 4 MiB) also removes what it created
	rc=0
	(
		ulimit -f 4096
		trap '' XFSZ
		exec "$VB" workload diskrand --file "$mnt/big" --size 8M --buffered --duration 0.1
	) >/dev/null 2>"$VB_TMP/fsize.err" || rc=$?
	[ "$rc" -eq 1 ] && grep -q 'cannot write the image.*was removed' "$VB_TMP/fsize.err" ||
		fail "a write failing half way: exit $rc: $(cat "$VB_TMP/fsize.err")"
	[ ! -e "$mnt/big" ] || fail "the half-written $mnt/big was left behind"
}
