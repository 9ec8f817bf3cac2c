// SPDX-License-Identifier: GPL-2.0
/*
 * diskrand and diskseq: reads of a prepared file or block device, one
 * pread(2) per block, as fio's psync engine issues them; O_DIRECT unless
 * --buffered. diskrand reads --block-size blocks (4 KiB) at uniformly random
 * block-aligned offsets (fio --rw=randread), diskseq reads them in order and
 * wraps at the end (fio --rw=read, time_based).
 *
 * The image is written before the clock starts, with data no chunk repeats,
 * and fsynced. Its first bytes hold a header (magic, size, seed) written
 * last, so a file or device that already holds a complete image of at least
 * the size asked for is reused as it is: the next run costs nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "util_log.h"
#include "wl_internal.h"
#include "workload.h"

#define DISK_DEFAULT_DIR  "/var/tmp"
#define DISK_DEFAULT_FILE DISK_DEFAULT_DIR "/vbench-trace-disk.img"
#define DISK_SEED	  0x76626e6368ULL
#define DISK_CHUNK	  4096ULL
#define DISK_WRITE_BATCH  (1ULL << 20)
#define DISK_HUGE	  (2ULL << 20)
/* The option ranges --help gives; a pread moves at most 2 GiB - 4 KiB. */
#define DISK_MIN_BLOCK 512ULL
#define DISK_MAX_BLOCK (256ULL << 20)
#define DISK_MAX_SIZE  (1ULL << 50)
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1; glibc 2.36's headers lack it */
#endif

struct disk_opts {
	const char *name; /* diskrand or diskseq */
	bool seq;
	double duration;
	const char *file;
	uint64_t size;
	uint64_t block_size;
	bool buffered;
	bool overwrite;
};

struct disk_image {
	int fd; /* the timed reads' descriptor */
	bool is_blkdev;
	dev_t dev;	    /* the block device the reads reach: st_rdev or st_dev */
	uint64_t size;	    /* bytes the reads cover: whole blocks */
	uint64_t orig_size; /* a regular file's length when it was opened */
	bool reused;	    /* already prepared: nothing written */
	double prepare_s;
	const char *buffer;  /* how the read buffer is backed */
	bool have_dev_reads; /* the device's count could be read, before and after */
	uint64_t dev_reads;  /* read requests it completed over the timed reads */
};

/* ---- latency histogram ------------------------------------------------ */

void wl_hist_add(struct wl_hist *h, uint64_t ns)
{
	unsigned int msb, idx;

	h->count++;
	h->sum_ns += ns;
	if (ns < (1U << WL_HIST_SUB)) {
		h->bucket[ns]++;
		return;
	}
	msb = 63 - __builtin_clzll(ns);
	idx = ((msb - WL_HIST_SUB + 1) << WL_HIST_SUB) +
	      (unsigned int)((ns >> (msb - WL_HIST_SUB)) - (1U << WL_HIST_SUB));
	h->bucket[idx]++;
}

/* The middle of bucket idx: its values are within half a bucket of it. */
static double hist_bucket_mid(unsigned int idx)
{
	unsigned int group = idx >> WL_HIST_SUB, sub = idx & ((1U << WL_HIST_SUB) - 1);
	double width, low;

	if (!group)
		return idx;
	width = (double)(1ULL << (group - 1));
	low = (double)((1ULL << WL_HIST_SUB) + sub) * width;
	return low + (width - 1) / 2;
}

double wl_hist_quantile(const struct wl_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	rank = (uint64_t)(q * (double)h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	for (unsigned int i = 0; i < WL_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			return hist_bucket_mid(i);
	}
	return hist_bucket_mid(WL_HIST_BUCKETS - 1);
}

/* ---- the image -------------------------------------------------------- */

void wl_disk_fill_chunk(void *buf, uint64_t seed, uint64_t chunk)
{
	uint64_t *w = buf, s = (seed ^ (chunk * 0x9e3779b97f4a7c15ULL)) | 1;

	for (size_t i = 0; i < DISK_CHUNK / sizeof(*w); i++)
		w[i] = wl_rand_next(&s);
}

/*
 * How much of an image fd already holds. Anything else in its first chunk
 * is someone's data: it is overwritten only when asked (a path mistyped as
 * a disk or a database must not be destroyed).
 */
static int disk_inspect(const struct disk_opts *o, int fd, uint64_t *done)
{
	static const char zero[DISK_CHUNK];
	char chunk0[DISK_CHUNK];
	struct wl_disk_header h;
	ssize_t n;

	*done = 0;
	n = pread(fd, chunk0, sizeof(chunk0), 0);
	if (n < 0) {
		vb_err("%s: cannot read %s: %s", o->name, o->file, strerror(errno));
		return WL_EFAIL;
	}
	if ((size_t)n >= sizeof(h)) {
		memcpy(&h, chunk0, sizeof(h));
		if (!memcmp(h.magic, WL_DISK_MAGIC, sizeof(h.magic))) {
			*done = h.seed == DISK_SEED ? h.size : 0;
			return WL_OK;
		}
	}
	if (!memcmp(chunk0, zero, n) || o->overwrite)
		return WL_OK;
	vb_err("%s: %s holds data that is not a vbench-trace image; pass --overwrite to "
	       "replace it, or give another --file",
	       o->name, o->file);
	return WL_EUSAGE;
}

static void disk_put_header(void *chunk0, uint64_t size)
{
	struct wl_disk_header h = {.size = size, .seed = DISK_SEED};

	memcpy(h.magic, WL_DISK_MAGIC, sizeof(h.magic));
	memcpy(chunk0, &h, sizeof(h));
}

/* Where writing the image stopped, and why (an errno). */
struct disk_werr {
	uint64_t off;
	int err;
};

/* Writes chunks [from, to) of the image, header marked incomplete. */
static int disk_write_range(int fd, uint64_t from, uint64_t to, struct disk_werr *we)
{
	char *buf = malloc(DISK_WRITE_BATCH);
	uint64_t off, len;
	ssize_t n;

	if (!buf) {
		*we = (struct disk_werr){from, ENOMEM};
		return WL_EFAIL;
	}
	for (off = from; off < to; off += len) {
		len = to - off < DISK_WRITE_BATCH ? to - off : DISK_WRITE_BATCH;
		for (uint64_t c = 0; c < len; c += DISK_CHUNK)
			wl_disk_fill_chunk(buf + c, DISK_SEED, (off + c) / DISK_CHUNK);
		if (!off)
			disk_put_header(buf, 0);
		/* after a short write the next one says why */
		for (uint64_t put = 0; put < len; put += (uint64_t)n) {
			n = pwrite(fd, buf + put, len - put, (off_t)(off + put));
			if (n <= 0) {
				*we = (struct disk_werr){off + put, n < 0 ? errno : ENOSPC};
				free(buf);
				return WL_EFAIL;
			}
		}
	}
	free(buf);
	return WL_OK;
}

/* Data first, then the header that says it is complete, each made durable. */
static int disk_write_image(int fd, uint64_t done, uint64_t size, struct disk_werr *we)
{
	char chunk0[DISK_CHUNK];

	if (disk_write_range(fd, done - done % DISK_CHUNK, size, we))
		return WL_EFAIL;
	*we = (struct disk_werr){size, 0};
	if (fsync(fd))
		goto fail;
	wl_disk_fill_chunk(chunk0, DISK_SEED, 0);
	disk_put_header(chunk0, size);
	we->off = 0;
	if (pwrite(fd, chunk0, sizeof(chunk0), 0) != sizeof(chunk0) || fsync(fd))
		goto fail;
	return WL_OK;
fail:
	we->err = errno ? errno : EIO;
	return WL_EFAIL;
}

/* The size to use: a device is never written past its end. */
static int disk_fit(const struct disk_opts *o, int fd, struct disk_image *img)
{
	struct stat st;
	uint64_t dev_size, size = o->size;

	if (fstat(fd, &st)) {
		vb_err("%s: stat %s: %s", o->name, o->file, strerror(errno));
		return WL_EFAIL;
	}
	img->is_blkdev = S_ISBLK(st.st_mode);
	img->dev = img->is_blkdev ? st.st_rdev : st.st_dev;
	img->orig_size = (uint64_t)st.st_size;
	if (!img->is_blkdev && !S_ISREG(st.st_mode)) {
		vb_err("%s: %s is neither a regular file nor a block device (give --file PATH)",
		       o->name, o->file);
		return WL_EUSAGE;
	}
	if (img->is_blkdev) {
		if (ioctl(fd, BLKGETSIZE64, &dev_size)) {
			vb_err("%s: BLKGETSIZE64 on %s: %s", o->name, o->file, strerror(errno));
			return WL_EFAIL;
		}
		if (size > dev_size) {
			vb_warn("%s: %s holds only %llu bytes; using that, not --size %llu",
				o->name, o->file, (unsigned long long)dev_size,
				(unsigned long long)size);
			size = dev_size;
		}
	}
	img->size = size - size % o->block_size;
	if (img->size < o->block_size) {
		vb_err("%s: %s: %llu bytes is less than one --block-size %llu", o->name, o->file,
		       (unsigned long long)size, (unsigned long long)o->block_size);
		return WL_EUSAGE;
	}
	return WL_OK;
}

/* The default path must work in a FROM scratch container, which has no /var/tmp. */
static void disk_default_dir(const struct disk_opts *o)
{
	if (strcmp(o->file, DISK_DEFAULT_FILE))
		return;
	mkdir("/var", 0755);
	mkdir(DISK_DEFAULT_DIR, 01777);
}

/*
 * A device is opened exclusively: the kernel refuses if it is mounted. A
 * file is created only where none is, so that *created says whether a
 * failure may remove it.
 */
static int disk_open_rw(const struct disk_opts *o, bool *created)
{
	struct stat st;
	int fd;

	*created = false;
	if (!stat(o->file, &st) && S_ISBLK(st.st_mode)) {
		fd = open(o->file, O_RDWR | O_EXCL | O_CLOEXEC);
	} else {
		fd = open(o->file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		*created = fd >= 0;
		if (fd < 0 && errno == EEXIST)
			fd = open(o->file, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0 && errno == EBUSY)
		vb_err("%s: %s is in use (mounted?): give --file an unused device or a file",
		       o->name, o->file);
	else if (fd < 0)
		vb_err("%s: cannot open %s: %s (give --file PATH on a writable disk)", o->name,
		       o->file, strerror(errno));
	return fd;
}

static double mib(uint64_t bytes)
{
	return (double)bytes / (1 << 20);
}

/*
 * Writing the image failed: a file this run created goes, one it found is
 * cut back to the length it had, so a full filesystem does not stay full.
 */
static void disk_write_failed(const struct disk_opts *o, const struct disk_image *img, int fd,
			      bool created, uint64_t free_before, const struct disk_werr *we)
{
	const char *undo = "";
	char avail[64] = "";

	if (created && !unlink(o->file))
		undo = "; the file it had created was removed";
	else if (!created && !img->is_blkdev && !ftruncate(fd, (off_t)img->orig_size))
		undo = "; the file was cut back to its former length";
	if (free_before != UINT64_MAX)
		snprintf(avail, sizeof(avail), ", %.1f MiB more, and %.1f MiB are free",
			 mib(img->size > img->orig_size ? img->size - img->orig_size : 0),
			 mib(free_before));
	if (we->err == ENOSPC || we->err == EDQUOT)
		vb_err("%s: the filesystem of %s is full: the image needs %.1f MiB (--size)%s%s "
		       "(free space there, give --file on another filesystem, or a smaller --size)",
		       o->name, o->file, mib(img->size), avail, undo);
	else
		vb_err("%s: cannot write the image %s at %llu: %s%s (give --file elsewhere)",
		       o->name, o->file, (unsigned long long)we->off, strerror(we->err), undo);
}

/* Bytes this process may still put on fd's filesystem; UINT64_MAX if unknown. */
static uint64_t disk_free_bytes(int fd)
{
	struct statvfs sv;

	if (fstatvfs(fd, &sv) || !sv.f_frsize)
		return UINT64_MAX;
	/* root may use the blocks reserved for it */
	return (uint64_t)(geteuid() ? sv.f_bavail : sv.f_bfree) * sv.f_frsize;
}

/* A regular file that must grow by more than the free space. */
static bool disk_wont_fit(const struct disk_image *img, uint64_t free_bytes)
{
	if (img->is_blkdev || img->size <= img->orig_size)
		return false;
	return img->size - img->orig_size > free_bytes;
}

static int disk_prepare(const struct disk_opts *o, struct disk_image *img)
{
	double start = vb_now_s();
	struct disk_werr we = {0};
	uint64_t done, free_before;
	bool created;
	int fd, ret;

	disk_default_dir(o);
	fd = disk_open_rw(o, &created);
	if (fd < 0)
		return WL_EFAIL;
	ret = disk_fit(o, fd, img);
	if (!ret)
		ret = disk_inspect(o, fd, &done);
	if (ret) {
		if (created)
			unlink(o->file);
		goto out;
	}
	img->reused = done >= img->size;
	free_before = disk_free_bytes(fd);
	we = (struct disk_werr){img->orig_size, ENOSPC};
	/* refused before a byte is written when it cannot fit, so nothing fills up */
	if (!img->reused && disk_wont_fit(img, free_before)) {
		disk_write_failed(o, img, fd, created, free_before, &we);
		ret = WL_EFAIL;
	} else if (!img->reused && disk_write_image(fd, done, img->size, &we)) {
		disk_write_failed(o, img, fd, created, free_before, &we);
		ret = WL_EFAIL;
	}
out:
	close(fd);
	img->prepare_s = vb_now_s() - start;
	return ret;
}

static int disk_open_timed(const struct disk_opts *o, struct disk_image *img)
{
	int flags = O_RDONLY | O_CLOEXEC | (o->buffered ? 0 : O_DIRECT);

	img->fd = open(o->file, flags);
	if (img->fd < 0 && errno == EINVAL && !o->buffered) {
		vb_err("%s: the filesystem of %s refuses O_DIRECT (tmpfs?): put --file on a disk, "
		       "or pass --buffered to read through the page cache",
		       o->name, o->file);
		return WL_EFAIL;
	}
	if (img->fd < 0) {
		vb_err("%s: cannot open %s: %s", o->name, o->file, strerror(errno));
		return WL_EFAIL;
	}
	/* As fio's invalidate=1: buffered reads start from a cold page cache. */
	if (o->buffered)
		posix_fadvise(img->fd, 0, img->size, POSIX_FADV_DONTNEED);
	return WL_OK;
}

/* ---- the read buffer and the device's own count ----------------------- */

struct disk_buf {
	void *map; /* what to munmap */
	size_t map_len;
	char *p; /* block_size bytes, page-aligned for O_DIRECT */
	const char *backing;
};

/* One of a hugetlb or a transparent huge page, touched; NULL if neither. */
static char *disk_buf_huge(size_t hlen, struct disk_buf *b)
{
	char *p = mmap(NULL, hlen, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (p != MAP_FAILED) {
		*b = (struct disk_buf){.map = p, .map_len = hlen, .p = p, .backing = "hugetlb"};
		memset(p, 0, hlen);
		return p;
	}
	/* Over-map by one huge page, so that a 2 MiB-aligned range lies inside. */
	p = mmap(NULL, hlen + DISK_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED)
		return NULL;
	*b = (struct disk_buf){.map = p, .map_len = hlen + DISK_HUGE};
	b->p = (char *)(((uintptr_t)p + DISK_HUGE - 1) & ~(uintptr_t)(DISK_HUGE - 1));
	madvise(b->p, hlen, MADV_HUGEPAGE);
	memset(b->p, 0, hlen);
	/* Collapse says for certain whether the range is huge pages now. */
	b->backing = madvise(b->p, hlen, MADV_COLLAPSE) ? "pages" : "thp";
	return b->p;
}

/*
 * The read buffer, laid out so that one read is one request where fio's is.
 * A 1 MiB buffer of 4 KiB pages that are not physically contiguous is 256
 * segments, more than a virtio disk queue takes (max_segments 254): the block
 * layer splits every read in two (1016 KiB + 8 KiB). A 2 MiB huge page is one
 * segment: a reserved hugetlb page if any, else a transparent huge page, else
 * small pages as before. A one-page block needs none of it.
 */
static int disk_buf_alloc(uint64_t len, struct disk_buf *b)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t hlen = (len + DISK_HUGE - 1) & ~(DISK_HUGE - 1);
	char *p;

	if (len > page)
		return disk_buf_huge(hlen, b) ? 0 : -1;
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	*b = (struct disk_buf){.map = p, .map_len = page, .p = p, .backing = "pages"};
	memset(p, 0, page);
	return 0;
}

static void disk_buf_free(struct disk_buf *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
}

/*
 * Read requests the image's block device has completed (the first field of
 * its stat file, requests after merges and splits). False where the file
 * sits on no block device of its own (overlayfs, tmpfs, btrfs) or /sys is
 * not there.
 */
static bool disk_dev_reads(dev_t dev, uint64_t *reads)
{
	unsigned long long v;
	char path[64];
	FILE *f;
	bool ok;

	if (!major(dev))
		return false;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/stat", major(dev), minor(dev));
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	*reads = v;
	return ok;
}

/* ---- the timed reads -------------------------------------------------- */

/* Uniform in [0, n) without a division: the high half of a 64x64 product. */
static inline uint64_t rand_below(uint64_t *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)wl_rand_next(s) * n) >> 64);
}

static int disk_read_error(const struct disk_opts *o, ssize_t n, uint64_t off)
{
	if (n < 0 && errno == EINVAL && !o->buffered)
		vb_err("%s: O_DIRECT read of %llu bytes at %llu from %s: %s (the device's block "
		       "size must divide --block-size; or pass --buffered)",
		       o->name, (unsigned long long)o->block_size, (unsigned long long)off, o->file,
		       strerror(errno));
	else
		vb_err("%s: read of %llu bytes at %llu from %s: %s", o->name,
		       (unsigned long long)o->block_size, (unsigned long long)off, o->file,
		       n < 0 ? strerror(errno) : "short read (was the file truncated?)");
	return WL_EFAIL;
}

/*
 * One pread and one clock read per op: an op's latency runs from the end of
 * the previous one, which adds only the few instructions that pick the offset.
 */
static int disk_loop(const struct disk_opts *o, const struct disk_image *img, void *buf,
		     struct wl_hist *h, struct wl_result *res)
{
	uint64_t nblocks = img->size / o->block_size, bs = o->block_size;
	uint64_t start = vb_now_ns(), end = start + (uint64_t)(o->duration * 1e9);
	uint64_t s = (DISK_SEED ^ start) | 1, prev = start, t, off = 0;
	ssize_t n;

	do {
		if (!o->seq)
			off = rand_below(&s, nblocks) * bs;
		n = pread(img->fd, buf, bs, off);
		t = vb_now_ns();
		if (n != (ssize_t)bs)
			return disk_read_error(o, n, off);
		wl_hist_add(h, t - prev);
		prev = t;
		res->ops++;
		if (o->seq && (off += bs) == nblocks * bs)
			off = 0;
	} while (t < end);
	res->duration_s = (double)(t - start) / 1e9;
	res->bytes = res->ops * bs;
	res->score = (double)res->bytes / (1 << 20) / res->duration_s;
	return WL_OK;
}

static struct json_object *disk_extra(const struct disk_opts *o, const struct disk_image *img,
				      const struct wl_hist *h, const struct wl_result *res)
{
	struct json_object *x = json_object_new_object();

	json_object_object_add(x, "iops", json_object_new_double(res->ops / res->duration_s));
	json_object_object_add(x, "lat_p50_us",
			       json_object_new_double(wl_hist_quantile(h, 0.50) / 1e3));
	json_object_object_add(x, "lat_p99_us",
			       json_object_new_double(wl_hist_quantile(h, 0.99) / 1e3));
	json_object_object_add(x, "lat_mean_us",
			       json_object_new_double((double)h->sum_ns / h->count / 1e3));
	json_object_object_add(x, "file", json_object_new_string(o->file));
	json_object_object_add(x, "block_device", json_object_new_boolean(img->is_blkdev));
	json_object_object_add(x, "size", json_object_new_uint64(img->size));
	json_object_object_add(x, "block_size", json_object_new_uint64(o->block_size));
	json_object_object_add(x, "direct", json_object_new_boolean(!o->buffered));
	json_object_object_add(x, "image_reused", json_object_new_boolean(img->reused));
	json_object_object_add(x, "prepare_s", json_object_new_double(img->prepare_s));
	json_object_object_add(x, "buffer", json_object_new_string(img->buffer));
	json_object_object_add(x, "device_reads_per_op",
			       img->have_dev_reads ? json_object_new_double((double)img->dev_reads /
									    (double)res->ops)
						   : NULL);
	return x;
}

/* ---- options and entry points ----------------------------------------- */

static int disk_parse(int argc, char **argv, struct disk_opts *o)
{
	static const struct option longopts[] = {
		{"duration", required_argument, NULL, 'd'},
		{"file", required_argument, NULL, 'f'},
		{"size", required_argument, NULL, 's'},
		{"block-size", required_argument, NULL, 'b'},
		{"buffered", no_argument, NULL, 'B'},
		{"overwrite", no_argument, NULL, 'O'},
		{0},
	};
	int c, ret = 0;

	o->duration = 10;
	o->file = DISK_DEFAULT_FILE;
	o->size = 1ULL << 30;
	o->block_size = o->seq ? 1ULL << 20 : 4096;
	o->buffered = false;
	o->overwrite = false;
	optind = 0; /* glibc: a full re-initialisation, so the agent can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			ret = wl_parse_duration(optarg, &o->duration);
			break;
		case 'f':
			o->file = optarg;
			break;
		case 's':
			ret = wl_parse_size_range("--size", optarg, DISK_MIN_BLOCK, DISK_MAX_SIZE,
						  &o->size);
			break;
		case 'b':
			ret = wl_parse_size_range("--block-size", optarg, DISK_MIN_BLOCK,
						  DISK_MAX_BLOCK, &o->block_size);
			if (!ret && o->block_size % DISK_MIN_BLOCK) {
				vb_err("%s: --block-size %s is not a multiple of 512", o->name,
				       optarg);
				ret = WL_EUSAGE;
			}
			break;
		case 'B':
			o->buffered = true;
			break;
		case 'O':
			o->overwrite = true;
			break;
		default:
			return wl_opt_error(o->name, c, optind, argv);
		}
		if (ret)
			return ret;
	}
	if (!*o->file) {
		vb_err("%s: --file is empty (give a path, or leave it out for %s)", o->name,
		       DISK_DEFAULT_FILE);
		return WL_EUSAGE;
	}
	return wl_no_args(o->name, argc, optind, argv);
}

/*
 * The count once the last read is in it: blk-mq wakes the reader before it
 * counts the request in the device's stat, so a look right after the last
 * pread can be one short. Looks again each millisecond until two agree
 * (20 ms at most: then the last look stands).
 */
static bool disk_dev_reads_settled(dev_t dev, uint64_t *reads)
{
	uint64_t next;

	if (!disk_dev_reads(dev, reads))
		return false;
	for (int i = 0; i < 20; i++) {
		vb_sleep_ms(1);
		if (!disk_dev_reads(dev, &next))
			return false;
		if (next == *reads)
			break;
		*reads = next;
	}
	return true;
}

/* The timed reads, between two reads of the device's own request count. */
static int disk_measure(const struct disk_opts *o, struct disk_image *img, void *buf,
			struct wl_hist *h, struct wl_result *res)
{
	uint64_t before = 0, after = 0;
	bool have = disk_dev_reads(img->dev, &before);
	int ret = disk_loop(o, img, buf, h, res);

	if (ret)
		return ret;
	img->have_dev_reads = have && disk_dev_reads_settled(img->dev, &after) && after >= before;
	img->dev_reads = after - before;
	res->extra = disk_extra(o, img, h, res);
	return WL_OK;
}

static int disk_run(struct disk_opts *o, int argc, char **argv, struct wl_result *res)
{
	struct disk_image img = {.fd = -1};
	struct disk_buf buf = {0};
	struct wl_hist *h = NULL;
	int ret;

	ret = disk_parse(argc, argv, o);
	if (ret)
		return ret;
	ret = disk_prepare(o, &img);
	if (ret)
		return ret;
	ret = disk_open_timed(o, &img);
	if (ret)
		return ret;
	h = calloc(1, sizeof(*h));
	if (!h || disk_buf_alloc(o->block_size, &buf)) {
		vb_err("%s: out of memory for a %llu-byte block (try a smaller --block-size)",
		       o->name, (unsigned long long)o->block_size);
		ret = WL_EFAIL;
		goto out;
	}
	img.buffer = buf.backing;
	ret = disk_measure(o, &img, buf.p, h, res);
out:
	disk_buf_free(&buf);
	free(h);
	close(img.fd);
	return ret;
}

static int diskrand_run(int argc, char **argv, struct wl_result *res)
{
	struct disk_opts o = {.name = "diskrand", .seq = false};

	return disk_run(&o, argc, argv, res);
}

static int diskseq_run(int argc, char **argv, struct wl_result *res)
{
	struct disk_opts o = {.name = "diskseq", .seq = true};

	return disk_run(&o, argc, argv, res);
}

static int diskrand_check(int argc, char **argv)
{
	struct disk_opts o = {.name = "diskrand", .seq = false};

	return disk_parse(argc, argv, &o);
}

static int diskseq_check(int argc, char **argv)
{
	struct disk_opts o = {.name = "diskseq", .seq = true};

	return disk_parse(argc, argv, &o);
}

static void disk_usage(FILE *out, bool seq)
{
	fprintf(out,
		"usage: workload %s [options]\n"
		"  %s, one pread per block (fio's psync engine), O_DIRECT\n"
		"  unless --buffered. Score: MiB/s (MiB = 2^20 bytes); extra: IOPS and latency\n"
		"  p50/p99/mean, the read buffer's backing (a huge page where one is to be had,\n"
		"  so a read is one device request) and the device's read requests per read\n"
		"  (device_reads_per_op). The image is written once (non-repeating data, fsynced, "
		"a\n"
		"  header at offset 0) and kept: a file or block device already holding an\n"
		"  image of at least --size is reused without writing.\n"
		"  --duration SECONDS   how long to read, 0.001..1e6 (default 10)\n"
		"  --file PATH          image file or block device (default %s)\n"
		"  --size SIZE          bytes of it to read, 512..1024T; a device is never\n"
		"                       written past its end (default 1G)\n"
		"  --block-size SIZE    bytes per read, a multiple of 512 in 512..256M\n"
		"                       (default %s)\n"
		"  --buffered           read through the page cache (default O_DIRECT; fio's\n"
		"                       direct=0, the page cache dropped for the file first)\n"
		"  --overwrite          write the image over a file or device holding other\n"
		"                       data (refused otherwise; a mounted device always is)\n"
		"  peer: %s on the same file\n",
		seq ? "diskseq" : "diskrand",
		seq ? "Sequential reads that wrap at the end of the image"
		    : "Reads at uniformly random block-aligned offsets",
		DISK_DEFAULT_FILE, seq ? "1M" : "4k",
		seq ? "fio --rw=read --bs=1m --direct=1 --ioengine=psync"
		    : "fio --rw=randread --bs=4k --direct=1 --ioengine=psync");
}

static void diskrand_usage(FILE *out)
{
	disk_usage(out, false);
}

static void diskseq_usage(FILE *out)
{
	disk_usage(out, true);
}

const struct workload wl_diskrand = {
	.name = "diskrand",
	.unit = "MiB/s",
	.summary = "4 KiB O_DIRECT reads at random offsets, as fio randread psync",
	.peer = "fio --rw=randread --bs=4k --direct=1 --ioengine=psync",
	.higher_is_better = true,
	.usage = diskrand_usage,
	.check = diskrand_check,
	.run = diskrand_run,
};

const struct workload wl_diskseq = {
	.name = "diskseq",
	.unit = "MiB/s",
	.summary = "1 MiB O_DIRECT sequential reads, as fio read psync",
	.peer = "fio --rw=read --bs=1m --direct=1 --ioengine=psync",
	.higher_is_better = true,
	.usage = diskseq_usage,
	.check = diskseq_check,
	.run = diskseq_run,
};
