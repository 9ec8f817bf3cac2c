// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_kernel.h"
#include "util_log.h"
#include "util_sys.h"

#define META_PACKAGE "linux-image-amd64"

/*
 * virtio_console carries the agent's link (a virtio-serial port); the rest
 * are the disk and the network. Dependencies come first.
 */
const char *const guest_kernel_modules[] = {
	"virtio_ring",
	"virtio",
	"virtio_pci_modern_dev",
	"virtio_pci_legacy_dev",
	"virtio_pci",
	"virtio_blk",
	"failover",
	"net_failover",
	"virtio_net",
	"virtio_console",
};
const int guest_kernel_nr_modules = sizeof(guest_kernel_modules) / sizeof(guest_kernel_modules[0]);

/* Limits for the helper programs: a slow mirror, a slow disk, never for ever. */
#define APT_CACHE_TIMEOUT_S 60
#define DOWNLOAD_TIMEOUT_S  600
#define UNPACK_TIMEOUT_S    300

/*
 * Runs argv in cwd within timeout_s; its output (stdout and stderr) lands in
 * out. 0 when it exited 0; otherwise -1 and out says why: the program's last
 * words, else what vb_run_argv() saw (a timeout, a signal).
 */
static int run_capture(char *const argv[], const char *cwd, int timeout_s, char *out, size_t n)
{
	struct vb_run_opts o = {.timeout_s = timeout_s, .cwd = cwd, .stdout_fd = -1};
	char err[256];

	if (!vb_run_argv(argv, &o, out, n, err, sizeof(err)))
		return 0;
	/* A timeout or a missing program outweighs whatever it printed. */
	if (!*out || strstr(err, "did not finish") || strstr(err, "cannot run"))
		snprintf(out, n, "%s", err);
	return -1;
}

static const char *last_line(char *s)
{
	char *end = s + strlen(s), *p;

	while (end > s && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	p = strrchr(s, '\n');
	return p ? p + 1 : s;
}

/* The versioned package linux-image-amd64 depends on, as apt knows it here. */
static int resolve_package(char *pkg, size_t pkgn, char *why, size_t n)
{
	char *argv[] = {"apt-cache", "depends", META_PACKAGE, NULL};
	char out[8192], *line, *save = NULL;

	if (run_capture(argv, NULL, APT_CACHE_TIMEOUT_S, out, sizeof(out))) {
		snprintf(why, n, "'apt-cache depends %s' failed: %s (run 'apt-get update')",
			 META_PACKAGE, last_line(out));
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (sscanf(line, " Depends: %127s", name) == 1 &&
		    !strncmp(name, "linux-image-", 12)) {
			snprintf(pkg, pkgn, "%s", name);
			return 0;
		}
	}
	snprintf(why, n, "apt knows no kernel package that %s depends on (run 'apt-get update')",
		 META_PACKAGE);
	return -1;
}

static int complete(const char *dir)
{
	char path[PATH_MAX];

	for (int i = 0; i < guest_kernel_nr_modules; i++) {
		if (vb_pathf(path, sizeof(path), "%s/modules/%s.ko", dir,
			     guest_kernel_modules[i]) ||
		    access(path, R_OK))
			return 0;
	}
	return !vb_pathf(path, sizeof(path), "%s/vmlinuz", dir) && access(path, R_OK) == 0;
}

static void fill(struct guest_kernel *gk, const char *base, const char *pkg)
{
	vb_pathf(gk->package, sizeof(gk->package), "%s", pkg);
	vb_pathf(gk->kernel, sizeof(gk->kernel), "%s/%s/vmlinux", base, pkg);
	if (access(gk->kernel, R_OK))
		vb_pathf(gk->kernel, sizeof(gk->kernel), "%s/%s/vmlinuz", base, pkg);
	vb_pathf(gk->modules, sizeof(gk->modules), "%s/%s/modules", base, pkg);
}

/* The newest complete kernel already in the cache, if any. */
static int find_cached(const char *base, struct guest_kernel *gk)
{
	struct dirent **names;
	int nr, found = 0;

	nr = scandir(base, &names, NULL, versionsort);
	if (nr < 0)
		return 0;
	for (int i = nr - 1; i >= 0; i--) {
		char dir[PATH_MAX];

		if (!found && !strncmp(names[i]->d_name, "linux-image-", 12)) {
			if (!vb_pathf(dir, sizeof(dir), "%s/%s", base, names[i]->d_name) &&
			    complete(dir)) {
				fill(gk, base, names[i]->d_name);
				found = 1;
			}
		}
		free(names[i]);
	}
	free(names);
	return found;
}

/* Where nftw finds a wanted module, it moves it into the kept tree. */
static const char *keep_dir;

static int keep_module(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	char to[PATH_MAX];

	(void)st;
	if (flag != FTW_F)
		return 0;
	for (int i = 0; i < guest_kernel_nr_modules; i++) {
		size_t l = strlen(guest_kernel_modules[i]);

		if (strncmp(base, guest_kernel_modules[i], l) || strcmp(base + l, ".ko"))
			continue;
		if (vb_pathf(to, sizeof(to), "%s/%s", keep_dir, base) || rename(path, to))
			return -1;
		chmod(to, 0644);
	}
	return 0;
}

static int file_has(const char *path, const char *needle)
{
	char line[512];
	FILE *f = fopen(path, "re");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* Runs argv with stdout into the file out; 0 when it exits 0 in time. */
static int run_to_file(char *const argv[], const char *out)
{
	struct vb_run_opts o = {.timeout_s = UNPACK_TIMEOUT_S};
	int fd = vb_create_fresh(out, 0644), err;
	char why[256];

	if (fd < 0)
		return -1;
	o.stdout_fd = fd;
	err = vb_run_argv(argv, &o, NULL, 0, why, sizeof(why));
	close(fd);
	if (err)
		vb_warn("guest kernel: %s; the guest boots the compressed kernel instead", why);
	return err;
}

/* Writes the bytes of path from the first occurrence of magic on into out. */
static int copy_from_magic(const char *path, const char *magic, size_t mlen, const char *out)
{
	char *data = NULL, *m;
	struct stat st;
	FILE *in = fopen(path, "re"), *o = NULL;
	size_t n;
	int err = -1, fd;

	if (!in || fstat(fileno(in), &st))
		goto out;
	data = malloc((size_t)st.st_size);
	if (!data || fread(data, 1, (size_t)st.st_size, in) != (size_t)st.st_size)
		goto out;
	m = memmem(data, (size_t)st.st_size, magic, mlen);
	if (!m)
		goto out;
	n = (size_t)st.st_size - (size_t)(m - data);
	fd = vb_create_fresh(out, 0644);
	o = fd < 0 ? NULL : fdopen(fd, "w");
	if (!o && fd >= 0)
		close(fd);
	if (o && fwrite(m, 1, n, o) == n)
		err = 0;
out:
	if (o && fclose(o))
		err = -1;
	if (in)
		fclose(in);
	free(data);
	return err;
}

/*
 * Writes keep/vmlinux from keep/vmlinuz: the xz stream inside the bzImage,
 * decompressed. Only worth it when the kernel has a PVH entry, the one way
 * QEMU boots an ELF vmlinux; otherwise the guest boots the bzImage.
 */
static void unpack_vmlinux(const char *x, const char *keep)
{
	static const char xz_magic[] = {'\xfd', '7', 'z', 'X', 'Z', '\0'};
	char config[PATH_MAX], vmlinuz[PATH_MAX], xz[PATH_MAX], vmlinux[PATH_MAX];
	char *argv[] = {"xz", "-dc", "--single-stream", xz, NULL};
	glob_t g = {0};

	if (vb_pathf(config, sizeof(config), "%s/boot/config-*", x) ||
	    vb_pathf(vmlinuz, sizeof(vmlinuz), "%s/vmlinuz", keep) ||
	    vb_pathf(xz, sizeof(xz), "%s/vmlinux.xz", keep) ||
	    vb_pathf(vmlinux, sizeof(vmlinux), "%s/vmlinux", keep))
		return;
	if (glob(config, 0, NULL, &g) || g.gl_pathc != 1 ||
	    !file_has(g.gl_pathv[0], "CONFIG_PVH=y"))
		goto out;
	if (copy_from_magic(vmlinuz, xz_magic, sizeof(xz_magic), xz))
		goto out;
	if (run_to_file(argv, vmlinux))
		unlink(vmlinux);
	else
		chmod(vmlinux, 0644);
out:
	unlink(xz);
	globfree(&g);
}

/* Unpacks the .deb in tmp and keeps vmlinuz and the modules in tmp/keep. */
static int unpack(const char *tmp, const char *pkg, char *why, size_t n)
{
	char deb_glob[PATH_MAX], x[PATH_MAX], keep[PATH_MAX], mods[PATH_MAX], out[4096];
	glob_t g = {0};
	int err = -1;

	vb_pathf(deb_glob, sizeof(deb_glob), "%s/%s_*.deb", tmp, pkg);
	if (glob(deb_glob, 0, NULL, &g) || g.gl_pathc != 1) {
		snprintf(why, n, "'apt-get download %s' left no .deb in %s", pkg, tmp);
		goto out;
	}
	vb_pathf(x, sizeof(x), "%s/x", tmp);
	{
		char *argv[] = {"dpkg-deb", "-x", g.gl_pathv[0], x, NULL};

		if (run_capture(argv, NULL, UNPACK_TIMEOUT_S, out, sizeof(out))) {
			snprintf(why, n, "'dpkg-deb -x %s' failed: %s (is dpkg installed?)",
				 g.gl_pathv[0], last_line(out));
			goto out;
		}
	}
	unlink(g.gl_pathv[0]);
	globfree(&g);
	vb_pathf(keep, sizeof(keep), "%s/keep", tmp);
	vb_pathf(mods, sizeof(mods), "%s/keep/modules", tmp);
	if (vb_mkdir_p(mods, 0755)) {
		snprintf(why, n, "cannot create %s: %s", mods, strerror(errno));
		goto out;
	}
	vb_pathf(deb_glob, sizeof(deb_glob), "%s/boot/vmlinuz-*", x);
	if (glob(deb_glob, 0, NULL, &g) || g.gl_pathc < 1) {
		snprintf(why, n, "%s holds no boot/vmlinuz-*", pkg);
		goto out;
	}
	vb_pathf(out, sizeof(out), "%s/vmlinuz", keep);
	if (rename(g.gl_pathv[0], out)) {
		snprintf(why, n, "cannot move %s: %s", g.gl_pathv[0], strerror(errno));
		goto out;
	}
	chmod(out, 0644);
	unpack_vmlinux(x, keep);
	keep_dir = mods;
	vb_pathf(out, sizeof(out), "%s/lib/modules", x);
	if (nftw(out, keep_module, 16, FTW_PHYS) || !complete(keep)) {
		snprintf(why, n,
			 "%s lacks some of the virtio modules (virtio_blk, virtio_net, "
			 "virtio_console as uncompressed .ko)",
			 pkg);
		goto out;
	}
	err = 0;
out:
	globfree(&g);
	vb_rm_tree(x);
	return err;
}

static int fetch(const char *base, const char *pkg, char *why, size_t n)
{
	char tmp[PATH_MAX], dst[PATH_MAX], keep[PATH_MAX], out[8192];
	char *argv[] = {"apt-get",   "download", "-q", "-o", "APT::Sandbox::User=root",
			(char *)pkg, NULL};
	int err = -1;

	vb_pathf(tmp, sizeof(tmp), "%s/.fetch-%d", base, (int)getpid());
	vb_rm_tree(tmp);
	if (vb_mkdir_p(tmp, 0755)) {
		snprintf(why, n, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (run_capture(argv, tmp, DOWNLOAD_TIMEOUT_S, out, sizeof(out))) {
		snprintf(why, n,
			 "'apt-get download %s' failed: %s (run it by hand to see why; "
			 "'apt-get update' may help)",
			 pkg, last_line(out));
		goto out;
	}
	if (unpack(tmp, pkg, why, n))
		goto out;
	vb_pathf(keep, sizeof(keep), "%s/keep", tmp);
	vb_pathf(dst, sizeof(dst), "%s/%s", base, pkg);
	chmod(keep, 0755);
	/* Another suite may have won the race to the same place: theirs is as good. */
	if (rename(keep, dst) && !complete(dst)) {
		snprintf(why, n, "cannot move the kernel to %s: %s", dst, strerror(errno));
		goto out;
	}
	err = 0;
out:
	vb_rm_tree(tmp);
	return err;
}

static void open_dir(const char *path)
{
	struct stat st;

	if (!stat(path, &st) && (st.st_mode & 0005) != 0005)
		chmod(path, (st.st_mode & 07777) | 0005);
}

int guest_kernel_get(const char *cache_dir, struct guest_kernel *gk, char *why, size_t n)
{
	char base[PATH_MAX], pkg[128];

	if (vb_pathf(base, sizeof(base), "%s/guest-kernel", cache_dir)) {
		snprintf(why, n, "the cache directory's path is too long: %s", cache_dir);
		return -1;
	}
	if (find_cached(base, gk))
		return 0;
	if (vb_mkdir_p(base, 0755)) {
		snprintf(why, n, "cannot create the cache directory %s: %s", base, strerror(errno));
		return -1;
	}
	/* QEMU runs as another user and must reach the kernel through every directory. */
	open_dir(cache_dir);
	open_dir(base);
	if (resolve_package(pkg, sizeof(pkg), why, n))
		return -1;
	if (fetch(base, pkg, why, n))
		return -1;
	fill(gk, base, pkg);
	return 0;
}
