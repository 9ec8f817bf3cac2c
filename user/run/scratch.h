/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's scratch directory (/var/tmp/vbench-trace.XXXXXX: disk files and
 * guest images, a GiB or more). A run killed with SIGKILL cannot remove
 * its own, so each holds an owner file naming the process that made it
 * (pid, its start time, the boot), and every run first sweeps the
 * directories whose owner is gone.
 */
#ifndef VB_SCRATCH_H
#define VB_SCRATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SCRATCH_BASE   "/var/tmp"
#define SCRATCH_PREFIX "vbench-trace."
/* In each scratch directory: "PID STARTTIME BOOT_ID\n". */
#define SCRATCH_OWNER ".owner"

/*
 * Makes base/vbench-trace.XXXXXX (mode 0700) with its owner file naming
 * this process; its path in path. 0, or -errno after a vb_err() naming the
 * way out.
 */
int scratch_create(const char *base, char *path, size_t n);

/*
 * Removes the scratch directories in base whose owner process is gone:
 * those of this user with an owner file whose pid no longer runs, runs
 * another program since (a different start time) or ran before the last
 * boot. A directory without an owner file (being made, or made by an older
 * tool) and one of a live run are left alone; links are never followed.
 * Returns how many were removed.
 */
int scratch_sweep(const char *base);

/* Is the process that wrote this owner text still running? */
bool scratch_owner_alive(const char *owner);
/* This process's owner text, "PID STARTTIME BOOT_ID\n"; 0 or -errno. Other
 * leftovers of a run (host_thp's state file) name their owner with it. */
int scratch_owner_self(char *text, size_t n);

/* rm -rf path through directory fds, never following a symbolic link (a
 * link is removed, not its target); 0 or -errno. */
int scratch_remove(const char *path);

#endif
