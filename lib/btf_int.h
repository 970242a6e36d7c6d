/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The BTF model's layout, shared by btf.c and io.c. Not installed. */
#ifndef BTFC_BTF_INT_H
#define BTFC_BTF_INT_H

#include <pthread.h>

#include "internal.h"

struct name_index {
	uint32_t *slots; /* type id or 0; open addressing, power-of-two size */
	uint32_t mask;
};

struct btfc_btf {
	char *name;
	const struct btfc_btf *base;
	struct btfc_source_info src;
	struct btfc_header hdr;

	const uint8_t *raw; /* the whole blob, host byte order */
	size_t raw_len;
	const uint8_t *types; /* type section */
	const char *strs; /* string section */
	uint32_t types_len, strs_len;

	uint32_t start_id, start_str_off, nr_types;
	uint32_t *offs; /* offset in types[] of each own type */

	/* backing memory, released by btfc_btf_free() */
	void *owned; /* malloc'd */
	void *map; /* mmap'd */
	size_t map_len;

	pthread_mutex_t idx_lock;
	struct name_index idx; /* built on first btfc_btf_find() */

	/*
	 * The validator's cache of this BTF's resolution as a base (validate.c
	 * owns its layout, fills it under idx_lock and sets vcache_free, which
	 * btfc_btf_free() calls): the model knows nothing of the validator.
	 */
	struct btfci_vcache *vcache;
	void (*vcache_free)(struct btfci_vcache *c);
};

/* The i-th enumerator of an ENUM or ENUM64 type t: its value, *name_off its name; a 32-bit value
 * sign-extended to 64 bits when sext, else zero-extended (the printers decide: dump.c, dump_c.c). */
static inline uint64_t btfci_enum_val(const struct btfc_type *t, unsigned i, bool sext,
				      uint32_t *name_off)
{
	if (btfc_type_kind(t) == BTFC_KIND_ENUM64) {
		const struct btfc_enum64 *e = (const struct btfc_enum64 *)btfc_type_data(t) + i;
		*name_off = e->name_off;
		return (uint64_t)e->val_hi32 << 32 | e->val_lo32;
	}
	const struct btfc_enum *e = (const struct btfc_enum *)btfc_type_data(t) + i;
	*name_off = e->name_off;
	return sext ? (uint64_t)(int64_t)e->val : (uint32_t)e->val;
}

/* All own types of @b named @name (any kind), ascending; returns how many (may exceed @cap). */
size_t btfci_btf_named(const struct btfc_btf *b, const char *name, uint32_t *ids, size_t cap);

/*
 * Parse @len bytes at @data into a new object that takes over @owned (malloc'd,
 * may be NULL) or @map/@map_len (mmap'd, may be NULL) even on failure. The
 * bytes are borrowed when in host order and aligned, otherwise copied.
 */
int btfci_btf_new(struct btfc_ctx *ctx, const uint8_t *data, size_t len, const char *name,
		  const struct btfc_btf *base, void *owned, void *map, size_t map_len,
		  const struct btfc_source_info *src, struct btfc_btf **out);

/* The name of an INT's encoding (@enc: bits 24-27 of its data), as the kernel's
 * btf_int_encoding_str() and bpftool print it: the validator's messages and dump share it. */
static inline const char *btfci_int_encoding_name(uint32_t enc)
{
	switch (enc) {
	case 0:
		return "(none)";
	case 1:
		return "SIGNED";
	case 2:
		return "CHAR";
	case 4:
		return "BOOL";
	default:
		return "UNKN";
	}
}

/*
 * The fields of one type record that hold type ids (BTFCI_FIELD_IDS) or string offsets
 * (BTFCI_FIELD_STRS), in the order libbpf's btf_field_iter visits them: the record's own
 * (name_off; type of PTR, TYPEDEF, the modifiers, FUNC, FUNC_PROTO's return, VAR, the tags;
 * ARRAY's type and index_type), then its members' (STRUCT and UNION members, FUNC_PROTO
 * params, ENUM and ENUM64 names, DATASEC entries). The one list relocate, merge and the C
 * dumper walk; a kind without such fields yields none.
 *
 *	struct btfci_field_iter it;
 *	for (uint32_t *f = btfci_field_first(&it, t, BTFCI_FIELD_IDS); f; f = btfci_field_next(&it))
 *
 * it.member says whether the field returned last belongs to a member (1) or the record (0).
 */
enum btfci_field_set { BTFCI_FIELD_IDS, BTFCI_FIELD_STRS };
struct btfci_field_iter {
	struct btfc_type *t;
	enum btfci_field_set set;
	unsigned step, vlen;
	bool member;
};
uint32_t *btfci_field_first(struct btfci_field_iter *it, struct btfc_type *t,
			    enum btfci_field_set set);
uint32_t *btfci_field_next(struct btfci_field_iter *it);

#endif
