// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * io: every source of BTF bytes -> one BTF object.
 *   raw BTF (file, /sys/kernel/btf/...)  -> parsed in place (mmap, zero copy)
 *   ELF (vmlinux, .ko)                   -> .BTF section via libelf (SHF_COMPRESSED too)
 *   compressed file (.ko.xz/.zst/.gz...) -> decompressed, then again from the top
 *   bzImage (vmlinuz)                    -> payload decompressed -> vmlinux ELF -> .BTF
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf_int.h"
#include "elfw.h"

/* A buffer and who frees it. */
struct bytes {
	const uint8_t *data;
	size_t len;
	void *owned;    /* malloc'd, or NULL */
	void *map;      /* mmap'd, or NULL */
	size_t map_len;
};

static void bytes_release(struct bytes *b)
{
	free(b->owned);
	if (b->map)
		munmap(b->map, b->map_len);
	memset(b, 0, sizeof(*b));
}

static bool in_buffer(const struct bytes *b, const void *p, size_t n)
{
	const uint8_t *q = p;

	return q >= b->data && n <= b->len && (size_t)(q - b->data) <= b->len - n;
}

int btfc__read_fd(struct btfc_ctx *ctx, const char *name, int fd, uint8_t **out, size_t *outlen)
{
	struct stat st;
	size_t cap = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 1 << 20;
	size_t len = 0;
	uint8_t *buf = NULL;
	bool seekable = true;

	for (;;) {
		if (len == cap || !buf) {
			if (buf)
				cap *= 2;
			if (cap > ctx->max_decompressed + 1) {
				free(buf);
				return btfc__err(ctx, -EFBIG, name, "file larger than %" PRIu64 " bytes",
						 ctx->max_decompressed);
			}
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return btfc__err(ctx, -ENOMEM, name, "out of memory reading");
			}
			buf = nb;
		}
		/* pread: independent of the file offset (a memfd just written); read: pipes */
		ssize_t r = seekable ? pread(fd, buf + len, cap - len, len) : read(fd, buf + len, cap - len);
		if (r < 0 && errno == ESPIPE && seekable) {
			seekable = false;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return btfc__err(ctx, -e, name, "read error: %s", strerror(e));
		}
		if (!r)
			break;
		len += r;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

static int read_file(struct btfc_ctx *ctx, const char *path, struct bytes *out, uint64_t *file_size, bool map)
{
	struct stat st;
	int fd, err = 0;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return btfc__err(ctx, -errno, path, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st)) {
		err = btfc__err(ctx, -errno, path, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = btfc__err(ctx, -EISDIR, path, "is a directory");
		goto out;
	}
	/*
	 * Regular files are mapped (unless @map is false: the caller wants a heap
	 * copy anyway); sysfs and pipes report no usable size: read them.
	 */
	if (map && S_ISREG(st.st_mode) && st.st_size > 0 && strncmp(path, "/sys/", 5) != 0) {
		void *m = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			out->data = out->map = m;
			out->len = out->map_len = st.st_size;
			*file_size = st.st_size;
			goto out;
		}
	}
	uint8_t *buf;
	size_t len;
	if ((err = btfc__read_fd(ctx, path, fd, &buf, &len)))
		goto out;
	out->data = out->owned = buf;
	out->len = len;
	*file_size = len;
out:
	close(fd);
	if (!err && !out->len) {
		bytes_release(out);
		err = btfc__err(ctx, -EINVAL, path, "empty file");
	}
	return err;
}

/* Section @secname of @e: 0 and *@out, -ENODATA if absent, -EINVAL for corrupt section headers. */
static int find_scn(Elf *e, size_t shstrndx, const char *secname, GElf_Shdr *sh, Elf_Scn **out)
{
	(void)elf_errno(); /* libelf's error is sticky: forget what an earlier call left */
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		if (!gelf_getshdr(scn, sh))
			return -EINVAL;
		const char *sn = elf_strptr(e, shstrndx, sh->sh_name);
		if (sn && !strcmp(sn, secname)) {
			*out = scn;
			return 0;
		}
	}
	return elf_errno() ? -EINVAL : -ENODATA;
}

/* Contents of section @scn (decompressed if SHF_COMPRESSED) of @e. */
static int scn_data(struct btfc_ctx *ctx, const char *name, Elf_Scn *scn, const GElf_Shdr *sh,
		    const char *secname, const uint8_t **sec, size_t *len, bool *compressed)
{
	if (sh->sh_type == SHT_NOBITS)
		return btfc__err(ctx, -EINVAL, name, "%s section has no data (SHT_NOBITS)", secname);
	*compressed = sh->sh_flags & SHF_COMPRESSED;
	if (*compressed) {
		GElf_Chdr ch;
		if (!gelf_getchdr(scn, &ch))
			return btfc__err(ctx, -EINVAL, name, "corrupt compressed %s: %s", secname, elf_errmsg(-1));
		if (ch.ch_size > ctx->max_decompressed)
			return btfc__err(ctx, -EFBIG, name, "compressed %s claims %" PRIu64 " bytes", secname,
					 (uint64_t)ch.ch_size);
		if (elf_compress(scn, 0, 0) < 0)
			return btfc__err(ctx, -EINVAL, name, "cannot decompress %s: %s", secname, elf_errmsg(-1));
	}
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d)
		return btfc__err(ctx, -EINVAL, name, "cannot read %s: %s", secname, elf_errmsg(-1));
	if (!d->d_buf && d->d_size)
		return btfc__err(ctx, -EINVAL, name, "%s section is empty", secname);
	*sec = d->d_buf;
	*len = d->d_size;
	return 0;
}

/* An ELF handle on image @in, with its section name table index. */
static int elf_open_mem(struct btfc_ctx *ctx, const char *name, const struct bytes *in, Elf **elfp, size_t *shstrndx)
{
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)in->data, in->len);
	*elfp = e;
	if (!e || elf_kind(e) != ELF_K_ELF)
		return btfc__err(ctx, -EINVAL, name, "corrupt ELF: %s", elf_errmsg(-1));
	if (elf_getshdrstrndx(e, shstrndx))
		return btfc__err(ctx, -EINVAL, name, "corrupt ELF section headers: %s", elf_errmsg(-1));
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
	int err = elf_open_mem(ctx, name, in, elfp, &shstrndx);

	if (err)
		return err;
	Elf_Scn *scn;
	err = find_scn(*elfp, shstrndx, secname, &sh, &scn);
	if (err == -ENODATA)
		return btfc__err(ctx, err, name, "no %s section", secname);
	if (err)
		return btfc__err(ctx, err, name, "corrupt ELF section headers: %s", elf_errmsg(-1));
	return scn_data(ctx, name, scn, &sh, secname, sec, len, compressed);
}

/*
 * Take the .BTF of ELF image @in (which this call consumes) into @out: borrowed
 * where it lies in a file mapping, else copied so the rest can be dropped.
 */
static int extract_elf(struct btfc_ctx *ctx, const char *name, struct bytes *in, struct btfc_source_info *src,
		       struct bytes *out)
{
	const uint8_t *sec = NULL;
	size_t len = 0;
	Elf *e = NULL;
	bool compressed = false;
	int err;

	err = elf_section(ctx, name, in, ".BTF", &e, &sec, &len, &compressed);
	if (err == -ENODATA)
		btfc__err(ctx, err, name, "no .BTF section (built without CONFIG_DEBUG_INFO_BTF%s?)",
			  src->container == BTFC_CONT_VMLINUZ ? "" : "_MODULES");
	if (err)
		goto fail;
	if (src->container == BTFC_CONT_RAW)
		src->container = BTFC_CONT_ELF;
	src->elf_section_compressed = compressed;
	GElf_Ehdr eh;
	src->elf_type = gelf_getehdr(e, &eh) ? eh.e_type : 0;
	if (in->map && in_buffer(in, sec, len)) {
		elf_end(e);
		*out = *in;
		out->data = sec;
		out->len = len;
		return 0;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy) {
		err = btfc__err(ctx, -ENOMEM, name, "out of memory");
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

/* The BTF blob inside @in (consumed): raw BTF, ELF, compressed file or bzImage. */
static int extract(struct btfc_ctx *ctx, const char *name, struct bytes *in, struct btfc_source_info *src,
		   int depth, struct bytes *out)
{
	const uint8_t *p = in->data;
	size_t n = in->len;

	if (n >= 2 && ((p[0] == 0x9f && p[1] == 0xeb) || (p[0] == 0xeb && p[1] == 0x9f))) {
		*out = *in;
		return 0;
	}
	if (n >= 4 && !memcmp(p, "\x7f" "ELF", 4))
		return extract_elf(ctx, name, in, src, out);

	enum btfc_compression c = btfc__sniff_compression(p, n);
	const uint8_t *payload = p;
	size_t plen = n;
	if (c == BTFC_COMP_NONE && depth == 0) {
		int r = btfc__bzimage_payload(ctx, name, p, n, &payload, &plen);
		if (r < 0) {
			bytes_release(in);
			return r;
		}
		if (r == 1) {
			src->container = BTFC_CONT_VMLINUZ;
			c = btfc__sniff_compression(payload, plen);
			if (c == BTFC_COMP_NONE) {
				bytes_release(in);
				return btfc__err(ctx, -EINVAL, name,
						 "bzImage payload compression not recognised");
			}
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
		return btfc__err(ctx, -EINVAL, name,
				 "not BTF, ELF, a compressed module or a bzImage (starts with %s)", hex);
	}
	uint8_t *dec;
	size_t dlen;
	int err = btfc__decompress(ctx, name, c, payload, plen, &dec, &dlen);
	bytes_release(in);
	if (err)
		return err;
	src->compression = c;
	struct bytes inner = { .data = dec, .len = dlen, .owned = dec };
	if (src->container == BTFC_CONT_VMLINUZ) {
		if (dlen < 4 || memcmp(dec, "\x7f" "ELF", 4)) {
			bytes_release(&inner);
			return btfc__err(ctx, -EINVAL, name, "bzImage payload is not an ELF vmlinux");
		}
		return extract_elf(ctx, name, &inner, src, out);
	}
	return extract(ctx, name, &inner, src, depth + 1, out);
}

static int open_bytes(struct btfc_ctx *ctx, const char *name, struct bytes *in, const struct btfc_btf *base,
		      struct btfc_source_info *src, struct btfc_btf **out)
{
	struct bytes b;
	int err = extract(ctx, name, in, src, 0, &b);

	if (err)
		return err;
	return btfc__btf_new(ctx, b.data, b.len, name, base, b.owned, b.map, b.map_len, src, out);
}

BTFC_API int btfc_btf_open(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base,
			   struct btfc_btf **out)
{
	struct btfc_source_info src = { 0 };
	struct bytes in;
	int err;

	*out = NULL;
	err = read_file(ctx, path, &in, &src.file_size, true);
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
		return btfc__err(ctx, -ENOMEM, name, "out of memory");
	if (len)
		memcpy(copy, data, len);
	struct bytes in = { .data = copy, .len = len, .owned = copy };
	if (!len) {
		bytes_release(&in);
		return btfc__err(ctx, -EINVAL, name, "empty input");
	}
	return open_bytes(ctx, name ? name : "(memory)", &in, base, &src, out);
}

BTFC_API int btfc_read_raw(struct btfc_ctx *ctx, const char *path, void **data, size_t *len,
			   struct btfc_source_info *info)
{
	struct btfc_source_info src = { 0 };
	struct bytes in, b;
	int err;

	*data = NULL;
	*len = 0;
	src.raw_fallback = 1;
	err = read_file(ctx, path, &in, &src.file_size, false);
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
			return btfc__err(ctx, -ENOMEM, path, "out of memory");
	}
	src.btf_size = *len;
	src.raw_fallback = 0;
	src.big_endian = *len >= 2 && ((const uint8_t *)*data)[0] == 0xeb;
	if (info)
		*info = src;
	return 0;
}

/* ---- modules: one decompression, several sections ---- */

struct btfc_module {
	char *name;
	struct bytes img;
	Elf *elf;
	size_t shstrndx;
	struct btfc_source_info src;
};

const char *btfc__module_name(const struct btfc_module *m)
{
	return m->name;
}

bool btfc__module_big_endian(const struct btfc_module *m)
{
	const char *id = elf_getident(m->elf, NULL);
	return id && id[EI_DATA] == ELFDATA2MSB;
}

unsigned btfc__module_ptr_size(const struct btfc_module *m)
{
	const char *id = elf_getident(m->elf, NULL);
	return id && id[EI_CLASS] == ELFCLASS32 ? 4 : 8;
}

BTFC_API int btfc_module_open(struct btfc_ctx *ctx, const char *path, struct btfc_module **out)
{
	struct btfc_module *m = calloc(1, sizeof(*m));
	struct bytes in;
	int err;

	*out = NULL;
	if (!m || !(m->name = strdup(path))) {
		free(m);
		return btfc__err(ctx, -ENOMEM, path, "out of memory");
	}
	err = read_file(ctx, path, &in, &m->src.file_size, true);
	if (err)
		goto fail;
	enum btfc_compression c = btfc__sniff_compression(in.data, in.len);
	if (c != BTFC_COMP_NONE) {
		uint8_t *dec;
		size_t dlen;
		err = btfc__decompress(ctx, path, c, in.data, in.len, &dec, &dlen);
		bytes_release(&in);
		if (err)
			goto fail;
		in = (struct bytes){ .data = dec, .len = dlen, .owned = dec };
		m->src.compression = c;
	}
	m->img = in;
	if (in.len < 4 || memcmp(in.data, "\x7f" "ELF", 4)) {
		err = btfc__err(ctx, -EINVAL, path, "not an ELF module");
		goto fail;
	}
	err = elf_open_mem(ctx, path, &m->img, &m->elf, &m->shstrndx);
	if (err)
		goto fail;
	m->src.container = BTFC_CONT_ELF;
	*out = m;
	return 0;
fail:
	btfc_module_free(m);
	return err;
}

BTFC_API void btfc_module_free(struct btfc_module *m)
{
	if (!m)
		return;
	elf_end(m->elf);
	bytes_release(&m->img);
	free(m->name);
	free(m);
}

BTFC_API int btfc_module_section(const struct btfc_module *m, const char *name, const void **data, size_t *len)
{
	GElf_Shdr sh;
	Elf_Scn *scn;
	bool compressed;
	struct btfc_ctx quiet = { 0 }; /* the caller gets the errno; no message is kept */
	const uint8_t *p;
	int err = find_scn(m->elf, m->shstrndx, name, &sh, &scn);

	if (err)
		return err;
	quiet.max_decompressed = 1ull << 30;
	err = scn_data(&quiet, m->name, scn, &sh, name, &p, len, &compressed);
	*data = p;
	return err;
}

BTFC_API int btfc_module_signed(const struct btfc_module *m)
{
	return btfc__module_signed(m->img.data, m->img.len);
}

BTFC_API int btfc_module_btf(struct btfc_ctx *ctx, const struct btfc_module *m, const struct btfc_btf *base,
			     struct btfc_btf **out)
{
	const void *sec;
	size_t len;
	int err = btfc_module_section(m, ".BTF", &sec, &len);

	*out = NULL;
	if (err == -ENODATA)
		return btfc__err(ctx, err, m->name, "no .BTF section (built without CONFIG_DEBUG_INFO_BTF_MODULES?)");
	if (err)
		return btfc__err(ctx, err, m->name, "cannot read .BTF: corrupt ELF section headers or data");
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return btfc__err(ctx, -ENOMEM, m->name, "out of memory");
	if (len)
		memcpy(copy, sec, len);
	struct btfc_source_info src = m->src;
	src.elf_type = ET_REL;
	return btfc__btf_new(ctx, copy, len, m->name, base, copy, NULL, 0, &src, out);
}

int btfc__module_symbols(const struct btfc_module *m, const char *secname, btfc__sym_fn fn, void *user)
{
	GElf_Shdr sh, symsh;
	Elf_Scn *target, *scn = NULL;
	int err = find_scn(m->elf, m->shstrndx, secname, &sh, &target);

	if (err)
		return err;
	size_t ndx = elf_ndxscn(target);
	while ((scn = elf_nextscn(m->elf, scn))) {
		if (!gelf_getshdr(scn, &symsh) || symsh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t n = d && symsh.sh_entsize ? d->d_size / symsh.sh_entsize : 0;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s) || s.st_shndx != ndx)
				continue;
			const char *name = elf_strptr(m->elf, symsh.sh_link, s.st_name);
			if (name && (err = fn(user, name, s.st_value)))
				return err;
		}
	}
	return 0;
}
