// SPDX-License-Identifier: GPL-2.0
/*
 * docker: running a container. The command line (hardened, labelled with
 * its owner), the parsers of what the engine and /proc say about it,
 * finding the agent's host pid, naming what died when the link breaks, and
 * sweeping the containers of runs that died.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "docker_internal.h"
#include "util_log.h"
#include "util_sys.h"

/* ---- the command line and what it promises (docker.h) ---- */

unsigned long long docker_memory_limit(unsigned long long disk_file_bytes)
{
	return disk_file_bytes + DOCKER_MEMORY_HEADROOM;
}

void docker_settings_json(struct json_object *obj, unsigned long long disk_file_bytes)
{
	static const char *const labels[] = {DOCKER_LABEL_PID, DOCKER_LABEL_START,
					     DOCKER_LABEL_HOST};
	struct json_object *o = json_object_new_object(), *a;
	unsigned long long mem = docker_memory_limit(disk_file_bytes);

	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string("ALL"));
	json_object_object_add(o, "cap_drop", a);
	json_object_object_add(o, "cap_add", json_object_new_array());
	json_object_object_add(o, "no_new_privileges", json_object_new_boolean(1));
	json_object_object_add(o, "pids_limit", json_object_new_int(DOCKER_PIDS_LIMIT));
	json_object_object_add(o, "memory_bytes", json_object_new_uint64(mem));
	json_object_object_add(o, "memory_swap_bytes", json_object_new_uint64(mem));
	a = json_object_new_array();
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		json_object_array_add(a, json_object_new_string(labels[i]));
	json_object_object_add(o, "owner_labels", a);
	json_object_object_add(obj, "docker", o);
}

/* What docker_settings_json promises, on the command line. */
static int add_hardening(struct docker_argv *a, const struct docker_run_opts *o)
{
	unsigned long long mem = docker_memory_limit(o->disk_file_bytes);
	int err = 0;

	err |= docker_argv_add(a, "--cap-drop=ALL");
	err |= docker_argv_add(a, "--security-opt=no-new-privileges");
	err |= docker_argv_add(a, "--pids-limit=%d", DOCKER_PIDS_LIMIT);
	err |= docker_argv_add(a, "--memory=%llu", mem);
	/* Equal to --memory: no swap beyond the limit. */
	err |= docker_argv_add(a, "--memory-swap=%llu", mem);
	return err;
}

int docker_run_argv(struct docker_argv *a, const struct docker_run_opts *o)
{
	int err = 0;

	docker_argv_init(a, o->cli);
	err |= docker_argv_add(a, "run");
	/* -i: commands on stdin; no -t, so stdout carries only the agent's bytes.
	 * No --rm: a dead container's state names what killed it; stop() removes it. */
	err |= docker_argv_add(a, "-i");
	/* The agent runs as a guest's /init when it is pid 1; docker-init takes pid 1. */
	err |= docker_argv_add(a, "--init");
	err |= docker_argv_add(a, "--name=%s", o->name);
	err |= docker_argv_add(a, "--label=%s", DOCKER_LABEL);
	err |= docker_argv_add(a, "--label=%s=%d", DOCKER_LABEL_PID, (int)o->owner);
	err |= docker_argv_add(a, "--label=%s=%llu", DOCKER_LABEL_START, o->owner_start);
	err |= docker_argv_add(a, "--label=%s=%s", DOCKER_LABEL_HOST, o->host);
	err |= add_hardening(a, o);
	/* Locally built; a missing image is an error, never a pull. */
	err |= docker_argv_add(a, "--pull=never");
	err |= docker_argv_add(a, "--network=%s", o->network ? o->network : "bridge");
	/* Frames come through the attached stream; a log file would add disk
	 * writes of our own during the disk workloads. */
	err |= docker_argv_add(a, "--log-driver=none");
	if (o->volume_dir)
		err |= docker_argv_add(a, "--volume=%s:%s", o->volume_dir, DOCKER_VOLUME_MOUNT);
	err |= docker_argv_add(a, "%s", o->image);
	err |= docker_argv_add(a, "serve");
	return err ? -E2BIG : 0;
}

/* ---- parsers of the engine's and /proc's text (docker.h) ---- */

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

/* The tab-separated field i of a ps line, "" if absent. */
static void ps_field(const char *line, int i, char *buf, size_t n)
{
	size_t len;

	for (; i > 0; i--) {
		line = strpbrk(line, "\t\n");
		if (!line || *line == '\n') {
			*buf = '\0';
			return;
		}
		line++;
	}
	len = strcspn(line, "\t\n");
	snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), line);
}

static bool number(const char *s, unsigned long long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end;
}

bool docker_leftover_is_ours(const char *line, const struct docker_owner *self,
			     bool (*alive)(pid_t pid, unsigned long long start), char *id,
			     size_t idn)
{
	size_t idlen = strcspn(line, "\t\n");
	char pidtxt[24], host[64], starttxt[24];
	unsigned long long pid, start = 0;

	if (!idlen || idlen >= idn)
		return false;
	memcpy(id, line, idlen);
	id[idlen] = '\0';
	ps_field(line, 1, pidtxt, sizeof(pidtxt));
	ps_field(line, 2, host, sizeof(host));
	ps_field(line, 3, starttxt, sizeof(starttxt));
	if (*host && strcmp(host, self->host))
		return false;
	if (!number(pidtxt, &pid) || pid == 0 || pid > INT_MAX)
		return true;
	if (*starttxt && !number(starttxt, &start))
		start = 0;
	if ((pid_t)pid == self->pid)
		/* This run's own, or one of a run that had this pid before. */
		return true;
	return !alive((pid_t)pid, start);
}

int docker_parse_state(const char *text, struct docker_state *out)
{
	char status[16], oom[8];
	int code, used = 0;

	memset(out, 0, sizeof(*out));
	if (sscanf(text, "%15s %d %7s%n", status, &code, oom, &used) != 3)
		return -EINVAL;
	if (strcmp(oom, "true") && strcmp(oom, "false"))
		return -EINVAL;
	for (const char *c = status; *c; c++)
		if (!islower((unsigned char)*c))
			return -EINVAL;
	snprintf(out->status, sizeof(out->status), "%s", status);
	out->exit_code = code;
	out->oom_killed = !strcmp(oom, "true");
	text += used;
	text += strspn(text, " ");
	snprintf(out->error, sizeof(out->error), "%.*s", (int)strcspn(text, "\n"), text);
	return 0;
}

void docker_state_describe(const struct docker_state *s, char *buf, size_t n)
{
	const char *engine = *s->error ? "; the engine says: " : "";
	int sig = s->exit_code > 128 && s->exit_code < 128 + 65 ? s->exit_code - 128 : 0;

	if (s->oom_killed)
		snprintf(buf, n,
			 "was killed by the kernel's OOM killer at its memory limit (exit status "
			 "%d%s%s)",
			 s->exit_code, engine, s->error);
	else if (!strcmp(s->status, "running"))
		snprintf(buf, n, "is still running, but the docker CLI attached to it ended%s%s",
			 engine, s->error);
	else if (sig)
		snprintf(buf, n,
			 "was killed by signal %d (%s; exit status %d: 'docker kill', 'docker "
			 "stop' or someone else's kill%s%s)",
			 sig, strsignal(sig), s->exit_code, engine, s->error);
	else if (!strcmp(s->status, "exited"))
		snprintf(buf, n, "exited with status %d%s%s", s->exit_code, engine, s->error);
	else
		snprintf(buf, n, "is %s (exit status %d%s%s)", s->status, s->exit_code, engine,
			 s->error);
}

/* ---- this host's view of a container ---- */

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

/* Is pid a process of this host, inside container id? */
static bool pid_is_local(pid_t pid, const char *id)
{
	char path[64], text[8192];

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_text(path, text, sizeof(text)))
		return false;
	return docker_cgroup_has_id(text, id);
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

/* ---- starting one ---- */

static int open_pipes(int to_cli[2], int from_cli[2])
{
	int err;

	if (pipe2(to_cli, O_CLOEXEC))
		return -errno;
	if (pipe2(from_cli, O_CLOEXEC)) {
		err = -errno;
		close(to_cli[0]);
		close(to_cli[1]);
		return err;
	}
	return 0;
}

int docker_container_spawn(struct platform *p, struct docker_priv *d)
{
	struct docker_run_opts o = {.cli = docker_cli_path,
				    .image = d->tag,
				    .name = d->name,
				    .volume_dir = *d->volume_dir ? d->volume_dir : NULL,
				    .host = d->host,
				    .owner = getpid(),
				    .owner_start = d->start_ticks,
				    .disk_file_bytes = p->env->disk_file_bytes,
				    .network = platform_opt(p, "net")};
	int to_cli[2], from_cli[2], log, err;
	struct docker_argv a;

	if (docker_run_argv(&a, &o)) {
		vb_err("docker: the 'docker run' command line for %s is too long (use a shorter "
		       "work directory)",
		       d->name);
		return -E2BIG;
	}
	log = vb_create_fresh(d->log_path, 0644);
	if (log < 0) {
		err = -errno;
		vb_err("docker: cannot create %s: %s (is the work directory writable?)",
		       d->log_path, strerror(errno));
		return err;
	}
	if ((err = open_pipes(to_cli, from_cli))) {
		close(log);
		return err;
	}
	d->memory_bytes = docker_memory_limit(o.disk_file_bytes);
	d->cli_pid = docker_cli_spawn(a.argv, NULL, to_cli[0], from_cli[1], log);
	d->cli_status = -1;
	err = d->cli_pid < 0 ? (int)d->cli_pid : 0;
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

static int inspect_container(struct docker_priv *d, struct docker_inspect *ins, bool gateway)
{
	char out[256], why[256];
	int rc;

	rc = DOCKER_CLI(out, sizeof(out), why, sizeof(why), DOCKER_CLI_TIMEOUT_S, "inspect",
			"--format", DOCKER_INSPECT_FMT, d->name);
	if (rc || docker_parse_inspect(out, ins)) {
		vb_err("docker: cannot inspect container %s: %s (did its agent exit? 'docker "
		       "events' shows what the engine did)",
		       d->name, rc ? why : out);
		return -EIO;
	}
	if (gateway && !*ins->gateway) {
		rc = DOCKER_CLI(out, sizeof(out), why, sizeof(why), DOCKER_CLI_TIMEOUT_S, "network",
				"inspect", "bridge", "--format", DOCKER_NET_FMT);
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
int docker_container_locate(struct platform *p, struct docker_priv *d)
{
	/* net=host: the container is in the host's network namespace, loopback included. */
	bool host_net = !strcmp(platform_opt(p, "net"), "host");
	struct docker_inspect ins;
	int err;

	if ((err = inspect_container(d, &ins, !host_net)))
		return err;
	if (!pid_is_local(ins.pid, ins.id)) {
		vb_warn("docker: container %s runs on another machine (%s): host probes are "
			"skipped for it, and the net workload needs --net-server",
			d->name, docker_endpoint());
		p->target_pid = 0;
		p->net_bind[0] = p->net_server[0] = '\0';
		return 0;
	}
	p->target_pid = find_agent(ins.pid, p->hello);
	if (!p->target_pid) {
		vb_warn("docker: cannot find the agent under the container's init (pid %d); host "
			"probes follow that init and may miss the agent",
			(int)ins.pid);
		p->target_pid = ins.pid;
	}
	snprintf(p->net_bind, sizeof(p->net_bind), "%s", host_net ? "127.0.0.1" : ins.gateway);
	snprintf(p->net_server, sizeof(p->net_server), "%s:%d", p->net_bind, p->env->net_port);
	return 0;
}

/* ---- when it died ---- */

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
	docker_last_line(buf, line, n);
}

/* The docker CLI that ran the container, once it has ended: "the docker CLI
 * exited with status N: its last line", or "" while it still runs. */
static void cli_outcome(struct docker_priv *d, char *buf, size_t n)
{
	char said[256];

	*buf = '\0';
	if (d->cli_pid > 0) {
		int st = vb_reap(d->cli_pid, DOCKER_GONE_WAIT_MS);

		if (st == -1)
			return;
		d->cli_status = st;
		d->cli_pid = 0;
	}
	if (d->cli_status < 0)
		return;
	log_tail(d->log_path, said, sizeof(said));
	if (WIFSIGNALED(d->cli_status))
		snprintf(buf, n, "the docker CLI was killed by signal %d%s%s",
			 WTERMSIG(d->cli_status), *said ? ": " : "", said);
	else
		snprintf(buf, n, "the docker CLI exited with status %d%s%s",
			 WEXITSTATUS(d->cli_status), *said ? ": " : "", said);
}

void docker_container_say_why_gone(struct docker_priv *d, const char *what)
{
	char cli[384], out[512], why[256], said[512], ping[256];
	struct docker_state st;
	int rc;

	cli_outcome(d, cli, sizeof(cli));
	rc = DOCKER_CLI(out, sizeof(out), why, sizeof(why), DOCKER_CLI_TIMEOUT_S, "inspect",
			"--format", DOCKER_STATE_FMT, d->name);
	if (!rc && !docker_parse_state(out, &st)) {
		docker_state_describe(&st, said, sizeof(said));
		if (st.oom_killed)
			snprintf(said + strlen(said), sizeof(said) - strlen(said),
				 "; the limit was %llu MiB, the disk file plus 1 GiB of headroom",
				 d->memory_bytes >> 20);
		vb_err("docker: the link to container %s broke %s: the container %s%s%s ('docker "
		       "inspect %s' shows its state until the run removes it)",
		       d->name, what, said, *cli ? "; " : "", cli, d->name);
		return;
	}
	if (docker_engine_ping(ping, sizeof(ping)) != 0 ||
	    (rc && strstr(why, "Cannot connect to the Docker daemon"))) {
		vb_err("docker: the link to container %s broke %s: lost the connection to dockerd "
		       "at %s: %s%s%s (a later run removes the container once dockerd answers)",
		       d->name, what, docker_endpoint(), *ping ? ping : why, *cli ? "; " : "", cli);
		return;
	}
	vb_err("docker: the link to container %s broke %s: the engine no longer knows the "
	       "container (%s)%s%s ('docker events' shows who removed it)",
	       d->name, what, rc ? why : out, *cli ? "; " : "", cli);
}

/* ---- leftovers of runs that died ---- */

static bool owner_alive(pid_t pid, unsigned long long start)
{
	if (kill(pid, 0) && errno != EPERM)
		return false;
	/* A pid running with another start time is a new process. */
	return !start || vb_proc_alive(pid, start);
}

void docker_container_sweep(const struct docker_priv *d)
{
	struct docker_owner self = {.host = d->host, .pid = getpid(), .start = d->start_ticks};
	char list[16384], *save = NULL, *line, id[80];

	if (DOCKER_CLI(list, sizeof(list), NULL, 0, DOCKER_CLI_TIMEOUT_S, "ps", "-a", "--filter",
		       "label=" DOCKER_LABEL, "--format", DOCKER_PS_FMT))
		return;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!docker_leftover_is_ours(line, &self, owner_alive, id, sizeof(id)))
			continue;
		/* -v: an anonymous volume goes with it. */
		if (!DOCKER_CLI(NULL, 0, NULL, 0, DOCKER_CLI_TIMEOUT_S, "rm", "-f", "-v", id))
			vb_info("docker: removed leftover container %s", id);
	}
}
