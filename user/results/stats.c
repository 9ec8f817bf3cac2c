// SPDX-License-Identifier: GPL-2.0
#include <json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Regularized incomplete beta I_x(a, b) by its continued fraction (Lentz),
 * enough for Student t tail probabilities to many digits.
 */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = fabs(d) < tiny ? 1 / tiny : 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, num, del;

		num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return h;
}

static double ibeta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

/* Two-sided tail probability P(|T| > t) for Student's t with df degrees. */
static double t_two_sided_p(double t, double df)
{
	return ibeta(df / 2, 0.5, df / (df + t * t));
}

double stats_t975(double df)
{
	double lo = 0, hi = 1000;

	if (df <= 0)
		return NAN;
	/* Bisection on the tail probability: monotone, and cheap enough. */
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (t_two_sided_p(mid, df) > 0.05)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

void stats_compute(const double *x, size_t n, struct stats *s)
{
	double sum = 0, ss = 0, *sorted;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	s->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - s->mean) * (x[i] - s->mean);
	s->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
	s->cv = s->mean != 0 ? s->stddev / fabs(s->mean) : 0;

	sorted = malloc(n * sizeof(*sorted));
	if (sorted) {
		memcpy(sorted, x, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
		s->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
		free(sorted);
	}
	if (n > 1) {
		double half = stats_t975((double)(n - 1)) * s->stddev / sqrt((double)n);

		s->ci95_low = s->mean - half;
		s->ci95_high = s->mean + half;
	} else {
		s->ci95_low = s->ci95_high = s->mean;
	}
}

double stats_welch_p(const struct stats *a, const struct stats *b)
{
	double va, vb, se2, t, df;

	if (a->n < 2 || b->n < 2)
		return NAN;
	va = a->stddev * a->stddev / (double)a->n;
	vb = b->stddev * b->stddev / (double)b->n;
	se2 = va + vb;
	if (se2 == 0)
		return a->mean == b->mean ? 1.0 : 0.0;
	t = (a->mean - b->mean) / sqrt(se2);
	/* Welch-Satterthwaite degrees of freedom. */
	df = se2 * se2 / (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
	return t_two_sided_p(fabs(t), df);
}

bool stats_run_kept(struct json_object *run)
{
	struct json_object *v;

	if (!run || !json_object_object_get_ex(run, "valid", &v))
		return true;
	return !json_object_is_type(v, json_type_boolean) || json_object_get_boolean(v);
}

/* A run's score: a JSON number (not a string json-c would convert), finite. */
static bool run_score(struct json_object *run, double *out)
{
	struct json_object *v;

	if (!json_object_is_type(run, json_type_object) ||
	    !json_object_object_get_ex(run, "score", &v) ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return isfinite(*out);
}

size_t stats_of_runs(struct json_object *runs, struct stats *s)
{
	size_t n = json_object_is_type(runs, json_type_array) ? json_object_array_length(runs) : 0,
	       k = 0;
	double *x = calloc(n ? n : 1, sizeof(*x));

	memset(s, 0, sizeof(*s));
	if (!x)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *run = json_object_array_get_idx(runs, i);

		if (stats_run_kept(run) && run_score(run, &x[k]))
			k++;
	}
	stats_compute(x, k, s);
	free(x);
	return k;
}

struct json_object *stats_to_json(const struct stats *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "n", json_object_new_int((int)s->n));
	json_object_object_add(o, "mean", json_object_new_double(s->mean));
	json_object_object_add(o, "median", json_object_new_double(s->median));
	json_object_object_add(o, "stddev", json_object_new_double(s->stddev));
	json_object_object_add(o, "cv", json_object_new_double(s->cv));
	json_object_object_add(o, "ci95_low", json_object_new_double(s->ci95_low));
	json_object_object_add(o, "ci95_high", json_object_new_double(s->ci95_high));
	return o;
}

bool stats_vs_native(double mean, double native_mean, double *ratio)
{
	if (!isfinite(mean) || !isfinite(native_mean) || native_mean <= 0)
		return false;
	*ratio = mean / native_mean;
	return true;
}
