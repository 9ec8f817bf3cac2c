/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "Where the time went": the reports' section on the breakdown (probes.host.
 * breakdown of each cell's median run, and the cell's "overhead" against
 * native; docs/results-schema.md). One view of a workload, read once, and
 * its three renderings; each report format calls its own once, and writes
 * nothing when no cell of the document has a breakdown per op.
 */
#ifndef VB_REPORT_BREAKDOWN_H
#define VB_REPORT_BREAKDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "overhead.h"

struct json_object;

#define BD_MAX_ROWS  16
#define BD_MAX_ROLES 4

struct bd_role {
	char name[16]; /* "vcpu", "io", "main_loop", "other"; "guest view" */
	double per_op[OVERHEAD_NBUCKETS], total;
};

/*
 * One side's gap to native as the cell's overhead says (its host object or
 * overhead.guest). The rows lead with the busy gap, sleep's extra apart as
 * idle waiting; a document from before extra_busy_ns shows the whole gap.
 */
struct bd_gap {
	bool have; /* extra_per_op_ns and extra_total_ns */
	double extra[OVERHEAD_NBUCKETS], total;
	bool busy; /* extra_busy_ns */
	double busy_total;
	/* share_of_busy_gap when busy (sleep's slot 0, not shown), else
	 * share_of_gap */
	bool have_share;
	double share[OVERHEAD_NBUCKETS];
	double side_total; /* the side's own per-op total, where the gap ends */
};

/* One platform entry's row: its median run's ns per op by bucket. */
struct bd_row {
	struct json_object *plat;
	char label[128]; /* doc_label(): "docker (volume)" */
	bool reference;	 /* native, the rows' first */
	double per_op[OVERHEAD_NBUCKETS], total;
	struct bd_gap gap;	 /* the host's view against native's */
	struct bd_gap guest_gap; /* the guest kernel's view against native's */
	/* a VMM's threads by role, then the guest kernel's view of the agent's
	 * threads (probes.guest.breakdown) as a row of its own */
	struct bd_role roles[BD_MAX_ROLES + 1];
	size_t nroles;
	/* the probes' own BPF run time in the cell's warm-up (probe_cost.bpf_ns;
	 * in an older document, that run's probe_cost_ns) and that run's timed
	 * seconds; cost < 0 when not recorded */
	double probe_cost_ns, run_s;
	bool cost_in_warmup;
	/* a VMM's main loop's network backend (roles.main_loop.network_backend),
	 * ns per op; net.have false when the run has none */
	struct {
		bool have;
		double ns, syscall_ns, user_ns, share, samples, user_samples;
	} net;
};

struct bd_view {
	const char *workload;
	const char *op;	  /* what one op is: "event", "fork", "read"... */
	double max_total; /* of every row and role: the common scale */
	struct bd_row rows[BD_MAX_ROWS];
	size_t n;
};

/* The view of one workload: native's row first when it has one, then the
 * other entries in document order; false when no row has a breakdown. */
bool bd_view_of(struct json_object *doc, const char *workload, struct bd_view *v);

/* A bucket's short column name ("user", "syscall", "fault", "k-other",
 * "runnable", "blocked", "sleep"). */
const char *bd_bucket_label(int bucket);

/* The unit a workload's figures are shown in (ns, µs or ms), chosen from
 * its largest total, and a figure in it. */
struct bd_unit {
	const char *name;
	double div;
};
struct bd_unit bd_unit_of(const struct bd_view *v);
const char *bd_fmt(double ns, const struct bd_unit *u, bool sign, char *buf, size_t n);

void report_breakdown_text(FILE *out, struct json_object *doc, bool color);
void report_breakdown_md(FILE *out, struct json_object *doc);
void report_breakdown_html(FILE *out, struct json_object *doc);

#endif
