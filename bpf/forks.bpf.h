/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fork family's work: following the target set through fork and exit,
 * counting forks, threads and exits, and timing the clone-family syscalls
 * (clone, clone3, fork, vfork: entry to return in the caller). Its own
 * programs (bpf/fork.bpf.c) do it where it loads alone. Where the sched
 * family loads beside it, sched's programs on the same events do it instead
 * (they have looked at the thread already): user space shares clone_hist
 * with bpf_map__reuse_fd and leaves every fork-family program unattached:
 * a fork runs four programs fewer (the fork family's five, the clone's exit
 * in both parent and child among them, for sched's one on the fork).
 * Whichever program does it, this is how.
 */
#ifndef VB_BPF_FORKS_H
#define VB_BPF_FORKS_H

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

/* A target made a child: a thread of its own process (counted), or a new
 * process, counted and made a target. False when the new process could not
 * be followed (vb_targets full). */
static __always_inline bool vb_follow_fork(__u32 ptgid, __u32 ctgid)
{
	if (ctgid == ptgid) {
		vb_count(VB_CNT_THREADS);
		return true;
	}
	vb_count(VB_CNT_FORKS);
	if (vb_add_target(ctgid))
		return true;
	vb_count(VB_CNT_TARGETS_OVERFLOW);
	return false;
}

/* The last thread of a target process has exited (do_exit() drops
 * signal->live before the tracepoint, on every kernel we support): it leaves
 * the target set. */
static __always_inline void vb_target_exited(__u32 tgid)
{
	if (vb_del_target(tgid))
		vb_count(VB_CNT_EXITS);
}

#endif
