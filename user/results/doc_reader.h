/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results reader: reading a results document (schema "vbench-trace/1")
 * without trusting it. Findings, reports and compare read through it, and
 * every part of it tolerates a missing or mistyped field, because probes may
 * be off, a family may be missing, a platform may be skipped, and a document
 * may come from an older or newer tool.
 *
 * Two layers: generic getters by dotted path (doc_reader.c), and the typed
 * reader of a cell (doc_cell.c: doc_cell_read(), doc_side_read()), the one
 * place that spells counter paths and sums counters over a cell's runs.
 */
#ifndef VB_DOC_READER_H
#define VB_DOC_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

struct json_object;

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

/* "qemu", "qemu[net=tap]" or, in an older document's variant, "docker
 * (volume)": the column a platform entry is. */
const char *doc_label(struct json_object *platform, char *buf, size_t n);
/* Is the entry a variant (run --vary's object, or an older document's string)? */
bool doc_is_variant(struct json_object *platform);
/* A variant entry's variant: {"of", "knob", "value"}, or an older
 * document's string (--docker-volume's second docker entry), read as knob
 * storage with old_form set. */
struct doc_variant {
	const char *of, *knob, *value;
	bool old_form;
};
/* false for an entry that is not a variant (or whose variant is unreadable). */
bool doc_variant_read(struct json_object *platform, struct doc_variant *v);

bool doc_platform_ok(struct json_object *platform);
/* The native entry (status ok, no variant) that vs_native refers to, or NULL. */
struct json_object *doc_native(struct json_object *doc);
/* The platform entry whose label is label, or NULL. */
struct json_object *doc_platform_by_label(struct json_object *doc, const char *label);
/* A platform's workload cell by name, or NULL. */
struct json_object *doc_cell(struct json_object *platform, const char *workload);

/*
 * The workload names of the whole document, in report order: the workload
 * table's (workload.c: cpu, mem, diskrand, diskseq, fork, net) first, then
 * any other in the order first seen. Returns how many were stored in names
 * (at most max).
 */
size_t doc_workloads(struct json_object *doc, const char **names, size_t max);

/*
 * A run counts in every statistic and counter sum below unless it says
 * "valid": false (stats_run_kept()); such runs stay in the document for the
 * record and are counted in doc_cell_view.runs_left_out.
 */

/* A cell's statistics: its "stats" object when its "n" is a whole number of
 * runs within DOC_MAX_RUNS, else computed from its kept runs' scores
 * (stats_of_runs()); false for a failed cell (status "failed") and one
 * without a score. */
bool doc_cell_stats(struct json_object *cell, struct stats *s);
/* A cell's mean / native's mean of the same workload: its "vs_native", or
 * computed (stats_vs_native()). */
bool doc_cell_vs_native(struct json_object *doc, struct json_object *cell, double *ratio);
bool doc_cell_higher_is_better(struct json_object *cell);
/* true when the cell has at least one kept run. */
bool doc_cell_has_runs(struct json_object *cell);

/*
 * A counter summed over the kept runs that carry it, with the same runs' ops,
 * bytes and duration, so that "per op", "per MiB" and "per second" divide
 * like by like even when some runs lack the counter.
 */
struct cell_sum {
	double value, ops, bytes, duration_s, utime_s, stime_s;
	int runs;
};
/* value per op, per MiB, per second of the sum; false when the denominator is 0. */
bool doc_sum_per_op(const struct cell_sum *s, double *out);
bool doc_sum_per_mib(const struct cell_sum *s, double *out);
bool doc_sum_per_s(const struct cell_sum *s, double *out);

/* ---- the typed reader: a cell, and what each kernel counted for it ---- */

/* Which kernel counted: the host's (every platform) or the guest's (qemu, kvm). */
enum doc_side { DOC_SIDE_HOST, DOC_SIDE_GUEST };

/* The side that saw the workload itself: the guest when the cell's kept runs
 * carry a non-empty guest side (it ran under a guest kernel, which saw its
 * faults and I/O), else the host. */
enum doc_side doc_cell_side(struct json_object *cell);
const char *doc_side_name(enum doc_side side); /* "host", "guest" */

/* One cell, read once: what every finding and renderer starts from. */
struct doc_cell_view {
	const char *workload, *unit; /* NULL, "" when absent */
	const char *error;	     /* the cell's "error", or NULL */
	bool higher_is_better;
	bool have_stats;
	struct stats stats;
	bool have_vs_native;
	double vs_native; /* NAN without one */
	enum doc_side side;
	bool has_guest;
	int runs;		       /* kept runs */
	int runs_left_out;	       /* runs that said "valid": false */
	double ops, bytes, duration_s; /* summed over the kept runs */
	struct cell_sum user_time;     /* rusage.utime_s over the kept runs that carry it */
};
void doc_cell_read(struct json_object *doc, struct json_object *cell, struct doc_cell_view *v);

/* Page faults (faults family) as the side's kernel took them. */
struct doc_faults {
	bool present; /* page_faults_user in some kept run */
	int runs;     /* the runs that carried it: every figure below is over them */
	double user, kernel, total;
	/* Per unit of work: per MiB moved when the runs moved bytes, else per op.
	 * Computed here and nowhere else. */
	bool have_per_unit, per_mib;
	double per_unit, user_per_unit, kernel_per_unit;
	bool have_per_op, have_per_s;
	double per_op, per_s; /* user + kernel per op, per second */
};

/* A log2 latency histogram (slot 0: [0, 2) us, slot k: [2^k, 2^(k+1)) us). */
#define DOC_HIST_BINS 32

/* Block requests (block family), attributed to the target or device-wide. */
struct doc_block {
	struct cell_sum requests, bytes; /* requests.runs > 0: the family reported */
	bool have_p50, have_p99;
	double p50_us, p99_us; /* averaged over runs, weighted by requests */
	double hist[DOC_HIST_BINS];
	size_t hist_bins; /* slots in use; 0 without a histogram */
};

/*
 * A VM-exit reason, runs added up, the way perf kvm stat reads: from
 * vm_exits.table when the probes kept timings, else from vm_exits.by_reason
 * (counts only).
 */
struct exit_row {
	char reason[48];
	char isa[8];
	double samples, time_us, min_us, max_us;
	bool timed;
};

#define DOC_MAX_EXIT_ROWS 64
#define DOC_TOP_SYSCALLS  10

struct doc_syscall {
	char name[64];
	double count;
};

/* Everything one side counted for a cell, summed over its kept runs. A
 * family that did not load (or a side that is absent) reads as not present. */
struct doc_side_counters {
	enum doc_side side;
	struct doc_faults faults;
	struct cell_sum forks, clone_syscalls;
	bool have_clone_p50;
	double clone_p50_us; /* weighted by clone syscalls */
	struct doc_block block, block_device;
	struct cell_sum syscalls;		  /* syscalls.total */
	struct doc_syscall top[DOC_TOP_SYSCALLS]; /* summed top, biggest first */
	size_t ntop;
	struct cell_sum vm_exits;		  /* vm_exits.total */
	struct exit_row exits[DOC_MAX_EXIT_ROWS]; /* by reason, most samples first */
	size_t nexits;
};
/* Reads one side of a cell; true when any family there reported. */
bool doc_side_read(struct json_object *cell, enum doc_side side, struct doc_side_counters *k);

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

/*
 * A sentence naming the cells some of whose runs said "valid": false and
 * were left out of every statistic and counter sum, with how many and the
 * first "invalid_reason" ("" when no run was left out).
 */
void doc_left_out_note(struct json_object *doc, char *buf, size_t n);

#endif
