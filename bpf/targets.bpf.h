/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included by every family: the set of target processes, its filter and the
 * per-CPU counter array. Each skeleton declares the three maps;
 * user/probes.c makes them one set of kernel maps with bpf_map__reuse_fd()
 * before every load, so a child that the fork family adds is a target for
 * every family at once.
 */
#ifndef VB_BPF_TARGETS_H
#define VB_BPF_TARGETS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "vbench.h"

/* A field of a kernel object the program was handed: a plain load where the
 * verifier knows its type from BTF (tp_btf), a probe read where not (raw_tp).
 * btf is a constant in every caller, so only one of the two is compiled. */
#define KREAD(btf, p, f) ((btf) ? (p)->f : BPF_CORE_READ(p, f))

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VB_MAX_TARGETS);
	__type(key, __u32);  /* tgid */
	__type(value, __u8); /* unused */
} vb_targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VB_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} vb_counters SEC(".maps");

/*
 * In front of vb_targets: how many targets' tgids fall in each slot (tgid
 * modulo VB_TARGET_SLOTS). Most events on a machine are not a target's, and
 * a zero slot says so with one load the verifier inlines, no helper call and
 * no hash walk. A slot is raised before its tgid enters vb_targets and
 * lowered after it leaves, so a zero is never wrong; a nonzero one only
 * sends the check on to vb_targets. User space pins the slots of the targets
 * it adds (VB_SLOT_PINNED) and zeroes them all with the target set.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VB_TARGET_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} vb_target_slots SEC(".maps");

static __always_inline __u32 *vb_target_slot(__u32 tgid)
{
	__u32 i = tgid & (VB_TARGET_SLOTS - 1);

	return bpf_map_lookup_elem(&vb_target_slots, &i);
}

/* False: tgid is no target. True: ask vb_targets (or a thread's entry). */
static __always_inline bool vb_maybe_target(__u32 tgid)
{
	__u32 *n = vb_target_slot(tgid);

	return !n || *n;
}

static __always_inline bool vb_is_target(__u32 tgid)
{
	return vb_maybe_target(tgid) && bpf_map_lookup_elem(&vb_targets, &tgid) != NULL;
}

/* Makes tgid a target; false when vb_targets has no room for it. */
static __always_inline bool vb_add_target(__u32 tgid)
{
	__u32 *n = vb_target_slot(tgid);
	__u8 one = 1;

	if (n)
		__sync_fetch_and_add(n, 1);
	if (!bpf_map_update_elem(&vb_targets, &tgid, &one, BPF_NOEXIST))
		return true;
	if (n) /* it was one already, or there is no room */
		__sync_fetch_and_add(n, -1);
	return bpf_map_lookup_elem(&vb_targets, &tgid) != NULL;
}

/* Takes tgid out of the target set; false when it was not in it. */
static __always_inline bool vb_del_target(__u32 tgid)
{
	__u32 *n = vb_target_slot(tgid);

	if (bpf_map_delete_elem(&vb_targets, &tgid))
		return false;
	if (n)
		__sync_fetch_and_add(n, -1);
	return true;
}

static __always_inline bool vb_current_is_target(void)
{
	return vb_is_target(bpf_get_current_pid_tgid() >> 32);
}

/* Per-CPU, so a plain increment: no other CPU writes this slot. */
static __always_inline void vb_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&vb_counters, &idx);

	if (v)
		(*v)++;
}

static __always_inline __u32 vb_log2(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xffff) << 4;
	v >>= r;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

/* The histogram slot of a duration in microseconds (see VB_HIST_SLOTS). */
static __always_inline __u32 vb_hist_slot(__u64 us)
{
	__u32 hi = us >> 32;
	__u32 slot = hi ? vb_log2(hi) + 32 : vb_log2((__u32)us);

	slot = slot < VB_HIST_SLOTS ? slot : VB_HIST_SLOTS - 1;
	/*
	 * The 6.1 verifier loses the bound above when the compiler tests a copy
	 * of the register it then indexes with; a mask on the value itself
	 * survives any such copy.
	 */
	asm volatile("%[s] &= %[m]" : [s] "+r"(slot) : [m] "i"(VB_HIST_SLOTS - 1));
	return slot;
}

#endif
