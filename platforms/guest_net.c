// SPDX-License-Identifier: GPL-2.0
/*
 * The tap network of qemu and kvm guests (guest_net.h), made with iproute2
 * through the tool's one spawn helper: what it runs is what a user would
 * type to see or undo it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest_net.h"
#include "util_log.h"
#include "util_sys.h"

#define LINK_PREFIX  "vbt-"
#define NS_PREFIX    "vbench-trace-"
#define NETNS_DIR    "/run/netns"
#define IP_TIMEOUT_S 10
/* Where docker's br_netfilter sends bridged IPv4 frames through iptables' FORWARD. */
#define BRIDGE_NF_IPTABLES "/proc/sys/net/bridge/bridge-nf-call-iptables"

/* Runs one command (argv NULL-terminated); 0, or -1 with why holding its words. */
static int run(char *why, size_t n, char *const argv[])
{
	struct vb_run_opts o = {.timeout_s = IP_TIMEOUT_S, .stdout_fd = -1};
	char out[512], err[768];

	if (!vb_run_argv(argv, &o, out, sizeof(out), err, sizeof(err)))
		return 0;
	if (why)
		snprintf(why, n, "%s", err);
	return -1;
}

#define RUN(why, n, ...) run(why, n, (char *const[]){__VA_ARGS__, NULL})

/* Is pid a running vbench-trace (not a reused pid of another program)? */
static bool tool_running(int pid)
{
	char path[64], comm[32] = "";
	int fd;
	ssize_t got;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	got = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (got <= 0)
		return false;
	comm[got] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return !strcmp(comm, "vbench-trace");
}

/* The pid in one of our names ("vbt-PID-..", "vbench-trace-PID-.."); 0 when not ours. */
static int owner_of(const char *name, const char *prefix)
{
	size_t len = strlen(prefix);
	char *end;
	long pid;

	if (strncmp(name, prefix, len))
		return 0;
	pid = strtol(name + len, &end, 10);
	return end != name + len && *end == '-' && pid > 0 && pid < (1L << 22) ? (int)pid : 0;
}

static bool bridge_nf_on(void)
{
	char c = '0';
	int fd = open(BRIDGE_NF_IPTABLES, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

/* Is there a link of this name in our namespace? */
static bool link_exists(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	return !access(path, F_OK);
}

static void no_ipv6(const char *ifname)
{
	char path[128];
	int fd;

	/* No link-local address either: the host has no address on our links at all. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1", 1) != 1)
		vb_warn("tap: cannot turn IPv6 off on %s: %s", ifname, strerror(errno));
	close(fd);
}

/*
 * With br_netfilter loaded (docker loads it) bridged frames cross
 * iptables' FORWARD chain, whose policy docker sets to DROP: without this
 * rule the guest's frames never reach the veth. It accepts frames between
 * the ports of our bridge alone; nothing is routed.
 */
static int firewall_rule(const char *op, const char *bridge, char *why, size_t n)
{
	return RUN(why, n, "iptables", "-w", "5", (char *)op, "FORWARD", "-i", (char *)bridge, "-o",
		   (char *)bridge, "-j", "ACCEPT");
}

int guest_tap_possible(char *why, size_t n)
{
	char out[256], err[256];
	struct vb_run_opts o = {.timeout_s = IP_TIMEOUT_S, .stdout_fd = -1};

	if (geteuid() != 0) {
		snprintf(why, n,
			 "making a bridge and a network namespace needs root (run as root)");
		return -1;
	}
	if (vb_run_argv((char *const[]){"ip", "-V", NULL}, &o, out, sizeof(out), err,
			sizeof(err))) {
		snprintf(why, n, "%s (install iproute2)", err);
		return -1;
	}
	if (bridge_nf_on() &&
	    vb_run_argv((char *const[]){"iptables", "-w", "5", "-S", "FORWARD", NULL}, &o, out,
			sizeof(out), err, sizeof(err))) {
		snprintf(why, n,
			 "bridged frames go through iptables here (%s is 1) but iptables does not "
			 "answer: %s (install iptables)",
			 BRIDGE_NF_IPTABLES, err);
		return -1;
	}
	return 0;
}

int guest_tap_create(struct guest_tap *t, const char *type, char *why, size_t n)
{
	int pid = (int)getpid();
	char tag = type[0], addr[32];

	memset(t, 0, sizeof(*t));
	snprintf(t->bridge, sizeof(t->bridge), LINK_PREFIX "%d-%cb", pid, tag);
	snprintf(t->veth_host, sizeof(t->veth_host), LINK_PREFIX "%d-%ch", pid, tag);
	snprintf(t->veth_ns, sizeof(t->veth_ns), LINK_PREFIX "%d-%cn", pid, tag);
	snprintf(t->ns, sizeof(t->ns), NS_PREFIX "%d-%s", pid, type);
	snprintf(addr, sizeof(addr), GUEST_TAP_ADDR "/24");
	if (RUN(why, n, "ip", "netns", "add", t->ns))
		goto fail;
	snprintf(t->ns_path, sizeof(t->ns_path), NETNS_DIR "/%s", t->ns);
	if (RUN(why, n, "ip", "link", "add", t->bridge, "type", "bridge"))
		goto fail;
	no_ipv6(t->bridge);
	if (RUN(why, n, "ip", "link", "add", t->veth_host, "type", "veth", "peer", "name",
		t->veth_ns, "netns", t->ns))
		goto fail;
	no_ipv6(t->veth_host);
	if (RUN(why, n, "ip", "link", "set", t->veth_host, "master", t->bridge, "up") ||
	    RUN(why, n, "ip", "link", "set", t->bridge, "up") ||
	    RUN(why, n, "ip", "-n", t->ns, "addr", "add", addr, "dev", t->veth_ns) ||
	    RUN(why, n, "ip", "-n", t->ns, "link", "set", t->veth_ns, "up") ||
	    RUN(why, n, "ip", "-n", t->ns, "link", "set", "lo", "up"))
		goto fail;
	if (bridge_nf_on()) {
		if (firewall_rule("-I", t->bridge, why, n))
			goto fail;
		t->firewall_rule = true;
	}
	return 0;
fail:
	guest_tap_remove(t);
	return -1;
}

void guest_tap_remove(struct guest_tap *t)
{
	char why[768];

	if (t->firewall_rule && firewall_rule("-D", t->bridge, why, sizeof(why)))
		vb_warn("tap: cannot remove the iptables rule for %s: %s (try 'iptables -D FORWARD "
			"-i %s -o %s -j ACCEPT')",
			t->bridge, why, t->bridge, t->bridge);
	t->firewall_rule = false;
	/* Deleting one end of a veth pair deletes both. */
	if (t->veth_host[0] && link_exists(t->veth_host) &&
	    RUN(why, sizeof(why), "ip", "link", "del", t->veth_host))
		vb_warn("tap: cannot remove %s: %s (try 'ip link del %s')", t->veth_host, why,
			t->veth_host);
	if (t->bridge[0] && link_exists(t->bridge) &&
	    RUN(why, sizeof(why), "ip", "link", "del", t->bridge))
		vb_warn("tap: cannot remove %s: %s (try 'ip link del %s')", t->bridge, why,
			t->bridge);
	if (t->ns_path[0] && !access(t->ns_path, F_OK) &&
	    RUN(why, sizeof(why), "ip", "netns", "del", t->ns))
		vb_warn("tap: cannot remove network namespace %s: %s (try 'ip netns del %s')",
			t->ns, why, t->ns);
	memset(t, 0, sizeof(*t));
}

static void sweep_firewall(void)
{
	struct vb_run_opts o = {.timeout_s = IP_TIMEOUT_S, .stdout_fd = -1};
	char out[16384], err[256], name[IFNAMSIZ + 1], *save = NULL;

	if (vb_run((char *const[]){"iptables", "-w", "5", "-S", "FORWARD", NULL}, &o, out,
		   sizeof(out), err, sizeof(err), &(struct vb_run_result){0}))
		return;
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int pid;

		if (sscanf(l, "-A FORWARD -i %16s", name) != 1)
			continue;
		pid = owner_of(name, LINK_PREFIX);
		if (pid && !tool_running(pid) && !firewall_rule("-D", name, err, sizeof(err)))
			vb_warn("tap: removed the iptables rule for %s, left by a run that is gone "
				"(pid %d)",
				name, pid);
	}
}

/* Removes the entries of dir (links, namespaces) named by a run that is gone. */
static void sweep_dir(const char *dir, const char *prefix, bool links)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char why[768];

	while (d && (e = readdir(d))) {
		int pid = owner_of(e->d_name, prefix);

		/* A veth's end went with its other end, deleted a moment ago. */
		if (!pid || tool_running(pid) || (links && !link_exists(e->d_name)))
			continue;
		if (links ? RUN(why, sizeof(why), "ip", "link", "del", e->d_name)
			  : RUN(why, sizeof(why), "ip", "netns", "del", e->d_name))
			vb_warn("tap: cannot remove %s, left by a run that is gone (pid %d): %s "
				"(try "
				"'ip %s del %s')",
				e->d_name, pid, why, links ? "link" : "netns", e->d_name);
		else
			vb_warn("tap: removed %s, left by a run that is gone (pid %d)", e->d_name,
				pid);
	}
	if (d)
		closedir(d);
}

void guest_tap_sweep(void)
{
	if (geteuid() != 0)
		return;
	if (bridge_nf_on())
		sweep_firewall();
	sweep_dir("/sys/class/net", LINK_PREFIX, true);
	sweep_dir(NETNS_DIR, NS_PREFIX, false);
}
