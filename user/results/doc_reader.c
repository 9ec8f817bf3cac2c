// SPDX-License-Identifier: GPL-2.0
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_reader.h"
#include "workload.h"
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

bool doc_is_variant(struct json_object *platform)
{
	const char *s = doc_str(platform, "variant", NULL);

	/* An empty string was how older documents said "no variant". */
	return (s && *s) || json_object_is_type(doc_get(platform, "variant"), json_type_object);
}

bool doc_variant_read(struct json_object *platform, struct doc_variant *v)
{
	struct json_object *o = doc_get(platform, "variant");

	memset(v, 0, sizeof(*v));
	if (!o)
		return false;
	if (json_object_is_type(o, json_type_string)) {
		v->value = json_object_get_string(o);
		v->of = doc_str(platform, "name", NULL);
		v->knob = "storage";
		v->old_form = true;
	} else {
		v->of = doc_str(o, "of", NULL);
		v->knob = doc_str(o, "knob", NULL);
		v->value = doc_str(o, "value", NULL);
	}
	return v->of && *v->of && v->knob && *v->knob && v->value && *v->value;
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

		if (!strcmp(doc_str(p, "name", ""), "native") && !doc_is_variant(p) &&
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
	const size_t known = (size_t)nr_workloads;
	size_t n = 0;

	/* The workload table's order first (workload.c), then any other name. */
	for (size_t k = 0; k <= known; k++) {
		for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
			struct json_object *p = doc_idx(doc, "platforms", i);

			for (size_t j = 0; j < doc_len(p, "workloads"); j++) {
				const char *w = doc_str(doc_idx(p, "workloads", j), "name", NULL);
				bool want =
					k < known ? w && !strcmp(w, workloads[k]->name) : w != NULL;

				if (want && n < max && !name_in(names, n, w))
					names[n++] = w;
			}
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
		struct json_object *run = doc_idx(cell, "runs", i), *o;

		if (!stats_run_kept(run))
			continue;
		snprintf(path, sizeof(path), "probes.%s.overflow", side);
		o = doc_get(run, path);
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
