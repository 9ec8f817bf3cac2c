/* SPDX-License-Identifier: GPL-2.0 */
/* Statistics over a cell's runs: mean, median, sample stddev, coefficient of
 * variation and a 95 % confidence interval of the mean (Student t). */
#ifndef VB_STATS_H
#define VB_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

struct stats {
	size_t n;
	double mean, median, stddev, cv;
	double ci95_low, ci95_high;
};

/* Fills s from n samples (n may be 0 or 1: spread is then 0, interval the mean). */
void stats_compute(const double *x, size_t n, struct stats *s);

/*
 * A run counts toward a cell's statistics and counter sums unless it says
 * "valid": false (a stalled or otherwise untrusted run the runner kept for
 * the record). Everything that adds up runs asks this.
 */
bool stats_run_kept(struct json_object *run);

/*
 * A cell's statistics from its "runs" array: over the "score" (a finite JSON
 * number) of every kept run. Returns how many scores it used; with none, s
 * holds n = 0. The one place a cell's statistics are computed, for the
 * runner and for a reader whose document lacks them.
 */
size_t stats_of_runs(struct json_object *runs, struct stats *s);
/* s as a results document's "stats" object (n, mean, median, stddev, cv,
 * ci95_low, ci95_high). */
struct json_object *stats_to_json(const struct stats *s);

/* vs_native: a cell's mean over native's mean for the same workload; false
 * unless both are finite and native's is above 0. */
bool stats_vs_native(double mean, double native_mean, double *ratio);

/* Two-sided 97.5 % quantile of Student's t with df degrees of freedom
 * (df may be fractional, as Welch's test gives). */
double stats_t975(double df);

/* Welch's t-test for a difference of means: returns the two-sided p-value. */
double stats_welch_p(const struct stats *a, const struct stats *b);

#endif
