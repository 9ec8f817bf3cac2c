/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reports read a results document and nothing else: text (the terminal),
 * md, html (one self-contained file), json (the document) and csv (one row
 * per run). One renderer per file, user/report_<format>.c, each registered
 * in report_formats.h; report.c dispatches on the format's name.
 */
#ifndef VB_REPORT_H
#define VB_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct json_object;

/* format: "text", "md", "html", "json" or "csv". 0, or VB_EXIT_USAGE for an
 * unknown format (after vb_err()), or VB_EXIT_FAILED when out fails. */
int report_render(struct json_object *doc, const char *format, FILE *out, bool color);

struct results_dir;
/* A report (no color) written as d/name through the results writer
 * (results_write_at): a temporary renamed in place. 0 or -errno. */
int report_write_at(struct json_object *doc, const char *format, const struct results_dir *d,
		    const char *name);

#endif
