// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_doc.h"
#include "results.h"
#include "util_log.h"
#include "util_sys.h"

int results_write_atomic(const char *path, struct json_object *doc)
{
	const char *text = json_object_to_json_string_ext(
		doc,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, dfd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		vb_err("cannot write %s: %s", path, strerror(errno));
		return err;
	}
	err = vb_write_all(fd, text, strlen(text));
	if (!err)
		err = vb_write_all(fd, "\n", 1);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		vb_err("cannot write %s: %s", path, strerror(-err));
		unlink(tmp);
		return err;
	}
	/* The rename itself is durable only once the directory is synced. */
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

/*
 * The whole file at path, NUL-terminated, in *text (free() it). A regular
 * file only (a symbolic link to one is fine): O_NONBLOCK so that opening a
 * FIFO does not wait for a writer, then fstat; and at most
 * RESULTS_MAX_BYTES, so /dev/zero or a huge file cannot grow memory without
 * end. 0, or VB_EXIT_USAGE after vb_err().
 */
static int read_bounded(const char *path, char **text, size_t *len)
{
	struct stat st;
	size_t got = 0, size;
	char *buf = NULL;
	int fd, err = VB_EXIT_USAGE;

	*text = NULL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		vb_err("cannot read %s: %s", path, strerror(errno));
		return VB_EXIT_USAGE;
	}
	if (fstat(fd, &st)) {
		vb_err("cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		vb_err("%s is %s; expected a results.json written by 'vbench-trace run'", path,
		       file_kind(st.st_mode));
		goto out;
	}
	if (st.st_size > RESULTS_MAX_BYTES)
		goto too_big;
	/* One byte more than fstat said tells a file that is still growing. */
	size = (size_t)st.st_size + 1;
	buf = malloc(size + 1);
	if (!buf) {
		vb_err("cannot read %s: %s", path, strerror(ENOMEM));
		goto out;
	}
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			vb_err("cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == size) {
		vb_err("%s changed while it was read (is a run still writing it?); try again",
		       path);
		goto out;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	buf = NULL;
	err = 0;
	goto out;
too_big:
	vb_err("%s: %lld MiB is over the %d MiB limit for a results document (is it one? "
	       "'vbench-trace run' writes results.json)",
	       path, (long long)st.st_size >> 20, RESULTS_MAX_BYTES >> 20);
out:
	free(buf);
	close(fd);
	return err;
}

/*
 * An upper bound on the values and keys in a JSON text, counted without
 * parsing it: each is preceded by one of , : [ { outside a string. json-c
 * spends some 70 bytes on each, so this bounds the memory a parse takes.
 */
static size_t json_items(const char *text, size_t len)
{
	size_t n = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == ',' || c == ':' || c == '[' || c == '{') {
			n++;
		}
	}
	return n;
}

/* The JSON text as one value, nothing but blanks after it, nested no deeper
 * than json-c's default; NULL after vb_err(). */
static struct json_object *parse(const char *path, const char *text, size_t len)
{
	struct json_tokener *tok;
	struct json_object *d;
	enum json_tokener_error jerr;
	size_t end, items = json_items(text, len);

	if (items > RESULTS_MAX_ITEMS) {
		vb_err("%s: %zu JSON values and keys are over the %d limit for a results document "
		       "(is it one? 'vbench-trace run' writes results.json)",
		       path, items, RESULTS_MAX_ITEMS);
		return NULL;
	}
	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (!tok) {
		vb_err("cannot read %s: %s", path, strerror(ENOMEM));
		return NULL;
	}
	d = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (d && jerr == json_tokener_success && end + strspn(text + end, " \t\r\n") == len)
		return d;
	json_object_put(d);
	vb_err("%s is not JSON (%s at byte %zu); expected a results.json written by "
	       "'vbench-trace run'",
	       path,
	       jerr == json_tokener_success    ? "data after the document"
	       : jerr == json_tokener_continue ? "it ends too early"
					       : json_tokener_error_desc(jerr),
	       end);
	return NULL;
}

int results_load(const char *path, struct json_object **doc)
{
	struct json_object *d, *schema, *platforms;
	char *text, why[256];
	size_t len;

	*doc = NULL;
	if (read_bounded(path, &text, &len))
		return VB_EXIT_USAGE;
	d = parse(path, text, len);
	free(text);
	if (!d)
		return VB_EXIT_USAGE;
	if (!json_object_object_get_ex(d, "schema", &schema) ||
	    !json_object_is_type(schema, json_type_string) ||
	    strcmp(json_object_get_string(schema), VB_SCHEMA)) {
		vb_err("%s is not a vbench-trace results document (no \"schema\": \"%s\"); "
		       "expected a results.json written by 'vbench-trace run'",
		       path, VB_SCHEMA);
		json_object_put(d);
		return VB_EXIT_USAGE;
	}
	if (!json_object_object_get_ex(d, "platforms", &platforms) ||
	    !json_object_is_type(platforms, json_type_array)) {
		vb_err("%s: results document has no \"platforms\" array", path);
		json_object_put(d);
		return VB_EXIT_USAGE;
	}
	if (!doc_within_limits(d, why, sizeof(why))) {
		vb_err("%s: %s: refused, as beyond what 'vbench-trace run' writes", path, why);
		json_object_put(d);
		return VB_EXIT_USAGE;
	}
	*doc = d;
	return 0;
}
