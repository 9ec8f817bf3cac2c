// SPDX-License-Identifier: GPL-2.0
/*
 * The sched family's user half (see probe_sched.h and bpf/sched.bpf.c):
 * the cpu-clock sampler, window reset, reading the maps, and the
 * breakdown object laid out as shared/DESIGN.md names it.
 */
#include <errno.h>
#include <json.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probe_regions.h"
#include "probe_sched.h"
#include "util_sys.h"
#include "probe_util.h"
#include "sched.skel.h"

#define SAMPLE_HZ                                                                      \
	99	      /* as perf record -F 99: off the beat of the timer tick; in      \
		       * this VM each sample costs tens of us, so 999 Hz took 4 % of a \
		       * CPU-bound score (make bench), 99 Hz under 1 % */
#define TOP_THREAD 32 /* live threads listed one by one */

struct probe_sched {
	struct bpf_link **links;
	int *fds;
	int n;
	unsigned hz;
	bool roles;
	pid_t root;	 /* the target's root: whose maps a gone process's samples are read with */
	char *root_maps; /* its maps as last kept (probe_sched_keep_maps) */
};

void probe_sched_set_root(struct probe_sched *ps, pid_t root)
{
	if (!ps)
		return;
	ps->root = root;
	free(ps->root_maps);
	ps->root_maps = NULL;
}

void probe_sched_keep_maps(struct probe_sched *ps)
{
	char *text;

	if (!ps || ps->root <= 0 || !ps->hz)
		return;
	text = probe_maps_read_text(ps->root);
	if (!text)
		return;
	free(ps->root_maps);
	ps->root_maps = text;
}

static const char *const state_names[VB_ST_MAX] = {
	"user",		"kernel_syscall",  "kernel_fault",
	"kernel_other", "runnable_wakeup", "runnable_preempt",
	"blocked_io",	"sleep",	   "steal",
};

static const char *const reason_names[VB_SLEEP_MAX] = {
	"futex", "poll", "pipe", "socket", "read", "nanosleep", "wait4", "other",
};

static const char *const sample_names[VB_SMP_MAX] = {
	"user", "kernel_fault", "kernel_other", "kernel_syscall", "kernel_syscall_fault",
};

const char *probe_sched_state_name(int state)
{
	return state >= 0 && state < VB_ST_MAX ? state_names[state] : "?";
}

const char *probe_sched_reason_name(int reason)
{
	return reason >= 0 && reason < VB_SLEEP_MAX ? reason_names[reason] : "?";
}

static const char *const role_names[VB_ROLE_MAX] = {"vcpu", "io", "main_loop", "other"};

const char *probe_sched_role_name(int role)
{
	return role >= 0 && role < VB_ROLE_MAX ? role_names[role] : "?";
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

enum probe_sched_role probe_sched_role_of(const struct probe_sched_row *row)
{
	const char *c = row->comm;

	/* QEMU names a vCPU thread "CPU %d/%s" with the accelerator's name;
	 * single-threaded TCG runs every vCPU in one "ALL CPUs/TCG". */
	if ((has_prefix(c, "CPU ") || has_prefix(c, "ALL CPUs")) && strchr(c, '/'))
		return VB_ROLE_VCPU;
	if (has_prefix(c, "worker") || has_prefix(c, "IO ") || has_prefix(c, "iothread") ||
	    has_prefix(c, "vhost"))
		return VB_ROLE_IO;
	if (row->tid && row->tid == row->tgid)
		return VB_ROLE_MAIN_LOOP;
	return VB_ROLE_OTHER;
}

static void add_acc(struct probe_sched_row *row, const struct vb_sched_acc *acc)
{
	for (int i = 0; i < VB_ST_MAX; i++)
		row->ns[i] += acc->ns[i];
	for (int i = 0; i < VB_SLEEP_MAX; i++)
		row->sleep_ns[i] += acc->sleep_ns[i];
	for (int i = 0; i < VB_SMP_MAX; i++)
		row->samples[i] += acc->samples[i];
}

void probe_sched_row_from_thread(const struct vb_sched_thread *t, __u64 now,
				 struct probe_sched_row *row)
{
	memset(row, 0, sizeof(*row));
	memcpy(row->comm, t->comm, sizeof(row->comm));
	row->comm[VB_COMM_LEN - 1] = '\0';
	row->tid = 0; /* the caller knows the key */
	row->tgid = t->tgid;
	row->threads = 1;
	add_acc(row, &t->acc);
	row->wall_ns = now > t->start_ns ? now - t->start_ns : 0;
	if (now > t->ts && t->state < VB_ST_MAX) {
		row->ns[t->state] += now - t->ts;
		if (t->state == VB_ST_SLEEP && t->sleep_reason < VB_SLEEP_MAX)
			row->sleep_ns[t->sleep_reason] += now - t->ts;
	}
}

void probe_sched_row_from_exited(const struct vb_sched_comm *key, const struct vb_sched_acc *acc,
				 struct probe_sched_row *row)
{
	memset(row, 0, sizeof(*row));
	memcpy(row->comm, key->comm, sizeof(row->comm));
	row->comm[VB_COMM_LEN - 1] = '\0';
	row->threads = acc->threads;
	row->wall_ns = acc->wall_ns;
	add_acc(row, acc);
}

/* The steal out of the on-CPU states it was counted in, in proportion:
 * the hypervisor takes the CPU whatever the thread was doing. */
static void take_out_steal(struct probe_sched_row *row)
{
	__u64 run = row->ns[VB_ST_USER] + row->ns[VB_ST_SYSCALL];
	__u64 steal = row->ns[VB_ST_STEAL] < run ? row->ns[VB_ST_STEAL] : run, of_user;

	row->ns[VB_ST_STEAL] = steal;
	if (!steal)
		return;
	of_user = (__u64)((double)steal * row->ns[VB_ST_USER] / run);
	if (of_user > row->ns[VB_ST_USER])
		of_user = row->ns[VB_ST_USER];
	if (steal - of_user > row->ns[VB_ST_SYSCALL])
		of_user = steal - row->ns[VB_ST_SYSCALL];
	row->ns[VB_ST_USER] -= of_user;
	row->ns[VB_ST_SYSCALL] -= steal - of_user;
}

void probe_sched_split_oncpu(struct probe_sched_row *row)
{
	__u64 u = row->samples[VB_SMP_USER], f = row->samples[VB_SMP_FAULT];
	__u64 k = row->samples[VB_SMP_KOTHER], oncpu;
	__u64 fault, other;

	take_out_steal(row);
	oncpu = row->ns[VB_ST_USER];

	if (!(u + f + k))
		return;
	fault = (__u64)((double)oncpu * f / (u + f + k));
	other = (__u64)((double)oncpu * k / (u + f + k));
	if (fault + other > oncpu)
		other = oncpu - fault;
	row->ns[VB_ST_FAULT] += fault;
	row->ns[VB_ST_KOTHER] += other;
	row->ns[VB_ST_USER] = oncpu - fault - other;
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

/* states_ns as DESIGN.md names them: the two runnable states as one. */
static struct json_object *states_json(const __u64 *ns)
{
	struct json_object *o = json_object_new_object();

	add_u64(o, "user", ns[VB_ST_USER]);
	add_u64(o, "kernel_syscall", ns[VB_ST_SYSCALL]);
	add_u64(o, "kernel_fault", ns[VB_ST_FAULT]);
	add_u64(o, "kernel_other", ns[VB_ST_KOTHER]);
	add_u64(o, "steal", ns[VB_ST_STEAL]);
	add_u64(o, "runnable", ns[VB_ST_RUN_WAKEUP] + ns[VB_ST_RUN_PREEMPT]);
	add_u64(o, "blocked_io", ns[VB_ST_BLOCKED_IO]);
	add_u64(o, "sleep", ns[VB_ST_SLEEP]);
	return o;
}

static __u64 states_sum(const __u64 *ns)
{
	__u64 s = 0;

	for (int i = 0; i < VB_ST_MAX; i++)
		s += ns[i];
	return s;
}

static struct json_object *row_json(const struct probe_sched_row *r, bool thread)
{
	struct json_object *o = json_object_new_object(), *smp;

	json_object_object_add(o, "comm", json_object_new_string(r->comm));
	if (thread) {
		add_u64(o, "tid", r->tid);
		add_u64(o, "tgid", r->tgid);
	} else {
		add_u64(o, "threads", r->threads);
	}
	add_u64(o, "wall_ns", r->wall_ns);
	json_object_object_add(o, "states_ns", states_json(r->ns));
	smp = json_object_new_object();
	add_u64(smp, "user", r->samples[VB_SMP_USER]);
	add_u64(smp, "kernel",
		r->samples[VB_SMP_FAULT] + r->samples[VB_SMP_KOTHER] + r->samples[VB_SMP_SYSCALL]);
	json_object_object_add(o, "samples", smp);
	return o;
}

static struct json_object *syscalls_ns_json(const __u64 *ns)
{
	size_t idx[VB_MAX_SYSCALLS],
		got = vb_top_indexes(ns, VB_MAX_SYSCALLS, idx, VB_MAX_SYSCALLS);
	struct json_object *o = json_object_new_object();
	char nr[32];

	for (size_t i = 0; i < got; i++) {
		const char *name = vb_syscall_name(idx[i]);

		if (idx[i] == VB_MAX_SYSCALLS - 1)
			name = "other";
		if (!name) {
			snprintf(nr, sizeof(nr), "nr_%zu", idx[i]);
			name = nr;
		}
		add_u64(o, name, ns[idx[i]]);
	}
	return o;
}

/* Rows of the same comm as one: the per-comm table. */
static struct json_object *by_comm_json(const struct probe_sched_view *v)
{
	struct json_object *a = json_object_new_array();
	bool *done = calloc(v->n ? v->n : 1, sizeof(*done));

	for (size_t i = 0; done && i < v->n; i++) {
		struct probe_sched_row sum = v->rows[i];

		if (done[i])
			continue;
		for (size_t j = i + 1; j < v->n; j++) {
			if (done[j] || strcmp(v->rows[j].comm, sum.comm))
				continue;
			done[j] = true;
			sum.threads += v->rows[j].threads;
			sum.wall_ns += v->rows[j].wall_ns;
			for (int s = 0; s < VB_ST_MAX; s++)
				sum.ns[s] += v->rows[j].ns[s];
		}
		json_object_array_add(a, row_json(&sum, false));
	}
	free(done);
	return a;
}

static int row_wall_cmp(const void *a, const void *b)
{
	const struct probe_sched_row *x = *(const struct probe_sched_row *const *)a;
	const struct probe_sched_row *y = *(const struct probe_sched_row *const *)b;

	return x->wall_ns < y->wall_ns	 ? 1
	       : x->wall_ns > y->wall_ns ? -1
					 : (int)x->tid - (int)y->tid;
}

/* The live threads, longest wall time first, at most TOP_THREAD. */
static struct json_object *by_thread_json(const struct probe_sched_view *v)
{
	const struct probe_sched_row **live = calloc(v->n ? v->n : 1, sizeof(*live));
	struct json_object *a = json_object_new_array();
	size_t n = 0;

	for (size_t i = 0; live && i < v->n; i++)
		if (v->rows[i].tid)
			live[n++] = &v->rows[i];
	if (live)
		qsort(live, n, sizeof(*live), row_wall_cmp);
	for (size_t i = 0; i < n && i < TOP_THREAD; i++)
		json_object_array_add(a, row_json(live[i], true));
	free(live);
	return a;
}

static struct json_object *samples_json(const struct probe_sched_view *v, const __u64 *smp)
{
	struct json_object *o = json_object_new_object(), *by = json_object_new_object();
	__u64 total = 0;

	for (int i = 0; i < VB_SMP_MAX; i++) {
		add_u64(by, sample_names[i], smp[i]);
		if (i != VB_SMP_SYSCALL_FAULT)
			total += smp[i];
	}
	add_u64(o, "hz", v->sample_hz);
	add_u64(o, "total", total);
	json_object_object_add(o, "by_state", by);
	return o;
}

static void row_add(struct probe_sched_row *sum, const struct probe_sched_row *r)
{
	sum->threads += r->threads;
	sum->wall_ns += r->wall_ns;
	for (int s = 0; s < VB_ST_MAX; s++)
		sum->ns[s] += r->ns[s];
	for (int s = 0; s < VB_SLEEP_MAX; s++)
		sum->sleep_ns[s] += r->sleep_ns[s];
	for (int s = 0; s < VB_SMP_MAX; s++)
		sum->samples[s] += r->samples[s];
}

/* Sums of every row: threads, wall, states, sleeps, samples. */
static void view_totals(const struct probe_sched_view *v, struct probe_sched_row *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < v->n; i++)
		row_add(t, &v->rows[i]);
}

/* The sum of the rows of one role. */
static void role_sum(const struct probe_sched_view *v, enum probe_sched_role role,
		     struct probe_sched_row *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < v->n; i++)
		if (probe_sched_role_of(&v->rows[i]) == role)
			row_add(sum, &v->rows[i]);
}

/* The VMM's threads by role, each with the breakdown's own accounting; the
 * main loop's syscalls by name too. */
static struct json_object *roles_json(const struct probe_sched_view *v)
{
	struct json_object *o = json_object_new_object();

	for (int r = 0; r < VB_ROLE_MAX; r++) {
		struct json_object *e = json_object_new_object();
		struct probe_sched_row sum;

		role_sum(v, (enum probe_sched_role)r, &sum);
		add_u64(e, "threads", sum.threads);
		add_u64(e, "wall_ns", sum.wall_ns);
		json_object_object_add(e, "states_ns", states_json(sum.ns));
		json_object_object_add(e, "samples", samples_json(v, sum.samples));
		if (r == VB_ROLE_MAIN_LOOP && v->main_syscall_ns)
			json_object_object_add(e, "syscalls_ns",
					       syscalls_ns_json(v->main_syscall_ns));
		json_object_object_add(o, role_names[r], e);
	}
	return o;
}

bool probe_sched_is_net_syscall(const char *name)
{
	static const char *const names[] = {
		"sendto", "recvfrom",	"sendmsg",    "recvmsg",    "sendmmsg",	   "recvmmsg",
		"socket", "socketpair", "connect",    "accept",	    "accept4",	   "bind",
		"listen", "shutdown",	"setsockopt", "getsockopt", "getsockname", "getpeername",
	};

	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

struct json_object *probe_sched_net_backend_json(const struct probe_sched_view *v,
						 const struct probe_sched_row *main_loop,
						 uint64_t net_samples, bool sampled)
{
	struct json_object *o = json_object_new_object(), *smp = json_object_new_object();
	uint64_t sys = 0, tap = 0, user = 0, on_cpu = 0;
	uint64_t user_samples = main_loop->samples[VB_SMP_USER];

	for (uint32_t i = 0; v->main_syscall_ns && i < VB_MAX_SYSCALLS - 1; i++)
		if (probe_sched_is_net_syscall(vb_syscall_name(i)))
			sys += v->main_syscall_ns[i];
	for (uint32_t i = 0; v->tap_syscall_ns && i < VB_MAX_SYSCALLS; i++)
		tap += v->tap_syscall_ns[i];
	sys += tap;
	if (user_samples && net_samples <= user_samples)
		user = (uint64_t)((double)main_loop->ns[VB_ST_USER] * (double)net_samples /
				  (double)user_samples);
	for (int s = VB_ST_USER; s <= VB_ST_KOTHER; s++)
		on_cpu += main_loop->ns[s];
	add_u64(o, "ns", sys + user);
	add_u64(o, "syscall_ns", sys);
	add_u64(o, "tap_ns", tap);
	add_u64(o, "user_ns", user);
	add_u64(o, "on_cpu_ns", on_cpu);
	json_object_object_add(o, "share_of_on_cpu",
			       json_object_new_double(on_cpu ? (double)(sys + user) / on_cpu : 0));
	add_u64(smp, "network", net_samples);
	add_u64(smp, "user", user_samples);
	json_object_object_add(o, "samples", smp);
	json_object_object_add(
		o, "method",
		json_object_new_string(sampled ? "network syscalls + user samples in network code"
					       : "network syscalls"));
	return o;
}

struct json_object *probe_sched_json(const struct probe_sched_view *v)
{
	struct json_object *o = json_object_new_object(), *x;
	struct probe_sched_row t;

	view_totals(v, &t);
	add_u64(o, "wall_ns", t.wall_ns);
	add_u64(o, "threads", t.threads);
	json_object_object_add(o, "states_ns", states_json(t.ns));
	json_object_object_add(
		o, "coverage",
		json_object_new_double(t.wall_ns ? (double)states_sum(t.ns) / t.wall_ns : 0));
	x = json_object_new_object();
	add_u64(x, "after_wakeup", t.ns[VB_ST_RUN_WAKEUP]);
	add_u64(x, "after_preemption", t.ns[VB_ST_RUN_PREEMPT]);
	json_object_object_add(o, "runnable_ns", x);
	if (v->syscall_ns)
		json_object_object_add(o, "syscalls_ns", syscalls_ns_json(v->syscall_ns));
	x = json_object_new_object();
	for (int i = 0; i < VB_SLEEP_MAX; i++)
		add_u64(x, reason_names[i], t.sleep_ns[i]);
	json_object_object_add(o, "sleep_ns_by_reason", x);
	json_object_object_add(o, "samples", samples_json(v, t.samples));
	json_object_object_add(o, "fault_method",
			       json_object_new_string(v->fault_method ? v->fault_method : "none"));
	if (v->probe_cost_ns >= 0)
		add_u64(o, "probe_cost_ns", (uint64_t)v->probe_cost_ns);
	add_u64(o, "lost_threads", v->lost);
	if (v->roles)
		json_object_object_add(o, "roles", roles_json(v));
	json_object_object_add(o, "by_comm", by_comm_json(v));
	json_object_object_add(o, "by_thread", by_thread_json(v));
	return o;
}

int probe_sched_add_per_op(struct json_object *breakdown, uint64_t ops)
{
	struct json_object *states, *per;

	if (!ops || !json_object_object_get_ex(breakdown, "states_ns", &states) ||
	    !json_object_is_type(states, json_type_object))
		return -EINVAL;
	per = json_object_new_object();
	json_object_object_foreach (states, k, val)
		json_object_object_add(
			per, k, json_object_new_double((double)json_object_get_uint64(val) / ops));
	json_object_object_add(breakdown, "per_op_ns", per);
	add_u64(breakdown, "ops", ops);
	return 0;
}

static void side_per_op(struct json_object *side, uint64_t ops)
{
	struct json_object *bd;

	if (side && json_object_object_get_ex(side, "breakdown", &bd))
		probe_sched_add_per_op(bd, ops);
}

void probe_sched_add_run_per_op(struct json_object *host, struct json_object *result)
{
	struct json_object *ops, *guest = NULL;

	if (!json_object_object_get_ex(result, "ops", &ops) || json_object_get_int64(ops) <= 0)
		return;
	json_object_object_get_ex(result, "probes_guest", &guest);
	side_per_op(host, json_object_get_uint64(ops));
	side_per_op(guest, json_object_get_uint64(ops));
}

/* --- the BPF side ---------------------------------------------------- */

/* [lo, hi) of a kernel text symbol: its address and the next symbol's
 * (kallsyms is not sorted, so the smallest address above it). */
static int ksym_range(const char *name, __u64 *lo, __u64 *hi)
{
	unsigned long long addr, next = ~0ULL, want = 0;
	char line[512], sym[256], type;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 && !strcmp(sym, name)) {
			want = addr;
			break;
		}
	rewind(f);
	while (want && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c", &addr, &type) == 2 && addr > want && addr < next)
			next = addr;
	fclose(f);
	if (!want || next == ~0ULL)
		return -ENOENT; /* absent, or addresses hidden (kptr_restrict) */
	*lo = want;
	*hi = next;
	return 0;
}

int probe_sched_configure(struct sched_bpf *s, bool btf)
{
	/* The C entry of the page-fault exception: since 5.8, and before. */
	static const char *const fault_syms[] = {"exc_page_fault", "do_page_fault"};
	__u64 lo = 0, hi = 0;

	for (size_t i = 0; i < sizeof(fault_syms) / sizeof(fault_syms[0]); i++) {
		if (ksym_range(fault_syms[i], &lo, &hi))
			continue;
		s->rodata->fault_lo = lo;
		s->rodata->fault_hi = hi;
		break;
	}
	probe_choose_hook(s->obj, btf);
	return 0;
}

static int open_cpu_clock(int cpu, unsigned hz)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1000000000ULL / hz, /* cpu-clock counts ns */
	};

	return syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* One cpu-clock event per CPU, each running vb_sample. */
static int start_sampler(struct probe_sched *ps, struct sched_bpf *s, unsigned hz)
{
	int ncpu = libbpf_num_possible_cpus();

	if (ncpu <= 0)
		return -EINVAL;
	ps->links = calloc(ncpu, sizeof(*ps->links));
	ps->fds = calloc(ncpu, sizeof(*ps->fds));
	if (!ps->links || !ps->fds)
		return -ENOMEM;
	for (int cpu = 0; cpu < ncpu; cpu++) {
		int fd = open_cpu_clock(cpu, hz);

		if (fd < 0) {
			if (errno == ENODEV)
				continue; /* a possible CPU that is offline */
			return -errno;
		}
		ps->fds[ps->n] = fd;
		ps->links[ps->n] = bpf_program__attach_perf_event(s->progs.vb_sample, fd);
		if (!ps->links[ps->n]) {
			close(fd);
			return -errno;
		}
		ps->n++;
	}
	ps->hz = ps->n ? hz : 0;
	return ps->n ? 0 : -ENODEV;
}

static void stop_sampler(struct probe_sched *ps)
{
	for (int i = 0; i < ps->n; i++) {
		bpf_link__destroy(ps->links[i]);
		close(ps->fds[i]);
	}
	free(ps->links);
	free(ps->fds);
	ps->links = NULL;
	ps->fds = NULL;
	ps->n = 0;
	ps->hz = 0;
}

int probe_sched_open(struct probe_sched **out, struct sched_bpf *s, unsigned hz)
{
	struct probe_sched *ps = calloc(1, sizeof(*ps));

	*out = ps;
	if (!ps)
		return -ENOMEM;
	if (!s->rodata->fault_hi)
		return 0; /* no fault entry to look for: the samples would split nothing */
	if (bpf_program__fd(s->progs.vb_sample) < 0)
		return 0; /* this kernel refused the sampler (probes.c loaded the rest) */
	if (start_sampler(ps, s, hz ? hz : SAMPLE_HZ))
		stop_sampler(ps);
	return 0;
}

void probe_sched_set_roles(struct probe_sched *ps, struct sched_bpf *s, bool on)
{
	if (ps)
		ps->roles = on;
	if (s)
		s->bss->vmm_target = on;
}

int probe_sched_reset(struct probe_sched *ps, struct sched_bpf *s, int ncpu)
{
	__u64 *zero = calloc(ncpu, sizeof(__u64));
	int fd = bpf_map__fd(s->maps.sched_syscall_ns), err = 0;

	(void)ps;
	if (!zero)
		return -ENOMEM;
	for (__u32 i = 0; !err && i < VB_SYS_SLICES * VB_MAX_SYSCALLS; i++)
		if (bpf_map_update_elem(fd, &i, zero, BPF_ANY))
			err = -errno;
	free(zero);
	/* The window starts when the maps are clean; the threads seen while
	 * they were being cleared go too, so every entry starts at or after it. */
	s->bss->window_start_ns = vb_now_ns();
	if (!err)
		err = probe_clear_map(bpf_map__fd(s->maps.sched_threads), sizeof(__u32));
	if (!err)
		err = probe_clear_map(bpf_map__fd(s->maps.sched_exited),
				      sizeof(struct vb_sched_comm));
	if (!err)
		err = probe_clear_map(bpf_map__fd(s->maps.sched_ips), sizeof(struct vb_sched_ip));
	s->bss->ips_lost = 0;
	s->bss->switch_repairs = 0;
	return err;
}

/* Appends the live threads' rows, closed at now. */
static size_t read_threads(struct sched_bpf *s, struct probe_sched_row *rows, size_t max, __u64 now)
{
	int fd = bpf_map__fd(s->maps.sched_threads);
	struct vb_sched_thread t;
	__u32 key, prev;
	size_t n = 0;
	bool first = true;

	while (n < max && !bpf_map_get_next_key(fd, first ? NULL : &prev, &key)) {
		first = false;
		prev = key;
		if (bpf_map_lookup_elem(fd, &key, &t))
			continue;
		probe_sched_row_from_thread(&t, now, &rows[n]);
		rows[n++].tid = key;
	}
	return n;
}

/* Appends the exited threads' rows, one per comm, summed over CPUs. */
static size_t read_exited(struct sched_bpf *s, int ncpu, struct probe_sched_row *rows, size_t max)
{
	int fd = bpf_map__fd(s->maps.sched_exited);
	struct vb_sched_acc *buf = calloc(ncpu, sizeof(*buf)), sum;
	struct vb_sched_comm key, prev;
	size_t n = 0;
	bool first = true;

	while (buf && n < max && !bpf_map_get_next_key(fd, first ? NULL : &prev, &key)) {
		first = false;
		prev = key;
		if (bpf_map_lookup_elem(fd, &key, buf))
			continue;
		memset(&sum, 0, sizeof(sum));
		for (int c = 0; c < ncpu; c++) {
			const __u64 *src = (const __u64 *)&buf[c];
			__u64 *dst = (__u64 *)&sum;

			for (size_t i = 0; i < sizeof(sum) / sizeof(__u64); i++)
				dst[i] += src[i];
		}
		probe_sched_row_from_exited(&key, &sum, &rows[n++]);
	}
	free(buf);
	return n;
}

/* sched_syscall_ns as it is, VB_SYS_SLICES * VB_MAX_SYSCALLS entries. */
static void read_syscall_ns(struct sched_bpf *s, int ncpu, __u64 *out)
{
	int fd = bpf_map__fd(s->maps.sched_syscall_ns);
	__u64 *buf = calloc(ncpu, sizeof(__u64));

	memset(out, 0, VB_SYS_SLICES * VB_MAX_SYSCALLS * sizeof(*out));
	for (__u32 i = 0; buf && i < VB_SYS_SLICES * VB_MAX_SYSCALLS; i++) {
		if (bpf_map_lookup_elem(fd, &i, buf))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[i] += buf[c];
	}
	free(buf);
}

static bool same_tid(uint32_t tid, void *arg)
{
	return tid == *(uint32_t *)arg;
}

/* The live threads of one role, for its samples by region. */
struct role_tids {
	const struct probe_sched_view *v;
	enum probe_sched_role role;
};

static bool in_role(uint32_t tid, void *arg)
{
	const struct role_tids *r = arg;

	for (size_t i = 0; i < r->v->n; i++)
		if (r->v->rows[i].tid == tid)
			return probe_sched_role_of(&r->v->rows[i]) == r->role;
	return false;
}

static uint64_t kernel_samples(struct json_object *by_state)
{
	return json_object_get_uint64(json_object_object_get(by_state, "kernel_fault")) +
	       json_object_get_uint64(json_object_object_get(by_state, "kernel_other")) +
	       json_object_get_uint64(json_object_object_get(by_state, "kernel_syscall"));
}

/* Each role's samples by region ("71 % of the vCPU threads' samples ran
 * translated code"). */
static void add_role_regions(const struct probe_regions *pr, const struct probe_sched_view *v,
			     struct json_object *bd)
{
	struct json_object *roles, *smp, *by;

	if (!json_object_object_get_ex(bd, "roles", &roles))
		return;
	for (int r = 0; r < VB_ROLE_MAX; r++) {
		struct role_tids rt = {v, (enum probe_sched_role)r};

		if (json_object_object_get_ex(json_object_object_get(roles, role_names[r]),
					      "samples", &smp) &&
		    json_object_object_get_ex(smp, "by_state", &by))
			probe_regions_json(pr, kernel_samples(by), in_role, &rt, smp, false);
	}
}

/* The main loop's network backend (roles.main_loop.network_backend); pr is
 * NULL without samples. */
static void add_net_backend(const struct probe_regions *pr, const struct probe_sched_view *v,
			    struct json_object *bd)
{
	struct role_tids rt = {v, VB_ROLE_MAIN_LOOP};
	struct json_object *roles, *ml;
	struct probe_sched_row sum;

	if (!v->main_syscall_ns || !json_object_object_get_ex(bd, "roles", &roles) ||
	    !json_object_object_get_ex(roles, role_names[VB_ROLE_MAIN_LOOP], &ml))
		return;
	role_sum(v, VB_ROLE_MAIN_LOOP, &sum);
	json_object_object_add(
		ml, "network_backend",
		probe_sched_net_backend_json(v, &sum, probe_regions_net_samples(pr, in_role, &rt),
					     pr != NULL));
}

/* The user-mode samples by region and function, into the breakdown's samples. */
static void add_regions(struct probe_sched *ps, struct sched_bpf *s,
			const struct probe_sched_view *v, struct json_object *bd)
{
	struct json_object *smp, *by;
	struct probe_regions *pr;

	if (!json_object_object_get_ex(bd, "samples", &smp) ||
	    !json_object_object_get_ex(smp, "by_state", &by))
		return;
	pr = probe_regions_read(bpf_map__fd(s->maps.sched_ips), ps->root, ps->root_maps,
				s->bss->ips_lost);
	probe_regions_json(pr, kernel_samples(by), NULL, NULL, smp, true);
	add_role_regions(pr, v, bd);
	add_net_backend(pr, v, bd);
	/* And each listed thread's own, for the roles of a hypervisor's threads. */
	if (json_object_object_get_ex(bd, "by_thread", &by))
		for (size_t i = 0; i < json_object_array_length(by); i++) {
			struct json_object *row = json_object_array_get_idx(by, i), *rs;
			uint32_t tid = (uint32_t)json_object_get_uint64(
				json_object_object_get(row, "tid"));

			if (json_object_object_get_ex(row, "samples", &rs))
				probe_regions_json(pr,
						   json_object_get_uint64(
							   json_object_object_get(rs, "kernel")),
						   same_tid, &tid, rs, false);
		}
	probe_regions_free(pr);
}

struct json_object *probe_sched_snapshot(struct probe_sched *ps, struct sched_bpf *s, int ncpu,
					 uint64_t lost, int64_t probe_cost_ns)
{
	size_t max = VB_MAX_THREADS + VB_MAX_COMMS;
	struct probe_sched_row *rows = calloc(max, sizeof(*rows));
	/* the map's slices, then every thread's and the main threads' sums */
	__u64 *sys_ns = calloc((VB_SYS_SLICES + 2) * VB_MAX_SYSCALLS, sizeof(*sys_ns));
	__u64 *all = sys_ns + VB_SYS_SLICES * VB_MAX_SYSCALLS, *main_ns = all + VB_MAX_SYSCALLS;
	struct probe_sched_view v = {.probe_cost_ns = probe_cost_ns, .lost = lost};
	struct json_object *o = NULL;
	/* syscall time before and after the steal went, [1]: main threads */
	__u64 before[2] = {0, 0}, after[2] = {0, 0};

	if (!rows || !sys_ns)
		goto out;
	v.rows = rows;
	v.n = read_threads(s, rows, max, vb_now_ns());
	v.n += read_exited(s, ncpu, rows + v.n, max - v.n);
	for (size_t i = 0; i < v.n; i++) {
		int is_main = rows[i].tid && rows[i].tid == rows[i].tgid;

		before[is_main] += rows[i].ns[VB_ST_SYSCALL];
		probe_sched_split_oncpu(&rows[i]);
		after[is_main] += rows[i].ns[VB_ST_SYSCALL];
	}
	read_syscall_ns(s, ncpu, sys_ns);
	/* The steal inside syscalls out of each syscall's time alike, the
	 * main threads' slices by theirs, the rest by the others'. */
	for (size_t i = 0; i < VB_SYS_SLICES * VB_MAX_SYSCALLS; i++) {
		int is_main = i >= VB_SYS_MAIN * VB_MAX_SYSCALLS;

		if (after[is_main] < before[is_main])
			sys_ns[i] = (__u64)((double)sys_ns[i] * after[is_main] / before[is_main]);
		all[i % VB_MAX_SYSCALLS] += sys_ns[i];
		if (is_main)
			main_ns[i % VB_MAX_SYSCALLS] += sys_ns[i];
	}
	v.syscall_ns = all;
	v.main_syscall_ns = main_ns;
	v.tap_syscall_ns = sys_ns + VB_SYS_MAIN_TAP * VB_MAX_SYSCALLS;
	v.sample_hz = ps ? ps->hz : 0;
	v.fault_method = v.sample_hz ? "tracepoints+samples" : "none";
	v.roles = ps && ps->roles;
	o = probe_sched_json(&v);
	json_object_object_add(o, "switch_repairs", json_object_new_uint64(s->bss->switch_repairs));
	if (v.sample_hz)
		add_regions(ps, s, &v, o);
	else
		add_net_backend(NULL, &v, o);
out:
	free(rows);
	free(sys_ns);
	return o;
}

void probe_sched_close(struct probe_sched *ps)
{
	if (!ps)
		return;
	stop_sampler(ps);
	free(ps->root_maps);
	free(ps);
}
