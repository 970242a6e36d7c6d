/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* stamp: the stamp digest of a base in user space (stamp.c), besides the public stamp.h. Not installed. */
#ifndef BTFC_STAMP_INT_H
#define BTFC_STAMP_INT_H

#include "internal.h"

struct btfc_stamp;
/*
 * Parse stamp section @sec/@len into *@want and verify it against @base (as
 * stored); *@found gets the base's counts (and digest when computed). Returns
 * an enum btfc_stamp_result, or -ENOMEM (message in ctx).
 */
int btfci_stamp_check(struct btfc_ctx *ctx, const void *sec, size_t len,
		      const struct btfc_btf *base, struct btfc_stamp *want,
		      struct btfc_stamp *found);

#endif
