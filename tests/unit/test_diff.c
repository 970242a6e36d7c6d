// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * diff on hand-built BTF pairs, one row per kind of change: the counts of
 * added / removed / changed / unchanged named types and, for a change, the
 * words that say what changed (written from the change the row makes).
 */
#include "btfcompat/btfcompat.h"
#include "testutil.h"

#define S(x) x, sizeof(x)
#define INT_ENC(name) BTF_TYPE_INT_ENC(name, 1, 0, 32, 4)
/* strings shared by every row */
#define STRS S("\0int\0foo\0a\0b\0c\0long\0e\0X\0Y\0fn\0t\0bar")
enum {
	N_INT = 1,
	N_FOO = 5,
	N_A = 9,
	N_B = 11,
	N_C = 13,
	N_LONG = 15,
	N_E = 20,
	N_X = 22,
	N_Y = 24,
	N_FN = 26,
	N_T = 29,
	N_BAR = 31
};

struct row {
	const char *name;
	uint32_t old[48], new[48];
	size_t added, removed, changed, unchanged;
	const char *what; /* the explanation of the one changed type, or NULL */
};

static const struct row rows[] = {
	{ "identical",
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 1, 4), BTF_MEMBER_ENC(N_A, 1, 0), BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 1, 4), BTF_MEMBER_ENC(N_A, 1, 0), BTF_END_RAW },
	  0,
	  0,
	  0,
	  2,
	  NULL },
	{ "ids-permuted",
	  { INT_ENC(N_INT), BTF_PTR_ENC(3), BTF_STRUCT_ENC(N_FOO, 2, 16), BTF_MEMBER_ENC(N_A, 1, 0),
	    BTF_MEMBER_ENC(N_B, 2, 64), BTF_END_RAW },
	  { BTF_STRUCT_ENC(N_FOO, 2, 16), BTF_MEMBER_ENC(N_A, 3, 0), BTF_MEMBER_ENC(N_B, 2, 64),
	    BTF_PTR_ENC(1), INT_ENC(N_INT), BTF_END_RAW },
	  0,
	  0,
	  0,
	  2,
	  NULL },
	{ "struct-size",
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 1, 4), BTF_MEMBER_ENC(N_A, 1, 0), BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 1, 8), BTF_MEMBER_ENC(N_A, 1, 0), BTF_END_RAW },
	  0,
	  0,
	  1,
	  1,
	  "size 4 -> 8" },
	{ "member-added",
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 1, 8), BTF_MEMBER_ENC(N_A, 1, 0), BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 2, 8), BTF_MEMBER_ENC(N_A, 1, 0),
	    BTF_MEMBER_ENC(N_B, 1, 32), BTF_END_RAW },
	  0,
	  0,
	  1,
	  1,
	  "member 'b' added at bit 32" },
	{ "member-removed",
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 2, 8), BTF_MEMBER_ENC(N_A, 1, 0),
	    BTF_MEMBER_ENC(N_B, 1, 32), BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 1, 8), BTF_MEMBER_ENC(N_A, 1, 0), BTF_END_RAW },
	  0,
	  0,
	  1,
	  1,
	  "member 'b' removed" },
	{ "member-moved",
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 1, 8), BTF_MEMBER_ENC(N_A, 1, 0), BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 1, 8), BTF_MEMBER_ENC(N_A, 1, 32), BTF_END_RAW },
	  0,
	  0,
	  1,
	  1,
	  "member 'a' moved: bit 0 -> 32" },
	{ "member-retyped",
	  { INT_ENC(N_INT), BTF_TYPE_INT_ENC(N_LONG, 1, 0, 64, 8), BTF_STRUCT_ENC(N_FOO, 1, 8),
	    BTF_MEMBER_ENC(N_A, 1, 0), BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_TYPE_INT_ENC(N_LONG, 1, 0, 64, 8), BTF_STRUCT_ENC(N_FOO, 1, 8),
	    BTF_MEMBER_ENC(N_A, 2, 0), BTF_END_RAW },
	  0,
	  0,
	  1,
	  2,
	  "member 'a' retyped: int -> long" },
	{ "member-retyped-through-pointer",
	  { INT_ENC(N_INT), BTF_TYPE_INT_ENC(N_LONG, 1, 0, 64, 8), BTF_PTR_ENC(1),
	    BTF_STRUCT_ENC(N_FOO, 1, 8), BTF_MEMBER_ENC(N_A, 3, 0), BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_TYPE_INT_ENC(N_LONG, 1, 0, 64, 8), BTF_PTR_ENC(2),
	    BTF_STRUCT_ENC(N_FOO, 1, 8), BTF_MEMBER_ENC(N_A, 3, 0), BTF_END_RAW },
	  0,
	  0,
	  1,
	  2,
	  "member 'a' retyped: int * -> long *" },
	{ "enum-value-added",
	  { BTF_TYPE_ENC(N_E, BTF_INFO_ENC(BTFC_KIND_ENUM, 0, 1), 4), BTF_ENUM_ENC(N_X, 0),
	    BTF_END_RAW },
	  { BTF_TYPE_ENC(N_E, BTF_INFO_ENC(BTFC_KIND_ENUM, 0, 2), 4), BTF_ENUM_ENC(N_X, 0),
	    BTF_ENUM_ENC(N_Y, 1), BTF_END_RAW },
	  0,
	  0,
	  1,
	  0,
	  "1 -> 2 values" },
	{ "enum-value-changed",
	  { BTF_TYPE_ENC(N_E, BTF_INFO_ENC(BTFC_KIND_ENUM, 0, 1), 4), BTF_ENUM_ENC(N_X, 0),
	    BTF_END_RAW },
	  { BTF_TYPE_ENC(N_E, BTF_INFO_ENC(BTFC_KIND_ENUM, 0, 1), 4), BTF_ENUM_ENC(N_X, 7),
	    BTF_END_RAW },
	  0,
	  0,
	  1,
	  0,
	  "layout differs below the surface (anonymous types, values or names)" },
	{ "func-signature",
	  { INT_ENC(N_INT), BTF_FUNC_PROTO_ENC(1, 1), BTF_FUNC_PROTO_ARG_ENC(N_A, 1),
	    BTF_FUNC_ENC(N_FN, 2, 1), BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_FUNC_PROTO_ENC(1, 2), BTF_FUNC_PROTO_ARG_ENC(N_A, 1),
	    BTF_FUNC_PROTO_ARG_ENC(N_B, 1), BTF_FUNC_ENC(N_FN, 2, 1), BTF_END_RAW },
	  0,
	  0,
	  1,
	  1,
	  "int (int) -> int (int, int)" },
	{ "typedef-retargeted",
	  { INT_ENC(N_INT), BTF_TYPE_INT_ENC(N_LONG, 1, 0, 64, 8), BTF_TYPEDEF_ENC(N_T, 1),
	    BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_TYPE_INT_ENC(N_LONG, 1, 0, 64, 8), BTF_TYPEDEF_ENC(N_T, 2),
	    BTF_END_RAW },
	  0,
	  0,
	  1,
	  2,
	  "int -> long" },
	{ "anonymous-member-type-changed",
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(0, 1, 4), BTF_MEMBER_ENC(N_B, 1, 0),
	    BTF_STRUCT_ENC(N_FOO, 1, 8), BTF_MEMBER_ENC(N_A, 2, 0), BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(0, 1, 4), BTF_MEMBER_ENC(N_C, 1, 0),
	    BTF_STRUCT_ENC(N_FOO, 1, 8), BTF_MEMBER_ENC(N_A, 2, 0), BTF_END_RAW },
	  0,
	  0,
	  1,
	  1,
	  "layout differs below the surface (anonymous types, values or names)" },
	{ "type-added-and-removed",
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_FOO, 0, 0), BTF_END_RAW },
	  { INT_ENC(N_INT), BTF_STRUCT_ENC(N_BAR, 0, 0), BTF_END_RAW },
	  1,
	  1,
	  0,
	  1,
	  NULL },
	{ "fwd-and-struct-refer-alike",
	  { BTF_FWD_ENC(N_BAR, 0), BTF_PTR_ENC(1), BTF_STRUCT_ENC(N_FOO, 1, 8),
	    BTF_MEMBER_ENC(N_A, 2, 0), BTF_END_RAW },
	  { BTF_STRUCT_ENC(N_BAR, 0, 0), BTF_PTR_ENC(1), BTF_STRUCT_ENC(N_FOO, 1, 8),
	    BTF_MEMBER_ENC(N_A, 2, 0), BTF_END_RAW },
	  1,
	  1,
	  0,
	  1,
	  NULL },
};

struct seen {
	struct btfc_diff_counts n;
	uint32_t oid, nid;
};

static void cb(void *user, enum btfc_diff_what what, uint32_t oid, uint32_t nid)
{
	struct seen *s = user;

	if (what == BTFC_DIFF_CHANGED) {
		s->oid = oid;
		s->nid = nid;
	}
}

int main(void)
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	char name[128], why[512];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		size_t ol, nl;
		void *ob = tu_btf_build(r->old, STRS, &ol), *nb = tu_btf_build(r->new, STRS, &nl);
		struct btfc_btf *o = NULL, *n = NULL;
		struct seen s = { .n.sz = sizeof(s.n) };
		snprintf(name, sizeof(name), "diff/%s", r->name);
		if (btfc_btf_parse(ctx, ob, ol, "old", NULL, &o) ||
		    btfc_btf_parse(ctx, nb, nl, "new", NULL, &n) ||
		    btfc_diff_walk(ctx, o, n, cb, &s, &s.n)) {
			tu_fail(name, "%s", btfc_ctx_last_error(ctx));
		} else {
			why[0] = 0;
			if (s.oid)
				btfc_diff_explain(o, s.oid, n, s.nid, why, sizeof(why));
			TU_CHECK(name,
				 s.n.added == r->added && s.n.removed == r->removed &&
					 s.n.changed == r->changed &&
					 s.n.unchanged == r->unchanged &&
					 !strcmp(why, r->what ? r->what : ""),
				 "got +%zu -%zu ~%zu =%zu \"%s\", want +%zu -%zu ~%zu =%zu \"%s\"",
				 s.n.added, s.n.removed, s.n.changed, s.n.unchanged, why, r->added,
				 r->removed, r->changed, r->unchanged, r->what ? r->what : "");
		}
		btfc_btf_free(o);
		btfc_btf_free(n);
		free(ob);
		free(nb);
	}
	btfc_ctx_free(ctx);
	return tu_exit();
}
