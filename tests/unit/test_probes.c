// SPDX-License-Identifier: GPL-2.0
/* The pure parts of reading the probes: percentiles from log2 histograms,
 * VM exit reason names, syscall names and the top-10. No BPF, no root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <json.h>

#include "probe_util.h"
#include "vbench.h"

static void test_percentile_empty_is_zero(void **state)
{
	__u64 h[VB_HIST_SLOTS] = {0};

	(void)state;
	assert_true(vb_hist_percentile(h, VB_HIST_SLOTS, 50) == 0.0);
	assert_true(vb_hist_percentile(h, VB_HIST_SLOTS, 99) == 0.0);
}

/* Every estimate lies inside the slot that holds the ranked sample. */
static void test_percentile_stays_in_its_slot(void **state)
{
	__u64 h[VB_HIST_SLOTS] = {0};
	double p50, p99;

	(void)state;
	h[2] = 90;  /* [4, 8) us */
	h[10] = 10; /* [1024, 2048) us */
	p50 = vb_hist_percentile(h, VB_HIST_SLOTS, 50);
	p99 = vb_hist_percentile(h, VB_HIST_SLOTS, 99);
	assert_true(p50 >= 4 && p50 < 8);
	assert_true(p99 >= 1024 && p99 < 2048);
	/* rank 50 of 100 falls 50/90 of the way into [4, 8) */
	assert_true(p50 == 4 + 4 * 50.0 / 90);
}

static void test_percentile_slot_zero_starts_at_zero(void **state)
{
	__u64 h[VB_HIST_SLOTS] = {0};

	(void)state;
	h[0] = 4; /* [0, 2) us */
	assert_true(vb_hist_percentile(h, VB_HIST_SLOTS, 50) == 1.0);
	assert_true(vb_hist_percentile(h, VB_HIST_SLOTS, 100) == 2.0);
}

static void test_percentile_is_monotonic(void **state)
{
	__u64 h[VB_HIST_SLOTS] = {0};
	double prev = -1;

	(void)state;
	for (int i = 0; i < VB_HIST_SLOTS; i++)
		h[i] = (__u64)(i * 7 % 5);
	h[VB_HIST_SLOTS - 1] = 3;
	for (int pct = 0; pct <= 100; pct++) {
		double v = vb_hist_percentile(h, VB_HIST_SLOTS, pct);

		assert_true(v >= prev);
		prev = v;
	}
	assert_true(prev <= (double)(1ULL << VB_HIST_SLOTS));
}

static void test_hist_json_trims_empty_tail(void **state)
{
	__u64 h[VB_HIST_SLOTS] = {0};
	struct json_object *o, *a;

	(void)state;
	h[1] = 2;
	h[5] = 1;
	o = vb_hist_json(h, VB_HIST_SLOTS);
	assert_true(json_object_object_get_ex(o, "hist_log2_us", &a));
	assert_int_equal(json_object_array_length(a), 6);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(a, 5)), 1);
	assert_true(json_object_object_get_ex(o, "p99_us", NULL));
	json_object_put(o);

	memset(h, 0, sizeof(h));
	o = vb_hist_json(h, VB_HIST_SLOTS);
	assert_true(json_object_object_get_ex(o, "hist_log2_us", &a));
	assert_int_equal(json_object_array_length(a), 1);
	json_object_put(o);
}

static void test_vmx_reason_names(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_VMX, 48, buf, sizeof(buf)),
			    "EPT_VIOLATION");
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_VMX, 30, buf, sizeof(buf)),
			    "IO_INSTRUCTION");
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_VMX, 12, buf, sizeof(buf)), "HLT");
	/* flags above the basic reason: only a failed entry changes the name */
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_VMX, 0x80000021, buf, sizeof(buf)),
			    "FAILED_VMENTRY_INVALID_STATE");
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_VMX, 0x08000000 | 48, buf, sizeof(buf)),
			    "EPT_VIOLATION");
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_VMX, 0x7fff, buf, sizeof(buf)),
			    "VMX_0x7fff");
}

static void test_svm_reason_names(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_SVM, 0x400, buf, sizeof(buf)), "npf");
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_SVM, 0x07b, buf, sizeof(buf)), "io");
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_SVM, 0x07c, buf, sizeof(buf)), "msr");
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_SVM, 0x078, buf, sizeof(buf)), "hlt");
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_SVM, 0x040 + 14, buf, sizeof(buf)),
			    "PF excp");
	/* SVM_EXIT_ERR is -1, recorded as a u32 */
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_SVM, 0xffffffff, buf, sizeof(buf)),
			    "invalid_guest_state");
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_SVM, 0x3ff, buf, sizeof(buf)),
			    "SVM_0x3ff");
}

static void test_unknown_isa_and_short_buffer(void **state)
{
	char buf[8];

	(void)state;
	assert_string_equal(vb_kvm_reason_name(7, 1, buf, sizeof(buf)), "ISA7_0x");
	assert_string_equal(vb_kvm_reason_name(VB_KVM_ISA_VMX, 48, buf, sizeof(buf)), "EPT_VIO");
}

static void test_syscall_names_come_from_the_kernel_table(void **state)
{
	(void)state;
	assert_string_equal(vb_syscall_name(0), "read");
	assert_string_equal(vb_syscall_name(39), "getpid");
	assert_string_equal(vb_syscall_name(110), "getppid");
	assert_string_equal(vb_syscall_name(56), "clone");
	assert_null(vb_syscall_name(100000));
}

static void test_top_orders_by_count_then_number(void **state)
{
	__u64 c[VB_MAX_SYSCALLS] = {0};
	size_t idx[10];
	size_t n;

	(void)state;
	for (size_t i = 0; i < 30; i++)
		c[i * 3] = 100 + i; /* 30 non-zero counts, ascending */
	c[7] = 129;		    /* ties with c[87] (100 + 29) */
	n = vb_top_indexes(c, VB_MAX_SYSCALLS, idx, 10);
	assert_int_equal(n, 10);
	assert_int_equal(idx[0], 7); /* 129 at 7 ranks before 129 at 87 */
	assert_int_equal(idx[1], 87);
	for (size_t i = 2; i < 10; i++)
		assert_int_equal(idx[i], (size_t)(3 * (29 - i + 1)));
	for (size_t i = 1; i < 10; i++)
		assert_true(c[idx[i - 1]] >= c[idx[i]]);
}

static void test_top_with_few_counts(void **state)
{
	__u64 c[16] = {0};
	size_t idx[10];

	(void)state;
	assert_int_equal(vb_top_indexes(c, 16, idx, 10), 0);
	c[15] = 1;
	c[3] = 5;
	assert_int_equal(vb_top_indexes(c, 16, idx, 10), 2);
	assert_int_equal(idx[0], 3);
	assert_int_equal(idx[1], 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile_empty_is_zero),
		cmocka_unit_test(test_percentile_stays_in_its_slot),
		cmocka_unit_test(test_percentile_slot_zero_starts_at_zero),
		cmocka_unit_test(test_percentile_is_monotonic),
		cmocka_unit_test(test_hist_json_trims_empty_tail),
		cmocka_unit_test(test_vmx_reason_names),
		cmocka_unit_test(test_svm_reason_names),
		cmocka_unit_test(test_unknown_isa_and_short_buffer),
		cmocka_unit_test(test_syscall_names_come_from_the_kernel_table),
		cmocka_unit_test(test_top_orders_by_count_then_number),
		cmocka_unit_test(test_top_with_few_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
