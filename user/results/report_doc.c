// SPDX-License-Identifier: GPL-2.0
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_doc.h"
#include "stats.h"

struct json_object *doc_get(struct json_object *o, const char *path)
{
	char key[128];

	while (o && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		if (len >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += len + (dot ? 1 : 0);
	}
	return o;
}

bool doc_num(struct json_object *o, const char *path, double *out)
{
	struct json_object *v = doc_get(o, path);
	double d;

	if (!v ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	d = json_object_get_double(v);
	if (!isfinite(d))
		return false;
	*out = d;
	return true;
}

/* A JSON number (not a string json-c would convert) that is a count or a
 * measure: finite, not negative, within the uint64 the probes count in. */
static bool as_count(struct json_object *v, double *out)
{
	double d;

	if (!v ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	d = json_object_get_double(v);
	if (!isfinite(d) || d < 0 || d > DOC_MAX_COUNT)
		return false;
	*out = d;
	return true;
}

bool doc_count(struct json_object *o, const char *path, double *out)
{
	return as_count(doc_get(o, path), out);
}

static double count_or(struct json_object *o, const char *path, double def)
{
	double v;

	return doc_count(o, path, &v) ? v : def;
}

double doc_num_or(struct json_object *o, const char *path, double def)
{
	double v;

	return doc_num(o, path, &v) ? v : def;
}

const char *doc_str(struct json_object *o, const char *path, const char *def)
{
	struct json_object *v = doc_get(o, path);

	if (!v || !json_object_is_type(v, json_type_string))
		return def;
	return json_object_get_string(v);
}

size_t doc_len(struct json_object *o, const char *path)
{
	struct json_object *a = doc_get(o, path);

	if (!a || !json_object_is_type(a, json_type_array))
		return 0;
	return json_object_array_length(a);
}

struct json_object *doc_idx(struct json_object *o, const char *path, size_t i)
{
	if (i >= doc_len(o, path))
		return NULL;
	return json_object_array_get_idx(doc_get(o, path), i);
}

const char *doc_label(struct json_object *platform, char *buf, size_t n)
{
	const char *name = doc_str(platform, "name", "?");
	const char *variant = doc_str(platform, "variant", NULL);

	if (variant && *variant)
		snprintf(buf, n, "%s (%s)", name, variant);
	else
		snprintf(buf, n, "%s", name);
	return buf;
}

bool doc_platform_ok(struct json_object *platform)
{
	/* A document without statuses still ran what it lists. */
	if (!doc_get(platform, "status"))
		return doc_len(platform, "workloads") > 0;
	return !strcmp(doc_str(platform, "status", ""), "ok");
}

struct json_object *doc_native(struct json_object *doc)
{
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);
		const char *variant = doc_str(p, "variant", NULL);

		if (!strcmp(doc_str(p, "name", ""), "native") && !(variant && *variant) &&
		    doc_platform_ok(p))
			return p;
	}
	return NULL;
}

struct json_object *doc_platform_by_label(struct json_object *doc, const char *label)
{
	char buf[128];

	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		if (!strcmp(doc_label(p, buf, sizeof(buf)), label))
			return p;
	}
	return NULL;
}

struct json_object *doc_cell(struct json_object *platform, const char *workload)
{
	for (size_t i = 0; i < doc_len(platform, "workloads"); i++) {
		struct json_object *c = doc_idx(platform, "workloads", i);

		if (!strcmp(doc_str(c, "name", ""), workload))
			return c;
	}
	return NULL;
}

static bool name_in(const char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

size_t doc_workloads(struct json_object *doc, const char **names, size_t max)
{
	static const char *const order[] = {"cpu", "mem", "diskrand", "diskseq", "fork", "net"};
	size_t n = 0;

	for (size_t k = 0; k <= sizeof(order) / sizeof(order[0]); k++) {
		for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
			struct json_object *p = doc_idx(doc, "platforms", i);

			for (size_t j = 0; j < doc_len(p, "workloads"); j++) {
				const char *w = doc_str(doc_idx(p, "workloads", j), "name", NULL);
				bool want = k < sizeof(order) / sizeof(order[0])
						    ? w && !strcmp(w, order[k])
						    : w != NULL;

				if (want && n < max && !name_in(names, n, w))
					names[n++] = w;
			}
		}
	}
	return n;
}

bool doc_cell_has_runs(struct json_object *cell)
{
	return doc_len(cell, "runs") > 0;
}

bool doc_run_valid(struct json_object *run)
{
	struct json_object *v = doc_get(run, "valid");

	return !v || !json_object_is_type(v, json_type_boolean) || json_object_get_boolean(v);
}

/* Run i of a cell when it is valid, else NULL (which every getter reads as
 * a run without the field): what statistics and sums are made of. */
static struct json_object *valid_run(struct json_object *cell, size_t i)
{
	struct json_object *r = doc_idx(cell, "runs", i);

	return doc_run_valid(r) ? r : NULL;
}

/*
 * The "n" of a cell's stats object: a whole number of runs, at most
 * DOC_MAX_RUNS (a stats object without one counts the runs there are).
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
	if (!as_count(v, &d) || d > DOC_MAX_RUNS || d != floor(d))
		return false;
	*n = (size_t)d;
	return true;
}

bool doc_cell_stats(struct json_object *cell, struct stats *s)
{
	size_t n = doc_len(cell, "runs"), k = 0;
	double *x;

	memset(s, 0, sizeof(*s));
	/* A failed cell has no statistics: older documents gave it some of
	 * zeros, and its runs are those made before it failed. */
	if (!strcmp(doc_str(cell, "status", ""), "failed"))
		return false;
	if (doc_num(cell, "stats.mean", &s->mean) && stats_n(cell, n, &s->n)) {
		s->median = doc_num_or(cell, "stats.median", s->mean);
		s->stddev = doc_num_or(cell, "stats.stddev", 0);
		s->cv = doc_num_or(cell, "stats.cv", s->mean ? s->stddev / fabs(s->mean) : 0);
		s->ci95_low = doc_num_or(cell, "stats.ci95_low", s->mean);
		s->ci95_high = doc_num_or(cell, "stats.ci95_high", s->mean);
		return true;
	}
	if (!n)
		return false;
	x = calloc(n, sizeof(*x));
	if (!x)
		return false;
	for (size_t i = 0; i < n; i++)
		if (doc_num(valid_run(cell, i), "score", &x[k]))
			k++;
	if (k)
		stats_compute(x, k, s);
	free(x);
	return k > 0;
}

bool doc_cell_vs_native(struct json_object *doc, struct json_object *cell, double *ratio)
{
	struct json_object *nc;
	struct stats a, b;

	if (doc_num(cell, "vs_native", ratio))
		return true;
	nc = doc_cell(doc_native(doc), doc_str(cell, "name", ""));
	if (!nc || !doc_cell_stats(cell, &a) || !doc_cell_stats(nc, &b) || b.mean == 0)
		return false;
	*ratio = a.mean / b.mean;
	return true;
}

bool doc_cell_higher_is_better(struct json_object *cell)
{
	struct json_object *v = doc_get(cell, "higher_is_better");

	return !v || json_object_get_boolean(v);
}

bool doc_cell_sum(struct json_object *cell, const char *path, struct cell_sum *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *r = valid_run(cell, i);
		double v;

		if (!doc_count(r, path, &v))
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

bool doc_cell_has_guest(struct json_object *cell)
{
	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *g = doc_get(doc_idx(cell, "runs", i), "probes.guest");

		if (g && json_object_is_type(g, json_type_object) && json_object_object_length(g))
			return true;
	}
	return false;
}

const char *doc_cell_side(struct json_object *cell)
{
	return doc_cell_has_guest(cell) ? "probes.guest" : "probes.host";
}

size_t doc_cell_hist(struct json_object *cell, const char *path, double *bins, size_t max)
{
	size_t used = 0;

	memset(bins, 0, max * sizeof(*bins));
	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *r = valid_run(cell, i);
		size_t n = doc_len(r, path);

		for (size_t b = 0; b < n && b < max; b++) {
			double v;

			if (as_count(doc_idx(r, path, b), &v) && v > 0) {
				bins[b] += v;
				used = b + 1 > used ? b + 1 : used;
			}
		}
	}
	return used;
}

struct json_object *doc_cell_sum_map(struct json_object *cell, const char *path)
{
	struct json_object *out = NULL;

	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *m = doc_get(valid_run(cell, i), path);

		if (!m || !json_object_is_type(m, json_type_object))
			continue;
		if (!out)
			out = json_object_new_object();
		json_object_object_foreach (m, k, v) {
			double prev = doc_num_or(out, k, 0), add;

			if (!as_count(v, &add) || strchr(k, '.'))
				continue;
			json_object_object_add(out, k, json_object_new_double(prev + add));
		}
	}
	return out;
}

size_t doc_map_top(struct json_object *map, const char **names, double *vals, size_t max)
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

/* "4.00" reads as "4", "1.50 k" as "1.5 k": the digits left are the ones that say something. */
static void strip_zeros(char *buf)
{
	char *dot = strchr(buf, '.'), *end, *last;

	if (!dot || strchr(buf, 'e'))
		return;
	end = dot + strspn(dot + 1, "0123456789"); /* the last digit */
	last = end;
	while (last > dot && *last == '0')
		last--;
	if (last == dot)
		last--;
	memmove(last + 1, end + 1, strlen(end + 1) + 1);
}

const char *doc_fmt_num(double v, char *buf, size_t n)
{
	static const char *const suffix[] = {"", " k", " M", " G", " T"};
	double a = fabs(v), whole = v;
	int s = 0;

	if (!isfinite(v)) {
		snprintf(buf, n, "-");
		return buf;
	}
	if (a >= 1e4) {
		while (a >= 999.5 && s < 4) {
			a /= 1000;
			v /= 1000;
			s++;
		}
	}
	if (a == 0)
		snprintf(buf, n, "0");
	else if (a >= 999.5 && s == 4) /* past T: no suffix left, exponent form */
		snprintf(buf, n, "%.3g", whole);
	else if (a >= 99.95)
		snprintf(buf, n, "%.0f%s", v, suffix[s]);
	else if (a >= 9.995)
		snprintf(buf, n, "%.1f%s", v, suffix[s]);
	else if (a >= 0.995)
		snprintf(buf, n, "%.2f%s", v, suffix[s]);
	else if (a >= 0.001)
		snprintf(buf, n, "%.3g%s", v, suffix[s]);
	else
		snprintf(buf, n, "%.2g", v);
	strip_zeros(buf);
	return buf;
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

static void exit_rows_add_table(struct json_object *run, struct exit_row *rows, size_t *n,
				size_t max)
{
	const char *path = "probes.host.vm_exits.table";

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

size_t doc_cell_exit_rows(struct json_object *cell, struct exit_row *rows, size_t max)
{
	size_t n = 0;
	bool have_table = false;

	for (size_t i = 0; i < doc_len(cell, "runs"); i++)
		have_table |= doc_len(valid_run(cell, i), "probes.host.vm_exits.table") > 0;
	if (have_table) {
		for (size_t i = 0; i < doc_len(cell, "runs"); i++)
			exit_rows_add_table(valid_run(cell, i), rows, &n, max);
	} else {
		struct json_object *m = doc_cell_sum_map(cell, "probes.host.vm_exits.by_reason");

		if (m) {
			json_object_object_foreach (m, k, v) {
				struct exit_row *r = exit_row_find(rows, &n, max, k);

				if (r)
					r->samples += json_object_get_double(v);
			}
			json_object_put(m);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!isfinite(rows[i].min_us))
			rows[i].min_us = 0;
	qsort(rows, n, sizeof(*rows), exit_row_cmp);
	while (n && rows[n - 1].samples <= 0)
		n--;
	return n;
}

bool doc_cell_wavg(struct json_object *cell, const char *path, const char *weight, double *out)
{
	double sum = 0, wsum = 0, plain = 0;
	int n = 0;

	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *r = valid_run(cell, i);
		double v, w;

		if (!doc_count(r, path, &v))
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

const char doc_block_scope[] =
	"block counts the requests the workload's processes inserted or issued (attributed); "
	"results.json's block.device counts every request on the same devices (device-wide, "
	"other processes' I/O included)";

/* Adds up one side's overflow counters over a cell's runs. */
static double cell_overflow(struct json_object *cell, const char *side)
{
	double lost = 0;
	char path[64];

	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *o;

		snprintf(path, sizeof(path), "probes.%s.overflow", side);
		o = doc_get(doc_idx(cell, "runs", i), path);
		if (!o || !json_object_is_type(o, json_type_object))
			continue;
		json_object_object_foreach (o, key, val) {
			double v;

			(void)key;
			if (as_count(val, &v))
				lost += v;
		}
	}
	return lost;
}

void doc_overflow_note(struct json_object *doc, char *buf, size_t n)
{
	static const char *const sides[] = {"host", "guest"};
	size_t len = 0;
	char label[128];

	buf[0] = '\0';
	for (size_t i = 0; i < doc_len(doc, "platforms") && len < n; i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		for (size_t w = 0; w < doc_len(p, "workloads") && len < n; w++) {
			struct json_object *c = doc_idx(p, "workloads", w);

			for (size_t s = 0; s < 2 && len < n; s++) {
				double lost = cell_overflow(c, sides[s]);

				if (lost <= 0)
					continue;
				len += (size_t)snprintf(buf + len, n - len,
							"%s%s %s (%s side, %.0f)",
							len ? ", " : "probe maps were full in ",
							doc_label(p, label, sizeof(label)),
							doc_str(c, "name", "?"), sides[s], lost);
			}
		}
	}
	if (len && len < n)
		snprintf(buf + len, n - len, ": some events there went uncounted");
}

void doc_invalid_note(struct json_object *doc, char *buf, size_t n)
{
	size_t len = 0;
	char label[128];

	buf[0] = '\0';
	for (size_t i = 0; i < doc_len(doc, "platforms") && len < n; i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		for (size_t w = 0; w < doc_len(p, "workloads") && len < n; w++) {
			struct json_object *c = doc_idx(p, "workloads", w);

			for (size_t r = 0; r < doc_len(c, "runs") && len < n; r++) {
				struct json_object *run = doc_idx(c, "runs", r);

				if (doc_run_valid(run))
					continue;
				len += (size_t)snprintf(
					buf + len, n - len, "%s%s %s run %zu (%s)",
					len ? "; " : "invalid runs, left out of the statistics: ",
					doc_label(p, label, sizeof(label)), doc_str(c, "name", "?"),
					r + 1, doc_str(run, "invalid_reason", "no reason given"));
			}
		}
	}
	if (len >= n && n > 4)
		snprintf(buf + n - 4, 4, "...");
}

/* Counts the values of a run and checks the size of each container in it. */
static bool run_within_limits(struct json_object *o, size_t *values, const char **what,
			      size_t *size)
{
	size_t len;

	switch (json_object_get_type(o)) {
	case json_type_object:
		len = (size_t)json_object_object_length(o);
		if (len > DOC_MAX_MEMBERS)
			break;
		json_object_object_foreach (o, key, v) {
			(void)key;
			if (!run_within_limits(v, values, what, size))
				return false;
		}
		return true;
	case json_type_array:
		len = json_object_array_length(o);
		if (len > DOC_MAX_MEMBERS)
			break;
		for (size_t i = 0; i < len; i++)
			if (!run_within_limits(json_object_array_get_idx(o, i), values, what, size))
				return false;
		return true;
	default:
		if (++*values > DOC_MAX_RUN_VALUES) {
			*what = "values";
			*size = *values;
			return false;
		}
		return true;
	}
	*what = "members in one object or array";
	*size = len;
	return false;
}

static bool cells_within_limits(struct json_object *doc, char *why, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);
		size_t ncells = doc_len(p, "workloads");

		if (ncells > DOC_MAX_WORKLOADS) {
			snprintf(why, n, "platforms[%zu] has %zu workloads (at most %d)", i, ncells,
				 DOC_MAX_WORKLOADS);
			return false;
		}
		for (size_t j = 0; j < ncells; j++) {
			struct json_object *c = doc_idx(p, "workloads", j);
			size_t nruns = doc_len(c, "runs");

			total += nruns;
			if (nruns > DOC_MAX_RUNS || total > DOC_MAX_RUNS_TOTAL) {
				snprintf(why, n,
					 "platforms[%zu].workloads[%zu] has %zu runs (at most %d "
					 "per "
					 "cell, %d in all)",
					 i, j, nruns, DOC_MAX_RUNS, DOC_MAX_RUNS_TOTAL);
				return false;
			}
			for (size_t r = 0; r < nruns; r++) {
				const char *what = NULL;
				size_t values = 0, size = 0;

				if (run_within_limits(doc_idx(c, "runs", r), &values, &what, &size))
					continue;
				snprintf(why, n,
					 "platforms[%zu].workloads[%zu].runs[%zu] has %zu %s (at "
					 "most %d)",
					 i, j, r, size, what,
					 strcmp(what, "values") ? DOC_MAX_MEMBERS
								: DOC_MAX_RUN_VALUES);
				return false;
			}
		}
	}
	return true;
}

bool doc_within_limits(struct json_object *doc, char *why, size_t n)
{
	size_t np = doc_len(doc, "platforms"), nf = doc_len(doc, "findings");

	if (np > DOC_MAX_PLATFORMS) {
		snprintf(why, n, "%zu platform entries (at most %d)", np, DOC_MAX_PLATFORMS);
		return false;
	}
	if (nf > DOC_MAX_FINDINGS) {
		snprintf(why, n, "%zu findings (at most %d)", nf, DOC_MAX_FINDINGS);
		return false;
	}
	for (size_t i = 0; i < nf; i++) {
		struct json_object *e = doc_get(doc_idx(doc, "findings", i), "evidence");
		size_t ne = e && json_object_is_type(e, json_type_object)
				    ? (size_t)json_object_object_length(e)
				    : 0;

		if (ne > DOC_MAX_EVIDENCE) {
			snprintf(why, n, "findings[%zu] has %zu evidence entries (at most %d)", i,
				 ne, DOC_MAX_EVIDENCE);
			return false;
		}
	}
	return cells_within_limits(doc, why, n);
}
