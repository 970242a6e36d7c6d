/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* sign: signing a rewritten module image as kbuild's sign-file does (sign.c). Not installed. */
#ifndef BTFC_SIGN_H
#define BTFC_SIGN_H

#include "internal.h"

/*
 * Replace the module image at *@image (*@len bytes, malloc'd) by the same image signed
 * with ctx->signer (sign.c). Returns 0 or a negative errno naming @path.
 */
int btfci_sign_image(struct btfc_ctx *ctx, const char *path, uint8_t **image, size_t *len);
/* Whether the rewrite of module image @image/@len is to be signed (ctx->signer, BTFC_SIGN_OWN). */
bool btfci_want_sign(const struct btfc_ctx *ctx, const uint8_t *image, size_t len);
#endif
