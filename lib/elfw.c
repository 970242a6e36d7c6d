// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * elfw: add or replace sections of a kernel module with libelf, atomically.
 *
 * The module (plain, or .ko.xz/.ko.zst/.ko.gz, recompressed the same way) was
 * read once and locked by btfc_module_open_rw(); its image is copied section
 * by section into a new ELF, which is written to a temporary file next to the
 * destination, fsynced, given the original's owner, mode and extended
 * attributes, and renamed over the destination if the module did not change
 * since it was read. On any failure the original is untouched and the
 * temporary file is removed; signals that would end the process wait while
 * the temporary file exists. A signed module is refused unless
 * BTFC_REWRITE_UNSIGN: rewriting voids its signature.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/xattr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfw.h"
#include "sign.h"

static const struct btfci_sec_edit *edit_for(const struct btfci_sec_edit *e, size_t n,
					     const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	return NULL;
}

/* Old section index -> new (0: removed). Relocation sections of removed sections go too. */
static int plan_removal(struct btfc_ctx *ctx, const char *path, Elf *src, size_t shstrndx,
			size_t shnum, const struct btfci_sec_edit *edits, size_t n_edits,
			uint32_t *newidx)
{
	for (size_t i = 0; i < shnum; i++)
		newidx[i] = 1;
	for (Elf_Scn *s = NULL; (s = elf_nextscn(src, s));) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(s, &sh) ? elf_strptr(src, shstrndx, sh.sh_name) :
							  NULL;
		const struct btfci_sec_edit *ed = name ? edit_for(edits, n_edits, name) : NULL;
		if (ed && ed->remove)
			newidx[elf_ndxscn(s)] = 0;
	}
	for (Elf_Scn *s = NULL; (s = elf_nextscn(src, s));) {
		GElf_Shdr sh;
		if (gelf_getshdr(s, &sh) && (sh.sh_type == SHT_REL || sh.sh_type == SHT_RELA) &&
		    sh.sh_info < shnum && !newidx[sh.sh_info])
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
		if (gelf_getshdr(s, &sh) &&
		    (sh.sh_type == SHT_GROUP || sh.sh_type == SHT_SYMTAB_SHNDX))
			return btfci_err(ctx, -ENOTSUP, path,
					 "cannot remove sections from a module with section groups "
					 "or extended section indices");
		if (newidx[elf_ndxscn(s)] && sh.sh_link &&
		    (sh.sh_link >= shnum || !newidx[sh.sh_link]))
			return btfci_err(ctx, -EINVAL, path,
					 "section %zu links to a section being removed",
					 elf_ndxscn(s));
	}
	if (newidx[shstrndx] == 0 && shstrndx)
		return btfci_err(ctx, -EINVAL, path, "cannot remove the section name table");
	return 0;
}

/* A copy of symbol table @d (raw, file byte order) with section indices renumbered. */
static void *renumber_symbols(Elf *src, const Elf_Data *d, const uint32_t *newidx, size_t shnum)
{
	bool is64 = gelf_getclass(src) == ELFCLASS64,
	     msb = elf_getident(src, NULL)[EI_DATA] == ELFDATA2MSB;
	size_t ent = is64 ? 24 : 16, at = is64 ? 6 : 14;
	uint8_t *p = malloc(d->d_size ? d->d_size : 1);

	if (!p)
		return NULL;
	if (d->d_size)
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
static int write_elf(struct btfc_ctx *ctx, const char *path, Elf *src, int fd,
		     const struct btfci_sec_edit *edits, size_t n_edits)
{
	GElf_Ehdr eh;
	size_t shstrndx, shnum;
	char *newstr = NULL;
	uint32_t *newidx = NULL;
	void **owned = NULL;
	size_t n_owned = 0;
	int err = 0;

	if (!gelf_getehdr(src, &eh) || elf_getshdrstrndx(src, &shstrndx) ||
	    elf_getshdrnum(src, &shnum))
		return btfci_err(ctx, -EINVAL, path, "corrupt ELF: %s", elf_errmsg(-1));
	if (shstrndx >= shnum)
		return btfci_err(ctx, -EINVAL, path,
				 "section name table index %zu is out of range (%zu sections)",
				 shstrndx, shnum);
	if (eh.e_type != ET_REL || eh.e_phnum)
		return btfci_err(ctx, -EINVAL, path, "not a kernel module (ELF type %u)",
				 eh.e_type);
	if (!(newidx = calloc(shnum + 1, sizeof(*newidx))) ||
	    !(owned = calloc(shnum + 1, sizeof(*owned)))) {
		free(newidx);
		return btfci_err(ctx, -ENOMEM, path, "out of memory");
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
		elf_end(dst);
		free(newidx);
		free(owned);
		return btfci_err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
	}

	/* names of sections to append go at the end of .shstrtab */
	Elf_Scn *strscn = elf_getscn(src, shstrndx);
	Elf_Data *strdata = strscn ? elf_getdata(strscn, NULL) : NULL;
	/* (btfci_elf_layout() refused unsound name tables; libelf's view must agree: no data is no table) */
	if (!strdata || !strdata->d_buf || !strdata->d_size) {
		err = btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, path,
				   "corrupt section name table: %s",
				   strdata ? "no contents" : elf_errmsg(-1));
		goto out;
	}
	size_t strsize = strdata->d_size, extra = 0;
	bool *present = calloc(n_edits ? n_edits : 1, sizeof(*present));
	if (!present) {
		err = btfci_err(ctx, -ENOMEM, path, "out of memory");
		goto out;
	}
	for (Elf_Scn *s = NULL; (s = elf_nextscn(src, s));) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(s, &sh) ? elf_strptr(src, shstrndx, sh.sh_name) :
							  NULL;
		for (size_t i = 0; name && i < n_edits; i++)
			present[i] |= !strcmp(edits[i].name, name);
	}
	for (size_t i = 0; i < n_edits; i++)
		if (!present[i] && !edits[i].remove)
			extra += strlen(edits[i].name) + 1;
	newstr = malloc(strsize + extra ? strsize + extra : 1);
	if (!newstr) {
		free(present);
		err = btfci_err(ctx, -ENOMEM, path, "out of memory");
		goto out;
	}
	if (strsize)
		memcpy(newstr, strdata->d_buf, strsize);

	for (Elf_Scn *s = NULL; (s = elf_nextscn(src, s));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(s, &sh)) {
			err = btfci_err(ctx, -EINVAL, path, "corrupt section header: %s",
					elf_errmsg(-1));
			break;
		}
		size_t ndx = elf_ndxscn(s);
		if (!newidx[ndx])
			continue;
		const char *name = elf_strptr(src, shstrndx, sh.sh_name);
		const struct btfci_sec_edit *ed = name ? edit_for(edits, n_edits, name) : NULL;
		Elf_Scn *d = elf_newscn(dst);
		Elf_Data *od = d ? elf_newdata(d) : NULL;
		if (!od) {
			err = btfci_err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
			break;
		}
		if (sh.sh_link && sh.sh_link < shnum)
			sh.sh_link = newidx[sh.sh_link];
		if ((sh.sh_type == SHT_REL || sh.sh_type == SHT_RELA ||
		     (sh.sh_flags & SHF_INFO_LINK)) &&
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
			Elf_Data *id = sh.sh_type == SHT_NOBITS ? elf_getdata(s, NULL) :
								  elf_rawdata(s, NULL);
			if (!id && sh.sh_size && sh.sh_type != SHT_NOBITS) {
				err = btfci_err(ctx, -EINVAL, path, "cannot read section %s: %s",
						name ? name : "?", elf_errmsg(-1));
				break;
			}
			if (id) {
				od->d_buf = id->d_buf;
				od->d_size = id->d_size;
				od->d_type = sh.sh_type == SHT_NOBITS ? id->d_type : ELF_T_BYTE;
				od->d_align = sh.sh_addralign ? sh.sh_addralign : 1;
				if (sh.sh_type == SHT_SYMTAB && removing) {
					if (!(owned[n_owned] =
						      renumber_symbols(src, id, newidx, shnum))) {
						err = btfci_err(ctx, -ENOMEM, path,
								"out of memory");
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
			err = btfci_err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
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
			err = btfci_err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
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
			err = btfci_err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
	}
	free(present);
	if (!err) {
		GElf_Ehdr nh;
		if (!gelf_getehdr(dst, &nh)) {
			err = btfci_err(ctx, -EIO, path, "libelf: %s", elf_errmsg(-1));
			goto out;
		}
		memcpy(nh.e_ident, eh.e_ident, EI_NIDENT);
		nh.e_type = eh.e_type;
		nh.e_machine = eh.e_machine;
		nh.e_version = eh.e_version;
		nh.e_flags = eh.e_flags;
		nh.e_shstrndx = newidx[shstrndx];
		if (!gelf_update_ehdr(dst, &nh) || elf_update(dst, ELF_C_WRITE) < 0)
			err = btfci_err(ctx, -EIO, path, "writing the new ELF: %s", elf_errmsg(-1));
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

/* The new file's bytes: the ELF with @edits applied, compressed as the module was. */
static int build(struct btfc_ctx *ctx, struct btfc_module *m, const struct btfci_sec_edit *edits,
		 size_t n, uint8_t **out, size_t *outlen)
{
	uint8_t *elfbytes = NULL;
	size_t elen = 0;
	int err, mfd = memfd_create("btfc-module", MFD_CLOEXEC);

	*out = NULL;
	if (mfd < 0)
		return btfci_err(ctx, -errno, m->name, "memfd_create: %s", strerror(errno));
	/* a handle of its own: the reader's may have decompressed sections in place */
	elf_version(EV_CURRENT);
	Elf *src = elf_memory((char *)m->img, m->len);
	if (!src || elf_kind(src) != ELF_K_ELF)
		err = btfci_err(ctx, -EINVAL, m->name, "corrupt ELF: %s", elf_errmsg(-1));
	else
		err = write_elf(ctx, m->name, src, mfd, edits, n);
	elf_end(src);
	if (!err)
		err = btfci_read_fd(ctx, m->name, mfd, &elfbytes, &elen);
	close(mfd);
	if (!err &&
	    btfci_want_sign(ctx, m->img, m->len)) /* the final image is known: sign it (sign.c) */
		err = btfci_sign_image(ctx, m->name, &elfbytes, &elen);
	if (err) {
		free(elfbytes);
		return err;
	}
	if (m->src.compression == BTFC_COMP_NONE) {
		*out = elfbytes;
		*outlen = elen;
		return 0;
	}
	err = btfci_compress(ctx, m->name, m->src.compression, elfbytes, elen, out, outlen);
	free(elfbytes);
	return err;
}

/* Extended attributes of @from (the module) onto @to (its replacement); refuses rather than drop one. */
static int copy_xattrs(struct btfc_ctx *ctx, const char *name, int from, int to, unsigned flags)
{
	char list[1 << 16], val[1 << 16];
	ssize_t n = flistxattr(from, list, sizeof(list));

	if (n < 0)
		return errno == ENOTSUP ? 0 :
					  btfci_err(ctx, -errno, name,
						    "cannot list its extended attributes: %s",
						    strerror(errno));
	for (char *k = list; k < list + n; k += strlen(k) + 1) {
		/* content signatures (IMA, EVM) would not match the new contents: like a module signature */
		if (!strcmp(k, "security.ima") || !strcmp(k, "security.evm")) {
			if (flags & BTFC_REWRITE_UNSIGN)
				continue;
			return btfci_refuse(
				ctx, BTFC_REASON_SIGNED, -EPERM, name,
				"carries an %s signature (%s), which a rewrite voids: not rewriting it",
				k[9] == 'i' ? "IMA" : "EVM", k);
		}
		ssize_t v = fgetxattr(from, k, val, sizeof(val));
		if (v < 0 || fsetxattr(to, k, val, v, 0))
			return btfci_err(
				ctx, -errno, name,
				"cannot keep its extended attribute %s: %s: not rewriting it", k,
				strerror(errno));
	}
	return 0;
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

/*
 * Where the new file goes: *@target the file to replace (symbolic links
 * resolved; *@tofree holds it), *@in_place when that is the module itself.
 */
static int destination(struct btfc_ctx *ctx, const struct btfc_module *m, const char *dest,
		       unsigned flags, const char **target, char **tofree, bool *in_place)
{
	struct stat st, lst;
	int err;

	*tofree = NULL;
	*target = dest ? dest : m->path;
	*in_place = !dest;
	if (!*target)
		return btfci_err(ctx, -EINVAL, m->name, "read from memory: nowhere to write it");
	if (!dest)
		return 0;
	if (lstat(dest, &st)) {
		if (errno == ENOENT)
			return 0;
		return btfci_err(ctx, -errno, dest, "cannot stat: %s", strerror(errno));
	}
	if (S_ISLNK(st.st_mode)) {
		if (!(*tofree = realpath(dest, NULL)))
			return btfci_err(ctx, -errno, dest, "symbolic link to nothing usable: %s",
					 strerror(errno));
		*target = *tofree;
		lst = st;
		if (stat(*target, &st))
			return btfci_err(ctx, -errno, dest, "cannot stat: %s", strerror(errno));
		if ((err = btfci_check_link(ctx, dest, &lst, &st)))
			return err;
	}
	if (!S_ISREG(st.st_mode))
		return btfci_refuse(
			ctx, BTFC_REASON_NOT_REGULAR, -EINVAL, dest,
			"exists and is not a regular file: not replacing it (-o - writes to standard output)");
	*in_place = m->fd >= 0 && st.st_dev == m->st.st_dev && st.st_ino == m->st.st_ino;
	/* /dev/stdout redirected to a file: replacing that file would lose what is written to it */
	for (int o = STDOUT_FILENO; o <= STDERR_FILENO; o++) {
		struct stat os;
		if (!*in_place && !fstat(o, &os) && os.st_dev == st.st_dev &&
		    os.st_ino == st.st_ino)
			return btfci_refuse(
				ctx, BTFC_REASON_NOT_REGULAR, -EINVAL, dest,
				"is the standard %s: not replacing it (-o - writes the module to standard "
				"output)",
				o == STDOUT_FILENO ? "output" : "error");
	}
	if (!*in_place && !(st.st_mode & 0222) && !(flags & BTFC_REWRITE_READ_ONLY))
		return btfci_refuse(ctx, BTFC_REASON_READ_ONLY, -EACCES, dest,
				    "exists and is read-only (mode %04o): not replacing it",
				    (unsigned)(st.st_mode & 07777));
	return 0;
}

/* Write @p/@n to a new temporary file next to @target, with @m's metadata, and rename it over @target. */
static int replace(struct btfc_ctx *ctx, struct btfc_module *m, const char *target, bool in_place,
		   const uint8_t *p, size_t n, unsigned flags)
{
	char tmp[PATH_MAX];
	struct stat now;
	sigset_t block, old;
	int err = 0, tfd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.btfcXXXXXX", target) >= sizeof(tmp))
		return btfci_err(ctx, -ENAMETOOLONG, target, "path too long");
	/* Ctrl-C, kill: handled once the temporary file is renamed or removed */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if ((tfd = mkstemp(tmp)) < 0) {
		err = btfci_err(ctx, -errno, target,
				"cannot create a temporary file next to it: %s", strerror(errno));
		tmp[0] = 0;
		goto out;
	}
	if ((err = write_all(tfd, p, n))) {
		btfci_err(ctx, err, tmp, "write error: %s", strerror(-err));
		goto out;
	}
	mode_t mode = m->fd >= 0 ? m->st.st_mode & 07777 : 0644;
	/* owner first: chown clears setuid/setgid, which the chmod after it restores */
	if (m->fd >= 0 && fchown(tfd, m->st.st_uid, m->st.st_gid)) {
		if (errno != EPERM || (mode & (S_ISUID | S_ISGID))) {
			err = btfci_err(
				ctx, -errno, target,
				"cannot give the new file the owner %u:%u%s: %s",
				(unsigned)m->st.st_uid, (unsigned)m->st.st_gid,
				mode & (S_ISUID | S_ISGID) ? " its setuid/setgid bits need" : "",
				strerror(errno));
			goto out;
		}
	}
	if (fchmod(tfd, mode)) {
		err = btfci_err(ctx, -errno, tmp, "cannot set the mode: %s", strerror(errno));
		goto out;
	}
	if (m->fd >= 0 && (err = copy_xattrs(ctx, m->name, m->fd, tfd, flags)))
		goto out;
	if (fsync(tfd)) {
		err = btfci_err(ctx, -errno, tmp, "cannot write: %s", strerror(errno));
		goto out;
	}
	/* the lock keeps other btfcompat processes out; anything else that wrote it since we read it wins */
	if (in_place && (stat(m->path, &now) || !btfci_same_file_state(&now, &m->st))) {
		err = btfci_refuse(ctx, BTFC_REASON_CHANGED, -EAGAIN, m->name,
				   "changed while being rewritten: not replacing it (try again)");
		goto out;
	}
	if ((flags & BTFC_REWRITE_BACKUP) && in_place) {
		char bak[PATH_MAX];
		snprintf(bak, sizeof(bak), "%s~", target);
		unlink(bak);
		if (link(target, bak)) {
			err = btfci_err(ctx, -errno, bak, "cannot create the backup: %s",
					strerror(errno));
			goto out;
		}
	}
	if (rename(tmp, target)) {
		err = btfci_err(ctx, -errno, target, "cannot replace: %s", strerror(errno));
		goto out;
	}
	tmp[0] = 0;
	fsync_dir(target);
out:
	if (tfd >= 0)
		close(tfd);
	if (tmp[0])
		unlink(tmp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

int btfci_module_rewrite(struct btfc_ctx *ctx, struct btfc_module *m, const char *dest,
			 const struct btfci_sec_edit *edits, size_t n, unsigned flags)
{
	bool to_stdout = dest && !strcmp(dest, "-"), in_place = false;
	const char *target = NULL;
	char *tofree = NULL;
	uint8_t *bytes = NULL;
	size_t len = 0;
	int err = 0;

	if (m->is_signed && !(flags & BTFC_REWRITE_UNSIGN) && !btfci_want_sign(ctx, m->img, m->len))
		return btfci_refuse(ctx, BTFC_REASON_SIGNED, -EPERM, m->name,
				    "module is signed%s: rewriting it voids the signature",
				    ctx->signer ? " by another key than the signing key" : "");
	if (!to_stdout && !(flags & BTFC_REWRITE_DRY_RUN) &&
	    (err = destination(ctx, m, dest, flags, &target, &tofree, &in_place)))
		goto out;
	if ((err = build(ctx, m, edits, n, &bytes, &len)) || (flags & BTFC_REWRITE_DRY_RUN))
		goto out;
	if (to_stdout) {
		if ((err = write_all(STDOUT_FILENO, bytes, len)))
			btfci_err(ctx, err, "standard output", "write error: %s", strerror(-err));
		goto out;
	}
	err = replace(ctx, m, target, in_place, bytes, len, flags);
out:
	free(bytes);
	free(tofree);
	return err;
}
