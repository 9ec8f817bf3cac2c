/* SPDX-License-Identifier: GPL-2.0 */
/* Framing between the tool and its agent (a pipe, a container's stdio, a
 * guest's serial port). A frame is
 *
 *	"\n@@VBENCH <len> <crc32 hex>\n" <len bytes of JSON> "\n"
 *
 * so that anything else on the same stream (kernel messages on a console,
 * a shell's echo) is skipped, and a frame cut or corrupted in transit is
 * detected rather than parsed. Commands go the other way as plain lines:
 * "RUN <workload> <args...>" and "QUIT".
 */
#ifndef VB_FRAME_H
#define VB_FRAME_H

#include <signal.h>
#include <stddef.h>

#define VB_FRAME_MAGIC "@@VBENCH"
#define VB_FRAME_MAX   (4u << 20) /* no result is anywhere near 4 MiB */

/* Writes one frame; returns 0 or -errno: -EMSGSIZE past VB_FRAME_MAX,
 * -EINVAL for a payload that holds a frame start of its own. */
int frame_write(int fd, const char *payload, size_t len);

struct frame_reader {
	int fd;
	char *buf;
	size_t len, cap;
	int eof;
};

void frame_reader_init(struct frame_reader *r, int fd);
void frame_reader_free(struct frame_reader *r);

/*
 * Reads until one whole frame arrived, skipping anything before its magic.
 * On success *payload is a malloc'd NUL-terminated string (free() it) and 0
 * is returned. -ETIMEDOUT when nothing whole came within timeout_ms
 * (negative: wait for ever), -EPIPE at end of stream, -EINTR once
 * frame_interrupted is set, -EBADMSG for a frame
 * whose length or checksum is wrong (it is dropped; the caller may read on).
 */
int frame_read(struct frame_reader *r, char **payload, int timeout_ms);

/* Set from a signal handler (Ctrl-C): frame_read() then returns -EINTR
 * instead of waiting on. */
extern volatile sig_atomic_t frame_interrupted;

/*
 * Command lines from the tool, read a buffer at a time: one read() per
 * command rather than one per byte, since the probes count the agent's own
 * syscalls too.
 */
struct line_reader {
	int fd;
	size_t len;
	char buf[4096];
};

void line_reader_init(struct line_reader *r, int fd);

/* The next non-empty line, without its newline or CR, cut to cap-1 bytes
 * (the rest of a longer line is dropped). Returns its length, 0 at end of
 * stream, -errno on error. Blocking. */
int line_read(struct line_reader *r, char *line, size_t cap);

#endif
