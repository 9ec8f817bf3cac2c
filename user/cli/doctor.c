// SPDX-License-Identifier: GPL-2.0
/*
 * vbench-trace doctor: what works on this machine and how to fix what does
 * not, the way `bpftool feature probe` tells what a kernel supports. Each
 * check is one line; --json gives the same as one object.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "commands.h"
#include "host_thp.h"
#include "platform.h"
#include "probes.h"
#include "util_log.h"
#include "util_sys.h"

#define DISK_DIR "/var/tmp"
/* The disk workloads' file plus a guest image, with room. */
#define DISK_NEED_GIB 2.0
#define TRACEFS_MAGIC 0x74726163 /* linux/magic.h */

/* Every tracepoint some probe family attaches to (docs/architecture.md, "3. Probes attach"). */
static const char *const tracepoints[] = {
	"exceptions/page_fault_user",
	"exceptions/page_fault_kernel",
	"syscalls/sys_enter_clone",
	"syscalls/sys_enter_clone3",
	"syscalls/sys_enter_fork",
	"syscalls/sys_enter_vfork",
	"sched/sched_process_fork",
	"sched/sched_process_exit",
	"block/block_rq_issue",
	"block/block_rq_complete",
	"kvm/kvm_exit",
	"kvm/kvm_entry",
	"raw_syscalls/sys_enter",
	/* the sched family (thread states): trace's breakdown */
	"raw_syscalls/sys_exit",
	"sched/sched_switch",
	"sched/sched_wakeup",
	"sched/sched_wakeup_new",
};

static const char *const peers[] = {"sysbench", "fio", "iperf3", "stress-ng"};

struct doctor {
	struct json_object *checks;
	bool json;
};

static void check(struct doctor *d, const char *name, bool ready, const char *detail,
		  const char *fix)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "ready", json_object_new_boolean(ready));
	json_object_object_add(c, "detail", json_object_new_string(detail));
	if (!ready && fix)
		json_object_object_add(c, "fix", json_object_new_string(fix));
	json_object_array_add(d->checks, c);
	if (d->json)
		return;
	printf("  %-7s %-40s %s\n", ready ? "ready" : "MISSING", name, detail);
	/* A platform's own reason already names its way out: no need to say it twice. */
	if (!ready && fix && strcmp(fix, detail))
		printf("  %-7s %-40s fix: %s\n", "", "", fix);
}

static bool in_path(const char *prog, char *found, size_t n)
{
	const char *path = getenv("PATH");
	char dirs[4096], *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(found, n, "%s/%s", dir, prog);
		if (!access(found, X_OK))
			return true;
	}
	return false;
}

static void check_btf(struct doctor *d)
{
	bool ok = !access("/sys/kernel/btf/vmlinux", R_OK);

	check(d, "BTF", ok,
	      ok ? "/sys/kernel/btf/vmlinux present: CO-RE probes can load"
		 : "/sys/kernel/btf/vmlinux missing: the kernel was built without BTF",
	      "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian's stock kernels are)");
}

static void check_bpf(struct doctor *d)
{
	char reason[256] = "";
	int err = probes_check_privileges(reason, sizeof(reason));

	check(d, "BPF privileges", !err, err ? reason : "this process may load BPF programs",
	      "run as root (or grant CAP_BPF and CAP_PERFMON), or use 'run --no-trace'");
}

/* Is tracefs mounted at dir (its events readable or not)? */
static bool tracefs_mounted(const char *dir)
{
	struct statfs st;

	return !statfs(dir, &st) && st.f_type == TRACEFS_MAGIC;
}

/*
 * The events directory of tracefs, mounting tracefs when it is not. A
 * tracefs mounted but closed to us (mode 0700) is said as such: mounting
 * again would not help.
 */
static const char *tracefs_events(struct doctor *d)
{
	static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	static const char *const dirs[] = {"/sys/kernel/tracing/events",
					   "/sys/kernel/debug/tracing/events"};
	char detail[384];
	struct stat st;

	for (size_t i = 0; i < 2; i++)
		if (!access(dirs[i], R_OK)) {
			snprintf(detail, sizeof(detail), "mounted (%s)", roots[i]);
			check(d, "tracefs", true, detail, NULL);
			return dirs[i];
		}
	for (size_t i = 0; i < 2; i++)
		if (tracefs_mounted(roots[i])) {
			snprintf(detail, sizeof(detail),
				 "mounted at %s but this user cannot read it (mode %03o)", roots[i],
				 stat(roots[i], &st) ? 0 : st.st_mode & 0777);
			check(d, "tracefs", false, detail,
			      "run as root, or as root: mount -o remount,mode=755 "
			      "/sys/kernel/tracing");
			return NULL;
		}
	if (!mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) &&
	    !access(dirs[0], R_OK)) {
		check(d, "tracefs", true, "was not mounted; mounted it at /sys/kernel/tracing",
		      NULL);
		return dirs[0];
	}
	snprintf(detail, sizeof(detail), "not mounted, and mounting it failed: %s",
		 strerror(errno));
	check(d, "tracefs", false, detail, "as root: mount -t tracefs tracefs /sys/kernel/tracing");
	return NULL;
}

static void check_tracepoints(struct doctor *d)
{
	const char *events = tracefs_events(d);
	char name[96], path[PATH_MAX], detail[PATH_MAX + 32];

	for (size_t i = 0; i < sizeof(tracepoints) / sizeof(tracepoints[0]); i++) {
		bool ok, kvm = !strncmp(tracepoints[i], "kvm/", 4);

		snprintf(name, sizeof(name), "tracepoint %s", tracepoints[i]);
		if (!events) {
			check(d, name, false, "tracefs is not readable here",
			      "see the tracefs line above");
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", events, tracepoints[i]);
		ok = !access(path, F_OK);
		snprintf(detail, sizeof(detail), "%s %s", path, ok ? "exists" : "is missing");
		check(d, name, ok, detail,
		      kvm ? "KVM is not built into this kernel: the kvm platform's VM-exit counts "
			    "need CONFIG_KVM"
			  : "this kernel lacks the tracepoint (an older or trimmed kernel): the "
			    "counters of its family stay empty");
	}
}

static void check_kvm(struct doctor *d)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	char detail[256];

	if (fd >= 0) {
		close(fd);
		check(d, "/dev/kvm", true,
		      "present and opens (whether guests boot on it: the kvm platform line)", NULL);
		return;
	}
	snprintf(detail, sizeof(detail), "/dev/kvm: %s", strerror(errno));
	check(d, "/dev/kvm", false, detail,
	      "enable VT-x/AMD-V (nested virtualization on a cloud VM) and load kvm_intel or "
	      "kvm_amd; without it the kvm platform is skipped and qemu (TCG) still runs");
}

/* The environment the runner would give the drivers, with its defaults. */
static void default_env(struct platform_env *env, char *agent, size_t n)
{
	vb_agent_path(agent, n);
	memset(env, 0, sizeof(*env));
	env->agent_path = agent;
	env->work_dir = DISK_DIR;
	env->cache_dir = PLATFORM_CACHE_DIR;
	env->guest_probes = true;
}

/* One option's values as doctor found them: usable here, or not and why. */
struct option_check {
	struct json_object *supported, *unsupported; /* ["v"], {"v": "why"} */
	char here[256], not_here[256];		     /* "host always", "never" */
	bool all, def_ok;
};

static void append_word(char *buf, size_t n, const char *word)
{
	size_t len = strlen(buf);

	snprintf(buf + len, n - len, "%s%s", len ? " " : "", word);
}

static void option_probe(const struct platform_env *env, const struct platform_option *o,
			 struct option_check *oc)
{
	char why[512];

	memset(oc, 0, sizeof(*oc));
	oc->supported = json_object_new_array();
	oc->unsupported = json_object_new_object();
	oc->all = oc->def_ok = true;
	for (const char *const *v = o->values; v && *v; v++) {
		bool here = !o->supported || !o->supported(env, *v, why, sizeof(why));

		append_word(here ? oc->here : oc->not_here, sizeof(oc->here), *v);
		if (here)
			json_object_array_add(oc->supported, json_object_new_string(*v));
		else
			json_object_object_add(oc->unsupported, *v, json_object_new_string(why));
		oc->all &= here;
		if (!strcmp(*v, o->def))
			oc->def_ok = here;
	}
}

/* "why" lines under the option's, one per distinct reason, naming its values. */
static void print_reasons(const struct option_check *oc)
{
	struct json_object_iterator it = json_object_iter_begin(oc->unsupported);
	struct json_object_iterator end = json_object_iter_end(oc->unsupported);

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *why = json_object_get_string(json_object_iter_peek_value(&it));
		struct json_object_iterator prev = json_object_iter_begin(oc->unsupported);
		char values[256] = "";
		size_t len;
		bool said = false;

		for (; !json_object_iter_equal(&prev, &it); json_object_iter_next(&prev))
			said |= !strcmp(json_object_get_string(json_object_iter_peek_value(&prev)),
					why);
		if (said)
			continue;
		for (struct json_object_iterator o = it; !json_object_iter_equal(&o, &end);
		     json_object_iter_next(&o))
			if (!strcmp(json_object_get_string(json_object_iter_peek_value(&o)), why)) {
				len = strlen(values);
				snprintf(values + len, sizeof(values) - len, "%s%s",
					 len ? ", " : "", json_object_iter_peek_name(&o));
			}
		printf("  %-7s %-40s %s: %s\n", "", "", values, why);
	}
}

/*
 * One check per option a driver declares: its default, the values this
 * machine takes and, for the others, why not (the driver's supported()).
 * "ready" when every value works here, "partly" when the default does.
 */
static void check_options(struct doctor *d, const struct platform_env *env,
			  const struct platform_ops *ops)
{
	char name[96], detail[768];

	for (const struct platform_option *o = ops->options; o && o->name; o++) {
		struct json_object *c = json_object_new_object(), *opt = json_object_new_object();
		struct option_check oc;

		option_probe(env, o, &oc);
		snprintf(name, sizeof(name), "option %s -O %s", ops->name, o->name);
		if (!o->values)
			snprintf(detail, sizeof(detail), "default %s; any value", o->def);
		else
			snprintf(detail, sizeof(detail), "default %s; here: %s%s%s", o->def,
				 *oc.here ? oc.here : "none", *oc.not_here ? "; not here: " : "",
				 oc.not_here);
		json_object_object_add(c, "name", json_object_new_string(name));
		json_object_object_add(c, "ready", json_object_new_boolean(oc.all));
		json_object_object_add(c, "detail", json_object_new_string(detail));
		if (!oc.all)
			json_object_object_add(
				c, "fix",
				json_object_new_string("see option.unsupported: each "
						       "value's reason names its way "
						       "out"));
		json_object_object_add(opt, "platform", json_object_new_string(ops->name));
		json_object_object_add(opt, "name", json_object_new_string(o->name));
		json_object_object_add(opt, "default", json_object_new_string(o->def));
		json_object_object_add(opt, "help", json_object_new_string(o->help));
		json_object_object_add(opt, "supported", oc.supported);
		json_object_object_add(opt, "unsupported", oc.unsupported);
		json_object_object_add(c, "option", opt);
		json_object_array_add(d->checks, c);
		if (d->json)
			continue;
		printf("  %-7s %-40s %s\n",
		       oc.all	   ? "ready"
		       : oc.def_ok ? "partly"
				   : "MISSING",
		       name, detail);
		printf("  %-7s %-40s %s\n", "", "", o->help);
		print_reasons(&oc);
	}
}

/* Each distinct preflight hook once, for the available platforms that share it. */
static void check_preflight(struct doctor *d, const struct platform_env *env, const bool *avail)
{
	char name[96], warn[512];

	for (int i = 0; i < nr_platforms; i++) {
		const struct platform_ops *ops = platform_table[i];
		bool asked = false;
		int slow;

		for (int j = 0; j < i; j++)
			asked |= avail[j] && platform_table[j]->preflight == ops->preflight;
		if (!ops->preflight || !avail[i] || asked)
			continue;
		snprintf(name, sizeof(name), "preflight %s", ops->name);
		for (int j = i + 1; j < nr_platforms; j++)
			if (avail[j] && platform_table[j]->preflight == ops->preflight) {
				size_t len = strlen(name);

				snprintf(name + len, sizeof(name) - len, ",%s",
					 platform_table[j]->name);
			}
		slow = ops->preflight(env, warn, sizeof(warn)) > 0;
		check(d, name, !slow, slow ? warn : "nothing here makes it slow", warn);
	}
}

/*
 * The host's transparent huge pages (what thp=host measures), and a state
 * file of the thp knob: held by a live run, or left by a dead one that the
 * next run puts back. Read only: doctor changes nothing here.
 */
static void check_host_thp(struct doctor *d, const char *cache_dir)
{
	struct json_object *conf = json_object_new_object(), *o, *v;
	char detail[512], fix[512], mode[16], now[16] = "?", defrag[32] = "?";
	bool alive = false;
	int pid = 0, err;

	host_thp_config_json(conf, NULL);
	if (json_object_object_get_ex(conf, "host_thp", &o)) {
		if (json_object_object_get_ex(o, "enabled", &v))
			snprintf(now, sizeof(now), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(o, "defrag", &v))
			snprintf(defrag, sizeof(defrag), "%s", json_object_get_string(v));
	}
	json_object_put(conf);
	if (!strcmp(now, "?")) {
		check(d, "host THP", true,
		      HOST_THP_ENABLED " is missing: no transparent huge pages (thp takes only "
				       "host)",
		      NULL);
		return;
	}
	err = host_thp_state_read(cache_dir, &pid, &alive, mode, sizeof(mode));
	snprintf(detail, sizeof(detail), "enabled %s, defrag %s", now, defrag);
	if (err == -ENOENT) {
		check(d, "host THP", true, detail, NULL);
		return;
	}
	if (err) {
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
			 "; %s/%s is not a state file of this tool", cache_dir, HOST_THP_STATE);
		snprintf(fix, sizeof(fix),
			 "put the host's mode back by hand (echo madvise > %s, or what it had) and "
			 "remove %s/%s",
			 HOST_THP_ENABLED, cache_dir, HOST_THP_STATE);
		check(d, "host THP", false, detail, fix);
		return;
	}
	snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
		 alive ? "; set by the run of pid %d, which puts back '%s' when it ends"
		       : "; left set by a run that is gone (pid %d): the host had '%s'",
		 pid, mode);
	snprintf(fix, sizeof(fix),
		 "the next 'vbench-trace run' puts '%s' back, or as root: echo %s > %s; rm %s/%s",
		 mode, mode, HOST_THP_ENABLED, cache_dir, HOST_THP_STATE);
	check(d, "host THP", alive, detail, fix);
}

/* 0 when the baseline (native) works: the exit status follows it. */
static int check_platforms(struct doctor *d)
{
	struct platform_env env;
	char agent[PATH_MAX], name[64], reason[512];
	bool avail[16] = {false};
	int baseline = -1;

	default_env(&env, agent, sizeof(agent));
	for (int i = 0; i < nr_platforms; i++) {
		const struct platform_ops *ops = platform_table[i];
		int err;

		reason[0] = '\0';
		err = ops->available ? ops->available(&env, reason, sizeof(reason)) : -1;
		if (!ops->available)
			snprintf(reason, sizeof(reason), "the driver has no availability check");
		snprintf(name, sizeof(name), "platform %s", ops->name);
		check(d, name, !err, err ? reason : "available", reason);
		if (ops->flags & PLAT_BASELINE)
			baseline = err;
		avail[i] = !err && i < 16;
		check_options(d, &env, ops);
	}
	check_preflight(d, &env, avail);
	check_host_thp(d, env.cache_dir);
	return baseline;
}

static void check_program(struct doctor *d, const char *prog, const char *what, const char *pkg)
{
	char found[PATH_MAX], detail[PATH_MAX + 64], name[64], fix[128];
	bool ok = in_path(prog, found, sizeof(found));

	snprintf(name, sizeof(name), "%s %s", what, prog);
	snprintf(detail, sizeof(detail), "%s", ok ? found : "not in PATH");
	snprintf(fix, sizeof(fix), "apt-get install %s (or: make setup)", pkg);
	check(d, name, ok, detail, fix);
}

/* A cached guest kernel: any vmlinuz* up to two levels under the cache. */
static bool find_vmlinuz(const char *dir, int depth, char *found, size_t n)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	bool ok = false;

	if (!dp)
		return false;
	while (!ok && (e = readdir(dp))) {
		char path[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!strncmp(e->d_name, "vmlinuz", 7)) {
			snprintf(found, n, "%s", path);
			ok = true;
		} else if (depth > 0 && e->d_type == DT_DIR) {
			ok = find_vmlinuz(path, depth - 1, found, n);
		}
	}
	closedir(dp);
	return ok;
}

static void check_guest_kernel(struct doctor *d)
{
	char found[PATH_MAX], detail[PATH_MAX + 32];
	bool ok = find_vmlinuz(PLATFORM_CACHE_DIR, 3, found, sizeof(found));

	snprintf(detail, sizeof(detail), ok ? "cached: %s" : "no guest kernel in %s yet",
		 ok ? found : PLATFORM_CACHE_DIR);
	check(d, "guest kernel cache", ok, detail,
	      "the first qemu or kvm run fetches Debian's linux-image package with apt-get "
	      "download (needs the Debian mirror)");
}

static void check_disk_space(struct doctor *d)
{
	struct statvfs st;
	char detail[128];
	double gib;

	if (statvfs(DISK_DIR, &st)) {
		snprintf(detail, sizeof(detail), "%s: %s", DISK_DIR, strerror(errno));
		check(d, "disk space", false, detail, "create " DISK_DIR);
		return;
	}
	gib = (double)st.f_bavail * (double)st.f_frsize / (1024.0 * 1024 * 1024);
	snprintf(detail, sizeof(detail),
		 "%.1f GiB free in %s (the disk workloads need about %.0f GiB)", gib, DISK_DIR,
		 DISK_NEED_GIB);
	check(d, "disk space", gib >= DISK_NEED_GIB, detail,
	      "free space in " DISK_DIR ", or use 'run --quick' (smaller files)");
}

static void doctor_usage(FILE *out)
{
	fprintf(out, "usage: vbench-trace doctor [--json]\n\n"
		     "Checks what vbench-trace needs on this machine (BTF, BPF privileges,\n"
		     "tracepoints, /dev/kvm, each platform, QEMU, the guest kernel cache, disk\n"
		     "space, peer tools) and says how to fix what is missing. Exits 0 when the\n"
		     "native platform works, 1 otherwise.\n");
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct doctor d = {.checks = json_object_new_array()};
	int c, native;

	optind = 1;
	opterr = 0; /* one line of ours, not getopt's and then the whole usage */
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			d.json = true;
			break;
		case 'h':
			doctor_usage(stdout);
			json_object_put(d.checks);
			return VB_EXIT_OK;
		default:
			vb_err("doctor: unknown option '%s' (see 'vbench-trace doctor --help')",
			       argv[optind - 1]);
			json_object_put(d.checks);
			return VB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		vb_err("doctor: unexpected argument '%s' (see 'vbench-trace doctor --help')",
		       argv[optind]);
		json_object_put(d.checks);
		return VB_EXIT_USAGE;
	}
	if (!d.json)
		printf("vbench-trace doctor: what works on this machine\n\n");
	check_btf(&d);
	check_bpf(&d);
	check_tracepoints(&d);
	check_kvm(&d);
	native = check_platforms(&d);
	check_program(&d, "qemu-system-x86_64", "program", "qemu-system-x86");
	check_guest_kernel(&d);
	check_disk_space(&d);
	for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++)
		check_program(&d, peers[i], "peer", peers[i]);
	if (d.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "native_ready", json_object_new_boolean(!native));
		json_object_object_add(o, "checks", d.checks);
		printf("%s\n",
		       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("\n%s\n", native ? "native does not work here: fix it first (see above)"
					: "native works; the lines above say what the other "
					  "platforms need");
		json_object_put(d.checks);
	}
	return native ? VB_EXIT_FAILED : VB_EXIT_OK;
}
