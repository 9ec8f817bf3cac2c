/* SPDX-License-Identifier: GPL-2.0 */
/* Progress of a suite on stderr: one updating line on a terminal (cell i of
 * N, platform, workload, run, elapsed, estimated remaining), plain log lines
 * otherwise. */
#ifndef VB_PROGRESS_H
#define VB_PROGRESS_H

struct progress;

struct progress *progress_new(int cells, int runs_per_cell, double duration_s);
void progress_cell(struct progress *p, const char *platform, const char *workload);
void progress_run(struct progress *p, int run, int runs); /* run 0 is the warm-up */
void progress_skip(struct progress *p, int cells);
void progress_note(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void progress_done(struct progress *p);

#endif
