// SPDX-License-Identifier: GPL-2.0
/*
 * net: TCP uplink, this process to an iperf3 server, over the iperf3 control
 * protocol (net_iperf.h). The score is the sender's figure as iperf3 -c prints
 * it: bytes written from TEST_START until the test time is up, divided by that
 * time, in Mbit/s (10^6 bit/s). The server's own count comes back in the
 * results exchange and goes to "extra", with the connection's TCP_INFO.
 */
#include <errno.h>
#include <getopt.h>
#include <json.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_iperf.h"
#include "util_log.h"
#include "wl_internal.h"
#include "workload.h"

#define CONNECT_TIMEOUT_MS 5000
#define BURST		   10 /* writes per stream per wake-up, iperf3's multisend */
#define NET_MIN_SECS	   0.1
#define NET_MAX_TIMEOUT	   3600.0

struct net_opts {
	char host[256];
	int port;
	int streams;
	uint64_t len;
	double duration;
	double timeout; /* seconds the server may take for each control step */
};

/* How far the test got, to check the server's states arrive in order. */
enum phase { PH_CONNECTED, PH_PARAMS, PH_STREAMS, PH_STARTED, PH_ENDED, PH_RESULTS };

static const char *const awaiting[] = {
	[PH_CONNECTED] = "PARAM_EXCHANGE", [PH_PARAMS] = "CREATE_STREAMS",
	[PH_STREAMS] = "TEST_START",	   [PH_STARTED] = "TEST_RUNNING",
	[PH_ENDED] = "EXCHANGE_RESULTS",   [PH_RESULTS] = "DISPLAY_RESULTS",
};

struct stream {
	int fd;
	uint64_t sent;
	size_t pending; /* bytes of the current block not yet written */
	struct tcp_info ti;
	bool have_ti;
};

struct net_client {
	struct net_opts o;
	char peer[300];
	char cookie[IPERF_COOKIE_SIZE];
	int ctrl;
	int timeout_ms;
	enum phase phase;
	struct stream st[IPERF_MAX_STREAMS];
	int nr;
	char *buf;
	uint64_t writes;
	double t_start, t_end;
	struct iperf_cpu cpu;
	char congestion[16];
	struct iperf_results theirs;
};

static void net_usage(FILE *out)
{
	fprintf(out,
		"usage: vbench-trace workload net [--server HOST[:PORT]] [--streams N] [--len "
		"BYTES]\n"
		"                                 [--duration S] [--timeout S]\n\n"
		"TCP uplink to an iperf3 server (a stock 'iperf3 -s' or 'vbench-trace "
		"net-server'),\n"
		"over the iperf3 protocol; the score is iperf3 -c's sender figure in Mbit/s.\n\n"
		"  --server HOST[:PORT]  server, [IPv6]:PORT for IPv6 (default 127.0.0.1:%d)\n"
		"  --streams N           parallel TCP streams, 1..%d (default 1)\n"
		"  --len BYTES           bytes per write, 1..1M (default 128K)\n"
		"  --duration S          seconds of sending, 0.1..%d (default 10)\n"
		"  --timeout S           seconds the server may take to answer each control\n"
		"                        step, 0.1..%.0f (default 10); connecting gives up\n"
		"                        after %d s\n",
		IPERF_DEFAULT_PORT, IPERF_MAX_STREAMS, IPERF_MAX_TIME, NET_MAX_TIMEOUT,
		CONNECT_TIMEOUT_MS / 1000);
}

static int parse_opts(int argc, char **argv, struct net_opts *o)
{
	static const struct option longopts[] = {
		{"server", required_argument, NULL, 's'},
		{"streams", required_argument, NULL, 'P'},
		{"len", required_argument, NULL, 'l'},
		{"duration", required_argument, NULL, 'd'},
		{"timeout", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	char why[300];
	uint64_t n;
	int c, ret = WL_OK;

	snprintf(o->host, sizeof(o->host), "127.0.0.1");
	o->port = IPERF_DEFAULT_PORT;
	o->streams = 1;
	o->len = IPERF_DEFAULT_LEN;
	o->duration = 10;
	o->timeout = 10;
	optind = 0;
	opterr = 0;
	while (ret == WL_OK && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (iperf_parse_hostport(optarg, IPERF_DEFAULT_PORT, o->host,
						 sizeof(o->host), &o->port, why, sizeof(why))) {
				vb_err("net: --server %s", why);
				ret = WL_EUSAGE;
			}
			break;
		case 'P':
			ret = wl_parse_uint("--streams", optarg, 1, IPERF_MAX_STREAMS, &n);
			o->streams = ret == WL_OK ? (int)n : o->streams;
			break;
		case 'l':
			/* at most iperf3's own limit */
			ret = wl_parse_size_range("--len", optarg, 1, IPERF_MAX_LEN, &o->len);
			break;
		case 'd':
			ret = wl_parse_double_range("--duration", optarg, NET_MIN_SECS,
						    IPERF_MAX_TIME, &o->duration);
			break;
		case 't':
			/* the milliseconds of NET_MAX_TIMEOUT fit an int */
			ret = wl_parse_double_range("--timeout", optarg, NET_MIN_SECS,
						    NET_MAX_TIMEOUT, &o->timeout);
			break;
		default:
			vb_err("net: unknown or incomplete option '%s' (see 'vbench-trace workload "
			       "net --help')",
			       argv[optind - 1]);
			ret = WL_EUSAGE;
		}
	}
	if (ret == WL_OK && optind < argc) {
		vb_err("net: unexpected argument '%s'", argv[optind]);
		ret = WL_EUSAGE;
	}
	return ret;
}

/* One line for a failed control step: who, what went wrong, while doing what. */
static int ctrl_fail(struct net_client *c, int err, const char *doing)
{
	if (err == IPERF_ETIMEDOUT)
		vb_err("net: server %s: no answer within %g s %s (is it an iperf3 server, and "
		       "alive?)",
		       c->peer, c->o.timeout, doing);
	else if (err == IPERF_ECLOSED)
		vb_err("net: server %s closed the control connection %s", c->peer, doing);
	else
		vb_err("net: server %s: %s %s", c->peer, iperf_strerror(err), doing);
	return WL_EFAIL;
}

static int server_error(struct net_client *c)
{
	const char *what;
	int ierr, err, ret;

	ret = iperf_recv_server_error(c->ctrl, &ierr, &err, c->timeout_ms);
	if (ret)
		return ctrl_fail(c, ret, "after it sent SERVER_ERROR");
	what = iperf_ierror_name(ierr);
	vb_err("net: server %s refused the test: iperf3 error %d (%s)%s%s", c->peer, ierr,
	       what ? what : "see iperf3's iperf_api.h", err ? ": " : "", err ? strerror(err) : "");
	return WL_EFAIL;
}

/* A state byte that ends the test from the server's side, or garbage. */
static int unexpected_state(struct net_client *c, int state)
{
	switch (state) {
	case IPERF_ACCESS_DENIED:
		vb_err("net: server %s is busy with another test (ACCESS_DENIED); try again "
		       "later",
		       c->peer);
		return WL_EFAIL;
	case IPERF_SERVER_ERROR:
		return server_error(c);
	case IPERF_SERVER_TERMINATE:
		vb_err("net: server %s terminated the test (SERVER_TERMINATE)", c->peer);
		return WL_EFAIL;
	}
	if (!strcmp(iperf_state_name(state), "unknown"))
		vb_err("net: server %s sent state byte %d, which iperf3 does not define, while "
		       "waiting for %s (not an iperf3 server?)",
		       c->peer, state, awaiting[c->phase]);
	else
		vb_err("net: server %s sent %s while waiting for %s (out of protocol order)",
		       c->peer, iperf_state_name(state), awaiting[c->phase]);
	return WL_EFAIL;
}

static int send_params(struct net_client *c)
{
	struct iperf_params p = {
		.tcp = true,
		/* iperf3 carries whole seconds; the server only uses them for
		 * its own give-up timer, so round up. */
		.time = (int)ceil(c->o.duration),
		.parallel = c->o.streams,
		.len = (int)c->o.len,
	};
	struct json_object *j;
	int ret;

	snprintf(p.client_version, sizeof(p.client_version), "vbench-trace");
	j = iperf_params_to_json(&p);
	ret = iperf_send_json(c->ctrl, j, c->timeout_ms);
	json_object_put(j);
	return ret ? ctrl_fail(c, ret, "while sending the test parameters") : WL_OK;
}

static int connect_streams(struct net_client *c)
{
	char peer[sizeof(c->peer)];
	socklen_t len = sizeof(c->congestion) - 1;
	int fd, ret;

	for (c->nr = 0; c->nr < c->o.streams; c->nr++) {
		fd = iperf_connect(c->o.host, c->o.port, CONNECT_TIMEOUT_MS, peer, sizeof(peer));
		if (fd < 0) {
			vb_err("net: server %s: cannot open data stream %d: %s", c->peer, c->nr + 1,
			       iperf_strerror(fd));
			return WL_EFAIL;
		}
		c->st[c->nr].fd = fd;
		ret = iperf_write_full(fd, c->cookie, IPERF_COOKIE_SIZE, c->timeout_ms);
		if (ret) {
			vb_err("net: server %s: data stream %d: %s while sending the cookie",
			       c->peer, c->nr + 1, iperf_strerror(ret));
			c->nr++;
			return WL_EFAIL;
		}
	}
	if (getsockopt(c->st[0].fd, IPPROTO_TCP, TCP_CONGESTION, c->congestion, &len))
		c->congestion[0] = '\0';
	return WL_OK;
}

/* The server may only speak during the test to stop it. */
static int ctrl_during_test(struct net_client *c)
{
	int state, ret;

	ret = iperf_recv_state(c->ctrl, &state, c->timeout_ms);
	if (ret)
		return ctrl_fail(c, ret, "during the test");
	return unexpected_state(c, state);
}

static int stream_fail(struct net_client *c, int i, int err)
{
	vb_err("net: server %s: data stream %d failed during the test: %s", c->peer, i + 1,
	       err == EPIPE || err == ECONNRESET ? "the server closed it" : strerror(err));
	return WL_EFAIL;
}

/* Fills stream i's socket until it would block, BURST blocks at most. */
static int send_burst(struct net_client *c, int i, double deadline)
{
	struct stream *s = &c->st[i];
	ssize_t w;

	for (int k = 0; k < BURST; k++) {
		if (!s->pending)
			s->pending = c->o.len;
		w = send(s->fd, c->buf + (c->o.len - s->pending), s->pending,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return WL_OK;
			return stream_fail(c, i, errno);
		}
		s->pending -= (size_t)w;
		s->sent += (uint64_t)w;
		c->writes++;
		if (s->pending || vb_now_s() >= deadline)
			return WL_OK;
	}
	return WL_OK;
}

static int send_data(struct net_client *c)
{
	struct pollfd pfd[IPERF_MAX_STREAMS + 1];
	double deadline = c->t_start + c->o.duration, now;
	int ret, n;

	pfd[0] = (struct pollfd){.fd = c->ctrl, .events = POLLIN};
	for (int i = 0; i < c->nr; i++)
		pfd[i + 1] = (struct pollfd){.fd = c->st[i].fd, .events = POLLOUT};
	while ((now = vb_now_s()) < deadline) {
		n = poll(pfd, (nfds_t)c->nr + 1, (int)ceil((deadline - now) * 1000));
		if (n < 0 && errno != EINTR) {
			vb_err("net: poll: %s", strerror(errno));
			return WL_EFAIL;
		}
		if (iperf_stop) {
			vb_err("net: interrupted during the test with %s", c->peer);
			return WL_EFAIL;
		}
		if (n <= 0)
			continue;
		if (pfd[0].revents)
			return ctrl_during_test(c);
		for (int i = 0; i < c->nr; i++) {
			if (!pfd[i + 1].revents)
				continue;
			ret = send_burst(c, i, deadline);
			if (ret)
				return ret;
		}
	}
	return WL_OK;
}

static void read_tcp_info(struct net_client *c)
{
	for (int i = 0; i < c->nr; i++) {
		socklen_t len = sizeof(c->st[i].ti);

		c->st[i].have_ti =
			!getsockopt(c->st[i].fd, IPPROTO_TCP, TCP_INFO, &c->st[i].ti, &len);
	}
}

static int run_test(struct net_client *c)
{
	int ret;

	/* Page-aligned, as iperf3's mmap'd buffer is: the kernel copies from
	 * it at the same offsets. */
	if (posix_memalign((void **)&c->buf, 4096, c->o.len))
		c->buf = NULL;
	if (!c->buf) {
		vb_err("net: cannot allocate a %llu-byte buffer", (unsigned long long)c->o.len);
		return WL_EFAIL;
	}
	/* iperf3 sends random bytes unless asked to repeat a pattern; the
	 * content does not matter on an uncompressed path. */
	for (uint64_t i = 0; i < c->o.len; i++)
		c->buf[i] = (char)(i * 131 + 7);
	ret = send_data(c);
	c->t_end = vb_now_s();
	if (ret)
		return ret;
	read_tcp_info(c);
	ret = iperf_send_state(c->ctrl, IPERF_TEST_END, c->timeout_ms);
	return ret ? ctrl_fail(c, ret, "while sending TEST_END") : WL_OK;
}

static uint64_t bytes_sent(const struct net_client *c)
{
	uint64_t sum = 0;

	for (int i = 0; i < c->nr; i++)
		sum += c->st[i].sent;
	return sum;
}

static int exchange_results(struct net_client *c)
{
	struct iperf_results mine = {.sender_has_retransmits = 1, .nr_streams = c->nr};
	struct json_object *j = NULL;
	char why[200];
	int ret;

	iperf_cpu_end(&c->cpu, &mine.cpu_util_total, &mine.cpu_util_user, &mine.cpu_util_system);
	snprintf(mine.congestion_used, sizeof(mine.congestion_used), "%s", c->congestion);
	for (int i = 0; i < c->nr; i++) {
		mine.streams[i] = (struct iperf_stream_result){
			.id = iperf_stream_id(i),
			.bytes = c->st[i].sent,
			.retransmits = c->st[i].have_ti ? c->st[i].ti.tcpi_total_retrans : 0,
			.end_time = c->t_end - c->t_start,
		};
	}
	j = iperf_results_to_json(&mine);
	ret = iperf_send_json(c->ctrl, j, c->timeout_ms);
	json_object_put(j);
	if (ret)
		return ctrl_fail(c, ret, "while sending our results");
	ret = iperf_recv_json(c->ctrl, &j, c->timeout_ms);
	if (ret)
		return ctrl_fail(c, ret, "while waiting for its results");
	ret = iperf_results_from_json(j, &c->theirs, why, sizeof(why));
	json_object_put(j);
	if (ret) {
		vb_err("net: server %s sent unusable results: %s", c->peer, why);
		return WL_EFAIL;
	}
	for (int i = 0; i < c->theirs.nr_streams; i++) {
		int id = c->theirs.streams[i].id;

		if (id < 1 || id == 2 || id > c->nr + 1) {
			vb_err("net: server %s sent results for stream id %d, which this test "
			       "does not have",
			       c->peer, id);
			return WL_EFAIL;
		}
	}
	return WL_OK;
}

static int on_state(struct net_client *c, int state)
{
	static const int next[] = {
		[PH_CONNECTED] = IPERF_PARAM_EXCHANGE, [PH_PARAMS] = IPERF_CREATE_STREAMS,
		[PH_STREAMS] = IPERF_TEST_START,       [PH_STARTED] = IPERF_TEST_RUNNING,
		[PH_ENDED] = IPERF_EXCHANGE_RESULTS,   [PH_RESULTS] = IPERF_DISPLAY_RESULTS,
	};
	int ret;

	if (state != next[c->phase])
		return unexpected_state(c, state);
	switch (state) {
	case IPERF_PARAM_EXCHANGE:
		ret = send_params(c);
		break;
	case IPERF_CREATE_STREAMS:
		ret = connect_streams(c);
		break;
	case IPERF_TEST_START:
		/* iperf3's clock starts here, not at TEST_RUNNING. */
		c->t_start = vb_now_s();
		iperf_cpu_start(&c->cpu);
		ret = WL_OK;
		break;
	case IPERF_TEST_RUNNING:
		ret = run_test(c);
		break;
	case IPERF_EXCHANGE_RESULTS:
		ret = exchange_results(c);
		break;
	default:
		ret = WL_OK;
	}
	c->phase++;
	return ret;
}

static int talk(struct net_client *c)
{
	int state, ret;

	ret = iperf_write_full(c->ctrl, c->cookie, IPERF_COOKIE_SIZE, c->timeout_ms);
	if (ret)
		return ctrl_fail(c, ret, "while sending the cookie");
	for (;;) {
		ret = iperf_recv_state(c->ctrl, &state, c->timeout_ms);
		if (ret) {
			char doing[64];

			snprintf(doing, sizeof(doing), "while waiting for %s", awaiting[c->phase]);
			return ctrl_fail(c, ret, doing);
		}
		if (c->phase == PH_RESULTS && state == IPERF_DISPLAY_RESULTS)
			break;
		ret = on_state(c, state);
		if (ret)
			return ret;
	}
	for (int i = 0; i < c->nr; i++) {
		close(c->st[i].fd);
		c->st[i].fd = -1;
	}
	/* The server may close first once it has shown its results. */
	iperf_send_state(c->ctrl, IPERF_IPERF_DONE, c->timeout_ms);
	return WL_OK;
}

static struct json_object *tcp_info_json(const struct net_client *c)
{
	const struct tcp_info *ti = &c->st[0].ti;
	struct json_object *o = json_object_new_object();
	uint64_t retrans = 0;

	for (int i = 0; i < c->nr; i++)
		retrans += c->st[i].have_ti ? c->st[i].ti.tcpi_total_retrans : 0;
	json_object_object_add(o, "rtt_us", json_object_new_int64(ti->tcpi_rtt));
	json_object_object_add(o, "rttvar_us", json_object_new_int64(ti->tcpi_rttvar));
	json_object_object_add(o, "retransmits", json_object_new_uint64(retrans));
	json_object_object_add(o, "snd_cwnd", json_object_new_int64(ti->tcpi_snd_cwnd));
	json_object_object_add(o, "snd_mss", json_object_new_int64(ti->tcpi_snd_mss));
	json_object_object_add(o, "pmtu", json_object_new_int64(ti->tcpi_pmtu));
	return o;
}

static struct json_object *extra_json(const struct net_client *c)
{
	struct json_object *o = json_object_new_object();
	const struct iperf_results *r = &c->theirs;

	json_object_object_add(o, "server", json_object_new_string(c->peer));
	json_object_object_add(o, "streams", json_object_new_int(c->nr));
	json_object_object_add(o, "len", json_object_new_uint64(c->o.len));
	json_object_object_add(o, "server_received_bytes",
			       json_object_new_uint64(iperf_results_bytes(r)));
	json_object_object_add(o, "server_mbps", json_object_new_double(iperf_results_mbps(r)));
	if (r->nr_streams)
		json_object_object_add(
			o, "server_duration_s",
			json_object_new_double(r->streams[0].end_time - r->streams[0].start_time));
	if (c->congestion[0])
		json_object_object_add(o, "congestion", json_object_new_string(c->congestion));
	if (c->nr && c->st[0].have_ti)
		json_object_object_add(o, "tcp_info", tcp_info_json(c));
	return o;
}

static void client_close(struct net_client *c)
{
	for (int i = 0; i < c->nr; i++)
		if (c->st[i].fd >= 0)
			close(c->st[i].fd);
	if (c->ctrl >= 0)
		close(c->ctrl);
	free(c->buf);
	free(c);
}

static int net_check(int argc, char **argv)
{
	struct net_opts o;

	return parse_opts(argc, argv, &o);
}

static int net_run(int argc, char **argv, struct wl_result *res)
{
	struct net_client *c;
	int one = 1, ret;
	double secs;

	c = calloc(1, sizeof(*c));
	if (!c) {
		vb_err("net: out of memory");
		return WL_EFAIL;
	}
	c->ctrl = -1;
	ret = parse_opts(argc, argv, &c->o);
	if (ret)
		goto out;
	c->timeout_ms = (int)(c->o.timeout * 1000);
	iperf_make_cookie(c->cookie);
	c->ctrl = iperf_connect(c->o.host, c->o.port, CONNECT_TIMEOUT_MS, c->peer, sizeof(c->peer));
	if (c->ctrl < 0) {
		vb_err("net: cannot connect to %s:%d: %s (is an iperf3 server there? 'iperf3 -s' "
		       "or 'vbench-trace net-server' starts one)",
		       c->o.host, c->o.port,
		       c->ctrl == IPERF_ETIMEDOUT ? "no answer within 5 s"
						  : iperf_strerror(c->ctrl));
		ret = WL_EFAIL;
		goto out;
	}
	/* Control messages are single bytes: do not let Nagle hold them. */
	setsockopt(c->ctrl, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ret = talk(c);
	if (ret)
		goto out;
	secs = c->t_end - c->t_start;
	res->duration_s = secs;
	res->bytes = bytes_sent(c);
	res->ops = c->writes;
	res->score = secs > 0 ? (double)res->bytes * 8 / secs / 1e6 : 0;
	res->extra = extra_json(c);
out:
	client_close(c);
	return ret;
}

const struct workload wl_net = {
	.name = "net",
	.unit = "Mbit/s",
	.summary = "TCP uplink to an iperf3 server, iperf3 protocol (Mbit/s = 10^6 bit/s)",
	.peer = "iperf3 -c HOST -t S  (against iperf3 -s)",
	.higher_is_better = true,
	.usage = net_usage,
	.check = net_check,
	.run = net_run,
};
