// SPDX-License-Identifier: GPL-2.0
/* The pure parts of the sched family (user/probes/probe_sched.c): closing a
 * live thread's interval, splitting on-CPU time by samples, and the
 * breakdown object's shape and sums. No BPF, no root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <json.h>

#include "probe_sched.h"

static __u64 row_sum(const struct probe_sched_row *r)
{
	__u64 s = 0;

	for (int i = 0; i < VB_ST_MAX; i++)
		s += r->ns[i];
	return s;
}

static uint64_t get_u64(struct json_object *o, const char *a, const char *b)
{
	struct json_object *x;

	assert_true(json_object_object_get_ex(o, a, &x));
	if (b)
		assert_true(json_object_object_get_ex(x, b, &x));
	return json_object_get_uint64(x);
}

/* A sleeping thread read at now: its open interval goes to sleep and to
 * its reason; the states then add up to its wall time. */
static void test_live_thread_closes_open_interval(void **state)
{
	struct vb_sched_thread t = {0};
	struct probe_sched_row r;

	(void)state;
	memcpy(t.comm, "worker", 7);
	t.tgid = 42;
	t.start_ns = 1000;
	t.acc.ns[VB_ST_USER] = 700;
	t.acc.ns[VB_ST_RUN_WAKEUP] = 300;
	t.state = VB_ST_SLEEP;
	t.sleep_reason = VB_SLEEP_FUTEX;
	t.ts = 2000;
	probe_sched_row_from_thread(&t, 2500, &r);
	assert_string_equal(r.comm, "worker");
	assert_int_equal(r.tgid, 42);
	assert_int_equal(r.threads, 1);
	assert_int_equal(r.wall_ns, 1500);
	assert_int_equal(r.ns[VB_ST_SLEEP], 500);
	assert_int_equal(r.sleep_ns[VB_SLEEP_FUTEX], 500);
	assert_int_equal(row_sum(&r), r.wall_ns);
}

/* A wakeup on another CPU may stamp ts after the reader's clock: nothing
 * is added, nothing wraps around. */
static void test_live_thread_ts_after_now_adds_nothing(void **state)
{
	struct vb_sched_thread t = {0};
	struct probe_sched_row r;

	(void)state;
	t.start_ns = 100;
	t.ts = 900;
	t.state = VB_ST_RUN_WAKEUP;
	t.acc.ns[VB_ST_SLEEP] = 800;
	probe_sched_row_from_thread(&t, 850, &r);
	assert_int_equal(r.ns[VB_ST_RUN_WAKEUP], 0);
	assert_int_equal(r.ns[VB_ST_SLEEP], 800);
	assert_int_equal(r.wall_ns, 750);
}

static void test_split_follows_samples(void **state)
{
	struct probe_sched_row r = {0};

	(void)state;
	r.ns[VB_ST_USER] = 1000;
	r.ns[VB_ST_SYSCALL] = 50;
	r.samples[VB_SMP_USER] = 6;
	r.samples[VB_SMP_FAULT] = 3;
	r.samples[VB_SMP_KOTHER] = 1;
	r.samples[VB_SMP_SYSCALL] = 9; /* inside syscalls: not part of the split */
	probe_sched_split_oncpu(&r);
	assert_int_equal(r.ns[VB_ST_FAULT], 300);
	assert_int_equal(r.ns[VB_ST_KOTHER], 100);
	assert_int_equal(r.ns[VB_ST_USER], 600);
	assert_int_equal(r.ns[VB_ST_SYSCALL], 50);
}

/* Rounding never loses or adds a nanosecond; no samples, no split. */
static void test_split_keeps_the_sum(void **state)
{
	struct probe_sched_row r = {0}, none = {0};

	(void)state;
	r.ns[VB_ST_USER] = 1001;
	r.samples[VB_SMP_USER] = 1;
	r.samples[VB_SMP_FAULT] = 1;
	r.samples[VB_SMP_KOTHER] = 1;
	probe_sched_split_oncpu(&r);
	assert_int_equal(row_sum(&r), 1001);
	assert_int_equal(r.ns[VB_ST_FAULT], 333);
	none.ns[VB_ST_USER] = 77;
	probe_sched_split_oncpu(&none);
	assert_int_equal(none.ns[VB_ST_USER], 77);
	assert_int_equal(none.ns[VB_ST_FAULT] + none.ns[VB_ST_KOTHER], 0);
}

/* Steal was counted inside the on-CPU states: it comes out of them in
 * their proportion, the sum stays, and it never exceeds them. */
static void test_split_takes_out_steal(void **state)
{
	struct probe_sched_row r = {0}, over = {0};

	(void)state;
	r.ns[VB_ST_USER] = 800;
	r.ns[VB_ST_SYSCALL] = 200;
	r.ns[VB_ST_SLEEP] = 50;
	r.ns[VB_ST_STEAL] = 100;
	r.samples[VB_SMP_USER] = 3;
	r.samples[VB_SMP_FAULT] = 1;
	probe_sched_split_oncpu(&r);
	assert_int_equal(row_sum(&r), 1050);
	assert_int_equal(r.ns[VB_ST_STEAL], 100);
	assert_int_equal(r.ns[VB_ST_SYSCALL], 180);
	assert_int_equal(r.ns[VB_ST_FAULT], 180); /* a quarter of the 720 left outside syscalls */
	assert_int_equal(r.ns[VB_ST_USER], 540);
	assert_string_equal(probe_sched_state_name(VB_ST_STEAL), "steal");
	over.ns[VB_ST_USER] = 30;
	over.ns[VB_ST_STEAL] = 45;
	probe_sched_split_oncpu(&over);
	assert_int_equal(over.ns[VB_ST_STEAL], 30);
	assert_int_equal(over.ns[VB_ST_USER], 0);
	assert_int_equal(row_sum(&over), 30);
}

static void test_exited_row(void **state)
{
	struct vb_sched_comm key = {.comm = "probe_prog"};
	struct vb_sched_acc acc = {0};
	struct probe_sched_row r;

	(void)state;
	acc.threads = 3;
	acc.wall_ns = 9000;
	acc.ns[VB_ST_BLOCKED_IO] = 9000;
	acc.samples[VB_SMP_SYSCALL] = 4;
	probe_sched_row_from_exited(&key, &acc, &r);
	assert_string_equal(r.comm, "probe_prog");
	assert_int_equal(r.tid, 0);
	assert_int_equal(r.threads, 3);
	assert_int_equal(r.ns[VB_ST_BLOCKED_IO], 9000);
	assert_int_equal(r.samples[VB_SMP_SYSCALL], 4);
}

/* Two rows of one comm (a live thread, three exited) and one of another. */
static struct json_object *sample_breakdown(int64_t cost, __u64 *sys)
{
	struct probe_sched_row rows[3] = {0};
	struct probe_sched_view v = {.rows = rows, .n = 3, .syscall_ns = sys};

	memcpy(rows[0].comm, "a", 2);
	rows[0].tid = 11;
	rows[0].threads = 1;
	rows[0].wall_ns = 1000;
	rows[0].ns[VB_ST_USER] = 600;
	rows[0].ns[VB_ST_RUN_PREEMPT] = 400;
	memcpy(rows[1].comm, "a", 2);
	rows[1].threads = 3;
	rows[1].wall_ns = 3000;
	rows[1].ns[VB_ST_SLEEP] = 2000;
	rows[1].sleep_ns[VB_SLEEP_NANOSLEEP] = 2000;
	rows[1].ns[VB_ST_RUN_WAKEUP] = 900; /* 100 ns missing: coverage below 1 */
	memcpy(rows[2].comm, "b", 2);
	rows[2].tid = 12;
	rows[2].threads = 1;
	rows[2].wall_ns = 1000;
	rows[2].ns[VB_ST_BLOCKED_IO] = 1000;
	rows[2].samples[VB_SMP_USER] = 5;
	v.sample_hz = 999;
	v.fault_method = "tracepoints+samples";
	v.probe_cost_ns = cost;
	return probe_sched_json(&v);
}

static void test_breakdown_json_shape_and_sums(void **state)
{
	__u64 sys[VB_MAX_SYSCALLS] = {0};
	struct json_object *o, *x;

	(void)state;
	sys[110] = 70;		      /* getppid */
	sys[VB_MAX_SYSCALLS - 1] = 5; /* numbers beyond the table */
	o = sample_breakdown(-1, sys);
	assert_int_equal(get_u64(o, "wall_ns", NULL), 5000);
	assert_int_equal(get_u64(o, "threads", NULL), 5);
	assert_true(json_object_object_get_ex(o, "states_ns", &x));
	assert_int_equal(json_object_object_length(x), 8);
	assert_int_equal(get_u64(x, "steal", NULL), 0);
	assert_int_equal(get_u64(x, "user", NULL), 600);
	assert_int_equal(get_u64(x, "runnable", NULL), 1300);
	assert_int_equal(get_u64(x, "blocked_io", NULL), 1000);
	assert_int_equal(get_u64(x, "sleep", NULL), 2000);
	assert_true(json_object_object_get_ex(o, "coverage", &x));
	assert_true(json_object_get_double(x) == 4900.0 / 5000);
	assert_int_equal(get_u64(o, "runnable_ns", "after_wakeup"), 900);
	assert_int_equal(get_u64(o, "runnable_ns", "after_preemption"), 400);
	assert_int_equal(get_u64(o, "syscalls_ns", "getppid"), 70);
	assert_int_equal(get_u64(o, "syscalls_ns", "other"), 5);
	assert_int_equal(get_u64(o, "sleep_ns_by_reason", "nanosleep"), 2000);
	assert_int_equal(get_u64(o, "samples", "hz"), 999);
	assert_int_equal(get_u64(o, "samples", "total"), 5);
	assert_false(json_object_object_get_ex(o, "probe_cost_ns", &x));
	assert_false(json_object_object_get_ex(o, "per_op_ns", &x));
	/* by_comm: "a" once, with the live thread and the three exited */
	assert_true(json_object_object_get_ex(o, "by_comm", &x));
	assert_int_equal(json_object_array_length(x), 2);
	assert_int_equal(get_u64(json_object_array_get_idx(x, 0), "threads", NULL), 4);
	assert_int_equal(get_u64(json_object_array_get_idx(x, 0), "wall_ns", NULL), 4000);
	/* by_thread: the live threads only, longest wall first (ties by tid) */
	assert_true(json_object_object_get_ex(o, "by_thread", &x));
	assert_int_equal(json_object_array_length(x), 2);
	assert_int_equal(get_u64(json_object_array_get_idx(x, 0), "tid", NULL), 11);
	json_object_put(o);
}

static void test_breakdown_cost_and_per_op(void **state)
{
	struct json_object *o, *x;

	(void)state;
	o = sample_breakdown(12345, NULL);
	assert_int_equal(get_u64(o, "probe_cost_ns", NULL), 12345);
	assert_false(json_object_object_get_ex(o, "syscalls_ns", &x));
	assert_int_equal(probe_sched_add_per_op(o, 0), -EINVAL);
	assert_int_equal(probe_sched_add_per_op(o, 4), 0);
	assert_true(json_object_object_get_ex(o, "per_op_ns", &x));
	assert_true(json_object_object_get_ex(x, "sleep", &x));
	assert_true(json_object_get_double(x) == 500.0);
	assert_int_equal(get_u64(o, "ops", NULL), 4);
	json_object_put(o);
	o = json_object_new_object();
	assert_int_equal(probe_sched_add_per_op(o, 4), -EINVAL);
	json_object_put(o);
}

static struct probe_sched_row qemu_row(const char *comm, __u32 tid, __u64 user, __u64 sleep)
{
	struct probe_sched_row r = {.tid = tid, .tgid = tid ? 100 : 0, .threads = 1};

	snprintf(r.comm, sizeof(r.comm), "%s", comm);
	r.ns[VB_ST_USER] = user;
	r.ns[VB_ST_SLEEP] = sleep;
	r.wall_ns = user + sleep;
	r.samples[VB_SMP_USER] = user / 10;
	return r;
}

/* QEMU's thread names (debug-threads=on) as seen on this machine's domains. */
static void test_role_of_qemu_names(void **state)
{
	static const struct {
		const char *comm;
		__u32 tid;
		enum probe_sched_role role;
	} cases[] = {
		{"CPU 0/TCG", 101, VB_ROLE_VCPU},
		{"CPU 11/KVM", 102, VB_ROLE_VCPU},
		{"ALL CPUs/TCG", 103, VB_ROLE_VCPU},
		{"worker", 104, VB_ROLE_IO},
		{"IO mon_iothread", 105, VB_ROLE_IO},
		{"qemu-system-x86", 100, VB_ROLE_MAIN_LOOP},
		{"qemu-system-x86", 106, VB_ROLE_OTHER}, /* not the first thread */
		{"call_rcu", 107, VB_ROLE_OTHER},
		{"CPU", 108, VB_ROLE_OTHER},
		{"qemu-system-x86", 0, VB_ROLE_OTHER}, /* exited: no tid to tell */
		{"worker", 0, VB_ROLE_IO},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe_sched_row r = qemu_row(cases[i].comm, cases[i].tid, 0, 0);

		assert_int_equal(probe_sched_role_of(&r), cases[i].role);
	}
	assert_string_equal(probe_sched_role_name(VB_ROLE_MAIN_LOOP), "main_loop");
	assert_string_equal(probe_sched_role_name(VB_ROLE_MAX), "?");
}

/* roles only when asked; each role sums its threads, and the roles sum to
 * the totals. */
static void test_breakdown_roles(void **state)
{
	struct probe_sched_row rows[] = {
		qemu_row("qemu-system-x86", 100, 50, 950), qemu_row("CPU 0/TCG", 101, 900, 100),
		qemu_row("CPU 1/TCG", 102, 700, 300),	   qemu_row("worker", 103, 10, 490),
		qemu_row("call_rcu", 104, 0, 1000),
	};
	struct probe_sched_view v = {.rows = rows, .n = 5, .sample_hz = 999, .probe_cost_ns = -1};
	struct json_object *o, *roles, *r;
	uint64_t wall = 0;

	(void)state;
	o = probe_sched_json(&v);
	assert_false(json_object_object_get_ex(o, "roles", &roles));
	json_object_put(o);
	v.roles = true;
	o = probe_sched_json(&v);
	assert_true(json_object_object_get_ex(o, "roles", &roles));
	assert_int_equal(json_object_object_length(roles), VB_ROLE_MAX);
	assert_true(json_object_object_get_ex(roles, "vcpu", &r));
	assert_int_equal(get_u64(r, "threads", NULL), 2);
	assert_int_equal(get_u64(r, "states_ns", "user"), 1600);
	assert_int_equal(get_u64(r, "states_ns", "sleep"), 400);
	assert_int_equal(get_u64(r, "samples", "total"), 160);
	assert_true(json_object_object_get_ex(roles, "main_loop", &r));
	assert_int_equal(get_u64(r, "threads", NULL), 1);
	assert_int_equal(get_u64(r, "states_ns", "user"), 50);
	assert_true(json_object_object_get_ex(roles, "io", &r));
	assert_int_equal(get_u64(r, "wall_ns", NULL), 500);
	json_object_object_foreach (roles, k, e) {
		(void)k;
		wall += get_u64(e, "wall_ns", NULL);
	}
	assert_int_equal(wall, get_u64(o, "wall_ns", NULL));
	json_object_put(o);
}

/* The main loop's network backend: its socket syscalls whole, its user
 * time in its samples' proportion, their sum's share of its on-CPU time;
 * the main loop's syscalls by name under its role. */
static void test_net_backend(void **state)
{
	__u64 main_sys[VB_MAX_SYSCALLS] = {0}, tap[VB_MAX_SYSCALLS] = {0};
	struct probe_sched_row ml = qemu_row("qemu-system-x86", 100, 0, 0);
	struct probe_sched_view v = {.rows = &ml,
				     .n = 1,
				     .roles = true,
				     .main_syscall_ns = main_sys,
				     .probe_cost_ns = -1};
	struct json_object *o, *x;

	(void)state;
	assert_true(probe_sched_is_net_syscall("sendto"));
	assert_true(probe_sched_is_net_syscall("recvmsg"));
	assert_false(probe_sched_is_net_syscall("ppoll"));
	assert_false(probe_sched_is_net_syscall("write"));
	assert_false(probe_sched_is_net_syscall(NULL));
	main_sys[44] = 600;  /* sendto */
	main_sys[45] = 100;  /* recvfrom */
	main_sys[271] = 900; /* ppoll: the loop's wait, not the backend's */
	main_sys[1] = 50;    /* write: an eventfd, not told from a tap device */
	ml.ns[VB_ST_USER] = 400;
	ml.ns[VB_ST_SYSCALL] = 1650;
	ml.ns[VB_ST_KOTHER] = 50;
	ml.ns[VB_ST_STEAL] = 1000; /* not on-CPU time of its own */
	ml.samples[VB_SMP_USER] = 8;
	o = probe_sched_net_backend_json(&v, &ml, 2, true);
	assert_int_equal(get_u64(o, "syscall_ns", NULL), 700);
	assert_int_equal(get_u64(o, "tap_ns", NULL), 0);
	assert_int_equal(get_u64(o, "user_ns", NULL), 100);
	assert_int_equal(get_u64(o, "ns", NULL), 800);
	assert_int_equal(get_u64(o, "on_cpu_ns", NULL), 2100);
	assert_true(json_object_object_get_ex(o, "share_of_on_cpu", &x));
	assert_float_equal(json_object_get_double(x), 800.0 / 2100, 1e-12);
	assert_int_equal(get_u64(o, "samples", "network"), 2);
	assert_int_equal(get_u64(o, "samples", "user"), 8);
	json_object_put(o);
	/* no samples: the syscalls alone, said so */
	ml.samples[VB_SMP_USER] = 0;
	o = probe_sched_net_backend_json(&v, &ml, 0, false);
	assert_int_equal(get_u64(o, "ns", NULL), 700);
	assert_true(json_object_object_get_ex(o, "method", &x));
	assert_string_equal(json_object_get_string(x), "network syscalls");
	json_object_put(o);
	/* net=tap: the main loop's reads and writes of its tap device, whole */
	tap[0] = 30;  /* read */
	tap[20] = 70; /* writev */
	v.tap_syscall_ns = tap;
	o = probe_sched_net_backend_json(&v, &ml, 0, false);
	assert_int_equal(get_u64(o, "tap_ns", NULL), 100);
	assert_int_equal(get_u64(o, "syscall_ns", NULL), 800);
	json_object_put(o);
	/* under its role, the main loop's own syscalls */
	o = probe_sched_json(&v);
	assert_true(json_object_object_get_ex(o, "roles", &x));
	assert_true(json_object_object_get_ex(x, "main_loop", &x));
	assert_int_equal(get_u64(x, "syscalls_ns", "sendto"), 600);
	assert_int_equal(get_u64(x, "syscalls_ns", "ppoll"), 900);
	json_object_put(o);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(probe_sched_state_name(VB_ST_BLOCKED_IO), "blocked_io");
	assert_string_equal(probe_sched_state_name(VB_ST_MAX), "?");
	assert_string_equal(probe_sched_reason_name(VB_SLEEP_NANOSLEEP), "nanosleep");
	assert_string_equal(probe_sched_reason_name(-1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_thread_closes_open_interval),
		cmocka_unit_test(test_live_thread_ts_after_now_adds_nothing),
		cmocka_unit_test(test_split_follows_samples),
		cmocka_unit_test(test_split_keeps_the_sum),
		cmocka_unit_test(test_split_takes_out_steal),
		cmocka_unit_test(test_exited_row),
		cmocka_unit_test(test_breakdown_json_shape_and_sums),
		cmocka_unit_test(test_breakdown_cost_and_per_op),
		cmocka_unit_test(test_role_of_qemu_names),
		cmocka_unit_test(test_breakdown_roles),
		cmocka_unit_test(test_net_backend),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
