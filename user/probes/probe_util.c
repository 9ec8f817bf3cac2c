// SPDX-License-Identifier: GPL-2.0
/*
 * What every probe family's user half shares (probe_util.h): here, emptying
 * a map between windows. In a file of its own, so probes.c (which loads the
 * families) and the families' halves (which clear their maps) do not lean
 * on each other.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probe_util.h"

int probe_clear_map(int fd, size_t key_size)
{
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info);
	char key[64], next[64];
	__u64 left;
	int more;

	if (key_size > sizeof(key))
		return -EINVAL;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	/*
	 * One pass with a cursor, each key deleted after the next one is
	 * found: when the clearing thread is itself a target (the agent in a
	 * guest), each of its bpf() calls puts its own entry back, and
	 * "delete the first key until there is none" would never end. Entries
	 * made behind the cursor belong to the new window; the bound stops a
	 * pass that restarts (a key deleted by the kernel under the cursor).
	 */
	left = 2ULL * info.max_entries + 16;
	more = !bpf_map_get_next_key(fd, NULL, key);
	while (more && left--) {
		more = !bpf_map_get_next_key(fd, key, next);
		if (bpf_map_delete_elem(fd, key) && errno != ENOENT)
			return -errno;
		memcpy(key, next, key_size);
	}
	return 0;
}

void probe_choose_hook(struct bpf_object *obj, bool btf)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, obj) {
		const char *sec = bpf_program__section_name(prog);

		if (!strncmp(sec, "tp_btf/", 7))
			bpf_program__set_autoload(prog, btf);
		else if (!strncmp(sec, "raw_tp/", 7))
			bpf_program__set_autoload(prog, !btf);
	}
}
