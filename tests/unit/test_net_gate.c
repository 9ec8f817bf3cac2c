// SPDX-License-Identifier: GPL-2.0
/*
 * The net-server's gate (user/net/net_gate.h) on socketpairs: cookies that
 * come in pieces, the bound on waiting connections (the oldest goes), the
 * absolute cookie deadline, peers that close; and against the forked server
 * on loopback: idle connections do not keep a client out, and tests without
 * a time limit are refused with "test duration too long".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "net_gate.h"
#include "net_iperf.h"
#include "net_server.h"
#include "util_sys.h"

static const char cookie[IPERF_COOKIE_SIZE] = "abcdefghijklmnopqrstuvwxyz2345672345";

/* A socketpair: [0] is the gate's, [1] the peer's. */
static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

/* 0 when the peer end sees EOF (the gate closed its side), 1 if not. */
static int peer_open(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char b;

	if (poll(&pfd, 1, 0) <= 0)
		return 1;
	return recv(fd, &b, 1, MSG_DONTWAIT) == 0 ? 0 : 1;
}

static void test_cookie_in_pieces(void **state)
{
	struct net_gate g;
	struct net_conn c;
	int sv[2], i;

	(void)state;
	net_gate_init(&g, 3000);
	pair(sv);
	assert_int_equal(write(sv[1], cookie, 10), 10);
	i = net_gate_add(&g, sv[0], "peer-a", 1000);
	assert_int_equal(i, 0);
	assert_int_equal(g.c[0].got, 10);
	assert_int_equal(net_gate_ready(&g), -1);
	assert_int_equal(net_gate_read(&g, 0), 0);
	assert_int_equal(write(sv[1], cookie + 10, IPERF_COOKIE_SIZE - 10), IPERF_COOKIE_SIZE - 10);
	assert_int_equal(net_gate_read(&g, 0), 1);
	assert_int_equal(net_gate_ready(&g), 0);
	net_gate_take(&g, 0, &c);
	assert_int_equal(g.n, 0);
	assert_int_equal(c.fd, sv[0]);
	assert_memory_equal(c.cookie, cookie, IPERF_COOKIE_SIZE);
	assert_string_equal(c.peer, "peer-a");
	close(sv[0]);
	close(sv[1]);
}

/* One more than NET_GATE_MAX closes the one that waited longest. */
static void test_bound_closes_oldest(void **state)
{
	int peers[NET_GATE_MAX + 1], sv[2];
	struct net_gate g;
	char name[16];

	(void)state;
	net_gate_init(&g, 3000);
	for (int k = 0; k <= NET_GATE_MAX; k++) {
		pair(sv);
		peers[k] = sv[1];
		snprintf(name, sizeof(name), "p%d", k);
		assert_true(net_gate_add(&g, sv[0], name, 1000 + k) >= 0);
		assert_int_equal(g.n, k < NET_GATE_MAX ? k + 1 : NET_GATE_MAX);
	}
	assert_int_equal(g.evicted, 1);
	assert_int_equal(peer_open(peers[0]), 0);
	for (int k = 1; k <= NET_GATE_MAX; k++)
		assert_int_equal(peer_open(peers[k]), 1);
	assert_string_equal(g.c[0].peer, "p1");
	assert_string_equal(g.c[NET_GATE_MAX - 1].peer, "p16");
	net_gate_close_all(&g);
	assert_int_equal(g.n, 0);
	for (int k = 0; k <= NET_GATE_MAX; k++) {
		assert_int_equal(peer_open(peers[k]), 0);
		close(peers[k]);
	}
}

/* The deadline counts from the accept, whatever trickles in meanwhile; a
 * cookie that came whole by then is kept. */
static void test_deadline_absolute(void **state)
{
	int slow[2], whole[2];
	struct net_gate g;

	(void)state;
	net_gate_init(&g, 3000);
	pair(slow);
	pair(whole);
	assert_int_equal(net_gate_add(&g, slow[0], "slow", 1000), 0);
	assert_int_equal(net_gate_add(&g, whole[0], "whole", 1000), 1);
	for (int k = 0; k < 5; k++) {
		assert_int_equal(write(slow[1], cookie + k, 1), 1);
		assert_int_equal(net_gate_read(&g, 0), 0);
	}
	assert_int_equal(net_gate_next_deadline(&g), 4000);
	assert_int_equal(net_gate_expire(&g, 3999), 0);
	assert_int_equal(g.n, 2);
	/* Written but not read yet: expire reads before it closes. */
	assert_int_equal(write(whole[1], cookie, IPERF_COOKIE_SIZE), IPERF_COOKIE_SIZE);
	assert_int_equal(net_gate_expire(&g, 4000), 1);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.c[0].peer, "whole");
	assert_int_equal(net_gate_ready(&g), 0);
	assert_int_equal(peer_open(slow[1]), 0);
	assert_int_equal(peer_open(whole[1]), 1);
	net_gate_close_all(&g);
	assert_int_equal(net_gate_next_deadline(&g), -1);
	close(slow[1]);
	close(whole[1]);
}

/* A peer gone before its cookie is dropped at once, and poll results name
 * the right connections after one before them is dropped. */
static void test_closed_peers(void **state)
{
	struct pollfd pfd[NET_GATE_MAX];
	int a[2], b[2], c[2], n;
	struct net_gate g;

	(void)state;
	net_gate_init(&g, 3000);
	pair(a);
	close(a[1]);
	assert_int_equal(net_gate_add(&g, a[0], "gone", 1000), -1);
	assert_int_equal(g.n, 0);
	pair(b);
	pair(c);
	assert_int_equal(net_gate_add(&g, b[0], "b", 1000), 0);
	assert_int_equal(net_gate_add(&g, c[0], "c", 1000), 1);
	close(b[1]);
	assert_int_equal(write(c[1], cookie, IPERF_COOKIE_SIZE), IPERF_COOKIE_SIZE);
	n = net_gate_pollfds(&g, pfd);
	assert_int_equal(n, 2);
	assert_int_equal(poll(pfd, (nfds_t)n, 1000), 2);
	net_gate_service(&g, pfd, n);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.c[0].peer, "c");
	assert_int_equal(net_gate_ready(&g), 0);
	net_gate_close_all(&g);
	close(c[1]);
}

/* A client on the forked server: connects and sends a cookie. */
static int client(int port)
{
	char peer[64];
	int fd;

	fd = iperf_connect("127.0.0.1", port, 1000, peer, sizeof(peer));
	assert_true(fd >= 0);
	assert_int_equal(iperf_write_full(fd, cookie, IPERF_COOKIE_SIZE, 1000), 0);
	return fd;
}

/* More idle connections than the gate holds, then a client: it is asked
 * for its parameters at once, not after the idle ones time out. */
static void test_server_idle_connections(void **state)
{
	int idle[3 * NET_GATE_MAX], fd, st = 0;
	struct net_server *srv;
	char peer[64];
	long long t0;

	(void)state;
	assert_int_equal(net_server_start("127.0.0.1", 0, NULL, &srv), 0);
	for (int k = 0; k < 3 * NET_GATE_MAX; k++) {
		idle[k] =
			iperf_connect("127.0.0.1", net_server_port(srv), 1000, peer, sizeof(peer));
		assert_true(idle[k] >= 0);
	}
	t0 = vb_now_ms();
	fd = client(net_server_port(srv));
	assert_int_equal(iperf_recv_state(fd, &st, 2000), 0);
	assert_int_equal(st, IPERF_PARAM_EXCHANGE);
	assert_true(vb_now_ms() - t0 < 1000);
	close(fd);
	for (int k = 0; k < 3 * NET_GATE_MAX; k++)
		close(idle[k]);
	net_server_stop(srv);
}

/* Sends params when asked; the state byte that answers must be want.
 * Returns the control connection. */
static int expect_answer(int port, const char *params, int want)
{
	struct json_object *j = json_tokener_parse(params);
	int fd, st = 0;

	assert_non_null(j);
	fd = client(port);
	assert_int_equal(iperf_recv_state(fd, &st, 2000), 0);
	assert_int_equal(st, IPERF_PARAM_EXCHANGE);
	assert_int_equal(iperf_send_json(fd, j, 1000), 0);
	json_object_put(j);
	assert_int_equal(iperf_recv_state(fd, &st, 2000), 0);
	assert_int_equal(st, want);
	if (want != IPERF_SERVER_ERROR) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Parameters sent; the answer expected: SERVER_ERROR and this i_errno. */
static void expect_refused(int port, const char *params, int want_ierr)
{
	int fd = expect_answer(port, params, IPERF_SERVER_ERROR), ierr = 0, err = 0;

	assert_int_equal(iperf_recv_server_error(fd, &ierr, &err, 1000), 0);
	assert_int_equal(ierr, want_ierr);
	close(fd);
}

static void test_server_refuses_unlimited(void **state)
{
	struct net_server *srv;
	int port;

	(void)state;
	assert_int_equal(net_server_start("127.0.0.1", 0, NULL, &srv), 0);
	port = net_server_port(srv);
	expect_refused(port, "{\"tcp\": true, \"time\": 0, \"parallel\": 1}", IPERF_IE_DURATION);
	/* The runner's server serves the run's own duration, longer than
	 * the command's 600 s default --max-time (t_net.sh tests that one). */
	expect_answer(port, "{\"tcp\": true, \"time\": 3600, \"parallel\": 1}",
		      IPERF_CREATE_STREAMS);
	/* By byte count, time 0 is bounded, not refused. */
	expect_answer(port, "{\"tcp\": true, \"time\": 0, \"num\": 1000, \"parallel\": 1}",
		      IPERF_CREATE_STREAMS);
	net_server_stop(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_in_pieces),
		cmocka_unit_test(test_bound_closes_oldest),
		cmocka_unit_test(test_deadline_absolute),
		cmocka_unit_test(test_closed_peers),
		cmocka_unit_test(test_server_idle_connections),
		cmocka_unit_test(test_server_refuses_unlimited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
