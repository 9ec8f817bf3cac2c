// SPDX-License-Identifier: GPL-2.0
/*
 * What the thp knob parses (host_thp.h): the kernel's "always [madvise]
 * never" and the state file a run leaves in the cache directory, which the
 * next run reads and acts on. A mode that comes out must be one word the
 * tool would write back to sysfs, a state file must survive its own
 * format, and nothing may overrun the callers' buffers.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_thp.h"

static bool mode_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && *s != '+')
			return false;
	return true;
}

static void enabled(const char *text)
{
	char mode[16];

	if (!host_thp_parse(text, mode, sizeof(mode)) &&
	    (!mode_word(mode) || !host_thp_offers(text, mode)))
		abort();
}

static void state(const char *text)
{
	char owner[128], mode[16], again[512], owner2[128], mode2[16];

	if (host_thp_state_parse(text, owner, sizeof(owner), mode, sizeof(mode)))
		return;
	if (!mode_word(mode) || !*owner || strchr(owner, '\n'))
		abort();
	/* What the tool reads back, it can write again, and read the same. */
	if (host_thp_state_format(again, sizeof(again), owner, mode) ||
	    host_thp_state_parse(again, owner2, sizeof(owner2), mode2, sizeof(mode2)) ||
	    strcmp(owner, owner2) || strcmp(mode, mode2))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	enabled(text);
	state(text);
	free(text);
	return 0;
}
