/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The qemu and kvm "net=tap" network: a Linux bridge of ours with no host
 * address, a network namespace of ours, and a veth pair between them (one
 * end on the bridge, the other in the namespace as GUEST_TAP_ADDR/24).
 * libvirt puts the guest's tap on the bridge (<interface type='bridge'>) and
 * removes it with the domain; the runner's net-server listens inside the
 * namespace. Nothing routes between the namespace and the host: the guest
 * reaches that one address and no other.
 *
 * Names carry the tool's pid, so a later run can tell leftovers of a run
 * that is gone (guest_tap_sweep) from another run's live network:
 *
 *	vbt-PID-Xb	the bridge          (X: q for qemu, k for kvm)
 *	vbt-PID-Xh	the veth end on the bridge
 *	vbt-PID-Xn	the veth end in the namespace
 *	vbench-trace-PID-TYPE	the namespace (/run/netns/...)
 */
#ifndef VB_GUEST_NET_H
#define VB_GUEST_NET_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

/* The guest's gateway as the agent sets it (agent_guest.c): SLIRP's host address. */
#define GUEST_TAP_ADDR "10.0.2.2"

struct guest_tap {
	char bridge[IFNAMSIZ];
	char veth_host[IFNAMSIZ]; /* on the bridge */
	char veth_ns[IFNAMSIZ];	  /* in the namespace, with GUEST_TAP_ADDR */
	char ns[64];		  /* the namespace's name, as ip netns knows it */
	char ns_path[128];	  /* /run/netns/<ns> */
	bool firewall_rule;	  /* an ACCEPT rule for the bridge is in FORWARD */
};

/*
 * Makes the bridge, the namespace and the veth pair for a guest of type
 * (qemu, kvm). 0, or -1 with why (what failed, ip's words, the way out);
 * whatever was made is removed again then.
 */
int guest_tap_create(struct guest_tap *t, const char *type, char *why, size_t n);

/* Removes what guest_tap_create made; safe on a zeroed or removed t. */
void guest_tap_remove(struct guest_tap *t);

/*
 * Removes bridges, veths, namespaces and firewall rules of earlier runs
 * whose pid is no longer a running vbench-trace.
 */
void guest_tap_sweep(void);

/* Can this machine make a tap network? 0, or -1 with why naming the way out. */
int guest_tap_possible(char *why, size_t n);

#endif
