/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscall count per number, kept by the syscalls family and, where the
 * sched family is loaded beside it, by sched's own sys_enter program into
 * the same map (user space shares it with bpf_map__reuse_fd and detaches
 * the syscalls family's program): every syscall then runs one program
 * fewer on entry. Whichever program counts, this is how.
 */
#ifndef VB_BPF_SYSCALLS_H
#define VB_BPF_SYSCALLS_H

#include "targets.bpf.h"

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

/* One more syscall id entered by a thread of tgid, a target. */
static __always_inline void vb_count_syscall(__u32 tgid, long id)
{
	__u32 nr;
	__u64 *v;

	if (id == NR_BPF_X86_64 && tgid == loader_tgid)
		return;
	nr = (unsigned long)id < VB_MAX_SYSCALLS ? id : VB_MAX_SYSCALLS - 1;
	v = bpf_map_lookup_elem(&syscall_counts, &nr);
	if (v)
		(*v)++; /* per CPU: no other CPU writes this slot */
}

#endif
