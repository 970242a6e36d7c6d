/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Modules as the unit of module I/O (io.c reads them, elfw.c rewrites them)
 * and the section edits of the rewriting verbs. Not installed.
 *
 * A module is read once (btfc_module_open(), btfc_module_open_rw() for a
 * rewrite, btfc__module_open_mem()); the handle holds the decompressed image,
 * knows whether it is signed, and for a rewrite holds the file's lock and
 * what the file was when it was read. The rewriter writes that image with
 * the edits applied: exactly the bytes that were checked.
 */
#ifndef BTFC_ELFW_H
#define BTFC_ELFW_H

#include <gelf.h>
#include <sys/stat.h>

#include "internal.h"

struct btfc_module {
	char *name;       /* as given (messages) */
	char *path;       /* open_rw: the file rewritten in place (symbolic links resolved) */
	uint8_t *img;     /* the decompressed ELF image (owned) */
	size_t len;
	Elf *elf;
	size_t shstrndx;
	struct btfc_source_info src;
	bool is_signed;   /* the image ends with a module signature */
	int fd;           /* open_rw: the file (locked with flock LOCK_EX when lockfd is -1); else -1 */
	int lockfd;       /* open_rw: root's rewrite lock for the file (elfw.c rewrite_lock()), held until
			     btfc_module_free(); else -1 */
	struct stat st;   /* open_rw: the file as it was read */
	struct btfc__budget *budget; /* its context's budget; budget_n takes of it given back by btfc_module_free() */
	unsigned budget_n;
};

/*
 * All of module file @fd (status @st, from btfc__open_regular() with the
 * module limit), taking ctx's budget first when it is larger than
 * BTFC_MODULE_SMALL (*@budgeted: hand it on to btfc__module_load()).
 */
int btfc__read_module(struct btfc_ctx *ctx, const char *name, int fd, const struct stat *st, uint8_t **out,
		      size_t *outlen, bool *budgeted);

/*
 * A module from @flen bytes at @file (malloc'd; this call takes them, and
 * with @budgeted the budget btfc__read_module() took for them): a .ko
 * or a compressed one, decompressed within ctx->max_module and not beyond
 * the ELF image its header announces plus a signature. Refuses (-EINVAL,
 * BTFC_REASON_CORRUPT) an image whose header or sections lie outside it and
 * bytes after the ELF image that are not a module signature.
 */
int btfc__module_load(struct btfc_ctx *ctx, const char *name, uint8_t *file, size_t flen, bool budgeted,
		      struct btfc_module **out);
/* btfc__module_load() of a copy of @data/@len (fuzzing, tests). */
int btfc__module_open_mem(struct btfc_ctx *ctx, const void *data, size_t len, const char *name,
			  struct btfc_module **out);

/*
 * Check that the ELF header, the section headers and every section's
 * contents of image @p/@n lie inside it (-EINVAL, "section headers at X
 * exceed the file size Y"); *@end: where the ELF image ends.
 */
int btfc__elf_layout(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n, size_t *end);
/* Where the section header table of the ELF image starting at @p ends, from its header alone; 0 if unknown. */
size_t btfc__elf_shdr_end(const uint8_t *p, size_t n);
/* Same device, inode, size, mtime and ctime. */
bool btfc__same_file_state(const struct stat *a, const struct stat *b);

/* One section to write: replaced if the module has it, appended otherwise; or removed. */
struct btfc__sec_edit {
	const char *name;
	const void *data;
	size_t len;
	uint64_t align;
	bool remove; /* drop the section (and relocation sections that apply to it) */
};

/*
 * Replace the module image at *@image (*@len bytes, malloc'd) by the same image signed
 * with ctx->signer (sign.c). Returns 0 or a negative errno naming @path.
 */
int btfc__sign_image(struct btfc_ctx *ctx, const char *path, uint8_t **image, size_t *len);
/* Whether the rewrite of module image @image/@len is to be signed (ctx->signer, BTFC_SIGN_OWN). */
bool btfc__want_sign(const struct btfc_ctx *ctx, const uint8_t *image, size_t len);
/* Whether image @p/@n ends with a module signature trailer. */
bool btfc__module_signed(const uint8_t *p, size_t n);

/*
 * Write module @m (opened with btfc_module_open_rw(), or from memory for a
 * dry run) with @edits applied, compressed as it was, into @dest (NULL: in
 * place; "-": standard output). BTFC_REWRITE_DRY_RUN builds the new file in
 * memory and throws it away; BACKUP keeps the original as PATH~. See
 * btfcompat.h for what happens to the file (atomic rename, lock, owner,
 * mode, xattrs, links, signals). Removing sections renumbers the others
 * (links, relocation targets, symbols). Returns 0 or a negative errno.
 */
int btfc__module_rewrite(struct btfc_ctx *ctx, struct btfc_module *m, const char *dest,
			 const struct btfc__sec_edit *edits, size_t n, unsigned flags);

/* The rewriting verbs on an opened module (the path-taking public calls open it and call these). */
int btfc__stamp_m(struct btfc_ctx *ctx, struct btfc_module *m, const struct btfc_btf *base, unsigned flags,
		  int *changed);
int btfc__distill_m(struct btfc_ctx *ctx, struct btfc_module *m, const char *dest, const struct btfc_btf *base,
		    unsigned flags, int *changed);

struct btfc_stamp;
/*
 * Parse stamp section @sec/@len into *@want and verify it against @base (as
 * stored); *@found gets the base's counts (and digest when computed). Returns
 * an enum btfc_stamp_result, or -ENOMEM (message in ctx).
 */
int btfc__stamp_check(struct btfc_ctx *ctx, const void *sec, size_t len, const struct btfc_btf *base,
		      struct btfc_stamp *want, struct btfc_stamp *found);

#endif
