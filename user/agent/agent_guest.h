/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a guest's /init (agent_guest.c) and the guest's builder
 * (platforms/libvirt.c, domain_xml.c, guest_kernel.c) agree on: where the
 * initramfs puts the kernel modules and the name of the agent's virtio
 * port. The agent includes no platform header; the platforms include this.
 */
#ifndef VB_AGENT_GUEST_H
#define VB_AGENT_GUEST_H

/* Where the initramfs puts the modules, and the file listing them in the
 * order /init inserts them (a module after those it depends on). */
#define GUEST_MODULES_DIR   "lib/modules"
#define GUEST_MODULES_ORDER "lib/modules/order"

/* The guest finds its link by this name (/sys/class/virtio-ports/<port>/name). */
#define GUEST_AGENT_PORT "org.vbench-trace.agent"

#endif
