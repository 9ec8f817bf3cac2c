// SPDX-License-Identifier: GPL-2.0
/*
 * vbench-trace: how much does this platform cost me, and why?
 * The command table, dispatched the way bpftool dispatches its objects.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util_log.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
};

static const struct cmd cmds[] = {
	{"run", cmd_run,
	 "run [-p PLATFORMS] [-w WORKLOADS] [-r RUNS] [-d SECONDS] [--quick] [-o DIR] [--json]\n"
	 "        [--no-trace] [--net-server HOST[:PORT]]"},
	{"report", cmd_report, "report [--format text|md|html|json|csv] RESULTS.json"},
	{"compare", cmd_compare, "compare OLD.json NEW.json"},
	{"doctor", cmd_doctor, "doctor            what works on this machine, what to install"},
	{"workload", cmd_workload,
	 "workload NAME [options]   one workload, here; prints one JSON object"},
	{"net-server", cmd_net_server, "net-server [-p PORT] [-B ADDR]   iperf3-compatible server"},
	{"trace", cmd_trace,
	 "trace [--kvm] [--json] -- COMMAND [ARGS...]   COMMAND under the probes"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vbench-trace COMMAND [options]   (COMMAND --help for more)\n\n"
		"Runs the same workloads (cpu, mem, diskrand, diskseq, fork, net) on native "
		"Linux,\n"
		"Docker, KVM and QEMU/TCG while eBPF probes count what the kernel did for them,\n"
		"and explains each platform's cost with those counters.\n\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  vbench-trace %s\n", cmds[i].synopsis);
	fprintf(out, "\nStart with 'vbench-trace doctor', then 'vbench-trace run --quick'.\n");
}

int main(int argc, char **argv)
{
	vb_progname = "vbench-trace";
	if (argc < 2) {
		usage(stderr);
		return VB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return VB_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vbench-trace %s\n", VB_VERSION);
		return VB_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	vb_err("unknown command '%s' (run, report, compare, doctor, workload, net-server, trace; "
	       "'vbench-trace --help' lists them)",
	       argv[1]);
	return VB_EXIT_USAGE;
}
