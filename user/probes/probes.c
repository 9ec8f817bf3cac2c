// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that opens, loads, attaches, reads and destroys the probe
 * families. Every family shares one target map and one counter array: the
 * first family that loads creates them, every later one adopts them with
 * bpf_map__reuse_fd() before its load. A family that will not load or
 * attach here is destroyed at once and named in probes_missing().
 */
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "block.skel.h"
#include "faults.skel.h"
#include "fork.skel.h"
#include "kvm.skel.h"
#include "sched.skel.h"
#include "syscalls.skel.h"

#include "probe_sched.h"
#include "probe_util.h"
#include "probes.h"
#include "util_log.h"
#include "vbench.h"

#define TRACEFS	     "/sys/kernel/tracing"
#define TOP_SYSCALLS 10

enum family { FAM_FORK, FAM_FAULTS, FAM_BLOCK, FAM_SYSCALLS, FAM_KVM, FAM_SCHED, FAM_MAX };

static const char *const family_names[FAM_MAX] = {"fork",     "faults", "block",
						  "syscalls", "kvm",	"sched"};

struct probes {
	struct fork_bpf *fork;
	struct faults_bpf *faults;
	struct block_bpf *block;
	struct syscalls_bpf *sys;
	struct kvm_bpf *kvm;
	struct sched_bpf *sched;
	struct probe_sched *sched_user; /* its sampler */
	const char *block_hook;		/* "tp_btf" or "raw_tp" */
	const char *sched_hook;
	unsigned sample_hz; /* probes_opts.sample_hz */
	bool want_sched;    /* probes_opts.sched: it will do the fork family's work if it loads */
	int stats_fd;	    /* BPF_STATS_RUN_TIME while held, or -1 */
	__u64 cost_base;    /* run_time_ns of every program at the last reset */
	int targets_fd;	    /* our own references to the shared maps */
	int slots_fd;	    /* vb_target_slots, the targets' filter */
	int counters_fd;
	int ncpu;
	char why[FAM_MAX][256]; /* why a family is missing, "" when it loaded */
	char missing[FAM_MAX * 280];
};

/* libbpf's first warning since the last reset: the likeliest cause. */
static char libbpf_first_warn[200];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(libbpf_first_warn)];
	va_list cp;

	if (level != LIBBPF_DEBUG && !libbpf_first_warn[0]) {
		va_copy(cp, ap);
		vsnprintf(line, sizeof(line), fmt, cp);
		va_end(cp);
		line[strcspn(line, "\n")] = '\0';
		snprintf(libbpf_first_warn, sizeof(libbpf_first_warn), "%s", line);
	}
	if (!vb_verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int probes_check_privileges(char *reason, size_t n)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f) {
		snprintf(reason, n, "cannot read /proc/self/status: %s", strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	/* CAP_SYS_ADMIN (21) covers everything; otherwise CAP_BPF (39) loads
	 * programs and maps and CAP_PERFMON (38) lets them trace. */
	if (eff & (1ULL << 21))
		return 0;
	if ((eff & (1ULL << 39)) && (eff & (1ULL << 38)))
		return 0;
	snprintf(reason, n,
		 "loading BPF probes needs root, or CAP_BPF and CAP_PERFMON; this process lacks %s "
		 "(run as root, or 'setcap cap_bpf,cap_perfmon+ep' on the binary)",
		 (eff & (1ULL << 39))	? "CAP_PERFMON"
		 : (eff & (1ULL << 38)) ? "CAP_BPF"
					: "CAP_BPF and CAP_PERFMON");
	return -EPERM;
}

/* Classic tracepoints are found through tracefs; a guest's init or a bare
 * container may not have mounted it. */
static void ensure_tracefs(void)
{
	struct statfs st;

	if (!statfs(TRACEFS, &st) && st.f_type == TRACEFS_MAGIC)
		return;
	if (!statfs("/sys/kernel/debug/tracing", &st) && st.f_type == TRACEFS_MAGIC)
		return;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		vb_warn("probes: cannot mount tracefs at %s (%s); families on classic tracepoints "
			"will be missing (mount it: mount -t tracefs tracefs %s)",
			TRACEFS, strerror(errno), TRACEFS);
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

/* Before load: make this object's shared maps the ones already in use. */
static int share_maps(struct probes *p, struct bpf_object *obj)
{
	struct bpf_map *t = bpf_object__find_map_by_name(obj, "vb_targets");
	struct bpf_map *s = bpf_object__find_map_by_name(obj, "vb_target_slots");
	struct bpf_map *c = bpf_object__find_map_by_name(obj, "vb_counters");
	int err;

	if (!t || !s || !c)
		return -ENOENT;
	if (p->targets_fd < 0)
		return 0;
	err = bpf_map__reuse_fd(t, p->targets_fd);
	if (!err)
		err = bpf_map__reuse_fd(s, p->slots_fd);
	if (!err)
		err = bpf_map__reuse_fd(c, p->counters_fd);
	return err;
}

/* After the first load: keep references of our own, so the shared maps
 * outlive whichever family created them. */
static int adopt_maps(struct probes *p, struct bpf_object *obj)
{
	if (p->targets_fd >= 0)
		return 0;
	p->targets_fd = fcntl(map_fd(obj, "vb_targets"), F_DUPFD_CLOEXEC, 3);
	p->slots_fd = fcntl(map_fd(obj, "vb_target_slots"), F_DUPFD_CLOEXEC, 3);
	p->counters_fd = fcntl(map_fd(obj, "vb_counters"), F_DUPFD_CLOEXEC, 3);
	if (p->targets_fd < 0 || p->slots_fd < 0 || p->counters_fd < 0)
		return -errno;
	return 0;
}

/* The open/share/load/adopt/attach sequence every family goes through; the
 * skeleton's own functions differ only in type. */
#define LOAD_FAMILY(p, skel, name, configure)               \
	({                                                  \
		int __err = 0;                              \
		(skel) = name##_bpf__open();                \
		if (!(skel))                                \
			__err = -errno;                     \
		if (!__err)                                 \
			__err = configure;                  \
		if (!__err)                                 \
			__err = share_maps(p, (skel)->obj); \
		if (!__err)                                 \
			__err = name##_bpf__load(skel);     \
		if (!__err)                                 \
			__err = adopt_maps(p, (skel)->obj); \
		if (!__err)                                 \
			__err = name##_bpf__attach(skel);   \
		if (__err) {                                \
			name##_bpf__destroy(skel);          \
			(skel) = NULL;                      \
		}                                           \
		__err;                                      \
	})

/* The number of arguments of a tracepoint as the kernel's BTF declares it
 * (the typedef btf_trace_<tp>, a pointer to a prototype whose first
 * parameter is the probe's private data), or -errno. */
static int tp_btf_nargs(const char *tp)
{
	const struct btf_type *t;
	char name[128];
	struct btf *btf;
	int id, n = -ENOENT;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -errno;
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id > 0) {
		t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
		if (t && btf_is_ptr(t))
			t = btf__type_by_id(btf, t->type);
		if (t && btf_is_func_proto(t))
			n = btf_vlen(t) - 1;
	}
	btf__free(btf);
	return n;
}

/* Kernels without the BTF typedef: block_rq_issue took (q, rq) before 5.11. */
static bool rq_issue_single_arg_by_release(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return true;
	return major > 5 || (major == 5 && minor >= 11);
}

static int block_configure(struct block_bpf *s, bool btf, int nargs)
{
	s->rodata->rq_issue_single_arg = nargs > 0 ? nargs == 1 : rq_issue_single_arg_by_release();
	probe_choose_hook(s->obj, btf);
	return 0;
}

static int syscalls_configure(struct syscalls_bpf *s)
{
	s->rodata->loader_tgid = (__u32)getpid();
	return 0;
}

/* tp_btf where the kernel's BTF describes the tracepoint, raw_tp otherwise
 * or when tp_btf will not load. */
static int load_block(struct probes *p)
{
	int nargs = tp_btf_nargs("block_rq_issue");
	const char *force = getenv("VBENCH_BLOCK_HOOK"); /* tests reach the fallback */
	int err = -ENOENT;

	if (nargs > 0 && !(force && !strcmp(force, "raw_tp"))) {
		err = LOAD_FAMILY(p, p->block, block, block_configure(p->block, true, nargs));
		p->block_hook = "tp_btf";
	}
	if (err) {
		libbpf_first_warn[0] = '\0';
		err = LOAD_FAMILY(p, p->block, block, block_configure(p->block, false, nargs));
		p->block_hook = "raw_tp";
	}
	return err;
}

/*
 * With the syscalls family loaded, sched's sys_enter counts syscalls into
 * the syscalls family's map (bpf/syscalls.bpf.h), so that the syscalls
 * family's own program can be detached once sched is attached; with the
 * fork family, sched's programs do its work (bpf/forks.bpf.h: the target
 * set through fork and exit, the clones timed into its clone_hist), and its
 * programs stay unattached.
 */
static int sched_configure(struct probes *p, bool btf, bool sampler)
{
	struct sched_bpf *s = p->sched;
	int err = probe_sched_configure(s, btf);

	if (!err && !sampler)
		bpf_program__set_autoload(s->progs.vb_sample, false);
	if (!err && p->fork) {
		err = bpf_map__reuse_fd(s->maps.clone_hist, bpf_map__fd(p->fork->maps.clone_hist));
		s->rodata->follow_forks = true;
	}
	if (!err && p->sys) {
		err = bpf_map__reuse_fd(s->maps.syscall_counts,
					bpf_map__fd(p->sys->maps.syscall_counts));
		s->rodata->count_syscalls = true;
		s->rodata->loader_tgid = (__u32)getpid();
	}
	return err;
}

/*
 * tp_btf first, raw_tp where tp_btf will not load; then the sampler. A
 * kernel that refuses the sampler's program (Debian 12's 6.1 in a guest)
 * still gets the thread states, without the fault/other split
 * ("fault_method": "none").
 */
static int load_sched(struct probes *p)
{
	const char *force = getenv("VBENCH_SCHED_HOOK"); /* tests reach the fallback */
	int err = -ENOENT;

	for (int sampler = 1; sampler >= 0 && err; sampler--) {
		if (!(force && !strcmp(force, "raw_tp"))) {
			libbpf_first_warn[0] = '\0';
			err = LOAD_FAMILY(p, p->sched, sched, sched_configure(p, true, sampler));
			p->sched_hook = "tp_btf";
		}
		if (err) {
			libbpf_first_warn[0] = '\0';
			err = LOAD_FAMILY(p, p->sched, sched, sched_configure(p, false, sampler));
			p->sched_hook = "raw_tp";
		}
	}
	if (!err)
		err = probe_sched_open(&p->sched_user, p->sched, p->sample_hz);
	if (err) {
		sched_bpf__destroy(p->sched);
		p->sched = NULL;
		return err;
	}
	if (p->sys) {
		/* sched counts syscalls now: one program fewer on every syscall */
		bpf_link__destroy(p->sys->links.vb_sys_enter);
		p->sys->links.vb_sys_enter = NULL;
	}
	return 0;
}

/* Where the sched family will load, the fork family's programs are loaded
 * but not attached: sched's own programs on the same events do their work,
 * four programs fewer on every fork. If it does not load, they are made
 * attachable again and attached by the skeleton. */
static void fork_autoattach(struct fork_bpf *f, bool on)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, f->obj)
		bpf_program__set_autoattach(prog, on);
}

static int fork_configure(struct probes *p)
{
	if (p->want_sched)
		fork_autoattach(p->fork, false);
	return 0;
}

static int load_family(struct probes *p, enum family f)
{
	switch (f) {
	case FAM_FORK:
		return LOAD_FAMILY(p, p->fork, fork, fork_configure(p));
	case FAM_FAULTS:
		return LOAD_FAMILY(p, p->faults, faults, 0);
	case FAM_BLOCK:
		return load_block(p);
	case FAM_SYSCALLS:
		return LOAD_FAMILY(p, p->sys, syscalls, syscalls_configure(p->sys));
	case FAM_KVM:
		return LOAD_FAMILY(p, p->kvm, kvm, 0);
	case FAM_SCHED:
		return load_sched(p);
	default:
		return -EINVAL;
	}
}

static void note_missing(struct probes *p, enum family f, int err)
{
	size_t len = strlen(p->missing);

	snprintf(p->why[f], sizeof(p->why[f]), "%s%s%s", strerror(-err),
		 libbpf_first_warn[0] ? ": " : "", libbpf_first_warn);
	snprintf(p->missing + len, sizeof(p->missing) - len, "%s%s: %s", len ? "; " : "",
		 family_names[f], p->why[f]);
}

int probes_open(struct probes **out, const struct probes_opts *opts)
{
	struct probes *p;
	int loaded = 0, err = 0;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->targets_fd = p->slots_fd = p->counters_fd = p->stats_fd = -1;
	p->ncpu = libbpf_num_possible_cpus();
	if (p->ncpu <= 0) {
		err = p->ncpu ? p->ncpu : -EINVAL;
		free(p);
		return err;
	}
	libbpf_set_print(libbpf_print);
	ensure_tracefs();
	p->sample_hz = opts ? opts->sample_hz : 0;
	p->want_sched = opts && opts->sched;
	for (int f = 0; f < FAM_MAX; f++) {
		if (f == FAM_KVM && !(opts && opts->kvm))
			continue;
		if (f == FAM_SCHED && !(opts && opts->sched))
			continue;
		libbpf_first_warn[0] = '\0';
		err = load_family(p, f);
		if (err)
			note_missing(p, f, err);
		else
			loaded++;
	}
	if (p->fork && !p->sched) {
		/* no sched family to do its work: the fork family's own programs */
		int e;

		fork_autoattach(p->fork, true);
		e = fork_bpf__attach(p->fork);
		if (e)
			vb_warn("probes: the fork family's programs did not attach (%s); children "
				"are not followed",
				strerror(-e));
	}
	if (!loaded) {
		vb_err("probes: no probe family loaded (%s)", p->missing);
		probes_close(p);
		return err ? err : -ENOENT;
	}
	if (p->missing[0])
		vb_warn("probes: left out %s", p->missing);
	if (p->sched && opts->run_time_stats)
		probes_time_programs(p, true);
	*out = p;
	return 0;
}

/* The probes' own cost, for the breakdown: the kernel times every program
 * run while this descriptor is open (every program on the machine). */
int probes_time_programs(struct probes *p, bool on)
{
	if (!p)
		return -EINVAL;
	if (on && p->stats_fd < 0 && p->sched) {
		p->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (p->stats_fd < 0)
			return p->stats_fd;
	} else if (!on && p->stats_fd >= 0) {
		close(p->stats_fd);
		p->stats_fd = -1;
	}
	return 0;
}

const char *probes_missing(const struct probes *p)
{
	return p ? p->missing : "all";
}

/* The filter's slot first (targets.bpf.h): pinned, so that no child's
 * exit lowers it to zero while tgid is a target. */
static int probes_add_target(struct probes *p, pid_t tgid)
{
	__u32 key = tgid, slot = key & (VB_TARGET_SLOTS - 1), pinned = VB_SLOT_PINNED;
	__u8 one = 1;

	if (!p || p->targets_fd < 0)
		return -EINVAL;
	if (bpf_map_update_elem(p->slots_fd, &slot, &pinned, BPF_ANY) ||
	    bpf_map_update_elem(p->targets_fd, &key, &one, BPF_ANY))
		return -errno;
	return 0;
}

/* Every slot of the filter to zero: nobody is a target. */
static int clear_target_slots(struct probes *p)
{
	__u32 zero = 0;

	for (__u32 i = 0; i < VB_TARGET_SLOTS; i++)
		if (bpf_map_update_elem(p->slots_fd, &i, &zero, BPF_ANY))
			return -errno;
	return 0;
}

int probes_set_target(struct probes *p, pid_t tgid)
{
	int err;

	if (!p || p->targets_fd < 0)
		return -EINVAL;
	err = probe_clear_map(p->targets_fd, sizeof(__u32));
	if (!err)
		err = clear_target_slots(p);
	/* The sched family takes a thread's entry for its target check: the
	 * old targets' threads must have none. */
	if (!err && p->sched)
		err = probe_clear_map(bpf_map__fd(p->sched->maps.sched_threads), sizeof(__u32));
	if (err)
		return err;
	probe_sched_set_root(p->sched_user, tgid);
	return probes_add_target(p, tgid);
}

void probes_group_roles(struct probes *p, bool on)
{
	if (p)
		probe_sched_set_roles(p->sched_user, p->sched, on);
}

void probes_keep_maps(struct probes *p)
{
	if (p)
		probe_sched_keep_maps(p->sched_user);
}

static size_t percpu_size(const struct probes *p, size_t value_size)
{
	return (size_t)p->ncpu * ((value_size + 7) & ~(size_t)7);
}

/* Zeroes the first n entries of a per-CPU array. */
static int zero_percpu_array(struct probes *p, int fd, __u32 n, size_t value_size)
{
	void *zero = calloc(1, percpu_size(p, value_size));
	int err = 0;

	if (!zero)
		return -ENOMEM;
	for (__u32 i = 0; i < n && !err; i++)
		if (bpf_map_update_elem(fd, &i, zero, BPF_ANY))
			err = -errno;
	free(zero);
	return err;
}

static __u64 object_run_time(struct bpf_object *obj)
{
	struct bpf_program *prog;
	__u64 ns = 0;

	if (!obj)
		return 0;
	bpf_object__for_each_program (prog, obj) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			ns += info.run_time_ns;
	}
	return ns;
}

/* BPF run time of every program of every family, since it loaded. */
static __u64 run_time_ns(const struct probes *p)
{
	return object_run_time(p->fork ? p->fork->obj : NULL) +
	       object_run_time(p->faults ? p->faults->obj : NULL) +
	       object_run_time(p->block ? p->block->obj : NULL) +
	       object_run_time(p->sys ? p->sys->obj : NULL) +
	       object_run_time(p->kvm ? p->kvm->obj : NULL) +
	       object_run_time(p->sched ? p->sched->obj : NULL);
}

int probes_reset(struct probes *p)
{
	int err;

	if (!p)
		return -EINVAL;
	err = zero_percpu_array(p, p->counters_fd, VB_CNT_MAX, sizeof(__u64));
	if (!err && p->fork)
		err = zero_percpu_array(p, bpf_map__fd(p->fork->maps.clone_hist), 1,
					sizeof(struct vb_hist));
	if (!err && p->sys)
		err = zero_percpu_array(p, bpf_map__fd(p->sys->maps.syscall_counts),
					VB_MAX_SYSCALLS, sizeof(__u64));
	if (!err && p->block)
		err = probe_clear_map(bpf_map__fd(p->block->maps.blk_stats),
				      sizeof(struct vb_blk_key));
	if (!err && p->kvm)
		err = probe_clear_map(bpf_map__fd(p->kvm->maps.kvm_stats),
				      sizeof(struct vb_kvm_key));
	/* Where each vCPU thread is (in or out of the guest) starts again with
	 * its next exit or entry; threads of an earlier window leave no entry. */
	if (!err && p->kvm)
		err = probe_clear_map(bpf_map__fd(p->kvm->maps.kvm_pending), sizeof(__u32));
	if (!err && p->kvm)
		err = zero_percpu_array(p, bpf_map__fd(p->kvm->maps.kvm_guest), 1,
					sizeof(struct vb_kvm_guest));
	if (!err && p->sched)
		err = probe_sched_reset(p->sched_user, p->sched, p->ncpu);
	p->cost_base = run_time_ns(p);
	return err;
}

/* Reads one per-CPU value into buf (percpu_size bytes); -errno if absent. */
static int lookup_percpu(int fd, const void *key, void *buf)
{
	return bpf_map_lookup_elem(fd, key, buf) ? -errno : 0;
}

static void read_counters(struct probes *p, __u64 *out)
{
	__u64 *buf = calloc(p->ncpu, sizeof(__u64));

	memset(out, 0, VB_CNT_MAX * sizeof(*out));
	if (!buf)
		return;
	for (__u32 i = 0; i < VB_CNT_MAX; i++) {
		if (lookup_percpu(p->counters_fd, &i, buf))
			continue;
		for (int c = 0; c < p->ncpu; c++)
			out[i] += buf[c];
	}
	free(buf);
}

static void add_int(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static struct json_object *clone_latency_json(struct probes *p)
{
	struct vb_hist *buf = calloc(p->ncpu, sizeof(*buf));
	__u64 slots[VB_HIST_SLOTS] = {0};
	struct json_object *o;
	__u32 zero = 0;

	if (buf && !lookup_percpu(bpf_map__fd(p->fork->maps.clone_hist), &zero, buf))
		for (int c = 0; c < p->ncpu; c++)
			for (int s = 0; s < VB_HIST_SLOTS; s++)
				slots[s] += buf[c].slots[s];
	free(buf);
	o = vb_hist_json(slots, VB_HIST_SLOTS);
	return o;
}

static struct json_object *syscalls_json(struct probes *p)
{
	__u64 counts[VB_MAX_SYSCALLS] = {0};
	size_t idx[TOP_SYSCALLS], got;
	__u64 *buf = calloc(p->ncpu, sizeof(__u64));
	int fd = bpf_map__fd(p->sys->maps.syscall_counts);
	struct json_object *o, *top;
	__u64 total = 0;

	for (__u32 i = 0; buf && i < VB_MAX_SYSCALLS; i++) {
		if (lookup_percpu(fd, &i, buf))
			continue;
		for (int c = 0; c < p->ncpu; c++)
			counts[i] += buf[c];
		total += counts[i];
	}
	free(buf);
	o = json_object_new_object();
	top = json_object_new_object();
	got = vb_top_indexes(counts, VB_MAX_SYSCALLS, idx, TOP_SYSCALLS);
	for (size_t i = 0; i < got; i++) {
		const char *name = vb_syscall_name(idx[i]);
		char nr[32];

		if (idx[i] == VB_MAX_SYSCALLS - 1)
			name = "other";
		if (!name) {
			snprintf(nr, sizeof(nr), "nr_%zu", idx[i]);
			name = nr;
		}
		add_int(top, name, counts[idx[i]]);
	}
	add_int(o, "total", total);
	json_object_object_add(o, "top", top);
	return o;
}

/* Sums of block stats over a set of keys. */
struct blk_sum {
	__u64 requests[VB_BLK_DIRS];
	__u64 bytes[VB_BLK_DIRS];
	__u64 slots[VB_BLK_DIRS][VB_HIST_SLOTS];
};

struct blk_entry {
	struct vb_blk_key key;
	struct vb_blk_stats st; /* summed over CPUs */
};

static int read_blk_entries(struct probes *p, struct blk_entry *out, int max)
{
	int fd = bpf_map__fd(p->block->maps.blk_stats), n = 0;
	struct vb_blk_stats *buf = calloc(p->ncpu, sizeof(*buf));
	struct vb_blk_key key, prev;
	bool first = true;

	while (buf && n < max && !bpf_map_get_next_key(fd, first ? NULL : &prev, &key)) {
		struct blk_entry *e = &out[n];

		first = false;
		prev = key;
		if (lookup_percpu(fd, &key, buf))
			continue;
		memset(e, 0, sizeof(*e));
		e->key = key;
		for (int c = 0; c < p->ncpu; c++) {
			e->st.requests += buf[c].requests;
			e->st.bytes += buf[c].bytes;
			for (int s = 0; s < VB_HIST_SLOTS; s++)
				e->st.slots[s] += buf[c].slots[s];
		}
		n++;
	}
	free(buf);
	return n;
}

static void blk_add(struct blk_sum *sum, const struct blk_entry *e)
{
	int d = e->key.dir < VB_BLK_DIRS ? e->key.dir : VB_BLK_OTHER;

	sum->requests[d] += e->st.requests;
	sum->bytes[d] += e->st.bytes;
	for (int s = 0; s < VB_HIST_SLOTS; s++)
		sum->slots[d][s] += e->st.slots[s];
}

static struct json_object *blk_dir_json(const struct blk_sum *sum, int d)
{
	struct json_object *o = vb_hist_json(sum->slots[d], VB_HIST_SLOTS);

	add_int(o, "requests", sum->requests[d]);
	add_int(o, "bytes", sum->bytes[d]);
	return o;
}

static struct json_object *blk_sum_json(const struct blk_sum *sum, const char *scope)
{
	__u64 all[VB_HIST_SLOTS] = {0}, requests = 0, bytes = 0;
	struct json_object *o, *h;

	for (int d = 0; d < VB_BLK_DIRS; d++) {
		requests += sum->requests[d];
		bytes += sum->bytes[d];
		for (int s = 0; s < VB_HIST_SLOTS; s++)
			all[s] += sum->slots[d][s];
	}
	o = json_object_new_object();
	json_object_object_add(o, "scope", json_object_new_string(scope));
	add_int(o, "requests", requests);
	add_int(o, "reads", sum->requests[VB_BLK_READ]);
	add_int(o, "writes", sum->requests[VB_BLK_WRITE]);
	add_int(o, "other", sum->requests[VB_BLK_OTHER]);
	add_int(o, "bytes", bytes);
	h = vb_hist_json(all, VB_HIST_SLOTS);
	json_object_object_foreach (h, k, v)
		json_object_object_add(o, k, json_object_get(v));
	json_object_put(h);
	json_object_object_add(o, "read", blk_dir_json(sum, VB_BLK_READ));
	json_object_object_add(o, "write", blk_dir_json(sum, VB_BLK_WRITE));
	return o;
}

/* "vda" for the kernel dev_t of /dev/vda, or "MAJ:MIN". */
static void dev_name(__u32 dev, char *buf, size_t n)
{
	char path[64], target[256];
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", dev >> 20, dev & 0xfffff);
	len = readlink(path, target, sizeof(target) - 1);
	if (len <= 0) {
		snprintf(buf, n, "%u:%u", dev >> 20, dev & 0xfffff);
		return;
	}
	target[len] = '\0';
	snprintf(buf, n, "%.63s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
}

static bool dev_attributed(const struct blk_entry *e, int n, __u32 dev)
{
	for (int i = 0; i < n; i++)
		if (e[i].key.dev == dev && e[i].key.scope == VB_BLK_ATTRIBUTED && e[i].st.requests)
			return true;
	return false;
}

static void add_dev_name(struct json_object *names, __u32 dev)
{
	char name[64];

	dev_name(dev, name, sizeof(name));
	for (size_t j = 0; j < json_object_array_length(names); j++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(names, j)), name))
			return;
	json_object_array_add(names, json_object_new_string(name));
}

/* The top-level figures are the target's own requests ("attributed");
 * "device" holds every request on the devices the target used, whoever
 * issued them. */
static struct json_object *block_json(struct probes *p)
{
	struct blk_entry *e = calloc(VB_MAX_BLK_KEYS, sizeof(*e));
	struct blk_sum *att = calloc(1, sizeof(*att)), *dev = calloc(1, sizeof(*dev));
	struct json_object *o = NULL, *d, *names;
	int n;

	if (!e || !att || !dev)
		goto out;
	n = read_blk_entries(p, e, VB_MAX_BLK_KEYS);
	names = json_object_new_array();
	for (int i = 0; i < n; i++) {
		if (e[i].key.scope == VB_BLK_ATTRIBUTED) {
			blk_add(att, &e[i]);
		} else if (dev_attributed(e, n, e[i].key.dev)) {
			blk_add(dev, &e[i]);
			add_dev_name(names, e[i].key.dev);
		}
	}
	o = blk_sum_json(att, "attributed");
	json_object_object_add(o, "hook", json_object_new_string(p->block_hook));
	d = blk_sum_json(dev, "device");
	json_object_object_add(d, "devices", names);
	json_object_object_add(o, "device", d);
out:
	free(e);
	free(att);
	free(dev);
	return o;
}

struct kvm_row {
	char name[64];
	const char *isa;
	struct vb_kvm_stats st;
};

static int kvm_row_cmp(const void *a, const void *b)
{
	const struct kvm_row *x = a, *y = b;

	return x->st.count < y->st.count ? 1 : x->st.count > y->st.count ? -1 : 0;
}

static int read_kvm_rows(struct probes *p, struct kvm_row *rows, int max)
{
	int fd = bpf_map__fd(p->kvm->maps.kvm_stats), n = 0;
	struct vb_kvm_stats *buf = calloc(p->ncpu, sizeof(*buf));
	struct vb_kvm_key key, prev;
	bool first = true;

	while (buf && n < max && !bpf_map_get_next_key(fd, first ? NULL : &prev, &key)) {
		struct kvm_row *r = &rows[n];

		first = false;
		prev = key;
		if (lookup_percpu(fd, &key, buf))
			continue;
		memset(r, 0, sizeof(*r));
		vb_kvm_reason_name(key.isa, key.reason, r->name, sizeof(r->name));
		r->isa = key.isa == VB_KVM_ISA_VMX   ? "vmx"
			 : key.isa == VB_KVM_ISA_SVM ? "svm"
						     : "?";
		for (int c = 0; c < p->ncpu; c++) {
			if (!buf[c].count)
				continue;
			if (!r->st.count || buf[c].min_ns < r->st.min_ns)
				r->st.min_ns = buf[c].min_ns;
			if (buf[c].max_ns > r->st.max_ns)
				r->st.max_ns = buf[c].max_ns;
			r->st.count += buf[c].count;
			r->st.total_ns += buf[c].total_ns;
		}
		if (r->st.count)
			n++;
	}
	free(buf);
	return n;
}

/* The vCPU threads' time in guest mode, summed over CPUs. */
static struct vb_kvm_guest read_kvm_guest(struct probes *p)
{
	struct vb_kvm_guest sum = {0}, *buf = calloc(p->ncpu, sizeof(*buf));
	__u32 zero = 0;

	if (buf && !lookup_percpu(bpf_map__fd(p->kvm->maps.kvm_guest), &zero, buf))
		for (int c = 0; c < p->ncpu; c++) {
			sum.ns += buf[c].ns;
			sum.stretches += buf[c].stretches;
		}
	free(buf);
	return sum;
}

/* Laid out like `perf kvm stat report`: samples, their share, the share
 * of time spent handling them, and min/avg/max handling time; beside it
 * the time in guest mode, the rest of the vCPU threads' time in KVM_RUN. */
static struct json_object *vm_exits_json(struct probes *p)
{
	struct vb_kvm_guest guest = read_kvm_guest(p);
	struct kvm_row *rows = calloc(VB_MAX_KVM_KEYS, sizeof(*rows));
	struct json_object *o, *by, *table;
	__u64 total = 0, total_ns = 0;
	int n;

	if (!rows)
		return NULL;
	n = read_kvm_rows(p, rows, VB_MAX_KVM_KEYS);
	qsort(rows, n, sizeof(rows[0]), kvm_row_cmp);
	for (int i = 0; i < n; i++) {
		total += rows[i].st.count;
		total_ns += rows[i].st.total_ns;
	}
	o = json_object_new_object();
	by = json_object_new_object();
	table = json_object_new_array();
	for (int i = 0; i < n; i++) {
		const struct vb_kvm_stats *s = &rows[i].st;
		struct json_object *r = json_object_new_object(), *prev;
		__u64 sum = s->count;

		if (json_object_object_get_ex(by, rows[i].name, &prev))
			sum += json_object_get_uint64(prev);
		add_int(by, rows[i].name, sum);
		json_object_object_add(r, "reason", json_object_new_string(rows[i].name));
		json_object_object_add(r, "isa", json_object_new_string(rows[i].isa));
		add_int(r, "samples", s->count);
		json_object_object_add(r, "samples_pct",
				       json_object_new_double(100.0 * s->count / total));
		json_object_object_add(
			r, "time_pct",
			json_object_new_double(total_ns ? 100.0 * s->total_ns / total_ns : 0));
		json_object_object_add(r, "min_us", json_object_new_double(s->min_ns / 1e3));
		json_object_object_add(r, "avg_us",
				       json_object_new_double(s->total_ns / 1e3 / s->count));
		json_object_object_add(r, "max_us", json_object_new_double(s->max_ns / 1e3));
		json_object_array_add(table, r);
	}
	free(rows);
	add_int(o, "total", total);
	json_object_object_add(o, "time_us", json_object_new_double(total_ns / 1e3));
	json_object_object_add(o, "guest_mode_us", json_object_new_double(guest.ns / 1e3));
	add_int(o, "guest_mode_stretches", guest.stretches);
	if (guest.ns + total_ns)
		json_object_object_add(
			o, "guest_mode_share",
			json_object_new_double((double)guest.ns / (double)(guest.ns + total_ns)));
	json_object_object_add(o, "by_reason", by);
	json_object_object_add(o, "table", table);
	return o;
}

static struct json_object *overflow_json(const __u64 *cnt)
{
	struct json_object *o = json_object_new_object();

	add_int(o, "targets", cnt[VB_CNT_TARGETS_OVERFLOW]);
	add_int(o, "clone", cnt[VB_CNT_CLONE_OVERFLOW]);
	add_int(o, "block", cnt[VB_CNT_BLOCK_OVERFLOW]);
	add_int(o, "kvm", cnt[VB_CNT_KVM_OVERFLOW]);
	add_int(o, "sched", cnt[VB_CNT_SCHED_OVERFLOW]);
	return o;
}

static struct json_object *missing_json(const struct probes *p)
{
	struct json_object *o = json_object_new_object();

	for (int f = 0; f < FAM_MAX; f++)
		if (p->why[f][0])
			json_object_object_add(o, family_names[f],
					       json_object_new_string(p->why[f]));
	return o;
}

/* Ours, or the administrator's (sysctl kernel.bpf_stats_enabled). */
static bool stats_on(const struct probes *p)
{
	char c = '0';
	FILE *f;

	if (p->stats_fd >= 0)
		return true;
	f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
	if (!f)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = '0';
	fclose(f);
	return c == '1';
}

struct json_object *probes_snapshot(struct probes *p)
{
	__u64 cnt[VB_CNT_MAX];
	struct json_object *o;

	if (!p)
		return NULL;
	read_counters(p, cnt);
	o = json_object_new_object();
	if (p->faults) {
		add_int(o, "page_faults_user", cnt[VB_CNT_PF_USER]);
		add_int(o, "page_faults_kernel", cnt[VB_CNT_PF_KERNEL]);
		add_int(o, "page_faults_kernel_kaddr", cnt[VB_CNT_PF_KERNEL_KADDR]);
	}
	if (p->fork) {
		add_int(o, "forks", cnt[VB_CNT_FORKS]);
		add_int(o, "threads", cnt[VB_CNT_THREADS]);
		add_int(o, "exits", cnt[VB_CNT_EXITS]);
		add_int(o, "clone_syscalls", cnt[VB_CNT_CLONE_SYSCALLS]);
		json_object_object_add(o, "clone_latency", clone_latency_json(p));
	}
	if (p->block)
		json_object_object_add(o, "block", block_json(p));
	if (p->kvm)
		json_object_object_add(o, "vm_exits", vm_exits_json(p));
	if (p->sys)
		json_object_object_add(o, "syscalls", syscalls_json(p));
	if (p->sched) {
		int64_t cost = stats_on(p) ? (int64_t)(run_time_ns(p) - p->cost_base) : -1;
		struct json_object *b = probe_sched_snapshot(p->sched_user, p->sched, p->ncpu,
							     cnt[VB_CNT_SCHED_OVERFLOW], cost);

		if (b)
			json_object_object_add(b, "hook", json_object_new_string(p->sched_hook));
		json_object_object_add(o, "breakdown", b);
	}
	json_object_object_add(o, "overflow", overflow_json(cnt));
	json_object_object_add(o, "missing", missing_json(p));
	return o;
}

void probes_close(struct probes *p)
{
	if (!p)
		return;
	probe_sched_close(p->sched_user);
	sched_bpf__destroy(p->sched);
	kvm_bpf__destroy(p->kvm);
	syscalls_bpf__destroy(p->sys);
	block_bpf__destroy(p->block);
	faults_bpf__destroy(p->faults);
	fork_bpf__destroy(p->fork);
	if (p->targets_fd >= 0)
		close(p->targets_fd);
	if (p->slots_fd >= 0)
		close(p->slots_fd);
	if (p->counters_fd >= 0)
		close(p->counters_fd);
	if (p->stats_fd >= 0)
		close(p->stats_fd);
	free(p);
}
