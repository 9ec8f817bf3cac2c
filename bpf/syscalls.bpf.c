// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls family: system calls entered by targets, counted per syscall
 * number. raw_tp, not the classic raw_syscalls:sys_enter: the classic one
 * copies six arguments into a trace record on every syscall of every
 * process before the program can even look at the caller.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "targets.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VB_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u64);
} syscall_counts SEC(".maps");

/* The process that loaded the probes: where it is also a target (the agent
 * in a guest runs the workloads itself), its own bpf() calls reading the
 * counters are not the workload's. */
const volatile __u32 loader_tgid = 0;

#define NR_BPF_X86_64 321

SEC("raw_tp/sys_enter")
int BPF_PROG(vb_sys_enter, struct pt_regs *regs, long id)
{
	__u32 nr;
	__u64 *v;

	if (!vb_current_is_target())
		return 0;
	if (id == NR_BPF_X86_64 && (__u32)(bpf_get_current_pid_tgid() >> 32) == loader_tgid)
		return 0;
	nr = (unsigned long)id < VB_MAX_SYSCALLS ? id : VB_MAX_SYSCALLS - 1;
	v = bpf_map_lookup_elem(&syscall_counts, &nr);
	if (v)
		(*v)++;
	return 0;
}
