// SPDX-License-Identifier: GPL-2.0
/* The agent link's framing: noise is skipped, damage is detected, nothing hangs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "frame.h"

static int sv[2];

static int setup(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
}

static int teardown(void **state)
{
	(void)state;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static void put(const char *s)
{
	assert_int_equal(write(sv[0], s, strlen(s)), (ssize_t)strlen(s));
}

static void test_roundtrip_through_noise(void **state)
{
	struct frame_reader r;
	char *p;

	(void)state;
	frame_reader_init(&r, sv[1]);
	put("[    2.512] virtio_blk virtio1: [vda] 262144 512-byte logical blocks\n@@VBENC");
	assert_int_equal(frame_write(sv[0], "{\"a\":1}", 7), 0);
	put("kernel noise again\n");
	assert_int_equal(frame_write(sv[0], "{\"b\":2}", 7), 0);
	assert_int_equal(frame_read(&r, &p, 1000), 0);
	assert_string_equal(p, "{\"a\":1}");
	free(p);
	assert_int_equal(frame_read(&r, &p, 1000), 0);
	assert_string_equal(p, "{\"b\":2}");
	free(p);
	frame_reader_free(&r);
}

static void test_corrupt_frame_detected(void **state)
{
	struct frame_reader r;
	char *p;

	(void)state;
	frame_reader_init(&r, sv[1]);
	/* Right length, wrong checksum: a byte flipped in transit. */
	put("\n@@VBENCH 7 00000000\n{\"a\":1}\n");
	assert_int_equal(frame_read(&r, &p, 1000), -EBADMSG);
	assert_null(p);
	/* The stream goes on after a bad frame. */
	assert_int_equal(frame_write(sv[0], "{}", 2), 0);
	assert_int_equal(frame_read(&r, &p, 1000), 0);
	assert_string_equal(p, "{}");
	free(p);
	/* A length beyond the limit is refused, not allocated. */
	put("\n@@VBENCH 99999999999 00000000\n");
	assert_int_equal(frame_read(&r, &p, 1000), -EBADMSG);
	frame_reader_free(&r);
}

/* Header fields are read within their line only; the stream then goes on. */
static void test_malformed_header(void **state)
{
	static const char *const bad[] = {
		"\n@@VBENCH \n1",	  /* no length: digits after the line are not it */
		"\n@@VBENCH 2\n 0\n{}\n", /* no checksum on the line */
		"\n@@VBENCH -1 0\n{}\n",  /* signs are not digits */
		"\n@@VBENCH 2 +0\n{}\n",
		"\n@@VBENCH 2 1ffffffff\n{}\n", /* checksum wider than 32 bits */
	};
	struct frame_reader r;
	char *p;

	(void)state;
	frame_reader_init(&r, sv[1]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(bad[i]);
		assert_int_equal(frame_read(&r, &p, 1000), -EBADMSG);
		assert_null(p);
	}
	assert_int_equal(frame_write(sv[0], "{}", 2), 0);
	assert_int_equal(frame_read(&r, &p, 1000), 0);
	assert_string_equal(p, "{}");
	free(p);
	frame_reader_free(&r);
}

/* A payload carrying a frame start is refused: it could pose as a frame. */
static void test_write_refuses_frame_start(void **state)
{
	static const char forged[] = "{\"s\":\"\n@@VBENCH 2 0\n{}\"}";

	(void)state;
	assert_int_equal(frame_write(sv[0], forged, strlen(forged)), -EINVAL);
	assert_int_equal(frame_write(sv[0], "{\"s\":\"@@VBENCH\"}", 16), 0);
}

static void test_timeout_and_eof(void **state)
{
	struct frame_reader r;
	char *p;

	(void)state;
	frame_reader_init(&r, sv[1]);
	put("\n@@VBENCH 100 0000abcd\n{\"partial\"");
	assert_int_equal(frame_read(&r, &p, 100), -ETIMEDOUT);
	shutdown(sv[0], SHUT_WR);
	assert_int_equal(frame_read(&r, &p, 1000), -EPIPE);
	frame_reader_free(&r);
}

static void test_read_line(void **state)
{
	struct line_reader r;
	char line[16];

	(void)state;
	line_reader_init(&r, sv[1]);
	put("\r\nRUN cpu --duration 1\r\nQUIT\n\nlast");
	/* Cut to the buffer; the rest of that line is dropped, not read as a line. */
	assert_int_equal(line_read(&r, line, sizeof(line)), 15);
	assert_string_equal(line, "RUN cpu --durat");
	assert_int_equal(line_read(&r, line, sizeof(line)), 4);
	assert_string_equal(line, "QUIT");
	shutdown(sv[0], SHUT_WR);
	assert_int_equal(line_read(&r, line, sizeof(line)), 4);
	assert_string_equal(line, "last");
	assert_int_equal(line_read(&r, line, sizeof(line)), 0);
}

/* A line longer than the reader's own buffer: its head, then the next line. */
static void test_read_overlong_line(void **state)
{
	static char big[10000];
	struct line_reader r;
	char line[64];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 2] = '\n';
	line_reader_init(&r, sv[1]);
	put(big);
	put("QUIT\n");
	shutdown(sv[0], SHUT_WR);
	assert_int_equal(line_read(&r, line, sizeof(line)), 63);
	assert_int_equal(line_read(&r, line, sizeof(line)), 4);
	assert_string_equal(line, "QUIT");
	assert_int_equal(line_read(&r, line, sizeof(line)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_through_noise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_frame_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_refuses_frame_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_and_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_overlong_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
