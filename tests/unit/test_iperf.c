// SPDX-License-Identifier: GPL-2.0
/*
 * The iperf3 protocol layer: framing, limits, parameter and result objects,
 * cookies, host:port; hostile peers on a socketpair; and one short real test
 * of our client against our forked server on loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "net_iperf.h"
#include "net_server.h"
#include "workload.h"

extern const struct workload wl_net;

static int sv[2];

static int setup(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
}

static int teardown(void **state)
{
	(void)state;
	if (sv[0] >= 0)
		close(sv[0]);
	close(sv[1]);
	return 0;
}

static void put(const void *p, size_t n)
{
	assert_int_equal(write(sv[0], p, n), (ssize_t)n);
}

static void put_len(uint32_t len)
{
	uint32_t n = htonl(len);

	put(&n, 4);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_cookie_format(void **state)
{
	char a[IPERF_COOKIE_SIZE], b[IPERF_COOKIE_SIZE];

	(void)state;
	iperf_make_cookie(a);
	iperf_make_cookie(b);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(strspn(a, "abcdefghijklmnopqrstuvwxyz234567"), 36);
	assert_true(iperf_cookie_valid(a));
	assert_string_not_equal(a, b);
	a[5] = ' ';
	assert_false(iperf_cookie_valid(a));
	a[5] = 'x';
	a[36] = 'x';
	assert_false(iperf_cookie_valid(a));
	a[36] = '\0';
	a[10] = '\0';
	assert_false(iperf_cookie_valid(a));
}

static void test_stream_ids(void **state)
{
	(void)state;
	assert_int_equal(iperf_stream_id(0), 1);
	assert_int_equal(iperf_stream_id(1), 3);
	assert_int_equal(iperf_stream_id(2), 4);
}

static void hostport_ok(const char *arg, const char *host, int port)
{
	char h[64], why[128];
	int p;

	assert_int_equal(iperf_parse_hostport(arg, 5201, h, sizeof(h), &p, why, sizeof(why)), 0);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
}

static void hostport_bad(const char *arg)
{
	char h[64], why[128] = "";
	int p;

	assert_int_equal(iperf_parse_hostport(arg, 5201, h, sizeof(h), &p, why, sizeof(why)),
			 -EINVAL);
	assert_true(strlen(why) > 0);
}

static void test_hostport(void **state)
{
	(void)state;
	hostport_ok("127.0.0.1", "127.0.0.1", 5201);
	hostport_ok("10.0.2.2:6000", "10.0.2.2", 6000);
	hostport_ok("iperf.example.net:5202", "iperf.example.net", 5202);
	hostport_ok("localhost", "localhost", 5201);
	hostport_ok("[::1]:5203", "::1", 5203);
	hostport_ok("[fe80::1]", "fe80::1", 5201);
	hostport_ok("::1", "::1", 5201);
	hostport_ok("2001:db8::7", "2001:db8::7", 5201);
	hostport_bad("");
	hostport_bad(":5201");
	hostport_bad("host:");
	hostport_bad("host:0");
	hostport_bad("host:65536");
	hostport_bad("host:52x");
	hostport_bad("host:-1");
	hostport_bad("[::1");
	hostport_bad("[::1]5201");
	hostport_bad("[]:5201");
	hostport_bad("a-very-long-host-name-that-does-not-fit-in-the-64-byte-buffer.example");
}

static void test_state_roundtrip(void **state)
{
	static const int states[] = {IPERF_PARAM_EXCHANGE, IPERF_ACCESS_DENIED, IPERF_SERVER_ERROR,
				     IPERF_IPERF_DONE};
	int got, ierr, err;

	(void)state;
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		assert_int_equal(iperf_send_state(sv[0], states[i], 1000), 0);
		assert_int_equal(iperf_recv_state(sv[1], &got, 1000), 0);
		assert_int_equal(got, states[i]);
	}
	assert_int_equal(iperf_send_server_error(sv[0], IPERF_IE_UNIMP, EPERM, 1000), 0);
	assert_int_equal(iperf_recv_state(sv[1], &got, 1000), 0);
	assert_int_equal(got, IPERF_SERVER_ERROR);
	assert_int_equal(iperf_recv_server_error(sv[1], &ierr, &err, 1000), 0);
	assert_int_equal(ierr, IPERF_IE_UNIMP);
	assert_int_equal(err, EPERM);
	assert_string_equal(iperf_state_name(IPERF_TEST_END), "TEST_END");
	assert_string_equal(iperf_state_name(IPERF_ACCESS_DENIED), "ACCESS_DENIED");
	assert_string_equal(iperf_state_name(99), "unknown");
}

static void test_json_roundtrip(void **state)
{
	struct json_object *o = json_object_new_object();
	unsigned char hdr[4];
	const char *want;
	char body[256];
	size_t n;

	(void)state;
	json_object_object_add(o, "time", json_object_new_int(10));
	json_object_object_add(o, "client_version", json_object_new_string("3.12"));
	want = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	n = strlen(want);
	assert_int_equal(iperf_send_json(sv[0], o, 1000), 0);
	/* A 4-byte big-endian length, then the body without a NUL. */
	assert_int_equal(read(sv[1], hdr, 4), 4);
	assert_int_equal(((size_t)hdr[0] << 24) | (hdr[1] << 16) | (hdr[2] << 8) | hdr[3], n);
	assert_int_equal(read(sv[1], body, sizeof(body)), (ssize_t)n);
	assert_memory_equal(body, want, n);
	json_object_put(o);
}

static void test_json_roundtrip_parsed(void **state)
{
	struct json_object *o = json_object_new_object(), *got = NULL, *v;

	(void)state;
	json_object_object_add(o, "parallel", json_object_new_int(4));
	assert_int_equal(iperf_send_json(sv[0], o, 1000), 0);
	assert_int_equal(iperf_recv_json(sv[1], &got, 1000), 0);
	assert_true(json_object_object_get_ex(got, "parallel", &v));
	assert_int_equal(json_object_get_int(v), 4);
	json_object_put(got);
	json_object_put(o);
}

static void test_json_limits(void **state)
{
	struct json_object *o, *got = NULL;
	char *big;
	size_t n = IPERF_JSON_MAX;

	(void)state;
	/* Exactly the limit: accepted (an object padded with spaces). */
	big = malloc(n);
	memset(big, ' ', n);
	memcpy(big, "{\"a\":1}", 7);
	put_len((uint32_t)n);
	put(big, n);
	assert_int_equal(iperf_recv_json(sv[1], &got, 1000), 0);
	json_object_put(got);
	free(big);
	/* One byte over: refused before reading the body. */
	put_len(IPERF_JSON_MAX + 1);
	assert_int_equal(iperf_recv_json(sv[1], &got, 1000), IPERF_ETOOBIG);
	/* An object that would serialize over the limit is not sent. */
	big = malloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	o = json_object_new_object();
	json_object_object_add(o, "title", json_object_new_string(big));
	assert_int_equal(iperf_send_json(sv[0], o, 1000), IPERF_ETOOBIG);
	json_object_put(o);
	free(big);
}

static void test_hostile_lengths(void **state)
{
	struct json_object *got = NULL;

	(void)state;
	put_len(0xffffffffu);
	assert_int_equal(iperf_recv_json(sv[1], &got, 1000), IPERF_ETOOBIG);
	put_len(0);
	assert_int_equal(iperf_recv_json(sv[1], &got, 1000), IPERF_EBADMSG);
	assert_null(got);
}

static void bad_body(const char *body, size_t n)
{
	struct json_object *got = NULL;

	put_len((uint32_t)n);
	put(body, n);
	assert_int_equal(iperf_recv_json(sv[1], &got, 1000), IPERF_EBADMSG);
	assert_null(got);
}

static void test_hostile_garbage(void **state)
{
	char deep[4000];

	(void)state;
	bad_body("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11); /* a TLS hello */
	bad_body("[1,2,3]", 7);
	bad_body("\"tcp\"", 5);
	bad_body("{\"a\":1}xyz", 10);
	bad_body("{\"a\":1}{}", 9);
	bad_body("{\"a\":1\0}", 8);
	bad_body("{\"a\":", 5);
	memset(deep, '[', sizeof(deep));
	deep[0] = '{';
	bad_body(deep, sizeof(deep));
}

static void test_hostile_early_close(void **state)
{
	struct json_object *got = NULL;
	int st;

	(void)state;
	put_len(100);
	put("{\"tcp\":", 7);
	close(sv[0]);
	sv[0] = -1;
	assert_int_equal(iperf_recv_json(sv[1], &got, 1000), IPERF_ECLOSED);
	assert_int_equal(iperf_recv_state(sv[1], &st, 1000), IPERF_ECLOSED);
	/* Writing to a closed peer is an error, not a SIGPIPE. */
	assert_int_equal(iperf_send_state(sv[1], IPERF_TEST_END, 1000), IPERF_ECLOSED);
}

static void test_hostile_silence(void **state)
{
	struct json_object *got = NULL;
	char cookie[IPERF_COOKIE_SIZE];
	double t0 = now_s();
	int st;

	(void)state;
	assert_int_equal(iperf_recv_state(sv[1], &st, 100), IPERF_ETIMEDOUT);
	put("ab", 2); /* half a length, then nothing */
	assert_int_equal(iperf_recv_json(sv[1], &got, 100), IPERF_ETIMEDOUT);
	assert_int_equal(iperf_read_full(sv[1], cookie, sizeof(cookie), 100), IPERF_ETIMEDOUT);
	assert_true(now_s() - t0 < 1.0);
}

/* A length and a body sent a byte every 0.15 s (2.1 s in all): one
 * deadline covers both, so a 1 s timeout ends it after 1 s, not 1.6. */
static void test_json_one_deadline(void **state)
{
	static const char msg[] = "\0\0\0\x0a{\"a\": 123}";
	struct json_object *j = NULL;
	pid_t pid;
	double t0;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (size_t i = 0; i < sizeof(msg) - 1; i++) {
			if (write(sv[0], msg + i, 1) != 1)
				_exit(1);
			usleep(150 * 1000);
		}
		_exit(0);
	}
	t0 = now_s();
	assert_int_equal(iperf_recv_json(sv[1], &j, 1000), IPERF_ETIMEDOUT);
	assert_true(now_s() - t0 < 1.3);
	assert_null(j);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_params(void **state)
{
	struct iperf_params p = {.tcp = true, .time = 3, .parallel = 2, .len = 65536}, q;
	struct json_object *o, *v;
	char why[200];

	(void)state;
	snprintf(p.client_version, sizeof(p.client_version), "vbench-trace");
	o = iperf_params_to_json(&p);
	/* What a stock server looks up: */
	assert_true(json_object_object_get_ex(o, "tcp", &v) && json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "time", &v) && json_object_get_int(v) == 3);
	assert_true(json_object_object_get_ex(o, "parallel", &v) && json_object_get_int(v) == 2);
	assert_true(json_object_object_get_ex(o, "len", &v) && json_object_get_int(v) == 65536);
	assert_true(json_object_object_get_ex(o, "omit", NULL));
	assert_false(json_object_object_get_ex(o, "reverse", NULL));
	assert_int_equal(iperf_params_from_json(o, &q, why, sizeof(why)), 0);
	assert_true(q.tcp);
	assert_false(q.reverse);
	assert_int_equal(q.time, 3);
	assert_int_equal(q.parallel, 2);
	assert_int_equal(q.len, 65536);
	assert_string_equal(q.client_version, "vbench-trace");
	json_object_put(o);
}

static int parse_params(const char *s, struct iperf_params *p, char *why, size_t n)
{
	struct json_object *o = json_tokener_parse(s);
	int ret;

	assert_non_null(o);
	ret = iperf_params_from_json(o, p, why, n);
	json_object_put(o);
	return ret;
}

static void test_params_from_stock_client(void **state)
{
	struct iperf_params p;
	char why[200] = "";

	(void)state;
	/* As iperf3 3.12 -c -t 2 -R -P 2 sends them. */
	assert_int_equal(
		parse_params("{\"tcp\":true,\"omit\":0,\"time\":2,\"num\":0,\"blockcount\":0,"
			     "\"parallel\":2,\"reverse\":true,\"len\":131072,\"pacing_timer\":1000,"
			     "\"client_version\":\"3.12\"}",
			     &p, why, sizeof(why)),
		0);
	assert_true(p.tcp && p.reverse && !p.udp);
	assert_int_equal(p.parallel, 2);
	/* Defaults where a key is absent; presence alone sets a flag. */
	assert_int_equal(parse_params("{\"udp\":false}", &p, why, sizeof(why)), 0);
	assert_true(p.udp);
	assert_int_equal(p.parallel, 1);
	assert_int_equal(p.len, IPERF_DEFAULT_LEN);
	assert_int_equal(p.time, 10);
}

static void test_params_out_of_range(void **state)
{
	static const char *const bad[] = {
		"{\"parallel\":0}",  "{\"parallel\":129}", "{\"len\":0}",
		"{\"len\":2097152}", "{\"time\":-1}",	   "{\"time\":\"ten\"}",
		"{\"time\":86401}",  "{\"parallel\":[1]}", "{\"num\":-5}",
	};
	struct iperf_params p;
	char why[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(parse_params(bad[i], &p, why, sizeof(why)), IPERF_EBADMSG);
		assert_true(strlen(why) > 0);
	}
}

static void test_results_roundtrip(void **state)
{
	struct iperf_results r = {.cpu_util_total = 12.5,
				  .sender_has_retransmits = 1,
				  .nr_streams = 2},
			     q;
	struct json_object *o;
	char why[200];

	(void)state;
	snprintf(r.congestion_used, sizeof(r.congestion_used), "cubic");
	r.streams[0] = (struct iperf_stream_result){1, 6000000000ull, 3, 0, 2.0};
	r.streams[1] = (struct iperf_stream_result){3, 2000000000ull, 0, 0, 2.0};
	o = iperf_results_to_json(&r);
	assert_int_equal(iperf_results_from_json(o, &q, why, sizeof(why)), 0);
	json_object_put(o);
	assert_int_equal(q.nr_streams, 2);
	assert_int_equal(q.streams[1].id, 3);
	assert_true(q.streams[0].bytes == 6000000000ull);
	assert_int_equal(q.streams[0].retransmits, 3);
	assert_string_equal(q.congestion_used, "cubic");
	assert_true(iperf_results_bytes(&q) == 8000000000ull);
	/* 8e9 bytes in 2 s: 32000 Mbit/s. */
	assert_true(iperf_results_mbps(&q) > 31999.99 && iperf_results_mbps(&q) < 32000.01);
}

static int parse_results(const char *s, struct iperf_results *r, char *why, size_t n)
{
	struct json_object *o = json_tokener_parse(s);
	int ret;

	assert_non_null(o);
	ret = iperf_results_from_json(o, r, why, n);
	json_object_put(o);
	return ret;
}

static void test_results_from_stock_server(void **state)
{
	struct iperf_results r;
	char why[200] = "";

	(void)state;
	/* iperf3 3.12 -s prints -1 through an unsigned 64-bit format. */
	assert_int_equal(
		parse_results("{\"cpu_util_total\":1.5,\"cpu_util_user\":0.1,\"cpu_util_system\":"
			      "1.4,\"sender_has_retransmits\":18446744073709551615,\"streams\":"
			      "[{\"id\":1,\"bytes\":4539023360,\"retransmits\":"
			      "18446744073709551615,\"jitter\":0,\"errors\":0,\"packets\":0,"
			      "\"start_time\":0,\"end_time\":2.000073}]}",
			      &r, why, sizeof(why)),
		0);
	assert_int_equal(r.sender_has_retransmits, -1);
	assert_int_equal(r.streams[0].retransmits, -1);
	assert_true(r.streams[0].bytes == 4539023360ull);
	assert_true(r.streams[0].end_time > 2.0);
}

static void test_results_incomplete(void **state)
{
	static const char *const bad[] = {
		"{\"cpu_util_user\":0,\"cpu_util_system\":0,\"sender_has_retransmits\":0,"
		"\"streams\":[]}",
		"{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,"
		"\"sender_has_retransmits\":0,\"streams\":{}}",
		"{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,"
		"\"sender_has_retransmits\":0,\"streams\":[{\"id\":1,\"bytes\":5}]}",
		"{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,"
		"\"sender_has_retransmits\":0,\"streams\":[{\"id\":1,\"bytes\":-5,"
		"\"retransmits\":0,\"jitter\":0,\"errors\":0,\"packets\":0}]}",
		"{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,"
		"\"sender_has_retransmits\":0,\"streams\":[7]}",
	};
	struct iperf_results r;
	char why[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(parse_results(bad[i], &r, why, sizeof(why)), IPERF_EBADMSG);
		assert_true(strlen(why) > 0);
	}
}

static void test_results_too_many_streams(void **state)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	struct iperf_results r;
	char why[200];

	(void)state;
	json_object_object_add(o, "cpu_util_total", json_object_new_int(0));
	json_object_object_add(o, "cpu_util_user", json_object_new_int(0));
	json_object_object_add(o, "cpu_util_system", json_object_new_int(0));
	json_object_object_add(o, "sender_has_retransmits", json_object_new_int(0));
	for (int i = 0; i <= IPERF_MAX_STREAMS; i++)
		json_object_array_add(arr, json_object_new_object());
	json_object_object_add(o, "streams", arr);
	assert_int_equal(iperf_results_from_json(o, &r, why, sizeof(why)), IPERF_EBADMSG);
	json_object_put(o);
}

static int run_client(const char *server, const char *timeout, struct wl_result *res)
{
	char *argv[] = {"net",	 "--server", (char *)server, "--duration",    "0.3",
			"--len", "64K",	     "--timeout",    (char *)timeout, NULL};

	memset(res, 0, sizeof(*res));
	return wl_net.run(9, argv, res);
}

/* Our client against our forked server, on loopback, for 0.3 s. */
static void test_loopback_client_server(void **state)
{
	struct net_server *srv;
	struct json_object *v;
	struct wl_result res;
	char addr[64];

	(void)state;
	assert_int_equal(net_server_start("127.0.0.1", 0, NULL, &srv), 0);
	assert_true(net_server_port(srv) > 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", net_server_port(srv));
	assert_int_equal(run_client(addr, "5", &res), WL_OK);
	assert_true(res.bytes > 0 && res.ops > 0 && res.score > 0);
	assert_true(res.duration_s >= 0.3 && res.duration_s < 1.0);
	assert_true(json_object_object_get_ex(res.extra, "server_received_bytes", &v));
	assert_true(json_object_get_uint64(v) > 0 && json_object_get_uint64(v) <= res.bytes);
	assert_true(json_object_object_get_ex(res.extra, "tcp_info", &v));
	assert_true(json_object_object_get_ex(v, "rtt_us", NULL));
	json_object_put(res.extra);
	/* A second test on the same server: it serves one after another. */
	assert_int_equal(run_client(addr, "5", &res), WL_OK);
	json_object_put(res.extra);
	net_server_stop(srv);
	/* Stopped means nobody listens there any more. */
	assert_int_equal(run_client(addr, "5", &res), WL_EFAIL);
}

/* A server that accepts and says nothing: the client gives up on time. */
static void test_client_silent_server(void **state)
{
	struct wl_result res;
	char addr[64];
	double t0;
	int lfd;

	(void)state;
	lfd = iperf_listen("127.0.0.1", 0, addr, sizeof(addr));
	assert_true(lfd >= 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", iperf_local_port(lfd));
	t0 = now_s();
	assert_int_equal(run_client(addr, "0.3", &res), WL_EFAIL);
	assert_true(now_s() - t0 < 2.0);
	close(lfd);
}

/* A client sending garbage does not stop the server from serving the next. */
static void test_server_survives_garbage(void **state)
{
	struct net_server *srv;
	struct wl_result res;
	char addr[64], buf[64], peer[64];
	int fd;

	(void)state;
	assert_int_equal(net_server_start(NULL, 0, NULL, &srv), 0);
	fd = iperf_connect("127.0.0.1", net_server_port(srv), 1000, peer, sizeof(peer));
	assert_true(fd >= 0);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(iperf_write_full(fd, buf, sizeof(buf), 1000), 0);
	/* It hangs up on us, within its timeout. */
	assert_int_equal(iperf_read_full(fd, buf, sizeof(buf), 5000), IPERF_ECLOSED);
	close(fd);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", net_server_port(srv));
	assert_int_equal(run_client(addr, "5", &res), WL_OK);
	json_object_put(res.extra);
	net_server_stop(srv);
}

static void test_client_bad_options(void **state)
{
	char *a1[] = {"net", "--streams", "0", NULL};
	char *a2[] = {"net", "--len", "2M", NULL};
	char *a3[] = {"net", "--server", "[::1", NULL};
	char *a4[] = {"net", "--bogus", NULL};
	struct wl_result res = {0};

	(void)state;
	assert_int_equal(wl_net.run(3, a1, &res), WL_EUSAGE);
	assert_int_equal(wl_net.run(3, a2, &res), WL_EUSAGE);
	assert_int_equal(wl_net.run(3, a3, &res), WL_EUSAGE);
	assert_int_equal(wl_net.run(2, a4, &res), WL_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_format),
		cmocka_unit_test(test_stream_ids),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test_setup_teardown(test_state_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_roundtrip_parsed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_early_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_one_deadline, setup, teardown),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_params_from_stock_client),
		cmocka_unit_test(test_params_out_of_range),
		cmocka_unit_test(test_results_roundtrip),
		cmocka_unit_test(test_results_from_stock_server),
		cmocka_unit_test(test_results_incomplete),
		cmocka_unit_test(test_results_too_many_streams),
		cmocka_unit_test(test_client_bad_options),
		cmocka_unit_test(test_client_silent_server),
		cmocka_unit_test(test_loopback_client_server),
		cmocka_unit_test(test_server_survives_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
