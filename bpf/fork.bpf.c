// SPDX-License-Identifier: GPL-2.0
/*
 * fork family: follows the target set through fork and exit, and counts
 * forks, exits and the clone-family syscalls of targets with their latency
 * (syscall entry to return in the caller). Where the sched family loads,
 * its programs do this work instead (bpf/forks.bpf.h) and these stay
 * unattached.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "forks.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Thread id -> time it entered clone/clone3/fork/vfork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VB_MAX_PENDING);
	__type(key, __u32);
	__type(value, __u64);
} clone_start SEC(".maps");

/* raw_tp rather than tp_btf: the arguments (parent, child) have been the
 * same since long before any kernel we run on, and raw_tp needs no BTF
 * lookup at attach time. */
SEC("raw_tp/sched_process_fork")
int BPF_PROG(vb_sched_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid;

	if (!vb_is_target(ptgid))
		return 0;
	ctgid = BPF_CORE_READ(child, tgid);
	vb_follow_fork(ptgid, ctgid);
	return 0;
}

/* A process has exited when its last thread does (bpf/forks.bpf.h). 6.1
 * has no group_dead argument yet, so read signal->live rather than take
 * the argument. */
SEC("raw_tp/sched_process_exit")
int BPF_PROG(vb_sched_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (vb_is_target(tgid) && BPF_CORE_READ(p, signal, live.counter) == 0)
		vb_target_exited(tgid);
	return 0;
}

static __always_inline int clone_enter(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u64 ts;

	if (!vb_is_target(id >> 32))
		return 0;
	vb_count(VB_CNT_CLONE_SYSCALLS);
	ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&clone_start, &tid, &ts, BPF_ANY))
		vb_count(VB_CNT_CLONE_OVERFLOW);
	return 0;
}

/* The child returns from the same syscall too, but it has no start entry:
 * only the caller's latency is counted. */
static __always_inline int clone_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *start = bpf_map_lookup_elem(&clone_start, &tid);
	__u64 ns;

	if (!start)
		return 0;
	ns = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&clone_start, &tid);
	vb_clone_done(ns);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone")
int vb_enter_clone(void *ctx)
{
	return clone_enter();
}

SEC("tracepoint/syscalls/sys_enter_clone3")
int vb_enter_clone3(void *ctx)
{
	return clone_enter();
}

SEC("tracepoint/syscalls/sys_enter_fork")
int vb_enter_fork(void *ctx)
{
	return clone_enter();
}

SEC("tracepoint/syscalls/sys_enter_vfork")
int vb_enter_vfork(void *ctx)
{
	return clone_enter();
}

SEC("tracepoint/syscalls/sys_exit_clone")
int vb_exit_clone(void *ctx)
{
	return clone_exit();
}

SEC("tracepoint/syscalls/sys_exit_clone3")
int vb_exit_clone3(void *ctx)
{
	return clone_exit();
}

SEC("tracepoint/syscalls/sys_exit_fork")
int vb_exit_fork(void *ctx)
{
	return clone_exit();
}

SEC("tracepoint/syscalls/sys_exit_vfork")
int vb_exit_vfork(void *ctx)
{
	return clone_exit();
}
