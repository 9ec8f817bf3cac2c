// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls family: system calls entered by targets, counted per syscall
 * number. raw_tp, not the classic raw_syscalls:sys_enter: the classic one
 * copies six arguments into a trace record on every syscall of every
 * process before the program can even look at the caller.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "syscalls.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/sys_enter")
int BPF_PROG(vb_sys_enter, struct pt_regs *regs, long id)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (vb_is_target(tgid))
		vb_count_syscall(tgid, id);
	return 0;
}
