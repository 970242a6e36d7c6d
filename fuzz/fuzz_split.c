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

static size_t touch_str(const char *s)
{
	return s ? strlen(s) : 0;
}

static void exercise(const struct btfc_btf *b, size_t seed)
{
	uint32_t start = btfc_btf_start_id(b), cnt = btfc_btf_type_cnt(b);
	const char *name = NULL;
	unsigned name_kind = 0;
	volatile size_t sink = 0;

	if (start != btfc_btf_type_cnt(base) || btfc_btf_base(b) != base)
		__builtin_trap();
	if (btfc_btf_type_by_id(b, 0) || btfc_btf_type_by_id(b, cnt) || btfc_btf_type_by_id(b, UINT32_MAX))
		__builtin_trap();
	for (uint32_t id = 1; id < cnt; id++) { /* base ids resolve through the split object too */
		const struct btfc_type *t = btfc_btf_type_by_id(b, id);
		if (!t)
			__builtin_trap();
		const char *s = btfc_btf_str(b, t->name_off);
		sink += touch_str(s);
		if (id >= start && s && *s) {
			name = s;
			name_kind = btfc_type_kind(t);
		}
		const uint32_t *d = btfc_type_data(t);
		unsigned vlen = btfc_type_vlen(t), words = 0;
		switch (btfc_type_kind(t)) {
		case BTFC_KIND_STRUCT: case BTFC_KIND_UNION: case BTFC_KIND_ENUM64: words = 3; break;
		case BTFC_KIND_ENUM: case BTFC_KIND_FUNC_PROTO: words = 2; break;
		}
		for (unsigned i = 0; words && i < vlen; i++)
			sink += touch_str(btfc_btf_str(b, d[i * words]));
		sink += btfc_btf_type_by_id(b, t->type) != NULL;
	}
	if (btfc_btf_dump(b, devnull, (enum btfc_dump_format)(seed % 3)))
		__builtin_trap();
	if (name) {
		int64_t id = btfc_btf_find(b, name, name_kind);
		const struct btfc_type *t = id > 0 ? btfc_btf_type_by_id(b, (uint32_t)id) : NULL;
		if (!t || btfc_type_kind(t) != name_kind || strcmp(btfc_btf_str(b, t->name_off), name))
			__builtin_trap();
	}
	if (btfc_btf_find(b, "foo", BTFC_KIND_STRUCT) != 3) /* the base's, found first */
		__builtin_trap();
	void *flat;
	size_t flen;
	if (!btfc_btf_flatten(b, &flat, &flen))
		free(flat);
	(void)sink;
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
		if (err > 0 || b || strncmp(m, NAME ": ", sizeof(NAME ": ") - 1) || !m[sizeof(NAME ": ") - 1])
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
