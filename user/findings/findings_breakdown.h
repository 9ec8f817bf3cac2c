/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "where-the-time-went" finding: a cell's overhead against native
 * (docs/results-schema.md, "overhead") said in buckets with their shares,
 * led by the busy gap (every bucket but sleep, whose extra is said apart
 * as idle waiting), and, on a VMM, how much of its on-CPU time its vCPU
 * threads held.
 */
#ifndef VB_FINDINGS_BREAKDOWN_H
#define VB_FINDINGS_BREAKDOWN_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/*
 * The sentence for a cell (label: "qemu", workload: "cpu") into text and
 * its numbers into evidence; false (nothing written) when the cell has no
 * overhead, its gap is nothing, or the overhead has no busy gap (a
 * document from before extra_busy_ns).
 */
bool findings_breakdown(struct json_object *cell, const char *label, const char *workload,
			char *text, size_t n, struct json_object *evidence);

#endif
