/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the time went, against native: a cell's "overhead" (shared/DESIGN.md,
 * "Where the time went"; docs/results-schema.md). Per unit of work, each
 * bucket of the breakdown's states_ns on this platform's median run less the
 * same bucket on native's median run of the workload, and the share of the
 * whole per-op gap each bucket explains; and the busy gap, every bucket but
 * sleep, with each of those buckets' share of it. Computed from the document alone,
 * when it is finished; reports read it back.
 */
#ifndef VB_OVERHEAD_H
#define VB_OVERHEAD_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* The breakdown's buckets, in the order every table and bar shows them. */
#define OVERHEAD_NBUCKETS 8
extern const char *const overhead_buckets[OVERHEAD_NBUCKETS];
/* "steal", after the four on-CPU buckets: the on-CPU time the hypervisor
 * under the measuring kernel ran something else. */
#define OVERHEAD_STEAL 4
/* The last bucket, "sleep": waiting for work, outside the busy gap. */
#define OVERHEAD_SLEEP (OVERHEAD_NBUCKETS - 1)

/*
 * The run a cell's breakdown is read from: among its kept runs whose
 * probes.host.breakdown has per_op_ns, the one of median score (the lower
 * of the two middle ones for an even count). NULL when there is none;
 * *index (may be NULL) is its place in the cell's runs.
 */
struct json_object *overhead_median_run(struct json_object *cell, size_t *index);

/*
 * The buckets of an object keyed by their names (states_ns, per_op_ns,
 * extra_per_op_ns...) into out, in overhead_buckets order; false when one
 * is missing. "steal" may be: a document written before it had none (0).
 * Without sleep, "sleep" is not asked for and reads 0 (share_of_busy_gap).
 */
bool overhead_buckets_read(struct json_object *o, bool with_sleep, double out[OVERHEAD_NBUCKETS]);

/* The per-op ns of each bucket (overhead_buckets order) of a breakdown at
 * side ("probes.host" or "probes.guest") of run; false when absent. */
bool overhead_per_op(struct json_object *run, const char *side, double out[OVERHEAD_NBUCKETS]);

/*
 * Adds "overhead" to every ok cell of every platform entry other than the
 * reference, the entry named "native" without a variant, whose same
 * workload has a breakdown per op. Cells without one are left alone.
 */
void results_doc_add_overhead(struct json_object *doc);

#endif
