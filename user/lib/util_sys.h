/* SPDX-License-Identifier: GPL-2.0 */
/* Small system helpers every step of the tool and the agent needs alike. */
#ifndef VB_UTIL_SYS_H
#define VB_UTIL_SYS_H

#include <stddef.h>
#include <sys/types.h>

/* Writes all of buf, retrying short writes and EINTR; 0 or -errno. */
int vb_write_all(int fd, const void *buf, size_t n);

/* CLOCK_MONOTONIC in milliseconds. */
long long vb_now_ms(void);
void vb_sleep_ms(int ms);

/* mkdir -p with mode for each directory made; 0 or -errno. */
int vb_mkdir_p(const char *path, mode_t mode);

/* snprintf for paths: truncation would name the wrong file, so it is an
 * error (-1, errno ENAMETOOLONG). */
int vb_pathf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Waits up to timeout_ms for a child; its wait status (0 when it was
 * already reaped), or -1 while it still runs. Only async-signal-safe calls,
 * so an interrupted runner may use it from its cleanup path.
 */
int vb_reap(pid_t pid, int timeout_ms);

/* rm -rf, not following symbolic links. */
void vb_rm_tree(const char *path);

#endif
