/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The small fixed base the split-BTF fuzz targets build their inputs on (fuzz_split, fuzz_relocate). */
#ifndef BTFC_FUZZ_FIXED_BASE_H
#define BTFC_FUZZ_FIXED_BASE_H

#include <stdint.h>

#include "btfcompat/btfcompat.h"
#include "../tests/unit/testutil.h"

/* [1] int, [2] *int, [3] struct foo { int a; int *b; }, [4] enum e { X }, [5] int (*)(int x), [6] func f */
static const uint32_t base_types[] = {
	BTF_TYPE_INT_ENC(1, 1, 0, 32, 4),
	BTF_PTR_ENC(1),
	BTF_STRUCT_ENC(5, 2, 16),
	BTF_MEMBER_ENC(9, 1, 0),
	BTF_MEMBER_ENC(11, 2, 64),
	BTF_TYPE_ENC(13, BTF_INFO_ENC(BTFC_KIND_ENUM, 0, 1), 4),
	BTF_ENUM_ENC(15, 0),
	BTF_FUNC_PROTO_ENC(1, 1),
	BTF_FUNC_PROTO_ARG_ENC(17, 1),
	BTF_FUNC_ENC(19, 5, 1),
	BTF_END_RAW,
};
static const char base_strs[] = "\0int\0foo\0a\0b\0e\0X\0x\0f";

#endif
