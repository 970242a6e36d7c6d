/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* diff: structural comparison of two BTFs (diff.c). Internal until its API settles. */
#ifndef BTFC_DIFF_H
#define BTFC_DIFF_H

#include "internal.h"

enum btfc__diff_what { BTFC__DIFF_SAME, BTFC__DIFF_CHANGED, BTFC__DIFF_ADDED, BTFC__DIFF_REMOVED };

struct btfc_diff_counts {
	size_t added, removed, changed, unchanged;
};

/* Called for every named type: its old id (0 when added) and new id (0 when removed). */
typedef void (*btfc__diff_cb)(void *user, enum btfc__diff_what what, uint32_t old_id, uint32_t new_id);

/* Match the named types of @old and @new by kind and name and compare their layouts. */
int btfc__diff(struct btfc_ctx *ctx, const struct btfc_btf *old, const struct btfc_btf *new, btfc__diff_cb cb,
	       void *user, struct btfc_diff_counts *counts);

/* What changed between old type @oid and new type @nid, in words ("size 8 -> 16; ..."). */
void btfc__diff_explain(const struct btfc_btf *old, uint32_t oid, const struct btfc_btf *new, uint32_t nid,
			char *buf, size_t cap);

/* A C-like name of type @id ("struct sk_buff *", "u32[4]"). */
void btfc__type_render(const struct btfc_btf *btf, uint32_t id, char *buf, size_t cap);

/* Called once per named base type the module uses: what became of it in the new base. */
typedef void (*btfc__abi_cb)(void *user, uint32_t old_id, enum btfc__diff_what what, uint32_t new_id);

/* The fate in @new of every named type of @old (one diff, for many modules). NULL on error. */
struct btfc__abi_map;
struct btfc__abi_map *btfc__abi_map_new(struct btfc_ctx *ctx, const struct btfc_btf *old, const struct btfc_btf *new);
void btfc__abi_map_free(struct btfc__abi_map *m);
/* What became of old base type @id in the new base (and its new id). */
enum btfc__diff_what btfc__abi_fate(const struct btfc__abi_map *m, uint32_t id, uint32_t *new_id);

/*
 * The named base types that module BTF @mod (split on the map's old base)
 * uses, directly or through its own and anonymous types, and their fate.
 */
int btfc__abi(struct btfc_ctx *ctx, const struct btfc_btf *mod, const struct btfc__abi_map *map, btfc__abi_cb cb,
	      void *user);

#endif
