/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The libvirt domain of a vbench-trace guest, as XML from a small struct:
 * direct kernel boot, one virtio disk, user-mode (SLIRP) networking, the
 * kernel console in a file and the agent's link on a virtio-serial port
 * behind a unix socket the tool connects to. KVM and QEMU/TCG guests differ
 * in the domain type only, so their scores differ by the accelerator alone.
 */
#ifndef VB_DOMAIN_XML_H
#define VB_DOMAIN_XML_H

#include "agent_guest.h" /* GUEST_AGENT_PORT: the port's name, as the guest looks for it */

struct domain_spec {
	const char *name;
	const char *type; /* "qemu" or "kvm" */
	int vcpus;
	unsigned long memory_mib;
	const char *kernel, *initrd, *cmdline;
	const char *disk;	/* raw image, the guest's /dev/vda */
	const char *disk_cache; /* libvirt's cache mode: none, writeback, ... */
	const char *console_log;
	const char *agent_socket;
	const char *description; /* optional: the domain's <description> (its owner) */
};

/* The domain's XML, malloc'd; NULL when a field is missing or memory ran out. */
char *domain_xml_build(const struct domain_spec *s);

#endif
