// SPDX-License-Identifier: GPL-2.0
/*
 * vbench-trace trace [--kvm] [--json] [--no-breakdown] [--probe-cost] [--ops N]
 *                    -- COMMAND [ARGS...]
 *
 * Runs COMMAND as the probes' target and prints what the kernel did for it
 * and its descendants. The child waits on a pipe until it is the target and
 * the counters are zero, so its first instruction after exec is counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "overhead.h"
#include "probe_sched.h"
#include "probes.h"
#include "report_breakdown.h"
#include "util_log.h"
#include "util_sys.h"

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t interrupted;

static void usage(FILE *out)
{
	fputs("usage: vbench-trace trace [--kvm] [--json] [--no-breakdown] [--probe-cost]\n"
	      "                          [--freq HZ] [--ops N] -- COMMAND [ARGS...]\n\n"
	      "Runs COMMAND under the BPF probes (page faults, forks, clone latency, block\n"
	      "I/O, syscalls; VM exits with --kvm) and prints what the kernel did for it and\n"
	      "the processes it forks, and where their time went: each thread's wall time\n"
	      "divided into user, syscall, page-fault and other kernel time on CPU, steal\n"
	      "(on CPU while the hypervisor beneath ran something else), runnable (after a\n"
	      "wakeup, after a preemption), blocked on I/O and sleeping (by reason), as\n"
	      "perf sched timehist -s does. Needs root (or CAP_BPF and CAP_PERFMON).\n\n"
	      "  --kvm           also load the kvm:kvm_exit/kvm_entry family (a VMM command)\n"
	      "  --json          print one JSON object: the command, its status and probes.host\n"
	      "                  (the time breakdown under probes.host.breakdown)\n"
	      "  --no-breakdown  leave the thread-state family (sched) out: no breakdown, no\n"
	      "                  cpu-clock sampling, no cost on every context switch\n"
	      "  --probe-cost    time every BPF program (BPF_STATS_RUN_TIME): the breakdown\n"
	      "                  adds probe_cost_ns, the probes' own CPU time (two clock reads\n"
	      "                  more on every program run)\n"
	      "  --freq HZ       the breakdown's cpu-clock samples per second and CPU (default\n"
	      "                  999; 1 to 9999): more samples split the on-CPU time by code\n"
	      "                  more finely, and each costs the command some µs\n"
	      "  --ops N         the command did N units of work: the breakdown adds per_op_ns\n",
	      out);
}

static int parse_freq(const char *arg, unsigned *hz)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < 1 || v > 9999) {
		vb_err("trace: --freq '%s': a whole number of samples per second from 1 to 9999",
		       arg);
		return -1;
	}
	*hz = (unsigned)v;
	return 0;
}

static int parse_ops(const char *arg, uint64_t *ops)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || !v || arg[0] == '-') {
		vb_err("trace: --ops wants a positive whole number of units of work, not '%s'",
		       arg);
		return -EINVAL;
	}
	*ops = v;
	return 0;
}

/* The first signal is passed on to the child, which decides; a second one
 * ends it, so the probes are always read and closed by us. */
static void on_signal(int sig)
{
	interrupted++;
	if (child_pid > 0)
		kill(child_pid, interrupted > 1 ? SIGKILL : sig);
}

static void install_handlers(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static pid_t start_child(char **argv, int *gate)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(127); /* the parent gave up before the start */
		execvp(argv[0], argv);
		vb_err("trace: cannot run '%s': %s (is it on PATH?)", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	*gate = fds[1];
	return pid;
}

static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/*
 * Waits for the traced command, keeping its memory map as it changes (its
 * exec, its libraries): by the snapshot it is gone, and its samples are
 * placed in its code with the map last kept. The pauses between keeps
 * are a poll on a pidfd, which its exit ends at once: a sleep would make
 * the command's measured time up to a pause longer than its life.
 */
#define TRACE_SAMPLE_HZ 999

static int wait_traced(struct probes *probes, pid_t pid, int *status)
{
	int delay_ms = 10, pidfd = (int)syscall(SYS_pidfd_open, pid, 0), err = 0;

	for (;;) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		probes_keep_maps(probes);
		if (pidfd >= 0)
			poll(&(struct pollfd){.fd = pidfd, .events = POLLIN}, 1, delay_ms);
		else
			vb_sleep_ms(delay_ms);
		delay_ms = delay_ms < 250 ? delay_ms * 2 : 250;
	}
	if (pidfd >= 0)
		close(pidfd);
	return err;
}

static uint64_t get_u64(struct json_object *o, const char *path)
{
	char key[64];
	const char *dot;
	struct json_object *v = o;

	while (v && *path) {
		dot = strchr(path, '.');
		snprintf(key, sizeof(key), "%.*s", dot ? (int)(dot - path) : (int)strlen(path),
			 path);
		if (!json_object_object_get_ex(v, key, &v))
			return 0;
		path = dot ? dot + 1 : "";
	}
	return v ? json_object_get_uint64(v) : 0;
}

static double get_double(struct json_object *o, const char *a, const char *b)
{
	struct json_object *x, *y;

	if (!json_object_object_get_ex(o, a, &x) || !json_object_object_get_ex(x, b, &y))
		return 0;
	return json_object_get_double(y);
}

static double ms(struct json_object *o, const char *key)
{
	return get_u64(o, key) / 1e6;
}

/* A row of the table: its states are the overhead buckets, in their order,
 * as perf sched timehist -s puts run time, wait time and sleep time side by
 * side. */
static void bd_row(const char *name, uint64_t threads, struct json_object *r)
{
	struct json_object *st = NULL;

	json_object_object_get_ex(r, "states_ns", &st);
	printf("%-16s %5llu %11.3f", name, (unsigned long long)threads, ms(r, "wall_ns"));
	for (int i = 0; i < OVERHEAD_NBUCKETS; i++)
		printf(" %10.3f", ms(st, overhead_buckets[i]));
	printf("\n");
}

/* "name value, name value" of an object of ns, the n largest, in ms. */
static void bd_list(const char *title, struct json_object *o, size_t n)
{
	size_t shown = 0;

	if (!o)
		return;
	printf("%s", title);
	json_object_object_foreach (o, k, v) {
		if (shown == n || !json_object_get_uint64(v))
			continue;
		printf("%s %s %.3f", shown ? "," : "", k, json_object_get_uint64(v) / 1e6);
		shown++;
	}
	printf("%s\n", shown ? "" : " none");
}

/* The samples by region, as perf report --sort dso, and the top functions. */
static void print_regions(struct json_object *bd)
{
	struct json_object *by = NULL, *top = NULL;
	uint64_t total = 0;
	bool any = false;

	if (!json_object_object_get_ex(bd, "samples", &by) ||
	    !json_object_object_get_ex(by, "top_functions", &top) ||
	    !json_object_object_get_ex(by, "by_region", &by))
		return;
	json_object_object_foreach (by, k0, v0) {
		(void)k0;
		total += json_object_get_uint64(v0);
	}
	printf("by region:    ");
	json_object_object_foreach (by, k, v) {
		uint64_t n = json_object_get_uint64(v);

		if (!n)
			continue;
		printf("%s %s %.1f %%", any ? "," : "", k, 100.0 * (double)n / (double)total);
		any = true;
	}
	printf("%s (%llu samples)\n", any ? "" : " none", (unsigned long long)total);
	for (size_t i = 0; i < json_object_array_length(top) && i < 5; i++) {
		struct json_object *f = json_object_array_get_idx(top, i);

		printf("  %5.1f %%  %-16s %s\n",
		       total ? 100.0 * (double)get_u64(f, "samples") / (double)total : 0,
		       json_object_get_string(json_object_object_get(f, "region")),
		       json_object_get_string(json_object_object_get(f, "function")));
	}
}

static void print_breakdown(struct json_object *bd)
{
	struct json_object *st = NULL, *a = NULL, *x = NULL;
	uint64_t wall = get_u64(bd, "wall_ns");

	json_object_object_get_ex(bd, "states_ns", &st);
	printf("\nwhere the time went: %llu thread(s), wall %.3f ms, coverage %.1f %%\n",
	       (unsigned long long)get_u64(bd, "threads"), wall / 1e6,
	       100 * json_object_get_double(json_object_object_get(bd, "coverage")));
	printf("%-16s %5s %11s", "comm (ms)", "thr", "wall");
	for (int i = 0; i < OVERHEAD_NBUCKETS; i++)
		printf(" %10s", bd_bucket_label(i));
	printf("\n");
	json_object_object_get_ex(bd, "by_comm", &a);
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *r = json_object_array_get_idx(a, i);

		bd_row(json_object_get_string(json_object_object_get(r, "comm")),
		       get_u64(r, "threads"), r);
	}
	bd_row("total", get_u64(bd, "threads"), bd);
	printf("%-16s %5s %11s", "share", "", "100.0%");
	for (int i = 0; i < OVERHEAD_NBUCKETS; i++)
		printf(" %9.1f%%", wall ? 100.0 * get_u64(st, overhead_buckets[i]) / wall : 0);
	printf("\nrunnable, ms:  after a wakeup %.3f, after a preemption %.3f\n",
	       ms(bd, "runnable_ns.after_wakeup"), ms(bd, "runnable_ns.after_preemption"));
	json_object_object_get_ex(bd, "syscalls_ns", &x);
	bd_list("syscalls, on-CPU ms:", x, 8);
	json_object_object_get_ex(bd, "sleep_ns_by_reason", &x);
	bd_list("sleep by reason, ms:", x, 8);
	printf("samples:       %llu at %llu Hz (user %llu, fault %llu, kernel other %llu, "
	       "syscall %llu); fault time: %s\n",
	       (unsigned long long)get_u64(bd, "samples.total"),
	       (unsigned long long)get_u64(bd, "samples.hz"),
	       (unsigned long long)get_u64(bd, "samples.by_state.user"),
	       (unsigned long long)get_u64(bd, "samples.by_state.kernel_fault"),
	       (unsigned long long)get_u64(bd, "samples.by_state.kernel_other"),
	       (unsigned long long)get_u64(bd, "samples.by_state.kernel_syscall"),
	       json_object_get_string(json_object_object_get(bd, "fault_method")));
	print_regions(bd);
	if (json_object_object_get_ex(bd, "probe_cost_ns", &x))
		printf("probe cost:    %.3f ms of BPF run time (every program, every CPU)\n",
		       json_object_get_uint64(x) / 1e6);
}

static void print_text(struct json_object *doc, struct json_object *h)
{
	struct json_object *x, *t;

	printf("command exit: %s, %.3f s\n",
	       json_object_get_string(json_object_object_get(doc, "status")),
	       json_object_get_double(json_object_object_get(doc, "elapsed_s")));
	printf("page faults:  user %llu  kernel %llu (at kernel addresses %llu)\n",
	       (unsigned long long)get_u64(h, "page_faults_user"),
	       (unsigned long long)get_u64(h, "page_faults_kernel"),
	       (unsigned long long)get_u64(h, "page_faults_kernel_kaddr"));
	printf("processes:    forks %llu  threads %llu  exits %llu  clone syscalls %llu  "
	       "latency p50 %.0f us p99 %.0f us\n",
	       (unsigned long long)get_u64(h, "forks"), (unsigned long long)get_u64(h, "threads"),
	       (unsigned long long)get_u64(h, "exits"),
	       (unsigned long long)get_u64(h, "clone_syscalls"),
	       get_double(h, "clone_latency", "p50_us"), get_double(h, "clone_latency", "p99_us"));
	if (json_object_object_get_ex(h, "block", &x))
		printf("block (own):  %llu requests (%llu reads, %llu writes), %llu bytes, "
		       "p50 %.0f us p99 %.0f us; device-wide %llu requests\n",
		       (unsigned long long)get_u64(x, "requests"),
		       (unsigned long long)get_u64(x, "reads"),
		       (unsigned long long)get_u64(x, "writes"),
		       (unsigned long long)get_u64(x, "bytes"),
		       json_object_get_double(json_object_object_get(x, "p50_us")),
		       json_object_get_double(json_object_object_get(x, "p99_us")),
		       (unsigned long long)get_u64(x, "device.requests"));
	if (json_object_object_get_ex(h, "syscalls", &x)) {
		printf("syscalls:     %llu;", (unsigned long long)get_u64(x, "total"));
		if (json_object_object_get_ex(x, "top", &t)) {
			json_object_object_foreach (t, k, v)
				printf(" %s %llu", k,
				       (unsigned long long)json_object_get_uint64(v));
		}
		printf("\n");
	}
	if (json_object_object_get_ex(h, "vm_exits", &x)) {
		printf("VM exits:     %llu\n%-28s %10s %8s %8s %10s %10s %10s\n",
		       (unsigned long long)get_u64(x, "total"), "reason", "samples", "samples%",
		       "time%", "min_us", "avg_us", "max_us");
		json_object_object_get_ex(x, "table", &t);
		for (size_t i = 0; t && i < json_object_array_length(t); i++) {
			struct json_object *r = json_object_array_get_idx(t, i);

			printf("%-28s %10llu %7.2f%% %7.2f%% %10.2f %10.2f %10.2f\n",
			       json_object_get_string(json_object_object_get(r, "reason")),
			       (unsigned long long)get_u64(r, "samples"),
			       json_object_get_double(json_object_object_get(r, "samples_pct")),
			       json_object_get_double(json_object_object_get(r, "time_pct")),
			       json_object_get_double(json_object_object_get(r, "min_us")),
			       json_object_get_double(json_object_object_get(r, "avg_us")),
			       json_object_get_double(json_object_object_get(r, "max_us")));
		}
		if (json_object_object_get_ex(x, "guest_mode_share", &t))
			printf("inside KVM_RUN: guest mode %.1f us (%.1f %%), exit handling %.1f "
			       "us\n",
			       json_object_get_double(json_object_object_get(x, "guest_mode_us")),
			       100 * json_object_get_double(t),
			       json_object_get_double(json_object_object_get(x, "time_us")));
	}
	if (json_object_object_get_ex(h, "breakdown", &x))
		print_breakdown(x);
}

static struct json_object *result_doc(char **argv, int status, double elapsed,
				      struct json_object *host)
{
	struct json_object *doc = json_object_new_object(), *cmd = json_object_new_array();
	struct json_object *probes = json_object_new_object();

	for (char **a = argv; *a; a++)
		json_object_array_add(cmd, json_object_new_string(*a));
	json_object_object_add(doc, "command", cmd);
	json_object_object_add(doc, "status",
			       json_object_new_string(interrupted ? "interrupted" : "complete"));
	if (WIFEXITED(status))
		json_object_object_add(doc, "exit_code", json_object_new_int(WEXITSTATUS(status)));
	if (WIFSIGNALED(status))
		json_object_object_add(doc, "signal", json_object_new_int(WTERMSIG(status)));
	json_object_object_add(doc, "elapsed_s", json_object_new_double(elapsed));
	json_object_object_add(probes, "host", host);
	json_object_object_add(doc, "probes", probes);
	return doc;
}

/* Runs argv as the target; the child's wait status in *status. */
static int trace_child(struct probes *probes, char **argv, int *status, double *elapsed)
{
	int gate = -1, err;
	pid_t pid;
	double t0;

	pid = start_child(argv, &gate);
	if (pid < 0) {
		vb_err("trace: cannot fork: %s", strerror(-pid));
		return pid;
	}
	err = probes_set_target(probes, pid);
	if (!err)
		err = probes_reset(probes);
	if (err) {
		vb_err("trace: cannot make pid %d the probes' target: %s", pid, strerror(-err));
		close(gate); /* the child sees EOF and exits without running COMMAND */
		wait_child(pid, status);
		return err;
	}
	child_pid = pid;
	install_handlers();
	t0 = vb_now_s();
	if (write(gate, "g", 1) != 1)
		vb_warn("trace: cannot start the child: %s", strerror(errno));
	close(gate);
	err = wait_traced(probes, pid, status);
	*elapsed = vb_now_s() - t0;
	child_pid = 0;
	return err;
}

int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"kvm", no_argument, NULL, 'k'},	  {"json", no_argument, NULL, 'j'},
		{"no-breakdown", no_argument, NULL, 'B'}, {"ops", required_argument, NULL, 'o'},
		{"probe-cost", no_argument, NULL, 'c'},	  {"freq", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	/* One command, traced once: more samples for its regions and its fault
	 * split, at a cost (about 4 % of a CPU-bound command here) it can bear. */
	struct probes_opts opts = {.sched = true, .sample_hz = TRACE_SAMPLE_HZ};
	struct json_object *doc, *host, *bd;
	struct probes *probes = NULL;
	int c, err, status = 0, ret;
	double elapsed = 0;
	uint64_t ops = 0;
	bool json = false;
	char why[256];

	optind = 1;
	opterr = 0; /* one line of ours, not getopt's and then the whole usage */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			opts.kvm = true;
			break;
		case 'j':
			json = true;
			break;
		case 'B':
			opts.sched = false;
			break;
		case 'c':
			opts.run_time_stats = true;
			break;
		case 'F':
			if (parse_freq(optarg, &opts.sample_hz))
				return VB_EXIT_USAGE;
			break;
		case 'o':
			if (parse_ops(optarg, &ops))
				return VB_EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return VB_EXIT_OK;
		default:
			vb_err("trace: unknown option '%s' (see 'vbench-trace trace --help'; "
			       "put the command after --)",
			       argv[optind - 1]);
			return VB_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		vb_err("trace: no command given (vbench-trace trace [OPTIONS] -- COMMAND ...; "
		       "see 'vbench-trace trace --help')");
		return VB_EXIT_USAGE;
	}
	if (probes_check_privileges(why, sizeof(why))) {
		vb_err("trace: %s", why);
		return VB_EXIT_FAILED;
	}
	err = probes_open(&probes, &opts);
	if (err) {
		vb_err("trace: the probes did not load (%s); 'vbench-trace doctor' says what this "
		       "kernel supports",
		       strerror(-err));
		return VB_EXIT_FAILED;
	}
	err = trace_child(probes, argv + optind, &status, &elapsed);
	if (err) {
		probes_close(probes);
		return VB_EXIT_FAILED;
	}
	host = probes_snapshot(probes);
	probes_close(probes);
	if (ops && json_object_object_get_ex(host, "breakdown", &bd))
		probe_sched_add_per_op(bd, ops);
	doc = result_doc(argv + optind, status, elapsed, host);
	if (json)
		printf("%s\n",
		       json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_text(doc, host);
	json_object_put(doc);
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return ret;
}
