// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * diff: compare two BTFs by structure, not by id. Named types (structs,
 * unions, enums, typedefs, functions, variables, ints, floats, forwards) are
 * matched by kind and name; each has a layout fingerprint in which every
 * reference to a named type is that type's kind and name and every anonymous
 * type is folded in whole, so ids never matter and cycles (which always pass
 * through a named type) end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_int.h"
#include "diff.h"

static bool named_kind(unsigned k)
{
	switch (k) {
	case BTFC_KIND_INT:
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
	case BTFC_KIND_ENUM:
	case BTFC_KIND_FWD:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_FUNC:
	case BTFC_KIND_VAR:
	case BTFC_KIND_FLOAT:
	case BTFC_KIND_ENUM64:
	case BTFC_KIND_DATASEC:
		return true;
	}
	return false;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = mix(h, (uint8_t)*s);
	return mix(h, 0);
}

/* Per-BTF memo of fingerprints. */
struct fp {
	const struct btfc_btf *btf;
	uint64_t *layout; /* full fingerprint of each type, 0 = not yet */
	uint8_t *busy;
};

static uint64_t layout_of(struct fp *f, uint32_t id, int depth);

/* How a type is referred to: named types by kind and name, anonymous ones whole. */
static uint64_t ref_of(struct fp *f, uint32_t id, int depth)
{
	const struct btfc_type *t = btfc_btf_type_by_id(f->btf, id);

	if (!t)
		return mix(0x766f6964, id ? 0xdead : 0); /* void, or a dangling id */
	unsigned k = btfc_type_kind(t);
	if (named_kind(k) && t->name_off) {
		/* a FWD and the struct it names are the same reference */
		unsigned kk = k == BTFC_KIND_FWD ?
				      (btfc_type_kflag(t) ? BTFC_KIND_UNION : BTFC_KIND_STRUCT) :
				      k;
		return mix_str(mix(0x6e616d65, kk), btfc_btf_str(f->btf, t->name_off));
	}
	return layout_of(f, id, depth + 1);
}

static uint64_t layout_of(struct fp *f, uint32_t id, int depth)
{
	const struct btfc_type *t = btfc_btf_type_by_id(f->btf, id);

	if (!t || depth > 64)
		return 0x6c6f6f70;
	if (f->layout[id])
		return f->layout[id];
	if (f->busy[id])
		return 0x6379636c; /* an anonymous cycle: only crafted BTF has one */
	f->busy[id] = 1;
	unsigned k = btfc_type_kind(t), vlen = btfc_type_vlen(t);
	uint64_t h = mix(mix(k, btfc_type_kflag(t)), vlen);
	h = mix_str(h, t->name_off ? btfc_btf_str(f->btf, t->name_off) : "");
	const void *d = btfc_type_data(t);
	switch (k) {
	case BTFC_KIND_INT:
		h = mix(mix(h, t->size), *(const uint32_t *)d);
		break;
	case BTFC_KIND_PTR:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_CONST:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_TYPE_TAG:
	case BTFC_KIND_FUNC:
		h = mix(h, ref_of(f, t->type, depth));
		if (k == BTFC_KIND_FUNC)
			h = mix(h, vlen);
		break;
	case BTFC_KIND_ARRAY: {
		const struct btfc_array *a = d;
		h = mix(mix(mix(h, a->nelems), ref_of(f, a->type, depth)),
			ref_of(f, a->index_type, depth));
		break;
	}
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION: {
		const struct btfc_member *m = d;
		h = mix(h, t->size);
		for (unsigned i = 0; i < vlen; i++)
			h = mix(mix(mix_str(h, btfc_btf_str(f->btf, m[i].name_off)), m[i].offset),
				ref_of(f, m[i].type, depth));
		break;
	}
	case BTFC_KIND_ENUM: {
		const struct btfc_enum *e = d;
		h = mix(h, t->size);
		for (unsigned i = 0; i < vlen; i++)
			h = mix(mix_str(h, btfc_btf_str(f->btf, e[i].name_off)),
				(uint32_t)e[i].val);
		break;
	}
	case BTFC_KIND_ENUM64: {
		const struct btfc_enum64 *e = d;
		h = mix(h, t->size);
		for (unsigned i = 0; i < vlen; i++)
			h = mix(mix(mix_str(h, btfc_btf_str(f->btf, e[i].name_off)), e[i].val_lo32),
				e[i].val_hi32);
		break;
	}
	case BTFC_KIND_FUNC_PROTO: {
		const struct btfc_param *p = d;
		h = mix(h, ref_of(f, t->type, depth));
		for (unsigned i = 0; i < vlen; i++)
			h = mix(mix_str(h, btfc_btf_str(f->btf, p[i].name_off)),
				ref_of(f, p[i].type, depth));
		break;
	}
	case BTFC_KIND_VAR:
		h = mix(mix(h, ref_of(f, t->type, depth)), *(const uint32_t *)d);
		break;
	case BTFC_KIND_DATASEC: {
		const struct btfc_var_secinfo *v = d;
		h = mix(h, t->size);
		for (unsigned i = 0; i < vlen; i++)
			h = mix(mix(mix(h, ref_of(f, v[i].type, depth)), v[i].offset), v[i].size);
		break;
	}
	case BTFC_KIND_FLOAT:
		h = mix(h, t->size);
		break;
	case BTFC_KIND_DECL_TAG:
		h = mix(mix(h, ref_of(f, t->type, depth)), (uint32_t) * (const int32_t *)d);
		break;
	}
	f->busy[id] = 0;
	if (!h)
		h = 1;
	f->layout[id] = h;
	return h;
}

/* A named type's entry for matching. */
struct ent {
	uint64_t key; /* kind and name */
	uint64_t print; /* layout fingerprint */
	uint32_t id;
	uint32_t order; /* scratch: paired */
};

static int cmp_ent(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int entries(struct fp *f, struct ent **out, size_t *n)
{
	uint32_t first = btfc_btf_start_id(f->btf), end = btfc_btf_type_cnt(f->btf);
	struct ent *e = malloc((end - first + 1) * sizeof(*e));
	size_t k = 0;

	if (!e)
		return -ENOMEM;
	for (uint32_t id = first; id < end; id++) {
		const struct btfc_type *t = btfc_btf_type_by_id(f->btf, id);
		if (!named_kind(btfc_type_kind(t)) || !t->name_off)
			continue;
		e[k].key = mix_str(mix(0x6b6579, btfc_type_kind(t)),
				   btfc_btf_str(f->btf, t->name_off));
		e[k].print = layout_of(f, id, 0);
		e[k].id = id;
		k++;
	}
	qsort(e, k, sizeof(*e), cmp_ent);
	*out = e;
	*n = k;
	return 0;
}

static int fp_init(struct fp *f, const struct btfc_btf *btf)
{
	uint32_t n = btfc_btf_type_cnt(btf);

	f->btf = btf;
	f->layout = calloc(n, sizeof(*f->layout));
	f->busy = calloc(n, 1);
	return f->layout && f->busy ? 0 : -ENOMEM;
}

static void fp_fini(struct fp *f)
{
	free(f->layout);
	free(f->busy);
}

static void no_cb(void *user, enum btfc_diff_what what, uint32_t oid, uint32_t nid)
{
	(void)user, (void)what, (void)oid, (void)nid;
}

static int diff(struct btfc_ctx *ctx, const struct btfc_btf *old, const struct btfc_btf *new,
		btfc_diff_fn cb, void *user, struct btfc_diff_counts *counts)
{
	struct fp fo = { 0 }, fn = { 0 };
	struct ent *eo = NULL, *en = NULL;
	size_t no = 0, nn = 0;
	int err;

	if (!cb)
		cb = no_cb;
	if ((err = fp_init(&fo, old)) || (err = fp_init(&fn, new)) ||
	    (err = entries(&fo, &eo, &no)) || (err = entries(&fn, &en, &nn))) {
		err = btfci_err(ctx, -ENOMEM, NULL, "out of memory comparing BTF");
		goto out;
	}
	/*
	 * Walk the two lists sorted by key. Within a key (types of one kind and
	 * name; usually one, sometimes a few), equal layouts pair first, then
	 * the rest in order of appearance; what is left was added or removed.
	 */
	size_t i = 0, j = 0;
	while (i < no || j < nn) {
		uint64_t key = i == no               ? en[j].key :
			       j == nn               ? eo[i].key :
			       eo[i].key < en[j].key ? eo[i].key :
						       en[j].key;
		size_t i1 = i, j1 = j;
		while (i1 < no && eo[i1].key == key)
			i1++;
		while (j1 < nn && en[j1].key == key)
			j1++;
		for (size_t x = i; x < i1; x++) /* .order doubles as "paired" from here on */
			eo[x].order = 0;
		for (size_t y = j; y < j1; y++)
			en[y].order = 0;
		for (size_t x = i; x < i1; x++)
			for (size_t y = j; y < j1; y++)
				if (!en[y].order && eo[x].print == en[y].print) {
					eo[x].order = en[y].order = 1;
					counts->unchanged++;
					cb(user, BTFC_DIFF_SAME, eo[x].id, en[y].id);
					break;
				}
		size_t y = j;
		for (size_t x = i; x < i1; x++) {
			if (eo[x].order)
				continue;
			while (y < j1 && en[y].order)
				y++;
			if (y < j1) {
				en[y].order = 1;
				counts->changed++;
				cb(user, BTFC_DIFF_CHANGED, eo[x].id, en[y].id);
			} else {
				counts->removed++;
				cb(user, BTFC_DIFF_REMOVED, eo[x].id, 0);
			}
		}
		for (y = j; y < j1; y++)
			if (!en[y].order) {
				counts->added++;
				cb(user, BTFC_DIFF_ADDED, 0, en[y].id);
			}
		i = i1;
		j = j1;
	}
out:
	free(eo);
	free(en);
	fp_fini(&fo);
	fp_fini(&fn);
	return err;
}

/* ---- words ---- */

static void render(const struct btfc_btf *b, uint32_t id, char *buf, size_t cap, int depth)
{
	const struct btfc_type *t = btfc_btf_type_by_id(b, id);
	const char *name;

	if (!t || depth > 16) {
		btfci_appendf(buf, cap, id ? "?" : "void");
		return;
	}
	name = t->name_off ? btfc_btf_str(b, t->name_off) : "(anon)";
	switch (btfc_type_kind(t)) {
	case BTFC_KIND_STRUCT:
		btfci_appendf(buf, cap, "struct %s", name);
		break;
	case BTFC_KIND_UNION:
		btfci_appendf(buf, cap, "union %s", name);
		break;
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
		btfci_appendf(buf, cap, "enum %s", name);
		break;
	case BTFC_KIND_FWD:
		btfci_appendf(buf, cap, "%s %s", btfc_type_kflag(t) ? "union" : "struct", name);
		break;
	case BTFC_KIND_PTR:
		render(b, t->type, buf, cap, depth + 1);
		btfci_appendf(buf, cap, " *");
		break;
	case BTFC_KIND_CONST:
		btfci_appendf(buf, cap, "const ");
		render(b, t->type, buf, cap, depth + 1);
		break;
	case BTFC_KIND_VOLATILE:
		btfci_appendf(buf, cap, "volatile ");
		render(b, t->type, buf, cap, depth + 1);
		break;
	case BTFC_KIND_RESTRICT:
		render(b, t->type, buf, cap, depth + 1);
		btfci_appendf(buf, cap, " restrict");
		break;
	case BTFC_KIND_TYPE_TAG:
		render(b, t->type, buf, cap, depth + 1);
		break;
	case BTFC_KIND_ARRAY: {
		const struct btfc_array *a = btfc_type_data(t);
		render(b, a->type, buf, cap, depth + 1);
		btfci_appendf(buf, cap, "[%u]", a->nelems);
		break;
	}
	case BTFC_KIND_FUNC_PROTO: {
		const struct btfc_param *p = btfc_type_data(t);
		render(b, t->type, buf, cap, depth + 1);
		btfci_appendf(buf, cap, " (");
		for (unsigned i = 0; i < btfc_type_vlen(t); i++) {
			btfci_appendf(buf, cap, i ? ", " : "");
			if (p[i].type)
				render(b, p[i].type, buf, cap, depth + 1);
			else
				btfci_appendf(buf, cap, "...");
		}
		btfci_appendf(buf, cap, ")");
		break;
	}
	default:
		btfci_appendf(buf, cap, "%s", name);
	}
}

void btfci_type_render(const struct btfc_btf *btf, uint32_t id, char *buf, size_t cap)
{
	buf[0] = 0;
	render(btf, id, buf, cap, 0);
}

static const struct btfc_member *member_named(const struct btfc_btf *b, const struct btfc_type *t,
					      const char *n)
{
	const struct btfc_member *m = btfc_type_data(t);

	for (unsigned i = 0; i < btfc_type_vlen(t); i++)
		if (m[i].name_off && !strcmp(btfc_btf_str(b, m[i].name_off), n))
			return &m[i];
	return NULL;
}

static void explain_members(const struct btfc_btf *ob, const struct btfc_type *ot,
			    const struct btfc_btf *nb, const struct btfc_type *nt,
			    struct btfci_str *buf, struct btfci_diff_counts *n)
{
	const struct btfc_member *om = btfc_type_data(ot), *nm = btfc_type_data(nt);
	char a[160], b[160];

	for (unsigned i = 0; i < btfc_type_vlen(ot); i++) {
		if (!om[i].name_off)
			continue;
		const char *name = btfc_btf_str(ob, om[i].name_off);
		const struct btfc_member *m = member_named(nb, nt, name);
		if (!m) {
			btfci_str_addf(buf, "; member '%s' removed", name);
			n->removed++;
			continue;
		}
		if (m->offset != om[i].offset) {
			btfci_str_addf(buf, "; member '%s' moved: bit %u -> %u", name,
				       om[i].offset & 0xffffff, m->offset & 0xffffff);
			n->moved++;
		}
		btfci_type_render(ob, om[i].type, a, sizeof(a));
		btfci_type_render(nb, m->type, b, sizeof(b));
		if (strcmp(a, b)) {
			btfci_str_addf(buf, "; member '%s' retyped: %s -> %s", name, a, b);
			n->retyped++;
		}
	}
	for (unsigned i = 0; i < btfc_type_vlen(nt); i++)
		if (nm[i].name_off && !member_named(ob, ot, btfc_btf_str(nb, nm[i].name_off))) {
			btfci_str_addf(buf, "; member '%s' added at bit %u",
				       btfc_btf_str(nb, nm[i].name_off), nm[i].offset & 0xffffff);
			n->added++;
		}
}

void btfci_diff_explain(const struct btfc_btf *ob, uint32_t oid, const struct btfc_btf *nb,
			uint32_t nid, struct btfci_str *buf, struct btfci_diff_counts *counts)
{
	const struct btfc_type *ot = btfc_btf_type_by_id(ob, oid),
			       *nt = btfc_btf_type_by_id(nb, nid);
	struct btfci_diff_counts n = { 0 };
	char a[256], b[256];

	switch (btfc_type_kind(ot)) {
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
		n.old_size = ot->size;
		n.new_size = nt->size;
		if (ot->size != nt->size)
			btfci_str_addf(buf, "; size %u -> %u", ot->size, nt->size);
		explain_members(ob, ot, nb, nt, buf, &n);
		break;
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
		n.old_size = ot->size;
		n.new_size = nt->size;
		if (ot->size != nt->size)
			btfci_str_addf(buf, "; size %u -> %u", ot->size, nt->size);
		if (btfc_type_vlen(ot) != btfc_type_vlen(nt))
			btfci_str_addf(buf, "; %u -> %u values", btfc_type_vlen(ot),
				       btfc_type_vlen(nt));
		break;
	case BTFC_KIND_FUNC:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_VAR:
		btfci_type_render(ob, ot->type, a, sizeof(a));
		btfci_type_render(nb, nt->type, b, sizeof(b));
		if (strcmp(a, b))
			btfci_str_addf(buf, "; %s -> %s", a, b);
		break;
	default:
		if (ot->size != nt->size)
			btfci_str_addf(buf, "; size %u -> %u", ot->size, nt->size);
	}
	if (!buf->len) /* the difference lies deeper: an anonymous member type, a value, a parameter name */
		btfci_str_addf(
			buf,
			"; layout differs below the surface (anonymous types, values or names)");
	if (counts)
		*counts = n;
	/* the text is buf's after its leading "; " */
}

BTFC_API int btfc_diff_explain(const struct btfc_btf *old, uint32_t old_id,
			       const struct btfc_btf *new, uint32_t new_id, char *buf, size_t cap)
{
	struct btfci_str s = { 0 };

	btfci_diff_explain(old, old_id, new, new_id, &s, NULL);
	int n = s.oom ? -ENOMEM : snprintf(buf, cap, "%s", btfci_str_get(&s) + 2);
	btfci_str_fini(&s);
	return n;
}

/* ---- a module's view: which base types it uses, and what became of them ---- */

struct btfc_abi_map {
	uint32_t n;
	enum btfc_diff_what *what; /* per old base id */
	uint32_t *new_id;
};

static void abi_cb(void *user, enum btfc_diff_what what, uint32_t oid, uint32_t nid)
{
	struct btfc_abi_map *m = user;

	if (oid) {
		m->what[oid] = what;
		m->new_id[oid] = nid;
	}
}

/* Mark the named base types reachable from @id without passing through another named type. */
static void abi_mark(const struct btfc_btf *mod, uint32_t id, uint8_t *used, uint32_t base_cnt,
		     int depth)
{
	const struct btfc_type *t = btfc_btf_type_by_id(mod, id);

	if (!t || id >= base_cnt || depth > 32 || used[id])
		return;
	if (named_kind(btfc_type_kind(t)) && t->name_off) {
		used[id] = 1;
		return;
	}
	used[id] = 2; /* an anonymous base type on the way */
	const struct btfc_array *a;
	switch (btfc_type_kind(t)) {
	case BTFC_KIND_ARRAY:
		a = btfc_type_data(t);
		abi_mark(mod, a->type, used, base_cnt, depth + 1);
		break;
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION: {
		const struct btfc_member *m = btfc_type_data(t);
		for (unsigned i = 0; i < btfc_type_vlen(t); i++)
			abi_mark(mod, m[i].type, used, base_cnt, depth + 1);
		break;
	}
	case BTFC_KIND_FUNC_PROTO: {
		const struct btfc_param *p = btfc_type_data(t);
		abi_mark(mod, t->type, used, base_cnt, depth + 1);
		for (unsigned i = 0; i < btfc_type_vlen(t); i++)
			abi_mark(mod, p[i].type, used, base_cnt, depth + 1);
		break;
	}
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
	case BTFC_KIND_INT:
	case BTFC_KIND_FLOAT:
	case BTFC_KIND_FWD:
		break;
	default:
		abi_mark(mod, t->type, used, base_cnt, depth + 1);
	}
}

BTFC_API int btfc_diff_walk(struct btfc_ctx *ctx, const struct btfc_btf *old,
			    const struct btfc_btf *new, btfc_diff_fn fn, void *user,
			    struct btfc_diff_counts *counts)
{
	struct btfc_diff_counts c = { .sz = sizeof(c) };
	int err;

	if (counts && (err = btfci_result_check(ctx, counts, "btfc_diff_counts")))
		return err;
	if (!(err = diff(ctx, old, new, fn, user, &c)) && counts)
		btfci_result_put(counts, &c, sizeof(c));
	return err;
}

BTFC_API int btfc_abi_map_new(struct btfc_ctx *ctx, const struct btfc_btf *old,
			      const struct btfc_btf *new, struct btfc_abi_map **out)
{
	uint32_t n = btfc_btf_type_cnt(old);
	struct btfc_abi_map *m = calloc(1, sizeof(*m));
	struct btfc_diff_counts c = { .sz = sizeof(c) };
	int err;

	*out = NULL;
	if (!m || !(m->what = calloc(n, sizeof(*m->what))) ||
	    !(m->new_id = calloc(n, sizeof(*m->new_id)))) {
		btfc_abi_map_free(m);
		return btfci_err(ctx, -ENOMEM, NULL, "out of memory");
	}
	m->n = n;
	for (uint32_t i = 0; i < n; i++)
		m->what[i] = BTFC_DIFF_REMOVED; /* named types not seen in the diff are gone */
	if ((err = diff(ctx, old, new, abi_cb, m, &c))) {
		btfc_abi_map_free(m);
		return err;
	}
	*out = m;
	return 0;
}

BTFC_API void btfc_abi_map_free(struct btfc_abi_map *m)
{
	if (!m)
		return;
	free(m->what);
	free(m->new_id);
	free(m);
}

BTFC_API enum btfc_diff_what btfc_abi_map_fate(const struct btfc_abi_map *m, uint32_t id,
					       uint32_t *new_id)
{
	if (new_id)
		*new_id = id < m->n ? m->new_id[id] : 0;
	return id < m->n ? m->what[id] : BTFC_DIFF_REMOVED;
}

BTFC_API int btfc_abi_map_walk(struct btfc_ctx *ctx, const struct btfc_abi_map *map,
			       const struct btfc_btf *mod, btfc_diff_fn fn, void *user)
{
	uint32_t n = map->n;
	uint8_t *used = calloc(n, 1);

	if (!used)
		return btfci_err(ctx, -ENOMEM, NULL, "out of memory");
	/* every reference of the module's own types */
	for (uint32_t id = btfc_btf_start_id(mod); id < btfc_btf_type_cnt(mod); id++) {
		const struct btfc_type *t = btfc_btf_type_by_id(mod, id);
		unsigned vlen = btfc_type_vlen(t);
		switch (btfc_type_kind(t)) {
		case BTFC_KIND_ARRAY: {
			const struct btfc_array *a = btfc_type_data(t);
			abi_mark(mod, a->type, used, n, 0);
			abi_mark(mod, a->index_type, used, n, 0);
			break;
		}
		case BTFC_KIND_STRUCT:
		case BTFC_KIND_UNION: {
			const struct btfc_member *mm = btfc_type_data(t);
			for (unsigned i = 0; i < vlen; i++)
				abi_mark(mod, mm[i].type, used, n, 0);
			break;
		}
		case BTFC_KIND_FUNC_PROTO: {
			const struct btfc_param *p = btfc_type_data(t);
			abi_mark(mod, t->type, used, n, 0);
			for (unsigned i = 0; i < vlen; i++)
				abi_mark(mod, p[i].type, used, n, 0);
			break;
		}
		case BTFC_KIND_DATASEC: {
			const struct btfc_var_secinfo *v = btfc_type_data(t);
			for (unsigned i = 0; i < vlen; i++)
				abi_mark(mod, v[i].type, used, n, 0);
			break;
		}
		case BTFC_KIND_ENUM:
		case BTFC_KIND_ENUM64:
		case BTFC_KIND_INT:
		case BTFC_KIND_FLOAT:
		case BTFC_KIND_FWD:
			break;
		default:
			abi_mark(mod, t->type, used, n, 0);
		}
	}
	for (uint32_t id = 1; id < n; id++)
		if (used[id] == 1)
			fn(user, map->what[id], id, map->new_id[id]);
	free(used);
	return 0;
}
