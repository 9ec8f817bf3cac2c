/* SPDX-License-Identifier: GPL-2.0 */
/* Small system helpers every step of the tool and the agent needs alike. */
#ifndef VB_UTIL_SYS_H
#define VB_UTIL_SYS_H

#include <stdbool.h>

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Writes all of buf, retrying short writes and EINTR; 0 or -errno. */
int vb_write_all(int fd, const void *buf, size_t n);

/* CLOCK_MONOTONIC: the one clock of every duration, rate and deadline (and
 * bpf_ktime_get_ns()'s, so probe windows line up with it). */
static inline uint64_t vb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
static inline double vb_now_s(void)
{
	return (double)vb_now_ns() / 1e9;
}
static inline long long vb_now_ms(void)
{
	return (long long)(vb_now_ns() / 1000000);
}
void vb_sleep_ms(int ms);

/*
 * Creates path afresh for writing: whatever is at that name (a file left by
 * an earlier run, a planted symbolic link) is unlinked, never followed, and
 * the file is created O_EXCL|O_NOFOLLOW, so a link planted in between makes
 * it fail rather than write through. An fd, or -errno.
 */
int vb_create_fresh(const char *path, mode_t mode);
/* Writes text into a new file at path (O_EXCL|O_NOFOLLOW: nothing may be
 * there yet); 0 or -errno. */
int vb_write_new(const char *path, const char *text, mode_t mode);

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

/*
 * Starting programs: the one place the tool forks and execs one (argv[0]
 * looked up in PATH, no shell). vb_spawn starts it with the three fds given,
 * in a process group of its own (unless keep_group) so that a kill at a
 * deadline takes its children too, with no signal blocked. Returns its pid,
 * or -errno when it could not be started, exec's errno included (the child
 * reports it before it exits), so a missing program is said as such.
 */
struct vb_child {
	int fd[3];	       /* its stdin, stdout, stderr */
	const char *env_extra; /* NULL, or "NAME=value" added to its environment */
	const char *cwd;       /* NULL: ours */
	bool keep_group;       /* stay in our process group (a terminal's Ctrl-C reaches it) */
};
pid_t vb_spawn(char *const argv[], const struct vb_child *c);

/*
 * Runs a program to its end and waits for it at most timeout_s seconds; at
 * the deadline its whole process group is killed. stdin is /dev/null;
 * stdout goes to stdout_fd when that is >= 0, else into out. stderr goes
 * into err with split_stderr, else into out with stdout. out keeps the head
 * of stdout when split (output to parse), else the tail (the last words,
 * where the reason is); err keeps its tail. out and err may be NULL.
 */
struct vb_run_opts {
	int timeout_s;	       /* > 0 */
	const char *cwd;       /* NULL: ours */
	int stdout_fd;	       /* >= 0: the program's stdout; -1: into out */
	const char *env_extra; /* NULL, or "NAME=value" added to its environment */
	bool split_stderr;     /* stderr into err, apart from stdout */
};
struct vb_run_result {
	int spawn_err;	/* -errno when it could not be started */
	bool timed_out; /* killed at the deadline, with its process group */
	int wstatus;	/* waitpid's status otherwise */
};
/* 0 when the program ran (whatever its status: see r), else r->spawn_err. */
int vb_run(char *const argv[], const struct vb_run_opts *o, char *out, size_t outn, char *err,
	   size_t errn, struct vb_run_result *r);
/*
 * vb_run for a helper whose success is exit 0, stdout and stderr together
 * in out: 0, or -1 with err saying what happened, naming the program and,
 * on a timeout, the limit: "'xz' did not finish within 120 s (killed)".
 */
int vb_run_argv(char *const argv[], const struct vb_run_opts *o, char *out, size_t outn, char *err,
		size_t errn);

/*
 * What the tool reads of /proc/PID/stat: the state (field 3) and the start
 * time (field 22, clock ticks since boot), which with the pid names one
 * process for good, so a reused pid is never taken for its predecessor.
 */
struct vb_proc_stat {
	char state;
	unsigned long long start;
};
/* Parses the text of a /proc/PID/stat; 0 or -EINVAL. */
int vb_parse_proc_stat(const char *text, struct vb_proc_stat *st);
/* Reads a process's; 0 or -errno (-ENOENT when there is no such pid). */
int vb_proc_stat(pid_t pid, struct vb_proc_stat *st);
int vb_proc_start_time(pid_t pid, unsigned long long *start);

/* The static agent's file name, and its path: beside this executable
 * (/proc/self/exe, links resolved), as make and make install lay it out. */
#define VB_AGENT_NAME "vbench-trace-agent"
void vb_agent_path(char *buf, size_t n);

/* Is the process that was pid at start still there, and not a zombie? */
int vb_proc_alive(pid_t pid, unsigned long long start);

/*
 * Would a process of uid with these groups be let open a file of this
 * mode, owner and group for reading and writing (root aside)?
 */
int vb_mode_allows_rw(mode_t mode, uid_t owner, gid_t group, uid_t uid, const gid_t *gids,
		      int nr_gids);

/* rm -rf, not following symbolic links. */
void vb_rm_tree(const char *path);

#endif
