// SPDX-License-Identifier: GPL-2.0
/*
 * net-server: the server side of the iperf3 protocol (net_iperf.h), one test
 * after another, for 'vbench-trace net-server' and for the runner
 * (net_server.h). Receiver figures are counted as iperf3 -s counts them: the
 * bytes read between TEST_START and the client's TEST_END.
 */
#include <errno.h>
#include <getopt.h>
#include <json.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "net_iperf.h"
#include "net_server.h"
#include "util_log.h"

#define DEFAULT_TIMEOUT_MS 10000
#define GRACE_S		   10  /* past time + omit before a silent client is dropped */
#define IDLE_S		   120 /* no data and no TEST_END: iperf3's own default */
#define READS_PER_WAKEUP   16

struct net_server {
	pid_t pid;
	int port;
};

struct srv_cfg {
	int timeout_ms; /* for each control step of a client */
	bool one_off;	/* serve one test, then return */
	bool report;	/* one line per test on stdout */
	pid_t parent;	/* stop when this process is gone (0: never) */
};

struct srv_test {
	const struct srv_cfg *cfg;
	int lfd, ctrl;
	char peer[80];
	char cookie[IPERF_COOKIE_SIZE];
	struct iperf_params p;
	int fds[IPERF_MAX_STREAMS];
	bool open[IPERF_MAX_STREAMS];
	uint64_t bytes[IPERF_MAX_STREAMS];
	int nr;
	char *buf;
	double t0, t1;
	struct iperf_cpu cpu;
	uint64_t client_bytes;
};

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(struct srv_test *t, int err, const char *doing)
{
	if (err == IPERF_ETIMEDOUT)
		vb_err("net-server: client %s: no answer within %g s %s", t->peer,
		       t->cfg->timeout_ms / 1000.0, doing);
	else if (err == IPERF_ECLOSED)
		vb_err("net-server: client %s closed the control connection %s", t->peer, doing);
	else
		vb_err("net-server: client %s: %s %s", t->peer, iperf_strerror(err), doing);
	return -1;
}

/* Tells a client that is still listening why the test stops here. */
static void terminate(struct srv_test *t)
{
	iperf_send_state(t->ctrl, IPERF_SERVER_TERMINATE, 200);
}

/* A second client while a test runs: iperf3 -s answers ACCESS_DENIED and
 * closes without reading, so the running test is not held up. */
static void deny(int lfd)
{
	signed char b = IPERF_ACCESS_DENIED;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (send(fd, &b, 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* nothing to do: the caller is gone or stuck */
	}
	close(fd);
}

static int check_params(struct srv_test *t)
{
	const char *what = NULL;

	if (t->p.udp)
		what = "a UDP test";
	else if (t->p.sctp)
		what = "an SCTP test";
	else if (t->p.reverse)
		what = "a reverse (-R) test";
	else if (t->p.bidirectional)
		what = "a bidirectional test";
	if (!what)
		return 0;
	vb_err("net-server: client %s asked for %s; this server measures TCP uplink only "
	       "(use a stock 'iperf3 -s' for that)",
	       t->peer, what);
	iperf_send_server_error(t->ctrl, IPERF_IE_UNIMP, 0, t->cfg->timeout_ms);
	return -1;
}

static int get_params(struct srv_test *t)
{
	struct json_object *j;
	char why[200];
	int ret;

	ret = iperf_send_state(t->ctrl, IPERF_PARAM_EXCHANGE, t->cfg->timeout_ms);
	if (ret)
		return fail(t, ret, "while sending PARAM_EXCHANGE");
	ret = iperf_recv_json(t->ctrl, &j, t->cfg->timeout_ms);
	if (ret) {
		fail(t, ret, "while waiting for the test parameters");
		if (ret == IPERF_EBADMSG || ret == IPERF_ETOOBIG)
			iperf_send_server_error(t->ctrl, IPERF_IE_RECVPARAMS, 0, 200);
		return -1;
	}
	ret = iperf_params_from_json(j, &t->p, why, sizeof(why));
	json_object_put(j);
	if (ret) {
		vb_err("net-server: client %s sent unusable parameters: %s", t->peer, why);
		iperf_send_server_error(t->ctrl, IPERF_IE_RECVPARAMS, 0, 200);
		return -1;
	}
	return check_params(t);
}

/* One connection on the listener while streams are due: a stream of this
 * test if it opens with this test's cookie; anything else is turned away. */
static void accept_stream(struct srv_test *t, long long left_ms)
{
	char cookie[IPERF_COOKIE_SIZE];
	signed char denied = IPERF_ACCESS_DENIED;
	int fd, ret;

	fd = accept4(t->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	ret = iperf_read_full(fd, cookie, sizeof(cookie), left_ms < 5000 ? (int)left_ms : 5000);
	if (ret || memcmp(cookie, t->cookie, sizeof(cookie))) {
		if (send(fd, &denied, 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			/* it is gone already */
		}
		close(fd);
		return;
	}
	t->fds[t->nr] = fd;
	t->open[t->nr] = true;
	t->nr++;
}

/* The control connection may speak before the test runs only to give up. */
static int ctrl_early(struct srv_test *t, const char *doing)
{
	int state, ret;

	ret = iperf_recv_state(t->ctrl, &state, t->cfg->timeout_ms);
	if (ret)
		return fail(t, ret, doing);
	if (state == IPERF_CLIENT_TERMINATE)
		vb_err("net-server: client %s terminated the test (CLIENT_TERMINATE) %s", t->peer,
		       doing);
	else
		vb_err("net-server: client %s sent state byte %d (%s) %s; not an iperf3 client?",
		       t->peer, state, iperf_state_name(state), doing);
	return -1;
}

static int create_streams(struct srv_test *t)
{
	const char *doing = "while the data streams were being opened";
	long long deadline_ms = (long long)(mono_now() * 1000) + t->cfg->timeout_ms, left;
	struct pollfd pfd[2] = {{.fd = t->lfd, .events = POLLIN},
				{.fd = t->ctrl, .events = POLLIN}};
	int ret;

	ret = iperf_send_state(t->ctrl, IPERF_CREATE_STREAMS, t->cfg->timeout_ms);
	if (ret)
		return fail(t, ret, "while sending CREATE_STREAMS");
	while (t->nr < t->p.parallel) {
		left = deadline_ms - (long long)(mono_now() * 1000);
		if (left <= 0 || iperf_stop) {
			vb_err("net-server: client %s opened %d of %d data streams within %g s",
			       t->peer, t->nr, t->p.parallel, t->cfg->timeout_ms / 1000.0);
			return -1;
		}
		if (poll(pfd, 2, left > 1000 ? 1000 : (int)left) <= 0)
			continue;
		if (pfd[1].revents)
			return ctrl_early(t, doing);
		if (pfd[0].revents)
			accept_stream(t, left);
	}
	return 0;
}

/* Reads what stream i has, without blocking; a closed stream stops counting. */
static void drain_stream(struct srv_test *t, int i)
{
	ssize_t r;

	for (int k = 0; k < READS_PER_WAKEUP; k++) {
		r = recv(t->fds[i], t->buf, (size_t)t->p.len, MSG_DONTWAIT);
		if (r > 0) {
			t->bytes[i] += (uint64_t)r;
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/* The client closed it or reset it: its control connection
		 * tells the rest. */
		t->open[i] = false;
		return;
	}
}

/* Waits for TEST_END while counting what the streams deliver. */
static int receive(struct srv_test *t)
{
	struct pollfd pfd[IPERF_MAX_STREAMS + 2];
	double limit = t->p.time ? t->p.time + t->p.omit + GRACE_S : 0;
	double last = mono_now(), idle = IDLE_S;
	int state, ret, n;

	for (;;) {
		double now = mono_now();

		if (iperf_stop) {
			terminate(t);
			vb_err("net-server: stopped during a test with %s", t->peer);
			return -1;
		}
		if ((limit && now - t->t0 > limit) || now - last > idle) {
			terminate(t);
			vb_err("net-server: client %s did not end its %d s test (no TEST_END after "
			       "%.0f s); dropped",
			       t->peer, t->p.time, now - t->t0);
			return -1;
		}
		pfd[0] = (struct pollfd){.fd = t->ctrl, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = t->lfd, .events = POLLIN};
		for (int i = 0; i < t->nr; i++)
			pfd[i + 2] = (struct pollfd){.fd = t->open[i] ? t->fds[i] : -1,
						     .events = POLLIN};
		n = poll(pfd, (nfds_t)t->nr + 2, 1000);
		if (n <= 0)
			continue;
		if (pfd[0].revents)
			break;
		if (pfd[1].revents)
			deny(t->lfd);
		for (int i = 0; i < t->nr; i++) {
			if (pfd[i + 2].revents) {
				drain_stream(t, i);
				last = now;
			}
		}
	}
	t->t1 = mono_now();
	ret = iperf_recv_state(t->ctrl, &state, t->cfg->timeout_ms);
	if (ret)
		return fail(t, ret, "during the test");
	if (state == IPERF_TEST_END)
		return 0;
	if (state == IPERF_CLIENT_TERMINATE)
		vb_err("net-server: client %s terminated the test (CLIENT_TERMINATE)", t->peer);
	else
		vb_err("net-server: client %s sent state byte %d (%s) during the test; not an "
		       "iperf3 client?",
		       t->peer, state, iperf_state_name(state));
	return -1;
}

static int start_test(struct srv_test *t)
{
	int ret;

	/* Page-aligned, as iperf3's mmap'd buffer is. */
	if (posix_memalign((void **)&t->buf, 4096, (size_t)t->p.len))
		t->buf = NULL;
	if (!t->buf) {
		vb_err("net-server: cannot allocate a %d-byte buffer", t->p.len);
		return -1;
	}
	ret = iperf_send_state(t->ctrl, IPERF_TEST_START, t->cfg->timeout_ms);
	t->t0 = mono_now();
	iperf_cpu_start(&t->cpu);
	if (!ret)
		ret = iperf_send_state(t->ctrl, IPERF_TEST_RUNNING, t->cfg->timeout_ms);
	return ret ? fail(t, ret, "while starting the test") : 0;
}

static int exchange_results(struct srv_test *t)
{
	struct iperf_results theirs, *mine;
	struct json_object *j;
	char why[200];
	int ret;

	ret = iperf_send_state(t->ctrl, IPERF_EXCHANGE_RESULTS, t->cfg->timeout_ms);
	if (ret)
		return fail(t, ret, "while sending EXCHANGE_RESULTS");
	ret = iperf_recv_json(t->ctrl, &j, t->cfg->timeout_ms);
	if (ret)
		return fail(t, ret, "while waiting for its results");
	ret = iperf_results_from_json(j, &theirs, why, sizeof(why));
	json_object_put(j);
	if (ret) {
		vb_err("net-server: client %s sent unusable results: %s", t->peer, why);
		iperf_send_server_error(t->ctrl, IPERF_IE_RECVRESULTS, 0, 200);
		return -1;
	}
	t->client_bytes = iperf_results_bytes(&theirs);
	mine = calloc(1, sizeof(*mine));
	if (!mine)
		return -1;
	iperf_cpu_end(&t->cpu, &mine->cpu_util_total, &mine->cpu_util_user, &mine->cpu_util_system);
	/* A receiver has no retransmits of its own to tell. */
	mine->sender_has_retransmits = -1;
	mine->nr_streams = t->nr;
	for (int i = 0; i < t->nr; i++)
		mine->streams[i] = (struct iperf_stream_result){
			.id = iperf_stream_id(i),
			.bytes = t->bytes[i],
			.retransmits = -1,
			.end_time = t->t1 - t->t0,
		};
	j = iperf_results_to_json(mine);
	free(mine);
	ret = iperf_send_json(t->ctrl, j, t->cfg->timeout_ms);
	json_object_put(j);
	if (!ret)
		ret = iperf_send_state(t->ctrl, IPERF_DISPLAY_RESULTS, t->cfg->timeout_ms);
	return ret ? fail(t, ret, "while sending the results") : 0;
}

static void finish(struct srv_test *t)
{
	uint64_t sum = 0;
	double secs = t->t1 - t->t0;
	int state;

	/* IPERF_DONE, or the client just closing: both end a good test. */
	iperf_recv_state(t->ctrl, &state, t->cfg->timeout_ms);
	if (!t->cfg->report)
		return;
	for (int i = 0; i < t->nr; i++)
		sum += t->bytes[i];
	printf("net-server: %s: %d stream%s, %.2f s, received %llu bytes, %.2f Mbit/s "
	       "(sender wrote %llu)\n",
	       t->peer, t->nr, t->nr == 1 ? "" : "s", secs, (unsigned long long)sum,
	       secs > 0 ? (double)sum * 8 / secs / 1e6 : 0.0, (unsigned long long)t->client_bytes);
	fflush(stdout);
}

static int run_test(struct srv_test *t)
{
	int ret;

	ret = iperf_read_full(t->ctrl, t->cookie, sizeof(t->cookie), t->cfg->timeout_ms);
	if (ret)
		return fail(t, ret, "before sending its cookie");
	if (!iperf_cookie_valid(t->cookie)) {
		vb_err("net-server: client %s sent a malformed cookie (iperf3 sends 36 printable "
		       "characters and a NUL); not an iperf3 client?",
		       t->peer);
		return -1;
	}
	if (get_params(t) || create_streams(t) || start_test(t))
		return -1;
	if (receive(t))
		return -1;
	for (int i = 0; i < t->nr; i++)
		if (t->open[i])
			shutdown(t->fds[i], SHUT_RDWR);
	if (exchange_results(t))
		return -1;
	finish(t);
	return 0;
}

static int serve_client(int lfd, int ctrl, const struct sockaddr_storage *ss,
			const struct srv_cfg *cfg)
{
	struct srv_test *t;
	int one = 1, ret;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	t->cfg = cfg;
	t->lfd = lfd;
	t->ctrl = ctrl;
	iperf_format_addr(ss, t->peer, sizeof(t->peer));
	setsockopt(ctrl, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ret = run_test(t);
	for (int i = 0; i < t->nr; i++)
		close(t->fds[i]);
	free(t->buf);
	free(t);
	return ret;
}

/* Serves tests one after another until iperf_stop, or after one test. */
static int serve(int lfd, const struct srv_cfg *cfg)
{
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, ret;

	while (!iperf_stop) {
		if (cfg->parent && getppid() != cfg->parent)
			return 0;
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		ret = serve_client(lfd, fd, &ss, cfg);
		close(fd);
		if (cfg->one_off)
			return ret;
	}
	return 0;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	iperf_stop = 1;
}

static void catch_stop_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigset_t none;

	/* No SA_RESTART: a signal must wake poll() so the loop sees it. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The forked server keeps only the listener and stdio: a copy of the
 * runner's pipe to an agent would keep that agent from seeing EOF. */
static void close_other_fds(int keep)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (keep > 3)
		close_range(3, (unsigned)keep - 1, 0);
	if (!close_range((unsigned)keep + 1, ~0U, 0))
		return;
	for (long fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
		if (fd != keep)
			close((int)fd);
}

int net_server_start(const char *bind_addr, int port, struct net_server **out)
{
	struct srv_cfg cfg = {.timeout_ms = DEFAULT_TIMEOUT_MS, .parent = getpid()};
	struct net_server *s;
	char why[200];
	int lfd, err;

	*out = NULL;
	lfd = iperf_listen(bind_addr ? bind_addr : "127.0.0.1", port, why, sizeof(why));
	if (lfd < 0) {
		vb_err("net-server: %s", why);
		return lfd;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(lfd);
		return -ENOMEM;
	}
	s->port = iperf_local_port(lfd);
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		err = -errno;
		vb_err("net-server: fork: %s", strerror(errno));
		close(lfd);
		free(s);
		return err;
	}
	if (s->pid == 0) {
		close_other_fds(lfd);
		catch_stop_signals();
		_exit(serve(lfd, &cfg) ? 1 : 0);
	}
	close(lfd);
	*out = s;
	return 0;
}

int net_server_port(const struct net_server *s)
{
	return s->port;
}

void net_server_stop(struct net_server *s)
{
	struct timespec tick = {.tv_nsec = 10 * 1000 * 1000};
	int status;

	if (!s)
		return;
	kill(s->pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		if (waitpid(s->pid, &status, WNOHANG) != 0)
			goto out;
		nanosleep(&tick, NULL);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
out:
	free(s);
}

static void server_usage(FILE *out)
{
	fprintf(out,
		"usage: vbench-trace net-server [-p PORT] [-B ADDR] [--one-off] [--timeout S]\n\n"
		"An iperf3-compatible server for TCP uplink tests: 'iperf3 -c ADDR -p PORT' and\n"
		"'vbench-trace workload net --server ADDR:PORT' run against it. Serves one test\n"
		"after another until SIGINT or SIGTERM; one line per test on stdout.\n\n"
		"  -p, --port PORT   port (default %d; 0 picks a free one, printed at start)\n"
		"  -B, --bind ADDR   numeric address to listen on (default 127.0.0.1)\n"
		"  -1, --one-off     serve one test, then exit (status 1 if it failed)\n"
		"  --timeout S       seconds a client may take for each control step (default "
		"%d)\n",
		IPERF_DEFAULT_PORT, DEFAULT_TIMEOUT_MS / 1000);
}

static int parse_server_opts(int argc, char **argv, const char **addr, int *port,
			     struct srv_cfg *cfg)
{
	static const struct option longopts[] = {
		{"port", required_argument, NULL, 'p'}, {"bind", required_argument, NULL, 'B'},
		{"one-off", no_argument, NULL, '1'},	{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},	{NULL, 0, NULL, 0},
	};
	char *end;
	double d;
	long v;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:B:1h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v > 65535) {
				vb_err("net-server: -p %s: a port is a number in 0..65535", optarg);
				return VB_EXIT_USAGE;
			}
			*port = (int)v;
			break;
		case 'B':
			*addr = optarg;
			break;
		case '1':
			cfg->one_off = true;
			break;
		case 't':
			d = strtod(optarg, &end);
			if (*end || end == optarg || !(d >= 0.1 && d <= 3600)) {
				vb_err("net-server: --timeout %s: seconds in 0.1..3600", optarg);
				return VB_EXIT_USAGE;
			}
			cfg->timeout_ms = (int)(d * 1000);
			break;
		case 'h':
			server_usage(stdout);
			return -1;
		default:
			vb_err("net-server: unknown or incomplete option '%s' ('vbench-trace "
			       "net-server --help' lists them)",
			       argv[optind - 1]);
			return VB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		vb_err("net-server: unexpected argument '%s'", argv[optind]);
		return VB_EXIT_USAGE;
	}
	return 0;
}

int cmd_net_server(int argc, char **argv)
{
	struct srv_cfg cfg = {.timeout_ms = DEFAULT_TIMEOUT_MS, .report = true};
	const char *addr = "127.0.0.1";
	int port = IPERF_DEFAULT_PORT, lfd, ret;
	char why[200];

	ret = parse_server_opts(argc, argv, &addr, &port, &cfg);
	if (ret)
		return ret < 0 ? VB_EXIT_OK : ret;
	lfd = iperf_listen(addr, port, why, sizeof(why));
	if (lfd < 0) {
		vb_err("net-server: %s%s", why,
		       lfd == -EADDRINUSE ? " (another server there? pick one with -p, or -p 0)"
					  : "");
		return VB_EXIT_FAILED;
	}
	catch_stop_signals();
	printf("net-server: listening on %s%s%s port %d\n", strchr(addr, ':') ? "[" : "", addr,
	       strchr(addr, ':') ? "]" : "", iperf_local_port(lfd));
	fflush(stdout);
	ret = serve(lfd, &cfg);
	close(lfd);
	if (iperf_stop)
		printf("net-server: stopped\n");
	return ret ? VB_EXIT_FAILED : VB_EXIT_OK;
}
