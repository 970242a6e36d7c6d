// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libFuzzer target for distill and relocate (lib/relocate.c). The first input
 * byte picks the path:
 *   even: the rest is a module's .BTF on a small fixed base: distilled, the
 *         result parsed back and relocated onto a second base (the same names
 *         at other ids), the relocated blob parsed on it;
 *   odd:  the rest is "u32 length, a distilled .BTF.base, a .BTF on it", as a
 *         hostile module carries them: relocated onto the second base.
 * Failures are fine; crashes, leaks and out-of-bounds reads are not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btfcompat/btfcompat.h"
#include "../lib/relocate.h"
#include "../tests/unit/testutil.h"

#include "fixed_base.h" /* base_types, base_strs: the old base */

/* the same types, another order, a union of the same name as the struct and a fwd */
static const uint32_t new_types[] = {
	BTF_TYPE_ENC(13, BTF_INFO_ENC(BTFC_KIND_ENUM, 0, 1), 4),
	BTF_ENUM_ENC(15, 0),
	BTF_TYPE_INT_ENC(1, 1, 0, 32, 4),
	BTF_PTR_ENC(2),
	BTF_STRUCT_ENC(5, 2, 16),
	BTF_MEMBER_ENC(9, 2, 0),
	BTF_MEMBER_ENC(11, 3, 64),
	BTF_TYPE_ENC(5, BTF_INFO_ENC(BTFC_KIND_UNION, 0, 0), 8),
	BTF_TYPE_ENC(5, BTF_INFO_ENC(BTFC_KIND_FWD, 0, 0), 0),
	BTF_END_RAW,
};

static struct btfc_ctx *ctx;
static struct btfc_btf *oldb, *newb;

static void relocate_onto_new(const struct btfc_btf *mod)
{
	struct btfci_blob out;
	struct btfc_btf *r;

	if (btfci_relocate(ctx, mod, newb, &out) == 0) {
		if (!btfc_btf_parse(ctx, out.data, out.len, "relocated", newb, &r))
			btfc_btf_free(r);
		btfci_blob_fini(&out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctx) {
		size_t l1, l2;
		void *b1 = tu_btf_build(base_types, base_strs, sizeof(base_strs), &l1);
		void *b2 = tu_btf_build(new_types, base_strs, sizeof(base_strs), &l2);
		ctx = btfc_ctx_new();
		if (!ctx || btfc_btf_parse(ctx, b1, l1, "old", NULL, &oldb) ||
		    btfc_btf_parse(ctx, b2, l2, "new", NULL, &newb))
			abort();
	}
	if (size < 1)
		return 0;
	uint8_t *copy = malloc(size); /* exact-size copies: an over-read is caught */
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	struct btfc_btf *mod = NULL, *dist = NULL, *dmod = NULL;
	struct btfci_blob db = { 0 }, ds = { 0 };
	if (!(data[0] & 1)) {
		if (!btfc_btf_parse(ctx, copy, size - 1, "mod", oldb, &mod) &&
		    !btfci_distill(ctx, mod, NULL, 0, &db, &ds) &&
		    !btfc_btf_parse(ctx, db.data, db.len, "dist", NULL, &dist) &&
		    !btfc_btf_parse(ctx, ds.data, ds.len, "dmod", dist, &dmod))
			relocate_onto_new(dmod);
	} else if (size >= 5) {
		uint32_t n;
		memcpy(&n, data + 1, 4);
		size_t rest = size - 5;
		if (n <= rest) {
			uint8_t *a = malloc(n ? n : 1), *b = malloc(rest - n ? rest - n : 1);
			if (a && b) {
				memcpy(a, data + 5, n);
				memcpy(b, data + 5 + n, rest - n);
				if (!btfc_btf_parse(ctx, a, n, "dist", NULL, &dist) &&
				    !btfc_btf_parse(ctx, b, rest - n, "dmod", dist, &dmod))
					relocate_onto_new(dmod);
				btfc_btf_free(dmod);
				btfc_btf_free(dist);
				dmod = dist = NULL;
			}
			free(a);
			free(b);
		}
	}
	btfc_btf_free(dmod);
	btfc_btf_free(dist);
	btfc_btf_free(mod);
	btfci_blob_fini(&db);
	btfci_blob_fini(&ds);
	free(copy);
	return 0;
}
