// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment findings: what changing one knob did to each workload, read
 * from the document alone (docs/results-schema.md, "Experiments").
 *
 * The change is Welch's: the difference of the means of the kept runs, its
 * 95 % interval from the Welch-Satterthwaite degrees of freedom, because the
 * variances of two platforms' runs are not alike.
 *
 * The share of the gap to native, S = (variant - baseline) / (native -
 * baseline), gets its interval by the delta method over the three samples,
 * native's variance included: the gradient of S is
 * (1/G, (D - G)/G^2, -D/G^2) for (variant, baseline, native), with
 * D = variant - baseline and G = native - baseline; Var(S) is the sum of
 * the squared gradient entries times each mean's variance (s^2/n), and the
 * t quantile takes the Welch-Satterthwaite degrees of freedom of that same
 * sum. A share is only claimed when the change is significant and the
 * baseline is significantly worse than native.
 */
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_reader.h"
#include "experiments.h"
#include "stats.h"

/* ---- reading variant entries ---- */

struct json_object *exp_baseline(struct json_object *doc, const struct doc_variant *v)
{
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		if (!strcmp(doc_str(p, "name", ""), v->of) && !doc_is_variant(p))
			return p;
	}
	return NULL;
}

const char *exp_baseline_value(struct json_object *base, const struct doc_variant *v)
{
	struct json_object *settings = doc_get(base, "settings"), *s;

	/* Not doc_str(): a knob's name is the document's, and may hold a dot. */
	if (settings && json_object_is_type(settings, json_type_object) &&
	    json_object_object_get_ex(settings, v->knob, &s) &&
	    json_object_is_type(s, json_type_string))
		return json_object_get_string(s);
	return v->old_form ? "layer" : "default";
}

/* ---- the statistics ---- */

/* A cell's scores over its kept runs; a document stripped of its runs keeps
 * its stats object. */
static bool cell_scores(struct json_object *cell, struct stats *s)
{
	if (!cell || doc_get(cell, "error") || !strcmp(doc_str(cell, "status", ""), "failed"))
		return false;
	if (stats_of_runs(doc_get(cell, "runs"), s) > 0)
		return true;
	return doc_cell_stats(cell, s) && s->n > 0;
}

/* Welch's interval of a.mean - b.mean; false with fewer than 2 runs a side. */
static bool welch(const struct stats *a, const struct stats *b, double *d, double *half)
{
	double va, vb, se2, df;

	*d = a->mean - b->mean;
	*half = NAN;
	if (a->n < 2 || b->n < 2)
		return false;
	va = a->stddev * a->stddev / (double)a->n;
	vb = b->stddev * b->stddev / (double)b->n;
	se2 = va + vb;
	if (se2 == 0) {
		*half = 0;
		return true;
	}
	df = se2 * se2 / (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
	*half = stats_t975(df) * sqrt(se2);
	return isfinite(*half);
}

static bool apart(const struct stats *a, const struct stats *b)
{
	double d, half;

	return welch(a, b, &d, &half) && fabs(d) > half;
}

/* d oriented so that above 0 is the better way for the unit. */
static double better_way(const struct exp_result *r, double d)
{
	return r->higher_is_better ? d : -d;
}

/* The delta-method interval of the share (see the top of this file). */
static void share_interval(struct exp_result *r)
{
	const struct stats *s[3] = {&r->var, &r->base, &r->native};
	double d = r->var.mean - r->base.mean, g = r->native.mean - r->base.mean;
	double grad[3] = {1 / g, (d - g) / (g * g), -d / (g * g)}, var = 0, den = 0, half;

	r->share_lo = r->share_hi = NAN;
	for (int i = 0; i < 3; i++) {
		double term;

		if (s[i]->n < 2)
			return;
		term = grad[i] * grad[i] * s[i]->stddev * s[i]->stddev / (double)s[i]->n;
		var += term;
		den += term * term / (double)(s[i]->n - 1);
	}
	half = var > 0 ? stats_t975(var * var / den) * sqrt(var) : 0;
	if (!isfinite(half))
		return;
	r->share_lo = r->share - half;
	r->share_hi = r->share + half;
}

static void measure_gap(struct json_object *doc, struct json_object *base, const char *workload,
			struct exp_result *r)
{
	struct json_object *native = doc_native(doc);
	double g;

	if (base == native) {
		r->gap = EXP_GAP_OWN;
		return;
	}
	r->have_native = native && cell_scores(doc_cell(native, workload), &r->native);
	if (!r->have_native) {
		r->gap = EXP_GAP_NO_NATIVE;
		return;
	}
	r->beat_native =
		apart(&r->var, &r->native) && better_way(r, r->var.mean - r->native.mean) > 0;
	g = r->native.mean - r->base.mean;
	/* No gap: native is not better than the baseline, or not beyond noise. */
	if (better_way(r, g) <= 0 ||
	    (r->native.n >= 2 && r->base.n >= 2 && !apart(&r->native, &r->base))) {
		r->gap = EXP_GAP_NONE;
		return;
	}
	r->gap = EXP_GAP_SHARE;
	r->share = (r->var.mean - r->base.mean) / g;
	share_interval(r);
}

/* ---- the counter that moved ---- */

/* Per-unit counters of one run, each NAN when the run lacks it. */
enum {
	K_HOST_SYSCALLS,
	K_GUEST_SYSCALLS,
	K_HOST_PER_GUEST_BLOCK,
	K_BLOCK,
	K_FAULTS,
	K_HOST_FAULTS,
	K_VM_EXITS,
	K_RUSAGE_FAULTS,
	K_RUSAGE_SWITCHES,
	K_COUNTERS
};

/* "host syscalls per MiB": names as the findings' sentences use them. */
static void counter_name(int k, bool guest, bool per_mib, char *buf, size_t n)
{
	static const char *const names[K_COUNTERS] = {
		[K_HOST_SYSCALLS] = "host syscalls",
		[K_GUEST_SYSCALLS] = "guest syscalls",
		[K_HOST_PER_GUEST_BLOCK] = "host block requests per guest block request",
		[K_BLOCK] = "block requests",
		[K_FAULTS] = "page faults",
		[K_HOST_FAULTS] = "host page faults",
		[K_VM_EXITS] = "VM exits",
		[K_RUSAGE_FAULTS] = "rusage faults",
		[K_RUSAGE_SWITCHES] = "context switches",
	};

	if (k == K_HOST_PER_GUEST_BLOCK)
		snprintf(buf, n, "%s", names[k]);
	else
		snprintf(buf, n, "%s%s per %s", k == K_FAULTS && guest ? "guest " : "", names[k],
			 per_mib ? "MiB" : "op");
}

static double per_unit(double v, double ops, double bytes, bool per_mib)
{
	double d = per_mib ? bytes / 1048576.0 : ops;

	return d > 0 ? v / d : NAN;
}

static double sum_per_unit(const struct cell_sum *s, bool per_mib)
{
	return s->runs ? per_unit(s->value, s->ops, s->bytes, per_mib) : NAN;
}

static double rusage_sum(struct json_object *run, const char *a, const char *b)
{
	double x, y;

	if (!doc_count(run, a, &x) || !doc_count(run, b, &y))
		return NAN;
	return x + y;
}

/* The counters of one run, read through the typed reader as a cell of one run,
 * so that every counter path stays spelled in doc_cell.c. */
static void run_counters(struct json_object *run, bool guest, bool per_mib, double *k,
			 struct doc_side_counters *h, struct doc_side_counters *g)
{
	struct json_object *one = json_object_new_object(), *runs = json_object_new_array();
	double ops = 0, bytes = 0;

	for (int i = 0; i < K_COUNTERS; i++)
		k[i] = NAN;
	if (!one || !runs) {
		json_object_put(one);
		json_object_put(runs);
		return;
	}
	json_object_array_add(runs, json_object_get(run));
	json_object_object_add(one, "runs", runs);
	doc_side_read(one, DOC_SIDE_HOST, h);
	doc_side_read(one, DOC_SIDE_GUEST, g);
	json_object_put(one);
	doc_count(run, "ops", &ops);
	doc_count(run, "bytes", &bytes);
	k[K_HOST_SYSCALLS] = sum_per_unit(&h->syscalls, per_mib);
	k[K_GUEST_SYSCALLS] = sum_per_unit(&g->syscalls, per_mib);
	if (guest && h->block.requests.runs && g->block.requests.runs &&
	    g->block.requests.value > 0)
		k[K_HOST_PER_GUEST_BLOCK] = h->block.requests.value / g->block.requests.value;
	if (!guest)
		k[K_BLOCK] = sum_per_unit(&h->block.requests, per_mib);
	{
		const struct doc_faults *f = guest ? &g->faults : &h->faults;

		if (f->present)
			k[K_FAULTS] = per_unit(f->total, ops, bytes, per_mib);
		if (guest && h->faults.present)
			k[K_HOST_FAULTS] = per_unit(h->faults.total, ops, bytes, per_mib);
	}
	k[K_VM_EXITS] = sum_per_unit(&h->vm_exits, per_mib);
	k[K_RUSAGE_FAULTS] =
		per_unit(rusage_sum(run, "rusage.minflt", "rusage.majflt"), ops, bytes, per_mib);
	k[K_RUSAGE_SWITCHES] =
		per_unit(rusage_sum(run, "rusage.nvcsw", "rusage.nivcsw"), ops, bytes, per_mib);
}

/* Every kept run's counters in vals[k * max + i]; returns the runs read. */
static size_t cell_counters(struct json_object *cell, bool guest, bool per_mib, double *vals,
			    size_t max, struct doc_side_counters *h, struct doc_side_counters *g)
{
	size_t n = 0;

	for (size_t i = 0; i < doc_len(cell, "runs") && n < max; i++) {
		struct json_object *run = doc_idx(cell, "runs", i);
		double k[K_COUNTERS];

		if (!stats_run_kept(run))
			continue;
		run_counters(run, guest, per_mib, k, h, g);
		for (int c = 0; c < K_COUNTERS; c++)
			vals[c * max + n] = k[c];
		n++;
	}
	return n;
}

/* Statistics of one counter over runs; false unless every run carries it. */
static bool counter_stats(const double *v, size_t n, struct stats *s)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	stats_compute(v, n, s);
	return n >= 2;
}

/* How far apart two levels are, as a factor (2 and 0.5 alike); 0 to 5 counts as
 * infinitely far. */
static double factor_apart(double a, double b)
{
	double lo = fmin(fabs(a), fabs(b)), hi = fmax(fabs(a), fabs(b));

	if (hi == 0)
		return 1;
	return lo > 0 ? hi / lo : INFINITY;
}

/* Every run moved bytes: counters per MiB, else per op. */
static bool all_moved_bytes(struct json_object *cell)
{
	size_t kept = 0;

	for (size_t i = 0; i < doc_len(cell, "runs"); i++) {
		struct json_object *run = doc_idx(cell, "runs", i);
		double b;

		if (!stats_run_kept(run))
			continue;
		kept++;
		if (!doc_count(run, "bytes", &b) || b <= 0)
			return false;
	}
	return kept > 0;
}

/* One cell's per-run counters: vals[k * stride + i] for counter k, run i of n. */
struct exp_cell_counters {
	struct json_object *cell;
	bool guest, per_mib;
	size_t n, stride;
	double *vals;
};

#define EXP_CACHED 16

/* The baselines' counters, read once for all their variants. */
struct exp_cache {
	struct exp_cell_counters e[EXP_CACHED];
	size_t next;
};

struct exp_cache *exp_cache_new(void)
{
	return calloc(1, sizeof(struct exp_cache));
}

void exp_cache_free(struct exp_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < EXP_CACHED; i++)
		free(c->e[i].vals);
	free(c);
}

static bool counters_read(struct json_object *cell, bool guest, bool per_mib,
			  struct exp_cell_counters *out)
{
	struct doc_side_counters *h = malloc(2 * sizeof(*h));

	out->cell = cell;
	out->guest = guest;
	out->per_mib = per_mib;
	out->stride = doc_len(cell, "runs");
	out->vals = calloc(K_COUNTERS * (out->stride ? out->stride : 1), sizeof(double));
	if (!h || !out->vals) {
		free(h);
		free(out->vals);
		out->vals = NULL;
		return false;
	}
	out->n = cell_counters(cell, guest, per_mib, out->vals, out->stride, h, h + 1);
	free(h);
	return true;
}

/* A cell's counters from the cache, or read (into the cache when there is one,
 * else into own, which the caller frees). */
static const struct exp_cell_counters *counters_of(struct exp_cache *cache,
						   struct json_object *cell, bool guest,
						   bool per_mib, struct exp_cell_counters *own)
{
	struct exp_cell_counters *slot = own;

	for (size_t i = 0; cache && i < EXP_CACHED; i++)
		if (cache->e[i].vals && cache->e[i].cell == cell && cache->e[i].guest == guest &&
		    cache->e[i].per_mib == per_mib)
			return &cache->e[i];
	if (cache) {
		slot = &cache->e[cache->next];
		cache->next = (cache->next + 1) % EXP_CACHED;
		free(slot->vals);
		slot->vals = NULL;
	}
	return counters_read(cell, guest, per_mib, slot) ? slot : NULL;
}

/*
 * Among the per-unit counters both cells' runs carry, the one whose change
 * is largest relative to its size (as a factor) and significant by Welch's
 * test.
 */
static void measure_counter(struct json_object *bc, struct json_object *vc, struct exp_result *r,
			    struct exp_cache *cache)
{
	bool guest = doc_cell_side(bc) == DOC_SIDE_GUEST && doc_cell_side(vc) == DOC_SIDE_GUEST;
	bool per_mib = all_moved_bytes(bc) && all_moved_bytes(vc);
	struct exp_cell_counters own_b = {0}, own_v = {0};
	const struct exp_cell_counters *b = counters_of(cache, bc, guest, per_mib, &own_b);
	const struct exp_cell_counters *v = counters_of(NULL, vc, guest, per_mib, &own_v);
	double best = 1;

	for (int k = 0; b && v && k < K_COUNTERS; k++) {
		struct stats sb, sv;
		double f;

		if (!counter_stats(b->vals + k * b->stride, b->n, &sb) ||
		    !counter_stats(v->vals + k * v->stride, v->n, &sv))
			continue;
		if (!(stats_welch_p(&sb, &sv) < 0.05))
			continue;
		f = factor_apart(sb.mean, sv.mean);
		if (f <= best)
			continue;
		best = f;
		r->have_counter = true;
		counter_name(k, guest, per_mib, r->counter, sizeof(r->counter));
		r->counter_base = sb.mean;
		r->counter_var = sv.mean;
	}
	free(own_b.vals);
	free(own_v.vals);
}

bool exp_measure(struct json_object *doc, struct json_object *base, struct json_object *var,
		 const char *workload, struct exp_result *r, struct exp_cache *cache)
{
	struct json_object *bc = doc_cell(base, workload), *vc = doc_cell(var, workload);
	double half;

	memset(r, 0, sizeof(*r));
	r->ratio = r->lo = r->hi = r->share = r->share_lo = r->share_hi = NAN;
	if (!doc_platform_ok(base) || !doc_platform_ok(var) || !cell_scores(bc, &r->base) ||
	    !cell_scores(vc, &r->var))
		return false;
	r->unit = doc_str(vc, "unit", doc_str(bc, "unit", ""));
	r->higher_is_better = doc_cell_higher_is_better(bc);
	r->have_ci = welch(&r->var, &r->base, &r->change, &half);
	if (r->have_ci) {
		r->lo = r->change - half;
		r->hi = r->change + half;
		r->significant = fabs(r->change) > half;
	}
	r->better = r->significant && better_way(r, r->change) > 0;
	if (r->base.mean > 0)
		r->ratio = r->var.mean / r->base.mean;
	measure_gap(doc, base, workload, r);
	measure_counter(bc, vc, r, cache);
	return true;
}

/* ---- the sentence ---- */

static const char *num(double v, char *buf, size_t n)
{
	return doc_fmt_num(v, buf, n);
}

/* "+717", "-0.52": a change with its sign. */
static const char *signed_num(double v, char *buf, size_t n)
{
	char a[32];

	snprintf(buf, n, "%s%s", v >= 0 ? "+" : "", doc_fmt_num(v, a, sizeof(a)));
	return buf;
}

static const char *pct(double share, char *buf, size_t n)
{
	snprintf(buf, n, "%.0f", share * 100);
	return buf;
}

/* What the variant did to the gap to native, after "; " (or "" for nothing). */
static void gap_words(const struct doc_variant *v, const char *base_value,
		      const struct exp_result *r, char *buf, size_t n)
{
	char a[32], b[32], c[32], d[32];

	buf[0] = '\0';
	if (r->gap == EXP_GAP_NO_NATIVE) {
		snprintf(buf, n,
			 "add -p native to the run to see which share of the gap to native this "
			 "closes");
		return;
	}
	if (r->gap == EXP_GAP_OWN || !r->significant)
		return;
	if (r->gap == EXP_GAP_NONE) {
		snprintf(buf, n,
			 "with %s=%s %s was already as good as native (%s against %s): no gap to "
			 "close%s",
			 v->knob, base_value, v->of, num(r->base.mean, a, sizeof(a)),
			 num(r->native.mean, b, sizeof(b)),
			 r->beat_native ? ", and the variant beats native" : "");
		return;
	}
	if (r->beat_native) {
		snprintf(
			buf, n,
			"it closes all of the gap to native and beats native (%s against %s; %s %% "
			"of the gap",
			num(r->var.mean, a, sizeof(a)), num(r->native.mean, b, sizeof(b)),
			pct(r->share, c, sizeof(c)));
		if (isfinite(r->share_lo))
			snprintf(buf + strlen(buf), n - strlen(buf), ", 95 %% CI %s..%s %%",
				 pct(r->share_lo, c, sizeof(c)), pct(r->share_hi, d, sizeof(d)));
		snprintf(buf + strlen(buf), n - strlen(buf), ")");
	} else if (r->share >= 1) {
		/* Past native by its point estimate, not beyond noise: no share above 100 %. */
		snprintf(buf, n,
			 "it closes the gap to native: %s against native's %s, within noise of it",
			 num(r->var.mean, a, sizeof(a)), num(r->native.mean, b, sizeof(b)));
	} else if (r->share < 0) {
		snprintf(buf, n, "it widens the gap to native by %s %% of it",
			 pct(-r->share, a, sizeof(a)));
		if (isfinite(r->share_lo))
			snprintf(buf + strlen(buf), n - strlen(buf), " (%s..%s %%)",
				 pct(-fmin(r->share_hi, 0), c, sizeof(c)),
				 pct(-r->share_lo, d, sizeof(d)));
	} else {
		snprintf(buf, n, "it closes %s %%", pct(r->share, a, sizeof(a)));
		/* Shown within 0..100 %: the point is, and a bound past native is not a
		 * claim that the variant beat it. */
		if (isfinite(r->share_lo))
			snprintf(buf + strlen(buf), n - strlen(buf), " (%s..%s %%)",
				 pct(fmax(r->share_lo, 0), c, sizeof(c)),
				 pct(fmin(r->share_hi, 1), d, sizeof(d)));
		snprintf(buf + strlen(buf), n - strlen(buf), " of the gap to native");
	}
}

void exp_sentence(const struct doc_variant *v, const char *base_value, const char *workload,
		  const struct exp_result *r, char *buf, size_t n)
{
	char a[32], b[32], c[32], d[32], gap[256];
	size_t len;

	len = (size_t)snprintf(
		buf, n, "%s %s: %s=%s instead of %s scores %s %s against %s (%s", v->of, workload,
		v->knob, v->value, base_value, num(r->var.mean, a, sizeof(a)), r->unit,
		num(r->base.mean, b, sizeof(b)), signed_num(r->change, c, sizeof(c)));
	if (len >= n)
		return;
	if (r->have_ci)
		len += (size_t)snprintf(buf + len, n - len, ", 95 %% CI %s..%s",
					signed_num(r->lo, c, sizeof(c)),
					signed_num(r->hi, d, sizeof(d)));
	else if (len < n)
		len += (size_t)snprintf(
			buf + len, n - len,
			"; no interval with fewer than 2 runs a side, run with -r 3");
	if (!r->higher_is_better && len < n)
		len += (size_t)snprintf(buf + len, n - len, ", lower is better");
	if (len < n)
		len += (size_t)snprintf(buf + len, n - len, ")%s",
					r->have_ci && !r->significant ? ": no significant effect"
					: !r->have_ci		      ? ": too few runs to tell"
								      : "");
	gap_words(v, base_value, r, gap, sizeof(gap));
	if (*gap && len < n)
		len += (size_t)snprintf(buf + len, n - len, "; %s", gap);
	if (r->have_counter && len < n)
		len += (size_t)snprintf(buf + len, n - len, "; %s %s from %s to %s", r->counter,
					r->counter_var < r->counter_base ? "fell" : "rose",
					num(r->counter_base, a, sizeof(a)),
					num(r->counter_var, b, sizeof(b)));
	if (len < n)
		snprintf(buf + len, n - len, ".");
}

/* ---- the findings ---- */

/* Four significant digits, as the other findings' evidence. */
static void ev(struct json_object *e, const char *key, double v)
{
	char text[32];

	if (!isfinite(v))
		return;
	snprintf(text, sizeof(text), "%.4g", v);
	v = strtod(text, NULL);
	if (v == floor(v) && fabs(v) < 9e15)
		json_object_object_add(e, key, json_object_new_int64((int64_t)v));
	else
		json_object_object_add(e, key, json_object_new_double_s(v, text));
}

static struct json_object *evidence(const struct exp_result *r)
{
	struct json_object *e = json_object_new_object();

	ev(e, "baseline_mean", r->base.mean);
	ev(e, "variant_mean", r->var.mean);
	if (r->have_native)
		ev(e, "native_mean", r->native.mean);
	ev(e, "change", r->change);
	ev(e, "change_ci95_low", r->lo);
	ev(e, "change_ci95_high", r->hi);
	ev(e, "ratio", r->ratio);
	json_object_object_add(e, "significant", json_object_new_boolean(r->significant));
	if (r->significant)
		json_object_object_add(e, "better", json_object_new_boolean(r->better));
	if (r->gap == EXP_GAP_SHARE && r->significant) {
		ev(e, "gap_share", r->share);
		ev(e, "gap_share_ci95_low", r->share_lo);
		ev(e, "gap_share_ci95_high", r->share_hi);
	}
	if (r->have_native)
		json_object_object_add(e, "beat_native", json_object_new_boolean(r->beat_native));
	if (r->gap == EXP_GAP_NONE)
		json_object_object_add(e, "no_gap", json_object_new_boolean(1));
	if (r->have_counter) {
		json_object_object_add(e, "counter", json_object_new_string(r->counter));
		ev(e, "counter_baseline", r->counter_base);
		ev(e, "counter_variant", r->counter_var);
	}
	return e;
}

static void add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s));
}

static void emit(struct json_object *var, const struct doc_variant *v, const char *base_value,
		 const char *workload, const struct exp_result *r, struct json_object *out)
{
	struct json_object *f = json_object_new_object();
	char text[1024];

	exp_sentence(v, base_value, workload, r, text, sizeof(text));
	add_str(f, "platform", doc_str(var, "name", "?"));
	if (v->old_form)
		add_str(f, "variant", v->value);
	add_str(f, "workload", workload);
	add_str(f, "rule", "experiment");
	add_str(f, "knob", v->knob);
	add_str(f, "value", v->value);
	add_str(f, "baseline", base_value);
	add_str(f, "text", text);
	json_object_object_add(f, "evidence", evidence(r));
	json_object_array_add(out, f);
}

void experiments_derive(struct json_object *doc, struct json_object *out)
{
	struct exp_cache *cache = exp_cache_new();

	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *var = doc_idx(doc, "platforms", i), *base;
		struct doc_variant v;

		if (!doc_variant_read(var, &v) || !(base = exp_baseline(doc, &v)))
			continue;
		for (size_t j = 0; j < doc_len(var, "workloads"); j++) {
			const char *wl = doc_str(doc_idx(var, "workloads", j), "name", NULL);
			struct exp_result r;

			if (wl && exp_measure(doc, base, var, wl, &r, cache))
				emit(var, &v, exp_baseline_value(base, &v), wl, &r, out);
		}
	}
	exp_cache_free(cache);
}
