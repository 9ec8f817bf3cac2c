// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain_xml.h"

static struct domain_spec spec(const char *type)
{
	return (struct domain_spec){
		.name = "vbench-trace-1-1",
		.type = type,
		.vcpus = 2,
		.memory_mib = 1024,
		.kernel = "/cache/vmlinux",
		.initrd = "/work/qemu-guest/initramfs.gz",
		.cmdline = "console=ttyS0 quiet",
		.disk = "/work/qemu-guest/disk.raw",
		.disk_cache = "none",
		.console_log = "/work/qemu-guest/console.log",
		.agent_socket = "/work/qemu-guest/agent.sock",
	};
}

/* Splits s into lines in place; returns how many. */
static int lines(char *s, char **out, int max)
{
	int n = 0;

	for (char *save = NULL, *l = strtok_r(s, "\n", &save); l && n < max;
	     l = strtok_r(NULL, "\n", &save))
		out[n++] = l;
	return n;
}

static void kvm_and_qemu_differ_in_type_only(void **state)
{
	struct domain_spec q = spec("qemu"), k = spec("kvm");
	char *qx = domain_xml_build(&q), *kx = domain_xml_build(&k);
	char *ql[256], *kl[256];
	int nq, nk, differ = 0;

	(void)state;
	assert_non_null(qx);
	assert_non_null(kx);
	nq = lines(qx, ql, 256);
	nk = lines(kx, kl, 256);
	assert_int_equal(nq, nk);
	for (int i = 0; i < nq; i++) {
		if (!strcmp(ql[i], kl[i]))
			continue;
		differ++;
		assert_string_equal(ql[i], "<domain type='qemu'>");
		assert_string_equal(kl[i], "<domain type='kvm'>");
	}
	assert_int_equal(differ, 1);
	free(qx);
	free(kx);
}

static void has_what_the_guest_needs(void **state)
{
	struct domain_spec s = spec("qemu");
	char *x = domain_xml_build(&s);

	(void)state;
	assert_non_null(x);
	assert_non_null(strstr(x, "<name>vbench-trace-1-1</name>"));
	assert_non_null(strstr(x, "<memory unit='MiB'>1024</memory>"));
	assert_non_null(strstr(x, "<vcpu>2</vcpu>"));
	assert_non_null(strstr(x, "<kernel>/cache/vmlinux</kernel>"));
	assert_non_null(strstr(x, "<initrd>/work/qemu-guest/initramfs.gz</initrd>"));
	assert_non_null(strstr(x, "<cmdline>console=ttyS0 quiet</cmdline>"));
	assert_non_null(strstr(x, "type='raw' cache='none'"));
	assert_non_null(strstr(x, "<target dev='vda' bus='virtio'/>"));
	assert_non_null(strstr(x, "<interface type='user'>"));
	assert_non_null(strstr(x, "<model type='virtio'/>"));
	assert_non_null(strstr(x, "<serial type='file'>"));
	assert_non_null(strstr(x, "<source mode='bind' path='/work/qemu-guest/agent.sock'/>"));
	assert_non_null(strstr(x, "name='" GUEST_AGENT_PORT "'"));
	assert_non_null(strstr(x, "<on_poweroff>destroy</on_poweroff>"));
	free(x);
}

static void cache_mode_is_passed_through(void **state)
{
	struct domain_spec s = spec("qemu");
	char *x;

	(void)state;
	s.disk_cache = "writeback";
	x = domain_xml_build(&s);
	assert_non_null(x);
	assert_non_null(strstr(x, "cache='writeback'"));
	assert_null(strstr(x, "cache='none'"));
	free(x);
}

static void paths_are_escaped(void **state)
{
	struct domain_spec s = spec("qemu");
	char *x;

	(void)state;
	s.disk = "/w/a&b/it's<1>.raw";
	s.cmdline = "console=ttyS0 x=\"y\"";
	x = domain_xml_build(&s);
	assert_non_null(x);
	assert_non_null(strstr(x, "<source file='/w/a&amp;b/it&apos;s&lt;1&gt;.raw'/>"));
	assert_non_null(strstr(x, "<cmdline>console=ttyS0 x=&quot;y&quot;</cmdline>"));
	free(x);
}

static void missing_fields_are_refused(void **state)
{
	struct domain_spec s = spec("qemu");

	(void)state;
	s.initrd = NULL;
	assert_null(domain_xml_build(&s));
	s = spec("qemu");
	s.type = "";
	assert_null(domain_xml_build(&s));
	s = spec("qemu");
	s.vcpus = 0;
	assert_null(domain_xml_build(&s));
}

/* The owner in <description>, escaped; none when the spec has none. */
static void owner_description(void **state)
{
	struct domain_spec s = spec("qemu");
	char *xml = domain_xml_build(&s);

	(void)state;
	assert_non_null(xml);
	assert_null(strstr(xml, "<description>"));
	free(xml);
	s.description = "vbench-trace owner pid=42 start=7 <&>";
	xml = domain_xml_build(&s);
	assert_non_null(xml);
	assert_non_null(strstr(
		xml,
		"  <description>vbench-trace owner pid=42 start=7 &lt;&amp;&gt;</description>\n"));
	free(xml);
}

/* The text between the first "<interface" and its "</interface>", malloc'd. */
static char *interface_of(const char *xml)
{
	const char *a = strstr(xml, "<interface"), *b = a ? strstr(a, "</interface>") : NULL;

	assert_non_null(b);
	return strndup(a, (size_t)(b - a));
}

static void user_net_is_slirp_without_backend(void **state)
{
	struct domain_spec s = spec("qemu");
	char *x = domain_xml_build(&s), *nic;

	(void)state;
	assert_non_null(x);
	nic = interface_of(x);
	assert_string_equal(nic, "<interface type='user'>\n      <model type='virtio'/>\n    ");
	assert_null(strstr(x, "<emulator>"));
	free(nic);
	free(x);
}

/* A tap on our bridge: libvirt makes and removes the tap; one interface only. */
static void bridge_net_names_the_bridge(void **state)
{
	struct domain_spec s = spec("qemu");
	char *x, *nic;

	(void)state;
	s.net = DOMAIN_NET_BRIDGE;
	s.bridge = "vbt-42-qb";
	x = domain_xml_build(&s);
	assert_non_null(x);
	nic = interface_of(x);
	assert_string_equal(nic, "<interface type='bridge'>\n"
				 "      <source bridge='vbt-42-qb'/>\n"
				 "      <model type='virtio'/>\n    ");
	assert_null(strstr(x, "type='user'"));
	assert_null(strstr(strstr(x, "</interface>"), "<interface"));
	free(nic);
	free(x);
	s.bridge = "";
	assert_null(domain_xml_build(&s));
	s.bridge = NULL;
	assert_null(domain_xml_build(&s));
}

static void passt_net_is_a_user_backend(void **state)
{
	struct domain_spec s = spec("kvm");
	char *x, *nic;

	(void)state;
	s.net = DOMAIN_NET_PASST;
	x = domain_xml_build(&s);
	assert_non_null(x);
	nic = interface_of(x);
	assert_string_equal(nic, "<interface type='user'>\n"
				 "      <backend type='passt'/>\n"
				 "      <model type='virtio'/>\n    ");
	free(nic);
	free(x);
	s.net = (enum domain_net)7;
	assert_null(domain_xml_build(&s));
}

/* The emulator (a wrapper that sets TCG's thread mode) is the first device, escaped. */
static void emulator_is_named_when_given(void **state)
{
	struct domain_spec s = spec("qemu");
	char *x;

	(void)state;
	s.emulator = "/var/cache/vb&t/qemu-tcg-single";
	x = domain_xml_build(&s);
	assert_non_null(x);
	assert_non_null(strstr(
		x, "  <devices>\n    <emulator>/var/cache/vb&amp;t/qemu-tcg-single</emulator>\n"));
	free(x);
	s.emulator = "";
	x = domain_xml_build(&s);
	assert_non_null(x);
	assert_null(strstr(x, "<emulator>"));
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kvm_and_qemu_differ_in_type_only),
		cmocka_unit_test(has_what_the_guest_needs),
		cmocka_unit_test(cache_mode_is_passed_through),
		cmocka_unit_test(paths_are_escaped),
		cmocka_unit_test(missing_fields_are_refused),
		cmocka_unit_test(owner_description),
		cmocka_unit_test(user_net_is_slirp_without_backend),
		cmocka_unit_test(bridge_net_names_the_bridge),
		cmocka_unit_test(passt_net_is_a_user_backend),
		cmocka_unit_test(emulator_is_named_when_given),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
