/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the reader's fuzz targets do with a BTF object that opened: every id's
 * record and strings read (ids of a split object's base too), a dump in one of
 * the three formats to @out_fd, name lookups checked against the model, a
 * flatten. Traps when a lookup contradicts what was read.
 */
#ifndef BTFC_FUZZ_EXERCISE_H
#define BTFC_FUZZ_EXERCISE_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btfcompat/btfcompat.h"

/* Read every byte of the NUL-terminated string at @s (ASan sees an over-read). */
static size_t touch_str(const char *s) { return s ? strlen(s) : 0; }

static void fuzz_exercise(const struct btfc_btf *b, size_t seed, int out_fd)
{
	uint32_t start = btfc_btf_start_id(b), cnt = btfc_btf_type_cnt(b);
	const char *name = NULL;
	unsigned name_kind = 0;
	volatile size_t sink = 0;

	if (btfc_btf_type_by_id(b, 0) || btfc_btf_type_by_id(b, cnt) ||
	    btfc_btf_type_by_id(b, UINT32_MAX))
		__builtin_trap();
	for (uint32_t id = 1; id < cnt; id++) { /* a split object resolves its base's ids too */
		const struct btfc_type *t = btfc_btf_type_by_id(b, id);
		if (!t)
			__builtin_trap();
		const char *s = btfc_btf_str(b, t->name_off);
		sink += touch_str(s);
		if (id >= start && s && *s) { /* a name of its own, looked up below */
			name = s;
			name_kind = btfc_type_kind(t);
		}
		const uint32_t *d = btfc_type_data(t);
		unsigned vlen = btfc_type_vlen(t), words = 0;
		switch (btfc_type_kind(t)) {
		case BTFC_KIND_STRUCT:
		case BTFC_KIND_UNION:
		case BTFC_KIND_ENUM64:
			words = 3;
			break;
		case BTFC_KIND_ENUM:
		case BTFC_KIND_FUNC_PROTO:
			words = 2;
			break;
		}
		for (unsigned i = 0; words && i < vlen; i++) {
			sink += touch_str(btfc_btf_str(b, d[i * words]));
			if (words == 3 || btfc_type_kind(t) == BTFC_KIND_FUNC_PROTO)
				sink += btfc_btf_type_by_id(b, d[i * words + 1]) != NULL;
		}
		if (btfc_type_kind(t) != BTFC_KIND_STRUCT && btfc_type_kind(t) != BTFC_KIND_UNION &&
		    btfc_type_kind(t) != BTFC_KIND_ENUM && btfc_type_kind(t) != BTFC_KIND_ENUM64 &&
		    btfc_type_kind(t) != BTFC_KIND_DATASEC &&
		    btfc_type_kind(t) != BTFC_KIND_FLOAT && btfc_type_kind(t) != BTFC_KIND_INT)
			sink += btfc_btf_type_by_id(b, t->type) != NULL;
	}
	if (btfc_btf_dump(b, out_fd, (enum btfc_dump_format)(seed % 3)))
		__builtin_trap();
	if (name) {
		int64_t id = btfc_btf_find(b, name, name_kind);
		const struct btfc_type *t = id > 0 ? btfc_btf_type_by_id(b, (uint32_t)id) : NULL;
		if (!t || btfc_type_kind(t) != name_kind || !btfc_btf_str(b, t->name_off) ||
		    strcmp(btfc_btf_str(b, t->name_off), name))
			__builtin_trap();
	}
	/* a name that may or may not be there: absent is -ENOENT, present is a type of that name */
	int64_t id = btfc_btf_find(b, "int", BTFC_KIND_INT);
	const struct btfc_type *it = id > 0 ? btfc_btf_type_by_id(b, (uint32_t)id) : NULL;
	if (id != -ENOENT &&
	    (!it || btfc_type_kind(it) != BTFC_KIND_INT || !btfc_btf_str(b, it->name_off) ||
	     strcmp(btfc_btf_str(b, it->name_off), "int")))
		__builtin_trap();
	void *flat;
	size_t flen;
	if (!btfc_btf_flatten(b, &flat, &flen))
		free(flat);
	(void)sink;
}

#endif
