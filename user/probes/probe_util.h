/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the probe families share. The pure parts of reading the probes (no
 * BPF, no root), also unit-tested: percentiles from log2 histograms,
 * syscall names and the top-N selection, VM exit reason names. And the one
 * map helper every family's reset uses (probes.c).
 */
#ifndef VB_PROBE_UTIL_H
#define VB_PROBE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

struct json_object;

/* The pct-th percentile (0..100) in microseconds of a log2 histogram laid
 * out as bpf/vbench.h says, interpolated linearly inside its slot; 0 for
 * an empty histogram. */
double vb_hist_percentile(const __u64 *slots, size_t n, double pct);

/* {"p50_us", "p99_us", "hist_log2_us": [...]} with trailing empty slots
 * left out (at least one slot is kept). */
struct json_object *vb_hist_json(const __u64 *slots, size_t n);

/* The x86-64 name of a syscall number, or NULL when there is none. */
const char *vb_syscall_name(uint32_t nr);

/* Puts into idx[] the indexes of the k largest non-zero counts, largest
 * first (ties: lower index first); returns how many it put. */
size_t vb_top_indexes(const __u64 *counts, size_t n, size_t *idx, size_t k);

enum {
	VB_KVM_ISA_VMX = 1, /* as arch/x86/kvm/trace.h records isa */
	VB_KVM_ISA_SVM = 2,
};

/* The name `perf kvm stat` prints for a VM exit reason ("EPT_VIOLATION",
 * "npf", ...); unknown reasons and isas get a name made of their numbers.
 * Returns buf. */
const char *vb_kvm_reason_name(uint32_t isa, uint32_t reason, char *buf, size_t n);

/* Deletes every key of a BPF hash map (keys of at most 64 bytes); 0 or -errno. */
int probe_clear_map(int fd, size_t key_size);

struct bpf_object;

/* Before load, for a family whose programs come in tp_btf/raw_tp pairs:
 * loads the tp_btf ones (btf) or the raw_tp ones, by section name; programs
 * of other kinds are left as they are. */
void probe_choose_hook(struct bpf_object *obj, bool btf);

#endif
