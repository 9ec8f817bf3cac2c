// SPDX-License-Identifier: GPL-2.0
/*
 * The "where-the-time-went" finding (findings_breakdown.h). It reads the
 * cell's "overhead" (user/results/overhead.c) and, on a VMM, the roles of
 * the run the overhead names; every number of its sentence is in its
 * evidence.
 */
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_reader.h"
#include "findings_breakdown.h"
#include "overhead.h"

#define TOP_BUCKETS 3

static const char *const bucket_words[OVERHEAD_NBUCKETS] = {
	"user code",
	"syscalls",
	"page faults",
	"other kernel work",
	"CPU taken by the hypervisor beneath",
	"waiting for a CPU",
	"blocked on I/O",
	"sleeping",
};

/* ns as "20.7 ms", "181 µs", "4.2 ns": three significant digits. */
static const char *dur(double ns, bool sign, char *buf, size_t n)
{
	static const struct {
		double div;
		const char *unit;
	} units[] = {{1e6, "ms"}, {1e3, "µs"}, {1, "ns"}};
	double a = fabs(ns);
	size_t u = 0;

	while (u < 2 && a < units[u].div)
		u++;
	snprintf(buf, n, "%s%.3g %s", sign ? (ns < 0 ? "-" : "+") : "", a / units[u].div,
		 units[u].unit);
	return buf;
}

static void ev_num(struct json_object *e, const char *key, double v)
{
	char text[32];

	if (!isfinite(v))
		return;
	snprintf(text, sizeof(text), "%.4g", v);
	json_object_object_add(e, key, json_object_new_double_s(strtod(text, NULL), text));
}

static double oncpu(struct json_object *states)
{
	double v, s = 0;

	for (int b = 0; b < OVERHEAD_STEAL; b++) /* user and the three kernel buckets */
		if (doc_num(states, overhead_buckets[b], &v))
			s += v;
	return s;
}

/* The run the cell's overhead was read from (its "run"), or NULL. */
static struct json_object *overhead_run(struct json_object *cell, struct json_object *ov)
{
	double idx;

	if (!doc_count(ov, "run", &idx) || idx >= doc_len(cell, "runs"))
		return NULL;
	return doc_idx(cell, "runs", (size_t)idx);
}

/* The vCPU threads' share of the VMM's on-CPU time in run, or NAN. */
static double vcpu_share(struct json_object *cell, struct json_object *ov)
{
	struct json_object *roles = doc_get(overhead_run(cell, ov), "probes.host.breakdown.roles");
	double all = 0;

	if (!roles || !json_object_is_type(roles, json_type_object))
		return NAN;
	json_object_object_foreach (roles, k, r) {
		(void)k;
		all += oncpu(doc_get(r, "states_ns"));
	}
	return all > 0 ? oncpu(doc_get(roles, "vcpu.states_ns")) / all : NAN;
}

/* Words for the regions samples land in (probe_regions.c's names). */
static const char *region_words(const char *region)
{
	static const char *const words[][2] = {
		{"translated_code", "translated guest code"},
		{"qemu", "QEMU's own code (helpers, softfloat, translation)"},
		{"libslirp", "libslirp"},
		{"glib", "glib"},
		{"libc", "libc"},
		{"kernel", "the host kernel"},
		{"workload", "the workload's code"},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(words[i][0], region))
			return words[i][1];
	return region;
}

#define MIN_REGION_SAMPLES 20 /* fewer say too little: a share's error is about 1/sqrt(n) */

/*
 * Where the vCPU threads' samples of the cell's median run landed, the two
 * largest regions: "; 74 % of their samples ran QEMU's own code, 24 %
 * translated guest code (300 samples)". 0 when the run has too few.
 */
static size_t vcpu_regions(struct json_object *cell, struct json_object *ov, char *text, size_t n,
			   struct json_object *evidence)
{
	const char *top[2] = {NULL, NULL};
	double cnt[2] = {0, 0}, total = 0;
	struct json_object *by;
	char key[64];
	size_t len;

	by = doc_get(overhead_run(cell, ov), "probes.host.breakdown.roles.vcpu.samples.by_region");
	if (!by || !json_object_is_type(by, json_type_object))
		return 0;
	json_object_object_foreach (by, k, v) {
		double x = json_object_get_double(v);

		total += x;
		if (x > cnt[0]) {
			top[1] = top[0], cnt[1] = cnt[0];
			top[0] = k, cnt[0] = x;
		} else if (x > cnt[1]) {
			top[1] = k, cnt[1] = x;
		}
	}
	if (total < MIN_REGION_SAMPLES || !top[0])
		return 0;
	len = (size_t)snprintf(text, n, "; %.0f %% of their samples ran %s", 100 * cnt[0] / total,
			       region_words(top[0]));
	if (top[1] && len < n)
		len += (size_t)snprintf(text + len, n - len, ", %.0f %% %s", 100 * cnt[1] / total,
					region_words(top[1]));
	if (len < n)
		len += (size_t)snprintf(text + len, n - len, " (%.0f samples)", total);
	for (int i = 0; i < 2 && top[i]; i++) {
		snprintf(key, sizeof(key), "vcpu_samples_%s", top[i]);
		ev_num(evidence, key, cnt[i] / total);
	}
	ev_num(evidence, "vcpu_samples", total);
	return len < n ? len : n - 1;
}

#define MIN_NET_SHARE 0.05 /* of the main loop's on-CPU time: less is not worth a clause */

/*
 * The main loop's network backend in the cell's median run: "; its main
 * loop spent 50 % of its on-CPU time in the network backend (578 µs per
 * unit of work, 544 µs of it in network syscalls)". 0 when it has none, or
 * too little to say.
 */
static size_t net_backend(struct json_object *cell, struct json_object *ov, char *text, size_t n,
			  struct json_object *evidence)
{
	double ops, ns, sys, share;
	struct json_object *run, *nb;
	char a[32], b[32];
	int len;

	run = overhead_run(cell, ov);
	nb = doc_get(run, "probes.host.breakdown.roles.main_loop.network_backend");
	if (!nb || !doc_count(run, "ops", &ops) || ops <= 0 || !doc_num(nb, "ns", &ns) ||
	    !doc_num(nb, "syscall_ns", &sys) || !doc_num(nb, "share_of_on_cpu", &share) ||
	    share < MIN_NET_SHARE)
		return 0;
	len = snprintf(text, n,
		       "; its main loop spent %.0f %% of its on-CPU time in the network backend "
		       "(%s per unit of work, %s of it in network syscalls: sockets, tap)",
		       100 * share, dur(ns / ops, false, a, sizeof(a)),
		       dur(sys / ops, false, b, sizeof(b)));
	ev_num(evidence, "main_loop_network_share", share);
	ev_num(evidence, "main_loop_network_per_op_ns", ns / ops);
	ev_num(evidence, "main_loop_network_syscall_per_op_ns", sys / ops);
	return len < 0 ? 0 : (size_t)len < n ? (size_t)len : n - 1;
}

struct ranked_bucket {
	int b;
	double extra;
};

static int by_size(const void *a, const void *b)
{
	double x = fabs(((const struct ranked_bucket *)a)->extra);
	double y = fabs(((const struct ranked_bucket *)b)->extra);

	return (x < y) - (x > y);
}

/* "; idle threads also slept 5.1 ms more" or "; its threads slept 2 µs less". */
static const char *sleep_words(double extra, char *buf, size_t n)
{
	char a[32];

	if (extra == 0)
		snprintf(buf, n, "; no more sleep");
	else
		snprintf(buf, n,
			 extra > 0 ? "; idle threads also slept %s more"
				   : "; its threads slept %s less",
			 dur(extra, false, a, sizeof(a)));
	return buf;
}

/*
 * Leads with the busy gap, every state but sleep (overhead's extra_busy_ns):
 * a thread asleep waiting for work does none, and on a VMM the idle vCPUs'
 * sleep can be most of the whole gap. Sleep's extra follows as idle waiting.
 */
bool findings_breakdown(struct json_object *cell, const char *label, const char *workload,
			char *text, size_t n, struct json_object *evidence)
{
	struct json_object *ov = doc_get(cell, "overhead");
	struct ranked_bucket r[OVERHEAD_NBUCKETS - 1];
	double total, busy, sleep = 0, mine = 0, native = 0, mine_busy = 0, native_busy = 0;
	double on = 0, share, v;
	double extra[OVERHEAD_NBUCKETS], per[OVERHEAD_NBUCKETS], nat[OVERHEAD_NBUCKETS];
	char a[32], b[32], c[32], d[64], key[48];
	size_t len;
	int nr = 0;

	if (!ov || !doc_num(ov, "extra_total_ns", &total) || total == 0 ||
	    !doc_num(ov, "extra_busy_ns", &busy) || !doc_get(ov, "share_of_gap"))
		return false;
	if (!overhead_buckets_read(doc_get(ov, "extra_per_op_ns"), true, extra) ||
	    !overhead_buckets_read(doc_get(ov, "per_op_ns"), true, per) ||
	    !overhead_buckets_read(doc_get(ov, "native_per_op_ns"), true, nat))
		return false;
	for (int k = 0; k < OVERHEAD_NBUCKETS; k++) {
		mine += per[k];
		native += nat[k];
		if (k == OVERHEAD_SLEEP) {
			sleep = extra[k];
			continue;
		}
		mine_busy += per[k];
		native_busy += nat[k];
		r[nr++] = (struct ranked_bucket){k, extra[k]};
		if (k < OVERHEAD_STEAL)
			on += extra[k];
	}
	len = (size_t)snprintf(
		text, n,
		"%s %s: per unit of work its threads were busy %s against native's %s (%s busy%s)",
		label, workload, dur(mine_busy, false, a, sizeof(a)),
		dur(native_busy, false, b, sizeof(b)), dur(busy, true, c, sizeof(c)),
		sleep_words(sleep, d, sizeof(d)));
	ev_num(evidence, "extra_total_ns", total);
	ev_num(evidence, "extra_busy_ns", busy);
	ev_num(evidence, "extra_sleep_ns", sleep);
	ev_num(evidence, "per_op_ns", mine);
	ev_num(evidence, "native_per_op_ns", native);
	ev_num(evidence, "busy_per_op_ns", mine_busy);
	ev_num(evidence, "native_busy_per_op_ns", native_busy);
	ev_num(evidence, "extra_on_cpu_ns", on);
	if (busy == 0) {
		/* Only sleep moved: no busy gap to share out. */
		if (len < n)
			len += (size_t)snprintf(text + len, n - len,
						"; the whole gap is idle waiting");
	} else {
		if (len < n)
			len += (size_t)snprintf(text + len, n - len,
						"; on CPU %s (%.0f %% of the busy gap); the busy "
						"gap by state:",
						dur(on, true, a, sizeof(a)), 100 * on / busy);
		qsort(r, (size_t)nr, sizeof(r[0]), by_size);
		for (int k = 0; k < TOP_BUCKETS && k < nr && r[k].extra != 0 && len < n; k++) {
			const char *name = overhead_buckets[r[k].b];

			snprintf(key, sizeof(key), "share_of_busy_gap.%s", name);
			if (!doc_num(ov, key, &share))
				return false;
			len += (size_t)snprintf(text + len, n - len, "%s %s %s (%.0f %%)",
						k ? "," : "", bucket_words[r[k].b],
						dur(r[k].extra, true, a, sizeof(a)), 100 * share);
			snprintf(key, sizeof(key), "extra_%s_ns", name);
			ev_num(evidence, key, r[k].extra);
			snprintf(key, sizeof(key), "busy_share_%s", name);
			ev_num(evidence, key, share);
			/* the share of the whole gap, as this key always was */
			snprintf(key, sizeof(key), "share_of_gap.%s", name);
			if (doc_num(ov, key, &v)) {
				snprintf(key, sizeof(key), "share_%s", name);
				ev_num(evidence, key, v);
			}
		}
	}
	share = vcpu_share(cell, ov);
	if (isfinite(share) && len < n) {
		len += (size_t)snprintf(text + len, n - len,
					"; its vCPU threads ran %.0f %% of its on-CPU time",
					100 * share);
		ev_num(evidence, "vcpu_on_cpu_share", share);
		if (len < n)
			len += vcpu_regions(cell, ov, text + len, n - len, evidence);
	}
	if (len < n)
		net_backend(cell, ov, text + len, n - len, evidence);
	return true;
}
