// SPDX-License-Identifier: GPL-2.0
/*
 * Each findings rule against crafted documents: it fires where its evidence
 * holds, with the numbers the evidence says, and stays silent where the
 * evidence is absent or points the other way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>

#include "doc_builder.h"
#include "findings.h"
#include "doc_reader.h"

/* The finding of rule on platform (label "docker (volume)" style), or NULL. */
static struct json_object *find(struct json_object *arr, const char *rule, const char *platform,
				const char *workload)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *f = json_object_array_get_idx(arr, i);

		if (!strcmp(doc_str(f, "rule", ""), rule) &&
		    !strcmp(doc_str(f, "platform", ""), platform) &&
		    (!workload || !strcmp(doc_str(f, "workload", ""), workload)))
			return f;
	}
	return NULL;
}

static size_t count(struct json_object *arr, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < json_object_array_length(arr); i++)
		n += !strcmp(doc_str(json_object_array_get_idx(arr, i), "rule", ""), rule);
	return n;
}

static double evidence(struct json_object *f, const char *key)
{
	char path[128];

	snprintf(path, sizeof(path), "evidence.%s", key);
	return doc_num_or(f, path, NAN);
}

static bool says(struct json_object *f, const char *words)
{
	return f && strstr(doc_str(f, "text", ""), words);
}

/* ---- binary translation and hardware virtualization on cpu ---- */

static struct json_object *cpu_doc(double qemu_score, double qemu_exits, double user_share)
{
	struct json_object *d = tdoc_new(), *c;

	tcell(tplat(d, "native", NULL), "cpu", 4000, 3, 0, 0.99);
	c = tcell(tplat(d, "qemu", NULL), "cpu", qemu_score, 3, 0, user_share);
	if (qemu_exits >= 0)
		trun(c, "probes.host.vm_exits.total", qemu_exits);
	return d;
}

static void cpu_translation_fires(void **state)
{
	struct json_object *d = cpu_doc(300, 0, 0.99), *f = findings_derive(d), *x;

	(void)state;
	x = find(f, "binary-translation", "qemu", "cpu");
	assert_non_null(x);
	assert_true(fabs(evidence(x, "vs_native") - 0.075) < 0.001);
	assert_true(evidence(x, "vm_exits") == 0);
	assert_true(says(x, "13x below native"));
	assert_null(find(f, "hardware-virtualization", "qemu", "cpu"));
	json_object_put(f);
	json_object_put(d);
}

static void cpu_translation_needs_exit_counts(void **state)
{
	struct json_object *d = cpu_doc(300, -1, 0.99), *f = findings_derive(d);

	(void)state;
	assert_int_equal(json_object_array_length(f), 0);
	json_object_put(f);
	json_object_put(d);
}

static void cpu_outside_a_vm_is_not_translation(void **state)
{
	/* Slow and busy, no exits, but no guest: nothing says it was translated. */
	struct json_object *d = tdoc_new(), *c, *f;

	(void)state;
	tcell(tplat(d, "native", NULL), "cpu", 4000, 3, 0, 0.99);
	c = tcell(tplat(d, "docker", NULL), "cpu", 300, 3, 0, 0.99);
	trun(c, "probes.host.vm_exits.total", 0);
	f = findings_derive(d);
	assert_int_equal(json_object_array_length(f), 0);
	json_object_put(f);
	json_object_put(d);
}

static void cpu_with_exits_is_not_translation(void **state)
{
	/* Near native with exits: hardware virtualization, the emulation story refuted. */
	struct json_object *d = cpu_doc(3950, 400, 0.99), *f = findings_derive(d), *x;

	(void)state;
	assert_null(find(f, "binary-translation", "qemu", "cpu"));
	x = find(f, "hardware-virtualization", "qemu", "cpu");
	assert_non_null(x);
	assert_true(fabs(evidence(x, "vm_exits_per_s") - 40) < 0.01);
	json_object_put(f);
	json_object_put(d);
}

static void cpu_starved_is_not_translation(void **state)
{
	/* No VM and no exit counts needed: the wall clock against user time says it. */
	/* Slow but idle in user time: it waited, it did not emulate. */
	struct json_object *d = tdoc_new(), *f, *x;

	(void)state;
	tcell(tplat(d, "native", NULL), "cpu", 4000, 3, 0, 0.99);
	tcell(tplat(d, "docker", NULL), "cpu", 1000, 3, 0, 0.25);
	f = findings_derive(d);
	assert_null(find(f, "binary-translation", "docker", "cpu"));
	x = find(f, "cpu-starved", "docker", "cpu");
	assert_non_null(x);
	assert_true(fabs(evidence(x, "user_time_share") - 0.25) < 1e-9);
	json_object_put(f);
	json_object_put(d);
}

/* ---- VM exits by reason ---- */

static const char exit_table[] =
	"[{\"reason\":\"EPT_MISCONFIG\",\"isa\":\"VMX\",\"samples\":30000,\"avg_us\":4,"
	"\"min_us\":1,\"max_us\":90},{\"reason\":\"HLT\",\"samples\":15000,\"avg_us\":200,"
	"\"min_us\":1,\"max_us\":4000},{\"reason\":\"MSR_WRITE\",\"samples\":5000,\"avg_us\":1,"
	"\"min_us\":0.5,\"max_us\":9}]";

static void vm_exits_fire_with_reasons(void **state)
{
	struct json_object *d = tdoc_new(), *c, *f, *x;

	(void)state;
	c = tcell(tplat(d, "kvm", NULL), "diskrand", 40, 2, 4096, 0.1);
	trun(c, "probes.host.vm_exits.total", 50000);
	trun_json(c, "probes.host.vm_exits.table", exit_table);
	f = findings_derive(d);
	x = find(f, "vm-exits", "kvm", "diskrand");
	assert_non_null(x);
	assert_true(evidence(x, "vm_exits_per_s") == 5000);
	assert_true(fabs(evidence(x, "share_EPT_MISCONFIG") - 0.6) < 1e-9);
	/* HLT: 15000 x 200 us of 30000 x 4 + 15000 x 200 + 5000 x 1 us. */
	assert_true(fabs(evidence(x, "time_share_HLT") - 3.0e6 / 3.125e6) < 1e-3);
	assert_true(says(x, "EPT_MISCONFIG (MMIO"));
	json_object_put(f);
	json_object_put(d);
}

static void vm_exits_silent_when_few(void **state)
{
	struct json_object *d = tdoc_new(), *c, *f;

	(void)state;
	c = tcell(tplat(d, "kvm", NULL), "cpu", 4000, 2, 0, 0.99);
	trun(c, "probes.host.vm_exits.total", 500); /* 50/s: an idle guest's timer */
	trun_json(c, "probes.host.vm_exits.by_reason", "{\"HLT\":500}");
	f = findings_derive(d);
	assert_int_equal(count(f, "vm-exits"), 0);
	json_object_put(f);
	json_object_put(d);
}

/* ---- memory: shadow page tables ---- */

static struct json_object *mem_doc(const char *plat, double exits, double ept, bool guest)
{
	struct json_object *d = tdoc_new(), *c;

	/* One op is one MiB here: native moves 180000 MiB in 3 runs, 0.02 faults per MiB. */
	c = tcell(tplat(d, "native", NULL), "mem", 6000, 3, 1048576, 0.99);
	trun(c, "probes.host.page_faults_user", 1200);
	c = tcell(tplat(d, plat, NULL), "mem", 600, 3, 1048576, 0.99);
	trun(c, "probes.host.vm_exits.total", exits);
	if (ept > 0)
		trun_json(c, "probes.host.vm_exits.by_reason", "{\"EPT_VIOLATION\":900}");
	if (guest) {
		trun(c, "probes.guest.page_faults_user", 1000);
		trun(c, "probes.guest.page_faults_kernel", 200);
	}
	return d;
}

static void memory_tcg_refutes_shadow_tables(void **state)
{
	struct json_object *d = mem_doc("qemu", 0, 0, true), *f = findings_derive(d), *x;

	(void)state;
	x = find(f, "shadow-page-tables", "qemu", "mem");
	assert_non_null(x);
	assert_true(says(x, "do not explain it"));
	assert_true(evidence(x, "vm_exits") == 0);
	/* 1200 guest faults per run of 6000 MiB: 0.2 per MiB. */
	assert_true(fabs(evidence(x, "guest_faults_per_mib") - 0.2) < 1e-3);
	assert_true(fabs(evidence(x, "native_faults_per_mib") - 0.02) < 1e-3);
	json_object_put(f);
	json_object_put(d);
}

static void memory_kvm_exit_per_fault_confirms(void **state)
{
	/* 900 EPT violations for 1200 guest faults per run: 0.75 per fault. */
	struct json_object *d = mem_doc("kvm", 20000, 900, true), *f = findings_derive(d), *x;

	(void)state;
	x = find(f, "shadow-page-tables", "kvm", "mem");
	assert_non_null(x);
	assert_true(fabs(evidence(x, "paging_exits_per_guest_fault") - 0.75) < 1e-3);
	assert_true(says(x, "does reach the hypervisor"));
	json_object_put(f);
	json_object_put(d);
}

static void memory_silent_without_guest(void **state)
{
	struct json_object *d = mem_doc("qemu", 0, 0, false), *f = findings_derive(d);

	(void)state;
	assert_int_equal(count(f, "shadow-page-tables"), 0);
	json_object_put(f);
	json_object_put(d);
}

/* ---- page faults against native ---- */

static void faults_fire_when_far_from_native(void **state)
{
	struct json_object *d = tdoc_new(), *c, *f, *x;

	(void)state;
	c = tcell(tplat(d, "native", NULL), "cpu", 4000, 2, 0, 0.99);
	trun(c, "probes.host.page_faults_user", 40000); /* 1 per op */
	c = tcell(tplat(d, "docker", NULL), "cpu", 4000, 2, 0, 0.99);
	trun(c, "probes.host.page_faults_user", 100000);
	trun(c, "probes.host.page_faults_kernel", 20000); /* 3 per op, 12 k/s */
	f = findings_derive(d);
	x = find(f, "page-faults", "docker", "cpu");
	assert_non_null(x);
	assert_true(fabs(evidence(x, "factor") - 3) < 0.05);
	assert_true(fabs(evidence(x, "kernel_faults_per_unit") - 0.5) < 0.01);
	json_object_put(f);
	json_object_put(d);
}

static void faults_silent_when_alike_or_rare(void **state)
{
	struct json_object *d = tdoc_new(), *c, *f;
	struct json_object *native = tplat(d, "native", NULL), *docker = tplat(d, "docker", NULL);

	(void)state;
	c = tcell(native, "cpu", 4000, 2, 0, 0.99);
	trun(c, "probes.host.page_faults_user", 40000);
	c = tcell(docker, "cpu", 4000, 2, 0, 0.99);
	trun(c, "probes.host.page_faults_user", 50000); /* 1.25x: alike */
	/* 10x native's faults per MiB, but 10 a second: too rare to cost anything. */
	c = tcell(native, "mem", 10, 2, 1048576, 0.99);
	trun(c, "probes.host.page_faults_user", 10);
	c = tcell(docker, "mem", 10, 2, 1048576, 0.99);
	trun(c, "probes.host.page_faults_user", 100);
	f = findings_derive(d);
	assert_int_equal(count(f, "page-faults"), 0);
	json_object_put(f);
	json_object_put(d);
}

/* ---- the virtual disk ---- */

static struct json_object *disk_doc(double guest_reqs, double host_reqs)
{
	struct json_object *d = tdoc_new(), *c;

	c = tcell(tplat(d, "native", NULL), "diskrand", 40, 2, 4096, 0.1);
	trun(c, "probes.host.block.requests", 102400);
	trun(c, "probes.host.block.p50_us", 95);
	c = tcell(tplat(d, "kvm", NULL), "diskrand", 30, 2, 4096, 0.1);
	if (guest_reqs >= 0) {
		trun(c, "probes.guest.block.requests", guest_reqs);
		trun(c, "probes.guest.block.p50_us", 150);
	}
	trun(c, "probes.host.block.requests", host_reqs);
	trun(c, "probes.host.block.p50_us", 95);
	return d;
}

static void disk_adds_latency(void **state)
{
	struct json_object *d = disk_doc(76800, 76800), *f = findings_derive(d), *x;

	(void)state;
	x = find(f, "disk-virtual-latency", "kvm", "diskrand");
	assert_non_null(x);
	assert_true(evidence(x, "added_latency_us") == 55);
	assert_true(says(x, "adds 55 us per request"));
	assert_null(find(f, "disk-host-cache", "kvm", "diskrand"));
	json_object_put(f);
	json_object_put(d);
}

static void disk_host_cache(void **state)
{
	struct json_object *d = disk_doc(76800, 7680), *f = findings_derive(d), *x;

	(void)state;
	x = find(f, "disk-host-cache", "kvm", "diskrand");
	assert_non_null(x);
	assert_true(fabs(evidence(x, "served_without_device_request") - 0.9) < 1e-6);
	assert_true(says(x, "90 % of the guest's I/O"));
	json_object_put(f);
	json_object_put(d);
}

static void disk_silent_without_guest(void **state)
{
	struct json_object *d = disk_doc(-1, 7680), *f = findings_derive(d);

	(void)state;
	assert_int_equal(count(f, "disk-host-cache") + count(f, "disk-virtual-latency"), 0);
	json_object_put(f);
	json_object_put(d);
}

/* ---- sequential against random ---- */

static void seq_vs_rand(void **state)
{
	struct json_object *d = tdoc_new(), *p = tplat(d, "native", NULL), *c, *f, *x;

	(void)state;
	c = tcell(p, "diskseq", 500, 2, 1048576, 0.1);
	trun(c, "probes.host.block.requests", 20000); /* 5000 MiB in 256 KiB requests */
	trun(c, "probes.host.block.bytes", 5000.0 * 1048576);
	trun(c, "probes.host.block.p50_us", 1900);
	c = tcell(p, "diskrand", 40, 2, 4096, 0.1);
	trun(c, "probes.host.block.requests", 102400);
	trun(c, "probes.host.block.bytes", 400.0 * 1048576);
	trun(c, "probes.host.block.p50_us", 95);
	f = findings_derive(d);
	x = find(f, "seq-vs-rand", "native", "diskseq");
	assert_non_null(x);
	assert_true(evidence(x, "seq_bytes_per_request") == 262144);
	assert_true(evidence(x, "rand_bytes_per_request") == 4096);
	assert_true(evidence(x, "rand_us_per_mib") == 24320);
	assert_true(says(x, "12.5x faster"));
	json_object_put(f);
	json_object_put(d);
}

static void seq_vs_rand_needs_block_counters(void **state)
{
	struct json_object *d = tdoc_new(), *p = tplat(d, "native", NULL), *f;

	(void)state;
	tcell(p, "diskseq", 500, 2, 1048576, 0.1);
	tcell(p, "diskrand", 40, 2, 4096, 0.1);
	f = findings_derive(d);
	assert_int_equal(json_object_array_length(f), 0);
	json_object_put(f);
	json_object_put(d);
}

/* ---- Docker storage ---- */

static void docker_layer_vs_volume(void **state)
{
	struct json_object *d = tdoc_new(), *f, *x;

	(void)state;
	tcell(tplat(d, "docker", NULL), "diskrand", 30, 3, 4096, 0.1);
	tcell(tplat(d, "docker", "volume"), "diskrand", 40, 3, 4096, 0.1);
	f = findings_derive(d);
	x = find(f, "docker-overlayfs", "docker", "diskrand");
	assert_non_null(x);
	assert_true(fabs(evidence(x, "change") + 0.25) < 1e-3);
	assert_true(says(x, "intervals apart"));
	json_object_put(f);
	json_object_put(d);
}

static void docker_layer_alone_is_silent(void **state)
{
	struct json_object *d = tdoc_new(), *f;

	(void)state;
	tcell(tplat(d, "docker", NULL), "diskrand", 30, 3, 4096, 0.1);
	f = findings_derive(d);
	assert_int_equal(count(f, "docker-overlayfs"), 0);
	json_object_put(f);
	json_object_put(d);
}

/* ---- fork ---- */

static struct json_object *fork_doc(const char *plat, double exits, const char *reasons)
{
	struct json_object *d = tdoc_new(), *c;

	c = tcell(tplat(d, "native", NULL), "fork", 400, 2, 0, 0.3);
	trun(c, "probes.host.clone_syscalls", 4000);
	trun(c, "probes.host.clone_latency.p50_us", 48);
	c = tcell(tplat(d, plat, NULL), "fork", 20, 2, 0, 0.3);
	trun(c, "probes.host.vm_exits.total", exits);
	if (reasons)
		trun_json(c, "probes.host.vm_exits.by_reason", reasons);
	trun(c, "probes.guest.clone_syscalls", 200);
	trun(c, "probes.guest.clone_latency.p50_us", 1650);
	return d;
}

static void fork_without_traps(void **state)
{
	struct json_object *d = fork_doc("qemu", 0, NULL), *f = findings_derive(d), *x;

	(void)state;
	x = find(f, "fork-traps", "qemu", "fork");
	assert_non_null(x);
	assert_true(says(x, "does not trap"));
	assert_true(evidence(x, "clone_p50_us") == 1650);
	assert_true(evidence(x, "native_clone_p50_us") == 48);
	json_object_put(f);
	json_object_put(d);
}

static void fork_with_traps(void **state)
{
	/* 398 forks in 2 runs; 2000 exits of which 800 idle. */
	struct json_object *d = fork_doc("kvm", 1000, "{\"HLT\":400,\"EPT_VIOLATION\":600}");
	struct json_object *f = findings_derive(d), *x;

	(void)state;
	x = find(f, "fork-traps", "kvm", "fork");
	assert_non_null(x);
	assert_true(fabs(evidence(x, "vm_exits_per_fork") - 1200.0 / 398) < 0.01);
	assert_true(says(x, "each fork traps"));
	json_object_put(f);
	json_object_put(d);
}

static void fork_silent_without_counters(void **state)
{
	struct json_object *d = tdoc_new(), *f;

	(void)state;
	tcell(tplat(d, "native", NULL), "fork", 400, 2, 0, 0.3);
	tcell(tplat(d, "qemu", NULL), "fork", 20, 2, 0, 0.3);
	f = findings_derive(d);
	assert_int_equal(json_object_array_length(f), 0);
	json_object_put(f);
	json_object_put(d);
}

/* ---- network ---- */

static struct json_object *net_doc(double qemu_syscalls, bool native_probes)
{
	struct json_object *d = tdoc_new(), *c;

	/* bytes per op 131072: 8 ops per MiB. */
	c = tcell(tplat(d, "native", NULL), "net", 30000, 2, 131072, 0.3);
	if (native_probes)
		trun(c, "probes.host.syscalls.total", 375000);
	c = tcell(tplat(d, "qemu", NULL), "net", 100, 2, 131072, 0.3);
	trun(c, "probes.host.syscalls.total", qemu_syscalls);
	trun_json(c, "probes.host.syscalls.top", "{\"sendto\":4000,\"ppoll\":3000,\"read\":500}");
	return d;
}

static void net_user_stack(void **state)
{
	/* native: 10 syscalls per MiB; qemu: 80 per MiB. */
	struct json_object *d = net_doc(10000, true), *f = findings_derive(d), *x;

	(void)state;
	x = find(f, "net-user-stack", "qemu", "net");
	assert_non_null(x);
	/* Two runs of 990 and 1000 ops of 128 KiB. */
	assert_true(fabs(evidence(x, "host_syscalls_per_mib") - 20000 / (1990 / 8.0)) < 0.01);
	assert_true(fabs(evidence(x, "factor") - 8) < 1e-3);
	assert_true(says(x, "SLIRP"));
	assert_true(says(x, "sendto 40 %"));
	json_object_put(f);
	json_object_put(d);
}

/* An entry whose settings say its guest's network is a tap: not SLIRP. */
static void net_tap_is_not_slirp(void **state)
{
	struct json_object *d = net_doc(10000, true), *f, *x;

	(void)state;
	tset(doc_platform_by_label(d, "qemu"), "settings.net", json_object_new_string("tap"));
	f = findings_derive(d);
	x = find(f, "net-user-stack", "qemu", "net");
	assert_non_null(x);
	assert_false(says(x, "SLIRP"));
	assert_true(says(x, "net=tap"));
	json_object_put(f);
	json_object_put(d);
}

/* A run that says "valid": false speaks in no finding: its counters are in no sum. */
static void net_invalid_run_is_left_out(void **state)
{
	struct json_object *d = net_doc(10000, true), *c, *runs, *bad, *f, *x;

	(void)state;
	c = doc_cell(doc_platform_by_label(d, "qemu"), "net");
	runs = doc_get(c, "runs");
	bad = json_tokener_parse(json_object_to_json_string(json_object_array_get_idx(runs, 0)));
	tset(bad, "probes.host.syscalls.total", json_object_new_double(1e9));
	tset(bad, "probes.host.syscalls.top.futex", json_object_new_double(1e9));
	tset(bad, "valid", json_object_new_boolean(0));
	tset(bad, "invalid_reason", json_object_new_string("stalled"));
	json_object_array_add(runs, bad);
	f = findings_derive(d);
	x = find(f, "net-user-stack", "qemu", "net");
	assert_non_null(x);
	assert_true(fabs(evidence(x, "host_syscalls_per_mib") - 20000 / (1990 / 8.0)) < 0.01);
	assert_false(says(x, "futex"));
	json_object_put(f);
	/* Counted, it would have changed the figure: the test can fail. */
	json_object_object_del(bad, "valid");
	f = findings_derive(d);
	x = find(f, "net-user-stack", "qemu", "net");
	assert_non_null(x);
	assert_true(says(x, "futex"));
	json_object_put(f);
	json_object_put(d);
}

static void net_same_syscalls_no_relay(void **state)
{
	struct json_object *d = net_doc(1250, true), *f = findings_derive(d), *x;

	(void)state;
	x = find(f, "net-user-stack", "qemu", "net");
	assert_non_null(x);
	assert_true(says(x, "no user-space relay"));
	json_object_put(f);
	json_object_put(d);
}

static void net_silent_without_native_syscalls(void **state)
{
	struct json_object *d = net_doc(10000, false), *f = findings_derive(d);

	(void)state;
	assert_int_equal(count(f, "net-user-stack"), 0);
	json_object_put(f);
	json_object_put(d);
}

static void net_latency_to_remote_server(void **state)
{
	struct json_object *d = tdoc_new(), *c, *f, *x;

	(void)state;
	tset(d, "config.net_server", json_object_new_string("iperf.example.net:5201"));
	c = tcell(tplat(d, "native", NULL), "net", 90, 2, 131072, 0.3);
	trun(c, "extra.tcp_info.rtt_us", 25000);
	trun(c, "extra.tcp_info.total_retrans", 3);
	trun(c, "extra.tcp_info.snd_cwnd", 200);
	trun(c, "extra.tcp_info.snd_mss", 1448);
	f = findings_derive(d);
	x = find(f, "net-latency", "native", "net");
	assert_non_null(x);
	assert_true(evidence(x, "rtt_us") == 25000);
	assert_true(evidence(x, "retransmits") == 6);
	/* 200 x 1448 bytes per 25 ms: 92.7 Mbit/s. */
	assert_true(fabs(evidence(x, "window_bound_mbit_s") - 92.67) < 0.01);
	assert_true(says(x, "latency bounds this stream"));
	json_object_put(f);
	json_object_put(d);

	/* The same counters without a remote server configured: loopback, silent. */
	d = tdoc_new();
	c = tcell(tplat(d, "native", NULL), "net", 90, 2, 131072, 0.3);
	trun(c, "extra.rtt_us", 25);
	f = findings_derive(d);
	assert_int_equal(json_object_array_length(f), 0);
	json_object_put(f);
	json_object_put(d);
}

/* ---- robustness: documents with holes and wrong types ---- */

static void survives_broken_documents(void **state)
{
	static const char *const docs[] = {
		"{}",
		"{\"platforms\": 3}",
		"{\"platforms\": [null, 1, \"x\", {}, {\"name\": 5, \"workloads\": {}}]}",
		"{\"platforms\": [{\"name\": \"native\", \"status\": \"ok\", \"workloads\": "
		"[{\"name\": \"cpu\", \"runs\": [null, {\"score\": \"x\"}, {\"probes\": 7}]}]}, "
		"{\"name\": \"qemu\", \"status\": \"ok\", \"workloads\": [{\"name\": \"cpu\", "
		"\"runs\": [{\"score\": 1, \"duration_s\": 0, \"probes\": {\"host\": "
		"{\"vm_exits\": "
		"{\"total\": 0, \"table\": [null, {\"samples\": \"many\"}]}}}}]}, "
		"{\"name\": \"net\", \"runs\": [{\"bytes\": 0, \"probes\": {\"host\": "
		"{\"syscalls\": "
		"{\"total\": 5, \"top\": [1, 2]}}}}]}, {\"name\": \"diskseq\", \"runs\": [{}]}]}]}",
		"{\"platforms\": [{\"name\": \"kvm\", \"status\": \"ok\", \"workloads\": "
		"[{\"name\": "
		"\"diskrand\", \"vs_native\": \"fast\", \"runs\": [{\"duration_s\": 1, \"probes\": "
		"{\"guest\": {\"block\": {\"requests\": 1000}}, \"host\": {\"block\": "
		"{\"requests\": "
		"0}, \"vm_exits\": {\"total\": 5000, \"by_reason\": {\"HLT\": null}}}}}]}]}]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct json_object *d = json_tokener_parse(docs[i]), *f;

		assert_non_null(d);
		f = findings_derive(d);
		assert_non_null(f);
		assert_true(json_object_is_type(f, json_type_array));
		json_object_put(f);
		json_object_put(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpu_translation_fires),
		cmocka_unit_test(cpu_translation_needs_exit_counts),
		cmocka_unit_test(cpu_outside_a_vm_is_not_translation),
		cmocka_unit_test(cpu_with_exits_is_not_translation),
		cmocka_unit_test(cpu_starved_is_not_translation),
		cmocka_unit_test(vm_exits_fire_with_reasons),
		cmocka_unit_test(vm_exits_silent_when_few),
		cmocka_unit_test(memory_tcg_refutes_shadow_tables),
		cmocka_unit_test(memory_kvm_exit_per_fault_confirms),
		cmocka_unit_test(memory_silent_without_guest),
		cmocka_unit_test(faults_fire_when_far_from_native),
		cmocka_unit_test(faults_silent_when_alike_or_rare),
		cmocka_unit_test(disk_adds_latency),
		cmocka_unit_test(disk_host_cache),
		cmocka_unit_test(disk_silent_without_guest),
		cmocka_unit_test(seq_vs_rand),
		cmocka_unit_test(seq_vs_rand_needs_block_counters),
		cmocka_unit_test(docker_layer_vs_volume),
		cmocka_unit_test(docker_layer_alone_is_silent),
		cmocka_unit_test(fork_without_traps),
		cmocka_unit_test(fork_with_traps),
		cmocka_unit_test(fork_silent_without_counters),
		cmocka_unit_test(net_user_stack),
		cmocka_unit_test(net_tap_is_not_slirp),
		cmocka_unit_test(net_invalid_run_is_left_out),
		cmocka_unit_test(net_same_syscalls_no_relay),
		cmocka_unit_test(net_silent_without_native_syscalls),
		cmocka_unit_test(net_latency_to_remote_server),
		cmocka_unit_test(survives_broken_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
