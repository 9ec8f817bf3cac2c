// SPDX-License-Identifier: GPL-2.0
/* The pure parts of probe_regions.c: reading /proc/PID/maps, naming a
 * mapping's region, and finding a function in an ELF's symbols (this test's
 * own binary, at the address of one of its functions). No BPF, no root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "probe_regions.h"

/* A TCG QEMU's maps, cut down: its binary, an anonymous executable buffer
 * (translated code), libslirp, glib, libc, the vdso. */
static const char qemu_maps[] =
	"55d0c0a00000-55d0c0b00000 r--p 00000000 fe:01 1234 /usr/bin/qemu-system-x86_64\n"
	"55d0c0b00000-55d0c1200000 r-xp 00100000 fe:01 1234 /usr/bin/qemu-system-x86_64\n"
	"55d0c3000000-55d0c3100000 rw-p 00000000 00:00 0 [heap]\n"
	"7f0000000000-7f0040000000 rwxp 00000000 00:00 0 \n"
	"7f1000000000-7f1000010000 r-xp 00002000 fe:01 55 "
	"/usr/lib/x86_64-linux-gnu/libslirp.so.0.4.0\n"
	"7f1000100000-7f1000200000 r-xp 00020000 fe:01 56 "
	"/usr/lib/x86_64-linux-gnu/libglib-2.0.so.0.7400.6\n"
	"7f1000300000-7f1000400000 r-xp 00026000 fe:01 57 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7f1000500000-7f1000510000 r-xp 00001000 fe:01 58 "
	"/usr/lib/x86_64-linux-gnu/libpixman-1.so.0\n"
	"7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]\n"
	"garbage line\n";

static void test_maps_parse_and_regions(void **state)
{
	static const struct {
		uint64_t addr;
		int region;
	} want[] = {
		{0x55d0c0b00010, VB_RG_QEMU},  {0x7f0000001000, VB_RG_TRANSLATED},
		{0x7f1000000100, VB_RG_SLIRP}, {0x7f1000100100, VB_RG_GLIB},
		{0x7f1000300100, VB_RG_LIBC},  {0x7f1000500100, VB_RG_OTHER},
		{0x7ffd00000100, VB_RG_VDSO},
	};
	struct vb_maps m;

	(void)state;
	assert_int_equal(probe_maps_parse(qemu_maps, &m, 64), 0);
	/* Executable mappings only; the executable is the first file mapped. */
	assert_int_equal(m.n, 7);
	assert_string_equal(m.exe, "/usr/bin/qemu-system-x86_64");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct vb_mapping *x = probe_maps_find(&m, want[i].addr);

		assert_non_null(x);
		assert_string_equal(probe_region_name(probe_region_of(x, m.exe)),
				    probe_region_name(want[i].region));
	}
	/* Outside every executable mapping: the heap, below and above all. */
	assert_null(probe_maps_find(&m, 0x55d0c3000010));
	assert_null(probe_maps_find(&m, 0x1000));
	assert_null(probe_maps_find(&m, 0xffffffffffff0000ULL));
	/* The bound holds. */
	probe_maps_free(&m);
	assert_int_equal(probe_maps_parse(qemu_maps, &m, 2), 0);
	assert_int_equal(m.n, 2);
	probe_maps_free(&m);
}

/* A program's own executable is the workload's region. */
static void test_workload_region(void **state)
{
	static const char maps[] =
		"00400000-00401000 r--p 00000000 fe:01 9 /opt/vbench-trace-agent\n"
		"00401000-00500000 r-xp 00001000 fe:01 9 /opt/vbench-trace-agent\n";
	struct vb_maps m;

	(void)state;
	assert_int_equal(probe_maps_parse(maps, &m, 8), 0);
	assert_int_equal(probe_region_of(probe_maps_find(&m, 0x401234), m.exe), VB_RG_WORKLOAD);
	probe_maps_free(&m);
}

__attribute__((noinline)) int regions_marker_function(int x)
{
	return x * 3 + 1;
}

/* Our own binary, through our own maps: the marker's address is in it. */
static void test_elf_symbol_of_self(void **state)
{
	uint64_t addr = (uint64_t)(uintptr_t)&regions_marker_function;
	char *text = probe_maps_read_text(getpid()), fn[96] = "";
	const struct vb_mapping *x;
	struct vb_maps m;

	(void)state;
	assert_non_null(text);
	assert_int_equal(probe_maps_parse(text, &m, 4096), 0);
	x = probe_maps_find(&m, addr);
	assert_non_null(x);
	assert_int_equal(probe_region_of(x, m.exe), VB_RG_WORKLOAD);
	assert_true(probe_elf_symbol(x->path, addr - x->lo + x->offset, fn, sizeof(fn)));
	assert_string_equal(fn, "regions_marker_function");
	/* Not an ELF: no symbol, no crash. */
	assert_false(probe_elf_symbol("/proc/self/status", 0, fn, sizeof(fn)));
	assert_false(probe_elf_symbol("/nonexistent", 0, fn, sizeof(fn)));
	probe_maps_free(&m);
	free(text);
	assert_int_equal(regions_marker_function(1), 4);
}

/* QEMU's network layer by its functions' names; the rest of QEMU is not. */
static void test_net_functions(void **state)
{
	(void)state;
	assert_true(probe_function_is_net("virtio_net_flush_tx"));
	assert_true(probe_function_is_net("qemu_sendv_packet_async"));
	assert_true(probe_function_is_net("qemu_net_queue_send_iov"));
	assert_true(probe_function_is_net("net_slirp_send_packet"));
	assert_true(probe_function_is_net("tap_send"));
	assert_false(probe_function_is_net("virtqueue_pop"));
	assert_false(probe_function_is_net("cpu_exec"));
	assert_false(probe_function_is_net("qemu_poll_ns"));
	assert_false(probe_function_is_net(NULL));
	assert_int_equal(probe_regions_net_samples(NULL, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_parse_and_regions),
		cmocka_unit_test(test_workload_region),
		cmocka_unit_test(test_elf_symbol_of_self),
		cmocka_unit_test(test_net_functions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
