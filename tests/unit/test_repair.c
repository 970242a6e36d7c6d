// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The rewriting verbs on a tiny module written with libelf (no corpus):
 * strip (the BTF sections go, .text and the symbols stay, the symbol table's
 * section indices renumbered), relocate (the module's .BTF rewritten onto base
 * B equals the module written by hand on B; its stamp for A replaced by B's;
 * a refused relocation leaves the file as it was), and the file rules every
 * rewrite shares: dry run, backup, a signed module refused. Sections are read
 * back with libelf, not with the library.
 */
#include <openssl/evp.h>

#include "btfcompat/stamp.h"
#include "tu_module.h"

static const uint32_t a_types[] = { TU_A_TYPES(0, 32, 8) };
static const uint32_t a_swapped[] = { TU_A_TYPES(32, 0, 8) };
static const uint32_t b_types[] = { TU_B_TYPES };
static const uint32_t mod_a[] = { TU_MOD_ON_A };
static const uint32_t mod_b[] = { TU_MOD_ON_B };

/* docs/stamp.md's 48 bytes for little-endian base @blob of @cnt types (SHA-256 from EVP). */
static void want_stamp(const void *blob, uint32_t cnt, uint8_t out[48])
{
	const uint32_t *h = blob;
	const uint8_t *b = blob;
	unsigned dl = 32;
	uint32_t f[3] = { 16, cnt, h[5] };
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	out[0] = 0x9f, out[1] = 0xeb, out[2] = 1, out[3] = 1;
	memcpy(out + 4, f, sizeof(f));
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, b + h[1] + h[2], h[3]);
	EVP_DigestUpdate(md, b + h[1] + h[4], h[5]);
	EVP_DigestFinal_ex(md, out + 16, &dl);
	EVP_MD_CTX_free(md);
}

static int same_file(const char *x, const void *p, size_t n)
{
	size_t m;
	void *q = tu_read_file(x, &m);
	int same = q && m == n && !memcmp(p, q, n);
	free(q);
	return same;
}

/* Index of section @name in the ELF at @path, and the section index of symbol "init_module"; -1 when absent. */
static void ko_layout(const char *path, const char *name, int *sec, int *sym_shndx)
{
	int fd = open(path, O_RDONLY);
	Elf *e = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	size_t shstrndx;

	*sec = *sym_shndx = -1;
	if (!e || elf_getshdrstrndx(e, &shstrndx))
		goto out;
	for (Elf_Scn *s = NULL; (s = elf_nextscn(e, s));) {
		GElf_Shdr sh;
		const char *nm = gelf_getshdr(s, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
		if (nm && !strcmp(nm, name))
			*sec = (int)elf_ndxscn(s);
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(s, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sizeof(Elf64_Sym); i++) {
			GElf_Sym sy;
			const char *sn = gelf_getsym(d, (int)i, &sy) ?
						 elf_strptr(e, sh.sh_link, sy.st_name) :
						 NULL;
			if (sn && !strcmp(sn, "init_module"))
				*sym_shndx = sy.st_shndx;
		}
	}
out:
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
}

static void test_strip(struct btfc_ctx *ctx, const void *mb, size_t ml, const uint8_t *stamp)
{
	const char *ko = tu_path("strip.ko"), *out = tu_path("stripped.ko");
	/* sections [1] .text [2] .BTF [3] stamp [4] .rodata.tail, then .symtab, .strtab, .shstrtab: after the
	 * strip .rodata.tail is [2], and .symtab's link to .strtab (found through it: init_module) renumbered */
	static const char tail[] = "payload";
	struct tu_sec secs[] = { { ".BTF", mb, ml },
				 { BTFC_STAMP_SECTION, stamp, 48 },
				 { ".rodata.tail", tail, sizeof(tail) } };
	int changed = -1, text = -1, sym = -1, tsec = -1;
	void *p = NULL;
	size_t n = 0;

	if (tu_ko_write(ko, secs, 3)) {
		tu_fail("strip", "cannot write %s", ko);
		return;
	}
	int rc = btfc_module_strip(ctx, ko, out, 0, &changed);
	int btf_gone = tu_ko_section(out, ".BTF", &p, &n) == -ENODATA;
	free(p);
	int stamp_gone = tu_ko_section(out, BTFC_STAMP_SECTION, &p, &n) == -ENODATA;
	free(p);
	int tail_kept = !tu_ko_section(out, ".rodata.tail", &p, &n) && n == sizeof(tail) &&
			!memcmp(p, tail, n);
	free(p);
	ko_layout(out, ".text", &text, &sym);
	ko_layout(out, ".rodata.tail", &tsec, &sym);
	TU_CHECK(
		"strip/sections",
		!rc && changed == 1 && btf_gone && stamp_gone && tail_kept && text == 1 &&
			sym == 1 && tsec == 2,
		"rc %d changed %d .BTF %s stamp %s tail %s, .text [%d] .rodata.tail [%d] init_module in [%d]: %s",
		rc, changed, btf_gone ? "gone" : "kept", stamp_gone ? "gone" : "kept",
		tail_kept ? "kept" : "lost", text, tsec, sym, btfc_ctx_last_error(ctx));
	rc = btfc_module_strip(ctx, out, NULL, 0, &changed);
	TU_CHECK("strip/again-unchanged", !rc && changed == 0, "rc %d changed %d", rc, changed);

	/* dry run: nothing replaced; backup: the original kept as PATH~ */
	size_t n0;
	void *orig = tu_read_file(ko, &n0);
	rc = btfc_module_strip(ctx, ko, NULL, BTFC_REWRITE_DRY_RUN, &changed);
	TU_CHECK("strip/dry-run", !rc && changed == 1 && same_file(ko, orig, n0),
		 "rc %d changed %d, file %s", rc, changed,
		 same_file(ko, orig, n0) ? "unchanged" : "changed");
	char bak[300];
	snprintf(bak, sizeof(bak), "%s~", ko);
	rc = btfc_module_strip(ctx, ko, NULL, BTFC_REWRITE_BACKUP, &changed);
	TU_CHECK("strip/backup",
		 !rc && same_file(bak, orig, n0) && tu_ko_section(ko, ".BTF", &p, &n) == -ENODATA,
		 "rc %d, backup %s: %s", rc,
		 same_file(bak, orig, n0) ? "as before" : "missing or changed",
		 btfc_ctx_last_error(ctx));
	free(orig);

	/* signed: refused, untouched; UNSIGN: stripped and unsigned */
	const char *sk = tu_path("strip-signed.ko");
	if (tu_ko_write(sk, secs, 3) || tu_sig_append(sk, 128)) {
		tu_fail("strip/signed", "cannot write %s", sk);
		return;
	}
	orig = tu_read_file(sk, &n0);
	rc = btfc_module_strip(ctx, sk, NULL, 0, &changed);
	TU_CHECK("strip/signed-refused",
		 rc == -EPERM && btfc_ctx_last_reason(ctx) == BTFC_REASON_SIGNED &&
			 same_file(sk, orig, n0),
		 "rc %d reason %d", rc, btfc_ctx_last_reason(ctx));
	rc = btfc_module_strip(ctx, sk, NULL, BTFC_REWRITE_UNSIGN, &changed);
	size_t n1;
	void *now = tu_read_file(sk, &n1);
	TU_CHECK("strip/unsign",
		 !rc && now && !tu_has_sig(now, n1) &&
			 tu_ko_section(sk, ".BTF", &p, &n) == -ENODATA,
		 "rc %d: %s", rc, btfc_ctx_last_error(ctx));
	free(now);
	free(orig);
}

static void test_relocate_file(struct btfc_ctx *ctx, const struct btfc_btf *a,
			       const struct btfc_btf *b, const void *mb, size_t ml,
			       const uint8_t *stamp_a, const uint8_t *stamp_b,
			       const struct btfc_btf *want_b)
{
	const char *ko = tu_path("reloc.ko"), *out = tu_path("reloc-out.ko");
	struct tu_sec secs[] = { { ".BTF", mb, ml }, { BTFC_STAMP_SECTION, stamp_a, 48 } };
	struct btfc_relocator *rl = NULL;
	BTFC_OPTS(btfc_reloc_result, res);
	struct btfc_btf *got = NULL;
	void *p = NULL, *st = NULL;
	size_t n = 0, sn = 0, n0;
	char why[512];

	if (tu_ko_write(ko, secs, 2) || btfc_relocator_new(ctx, a, b, &rl)) {
		tu_fail("relocate-file", "fixture: %s", btfc_ctx_last_error(ctx));
		return;
	}
	void *orig = tu_read_file(ko, &n0);
	int rc = btfc_module_relocate(ctx, rl, ko, out, BTFC_MATCH_LAYOUT, 0, NULL, NULL, &res);
	if (rc || res.refused || tu_ko_section(out, ".BTF", &p, &n) ||
	    btfc_btf_parse(ctx, p, n, "out", b, &got)) {
		tu_fail("relocate-file/btf", "rc %d refused %d: %s", rc, res.refused,
			btfc_ctx_last_error(ctx));
	} else {
		int same = tu_split_same(got, want_b, why, sizeof(why));
		TU_CHECK("relocate-file/btf", same && same_file(ko, orig, n0), "%s; source %s",
			 same ? "types as written by hand" : why,
			 same_file(ko, orig, n0) ? "unchanged" : "changed");
		TU_CHECK("relocate-file/restamped",
			 res.restamped && !tu_ko_section(out, BTFC_STAMP_SECTION, &st, &sn) &&
				 sn == 48 && !memcmp(st, stamp_b, 48),
			 "restamped %d, section %zu bytes%s", res.restamped, sn,
			 sn == 48 && st && !memcmp(st, stamp_a, 48) ? " (still A's)" : "");
	}
	btfc_btf_free(got);
	free(p);
	free(st);
	btfc_relocator_free(rl);

	/* a refused relocation leaves the module as it was */
	size_t slen;
	void *sblob = TU_BLOB(a_swapped, TU_A_STRS, &slen);
	struct btfc_btf *sw = tu_parse(ctx, sblob, slen, "A swapped", NULL);
	BTFC_OPTS(btfc_reloc_result, r2);
	rl = NULL;
	rc = btfc_relocator_new(ctx, a, sw, &rl);
	rc = rc ? rc :
		  btfc_module_relocate(ctx, rl, ko, NULL, BTFC_MATCH_LAYOUT, 0, NULL, NULL, &r2);
	TU_CHECK("relocate-file/refused-untouched",
		 !rc && r2.refused && btfc_ctx_last_reason(ctx) == BTFC_REASON_LAYOUT &&
			 same_file(ko, orig, n0),
		 "rc %d refused %d reason %d, file %s", rc, r2.refused, btfc_ctx_last_reason(ctx),
		 same_file(ko, orig, n0) ? "unchanged" : "changed");
	btfc_relocator_free(rl);
	btfc_btf_free(sw);
	free(sblob);
	free(orig);
}

int main(void)
{
	static const uint32_t probe = 1;
	if (*(const uint8_t *)&probe != 1) {
		tu_skip("repair", "the expected stamps are written little-endian");
		return tu_exit();
	}
	struct btfc_ctx *ctx = btfc_ctx_new();
	size_t al, bl, mal, mbl;
	void *ab = TU_BLOB(a_types, TU_A_STRS, &al), *bb = TU_BLOB(b_types, TU_B_STRS, &bl);
	void *mab = TU_BLOB(mod_a, TU_MOD_STRS, &mal), *mbb = TU_BLOB(mod_b, TU_MOD_STRS, &mbl);
	struct btfc_btf *a = tu_parse(ctx, ab, al, "A", NULL),
			*b = tu_parse(ctx, bb, bl, "B", NULL);
	struct btfc_btf *want_b = tu_parse(ctx, mbb, mbl, "module on B", b);
	uint8_t stamp_a[48], stamp_b[48];

	want_stamp(ab, 5, stamp_a);
	want_stamp(bb, 6, stamp_b);
	test_strip(ctx, mab, mal, stamp_a);
	test_relocate_file(ctx, a, b, mab, mal, stamp_a, stamp_b, want_b);

	btfc_btf_free(want_b);
	btfc_btf_free(b);
	btfc_btf_free(a);
	free(ab);
	free(bb);
	free(mab);
	free(mbb);
	btfc_ctx_free(ctx);
	return tu_exit();
}
