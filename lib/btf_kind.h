/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The size of each BTF kind's data after its type record: the one table
 * the model (btf.c) and the freestanding stamp core (stamp_core.c) share.
 * Freestanding (no libc), header only, so that either can carry it. Not
 * installed.
 */
#ifndef BTFC_BTF_KIND_H
#define BTFC_BTF_KIND_H

#include <stdint.h>

/* Bytes of kind-specific data after a type record with @info; -1 for unknown kinds. */
static inline long btfci_kind_extra(uint32_t info)
{
	long vlen = info & 0xffff;

	switch ((info >> 24) & 0x1f) {
	case 1: /* INT */
	case 14: /* VAR */
	case 17: /* DECL_TAG */
		return 4;
	case 2:
	case 7:
	case 8:
	case 9:
	case 10:
	case 11:
	case 12:
	case 16:
	case 18:
		return 0; /* PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG */
	case 3: /* ARRAY */
		return 12;
	case 4:
	case 5:
	case 15:
	case 19: /* STRUCT UNION DATASEC ENUM64 */
		return 12 * vlen;
	case 6:
	case 13: /* ENUM FUNC_PROTO */
		return 8 * vlen;
	default:
		return -1;
	}
}

#endif
