// SPDX-License-Identifier: GPL-2.0
/*
 * block family: block request latency from issue to completion, per device,
 * direction and scope. A request is "attributed" when a target was the
 * running task where it entered the queue: at block_rq_insert when it goes
 * through an I/O scheduler (a busy disk then issues it later from kblockd or
 * from another task's completion), else at block_rq_issue (direct issue).
 * Every request also counts for its device, so user space can set what the
 * target caused beside what its devices did meanwhile (writeback and journal
 * requests come from kernel threads).
 *
 * Each hook has a tp_btf and a raw_tp program; user/probes.c keeps one of
 * the two with bpf_program__set_autoload(). The handlers take which as a
 * constant: a tp_btf program reads the request with plain loads (KREAD), a
 * raw_tp one through bpf_probe_read_kernel, a helper call a field.
 *
 * One entry per request from its insert (when a target inserted it) or its
 * issue to its completion: the issue fills in the entry its insert made in
 * place, so a request through an I/O scheduler costs one map update, one
 * lookup at its issue, and a lookup and a delete at its completion.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "targets.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Linux 5.11 (commit a54895fa057c) dropped the request_queue argument of
 * block_rq_issue and block_rq_insert. clang 14 has no bpf_core_type_matches() to tell the two
 * shapes apart here, so user space reads the tracepoint's prototype from
 * the kernel's BTF and sets this before load; the verifier then drops the
 * branch this kernel does not need. */
const volatile bool rq_issue_single_arg = true;

#define VB_REQ_OP_MASK 0xff
#define VB_MINORBITS   20

struct inflight {
	__u64 ts; /* the issue; 0 while a target's insert waits for it */
	__u32 dev;
	__u32 bytes;
	__u8 dir;
	__u8 attributed;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VB_MAX_INFLIGHT);
	__type(key, __u64); /* struct request * */
	__type(value, struct inflight);
} blk_inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VB_MAX_BLK_KEYS);
	__type(key, struct vb_blk_key);
	__type(value, struct vb_blk_stats);
} blk_stats SEC(".maps");

/* struct request lost rq_disk in 5.17; the disk is found through the queue
 * since then. */
struct request___old {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

static __always_inline struct gendisk *request_disk(const bool btf, struct request *rq)
{
	struct request___old *old = (void *)rq;
	struct request_queue *q;

	if (bpf_core_field_exists(old->rq_disk))
		return KREAD(btf, old, rq_disk);
	q = KREAD(btf, rq, q);
	return KREAD(btf, q, disk);
}

static __always_inline __u8 request_dir(const bool btf, struct request *rq)
{
	__u32 op = KREAD(btf, rq, cmd_flags) & VB_REQ_OP_MASK;

	if (op == REQ_OP_READ)
		return VB_BLK_READ;
	if (op == REQ_OP_WRITE)
		return VB_BLK_WRITE;
	return VB_BLK_OTHER;
}

/* A request pointer is reused once freed (a request merged into another
 * is freed unissued): a non-target insert clears what an earlier owner of
 * the same address left. */
static __always_inline int trace_insert(struct request *rq)
{
	struct inflight in = {.attributed = 1};
	__u64 key = (__u64)rq;

	if (!vb_current_is_target())
		bpf_map_delete_elem(&blk_inflight, &key);
	else if (bpf_map_update_elem(&blk_inflight, &key, &in, BPF_ANY))
		vb_count(VB_CNT_BLOCK_OVERFLOW);
	return 0;
}

static __always_inline void fill(const bool btf, struct inflight *in, struct request *rq, __u64 now)
{
	struct gendisk *disk = request_disk(btf, rq);

	in->dev = (__u32)KREAD(btf, disk, major) << VB_MINORBITS |
		  (__u32)KREAD(btf, disk, first_minor);
	in->bytes = KREAD(btf, rq, __data_len);
	in->dir = request_dir(btf, rq);
	in->ts = now; /* last: a completion takes the entry as issued from here */
}

static __always_inline int trace_issue(const bool btf, struct request *rq)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	struct inflight in = {}, *p;

	p = bpf_map_lookup_elem(&blk_inflight, &key);
	if (p) { /* a target inserted it (or a stale entry a requeue left) */
		fill(btf, p, rq, now);
		return 0;
	}
	fill(btf, &in, rq, now);
	in.attributed = vb_current_is_target();
	if (bpf_map_update_elem(&blk_inflight, &key, &in, BPF_ANY))
		vb_count(VB_CNT_BLOCK_OVERFLOW);
	return 0;
}

/* Plain adds: a completion in hard interrupt context can land in the middle
 * of one in soft interrupt context on the same CPU, but then in the other
 * program (see below), which counts into entries of its own (writer). */
static __always_inline void account(const struct inflight *in, __u8 scope, __u32 slot, __u8 writer)
{
	struct vb_blk_key key = {.dev = in->dev, .dir = in->dir, .scope = scope, .writer = writer};
	static const struct vb_blk_stats zero;
	struct vb_blk_stats *s;

	s = bpf_map_lookup_elem(&blk_stats, &key);
	if (!s) {
		bpf_map_update_elem(&blk_stats, &key, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&blk_stats, &key);
		if (!s) {
			vb_count(VB_CNT_BLOCK_OVERFLOW);
			return;
		}
	}
	s->requests++;
	s->bytes += in->bytes;
	s->slots[slot]++;
}

/* Whoever deletes the in-flight entry accounts the request: exactly once,
 * however the two completion programs below interleave. */
static __always_inline int trace_complete(struct request *rq, __u8 writer)
{
	__u64 key = (__u64)rq;
	struct inflight *p, in;
	__u32 slot;

	p = bpf_map_lookup_elem(&blk_inflight, &key);
	if (!p)
		return 0;
	in = *p;
	if (bpf_map_delete_elem(&blk_inflight, &key) || !in.ts)
		return 0; /* the other program's, or never issued */
	slot = vb_hist_slot((bpf_ktime_get_ns() - in.ts) / 1000);
	account(&in, VB_BLK_DEVICE, slot, writer);
	if (in.attributed)
		account(&in, VB_BLK_ATTRIBUTED, slot, writer);
	return 0;
}

SEC("tp_btf/block_rq_insert")
int vb_rq_insert_btf(u64 *ctx)
{
	if (rq_issue_single_arg)
		return trace_insert((void *)ctx[0]);
	return trace_insert((void *)ctx[1]);
}

SEC("tp_btf/block_rq_issue")
int vb_rq_issue_btf(u64 *ctx)
{
	if (rq_issue_single_arg)
		return trace_issue(true, (void *)ctx[0]);
	return trace_issue(true, (void *)ctx[1]);
}

/*
 * Two identical completion programs. The kernel skips a program that is
 * already running on this CPU (its recursion guard), and completions nest:
 * virtio-blk completes some requests in hard interrupt context while block
 * softirq completes others. A nested completion finds one of the two idle,
 * so none is lost; trace_complete() keeps it from being counted twice. The
 * kernel never nests a program in itself on one CPU, so each program's
 * per-CPU counters (its writer key) are only ever written by it, one at a
 * time, and need no atomic adds.
 */
SEC("tp_btf/block_rq_complete")
int vb_rq_complete_btf(u64 *ctx)
{
	return trace_complete((void *)ctx[0], 0);
}

SEC("tp_btf/block_rq_complete")
int vb_rq_complete2_btf(u64 *ctx)
{
	return trace_complete((void *)ctx[0], 1);
}

SEC("raw_tp/block_rq_insert")
int vb_rq_insert_raw(u64 *ctx)
{
	if (rq_issue_single_arg)
		return trace_insert((void *)ctx[0]);
	return trace_insert((void *)ctx[1]);
}

SEC("raw_tp/block_rq_issue")
int vb_rq_issue_raw(u64 *ctx)
{
	if (rq_issue_single_arg)
		return trace_issue(false, (void *)ctx[0]);
	return trace_issue(false, (void *)ctx[1]);
}

SEC("raw_tp/block_rq_complete")
int vb_rq_complete_raw(u64 *ctx)
{
	return trace_complete((void *)ctx[0], 0);
}

SEC("raw_tp/block_rq_complete")
int vb_rq_complete2_raw(u64 *ctx)
{
	return trace_complete((void *)ctx[0], 1);
}
