// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libFuzzer target for the module reader and the ELF rewriter (lib/io.c,
 * lib/elfw.c): the input is a whole module file (.ko, or compressed), as a
 * mutated real module would be. It is opened from memory and driven through
 * strip, stamp, distill and relocate as dry runs (the new module is built in
 * memory, libelf writing it out and reading it back, then thrown away).
 *
 * Bases: BTFC_FUZZ_BASE (the vmlinux the seed modules were built on, e.g. a
 * vmlinuz) and BTFC_FUZZ_TO (another kernel's, for relocate); without them
 * the small fixed base of the other targets, on which nothing real fits (the
 * verbs then stop at their checks; strip still rewrites).
 * Failures are fine; crashes, leaks and out-of-bounds reads are not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btfcompat/btfcompat.h"
#include "../lib/repair.h"

#include "fixed_base.h"

static struct btfc_ctx *ctx;
static struct btfc_btf *from, *to;
static struct btfc_relocator *reloc;

static struct btfc_btf *base_from_env(const char *var)
{
	const char *path = getenv(var);
	struct btfc_btf *b = NULL;

	if (path && *path) {
		if (btfc_btf_open(ctx, path, NULL, &b))
			abort(); /* a wrong setup, not a finding */
		return b;
	}
	size_t len;
	void *raw = tu_btf_build(base_types, base_strs, sizeof(base_strs), &len);
	if (!raw || btfc_btf_open_mem(ctx, raw, len, "fixed", NULL, &b))
		abort();
	free(raw);
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctx) {
		if (!(ctx = btfc_ctx_new()))
			abort();
		btfc_ctx_set_max_module(ctx, 64 << 20);
		from = base_from_env("BTFC_FUZZ_BASE");
		to = getenv("BTFC_FUZZ_TO") ? base_from_env("BTFC_FUZZ_TO") : from;
		if (btfc_relocator_new(ctx, from, to, &reloc))
			abort();
	}
	struct btfc_module *m;
	if (btfci_module_open_mem(ctx, data, size, "fuzz.ko", &m))
		return 0;
	/* the last byte picks whether the content checks are skipped (FORCE) */
	unsigned flags = BTFC_REWRITE_DRY_RUN | BTFC_REWRITE_UNSIGN |
			 (size && data[size - 1] & 1 ? BTFC_REWRITE_FORCE : 0);
	int changed;
	BTFC_OPTS(btfc_reloc_result, res);
	btfc_module_strip_opened(ctx, m, NULL, flags, &changed);
	btfci_stamp_m(ctx, m, from, flags, &changed);
	btfci_distill_m(ctx, m, NULL, from, flags, &changed);
	btfc_module_relocate_opened(ctx, reloc, m, NULL,
				    size & 2 ? BTFC_MATCH_KERNEL : BTFC_MATCH_LAYOUT, flags, NULL,
				    NULL, &res);
	btfc_module_free(m);
	return 0;
}
