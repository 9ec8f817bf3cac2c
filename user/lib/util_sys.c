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

/* In the child: its process group, its signals, its fds, then exec. */
static void spawn_child(char *const argv[], const struct vb_child *c, int exec_fd)
{
	sigset_t none;
	int fds[3], e;

	if (!c->keep_group)
		setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (c->env_extra)
		putenv((char *)c->env_extra);
	/* Above 2 first, so that no one of the three is clobbered by another's
	 * dup2 (a tool started with stdin closed gets its pipes at fd 0). */
	for (int i = 0; i < 3; i++)
		fds[i] = fcntl(c->fd[i], F_DUPFD_CLOEXEC, 3);
	for (int i = 0; i < 3; i++)
		if (fds[i] < 0 || dup2(fds[i], i) < 0)
			goto fail;
	if (c->cwd && chdir(c->cwd))
		goto fail;
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(exec_fd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

pid_t vb_spawn(char *const argv[], const struct vb_child *c)
{
	int execp[2], exec_errno = 0;
	pid_t pid;

	if (pipe2(execp, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(execp[0]);
		close(execp[1]);
		return err;
	}
	if (pid == 0)
		spawn_child(argv, c, execp[1]);
	if (!c->keep_group)
		setpgid(pid, pid); /* also here: a kill of the group must not race the child */
	close(execp[1]);
	/* The pipe closes at exec; before that, the child says why it could not. */
	while (read(execp[0], &exec_errno, sizeof(exec_errno)) < 0 && errno == EINTR)
		;
	close(execp[0]);
	if (exec_errno > 0) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return -exec_errno;
	}
	return pid;
}

/* Keeps the last cap - 1 bytes of what was appended, NUL-terminated. */
static void keep_tail(char *buf, size_t cap, size_t *len, const char *data, size_t n)
{
	if (n >= cap - 1) {
		data += n - (cap - 1);
		n = cap - 1;
	}
	if (*len + n > cap - 1) {
		size_t drop = *len + n - (cap - 1);

		memmove(buf, buf + drop, *len - drop);
		*len -= drop;
	}
	memcpy(buf + *len, data, n);
	*len += n;
	buf[*len] = '\0';
}

/* Keeps the first cap - 1 bytes, NUL-terminated: output to be parsed. */
static void keep_head(char *buf, size_t cap, size_t *len, const char *data, size_t n)
{
	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(buf + *len, data, n);
	*len += n;
	buf[*len] = '\0';
}

/* Where a program's output goes: out (head or tail) and err (tail). */
struct run_sink {
	char *buf[2];
	size_t cap[2], len[2];
	bool head[2];
};

static void sink_put(struct run_sink *k, int i, const char *data, size_t n)
{
	if (!k->buf[i] || k->cap[i] < 2)
		return;
	if (k->head[i])
		keep_head(k->buf[i], k->cap[i], &k->len[i], data, n);
	else
		keep_tail(k->buf[i], k->cap[i], &k->len[i], data, n);
}

/* Reads both pipes (-1: none) until they close; false at the deadline. */
static bool run_pump(const int fds[2], long long deadline, struct run_sink *k)
{
	bool open_fd[2] = {fds[0] >= 0, fds[1] >= 0};
	char chunk[4096];

	while (open_fd[0] || open_fd[1]) {
		struct pollfd pfd[2] = {{.fd = open_fd[0] ? fds[0] : -1, .events = POLLIN},
					{.fd = open_fd[1] ? fds[1] : -1, .events = POLLIN}};
		long long left = deadline - vb_now_ms();

		if (left <= 0)
			return false;
		if (poll(pfd, 2, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR)
			return true;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!open_fd[i] || !pfd[i].revents)
				continue;
			n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				open_fd[i] = false;
			else
				sink_put(k, i, chunk, (size_t)n);
		}
	}
	return true;
}

/* Waits for the child until the deadline, then kills its process group. */
static bool run_wait(pid_t pid, long long deadline, int *status)
{
	long long left = deadline - vb_now_ms();
	int st = vb_reap(pid, left > 0 ? (int)(left > INT_MAX ? INT_MAX : left) : 0);

	if (st != -1) {
		*status = st;
		return true;
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return false;
}

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/*
 * Our ends and the child's: stdin /dev/null, stdout to o->stdout_fd or a
 * pipe, stderr to a pipe of its own (split_stderr) or stdout's. w[] are the
 * write ends, closed once the child holds them.
 */
struct run_pipes {
	int null, r[2], w[2];
};

static int run_pipes_open(const struct vb_run_opts *o, struct run_pipes *p)
{
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, err;

	p->null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (p->null < 0)
		return -errno;
	if ((o->stdout_fd < 0 || !o->split_stderr) && pipe2(po, O_CLOEXEC))
		goto fail;
	if (o->split_stderr && pipe2(pe, O_CLOEXEC))
		goto fail;
	p->r[0] = po[0], p->w[0] = po[1];
	p->r[1] = pe[0], p->w[1] = pe[1];
	return 0;
fail:
	err = -errno;
	close_fds(po, 2);
	close(p->null);
	return err;
}

int vb_run(char *const argv[], const struct vb_run_opts *o, char *out, size_t outn, char *err,
	   size_t errn, struct vb_run_result *r)
{
	long long deadline = vb_now_ms() + (long long)o->timeout_s * 1000;
	struct run_sink k = {.buf = {out, err}, .cap = {outn, errn}, .head = {o->split_stderr}};
	struct run_pipes p = {.null = -1, .r = {-1, -1}, .w = {-1, -1}};
	struct vb_child c = {.env_extra = o->env_extra, .cwd = o->cwd};
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (out && outn)
		out[0] = '\0';
	if (err && errn)
		err[0] = '\0';
	if ((r->spawn_err = run_pipes_open(o, &p)))
		return r->spawn_err;
	c.fd[0] = p.null;
	c.fd[1] = o->stdout_fd >= 0 ? o->stdout_fd : p.w[0];
	c.fd[2] = o->split_stderr ? p.w[1] : p.w[0] >= 0 ? p.w[0] : p.null;
	pid = vb_spawn(argv, &c);
	close(p.null);
	close_fds(p.w, 2);
	if (pid < 0) {
		close_fds(p.r, 2);
		return r->spawn_err = (int)pid;
	}
	r->timed_out = !run_pump(p.r, deadline, &k);
	close_fds(p.r, 2);
	if (!run_wait(pid, deadline, &r->wstatus))
		r->timed_out = true;
	return 0;
}

int vb_run_argv(char *const argv[], const struct vb_run_opts *o, char *out, size_t outn, char *err,
		size_t errn)
{
	struct vb_run_opts merged = *o;
	struct vb_run_result r;
	int st;

	merged.split_stderr = false;
	if (vb_run(argv, &merged, out, outn, NULL, 0, &r)) {
		snprintf(err, errn, "cannot run '%s': %s", argv[0], strerror(-r.spawn_err));
		return -1;
	}
	st = r.wstatus;
	if (r.timed_out)
		snprintf(err, errn, "'%s' did not finish within %d s (killed)", argv[0],
			 o->timeout_s);
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	else if (WIFEXITED(st))
		snprintf(err, errn, "'%s' exited with status %d", argv[0], WEXITSTATUS(st));
	else
		snprintf(err, errn, "'%s' was killed by signal %d", argv[0],
			 WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return -1;
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

int vb_create_fresh(const char *path, mode_t mode)
{
	int fd;

	if (unlink(path) && errno != ENOENT)
		return -errno;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

int vb_write_new(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode), err;

	if (fd < 0)
		return -errno;
	err = vb_write_all(fd, text, strlen(text));
	if (close(fd) && !err)
		err = -errno;
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
