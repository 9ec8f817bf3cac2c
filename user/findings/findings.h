/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Findings: sentences derived from the measured counters of a results
 * document, each confirming or refuting one of the usual explanations of a
 * platform's cost (docs/architecture.md, "8. Findings").
 * Each rule reads the document and emits zero or more findings; a rule whose
 * counters are absent emits nothing, so nothing is said that the counters do
 * not support.
 */
#ifndef VB_FINDINGS_H
#define VB_FINDINGS_H

struct json_object;

/*
 * The document's "findings" array, newly made (the caller owns it; the
 * runner adds it to the document): each element is
 * {"platform", ["variant"], "workload", "rule", "text", "evidence": {...}};
 * experiment findings (experiments.h) also carry "knob", "value", "baseline".
 */
struct json_object *findings_derive(struct json_object *doc);

#endif
