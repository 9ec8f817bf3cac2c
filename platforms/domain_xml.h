/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The libvirt domain of a vbench-trace guest, as XML from a small struct:
 * direct kernel boot, one virtio disk, one virtio NIC (user-mode SLIRP by
 * default; a tap on a bridge of ours, or passt, as the net knob says), the
 * kernel console in a file and the agent's link on a virtio-serial port
 * behind a unix socket the tool connects to. KVM and QEMU/TCG guests differ
 * in the domain type only, so their scores differ by the accelerator alone.
 */
#ifndef VB_DOMAIN_XML_H
#define VB_DOMAIN_XML_H

#include "agent_guest.h" /* GUEST_AGENT_PORT: the port's name, as the guest looks for it */

/* How the guest's NIC reaches the host (the qemu and kvm "net" knob). */
enum domain_net {
	DOMAIN_NET_USER,   /* SLIRP inside QEMU: <interface type='user'> */
	DOMAIN_NET_BRIDGE, /* a tap libvirt makes and removes, on bridge */
	DOMAIN_NET_PASST,  /* <interface type='user'> with passt as its backend */
};

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
	enum domain_net net;
	const char *bridge;   /* with DOMAIN_NET_BRIDGE: the host bridge the tap joins */
	const char *emulator; /* optional: the QEMU binary to start instead of libvirt's */
};

/* The domain's XML, malloc'd; NULL when a field is missing or memory ran out. */
char *domain_xml_build(const struct domain_spec *s);

#endif
