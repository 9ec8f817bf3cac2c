/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Experiments (run --vary KNOB=V1,V2): a variant is a platform entry of its
 * own that changed exactly one knob from its baseline, the platform's own
 * entry. What each variant did to each workload is measured here, from the
 * document alone: the score change with its Welch interval, the share of
 * the gap to native it closes, and the counter that moved with it. The
 * findings (rule "experiment") and the reports' "Experiments" section both
 * read it from exp_measure(), so they never disagree.
 */
#ifndef VB_EXPERIMENTS_H
#define VB_EXPERIMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"

struct json_object;

/*
 * What a platform entry says of the experiment it belongs to:
 * "variant": {"of": "qemu", "knob": "net", "value": "tap"}, or the older
 * string form ("variant": "volume" on a second docker entry, read as
 * {"of": <its name>, "knob": "storage", "value": "volume"}). Strings point
 * into the document.
 */
/* The entry a variant was changed from: the one named v->of without a variant. */
struct json_object *exp_baseline(struct json_object *doc, const struct doc_variant *v);
/* The baseline's value of the knob: its "settings" entry, else "layer" for the
 * old storage form, else "default". */
const char *exp_baseline_value(struct json_object *base, const struct doc_variant *v);

/* What a variant did to one workload. */
enum exp_gap {
	EXP_GAP_NO_NATIVE, /* no native cell in the run: the change alone */
	EXP_GAP_OWN,	   /* a variant of native itself: no gap to speak of */
	EXP_GAP_NONE,	   /* the baseline is as good as native or better */
	EXP_GAP_SHARE,	   /* share and share_lo..share_hi below hold */
};

#define EXP_COUNTER_NAME 48

struct exp_result {
	const char *unit;
	bool higher_is_better;
	struct stats base, var, native; /* over the runs stats_run_kept() keeps */
	bool have_native;
	bool have_ci;	  /* both cells have 2 runs or more: an interval exists */
	double change;	  /* var - base */
	double lo, hi;	  /* its 95 % Welch interval */
	double ratio;	  /* var / base; NAN when base is not above 0 */
	bool significant; /* the interval excludes 0 */
	bool better;	  /* the change goes the unit's better way (when significant) */
	enum exp_gap gap;
	double share, share_lo, share_hi; /* (var - base) / (native - base) */
	bool beat_native;		  /* significantly better than native */
	bool have_counter;
	char counter[EXP_COUNTER_NAME]; /* "host syscalls per MiB" */
	double counter_base, counter_var;
};

/* The baselines' per-run counters, read once for all their variants within one
 * pass over a document (cells are keyed by address: free the cache before
 * the document). */
struct exp_cache;
struct exp_cache *exp_cache_new(void);
void exp_cache_free(struct exp_cache *c);

/* Measures variant entry var against its baseline entry base on workload; false
 * unless both cells are ok (kept runs with scores, no error). cache may be NULL. */
bool exp_measure(struct json_object *doc, struct json_object *base, struct json_object *var,
		 const char *workload, struct exp_result *r, struct exp_cache *cache);

/* "qemu net: net=tap instead of user scores 812 MiB/s against 95 (...)". */
void exp_sentence(const struct doc_variant *v, const char *base_value, const char *workload,
		  const struct exp_result *r, char *buf, size_t n);

/* Adds one finding (rule "experiment") per variant entry and workload whose
 * cells and baseline's are ok. */
void experiments_derive(struct json_object *doc, struct json_object *out);

#endif
