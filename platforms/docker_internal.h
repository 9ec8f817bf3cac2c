/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the docker driver's files share; not for the rest of the tool
 * (docker.h is the public part).
 *
 *   docker.c            the platform ops and the glue between the jobs below
 *   docker_engine.c     reaching the engine: the docker CLI (spawned with
 *                       deadlines) and a ping of the Engine API on its unix
 *                       socket that tells "not running" from "permission denied"
 *   docker_image.c      building and loading the FROM-scratch image of the agent
 *   docker_container.c  running a container, finding its agent, saying why it
 *                       died, sweeping the containers of dead runs
 *   docker_volume.c     the bind-mounted directory of storage=volume (--docker-volume)
 */
#ifndef VB_DOCKER_INTERNAL_H
#define VB_DOCKER_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "docker.h"
#include "host_thp.h"
#include "platform.h"

#define DOCKER_HELLO_TIMEOUT_S 30  /* a loaded machine may take seconds to start a container */
#define DOCKER_CLI_TIMEOUT_S   20  /* inspect, info, rm, images */
#define DOCKER_BUILD_TIMEOUT_S 300 /* the build sends a 2 MB context; this is generous */
#define DOCKER_QUIT_WAIT_MS    2000
#define DOCKER_GONE_WAIT_MS    3000 /* for the CLI to end once its container has */

struct docker_priv {
	char tag[192];
	char name[64];
	char host[64];
	unsigned long long start_ticks; /* this tool's start time, /proc/self/stat field 22 */
	char log_path[PATH_MAX];	/* the CLI's stderr */
	char volume_dir[PATH_MAX];
	char volume_file[PATH_MAX];
	unsigned long long memory_bytes; /* the running container's --memory */
	pid_t cli_pid;
	int cli_status; /* the CLI's wait status once reaped, else -1 */
	/* "docker rm -f -v NAME", built in start() so stop() needs no allocation. */
	const char *rm_argv[6];
	struct host_thp thp; /* -O thp: the host kernel's, which containers share */
};

/* ---- docker_engine.c ---- */

/* The docker CLI's path, found in PATH by docker_find_cli(). */
extern char docker_cli_path[PATH_MAX];
int docker_find_cli(void);
/* DOCKER_HOST, or the default unix socket. */
const char *docker_endpoint(void);

/* The CLI with stdin, stdout and stderr on the given fds, in a process group
 * of its own (vb_spawn); env_extra ("NAME=value") is added to its
 * environment. Its pid, or -errno. */
pid_t docker_cli_spawn(const char *const *argv, const char *env_extra, int in, int out, int err);
/*
 * Runs the docker CLI (argv[0] is its path) through vb_run; its stdout
 * (trimmed) goes to out, the last line of its stderr to err. Its exit
 * status, -ETIMEDOUT (it was killed at the deadline) or -errno.
 */
int docker_cli_run(const char *const *argv, const char *env_extra, char *out, size_t outn,
		   char *err, size_t errn, int timeout_s);
#define DOCKER_CLI(out, outn, err, errn, timeout, ...)                                             \
	docker_cli_run((const char *const[]){docker_cli_path, __VA_ARGS__, NULL}, NULL, out, outn, \
		       err, errn, timeout)
/* An argv with no output and a deadline, for stop(): async-signal-safe calls only. */
void docker_cli_quiet(const char *const *argv, int timeout_ms);

/* The last non-empty line of text (trailing blanks are cut off text). */
void docker_last_line(char *text, char *line, size_t n);

/*
 * Does the engine answer on its unix socket (GET /_ping)? 0 if so; else
 * -errno (-ENOENT no socket, -ECONNREFUSED nobody listening, -EACCES
 * permission denied, -ETIMEDOUT) with a sentence naming the cause and the
 * way out in why. 1 when DOCKER_HOST is not a unix socket (the CLI decides).
 */
int docker_engine_ping(char *why, size_t n);

/* ---- docker_image.c ---- */

/* The image of this agent exists (built now if it did not). */
int docker_image_ensure(const struct platform_env *env, char *tag, size_t n, bool say_reuse);
/* Our images with another tag are stale: removed unless a container uses them. */
void docker_image_remove_old(const char *keep);

/* ---- docker_volume.c ---- */

/* work/docker-volume, made; its path and the disk file's go into d. */
int docker_volume_prepare(struct docker_priv *d, const char *work);
/* After a cell: the disk file goes, so the next cell writes its own. */
void docker_volume_clear(struct docker_priv *d);
/* At teardown: the directory goes. */
void docker_volume_remove(struct docker_priv *d);

/* ---- docker_container.c ---- */

/* "docker run" with the hardening of docker_settings_json; pipes on cmd_fd and out. */
int docker_container_spawn(struct platform *p, struct docker_priv *d);
/* Inspects the running container and points target_pid and the net-server at it. */
int docker_container_locate(struct platform *p, struct docker_priv *d);
/*
 * The link to the agent broke (or it never said hello): one error line
 * naming what died, the container (its state, exit status, OOM flag) or the
 * connection to dockerd, and the way out. what says where ("while running
 * cpu", "before its hello").
 */
void docker_container_say_why_gone(struct docker_priv *d, const char *what);
/* Containers labelled by a run of this tool on this host whose owner is gone. */
void docker_container_sweep(const struct docker_priv *d);

#endif
