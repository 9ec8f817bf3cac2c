# net: our iperf3 client and server against iperf3's own, on loopback, same
# parameters (1 stream, 128 KiB writes), interleaved rounds, medians.
# Sourced by tests/bench/run.sh, which calls each bench_* function.
#
#   VB_BENCH_ROUNDS  rounds per pair (default 3)
#   VB_BENCH_SECS    seconds per run (default 3)

NETB_ROUNDS=${VB_BENCH_ROUNDS:-3}
NETB_SECS=${VB_BENCH_SECS:-3}
NETB_BIN=${AGENT:-build/vbench-trace-agent}
NETB_PIDS=""

netb_cleanup() {
	local p
	for p in $NETB_PIDS; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

netb_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

netb_wait_listening() {
	local i
	for i in $(seq 50); do
		[ -n "$(ss -Hltn "sport = :$1")" ] && return 0
		sleep 0.1
	done
	echo "   nothing listens on port $1" >&2
	return 1
}

# netb_serve iperf3|ours: starts a server on a free port, sets NETB_PORT
# (not printed: a command substitution would wait on the server's stdout).
netb_serve() {
	NETB_PORT=$(netb_free_port)
	if [ "$1" = iperf3 ]; then
		iperf3 -s -B 127.0.0.1 -p "$NETB_PORT" >/dev/null 2>&1 &
	else
		"${VB:-build/vbench-trace}" net-server -p "$NETB_PORT" >/dev/null &
	fi
	NETB_PIDS="$NETB_PIDS $!"
	netb_wait_listening "$NETB_PORT"
}

# Mbit/s as iperf3 -c reports its sender (or, with r, receiver) summary.
netb_iperf3_c() {
	iperf3 -c 127.0.0.1 -p "$1" -t "$NETB_SECS" -l 128K -P 1 -J |
		python3 -c 'import json, sys; e = json.load(sys.stdin)["end"]; print(e["sum_sent"]["bits_per_second"] / 1e6)'
}

netb_ours_c() {
	"$NETB_BIN" workload net --server "127.0.0.1:$1" --duration "$NETB_SECS" --len 128K --streams 1 |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["score"])'
}

netb_median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# netb_line LABEL OURS... -- PEER...: the medians and their ratio.
netb_line() {
	local label=$1 o p
	shift
	o=$(netb_median $(printf '%s\n' "$@" | sed '/^--$/,$d'))
	p=$(netb_median $(printf '%s\n' "$@" | sed '1,/^--$/d'))
	awk -v l="$label" -v o="$o" -v p="$p" 'BEGIN {
		printf "%-11s ours %.0f Mbit/s  peer %.0f  ratio %.3f  (target >= 0.95)\n", l, o, p, o / p }'
}

bench_net() {
	command -v iperf3 >/dev/null || { echo "   skipped: iperf3 is not installed (apt-get install iperf3)"; return 0; }
	trap netb_cleanup EXIT
	local sport oport i ours=() peer=() osrv=() psrv=()
	netb_serve iperf3 || return 1
	sport=$NETB_PORT
	netb_serve ours || return 1
	oport=$NETB_PORT
	echo "   $NETB_ROUNDS rounds of ${NETB_SECS} s, 1 stream, 128 KiB writes, loopback, interleaved"
	# Clients: ours and iperf3 -c, both against iperf3 -s.
	for i in $(seq "$NETB_ROUNDS"); do
		ours+=("$(netb_ours_c "$sport")")
		peer+=("$(netb_iperf3_c "$sport")")
	done
	echo "   client rounds: ours ${ours[*]}; iperf3 -c ${peer[*]}"
	netb_line net "${ours[@]}" -- "${peer[@]}"
	# Servers: iperf3 -c against ours and against iperf3 -s.
	for i in $(seq "$NETB_ROUNDS"); do
		osrv+=("$(netb_iperf3_c "$oport")")
		psrv+=("$(netb_iperf3_c "$sport")")
	done
	echo "   server rounds: net-server ${osrv[*]}; iperf3 -s ${psrv[*]}"
	netb_line net-server "${osrv[@]}" -- "${psrv[@]}"
}
