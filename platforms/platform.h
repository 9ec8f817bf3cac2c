/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interface for every platform, the way fio's I/O engines share one ops
 * struct: the runner never asks which platform it drives.
 *
 * A platform starts the agent (build/vbench-trace-agent) somewhere: as a
 * process here, in a container, in a guest. The runner then talks to the
 * agent through the link (util_frame.h): it sends "RUN <workload> <args>"
 * lines and reads one result frame for each. Between start and stop the
 * agent lives on, so the runner can reset and read host probes around every
 * run while target_pid names the host process tree to trace.
 */
#ifndef VB_PLATFORM_H
#define VB_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util_frame.h"

/* What platforms need to know of the run; filled by the runner. */
struct platform_env {
	const char *agent_path;	 /* the static agent binary */
	const char *work_dir;	 /* scratch space for this suite (disk files, images) */
	const char *cache_dir;	 /* kept between suites (guest kernel, images) */
	const char *libvirt_uri; /* default qemu:///system */
	const char *disk_cache;	 /* libvirt disk cache mode, default "none" */
	bool docker_volume;	 /* disk file on a bind mount instead of the writable layer */
	bool quick;		 /* the short profile: smaller disk files, shorter runs */
	bool guest_probes;	 /* the agent loads probes in a guest kernel */
	unsigned long long disk_file_bytes; /* the disk workloads' file size */
	int net_port;			    /* the port of the net-server the runner starts */
};

struct platform {
	const struct platform_ops *ops;
	const struct platform_env *env;
	/* Set by start(): */
	pid_t target_pid;	 /* root of the host process tree the host probes follow */
	int cmd_fd;		 /* commands to the agent */
	struct frame_reader out; /* frames from the agent */
	char disk_file[256];	 /* where the disk workloads put their file, as the agent sees it */
	char net_server[128];	 /* HOST:PORT of the net-server, as the agent sees it */
	char net_bind[64];	 /* host address the runner's net-server must listen on */
	char *hello;		 /* the agent's hello frame (JSON), malloc'd */
	void *priv;		 /* the driver's own state */
};

struct platform_ops {
	const char *name; /* native, docker, kvm, qemu */
	/*
	 * Can this machine run the platform? 0 if so; otherwise -1 with a
	 * one-line reason that names the way out ("/dev/kvm not present: no
	 * hardware virtualization").
	 */
	int (*available)(const struct platform_env *env, char *reason, size_t n);
	/* Once per suite: build images, fetch a kernel, make disk images. */
	int (*prepare)(struct platform *p);
	/* Start the agent and wait for its hello; fills target_pid, cmd_fd, out. */
	int (*start)(struct platform *p);
	/* Send one command line (no newline) to the agent. */
	int (*run)(struct platform *p, const char *cmdline);
	/* Wait for the result frame of the last command; *json is malloc'd. */
	int (*collect)(struct platform *p, char **json, int timeout_s);
	/* Stop the agent (container, domain, process); safe to call twice. */
	void (*stop)(struct platform *p);
	/* Undo prepare. */
	void (*teardown)(struct platform *p);
};

extern const struct platform_ops native_ops, docker_ops, qemu_ops, kvm_ops;

/* All platforms, in report order: native, docker, kvm, qemu. */
extern const struct platform_ops *const platform_table[];
extern const int nr_platforms;
const struct platform_ops *platform_find(const char *name);

/* Helpers shared by drivers whose agent speaks over a pair of fds. */
int platform_link_run(struct platform *p, const char *cmdline);
int platform_link_collect(struct platform *p, char **json, int timeout_s);
/* Waits for the agent's hello frame; 0 or -errno (ETIMEDOUT, EPIPE). */
int platform_wait_hello(struct platform *p, int timeout_s);

#endif
