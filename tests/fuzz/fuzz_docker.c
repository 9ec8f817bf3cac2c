// SPDX-License-Identifier: GPL-2.0
/*
 * What the docker driver parses from the engine and the host (docker.h):
 * "docker inspect -f DOCKER_INSPECT_FMT" and DOCKER_STATE_FMT, "docker
 * network inspect" with DOCKER_NET_FMT, "docker ps" lines, the engine's
 * answer to a ping, /proc/PID/status, /proc/PID/stat and /proc/PID/cgroup
 * text, and the tag made from a version string. Today's driver asks docker
 * for Go-template text, not JSON, so these are the parsers of its output.
 * What they accept must be what their callers rely on.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "util_sys.h"

static bool is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static bool odd_alive(pid_t pid, unsigned long long start)
{
	return (pid & 1) && start != 7;
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
	const struct docker_owner self = {.host = "host", .pid = 4242, .start = 99};
	char id[65];

	memset(id, 'x', sizeof(id));
	if (docker_leftover_is_ours(text, &self, odd_alive, id, sizeof(id)) &&
	    !memchr(id, '\0', sizeof(id)))
		abort();
}

static void state(const char *text)
{
	struct docker_state st;
	char says[128];

	if (docker_parse_state(text, &st))
		return;
	if (!st.status[0] || strlen(st.status) >= sizeof(st.status) ||
	    strlen(st.error) >= sizeof(st.error))
		abort();
	docker_state_describe(&st, says, sizeof(says));
	if (strlen(says) >= sizeof(says))
		abort();
}

static void stat_ticks(const char *text)
{
	struct vb_proc_stat st;

	if (!vb_parse_proc_stat(text, &st) && !strrchr(text, ')'))
		abort();
}

/* The raw bytes, not a string: the socket's answer may hold NULs. */
static void ping(const uint8_t *data, size_t size)
{
	int code = docker_ping_status((const char *)data, size);

	if (code != -EINVAL && (code < 100 || code > 599))
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
	state(text);
	stat_ticks(text);
	ping(data, size);
	docker_host_is_remote(text);
	image_tag(text);
	free(text);
	return 0;
}
