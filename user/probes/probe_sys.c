// SPDX-License-Identifier: GPL-2.0
/* Syscall names (generated from the kernel's own table) and the top-N. */
#include <stdbool.h>

#include "probe_util.h"

static const char *const syscall_names[] = {
#include "syscall_names.h"
};

const char *vb_syscall_name(uint32_t nr)
{
	if (nr >= sizeof(syscall_names) / sizeof(syscall_names[0]))
		return NULL;
	return syscall_names[nr];
}

static bool ranks_before(const __u64 *counts, size_t a, size_t b)
{
	return counts[a] > counts[b] || (counts[a] == counts[b] && a < b);
}

size_t vb_top_indexes(const __u64 *counts, size_t n, size_t *idx, size_t k)
{
	size_t got = 0;

	for (size_t i = 0; i < n; i++) {
		size_t pos;

		if (!counts[i])
			continue;
		if (got == k && !ranks_before(counts, i, idx[k - 1]))
			continue;
		pos = got < k ? got++ : k - 1;
		while (pos > 0 && ranks_before(counts, i, idx[pos - 1])) {
			idx[pos] = idx[pos - 1];
			pos--;
		}
		idx[pos] = i;
	}
	return got;
}
