// SPDX-License-Identifier: GPL-2.0
/*
 * docker: reaching the engine. Everything the driver asks the engine goes
 * through the docker CLI, so DOCKER_HOST and contexts work as users expect;
 * each call has a deadline. When the CLI cannot reach the engine, a ping of
 * the Engine API on its unix socket says why: no socket, nobody listening,
 * or permission denied.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "docker_internal.h"
#include "util_sys.h"

#define PING_TIMEOUT_MS 5000

char docker_cli_path[PATH_MAX];

int docker_find_cli(void)
{
	const char *path = getenv("PATH");
	char dirs[4096], *save = NULL, *dir;

	if (*docker_cli_path)
		return 0;
	snprintf(dirs, sizeof(dirs), "%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char cand[PATH_MAX];

		if (snprintf(cand, sizeof(cand), "%s/docker", dir) >= (int)sizeof(cand))
			continue;
		if (!access(cand, X_OK)) {
			snprintf(docker_cli_path, sizeof(docker_cli_path), "%s", cand);
			return 0;
		}
	}
	return -ENOENT;
}

const char *docker_endpoint(void)
{
	const char *h = getenv("DOCKER_HOST");

	return h && *h ? h : "unix:///var/run/docker.sock";
}

bool docker_host_is_remote(const char *docker_host)
{
	static const char *const local[] = {"unix://", "npipe://", "tcp://localhost", "tcp://127.",
					    "tcp://[::1]"};

	if (!docker_host || !*docker_host)
		return false;
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (!strncmp(docker_host, local[i], strlen(local[i])))
			return false;
	return true;
}

void docker_argv_init(struct docker_argv *a, const char *cli)
{
	a->argc = 0;
	a->used = 0;
	a->argv[0] = NULL;
	docker_argv_add(a, "%s", cli);
}

int docker_argv_add(struct docker_argv *a, const char *fmt, ...)
{
	size_t room = sizeof(a->buf) - a->used;
	va_list ap;
	int len;

	if (a->argc + 1 >= (int)(sizeof(a->argv) / sizeof(a->argv[0])))
		return -E2BIG;
	va_start(ap, fmt);
	len = vsnprintf(a->buf + a->used, room, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= room)
		return -E2BIG;
	a->argv[a->argc++] = a->buf + a->used;
	a->argv[a->argc] = NULL;
	a->used += (size_t)len + 1;
	return 0;
}

void docker_last_line(char *text, char *line, size_t n)
{
	char *end = text + strlen(text), *start;

	for (;;) {
		while (end > text && isspace((unsigned char)end[-1]))
			*--end = '\0';
		start = strrchr(text, '\n');
		start = start ? start + 1 : text;
		/* The CLI's "Run 'docker run --help' for more information" (older
		 * ones: "See 'docker run --help'.") follows the line that says what
		 * went wrong. */
		if (start == text ||
		    (strncmp(start, "Run 'docker ", 12) && strncmp(start, "See 'docker ", 12)) ||
		    !strstr(start, "--help'"))
			break;
		end = start;
	}
	snprintf(line, n, "%s", start);
}

pid_t docker_cli_spawn(const char *const *argv, const char *env_extra, int in, int out, int err)
{
	struct vb_child c = {.fd = {in, out, err}, .env_extra = env_extra};

	return vb_spawn((char *const *)argv, &c);
}

int docker_cli_run(const char *const *argv, const char *env_extra, char *out, size_t outn,
		   char *err, size_t errn, int timeout_s)
{
	struct vb_run_opts o = {.timeout_s = timeout_s,
				.stdout_fd = -1,
				.env_extra = env_extra,
				.split_stderr = true};
	struct vb_run_result r;
	char tail[4096];
	size_t len;

	if (err && errn)
		*err = '\0';
	if (vb_run((char *const *)argv, &o, out, outn, tail, sizeof(tail), &r))
		return r.spawn_err;
	if (err)
		docker_last_line(tail, err, errn);
	for (len = out ? strlen(out) : 0; len && isspace((unsigned char)out[len - 1]);)
		out[--len] = '\0';
	if (r.timed_out)
		return -ETIMEDOUT;
	return WIFEXITED(r.wstatus) ? WEXITSTATUS(r.wstatus) : 128 + WTERMSIG(r.wstatus);
}

void docker_cli_quiet(const char *const *argv, int timeout_ms)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid;

	if (devnull < 0)
		return;
	pid = docker_cli_spawn(argv, NULL, devnull, devnull, devnull);
	close(devnull);
	if (pid < 0)
		return;
	if (vb_reap(pid, timeout_ms) == -1) {
		kill(-pid, SIGKILL);
		vb_reap(pid, 2000);
	}
}

int docker_ping_status(const char *resp, size_t len)
{
	char line[64];
	size_t n = 0;
	int major, minor, code;

	while (n < len && n < sizeof(line) - 1 && resp[n] != '\r' && resp[n] != '\n' && resp[n])
		n++;
	memcpy(line, resp, n);
	line[n] = '\0';
	if (sscanf(line, "HTTP/%d.%d %3d", &major, &minor, &code) != 3 || code < 100 || code > 599)
		return -EINVAL;
	return code;
}

/* Connects to a unix socket within the ping's deadline; a fd or -errno. */
static int connect_unix(const char *path, long long deadline)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct pollfd pfd;
	int fd, err = 0;
	socklen_t len = sizeof(err);

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	if (errno != EINPROGRESS && errno != EAGAIN) {
		err = -errno;
		close(fd);
		return err;
	}
	pfd = (struct pollfd){.fd = fd, .events = POLLOUT};
	if (poll(&pfd, 1, (int)(deadline - vb_now_ms())) <= 0) {
		close(fd);
		return -ETIMEDOUT;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		close(fd);
		return -err;
	}
	return fd;
}

/* GET /_ping on a connected socket: its HTTP status or -errno. */
static int ping_exchange(int fd, long long deadline)
{
	static const char req[] = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
	char resp[256];
	size_t got = 0;

	if (vb_write_all(fd, req, sizeof(req) - 1))
		return -EPIPE;
	while (got < sizeof(resp) - 1 && !memchr(resp, '\n', got)) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&pfd, 1, (int)(deadline - vb_now_ms())) <= 0)
			return -ETIMEDOUT;
		r = read(fd, resp + got, sizeof(resp) - 1 - got);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return docker_ping_status(resp, got);
}

static void ping_why(int err, const char *path, char *why, size_t n)
{
	if (err == -EACCES || err == -EPERM)
		snprintf(why, n,
			 "permission denied on %s (run as root, or as a member of the socket's "
			 "group, usually 'docker')",
			 path);
	else if (err == -ENOENT)
		snprintf(why, n,
			 "%s does not exist: dockerd is not running ('bash platforms/setup.sh' "
			 "starts it)",
			 path);
	else if (err == -ECONNREFUSED)
		snprintf(why, n,
			 "nothing listens on %s: dockerd is not running or died ('bash "
			 "platforms/setup.sh' starts it)",
			 path);
	else if (err == -ETIMEDOUT)
		snprintf(why, n,
			 "dockerd on %s did not answer within %d s (is it stuck? 'docker info' "
			 "shows its state)",
			 path, PING_TIMEOUT_MS / 1000);
	else
		snprintf(why, n, "dockerd on %s: %s ('docker info' shows the engine's state)", path,
			 err == -EINVAL ? "not an HTTP answer" : strerror(-err));
}

int docker_engine_ping(char *why, size_t n)
{
	const char *ep = docker_endpoint(), *path;
	long long deadline = vb_now_ms() + PING_TIMEOUT_MS;
	int fd, rc;

	if (n)
		*why = '\0';
	if (strncmp(ep, "unix://", strlen("unix://")))
		return 1;
	path = ep + strlen("unix://");
	fd = connect_unix(path, deadline);
	if (fd < 0) {
		ping_why(fd, path, why, n);
		return fd;
	}
	rc = ping_exchange(fd, deadline);
	close(fd);
	if (rc == 200)
		return 0;
	if (rc > 0) {
		snprintf(why, n,
			 "dockerd on %s answered its ping with HTTP %d ('docker info' shows "
			 "the engine's state)",
			 path, rc);
		return -EIO;
	}
	ping_why(rc, path, why, n);
	return rc;
}
