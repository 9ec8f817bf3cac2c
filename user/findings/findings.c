// SPDX-License-Identifier: GPL-2.0
/*
 * Each rule tests one usual explanation of a platform's cost against the
 * counters of one results document. The thresholds below say when a counter
 * is large enough to speak of; every number in a sentence comes from the
 * document and is also put in the finding's evidence.
 */
#include <ctype.h>
#include <json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "findings.h"
#include "findings_breakdown.h"
#include "doc_reader.h"
#include "experiments.h"
#include "stats.h"

#define FAR_BELOW	 0.5	/* a ratio to native this low is "Nx below" */
#define NEAR_NATIVE	 0.8	/* and this high is close to native */
#define BUSY_USER	 0.8	/* user time / wall time of a CPU-bound workload */
#define NO_EXITS_PER_S	 1.0	/* fewer VM exits per second than this: none to speak of */
#define MIN_EXITS_PER_S	 1000.0 /* fewer than this: an idle guest's timer, not the workload */
#define FAULTS_FACTOR	 2.0	/* faults per unit this far from native's are worth a word */
#define MIN_FAULTS_PER_S 1000.0 /* and only when they are this frequent */
#define SEQ_RAND_DIFFER	 2.0	/* a platform's seq/rand gap this far from native's */
#define MIN_BLOCK_REQS	 100.0	/* block requests below this are noise (boot, logging) */
#define HOST_CACHE_SHARE 0.2	/* share of guest requests the host never issued */
#define SYSCALL_RELAY	 3.0	/* host syscalls per MiB this many times native's: a relay */
#define SYSCALL_SAME	 1.5	/* and below this, no detour */
#define EXIT_PER_FORK	 1.0	/* VM exits per fork at which fork "traps" */
#define MAX_ROWS	 64
#define TOP		 3

/*
 * What every rule knows of the cell it looks at, read once through the typed
 * reader (doc_reader.h): the cell, what the host and the guest counted for
 * it, and what the host counted for the same workload on native.
 */
struct rule_cell {
	struct json_object *doc, *plat, *cell, *native; /* native: the same workload on native */
	const char *rule; /* the id its findings carry: the rule table's key */
	const char *workload;
	char label[96];
	double ratio; /* mean / native mean; NAN when unknown */
	bool is_native;
	struct doc_cell_view view;
	struct doc_side_counters host, guest, native_host;
	const struct doc_side_counters *own; /* the side that saw the workload: guest or host */
};

typedef void (*rule_fn)(const struct rule_cell *c, struct json_object *out);

/* Reads what a rule needs of one cell; false when the cell has nothing to judge. */
static bool rule_cell_read(struct rule_cell *c, struct json_object *native)
{
	c->workload = doc_str(c->cell, "name", NULL);
	if (!c->workload || !doc_cell_has_runs(c->cell) || doc_get(c->cell, "error"))
		return false;
	doc_label(c->plat, c->label, sizeof(c->label));
	c->is_native = c->plat == native;
	c->native = c->is_native ? NULL : doc_cell(native, c->workload);
	if (c->native && !doc_cell_has_runs(c->native))
		c->native = NULL;
	doc_cell_read(c->doc, c->cell, &c->view);
	c->ratio = c->view.vs_native;
	doc_side_read(c->cell, DOC_SIDE_HOST, &c->host);
	doc_side_read(c->cell, DOC_SIDE_GUEST, &c->guest);
	c->own = c->view.side == DOC_SIDE_GUEST ? &c->guest : &c->host;
	doc_side_read(c->native, DOC_SIDE_HOST, &c->native_host);
	return true;
}

static void for_each_cell(struct json_object *doc, const char *rule, rule_fn fn,
			  struct json_object *out)
{
	struct json_object *native = doc_native(doc);
	struct rule_cell *c = malloc(sizeof(*c));

	if (!c)
		return;
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		if (!doc_platform_ok(p))
			continue;
		for (size_t j = 0; j < doc_len(p, "workloads"); j++) {
			memset(c, 0, sizeof(*c));
			c->doc = doc;
			c->plat = p;
			c->rule = rule;
			c->cell = doc_idx(p, "workloads", j);
			if (rule_cell_read(c, native))
				fn(c, out);
		}
	}
	free(c);
}

/* Four significant digits (or whole numbers) are all the evidence needs, and all a
 * reader wants. */
static void ev(struct json_object *e, const char *key, double v)
{
	char text[32];

	if (!isfinite(v))
		return;
	if (fabs(v) >= 1000) {
		v = round(v);
	} else if (v != 0) {
		double mag = pow(10, 3 - floor(log10(fabs(v))));

		v = round(v * mag) / mag;
	}
	if (v == floor(v) && fabs(v) < 9e15) {
		json_object_object_add(e, key, json_object_new_int64((int64_t)v));
	} else {
		/* Printed as rounded, not as the 17 digits of its binary value. */
		snprintf(text, sizeof(text), "%.4g", v);
		json_object_object_add(e, key, json_object_new_double_s(v, text));
	}
}

static void ev_str(struct json_object *e, const char *key, const char *s)
{
	json_object_object_add(e, key, json_object_new_string(s));
}

static void emit(const struct rule_cell *c, struct json_object *out, struct json_object *evidence,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void emit(const struct rule_cell *c, struct json_object *out, struct json_object *evidence,
		 const char *fmt, ...)
{
	struct json_object *f = json_object_new_object();
	const char *variant = doc_str(c->plat, "variant", NULL);
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_object_object_add(f, "platform",
			       json_object_new_string(doc_str(c->plat, "name", "?")));
	if (variant && *variant)
		json_object_object_add(f, "variant", json_object_new_string(variant));
	json_object_object_add(f, "workload", json_object_new_string(c->workload));
	json_object_object_add(f, "rule", json_object_new_string(c->rule));
	json_object_object_add(f, "text", json_object_new_string(text));
	json_object_object_add(f, "evidence", evidence);
	json_object_array_add(out, f);
}

/* "14x below native", "at 93 % of native", "1.3x native". */
static const char *ratio_words(double r, char *buf, size_t n)
{
	if (!isfinite(r) || r <= 0)
		snprintf(buf, n, "without a native reference");
	else if (r < FAR_BELOW)
		snprintf(buf, n, "%.*fx below native", 1 / r < 10 ? 1 : 0, 1 / r);
	else if (r >= 2)
		snprintf(buf, n, "%.1fx native", r);
	else
		snprintf(buf, n, "at %.0f %% of native", r * 100);
	return buf;
}

static const char *n3(double v, char *buf, size_t n)
{
	return doc_fmt_num(v, buf, n);
}

/* Host-side VM exits: total, per second, per op; false without the kvm family. */
struct exits {
	double total, per_s, per_op, per_mib;
};

static bool cell_exits(const struct doc_side_counters *k, struct exits *x)
{
	const struct cell_sum *s = &k->vm_exits;

	memset(x, 0, sizeof(*x));
	if (!s->runs)
		return false;
	x->total = s->value;
	if (!doc_sum_per_s(s, &x->per_s))
		x->per_s = NAN;
	if (!doc_sum_per_op(s, &x->per_op))
		x->per_op = NAN;
	if (!doc_sum_per_mib(s, &x->per_mib))
		x->per_mib = NAN;
	return true;
}

/* What an exit reason means, for VMX and SVM names alike. */
static const char *exit_meaning(const char *reason)
{
	static const struct {
		const char *reason, *meaning;
	} m[] = {
		{"EPT_VIOLATION", "guest memory the host had not mapped yet"},
		{"npf", "guest memory the host had not mapped yet"},
		{"EPT_MISCONFIG", "MMIO to an emulated device, e.g. virtio notifications"},
		{"IO_INSTRUCTION", "port I/O to an emulated device"},
		{"io", "port I/O to an emulated device"},
		{"HLT", "an idle vCPU halting"},
		{"EXTERNAL_INTERRUPT", "host interrupts arriving while the guest ran"},
		{"intr", "host interrupts arriving while the guest ran"},
		{"MSR_WRITE", "timer and MSR writes"},
		{"MSR_READ", "MSR reads"},
		{"msr", "MSR accesses"},
		{"APIC_WRITE", "interrupt controller emulation"},
		{"APIC_ACCESS", "interrupt controller emulation"},
		{"EOI_INDUCED", "interrupt acknowledgements"},
		{"PREEMPTION_TIMER", "the host's preemption timer"},
		{"PAUSE_INSTRUCTION", "a vCPU spinning on a lock"},
		{"pause", "a vCPU spinning on a lock"},
		{"CPUID", "CPUID emulation"},
		{"cpuid", "CPUID emulation"},
		{"INTERRUPT_WINDOW", "waiting to inject an interrupt"},
		{"vintr", "waiting to inject an interrupt"},
		{"CR_ACCESS", "control register writes"},
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcasecmp(m[i].reason, reason))
			return m[i].meaning;
	return NULL;
}

static bool is_paging_exit(const char *reason)
{
	return !strcasecmp(reason, "EPT_VIOLATION") || !strcasecmp(reason, "npf");
}

static bool is_idle_exit(const char *reason)
{
	return !strcasecmp(reason, "HLT");
}

/* The workload ran in a guest: its own kernel reported, or the platform is a VM by name. */
static bool in_vm(const struct rule_cell *c)
{
	const char *name = doc_str(c->plat, "name", "");

	return c->view.has_guest || !strcmp(name, "qemu") || !strcmp(name, "kvm");
}

/* ---- binary translation: is QEMU slow on CPU because it emulates? ---- */

/* Slow on CPU but mostly not running: it waited (a quota, contention), it did not emulate. */
static void rule_cpu_starved(const struct rule_cell *c, struct json_object *out)
{
	const struct cell_sum *ut = &c->view.user_time;
	struct json_object *e;
	double busy;
	char r[64];

	if (c->is_native || strcmp(c->workload, "cpu") || !isfinite(c->ratio) ||
	    c->ratio >= FAR_BELOW)
		return;
	if (!ut->runs || ut->duration_s <= 0)
		return;
	busy = ut->value / ut->duration_s;
	if (busy >= BUSY_USER)
		return;
	e = json_object_new_object();
	ev(e, "vs_native", c->ratio);
	ev(e, "user_time_share", busy);
	emit(c, out, e,
	     "%s cpu is %s but the workload ran in user time for only %.0f %% of the wall clock: "
	     "it waited for a CPU rather than computing slowly (a CPU quota or contention), so "
	     "emulation does not explain it",
	     c->label, ratio_words(c->ratio, r, sizeof(r)), busy * 100);
}

/* What the cpu rules weigh, for a VM's cpu cell: its exits and how busy it was in user time. */
static bool cpu_evidence(const struct rule_cell *c, struct exits *x, struct cell_sum *ut,
			 double *busy)
{
	if (c->is_native || strcmp(c->workload, "cpu") || !isfinite(c->ratio) || !in_vm(c))
		return false;
	if (!cell_exits(&c->host, x) || !isfinite(x->per_s))
		return false;
	*ut = c->view.user_time;
	if (!ut->runs || ut->duration_s <= 0)
		return false;
	*busy = ut->value / ut->duration_s;
	return true;
}

static struct json_object *cpu_evidence_object(const struct rule_cell *c, const struct exits *x,
					       double busy)
{
	struct json_object *e = json_object_new_object();

	ev(e, "vs_native", c->ratio);
	ev(e, "vm_exits", x->total);
	ev(e, "vm_exits_per_s", x->per_s);
	ev(e, "user_time_share", busy);
	return e;
}

static void rule_binary_translation(const struct rule_cell *c, struct json_object *out)
{
	struct cell_sum ut;
	struct exits x;
	double busy;
	char r[64], a[32];

	if (!cpu_evidence(c, &x, &ut, &busy) || c->ratio >= FAR_BELOW ||
	    x.per_s >= NO_EXITS_PER_S || busy < BUSY_USER)
		return;
	emit(c, out, cpu_evidence_object(c, &x, busy),
	     "%s cpu is %s with %s VM exits in %.0f s while the workload was %.0f %% busy "
	     "in user time: no instruction trapped to a hypervisor, every guest instruction "
	     "went through software translation (binary translation, TCG), which confirms "
	     "the emulation explanation",
	     c->label, ratio_words(c->ratio, r, sizeof(r)), n3(x.total, a, sizeof(a)),
	     ut.duration_s, busy * 100);
}

static void rule_hardware_virtualization(const struct rule_cell *c, struct json_object *out)
{
	struct cell_sum ut;
	struct exits x;
	double busy;
	char r[64], a[32], b[32];

	if (!cpu_evidence(c, &x, &ut, &busy) || c->ratio < NEAR_NATIVE || x.per_s < NO_EXITS_PER_S)
		return;
	emit(c, out, cpu_evidence_object(c, &x, busy),
	     "%s cpu is %s with %s VM exits/s (%s per event): the guest's instructions run "
	     "directly on the CPU under hardware virtualization, nothing on this path is "
	     "emulated",
	     c->label, ratio_words(c->ratio, r, sizeof(r)), n3(x.per_s, a, sizeof(a)),
	     n3(x.per_op, b, sizeof(b)));
}

/* ---- hardware virtualization: what do the VM exits cost? ---- */

static void rule_vm_exits(const struct rule_cell *c, struct json_object *out)
{
	const struct exit_row *rows;
	struct json_object *e;
	double all_time = 0;
	char list[512] = "", a[32], b[32];
	size_t n, len = 0;
	struct exits x;

	if (!cell_exits(&c->host, &x) || !isfinite(x.per_s) || x.per_s < MIN_EXITS_PER_S)
		return;
	rows = c->host.exits;
	n = c->host.nexits;
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		all_time += rows[i].time_us;
	e = json_object_new_object();
	ev(e, "vm_exits", x.total);
	ev(e, "vm_exits_per_s", x.per_s);
	ev(e, "vm_exits_per_op", x.per_op);
	if (isfinite(c->ratio))
		ev(e, "vs_native", c->ratio);
	for (size_t i = 0; i < n && i < TOP; i++) {
		const char *meaning = exit_meaning(rows[i].reason);
		double share = rows[i].samples / x.total;
		char key[80], time[64] = "", what[128] = "";

		snprintf(key, sizeof(key), "share_%.48s", rows[i].reason);
		ev(e, key, share);
		if (rows[i].timed && all_time > 0) {
			snprintf(key, sizeof(key), "time_share_%.48s", rows[i].reason);
			ev(e, key, rows[i].time_us / all_time);
			snprintf(time, sizeof(time), ", %.0f %% of exit time",
				 rows[i].time_us / all_time * 100);
		}
		if (meaning)
			snprintf(what, sizeof(what), " (%s)", meaning);
		len += (size_t)snprintf(list + len, sizeof(list) - len,
					"%s%s%s: %.0f %% of exits%s", i ? "; " : "", rows[i].reason,
					what, share * 100, time);
		if (len >= sizeof(list))
			break;
	}
	emit(c, out, e, "%s %s: %s VM exits/s, %s per op; by reason: %s", c->label, c->workload,
	     n3(x.per_s, a, sizeof(a)), n3(x.per_op, b, sizeof(b)), list);
}

/* ---- memory: shadow page tables, a VM exit per page fault? ---- */

static double exits_of(const struct doc_side_counters *k, bool (*match)(const char *reason))
{
	double v = 0;

	for (size_t i = 0; i < k->nexits; i++)
		if (match(k->exits[i].reason))
			v += k->exits[i].samples;
	return v;
}

static double paging_exits(const struct doc_side_counters *k)
{
	return exits_of(k, is_paging_exit);
}

/*
 * Faults per unit of work of a cell and of native, when both are known and
 * in the same unit (per MiB, or both per op).
 */
static bool faults_pair(const struct doc_faults *f, const struct doc_faults *nf)
{
	return f->have_per_unit && nf->have_per_unit && f->per_mib == nf->per_mib;
}

static void rule_memory(const struct rule_cell *c, struct json_object *out)
{
	const struct doc_faults f = c->guest.faults, nf = c->native_host.faults;
	struct exits x;
	struct json_object *e;
	double per_fault;
	char r[64], a[32], b[32], d[32];
	const char *unit;

	if (c->is_native || strcmp(c->workload, "mem") || !c->native || !c->view.has_guest)
		return;
	if (!cell_exits(&c->host, &x) || !faults_pair(&f, &nf))
		return;
	unit = f.per_mib ? "MiB written" : "op";
	ratio_words(c->ratio, r, sizeof(r));
	e = json_object_new_object();
	ev(e, "vs_native", c->ratio);
	ev(e, "vm_exits", x.total);
	ev(e, f.per_mib ? "guest_faults_per_mib" : "guest_faults_per_op", f.per_unit);
	ev(e, f.per_mib ? "native_faults_per_mib" : "native_faults_per_op", nf.per_unit);
	if (x.per_s < NO_EXITS_PER_S) {
		emit(c, out, e,
		     "%s mem is %s with %s VM exits: no page fault left the guest, so shadow page "
		     "tables (an exit per fault) do not explain it; the guest's MMU is software "
		     "here "
		     "and took %s page faults per %s vs %s on native",
		     c->label, r, n3(x.total, a, sizeof(a)), n3(f.per_unit, b, sizeof(b)), unit,
		     n3(nf.per_unit, d, sizeof(d)));
		return;
	}
	per_fault = f.total > 0 ? paging_exits(&c->host) / f.total : NAN;
	ev(e, "paging_exits", paging_exits(&c->host));
	ev(e, "paging_exits_per_guest_fault", per_fault);
	if (isfinite(per_fault) && per_fault >= 0.5) {
		emit(c, out, e,
		     "%s mem is %s: %.2f EPT/NPT violation exits per guest page fault (%s guest "
		     "faults "
		     "per %s vs %s native): guest paging does reach the hypervisor here (the host "
		     "backs guest memory on first touch), so exits per fault are part of the cost",
		     c->label, r, per_fault, n3(f.per_unit, a, sizeof(a)), unit,
		     n3(nf.per_unit, b, sizeof(b)));
	} else {
		emit(c, out, e,
		     "%s mem is %s with %s EPT/NPT violation exits for %s guest page faults per %s "
		     "(%s on native): the guest handles its own page faults in hardware (EPT/NPT), "
		     "not with a VM exit each",
		     c->label, r, n3(paging_exits(&c->host), a, sizeof(a)),
		     n3(f.per_unit, b, sizeof(b)), unit, n3(nf.per_unit, d, sizeof(d)));
	}
}

/* ---- memory: page faults per unit of work against native's ---- */

static void rule_faults(const struct rule_cell *c, struct json_object *out)
{
	const struct doc_faults *f = &c->own->faults, *nf = &c->native_host.faults;
	struct json_object *e;
	double factor;
	char a[32], b[32], u[32], k[32];
	const char *unit;

	if (c->is_native || !c->native || !strcmp(c->workload, "fork"))
		return;
	if (!strcmp(c->workload, "mem") && c->view.has_guest)
		return; /* rule_memory speaks of it */
	if (!faults_pair(f, nf) || nf->per_unit <= 0 || f->per_unit <= 0)
		return;
	factor = f->per_unit / nf->per_unit;
	if (factor < FAULTS_FACTOR && factor > 1 / FAULTS_FACTOR)
		return;
	if (!f->have_per_s || f->per_s < MIN_FAULTS_PER_S)
		return;
	unit = f->per_mib ? "MiB" : "op";
	e = json_object_new_object();
	ev(e, "faults_per_unit", f->per_unit);
	ev(e, "user_faults_per_unit", f->user_per_unit);
	ev(e, "kernel_faults_per_unit", f->kernel_per_unit);
	ev(e, "native_faults_per_unit", nf->per_unit);
	ev(e, "factor", factor);
	ev(e, "faults_per_s", f->per_s);
	ev_str(e, "unit", unit);
	emit(c, out, e,
	     "%s %s: %s page faults per %s (%s user-side, %s kernel-side, as its %s kernel saw "
	     "them) vs %s on native, %.1fx %s",
	     c->label, c->workload, n3(f->per_unit, a, sizeof(a)), unit,
	     n3(f->user_per_unit, u, sizeof(u)), n3(f->kernel_per_unit, k, sizeof(k)),
	     doc_side_name(c->view.side), n3(nf->per_unit, b, sizeof(b)),
	     factor >= 1 ? factor : 1 / factor, factor >= 1 ? "more" : "fewer");
}

/* ---- disk: what does the virtual disk add, and does a host cache serve it? ---- */

struct blk {
	double requests, p50, p99, bytes;
	bool have_p50;
};

/* What the disk rules weigh of a side's block requests; false without the block family. */
static bool cell_block(const struct doc_side_counters *k, struct blk *b)
{
	const struct doc_block *d = &k->block;

	memset(b, 0, sizeof(*b));
	if (!d->requests.runs)
		return false;
	b->requests = d->requests.value;
	b->have_p50 = d->have_p50 && b->requests > 0;
	b->p50 = d->have_p50 ? d->p50_us : 0;
	b->p99 = d->have_p99 ? d->p99_us : NAN;
	b->bytes = d->bytes.value;
	return true;
}

/* The block requests guest and host saw for a VM's cell, when there are enough to speak of. */
static bool disk_evidence(const struct rule_cell *c, struct blk *g, struct blk *h)
{
	return c->view.has_guest && cell_block(&c->guest, g) && cell_block(&c->host, h) &&
	       g->requests >= MIN_BLOCK_REQS;
}

static struct json_object *disk_evidence_object(const struct rule_cell *c, const struct blk *g,
						const struct blk *h)
{
	struct json_object *e = json_object_new_object();
	struct blk nb;

	ev(e, "guest_requests", g->requests);
	ev(e, "host_requests", h->requests);
	ev(e, "vs_native", c->ratio);
	if (g->have_p50)
		ev(e, "guest_p50_us", g->p50);
	if (h->have_p50)
		ev(e, "host_p50_us", h->p50);
	if (c->native && cell_block(&c->native_host, &nb) && nb.have_p50)
		ev(e, "native_p50_us", nb.p50);
	return e;
}

/* Share of the guest's requests the host never issued: served from its cache. */
static double disk_uncached(const struct blk *g, const struct blk *h)
{
	return 1 - h->requests / g->requests;
}

static void rule_disk_host_cache(const struct rule_cell *c, struct json_object *out)
{
	struct json_object *e;
	struct blk g, h;
	char r[64], a[32], b[32];

	if (!disk_evidence(c, &g, &h) || disk_uncached(&g, &h) < HOST_CACHE_SHARE)
		return;
	e = disk_evidence_object(c, &g, &h);
	ev(e, "served_without_device_request", disk_uncached(&g, &h));
	emit(c, out, e,
	     "%s %s is %s: the guest issued %s block requests, the host only %s for it, so "
	     "%.0f %% of the guest's I/O was served without a device request (the host's page "
	     "cache)%s",
	     c->label, c->workload, ratio_words(c->ratio, r, sizeof(r)),
	     n3(g.requests, a, sizeof(a)), n3(h.requests, b, sizeof(b)),
	     disk_uncached(&g, &h) * 100,
	     isfinite(c->ratio) && c->ratio > 1
		     ? ": the VM does not read the disk faster, it reads the host's memory"
		     : "");
}

static void rule_disk_virtual_latency(const struct rule_cell *c, struct json_object *out)
{
	struct json_object *e;
	struct blk g, h;
	double added;
	char r[64];

	if (!disk_evidence(c, &g, &h) || disk_uncached(&g, &h) >= HOST_CACHE_SHARE || !g.have_p50 ||
	    !h.have_p50)
		return;
	e = disk_evidence_object(c, &g, &h);
	added = g.p50 - h.p50;
	ev(e, "added_latency_us", added);
	emit(c, out, e,
	     "%s %s is %s: the virtual disk adds %.0f us per request (guest p50 %.0f us, host p50 "
	     "%.0f us for the same requests); the host issued %.2f requests per guest request, so "
	     "no host cache served them%s",
	     c->label, c->workload, ratio_words(c->ratio, r, sizeof(r)), added, g.p50, h.p50,
	     h.requests / g.requests,
	     isfinite(c->ratio) && c->ratio > 1 ? " and the VM's lead is not a cache effect" : "");
}

/* ---- disk: why sequential beats random ---- */

struct seq_rand {
	struct stats seq, rand;
	struct blk s, r;
	double s_req, r_req, s_permib, r_permib, gap;
};

/* The block requests one side saw for a cell other than the rule's own. */
static bool cell_block_of(struct json_object *cell, enum doc_side side, struct blk *b)
{
	struct doc_side_counters k;

	doc_side_read(cell, side, &k);
	return cell_block(&k, b);
}

static bool seq_rand_of(struct json_object *plat, struct seq_rand *x)
{
	struct json_object *sc = doc_cell(plat, "diskseq"), *rc = doc_cell(plat, "diskrand");
	enum doc_side side;

	if (!sc || !rc || !doc_cell_has_runs(sc) || !doc_cell_has_runs(rc))
		return false;
	side = doc_cell_side(sc);
	if (!doc_cell_stats(sc, &x->seq) || !doc_cell_stats(rc, &x->rand) || x->rand.mean <= 0)
		return false;
	if (!cell_block_of(sc, side, &x->s) || !cell_block_of(rc, side, &x->r) || !x->s.have_p50 ||
	    !x->r.have_p50 || x->s.bytes <= 0 || x->r.bytes <= 0)
		return false;
	x->s_req = x->s.bytes / x->s.requests;
	x->r_req = x->r.bytes / x->r.requests;
	/* Device time per MiB: what each pattern pays for the same bytes. */
	x->s_permib = x->s.p50 * 1048576.0 / x->s_req;
	x->r_permib = x->r.p50 * 1048576.0 / x->r_req;
	x->gap = x->seq.mean / x->rand.mean;
	return true;
}

/*
 * Said once with native's counters; another platform only speaks when its
 * gap differs from native's, or when native has no counters to speak with.
 */
static void rule_seq_vs_rand(const struct rule_cell *c, struct json_object *out)
{
	struct seq_rand x, nx;
	struct json_object *e;
	bool have_native;
	char a[32], b[32], vs[96] = "";

	if (strcmp(c->workload, "diskseq") || !seq_rand_of(c->plat, &x))
		return;
	have_native = !c->is_native && seq_rand_of(doc_native(c->doc), &nx);
	if (have_native) {
		double d = x.gap / nx.gap;

		if (d < SEQ_RAND_DIFFER && d > 1 / SEQ_RAND_DIFFER)
			return;
		snprintf(vs, sizeof(vs), " (native: %.1fx)", nx.gap);
	}
	e = json_object_new_object();
	ev(e, "seq_score", x.seq.mean);
	ev(e, "rand_score", x.rand.mean);
	ev(e, "seq_bytes_per_request", x.s_req);
	ev(e, "rand_bytes_per_request", x.r_req);
	ev(e, "seq_p50_us", x.s.p50);
	ev(e, "rand_p50_us", x.r.p50);
	ev(e, "seq_us_per_mib", x.s_permib);
	ev(e, "rand_us_per_mib", x.r_permib);
	if (have_native)
		ev(e, "native_gap", nx.gap);
	emit(c, out, e,
	     "%s: sequential reads ran %.1fx %s than random ones%s; a sequential request carried "
	     "%s KiB at p50 %.0f us, a random one %s KiB at p50 %.0f us, so a MiB cost %.0f us of "
	     "device time sequentially and %.0f us randomly: %s",
	     c->label, x.gap >= 1 ? x.gap : 1 / x.gap, x.gap >= 1 ? "faster" : "slower", vs,
	     n3(x.s_req / 1024, a, sizeof(a)), x.s.p50, n3(x.r_req / 1024, b, sizeof(b)), x.r.p50,
	     x.s_permib, x.r_permib,
	     x.gap < 1 ? "here the usual rule does not hold"
	     : x.s_permib < x.r_permib
		     ? "larger requests, not faster ones, make the sequential "
		       "stream win"
		     : "the sequential stream wins on the time its requests overlap");
}

/* ---- Docker: the writable layer (overlayfs) against a volume ---- */

static void rule_docker_storage(const struct rule_cell *c, struct json_object *out)
{
	struct json_object *vol, *vc, *e;
	struct stats a, b;
	double change;
	bool apart;
	char x[32], y[32];

	if (strcmp(doc_str(c->plat, "name", ""), "docker") || doc_str(c->plat, "variant", NULL))
		return;
	vol = doc_platform_by_label(c->doc, "docker (volume)");
	vc = vol && doc_platform_ok(vol) ? doc_cell(vol, c->workload) : NULL;
	if (!vc || doc_get(vc, "error") || strncmp(c->workload, "disk", 4))
		return;
	if (!doc_cell_stats(c->cell, &a) || !doc_cell_stats(vc, &b) || b.mean <= 0)
		return;
	change = a.mean / b.mean - 1;
	apart = a.ci95_high < b.ci95_low || b.ci95_high < a.ci95_low;
	e = json_object_new_object();
	ev(e, "layer_mean", a.mean);
	ev(e, "layer_ci95_low", a.ci95_low);
	ev(e, "layer_ci95_high", a.ci95_high);
	ev(e, "volume_mean", b.mean);
	ev(e, "volume_ci95_low", b.ci95_low);
	ev(e, "volume_ci95_high", b.ci95_high);
	ev(e, "change", change);
	emit(c, out, e,
	     "docker %s: the writable layer (overlayfs) gave %s %s, a volume %s (%+.1f %%, 95 %% "
	     "intervals %s): %s",
	     c->workload, n3(a.mean, x, sizeof(x)), doc_str(c->cell, "unit", ""),
	     n3(b.mean, y, sizeof(y)), change * 100, apart ? "apart" : "overlap",
	     !apart	  ? "overlayfs costs nothing measurable here"
	     : change < 0 ? "overlayfs costs this much for this pattern"
			  : "the writable layer is faster, so overlayfs is not the cost");
}

/* ---- fork: do privileged instructions trap? ---- */

static void rule_fork(const struct rule_cell *c, struct json_object *out)
{
	const struct doc_faults f = c->own->faults, nf = c->native_host.faults;
	struct exits x;
	struct json_object *e;
	double lat = c->own->clone_p50_us, nlat = c->native_host.clone_p50_us;
	bool have_lat, have_f;
	char r[64], lat_s[96] = "", f_s[96] = "", a[32], b[32];

	if (c->is_native || strcmp(c->workload, "fork") || !c->native || !isfinite(c->ratio) ||
	    !in_vm(c))
		return;
	if (!cell_exits(&c->host, &x))
		return;
	/* A halting vCPU exits whatever the workload does: those are not fork's traps. */
	x.per_op = isfinite(x.per_op) && x.total > 0
			   ? x.per_op * (x.total - exits_of(&c->host, is_idle_exit)) / x.total
			   : x.per_op;
	have_lat = c->own->have_clone_p50 && c->native_host.have_clone_p50;
	have_f = faults_pair(&f, &nf) && !f.per_mib;
	if (!have_lat && !have_f)
		return;
	e = json_object_new_object();
	ev(e, "vs_native", c->ratio);
	ev(e, "vm_exits_per_fork", x.per_op);
	if (have_lat) {
		ev(e, "clone_p50_us", lat);
		ev(e, "native_clone_p50_us", nlat);
		snprintf(lat_s, sizeof(lat_s), "; clone p50 %.0f us vs %.0f us on native", lat,
			 nlat);
	}
	if (have_f) {
		ev(e, "faults_per_fork", f.per_unit);
		ev(e, "native_faults_per_fork", nf.per_unit);
		snprintf(f_s, sizeof(f_s), "; %s page faults per fork vs %s on native",
			 n3(f.per_unit, a, sizeof(a)), n3(nf.per_unit, b, sizeof(b)));
	}
	ratio_words(c->ratio, r, sizeof(r));
	if (!isfinite(x.per_op) || x.per_op < EXIT_PER_FORK) {
		emit(c, out, e,
		     "%s fork is %s with %s non-idle VM exits per fork%s%s: fork does not trap to "
		     "a hypervisor "
		     "here, so trapping privileged instructions do not explain it%s",
		     c->label, r, n3(x.per_op, a, sizeof(a)), lat_s, f_s,
		     have_f && nf.per_unit > 0 && f.per_unit / nf.per_unit < FAULTS_FACTOR &&
				     c->ratio < NEAR_NATIVE
			     ? "; about as many page faults per fork as native, so the time goes "
			       "into "
			       "each fault and clone, not into more of them"
			     : "");
	} else {
		emit(c, out, e,
		     "%s fork is %s with %s non-idle VM exits per fork%s%s: each fork traps to the "
		     "hypervisor, "
		     "which confirms the trapping explanation",
		     c->label, r, n3(x.per_op, a, sizeof(a)), lat_s, f_s);
	}
}

/* ---- network: does the uplink take a user-space detour (SLIRP)? ---- */

static void rule_net_relay(const struct rule_cell *c, struct json_object *out)
{
	const struct cell_sum *s = &c->host.syscalls, *ns = &c->native_host.syscalls;
	const struct doc_syscall *top = c->host.top;
	struct json_object *e;
	const char *net;
	double per, nper, factor;
	char r[64], list[256] = "", a[32], b[32];
	size_t n = c->host.ntop < TOP ? c->host.ntop : TOP, len = 0;

	if (c->is_native || strcmp(c->workload, "net") || !c->native)
		return;
	if (!s->runs || !ns->runs || !doc_sum_per_mib(s, &per) || !doc_sum_per_mib(ns, &nper) ||
	    nper <= 0)
		return;
	factor = per / nper;
	for (size_t i = 0; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s %.0f %%",
					i ? ", " : "; top: ", top[i].name,
					s->value > 0 ? top[i].count / s->value * 100 : 0);
	e = json_object_new_object();
	ev(e, "vs_native", c->ratio);
	ev(e, "host_syscalls_per_mib", per);
	ev(e, "native_host_syscalls_per_mib", nper);
	ev(e, "factor", factor);
	for (size_t i = 0; i < n; i++) {
		char key[80];

		snprintf(key, sizeof(key), "syscalls_%s", top[i].name);
		ev(e, key, top[i].count);
	}
	ratio_words(c->ratio, r, sizeof(r));
	net = doc_str(c->plat, "settings.net", "user");
	if (factor >= SYSCALL_RELAY && strcmp(net, "user"))
		/* Not SLIRP: the entry says its guest's network is something else. */
		emit(c, out, e,
		     "%s net uplink is %s; its host processes made %s host syscalls per MiB sent "
		     "vs %s on native (%.0fx%s): with net=%s there is no user-mode network stack, "
		     "but the VMM still moves every packet through syscalls of its own (no "
		     "in-kernel vhost)",
		     c->label, r, n3(per, a, sizeof(a)), n3(nper, b, sizeof(b)), factor, list, net);
	else if (factor >= SYSCALL_RELAY)
		emit(c, out, e,
		     "%s net uplink is %s; its host processes made %s host syscalls per MiB sent "
		     "vs "
		     "%s on native (%.0fx%s): a user-space network stack (user-mode networking, "
		     "SLIRP) "
		     "relays every packet with syscalls of its own",
		     c->label, r, n3(per, a, sizeof(a)), n3(nper, b, sizeof(b)), factor, list);
	else if (factor < SYSCALL_SAME)
		emit(c, out, e,
		     "%s net uplink is %s with %s host syscalls per MiB sent vs %s on native%s: no "
		     "user-space relay on the path, the host kernel forwards the packets",
		     c->label, r, n3(per, a, sizeof(a)), n3(nper, b, sizeof(b)), list);
	else
		json_object_put(e);
}

/* ---- network: is a remote server's number lower because of latency? ---- */

static bool extra_num(struct json_object *run, const char *const *keys, double *out)
{
	char path[96];

	for (; *keys; keys++) {
		snprintf(path, sizeof(path), "extra.%s", *keys);
		if (doc_num(run, path, out))
			return true;
	}
	return false;
}

static void rule_net_latency(const struct rule_cell *c, struct json_object *out)
{
	static const char *const rtt_k[] = {"rtt_us", "tcp_info.rtt_us", "tcp_info.rtt", NULL};
	static const char *const retr_k[] = {"retransmits", "tcp_info.total_retrans",
					     "tcp_info.retransmits", NULL};
	static const char *const cwnd_k[] = {"snd_cwnd", "tcp_info.snd_cwnd", NULL};
	static const char *const mss_k[] = {"snd_mss", "tcp_info.snd_mss", NULL};
	const char *server = doc_str(c->doc, "config.net_server", NULL);
	double rtt = 0, retr = 0, cwnd = 0, mss = 0, v, window_mbit = NAN;
	int nrtt = 0, nwin = 0;
	const struct stats *st = &c->view.stats;
	struct json_object *e;
	char tail[256] = "";

	if (strcmp(c->workload, "net") || !server || !*server || !c->view.have_stats)
		return;
	for (size_t i = 0; i < doc_len(c->cell, "runs"); i++) {
		struct json_object *run = doc_idx(c->cell, "runs", i);

		if (!stats_run_kept(run))
			continue;
		if (extra_num(run, rtt_k, &v)) {
			rtt += v;
			nrtt++;
		}
		if (extra_num(run, retr_k, &v))
			retr += v;
		if (extra_num(run, cwnd_k, &v) && extra_num(run, mss_k, &mss)) {
			cwnd += v * mss;
			nwin++;
		}
	}
	if (!nrtt || rtt <= 0)
		return;
	rtt /= nrtt;
	e = json_object_new_object();
	ev_str(e, "server", server);
	ev(e, "mbit_s", st->mean);
	ev(e, "rtt_us", rtt);
	ev(e, "retransmits", retr);
	if (nwin) {
		/* One stream delivers at most one congestion window per round trip. */
		window_mbit = cwnd / nwin * 8 / rtt;
		ev(e, "cwnd_bytes", cwnd / nwin);
		ev(e, "window_bound_mbit_s", window_mbit);
		snprintf(tail, sizeof(tail),
			 "; one congestion window (%.0f KiB) per round trip allows %.0f Mbit/s, %s",
			 cwnd / nwin / 1024, window_mbit,
			 st->mean >= 0.7 * window_mbit ? "so latency bounds this stream"
						       : "so latency alone does not bound it");
	}
	emit(c, out, e,
	     "%s net against %s: %.0f Mbit/s with an RTT of %.2f ms and %.0f retransmits%s",
	     c->label, server, st->mean, rtt / 1000, retr, tail);
}

/* ---- where the time went: the overhead's buckets (findings_breakdown.c) ---- */

static void rule_breakdown(const struct rule_cell *c, struct json_object *out)
{
	struct json_object *e = json_object_new_object();
	char text[1024];

	if (findings_breakdown(c->cell, c->label, c->workload, text, sizeof(text), e))
		emit(c, out, e, "%s", text);
	else
		json_object_put(e);
}

/* ---- the rule table ---- */

/* Each rule by the id its findings carry, in the order they are tried. */
static const struct {
	const char *id;
	rule_fn fn;
} rules[] = {
	{"binary-translation", rule_binary_translation},
	{"hardware-virtualization", rule_hardware_virtualization},
	{"cpu-starved", rule_cpu_starved},
	{"vm-exits", rule_vm_exits},
	{"shadow-page-tables", rule_memory},
	{"page-faults", rule_faults},
	{"disk-host-cache", rule_disk_host_cache},
	{"disk-virtual-latency", rule_disk_virtual_latency},
	{"seq-vs-rand", rule_seq_vs_rand},
	{"docker-overlayfs", rule_docker_storage},
	{"fork-traps", rule_fork},
	{"net-user-stack", rule_net_relay},
	{"net-latency", rule_net_latency},
	{"where-the-time-went", rule_breakdown},
};

struct ranked {
	struct json_object *f;
	size_t workload, platform, seq;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->workload != y->workload)
		return x->workload < y->workload ? -1 : 1;
	if (x->platform != y->platform)
		return x->platform < y->platform ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static size_t rank_of(const char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return n;
}

/* Findings read best grouped by workload, then in the document's platform order. */
static struct json_object *sorted(struct json_object *doc, struct json_object *found)
{
	size_t n = json_object_array_length(found), np = doc_len(doc, "platforms"), nwl;
	const char *wl[MAX_ROWS], *plats[MAX_ROWS];
	char labels[MAX_ROWS][96], label[96];
	struct json_object *out;
	struct ranked *r;

	r = calloc(n ? n : 1, sizeof(*r));
	if (!r)
		return found;
	nwl = doc_workloads(doc, wl, MAX_ROWS);
	np = np < MAX_ROWS ? np : MAX_ROWS;
	for (size_t i = 0; i < np; i++)
		plats[i] = doc_label(doc_idx(doc, "platforms", i), labels[i], sizeof(labels[i]));
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(found, i);
		const char *variant = doc_str(f, "variant", NULL);

		if (variant)
			snprintf(label, sizeof(label), "%s (%s)", doc_str(f, "platform", ""),
				 variant);
		else
			snprintf(label, sizeof(label), "%s", doc_str(f, "platform", ""));
		r[i] = (struct ranked){json_object_get(f),
				       rank_of(wl, nwl, doc_str(f, "workload", "")),
				       rank_of(plats, np, label), i};
	}
	qsort(r, n, sizeof(*r), ranked_cmp);
	out = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(out, r[i].f);
	free(r);
	json_object_put(found);
	return out;
}

struct json_object *findings_derive(struct json_object *doc)
{
	struct json_object *out = json_object_new_array();

	if (!out)
		return NULL;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		for_each_cell(doc, rules[i].id, rules[i].fn, out);
	experiments_derive(doc, out);
	return sorted(doc, out);
}
