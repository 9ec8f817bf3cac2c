// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "initramfs.h"

struct entry {
	char name[256];
	unsigned long mode, size, rmajor, rminor, nlink;
	char *data;
};

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vb-test-initramfs.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

static unsigned long field(const char *hdr, int i)
{
	char buf[9];

	memcpy(buf, hdr + 6 + 8 * i, 8);
	buf[8] = '\0';
	return strtoul(buf, NULL, 16);
}

/* Reads the archive back the way the kernel parses it; returns the number of entries. */
static int read_archive(const char *path, struct entry *e, int max)
{
	gzFile gz = gzopen(path, "rb");
	static char buf[1 << 20];
	size_t len, off = 0;
	int n = 0;

	assert_non_null(gz);
	len = (size_t)gzread(gz, buf, sizeof(buf));
	gzclose(gz);
	while (n < max) {
		const char *h = buf + off;
		unsigned long namesize;

		assert_true(off + 110 <= len);
		assert_memory_equal(h, "070701", 6);
		e[n].mode = field(h, 1);
		e[n].nlink = field(h, 4);
		e[n].size = field(h, 6);
		e[n].rmajor = field(h, 9);
		e[n].rminor = field(h, 10);
		namesize = field(h, 11);
		assert_int_equal(field(h, 12), 0);
		memcpy(e[n].name, h + 110, namesize);
		assert_int_equal(e[n].name[namesize - 1], '\0');
		off = (off + 110 + namesize + 3) & ~3UL;
		e[n].data = buf + off;
		off = (off + e[n].size + 3) & ~3UL;
		if (!strcmp(e[n].name, "TRAILER!!!"))
			return n + 1;
		n++;
	}
	return n;
}

static void round_trip(void **state)
{
	char path[128], src[128];
	const char body[] = "hello, guest\n"; /* 13 bytes: exercises the padding */
	struct entry e[8];
	struct stat st;
	struct initramfs *ir;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.gz", tmpdir);
	snprintf(src, sizeof(src), "%s/src", tmpdir);
	f = fopen(src, "w");
	fputs("0123456789", f);
	fclose(f);
	ir = initramfs_open(path);
	assert_non_null(ir);
	assert_int_equal(initramfs_add_dir(ir, "dev", 0755), 0);
	assert_int_equal(initramfs_add_chardev(ir, "dev/console", 0600, 5, 1), 0);
	assert_int_equal(initramfs_add_file(ir, "hello", 0644, body, strlen(body)), 0);
	assert_int_equal(initramfs_add_copy(ir, "init", 0755, src), 0);
	assert_int_equal(initramfs_close(ir), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	assert_int_equal(read_archive(path, e, 8), 5);
	assert_string_equal(e[0].name, "dev");
	assert_true(S_ISDIR(e[0].mode));
	assert_int_equal(e[0].mode & 07777, 0755);
	assert_int_equal(e[0].nlink, 2);
	assert_string_equal(e[1].name, "dev/console");
	assert_true(S_ISCHR(e[1].mode));
	assert_int_equal(e[1].rmajor, 5);
	assert_int_equal(e[1].rminor, 1);
	assert_string_equal(e[2].name, "hello");
	assert_true(S_ISREG(e[2].mode));
	assert_int_equal(e[2].size, strlen(body));
	assert_memory_equal(e[2].data, body, strlen(body));
	assert_string_equal(e[3].name, "init");
	assert_int_equal(e[3].mode & 07777, 0755);
	assert_int_equal(e[3].size, 10);
	assert_memory_equal(e[3].data, "0123456789", 10);
	assert_string_equal(e[4].name, "TRAILER!!!");
}

/* GNU cpio, an independent reader, must list and unpack the same archive. */
static void gnu_cpio_reads_it(void **state)
{
	char path[128], cmd[512], out[256] = "";
	const char data[] = "abc";
	struct initramfs *ir;
	FILE *p;
	size_t n;

	(void)state;
	if (system("command -v cpio >/dev/null 2>&1"))
		skip();
	snprintf(path, sizeof(path), "%s/b.gz", tmpdir);
	ir = initramfs_open(path);
	assert_non_null(ir);
	initramfs_add_dir(ir, "lib", 0755);
	initramfs_add_file(ir, "lib/x", 0644, data, 3);
	assert_int_equal(initramfs_close(ir), 0);
	snprintf(cmd, sizeof(cmd),
		 "mkdir %s/u && cd %s/u && gzip -dc %s | cpio -id --quiet 2>&1 && cat lib/x",
		 tmpdir, tmpdir, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	assert_string_equal(out, "abc");
}

static void bad_name_fails_and_leaves_nothing(void **state)
{
	char path[128], tmp[140];
	struct initramfs *ir;

	(void)state;
	snprintf(path, sizeof(path), "%s/c.gz", tmpdir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ir = initramfs_open(path);
	assert_non_null(ir);
	assert_int_equal(initramfs_add_file(ir, "/abs", 0644, "x", 1), -EINVAL);
	/* An error sticks: later calls do nothing and report it. */
	assert_int_equal(initramfs_add_dir(ir, "ok", 0755), -EINVAL);
	assert_int_equal(initramfs_close(ir), -EINVAL);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(tmp, F_OK), -1);
}

static void missing_source_is_reported(void **state)
{
	char path[128];
	struct initramfs *ir;

	(void)state;
	snprintf(path, sizeof(path), "%s/d.gz", tmpdir);
	ir = initramfs_open(path);
	assert_non_null(ir);
	assert_int_equal(initramfs_add_copy(ir, "init", 0755, "/nonexistent/agent"), -ENOENT);
	assert_int_equal(initramfs_close(ir), -ENOENT);
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(gnu_cpio_reads_it),
		cmocka_unit_test(bad_name_fails_and_leaves_nothing),
		cmocka_unit_test(missing_source_is_reported),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
