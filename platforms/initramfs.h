/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A writer for the guest's initramfs: a cpio archive in the "newc" format
 * the kernel unpacks (Documentation/driver-api/early-userspace/buffer-format.rst),
 * gzip-compressed through zlib. Entries are written in the order added, so
 * a directory must come before what it holds.
 */
#ifndef VB_INITRAMFS_H
#define VB_INITRAMFS_H

#include <stddef.h>
#include <sys/types.h>

struct initramfs;

/* Starts path.tmp; initramfs_close() renames it to path. NULL with errno set. */
struct initramfs *initramfs_open(const char *path);
int initramfs_add_dir(struct initramfs *ir, const char *name, mode_t perm);
int initramfs_add_file(struct initramfs *ir, const char *name, mode_t perm, const void *data,
		       size_t len);
/* A file whose content is the host file src. */
int initramfs_add_copy(struct initramfs *ir, const char *name, mode_t perm, const char *src);
int initramfs_add_chardev(struct initramfs *ir, const char *name, mode_t perm, unsigned int major,
			  unsigned int minor);
/*
 * Writes the trailer, finishes the gzip stream and renames it into place
 * (or removes it after an earlier error). Returns 0 or the first -errno met
 * by any call on ir; frees ir either way.
 */
int initramfs_close(struct initramfs *ir);

#endif
