/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* relocate: distill a module's base and move its BTF onto another base (relocate.c). Not installed. */
#ifndef BTFC_RELOCATE_H
#define BTFC_RELOCATE_H

#include "internal.h"

/* A new BTF blob (header, types, strings; host byte order) and how ids moved into it. */
struct btfci_blob {
	uint8_t *data;
	size_t len;
	uint32_t *id_map; /* old id -> new id (0: none), indexed by the input's ids */
	uint32_t n_map; /* entries of id_map */
	uint32_t refused_id; /* btfci_relocate() refused: the distilled base type it could not map, else 0 */
};

void btfci_blob_fini(struct btfci_blob *b);

/*
 * btf__distill_base() of libbpf 1.5, output for output: the named INT, FLOAT,
 * FWD, STRUCT, UNION, ENUM types that split BTF @mod uses from its (full)
 * base go into a distilled base (structs and unions without members, enums
 * without values), everything else it uses from the base is copied into the
 * new split BTF after the module's own types. @roots (may be NULL) are extra
 * base ids to keep (ids a module's .BTF_ids names). On success *@base is the
 * distilled base, *@split the split BTF on it; split->id_map maps every old
 * id (base and split) to its id in the distilled numbering.
 */
int btfci_distill(struct btfc_ctx *ctx, const struct btfc_btf *mod, const uint32_t *roots,
		  size_t n_roots, struct btfci_blob *base, struct btfci_blob *split);

/*
 * btf__relocate() of libbpf 1.5 (= the kernel's btf_relocate() at module
 * load): move split BTF @mod, whose base is a distilled base, onto @to.
 * Distilled types are matched by name, kind and size as the kernel does.
 * On success *@out is split BTF on @to, out->id_map maps @mod's ids.
 * Returns 0, 1 when the kernel would refuse (reason in ctx, as the kernel
 * words it; out->refused_id names the distilled type when one is to blame),
 * or a negative errno.
 */
int btfci_relocate(struct btfc_ctx *ctx, const struct btfc_btf *mod, const struct btfc_btf *to,
		   struct btfci_blob *out);

#endif
