// SPDX-License-Identifier: GPL-2.0
/* A cell's "overhead" against native (user/results/overhead.c): the median
 * run of each side, the extra ns per op of every bucket, the share of the
 * gap each explains, the busy gap (every bucket but sleep) and its shares,
 * and which entry is the reference. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "doc_builder.h"
#include "overhead.h"
#include "results_doc.h"

/* Run i of the cell gets per_op_ns: user u[i], kernel_syscall k[i], sleep
 * s[i], the rest 0. */
static void set_per_op(struct json_object *cell, int i, double u, double k, double s)
{
	struct json_object *run =
		json_object_array_get_idx(json_object_object_get(cell, "runs"), i);
	char json[256];

	snprintf(json, sizeof(json),
		 "{\"user\": %g, \"kernel_syscall\": %g, \"kernel_fault\": 0, "
		 "\"kernel_other\": 0, \"runnable\": 0, \"blocked_io\": 0, \"sleep\": %g}",
		 u, k, s);
	tset(run, "probes.host.breakdown.per_op_ns", json_tokener_parse(json));
}

static struct json_object *ok_cell(struct json_object *plat, const char *wl, double mean)
{
	struct json_object *c = tcell(plat, wl, mean, 3, 0, 1);

	json_object_object_add(c, "status", json_object_new_string("ok"));
	return c;
}

static double num(struct json_object *o, const char *a, const char *b)
{
	struct json_object *x;

	assert_true(json_object_object_get_ex(o, a, &x));
	if (b)
		assert_true(json_object_object_get_ex(x, b, &x));
	return json_object_get_double(x);
}

static bool never_baseline(const char *name)
{
	(void)name;
	return false;
}

/* tcell's runs score mean*0.99, mean, mean*1.01: run 1 is the median. Each
 * run's buckets differ, so picking another run would show. */
static void test_median_run_and_gap(void **state)
{
	struct json_object *doc = tdoc_new(), *nat, *qemu, *nc, *qc, *ov;
	size_t idx = 99;

	(void)state;
	nat = tplat(doc, "native", NULL);
	qemu = tplat(doc, "qemu", NULL);
	nc = ok_cell(nat, "cpu", 1000);
	qc = ok_cell(qemu, "cpu", 100);
	for (int i = 0; i < 3; i++) {
		set_per_op(nc, i, 100 + i, 10, 200 + i);
		set_per_op(qc, i, 1000 + 10 * i, 20, 150);
	}
	assert_ptr_equal(overhead_median_run(qc, &idx),
			 json_object_array_get_idx(json_object_object_get(qc, "runs"), 1));
	assert_int_equal(idx, 1);
	results_doc_finish(doc, never_baseline, false);
	assert_false(json_object_object_get_ex(nc, "overhead", &ov));
	assert_true(json_object_object_get_ex(qc, "overhead", &ov));
	assert_string_equal(json_object_get_string(json_object_object_get(ov, "against")),
			    "native");
	assert_int_equal((int)num(ov, "run", NULL), 1);
	assert_int_equal((int)num(ov, "native_run", NULL), 1);
	assert_true(num(ov, "per_op_ns", "user") == 1010);
	assert_true(num(ov, "native_per_op_ns", "user") == 101);
	/* extra: user +909, syscall +10, sleep -51: total +868 */
	assert_true(num(ov, "extra_per_op_ns", "user") == 909);
	assert_true(num(ov, "extra_per_op_ns", "kernel_syscall") == 10);
	assert_true(num(ov, "extra_per_op_ns", "sleep") == -51);
	assert_true(num(ov, "extra_per_op_ns", "kernel_fault") == 0);
	assert_true(num(ov, "extra_total_ns", NULL) == 868);
	assert_true(fabs(num(ov, "share_of_gap", "user") - 909.0 / 868) < 1e-12);
	assert_true(fabs(num(ov, "share_of_gap", "sleep") + 51.0 / 868) < 1e-12);
	{
		double sum = 0;

		for (int b = 0; b < OVERHEAD_NBUCKETS; b++)
			sum += num(ov, "share_of_gap", overhead_buckets[b]);
		assert_true(fabs(sum - 1) < 1e-12);
	}
	/* The busy gap leaves sleep out: user +909, syscall +10 = 919, and its
	 * shares, of the six other buckets, sum to 1. */
	assert_true(num(ov, "extra_busy_ns", NULL) == 919);
	assert_true(fabs(num(ov, "share_of_busy_gap", "user") - 909.0 / 919) < 1e-12);
	assert_true(fabs(num(ov, "share_of_busy_gap", "kernel_syscall") - 10.0 / 919) < 1e-12);
	assert_true(num(ov, "share_of_busy_gap", "runnable") == 0);
	assert_null(
		json_object_object_get(json_object_object_get(ov, "share_of_busy_gap"), "sleep"));
	{
		double sum = 0;

		for (int b = 0; b < OVERHEAD_NBUCKETS; b++)
			if (b != OVERHEAD_SLEEP)
				sum += num(ov, "share_of_busy_gap", overhead_buckets[b]);
		assert_true(fabs(sum - 1) < 1e-12);
	}
	/* No guest breakdown: no guest side. */
	assert_null(json_object_object_get(ov, "guest"));
	json_object_put(doc);
}

/* A platform that only sleeps more (idle threads of its own) has a gap but
 * no busy gap, and so no shares of one. */
static void test_sleep_only_gap_is_not_busy(void **state)
{
	struct json_object *doc = tdoc_new(), *nc, *qc, *ov;

	(void)state;
	nc = ok_cell(tplat(doc, "native", NULL), "cpu", 1000);
	qc = ok_cell(tplat(doc, "qemu", NULL), "cpu", 1000);
	for (int i = 0; i < 3; i++) {
		set_per_op(nc, i, 100, 10, 200);
		set_per_op(qc, i, 100, 10, 2500);
	}
	results_doc_add_overhead(doc);
	assert_true(json_object_object_get_ex(qc, "overhead", &ov));
	assert_true(num(ov, "extra_total_ns", NULL) == 2300);
	assert_true(num(ov, "share_of_gap", "sleep") == 1);
	assert_true(num(ov, "extra_busy_ns", NULL) == 0);
	assert_null(json_object_object_get(ov, "share_of_busy_gap"));
	json_object_put(doc);
}

/* A guest's own view of the same run, beside the host's, against native. */
static void test_guest_side(void **state)
{
	struct json_object *doc = tdoc_new(), *nc, *qc, *ov, *g;

	(void)state;
	nc = ok_cell(tplat(doc, "native", NULL), "cpu", 1000);
	qc = ok_cell(tplat(doc, "qemu", NULL), "cpu", 100);
	for (int i = 0; i < 3; i++) {
		set_per_op(nc, i, 100, 10, 200);
		set_per_op(qc, i, 1000, 20, 150);
		tset(json_object_array_get_idx(json_object_object_get(qc, "runs"), i),
		     "probes.guest.breakdown.per_op_ns",
		     json_tokener_parse("{\"user\": 400, \"kernel_syscall\": 30, "
					"\"kernel_fault\": 0, \"kernel_other\": 0, "
					"\"runnable\": 0, \"blocked_io\": 0, \"sleep\": 200}"));
	}
	results_doc_finish(doc, never_baseline, false);
	assert_true(json_object_object_get_ex(qc, "overhead", &ov));
	assert_string_equal(json_object_get_string(json_object_object_get(ov, "side")), "host");
	assert_true(json_object_object_get_ex(ov, "guest", &g));
	assert_string_equal(json_object_get_string(json_object_object_get(g, "side")), "guest");
	/* guest user 400 against native's 100; syscall 30 against 10 */
	assert_true(num(g, "extra_per_op_ns", "user") == 300);
	assert_true(num(g, "extra_per_op_ns", "kernel_syscall") == 20);
	assert_true(num(g, "extra_total_ns", NULL) == 320);
	/* guest sleep 200 is native's: the busy gap is the whole gap here */
	assert_true(num(g, "extra_busy_ns", NULL) == 320);
	assert_true(num(g, "share_of_busy_gap", "user") == 300.0 / 320);
	/* the host side's, beside it: user +900, syscall +10, sleep -50 */
	assert_true(num(ov, "extra_busy_ns", NULL) == 910);
	json_object_put(doc);
}

/* An invalid run is no candidate for the median; neither is a run without
 * per-op buckets. */
static void test_median_skips_invalid_and_bare_runs(void **state)
{
	struct json_object *doc = tdoc_new(), *p, *c, *runs;
	size_t idx;

	(void)state;
	p = tplat(doc, "native", NULL);
	c = ok_cell(p, "fork", 1000);
	runs = json_object_object_get(c, "runs");
	assert_null(overhead_median_run(c, &idx));
	set_per_op(c, 0, 1, 1, 1);
	set_per_op(c, 1, 2, 2, 2);
	set_per_op(c, 2, 3, 3, 3);
	json_object_object_add(json_object_array_get_idx(runs, 1), "valid",
			       json_object_new_boolean(0));
	/* kept: run 0 (0.99) and run 2 (1.01): the lower middle is run 0 */
	assert_ptr_equal(overhead_median_run(c, &idx), json_object_array_get_idx(runs, 0));
	assert_int_equal(idx, 0);
	json_object_put(doc);
}

/*
 * The reference is "native" without a variant, string or object; variants
 * of native and names like "qemu[net=tap]" are compared with it; a failed
 * cell or one without a breakdown gets nothing, and no gap has no shares.
 */
static void test_reference_and_cells_left_alone(void **state)
{
	struct json_object *doc = tdoc_new(), *nvar, *nobj, *nat, *tap, *bare, *ov;
	struct json_object *c_nvar, *c_nobj, *c_tap, *c_bare, *c_failed, *nc;

	(void)state;
	nvar = tplat(doc, "native", "tuned");
	nobj = tplat(doc, "native", NULL);
	json_object_object_add(nobj, "variant",
			       json_tokener_parse("{\"of\": \"native\", \"knob\": \"k\", "
						  "\"value\": \"v\"}"));
	nat = tplat(doc, "native", NULL);
	tap = tplat(doc, "qemu[net=tap]", NULL);
	bare = tplat(doc, "docker", NULL);
	c_nvar = ok_cell(nvar, "cpu", 1000);
	c_nobj = ok_cell(nobj, "cpu", 1000);
	nc = ok_cell(nat, "cpu", 1000);
	c_tap = ok_cell(tap, "cpu", 1000);
	c_bare = ok_cell(bare, "cpu", 1000);
	c_failed = ok_cell(bare, "cpu", 1000);
	json_object_object_add(c_failed, "status", json_object_new_string("failed"));
	for (int i = 0; i < 3; i++) {
		set_per_op(c_nvar, i, 50, 0, 0);
		set_per_op(c_nobj, i, 70, 0, 0);
		set_per_op(nc, i, 100, 0, 0);
		set_per_op(c_tap, i, 100, 0, 0);
		set_per_op(c_failed, i, 500, 0, 0);
	}
	results_doc_add_overhead(doc);
	assert_false(json_object_object_get_ex(nc, "overhead", &ov));
	assert_true(json_object_object_get_ex(c_nvar, "overhead", &ov));
	assert_true(num(ov, "extra_per_op_ns", "user") == -50);
	assert_true(json_object_object_get_ex(c_nobj, "overhead", &ov));
	assert_true(num(ov, "extra_per_op_ns", "user") == -30);
	assert_true(json_object_object_get_ex(c_tap, "overhead", &ov));
	assert_true(num(ov, "extra_total_ns", NULL) == 0);
	assert_false(json_object_object_get_ex(ov, "share_of_gap", &ov));
	assert_false(json_object_object_get_ex(c_bare, "overhead", &ov));
	assert_false(json_object_object_get_ex(c_failed, "overhead", &ov));
	json_object_put(doc);
}

/* Without a plain native entry, nothing is compared. */
/* "steal" may be missing (a document from before it: 0), not malformed. */
static void test_steal_bucket_read(void **state)
{
	static const char base[] = "\"user\": 1, \"kernel_syscall\": 2, \"kernel_fault\": 3, "
				   "\"kernel_other\": 4, \"runnable\": 6, \"blocked_io\": 7";
	double out[OVERHEAD_NBUCKETS];
	struct json_object *o;
	char json[256];

	(void)state;
	snprintf(json, sizeof(json), "{%s, \"sleep\": 8}", base);
	o = json_tokener_parse(json);
	assert_true(overhead_buckets_read(o, true, out));
	assert_true(out[OVERHEAD_STEAL] == 0 && out[OVERHEAD_SLEEP] == 8 && out[0] == 1);
	json_object_put(o);
	snprintf(json, sizeof(json), "{%s, \"steal\": 5}", base);
	o = json_tokener_parse(json);
	assert_false(overhead_buckets_read(o, true, out)); /* no sleep */
	assert_true(overhead_buckets_read(o, false, out));
	assert_true(out[OVERHEAD_STEAL] == 5 && out[OVERHEAD_SLEEP] == 0 && out[6] == 7);
	json_object_put(o);
	snprintf(json, sizeof(json), "{%s, \"steal\": \"x\", \"sleep\": 8}", base);
	o = json_tokener_parse(json);
	assert_false(overhead_buckets_read(o, true, out));
	json_object_put(o);
	assert_false(overhead_buckets_read(NULL, true, out));
}

static void test_no_reference(void **state)
{
	struct json_object *doc = tdoc_new(), *q, *c, *ov;

	(void)state;
	q = tplat(doc, "qemu", NULL);
	c = ok_cell(q, "cpu", 10);
	for (int i = 0; i < 3; i++)
		set_per_op(c, i, 1, 1, 1);
	results_doc_add_overhead(doc);
	assert_false(json_object_object_get_ex(c, "overhead", &ov));
	json_object_put(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_run_and_gap),
		cmocka_unit_test(test_sleep_only_gap_is_not_busy),
		cmocka_unit_test(test_guest_side),
		cmocka_unit_test(test_median_skips_invalid_and_bare_runs),
		cmocka_unit_test(test_reference_and_cells_left_alone),
		cmocka_unit_test(test_steal_bucket_read),
		cmocka_unit_test(test_no_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
