/* SPDX-License-Identifier: GPL-2.0 */
/*
 * docker: the agent in a container of the local Docker Engine, reached with
 * the docker CLI (so DOCKER_HOST and contexts work as users expect).
 *
 * The image is FROM scratch with the static agent as its only file, built
 * locally and tagged vbench-trace-agent:<version>-<crc32 of the agent>, so a
 * rebuilt agent gets a new image and nothing is ever pulled. Each start()
 * runs "docker run -i --init IMAGE serve" with pipes on the CLI's stdin and
 * stdout; --init is there because the agent treats pid 1 as a guest's
 * /init. docker-init is pid 1 in the container and the agent its child:
 * target_pid is the agent's host pid (its workloads' forks are followed
 * from there), found as the child of the engine's State.Pid. No --rm: when
 * the container dies, its state (exit status, OOM flag) is still there to
 * be named; stop() removes it.
 *
 * Containers are hardened (docker_settings_json lists how): every
 * capability dropped, no-new-privileges, a pids limit and a memory limit,
 * and labelled with this tool's pid, start time and host, so a later run
 * removes the containers of a run that died (a reused pid is told apart by
 * its start time) and never those of a live one.
 *
 * Remote engines (DOCKER_HOST=tcp://..., ssh://...): the container's
 * processes are not on this host, so start() sets target_pid to 0 (the
 * runner must skip host probes for the platform, not read zeros as
 * counters), and net_bind/net_server to "" (this host's net-server is not
 * reachable from there: the runner must skip the net workload unless the
 * user gave --net-server). available() says so in its reason buffer while
 * still returning 0. A bind-mounted volume (option storage=volume) needs a
 * local engine.
 *
 * These are the driver's public and pure parts, the parsers exported for
 * tests/unit/test_docker.c and tests/fuzz/fuzz_docker.c; the driver's own
 * shared declarations are in docker_internal.h.
 */
#ifndef VB_DOCKER_H
#define VB_DOCKER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define DOCKER_REPO	    "vbench-trace-agent"
#define DOCKER_LABEL	    "vbench-trace=1"
#define DOCKER_LABEL_PID    "vbench-trace.pid"
#define DOCKER_LABEL_HOST   "vbench-trace.host"
#define DOCKER_LABEL_START  "vbench-trace.start" /* the owner's /proc/PID/stat field 22 */
#define DOCKER_DISK_LAYER   "/vbench-disk.dat"	 /* in the writable layer (overlayfs) */
#define DOCKER_VOLUME_MOUNT "/vol"
#define DOCKER_DISK_VOLUME  DOCKER_VOLUME_MOUNT "/disk.dat"

/* Hardening. The agent loads no BPF in a container and its workloads (fork,
 * O_DIRECT reads of a file it made, a TCP client) need no capability. */
#define DOCKER_PIDS_LIMIT      2048
#define DOCKER_MEMORY_HEADROOM (1ULL << 30) /* above the disk file, so page cache never limits */

struct json_object;

/* The memory limit of a container: the disk file's size plus the headroom. */
unsigned long long docker_memory_limit(unsigned long long disk_file_bytes);

/*
 * Adds "docker" to obj (the results' config): the settings every container
 * runs with, the same values docker_run_argv puts on the command line:
 * {"cap_drop": ["ALL"], "cap_add": [], "no_new_privileges": true,
 *  "pids_limit": 2048, "memory_bytes": N, "memory_swap_bytes": N,
 *  "owner_labels": [...]}
 */
void docker_settings_json(struct json_object *obj, unsigned long long disk_file_bytes);

/* "vbench-trace-agent:<version>-<hash as 8 hex>"; characters a tag cannot
 * hold become '_'. 0, or -E2BIG when buf is too small. */
int docker_image_tag(char *buf, size_t n, const char *version, unsigned long hash);

/* The HTTP status of the engine's answer to GET /_ping (its first line),
 * -EINVAL when it is not "HTTP/x.y NNN". */
int docker_ping_status(const char *resp, size_t len);

/* DOCKER_HOST names an engine on another machine (anything but unix://,
 * npipe:// or unset). */
bool docker_host_is_remote(const char *docker_host);

/* The innermost pid on the NSpid: line of /proc/PID/status text, -1 if none. */
pid_t docker_status_nspid(const char *status_text);

/* An argv for the CLI with its strings kept in one buffer. */
struct docker_argv {
	const char *argv[40];
	int argc;
	char buf[2048];
	size_t used;
};

void docker_argv_init(struct docker_argv *a, const char *cli);
/* Appends one formatted argument; -E2BIG when full (argv stays terminated). */
int docker_argv_add(struct docker_argv *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct docker_run_opts {
	const char *cli;		    /* the docker CLI's path */
	const char *image;		    /* repo:tag */
	const char *name;		    /* container name */
	const char *volume_dir;		    /* host dir bind-mounted at /vol, or NULL */
	const char *host;		    /* this host's name, for the owner label */
	pid_t owner;			    /* this tool's pid, for the owner label */
	unsigned long long owner_start;	    /* and its start time in ticks */
	unsigned long long disk_file_bytes; /* sets the memory limit */
	const char *network;		    /* -O net: "bridge" (NULL) or "host" */
};

/* "docker run -i --init --cap-drop=ALL ... IMAGE serve". */
int docker_run_argv(struct docker_argv *a, const struct docker_run_opts *o);

/* What start() needs from "docker inspect -f DOCKER_INSPECT_FMT NAME". */
#define DOCKER_INSPECT_FMT "{{.State.Pid}} {{.Id}} {{.NetworkSettings.Gateway}}"
struct docker_inspect {
	pid_t pid;
	char id[65];
	char gateway[64]; /* "" when the engine did not say */
};
/* 0, or -EINVAL when the text is not "PID ID [GATEWAY]" with PID > 0, a
 * 64-hex ID and, if present, an IPv4 gateway. */
int docker_parse_inspect(const char *text, struct docker_inspect *out);

/* "docker network inspect bridge -f DOCKER_NET_FMT": "GATEWAY,SUBNET " per
 * IPAM config. The bridge's gateway, or the subnet's first address when the
 * engine lists none (dockerd 20.10 often leaves Gateway out). */
#define DOCKER_NET_FMT "{{range .IPAM.Config}}{{.Gateway}},{{.Subnet}} {{end}}"
int docker_parse_bridge_gateway(const char *text, char *gw, size_t n);

/* Does /proc/PID/cgroup text put the process in container ID? That is how
 * start() knows the pid the engine gave is a process on this host. */
bool docker_cgroup_has_id(const char *cgroup_text, const char *id);

/* The run that made a container: pid and start time on a host. */
struct docker_owner {
	const char *host;
	pid_t pid;
	unsigned long long start; /* 0: not known */
};

/*
 * One line of "docker ps -a --filter label=vbench-trace=1 --format
 * DOCKER_PS_FMT": is that container a leftover to remove? Yes when it was
 * made on this host by self, or by a run that is gone: its pid is not
 * alive, or alive with another start time (a reused pid); or it carries no
 * owner (made by hand with the label). Never one of another live run, nor
 * one of another host sharing the engine. alive(pid, start) says whether
 * pid runs with that start time (any, when start is 0). *id gets its ID.
 */
#define DOCKER_PS_FMT                                                                          \
	"{{.ID}}\t{{.Label \"" DOCKER_LABEL_PID "\"}}\t{{.Label \"" DOCKER_LABEL_HOST "\"}}\t" \
	"{{.Label \"" DOCKER_LABEL_START "\"}}"
bool docker_leftover_is_ours(const char *line, const struct docker_owner *self,
			     bool (*alive)(pid_t pid, unsigned long long start), char *id,
			     size_t idn);

/* A container's end, from "docker inspect -f DOCKER_STATE_FMT NAME". */
#define DOCKER_STATE_FMT \
	"{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}} {{.State.Error}}"
struct docker_state {
	char status[16]; /* created, running, paused, restarting, removing, exited, dead */
	int exit_code;
	bool oom_killed;
	char error[160]; /* the engine's own words, "" if none */
};
/* 0, or -EINVAL when the text is not "STATUS CODE true|false [ERROR]". */
int docker_parse_state(const char *text, struct docker_state *out);
/* What happened to it, as the end of a sentence starting "container NAME ":
 * "was killed by the kernel's OOM killer ...", "exited with status 137
 * (SIGKILL: ...)". */
void docker_state_describe(const struct docker_state *s, char *buf, size_t n);

#endif
