// SPDX-License-Identifier: GPL-2.0
/*
 * The agent link (frame.h) on arbitrary bytes in arbitrary chunks: the
 * frame reader as the tool runs it, the frame parser alone, a round trip
 * through frame_write, and the agent's command-line reader.
 *
 * Chunk lengths come from a generator seeded by the input's first byte, so a
 * crash reproduces from its file alone.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"

#define MAX_CHUNK 128

static size_t next_chunk(unsigned *seed, size_t left)
{
	size_t n;

	*seed = *seed * 1103515245u + 12345u;
	n = 1 + (*seed >> 16) % MAX_CHUNK;
	return n < left ? n : left;
}

/* A pipe holding bytes and an end of stream; returns its read end. */
static int pipe_of(const void *bytes, size_t n)
{
	int fds[2];

	if (pipe(fds) || write(fds[1], bytes, n) != (ssize_t)n)
		abort();
	close(fds[1]);
	return fds[0];
}

/* Whatever the bytes, a read ends in a frame, a dropped frame or the end. */
static void read_all(struct frame_reader *r)
{
	char *payload;
	int ret;

	while ((ret = frame_read(r, &payload, -1)) != -EPIPE) {
		if (ret && ret != -EBADMSG)
			abort();
		free(payload);
	}
}

/* One pipe per chunk, so that each read() returns at most one chunk. */
static void read_chunked(const uint8_t *data, size_t size, unsigned seed)
{
	struct frame_reader r;

	frame_reader_init(&r, -1);
	for (size_t off = 0, n; off < size; off += n) {
		n = next_chunk(&seed, size - off);
		r.fd = pipe_of(data + off, n);
		r.eof = 0;
		read_all(&r);
		close(r.fd);
	}
	frame_reader_free(&r);
}

/* Gives the reader a buffer of exactly its bytes and more: frame_read's own
 * buffer has room past the data, where ASan cannot see a read beyond it. */
static void fit(struct frame_reader *r, const uint8_t *more, size_t n)
{
	char *buf = malloc(r->len + n + !(r->len + n));

	if (!buf)
		abort();
	if (r->len)
		memcpy(buf, r->buf, r->len);
	if (n)
		memcpy(buf + r->len, more, n);
	free(r->buf);
	r->buf = buf;
	r->len += n;
	r->cap = r->len;
}

/* The parser alone: the stream has ended (eof set), so frame_read parses
 * what it holds and never reads; the buffer is refitted before each call. */
static void parse_chunked(const uint8_t *data, size_t size, unsigned seed)
{
	struct frame_reader r;
	char *payload;
	int ret;

	frame_reader_init(&r, -1);
	r.eof = 1;
	for (size_t off = 0, n; off < size; off += n) {
		n = next_chunk(&seed, size - off);
		fit(&r, data + off, n);
		do {
			ret = frame_read(&r, &payload, -1);
			free(payload);
			fit(&r, NULL, 0);
		} while (ret != -EPIPE);
	}
	frame_reader_free(&r);
}

/* Any bytes frame_write takes come back as they went in. */
static void round_trip(const uint8_t *data, size_t size)
{
	struct frame_reader r;
	char *payload;
	int fds[2];

	if (size > VB_FRAME_MAX || size > 60000) /* a pipe holds 64 KiB */
		return;
	if (pipe(fds))
		abort();
	if (frame_write(fds[1], (const char *)data, size)) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	close(fds[1]);
	frame_reader_init(&r, fds[0]);
	if (frame_read(&r, &payload, -1) || memcmp(payload, data, size) || payload[size])
		abort();
	free(payload);
	frame_reader_free(&r);
	close(fds[0]);
}

/* The agent's commands: each line whole or cut to the caller's buffer. */
static void read_lines(const uint8_t *data, size_t size, unsigned seed)
{
	struct line_reader r;
	char line[MAX_CHUNK];
	size_t cap = 2 + seed % (sizeof(line) - 1);
	int fd = pipe_of(data, size), n;

	line_reader_init(&r, fd);
	while ((n = line_read(&r, line, cap)) > 0)
		if ((size_t)n >= cap || line[n] || memchr(line, '\n', (size_t)n))
			abort();
	if (n < 0)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned seed = size ? data[0] : 0;

	if (size > 60000)
		return 0;
	read_chunked(data, size, seed);
	parse_chunked(data, size, seed);
	round_trip(data, size);
	read_lines(data, size, seed);
	return 0;
}
