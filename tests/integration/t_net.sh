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

# N connections that never send a byte, held for SECS; prints how many
# connected.
def idle(port, n, secs):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    pending, end = list(socks), time.monotonic() + 5
    while pending and time.monotonic() < end:
        _, w, _ = select.select([], pending, [], 0.2)
        pending = [s for s in pending if s not in w]
    print(sum(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0 for s in socks) - len(pending), flush=True)
    time.sleep(secs)
    return 0

# A whole cookie, then parameters asking for an unlimited test (time 0) a
# byte every 0.3 s. Prints the seconds from PARAM_EXCHANGE to the server
# hanging up; exits 1 if it never did within 30 s.
def slowparams(port):
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.sendall(b"abcdefghijklmnopqrstuvwxyz2345672345\0")
    assert recvn(c, 1) == b"\x09"
    t0 = time.monotonic()
    print("asked", flush=True)
    b = json.dumps({"tcp": True, "time": 0, "parallel": 1, "len": 131072}).encode()
    for x in struct.pack(">I", len(b)) + b:
        try:
            c.send(bytes([x]))
        except OSError:
            break
        r, _, _ = select.select([c], [], [], 0.3)
        if r:
            got = c.recv(4096)
            if got[:1] == b"\xfe":
                print("server error %d %d" % struct.unpack(">ii", got[1:9]), flush=True)
            if not got or got[:1] == b"\xfe":
                break
    else:
        c.settimeout(30)
        try:
            while c.recv(4096):
                pass
        except socket.timeout:
            return 1
        except OSError:
            pass
    print("held %.1f" % (time.monotonic() - t0), flush=True)
    return 0

if sys.argv[1] == "server":
    server(sys.argv[2], sys.argv[3])
elif sys.argv[1] == "idle":
    sys.exit(idle(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))
elif sys.argv[1] == "slowparams":
    sys.exit(slowparams(int(sys.argv[2])))
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

# iperf3 -c -t 2 against our server with -J; prints "MBIT_S MS": its
# received throughput and how long iperf3 ran, after checking it ran.
net_stock_test() {
	local j=$VB_TMP/stock.$RANDOM.json t0 ms
	t0=$(vb_now_ms)
	# Called in $(...), where set -e is off: each failure returns.
	run_deadline 20 iperf3 -c 127.0.0.1 -p "$NET_PORT" -t 2 -J "$@" >"$j" ||
		{ fail "iperf3 -c -t 2 $*: failed: $(head -c 600 "$j")"; return 1; }
	ms=$(($(vb_now_ms) - t0))
	assert_py "$j" "'error' not in d and d['end']['sum_received']['bytes'] > 0" || return 1
	python3 -c 'import json, sys; print("%.0f %s" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6, sys.argv[2]))' "$j" "$ms"
}

# net_closed_at_least N: the server logged N connections closed without a cookie.
net_closed_at_least() {
	[ "$(grep -c 'before sending its cookie\|closed without its cookie' "$VB_TMP/ns.err")" -ge "$1" ]
}

# 200 connections that never send their cookie, held open: a stock iperf3
# client (1 and 2 streams) is served at once, and the idle ones are closed
# (16 wait at most, 3 s each).
test_net_our_server_idle_connections() {
	on_exit net_cleanup
	net_write_peer
	net_our_server
	local out n base
	out=$(net_stock_test)
	base=${out#* }
	echo "    iperf3 -c -t 2 alone: ${out% *} Mbit/s, iperf3 ran $base ms"
	python3 "$VB_TMP/peer.py" idle "$NET_PORT" 200 25 >"$VB_TMP/idle.out" &
	NET_PIDS="$NET_PIDS $!"
	wait_until 10 "200 idle connections" test -s "$VB_TMP/idle.out"
	[ "$(cat "$VB_TMP/idle.out")" -eq 200 ] || fail "only $(cat "$VB_TMP/idle.out") of 200 connected"
	out=$(net_stock_test)
	echo "    iperf3 -c -t 2 with 200 idle connections: ${out% *} Mbit/s, iperf3 ran ${out#* } ms"
	# Served at once, not after the idle ones' 3 s cookie deadline: within
	# 2.5 s of the time it took alone (a loaded machine starts it slowly).
	[ "${out#* }" -lt $((base + 2500)) ] ||
		fail "iperf3 -c -t 2 ran ${out#* } ms with 200 idle connections open, $base ms alone"
	out=$(net_stock_test -P 2)
	echo "    iperf3 -c -t 2 -P 2 with the idle connections: ${out% *} Mbit/s, ${out#* } ms"
	wait_until 10 "the idle connections closed" net_closed_at_least 200
	n=$(grep -c 'closed without its cookie .* to make room' "$VB_TMP/ns.err" || true)
	echo "    $n closed to make room, $((200 - n)) at their 3 s cookie deadline"
	[ "$n" -ge 150 ] || fail "expected most idle connections closed to make room: $(tail -3 "$VB_TMP/ns.err")"
	kill -0 "$NET_SRV" || fail "net-server died"
}

# A client sending unlimited-test parameters (time 0) a byte every 0.3 s
# holds the server for one control message's deadline (--timeout, 10 s), not
# longer; a stock client that came meanwhile is served right after; and a
# stock unlimited (-t 0) or over-long test is refused in words iperf3 prints.
test_net_our_server_slow_unlimited_client() {
	on_exit net_cleanup
	net_write_peer
	net_our_server
	local out ms held pid rc=0
	python3 "$VB_TMP/peer.py" slowparams "$NET_PORT" >"$VB_TMP/slow.out" &
	pid=$!
	NET_PIDS="$NET_PIDS $pid"
	wait_until 10 "the slow client asked for its parameters" grep -q asked "$VB_TMP/slow.out"
	sleep 1
	out=$(net_stock_test)
	ms=${out#* }
	wait_pid_deadline "$pid" 40 "peer.py slowparams" || fail "the slow client was never hung up on"
	held=$(sed -n 's/^held //p' "$VB_TMP/slow.out")
	echo "    byte-at-a-time time=0 client held the server $held s; a stock -t 2 client waiting meanwhile finished after $ms ms"
	python3 -c "import sys; sys.exit(0 if 9.5 <= $held <= 11.5 else 1)" ||
		fail "the slow client was held $held s; the bound is the 10 s --timeout"
	# It waited for the rest of the slow client's 10 s, then ran 2 s.
	[ "$ms" -lt 14000 ] || fail "the stock client finished $ms ms after it started"
	# iperf3's IERECVPARAMS with ETIMEDOUT: "unable to receive parameters
	# from client: Connection timed out".
	grep -q "^server error 114 $(python3 -c 'import errno; print(errno.ETIMEDOUT)')\$" "$VB_TMP/slow.out" ||
		fail "the slow client was not told why: $(cat "$VB_TMP/slow.out")"
	grep -q "no answer within 10 s while waiting for the test parameters" "$VB_TMP/ns.err" ||
		fail "no line about the slow client: $(cat "$VB_TMP/ns.err")"
	run_deadline 10 iperf3 -c 127.0.0.1 -p "$NET_PORT" -t 0 >"$VB_TMP/t0.txt" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "iperf3 -t 0 was served"
	grep -q 'test duration too long' "$VB_TMP/t0.txt" || fail "iperf3 -t 0 said: $(cat "$VB_TMP/t0.txt")"
	grep -q 'asked for an unlimited test .* at most 600 s (--max-time): refused' "$VB_TMP/ns.err" ||
		fail "no line about the unlimited test: $(cat "$VB_TMP/ns.err")"
	rc=0
	run_deadline 10 iperf3 -c 127.0.0.1 -p "$NET_PORT" -t 601 >"$VB_TMP/t601.txt" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "iperf3 -t 601 was served"
	grep -q 'test duration too long' "$VB_TMP/t601.txt" || fail "iperf3 -t 601 said: $(cat "$VB_TMP/t601.txt")"
	net_stock_test >/dev/null || fail "iperf3 -c -t 2 after the refusals"
}

# --max-time bounds what a client asks for, and a test by byte count that
# does not end in time is ended with "test duration too long".
test_net_our_server_max_time() {
	on_exit net_cleanup
	net_our_server --max-time 1
	local rc=0
	run_deadline 10 iperf3 -c 127.0.0.1 -p "$NET_PORT" -t 2 >"$VB_TMP/t2.txt" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "iperf3 -t 2 was served by a --max-time 1 server"
	grep -q 'test duration too long' "$VB_TMP/t2.txt" || fail "iperf3 -t 2 said: $(cat "$VB_TMP/t2.txt")"
	grep -q 'asked for a 2 s test; .* at most 1 s (--max-time)' "$VB_TMP/ns.err" ||
		fail "no line about the 2 s test: $(cat "$VB_TMP/ns.err")"
	rc=0
	# 1 MB/s for 1000 GB: far past 1 s.
	run_deadline 15 iperf3 -c 127.0.0.1 -p "$NET_PORT" -n 1000G -b 8M >"$VB_TMP/n.txt" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "iperf3 -n 1000G was served to its end"
	grep -q 'test duration too long' "$VB_TMP/n.txt" || fail "iperf3 -n said: $(tail -3 "$VB_TMP/n.txt")"
	grep -q 'by byte or block count (-n/-k) did not end within 1 s' "$VB_TMP/ns.err" ||
		fail "no line about the -n test: $(cat "$VB_TMP/ns.err")"
	run_deadline 10 iperf3 -c 127.0.0.1 -p "$NET_PORT" -t 1 >/dev/null || fail "iperf3 -t 1 afterwards: exit $?"
	rc=0
	$VB net-server --max-time 0 >/dev/null 2>"$VB_TMP/usage.err" || rc=$?
	[ "$rc" -eq 2 ] || fail "--max-time 0: exit $rc, expected 2"
	grep -q -- '--max-time 0: whole seconds in 1..86400' "$VB_TMP/usage.err" || fail "$(cat "$VB_TMP/usage.err")"
}

# Without -B the server listens on 127.0.0.1 alone, and nothing else.
test_net_our_server_listens_on_loopback() {
	on_exit net_cleanup
	net_our_server
	local lines
	lines=$(ss -Hltn "sport = :$NET_PORT")
	echo "    $lines"
	[ "$(echo "$lines" | wc -l)" -eq 1 ] || fail "more than one listener on port $NET_PORT: $lines"
	echo "$lines" | grep -q ' 127\.0\.0\.1:'"$NET_PORT"' ' || fail "not a loopback listener: $lines"
	grep -q "listening on 127.0.0.1 port $NET_PORT" "$VB_TMP/ns.out" || fail "$(cat "$VB_TMP/ns.out")"
}
