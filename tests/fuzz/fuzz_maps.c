// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/maps text as probe_regions.c reads it: parsed into mappings,
 * each looked up by its own bounds and named a region. The parser must
 * stay within the text and the bound it is given, whatever the bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe_regions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct vb_maps m;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (!probe_maps_parse(text, &m, 64)) {
		if (m.n > 64)
			abort();
		for (size_t i = 0; i < m.n; i++) {
			const struct vb_mapping *x = probe_maps_find(&m, m.m[i].lo);

			if (!x || x->lo > m.m[i].lo || x->hi <= m.m[i].lo)
				abort();
			if (probe_region_of(x, m.exe) >= VB_RG_MAX)
				abort();
		}
		probe_maps_free(&m);
	}
	free(text);
	return 0;
}
