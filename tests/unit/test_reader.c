// SPDX-License-Identifier: GPL-2.0
/*
 * The typed reader of a results document (doc_reader.h): a cell read once
 * (doc_cell_read) and each side's counters (doc_side_read), against small
 * documents whose sums are worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>

#include "doc_builder.h"
#include "doc_reader.h"
#include "stats.h"

#define MIB 1048576.0

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1, fabs(b));
}

static struct json_object *run_of(struct json_object *cell, size_t i)
{
	return json_object_array_get_idx(json_object_object_get(cell, "runs"), i);
}

/* A run told "valid": false. */
static void invalidate(struct json_object *cell, size_t i)
{
	tset(run_of(cell, i), "valid", json_object_new_boolean(0));
}

/* Probes off: every family reads as not present, nothing is made up. */
static void absent_families_read_as_absent(void **state)
{
	struct json_object *d = tdoc_new(), *c;
	struct doc_side_counters k;
	struct doc_cell_view v;

	(void)state;
	c = tcell(tplat(d, "native", NULL), "cpu", 1000, 3, 0, 1.0);
	assert_false(doc_side_read(c, DOC_SIDE_HOST, &k));
	assert_false(k.faults.present);
	assert_false(k.faults.have_per_unit || k.faults.have_per_op || k.faults.have_per_s);
	assert_int_equal(k.forks.runs, 0);
	assert_false(k.have_clone_p50);
	assert_int_equal(k.block.requests.runs, 0);
	assert_false(k.block.have_p50 || k.block.have_p99);
	assert_int_equal(k.block.hist_bins, 0);
	assert_int_equal(k.block_device.requests.runs, 0);
	assert_int_equal(k.syscalls.runs, 0);
	assert_int_equal(k.ntop, 0);
	assert_int_equal(k.vm_exits.runs, 0);
	assert_int_equal(k.nexits, 0);
	assert_false(doc_side_read(c, DOC_SIDE_GUEST, &k));
	doc_cell_read(d, c, &v);
	assert_string_equal(v.workload, "cpu");
	assert_true(v.have_stats);
	assert_int_equal(v.stats.n, 3);
	assert_int_equal(v.side, DOC_SIDE_HOST);
	assert_false(v.has_guest);
	assert_int_equal(v.runs, 3);
	assert_int_equal(v.runs_left_out, 0);
	/* Only one family loaded: that one is present, the others still are not. */
	trun(c, "probes.host.syscalls.total", 10);
	assert_true(doc_side_read(c, DOC_SIDE_HOST, &k));
	assert_true(k.syscalls.runs == 3 && k.syscalls.value == 30);
	assert_false(k.faults.present);
	json_object_put(d);
}

/* The side that saw the workload: the guest's when it reported, the host's otherwise. */
static void guest_side_when_the_guest_reported(void **state)
{
	struct json_object *d = tdoc_new(), *q, *n;
	struct doc_side_counters host, guest;
	struct doc_cell_view v;

	(void)state;
	n = tcell(tplat(d, "native", NULL), "fork", 1000, 2, 0, 0.5);
	q = tcell(tplat(d, "qemu", NULL), "fork", 100, 2, 0, 0.5);
	trun(q, "probes.host.page_faults_user", 7);
	trun(q, "probes.guest.page_faults_user", 3000);
	trun(q, "probes.guest.forks", 1000);
	trun(q, "probes.host.forks", 0);
	assert_int_equal(doc_cell_side(q), DOC_SIDE_GUEST);
	doc_cell_read(d, q, &v);
	assert_true(v.has_guest);
	assert_int_equal(v.side, DOC_SIDE_GUEST);
	assert_true(v.have_vs_native && near(v.vs_native, 0.1));
	doc_side_read(q, DOC_SIDE_HOST, &host);
	doc_side_read(q, DOC_SIDE_GUEST, &guest);
	assert_int_equal(host.side, DOC_SIDE_HOST);
	assert_int_equal(guest.side, DOC_SIDE_GUEST);
	assert_true(near(host.faults.user, 14));
	assert_true(near(guest.faults.user, 6000));
	assert_true(near(guest.forks.value, 2000) && near(host.forks.value, 0));
	assert_string_equal(doc_side_name(DOC_SIDE_GUEST), "guest");
	/* An empty guest object is no guest: native's side is the host's. */
	trun_json(n, "probes.guest", "{}");
	assert_int_equal(doc_cell_side(n), DOC_SIDE_HOST);
	json_object_put(d);
}

/* Faults per MiB when the workload moved bytes, per op otherwise; both over the
 * runs that carried the counter. */
static void faults_per_mib_or_per_op(void **state)
{
	struct json_object *d = tdoc_new(), *mem, *fork;
	struct doc_side_counters k;
	double ops;

	(void)state;
	/* One run scoring 99 (tcell's first run is 1 % low): 990 ops of 1 MiB in 10 s. */
	mem = tcell(tplat(d, "native", NULL), "mem", 100, 1, MIB, 1.0);
	trun(mem, "probes.host.page_faults_user", 500);
	trun(mem, "probes.host.page_faults_kernel", 100);
	doc_side_read(mem, DOC_SIDE_HOST, &k);
	assert_true(k.faults.present && k.faults.have_per_unit && k.faults.per_mib);
	assert_true(near(k.faults.total, 600));
	assert_true(near(k.faults.per_unit, 600 / 990.0));
	assert_true(near(k.faults.user_per_unit, 500 / 990.0));
	assert_true(near(k.faults.kernel_per_unit, 100 / 990.0));
	assert_true(k.faults.have_per_op && near(k.faults.per_op, 600 / 990.0));
	assert_true(k.faults.have_per_s && near(k.faults.per_s, 60));

	/* fork moves no bytes: per op. The second run lacks the counter, so its
	 * ops are not divided into the first run's faults. */
	fork = tcell(doc_idx(d, "platforms", 0), "fork", 1000, 2, 0, 0.5);
	tset(run_of(fork, 0), "probes.host.page_faults_user", json_object_new_double(2970));
	ops = 990 * RUN_S;
	doc_side_read(fork, DOC_SIDE_HOST, &k);
	assert_true(k.faults.have_per_unit && !k.faults.per_mib);
	assert_int_equal(k.faults.runs, 1);
	assert_true(near(k.faults.per_unit, 2970 / ops));
	assert_true(near(k.faults.kernel_per_unit, 0)); /* kernel faults not counted: 0 */
	assert_true(near(k.faults.per_s, 297));
	json_object_put(d);
}

/* A run that says "valid": false is in no statistic and no sum, and is counted. */
static void invalid_runs_are_left_out(void **state)
{
	struct json_object *d = tdoc_new(), *c;
	struct doc_side_counters k;
	struct doc_cell_view v;
	struct stats s;
	char note[256];

	(void)state;
	c = tcell(tplat(d, "native", NULL), "fork", 1000, 3, 0, 0.5);
	trun(c, "probes.host.forks", 10);
	trun(c, "probes.host.block.requests", 100);
	trun(c, "probes.host.block.p50_us", 20);
	tset(run_of(c, 2), "score", json_object_new_double(1e6));
	tset(run_of(c, 2), "probes.host.forks", json_object_new_double(1e6));
	tset(run_of(c, 2), "probes.host.block.p50_us", json_object_new_double(1e6));
	tset(run_of(c, 2), "probes.host.overflow.targets", json_object_new_double(4));
	invalidate(c, 2);
	/* "valid": true, or not a boolean, keeps a run. */
	tset(run_of(c, 1), "valid", json_object_new_boolean(1));
	tset(run_of(c, 0), "valid", json_object_new_string("false"));

	assert_true(doc_cell_stats(c, &s));
	assert_int_equal(s.n, 2);
	assert_true(near(s.mean, (990 + 1000) / 2.0));
	doc_cell_read(d, c, &v);
	assert_int_equal(v.runs, 2);
	assert_int_equal(v.runs_left_out, 1);
	assert_true(near(v.duration_s, 2 * RUN_S));
	doc_side_read(c, DOC_SIDE_HOST, &k);
	assert_true(k.forks.runs == 2 && near(k.forks.value, 20));
	assert_true(k.block.have_p50 && near(k.block.p50_us, 20));
	doc_overflow_note(d, note, sizeof(note));
	assert_string_equal(note, "");

	/* A stats object the runner wrote is taken as it is. */
	tset(c, "stats.mean", json_object_new_double(42));
	tset(c, "stats.n", json_object_new_int(2));
	assert_true(doc_cell_stats(c, &s) && s.mean == 42);

	/* Every run left out: the cell has nothing to report. */
	json_object_object_del(c, "stats");
	invalidate(c, 0);
	invalidate(c, 1);
	assert_false(doc_cell_has_runs(c));
	assert_false(doc_cell_stats(c, &s));
	doc_cell_read(d, c, &v);
	assert_false(v.have_stats);
	assert_int_equal(v.runs_left_out, 3);
	assert_false(doc_side_read(c, DOC_SIDE_HOST, &k));
	json_object_put(d);
}

/* Block latency is weighted by requests; device-wide is read on its own. */
static void block_weighted_and_device_wide(void **state)
{
	struct json_object *d = tdoc_new(), *c;
	struct doc_side_counters k;

	(void)state;
	c = tcell(tplat(d, "native", NULL), "diskrand", 40, 2, 4096, 0.1);
	tset(run_of(c, 0), "probes.host.block.requests", json_object_new_int(100));
	tset(run_of(c, 0), "probes.host.block.p50_us", json_object_new_double(10));
	tset(run_of(c, 1), "probes.host.block.requests", json_object_new_int(300));
	tset(run_of(c, 1), "probes.host.block.p50_us", json_object_new_double(50));
	trun(c, "probes.host.block.bytes", 4096 * 100);
	trun(c, "probes.host.block.device.requests", 1000);
	trun(c, "probes.host.block.device.p99_us", 900);
	doc_side_read(c, DOC_SIDE_HOST, &k);
	assert_true(near(k.block.requests.value, 400));
	assert_true(near(k.block.bytes.value, 2 * 4096 * 100));
	assert_true(k.block.have_p50 && near(k.block.p50_us, (100 * 10 + 300 * 50) / 400.0));
	assert_false(k.block.have_p99);
	assert_true(near(k.block_device.requests.value, 2000));
	assert_true(k.block_device.have_p99 && near(k.block_device.p99_us, 900));
	json_object_put(d);
}

/* Syscalls and VM exits by name, summed over runs, most frequent first. */
static void maps_summed_and_sorted(void **state)
{
	struct json_object *d = tdoc_new(), *c;
	struct doc_side_counters k;

	(void)state;
	c = tcell(tplat(d, "kvm", NULL), "net", 900, 2, 8192, 0.3);
	trun(c, "probes.host.syscalls.total", 1000);
	trun_json(c, "probes.host.syscalls.top", "{\"write\": 100, \"ppoll\": 400, \"read\": 0}");
	tset(run_of(c, 1), "probes.host.syscalls.top.write", json_object_new_int(500));
	trun(c, "probes.host.vm_exits.total", 30);
	trun_json(c, "probes.host.vm_exits.by_reason", "{\"HLT\": 5, \"EPT_MISCONFIG\": 25}");
	doc_side_read(c, DOC_SIDE_HOST, &k);
	assert_int_equal(k.ntop, 2); /* read: 0 is no entry */
	assert_string_equal(k.top[0].name, "ppoll");
	assert_true(near(k.top[0].count, 800));
	assert_string_equal(k.top[1].name, "write");
	assert_true(near(k.top[1].count, 600));
	assert_true(near(k.syscalls.value, 2000));
	assert_true(near(k.vm_exits.value, 60));
	assert_int_equal(k.nexits, 2);
	assert_string_equal(k.exits[0].reason, "EPT_MISCONFIG");
	assert_true(near(k.exits[0].samples, 50) && !k.exits[0].timed);
	assert_string_equal(k.exits[1].reason, "HLT");
	json_object_put(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(absent_families_read_as_absent),
		cmocka_unit_test(guest_side_when_the_guest_reported),
		cmocka_unit_test(faults_per_mib_or_per_op),
		cmocka_unit_test(invalid_runs_are_left_out),
		cmocka_unit_test(block_weighted_and_device_wide),
		cmocka_unit_test(maps_summed_and_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
