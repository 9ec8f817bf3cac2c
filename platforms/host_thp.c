// SPDX-License-Identifier: GPL-2.0
/* The thp knob of native and docker (host_thp.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "host_thp.h"
#include "platform.h"
#include "scratch.h"
#include "util_log.h"
#include "util_sys.h"

const char *const host_thp_values[] = {HOST_THP_AS_IS, "always", "madvise", "never", NULL};

static const char *sysfs_or_default(const char *sysfs)
{
	return sysfs ? sysfs : HOST_THP_ENABLED;
}

/* A driver used without the runner (a test program) may leave env->cache_dir NULL. */
static const char *cache_or_default(const char *cache_dir)
{
	return cache_dir ? cache_dir : PLATFORM_CACHE_DIR;
}

/* One word of letters and '+' (defer+madvise): what a mode may be. */
static bool mode_word(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]) && s[i] != '+')
			return false;
	return true;
}

int host_thp_parse(const char *text, char *mode, size_t n)
{
	const char *open = strchr(text, '['), *close;
	size_t len;

	if (open) {
		close = strchr(open, ']');
		if (!close || strchr(close + 1, '['))
			return -EINVAL;
		open++;
		len = (size_t)(close - open);
	} else {
		open = text + strspn(text, " \t\n");
		len = strcspn(open, " \t\n");
		/* A file of several words and no brackets selects none of them. */
		if (open[len + strspn(open + len, " \t\n")])
			return -EINVAL;
	}
	if (!mode_word(open, len) || len >= n)
		return -EINVAL;
	memcpy(mode, open, len);
	mode[len] = '\0';
	return 0;
}

bool host_thp_offers(const char *text, const char *mode)
{
	size_t want = strlen(mode);

	for (const char *w = text; *w;) {
		size_t len;

		w += strspn(w, " \t\n[]");
		len = strcspn(w, " \t\n[]");
		if (len && len == want && !strncmp(w, mode, len))
			return true;
		w += len;
	}
	return false;
}

static int read_text(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err = 0;
	ssize_t got;

	if (fd < 0)
		return -errno;
	got = read(fd, buf, n - 1);
	if (got < 0)
		err = -errno;
	close(fd);
	buf[got > 0 ? got : 0] = '\0';
	return err;
}

/* sysfs takes the mode as one write; a regular file (a test's) is replaced. */
static int write_mode(const char *sysfs, const char *mode)
{
	int fd = open(sysfs, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = vb_write_all(fd, mode, strlen(mode));
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int host_thp_supported(const char *sysfs, const char *value, char *why, size_t n)
{
	char text[256];
	int err;

	if (!strcmp(value, HOST_THP_AS_IS))
		return 0;
	sysfs = sysfs_or_default(sysfs);
	if ((err = read_text(sysfs, text, sizeof(text)))) {
		snprintf(why, n,
			 err == -ENOENT
				 ? "%s is missing: this kernel has no transparent huge pages "
				   "(CONFIG_TRANSPARENT_HUGEPAGE); use thp=host"
				 : "cannot read %s: %s; use thp=host",
			 sysfs, strerror(-err));
		return -1;
	}
	if (!host_thp_offers(text, value)) {
		text[strcspn(text, "\n")] = '\0';
		snprintf(why, n, "this kernel offers only '%s' in %s; use one of those or thp=host",
			 text, sysfs);
		return -1;
	}
	if (access(sysfs, W_OK)) {
		snprintf(why, n,
			 "cannot write %s: %s (run as root; a read-only /sys, as in a container, "
			 "needs thp=host)",
			 sysfs, strerror(errno));
		return -1;
	}
	return 0;
}

int host_thp_state_format(char *buf, size_t n, const char *owner, const char *mode)
{
	size_t olen = strcspn(owner, "\n");

	if (!olen || owner[olen + strspn(owner + olen, "\n")] || !mode_word(mode, strlen(mode)))
		return -EINVAL;
	if (snprintf(buf, n, "owner %.*s\nenabled %s\n", (int)olen, owner, mode) >= (int)n)
		return -E2BIG;
	return 0;
}

int host_thp_state_parse(const char *text, char *owner, size_t on, char *mode, size_t mn)
{
	bool have_owner = false, have_mode = false;

	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");

		if (!strncmp(line, "owner ", 6) && len > 6 && len - 6 < on) {
			memcpy(owner, line + 6, len - 6);
			owner[len - 6] = '\0';
			have_owner = true;
		} else if (!strncmp(line, "enabled ", 8) && mode_word(line + 8, len - 8) &&
			   len - 8 < mn) {
			memcpy(mode, line + 8, len - 8);
			mode[len - 8] = '\0';
			have_mode = true;
		} else if (len) {
			return -EINVAL;
		}
		line += len + (line[len] == '\n');
	}
	return have_owner && have_mode ? 0 : -EINVAL;
}

/*
 * The cache directory, locked against other runs' recovering and setting
 * (flock: released if we die), waiting at most HOST_THP_LOCK_WAIT_MS. Its
 * fd, or -errno after a vb_err().
 */
static int lock_dir(const char *cache_dir)
{
	long long deadline = vb_now_ms() + HOST_THP_LOCK_WAIT_MS;
	int fd, err;

	if ((err = vb_mkdir_p(cache_dir, 0755))) {
		vb_err("thp: cannot create the cache directory %s: %s (give a writable one with "
		       "--cache-dir)",
		       cache_dir, strerror(-err));
		return err;
	}
	fd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		vb_err("thp: cannot open %s: %s (give another with --cache-dir)", cache_dir,
		       strerror(-err));
		return err;
	}
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err = -errno;
			break;
		}
		if (vb_now_ms() >= deadline) {
			err = -ETIMEDOUT;
			break;
		}
		vb_sleep_ms(50);
	}
	if (!err)
		return fd;
	vb_err("thp: cannot lock %s: %s (another vbench-trace run holds it; wait for it to end)",
	       cache_dir, strerror(-err));
	close(fd);
	return err;
}

static void unlock_dir(int fd)
{
	flock(fd, LOCK_UN);
	close(fd);
}

int host_thp_state_read(const char *cache_dir, int *pid, bool *alive, char *mode, size_t n)
{
	char path[PATH_MAX], text[512], owner[256];
	int err;

	cache_dir = cache_or_default(cache_dir);
	if (vb_pathf(path, sizeof(path), "%s/%s", cache_dir, HOST_THP_STATE))
		return -ENAMETOOLONG;
	if ((err = read_text(path, text, sizeof(text))))
		return err;
	if (host_thp_state_parse(text, owner, sizeof(owner), mode, n))
		return -EINVAL;
	*pid = atoi(owner);
	*alive = scratch_owner_alive(owner);
	return 0;
}

/* host_thp_recover() with the lock held. */
static int recover_locked(const char *cache_dir, const char *sysfs, int *holder)
{
	char path[PATH_MAX], text[512], owner[256], mode[16];
	int err;

	if (vb_pathf(path, sizeof(path), "%s/%s", cache_dir, HOST_THP_STATE))
		return -ENAMETOOLONG;
	err = read_text(path, text, sizeof(text));
	if (err == -ENOENT)
		return 0;
	if (err || host_thp_state_parse(text, owner, sizeof(owner), mode, sizeof(mode))) {
		vb_err("thp: cannot make sense of %s (%s): put transparent huge pages back by hand "
		       "('echo madvise > %s', or what the host had) and remove the file",
		       path, err ? strerror(-err) : "not a state file of this tool", sysfs);
		return err ? err : -EINVAL;
	}
	if (scratch_owner_alive(owner)) {
		if (holder)
			*holder = atoi(owner);
		return -EBUSY;
	}
	if ((err = write_mode(sysfs, mode))) {
		vb_err("thp: a run that is gone (pid %d) left transparent huge pages set; cannot "
		       "put '%s' back into %s: %s (as root: echo %s > %s, then remove %s)",
		       atoi(owner), mode, sysfs, strerror(-err), mode, sysfs, path);
		return err;
	}
	if (unlink(path) && errno != ENOENT)
		vb_warn("thp: cannot remove %s: %s (remove it by hand)", path, strerror(errno));
	vb_warn("thp: a run that is gone (pid %d) left transparent huge pages set; put back "
		"'%s', the mode it found",
		atoi(owner), mode);
	return 1;
}

int host_thp_recover(const char *cache_dir, const char *sysfs, int *holder)
{
	char path[PATH_MAX];
	int fd, ret;

	cache_dir = cache_or_default(cache_dir);
	/* Most runs find nothing: no directory made, no lock taken. */
	if (vb_pathf(path, sizeof(path), "%s/%s", cache_dir, HOST_THP_STATE) || access(path, F_OK))
		return 0;
	if ((fd = lock_dir(cache_dir)) < 0)
		return fd;
	ret = recover_locked(cache_dir, sysfs_or_default(sysfs), holder);
	unlock_dir(fd);
	return ret;
}

void host_thp_init(struct host_thp *t, const char *sysfs)
{
	memset(t, 0, sizeof(*t));
	t->sysfs = sysfs_or_default(sysfs);
}

/* With the lock held: the state file names what to put back, then the mode is set. */
static int set_locked(struct host_thp *t, const char *cache_dir, const char *value, const char *who)
{
	char text[256], owner[128], state[512], now[16];
	int err;

	if ((err = read_text(t->sysfs, text, sizeof(text))) ||
	    (err = host_thp_parse(text, t->saved, sizeof(t->saved)))) {
		vb_err("%s: thp: cannot read the mode in %s: %s (use thp=host)", who, t->sysfs,
		       strerror(-err));
		return err;
	}
	snprintf(t->dir, sizeof(t->dir), "%s", cache_dir);
	if (vb_pathf(t->state, sizeof(t->state), "%s/%s", cache_dir, HOST_THP_STATE) ||
	    (err = scratch_owner_self(owner, sizeof(owner))) ||
	    (err = host_thp_state_format(state, sizeof(state), owner, t->saved)) ||
	    (err = vb_write_new(t->state, state, 0644))) {
		vb_err("%s: thp: cannot write %s: %s (give a writable --cache-dir)", who, t->state,
		       strerror(err ? -err : ENAMETOOLONG));
		t->state[0] = '\0';
		return err ? err : -ENAMETOOLONG;
	}
	err = write_mode(t->sysfs, value);
	if (!err && !(err = read_text(t->sysfs, text, sizeof(text))) &&
	    (host_thp_parse(text, now, sizeof(now)) || strcmp(now, value)))
		err = -EIO;
	if (err) {
		vb_err("%s: thp: cannot set '%s' in %s: %s (run as root; 'vbench-trace doctor' "
		       "lists the values this machine takes)",
		       who, value, t->sysfs, err == -EIO ? "it did not take" : strerror(-err));
		write_mode(t->sysfs, t->saved);
		unlink(t->state);
		t->state[0] = '\0';
		return err;
	}
	snprintf(t->set, sizeof(t->set), "%s", value);
	return 0;
}

static void defrag_of(const char *sysfs, char *mode, size_t n)
{
	char path[PATH_MAX], text[256];
	const char *slash = strrchr(sysfs, '/');

	snprintf(mode, n, "unknown");
	if (!slash || vb_pathf(path, sizeof(path), "%.*s/defrag", (int)(slash - sysfs), sysfs) ||
	    read_text(path, text, sizeof(text)))
		return;
	host_thp_parse(text, mode, n);
}

int host_thp_apply(struct host_thp *t, const char *cache_dir, const char *value, const char *who)
{
	char why[512], defrag[32];
	int fd, err, holder = 0;

	cache_dir = cache_or_default(cache_dir);
	if (t->state[0])
		return 0;
	if (!strcmp(value, HOST_THP_AS_IS)) {
		/* Not ours to change, but a dead run's setting is not the host's either. */
		if (host_thp_recover(cache_dir, t->sysfs, &holder) == -EBUSY)
			vb_warn("%s: thp: another vbench-trace run (pid %d) holds transparent huge "
				"pages at a mode of its choosing: thp=host measures that mode",
				who, holder);
		return 0;
	}
	if (host_thp_supported(t->sysfs, value, why, sizeof(why))) {
		vb_err("%s: thp=%s: %s", who, value, why);
		return -EINVAL;
	}
	if ((fd = lock_dir(cache_dir)) < 0)
		return fd;
	err = recover_locked(cache_dir, t->sysfs, &holder);
	if (err == -EBUSY)
		vb_err("%s: thp=%s: another vbench-trace run (pid %d) holds transparent huge pages "
		       "until it ends (wait for it, or use thp=host)",
		       who, value, holder);
	if (err >= 0)
		err = set_locked(t, cache_dir, value, who);
	unlock_dir(fd);
	if (err)
		return err;
	defrag_of(t->sysfs, defrag, sizeof(defrag));
	vb_info("%s: thp: transparent huge pages '%s' (the host had '%s'; put back when the "
		"platform is done); defrag left at '%s'",
		who, value, t->saved, defrag);
	return 0;
}

void host_thp_restore(struct host_thp *t, const char *who)
{
	char text[256], now[16] = "";
	int fd, err;

	if (!t->state[0])
		return;
	/* Without the lock the mode still goes back: the file stays for a later run. */
	fd = lock_dir(t->dir);
	if (!read_text(t->sysfs, text, sizeof(text)) && !host_thp_parse(text, now, sizeof(now)) &&
	    strcmp(now, t->set))
		vb_warn("%s: thp: someone changed transparent huge pages to '%s' during the run "
			"(this run set '%s'): its figures may mix both",
			who, now, t->set);
	err = write_mode(t->sysfs, t->saved);
	if (err) {
		vb_err("%s: thp: cannot put '%s' back into %s: %s (as root: echo %s > %s; the next "
		       "run tries again from %s)",
		       who, t->saved, t->sysfs, strerror(-err), t->saved, t->sysfs, t->state);
	} else {
		if (unlink(t->state) && errno != ENOENT)
			vb_warn("%s: thp: cannot remove %s: %s (remove it by hand)", who, t->state,
				strerror(errno));
		vb_info("%s: thp: transparent huge pages back to '%s'", who, t->saved);
	}
	if (fd >= 0)
		unlock_dir(fd);
	t->state[0] = '\0';
}

void host_thp_config_json(struct json_object *config, const char *sysfs)
{
	struct json_object *o;
	char text[256], mode[32];

	if (json_object_object_get_ex(config, "host_thp", NULL))
		return;
	sysfs = sysfs_or_default(sysfs);
	o = json_object_new_object();
	if (!read_text(sysfs, text, sizeof(text)) && !host_thp_parse(text, mode, sizeof(mode)))
		json_object_object_add(o, "enabled", json_object_new_string(mode));
	defrag_of(sysfs, mode, sizeof(mode));
	if (strcmp(mode, "unknown"))
		json_object_object_add(o, "defrag", json_object_new_string(mode));
	json_object_object_add(config, "host_thp", o);
}
