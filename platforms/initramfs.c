// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

#include "initramfs.h"
#include "util_sys.h"

#define NEWC_MAGIC   "070701"
#define NEWC_HDR_LEN 110
#define TRAILER	     "TRAILER!!!"

struct initramfs {
	gzFile gz;
	char *path, *tmp;
	unsigned long ino;
	unsigned long long off; /* bytes of cpio written, for the 4-byte padding */
	int err;
};

struct initramfs *initramfs_open(const char *path)
{
	struct initramfs *ir = calloc(1, sizeof(*ir));
	int fd;

	if (!ir)
		return NULL;
	ir->path = strdup(path);
	if (!ir->path || asprintf(&ir->tmp, "%s.tmp", path) < 0)
		goto fail;
	fd = vb_create_fresh(ir->tmp, 0644);
	if (fd < 0)
		goto fail;
	/* The QEMU process reads it as another user: make it world-readable despite umask. */
	fchmod(fd, 0644);
	ir->gz = gzdopen(fd, "wb");
	if (!ir->gz) {
		close(fd);
		unlink(ir->tmp);
		errno = ENOMEM;
		goto fail;
	}
	ir->ino = 1;
	return ir;
fail:
	free(ir->tmp);
	free(ir->path);
	free(ir);
	return NULL;
}

static void put(struct initramfs *ir, const void *p, size_t n)
{
	if (ir->err || !n)
		return;
	if (gzwrite(ir->gz, p, (unsigned int)n) != (int)n) {
		int zerr;

		gzerror(ir->gz, &zerr);
		ir->err = zerr == Z_ERRNO && errno ? -errno : -EIO;
		return;
	}
	ir->off += n;
}

static void pad4(struct initramfs *ir)
{
	static const char zeros[4];

	put(ir, zeros, (4 - ir->off % 4) % 4);
}

static void put_header(struct initramfs *ir, const char *name, mode_t mode, size_t size,
		       unsigned int rmajor, unsigned int rminor)
{
	char hdr[NEWC_HDR_LEN + 32];
	unsigned int namesize = (unsigned int)strlen(name) + 1;

	/* ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
	 * rdevmajor, rdevminor, namesize, check. mtime 0 keeps images reproducible. */
	snprintf(hdr, sizeof(hdr),
		 NEWC_MAGIC "%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 (unsigned int)ir->ino++, (unsigned int)mode, 0, 0, S_ISDIR(mode) ? 2 : 1, 0,
		 (unsigned int)size, 0, 0, rmajor, rminor, namesize, 0);
	put(ir, hdr, NEWC_HDR_LEN);
	put(ir, name, namesize);
	pad4(ir);
}

static int check_name(struct initramfs *ir, const char *name)
{
	if (ir->err)
		return ir->err;
	/* Names are relative to the archive's root, as the kernel expects. */
	if (!*name || *name == '/' || strlen(name) >= 4096)
		ir->err = -EINVAL;
	return ir->err;
}

int initramfs_add_dir(struct initramfs *ir, const char *name, mode_t perm)
{
	if (check_name(ir, name))
		return ir->err;
	put_header(ir, name, S_IFDIR | (perm & 07777), 0, 0, 0);
	return ir->err;
}

int initramfs_add_file(struct initramfs *ir, const char *name, mode_t perm, const void *data,
		       size_t len)
{
	if (check_name(ir, name))
		return ir->err;
	if (len > 0xffffffffu)
		return ir->err = -EFBIG;
	put_header(ir, name, S_IFREG | (perm & 07777), len, 0, 0);
	put(ir, data, len);
	pad4(ir);
	return ir->err;
}

int initramfs_add_chardev(struct initramfs *ir, const char *name, mode_t perm, unsigned int major,
			  unsigned int minor)
{
	if (check_name(ir, name))
		return ir->err;
	put_header(ir, name, S_IFCHR | (perm & 07777), 0, major, minor);
	return ir->err;
}

static int read_whole(const char *path, char **data, size_t *len)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err = errno ? -errno : -EINVAL;
		goto out;
	}
	*data = malloc((size_t)st.st_size + 1);
	if (!*data) {
		err = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size && (n = read(fd, *data + got, st.st_size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)st.st_size) {
		err = -EIO;
		free(*data);
		*data = NULL;
	}
	*len = got;
out:
	close(fd);
	return err;
}

int initramfs_add_copy(struct initramfs *ir, const char *name, mode_t perm, const char *src)
{
	char *data = NULL;
	size_t len = 0;
	int err;

	if (check_name(ir, name))
		return ir->err;
	err = read_whole(src, &data, &len);
	if (err)
		return ir->err = err;
	initramfs_add_file(ir, name, perm, data, len);
	free(data);
	return ir->err;
}

int initramfs_close(struct initramfs *ir)
{
	int err, zret;

	put_header(ir, TRAILER, 0, 0, 0, 0);
	zret = gzclose(ir->gz);
	err = ir->err;
	if (!err && zret != Z_OK)
		err = -EIO;
	if (!err && rename(ir->tmp, ir->path))
		err = -errno;
	if (err)
		unlink(ir->tmp);
	free(ir->tmp);
	free(ir->path);
	free(ir);
	return err;
}
