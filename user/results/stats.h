/* SPDX-License-Identifier: GPL-2.0 */
/* Statistics over a cell's runs: mean, median, sample stddev, coefficient of
 * variation and a 95 % confidence interval of the mean (Student t). */
#ifndef VB_STATS_H
#define VB_STATS_H

#include <stddef.h>

struct stats {
	size_t n;
	double mean, median, stddev, cv;
	double ci95_low, ci95_high;
};

/* Fills s from n samples (n may be 0 or 1: spread is then 0, interval the mean). */
void stats_compute(const double *x, size_t n, struct stats *s);

/* Two-sided 97.5 % quantile of Student's t with df degrees of freedom
 * (df may be fractional, as Welch's test gives). */
double stats_t975(double df);

/* Welch's t-test for a difference of means: returns the two-sided p-value. */
double stats_welch_p(const struct stats *a, const struct stats *b);

#endif
