// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"
#include "util_log.h"

const struct platform_ops *const platform_table[] = {
	&native_ops,
	&docker_ops,
	&kvm_ops,
	&qemu_ops,
};
const int nr_platforms = sizeof(platform_table) / sizeof(platform_table[0]);

const struct platform_ops *platform_find(const char *name)
{
	for (int i = 0; i < nr_platforms; i++)
		if (!strcmp(platform_table[i]->name, name))
			return platform_table[i];
	return NULL;
}

int platform_link_run(struct platform *p, const char *cmdline)
{
	size_t n = strlen(cmdline);
	char buf[4096];

	if (n + 2 > sizeof(buf))
		return -E2BIG;
	memcpy(buf, cmdline, n);
	buf[n++] = '\n';
	for (size_t off = 0; off < n;) {
		ssize_t w = write(p->cmd_fd, buf + off, n - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)w;
	}
	return 0;
}

int platform_link_collect(struct platform *p, char **json, int timeout_s)
{
	int err;

	/* A broken frame is dropped and the next one awaited, within the same time. */
	do
		err = frame_read(&p->out, json, timeout_s * 1000);
	while (err == -EBADMSG);
	return err;
}

int platform_wait_hello(struct platform *p, int timeout_s)
{
	free(p->hello);
	p->hello = NULL;
	return platform_link_collect(p, &p->hello, timeout_s);
}
