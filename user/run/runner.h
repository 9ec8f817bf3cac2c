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

#define RUNS_AUTO      0 /* --runs auto: until CV < 2 % or AUTO_MAX_RUNS */
#define AUTO_MAX_RUNS  10
#define AUTO_TARGET_CV 0.02
#define MAX_PLATFORMS  8
#define MAX_WORKLOADS  8

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

/*
 * The runner's capability questions, exported for tests: the value of
 * ops's disk variant option when it is set to something other than its
 * default (NULL otherwise or without PLAT_EXTRA_DISK_VARIANT), and whether
 * some selected platform wants VM exits counted (PLAT_VM_EXITS).
 */
const char *runner_disk_variant(const struct platform_ops *ops, const struct platform_env *env);
bool runner_traces_vm_exits(const struct platform_ops *const *sel, int nr);

/* Asks a running plan to stop at the next safe point (signal-safe). */
void runner_interrupt(void);

#endif
