// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util_sys.h"

int vb_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

long long vb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void vb_sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int vb_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int vb_pathf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int vb_reap(pid_t pid, int timeout_ms)
{
	for (int waited = 0;; waited += 10) {
		int status = 0;
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno == ECHILD)
			return 0;
		if (waited >= timeout_ms)
			return -1;
		vb_sleep_ms(10);
	}
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void vb_rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* In the child: the program's own process group, its fds, then exec. */
static void run_child(char *const argv[], const struct vb_run_opts *o, int out_fd, int exec_fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), e;

	setpgid(0, 0);
	if (null >= 0)
		dup2(null, 0);
	dup2(o->stdout_fd >= 0 ? o->stdout_fd : out_fd >= 0 ? out_fd : null, 1);
	dup2(out_fd >= 0 ? out_fd : null, 2);
	if (o->cwd && chdir(o->cwd)) {
		e = errno;
	} else {
		execvp(argv[0], argv);
		e = errno;
	}
	if (write(exec_fd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

/* Reads the child's output into out (keeping the tail) until EOF or the deadline. */
static void run_drain(int fd, char *out, size_t outn, long long deadline)
{
	size_t got = 0;
	char sink[4096];

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - vb_now_ms();
		char *to = out && outn > 1 ? out + got : sink;
		size_t room = out && outn > 1 ? outn - 1 - got : sizeof(sink);
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, left > 1000 ? 1000 : (int)left) < 0) {
			if (left <= 0 || errno != EINTR)
				break;
			continue;
		}
		if (!pfd.revents)
			continue;
		r = read(fd, to, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (to != sink && (got += (size_t)r) >= outn - 1)
			got = 0; /* keep the tail, which is where the reason usually is */
	}
	if (out && outn)
		out[outn > 1 ? got : 0] = '\0';
}

/* Waits for the child until the deadline, then kills its process group. */
static int run_wait(pid_t pid, long long deadline, int *status)
{
	long long left = deadline - vb_now_ms();
	int st = vb_reap(pid, left > 0 ? (int)(left > INT_MAX ? INT_MAX : left) : 0);

	if (st != -1) {
		*status = st;
		return 0;
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return -ETIMEDOUT;
}

static int run_verdict(const char *prog, int timeout_s, int waited, int status, int exec_errno,
		       char *err, size_t errn)
{
	if (waited == -ETIMEDOUT) {
		snprintf(err, errn, "'%s' did not finish within %d s (killed)", prog, timeout_s);
		return -1;
	}
	if (exec_errno) {
		snprintf(err, errn, "cannot run '%s': %s", prog, strerror(exec_errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errn, "'%s' exited with status %d", prog, WEXITSTATUS(status));
	else
		snprintf(err, errn, "'%s' was killed by signal %d", prog,
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

int vb_run_argv(char *const argv[], const struct vb_run_opts *o, char *out, size_t outn, char *err,
		size_t errn)
{
	int outp[2] = {-1, -1}, execp[2], status = 0, exec_errno = 0, waited;
	long long deadline = vb_now_ms() + (long long)o->timeout_s * 1000;
	pid_t pid;

	if (out && outn)
		out[0] = '\0';
	if (pipe2(execp, O_CLOEXEC) || pipe2(outp, O_CLOEXEC)) {
		snprintf(err, errn, "cannot run '%s': %s", argv[0], strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errn, "cannot run '%s': %s", argv[0], strerror(errno));
		close(outp[0]), close(outp[1]), close(execp[0]), close(execp[1]);
		return -1;
	}
	if (pid == 0)
		run_child(argv, o, outp[1], execp[1]);
	setpgid(pid, pid); /* also here: the kill at the deadline must not race the child */
	close(outp[1]);
	close(execp[1]);
	run_drain(outp[0], out, outn, deadline);
	close(outp[0]);
	waited = run_wait(pid, deadline, &status);
	if (read(execp[0], &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
		exec_errno = 0;
	close(execp[0]);
	return run_verdict(argv[0], o->timeout_s, waited, status, exec_errno, err, errn);
}

int vb_parse_proc_stat(const char *text, struct vb_proc_stat *st)
{
	/* The command name (field 2) ends at the last ')': it may hold blanks
	 * and ')' itself. Fields 3 (state) to 52 follow. */
	const char *p = strrchr(text, ')');
	char *end;

	if (!p)
		return -EINVAL;
	p++;
	for (int field = 3; field < 22; field++) {
		p += strspn(p, " ");
		if (!*p || *p == '\n')
			return -EINVAL;
		if (field == 3)
			st->state = *p;
		p += strcspn(p, " \n");
	}
	p += strspn(p, " ");
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	st->start = strtoull(p, &end, 10);
	if (errno || (*end && *end != ' ' && *end != '\n'))
		return -EINVAL;
	return 0;
}

int vb_proc_stat(pid_t pid, struct vb_proc_stat *st)
{
	char path[64], buf[1024];
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return vb_parse_proc_stat(buf, st) ? -EIO : 0;
}

int vb_proc_start_time(pid_t pid, unsigned long long *start)
{
	struct vb_proc_stat st;
	int err = vb_proc_stat(pid, &st);

	if (!err)
		*start = st.start;
	return err;
}

void vb_agent_path(char *buf, size_t n)
{
	char self[PATH_MAX], *slash;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len <= 0) {
		snprintf(buf, n, "%s", VB_AGENT_NAME);
		return;
	}
	self[len] = '\0';
	slash = strrchr(self, '/');
	snprintf(buf, n, "%.*s/%s", slash ? (int)(slash - self) : 1, slash ? self : ".",
		 VB_AGENT_NAME);
}

int vb_proc_alive(pid_t pid, unsigned long long start)
{
	struct vb_proc_stat st;

	/* A zombie has stopped running: only its parent has yet to reap it. */
	return pid > 0 && !vb_proc_stat(pid, &st) && st.start == start && st.state != 'Z' &&
	       st.state != 'X';
}

int vb_mode_allows_rw(mode_t mode, uid_t owner, gid_t group, uid_t uid, const gid_t *gids,
		      int nr_gids)
{
	if (uid == owner)
		return (mode & 0600) == 0600;
	for (int i = 0; i < nr_gids; i++)
		if (gids[i] == group)
			return (mode & 0060) == 0060;
	return (mode & 0006) == 0006;
}
