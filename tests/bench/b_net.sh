# net: our iperf3 client and server against iperf3's own, on loopback, same
# parameters (1 stream, 128 KiB writes), in rounds whose order flips every
# round (tests/bench/lib.sh), the ratio per order and overall.
# Sourced by tests/bench/run.sh, which calls each bench_* function.
#
#   VB_BENCH_ROUNDS  rounds per pair (default 4: 2 in each order)
#   VB_BENCH_SECS    seconds per run (default 3)

NETB_ROUNDS=${VB_BENCH_ROUNDS:-4}
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

bench_net() {
	command -v iperf3 >/dev/null || { echo "   skipped: iperf3 is not installed (apt-get install iperf3)"; return 0; }
	trap netb_cleanup EXIT
	local sport oport
	netb_serve iperf3 || return 1
	sport=$NETB_PORT
	netb_serve ours || return 1
	oport=$NETB_PORT
	echo "   $NETB_ROUNDS rounds of ${NETB_SECS} s, 1 stream, 128 KiB writes, loopback, order flipped every round"
	# Clients: ours and iperf3 -c, both against iperf3 -s.
	bench_rounds "$NETB_ROUNDS" "$VB_TMP/net-client" ours "netb_ours_c $sport" iperf3 "netb_iperf3_c $sport" ||
		return 1
	bench_ratio "$VB_TMP/net-client" "client" ours iperf3 ">= 0.95" Mbit/s
	# Servers: iperf3 -c against ours and against iperf3 -s.
	bench_rounds "$NETB_ROUNDS" "$VB_TMP/net-server" ours "netb_iperf3_c $oport" iperf3 "netb_iperf3_c $sport" ||
		return 1
	bench_ratio "$VB_TMP/net-server" "net-server" ours iperf3 ">= 0.95" Mbit/s
}
