/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * module: the opened kernel module (module.c) and its signature trailer. Not
 * installed.
 *
 * A module is read once (btfc_module_open(), btfc_module_open_rw() for a
 * rewrite, btfci_module_open_mem()); the handle holds the decompressed image,
 * knows whether it is signed, and for a rewrite holds the file's lock and
 * what the file was when it was read. The rewriter (elfw.h) writes that image
 * with the edits applied: exactly the bytes that were checked.
 */
#ifndef BTFC_MODULE_H
#define BTFC_MODULE_H

#include <libelf.h>
#include <sys/stat.h>

#include "internal.h"

/*
 * The trailer kbuild's sign-file appends to a signed module: the signature
 * data, struct module_signature (SIG_INFO_LEN bytes; its last word the
 * big-endian signature length), then SIG_MAGIC. SIG_TRAILER_MAX: the
 * longest trailer accepted after a module's ELF image.
 */
#define SIG_MAGIC "~Module signature appended~\n"
#define SIG_MAGIC_LEN (sizeof(SIG_MAGIC) - 1)
#define SIG_INFO_LEN 12
#define SIG_TRAILER_MAX (64u << 10)

struct btfc_module {
	char *name; /* as given (messages) */
	char *path; /* open_rw: the file rewritten in place (symbolic links resolved) */
	uint8_t *img; /* the decompressed ELF image (owned) */
	size_t len;
	Elf *elf;
	size_t shstrndx;
	struct btfc_source_info src;
	uint64_t max_section; /* the opening context's max_decompressed: a compressed section's limit */
	bool is_signed; /* the image ends with a module signature */
	int fd; /* open_rw: the file (locked with flock LOCK_EX when lockfd is -1); else -1 */
	int lockfd; /* open_rw: root's rewrite lock for the file (module.c rewrite_lock()), held until
			     btfc_module_free(); else -1 */
	struct stat st; /* open_rw: the file as it was read */
	struct btfci_budget *
		budget; /* its context's budget; budget_n takes of it given back by btfc_module_free() */
	unsigned budget_n;
};

/* Whether image @p/@n ends with a module signature trailer (SIG_MAGIC). */
bool btfci_module_signed(const uint8_t *p, size_t n);

/*
 * All of module file @fd (status @st, from btfci_open_regular() with the
 * module limit), taking ctx's budget first when it is larger than
 * BTFC_MODULE_SMALL (*@budgeted: hand it on to btfci_module_load()).
 */
int btfci_read_module(struct btfc_ctx *ctx, const char *name, int fd, const struct stat *st,
		      uint8_t **out, size_t *outlen, bool *budgeted);

/*
 * A module from @flen bytes at @file (malloc'd; this call takes them, and
 * with @budgeted the budget btfci_read_module() took for them): a .ko
 * or a compressed one, decompressed within ctx->max_module and not beyond
 * the ELF image its header announces plus a signature. Refuses (-EINVAL,
 * BTFC_REASON_CORRUPT) an image whose header or sections lie outside it and
 * bytes after the ELF image that are not a module signature.
 */
int btfci_module_load(struct btfc_ctx *ctx, const char *name, uint8_t *file, size_t flen,
		      bool budgeted, struct btfc_module **out);
/* btfci_module_load() of a copy of @data/@len (fuzzing, tests). */
int btfci_module_open_mem(struct btfc_ctx *ctx, const void *data, size_t len, const char *name,
			  struct btfc_module **out);

/* Called for each symbol defined in a section: its name and value; non-zero stops. */
typedef int (*btfci_sym_fn)(void *user, const char *name, uint64_t value);
/* Every symbol of module @m defined in section @secname (-ENODATA if there is no such section). */
int btfci_module_symbols(const struct btfc_module *m, const char *secname, btfci_sym_fn fn,
			 void *user);
/* The path a module was opened from (for messages). */
const char *btfci_module_name(const struct btfc_module *m);
/* True if the module's ELF is big-endian (EI_DATA): the order of its .BTF_ids words. */
bool btfci_module_big_endian(const struct btfc_module *m);
/* The pointer size of the module's target (EI_CLASS): 4 or 8. */
unsigned btfci_module_ptr_size(const struct btfc_module *m);

#endif
