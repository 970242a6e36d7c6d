// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libFuzzer target for the reader: the input is a whole source as
 * btfc_btf_open() would read it from disk (raw BTF either byte order, ELF
 * .BTF incl. SHF_COMPRESSED, gzip/xz/lzma/zstd/lz4/bzip2, bzImage, Image,
 * EFI zboot, s390 image, zImage). Inputs whose first byte selects it are also
 * opened wrapped in a kernel image container (arm64 Image header, EFI zboot
 * header naming a compression, s390 entry point list), so that mutations reach
 * the Image scan and the payload decoders behind a valid header. On
 * success the object is exercised the way a user would: dump in all three
 * formats to /dev/null, every id's record and strings read, name lookups.
 * Besides what ASan/UBSan catch, it traps when a failure's message does not
 * start with the source name or a lookup contradicts the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btfcompat/btfcompat.h"

#define NAME "fuzz-input"

static struct btfc_ctx *ctx;
static int devnull = -1;

/* Read every byte of the NUL-terminated string at @s (ASan sees an over-read). */
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

	if (btfc_btf_type_by_id(b, 0) || btfc_btf_type_by_id(b, cnt) || btfc_btf_type_by_id(b, UINT32_MAX))
		__builtin_trap();
	for (uint32_t id = start; id < cnt; id++) {
		const struct btfc_type *t = btfc_btf_type_by_id(b, id);
		if (!t)
			__builtin_trap();
		const char *s = btfc_btf_str(b, t->name_off);
		sink += touch_str(s);
		if (s && *s) {
			name = s;
			name_kind = btfc_type_kind(t);
		}
		const uint32_t *d = btfc_type_data(t);
		unsigned vlen = btfc_type_vlen(t), words = 0;
		switch (btfc_type_kind(t)) {
		case BTFC_KIND_STRUCT: case BTFC_KIND_UNION: case BTFC_KIND_ENUM64: words = 3; break;
		case BTFC_KIND_ENUM: case BTFC_KIND_FUNC_PROTO: words = 2; break;
		}
		for (unsigned i = 0; words && i < vlen; i++) {
			sink += touch_str(btfc_btf_str(b, d[i * words]));
			if (words == 3 || btfc_type_kind(t) == BTFC_KIND_FUNC_PROTO)
				sink += btfc_btf_type_by_id(b, d[i * words + 1]) != NULL;
		}
		if (btfc_type_kind(t) != BTFC_KIND_STRUCT && btfc_type_kind(t) != BTFC_KIND_UNION &&
		    btfc_type_kind(t) != BTFC_KIND_ENUM && btfc_type_kind(t) != BTFC_KIND_ENUM64 &&
		    btfc_type_kind(t) != BTFC_KIND_DATASEC && btfc_type_kind(t) != BTFC_KIND_FLOAT &&
		    btfc_type_kind(t) != BTFC_KIND_INT)
			sink += btfc_btf_type_by_id(b, t->type) != NULL;
	}
	if (btfc_btf_dump(b, devnull, (enum btfc_dump_format)(seed % 3)))
		__builtin_trap();
	if (name) {
		int64_t id = btfc_btf_find(b, name, name_kind);
		const struct btfc_type *t = id > 0 ? btfc_btf_type_by_id(b, (uint32_t)id) : NULL;
		if (!t || btfc_type_kind(t) != name_kind || !btfc_btf_str(b, t->name_off) ||
		    strcmp(btfc_btf_str(b, t->name_off), name))
			__builtin_trap();
	}
	/* a name that may or may not be there: absent is -ENOENT, present is a type of that name */
	int64_t id = btfc_btf_find(b, "int", BTFC_KIND_INT);
	const struct btfc_type *it = id > 0 ? btfc_btf_type_by_id(b, (uint32_t)id) : NULL;
	if (id != -ENOENT && (!it || btfc_type_kind(it) != BTFC_KIND_INT || !btfc_btf_str(b, it->name_off) ||
			      strcmp(btfc_btf_str(b, it->name_off), "int")))
		__builtin_trap();
	void *flat;
	size_t flen;
	if (!btfc_btf_flatten(b, &flat, &flen))
		free(flat);
	(void)sink;
}

/* One source through btfc_btf_open_mem(): a failure names the source, a success is exercised. */
static void open_one(const uint8_t *data, size_t size)
{
	struct btfc_btf *b = NULL;
	int err = btfc_btf_open_mem(ctx, data, size, NAME, NULL, &b);

	if (err) {
		const char *m = btfc_ctx_last_error(ctx);
		if (err > 0 || b || strncmp(m, NAME ": ", sizeof(NAME ": ") - 1) || !m[sizeof(NAME ": ") - 1])
			__builtin_trap();
		return;
	}
	if (!b)
		__builtin_trap();
	exercise(b, size);
	btfc_btf_free(b);
}

/* The rest of the input wrapped in the kernel image container that its first byte selects (1..3). */
static void open_wrapped(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "gzip", "zstd", "xz", "lzma", "lz4", "bzip2", "lzo", "none" };
	unsigned sel = data[0] & 3;
	size_t hdr = sel == 3 ? 0x10010 : 0x40, n = hdr + size - 1;
	uint8_t *w = calloc(1, n);

	if (!w)
		return;
	memcpy(w + hdr, data + 1, size - 1);
	if (sel == 1) { /* arm64 Image: the BTF lies somewhere in what follows */
		memcpy(w, "MZ", 2);
		memcpy(w + 0x38, "ARM\x64", 4);
	} else if (sel == 2) { /* EFI zboot: payload right after the header */
		uint32_t off = (uint32_t)hdr, len = (uint32_t)(size - 1);
		memcpy(w, "MZ\0\0zimg", 8);
		memcpy(w + 8, &off, 4);
		memcpy(w + 12, &len, 4);
		strcpy((char *)w + 0x18, types[(data[0] >> 2) % 8]);
	} else { /* s390: the compressed vmlinux.bin is searched for */
		memcpy(w + 0x10008, "S390EP", 6);
	}
	open_one(w, n);
	free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctx) {
		ctx = btfc_ctx_new();
		/* bombs are tested elsewhere; keep allocations below libFuzzer's malloc limit */
		btfc_ctx_set_max_decompressed(ctx, 256u << 20);
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (!ctx || devnull < 0)
			abort();
	}
	open_one(data, size);
	if (size > 1 && (data[0] & 3))
		open_wrapped(data, size);
	return 0;
}
