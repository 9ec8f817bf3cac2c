/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The net-server's gate: connections accepted but not yet authenticated, i.e.
 * whose 37-byte iperf3 cookie has not arrived whole. A stock iperf3 client
 * sends its cookie at once after connecting; anything that does not is held
 * here, never by the test loop, so idle or slow connections cannot keep a
 * real client out:
 *
 * - at most NET_GATE_MAX connections wait at a time; one more closes the one
 *   that has waited longest (a real client's cookie is read within the
 *   moment it arrives, so the oldest is the likeliest to be idle);
 * - each has an absolute deadline from its accept for its whole cookie, which
 *   a byte-at-a-time sender cannot stretch;
 * - reads never block: the caller polls the fds (net_gate_pollfds) and calls
 *   net_gate_read on the ready ones.
 *
 *	struct net_gate g;
 *	net_gate_init(&g, 3000);
 *	... poll the listener and net_gate_pollfds(&g, ...) ...
 *	net_gate_accept(&g, lfd, vb_now_ms());
 *	net_gate_service(&g, pfd + 1, n);
 *	while ((i = net_gate_ready(&g)) >= 0) net_gate_take(&g, i, &conn);
 *	net_gate_expire(&g, vb_now_ms());
 *	net_gate_close_all(&g);
 */
#ifndef VB_NET_GATE_H
#define VB_NET_GATE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "net_iperf.h"

#define NET_GATE_MAX	    16		 /* connections waiting for their cookie */
#define NET_GATE_COOKIE_MS  3000	 /* default time a connection has for it */
#define NET_GATE_ACCEPT_MAX NET_GATE_MAX /* accepts per wake-up */

struct net_conn {
	int fd;
	long long deadline_ms; /* absolute (vb_now_ms) for the whole cookie */
	size_t got;	       /* cookie bytes read so far */
	char cookie[IPERF_COOKIE_SIZE];
	char peer[80];
};

struct net_gate {
	struct net_conn c[NET_GATE_MAX]; /* in arrival order, oldest first */
	int n;
	int cookie_ms;
	unsigned long evicted; /* closed to make room, since init */
};

void net_gate_init(struct net_gate *g, int cookie_ms);

/*
 * Adds an accepted connection (fd becomes the gate's), closing the oldest
 * waiting one first when NET_GATE_MAX already wait. Tries to read its cookie
 * at once. Returns the index it ended at, or -1 when the peer had closed
 * already (it is dropped then).
 */
int net_gate_add(struct net_gate *g, int fd, const char *peer, long long now_ms);

/* Accepts what the listener holds (at most NET_GATE_ACCEPT_MAX) into the
 * gate. Returns how many. The listener must be non-blocking. */
int net_gate_accept(struct net_gate *g, int lfd, long long now_ms);

/* One pollfd per waiting connection, in index order; returns how many. */
int net_gate_pollfds(const struct net_gate *g, struct pollfd *pfd);

/* After poll() on net_gate_pollfds' n fds: reads each ready connection,
 * dropping (one log line) those whose peer closed. */
void net_gate_service(struct net_gate *g, const struct pollfd *pfd, int n);

/*
 * Reads what connection i has of its cookie, without blocking. Returns 1
 * when the cookie is whole, 0 when more is due, or a negative code
 * (IPERF_ECLOSED, or a negative errno) when the peer closed or failed; the
 * caller then drops it.
 */
int net_gate_read(struct net_gate *g, int i);

/* Removes connection i and hands it (and its fd) to the caller. */
void net_gate_take(struct net_gate *g, int i, struct net_conn *out);

/* Closes connection i and removes it; why (may be NULL) goes to the log
 * with the peer's address. */
void net_gate_drop(struct net_gate *g, int i, const char *why);

/*
 * Closes, with one log line each, the connections past their deadline
 * (after one last read: a cookie that arrived whole is not dropped; the
 * caller finds it with net_gate_ready). Returns how many were closed.
 */
int net_gate_expire(struct net_gate *g, long long now_ms);

/* Index of a connection whose cookie is whole, or -1. */
int net_gate_ready(const struct net_gate *g);

/* The earliest deadline, or -1 when nothing waits. */
long long net_gate_next_deadline(const struct net_gate *g);

void net_gate_close_all(struct net_gate *g);

#endif
