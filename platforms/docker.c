// SPDX-License-Identifier: GPL-2.0
/*
 * docker: the agent in a FROM-scratch container of the Docker Engine
 * (docker.h). This file holds the platform ops and the glue between the
 * driver's jobs (docker_internal.h): the engine, the image, the container,
 * the volume.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "docker_internal.h"
#include "platform.h"
#include "util_log.h"
#include "util_sys.h"

#define STR_(x) #x
#define STR(x)	STR_(x)

static struct docker_priv *priv_of(struct platform *p)
{
	if (!p->priv) {
		struct docker_priv *d = calloc(1, sizeof(*d));

		if (!d)
			return NULL;
		if (gethostname(d->host, sizeof(d->host) - 1))
			snprintf(d->host, sizeof(d->host), "localhost");
		vb_proc_start_time(getpid(), &d->start_ticks);
		d->cli_status = -1;
		host_thp_init(&d->thp, NULL);
		p->priv = d;
	}
	return p->priv;
}

static int cli_missing(void)
{
	vb_err("docker: the docker CLI is not in PATH (install docker.io: 'bash "
	       "platforms/setup.sh')");
	return -ENOENT;
}

/* Why "docker info" failed: the socket's own answer when it has one. */
static void unreachable_reason(int rc, const char *cli_said, char *reason, size_t n)
{
	char why[256];

	if (docker_engine_ping(why, sizeof(why)) < 0 || strstr(cli_said, "permission denied")) {
		if (!*why)
			snprintf(why, sizeof(why), "%s", cli_said);
		snprintf(reason, n,
			 "cannot reach the Docker daemon at %s: %s ('vbench-trace "
			 "doctor' checks)",
			 docker_endpoint(), why);
		return;
	}
	snprintf(reason, n,
		 "cannot reach the Docker daemon at %s (%s; is dockerd running? 'bash "
		 "platforms/setup.sh' starts it; 'vbench-trace doctor' checks)",
		 docker_endpoint(),
		 rc == -ETIMEDOUT ? "no answer in " STR(DOCKER_CLI_TIMEOUT_S) " s"
		 : *cli_said	  ? cli_said
				  : "no answer");
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
	if (docker_find_cli()) {
		snprintf(reason, n,
			 "the docker CLI is not in PATH (install docker.io: 'bash "
			 "platforms/setup.sh')");
		return -1;
	}
	rc = DOCKER_CLI(out, sizeof(out), err, sizeof(err), DOCKER_CLI_TIMEOUT_S, "info",
			"--format", "{{.OSType}} {{.Architecture}}");
	if (rc || !*out) {
		unreachable_reason(rc, err, reason, n);
		return -1;
	}
	uname(&u);
	if (strncmp(out, "linux ", 6) || strcmp(out + 6, u.machine)) {
		snprintf(reason, n,
			 "the Docker engine at %s runs %s containers, the agent is linux %s "
			 "(use a linux/%s engine through DOCKER_HOST)",
			 docker_endpoint(), out, u.machine, u.machine);
		return -1;
	}
	if (docker_host_is_remote(getenv("DOCKER_HOST")))
		snprintf(reason, n,
			 "DOCKER_HOST=%s is another machine: host probes cannot see its "
			 "containers and are skipped, and the net workload needs --net-server "
			 "(unset DOCKER_HOST to use the local engine)",
			 docker_endpoint());
	return 0;
}

static const struct platform_option docker_options[];

/* Each option's value can be used here (its supported()), or the reason. */
static int options_usable(struct platform *p)
{
	char why[512];

	for (const struct platform_option *o = docker_options; o->name; o++) {
		const char *v = platform_opt(p, o->name);

		if (o->supported && o->supported(p->env, v, why, sizeof(why))) {
			vb_err("docker: -O %s=%s: %s", o->name, v, why);
			return -EINVAL;
		}
	}
	return 0;
}

static int docker_prepare(struct platform *p)
{
	struct docker_priv *d = priv_of(p);
	int err;

	if (!d)
		return -ENOMEM;
	if (docker_find_cli())
		return cli_missing();
	if ((err = options_usable(p)))
		return err;
	if (!strcmp(platform_opt(p, "storage"), "volume") &&
	    docker_host_is_remote(getenv("DOCKER_HOST"))) {
		vb_err("docker: a bind-mounted volume needs a local engine, DOCKER_HOST=%s is "
		       "another machine (unset DOCKER_HOST, or run without the volume)",
		       docker_endpoint());
		return -EINVAL;
	}
	/* Before our first container: a dead run's may hold its name (a reused pid). */
	docker_container_sweep(d);
	err = docker_image_ensure(p->env, d->tag, sizeof(d->tag), true);
	if (err)
		return err;
	docker_image_remove_old(d->tag);
	/* The last step: a prepare that fails has nothing to undo (no teardown follows). */
	return host_thp_apply(&d->thp, p->env->cache_dir, platform_opt(p, "thp"), "docker");
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

/* The runner says "the agent went away (its stderr above says why)": this
 * is the line above, naming what died. */
static int docker_run(struct platform *p, const char *cmdline)
{
	int err = link_write(p, cmdline);

	if (err == -EPIPE && p->priv)
		docker_container_say_why_gone(p->priv, "mid-run");
	return err;
}

static int docker_collect(struct platform *p, char **json, int timeout_s)
{
	int err = platform_link_collect(p, json, timeout_s);

	if (err == -EPIPE && p->priv)
		docker_container_say_why_gone(p->priv, "mid-run");
	return err;
}

static void docker_stop(struct platform *p);

/* The container's name, its CLI's log, its volume, and the argv stop() uses. */
static int name_container(struct platform *p, struct docker_priv *d)
{
	static int serial;
	const char *work = p->env->work_dir;
	int err;

	if ((err = vb_mkdir_p(work, 0755))) {
		vb_err("docker: cannot create the work directory %s: %s (is it writable?)", work,
		       strerror(-err));
		return err;
	}
	snprintf(d->name, sizeof(d->name), "vbench-trace-%d-%d", (int)getpid(), ++serial);
	if (vb_pathf(d->log_path, sizeof(d->log_path), "%s/%s.log", work, d->name)) {
		vb_err("docker: the work directory %s is too long (use a shorter one)", work);
		return -ENAMETOOLONG;
	}
	d->volume_dir[0] = d->volume_file[0] = '\0';
	if (!strcmp(platform_opt(p, "storage"), "volume") && (err = docker_volume_prepare(d, work)))
		return err;
	d->rm_argv[0] = docker_cli_path;
	d->rm_argv[1] = "rm";
	d->rm_argv[2] = "-f";
	d->rm_argv[3] = "-v";
	d->rm_argv[4] = d->name;
	d->rm_argv[5] = NULL;
	return 0;
}

static int docker_start(struct platform *p)
{
	struct docker_priv *d = priv_of(p);
	long long t0;
	int err;

	if (!d)
		return -ENOMEM;
	p->cmd_fd = -1;
	p->target_pid = 0;
	if (docker_find_cli())
		return cli_missing();
	/* Another run may have removed our image since prepare(). */
	if ((err = docker_image_ensure(p->env, d->tag, sizeof(d->tag), false)))
		return err;
	if ((err = name_container(p, d)))
		return err;
	t0 = vb_now_ms();
	if ((err = docker_container_spawn(p, d)))
		goto fail;
	err = platform_wait_hello(p, DOCKER_HELLO_TIMEOUT_S);
	if (err == -ETIMEDOUT)
		vb_err("docker: container %s did not say hello within " STR(
			       DOCKER_HELLO_TIMEOUT_S) " s ('docker run -i --init %s serve' runs "
						       "it by hand; 'docker info' shows the "
						       "engine's state)",
		       d->name, d->tag);
	else if (err && err != -EINTR)
		docker_container_say_why_gone(d, "before its agent said hello");
	if (err)
		goto fail;
	if ((err = docker_container_locate(p, d)))
		goto fail;
	vb_info("docker: container %s said hello in %lld ms (agent pid %d)", d->name,
		vb_now_ms() - t0, (int)p->target_pid);
	snprintf(p->disk_file, sizeof(p->disk_file), "%s",
		 *d->volume_dir ? DOCKER_DISK_VOLUME : DOCKER_DISK_LAYER);
	return 0;
fail:
	docker_stop(p);
	return err;
}

/*
 * QUIT, a short wait, then "docker rm -f -v" whatever the CLI did, and reap
 * it. Safe twice; the process handling uses only async-signal-safe calls
 * and strings built in start(), so a runner may call it after Ctrl-C.
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
	if (d->cli_pid > 0)
		vb_reap(d->cli_pid, DOCKER_QUIT_WAIT_MS);
	/* The agent has quit, or is stuck, or died: either way the container goes. */
	if (d->rm_argv[0]) {
		docker_cli_quiet(d->rm_argv, DOCKER_CLI_TIMEOUT_S * 1000);
		d->rm_argv[0] = NULL;
	}
	if (d->cli_pid > 0) {
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
	docker_volume_clear(d);
}

static void docker_teardown(struct platform *p)
{
	struct docker_priv *d = p->priv;

	if (!d)
		return;
	docker_stop(p);
	if (!docker_find_cli())
		docker_container_sweep(d);
	docker_volume_remove(d);
	host_thp_restore(&d->thp, "docker");
	free(d);
	p->priv = NULL;
}

static const char *const docker_storage_values[] = {"layer", "volume", NULL};
static const char *const docker_disk_workloads[] = {"diskrand", "diskseq", NULL};
static const char *const docker_net_values[] = {"bridge", "host", NULL};

/* A remote engine's containers run on its kernel and its network, not this host's. */
static int remote_engine(const char *what, const char *way_out, char *why, size_t n)
{
	if (!docker_host_is_remote(getenv("DOCKER_HOST")))
		return 0;
	snprintf(why, n, "DOCKER_HOST=%s is another machine: %s (%s)", docker_endpoint(), what,
		 way_out);
	return -1;
}

static int docker_thp_supported(const struct platform_env *env, const char *value, char *why,
				size_t n)
{
	(void)env;
	if (strcmp(value, HOST_THP_AS_IS) &&
	    remote_engine("its containers fault on its kernel's huge pages, not this host's",
			  "unset DOCKER_HOST to use the local engine, or use thp=host", why, n))
		return -1;
	return host_thp_supported(NULL, value, why, n);
}

static int docker_net_supported(const struct platform_env *env, const char *value, char *why,
				size_t n)
{
	(void)env;
	if (!strcmp(value, "host"))
		return remote_engine("its host network's 127.0.0.1 is not this host's, where the "
				     "runner's net-server listens",
				     "unset DOCKER_HOST to use the local engine, or use net=bridge",
				     why, n);
	return 0;
}

static const struct platform_option docker_options[] = {
	{.name = "storage",
	 .values = docker_storage_values,
	 .def = "layer",
	 .help = "where the disk workloads' file lives: the container's writable layer "
		 "(overlayfs) or a bind-mounted volume",
	 .workloads = docker_disk_workloads},
	{.name = "thp",
	 .values = host_thp_values,
	 .def = HOST_THP_AS_IS,
	 .help = HOST_THP_HELP,
	 .supported = docker_thp_supported},
	{.name = "net",
	 .values = docker_net_values,
	 .def = "bridge",
	 .help = "the container's network: bridge (its own namespace, veth and NAT) or host "
		 "(--network host: the host's, the net-server on 127.0.0.1)",
	 .supported = docker_net_supported},
	{0},
};

static void docker_config_json(const struct platform_env *env, struct json_object *config)
{
	docker_settings_json(config, env->disk_file_bytes);
	host_thp_config_json(config, NULL);
}

const struct platform_ops docker_ops = {
	.name = "docker",
	.options = docker_options,
	.available = docker_available,
	.config_json = docker_config_json,
	.prepare = docker_prepare,
	.start = docker_start,
	.run = docker_run,
	.collect = docker_collect,
	.stop = docker_stop,
	.teardown = docker_teardown,
};
