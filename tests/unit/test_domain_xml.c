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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kvm_and_qemu_differ_in_type_only),
		cmocka_unit_test(has_what_the_guest_needs),
		cmocka_unit_test(cache_mode_is_passed_through),
		cmocka_unit_test(paths_are_escaped),
		cmocka_unit_test(missing_fields_are_refused),
		cmocka_unit_test(owner_description),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
