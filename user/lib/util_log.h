/* SPDX-License-Identifier: GPL-2.0 */
/* One way to speak to the user: errors and notes on stderr, each one line
 * starting with "vbench-trace:", so scripts can grep them and people can read them. */
#ifndef VB_UTIL_LOG_H
#define VB_UTIL_LOG_H

#include <stdbool.h>

/* Exit codes, as the man page gives them (docs/vbench-trace.1, EXIT STATUS). */
enum {
	VB_EXIT_OK = 0,
	VB_EXIT_FAILED = 1, /* some cell failed */
	VB_EXIT_USAGE = 2,  /* the command line or an input file is wrong */
};

/* Set once by main() ("vbench-trace" or "vbench-trace-agent"). */
extern const char *vb_progname;
/* When set, vb_info() prints; errors and warnings always do. */
extern bool vb_verbose;

void vb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vb_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The text of the last vb_err() (without the program name), "" if none:
 * the agent sends it back to the tool inside its result frame. */
const char *vb_last_error(void);
/* Forgets it, so that a later failure is not blamed on an earlier message. */
void vb_clear_error(void);

#endif
