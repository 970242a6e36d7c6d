// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Relocate and distill in memory, as data tables (no corpus, no network).
 * The bases and the module are written with the encoder macros
 * (tu_module.h): the module once on base A, and once more, by hand, on base
 * B, as pahole would have written it there. A relocation of the module from A
 * onto a base must give that hand-written module (type ids remapped, names
 * the same), or be refused for the reason the row names. Distill: the
 * module's .BTF.base must hold what libbpf's btf__distill_base() keeps (the
 * named int, the named structs with their sizes and no members: libbpf 1.5
 * btf.c btf_add_distilled_types()), and the distilled module must relocate back onto
 * A and onto B, giving the hand-written modules again.
 */
#include "tu_module.h"

static const uint32_t a_types[] = { TU_A_TYPES(0, 32, 8) };
static const uint32_t a_swapped[] = { TU_A_TYPES(32, 0,
						 8) }; /* foo's members trade places: same size */
static const uint32_t a_resized[] = { TU_A_TYPES(0, 32,
						 16) }; /* foo grows (padding): another size */
static const uint32_t b_types[] = { TU_B_TYPES };
static const uint32_t mod_a[] = { TU_MOD_ON_A };
static const uint32_t mod_b[] = { TU_MOD_ON_B };

enum want { RELOCATED_A, RELOCATED_B, REFUSED };

static const struct reloc_row {
	const char *name;
	const uint32_t *to; /* base types (A's strings, or B's for b_types) */
	enum btfc_match match;
	enum want want;
	enum btfc_reason reason; /* when refused */
	uint32_t changed; /* res.changed: used base types changed in (or gone from) the new base */
} reloc_rows[] = {
	{ "onto-b/layout", b_types, BTFC_MATCH_LAYOUT, RELOCATED_B, 0, 0 },
	{ "onto-b/kernel", b_types, BTFC_MATCH_KERNEL, RELOCATED_B, 0, 0 },
	{ "onto-a-itself/layout", a_types, BTFC_MATCH_LAYOUT, RELOCATED_A, 0, 0 },
	{ "members-swapped/layout", a_swapped, BTFC_MATCH_LAYOUT, REFUSED, BTFC_REASON_LAYOUT, 1 },
	{ "members-swapped/kernel", a_swapped, BTFC_MATCH_KERNEL, RELOCATED_A, 0, 1 },
	/* foo of size 8 has no counterpart (the kernel's rules fail first, in either mode) */
	{ "resized/layout", a_resized, BTFC_MATCH_LAYOUT, REFUSED, BTFC_REASON_UNMAPPED, 1 },
	{ "resized/kernel", a_resized, BTFC_MATCH_KERNEL, REFUSED, BTFC_REASON_UNMAPPED, 1 },
};

struct issues {
	unsigned n, fatal;
	char first[256];
};
static void on_issue(void *user, const struct btfc_reloc_issue *is)
{
	struct issues *s = user;
	if (!s->n++)
		snprintf(s->first, sizeof(s->first), "%s: %s", is->type, is->what);
	s->fatal += !!is->fatal;
}

struct fixture {
	void *a_blob, *b_blob, *ma_blob, *mb_blob;
	size_t a_len, b_len, ma_len, mb_len;
	struct btfc_btf *a, *b, *ma, *mb_want, *ma_want;
};

static void test_reloc_rows(struct btfc_ctx *ctx, struct fixture *f)
{
	char name[128], why[512];

	for (size_t i = 0; i < sizeof(reloc_rows) / sizeof(reloc_rows[0]); i++) {
		const struct reloc_row *r = &reloc_rows[i];
		size_t tlen;
		void *tblob = r->to == b_types ? TU_BLOB(r->to, TU_B_STRS, &tlen) :
						 TU_BLOB(r->to, TU_A_STRS, &tlen);
		struct btfc_btf *to = tu_parse(ctx, tblob, tlen, r->name, NULL), *got = NULL;
		struct btfc_relocator *rl = NULL;
		BTFC_OPTS(btfc_reloc_result, res);
		struct issues is = { 0 };
		void *out = NULL;
		size_t len = 0;

		snprintf(name, sizeof(name), "relocate/%s", r->name);
		int rc = btfc_relocator_new(ctx, f->a, to, &rl);
		if (!rc)
			rc = btfc_relocator_btf(ctx, rl, f->ma, r->match, on_issue, &is, &out, &len,
						&res);
		if (r->want == REFUSED) {
			TU_CHECK(
				name,
				rc == 1 && res.refused && !out &&
					btfc_ctx_last_reason(ctx) == r->reason &&
					res.changed == r->changed && is.fatal >= 1,
				"rc %d refused %d out %p reason %d (want %d) changed %u fatal issues %u: %s",
				rc, res.refused, out, btfc_ctx_last_reason(ctx), r->reason,
				res.changed, is.fatal, btfc_ctx_last_error(ctx));
		} else if (rc != 0 || res.refused) {
			tu_fail(name, "rc %d: %s", rc, btfc_ctx_last_error(ctx));
		} else if (btfc_btf_parse(ctx, out, len, name, to, &got)) {
			tu_fail(name, "output does not parse on the new base: %s",
				btfc_ctx_last_error(ctx));
		} else {
			/* the hand-written module on the new base: B's, or A's (A's variants keep A's ids and strings) */
			struct btfc_btf *want_base = r->want == RELOCATED_B ? f->b : f->a,
					*want = NULL;
			const void *wb = r->want == RELOCATED_B ? f->mb_blob : f->ma_blob;
			size_t wl = r->want == RELOCATED_B ? f->mb_len : f->ma_len;
			want = tu_parse(ctx, wb, wl, "want", want_base);
			int same = tu_split_same(got, want, why, sizeof(why));
			TU_CHECK(
				name,
				same && res.changed == r->changed && res.base_types == 3 &&
					!is.fatal && is.n == r->changed && !res.distilled,
				"%s; changed %u (want %u) base_types %u (want 3: int, foo, bar) issues %u fatal %u: %s",
				same ? "types as written by hand" : why, res.changed, r->changed,
				res.base_types, is.n, is.fatal, is.first);
			btfc_btf_free(want);
		}
		btfc_btf_free(got);
		free(out);
		btfc_relocator_free(rl);
		btfc_btf_free(to);
		free(tblob);
	}
}

/* Relocating is refused for what is not split BTF on the relocator's base. */
static void test_reloc_args(struct btfc_ctx *ctx, struct fixture *f)
{
	struct btfc_relocator *rl = NULL;
	void *out = NULL;
	size_t len;
	BTFC_OPTS(btfc_reloc_result, res);

	TU_CHECK("relocate/split-base-refused",
		 btfc_relocator_new(ctx, f->a, f->ma, &rl) == -EINVAL && !rl,
		 "a split BTF as the new base was taken");
	if (btfc_relocator_new(ctx, f->a, f->b, &rl)) {
		tu_fail("relocate/standalone-refused", "relocator_new: %s",
			btfc_ctx_last_error(ctx));
		return;
	}
	int rc = btfc_relocator_btf(ctx, rl, f->a, BTFC_MATCH_KERNEL, NULL, NULL, &out, &len, &res);
	TU_CHECK("relocate/standalone-refused", rc == -EINVAL && !out,
		 "a vmlinux BTF given as a module: rc %d", rc);
	free(out);
	btfc_relocator_free(rl);
}

/* The distilled base libbpf's btf__distill_base() makes for this module, and the module on it. */
#define D_STRS "\0int\0foo\0bar" /* int 1, foo 5, bar 9 */
static const uint32_t d_base_want[] = { BTF_TYPE_INT_ENC(1, TU_INT_S, 0, 32, 4),
					BTF_STRUCT_ENC(5, 0, 8), BTF_STRUCT_ENC(9, 0, 4),
					BTF_END_RAW };
static const uint32_t d_mod_want[] = { TU_MOD(sizeof(D_STRS), 4, 2, 3, 1) };

static void test_distill(struct btfc_ctx *ctx, struct fixture *f)
{
	const char *ko = tu_path("distill.ko"), *out = tu_path("distilled.ko"),
		   *back = tu_path("back.ko");
	struct tu_sec secs[] = { { ".BTF", f->ma_blob, f->ma_len } };
	void *sb = NULL, *ss = NULL, *wbb = NULL, *wsb = NULL;
	size_t sbl, ssl, wbl, wsl;
	struct btfc_btf *gb = NULL, *gs = NULL, *wb = NULL, *ws = NULL;
	char why[512];
	int changed = -1;

	if (tu_ko_write(ko, secs, 1)) {
		tu_fail("distill/fixture", "cannot write %s", ko);
		return;
	}
	int rc = btfc_module_distill(ctx, ko, out, f->a, 0, &changed);
	if (rc || changed != 1 || tu_ko_section(out, ".BTF.base", &sb, &sbl) ||
	    tu_ko_section(out, ".BTF", &ss, &ssl)) {
		tu_fail("distill/module", "rc %d changed %d, .BTF.base %s: %s", rc, changed,
			sb ? "present" : "absent", btfc_ctx_last_error(ctx));
		goto out;
	}
	wbb = TU_BLOB(d_base_want, D_STRS, &wbl);
	wsb = TU_BLOB(d_mod_want, TU_MOD_STRS, &wsl);
	wb = tu_parse(ctx, wbb, wbl, "want base", NULL);
	ws = tu_parse(ctx, wsb, wsl, "want module", wb);
	if (btfc_btf_parse(ctx, sb, sbl, ".BTF.base", NULL, &gb) ||
	    btfc_btf_parse(ctx, ss, ssl, ".BTF", gb, &gs)) {
		tu_fail("distill/parses", "%s", btfc_ctx_last_error(ctx));
		goto out;
	}
	tu_pass("distill/parses");
	TU_CHECK("distill/base-as-libbpf", tu_split_same(gb, wb, why, sizeof(why)), "%s", why);
	TU_CHECK("distill/module-renumbered", tu_split_same(gs, ws, why, sizeof(why)), "%s", why);
	int again = -1;
	rc = btfc_module_distill(ctx, out, NULL, f->a, 0, &again);
	TU_CHECK("distill/already-distilled", rc == 0 && again == 0, "rc %d changed %d: %s", rc,
		 again, btfc_ctx_last_error(ctx));

	/* back: the distilled module relocates onto A and onto B (a relocator without an old base) */
	for (int onto_b = 0; onto_b < 2; onto_b++) {
		const char *nm = onto_b ? "distill/relocates-onto-b" :
					  "distill/relocates-back-onto-a";
		struct btfc_relocator *rl = NULL;
		BTFC_OPTS(btfc_reloc_result, res);
		struct btfc_btf *to = onto_b ? f->b : f->a, *got = NULL,
				*want = onto_b ? f->mb_want : f->ma_want;
		void *nb = NULL, *nbase = NULL;
		size_t nbl, nbasel;
		rc = btfc_relocator_new(ctx, NULL, to, &rl);
		if (!rc)
			rc = btfc_module_relocate(ctx, rl, out, back, BTFC_MATCH_KERNEL, 0, NULL,
						  NULL, &res);
		if (rc || res.refused || tu_ko_section(back, ".BTF", &nb, &nbl)) {
			tu_fail(nm, "rc %d refused %d: %s", rc, res.refused,
				btfc_ctx_last_error(ctx));
		} else if (btfc_btf_parse(ctx, nb, nbl, nm, to, &got)) {
			tu_fail(nm, "output: %s", btfc_ctx_last_error(ctx));
		} else {
			int base_gone = tu_ko_section(back, ".BTF.base", &nbase, &nbasel) ==
					-ENODATA;
			int same = tu_split_same(got, want, why, sizeof(why));
			TU_CHECK(nm, same && base_gone && res.distilled,
				 "%s; .BTF.base %s; distilled %d",
				 same ? "types as written by hand" : why,
				 base_gone ? "removed" : "still there", res.distilled);
		}
		btfc_btf_free(got);
		free(nb);
		free(nbase);
		btfc_relocator_free(rl);
	}
out:
	btfc_btf_free(gs);
	btfc_btf_free(gb);
	btfc_btf_free(ws);
	btfc_btf_free(wb);
	free(sb);
	free(ss);
	free(wbb);
	free(wsb);
}

/* A module whose .BTF does not fit the base it is distilled on is refused, unless forced. */
static void test_distill_misfit(struct btfc_ctx *ctx, struct fixture *f)
{
	const char *ko = tu_path("misfit.ko");
	struct tu_sec secs[] = { { ".BTF", f->ma_blob, f->ma_len } };
	int changed = -1;

	if (tu_ko_write(ko, secs, 1)) {
		tu_fail("distill/misfit", "cannot write %s", ko);
		return;
	}
	int rc = btfc_module_distill(ctx, ko, tu_path("misfit-out.ko"), f->b, 0, &changed);
	TU_CHECK("distill/misfit-refused",
		 rc < 0 && btfc_ctx_last_reason(ctx) == BTFC_REASON_NOT_FIT,
		 "a module built on A distilled on B: rc %d reason %d: %s", rc,
		 btfc_ctx_last_reason(ctx), btfc_ctx_last_error(ctx));
}

int main(void)
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	struct fixture f = { 0 };

	f.a_blob = TU_BLOB(a_types, TU_A_STRS, &f.a_len);
	f.b_blob = TU_BLOB(b_types, TU_B_STRS, &f.b_len);
	f.ma_blob = TU_BLOB(mod_a, TU_MOD_STRS, &f.ma_len);
	f.mb_blob = TU_BLOB(mod_b, TU_MOD_STRS, &f.mb_len);
	f.a = tu_parse(ctx, f.a_blob, f.a_len, "A", NULL);
	f.b = tu_parse(ctx, f.b_blob, f.b_len, "B", NULL);
	f.ma = tu_parse(ctx, f.ma_blob, f.ma_len, "module on A", f.a);
	f.ma_want = tu_parse(ctx, f.ma_blob, f.ma_len, "module on A", f.a);
	f.mb_want = tu_parse(ctx, f.mb_blob, f.mb_len, "module on B", f.b);

	test_reloc_rows(ctx, &f);
	test_reloc_args(ctx, &f);
	test_distill(ctx, &f);
	test_distill_misfit(ctx, &f);

	btfc_btf_free(f.mb_want);
	btfc_btf_free(f.ma_want);
	btfc_btf_free(f.ma);
	btfc_btf_free(f.b);
	btfc_btf_free(f.a);
	free(f.a_blob);
	free(f.b_blob);
	free(f.ma_blob);
	free(f.mb_blob);
	btfc_ctx_free(ctx);
	return tu_exit();
}
