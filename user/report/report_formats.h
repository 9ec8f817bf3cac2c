/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report formats, one renderer each (user/report_<name>.c), the way
 * bpftool's commands or fio's engines register: report.c looks a format up
 * by name and never knows what a renderer does. A renderer reads the
 * document through doc_reader.h and report_view.h, nothing else of the
 * report.
 */
#ifndef VB_REPORT_FORMATS_H
#define VB_REPORT_FORMATS_H

#include <stdbool.h>
#include <stdio.h>

struct json_object;

struct report_format {
	const char *name;
	/* 0, or -1 when out failed; color is for a terminal (text only). */
	int (*render)(struct json_object *doc, FILE *out, bool color);
};

extern const struct report_format report_format_text;
extern const struct report_format report_format_md;
extern const struct report_format report_format_html;
extern const struct report_format report_format_json;
extern const struct report_format report_format_csv;

#endif
