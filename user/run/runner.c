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

#include "net_server.h"
#include "probes.h"
#include "progress.h"
#include "results.h"
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
	double wall_s; /* the last run, from its command to its result */
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
	return len < (int)n ? 0 : -E2BIG;
}

/* The workload's own object turned into one entry of "runs". */
static struct json_object *run_entry(struct json_object *res, struct json_object *host)
{
	static const char *const keep[] = {"score", "duration_s", "ops",
					   "bytes", "rusage",	  "extra"};
	struct json_object *run = json_object_new_object(), *probes, *v;

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_object_get_ex(res, keep[i], &v))
			json_object_object_add(run, keep[i], json_object_get(v));
	probes = json_object_new_object();
	if (host)
		json_object_object_add(probes, "host", host);
	if (json_object_object_get_ex(res, "probes_guest", &v))
		json_object_object_add(probes, "guest", json_object_get(v));
	json_object_object_add(run, "probes", probes);
	return run;
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
 * counters. Returns the run entry, or NULL with *why set.
 */
static struct json_object *one_run(struct cell_ctx *c, const char *cmdline, char *why,
				   size_t whylen)
{
	struct json_object *res, *err, *host = NULL, *run;
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
		return NULL;
	}
	res = json_tokener_parse(json);
	free(json);
	if (!res) {
		json_object_put(host);
		snprintf(why, whylen, "the agent's result is not JSON");
		return NULL;
	}
	if (json_object_object_get_ex(res, "error", &err)) {
		snprintf(why, whylen, "%s", json_object_get_string(err));
		json_object_put(res);
		json_object_put(host);
		return NULL;
	}
	run = run_entry(res, host);
	json_object_put(res);
	return run;
}

/* Statistics over the scores of every kept run (--runs goes up to 1000). */
static void runs_stats(struct json_object *runs, struct stats *s)
{
	stats_of_runs(runs, s);
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
	json_object_object_add(run, "valid", json_object_new_boolean(false));
	json_object_object_add(run, "invalid_reason", json_object_new_string(why));
	return true;
}

static struct json_object *stats_json(struct json_object *runs)
{
	struct stats s;

	stats_of_runs(runs, &s);
	return stats_to_json(&s);
}

static bool runs_settled(struct json_object *runs)
{
	struct stats s;

	runs_stats(runs, &s);
	return s.n >= 3 && s.cv < AUTO_TARGET_CV;
}

static struct json_object *new_cell(const struct workload *w)
{
	struct json_object *cell = json_object_new_object();

	json_object_object_add(cell, "name", json_object_new_string(w->name));
	json_object_object_add(cell, "unit", json_object_new_string(w->unit));
	json_object_object_add(cell, "higher_is_better",
			       json_object_new_boolean(w->higher_is_better));
	json_object_object_add(cell, "runs", json_object_new_array());
	return cell;
}

static void cell_failed(struct json_object *cell, const char *platform, const char *why)
{
	json_object_object_add(cell, "status", json_object_new_string("failed"));
	json_object_object_add(cell, "error", json_object_new_string(why));
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
		       c->p->ops->name);
		return -EADDRNOTAVAIL;
	}
	err = net_server_start(c->p->net_bind, c->cfg->env.net_port, srv);
	if (err)
		vb_err("%s: cannot start the net-server on %s:%d: %s", c->p->ops->name,
		       c->p->net_bind, c->cfg->env.net_port, strerror(-err));
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
	struct json_object *runs = json_object_object_get(cell, "runs"), *run;
	char why[512];

	vb_warn("%s: %s: run %d is invalid: %s; left out of the statistics, run again",
		c->p->ops->name, c->w->name, i,
		json_object_get_string(json_object_object_get(stalled, "invalid_reason")));
	if (interrupted)
		return 0;
	run = one_run(c, cmd, why, sizeof(why));
	if (!run) {
		cell_failed(cell, c->p->ops->name, why);
		return -1;
	}
	json_object_object_add(run, "rerun", json_object_new_boolean(true));
	json_object_array_add(runs, run);
	if (mark_if_stalled(c, run))
		vb_warn("%s: %s: the run again is invalid too: %s", c->p->ops->name, c->w->name,
			json_object_get_string(json_object_object_get(run, "invalid_reason")));
	return 0;
}

static bool runs_have_valid(struct json_object *runs)
{
	for (size_t i = 0; i < json_object_array_length(runs); i++)
		if (stats_run_kept(json_object_array_get_idx(runs, i)))
			return true;
	return false;
}

/* Runs one cell (warm-up + runs) into cell; 0, or -1 when it failed. */
static int run_cell(struct cell_ctx *c, struct json_object *cell)
{
	struct json_object *runs = json_object_object_get(cell, "runs"), *run;
	int want = c->cfg->runs == RUNS_AUTO ? AUTO_MAX_RUNS : c->cfg->runs;
	struct net_server *srv = NULL;
	char cmd[1024], why[512];
	int ret = -1;

	if (c->p->ops->start(c->p)) {
		/* After Ctrl-C a driver gives up its wait for hello without a word. */
		cell_failed(cell, c->p->ops->name,
			    interrupted ? "interrupted" : "the agent did not start (see above)");
		goto out;
	}
	if (c->probes && c->p->target_pid > 0 && probes_set_target(c->probes, c->p->target_pid))
		vb_warn("%s: cannot point the probes at pid %d", c->p->ops->name, c->p->target_pid);
	if (start_net_server(c, &srv)) {
		cell_failed(cell, c->p->ops->name, "no net-server to send to");
		goto out;
	}
	if (runner_cmdline(c->cfg, c->p, c->w->name, cmd, sizeof(cmd))) {
		cell_failed(cell, c->p->ops->name, "command line too long");
		goto out;
	}
	vb_info("%s: %s", c->p->ops->name, cmd);
	/* Run 0 is the warm-up: caches, page tables, a guest's first touch. */
	for (int i = 0; i <= want && !interrupted; i++) {
		progress_run(c->prog, i, want);
		run = one_run(c, cmd, why, sizeof(why));
		if (!run) {
			cell_failed(cell, c->p->ops->name, why);
			goto out;
		}
		if (i == 0) {
			json_object_put(run);
			continue;
		}
		json_object_array_add(runs, run);
		if (mark_if_stalled(c, run) && rerun(c, cell, cmd, i, run))
			goto out;
		if (c->cfg->runs == RUNS_AUTO && runs_settled(runs))
			break;
	}
	if (interrupted) {
		cell_failed(cell, c->p->ops->name, "interrupted");
		goto out;
	}
	if (!runs_have_valid(runs)) {
		cell_failed(cell, c->p->ops->name,
			    "every run stalled (see the runs' invalid_reason): no valid run");
		goto out;
	}
	json_object_object_add(cell, "status", json_object_new_string("ok"));
	ret = 0;
out:
	net_server_stop(srv);
	c->p->ops->stop(c->p);
	/* A failed cell has no statistics: its runs, if any, are the ones made
	 * before it failed, not a sample of the platform. */
	if (!ret)
		json_object_object_add(cell, "stats", stats_json(runs));
	return ret;
}

static struct json_object *new_platform_entry(const char *name)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "workloads", json_object_new_array());
	return o;
}

static void set_status(struct json_object *pe, const char *status, const char *reason)
{
	json_object_object_add(pe, "status", json_object_new_string(status));
	if (reason)
		json_object_object_add(pe, "reason", json_object_new_string(reason));
}

/* The document so far; a failure is named by the writer, and the run goes
 * on: its end writes the document again and says whether that worked. */
static void checkpoint(const struct run_config *cfg, struct json_object *doc)
{
	if (cfg->out)
		results_write_doc_at(cfg->out, "results.json", doc);
}

static double cell_mean(struct json_object *cell)
{
	struct json_object *st, *m, *status;

	if (!json_object_object_get_ex(cell, "status", &status) ||
	    strcmp(json_object_get_string(status), "ok"))
		return NAN;
	if (!json_object_object_get_ex(cell, "stats", &st) ||
	    !json_object_object_get_ex(st, "mean", &m))
		return NAN;
	return json_object_get_double(m);
}

/* vs_native: this cell's mean over native's mean of the same workload. */
static void add_vs_native(struct json_object *platforms)
{
	struct json_object *native = NULL;
	size_t np = json_object_array_length(platforms);

	for (size_t i = 0; i < np; i++) {
		struct json_object *pe = json_object_array_get_idx(platforms, i);

		const struct platform_ops *ops =
			platform_find(json_object_get_string(json_object_object_get(pe, "name")));

		if (ops && (ops->flags & PLAT_BASELINE) && !json_object_object_get(pe, "variant"))
			native = json_object_object_get(pe, "workloads");
	}
	if (!native)
		return;
	for (size_t i = 0; i < np; i++) {
		struct json_object *ws = json_object_object_get(
			json_object_array_get_idx(platforms, i), "workloads");

		for (size_t j = 0; j < json_object_array_length(ws); j++) {
			struct json_object *cell = json_object_array_get_idx(ws, j);
			const char *name =
				json_object_get_string(json_object_object_get(cell, "name"));
			double mine = cell_mean(cell), ratio;

			for (size_t k = 0; k < json_object_array_length(native); k++) {
				struct json_object *nc = json_object_array_get_idx(native, k);
				double base = cell_mean(nc);

				if (strcmp(name, json_object_get_string(
							 json_object_object_get(nc, "name"))))
					continue;
				if (stats_vs_native(mine, base, &ratio))
					json_object_object_add(cell, "vs_native",
							       json_object_new_double(ratio));
			}
		}
	}
}

/* Cells of the plan not yet run to their end (counting skipped ones as
 * run): the run is "interrupted" only when a signal left some of them. */
static int cells_left;

/* Did the cell run to its end (ok, or failed for a cause of its own)? */
static bool cell_ran(struct json_object *cell)
{
	struct json_object *err;

	return !json_object_object_get_ex(cell, "error", &err) ||
	       strcmp(json_object_get_string(err), "interrupted");
}

/*
 * A platform whose every cell failed (for causes of their own, not an
 * interruption) is "failed", with the first cell's error as its reason.
 */
static void settle_platform_status(struct json_object *pe)
{
	struct json_object *ws = json_object_object_get(pe, "workloads"), *first = NULL;
	size_t n = json_object_array_length(ws);
	char reason[600];

	for (size_t i = 0; i < n; i++) {
		struct json_object *cell = json_object_array_get_idx(ws, i), *err;

		if (!json_object_object_get_ex(cell, "error", &err) || !cell_ran(cell))
			return;
		if (!first)
			first = err;
	}
	if (!first)
		return;
	snprintf(reason, sizeof(reason), "every cell failed; the first: %s",
		 json_object_get_string(first));
	set_status(pe, "failed", reason);
}

static void run_platform(const struct run_config *cfg, const struct platform_ops *ops,
			 struct json_object *doc, struct json_object *pe, struct probes *probes,
			 struct progress *prog, int *failed)
{
	struct platform p = {.ops = ops, .env = &cfg->env, .cmd_fd = -1, .out = {.fd = -1}};
	struct json_object *ws = json_object_object_get(pe, "workloads");
	char reason[512] = "";

	if (ops->available(&cfg->env, reason, sizeof(reason))) {
		set_status(pe, "skipped", reason);
		progress_note(prog, "%s: skipped: %s", ops->name, reason);
		progress_skip(prog, cfg->nr_workloads);
		cells_left -= cfg->nr_workloads;
		return;
	}
	vb_info("%s: preparing", ops->name);
	if (ops->prepare(&p)) {
		set_status(pe, "failed", "prepare failed (see the error above)");
		progress_skip(prog, cfg->nr_workloads);
		/* A prepare cut short by a signal ran none of its cells. */
		if (!interrupted)
			cells_left -= cfg->nr_workloads;
		*failed = 1;
		return;
	}
	set_status(pe, "ok", NULL);
	for (int i = 0; i < cfg->nr_workloads && !interrupted; i++) {
		struct cell_ctx c = {.cfg = cfg, .p = &p, .probes = probes, .prog = prog};
		struct json_object *cell;

		c.w = workload_find(cfg->workloads[i]);
		cell = new_cell(c.w);
		json_object_array_add(ws, cell);
		progress_cell(prog, ops->name, c.w->name);
		if (run_cell(&c, cell))
			*failed = 1;
		if (cell_ran(cell))
			cells_left--;
		checkpoint(cfg, doc);
	}
	settle_platform_status(pe);
	ops->teardown(&p);
	free(p.hello);
}

const char *runner_disk_variant(const struct platform_ops *ops, const struct platform_env *env)
{
	const struct platform_option *o;
	const char *v;

	if (!(ops->flags & PLAT_EXTRA_DISK_VARIANT) || !ops->variant_option)
		return NULL;
	o = platform_option_find(ops, ops->variant_option);
	v = platform_option_value(ops->options, env, ops->variant_option);
	return o && v && strcmp(v, o->def) ? v : NULL;
}

bool runner_traces_vm_exits(const struct platform_ops *const *sel, int nr)
{
	for (int i = 0; i < nr; i++)
		if (sel[i]->flags & PLAT_VM_EXITS)
			return true;
	return false;
}

/*
 * The settings with ops's variant option back at its default (and room
 * for one more): the platform's own entry measures the default, e.g.
 * docker's writable layer.
 */
static void settings_at_default(const struct platform_ops *ops, const struct platform_env *env,
				struct platform_setting *out, int *nr)
{
	*nr = 0;
	for (int i = 0; i < env->nr_settings && *nr < PLATFORM_MAX_SETTINGS; i++)
		if (!ops->variant_option || strcmp(env->settings[i].name, ops->variant_option))
			out[(*nr)++] = env->settings[i];
}

/*
 * A disk variant (docker's storage=volume): the disk workloads once more
 * with the driver's variant option set, as a second entry of the platform
 * (its "variant" the value), so the default and the variant stand side by
 * side in one document.
 */
static void run_disk_variant(const struct run_config *cfg, const struct platform_ops *ops,
			     const char *value, struct json_object *doc, struct probes *probes,
			     struct progress *prog, int *failed)
{
	struct json_object *platforms = json_object_object_get(doc, "platforms");
	struct platform_setting settings[PLATFORM_MAX_SETTINGS + 1];
	struct run_config var = *cfg;
	struct json_object *pe;

	var.nr_workloads = 0;
	for (int i = 0; i < cfg->nr_workloads; i++)
		if (!strncmp(cfg->workloads[i], "disk", 4))
			var.workloads[var.nr_workloads++] = cfg->workloads[i];
	if (!var.nr_workloads)
		return;
	settings_at_default(ops, &cfg->env, settings, &var.env.nr_settings);
	settings[var.env.nr_settings++] = (struct platform_setting){ops->variant_option, value};
	var.env.settings = settings;
	pe = new_platform_entry(ops->name);
	json_object_object_add(pe, "variant", json_object_new_string(value));
	json_object_array_add(platforms, pe);
	run_platform(&var, ops, doc, pe, probes, prog, failed);
	checkpoint(cfg, doc);
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
	struct json_object *platforms = json_object_object_get(*doc, "platforms");
	const struct platform_ops *sel[MAX_PLATFORMS];
	struct probes *probes = NULL;
	struct progress *prog;
	int failed = 0, cells;
	bool stopped;

	selected_ops(cfg, sel);
	preflight(sel, cfg->nr_platforms, &cfg->env);
	if (cfg->trace) {
		struct probes_opts po = {.kvm = runner_traces_vm_exits(sel, cfg->nr_platforms)};

		if (probes_open(&probes, &po)) {
			vb_err("cannot load the probes (see above); '--no-trace' runs without "
			       "them");
			return VB_EXIT_FAILED;
		}
		if (*probes_missing(probes))
			vb_warn("probes not loaded: %s", probes_missing(probes));
	}
	cells = cfg->nr_platforms * cfg->nr_workloads;
	for (int i = 0; i < cfg->nr_platforms; i++)
		for (int j = 0; j < cfg->nr_workloads && runner_disk_variant(sel[i], &cfg->env);
		     j++)
			cells += !strncmp(cfg->workloads[j], "disk", 4);
	cells_left = cells;
	prog = progress_new(cells, cfg->runs == RUNS_AUTO ? 4 : cfg->runs + 1, cfg->duration_s);
	for (int i = 0; i < cfg->nr_platforms && !interrupted; i++) {
		const struct platform_ops *ops = sel[i];
		const char *variant = runner_disk_variant(ops, &cfg->env);
		struct json_object *pe = new_platform_entry(ops->name);
		struct platform_setting settings[PLATFORM_MAX_SETTINGS];
		struct run_config main_entry = *cfg;

		/* The platform's own entry measures the variant option's default. */
		settings_at_default(ops, &cfg->env, settings, &main_entry.env.nr_settings);
		main_entry.env.settings = settings;
		json_object_array_add(platforms, pe);
		run_platform(&main_entry, ops, *doc, pe, probes, prog, &failed);
		checkpoint(cfg, *doc);
		if (variant && !interrupted)
			run_disk_variant(cfg, ops, variant, *doc, probes, prog, &failed);
	}
	/* Decided now: a signal during the teardown below loses no cell. */
	stopped = interrupted && cells_left > 0;
	progress_done(prog);
	probes_close(probes);
	add_vs_native(platforms);
	json_object_object_add(*doc, "status",
			       json_object_new_string(stopped ? "interrupted" : "complete"));
	if (stopped)
		return 130;
	return failed ? VB_EXIT_FAILED : VB_EXIT_OK;
}
