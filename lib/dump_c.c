// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * `bpftool btf dump file F format c` (Debian 12's bpftool 7.1.0+6.1.192, built
 * with the copy of libbpf in Linux 6.1.192's tools/lib/bpf), byte for byte: the vmlinux.h header. Our own code following the same
 * rules, in two passes per root type as bpftool calls them for ids 1..n-1:
 *
 *  1. order: a depth-first walk queues the named definitions a type needs,
 *     dependencies first. A link is "strong" (the dependency must be fully
 *     defined first) unless a pointer and a named type lie on the path;
 *     weak links are satisfied with a forward declaration.
 *  2. emit: each queued type is written at top level; on the way, types seen
 *     again while still being written get a forward declaration
 *     ("struct X;"), anonymous types are written inline.
 *
 * Names: struct/union/enum names share one count, typedef names and
 * enumerators another; the n-th definition of a name (n > 1) is written
 * NAME___n, counted in the order definitions are first named.
 * bpftool's quirks are kept on purpose and marked "sic".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_int.h"
#include "out.h"

/* deeper type chains are refused (libbpf recurses without a bound and crashes on a cycle) */
#define MAX_DEPTH 1024
/*
 * explicit padding bits in one dump (bpftool writes 64 bits a line): beyond this the input is
 * refused, not written as a billion lines (real vmlinux headers have about 350 000)
 */
#define MAX_PAD_BITS ((int64_t)1 << 26)
/* libbpf's MAX_RESOLVE_DEPTH: btf__resolve_size() gives up after this many links */
#define RESOLVE_DEPTH 32

enum { NOT_ORDERED, ORDERING, ORDERED };
enum { NOT_EMITTED, EMITTING, EMITTED };

struct tstate {
	uint8_t order : 2;
	uint8_t emit : 2;
	uint8_t fwd_emitted : 1;
	uint8_t name_resolved : 1;
	uint8_t referenced : 1;
};

/* name -> number of definitions named so far; keys point into the BTF's string sections */
struct names {
	const char **key;
	uint32_t *cnt;
	uint32_t mask, used;
};

struct dc {
	struct btfc_ctx *ctx;
	const struct btfc_btf *btf;
	struct out *o;
	uint32_t n; /* type count, base included */
	const struct btfc_type **t; /* by id; [0] is void */
	struct tstate *st;
	char **dup_name; /* NAME___n, malloc'd, by id */
	uint8_t *align; /* align_of() + 1 by id, 0: not yet known */
	int ptr_sz;
	uint32_t *queue, queue_cnt, queue_cap;
	uint32_t *decl, decl_cnt, decl_cap;
	struct names type_names, ident_names;
	int depth;
	int64_t pad_bits; /* explicit padding written so far */
	unsigned style; /* BTFC_DUMP_C_7_1, _7_5 or _7_8 */
	uint64_t *dhash[2]; /* disambig_hash() by id, without and with members */
	uint8_t *dknown; /* bit 0, bit 1: dhash[0], dhash[1] computed */
	int err; /* first error; once set, nothing more is written */
};

static const struct btfc_type void_type;

static unsigned kind(const struct btfc_type *t) { return btfc_type_kind(t); }
static bool is_composite(const struct btfc_type *t)
{
	return kind(t) == BTFC_KIND_STRUCT || kind(t) == BTFC_KIND_UNION;
}
static bool is_mod(const struct btfc_type *t)
{
	unsigned k = kind(t);
	return k == BTFC_KIND_VOLATILE || k == BTFC_KIND_CONST || k == BTFC_KIND_RESTRICT ||
	       k == BTFC_KIND_TYPE_TAG;
}
static uint32_t m_bitsize(const struct btfc_type *t, const struct btfc_member *m)
{
	return btfc_type_kflag(t) ? m->offset >> 24 : 0;
}
static uint32_t m_bitoff(const struct btfc_type *t, const struct btfc_member *m)
{
	return btfc_type_kflag(t) ? m->offset & 0xffffff : m->offset;
}
static int fail(struct dc *d, int err, const char *fmt, uint32_t id)
{
	if (!d->err)
		d->err = btfci_err(d->ctx, err, btfc_btf_name(d->btf), fmt, id);
	return d->err;
}

/*
 * A name that is written: one out of the string section is an error here, where
 * libbpf would print "(null)" or crash. Names never written (FUNC, VAR, DATASEC)
 * are not looked at, as in bpftool.
 */
static const char *str(struct dc *d, uint32_t off)
{
	const char *s = btfc_btf_str(d->btf, off);

	if (!s) {
		fail(d, -EINVAL, "name offset %u out of range", off);
		return "";
	}
	return s;
}

static bool enter(struct dc *d, uint32_t id)
{
	if (++d->depth > MAX_DEPTH) {
		fail(d, -ELOOP, "type [%u]: type chain too deep or cyclic for C", id);
		return false;
	}
	return true;
}

/* ---- output ---- */

/* after an error nothing more: the output stops where it was */
static void p(struct dc *d, const char *s)
{
	if (!d->err)
		out_str(d->o, s);
}
static void pu(struct dc *d, uint64_t v)
{
	if (!d->err)
		out_u64(d->o, v);
}
static void pi(struct dc *d, int64_t v)
{
	if (!d->err)
		out_i64(d->o, v);
}
static void pfx(struct dc *d, int lvl)
{
	static const char tabs[] =
		"\t\t\t\t\t\t\t\t\t\t\t\t\t"; /* sic: libbpf indents at most 13 levels */
	int n = lvl < (int)sizeof(tabs) - 1 ? lvl : (int)sizeof(tabs) - 1;
	if (!d->err)
		out_raw(d->o, tabs, n);
}

/* ---- names ---- */

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* Count one more definition named @s; returns the count (1 for the first), 0 without memory. */
static uint32_t name_dups(struct names *m, const char *s)
{
	if (m->used * 2 >= m->mask) {
		uint32_t nmask = m->mask ? m->mask * 2 + 1 : 1023;
		const char **key = calloc((size_t)nmask + 1, sizeof(*key));
		uint32_t *cnt = calloc((size_t)nmask + 1, sizeof(*cnt));
		if (!key || !cnt) {
			free(key);
			free(cnt);
			return 0;
		}
		for (uint32_t i = 0; m->key && i <= m->mask; i++) {
			if (!m->key[i])
				continue;
			uint32_t j = hash(m->key[i]) & nmask;
			while (key[j])
				j = (j + 1) & nmask;
			key[j] = m->key[i];
			cnt[j] = m->cnt[i];
		}
		free(m->key);
		free(m->cnt);
		m->key = key;
		m->cnt = cnt;
		m->mask = nmask;
	}
	uint32_t i = hash(s) & m->mask;
	while (m->key[i] && strcmp(m->key[i], s))
		i = (i + 1) & m->mask;
	if (!m->key[i]) {
		m->key[i] = s;
		m->used++;
	}
	return ++m->cnt[i];
}

static const char *resolve_name(struct dc *d, uint32_t id, struct names *m)
{
	const struct btfc_type *t = d->t[id];
	struct tstate *s = &d->st[id];
	const char *name = str(d, t->name_off);

	if (!t->name_off)
		return "";
	if (s->name_resolved)
		return d->dup_name[id] ? d->dup_name[id] : name;
	s->name_resolved = 1;
	/* forward declarations and ENUM (not ENUM64) without values keep their name */
	if (kind(t) == BTFC_KIND_FWD || (kind(t) == BTFC_KIND_ENUM && !btfc_type_vlen(t)))
		return name;
	uint32_t n = name_dups(m, name);
	if (!n) {
		fail(d, -ENOMEM, "type [%u]: out of memory for names", id);
		return name;
	}
	if (n > 1) {
		char buf[256]; /* sic: libbpf cuts NAME___n at 255 bytes */
		snprintf(buf, sizeof(buf), "%s___%u", name, n);
		if (!(d->dup_name[id] = strdup(buf)))
			fail(d, -ENOMEM, "type [%u]: out of memory for names", id);
	}
	return d->dup_name[id] ? d->dup_name[id] : name;
}

static const char *type_name(struct dc *d, uint32_t id)
{
	return resolve_name(d, id, &d->type_names);
}
static const char *ident_name(struct dc *d, uint32_t id)
{
	return resolve_name(d, id, &d->ident_names);
}

/* ---- sizes (libbpf's btf__resolve_size, btf__align_of) ---- */

static int align_of(struct dc *d, uint32_t id);

static int64_t resolve_size(const struct dc *d, uint32_t id)
{
	uint64_t nelems = 1;
	int64_t size = -1;

	for (int i = 0; i < RESOLVE_DEPTH && id && kind(d->t[id]) != BTFC_KIND_FWD; i++) {
		const struct btfc_type *t = d->t[id];
		switch (kind(t)) {
		case BTFC_KIND_INT:
		case BTFC_KIND_STRUCT:
		case BTFC_KIND_UNION:
		case BTFC_KIND_ENUM:
		case BTFC_KIND_ENUM64:
		case BTFC_KIND_DATASEC:
		case BTFC_KIND_FLOAT:
			size = t->size;
			goto done;
		case BTFC_KIND_PTR:
			size = d->ptr_sz;
			goto done;
		case BTFC_KIND_TYPEDEF:
		case BTFC_KIND_VOLATILE:
		case BTFC_KIND_CONST:
		case BTFC_KIND_RESTRICT:
		case BTFC_KIND_VAR:
		case BTFC_KIND_DECL_TAG:
		case BTFC_KIND_TYPE_TAG:
			id = t->type;
			break;
		case BTFC_KIND_ARRAY: {
			const struct btfc_array *a = btfc_type_data(t);
			if (nelems && a->nelems > UINT32_MAX / nelems)
				return -E2BIG;
			nelems *= a->nelems;
			id = a->type;
			break;
		}
		default:
			return -EINVAL;
		}
	}
done:
	if (size < 0)
		return -EINVAL;
	if (nelems && (uint64_t)size > UINT32_MAX / nelems)
		return -E2BIG;
	return (int64_t)nelems * size;
}

/* 0 for what has no alignment (void, FWD, FUNC_PROTO); cached by id */
static int align_of_(struct dc *d, uint32_t id)
{
	const struct btfc_type *t = d->t[id];

	switch (kind(t)) {
	case BTFC_KIND_INT:
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
	case BTFC_KIND_FLOAT:
		return t->size < (uint32_t)d->ptr_sz ? (int)t->size : d->ptr_sz;
	case BTFC_KIND_PTR:
		return d->ptr_sz;
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_CONST:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_TYPE_TAG:
		return align_of(d, t->type);
	case BTFC_KIND_ARRAY:
		return align_of(d, ((const struct btfc_array *)btfc_type_data(t))->type);
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION: {
		const struct btfc_member *m = btfc_type_data(t);
		int max_align = 1;
		for (unsigned i = 0; i < btfc_type_vlen(t); i++, m++) {
			int a = align_of(d, m->type);
			if (a <= 0)
				return 0;
			if (a > max_align)
				max_align = a;
			/* a member off its type's alignment: packed (sic: the raw offset word) */
			if (!m_bitsize(t, m) && m->offset % (8u * a))
				return 1;
		}
		/* a size not a multiple of the alignment: packed */
		return t->size % max_align ? 1 : max_align;
	}
	default:
		return 0;
	}
}

static int align_of(struct dc *d, uint32_t id)
{
	if (d->align[id])
		return d->align[id] - 1;
	if (!enter(d, id))
		return 0;
	int r = align_of_(d, id);
	d->depth--;
	if (!d->err)
		d->align[id] = (uint8_t)(r + 1); /* r <= 8 */
	return r;
}

static bool is_packed(struct dc *d, const struct btfc_type *t)
{
	const struct btfc_member *m = btfc_type_data(t);
	int max_align = 1;

	/* every member that is not a bitfield naturally aligned */
	for (unsigned i = 0; i < btfc_type_vlen(t); i++, m++) {
		int a = align_of(d, m->type);
		if (a && !m_bitsize(t, m) && m->offset % (8u * a))
			return true;
		if (a > max_align)
			max_align = a;
	}
	/* and the size a multiple of the alignment */
	return t->size % max_align != 0;
}

/* ---- pass 1: order ---- */

static int queue(struct dc *d, uint32_t id)
{
	if (d->queue_cnt == d->queue_cap) {
		uint32_t cap = d->queue_cap ? d->queue_cap * 2 : 256;
		uint32_t *q = realloc(d->queue, cap * sizeof(*q));
		if (!q)
			return fail(d, -ENOMEM, "type [%u]: out of memory", id);
		d->queue = q;
		d->queue_cap = cap;
	}
	d->queue[d->queue_cnt++] = id;
	return 0;
}

static int order_type(struct dc *d, uint32_t id, bool through_ptr);

static int order_type_(struct dc *d, uint32_t id, bool through_ptr)
{
	struct tstate *s = &d->st[id];
	const struct btfc_type *t = d->t[id];
	int err;

	/* 1: "strong", the definition is (or will be) complete, typedefs may follow it */
	if (s->order == ORDERED)
		return 1;
	if (s->order == ORDERING) {
		/* a loop, broken by a forward declaration */
		if (is_composite(t) && through_ptr && t->name_off)
			return 0;
		return fail(d, -ELOOP, "type [%u]: unsatisfiable type cycle", id);
	}

	switch (kind(t)) {
	case BTFC_KIND_INT:
	case BTFC_KIND_FLOAT:
		s->order = ORDERED;
		return 0;
	case BTFC_KIND_PTR:
		err = order_type(d, t->type, true);
		s->order = ORDERED;
		return err;
	case BTFC_KIND_ARRAY:
		return order_type(d, ((const struct btfc_array *)btfc_type_data(t))->type, false);
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION: {
		const struct btfc_member *m = btfc_type_data(t);
		/* strong only when embedded, or anonymous (defined inline even behind a pointer) */
		if (through_ptr && t->name_off)
			return 0;
		s->order = ORDERING;
		for (unsigned i = 0; i < btfc_type_vlen(t); i++, m++) {
			err = order_type(d, m->type, false);
			if (err < 0)
				return err;
		}
		if (t->name_off && (err = queue(d, id)))
			return err;
		s->order = ORDERED;
		return 1;
	}
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
	case BTFC_KIND_FWD:
		/* named, or anonymous and used by nothing: a top-level declaration */
		if ((t->name_off || !s->referenced) && (err = queue(d, id)))
			return err;
		s->order = ORDERED;
		return 1;
	case BTFC_KIND_TYPEDEF: {
		int strong = order_type(d, t->type, through_ptr);
		if (strong < 0)
			return strong;
		/* like a struct: behind a pointer a forward declaration will do */
		if (through_ptr && !strong)
			return 0;
		if ((err = queue(d, id)))
			return err;
		s->order = ORDERED;
		return 1;
	}
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_CONST:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_TYPE_TAG:
		return order_type(d, t->type, through_ptr);
	case BTFC_KIND_FUNC_PROTO: {
		const struct btfc_param *pa = btfc_type_data(t);
		bool strong;
		err = order_type(d, t->type, through_ptr);
		if (err < 0)
			return err;
		strong = err > 0;
		for (unsigned i = 0; i < btfc_type_vlen(t); i++, pa++) {
			err = order_type(d, pa->type, through_ptr);
			if (err < 0)
				return err;
			strong |= err > 0;
		}
		return strong;
	}
	default: /* FUNC, VAR, DATASEC, DECL_TAG: not written */
		s->order = ORDERED;
		return 0;
	}
}

static int order_type(struct dc *d, uint32_t id, bool through_ptr)
{
	if (!enter(d, id))
		return d->err;
	int r = order_type_(d, id, through_ptr);
	d->depth--;
	return r;
}

/* ---- pass 2: emit ---- */

static void emit_type_decl(struct dc *d, uint32_t id, const char *fname, int lvl);
static void emit_struct_def(struct dc *d, uint32_t id, int lvl);
static void emit_enum_def(struct dc *d, uint32_t id, int lvl);

static void emit_struct_fwd(struct dc *d, uint32_t id)
{
	const struct btfc_type *t = d->t[id];
	p(d, kind(t) == BTFC_KIND_STRUCT ? "struct" : "union");
	if (t->name_off)
		p(d, " ");
	p(d, type_name(d, id));
}

static void emit_fwd_def(struct dc *d, uint32_t id)
{
	const char *name = type_name(d, id);
	p(d, btfc_type_kflag(d->t[id]) ? "union " : "struct ");
	p(d, name);
}

static void emit_enum_fwd(struct dc *d, uint32_t id)
{
	const char *name = type_name(d, id);
	p(d, "enum ");
	p(d, name);
}

static void emit_typedef_def(struct dc *d, uint32_t id, int lvl)
{
	const struct btfc_type *t = d->t[id];
	const char *name = ident_name(d, id);

	/* old GCC's typedef of __gnuc_va_list to void */
	if (!t->type && !strcmp(name, "__gnuc_va_list")) {
		p(d, "typedef __builtin_va_list __gnuc_va_list");
		return;
	}
	p(d, "typedef ");
	emit_type_decl(d, t->type, name, lvl);
}

/* __builtin_va_list is the compiler's own: never redefined */
static bool is_blacklisted(struct dc *d, uint32_t id)
{
	const struct btfc_type *t = d->t[id];
	return t->name_off && !strcmp(str(d, t->name_off), "__builtin_va_list");
}

/* GCC's typedefs to its internal __PolyN_t types (Arm SIMD), aliased to standard types */
static void emit_missing_aliases(struct dc *d, uint32_t id)
{
	static const char *const alias[][2] = {
		{ "__Poly8_t", "unsigned char" },
		{ "__Poly16_t", "unsigned short" },
		{ "__Poly64_t", "unsigned long long" },
		{ "__Poly128_t", "unsigned __int128" },
	};
	const char *name = type_name(d, id); /* sic: counts INT names with struct names */

	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(name, alias[i][0])) {
			p(d, "typedef ");
			p(d, alias[i][1]);
			p(d, " ");
			p(d, name);
			p(d, ";\n\n");
			break;
		}
}

static void emit_type(struct dc *d, uint32_t id, uint32_t cont_id);

static void emit_type_(struct dc *d, uint32_t id, uint32_t cont_id)
{
	struct tstate *s = &d->st[id];
	const struct btfc_type *t = d->t[id];
	bool top = cont_id == 0;

	if (s->emit == EMITTED)
		return;
	if (s->emit == EMITTING) {
		/* met again while being written: a forward declaration, once */
		if (s->fwd_emitted)
			return;
		switch (kind(t)) {
		case BTFC_KIND_STRUCT:
		case BTFC_KIND_UNION:
			/* no forward declaration needed inside itself; anonymous loops cannot have one */
			if (id == cont_id || !t->name_off)
				return;
			emit_struct_fwd(d, id);
			p(d, ";\n\n");
			s->fwd_emitted = 1;
			break;
		case BTFC_KIND_TYPEDEF:
			/* the typedef itself serves as the forward declaration (for pointers) */
			if (!is_blacklisted(d, id)) {
				emit_typedef_def(d, id, 0);
				p(d, ";\n\n");
			}
			s->fwd_emitted = 1;
			break;
		}
		return;
	}

	switch (kind(t)) {
	case BTFC_KIND_INT:
		emit_missing_aliases(d, id);
		s->emit = EMITTED;
		break;
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
		if (top) {
			emit_enum_def(d, id, 0);
			p(d, ";\n\n");
		}
		s->emit = EMITTED;
		break;
	case BTFC_KIND_PTR:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_CONST:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_TYPE_TAG:
		emit_type(d, t->type, cont_id);
		break;
	case BTFC_KIND_ARRAY:
		emit_type(d, ((const struct btfc_array *)btfc_type_data(t))->type, cont_id);
		break;
	case BTFC_KIND_FWD:
		emit_fwd_def(d, id);
		p(d, ";\n\n");
		s->emit = EMITTED;
		break;
	case BTFC_KIND_TYPEDEF:
		s->emit = EMITTING;
		emit_type(d, t->type, id);
		if (!s->fwd_emitted && !is_blacklisted(d, id)) {
			emit_typedef_def(d, id, 0);
			p(d, ";\n\n");
		}
		s->emit = EMITTED;
		break;
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
		s->emit = EMITTING;
		/* written in full (top level, or anonymous inline): its members' types first */
		if (top || !t->name_off) {
			const struct btfc_member *m = btfc_type_data(t);
			uint32_t new_cont = t->name_off ? id : cont_id;
			for (unsigned i = 0; i < btfc_type_vlen(t); i++, m++)
				emit_type(d, m->type, new_cont);
		} else if (!s->fwd_emitted && id != cont_id) {
			emit_struct_fwd(d, id);
			p(d, ";\n\n");
			s->fwd_emitted = 1;
		}
		if (top) {
			emit_struct_def(d, id, 0);
			p(d, ";\n\n");
			s->emit = EMITTED;
		} else {
			s->emit = NOT_EMITTED;
		}
		break;
	case BTFC_KIND_FUNC_PROTO: {
		const struct btfc_param *pa = btfc_type_data(t);
		emit_type(d, t->type, cont_id);
		for (unsigned i = 0; i < btfc_type_vlen(t); i++, pa++)
			emit_type(d, pa->type, cont_id);
		break;
	}
	}
}

static void emit_type(struct dc *d, uint32_t id, uint32_t cont_id)
{
	if (d->err || !enter(d, id))
		return;
	emit_type_(d, id, cont_id);
	d->depth--;
}

/*
 * Explicit padding from bit @cur to bit @next: the widest of long, int, short,
 * char that reaches an aligned boundary within the gap, then whole units of
 * it, then the smallest type that holds the rest.
 */
static void emit_bit_padding(struct dc *d, uint32_t id, int64_t cur, int64_t next, int next_align,
			     bool in_bitfield, int lvl)
{
	const struct {
		const char *name;
		int bits;
	} pads[] = {
		{ "long", d->ptr_sz * 8 },
		{ "int", 32 },
		{ "short", 16 },
		{ "char", 8 },
	};
	int64_t new_off = 0;
	int pad_bits = 0, i;
	const char *pad_type = NULL;

	if (cur >= next)
		return;
	if ((d->pad_bits += next - cur) > MAX_PAD_BITS) {
		fail(d, -E2BIG, "type [%u]: more padding between members than any real BTF has",
		     id);
		return;
	}
	for (i = 0; i < 4; i++) {
		pad_bits = pads[i].bits;
		pad_type = pads[i].name;
		new_off = (cur + pad_bits - 1) / pad_bits * pad_bits;
		if (new_off <= next)
			break;
	}
	if (new_off > cur && new_off <= next) {
		/* bpftool divides by a zero alignment here (a member of type void, FWD or FUNC_PROTO) */
		if (!in_bitfield && new_off == next && next_align <= 0) {
			fail(d, -EINVAL, "type [%u]: a member's type has no size or alignment", id);
			return;
		}
		/*
		 * An explicit `<type>: 0` when the next member sits on the boundary but its
		 * own alignment would not take it there, or when `<type>: X` would fit the
		 * hole before the boundary; in a run of bitfields the bit count itself.
		 */
		if (in_bitfield ||
		    (new_off == next &&
		     (cur + next_align * 8 - 1) / (next_align * 8) * (next_align * 8) != new_off) ||
		    (new_off != next && next - new_off <= new_off - cur)) {
			p(d, "\n");
			pfx(d, lvl);
			p(d, pad_type);
			p(d, ": ");
			pi(d, in_bitfield ? new_off - cur : 0);
			p(d, ";");
		}
		cur = new_off;
	}
	while (cur != next) {
		int64_t bits = next - cur < pad_bits ? next - cur : pad_bits;
		if (bits == pad_bits) {
			p(d, "\n");
			pfx(d, lvl);
			p(d, pad_type);
			p(d, ": ");
			pi(d, pad_bits);
			p(d, ";");
			cur += bits;
			continue;
		}
		/* the rest: the smallest type that holds it */
		for (i = 3; i >= 0; i--) {
			pad_type = pads[i].name;
			pad_bits = pads[i].bits;
			if (pad_bits < bits)
				continue;
			p(d, "\n");
			pfx(d, lvl);
			p(d, pad_type);
			p(d, ": ");
			pi(d, bits);
			p(d, ";");
			cur += bits;
			break;
		}
	}
}

static void emit_struct_def(struct dc *d, uint32_t id, int lvl)
{
	const struct btfc_type *t = d->t[id];
	const struct btfc_member *m = btfc_type_data(t);
	bool is_struct = kind(t) == BTFC_KIND_STRUCT, prev_bitfield = false;
	unsigned vlen = btfc_type_vlen(t);
	int align = align_of(d, id);
	bool packed = is_struct && is_packed(d, t);
	int64_t off = 0;

	emit_struct_fwd(d, id);
	p(d, " {");
	for (unsigned i = 0; i < vlen && !d->err; i++, m++) {
		int64_t m_sz = m_bitsize(t, m), m_off = m_bitoff(t, m);
		int m_align = packed ? 1 : align_of(d, m->type);
		bool in_bitfield = prev_bitfield && m_sz;

		emit_bit_padding(d, id, off, m_off, m_align, in_bitfield, lvl + 1);
		p(d, "\n");
		pfx(d, lvl + 1);
		emit_type_decl(d, m->type, str(d, m->name_off), lvl + 1);
		if (m_sz) {
			p(d, ": ");
			pi(d, m_sz);
			off = m_off + m_sz;
			prev_bitfield = true;
		} else {
			int64_t sz = resolve_size(d, m->type);
			/* sic: libbpf keeps the size in an int */
			off = m_off + (int64_t)(int32_t)(sz > 0 ? sz : 0) * 8;
			prev_bitfield = false;
		}
		p(d, ";");
	}
	if (is_struct)
		emit_bit_padding(d, id, off, (int64_t)t->size * 8, align, false, lvl + 1);
	/* `struct empty {}` stays on one line */
	if (vlen || t->size) {
		p(d, "\n");
		pfx(d, lvl);
	}
	p(d, "}");
	if (packed)
		p(d, " __attribute__((packed))");
}

static void emit_enum_def(struct dc *d, uint32_t id, int lvl)
{
	const struct btfc_type *t = d->t[id];
	unsigned vlen = btfc_type_vlen(t);
	bool sgn = btfc_type_kflag(t), is64 = kind(t) == BTFC_KIND_ENUM64;

	p(d, t->name_off ? "enum " : "enum");
	p(d, type_name(d, id));
	if (!vlen)
		return;
	p(d, " {");
	for (unsigned i = 0; i < vlen; i++) {
		uint32_t name_off;
		uint64_t val = btfci_enum_val(t, i, sgn, &name_off);
		const char *name = str(d, name_off);
		/* enumerators share the typedefs' name space; counted at every definition */
		uint32_t dups = name_dups(&d->ident_names, name);
		p(d, "\n");
		pfx(d, lvl + 1);
		p(d, name);
		if (dups > 1) {
			p(d, "___");
			pu(d, dups);
		}
		p(d, " = ");
		if (sgn)
			pi(d, (int64_t)val);
		else
			pu(d, val);
		p(d, is64 ? (sgn ? "LL," : "ULL,") : ",");
	}
	p(d, "\n");
	pfx(d, lvl);
	p(d, "}");
	/*
	 * Enums of 1 or 8 bytes get their size as a mode attribute since libbpf 1.2 (bpftool 7.5 and
	 * later); Debian 12's 6.1 bpftool has none. An 8-byte enum needs mode(word) unless one of its
	 * values does not fit 32 bits (the compiler widens it by itself).
	 */
	if (d->style == BTFC_DUMP_C_7_1)
		return;
	if (t->size == 1) {
		p(d, " __attribute__((mode(byte)))");
	} else if (t->size == 8 && d->ptr_sz == 8) {
		bool word = true;
		for (unsigned i = 0; is64 && i < vlen; i++)
			if (((const struct btfc_enum64 *)btfc_type_data(t))[i].val_hi32)
				word = false;
		if (word)
			p(d, " __attribute__((mode(word)))");
	}
}

/* ---- declarations: a chain of types written as C's inside-out syntax ---- */

struct id_stack {
	const uint32_t *ids;
	uint32_t cnt;
};

static void emit_type_chain(struct dc *d, struct id_stack *decls, const char *fname, int lvl);

/* const/volatile/restrict on top of the stack, written before the type they qualify */
static void emit_mods(struct dc *d, struct id_stack *decls)
{
	while (decls->cnt) {
		const struct btfc_type *t = d->t[decls->ids[decls->cnt - 1]];
		switch (kind(t)) {
		case BTFC_KIND_VOLATILE:
			p(d, "volatile ");
			break;
		case BTFC_KIND_CONST:
			p(d, "const ");
			break;
		case BTFC_KIND_RESTRICT:
			p(d, "restrict ");
			break;
		default:
			return;
		}
		decls->cnt--;
	}
}

/* GCC's extra qualifiers on arrays and noreturn function pointers: dropped */
static void drop_mods(struct dc *d, struct id_stack *decls)
{
	while (decls->cnt && is_mod(d->t[decls->ids[decls->cnt - 1]]))
		decls->cnt--;
}

static void emit_name(struct dc *d, const char *name, bool last_was_ptr)
{
	if (name[0] && !last_was_ptr)
		p(d, " ");
	p(d, name);
}

static void emit_type_decl(struct dc *d, uint32_t id, const char *fname, int lvl)
{
	uint32_t start = d->decl_cnt;

	if (d->err || !enter(d, id))
		return;
	for (uint32_t len = 0;; len++) {
		if (len > MAX_DEPTH) {
			fail(d, -ELOOP, "type [%u]: type chain too long or cyclic for C", id);
			break;
		}
		if (d->decl_cnt == d->decl_cap) {
			uint32_t cap = d->decl_cap ? d->decl_cap * 2 : 64;
			uint32_t *s = realloc(d->decl, cap * sizeof(*s));
			if (!s) {
				fail(d, -ENOMEM, "type [%u]: out of memory", id);
				break;
			}
			d->decl = s;
			d->decl_cap = cap;
		}
		d->decl[d->decl_cnt++] = id;
		if (!id)
			break;
		const struct btfc_type *t = d->t[id];
		switch (kind(t)) {
		case BTFC_KIND_PTR:
		case BTFC_KIND_VOLATILE:
		case BTFC_KIND_CONST:
		case BTFC_KIND_RESTRICT:
		case BTFC_KIND_FUNC_PROTO:
		case BTFC_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTFC_KIND_ARRAY:
			id = ((const struct btfc_array *)btfc_type_data(t))->type;
			continue;
		}
		break; /* a named or terminal type (or one C has no syntax for) */
	}
	/* a frame of the shared stack: nested declarations (function arguments) push above it */
	struct id_stack decls = { d->decl + start, d->decl_cnt - start };
	emit_type_chain(d, &decls, fname, lvl);
	d->decl_cnt = start;
	d->depth--;
}

static void emit_type_chain(struct dc *d, struct id_stack *decls, const char *fname, int lvl)
{
	/* `int ***`, not `int * * *`; a lone pointer before a function is `(*f)` */
	bool last_was_ptr = true;

	while (decls->cnt && !d->err) {
		uint32_t id = decls->ids[--decls->cnt];
		if (!id) {
			emit_mods(d, decls);
			p(d, "void");
			last_was_ptr = false;
			continue;
		}
		const struct btfc_type *t = d->t[id];
		unsigned k = kind(t);
		switch (k) {
		case BTFC_KIND_INT:
		case BTFC_KIND_FLOAT:
			emit_mods(d, decls);
			p(d, str(d, t->name_off));
			break;
		case BTFC_KIND_STRUCT:
		case BTFC_KIND_UNION:
			emit_mods(d, decls);
			if (!t->name_off) /* anonymous: inline */
				emit_struct_def(d, id, lvl);
			else
				emit_struct_fwd(d, id);
			break;
		case BTFC_KIND_ENUM:
		case BTFC_KIND_ENUM64:
			emit_mods(d, decls);
			if (!t->name_off)
				emit_enum_def(d, id, lvl);
			else
				emit_enum_fwd(d, id);
			break;
		case BTFC_KIND_FWD:
			emit_mods(d, decls);
			emit_fwd_def(d, id);
			break;
		case BTFC_KIND_TYPEDEF:
			emit_mods(d, decls);
			p(d, ident_name(d, id));
			break;
		case BTFC_KIND_PTR:
			p(d, last_was_ptr ? "*" : " *");
			break;
		case BTFC_KIND_VOLATILE:
			p(d, " volatile");
			break;
		case BTFC_KIND_CONST:
			p(d, " const");
			break;
		case BTFC_KIND_RESTRICT:
			p(d, " restrict");
			break;
		case BTFC_KIND_TYPE_TAG:
			emit_mods(d, decls);
			/* libbpf 1.6+: a tag with kind_flag is an attribute of its own (address_space(1)) */
			if (d->style >= BTFC_DUMP_C_7_8 && btfc_type_kflag(t)) {
				p(d, " __attribute__((");
				p(d, str(d, t->name_off));
				p(d, "))");
				break;
			}
			p(d, " __attribute__((btf_type_tag(\"");
			p(d, str(d, t->name_off));
			p(d, "\")))");
			break;
		case BTFC_KIND_ARRAY: {
			const struct btfc_array *a = btfc_type_data(t);
			drop_mods(d, decls);
			if (!decls->cnt) {
				emit_name(d, fname, last_was_ptr);
				p(d, "[");
				pu(d, a->nelems);
				p(d, "]");
				return;
			}
			bool multidim = kind(d->t[decls->ids[decls->cnt - 1]]) == BTFC_KIND_ARRAY;
			if (fname[0] && !last_was_ptr)
				p(d, " ");
			if (!multidim)
				p(d, "(");
			emit_type_chain(d, decls, fname, lvl);
			if (!multidim)
				p(d, ")");
			p(d, "[");
			pu(d, a->nelems);
			p(d, "]");
			return;
		}
		case BTFC_KIND_FUNC_PROTO: {
			const struct btfc_param *pa = btfc_type_data(t);
			unsigned vlen = btfc_type_vlen(t);
			drop_mods(d, decls);
			if (decls->cnt) {
				p(d, " (");
				emit_type_chain(d, decls, fname, lvl);
				p(d, ")");
			} else {
				emit_name(d, fname, last_was_ptr);
			}
			p(d, "(");
			/* no parameters, or clang's one void parameter: `f(void)` (libbpf's 6.1 stable fix) */
			if (!vlen || (vlen == 1 && !pa->type)) {
				p(d, "void)");
				return;
			}
			for (unsigned i = 0; i < vlen; i++, pa++) {
				if (i)
					p(d, ", ");
				/* a last parameter of type void: varargs */
				if (i == vlen - 1 && !pa->type) {
					p(d, "...");
					break;
				}
				emit_type_decl(d, pa->type, str(d, pa->name_off), lvl);
			}
			p(d, ")");
			return;
		}
		default: /* FUNC, VAR, DATASEC, DECL_TAG: nothing C can write here */
			return;
		}
		last_was_ptr = k == BTFC_KIND_PTR;
	}
	emit_name(d, fname, last_was_ptr);
}

/* ---- bpftool 7.5+: the types sorted, the kfunc prototypes ---- */

struct sort_key {
	uint32_t id;
	int rank;
	const char *sort_name, *own_name;
	uint64_t hash;
	uint64_t sort_pfx,
		own_pfx; /* the names' first 8 bytes, big-endian: strcmp's order, cheaper */
};

static uint64_t prefix(const char *s)
{
	uint64_t v = 0;
	int i = 0;
	for (; i < 8 && s[i]; i++)
		v = v << 8 | (uint8_t)s[i];
	return i ? v << (8 * (8 - i)) : 0; /* (a shift by 64 is undefined) */
}

/* bpftool's btf_type_rank: named enums, then ints/floats, structs, function prototypes, the rest */
static int sort_rank(struct dc *d, uint32_t id, bool has_name)
{
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btfc_type *t = d->t[id];
		has_name |= t->name_off != 0;
		switch (kind(t)) {
		case BTFC_KIND_ENUM:
		case BTFC_KIND_ENUM64:
			return has_name ? 1 : 0;
		case BTFC_KIND_INT:
		case BTFC_KIND_FLOAT:
			return 2;
		case BTFC_KIND_STRUCT:
		case BTFC_KIND_UNION:
			return has_name ? 3 : 10;
		case BTFC_KIND_FUNC_PROTO:
			return has_name ? 4 : 10;
		case BTFC_KIND_ARRAY:
			if (!has_name)
				return 10;
			id = ((const struct btfc_array *)btfc_type_data(t))->type;
			continue;
		case BTFC_KIND_TYPE_TAG:
		case BTFC_KIND_CONST:
		case BTFC_KIND_PTR:
		case BTFC_KIND_VOLATILE:
		case BTFC_KIND_RESTRICT:
		case BTFC_KIND_TYPEDEF:
		case BTFC_KIND_DECL_TAG:
			if (!has_name)
				return 10;
			id = t->type;
			continue;
		default:
			return 10;
		}
	}
	fail(d, -ELOOP, "type [%u]: type chain too deep or cyclic for C", id);
	return 10;
}

/* bpftool's btf_type_sort_name: the name of what a chain ends in; an anonymous enum's first enumerator's */
static const char *sort_name(struct dc *d, uint32_t id)
{
	bool from_ref = false;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btfc_type *t = d->t[id];
		switch (kind(t)) {
		case BTFC_KIND_ENUM:
		case BTFC_KIND_ENUM64: {
			uint32_t off = t->name_off;
			if (!from_ref && !off && btfc_type_vlen(t))
				btfci_enum_val(t, 0, false, &off);
			return str(d, off);
		}
		case BTFC_KIND_ARRAY:
			id = ((const struct btfc_array *)btfc_type_data(t))->type;
			from_ref = true;
			continue;
		case BTFC_KIND_TYPE_TAG:
		case BTFC_KIND_CONST:
		case BTFC_KIND_PTR:
		case BTFC_KIND_VOLATILE:
		case BTFC_KIND_RESTRICT:
		case BTFC_KIND_TYPEDEF:
		case BTFC_KIND_DECL_TAG:
			id = t->type;
			from_ref = true;
			continue;
		default:
			return str(d, t->name_off);
		}
	}
	fail(d, -ELOOP, "type [%u]: type chain too deep or cyclic for C", id);
	return "";
}

/* libbpf's str_hash (a plain char: signed here, as on x86-64) and bpftool's h * 31 + v */
static uint64_t name_hash(struct dc *d, uint64_t h, uint32_t off)
{
	uint64_t sh = 0;
	if (!off)
		return h;
	for (const char *c = str(d, off); *c; c++)
		sh = sh * 31 + (uint64_t)(int64_t)(signed char)*c;
	return h * 31 + sh;
}

/* bpftool's btf_type_disambig_hash: names (and members' names and types) down a chain */
static uint64_t disambig_hash(struct dc *d, uint32_t id, bool members)
{
	const struct btfc_type *t = d->t[id];
	uint64_t h;

	if (d->dknown[id] & (1u << members))
		return d->dhash[members][id];
	h = name_hash(d, 0, t->name_off);
	if (d->err || !enter(d, id))
		return 0;
	switch (kind(t)) {
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
		for (unsigned i = 0; i < btfc_type_vlen(t); i++) {
			uint32_t off;
			btfci_enum_val(t, i, false, &off);
			h = name_hash(d, h, off);
		}
		break;
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
		if (!members)
			break;
		for (unsigned i = 0; i < btfc_type_vlen(t); i++) {
			const struct btfc_member *m =
				(const struct btfc_member *)btfc_type_data(t) + i;
			h = name_hash(d, h, m->name_off);
			h = h * 31 + disambig_hash(d, m->type, false);
		}
		break;
	case BTFC_KIND_TYPE_TAG:
	case BTFC_KIND_CONST:
	case BTFC_KIND_PTR:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_DECL_TAG:
		h = h * 31 + disambig_hash(d, t->type, members);
		break;
	case BTFC_KIND_ARRAY: {
		const struct btfc_array *a = btfc_type_data(t);
		h = h * 31 + a->nelems;
		h = h * 31 + disambig_hash(d, a->type, members);
		break;
	}
	}
	d->depth--;
	d->dhash[members][id] = h;
	d->dknown[id] |= (uint8_t)(1u << members);
	return h;
}

static int sort_cmp(const void *l, const void *r)
{
	const struct sort_key *a = l, *b = r;
	int c;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->sort_pfx != b->sort_pfx)
		return a->sort_pfx < b->sort_pfx ? -1 : 1;
	if ((c = strcmp(a->sort_name, b->sort_name)))
		return c;
	if (a->own_pfx != b->own_pfx)
		return a->own_pfx < b->own_pfx ? -1 : 1;
	if ((c = strcmp(a->own_name, b->own_name)))
		return c;
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* every id (void too) in bpftool's order; NULL without memory */
static uint32_t *sorted_ids(struct dc *d)
{
	struct sort_key *k = malloc(d->n * sizeof(*k));
	uint32_t *ids = malloc(d->n * sizeof(*ids));

	d->dhash[0] = malloc(d->n * sizeof(uint64_t));
	d->dhash[1] = malloc(d->n * sizeof(uint64_t));
	d->dknown = calloc(d->n, 1);
	if (!k || !ids || !d->dhash[0] || !d->dhash[1] || !d->dknown) {
		free(k);
		free(ids);
		fail(d, -ENOMEM, "type [%u]: out of memory sorting", 0);
		return NULL;
	}
	for (uint32_t id = 0; id < d->n && !d->err; id++)
		k[id] = (struct sort_key){ id,
					   sort_rank(d, id, false),
					   sort_name(d, id),
					   str(d, d->t[id]->name_off),
					   disambig_hash(d, id, true),
					   0,
					   0 };
	for (uint32_t id = 0; id < d->n && !d->err; id++) {
		k[id].sort_pfx = prefix(k[id].sort_name);
		k[id].own_pfx = prefix(k[id].own_name);
	}
	if (d->err) {
		free(k);
		free(ids);
		return NULL;
	}
	qsort(k, d->n, sizeof(*k), sort_cmp);
	for (uint32_t i = 0; i < d->n; i++)
		ids[i] = k[i].id;
	free(k);
	return ids;
}

struct kfunc {
	const char *name;
	uint32_t func, seq;
	bool fastcall;
};

static int kfunc_name_cmp(const void *l, const void *r)
{
	const struct kfunc *a = l, *b = r;
	int c = strcmp(a->name, b->name);
	return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/*
 * bpftool's kfunc block: each FUNC with a "bpf_kfunc" declaration tag as `extern PROTOTYPE __weak
 * __ksym;`, in the tags' order (7.5) or by name with "bpf_fastcall" ones marked (7.8).
 */
static void emit_kfuncs(struct dc *d)
{
	struct kfunc *k = NULL;
	uint32_t n = 0, cap = 0;

	p(d, "\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n");
	for (uint32_t id = 1; id < d->n && !d->err; id++) {
		const struct btfc_type *t = d->t[id];
		if (kind(t) != BTFC_KIND_DECL_TAG ||
		    ((const struct btfc_decl_tag *)btfc_type_data(t))->component_idx != -1 ||
		    kind(d->t[t->type]) != BTFC_KIND_FUNC)
			continue;
		const char *tag = str(d, t->name_off);
		bool kf = !strcmp(tag, "bpf_kfunc"),
		     fc = d->style >= BTFC_DUMP_C_7_8 && !strcmp(tag, "bpf_fastcall");
		if (!kf && !fc)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct kfunc *nk = realloc(k, cap * sizeof(*k));
			if (!nk) {
				fail(d, -ENOMEM, "type [%u]: out of memory", id);
				break;
			}
			k = nk;
		}
		/* a fastcall tag: an entry without a name, until the kfuncs are marked */
		k[n] = (struct kfunc){ kf ? str(d, d->t[t->type]->name_off) : NULL, t->type, n,
				       false };
		n++;
	}
	/* mark the kfuncs tagged fastcall (either tag first), drop the fastcall entries */
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!k[i].name)
			for (uint32_t j = 0; j < n; j++)
				if (k[j].name && k[j].func == k[i].func)
					k[j].fastcall = true;
	for (uint32_t i = 0; i < n; i++)
		if (k[i].name)
			k[m++] = k[i];
	if (d->style >= BTFC_DUMP_C_7_8 && m > 1)
		qsort(k, m, sizeof(*k), kfunc_name_cmp);
	for (uint32_t i = 0; i < m && !d->err; i++) {
		p(d, "extern ");
		if (k[i].fastcall)
			p(d, "__bpf_fastcall ");
		emit_type_decl(d, d->t[k[i].func]->type, k[i].name, 0);
		p(d, " __weak __ksym;\n");
	}
	p(d, "#endif\n\n");
	free(k);
}

/* ---- setup ---- */

/* libbpf's pointer size: that of the first INT named like `long` of 4 or 8 bytes, else the host's (8) */
static int ptr_size(const struct dc *d)
{
	static const char *const longs[] = {
		"long",
		"long int",
		"int long",
		"unsigned long",
		"long unsigned",
		"unsigned long int",
		"unsigned int long",
		"long unsigned int",
		"long int unsigned",
		"int unsigned long",
		"int long unsigned",
	};
	for (uint32_t id = 1; id < d->n; id++) {
		const struct btfc_type *t = d->t[id];
		if (kind(t) != BTFC_KIND_INT || (t->size != 4 && t->size != 8))
			continue;
		const char *name = btfc_btf_str(d->btf, t->name_off);
		for (size_t j = 0; name && j < sizeof(longs) / sizeof(longs[0]); j++)
			if (!strcmp(name, longs[j]))
				return (int)t->size;
	}
	return 8; /* sic: bpftool's sizeof(void *) on x86-64 */
}

/*
 * Index every type, check that every type id it refers to exists (so the
 * passes above trust the data; libbpf 1.1 writes out of bounds), and mark the types referred to by
 * another: an anonymous enum nobody uses is a top-level declaration.
 */
static int check_refs(struct dc *d)
{
	d->t[0] = &void_type;
	for (uint32_t id = 1; id < d->n; id++)
		d->t[id] = btfc_btf_type_by_id(d->btf, id);
	for (uint32_t id = 1; id < d->n; id++) {
		/* the iterator's fields are only read here */
		struct btfc_type *t = (struct btfc_type *)d->t[id];
		struct btfci_field_iter it;

		for (uint32_t *f = btfci_field_first(&it, t, BTFCI_FIELD_IDS); f;
		     f = btfci_field_next(&it)) {
			if (*f >= d->n && it.member)
				return fail(d, -EINVAL,
					    "type [%u]: a member refers to a type id out of range",
					    id);
			if (*f >= d->n)
				return fail(d, -EINVAL,
					    "type [%u]: refers to a type id out of range", id);
			/* sic: a FUNC_PROTO's return type is not marked */
			if (it.member || kind(t) != BTFC_KIND_FUNC_PROTO)
				d->st[*f].referenced = 1;
		}
	}
	d->st[0].order = ORDERED;
	d->st[0].emit = EMITTED;
	return 0;
}

BTFC_API int btfc_btf_dump_c_roots(struct btfc_ctx *ctx, const struct btfc_btf *btf, int fd,
				   unsigned flags, const uint32_t *roots, size_t nroots)
{
	struct dc d = { .ctx = ctx, .btf = btf, .n = btfc_btf_type_cnt(btf) };
	uint32_t *order = NULL;
	int err;

	/* bpftool's checks, before anything is written */
	for (size_t i = 0; i < nroots; i++) {
		if (roots[i] >= d.n)
			return btfci_err(ctx, -EINVAL, btfc_btf_name(btf), "invalid root ID: %u",
					 roots[i]);
		for (size_t j = 0; j < i; j++)
			if (roots[j] == roots[i])
				return btfci_err(ctx, -EINVAL, btfc_btf_name(btf),
						 "duplicate root_id %u supplied", roots[i]);
	}

	if ((flags & ~(BTFC_DUMP_C_STYLE_MASK | BTFC_DUMP_C_UNSORTED)) ||
	    (flags & BTFC_DUMP_C_STYLE_MASK) > BTFC_DUMP_C_7_8)
		return btfci_err(ctx, -EINVAL, btfc_btf_name(btf), "unknown dump flags %#x", flags);
	d.style = flags & BTFC_DUMP_C_STYLE_MASK;
	d.o = malloc(sizeof(*d.o));
	d.t = malloc(d.n * sizeof(*d.t));
	d.st = calloc(d.n, sizeof(*d.st));
	d.dup_name = calloc(d.n, sizeof(*d.dup_name));
	d.align = calloc(d.n, 1);
	if (!d.o || !d.t || !d.st || !d.dup_name || !d.align) {
		err = btfci_err(ctx, -ENOMEM, btfc_btf_name(btf), "out of memory for %u types",
				d.n);
		goto out;
	}
	if ((err = check_refs(&d)))
		goto out;
	d.ptr_sz = ptr_size(&d);
	out_init(d.o, fd, OUT_TEXT);
	p(&d,
	  "#ifndef __VMLINUX_H__\n"
	  "#define __VMLINUX_H__\n"
	  "\n"
	  "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	  "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
	  "#endif\n\n");
	if (d.style >= BTFC_DUMP_C_7_5)
		p(&d, "#ifndef __ksym\n"
		      "#define __ksym __attribute__((section(\".ksyms\")))\n"
		      "#endif\n\n"
		      "#ifndef __weak\n"
		      "#define __weak __attribute__((weak))\n"
		      "#endif\n\n");
	if (d.style >= BTFC_DUMP_C_7_8)
		p(&d, "#ifndef __bpf_fastcall\n"
		      "#if __has_attribute(bpf_fastcall)\n"
		      "#define __bpf_fastcall __attribute__((bpf_fastcall))\n"
		      "#else\n"
		      "#define __bpf_fastcall\n"
		      "#endif\n"
		      "#endif\n\n");
	/* 7.5+: bpftool's sorted order (sic: whatever sorts first, usually an anonymous enum, is skipped) */
	if (d.style >= BTFC_DUMP_C_7_5 && !(flags & BTFC_DUMP_C_UNSORTED) && !nroots)
		order = sorted_ids(&d);
	/*
	 * every type in id order (a split BTF's base too), or the roots in the order given, each with
	 * what it needs first
	 */
	uint32_t cnt = nroots ? (uint32_t)nroots : d.n - 1;
	for (uint32_t i = 0; i < cnt && !d.err; i++) {
		uint32_t id = nroots ? roots[i] : order ? order[i + 1] : i + 1;
		d.queue_cnt = 0;
		if (order_type(&d, id, false) < 0)
			break;
		for (uint32_t j = 0; j < d.queue_cnt && !d.err; j++)
			emit_type(&d, d.queue[j], 0);
	}
	/* the kfunc prototypes of the whole BTF (not with roots, as bpftool) */
	if (d.style >= BTFC_DUMP_C_7_5 && !nroots && !d.err)
		emit_kfuncs(&d);
	/* sic: on an error bpftool stops where it is, without the footer */
	if (!d.err)
		p(&d, "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
		      "#pragma clang attribute pop\n"
		      "#endif\n"
		      "\n"
		      "#endif /* __VMLINUX_H__ */\n");
	err = out_flush(d.o);
	if (d.err)
		err = d.err;
out:
	for (uint32_t i = 0; d.dup_name && i < d.n; i++)
		free(d.dup_name[i]);
	free(d.dup_name);
	free(d.type_names.key);
	free(d.type_names.cnt);
	free(d.ident_names.key);
	free(d.ident_names.cnt);
	free(order);
	free(d.dhash[0]);
	free(d.dhash[1]);
	free(d.dknown);
	free(d.queue);
	free(d.decl);
	free(d.st);
	free(d.align);
	free(d.t);
	free(d.o);
	return err;
}

BTFC_API int btfc_btf_dump_c(struct btfc_ctx *ctx, const struct btfc_btf *btf, int fd,
			     unsigned flags)
{
	return btfc_btf_dump_c_roots(ctx, btf, fd, flags, NULL, 0);
}
