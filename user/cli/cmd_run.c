// SPDX-License-Identifier: GPL-2.0
/*
 * `vbench-trace run`: the command line becomes a plan (struct run_config);
 * everything a user can get wrong is checked before any work starts, so a
 * usage error leaves no files behind.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <json.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "findings.h"
#include "host_thp.h"
#include "net_iperf.h"
#include "platform.h"
#include "probes.h"
#include "report.h"
#include "results.h"
#include "results_doc.h"
#include "runner.h"
#include "scratch.h"
#include "util_log.h"
#include "workload.h"
#include "util_sys.h"

#define DEFAULT_DURATION_S   10.0
#define QUICK_DURATION_S     1.0
#define DEFAULT_DISK_BYTES   (1ULL << 30)
#define QUICK_DISK_BYTES     (64ULL << 20)
#define NET_CHECK_TIMEOUT_MS 3000

/* The ranges of the numeric options: out of range is a usage error that
 * names them, and nothing later converts a value beyond them. */
#define MIN_DURATION_S 0.001
#define MAX_DURATION_S 86400.0 /* a day per run */
#define MAX_RUNS       1000
#define MIN_DISK_BYTES (1ULL << 20)
#define MAX_DISK_BYTES (1024ULL << 30)

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: vbench-trace run [options]\n\n"
		"Runs each workload on each platform: one warm-up, then RUNS timed runs, with\n"
		"eBPF probes counting what the kernel did for the workload's process tree.\n"
		"Writes DIR/results.json, DIR/report.md and DIR/report.html, prints the table.\n\n"
		"  -p, --platforms LIST   native,docker,kvm,qemu or all (default: all); a "
		"platform\n"
		"                         this machine cannot run is reported as skipped, with "
		"why\n"
		"  -w, --workloads LIST   cpu,mem,diskrand,diskseq,fork,net or all (default: "
		"all);\n"
		"                         a workload's own options follow its name after colons,\n"
		"                         as 'vbench-trace workload NAME --help' lists them:\n"
		"                         -w mem:buffer-size=256M:oper=read,diskrand\n"
		"  -r, --runs N|auto      timed runs per cell after one warm-up, 1 to 1000\n"
		"                         (default: 3); auto repeats until CV < 2 %% or %d runs\n"
		"  -d, --duration S       seconds per run, 0.001 to 86400 (default: %g; --quick: "
		"%g)\n"
		"      --quick            the short profile for tests and CI: %g s runs, %llu MiB\n"
		"                         disk file\n"
		"  -o, --output DIR       where results go (default: results/<UTC timestamp>/)\n"
		"      --json             print the results document on stdout, not the table\n"
		"      --no-trace         run without probes (needs no root)\n"
		"      --no-breakdown     probes without the thread-state family (sched): no\n"
		"                         \"where the time went\", no cost on context switches\n"
		"      --net-server HOST[:PORT]\n"
		"                         send the net workload to this iperf3 server (port 5201\n"
		"                         by default) instead of the tool's own net-server\n"
		"  -O, --platform-opt NAME=VALUE\n"
		"                         a platform option (repeatable); 'vbench-trace doctor'\n"
		"                         lists each platform's options, values and defaults\n"
		"      --vary KNOB=V1,V2[,...]\n"
		"                         an experiment (repeatable): each platform that has the\n"
		"                         knob runs with V1 as its own entry (the baseline), then\n"
		"                         once more per further value as an entry named like\n"
		"                         qemu[net=tap], only that one setting changed; findings\n"
		"                         say how much of the gap to native each value closes\n"
		"      --docker-volume    the same as --vary storage=layer,volume: docker's disk\n"
		"                         file on the writable layer, then on a bind mount\n"
		"      --libvirt-uri URI  the same as -O libvirt-uri=URI (kvm and qemu; default:\n"
		"                         qemu:///system)\n"
		"      --disk-cache MODE  the same as -O disk-cache=MODE (kvm and qemu: none,\n"
		"                         writeback, writethrough, directsync, unsafe, default;\n"
		"                         default: none)\n"
		"      --disk-size SIZE   disk workloads' file size, 1M to 1024G (default: 1G;\n"
		"                         --quick: 64M)\n"
		"      --buffered         disk workloads through the page cache (no O_DIRECT)\n"
		"      --cache-dir DIR    guest kernel and images (default: " PLATFORM_CACHE_DIR
		")\n"
		"  -v, --verbose          say what is sent to each agent\n\n"
		"examples:\n"
		"  vbench-trace run --quick                      every platform, short runs\n"
		"  vbench-trace run -p native,qemu -w net -r 5   why is a guest's uplink slow?\n"
		"  vbench-trace run -p docker -w diskrand,diskseq --docker-volume\n"
		"  vbench-trace run -p native,qemu -w net --vary net=user,tap\n"
		"                                   how much of the uplink's cost is SLIRP?\n"
		"  vbench-trace run -p native -w mem:buffer-size=256M --vary thp=always,never\n\n"
		"Exit status: 0 when every cell ran or was skipped with a reason, 1 when a cell\n"
		"failed, 2 for a usage error, 130 when interrupted (results so far are kept).\n",
		AUTO_MAX_RUNS, DEFAULT_DURATION_S, QUICK_DURATION_S, QUICK_DURATION_S,
		QUICK_DISK_BYTES >> 20);
}

/* Splits a comma list into known names (in the table's order), or fails naming the bad one. */
static int parse_list(const char *what, const char *arg, const char *const *known, int nknown,
		      const char **out, int *nout)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	bool want[16] = {false};
	int ret = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int i;

		if (!strcmp(tok, "all")) {
			for (i = 0; i < nknown; i++)
				want[i] = true;
			continue;
		}
		for (i = 0; i < nknown && strcmp(tok, known[i]); i++)
			;
		if (i == nknown) {
			vb_err("unknown %s '%s' (one of %s or all)", what, tok,
			       !strcmp(what, "platform")
				       ? "native, docker, kvm, qemu"
				       : "cpu, mem, diskrand, diskseq, fork, net");
			ret = -1;
			goto out;
		}
		want[i] = true;
	}
	*nout = 0;
	for (int i = 0; i < nknown; i++)
		if (want[i])
			out[(*nout)++] = known[i];
	if (!*nout) {
		vb_err("no %s given in '%s'", what, arg);
		ret = -1;
	}
out:
	free(copy);
	return ret;
}

static int parse_platforms(const char *arg, struct run_config *cfg)
{
	const char *names[MAX_PLATFORMS];

	for (int i = 0; i < nr_platforms; i++)
		names[i] = platform_table[i]->name;
	return parse_list("platform", arg, names, nr_platforms, cfg->platforms, &cfg->nr_platforms);
}

/* A workload option's name and value go to the agent as words of a command line. */
static bool wopt_word(const char *s, bool name)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' ||
		      (!name && (isupper((unsigned char)*s) || strchr("._+/", *s)))))
			return false;
	return true;
}

/* The options the runner gives every run itself, and where they are set instead. */
static const char *runner_owned(const char *opt)
{
	static const char *const owned[][2] = {
		{"duration", "-d"},	    {"file", "the runner's scratch directory"},
		{"size", "--disk-size"},    {"server", "--net-server"},
		{"buffered", "--buffered"},
	};

	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (!strcmp(opt, owned[i][0]))
			return owned[i][1];
	return NULL;
}

/* "buffer-size=256M:oper=read" into "--buffer-size 256M --oper read". */
static int workload_args(const char *name, char *opts, struct run_workload_args *wa)
{
	char *save = NULL, *tok;
	size_t len = 0;

	wa->workload = name;
	wa->args[0] = '\0';
	for (tok = strtok_r(opts, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		char *eq = strchr(tok, '=');
		int w;

		if (eq)
			*eq = '\0';
		if (!wopt_word(tok, true) || (eq && !wopt_word(eq + 1, false))) {
			vb_err("-w %s: '%s%s%s' is not OPTION[=VALUE] (letters, digits, '-'; see "
			       "'vbench-trace workload %s --help')",
			       name, tok, eq ? "=" : "", eq ? eq + 1 : "", name);
			return -1;
		}
		if (runner_owned(tok)) {
			vb_err("-w %s: --%s is set by the run itself; use %s", name, tok,
			       runner_owned(tok));
			return -1;
		}
		w = snprintf(wa->args + len, sizeof(wa->args) - len, "%s--%s%s%s", len ? " " : "",
			     tok, eq ? " " : "", eq ? eq + 1 : "");
		if (w < 0 || (size_t)w >= sizeof(wa->args) - len) {
			vb_err("-w %s: too many options", name);
			return -1;
		}
		len += (size_t)w;
	}
	return 0;
}

/* The workload parses its options as its runs will: a mistake is a usage error now. */
static int check_workload_args(const struct run_workload_args *wa)
{
	const struct workload *w = workload_find(wa->workload);
	char copy[sizeof(wa->args)], *argv[64], *save = NULL;
	int argc = 0, ret;

	snprintf(copy, sizeof(copy), "%s", wa->args);
	argv[argc++] = (char *)wa->workload;
	for (char *t = strtok_r(copy, " ", &save); t && argc < 63; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	/* After the command line's own parse: the workload's resets getopt. */
	ret = w->check ? w->check(argc, argv) : 0;
	return ret ? -1 : 0;
}

/*
 * -w LIST: names, each with its own options after a colon
 * (mem:buffer-size=256M:oper=read).
 */
static int parse_workloads(char *arg, struct run_config *cfg)
{
	const char *names[MAX_WORKLOADS];
	char list[256] = "", *save = NULL;
	size_t len = 0;

	cfg->nr_wargs = 0;
	for (char *tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');

		if (colon) {
			*colon = '\0';
			if (!workload_find(tok)) {
				vb_err("unknown workload '%s' (one of cpu, mem, diskrand, diskseq, "
				       "fork, net)",
				       tok);
				return -1;
			}
			if (cfg->nr_wargs == MAX_WORKLOADS ||
			    workload_args(tok, colon + 1, &cfg->wargs[cfg->nr_wargs]))
				return -1;
			cfg->nr_wargs++;
		}
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", len ? "," : "",
					tok);
		if (len >= sizeof(list)) {
			vb_err("-w: the list is too long");
			return -1;
		}
	}
	for (int i = 0; i < nr_workloads; i++)
		names[i] = workloads[i]->name;
	return parse_list("workload", list, names, nr_workloads, cfg->workloads,
			  &cfg->nr_workloads);
}

static int parse_runs(const char *arg, int *runs)
{
	char *end;
	long v;

	if (!strcmp(arg, "auto")) {
		*runs = RUNS_AUTO;
		return 0;
	}
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < 1 || v > MAX_RUNS) {
		vb_err("--runs: '%s' is not a count from 1 to %d, or 'auto'", arg, MAX_RUNS);
		return -1;
	}
	*runs = (int)v;
	return 0;
}

static int parse_duration(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < MIN_DURATION_S ||
	    v > MAX_DURATION_S) {
		vb_err("--duration: '%s' is not a number of seconds from %g to %g", arg,
		       MIN_DURATION_S, MAX_DURATION_S);
		return -1;
	}
	*out = v;
	return 0;
}

/* SIZE with an optional k, M or G (powers of 1024, "MiB" and "MB" alike),
 * from 1M to 1024G; a size beyond any integer is out of range too. */
static int parse_disk_size(const char *arg, unsigned long long *out)
{
	static const char units[] = "kKmMgG";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end == arg || *arg == '-' || *arg == '+' || isspace((unsigned char)*arg))
		goto bad;
	u = *end ? strchr(units, *end) : NULL;
	if (u) {
		shift = 10 * (1 + (int)(u - units) / 2);
		end++;
	}
	if (!strcmp(end, "i") || !strcmp(end, "iB") || !strcmp(end, "B"))
		end += strlen(end);
	if (*end)
		goto bad;
	if (errno == ERANGE || v > (MAX_DISK_BYTES >> shift) || (v << shift) < MIN_DISK_BYTES) {
		vb_err("--disk-size: '%s' is out of range: from %lluM to %lluG", arg,
		       MIN_DISK_BYTES >> 20, MAX_DISK_BYTES >> 30);
		return -1;
	}
	*out = v << shift;
	return 0;
bad:
	vb_err("--disk-size: '%s' is not a size from %lluM to %lluG (suffixes k, M, G: powers "
	       "of 1024)",
	       arg, MIN_DISK_BYTES >> 20, MAX_DISK_BYTES >> 30);
	return -1;
}

/* A port given as a number is one from 1 to 65535 (a service name is left
 * to getaddrinfo). */
static bool port_in_range(const char *port)
{
	char *end;
	long v;

	if (port[strspn(port, "0123456789")])
		return true;
	errno = 0;
	v = strtol(port, &end, 10);
	return !errno && v >= 1 && v <= 65535;
}

/* Splits HOST[:PORT] / [V6]:PORT. */
static int split_host_port(const char *arg, char *host, size_t n, char *port, size_t pn)
{
	const char *colon;

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (!close || (size_t)(close - arg - 1) >= n)
			return -1;
		snprintf(host, n, "%.*s", (int)(close - arg - 1), arg + 1);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strrchr(arg, ':');
		if (colon && strchr(arg, ':') != colon)
			colon = NULL; /* a bare IPv6 address */
		snprintf(host, n, "%.*s", colon ? (int)(colon - arg) : (int)strlen(arg), arg);
	}
	if (colon)
		snprintf(port, pn, "%s", colon + 1);
	else
		snprintf(port, pn, "%d", IPERF_DEFAULT_PORT);
	return *host ? 0 : -1;
}

/* An unreachable --net-server is a usage error found before any work. */
static int check_net_server(const char *arg)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	char host[256], port[16];
	int fd = -1, err;

	if (split_host_port(arg, host, sizeof(host), port, sizeof(port))) {
		vb_err("--net-server: '%s' is not HOST[:PORT]", arg);
		return -1;
	}
	if (!port_in_range(port)) {
		vb_err("--net-server: port '%s' is out of range: from 1 to 65535 (or a service "
		       "name)",
		       port);
		return -1;
	}
	err = getaddrinfo(host, port, &hints, &ai);
	if (err) {
		vb_err("--net-server: cannot resolve '%s': %s", host, gai_strerror(err));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	err = fd < 0 ? -1 : connect(fd, ai->ai_addr, ai->ai_addrlen);
	if (err && errno == EINPROGRESS) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		socklen_t len = sizeof(err);

		if (poll(&pfd, 1, NET_CHECK_TIMEOUT_MS) == 1 &&
		    !getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
			errno = err;
		else
			err = errno = ETIMEDOUT;
	}
	if (err)
		vb_err("--net-server: cannot connect to %s port %s: %s (is 'iperf3 -s' running "
		       "there?)",
		       host, port, strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return err ? -1 : 0;
}

/* A port nobody listens on now, for the net-server of each cell. */
static int pick_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = IPERF_DEFAULT_PORT;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* The output directory, opened once, must take a file before we measure anything. */
static int open_out_dir(const char *path, struct results_dir *d)
{
	int err = results_open_dir(path, true, d);

	if (!err)
		err = results_dir_writable(d);
	if (err)
		results_close_dir(d);
	return err;
}

static void default_out_dir(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "results/%Y%m%dT%H%M%SZ", &tm);
}

/* An option's value as the first driver that declares it takes it ("" when none does). */
static const char *option_in_use(const struct run_config *cfg, const char *name)
{
	for (int i = 0; i < nr_platforms; i++) {
		const char *v = platform_option_value(platform_table[i]->options, &cfg->env, name);

		if (v)
			return v;
	}
	return "";
}

/* Is option name set to value for the run, or one of the values it varies? */
static bool option_takes(const struct run_config *cfg, const char *name, const char *value)
{
	if (!strcmp(option_in_use(cfg, name), value))
		return true;
	for (int i = 0; i < cfg->nr_vary; i++)
		for (int j = 0; !strcmp(cfg->vary[i].knob, name) && j < cfg->vary[i].nr_values; j++)
			if (!strcmp(cfg->vary[i].values[j], value))
				return true;
	return false;
}

/*
 * config.platform_options: every option of the selected platforms with its
 * value as set (each entry's "settings" has what it ran with); and the
 * fields that came before it (docker_volume, libvirt_uri, disk_cache), so
 * older readers still find them.
 */
static void add_platform_options(struct json_object *conf, const struct run_config *cfg)
{
	struct json_object *o = json_object_new_object();

	for (int i = 0; i < cfg->nr_platforms; i++) {
		const struct platform_ops *ops = platform_find(cfg->platforms[i]);

		for (const struct platform_option *opt = ops->options; opt && opt->name; opt++)
			json_object_object_add(o, opt->name,
					       json_object_new_string(platform_option_value(
						       ops->options, &cfg->env, opt->name)));
	}
	json_object_object_add(conf, "platform_options", o);
	json_object_object_add(conf, "docker_volume",
			       json_object_new_boolean(option_takes(cfg, "storage", "volume")));
	json_object_object_add(conf, "libvirt_uri",
			       json_object_new_string(option_in_use(cfg, "libvirt-uri")));
	json_object_object_add(conf, "disk_cache",
			       json_object_new_string(option_in_use(cfg, "disk-cache")));
}

/* config.vary ([{"knob", "values"}]) and config.workload_options ({"mem": "--buffer-size 256M"}).
 */
static void add_experiment_config(struct json_object *conf, const struct run_config *cfg)
{
	struct json_object *vary = json_object_new_array(), *wo = json_object_new_object();

	for (int i = 0; i < cfg->nr_vary; i++) {
		struct json_object *v = json_object_new_object(), *vals = json_object_new_array();

		for (int j = 0; j < cfg->vary[i].nr_values; j++)
			json_object_array_add(vals, json_object_new_string(cfg->vary[i].values[j]));
		json_object_object_add(v, "knob", json_object_new_string(cfg->vary[i].knob));
		json_object_object_add(v, "values", vals);
		json_object_array_add(vary, v);
	}
	for (int i = 0; i < cfg->nr_wargs; i++)
		json_object_object_add(wo, cfg->wargs[i].workload,
				       json_object_new_string(cfg->wargs[i].args));
	json_object_object_add(conf, "vary", vary);
	json_object_object_add(conf, "workload_options", wo);
}

/* The document the run fills: the plan as asked, then each driver's own
 * settings (its options' values, docker's confinement). */
static struct json_object *new_document(const struct run_config *cfg)
{
	struct results_plan plan = {.platforms = cfg->platforms,
				    .nr_platforms = cfg->nr_platforms,
				    .workloads = cfg->workloads,
				    .nr_workloads = cfg->nr_workloads,
				    .runs = cfg->runs == RUNS_AUTO ? 0 : cfg->runs,
				    .duration_s = cfg->duration_s,
				    .quick = cfg->quick,
				    .trace = cfg->trace,
				    .buffered = cfg->buffered,
				    .disk_file_bytes = cfg->env.disk_file_bytes,
				    .net_server = cfg->net_server};
	struct json_object *conf, *doc = results_doc_new(&plan, &conf);

	add_platform_options(conf, cfg);
	add_experiment_config(conf, cfg);
	for (int i = 0; i < cfg->nr_platforms; i++) {
		const struct platform_ops *ops = platform_find(cfg->platforms[i]);

		if (ops->config_json)
			ops->config_json(&cfg->env, conf);
	}
	return doc;
}

static void on_signal(int sig)
{
	(void)sig;
	runner_interrupt();
}

static void install_signals(void)
{
	/* No SA_RESTART: a blocking read must return so the runner can clean up. */
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * The document and both reports into d; the names of those written go to
 * written ("results.json, report.md"), the others having been named with
 * their cause by the writer. 0 when all three were.
 */
static int write_outputs(struct json_object *doc, const struct results_dir *d, char *written,
			 size_t n)
{
	static const char *const names[] = {"results.json", "report.md", "report.html"};
	int failed = 0;

	*written = '\0';

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int err = i == 0 ? results_write_doc_at(d, names[i], doc)
				 : report_write_at(doc, i == 1 ? "md" : "html", d, names[i]);

		if (err) {
			failed++;
			continue;
		}
		snprintf(written + strlen(written), n - strlen(written), "%s%s",
			 *written ? ", " : "", names[i]);
	}
	return failed ? -1 : 0;
}

enum {
	OPT_QUICK = 256,
	OPT_JSON,
	OPT_NO_TRACE,
	OPT_NO_BREAKDOWN,
	OPT_NET_SERVER,
	OPT_DOCKER_VOLUME,
	OPT_LIBVIRT_URI,
	OPT_DISK_CACHE,
	OPT_DISK_SIZE,
	OPT_BUFFERED,
	OPT_CACHE_DIR,
	OPT_VARY,
	OPT_PLATFORM_OPT = 'O',
};

static const struct option run_opts[] = {
	{"platforms", required_argument, NULL, 'p'},
	{"workloads", required_argument, NULL, 'w'},
	{"runs", required_argument, NULL, 'r'},
	{"duration", required_argument, NULL, 'd'},
	{"output", required_argument, NULL, 'o'},
	{"quick", no_argument, NULL, OPT_QUICK},
	{"json", no_argument, NULL, OPT_JSON},
	{"no-trace", no_argument, NULL, OPT_NO_TRACE},
	{"no-breakdown", no_argument, NULL, OPT_NO_BREAKDOWN},
	{"net-server", required_argument, NULL, OPT_NET_SERVER},
	{"docker-volume", no_argument, NULL, OPT_DOCKER_VOLUME},
	{"libvirt-uri", required_argument, NULL, OPT_LIBVIRT_URI},
	{"disk-cache", required_argument, NULL, OPT_DISK_CACHE},
	{"disk-size", required_argument, NULL, OPT_DISK_SIZE},
	{"buffered", no_argument, NULL, OPT_BUFFERED},
	{"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
	{"platform-opt", required_argument, NULL, OPT_PLATFORM_OPT},
	{"vary", required_argument, NULL, OPT_VARY},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{0},
};

struct run_args {
	struct run_config cfg;
	struct platform_setting settings[PLATFORM_MAX_SETTINGS];
	bool json, duration_set, size_set;
	const char *out_dir;
};

/* --vary KNOB=V1,V2,...: a knob and at least two distinct values, the baseline first. */
static int add_vary(struct run_config *cfg, char *arg, const char *as)
{
	char *eq = strchr(arg, '='), *save = NULL;
	struct run_vary *v;

	if (!eq || eq == arg || !eq[1]) {
		vb_err("run: --vary wants KNOB=V1,V2[,...], not '%s' ('vbench-trace doctor' lists "
		       "the knobs)",
		       arg);
		return -1;
	}
	*eq = '\0';
	for (int i = 0; i < cfg->nr_vary; i++)
		if (!strcmp(cfg->vary[i].knob, arg)) {
			vb_err("run: %s varies %s a second time: give all its values in one --vary",
			       as, arg);
			return -1;
		}
	if (cfg->nr_vary == MAX_VARY) {
		vb_err("run: more than %d --vary options", MAX_VARY);
		return -1;
	}
	v = &cfg->vary[cfg->nr_vary];
	*v = (struct run_vary){.knob = arg};
	for (char *t = strtok_r(eq + 1, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		for (int i = 0; i < v->nr_values; i++)
			if (!strcmp(v->values[i], t)) {
				vb_err("run: --vary %s: the value %s is given twice", arg, t);
				return -1;
			}
		if (v->nr_values == MAX_VARY_VALUES) {
			vb_err("run: --vary %s: more than %d values", arg, MAX_VARY_VALUES);
			return -1;
		}
		v->values[v->nr_values++] = t;
	}
	if (v->nr_values < 2) {
		vb_err("run: --vary %s wants two values or more: the baseline first, then each "
		       "value to compare with it",
		       arg);
		return -1;
	}
	cfg->nr_vary++;
	return 0;
}

/* -O NAME=VALUE, or one of its synonyms (--disk-cache MODE...), into the list. */
static int add_setting(struct run_args *a, int opt, char *arg)
{
	struct platform_setting s = {.value = arg};
	char *eq;

	switch (opt) {
	case OPT_LIBVIRT_URI:
		s.name = "libvirt-uri";
		break;
	case OPT_DISK_CACHE:
		s.name = "disk-cache";
		break;
	default:
		eq = strchr(arg, '=');
		if (!eq || eq == arg) {
			vb_err("run: -O wants NAME=VALUE, not '%s' ('vbench-trace doctor' lists "
			       "the platforms' options)",
			       arg);
			return -1;
		}
		*eq = '\0';
		s = (struct platform_setting){arg, eq + 1};
	}
	if (a->cfg.env.nr_settings == PLATFORM_MAX_SETTINGS) {
		vb_err("run: more than %d platform options", PLATFORM_MAX_SETTINGS);
		return -1;
	}
	a->settings[a->cfg.env.nr_settings++] = s;
	return 0;
}

/* Every setting names an option of a selected platform, with one of its values. */
static int check_settings(struct run_args *a)
{
	const struct platform_ops *sel[MAX_PLATFORMS];
	char why[512];

	for (int i = 0; i < a->cfg.nr_platforms; i++)
		sel[i] = platform_find(a->cfg.platforms[i]);
	for (int i = 0; i < a->cfg.env.nr_settings; i++)
		if (platform_setting_check(&a->settings[i], sel, a->cfg.nr_platforms, why,
					   sizeof(why))) {
			vb_err("run: %s", why);
			return VB_EXIT_USAGE;
		}
	for (int i = 0; i < a->cfg.nr_vary; i++) {
		const struct run_vary *v = &a->cfg.vary[i];

		for (int j = 0; j < v->nr_values; j++) {
			struct platform_setting s = {v->knob, v->values[j]};

			if (platform_setting_check(&s, sel, a->cfg.nr_platforms, why,
						   sizeof(why))) {
				vb_err("run: --vary: %s", why);
				return VB_EXIT_USAGE;
			}
		}
		for (int j = 0; j < a->cfg.env.nr_settings; j++)
			if (!strcmp(a->settings[j].name, v->knob)) {
				vb_err("run: %s is both set (-O %s=%s) and varied (--vary): keep "
				       "one",
				       v->knob, v->knob, a->settings[j].value);
				return VB_EXIT_USAGE;
			}
	}
	return 0;
}

/* One option of 'run': 0, -1 after --help, or VB_EXIT_USAGE. */
static int parse_option(int c, char **argv, struct run_args *a)
{
	struct run_config *cfg = &a->cfg;

	switch (c) {
	case 'p':
		if (parse_platforms(optarg, cfg))
			return VB_EXIT_USAGE;
		return 0;
	case 'w':
		if (parse_workloads(optarg, cfg))
			return VB_EXIT_USAGE;
		return 0;
	case 'r':
		if (parse_runs(optarg, &cfg->runs))
			return VB_EXIT_USAGE;
		return 0;
	case 'd':
		if (parse_duration(optarg, &cfg->duration_s))
			return VB_EXIT_USAGE;
		a->duration_set = true;
		return 0;
	case 'o':
		a->out_dir = optarg;
		return 0;
	case OPT_QUICK:
		cfg->quick = true;
		return 0;
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_NO_TRACE:
		cfg->trace = false;
		return 0;
	case OPT_NO_BREAKDOWN:
		cfg->breakdown = false;
		return 0;
	case OPT_NET_SERVER:
		cfg->net_server = optarg;
		return 0;
	case OPT_VARY:
		if (add_vary(cfg, optarg, "--vary"))
			return VB_EXIT_USAGE;
		return 0;
	case OPT_DOCKER_VOLUME: {
		static char storage[] = "storage=layer,volume";

		if (add_vary(cfg, storage, "--docker-volume (--vary storage=layer,volume)"))
			return VB_EXIT_USAGE;
		return 0;
	}
	case OPT_PLATFORM_OPT:
	case OPT_LIBVIRT_URI:
	case OPT_DISK_CACHE:
		if (add_setting(a, c, optarg))
			return VB_EXIT_USAGE;
		return 0;
	case OPT_DISK_SIZE:
		if (parse_disk_size(optarg, &cfg->env.disk_file_bytes))
			return VB_EXIT_USAGE;
		a->size_set = true;
		return 0;
	case OPT_BUFFERED:
		cfg->buffered = true;
		return 0;
	case OPT_CACHE_DIR:
		cfg->env.cache_dir = optarg;
		return 0;
	case 'v':
		vb_verbose = true;
		return 0;
	case 'h':
		run_usage(stdout);
		return -1;
	default:
		vb_err("run: %s option '%s' (see 'vbench-trace run --help')",
		       c == ':' || optopt ? "bad or incomplete" : "unknown", argv[optind - 1]);
		return VB_EXIT_USAGE;
	}
}

/* What the options left unsaid: the profile's defaults. */
static int settle_args(struct run_args *a)
{
	struct run_config *cfg = &a->cfg;

	if (!a->duration_set)
		cfg->duration_s = cfg->quick ? QUICK_DURATION_S : DEFAULT_DURATION_S;
	if (!a->size_set)
		cfg->env.disk_file_bytes = cfg->quick ? QUICK_DISK_BYTES : DEFAULT_DISK_BYTES;
	cfg->env.guest_probes = cfg->trace;
	cfg->env.guest_breakdown = cfg->trace && cfg->breakdown;
	for (int i = 0; i < cfg->nr_wargs; i++)
		if (check_workload_args(&cfg->wargs[i]))
			return VB_EXIT_USAGE;
	return check_settings(a);
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	int c, ret;

	optind = 1;
	opterr = 0; /* one line of ours, not getopt's and then ours */
	while ((c = getopt_long(argc, argv, "p:w:r:d:o:O:vh", run_opts, NULL)) != -1)
		if ((ret = parse_option(c, argv, a)))
			return ret;
	if (optind < argc) {
		vb_err("run: unexpected argument '%s' (see 'vbench-trace run --help')",
		       argv[optind]);
		return VB_EXIT_USAGE;
	}
	return settle_args(a);
}

static void set_defaults(struct run_args *a)
{
	memset(a, 0, sizeof(*a));
	a->cfg.runs = 3;
	a->cfg.trace = true;
	a->cfg.breakdown = true;
	a->cfg.env.settings = a->settings;
	a->cfg.env.cache_dir = PLATFORM_CACHE_DIR;
	parse_platforms("all", &a->cfg);
	for (int i = 0; i < nr_workloads && i < MAX_WORKLOADS; i++)
		a->cfg.workloads[a->cfg.nr_workloads++] = workloads[i]->name;
}

/* Everything a user can get wrong, checked before anything is written. */
static int check_plan(struct run_args *a)
{
	char reason[256];

	if (a->cfg.trace && probes_check_privileges(reason, sizeof(reason))) {
		vb_err("%s; run as root, or add '--no-trace' to run without probes", reason);
		return VB_EXIT_USAGE;
	}
	if (a->cfg.net_server && check_net_server(a->cfg.net_server))
		return VB_EXIT_USAGE;
	return 0;
}

/* This run's scratch directory, after sweeping those of runs that are gone
 * (killed with SIGKILL: nothing else removes theirs). */
static int make_scratch(char *path, size_t n)
{
	int swept = scratch_sweep(SCRATCH_BASE);

	if (swept)
		vb_info("removed %d scratch director%s in %s left by runs that are gone", swept,
			swept == 1 ? "y" : "ies", SCRATCH_BASE);
	return scratch_create(SCRATCH_BASE, path, n);
}

int cmd_run(int argc, char **argv)
{
	static char out_dir[PATH_MAX], agent[PATH_MAX], work_dir[PATH_MAX];
	struct json_object *doc;
	struct results_dir out;
	struct run_args a;
	char written[64];
	int ret;

	set_defaults(&a);
	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? VB_EXIT_OK : ret;
	ret = check_plan(&a);
	if (ret)
		return ret;
	if (a.out_dir)
		snprintf(out_dir, sizeof(out_dir), "%s", a.out_dir);
	else
		default_out_dir(out_dir, sizeof(out_dir));
	if (open_out_dir(out_dir, &out))
		return VB_EXIT_USAGE;
	if (make_scratch(work_dir, sizeof(work_dir))) {
		results_close_dir(&out);
		return VB_EXIT_FAILED;
	}
	/* Like the scratch directories: what a killed run left set on the host goes back. */
	host_thp_recover(a.cfg.env.cache_dir, NULL, NULL);
	vb_agent_path(agent, sizeof(agent));
	a.cfg.env.agent_path = agent;
	a.cfg.env.work_dir = work_dir;
	a.cfg.env.net_port = pick_port();
	a.cfg.out = &out;

	install_signals();
	doc = new_document(&a.cfg);
	ret = runner_run(&a.cfg, &doc);
	results_doc_set_findings(doc, findings_derive(doc));
	if (write_outputs(doc, &out, written, sizeof(written)))
		ret = ret ? ret : VB_EXIT_FAILED;
	if (a.json)
		printf("%s\n", json_object_to_json_string_ext(
				       doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		report_render(doc, "text", stdout, isatty(1) && !getenv("NO_COLOR"));
	if (*written)
		fprintf(stderr, "%s: results in %s/ (%s)\n", vb_progname, out_dir, written);
	else
		vb_err("no results written to %s/ (see above)", out_dir);
	scratch_remove(work_dir);
	results_close_dir(&out);
	json_object_put(doc);
	return ret;
}
