// SPDX-License-Identifier: GPL-2.0
/* Scratch directories: an owner file in each, stale ones swept, live ones
 * and link targets left alone. */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch.h"

static char base[] = "/tmp/vbench-test-scratch.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return scratch_remove(base);
}

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static void read_text(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t got;

	assert_non_null(f);
	got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
}

/* A pid that ran and is gone (reaped). */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* The owner file of a scratch directory made now, as text. */
static void own_owner(char *dir, size_t n, char *owner, size_t on)
{
	char path[PATH_MAX];

	assert_int_equal(scratch_create(base, dir, n), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, SCRATCH_OWNER);
	read_text(path, owner, on);
}

static void test_owner_file_names_this_process(void **state)
{
	char dir[PATH_MAX], owner[256], bad[300];
	int pid;
	unsigned long long start;
	struct stat st;

	(void)state;
	own_owner(dir, sizeof(dir), owner, sizeof(owner));
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(sscanf(owner, "%d %llu", &pid, &start), 2);
	assert_int_equal(pid, getpid());
	assert_true(scratch_owner_alive(owner));
	/* The same pid started at another time: pid reuse, the owner is gone. */
	snprintf(bad, sizeof(bad), "%d %llu %s", pid, start + 1,
		 strchr(strchr(owner, ' ') + 1, ' ') + 1);
	assert_false(scratch_owner_alive(bad));
	/* Another boot. */
	snprintf(bad, sizeof(bad), "%d %llu 00000000-0000-0000-0000-000000000000", pid, start);
	assert_false(scratch_owner_alive(bad));
	/* A pid that is gone. */
	snprintf(bad, sizeof(bad), "%d %llu %s", (int)dead_pid(), start,
		 strchr(strchr(owner, ' ') + 1, ' ') + 1);
	assert_false(scratch_owner_alive(bad));
	/* Unreadable: left alone. */
	assert_true(scratch_owner_alive("garbage"));
	assert_int_equal(scratch_remove(dir), 0);
	assert_int_equal(access(dir, F_OK), -1);
}

/*
 * A stale directory (its owner is a dead pid) holding a disk file, a
 * subdirectory and links to a file and a directory outside is removed, the
 * links' targets are not; a live run's directory, one without an owner file
 * and a link named like a scratch directory stay.
 */
static void test_sweep_removes_only_stale(void **state)
{
	char live[PATH_MAX], stale[PATH_MAX], owner[256], path[PATH_MAX + 64];
	char outside[PATH_MAX], victim[PATH_MAX], text[32], content[300], *boot;

	(void)state;
	own_owner(live, sizeof(live), owner, sizeof(owner));
	assert_int_equal(scratch_create(base, stale, sizeof(stale)), 0);
	boot = strchr(strchr(owner, ' ') + 1, ' ') + 1;
	snprintf(path, sizeof(path), "%s/%s", stale, SCRATCH_OWNER);
	assert_int_equal(unlink(path), 0);
	snprintf(content, sizeof(content), "%d 1 %s", (int)dead_pid(), boot);
	write_text(path, content);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	snprintf(victim, sizeof(victim), "%s/victim", outside);
	assert_int_equal(mkdir(outside, 0755), 0);
	write_text(victim, "precious");
	snprintf(path, sizeof(path), "%s/disk.dat", stale);
	write_text(path, "data");
	snprintf(path, sizeof(path), "%s/guest", stale);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/guest/dirlink", stale);
	assert_int_equal(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/filelink", stale);
	assert_int_equal(symlink(victim, path), 0);
	snprintf(path, sizeof(path), "%s/%sNOOWNR", base, SCRATCH_PREFIX);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%sLINKED", base, SCRATCH_PREFIX);
	assert_int_equal(symlink(outside, path), 0);

	assert_int_equal(scratch_sweep(base), 1);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	snprintf(path, sizeof(path), "%s/%sNOOWNR", base, SCRATCH_PREFIX);
	assert_int_equal(access(path, F_OK), 0);
	read_text(victim, text, sizeof(text));
	assert_string_equal(text, "precious");
	assert_int_equal(access(outside, F_OK), 0);
	snprintf(path, sizeof(path), "%s/%sLINKED", base, SCRATCH_PREFIX);
	assert_int_equal(access(path, F_OK), 0);
	/* Nothing more to sweep. */
	assert_int_equal(scratch_sweep(base), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_file_names_this_process),
		cmocka_unit_test(test_sweep_removes_only_stale),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
