// SPDX-License-Identifier: GPL-2.0
/*
 * net-server: the server side of the iperf3 protocol (net_iperf.h), one test
 * after another, for 'vbench-trace net-server' and for the runner
 * (net_server.h). Receiver figures are counted as iperf3 -s counts them: the
 * bytes read between TEST_START and the client's TEST_END.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "net_gate.h"
#include "net_iperf.h"
#include "net_server.h"
#include "util_log.h"
#include "util_sys.h"

#define DEFAULT_TIMEOUT_MS 10000
#define DEFAULT_MAX_TIME_S 600 /* the longest test a client may ask for */
#define GRACE_S		   10  /* past time + omit before a silent client is dropped */
#define IDLE_S		   120 /* no data and no TEST_END: iperf3's own default */
#define READS_PER_WAKEUP   16

struct net_server {
	pid_t pid;
	int port;
};

struct srv_cfg {
	int timeout_ms; /* for each control step (message) of a client */
	int max_time_s; /* longest test served; also bounds -n/-k tests */
	bool one_off;	/* serve one test, then return */
	bool report;	/* one line per test on stdout */
	pid_t parent;	/* stop when this process is gone (0: never) */
};

struct srv_test {
	const struct srv_cfg *cfg;
	struct net_gate *gate; /* connections still without a cookie */
	long long deadline;    /* vb_now_ms() by which the whole test ends */
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

/* A control step's time: the --timeout, cut by the test's own deadline. */
static int step_ms(const struct srv_test *t)
{
	long long left = t->deadline - vb_now_ms();

	if (left < 0)
		return 0;
	return left < t->cfg->timeout_ms ? (int)left : t->cfg->timeout_ms;
}

/* Seconds of data a test may send: its time, or --max-time for one that
 * ends on a byte or block count (time 0 with -n or -k). */
static int run_s(const struct srv_test *t)
{
	return t->p.time ? t->p.time : t->cfg->max_time_s;
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

/* ACCESS_DENIED ("the server is busy running a test") without waiting. */
static void deny_fd(int fd)
{
	signed char b = IPERF_ACCESS_DENIED;

	if (send(fd, &b, 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* nothing to do: the caller is gone or stuck */
	}
	close(fd);
}

/* A second client while a test runs: iperf3 -s answers ACCESS_DENIED and
 * closes without reading, so the running test is not held up. */
static void deny(int lfd)
{
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd >= 0)
		deny_fd(fd);
}

/* Time 0 without -n or -k is iperf3's "run until interrupted"; longer than
 * --max-time is more than this server gives. Both are refused with iperf3's
 * own "test duration too long", which a stock client prints. */
static int check_time(struct srv_test *t)
{
	if (t->p.time > t->cfg->max_time_s)
		vb_err("net-server: client %s asked for a %d s test; this server runs tests of at "
		       "most %d s (--max-time): refused, with \"test duration too long\"",
		       t->peer, t->p.time, t->cfg->max_time_s);
	else if (!t->p.time && !t->p.num && !t->p.blockcount)
		vb_err("net-server: client %s asked for an unlimited test (time 0 without -n or "
		       "-k); this server runs tests of at most %d s (--max-time): refused, with "
		       "\"test duration too long\"",
		       t->peer, t->cfg->max_time_s);
	else
		return 0;
	iperf_send_server_error(t->ctrl, IPERF_IE_DURATION, 0, step_ms(t));
	return -1;
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
		return check_time(t);
	vb_err("net-server: client %s asked for %s; this server measures TCP uplink only "
	       "(use a stock 'iperf3 -s' for that)",
	       t->peer, what);
	iperf_send_server_error(t->ctrl, IPERF_IE_UNIMP, 0, step_ms(t));
	return -1;
}

static int get_params(struct srv_test *t)
{
	struct json_object *j;
	char why[200];
	int ret;

	ret = iperf_send_state(t->ctrl, IPERF_PARAM_EXCHANGE, step_ms(t));
	if (ret)
		return fail(t, ret, "while sending PARAM_EXCHANGE");
	ret = iperf_recv_json(t->ctrl, &j, step_ms(t));
	if (ret) {
		fail(t, ret, "while waiting for the test parameters");
		/* iperf3 prints "unable to receive parameters from client", and
		 * for a deadline ": Connection timed out". */
		if (ret == IPERF_EBADMSG || ret == IPERF_ETOOBIG || ret == IPERF_ETIMEDOUT)
			iperf_send_server_error(t->ctrl, IPERF_IE_RECVPARAMS,
						ret == IPERF_ETIMEDOUT ? ETIMEDOUT : 0, 200);
		return -1;
	}
	ret = iperf_params_from_json(j, &t->p, why, sizeof(why));
	json_object_put(j);
	if (ret) {
		vb_err("net-server: client %s sent unusable parameters: %s", t->peer, why);
		iperf_send_server_error(t->ctrl, IPERF_IE_RECVPARAMS, 0, 200);
		return -1;
	}
	if (check_params(t))
		return -1;
	/* From here the whole test has one deadline: a step for the streams,
	 * the data, the grace, and three steps for the results. */
	t->deadline = vb_now_ms() + 4LL * t->cfg->timeout_ms +
		      ((long long)run_s(t) + t->p.omit + GRACE_S) * 1000;
	return 0;
}

/* Connections whose cookie came whole while streams are due: a stream of
 * this test if the cookie is this test's, another client (which is told
 * the server is busy) if not. */
static void take_streams(struct srv_test *t)
{
	struct net_conn c;
	int i;

	while ((i = net_gate_ready(t->gate)) >= 0) {
		net_gate_take(t->gate, i, &c);
		if (t->nr >= t->p.parallel || memcmp(c.cookie, t->cookie, sizeof(c.cookie))) {
			deny_fd(c.fd);
			continue;
		}
		t->fds[t->nr] = c.fd;
		t->open[t->nr] = true;
		t->nr++;
	}
}

/* The control connection may speak before the test runs only to give up. */
static int ctrl_early(struct srv_test *t, const char *doing)
{
	int state, ret;

	ret = iperf_recv_state(t->ctrl, &state, step_ms(t));
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
	long long deadline = vb_now_ms() + step_ms(t), left;
	struct pollfd pfd[NET_GATE_MAX + 2];
	int ret, n;

	ret = iperf_send_state(t->ctrl, IPERF_CREATE_STREAMS, step_ms(t));
	if (ret)
		return fail(t, ret, "while sending CREATE_STREAMS");
	for (;;) {
		take_streams(t);
		if (t->nr == t->p.parallel)
			return 0;
		left = deadline - vb_now_ms();
		if (left <= 0 || iperf_stop) {
			vb_err("net-server: client %s opened %d of %d data streams within %g s",
			       t->peer, t->nr, t->p.parallel, t->cfg->timeout_ms / 1000.0);
			return -1;
		}
		pfd[0] = (struct pollfd){.fd = t->lfd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = t->ctrl, .events = POLLIN};
		n = net_gate_pollfds(t->gate, pfd + 2);
		if (poll(pfd, (nfds_t)n + 2, left > 1000 ? 1000 : (int)left) > 0) {
			if (pfd[1].revents)
				return ctrl_early(t, doing);
			net_gate_service(t->gate, pfd + 2, n);
			if (pfd[0].revents)
				net_gate_accept(t->gate, t->lfd, vb_now_ms());
		}
		net_gate_expire(t->gate, vb_now_ms());
	}
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

/* The data phase ran past its bound: a timed test is told the server
 * terminated; one that ends on a byte count (-n, -k) gets "test duration
 * too long", as it asked for more than --max-time gives. */
static int overran(struct srv_test *t, double now)
{
	if (t->p.time) {
		terminate(t);
		vb_err("net-server: client %s did not end its %d s test (no TEST_END after "
		       "%.0f s); dropped",
		       t->peer, t->p.time, now - t->t0);
		return -1;
	}
	iperf_send_server_error(t->ctrl, IPERF_IE_DURATION, 0, 200);
	vb_err("net-server: client %s's test by byte or block count (-n/-k) did not end within "
	       "%d s (--max-time); ended it with \"test duration too long\"",
	       t->peer, t->cfg->max_time_s);
	return -1;
}

/* Waits for TEST_END while counting what the streams deliver. */
static int receive(struct srv_test *t)
{
	struct pollfd pfd[IPERF_MAX_STREAMS + 2];
	/* A timed test ends on the client's clock: allow it some grace. One
	 * by byte count ends at --max-time. */
	double limit = run_s(t) + t->p.omit + (t->p.time ? GRACE_S : 0);
	double last = vb_now_s(), idle = IDLE_S;
	int state, ret, n;

	for (;;) {
		double now = vb_now_s();

		if (iperf_stop) {
			terminate(t);
			vb_err("net-server: stopped during a test with %s", t->peer);
			return -1;
		}
		if (now - t->t0 > limit)
			return overran(t, now);
		if (now - last > idle) {
			terminate(t);
			vb_err("net-server: client %s sent no data for %.0f s during its test; "
			       "dropped",
			       t->peer, idle);
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
	t->t1 = vb_now_s();
	ret = iperf_recv_state(t->ctrl, &state, step_ms(t));
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
	ret = iperf_send_state(t->ctrl, IPERF_TEST_START, step_ms(t));
	t->t0 = vb_now_s();
	iperf_cpu_start(&t->cpu);
	if (!ret)
		ret = iperf_send_state(t->ctrl, IPERF_TEST_RUNNING, step_ms(t));
	return ret ? fail(t, ret, "while starting the test") : 0;
}

static int exchange_results(struct srv_test *t)
{
	struct iperf_results theirs, *mine;
	struct json_object *j;
	char why[200];
	int ret;

	ret = iperf_send_state(t->ctrl, IPERF_EXCHANGE_RESULTS, step_ms(t));
	if (ret)
		return fail(t, ret, "while sending EXCHANGE_RESULTS");
	ret = iperf_recv_json(t->ctrl, &j, step_ms(t));
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
	ret = iperf_send_json(t->ctrl, j, step_ms(t));
	json_object_put(j);
	if (!ret)
		ret = iperf_send_state(t->ctrl, IPERF_DISPLAY_RESULTS, step_ms(t));
	return ret ? fail(t, ret, "while sending the results") : 0;
}

static void finish(struct srv_test *t)
{
	uint64_t sum = 0;
	double secs = t->t1 - t->t0;
	int state;

	/* IPERF_DONE, or the client just closing: both end a good test. */
	iperf_recv_state(t->ctrl, &state, step_ms(t));
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

/* A connection that sent a whole cookie: its test, start to end. */
static int serve_client(int lfd, struct net_gate *gate, const struct net_conn *c,
			const struct srv_cfg *cfg)
{
	struct srv_test *t;
	int one = 1, ret;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	t->cfg = cfg;
	t->gate = gate;
	t->lfd = lfd;
	t->ctrl = c->fd;
	/* Until the parameters say how long it runs: two steps for them. */
	t->deadline = vb_now_ms() + 2LL * cfg->timeout_ms;
	memcpy(t->cookie, c->cookie, sizeof(t->cookie));
	snprintf(t->peer, sizeof(t->peer), "%s", c->peer);
	setsockopt(t->ctrl, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ret = run_test(t);
	for (int i = 0; i < t->nr; i++)
		close(t->fds[i]);
	free(t->buf);
	free(t);
	return ret;
}

/* Waits up to a second for the listener or a connection of the gate, then
 * accepts, reads cookies and closes those past their deadline. */
static void gate_step(int lfd, struct net_gate *gate)
{
	struct pollfd pfd[NET_GATE_MAX + 1] = {{.fd = lfd, .events = POLLIN}};
	long long next = net_gate_next_deadline(gate), wait = 1000;
	int n = net_gate_pollfds(gate, pfd + 1);

	if (next >= 0) {
		wait = next - vb_now_ms();
		wait = wait < 0 ? 0 : wait > 1000 ? 1000 : wait;
	}
	if (poll(pfd, (nfds_t)n + 1, (int)wait) > 0) {
		net_gate_service(gate, pfd + 1, n);
		if (pfd[0].revents)
			net_gate_accept(gate, lfd, vb_now_ms());
	}
	net_gate_expire(gate, vb_now_ms());
}

/* Serves tests one after another until iperf_stop, or after one test. Only
 * a connection whose whole cookie came starts a test; the gate holds the
 * others (net_gate.h), so they never keep a real client out. */
static int serve(int lfd, const struct srv_cfg *cfg)
{
	int cookie_ms = cfg->timeout_ms < NET_GATE_COOKIE_MS ? cfg->timeout_ms : NET_GATE_COOKIE_MS;
	struct net_gate gate;
	struct net_conn c;
	int i, ret = 0;

	net_gate_init(&gate, cookie_ms);
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	while (!iperf_stop) {
		if (cfg->parent && getppid() != cfg->parent)
			break;
		i = net_gate_ready(&gate);
		if (i < 0) {
			gate_step(lfd, &gate);
			continue;
		}
		net_gate_take(&gate, i, &c);
		ret = serve_client(lfd, &gate, &c, cfg);
		close(c.fd);
		if (cfg->one_off)
			break;
		ret = 0;
	}
	net_gate_close_all(&gate);
	return ret;
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

/*
 * Listens on addr:port inside the network namespace at netns (a /run/netns
 * path), or in ours when netns is NULL or "". Only this thread enters it, and
 * only while the socket is made: a socket stays in the namespace it was
 * created in, and so do the connections it accepts.
 */
static int listen_in(const char *netns, const char *addr, int port, char *why, size_t n)
{
	int here, there, lfd, err;

	if (!netns || !*netns)
		return iperf_listen(addr, port, why, n);
	here = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	there = open(netns, O_RDONLY | O_CLOEXEC);
	if (here < 0 || there < 0) {
		err = -errno;
		snprintf(why, n, "cannot open network namespace %s: %s (did its platform make it?)",
			 here < 0 ? "/proc/thread-self/ns/net" : netns, strerror(errno));
		goto out;
	}
	if (setns(there, CLONE_NEWNET)) {
		err = -errno;
		snprintf(why, n, "cannot enter network namespace %s: %s (run as root)", netns,
			 strerror(errno));
		goto out;
	}
	lfd = iperf_listen(addr, port, why, n);
	if (setns(here, CLONE_NEWNET)) {
		/* Nothing this thread did next would be where it should be. */
		vb_err("net-server: cannot return from network namespace %s: %s", netns,
		       strerror(errno));
		abort();
	}
	err = lfd;
	if (lfd < 0 && strlen(why) + strlen(netns) + 20 < n)
		snprintf(why + strlen(why), n - strlen(why), " (in namespace %s)", netns);
out:
	if (here >= 0)
		close(here);
	if (there >= 0)
		close(there);
	return err;
}

int net_server_start(const char *bind_addr, int port, const char *netns, struct net_server **out)
{
	/* The runner's server serves the run's own -d, whatever it is. */
	struct srv_cfg cfg = {
		.timeout_ms = DEFAULT_TIMEOUT_MS,
		.max_time_s = IPERF_MAX_TIME,
		.parent = getpid(),
	};
	struct net_server *s;
	char why[200];
	int lfd, err;

	*out = NULL;
	lfd = listen_in(netns, bind_addr ? bind_addr : "127.0.0.1", port, why, sizeof(why));
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
		"usage: vbench-trace net-server [-p PORT] [-B ADDR] [--one-off] [--timeout S]\n"
		"                               [--max-time S]\n\n"
		"An iperf3-compatible server for TCP uplink tests: 'iperf3 -c ADDR -p PORT' and\n"
		"'vbench-trace workload net --server ADDR:PORT' run against it. Serves one test\n"
		"after another until SIGINT or SIGTERM; one line per test on stdout.\n"
		"A connection must send its 37-byte iperf3 cookie within %d s (or --timeout, if\n"
		"shorter); at most %d such connections wait at once (one more closes the\n"
		"oldest), so idle connections never keep a client out. Tests asking for more\n"
		"than --max-time, or for no time limit (iperf3 -t 0), are refused with \"test\n"
		"duration too long\"; a test by byte count (-n, -k) is ended at --max-time.\n\n"
		"  -p, --port PORT   port (default %d; 0 picks a free one, printed at start)\n"
		"  -B, --bind ADDR   numeric address to listen on (default 127.0.0.1)\n"
		"  -1, --one-off     serve one test, then exit (status 1 if it failed); a\n"
		"                    connection without a whole cookie is no test\n"
		"  --timeout S       seconds a client may take for each control message, counted\n"
		"                    from its first byte's due time to its last (default %d)\n"
		"  --max-time S      longest test a client may ask for, in whole seconds\n"
		"                    (1..%d, default %d)\n",
		NET_GATE_COOKIE_MS / 1000, NET_GATE_MAX, IPERF_DEFAULT_PORT,
		DEFAULT_TIMEOUT_MS / 1000, IPERF_MAX_TIME, DEFAULT_MAX_TIME_S);
}

/* --max-time: whole seconds in 1..IPERF_MAX_TIME. */
static int parse_max_time(const char *arg, struct srv_cfg *cfg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < 1 || v > IPERF_MAX_TIME) {
		vb_err("net-server: --max-time %s: whole seconds in 1..%d", arg, IPERF_MAX_TIME);
		return VB_EXIT_USAGE;
	}
	cfg->max_time_s = (int)v;
	return 0;
}

static int parse_server_opts(int argc, char **argv, const char **addr, int *port,
			     struct srv_cfg *cfg)
{
	static const struct option longopts[] = {
		{"port", required_argument, NULL, 'p'},
		{"bind", required_argument, NULL, 'B'},
		{"one-off", no_argument, NULL, '1'},
		{"timeout", required_argument, NULL, 't'},
		{"max-time", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
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
		case 'm':
			if (parse_max_time(optarg, cfg))
				return VB_EXIT_USAGE;
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
	struct srv_cfg cfg = {
		.timeout_ms = DEFAULT_TIMEOUT_MS,
		.max_time_s = DEFAULT_MAX_TIME_S,
		.report = true,
	};
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
