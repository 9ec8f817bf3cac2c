/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types and sizes shared by the probe families (bpf/) and the one place that
 * reads them (user/probes.c). Plain fixed-width types only, so that the same
 * layout compiles against vmlinux.h and against the UAPI headers.
 */
#ifndef VB_BPF_VBENCH_H
#define VB_BPF_VBENCH_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Map sizes: every map is bounded; running out is counted (VB_CNT_*_OVERFLOW). */
#define VB_MAX_TARGETS	4096	   /* target tgids followed at once */
#define VB_TARGET_SLOTS 4096	   /* vb_target_slots (targets.bpf.h); a power of two */
#define VB_SLOT_PINNED	(1u << 30) /* a slot user space set: never lowered to 0 */
#define VB_MAX_INFLIGHT 4096	   /* block requests in flight (queue depths are far below) */
#define VB_MAX_PENDING	4096	   /* threads inside clone() or inside a VM exit */
#define VB_MAX_BLK_KEYS 512	   /* (device, direction, scope, writer) keys */
#define VB_MAX_KVM_KEYS 512	   /* (isa, exit reason) pairs */
#define VB_MAX_SYSCALLS                                          \
	512 /* syscall numbers counted one by one; the last slot \
	     * takes every number at or above it */

/* Log2 histograms in microseconds: slot 0 holds [0, 2) us, slot k >= 1 holds
 * [2^k, 2^(k+1)) us; the last slot also takes everything longer (2^31 us is
 * about 36 min). A power of two, so that the BPF side can bound an index with
 * a mask that every verifier (the guests' 6.1 too) follows. */
#define VB_HIST_SLOTS 32

/* Indexes into the shared per-CPU counter array (vb_counters). */
enum vb_counter {
	VB_CNT_PF_USER,		 /* exceptions:page_fault_user */
	VB_CNT_PF_KERNEL,	 /* page_fault_kernel at a user address */
	VB_CNT_PF_KERNEL_KADDR,	 /* page_fault_kernel at a kernel address */
	VB_CNT_FORKS,		 /* new processes forked by targets */
	VB_CNT_THREADS,		 /* new threads made by targets */
	VB_CNT_EXITS,		 /* target processes whose last thread exited */
	VB_CNT_CLONE_SYSCALLS,	 /* clone, clone3, fork, vfork entered by targets */
	VB_CNT_TARGETS_OVERFLOW, /* children not followed: vb_targets was full */
	VB_CNT_CLONE_OVERFLOW,	 /* clone latencies lost: pending map full */
	VB_CNT_BLOCK_OVERFLOW,	 /* block requests lost: in-flight or stats map full */
	VB_CNT_KVM_OVERFLOW,	 /* VM exits lost: pending or stats map full */
	VB_CNT_SCHED_OVERFLOW,	 /* threads not accounted: sched_threads or sched_exited full */
	VB_CNT_MAX,
};

struct vb_hist {
	__u64 slots[VB_HIST_SLOTS];
};

enum vb_blk_dir {
	VB_BLK_READ,
	VB_BLK_WRITE,
	VB_BLK_OTHER, /* flush, discard, zone and driver requests */
	VB_BLK_DIRS,
};

enum vb_blk_scope {
	VB_BLK_DEVICE,	   /* every request on the device */
	VB_BLK_ATTRIBUTED, /* requests issued while a target was running */
};

struct vb_blk_key {
	__u32 dev;   /* kernel dev_t of the whole disk: major << 20 | minor */
	__u8 dir;    /* enum vb_blk_dir */
	__u8 scope;  /* enum vb_blk_scope */
	__u8 writer; /* which completion program counted it (block.bpf.c): sum them */
	__u8 pad;
};

struct vb_blk_stats {
	__u64 requests;
	__u64 bytes;
	__u64 slots[VB_HIST_SLOTS]; /* issue-to-complete latency */
};

struct vb_kvm_key {
	__u32 isa;    /* KVM_ISA_VMX 1, KVM_ISA_SVM 2 */
	__u32 reason; /* the exit reason as kvm_exit recorded it */
};

struct vb_kvm_stats {
	__u64 count;
	__u64 total_ns; /* exit to the next entry of the same thread */
	__u64 min_ns;
	__u64 max_ns;
};

/* kvm_guest: time the target's vCPU threads ran in guest mode, from each
 * VM entry to the same thread's next exit, and how many such stretches. */
struct vb_kvm_guest {
	__u64 ns;
	__u64 stretches;
};

#endif
