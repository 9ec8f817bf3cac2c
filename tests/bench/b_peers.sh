# Our local workloads against the tools people trust, same parameters, same
# machine, interleaved (ours, peer, peer, ours...), medians of the rounds.
# Sourced by tests/bench/run.sh, which calls each bench_* function.
#
#   VB_BENCH_ROUNDS  rounds per pair (default 5)
#   VB_BENCH_SECS    seconds per run (default 2)
#   VB_BENCH_DISK    image size for the disk pair (default 512M)

PEER_ROUNDS=${VB_BENCH_ROUNDS:-5}
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

peer_sysbench_mem() {
	sysbench memory --memory-block-size=1K --memory-oper=write --memory-access-mode=seq \
		--time="$PEER_SECS" run | sed -n 's/.*(\([0-9.]*\) MiB\/sec).*/\1/p'
}

# peer_fio FILE RW BS: MiB/s of one psync direct job on FILE.
peer_fio() {
	fio --name=vb --filename="$1" --size="$PEER_DISK" --rw="$2" --bs="$3" --direct=1 \
		--ioengine=psync --runtime="$PEER_SECS" --time_based --output-format=json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["jobs"][0]["read"]["bw_bytes"] / 2**20)'
}

peer_stress_fork() {
	stress-ng --fork 1 -t "$PEER_SECS" --metrics-brief 2>&1 |
		awk '/metrc:/ && $4 == "fork" { print $9 }'
}

peer_median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# peer_compare LABEL UNIT TARGET "OURS CMD" "PEER CMD": rounds, interleaved.
peer_compare() {
	local label=$1 unit=$2 target=$3 ours_cmd=$4 peer_cmd=$5 i o p
	local ours=() peer=()
	for ((i = 0; i < PEER_ROUNDS; i++)); do
		# Alternate who goes first: the disk's own cache (here, the host's
		# page cache behind a virtual disk) favours whoever reads second.
		if ((i % 2)); then
			p=$(eval "$peer_cmd") && o=$(eval "$ours_cmd")
		else
			o=$(eval "$ours_cmd") && p=$(eval "$peer_cmd")
		fi
		[ -n "$o" ] && [ -n "$p" ] || {
			echo "   $label: a run failed (ours '$o', peer '$p')"
			return 1
		}
		ours+=("$o")
		peer+=("$p")
	done
	o=$(peer_median "${ours[@]}")
	p=$(peer_median "${peer[@]}")
	printf '%-8s ours %.1f %s  peer %.1f  ratio %.3f  (target %s)\n' "$label" "$o" "$unit" "$p" \
		"$(awk -v a="$o" -v b="$p" 'BEGIN { print a / b }')" "$target"
	# A shared machine's load moves single rounds a lot: show them, and the load.
	printf '         rounds: ours %s/ peer %s(load %s)\n' "$(printf '%.1f ' "${ours[@]}")" \
		"$(printf '%.1f ' "${peer[@]}")" "$(cut -d' ' -f1 /proc/loadavg)"
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
