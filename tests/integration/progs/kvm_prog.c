// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest VM that makes known VM exits: one vCPU in real mode running
 * "loop: out 0x10, al; inc al; jmp loop", so each KVM_RUN returns after one
 * port write. Prints "ok N io exits" on stderr.
 * Usage: kvm_prog N
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_ADDR 0x1000

static const unsigned char guest_code[] = {
	0xb0, 0x00, /* mov al, 0 */
	0xe6, 0x10, /* out 0x10, al */
	0xfe, 0xc0, /* inc al */
	0xeb, 0xfa, /* jmp out */
};

static int die(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	struct kvm_userspace_memory_region region = {
		.guest_phys_addr = GUEST_ADDR,
		.memory_size = 0x1000,
	};
	struct kvm_regs regs = {.rip = GUEST_ADDR, .rflags = 2};
	int n = argc > 1 ? atoi(argv[1]) : 10;
	int kvm, vm, vcpu, size;
	struct kvm_sregs sregs;
	struct kvm_run *run;
	unsigned char *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return die("KVM_CREATE_VM");
	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return die("mmap");
	memcpy(mem, guest_code, sizeof(guest_code));
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return die("KVM_CREATE_VCPU");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return die("mmap vcpu");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return die("KVM_SET_REGS");
	for (int i = 0; i < n; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return die("KVM_RUN");
		if (run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "kvm_prog: exit reason %u after %d port writes\n",
				run->exit_reason, i);
			return 1;
		}
	}
	fprintf(stderr, "ok %d io exits\n", n);
	return 0;
}
