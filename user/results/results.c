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
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc_reader.h"
#include "results.h"
#include "util_log.h"
#include "util_sys.h"

/* Why path cannot be an output directory, after open() failed with err. */
static void refuse_dir(const char *path, int err)
{
	struct stat st;

	if (!lstat(path, &st) && S_ISLNK(st.st_mode))
		vb_err("%s is a symbolic link: refused, as a link in a shared directory could send "
		       "the files anywhere; give the directory itself with -o (readlink -f %s)",
		       path, path);
	else if (err == ENOTDIR)
		vb_err("%s is not a directory; choose another directory with -o", path);
	else
		vb_err("cannot write results to %s: %s (choose another directory with -o)", path,
		       strerror(err));
}

int results_open_dir(const char *path, bool create, struct results_dir *d)
{
	struct stat st;
	int err;

	d->fd = -1;
	if (snprintf(d->path, sizeof(d->path), "%s", path) >= (int)sizeof(d->path)) {
		vb_err("%.64s...: path too long; choose a shorter one with -o", path);
		return -ENAMETOOLONG;
	}
	if (create) {
		err = vb_mkdir_p(path, 0755);
		if (err) {
			refuse_dir(path, -err);
			return err;
		}
	}
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->fd < 0) {
		err = -errno;
		refuse_dir(path, -err);
		return err;
	}
	if (fstat(d->fd, &st)) {
		err = -errno;
		refuse_dir(path, -err);
		results_close_dir(d);
		return err;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		vb_err("%s belongs to uid %u, not to you or root: its owner could change what is "
		       "written there; choose a directory of your own with -o",
		       path, (unsigned)st.st_uid);
		results_close_dir(d);
		return -EPERM;
	}
	return 0;
}

void results_close_dir(struct results_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/*
 * A temporary of an unpredictable name beside name in d, created (never
 * opened: O_EXCL, O_NOFOLLOW), so that nothing planted in the directory can
 * be written through. Its fd, or -errno.
 */
static int create_temporary(const struct results_dir *d, const char *name, char *tmp, size_t n)
{
	for (int tries = 0; tries < 16; tries++) {
		unsigned char rnd[8];
		int fd;

		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return errno ? -errno : -EIO;
		if (vb_pathf(tmp, n, ".%s.%02x%02x%02x%02x%02x%02x%02x%02x.tmp", name, rnd[0],
			     rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]))
			return -ENAMETOOLONG;
		fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

/* text into a new temporary, fsynced, renamed over name; 0 or -errno. */
static int replace_at(const struct results_dir *d, const char *name, const char *text, size_t len)
{
	char tmp[NAME_MAX + 1];
	int fd, err;

	fd = create_temporary(d, name, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	err = vb_write_all(fd, text, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && renameat(d->fd, tmp, d->fd, name))
		err = -errno;
	if (err) {
		unlinkat(d->fd, tmp, 0);
		return err;
	}
	/* The rename itself is durable only once the directory is synced. */
	fsync(d->fd);
	return 0;
}

int results_write_at(const struct results_dir *d, const char *name,
		     int (*fill)(FILE *out, void *arg), void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int err = 0;

	mem = open_memstream(&text, &len);
	if (!mem) {
		err = -errno;
		vb_err("cannot write %s/%s: %s", d->path, name, strerror(-err));
		return err;
	}
	if (fill(mem, arg))
		err = -EIO;
	if (fclose(mem) && !err)
		err = -ENOMEM;
	if (err) {
		vb_err("cannot write %s/%s: %s", d->path, name,
		       err == -EIO ? "rendering it failed (see above)" : strerror(-err));
		free(text);
		return err;
	}
	err = replace_at(d, name, text, len);
	free(text);
	if (err)
		vb_err("cannot write %s/%s: %s%s", d->path, name, strerror(-err),
		       err == -ENOSPC || err == -EDQUOT
			       ? " (free some space there, or choose another directory with -o)"
			       : "");
	return err;
}

static int fill_doc(FILE *out, void *arg)
{
	const char *text = json_object_to_json_string_ext(
		arg,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

	return !text || fprintf(out, "%s\n", text) < 0;
}

int results_write_doc_at(const struct results_dir *d, const char *name, struct json_object *doc)
{
	return results_write_at(d, name, fill_doc, doc);
}

int results_dir_writable(const struct results_dir *d)
{
	char tmp[NAME_MAX + 1];
	int fd = create_temporary(d, "write-test", tmp, sizeof(tmp));

	if (fd < 0) {
		refuse_dir(d->path, -fd);
		return fd;
	}
	close(fd);
	unlinkat(d->fd, tmp, 0);
	return 0;
}

int results_write_path(const char *path, int (*fill)(FILE *out, void *arg), void *arg)
{
	char dir[PATH_MAX], base[PATH_MAX];
	struct results_dir d;
	int err;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		vb_err("cannot write %.64s...: path too long", path);
		return -ENAMETOOLONG;
	}
	snprintf(base, sizeof(base), "%s", path);
	err = results_open_dir(dirname(dir), false, &d);
	if (err)
		return err;
	err = results_write_at(&d, basename(base), fill, arg);
	results_close_dir(&d);
	return err;
}

int results_write_atomic(const char *path, struct json_object *doc)
{
	return results_write_path(path, fill_doc, doc);
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
