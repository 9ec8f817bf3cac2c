// SPDX-License-Identifier: GPL-2.0
/*
 * Opens and closes the probes in one living process, as the agent does, and
 * checks that probes_close() leaves none of the programs, links or maps it
 * loaded: every BPF object id this process held must be gone from the
 * kernel, and no BPF file descriptor may stay open. Prints one line.
 * Usage: probes_close [ROUNDS]   (links with the tool's objects)
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "probes.h"
#include "util_log.h"

#define MAX_IDS 256

struct held {
	char kind; /* 'p'rog, 'm'ap, 'l'ink */
	__u32 id;
};

/* The BPF objects behind this process's descriptors. */
static int list_held(struct held *h, int max)
{
	char path[300], target[64];
	struct dirent *d;
	int n = 0;
	DIR *dir = opendir("/proc/self/fd");

	while (dir && (d = readdir(dir)) && n < max) {
		struct bpf_prog_info pi = {0};
		struct bpf_map_info mi = {0};
		struct bpf_link_info li = {0};
		int fd = atoi(d->d_name);
		__u32 len;
		ssize_t l;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", d->d_name);
		l = readlink(path, target, sizeof(target) - 1);
		if (l <= 0)
			continue;
		target[l] = '\0';
		len = sizeof(pi);
		if (!strcmp(target, "anon_inode:bpf-prog") &&
		    !bpf_obj_get_info_by_fd(fd, &pi, &len))
			h[n++] = (struct held){'p', pi.id};
		len = sizeof(mi);
		if (!strcmp(target, "anon_inode:bpf-map") && !bpf_obj_get_info_by_fd(fd, &mi, &len))
			h[n++] = (struct held){'m', mi.id};
		len = sizeof(li);
		if (!strcmp(target, "anon_inode:bpf_link") &&
		    !bpf_obj_get_info_by_fd(fd, &li, &len))
			h[n++] = (struct held){'l', li.id};
	}
	if (dir)
		closedir(dir);
	return n;
}

static int still_there(const struct held *h)
{
	int fd = h->kind == 'p'	  ? bpf_prog_get_fd_by_id(h->id)
		 : h->kind == 'm' ? bpf_map_get_fd_by_id(h->id)
				  : bpf_link_get_fd_by_id(h->id);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	struct held h[MAX_IDS], after[MAX_IDS];
	int total = 0;

	vb_progname = "probes_close";
	for (int r = 0; r < rounds; r++) {
		struct probes_opts opts = {.kvm = r % 2 == 1, .sched = r % 2 == 0};
		struct probes *p;
		int n, left = 0;

		if (probes_open(&p, &opts))
			return fprintf(stderr, "probes_close: probes_open failed\n"), 1;
		probes_set_target(p, getpid());
		n = list_held(h, MAX_IDS);
		probes_close(p);
		for (int tries = 0; tries < 100; tries++) {
			left = 0;
			for (int i = 0; i < n; i++)
				left += still_there(&h[i]);
			if (!left)
				break;
			usleep(10000);
		}
		if (left || list_held(after, MAX_IDS)) {
			printf("round %d: %d of %d BPF objects left after probes_close\n", r, left,
			       n);
			return 1;
		}
		total += n;
	}
	printf("ok: %d rounds, %d BPF objects held and all released\n", rounds, total);
	return 0;
}
