// SPDX-License-Identifier: GPL-2.0
/*
 * sched family: thread-state accounting. Every thread of the target set
 * has one entry (sched_threads) holding its current state and when it
 * began; each event closes the running interval into that state's total
 * and opens the next one:
 *
 *   sys_enter / sys_exit        on CPU: user <-> syscall (per syscall number)
 *   sched_switch (prev)         on CPU -> runnable (preempted), blocked_io
 *                               (TASK_UNINTERRUPTIBLE) or sleep (the reason
 *                               from the syscall it sleeps in)
 *   sched_wakeup(_new)          sleep or blocked -> runnable after a wakeup
 *   sched_switch (next)         runnable -> on CPU
 *   sched_process_fork          a target's child: its entry, made from its
 *                               parent's (and the fork family's work)
 *   sched_process_exit          closes the thread; folded per comm
 *
 * Beside them, the steal within a stretch on CPU (steal_clock() below).
 *
 * (The scheduler's own sched_info.last_queued, read at the switch-in, cannot
 * stand in for the wakeup programs: the runqueue clock it would be set
 * against was not newer than it in 158 to 280 of 300 switch-ins measured
 * here, its update skipped at that point, and those waits read as none.)
 *
 * A cpu-clock perf event samples the target's threads: user or kernel mode,
 * and in the kernel outside a syscall whether the stack holds the page-fault
 * entry (this kernel refuses fentry/fexit, and the exception tracepoints
 * give a fault's entry only). User space splits the on-CPU time outside
 * syscalls in the samples' proportion.
 *
 * Each tracepoint has a tp_btf and a raw_tp program; user space loads one
 * of the two (bpf_program__set_autoload), as the block family does. The
 * handlers take which as a constant: on the hot path a tp_btf program reads
 * the kernel's objects with plain loads (KREAD), a raw_tp one through
 * bpf_probe_read_kernel, a helper call each.
 *
 * A thread's name is read when it is first seen and again when it changes
 * (task_rename: prctl(PR_SET_NAME), a write to /proc/PID/task/TID/comm, an
 * exec), not at every switch.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "syscalls.bpf.h"
#include "forks.bpf.h"
#include "sched_states.h"

char LICENSE[] SEC("license") = "GPL";

/* x86-64 syscall numbers the sleep reasons are named from. */
#define NR_READ		   0
#define NR_WRITE	   1
#define NR_POLL		   7
#define NR_PREAD64	   17
#define NR_READV	   19
#define NR_WRITEV	   20
#define NR_SELECT	   23
#define NR_NANOSLEEP	   35
#define NR_ACCEPT	   43
#define NR_RECVFROM	   45
#define NR_RECVMSG	   47
#define NR_WAIT4	   61
#define NR_FUTEX	   202
#define NR_CLOCK_NANOSLEEP 230
#define NR_EPOLL_WAIT	   232
#define NR_WAITID	   247
#define NR_PSELECT6	   270
#define NR_PPOLL	   271
#define NR_EPOLL_PWAIT	   281
#define NR_ACCEPT4	   288
#define NR_PREADV	   295
#define NR_RECVMMSG	   299
#define NR_EPOLL_PWAIT2	   441
#define NR_FUTEX_WAITV	   449

#define TASK_UNINTERRUPTIBLE_ 0x0002
#define TASK_NOLOAD_	      0x0400
#define PF_EXITING_	      0x0004
#define S_IFMT_		      00170000
#define S_IFIFO_	      0010000
#define S_IFSOCK_	      0140000
#define S_IFCHR_	      0020000
/* /dev/net/tun, misc 10:200, as the kernel encodes a dev_t (major << 20) */
#define TUN_RDEV_ ((10U << 20) | 200U)
/* x86-64 without KASAN: the user registers sit at the top of a 16 KiB stack. */
#define THREAD_SIZE_ 16384

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VB_MAX_THREADS);
	__type(key, __u32); /* thread id */
	__type(value, struct vb_sched_thread);
} sched_threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VB_MAX_COMMS);
	__type(key, struct vb_sched_comm);
	__type(value, struct vb_sched_acc);
} sched_exited SEC(".maps");

/* On-CPU ns inside each syscall, by slice (sched_states.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VB_SYS_SLICES *VB_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u64);
} sched_syscall_ns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[VB_STACK_DEPTH]);
} sched_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VB_MAX_IPS);
	__type(key, struct vb_sched_ip);
	__type(value, __u64);
} sched_ips SEC(".maps");

/* User-mode samples sched_ips had no room for. */
__u64 ips_lost = 0;

/* Samples that found a target thread on its CPU while its entry said it was
 * off CPU: its switch-in was not seen (the entry is put right then). */
__u64 switch_repairs = 0;

/* [fault_lo, fault_hi): exc_page_fault's text, from /proc/kallsyms. */
const volatile __u64 fault_lo = 0;
const volatile __u64 fault_hi = 0;

/* Set by user space where the syscalls family is loaded: this family's
 * sys_enter counts syscalls into its (shared) syscall_counts, and the
 * syscalls family's program is detached. */
const volatile bool count_syscalls = false;

/* Set by user space where the fork family is loaded: this family does its
 * work (bpf/forks.bpf.h), and the fork family's programs are left
 * unattached. The fork and exit programs follow the target set; sys_enter
 * and sys_exit time the clone-family syscalls into its (shared) clone_hist. */
const volatile bool follow_forks = false;

/* Set by user space when the target is a VMM: its main threads' reads and
 * writes of a tap device are told apart (a look at the fd's inode each). */
bool vmm_target = false;

/* Set by user space at every reset: threads already alive start here. */
__u64 window_start_ns = 0;

static __always_inline __u32 mask_state(__u32 s)
{
	/* Every state a thread is put in is below 8 (STEAL, the ninth, is only
	 * added to), as is every sleep reason. */
	_Static_assert(VB_ST_STEAL == 8 && VB_SLEEP_MAX == 8, "masks below");
	asm volatile("%[s] &= 7" : [s] "+r"(s));
	return s;
}

static __always_inline void add_syscall_ns(const struct vb_sched_thread *t, __u64 d)
{
	__u32 idx = (__u32)t->sys_nr < VB_MAX_SYSCALLS ? (__u32)t->sys_nr : VB_MAX_SYSCALLS - 1;
	__u64 *v;

	if (t->main_thread)
		idx += (t->sys_tap ? VB_SYS_MAIN_TAP : VB_SYS_MAIN) * VB_MAX_SYSCALLS;
	v = bpf_map_lookup_elem(&sched_syscall_ns, &idx);

	if (v)
		*v += d;
}

/* Closes the running interval at now into the thread's current state. */
static __always_inline void account(struct vb_sched_thread *t, __u64 now)
{
	__u64 d;

	if (now <= t->ts)
		return; /* a wakeup on another CPU raced us: nothing to close */
	d = now - t->ts;
	t->ts = now;
	t->acc.ns[mask_state(t->state)] += d;
	if (t->state == VB_ST_SLEEP)
		t->acc.sleep_ns[mask_state(t->sleep_reason)] += d;
	else if (t->state == VB_ST_SYSCALL)
		add_syscall_ns(t, d);
}

/*
 * Steal: with paravirtual steal time (a guest of KVM, as this machine is),
 * every runqueue update moves the time the hypervisor ran something else
 * from the CPU's clock into rq->prev_steal_time_rq, and the scheduler's
 * run time (schedstat, utime and stime) leaves it out. A thread's stretch
 * on CPU reads that clock when it begins (the switch-in: __schedule has
 * just updated it) and at every sample and its end; the growth is its
 * steal. Stale by at most a tick at a sample or an exit, and carried into
 * the next reading, not lost. The runqueue is reached from a task on it
 * (its cfs_rq's rq): a per-CPU ksym would need data symbols in kallsyms,
 * which kernels without CONFIG_KALLSYMS_ALL (this one) do not list. 0
 * where the kernel has no such clock or no group scheduling.
 */
static __always_inline __u64 steal_clock(const bool btf, struct task_struct *on_this_cpu)
{
	if (!bpf_core_field_exists(struct rq, prev_steal_time_rq) ||
	    !bpf_core_field_exists(struct cfs_rq, rq) ||
	    !bpf_core_field_exists(struct sched_entity, cfs_rq))
		return 0;
	/* tp_btf: three plain loads (faults read as 0), not three helper calls */
	return btf ? on_this_cpu->se.cfs_rq->rq->prev_steal_time_rq
		   : BPF_CORE_READ(on_this_cpu, se.cfs_rq, rq, prev_steal_time_rq);
}

/* The steal since the thread's last reading, into STEAL; the mark moves to
 * clock (0: the stretch on CPU ends). */
static __always_inline void steal_take(struct vb_sched_thread *t, __u64 clock, __u64 mark)
{
	if (t->steal_mark && clock > t->steal_mark)
		t->acc.ns[VB_ST_STEAL] += clock - t->steal_mark;
	t->steal_mark = mark;
}

static __always_inline bool is_read(__s32 nr)
{
	return nr == NR_READ || nr == NR_PREAD64 || nr == NR_READV || nr == NR_PREADV;
}

/* The inode of fd in task's table, or NULL. */
static __always_inline struct inode *fd_inode(struct task_struct *task, __s32 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;

	if (!fdt || fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return NULL;
	return BPF_CORE_READ(f, f_inode);
}

/* The inode mode of fd in task's table, or 0. */
static __always_inline __u32 fd_mode(struct task_struct *task, __s32 fd)
{
	struct inode *i = fd_inode(task, fd);

	return i ? BPF_CORE_READ(i, i_mode) : 0;
}

/* Whether fd is a tap (or tun) device: /dev/net/tun's character device. */
static __always_inline bool fd_is_tap(struct task_struct *task, __s32 fd)
{
	struct inode *i = fd_inode(task, fd);

	return i && (BPF_CORE_READ(i, i_mode) & S_IFMT_) == S_IFCHR_ &&
	       BPF_CORE_READ(i, i_rdev) == TUN_RDEV_;
}

static __always_inline __u32 sleep_reason(struct task_struct *task, __s32 nr, __s32 fd)
{
	__u32 mode;

	switch (nr) {
	case NR_FUTEX:
	case NR_FUTEX_WAITV:
		return VB_SLEEP_FUTEX;
	case NR_POLL:
	case NR_PPOLL:
	case NR_SELECT:
	case NR_PSELECT6:
	case NR_EPOLL_WAIT:
	case NR_EPOLL_PWAIT:
	case NR_EPOLL_PWAIT2:
		return VB_SLEEP_POLL;
	case NR_NANOSLEEP:
	case NR_CLOCK_NANOSLEEP:
		return VB_SLEEP_NANOSLEEP;
	case NR_WAIT4:
	case NR_WAITID:
		return VB_SLEEP_WAIT;
	case NR_RECVFROM:
	case NR_RECVMSG:
	case NR_RECVMMSG:
	case NR_ACCEPT:
	case NR_ACCEPT4:
		return VB_SLEEP_SOCKET;
	}
	if (!is_read(nr))
		return VB_SLEEP_OTHER;
	mode = fd_mode(task, fd) & S_IFMT_;
	return mode == S_IFIFO_	   ? VB_SLEEP_PIPE
	       : mode == S_IFSOCK_ ? VB_SLEEP_SOCKET
				   : VB_SLEEP_READ;
}

/* The syscall a thread we have not seen yet is in, from its saved user
 * registers (orig_ax is -1 outside a syscall), and its first argument.
 * Under tp_btf the registers are plain loads (bpf_task_pt_regs). */
static __always_inline __s32 task_syscall(const bool btf, struct task_struct *task, __s32 *fd)
{
	struct pt_regs *regs;
	long nr = -1, di = -1;

	*fd = -1;
	if (btf) {
		regs = (struct pt_regs *)bpf_task_pt_regs(task);
		if (!regs)
			return -1;
		nr = regs->orig_ax;
		di = regs->di;
	} else {
		void *stack = BPF_CORE_READ(task, stack);

		regs = (struct pt_regs *)(stack + THREAD_SIZE_) - 1;
		if (!stack || bpf_probe_read_kernel(&nr, sizeof(nr), &regs->orig_ax) ||
		    bpf_probe_read_kernel(&di, sizeof(di), &regs->di))
			di = -1;
	}
	if (nr < 0 || nr >= VB_MAX_SYSCALLS)
		return -1;
	if (is_read(nr))
		*fd = (__s32)di;
	return (__s32)nr;
}

/* The task running this program: a BTF pointer (plain loads) under tp_btf. */
static __always_inline struct task_struct *current_task(const bool btf)
{
	return btf ? bpf_get_current_task_btf() : (struct task_struct *)bpf_get_current_task();
}

/* The guess of a wakeup's first sight: a thread is woken while still on its
 * CPU when the wakeup comes before its switch-out (it had only set itself
 * to sleep), so the wakee is running if it is on a CPU, else asleep. */
#define GUESS_WAKEE VB_ST_MAX

/* A new entry's identity, and its start: the thread's birth (the task's
 * start_time), or the window's start if it is later. */
static __always_inline void entry_start(struct vb_sched_thread *n, __u32 tid, __u32 tgid,
					__u64 birth, __u64 now)
{
	n->start_ns = birth > window_start_ns ? birth : window_start_ns;
	n->start_ns = n->start_ns < now ? n->start_ns : now;
	n->ts = n->start_ns;
	n->tgid = tgid;
	n->main_thread = tid == tgid;
}

/*
 * A thread's entry, made on first sight with the state it must have been
 * in since it entered the window (guess): running, sleeping, runnable, or
 * GUESS_WAKEE. With from_regs, a first sight finds its syscall from its
 * registers.
 */
static __always_inline struct vb_sched_thread *thread_new(const bool btf, struct task_struct *task,
							  __u32 tid, __u32 tgid, __u64 now,
							  __u32 guess, bool from_regs)
{
	struct vb_sched_thread n = {}, *t;

	if (KREAD(btf, task, flags) & PF_EXITING_)
		return NULL;
	entry_start(&n, tid, tgid, KREAD(btf, task, start_time), now);
	n.sys_nr = from_regs ? task_syscall(btf, task, &n.sys_fd) : -1;
	if (!from_regs)
		n.sys_fd = -1;
	if (guess == GUESS_WAKEE)
		guess = KREAD(btf, task, on_cpu) ? VB_ST_USER : VB_ST_SLEEP;
	n.state = guess;
	if (guess == VB_ST_USER && n.sys_nr >= 0)
		n.state = VB_ST_SYSCALL;
	if (guess == VB_ST_SLEEP)
		n.sleep_reason = sleep_reason(task, n.sys_nr, n.sys_fd);
	BPF_CORE_READ_STR_INTO(&n.comm, task, comm);
	/* On a race with another CPU's first sight, the winner's entry. */
	bpf_map_update_elem(&sched_threads, &tid, &n, BPF_NOEXIST);
	t = bpf_map_lookup_elem(&sched_threads, &tid);
	if (!t)
		vb_count(VB_CNT_SCHED_OVERFLOW);
	return t;
}

/*
 * The entry of task, or NULL when it is not a target's thread. Only a
 * target's threads have one (and user space empties the map whenever the
 * target set changes), so finding it is the target check: the target map is
 * asked only at a first sight, and a target's event costs the filter's load
 * and one lookup, anyone else's the load alone. The idle task (tid 0) is
 * nobody's. *now is read here if it is still 0.
 */
static __always_inline struct vb_sched_thread *
target_thread(const bool btf, struct task_struct *task, __u64 *now, __u32 guess)
{
	__u32 tid = KREAD(btf, task, pid), tgid = KREAD(btf, task, tgid);
	struct vb_sched_thread *t;

	if (!tid || !vb_maybe_target(tgid))
		return NULL;
	t = bpf_map_lookup_elem(&sched_threads, &tid);
	if (!t && !vb_is_target(tgid))
		return NULL;
	if (!*now)
		*now = bpf_ktime_get_ns();
	return t ? t : thread_new(btf, task, tid, tgid, *now, guess, true);
}

/* The same for the current task (id: its pid_tgid), with no read of its
 * task_struct unless this is its first sight: the syscall tracepoints fire
 * for every task. */
static __always_inline struct vb_sched_thread *current_thread(const bool btf, __u64 id, __u64 *now,
							      __u32 guess, bool from_regs)
{
	struct vb_sched_thread *t;
	__u32 tid = (__u32)id;

	if (!tid || !vb_maybe_target(id >> 32))
		return NULL;
	t = bpf_map_lookup_elem(&sched_threads, &tid);
	if (!t && !vb_is_target(id >> 32))
		return NULL;
	if (!*now)
		*now = bpf_ktime_get_ns();
	return t ? t : thread_new(btf, current_task(btf), tid, id >> 32, *now, guess, from_regs);
}

static __always_inline int on_switch(const bool btf, bool preempt, struct task_struct *prev,
				     struct task_struct *next, unsigned int prev_state)
{
	__u64 id = bpf_get_current_pid_tgid(); /* prev is current */
	struct vb_sched_thread *t;
	__u64 now = 0, steal = ~0ULL; /* ~0: not read yet */

	t = current_thread(btf, id, &now, VB_ST_USER, true);
	if (t) {
		account(t, now);
		steal = steal_clock(btf, prev);
		steal_take(t, steal, 0);
		if (preempt || !prev_state) {
			t->state = VB_ST_RUN_PREEMPT;
		} else if ((prev_state & TASK_UNINTERRUPTIBLE_) && !(prev_state & TASK_NOLOAD_)) {
			t->state = VB_ST_BLOCKED_IO;
		} else {
			t->state = VB_ST_SLEEP;
			t->sleep_reason = sleep_reason(prev, t->sys_nr, t->sys_fd);
		}
	}
	t = target_thread(btf, next, &now, VB_ST_RUN_WAKEUP);
	if (t) {
		account(t, now);
		t->state = t->sys_nr >= 0 ? VB_ST_SYSCALL : VB_ST_USER;
		t->steal_mark = steal != ~0ULL ? steal : steal_clock(btf, next);
	}
	return 0;
}

static __always_inline int on_wakeup(const bool btf, struct task_struct *p, bool new_task)
{
	struct vb_sched_thread *t;
	__u64 now = 0;

	/* Most wakeups on the machine are not the target's: no clock read for them. */
	t = target_thread(btf, p, &now, new_task ? VB_ST_RUN_WAKEUP : GUESS_WAKEE);
	if (!t)
		return 0;
	/* A wakeup of a thread still on its CPU (it had not yet slept) changes
	 * nothing here: its switch will find it running. */
	if (t->state != VB_ST_SLEEP && t->state != VB_ST_BLOCKED_IO && !new_task)
		return 0;
	account(t, now);
	t->state = VB_ST_RUN_WAKEUP;
	return 0;
}

static __always_inline void fold(struct vb_sched_acc *dst, const struct vb_sched_acc *src)
{
	for (int i = 0; i < VB_ST_MAX; i++)
		dst->ns[i] += src->ns[i];
	for (int i = 0; i < VB_SLEEP_MAX; i++)
		dst->sleep_ns[i] += src->sleep_ns[i];
	for (int i = 0; i < VB_SMP_MAX; i++)
		dst->samples[i] += src->samples[i];
}

/* The exiting thread's totals join its comm's; its entry goes. p is the
 * current task. */
static __always_inline int on_exit(const bool btf, struct task_struct *p)
{
	static const struct vb_sched_acc zero = {};
	__u64 id = bpf_get_current_pid_tgid(), now;
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct vb_sched_thread *t;
	struct vb_sched_acc *acc;

	if (!vb_maybe_target(tgid))
		return 0;
	t = bpf_map_lookup_elem(&sched_threads, &tid);
	if (!t && !vb_is_target(tgid))
		return 0;
	if (follow_forks &&
	    (btf ? p->signal->live.counter : BPF_CORE_READ(p, signal, live.counter)) == 0)
		vb_target_exited(tgid);
	if (!t)
		return 0;
	now = bpf_ktime_get_ns();
	account(t, now);
	if (t->state == VB_ST_USER || t->state == VB_ST_SYSCALL)
		steal_take(t, steal_clock(btf, p), 0); /* p is current: on this CPU */
	/* the entry's comm is the thread's own: task_rename keeps it current */
	acc = bpf_map_lookup_elem(&sched_exited, (struct vb_sched_comm *)t->comm);
	if (!acc) {
		bpf_map_update_elem(&sched_exited, (struct vb_sched_comm *)t->comm, &zero,
				    BPF_NOEXIST);
		acc = bpf_map_lookup_elem(&sched_exited, (struct vb_sched_comm *)t->comm);
	}
	if (acc) {
		fold(acc, &t->acc);
		acc->wall_ns += now > t->start_ns ? now - t->start_ns : 0;
		acc->threads++;
	} else {
		vb_count(VB_CNT_SCHED_OVERFLOW);
	}
	bpf_map_delete_elem(&sched_threads, &tid);
	return 0;
}

static __always_inline int on_sys_enter(const bool btf, long id, struct pt_regs *regs)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), now;
	__u32 tid = (__u32)pid_tgid;
	struct vb_sched_thread *t;

	/* current_thread()'s steps, so that a target's thread the map had no
	 * room for has its syscalls counted all the same. */
	if (!tid || !vb_maybe_target(pid_tgid >> 32))
		return 0;
	t = bpf_map_lookup_elem(&sched_threads, &tid);
	if (!t && !vb_is_target(pid_tgid >> 32))
		return 0;
	now = bpf_ktime_get_ns();
	if (!t)
		t = thread_new(btf, current_task(btf), tid, pid_tgid >> 32, now, VB_ST_USER, false);
	if (count_syscalls)
		vb_count_syscall(pid_tgid >> 32, id);
	if (!t)
		return 0;
	account(t, now);
	t->state = VB_ST_SYSCALL;
	t->sys_nr = id >= 0 && id < VB_MAX_SYSCALLS ? id : VB_MAX_SYSCALLS - 1;
	t->sys_fd = is_read(t->sys_nr) ? (__s32)KREAD(btf, regs, di) : -1;
	if (follow_forks && vb_is_clone(id)) {
		vb_count(VB_CNT_CLONE_SYSCALLS);
		t->sys_start = now; /* the caller's; a child starts with none */
	}
	/* A VMM's main loop reads and writes a tap device for its network
	 * backend (net=tap): those syscalls go to a slice of their own. */
	if (vmm_target && t->main_thread &&
	    (t->sys_nr == NR_READ || t->sys_nr == NR_READV || t->sys_nr == NR_WRITE ||
	     t->sys_nr == NR_WRITEV))
		t->sys_tap = fd_is_tap(current_task(btf), (__s32)KREAD(btf, regs, di));
	return 0;
}

static __always_inline int on_sys_exit(const bool btf)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct vb_sched_thread *t;
	__u64 now = 0;

	t = current_thread(btf, id, &now, VB_ST_SYSCALL, true);
	if (!t)
		return 0;
	account(t, now);
	if (t->sys_start) {
		vb_clone_done(now - t->sys_start);
		t->sys_start = 0;
	}
	t->state = VB_ST_USER;
	t->sys_nr = -1;
	t->sys_fd = -1;
	t->sys_tap = 0;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(vb_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	return on_switch(true, preempt, prev, next, prev_state);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(vb_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	return on_switch(false, preempt, prev, next, prev_state);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(vb_wakeup_btf, struct task_struct *p)
{
	return on_wakeup(true, p, false);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(vb_wakeup_raw, struct task_struct *p)
{
	return on_wakeup(false, p, false);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(vb_wakeup_new_btf, struct task_struct *p)
{
	return on_wakeup(true, p, true);
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(vb_wakeup_new_raw, struct task_struct *p)
{
	return on_wakeup(false, p, true);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vb_exit_btf, struct task_struct *p)
{
	return on_exit(true, p);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(vb_exit_raw, struct task_struct *p)
{
	return on_exit(false, p);
}

/*
 * A thread of a target made a child (parent is current). With follow_forks
 * the fork family's work first: a new process joins the target set. Then
 * the child's entry, from what it has of its parent's at this point: its
 * name, and the syscall it returns from (the clone); waiting for a CPU
 * until its switch-in (wakeup_new follows at once). Its first sight would
 * otherwise come at wakeup_new, with the task's registers and name read
 * and the target map asked.
 */
static __always_inline int on_fork(const bool btf, struct task_struct *child)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 ptid = (__u32)id, ptgid = id >> 32, ctid, ctgid;
	struct vb_sched_thread *pt, n = {};

	if (!vb_maybe_target(ptgid))
		return 0;
	pt = bpf_map_lookup_elem(&sched_threads, &ptid);
	if (!pt && !vb_is_target(ptgid))
		return 0;
	ctid = KREAD(btf, child, pid);
	ctgid = KREAD(btf, child, tgid);
	if (follow_forks ? !vb_follow_fork(ptgid, ctgid) : ctgid != ptgid)
		return 0; /* not a target's thread */
	if (!pt)
		return 0; /* the parent has no entry: the child's is made at first sight */
	entry_start(&n, ctid, ctgid, KREAD(btf, child, start_time), bpf_ktime_get_ns());
	n.state = VB_ST_RUN_WAKEUP;
	n.sys_nr = pt->sys_nr;
	n.sys_fd = -1;
	__builtin_memcpy(n.comm, pt->comm, sizeof(n.comm));
	if (bpf_map_update_elem(&sched_threads, &ctid, &n, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&sched_threads, &ctid))
		vb_count(VB_CNT_SCHED_OVERFLOW);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vb_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(true, child);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(vb_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(false, child);
}

/* A target thread's new name, before the kernel copies it in: zero-padded,
 * since it is sched_exited's key, and put in whole, since user space may be
 * reading the entry. */
static __always_inline int on_rename(const bool btf, struct task_struct *task, const char *comm)
{
	__u32 tid = KREAD(btf, task, pid);
	struct vb_sched_thread *t;
	char name[VB_COMM_LEN] = {};

	if (!vb_maybe_target(KREAD(btf, task, tgid)))
		return 0;
	t = bpf_map_lookup_elem(&sched_threads, &tid);
	if (t) {
		bpf_probe_read_kernel_str(name, sizeof(name), comm);
		__builtin_memcpy(t->comm, name, sizeof(name));
	}
	return 0;
}

SEC("tp_btf/task_rename")
int BPF_PROG(vb_rename_btf, struct task_struct *task, const char *comm)
{
	return on_rename(true, task, comm);
}

SEC("raw_tp/task_rename")
int BPF_PROG(vb_rename_raw, struct task_struct *task, const char *comm)
{
	return on_rename(false, task, comm);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(vb_sys_enter_btf, struct pt_regs *regs, long id)
{
	return on_sys_enter(true, id, regs);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(vb_sys_enter_raw, struct pt_regs *regs, long id)
{
	return on_sys_enter(false, id, regs);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vb_sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_sys_exit(true);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(vb_sys_exit_raw, struct pt_regs *regs, long ret)
{
	return on_sys_exit(false);
}

static __always_inline bool under_fault_entry(struct bpf_perf_event_data *ctx)
{
	__u32 zero = 0;
	__u64 *frames = bpf_map_lookup_elem(&sched_stack, &zero);
	long n;

	if (!frames || !fault_hi)
		return false;
	n = bpf_get_stack(ctx, frames, VB_STACK_DEPTH * sizeof(__u64), 0);
	for (int i = 0; i < VB_STACK_DEPTH; i++) {
		if (i * (long)sizeof(__u64) >= n)
			break;
		if (frames[i] >= fault_lo && frames[i] < fault_hi)
			return true;
	}
	return false;
}

/* One more user-mode sample at ip. */
static __always_inline void count_ip(__u64 id, __u64 ip)
{
	struct vb_sched_ip key = {.tid = (__u32)id, .tgid = id >> 32, .ip = ip};
	__u64 one = 1, *n = bpf_map_lookup_elem(&sched_ips, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
	else if (bpf_map_update_elem(&sched_ips, &key, &one, BPF_NOEXIST) &&
		 !bpf_map_lookup_elem(&sched_ips, &key))
		__sync_fetch_and_add(&ips_lost, 1);
}

/* x86_64 UAPI struct pt_regs: r15 ... orig_ax, ip, cs. */
#define VB_PT_REGS_CS 17

SEC("perf_event")
int vb_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct vb_sched_thread *t;
	__u64 steal;
	bool user;

	if (!vb_maybe_target(id >> 32))
		return 0;
	t = bpf_map_lookup_elem(&sched_threads, &tid); /* a target's thread */
	if (!t)
		return 0;
	/*
	 * The whole 8-byte slot: the context allows only full-width loads here.
	 * Read at its UAPI offset, not through CO-RE: the context is the UAPI
	 * struct pt_regs on every kernel (cs its 18th word), while vmlinux.h's
	 * kernel pt_regs names the field "csx" since 6.8 and a 6.1 kernel's BTF
	 * has no such field (the relocation fails, the program does not load).
	 */
	user = (((const __u64 *)ctx)[VB_PT_REGS_CS] & 3) != 0;
	if (t->state != VB_ST_SYSCALL && t->state != VB_ST_USER) {
		/*
		 * It runs, so it was switched in: an event we did not see. The
		 * time since the entry's last event stays in the state it had
		 * (at most one sample period of it is on-CPU time), and from
		 * here it runs again.
		 */
		account(t, bpf_ktime_get_ns());
		t->state = t->sys_nr >= 0 ? VB_ST_SYSCALL : VB_ST_USER;
		__sync_fetch_and_add(&switch_repairs, 1);
	}
	/* On this CPU since its switch-in (or, unseen, since before the window). */
	steal = steal_clock(false, (struct task_struct *)bpf_get_current_task());
	steal_take(t, steal, steal);
	if (t->state == VB_ST_SYSCALL) {
		t->acc.samples[VB_SMP_SYSCALL]++;
		if (!user && under_fault_entry(ctx))
			t->acc.samples[VB_SMP_SYSCALL_FAULT]++;
	} else if (t->state == VB_ST_USER) {
		if (user) {
			t->acc.samples[VB_SMP_USER]++;
			count_ip(id, ctx->regs.ip);
		} else if (under_fault_entry(ctx))
			t->acc.samples[VB_SMP_FAULT]++;
		else
			t->acc.samples[VB_SMP_KOTHER]++;
	}
	return 0;
}
