/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The latency of the clone-family syscalls (clone, clone3, fork, vfork:
 * entry to return in the caller), kept by the fork family's own syscall
 * tracepoint programs and, where the sched family is loaded beside it, by
 * sched's sys_enter and sys_exit programs into the same map (user space
 * shares it with bpf_map__reuse_fd and leaves the fork family's eight
 * programs unattached): a fork then runs three programs fewer. Whichever program
 * measures, this is how.
 */
#ifndef VB_BPF_CLONES_H
#define VB_BPF_CLONES_H

#include "targets.bpf.h"

#define NR_CLONE_X86_64	 56
#define NR_FORK_X86_64	 57
#define NR_VFORK_X86_64	 58
#define NR_CLONE3_X86_64 435

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vb_hist);
} clone_hist SEC(".maps");

static __always_inline bool vb_is_clone(long nr)
{
	return nr == NR_CLONE_X86_64 || nr == NR_CLONE3_X86_64 || nr == NR_FORK_X86_64 ||
	       nr == NR_VFORK_X86_64;
}

/* A target's clone-family syscall returned to its caller after ns. */
static __always_inline void vb_clone_done(__u64 ns)
{
	__u32 zero = 0;
	struct vb_hist *h = bpf_map_lookup_elem(&clone_hist, &zero);

	if (h)
		h->slots[vb_hist_slot(ns / 1000)]++; /* per CPU: no other CPU writes it */
}

#endif
