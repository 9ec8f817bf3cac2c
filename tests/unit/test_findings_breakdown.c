// SPDX-License-Identifier: GPL-2.0
/* The "where-the-time-went" finding (user/findings/findings_breakdown.c):
 * from a fixture document's overhead, the busy gap (every state but sleep)
 * first with sleep's extra apart, the buckets that moved most with their
 * shares of it, the on-CPU part, and a VMM's vCPU share. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "doc_builder.h"
#include "findings.h"
#include "overhead.h"

static void set_per_op(struct json_object *cell, double user, double runnable, double sleep)
{
	tper_op(cell, user, 0, runnable, sleep);
}

static struct json_object *only(struct json_object *findings, const char *rule)
{
	struct json_object *hit = NULL;

	for (size_t i = 0; i < json_object_array_length(findings); i++) {
		struct json_object *f = json_object_array_get_idx(findings, i);

		if (!strcmp(json_object_get_string(json_object_object_get(f, "rule")), rule)) {
			assert_null(hit);
			hit = f;
		}
	}
	return hit;
}

static double evnum(struct json_object *f, const char *key)
{
	struct json_object *e, *v;

	assert_true(json_object_object_get_ex(f, "evidence", &e));
	assert_true(json_object_object_get_ex(e, key, &v));
	return json_object_get_double(v);
}

/* qemu: user 1 µs -> 3 µs, runnable 0 -> 1 µs, sleep 2 -> 3 µs per op: a gap
 * of 4 µs, 3 µs of it busy (two thirds user code) and 1 µs more sleep; its
 * vCPUs ran 3 of its 4 µs on CPU. */
static void test_gap_in_buckets(void **state)
{
	struct json_object *doc = tdoc_new(), *nat, *q, *qc, *runs, *found, *f;
	const char *text;

	(void)state;
	nat = tplat(doc, "native", NULL);
	q = tplat(doc, "qemu", NULL);
	set_per_op(tcell_ok(nat, "cpu", 1000), 1000, 0, 2000);
	qc = tcell_ok(q, "cpu", 100);
	set_per_op(qc, 3000, 1000, 3000);
	runs = json_object_object_get(qc, "runs");
	for (size_t i = 0; i < json_object_array_length(runs); i++)
		tset(json_object_array_get_idx(runs, i), "probes.host.breakdown.roles",
		     json_tokener_parse("{\"vcpu\": {\"states_ns\": {\"user\": 3000000, "
					"\"kernel_syscall\": 0}, \"samples\": {\"by_region\": "
					"{\"kernel\": 5, \"translated_code\": 71, \"qemu\": 24}}}, "
					"\"main_loop\": {\"states_ns\": "
					"{\"user\": 500000, \"kernel_syscall\": 500000}}}"));
	results_doc_add_overhead(doc);
	found = findings_derive(doc);
	f = only(found, "where-the-time-went");
	assert_non_null(f);
	text = json_object_get_string(json_object_object_get(f, "text"));
	assert_non_null(strstr(text, "qemu cpu: "));
	/* The busy gap leads; sleep follows as idle, in no bucket's share. */
	assert_non_null(strstr(text,
			       "qemu cpu: per unit of work its threads were busy 4 µs against "
			       "native's 1 µs (+3 µs busy; idle threads also slept 1 µs "
			       "more); "));
	assert_non_null(strstr(text, "on CPU +2 µs (67 % of the busy gap)"));
	assert_non_null(strstr(text, "the busy gap by state: user code +2 µs (67 %), waiting for a "
				     "CPU +1 µs (33 %); "));
	assert_null(strstr(text, "sleeping"));
	assert_non_null(strstr(text, "its vCPU threads ran 75 % of its on-CPU time"));
	/* Where their samples ran, the two largest regions, with the count. */
	assert_non_null(strstr(text, "; 71 % of their samples ran translated guest code, 24 % "
				     "QEMU's own code"));
	assert_non_null(strstr(text, "(100 samples)"));
	assert_true(evnum(f, "vcpu_samples_translated_code") == 0.71);
	assert_true(evnum(f, "extra_total_ns") == 4000);
	assert_true(evnum(f, "extra_busy_ns") == 3000);
	assert_true(evnum(f, "extra_sleep_ns") == 1000);
	assert_true(evnum(f, "busy_per_op_ns") == 4000);
	assert_true(evnum(f, "native_busy_per_op_ns") == 1000);
	assert_true(evnum(f, "per_op_ns") == 7000);
	assert_true(evnum(f, "busy_share_user") == 0.6667);
	assert_true(evnum(f, "busy_share_runnable") == 0.3333);
	assert_true(evnum(f, "share_user") == 0.5); /* of the whole gap, as before */
	assert_true(evnum(f, "vcpu_on_cpu_share") == 0.75);
	json_object_put(found);
	json_object_put(doc);
}

/* A platform whose threads only slept more: busy as native, the whole gap
 * idle waiting, no bucket to share it out; and one that slept less. */
static void test_only_sleep_moved(void **state)
{
	struct json_object *doc = tdoc_new(), *nat, *d, *k, *found, *f;
	const char *text;
	int seen = 0;

	(void)state;
	nat = tplat(doc, "native", NULL);
	d = tplat(doc, "docker", NULL);
	k = tplat(doc, "kvm", NULL);
	set_per_op(tcell_ok(nat, "cpu", 1000), 1000, 0, 2000);
	set_per_op(tcell_ok(d, "cpu", 1000), 1000, 0, 5000);
	set_per_op(tcell_ok(k, "cpu", 1000), 1500, 0, 1000);
	results_doc_add_overhead(doc);
	found = findings_derive(doc);
	for (size_t i = 0; i < json_object_array_length(found); i++) {
		f = json_object_array_get_idx(found, i);
		if (strcmp(json_object_get_string(json_object_object_get(f, "rule")),
			   "where-the-time-went"))
			continue;
		text = json_object_get_string(json_object_object_get(f, "text"));
		seen++;
		if (strstr(text, "docker cpu: ")) {
			assert_non_null(strstr(text,
					       "its threads were busy 1 µs against native's 1 µs "
					       "(+0 ns busy; idle threads also slept 3 µs more); "
					       "the whole gap is idle waiting"));
			assert_null(strstr(text, "by state"));
			assert_true(evnum(f, "extra_busy_ns") == 0);
			assert_true(evnum(f, "extra_sleep_ns") == 3000);
		} else {
			assert_non_null(strstr(text,
					       "kvm cpu: per unit of work its threads were busy "
					       "1.5 µs against native's 1 µs (+500 ns busy; its "
					       "threads slept 1 µs less); on CPU +500 ns (100 % of "
					       "the busy gap); the busy gap by state: user code "
					       "+500 ns (100 %)"));
			assert_true(evnum(f, "busy_share_user") == 1);
		}
	}
	assert_int_equal(seen, 2);
	json_object_put(found);
	json_object_put(doc);
}

/* No overhead (no native breakdown), or no gap: nothing said. */
static void test_silent_without_a_gap(void **state)
{
	struct json_object *doc = tdoc_new(), *nat, *d, *found;

	(void)state;
	nat = tplat(doc, "native", NULL);
	d = tplat(doc, "docker", NULL);
	set_per_op(tcell_ok(nat, "cpu", 1000), 1000, 0, 2000);
	set_per_op(tcell_ok(d, "cpu", 1000), 1000, 0, 2000);
	tcell_ok(d, "fork", 10);
	results_doc_add_overhead(doc);
	found = findings_derive(doc);
	assert_null(only(found, "where-the-time-went"));
	json_object_put(found);
	json_object_put(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_in_buckets),
		cmocka_unit_test(test_only_sleep_moved),
		cmocka_unit_test(test_silent_without_a_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
