// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Unit tests of btfc_btf_merge() (several modules on one base merged and deduplicated, libbpf's
 * btf__add_btf + btf__dedup rules) on hand-made BTF whose expected result is worked out by hand
 * from those rules: a struct defined in two modules kept once (the first), a forward declaration
 * resolved to it, pointers to either the same; what it refuses; and btfc_btf_dump_c()'s style
 * flags (unknown ones refused, each form writes a header of this BTF).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <btfcompat/btfcompat.h>

#include "testutil.h"

/* base: [1] INT int, [2] STRUCT foo { int a; }; strings "\0int\0foo\0a\0" (11 bytes) */
static const uint32_t base_types[] = {
	BTF_TYPE_INT_ENC(1, 1, 0, 32, 4),
	BTF_STRUCT_ENC(5, 1, 4),
	BTF_MEMBER_ENC(9, 1, 0),
	BTF_END_RAW,
};
static const char base_strs[] = "\0int\0foo\0a";
/* module A: [3] STRUCT bar { struct bar *b; }, [4] PTR -> 3, [5] PTR -> int; strings "bar", "b" at 11, 15 */
static const uint32_t a_types[] = {
	BTF_STRUCT_ENC(11, 1, 8),
	BTF_MEMBER_ENC(15, 4, 0),
	BTF_PTR_ENC(3),
	BTF_PTR_ENC(1),
	BTF_END_RAW,
};
/* module B: [3] FWD struct bar, [4] STRUCT bar { struct bar *b; }, [5] PTR -> 4, [6] PTR -> the FWD */
static const uint32_t b_types[] = {
	BTF_FWD_ENC(11, 0), BTF_STRUCT_ENC(11, 1, 8), BTF_MEMBER_ENC(15, 5, 0),
	BTF_PTR_ENC(4),     BTF_PTR_ENC(3),           BTF_END_RAW,
};
/* module C: a union bar (another kind: not the same type), pointing at base foo */
static const uint32_t c_types[] = {
	BTF_UNION_ENC(11, 1, 8),
	BTF_MEMBER_ENC(15, 4, 0),
	BTF_PTR_ENC(2),
	BTF_END_RAW,
};
/* a module whose pointer names type 99 */
static const uint32_t bad_types[] = {
	BTF_PTR_ENC(99),
	BTF_END_RAW,
};
static const char mod_strs[] = "bar\0b";

static struct btfc_btf *build(struct btfc_ctx *ctx, const uint32_t *types, const char *strs,
			      uint32_t len, const struct btfc_btf *base, void **blob)
{
	size_t n;
	struct btfc_btf *b = NULL;
	*blob = tu_btf_build(types, strs, len, &n);
	if (btfc_btf_parse(ctx, *blob, n, "test", base, &b))
		return NULL;
	return b;
}

int main(void)
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	void *bb, *ab, *bbb, *cb, *xb, *b2b, *out = NULL;
	size_t len = 0;
	struct btfc_btf *base = build(ctx, base_types, base_strs, sizeof(base_strs), NULL, &bb);
	struct btfc_btf *base2 = build(ctx, base_types, base_strs, sizeof(base_strs), NULL, &b2b);
	struct btfc_btf *a = build(ctx, a_types, mod_strs, sizeof(mod_strs), base, &ab);
	struct btfc_btf *b = build(ctx, b_types, mod_strs, sizeof(mod_strs), base, &bbb);
	struct btfc_btf *c = build(ctx, c_types, mod_strs, sizeof(mod_strs), base2, &cb);
	struct btfc_btf *x = build(ctx, bad_types, mod_strs, sizeof(mod_strs), base, &xb);

	if (!base || !base2 || !a || !b || !c) {
		tu_fail("merge/setup", "parse: %s", btfc_ctx_last_error(ctx));
		return tu_exit();
	}

	/* A + B: bar once (A's), B's FWD and both pointers to bar onto A's: 3 types */
	const struct btfc_btf *ab_mods[] = { a, b };
	int err = btfc_btf_merge(ctx, ab_mods, 2, &out, &len);
	struct btfc_btf *m = NULL;
	if (!err)
		err = btfc_btf_parse(ctx, out, len, "merged", base, &m);
	TU_CHECK("merge/struct-fwd-pointers/ok", !err, "err %d: %s", err, btfc_ctx_last_error(ctx));
	if (m) {
		const struct btfc_type *t3 = btfc_btf_type_by_id(m, 3),
				       *t4 = btfc_btf_type_by_id(m, 4),
				       *t5 = btfc_btf_type_by_id(m, 5);
		TU_CHECK("merge/struct-fwd-pointers/count", btfc_btf_type_cnt(m) == 6,
			 "type_cnt %u, want 6", btfc_btf_type_cnt(m));
		TU_CHECK("merge/struct-fwd-pointers/bar",
			 t3 && btfc_type_kind(t3) == BTFC_KIND_STRUCT &&
				 !strcmp(btfc_btf_str(m, t3->name_off), "bar") &&
				 ((const struct btfc_member *)btfc_type_data(t3))->type == 4 &&
				 !strcmp(btfc_btf_str(
						 m, ((const struct btfc_member *)btfc_type_data(t3))
							    ->name_off),
					 "b"),
			 "[3] is not struct bar { [4] b; }");
		TU_CHECK("merge/struct-fwd-pointers/ptrs",
			 t4 && t5 && btfc_type_kind(t4) == BTFC_KIND_PTR && t4->type == 3 &&
				 btfc_type_kind(t5) == BTFC_KIND_PTR && t5->type == 1,
			 "[4], [5] are not PTR -> 3, PTR -> 1");
		/* the header of it, in each form */
		int fd = open("/dev/null", O_WRONLY);
		static const unsigned styles[] = { BTFC_DUMP_C_7_1, BTFC_DUMP_C_7_5,
						   BTFC_DUMP_C_7_8,
						   BTFC_DUMP_C_7_8 | BTFC_DUMP_C_UNSORTED };
		for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
			char name[64];
			snprintf(name, sizeof(name), "dump-c/style-%#x", styles[i]);
			err = btfc_btf_dump_c(ctx, m, fd, styles[i]);
			TU_CHECK(name, !err, "err %d: %s", err, btfc_ctx_last_error(ctx));
		}
		err = btfc_btf_dump_c(ctx, m, fd, 0x3);
		TU_CHECK("dump-c/style-unknown-refused", err == -EINVAL, "err %d", err);
		err = btfc_btf_dump_c(ctx, m, fd, 0x100);
		TU_CHECK("dump-c/flag-unknown-refused", err == -EINVAL, "err %d", err);
		close(fd);
	}
	btfc_btf_free(m);
	free(out);
	out = NULL;

	/* B alone: FWD bar and struct bar are one (the name is unique), the pointers one: 2 types */
	const struct btfc_btf *b_mods[] = { b };
	m = NULL;
	err = btfc_btf_merge(ctx, b_mods, 1, &out, &len);
	if (!err)
		err = btfc_btf_parse(ctx, out, len, "merged", base, &m);
	TU_CHECK("merge/one-module-fwd-resolved",
		 !err && btfc_btf_type_cnt(m) == 5 &&
			 btfc_type_kind(btfc_btf_type_by_id(m, 3)) == BTFC_KIND_STRUCT &&
			 btfc_btf_type_by_id(m, 4)->type == 3,
		 "err %d, type_cnt %u", err, m ? btfc_btf_type_cnt(m) : 0);
	btfc_btf_free(m);
	free(out);
	out = NULL;

	/* refusals */
	const struct btfc_btf *diff_base[] = { a, c };
	err = btfc_btf_merge(ctx, diff_base, 2, &out, &len);
	TU_CHECK("merge/different-bases-refused", err == -EINVAL && !out, "err %d", err);
	const struct btfc_btf *standalone[] = { base };
	err = btfc_btf_merge(ctx, standalone, 1, &out, &len);
	TU_CHECK("merge/standalone-refused", err == -EINVAL && !out, "err %d", err);
	err = btfc_btf_merge(ctx, standalone, 0, &out, &len);
	TU_CHECK("merge/none-refused", err == -EINVAL && !out, "err %d", err);
	if (x) {
		const struct btfc_btf *bad[] = { a, x };
		err = btfc_btf_merge(ctx, bad, 2, &out, &len);
		TU_CHECK("merge/id-out-of-range-refused",
			 err == -EINVAL && !out && strstr(btfc_ctx_last_error(ctx), "out of range"),
			 "err %d: %s", err, btfc_ctx_last_error(ctx));
	} else {
		tu_pass("merge/id-out-of-range-refused (by the parser)");
	}

	btfc_btf_free(x);
	btfc_btf_free(c);
	btfc_btf_free(b);
	btfc_btf_free(a);
	btfc_btf_free(base2);
	btfc_btf_free(base);
	free(xb);
	free(cb);
	free(bbb);
	free(ab);
	free(b2b);
	free(bb);
	btfc_ctx_free(ctx);
	return tu_exit();
}
