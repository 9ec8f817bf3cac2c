// SPDX-License-Identifier: GPL-2.0
/*
 * A cell's "overhead" against native, bucket by bucket (overhead.h). The
 * median run of each cell stands for it, not a mean of the runs' buckets:
 * its buckets add up to one real run's time, as a mean of each would not
 * exactly, and one odd run cannot pull them.
 */
#include <json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "doc_reader.h"
#include "overhead.h"
#include "stats.h"

const char *const overhead_buckets[OVERHEAD_NBUCKETS] = {
	"user",	 "kernel_syscall", "kernel_fault", "kernel_other",
	"steal", "runnable",	   "blocked_io",   "sleep",
};

bool overhead_buckets_read(struct json_object *o, bool with_sleep, double out[OVERHEAD_NBUCKETS])
{
	if (!o || !json_object_is_type(o, json_type_object))
		return false;
	for (int b = 0; b < OVERHEAD_NBUCKETS; b++) {
		out[b] = 0;
		if (b == OVERHEAD_SLEEP && !with_sleep)
			continue;
		if (!doc_num(o, overhead_buckets[b], &out[b]) &&
		    (b != OVERHEAD_STEAL || json_object_object_get_ex(o, "steal", NULL)))
			return false;
	}
	return true;
}

bool overhead_per_op(struct json_object *run, const char *side, double out[OVERHEAD_NBUCKETS])
{
	struct json_object *per = doc_get(doc_get(run, side), "breakdown.per_op_ns");

	if (!overhead_buckets_read(per, true, out))
		return false;
	for (int b = 0; b < OVERHEAD_NBUCKETS; b++)
		if (!isfinite(out[b]) || out[b] < 0)
			return false;
	return true;
}

struct scored_run {
	double score;
	size_t index;
};

static int by_score(const void *a, const void *b)
{
	const struct scored_run *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

struct json_object *overhead_median_run(struct json_object *cell, size_t *index)
{
	size_t n = doc_len(cell, "runs"), got = 0;
	struct scored_run *r = calloc(n ? n : 1, sizeof(*r));
	double per[OVERHEAD_NBUCKETS];
	struct json_object *run = NULL;

	for (size_t i = 0; r && i < n; i++) {
		struct json_object *x = doc_idx(cell, "runs", i);
		double score;

		if (stats_run_kept(x) && doc_num(x, "score", &score) && isfinite(score) &&
		    overhead_per_op(x, "probes.host", per))
			r[got++] = (struct scored_run){score, i};
	}
	if (got) {
		qsort(r, got, sizeof(*r), by_score);
		run = doc_idx(cell, "runs", r[(got - 1) / 2].index);
		if (index)
			*index = r[(got - 1) / 2].index;
	}
	free(r);
	return run;
}

static bool cell_ok(struct json_object *cell)
{
	return !strcmp(doc_str(cell, "status", ""), "ok");
}

static struct json_object *buckets_json(const double *v)
{
	struct json_object *o = json_object_new_object();

	for (int b = 0; b < OVERHEAD_NBUCKETS; b++)
		json_object_object_add(o, overhead_buckets[b], json_object_new_double(v[b]));
	return o;
}

/*
 * The gap without sleep: a thread asleep waiting for work does none, and on
 * a VMM the idle vCPUs' and helper threads' sleep outweighs everything
 * else (shared/DESIGN.md, "Where the time went"). Its shares are of the
 * other buckets only, so they have no "sleep" key.
 */
static void add_busy_gap(struct json_object *o, const double *extra)
{
	struct json_object *share;
	double busy = 0;

	for (int b = 0; b < OVERHEAD_NBUCKETS; b++)
		if (b != OVERHEAD_SLEEP)
			busy += extra[b];
	json_object_object_add(o, "extra_busy_ns", json_object_new_double(busy));
	if (busy == 0)
		return;
	share = json_object_new_object();
	for (int b = 0; b < OVERHEAD_NBUCKETS; b++)
		if (b != OVERHEAD_SLEEP)
			json_object_object_add(share, overhead_buckets[b],
					       json_object_new_double(extra[b] / busy));
	json_object_object_add(o, "share_of_busy_gap", share);
}

static struct json_object *overhead_json(const char *side, size_t run, size_t native_run,
					 const double *mine, const double *native)
{
	struct json_object *o = json_object_new_object();
	double extra[OVERHEAD_NBUCKETS], total = 0;

	for (int b = 0; b < OVERHEAD_NBUCKETS; b++) {
		extra[b] = mine[b] - native[b];
		total += extra[b];
	}
	json_object_object_add(o, "against", json_object_new_string("native"));
	json_object_object_add(o, "side", json_object_new_string(side));
	json_object_object_add(o, "run", json_object_new_uint64(run));
	json_object_object_add(o, "native_run", json_object_new_uint64(native_run));
	json_object_object_add(o, "per_op_ns", buckets_json(mine));
	json_object_object_add(o, "native_per_op_ns", buckets_json(native));
	json_object_object_add(o, "extra_per_op_ns", buckets_json(extra));
	json_object_object_add(o, "extra_total_ns", json_object_new_double(total));
	/* A gap of nothing has no shares to explain. */
	if (total != 0) {
		double share[OVERHEAD_NBUCKETS];

		for (int b = 0; b < OVERHEAD_NBUCKETS; b++)
			share[b] = extra[b] / total;
		json_object_object_add(o, "share_of_gap", buckets_json(share));
	}
	add_busy_gap(o, extra);
	return o;
}

static void add_cell_overhead(struct json_object *cell, struct json_object *native_cell)
{
	double mine[OVERHEAD_NBUCKETS], native[OVERHEAD_NBUCKETS], guest[OVERHEAD_NBUCKETS];
	struct json_object *run, *nrun, *ov;
	size_t i, ni;

	if (!cell_ok(cell) || !native_cell || !cell_ok(native_cell))
		return;
	run = overhead_median_run(cell, &i);
	nrun = overhead_median_run(native_cell, &ni);
	if (!run || !nrun || !overhead_per_op(run, "probes.host", mine) ||
	    !overhead_per_op(nrun, "probes.host", native))
		return;
	ov = overhead_json("host", i, ni, mine, native);
	/* A guest's own kernel saw the agent's threads as native's kernel saw
	 * native's: the same run's guest view against native's, side by side. */
	if (overhead_per_op(run, "probes.guest", guest))
		json_object_object_add(ov, "guest", overhead_json("guest", i, ni, guest, native));
	json_object_object_add(cell, "overhead", ov);
}

void results_doc_add_overhead(struct json_object *doc)
{
	/* The reference vs_native uses too: "native", no variant, status ok. */
	struct json_object *ref = doc_native(doc);

	for (size_t i = 0; ref && i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		if (p == ref)
			continue;
		for (size_t j = 0; j < doc_len(p, "workloads"); j++) {
			struct json_object *cell = doc_idx(p, "workloads", j);

			add_cell_overhead(cell, doc_cell(ref, doc_str(cell, "name", "")));
		}
	}
}
