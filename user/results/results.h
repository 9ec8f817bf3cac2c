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

/* 0, or -errno after vb_err() naming the path. */
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
