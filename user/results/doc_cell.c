// SPDX-License-Identifier: GPL-2.0
/*
 * The typed reader of a results document's cells: a cell's scores and
 * statistics (doc_cell_read()) and what each kernel counted for it
 * (doc_side_read()), summed over the runs that count. The counter paths of
 * vbench-trace/1 (docs/results-schema.md) are spelled here and nowhere
 * else: findings and renderers read the structures.
 */
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_reader.h"
#include "stats.h"

/* The i-th run of a cell when it counts (not "valid": false), else NULL. */
static struct json_object *kept_run(struct json_object *cell, size_t i)
{
	struct json_object *r = doc_idx(cell, "runs", i);

	return r && stats_run_kept(r) ? r : NULL;
}

static size_t kept_runs(struct json_object *cell)
{
	size_t n = 0;

	for (size_t i = 0; i < doc_len(cell, "runs"); i++)
		n += kept_run(cell, i) != NULL;
	return n;
}

static double count_or(struct json_object *o, const char *path, double def)
{
	double v;

	return doc_count(o, path, &v) ? v : def;
}

bool doc_cell_has_runs(struct json_object *cell)
{
	return kept_runs(cell) > 0;
}

/*
 * The "n" of a cell's stats object: a whole number of runs, at most
 * DOC_MAX_RUNS (a stats object without one counts the kept runs there are).
 * Anything else (negative, huge, fractional) makes the object untrusted:
 * converting it to size_t would be undefined, and a verdict drawn from it
 * wrong.
 */
static bool stats_n(struct json_object *cell, size_t runs, size_t *n)
{
	struct json_object *v = doc_get(cell, "stats.n");
	double d;

	if (!v) {
		*n = runs;
		return true;
	}
	if (!doc_count(cell, "stats.n", &d) || d > DOC_MAX_RUNS || d != floor(d))
		return false;
	*n = (size_t)d;
	return true;
}

bool doc_cell_stats(struct json_object *cell, struct stats *s)
{
	memset(s, 0, sizeof(*s));
	/* A failed cell has no statistics: older documents gave it some of
	 * zeros, and its runs are those made before it failed. */
	if (!strcmp(doc_str(cell, "status", ""), "failed"))
		return false;
	if (doc_num(cell, "stats.mean", &s->mean) && stats_n(cell, kept_runs(cell), &s->n)) {
		s->median = doc_num_or(cell, "stats.median", s->mean);
		s->stddev = doc_num_or(cell, "stats.stddev", 0);
		s->cv = doc_num_or(cell, "stats.cv", s->mean ? s->stddev / fabs(s->mean) : 0);
		s->ci95_low = doc_num_or(cell, "stats.ci95_low", s->mean);
		s->ci95_high = doc_num_or(cell, "stats.ci95_high", s->mean);
		return true;
	}
	return stats_of_runs(doc_get(cell, "runs"), s) > 0;
}

bool doc_cell_vs_native(struct json_object *doc, struct json_object *cell, double *ratio)
{
	struct json_object *nc;
	struct stats a, b;

	if (doc_num(cell, "vs_native", ratio))
		return true;
	nc = doc_cell(doc_native(doc), doc_str(cell, "name", ""));
	if (!nc || !doc_cell_stats(cell, &a) || !doc_cell_stats(nc, &b))
		return false;
	return stats_vs_native(a.mean, b.mean, ratio);
}

bool doc_cell_higher_is_better(struct json_object *cell)
{
	struct json_object *v = doc_get(cell, "higher_is_better");

	return !v || json_object_get_boolean(v);
}

static bool cell_sum(struct json_object *cell, const char *path, struct cell_sum *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *r = kept_run(cell, i);
		double v;

		if (!r || !doc_count(r, path, &v))
			continue;
		s->value += v;
		s->ops += count_or(r, "ops", 0);
		s->bytes += count_or(r, "bytes", 0);
		s->duration_s += count_or(r, "duration_s", 0);
		s->utime_s += count_or(r, "rusage.utime_s", 0);
		s->stime_s += count_or(r, "rusage.stime_s", 0);
		s->runs++;
	}
	return s->runs > 0;
}

bool doc_sum_per_op(const struct cell_sum *s, double *out)
{
	if (s->ops <= 0)
		return false;
	*out = s->value / s->ops;
	return true;
}

bool doc_sum_per_mib(const struct cell_sum *s, double *out)
{
	if (s->bytes <= 0)
		return false;
	*out = s->value / (s->bytes / 1048576.0);
	return true;
}

bool doc_sum_per_s(const struct cell_sum *s, double *out)
{
	if (s->duration_s <= 0)
		return false;
	*out = s->value / s->duration_s;
	return true;
}

static bool cell_has_guest(struct json_object *cell)
{
	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *g = doc_get(kept_run(cell, i), "probes.guest");

		if (g && json_object_is_type(g, json_type_object) && json_object_object_length(g))
			return true;
	}
	return false;
}

enum doc_side doc_cell_side(struct json_object *cell)
{
	return cell_has_guest(cell) ? DOC_SIDE_GUEST : DOC_SIDE_HOST;
}

const char *doc_side_name(enum doc_side side)
{
	return side == DOC_SIDE_GUEST ? "guest" : "host";
}

/* "probes.<side>.<field>" in buf. */
static const char *side_path(char *buf, size_t n, enum doc_side side, const char *field)
{
	snprintf(buf, n, "probes.%s.%s", doc_side_name(side), field);
	return buf;
}

/* Sums a log2 histogram (array of counts) over the kept runs; returns the bins used. */
static size_t cell_hist(struct json_object *cell, const char *path, double *bins, size_t max)
{
	size_t used = 0;

	memset(bins, 0, max * sizeof(*bins));
	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *r = kept_run(cell, i);
		size_t n = doc_len(r, path);

		for (size_t b = 0; b < n && b < max; b++) {
			double v;

			if (doc_count(doc_idx(r, path, b), "", &v) && v > 0) {
				bins[b] += v;
				used = b + 1 > used ? b + 1 : used;
			}
		}
	}
	return used;
}

/* Sums an object of counters ({"name": n}) over the kept runs into a json
 * object (caller puts it); NULL when no run carries it. */
static struct json_object *cell_sum_map(struct json_object *cell, const char *path)
{
	struct json_object *out = NULL;

	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *m = doc_get(kept_run(cell, i), path);

		if (!m || !json_object_is_type(m, json_type_object))
			continue;
		if (!out)
			out = json_object_new_object();
		json_object_object_foreach (m, k, v) {
			double prev = doc_num_or(out, k, 0), add;

			if (!doc_count(v, "", &add) || strchr(k, '.'))
				continue;
			json_object_object_add(out, k, json_object_new_double(prev + add));
		}
	}
	return out;
}

/* The largest entries of a map of counters ({"name": n}), biggest first; returns how many. */
static size_t map_top(struct json_object *map, const char **names, double *vals, size_t max)
{
	size_t n = 0;

	if (!map || !json_object_is_type(map, json_type_object))
		return 0;
	json_object_object_foreach (map, k, v) {
		double d = json_object_get_double(v);
		size_t at = n < max ? n : max;

		if (!isfinite(d) || d <= 0)
			continue;
		/* Insertion into a short sorted list: max is a handful. */
		while (at > 0 && vals[at - 1] < d) {
			if (at < max) {
				names[at] = names[at - 1];
				vals[at] = vals[at - 1];
			}
			at--;
		}
		if (at < max) {
			names[at] = k;
			vals[at] = d;
			if (n < max)
				n++;
		}
	}
	return n;
}

/* A per-run value averaged over the kept runs, weighted by another (p50 by requests). */
static bool cell_wavg(struct json_object *cell, const char *path, const char *weight, double *out)
{
	double sum = 0, wsum = 0, plain = 0;
	int n = 0;

	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *r = kept_run(cell, i);
		double v, w;

		if (!r || !doc_count(r, path, &v))
			continue;
		w = count_or(r, weight, 0);
		sum += v * w;
		wsum += w;
		plain += v;
		n++;
	}
	if (!n)
		return false;
	*out = wsum > 0 ? sum / wsum : plain / n;
	return true;
}

static struct exit_row *exit_row_find(struct exit_row *rows, size_t *n, size_t max,
				      const char *reason)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(rows[i].reason, reason))
			return &rows[i];
	if (*n >= max)
		return NULL;
	memset(&rows[*n], 0, sizeof(rows[*n]));
	snprintf(rows[*n].reason, sizeof(rows[*n].reason), "%s", reason);
	rows[*n].min_us = INFINITY;
	return &rows[(*n)++];
}

static int exit_row_cmp(const void *a, const void *b)
{
	const struct exit_row *x = a, *y = b;

	return (x->samples < y->samples) - (x->samples > y->samples);
}

static void exit_rows_add_table(struct json_object *run, const char *path, struct exit_row *rows,
				size_t *n, size_t max)
{
	for (size_t i = 0; i < doc_len(run, path); i++) {
		struct json_object *e = doc_idx(run, path, i);
		double samples = count_or(e, "samples", 0), v;
		struct exit_row *r;

		if (samples <= 0)
			continue;
		r = exit_row_find(rows, n, max, doc_str(e, "reason", "?"));
		if (!r)
			continue;
		snprintf(r->isa, sizeof(r->isa), "%s", doc_str(e, "isa", ""));
		r->samples += samples;
		if (doc_count(e, "avg_us", &v)) {
			r->time_us += v * samples;
			r->timed = true;
		}
		if (doc_count(e, "min_us", &v) && v < r->min_us)
			r->min_us = v;
		if (doc_count(e, "max_us", &v) && v > r->max_us)
			r->max_us = v;
	}
}

static void exit_rows_add_counts(struct json_object *cell, const char *path, struct exit_row *rows,
				 size_t *n, size_t max)
{
	struct json_object *m = cell_sum_map(cell, path);

	if (!m)
		return;
	json_object_object_foreach (m, k, v) {
		struct exit_row *r = exit_row_find(rows, n, max, k);

		if (r)
			r->samples += json_object_get_double(v);
	}
	json_object_put(m);
}

/* A side's VM exits by reason, runs added up, sorted by samples. */
static size_t cell_exit_rows(struct json_object *cell, enum doc_side side, struct exit_row *rows,
			     size_t max)
{
	char table[64], by_reason[64];
	bool have_table = false;
	size_t n = 0;

	side_path(table, sizeof(table), side, "vm_exits.table");
	side_path(by_reason, sizeof(by_reason), side, "vm_exits.by_reason");
	for (size_t i = 0; i < doc_len(cell, "runs"); i++)
		have_table |= doc_len(kept_run(cell, i), table) > 0;
	if (have_table) {
		for (size_t i = 0; i < doc_len(cell, "runs"); i++)
			exit_rows_add_table(kept_run(cell, i), table, rows, &n, max);
	} else {
		exit_rows_add_counts(cell, by_reason, rows, &n, max);
	}
	for (size_t i = 0; i < n; i++)
		if (!isfinite(rows[i].min_us))
			rows[i].min_us = 0;
	qsort(rows, n, sizeof(*rows), exit_row_cmp);
	while (n && rows[n - 1].samples <= 0)
		n--;
	return n;
}

/* Faults per unit of work: the one place it is computed (docs/results-schema.md). */
static void faults_read(struct json_object *cell, enum doc_side side, struct doc_faults *f)
{
	struct cell_sum u, k;
	char path[64];
	double denom;

	memset(f, 0, sizeof(*f));
	if (!cell_sum(cell, side_path(path, sizeof(path), side, "page_faults_user"), &u))
		return;
	cell_sum(cell, side_path(path, sizeof(path), side, "page_faults_kernel"), &k);
	f->present = true;
	f->runs = u.runs;
	f->user = u.value;
	f->kernel = k.value;
	f->total = u.value + k.value;
	/* Both divide by the runs that carried user faults: like by like. */
	f->per_mib = u.bytes > 0;
	denom = f->per_mib ? u.bytes / 1048576.0 : u.ops;
	if (denom > 0) {
		f->have_per_unit = true;
		f->user_per_unit = u.value / denom;
		f->kernel_per_unit = k.value / denom;
		f->per_unit = f->user_per_unit + f->kernel_per_unit;
	}
	if (u.ops > 0) {
		f->have_per_op = true;
		f->per_op = f->total / u.ops;
	}
	if (u.duration_s > 0) {
		f->have_per_s = true;
		f->per_s = f->total / u.duration_s;
	}
}

/* Block requests under "probes.<side>.<at>" ("block" or "block.device"). */
static void block_read(struct json_object *cell, enum doc_side side, const char *at,
		       struct doc_block *b)
{
	char path[80], weight[80], field[48];

	memset(b, 0, sizeof(*b));
	snprintf(field, sizeof(field), "%s.requests", at);
	cell_sum(cell, side_path(weight, sizeof(weight), side, field), &b->requests);
	snprintf(field, sizeof(field), "%s.bytes", at);
	cell_sum(cell, side_path(path, sizeof(path), side, field), &b->bytes);
	snprintf(field, sizeof(field), "%s.p50_us", at);
	b->have_p50 =
		cell_wavg(cell, side_path(path, sizeof(path), side, field), weight, &b->p50_us);
	snprintf(field, sizeof(field), "%s.p99_us", at);
	b->have_p99 =
		cell_wavg(cell, side_path(path, sizeof(path), side, field), weight, &b->p99_us);
	snprintf(field, sizeof(field), "%s.hist_log2_us", at);
	b->hist_bins =
		cell_hist(cell, side_path(path, sizeof(path), side, field), b->hist, DOC_HIST_BINS);
}

static void syscalls_read(struct json_object *cell, enum doc_side side, struct doc_side_counters *k)
{
	const char *names[DOC_TOP_SYSCALLS];
	double vals[DOC_TOP_SYSCALLS];
	struct json_object *top;
	char path[64];

	cell_sum(cell, side_path(path, sizeof(path), side, "syscalls.total"), &k->syscalls);
	top = cell_sum_map(cell, side_path(path, sizeof(path), side, "syscalls.top"));
	k->ntop = map_top(top, names, vals, DOC_TOP_SYSCALLS);
	for (size_t i = 0; i < k->ntop; i++) {
		snprintf(k->top[i].name, sizeof(k->top[i].name), "%s", names[i]);
		k->top[i].count = vals[i];
	}
	json_object_put(top);
}

bool doc_side_read(struct json_object *cell, enum doc_side side, struct doc_side_counters *k)
{
	char path[64], weight[64];

	memset(k, 0, sizeof(*k));
	k->side = side;
	faults_read(cell, side, &k->faults);
	cell_sum(cell, side_path(path, sizeof(path), side, "forks"), &k->forks);
	cell_sum(cell, side_path(weight, sizeof(weight), side, "clone_syscalls"),
		 &k->clone_syscalls);
	k->have_clone_p50 =
		cell_wavg(cell, side_path(path, sizeof(path), side, "clone_latency.p50_us"), weight,
			  &k->clone_p50_us);
	block_read(cell, side, "block", &k->block);
	block_read(cell, side, "block.device", &k->block_device);
	syscalls_read(cell, side, k);
	cell_sum(cell, side_path(path, sizeof(path), side, "vm_exits.total"), &k->vm_exits);
	k->nexits = cell_exit_rows(cell, side, k->exits, DOC_MAX_EXIT_ROWS);
	return k->faults.present || k->forks.runs || k->clone_syscalls.runs || k->have_clone_p50 ||
	       k->block.requests.runs || k->block_device.requests.runs || k->syscalls.runs ||
	       k->ntop || k->vm_exits.runs || k->nexits;
}

void doc_cell_read(struct json_object *doc, struct json_object *cell, struct doc_cell_view *v)
{
	memset(v, 0, sizeof(*v));
	v->workload = doc_str(cell, "name", NULL);
	v->unit = doc_str(cell, "unit", "");
	v->error = doc_str(cell, "error", NULL);
	v->higher_is_better = doc_cell_higher_is_better(cell);
	v->have_stats = doc_cell_stats(cell, &v->stats);
	v->have_vs_native = doc_cell_vs_native(doc, cell, &v->vs_native);
	if (!v->have_vs_native)
		v->vs_native = NAN;
	v->has_guest = cell_has_guest(cell);
	v->side = v->has_guest ? DOC_SIDE_GUEST : DOC_SIDE_HOST;
	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *r = kept_run(cell, i);

		if (!r) {
			v->runs_left_out++;
			continue;
		}
		v->runs++;
		v->ops += count_or(r, "ops", 0);
		v->bytes += count_or(r, "bytes", 0);
		v->duration_s += count_or(r, "duration_s", 0);
	}
	cell_sum(cell, "rusage.utime_s", &v->user_time);
}

/* The "invalid_reason" of a cell's first left-out run that gives one, or NULL. */
static const char *left_out_reason(struct json_object *cell)
{
	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *r = doc_idx(cell, "runs", i);
		const char *why = doc_str(r, "invalid_reason", NULL);

		if (!stats_run_kept(r) && why && *why)
			return why;
	}
	return NULL;
}

void doc_left_out_note(struct json_object *doc, char *buf, size_t n)
{
	size_t len = 0;
	char label[128];

	buf[0] = '\0';
	for (size_t i = 0; i < doc_len(doc, "platforms") && len < n; i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		for (size_t w = 0; w < doc_len(p, "workloads") && len < n; w++) {
			struct json_object *c = doc_idx(p, "workloads", w);
			size_t all = doc_len(c, "runs"), kept = kept_runs(c);
			const char *why = left_out_reason(c);

			if (kept == all)
				continue;
			len += (size_t)snprintf(buf + len, n - len, "%s%s %s (%zu of %zu%s%s)",
						len ? ", "
						    : "runs marked \"valid\": false are left "
						      "out of every statistic: ",
						doc_label(p, label, sizeof(label)),
						doc_str(c, "name", "?"), all - kept, all,
						why ? ": " : "", why ? why : "");
		}
	}
}
