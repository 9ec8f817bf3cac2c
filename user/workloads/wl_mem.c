// SPDX-License-Identifier: GPL-2.0
/*
 * mem: sysbench's memory test (1.0, global scope). One event walks one block
 * of --block-size bytes in size_t words: a store of each word (write), a load
 * (read), sequentially or at uniformly random word offsets. By default every
 * event reuses the same page-aligned block, zeroed before timing, as sysbench
 * does: that measures the CPU's store path and caches. --buffer-size spreads
 * the events over a larger, freshly mapped buffer, block after block, so that
 * first-touch page faults and memory bandwidth show.
 */
#include <errno.h>
#include <getopt.h>
#include <json.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util_log.h"
#include "wl_internal.h"
#include "workload.h"

enum mem_oper { MEM_WRITE, MEM_READ };

/* The option ranges --help gives. */
#define MEM_MAX_BLOCK	(1ULL << 30)
#define MEM_MAX_BUFFER	(1ULL << 40)
#define MEM_MAX_TOTAL	(1ULL << 50)
#define MEM_MAX_THREADS 1024

struct mem_opts {
	double duration;
	uint64_t block_size;
	uint64_t total_size;
	uint64_t buffer_size; /* 0: one block, as sysbench */
	uint64_t threads;
	enum mem_oper oper;
	bool rnd;
	bool no_thp;
};

struct mem_thread {
	pthread_t tid;
	const struct mem_opts *o;
	char *buf;
	uint64_t nblocks; /* blocks in buf */
	uint64_t first;	  /* this thread's first block */
	uint64_t max_ops; /* its share of --total-size */
	double deadline;
	uint64_t ops;
	uint64_t rand;
	size_t sink; /* what the loads read: keeps them observable */
};

/*
 * The loops below are sysbench's: one volatile size_t access per word, so
 * the compiler neither vectorises nor drops them, and the stored value is
 * the distance to the block's end as in event_seq_write(). sysbench 1.0 is
 * built with -O2 -funroll-loops, and Debian's binary runs these loops eight
 * words per iteration: the unroll pragma gives the same instructions per
 * word here (objdump -d shows the same eight-store body). Without it the
 * loop pays a compare and a branch per word and writes a quarter slower
 * than sysbench at 1 MiB blocks.
 */
static void block_seq_write(size_t *w, size_t n)
{
	volatile size_t *p = w, *end = w + n;

#pragma GCC unroll 8
	for (; p < end; p++)
		*p = end - p;
}

static size_t block_seq_read(const size_t *w, size_t n)
{
	const volatile size_t *p = w, *end = w + n;
	size_t v = 0;

#pragma GCC unroll 8
	for (; p < end; p++)
		v = *p;
	return v;
}

/* sysbench draws a uniform double per word; so does this, more cheaply. */
static inline size_t rand_word(uint64_t *s, size_t n)
{
	return (size_t)((double)(wl_rand_next(s) >> 11) * 0x1.0p-53 * (double)n);
}

static void block_rnd_write(size_t *w, size_t n, uint64_t *s)
{
	volatile size_t *p = w;

	for (size_t i = 0; i < n; i++)
		p[rand_word(s, n)] = i;
}

static size_t block_rnd_read(const size_t *w, size_t n, uint64_t *s)
{
	const volatile size_t *p = w;
	size_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = p[rand_word(s, n)];
	return v;
}

/*
 * Checks the clock every so many blocks (about 64 KiB), not every block: a
 * 1 KiB event takes about as long as a few clock reads. sysbench reads the
 * clock three times per event and updates a latency histogram; perf shows
 * it spending half its time in clock_gettime, which is why this scores more
 * MiB/s than sysbench for the very same stores.
 */
static uint64_t clock_mask(uint64_t block_size)
{
	uint64_t n = 1;

	while (n * block_size < 65536)
		n <<= 1;
	return n - 1;
}

static void *mem_thread_run(void *arg)
{
	struct mem_thread *t = arg;
	const struct mem_opts *o = t->o;
	size_t words = o->block_size / sizeof(size_t);
	uint64_t mask = clock_mask(o->block_size), blk = t->first;
	size_t v = 0;

	while (t->ops < t->max_ops) {
		size_t *w = (size_t *)(t->buf + blk * o->block_size);

		if (o->oper == MEM_WRITE && !o->rnd)
			block_seq_write(w, words);
		else if (o->oper == MEM_WRITE)
			block_rnd_write(w, words, &t->rand);
		else if (!o->rnd)
			v ^= block_seq_read(w, words);
		else
			v ^= block_rnd_read(w, words, &t->rand);
		if (++blk == t->nblocks)
			blk = 0;
		if ((++t->ops & mask) == 0 && vb_now_s() >= t->deadline)
			break;
	}
	t->sink = v;
	return NULL;
}

static int mem_parse_oper(const char *arg, struct mem_opts *o)
{
	if (!strcmp(arg, "write"))
		o->oper = MEM_WRITE;
	else if (!strcmp(arg, "read"))
		o->oper = MEM_READ;
	else
		goto bad;
	return WL_OK;
bad:
	vb_err("mem: --oper '%s' is not one of read, write", arg);
	return WL_EUSAGE;
}

static int mem_parse_access(const char *arg, struct mem_opts *o)
{
	if (strcmp(arg, "seq") && strcmp(arg, "rnd")) {
		vb_err("mem: --access '%s' is not one of seq, rnd", arg);
		return WL_EUSAGE;
	}
	o->rnd = !strcmp(arg, "rnd");
	return WL_OK;
}

static int mem_check(struct mem_opts *o)
{
	if (o->block_size % sizeof(size_t)) {
		vb_err("mem: --block-size %llu is not a multiple of %zu bytes (one size_t word)",
		       (unsigned long long)o->block_size, sizeof(size_t));
		return WL_EUSAGE;
	}
	if (o->total_size / o->block_size / o->threads == 0) {
		vb_err("mem: --total-size %llu is less than one --block-size per thread",
		       (unsigned long long)o->total_size);
		return WL_EUSAGE;
	}
	if (o->buffer_size && (o->buffer_size < o->block_size || o->buffer_size % o->block_size)) {
		vb_err("mem: --buffer-size %llu is not a multiple of --block-size %llu",
		       (unsigned long long)o->buffer_size, (unsigned long long)o->block_size);
		return WL_EUSAGE;
	}
	return WL_OK;
}

static int mem_parse(int argc, char **argv, struct mem_opts *o)
{
	static const struct option longopts[] = {
		{"duration", required_argument, NULL, 'd'},
		{"block-size", required_argument, NULL, 'b'},
		{"total-size", required_argument, NULL, 's'},
		{"buffer-size", required_argument, NULL, 'B'},
		{"oper", required_argument, NULL, 'o'},
		{"access", required_argument, NULL, 'a'},
		{"threads", required_argument, NULL, 't'},
		{"no-thp", no_argument, NULL, 'H'},
		{0},
	};
	int c, ret = 0;

	*o = (struct mem_opts){
		.duration = 10,
		.block_size = 1024,
		.total_size = 100ULL << 30,
		.threads = 1,
	};
	optind = 0; /* glibc: a full re-initialisation, so the agent can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			ret = wl_parse_duration(optarg, &o->duration);
			break;
		case 'b':
			ret = wl_parse_size_range("--block-size", optarg, sizeof(size_t),
						  MEM_MAX_BLOCK, &o->block_size);
			break;
		case 's':
			ret = wl_parse_size_range("--total-size", optarg, 1, MEM_MAX_TOTAL,
						  &o->total_size);
			break;
		case 'B':
			ret = wl_parse_size_range("--buffer-size", optarg, sizeof(size_t),
						  MEM_MAX_BUFFER, &o->buffer_size);
			break;
		case 'o':
			ret = mem_parse_oper(optarg, o);
			break;
		case 'a':
			ret = mem_parse_access(optarg, o);
			break;
		case 't':
			ret = wl_parse_uint("--threads", optarg, 1, MEM_MAX_THREADS, &o->threads);
			break;
		case 'H':
			o->no_thp = true;
			break;
		default:
			return wl_opt_error("mem", c, optind, argv);
		}
		if (ret)
			return ret;
	}
	ret = wl_no_args("mem", argc, optind, argv);
	return ret ? ret : mem_check(o);
}

/* sysbench's buffer: one page-aligned block, zeroed before the clock starts. */
static void *mem_block_alloc(const struct mem_opts *o)
{
	void *p;

	if (posix_memalign(&p, sysconf(_SC_PAGESIZE), o->block_size))
		return NULL;
	memset(p, 0, o->block_size);
	return p;
}

/* A fresh mapping, not touched here: its first-touch faults are timed. */
static void *mem_buffer_map(const struct mem_opts *o)
{
	void *p = mmap(NULL, o->buffer_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Fault counts are exact only page by page: huge pages fault once per 2 MiB. */
	if (o->no_thp && madvise(p, o->buffer_size, MADV_NOHUGEPAGE))
		vb_warn("mem: madvise(MADV_NOHUGEPAGE): %s; huge pages may be used",
			strerror(errno));
	return p;
}

static struct json_object *mem_extra(const struct mem_opts *o)
{
	struct json_object *x = json_object_new_object();

	json_object_object_add(x, "block_size", json_object_new_uint64(o->block_size));
	json_object_object_add(
		x, "buffer_size",
		json_object_new_uint64(o->buffer_size ? o->buffer_size : o->block_size));
	json_object_object_add(x, "total_size", json_object_new_uint64(o->total_size));
	json_object_object_add(x, "oper",
			       json_object_new_string(o->oper == MEM_WRITE ? "write" : "read"));
	json_object_object_add(x, "access", json_object_new_string(o->rnd ? "rnd" : "seq"));
	json_object_object_add(x, "threads", json_object_new_uint64(o->threads));
	json_object_object_add(x, "no_thp", json_object_new_boolean(o->no_thp));
	return x;
}

static int mem_threads(const struct mem_opts *o, char *buf, struct wl_result *res)
{
	uint64_t nblocks = (o->buffer_size ? o->buffer_size : o->block_size) / o->block_size;
	uint64_t per_thread = o->total_size / o->block_size / o->threads;
	struct mem_thread *t = calloc(o->threads, sizeof(*t));
	double start, end;
	uint64_t i, n;
	int err, ret = WL_OK;

	if (!t) {
		vb_err("mem: out of memory for %llu threads", (unsigned long long)o->threads);
		return WL_EFAIL;
	}
	start = vb_now_s();
	for (n = 0; n < o->threads; n++) {
		/* Threads share the buffer (sysbench's global scope), apart where it is large. */
		t[n] = (struct mem_thread){.o = o,
					   .buf = buf,
					   .nblocks = nblocks,
					   .first = n * nblocks / o->threads,
					   .max_ops = per_thread,
					   .deadline = start + o->duration,
					   .rand = 0x9e3779b97f4a7c15ULL * (n + 1)};
		err = pthread_create(&t[n].tid, NULL, mem_thread_run, &t[n]);
		if (err) {
			vb_err("mem: cannot start thread %llu: %s (try fewer --threads)",
			       (unsigned long long)n, strerror(err));
			ret = WL_EFAIL;
			break;
		}
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i].tid, NULL);
		res->ops += t[i].ops;
	}
	end = vb_now_s();
	free(t);
	res->duration_s = end - start;
	res->bytes = res->ops * o->block_size;
	res->score = (double)res->bytes / (1 << 20) / res->duration_s;
	return ret;
}

static int mem_check_args(int argc, char **argv)
{
	struct mem_opts o;

	return mem_parse(argc, argv, &o);
}

static int mem_run(int argc, char **argv, struct wl_result *res)
{
	struct mem_opts o;
	char *buf;
	int ret;

	ret = mem_parse(argc, argv, &o);
	if (ret)
		return ret;
	buf = o.buffer_size ? mem_buffer_map(&o) : mem_block_alloc(&o);
	if (!buf) {
		vb_err("mem: cannot allocate a %llu-byte buffer: %s (try a smaller --buffer-size)",
		       (unsigned long long)(o.buffer_size ? o.buffer_size : o.block_size),
		       strerror(errno));
		return WL_EFAIL;
	}
	ret = mem_threads(&o, buf, res);
	if (o.buffer_size)
		munmap(buf, o.buffer_size);
	else
		free(buf);
	if (ret == WL_OK)
		res->extra = mem_extra(&o);
	return ret;
}

static void mem_usage(FILE *out)
{
	fprintf(out,
		"usage: workload mem [options]\n"
		"  One event reads or writes one block in size_t words (sysbench's memory\n"
		"  test). Score: MiB/s (MiB = 2^20 bytes), summed over threads.\n"
		"  --duration SECONDS   stop after this long, 0.001..1e6 (default 10)\n"
		"  --block-size SIZE    bytes per event, a multiple of 8 in 8..1G (default 1K)\n"
		"  --total-size SIZE    stop after this many bytes, if sooner, 1..1024T\n"
		"                       (default 100G)\n"
		"  --oper read|write    (default write)\n"
		"  --access seq|rnd     word order within a block (default seq)\n"
		"  --threads N          threads sharing the buffer, 1..1024 (default 1)\n"
		"  --buffer-size SIZE   walk a fresh mmap'd buffer of SIZE (8..1T), block after\n"
		"                       block, so page faults and memory bandwidth show\n"
		"                       (default: one block reused, as sysbench)\n"
		"  --no-thp             madvise(MADV_NOHUGEPAGE) on that buffer: one fault\n"
		"                       per page\n"
		"  What the default measures: one 1 KiB block stays in the L1 cache, so the\n"
		"  score is the core's store rate, sysbench's stores with the clock read once\n"
		"  per 64 KiB. sysbench reads the clock three times and updates a histogram per\n"
		"  event, which at 1 KiB costs more than the 128 stores: its 1K figure is a\n"
		"  fraction of this one (0.2-0.4 where measured) and says more about its clock\n"
		"  than about memory. At --block-size 1M (sysbench --memory-block-size=1M)\n"
		"  that cost vanishes and the two agree.\n"
		"  peer: sysbench memory --memory-block-size=1K --memory-oper=write "
		"--memory-access-mode=seq\n");
}

const struct workload wl_mem = {
	.name = "mem",
	.unit = "MiB/s",
	.summary = "size_t stores over 1 KiB blocks, as sysbench memory",
	.peer = "sysbench memory --memory-block-size=1K --memory-oper=write "
		"--memory-access-mode=seq",
	.higher_is_better = true,
	.usage = mem_usage,
	.check = mem_check_args,
	.run = mem_run,
};
