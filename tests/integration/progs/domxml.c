// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the domain XML the guest platforms build, for one domain type:
 *   domxml qemu|kvm
 * so that shell tests can diff the two and validate them against
 * libvirt's own schema (virt-xml-validate).
 */
#include <stdio.h>
#include <stdlib.h>

#include "domain_xml.h"

int main(int argc, char **argv)
{
	struct domain_spec s = {
		.name = "vbench-trace-0-1",
		.type = argc > 1 ? argv[1] : "qemu",
		.vcpus = 2,
		.memory_mib = 1024,
		.kernel = "/var/cache/vbench-trace/guest-kernel/k/vmlinux",
		.initrd = "/var/tmp/w/qemu-guest/initramfs.gz",
		.cmdline = "console=ttyS0 quiet",
		.disk = "/var/tmp/w/qemu-guest/disk.raw",
		.disk_cache = "none",
		.console_log = "/var/tmp/w/qemu-guest/c.console.log",
		.agent_socket = "/var/tmp/w/qemu-guest/c.sock",
	};
	char *xml = domain_xml_build(&s);

	if (!xml)
		return 1;
	fputs(xml, stdout);
	free(xml);
	return 0;
}
