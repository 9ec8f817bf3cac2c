/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results document (schema "vbench-trace/1", shared/DESIGN.md): the one
 * interface between running and reporting. Writing is atomic: a temporary
 * file, fsync, rename, fsync of the directory.
 */
#ifndef VB_RESULTS_H
#define VB_RESULTS_H

struct json_object;

#define VB_SCHEMA "vbench-trace/1"

/* 0, or -errno after vb_err() naming the path. */
int results_write_atomic(const char *path, struct json_object *doc);

/*
 * Reads and checks a results document: parseable JSON, schema
 * "vbench-trace/1", a platforms array. 0 with *doc set (json_object_put()
 * it), or VB_EXIT_USAGE after a vb_err() that says what is wrong.
 */
int results_load(const char *path, struct json_object **doc);

#endif
