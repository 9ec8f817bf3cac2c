// SPDX-License-Identifier: GPL-2.0
/* native: the agent as a child process of the tool, on the host itself. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_thp.h"
#include "platform.h"
#include "util_log.h"
#include "util_sys.h"

#define HELLO_TIMEOUT_S 10

static int native_available(const struct platform_env *env, char *reason, size_t n)
{
	if (access(env->agent_path, X_OK)) {
		snprintf(reason, n, "agent %s is missing (run 'make')", env->agent_path);
		return -1;
	}
	return 0;
}

/* The driver's own state: what it set on the host for the platform's cells. */
struct native_priv {
	struct host_thp thp;
};

static int native_prepare(struct platform *p)
{
	struct native_priv *n = calloc(1, sizeof(*n));
	int err;

	if (!n)
		return -ENOMEM;
	host_thp_init(&n->thp, NULL);
	/* The last step: a prepare that fails has nothing to undo (no teardown follows). */
	err = host_thp_apply(&n->thp, p->env->cache_dir, platform_opt(p, "thp"), "native");
	if (err) {
		free(n);
		return err;
	}
	p->priv = n;
	return 0;
}

static int native_start(struct platform *p)
{
	int to_agent[2], from_agent[2], err;
	pid_t pid;

	if (pipe2(to_agent, O_CLOEXEC))
		goto no_pipe;
	if (pipe2(from_agent, O_CLOEXEC)) {
		close(to_agent[0]);
		close(to_agent[1]);
		goto no_pipe;
	}
	/* In our process group: a Ctrl-C at the terminal reaches it as it
	 * reaches the tool, as it would a workload run by hand. */
	pid = vb_spawn(
		(char *const[]){(char *)p->env->agent_path, "serve", NULL},
		&(struct vb_child){.fd = {to_agent[0], from_agent[1], 2}, .keep_group = true});
	if (pid < 0) {
		err = (int)pid;
		vb_err("native: cannot run the agent %s: %s (build it with 'make'; too many "
		       "processes? 'ulimit -u' says)",
		       p->env->agent_path, strerror(-err));
		close(to_agent[0]);
		close(to_agent[1]);
		close(from_agent[0]);
		close(from_agent[1]);
		return err;
	}
	close(to_agent[0]);
	close(from_agent[1]);
	p->target_pid = pid;
	p->cmd_fd = to_agent[1];
	frame_reader_init(&p->out, from_agent[0]);
	snprintf(p->disk_file, sizeof(p->disk_file), "%s/native-disk.dat", p->env->work_dir);
	snprintf(p->net_bind, sizeof(p->net_bind), "127.0.0.1");
	snprintf(p->net_server, sizeof(p->net_server), "127.0.0.1:%d", p->env->net_port);
	if (platform_wait_hello(p, HELLO_TIMEOUT_S)) {
		vb_err("native: the agent did not say hello within %d s", HELLO_TIMEOUT_S);
		return -ETIMEDOUT;
	}
	return 0;
no_pipe:
	err = -errno; /* vb_err may change errno */
	vb_err("native: cannot make a pipe to the agent: %s (out of file descriptors? "
	       "'ulimit -n' says)",
	       strerror(-err));
	return err;
}

static void native_stop(struct platform *p)
{
	if (p->cmd_fd >= 0) {
		platform_link_run(p, "QUIT");
		close(p->cmd_fd);
		p->cmd_fd = -1;
	}
	if (p->target_pid > 0) {
		if (vb_reap(p->target_pid, 2000) == -1) {
			kill(p->target_pid, SIGKILL);
			vb_reap(p->target_pid, 2000);
		}
		p->target_pid = 0;
	}
	if (p->out.fd >= 0) {
		close(p->out.fd);
		frame_reader_free(&p->out);
		p->out.fd = -1;
	}
	/* The disk file stays for the next cell (diskseq reuses diskrand's); it
	 * goes with the suite's work directory. */
}

/* After the last cell, a failed one or Ctrl-C alike: the host as it was. */
static void native_teardown(struct platform *p)
{
	struct native_priv *n = p->priv;

	if (!n)
		return;
	host_thp_restore(&n->thp, "native");
	free(n);
	p->priv = NULL;
}

static int native_thp_supported(const struct platform_env *env, const char *value, char *why,
				size_t n)
{
	(void)env;
	return host_thp_supported(NULL, value, why, n);
}

static const struct platform_option native_options[] = {
	{.name = "thp",
	 .values = host_thp_values,
	 .def = HOST_THP_AS_IS,
	 .help = HOST_THP_HELP,
	 .supported = native_thp_supported},
	{0},
};

static void native_config_json(const struct platform_env *env, struct json_object *config)
{
	(void)env;
	host_thp_config_json(config, NULL);
}

const struct platform_ops native_ops = {
	.name = "native",
	.flags = PLAT_BASELINE,
	.options = native_options,
	.available = native_available,
	.config_json = native_config_json,
	.prepare = native_prepare,
	.start = native_start,
	.run = platform_link_run,
	.collect = platform_link_collect,
	.stop = native_stop,
	.teardown = native_teardown,
};
