// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * module: a kernel module, read once. A .ko (or .ko.xz/.zst/.gz...) is
 * read whole within the context's module limit and budget, decompressed
 * (one stream, as the kernel reads it), its ELF layout checked before
 * libelf sees it, and the bytes after the ELF image accepted only as a
 * module signature. The handle serves sections by name, the module's BTF
 * and its symbols. Opened for a rewrite (btfc_module_open_rw()) it also
 * holds the file's lock and what the file was when it was read, so that the
 * rewriter (elfw.c) writes exactly the bytes that were checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf_int.h"
#include "elf_int.h"
#include "module.h"

const char *btfci_module_name(const struct btfc_module *m) { return m->name; }

bool btfci_module_big_endian(const struct btfc_module *m)
{
	const char *id = elf_getident(m->elf, NULL);
	return id && id[EI_DATA] == ELFDATA2MSB;
}

unsigned btfci_module_ptr_size(const struct btfc_module *m)
{
	const char *id = elf_getident(m->elf, NULL);
	return id && id[EI_CLASS] == ELFCLASS32 ? 4 : 8;
}

BTFC_API size_t btfc_module_size(const struct btfc_module *m) { return m->len; }

bool btfci_module_signed(const uint8_t *p, size_t n)
{
	return n >= SIG_MAGIC_LEN && !memcmp(p + n - SIG_MAGIC_LEN, SIG_MAGIC, SIG_MAGIC_LEN);
}

/* Where the image's ELF ends, from its header: decompression stops beyond it (and a signature). */
static size_t module_bound(void *user, const uint8_t *p, size_t n)
{
	size_t end = btfci_elf_shdr_end(p, n);

	*(size_t *)user = end;
	return end ? end + SIG_TRAILER_MAX : 0;
}

/* Bytes after the ELF image at @end must be exactly a module signature. */
static int check_trailer(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
			 size_t end, bool *is_signed)
{
	const size_t magic = SIG_MAGIC_LEN, info = SIG_INFO_LEN;

	*is_signed = false;
	if (end == n)
		return 0;
	if (n - end >= magic + info && !memcmp(p + n - magic, SIG_MAGIC, magic)) {
		const uint8_t *ms = p + n - magic - info;
		uint64_t sig = btfci_elf_rd(ms + 8, 4, true) + ms[3] +
			       ms[4]; /* sig_len (big endian), signer_len, key_id_len */
		if (sig <= n - end - magic - info && end + sig + magic + info == n) {
			*is_signed = true;
			return 0;
		}
	}
	return btfci_refuse(
		ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
		"%zu bytes after the ELF image (which ends at %zu) that are not a module signature",
		n - end, end);
}

int btfci_read_module(struct btfc_ctx *ctx, const char *name, int fd, const struct stat *st,
		      uint8_t **out, size_t *outlen, bool *budgeted)
{
	*budgeted = (uint64_t)st->st_size > BTFC_MODULE_SMALL && btfci_budget_take(ctx);
	int err = btfci_read_regular(ctx, name, fd, st, out, outlen);
	if (err && *budgeted)
		btfci_budget_put(ctx->budget);
	if (err)
		*budgeted = false;
	return err;
}

int btfci_module_load(struct btfc_ctx *ctx, const char *name, uint8_t *file, size_t flen,
		      bool budgeted, struct btfc_module **out)
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
			btfci_budget_put(ctx->budget);
		return btfci_err(ctx, -ENOMEM, name, "out of memory");
	}
	m->budget = ctx->budget;
	m->max_section = ctx->max_decompressed;
	m->budget_n = budgeted;
	m->fd = m->lockfd = -1;
	m->src.file_size = flen;
	m->img = file;
	m->len = flen;
	enum btfc_compression c = btfci_sniff_compression(file, flen);
	if (c != BTFC_COMP_NONE) {
		size_t first = 0;
		err = btfci_decompress_bounded(ctx, name, c, file, flen, ctx->max_module,
					       module_bound, &hdr_end, &more, &first, &m->img,
					       &m->len);
		m->budget_n += more;
		free(file);
		/*
		 * One stream, as kbuild writes it: the kernel's own decompressor
		 * (kernel/module/decompress.c) reads the first gzip member, xz
		 * stream or zstd frame, modprobe (libkmod) reads them all; a
		 * module file that is two modules to them is refused.
		 */
		if (!err && first && first < flen)
			err = btfci_refuse(
				ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
				"%zu bytes after its first %s stream (which ends at %zu): the kernel reads the first "
				"stream only, modprobe all of them; refusing an ambiguous module",
				flen - first, btfc_compression_name(c), first);
		if (err == -EFBIG && hdr_end && hdr_end + SIG_TRAILER_MAX < ctx->max_module)
			err = btfci_refuse(
				ctx, BTFC_REASON_CORRUPT, -EFBIG, name,
				"%s data decompresses to more than its ELF image (%zu bytes) and a signature",
				btfc_compression_name(c), hdr_end);
		if (err)
			goto fail;
		m->src.compression = c;
	} else if (flen > ctx->max_module) {
		err = btfci_err(ctx, -EFBIG, name,
				"module larger than %" PRIu64 " bytes (the limit)",
				ctx->max_module);
		goto fail;
	}
	if (m->len < 4 || memcmp(m->img,
				 "\x7f"
				 "ELF",
				 4)) {
		err = btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
				   m->len ? "not an ELF module" : "empty file");
		goto fail;
	}
	if ((err = btfci_elf_layout(ctx, name, m->img, m->len, &end)) ||
	    (err = check_trailer(ctx, name, m->img, m->len, end, &m->is_signed)) ||
	    (err = btfci_elf_open_mem(ctx, name, m->img, m->len, &m->elf, &m->shstrndx)))
		goto fail;
	m->src.container = BTFC_CONT_ELF;
	*out = m;
	return 0;
fail:
	btfc_module_free(m);
	return err;
}

int btfci_module_open_mem(struct btfc_ctx *ctx, const void *data, size_t len, const char *name,
			  struct btfc_module **out)
{
	uint8_t *copy = malloc(len ? len : 1);

	*out = NULL;
	if (!copy)
		return btfci_err(ctx, -ENOMEM, name, "out of memory");
	if (len)
		memcpy(copy, data, len);
	return btfci_module_load(ctx, name, copy, len, false, out);
}

BTFC_API int btfc_module_open(struct btfc_ctx *ctx, const char *path, struct btfc_module **out)
{
	struct stat st;
	uint8_t *buf;
	size_t len;
	bool budgeted;
	/* the size from fstat first: a (sparse) file over the module limit is never read */
	int fd = btfci_open_regular(ctx, path, ctx->max_module, &st), err;

	*out = NULL;
	if (fd < 0)
		return fd;
	err = btfci_read_module(ctx, path, fd, &st, &buf, &len, &budgeted);
	close(fd);
	if (err)
		return err;
	return btfci_module_load(ctx, path, buf, len, budgeted, out);
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
		btfci_budget_put(m->budget);
	}
	free(m->path);
	free(m->name);
	free(m);
}

BTFC_API int btfc_module_section(const struct btfc_module *m, const char *name, const void **data,
				 size_t *len)
{
	GElf_Shdr sh;
	Elf_Scn *scn;
	bool compressed;
	const uint8_t *p;
	int err = btfci_elf_find_scn(m->elf, m->shstrndx, name, &sh, &scn);

	if (err)
		return err;
	/* no context here: the caller gets the errno; the limit is the opening context's */
	err = btfci_elf_scn_data(NULL, m->name, scn, &sh, name, m->max_section, &p, len,
				 &compressed);
	*data = p;
	return err;
}

BTFC_API int btfc_module_signed(const struct btfc_module *m) { return m->is_signed; }

BTFC_API int btfc_module_btf(struct btfc_ctx *ctx, const struct btfc_module *m,
			     const struct btfc_btf *base, struct btfc_btf **out)
{
	const void *sec;
	size_t len;
	int err = btfc_module_section(m, ".BTF", &sec, &len);

	*out = NULL;
	if (err == -ENODATA)
		return btfci_err(ctx, err, m->name,
				 "no .BTF section (built without CONFIG_DEBUG_INFO_BTF_MODULES?)");
	if (err)
		return btfci_err(ctx, err, m->name,
				 "cannot read .BTF: corrupt ELF section headers or data");
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return btfci_err(ctx, -ENOMEM, m->name, "out of memory");
	if (len)
		memcpy(copy, sec, len);
	struct btfc_source_info src = m->src;
	src.elf_type = ET_REL;
	return btfci_btf_new(ctx, copy, len, m->name, base, copy, NULL, 0, &src, out);
}

int btfci_module_symbols(const struct btfc_module *m, const char *secname, btfci_sym_fn fn,
			 void *user)
{
	GElf_Shdr sh, symsh;
	Elf_Scn *target, *scn = NULL;
	int err = btfci_elf_find_scn(m->elf, m->shstrndx, secname, &sh, &target);

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

/* ---- opened for a rewrite ---- */

#define RUN_LOCK_DIR "/run/btfcompat"

/*
 * Lock the module @fd (status @st) for a rewrite. Root takes a lock file of
 * its own, RUN_LOCK_DIR/rewrite-NN.lock (one of 256, chosen by device and
 * inode; 0600 in a 0700 directory): no other user can open it, so holding a
 * shared flock on a module anyone can read stalls nothing. Other users, and
 * root where that directory cannot be made, lock the module itself and wait
 * a bounded time (btfci_flock_wait()). *@lockfd: the lock file, or -1 when
 * @fd itself is locked.
 */
static int rewrite_lock(struct btfc_ctx *ctx, int fd, const struct stat *st, const char *name,
			int *lockfd)
{
	struct stat ds;
	int dfd, err;

	*lockfd = -1;
	if (geteuid() == 0) {
		mkdir(RUN_LOCK_DIR, 0700);
		dfd = open(RUN_LOCK_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd >= 0 && !fstat(dfd, &ds) && ds.st_uid == 0 && !(ds.st_mode & 022)) {
			char lname[32];
			uint64_t h = ((uint64_t)st->st_dev * 0x9e3779b97f4a7c15ull) ^
				     (uint64_t)st->st_ino;
			snprintf(lname, sizeof(lname), "rewrite-%02x.lock",
				 (unsigned)((h ^ h >> 8 ^ h >> 16) & 0xff));
			int l = btfci_lock_file(ctx, dfd, lname, RUN_LOCK_DIR);
			close(dfd);
			if (l < 0)
				return l;
			if ((err = btfci_flock_wait(ctx, l, name, "the module's rewrite lock"))) {
				close(l);
				return err;
			}
			*lockfd = l;
			return 0;
		}
		if (dfd >= 0)
			close(dfd);
	}
	return btfci_flock_wait(ctx, fd, name, "the module");
}

BTFC_API int btfc_module_open_rw(struct btfc_ctx *ctx, const char *path, unsigned flags,
				 const char *verb, struct btfc_module **out)
{
	struct btfc_module *m = NULL;
	struct stat st, now, lst;
	uint8_t *buf;
	size_t len;
	int fd = -1, lockfd = -1, err;
	char *real = realpath(path, NULL); /* a symbolic link: the file it points to is rewritten */

	*out = NULL;
	verb = verb ? verb : "rewriting";
	if (!real)
		return btfci_err(ctx, -errno, path, "cannot open: %s", strerror(errno));
	for (int tries = 0;; tries++) {
		if ((fd = btfci_open_regular(ctx, real, ctx->max_module, &st)) < 0) {
			err = fd;
			goto fail;
		}
		if (!lstat(path, &lst) && (err = btfci_check_link(ctx, path, &lst, &st)))
			goto fail;
		if (!(st.st_mode & 0222) && !(flags & BTFC_REWRITE_READ_ONLY)) {
			err = btfci_refuse(ctx, BTFC_REASON_READ_ONLY, -EACCES, path,
					   "is read-only (mode %04o): not %s it",
					   (unsigned)(st.st_mode & 07777), verb);
			goto fail;
		}
		/* another btfcompat rewriting it: wait for it, then read what it wrote */
		if ((err = rewrite_lock(ctx, fd, &st, path, &lockfd)))
			goto fail;
		if (!stat(real, &now) && now.st_dev == st.st_dev && now.st_ino == st.st_ino &&
		    !fstat(fd, &st))
			break;
		close(fd); /* renamed over while we waited: open the new file */
		fd = -1;
		if (lockfd >= 0)
			close(lockfd);
		lockfd = -1;
		if (tries == 100) {
			err = btfci_refuse(ctx, BTFC_REASON_CHANGED, -EAGAIN, path,
					   "keeps being replaced: not %s it", verb);
			goto fail;
		}
	}
	bool budgeted;
	if ((err = btfci_read_module(ctx, path, fd, &st, &buf, &len, &budgeted)) ||
	    (err = btfci_module_load(ctx, path, buf, len, budgeted, &m)))
		goto fail;
	m->fd = fd;
	m->lockfd = lockfd;
	m->st = st;
	m->path = real;
	if (m->is_signed && !(flags & BTFC_REWRITE_UNSIGN) && !ctx->signer) {
		btfc_module_free(m);
		return btfci_refuse(ctx, BTFC_REASON_SIGNED, -EPERM, path,
				    "module is signed: %s it voids the signature", verb);
	}
	*out = m;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (lockfd >= 0)
		close(lockfd);
	free(real);
	return err;
}
