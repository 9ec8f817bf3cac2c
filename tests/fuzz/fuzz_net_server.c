// SPDX-License-Identifier: GPL-2.0
/*
 * 'vbench-trace net-server --one-off' (user/net_server.c), the whole server
 * state machine, against a client whose control bytes are the input. The
 * server has no entry point but its command, so it runs in a thread on a
 * loopback port, and this file plays the client's part of the protocol that
 * is not bytes on the control connection: it sends the input up to the end
 * of the parameters (cookie, length, JSON), opens data streams with the
 * input's cookie when the server asks for them, then sends the rest of the
 * input (TEST_END, results, IPERF_DONE in a real test) and closes. An idle
 * connection without a cookie comes before each control connection: the
 * server holds it aside (user/net/net_gate.h) and serves the next.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commands.h"
#include "net_iperf.h"

#define STEP_MS	    2000 /* only a server that hangs waits this long */
#define MAX_STREAMS 8	 /* the server gives up on more after its 0.1 s */

static char port[8];

/* A free loopback port for the server, the same for every run. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[200];
	int fd = iperf_listen("127.0.0.1", 0, why, sizeof(why));

	(void)argc;
	(void)argv;
	if (fd < 0)
		abort();
	snprintf(port, sizeof(port), "%d", iperf_local_port(fd));
	close(fd);
	return 0;
}

static void *serve_one(void *unused)
{
	char *argv[] = {"net-server", "-p", port, "--one-off", "--timeout", "0.1", NULL};

	(void)unused;
	cmd_net_server(6, argv);
	return NULL;
}

/* A connection to the server; the control connection waits for its thread
 * to listen, a stream does not (the server may have given up). */
static int connect_server(bool wait)
{
	char peer[64];
	int fd;

	for (int ms = 0; ms < STEP_MS; ms++) {
		fd = iperf_connect("127.0.0.1", atoi(port), STEP_MS, peer, sizeof(peer));
		if (fd >= 0 || !wait)
			return fd;
		usleep(1000);
	}
	abort();
}

/* Where the parameters end: after the cookie, a 4-byte length and the JSON. */
static size_t params_end(const uint8_t *data, size_t size)
{
	uint32_t len;

	if (size < IPERF_COOKIE_SIZE + 4)
		return size;
	memcpy(&len, data + IPERF_COOKIE_SIZE, 4);
	len = ntohl(len);
	return len > size - IPERF_COOKIE_SIZE - 4 ? size : IPERF_COOKIE_SIZE + 4 + len;
}

/* After CREATE_STREAMS, streams until the server says anything else. */
static void open_streams(int ctrl, const uint8_t *cookie, int *fds, int *nr)
{
	int state, fd;

	while (*nr < MAX_STREAMS && (fd = connect_server(false)) >= 0) {
		fds[(*nr)++] = fd;
		if (iperf_write_full(fd, cookie, IPERF_COOKIE_SIZE, STEP_MS) ||
		    iperf_recv_state(ctrl, &state, 10) != IPERF_ETIMEDOUT)
			return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t split = params_end(data, size);
	int idle, ctrl, state, fds[MAX_STREAMS], nr = 0;
	pthread_t server;
	char drain[4096];

	/* Without a whole cookie there is no test: a --one-off server waits on. */
	if (size < IPERF_COOKIE_SIZE || size > IPERF_JSON_MAX ||
	    pthread_create(&server, NULL, serve_one, NULL))
		return 0;
	/* A connection that never sends a cookie comes first: the server must
	 * wait on past it (and close it at its cookie deadline). */
	idle = connect_server(true);
	ctrl = connect_server(true);
	iperf_write_full(ctrl, data, split, STEP_MS);
	if (split == size) /* the server waits for no more than there is */
		shutdown(ctrl, SHUT_WR);
	if (!iperf_recv_state(ctrl, &state, STEP_MS) && state == IPERF_PARAM_EXCHANGE &&
	    !iperf_recv_state(ctrl, &state, STEP_MS) && state == IPERF_CREATE_STREAMS)
		open_streams(ctrl, data, fds, &nr);
	if (split < size) {
		iperf_write_full(ctrl, data + split, size - split, STEP_MS);
		shutdown(ctrl, SHUT_WR);
	}
	while (read(ctrl, drain, sizeof(drain)) > 0)
		;
	close(ctrl);
	for (int i = 0; i < nr; i++)
		close(fds[i]);
	pthread_join(server, NULL);
	close(idle);
	return 0;
}
