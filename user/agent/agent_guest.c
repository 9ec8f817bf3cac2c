// SPDX-License-Identifier: GPL-2.0
/*
 * The agent as a guest's /init: mount what the workloads and probes need,
 * insert the virtio modules (Debian builds them as modules), bring up the
 * network SLIRP expects, then serve the tool over a virtio-serial port.
 *
 * PID 1 must never return (the kernel would panic), so every way out,
 * good or bad, ends in a power-off; a failure is printed on the console
 * first, which the tool keeps as a log.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "agent_guest.h"
#include "util_log.h"
#include "util_sys.h"

#define GUEST_ADDR    "10.0.2.15" /* SLIRP's defaults */
#define GUEST_MASK    "255.255.255.0"
#define GUEST_GATEWAY "10.0.2.2"

static __attribute__((noreturn)) void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* Only reached if the kernel could not power off: halting is the next best end. */
	reboot(RB_HALT_SYSTEM);
	for (;;)
		pause();
}

static int mount_one(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, MS_NOSUID, NULL) && errno != EBUSY) {
		vb_err("guest: cannot mount %s on %s: %s", type, dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int mount_all(void)
{
	int err = 0;

	err |= mount_one("proc", "/proc", "proc");
	err |= mount_one("sysfs", "/sys", "sysfs");
	err |= mount_one("devtmpfs", "/dev", "devtmpfs");
	/* The probes find tracepoint ids here. */
	err |= mount_one("tracefs", "/sys/kernel/tracing", "tracefs");
	mount_one("tmpfs", "/tmp", "tmpfs");
	return err;
}

static int insert_module(const char *name)
{
	char path[256];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/" GUEST_MODULES_DIR "/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		vb_warn("guest: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST) {
		vb_warn("guest: cannot insert %s: %s", path, strerror(errno));
		err = -1;
	}
	close(fd);
	return err;
}

/* Inserts the modules listed, one a line, in the order file; failures are counted. */
static int insert_modules(void)
{
	FILE *f = fopen("/" GUEST_MODULES_ORDER, "re");
	char name[128];
	int failed = 0;

	if (!f) {
		vb_warn("guest: no /%s: %s", GUEST_MODULES_ORDER, strerror(errno));
		return -1;
	}
	while (fscanf(f, "%127s", name) == 1)
		failed += insert_module(name) ? 1 : 0;
	fclose(f);
	return failed ? -1 : 0;
}

static int set_addr(int s, const char *ifname, unsigned long req, const char *addr)
{
	struct ifreq ifr = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	return ioctl(s, req, &ifr);
}

static int link_up(int s, const char *ifname)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(s, SIOCSIFFLAGS, &ifr);
}

static int default_route(int s, const char *ifname, const char *gateway)
{
	struct rtentry rt = {0};
	struct sockaddr_in *gw = (struct sockaddr_in *)&rt.rt_gateway;
	char dev[IFNAMSIZ];

	((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
	gw->sin_family = AF_INET;
	inet_pton(AF_INET, gateway, &gw->sin_addr);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	snprintf(dev, sizeof(dev), "%s", ifname);
	rt.rt_dev = dev;
	if (ioctl(s, SIOCADDRT, &rt) && errno != EEXIST)
		return -1;
	return 0;
}

/* lo, and eth0 as SLIRP expects it; the net workload is the only user. */
static int net_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = -1;

	if (s < 0) {
		vb_warn("guest: socket: %s", strerror(errno));
		return -1;
	}
	if (link_up(s, "lo"))
		vb_warn("guest: cannot bring up lo: %s", strerror(errno));
	/* virtio_net registers eth0 while its module loads; allow it a moment. */
	for (int i = 0; i < 100 && link_up(s, "eth0") && errno == ENODEV; i++)
		vb_sleep_ms(20);
	if (set_addr(s, "eth0", SIOCSIFADDR, GUEST_ADDR) ||
	    set_addr(s, "eth0", SIOCSIFNETMASK, GUEST_MASK) || link_up(s, "eth0") ||
	    default_route(s, "eth0", GUEST_GATEWAY)) {
		vb_warn("guest: cannot configure eth0 as %s/24 via %s: %s", GUEST_ADDR,
			GUEST_GATEWAY, strerror(errno));
		goto out;
	}
	err = 0;
out:
	close(s);
	return err;
}

static bool port_is_ours(const char *dev)
{
	char path[300], name[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", dev);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(name, sizeof(name), f))
		name[0] = '\0';
	fclose(f);
	name[strcspn(name, "\n")] = '\0';
	return !strcmp(name, GUEST_AGENT_PORT);
}

/*
 * The port's /dev name (vport<dev>p<port>) depends on the order virtio
 * devices were probed; its name attribute does not. Ports appear after
 * the host announces them, so wait a little.
 */
static int find_port(char *dev, size_t n)
{
	for (int tries = 0; tries < 500; tries++) {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.' || !port_is_ours(e->d_name))
				continue;
			snprintf(dev, n, "/dev/%s", e->d_name);
			closedir(d);
			/* devtmpfs makes the node a moment after sysfs shows the port. */
			for (int i = 0; i < 100 && access(dev, F_OK); i++)
				vb_sleep_ms(10);
			return 0;
		}
		if (d)
			closedir(d);
		vb_sleep_ms(20);
	}
	return -1;
}

static bool cmdline_has(const char *word)
{
	char buf[4096];
	size_t wl = strlen(word);
	ssize_t n;
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *p = buf; (p = strstr(p, word)); p += wl)
		if ((p == buf || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\n' || !p[wl]))
			return true;
	return false;
}

int agent_guest_init(int argc, char **argv)
{
	char *serve_argv[] = {"serve", "--probes=breakdown", NULL};
	char dev[300];
	int fd;

	(void)argc;
	(void)argv;
	if (mount_all())
		vb_warn("guest: carrying on without some mounts");
	/* The tool's --verbose, passed on: libbpf's and the agent's notes go to the console. */
	if (cmdline_has("vbench.verbose=1"))
		vb_verbose = true;
	if (insert_modules())
		vb_warn("guest: some modules did not load; disk or net workloads may fail");
	net_up();
	if (find_port(dev, sizeof(dev))) {
		vb_err("guest: no virtio-serial port named %s (is virtio_console loaded? "
		       "does the domain have the channel?); powering off",
		       GUEST_AGENT_PORT);
		power_off();
	}
	/*
	 * A virtio port opens once only, so serve on stdin/stdout rather than
	 * opening it twice; stderr stays on the console for the log. A write
	 * blocks until the tool connects, and a read sees end of input when it
	 * goes away: either way the loop ends and the guest powers off.
	 */
	fd = open(dev, O_RDWR | O_NOCTTY);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0) {
		vb_err("guest: cannot open %s: %s; powering off", dev, strerror(errno));
		power_off();
	}
	if (fd > 1)
		close(fd);
	if (!cmdline_has("vbench.breakdown=1"))
		serve_argv[1] = "--probes";
	if (cmdline_has("vbench.probes=0"))
		serve_argv[1] = NULL;
	if (cmd_serve(serve_argv[1] ? 2 : 1, serve_argv) != VB_EXIT_OK)
		vb_err("guest: the serve loop failed; powering off");
	power_off();
}
