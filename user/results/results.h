/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results document (schema "vbench-trace/1", docs/results-schema.md): the one
 * interface between running and reporting. Writing is atomic: a temporary
 * file, fsync, rename, fsync of the directory.
 */
#ifndef VB_RESULTS_H
#define VB_RESULTS_H

struct json_object;

#define VB_SCHEMA "vbench-trace/1"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * An output directory, opened once: every file the tool writes goes in
 * through its fd, so a symbolic link planted in a shared directory can
 * neither redirect the directory nor a temporary name.
 */
struct results_dir {
	int fd; /* O_DIRECTORY, or -1 */
	char path[PATH_MAX];
};

/*
 * Opens path as an output directory (O_DIRECTORY|O_NOFOLLOW), made with
 * mode 0755 (its missing parents too) when create is true and it does not
 * exist. Refuses a symbolic link, what is not a directory, and a directory
 * owned by someone other than the caller or root. 0, or -errno after a
 * vb_err() naming the way out ("... choose another directory with -o").
 */
int results_open_dir(const char *path, bool create, struct results_dir *d);
void results_close_dir(struct results_dir *d);

/* Writes a file into d, as results_write_at() does, and removes it: can the
 * directory take a file now? 0 or -errno after vb_err(). */
int results_dir_writable(const struct results_dir *d);

/*
 * Writes d/name atomically: fill() renders into a memory stream, the text
 * goes to a temporary of an unpredictable name created with
 * O_CREAT|O_EXCL|O_NOFOLLOW in d, is fsynced and renamed over name within
 * d (a link at name is replaced, never followed), then d is fsynced. On any
 * error the temporary is removed and the previous file is left as it was.
 * fill returns 0, or nonzero for an error it has already reported. 0, or
 * -errno after a vb_err() naming d/name and the cause (ENOSPC: "No space
 * left on device").
 */
int results_write_at(const struct results_dir *d, const char *name,
		     int (*fill)(FILE *out, void *arg), void *arg);

/* The document, pretty-printed, as d/name through results_write_at(). */
int results_write_doc_at(const struct results_dir *d, const char *name, struct json_object *doc);

/* A file at path: its directory opened (never created), the file written
 * through results_write_at(). 0, or -errno after vb_err(). */
int results_write_path(const char *path, int (*fill)(FILE *out, void *arg), void *arg);
/* The document, pretty-printed, at path through results_write_path(). */
int results_write_atomic(const char *path, struct json_object *doc);

/* The largest results document read: a real one is a few MiB at most
 * (a cell's run is about 3 KiB), and parsing costs some 30 times the text. */
#define RESULTS_MAX_BYTES (64 << 20)
/* And at most this many JSON values and keys: json-c takes some 70 bytes for
 * each, and a run has about 130. */
#define RESULTS_MAX_ITEMS (4 << 20)

/*
 * Reads and checks a results document: a regular file (a FIFO or a device
 * is refused at once) of at most RESULTS_MAX_BYTES and RESULTS_MAX_ITEMS,
 * parseable JSON, schema
 * "vbench-trace/1", a platforms array, and within doc_within_limits(). 0
 * with *doc set (json_object_put() it), or VB_EXIT_USAGE after a vb_err()
 * that says what is wrong.
 */
int results_load(const char *path, struct json_object **doc);

#endif
