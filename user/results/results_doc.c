// SPDX-License-Identifier: GPL-2.0
/* Building a results document: every field of it is set here (results_doc.h). */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "overhead.h"
#include "results.h"
#include "results_doc.h"
#include "stats.h"

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static struct json_object *strings(const char *const *v, int n)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static void cpu_model(char *buf, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[512];

	snprintf(buf, n, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		snprintf(buf, n, "%s", colon + 2);
		buf[strcspn(buf, "\n")] = '\0';
		break;
	}
	if (f)
		fclose(f);
}

static struct json_object *host_json(void)
{
	struct json_object *host = json_object_new_object();
	struct utsname u;
	struct sysinfo si;
	char model[256];

	uname(&u);
	sysinfo(&si);
	cpu_model(model, sizeof(model));
	add_str(host, "kernel", u.release);
	json_object_object_add(host, "cpus",
			       json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(host, "mem_bytes",
			       json_object_new_uint64((uint64_t)si.totalram * si.mem_unit));
	add_str(host, "cpu_model", model);
	add_str(host, "hostname", u.nodename);
	return host;
}

static struct json_object *config_json(const struct results_plan *plan)
{
	struct json_object *conf = json_object_new_object();

	json_object_object_add(conf, "runs",
			       plan->runs ? json_object_new_int(plan->runs)
					  : json_object_new_string("auto"));
	json_object_object_add(conf, "duration_s", json_object_new_double(plan->duration_s));
	json_object_object_add(conf, "quick", json_object_new_boolean(plan->quick));
	json_object_object_add(conf, "trace", json_object_new_boolean(plan->trace));
	json_object_object_add(conf, "buffered", json_object_new_boolean(plan->buffered));
	json_object_object_add(conf, "disk_file_bytes",
			       json_object_new_uint64(plan->disk_file_bytes));
	if (plan->net_server)
		add_str(conf, "net_server", plan->net_server);
	json_object_object_add(conf, "platforms", strings(plan->platforms, plan->nr_platforms));
	json_object_object_add(conf, "workloads", strings(plan->workloads, plan->nr_workloads));
	return conf;
}

struct json_object *results_doc_new(const struct results_plan *plan, struct json_object **config)
{
	struct json_object *doc = json_object_new_object();
	time_t t = time(NULL);
	char started[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	add_str(doc, "schema", VB_SCHEMA);
	add_str(doc, "tool_version", VB_VERSION);
	/* What a checkpoint says: results_doc_finish() replaces it. */
	add_str(doc, "status", "incomplete");
	add_str(doc, "started_at", started);
	json_object_object_add(doc, "host", host_json());
	*config = config_json(plan);
	json_object_object_add(doc, "config", *config);
	json_object_object_add(doc, "platforms", json_object_new_array());
	return doc;
}

/* ---- platforms ---- */

int results_entry_name(const struct results_entry *e, char *buf, size_t n)
{
	int len = e->knob ? snprintf(buf, n, "%s[%s=%s]", e->platform, e->knob, e->value)
			  : snprintf(buf, n, "%s", e->platform);

	return len < 0 || (size_t)len >= n ? -E2BIG : 0;
}

struct json_object *results_doc_add_platform(struct json_object *doc, const struct results_entry *e)
{
	struct json_object *pe = json_object_new_object();
	char name[256];

	if (results_entry_name(e, name, sizeof(name)))
		snprintf(name, sizeof(name), "%s[%s=...]", e->platform, e->knob);
	add_str(pe, "name", name);
	if (e->knob) {
		struct json_object *v = json_object_new_object();

		add_str(v, "of", e->platform);
		add_str(v, "knob", e->knob);
		add_str(v, "value", e->value);
		json_object_object_add(pe, "variant", v);
	}
	if (e->settings)
		json_object_object_add(pe, "settings", e->settings);
	json_object_object_add(pe, "workloads", json_object_new_array());
	json_object_array_add(json_object_object_get(doc, "platforms"), pe);
	return pe;
}

void results_platform_status(struct json_object *pe, const char *status, const char *reason)
{
	add_str(pe, "status", status);
	if (reason)
		add_str(pe, "reason", reason);
	else
		json_object_object_del(pe, "reason");
}

void results_platform_settle(struct json_object *pe)
{
	struct json_object *ws = json_object_object_get(pe, "workloads"), *first = NULL;
	size_t n = json_object_array_length(ws);
	char reason[600];

	for (size_t i = 0; i < n; i++) {
		struct json_object *cell = json_object_array_get_idx(ws, i), *err;

		if (!json_object_object_get_ex(cell, "error", &err) || !results_cell_ran(cell))
			return;
		if (!first)
			first = err;
	}
	if (!first)
		return;
	snprintf(reason, sizeof(reason), "every cell failed; the first: %s",
		 json_object_get_string(first));
	results_platform_status(pe, "failed", reason);
}

/* ---- cells ---- */

struct json_object *results_platform_add_cell(struct json_object *pe, const char *workload,
					      const char *unit, bool higher_is_better)
{
	struct json_object *cell = json_object_new_object();

	add_str(cell, "name", workload);
	add_str(cell, "unit", unit);
	json_object_object_add(cell, "higher_is_better", json_object_new_boolean(higher_is_better));
	json_object_object_add(cell, "runs", json_object_new_array());
	json_object_array_add(json_object_object_get(pe, "workloads"), cell);
	return cell;
}

void results_cell_failed(struct json_object *cell, const char *why)
{
	add_str(cell, "status", "failed");
	add_str(cell, "error", why);
	json_object_object_del(cell, "stats");
}

void results_cell_ok(struct json_object *cell)
{
	struct stats s;

	add_str(cell, "status", "ok");
	stats_of_runs(results_cell_runs(cell), &s);
	json_object_object_add(cell, "stats", stats_to_json(&s));
}

bool results_cell_ran(struct json_object *cell)
{
	struct json_object *err;

	return !json_object_object_get_ex(cell, "error", &err) ||
	       strcmp(json_object_get_string(err), "interrupted");
}

struct json_object *results_cell_runs(struct json_object *cell)
{
	return json_object_object_get(cell, "runs");
}

/* ---- runs ---- */

struct json_object *results_cell_add_run(struct json_object *cell, struct json_object *result,
					 struct json_object *host, bool rerun)
{
	static const char *const keep[] = {"score", "duration_s", "ops",
					   "bytes", "rusage",	  "extra"};
	struct json_object *run = json_object_new_object(), *probes, *v;

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_object_get_ex(result, keep[i], &v))
			json_object_object_add(run, keep[i], json_object_get(v));
	probes = json_object_new_object();
	if (host)
		json_object_object_add(probes, "host", host);
	if (json_object_object_get_ex(result, "probes_guest", &v))
		json_object_object_add(probes, "guest", json_object_get(v));
	json_object_object_add(run, "probes", probes);
	if (rerun)
		json_object_object_add(run, "rerun", json_object_new_boolean(true));
	json_object_array_add(results_cell_runs(cell), run);
	return run;
}

void results_cell_set_probe_cost(struct json_object *cell, struct json_object *result,
				 struct json_object *host)
{
	struct json_object *bd, *o, *v;
	double ns, ops = 0, secs = 0;

	if (!host || !json_object_object_get_ex(host, "breakdown", &bd) ||
	    !json_object_object_get_ex(bd, "probe_cost_ns", &v))
		return;
	ns = json_object_get_double(v);
	o = json_object_new_object();
	add_str(o, "measured_in", "warm-up");
	json_object_object_add(o, "bpf_ns", json_object_new_double(ns));
	if (json_object_object_get_ex(result, "duration_s", &v))
		secs = json_object_get_double(v);
	json_object_object_add(o, "duration_s", json_object_new_double(secs));
	if (json_object_object_get_ex(result, "ops", &v))
		ops = json_object_get_double(v);
	if (ops > 0)
		json_object_object_add(o, "per_op_ns", json_object_new_double(ns / ops));
	json_object_object_add(cell, "probe_cost", o);
}

void results_run_invalid(struct json_object *run, const char *why)
{
	json_object_object_add(run, "valid", json_object_new_boolean(false));
	add_str(run, "invalid_reason", why);
}

const char *results_run_invalid_reason(struct json_object *run)
{
	struct json_object *v;

	if (stats_run_kept(run) || !json_object_object_get_ex(run, "invalid_reason", &v))
		return NULL;
	return json_object_get_string(v);
}

/* ---- the end ---- */

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

static struct json_object *baseline_cells(struct json_object *platforms,
					  bool (*is_baseline)(const char *))
{
	for (size_t i = 0; i < json_object_array_length(platforms); i++) {
		struct json_object *pe = json_object_array_get_idx(platforms, i);
		const char *name = json_object_get_string(json_object_object_get(pe, "name"));

		if (name && is_baseline(name) && !json_object_object_get(pe, "variant"))
			return json_object_object_get(pe, "workloads");
	}
	return NULL;
}

/* vs_native: a cell's mean over the baseline's mean of the same workload. */
static void add_vs_native(struct json_object *cell, struct json_object *base)
{
	const char *name = json_object_get_string(json_object_object_get(cell, "name"));
	double ratio;

	for (size_t k = 0; k < json_object_array_length(base); k++) {
		struct json_object *bc = json_object_array_get_idx(base, k);

		if (!strcmp(name, json_object_get_string(json_object_object_get(bc, "name"))) &&
		    stats_vs_native(cell_mean(cell), cell_mean(bc), &ratio))
			json_object_object_add(cell, "vs_native", json_object_new_double(ratio));
	}
}

void results_doc_finish(struct json_object *doc, bool (*is_baseline)(const char *platform),
			bool interrupted)
{
	struct json_object *platforms = json_object_object_get(doc, "platforms");
	struct json_object *base = baseline_cells(platforms, is_baseline);

	for (size_t i = 0; base && i < json_object_array_length(platforms); i++) {
		struct json_object *ws = json_object_object_get(
			json_object_array_get_idx(platforms, i), "workloads");

		for (size_t j = 0; j < json_object_array_length(ws); j++)
			add_vs_native(json_object_array_get_idx(ws, j), base);
	}
	results_doc_add_overhead(doc);
	add_str(doc, "status", interrupted ? "interrupted" : "complete");
}

void results_doc_set_findings(struct json_object *doc, struct json_object *findings)
{
	json_object_object_add(doc, "findings", findings);
}
