// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * elfw: add or replace sections of a kernel module with libelf, atomically.
 *
 * The module (plain, or .ko.xz/.ko.zst/.ko.gz, recompressed the same way) is
 * read into memory, copied section by section into a new ELF written to a
 * temporary file in the same directory, fsynced, given the original's mode
 * and owner, and renamed over the original. On any failure the original is
 * untouched and the temporary file is removed. A module with an appended
 * signature is refused unless BTFC_REWRITE_FORCE: rewriting voids it.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "elfw.h"

#define SIG_MAGIC "~Module signature appended~\n"

bool btfc__module_signed(const uint8_t *p, size_t n)
{
	return n >= sizeof(SIG_MAGIC) - 1 && !memcmp(p + n - (sizeof(SIG_MAGIC) - 1), SIG_MAGIC, sizeof(SIG_MAGIC) - 1);
}

int btfc__module_open_rw(struct btfc_ctx *ctx, const char *path, unsigned flags, const char *verb,
			 struct btfc_module **out)
{
	struct stat fst;
	int err;

	*out = NULL;
	if (!stat(path, &fst) && !(fst.st_mode & 0222) && !(flags & BTFC_REWRITE_FORCE))
		return btfc__err(ctx, -EACCES, path, "is read-only (mode %04o): not rewriting it (--force does)",
				 (unsigned)(fst.st_mode & 07777));
	if ((err = btfc_module_open(ctx, path, out)))
		return err;
	if (btfc_module_signed(*out) && !(flags & BTFC_REWRITE_FORCE) && !ctx->signer) {
		btfc_module_free(*out);
		*out = NULL;
		return btfc__err(ctx, -EPERM, path, "module is signed: %s voids the signature (use --force to rewrite it unsigned)",
				 verb);
	}
	return 0;
}

/* Compress @in in format @c (as kbuild does) into a malloc'd buffer. */
static int compress_image(struct btfc_ctx *ctx, const char *path, enum btfc_compression c, const uint8_t *in, size_t n,
		    uint8_t **out, size_t *outlen)
{
	size_t cap;

	switch (c) {
	case BTFC_COMP_XZ: {
		cap = lzma_stream_buffer_bound(n);
		*out = malloc(cap);
		*outlen = 0;
		/* kbuild: xz --check=crc32 --lzma2=dict=1MiB (the kernel's decompressor wants crc32) */
		lzma_options_lzma opt;
		lzma_lzma_preset(&opt, 6);
		opt.dict_size = 1 << 20;
		lzma_filter f[2] = { { LZMA_FILTER_LZMA2, &opt }, { LZMA_VLI_UNKNOWN, NULL } };
		if (*out && lzma_stream_buffer_encode(f, LZMA_CHECK_CRC32, NULL, in, n, *out, outlen, cap) == LZMA_OK)
			return 0;
		break;
	}
	case BTFC_COMP_ZSTD:
		cap = ZSTD_compressBound(n);
		*out = malloc(cap);
		if (*out) {
			size_t r = ZSTD_compress(*out, cap, in, n, 3);
			if (!ZSTD_isError(r)) {
				*outlen = r;
				return 0;
			}
		}
		break;
	case BTFC_COMP_GZIP: {
		z_stream z = { 0 };
		cap = compressBound(n) + 64;
		*out = malloc(cap);
		if (*out && deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
			z.next_in = (Bytef *)in;
			z.avail_in = n;
			z.next_out = *out;
			z.avail_out = cap;
			int r = deflate(&z, Z_FINISH);
			*outlen = z.total_out;
			deflateEnd(&z);
			if (r == Z_STREAM_END)
				return 0;
		}
		break;
	}
	default:
		return btfc__err(ctx, -ENOTSUP, path, "cannot write %s-compressed modules", btfc_compression_name(c));
	}
	free(*out);
	*out = NULL;
	return btfc__err(ctx, -ENOMEM, path, "cannot %s-compress the new module", btfc_compression_name(c));
}

static const struct btfc__sec_edit *edit_for(const struct btfc__sec_edit *e, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	return NULL;
}

/* Old section index -> new (0: removed). Relocation sections of removed sections go too. */
static int plan_removal(struct btfc_ctx *ctx, const char *path, Elf *src, size_t shstrndx, size_t shnum,
			const struct btfc__sec_edit *edits, size_t n_edits, uint32_t *newidx)
{
	for (size_t i = 0; i < shnum; i++)
		newidx[i] = 1;
	for (Elf_Scn *s = NULL; (s = elf_nextscn(src, s));) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(s, &sh) ? elf_strptr(src, shstrndx, sh.sh_name) : NULL;
		const struct btfc__sec_edit *ed = name ? edit_for(edits, n_edits, name) : NULL;
		if (ed && ed->remove)
			newidx[elf_ndxscn(s)] = 0;
	}
	for (Elf_Scn *s = NULL; (s = elf_nextscn(src, s));) {
		GElf_Shdr sh;
		if (gelf_getshdr(s, &sh) && (sh.sh_type == SHT_REL || sh.sh_type == SHT_RELA) && sh.sh_info < shnum &&
		    !newidx[sh.sh_info])
			newidx[elf_ndxscn(s)] = 0;
	}
	uint32_t next = 0;
	bool any = false;
	for (size_t i = 0; i < shnum; i++) {
		any |= !newidx[i];
		newidx[i] = newidx[i] ? next++ : 0;
	}
	for (Elf_Scn *s = NULL; any && (s = elf_nextscn(src, s));) {
		GElf_Shdr sh;
		if (gelf_getshdr(s, &sh) && (sh.sh_type == SHT_GROUP || sh.sh_type == SHT_SYMTAB_SHNDX))
			return btfc__err(ctx, -ENOTSUP, path, "cannot remove sections from a module with section groups "
					 "or extended section indices");
		if (newidx[elf_ndxscn(s)] && sh.sh_link && (sh.sh_link >= shnum || !newidx[sh.sh_link]))
			return btfc__err(ctx, -EINVAL, path, "section %zu links to a section being removed",
					 elf_ndxscn(s));
	}
	if (newidx[shstrndx] == 0 && shstrndx)
		return btfc__err(ctx, -EINVAL, path, "cannot remove the section name table");
	return 0;
}

/* A copy of symbol table @d (raw, file byte order) with section indices renumbered. */
static void *renumber_symbols(Elf *src, const Elf_Data *d, const uint32_t *newidx, size_t shnum)
{
	bool is64 = gelf_getclass(src) == ELFCLASS64, msb = elf_getident(src, NULL)[EI_DATA] == ELFDATA2MSB;
	size_t ent = is64 ? 24 : 16, at = is64 ? 6 : 14;
	uint8_t *p = malloc(d->d_size ? d->d_size : 1);

	if (!p)
		return NULL;
	memcpy(p, d->d_buf, d->d_size);
	for (size_t o = 0; o + ent <= d->d_size; o += ent) {
		uint8_t *x = p + o + at;
		unsigned v = msb ? (unsigned)x[0] << 8 | x[1] : (unsigned)x[1] << 8 | x[0];
		if (v == SHN_UNDEF || v >= SHN_LORESERVE)
			continue;
		v = v < shnum && newidx[v] ? newidx[v] : SHN_ABS; /* defined in a removed section */
		x[msb ? 0 : 1] = v >> 8;
		x[msb ? 1 : 0] = v & 0xff;
	}
	return p;
}

/*
 * Build the new ELF from @src with @edits applied, writing it to @fd. Sections
 * named in @edits are replaced in place or removed; those not present are
 * appended.
 */
static int write_elf(struct btfc_ctx *ctx, const char *path, Elf *src, int fd, const struct btfc__sec_edit *edits,
		     size_t n_edits)
{
	GElf_Ehdr eh;
	size_t shstrndx, shnum;
	char *newstr = NULL;
	uint32_t *newidx = NULL;
	void **owned = NULL;
	size_t n_owned = 0;
	int err = 0;

	if (!gelf_getehdr(src, &eh) || elf_getshdrstrndx(src, &shstrndx) || elf_getshdrnum(src, &shnum))
		return btfc__err(ctx, -EINVAL, path, "corrupt ELF: %s", elf_errmsg(-1));
	if (eh.e_type != ET_REL || eh.e_phnum)
		return btfc__err(ctx, -EINVAL, path, "not a kernel module (ELF type %u)", eh.e_type);
	if (!(newidx = calloc(shnum + 1, sizeof(*newidx))) || !(owned = calloc(shnum + 1, sizeof(*owned)))) {
		free(newidx);
		return btfc__err(ctx, -ENOMEM, path, "out of memory");
	}
	if ((err = plan_removal(ctx, path, src, shstrndx, shnum, edits, n_edits, newidx))) {
		free(newidx);
		free(owned);
		return err;
	}
	bool removing = false;
	for (size_t i = 1; i < shnum; i++)
		removing |= !newidx[i];
	Elf *dst = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!dst || !gelf_newehdr(dst, gelf_getclass(src))) {
		free(newidx);
		free(owned);
		return btfc__err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
	}

	/* names of sections to append go at the end of .shstrtab */
	Elf_Scn *strscn = elf_getscn(src, shstrndx);
	Elf_Data *strdata = strscn ? elf_getdata(strscn, NULL) : NULL;
	if (!strdata) {
		err = btfc__err(ctx, -EINVAL, path, "corrupt section name table: %s", elf_errmsg(-1));
		goto out;
	}
	size_t strsize = strdata->d_size, extra = 0;
	bool *present = calloc(n_edits ? n_edits : 1, sizeof(*present));
	if (!present) {
		err = btfc__err(ctx, -ENOMEM, path, "out of memory");
		goto out;
	}
	for (Elf_Scn *s = NULL; (s = elf_nextscn(src, s));) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(s, &sh) ? elf_strptr(src, shstrndx, sh.sh_name) : NULL;
		for (size_t i = 0; name && i < n_edits; i++)
			present[i] |= !strcmp(edits[i].name, name);
	}
	for (size_t i = 0; i < n_edits; i++)
		if (!present[i] && !edits[i].remove)
			extra += strlen(edits[i].name) + 1;
	newstr = malloc(strsize + extra);
	if (!newstr) {
		free(present);
		err = btfc__err(ctx, -ENOMEM, path, "out of memory");
		goto out;
	}
	memcpy(newstr, strdata->d_buf, strsize);

	for (Elf_Scn *s = NULL; (s = elf_nextscn(src, s));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(s, &sh)) {
			err = btfc__err(ctx, -EINVAL, path, "corrupt section header: %s", elf_errmsg(-1));
			break;
		}
		size_t ndx = elf_ndxscn(s);
		if (!newidx[ndx])
			continue;
		const char *name = elf_strptr(src, shstrndx, sh.sh_name);
		const struct btfc__sec_edit *ed = name ? edit_for(edits, n_edits, name) : NULL;
		Elf_Scn *d = elf_newscn(dst);
		Elf_Data *od = d ? elf_newdata(d) : NULL;
		if (!od) {
			err = btfc__err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
			break;
		}
		if (sh.sh_link && sh.sh_link < shnum)
			sh.sh_link = newidx[sh.sh_link];
		if ((sh.sh_type == SHT_REL || sh.sh_type == SHT_RELA || (sh.sh_flags & SHF_INFO_LINK)) &&
		    sh.sh_info && sh.sh_info < shnum)
			sh.sh_info = newidx[sh.sh_info];
		if (ed) {
			od->d_buf = (void *)ed->data;
			od->d_size = ed->len;
			od->d_type = ELF_T_BYTE;
			od->d_align = ed->align ? ed->align : 1;
			sh.sh_size = ed->len;
			sh.sh_flags &= ~(GElf_Xword)SHF_COMPRESSED;
		} else {
			/* raw bytes: no conversion, so any section type copies unchanged */
			Elf_Data *id = sh.sh_type == SHT_NOBITS ? elf_getdata(s, NULL) : elf_rawdata(s, NULL);
			if (!id && sh.sh_size && sh.sh_type != SHT_NOBITS) {
				err = btfc__err(ctx, -EINVAL, path, "cannot read section %s: %s", name ? name : "?",
						elf_errmsg(-1));
				break;
			}
			if (id) {
				od->d_buf = id->d_buf;
				od->d_size = id->d_size;
				od->d_type = sh.sh_type == SHT_NOBITS ? id->d_type : ELF_T_BYTE;
				od->d_align = sh.sh_addralign ? sh.sh_addralign : 1;
				if (sh.sh_type == SHT_SYMTAB && removing) {
					if (!(owned[n_owned] = renumber_symbols(src, id, newidx, shnum))) {
						err = btfc__err(ctx, -ENOMEM, path, "out of memory");
						break;
					}
					od->d_buf = owned[n_owned++];
				}
			}
			if (ndx == shstrndx) {
				od->d_buf = newstr;
				od->d_size = strsize + extra;
				sh.sh_size = od->d_size;
			}
		}
		if (!gelf_update_shdr(d, &sh)) {
			err = btfc__err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
			break;
		}
	}
	/* append the sections that were not there */
	size_t stroff = strsize;
	for (size_t i = 0; !err && i < n_edits; i++) {
		if (present[i] || edits[i].remove)
			continue;
		Elf_Scn *d = elf_newscn(dst);
		Elf_Data *od = d ? elf_newdata(d) : NULL;
		GElf_Shdr sh = { 0 };
		if (!od || !gelf_getshdr(d, &sh)) {
			err = btfc__err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
			break;
		}
		memcpy(newstr + stroff, edits[i].name, strlen(edits[i].name) + 1);
		sh.sh_name = stroff;
		stroff += strlen(edits[i].name) + 1;
		sh.sh_type = SHT_PROGBITS;
		sh.sh_addralign = edits[i].align ? edits[i].align : 1;
		sh.sh_size = edits[i].len;
		od->d_buf = (void *)edits[i].data;
		od->d_size = edits[i].len;
		od->d_type = ELF_T_BYTE;
		od->d_align = sh.sh_addralign;
		if (!gelf_update_shdr(d, &sh))
			err = btfc__err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
	}
	free(present);
	if (!err) {
		GElf_Ehdr nh;
		gelf_getehdr(dst, &nh);
		memcpy(nh.e_ident, eh.e_ident, EI_NIDENT);
		nh.e_type = eh.e_type;
		nh.e_machine = eh.e_machine;
		nh.e_version = eh.e_version;
		nh.e_flags = eh.e_flags;
		nh.e_shstrndx = newidx[shstrndx];
		if (!gelf_update_ehdr(dst, &nh) || elf_update(dst, ELF_C_WRITE) < 0)
			err = btfc__err(ctx, -EIO, path, "writing the new ELF: %s", elf_errmsg(-1));
	}
out:
	elf_end(dst);
	free(newstr);
	free(newidx);
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	free(owned);
	return err;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		p += r;
		n -= r;
	}
	return 0;
}

/* A temporary file next to @path; its name in @tmp. */
static int make_temp(struct btfc_ctx *ctx, const char *path, char *tmp, size_t cap)
{
	if ((size_t)snprintf(tmp, cap, "%s.btfcXXXXXX", path) >= cap)
		return btfc__err(ctx, -ENAMETOOLONG, path, "path too long");
	int fd = mkstemp(tmp);
	if (fd < 0)
		return btfc__err(ctx, -errno, path, "cannot create a temporary file next to it: %s", strerror(errno));
	return fd;
}

static void fsync_dir(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int btfc__module_rewrite(struct btfc_ctx *ctx, const char *path, const char *dest, const struct btfc__sec_edit *edits,
			 size_t n, unsigned flags)
{
	uint8_t *file = NULL, *image = NULL, *packed = NULL;
	size_t flen = 0, ilen = 0, plen = 0;
	char tmp[PATH_MAX] = "";
	int fd = -1, tfd = -1, err;
	struct stat st;
	Elf *src = NULL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return btfc__err(ctx, -errno, path, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st)) {
		err = btfc__err(ctx, -errno, path, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = btfc__err(ctx, -EINVAL, path, "not a regular file");
		goto out;
	}
	if ((err = btfc__read_fd(ctx, path, fd, &file, &flen)))
		goto out;
	enum btfc_compression comp = btfc__sniff_compression(file, flen);
	if (comp != BTFC_COMP_NONE) {
		if ((err = btfc__decompress(ctx, path, comp, file, flen, &image, &ilen)))
			goto out;
	} else {
		image = file;
		ilen = flen;
		file = NULL;
	}
	if (ilen < 4 || memcmp(image, "\x7f" "ELF", 4)) {
		err = btfc__err(ctx, -EINVAL, path, "not an ELF module");
		goto out;
	}
	bool sign = btfc__want_sign(ctx, image, ilen);
	if (btfc__module_signed(image, ilen) && !(flags & BTFC_REWRITE_FORCE) && !sign) {
		err = btfc__err(ctx, -EPERM, path, "module is signed%s: rewriting it voids the signature (use --force to "
				"rewrite it unsigned)", ctx->signer ? " by another key than the signing key" : "");
		goto out;
	}
	elf_version(EV_CURRENT);
	src = elf_memory((char *)image, ilen);
	if (!src || elf_kind(src) != ELF_K_ELF) {
		err = btfc__err(ctx, -EINVAL, path, "corrupt ELF: %s", elf_errmsg(-1));
		goto out;
	}
	if (!dest)
		dest = path;
	if ((tfd = make_temp(ctx, dest, tmp, sizeof(tmp))) < 0) {
		err = tfd;
		goto out;
	}
	if (comp == BTFC_COMP_NONE && !sign) {
		if ((err = write_elf(ctx, path, src, tfd, edits, n)))
			goto out;
	} else {
		/* write the ELF to memory, then sign and/or compress it into the temporary file */
		int mfd = memfd_create("btfc-module", MFD_CLOEXEC);
		if (mfd < 0) {
			err = btfc__err(ctx, -errno, path, "memfd_create: %s", strerror(errno));
			goto out;
		}
		uint8_t *elfbytes = NULL;
		size_t elen = 0;
		err = write_elf(ctx, path, src, mfd, edits, n);
		if (!err)
			err = btfc__read_fd(ctx, path, mfd, &elfbytes, &elen);
		close(mfd);
		if (!err && sign) /* the final image is known: sign it (sign.c) */
			err = btfc__sign_image(ctx, path, &elfbytes, &elen);
		if (!err && comp == BTFC_COMP_NONE) {
			packed = elfbytes;
			plen = elen;
			elfbytes = NULL;
		} else if (!err)
			err = compress_image(ctx, path, comp, elfbytes, elen, &packed, &plen);
		free(elfbytes);
		if (!err && (err = write_all(tfd, packed, plen)))
			btfc__err(ctx, err, tmp, "write error: %s", strerror(-err));
		if (err)
			goto out;
	}
	if (fchmod(tfd, st.st_mode & 07777) || (fchown(tfd, st.st_uid, st.st_gid) && errno != EPERM) ||
	    fsync(tfd)) {
		err = btfc__err(ctx, -errno, tmp, "cannot finish the new file: %s", strerror(errno));
		goto out;
	}
	close(tfd);
	tfd = -1;
	if (flags & BTFC_REWRITE_DRY_RUN) {
		unlink(tmp);
		goto out;
	}
	if ((flags & BTFC_REWRITE_BACKUP) && dest == path) {
		char bak[PATH_MAX];
		snprintf(bak, sizeof(bak), "%s~", path);
		unlink(bak);
		if (link(path, bak)) {
			err = btfc__err(ctx, -errno, bak, "cannot create the backup: %s", strerror(errno));
			goto out;
		}
	}
	if (rename(tmp, dest)) {
		err = btfc__err(ctx, -errno, dest, "cannot replace: %s", strerror(errno));
		goto out;
	}
	tmp[0] = 0;
	fsync_dir(dest);
out:
	if (tfd >= 0)
		close(tfd);
	if (err && tmp[0])
		unlink(tmp);
	elf_end(src);
	if (fd >= 0)
		close(fd);
	free(file);
	free(image);
	free(packed);
	return err;
}
