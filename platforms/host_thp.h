/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The thp knob of the drivers whose agent runs on the host's kernel
 * (native, docker): transparent huge pages set for the platform's cells and
 * put back afterwards.
 *
 * Only .../transparent_hugepage/enabled is written: it decides whether an
 * anonymous fault may get a 2 MiB page, which is what the mem workload's
 * fault counts show. defrag (how hard a fault works to find one) is left as
 * the host has it, so one knob changes one thing; the log line names both.
 * Sizes below 2 MiB (mTHP, hugepages-*kB/enabled) are left alone too.
 *
 * A run that sets it leaves a state file in the cache directory naming the
 * mode to put back and the run (its owner text, scratch.h). stop/teardown
 * restore and remove it; when the run was killed (SIGKILL) the next run
 * finds the file, sees its owner gone and restores the mode then. While a
 * live run holds the file, another run may not set the knob.
 */
#ifndef VB_HOST_THP_H
#define VB_HOST_THP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct json_object;

#define HOST_THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"
/* In the cache directory: "owner PID STARTTIME BOOT_ID\nenabled MODE\n". */
#define HOST_THP_STATE "host-thp.state"
/* The default: the host's setting, neither read nor written. */
#define HOST_THP_AS_IS "host"
/* How long to wait for another run's hold on the state file (its lock). */
#define HOST_THP_LOCK_WAIT_MS 5000

/* host, always, madvise, never; NULL-terminated (a platform_option's values). */
extern const char *const host_thp_values[];
#define HOST_THP_HELP                                                                     \
	"transparent huge pages for the platform's cells: host leaves them as they are; " \
	"always, madvise or never is set in sysfs and put back after (defrag left alone)"

/*
 * The selected mode in the text of an "enabled" file: the bracketed word
 * of "always [madvise] never", or the only word of a file holding one. 0,
 * or -EINVAL.
 */
int host_thp_parse(const char *text, char *mode, size_t n);
/* Does that text list mode among the choices (bracketed or not)? */
bool host_thp_offers(const char *text, const char *mode);

/*
 * Can this machine set value through the enabled file at sysfs
 * (HOST_THP_ENABLED when NULL)? 0, or -1 with why naming the way out.
 * "host" always can.
 */
int host_thp_supported(const char *sysfs, const char *value, char *why, size_t n);

/* The state file's text, and back; 0 or -EINVAL (-E2BIG when it does not fit). */
int host_thp_state_format(char *buf, size_t n, const char *owner, const char *mode);
int host_thp_state_parse(const char *text, char *owner, size_t on, char *mode, size_t mn);

struct host_thp {
	const char *sysfs;    /* the enabled file; tests point it at a file of theirs */
	char dir[PATH_MAX];   /* the cache directory holding it */
	char state[PATH_MAX]; /* the state file while set, else "" */
	char saved[16];	      /* the mode to put back */
	char set[16];	      /* the mode set */
};

/* Nothing set yet; sysfs NULL for HOST_THP_ENABLED. */
void host_thp_init(struct host_thp *t, const char *sysfs);

/*
 * Restores what a dead run left in cache_dir (host_thp_recover), then sets
 * value for the platform who ("native") unless it is "host". 0, or -errno
 * after a vb_err() naming the way out; nothing is left set on failure.
 */
int host_thp_apply(struct host_thp *t, const char *cache_dir, const char *value, const char *who);

/* Puts back the mode host_thp_apply() found and removes the state file;
 * nothing when nothing was set. Safe to call twice. */
void host_thp_restore(struct host_thp *t, const char *who);

/*
 * A state file in cache_dir whose owner is gone: its mode written back to
 * sysfs (NULL: HOST_THP_ENABLED), the file removed, said with vb_info. 1
 * when restored, 0 when there was nothing to do, -EBUSY when a live run
 * holds it (*holder its pid, when not NULL), -errno on failure (said).
 */
int host_thp_recover(const char *cache_dir, const char *sysfs, int *holder);

/*
 * What the state file in cache_dir says, acting on nothing (doctor): 0
 * with its owner's pid, whether that run still runs and the mode to put
 * back; -ENOENT when there is none, -EINVAL when it is not one of ours.
 */
int host_thp_state_read(const char *cache_dir, int *pid, bool *alive, char *mode, size_t n);

/*
 * config.host_thp: {"enabled": MODE, "defrag": MODE}, the host's own modes
 * as the run found them (what thp=host measures; defrag holds for every
 * value), once whichever driver adds it first. A file this kernel lacks is
 * left out.
 */
void host_thp_config_json(struct json_object *config, const char *sysfs);

#endif
