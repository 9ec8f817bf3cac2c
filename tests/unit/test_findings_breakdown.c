// SPDX-License-Identifier: GPL-2.0
/* The "where-the-time-went" finding (user/findings/findings_breakdown.c):
 * from a fixture document's overhead, the buckets that moved most with
 * their shares, the on-CPU part of the gap, and a VMM's vCPU share. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
 * of 4 µs, half of it user code; its vCPUs ran 3 of its 4 µs on CPU. */
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
	assert_non_null(strstr(text, "7 µs of thread time against native's 3 µs (+4 µs)"));
	assert_non_null(strstr(text, "on CPU +2 µs (50 % of the gap)"));
	assert_non_null(strstr(text, "user code +2 µs (50 %), waiting for a CPU +1 µs (25 %), "
				     "sleeping +1 µs (25 %)"));
	assert_non_null(strstr(text, "its vCPU threads ran 75 % of its on-CPU time"));
	/* Where their samples ran, the two largest regions, with the count. */
	assert_non_null(strstr(text, "; 71 % of their samples ran translated guest code, 24 % "
				     "QEMU's own code"));
	assert_non_null(strstr(text, "(100 samples)"));
	assert_true(evnum(f, "vcpu_samples_translated_code") == 0.71);
	assert_true(evnum(f, "extra_total_ns") == 4000);
	assert_true(evnum(f, "share_user") == 0.5);
	assert_true(evnum(f, "vcpu_on_cpu_share") == 0.75);
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
		cmocka_unit_test(test_silent_without_a_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
