// SPDX-License-Identifier: GPL-2.0
/*
 * Executes the plan. For each platform: is it available here (else
 * "skipped" with the driver's reason), prepare it once; for each workload
 * (a cell): start the agent, point the host probes at the agent's process
 * tree, run one warm-up and then the runs, each between a probe reset and a
 * probe read, stop the agent. The document is rewritten after every cell.
 */
#include <errno.h>
#include <json.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entries.h"
#include "net_server.h"
#include "probe_sched.h"
#include "probes.h"
#include "progress.h"
#include "results.h"
#include "results_doc.h"
#include "runner.h"
#include "stats.h"
#include "util_log.h"
#include "util_sys.h"
#include "workload.h"

static volatile sig_atomic_t interrupted;

void runner_interrupt(void)
{
	interrupted = 1;
	frame_interrupted = 1;
}

struct cell_ctx {
	const struct run_config *cfg;
	struct platform *p;
	struct probes *probes;
	struct progress *prog;
	const struct workload *w;
	const char *label; /* the entry's name: "qemu", "qemu[net=tap]" */
	double wall_s;	   /* the last run, from its command to its result */
};

static int runner_cmdline(const struct run_config *cfg, const struct platform *p,
			  const char *workload, char *buf, size_t n)
{
	int len = snprintf(buf, n, "RUN %s --duration %g", workload, cfg->duration_s);

	/* A truncated first part would make n - len wrap below. */
	if (len < 0 || (size_t)len >= n)
		return -E2BIG;
	if (!strcmp(workload, "diskrand") || !strcmp(workload, "diskseq"))
		len += snprintf(buf + len, n - (size_t)len, " --file %s --size %llu%s",
				p->disk_file, cfg->env.disk_file_bytes,
				cfg->buffered ? " --buffered" : "");
	else if (!strcmp(workload, "net"))
		len += snprintf(buf + len, n - (size_t)len, " --server %s",
				cfg->net_server ? cfg->net_server : p->net_server);
	if (len >= 0 && len < (int)n && *runner_workload_args(cfg, workload))
		len += snprintf(buf + len, n - (size_t)len, " %s",
				runner_workload_args(cfg, workload));
	return len >= 0 && len < (int)n ? 0 : -E2BIG;
}

/* The longest collect wait: its milliseconds must fit an int. */
#define MAX_COLLECT_TIMEOUT_S (INT_MAX / 1000)

static int collect_timeout_s(const struct run_config *cfg, const char *workload)
{
	/* Disk files are prepared before timing; under TCG that alone takes a while. */
	double t = 60 + 5 * cfg->duration_s;

	if (!strncmp(workload, "disk", 4))
		t += (double)(cfg->env.disk_file_bytes >> 20) / 2;
	/* In double, and bounded before the conversion: a huge -d must not
	 * make it undefined (cmd_run.c bounds -d too). */
	return isfinite(t) && t < MAX_COLLECT_TIMEOUT_S ? (int)t : MAX_COLLECT_TIMEOUT_S;
}

/*
 * One run: reset counters, send the command, wait for the result, read
 * counters. 0 with the workload's result and the host probes' snapshot
 * (NULL without probes), or -1 with *why set.
 */
static int one_run(struct cell_ctx *c, const char *cmdline, struct json_object **result,
		   struct json_object **host_probes, char *why, size_t whylen)
{
	struct json_object *res, *err, *host = NULL;
	char *json = NULL;
	double started;
	int ret;

	if (c->probes)
		probes_reset(c->probes);
	started = vb_now_s();
	ret = c->p->ops->run(c->p, cmdline);
	if (!ret)
		ret = c->p->ops->collect(c->p, &json, collect_timeout_s(c->cfg, c->w->name));
	c->wall_s = vb_now_s() - started;
	if (c->probes)
		host = probes_snapshot(c->probes);
	if (ret) {
		json_object_put(host);
		snprintf(why, whylen, "%s",
			 ret == -ETIMEDOUT ? "the agent did not answer in time"
			 : ret == -EINTR   ? "interrupted"
			 : ret == -EPIPE   ? "the agent went away (its stderr above says why)"
					   : strerror(-ret));
		return -1;
	}
	res = json_tokener_parse(json);
	free(json);
	if (!res) {
		json_object_put(host);
		snprintf(why, whylen, "the agent's result is not JSON");
		return -1;
	}
	if (json_object_object_get_ex(res, "error", &err)) {
		snprintf(why, whylen, "%s", json_object_get_string(err));
		json_object_put(res);
		json_object_put(host);
		return -1;
	}
	*result = res;
	*host_probes = host;
	return 0;
}

/* A measured run, into the cell; NULL with *why set when it failed. */
static struct json_object *measured_run(struct cell_ctx *c, struct json_object *cell,
					const char *cmdline, bool rerun, char *why, size_t whylen)
{
	struct json_object *res, *host, *run;

	if (one_run(c, cmdline, &res, &host, why, whylen))
		return NULL;
	probe_sched_add_run_per_op(host, res);
	run = results_cell_add_run(cell, res, host, rerun);
	json_object_put(res);
	return run;
}

/*
 * A stalled run: its timed part took far longer than asked (the workload
 * was stopped or starved: a guest's QEMU paused, an agent stopped), or the
 * agent took far longer than that to report it. Marked "valid": false with
 * the reason, so the statistics leave it out and it is run again once.
 */
#define STALL_FACTOR   1.5
#define STALL_MARGIN_S 1.0
#define STALL_REPORT_S 10.0 /* around the timed part: start, wind-down, report */

static bool mark_if_stalled(const struct cell_ctx *c, struct json_object *run)
{
	double asked = c->cfg->duration_s, limit = STALL_FACTOR * asked + STALL_MARGIN_S;
	double took = 0, prepare = 0, outside;
	struct json_object *v;
	char why[256];

	if (json_object_object_get_ex(run, "duration_s", &v))
		took = json_object_get_double(v);
	if (json_object_object_get_ex(run, "extra", &v) &&
	    json_object_object_get_ex(v, "prepare_s", &v))
		prepare = json_object_get_double(v);
	outside = c->wall_s - prepare - took;
	if (took > limit)
		snprintf(
			why, sizeof(why),
			"the timed part took %.1f s for %g s asked (over %gx + %g s): the workload "
			"was stopped or starved",
			took, asked, STALL_FACTOR, STALL_MARGIN_S);
	else if (outside > limit + STALL_REPORT_S)
		snprintf(why, sizeof(why),
			 "the agent took %.1f s to report a run of %.1f s (its preparation left "
			 "out): it stopped reporting for a while",
			 c->wall_s - prepare, took);
	else
		return false;
	results_run_invalid(run, why);
	return true;
}

/* --runs auto: enough kept runs (--runs goes up to 1000) that agree. */
static bool runs_settled(struct json_object *runs)
{
	struct stats s;

	stats_of_runs(runs, &s);
	return s.n >= 3 && s.cv < AUTO_TARGET_CV;
}

static void cell_failed(struct json_object *cell, const char *platform, const char *why)
{
	results_cell_failed(cell, why);
	vb_err("%s: %s: %s", platform, json_object_get_string(json_object_object_get(cell, "name")),
	       why);
}

/* Starts the runner's own net-server where the platform's agent can reach it. */
static int start_net_server(struct cell_ctx *c, struct net_server **srv)
{
	int err;

	*srv = NULL;
	if (strcmp(c->w->name, "net") || c->cfg->net_server)
		return 0;
	if (!c->p->net_bind[0]) {
		vb_err("%s: no host address the agent can reach a net-server on (a remote "
		       "engine?); "
		       "give one with --net-server HOST[:PORT]",
		       c->label);
		return -EADDRNOTAVAIL;
	}
	err = net_server_start(c->p->net_bind, c->cfg->env.net_port, c->p->net_ns, srv);
	if (err)
		vb_err("%s: cannot start the net-server on %s:%d: %s", c->label, c->p->net_bind,
		       c->cfg->env.net_port, strerror(-err));
	return err;
}

/*
 * Run i stalled (mark_if_stalled): said, and run once more, the new run
 * marked "rerun": true and kept whatever it gives. 0, or -1 when the new
 * run failed (the cell failed, named).
 */
static int rerun(struct cell_ctx *c, struct json_object *cell, const char *cmd, int i,
		 struct json_object *stalled)
{
	struct json_object *run;
	char why[512];

	vb_warn("%s: %s: run %d is invalid: %s; left out of the statistics, run again", c->label,
		c->w->name, i, results_run_invalid_reason(stalled));
	if (interrupted)
		return 0;
	run = measured_run(c, cell, cmd, true, why, sizeof(why));
	if (!run) {
		cell_failed(cell, c->label, why);
		return -1;
	}
	if (mark_if_stalled(c, run))
		vb_warn("%s: %s: the run again is invalid too: %s", c->label, c->w->name,
			results_run_invalid_reason(run));
	return 0;
}

static bool runs_have_valid(struct json_object *runs)
{
	for (size_t i = 0; i < json_object_array_length(runs); i++)
		if (stats_run_kept(json_object_array_get_idx(runs, i)))
			return true;
	return false;
}

/* Starts the agent, the probes' target and the net-server for a cell;
 * 0, or -1 when the cell failed (named). */
static int start_cell(struct cell_ctx *c, struct json_object *cell, struct net_server **srv,
		      char *cmd, size_t n)
{
	if (c->p->ops->start(c->p)) {
		/* After Ctrl-C a driver gives up its wait for hello without a word. */
		cell_failed(cell, c->label,
			    interrupted ? "interrupted" : "the agent did not start (see above)");
		return -1;
	}
	if (c->probes && c->p->target_pid > 0 && probes_set_target(c->probes, c->p->target_pid))
		vb_warn("%s: cannot point the probes at pid %d", c->label, c->p->target_pid);
	probes_group_roles(c->probes, c->p->ops->flags & PLAT_HYPERVISOR_THREADS);
	if (start_net_server(c, srv)) {
		cell_failed(cell, c->label, "no net-server to send to");
		return -1;
	}
	if (runner_cmdline(c->cfg, c->p, c->w->name, cmd, n)) {
		cell_failed(cell, c->label, "command line too long");
		return -1;
	}
	vb_info("%s: %s", c->label, cmd);
	return 0;
}

/* The warm-up and the timed runs of a cell; 0, or -1 when the cell failed. */
static int measure_cell(struct cell_ctx *c, struct json_object *cell, const char *cmd)
{
	int want = c->cfg->runs == RUNS_AUTO ? AUTO_MAX_RUNS : c->cfg->runs;
	struct json_object *res, *host, *run;
	char why[512];
	int ret;

	if (interrupted)
		return 0;
	/*
	 * Run 0 is the warm-up (caches, page tables, a guest's first touch): its
	 * score is not kept. The probes' own cost is measured in it, the only
	 * run whose BPF programs are timed: timing costs each program run two
	 * clock reads, which the timed runs are spared.
	 */
	progress_run(c->prog, 0, want);
	if (c->probes && c->cfg->breakdown && probes_time_programs(c->probes, true))
		vb_warn("%s: cannot time the BPF programs: no probe cost for this cell", c->label);
	ret = one_run(c, cmd, &res, &host, why, sizeof(why));
	probes_time_programs(c->probes, false);
	if (ret) {
		cell_failed(cell, c->label, why);
		return -1;
	}
	results_cell_set_probe_cost(cell, res, host);
	json_object_put(res);
	json_object_put(host);
	for (int i = 1; i <= want && !interrupted; i++) {
		progress_run(c->prog, i, want);
		run = measured_run(c, cell, cmd, false, why, sizeof(why));
		if (!run) {
			cell_failed(cell, c->label, why);
			return -1;
		}
		if (mark_if_stalled(c, run) && rerun(c, cell, cmd, i, run))
			return -1;
		if (c->cfg->runs == RUNS_AUTO && runs_settled(results_cell_runs(cell)))
			break;
	}
	return 0;
}

/* Runs one cell (warm-up + runs) into cell; 0, or -1 when it failed. */
static int run_cell(struct cell_ctx *c, struct json_object *cell)
{
	struct net_server *srv = NULL;
	char cmd[1024];
	int ret = -1;

	if (start_cell(c, cell, &srv, cmd, sizeof(cmd)) || measure_cell(c, cell, cmd))
		goto out;
	if (interrupted)
		cell_failed(cell, c->label, "interrupted");
	else if (!runs_have_valid(results_cell_runs(cell)))
		cell_failed(cell, c->label,
			    "every run stalled (see the runs' invalid_reason): no valid run");
	else
		ret = 0;
out:
	net_server_stop(srv);
	c->p->ops->stop(c->p);
	/* A failed cell has no statistics: its runs, if any, are the ones made
	 * before it failed, not a sample of the platform. */
	if (!ret)
		results_cell_ok(cell);
	return ret;
}

/* The document so far; a failure is named by the writer, and the run goes
 * on: its end writes the document again and says whether that worked. */
static void checkpoint(const struct run_config *cfg, struct json_object *doc)
{
	if (cfg->out)
		results_write_doc_at(cfg->out, "results.json", doc);
}

/* Cells of the plan not yet run to their end (counting skipped ones as
 * run): the run is "interrupted" only when a signal left some of them. */
static int cells_left;

static void run_platform(const struct run_config *cfg, const struct platform_ops *ops,
			 struct json_object *doc, struct json_object *pe, struct probes *probes,
			 struct progress *prog, int *failed)
{
	struct platform p = {.ops = ops, .env = &cfg->env, .cmd_fd = -1, .out = {.fd = -1}};
	const char *label = json_object_get_string(json_object_object_get(pe, "name"));
	char reason[512] = "";

	if (ops->available(&cfg->env, reason, sizeof(reason)) ||
	    platform_settings_usable(ops, &cfg->env, reason, sizeof(reason))) {
		results_platform_status(pe, "skipped", reason);
		progress_note(prog, "%s: skipped: %s", label, reason);
		progress_skip(prog, cfg->nr_workloads);
		cells_left -= cfg->nr_workloads;
		return;
	}
	vb_info("%s: preparing", label);
	if (ops->prepare(&p)) {
		results_platform_status(pe, "failed", "prepare failed (see the error above)");
		progress_skip(prog, cfg->nr_workloads);
		/* A prepare cut short by a signal ran none of its cells. */
		if (!interrupted)
			cells_left -= cfg->nr_workloads;
		*failed = 1;
		return;
	}
	results_platform_status(pe, "ok", NULL);
	for (int i = 0; i < cfg->nr_workloads && !interrupted; i++) {
		struct cell_ctx c = {
			.cfg = cfg, .p = &p, .probes = probes, .prog = prog, .label = label};
		struct json_object *cell;

		c.w = workload_find(cfg->workloads[i]);
		cell = results_platform_add_cell(pe, c.w->name, c.w->unit, c.w->higher_is_better);
		progress_cell(prog, label, c.w->name);
		if (run_cell(&c, cell))
			*failed = 1;
		if (results_cell_ran(cell))
			cells_left--;
		checkpoint(cfg, doc);
	}
	results_platform_settle(pe);
	ops->teardown(&p);
	free(p.hello);
}

bool runner_traces_vm_exits(const struct platform_ops *const *sel, int nr)
{
	for (int i = 0; i < nr; i++)
		if (sel[i]->flags & PLAT_VM_EXITS)
			return true;
	return false;
}

const char *runner_workload_args(const struct run_config *cfg, const char *workload)
{
	for (int i = 0; i < cfg->nr_wargs; i++)
		if (!strcmp(cfg->wargs[i].workload, workload))
			return cfg->wargs[i].args;
	return "";
}

/* One entry of the plan: its own document entry, then its cells. */
static void run_entry(const struct run_config *cfg, const struct plan_entry *e,
		      struct json_object *doc, struct probes *probes, struct progress *prog,
		      int *failed)
{
	struct results_entry re = {.platform = e->ops->name, .knob = e->knob, .value = e->value};
	struct run_config ecfg;
	struct json_object *pe;

	plan_entry_config(cfg, e, &ecfg);
	re.settings = platform_settings_json(e->ops, &ecfg.env);
	pe = results_doc_add_platform(doc, &re);
	run_platform(&ecfg, e->ops, doc, pe, probes, prog, failed);
	checkpoint(cfg, doc);
}

/* vs_native's reference: the platform that declares itself the baseline. */
static bool is_baseline(const char *platform)
{
	const struct platform_ops *ops = platform_find(platform);

	return ops && (ops->flags & PLAT_BASELINE);
}

/* Each distinct preflight hook of the selected platforms, once: a warning up front. */
static void preflight(const struct platform_ops *const *sel, int nr, const struct platform_env *env)
{
	char warn[512];

	for (int i = 0; i < nr; i++) {
		bool asked = false;

		for (int j = 0; j < i; j++)
			asked |= sel[j]->preflight == sel[i]->preflight;
		if (sel[i]->preflight && !asked && sel[i]->preflight(env, warn, sizeof(warn)) > 0)
			vb_warn("%s: %s", sel[i]->name, warn);
	}
}

static void selected_ops(const struct run_config *cfg, const struct platform_ops **sel)
{
	for (int i = 0; i < cfg->nr_platforms; i++)
		sel[i] = platform_find(cfg->platforms[i]);
}

int runner_run(const struct run_config *cfg, struct json_object **doc)
{
	const struct platform_ops *sel[MAX_PLATFORMS];
	struct plan_entry *entries;
	struct probes *probes = NULL;
	struct progress *prog;
	int failed = 0, cells, nr[MAX_PLATFORMS];
	bool stopped;

	selected_ops(cfg, sel);
	preflight(sel, cfg->nr_platforms, &cfg->env);
	if (cfg->trace) {
		/* The programs are timed in each cell's warm-up only (measure_cell). */
		struct probes_opts po = {.kvm = runner_traces_vm_exits(sel, cfg->nr_platforms),
					 .sched = cfg->breakdown};

		if (probes_open(&probes, &po)) {
			vb_err("cannot load the probes (see above); '--no-trace' runs without "
			       "them");
			return VB_EXIT_FAILED;
		}
		if (*probes_missing(probes))
			vb_warn("probes not loaded: %s", probes_missing(probes));
	}
	entries = calloc(MAX_PLATFORMS * MAX_ENTRIES, sizeof(*entries));
	if (!entries) {
		vb_err("out of memory for the plan");
		probes_close(probes);
		return VB_EXIT_FAILED;
	}
	cells = 0;
	for (int i = 0; i < cfg->nr_platforms; i++) {
		nr[i] = plan_entries(cfg, sel[i], entries + i * MAX_ENTRIES);
		for (int j = 0; j < nr[i]; j++)
			cells += entries[i * MAX_ENTRIES + j].nr_workloads;
	}
	cells_left = cells;
	prog = progress_new(cells, cfg->runs == RUNS_AUTO ? 4 : cfg->runs + 1, cfg->duration_s);
	for (int i = 0; i < cfg->nr_platforms && !interrupted; i++)
		for (int j = 0; j < nr[i] && !interrupted; j++)
			run_entry(cfg, &entries[i * MAX_ENTRIES + j], *doc, probes, prog, &failed);
	free(entries);
	/* Decided now: a signal during the teardown below loses no cell. */
	stopped = interrupted && cells_left > 0;
	progress_done(prog);
	probes_close(probes);
	results_doc_finish(*doc, is_baseline, stopped);
	if (stopped)
		return 130;
	return failed ? VB_EXIT_FAILED : VB_EXIT_OK;
}
