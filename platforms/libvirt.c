// SPDX-License-Identifier: GPL-2.0
/*
 * qemu and kvm: the agent as /init of a libvirt guest. One driver for both;
 * they differ in the domain type alone (domain_xml.c), so a KVM/QEMU ratio
 * measures the accelerator and nothing else.
 *
 * prepare: Debian's kernel (cached), an initramfs holding the agent and the
 * virtio modules, a sparse disk image. start: a transient domain created
 * with AUTODESTROY, so libvirt ends it when our connection goes, even if we
 * are killed; then the agent's hello over its virtio-serial port.
 *
 * Knobs (-O, run --vary): net (user: SLIRP; tap: a bridge and a network
 * namespace of ours, guest_net.h; passt), vcpus, thp (the guest kernel's
 * transparent_hugepage=) and, for qemu, tcg-threads (TCG's thread mode,
 * which libvirt's XML does not expose: a wrapper around QEMU that adds it
 * to libvirt's -accel tcg).
 */
#include <dirent.h>
#include <json.h>
#include <grp.h>
#include <pwd.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "domain_xml.h"
#include "guest_kernel.h"
#include "guest_net.h"
#include "initramfs.h"
#include "platform.h"
#include "util_log.h"
#include "util_sys.h"

#define DEFAULT_URI	    "qemu:///system"
#define DOMAIN_PREFIX	    "vbench-trace-"
#define OWNER_FMT	    "vbench-trace owner pid=%d start=%llu"
#define GUEST_MEMORY_MIB    1024
#define GUEST_MAX_VCPUS	    2
#define DISK_HEADER_ROOM    (64ULL << 20) /* the disk workloads' header and slack */
#define DISK_MIN_BYTES	    (256ULL << 20)
#define SLOW_CAPS_MS	    2000 /* a capabilities call this slow: libvirt re-probes QEMU */
#define QEMU_USER	    "libvirt-qemu" /* Debian's libvirt runs QEMU as this user */
#define HELLO_TIMEOUT_S	    120		   /* TCG on a loaded 2-core host has needed more than 60 */
#define POWEROFF_TIMEOUT_MS 5000
#define CONSOLE_TAIL_LINES  6
/*
 * Quiet and lean: fewer console lines and no needless probing save whole
 * seconds under TCG. panic=-1 turns a guest panic into a reboot, which
 * on_reboot='destroy' turns into the domain's end.
 */
#define KERNEL_CMDLINE                                                         \
	"console=ttyS0 quiet loglevel=4 panic=-1 tsc=reliable no_timer_check " \
	"8250.nr_uarts=1 random.trust_cpu=on"

struct guest {
	const char *type; /* the domain type: qemu or kvm */
	const char *uri;
	virConnectPtr conn;
	virDomainPtr dom;
	char name[64];
	char dir[PATH_MAX];
	bool dir_is_ours; /* outside the work dir: removed whole at teardown */
	char kernel[PATH_MAX], initrd[PATH_MAX], disk[PATH_MAX];
	char log[PATH_MAX], sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char tmp_dir[PATH_MAX];	 /* a private dir for files whose path was too long, or "" */
	bool log_named;		 /* an error message points at the console log: keep it */
	char keep_dir[PATH_MAX]; /* where console logs that errors name are kept */
	struct guest_tap tap;	 /* net=tap: the bridge and namespace, made at prepare */
	char emulator[PATH_MAX]; /* tcg-threads: the wrapper QEMU is started through, or "" */
};

static const char *const disk_cache_values[] = {
	"none", "writeback", "writethrough", "directsync", "unsafe", "default", NULL};
static const char *const net_values[] = {"user", "tap", "passt", NULL};
static const char *const thp_values[] = {"default", "always", "madvise", "never", NULL};
static const char *const tcg_thread_values[] = {"default", "single", "multi", NULL};

static int net_supported(const struct platform_env *env, const char *value, char *why, size_t n);
static int vcpus_supported(const struct platform_env *env, const char *value, char *why, size_t n);
static int tcg_threads_supported(const struct platform_env *env, const char *value, char *why,
				 size_t n);

#define STR(x)	#x
#define XSTR(x) STR(x)

/*
 * qemu's options; kvm's are the same but the first (TCG's thread mode):
 * kvm_options points past it.
 */
static const struct platform_option qemu_options[] = {
	{.name = "tcg-threads",
	 .values = tcg_thread_values,
	 .def = "default",
	 .help = "TCG's threads: single (one for all vCPUs), multi (one per vCPU); default: "
		 "QEMU's (multi with more than one vCPU)",
	 .supported = tcg_threads_supported},
	{.name = "disk-cache",
	 .values = disk_cache_values,
	 .def = "none",
	 .help = "libvirt's cache mode for the guest's disk (none: O_DIRECT on the host)"},
	{.name = "libvirt-uri",
	 .def = DEFAULT_URI,
	 .help = "the libvirt connection that runs the guests"},
	{.name = "net",
	 .values = net_values,
	 .def = "user",
	 .help = "the guest's network: user (SLIRP in QEMU), tap (a tap on a bridge of ours to a "
		 "network namespace the net-server listens in), passt",
	 .supported = net_supported},
	{.name = "vcpus",
	 .def = XSTR(GUEST_MAX_VCPUS),
	 .help = "the guest's vCPUs, 1 to the host's cpus (the default is lowered to the host's "
		 "cpus)",
	 .supported = vcpus_supported},
	{.name = "thp",
	 .values = thp_values,
	 .def = "default",
	 .help = "transparent_hugepage= on the guest kernel's command line (default: the guest "
		 "kernel's own setting)"},
	{0},
};
#define kvm_options (&qemu_options[1])

static unsigned int domain_seq;

static void quiet_libvirt(void *opaque, virErrorPtr err)
{
	/* libvirt prints every error by default; ours carry it in their one line. */
	(void)opaque;
	(void)err;
}

static const char *libvirt_msg(void)
{
	const char *m = virGetLastErrorMessage();

	return m && *m ? m : "unknown libvirt error";
}

static const char *uri_of(const struct platform_env *env)
{
	return platform_option_value(kvm_options, env, "libvirt-uri");
}

/* Why a connection failed, in the words a user acts on. */
static void connect_error(const char *uri, char *out, size_t n)
{
	const char *m = libvirt_msg();

	if (strstr(m, "Permission denied") || strstr(m, "authentication"))
		snprintf(out, n,
			 "permission denied on libvirt's socket at %s: %s (run as root, or as a "
			 "member of group libvirt)",
			 uri, m);
	else if (geteuid() != 0)
		snprintf(out, n,
			 "cannot connect to libvirt at %s as uid %d: %s (run as root: "
			 "qemu:///system lets others in only through polkit or group libvirt)",
			 uri, (int)geteuid(), m);
	else
		snprintf(out, n,
			 "cannot connect to libvirt at %s (is libvirtd running? 'bash "
			 "platforms/setup.sh' starts it): %s",
			 uri, m);
}

/* "qemu:///system" and "qemu+unix:///system" name no host; "qemu+ssh://h/system" does. */
static int uri_is_local(const char *uri)
{
	const char *p = strstr(uri, "://");

	return p && p[3] == '/';
}

static virConnectPtr connect_to(const char *uri)
{
	virSetErrorFunc(NULL, quiet_libvirt);
	return virConnectOpen(uri);
}

/* Does libvirt offer domains of this type for x86_64 guests? */
static int offers_type(virConnectPtr conn, const char *type)
{
	char *caps = virConnectGetCapabilities(conn), *arch, *end, want[64];
	int found = 0;

	if (!caps)
		return 0;
	arch = strstr(caps, "<arch name='x86_64'>");
	end = arch ? strstr(arch, "</arch>") : NULL;
	if (arch && end) {
		*end = '\0';
		snprintf(want, sizeof(want), "<domain type='%s'", type);
		found = strstr(arch, want) != NULL;
	}
	free(caps);
	return found;
}

/* The host's cpus: the most vCPUs a guest gets, so vCPUs never wait for each other's cpu. */
static long host_cpus(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus > 0 ? cpus : 1;
}

/* A whole number 1..host cpus, or -1. */
static int parse_vcpus(const char *value)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < 1 || v > host_cpus())
		return -1;
	return (int)v;
}

static int vcpus_supported(const struct platform_env *env, const char *value, char *why, size_t n)
{
	(void)env;
	if (parse_vcpus(value) > 0)
		return 0;
	snprintf(why, n,
		 "a whole number from 1 to %ld, this host's cpus (more vCPUs than cpus "
		 "would measure the host's scheduler)",
		 host_cpus());
	return -1;
}

/* The vCPUs of a guest: the knob's value; its default lowered to the host's cpus. */
static int guest_vcpus(const struct platform *p)
{
	int v = parse_vcpus(platform_opt(p, "vcpus"));

	if (v > 0)
		return v;
	return host_cpus() < GUEST_MAX_VCPUS ? (int)host_cpus() : GUEST_MAX_VCPUS;
}

/* Is prog an executable in PATH? */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	for (const char *d = path && *path ? path : "/usr/bin:/bin"; *d;) {
		size_t len = strcspn(d, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, d, prog);
		if (!access(buf, X_OK))
			return true;
		d += len + (d[len] == ':');
	}
	return false;
}

/* Does libvirt take a passt backend? It parses a domain into QEMU's argv without starting it. */
#define PASST_PROBE_XML                                                        \
	"<domain type='qemu'><name>" DOMAIN_PREFIX "passt-probe</name>"        \
	"<memory unit='MiB'>64</memory><vcpu>1</vcpu>"                         \
	"<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"        \
	"<interface type='user'><backend type='passt'/><model type='virtio'/>" \
	"</interface></devices></domain>"

static int passt_supported(const struct platform_env *env, char *why, size_t n)
{
	const char *uri = uri_of(env);
	virConnectPtr conn = connect_to(uri);
	char *argv;

	if (!conn) {
		connect_error(uri, why, n);
		return -1;
	}
	argv = virConnectDomainXMLToNative(conn, "qemu-argv", PASST_PROBE_XML, 0);
	if (!argv) {
		snprintf(why, n,
			 "libvirt at %s does not take <backend type='passt'/>: %s (a newer libvirt "
			 "has it; use -O net=tap meanwhile)",
			 uri, libvirt_msg());
		virConnectClose(conn);
		return -1;
	}
	free(argv);
	virConnectClose(conn);
	if (uri_is_local(uri) && !in_path("passt")) {
		snprintf(why, n, "passt is not installed (apt-get install passt)");
		return -1;
	}
	return 0;
}

static int net_supported(const struct platform_env *env, const char *value, char *why, size_t n)
{
	if (!strcmp(value, "passt"))
		return passt_supported(env, why, n);
	if (strcmp(value, "tap"))
		return 0;
	if (!uri_is_local(uri_of(env))) {
		snprintf(why, n,
			 "its bridge is made on this host, but libvirt at %s is remote "
			 "(use net=user there)",
			 uri_of(env));
		return -1;
	}
	return guest_tap_possible(why, n);
}

static int tcg_threads_supported(const struct platform_env *env, const char *value, char *why,
				 size_t n)
{
	if (!strcmp(value, "default") || uri_is_local(uri_of(env)))
		return 0;
	/* The wrapper that sets the mode is a file here; a remote libvirtd cannot start it. */
	snprintf(why, n,
		 "QEMU is started through a wrapper on this host, but libvirt at %s is "
		 "remote (leave tcg-threads at default there)",
		 uri_of(env));
	return -1;
}

/*
 * The knobs set on the command line that this machine cannot use: the
 * platform fails at prepare, saying why, rather than measure something else.
 */
static int check_settings(struct platform *p)
{
	const struct platform_env *env = p->env;
	char why[1024];

	for (int i = 0; i < env->nr_settings; i++) {
		const struct platform_option *o =
			platform_option_find(p->ops, env->settings[i].name);

		if (!o || !o->supported ||
		    !o->supported(env, env->settings[i].value, why, sizeof(why)))
			continue;
		vb_err("%s: -O %s=%s cannot be used here: %s", p->ops->name, o->name,
		       env->settings[i].value, why);
		return -1;
	}
	return 0;
}

static int check_kvm_device(char *reason, size_t n)
{
	struct stat st;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		snprintf(reason, n,
			 "/dev/kvm not present: no hardware virtualization "
			 "(enable VT-x/AMD-V or nested virtualization, or use -p qemu)");
		return -1;
	}
	if (fd < 0) {
		snprintf(reason, n, "cannot open /dev/kvm: %s (run as root, or use -p qemu)",
			 strerror(errno));
		return -1;
	}
	fstat(fd, &st);
	close(fd);
	/*
	 * A /dev/kvm without VT-x or AMD-V behind it (kvm_pvm, say) runs only
	 * guest kernels built for it: Debian's hangs while booting.
	 */
	if (access("/sys/module/kvm_intel", F_OK) && access("/sys/module/kvm_amd", F_OK)) {
		snprintf(reason, n,
			 "/dev/kvm is not hardware virtualization here (neither "
			 "kvm_intel nor kvm_amd is loaded%s): a stock guest kernel does "
			 "not boot on it (use -p qemu)",
			 access("/sys/module/kvm_pvm", F_OK) ? "" : "; it is kvm_pvm");
		return -1;
	}
	/* QEMU runs as libvirt-qemu (group kvm), not as us. */
	if (!(st.st_mode & 0066)) {
		snprintf(reason, n,
			 "/dev/kvm is root's alone (mode %03o): QEMU's user cannot open "
			 "it (run 'bash platforms/setup.sh', which gives it to group kvm)",
			 st.st_mode & 0777);
		return -1;
	}
	return 0;
}

static int guest_available(const char *type, const struct platform_env *env, char *reason, size_t n)
{
	const char *uri = uri_of(env);
	virConnectPtr conn;
	int ok;

	if (!strcmp(type, "kvm") && check_kvm_device(reason, n))
		return -1;
	if (access(env->agent_path, R_OK)) {
		snprintf(reason, n, "agent %s is missing (run 'make')", env->agent_path);
		return -1;
	}
	conn = connect_to(uri);
	if (!conn) {
		connect_error(uri, reason, n);
		return -1;
	}
	ok = offers_type(conn, type);
	virConnectClose(conn);
	if (ok)
		return 0;
	if (!strcmp(type, "kvm"))
		snprintf(reason, n,
			 "libvirt at %s offers no 'kvm' domains for x86_64 (restart "
			 "libvirtd once /dev/kvm works, or use -p qemu)",
			 uri);
	else
		snprintf(reason, n,
			 "libvirt at %s offers no 'qemu' domains for x86_64 "
			 "(install qemu-system-x86, then restart libvirtd)",
			 uri);
	return -1;
}

static int qemu_available(const struct platform_env *env, char *reason, size_t n)
{
	return guest_available("qemu", env, reason, n);
}

static int kvm_available(const struct platform_env *env, char *reason, size_t n)
{
	return guest_available("kvm", env, reason, n);
}

/*
 * QEMU runs as libvirt-qemu and must reach our files: every directory on
 * the way needs others' search permission.
 */
static int reachable(const char *path)
{
	char buf[PATH_MAX], *slash;
	struct stat st;

	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		if (stat(buf, &st) || (st.st_mode & 0001) == 0)
			return 0;
		slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return 1;
		*slash = '\0';
	}
}

/*
 * A suite's work dir is often private (mkdtemp makes it 0700). Letting
 * others search it, not list it, is enough for QEMU to open our files.
 */
static void allow_search(const char *dir)
{
	char parent[PATH_MAX], *slash;
	struct stat st;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent || stat(dir, &st))
		return;
	*slash = '\0';
	if (reachable(parent) && !(st.st_mode & 0001))
		chmod(dir, (st.st_mode & 07777) | 0001);
}

/* Removes the files a guest dir holds (disk, initramfs, logs, sockets), then the dir. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(dir);
}

#define FALLBACK_DIR "/var/lib/libvirt/images"

/* Guest dirs of suites that were killed before their teardown. */
static void remove_stale_dirs(void)
{
	DIR *d = opendir(FALLBACK_DIR);
	struct dirent *e;
	char path[PATH_MAX];
	int pid;

	while (d && (e = readdir(d))) {
		if (sscanf(e->d_name, DOMAIN_PREFIX "%d-", &pid) != 1 || pid <= 0 ||
		    !kill(pid, 0) || errno != ESRCH)
			continue;
		if (!vb_pathf(path, sizeof(path), FALLBACK_DIR "/%s", e->d_name))
			remove_dir(path);
	}
	if (d)
		closedir(d);
}

static int make_dir(struct platform *p, struct guest *g)
{
	const char *name = p->ops->name;

	allow_search(p->env->work_dir);
	if (vb_pathf(g->dir, sizeof(g->dir), "%s/%s-guest", p->env->work_dir, name) ||
	    (mkdir(g->dir, 0755) && errno != EEXIST))
		goto fail;
	chmod(g->dir, 0755);
	if (reachable(g->dir))
		return 0;
	/* Out of QEMU's reach: use libvirt's own images directory, and clean it at teardown. */
	rmdir(g->dir);
	snprintf(g->dir, sizeof(g->dir), FALLBACK_DIR "/" DOMAIN_PREFIX "%d-%s", (int)getpid(),
		 name);
	g->dir_is_ours = true;
	mkdir(FALLBACK_DIR, 0711);
	remove_stale_dirs();
	if (mkdir(g->dir, 0755) && errno != EEXIST)
		goto fail;
	chmod(g->dir, 0755);
	return 0;
fail:
	vb_err("%s: cannot create %s: %s (is the work directory writable?)", name, g->dir,
	       strerror(errno));
	return -1;
}

static int build_initramfs(struct platform *p, struct guest *g, const struct guest_kernel *gk)
{
	static const char *const dirs[] = {"dev", "proc", "sys", "tmp", "lib", GUEST_MODULES_DIR};
	struct initramfs *ir;
	char order[1024] = "", name[256], src[PATH_MAX * 2];
	int err;

	ir = vb_pathf(g->initrd, sizeof(g->initrd), "%s/initramfs.gz", g->dir)
		     ? NULL
		     : initramfs_open(g->initrd);
	if (!ir) {
		vb_err("%s: cannot write %s: %s", p->ops->name, g->initrd, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		initramfs_add_dir(ir, dirs[i], 0755);
	/* The kernel opens it for /init's stdin, stdout and stderr before devtmpfs exists. */
	initramfs_add_chardev(ir, "dev/console", 0600, 5, 1);
	initramfs_add_copy(ir, "init", 0755, p->env->agent_path);
	for (int i = 0; i < guest_kernel_nr_modules; i++) {
		snprintf(name, sizeof(name), GUEST_MODULES_DIR "/%s.ko", guest_kernel_modules[i]);
		snprintf(src, sizeof(src), "%s/%s.ko", gk->modules, guest_kernel_modules[i]);
		initramfs_add_copy(ir, name, 0644, src);
		strncat(order, guest_kernel_modules[i], sizeof(order) - strlen(order) - 2);
		strcat(order, "\n");
	}
	initramfs_add_file(ir, GUEST_MODULES_ORDER, 0644, order, strlen(order));
	err = initramfs_close(ir);
	if (err) {
		vb_err("%s: cannot build the initramfs %s from %s and %s: %s", p->ops->name,
		       g->initrd, p->env->agent_path, gk->modules, strerror(-err));
		return -1;
	}
	return 0;
}

static int make_disk(struct platform *p, struct guest *g)
{
	unsigned long long bytes = p->env->disk_file_bytes;
	int fd;

	if (bytes < DISK_MIN_BYTES)
		bytes = DISK_MIN_BYTES;
	bytes += DISK_HEADER_ROOM;
	fd = vb_pathf(g->disk, sizeof(g->disk), "%s/disk.raw", g->dir)
		     ? -1
		     : vb_create_fresh(g->disk, 0644);
	/* Sparse: the disk workloads write what they read before they time it. */
	if (fd < 0 || ftruncate(fd, (off_t)bytes)) {
		vb_err("%s: cannot create the disk image %s: %s (is there room in %s?)",
		       p->ops->name, g->disk, strerror(errno), g->dir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fchmod(fd, 0644);
	close(fd);
	return 0;
}

/*
 * A private directory for files whose path in the guest dir would be too
 * long: mkdtemp's name cannot be planted beforehand. QEMU's user must reach
 * it (search), not list it.
 */
static int make_tmp_dir(struct guest *g)
{
	if (g->tmp_dir[0])
		return 0;
	snprintf(g->tmp_dir, sizeof(g->tmp_dir), "/tmp/" DOMAIN_PREFIX "XXXXXX");
	if (!mkdtemp(g->tmp_dir)) {
		vb_err("%s: cannot make a private directory in /tmp: %s (is /tmp writable?)",
		       g->type, strerror(errno));
		g->tmp_dir[0] = '\0';
		return -1;
	}
	chmod(g->tmp_dir, 0711);
	return 0;
}

/* Names the files of this domain; they go to a private dir if the path would be too long. */
static int name_files(struct guest *g)
{
	snprintf(g->name, sizeof(g->name), DOMAIN_PREFIX "%d-%u", (int)getpid(), ++domain_seq);
	if (vb_pathf(g->log, sizeof(g->log), "%s/%s.console.log", g->dir, g->name) &&
	    (make_tmp_dir(g) ||
	     vb_pathf(g->log, sizeof(g->log), "%s/%s.console.log", g->tmp_dir, g->name)))
		return -1;
	/* A unix socket's path is short (108 bytes). */
	if (vb_pathf(g->sock, sizeof(g->sock), "%s/%s.sock", g->dir, g->name) &&
	    (make_tmp_dir(g) ||
	     vb_pathf(g->sock, sizeof(g->sock), "%s/%s.sock", g->tmp_dir, g->name))) {
		vb_err("%s: no short enough path for the agent's socket (%s)", g->type, g->tmp_dir);
		return -1;
	}
	unlink(g->sock);
	return 0;
}

/* Who owns a domain, in its <description>: the next run sweeps it once this process is gone. */
static void owner_description(char *buf, size_t n)
{
	unsigned long long start = 0;

	vb_proc_start_time(getpid(), &start);
	snprintf(buf, n, OWNER_FMT, (int)getpid(), start);
}

/*
 * Is the domain an orphan: its owner (pid and start time from the
 * description; the pid in the name for domains without one) gone?
 */
static bool domain_orphaned(virDomainPtr dom, const char *name, int *owner)
{
	char *desc = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, 0);
	unsigned long long start;
	bool orphan;

	*owner = 0;
	if (desc && sscanf(desc, OWNER_FMT, owner, &start) == 2) {
		orphan = !vb_proc_alive(*owner, start);
	} else if (sscanf(name, DOMAIN_PREFIX "%d-", owner) == 1 && *owner > 0) {
		/* Without a start time a reused pid looks alive: leave it then. */
		orphan = kill(*owner, 0) && errno == ESRCH;
	} else {
		orphan = false;
	}
	free(desc);
	return orphan;
}

/*
 * Destroys the domains of runs that are gone: AUTODESTROY ends a domain
 * when our connection goes, but not when libvirtd restarted meanwhile (the
 * QEMU process lives on). A live run's domain is never touched.
 */
static void sweep_orphans(virConnectPtr conn, const char *type)
{
	virDomainPtr *doms = NULL;
	int nr = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

	for (int i = 0; i < nr; i++) {
		const char *name = virDomainGetName(doms[i]);
		int owner;

		if (name && !strncmp(name, DOMAIN_PREFIX, strlen(DOMAIN_PREFIX)) &&
		    domain_orphaned(doms[i], name, &owner)) {
			if (virDomainDestroy(doms[i]))
				vb_warn("%s: cannot destroy domain %s left by a run that is gone "
					"(pid %d): %s (try 'virsh destroy %s')",
					type, name, owner, libvirt_msg(), name);
			else
				vb_warn("%s: destroyed domain %s, left by a run that is gone "
					"(pid %d)",
					type, name, owner);
		}
		virDomainFree(doms[i]);
	}
	free(doms);
}

static void sweep(struct platform *p)
{
	virConnectPtr conn = connect_to(uri_of(p->env));

	if (!conn)
		return;
	sweep_orphans(conn, p->ops->name);
	virConnectClose(conn);
}

static const char *cache_of(const struct platform_env *env)
{
	return env->cache_dir && *env->cache_dir ? env->cache_dir : PLATFORM_CACHE_DIR;
}

/* libvirt's QEMU for x86_64 guests, from its capabilities: what the wrapper execs. */
static int default_emulator(struct guest *g, char *out, size_t n)
{
	char *caps = virConnectGetCapabilities(g->conn), *a, *b;
	int err = -1;

	a = caps ? strstr(caps, "<arch name='x86_64'>") : NULL;
	a = a ? strstr(a, "<emulator>") : NULL;
	b = a ? strstr(a, "</emulator>") : NULL;
	if (b) {
		a += strlen("<emulator>");
		snprintf(out, n, "%.*s", (int)(b - a), a);
		/* It goes into a shell script: a plain path only. */
		err = *out == '/' && strspn(out, "abcdefghijklmnopqrstuvwxyz"
						 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") ==
					      strlen(out)
			      ? 0
			      : -1;
	}
	free(caps);
	return err;
}

/*
 * tcg-threads: libvirt 9.0's domain XML has no place for TCG's thread
 * mode, and a second -accel on QEMU's command line is ignored (the first
 * that works wins). So QEMU is started through a wrapper that adds
 * thread=MODE to libvirt's own "-accel tcg". It lives at a fixed path in
 * the cache, rewritten only when its text changes, so libvirt probes its
 * capabilities once rather than at every run.
 */
static const char TCG_WRAPPER_FMT[] =
	"#!/bin/sh\n"
	"# Written by vbench-trace for tcg-threads=%s: QEMU with thread=%s added to\n"
	"# libvirt's -accel tcg (libvirt's domain XML cannot set TCG's thread mode).\n"
	"n=$#\n"
	"prev=\n"
	"while [ \"$n\" -gt 0 ]; do\n"
	"\ta=$1\n"
	"\tshift\n"
	"\tn=$((n - 1))\n"
	"\tif [ \"$prev\" = -accel ]; then\n"
	"\t\tcase \"$a\" in tcg | tcg,*) a=\"$a,thread=%s\" ;; esac\n"
	"\tfi\n"
	"\tset -- \"$@\" \"$a\"\n"
	"\tprev=$a\n"
	"done\n"
	"exec %s \"$@\"\n";

/* A directory only we may change: what QEMU is started through lives in it. */
static bool only_ours(const char *dir)
{
	struct stat st;

	return !lstat(dir, &st) && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	       !(st.st_mode & 022);
}

static int tcg_wrapper(struct platform *p, struct guest *g, const char *mode)
{
	struct stat st;
	char qemu[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX], text[4096], old[4096];
	int fd, len;
	bool bad;
	ssize_t got = -1;

	if (default_emulator(g, qemu, sizeof(qemu))) {
		vb_err("%s: libvirt at %s names no plain QEMU binary for x86_64 guests in its "
		       "capabilities (leave tcg-threads at default)",
		       g->type, g->uri);
		return -1;
	}
	len = snprintf(text, sizeof(text), TCG_WRAPPER_FMT, mode, mode, mode, qemu);
	if (vb_pathf(dir, sizeof(dir), "%s/qemu-tcg", cache_of(p->env)) ||
	    vb_pathf(g->emulator, sizeof(g->emulator), "%s/qemu-tcg-%s", dir, mode) ||
	    vb_pathf(tmp, sizeof(tmp), "%s/.qemu-tcg-%s.%d", dir, mode, (int)getpid()) ||
	    (vb_mkdir_p(dir, 0755) && errno != EEXIST))
		goto fail;
	if (!only_ours(cache_of(p->env)) || !only_ours(dir)) {
		vb_err("%s: %s or %s may be changed by others than uid %d: no QEMU wrapper for "
		       "tcg-threads goes there (chmod go-w them, or give --cache-dir a private "
		       "one)",
		       g->type, cache_of(p->env), dir, (int)geteuid());
		g->emulator[0] = '\0';
		return -1;
	}
	chmod(dir, 0755); /* QEMU's user execs what is in it */
	fd = open(g->emulator, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	/* Kept only when it is ours, closed to others, and says what we would write. */
	if (fd >= 0 && !fstat(fd, &st) && st.st_uid == geteuid() && !(st.st_mode & 022))
		got = read(fd, old, sizeof(old));
	if (fd >= 0)
		close(fd);
	if (got == len && !memcmp(old, text, (size_t)len))
		goto reach;
	unlink(tmp); /* a killed run's, of a pid that came round again */
	fd = vb_create_fresh(tmp, 0755);
	if (fd < 0)
		goto fail;
	bad = vb_write_all(fd, text, (size_t)len) || fchmod(fd, 0755);
	bad |= close(fd) != 0;
	if (bad || rename(tmp, g->emulator)) {
		unlink(tmp);
		goto fail;
	}
reach:
	if (reachable(g->emulator))
		return 0;
	vb_err("%s: QEMU's user cannot reach %s (let others search the directories above it, "
	       "or give --cache-dir a reachable one)",
	       g->type, g->emulator);
	g->emulator[0] = '\0';
	return -1;
fail:
	vb_err("%s: cannot write the tcg-threads wrapper %s: %s (is %s writable?)", g->type,
	       g->emulator, strerror(errno), cache_of(p->env));
	g->emulator[0] = '\0';
	return -1;
}

static int guest_prepare(struct platform *p)
{
	const char *cache = cache_of(p->env);
	struct guest_kernel gk;
	struct guest *g = p->priv;
	char why[1024];

	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g)
			return -ENOMEM;
		g->type = p->ops->name;
		p->priv = g;
	}
	if (check_settings(p))
		return -1;
	sweep(p);
	guest_tap_sweep();
	if (guest_kernel_get(cache, &gk, why, sizeof(why))) {
		vb_err("%s: no guest kernel: %s", p->ops->name, why);
		return -1;
	}
	snprintf(g->kernel, sizeof(g->kernel), "%s", gk.kernel);
	vb_pathf(g->keep_dir, sizeof(g->keep_dir), "%s/console-logs", cache);
	if (make_dir(p, g) || build_initramfs(p, g, &gk) || make_disk(p, g))
		return -1;
	/* Last: a prepare that fails gets no teardown, and this removes itself on failure. */
	if (!strcmp(platform_opt(p, "net"), "tap") && !g->tap.ns[0] &&
	    guest_tap_create(&g->tap, g->type, why, sizeof(why))) {
		vb_err("%s: cannot make the tap network: %s", g->type, why);
		return -1;
	}
	return 0;
}

/*
 * The last lines of the console log, on one line, for an error message; a
 * kernel panic's reason first, since the stack trace after it hides it.
 */
static void console_tail(const char *log, char *out, size_t n)
{
	char buf[16384], *lines[CONSOLE_TAIL_LINES], *panic = NULL, *save = NULL, *l;
	int fd = open(log, O_RDONLY | O_CLOEXEC), nr = 0;
	off_t size;
	ssize_t got;

	snprintf(out, n, "(console log %.900s is empty)", log);
	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	lseek(fd, size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0, SEEK_SET);
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return;
	buf[got] = '\0';
	for (l = strtok_r(buf, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
		if (!panic && strstr(l, "Kernel panic"))
			panic = l;
		if (nr == CONSOLE_TAIL_LINES)
			memmove(lines, lines + 1, sizeof(lines[0]) * --nr);
		lines[nr++] = l;
	}
	snprintf(out, n, "console (%.900s)%s%.300s; it ends:", log, panic ? " says " : "",
		 panic ? panic : "");
	for (int i = 0; i < nr; i++) {
		size_t len = strlen(out);

		snprintf(out + len, n - len, "%s %s", i ? " |" : "", lines[i]);
	}
}

static pid_t qemu_pid(struct guest *g)
{
	char path[PATH_MAX];
	FILE *f;
	int pid = 0;

	/* Only a local libvirtd's QEMU is a process the host probes can follow. */
	if (!uri_is_local(g->uri)) {
		vb_warn("%s: libvirt is remote: host probes have no QEMU process to follow",
			g->type);
		return 0;
	}
	snprintf(path, sizeof(path), "/run/libvirt/qemu/%s.pid", g->name);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%d", &pid) != 1)
		vb_warn("%s: cannot read QEMU's pid from %s: host probes will not follow it",
			g->type, path);
	if (f)
		fclose(f);
	return pid;
}

static int connect_agent(struct guest *g)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = -1;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", g->sock);
	/* libvirt has usually made the socket by the time the domain is created; allow a moment. */
	for (int tries = 0; tries < 100; tries++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
	}
	return -errno;
}

static int domain_running(struct guest *g)
{
	return g->dom && virDomainIsActive(g->dom) == 1;
}

static int create_domain(struct platform *p, struct guest *g)
{
	const char *net = platform_opt(p, "net"), *thp = platform_opt(p, "thp");
	char cmdline[512], description[128], thp_arg[64] = "";
	struct domain_spec spec = {
		.name = g->name,
		.type = g->type,
		.vcpus = guest_vcpus(p),
		.memory_mib = GUEST_MEMORY_MIB,
		.kernel = g->kernel,
		.initrd = g->initrd,
		.cmdline = cmdline,
		.disk = g->disk,
		.disk_cache = platform_opt(p, "disk-cache"),
		.description = description,
		.console_log = g->log,
		.agent_socket = g->sock,
		.net = !strcmp(net, "tap")     ? DOMAIN_NET_BRIDGE
		       : !strcmp(net, "passt") ? DOMAIN_NET_PASST
					       : DOMAIN_NET_USER,
		.bridge = g->tap.bridge,
		.emulator = g->emulator,
	};
	char *xml;

	owner_description(description, sizeof(description));
	if (strcmp(thp, "default"))
		snprintf(thp_arg, sizeof(thp_arg), " transparent_hugepage=%s", thp);
	snprintf(cmdline, sizeof(cmdline),
		 KERNEL_CMDLINE "%s vbench.probes=%d vbench.breakdown=%d%s", thp_arg,
		 p->env->guest_probes ? 1 : 0, p->env->guest_breakdown ? 1 : 0,
		 vb_verbose ? " vbench.verbose=1" : "");
	xml = domain_xml_build(&spec);
	if (!xml) {
		vb_err("%s: cannot build the domain XML (out of memory?)", g->type);
		return -1;
	}
	g->dom = virDomainCreateXML(g->conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	free(xml);
	if (!g->dom) {
		vb_err("%s: cannot create domain %s: %s (see /var/log/libvirt/qemu/%s.log)",
		       g->type, g->name, libvirt_msg(), g->name);
		return -1;
	}
	return 0;
}

/*
 * The console log an error message names outlives the scratch directory:
 * a copy under the cache (console-logs/), made before the message names it.
 * If that fails the original is named and kept instead.
 */
static void keep_log(struct guest *g)
{
	char kept[PATH_MAX], buf[65536];
	int in, out = -1;
	ssize_t r;

	g->log_named = true;
	if (!g->keep_dir[0] || vb_mkdir_p(g->keep_dir, 0700) ||
	    vb_pathf(kept, sizeof(kept), "%s/%s.console.log", g->keep_dir, g->name))
		return;
	in = open(g->log, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in >= 0)
		out = openat(AT_FDCWD, kept, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     0600);
	while (out >= 0 && (r = read(in, buf, sizeof(buf))) > 0)
		if (vb_write_all(out, buf, (size_t)r))
			break;
	if (in >= 0)
		close(in);
	if (out < 0)
		return;
	if (close(out)) {
		unlink(kept);
		return;
	}
	snprintf(g->log, sizeof(g->log), "%s", kept);
	g->log_named = false; /* the copy is safe: the original may go with its dir */
}

static bool libvirtd_lost(struct guest *g)
{
	return g->conn && virConnectIsAlive(g->conn) != 1;
}

/* Says why the guest gave nothing: libvirtd gone, the guest gone, or time up. */
static void report_silence(struct guest *g, int err, int limit_s, const char *waiting_for)
{
	char tail[2048];

	if (libvirtd_lost(g)) {
		vb_err("%s: lost the connection to libvirtd at %s while waiting for %s of guest "
		       "%s (libvirtd died or restarted; the next run destroys the guest if it "
		       "lives on, and a paused QEMU may hold its disk image until libvirtd "
		       "returns)",
		       g->type, g->uri, waiting_for, g->name);
		return;
	}
	keep_log(g);
	console_tail(g->log, tail, sizeof(tail));
	if (err == -ETIMEDOUT && domain_running(g))
		vb_err("%s: guest %s gave no %s within %d s; %s", g->type, g->name, waiting_for,
		       limit_s, tail);
	else if (!strcmp(waiting_for, "hello"))
		vb_err("%s: the guest stopped before its agent said hello; %s", g->type, tail);
	else
		vb_err("%s: guest %s stopped (its QEMU process ended) before %s; %s", g->type,
		       g->name, waiting_for, tail);
}

static int wait_hello(struct platform *p, struct guest *g)
{
	long long deadline = vb_now_ms() + HELLO_TIMEOUT_S * 1000LL;
	int err = -ETIMEDOUT;

	/* In slices, so that a guest that died is reported at once, not after the timeout. */
	while (vb_now_ms() < deadline && domain_running(g)) {
		err = platform_wait_hello(p, 1);
		if (err != -ETIMEDOUT)
			break;
	}
	if (!err)
		return 0;
	if (err == -EINTR) {
		/* Ctrl-C: the guest did not fail, and its console would say so. */
		vb_err("%s: interrupted while the guest booted; the results so far are kept",
		       g->type);
		return -1;
	}
	report_silence(g, err, HELLO_TIMEOUT_S, "hello");
	/* -ETIMEDOUT only for a guest still running but silent: worth a second boot. */
	return err == -ETIMEDOUT && domain_running(g) ? -ETIMEDOUT : -1;
}

/* A run's result; when none comes, the reason named (libvirtd, QEMU, the limit). */
static int guest_collect(struct platform *p, char **json, int timeout_s)
{
	struct guest *g = p->priv;
	int err = platform_link_collect(p, json, timeout_s);

	if (err && err != -EINTR && g)
		report_silence(g, err, timeout_s, "result");
	return err;
}

/*
 * What the guest's agent says in hello about the knobs: its cpus (the vCPUs
 * asked for?) and its kernel's THP mode (the thp knob's, when set?). A
 * warning where they differ.
 */
static void check_hello(struct platform *p, struct guest *g)
{
	struct json_object *hello = p->hello ? json_tokener_parse(p->hello) : NULL, *v;
	const char *thp = platform_opt(p, "thp"), *mode = "";
	int want = guest_vcpus(p), have = 0;
	char bracketed[32];

	if (hello && json_object_object_get_ex(hello, "cpus", &v))
		have = json_object_get_int(v);
	if (hello && json_object_object_get_ex(hello, "thp", &v))
		mode = json_object_get_string(v);
	snprintf(bracketed, sizeof(bracketed), "[%s]", thp);
	vb_info("%s: guest %s has %d vCPUs; transparent_hugepage: %s", g->type, g->name, have,
		*mode ? mode : "(none)");
	if (have != want)
		vb_warn("%s: guest %s sees %d cpus where its domain has %d vCPUs (its kernel left "
			"some offline?)",
			g->type, g->name, have, want);
	if (strcmp(thp, "default") && *mode && !strstr(mode, bracketed))
		vb_warn("%s: guest %s runs transparent_hugepage %s, not %s as -O thp asked (its "
			"kernel did not take transparent_hugepage=%s)",
			g->type, g->name, mode, thp, thp);
	json_object_put(hello);
}

static void guest_stop(struct platform *p);

static int guest_start_once(struct platform *p)
{
	struct guest *g = p->priv;
	const char *tcg;
	double t0;
	int fd, err = -1;

	p->cmd_fd = -1;
	frame_reader_init(&p->out, -1);
	if (!g) {
		vb_err("%s: start before prepare", p->ops->name);
		return -EINVAL;
	}
	g->uri = uri_of(p->env);
	g->conn = connect_to(g->uri);
	if (!g->conn) {
		char why[1024];

		connect_error(g->uri, why, sizeof(why));
		vb_err("%s: %s", g->type, why);
		return -ECONNREFUSED;
	}
	if (name_files(g))
		goto fail;
	tcg = platform_opt(p, "tcg-threads");
	g->emulator[0] = '\0';
	if (tcg && strcmp(tcg, "default") && tcg_wrapper(p, g, tcg))
		goto fail;
	t0 = vb_now_s();
	if (create_domain(p, g))
		goto fail;
	vb_info("%s: domain %s created in %.2f s", g->type, g->name, vb_now_s() - t0);
	p->target_pid = qemu_pid(g);
	fd = connect_agent(g);
	if (fd < 0) {
		vb_err("%s: cannot connect to the agent's socket %s: %s", g->type, g->sock,
		       strerror(-fd));
		goto fail;
	}
	p->cmd_fd = fd;
	frame_reader_init(&p->out, fcntl(fd, F_DUPFD_CLOEXEC, 3));
	snprintf(p->disk_file, sizeof(p->disk_file), "/dev/vda");
	/* SLIRP maps its gateway to the host's loopback; with tap it is the namespace's veth. */
	snprintf(p->net_server, sizeof(p->net_server), GUEST_TAP_ADDR ":%d", p->env->net_port);
	snprintf(p->net_bind, sizeof(p->net_bind), "%s",
		 g->tap.ns[0] ? GUEST_TAP_ADDR : "127.0.0.1");
	snprintf(p->net_ns, sizeof(p->net_ns), "%s", g->tap.ns_path);
	err = wait_hello(p, g);
	if (err)
		goto fail;
	vb_info("%s: the agent said hello %.2f s after the domain's creation", g->type,
		vb_now_s() - t0);
	check_hello(p, g);
	return 0;
fail:
	guest_stop(p);
	return err < 0 ? err : -1;
}

/*
 * A guest that runs but never says hello is booted once more before its
 * cell fails: under TCG here one boot in about forty stayed silent, its
 * console empty, while the next booted as always. The first one's console
 * log is kept and named above.
 */
static int guest_start(struct platform *p)
{
	int err = guest_start_once(p);

	if (err == -ETIMEDOUT) {
		vb_warn("%s: booting a new guest once more", p->ops->name);
		err = guest_start_once(p);
	}
	return err;
}

static void wait_poweroff(struct guest *g, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms && domain_running(g); waited += 50)
		nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
}

static void guest_stop(struct platform *p)
{
	struct guest *g = p->priv;

	if (p->cmd_fd >= 0) {
		/* QUIT, then the socket's end: the guest powers off on either. */
		platform_link_run(p, "QUIT");
		close(p->cmd_fd);
		p->cmd_fd = -1;
	}
	if (p->out.fd >= 0) {
		close(p->out.fd);
		p->out.fd = -1;
	}
	frame_reader_free(&p->out);
	p->target_pid = 0;
	if (!g)
		return;
	if (g->dom) {
		wait_poweroff(g, POWEROFF_TIMEOUT_MS);
		if (domain_running(g) && virDomainDestroy(g->dom))
			vb_warn("%s: cannot destroy domain %s: %s (try 'virsh destroy %s')",
				g->type, g->name, libvirt_msg(), g->name);
		virDomainFree(g->dom);
		g->dom = NULL;
	}
	if (g->conn) {
		virConnectClose(g->conn);
		g->conn = NULL;
	}
	if (g->sock[0])
		unlink(g->sock);
}

/* Ends any domain this process started that is still there. */
static void destroy_leftovers(struct platform *p)
{
	virConnectPtr conn = connect_to(uri_of(p->env));
	virDomainPtr *doms = NULL;
	char prefix[64];
	int nr;

	if (!conn)
		return;
	snprintf(prefix, sizeof(prefix), DOMAIN_PREFIX "%d-", (int)getpid());
	nr = virConnectListAllDomains(conn, &doms, 0);
	for (int i = 0; i < nr; i++) {
		const char *name = virDomainGetName(doms[i]);

		if (name && !strncmp(name, prefix, strlen(prefix)) && virDomainIsActive(doms[i]))
			virDomainDestroy(doms[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
	virConnectClose(conn);
}

/* Removes the guest's files but a console log an error message named. */
static void remove_guest_files(struct guest *g)
{
	if (g->disk[0])
		unlink(g->disk);
	if (g->initrd[0])
		unlink(g->initrd);
	if (g->log_named)
		vb_info("%s: the console log %s is kept", g->type, g->log);
	if (g->tmp_dir[0] && !g->log_named)
		remove_dir(g->tmp_dir);
	else if (g->tmp_dir[0])
		rmdir(g->tmp_dir);
	/* Console logs stay with the work dir for diagnosis; elsewhere they go too,
	 * unless a message points at one. */
	if (g->dir_is_ours && !g->log_named)
		remove_dir(g->dir);
	else if (g->dir[0])
		rmdir(g->dir);
}

static void guest_teardown(struct platform *p)
{
	struct guest *g = p->priv;

	guest_stop(p);
	destroy_leftovers(p);
	p->net_ns[0] = '\0';
	if (!g)
		return;
	/* After the domains: libvirt has taken their taps off the bridge by then. */
	guest_tap_remove(&g->tap);
	remove_guest_files(g);
	free(g);
	p->priv = NULL;
}

/* QEMU's user (libvirt's, from qemu.conf, else Debian's default) and its groups. */
static int qemu_user(char *user, size_t n, gid_t *gids, int *nr_gids, uid_t *uid)
{
	char line[256], name[128];
	FILE *f = fopen("/etc/libvirt/qemu.conf", "re");
	struct passwd *pw;

	snprintf(user, n, QEMU_USER);
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " user = \"%127[^\"]\"", name) == 1)
			snprintf(user, n, "%s", name);
	if (f)
		fclose(f);
	pw = getpwnam(user);
	if (!pw)
		return -1;
	*uid = pw->pw_uid;
	if (getgrouplist(user, pw->pw_gid, gids, nr_gids) < 0)
		return -1;
	return 0;
}

/*
 * While /dev/kvm exists but QEMU's user cannot open it, libvirt finds its
 * QEMU capabilities stale at every call and probes both QEMU binaries again
 * (15 s a call here). Also a slow capabilities call, whatever the cause.
 */
static int guest_preflight(const struct platform_env *env, char *warn, size_t n)
{
	gid_t gids[64];
	int nr = 64;
	char user[128];
	struct stat st;
	uid_t uid;
	virConnectPtr conn;
	long long t0;
	char *caps;

	if (!stat("/dev/kvm", &st) && !qemu_user(user, sizeof(user), gids, &nr, &uid) && uid != 0 &&
	    !vb_mode_allows_rw(st.st_mode, st.st_uid, st.st_gid, uid, gids, nr)) {
		snprintf(warn, n,
			 "QEMU's user %s cannot open /dev/kvm (mode %03o): libvirt probes QEMU "
			 "again at every call, seconds each (run 'bash platforms/setup.sh', "
			 "which gives /dev/kvm to group kvm, mode 660)",
			 user, st.st_mode & 0777);
		return 1;
	}
	conn = connect_to(uri_of(env));
	if (!conn)
		return 0; /* available() names that */
	t0 = vb_now_ms();
	caps = virConnectGetCapabilities(conn);
	t0 = vb_now_ms() - t0;
	free(caps);
	virConnectClose(conn);
	if (t0 < SLOW_CAPS_MS)
		return 0;
	snprintf(warn, n,
		 "libvirt at %s took %.1f s to answer a capabilities call: it probes QEMU again "
		 "at every call, so every guest cell is slow (libvirtd's debug log says why; "
		 "'bash platforms/setup.sh' fixes the usual cause, /dev/kvm's group)",
		 uri_of(env), (double)t0 / 1000);
	return 1;
}

/* qemu and kvm are one driver: only the domain type, and so the check of
 * whether this machine can run it, differ. */
#define GUEST_OPS(type, extra_flags)                                                          \
	{                                                                                     \
		.name = #type, .flags = PLAT_GUEST | PLAT_HYPERVISOR_THREADS | (extra_flags), \
		.options = type##_options, .available = type##_available,                     \
		.preflight = guest_preflight, .prepare = guest_prepare, .start = guest_start, \
		.run = platform_link_run, .collect = guest_collect, .stop = guest_stop,       \
		.teardown = guest_teardown,                                                   \
	}

const struct platform_ops qemu_ops = GUEST_OPS(qemu, 0);
const struct platform_ops kvm_ops = GUEST_OPS(kvm, PLAT_VM_EXITS);
