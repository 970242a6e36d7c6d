// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * relocate: the two halves of moving module BTF between kernel builds, with
 * the semantics (and, output for output, the bytes) of libbpf 1.5's
 * btf__distill_base() and btf__relocate(), which the kernel runs at module
 * load since 6.11. Written from the description in tools/lib/bpf; every
 * decision the kernel makes is made here the same way, in the same order, so
 * that a module we relocate is the module the kernel would have produced.
 *
 * Inputs are hostile: every id and string offset is range-checked, chains
 * are walked with explicit bounds, nothing recurses on input data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_int.h"
#include "relocate.h"

void btfci_blob_fini(struct btfci_blob *b)
{
	free(b->data);
	free(b->id_map);
	memset(b, 0, sizeof(*b));
}

/* ---- growable bytes and a content-deduplicated string set ---- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void *buf_grow(struct buf *b, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p)
			return NULL;
		b->p = p;
		b->cap = cap;
	}
	void *r = b->p + b->len;
	b->len += n;
	return r;
}

struct strset {
	struct buf data;
	uint32_t *slots; /* offset + 1, open addressing */
	uint32_t mask, count;
};

static int64_t strset_find(const struct strset *s, const char *str)
{
	if (!s->slots)
		return -1;
	for (uint32_t h = btfci_hash_str(str) & s->mask; s->slots[h]; h = (h + 1) & s->mask)
		if (!strcmp((const char *)s->data.p + s->slots[h] - 1, str))
			return s->slots[h] - 1;
	return -1;
}

static int strset_rehash(struct strset *s)
{
	uint32_t size = s->slots ? (s->mask + 1) * 2 : 1024;
	uint32_t *n = calloc(size, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (uint32_t i = 0; s->slots && i <= s->mask; i++) {
		if (!s->slots[i])
			continue;
		uint32_t h = btfci_hash_str((const char *)s->data.p + s->slots[i] - 1) & (size - 1);
		while (n[h])
			h = (h + 1) & (size - 1);
		n[h] = s->slots[i];
	}
	free(s->slots);
	s->slots = n;
	s->mask = size - 1;
	return 0;
}

/* Offset of @str in the set, added at the end if new (as libbpf's strset). */
static int64_t strset_add(struct strset *s, const char *str)
{
	int64_t off = strset_find(s, str);
	if (off >= 0)
		return off;
	if ((!s->slots || (s->count + 1) * 2 > s->mask + 1) && strset_rehash(s))
		return -ENOMEM;
	size_t n = strlen(str) + 1;
	if (s->data.len + n > UINT32_MAX - 1)
		return -E2BIG;
	off = s->data.len;
	char *p = buf_grow(&s->data, n);
	if (!p)
		return -ENOMEM;
	memcpy(p, str, n);
	uint32_t h = btfci_hash_str(str) & s->mask;
	while (s->slots[h])
		h = (h + 1) & s->mask;
	s->slots[h] = off + 1;
	s->count++;
	return off;
}

static void strset_fini(struct strset *s)
{
	free(s->data.p);
	free(s->slots);
}

/* ---- the id and string fields of a type record, in libbpf's order ---- */

#define MAX_FIELDS (2 + 65535)

/* Pointers to @t's type-id fields (@strs false) or name offsets (@strs true). */
static unsigned fields(struct btfc_type *t, bool strs, uint32_t **f)
{
	struct btfci_field_iter it;
	unsigned n = 0;

	for (uint32_t *p = btfci_field_first(&it, t, strs ? BTFCI_FIELD_STRS : BTFCI_FIELD_IDS); p;
	     p = btfci_field_next(&it))
		f[n++] = p;
	return n;
}

static size_t rec_size(const struct btfc_type *t)
{
	return sizeof(*t) + (size_t)btfci_type_extra(t);
}

/* The record of own type @id of @b (ids are in range: the parser indexed them). */
static const struct btfc_type *own(const struct btfc_btf *b, uint32_t id)
{
	return btfc_btf_type_by_id(b, id);
}

/* An encoder: types appended, strings deduplicated; split ones look in their base's set first. */
struct enc {
	struct buf types;
	struct buf offs; /* uint32_t offset of each record */
	uint32_t n;
	struct strset strs;
	const struct enc *base;
	uint32_t **f;
};

static int enc_init(struct enc *e, const struct enc *base)
{
	memset(e, 0, sizeof(*e));
	e->base = base;
	e->f = malloc(MAX_FIELDS * sizeof(*e->f));
	if (!e->f)
		return -ENOMEM;
	if (!base && strset_add(&e->strs, "") < 0) /* offset 0: the empty string */
		return -ENOMEM;
	return 0;
}

static void enc_fini(struct enc *e)
{
	free(e->types.p);
	free(e->offs.p);
	strset_fini(&e->strs);
	free(e->f);
}

static struct btfc_type *enc_rec(const struct enc *e, uint32_t i)
{
	return (struct btfc_type *)(void *)(e->types.p +
					    ((const uint32_t *)(const void *)e->offs.p)[i]);
}

/* libbpf's btf__add_str(): the base's offset if the base has the string. */
static int64_t enc_str(struct enc *e, const char *s)
{
	if (e->base) {
		int64_t off = strset_find(&e->base->strs, s);
		if (off >= 0)
			return off;
		off = strset_add(&e->strs, s);
		return off < 0 ? off : off + (int64_t)e->base->strs.data.len;
	}
	return strset_add(&e->strs, s);
}

/* Append a copy of record @t of @src, its strings re-added (libbpf's btf_add_type()). */
static int enc_copy(struct enc *e, const struct btfc_btf *src, const struct btfc_type *t)
{
	size_t sz = rec_size(t);
	uint32_t *off = buf_grow(&e->offs, 4);
	if (!off)
		return -ENOMEM;
	*off = e->types.len;
	struct btfc_type *c = buf_grow(&e->types, sz);
	if (!c)
		return -ENOMEM;
	memcpy(c, t, sz);
	e->n++;
	unsigned n = fields(c, true, e->f);
	for (unsigned i = 0; i < n; i++) {
		if (!*e->f[i])
			continue;
		const char *s = btfc_btf_str(src, *e->f[i]);
		if (!s)
			return -EINVAL;
		int64_t o = enc_str(e, s);
		if (o < 0)
			return (int)o;
		*e->f[i] = o;
	}
	return 0;
}

/* Append a memberless record of @kind named @name (btf_add_composite(), btf__add_enum()). */
static int enc_add(struct enc *e, unsigned kind, const char *name, uint32_t size)
{
	int64_t no = name && *name ? enc_str(e, name) : 0;
	uint32_t *off = buf_grow(&e->offs, 4);
	struct btfc_type *c = off ? buf_grow(&e->types, sizeof(*c)) : NULL;
	if (no < 0 || !c)
		return -ENOMEM;
	*off = (uint32_t)((uint8_t *)c - e->types.p);
	c->name_off = no;
	c->info = kind << 24;
	c->size = size;
	e->n++;
	return 0;
}

/* A BTF blob at @p: the 24-byte header (host order), then @tl bytes of types and @sl of strings. */
static void put_blob(uint8_t *p, const void *types, uint32_t tl, const void *strs, uint32_t sl)
{
	const uint16_t magic = BTF_MAGIC;
	const uint32_t words[5] = { BTF_HDR_MIN, 0, tl, tl,
				    sl }; /* hdr_len, type_off, type_len, str_off, str_len */

	memcpy(p, &magic, 2);
	p[2] = BTF_VERSION;
	p[3] = 0;
	memcpy(p + 4, words, sizeof(words));
	if (tl)
		memcpy(p + BTF_HDR_MIN, types, tl);
	if (sl)
		memcpy(p + BTF_HDR_MIN + tl, strs, sl);
}

/* header + types + strings */
static int enc_blob(const struct enc *e, struct btfci_blob *b)
{
	size_t tl = e->types.len, sl = e->strs.data.len;
	if (tl + sl > UINT32_MAX)
		return -E2BIG;
	b->len = BTF_HDR_MIN + tl + sl;
	b->data = malloc(b->len ? b->len : 1);
	if (!b->data)
		return -ENOMEM;
	put_blob(b->data, e->types.p, (uint32_t)tl, e->strs.data.p, (uint32_t)sl);
	return 0;
}

/* ---- distill ---- */

static bool distillable_ref(unsigned k)
{
	switch (k) {
	case BTFC_KIND_INT:
	case BTFC_KIND_FLOAT:
	case BTFC_KIND_FWD:
	case BTFC_KIND_ARRAY:
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
	case BTFC_KIND_PTR:
	case BTFC_KIND_CONST:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_FUNC_PROTO:
	case BTFC_KIND_TYPE_TAG:
		return true;
	}
	return false;
}

static bool composite(unsigned k) { return k == BTFC_KIND_STRUCT || k == BTFC_KIND_UNION; }

/*
 * Mark base type @id and what it needs (btf_add_distilled_type_ids()), with
 * an explicit stack. @scratch holds MAX_FIELDS pointers.
 */
static int mark(struct btfc_ctx *ctx, const struct btfc_btf *mod, uint32_t root, uint32_t *map,
		struct buf *stack, uint32_t **scratch, uint8_t *rec)
{
	const struct btfc_btf *base = mod->base;
	uint32_t start = btfc_btf_start_id(mod);

	stack->len = 0;
	uint32_t *sp = buf_grow(stack, 4);
	if (!sp)
		return -ENOMEM;
	*sp = root;
	while (stack->len) {
		stack->len -= 4;
		uint32_t id = *(uint32_t *)(void *)(stack->p + stack->len);
		if (!id || id >= start || map[id])
			continue;
		const struct btfc_type *t = own(base, id);
		unsigned k = btfc_type_kind(t);
		if (!distillable_ref(k))
			return btfci_err(
				ctx, -EINVAL, btfc_btf_name(mod),
				"unexpected reference to base type[%u] of kind [%u] when creating distilled base BTF",
				id, k);
		map[id] = id;
		if (composite(k) && t->name_off)
			continue;
		memcpy(rec, t, rec_size(t));
		unsigned n = fields((struct btfc_type *)(void *)rec, false, scratch);
		for (unsigned i = 0; i < n; i++) {
			uint32_t *p = buf_grow(stack, 4);
			if (!p)
				return -ENOMEM;
			*p = *scratch[i];
		}
	}
	return 0;
}

/* Add the marked base types to the distilled base (@to_base) or to the split (btf_add_distilled_types()). */
static int add_marked(const struct btfc_btf *base, uint32_t start, uint32_t *map, struct enc *e,
		      bool to_base, uint32_t first_id)
{
	uint32_t id = first_id;

	for (uint32_t i = 1; i < start; i++) {
		if (!map[i])
			continue;
		const struct btfc_type *t = own(base, i);
		unsigned k = btfc_type_kind(t);
		const char *name = btfc_btf_str(base, t->name_off);
		int err = 0;
		switch (k) {
		case BTFC_KIND_INT:
		case BTFC_KIND_FLOAT:
		case BTFC_KIND_FWD:
			if (!to_base)
				continue;
			err = enc_copy(e, base, t);
			break;
		case BTFC_KIND_STRUCT:
		case BTFC_KIND_UNION:
			if (to_base != !!t->name_off)
				continue;
			err = to_base ? enc_add(e, k, name, t->size) : enc_copy(e, base, t);
			break;
		case BTFC_KIND_ENUM:
		case BTFC_KIND_ENUM64:
			if (to_base != !!t->name_off)
				continue;
			if (to_base && (!t->size || (t->size & (t->size - 1)) || t->size > 8))
				return -EINVAL;
			err = to_base ? enc_add(e, BTFC_KIND_ENUM, name, t->size) :
					enc_copy(e, base, t);
			break;
		default:
			if (to_base)
				continue;
			err = enc_copy(e, base, t);
		}
		if (err)
			return err;
		map[i] = id++;
	}
	return 0;
}

int btfci_distill(struct btfc_ctx *ctx, const struct btfc_btf *mod, const uint32_t *roots,
		  size_t n_roots, struct btfci_blob *dbase, struct btfci_blob *dsplit)
{
	const struct btfc_btf *base = mod->base;
	const char *name = btfc_btf_name(mod);
	struct enc eb, es;
	struct buf stack = { 0 };
	uint8_t *rec = NULL, *rec2 = NULL;
	uint32_t *map = NULL;
	int err;

	memset(dbase, 0, sizeof(*dbase));
	memset(dsplit, 0, sizeof(*dsplit));
	if (!base || base->base)
		return btfci_err(ctx, -EINVAL, name,
				 "distill needs split BTF on a standalone base");
	ctx->err[0] = 0; /* below, an -EINVAL without a message of this call gets one */
	uint32_t start = btfc_btf_start_id(mod), n = btfc_btf_type_cnt(mod);
	int e1 = enc_init(&eb, NULL), e2 = enc_init(&es, &eb);
	map = calloc(n, sizeof(*map));
	rec = malloc(sizeof(struct btfc_type) + 16 * 65536);
	rec2 = malloc(sizeof(struct btfc_type) + 16 * 65536);
	if (e1 || e2 || !map || !rec || !rec2) {
		err = -ENOMEM;
		goto out;
	}
	/* which base types the module uses */
	for (uint32_t i = start; i < n; i++) {
		const struct btfc_type *t = own(mod, i);
		memcpy(rec, t, rec_size(t));
		unsigned nf = fields((struct btfc_type *)(void *)rec, false, eb.f);
		for (unsigned j = 0; j < nf; j++) {
			uint32_t v = *eb.f[j];
			if (v >= n) {
				err = btfci_err(
					ctx, -EINVAL, name,
					"type [%u] refers to type id %u, beyond the last (%u)", i,
					v, n - 1);
				goto out;
			}
			if (v && v < start && (err = mark(ctx, mod, v, map, &stack, es.f, rec2)))
				goto out;
		}
	}
	for (size_t r = 0; r < n_roots; r++)
		if (roots[r] && roots[r] < start &&
		    (err = mark(ctx, mod, roots[r], map, &stack, es.f, rec)))
			goto out;
	/* the distilled base, then the split: own types first, then the copied base types */
	if ((err = add_marked(base, start, map, &eb, true, 1)))
		goto out;
	for (uint32_t i = start; i < n; i++)
		if ((err = enc_copy(&es, mod, own(mod, i))))
			goto out;
	uint32_t dcnt = eb.n + 1;
	if ((err = add_marked(base, start, map, &es, false, dcnt + es.n)))
		goto out;
	/* renumber: mapped base types, and the module's own types moved down */
	uint32_t diff = start - dcnt;
	for (uint32_t i = 0; i < es.n; i++) {
		unsigned nf = fields(enc_rec(&es, i), false, es.f);
		for (unsigned j = 0; j < nf; j++) {
			uint32_t v = *es.f[j];
			if (v >= n) {
				err = btfci_err(
					ctx, -EINVAL, name,
					"a type it uses refers to type id %u, beyond the last (%u)",
					v, n - 1);
				goto out;
			}
			*es.f[j] = map[v] ? map[v] : v >= start ? v - diff : v;
		}
	}
	for (uint32_t i = start; i < n; i++)
		map[i] = i - diff;
	if ((err = enc_blob(&eb, dbase)) || (err = enc_blob(&es, dsplit)))
		goto out;
	dsplit->id_map = map;
	dsplit->n_map = n;
	map = NULL;
out:
	if (err == -ENOMEM)
		btfci_err(ctx, err, name, "out of memory distilling its base");
	else if (err == -EINVAL && !ctx->err[0])
		btfci_err(ctx, err, name, "cannot distill: a base enum has an invalid size");
	if (err) {
		btfci_blob_fini(dbase);
		btfci_blob_fini(dsplit);
	}
	enc_fini(&eb);
	enc_fini(&es);
	free(stack.p);
	free(rec);
	free(rec2);
	free(map);
	return err;
}

/* ---- relocate ---- */

#define EMBEDDED UINT32_MAX

int btfci_relocate(struct btfc_ctx *ctx, const struct btfc_btf *mod, const struct btfc_btf *to,
		   struct btfci_blob *out)
{
	const struct btfc_btf *dist = mod->base;
	const char *name = btfc_btf_name(mod);
	uint32_t *map = NULL, *strmap = NULL, *cand = NULL, **f = NULL;
	uint8_t *types = NULL;
	uint32_t refused_id = 0;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!dist || dist->base || to->base)
		return btfci_err(
			ctx, -EINVAL, name,
			"relocation needs split BTF on a distilled base and a standalone target");
	uint32_t nd = btfc_btf_type_cnt(dist), nb = btfc_btf_type_cnt(to),
		 n = btfc_btf_type_cnt(mod);
	size_t dstr = dist->strs_len, cap = 64;
	map = calloc(n, sizeof(*map));
	strmap = calloc(dstr ? dstr : 1, sizeof(*strmap));
	cand = malloc(cap * sizeof(*cand));
	f = malloc(MAX_FIELDS * sizeof(*f));
	types = malloc(mod->types_len ? mod->types_len : 1);
	if (!map || !strmap || !cand || !f || !types) {
		err = btfci_err(ctx, -ENOMEM, name, "out of memory relocating");
		goto out;
	}
	/* the distilled base holds named INT, FLOAT, ENUM, STRUCT, UNION, FWD only */
	for (uint32_t i = 1; i < nd; i++) {
		const struct btfc_type *t = own(dist, i);
		unsigned k = btfc_type_kind(t);
		bool ok = k == BTFC_KIND_INT || k == BTFC_KIND_FLOAT || k == BTFC_KIND_ENUM ||
			  composite(k) || k == BTFC_KIND_FWD;
		if (!ok || !t->name_off) {
			err = btfci_err(
				ctx, 1, name,
				ok ? "type [%u], kind [%u] is invalid for distilled base BTF; it is anonymous" :
				     "type [%u] in distilled based BTF has unexpected kind [%u]",
				i, k);
			goto out;
		}
	}
	for (uint32_t i = nd; i < n; i++)
		map[i] = i + nb - nd;
	/* distilled structs and unions a module struct embeds (not via a pointer) must keep their size */
	memcpy(types, mod->types, mod->types_len);
	for (uint32_t i = nd; i < n; i++) {
		struct btfc_type *t = (struct btfc_type *)(void *)(types + mod->offs[i - nd]);
		if (!composite(btfc_type_kind(t)))
			continue;
		unsigned nf = fields(t, false, f);
		for (unsigned j = 0; j < nf; j++) {
			uint32_t next = *f[j];
			for (uint32_t steps = 0; next && steps < n; steps++) {
				const struct btfc_type *c = btfc_btf_type_by_id(mod, next);
				if (!c)
					break;
				unsigned k = btfc_type_kind(c);
				if (k == BTFC_KIND_CONST || k == BTFC_KIND_RESTRICT ||
				    k == BTFC_KIND_VOLATILE || k == BTFC_KIND_TYPEDEF ||
				    k == BTFC_KIND_TYPE_TAG) {
					next = c->type;
				} else if (k == BTFC_KIND_ARRAY) {
					next = ((const struct btfc_array *)btfc_type_data(c))->type;
				} else {
					if (composite(k) && next < nd)
						map[next] = EMBEDDED;
					break;
				}
			}
		}
	}
	/*
	 * Match each distilled type among the target's types of the same name,
	 * in id order, as btf_relocate_map_distilled_base() does: the first
	 * compatible one maps it; a second is ambiguous. The kernel walks the
	 * target once and stops at the first ambiguity it meets, so the one
	 * with the smallest second candidate is the one reported.
	 */
	uint32_t amb_d = 0, amb_first = 0, amb_second = 0;
	for (uint32_t d = 1; d < nd; d++) {
		const struct btfc_type *dt = own(dist, d);
		unsigned dk = btfc_type_kind(dt);
		const char *dn = btfc_btf_str(dist, dt->name_off);
		size_t nc = btfci_btf_named(to, dn, cand, cap);
		if (nc > cap) {
			uint32_t *c2 = realloc(cand, nc * sizeof(*c2));
			if (!c2) {
				err = btfci_err(ctx, -ENOMEM, name, "out of memory relocating");
				goto out;
			}
			cand = c2;
			cap = nc;
			nc = btfci_btf_named(to, dn, cand, cap);
		}
		uint32_t first = 0;
		for (size_t c = 0; c < nc; c++) {
			const struct btfc_type *bt = own(to, cand[c]);
			unsigned bk = btfc_type_kind(bt);
			bool needs_size;
			switch (bk) {
			case BTFC_KIND_INT:
			case BTFC_KIND_FLOAT:
			case BTFC_KIND_ENUM:
			case BTFC_KIND_ENUM64:
				needs_size = true;
				break;
			case BTFC_KIND_FWD:
				needs_size = false;
				break;
			case BTFC_KIND_STRUCT:
			case BTFC_KIND_UNION: {
				unsigned same = 0; /* composites sharing this name offset */
				for (size_t x = 0; x < nc; x++) {
					const struct btfc_type *xt = own(to, cand[x]);
					same += composite(btfc_type_kind(xt)) &&
						xt->name_off == bt->name_off;
				}
				needs_size = same > 1;
				break;
			}
			default:
				continue;
			}
			if (needs_size && bt->size != dt->size)
				continue;
			bool ok;
			switch (dk) {
			case BTFC_KIND_FWD:
				ok = bk == BTFC_KIND_FWD ?
					     btfc_type_kflag(dt) == btfc_type_kflag(bt) :
				     bk == BTFC_KIND_STRUCT ? !btfc_type_kflag(bt) :
				     bk == BTFC_KIND_UNION  ? btfc_type_kflag(bt) :
							      false;
				break;
			case BTFC_KIND_INT:
				ok = bk == BTFC_KIND_INT &&
				     ((*(const uint32_t *)btfc_type_data(bt) >> 24) & 0xf) ==
					     ((*(const uint32_t *)btfc_type_data(dt) >> 24) & 0xf);
				break;
			case BTFC_KIND_FLOAT:
				ok = bk == BTFC_KIND_FLOAT;
				break;
			case BTFC_KIND_ENUM:
				ok = bk == BTFC_KIND_ENUM || bk == BTFC_KIND_ENUM64;
				break;
			default: /* STRUCT, UNION: any of those kinds, size checked when embedded */
				ok = first || map[d] != EMBEDDED || bt->size == dt->size;
			}
			if (!ok)
				continue;
			if (first) {
				if (!amb_d || cand[c] < amb_second) {
					amb_d = d;
					amb_first = first;
					amb_second = cand[c];
				}
				break;
			}
			first = cand[c];
		}
		if (first) {
			map[d] = first;
			uint32_t prev = strmap[dt->name_off];
			/* the last match in the target's order names the string */
			if (!prev || first > prev)
				strmap[dt->name_off] = first;
		} else if (map[d] == EMBEDDED) {
			map[d] = 0;
		}
	}
	if (amb_d) {
		err = btfci_err(
			ctx, 1, name,
			"distilled base BTF type '%s' [%u], size %u has multiple candidates of the same size (ids [%u, %u]) in base BTF",
			btfc_btf_str(dist, own(dist, amb_d)->name_off), amb_d,
			own(to, amb_second)->size, amb_second, amb_first);
		refused_id = amb_d;
		goto out;
	}
	for (uint32_t d = 1; d < nd; d++)
		if (!map[d]) {
			err = btfci_err(
				ctx, 1, name,
				"distilled base BTF type '%s' [%u] is not mapped to base BTF id",
				btfc_btf_str(dist, own(dist, d)->name_off), d);
			refused_id = d;
			goto out;
		}
	for (size_t s = 0; s < dstr; s++)
		if (strmap[s])
			strmap[s] = own(to, strmap[s])->name_off;
	/* rewrite ids and strings of the module's own types */
	uint32_t sdelta = to->strs_len - (uint32_t)dstr;
	for (uint32_t i = nd; i < n; i++) {
		struct btfc_type *t = (struct btfc_type *)(void *)(types + mod->offs[i - nd]);
		unsigned nf = fields(t, false, f);
		for (unsigned j = 0; j < nf; j++) {
			if (*f[j] >= n) {
				err = btfci_err(
					ctx, -EINVAL, name,
					"type [%u] refers to type id %u, beyond the last (%u)", i,
					*f[j], n - 1);
				goto out;
			}
			*f[j] = map[*f[j]];
		}
		nf = fields(t, true, f);
		for (unsigned j = 0; j < nf; j++) {
			uint32_t o = *f[j];
			if (!o)
				continue;
			if (o >= dstr) {
				*f[j] = o + sdelta;
			} else if (strmap[o]) {
				*f[j] = strmap[o];
			} else {
				err = btfci_err(ctx, 1, name,
						"string '%s' [offset %u] is not mapped to base BTF",
						btfc_btf_str(dist, o) ? btfc_btf_str(dist, o) : "",
						o);
				goto out;
			}
		}
	}
	/* the new blob: same own strings, rewritten types */
	out->len = BTF_HDR_MIN + mod->types_len + mod->strs_len;
	out->data = malloc(out->len);
	if (!out->data) {
		err = btfci_err(ctx, -ENOMEM, name, "out of memory relocating");
		goto out;
	}
	put_blob(out->data, types, mod->types_len, mod->strs, mod->strs_len);
	out->id_map = map;
	out->n_map = n;
	map = NULL;
out:
	if (err)
		btfci_blob_fini(out);
	out->refused_id = refused_id;
	free(map);
	free(strmap);
	free(cand);
	free(f);
	free(types);
	return err;
}
