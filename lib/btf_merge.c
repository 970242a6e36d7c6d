// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Several split BTFs (modules) on one base merged into one split BTF on that base, then
 * deduplicated: what `bpftool btf dump file A file B --base-btf V` (bpftool >= 7.7) does with
 * libbpf's btf__add_btf() and btf__dedup() before it prints. Our own code following libbpf's
 * (1.8, Linux 7.2's tools/lib/bpf) rules, so that the surviving types, their order and their ids
 * are the same:
 *
 *  merge:   each module's own types appended in order, its ids shifted past the ones before it,
 *           names re-interned (a name the base has takes the base's offset);
 *  dedup:   the base is fixed (its types are canonical); each new type maps to an equal earlier
 *           one, phase by phase: primitives (INT, ENUM, FWD, FLOAT), then STRUCT/UNION/TYPEDEF
 *           by type-graph equivalence (with FWD <-> STRUCT resolution), then FWDs whose name is
 *           one struct's only, then reference types once what they refer to is canonical;
 *  compact: the canonical new types keep their order, renumbered; every reference remapped.
 *
 * Candidates of one signature are tried in the order libbpf's hash map yields them (newest
 * first, the whole list reversed at each growth of the table), which decides where a type
 * equal to two earlier ones goes. The result is a raw BTF blob (host byte order) of the
 * merged module, to be parsed on the base.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf_int.h"

#define UNPROCESSED UINT32_MAX
#define IN_PROGRESS (UINT32_MAX - 1)
#define MAX_NR_TYPES 0x7fffffffu
#define IDENT_DEPTH 16 /* libbpf's depth for the structural comparison */

/* ---- the candidate table: signature -> canonical ids, in libbpf's iteration order ---- */

struct cand_list {
	long key;
	uint32_t *ids, n, cap;
};

struct cands {
	struct cand_list *l;
	uint32_t *slot; /* open addressing: index + 1 into l, 0 free */
	uint32_t mask, nl, capl;
	size_t sz, cap; /* libbpf's entry count and bucket count (its growth schedule) */
};

static uint32_t key_slot(const struct cands *c, long key)
{
	uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ull;
	uint32_t i = (uint32_t)(h >> 32) & c->mask;
	while (c->slot[i] && c->l[c->slot[i] - 1].key != key)
		i = (i + 1) & c->mask;
	return i;
}

static struct cand_list *cands_find(const struct cands *c, long key)
{
	if (!c->mask)
		return NULL;
	uint32_t i = key_slot(c, key);
	return c->slot[i] ? &c->l[c->slot[i] - 1] : NULL;
}

static int cands_add(struct cands *c, long key, uint32_t id)
{
	/* libbpf's hashmap: grows when empty or over 75% full; a growth reverses each bucket */
	if (c->cap == 0 || (c->sz + 1) * 4 / 3 > c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4;
		for (uint32_t i = 0; i < c->nl; i++)
			for (uint32_t a = 0, b = c->l[i].n; b > a + 1; a++, b--) {
				uint32_t x = c->l[i].ids[a];
				c->l[i].ids[a] = c->l[i].ids[b - 1];
				c->l[i].ids[b - 1] = x;
			}
	}
	if ((c->nl + 1) * 2 > c->mask) {
		uint32_t nmask = c->mask ? c->mask * 2 + 1 : 4095;
		uint32_t *s = calloc((size_t)nmask + 1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		free(c->slot);
		c->slot = s;
		c->mask = nmask;
		for (uint32_t i = 0; i < c->nl; i++)
			c->slot[key_slot(c, c->l[i].key)] = i + 1;
	}
	uint32_t i = key_slot(c, key);
	if (!c->slot[i]) {
		if (c->nl == c->capl) {
			uint32_t cap = c->capl ? c->capl * 2 : 1024;
			struct cand_list *l = realloc(c->l, cap * sizeof(*l));
			if (!l)
				return -ENOMEM;
			c->l = l;
			c->capl = cap;
		}
		c->l[c->nl] = (struct cand_list){ .key = key };
		c->slot[i] = ++c->nl;
	}
	struct cand_list *l = &c->l[c->slot[i] - 1];
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 2;
		uint32_t *ids = realloc(l->ids, cap * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		l->ids = ids;
		l->cap = cap;
	}
	/* prepended: the newest first */
	memmove(l->ids + 1, l->ids, l->n * sizeof(*l->ids));
	l->ids[0] = id;
	l->n++;
	c->sz++;
	return 0;
}

static void cands_free(struct cands *c)
{
	for (uint32_t i = 0; i < c->nl; i++)
		free(c->l[i].ids);
	free(c->l);
	free(c->slot);
}

/* ---- interned names: one offset per string, the base's first ---- */

struct strs {
	const struct btfc_btf *base;
	uint32_t base_len;
	char *buf; /* the new strings, after the base's */
	uint32_t len, cap;
	uint32_t *slot; /* offset + 1 */
	uint32_t mask, used;
};

static const char *strs_get(const struct strs *s, uint32_t off)
{
	return off < s->base_len ? btfc_btf_str(s->base, off) : s->buf + (off - s->base_len);
}

static int strs_slot_put(struct strs *s, uint32_t off);

static int strs_grow(struct strs *s)
{
	uint32_t nmask = s->mask ? s->mask * 2 + 1 : 65535, omask = s->mask;
	uint32_t *old = s->slot;
	if (!(s->slot = calloc((size_t)nmask + 1, sizeof(*s->slot)))) {
		s->slot = old;
		return -ENOMEM;
	}
	s->mask = nmask;
	s->used = 0;
	for (uint32_t i = 0; old && i <= omask; i++)
		if (old[i])
			strs_slot_put(s, old[i] - 1);
	free(old);
	return 0;
}

/* the slot of string @str: its offset + 1, or 0 where it would go */
static uint32_t strs_lookup(const struct strs *s, const char *str, uint32_t *at)
{
	uint32_t i = btfci_hash_str(str) & s->mask;
	while (s->slot[i] && strcmp(strs_get(s, s->slot[i] - 1), str))
		i = (i + 1) & s->mask;
	*at = i;
	return s->slot[i];
}

static int strs_slot_put(struct strs *s, uint32_t off)
{
	uint32_t at;
	if ((s->used + 1) * 2 > s->mask) {
		int err = strs_grow(s);
		if (err)
			return err;
	}
	if (!strs_lookup(s, strs_get(s, off), &at)) {
		s->slot[at] = off + 1;
		s->used++;
	}
	return 0;
}

/* the merged offset of @str (added when new), or -ENOMEM */
static int64_t strs_add(struct strs *s, const char *str)
{
	uint32_t at, n = (uint32_t)strlen(str) + 1, hit;

	if ((s->used + 1) * 2 > s->mask && strs_grow(s))
		return -ENOMEM;
	if ((hit = strs_lookup(s, str, &at)))
		return hit - 1;
	if (s->len + n > s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 65536;
		while (cap < s->len + n)
			cap *= 2;
		char *b = realloc(s->buf, cap);
		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, str, n);
	s->slot[at] = s->base_len + s->len + 1;
	s->used++;
	s->len += n;
	return s->base_len + s->len - n;
}

/* ---- the merged BTF ---- */

struct dd {
	struct btfc_ctx *ctx;
	const struct btfc_btf *base;
	uint32_t start, n; /* first new id; ids in all */
	uint8_t *types; /* the new types' records, mutable */
	size_t types_len, types_cap;
	size_t *off; /* record offset by new id - start */
	uint32_t *map, *hypot, *hypot_list, hypot_cnt;
	bool adjust_canon;
	struct cands table;
	struct strs strs;
};

static struct btfc_type *T(struct dd *d, uint32_t id)
{
	static struct btfc_type void_t;
	if (!id)
		return &void_t;
	if (id < d->start)
		return (struct btfc_type *)btfc_btf_type_by_id(d->base, id);
	return (struct btfc_type *)(d->types + d->off[id - d->start]);
}

static unsigned kind(const struct btfc_type *t) { return btfc_type_kind(t); }
static unsigned vlen(const struct btfc_type *t) { return btfc_type_vlen(t); }
static struct btfc_member *members(struct btfc_type *t) { return (struct btfc_member *)(t + 1); }
static struct btfc_param *params(struct btfc_type *t) { return (struct btfc_param *)(t + 1); }
static struct btfc_array *array(struct btfc_type *t) { return (struct btfc_array *)(t + 1); }
static uint32_t word(struct btfc_type *t)
{
	return *(uint32_t *)(t + 1);
} /* INT's encoding, DECL_TAG's index */

/* Call @fn on every field of @t in @set (type ids or string offsets), as btf_field_iter does. */
static int for_each_field(struct btfc_type *t, enum btfci_field_set set,
			  int (*fn)(uint32_t *field, void *arg), void *arg)
{
	struct btfci_field_iter it;
	int err = 0;

	for (uint32_t *f = btfci_field_first(&it, t, set); f && !err; f = btfci_field_next(&it))
		err = fn(f, arg);
	return err;
}

struct mod_arg {
	struct dd *d;
	const struct btfc_btf *mod;
	uint32_t shift;
};

static int shift_ref(uint32_t *id, void *arg)
{
	struct mod_arg *a = arg;
	if (*id >= btfc_btf_type_cnt(a->mod))
		return btfci_err(a->d->ctx, -EINVAL, btfc_btf_name(a->mod),
				 "a type refers to id %u, out of range", *id);
	if (*id >= a->d->start)
		*id += a->shift;
	return 0;
}

static int intern(uint32_t *off, void *arg)
{
	struct mod_arg *a = arg;
	const char *s = btfc_btf_str(a->mod, *off);
	if (!s)
		return btfci_err(a->d->ctx, -EINVAL, btfc_btf_name(a->mod),
				 "name offset %u out of range", *off);
	int64_t o = strs_add(&a->d->strs, s);
	if (o < 0)
		return btfci_err(a->d->ctx, -ENOMEM, btfc_btf_name(a->mod),
				 "out of memory for names");
	*off = (uint32_t)o;
	return 0;
}

/* btf__add_btf: @mod's own types appended, ids shifted, names interned */
static int add_module(struct dd *d, const struct btfc_btf *mod)
{
	struct mod_arg a = { d, mod, d->n - d->start };
	uint32_t cnt = btfc_btf_type_cnt(mod);
	int err;

	for (uint32_t id = d->start; id < cnt; id++) {
		const struct btfc_type *src = btfc_btf_type_by_id(mod, id);
		size_t len = sizeof(*src) + (size_t)btfci_type_extra(src);
		if (d->types_len + len > d->types_cap) {
			size_t cap = d->types_cap ? d->types_cap * 2 : 1 << 20;
			while (cap < d->types_len + len)
				cap *= 2;
			uint8_t *p = realloc(d->types, cap);
			if (!p)
				return btfci_err(d->ctx, -ENOMEM, btfc_btf_name(mod),
						 "out of memory merging types");
			d->types = p;
			d->types_cap = cap;
		}
		if ((d->n - d->start) % 4096 == 0) {
			size_t *o = realloc(d->off, ((d->n - d->start) + 4096) * sizeof(*o));
			if (!o)
				return btfci_err(d->ctx, -ENOMEM, btfc_btf_name(mod),
						 "out of memory merging types");
			d->off = o;
		}
		struct btfc_type *t = (struct btfc_type *)(d->types + d->types_len);
		memcpy(t, src, len);
		d->off[d->n - d->start] = d->types_len;
		d->types_len += len;
		d->n++;
		if ((err = for_each_field(t, BTFCI_FIELD_IDS, shift_ref, &a)) ||
		    (err = for_each_field(t, BTFCI_FIELD_STRS, intern, &a)))
			return err;
	}
	return 0;
}

/* ---- signatures and equality (libbpf's btf_hash_* and btf_equal_*) ---- */

/* libbpf's hash_combine, h * 31 + v, wrapping */
static long hc(long h, long v) { return (long)((unsigned long)h * 31 + (unsigned long)v); }
static long hash_common(struct btfc_type *t)
{
	return hc(hc(hc(0, t->name_off), t->info), t->size);
}
static long hash_typedef(struct btfc_type *t) { return hc(hc(0, t->name_off), t->info); }
static long hash_int_tag(struct btfc_type *t) { return hc(hash_common(t), word(t)); }
static long hash_enum(struct btfc_type *t) { return hc(0, t->name_off); }
static long hash_struct(struct btfc_type *t)
{
	long h = hash_common(t);
	for (unsigned i = 0; i < vlen(t); i++)
		h = hc(hc(h, members(t)[i].name_off), members(t)[i].offset);
	return h;
}
static long hash_array(struct btfc_type *t)
{
	return hc(hc(hc(hash_common(t), array(t)->type), array(t)->index_type), array(t)->nelems);
}
static long hash_fnproto(struct btfc_type *t)
{
	long h = hash_common(t);
	for (unsigned i = 0; i < vlen(t); i++)
		h = hc(hc(h, params(t)[i].name_off), params(t)[i].type);
	return h;
}

static bool equal_common(struct btfc_type *a, struct btfc_type *b)
{
	return a->name_off == b->name_off && a->info == b->info && a->size == b->size;
}
static bool equal_typedef(struct btfc_type *a, struct btfc_type *b)
{
	return a->name_off == b->name_off && a->info == b->info;
}
static bool equal_int_tag(struct btfc_type *a, struct btfc_type *b)
{
	return equal_common(a, b) && word(a) == word(b);
}
static bool equal_enum(struct btfc_type *a, struct btfc_type *b)
{
	if (!equal_common(a, b))
		return false;
	size_t each = kind(a) == BTFC_KIND_ENUM ? sizeof(struct btfc_enum) :
						  sizeof(struct btfc_enum64);
	/* name and value of each enumerator (no padding in either record) */
	return !memcmp(a + 1, b + 1, each * vlen(a));
}
static bool is_any_enum(struct btfc_type *t)
{
	return kind(t) == BTFC_KIND_ENUM || kind(t) == BTFC_KIND_ENUM64;
}
static bool is_enum_fwd(struct btfc_type *t) { return is_any_enum(t) && vlen(t) == 0; }
static bool compat_enum(struct btfc_type *a, struct btfc_type *b)
{
	if (!is_enum_fwd(a) && !is_enum_fwd(b))
		return equal_enum(a, b);
	return a->name_off == b->name_off && is_any_enum(a) && is_any_enum(b);
}
static bool shallow_equal_struct(struct btfc_type *a, struct btfc_type *b)
{
	if (!equal_common(a, b))
		return false;
	for (unsigned i = 0; i < vlen(a); i++)
		if (members(a)[i].name_off != members(b)[i].name_off ||
		    members(a)[i].offset != members(b)[i].offset)
			return false;
	return true;
}
static bool equal_array(struct btfc_type *a, struct btfc_type *b)
{
	return equal_common(a, b) && !memcmp(array(a), array(b), sizeof(struct btfc_array));
}
static bool compat_array(struct btfc_type *a, struct btfc_type *b)
{
	return equal_common(a, b) && array(a)->nelems == array(b)->nelems;
}
static bool equal_fnproto(struct btfc_type *a, struct btfc_type *b)
{
	return equal_common(a, b) &&
	       !memcmp(params(a), params(b), vlen(a) * sizeof(struct btfc_param));
}
static bool compat_fnproto(struct btfc_type *a, struct btfc_type *b)
{
	if (a->name_off != b->name_off || a->info != b->info)
		return false;
	for (unsigned i = 0; i < vlen(a); i++)
		if (params(a)[i].name_off != params(b)[i].name_off)
			return false;
	return true;
}

/* ---- dedup ---- */

static bool mapped(struct dd *d, uint32_t id) { return d->map[id] <= MAX_NR_TYPES; }

static uint32_t resolve(struct dd *d, uint32_t id)
{
	/* a chain is at most n long; hostile input could make a loop, which libbpf would spin in */
	for (uint32_t steps = 0; mapped(d, id) && d->map[id] != id && steps < d->n; steps++)
		id = d->map[id];
	return id;
}

static uint32_t resolve_fwd(struct dd *d, uint32_t id)
{
	uint32_t orig = id;
	if (kind(T(d, id)) != BTFC_KIND_FWD)
		return id;
	id = resolve(d, id);
	return kind(T(d, id)) != BTFC_KIND_FWD ? id : orig;
}

static unsigned fwd_kind(struct btfc_type *t)
{
	return btfc_type_kflag(t) ? BTFC_KIND_UNION : BTFC_KIND_STRUCT;
}

static int base_ref_ok(uint32_t *id, void *arg)
{
	const struct dd *d = arg;
	return *id < d->start ? 0 : -EINVAL;
}

/* the base's types hashed as candidates (btf_dedup_prep); VAR and DATASEC never are */
static int prep(struct dd *d)
{
	for (uint32_t id = 1; id < d->start; id++) {
		struct btfc_type *t = T(d, id);
		long h;
		/* the graphs are walked into the base: every id it names must exist (only read here) */
		if (for_each_field(t, BTFCI_FIELD_IDS, base_ref_ok, d))
			return btfci_err(d->ctx, -EINVAL, btfc_btf_name(d->base),
					 "type [%u] refers to a type id out of range", id);
		d->map[id] = id;
		switch (kind(t)) {
		case BTFC_KIND_VAR:
		case BTFC_KIND_DATASEC:
			continue;
		case BTFC_KIND_CONST:
		case BTFC_KIND_VOLATILE:
		case BTFC_KIND_RESTRICT:
		case BTFC_KIND_PTR:
		case BTFC_KIND_FWD:
		case BTFC_KIND_FUNC:
		case BTFC_KIND_FLOAT:
		case BTFC_KIND_TYPE_TAG:
			h = hash_common(t);
			break;
		case BTFC_KIND_TYPEDEF:
			h = hash_typedef(t);
			break;
		case BTFC_KIND_INT:
		case BTFC_KIND_DECL_TAG:
			h = hash_int_tag(t);
			break;
		case BTFC_KIND_ENUM:
		case BTFC_KIND_ENUM64:
			h = hash_enum(t);
			break;
		case BTFC_KIND_STRUCT:
		case BTFC_KIND_UNION:
			h = hash_struct(t);
			break;
		case BTFC_KIND_ARRAY:
			h = hash_array(t);
			break;
		case BTFC_KIND_FUNC_PROTO:
			h = hash_fnproto(t);
			break;
		default:
			return btfci_err(d->ctx, -EINVAL, btfc_btf_name(d->base),
					 "type [%u]: kind %u cannot be deduplicated", id, kind(t));
		}
		if (cands_add(&d->table, h, id))
			return -ENOMEM;
	}
	return 0;
}

static int prim_type(struct dd *d, uint32_t id)
{
	struct btfc_type *t = T(d, id);
	struct cand_list *l;
	uint32_t new_id = id;
	long h;

	switch (kind(t)) {
	case BTFC_KIND_INT:
		h = hash_int_tag(t);
		if ((l = cands_find(&d->table, h)))
			for (uint32_t i = 0; i < l->n; i++)
				if (equal_int_tag(t, T(d, l->ids[i]))) {
					new_id = l->ids[i];
					break;
				}
		break;
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
		h = hash_enum(t);
		if ((l = cands_find(&d->table, h)))
			for (uint32_t i = 0; i < l->n; i++) {
				uint32_t c = l->ids[i];
				if (equal_enum(t, T(d, c))) {
					new_id = c;
					break;
				}
				if (compat_enum(t, T(d, c))) {
					if (is_enum_fwd(t)) { /* a forward enum: the full one */
						new_id = c;
						break;
					}
					d->map[c] =
						id; /* the canonical forward enum: this full one */
				}
			}
		break;
	case BTFC_KIND_FWD:
	case BTFC_KIND_FLOAT:
		h = hash_common(t);
		if ((l = cands_find(&d->table, h)))
			for (uint32_t i = 0; i < l->n; i++)
				if (equal_common(t, T(d, l->ids[i]))) {
					new_id = l->ids[i];
					break;
				}
		break;
	default:
		return 0;
	}
	d->map[id] = new_id;
	return new_id == id ? cands_add(&d->table, h, id) : 0;
}

/* libbpf's btf_dedup_identical_types: structural equality to a depth (sic: arrays compare t1 with itself) */
static bool identical(struct dd *d, uint32_t id1, uint32_t id2, int depth)
{
	for (;;) {
		struct btfc_type *a = T(d, id1), *b = T(d, id2);
		if (depth <= 0 || kind(a) != kind(b))
			return false;
		switch (kind(a)) {
		case BTFC_KIND_UNKN:
			return true;
		case BTFC_KIND_INT:
			return equal_int_tag(a, b);
		case BTFC_KIND_ENUM:
		case BTFC_KIND_ENUM64:
			return compat_enum(a, b);
		case BTFC_KIND_FWD:
		case BTFC_KIND_FLOAT:
			return equal_common(a, b);
		case BTFC_KIND_CONST:
		case BTFC_KIND_VOLATILE:
		case BTFC_KIND_RESTRICT:
		case BTFC_KIND_PTR:
		case BTFC_KIND_TYPEDEF:
		case BTFC_KIND_FUNC:
		case BTFC_KIND_TYPE_TAG:
			if (a->info != b->info || a->name_off != b->name_off)
				return false;
			id1 = a->type;
			id2 = b->type;
			continue;
		case BTFC_KIND_ARRAY:
			return compat_array(
				a, b); /* sic: both element checks compare @a's with itself */
		case BTFC_KIND_STRUCT:
		case BTFC_KIND_UNION:
			if (!shallow_equal_struct(a, b))
				return false;
			for (unsigned i = 0; i < vlen(a); i++)
				if (members(a)[i].type != members(b)[i].type &&
				    !identical(d, members(a)[i].type, members(b)[i].type,
					       depth - 1))
					return false;
			return true;
		case BTFC_KIND_FUNC_PROTO:
			if (!compat_fnproto(a, b))
				return false;
			if (a->type != b->type && !identical(d, a->type, b->type, depth - 1))
				return false;
			for (unsigned i = 0; i < vlen(a); i++)
				if (params(a)[i].type != params(b)[i].type &&
				    !identical(d, params(a)[i].type, params(b)[i].type, depth - 1))
					return false;
			return true;
		default:
			return false;
		}
	}
}

static int hypot_add(struct dd *d, uint32_t from, uint32_t to)
{
	if (d->hypot_cnt == d->n)
		return -ENOMEM; /* cannot happen: each id once */
	d->hypot_list[d->hypot_cnt++] = from;
	d->hypot[from] = to;
	return 0;
}

static void hypot_clear(struct dd *d)
{
	for (uint32_t i = 0; i < d->hypot_cnt; i++)
		d->hypot[d->hypot_list[i]] = UNPROCESSED;
	d->hypot_cnt = 0;
	d->adjust_canon = false;
}

/* libbpf's btf_dedup_is_equiv: 1 equivalent, 0 not, < 0 error */
static int is_equiv(struct dd *d, uint32_t cand_id, uint32_t canon_id, int depth)
{
	if (depth > 4096)
		return btfci_err(d->ctx, -ELOOP, btfc_btf_name(d->base),
				 "type [%u]: type graph too deep to deduplicate", cand_id);
	if (resolve(d, cand_id) == resolve(d, canon_id))
		return 1;
	canon_id = resolve_fwd(d, canon_id);
	uint32_t h = d->hypot[canon_id];
	if (h <= MAX_NR_TYPES)
		return h == cand_id || identical(d, h, cand_id, IDENT_DEPTH);
	if (hypot_add(d, canon_id, cand_id))
		return -ENOMEM;

	struct btfc_type *cand = T(d, cand_id), *canon = T(d, canon_id);
	unsigned ck = kind(cand), nk = kind(canon);
	int eq;

	if (cand->name_off != canon->name_off)
		return 0;
	if ((ck == BTFC_KIND_FWD || nk == BTFC_KIND_FWD) && ck != nk) {
		unsigned real, fwd;
		if (ck == BTFC_KIND_FWD) {
			real = nk;
			fwd = fwd_kind(cand);
		} else {
			real = ck;
			fwd = fwd_kind(canon);
			if (fwd == real && canon_id < d->start)
				d->adjust_canon = true; /* a base FWD would have to be resolved */
		}
		return fwd == real;
	}
	if (ck != nk)
		return 0;
	switch (ck) {
	case BTFC_KIND_INT:
		return equal_int_tag(cand, canon);
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
		return compat_enum(cand, canon);
	case BTFC_KIND_FWD:
	case BTFC_KIND_FLOAT:
		return equal_common(cand, canon);
	case BTFC_KIND_CONST:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_PTR:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_FUNC:
	case BTFC_KIND_TYPE_TAG:
		if (cand->info != canon->info)
			return 0;
		return is_equiv(d, cand->type, canon->type, depth + 1);
	case BTFC_KIND_ARRAY:
		if (!compat_array(cand, canon))
			return 0;
		eq = is_equiv(d, array(cand)->index_type, array(canon)->index_type, depth + 1);
		return eq <= 0 ? eq : is_equiv(d, array(cand)->type, array(canon)->type, depth + 1);
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
		if (!shallow_equal_struct(cand, canon))
			return 0;
		for (unsigned i = 0; i < vlen(cand); i++)
			if ((eq = is_equiv(d, members(cand)[i].type, members(canon)[i].type,
					   depth + 1)) <= 0)
				return eq;
		return 1;
	case BTFC_KIND_FUNC_PROTO:
		if (!compat_fnproto(cand, canon))
			return 0;
		if ((eq = is_equiv(d, cand->type, canon->type, depth + 1)) <= 0)
			return eq;
		for (unsigned i = 0; i < vlen(cand); i++)
			if ((eq = is_equiv(d, params(cand)[i].type, params(canon)[i].type,
					   depth + 1)) <= 0)
				return eq;
		return 1;
	default:
		return btfci_err(d->ctx, -EINVAL, btfc_btf_name(d->base),
				 "type [%u]: kind %u cannot be deduplicated", cand_id, ck);
	}
}

static void merge_hypot(struct dd *d)
{
	for (uint32_t i = 0; i < d->hypot_cnt; i++) {
		uint32_t canon = d->hypot_list[i], targ = d->hypot[canon];
		uint32_t t_id = resolve(d, targ), c_id = resolve(d, canon);
		unsigned tk = kind(T(d, t_id)), ck = kind(T(d, c_id));
		if (tk != BTFC_KIND_FWD && ck == BTFC_KIND_FWD)
			d->map[c_id] = t_id;
		if (d->adjust_canon)
			continue;
		if (tk == BTFC_KIND_FWD && ck != BTFC_KIND_FWD)
			d->map[t_id] = c_id;
		if ((tk == BTFC_KIND_STRUCT || tk == BTFC_KIND_UNION) && ck != BTFC_KIND_FWD &&
		    mapped(d, c_id) && !mapped(d, t_id))
			d->map[t_id] = c_id;
	}
}

static int struct_type(struct dd *d, uint32_t id)
{
	struct btfc_type *t = T(d, id);
	unsigned k = kind(t);
	uint32_t new_id = id;

	if (mapped(d, id) ||
	    (k != BTFC_KIND_STRUCT && k != BTFC_KIND_UNION && k != BTFC_KIND_TYPEDEF))
		return 0;
	long h = k == BTFC_KIND_TYPEDEF ? hash_typedef(t) : hash_struct(t);
	struct cand_list *l = cands_find(&d->table, h);
	for (uint32_t i = 0; l && i < l->n; i++) {
		uint32_t c = l->ids[i];
		struct btfc_type *ct = T(d, c);
		if (k == BTFC_KIND_TYPEDEF ? !equal_typedef(t, ct) : !shallow_equal_struct(t, ct))
			continue;
		hypot_clear(d);
		int eq = is_equiv(d, id, c, 0);
		if (eq < 0)
			return eq;
		if (!eq)
			continue;
		merge_hypot(d);
		if (d->adjust_canon)
			continue;
		new_id = c;
		break;
	}
	d->map[id] = new_id;
	return new_id == id ? cands_add(&d->table, h, id) : 0;
}

/* FWDs still unmapped: to the one canonical struct/union of that name (btf_dedup_resolve_fwds) */
static int resolve_fwds(struct dd *d)
{
	struct cands names = { 0 };
	int err = 0;

	for (uint32_t id = 1; id < d->n && !err; id++) {
		struct btfc_type *t = T(d, id);
		if ((kind(t) == BTFC_KIND_STRUCT || kind(t) == BTFC_KIND_UNION) && d->map[id] == id)
			err = cands_add(&names, t->name_off, id);
	}
	for (uint32_t id = d->start; id < d->n && !err; id++) {
		struct btfc_type *t = T(d, id);
		struct cand_list *l;
		if (kind(t) != BTFC_KIND_FWD || d->map[id] != id ||
		    !(l = cands_find(&names, t->name_off)) || l->n != 1)
			continue;
		if (kind(T(d, l->ids[0])) == fwd_kind(t))
			d->map[id] = l->ids[0];
	}
	cands_free(&names);
	return err;
}

static int64_t ref_type(struct dd *d, uint32_t id, int depth)
{
	if (d->map[id] == IN_PROGRESS || depth > 4096)
		return btfci_err(d->ctx, -ELOOP, btfc_btf_name(d->base),
				 "type [%u]: reference loop", id);
	if (mapped(d, id))
		return resolve(d, id);

	struct btfc_type *t = T(d, id);
	struct cand_list *l;
	uint32_t new_id = id;
	int64_t r;
	long h;

	d->map[id] = IN_PROGRESS;
	switch (kind(t)) {
	case BTFC_KIND_CONST:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_PTR:
	case BTFC_KIND_FUNC:
	case BTFC_KIND_TYPE_TAG:
	case BTFC_KIND_DECL_TAG:
		if ((r = ref_type(d, t->type, depth + 1)) < 0)
			return r;
		t->type = (uint32_t)r;
		h = kind(t) == BTFC_KIND_DECL_TAG ? hash_int_tag(t) : hash_common(t);
		if ((l = cands_find(&d->table, h)))
			for (uint32_t i = 0; i < l->n; i++)
				if (kind(t) == BTFC_KIND_DECL_TAG ?
					    equal_int_tag(t, T(d, l->ids[i])) :
					    equal_common(t, T(d, l->ids[i]))) {
					new_id = l->ids[i];
					break;
				}
		break;
	case BTFC_KIND_ARRAY:
		if ((r = ref_type(d, array(t)->type, depth + 1)) < 0)
			return r;
		array(t)->type = (uint32_t)r;
		if ((r = ref_type(d, array(t)->index_type, depth + 1)) < 0)
			return r;
		array(t)->index_type = (uint32_t)r;
		h = hash_array(t);
		if ((l = cands_find(&d->table, h)))
			for (uint32_t i = 0; i < l->n; i++)
				if (equal_array(t, T(d, l->ids[i]))) {
					new_id = l->ids[i];
					break;
				}
		break;
	case BTFC_KIND_FUNC_PROTO:
		if ((r = ref_type(d, t->type, depth + 1)) < 0)
			return r;
		t->type = (uint32_t)r;
		for (unsigned i = 0; i < vlen(t); i++) {
			if ((r = ref_type(d, params(t)[i].type, depth + 1)) < 0)
				return r;
			params(t)[i].type = (uint32_t)r;
		}
		h = hash_fnproto(t);
		if ((l = cands_find(&d->table, h)))
			for (uint32_t i = 0; i < l->n; i++)
				if (equal_fnproto(t, T(d, l->ids[i]))) {
					new_id = l->ids[i];
					break;
				}
		break;
	default:
		return btfci_err(d->ctx, -EINVAL, btfc_btf_name(d->base),
				 "type [%u]: kind %u cannot be deduplicated", id, kind(t));
	}
	d->map[id] = new_id;
	if (new_id == id && cands_add(&d->table, h, id))
		return -ENOMEM;
	return new_id;
}

static int remap_ref(uint32_t *id, void *arg)
{
	struct dd *d = arg;
	uint32_t n = d->hypot[resolve(d, *id)];
	if (n > MAX_NR_TYPES)
		return btfci_err(d->ctx, -EINVAL, btfc_btf_name(d->base),
				 "type id %u has no canonical type", *id);
	*id = n;
	return 0;
}

static int dedup(struct dd *d)
{
	int err;
	int64_t r;

	for (uint32_t id = 1; id < d->n; id++) {
		unsigned k = kind(T(d, id));
		d->map[id] = k == BTFC_KIND_VAR || k == BTFC_KIND_DATASEC ? id : UNPROCESSED;
		d->hypot[id] = UNPROCESSED;
	}
	d->map[0] = d->hypot[0] = 0;
	if ((err = prep(d)))
		return err;
	for (uint32_t id = d->start; id < d->n; id++)
		if ((err = prim_type(d, id)))
			return err;
	for (uint32_t id = d->start; id < d->n; id++)
		if ((err = struct_type(d, id)))
			return err;
	if ((err = resolve_fwds(d)))
		return err;
	for (uint32_t id = d->start; id < d->n; id++)
		if ((r = ref_type(d, id, 0)) < 0)
			return (int)r;

	/* compact: the canonical new types in order, their new ids in hypot */
	size_t out = 0;
	uint32_t next = d->start;
	for (uint32_t id = 0; id < d->start; id++)
		d->hypot[id] = id;
	for (uint32_t id = d->start; id < d->n; id++)
		d->hypot[id] = UNPROCESSED;
	for (uint32_t id = d->start; id < d->n; id++) {
		if (d->map[id] != id)
			continue;
		struct btfc_type *t = T(d, id);
		size_t len = sizeof(*t) + (size_t)btfci_type_extra(t);
		memmove(d->types + out, t, len);
		d->off[next - d->start] = out;
		d->hypot[id] = next++;
		out += len;
	}
	d->types_len = out;
	uint32_t kept = next - d->start;
	for (uint32_t i = 0; i < kept; i++)
		if ((err = for_each_field((struct btfc_type *)(d->types + d->off[i]),
					  BTFCI_FIELD_IDS, remap_ref, d)))
			return err;
	d->n = next;
	return 0;
}

BTFC_API int btfc_btf_merge(struct btfc_ctx *ctx, const struct btfc_btf *const *mods, size_t n,
			    void **out, size_t *len)
{
	struct dd d = { .ctx = ctx };
	int err = 0;

	*out = NULL;
	*len = 0;
	if (!n || !(d.base = btfc_btf_base(mods[0])))
		return btfci_err(ctx, -EINVAL, n ? btfc_btf_name(mods[0]) : "merge",
				 "merging needs split BTF (modules) on a base");
	for (size_t i = 1; i < n; i++)
		if (btfc_btf_base(mods[i]) != d.base)
			return btfci_err(ctx, -EINVAL, btfc_btf_name(mods[i]),
					 "not on the same base as %s", btfc_btf_name(mods[0]));
	d.start = d.n = btfc_btf_type_cnt(d.base);
	d.strs.base = d.base;
	d.strs.base_len = btfc_btf_start_str_off(mods[0]);
	if (strs_grow(&d.strs))
		goto nomem;
	/* the base's names, first offset of each */
	for (uint32_t off = 0; off < d.strs.base_len;) {
		const char *s = btfc_btf_str(d.base, off);
		if (!s)
			break;
		if ((err = strs_slot_put(&d.strs, off)))
			goto nomem;
		off += (uint32_t)strlen(s) + 1;
	}
	for (size_t i = 0; i < n; i++)
		if ((err = add_module(&d, mods[i])))
			goto done;
	if (!(d.map = malloc(d.n * sizeof(*d.map))) ||
	    !(d.hypot = malloc(d.n * sizeof(*d.hypot))) ||
	    !(d.hypot_list = malloc(d.n * sizeof(*d.hypot_list))))
		goto nomem;
	if ((err = dedup(&d)))
		goto done;

	/* a raw split BTF: header, types, the new strings */
	size_t total = 24 + d.types_len + d.strs.len;
	uint8_t *b = malloc(total ? total : 1);
	if (!b)
		goto nomem;
	uint16_t magic = 0xeb9f; /* host order, version 1, flags 0, then the five lengths */
	uint32_t hdr[5] = { 24, 0, (uint32_t)d.types_len, (uint32_t)d.types_len, d.strs.len };
	memcpy(b, &magic, 2);
	b[2] = 1;
	b[3] = 0;
	memcpy(b + 4, hdr, sizeof(hdr));
	memcpy(b + 24, d.types, d.types_len);
	memcpy(b + 24 + d.types_len, d.strs.buf, d.strs.len);
	*out = b;
	*len = total;
	goto done;
nomem:
	err = btfci_err(ctx, -ENOMEM, btfc_btf_name(mods[0]), "out of memory merging %zu modules",
			n);
done:
	cands_free(&d.table);
	free(d.strs.buf);
	free(d.strs.slot);
	free(d.types);
	free(d.off);
	free(d.map);
	free(d.hypot);
	free(d.hypot_list);
	return err;
}
