/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a results document (schema "vbench-trace/1") without trusting it:
 * findings, reports and compare all read through these getters, and every
 * one of them tolerates a missing or mistyped field, because probes may be
 * off, a family may be missing, a platform may be skipped, and a document
 * may come from an older or newer tool.
 */
#ifndef VB_REPORT_DOC_H
#define VB_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct stats;

/*
 * What a results document may hold, so that reading and rendering one is
 * bounded in time and memory. A document beyond any of these is refused
 * whole (results_load()), not truncated: a report that silently dropped
 * cells or runs would mislead. 'vbench-trace run' writes far less.
 */
#define DOC_MAX_PLATFORMS  256	/* platform entries, variants included */
#define DOC_MAX_WORKLOADS  64	/* cells per platform */
#define DOC_MAX_RUNS	   1000 /* runs per cell */
#define DOC_MAX_RUNS_TOTAL 10000
#define DOC_MAX_FINDINGS   4096
#define DOC_MAX_EVIDENCE   64 /* entries per finding */
#define DOC_MAX_MEMBERS                                                                \
	1024			/* of one array or object in a run: histogram buckets, \
				 * syscall top entries, exit reasons, table rows */
#define DOC_MAX_RUN_VALUES 8192 /* numbers and strings in one run */

/* true when doc is within the limits above; else false with why ("platforms[2].
 * workloads[0] has 100000 runs (at most 1000 per cell)"). */
bool doc_within_limits(struct json_object *doc, char *why, size_t n);

/* A dotted path ("probes.host.block.p99_us"); NULL when any step is absent. */
struct json_object *doc_get(struct json_object *o, const char *path);
/* A number at path (int or double); false when absent or not a number. */
bool doc_num(struct json_object *o, const char *path, double *out);
double doc_num_or(struct json_object *o, const char *path, double def);
/* A count or a measure at path (a counter, ops, bytes, a duration, a
 * latency): a number, finite, 0 <= v <= DOC_MAX_COUNT; false otherwise, so
 * a negative or overflowing counter reads as absent. */
#define DOC_MAX_COUNT 18446744073709551615.0 /* UINT64_MAX, the probes' counters */
bool doc_count(struct json_object *o, const char *path, double *out);
/* A string at path, or def. */
const char *doc_str(struct json_object *o, const char *path, const char *def);
/* An array at path: its length, 0 when absent or not an array. */
size_t doc_len(struct json_object *o, const char *path);
struct json_object *doc_idx(struct json_object *o, const char *path, size_t i);

/* "docker" or, with a variant, "docker (volume)": the column a platform entry is. */
const char *doc_label(struct json_object *platform, char *buf, size_t n);
bool doc_platform_ok(struct json_object *platform);
/* The native entry (status ok, no variant) that vs_native refers to, or NULL. */
struct json_object *doc_native(struct json_object *doc);
/* The platform entry whose label is label, or NULL. */
struct json_object *doc_platform_by_label(struct json_object *doc, const char *label);
/* A platform's workload cell by name, or NULL. */
struct json_object *doc_cell(struct json_object *platform, const char *workload);

/*
 * The workload names of the whole document, in report order: the design's
 * order (cpu, mem, diskrand, diskseq, fork, net) first, then any other in
 * the order first seen. Returns how many were stored in names (at most max).
 */
size_t doc_workloads(struct json_object *doc, const char **names, size_t max);

/* A cell's statistics: its "stats" object when its "n" is a whole number of
 * runs within DOC_MAX_RUNS, else computed from its runs' scores; false for a
 * failed cell (status "failed") and one without a score. */
bool doc_cell_stats(struct json_object *cell, struct stats *s);
/* A cell's mean / native's mean of the same workload: its "vs_native", or computed. */
bool doc_cell_vs_native(struct json_object *doc, struct json_object *cell, double *ratio);
bool doc_cell_higher_is_better(struct json_object *cell);
bool doc_cell_has_runs(struct json_object *cell);
/* A run is valid unless it says "valid": false (a stalled run, run again):
 * statistics, sums, histograms and maps of a cell leave invalid runs out. */
bool doc_run_valid(struct json_object *run);

/*
 * A counter summed over the runs that carry it, with the same runs' ops,
 * bytes and duration, so that "per op", "per MiB" and "per second" divide
 * like by like even when some runs lack the counter.
 */
struct cell_sum {
	double value, ops, bytes, duration_s, utime_s, stime_s;
	int runs;
};
bool doc_cell_sum(struct json_object *cell, const char *path, struct cell_sum *s);
/* value per op, per MiB, per second of the sum; false when the denominator is 0. */
bool doc_sum_per_op(const struct cell_sum *s, double *out);
bool doc_sum_per_mib(const struct cell_sum *s, double *out);
bool doc_sum_per_s(const struct cell_sum *s, double *out);

/*
 * "probes.guest" when the cell's runs carry a non-empty guest side (the
 * workload ran under a guest kernel, which saw its faults and I/O), else
 * "probes.host": the side that saw the workload itself.
 */
const char *doc_cell_side(struct json_object *cell);
bool doc_cell_has_guest(struct json_object *cell);

/* Sums a log2 histogram (array of counts) over the runs; returns the bins used. */
size_t doc_cell_hist(struct json_object *cell, const char *path, double *bins, size_t max);

/* Sums an object of counters ({"name": n}) over the runs into a json object
 * (caller puts it); NULL when no run carries it. */
struct json_object *doc_cell_sum_map(struct json_object *cell, const char *path);
/* The largest entries of such a map, biggest first; returns how many. */
size_t doc_map_top(struct json_object *map, const char **names, double *vals, size_t max);

/*
 * The VM-exit table of a cell (host side), runs added up, the way perf kvm
 * stat reads: from vm_exits.table when the probes kept timings, else from
 * vm_exits.by_reason (counts only). Sorted by samples, largest first.
 */
struct exit_row {
	char reason[48];
	char isa[8];
	double samples, time_us, min_us, max_us;
	bool timed;
};
size_t doc_cell_exit_rows(struct json_object *cell, struct exit_row *rows, size_t max);

/* A per-run value averaged over runs, weighted by another (p50 by requests). */
bool doc_cell_wavg(struct json_object *cell, const char *path, const char *weight, double *out);

/* 3 significant digits, with k/M/G above 10^4 ("4150", "41.5 k", "0.52"). */
const char *doc_fmt_num(double v, char *buf, size_t n);

/* What the block counters cover, said once in every format. */
extern const char doc_block_scope[];

/*
 * A sentence naming the cells in which a probe map was full, so that some
 * events went uncounted ("" when none was): bounded maps never lose counts
 * silently.
 */
void doc_overflow_note(struct json_object *doc, char *buf, size_t n);

/* A sentence naming every invalid run and why ("" when none is), for the
 * warning every report shows; cut with "..." when it does not fit. */
void doc_invalid_note(struct json_object *doc, char *buf, size_t n);

#endif
