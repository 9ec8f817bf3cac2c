/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plan (platforms x workloads x runs) and its execution: for every cell,
 * the platform starts the agent, the host probes follow its process tree,
 * each run's result and counters go into the results document.
 */
#ifndef VB_RUNNER_H
#define VB_RUNNER_H

#include <stdbool.h>

#include "platform.h"

struct json_object;
struct results_dir;

#define RUNS_AUTO	0 /* --runs auto: until CV < 2 % or AUTO_MAX_RUNS */
#define AUTO_MAX_RUNS	10
#define AUTO_TARGET_CV	0.02
#define MAX_PLATFORMS	8
#define MAX_WORKLOADS	8
#define MAX_VARY	8 /* --vary options */
#define MAX_VARY_VALUES 8

/* --vary KNOB=V1,V2,...: the first value is the baseline. */
struct run_vary {
	const char *knob;
	const char *values[MAX_VARY_VALUES];
	int nr_values;
};

/* -w NAME:OPT=VALUE:...: the workload's own options, as agent arguments. */
struct run_workload_args {
	const char *workload;
	char args[256]; /* "--buffer-size 256M --oper read" */
};

struct run_config {
	const char *platforms[MAX_PLATFORMS]; /* requested, in report order */
	int nr_platforms;
	const char *workloads[MAX_WORKLOADS];
	int nr_workloads;
	int runs; /* RUNS_AUTO or >= 1 */
	double duration_s;
	bool quick;
	bool trace;		/* host probes (and guest probes) on */
	bool breakdown;		/* with them the sched family: probes.host.breakdown */
	bool buffered;		/* disk workloads without O_DIRECT */
	const char *net_server; /* an external iperf3 server, or NULL */
	struct run_vary vary[MAX_VARY];
	int nr_vary;
	struct run_workload_args wargs[MAX_WORKLOADS];
	int nr_wargs;
	/* where results.json is rewritten after every cell (results_open_dir), or NULL */
	const struct results_dir *out;
	struct platform_env env;
};

/*
 * Runs the plan; the document is built into *doc as it goes and written to
 * out's results.json after every cell, so an interruption loses nothing
 * measured. Returns VB_EXIT_OK, VB_EXIT_FAILED when some cell failed, or
 * 130 when interrupted.
 */
int runner_run(const struct run_config *cfg, struct json_object **doc);

/* The workload's own arguments from -w NAME:..., or "". */
const char *runner_workload_args(const struct run_config *cfg, const char *workload);

/*
 * The runner's capability question, exported for tests: does some
 * selected platform want VM exits counted (PLAT_VM_EXITS)?
 */
bool runner_traces_vm_exits(const struct platform_ops *const *sel, int nr);

/* Asks a running plan to stop at the next safe point (signal-safe). */
void runner_interrupt(void);

#endif
