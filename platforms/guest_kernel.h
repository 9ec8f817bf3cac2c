/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's kernel: Debian's own (the package linux-image-amd64 depends
 * on), fetched once with `apt-get download` into the cache directory and
 * trimmed to vmlinuz plus the modules a vbench-trace guest inserts.
 */
#ifndef VB_GUEST_KERNEL_H
#define VB_GUEST_KERNEL_H

#include <limits.h>
#include <stddef.h>

#include "agent_guest.h"

/*
 * The modules the guest's /init inserts, in this order: Debian builds virtio
 * as modules, and a module must follow those it depends on.
 */
extern const char *const guest_kernel_modules[];
/* Where the initramfs puts them: GUEST_MODULES_DIR, agent_guest.h. */
extern const int guest_kernel_nr_modules;

struct guest_kernel {
	char package[128]; /* linux-image-6.1.0-NN-amd64 */
	/*
	 * The uncompressed vmlinux when the kernel has a PVH entry (QEMU then
	 * loads it directly: seconds sooner under TCG than unpacking an xz
	 * bzImage in emulated code), else the package's vmlinuz.
	 */
	char kernel[PATH_MAX];
	char modules[PATH_MAX]; /* a directory of <name>.ko, flat */
};

/*
 * Fills gk from <cache_dir>/guest-kernel, fetching and unpacking the
 * package first when nothing is cached. 0, or -1 with a one-line reason
 * (naming the way out) in why.
 */
int guest_kernel_get(const char *cache_dir, struct guest_kernel *gk, char *why, size_t n);

#endif
