/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Decompression with the field libraries (zlib, liblzma, libzstd, liblz4,
 * libbz2, liblzo2), the kernel image payload locators, and compression of a
 * rewritten module as kbuild compresses it (xz, zstd, gzip). Every decoder stops at the end
 * of its stream and ignores what follows (the bzImage payload carries a 4-byte
 * size after it), grows its output geometrically and never beyond
 * ctx->max_decompressed.
 */
#include <bzlib.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "internal.h"

#define ZSTD_FRAME_MAGIC 0xfd2fb528u
#define ZSTD_SKIP_MAGIC 0x184d2a50u /* skippable frames: 0x184d2a50..0x184d2a5f */
#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20) /* a legacy block decompresses to at most 8 MiB */
#define OBUF_FIRST (64u << 10)
#define LZOP_MAGIC "\x89LZO\0\r\n\x1a\n"
#define LZOP_BLOCK (256u << 10) /* lzop's (and the kernel's) largest block */

static const char *const comp_names[] = { "none", "gzip", "xz",    "lzma",
					  "zstd", "lz4",  "bzip2", "lzo" };

/* Name of a compression format, "unknown" for values outside the enum. */
BTFC_API const char *btfc_compression_name(enum btfc_compression c)
{
	return (unsigned)c < sizeof(comp_names) / sizeof(comp_names[0]) ? comp_names[c] : "unknown";
}

/* Little-endian loads from possibly unaligned bytes. */
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/*
 * A .lzma ("alone") header: properties 0x5d (lc=3 lp=0 pb=2, what every
 * encoder writes), a dictionary of 2^k or 2^k+2^(k-1) bytes of at least
 * 64 KiB (so bytes 1 and 2 are zero), and an uncompressed size that is either
 * unknown (all ones) or below 256 GiB (liblzma's own plausibility bound).
 */
static bool lzma_alone_header(const uint8_t *p, size_t n)
{
	if (n < 13 || p[0] != 0x5d || p[1] || p[2])
		return false;
	uint32_t dict = le32(p + 1);
	if (!dict)
		return false;
	uint32_t hi = 1u << (31 - __builtin_clz(dict)); /* highest power of two <= dict */
	if (dict != hi && dict != hi + hi / 2)
		return false;
	uint64_t size = le64(p + 5);
	return size == UINT64_MAX || size < (1ull << 38);
}

/* The compression format whose magic bytes start @p; BTFC_COMP_NONE if none (any @n). */
enum btfc_compression btfci_sniff_compression(const uint8_t *p, size_t n)
{
	if (!p)
		return BTFC_COMP_NONE;
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return BTFC_COMP_GZIP;
	if (n >= 6 && !memcmp(p, "\xfd\x37zXZ\0", 6))
		return BTFC_COMP_XZ;
	if (n >= 4 && le32(p) == ZSTD_FRAME_MAGIC)
		return BTFC_COMP_ZSTD;
	if (n >= 4 && le32(p) == LZ4_LEGACY_MAGIC)
		return BTFC_COMP_LZ4;
	if (n >= 4 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9')
		return BTFC_COMP_BZIP2;
	if (n >= 9 && !memcmp(p, LZOP_MAGIC, 9))
		return BTFC_COMP_LZO;
	if (lzma_alone_header(p, n))
		return BTFC_COMP_LZMA;
	return BTFC_COMP_NONE;
}

/*
 * A growing output buffer. It may reach one byte past the limit: a decoder
 * that fills that byte has proved the output too large (-EFBIG), while output
 * of exactly the limit still fits.
 */
struct obuf {
	uint8_t *p;
	size_t len, cap;
	size_t lim; /* max_decompressed + 1 */
	btfci_bound_fn bound; /* asked once the first bytes are out (see internal.h) */
	void *user;
	/* with budgeted: growth beyond BTFC_MODULE_SMALL takes ctx's budget first */
	struct btfc_ctx *ctx;
	bool *budgeted;
	size_t first_end; /* input bytes of the first stream (gzip member, xz stream, zstd frame); 0: unknown */
};

/* Ensure room for min(@want, what the limit allows) more bytes (at least one), doubling the buffer. */
static int obuf_reserve(struct obuf *o, size_t want)
{
	if (o->bound && o->len >= BTFC_BOUND_PREFIX) {
		size_t b = o->bound(o->user, o->p, o->len);
		o->bound = NULL;
		if (b && b < o->lim - 1)
			o->lim = b + 1;
	}
	if (o->len >= o->lim)
		return -EFBIG;
	if (want > o->lim - o->len)
		want = o->lim - o->len;
	if (!want)
		want = 1;
	if (o->cap - o->len >= want)
		return 0;
	size_t cap = o->cap ? o->cap : OBUF_FIRST;
	while (cap - o->len < want)
		cap *= 2; /* cannot overflow: lim <= SIZE_MAX / 4 */
	if (cap > o->lim)
		cap = o->lim;
	if (o->budgeted && !*o->budgeted && cap > BTFC_MODULE_SMALL)
		*o->budgeted = btfci_budget_take(o->ctx);
	uint8_t *np = realloc(o->p, cap);
	if (!np)
		return -ENOMEM;
	o->p = np;
	o->cap = cap;
	return 0;
}

/* Free bytes after the output, clamped for the 32-bit counters of zlib and libbz2. */
static unsigned obuf_room32(const struct obuf *o)
{
	size_t room = o->cap - o->len;
	return room > UINT_MAX ? UINT_MAX : (unsigned)room;
}

static unsigned clamp32(size_t v) { return v > UINT_MAX ? UINT_MAX : (unsigned)v; }

/* Message for an output-buffer failure (-EFBIG or -ENOMEM) of format @fmt. */
static int obuf_err(struct btfc_ctx *ctx, const char *name, const char *fmt, int err,
		    const struct obuf *o)
{
	if (err == -EFBIG)
		return btfci_err(ctx, -EFBIG, name,
				 "%s data decompresses to more than %zu bytes (the limit)", fmt,
				 o->lim - 1);
	return btfci_err(ctx, -ENOMEM, name, "out of memory decompressing %s data", fmt);
}

/* gzip (one member; what follows it is ignored) with zlib. */
static int gunzip(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n,
		  struct obuf *o)
{
	z_stream z;
	int zr, err = 0;

	memset(&z, 0, sizeof(z));
	zr = inflateInit2(&z, 16 + MAX_WBITS);
	if (zr != Z_OK)
		return btfci_err(ctx, zr == Z_MEM_ERROR ? -ENOMEM : -EINVAL, name,
				 "cannot initialise zlib: %s", z.msg ? z.msg : zError(zr));
	z.next_in = (Bytef *)in;
	do {
		if ((err = obuf_reserve(o, 1)))
			break;
		z.avail_in = clamp32(n);
		z.next_out = o->p + o->len;
		z.avail_out = obuf_room32(o);
		unsigned in0 = z.avail_in, out0 = z.avail_out;
		zr = inflate(&z, Z_NO_FLUSH);
		n -= in0 - z.avail_in;
		o->len += out0 - z.avail_out;
	} while (zr == Z_OK);

	o->first_end = z.total_in;
	if (err)
		err = obuf_err(ctx, name, "gzip", err, o);
	else if (zr == Z_MEM_ERROR)
		err = btfci_err(ctx, -ENOMEM, name, "out of memory decompressing gzip data");
	else if (zr == Z_BUF_ERROR) /* no progress: the input ended inside the stream */
		err = btfci_err(ctx, -EINVAL, name, "truncated gzip data: stream ends early");
	else if (zr != Z_STREAM_END)
		err = btfci_err(ctx, -EINVAL, name, "corrupt gzip data: %s",
				z.msg ? z.msg : zError(zr));
	inflateEnd(&z);
	return err;
}

/* liblzma's reason for a failure (it has no strerror of its own). */
static const char *lzma_reason(lzma_ret r)
{
	switch (r) {
	case LZMA_BUF_ERROR:
		return "stream ends early";
	case LZMA_FORMAT_ERROR:
		return "file format not recognized";
	case LZMA_OPTIONS_ERROR:
		return "unsupported options";
	case LZMA_DATA_ERROR:
		return "compressed data is corrupt";
	case LZMA_MEMLIMIT_ERROR:
		return "memory usage limit reached";
	case LZMA_UNSUPPORTED_CHECK:
		return "unsupported integrity check";
	default:
		return "internal error";
	}
}

/* xz (first stream) or legacy .lzma (@alone) with liblzma. */
static int unxz(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n, struct obuf *o,
		bool alone)
{
	const char *fmt = alone ? "lzma" : "xz";
	lzma_stream s = LZMA_STREAM_INIT;
	/*
	 * A memory limit, or a 50-byte header can ask for gigabytes of dictionary.
	 * Kernel payloads use at most 32 MiB (bzImage) and modules 1 MiB.
	 */
	const uint64_t memlimit = 256ull << 20;
	lzma_ret r = alone ? lzma_alone_decoder(&s, memlimit) :
			     lzma_stream_decoder(&s, memlimit, 0);
	int err = 0;

	if (r != LZMA_OK)
		return btfci_err(ctx, r == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL, name,
				 "cannot initialise liblzma: %s", lzma_reason(r));
	s.next_in = in;
	s.avail_in = n;
	do {
		if ((err = obuf_reserve(o, 1)))
			break;
		s.next_out = o->p + o->len;
		s.avail_out = o->cap - o->len;
		size_t out0 = s.avail_out;
		r = lzma_code(&s, LZMA_FINISH); /* LZMA_BUF_ERROR once no progress is possible */
		o->len += out0 - s.avail_out;
	} while (r == LZMA_OK);
	o->first_end = s.total_in;
	lzma_end(&s);

	if (err)
		return obuf_err(ctx, name, fmt, err, o);
	if (r == LZMA_STREAM_END)
		return 0;
	if (r == LZMA_MEM_ERROR)
		return btfci_err(ctx, -ENOMEM, name, "out of memory decompressing %s data", fmt);
	return btfci_err(ctx, -EINVAL, name, "%s %s data: %s",
			 r == LZMA_BUF_ERROR ? "truncated" : "corrupt", fmt, lzma_reason(r));
}

/* Whether the @n bytes at @p start another zstd or skippable frame. */
static bool zstd_frame_follows(const uint8_t *p, size_t n)
{
	if (n < 4)
		return false;
	uint32_t magic = le32(p);
	return magic == ZSTD_FRAME_MAGIC || (magic & 0xfffffff0u) == ZSTD_SKIP_MAGIC;
}

/* zstd: consecutive frames while another frame follows, then stop; with libzstd. */
static int unzstd(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n,
		  struct obuf *o)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, n, 0 };
	size_t r = 1;
	int err = 0;

	if (!d)
		return btfci_err(ctx, -ENOMEM, name, "cannot initialise libzstd");
	for (;;) {
		if ((err = obuf_reserve(o, 1)))
			break;
		ZSTD_outBuffer ob = { o->p + o->len, o->cap - o->len, 0 };
		r = ZSTD_decompressStream(d, &ob, &ib);
		o->len += ob.pos;
		if (ZSTD_isError(r))
			break;
		if (r == 0) { /* a frame is complete and flushed */
			if (!o->first_end)
				o->first_end = ib.pos;
			if (!zstd_frame_follows(in + ib.pos, n - ib.pos))
				break;
		} else if (ib.pos == ib.size && ob.pos < ob.size) {
			break; /* it wants more input and there is none */
		}
	}
	ZSTD_freeDStream(d);

	if (err)
		return obuf_err(ctx, name, "zstd", err, o);
	if (ZSTD_isError(r) && ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
		return btfci_err(ctx, -ENOMEM, name, "out of memory decompressing zstd data");
	if (ZSTD_isError(r))
		return btfci_err(ctx, -EINVAL, name, "corrupt zstd data: %s", ZSTD_getErrorName(r));
	if (r)
		return btfci_err(ctx, -EINVAL, name, "truncated zstd data: frame ends early");
	return 0;
}

/* Whether the LZ4 block @src/@csize is valid, decoded into a scratch 8 MiB buffer (-ENOMEM if none). */
static int lz4_block_ok(const uint8_t *src, uint32_t csize)
{
	char *tmp = malloc(LZ4_LEGACY_BLOCK);
	if (!tmp)
		return -ENOMEM;
	int r = LZ4_decompress_safe((const char *)src, tmp, (int)csize, LZ4_LEGACY_BLOCK);
	free(tmp);
	return r >= 0;
}

/*
 * LZ4 legacy frame with liblz4: the magic, then [u32 LE compressed size][block]
 * records; another magic starts a new frame. The data ends when fewer than 4
 * bytes remain, at a zero size word (padding), or at a size word that does not
 * fit in what remains. Only a lone last size word (the kernel's 4 appended
 * bytes) may do the latter: more bytes after it mean a block was cut short.
 */
static int unlz4(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n,
		 struct obuf *o)
{
	const uint32_t cmax = (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK);
	size_t pos = 4, blocks = 0;

	if (n < 4)
		return btfci_err(ctx, -EINVAL, name, "truncated lz4 data: only %zu bytes", n);
	if (le32(in) != LZ4_LEGACY_MAGIC)
		return btfci_err(ctx, -EINVAL, name, "corrupt lz4 data: no legacy frame magic");
	while (n - pos >= 4) {
		uint32_t csize = le32(in + pos);
		size_t left = n - pos - 4;
		if (csize == LZ4_LEGACY_MAGIC) {
			pos += 4;
			continue;
		}
		if (!csize || !left)
			break; /* padding, or the kernel's appended size */
		if (csize > left)
			return btfci_err(ctx, -EINVAL, name,
					 "truncated lz4 data: block at offset %zu needs %" PRIu32
					 " bytes, %zu remain",
					 pos, csize, left);
		if (csize > cmax)
			return btfci_err(ctx, -EINVAL, name,
					 "corrupt lz4 data: block at offset %zu has size %" PRIu32,
					 pos, csize);
		int err = obuf_reserve(o, LZ4_LEGACY_BLOCK);
		if (err)
			return obuf_err(ctx, name, "lz4", err, o);
		size_t room = o->cap - o->len < LZ4_LEGACY_BLOCK ? o->cap - o->len :
								   LZ4_LEGACY_BLOCK;
		int r = LZ4_decompress_safe((const char *)in + pos + 4, (char *)o->p + o->len,
					    (int)csize, (int)room);
		if (r < 0 && room < LZ4_LEGACY_BLOCK) {
			/* the limit cut the room short: a valid block means the output is too large */
			err = lz4_block_ok(in + pos + 4, csize);
			if (err)
				return obuf_err(ctx, name, "lz4", err < 0 ? err : -EFBIG, o);
		}
		if (r < 0)
			return btfci_err(
				ctx, -EINVAL, name,
				"corrupt lz4 data: block %zu at offset %zu does not decode", blocks,
				pos);
		o->len += (size_t)r;
		pos += 4 + (size_t)csize;
		blocks++;
	}
	if (!blocks)
		return btfci_err(ctx, -EINVAL, name, "truncated lz4 data: no complete block");
	return 0;
}

/* libbz2's reason for a failure. */
static const char *bz2_reason(int r)
{
	switch (r) {
	case BZ_OK:
		return "stream ends early";
	case BZ_DATA_ERROR:
		return "data integrity (CRC) error";
	case BZ_DATA_ERROR_MAGIC:
		return "bad magic";
	case BZ_PARAM_ERROR:
		return "parameter error";
	default:
		return "internal error";
	}
}

/* bzip2 (first stream) with libbz2. */
static int unbzip2(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n,
		   struct obuf *o)
{
	bz_stream s;
	int r, err = 0;

	memset(&s, 0, sizeof(s));
	r = BZ2_bzDecompressInit(&s, 0, 0);
	if (r != BZ_OK)
		return btfci_err(ctx, r == BZ_MEM_ERROR ? -ENOMEM : -EINVAL, name,
				 "cannot initialise libbz2: %s", bz2_reason(r));
	s.next_in = (char *)in;
	do {
		if ((err = obuf_reserve(o, 1)))
			break;
		s.avail_in = clamp32(n);
		s.next_out = (char *)o->p + o->len;
		s.avail_out = obuf_room32(o);
		unsigned in0 = s.avail_in, out0 = s.avail_out;
		r = BZ2_bzDecompress(&s);
		n -= in0 - s.avail_in;
		o->len += out0 - s.avail_out;
		if (r == BZ_OK && !n && s.avail_out)
			break; /* all input used, room left, stream not ended: truncated */
	} while (r == BZ_OK);
	BZ2_bzDecompressEnd(&s);

	if (err)
		return obuf_err(ctx, name, "bzip2", err, o);
	if (r == BZ_STREAM_END)
		return 0;
	if (r == BZ_MEM_ERROR)
		return btfci_err(ctx, -ENOMEM, name, "out of memory decompressing bzip2 data");
	return btfci_err(ctx, -EINVAL, name, "%s bzip2 data: %s",
			 r == BZ_OK ? "truncated" : "corrupt", bz2_reason(r));
}

/*
 * lzop's format (lzop 1.04; what the kernel's lib/decompress_unlzo.c reads):
 * the magic, a big-endian header (version, library version, version needed
 * when version >= 0x0940, method, level when >= 0x0940, flags, filter when
 * flagged, mode, mtime low and (>= 0x0940) high, a name, a checksum), then
 * blocks [u32 uncompressed size (0 ends)][u32 compressed size][checksum of
 * the uncompressed data (adler32 or crc32, as flagged)][checksum of the
 * compressed data, when flagged and the block is compressed][data]; a block
 * whose two sizes are equal is stored. Decoded with liblzo2's
 * lzo1x_decompress_safe; the data checksums are verified.
 */
static int unlzo(struct btfc_ctx *ctx, const char *name, const uint8_t *in, size_t n,
		 struct obuf *o)
{
	enum {
		F_ADLER32_D = 0x1,
		F_ADLER32_C = 0x2,
		F_H_FILTER = 0x800,
		F_CRC32_D = 0x100,
		F_CRC32_C = 0x200
	};
	size_t pos = 9;

	if (lzo_init() != LZO_E_OK)
		return btfci_err(ctx, -EINVAL, name, "cannot initialise liblzo2");
	if (n < 9 + 7 + 4 + 8 + 1 + 4 || memcmp(in, LZOP_MAGIC, 9))
		return btfci_err(ctx, -EINVAL, name,
				 "truncated lzo data: header cut short (%zu bytes)", n);
	unsigned version = (unsigned)in[pos] << 8 | in[pos + 1];
	pos += 4 + (version >= 0x0940 ? 2 : 0); /* version, library version, version needed */
	unsigned method = in[pos];
	pos += 1 + (version >= 0x0940 ? 1 : 0); /* method, level */
	uint32_t flags = be32(in + pos);
	pos += 4 + (flags & F_H_FILTER ? 4 : 0) + 8 +
	       (version >= 0x0940 ? 4 : 0); /* mode, mtimes */
	if (method < 1 || method > 3) /* M_LZO1X_1, M_LZO1X_1_15, M_LZO1X_999 */
		return btfci_err(ctx, -EINVAL, name, "corrupt lzo data: method %u is not LZO1X",
				 method);
	if (pos + 1 > n || pos + 1 + in[pos] + 4 > n)
		return btfci_err(ctx, -EINVAL, name,
				 "truncated lzo data: header cut short (%zu bytes)", n);
	pos += 1 + in[pos] + 4; /* name, header checksum */
	for (;;) {
		if (n - pos < 4)
			return btfci_err(ctx, -EINVAL, name,
					 "truncated lzo data: stream ends early");
		uint32_t dlen = be32(in + pos);
		pos += 4;
		if (!dlen)
			return 0;
		if (n - pos < 4)
			return btfci_err(ctx, -EINVAL, name,
					 "truncated lzo data: stream ends early");
		uint32_t clen = be32(in + pos);
		pos += 4;
		if (dlen > LZOP_BLOCK || !clen || clen > dlen)
			return btfci_err(ctx, -EINVAL, name,
					 "corrupt lzo data: block at offset %zu has sizes %" PRIu32
					 " / %" PRIu32,
					 pos - 8, dlen, clen);
		size_t sums = (flags & (F_ADLER32_D | F_CRC32_D) ? 4 : 0) +
			      (clen < dlen && flags & (F_ADLER32_C | F_CRC32_C) ? 4 : 0);
		if (n - pos < sums + clen)
			return btfci_err(
				ctx, -EINVAL, name,
				"truncated lzo data: block at offset %zu needs %zu bytes, %zu remain",
				pos - 8, sums + clen, n - pos);
		uint32_t dsum = sums ? be32(in + pos) : 0;
		pos += sums;
		int err = obuf_reserve(o, dlen);
		if (!err && o->cap - o->len < dlen)
			err = -EFBIG;
		if (err)
			return obuf_err(ctx, name, "lzo", err, o);
		lzo_uint got = dlen;
		if (clen == dlen)
			memcpy(o->p + o->len, in + pos, dlen);
		else if (lzo1x_decompress_safe(in + pos, clen, o->p + o->len, &got, NULL) !=
				 LZO_E_OK ||
			 got != dlen)
			return btfci_err(ctx, -EINVAL, name,
					 "corrupt lzo data: block at offset %zu does not decode",
					 pos - sums - 8);
		if (flags & (F_ADLER32_D | F_CRC32_D) &&
		    dsum != (flags & F_ADLER32_D ? adler32(1, o->p + o->len, dlen) :
						   crc32(0, o->p + o->len, dlen)))
			return btfci_err(ctx, -EINVAL, name,
					 "corrupt lzo data: checksum of block at offset %zu",
					 pos - sums - 8);
		o->len += dlen;
		pos += clen;
	}
}

/* Decompress @in/@n of format @c into a new malloc'd *@out, *@outlen (see internal.h). */
int btfci_decompress(struct btfc_ctx *ctx, const char *name, enum btfc_compression c,
		     const uint8_t *in, size_t n, uint8_t **out, size_t *outlen)
{
	return btfci_decompress_bounded(ctx, name, c, in, n, ctx->max_decompressed, NULL, NULL,
					NULL, NULL, out, outlen);
}

int btfci_decompress_bounded(struct btfc_ctx *ctx, const char *name, enum btfc_compression c,
			     const uint8_t *in, size_t n, uint64_t limit, btfci_bound_fn bound,
			     void *user, bool *budgeted, size_t *first_end, uint8_t **out,
			     size_t *outlen)
{
	uint64_t max = limit < SIZE_MAX / 4 ? limit : SIZE_MAX / 4;
	struct obuf o = { .lim = (size_t)max + 1,
			  .bound = bound,
			  .user = user,
			  .ctx = ctx,
			  .budgeted = budgeted };
	int err;

	*out = NULL;
	*outlen = 0;
	if (!in) {
		in = (const uint8_t *)"";
		n = 0;
	}
	switch (c) {
	case BTFC_COMP_GZIP:
		err = gunzip(ctx, name, in, n, &o);
		break;
	case BTFC_COMP_XZ:
		err = unxz(ctx, name, in, n, &o, false);
		break;
	case BTFC_COMP_LZMA:
		err = unxz(ctx, name, in, n, &o, true);
		break;
	case BTFC_COMP_ZSTD:
		err = unzstd(ctx, name, in, n, &o);
		break;
	case BTFC_COMP_LZ4:
		err = unlz4(ctx, name, in, n, &o);
		break;
	case BTFC_COMP_BZIP2:
		err = unbzip2(ctx, name, in, n, &o);
		break;
	case BTFC_COMP_LZO:
		err = unlzo(ctx, name, in, n, &o);
		break;
	default:
		err = btfci_err(ctx, -EINVAL, name, "unknown compression %d", (int)c);
		break;
	}
	if (!err && o.len > o.lim - 1)
		err = obuf_err(ctx, name, btfc_compression_name(c), -EFBIG, &o);
	if (!err && !o.p && !(o.p = malloc(1))) /* a valid pointer even for empty output */
		err = btfci_err(ctx, -ENOMEM, name, "out of memory");
	if (err) {
		free(o.p);
		return err;
	}
	if (o.cap - o.len > (1u << 20)) { /* give back a large unused tail */
		uint8_t *np = realloc(o.p, o.len ? o.len : 1);
		if (np)
			o.p = np;
	}
	*out = o.p;
	*outlen = o.len;
	if (first_end)
		*first_end = o.first_end;
	return 0;
}

/*
 * The compressed payload of an x86 bzImage (Documentation/arch/x86/boot.rst):
 * "HdrS" at 0x202, setup_sects at 0x1f1 (0 means 4), the protected-mode code
 * at (setup_sects + 1) * 512, payload_offset and payload_length (u32 at 0x248
 * and 0x24c, boot protocol 2.08 and later) relative to that code.
 * 1 and *@payload, *@plen on success, 0 if @p is not a bzImage, -EINVAL if the
 * header is cut short or points outside the file.
 */
int btfci_bzimage_payload(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
			  const uint8_t **payload, size_t *plen)
{
	if (!p || n < 0x206 || memcmp(p + 0x202, "HdrS", 4))
		return 0;
	if (n < 0x250)
		return btfci_err(ctx, -EINVAL, name,
				 "bzImage setup header cut short: file has %zu bytes", n);
	uint16_t version = le16(p + 0x206);
	if (version < 0x208)
		return btfci_err(ctx, -EINVAL, name,
				 "bzImage boot protocol %u.%02u has no payload fields (needs 2.08)",
				 version >> 8, version & 0xff);
	uint64_t setup_sects = p[0x1f1] ? p[0x1f1] : 4;
	uint64_t start =
		(setup_sects + 1) * 512 + le32(p + 0x248); /* at most 0x20000 + 2^32: no overflow */
	uint64_t len = le32(p + 0x24c);
	if (start > n || len > n - start)
		return btfci_err(ctx, -EINVAL, name,
				 "bzImage payload at 0x%" PRIx64 " + %" PRIu64
				 " exceeds file size %zu",
				 start, len, n);
	if (!len)
		return btfci_err(ctx, -EINVAL, name, "bzImage payload is empty");
	*payload = p + start;
	*plen = (size_t)len;
	return 1;
}

/*
 * EFI zboot (CONFIG_EFI_ZBOOT; drivers/firmware/efi/libstub/zboot-header.S):
 * "MZ", then "zimg", the payload's offset and size (u32 LE at 8 and 12), two
 * reserved words and the compression's name as a NUL-terminated string at 0x18
 * (Makefile.zboot: gzip, bzip2, lz4, lzma, lzo, xz, zstd).
 */
int btfci_zboot_payload(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
			const uint8_t **payload, size_t *plen, enum btfc_compression *comp)
{
	static const struct {
		const char *type;
		enum btfc_compression c;
	} types[] = {
		{ "gzip", BTFC_COMP_GZIP }, { "zstd", BTFC_COMP_ZSTD },
		{ "xz", BTFC_COMP_XZ },     { "lzma", BTFC_COMP_LZMA },
		{ "lz4", BTFC_COMP_LZ4 },   { "bzip2", BTFC_COMP_BZIP2 },
		{ "lzo", BTFC_COMP_LZO },
	};

	if (!p || n < 8 || memcmp(p, "MZ", 2) || memcmp(p + 4, "zimg", 4))
		return 0;
	if (n < 0x40)
		return btfci_err(ctx, -EINVAL, name,
				 "EFI zboot header cut short: file has %zu bytes", n);
	char type[0x20] = "";
	const uint8_t *z = memchr(p + 0x18, 0, 0x20);
	if (!z)
		return btfci_err(ctx, -EINVAL, name,
				 "EFI zboot header: compression type is not a short string");
	memcpy(type, p + 0x18, (size_t)(z - (p + 0x18)));
	uint64_t start = le32(p + 8), len = le32(p + 12);
	if (start > n || len > n - start)
		return btfci_err(ctx, -EINVAL, name,
				 "EFI zboot payload at 0x%" PRIx64 " + %" PRIu64
				 " exceeds file size %zu",
				 start, len, n);
	if (!len)
		return btfci_err(ctx, -EINVAL, name, "EFI zboot payload is empty");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(type, types[i].type))
			continue;
		*payload = p + start;
		*plen = (size_t)len;
		*comp = types[i].c;
		return 1;
	}
	for (char *c = type; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	return btfci_err(ctx, -EOPNOTSUPP, name,
			 "EFI zboot payload compressed with \"%s\": not supported", type);
}

/*
 * arm64 (Documentation/arch/arm64/booting.rst) and riscv64
 * (Documentation/arch/riscv/boot-image-header.rst) kernel Image: a 64-byte
 * header with the magic "ARM\x64", or "RSC\x05" (and the older "RISCV\0\0\0"
 * at 0x30), at 0x38. Which one, or NULL.
 */
const char *btfci_boot_image(const uint8_t *p, size_t n)
{
	if (!p || n < 0x40)
		return NULL;
	if (!memcmp(p + 0x38, "ARM\x64", 4))
		return "arm64 Image";
	if (!memcmp(p + 0x38, "RSC\x05", 4) || !memcmp(p + 0x30, "RISCV\0\0\0", 8))
		return "riscv64 Image";
	return NULL;
}

/*
 * s390 image (arch/s390/boot/head.S): the IPL start, the entry point list
 * "S390EP" at 0x10008, then the decompressor and the compressed vmlinux.bin
 * (section .vmlinux.bin.compressed, whose position no header records).
 */
bool btfci_s390_image(const uint8_t *p, size_t n)
{
	return p && n >= 0x10010 && !memcmp(p + 0x10008, "S390EP", 6);
}

/* Offset of the first compressed stream magic at or after @from in @p/@n; @n if none. */
size_t btfci_next_stream(const uint8_t *p, size_t n, size_t from)
{
	for (size_t i = from; p && i < n; i++)
		if (btfci_sniff_compression(p + i, n - i) != BTFC_COMP_NONE)
			return i;
	return n;
}

/* ---- compression: a rewritten module, compressed as it was ---- */

/* Compress @in in format @c (as kbuild does) into a malloc'd buffer. */
int btfci_compress(struct btfc_ctx *ctx, const char *path, enum btfc_compression c,
		   const uint8_t *in, size_t n, uint8_t **out, size_t *outlen)
{
	size_t cap;

	switch (c) {
	case BTFC_COMP_XZ: {
		cap = lzma_stream_buffer_bound(n);
		*out = malloc(cap);
		*outlen = 0;
		/* kbuild: xz --check=crc32 --lzma2=dict=1MiB (the kernel's decompressor wants crc32) */
		lzma_options_lzma opt;
		lzma_lzma_preset(&opt, 6);
		opt.dict_size = 1 << 20;
		lzma_filter f[2] = { { LZMA_FILTER_LZMA2, &opt }, { LZMA_VLI_UNKNOWN, NULL } };
		if (*out && lzma_stream_buffer_encode(f, LZMA_CHECK_CRC32, NULL, in, n, *out,
						      outlen, cap) == LZMA_OK)
			return 0;
		break;
	}
	case BTFC_COMP_ZSTD:
		cap = ZSTD_compressBound(n);
		*out = malloc(cap);
		if (*out) {
			size_t r = ZSTD_compress(*out, cap, in, n, 3);
			if (!ZSTD_isError(r)) {
				*outlen = r;
				return 0;
			}
		}
		break;
	case BTFC_COMP_GZIP: {
		z_stream z = { 0 };
		cap = compressBound(n) + 64;
		*out = malloc(cap);
		if (*out && deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
					 Z_DEFAULT_STRATEGY) == Z_OK) {
			z.next_in = (Bytef *)in;
			z.avail_in = n;
			z.next_out = *out;
			z.avail_out = cap;
			int r = deflate(&z, Z_FINISH);
			*outlen = z.total_out;
			deflateEnd(&z);
			if (r == Z_STREAM_END)
				return 0;
		}
		break;
	}
	default:
		return btfci_err(ctx, -ENOTSUP, path, "cannot write %s-compressed modules",
				 btfc_compression_name(c));
	}
	free(*out);
	*out = NULL;
	return btfci_err(ctx, -ENOMEM, path, "cannot %s-compress the new module",
			 btfc_compression_name(c));
}
