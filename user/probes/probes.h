/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that opens, loads, attaches, reads and destroys the BPF
 * probe families (bpf/<family>.bpf.c). Families this kernel cannot attach
 * are left out and named (probes_missing); the rest still count.
 */
#ifndef VB_PROBES_H
#define VB_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct json_object;
struct probes;

struct probes_opts {
	bool kvm;	     /* load the kvm:kvm_exit/kvm_entry family */
	bool sched;	     /* load the sched family: thread states, probes.host.breakdown */
	bool run_time_stats; /* time every BPF program (BPF_STATS_RUN_TIME): the
			      * breakdown's probe_cost_ns; costs each program run
			      * two clock reads */
	unsigned sample_hz;  /* the sched family's cpu-clock rate; 0: 99 Hz */
};

/* Why this process cannot load BPF (names the missing capability), or 0. */
int probes_check_privileges(char *reason, size_t n);

/* Opens, loads and attaches every family; -errno when none could. */
int probes_open(struct probes **out, const struct probes_opts *opts);

/* Families that did not load, with why ("" when all did). */
const char *probes_missing(const struct probes *p);

/*
 * Times every BPF program run (BPF_STATS_RUN_TIME) while on: the breakdown
 * then carries probe_cost_ns. Each timed run costs two clock reads more,
 * so run times the programs in a cell's warm-up only. Needs the sched
 * family; 0, or -errno.
 */
int probes_time_programs(struct probes *p, bool on);

/* Makes tgid the only target; its descendants become targets as they fork. */
int probes_set_target(struct probes *p, pid_t tgid);

/* Whether the breakdown groups the target's threads by role (a VMM's
 * vCPU, I/O, main-loop threads: platforms with PLAT_HYPERVISOR_THREADS). */
void probes_group_roles(struct probes *p, bool on);

/* Zeroes every counter and histogram (the target set stays). */
int probes_reset(struct probes *p);

/* The counters since the last reset, as the results document's
 * "probes.host" (or "probes.guest") object. */
struct json_object *probes_snapshot(struct probes *p);
/* Keeps the target's memory map as it is now, for samples to be placed by
 * after the target is gone (see probe_regions.h); cheap enough to call a
 * few times a second. */
void probes_keep_maps(struct probes *p);

void probes_close(struct probes *p);

#endif
