// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "frame.h"
#include "util_sys.h"

volatile sig_atomic_t frame_interrupted;

int frame_write(int fd, const char *payload, size_t len)
{
	char head[64];
	unsigned long crc = crc32(0L, (const Bytef *)payload, (uInt)len);
	int n, err;

	if (len > VB_FRAME_MAX)
		return -EMSGSIZE;
	/* A frame start inside a payload could pass for a frame of its own
	 * to a reader that resynchronises after a broken one. */
	if (memmem(payload, len, VB_FRAME_MAGIC " ", strlen(VB_FRAME_MAGIC) + 1))
		return -EINVAL;
	n = snprintf(head, sizeof(head), "\n%s %zu %08lx\n", VB_FRAME_MAGIC, len, crc);
	err = vb_write_all(fd, head, (size_t)n);
	if (!err)
		err = vb_write_all(fd, payload, len);
	if (!err)
		err = vb_write_all(fd, "\n", 1);
	return err;
}

void frame_reader_init(struct frame_reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
}

void frame_reader_free(struct frame_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}

static void consume(struct frame_reader *r, size_t n)
{
	memmove(r->buf, r->buf + n, r->len - n);
	r->len -= n;
}

/*
 * Reads a number of one to 16 digits in base 10 or 16 that ends exactly at
 * stop, without looking past it (the buffer is not NUL-terminated).
 * Returns 0, or -1 for anything else.
 */
static int parse_field(const char *p, const char *stop, int base, unsigned long long *out)
{
	unsigned long long v = 0;

	if (p >= stop || stop - p > 16)
		return -1;
	for (; p < stop; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			return -1;
		v = v * (unsigned)base + (unsigned)d;
	}
	*out = v;
	return 0;
}

/*
 * Looks for a whole frame in what was read so far: 1 found, 0 need more,
 * -EBADMSG for a broken frame (consumed).
 */
static int parse_frame(struct frame_reader *r, char **payload)
{
	const size_t mlen = strlen(VB_FRAME_MAGIC);
	unsigned long long len, crc;
	char *m, *nl, *sp;
	size_t head;

	if (!r->len)
		return 0;
	m = memmem(r->buf, r->len, VB_FRAME_MAGIC " ", mlen + 1);
	if (!m) {
		/* Keep a tail that may be the start of a magic split in two reads. */
		if (r->len > mlen)
			consume(r, r->len - mlen);
		return 0;
	}
	consume(r, (size_t)(m - r->buf));
	nl = memchr(r->buf, '\n', r->len);
	if (!nl)
		return r->len > 64 ? (consume(r, mlen), -EBADMSG) : 0;
	/* "<magic> <len> <crc>\n", every byte of it inside [buf, nl) */
	sp = memchr(r->buf + mlen + 1, ' ', (size_t)(nl - (r->buf + mlen + 1)));
	if (!sp || parse_field(r->buf + mlen + 1, sp, 10, &len) || len > VB_FRAME_MAX ||
	    parse_field(sp + 1, nl, 16, &crc) || crc > 0xffffffffull) {
		consume(r, mlen);
		return -EBADMSG;
	}
	head = (size_t)(nl - r->buf) + 1;
	if (r->len < head + len)
		return 0;
	if (crc32(0L, (const Bytef *)r->buf + head, (uInt)len) != crc) {
		consume(r, mlen);
		return -EBADMSG;
	}
	*payload = malloc(len + 1);
	if (!*payload)
		return -ENOMEM;
	memcpy(*payload, r->buf + head, len);
	(*payload)[len] = '\0';
	consume(r, head + len);
	return 1;
}

int frame_read(struct frame_reader *r, char **payload, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : vb_now_ms() + timeout_ms;
	int ret;

	*payload = NULL;
	for (;;) {
		struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
		int wait_ms = -1;
		ssize_t n;

		ret = parse_frame(r, payload);
		if (ret)
			return ret < 0 ? ret : 0;
		if (r->eof)
			return -EPIPE;
		if (frame_interrupted)
			return -EINTR;
		if (deadline >= 0) {
			wait_ms = (int)(deadline - vb_now_ms());
			if (wait_ms <= 0)
				return -ETIMEDOUT;
		}
		ret = poll(&pfd, 1, wait_ms);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		if (r->cap - r->len < 4096) {
			size_t cap = r->cap ? r->cap * 2 : 65536;
			char *nb;

			if (cap > 2 * (size_t)VB_FRAME_MAX + 65536)
				return -EMSGSIZE;
			nb = realloc(r->buf, cap);
			if (!nb)
				return -ENOMEM;
			r->buf = nb;
			r->cap = cap;
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (n == 0)
			r->eof = 1;
		if (n > 0)
			r->len += (size_t)n;
	}
}

void line_reader_init(struct line_reader *r, int fd)
{
	r->fd = fd;
	r->len = 0;
}

/* Copies what fits of buf[0..n) into line, without a trailing CR. */
static size_t take_line(const char *buf, size_t n, char *line, size_t cap)
{
	if (n && buf[n - 1] == '\r')
		n--;
	if (n > cap - 1)
		n = cap - 1;
	memcpy(line, buf, n);
	line[n] = '\0';
	return n;
}

static void drop(struct line_reader *r, size_t n)
{
	memmove(r->buf, r->buf + n, r->len - n);
	r->len -= n;
}

int line_read(struct line_reader *r, char *line, size_t cap)
{
	size_t got_head = 0;
	bool overlong = false;

	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - r->buf), out;

			out = overlong ? got_head : take_line(r->buf, len, line, cap);
			drop(r, len + 1);
			if (out || overlong)
				return (int)out;
			continue; /* an empty line */
		}
		if (r->len == sizeof(r->buf)) {
			/* Longer than the buffer: keep its head, drop the rest. */
			if (!overlong)
				got_head = take_line(r->buf, r->len, line, cap);
			overlong = true;
			r->len = 0;
		}
		n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) {
			/* A last line without its newline still counts. */
			if (!overlong && r->len)
				got_head = take_line(r->buf, r->len, line, cap);
			r->len = 0;
			return (int)got_head;
		}
		r->len += (size_t)n;
	}
}
