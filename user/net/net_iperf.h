/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iperf3 control protocol, as esnet/iperf 3.x speaks it on the wire, for
 * both roles (user/wl_net.c is the client, user/net_server.c the server).
 *
 * One TCP control connection; the client opens it and sends a 37-byte cookie
 * (36 characters and a NUL). From then on the server drives the test with
 * single signed state bytes; parameters and results travel as JSON objects,
 * each preceded by its length as a 4-byte big-endian integer. Data streams
 * are further TCP connections to the same port, each opened with the same
 * cookie. The order, server to client unless marked:
 *
 *   cookie (c->s)  PARAM_EXCHANGE  params (c->s)  CREATE_STREAMS
 *   streams + cookies (c->s)  TEST_START  TEST_RUNNING  data (c->s)
 *   TEST_END (c->s)  EXCHANGE_RESULTS  results (c->s)  results (s->c)
 *   DISPLAY_RESULTS  IPERF_DONE (c->s)
 *
 * SERVER_ERROR is followed by two 4-byte big-endian integers: iperf3's error
 * number (i_errno) and the errno behind it.
 *
 * Every read here has a deadline and every length a cap: a peer that stops,
 * closes early or sends garbage costs at most the timeout, never a hang.
 * Functions return 0 or a negative errno; iperf_strerror() turns the
 * protocol-level ones into words.
 */
#ifndef VB_NET_IPERF_H
#define VB_NET_IPERF_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

#define IPERF_DEFAULT_PORT 5201
#define IPERF_COOKIE_SIZE  37	       /* 36 characters + NUL, compared as a string */
#define IPERF_JSON_MAX	   (64 * 1024) /* refuse longer control messages */
#define IPERF_MAX_STREAMS  128	       /* iperf3's MAX_STREAMS */
#define IPERF_MAX_LEN	   (1 << 20)   /* iperf3's MAX_BLOCKSIZE */
#define IPERF_MAX_TIME	   86400       /* iperf3's MAX_TIME, seconds */
#define IPERF_DEFAULT_LEN  (128 * 1024)
#define IPERF_BACKLOG	   128 /* listen(): connections the kernel queues */

/* State bytes (iperf_api.h); the ones marked unused are never sent. */
enum iperf_state {
	IPERF_TEST_START = 1,
	IPERF_TEST_RUNNING = 2,
	IPERF_RESULT_REQUEST = 3, /* unused */
	IPERF_TEST_END = 4,
	IPERF_STREAM_BEGIN = 5,	   /* unused */
	IPERF_STREAM_RUNNING = 6,  /* unused */
	IPERF_STREAM_END = 7,	   /* unused */
	IPERF_ALL_STREAMS_END = 8, /* unused */
	IPERF_PARAM_EXCHANGE = 9,
	IPERF_CREATE_STREAMS = 10,
	IPERF_SERVER_TERMINATE = 11,
	IPERF_CLIENT_TERMINATE = 12,
	IPERF_EXCHANGE_RESULTS = 13,
	IPERF_DISPLAY_RESULTS = 14,
	IPERF_IPERF_START = 15, /* unused */
	IPERF_IPERF_DONE = 16,
	IPERF_ACCESS_DENIED = -1,
	IPERF_SERVER_ERROR = -2,
};

/* A few of iperf3's i_errno values, the ones sent with SERVER_ERROR here. */
enum {
	IPERF_IE_DURATION = 5,	    /* "test duration too long" */
	IPERF_IE_UNIMP = 13,	    /* "not implemented yet" */
	IPERF_IE_RECVPARAMS = 114,  /* parameters unreadable */
	IPERF_IE_RECVRESULTS = 117, /* results unreadable */
};

/* Protocol errors, beyond plain errnos. */
#define IPERF_ECLOSED	-ECONNABORTED /* the peer closed the connection */
#define IPERF_ETIMEDOUT -ETIMEDOUT    /* no answer before the deadline */
#define IPERF_ETOOBIG	-EMSGSIZE     /* announced a message over IPERF_JSON_MAX */
#define IPERF_EBADMSG	-EBADMSG      /* not a JSON object, or not one we accept */
#define IPERF_ESTOPPED	-EINTR	      /* iperf_stop was set by a signal */
#define IPERF_ENOHOST	-ENXIO	      /* the host name does not resolve */

/* "PARAM_EXCHANGE", ..., or "unknown". */
const char *iperf_state_name(int state);
/* Words for a return code of this file ("the peer closed the connection"). */
const char *iperf_strerror(int err);
/* Words for an iperf3 i_errno received with SERVER_ERROR, or NULL. */
const char *iperf_ierror_name(int ierr);

/*
 * Set from a signal handler (SIGINT, SIGTERM) to make every wait here return
 * IPERF_ESTOPPED at its next wake-up instead of retrying.
 */
extern volatile sig_atomic_t iperf_stop;

/* 36 random characters of iperf3's alphabet [a-z2-7], then NUL. */
void iperf_make_cookie(char cookie[IPERF_COOKIE_SIZE]);
/* A cookie as any iperf3 sends it: 36 printable non-space characters, NUL. */
bool iperf_cookie_valid(const char cookie[IPERF_COOKIE_SIZE]);

/*
 * "HOST", "HOST:PORT", "[V6]", "[V6]:PORT" or a bare IPv6 address. Fills host
 * (brackets removed) and *port (default_port when absent). Returns 0 or
 * -EINVAL, with the reason in why.
 */
int iperf_parse_hostport(const char *arg, int default_port, char *host, size_t hostlen, int *port,
			 char *why, size_t whylen);
/* "1.2.3.4:5201" or "[::1]:5201" for messages. */
void iperf_format_addr(const void *sockaddr, char *buf, size_t n);

/* Stream ids as iperf3 numbers them, in creation order: 1, 3, 4, 5, ... */
int iperf_stream_id(int index);

/*
 * Sockets. iperf_connect resolves host (numeric addresses without the
 * resolver), tries each address with a non-blocking connect bounded by
 * timeout_ms, and returns a blocking socket or a negative errno; the peer's
 * address goes to peer. iperf_listen binds (SO_REUSEADDR) and listens on
 * addr:port (port 0: ephemeral) and returns the socket or a negative errno.
 */
int iperf_connect(const char *host, int port, int timeout_ms, char *peer, size_t peerlen);
int iperf_listen(const char *addr, int port, char *why, size_t whylen);
int iperf_local_port(int fd);

/*
 * Exact reads and writes with one deadline over the whole call (an
 * absolute one, not reset by each byte that comes); they work on
 * blocking and non-blocking sockets alike (they poll before each step) and
 * never raise SIGPIPE.
 */
int iperf_read_full(int fd, void *buf, size_t n, int timeout_ms);
int iperf_write_full(int fd, const void *buf, size_t n, int timeout_ms);

int iperf_send_state(int fd, int state, int timeout_ms);
int iperf_recv_state(int fd, int *state, int timeout_ms);
/* The two integers after SERVER_ERROR. */
int iperf_send_server_error(int fd, int ierr, int err, int timeout_ms);
int iperf_recv_server_error(int fd, int *ierr, int *err, int timeout_ms);

/*
 * Length-prefixed JSON. iperf_recv_json has one deadline, timeout_ms from
 * the call, for the length and the body together; it refuses a length of 0 or over
 * IPERF_JSON_MAX (IPERF_ETOOBIG, without reading the body) and anything but
 * one JSON object (IPERF_EBADMSG); *out is the caller's to put.
 */
int iperf_send_json(int fd, struct json_object *o, int timeout_ms);
int iperf_recv_json(int fd, struct json_object **out, int timeout_ms);

/* The test parameters, as the client sends them. */
struct iperf_params {
	bool tcp, udp, sctp;	     /* no protocol key means TCP */
	bool reverse, bidirectional; /* server-to-client directions */
	int omit;		     /* seconds not counted at the start */
	int time;		     /* seconds, 0 when num or blockcount ends the test */
	uint64_t num;		     /* bytes to send, 0 = by time */
	uint64_t blockcount;	     /* writes to send, 0 = by time */
	int parallel;		     /* streams */
	int len;		     /* bytes per write/read */
	uint64_t bandwidth;	     /* bit/s, 0 = unlimited */
	int window;		     /* SO_SNDBUF/SO_RCVBUF, 0 = default */
	int mss;		     /* 0 = default */
	bool nodelay;
	bool get_server_output;
	char client_version[32];
};

/* The client's parameter object: "tcp": true, "omit", "time", "num",
 * "blockcount", "parallel", "len", "client_version", and the rest when set. */
struct json_object *iperf_params_to_json(const struct iperf_params *p);
/* Reads and range-checks them (parallel 1..128, len 1..1 MiB, time
 * 0..86400...). Returns 0 or IPERF_EBADMSG with the reason in why. */
int iperf_params_from_json(struct json_object *o, struct iperf_params *p, char *why, size_t n);

struct iperf_stream_result {
	int id;
	uint64_t bytes;
	int64_t retransmits;	     /* -1 when this side did not send */
	double start_time, end_time; /* seconds from the test's start */
};

struct iperf_results {
	double cpu_util_total, cpu_util_user, cpu_util_system; /* percent */
	int sender_has_retransmits;			       /* 1, 0, or -1 from a receiver */
	char congestion_used[16];			       /* "" when unknown */
	int nr_streams;
	struct iperf_stream_result streams[IPERF_MAX_STREAMS];
};

struct json_object *iperf_results_to_json(const struct iperf_results *r);
/* Requires every key iperf3's get_results requires. Returns 0 or
 * IPERF_EBADMSG with the reason in why. */
int iperf_results_from_json(struct json_object *o, struct iperf_results *r, char *why, size_t n);
/* Sum of the streams' bytes, and bytes*8 / (end - start) of the first stream
 * in Mbit/s, as iperf3 computes its summary lines (0 without a duration). */
uint64_t iperf_results_bytes(const struct iperf_results *r);
double iperf_results_mbps(const struct iperf_results *r);

/* CPU use of this process over an interval, as iperf3's cpu_util reports it:
 * percent of the wall-clock time. */
struct iperf_cpu {
	double wall, user, sys;
};
void iperf_cpu_start(struct iperf_cpu *c);
void iperf_cpu_end(const struct iperf_cpu *c, double *total, double *user, double *sys);

#endif
