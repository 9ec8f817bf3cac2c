// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch.h"
#include "util_log.h"
#include "util_sys.h"

/* Deeper than any tree the tool makes in a scratch directory. */
#define MAX_DEPTH 32

/* Up to n-1 bytes of a small file at dirfd/name (not through a link). */
static int read_small_at(int dirfd, const char *name, char *buf, size_t n)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	ssize_t got;

	if (fd < 0)
		return -errno;
	got = read(fd, buf, n - 1);
	close(fd);
	if (got < 0)
		return -errno;
	buf[got] = '\0';
	return 0;
}

static void boot_id(char *buf, size_t n)
{
	if (read_small_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", buf, n))
		snprintf(buf, n, "unknown");
	buf[strcspn(buf, "\n")] = '\0';
}

bool scratch_owner_alive(const char *owner)
{
	char want_boot[64], boot[64];
	unsigned long long want_start;
	int pid;

	/* Unreadable: not ours to judge, so alive (left alone). */
	if (sscanf(owner, "%d %llu %63s", &pid, &want_start, want_boot) != 3 || pid <= 0)
		return true;
	boot_id(boot, sizeof(boot));
	if (strcmp(boot, want_boot))
		return false;
	return vb_proc_alive(pid, want_start);
}

int scratch_owner_self(char *text, size_t n)
{
	char boot[64];
	unsigned long long start = 0;

	boot_id(boot, sizeof(boot));
	if (vb_proc_start_time(getpid(), &start))
		return -EINVAL;
	if (snprintf(text, n, "%d %llu %s\n", (int)getpid(), start, boot) >= (int)n)
		return -E2BIG;
	return 0;
}

static int write_owner(const char *dir)
{
	char text[128], path[PATH_MAX];
	int err;

	if ((err = scratch_owner_self(text, sizeof(text))))
		return err;
	if (vb_pathf(path, sizeof(path), "%s/%s", dir, SCRATCH_OWNER))
		return -ENAMETOOLONG;
	return vb_write_new(path, text, 0600);
}

int scratch_create(const char *base, char *path, size_t n)
{
	int err;

	if (vb_pathf(path, n, "%s/%sXXXXXX", base, SCRATCH_PREFIX)) {
		vb_err("cannot make a scratch directory in %s: path too long", base);
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(path)) {
		err = -errno;
		vb_err("cannot make a scratch directory in %s: %s (it needs room for the disk "
		       "file: see --disk-size)",
		       base, strerror(errno));
		return err;
	}
	err = write_owner(path);
	if (err) {
		vb_err("cannot write %s/%s: %s", path, SCRATCH_OWNER, strerror(-err));
		scratch_remove(path);
	}
	return err;
}

static void empty_dir(int fd, int depth);

/* One entry of the directory fd: unlinkat never follows a link (the link
 * itself goes), and a directory is opened with O_NOFOLLOW to be emptied. */
static void remove_entry(int fd, const char *name, int depth)
{
	int sub;

	if (!unlinkat(fd, name, 0) || errno != EISDIR || depth >= MAX_DEPTH)
		return;
	sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub >= 0) {
		empty_dir(sub, depth + 1);
		close(sub);
	}
	unlinkat(fd, name, AT_REMOVEDIR);
}

/* Every entry of the directory fd removed. */
static void empty_dir(int fd, int depth)
{
	/* Removing entries while reading can make readdir skip some: read again
	 * until a pass finds nothing. */
	for (int pass = 0; pass < 8; pass++) {
		int dup_fd = dup(fd), seen = 0;
		DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
		struct dirent *e;

		if (!d) {
			if (dup_fd >= 0)
				close(dup_fd);
			return;
		}
		rewinddir(d);
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			seen++;
			remove_entry(fd, e->d_name, depth);
		}
		closedir(d);
		if (!seen)
			return;
	}
}

/* dirfd/name and everything under it; 0 or -errno. */
static int remove_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return unlinkat(dirfd, name, 0) ? -errno : 0;
	empty_dir(fd, 0);
	close(fd);
	return unlinkat(dirfd, name, AT_REMOVEDIR) ? -errno : 0;
}

int scratch_remove(const char *path)
{
	char dir[PATH_MAX], base[PATH_MAX];
	int dfd, err;

	if (vb_pathf(dir, sizeof(dir), "%s", path) || vb_pathf(base, sizeof(base), "%s", path))
		return -ENAMETOOLONG;
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	err = remove_at(dfd, basename(base));
	close(dfd);
	return err;
}

/* base/name is a scratch directory of this user whose owner is gone. */
static bool stale_at(int basefd, const char *name)
{
	char owner[256];
	struct stat st;
	int fd;
	bool stale;

	if (strncmp(name, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)) ||
	    strlen(name) != strlen(SCRATCH_PREFIX) + 6)
		return false;
	fd = openat(basefd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	stale = !fstat(fd, &st) && st.st_uid == geteuid() &&
		!read_small_at(fd, SCRATCH_OWNER, owner, sizeof(owner)) &&
		!scratch_owner_alive(owner);
	close(fd);
	return stale;
}

int scratch_sweep(const char *base)
{
	int basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC), dup_fd, removed = 0;
	struct dirent *e;
	DIR *d;

	if (basefd < 0)
		return 0;
	dup_fd = dup(basefd);
	d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		close(basefd);
		return 0;
	}
	while ((e = readdir(d))) {
		if (!stale_at(basefd, e->d_name))
			continue;
		int err = remove_at(basefd, e->d_name);

		if (err)
			vb_warn("cannot remove %s/%s, left by a run that is gone: %s (remove it "
				"by hand)",
				base, e->d_name, strerror(-err));
		else
			removed++;
	}
	closedir(d);
	close(basefd);
	return removed;
}
