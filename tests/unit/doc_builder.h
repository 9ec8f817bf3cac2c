/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builds small results documents for the report tests: a platform, a cell
 * with runs, and a counter set on every run, so each test states only the
 * counters its rule reads. Header-only: each test binary includes it once.
 */
#ifndef VB_TEST_DOC_BUILDER_H
#define VB_TEST_DOC_BUILDER_H

#include <json.h>
#include <string.h>

#define RUN_S 10.0 /* every built run lasts this long */

static __attribute__((unused)) struct json_object *tdoc_new(void)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "schema", json_object_new_string("vbench-trace/1"));
	json_object_object_add(d, "status", json_object_new_string("complete"));
	json_object_object_add(d, "platforms", json_object_new_array());
	return d;
}

static __attribute__((unused)) struct json_object *tplat(struct json_object *doc, const char *name,
							 const char *variant)
{
	struct json_object *p = json_object_new_object(), *arr;

	json_object_object_add(p, "name", json_object_new_string(name));
	if (variant)
		json_object_object_add(p, "variant", json_object_new_string(variant));
	json_object_object_add(p, "status", json_object_new_string("ok"));
	json_object_object_add(p, "workloads", json_object_new_array());
	json_object_object_get_ex(doc, "platforms", &arr);
	json_object_array_add(arr, p);
	return p;
}

/* Sets value at a dotted path under o, making the objects on the way. */
static __attribute__((unused)) void tset(struct json_object *o, const char *path,
					 struct json_object *value)
{
	char key[128];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		struct json_object *next;

		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		if (!json_object_object_get_ex(o, key, &next)) {
			next = json_object_new_object();
			json_object_object_add(o, key, next);
		}
		o = next;
		path = dot + 1;
	}
	json_object_object_add(o, path, value);
}

/*
 * A cell of n runs scoring mean*(1 +- 1 %), each RUN_S long, with ops =
 * score * RUN_S and bytes = bytes_per_op * ops, busy in user time for
 * user_share of the wall clock.
 */
static struct json_object *tcell(struct json_object *plat, const char *wl, double mean, int n,
				 double bytes_per_op, double user_share)
{
	struct json_object *c = json_object_new_object(), *runs = json_object_new_array(), *arr;

	json_object_object_add(c, "name", json_object_new_string(wl));
	json_object_object_add(c, "unit", json_object_new_string("x/s"));
	json_object_object_add(c, "higher_is_better", json_object_new_boolean(1));
	for (int i = 0; i < n; i++) {
		struct json_object *r = json_object_new_object();
		double score = mean * (1 + (i % 3 - 1) * 0.01), ops = score * RUN_S;

		tset(r, "score", json_object_new_double(score));
		tset(r, "duration_s", json_object_new_double(RUN_S));
		tset(r, "ops", json_object_new_double(ops));
		tset(r, "bytes", json_object_new_double(ops * bytes_per_op));
		tset(r, "rusage.utime_s", json_object_new_double(RUN_S * user_share));
		json_object_array_add(runs, r);
	}
	json_object_object_add(c, "runs", runs);
	json_object_object_get_ex(plat, "workloads", &arr);
	json_object_array_add(arr, c);
	return c;
}

/* Sets a number at path on every run of the cell. */
static __attribute__((unused)) void trun(struct json_object *cell, const char *path, double v)
{
	struct json_object *runs;

	json_object_object_get_ex(cell, "runs", &runs);
	for (size_t i = 0; i < json_object_array_length(runs); i++)
		tset(json_object_array_get_idx(runs, i), path, json_object_new_double(v));
}

/* Sets parsed JSON text at path on every run of the cell. */
static __attribute__((unused)) void trun_json(struct json_object *cell, const char *path,
					      const char *json)
{
	struct json_object *runs;

	json_object_object_get_ex(cell, "runs", &runs);
	for (size_t i = 0; i < json_object_array_length(runs); i++)
		tset(json_object_array_get_idx(runs, i), path, json_tokener_parse(json));
}

/* Every run's probes.host.breakdown.per_op_ns, the buckets not named 0. */
static __attribute__((unused)) void tper_op(struct json_object *cell, double user, double syscall,
					    double runnable, double sleep)
{
	char json[256];

	snprintf(json, sizeof(json),
		 "{\"user\": %g, \"kernel_syscall\": %g, \"kernel_fault\": 0, "
		 "\"kernel_other\": 0, \"runnable\": %g, \"blocked_io\": 0, \"sleep\": %g}",
		 user, syscall, runnable, sleep);
	trun_json(cell, "probes.host.breakdown.per_op_ns", json);
}

/* A cell of three runs, one op each, with status "ok". */
static __attribute__((unused)) struct json_object *tcell_ok(struct json_object *plat,
							    const char *wl, double mean)
{
	struct json_object *c = tcell(plat, wl, mean, 3, 0, 1);

	json_object_object_add(c, "status", json_object_new_string("ok"));
	return c;
}

#endif
