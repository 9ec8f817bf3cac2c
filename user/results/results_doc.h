/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building a results document (docs/results-schema.md): the one module that
 * sets its fields. The run command and the runner say what happened (a plan,
 * a platform skipped, a run measured, a cell failed) and this module says
 * it in the schema; results.c writes the document out and doc_reader.h
 * reads it back into typed structures.
 *
 * What the agent measured (a workload's result object, the guest's probes)
 * and the host probes' snapshot (probes.c) arrive as JSON objects already:
 * they are the wire format between agent and tool, and are adopted here
 * into a run entry, never edited.
 */
#ifndef VB_RESULTS_DOC_H
#define VB_RESULTS_DOC_H

#include <stdbool.h>

struct json_object;

/* What was asked for: the document's config. */
struct results_plan {
	const char *const *platforms;
	int nr_platforms;
	const char *const *workloads;
	int nr_workloads;
	int runs; /* 0: "auto" */
	double duration_s;
	bool quick, trace, buffered;
	unsigned long long disk_file_bytes;
	const char *net_server; /* NULL: the tool's own */
};

/*
 * A new document: schema, tool version, start time, this host (kernel,
 * CPUs, memory, CPU model, name), the plan as config, no platform yet and
 * status "incomplete" (what a checkpoint says until results_doc_finish).
 * *config is the config object, for the platform drivers' own settings
 * (platform options, docker's confinement) to be added to.
 */
struct json_object *results_doc_new(const struct results_plan *plan, struct json_object **config);

/*
 * What a platform entry is: a platform's own entry (knob NULL), or one of
 * its variants under run --vary, named "PLATFORM[KNOB=VALUE]" with
 * "variant": {"of", "knob", "value"}. settings ({"NAME": "VALUE"}: every
 * option in effect) is taken over; NULL for none.
 */
struct results_entry {
	const char *platform;
	const char *knob, *value;
	struct json_object *settings;
};

/* The entry's name: "qemu" or "qemu[net=tap]"; -E2BIG when it does not fit. */
int results_entry_name(const struct results_entry *e, char *buf, size_t n);
/* A platform entry, appended to the document. */
struct json_object *results_doc_add_platform(struct json_object *doc,
					     const struct results_entry *e);
/* "ok", "skipped" or "failed", with a reason for the last two. */
void results_platform_status(struct json_object *pe, const char *status, const char *reason);
/* A platform whose every cell failed for a cause of its own (not
 * "interrupted") becomes "failed" with the first cell's error. */
void results_platform_settle(struct json_object *pe);

/* A cell, appended to the platform entry. */
struct json_object *results_platform_add_cell(struct json_object *pe, const char *workload,
					      const char *unit, bool higher_is_better);
/* Status "failed" with why; a failed cell has no statistics. */
void results_cell_failed(struct json_object *cell, const char *why);
/* Status "ok" and the statistics of its kept runs. */
void results_cell_ok(struct json_object *cell);
/* Did the cell run to its end (ok, or failed for a cause of its own)? */
bool results_cell_ran(struct json_object *cell);
/* The cell's runs array. */
struct json_object *results_cell_runs(struct json_object *cell);

/*
 * A run entry made from the workload's result object (score, duration_s,
 * ops, bytes, rusage, extra; its probes_guest becomes probes.guest) and the
 * host probes' snapshot (taken over: NULL without probes), appended to the
 * cell; rerun marks a run made again after an invalid one.
 */
struct json_object *results_cell_add_run(struct json_object *cell, struct json_object *result,
					 struct json_object *host, bool rerun);

/*
 * The probes' own cost in the cell, from its warm-up run (result, host:
 * as for results_cell_add_run): "probe_cost" {measured_in, bpf_ns,
 * duration_s, per_op_ns}; nothing when host has no probe_cost_ns.
 */
void results_cell_set_probe_cost(struct json_object *cell, struct json_object *result,
				 struct json_object *host);
/* Marks a run "valid": false with why: it stays, counted nowhere. */
void results_run_invalid(struct json_object *run, const char *why);
/* Its "invalid_reason", or NULL for a valid run. */
const char *results_run_invalid_reason(struct json_object *run);

/*
 * The end: vs_native on every cell whose workload the baseline platform
 * (is_baseline(name) true, no variant) ran too, and the run's status,
 * "complete" or "interrupted".
 */
void results_doc_finish(struct json_object *doc, bool (*is_baseline)(const char *platform),
			bool interrupted);
/* The findings (findings_derive), taken over. */
void results_doc_set_findings(struct json_object *doc, struct json_object *findings);

#endif
