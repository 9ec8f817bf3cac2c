// SPDX-License-Identifier: GPL-2.0
/* Statistics against values computed independently (R / scipy give the same). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json.h>

#include "stats.h"

static void test_t975_table(void **state)
{
	(void)state;
	/* Student t 0.975 quantiles from standard tables. */
	assert_true(fabs(stats_t975(1) - 12.7062) < 1e-3);
	assert_true(fabs(stats_t975(2) - 4.3027) < 1e-3);
	assert_true(fabs(stats_t975(4) - 2.7764) < 1e-3);
	assert_true(fabs(stats_t975(9) - 2.2622) < 1e-3);
	assert_true(fabs(stats_t975(30) - 2.0423) < 1e-3);
	assert_true(fabs(stats_t975(1e6) - 1.9600) < 1e-3);
}

static void test_compute_known(void **state)
{
	const double x[] = {10, 12, 11, 13, 14};
	struct stats s;

	(void)state;
	stats_compute(x, 5, &s);
	assert_int_equal(s.n, 5);
	assert_true(fabs(s.mean - 12) < 1e-12);
	assert_true(fabs(s.median - 12) < 1e-12);
	assert_true(fabs(s.stddev - sqrt(2.5)) < 1e-12);
	assert_true(fabs(s.cv - sqrt(2.5) / 12) < 1e-12);
	/* mean +- t(4) * s / sqrt(5) = 12 +- 1.96324 */
	assert_true(fabs(s.ci95_low - (12 - 1.963243)) < 1e-4);
	assert_true(fabs(s.ci95_high - (12 + 1.963243)) < 1e-4);
}

static void test_compute_even_median_and_edges(void **state)
{
	const double x[] = {4, 1, 3, 2};
	const double one = 7;
	struct stats s;

	(void)state;
	stats_compute(x, 4, &s);
	assert_true(fabs(s.median - 2.5) < 1e-12);
	stats_compute(&one, 1, &s);
	assert_true(s.mean == 7 && s.stddev == 0 && s.ci95_low == 7 && s.ci95_high == 7);
	stats_compute(NULL, 0, &s);
	assert_int_equal(s.n, 0);
}

static void test_welch(void **state)
{
	const double a[] = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
			    21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
	const double b[] = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
			    24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};
	struct stats sa, sb, same;

	(void)state;
	stats_compute(a, 15, &sa);
	stats_compute(b, 15, &sb);
	/* Welch's t = -2.46, df = 24.99, p = 0.021 (the classic example data). */
	assert_true(fabs(stats_welch_p(&sa, &sb) - 0.02104) < 5e-4);
	stats_compute(a, 15, &same);
	assert_true(stats_welch_p(&sa, &same) > 0.999);
}

/* A cell's statistics from its runs: kept runs with a numeric score only. */
static void test_of_runs(void **state)
{
	struct json_object *runs = json_tokener_parse(
		"[{\"score\": 10}, {\"score\": 14.0}, {\"score\": 1e9, \"valid\": false},"
		" {\"score\": \"12\"}, {\"duration_s\": 1}, {\"score\": 12, \"valid\": true},"
		" 7]");
	struct json_object *o, *v;
	struct stats s;

	(void)state;
	assert_int_equal(stats_of_runs(runs, &s), 3);
	assert_int_equal(s.n, 3);
	assert_true(fabs(s.mean - 12) < 1e-12);
	assert_true(fabs(s.median - 12) < 1e-12);
	o = stats_to_json(&s);
	assert_true(json_object_object_get_ex(o, "n", &v) && json_object_get_int(v) == 3);
	assert_true(json_object_object_get_ex(o, "ci95_high", &v) &&
		    fabs(json_object_get_double(v) - s.ci95_high) < 1e-12);
	json_object_put(o);
	json_object_put(runs);
	/* No runs, or not an array: n = 0. */
	assert_int_equal(stats_of_runs(NULL, &s), 0);
	assert_int_equal(s.n, 0);
}

static void test_vs_native(void **state)
{
	double r = -1;

	(void)state;
	assert_true(stats_vs_native(50, 200, &r) && r == 0.25);
	assert_false(stats_vs_native(50, 0, &r));
	assert_false(stats_vs_native(50, -1, &r));
	assert_false(stats_vs_native(NAN, 1, &r));
	assert_false(stats_vs_native(1, INFINITY, &r));
	assert_true(r == 0.25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_t975_table),
		cmocka_unit_test(test_compute_known),
		cmocka_unit_test(test_compute_even_median_and_edges),
		cmocka_unit_test(test_welch),
		cmocka_unit_test(test_of_runs),
		cmocka_unit_test(test_vs_native),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
