/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interface for every platform, the way fio's I/O engines share one ops
 * struct: the runner never asks which platform it drives.
 *
 * A platform starts the agent (build/vbench-trace-agent) somewhere: as a
 * process here, in a container, in a guest. The runner then talks to the
 * agent through the link (frame.h): it sends "RUN <workload> <args>"
 * lines and reads one result frame for each. Between start and stop the
 * agent lives on, so the runner can reset and read host probes around every
 * run while target_pid names the host process tree to trace.
 */
#ifndef VB_PLATFORM_H
#define VB_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "frame.h"

struct json_object;

/* Where guest kernels, images and kept console logs live between runs. */
#define PLATFORM_CACHE_DIR "/var/cache/vbench-trace"

/*
 * A platform option as set on the command line ("-O NAME=VALUE", or a
 * synonym such as --disk-cache): the runner passes the list through and
 * every driver takes the ones it declares (platform_opt()).
 */
struct platform_setting {
	const char *name;
	const char *value;
};

#define PLATFORM_MAX_SETTINGS 16

/* What platforms need to know of the run; filled by the runner. Nothing in
 * it belongs to one driver: those settings are the drivers' own options. */
struct platform_env {
	const char *agent_path;		    /* the static agent binary */
	const char *work_dir;		    /* scratch space for this suite (disk files, images) */
	const char *cache_dir;		    /* kept between suites (guest kernel, images);
					     * PLATFORM_CACHE_DIR unless --cache-dir */
	bool guest_probes;		    /* the agent loads probes in a guest kernel */
	bool guest_breakdown;		    /* and the sched family: probes.guest.breakdown */
	unsigned long long disk_file_bytes; /* the disk workloads' file size */
	int net_port;			    /* the port of the net-server the runner starts */
	const struct platform_setting *settings; /* the command line's platform options */
	int nr_settings;
};

/*
 * What a driver can do, the way fio's engines declare FIO_* flags: the
 * runner and doctor ask these, never a platform's name or ops pointer.
 */
enum platform_flag {
	PLAT_BASELINE = 1u << 0,	   /* the reference others are compared with (vs_native) */
	PLAT_GUEST = 1u << 1,		   /* the agent runs under a guest kernel of its own */
	PLAT_HYPERVISOR_THREADS = 1u << 2, /* target_pid is a VMM: vCPU, I/O, main-loop threads */
	PLAT_VM_EXITS = 1u << 3, /* hardware virtualization: the kvm probes count its exits */
};

/*
 * One option (a knob) a driver declares, the way fio's engines declare their
 * options table. -O NAME=VALUE sets it for a run; run --vary NAME=V1,V2
 * runs the platform once per value, each value an entry of its own.
 */
struct platform_option {
	const char *name;	   /* as on the command line: "disk-cache" */
	const char *const *values; /* NULL-terminated; NULL for free text (a URI) */
	const char *def;	   /* the default: one of values */
	const char *help;	   /* one line for --help and doctor */
	/* Can this machine use value? 0, or -1 with why (naming the way out,
	 * not the knob or the value: every caller puts "NAME=VALUE: " before
	 * it). NULL: every value works wherever the platform does. */
	int (*supported)(const struct platform_env *env, const char *value, char *why, size_t n);
	/* The workloads a change of value can affect (NULL-terminated), e.g.
	 * docker's storage: the disk workloads; NULL: every workload. A
	 * variant runs only these. */
	const char *const *workloads;
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
	char net_ns[128];	 /* net_bind's network namespace (a path); "": ours */
	char *hello;		 /* the agent's hello frame (JSON), malloc'd */
	void *priv;		 /* the driver's own state */
};

struct platform_ops {
	const char *name;		       /* native, docker, kvm, qemu */
	unsigned int flags;		       /* enum platform_flag */
	const struct platform_option *options; /* terminated by an entry without a name */
	/*
	 * Can this machine run the platform? 0 if so; otherwise -1 with a
	 * one-line reason that names the way out ("/dev/kvm not present: no
	 * hardware virtualization").
	 */
	int (*available)(const struct platform_env *env, char *reason, size_t n);
	/*
	 * Optional, once per run before anything starts: is something about
	 * this machine going to make the platform slow or flaky? 0 when not;
	 * 1 with a one-line warning naming the fix. Drivers sharing the hook
	 * (qemu, kvm) are asked once.
	 */
	int (*preflight)(const struct platform_env *env, char *warn, size_t n);
	/*
	 * Optional: adds what the driver fixes about every target it starts
	 * (docker: how containers are confined) to the results' config, under
	 * a key named after the platform.
	 */
	void (*config_json)(const struct platform_env *env, struct json_object *config);
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

/* The option name of ops, or NULL when it declares none by that name. */
const struct platform_option *platform_option_find(const struct platform_ops *ops,
						   const char *name);
/*
 * The value of option name for a driver with these options: the last
 * setting of that name in env, else the declared default; NULL when the
 * driver declares no such option.
 */
const char *platform_option_value(const struct platform_option *options,
				  const struct platform_env *env, const char *name);
/* platform_option_value() for the driver of p. */
const char *platform_opt(const struct platform *p, const char *name);
/*
 * Checks a command-line setting against the drivers of the selected
 * platforms: some driver must declare it and the value must be one of its
 * values. 0, or -1 with why (the platforms that have it, the values).
 */
int platform_setting_check(const struct platform_setting *s, const struct platform_ops *const *sel,
			   int nr_sel, char *why, size_t n);

/*
 * Can this machine use every option value in effect for ops under env? 0,
 * or -1 with the first refusal ("net=passt: ..."), from the options'
 * supported() hooks.
 */
int platform_settings_usable(const struct platform_ops *ops, const struct platform_env *env,
			     char *why, size_t n);
/* {"NAME": "VALUE", ...}: every option of ops with its value in effect. */
struct json_object *platform_settings_json(const struct platform_ops *ops,
					   const struct platform_env *env);
/* Does a change of option o bear on workload? (o->workloads) */
bool platform_option_affects(const struct platform_option *o, const char *workload);

/* Helpers shared by drivers whose agent speaks over a pair of fds. */
int platform_link_run(struct platform *p, const char *cmdline);
int platform_link_collect(struct platform *p, char **json, int timeout_s);
/* Waits for the agent's hello frame; 0 or -errno (ETIMEDOUT, EPIPE). */
int platform_wait_hello(struct platform *p, int timeout_s);

#endif
