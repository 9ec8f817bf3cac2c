/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where on-CPU user time went, by code: the sched family's user-mode
 * samples (sched_ips: thread, address, count) placed in the mapping each
 * address falls in (/proc/PID/maps) and, where the ELF behind it has a
 * symbol table, in its function (libelf), as `perf report --sort dso,sym`
 * does. Regions are named for what they are to a platform: QEMU's
 * translated-code buffer (its anonymous executable mapping), QEMU itself,
 * libslirp, glib, libc, the workload (the process's own executable),
 * other libraries; kernel-mode samples are the sched family's own counts.
 */
#ifndef VB_PROBE_REGIONS_H
#define VB_PROBE_REGIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct json_object;

/* The regions a user-mode sample is counted in. */
enum vb_region {
	VB_RG_TRANSLATED, /* an anonymous executable mapping: a JIT's code (QEMU's TCG) */
	VB_RG_QEMU,	  /* qemu-system-* */
	VB_RG_SLIRP,	  /* libslirp */
	VB_RG_GLIB,	  /* libglib, libgio, libgobject */
	VB_RG_LIBC,	  /* libc, libm, the dynamic loader */
	VB_RG_WORKLOAD,	  /* the process's own executable (the agent) */
	VB_RG_VDSO,	  /* [vdso], [vsyscall] */
	VB_RG_OTHER,	  /* any other file-backed mapping */
	VB_RG_UNKNOWN,	  /* no mapping known at that address (the process was gone) */
	VB_RG_MAX,
};

const char *probe_region_name(int region);

/* One mapping of /proc/PID/maps. */
struct vb_mapping {
	uint64_t lo, hi, offset;
	bool exec;
	char path[256]; /* "" for anonymous memory; "[vdso]" and the like as the kernel says */
};

struct vb_maps {
	struct vb_mapping *m;
	size_t n;
	char exe[256]; /* the process's executable, as maps names it */
};

/* --- pure: no BPF, no root ------------------------------------------- */

/* Parses maps text (at most max mappings, executable ones only); 0 or -errno. */
int probe_maps_parse(const char *text, struct vb_maps *out, size_t max);
void probe_maps_free(struct vb_maps *m);
/* The mapping holding addr, or NULL. */
const struct vb_mapping *probe_maps_find(const struct vb_maps *m, uint64_t addr);
/* The region of a mapping, for a process whose executable is exe. */
enum vb_region probe_region_of(const struct vb_mapping *m, const char *exe);

/* Whether a function of QEMU's binary is its network layer: the virtio-net
 * device, the net queue and clients (net/: slirp, tap, stream, hub,
 * filters, checksums). */
bool probe_function_is_net(const char *fn);

/* The function at file offset off of the ELF at path, into buf; false when
 * it has no symbol there (or no symbol table, or is not an ELF). */
bool probe_elf_symbol(const char *path, uint64_t off, char *buf, size_t n);

/* --- from the sched family's map -------------------------------------- */

struct probe_regions;

/*
 * Reads sched_ips (map fd), finds every address's region and function in
 * the maps of its process (read now, from /proc; a process already gone
 * is looked up in root's maps, as a fork child of it, and when root is
 * gone too, in root_maps: its maps as last seen, or NULL). NULL without
 * memory.
 */
struct probe_regions *probe_regions_read(int ips_fd, pid_t root, const char *root_maps,
					 uint64_t lost);
/* /proc/PID/maps, whole up to its bound, malloc'd; NULL when unreadable. */
char *probe_maps_read_text(pid_t pid);
void probe_regions_free(struct probe_regions *pr);

/*
 * Adds to samples: "by_region" {region: count}, with kernel_samples under
 * "kernel", and "classified" (the share of all samples, kernel ones
 * included, placed in a known mapping: 1 - unknown / total); with detail,
 * "top_functions" [{"region", "function", "samples"}], "other_by_file"
 * {file: count} for the "other" region and "ips_lost". Only the threads
 * for which keep(tid, arg) is true (keep NULL: all).
 */
void probe_regions_json(const struct probe_regions *pr, uint64_t kernel_samples,
			bool (*keep)(uint32_t tid, void *arg), void *arg,
			struct json_object *samples, bool detail);

/* The user-mode samples of the threads keep() accepts that ran network
 * code: libslirp, or QEMU's network layer (probe_function_is_net()). */
uint64_t probe_regions_net_samples(const struct probe_regions *pr,
				   bool (*keep)(uint32_t tid, void *arg), void *arg);

#endif
