// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The BTF model: header, type index (id -> record, O(1)), string access,
 * split BTF on a base. Parsing here is structural only — enough to index and
 * read every record safely; the kernel's semantic rules live in validate/.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "btf_int.h"
#include "btf_kind.h"

static const char *const kind_names[] = {
	"UNKNOWN", "INT",     "PTR",      "ARRAY",    "STRUCT",   "UNION",  "ENUM",
	"FWD",     "TYPEDEF", "VOLATILE", "CONST",    "RESTRICT", "FUNC",   "FUNC_PROTO",
	"VAR",     "DATASEC", "FLOAT",    "DECL_TAG", "TYPE_TAG", "ENUM64",
};

BTFC_API const char *btfc_kind_name(unsigned kind)
{
	return kind <= BTFC_KIND_MAX ? kind_names[kind] : kind_names[0];
}

long btfci_type_extra(const struct btfc_type *t) { return btfci_kind_extra(t->info); }

/* PTR, TYPEDEF, the modifiers, FUNC, FUNC_PROTO (its return type), VAR and the tags. */
static bool has_type_field(unsigned k)
{
	switch (k) {
	case BTFC_KIND_PTR:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_CONST:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_FUNC:
	case BTFC_KIND_FUNC_PROTO:
	case BTFC_KIND_VAR:
	case BTFC_KIND_DECL_TAG:
	case BTFC_KIND_TYPE_TAG:
		return true;
	}
	return false;
}

uint32_t *btfci_field_first(struct btfci_field_iter *it, struct btfc_type *t,
			    enum btfci_field_set set)
{
	*it = (struct btfci_field_iter){ .t = t, .set = set, .vlen = btfc_type_vlen(t) };
	return btfci_field_next(it);
}

uint32_t *btfci_field_next(struct btfci_field_iter *it)
{
	struct btfc_type *t = it->t;
	unsigned k = btfc_type_kind(t), i = it->step++;
	bool ids = it->set == BTFCI_FIELD_IDS;
	uint8_t *d = (uint8_t *)(t + 1);
	unsigned nown = !ids ? 1 : k == BTFC_KIND_ARRAY ? 2 : has_type_field(k);

	it->member = i >= nown;
	if (!it->member && !ids)
		return &t->name_off;
	if (!it->member && k == BTFC_KIND_ARRAY)
		return i ? &((struct btfc_array *)(void *)d)->index_type :
			   &((struct btfc_array *)(void *)d)->type;
	if (!it->member)
		return &t->type;
	if ((i -= nown) >= it->vlen)
		return NULL;
	switch (k) {
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION: {
		struct btfc_member *m = (struct btfc_member *)(void *)d + i;
		return ids ? &m->type : &m->name_off;
	}
	case BTFC_KIND_FUNC_PROTO: {
		struct btfc_param *p = (struct btfc_param *)(void *)d + i;
		return ids ? &p->type : &p->name_off;
	}
	case BTFC_KIND_ENUM:
		return ids ? NULL : &((struct btfc_enum *)(void *)d)[i].name_off;
	case BTFC_KIND_ENUM64:
		return ids ? NULL : &((struct btfc_enum64 *)(void *)d)[i].name_off;
	case BTFC_KIND_DATASEC:
		return ids ? &((struct btfc_var_secinfo *)(void *)d)[i].type : NULL;
	}
	return NULL;
}

static void release(void *owned, void *map, size_t map_len)
{
	free(owned);
	if (map)
		munmap(map, map_len);
}

/* Header fields in host order from the first 24 (32 with a layout section) bytes at @p. */
static void read_header(struct btfc_header *h, const uint8_t *p, size_t len, bool swap)
{
	uint32_t w[8] = { 0 };

	memcpy(w, p, BTF_HDR_MIN);
	if (swap)
		w[1] = btfci_bswap32(w[1]);
	if (w[1] >= BTF_HDR_LAYOUT && len >= BTF_HDR_LAYOUT)
		memcpy(w + 6, p + BTF_HDR_MIN, 8);
	for (int i = 2; swap && i < 8; i++)
		w[i] = btfci_bswap32(w[i]);
	/* word 0 is magic(16) version(8) flags(8) in memory order */
	uint16_t magic;
	memcpy(&magic, p, 2);
	h->magic = swap ? btfci_bswap16(magic) : magic;
	h->version = p[2];
	h->flags = p[3];
	h->hdr_len = w[1];
	h->type_off = w[2];
	h->type_len = w[3];
	h->str_off = w[4];
	h->str_len = w[5];
	h->layout_off = w[6];
	h->layout_len = w[7];
}

/* Swap the 4-byte words of @p[@off, @off + @n) in place (a partial last word stays). */
static void swap_words(uint8_t *p, uint64_t off, uint64_t n)
{
	for (uint64_t i = 0; i + 4 <= n; i += 4) {
		uint32_t v;
		memcpy(&v, p + off + i, 4);
		v = btfci_bswap32(v);
		memcpy(p + off + i, &v, 4);
	}
}

void btfci_btf_swap(uint8_t *p, size_t len, bool to_host)
{
	uint32_t w[8] = { 0 }; /* header words, host order */
	uint16_t m;

	if (len < 2)
		return;
	memcpy(&m, p, 2);
	m = btfci_bswap16(m);
	memcpy(p, &m, 2);
	if (len < 8)
		return;
	memcpy(&w[1], p + 4, 4);
	if (to_host)
		w[1] = btfci_bswap32(w[1]);
	/* header words the kernel reads: hdr_len itself always, then up to hdr_len (at most 32) */
	uint64_t hl = w[1] < BTF_HDR_LAYOUT ? w[1] & ~3u : BTF_HDR_LAYOUT;
	if (hl < 8)
		hl = 8;
	if (hl > len)
		hl = len & ~(size_t)3; /* len >= 8 */
	for (uint32_t o = 4; o + 4 <= hl; o += 4) {
		uint32_t v;
		memcpy(&v, p + o, 4);
		w[o / 4] = to_host ? btfci_bswap32(v) : v;
	}
	swap_words(p, 4, hl - 4);
	uint64_t data = len - (w[1] < len ? w[1] : len);
	if (hl >= BTF_HDR_MIN && (uint64_t)w[2] + w[3] <= data)
		swap_words(p, (uint64_t)w[1] + w[2], w[3]);
	/* struct btf_layout { u8 info_sz; u8 elem_sz; u16 flags; }: only flags has a byte order */
	if (hl >= BTF_HDR_LAYOUT && (uint64_t)w[6] + w[7] <= data)
		for (uint64_t o = (uint64_t)w[1] + w[6]; o + 4 <= (uint64_t)w[1] + w[6] + w[7];
		     o += 4) {
			memcpy(&m, p + o + 2, 2);
			m = btfci_bswap16(m);
			memcpy(p + o + 2, &m, 2);
		}
}

static int check_layout(struct btfc_ctx *ctx, const char *name, const struct btfc_header *h,
			size_t len, bool split)
{
	if (h->hdr_len < BTF_HDR_MIN)
		return btfci_err(ctx, -EINVAL, name, "BTF header length %u is smaller than %d",
				 h->hdr_len, BTF_HDR_MIN);
	if (h->hdr_len > len)
		return btfci_err(ctx, -EINVAL, name, "BTF header length %u exceeds data size %zu",
				 h->hdr_len, len);
	uint64_t data = len - h->hdr_len;
	if ((uint64_t)h->type_off + h->type_len > data)
		return btfci_err(ctx, -EINVAL, name,
				 "type section at %u + %u exceeds data size %" PRIu64
				 " after the header",
				 h->type_off, h->type_len, data);
	if ((uint64_t)h->str_off + h->str_len > data)
		return btfci_err(ctx, -EINVAL, name,
				 "string section at %u + %u exceeds data size %" PRIu64
				 " after the header",
				 h->str_off, h->str_len, data);
	if (h->hdr_len >= BTF_HDR_LAYOUT && (uint64_t)h->layout_off + h->layout_len > data)
		return btfci_err(ctx, -EINVAL, name,
				 "layout section at %u + %u exceeds data size %" PRIu64
				 " after the header",
				 h->layout_off, h->layout_len, data);
	if (h->type_len && h->str_len && h->type_off < (uint64_t)h->str_off + h->str_len &&
	    h->str_off < (uint64_t)h->type_off + h->type_len)
		return btfci_err(ctx, -EINVAL, name,
				 "type section at %u + %u overlaps string section at %u + %u",
				 h->type_off, h->type_len, h->str_off, h->str_len);
	if ((h->hdr_len + (uint64_t)h->type_off) % 4 || h->type_len % 4)
		return btfci_err(
			ctx, -EINVAL, name,
			"type section (hdr_len %u + type_off %u, type_len %u) is not 4-byte aligned",
			h->hdr_len, h->type_off, h->type_len);
	if (!h->str_len) {
		if (!split)
			return btfci_err(ctx, -EINVAL, name, "string section is empty");
	}
	return 0;
}

static int check_strings(struct btfc_ctx *ctx, const char *name, const char *s, uint32_t n,
			 bool split)
{
	if (!n)
		return 0;
	if (s[n - 1])
		return btfci_err(ctx, -EINVAL, name,
				 "string section (%u bytes) does not end with NUL", n);
	if (!split && s[0])
		return btfci_err(ctx, -EINVAL, name,
				 "string section does not start with the empty string "
				 "(split BTF of a module? it needs its base)");
	return 0;
}

/* Walk the type section once, recording each record's offset. */
static int index_types(struct btfc_ctx *ctx, struct btfc_btf *b)
{
	uint32_t cap = b->types_len / 12 + 1, n = 0, off = 0;

	b->offs = malloc((size_t)cap * sizeof(*b->offs));
	if (!b->offs)
		return btfci_err(ctx, -ENOMEM, b->name, "out of memory indexing %u type bytes",
				 b->types_len);
	while (off < b->types_len) {
		uint32_t id = b->start_id + n;
		if (b->types_len - off < sizeof(struct btfc_type))
			return btfci_err(ctx, -EINVAL, b->name,
					 "type [%u] at offset %u: record truncated (%u bytes left)",
					 id, off, b->types_len - off);
		const struct btfc_type *t = (const void *)(b->types + off);
		long extra = btfci_type_extra(t);
		if (extra < 0)
			return btfci_err(ctx, -EINVAL, b->name,
					 "type [%u] at offset %u: unknown kind %u", id, off,
					 btfc_type_kind(t));
		uint64_t end = (uint64_t)off + sizeof(*t) + (uint64_t)extra;
		if (end > b->types_len)
			return btfci_err(ctx, -EINVAL, b->name,
					 "type [%u] %s at offset %u (vlen %u) needs %" PRIu64
					 " bytes, only %u left",
					 id, btfc_kind_name(btfc_type_kind(t)), off,
					 btfc_type_vlen(t), end - off, b->types_len - off);
		if (id == UINT32_MAX || id >= (1u << 31))
			return btfci_err(ctx, -EINVAL, b->name, "too many types");
		b->offs[n++] = off;
		off = (uint32_t)end;
	}
	b->nr_types = n;
	return 0;
}

int btfci_btf_new(struct btfc_ctx *ctx, const uint8_t *data, size_t len, const char *name,
		  const struct btfc_btf *base, void *owned, void *map, size_t map_len,
		  const struct btfc_source_info *src, struct btfc_btf **out)
{
	struct btfc_btf *b;
	bool swap;
	int err;

	*out = NULL;
	if (len < 4 ||
	    !((data[0] == 0x9f && data[1] == 0xeb) || (data[0] == 0xeb && data[1] == 0x9f))) {
		release(owned, map, map_len);
		return btfci_err(
			ctx, -EINVAL, name,
			len < 4 ? "%stoo short for BTF (%zu bytes)" :
				  "%snot BTF: bad magic (%zu bytes)",
			src && src->container != BTFC_CONT_RAW ? "its .BTF section is " : "", len);
	}
	/* 0xeB9F stored in host order reads back as BTF_MAGIC. */
	uint16_t m;
	memcpy(&m, data, 2);
	swap = m != BTF_MAGIC;
	if (len < BTF_HDR_MIN) {
		release(owned, map, map_len);
		return btfci_err(ctx, -EINVAL, name, "truncated BTF header (%zu of %d bytes)", len,
				 BTF_HDR_MIN);
	}

	b = calloc(1, sizeof(*b));
	if (!b || !(b->name = strdup(name ? name : "(memory)"))) {
		free(b);
		release(owned, map, map_len);
		return btfci_err(ctx, -ENOMEM, name, "out of memory");
	}
	pthread_mutex_init(&b->idx_lock, NULL);
	b->owned = owned;
	b->map = map;
	b->map_len = map_len;
	b->base = base;
	if (src)
		b->src = *src;
	b->src.sz = sizeof(b->src);
	b->src.btf_size = len;
	b->src.swapped = swap;
	b->src.big_endian = data[0] == 0xeb;
	read_header(&b->hdr, data, len, swap);

	err = check_layout(ctx, b->name, &b->hdr, len, base != NULL);
	if (err)
		goto fail;
	if (b->hdr.version != BTF_VERSION) {
		err = btfci_err(ctx, -EINVAL, b->name, "unsupported BTF version %u",
				b->hdr.version);
		goto fail;
	}

	/* Borrow when possible; copy to swap or to align. */
	bool aligned = ((uintptr_t)(data + b->hdr.hdr_len + b->hdr.type_off) & 3) == 0;
	if (swap || !aligned) {
		uint8_t *copy = malloc(len);
		if (!copy) {
			err = btfci_err(ctx, -ENOMEM, b->name, "out of memory copying %zu bytes",
					len);
			goto fail;
		}
		memcpy(copy, data, len);
		if (swap)
			btfci_btf_swap(copy, len, true);
		release(b->owned, b->map, b->map_len);
		b->map = NULL;
		b->owned = copy;
		data = copy;
	}
	b->raw = data;
	b->raw_len = len;
	b->types = data + b->hdr.hdr_len + b->hdr.type_off;
	b->types_len = b->hdr.type_len;
	b->strs = (const char *)data + b->hdr.hdr_len + b->hdr.str_off;
	b->strs_len = b->hdr.str_len;
	if (base) {
		b->start_id = btfc_btf_type_cnt(base);
		b->start_str_off = base->start_str_off + base->strs_len;
	} else {
		b->start_id = 1;
	}
	err = check_strings(ctx, b->name, b->strs, b->strs_len, base != NULL);
	if (!err)
		err = index_types(ctx, b);
	if (err)
		goto fail;
	*out = b;
	return 0;
fail:
	btfc_btf_free(b);
	return err;
}

BTFC_API int btfc_btf_parse(struct btfc_ctx *ctx, const void *data, size_t len, const char *name,
			    const struct btfc_btf *base, struct btfc_btf **out)
{
	struct btfc_source_info src = { .container = BTFC_CONT_RAW, .file_size = len };

	return btfci_btf_new(ctx, data, len, name, base, NULL, NULL, 0, &src, out);
}

BTFC_API void btfc_btf_free(struct btfc_btf *b)
{
	if (!b)
		return;
	release(b->owned, b->map, b->map_len);
	free(b->offs);
	free(b->idx.slots);
	if (b->vcache)
		b->vcache_free(b->vcache);
	pthread_mutex_destroy(&b->idx_lock);
	free(b->name);
	free(b);
}

BTFC_API const struct btfc_btf *btfc_btf_base(const struct btfc_btf *b) { return b->base; }
BTFC_API const char *btfc_btf_name(const struct btfc_btf *b) { return b->name; }
BTFC_API const struct btfc_source_info *btfc_btf_source(const struct btfc_btf *b)
{
	return &b->src;
}
BTFC_API uint32_t btfc_btf_type_cnt(const struct btfc_btf *b) { return b->start_id + b->nr_types; }
BTFC_API uint32_t btfc_btf_start_id(const struct btfc_btf *b) { return b->start_id; }
BTFC_API uint32_t btfc_btf_start_str_off(const struct btfc_btf *b) { return b->start_str_off; }
BTFC_API const struct btfc_header *btfc_btf_header(const struct btfc_btf *b) { return &b->hdr; }

BTFC_API const void *btfc_btf_raw(const struct btfc_btf *b, size_t *len)
{
	*len = b->raw_len;
	return b->raw;
}

BTFC_API const void *btfc_btf_types_raw(const struct btfc_btf *b, size_t *len)
{
	*len = b->types_len;
	return b->types;
}

BTFC_API const char *btfc_btf_strs_raw(const struct btfc_btf *b, size_t *len)
{
	*len = b->strs_len;
	return b->strs;
}

BTFC_API const struct btfc_type *btfc_btf_type_by_id(const struct btfc_btf *b, uint32_t id)
{
	while (id < b->start_id) {
		if (!b->base)
			return NULL; /* id 0 */
		b = b->base;
	}
	id -= b->start_id;
	if (id >= b->nr_types)
		return NULL;
	return (const void *)(b->types + b->offs[id]);
}

BTFC_API const char *btfc_btf_str(const struct btfc_btf *b, uint32_t off)
{
	while (off < b->start_str_off)
		b = b->base;
	off -= b->start_str_off;
	return off < b->strs_len ? b->strs + off : NULL;
}

BTFC_API int btfc_btf_flatten(const struct btfc_btf *btf, void **out, size_t *len)
{
	const struct btfc_btf *chain[8], *b;
	size_t tlen = 0, slen = 0, n = 0;

	for (b = btf; b && n < 8; b = b->base)
		chain[n++] = b;
	for (size_t i = 0; i < n; i++) {
		tlen += chain[i]->types_len;
		slen += chain[i]->strs_len;
	}
	if (tlen > UINT32_MAX || slen > UINT32_MAX || !(*out = malloc(BTF_HDR_MIN + tlen + slen)))
		return -ENOMEM;
	uint8_t *p = *out;
	uint32_t hdr[6] = { BTF_MAGIC | BTF_VERSION << 16,
			    BTF_HDR_MIN,
			    0,
			    (uint32_t)tlen,
			    (uint32_t)tlen,
			    (uint32_t)slen };
	memcpy(p, hdr, sizeof(hdr));
	p += BTF_HDR_MIN;
	for (size_t i = n; i-- > 0;) { /* the outermost base first */
		memcpy(p, chain[i]->types, chain[i]->types_len);
		p += chain[i]->types_len;
	}
	for (size_t i = n; i-- > 0;) {
		memcpy(p, chain[i]->strs, chain[i]->strs_len);
		p += chain[i]->strs_len;
	}
	*len = BTF_HDR_MIN + tlen + slen;
	return 0;
}

/* ---- name index ---- */

uint32_t btfci_hash_str(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static int build_index(struct btfc_btf *b)
{
	uint32_t size = 16;

	while (size < b->nr_types * 2u)
		size <<= 1;
	uint32_t *slots = calloc(size, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < b->nr_types; i++) {
		const struct btfc_type *t = (const void *)(b->types + b->offs[i]);
		const char *s = btfc_btf_str(b, t->name_off);
		if (!s || !*s)
			continue;
		uint32_t h = btfci_hash_str(s) & (size - 1);
		while (slots[h])
			h = (h + 1) & (size - 1);
		slots[h] = b->start_id + i;
	}
	b->idx.slots = slots;
	b->idx.mask = size - 1;
	return 0;
}

/* Build @b's name index on first use (thread-safe). */
static int ensure_index(struct btfc_btf *b)
{
	pthread_mutex_lock(&b->idx_lock);
	int err = b->idx.slots ? 0 : build_index(b);
	pthread_mutex_unlock(&b->idx_lock);
	return err;
}

/* Smallest id in @b's own types named @name of @kind (0: any). */
static int64_t find_own(const struct btfc_btf *cb, const char *name, unsigned kind)
{
	struct btfc_btf *b = (struct btfc_btf *)cb; /* the index is a cache */
	int64_t best = -ENOENT;
	int err = ensure_index(b);

	if (err)
		return err;
	for (uint32_t h = btfci_hash_str(name) & b->idx.mask; b->idx.slots[h];
	     h = (h + 1) & b->idx.mask) {
		uint32_t id = b->idx.slots[h];
		const struct btfc_type *t = btfc_btf_type_by_id(b, id);
		if ((kind && btfc_type_kind(t) != kind) ||
		    strcmp(btfc_btf_str(b, t->name_off), name))
			continue;
		if (best < 0 || id < best)
			best = id;
	}
	return best;
}

BTFC_API int64_t btfc_btf_find(const struct btfc_btf *b, const char *name, unsigned kind)
{
	if (b->base) {
		int64_t id = btfc_btf_find(b->base, name, kind);
		if (id != -ENOENT)
			return id;
	}
	return find_own(b, name, kind);
}

/* Ids of all own types named @name, ascending (see relocate.h). */
size_t btfci_btf_named(const struct btfc_btf *cb, const char *name, uint32_t *ids, size_t cap)
{
	struct btfc_btf *b = (struct btfc_btf *)cb; /* the index is a cache */
	size_t n = 0;

	if (ensure_index(b))
		return 0;
	for (uint32_t h = btfci_hash_str(name) & b->idx.mask; b->idx.slots[h];
	     h = (h + 1) & b->idx.mask) {
		uint32_t id = b->idx.slots[h];
		const struct btfc_type *t = btfc_btf_type_by_id(b, id);
		if (strcmp(btfc_btf_str(b, t->name_off), name))
			continue;
		if (n < cap) { /* insertion sort: a name has a handful of types */
			size_t i = n;
			while (i > 0 && ids[i - 1] > id) {
				ids[i] = ids[i - 1];
				i--;
			}
			ids[i] = id;
		}
		n++;
	}
	return n;
}
