// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util_log.h"

const char *vb_progname = "vbench-trace";
bool vb_verbose;
static char last_error[1024];

const char *vb_last_error(void)
{
	return last_error;
}

void vb_clear_error(void)
{
	last_error[0] = '\0';
}

static void vb_vprint(const char *tag, const char *fmt, va_list ap)
{
	char line[2048];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One line each: a message that ends in a newline must not make two. */
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	/* Nor one that quotes a library's multi-line text (json-c's parse errors). */
	for (char *nl = strchr(line, '\n'); nl; nl = strchr(nl, '\n'))
		*nl = ' ';
	fprintf(stderr, "%s: %s%s\n", vb_progname, tag, line);
}

void vb_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	vb_vprint("", fmt, ap);
	va_end(ap);
}

void vb_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vb_vprint("warning: ", fmt, ap);
	va_end(ap);
}

void vb_info(const char *fmt, ...)
{
	va_list ap;

	if (!vb_verbose)
		return;
	va_start(ap, fmt);
	vb_vprint("", fmt, ap);
	va_end(ap);
}
