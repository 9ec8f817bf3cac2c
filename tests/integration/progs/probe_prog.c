// SPDX-License-Identifier: GPL-2.0
/*
 * A small target for the probe tests and benchmarks: each mode does a known
 * number of one kernel event, then prints on stderr one JSON line with the
 * process's own accounting (getrusage) and its elapsed time, so the test
 * can set the probes' counts beside the kernel's own.
 *
 *   probe_prog fork N          N forks; each child _exit(0)s, the parent reaps it
 *   probe_prog fault MIB       touches every page of a fresh MIB MiB mapping
 *   probe_prog pread FILE N    N O_DIRECT 4 KiB preads at random aligned offsets
 *   probe_prog getppid N       N getppid() through syscall(2)
 *   probe_prog sleep SECONDS
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_fork(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return perror("fork"), 1;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) < 0)
			return perror("waitpid"), 1;
	}
	return 0;
}

static int do_fault(long mib)
{
	size_t len = (size_t)mib << 20;
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return perror("mmap"), 1;
	/* One fault per 4 KiB page, as the test expects, whatever THP policy. */
	madvise(p, len, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < len; off += page)
		p[off] = 1;
	return munmap(p, len) ? 1 : 0;
}

static int do_pread(const char *path, long n)
{
	int fd = open(path, O_RDONLY | O_DIRECT);
	struct stat st;
	void *buf;

	if (fd < 0 || fstat(fd, &st))
		return perror(path), 1;
	if (posix_memalign(&buf, 4096, 4096))
		return 1;
	srand(42);
	for (long i = 0; i < n; i++) {
		off_t off = ((off_t)rand() % (st.st_size / 4096)) * 4096;

		if (pread(fd, buf, 4096, off) != 4096)
			return perror("pread"), 1;
	}
	free(buf);
	close(fd);
	return 0;
}

static int do_getppid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double t0;
	int ret;

	if (argc < 3) {
		fprintf(stderr, "usage: probe_prog fork|fault|getppid|sleep N | pread FILE N\n");
		return 2;
	}
	t0 = now();
	if (!strcmp(argv[1], "fork"))
		ret = do_fork(atol(argv[2]));
	else if (!strcmp(argv[1], "fault"))
		ret = do_fault(atol(argv[2]));
	else if (!strcmp(argv[1], "pread") && argc > 3)
		ret = do_pread(argv[2], atol(argv[3]));
	else if (!strcmp(argv[1], "getppid"))
		ret = do_getppid(atol(argv[2]));
	else if (!strcmp(argv[1], "sleep"))
		ret = sleep(atoi(argv[2])) ? 1 : 0;
	else
		return fprintf(stderr, "probe_prog: unknown mode %s\n", argv[1]), 2;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr,
		"{\"mode\": \"%s\", \"elapsed_s\": %.6f, \"minflt\": %ld, \"majflt\": %ld}\n",
		argv[1], now() - t0, ru.ru_minflt, ru.ru_majflt);
	return ret;
}
