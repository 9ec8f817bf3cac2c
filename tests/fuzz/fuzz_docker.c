// SPDX-License-Identifier: GPL-2.0
/*
 * What the docker driver parses from the engine and the host (docker.h):
 * "docker inspect -f DOCKER_INSPECT_FMT", "docker network inspect" with
 * DOCKER_NET_FMT, "docker ps" lines, /proc/PID/status and /proc/PID/cgroup
 * text, and the tag made from a version string. Today's driver asks docker
 * for Go-template text, not JSON, so these are the parsers of its output.
 * What they accept must be what their callers rely on.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"

static bool is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static bool odd_alive(pid_t pid)
{
	return pid & 1;
}

static void inspect(const char *text)
{
	struct docker_inspect in;

	if (docker_parse_inspect(text, &in))
		return;
	if (in.pid <= 0 || strlen(in.id) != 64 || (in.gateway[0] && !is_ipv4(in.gateway)))
		abort();
	for (int i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)in.id[i]))
			abort();
	docker_cgroup_has_id(text, in.id);
}

static void bridge_gateway(const char *text)
{
	char gw[16]; /* "255.255.255.255" */

	if (!docker_parse_bridge_gateway(text, gw, sizeof(gw)) && !is_ipv4(gw))
		abort();
}

static void leftover(const char *text)
{
	char id[65];

	memset(id, 'x', sizeof(id));
	if (docker_leftover_is_ours(text, "host", 4242, odd_alive, id, sizeof(id)) &&
	    !memchr(id, '\0', sizeof(id)))
		abort();
}

/* A tag docker accepts: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
static void image_tag(const char *version)
{
	char buf[160];
	const char *tag;
	size_t len;

	if (docker_image_tag(buf, sizeof(buf), version, 0xdeadbeef))
		abort();
	tag = buf + strlen(DOCKER_REPO ":");
	len = strlen(tag);
	if (strncmp(buf, DOCKER_REPO ":", strlen(DOCKER_REPO ":")) || !len || len > 128 ||
	    *tag == '.' || *tag == '-' ||
	    strspn(tag, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	inspect(text);
	bridge_gateway(text);
	leftover(text);
	docker_status_nspid(text);
	docker_host_is_remote(text);
	image_tag(text);
	free(text);
	return 0;
}
