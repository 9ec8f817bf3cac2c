// SPDX-License-Identifier: GPL-2.0
/*
 * vbench-trace-agent: the static binary that runs inside a target (a process
 * here, a container, a guest, where it is also /init). It holds the
 * workloads, the net client and the probes, and none of the platform code.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "util_log.h"

int agent_guest_init(int argc, char **argv);

static void usage(FILE *out)
{
	fprintf(out, "usage: vbench-trace-agent workload NAME [options]\n"
		     "       vbench-trace-agent serve [--probes] [--in PATH] [--out PATH]\n"
		     "As /init of a vbench-trace guest it mounts, loads modules and serves.\n");
}

int main(int argc, char **argv)
{
	vb_progname = "vbench-trace-agent";
	/* A command wins over being PID 1: in a container without --init the
	 * agent is PID 1 too, and only a guest's kernel starts it bare. */
	if (argc >= 2 && !strcmp(argv[1], "workload"))
		return cmd_workload(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return VB_EXIT_OK;
	}
	if (getpid() == 1)
		return agent_guest_init(argc, argv);
	usage(stderr);
	return VB_EXIT_USAGE;
}
