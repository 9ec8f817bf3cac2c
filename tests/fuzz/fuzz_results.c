// SPDX-License-Identifier: GPL-2.0
/*
 * The results loader and everything that reads its documents: the input is
 * OLD, a NUL byte, NEW (without a NUL, OLD and NEW are the same document).
 * OLD is loaded and rendered in every format (and the HTML checked for
 * markup from the document); then 'compare OLD NEW' runs
 * on both, as from the command line. Documents go through files because
 * results_load and compare take paths.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json.h>

#include "commands.h"
#include "report.h"
#include "results.h"

static const char *const formats[] = {"text", "md", "html", "json", "csv"};
/* tmpfs: ext4 flushes a file rewritten in place on close, at every run. */
static char dir[] = "/dev/shm/vb-fuzz-results.XXXXXX";
static char old_path[64], new_path[64];

static void remove_files(void)
{
	unlink(old_path);
	unlink(new_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir) || !freopen("/dev/null", "w", stdout)) /* compare prints its table */
		abort();
	snprintf(old_path, sizeof(old_path), "%s/old.json", dir);
	snprintf(new_path, sizeof(new_path), "%s/new.json", dir);
	atexit(remove_files);
	return 0;
}

static void put_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
}

/* The HTML report has no script of its own: one in it came from the
 * document unescaped. */
static void render_all(struct json_object *doc)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		if (!f)
			abort();
		report_render(doc, formats[i], f, i == 0);
		if (fclose(f) || (!strcmp(formats[i], "html") && strcasestr(out, "<script")))
			abort();
		free(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t old_size = nul ? (size_t)(nul - data) : size;
	char *argv[] = {"compare", "--fail-on-regression", old_path, new_path, NULL};
	struct json_object *doc;

	put_file(old_path, data, old_size);
	if (nul)
		put_file(new_path, nul + 1, size - old_size - 1);
	else
		put_file(new_path, data, size);
	if (!results_load(old_path, &doc)) {
		render_all(doc);
		json_object_put(doc);
	}
	cmd_compare(4, argv);
	return 0;
}
