// SPDX-License-Identifier: GPL-2.0
/* The JSON report: the document itself, as 'vbench-trace run' wrote it. */
#include <json.h>
#include <stdio.h>

#include "report_formats.h"

static int render_json(struct json_object *doc, FILE *out, bool color)
{
	(void)color;
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	return ferror(out) ? -1 : 0;
}

const struct report_format report_format_json = {"json", render_json};
