// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Decompression with the field libraries (zlib, liblzma, libzstd, liblz4,
 * libbz2) and the x86 bzImage payload locator. Every decoder stops at the end
 * of its stream and ignores what follows (the bzImage appends a 4-byte size),
 * grows its output geometrically and never beyond ctx->max_decompressed.
 */
#include <bzlib.h>
#include <errno.h>
#include <inttypes.h>
#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "internal.h"

static const char *const comp_names[] = { "none", "gzip", "xz", "lzma", "zstd", "lz4", "bzip2" };

BTFC_API const char *btfc_compression_name(enum btfc_compression c)
{
	return (unsigned)c < sizeof(comp_names) / sizeof(comp_names[0]) ? comp_names[c] : "?";
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

enum btfc_compression btfc__sniff_compression(const uint8_t *p, size_t n)
{
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
		return BTFC_COMP_GZIP;
	if (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return BTFC_COMP_XZ;
	if (n >= 4 && le32(p) == 0xfd2fb528)
		return BTFC_COMP_ZSTD;
	if (n >= 4 && le32(p) == 0x184c2102)
		return BTFC_COMP_LZ4;
	if (n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9')
		return BTFC_COMP_BZIP2;
	/* .lzma ("alone"): properties byte 0x5d (lc=3 lp=0 pb=2), a power-of-two dictionary */
	if (n >= 13 && p[0] == 0x5d) {
		uint32_t dict = le32(p + 1);
		if (dict >= 4096 && !(dict & (dict - 1)))
			return BTFC_COMP_LZMA;
	}
	return BTFC_COMP_NONE;
}

/* A growing output buffer bounded by the context's limit. */
struct obuf {
	uint8_t *p;
	size_t len, cap, max;
};

/* Make room for at least @want more bytes; -EFBIG past the limit. */
static int obuf_reserve(struct obuf *o, size_t want)
{
	if (o->cap - o->len >= want)
		return 0;
	if (o->len + want > o->max)
		return -EFBIG;
	size_t cap = o->cap ? o->cap : 1 << 16;
	while (cap - o->len < want)
		cap *= 2;
	if (cap > o->max)
		cap = o->max;
	uint8_t *np = realloc(o->p, cap);
	if (!np)
		return -ENOMEM;
	o->p = np;
	o->cap = cap;
	return 0;
}

/* Room to write into: up to 1 MiB more, at least one byte, within the limit. */
static int obuf_grow(struct obuf *o)
{
	if (o->len < o->cap)
		return 0;
	size_t want = o->cap < (1 << 20) ? (o->cap ? o->cap : 1 << 16) : 1 << 20;
	if (o->len + want > o->max)
		want = o->max - o->len;
	if (!want)
		return -EFBIG;
	return obuf_reserve(o, want);
}

static int limit_err(struct btfc_ctx *ctx, const char *name, const char *fmt, int err)
{
	if (err == -EFBIG)
		return btfc__err(ctx, err, name, "%s data decompresses to more than %" PRIu64 " bytes", fmt,
				 ctx->max_decompressed);
	return btfc__err(ctx, -ENOMEM, name, "out of memory decompressing %s data", fmt);
}

static int gunzip(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n, struct obuf *o)
{
	z_stream z = { 0 };
	int zr = Z_OK, err = 0;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return btfc__err(ctx, -ENOMEM, name, "cannot initialise zlib");
	z.next_in = (Bytef *)in;
	while (zr != Z_STREAM_END) {
		size_t chunk = n > UINT32_MAX ? UINT32_MAX : n;
		z.avail_in = chunk;
		if ((err = obuf_grow(o)))
			break;
		z.next_out = o->p + o->len;
		z.avail_out = o->cap - o->len > UINT32_MAX ? UINT32_MAX : o->cap - o->len;
		uInt before = z.avail_out;
		zr = inflate(&z, Z_NO_FLUSH);
		o->len += before - z.avail_out;
		n -= chunk - z.avail_in;
		if (zr == Z_BUF_ERROR && z.avail_out)
			zr = Z_DATA_ERROR; /* no progress possible: input ended early */
		if (zr != Z_OK && zr != Z_STREAM_END)
			break;
	}
	inflateEnd(&z);
	if (err)
		return limit_err(ctx, name, "gzip", err);
	if (zr != Z_STREAM_END)
		return btfc__err(ctx, -EINVAL, name, "corrupt or truncated gzip data: %s",
				 z.msg ? z.msg : "stream ends early");
	return 0;
}

static int unxz(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n, struct obuf *o, bool alone)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r = alone ? lzma_alone_decoder(&s, UINT64_MAX) : lzma_stream_decoder(&s, UINT64_MAX, 0);
	const char *fmt = alone ? "lzma" : "xz";
	int err = 0;

	if (r != LZMA_OK)
		return btfc__err(ctx, -ENOMEM, name, "cannot initialise liblzma");
	s.next_in = in;
	s.avail_in = n;
	while (r == LZMA_OK) {
		if ((err = obuf_grow(o)))
			break;
		s.next_out = o->p + o->len;
		s.avail_out = o->cap - o->len;
		size_t before = s.avail_out;
		r = lzma_code(&s, LZMA_FINISH);
		o->len += before - s.avail_out;
		if (r == LZMA_BUF_ERROR && s.avail_out)
			break; /* input ended early */
		if (r == LZMA_BUF_ERROR)
			r = LZMA_OK;
	}
	lzma_end(&s);
	if (err)
		return limit_err(ctx, name, fmt, err);
	if (r == LZMA_STREAM_END)
		return 0;
	return btfc__err(ctx, -EINVAL, name, "%s %s data (liblzma error %d)",
			 r == LZMA_BUF_ERROR ? "truncated" : "corrupt", fmt, (int)r);
}

static int unzstd(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n, struct obuf *o)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, n, 0 };
	size_t r = 1;
	int err = 0;

	if (!d)
		return btfc__err(ctx, -ENOMEM, name, "cannot initialise libzstd");
	for (;;) {
		if ((err = obuf_grow(o)))
			break;
		ZSTD_outBuffer ob = { o->p + o->len, o->cap - o->len, 0 };
		size_t in_before = ib.pos;
		r = ZSTD_decompressStream(d, &ob, &ib);
		o->len += ob.pos;
		if (ZSTD_isError(r))
			break;
		if (r == 0) {
			/* end of a frame: continue only into another zstd or skippable frame */
			uint32_t magic = n - ib.pos >= 4 ? le32(in + ib.pos) : 0;
			if (magic != 0xfd2fb528 && (magic & 0xfffffff0) != 0x184d2a50)
				break;
			continue;
		}
		if (ib.pos == n && ob.pos < ob.size && ib.pos == in_before)
			break; /* input ended inside a frame */
	}
	ZSTD_freeDStream(d);
	if (err)
		return limit_err(ctx, name, "zstd", err);
	if (ZSTD_isError(r))
		return btfc__err(ctx, -EINVAL, name, "corrupt zstd data: %s", ZSTD_getErrorName(r));
	if (r)
		return btfc__err(ctx, -EINVAL, name, "truncated zstd data");
	return 0;
}

/* LZ4 legacy frame: magic, then [u32 LE compressed size][block] until the data ends. */
static int unlz4(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n, struct obuf *o)
{
	const size_t block_max = 8 << 20;
	size_t pos = 4, blocks = 0;
	int err;

	while (n - pos >= 4) {
		uint32_t csize = le32(in + pos);
		if (csize == 0x184c2102) { /* a concatenated frame */
			pos += 4;
			continue;
		}
		if (csize > n - pos - 4 || !csize)
			break; /* trailing bytes (the kernel's appended size) */
		if ((err = obuf_reserve(o, block_max)))
			return limit_err(ctx, name, "lz4", err);
		int r = LZ4_decompress_safe((const char *)in + pos + 4, (char *)o->p + o->len, (int)csize,
					    (int)block_max);
		if (r < 0)
			return btfc__err(ctx, -EINVAL, name, "corrupt lz4 block %zu at offset %zu", blocks, pos);
		o->len += r;
		pos += 4 + csize;
		blocks++;
	}
	if (!blocks)
		return btfc__err(ctx, -EINVAL, name, "truncated lz4 data: no complete block");
	return 0;
}

static int unbzip2(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n, struct obuf *o)
{
	bz_stream s;
	int r = BZ_OK, err = 0;

	memset(&s, 0, sizeof(s));
	if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK)
		return btfc__err(ctx, -ENOMEM, name, "cannot initialise libbz2");
	s.next_in = (char *)in;
	while (r == BZ_OK) {
		size_t chunk = n > UINT32_MAX ? UINT32_MAX : n;
		s.avail_in = chunk;
		if ((err = obuf_grow(o)))
			break;
		s.next_out = (char *)o->p + o->len;
		s.avail_out = o->cap - o->len > UINT32_MAX ? UINT32_MAX : o->cap - o->len;
		unsigned before = s.avail_out;
		r = BZ2_bzDecompress(&s);
		o->len += before - s.avail_out;
		n -= chunk - s.avail_in;
		if (r == BZ_OK && !n && s.avail_out)
			break; /* input ended early */
	}
	BZ2_bzDecompressEnd(&s);
	if (err)
		return limit_err(ctx, name, "bzip2", err);
	if (r != BZ_STREAM_END)
		return btfc__err(ctx, -EINVAL, name, "%s bzip2 data (libbz2 error %d)",
				 r == BZ_OK ? "truncated" : "corrupt", r);
	return 0;
}

int btfc__decompress(struct btfc_ctx *ctx, const char *name, enum btfc_compression c, const uint8_t *in,
		     size_t n, uint8_t **out, size_t *outlen)
{
	struct obuf o = { .max = ctx->max_decompressed };
	int err;

	switch (c) {
	case BTFC_COMP_GZIP: err = gunzip(ctx, name, in, n, &o); break;
	case BTFC_COMP_XZ: err = unxz(ctx, name, in, n, &o, false); break;
	case BTFC_COMP_LZMA: err = unxz(ctx, name, in, n, &o, true); break;
	case BTFC_COMP_ZSTD: err = unzstd(ctx, name, in, n, &o); break;
	case BTFC_COMP_LZ4: err = unlz4(ctx, name, in, n, &o); break;
	case BTFC_COMP_BZIP2: err = unbzip2(ctx, name, in, n, &o); break;
	default: err = btfc__err(ctx, -EINVAL, name, "unknown compression %d", (int)c);
	}
	if (err) {
		free(o.p);
		return err;
	}
	*out = o.p;
	*outlen = o.len;
	return 0;
}

int btfc__bzimage_payload(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
			  const uint8_t **payload, size_t *plen)
{
	if (n < 0x250 || memcmp(p + 0x202, "HdrS", 4))
		return 0;
	uint16_t version = p[0x206] | p[0x207] << 8;
	if (version < 0x208)
		return btfc__err(ctx, -EINVAL, name, "bzImage boot protocol %u.%02u has no payload fields",
				 version >> 8, version & 0xff);
	uint64_t setup_sects = p[0x1f1] ? p[0x1f1] : 4;
	uint64_t start = (setup_sects + 1) * 512 + le32(p + 0x248), len = le32(p + 0x24c);
	if (start > n || len > n - start)
		return btfc__err(ctx, -EINVAL, name,
				 "bzImage payload at 0x%" PRIx64 " + %" PRIu64 " exceeds file size %zu", start, len, n);
	*payload = p + start;
	*plen = len;
	return 1;
}
