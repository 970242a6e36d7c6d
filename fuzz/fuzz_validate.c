// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libFuzzer target for the validator: the input is a raw BTF blob, checked
 * standalone in every profile and as split BTF on a small base (module and
 * bpf profiles, the latter both through the base's cached resolution and the
 * flattened reference path, which must agree).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btfcompat/btfcompat.h"
#include "../tests/unit/testutil.h"

static struct btfc_ctx *ctx;
static struct btfc_btf *base;

static void setup(void)
{
	static const uint32_t types[] = {
		BTF_TYPE_INT_ENC(1, 1, 0, 32, 4),
		BTF_PTR_ENC(3),
		BTF_STRUCT_ENC(5, 2, 16),
		BTF_MEMBER_ENC(7, 1, 0),
		BTF_MEMBER_ENC(9, 2, 64),
		BTF_TYPEDEF_ENC(11, 1),
		BTF_CONST_ENC(4),
		BTF_TYPE_ARRAY_ENC(1, 1, 4),
		BTF_END_RAW,
	};
	static const char strs[] = "\0int\0s\0a\0p\0i32";
	size_t len;
	void *blob = tu_btf_build(types, strs, sizeof(strs), &len);

	ctx = btfc_ctx_new();
	if (btfc_btf_parse(ctx, blob, len, "base", NULL, &base))
		abort(); /* blob is leaked on purpose: the base borrows it */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	BTFC_OPTS(btfc_verdict, v);
	BTFC_OPTS(btfc_verdict, w);

	if (!ctx)
		setup();
	for (int p = BTFC_PROFILE_BPF; p <= BTFC_PROFILE_VMLINUX; p++) {
		BTFC_OPTS(btfc_validate_opts, o, .profile = p);
		btfc_validate(ctx, data, size, NULL, &o, &v);
		btfc_verdict_release(&v);
	}
	BTFC_OPTS(btfc_validate_opts, mo, .profile = BTFC_PROFILE_MODULE);
	btfc_validate(ctx, data, size, base, &mo, &v);
	btfc_verdict_release(&v);
	BTFC_OPTS(btfc_validate_opts, fast, .profile = BTFC_PROFILE_BPF);
	BTFC_OPTS(btfc_validate_opts, flat, .profile = BTFC_PROFILE_BPF, .flatten = 1);
	if (!btfc_validate(ctx, data, size, base, &fast, &v) &&
	    !btfc_validate(ctx, data, size, base, &flat, &w) &&
	    (v.err != w.err || strcmp(v.msg, w.msg)))
		abort(); /* the two bpf paths for split BTF must agree */
	btfc_verdict_release(&v);
	btfc_verdict_release(&w);
	return 0;
}
