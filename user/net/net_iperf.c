// SPDX-License-Identifier: GPL-2.0
/* The iperf3 control protocol: framing, cookies, parameter and result
 * objects, sockets with deadlines. Wire facts in net_iperf.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net_iperf.h"
#include "util_sys.h"

volatile sig_atomic_t iperf_stop;

static const char *const state_names[] = {
	[IPERF_TEST_START] = "TEST_START",
	[IPERF_TEST_RUNNING] = "TEST_RUNNING",
	[IPERF_RESULT_REQUEST] = "RESULT_REQUEST",
	[IPERF_TEST_END] = "TEST_END",
	[IPERF_STREAM_BEGIN] = "STREAM_BEGIN",
	[IPERF_STREAM_RUNNING] = "STREAM_RUNNING",
	[IPERF_STREAM_END] = "STREAM_END",
	[IPERF_ALL_STREAMS_END] = "ALL_STREAMS_END",
	[IPERF_PARAM_EXCHANGE] = "PARAM_EXCHANGE",
	[IPERF_CREATE_STREAMS] = "CREATE_STREAMS",
	[IPERF_SERVER_TERMINATE] = "SERVER_TERMINATE",
	[IPERF_CLIENT_TERMINATE] = "CLIENT_TERMINATE",
	[IPERF_EXCHANGE_RESULTS] = "EXCHANGE_RESULTS",
	[IPERF_DISPLAY_RESULTS] = "DISPLAY_RESULTS",
	[IPERF_IPERF_START] = "IPERF_START",
	[IPERF_IPERF_DONE] = "IPERF_DONE",
};

const char *iperf_state_name(int state)
{
	if (state == IPERF_ACCESS_DENIED)
		return "ACCESS_DENIED";
	if (state == IPERF_SERVER_ERROR)
		return "SERVER_ERROR";
	if (state > 0 && state <= IPERF_IPERF_DONE && state_names[state])
		return state_names[state];
	return "unknown";
}

const char *iperf_strerror(int err)
{
	switch (err) {
	case 0:
		return "no error";
	case IPERF_ECLOSED:
		return "the peer closed the connection";
	case IPERF_ETIMEDOUT:
		return "no answer before the deadline";
	case IPERF_ETOOBIG:
		return "a control message longer than the 64 KiB limit was announced";
	case IPERF_EBADMSG:
		return "the control message is not a valid JSON object";
	case IPERF_ESTOPPED:
		return "interrupted by a signal";
	case IPERF_ENOHOST:
		return "the host name does not resolve";
	default:
		return strerror(-err);
	}
}

const char *iperf_ierror_name(int ierr)
{
	switch (ierr) {
	case IPERF_IE_DURATION:
		return "test duration too long (or unlimited) for the server";
	case 6:
		return "too many parallel streams";
	case 7:
		return "block size too large";
	case IPERF_IE_UNIMP:
		return "an option is not implemented by the server";
	case IPERF_IE_RECVPARAMS:
		return "the server could not read the parameters";
	case IPERF_IE_RECVRESULTS:
		return "the server could not read the results";
	case 121:
		return "the server is busy running a test";
	case 142:
		return "test authorization failed";
	default:
		return NULL;
	}
}

void iperf_make_cookie(char cookie[IPERF_COOKIE_SIZE])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char rnd[IPERF_COOKIE_SIZE - 1];
	size_t got = 0;
	ssize_t r;

	while (got < sizeof(rnd)) {
		r = getrandom(rnd + got, sizeof(rnd) - got, 0);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		/* No getrandom (an old guest kernel): time and pid still make
		 * two concurrent tests' cookies differ. */
		srandom((unsigned)time(NULL) ^ ((unsigned)getpid() << 16));
		for (; got < sizeof(rnd); got++)
			rnd[got] = (unsigned char)random();
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		cookie[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	cookie[IPERF_COOKIE_SIZE - 1] = '\0';
}

bool iperf_cookie_valid(const char cookie[IPERF_COOKIE_SIZE])
{
	for (int i = 0; i < IPERF_COOKIE_SIZE - 1; i++)
		if (cookie[i] <= ' ' || cookie[i] > '~')
			return false;
	return cookie[IPERF_COOKIE_SIZE - 1] == '\0';
}

int iperf_stream_id(int index)
{
	/* iperf_add_stream numbers the first stream 1 and the n-th n+1:
	 * id 2 is never used, and both sides must agree on it. */
	return index == 0 ? 1 : index + 2;
}

static int parse_port(const char *s, int *port)
{
	char *end;
	long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static int copy_host(const char *s, size_t len, char *host, size_t hostlen)
{
	if (!len || len >= hostlen)
		return -1;
	memcpy(host, s, len);
	host[len] = '\0';
	return 0;
}

int iperf_parse_hostport(const char *arg, int default_port, char *host, size_t hostlen, int *port,
			 char *why, size_t whylen)
{
	const char *colon, *close, *port_s = NULL;
	size_t len;

	*port = default_port;
	if (arg[0] == '[') {
		close = strchr(arg, ']');
		if (!close || (close[1] && close[1] != ':')) {
			snprintf(why, whylen, "'%s': an IPv6 address goes as [ADDR] or [ADDR]:PORT",
				 arg);
			return -EINVAL;
		}
		arg++;
		len = (size_t)(close - arg);
		if (close[1] == ':')
			port_s = close + 2;
	} else {
		colon = strchr(arg, ':');
		/* Two colons or more: a bare IPv6 address, no port. */
		if (colon && !strchr(colon + 1, ':')) {
			len = (size_t)(colon - arg);
			port_s = colon + 1;
		} else {
			len = strlen(arg);
		}
	}
	if (copy_host(arg, len, host, hostlen)) {
		snprintf(why, whylen, "'%s': the host is empty or too long", arg);
		return -EINVAL;
	}
	if (port_s && parse_port(port_s, port)) {
		snprintf(why, whylen, "'%s': the port is not a number in 1..65535", port_s);
		return -EINVAL;
	}
	return 0;
}

void iperf_format_addr(const void *sockaddr, char *buf, size_t n)
{
	const struct sockaddr *sa = sockaddr;
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = sockaddr;

		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		snprintf(buf, n, "%s:%d", ip, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = sockaddr;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, n, "[%s]:%d", ip, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, n, "(address family %d)", sa->sa_family);
	}
}

/* Waits until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	long long left;
	int r;

	for (;;) {
		if (iperf_stop)
			return IPERF_ESTOPPED;
		left = deadline - vb_now_ms();
		if (left <= 0)
			return IPERF_ETIMEDOUT;
		r = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

/* Numeric addresses need no resolver: a static agent in a guest has none. */
static int numeric_addr(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

static int connect_one(const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	socklen_t elen = sizeof(int);
	int fd, err = 0, ret;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, sa, len) && errno != EINPROGRESS) {
		err = -errno;
		goto fail;
	}
	ret = wait_fd(fd, POLLOUT, vb_now_ms() + timeout_ms);
	if (ret) {
		err = ret;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || err) {
		err = err ? -err : -errno;
		goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		err = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return err;
}

int iperf_connect(const char *host, int port, int timeout_ms, char *peer, size_t peerlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *res;
	struct sockaddr_storage ss;
	char portstr[8];
	socklen_t len;
	int fd = IPERF_ENOHOST;

	if (!numeric_addr(host, port, &ss, &len)) {
		iperf_format_addr(&ss, peer, peerlen);
		return connect_one((struct sockaddr *)&ss, len, timeout_ms);
	}
	snprintf(portstr, sizeof(portstr), "%d", port);
	snprintf(peer, peerlen, "%s:%d", host, port);
	if (getaddrinfo(host, portstr, &hints, &res))
		return IPERF_ENOHOST;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai->ai_addr, ai->ai_addrlen, timeout_ms);
		if (fd >= 0) {
			iperf_format_addr(ai->ai_addr, peer, peerlen);
			break;
		}
	}
	freeaddrinfo(res);
	return fd;
}

int iperf_listen(const char *addr, int port, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, err;

	if (numeric_addr(addr, port, &ss, &len)) {
		snprintf(why, whylen, "'%s' is not a numeric IPv4 or IPv6 address", addr);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, IPERF_BACKLOG))
		goto fail;
	return fd;
fail:
	err = errno;
	snprintf(why, whylen, "cannot listen on %s port %d: %s", addr, port, strerror(err));
	if (fd >= 0)
		close(fd);
	return -err;
}

int iperf_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* An exact read against an absolute deadline, so that a message read in
 * several calls (length, then body) still has one deadline in all. */
static int read_until(int fd, void *buf, size_t n, long long deadline)
{
	size_t got = 0;
	ssize_t r;
	int ret;

	while (got < n) {
		ret = wait_fd(fd, POLLIN, deadline);
		if (ret)
			return ret;
		r = recv(fd, (char *)buf + got, n - got, MSG_DONTWAIT);
		if (r == 0)
			return IPERF_ECLOSED;
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return errno == ECONNRESET ? IPERF_ECLOSED : -errno;
		}
		got += (size_t)r;
	}
	return 0;
}

int iperf_read_full(int fd, void *buf, size_t n, int timeout_ms)
{
	return read_until(fd, buf, n, vb_now_ms() + timeout_ms);
}

int iperf_write_full(int fd, const void *buf, size_t n, int timeout_ms)
{
	long long deadline = vb_now_ms() + timeout_ms;
	size_t put = 0;
	ssize_t r;
	int ret;

	while (put < n) {
		ret = wait_fd(fd, POLLOUT, deadline);
		if (ret)
			return ret;
		r = send(fd, (const char *)buf + put, n - put, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return errno == EPIPE || errno == ECONNRESET ? IPERF_ECLOSED : -errno;
		}
		put += (size_t)r;
	}
	return 0;
}

int iperf_send_state(int fd, int state, int timeout_ms)
{
	signed char b = (signed char)state;

	return iperf_write_full(fd, &b, 1, timeout_ms);
}

int iperf_recv_state(int fd, int *state, int timeout_ms)
{
	signed char b;
	int ret;

	ret = iperf_read_full(fd, &b, 1, timeout_ms);
	if (!ret)
		*state = b;
	return ret;
}

int iperf_send_server_error(int fd, int ierr, int err, int timeout_ms)
{
	uint32_t v[2] = {htonl((uint32_t)ierr), htonl((uint32_t)err)};
	unsigned char msg[9];

	/* The state byte and its two integers in one write, one deadline. */
	msg[0] = (unsigned char)IPERF_SERVER_ERROR;
	memcpy(msg + 1, v, sizeof(v));
	return iperf_write_full(fd, msg, sizeof(msg), timeout_ms);
}

int iperf_recv_server_error(int fd, int *ierr, int *err, int timeout_ms)
{
	uint32_t msg[2];
	int ret;

	ret = iperf_read_full(fd, msg, sizeof(msg), timeout_ms);
	if (ret)
		return ret;
	*ierr = (int32_t)ntohl(msg[0]);
	*err = (int32_t)ntohl(msg[1]);
	return 0;
}

int iperf_send_json(int fd, struct json_object *o, int timeout_ms)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s);
	char *buf;
	uint32_t nlen;
	int ret;

	if (len > IPERF_JSON_MAX)
		return IPERF_ETOOBIG;
	/* Length and body in one write: two small segments would wait on
	 * each other's ACK where the peer has Nagle on. */
	buf = malloc(4 + len);
	if (!buf)
		return -ENOMEM;
	nlen = htonl((uint32_t)len);
	memcpy(buf, &nlen, 4);
	memcpy(buf + 4, s, len);
	ret = iperf_write_full(fd, buf, 4 + len, timeout_ms);
	free(buf);
	return ret;
}

static struct json_object *parse_object(const char *s, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t end;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, s, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o && json_tokener_get_error(tok) == json_tokener_success) {
		while (end < len && strchr(" \t\r\n", s[end]))
			end++;
	}
	if (o && (end != len || !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

int iperf_recv_json(int fd, struct json_object **out, int timeout_ms)
{
	/* One deadline for length and body: a peer sending a byte at a time
	 * cannot stretch a message over two timeouts. */
	long long deadline = vb_now_ms() + timeout_ms;
	uint32_t nlen, len;
	char *buf;
	int ret;

	ret = read_until(fd, &nlen, 4, deadline);
	if (ret)
		return ret;
	len = ntohl(nlen);
	if (len > IPERF_JSON_MAX)
		return IPERF_ETOOBIG;
	if (len == 0)
		return IPERF_EBADMSG;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	ret = read_until(fd, buf, len, deadline);
	if (ret)
		goto out;
	buf[len] = '\0';
	*out = strlen(buf) == len ? parse_object(buf, len) : NULL;
	if (!*out)
		ret = IPERF_EBADMSG;
out:
	free(buf);
	return ret;
}

/* A number from o[key] within [min, max]; def when the key is absent.
 * iperf3 sends whole numbers; a fraction is cut as its cJSON would. */
static int get_num(struct json_object *o, const char *key, double min, double max, double def,
		   double *v, char *why, size_t n)
{
	struct json_object *j;

	if (!json_object_object_get_ex(o, key, &j)) {
		*v = def;
		return 0;
	}
	if (!json_object_is_type(j, json_type_int) && !json_object_is_type(j, json_type_double)) {
		snprintf(why, n, "\"%s\" is not a number", key);
		return IPERF_EBADMSG;
	}
	*v = json_object_get_double(j);
	/* iperf3's cJSON prints negative integers as unsigned 64-bit ones
	 * (-1 as 18446744073709551615) and reads them back as int64_t. */
	if (json_object_is_type(j, json_type_int) && json_object_get_int64(j) == INT64_MAX)
		*v = (double)(int64_t)json_object_get_uint64(j);
	if (!(*v >= min && *v <= max)) {
		snprintf(why, n, "\"%s\" is %g, outside %g..%g", key, *v, min, max);
		return IPERF_EBADMSG;
	}
	return 0;
}

/* A whole number above 2^53 loses digits as a double: read it again. */
static uint64_t exact_u64(struct json_object *o, const char *key, double v)
{
	struct json_object *j;

	if (json_object_object_get_ex(o, key, &j) && json_object_is_type(j, json_type_int))
		return json_object_get_uint64(j);
	return (uint64_t)v;
}

static bool has_key(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

struct json_object *iperf_params_to_json(const struct iperf_params *p)
{
	struct json_object *o = json_object_new_object();

	if (p->udp)
		json_object_object_add(o, "udp", json_object_new_boolean(1));
	else if (p->sctp)
		json_object_object_add(o, "sctp", json_object_new_boolean(1));
	else
		json_object_object_add(o, "tcp", json_object_new_boolean(1));
	json_object_object_add(o, "omit", json_object_new_int(p->omit));
	json_object_object_add(o, "time", json_object_new_int(p->time));
	json_object_object_add(o, "num", json_object_new_uint64(p->num));
	json_object_object_add(o, "blockcount", json_object_new_uint64(p->blockcount));
	if (p->mss)
		json_object_object_add(o, "MSS", json_object_new_int(p->mss));
	if (p->nodelay)
		json_object_object_add(o, "nodelay", json_object_new_boolean(1));
	json_object_object_add(o, "parallel", json_object_new_int(p->parallel));
	if (p->reverse)
		json_object_object_add(o, "reverse", json_object_new_boolean(1));
	if (p->bidirectional)
		json_object_object_add(o, "bidirectional", json_object_new_boolean(1));
	if (p->window)
		json_object_object_add(o, "window", json_object_new_int(p->window));
	json_object_object_add(o, "len", json_object_new_int(p->len));
	if (p->bandwidth)
		json_object_object_add(o, "bandwidth", json_object_new_uint64(p->bandwidth));
	if (p->get_server_output)
		json_object_object_add(o, "get_server_output", json_object_new_int(1));
	json_object_object_add(o, "client_version", json_object_new_string(p->client_version));
	return o;
}

int iperf_params_from_json(struct json_object *o, struct iperf_params *p, char *why, size_t n)
{
	struct json_object *j;
	double v[9];
	int ret = 0;

	memset(p, 0, sizeof(*p));
	/* iperf3 takes a key's presence as true, whatever its value. */
	p->udp = has_key(o, "udp");
	p->sctp = has_key(o, "sctp");
	p->tcp = !p->udp && !p->sctp;
	p->reverse = has_key(o, "reverse");
	p->bidirectional = has_key(o, "bidirectional");
	p->nodelay = has_key(o, "nodelay");
	p->get_server_output = has_key(o, "get_server_output");
	ret = ret ?: get_num(o, "omit", 0, IPERF_MAX_TIME, 0, &v[0], why, n);
	ret = ret ?: get_num(o, "time", 0, IPERF_MAX_TIME, 10, &v[1], why, n);
	ret = ret ?: get_num(o, "num", 0, 9.0e15, 0, &v[2], why, n);
	ret = ret ?: get_num(o, "blockcount", 0, 9.0e15, 0, &v[3], why, n);
	ret = ret ?: get_num(o, "parallel", 1, IPERF_MAX_STREAMS, 1, &v[4], why, n);
	ret = ret ?: get_num(o, "len", 1, IPERF_MAX_LEN, IPERF_DEFAULT_LEN, &v[5], why, n);
	ret = ret ?: get_num(o, "bandwidth", 0, 1.0e15, 0, &v[6], why, n);
	ret = ret ?: get_num(o, "window", 0, 1 << 30, 0, &v[7], why, n);
	ret = ret ?: get_num(o, "MSS", 0, 65535, 0, &v[8], why, n);
	if (ret)
		return ret;
	p->omit = (int)v[0];
	p->time = (int)v[1];
	p->num = exact_u64(o, "num", v[2]);
	p->blockcount = exact_u64(o, "blockcount", v[3]);
	p->parallel = (int)v[4];
	p->len = (int)v[5];
	p->bandwidth = (uint64_t)v[6];
	p->window = (int)v[7];
	p->mss = (int)v[8];
	if (json_object_object_get_ex(o, "client_version", &j) &&
	    json_object_is_type(j, json_type_string))
		snprintf(p->client_version, sizeof(p->client_version), "%s",
			 json_object_get_string(j));
	return 0;
}

struct json_object *iperf_results_to_json(const struct iperf_results *r)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(o, "cpu_util_total", json_object_new_double(r->cpu_util_total));
	json_object_object_add(o, "cpu_util_user", json_object_new_double(r->cpu_util_user));
	json_object_object_add(o, "cpu_util_system", json_object_new_double(r->cpu_util_system));
	json_object_object_add(o, "sender_has_retransmits",
			       json_object_new_int(r->sender_has_retransmits));
	if (r->congestion_used[0])
		json_object_object_add(o, "congestion_used",
				       json_object_new_string(r->congestion_used));
	for (int i = 0; i < r->nr_streams; i++) {
		const struct iperf_stream_result *s = &r->streams[i];
		struct json_object *js = json_object_new_object();

		json_object_object_add(js, "id", json_object_new_int(s->id));
		json_object_object_add(js, "bytes", json_object_new_uint64(s->bytes));
		json_object_object_add(js, "retransmits", json_object_new_int64(s->retransmits));
		json_object_object_add(js, "jitter", json_object_new_int(0));
		json_object_object_add(js, "errors", json_object_new_int(0));
		json_object_object_add(js, "packets", json_object_new_int(0));
		json_object_object_add(js, "start_time", json_object_new_double(s->start_time));
		json_object_object_add(js, "end_time", json_object_new_double(s->end_time));
		json_object_array_add(arr, js);
	}
	json_object_object_add(o, "streams", arr);
	return o;
}

static int stream_from_json(struct json_object *js, struct iperf_stream_result *s, char *why,
			    size_t n)
{
	static const char *const required[] = {"id",	 "bytes",  "retransmits",
					       "jitter", "errors", "packets"};
	double id, bytes, retr, start, end;
	int ret = 0;

	if (!json_object_is_type(js, json_type_object)) {
		snprintf(why, n, "a stream result is not an object");
		return IPERF_EBADMSG;
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!has_key(js, required[i])) {
			snprintf(why, n, "a stream result has no \"%s\"", required[i]);
			return IPERF_EBADMSG;
		}
	}
	ret = ret ?: get_num(js, "id", 0, 1 << 20, 0, &id, why, n);
	ret = ret ?: get_num(js, "bytes", 0, 9.0e18, 0, &bytes, why, n);
	ret = ret ?: get_num(js, "retransmits", -1, 9.0e18, -1, &retr, why, n);
	ret = ret ?: get_num(js, "start_time", 0, 1.0e7, 0, &start, why, n);
	ret = ret ?: get_num(js, "end_time", 0, 1.0e7, 0, &end, why, n);
	if (ret)
		return ret;
	s->id = (int)id;
	s->bytes = exact_u64(js, "bytes", bytes);
	s->retransmits = (int64_t)retr;
	s->start_time = start;
	s->end_time = end;
	return 0;
}

int iperf_results_from_json(struct json_object *o, struct iperf_results *r, char *why, size_t n)
{
	static const char *const required[] = {"cpu_util_total", "cpu_util_user", "cpu_util_system",
					       "sender_has_retransmits", "streams"};
	struct json_object *arr, *j;
	double v[4];
	size_t len;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!has_key(o, required[i])) {
			snprintf(why, n, "the results have no \"%s\"", required[i]);
			return IPERF_EBADMSG;
		}
	}
	ret = ret ?: get_num(o, "cpu_util_total", -1e9, 1e9, 0, &v[0], why, n);
	ret = ret ?: get_num(o, "cpu_util_user", -1e9, 1e9, 0, &v[1], why, n);
	ret = ret ?: get_num(o, "cpu_util_system", -1e9, 1e9, 0, &v[2], why, n);
	ret = ret ?: get_num(o, "sender_has_retransmits", -1, 1, 0, &v[3], why, n);
	if (ret)
		return ret;
	r->cpu_util_total = v[0];
	r->cpu_util_user = v[1];
	r->cpu_util_system = v[2];
	r->sender_has_retransmits = (int)v[3];
	if (json_object_object_get_ex(o, "congestion_used", &j) &&
	    json_object_is_type(j, json_type_string))
		snprintf(r->congestion_used, sizeof(r->congestion_used), "%s",
			 json_object_get_string(j));
	json_object_object_get_ex(o, "streams", &arr);
	if (!json_object_is_type(arr, json_type_array)) {
		snprintf(why, n, "\"streams\" is not an array");
		return IPERF_EBADMSG;
	}
	len = json_object_array_length(arr);
	if (len > IPERF_MAX_STREAMS) {
		snprintf(why, n, "%zu stream results, more than %d", len, IPERF_MAX_STREAMS);
		return IPERF_EBADMSG;
	}
	for (size_t i = 0; i < len; i++) {
		ret = stream_from_json(json_object_array_get_idx(arr, i), &r->streams[i], why, n);
		if (ret)
			return ret;
	}
	r->nr_streams = (int)len;
	return 0;
}

uint64_t iperf_results_bytes(const struct iperf_results *r)
{
	uint64_t sum = 0;

	for (int i = 0; i < r->nr_streams; i++)
		sum += r->streams[i].bytes;
	return sum;
}

double iperf_results_mbps(const struct iperf_results *r)
{
	double secs;

	if (!r->nr_streams)
		return 0;
	secs = r->streams[0].end_time - r->streams[0].start_time;
	return secs > 0 ? (double)iperf_results_bytes(r) * 8 / secs / 1e6 : 0;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

void iperf_cpu_start(struct iperf_cpu *c)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	c->wall = vb_now_s();
	c->user = tv_s(ru.ru_utime);
	c->sys = tv_s(ru.ru_stime);
}

void iperf_cpu_end(const struct iperf_cpu *c, double *total, double *user, double *sys)
{
	struct iperf_cpu now;
	double wall;

	iperf_cpu_start(&now);
	wall = now.wall - c->wall;
	if (wall <= 0) {
		*total = *user = *sys = 0;
		return;
	}
	*user = (now.user - c->user) / wall * 100;
	*sys = (now.sys - c->sys) / wall * 100;
	*total = *user + *sys;
}
