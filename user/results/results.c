// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int results_load(const char *path, struct json_object **doc)
{
	struct json_object *d, *schema, *platforms;

	*doc = NULL;
	if (access(path, R_OK)) {
		vb_err("cannot read %s: %s", path, strerror(errno));
		return 2;
	}
	d = json_object_from_file(path);
	if (!d) {
		vb_err("%s is not JSON (%s); expected a results.json written by 'vbench-trace run'",
		       path, json_util_get_last_err() ? json_util_get_last_err() : "parse error");
		return 2;
	}
	if (!json_object_object_get_ex(d, "schema", &schema) ||
	    !json_object_is_type(schema, json_type_string) ||
	    strcmp(json_object_get_string(schema), VB_SCHEMA)) {
		vb_err("%s is not a vbench-trace results document (no \"schema\": \"%s\"); "
		       "expected a results.json written by 'vbench-trace run'",
		       path, VB_SCHEMA);
		json_object_put(d);
		return 2;
	}
	if (!json_object_object_get_ex(d, "platforms", &platforms) ||
	    !json_object_is_type(platforms, json_type_array)) {
		vb_err("%s: results document has no \"platforms\" array", path);
		json_object_put(d);
		return 2;
	}
	*doc = d;
	return 0;
}
