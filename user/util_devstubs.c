// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY, during the first build-out only: weak stand-ins for pieces that
 * are written in parallel, so that every part of the tree links while the
 * others land. A real definition overrides its stand-in at link time. This
 * file is deleted once every piece is in.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "commands.h"
#include "platform.h"
#include "probes.h"
#include "util_log.h"
#include "workload.h"

#define WEAK __attribute__((weak))

static int not_built(const char *what)
{
	vb_err("%s is not built yet", what);
	return VB_EXIT_FAILED;
}

static void no_usage(FILE *out)
{
	fprintf(out, "not built yet\n");
}

static int no_run(int argc, char **argv, struct wl_result *res)
{
	(void)argc;
	(void)res;
	not_built(argv[0]);
	return WL_EFAIL;
}

#define STUB_WL(n, u)                                                    \
	WEAK const struct workload wl_##n = {.name = #n,                 \
					     .unit = u,                  \
					     .summary = "not built yet", \
					     .higher_is_better = true,   \
					     .usage = no_usage,          \
					     .run = no_run}
STUB_WL(cpu, "events/s");
STUB_WL(mem, "MiB/s");
STUB_WL(diskrand, "MiB/s");
STUB_WL(diskseq, "MiB/s");
STUB_WL(fork, "forks/s");
STUB_WL(net, "Mbit/s");

WEAK int cmd_run(int argc, char **argv)
{
	(void)argc;
	return not_built(argv[0]);
}
WEAK int cmd_report(int argc, char **argv)
{
	(void)argc;
	return not_built(argv[0]);
}
WEAK int cmd_compare(int argc, char **argv)
{
	(void)argc;
	return not_built(argv[0]);
}
WEAK int cmd_doctor(int argc, char **argv)
{
	(void)argc;
	return not_built(argv[0]);
}
WEAK int cmd_net_server(int argc, char **argv)
{
	(void)argc;
	return not_built(argv[0]);
}
WEAK int agent_guest_init(int argc, char **argv)
{
	(void)argc;
	return not_built(argv[0]);
}

WEAK int probes_check_privileges(char *reason, size_t n)
{
	snprintf(reason, n, "probes are not built yet");
	return -1;
}
WEAK int probes_open(struct probes **out, const struct probes_opts *opts)
{
	(void)opts;
	*out = NULL;
	return -ENOSYS;
}
WEAK const char *probes_missing(const struct probes *p)
{
	(void)p;
	return "all";
}
WEAK int probes_set_target(struct probes *p, pid_t tgid)
{
	(void)p;
	(void)tgid;
	return -ENOSYS;
}
WEAK int probes_reset(struct probes *p)
{
	(void)p;
	return -ENOSYS;
}
WEAK struct json_object *probes_snapshot(struct probes *p)
{
	(void)p;
	return NULL;
}
WEAK void probes_close(struct probes *p)
{
	(void)p;
}

static int stub_available(const struct platform_env *env, char *reason, size_t n)
{
	(void)env;
	snprintf(reason, n, "this platform's driver is not built yet");
	return -1;
}
WEAK const struct platform_ops docker_ops = {.name = "docker", .available = stub_available};
WEAK const struct platform_ops qemu_ops = {.name = "qemu", .available = stub_available};
WEAK const struct platform_ops kvm_ops = {.name = "kvm", .available = stub_available};

struct net_server;
WEAK int net_server_start(const char *bind_addr, int port, struct net_server **out)
{
	(void)bind_addr;
	(void)port;
	*out = NULL;
	return -ENOSYS;
}
WEAK void net_server_stop(struct net_server *s)
{
	(void)s;
}
WEAK struct json_object *findings_derive(struct json_object *doc)
{
	(void)doc;
	return NULL;
}
WEAK int report_render(struct json_object *doc, const char *format, FILE *out, bool color)
{
	(void)doc;
	(void)color;
	fprintf(out, "(the %s report is not built yet)\n", format);
	return 0;
}
