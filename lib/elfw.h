/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* elfw: atomic section edits of kernel modules (see elfw.c). Not installed. */
#ifndef BTFC_ELFW_H
#define BTFC_ELFW_H

#include "internal.h"

/* One section to write: replaced if the module has it, appended otherwise; or removed. */
struct btfc__sec_edit {
	const char *name;
	const void *data;
	size_t len;
	uint64_t align;
	bool remove; /* drop the section (and relocation sections that apply to it) */
};

/* True if the image ends with the module signature trailer. */
bool btfc__module_signed(const uint8_t *p, size_t n);

/*
 * Rewrite the module at @path (plain or compressed) with @edits applied,
 * into @dest (NULL: @path itself). BTFC_REWRITE_* flags: FORCE rewrites
 * signed modules (dropping the signature), DRY_RUN builds the new file and
 * throws it away, BACKUP keeps the original as PATH~. Atomic: temp file,
 * fsync, mode and owner kept, rename. Removing sections renumbers the
 * others (links, relocation targets, symbols). Returns 0 or a negative errno
 * (message in ctx).
 */
int btfc__module_rewrite(struct btfc_ctx *ctx, const char *path, const char *dest, const struct btfc__sec_edit *edits,
			 size_t n, unsigned flags);

/*
 * Open the module at @path for a rewrite by @verb ("stamping"): refused with
 * -EACCES when the file is read-only and -EPERM when it is signed, unless
 * BTFC_REWRITE_FORCE is in @flags.
 */
int btfc__module_open_rw(struct btfc_ctx *ctx, const char *path, unsigned flags, const char *verb,
			 struct btfc_module **out);

/*
 * Replace the module image at *@image (*@len bytes, malloc'd) by the same image signed
 * with ctx->signer (sign.c). Returns 0 or a negative errno naming @path.
 */
int btfc__sign_image(struct btfc_ctx *ctx, const char *path, uint8_t **image, size_t *len);
/* Whether the rewrite of module image @image/@len is to be signed (ctx->signer, BTFC_SIGN_OWN). */
bool btfc__want_sign(const struct btfc_ctx *ctx, const uint8_t *image, size_t len);

struct btfc_stamp;
/*
 * Parse stamp section @sec/@len into *@want and verify it against @base (as
 * stored); *@found gets the base's counts (and digest when computed). Returns
 * an enum btfc_stamp_result, or -ENOMEM (message in ctx).
 */
int btfc__stamp_check(struct btfc_ctx *ctx, const void *sec, size_t len, const struct btfc_btf *base,
		      struct btfc_stamp *want, struct btfc_stamp *found);

#endif
