// SPDX-License-Identifier: GPL-2.0
/*
 * 'vbench-trace workload net' (user/wl_net.c), the whole client state
 * machine, against a server whose control bytes are the input. The client
 * has no entry point but its command, so it runs in a thread against a
 * loopback listener here, which plays the rest of the server: it reads the
 * cookie, sends the input up to its first TEST_RUNNING byte, waits for the
 * client's TEST_END (a real test: 0.1 s of data, the shortest the client
 * allows), then sends the rest (EXCHANGE_RESULTS, results, DISPLAY_RESULTS
 * in a real test) and closes. Data streams wait in the listen backlog.
 */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commands.h"
#include "net_iperf.h"

#define STEP_MS 2000 /* only a client that hangs waits this long */

static int lfd;
static char server[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[200];

	(void)argc;
	(void)argv;
	lfd = iperf_listen("127.0.0.1", 0, why, sizeof(why));
	if (lfd < 0)
		abort();
	snprintf(server, sizeof(server), "127.0.0.1:%d", iperf_local_port(lfd));
	return 0;
}

static void *run_client(void *unused)
{
	char *argv[] = {"workload",  "net", "--server",	 server, "--duration", "0.1",
			"--timeout", "0.1", "--streams", "2",	 NULL};

	(void)unused;
	cmd_workload(10, argv);
	return NULL;
}

/* Reads what the client sends until it sends state (or anything fails). */
static void wait_for(int ctrl, signed char state)
{
	signed char b;

	while (!iperf_read_full(ctrl, &b, 1, STEP_MS) && b != state)
		;
}

/* Closes everything still queued on the listener: data streams, mostly. */
static void drop_pending(void)
{
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};

	while (poll(&pfd, 1, 0) > 0)
		close(accept(lfd, NULL, NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *running = memchr(data, IPERF_TEST_RUNNING, size);
	size_t split = running ? (size_t)(running - data) + 1 : size;
	char cookie[IPERF_COOKIE_SIZE], drain[4096];
	pthread_t client;
	int ctrl;

	if (size > IPERF_JSON_MAX || pthread_create(&client, NULL, run_client, NULL))
		return 0;
	ctrl = accept(lfd, NULL, NULL);
	if (ctrl < 0)
		abort();
	if (!iperf_read_full(ctrl, cookie, sizeof(cookie), STEP_MS) &&
	    !iperf_write_full(ctrl, data, split, STEP_MS) && running) {
		wait_for(ctrl, IPERF_TEST_END);
		iperf_write_full(ctrl, data + split, size - split, STEP_MS);
	}
	shutdown(ctrl, SHUT_WR);
	while (read(ctrl, drain, sizeof(drain)) > 0)
		;
	close(ctrl);
	pthread_join(client, NULL);
	drop_pending();
	return 0;
}
