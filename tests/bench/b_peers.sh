# Our local workloads against the tools people trust, same parameters, same
# machine, in rounds whose order flips every round (ours peer, peer ours...;
# tests/bench/lib.sh), the ratio of each round summarised per order and overall.
# Sourced by tests/bench/run.sh, which calls each bench_* function.
#
#   VB_BENCH_ROUNDS  rounds per pair (default 6: 3 in each order)
#   VB_BENCH_SECS    seconds per run (default 2)
#   VB_BENCH_DISK    image size for the disk pair (default 512M)

PEER_ROUNDS=${VB_BENCH_ROUNDS:-6}
PEER_SECS=${VB_BENCH_SECS:-2}
PEER_DISK=${VB_BENCH_DISK:-512M}
PEER_BIN=${AGENT:-build/vbench-trace-agent}

peer_need() {
	command -v "$1" >/dev/null && return 0
	echo "   skipped: $1 is not installed (apt-get install $1)"
	return 1
}

# ours NAME ARGS...: our score.
peer_ours() {
	"$PEER_BIN" workload "$@" | python3 -c 'import json, sys; print(json.load(sys.stdin)["score"])'
}

peer_sysbench_cpu() {
	sysbench cpu --cpu-max-prime=10000 --threads=1 --time="$PEER_SECS" run |
		awk '/events per second:/ { print $4 }'
}

# peer_sysbench_mem [BLOCK]: MiB/s of sysbench's sequential write (default 1K).
peer_sysbench_mem() {
	sysbench memory --memory-block-size="${1:-1K}" --memory-oper=write --memory-access-mode=seq \
		--memory-total-size=100G --time="$PEER_SECS" run | sed -n 's/.*(\([0-9.]*\) MiB\/sec).*/\1/p'
}

# peer_fio FILE RW BS: MiB/s of one psync direct job on FILE. Our reads land
# in a huge page (one device request, one segment); where hugetlb pages are
# reserved fio's do too (--iomem=mmaphuge), else fio's malloc'd buffer is
# small pages, whose scatter makes more segments per read and can split it.
peer_fio() {
	local iomem=malloc
	[ "$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)" -ge 2 ] && iomem=mmaphuge
	fio --name=vb --filename="$1" --size="$PEER_DISK" --rw="$2" --bs="$3" --direct=1 \
		--iomem="$iomem" --ioengine=psync --runtime="$PEER_SECS" --time_based --output-format=json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["jobs"][0]["read"]["bw_bytes"] / 2**20)'
}

peer_stress_fork() {
	stress-ng --fork 1 -t "$PEER_SECS" --metrics-brief 2>&1 |
		awk '/metrc:/ && $4 == "fork" { print $9 }'
}

# peer_compare LABEL UNIT TARGET "OURS CMD" "PEER CMD": rounds in both
# orders (tests/bench/lib.sh), the ratio per round, per order and overall.
peer_compare() {
	local label=$1 unit=$2 target=$3 ours_cmd=$4 peer_cmd=$5 out=$VB_TMP/peer-$1
	bench_rounds "$PEER_ROUNDS" "$out" ours "$ours_cmd" peer "$peer_cmd" ||
		{ echo "   $label: a run failed"; return 1; }
	bench_ratio "$out" "$label" ours peer "$target" "$unit"
}

bench_peers_cpu() {
	peer_need sysbench || return 0
	peer_compare cpu events/s 0.95-1.05 \
		'peer_ours cpu --duration $PEER_SECS --max-prime 10000 --threads 1' peer_sysbench_cpu
}

bench_peers_mem() {
	peer_need sysbench || return 0
	peer_compare mem MiB/s '>= 0.95' \
		'peer_ours mem --duration $PEER_SECS --block-size 1K --oper write --access seq' \
		peer_sysbench_mem
}

# At 1 MiB blocks sysbench's per-event timing vanishes: the store loops must agree.
bench_peers_mem_1m() {
	peer_need sysbench || return 0
	peer_compare mem-1M MiB/s 0.95-1.05 \
		'peer_ours mem --duration $PEER_SECS --block-size 1M --oper write --access seq' \
		'peer_sysbench_mem 1M'
}

# Both disk pairs read one image our workload prepared: same file, same size.
peer_disk_pair() {
	local name=$1 rw=$2 bs=$3 img
	peer_need fio || return 0
	img=/var/tmp/vbench-bench-$$.img
	trap "rm -f '$img'" EXIT
	"$PEER_BIN" workload "$name" --file "$img" --size "$PEER_DISK" --duration 0.1 >/dev/null || return 1
	peer_compare "$name" MiB/s 0.9-1.1 \
		"peer_ours $name --duration \$PEER_SECS --file $img --size \$PEER_DISK --block-size $bs" \
		"peer_fio $img $rw $bs"
}

bench_peers_diskrand() {
	peer_disk_pair diskrand randread 4k
}

bench_peers_diskseq() {
	peer_disk_pair diskseq read 1M
}

bench_peers_fork() {
	peer_need stress-ng || return 0
	peer_compare fork forks/s '>= 0.9' 'peer_ours fork --duration $PEER_SECS' peer_stress_fork
}
