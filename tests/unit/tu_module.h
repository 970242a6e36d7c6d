/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Helpers for the in-memory repair tests (test_relocate, test_stamp,
 * test_store, test_repair), written independently of the library under test:
 *  - tu_split_same(): two split (or standalone) BTFs compared type by type,
 *    names as strings and type ids as numbers, so that a relocated module can
 *    be compared with the same module written by hand on the new base,
 *    whatever order its string section has;
 *  - tu_ko_write(): a tiny kernel module, an ET_REL ELF with .text, the
 *    sections given, .symtab, .strtab and .shstrtab, written with libelf;
 *    tu_ko_section() reads one section back with libelf;
 *  - tu_sig_append(): an appended module signature trailer around any bytes
 *    (struct module_signature + "~Module signature appended~\n"), the shape
 *    the kernel's module loader looks for;
 *  - tu_tmpdir(): a private scratch directory, removed at exit.
 * The corpus is never touched: these tests run without network and cache.
 */
#ifndef BTFC_TU_MODULE_H
#define BTFC_TU_MODULE_H

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btfcompat/btfcompat.h"
#include "testutil.h"

#define TU_SIG_MAGIC "~Module signature appended~\n"

/*
 * ---- The data: two vmlinux bases (A's variants: TU_A_TYPES(0, 32, 8) is A) and one module, written as pahole would ----
 *
 * Base A: [1] int, [2] struct foo { int a; int b; }, [3] foo *, [4] struct bar { int x; }, [5] long.
 * Base B: the same types in another order, another string order, one more type:
 *         [1] long, [2] struct pad {}, [3] int, [4] bar, [5] foo, [6] foo *.
 * The module (split BTF on either), its strings after the base's:
 *   struct mod_s { struct foo f; struct bar *p; };  int mod_fn(struct mod_s *s);
 * TU_MOD(S, N, FOO, BAR, INT): the module on a base of S string bytes whose
 * last type id is N - 1 and where foo, bar and int have those ids.
 */
#define TU_INT_S 1 /* BTF_INT_SIGNED */
#define TU_A_STRS \
	"\0int\0foo\0a\0b\0bar\0x\0long" /* int 1, foo 5, a 9, b 11, bar 13, x 17, long 19 */
#define TU_A_STR_LEN 24
#define TU_A_TYPES(A_OFF, B_OFF, FOO_SZ)                                                   \
	BTF_TYPE_INT_ENC(1, TU_INT_S, 0, 32, 4), BTF_STRUCT_ENC(5, 2, FOO_SZ),             \
		BTF_MEMBER_ENC(9, 1, A_OFF), BTF_MEMBER_ENC(11, 1, B_OFF), BTF_PTR_ENC(2), \
		BTF_STRUCT_ENC(13, 1, 4), BTF_MEMBER_ENC(17, 1, 0),                        \
		BTF_TYPE_INT_ENC(19, TU_INT_S, 0, 64, 8), BTF_END_RAW
#define TU_B_STRS \
	"\0long\0pad\0int\0bar\0x\0foo\0a\0b" /* long 1, pad 6, int 10, bar 14, x 18, foo 20, a 24, b 26 */
#define TU_B_STR_LEN 28
#define TU_B_TYPES                                                                            \
	BTF_TYPE_INT_ENC(1, TU_INT_S, 0, 64, 8), BTF_STRUCT_ENC(6, 0, 4),                     \
		BTF_TYPE_INT_ENC(10, TU_INT_S, 0, 32, 4), BTF_STRUCT_ENC(14, 1, 4),           \
		BTF_MEMBER_ENC(18, 3, 0), BTF_STRUCT_ENC(20, 2, 8), BTF_MEMBER_ENC(24, 3, 0), \
		BTF_MEMBER_ENC(26, 3, 32), BTF_PTR_ENC(5), BTF_END_RAW
#define TU_MOD_STRS "\0mod_s\0f\0p\0s\0mod_fn" /* mod_s 1, f 7, p 9, s 11, mod_fn 13 */
#define TU_MOD_STR_LEN 20
#define TU_MOD(S, N, FOO, BAR, INT)                                                     \
	BTF_STRUCT_ENC((S) + 1, 2, 16), BTF_MEMBER_ENC((S) + 7, FOO, 0),                \
		BTF_MEMBER_ENC((S) + 9, (N) + 1, 64), BTF_PTR_ENC(BAR), BTF_PTR_ENC(N), \
		BTF_FUNC_PROTO_ENC(INT, 1), BTF_FUNC_PROTO_ARG_ENC((S) + 11, (N) + 2),  \
		BTF_FUNC_ENC((S) + 13, (N) + 3, 1), BTF_END_RAW
#define TU_MOD_ON_A TU_MOD(TU_A_STR_LEN, 6, 2, 4, 1)
#define TU_MOD_ON_B TU_MOD(TU_B_STR_LEN, 7, 5, 4, 3)

/* A blob from a type array and a string literal (its final NUL included). */
#define TU_BLOB(types, strs, lenp) tu_btf_build(types, strs, sizeof(strs), lenp)

/* Parse @blob (kept alive by the caller) or exit: the fixtures must parse. */
static inline struct btfc_btf *tu_parse(struct btfc_ctx *ctx, const void *blob, size_t len,
					const char *name, const struct btfc_btf *base)
{
	struct btfc_btf *b = NULL;
	if (btfc_btf_parse(ctx, blob, len, name, base, &b)) {
		printf("FAIL: fixture %s: %s\n", name, btfc_ctx_last_error(ctx));
		exit(1);
	}
	return b;
}

/* ---- BTF comparison ---- */

/* Kinds whose size_or_type field is a type id (the others hold a size, or nothing). */
static inline bool tu_kind_refs_type(unsigned k)
{
	return k == BTFC_KIND_PTR || k == BTFC_KIND_TYPEDEF || k == BTFC_KIND_VOLATILE ||
	       k == BTFC_KIND_CONST || k == BTFC_KIND_RESTRICT || k == BTFC_KIND_FUNC ||
	       k == BTFC_KIND_FUNC_PROTO || k == BTFC_KIND_VAR || k == BTFC_KIND_DECL_TAG ||
	       k == BTFC_KIND_TYPE_TAG;
}

/* Words after the record and which of them are string offsets (bit i: word i), per kind. */
static inline unsigned tu_tail_words(const struct btfc_type *t, uint64_t *name_mask)
{
	unsigned vlen = btfc_type_vlen(t);
	*name_mask = 0;
	switch (btfc_type_kind(t)) {
	case BTFC_KIND_INT:
	case BTFC_KIND_VAR:
	case BTFC_KIND_DECL_TAG:
		return 1;
	case BTFC_KIND_ARRAY:
		return 3;
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
	case BTFC_KIND_ENUM64: /* name, x, y */
		for (unsigned i = 0; i < vlen && i < 21; i++)
			*name_mask |= 1ull << (3 * i);
		return 3 * vlen;
	case BTFC_KIND_ENUM:
	case BTFC_KIND_FUNC_PROTO: /* name, x */
		for (unsigned i = 0; i < vlen && i < 32; i++)
			*name_mask |= 1ull << (2 * i);
		return 2 * vlen;
	case BTFC_KIND_DATASEC:
		return 3 * vlen;
	default:
		return 0;
	}
}

/*
 * 1 when @got and @want own the same types: same count, and for every id the
 * same kind, flags, vlen, sizes, type ids and names (compared as strings).
 * Else 0 with the first difference in @why.
 */
static inline int tu_split_same(const struct btfc_btf *got, const struct btfc_btf *want, char *why,
				size_t cap)
{
	uint32_t g0 = btfc_btf_start_id(got), w0 = btfc_btf_start_id(want);
	uint32_t gn = btfc_btf_type_cnt(got), wn = btfc_btf_type_cnt(want);

	if (g0 != w0 || gn != wn) {
		snprintf(why, cap, "ids %u..%u, want %u..%u", g0, gn - 1, w0, wn - 1);
		return 0;
	}
	for (uint32_t id = g0; id < gn; id++) {
		const struct btfc_type *a = btfc_btf_type_by_id(got, id),
				       *b = btfc_btf_type_by_id(want, id);
		const char *an = btfc_btf_str(got, a->name_off),
			   *bn = btfc_btf_str(want, b->name_off);
		if (a->info != b->info || a->size != b->size || !an || !bn || strcmp(an, bn)) {
			snprintf(
				why, cap,
				"[%u]: %s '%s' info %#x size/type %u, want %s '%s' info %#x size/type %u",
				id, btfc_kind_name(btfc_type_kind(a)), an ? an : "?", a->info,
				a->size, btfc_kind_name(btfc_type_kind(b)), bn ? bn : "?", b->info,
				b->size);
			return 0;
		}
		uint64_t mask;
		unsigned n = tu_tail_words(a, &mask);
		const uint32_t *x = btfc_type_data(a), *y = btfc_type_data(b);
		for (unsigned i = 0; i < n; i++) {
			bool same = (mask >> i) & 1 ?
					    btfc_btf_str(got, x[i]) && btfc_btf_str(want, y[i]) &&
						    !strcmp(btfc_btf_str(got, x[i]),
							    btfc_btf_str(want, y[i])) :
					    x[i] == y[i];
			if (!same) {
				snprintf(why, cap,
					 "[%u] '%s': word %u of its records is %u, want %u%s", id,
					 an, i, x[i], y[i], (mask >> i) & 1 ? " (a name)" : "");
				return 0;
			}
		}
	}
	return 1;
}

/* ---- files ---- */

static char tu_dir[64];
static void tu_rmdir(void)
{
	char cmd[128];
	if (tu_dir[0] && snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_dir) < (int)sizeof(cmd) &&
	    system(cmd))
		fprintf(stderr, "could not remove %s\n", tu_dir);
}
/* A fresh private directory (removed at exit); @name is a file name in it. */
static inline const char *tu_path(const char *name)
{
	static char buf[8][256];
	static unsigned next;
	if (!tu_dir[0]) {
		snprintf(tu_dir, sizeof(tu_dir), "%s/btfc-unit.XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(tu_dir)) {
			perror("mkdtemp");
			exit(2);
		}
		atexit(tu_rmdir);
	}
	char *p = buf[next++ % 8];
	snprintf(p, sizeof(buf[0]), "%s/%s", tu_dir, name);
	return p;
}

static inline int tu_write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(p, 1, n, f) == n;
	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -EIO;
}

static inline void *tu_read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	size_t cap = 0, len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (len == cap && !(p = realloc(p, cap = cap ? 2 * cap : 4096)))
			break;
		size_t r = fread(p + len, 1, cap - len, f);
		len += r;
		if (!r)
			break;
	}
	fclose(f);
	*n = len;
	return p;
}

/* ---- a kernel module, written with libelf ---- */

struct tu_sec {
	const char *name;
	const void *data;
	size_t len;
};

/*
 * Write an x86-64 ET_REL module to @path: .text (4 bytes), the @n sections
 * @secs (PROGBITS), .symtab (a null symbol, a section symbol for .text and a
 * global "init_module" in .text), .strtab, .shstrtab. 0 or -EIO.
 */
static inline int tu_ko_write(const char *path, const struct tu_sec *secs, size_t n)
{
	static const uint8_t text[4] = { 0x31, 0xc0, 0xc3, 0x90 }; /* xor eax,eax; ret; nop */
	static const char strtab[] = "\0init_module";
	char shstr[512] = "";
	size_t shlen = 1;
	uint32_t name_at[16];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), err = -EIO;
	Elf *e = NULL;

	if (fd < 0 || n > 10 || elf_version(EV_CURRENT) == EV_NONE)
		goto out;
	const char *names[16];
	size_t nn = 0;
	names[nn++] = ".text";
	for (size_t i = 0; i < n; i++)
		names[nn++] = secs[i].name;
	names[nn++] = ".symtab";
	names[nn++] = ".strtab";
	names[nn++] = ".shstrtab";
	for (size_t i = 0; i < nn; i++) {
		name_at[i] = shlen;
		memcpy(shstr + shlen, names[i], strlen(names[i]) + 1);
		shlen += strlen(names[i]) + 1;
	}
	if (!(e = elf_begin(fd, ELF_C_WRITE, NULL)))
		goto out;
	Elf64_Ehdr *eh = elf64_newehdr(e);
	if (!eh)
		goto out;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_REL;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	Elf64_Sym syms[3] = { { 0 } };
	syms[1].st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
	syms[1].st_shndx = 1;
	syms[2].st_name = 1;
	syms[2].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
	syms[2].st_shndx = 1;
	syms[2].st_size = sizeof(text);
	for (size_t i = 0; i < nn; i++) {
		Elf_Scn *s = elf_newscn(e);
		Elf_Data *d = s ? elf_newdata(s) : NULL;
		Elf64_Shdr *sh = s ? elf64_getshdr(s) : NULL;
		if (!d || !sh)
			goto out;
		sh->sh_name = name_at[i];
		sh->sh_type = SHT_PROGBITS;
		d->d_type = ELF_T_BYTE;
		d->d_align = 1;
		if (i == 0) {
			d->d_buf = (void *)text, d->d_size = sizeof(text), d->d_align = 16;
			sh->sh_flags = SHF_ALLOC | SHF_EXECINSTR;
		} else if (i <= n) {
			d->d_buf = (void *)secs[i - 1].data, d->d_size = secs[i - 1].len,
			d->d_align = 4;
		} else if (i == n + 1) {
			d->d_buf = syms, d->d_size = sizeof(syms), d->d_type = ELF_T_SYM,
			d->d_align = 8;
			sh->sh_type = SHT_SYMTAB;
			sh->sh_link = nn - 1; /* .strtab */
			sh->sh_info = 2; /* first global */
			sh->sh_entsize = sizeof(Elf64_Sym);
		} else if (i == n + 2) {
			d->d_buf = (void *)strtab, d->d_size = sizeof(strtab);
			sh->sh_type = SHT_STRTAB;
		} else {
			d->d_buf = shstr, d->d_size = shlen;
			sh->sh_type = SHT_STRTAB;
			eh->e_shstrndx = nn; /* the last section */
		}
	}
	if (elf_update(e, ELF_C_WRITE) >= 0)
		err = 0;
out:
	if (e)
		elf_end(e);
	if (fd >= 0 && close(fd))
		err = -EIO;
	return err;
}

/*
 * Section @name of the ELF at @path: a malloc'd copy in *@p (*@n bytes).
 * 0, -ENODATA when absent, -EIO when the file is no ELF.
 * (A signature appended after the ELF is ignored, as libelf does.)
 */
static inline int tu_ko_section(const char *path, const char *name, void **p, size_t *n)
{
	int fd = open(path, O_RDONLY), err = -EIO;
	Elf *e = NULL;
	size_t shstrndx;

	*p = NULL;
	*n = 0;
	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE ||
	    !(e = elf_begin(fd, ELF_C_READ, NULL)) || elf_kind(e) != ELF_K_ELF ||
	    elf_getshdrstrndx(e, &shstrndx))
		goto out;
	err = -ENODATA;
	for (Elf_Scn *s = NULL; (s = elf_nextscn(e, s));) {
		GElf_Shdr sh;
		const char *nm = gelf_getshdr(s, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
		if (!nm || strcmp(nm, name))
			continue;
		Elf_Data *d = elf_rawdata(s, NULL);
		*n = d ? d->d_size : 0;
		*p = malloc(*n ? *n : 1);
		if (*p && *n)
			memcpy(*p, d->d_buf, *n);
		err = *p ? 0 : -ENOMEM;
		break;
	}
out:
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	return err;
}

/* Append a signature trailer with a @sig_len-byte dummy signature to the file at @path. */
static inline int tu_sig_append(const char *path, uint32_t sig_len)
{
	uint8_t info[12] = { 0, 0, 2 /* PKEY_ID_PKCS7 */ };
	FILE *f = fopen(path, "ab");
	int ok = !!f;

	info[8] = sig_len >> 24, info[9] = sig_len >> 16, info[10] = sig_len >> 8,
	info[11] = sig_len;
	for (uint32_t i = 0; ok && i < sig_len; i++)
		ok = fputc(0x30 ^ (i & 0xff), f) != EOF;
	ok = ok && fwrite(info, 1, sizeof(info), f) == sizeof(info) &&
	     fwrite(TU_SIG_MAGIC, 1, strlen(TU_SIG_MAGIC), f) == strlen(TU_SIG_MAGIC);
	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -EIO;
}

/* 1 when the @n bytes at @p end with a signature trailer. */
static inline int tu_has_sig(const void *p, size_t n)
{
	size_t m = strlen(TU_SIG_MAGIC);
	return n >= m + 12 && !memcmp((const char *)p + n - m, TU_SIG_MAGIC, m);
}

#endif
