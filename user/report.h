/* SPDX-License-Identifier: GPL-2.0 */
/* PLACEHOLDER until the reports branch lands. */
#ifndef VB_REPORT_H
#define VB_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct json_object;

int report_render(struct json_object *doc, const char *format, FILE *out, bool color);

#endif
