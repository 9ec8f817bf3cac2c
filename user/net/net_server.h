/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An iperf3-compatible server for the net workload: TCP, one or more streams,
 * client-to-server (uplink) tests, one test at a time, as 'iperf3 -s' serves
 * them. Reverse, bidirectional, UDP and SCTP tests are refused with
 * SERVER_ERROR ("not implemented"), which a stock iperf3 client prints.
 * Connections that have not sent their cookie wait aside (net_gate.h), so
 * idle ones never keep a client out; every control message and every test
 * has an absolute deadline; tests without a time limit or over --max-time
 * (default 600 s) are refused with "test duration too long".
 *
 * The runner starts one per platform and points the agent at it:
 *
 *	struct net_server *srv;
 *	if (net_server_start("127.0.0.1", 0, NULL, &srv))
 *		...the reason went through vb_err()...
 *	... agent runs: workload net --server 127.0.0.1:<net_server_port(srv)> ...
 *	net_server_stop(srv);
 */
#ifndef VB_NET_SERVER_H
#define VB_NET_SERVER_H

struct net_server;

/*
 * Binds bind_addr (a numeric IPv4 or IPv6 address; NULL means 127.0.0.1) and
 * port (0: an ephemeral port) and listens before it returns, so a client may
 * connect at once. Tests are served by a forked child process, so the
 * caller's threads and probes are not disturbed; the child keeps only the
 * listening socket and stdin/stdout/stderr of the caller's descriptors, logs
 * failed tests through vb_err() on the inherited stderr, and exits by itself
 * when the caller's process is gone. It serves tests of any length iperf3
 * allows (the run's own duration), not only up to --max-time's default.
 * netns, when neither NULL nor "", is the path of a network namespace
 * (/run/netns/NAME) to listen in: bind_addr is an address of that namespace,
 * the caller stays in its own.
 * Returns 0, or a negative errno after one vb_err() line.
 */
int net_server_start(const char *bind_addr, int port, const char *netns, struct net_server **out);

/* The port it listens on (the ephemeral one when started with 0). */
int net_server_port(const struct net_server *s);

/* Stops the child (SIGTERM, then SIGKILL after 2 s), reaps it, frees s.
 * NULL is a no-op. A test in progress is cut short. */
void net_server_stop(struct net_server *s);

#endif
