/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* repair: the rewriting verbs on an opened module (repair.c), for the fuzzer and tests. Not installed. */
#ifndef BTFC_REPAIR_H
#define BTFC_REPAIR_H

#include "module.h"

/* The rewriting verbs on an opened module (the path-taking public calls open it and call these). */
int btfci_stamp_m(struct btfc_ctx *ctx, struct btfc_module *m, const struct btfc_btf *base,
		  unsigned flags, int *changed);
int btfci_distill_m(struct btfc_ctx *ctx, struct btfc_module *m, const char *dest,
		    const struct btfc_btf *base, unsigned flags, int *changed);

#endif
