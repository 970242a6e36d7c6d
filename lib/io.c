// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * io: every source of BTF bytes -> one BTF object.
 *   raw BTF (file, /sys/kernel/btf/...)  -> parsed in place (read, zero copy)
 *   ELF (vmlinux, .ko)                   -> .BTF section via libelf (SHF_COMPRESSED too)
 *   compressed file (.ko.xz/.zst/.gz...) -> decompressed, then again from the top
 *   bzImage (x86 vmlinuz)                -> payload decompressed -> vmlinux ELF -> .BTF
 *   arm64/riscv64 Image (also Image.gz)  -> the vmlinux BTF among the image's bytes
 *   EFI zboot image (PE, "zimg")         -> payload decompressed -> Image -> BTF among its bytes
 *   s390 image ("S390EP")                -> compressed vmlinux.bin found, decompressed -> BTF among its bytes
 *   powerpc zImage (ELF boot wrapper)    -> .kernel:vmlinux.strip decompressed -> vmlinux ELF -> .BTF
 * Formats are recognised by content, never by file name.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "btf_int.h"
#include "elf_int.h"

/* A buffer and who frees it. */
struct bytes {
	const uint8_t *data;
	size_t len;
	void *owned; /* malloc'd, or NULL */
};

static void bytes_release(struct bytes *b)
{
	free(b->owned);
	memset(b, 0, sizeof(*b));
}

/* The whole file at @path, read (never mapped: a file truncated under a mapping would kill us with SIGBUS). */
static int read_file(struct btfc_ctx *ctx, const char *path, struct bytes *out, uint64_t *file_size)
{
	struct stat st;
	uint8_t *buf;
	size_t len;
	int fd = btfci_open_regular(ctx, path, ctx->max_decompressed, &st), err;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return fd;
	err = btfci_read_regular(ctx, path, fd, &st, &buf, &len);
	close(fd);
	if (err)
		return err;
	if (!len) {
		free(buf);
		return btfci_err(ctx, -EINVAL, path, "empty file");
	}
	*out = (struct bytes){ .data = buf, .len = len, .owned = buf };
	*file_size = len;
	return 0;
}

/*
 * Find section @secname in ELF image @in. On success *sec and *len point at its
 * (decompressed) contents, which live either inside @in or in memory owned by
 * *elfp (caller ends it). -ENODATA if the section is absent.
 */
static int elf_section(struct btfc_ctx *ctx, const char *name, const struct bytes *in,
		       const char *secname, Elf **elfp, const uint8_t **sec, size_t *len,
		       bool *compressed)
{
	size_t shstrndx;
	GElf_Shdr sh;
	int err = btfci_elf_open_mem(ctx, name, in->data, in->len, elfp, &shstrndx);

	if (err)
		return err;
	Elf_Scn *scn;
	err = btfci_elf_find_scn(*elfp, shstrndx, secname, &sh, &scn);
	if (err == -ENODATA)
		return btfci_err(ctx, err, name, "no %s section", secname);
	if (err)
		return btfci_err(ctx, err, name, "corrupt ELF section headers: %s", elf_errmsg(-1));
	return btfci_elf_scn_data(ctx, name, scn, &sh, secname, ctx->max_decompressed, sec, len,
				  compressed);
}

/*
 * A powerpc zImage (arch/powerpc/boot/wrapper): an ELF boot wrapper whose
 * section .kernel:vmlinux.strip holds the stripped vmlinux, gzip'd (or xz'd,
 * or as it is). 1 and that vmlinux ELF in *@inner, 0 if @e is no zImage,
 * a negative errno (with message) if it is a broken one.
 */
static int zimage_vmlinux(struct btfc_ctx *ctx, const char *name, Elf *e,
			  struct btfc_source_info *src, struct bytes *inner)
{
	static const char secname[] = ".kernel:vmlinux.strip";
	const uint8_t *z;
	size_t shstrndx, zlen;
	GElf_Shdr sh;
	Elf_Scn *scn;
	bool compressed;

	if (elf_getshdrstrndx(e, &shstrndx) || btfci_elf_find_scn(e, shstrndx, secname, &sh, &scn))
		return 0;
	int err = btfci_elf_scn_data(ctx, name, scn, &sh, secname, ctx->max_decompressed, &z, &zlen,
				     &compressed);
	if (err)
		return err;
	enum btfc_compression c = btfci_sniff_compression(z, zlen);
	uint8_t *dec = NULL;
	size_t dlen = zlen;
	if (c == BTFC_COMP_NONE && (dec = malloc(zlen ? zlen : 1)))
		memcpy(dec, z, zlen);
	else if (c == BTFC_COMP_NONE)
		return btfci_err(ctx, -ENOMEM, name, "out of memory");
	else if ((err = btfci_decompress(ctx, name, c, z, zlen, &dec, &dlen)))
		return err;
	if (dlen < 4 || memcmp(dec,
			       "\x7f"
			       "ELF",
			       4)) {
		free(dec);
		return btfci_err(ctx, -EINVAL, name, "zImage's %s is not a%s ELF vmlinux", secname,
				 c == BTFC_COMP_NONE ? " compressed or an" : "");
	}
	src->container = BTFC_CONT_ZIMAGE;
	src->compression = c;
	*inner = (struct bytes){ .data = dec, .len = dlen, .owned = dec };
	return 1;
}

/*
 * Take the .BTF of ELF image @in (which this call consumes) into @out: copied
 * so the rest can be dropped.
 */
static int extract_elf(struct btfc_ctx *ctx, const char *name, struct bytes *in,
		       struct btfc_source_info *src, struct bytes *out)
{
	const uint8_t *sec = NULL;
	size_t len = 0;
	Elf *e = NULL;
	bool compressed = false;
	int err;

	err = elf_section(ctx, name, in, ".BTF", &e, &sec, &len, &compressed);
	if (err == -ENODATA && src->container == BTFC_CONT_RAW) {
		struct bytes inner;
		int r = zimage_vmlinux(ctx, name, e, src, &inner);
		if (r) {
			elf_end(e);
			bytes_release(in);
			return r < 0 ? r : extract_elf(ctx, name, &inner, src, out);
		}
	}
	if (err == -ENODATA)
		btfci_err(ctx, err, name,
			  "no .BTF section (built without CONFIG_DEBUG_INFO_BTF%s?)",
			  src->container == BTFC_CONT_RAW || src->container == BTFC_CONT_ELF ?
				  "_MODULES" :
				  "");
	if (err)
		goto fail;
	if (src->container == BTFC_CONT_RAW)
		src->container = BTFC_CONT_ELF;
	src->elf_section_compressed = compressed;
	GElf_Ehdr eh;
	src->elf_type = gelf_getehdr(e, &eh) ? eh.e_type : 0;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy) {
		err = btfci_err(ctx, -ENOMEM, name, "out of memory");
		goto fail;
	}
	if (len)
		memcpy(copy, sec, len);
	elf_end(e);
	bytes_release(in);
	*out = (struct bytes){ .data = copy, .len = len, .owned = copy };
	return 0;
fail:
	elf_end(e);
	bytes_release(in);
	return err;
}

/* ---- kernel images that are not ELF: the vmlinux BTF lies among their bytes ---- */

static uint32_t ld32(const uint8_t *p, bool be)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return be == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) ? v : btfci_bswap32(v);
}

/*
 * The length of the BTF blob whose sound header starts at @p (@n bytes
 * follow), or 0. Sound: either magic, version 1, hdr_len 24..256 and a
 * multiple of 4, every section it describes (types, strings, and 7.x's kind
 * layouts) inside, types aligned, strings starting and ending with NUL.
 */
static size_t btf_blob_at(const uint8_t *p, size_t n)
{
	if (n < BTF_HDR_MIN || p[2] != BTF_VERSION ||
	    !((p[0] == 0x9f && p[1] == 0xeb) || (p[0] == 0xeb && p[1] == 0x9f)))
		return 0;
	bool be = p[0] == 0xeb;
	uint32_t hl = ld32(p + 4, be);
	if (hl < BTF_HDR_MIN || hl > 256 || hl % 4 || hl > n)
		return 0;
	uint64_t end = hl;
	for (uint32_t f = 8; f <= 24 && f + 8 <= hl; f += 8) { /* (off, len) pairs */
		uint64_t off = ld32(p + f, be), len = ld32(p + f + 4, be);
		if (off + len > n - hl)
			return 0;
		if (hl + off + len > end)
			end = hl + off + len;
	}
	uint32_t toff = ld32(p + 8, be), soff = ld32(p + 16, be), slen = ld32(p + 20, be);
	if (toff % 4 || !slen || p[hl + soff] || p[hl + soff + slen - 1])
		return 0;
	return (size_t)end;
}

/* The largest sound BTF blob among @n bytes at @p (the vmlinux BTF of a kernel image): 0 and where, or -ENODATA. */
static int find_image_btf(const uint8_t *p, size_t n, size_t *off, size_t *len)
{
	*len = 0;
	for (size_t i = 0; i + BTF_HDR_MIN <= n; i++) {
		if ((p[i] != 0x9f && p[i] != 0xeb) || p[i + 2] != BTF_VERSION)
			continue;
		size_t l = btf_blob_at(p + i, n - i);
		if (l > *len) {
			*off = i;
			*len = l;
		}
	}
	return *len ? 0 : -ENODATA;
}

/* The vmlinux BTF among the bytes of kernel image @in (consumed; @what names it) into @out. */
static int extract_image(struct btfc_ctx *ctx, const char *name, struct bytes *in, const char *what,
			 struct bytes *out)
{
	size_t off, len;

	if (find_image_btf(in->data, in->len, &off, &len)) {
		bytes_release(in);
		return btfci_err(ctx, -ENODATA, name,
				 "%s holds no BTF (built without CONFIG_DEBUG_INFO_BTF?)", what);
	}
	if (in->owned && in->data == in->owned) { /* ours: keep it, the BTF moved to its start */
		memmove(in->owned, in->data + off, len);
		*out = (struct bytes){ .data = in->owned, .len = len, .owned = in->owned };
		return 0;
	}
	uint8_t *copy = malloc(len);
	if (copy)
		memcpy(copy, in->data + off, len);
	bytes_release(in);
	if (!copy)
		return btfci_err(ctx, -ENOMEM, name, "out of memory");
	*out = (struct bytes){ .data = copy, .len = len, .owned = copy };
	return 0;
}

/*
 * The compressed vmlinux.bin of an s390 image: no header says where it is, so
 * every compressed-stream magic after the entry point list is tried until one
 * decompresses to bytes holding BTF. 0 and *@dec, *@dlen, *@c, or an error.
 */
static int s390_payload(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
			uint8_t **dec, size_t *dlen, enum btfc_compression *c)
{
	unsigned tried = 0;
	char msg[sizeof(ctx->err)];

	for (size_t at = btfci_next_stream(p, n, 0x10010); at < n;
	     at = btfci_next_stream(p, n, at + 1)) {
		size_t o, l;
		*c = btfci_sniff_compression(p + at, n - at);
		tried++;
		ctx->quiet++; /* failed tries say nothing */
		int err = btfci_decompress(ctx, name, *c, p + at, n - at, dec, dlen);
		ctx->quiet--;
		if (err == -ENOMEM) {
			memcpy(msg, ctx->err, sizeof(msg));
			return btfci_err(ctx, err, NULL, "%s", msg); /* now said */
		}
		if (!err && !find_image_btf(*dec, *dlen, &o, &l))
			return 0;
		free(*dec);
	}
	return btfci_err(
		ctx, -EINVAL, name,
		"s390 image: none of its %u compressed-stream candidates decompresses to a vmlinux with BTF "
		"(truncated or corrupt?)",
		tried);
}

/*
 * If @in is a bzImage, an EFI zboot image or an s390 image: 1 and its
 * decompressed payload in *@inner (@in consumed), with src's container and
 * compression set. 0 if it is none of these (@in kept); an error (@in consumed).
 */
static int kernel_payload(struct btfc_ctx *ctx, const char *name, struct bytes *in,
			  struct btfc_source_info *src, struct bytes *inner)
{
	const uint8_t *p = in->data, *pl = NULL;
	size_t n = in->len, plen = 0, dlen = 0;
	enum btfc_compression c = BTFC_COMP_NONE;
	uint8_t *dec = NULL;
	int r = btfci_bzimage_payload(ctx, name, p, n, &pl, &plen);

	if (r == 1) {
		src->container = BTFC_CONT_VMLINUZ;
		c = btfci_sniff_compression(pl, plen);
		if (c == BTFC_COMP_NONE)
			r = btfci_err(ctx, -EINVAL, name,
				      "bzImage payload compression not recognised");
	}
	if (!r && (r = btfci_zboot_payload(ctx, name, p, n, &pl, &plen, &c)) == 1)
		src->container = BTFC_CONT_ZBOOT;
	if (r == 1)
		r = btfci_decompress(ctx, name, c, pl, plen, &dec, &dlen);
	else if (!r && btfci_s390_image(p, n)) {
		src->container = BTFC_CONT_S390;
		r = s390_payload(ctx, name, p, n, &dec, &dlen, &c);
	} else if (!r)
		return 0;
	bytes_release(in);
	if (r < 0)
		return r;
	src->compression = c;
	*inner = (struct bytes){ .data = dec, .len = dlen, .owned = dec };
	return 1;
}

/* The BTF blob inside @in (consumed): raw BTF, ELF, compressed file or kernel image. */
static int extract(struct btfc_ctx *ctx, const char *name, struct bytes *in,
		   struct btfc_source_info *src, int depth, struct bytes *out)
{
	const uint8_t *p = in->data;
	size_t n = in->len;
	const char *image = btfci_boot_image(p, n);

	if (n >= 2 && ((p[0] == 0x9f && p[1] == 0xeb) || (p[0] == 0xeb && p[1] == 0x9f))) {
		*out = *in;
		return 0;
	}
	if (n >= 4 && !memcmp(p,
			      "\x7f"
			      "ELF",
			      4))
		return extract_elf(ctx, name, in, src, out);
	if (image) { /* (an EFI zboot image has the PE magic at 0x38, not an Image's) */
		if (src->container == BTFC_CONT_RAW)
			src->container = BTFC_CONT_IMAGE;
		return extract_image(ctx, name, in, image, out);
	}

	enum btfc_compression c = btfci_sniff_compression(p, n);
	if (c == BTFC_COMP_NONE && depth == 0) {
		struct bytes inner;
		int r = kernel_payload(ctx, name, in, src, &inner);
		if (r < 0)
			return r;
		if (r == 1 && src->container == BTFC_CONT_VMLINUZ) {
			if (inner.len < 4 || memcmp(inner.data,
						    "\x7f"
						    "ELF",
						    4)) {
				bytes_release(&inner);
				return btfci_err(ctx, -EINVAL, name,
						 "bzImage payload is not an ELF vmlinux");
			}
			return extract_elf(ctx, name, &inner, src, out);
		}
		if (r == 1) {
			if (inner.len >= 4 && !memcmp(inner.data,
						      "\x7f"
						      "ELF",
						      4))
				return extract_elf(ctx, name, &inner, src, out);
			return extract_image(ctx, name, &inner,
					     src->container == BTFC_CONT_ZBOOT ?
						     "EFI zboot payload" :
						     "s390 image",
					     out);
		}
	}
	if ((c == BTFC_COMP_NONE || depth > 0) && src->raw_fallback) {
		*out = *in; /* unrecognised: hand the bytes over as (possibly broken) raw BTF */
		return 0;
	}
	if (c == BTFC_COMP_NONE || depth > 0) {
		char hex[16] = "";
		for (size_t i = 0, k = 0; i < 4 && i < n; i++)
			k += snprintf(hex + k, sizeof(hex) - k, i ? " %02x" : "%02x", p[i]);
		bytes_release(in);
		return btfci_err(
			ctx, -EINVAL, name,
			"not BTF, ELF, a compressed module or a kernel image (starts with %s)",
			hex);
	}
	uint8_t *dec;
	size_t dlen;
	int err = btfci_decompress(ctx, name, c, p, n, &dec, &dlen);
	bytes_release(in);
	if (err)
		return err;
	src->compression = c;
	struct bytes inner = { .data = dec, .len = dlen, .owned = dec };
	return extract(ctx, name, &inner, src, depth + 1, out);
}

static int open_bytes(struct btfc_ctx *ctx, const char *name, struct bytes *in,
		      const struct btfc_btf *base, struct btfc_source_info *src,
		      struct btfc_btf **out)
{
	struct bytes b;
	int err = extract(ctx, name, in, src, 0, &b);

	if (err)
		return err;
	return btfci_btf_new(ctx, b.data, b.len, name, base, b.owned, NULL, 0, src, out);
}

BTFC_API int btfc_btf_open(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base,
			   struct btfc_btf **out)
{
	struct btfc_source_info src = { 0 };
	struct bytes in;
	int err;

	*out = NULL;
	err = read_file(ctx, path, &in, &src.file_size);
	if (err)
		return err;
	return open_bytes(ctx, path, &in, base, &src, out);
}

BTFC_API int btfc_btf_open_mem(struct btfc_ctx *ctx, const void *data, size_t len, const char *name,
			       const struct btfc_btf *base, struct btfc_btf **out)
{
	struct btfc_source_info src = { .file_size = len };
	uint8_t *copy = malloc(len ? len : 1);

	*out = NULL;
	if (!copy)
		return btfci_err(ctx, -ENOMEM, name, "out of memory");
	if (len)
		memcpy(copy, data, len);
	struct bytes in = { .data = copy, .len = len, .owned = copy };
	if (!len) {
		bytes_release(&in);
		return btfci_err(ctx, -EINVAL, name, "empty input");
	}
	return open_bytes(ctx, name ? name : "(memory)", &in, base, &src, out);
}

BTFC_API int btfc_read_raw(struct btfc_ctx *ctx, const char *path, void **data, size_t *len,
			   struct btfc_source_info *info)
{
	struct btfc_source_info src = { .sz = sizeof(src) };
	struct bytes in, b;
	int err;

	*data = NULL;
	*len = 0;
	if (info && (err = btfci_result_check(ctx, info, "btfc_source_info")))
		return err;
	src.raw_fallback = 1;
	err = read_file(ctx, path, &in, &src.file_size);
	if (!err)
		err = extract(ctx, path, &in, &src, 0, &b);
	if (err)
		return err;
	*len = b.len;
	if (b.owned && b.data == b.owned) {
		*data = b.owned;
	} else {
		*data = malloc(b.len ? b.len : 1);
		if (*data)
			memcpy(*data, b.data, b.len);
		bytes_release(&b);
		if (!*data)
			return btfci_err(ctx, -ENOMEM, path, "out of memory");
	}
	src.btf_size = *len;
	src.raw_fallback = 0;
	src.big_endian = *len >= 2 && ((const uint8_t *)*data)[0] == 0xeb;
	if (info)
		btfci_result_put(info, &src, sizeof(src));
	return 0;
}
