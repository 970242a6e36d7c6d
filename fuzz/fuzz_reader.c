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

#include "exercise.h"

/* One source through btfc_btf_open_mem(): a failure names the source, a success is exercised. */
static void open_one(const uint8_t *data, size_t size)
{
	struct btfc_btf *b = NULL;
	int err = btfc_btf_open_mem(ctx, data, size, NAME, NULL, &b);

	if (err) {
		const char *m = btfc_ctx_last_error(ctx);
		if (err > 0 || b || strncmp(m, NAME ": ", sizeof(NAME ": ") - 1) ||
		    !m[sizeof(NAME ": ") - 1])
			__builtin_trap();
		return;
	}
	if (!b)
		__builtin_trap();
	fuzz_exercise(b, size, devnull);
	btfc_btf_free(b);
}

/* The rest of the input wrapped in the kernel image container that its first byte selects (1..3). */
static void open_wrapped(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "gzip", "zstd",  "xz",  "lzma",
					     "lz4",  "bzip2", "lzo", "none" };
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
