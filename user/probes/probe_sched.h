/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sched family's user half: the cpu-clock sampler it needs beside its
 * tracepoints, reset and read around a window, and the "breakdown" object
 * (shared/DESIGN.md, "Where the time went"). probes.c loads and destroys
 * the skeleton; the functions below the pure/BPF line take it.
 */
#ifndef VB_PROBE_SCHED_H
#define VB_PROBE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <sys/types.h>

#include "sched_states.h"

struct json_object;
struct sched_bpf;

/* One row of the breakdown: a live thread (tid != 0), or every exited
 * thread of one comm (tid 0). ns[] holds the final states, on-CPU time
 * outside syscalls already split by probe_sched_split_oncpu(). */
struct probe_sched_row {
	char comm[VB_COMM_LEN];
	__u32 tid;
	__u32 tgid;
	__u64 threads;
	__u64 wall_ns;
	__u64 ns[VB_ST_MAX];
	__u64 sleep_ns[VB_SLEEP_MAX];
	__u64 samples[VB_SMP_MAX];
};

struct probe_sched_view {
	struct probe_sched_row *rows;
	size_t n;
	const __u64 *syscall_ns;      /* VB_MAX_SYSCALLS entries; the last one takes the rest */
	const __u64 *main_syscall_ns; /* the same, the processes' main threads only (or NULL) */
	const __u64 *tap_syscall_ns;  /* of those, a VMM's reads and writes of a tap device */
	unsigned sample_hz;	      /* 0: no sampler, no fault/other split */
	const char *fault_method;
	int64_t probe_cost_ns; /* < 0: unknown (BPF run-time stats off) */
	uint64_t lost;	       /* threads the maps had no room for */
	bool roles;	       /* the target is a VMM: group its threads by role */
};

/* What a VMM's thread does, from its name (libvirt starts QEMU with
 * debug-threads=on) and whether it is the process's first thread. */
enum probe_sched_role {
	VB_ROLE_VCPU,	   /* "CPU 0/TCG", "CPU 1/KVM", "ALL CPUs/TCG" */
	VB_ROLE_IO,	   /* "worker" (the thread pool), "IO iothread0", "vhost-..." */
	VB_ROLE_MAIN_LOOP, /* tid == tgid: the main loop, SLIRP and the device backends */
	VB_ROLE_OTHER,	   /* call_rcu, a VNC or SPICE worker, exited threads of other names */
	VB_ROLE_MAX,
};

/* --- pure: no BPF, no root ------------------------------------------- */

/* "user", "kernel_syscall", ...; "runnable_wakeup"/"runnable_preempt" for
 * the two runnable states. */
const char *probe_sched_state_name(int state);
const char *probe_sched_reason_name(int reason);

const char *probe_sched_role_name(int role);
enum probe_sched_role probe_sched_role_of(const struct probe_sched_row *row);

/* A live thread's row at now: its running interval closed into its
 * current state, its wall time from its start in the window to now. */
void probe_sched_row_from_thread(const struct vb_sched_thread *t, __u64 now,
				 struct probe_sched_row *row);

/* A row for the exited threads of one comm. */
void probe_sched_row_from_exited(const struct vb_sched_comm *key, const struct vb_sched_acc *acc,
				 struct probe_sched_row *row);

/* Takes the steal (ns[VB_ST_STEAL]) out of the on-CPU states in proportion
 * to their time, then splits the on-CPU time outside syscalls
 * (ns[VB_ST_USER]) into user, fault and other kernel time in the
 * proportion of the samples taken there; without samples it all stays
 * user. */
void probe_sched_split_oncpu(struct probe_sched_row *row);

/* Whether a syscall moves data through a socket or sets one up (sendto,
 * recvmsg, connect, setsockopt...): a VMM's main loop makes them for its
 * network backend (SLIRP's sockets, passt's stream). */
bool probe_sched_is_net_syscall(const char *name);

/*
 * "network_backend" of a VMM's main loop (the sum of its rows): the time of
 * its socket syscalls and of its reads and writes of a tap device (exact,
 * v's main_syscall_ns and tap_syscall_ns) and its user time in the
 * proportion of its user-mode samples that ran network code (net_samples:
 * libslirp and QEMU's network layer; sampled says whether there were
 * samples at all), with their sum's share of its on-CPU time.
 */
struct json_object *probe_sched_net_backend_json(const struct probe_sched_view *v,
						 const struct probe_sched_row *main_loop,
						 uint64_t net_samples, bool sampled);

/* The breakdown object of a view (rows already split). */
struct json_object *probe_sched_json(const struct probe_sched_view *v);

/* Adds "per_op_ns" (states_ns divided by ops) to a breakdown; -EINVAL when
 * ops is 0 or the object is not a breakdown. */
int probe_sched_add_per_op(struct json_object *breakdown, uint64_t ops);

/* per_op_ns on the breakdown of each side of a run, the host probes'
 * snapshot and the workload result's probes_guest, by the result's ops. */
void probe_sched_add_run_per_op(struct json_object *host, struct json_object *result);

/* --- the BPF side ---------------------------------------------------- */

struct probe_sched;

/* Before load: the fault entry's text range and tp_btf or raw_tp. */
int probe_sched_configure(struct sched_bpf *s, bool btf);

/* After attach: the cpu-clock sampler on every CPU, hz samples a second
 * (0: the default, 99) (its absence is not an
 * error: the breakdown then says "fault_method": "none"). */
int probe_sched_open(struct probe_sched **out, struct sched_bpf *s, unsigned hz);

/* Whether snapshots group the target's threads by role ("roles"), and the
 * BPF side tells a VMM's reads and writes of a tap device apart. */
void probe_sched_set_roles(struct probe_sched *ps, struct sched_bpf *s, bool on);
/* The root of the target tree: a sample of a process gone by snapshot
 * time is placed with its maps (a fork child runs its parent's code). */
void probe_sched_set_root(struct probe_sched *ps, pid_t root);
/* Keeps the root's maps as they are now, for when it is gone by the
 * snapshot (trace's command exits before it). */
void probe_sched_keep_maps(struct probe_sched *ps);

/* Starts a new window: zeroes the family's maps. */
int probe_sched_reset(struct probe_sched *ps, struct sched_bpf *s, int ncpu);

/* The breakdown of the window so far. */
struct json_object *probe_sched_snapshot(struct probe_sched *ps, struct sched_bpf *s, int ncpu,
					 uint64_t lost, int64_t probe_cost_ns);

void probe_sched_close(struct probe_sched *ps);

#endif
