// SPDX-License-Identifier: GPL-2.0
/*
 * The iperf3 control protocol (net_iperf.h) on arbitrary bytes from the
 * peer, read over a socketpair in the order each role reads them: the server
 * (user/net_server.c) reads a cookie, the parameters, a state byte and the
 * client's results; the client (user/wl_net.c) reads state bytes, the two
 * integers after SERVER_ERROR and the server's results. Neither role has an
 * entry point that takes a connected socket, so their reads are replayed
 * here with the same calls.
 *
 * What is accepted must survive a round trip: sent with iperf_send_json and
 * read back, parameters and results read the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <json.h>

#include "net_iperf.h"

#define TIMEOUT_MS 1000 /* never waited for: the peer has closed */

/* A socket from which the peer's bytes can be read, then its close. */
static int peer_sent(const uint8_t *data, size_t size)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    iperf_write_full(sv[0], data, size, TIMEOUT_MS))
		abort();
	close(sv[0]);
	return sv[1];
}

/* o sent and read back through the length-prefixed framing. */
static struct json_object *through_wire(struct json_object *o)
{
	struct json_object *back = NULL;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || iperf_send_json(sv[0], o, TIMEOUT_MS) ||
	    iperf_recv_json(sv[1], &back, TIMEOUT_MS))
		abort();
	close(sv[0]);
	close(sv[1]);
	json_object_put(o);
	return back;
}

/* Both sides of each comparison were filled by a _from_json function, which
 * zeroes the struct first, so they compare whole. */
static void params_round_trip(const struct iperf_params *p)
{
	struct json_object *o = through_wire(iperf_params_to_json(p));
	struct iperf_params q;
	char why[200];

	if (iperf_params_from_json(o, &q, why, sizeof(why)) || memcmp(&q, p, sizeof(q)))
		abort();
	json_object_put(o);
}

static void results_round_trip(const struct iperf_results *r)
{
	struct json_object *o = through_wire(iperf_results_to_json(r));
	struct iperf_results *q = malloc(sizeof(*q));
	char why[200];

	if (!q || iperf_results_from_json(o, q, why, sizeof(why)) || memcmp(q, r, sizeof(*q)))
		abort();
	free(q);
	json_object_put(o);
}

/* The next length-prefixed JSON object as results; 0 when usable. */
static int recv_results(int fd)
{
	struct iperf_results *r = malloc(sizeof(*r));
	struct json_object *o;
	char why[200];
	int ret;

	if (!r)
		abort();
	ret = iperf_recv_json(fd, &o, TIMEOUT_MS);
	if (!ret) {
		ret = iperf_results_from_json(o, r, why, sizeof(why));
		json_object_put(o);
	}
	if (!ret) {
		iperf_results_bytes(r);
		iperf_results_mbps(r);
		results_round_trip(r);
	}
	free(r);
	return ret;
}

static void as_server(int fd)
{
	char cookie[IPERF_COOKIE_SIZE], why[200];
	struct iperf_params p;
	struct json_object *o;
	int state;

	if (iperf_read_full(fd, cookie, sizeof(cookie), TIMEOUT_MS) || !iperf_cookie_valid(cookie))
		return;
	if (iperf_recv_json(fd, &o, TIMEOUT_MS))
		return;
	if (iperf_params_from_json(o, &p, why, sizeof(why))) {
		json_object_put(o);
		return;
	}
	json_object_put(o);
	params_round_trip(&p);
	if (iperf_recv_state(fd, &state, TIMEOUT_MS))
		return;
	iperf_state_name(state);
	recv_results(fd);
}

static void as_client(int fd)
{
	int state, ierr, err;

	while (!iperf_recv_state(fd, &state, TIMEOUT_MS)) {
		iperf_state_name(state);
		if (state == IPERF_SERVER_ERROR) {
			if (!iperf_recv_server_error(fd, &ierr, &err, TIMEOUT_MS))
				iperf_ierror_name(ierr);
			return;
		}
		if (state == IPERF_EXCHANGE_RESULTS && recv_results(fd))
			return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;

	if (size > IPERF_JSON_MAX + 64) /* what one socketpair holds */
		return 0;
	fd = peer_sent(data, size);
	as_server(fd);
	close(fd);
	fd = peer_sent(data, size);
	as_client(fd);
	close(fd);
	return 0;
}
