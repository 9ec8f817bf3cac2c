// SPDX-License-Identifier: GPL-2.0
/*
 * A small target for the probe tests and benchmarks: each mode does a known
 * number of one kernel event, then prints on stderr one JSON line with the
 * process's own accounting (getrusage) and its elapsed time, so the test
 * can set the probes' counts beside the kernel's own.
 *
 *   probe_prog fork N          N forks; each child _exit(0)s, the parent reaps it
 *   probe_prog threads N       N threads, one at a time; each returns, the
 *                              parent joins it
 *   probe_prog rename N        N children, one at a time, each renamed "ab"
 *                              before it exits (every other one by way of
 *                              "longername12345"); then the program renames
 *                              itself "longername12345", then "zz"
 *   probe_prog fault MIB       touches every page of a fresh MIB MiB mapping
 *   probe_prog pread FILE N    N O_DIRECT 4 KiB preads at random aligned offsets
 *   probe_prog getppid N       N getppid() through syscall(2)
 *   probe_prog mix N           N rounds of a workload-like blend: about 1 ms
 *                              of arithmetic, 20 syscalls, 16 fresh pages,
 *                              and a fork every 50th round
 *   probe_prog sleep SECONDS
 *   probe_prog spin SECONDS    arithmetic only, until SECONDS have passed
 *   probe_prog nsleep N MS     N nanosleep()s of MS milliseconds each
 *
 * The JSON line also carries the kernel's time accounting of the process
 * at its end: utime and stime from /proc/self/stat (clock ticks, and
 * clk_tck) and on-CPU and run-queue wait ns from /proc/self/schedstat.
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
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

static void *thread_main(void *arg)
{
	return arg;
}

static int do_threads(long n)
{
	for (long i = 0; i < n; i++) {
		pthread_t t;
		int err = pthread_create(&t, NULL, thread_main, NULL);

		if (err || (err = pthread_join(t, NULL)))
			return fprintf(stderr, "pthread: %s\n", strerror(err)), 1;
	}
	return 0;
}

static int do_rename(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return perror("fork"), 1;
		if (pid == 0) {
			if (i % 2)
				prctl(PR_SET_NAME, "longername12345");
			prctl(PR_SET_NAME, "ab");
			_exit(0);
		}
		if (waitpid(pid, NULL, 0) < 0)
			return perror("waitpid"), 1;
	}
	prctl(PR_SET_NAME, "longername12345");
	prctl(PR_SET_NAME, "zz");
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

static int do_spin(double secs)
{
	volatile double x = 1.0;
	double end = now() + secs;

	while (now() < end)
		for (int k = 0; k < 100000; k++)
			x = x * 1.0000001 + 1e-9;
	return 0;
}

static int do_nsleep(long n, long msec)
{
	struct timespec ts = {.tv_sec = msec / 1000, .tv_nsec = (msec % 1000) * 1000000L};

	for (long i = 0; i < n; i++)
		if (nanosleep(&ts, NULL))
			return perror("nanosleep"), 1;
	return 0;
}

/* utime and stime (fields 14 and 15 of /proc/self/stat, after the comm). */
static void read_stat(unsigned long *utime, unsigned long *stime)
{
	char buf[1024], *p;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	*utime = *stime = 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", utime, stime);
}

static void read_schedstat(unsigned long long *run, unsigned long long *wait)
{
	FILE *f = fopen("/proc/self/schedstat", "r");

	*run = *wait = 0;
	if (f) {
		if (fscanf(f, "%llu %llu", run, wait) != 2)
			*run = *wait = 0;
		fclose(f);
	}
}

static int do_mix(long n)
{
	volatile double x = 1.0;

	for (long i = 0; i < n; i++) {
		char *p;

		for (int k = 0; k < 200000; k++)
			x = x * 1.0000001 + 1e-9;
		do_getppid(20);
		p = mmap(NULL, 16 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			 0);
		if (p == MAP_FAILED)
			return perror("mmap"), 1;
		for (int k = 0; k < 16; k++)
			p[k << 12] = 1;
		munmap(p, 16 << 12);
		if (i % 50 == 0 && do_fork(1))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long run, wait;
	unsigned long utime, stime;
	struct rusage ru;
	double t0;
	int ret;

	if (argc < 3) {
		fprintf(stderr, "usage: probe_prog fork|threads|rename|fault|getppid|sleep N | "
				"pread FILE N\n");
		return 2;
	}
	t0 = now();
	if (!strcmp(argv[1], "fork"))
		ret = do_fork(atol(argv[2]));
	else if (!strcmp(argv[1], "rename"))
		ret = do_rename(atol(argv[2]));
	else if (!strcmp(argv[1], "threads"))
		ret = do_threads(atol(argv[2]));
	else if (!strcmp(argv[1], "fault"))
		ret = do_fault(atol(argv[2]));
	else if (!strcmp(argv[1], "pread") && argc > 3)
		ret = do_pread(argv[2], atol(argv[3]));
	else if (!strcmp(argv[1], "getppid"))
		ret = do_getppid(atol(argv[2]));
	else if (!strcmp(argv[1], "mix"))
		ret = do_mix(atol(argv[2]));
	else if (!strcmp(argv[1], "spin"))
		ret = do_spin(atof(argv[2]));
	else if (!strcmp(argv[1], "nsleep") && argc > 3)
		ret = do_nsleep(atol(argv[2]), atol(argv[3]));
	else if (!strcmp(argv[1], "sleep"))
		ret = sleep(atoi(argv[2])) ? 1 : 0;
	else
		return fprintf(stderr, "probe_prog: unknown mode %s\n", argv[1]), 2;
	getrusage(RUSAGE_SELF, &ru);
	read_stat(&utime, &stime);
	read_schedstat(&run, &wait);
	fprintf(stderr,
		"{\"mode\": \"%s\", \"elapsed_s\": %.6f, \"minflt\": %ld, \"majflt\": %ld, "
		"\"utime_ticks\": %lu, \"stime_ticks\": %lu, \"clk_tck\": %ld, "
		"\"schedstat_run_ns\": %llu, \"schedstat_wait_ns\": %llu}\n",
		argv[1], now() - t0, ru.ru_minflt, ru.ru_majflt, utime, stime, sysconf(_SC_CLK_TCK),
		run, wait);
	return ret;
}
