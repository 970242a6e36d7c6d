/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* diff: what the library's own callers use besides the public diff API (diff.c). Not installed. */
#ifndef BTFC_DIFF_H
#define BTFC_DIFF_H

#include "internal.h"

/* What btfci_diff_explain() tells, in numbers (struct btfc_reloc_issue's fields). */
struct btfci_diff_counts {
	uint32_t old_size, new_size; /* struct, union, enum; 0 for other kinds */
	uint32_t moved, added, removed, retyped; /* struct, union members */
};
/* btfc_diff_explain() appended to @s, after a leading "; " (no length limit); *@n (may be NULL) counted. */
void btfci_diff_explain(const struct btfc_btf *old, uint32_t oid, const struct btfc_btf *new,
			uint32_t nid, struct btfci_str *s, struct btfci_diff_counts *n);

/* A C-like name of type @id ("struct sk_buff *", "u32[4]"), cut at @cap. */
void btfci_type_render(const struct btfc_btf *btf, uint32_t id, char *buf, size_t cap);

#endif
