// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libFuzzer target for split BTF: the input is a module's raw .BTF, parsed
 * with btfc_btf_parse() on a small fixed base built here (ids, string offsets
 * and name lookups then cross the base/split boundary). On success the object
 * is dumped, walked and searched; a failure must name the source.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btfcompat/btfcompat.h"
#include "../tests/unit/testutil.h"

#define NAME "fuzz-split"

#include "fixed_base.h"

static struct btfc_ctx *ctx;
static struct btfc_btf *base;
static void *base_blob;
static int devnull = -1;

#include "exercise.h"

/* The split object's own promises, then the walk every reader target does. */
static void exercise(const struct btfc_btf *b, size_t seed)
{
	if (btfc_btf_start_id(b) != btfc_btf_type_cnt(base) || btfc_btf_base(b) != base)
		__builtin_trap();
	if (btfc_btf_find(b, "foo", BTFC_KIND_STRUCT) != 3) /* the base's, found first */
		__builtin_trap();
	fuzz_exercise(b, seed, devnull);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btfc_btf *b = NULL;

	if (!ctx) {
		size_t len;
		ctx = btfc_ctx_new();
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		base_blob = tu_btf_build(base_types, base_strs, sizeof(base_strs), &len);
		if (!ctx || devnull < 0 || btfc_btf_parse(ctx, base_blob, len, "base", NULL, &base))
			abort();
	}
	/* btfc_btf_parse() borrows the bytes: hand it an exact-size copy so an over-read is caught */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	int err = btfc_btf_parse(ctx, copy, size, NAME, base, &b);
	if (err) {
		const char *m = btfc_ctx_last_error(ctx);
		if (err > 0 || b || strncmp(m, NAME ": ", sizeof(NAME ": ") - 1) ||
		    !m[sizeof(NAME ": ") - 1])
			__builtin_trap();
	} else {
		if (!b)
			__builtin_trap();
		exercise(b, size);
		btfc_btf_free(b);
	}
	free(copy);
	return 0;
}
