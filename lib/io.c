// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * io: every source of BTF bytes -> one BTF object.
 *   raw BTF (file, /sys/kernel/btf/...)  -> parsed in place (read, zero copy)
 *   ELF (vmlinux, .ko)                   -> .BTF section via libelf (SHF_COMPRESSED too)
 *   compressed file (.ko.xz/.zst/.gz...) -> decompressed, then again from the top
 *   bzImage (x86 vmlinuz)                -> payload decompressed -> vmlinux ELF -> .BTF
 *   arm64/riscv64 Image (also Image.gz)  -> the vmlinux BTF among the image's bytes
 *   EFI zboot image (PE, "zimg")         -> payload decompressed -> Image -> BTF among its bytes
 *   s390 image ("S390EP")                -> compressed vmlinux.bin found, decompressed -> BTF among its bytes
 *   powerpc zImage (ELF boot wrapper)    -> .kernel:vmlinux.strip decompressed -> vmlinux ELF -> .BTF
 * Formats are recognised by content, never by file name.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "btf_int.h"
#include "elfw.h"

/* A buffer and who frees it. */
struct bytes {
	const uint8_t *data;
	size_t len;
	void *owned;    /* malloc'd, or NULL */
};

static void bytes_release(struct bytes *b)
{
	free(b->owned);
	memset(b, 0, sizeof(*b));
}

/*
 * Map the pages of a large read buffer before the read fills them: one call instead of a page
 * fault per 4 KiB page (a 4 MB vmlinux BTF: ~1000 faults, ~1 ms of a 16 ms dump, since files are
 * read, not mapped). A hint: kernels before 5.14 refuse it and the read faults as before.
 */
static void prefault(uint8_t *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = 4096, a = ((uintptr_t)p + page - 1) & ~(page - 1), e = ((uintptr_t)p + n) & ~(page - 1);
	if (n >= (1u << 20) && e > a)
		madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p, (void)n;
#endif
}

int btfc__read_fd(struct btfc_ctx *ctx, const char *name, int fd, uint8_t **out, size_t *outlen)
{
	struct stat st;
	size_t cap = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 1 << 20;
	size_t len = 0;
	uint8_t *buf = NULL;
	bool seekable = true;

	for (;;) {
		if (len == cap || !buf) {
			if (buf)
				cap *= 2;
			if (cap > ctx->max_decompressed + 1) {
				free(buf);
				return btfc__err(ctx, -EFBIG, name, "file larger than %" PRIu64 " bytes",
						 ctx->max_decompressed);
			}
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return btfc__err(ctx, -ENOMEM, name, "out of memory reading");
			}
			buf = nb;
			prefault(buf + len, cap - len);
		}
		/* pread: independent of the file offset (a memfd just written); read: pipes */
		ssize_t r = seekable ? pread(fd, buf + len, cap - len, len) : read(fd, buf + len, cap - len);
		if (r < 0 && errno == ESPIPE && seekable) {
			seekable = false;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return btfc__err(ctx, -e, name, "read error: %s", strerror(e));
		}
		if (!r)
			break;
		len += r;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int btfc__open_regular(struct btfc_ctx *ctx, const char *path, uint64_t limit, struct stat *st)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int err;

	if (fd < 0)
		return btfc__err(ctx, -errno, path, "cannot open: %s", strerror(errno));
	if (fstat(fd, st)) {
		err = btfc__err(ctx, -errno, path, "cannot stat: %s", strerror(errno));
	} else if (S_ISDIR(st->st_mode)) {
		err = btfc__err(ctx, -EISDIR, path, "is a directory");
	} else if (!S_ISREG(st->st_mode)) {
		err = btfc__refuse(ctx, BTFC_REASON_NOT_REGULAR, -EINVAL, path, "not a regular file (%s): not reading it",
				   S_ISFIFO(st->st_mode) ? "a FIFO" : S_ISCHR(st->st_mode) ? "a character device"
				   : S_ISBLK(st->st_mode) ? "a block device" : S_ISSOCK(st->st_mode) ? "a socket" : "special");
	} else if ((uint64_t)st->st_size > limit) {
		err = btfc__err(ctx, -EFBIG, path, "file larger than %" PRIu64 " bytes (the limit)", limit);
	} else {
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		return fd;
	}
	close(fd);
	return err;
}

int btfc__flock_wait(struct btfc_ctx *ctx, int fd, const char *name, const char *what)
{
	const char *env = getenv("BTFCOMPAT_LOCK_TIMEOUT");
	char *end;
	unsigned long secs = env && *env ? strtoul(env, &end, 10) : 60;

	if (env && *env && (*end || secs > 86400))
		secs = 60;
	/* polled: a wait of a few seconds at most costs nothing, and no signal or thread is needed */
	for (unsigned long ms = 0;; ms += 50) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return btfc__err(ctx, -errno, name, "cannot lock %s: %s", what, strerror(errno));
		if (ms >= secs * 1000)
			return btfc__refuse(ctx, BTFC_REASON_LOCKED, -ETIMEDOUT, name,
					    "%s is locked by another process, still after %lu s (BTFCOMPAT_LOCK_TIMEOUT): "
					    "giving up", what, secs);
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
}

int btfc__lock_file(struct btfc_ctx *ctx, int dirfd, const char *name, const char *path)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == ELOOP ? btfc__refuse(ctx, BTFC_REASON_UNSAFE, -ELOOP, path,
						      "is a symbolic link: not following it to lock")
				      : btfc__err(ctx, -errno, path, "cannot open the lock: %s", strerror(errno));
	int err = 0;
	if (fstat(fd, &st))
		err = btfc__err(ctx, -errno, path, "cannot stat the lock: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
		err = btfc__refuse(ctx, BTFC_REASON_UNSAFE, -EPERM, path,
				   "the lock is %s owned by uid %u, not a regular file of uid %u: not using it (remove it)",
				   S_ISREG(st.st_mode) ? "a file" : "not a regular file", (unsigned)st.st_uid,
				   (unsigned)geteuid());
	else if ((st.st_mode & 077) && fchmod(fd, st.st_mode & 0700)) /* an older lock others could open */
		err = btfc__err(ctx, -errno, path, "cannot make the lock private: %s", strerror(errno));
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static bool same_times(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

bool btfc__same_file_state(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       same_times(&a->st_mtim, &b->st_mtim) && same_times(&a->st_ctim, &b->st_ctim);
}

int btfc__read_regular(struct btfc_ctx *ctx, const char *name, int fd, const struct stat *st, uint8_t **out,
		       size_t *outlen)
{
	struct stat now;
	int err = btfc__read_fd(ctx, name, fd, out, outlen);

	if (err)
		return err;
	/* sysfs files report a size other than their contents' and no times worth comparing */
	bool sysfs = !strncmp(name, "/sys/", 5);
	if (fstat(fd, &now) || (!sysfs && ((uint64_t)st->st_size != *outlen || !btfc__same_file_state(st, &now)))) {
		free(*out);
		*out = NULL;
		return btfc__refuse(ctx, BTFC_REASON_CHANGED, -EAGAIN, name,
				    "changed while being read (it is being rewritten?): try again");
	}
	return 0;
}

/* The whole file at @path, read (never mapped: a file truncated under a mapping would kill us with SIGBUS). */
static int read_file(struct btfc_ctx *ctx, const char *path, struct bytes *out, uint64_t *file_size)
{
	struct stat st;
	uint8_t *buf;
	size_t len;
	int fd = btfc__open_regular(ctx, path, ctx->max_decompressed, &st), err;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return fd;
	err = btfc__read_regular(ctx, path, fd, &st, &buf, &len);
	close(fd);
	if (err)
		return err;
	if (!len) {
		free(buf);
		return btfc__err(ctx, -EINVAL, path, "empty file");
	}
	*out = (struct bytes){ .data = buf, .len = len, .owned = buf };
	*file_size = len;
	return 0;
}

/* Section @secname of @e: 0 and *@out, -ENODATA if absent, -EINVAL for corrupt section headers. */
static int find_scn(Elf *e, size_t shstrndx, const char *secname, GElf_Shdr *sh, Elf_Scn **out)
{
	(void)elf_errno(); /* libelf's error is sticky: forget what an earlier call left */
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		if (!gelf_getshdr(scn, sh))
			return -EINVAL;
		const char *sn = elf_strptr(e, shstrndx, sh->sh_name);
		if (sn && !strcmp(sn, secname)) {
			*out = scn;
			return 0;
		}
	}
	return elf_errno() ? -EINVAL : -ENODATA;
}

/* Contents of section @scn (decompressed if SHF_COMPRESSED) of @e. */
static int scn_data(struct btfc_ctx *ctx, const char *name, Elf_Scn *scn, const GElf_Shdr *sh,
		    const char *secname, const uint8_t **sec, size_t *len, bool *compressed)
{
	if (sh->sh_type == SHT_NOBITS)
		return btfc__err(ctx, -EINVAL, name, "%s section has no data (SHT_NOBITS)", secname);
	*compressed = sh->sh_flags & SHF_COMPRESSED;
	if (*compressed) {
		GElf_Chdr ch;
		if (!gelf_getchdr(scn, &ch))
			return btfc__err(ctx, -EINVAL, name, "corrupt compressed %s: %s", secname, elf_errmsg(-1));
		if (ch.ch_size > ctx->max_decompressed)
			return btfc__err(ctx, -EFBIG, name, "compressed %s claims %" PRIu64 " bytes", secname,
					 (uint64_t)ch.ch_size);
		if (elf_compress(scn, 0, 0) < 0)
			return btfc__err(ctx, -EINVAL, name, "cannot decompress %s: %s", secname, elf_errmsg(-1));
	}
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d)
		return btfc__err(ctx, -EINVAL, name, "cannot read %s: %s", secname, elf_errmsg(-1));
	if (!d->d_buf && d->d_size)
		return btfc__err(ctx, -EINVAL, name, "%s section is empty", secname);
	*sec = d->d_buf;
	*len = d->d_size;
	return 0;
}

static uint64_t rd(const uint8_t *p, unsigned size, bool msb)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v = v << 8 | p[msb ? i : size - 1 - i];
	return v;
}

/* Where the fields of the ELF header and of a section header are, by class. */
struct elf_geo {
	bool msb;
	unsigned ehsize, shentsize, w; /* w: width of offsets and sizes */
	unsigned phoff, shoff, phentsize_at, phnum_at, shentsize_at, shnum_at, shstrndx_at;
	unsigned sh_type, sh_offset, sh_size, sh_link;
};

static bool elf_geo(const uint8_t *p, size_t n, struct elf_geo *g)
{
	static const struct elf_geo g32 = { false, 52, 40, 4, 0x1c, 0x20, 0x2a, 0x2c, 0x2e, 0x30, 0x32, 4, 0x10, 0x14, 0x18 };
	static const struct elf_geo g64 = { false, 64, 64, 8, 0x20, 0x28, 0x36, 0x38, 0x3a, 0x3c, 0x3e, 4, 0x18, 0x20, 0x28 };

	if (n < 52 || memcmp(p, "\x7f" "ELF", 4) || (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64) ||
	    (p[EI_DATA] != ELFDATA2LSB && p[EI_DATA] != ELFDATA2MSB))
		return false;
	*g = p[EI_CLASS] == ELFCLASS64 ? g64 : g32;
	g->msb = p[EI_DATA] == ELFDATA2MSB;
	return n >= g->ehsize;
}

size_t btfc__elf_shdr_end(const uint8_t *p, size_t n)
{
	struct elf_geo g;

	if (!elf_geo(p, n, &g))
		return 0;
	uint64_t shoff = rd(p + g.shoff, g.w, g.msb), shnum = rd(p + g.shnum_at, 2, g.msb);
	if (!shnum || shoff > SIZE_MAX / 2)
		return 0;
	return shoff + shnum * g.shentsize;
}

/*
 * The section name table, as the kernel's module loader checks it
 * (kernel/module/main.c elf_validity_cache_secstrings()): an SHT_STRTAB
 * section other than 0 that is not empty and ends with a NUL, and every
 * section's name inside it. Without a sound one no section can be found by
 * name: the file is corrupt, never "without BTF".
 */
static int name_table(struct btfc_ctx *ctx, const char *name, const uint8_t *p, const struct elf_geo *g,
		      uint64_t shoff, uint64_t shnum, uint64_t shstrndx, size_t *end, size_t last)
{
	const uint8_t *sh = p + shoff + shstrndx * g->shentsize;
	uint64_t type = rd(sh + g->sh_type, 4, g->msb), off = rd(sh + g->sh_offset, g->w, g->msb);
	uint64_t size = rd(sh + g->sh_size, g->w, g->msb);

	if (!shstrndx || type != SHT_STRTAB)
		return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
				    "corrupt ELF: section name table index %" PRIu64 " names %s", shstrndx,
				    !shstrndx ? "no section" : "a section that is not a string table");
	if (!size || p[off + size - 1])
		return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
				    "corrupt ELF: the section name table (%" PRIu64 " bytes) %s", size,
				    size ? "does not end with a NUL" : "is empty");
	for (uint64_t i = 1; i < shnum; i++) {
		uint64_t nm = rd(p + shoff + i * g->shentsize, 4, g->msb);
		if (nm >= size)
			return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "corrupt ELF: the name of section %" PRIu64 " is at %" PRIu64
					    ", past the section name table (%" PRIu64 " bytes)", i, nm, size);
	}
	*end = last;
	return 0;
}

int btfc__elf_layout(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n, size_t *end)
{
	struct elf_geo g;

	if (!elf_geo(p, n, &g))
		return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name, "corrupt ELF header (%zu bytes)", n);
	uint64_t shoff = rd(p + g.shoff, g.w, g.msb), shnum = rd(p + g.shnum_at, 2, g.msb);
	uint64_t shent = rd(p + g.shentsize_at, 2, g.msb), shstrndx = rd(p + g.shstrndx_at, 2, g.msb);
	uint64_t phoff = rd(p + g.phoff, g.w, g.msb), phnum = rd(p + g.phnum_at, 2, g.msb);
	uint64_t phent = rd(p + g.phentsize_at, 2, g.msb), last = g.ehsize;

	if (phnum && (phoff > n || phnum * phent > n - phoff))
		return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
				    "program headers at %" PRIu64 " exceed the file size %zu", phoff, n);
	if (phnum)
		last = phoff + phnum * phent > last ? phoff + phnum * phent : last;
	if (shoff) {
		if (shent != g.shentsize)
			return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "corrupt ELF header: section header size %" PRIu64 ", expected %u", shent,
					    g.shentsize);
		if (shoff > n || n - shoff < g.shentsize)
			return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "section headers at %" PRIu64 " exceed the file size %zu", shoff, n);
		if (!shnum) /* extended numbering: the count is in section 0 */
			shnum = rd(p + shoff + g.sh_size, g.w, g.msb);
		if (shstrndx == SHN_XINDEX)
			shstrndx = rd(p + shoff + g.sh_link, 4, g.msb);
		if (shnum > (n - shoff) / g.shentsize)
			return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "section headers at %" PRIu64 " (%" PRIu64 " of %u bytes) exceed the file size %zu",
					    shoff, shnum, g.shentsize, n);
		if (shstrndx >= shnum)
			return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "section name table index %" PRIu64 " is out of range (%" PRIu64 " sections)",
					    shstrndx, shnum);
		last = shoff + shnum * g.shentsize > last ? shoff + shnum * g.shentsize : last;
	}
	/* the section name table first: the other sections' messages name them */
	const uint8_t *strs = NULL;
	uint64_t strs_len = 0;
	for (uint64_t k = 0; shoff && k <= shnum; k++) {
		uint64_t i = k == 0 ? shstrndx : k;
		if (k && (i == shstrndx || i == shnum))
			continue;
		if (!i)
			continue;
		const uint8_t *sh = p + shoff + i * g.shentsize;
		uint64_t type = rd(sh + g.sh_type, 4, g.msb), off = rd(sh + g.sh_offset, g.w, g.msb);
		uint64_t size = rd(sh + g.sh_size, g.w, g.msb), nm = rd(sh, 4, g.msb);
		if (type == SHT_NOBITS || type == SHT_NULL)
			continue;
		if (off > n || size > n - off) {
			const char *sn = strs && nm < strs_len && memchr(strs + nm, 0, strs_len - nm) ? (const char *)strs + nm : "";
			return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "corrupt ELF: section %" PRIu64 "%s%s%s (offset %" PRIu64 ", %" PRIu64
					    " bytes) exceeds the file size %zu", i, *sn ? " '" : "", sn, *sn ? "'" : "", off,
					    size, n);
		}
		if (i == shstrndx) {
			strs = p + off;
			strs_len = size;
		}
		last = off + size > last ? off + size : last;
	}
	if (shoff && shnum)
		return name_table(ctx, name, p, &g, shoff, shnum, shstrndx, end, last);
	*end = last;
	return 0;
}

/* An ELF handle on image @in, with its section name table index. */
static int elf_open_mem(struct btfc_ctx *ctx, const char *name, const struct bytes *in, Elf **elfp, size_t *shstrndx)
{
	size_t end;
	int err = btfc__elf_layout(ctx, name, in->data, in->len, &end);

	*elfp = NULL;
	if (err)
		return err;
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)in->data, in->len);
	*elfp = e;
	if (!e || elf_kind(e) != ELF_K_ELF)
		return btfc__err(ctx, -EINVAL, name, "corrupt ELF: %s", elf_errmsg(-1));
	if (elf_getshdrstrndx(e, shstrndx))
		return btfc__err(ctx, -EINVAL, name, "corrupt ELF section headers: %s", elf_errmsg(-1));
	return 0;
}

/*
 * Find section @secname in ELF image @in. On success *sec and *len point at its
 * (decompressed) contents, which live either inside @in or in memory owned by
 * *elfp (caller ends it). -ENODATA if the section is absent.
 */
static int elf_section(struct btfc_ctx *ctx, const char *name, const struct bytes *in,
		       const char *secname, Elf **elfp, const uint8_t **sec, size_t *len,
		       bool *compressed)
{
	size_t shstrndx;
	GElf_Shdr sh;
	int err = elf_open_mem(ctx, name, in, elfp, &shstrndx);

	if (err)
		return err;
	Elf_Scn *scn;
	err = find_scn(*elfp, shstrndx, secname, &sh, &scn);
	if (err == -ENODATA)
		return btfc__err(ctx, err, name, "no %s section", secname);
	if (err)
		return btfc__err(ctx, err, name, "corrupt ELF section headers: %s", elf_errmsg(-1));
	return scn_data(ctx, name, scn, &sh, secname, sec, len, compressed);
}

/*
 * A powerpc zImage (arch/powerpc/boot/wrapper): an ELF boot wrapper whose
 * section .kernel:vmlinux.strip holds the stripped vmlinux, gzip'd (or xz'd,
 * or as it is). 1 and that vmlinux ELF in *@inner, 0 if @e is no zImage,
 * a negative errno (with message) if it is a broken one.
 */
static int zimage_vmlinux(struct btfc_ctx *ctx, const char *name, Elf *e, struct btfc_source_info *src,
			  struct bytes *inner)
{
	static const char secname[] = ".kernel:vmlinux.strip";
	const uint8_t *z;
	size_t shstrndx, zlen;
	GElf_Shdr sh;
	Elf_Scn *scn;
	bool compressed;

	if (elf_getshdrstrndx(e, &shstrndx) || find_scn(e, shstrndx, secname, &sh, &scn))
		return 0;
	int err = scn_data(ctx, name, scn, &sh, secname, &z, &zlen, &compressed);
	if (err)
		return err;
	enum btfc_compression c = btfc__sniff_compression(z, zlen);
	uint8_t *dec = NULL;
	size_t dlen = zlen;
	if (c == BTFC_COMP_NONE && (dec = malloc(zlen ? zlen : 1)))
		memcpy(dec, z, zlen);
	else if (c == BTFC_COMP_NONE)
		return btfc__err(ctx, -ENOMEM, name, "out of memory");
	else if ((err = btfc__decompress(ctx, name, c, z, zlen, &dec, &dlen)))
		return err;
	if (dlen < 4 || memcmp(dec, "\x7f" "ELF", 4)) {
		free(dec);
		return btfc__err(ctx, -EINVAL, name, "zImage's %s is not a%s ELF vmlinux", secname,
				 c == BTFC_COMP_NONE ? " compressed or an" : "");
	}
	src->container = BTFC_CONT_ZIMAGE;
	src->compression = c;
	*inner = (struct bytes){ .data = dec, .len = dlen, .owned = dec };
	return 1;
}

/*
 * Take the .BTF of ELF image @in (which this call consumes) into @out: copied
 * so the rest can be dropped.
 */
static int extract_elf(struct btfc_ctx *ctx, const char *name, struct bytes *in, struct btfc_source_info *src,
		       struct bytes *out)
{
	const uint8_t *sec = NULL;
	size_t len = 0;
	Elf *e = NULL;
	bool compressed = false;
	int err;

	err = elf_section(ctx, name, in, ".BTF", &e, &sec, &len, &compressed);
	if (err == -ENODATA && src->container == BTFC_CONT_RAW) {
		struct bytes inner;
		int r = zimage_vmlinux(ctx, name, e, src, &inner);
		if (r) {
			elf_end(e);
			bytes_release(in);
			return r < 0 ? r : extract_elf(ctx, name, &inner, src, out);
		}
	}
	if (err == -ENODATA)
		btfc__err(ctx, err, name, "no .BTF section (built without CONFIG_DEBUG_INFO_BTF%s?)",
			  src->container == BTFC_CONT_RAW || src->container == BTFC_CONT_ELF ? "_MODULES" : "");
	if (err)
		goto fail;
	if (src->container == BTFC_CONT_RAW)
		src->container = BTFC_CONT_ELF;
	src->elf_section_compressed = compressed;
	GElf_Ehdr eh;
	src->elf_type = gelf_getehdr(e, &eh) ? eh.e_type : 0;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy) {
		err = btfc__err(ctx, -ENOMEM, name, "out of memory");
		goto fail;
	}
	if (len)
		memcpy(copy, sec, len);
	elf_end(e);
	bytes_release(in);
	*out = (struct bytes){ .data = copy, .len = len, .owned = copy };
	return 0;
fail:
	elf_end(e);
	bytes_release(in);
	return err;
}

/* ---- kernel images that are not ELF: the vmlinux BTF lies among their bytes ---- */

static uint32_t ld32(const uint8_t *p, bool be)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return be == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) ? v : btfc__bswap32(v);
}

/*
 * The length of the BTF blob whose sound header starts at @p (@n bytes
 * follow), or 0. Sound: either magic, version 1, hdr_len 24..256 and a
 * multiple of 4, every section it describes (types, strings, and 7.x's kind
 * layouts) inside, types aligned, strings starting and ending with NUL.
 */
static size_t btf_blob_at(const uint8_t *p, size_t n)
{
	if (n < BTF_HDR_MIN || p[2] != BTF_VERSION || !((p[0] == 0x9f && p[1] == 0xeb) || (p[0] == 0xeb && p[1] == 0x9f)))
		return 0;
	bool be = p[0] == 0xeb;
	uint32_t hl = ld32(p + 4, be);
	if (hl < BTF_HDR_MIN || hl > 256 || hl % 4 || hl > n)
		return 0;
	uint64_t end = hl;
	for (uint32_t f = 8; f <= 24 && f + 8 <= hl; f += 8) { /* (off, len) pairs */
		uint64_t off = ld32(p + f, be), len = ld32(p + f + 4, be);
		if (off + len > n - hl)
			return 0;
		if (hl + off + len > end)
			end = hl + off + len;
	}
	uint32_t toff = ld32(p + 8, be), soff = ld32(p + 16, be), slen = ld32(p + 20, be);
	if (toff % 4 || !slen || p[hl + soff] || p[hl + soff + slen - 1])
		return 0;
	return (size_t)end;
}

/* The largest sound BTF blob among @n bytes at @p (the vmlinux BTF of a kernel image): 0 and where, or -ENODATA. */
static int find_image_btf(const uint8_t *p, size_t n, size_t *off, size_t *len)
{
	*len = 0;
	for (size_t i = 0; i + BTF_HDR_MIN <= n; i++) {
		if ((p[i] != 0x9f && p[i] != 0xeb) || p[i + 2] != BTF_VERSION)
			continue;
		size_t l = btf_blob_at(p + i, n - i);
		if (l > *len) {
			*off = i;
			*len = l;
		}
	}
	return *len ? 0 : -ENODATA;
}

/* The vmlinux BTF among the bytes of kernel image @in (consumed; @what names it) into @out. */
static int extract_image(struct btfc_ctx *ctx, const char *name, struct bytes *in, const char *what,
			 struct bytes *out)
{
	size_t off, len;

	if (find_image_btf(in->data, in->len, &off, &len)) {
		bytes_release(in);
		return btfc__err(ctx, -ENODATA, name, "%s holds no BTF (built without CONFIG_DEBUG_INFO_BTF?)", what);
	}
	if (in->owned && in->data == in->owned) { /* ours: keep it, the BTF moved to its start */
		memmove(in->owned, in->data + off, len);
		*out = (struct bytes){ .data = in->owned, .len = len, .owned = in->owned };
		return 0;
	}
	uint8_t *copy = malloc(len);
	if (copy)
		memcpy(copy, in->data + off, len);
	bytes_release(in);
	if (!copy)
		return btfc__err(ctx, -ENOMEM, name, "out of memory");
	*out = (struct bytes){ .data = copy, .len = len, .owned = copy };
	return 0;
}

/*
 * The compressed vmlinux.bin of an s390 image: no header says where it is, so
 * every compressed-stream magic after the entry point list is tried until one
 * decompresses to bytes holding BTF. 0 and *@dec, *@dlen, *@c, or an error.
 */
static int s390_payload(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n, uint8_t **dec,
			size_t *dlen, enum btfc_compression *c)
{
	struct btfc_ctx quiet = { .max_decompressed = ctx->max_decompressed }; /* failed tries say nothing */
	unsigned tried = 0;

	for (size_t at = btfc__next_stream(p, n, 0x10010); at < n; at = btfc__next_stream(p, n, at + 1)) {
		size_t o, l;
		*c = btfc__sniff_compression(p + at, n - at);
		tried++;
		int err = btfc__decompress(&quiet, name, *c, p + at, n - at, dec, dlen);
		if (err == -ENOMEM)
			return btfc__err(ctx, err, NULL, "%s", quiet.err);
		if (!err && !find_image_btf(*dec, *dlen, &o, &l))
			return 0;
		free(*dec);
	}
	return btfc__err(ctx, -EINVAL, name,
			 "s390 image: none of its %u compressed-stream candidates decompresses to a vmlinux with BTF "
			 "(truncated or corrupt?)", tried);
}

/*
 * If @in is a bzImage, an EFI zboot image or an s390 image: 1 and its
 * decompressed payload in *@inner (@in consumed), with src's container and
 * compression set. 0 if it is none of these (@in kept); an error (@in consumed).
 */
static int kernel_payload(struct btfc_ctx *ctx, const char *name, struct bytes *in, struct btfc_source_info *src,
			  struct bytes *inner)
{
	const uint8_t *p = in->data, *pl = NULL;
	size_t n = in->len, plen = 0, dlen = 0;
	enum btfc_compression c = BTFC_COMP_NONE;
	uint8_t *dec = NULL;
	int r = btfc__bzimage_payload(ctx, name, p, n, &pl, &plen);

	if (r == 1) {
		src->container = BTFC_CONT_VMLINUZ;
		c = btfc__sniff_compression(pl, plen);
		if (c == BTFC_COMP_NONE)
			r = btfc__err(ctx, -EINVAL, name, "bzImage payload compression not recognised");
	}
	if (!r && (r = btfc__zboot_payload(ctx, name, p, n, &pl, &plen, &c)) == 1)
		src->container = BTFC_CONT_ZBOOT;
	if (r == 1)
		r = btfc__decompress(ctx, name, c, pl, plen, &dec, &dlen);
	else if (!r && btfc__s390_image(p, n)) {
		src->container = BTFC_CONT_S390;
		r = s390_payload(ctx, name, p, n, &dec, &dlen, &c);
	} else if (!r)
		return 0;
	bytes_release(in);
	if (r < 0)
		return r;
	src->compression = c;
	*inner = (struct bytes){ .data = dec, .len = dlen, .owned = dec };
	return 1;
}

/* The BTF blob inside @in (consumed): raw BTF, ELF, compressed file or kernel image. */
static int extract(struct btfc_ctx *ctx, const char *name, struct bytes *in, struct btfc_source_info *src,
		   int depth, struct bytes *out)
{
	const uint8_t *p = in->data;
	size_t n = in->len;
	const char *image = btfc__boot_image(p, n);

	if (n >= 2 && ((p[0] == 0x9f && p[1] == 0xeb) || (p[0] == 0xeb && p[1] == 0x9f))) {
		*out = *in;
		return 0;
	}
	if (n >= 4 && !memcmp(p, "\x7f" "ELF", 4))
		return extract_elf(ctx, name, in, src, out);
	if (image) { /* (an EFI zboot image has the PE magic at 0x38, not an Image's) */
		if (src->container == BTFC_CONT_RAW)
			src->container = BTFC_CONT_IMAGE;
		return extract_image(ctx, name, in, image, out);
	}

	enum btfc_compression c = btfc__sniff_compression(p, n);
	if (c == BTFC_COMP_NONE && depth == 0) {
		struct bytes inner;
		int r = kernel_payload(ctx, name, in, src, &inner);
		if (r < 0)
			return r;
		if (r == 1 && src->container == BTFC_CONT_VMLINUZ) {
			if (inner.len < 4 || memcmp(inner.data, "\x7f" "ELF", 4)) {
				bytes_release(&inner);
				return btfc__err(ctx, -EINVAL, name, "bzImage payload is not an ELF vmlinux");
			}
			return extract_elf(ctx, name, &inner, src, out);
		}
		if (r == 1) {
			if (inner.len >= 4 && !memcmp(inner.data, "\x7f" "ELF", 4))
				return extract_elf(ctx, name, &inner, src, out);
			return extract_image(ctx, name, &inner,
					     src->container == BTFC_CONT_ZBOOT ? "EFI zboot payload" : "s390 image", out);
		}
	}
	if ((c == BTFC_COMP_NONE || depth > 0) && src->raw_fallback) {
		*out = *in; /* unrecognised: hand the bytes over as (possibly broken) raw BTF */
		return 0;
	}
	if (c == BTFC_COMP_NONE || depth > 0) {
		char hex[16] = "";
		for (size_t i = 0, k = 0; i < 4 && i < n; i++)
			k += snprintf(hex + k, sizeof(hex) - k, i ? " %02x" : "%02x", p[i]);
		bytes_release(in);
		return btfc__err(ctx, -EINVAL, name, "not BTF, ELF, a compressed module or a kernel image (starts with %s)",
				 hex);
	}
	uint8_t *dec;
	size_t dlen;
	int err = btfc__decompress(ctx, name, c, p, n, &dec, &dlen);
	bytes_release(in);
	if (err)
		return err;
	src->compression = c;
	struct bytes inner = { .data = dec, .len = dlen, .owned = dec };
	return extract(ctx, name, &inner, src, depth + 1, out);
}

static int open_bytes(struct btfc_ctx *ctx, const char *name, struct bytes *in, const struct btfc_btf *base,
		      struct btfc_source_info *src, struct btfc_btf **out)
{
	struct bytes b;
	int err = extract(ctx, name, in, src, 0, &b);

	if (err)
		return err;
	return btfc__btf_new(ctx, b.data, b.len, name, base, b.owned, NULL, 0, src, out);
}

BTFC_API int btfc_btf_open(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base,
			   struct btfc_btf **out)
{
	struct btfc_source_info src = { 0 };
	struct bytes in;
	int err;

	*out = NULL;
	err = read_file(ctx, path, &in, &src.file_size);
	if (err)
		return err;
	return open_bytes(ctx, path, &in, base, &src, out);
}

BTFC_API int btfc_btf_open_mem(struct btfc_ctx *ctx, const void *data, size_t len, const char *name,
			       const struct btfc_btf *base, struct btfc_btf **out)
{
	struct btfc_source_info src = { .file_size = len };
	uint8_t *copy = malloc(len ? len : 1);

	*out = NULL;
	if (!copy)
		return btfc__err(ctx, -ENOMEM, name, "out of memory");
	if (len)
		memcpy(copy, data, len);
	struct bytes in = { .data = copy, .len = len, .owned = copy };
	if (!len) {
		bytes_release(&in);
		return btfc__err(ctx, -EINVAL, name, "empty input");
	}
	return open_bytes(ctx, name ? name : "(memory)", &in, base, &src, out);
}

BTFC_API int btfc_read_raw(struct btfc_ctx *ctx, const char *path, void **data, size_t *len,
			   struct btfc_source_info *info)
{
	struct btfc_source_info src = { .sz = sizeof(src) };
	struct bytes in, b;
	int err;

	*data = NULL;
	*len = 0;
	if (info && (err = btfc__result_check(ctx, info, "btfc_source_info")))
		return err;
	src.raw_fallback = 1;
	err = read_file(ctx, path, &in, &src.file_size);
	if (!err)
		err = extract(ctx, path, &in, &src, 0, &b);
	if (err)
		return err;
	*len = b.len;
	if (b.owned && b.data == b.owned) {
		*data = b.owned;
	} else {
		*data = malloc(b.len ? b.len : 1);
		if (*data)
			memcpy(*data, b.data, b.len);
		bytes_release(&b);
		if (!*data)
			return btfc__err(ctx, -ENOMEM, path, "out of memory");
	}
	src.btf_size = *len;
	src.raw_fallback = 0;
	src.big_endian = *len >= 2 && ((const uint8_t *)*data)[0] == 0xeb;
	if (info)
		btfc__result_put(info, &src, sizeof(src));
	return 0;
}

/* ---- modules: one read, one decompression, several sections ---- */

const char *btfc__module_name(const struct btfc_module *m)
{
	return m->name;
}

bool btfc__module_big_endian(const struct btfc_module *m)
{
	const char *id = elf_getident(m->elf, NULL);
	return id && id[EI_DATA] == ELFDATA2MSB;
}

unsigned btfc__module_ptr_size(const struct btfc_module *m)
{
	const char *id = elf_getident(m->elf, NULL);
	return id && id[EI_CLASS] == ELFCLASS32 ? 4 : 8;
}

BTFC_API size_t btfc_module_size(const struct btfc_module *m)
{
	return m->len;
}

/* Longest trailer kbuild's sign-file appends: signature data, struct module_signature, magic. */
#define SIG_MAGIC "~Module signature appended~\n"
#define SIG_TRAILER_MAX (64u << 10)

/* Where the image's ELF ends, from its header: decompression stops beyond it (and a signature). */
static size_t module_bound(void *user, const uint8_t *p, size_t n)
{
	size_t end = btfc__elf_shdr_end(p, n);

	*(size_t *)user = end;
	return end ? end + SIG_TRAILER_MAX : 0;
}

/* Bytes after the ELF image at @end must be exactly a module signature. */
static int check_trailer(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n, size_t end,
			 bool *is_signed)
{
	const size_t magic = sizeof(SIG_MAGIC) - 1, info = 12; /* struct module_signature */

	*is_signed = false;
	if (end == n)
		return 0;
	if (n - end >= magic + info && !memcmp(p + n - magic, SIG_MAGIC, magic)) {
		const uint8_t *ms = p + n - magic - info;
		uint64_t sig = rd(ms + 8, 4, true) + ms[3] + ms[4]; /* sig_len (big endian), signer_len, key_id_len */
		if (sig <= n - end - magic - info && end + sig + magic + info == n) {
			*is_signed = true;
			return 0;
		}
	}
	return btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
			    "%zu bytes after the ELF image (which ends at %zu) that are not a module signature", n - end, end);
}

int btfc__read_module(struct btfc_ctx *ctx, const char *name, int fd, const struct stat *st, uint8_t **out,
		      size_t *outlen, bool *budgeted)
{
	*budgeted = (uint64_t)st->st_size > BTFC_MODULE_SMALL && btfc__budget_take(ctx);
	int err = btfc__read_regular(ctx, name, fd, st, out, outlen);
	if (err && *budgeted)
		btfc__budget_put(ctx->budget);
	if (err)
		*budgeted = false;
	return err;
}

int btfc__module_load(struct btfc_ctx *ctx, const char *name, uint8_t *file, size_t flen, bool budgeted,
		      struct btfc_module **out)
{
	struct btfc_module *m = calloc(1, sizeof(*m));
	size_t hdr_end = 0, end;
	bool more = false;
	int err;

	*out = NULL;
	if (!m || !(m->name = strdup(name))) {
		free(m);
		free(file);
		if (budgeted)
			btfc__budget_put(ctx->budget);
		return btfc__err(ctx, -ENOMEM, name, "out of memory");
	}
	m->budget = ctx->budget;
	m->budget_n = budgeted;
	m->fd = m->lockfd = -1;
	m->src.file_size = flen;
	m->img = file;
	m->len = flen;
	enum btfc_compression c = btfc__sniff_compression(file, flen);
	if (c != BTFC_COMP_NONE) {
		size_t first = 0;
		err = btfc__decompress_bounded(ctx, name, c, file, flen, ctx->max_module, module_bound, &hdr_end, &more,
					       &first, &m->img, &m->len);
		m->budget_n += more;
		free(file);
		/*
		 * One stream, as kbuild writes it: the kernel's own decompressor
		 * (kernel/module/decompress.c) reads the first gzip member, xz
		 * stream or zstd frame, modprobe (libkmod) reads them all; a
		 * module file that is two modules to them is refused.
		 */
		if (!err && first && first < flen)
			err = btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					   "%zu bytes after its first %s stream (which ends at %zu): the kernel reads the first "
					   "stream only, modprobe all of them; refusing an ambiguous module", flen - first,
					   btfc_compression_name(c), first);
		if (err == -EFBIG && hdr_end && hdr_end + SIG_TRAILER_MAX < ctx->max_module)
			err = btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EFBIG, name,
					   "%s data decompresses to more than its ELF image (%zu bytes) and a signature",
					   btfc_compression_name(c), hdr_end);
		if (err)
			goto fail;
		m->src.compression = c;
	} else if (flen > ctx->max_module) {
		err = btfc__err(ctx, -EFBIG, name, "module larger than %" PRIu64 " bytes (the limit)", ctx->max_module);
		goto fail;
	}
	if (m->len < 4 || memcmp(m->img, "\x7f" "ELF", 4)) {
		err = btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name, m->len ? "not an ELF module" : "empty file");
		goto fail;
	}
	struct bytes img = { .data = m->img, .len = m->len };
	if ((err = btfc__elf_layout(ctx, name, m->img, m->len, &end)) ||
	    (err = check_trailer(ctx, name, m->img, m->len, end, &m->is_signed)) ||
	    (err = elf_open_mem(ctx, name, &img, &m->elf, &m->shstrndx)))
		goto fail;
	m->src.container = BTFC_CONT_ELF;
	*out = m;
	return 0;
fail:
	btfc_module_free(m);
	return err;
}

int btfc__module_open_mem(struct btfc_ctx *ctx, const void *data, size_t len, const char *name,
			  struct btfc_module **out)
{
	uint8_t *copy = malloc(len ? len : 1);

	*out = NULL;
	if (!copy)
		return btfc__err(ctx, -ENOMEM, name, "out of memory");
	if (len)
		memcpy(copy, data, len);
	return btfc__module_load(ctx, name, copy, len, false, out);
}

BTFC_API int btfc_module_open(struct btfc_ctx *ctx, const char *path, struct btfc_module **out)
{
	struct stat st;
	uint8_t *buf;
	size_t len;
	bool budgeted;
	/* the size from fstat first: a (sparse) file over the module limit is never read */
	int fd = btfc__open_regular(ctx, path, ctx->max_module, &st), err;

	*out = NULL;
	if (fd < 0)
		return fd;
	err = btfc__read_module(ctx, path, fd, &st, &buf, &len, &budgeted);
	close(fd);
	if (err)
		return err;
	return btfc__module_load(ctx, path, buf, len, budgeted, out);
}

BTFC_API void btfc_module_free(struct btfc_module *m)
{
	if (!m)
		return;
	elf_end(m->elf);
	free(m->img);
	if (m->fd >= 0)
		close(m->fd); /* releases the lock */
	if (m->lockfd >= 0)
		close(m->lockfd);
	while (m->budget_n) {
		m->budget_n--;
		btfc__budget_put(m->budget);
	}
	free(m->path);
	free(m->name);
	free(m);
}

BTFC_API int btfc_module_section(const struct btfc_module *m, const char *name, const void **data, size_t *len)
{
	GElf_Shdr sh;
	Elf_Scn *scn;
	bool compressed;
	struct btfc_ctx quiet = { 0 }; /* the caller gets the errno; no message is kept */
	const uint8_t *p;
	int err = find_scn(m->elf, m->shstrndx, name, &sh, &scn);

	if (err)
		return err;
	quiet.max_decompressed = 1ull << 30;
	quiet.max_module = quiet.max_decompressed;
	err = scn_data(&quiet, m->name, scn, &sh, name, &p, len, &compressed);
	*data = p;
	return err;
}

BTFC_API int btfc_module_signed(const struct btfc_module *m)
{
	return m->is_signed;
}

BTFC_API int btfc_module_btf(struct btfc_ctx *ctx, const struct btfc_module *m, const struct btfc_btf *base,
			     struct btfc_btf **out)
{
	const void *sec;
	size_t len;
	int err = btfc_module_section(m, ".BTF", &sec, &len);

	*out = NULL;
	if (err == -ENODATA)
		return btfc__err(ctx, err, m->name, "no .BTF section (built without CONFIG_DEBUG_INFO_BTF_MODULES?)");
	if (err)
		return btfc__err(ctx, err, m->name, "cannot read .BTF: corrupt ELF section headers or data");
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return btfc__err(ctx, -ENOMEM, m->name, "out of memory");
	if (len)
		memcpy(copy, sec, len);
	struct btfc_source_info src = m->src;
	src.elf_type = ET_REL;
	return btfc__btf_new(ctx, copy, len, m->name, base, copy, NULL, 0, &src, out);
}

int btfc__module_symbols(const struct btfc_module *m, const char *secname, btfc__sym_fn fn, void *user)
{
	GElf_Shdr sh, symsh;
	Elf_Scn *target, *scn = NULL;
	int err = find_scn(m->elf, m->shstrndx, secname, &sh, &target);

	if (err)
		return err;
	size_t ndx = elf_ndxscn(target);
	while ((scn = elf_nextscn(m->elf, scn))) {
		if (!gelf_getshdr(scn, &symsh) || symsh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t n = d && symsh.sh_entsize ? d->d_size / symsh.sh_entsize : 0;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s) || s.st_shndx != ndx)
				continue;
			const char *name = elf_strptr(m->elf, symsh.sh_link, s.st_name);
			if (name && (err = fn(user, name, s.st_value)))
				return err;
		}
	}
	return 0;
}
