/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * elfw: section edits of an opened module (module.h) and the atomic
 * replacement of its file (elfw.c). Not installed.
 */
#ifndef BTFC_ELFW_H
#define BTFC_ELFW_H

#include <gelf.h>
#include <sys/stat.h>

#include "module.h"

/* One section to write: replaced if the module has it, appended otherwise; or removed. */
struct btfci_sec_edit {
	const char *name;
	const void *data;
	size_t len;
	uint64_t align;
	bool remove; /* drop the section (and relocation sections that apply to it) */
};

/*
 * Write module @m (opened with btfc_module_open_rw(), or from memory for a
 * dry run) with @edits applied, compressed as it was, into @dest (NULL: in
 * place; "-": standard output). BTFC_REWRITE_DRY_RUN builds the new file in
 * memory and throws it away; BACKUP keeps the original as PATH~. See
 * btfcompat.h for what happens to the file (atomic rename, lock, owner,
 * mode, xattrs, links, signals). Removing sections renumbers the others
 * (links, relocation targets, symbols). Returns 0 or a negative errno.
 */
int btfci_module_rewrite(struct btfc_ctx *ctx, struct btfc_module *m, const char *dest,
			 const struct btfci_sec_edit *edits, size_t n, unsigned flags);

#endif
