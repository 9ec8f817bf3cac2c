// SPDX-License-Identifier: GPL-2.0
/*
 * faults family: page faults taken by targets, from the x86 exception
 * tracepoints. getrusage's minflt + majflt count every fault that
 * handle_mm_fault() resolved for the task, whatever mode the CPU was in, so
 * a kernel-mode fault at a user address (copy_to_user into a fresh page)
 * counts there too; faults at kernel addresses never do, and are kept apart.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "targets.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/page_fault_user")
int BPF_PROG(vb_pf_user, unsigned long address)
{
	if (vb_current_is_target())
		vb_count(VB_CNT_PF_USER);
	return 0;
}

SEC("raw_tp/page_fault_kernel")
int BPF_PROG(vb_pf_kernel, unsigned long address)
{
	if (!vb_current_is_target())
		return 0;
	/* x86-64 kernel addresses are the upper canonical half. */
	vb_count((long)address < 0 ? VB_CNT_PF_KERNEL_KADDR : VB_CNT_PF_KERNEL);
	return 0;
}
