/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thread-state accounting (bpf/sched.bpf.c), shared with user/probes/
 * probe_sched.c: the states a target thread's wall time is divided into,
 * the reasons a sleep is named by, and the layout of the family's maps.
 * Fixed-width types only (compiles against vmlinux.h and the UAPI headers).
 */
#ifndef VB_BPF_SCHED_STATES_H
#define VB_BPF_SCHED_STATES_H

#include "vbench.h"

#define VB_MAX_THREADS 8192 /* live target threads followed at once */
#define VB_MAX_COMMS   256  /* exited threads are folded into one entry per comm */
#define VB_STACK_DEPTH 64   /* kernel frames a sample looks through for the fault entry */
#define VB_COMM_LEN    16
#define VB_MAX_IPS     16384 /* distinct user-mode sample addresses kept per window */

/* sched_syscall_ns: on-CPU ns per syscall number, in three slices of
 * VB_MAX_SYSCALLS: every target thread but the processes' main threads;
 * those (a VMM's main loop, which runs its device and network backends);
 * and a VMM's main threads' reads and writes of a tap device (its network
 * backend's, with net=tap). */
enum vb_sys_slice {
	VB_SYS_OTHER,
	VB_SYS_MAIN,
	VB_SYS_MAIN_TAP,
	VB_SYS_SLICES,
};

/*
 * The kernel side keeps USER, SYSCALL, the two RUNNABLE states, BLOCKED_IO
 * and SLEEP (and STEAL beside them, within USER and SYSCALL). On-CPU time outside syscalls is kept
 * as USER and split in user space into user, fault and other kernel time in the proportion of the
 * cpu-clock samples taken there (this kernel has no fentry and no function
 * tracer: the page-fault tracepoints mark a fault's entry, not its end).
 */
enum vb_sched_state {
	VB_ST_USER,	   /* on CPU outside a syscall */
	VB_ST_SYSCALL,	   /* on CPU inside a syscall */
	VB_ST_FAULT,	   /* derived: page-fault handling outside syscalls */
	VB_ST_KOTHER,	   /* derived: other kernel time outside syscalls (irqs...) */
	VB_ST_RUN_WAKEUP,  /* runnable, waiting for a CPU after a wakeup */
	VB_ST_RUN_PREEMPT, /* runnable, waiting for a CPU after a preemption */
	VB_ST_BLOCKED_IO,  /* off CPU, TASK_UNINTERRUPTIBLE */
	VB_ST_SLEEP,	   /* off CPU, TASK_INTERRUPTIBLE (or stopped) */
	/*
	 * Not a state the kernel side puts a thread in: of its on-CPU time
	 * (USER and SYSCALL), the part the hypervisor under this kernel ran
	 * something else, read from the runqueue's paravirt steal clock at
	 * the switch-in, the samples, the switch-out and the exit. User space
	 * takes it out of the on-CPU states, as the scheduler's own run time
	 * (schedstat, utime/stime) leaves it out.
	 */
	VB_ST_STEAL,
	VB_ST_MAX,
};

/* Why a thread sleeps, from the syscall it sleeps in (and, for reads, the
 * type of the file it reads). */
enum vb_sleep_reason {
	VB_SLEEP_FUTEX,
	VB_SLEEP_POLL,	    /* poll, ppoll, select, pselect6, epoll_wait, epoll_pwait(2) */
	VB_SLEEP_PIPE,	    /* read, readv, pread64 on a pipe or FIFO */
	VB_SLEEP_SOCKET,    /* read on a socket, recvfrom, recvmsg, recvmmsg, accept */
	VB_SLEEP_READ,	    /* read on anything else (a tty...) */
	VB_SLEEP_NANOSLEEP, /* nanosleep, clock_nanosleep */
	VB_SLEEP_WAIT,	    /* wait4, waitid */
	VB_SLEEP_OTHER,
	VB_SLEEP_MAX,
};

/* Where a cpu-clock sample of a target thread landed. */
enum vb_sample_kind {
	VB_SMP_USER,	      /* user mode */
	VB_SMP_FAULT,	      /* kernel, outside a syscall, under the page-fault entry */
	VB_SMP_KOTHER,	      /* kernel, outside a syscall, elsewhere */
	VB_SMP_SYSCALL,	      /* kernel (or user, racing sys_exit) inside a syscall */
	VB_SMP_SYSCALL_FAULT, /* of those, under the page-fault entry (copy_to_user) */
	VB_SMP_MAX,
};

struct vb_sched_acc {
	__u64 ns[VB_ST_MAX];
	__u64 sleep_ns[VB_SLEEP_MAX];
	__u64 samples[VB_SMP_MAX];
	__u64 wall_ns; /* exited threads only: exit - start; live ones are closed by user space */
	__u64 threads; /* exited threads only: how many were folded in */
};

/* sched_threads: thread id -> this. */
struct vb_sched_thread {
	struct vb_sched_acc acc;
	__u64 ts;	  /* when the current state began */
	__u64 start_ns;	  /* the thread's start in the window: max(window start, its birth) */
	__u64 steal_mark; /* on CPU: this CPU's steal clock when last read, 0 unread */
	__u64 sys_start;  /* when it entered a clone-family syscall (follow_forks), else 0 */
	__u32 tgid;
	__u32 state;	    /* enum vb_sched_state */
	__s32 sys_nr;	    /* the syscall it is in, -1 outside */
	__u32 sleep_reason; /* enum vb_sleep_reason, while in VB_ST_SLEEP */
	__s32 sys_fd;	    /* the fd a read-family syscall reads, -1 otherwise */
	__u8 main_thread;   /* tid == tgid: its syscalls go to sched_syscall_ns's second slice */
	__u8 sys_tap;	    /* a VMM's main thread reads or writes a tap device: the third */
	__u16 pad;
	char comm[VB_COMM_LEN];
};

/* sched_ips: where a target thread's user-mode samples landed -> count.
 * User space finds each address's mapping in /proc/PID/maps (the region)
 * and, in an ELF with symbols, its function. */
struct vb_sched_ip {
	__u32 tid;
	__u32 tgid;
	__u64 ip;
};

/* sched_exited: comm -> vb_sched_acc (per CPU), threads that exited. */
struct vb_sched_comm {
	char comm[VB_COMM_LEN];
};

#endif
