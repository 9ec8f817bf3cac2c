// SPDX-License-Identifier: GPL-2.0
/*
 * docker: the image. FROM scratch with the static agent as its only file,
 * built here with the legacy builder (offline, no buildx) and tagged with
 * the agent's crc32, so a rebuilt agent gets a new image and nothing is
 * ever pulled.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "docker_internal.h"
#include "util_log.h"
#include "util_sys.h"

int docker_image_tag(char *buf, size_t n, const char *version, unsigned long hash)
{
	char v[100];
	size_t i;
	int len;

	for (i = 0; version[i] && i < sizeof(v) - 1; i++) {
		unsigned char c = (unsigned char)version[i];

		v[i] = isalnum(c) || c == '_' || c == '.' || c == '-' ? (char)c : '_';
	}
	v[i] = '\0';
	/* A tag may not start with '.' or '-'. */
	if (v[0] == '.' || v[0] == '-')
		v[0] = '_';
	len = snprintf(buf, n, "%s:%s-%08lx", DOCKER_REPO, i ? v : "0", hash & 0xffffffffUL);
	return len < 0 || (size_t)len >= n ? -E2BIG : 0;
}

static int hash_file(const char *path, unsigned long *crc)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	*crc = crc32(0L, Z_NULL, 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		*crc = crc32(*crc, (const Bytef *)buf, (uInt)n);
	close(fd);
	return n < 0 ? -EIO : 0;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in, out, err = 0;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while (!err && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 || write(out, buf, (size_t)n) != n)
			err = -EIO;
	}
	if (close(out) && !err)
		err = -errno;
	close(in);
	return err;
}

static int tag_for_agent(const struct platform_env *env, char *tag, size_t n)
{
	unsigned long crc;
	int err = hash_file(env->agent_path, &crc);

	if (err) {
		vb_err("docker: cannot read the agent %s: %s (run 'make')", env->agent_path,
		       strerror(-err));
		return err;
	}
	return docker_image_tag(tag, n, VB_VERSION, crc);
}

static bool image_exists(const char *tag)
{
	char out[128];

	return DOCKER_CLI(out, sizeof(out), NULL, 0, DOCKER_CLI_TIMEOUT_S, "image", "inspect",
			  "--format", "{{.Id}}", tag) == 0;
}

static const char dockerfile[] = "# Made by vbench-trace: the static agent alone, nothing pulled.\n"
				 "FROM scratch\n"
				 "LABEL " DOCKER_LABEL "\n"
				 "COPY vbench-trace-agent /vbench-trace-agent\n"
				 "ENTRYPOINT [\"/vbench-trace-agent\"]\n";

/* The build context: a fresh directory under base holding the agent and a
 * Dockerfile. Its paths go to dir, agent and df. */
static int make_context(const struct platform_env *env, const char *base, char *dir, char *agent,
			char *df)
{
	int err;

	if ((err = vb_mkdir_p(base, 0755))) {
		vb_err("docker: cannot create %s: %s (is it writable?)", base, strerror(-err));
		return err;
	}
	snprintf(dir, PATH_MAX, "%s/docker-build.XXXXXX", base);
	if (!mkdtemp(dir)) {
		err = -errno;
		vb_err("docker: cannot make a build directory in %s: %s (is it writable?)", base,
		       strerror(errno));
		return err;
	}
	if (vb_pathf(agent, PATH_MAX, "%s/vbench-trace-agent", dir) ||
	    vb_pathf(df, PATH_MAX, "%s/Dockerfile", dir)) {
		rmdir(dir);
		vb_err("docker: the build directory %s is too long (use a shorter cache directory)",
		       dir);
		return -ENAMETOOLONG;
	}
	err = copy_file(env->agent_path, agent, 0755);
	if (!err)
		err = vb_write_new(df, dockerfile, 0644);
	if (err) {
		vb_err("docker: cannot prepare the build context %s: %s (is it writable?)", dir,
		       strerror(-err));
		unlink(agent);
		unlink(df);
		rmdir(dir);
	}
	return err;
}

static int build_image(const struct platform_env *env, const char *tag)
{
	const char *base = env->cache_dir ? env->cache_dir : env->work_dir;
	char dir[PATH_MAX], agent[PATH_MAX], df[PATH_MAX], why[512];
	long long t0 = vb_now_ms();
	int err;

	if ((err = make_context(env, base, dir, agent, df)))
		return err;
	/* The legacy builder works offline with dockerd 20.10 and needs no buildx. */
	err = docker_cli_run((const char *const[]){docker_cli_path, "build", "-q", "--force-rm",
						   "-t", tag, dir, NULL},
			     "DOCKER_BUILDKIT=0", NULL, 0, why, sizeof(why),
			     DOCKER_BUILD_TIMEOUT_S);
	if (err) {
		vb_err("docker: cannot build image %s: %s (build context %s; 'docker info' "
		       "shows the engine's state)",
		       tag, err == -ETIMEDOUT ? "timed out" : why, dir);
		err = -EIO;
	} else {
		vb_info("docker: built image %s in %lld ms", tag, vb_now_ms() - t0);
	}
	unlink(agent);
	unlink(df);
	rmdir(dir);
	return err;
}

void docker_image_remove_old(const char *keep)
{
	char list[8192], *save = NULL, *line;

	if (DOCKER_CLI(list, sizeof(list), NULL, 0, DOCKER_CLI_TIMEOUT_S, "images", "--filter",
		       "label=" DOCKER_LABEL, "--filter", "reference=" DOCKER_REPO, "--format",
		       "{{.Repository}}:{{.Tag}}"))
		return;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, keep) || strstr(line, "<none>"))
			continue;
		if (!DOCKER_CLI(NULL, 0, NULL, 0, DOCKER_CLI_TIMEOUT_S, "rmi", line))
			vb_info("docker: removed old image %s", line);
	}
	/* Untagged leftovers of ours (a tag moved by hand, an interrupted build). */
	DOCKER_CLI(NULL, 0, NULL, 0, DOCKER_CLI_TIMEOUT_S, "image", "prune", "-f", "--filter",
		   "label=" DOCKER_LABEL);
}

int docker_image_ensure(const struct platform_env *env, char *tag, size_t n, bool say_reuse)
{
	int err;

	if (!*tag && (err = tag_for_agent(env, tag, n)))
		return err;
	if (image_exists(tag)) {
		if (say_reuse)
			vb_info("docker: reusing image %s", tag);
		return 0;
	}
	return build_image(env, tag);
}
