/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "Experiments" section's view, shared by the text, Markdown and HTML
 * renderers the way report_view.h shares the matrix: one table per
 * experiment (a platform and the knob its variants change) and workload,
 * with the baseline's row, each variant's, and native's for reference. The
 * numbers come from exp_measure() (user/findings/experiments.h), the same
 * as the findings'. Strings in it are the document's: renderers escape them.
 */
#ifndef VB_REPORT_EXPERIMENTS_H
#define VB_REPORT_EXPERIMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "experiments.h"
#include "report_view.h"

#define EXP_MAX_ROWS 16

struct exp_row {
	struct json_object *plat;
	const char *value; /* the knob's value on this row */
	bool is_base;
	struct cell_view cell; /* kind, score, ci; error holds a skipped entry's reason */
	bool have_stats;
	struct stats stats;
	bool measured; /* a variant row against its baseline: r holds */
	struct exp_result r;
	char change[96];   /* "+717 (+697..+737)", "+0.5 (-2..+3), no significant effect" */
	char gap[96];	   /* "60 % (58..61 %)", "beats native (108 %)", "no gap", "" */
	char counter[128]; /* "host syscalls per MiB 1139 → 41" */
};

struct exp_table {
	const char *of, *knob, *workload, *unit;
	bool higher_is_better;
	bool have_native;
	struct stats native;
	struct exp_row rows[EXP_MAX_ROWS]; /* the baseline first */
	size_t nrows;
};

typedef void (*exp_table_fn)(const struct exp_table *t, void *arg);

/* Calls fn for each experiment table of doc, in the document's order; returns
 * how many there were (0: the run varied nothing). */
size_t exp_view_each(struct json_object *doc, exp_table_fn fn, void *arg);

/* The lead sentence every format puts under the section's title. */
extern const char exp_view_lead[];

#endif
