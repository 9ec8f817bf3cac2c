// SPDX-License-Identifier: GPL-2.0
/* Connections that have not sent their whole cookie yet (net_gate.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_gate.h"
#include "util_log.h"

void net_gate_init(struct net_gate *g, int cookie_ms)
{
	memset(g, 0, sizeof(*g));
	g->cookie_ms = cookie_ms;
}

static void remove_at(struct net_gate *g, int i)
{
	memmove(&g->c[i], &g->c[i + 1], (size_t)(g->n - i - 1) * sizeof(g->c[0]));
	g->n--;
}

void net_gate_drop(struct net_gate *g, int i, const char *why)
{
	if (why)
		vb_err("net-server: client %s %s", g->c[i].peer, why);
	close(g->c[i].fd);
	remove_at(g, i);
}

void net_gate_take(struct net_gate *g, int i, struct net_conn *out)
{
	*out = g->c[i];
	remove_at(g, i);
}

int net_gate_read(struct net_gate *g, int i)
{
	struct net_conn *c = &g->c[i];
	ssize_t r;

	while (c->got < sizeof(c->cookie)) {
		r = recv(c->fd, c->cookie + c->got, sizeof(c->cookie) - c->got, MSG_DONTWAIT);
		if (r == 0)
			return IPERF_ECLOSED;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return errno == ECONNRESET ? IPERF_ECLOSED : -errno;
		}
		c->got += (size_t)r;
	}
	return 1;
}

/* Reads connection i and drops it when the peer is gone. Returns 1 when its
 * cookie is whole, 0 when it still waits, -1 when it was dropped. */
static int read_or_drop(struct net_gate *g, int i)
{
	int ret = net_gate_read(g, i);

	if (ret >= 0)
		return ret;
	if (ret == IPERF_ECLOSED)
		net_gate_drop(g, i, "closed the control connection before sending its cookie");
	else
		net_gate_drop(g, i, "failed before sending its cookie");
	return -1;
}

int net_gate_add(struct net_gate *g, int fd, const char *peer, long long now_ms)
{
	struct net_conn *c;
	int i;

	if (g->n == NET_GATE_MAX) {
		g->evicted++;
		vb_err("net-server: client %s: closed without its cookie after %.1f s, to make "
		       "room: %d other connections are waiting for theirs (at most %d wait; "
		       "%lu closed so far)",
		       g->c[0].peer, (double)(now_ms - g->c[0].deadline_ms + g->cookie_ms) / 1000,
		       NET_GATE_MAX, NET_GATE_MAX, g->evicted);
		net_gate_drop(g, 0, NULL);
	}
	i = g->n++;
	c = &g->c[i];
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->deadline_ms = now_ms + g->cookie_ms;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	return read_or_drop(g, i) < 0 ? -1 : i;
}

int net_gate_accept(struct net_gate *g, int lfd, long long now_ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char peer[80];
	int fd, n;

	for (n = 0; n < NET_GATE_ACCEPT_MAX; n++) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			break;
		iperf_format_addr(&ss, peer, sizeof(peer));
		net_gate_add(g, fd, peer, now_ms);
	}
	return n;
}

void net_gate_service(struct net_gate *g, const struct pollfd *pfd, int n)
{
	/* From the last: dropping one moves only those after it. */
	for (int i = (n < g->n ? n : g->n) - 1; i >= 0; i--)
		if (pfd[i].revents)
			read_or_drop(g, i);
}

int net_gate_pollfds(const struct net_gate *g, struct pollfd *pfd)
{
	for (int i = 0; i < g->n; i++)
		pfd[i] = (struct pollfd){.fd = g->c[i].fd, .events = POLLIN};
	return g->n;
}

int net_gate_expire(struct net_gate *g, long long now_ms)
{
	int closed = 0;

	for (int i = 0; i < g->n;) {
		if (g->c[i].deadline_ms > now_ms || g->c[i].got == sizeof(g->c[i].cookie)) {
			i++;
			continue;
		}
		if (read_or_drop(g, i) < 0) {
			closed++;
			continue;
		}
		if (g->c[i].got == sizeof(g->c[i].cookie)) {
			i++;
			continue;
		}
		vb_err("net-server: client %s: no answer within %g s before sending its cookie "
		       "(%zu of %d bytes came)",
		       g->c[i].peer, g->cookie_ms / 1000.0, g->c[i].got, IPERF_COOKIE_SIZE);
		net_gate_drop(g, i, NULL);
		closed++;
	}
	return closed;
}

int net_gate_ready(const struct net_gate *g)
{
	for (int i = 0; i < g->n; i++)
		if (g->c[i].got == sizeof(g->c[i].cookie))
			return i;
	return -1;
}

long long net_gate_next_deadline(const struct net_gate *g)
{
	long long d = -1;

	for (int i = 0; i < g->n; i++)
		if (d < 0 || g->c[i].deadline_ms < d)
			d = g->c[i].deadline_ms;
	return d;
}

void net_gate_close_all(struct net_gate *g)
{
	while (g->n)
		net_gate_drop(g, g->n - 1, NULL);
}
