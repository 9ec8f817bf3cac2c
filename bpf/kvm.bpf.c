// SPDX-License-Identifier: GPL-2.0
/*
 * kvm family: VM exits of target threads (QEMU's vCPU threads), counted per
 * (isa, exit reason) with the time from the exit to the thread's next VM
 * entry, as `perf kvm stat` measures it, and the time in guest mode between
 * (an entry to the same thread's next exit): each vCPU thread's time inside
 * KVM_RUN splits into the two. Classic tracepoints: their records carry the
 * decoded exit reason and isa, the raw tracepoint only the vcpu.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "targets.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* A vCPU thread's place: outside the guest since an exit (exit_ts), or in
 * it since an entry (entry_ts); the other is 0. */
struct pending {
	__u64 exit_ts;
	__u64 entry_ts;
	struct vb_kvm_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VB_MAX_PENDING);
	__type(key, __u32); /* thread id */
	__type(value, struct pending);
} kvm_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VB_MAX_KVM_KEYS);
	__type(key, struct vb_kvm_key);
	__type(value, struct vb_kvm_stats);
} kvm_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vb_kvm_guest);
} kvm_guest SEC(".maps");

SEC("tracepoint/kvm/kvm_exit")
int vb_kvm_exit(struct trace_event_raw_kvm_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, zero = 0;
	struct pending p = {}, *was;
	struct vb_kvm_guest *g;

	if (!vb_is_target(id >> 32))
		return 0;
	p.exit_ts = bpf_ktime_get_ns();
	p.key.isa = ctx->isa;
	p.key.reason = ctx->exit_reason;
	was = bpf_map_lookup_elem(&kvm_pending, &tid);
	if (!was) { /* the thread's first exit in the window */
		if (bpf_map_update_elem(&kvm_pending, &tid, &p, BPF_NOEXIST))
			vb_count(VB_CNT_KVM_OVERFLOW);
		return 0;
	}
	if (was->entry_ts && p.exit_ts > was->entry_ts &&
	    (g = bpf_map_lookup_elem(&kvm_guest, &zero))) {
		g->ns += p.exit_ts - was->entry_ts;
		g->stretches++;
	}
	*was = p;
	return 0;
}

SEC("tracepoint/kvm/kvm_entry")
int vb_kvm_entry(void *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	static const struct vb_kvm_stats zero;
	struct vb_kvm_stats *s;
	struct pending *p;
	__u64 now, ns;

	/* Only a thread whose exit was seen has an entry: entries of other VMs
	 * cost this one lookup, and a thread's stretch in the guest before its
	 * first exit in the window is not counted. */
	p = bpf_map_lookup_elem(&kvm_pending, &tid);
	if (!p || !p->exit_ts)
		return 0;
	now = bpf_ktime_get_ns();
	ns = now - p->exit_ts;
	s = bpf_map_lookup_elem(&kvm_stats, &p->key);
	if (!s) {
		bpf_map_update_elem(&kvm_stats, &p->key, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&kvm_stats, &p->key);
	}
	if (s) {
		s->count++;
		s->total_ns += ns;
		if (!s->min_ns || ns < s->min_ns)
			s->min_ns = ns;
		if (ns > s->max_ns)
			s->max_ns = ns;
	} else {
		vb_count(VB_CNT_KVM_OVERFLOW);
	}
	p->exit_ts = 0;
	p->entry_ts = now;
	return 0;
}
