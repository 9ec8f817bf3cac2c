# net: our iperf3 client against a stock `iperf3 -s`, a stock `iperf3 -c`
# against `vbench-trace net-server`, and broken peers (a small Python script)
# on both sides. Loopback only, ephemeral ports; whatever a test starts, its
# EXIT trap kills by PID. Sourced by run.sh; each test_* runs under `set -eu`.

NET_PIDS=""

net_cleanup() {
	local p
	for p in $NET_PIDS; do
		kill "$p" 2>/dev/null || true
	done
	for p in $NET_PIDS; do
		wait "$p" 2>/dev/null || true
	done
}

net_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

net_wait_listening() {
	local port=$1 i
	for i in $(seq 50); do
		[ -n "$(ss -Hltn "sport = :$port")" ] && return 0
		sleep 0.1
	done
	fail "nothing listens on 127.0.0.1:$port after 5 s"
}

# net_iperf3_server: a stock `iperf3 -s -1` on a free port; sets NET_PORT, NET_SRV.
net_iperf3_server() {
	NET_PORT=$(net_free_port)
	iperf3 -s -1 -B 127.0.0.1 -p "$NET_PORT" >"$VB_TMP/iperf3-s.$NET_PORT.log" 2>&1 &
	NET_SRV=$!
	NET_PIDS="$NET_PIDS $NET_SRV"
	net_wait_listening "$NET_PORT"
}

# net_our_server [ARGS]: `vbench-trace net-server -p 0`; sets NET_PORT, NET_SRV.
net_our_server() {
	local i
	: >"$VB_TMP/ns.out"
	: >"$VB_TMP/ns.err"
	$VB net-server -p 0 "$@" >"$VB_TMP/ns.out" 2>"$VB_TMP/ns.err" &
	NET_SRV=$!
	NET_PIDS="$NET_PIDS $NET_SRV"
	for i in $(seq 50); do
		NET_PORT=$(sed -n 's/^net-server: listening on .* port \([0-9]*\)$/\1/p' "$VB_TMP/ns.out")
		[ -n "$NET_PORT" ] && return 0
		sleep 0.1
	done
	fail "net-server printed no 'listening on' line: $(cat "$VB_TMP/ns.out" "$VB_TMP/ns.err")"
}

# The broken peers: `peer.py server MODE PORTFILE` is a server that fails in
# one way; `peer.py client MODE PORT` a client that does, and exits 0 when
# our server answered as it should (closed, or sent SERVER_ERROR) within 5 s.
net_write_peer() {
	cat >"$VB_TMP/peer.py" <<'PY'
import json, os, select, socket, struct, sys, time

def recvn(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b

def send_json(s, o):
    b = json.dumps(o).encode()
    s.sendall(struct.pack(">I", len(b)) + b)

def recv_json(s):
    return json.loads(recvn(s, struct.unpack(">I", recvn(s, 4))[0]))

def serve_until_test_end(ls, c):
    recvn(c, 37)
    c.sendall(b"\x09")
    p = recv_json(c)
    c.sendall(b"\x0a")
    streams = []
    for _ in range(p.get("parallel", 1)):
        d, _ = ls.accept()
        recvn(d, 37)
        streams.append(d)
    c.sendall(b"\x01\x02")
    while True:
        r, _, _ = select.select([c] + streams, [], [], 30)
        for x in r:
            if x is c:
                if recvn(c, 1) == b"\x04":
                    return streams
            else:
                x.recv(1 << 20)

def server(mode, portfile):
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    fill = []
    if mode == "backlog":
        # A listener whose accept queue is full drops SYNs: a black hole.
        ls.listen(0)
        try:
            for _ in range(4):
                fill.append(socket.create_connection(ls.getsockname(), timeout=0.5))
        except socket.timeout:
            pass
    else:
        ls.listen(8)
    open(portfile + ".tmp", "w").write(str(ls.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    if mode == "backlog":
        time.sleep(60)
    c, _ = ls.accept()
    if mode == "denied":
        c.sendall(b"\xff")
    elif mode == "error":
        recvn(c, 37)
        c.sendall(b"\xfe" + struct.pack(">ii", 13, 0))
    elif mode == "close":
        recvn(c, 37)
        c.close()
    elif mode == "garbage":
        recvn(c, 37)
        c.sendall(b"\x4d")
    elif mode == "order":
        recvn(c, 37)
        c.sendall(b"\x02")
    elif mode == "oversize":
        serve_until_test_end(ls, c)
        c.sendall(b"\x0d")
        recv_json(c)
        c.sendall(struct.pack(">I", 0x7fffffff))
    elif mode == "badresults":
        serve_until_test_end(ls, c)
        c.sendall(b"\x0d")
        recv_json(c)
        send_json(c, {"streams": []})
    elif mode == "stall":
        serve_until_test_end(ls, c)
    elif mode == "silent":
        recvn(c, 37)
    time.sleep(60)

def client(mode, port):
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    cookie = b"abcdefghijklmnopqrstuvwxyz2345672345\0"
    if mode == "garbage":
        c.sendall(b"\xff" * 64)
    elif mode == "silent":
        pass
    elif mode == "early":
        c.sendall(cookie[:20])
        c.close()
        return 0
    elif mode in ("bigparams", "udp", "badstate"):
        c.sendall(cookie)
        assert recvn(c, 1) == b"\x09"
        if mode == "bigparams":
            c.sendall(struct.pack(">I", 16 << 20))
            return 0 if recvn(c, 9) == b"\xfe" + struct.pack(">ii", 114, 0) else 1
        if mode == "udp":
            send_json(c, {"udp": True, "time": 1, "parallel": 1, "len": 1400})
            return 0 if recvn(c, 9) == b"\xfe" + struct.pack(">ii", 13, 0) else 1
        send_json(c, {"tcp": True, "time": 1, "parallel": 1, "len": 131072})
        assert recvn(c, 1) == b"\x0a"
        d = socket.create_connection(("127.0.0.1", port), timeout=5)
        d.sendall(cookie)
        assert recvn(c, 2) == b"\x01\x02"
        d.sendall(b"x" * 100000)
        c.sendall(b"\x63")
    try:
        while c.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except socket.timeout:
        return 1
    return 0

if sys.argv[1] == "server":
    server(sys.argv[2], sys.argv[3])
else:
    sys.exit(client(sys.argv[2], int(sys.argv[3])))
PY
}

# net_broken_server MODE: starts peer.py as a broken server; sets NET_PORT.
net_broken_server() {
	local i pf=$VB_TMP/peer.$1.port
	rm -f "$pf"
	python3 "$VB_TMP/peer.py" server "$1" "$pf" &
	NET_PIDS="$NET_PIDS $!"
	for i in $(seq 50); do
		[ -s "$pf" ] && NET_PORT=$(cat "$pf") && return 0
		sleep 0.1
	done
	fail "peer.py server $1 did not start"
}

# net_expect_fail WHAT PATTERN CMD...: CMD exits non-zero within 15 s (not by
# timeout), with exactly one stderr line: "vbench-trace: ..." matching PATTERN.
net_expect_fail() {
	local what=$1 pat=$2 rc=0 err=$VB_TMP/fail.err
	shift 2
	timeout 15 "$@" >/dev/null 2>"$err" || rc=$?
	[ "$rc" -ne 0 ] || fail "$what: exited 0"
	[ "$rc" -ne 124 ] || fail "$what: still running after 15 s"
	[ "$(wc -l <"$err")" -eq 1 ] || fail "$what: expected one stderr line, got: $(cat "$err")"
	grep -q '^vbench-trace: ' "$err" || fail "$what: the line lacks 'vbench-trace:': $(cat "$err")"
	grep -q -- "$pat" "$err" || fail "$what: '$pat' not in: $(cat "$err")"
	echo "    $what: $(cat "$err")"
}

# Both our binaries, 1 and 2 streams, against stock iperf3 -s -1: each test
# completes on iperf3's side too, and both sides' byte counts agree.
test_net_client_vs_stock_iperf3_server() {
	trap net_cleanup EXIT
	local bin streams out
	for bin in "$VB" "$AGENT"; do
		for streams in 1 2; do
			out=$VB_TMP/net.$streams.json
			net_iperf3_server
			timeout 20 "$bin" workload net --server "127.0.0.1:$NET_PORT" --duration 1 \
				--streams "$streams" >"$out" ||
				fail "$bin workload net --streams $streams: exit $?"
			timeout 10 tail --pid="$NET_SRV" -f /dev/null ||
				fail "iperf3 -s -1 did not finish its one test"
			wait "$NET_SRV" || fail "iperf3 -s -1 exited $?: $(cat "$VB_TMP/iperf3-s.$NET_PORT.log")"
			grep -q receiver "$VB_TMP/iperf3-s.$NET_PORT.log" ||
				fail "iperf3 -s printed no receiver line"
			assert_py "$out" "d['workload'] == 'net' and d['unit'] == 'Mbit/s' and d['bytes'] > 0 and d['ops'] > 0"
			assert_py "$out" "abs(d['score'] - d['bytes'] * 8 / d['duration_s'] / 1e6) < 1e-6 * d['score']"
			assert_py "$out" "1.0 <= d['duration_s'] < 1.5 and d['extra']['streams'] == $streams"
			assert_py "$out" "0.9 * d['bytes'] <= d['extra']['server_received_bytes'] <= d['bytes']"
			assert_py "$out" "d['extra']['server'] == '127.0.0.1:$NET_PORT'"
			assert_py "$out" "all(k in d['extra']['tcp_info'] for k in ('rtt_us', 'rttvar_us', 'retransmits', 'snd_cwnd', 'pmtu'))"
		done
	done
}

# Stock iperf3 -c against our server: JSON and text results, several streams,
# tests one after another; SIGTERM stops the server cleanly.
test_net_stock_iperf3_client_vs_our_server() {
	trap net_cleanup EXIT
	local j=$VB_TMP/iperf3-c.json
	net_our_server
	timeout 20 iperf3 -c 127.0.0.1 -p "$NET_PORT" -t 1 -J >"$j" || fail "iperf3 -c -J: exit $?"
	assert_py "$j" "'error' not in d and d['end']['sum_sent']['bytes'] > 0 and d['end']['sum_received']['bytes'] > 0"
	assert_py "$j" "d['end']['sum_received']['bytes'] >= 0.9 * d['end']['sum_sent']['bytes']"
	timeout 20 iperf3 -c 127.0.0.1 -p "$NET_PORT" -t 1 -P 3 -J >"$j" || fail "iperf3 -c -P 3: exit $?"
	assert_py "$j" "'error' not in d and len(d['end']['streams']) == 3 and all(s['receiver']['bytes'] > 0 for s in d['end']['streams'])"
	timeout 20 iperf3 -c 127.0.0.1 -p "$NET_PORT" -t 2 >"$VB_TMP/iperf3-c.txt" || fail "iperf3 -c: exit $?"
	grep -q ' sender$' "$VB_TMP/iperf3-c.txt" || fail "no sender line: $(cat "$VB_TMP/iperf3-c.txt")"
	grep -q ' receiver$' "$VB_TMP/iperf3-c.txt" || fail "no receiver line: $(cat "$VB_TMP/iperf3-c.txt")"
	grep -q 'iperf Done' "$VB_TMP/iperf3-c.txt" || fail "iperf3 -c did not finish"
	[ "$(grep -c ' stream.*Mbit/s' "$VB_TMP/ns.out")" -eq 3 ] || fail "expected 3 test lines: $(cat "$VB_TMP/ns.out")"
	kill -TERM "$NET_SRV"
	wait "$NET_SRV" || fail "net-server exited $? on SIGTERM"
	grep -q 'net-server: stopped' "$VB_TMP/ns.out" || fail "no 'stopped' line"
	[ ! -s "$VB_TMP/ns.err" ] || fail "net-server complained: $(cat "$VB_TMP/ns.err")"
}

# What it does not serve is refused in words iperf3 prints, and --one-off
# ends after one test.
test_net_our_server_refuses_reverse_and_one_off() {
	trap net_cleanup EXIT
	local rc=0
	net_our_server --one-off
	timeout 20 iperf3 -c 127.0.0.1 -p "$NET_PORT" -t 1 -R >"$VB_TMP/r.txt" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "iperf3 -c -R succeeded against a TCP-uplink-only server"
	grep -q 'not implemented' "$VB_TMP/r.txt" || fail "iperf3 -R said: $(cat "$VB_TMP/r.txt")"
	rc=0
	timeout 10 tail --pid="$NET_SRV" -f /dev/null || fail "--one-off server still running"
	wait "$NET_SRV" || rc=$?
	[ "$rc" -eq 1 ] || fail "--one-off after a refused test: exit $rc, expected 1"
	grep -q '^vbench-trace: net-server: client .* reverse' "$VB_TMP/ns.err" ||
		fail "no line about the reverse test: $(cat "$VB_TMP/ns.err")"
}

# Broken servers: each makes our client fail quickly, with one clear line.
test_net_client_vs_broken_servers() {
	trap net_cleanup EXIT
	net_write_peer
	local port
	port=$(net_free_port)
	net_expect_fail "nothing listening" "cannot connect to 127.0.0.1:$port" \
		$VB workload net --server "127.0.0.1:$port" --duration 1
	net_broken_server silent
	net_expect_fail "silent server" "no answer within 1 s while waiting for PARAM_EXCHANGE" \
		$VB workload net --server "127.0.0.1:$NET_PORT" --duration 1 --timeout 1
	net_broken_server close
	net_expect_fail "early close" "closed the control connection" \
		$VB workload net --server "127.0.0.1:$NET_PORT" --duration 1
	net_broken_server garbage
	net_expect_fail "garbage state" "state byte 77" \
		$VB workload net --server "127.0.0.1:$NET_PORT" --duration 1
	net_broken_server order
	net_expect_fail "out of order" "sent TEST_RUNNING while waiting for PARAM_EXCHANGE" \
		$VB workload net --server "127.0.0.1:$NET_PORT" --duration 1
	net_broken_server denied
	net_expect_fail "busy server" "ACCESS_DENIED" \
		$VB workload net --server "127.0.0.1:$NET_PORT" --duration 1
	net_broken_server error
	net_expect_fail "server error" "iperf3 error 13" \
		$VB workload net --server "127.0.0.1:$NET_PORT" --duration 1
	net_broken_server oversize
	net_expect_fail "oversized results" "64 KiB limit" \
		$VB workload net --server "127.0.0.1:$NET_PORT" --duration 0.5
	net_broken_server badresults
	net_expect_fail "incomplete results" 'unusable results: the results have no "cpu_util_total"' \
		$VB workload net --server "127.0.0.1:$NET_PORT" --duration 0.5
	net_broken_server stall
	net_expect_fail "no results" "no answer within 1 s while waiting for EXCHANGE_RESULTS" \
		$VB workload net --server "127.0.0.1:$NET_PORT" --duration 0.5 --timeout 1
}

# A listener that drops SYNs: the connect gives up after its 5 s.
test_net_client_connect_timeout() {
	trap net_cleanup EXIT
	net_write_peer
	net_broken_server backlog
	local t0=$SECONDS
	net_expect_fail "black hole" "no answer within 5 s" \
		$VB workload net --server "127.0.0.1:$NET_PORT" --duration 1
	[ $((SECONDS - t0)) -le 8 ] || fail "the connect took $((SECONDS - t0)) s to give up"
}

# Broken clients: our server logs one line each, hangs up, and keeps serving.
test_net_our_server_vs_broken_clients() {
	trap net_cleanup EXIT
	net_write_peer
	net_our_server --timeout 1
	local mode
	for mode in garbage silent early bigparams udp badstate; do
		timeout 10 python3 "$VB_TMP/peer.py" client "$mode" "$NET_PORT" ||
			fail "peer.py client $mode: exit $? (server did not hang up or answer)"
	done
	kill -0 "$NET_SRV" || fail "net-server died"
	timeout 20 iperf3 -c 127.0.0.1 -p "$NET_PORT" -t 1 -J >"$VB_TMP/after.json" ||
		fail "iperf3 -c after the broken clients: exit $?"
	assert_py "$VB_TMP/after.json" "'error' not in d and d['end']['sum_received']['bytes'] > 0"
	local e=$VB_TMP/ns.err
	grep -q 'malformed cookie' "$e" || fail "garbage: $(cat "$e")"
	grep -q 'no answer within 1 s before sending its cookie' "$e" || fail "silent: $(cat "$e")"
	grep -q 'closed the control connection before sending its cookie' "$e" || fail "early: $(cat "$e")"
	grep -q '64 KiB limit' "$e" || fail "bigparams: $(cat "$e")"
	grep -q 'asked for a UDP test' "$e" || fail "udp: $(cat "$e")"
	grep -q 'state byte 99' "$e" || fail "badstate: $(cat "$e")"
	[ "$(grep -vc '^vbench-trace: net-server: ' "$e")" -eq 0 ] || fail "stray stderr: $(cat "$e")"
	[ "$(wc -l <"$e")" -eq 6 ] || fail "expected one line per broken client: $(cat "$e")"
}
