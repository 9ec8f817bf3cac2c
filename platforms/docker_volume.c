// SPDX-License-Identifier: GPL-2.0
/*
 * docker: the volume of --docker-volume. The disk workloads' file goes on a
 * host directory bind-mounted at DOCKER_VOLUME_MOUNT instead of the
 * container's writable layer (overlayfs), so the two can be compared side by
 * side. The directory lives in the run's work directory, which the runner
 * removes (and a later run sweeps when this one was killed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker_internal.h"
#include "util_log.h"
#include "util_sys.h"

int docker_volume_prepare(struct docker_priv *d, const char *work)
{
	char abs[PATH_MAX];
	int err;

	d->volume_dir[0] = d->volume_file[0] = '\0';
	if (!realpath(work, abs)) {
		err = -errno;
		vb_err("docker: work directory %s: %s (is it there?)", work, strerror(-err));
		return err;
	}
	if (vb_pathf(d->volume_dir, sizeof(d->volume_dir), "%s/docker-volume", abs) ||
	    vb_pathf(d->volume_file, sizeof(d->volume_file), "%s/docker-volume/disk.dat", abs)) {
		d->volume_dir[0] = d->volume_file[0] = '\0';
		vb_err("docker: the work directory %s is too long for a volume (use a shorter one)",
		       abs);
		return -ENAMETOOLONG;
	}
	if ((err = vb_mkdir_p(d->volume_dir, 0755))) {
		vb_err("docker: cannot create %s: %s (is it writable?)", d->volume_dir,
		       strerror(-err));
		d->volume_dir[0] = d->volume_file[0] = '\0';
		return err;
	}
	return 0;
}

void docker_volume_clear(struct docker_priv *d)
{
	if (*d->volume_file)
		unlink(d->volume_file);
}

void docker_volume_remove(struct docker_priv *d)
{
	docker_volume_clear(d);
	if (*d->volume_dir)
		rmdir(d->volume_dir);
}
