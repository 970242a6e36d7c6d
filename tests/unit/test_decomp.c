/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Unit test of lib/decomp.c: the decoders of every supported format (round
 * trip, truncation, trailing bytes, corruption, the size limit), the magic
 * sniffer and the bzImage payload locator. Fixtures are made at run time with
 * the command-line compressors in a temporary directory; a format whose tool
 * is missing is skipped. Real Debian kernels from the corpus cache are used
 * when present.
 */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

#define SMALL_LEN (384u << 10) /* a few hundred KiB */
#define BIG_LEN (20u << 20) /* > 8 MiB: three LZ4 legacy blocks */

struct fmt {
	enum btfc_compression c;
	const char *name; /* btfc_compression_name() */
	const char *tool; /* must be on PATH */
	const char *cmd; /* compresses stdin to stdout */
	bool big; /* also round-trip the > 8 MiB data */
};

static const struct fmt fmts[] = {
	{ BTFC_COMP_GZIP, "gzip", "gzip", "gzip -c -6", false },
	{ BTFC_COMP_XZ, "xz", "xz", "xz -c -6", false },
	{ BTFC_COMP_LZMA, "lzma", "xz", "xz --format=lzma -c -6", false },
	{ BTFC_COMP_ZSTD, "zstd", "zstd", "zstd -q -c", true },
	{ BTFC_COMP_LZ4, "lz4", "lz4", "lz4 -l -q -c -9", true },
	{ BTFC_COMP_BZIP2, "bzip2", "bzip2", "bzip2 -c -9", false },
	{ BTFC_COMP_LZO, "lzo", "lzop", "lzop -c -9", true },
};
#define NFMTS (sizeof(fmts) / sizeof(fmts[0]))

static struct btfc_ctx *ctx;
static char dir[256];

/* Deterministic pseudo-random numbers (xorshift32). */
static uint32_t rnd_state = 0x12345678;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Compressible but non-trivial data: numbered text lines, some random runs, some zeros. */
static uint8_t *make_data(size_t n)
{
	uint8_t *p = malloc(n);
	size_t i = 0;

	if (!p)
		return NULL;
	while (i < n) {
		char line[128];
		uint32_t r = rnd();
		int k;
		switch (r % 4) {
		case 0:
			k = snprintf(line, sizeof(line),
				     "struct type_%u { int member_%u; long off_%zu; };\n",
				     r >> 8 & 0xfff, r >> 20, i);
			break;
		case 1:
			k = 1 + (int)(r >> 8) % 96;
			for (int j = 0; j < k; j++)
				line[j] = (char)rnd();
			break;
		case 2:
			k = 1 + (int)(r >> 8) % 128;
			memset(line, 0, (size_t)k);
			break;
		default:
			k = snprintf(line, sizeof(line), "%08x %08x\n", r, ~r);
			break;
		}
		size_t m = (size_t)k < n - i ? (size_t)k : n - i;
		memcpy(p + i, line, m);
		i += m;
	}
	return p;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(p, 1, n, f);
	return fclose(f) || w != n ? -1 : 0;
}

/* The whole file in a malloc'd buffer of exactly its size (NULL if unreadable). */
static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc(len ? (size_t)len : 1)) && fread(p, 1, (size_t)len, f) == (size_t)len) {
		*n = (size_t)len;
	} else {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

/* A malloc'd copy of @n bytes (exact size, so ASan sees reads past the end). */
static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);
	if (q && n)
		memcpy(q, p, n);
	return q;
}

static bool have_tool(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Compress file @in with @f into a new buffer; NULL if the tool fails. */
static uint8_t *compress_file(const struct fmt *f, const char *in, const char *tag, size_t *n)
{
	char out[512], cmd[1400];
	snprintf(out, sizeof(out), "%s/%s.%s", dir, tag, f->name);
	snprintf(cmd, sizeof(cmd), "%s < '%s' > '%s' 2>/dev/null", f->cmd, in, out);
	if (system(cmd) != 0)
		return NULL;
	return read_file(out, n);
}

/* btfci_decompress on an exact-size copy of @n bytes at @p. */
static int decomp(enum btfc_compression c, const uint8_t *p, size_t n, uint8_t **out,
		  size_t *outlen)
{
	uint8_t *copy = dup_bytes(p, n);
	if (!copy)
		return -ENOMEM;
	*out = NULL;
	*outlen = 0;
	int err = btfci_decompress(ctx, "test.bin", c, copy, n, out, outlen);
	free(copy);
	return err;
}

/* Row: decompressing @n bytes at @p gives exactly @want/@wlen. */
static void check_roundtrip(const char *tname, enum btfc_compression c, const uint8_t *p, size_t n,
			    const uint8_t *want, size_t wlen)
{
	uint8_t *out;
	size_t outlen;
	int err = decomp(c, p, n, &out, &outlen);

	if (err)
		tu_fail(tname, "returned %d: %s", err, btfc_ctx_last_error(ctx));
	else if (outlen != wlen || memcmp(out, want, wlen))
		tu_fail(tname, "output differs: %zu bytes, want %zu", outlen, wlen);
	else
		tu_pass(tname);
	free(out);
}

/* Row: decompressing fails with @want_err and a message naming the file and format. */
static void check_fails(const char *tname, enum btfc_compression c, const uint8_t *p, size_t n,
			int want_err, const char *word)
{
	uint8_t *out;
	size_t outlen;
	int err = decomp(c, p, n, &out, &outlen);
	const char *msg = btfc_ctx_last_error(ctx);

	if (err != want_err)
		tu_fail(tname, "returned %d (%zu bytes), want %d; message: %s", err, outlen,
			want_err, msg);
	else if (out)
		tu_fail(tname, "failed but left an output buffer");
	else if (strncmp(msg, "test.bin: ", 10) || !strstr(msg, btfc_compression_name(c)) ||
		 (word && !strstr(msg, word)))
		tu_fail(tname, "message does not name the file, the format and '%s': %s",
			word ? word : "", msg);
	else
		tu_pass(tname);
	free(out);
}

/* All decoder rows of one format. */
static void test_format(const struct fmt *f, const uint8_t *small, const char *small_path,
			const uint8_t *big, const char *big_path)
{
	char t[160];
	size_t n = 0, bn = 0;
	uint8_t *z = compress_file(f, small_path, "small", &n);

	if (!z || n < 32) {
		snprintf(t, sizeof(t), "decomp/%s/*", f->name);
		tu_skip(t, "fixture could not be made (compressor failed)");
		free(z);
		return;
	}

	snprintf(t, sizeof(t), "decomp/%s/sniff", f->name);
	enum btfc_compression got = btfci_sniff_compression(z, n);
	TU_CHECK(t, got == f->c, "sniffed %s", btfc_compression_name(got));

	snprintf(t, sizeof(t), "decomp/%s/roundtrip %u bytes", f->name, SMALL_LEN);
	check_roundtrip(t, f->c, z, n, small, SMALL_LEN);

	/* 4 garbage bytes after the stream, as the bzImage payload has */
	uint8_t *zt = malloc(n + 4);
	if (zt) {
		memcpy(zt, z, n);
		memcpy(zt + n, "\xde\xad\xbe\xef", 4);
		snprintf(t, sizeof(t), "decomp/%s/trailing 4 bytes ignored", f->name);
		check_roundtrip(t, f->c, zt, n + 4, small, SMALL_LEN);
		memcpy(zt + n, "\x00\x10\x06\x00", 4); /* a plausible little-endian size */
		snprintf(t, sizeof(t), "decomp/%s/trailing size word ignored", f->name);
		check_roundtrip(t, f->c, zt, n + 4, small, SMALL_LEN);
		free(zt);
	}

	/* truncated at several points: always an error, never a crash */
	const size_t cuts[] = { 0, 1, 2, 3, 4, 5, 8, 12, 20, n / 3, n / 2, n - 9, n - 5, n - 1 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		snprintf(t, sizeof(t), "decomp/%s/truncated to %zu of %zu", f->name, cuts[i], n);
		check_fails(t, f->c, z, cuts[i], -EINVAL, cuts[i] == 0 ? "truncated" : NULL);
	}

	/*
	 * A corrupt byte in the middle. gzip, xz, zstd and bzip2 carry checksums;
	 * .lzma and LZ4 do not, so a flipped literal could go unnoticed there: for
	 * LZ4 the first block's size word is damaged instead (the block then
	 * cannot decode exactly), for .lzma the fixed data is known to fail.
	 */
	uint8_t *zc = dup_bytes(z, n);
	if (zc) {
		if (f->c == BTFC_COMP_LZ4) {
			zc[4] ^= 0x01;
			snprintf(t, sizeof(t), "decomp/%s/corrupt block size", f->name);
		} else {
			zc[n / 2] ^= 0x55;
			snprintf(t, sizeof(t), "decomp/%s/corrupt byte at %zu", f->name, n / 2);
		}
		check_fails(t, f->c, zc, n, -EINVAL, NULL);
		free(zc);
	}

	/* the size limit */
	const uint64_t limits[] = { 0, 4096, SMALL_LEN - 1 };
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		btfc_ctx_set_max_decompressed(ctx, limits[i]);
		snprintf(t, sizeof(t), "decomp/%s/limit %" PRIu64 " < output -EFBIG", f->name,
			 limits[i]);
		check_fails(t, f->c, z, n, -EFBIG, "limit");
	}
	btfc_ctx_set_max_decompressed(ctx, SMALL_LEN);
	snprintf(t, sizeof(t), "decomp/%s/limit == output ok", f->name);
	check_roundtrip(t, f->c, z, n, small, SMALL_LEN);
	btfc_ctx_set_max_decompressed(ctx, 1ull << 30);

	/* the magic needs all its bytes (gzip's is two bytes long) */
	for (size_t k = 0; k < 4; k++) {
		enum btfc_compression want = f->c == BTFC_COMP_GZIP && k >= 2 ? BTFC_COMP_GZIP :
										BTFC_COMP_NONE;
		uint8_t *pre = dup_bytes(z, k);
		snprintf(t, sizeof(t), "sniff/%s prefix of %zu bytes", f->name, k);
		got = btfci_sniff_compression(pre, k);
		TU_CHECK(t, got == want, "sniffed %s", btfc_compression_name(got));
		free(pre);
	}

	/* two streams back to back: zstd and LZ4 read both frames, the others stop after the first */
	uint8_t *z2 = malloc(2 * n + 12);
	if (z2) {
		size_t m = n;
		memcpy(z2, z, n);
		if (f->c == BTFC_COMP_ZSTD) { /* with a skippable frame between */
			memcpy(z2 + m, "\x5a\x2a\x4d\x18\x04\x00\x00\x00skip", 12);
			m += 12;
		}
		memcpy(z2 + m, z, n);
		m += n;
		bool both = f->c == BTFC_COMP_ZSTD || f->c == BTFC_COMP_LZ4;
		uint8_t *want = malloc(2 * SMALL_LEN);
		if (want) {
			memcpy(want, small, SMALL_LEN);
			memcpy(want + SMALL_LEN, small, SMALL_LEN);
			snprintf(t, sizeof(t), "decomp/%s/two streams: %s", f->name,
				 both ? "both decoded" : "first only");
			check_roundtrip(t, f->c, z2, m, want, both ? 2 * SMALL_LEN : SMALL_LEN);
			free(want);
		}
		free(z2);
	}
	free(z);

	if (!f->big)
		return;
	uint8_t *zb = compress_file(f, big_path, "big", &bn);
	snprintf(t, sizeof(t), "decomp/%s/roundtrip %u bytes (multi-block)", f->name, BIG_LEN);
	if (!zb) {
		tu_skip(t, "fixture could not be made (compressor failed)");
		return;
	}
	check_roundtrip(t, f->c, zb, bn, big, BIG_LEN);
	if (f->c == BTFC_COMP_LZ4) {
		/* cut inside the second block; the kernel's 4 appended bytes after the last block */
		uint32_t b0 = zb[4] | zb[5] << 8 | zb[6] << 16 | (uint32_t)zb[7] << 24;
		size_t cut = 8 + (size_t)b0 + 4 + 100;
		snprintf(t, sizeof(t), "decomp/%s/truncated inside block 2", f->name);
		if (cut < bn)
			check_fails(t, f->c, zb, cut, -EINVAL, "truncated");
		else
			tu_fail(t, "fixture has a single block (%zu bytes)", bn);
		btfc_ctx_set_max_decompressed(ctx, (8u << 20) + 5);
		snprintf(t, sizeof(t), "decomp/%s/limit inside block 2 -EFBIG", f->name);
		check_fails(t, f->c, zb, bn, -EFBIG, "limit");
		btfc_ctx_set_max_decompressed(ctx, 1ull << 30);
	}
	free(zb);
}

/* Sniffer rows that need no fixture. */
static void test_sniff(void)
{
	uint8_t r[64];
	rnd_state = 0xdecafbad;
	for (size_t i = 0; i < sizeof(r); i++)
		r[i] = (uint8_t)rnd();
	r[0] = 0xa7; /* keep the first byte off every magic */

	static const struct {
		const char *name;
		const char *bytes;
		size_t n;
		enum btfc_compression want;
	} rows[] = {
		{ "gzip", "\x1f\x8b\x08\x00", 4, BTFC_COMP_GZIP },
		{ "xz",
		  "\xfd"
		  "7zXZ\0\0\x04",
		  8, BTFC_COMP_XZ },
		{ "xz without its NUL",
		  "\xfd"
		  "7zXZ!",
		  6, BTFC_COMP_NONE },
		{ "zstd", "\x28\xb5\x2f\xfd\x24", 5, BTFC_COMP_ZSTD },
		{ "lz4 legacy", "\x02\x21\x4c\x18", 4, BTFC_COMP_LZ4 },
		{ "lz4 frame format (not legacy)", "\x04\x22\x4d\x18", 4, BTFC_COMP_NONE },
		{ "bzip2", "BZh91AY&SY", 10, BTFC_COMP_BZIP2 },
		{ "bzip2 level 0", "BZh01AY&SY", 10, BTFC_COMP_NONE },
		{ "lzma 8 MiB dict, size unknown",
		  "\x5d\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff\xff", 13, BTFC_COMP_LZMA },
		{ "lzma 64 MiB dict, size known",
		  "\x5d\x00\x00\x00\x04\x00\x10\x00\x00\x00\x00\x00\x00", 13, BTFC_COMP_LZMA },
		{ "lzma 3 MiB dict", "\x5d\x00\x00\x30\x00\xff\xff\xff\xff\xff\xff\xff\xff", 13,
		  BTFC_COMP_LZMA },
		{ "lzma odd dict", "\x5d\x00\x00\x31\x00\xff\xff\xff\xff\xff\xff\xff\xff", 13,
		  BTFC_COMP_NONE },
		{ "lzma zero dict", "\x5d\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff", 13,
		  BTFC_COMP_NONE },
		{ "lzma small dict", "\x5d\x00\x10\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff", 13,
		  BTFC_COMP_NONE },
		{ "lzma huge size", "\x5d\x00\x00\x80\x00\x00\x00\x00\x00\x00\x01\x00\x00", 13,
		  BTFC_COMP_NONE },
		{ "lzma other properties", "\x5e\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff\xff",
		  13, BTFC_COMP_NONE },
		{ "lzma header cut short", "\x5d\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff", 12,
		  BTFC_COMP_NONE },
		{ "ELF",
		  "\x7f"
		  "ELF\x02\x01\x01",
		  7, BTFC_COMP_NONE },
		{ "BTF", "\x9f\xeb\x01\x00\x18\x00\x00\x00", 8, BTFC_COMP_NONE },
		{ "bzImage", "MZ\xea\x07\x00\xc0\x07\x8c", 8, BTFC_COMP_NONE },
		{ "lzop", "\x89LZO\0\r\n\x1a\n\x10\x40", 11, BTFC_COMP_LZO },
		{ "lzop magic cut short", "\x89LZO\0\r\n\x1a", 8, BTFC_COMP_NONE },
	};
	char t[128];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t *p = dup_bytes((const uint8_t *)rows[i].bytes, rows[i].n);
		enum btfc_compression got = btfci_sniff_compression(p, rows[i].n);
		snprintf(t, sizeof(t), "sniff/%s", rows[i].name);
		TU_CHECK(t, got == rows[i].want, "sniffed %s, want %s", btfc_compression_name(got),
			 btfc_compression_name(rows[i].want));
		free(p);
	}
	enum btfc_compression got = btfci_sniff_compression(r, sizeof(r));
	TU_CHECK("sniff/random bytes", got == BTFC_COMP_NONE, "sniffed %s",
		 btfc_compression_name(got));
	got = btfci_sniff_compression(NULL, 0);
	TU_CHECK("sniff/NULL, 0 bytes", got == BTFC_COMP_NONE, "sniffed %s",
		 btfc_compression_name(got));
	got = btfci_sniff_compression(r, 0);
	TU_CHECK("sniff/0 bytes", got == BTFC_COMP_NONE, "sniffed %s", btfc_compression_name(got));
	for (size_t k = 1; k <= 3; k++) {
		snprintf(t, sizeof(t), "sniff/%zu random bytes", k);
		uint8_t *p = dup_bytes(r, k);
		got = btfci_sniff_compression(p, k);
		TU_CHECK(t, got == BTFC_COMP_NONE, "sniffed %s", btfc_compression_name(got));
		free(p);
	}

	static const char *const names[] = { "none", "gzip", "xz",    "lzma",
					     "zstd", "lz4",  "bzip2", "lzo" };
	bool ok = true;
	for (int c = 0; c < 8; c++)
		ok &= !strcmp(btfc_compression_name((enum btfc_compression)c), names[c]);
	ok &= !strcmp(btfc_compression_name((enum btfc_compression)99), "unknown");
	TU_CHECK("compression_name/all", ok, "a name differs");

	uint8_t *out;
	size_t outlen;
	int err = decomp((enum btfc_compression)99, r, sizeof(r), &out, &outlen);
	TU_CHECK("decomp/unknown format -EINVAL", err == -EINVAL && !out, "returned %d", err);
	free(out);
	err = btfci_decompress(ctx, "test.bin", BTFC_COMP_GZIP, NULL, 0, &out, &outlen);
	TU_CHECK("decomp/NULL input -EINVAL", err == -EINVAL && !out, "returned %d", err);
	free(out);
}

/* A synthetic bzImage of @n bytes: setup header fields as given, 0xcc elsewhere. */
static uint8_t *make_bzimage(size_t n, uint8_t setup_sects, uint16_t version, uint32_t off,
			     uint32_t len)
{
	uint8_t *p = malloc(n ? n : 1);
	if (!p)
		return NULL;
	memset(p, 0xcc, n);
	if (n > 0x1f1)
		p[0x1f1] = setup_sects;
	if (n >= 0x206)
		memcpy(p + 0x202, "HdrS", 4);
	if (n >= 0x208) {
		p[0x206] = (uint8_t)version;
		p[0x207] = (uint8_t)(version >> 8);
	}
	if (n >= 0x250)
		for (int i = 0; i < 4; i++) {
			p[0x248 + i] = (uint8_t)(off >> 8 * i);
			p[0x24c + i] = (uint8_t)(len >> 8 * i);
		}
	return p;
}

/* bzImage payload locator rows (each buffer exactly its size, so ASan sees over-reads). */
static void test_bzimage(const uint8_t *gz, size_t gzlen, const uint8_t *small)
{
	static const struct {
		const char *name;
		size_t n;
		uint8_t setup_sects;
		uint16_t version;
		uint32_t off, len;
		int want;
		size_t want_start; /* offset of the payload in the file when want == 1 */
	} rows[] = {
		{ "setup_sects 3", 0x4000, 3, 0x20f, 0x100, 0x200, 1, 0x900 },
		{ "setup_sects 0 means 4", 0x4000, 0, 0x20f, 0x100, 0x200, 1, 0xb00 },
		{ "payload up to the last byte", 0x4000, 3, 0x20f, 0x100, 0x4000 - 0x900, 1,
		  0x900 },
		{ "boot protocol 2.08", 0x4000, 3, 0x208, 0, 16, 1, 0x800 },
		{ "payload_length one too many", 0x4000, 3, 0x20f, 0x100, 0x4000 - 0x900 + 1,
		  -EINVAL, 0 },
		{ "payload_offset past the end", 0x4000, 3, 0x20f, 0x4000, 0x10, -EINVAL, 0 },
		{ "payload_offset 0xffffffff", 0x4000, 3, 0x20f, 0xffffffff, 0x10, -EINVAL, 0 },
		{ "payload_length 0xffffffff", 0x4000, 3, 0x20f, 0x100, 0xffffffff, -EINVAL, 0 },
		{ "both 0xffffffff", 0x4000, 3, 0x20f, 0xffffffff, 0xffffffff, -EINVAL, 0 },
		{ "setup_sects 255 past the end", 0x4000, 255, 0x20f, 0, 0x10, -EINVAL, 0 },
		{ "empty payload", 0x4000, 3, 0x20f, 0x100, 0, -EINVAL, 0 },
		{ "boot protocol 2.07", 0x4000, 3, 0x207, 0x100, 0x200, -EINVAL, 0 },
		{ "0x24f bytes", 0x24f, 3, 0x20f, 0, 0, -EINVAL, 0 },
		{ "0x206 bytes", 0x206, 3, 0x20f, 0, 0, -EINVAL, 0 },
		{ "0x205 bytes", 0x205, 3, 0x20f, 0, 0, 0, 0 },
		{ "1 byte", 1, 3, 0x20f, 0, 0, 0, 0 },
		{ "0 bytes", 0, 3, 0x20f, 0, 0, 0, 0 },
	};
	char t[128];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t *p = make_bzimage(rows[i].n, rows[i].setup_sects, rows[i].version,
					  rows[i].off, rows[i].len);
		const uint8_t *pl = NULL;
		size_t plen = 0;
		int r = btfci_bzimage_payload(ctx, "vmlinuz", p, rows[i].n, &pl, &plen);
		snprintf(t, sizeof(t), "bzimage/%s", rows[i].name);
		if (r != rows[i].want)
			tu_fail(t, "returned %d, want %d (%s)", r, rows[i].want,
				btfc_ctx_last_error(ctx));
		else if (r == 1 && (pl != p + rows[i].want_start || plen != rows[i].len))
			tu_fail(t, "payload at %td + %zu, want %zu + %u", pl - p, plen,
				rows[i].want_start, rows[i].len);
		else if (r < 0 && strncmp(btfc_ctx_last_error(ctx), "vmlinuz: ", 9))
			tu_fail(t, "message does not name the file: %s", btfc_ctx_last_error(ctx));
		else if (r == 0 && pl)
			tu_fail(t, "not a bzImage but a payload was stored");
		else
			tu_pass(t);
		free(p);
	}

	int r = btfci_bzimage_payload(ctx, "vmlinuz", NULL, 0, NULL, NULL);
	TU_CHECK("bzimage/NULL, 0 bytes", r == 0, "returned %d", r);

	const uint8_t *pl;
	size_t plen;
	uint8_t *p = make_bzimage(0x4000, 3, 0x20f, 0x4000, 0x10);
	r = p ? btfci_bzimage_payload(ctx, "vmlinuz", p, 0x4000, &pl, &plen) : -ENOMEM;
	TU_CHECK("bzimage/out of range message",
		 r == -EINVAL && strstr(btfc_ctx_last_error(ctx), "0x4800") &&
			 strstr(btfc_ctx_last_error(ctx), "exceeds file size 16384"),
		 "%d %s", r, btfc_ctx_last_error(ctx));
	free(p);

	/* a whole synthetic kernel: gzip payload with the 4 size bytes appended */
	if (!gz) {
		tu_skip("bzimage/gzip payload end to end", "no gzip fixture");
		return;
	}
	size_t n = 0x800 + 0x40 + gzlen + 4 + 0x100;
	p = make_bzimage(n, 3, 0x20f, 0x40, (uint32_t)(gzlen + 4));
	uint8_t *out = NULL;
	size_t outlen = 0;
	r = -ENOMEM;
	if (p) {
		memcpy(p + 0x840, gz, gzlen);
		memcpy(p + 0x840 + gzlen, "\x00\x00\x06\x00", 4);
		r = btfci_bzimage_payload(ctx, "vmlinuz", p, n, &pl, &plen);
		if (r == 1 && btfci_sniff_compression(pl, plen) != BTFC_COMP_GZIP)
			r = -EPROTO;
		if (r == 1)
			r = btfci_decompress(ctx, "vmlinuz", BTFC_COMP_GZIP, pl, plen, &out,
					     &outlen);
	}
	TU_CHECK("bzimage/gzip payload end to end",
		 r == 0 && outlen == SMALL_LEN && !memcmp(out, small, SMALL_LEN),
		 "returned %d, %zu bytes: %s", r, outlen, btfc_ctx_last_error(ctx));
	free(out);
	free(p);
}

/* A synthetic EFI zboot header (zboot-header.S) of @n bytes: payload @off/@len, compression @type; 0xcc elsewhere. */
static uint8_t *make_zboot(size_t n, uint32_t off, uint32_t len, const char *type, size_t tlen)
{
	uint8_t *p = malloc(n ? n : 1);
	if (!p)
		return NULL;
	memset(p, 0xcc, n);
	const uint8_t hdr[16] = { 'M',
				  'Z',
				  0,
				  0,
				  'z',
				  'i',
				  'm',
				  'g',
				  (uint8_t)off,
				  (uint8_t)(off >> 8),
				  (uint8_t)(off >> 16),
				  (uint8_t)(off >> 24),
				  (uint8_t)len,
				  (uint8_t)(len >> 8),
				  (uint8_t)(len >> 16),
				  (uint8_t)(len >> 24) };
	memcpy(p, hdr, n < 16 ? n : 16);
	if (n >= 0x18 + tlen)
		memcpy(p + 0x18, type, tlen);
	return p;
}

/* EFI zboot header rows, the Image and s390 recognisers, the stream finder. */
static void test_images(void)
{
	static const struct {
		const char *name;
		size_t n;
		uint32_t off, len;
		const char *type;
		size_t tlen; /* bytes of type written, with its NUL */
		int want;
		enum btfc_compression c;
	} rows[] = {
		{ "gzip", 0x2000, 0x1000, 0x800, "gzip", 5, 1, BTFC_COMP_GZIP },
		{ "zstd", 0x2000, 0x1000, 0x800, "zstd", 5, 1, BTFC_COMP_ZSTD },
		{ "xz", 0x2000, 0x1000, 0x800, "xz", 3, 1, BTFC_COMP_XZ },
		{ "lzma", 0x2000, 0x1000, 0x800, "lzma", 5, 1, BTFC_COMP_LZMA },
		{ "lz4", 0x2000, 0x1000, 0x800, "lz4", 4, 1, BTFC_COMP_LZ4 },
		{ "bzip2", 0x2000, 0x1000, 0x800, "bzip2", 6, 1, BTFC_COMP_BZIP2 },
		{ "lzo", 0x2000, 0x1000, 0x800, "lzo", 4, 1, BTFC_COMP_LZO },
		{ "payload up to the last byte", 0x2000, 0x1000, 0x1000, "gzip", 5, 1,
		  BTFC_COMP_GZIP },
		{ "unknown type", 0x2000, 0x1000, 0x800, "zip\x01", 5, -EOPNOTSUPP, 0 },
		{ "type without NUL", 0x2000, 0x1000, 0x800, "gzipgzipgzipgzipgzipgzipgzipgzip", 32,
		  -EINVAL, 0 },
		{ "payload one byte too long", 0x2000, 0x1000, 0x1001, "gzip", 5, -EINVAL, 0 },
		{ "payload offset past the end", 0x2000, 0x2001, 1, "gzip", 5, -EINVAL, 0 },
		{ "offset and size 0xffffffff", 0x2000, 0xffffffff, 0xffffffff, "gzip", 5, -EINVAL,
		  0 },
		{ "empty payload", 0x2000, 0x1000, 0, "gzip", 5, -EINVAL, 0 },
		{ "header cut short (0x3f bytes)", 0x3f, 0x20, 0x10, "gzip", 5, -EINVAL, 0 },
		{ "8 bytes: magic only", 8, 0, 0, "", 0, -EINVAL, 0 },
		{ "7 bytes: not zboot", 7, 0, 0, "", 0, 0, 0 },
	};
	char t[128];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t *p =
			make_zboot(rows[i].n, rows[i].off, rows[i].len, rows[i].type, rows[i].tlen);
		const uint8_t *pl = NULL;
		size_t plen = 0;
		enum btfc_compression c = BTFC_COMP_NONE;
		int r = btfci_zboot_payload(ctx, "vmlinuz", p, rows[i].n, &pl, &plen, &c);
		snprintf(t, sizeof(t), "zboot/%s", rows[i].name);
		if (r != rows[i].want)
			tu_fail(t, "returned %d, want %d (%s)", r, rows[i].want,
				btfc_ctx_last_error(ctx));
		else if (r == 1 && (pl != p + rows[i].off || plen != rows[i].len || c != rows[i].c))
			tu_fail(t, "payload at %td + %zu (%s)", pl - p, plen,
				btfc_compression_name(c));
		else if (r < 0 && strncmp(btfc_ctx_last_error(ctx), "vmlinuz: ", 9))
			tu_fail(t, "message does not name the file: %s", btfc_ctx_last_error(ctx));
		else
			tu_pass(t);
		free(p);
	}
	uint8_t *p = make_zboot(0x2000, 0x1000, 0x800, "zip", 4);
	const uint8_t *pl;
	size_t plen;
	enum btfc_compression c;
	int r = btfci_zboot_payload(ctx, "vmlinuz", p, 0x2000, &pl, &plen, &c);
	TU_CHECK("zboot/unknown type message",
		 r == -EOPNOTSUPP && strstr(btfc_ctx_last_error(ctx), "\"zip\": not supported"),
		 "%s", btfc_ctx_last_error(ctx));
	free(p);
	TU_CHECK("zboot/NULL", btfci_zboot_payload(ctx, "vmlinuz", NULL, 0, &pl, &plen, &c) == 0,
		 "not 0");

	/* Image headers: arm64 (booting.rst) and riscv64 (boot-image-header.rst) */
	uint8_t img[0x40];
	memset(img, 0, sizeof(img));
	memcpy(img + 0x38, "ARM\x64", 4);
	const char *k = btfci_boot_image(img, sizeof(img));
	TU_CHECK("image/arm64", k && !strcmp(k, "arm64 Image"), "%s", k ? k : "NULL");
	TU_CHECK("image/arm64 0x3f bytes", !btfci_boot_image(img, 0x3f), "recognised");
	memcpy(img + 0x38, "RSC\x05", 4);
	k = btfci_boot_image(img, sizeof(img));
	TU_CHECK("image/riscv64 magic2", k && !strcmp(k, "riscv64 Image"), "%s", k ? k : "NULL");
	memcpy(img + 0x30, "RISCV\0\0\0\0\0\0\0", 12);
	k = btfci_boot_image(img, sizeof(img));
	TU_CHECK("image/riscv64 old magic", k && !strcmp(k, "riscv64 Image"), "%s", k ? k : "NULL");
	memcpy(img + 0x30, "\0\0\0\0\0\0\0\0\xcd\x23\x82\x81", 12); /* LINUX_PE_MAGIC: zboot, x86 */
	TU_CHECK("image/PE magic is no Image", !btfci_boot_image(img, sizeof(img)), "recognised");
	TU_CHECK("image/NULL", !btfci_boot_image(NULL, 0), "recognised");

	/* s390: "S390EP" at 0x10008 */
	uint8_t *s = calloc(1, 0x10010);
	if (s) {
		memcpy(s + 0x10008, "S390EP", 6);
		TU_CHECK("s390/recognised", btfci_s390_image(s, 0x10010), "not recognised");
		TU_CHECK("s390/cut before the entry list", !btfci_s390_image(s, 0x1000f),
			 "recognised");
		s[0x1000d] = 'Q';
		TU_CHECK("s390/other string", !btfci_s390_image(s, 0x10010), "recognised");
		free(s);
	}

	/* the stream finder: the first magic at or after a position */
	static const uint8_t st[] = "..\x28\xb5\x2f\xfd....\x1f\x8b.";
	size_t n = sizeof(st) - 1;
	TU_CHECK("stream/first", btfci_next_stream(st, n, 0) == 2, "%zu",
		 btfci_next_stream(st, n, 0));
	TU_CHECK("stream/next", btfci_next_stream(st, n, 3) == 10, "%zu",
		 btfci_next_stream(st, n, 3));
	TU_CHECK("stream/none", btfci_next_stream(st, n, 11) == n, "%zu",
		 btfci_next_stream(st, n, 11));
	TU_CHECK("stream/from past the end", btfci_next_stream(st, n, n + 5) == n, "not n");
}

/* The context: the last error saved and put back whole; tries that may fail log nothing. */
static int n_logged;
static void count_log(void *user, enum btfc_log_level level, const char *msg)
{
	(void)user;
	(void)msg;
	n_logged += level == BTFC_LOG_ERROR;
}

static void test_context(const uint8_t *gz, size_t gzlen)
{
	struct btfci_err_save s;

	btfci_refuse(ctx, BTFC_REASON_NOT_FIT, -EINVAL, "a.ko", "first");
	btfci_err_save(ctx, &s);
	btfci_err(ctx, -ENOENT, "b.ko", "second");
	btfci_err_restore(ctx, &s);
	TU_CHECK("ctx/restore message",
		 !strcmp(btfc_ctx_last_error(ctx), "a.ko: first") &&
			 !strcmp(btfc_ctx_last_message(ctx), "first"),
		 "'%s'", btfc_ctx_last_error(ctx));
	TU_CHECK("ctx/restore reason", btfc_ctx_last_reason(ctx) == BTFC_REASON_NOT_FIT,
		 "reason %d", (int)btfc_ctx_last_reason(ctx));

	/* an s390 image whose candidate streams (a cut gzip, a whole one) hold no BTF: one error logged */
	if (!gz) {
		tu_skip("ctx/s390 tries log nothing", "gzip not installed");
		return;
	}
	size_t n = 0x10010 + gzlen / 2 + 64 + gzlen;
	uint8_t *img = calloc(1, n);
	struct btfc_btf *b = NULL;
	if (!img)
		return;
	memcpy(img + 0x10008, "S390EP", 6);
	memcpy(img + 0x10010, gz, gzlen / 2);
	memcpy(img + 0x10010 + gzlen / 2 + 64, gz, gzlen);
	n_logged = 0;
	btfc_ctx_set_log(ctx, count_log, NULL, BTFC_LOG_ERROR);
	int r = btfc_btf_open_mem(ctx, img, n, "vmlinuz", NULL, &b);
	btfc_ctx_set_log(ctx, NULL, NULL, BTFC_LOG_ERROR);
	TU_CHECK("ctx/s390 tries log nothing",
		 r == -EINVAL && n_logged == 1 &&
			 strstr(btfc_ctx_last_error(ctx), "compressed-stream candidates"),
		 "returned %d, %d errors logged, '%s'", r, n_logged, btfc_ctx_last_error(ctx));
	btfc_btf_free(b);
	free(img);
}

/* A real Debian kernel from the corpus cache: payload found, decompressed to an ELF vmlinux. */
static void test_real_kernel(const char *release, enum btfc_compression want)
{
	const char *cache = getenv("BTFCOMPAT_CACHE");
	const char *home = getenv("HOME");
	char path[1024], t[256];
	size_t n = 0;

	if (cache && *cache)
		snprintf(path, sizeof(path), "%s/%s/boot/vmlinuz-%s", cache, release, release);
	else
		snprintf(path, sizeof(path), "%s/.cache/btfcompat/%s/boot/vmlinuz-%s",
			 home ? home : "", release, release);
	snprintf(t, sizeof(t), "real/vmlinuz-%s (%s)", release, btfc_compression_name(want));
	if (access(path, R_OK)) {
		tu_skip(t, "not in the corpus cache");
		return;
	}
	uint8_t *p = read_file(path, &n);
	if (!p) {
		tu_fail(t, "cannot read %s", path);
		return;
	}
	const uint8_t *pl = NULL;
	size_t plen = 0;
	uint8_t *out = NULL;
	size_t outlen = 0;
	int r = btfci_bzimage_payload(ctx, path, p, n, &pl, &plen);
	enum btfc_compression c = r == 1 ? btfci_sniff_compression(pl, plen) : BTFC_COMP_NONE;
	if (r != 1)
		tu_fail(t, "bzimage_payload returned %d: %s", r, btfc_ctx_last_error(ctx));
	else if (c != want)
		tu_fail(t, "payload sniffed as %s", btfc_compression_name(c));
	else if ((r = btfci_decompress(ctx, path, c, pl, plen, &out, &outlen)))
		tu_fail(t, "decompress returned %d: %s", r, btfc_ctx_last_error(ctx));
	else if (outlen <= 10u << 20 || memcmp(out,
					       "\x7f"
					       "ELF",
					       4))
		tu_fail(t, "output is not an ELF larger than 10 MB (%zu bytes)", outlen);
	else
		tu_pass(t);
	free(out);
	free(p);
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char small_path[512], big_path[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	ctx = btfc_ctx_new();
	if (!ctx) {
		tu_fail("setup", "btfc_ctx_new failed");
		return tu_exit();
	}
	btfc_ctx_set_max_decompressed(ctx, 1ull << 30);
	snprintf(dir, sizeof(dir), "%s/btfc-decomp-XXXXXX",
		 tmp && *tmp && !strchr(tmp, '\'') ? tmp : "/tmp");
	uint8_t *small = make_data(SMALL_LEN), *big = make_data(BIG_LEN);
	if (!mkdtemp(dir) || !small || !big) {
		tu_fail("setup", "cannot create the fixture directory or data: %s",
			strerror(errno));
		return tu_exit();
	}
	snprintf(small_path, sizeof(small_path), "%s/small.bin", dir);
	snprintf(big_path, sizeof(big_path), "%s/big.bin", dir);
	if (write_file(small_path, small, SMALL_LEN) || write_file(big_path, big, BIG_LEN)) {
		tu_fail("setup", "cannot write the fixture data");
		return tu_exit();
	}

	test_sniff();
	for (size_t i = 0; i < NFMTS; i++) {
		if (!have_tool(fmts[i].tool)) {
			char t[96];
			snprintf(t, sizeof(t), "decomp/%s/*", fmts[i].name);
			tu_skip(t, "compressor not installed");
			continue;
		}
		test_format(&fmts[i], small, small_path, big, big_path);
	}

	size_t gzlen = 0;
	uint8_t *gz = have_tool("gzip") ? compress_file(&fmts[0], small_path, "bz", &gzlen) : NULL;
	test_bzimage(gz, gzlen, small);
	test_context(gz, gzlen);
	free(gz);

	test_images();

	/* the corpus roles' kernels (tests/run-all.sh exports scripts/corpus.sh --env): Debian's 6.1
	 * builds compress the kernel with lz4, its 6.12 builds with zstd */
	const char *k61 = getenv("BTFC_K61A"), *k612 = getenv("BTFC_K612B");
	test_real_kernel(k61 && *k61 ? k61 : "6.1.0-54-cloud-amd64", BTFC_COMP_LZ4);
	test_real_kernel(k612 && *k612 ? k612 : "6.12.117+deb12-cloud-amd64", BTFC_COMP_ZSTD);

	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(small);
	free(big);
	btfc_ctx_free(ctx);
	return tu_exit();
}
