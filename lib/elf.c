// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * elf: reading ELF images, as libbpf's elf.c: the layout of an image checked
 * against its size before libelf sees it (every header and section inside,
 * the section name table sound, as the kernel's module loader checks it), an
 * ELF handle on an image in memory, a section found by name and its
 * contents (decompressed when SHF_COMPRESSED, within the caller's limit).
 * Writing sections is elfw.c's; modules as a whole are module.c's.
 */
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <string.h>

#include "elf_int.h"

/* Section @secname of @e: 0 and *@out, -ENODATA if absent, -EINVAL for corrupt section headers. */
int btfci_elf_find_scn(Elf *e, size_t shstrndx, const char *secname, GElf_Shdr *sh, Elf_Scn **out)
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
int btfci_elf_scn_data(struct btfc_ctx *ctx, const char *name, Elf_Scn *scn, const GElf_Shdr *sh,
		       const char *secname, uint64_t limit, const uint8_t **sec, size_t *len,
		       bool *compressed)
{
	if (sh->sh_type == SHT_NOBITS)
		return btfci_err(ctx, -EINVAL, name, "%s section has no data (SHT_NOBITS)",
				 secname);
	*compressed = sh->sh_flags & SHF_COMPRESSED;
	if (*compressed) {
		GElf_Chdr ch;
		if (!gelf_getchdr(scn, &ch))
			return btfci_err(ctx, -EINVAL, name, "corrupt compressed %s: %s", secname,
					 elf_errmsg(-1));
		if (ch.ch_size > limit)
			return btfci_err(ctx, -EFBIG, name,
					 "compressed %s claims %" PRIu64 " bytes", secname,
					 (uint64_t)ch.ch_size);
		if (elf_compress(scn, 0, 0) < 0)
			return btfci_err(ctx, -EINVAL, name, "cannot decompress %s: %s", secname,
					 elf_errmsg(-1));
	}
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d)
		return btfci_err(ctx, -EINVAL, name, "cannot read %s: %s", secname, elf_errmsg(-1));
	if (!d->d_buf && d->d_size)
		return btfci_err(ctx, -EINVAL, name, "%s section is empty", secname);
	*sec = d->d_buf;
	*len = d->d_size;
	return 0;
}

uint64_t btfci_elf_rd(const uint8_t *p, unsigned size, bool msb)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v = v << 8 | p[msb ? i : size - 1 - i];
	return v;
}

/* Where the fields of the ELF header and of a section header are, by class. */
struct elf_geo {
	bool msb;
	unsigned ehsize, shentsize, w; /* w: width of offsets and sizes */
	unsigned phoff, shoff, phentsize_at, phnum_at, shentsize_at, shnum_at, shstrndx_at;
	unsigned sh_type, sh_offset, sh_size, sh_link;
};

static bool elf_geo(const uint8_t *p, size_t n, struct elf_geo *g)
{
	static const struct elf_geo g32 = { false, 52,   40,   4, 0x1c, 0x20, 0x2a, 0x2c,
					    0x2e,  0x30, 0x32, 4, 0x10, 0x14, 0x18 };
	static const struct elf_geo g64 = { false, 64,   64,   8, 0x20, 0x28, 0x36, 0x38,
					    0x3a,  0x3c, 0x3e, 4, 0x18, 0x20, 0x28 };

	if (n < 52 ||
	    memcmp(p,
		   "\x7f"
		   "ELF",
		   4) ||
	    (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64) ||
	    (p[EI_DATA] != ELFDATA2LSB && p[EI_DATA] != ELFDATA2MSB))
		return false;
	*g = p[EI_CLASS] == ELFCLASS64 ? g64 : g32;
	g->msb = p[EI_DATA] == ELFDATA2MSB;
	return n >= g->ehsize;
}

size_t btfci_elf_shdr_end(const uint8_t *p, size_t n)
{
	struct elf_geo g;

	if (!elf_geo(p, n, &g))
		return 0;
	uint64_t shoff = btfci_elf_rd(p + g.shoff, g.w, g.msb),
		 shnum = btfci_elf_rd(p + g.shnum_at, 2, g.msb);
	if (!shnum || shoff > SIZE_MAX / 2)
		return 0;
	return shoff + shnum * g.shentsize;
}

/*
 * The section name table, as the kernel's module loader checks it
 * (kernel/module/main.c elf_validity_cache_secstrings()): an SHT_STRTAB
 * section other than 0 that is not empty and ends with a NUL, and every
 * section's name inside it. Without a sound one no section can be found by
 * name: the file is corrupt, never "without BTF".
 */
static int name_table(struct btfc_ctx *ctx, const char *name, const uint8_t *p,
		      const struct elf_geo *g, uint64_t shoff, uint64_t shnum, uint64_t shstrndx,
		      size_t *end, size_t last)
{
	const uint8_t *sh = p + shoff + shstrndx * g->shentsize;
	uint64_t type = btfci_elf_rd(sh + g->sh_type, 4, g->msb),
		 off = btfci_elf_rd(sh + g->sh_offset, g->w, g->msb);
	uint64_t size = btfci_elf_rd(sh + g->sh_size, g->w, g->msb);

	if (!shstrndx || type != SHT_STRTAB)
		return btfci_refuse(
			ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
			"corrupt ELF: section name table index %" PRIu64 " names %s", shstrndx,
			!shstrndx ? "no section" : "a section that is not a string table");
	if (!size || p[off + size - 1])
		return btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
				    "corrupt ELF: the section name table (%" PRIu64 " bytes) %s",
				    size, size ? "does not end with a NUL" : "is empty");
	for (uint64_t i = 1; i < shnum; i++) {
		uint64_t nm = btfci_elf_rd(p + shoff + i * g->shentsize, 4, g->msb);
		if (nm >= size)
			return btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "corrupt ELF: the name of section %" PRIu64
					    " is at %" PRIu64
					    ", past the section name table (%" PRIu64 " bytes)",
					    i, nm, size);
	}
	*end = last;
	return 0;
}

int btfci_elf_layout(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
		     size_t *end)
{
	struct elf_geo g;

	if (!elf_geo(p, n, &g))
		return btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
				    "corrupt ELF header (%zu bytes)", n);
	uint64_t shoff = btfci_elf_rd(p + g.shoff, g.w, g.msb),
		 shnum = btfci_elf_rd(p + g.shnum_at, 2, g.msb);
	uint64_t shent = btfci_elf_rd(p + g.shentsize_at, 2, g.msb),
		 shstrndx = btfci_elf_rd(p + g.shstrndx_at, 2, g.msb);
	uint64_t phoff = btfci_elf_rd(p + g.phoff, g.w, g.msb),
		 phnum = btfci_elf_rd(p + g.phnum_at, 2, g.msb);
	uint64_t phent = btfci_elf_rd(p + g.phentsize_at, 2, g.msb), last = g.ehsize;

	if (phnum && (phoff > n || phnum * phent > n - phoff))
		return btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
				    "program headers at %" PRIu64 " exceed the file size %zu",
				    phoff, n);
	if (phnum)
		last = phoff + phnum * phent > last ? phoff + phnum * phent : last;
	if (shoff) {
		if (shent != g.shentsize)
			return btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "corrupt ELF header: section header size %" PRIu64
					    ", expected %u",
					    shent, g.shentsize);
		if (shoff > n || n - shoff < g.shentsize)
			return btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "section headers at %" PRIu64
					    " exceed the file size %zu",
					    shoff, n);
		if (!shnum) /* extended numbering: the count is in section 0 */
			shnum = btfci_elf_rd(p + shoff + g.sh_size, g.w, g.msb);
		if (shstrndx == SHN_XINDEX)
			shstrndx = btfci_elf_rd(p + shoff + g.sh_link, 4, g.msb);
		if (shnum > (n - shoff) / g.shentsize)
			return btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "section headers at %" PRIu64 " (%" PRIu64
					    " of %u bytes) exceed the file size %zu",
					    shoff, shnum, g.shentsize, n);
		if (shstrndx >= shnum)
			return btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "section name table index %" PRIu64
					    " is out of range (%" PRIu64 " sections)",
					    shstrndx, shnum);
		last = shoff + shnum * g.shentsize > last ? shoff + shnum * g.shentsize : last;
	}
	/* the section name table first: the other sections' messages name them */
	const uint8_t *strs = NULL;
	uint64_t strs_len = 0;
	for (uint64_t k = 0; shoff && k <= shnum; k++) {
		uint64_t i = k == 0 ? shstrndx : k;
		if (k && (i == shstrndx || i == shnum))
			continue;
		if (!i)
			continue;
		const uint8_t *sh = p + shoff + i * g.shentsize;
		uint64_t type = btfci_elf_rd(sh + g.sh_type, 4, g.msb),
			 off = btfci_elf_rd(sh + g.sh_offset, g.w, g.msb);
		uint64_t size = btfci_elf_rd(sh + g.sh_size, g.w, g.msb),
			 nm = btfci_elf_rd(sh, 4, g.msb);
		if (type == SHT_NOBITS || type == SHT_NULL)
			continue;
		if (off > n || size > n - off) {
			const char *sn = strs && nm < strs_len &&
							 memchr(strs + nm, 0, strs_len - nm) ?
						 (const char *)strs + nm :
						 "";
			return btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, name,
					    "corrupt ELF: section %" PRIu64
					    "%s%s%s (offset %" PRIu64 ", %" PRIu64
					    " bytes) exceeds the file size %zu",
					    i, *sn ? " '" : "", sn, *sn ? "'" : "", off, size, n);
		}
		if (i == shstrndx) {
			strs = p + off;
			strs_len = size;
		}
		last = off + size > last ? off + size : last;
	}
	if (shoff && shnum)
		return name_table(ctx, name, p, &g, shoff, shnum, shstrndx, end, last);
	*end = last;
	return 0;
}

int btfci_elf_open_mem(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
		       Elf **elfp, size_t *shstrndx)
{
	size_t end;
	int err = btfci_elf_layout(ctx, name, p, n, &end);

	*elfp = NULL;
	if (err)
		return err;
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)p, n);
	*elfp = e;
	if (!e || elf_kind(e) != ELF_K_ELF)
		return btfci_err(ctx, -EINVAL, name, "corrupt ELF: %s", elf_errmsg(-1));
	if (elf_getshdrstrndx(e, shstrndx))
		return btfci_err(ctx, -EINVAL, name, "corrupt ELF section headers: %s",
				 elf_errmsg(-1));
	return 0;
}
