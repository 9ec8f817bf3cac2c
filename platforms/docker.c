// SPDX-License-Identifier: GPL-2.0
/* docker: the agent in a FROM-scratch container of the Docker Engine (docker.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "docker.h"
#include "platform.h"
#include "util_log.h"
#include "util_sys.h"

#define HELLO_TIMEOUT_S 30  /* a loaded machine may take seconds to start a container */
#define CLI_TIMEOUT_S	20  /* inspect, info, rm, images */
#define BUILD_TIMEOUT_S 300 /* the build sends a 1 MB context; this is generous */
#define QUIT_WAIT_MS	2000
#define STR_(x)		#x
#define STR(x)		STR_(x)

struct docker_priv {
	char tag[192];
	char name[64];
	char host[64];
	char log_path[PATH_MAX];
	char volume_dir[PATH_MAX];
	char volume_file[PATH_MAX];
	pid_t cli_pid;
	/* "docker rm -f NAME", built in start() so stop() needs no allocation. */
	const char *rm_argv[5];
};

static char cli_path[PATH_MAX];

/* ---- pure helpers (docker.h) ---- */

int docker_image_tag(char *buf, size_t n, const char *version, unsigned long hash)
{
	char v[100];
	size_t i;
	int len;

	for (i = 0; version[i] && i < sizeof(v) - 1; i++) {
		unsigned char c = (unsigned char)version[i];

		v[i] = isalnum(c) || c == '_' || c == '.' || c == '-' ? (char)c : '_';
	}
	v[i] = '\0';
	/* A tag may not start with '.' or '-'. */
	if (v[0] == '.' || v[0] == '-')
		v[0] = '_';
	len = snprintf(buf, n, "%s:%s-%08lx", DOCKER_REPO, i ? v : "0", hash & 0xffffffffUL);
	return len < 0 || (size_t)len >= n ? -E2BIG : 0;
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

pid_t docker_status_nspid(const char *status_text)
{
	const char *line = strstr(status_text, "\nNSpid:");
	const char *end, *last;

	if (!line)
		return -1;
	line += strlen("\nNSpid:");
	end = line + strcspn(line, "\n");
	/* The last field is the pid as the innermost namespace sees it. */
	while (end > line && isspace((unsigned char)end[-1]))
		end--;
	for (last = end; last > line && !isspace((unsigned char)last[-1]); last--)
		;
	if (last == end)
		return -1;
	return (pid_t)strtol(last, NULL, 10);
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

int docker_run_argv(struct docker_argv *a, const struct docker_run_opts *o)
{
	int err = 0;

	docker_argv_init(a, o->cli);
	err |= docker_argv_add(a, "run");
	/* -i: commands on stdin; no -t, so stdout carries only the agent's bytes. */
	err |= docker_argv_add(a, "-i");
	err |= docker_argv_add(a, "--rm");
	/* The agent runs as a guest's /init when it is pid 1; docker-init takes pid 1. */
	err |= docker_argv_add(a, "--init");
	err |= docker_argv_add(a, "--name=%s", o->name);
	err |= docker_argv_add(a, "--label=%s", DOCKER_LABEL);
	err |= docker_argv_add(a, "--label=%s=%d", DOCKER_LABEL_PID, (int)o->owner);
	err |= docker_argv_add(a, "--label=%s=%s", DOCKER_LABEL_HOST, o->host);
	/* Locally built; a missing image is an error, never a pull. */
	err |= docker_argv_add(a, "--pull=never");
	err |= docker_argv_add(a, "--network=bridge");
	/* Frames come through the attached stream; a log file would add disk
	 * writes of our own during the disk workloads. */
	err |= docker_argv_add(a, "--log-driver=none");
	if (o->volume_dir)
		err |= docker_argv_add(a, "--volume=%s:%s", o->volume_dir, DOCKER_VOLUME_MOUNT);
	err |= docker_argv_add(a, "%s", o->image);
	err |= docker_argv_add(a, "serve");
	return err ? -E2BIG : 0;
}

static bool is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

int docker_parse_inspect(const char *text, struct docker_inspect *out)
{
	char id[80] = "", gw[80] = "";
	long pid;
	int n;

	memset(out, 0, sizeof(*out));
	n = sscanf(text, "%ld %79s %79s", &pid, id, gw);
	if (n < 2 || pid <= 0 || pid > INT_MAX || strlen(id) != 64)
		return -EINVAL;
	for (int i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)id[i]))
			return -EINVAL;
	if (n == 3 && !is_ipv4(gw))
		return -EINVAL;
	out->pid = (pid_t)pid;
	memcpy(out->id, id, sizeof(out->id));
	if (n == 3)
		snprintf(out->gateway, sizeof(out->gateway), "%s", gw);
	return 0;
}

/* "172.17.0.0/16" -> "172.17.0.1": dockerd's default gateway for a subnet. */
static int first_host_address(const char *cidr, char *gw, size_t n)
{
	char net[64];
	const char *slash = strchr(cidr, '/');
	struct in_addr a;
	long bits;

	if (!slash || (size_t)(slash - cidr) >= sizeof(net))
		return -EINVAL;
	memcpy(net, cidr, (size_t)(slash - cidr));
	net[slash - cidr] = '\0';
	bits = strtol(slash + 1, NULL, 10);
	if (inet_pton(AF_INET, net, &a) != 1 || bits < 1 || bits > 30)
		return -EINVAL;
	a.s_addr = htonl((ntohl(a.s_addr) & ~(0xffffffffu >> bits)) + 1);
	return inet_ntop(AF_INET, &a, gw, (socklen_t)n) ? 0 : -E2BIG;
}

int docker_parse_bridge_gateway(const char *text, char *gw, size_t n)
{
	char copy[512], *save = NULL, *tok;

	snprintf(copy, sizeof(copy), "%s", text);
	for (tok = strtok_r(copy, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		char *comma = strchr(tok, ',');

		if (!comma)
			continue;
		*comma = '\0';
		if (is_ipv4(tok)) {
			if (snprintf(gw, n, "%s", tok) >= (int)n)
				return -E2BIG;
			return 0;
		}
		if (strchr(comma + 1, '.') && !first_host_address(comma + 1, gw, n))
			return 0;
	}
	return -ENOENT;
}

bool docker_cgroup_has_id(const char *cgroup_text, const char *id)
{
	/* cgroupfs puts it at /docker/<id>, systemd at docker-<id>.scope. */
	return *id && strstr(cgroup_text, id) != NULL;
}

bool docker_leftover_is_ours(const char *line, const char *host, pid_t self,
			     bool (*alive)(pid_t pid), char *id, size_t idn)
{
	const char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
	size_t idlen = t1 ? (size_t)(t1 - line) : strcspn(line, "\n");
	char pidtxt[16] = "", hosttxt[64] = "";
	long pid;

	if (!idlen || idlen >= idn)
		return false;
	memcpy(id, line, idlen);
	id[idlen] = '\0';
	if (t1) {
		size_t l = t2 ? (size_t)(t2 - t1 - 1) : strcspn(t1 + 1, "\n");

		snprintf(pidtxt, sizeof(pidtxt), "%.*s", (int)l, t1 + 1);
	}
	if (t2)
		snprintf(hosttxt, sizeof(hosttxt), "%.*s", (int)strcspn(t2 + 1, "\n"), t2 + 1);
	if (*hosttxt && strcmp(hosttxt, host))
		return false;
	if (!*pidtxt)
		return true;
	pid = strtol(pidtxt, NULL, 10);
	if (pid <= 0)
		return true;
	return (pid_t)pid == self || !alive((pid_t)pid);
}

/* ---- the docker CLI ---- */

static int find_cli(void)
{
	const char *path = getenv("PATH");
	char dirs[4096], *save = NULL, *dir;

	if (*cli_path)
		return 0;
	snprintf(dirs, sizeof(dirs), "%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char cand[PATH_MAX];

		if (snprintf(cand, sizeof(cand), "%s/docker", dir) >= (int)sizeof(cand))
			continue;
		if (!access(cand, X_OK)) {
			snprintf(cli_path, sizeof(cli_path), "%s", cand);
			return 0;
		}
	}
	return -ENOENT;
}

static const char *endpoint(void)
{
	const char *h = getenv("DOCKER_HOST");

	return h && *h ? h : "unix:///var/run/docker.sock";
}

/* The kept tail of stderr's text, reduced to its last non-empty line. */
static void last_line(char *text, char *line, size_t n)
{
	char *end = text + strlen(text), *start;

	while (end > text && isspace((unsigned char)end[-1]))
		*--end = '\0';
	start = strrchr(text, '\n');
	start = start ? start + 1 : text;
	snprintf(line, n, "%s", start);
}

static void append_tail(char *buf, size_t cap, size_t *len, const char *data, size_t n)
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

static pid_t spawn_cli(const char *const *argv, const char *env_extra, int in, int out, int err)
{
	pid_t pid = fork();
	int fds[3];
	sigset_t none;

	if (pid)
		return pid;
	/* Its own process group: Ctrl-C is the runner's to handle, not the CLI's. */
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (env_extra)
		putenv((char *)env_extra);
	/* Above 2 first, so that a tool started with stdin closed (our pipe then
	 * got fd 0) has none of its three clobbered by another's dup2. */
	fds[0] = fcntl(in, F_DUPFD_CLOEXEC, 3);
	fds[1] = fcntl(out, F_DUPFD_CLOEXEC, 3);
	fds[2] = fcntl(err, F_DUPFD_CLOEXEC, 3);
	for (int i = 0; i < 3; i++)
		if (fds[i] < 0 || dup2(fds[i], i) < 0)
			_exit(127);
	execv(cli_path, (char *const *)argv);
	_exit(127);
}

/*
 * Runs the docker CLI (argv[0] is its path); its stdout (trimmed) goes to
 * out, the last line of its stderr to err. Returns its exit status, -ETIMEDOUT
 * (it was killed) or -errno.
 */
static int cli_run(const char *const *argv, const char *env_extra, char *out, size_t outn,
		   char *err, size_t errn, int timeout_s)
{
	char errbuf[4096] = "", chunk[4096];
	int po[2], pe[2], devnull, status;
	size_t olen = 0, elen = 0;
	long long deadline = vb_now_ms() + timeout_s * 1000LL;
	bool open_o = true, open_e = true, timed_out = false;
	pid_t pid;

	if (out && outn)
		*out = '\0';
	if (err && errn)
		*err = '\0';
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0)
		return -errno;
	if (pipe2(po, O_CLOEXEC)) {
		close(devnull);
		return -errno;
	}
	if (pipe2(pe, O_CLOEXEC)) {
		close(devnull);
		close(po[0]);
		close(po[1]);
		return -errno;
	}
	pid = spawn_cli(argv, env_extra, devnull, po[1], pe[1]);
	close(devnull);
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		return -EAGAIN;
	}
	while (open_o || open_e) {
		struct pollfd pfd[2] = {{.fd = open_o ? po[0] : -1, .events = POLLIN},
					{.fd = open_e ? pe[0] : -1, .events = POLLIN}};
		int left = (int)(deadline - vb_now_ms());
		ssize_t n;

		if (left <= 0) {
			timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		if (poll(pfd, 2, left) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (!pfd[i].revents)
				continue;
			n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				*(i ? &open_e : &open_o) = false;
				continue;
			}
			if (i)
				append_tail(errbuf, sizeof(errbuf), &elen, chunk, (size_t)n);
			else if (out && olen + 1 < outn)
				append_tail(out, outn, &olen, chunk,
					    (size_t)n < outn - 1 - olen ? (size_t)n
									: outn - 1 - olen);
		}
	}
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (err)
		last_line(errbuf, err, errn);
	if (out)
		while (olen && isspace((unsigned char)out[olen - 1]))
			out[--olen] = '\0';
	if (timed_out)
		return -ETIMEDOUT;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define CLI(out, outn, err, errn, timeout, ...)                                                 \
	cli_run((const char *const[]){cli_path, __VA_ARGS__, NULL}, NULL, out, outn, err, errn, \
		timeout)

/* Runs an argv with no output, for stop(): fork, execv, waitpid, kill only. */
static void cli_quiet(const char *const *argv, int timeout_ms)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid;

	if (devnull < 0)
		return;
	pid = spawn_cli(argv, NULL, devnull, devnull, devnull);
	close(devnull);
	if (pid < 0)
		return;
	if (vb_reap(pid, timeout_ms) == -1) {
		kill(-pid, SIGKILL);
		vb_reap(pid, 2000);
	}
}

/* ---- the platform ---- */

static struct docker_priv *priv_of(struct platform *p)
{
	if (!p->priv) {
		struct docker_priv *d = calloc(1, sizeof(*d));

		if (!d)
			return NULL;
		if (gethostname(d->host, sizeof(d->host) - 1))
			snprintf(d->host, sizeof(d->host), "localhost");
		p->priv = d;
	}
	return p->priv;
}

static int hash_file(const char *path, unsigned long *crc)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	*crc = crc32(0L, Z_NULL, 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		*crc = crc32(*crc, (const Bytef *)buf, (uInt)n);
	close(fd);
	return n < 0 ? -EIO : 0;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in, out, err = 0;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while (!err && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 || write(out, buf, (size_t)n) != n)
			err = -EIO;
	}
	if (close(out) && !err)
		err = -errno;
	close(in);
	return err;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static int image_tag_for_agent(const struct platform_env *env, char *tag, size_t n)
{
	unsigned long crc;
	int err = hash_file(env->agent_path, &crc);

	if (err) {
		vb_err("docker: cannot read the agent %s: %s (run 'make')", env->agent_path,
		       strerror(-err));
		return err;
	}
	return docker_image_tag(tag, n, VB_VERSION, crc);
}

static bool image_exists(const char *tag)
{
	char out[128];

	return CLI(out, sizeof(out), NULL, 0, CLI_TIMEOUT_S, "image", "inspect", "--format",
		   "{{.Id}}", tag) == 0;
}

static const char dockerfile[] = "# Made by vbench-trace: the static agent alone, nothing pulled.\n"
				 "FROM scratch\n"
				 "LABEL " DOCKER_LABEL "\n"
				 "COPY vbench-trace-agent /vbench-trace-agent\n"
				 "ENTRYPOINT [\"/vbench-trace-agent\"]\n";

static int build_image(const struct platform_env *env, const char *tag)
{
	const char *base = env->cache_dir ? env->cache_dir : env->work_dir;
	char dir[PATH_MAX], agent[PATH_MAX], df[PATH_MAX], why[512];
	long long t0 = vb_now_ms();
	int err;

	if ((err = vb_mkdir_p(base, 0755))) {
		vb_err("docker: cannot create %s: %s (is it writable?)", base, strerror(-err));
		return err;
	}
	snprintf(dir, sizeof(dir), "%s/docker-build.XXXXXX", base);
	if (!mkdtemp(dir)) {
		err = -errno;
		vb_err("docker: cannot make a build directory in %s: %s (is it writable?)", base,
		       strerror(errno));
		return err;
	}
	if (snprintf(agent, sizeof(agent), "%s/vbench-trace-agent", dir) >= (int)sizeof(agent) ||
	    snprintf(df, sizeof(df), "%s/Dockerfile", dir) >= (int)sizeof(df)) {
		rmdir(dir);
		vb_err("docker: the build directory %s is too long (use a shorter cache directory)",
		       dir);
		return -ENAMETOOLONG;
	}
	err = copy_file(env->agent_path, agent, 0755);
	if (!err)
		err = write_text(df, dockerfile);
	if (err) {
		vb_err("docker: cannot prepare the build context %s: %s (is it writable?)", dir,
		       strerror(-err));
		goto cleanup;
	}
	/* The legacy builder works offline with dockerd 20.10 and needs no buildx. */
	err = cli_run(
		(const char *const[]){cli_path, "build", "-q", "--force-rm", "-t", tag, dir, NULL},
		"DOCKER_BUILDKIT=0", NULL, 0, why, sizeof(why), BUILD_TIMEOUT_S);
	if (err) {
		vb_err("docker: cannot build image %s: %s (build context %s; 'docker info' "
		       "shows the engine's state)",
		       tag, err == -ETIMEDOUT ? "timed out" : why, dir);
		err = -EIO;
		goto cleanup;
	}
	vb_info("docker: built image %s in %lld ms", tag, vb_now_ms() - t0);
cleanup:
	unlink(agent);
	unlink(df);
	rmdir(dir);
	return err;
}

/* Our images with another tag are stale: a rebuilt agent or another version.
 * An image still used by a running container stays (rmi without -f). */
static void remove_old_images(const char *keep)
{
	char list[8192], *save = NULL, *line;

	if (CLI(list, sizeof(list), NULL, 0, CLI_TIMEOUT_S, "images", "--filter",
		"label=" DOCKER_LABEL, "--filter", "reference=" DOCKER_REPO, "--format",
		"{{.Repository}}:{{.Tag}}"))
		return;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, keep) || strstr(line, "<none>"))
			continue;
		if (!CLI(NULL, 0, NULL, 0, CLI_TIMEOUT_S, "rmi", line))
			vb_info("docker: removed old image %s", line);
	}
	/* Untagged leftovers of ours (a tag moved by hand, an interrupted build). */
	CLI(NULL, 0, NULL, 0, CLI_TIMEOUT_S, "image", "prune", "-f", "--filter",
	    "label=" DOCKER_LABEL);
}

static int ensure_image(struct platform *p, struct docker_priv *d, bool say_reuse)
{
	int err;

	if (!*d->tag && (err = image_tag_for_agent(p->env, d->tag, sizeof(d->tag))))
		return err;
	if (image_exists(d->tag)) {
		if (say_reuse)
			vb_info("docker: reusing image %s", d->tag);
		return 0;
	}
	return build_image(p->env, d->tag);
}

static int docker_available(const struct platform_env *env, char *reason, size_t n)
{
	char out[256], err[256];
	struct utsname u;
	int rc;

	if (n)
		*reason = '\0';
	if (access(env->agent_path, X_OK)) {
		snprintf(reason, n, "agent %s is missing (run 'make')", env->agent_path);
		return -1;
	}
	if (find_cli()) {
		snprintf(reason, n,
			 "the docker CLI is not in PATH (install docker.io: 'bash "
			 "platforms/setup.sh')");
		return -1;
	}
	rc = CLI(out, sizeof(out), err, sizeof(err), CLI_TIMEOUT_S, "info", "--format",
		 "{{.OSType}} {{.Architecture}}");
	if (rc || !*out) {
		snprintf(reason, n,
			 "cannot reach the Docker daemon at %s (%s; is dockerd running? 'bash "
			 "platforms/setup.sh' starts it; 'vbench-trace doctor' checks)",
			 endpoint(), rc == -ETIMEDOUT ? "no answer in 20 s" : "no answer");
		return -1;
	}
	uname(&u);
	if (strncmp(out, "linux ", 6) || strcmp(out + 6, u.machine)) {
		snprintf(reason, n,
			 "the Docker engine at %s runs %s containers, the agent is linux %s "
			 "(use a linux/%s engine through DOCKER_HOST)",
			 endpoint(), out, u.machine, u.machine);
		return -1;
	}
	if (docker_host_is_remote(getenv("DOCKER_HOST")))
		snprintf(reason, n,
			 "DOCKER_HOST=%s is another machine: host probes cannot see its "
			 "containers and are skipped, and the net workload needs --net-server "
			 "(unset DOCKER_HOST to use the local engine)",
			 endpoint());
	return 0;
}

static int docker_prepare(struct platform *p)
{
	struct docker_priv *d = priv_of(p);
	int err;

	if (!d)
		return -ENOMEM;
	if (find_cli()) {
		vb_err("docker: the docker CLI is not in PATH (install docker.io: 'bash "
		       "platforms/setup.sh')");
		return -ENOENT;
	}
	if (!strcmp(platform_opt(p, "storage"), "volume") &&
	    docker_host_is_remote(getenv("DOCKER_HOST"))) {
		vb_err("docker: a bind-mounted volume needs a local engine, DOCKER_HOST=%s is "
		       "another machine (unset DOCKER_HOST, or run without the volume)",
		       endpoint());
		return -EINVAL;
	}
	err = ensure_image(p, d, true);
	if (!err)
		remove_old_images(d->tag);
	return err;
}

/* Blocks SIGPIPE around a write to the CLI, which may have died: the error
 * is ours to report, not a signal to kill the tool. */
static int link_write(struct platform *p, const char *cmdline)
{
	sigset_t pipe_set, old, pending;
	struct timespec zero = {0};
	bool was_pending;
	int err;

	if (p->cmd_fd < 0)
		return -EPIPE;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	err = platform_link_run(p, cmdline);
	if (err == -EPIPE && !was_pending)
		sigtimedwait(&pipe_set, NULL, &zero);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err;
}

static int docker_run(struct platform *p, const char *cmdline)
{
	return link_write(p, cmdline);
}

static void docker_stop(struct platform *p);

static int spawn_container(struct platform *p, struct docker_priv *d)
{
	struct docker_run_opts o = {.cli = cli_path,
				    .image = d->tag,
				    .name = d->name,
				    .volume_dir = *d->volume_dir ? d->volume_dir : NULL,
				    .host = d->host,
				    .owner = getpid()};
	int to_cli[2], from_cli[2], log, err;
	struct docker_argv a;

	if (docker_run_argv(&a, &o)) {
		vb_err("docker: the 'docker run' command line for %s is too long (use a shorter "
		       "work directory)",
		       d->name);
		return -E2BIG;
	}
	log = open(d->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (log < 0) {
		err = -errno;
		vb_err("docker: cannot create %s: %s (is the work directory writable?)",
		       d->log_path, strerror(errno));
		return err;
	}
	if (pipe2(to_cli, O_CLOEXEC)) {
		err = -errno;
		close(log);
		return err;
	}
	if (pipe2(from_cli, O_CLOEXEC)) {
		err = -errno;
		close(log);
		close(to_cli[0]);
		close(to_cli[1]);
		return err;
	}
	d->cli_pid = spawn_cli(a.argv, NULL, to_cli[0], from_cli[1], log);
	err = d->cli_pid < 0 ? -errno : 0;
	close(log);
	close(to_cli[0]);
	close(from_cli[1]);
	if (err) {
		d->cli_pid = 0;
		close(to_cli[1]);
		close(from_cli[0]);
		vb_err("docker: cannot start the docker CLI: %s (too many processes?)",
		       strerror(-err));
		return err;
	}
	p->cmd_fd = to_cli[1];
	frame_reader_free(&p->out);
	frame_reader_init(&p->out, from_cli[0]);
	return 0;
}

static void log_tail(const char *path, char *line, size_t n)
{
	char buf[2048] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t size;
	ssize_t r;

	*line = '\0';
	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t)sizeof(buf) - 1)
		lseek(fd, size - (off_t)sizeof(buf) + 1, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[r > 0 ? r : 0] = '\0';
	last_line(buf, line, n);
}

/* Is pid a process of this host, inside container id? */
static bool pid_is_local(pid_t pid, const char *id)
{
	char path[64], text[8192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return docker_cgroup_has_id(text, id);
}

static int read_text(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	*buf = '\0';
	if (fd < 0)
		return -errno;
	r = read(fd, buf, n - 1);
	close(fd);
	buf[r > 0 ? r : 0] = '\0';
	return r < 0 ? -EIO : 0;
}

/* Is host pid a child of parent, with innermost pid nspid (any when <= 0)? */
static bool is_agent(pid_t pid, pid_t parent, pid_t nspid)
{
	char path[64], status[4096], *pp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_text(path, status, sizeof(status)))
		return false;
	pp = strstr(status, "\nPPid:");
	if (!pp || strtol(pp + strlen("\nPPid:"), NULL, 10) != parent)
		return false;
	return nspid <= 0 || docker_status_nspid(status) == nspid;
}

/*
 * The agent's host pid: the child of the container's init (docker-init)
 * that gave its pid in the hello. It, not docker-init, must be the probes'
 * target: targets follow forks made after they are set, and the agent was
 * forked before.
 */
static pid_t find_agent(pid_t init, const char *hello)
{
	struct json_object *h = json_tokener_parse(hello), *v;
	pid_t nspid = 0, found = 0;
	struct dirent *e;
	DIR *proc;

	if (h && json_object_object_get_ex(h, "pid", &v))
		nspid = (pid_t)json_object_get_int(v);
	json_object_put(h);
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (!found && (e = readdir(proc))) {
		pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);

		if (pid > 0 && is_agent(pid, init, nspid))
			found = pid;
	}
	closedir(proc);
	return found;
}

static int inspect_container(struct docker_priv *d, struct docker_inspect *ins)
{
	char out[256], why[256];
	int rc;

	rc = CLI(out, sizeof(out), why, sizeof(why), CLI_TIMEOUT_S, "inspect", "--format",
		 DOCKER_INSPECT_FMT, d->name);
	if (rc || docker_parse_inspect(out, ins)) {
		vb_err("docker: cannot inspect container %s: %s (did its agent exit? 'docker "
		       "events' shows what the engine did)",
		       d->name, rc ? why : out);
		return -EIO;
	}
	if (!*ins->gateway) {
		rc = CLI(out, sizeof(out), why, sizeof(why), CLI_TIMEOUT_S, "network", "inspect",
			 "bridge", "--format", DOCKER_NET_FMT);
		if (rc || docker_parse_bridge_gateway(out, ins->gateway, sizeof(ins->gateway))) {
			vb_err("docker: cannot find the gateway of the bridge network: %s ('docker "
			       "network inspect bridge' shows it)",
			       rc ? why : "no IPv4 subnet");
			return -EIO;
		}
	}
	return 0;
}

/*
 * Where the host probes and the net-server point. A container of a remote
 * engine has no process here and cannot reach this host's gateway address:
 * target_pid 0 and no net-server, rather than counters of some other process.
 */
static void point_at(struct platform *p, struct docker_priv *d, const struct docker_inspect *ins)
{
	if (!pid_is_local(ins->pid, ins->id)) {
		vb_warn("docker: container %s runs on another machine (%s): host probes are "
			"skipped for it, and the net workload needs --net-server",
			d->name, endpoint());
		p->target_pid = 0;
		p->net_bind[0] = p->net_server[0] = '\0';
		return;
	}
	p->target_pid = find_agent(ins->pid, p->hello);
	if (!p->target_pid) {
		vb_warn("docker: cannot find the agent under the container's init (pid %d); host "
			"probes follow that init and may miss the agent",
			(int)ins->pid);
		p->target_pid = ins->pid;
	}
	snprintf(p->net_bind, sizeof(p->net_bind), "%s", ins->gateway);
	snprintf(p->net_server, sizeof(p->net_server), "%s:%d", ins->gateway, p->env->net_port);
}

static int docker_start(struct platform *p)
{
	static int serial;
	struct docker_priv *d = priv_of(p);
	const char *work = p->env->work_dir;
	struct docker_inspect ins;
	char why[256];
	long long t0;
	int err;

	if (!d)
		return -ENOMEM;
	p->cmd_fd = -1;
	p->target_pid = 0;
	if (find_cli()) {
		vb_err("docker: the docker CLI is not in PATH (install docker.io: 'bash "
		       "platforms/setup.sh')");
		return -ENOENT;
	}
	if ((err = vb_mkdir_p(work, 0755))) {
		vb_err("docker: cannot create the work directory %s: %s (is it writable?)", work,
		       strerror(-err));
		return err;
	}
	/* Another run may have removed our image since prepare(). */
	if ((err = ensure_image(p, d, false)))
		return err;
	snprintf(d->name, sizeof(d->name), "vbench-trace-%d-%d", (int)getpid(), ++serial);
	snprintf(d->log_path, sizeof(d->log_path), "%s/%s.log", work, d->name);
	d->volume_dir[0] = d->volume_file[0] = '\0';
	if (!strcmp(platform_opt(p, "storage"), "volume")) {
		char abs[PATH_MAX];

		if (!realpath(work, abs)) {
			err = -errno;
			vb_err("docker: work directory %s: %s (is it there?)", work,
			       strerror(-err));
			return err;
		}
		if (snprintf(d->volume_dir, sizeof(d->volume_dir), "%s/docker-volume", abs) >=
			    (int)sizeof(d->volume_dir) ||
		    snprintf(d->volume_file, sizeof(d->volume_file), "%s/docker-volume/disk.dat",
			     abs) >= (int)sizeof(d->volume_file)) {
			vb_err("docker: the work directory %s is too long for a volume (use a "
			       "shorter one)",
			       abs);
			return -ENAMETOOLONG;
		}
		if ((err = vb_mkdir_p(d->volume_dir, 0755))) {
			vb_err("docker: cannot create %s: %s (is it writable?)", d->volume_dir,
			       strerror(-err));
			return err;
		}
	}
	d->rm_argv[0] = cli_path;
	d->rm_argv[1] = "rm";
	d->rm_argv[2] = "-f";
	d->rm_argv[3] = d->name;
	d->rm_argv[4] = NULL;
	t0 = vb_now_ms();
	if ((err = spawn_container(p, d)))
		return err;
	err = platform_wait_hello(p, HELLO_TIMEOUT_S);
	if (err == -EINTR)
		goto fail;
	if (err) {
		/* The log is in the work directory, which the runner removes: quote it. */
		log_tail(d->log_path, why, sizeof(why));
		vb_err("docker: container %s did not say hello%s: %s ('docker run -i --rm "
		       "--init %s serve' runs it by hand)",
		       d->name, err == -ETIMEDOUT ? " within " STR(HELLO_TIMEOUT_S) " s" : "",
		       *why ? why : "the docker CLI ended", d->tag);
		goto fail;
	}
	if ((err = inspect_container(d, &ins)))
		goto fail;
	point_at(p, d, &ins);
	vb_info("docker: container %s said hello in %lld ms (init pid %d, agent pid %d)", d->name,
		vb_now_ms() - t0, (int)ins.pid, (int)p->target_pid);
	snprintf(p->disk_file, sizeof(p->disk_file), "%s",
		 *d->volume_dir ? DOCKER_DISK_VOLUME : DOCKER_DISK_LAYER);
	return 0;
fail:
	docker_stop(p);
	return err;
}

/*
 * QUIT, a short wait, then "docker rm -f" whatever the CLI did, and reap it.
 * Safe twice; the process handling uses only async-signal-safe calls and
 * strings built in start(), so a runner may call it after Ctrl-C.
 */
static void docker_stop(struct platform *p)
{
	struct docker_priv *d = p->priv;

	if (!d)
		return;
	if (p->cmd_fd >= 0) {
		link_write(p, "QUIT");
		close(p->cmd_fd);
		p->cmd_fd = -1;
	}
	if (d->cli_pid > 0) {
		vb_reap(d->cli_pid, QUIT_WAIT_MS);
		/* The agent has quit, or is stuck: either way the container goes. */
		cli_quiet(d->rm_argv, CLI_TIMEOUT_S * 1000);
		if (vb_reap(d->cli_pid, 2000) == -1) {
			kill(-d->cli_pid, SIGKILL);
			vb_reap(d->cli_pid, 2000);
		}
		d->cli_pid = 0;
	}
	p->target_pid = 0;
	if (p->out.fd >= 0) {
		close(p->out.fd);
		frame_reader_free(&p->out);
		p->out.fd = -1;
	}
	if (*d->volume_file)
		unlink(d->volume_file);
}

static bool pid_alive(pid_t pid)
{
	return !kill(pid, 0) || errno == EPERM;
}

/* Containers of ours that outlived their run (a crash, a kill -9). */
static void remove_leftovers(struct docker_priv *d)
{
	char list[8192], *save = NULL, *line, id[80];

	if (CLI(list, sizeof(list), NULL, 0, CLI_TIMEOUT_S, "ps", "-a", "--filter",
		"label=" DOCKER_LABEL, "--format", DOCKER_PS_FMT))
		return;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!docker_leftover_is_ours(line, d->host, getpid(), pid_alive, id, sizeof(id)))
			continue;
		if (!CLI(NULL, 0, NULL, 0, CLI_TIMEOUT_S, "rm", "-f", id))
			vb_info("docker: removed leftover container %s", id);
	}
}

static void docker_teardown(struct platform *p)
{
	struct docker_priv *d = p->priv;

	if (!d)
		return;
	docker_stop(p);
	if (!find_cli())
		remove_leftovers(d);
	if (*d->volume_dir)
		rmdir(d->volume_dir);
	free(d);
	p->priv = NULL;
}

static const char *const docker_storage_values[] = {"layer", "volume", NULL};

static const struct platform_option docker_options[] = {
	{.name = "storage",
	 .values = docker_storage_values,
	 .def = "layer",
	 .help = "where the disk workloads' file lives: the container's writable layer "
		 "(overlayfs) or a bind-mounted volume"},
	{0},
};

const struct platform_ops docker_ops = {
	.name = "docker",
	.flags = PLAT_EXTRA_DISK_VARIANT,
	.options = docker_options,
	.variant_option = "storage",
	.available = docker_available,
	.prepare = docker_prepare,
	.start = docker_start,
	.run = docker_run,
	.collect = platform_link_collect,
	.stop = docker_stop,
	.teardown = docker_teardown,
};
