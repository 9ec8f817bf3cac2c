// SPDX-License-Identifier: GPL-2.0
/*
 * The user-mode samples by region and function (see probe_regions.h).
 * Every input is bounded: maps text is read up to MAPS_MAX bytes, an ELF's
 * symbols up to SYMS_MAX, the processes and files looked at per snapshot
 * up to PROCS_MAX and FILES_MAX.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <json.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "probe_regions.h"
#include "sched_states.h"

#define MAPS_MAX     (4u << 20) /* bytes of one /proc/PID/maps read */
#define MAPPINGS_MAX 8192	/* executable mappings of one process */
#define PROCS_MAX    64		/* processes whose maps one snapshot reads */
#define FILES_MAX    64		/* ELF files whose symbols one snapshot loads */
#define SYMS_MAX     (1u << 21) /* function symbols of one file */
#define TOP_FUNCS    12
#define FUNC_LEN     96

static const char *const region_names[VB_RG_MAX] = {
	"translated_code", "qemu", "libslirp", "glib",	  "libc",
	"workload",	   "vdso", "other",    "unknown",
};

const char *probe_region_name(int region)
{
	return region >= 0 && region < VB_RG_MAX ? region_names[region] : "?";
}

/* ---- maps ---- */

static int parse_line(const char *line, struct vb_mapping *m)
{
	char perms[8] = "";
	unsigned long long lo, hi, off;
	int path_at = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &lo, &hi, perms, &off, &path_at) < 4 ||
	    !path_at || hi <= lo)
		return -EINVAL;
	line += path_at;
	line += strspn(line, " \t");
	*m = (struct vb_mapping){.lo = lo, .hi = hi, .offset = off, .exec = perms[2] == 'x'};
	snprintf(m->path, sizeof(m->path), "%.*s", (int)strcspn(line, "\n"), line);
	return 0;
}

static int mapping_cmp(const void *a, const void *b)
{
	const struct vb_mapping *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* In address order and apart, as the kernel lists them; text from elsewhere
 * may not be, and the lookup's binary search relies on it. */
static void sort_mappings(struct vb_maps *m)
{
	size_t k = 0;

	if (m->n)
		qsort(m->m, m->n, sizeof(*m->m), mapping_cmp);
	for (size_t i = 0; i < m->n; i++)
		if (!k || m->m[i].lo >= m->m[k - 1].hi)
			m->m[k++] = m->m[i];
	m->n = k;
}

int probe_maps_parse(const char *text, struct vb_maps *out, size_t max)
{
	memset(out, 0, sizeof(*out));
	out->m = calloc(max ? max : 1, sizeof(*out->m));
	if (!out->m)
		return -ENOMEM;
	for (const char *line = text; line && *line && out->n < max;) {
		const char *nl = strchr(line, '\n');
		struct vb_mapping m;

		if (!parse_line(line, &m)) {
			/* The first file mapping is the executable (the kernel lists by address,
			 * and a program is mapped below its libraries and heap). */
			if (!out->exe[0] && m.path[0] == '/')
				snprintf(out->exe, sizeof(out->exe), "%s", m.path);
			if (m.exec)
				out->m[out->n++] = m;
		}
		line = nl ? nl + 1 : NULL;
	}
	sort_mappings(out);
	return 0;
}

void probe_maps_free(struct vb_maps *m)
{
	free(m->m);
	memset(m, 0, sizeof(*m));
}

const struct vb_mapping *probe_maps_find(const struct vb_maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	/* The kernel lists mappings in address order. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < m->m[mid].lo)
			hi = mid;
		else if (addr >= m->m[mid].hi)
			lo = mid + 1;
		else
			return &m->m[mid];
	}
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

enum vb_region probe_region_of(const struct vb_mapping *m, const char *exe)
{
	const char *b = base_name(m->path);

	if (!m->path[0] || starts(m->path, "[anon") || starts(m->path, "/memfd:"))
		return VB_RG_TRANSLATED;
	if (!strcmp(m->path, "[vdso]") || !strcmp(m->path, "[vsyscall]"))
		return VB_RG_VDSO;
	if (starts(b, "qemu-system-"))
		return VB_RG_QEMU;
	if (starts(b, "libslirp"))
		return VB_RG_SLIRP;
	if (starts(b, "libglib-") || starts(b, "libgio-") || starts(b, "libgobject-") ||
	    starts(b, "libgthread-"))
		return VB_RG_GLIB;
	if (starts(b, "libc.so") || starts(b, "libc-") || starts(b, "libm.so") ||
	    starts(b, "ld-linux") || starts(b, "libpthread"))
		return VB_RG_LIBC;
	if (exe && *exe && !strcmp(m->path, exe))
		return VB_RG_WORKLOAD;
	return VB_RG_OTHER;
}

bool probe_function_is_net(const char *fn)
{
	/* QEMU 7 and 8's names: hw/net/virtio-net.c, net/net.c, net/queue.c,
	 * net/slirp.c, net/tap*.c, net/stream.c, net/hub.c, net/filter*.c,
	 * net/checksum.c, net/eth.c */
	static const char *const prefixes[] = {
		"virtio_net_",
		"net_",
		"qemu_net_",
		"qemu_send_packet",
		"qemu_sendv_packet",
		"qemu_deliver_packet",
		"qemu_receive_packet",
		"qemu_can_send_packet",
		"qemu_can_receive_packet",
		"qemu_flush_",
		"qemu_netfilter_",
		"nc_sendv_compat",
		"filter_receive",
		"tap_",
		"eth_",
	};

	for (size_t i = 0; fn && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (starts(fn, prefixes[i]))
			return true;
	return false;
}

/* ---- ELF symbols ---- */

struct sym {
	uint64_t lo, hi; /* vaddr range */
	char *name;
};

struct symfile {
	char path[256];
	struct sym *syms;
	size_t n;
	/* PT_LOAD segments: file offset -> vaddr */
	struct {
		uint64_t off, vaddr, filesz;
	} load[16];
	int nload;
};

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void symfile_free(struct symfile *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->syms[i].name);
	free(f->syms);
	f->syms = NULL;
	f->n = 0;
}

/* The function symbols of one section (.symtab or .dynsym). */
static void load_section(Elf *e, Elf_Scn *scn, GElf_Shdr *sh, struct symfile *f, size_t *cap)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t count = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; d && i < count && f->n < SYMS_MAX; i++) {
		GElf_Sym s;
		const char *name;

		if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    !s.st_value)
			continue;
		name = elf_strptr(e, sh->sh_link, s.st_name);
		if (!name || !*name)
			continue;
		if (f->n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 1024;
			struct sym *p = realloc(f->syms, ncap * sizeof(*p));

			if (!p)
				return;
			f->syms = p;
			*cap = ncap;
		}
		f->syms[f->n++] = (struct sym){s.st_value, s.st_value + (s.st_size ? s.st_size : 1),
					       strndup(name, FUNC_LEN - 1)};
	}
}

static int symfile_load(const char *path, struct symfile *f)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	Elf_Scn *scn = NULL;
	size_t cap = 0, phnum = 0;
	bool have_symtab = false;
	struct stat st;
	Elf *e;

	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || elf_version(EV_CURRENT) == EV_NONE) {
		close(fd);
		return -EINVAL;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &phnum)) {
		if (e)
			elf_end(e);
		close(fd);
		return -EINVAL;
	}
	for (size_t i = 0; i < phnum && f->nload < 16; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD) {
			f->load[f->nload].off = ph.p_offset;
			f->load[f->nload].vaddr = ph.p_vaddr;
			f->load[f->nload].filesz = ph.p_filesz;
			f->nload++;
		}
	}
	/* .symtab where it was kept, else the exported .dynsym. */
	for (int pass = 0; pass < 2; pass++) {
		scn = NULL;
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;

			if (!gelf_getshdr(scn, &sh))
				continue;
			if ((pass == 0 && sh.sh_type == SHT_SYMTAB) ||
			    (pass == 1 && !have_symtab && sh.sh_type == SHT_DYNSYM)) {
				load_section(e, scn, &sh, f, &cap);
				have_symtab |= sh.sh_type == SHT_SYMTAB;
			}
		}
	}
	elf_end(e);
	close(fd);
	if (f->n)
		qsort(f->syms, f->n, sizeof(*f->syms), sym_cmp);
	return 0;
}

/* The function holding file offset off, or NULL. */
static const char *symfile_lookup(const struct symfile *f, uint64_t off)
{
	uint64_t vaddr = 0;
	bool found = false;
	size_t lo = 0, hi = f->n;

	for (int i = 0; i < f->nload && !found; i++)
		if (off >= f->load[i].off && off < f->load[i].off + f->load[i].filesz) {
			vaddr = off - f->load[i].off + f->load[i].vaddr;
			found = true;
		}
	if (!found)
		return NULL;
	/* The last symbol starting at or below vaddr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->syms[mid].lo <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || vaddr >= f->syms[lo - 1].hi)
		return NULL;
	return f->syms[lo - 1].name;
}

bool probe_elf_symbol(const char *path, uint64_t off, char *buf, size_t n)
{
	struct symfile f;
	const char *s;

	if (symfile_load(path, &f))
		return false;
	s = symfile_lookup(&f, off);
	if (s)
		snprintf(buf, n, "%s", s);
	symfile_free(&f);
	return s != NULL;
}

/* ---- the snapshot's samples ---- */

struct sample {
	uint32_t tid;
	int region;
	int func; /* index into funcs, or -1 */
	int lib;  /* index into libs (the "other" region's files), or -1 */
	uint64_t count;
};

struct probe_regions {
	struct sample *s;
	size_t n;
	char (*funcs)[FUNC_LEN]; /* "region\tfunction" */
	size_t nfuncs;
	char (*libs)[64];
	size_t nlibs;
	uint64_t lost;
};

struct proc_maps {
	pid_t pid;
	bool ok;
	struct vb_maps maps;
};

char *probe_maps_read_text(pid_t pid)
{
	char path[64], *buf = malloc(MAPS_MAX + 1);
	size_t len = 0;
	ssize_t got;
	int fd;

	if (!buf)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (len < MAPS_MAX && (got = read(fd, buf + len, MAPS_MAX - len)) > 0)
		len += (size_t)got;
	close(fd);
	buf[len] = '\0';
	if (!len) { /* a zombie: its memory is gone */
		free(buf);
		return NULL;
	}
	return buf;
}

/* The maps of pid (read once per snapshot), or NULL; fallback is the text to
 * use when pid's own cannot be read. */
static const struct vb_maps *maps_of(struct proc_maps *pm, size_t *n, pid_t pid,
				     const char *fallback)
{
	char *text;

	for (size_t i = 0; i < *n; i++)
		if (pm[i].pid == pid)
			return pm[i].ok ? &pm[i].maps : NULL;
	if (*n == PROCS_MAX)
		return NULL;
	text = probe_maps_read_text(pid);
	pm[*n].pid = pid;
	pm[*n].ok = (text || fallback) &&
		    !probe_maps_parse(text ? text : fallback, &pm[*n].maps, MAPPINGS_MAX);
	free(text);
	return pm[(*n)++].ok ? &pm[*n - 1].maps : NULL;
}

static int intern(char (*tab)[FUNC_LEN], size_t *n, size_t max, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(tab[i], s))
			return (int)i;
	if (*n == max)
		return -1;
	snprintf(tab[*n], FUNC_LEN, "%s", s);
	return (int)(*n)++;
}

static int intern_lib(struct probe_regions *pr, const char *path)
{
	const char *b = base_name(path);

	for (size_t i = 0; i < pr->nlibs; i++)
		if (!strcmp(pr->libs[i], b))
			return (int)i;
	if (pr->nlibs == 64)
		return -1;
	snprintf(pr->libs[pr->nlibs], sizeof(pr->libs[0]), "%s", b);
	return (int)pr->nlibs++;
}

/* The symbols of a mapping's file, through /proc/PID/map_files (the file
 * itself, whatever mount namespace the process is in). */
static const struct symfile *symbols_of(struct symfile *files, size_t *n, pid_t pid,
					const struct vb_mapping *m)
{
	char path[96];

	for (size_t i = 0; i < *n; i++)
		if (!strcmp(files[i].path, m->path))
			return &files[i];
	if (*n == FILES_MAX || m->path[0] != '/')
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, m->lo,
		 m->hi);
	if (symfile_load(path, &files[*n]) && symfile_load(m->path, &files[*n]))
		return NULL;
	/* Keyed by the name maps gives, not the map_files link. */
	snprintf(files[*n].path, sizeof(files[*n].path), "%s", m->path);
	return &files[(*n)++];
}

struct lookup {
	struct proc_maps *pm;
	size_t npm;
	struct symfile *files;
	size_t nfiles;
	pid_t root;
	const char *root_maps;
};

static void classify(struct probe_regions *pr, struct sample *smp, const struct vb_sched_ip *k,
		     struct lookup *l)
{
	const struct vb_maps *maps = maps_of(l->pm, &l->npm, (pid_t)k->tgid,
					     (pid_t)k->tgid == l->root ? l->root_maps : NULL);
	pid_t root = l->root;
	pid_t owner = (pid_t)k->tgid;
	const struct vb_mapping *m;
	const struct symfile *f;
	const char *fn;
	char key[FUNC_LEN];

	smp->func = smp->lib = -1;
	if (!maps && root > 0) {
		maps = maps_of(l->pm, &l->npm, root, l->root_maps);
		owner = root;
	}
	m = maps ? probe_maps_find(maps, k->ip) : NULL;
	if (!m) {
		smp->region = VB_RG_UNKNOWN;
		return;
	}
	smp->region = (int)probe_region_of(m, maps->exe);
	if (smp->region == VB_RG_OTHER)
		smp->lib = intern_lib(pr, m->path);
	if (smp->region == VB_RG_TRANSLATED || smp->region == VB_RG_VDSO)
		return;
	f = symbols_of(l->files, &l->nfiles, owner, m);
	fn = f ? symfile_lookup(f, k->ip - m->lo + m->offset) : NULL;
	if (!fn)
		return;
	snprintf(key, sizeof(key), "%s\t%s", region_names[smp->region], fn);
	smp->func = intern(pr->funcs, &pr->nfuncs, VB_MAX_IPS, key);
}

struct probe_regions *probe_regions_read(int ips_fd, pid_t root, const char *root_maps,
					 uint64_t lost)
{
	struct probe_regions *pr = calloc(1, sizeof(*pr));
	struct proc_maps *pm = calloc(PROCS_MAX, sizeof(*pm));
	struct symfile *files = calloc(FILES_MAX, sizeof(*files));
	struct lookup l = {.pm = pm, .files = files, .root = root, .root_maps = root_maps};
	struct vb_sched_ip key, prev;
	bool first = true;

	if (pr) {
		pr->s = calloc(VB_MAX_IPS, sizeof(*pr->s));
		pr->funcs = calloc(VB_MAX_IPS, sizeof(*pr->funcs));
		pr->libs = calloc(64, sizeof(*pr->libs));
		pr->lost = lost;
	}
	if (!pr || !pm || !files || !pr->s || !pr->funcs || !pr->libs) {
		probe_regions_free(pr);
		pr = NULL;
		goto out;
	}
	while (pr->n < VB_MAX_IPS && !bpf_map_get_next_key(ips_fd, first ? NULL : &prev, &key)) {
		__u64 count;

		first = false;
		prev = key;
		if (bpf_map_lookup_elem(ips_fd, &key, &count))
			continue;
		pr->s[pr->n].tid = key.tid;
		pr->s[pr->n].count = count;
		classify(pr, &pr->s[pr->n], &key, &l);
		pr->n++;
	}
out:
	for (size_t i = 0; pm && i < l.npm; i++)
		probe_maps_free(&pm[i].maps);
	for (size_t i = 0; files && i < l.nfiles; i++)
		symfile_free(&files[i]);
	free(pm);
	free(files);
	return pr;
}

void probe_regions_free(struct probe_regions *pr)
{
	if (!pr)
		return;
	free(pr->s);
	free(pr->funcs);
	free(pr->libs);
	free(pr);
}

uint64_t probe_regions_net_samples(const struct probe_regions *pr,
				   bool (*keep)(uint32_t tid, void *arg), void *arg)
{
	uint64_t n = 0;

	for (size_t i = 0; pr && i < pr->n; i++) {
		const struct sample *s = &pr->s[i];

		if (keep && !keep(s->tid, arg))
			continue;
		if (s->region == VB_RG_SLIRP ||
		    (s->region == VB_RG_QEMU && s->func >= 0 &&
		     probe_function_is_net(strchr(pr->funcs[s->func], '\t') + 1)))
			n += s->count;
	}
	return n;
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static int count_desc(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b; /* {count, index} pairs */

	return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : (x[1] > y[1]) - (x[1] < y[1]);
}

void probe_regions_json(const struct probe_regions *pr, uint64_t kernel_samples,
			bool (*keep)(uint32_t tid, void *arg), void *arg,
			struct json_object *samples, bool detail)
{
	uint64_t by[VB_RG_MAX] = {0}, user = 0, (*fc)[2] = NULL, lib[64][2] = {{0}};
	struct json_object *o = json_object_new_object(), *top = json_object_new_array(),
			   *libs = json_object_new_object();
	size_t nf = 0;

	if (pr && pr->nfuncs)
		fc = calloc(pr->nfuncs, sizeof(*fc));
	for (size_t i = 0; pr && i < pr->nfuncs && fc; i++)
		fc[i][1] = i;
	for (size_t i = 0; pr && i < 64; i++)
		lib[i][1] = i;
	for (size_t i = 0; pr && i < pr->n; i++) {
		const struct sample *s = &pr->s[i];

		if (keep && !keep(s->tid, arg))
			continue;
		by[s->region] += s->count;
		user += s->count;
		if (fc && s->func >= 0)
			fc[s->func][0] += s->count;
		if (s->lib >= 0)
			lib[s->lib][0] += s->count;
	}
	add_u64(o, "kernel", kernel_samples);
	for (int r = 0; r < VB_RG_MAX; r++)
		add_u64(o, region_names[r], by[r]);
	json_object_object_add(samples, "by_region", o);
	json_object_object_add(
		samples, "classified",
		json_object_new_double(user + kernel_samples
					       ? 1.0 - (double)by[VB_RG_UNKNOWN] /
								 (double)(user + kernel_samples)
					       : 0));
	if (!detail) {
		json_object_put(top);
		json_object_put(libs);
		free(fc);
		return;
	}
	if (fc) {
		nf = pr->nfuncs;
		qsort(fc, nf, sizeof(*fc), count_desc);
	}
	for (size_t i = 0; i < nf && i < TOP_FUNCS && fc[i][0]; i++) {
		struct json_object *f = json_object_new_object();
		const char *key = pr->funcs[fc[i][1]], *tab = strchr(key, '\t');

		json_object_object_add(f, "region",
				       json_object_new_string_len(key, (int)(tab - key)));
		json_object_object_add(f, "function", json_object_new_string(tab + 1));
		add_u64(f, "samples", fc[i][0]);
		json_object_array_add(top, f);
	}
	json_object_object_add(samples, "top_functions", top);
	qsort(lib, 64, sizeof(lib[0]), count_desc);
	for (size_t i = 0; pr && i < 64 && lib[i][0]; i++)
		add_u64(libs, pr->libs[lib[i][1]], lib[i][0]);
	json_object_object_add(samples, "other_by_file", libs);
	add_u64(samples, "ips_lost", pr ? pr->lost : 0);
	free(fc);
}
