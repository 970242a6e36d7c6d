// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * validate: the checks of the kernel's BTF verifier (kernel/bpf/btf.c), in the
 * kernel's phases, with the kernel's messages.
 *
 *   header -> string section -> every type's meta -> [resolve] -> type tags -> [struct metas]
 *
 * One table row per kind (struct kind_ops) holds that kind's checks, as in the
 * kernel. Which phases run depends on the kernel path being modelled (the
 * profile): bpf(BPF_BTF_LOAD) runs all of them, the module loader and the boot
 * parse of vmlinux stop before "resolve". Messages are formatted only on
 * failure: the kernel's verbose trace of accepted types is not reproduced.
 *
 * This is an independent implementation written from reading the kernel
 * source; the message texts are the kernel's, so users can grep for them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_int.h"

#define ENOTSUPP 524 /* kernel-internal errno, returned as is by bpf() */
#define BTF_MAX_TYPE 0x000fffff
#define BTF_MAX_NAME_OFFSET 0x00ffffff
#define BTF_MAX_SIZE (16 * 1024 * 1024)
#define MAX_RESOLVE_DEPTH 32
#define KSYM_NAME_LEN 512
#define BTF_INFO_MASK 0x9f00ffff
#define BTF_INT_MASK 0x0fffffff

enum phase { CHECK_META, CHECK_TYPE };
enum state { NOT_VISITED, VISITED, RESOLVED };
enum mode { RESOLVE_TBD, RESOLVE_PTR, RESOLVE_STRUCT_OR_ARRAY };

struct vertex {
	const struct btfc_type *t;
	uint32_t id;
	uint32_t next_member;
};

struct env {
	struct btfc_verdict *v;
	struct btfci_str msg, context, note; /* v's strings while they are built */
	enum btfc_profile profile;
	bool tag_kflag; /* >= 6.14: kind_flag allowed on TYPE_TAG and DECL_TAG */
	bool section_is_identifier; /* 6.1: DATASEC names follow the identifier rule */
	bool v7_2; /* >= 7.2: layout section, 24-bit vlen, 7-bit kind, no btf_info mask, tags anywhere */
	uint32_t ptr_size; /* the kernel's sizeof(void *) */
	const struct btfc_btf *base;
	const uint8_t *data; /* the blob, 4-aligned type section */
	uint32_t size;
	struct btfc_header hdr; /* zero-extended when hdr_len < 24 */
	const uint8_t *nohdr;
	const char *strings;
	uint32_t start_id, start_str_off;
	const struct btfc_type *
		*types; /* kernel numbering: [id - start_id]; [0] is void when standalone */
	uint32_t nr_types, types_cap;
	uint32_t *rsize, *rid;
	uint8_t *state;
	const uint32_t *base_rid,
		*base_rsize; /* the base's own resolution (bpf profile of split BTF) */
	struct vertex stack[MAX_RESOLVE_DEPTH];
	int top;
	enum mode mode;
	enum phase phase;
	uint32_t log_type_id;
};

static const struct btfc_type btf_void; /* id 0: kind UNKN, never a record in the blob */

/* ---------------------------------------------------------------------- */
/* kernel ctype (lib/ctype.c): Latin-1 letters count as letters            */

static bool k_isalpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= 192 && c != 215 && c != 247);
}

static bool k_isdigit(unsigned char c) { return c >= '0' && c <= '9'; }

static bool k_isprint(unsigned char c) { return (c >= 32 && c <= 126) || c >= 160; }

/* ---------------------------------------------------------------------- */
/* types and strings, as the kernel sees them during verification          */

/*
 * 7.2's BTF_INFO_KIND() and BTF_INFO_VLEN(). Older kernels reject every bit
 * outside 0x9f00ffff first ("Invalid btf_info"), so for the types they get to
 * see the wider fields read the same.
 */
static unsigned kind_of(const struct btfc_type *t) { return (t->info >> 24) & 0x7f; }
static unsigned vlen_of(const struct btfc_type *t) { return t->info & 0xffffff; }
static bool is_modifier(const struct btfc_type *t)
{
	switch (kind_of(t)) {
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_CONST:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_TYPE_TAG:
		return true;
	}
	return false;
}
static bool is_void(const struct btfc_type *t) { return t == &btf_void; }
static bool is_struct(const struct btfc_type *t)
{
	return kind_of(t) == BTFC_KIND_STRUCT || kind_of(t) == BTFC_KIND_UNION;
}
static bool is_kind(const struct btfc_type *t, unsigned k) { return kind_of(t) == k; }
static bool is_resolve_source_only(const struct btfc_type *t)
{
	return is_kind(t, BTFC_KIND_VAR) || is_kind(t, BTFC_KIND_DECL_TAG) ||
	       is_kind(t, BTFC_KIND_DATASEC);
}
static bool needs_resolve(const struct btfc_type *t)
{
	return is_modifier(t) || is_kind(t, BTFC_KIND_PTR) || is_struct(t) ||
	       is_kind(t, BTFC_KIND_ARRAY) || is_kind(t, BTFC_KIND_VAR) ||
	       is_kind(t, BTFC_KIND_FUNC) || is_kind(t, BTFC_KIND_DECL_TAG) ||
	       is_kind(t, BTFC_KIND_DATASEC);
}
static bool has_size(const struct btfc_type *t)
{
	switch (kind_of(t)) {
	case BTFC_KIND_INT:
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
	case BTFC_KIND_ENUM:
	case BTFC_KIND_DATASEC:
	case BTFC_KIND_FLOAT:
	case BTFC_KIND_ENUM64:
		return true;
	}
	return false;
}
static bool nosize(const struct btfc_type *t)
{
	return is_void(t) || is_kind(t, BTFC_KIND_FWD) || is_kind(t, BTFC_KIND_FUNC) ||
	       is_kind(t, BTFC_KIND_FUNC_PROTO) || is_kind(t, BTFC_KIND_DECL_TAG);
}
static bool nosize_or_null(const struct btfc_type *t) { return !t || nosize(t); }
static uint32_t int_data(const struct btfc_type *t) { return *(const uint32_t *)btfc_type_data(t); }
static uint32_t int_bits(uint32_t d) { return d & 0xff; }
static uint32_t int_offset(uint32_t d) { return (d >> 16) & 0xff; }
static uint32_t int_encoding(uint32_t d) { return (d >> 24) & 0x0f; }
/* BITS_ROUNDUP_BYTES() */
static uint32_t roundup_bytes(uint32_t bits) { return (bits >> 3) + !!(bits & 7); }
static uint32_t member_bit_offset(const struct btfc_type *s, const struct btfc_member *m)
{
	return btfc_type_kflag(s) ? m->offset & 0xffffff : m->offset;
}

static const struct btfc_type *type_by_id(const struct env *e, uint32_t id)
{
	if (id < e->start_id)
		return id ? btfc_btf_type_by_id(e->base, id) : &btf_void;
	id -= e->start_id;
	return id < e->nr_types ? e->types[id] : NULL;
}

static bool name_offset_valid(const struct env *e, uint32_t off)
{
	if (off > BTF_MAX_NAME_OFFSET)
		return false;
	if (off < e->start_str_off)
		return btfc_btf_str(e->base, off) != NULL;
	return off - e->start_str_off < e->hdr.str_len;
}

static const char *str_by_offset(const struct env *e, uint32_t off)
{
	if (off < e->start_str_off)
		return btfc_btf_str(e->base, off);
	off -= e->start_str_off;
	return off < e->hdr.str_len ? e->strings + off : NULL;
}

static const char *name_by_offset(const struct env *e, uint32_t off)
{
	const char *s;

	if (!off)
		return "(anon)";
	s = str_by_offset(e, off);
	return s ? s : "(invalid-name-offset)";
}

/* The kernel's loops, including its 512-byte limit that lets a 512-char name pass. */
static bool name_valid_identifier(const struct env *e, uint32_t off)
{
	const unsigned char *s = (const unsigned char *)str_by_offset(e, off), *limit;

	if (!k_isalpha(*s) && *s != '_' && *s != '.')
		return false;
	limit = s + KSYM_NAME_LEN;
	for (s++; *s && s < limit; s++)
		if (!k_isalpha(*s) && !k_isdigit(*s) && *s != '_' && *s != '.')
			return false;
	return !*s;
}

static bool name_valid_section(const struct env *e, uint32_t off)
{
	const unsigned char *s = (const unsigned char *)str_by_offset(e, off), *limit;

	if (!*s)
		return false;
	for (limit = s + KSYM_NAME_LEN; *s && s < limit; s++)
		if (!k_isprint(*s))
			return false;
	return !*s;
}

/* ---------------------------------------------------------------------- */
/* messages                                                                 */

/* Give @v its strings (copies; they may point into its old ones). */
static int verdict_strs(struct btfc_verdict *v, const char *msg, const char *context,
			const char *note)
{
	return btfci_strs_set(&v->priv_, 3,
			      (const char **const[]){ &v->msg, &v->context, &v->note },
			      (const char *const[]){ msg, context, note });
}

/* The kind's log_details(): what follows "[id] KIND name " in the kernel's log. */
static void log_details(const struct env *e, const struct btfc_type *t, struct btfci_str *b)
{
	switch (kind_of(t)) {
	case BTFC_KIND_INT: {
		uint32_t d = int_data(t);
		btfci_str_addf(b, "size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size,
			       int_offset(d), int_bits(d),
			       btfci_int_encoding_name(int_encoding(d)));
		break;
	}
	case BTFC_KIND_PTR:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_CONST:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_TYPE_TAG:
	case BTFC_KIND_FUNC:
		btfci_str_addf(b, "type_id=%u", t->type);
		break;
	case BTFC_KIND_FWD:
		btfci_str_addf(b, "%s", btfc_type_kflag(t) ? "union" : "struct");
		break;
	case BTFC_KIND_ARRAY: {
		const struct btfc_array *a = btfc_type_data(t);
		btfci_str_addf(b, "type_id=%u index_type_id=%u nr_elems=%u", a->type, a->index_type,
			       a->nelems);
		break;
	}
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
	case BTFC_KIND_DATASEC:
		btfci_str_addf(b, "size=%u vlen=%u", t->size, vlen_of(t));
		break;
	case BTFC_KIND_FUNC_PROTO: {
		const struct btfc_param *p = btfc_type_data(t);
		unsigned n = vlen_of(t);
		btfci_str_addf(b, "return=%u args=(", t->type);
		if (!n) {
			btfci_str_addf(b, "void");
		} else if (n == 1 && !p[0].type) {
			btfci_str_addf(b, "vararg");
		} else {
			btfci_str_addf(b, "%u %s", p[0].type, name_by_offset(e, p[0].name_off));
			for (unsigned i = 1; i + 1 < n; i++)
				btfci_str_addf(b, ", %u %s", p[i].type,
					       name_by_offset(e, p[i].name_off));
			if (n > 1) {
				if (p[n - 1].type)
					btfci_str_addf(b, ", %u %s", p[n - 1].type,
						       name_by_offset(e, p[n - 1].name_off));
				else
					btfci_str_addf(b, ", vararg");
			}
		}
		btfci_str_addf(b, ")");
		break;
	}
	case BTFC_KIND_VAR:
		btfci_str_addf(b, "type_id=%u linkage=%u", t->type,
			       ((const struct btfc_var *)btfc_type_data(t))->linkage);
		break;
	case BTFC_KIND_FLOAT:
		btfci_str_addf(b, "size=%u", t->size);
		break;
	case BTFC_KIND_DECL_TAG:
		btfci_str_addf(b, "type=%u component_idx=%d", t->type,
			       ((const struct btfc_decl_tag *)btfc_type_data(t))->component_idx);
		break;
	}
}

/* "[id] KIND name[ details]" into @b. */
static void type_line(const struct env *e, const struct btfc_type *t, bool details,
		      struct btfci_str *b)
{
	btfci_str_addf(b, "[%u] %s %s%s", e->log_type_id, btfc_kind_name(kind_of(t)),
		       name_by_offset(e, t->name_off), details ? " " : "");
	if (details)
		log_details(e, t, b);
}

static int fail_plain(struct env *e, int err, uint32_t type_id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_plain(struct env *e, int err, uint32_t type_id, const char *fmt, ...)
{
	va_list ap;

	e->v->err = err;
	e->v->type_id = type_id;
	va_start(ap, fmt);
	btfci_str_vaddf(&e->msg, fmt, ap);
	va_end(ap);
	return err;
}

/* btf_verifier_log_type() / _basic(): the type's line with the message appended. */
static int fail_type(struct env *e, const struct btfc_type *t, bool details, int err,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail_type(struct env *e, const struct btfc_type *t, bool details, int err,
		     const char *fmt, ...)
{
	va_list ap;

	type_line(e, t, details, &e->msg);
	btfci_str_addf(&e->msg, " ");
	va_start(ap, fmt);
	btfci_str_vaddf(&e->msg, fmt, ap);
	va_end(ap);
	e->v->err = err;
	e->v->type_id = e->log_type_id;
	return err;
}

/* btf_verifier_log_member(): "\tname type_id=.. [bitfield_size=..] bits_offset=.. MSG". */
static int fail_member(struct env *e, const struct btfc_type *s, const struct btfc_member *m,
		       int err, const char *msg, ...) __attribute__((format(printf, 5, 6)));
static int fail_member(struct env *e, const struct btfc_type *s, const struct btfc_member *m,
		       int err, const char *msg, ...)
{
	va_list ap;
	struct btfci_str *b = &e->msg;

	type_line(e, s, true, &e->context);
	if (btfc_type_kflag(s))
		btfci_str_addf(b, "\t%s type_id=%u bitfield_size=%u bits_offset=%u ",
			       name_by_offset(e, m->name_off), m->type, m->offset >> 24,
			       m->offset & 0xffffff);
	else
		btfci_str_addf(b, "\t%s type_id=%u bits_offset=%u ", name_by_offset(e, m->name_off),
			       m->type, m->offset);
	va_start(ap, msg);
	btfci_str_vaddf(b, msg, ap);
	va_end(ap);
	e->v->err = err;
	e->v->type_id = e->log_type_id;
	return err;
}

/* btf_verifier_log_vsi(): "\t type_id=.. offset=.. size=.. MSG". */
static int fail_vsi(struct env *e, const struct btfc_type *ds, const struct btfc_var_secinfo *vsi,
		    int err, const char *msg)
{
	type_line(e, ds, true, &e->context);
	btfci_str_addf(&e->msg, "\t type_id=%u offset=%u size=%u %s", vsi->type, vsi->offset,
		       vsi->size, msg);
	e->v->err = err;
	e->v->type_id = e->log_type_id;
	return err;
}

static void note(struct env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct env *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	btfci_str_vaddf(&e->note, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------- */
/* resolve machinery (btf_resolve, the env stack)                           */

static bool is_resolved(const struct env *e, uint32_t id)
{
	if (id < e->start_id)
		return true;
	return e->state[id - e->start_id] == RESOLVED;
}

static bool is_resolve_sink(const struct env *e, const struct btfc_type *next)
{
	switch (e->mode) {
	case RESOLVE_TBD:
		return !needs_resolve(next);
	case RESOLVE_PTR:
		return !is_modifier(next) && !is_kind(next, BTFC_KIND_PTR);
	default:
		return !is_modifier(next) && !is_kind(next, BTFC_KIND_ARRAY) && !is_struct(next);
	}
}

static int stack_push(struct env *e, const struct btfc_type *t, uint32_t id)
{
	if (e->top == MAX_RESOLVE_DEPTH)
		return -E2BIG;
	if (id < e->start_id || e->state[id - e->start_id] != NOT_VISITED)
		return -EEXIST;
	e->state[id - e->start_id] = VISITED;
	e->stack[e->top++] = (struct vertex){ .t = t, .id = id };
	if (e->mode == RESOLVE_TBD) {
		if (is_kind(t, BTFC_KIND_PTR))
			e->mode = RESOLVE_PTR;
		else if (is_struct(t) || is_kind(t, BTFC_KIND_ARRAY))
			e->mode = RESOLVE_STRUCT_OR_ARRAY;
	}
	return 0;
}

static void stack_pop_resolved(struct env *e, uint32_t rid, uint32_t rsize)
{
	uint32_t i = e->stack[--e->top].id - e->start_id;

	e->rsize[i] = rsize;
	e->rid[i] = rid;
	e->state[i] = RESOLVED;
}

static uint32_t resolved_id(const struct env *e, uint32_t id)
{
	if (id < e->start_id)
		return e->base_rid ? e->base_rid[id] : id;
	return e->rid[id - e->start_id];
}

static uint32_t resolved_size(const struct env *e, uint32_t id)
{
	if (id < e->start_id)
		return e->base_rsize ? e->base_rsize[id] : 0;
	return e->rsize[id - e->start_id];
}

static const struct btfc_type *type_id_resolve(const struct env *e, uint32_t *id)
{
	*id = resolved_id(e, *id);
	return type_by_id(e, *id);
}

/* btf_type_id_size(): the sized type behind *id (following one resolved modifier step). */
static const struct btfc_type *type_id_size(const struct env *e, uint32_t *id, uint32_t *ret_size)
{
	uint32_t sid = *id, size = 0;
	const struct btfc_type *st = type_by_id(e, sid);

	if (nosize_or_null(st))
		return NULL;
	if (has_size(st)) {
		size = st->size;
	} else if (is_kind(st, BTFC_KIND_ARRAY)) {
		size = resolved_size(e, sid);
	} else if (is_kind(st, BTFC_KIND_PTR)) {
		size = e->ptr_size;
	} else {
		if (!is_modifier(st) && !is_kind(st, BTFC_KIND_VAR))
			return NULL;
		sid = resolved_id(e, sid);
		st = type_by_id(e, sid);
		if (nosize_or_null(st))
			return NULL;
		else if (has_size(st))
			size = st->size;
		else if (is_kind(st, BTFC_KIND_ARRAY))
			size = resolved_size(e, sid);
		else if (is_kind(st, BTFC_KIND_PTR))
			size = e->ptr_size;
		else
			return NULL;
	}
	*id = sid;
	if (ret_size)
		*ret_size = size;
	return st;
}

static bool int_is_regular(const struct btfc_type *t)
{
	uint32_t d = int_data(t), bits = int_bits(d), bytes = roundup_bytes(bits);

	return !(bits & 7) && !int_offset(d) &&
	       (bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8 || bytes == 16);
}

/* ---------------------------------------------------------------------- */
/* per-kind operations                                                      */

struct kind_ops {
	/* bytes of kind data consumed (>= 0) or negative errno; @left = bytes after the record */
	int (*check_meta)(struct env *e, const struct btfc_type *t, uint32_t left);
	int (*resolve)(struct env *e, const struct vertex *v);
	int (*check_member)(struct env *e, const struct btfc_type *s, const struct btfc_member *m,
			    const struct btfc_type *mt);
	int (*check_kflag_member)(struct env *e, const struct btfc_type *s,
				  const struct btfc_member *m, const struct btfc_type *mt);
};
static const struct kind_ops *ops_of(const struct btfc_type *t);

static int meta_short(struct env *e, const struct btfc_type *t, uint32_t left, uint32_t needed)
{
	return fail_type(e, t, false, -EINVAL, "meta_left:%u meta_needed:%u", left, needed);
}

static int df_check_member(struct env *e, const struct btfc_type *s, const struct btfc_member *m,
			   const struct btfc_type *mt)
{
	(void)m;
	(void)mt;
	return fail_type(e, s, false, -EINVAL, "Unsupported check_member");
}

static int df_check_kflag_member(struct env *e, const struct btfc_type *s,
				 const struct btfc_member *m, const struct btfc_type *mt)
{
	(void)m;
	(void)mt;
	return fail_type(e, s, false, -EINVAL, "Unsupported check_kflag_member");
}

static int df_resolve(struct env *e, const struct vertex *v)
{
	return fail_type(e, v->t, false, -EINVAL, "Unsupported resolve");
}

/* ptr, array, struct and float members of a kflag struct: no bitfield allowed */
static int generic_check_kflag_member(struct env *e, const struct btfc_type *s,
				      const struct btfc_member *m, const struct btfc_type *mt)
{
	if (m->offset >> 24)
		return fail_member(e, s, m, -EINVAL, "Invalid member bitfield_size");
	return ops_of(mt)->check_member(e, s, m, mt);
}

/* struct, union and enum members: byte aligned and inside the struct */
static int sized_check_member(struct env *e, const struct btfc_type *s, const struct btfc_member *m,
			      const struct btfc_type *mt)
{
	if (m->offset & 7)
		return fail_member(e, s, m, -EINVAL, "Member is not byte aligned");
	if (s->size - m->offset / 8 < mt->size)
		return fail_member(e, s, m, -EINVAL, "Member exceeds struct_size");
	return 0;
}

/* --- INT --- */
static int int_check_member(struct env *e, const struct btfc_type *s, const struct btfc_member *m,
			    const struct btfc_type *mt)
{
	uint32_t d = int_data(mt), off = m->offset;

	if (UINT32_MAX - off < int_offset(d))
		return fail_member(e, s, m, -EINVAL, "bits_offset exceeds U32_MAX");
	off += int_offset(d);
	uint32_t bytes_off = off / 8, nr_copy_bits = int_bits(d) + (off & 7);
	if (nr_copy_bits > 128)
		return fail_member(e, s, m, -EINVAL, "nr_copy_bits exceeds 128");
	if (s->size < bytes_off || s->size - bytes_off < roundup_bytes(nr_copy_bits))
		return fail_member(e, s, m, -EINVAL, "Member exceeds struct_size");
	return 0;
}

static int int_check_kflag_member(struct env *e, const struct btfc_type *s,
				  const struct btfc_member *m, const struct btfc_type *mt)
{
	uint32_t nr_bits = m->offset >> 24, off = m->offset & 0xffffff,
		 data_bits = int_bits(int_data(mt));

	if (!int_is_regular(mt))
		return fail_member(e, s, m, -EINVAL, "Invalid member base type");
	if (!nr_bits) {
		if (off & 7)
			return fail_member(e, s, m, -EINVAL, "Invalid member offset");
		nr_bits = data_bits;
	} else if (nr_bits > data_bits) {
		return fail_member(e, s, m, -EINVAL, "Invalid member bitfield_size");
	}
	uint32_t bytes_off = off / 8, nr_copy_bits = nr_bits + (off & 7);
	if (nr_copy_bits > 128)
		return fail_member(e, s, m, -EINVAL, "nr_copy_bits exceeds 128");
	if (s->size < bytes_off || s->size - bytes_off < roundup_bytes(nr_copy_bits))
		return fail_member(e, s, m, -EINVAL, "Member exceeds struct_size");
	return 0;
}

static int int_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	if (left < 4)
		return meta_short(e, t, left, 4);
	if (vlen_of(t))
		return fail_type(e, t, true, -EINVAL, "vlen != 0");
	if (btfc_type_kflag(t))
		return fail_type(e, t, true, -EINVAL, "Invalid btf_info kind_flag");
	uint32_t d = int_data(t);
	if (d & ~BTF_INT_MASK)
		return fail_type(e, t, false, -EINVAL, "Invalid int_data:%x", d);
	uint32_t nr_bits = int_bits(d) + int_offset(d);
	if (nr_bits > 128)
		return fail_type(e, t, true, -EINVAL, "nr_bits exceeds %zu", (size_t)128);
	if (roundup_bytes(nr_bits) > t->size)
		return fail_type(e, t, true, -EINVAL, "nr_bits exceeds type_size");
	uint32_t enc = int_encoding(d);
	if (enc && enc != 1 && enc != 2 && enc != 4)
		return fail_type(e, t, true, -ENOTSUPP, "Unsupported encoding");
	return 4;
}

/* --- PTR and modifiers (TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG) --- */
static int ref_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	(void)left;
	if (vlen_of(t))
		return fail_type(e, t, true, -EINVAL, "vlen != 0");
	if (btfc_type_kflag(t) && !(e->tag_kflag && is_kind(t, BTFC_KIND_TYPE_TAG)))
		return fail_type(e, t, true, -EINVAL, "Invalid btf_info kind_flag");
	if (t->type > BTF_MAX_TYPE)
		return fail_type(e, t, true, -EINVAL, "Invalid type_id");
	if (is_kind(t, BTFC_KIND_TYPEDEF)) {
		if (!t->name_off || !name_valid_identifier(e, t->name_off))
			return fail_type(e, t, true, -EINVAL, "Invalid name");
	} else if (is_kind(t, BTFC_KIND_TYPE_TAG)) {
		const char *s = str_by_offset(e, t->name_off);
		if (!s || !s[0])
			return fail_type(e, t, true, -EINVAL, "Invalid name");
	} else if (t->name_off) {
		return fail_type(e, t, true, -EINVAL, "Invalid name");
	}
	return 0;
}

static int modifier_check_member(struct env *e, const struct btfc_type *s,
				 const struct btfc_member *m, const struct btfc_type *mt)
{
	uint32_t rid = m->type;
	const struct btfc_type *rt = type_id_size(e, &rid, NULL);
	(void)mt;

	if (!rt)
		return fail_member(e, s, m, -EINVAL, "Invalid member");
	struct btfc_member rm = *m;
	rm.type = rid;
	return btfc_type_kflag(s) ? ops_of(rt)->check_kflag_member(e, s, &rm, rt) :
				    ops_of(rt)->check_member(e, s, &rm, rt);
}

/*
 * The next step of a modifier, ptr or var: push the target if it still needs
 * resolving; returns 1 when the caller may go on, 0 after a push, <0 on error.
 */
static int resolve_next(struct env *e, const struct vertex *v, uint32_t next_id,
			const struct btfc_type **next)
{
	*next = type_by_id(e, next_id);
	if (!*next || is_resolve_source_only(*next))
		return fail_type(e, v->t, true, -EINVAL, "Invalid type_id");
	if (!is_resolve_sink(e, *next) && !is_resolved(e, next_id))
		return stack_push(e, *next, next_id);
	return 1;
}

/* A ptr or var behind a modifier that was resolved in struct mode may still need resolving. */
static int resolve_ptr_behind_modifier(struct env *e, const struct btfc_type *next,
				       uint32_t next_id)
{
	if (!is_modifier(next))
		return 1;
	uint32_t rid = next_id;
	const struct btfc_type *rt = type_id_resolve(e, &rid);
	if (is_kind(rt, BTFC_KIND_PTR) && !is_resolve_sink(e, rt) && !is_resolved(e, rid))
		return stack_push(e, rt, rid);
	return 1;
}

/* After the target is resolved: sized, or one of void/fwd/func_proto (for modifiers and ptrs). */
static int resolve_finish_ref(struct env *e, const struct vertex *v, const struct btfc_type *next,
			      uint32_t next_id)
{
	if (!type_id_size(e, &next_id, NULL)) {
		if (is_resolved(e, next_id))
			next = type_id_resolve(e, &next_id);
		if (!is_void(next) && !is_kind(next, BTFC_KIND_FWD) &&
		    !is_kind(next, BTFC_KIND_FUNC_PROTO))
			return fail_type(e, v->t, true, -EINVAL, "Invalid type_id");
	}
	stack_pop_resolved(e, next_id, 0);
	return 0;
}

static int modifier_resolve(struct env *e, const struct vertex *v)
{
	const struct btfc_type *next;
	int r = resolve_next(e, v, v->t->type, &next);

	return r <= 0 ? r : resolve_finish_ref(e, v, next, v->t->type);
}

static int ptr_resolve(struct env *e, const struct vertex *v)
{
	const struct btfc_type *next;
	int r = resolve_next(e, v, v->t->type, &next);

	if (r > 0)
		r = resolve_ptr_behind_modifier(e, next, v->t->type);
	return r <= 0 ? r : resolve_finish_ref(e, v, next, v->t->type);
}

static int ptr_check_member(struct env *e, const struct btfc_type *s, const struct btfc_member *m,
			    const struct btfc_type *mt)
{
	(void)mt;
	if (m->offset & 7)
		return fail_member(e, s, m, -EINVAL, "Member is not byte aligned");
	if (s->size - m->offset / 8 < e->ptr_size)
		return fail_member(e, s, m, -EINVAL, "Member exceeds struct_size");
	return 0;
}

/* --- FWD --- */
static int fwd_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	(void)left;
	if (vlen_of(t))
		return fail_type(e, t, true, -EINVAL, "vlen != 0");
	if (t->type)
		return fail_type(e, t, true, -EINVAL, "type != 0");
	if (!t->name_off || !name_valid_identifier(e, t->name_off))
		return fail_type(e, t, true, -EINVAL, "Invalid name");
	return 0;
}

/* --- ARRAY --- */
static int array_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	const struct btfc_array *a = btfc_type_data(t);

	if (left < sizeof(*a))
		return meta_short(e, t, left, sizeof(*a));
	if (t->name_off)
		return fail_type(e, t, true, -EINVAL, "Invalid name");
	if (vlen_of(t))
		return fail_type(e, t, true, -EINVAL, "vlen != 0");
	if (btfc_type_kflag(t))
		return fail_type(e, t, true, -EINVAL, "Invalid btf_info kind_flag");
	if (t->size)
		return fail_type(e, t, true, -EINVAL, "size != 0");
	if (!a->type || a->type > BTF_MAX_TYPE)
		return fail_type(e, t, true, -EINVAL, "Invalid elem");
	if (!a->index_type || a->index_type > BTF_MAX_TYPE)
		return fail_type(e, t, true, -EINVAL, "Invalid index");
	return sizeof(*a);
}

static int array_resolve(struct env *e, const struct vertex *v)
{
	const struct btfc_array *a = btfc_type_data(v->t);
	uint32_t index_id = a->index_type, elem_id = a->type, elem_size;
	const struct btfc_type *index = type_by_id(e, index_id), *elem;

	if (nosize_or_null(index) || is_resolve_source_only(index))
		return fail_type(e, v->t, true, -EINVAL, "Invalid index");
	if (!is_resolve_sink(e, index) && !is_resolved(e, index_id))
		return stack_push(e, index, index_id);
	index = type_id_size(e, &index_id, NULL);
	if (!index || !is_kind(index, BTFC_KIND_INT) || !int_is_regular(index))
		return fail_type(e, v->t, true, -EINVAL, "Invalid index");

	elem = type_by_id(e, elem_id);
	if (nosize_or_null(elem) || is_resolve_source_only(elem))
		return fail_type(e, v->t, true, -EINVAL, "Invalid elem");
	if (!is_resolve_sink(e, elem) && !is_resolved(e, elem_id))
		return stack_push(e, elem, elem_id);
	elem = type_id_size(e, &elem_id, &elem_size);
	if (!elem)
		return fail_type(e, v->t, true, -EINVAL, "Invalid elem");
	if (is_kind(elem, BTFC_KIND_INT) && !int_is_regular(elem))
		return fail_type(e, v->t, true, -EINVAL, "Invalid array of int");
	if (a->nelems && elem_size > UINT32_MAX / a->nelems)
		return fail_type(e, v->t, true, -EINVAL, "Array size overflows U32_MAX");
	stack_pop_resolved(e, elem_id, elem_size * a->nelems);
	return 0;
}

static int array_check_member(struct env *e, const struct btfc_type *s, const struct btfc_member *m,
			      const struct btfc_type *mt)
{
	uint32_t id = m->type, size = 0;
	(void)mt;

	if (m->offset & 7)
		return fail_member(e, s, m, -EINVAL, "Member is not byte aligned");
	type_id_size(e, &id, &size);
	if (s->size - m->offset / 8 < size)
		return fail_member(e, s, m, -EINVAL, "Member exceeds struct_size");
	return 0;
}

/* --- STRUCT, UNION --- */
static int struct_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	bool is_union = is_kind(t, BTFC_KIND_UNION);
	const struct btfc_member *m = btfc_type_data(t);
	uint32_t needed = vlen_of(t) * sizeof(*m), last = 0;

	if (left < needed)
		return meta_short(e, t, left, needed);
	if (t->name_off && !name_valid_identifier(e, t->name_off))
		return fail_type(e, t, true, -EINVAL, "Invalid name");
	for (unsigned i = 0; i < vlen_of(t); i++, m++) {
		if (!name_offset_valid(e, m->name_off))
			return fail_member(e, t, m, -EINVAL, "Invalid member name_offset:%u",
					   m->name_off);
		if (m->name_off && !name_valid_identifier(e, m->name_off))
			return fail_member(e, t, m, -EINVAL, "Invalid name");
		if (!m->type || m->type > BTF_MAX_TYPE)
			return fail_member(e, t, m, -EINVAL, "Invalid type_id");
		uint32_t off = member_bit_offset(t, m);
		if (is_union && off)
			return fail_member(e, t, m, -EINVAL, "Invalid member bits_offset");
		if (last > off)
			return fail_member(e, t, m, -EINVAL, "Invalid member bits_offset");
		if (roundup_bytes(off) > t->size)
			return fail_member(e, t, m, -EINVAL,
					   "Member bits_offset exceeds its struct size");
		last = off;
	}
	return needed;
}

static int check_one_member(struct env *e, const struct btfc_type *s, const struct btfc_member *m,
			    const struct btfc_type *mt)
{
	return btfc_type_kflag(s) ? ops_of(mt)->check_kflag_member(e, s, m, mt) :
				    ops_of(mt)->check_member(e, s, m, mt);
}

static int struct_resolve(struct env *e, const struct vertex *v)
{
	const struct btfc_member *m = btfc_type_data(v->t);
	int err;

	if (v->next_member) {
		const struct btfc_member *last = m + v->next_member - 1;
		if (!is_resolved(e, last->type))
			return -EINVAL; /* the kernel WARNs here; cannot happen */
		err = check_one_member(e, v->t, last, type_by_id(e, last->type));
		if (err)
			return err;
	}
	for (unsigned i = v->next_member; i < vlen_of(v->t); i++) {
		const struct btfc_type *mt = type_by_id(e, m[i].type);
		if (nosize_or_null(mt) || is_resolve_source_only(mt))
			return fail_member(e, v->t, &m[i], -EINVAL, "Invalid member");
		if (!is_resolve_sink(e, mt) && !is_resolved(e, m[i].type)) {
			e->stack[e->top - 1].next_member = i + 1;
			return stack_push(e, mt, m[i].type);
		}
		err = check_one_member(e, v->t, &m[i], mt);
		if (err)
			return err;
	}
	stack_pop_resolved(e, 0, 0);
	return 0;
}

/* --- ENUM, ENUM64 --- */
static int enum_check_kflag_member(struct env *e, const struct btfc_type *s,
				   const struct btfc_member *m, const struct btfc_type *mt)
{
	uint32_t off = m->offset & 0xffffff, nr_bits = m->offset >> 24;
	(void)mt;

	if (!nr_bits) {
		if (off & 7)
			return fail_member(e, s, m, -EINVAL, "Member is not byte aligned");
		nr_bits = 32;
	} else if (nr_bits > 32) {
		return fail_member(e, s, m, -EINVAL, "Invalid member bitfield_size");
	}
	if (s->size < roundup_bytes(off + nr_bits))
		return fail_member(e, s, m, -EINVAL, "Member exceeds struct_size");
	return 0;
}

static int enum_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	bool is64 = is_kind(t, BTFC_KIND_ENUM64);
	uint32_t rec = is64 ? sizeof(struct btfc_enum64) : sizeof(struct btfc_enum);
	uint32_t needed = vlen_of(t) * rec;
	const uint8_t *p = btfc_type_data(t);

	if (left < needed)
		return meta_short(e, t, left, needed);
	if (t->size > 8 || !t->size || (t->size & (t->size - 1)))
		return fail_type(e, t, true, -EINVAL, "Unexpected size");
	if (t->name_off && !name_valid_identifier(e, t->name_off))
		return fail_type(e, t, true, -EINVAL, "Invalid name");
	for (unsigned i = 0; i < vlen_of(t); i++, p += rec) {
		uint32_t name_off = *(const uint32_t *)(const void *)p;
		if (!name_offset_valid(e, name_off)) {
			type_line(e, t, true, &e->context);
			return fail_plain(e, -EINVAL, e->log_type_id, "\tInvalid name_offset:%u",
					  name_off);
		}
		if (!name_off || !name_valid_identifier(e, name_off))
			return fail_type(e, t, true, -EINVAL, "Invalid name");
	}
	return needed;
}

/* --- FUNC_PROTO, FUNC --- */
static int func_proto_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	uint32_t needed = vlen_of(t) * sizeof(struct btfc_param);

	if (left < needed)
		return meta_short(e, t, left, needed);
	if (t->name_off)
		return fail_type(e, t, true, -EINVAL, "Invalid name");
	if (btfc_type_kflag(t))
		return fail_type(e, t, true, -EINVAL, "Invalid btf_info kind_flag");
	return needed;
}

static int func_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	(void)left;
	if (!t->name_off || !name_valid_identifier(e, t->name_off))
		return fail_type(e, t, true, -EINVAL, "Invalid name");
	if (vlen_of(t) > 1 /* BTF_FUNC_GLOBAL */)
		return fail_type(e, t, true, -EINVAL, "Invalid func linkage");
	if (btfc_type_kflag(t))
		return fail_type(e, t, true, -EINVAL, "Invalid btf_info kind_flag");
	return 0;
}

static int func_check(struct env *e, const struct btfc_type *t)
{
	const struct btfc_type *proto = type_by_id(e, t->type);

	if (!proto || !is_kind(proto, BTFC_KIND_FUNC_PROTO))
		return fail_type(e, t, true, -EINVAL, "Invalid type_id");
	const struct btfc_param *p = btfc_type_data(proto);
	for (unsigned i = 0; i < vlen_of(proto); i++)
		if (!p[i].name_off && p[i].type)
			return fail_type(e, t, true, -EINVAL, "Invalid arg#%u", i + 1);
	return 0;
}

static int func_resolve(struct env *e, const struct vertex *v)
{
	int err = func_check(e, v->t);

	if (err)
		return err;
	stack_pop_resolved(e, v->t->type, 0);
	return 0;
}

/* --- VAR --- */
static int var_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	if (left < sizeof(struct btfc_var))
		return meta_short(e, t, left, sizeof(struct btfc_var));
	if (vlen_of(t))
		return fail_type(e, t, true, -EINVAL, "vlen != 0");
	if (btfc_type_kflag(t))
		return fail_type(e, t, true, -EINVAL, "Invalid btf_info kind_flag");
	if (!t->name_off || !name_valid_identifier(e, t->name_off))
		return fail_type(e, t, true, -EINVAL, "Invalid name");
	if (!t->type || t->type > BTF_MAX_TYPE)
		return fail_type(e, t, true, -EINVAL, "Invalid type_id");
	uint32_t linkage = ((const struct btfc_var *)btfc_type_data(t))->linkage;
	if (linkage != 0 && linkage != 1)
		return fail_type(e, t, true, -EINVAL, "Linkage not supported");
	return sizeof(struct btfc_var);
}

static int var_resolve(struct env *e, const struct vertex *v)
{
	const struct btfc_type *next;
	uint32_t next_id = v->t->type;
	int r = resolve_next(e, v, next_id, &next);

	if (r > 0)
		r = resolve_ptr_behind_modifier(e, next, next_id);
	if (r <= 0)
		return r;
	if (!type_id_size(e, &next_id, NULL))
		return fail_type(e, v->t, true, -EINVAL, "Invalid type_id");
	stack_pop_resolved(e, next_id, 0);
	return 0;
}

/* --- DATASEC --- */
static int datasec_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	const struct btfc_var_secinfo *vsi = btfc_type_data(t);
	uint32_t needed = vlen_of(t) * sizeof(*vsi);
	uint64_t last_end = 0, sum = 0;

	if (left < needed)
		return meta_short(e, t, left, needed);
	if (!t->size)
		return fail_type(e, t, true, -EINVAL, "size == 0");
	if (btfc_type_kflag(t))
		return fail_type(e, t, true, -EINVAL, "Invalid btf_info kind_flag");
	if (!t->name_off || !(e->section_is_identifier ? name_valid_identifier(e, t->name_off) :
							 name_valid_section(e, t->name_off)))
		return fail_type(e, t, true, -EINVAL, "Invalid name");
	for (unsigned i = 0; i < vlen_of(t); i++, vsi++) {
		if (!vsi->type || vsi->type > BTF_MAX_TYPE)
			return fail_vsi(e, t, vsi, -EINVAL, "Invalid type_id");
		if (vsi->offset < last_end || vsi->offset >= t->size)
			return fail_vsi(e, t, vsi, -EINVAL, "Invalid offset");
		if (!vsi->size || vsi->size > t->size)
			return fail_vsi(e, t, vsi, -EINVAL, "Invalid size");
		last_end = (uint32_t)(vsi->offset + vsi->size); /* sic: u32 sum, as in the kernel */
		if (last_end > t->size)
			return fail_vsi(e, t, vsi, -EINVAL, "Invalid offset+size");
		sum += vsi->size;
	}
	if (t->size < sum)
		return fail_type(e, t, true, -EINVAL, "Invalid btf_info size");
	return needed;
}

static int datasec_resolve(struct env *e, const struct vertex *v)
{
	const struct btfc_var_secinfo *vsi = btfc_type_data(v->t);

	e->mode = RESOLVE_TBD;
	for (unsigned i = v->next_member; i < vlen_of(v->t); i++) {
		uint32_t var_id = vsi[i].type, id, size = 0;
		const struct btfc_type *var = type_by_id(e, var_id);
		if (!var || !is_kind(var, BTFC_KIND_VAR))
			return fail_vsi(e, v->t, &vsi[i], -EINVAL, "Not a VAR kind member");
		if (!is_resolve_sink(e, var) && !is_resolved(e, var_id)) {
			e->stack[e->top - 1].next_member = i + 1;
			return stack_push(e, var, var_id);
		}
		id = var->type;
		if (!type_id_size(e, &id, &size))
			return fail_vsi(e, v->t, &vsi[i], -EINVAL, "Invalid type");
		if (vsi[i].size < size)
			return fail_vsi(e, v->t, &vsi[i], -EINVAL, "Invalid size");
	}
	stack_pop_resolved(e, 0, 0);
	return 0;
}

/* --- FLOAT --- */
static int float_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	(void)left;
	if (vlen_of(t))
		return fail_type(e, t, true, -EINVAL, "vlen != 0");
	if (btfc_type_kflag(t))
		return fail_type(e, t, true, -EINVAL, "Invalid btf_info kind_flag");
	if (t->size != 2 && t->size != 4 && t->size != 8 && t->size != 12 && t->size != 16)
		return fail_type(e, t, true, -EINVAL, "Invalid type_size");
	return 0;
}

static int float_check_member(struct env *e, const struct btfc_type *s, const struct btfc_member *m,
			      const struct btfc_type *mt)
{
	uint64_t align_bits = (mt->size < e->ptr_size ? mt->size : e->ptr_size) * 8ull;

	if (align_bits && m->offset % align_bits) /* the kernel's div64_u64_rem */
		return fail_member(e, s, m, -EINVAL, "Member is not properly aligned");
	if ((uint64_t)m->offset / 8 + mt->size > s->size)
		return fail_member(e, s, m, -EINVAL, "Member exceeds struct_size");
	return 0;
}

/* --- DECL_TAG --- */
static int decl_tag_check_meta(struct env *e, const struct btfc_type *t, uint32_t left)
{
	if (left < sizeof(struct btfc_decl_tag))
		return meta_short(e, t, left, sizeof(struct btfc_decl_tag));
	const char *s = str_by_offset(e, t->name_off);
	if (!s || !s[0])
		return fail_type(e, t, true, -EINVAL, "Invalid value");
	if (vlen_of(t))
		return fail_type(e, t, true, -EINVAL, "vlen != 0");
	if (btfc_type_kflag(t) && !e->tag_kflag)
		return fail_type(e, t, true, -EINVAL, "Invalid btf_info kind_flag");
	if (((const struct btfc_decl_tag *)btfc_type_data(t))->component_idx < -1)
		return fail_type(e, t, true, -EINVAL, "Invalid component_idx");
	return sizeof(struct btfc_decl_tag);
}

static int decl_tag_resolve(struct env *e, const struct vertex *v)
{
	uint32_t next_id = v->t->type;
	const struct btfc_type *next = type_by_id(e, next_id);
	int32_t idx = ((const struct btfc_decl_tag *)btfc_type_data(v->t))->component_idx;

	if (!next || !(is_kind(next, BTFC_KIND_FUNC) || is_struct(next) ||
		       is_kind(next, BTFC_KIND_VAR) || is_kind(next, BTFC_KIND_TYPEDEF)))
		return fail_type(e, v->t, true, -EINVAL, "Invalid type_id");
	if (!is_resolve_sink(e, next) && !is_resolved(e, next_id))
		return stack_push(e, next, next_id);
	if (idx != -1) {
		unsigned vlen;
		if (is_kind(next, BTFC_KIND_VAR) || is_kind(next, BTFC_KIND_TYPEDEF))
			return fail_type(e, v->t, true, -EINVAL, "Invalid component_idx");
		if (is_struct(next)) {
			vlen = vlen_of(next);
		} else {
			const struct btfc_type *proto = type_by_id(e, next->type);
			vlen = proto ? vlen_of(proto) : 0; /* func_check ran: proto exists */
		}
		if ((uint32_t)idx >= vlen)
			return fail_type(e, v->t, true, -EINVAL, "Invalid component_idx");
	}
	stack_pop_resolved(e, next_id, 0);
	return 0;
}

/* --- the table: one row per kind --- */
static const struct kind_ops int_ops = {
	.check_meta = int_check_meta,
	.resolve = df_resolve,
	.check_member = int_check_member,
	.check_kflag_member = int_check_kflag_member,
};
static const struct kind_ops ptr_ops = {
	.check_meta = ref_check_meta,
	.resolve = ptr_resolve,
	.check_member = ptr_check_member,
	.check_kflag_member = generic_check_kflag_member,
};
static const struct kind_ops modifier_ops = {
	.check_meta = ref_check_meta,
	.resolve = modifier_resolve,
	.check_member = modifier_check_member,
	.check_kflag_member = modifier_check_member,
};
static const struct kind_ops fwd_ops = {
	.check_meta = fwd_check_meta,
	.resolve = df_resolve,
	.check_member = df_check_member,
	.check_kflag_member = df_check_kflag_member,
};
static const struct kind_ops array_ops = {
	.check_meta = array_check_meta,
	.resolve = array_resolve,
	.check_member = array_check_member,
	.check_kflag_member = generic_check_kflag_member,
};
static const struct kind_ops struct_ops = {
	.check_meta = struct_check_meta,
	.resolve = struct_resolve,
	.check_member = sized_check_member,
	.check_kflag_member = generic_check_kflag_member,
};
static const struct kind_ops enum_ops = {
	.check_meta = enum_check_meta,
	.resolve = df_resolve,
	.check_member = sized_check_member,
	.check_kflag_member = enum_check_kflag_member,
};
static const struct kind_ops func_proto_ops = {
	.check_meta = func_proto_check_meta,
	.resolve = df_resolve,
	.check_member = df_check_member,
	.check_kflag_member = df_check_kflag_member,
};
static const struct kind_ops func_ops = {
	.check_meta = func_check_meta,
	.resolve = func_resolve,
	.check_member = df_check_member,
	.check_kflag_member = df_check_kflag_member,
};
static const struct kind_ops var_ops = {
	.check_meta = var_check_meta,
	.resolve = var_resolve,
	.check_member = df_check_member,
	.check_kflag_member = df_check_kflag_member,
};
static const struct kind_ops datasec_ops = {
	.check_meta = datasec_check_meta,
	.resolve = datasec_resolve,
	.check_member = df_check_member,
	.check_kflag_member = df_check_kflag_member,
};
static const struct kind_ops float_ops = {
	.check_meta = float_check_meta,
	.resolve = df_resolve,
	.check_member = float_check_member,
	.check_kflag_member = generic_check_kflag_member,
};
static const struct kind_ops decl_tag_ops = {
	.check_meta = decl_tag_check_meta,
	.resolve = decl_tag_resolve,
	.check_member = df_check_member,
	.check_kflag_member = df_check_kflag_member,
};

static const struct kind_ops *const kind_ops[BTFC_KIND_MAX + 1] = {
	[BTFC_KIND_INT] = &int_ops,
	[BTFC_KIND_PTR] = &ptr_ops,
	[BTFC_KIND_ARRAY] = &array_ops,
	[BTFC_KIND_STRUCT] = &struct_ops,
	[BTFC_KIND_UNION] = &struct_ops,
	[BTFC_KIND_ENUM] = &enum_ops,
	[BTFC_KIND_FWD] = &fwd_ops,
	[BTFC_KIND_TYPEDEF] = &modifier_ops,
	[BTFC_KIND_VOLATILE] = &modifier_ops,
	[BTFC_KIND_CONST] = &modifier_ops,
	[BTFC_KIND_RESTRICT] = &modifier_ops,
	[BTFC_KIND_FUNC] = &func_ops,
	[BTFC_KIND_FUNC_PROTO] = &func_proto_ops,
	[BTFC_KIND_VAR] = &var_ops,
	[BTFC_KIND_DATASEC] = &datasec_ops,
	[BTFC_KIND_FLOAT] = &float_ops,
	[BTFC_KIND_DECL_TAG] = &decl_tag_ops,
	[BTFC_KIND_TYPE_TAG] = &modifier_ops,
	[BTFC_KIND_ENUM64] = &enum_ops,
};

static const struct kind_ops *ops_of(const struct btfc_type *t)
{
	/* void has no ops in the kernel; every caller rules it out before */
	return kind_of(t) <= BTFC_KIND_MAX && kind_ops[kind_of(t)] ? kind_ops[kind_of(t)] :
								     &fwd_ops;
}

/* ---------------------------------------------------------------------- */
/* phases                                                                   */

static int parse_hdr(struct env *e)
{
	uint32_t hdr_len,
		hdr_size = e->v7_2 ? BTF_HDR_LAYOUT : BTF_HDR_MIN; /* sizeof(struct btf_header) */

	if (e->size < 8)
		return fail_plain(e, -EINVAL, 0, "hdr_len not found");
	memcpy(&hdr_len, e->data + 4, 4);
	if (e->size < hdr_len)
		return fail_plain(e, -EINVAL, 0, "btf_header not found");
	for (uint32_t i = hdr_size; i < hdr_len; i++)
		if (e->data[i])
			return fail_plain(e, -E2BIG, 0, "Unsupported btf_header");
	uint8_t raw[BTF_HDR_LAYOUT] = { 0 };
	memcpy(raw, e->data, hdr_len < hdr_size ? hdr_len : hdr_size);
	memcpy(&e->hdr.magic, raw, 2);
	e->hdr.version = raw[2];
	e->hdr.flags = raw[3];
	memcpy(&e->hdr.hdr_len, raw + 4, 4);
	memcpy(&e->hdr.type_off, raw + 8, 4);
	memcpy(&e->hdr.type_len, raw + 12, 4);
	memcpy(&e->hdr.str_off, raw + 16, 4);
	memcpy(&e->hdr.str_len, raw + 20, 4);
	memcpy(&e->hdr.layout_off, raw + 24, 4);
	memcpy(&e->hdr.layout_len, raw + 28, 4);
	if (e->hdr.magic != BTF_MAGIC)
		return fail_plain(e, -EINVAL, 0, "Invalid magic");
	if (e->hdr.version != BTF_VERSION)
		return fail_plain(e, -ENOTSUPP, 0, "Unsupported version");
	if (e->hdr.flags)
		return fail_plain(e, -ENOTSUPP, 0, "Unsupported flags");
	if (!e->base && e->size == e->hdr.hdr_len)
		return fail_plain(e, -EINVAL, 0, "No data");

	/*
	 * btf_check_sec_info(): sections sorted by offset (then length), no gap,
	 * no overlap, nothing after; 7.2 adds the layout section when hdr_len
	 * covers it and it is not empty.
	 */
	struct {
		uint32_t off, len;
	} secs[3] = { { e->hdr.type_off, e->hdr.type_len },
		      { e->hdr.str_off, e->hdr.str_len },
		      { e->hdr.layout_off, e->hdr.layout_len } };
	int n = e->v7_2 && e->hdr.hdr_len >= BTF_HDR_LAYOUT && e->hdr.layout_len ? 3 : 2;
	for (int i = 1; i < n; i++) /* insertion sort with the kernel's btf_sec_info_cmp() */
		for (int j = i; j > 0; j--) {
			int c = (int)(secs[j - 1].off - secs[j].off) ?
					(int)(secs[j - 1].off - secs[j].off) :
					(int)(secs[j - 1].len - secs[j].len);
			if (c <= 0)
				break;
			uint32_t o = secs[j].off, l = secs[j].len;
			secs[j] = secs[j - 1];
			secs[j - 1].off = o;
			secs[j - 1].len = l;
		}
	uint32_t total = 0, expected = e->size - e->hdr.hdr_len;
	for (int i = 0; i < n; i++) {
		if (expected < secs[i].off)
			return fail_plain(e, -EINVAL, 0, "Invalid section offset");
		if (total < secs[i].off)
			return fail_plain(e, -EINVAL, 0, "Unsupported section found");
		if (total > secs[i].off)
			return fail_plain(e, -EINVAL, 0, "Section overlap found");
		if (expected - total < secs[i].len)
			return fail_plain(e, -EINVAL, 0, "Total section length too long");
		total += secs[i].len;
	}
	if (expected != total)
		return fail_plain(e, -EINVAL, 0, "Unsupported section found");
	return 0;
}

static int parse_str_sec(struct env *e)
{
	const char *start = (const char *)e->nohdr + e->hdr.str_off;
	const char *end = start + e->hdr.str_len;

	/* 7.2: only a header without the layout fields requires the strings last */
	if ((!e->v7_2 || e->hdr.hdr_len < BTF_HDR_LAYOUT) &&
	    (const uint8_t *)end != e->data + e->size)
		return fail_plain(e, -EINVAL, 0, "String section is not at the end");
	e->strings = start;
	if (e->base && !e->hdr.str_len)
		return 0;
	if (!e->hdr.str_len || e->hdr.str_len - 1 > BTF_MAX_NAME_OFFSET || end[-1])
		return fail_plain(e, -EINVAL, 0, "Invalid string section");
	if (!e->base && start[0])
		return fail_plain(e, -EINVAL, 0, "Invalid string section");
	return 0;
}

/* btf_parse_layout_sec() (7.2, bpf(BPF_BTF_LOAD) only): entries of struct btf_layout, 4 bytes each. */
static int parse_layout_sec(struct env *e)
{
	if (!e->v7_2 || e->hdr.hdr_len < BTF_HDR_LAYOUT || !e->hdr.layout_len)
		return 0;
	if (e->hdr.layout_off & 3)
		return fail_plain(e, -EINVAL, 0, "Unaligned layout_off");
	if (e->hdr.layout_len < 4)
		return fail_plain(e, -EINVAL, 0, "Layout section is too small");
	if (e->hdr.layout_len % 4)
		return fail_plain(e, -EINVAL, 0, "layout_len is not multiple of %zu", (size_t)4);
	if ((uint64_t)e->hdr.hdr_len + e->hdr.layout_off + e->hdr.layout_len > e->size)
		return fail_plain(e, -EINVAL, 0, "Layout section is too big");
	return 0;
}

/* btf_add_type(): the kernel's growth of its types array, including its limit. */
static int add_type(struct env *e, const struct btfc_type *t)
{
	if (e->nr_types == e->types_cap) {
		if (e->start_id + e->types_cap == BTF_MAX_TYPE)
			return -E2BIG; /* the kernel logs "Exceeded max num of types" and ignores it */
		uint32_t grow = e->types_cap >> 2 > 16 ? e->types_cap >> 2 : 16;
		uint32_t cap = e->types_cap + grow < BTF_MAX_TYPE ? e->types_cap + grow :
								    BTF_MAX_TYPE;
		const struct btfc_type **n = realloc(e->types, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		e->types = n;
		e->types_cap = cap;
		if (!e->nr_types && !e->base)
			e->types[e->nr_types++] = &btf_void;
	}
	e->types[e->nr_types++] = t;
	return 0;
}

static int check_all_metas(struct env *e)
{
	const uint8_t *cur = e->nohdr + e->hdr.type_off, *end = cur + e->hdr.type_len;

	e->log_type_id = e->base ? e->start_id : 1;
	while (cur < end) {
		const struct btfc_type *t = (const void *)cur;
		uint32_t left = end - cur;
		if (left < sizeof(*t))
			return fail_plain(e, -EINVAL, e->log_type_id,
					  "[%u] meta_left:%u meta_needed:%zu", e->log_type_id, left,
					  sizeof(*t));
		left -= sizeof(*t);
		if (!e->v7_2 && t->info & ~BTF_INFO_MASK)
			return fail_plain(e, -EINVAL, e->log_type_id, "[%u] Invalid btf_info:%x",
					  e->log_type_id, t->info);
		if (kind_of(t) > BTFC_KIND_MAX || kind_of(t) == BTFC_KIND_UNKN)
			return fail_plain(e, -EINVAL, e->log_type_id, "[%u] Invalid kind:%u",
					  e->log_type_id, kind_of(t));
		if (!name_offset_valid(e, t->name_off))
			return fail_plain(e, -EINVAL, e->log_type_id, "[%u] Invalid name_offset:%u",
					  e->log_type_id, t->name_off);
		int n = kind_ops[kind_of(t)]->check_meta(e, t, left);
		if (n < 0)
			return n;
		int err = add_type(e, t);
		if (err == -ENOMEM)
			return err;
		if (err)
			note(e, "more than %u types: the kernel drops the rest from its index",
			     BTF_MAX_TYPE);
		cur += sizeof(*t) + n;
		e->log_type_id++;
	}
	if (!e->nr_types && !e->base) /* no types at all: the kernel still has void */
		return add_type(e, &btf_void) == -ENOMEM ? -ENOMEM : 0;
	return 0;
}

static bool resolve_valid(struct env *e, const struct btfc_type *t, uint32_t id)
{
	if (!is_resolved(e, id))
		return false;
	if (is_struct(t) || is_kind(t, BTFC_KIND_DATASEC))
		return !resolved_id(e, id) && !resolved_size(e, id);
	if (is_kind(t, BTFC_KIND_DECL_TAG) || is_kind(t, BTFC_KIND_FUNC))
		return resolved_id(e, id) && !resolved_size(e, id);
	if (is_modifier(t) || is_kind(t, BTFC_KIND_PTR) || is_kind(t, BTFC_KIND_VAR)) {
		t = type_id_resolve(e, &id);
		return t && !is_modifier(t) && !is_kind(t, BTFC_KIND_VAR) &&
		       !is_kind(t, BTFC_KIND_DATASEC);
	}
	if (is_kind(t, BTFC_KIND_ARRAY)) {
		const struct btfc_array *a = btfc_type_data(t);
		uint32_t eid = a->type, esize;
		const struct btfc_type *et = type_id_size(e, &eid, &esize);
		return et && !is_modifier(et) && a->nelems * esize == resolved_size(e, id);
	}
	return false;
}

static int resolve(struct env *e, const struct btfc_type *t, uint32_t id)
{
	uint32_t saved = e->log_type_id;
	int err;

	e->mode = RESOLVE_TBD;
	err = stack_push(e, t, id);
	while (!err && e->top) {
		const struct vertex *v = &e->stack[e->top - 1];
		e->log_type_id = v->id;
		err = ops_of(v->t)->resolve(e, v);
	}
	e->log_type_id = id;
	if (err == -E2BIG)
		fail_type(e, t, true, err, "Exceeded max resolving depth:%u", MAX_RESOLVE_DEPTH);
	else if (err == -EEXIST)
		fail_type(e, t, true, err, "Loop detected");
	if (!err && !resolve_valid(e, t, id))
		err = fail_type(e, t, true, -EINVAL, "Invalid resolve state");
	e->log_type_id = saved;
	return err;
}

static int func_proto_check(struct env *e, const struct btfc_type *t)
{
	const struct btfc_param *args = btfc_type_data(t);
	unsigned nr = vlen_of(t);
	int err;

	if (t->type) {
		uint32_t rid = t->type;
		const struct btfc_type *rt = type_by_id(e, rid);
		if (!rt || is_resolve_source_only(rt))
			return fail_type(e, t, true, -EINVAL, "Invalid return type");
		if (needs_resolve(rt) && !is_resolved(e, rid) && (err = resolve(e, rt, rid)))
			return err;
		if (!type_id_size(e, &rid, NULL))
			return fail_type(e, t, true, -EINVAL, "Invalid return type");
	}
	if (!nr)
		return 0;
	if (!args[nr - 1].type) {
		if (args[nr - 1].name_off)
			return fail_type(e, t, true, -EINVAL, "Invalid arg#%u", nr);
		nr--;
	}
	for (unsigned i = 0; i < nr; i++) {
		uint32_t aid = args[i].type;
		const struct btfc_type *at = type_by_id(e, aid);
		if (!at || is_resolve_source_only(at))
			return fail_type(e, t, true, -EINVAL, "Invalid arg#%u", i + 1);
		if (args[i].name_off && (!name_offset_valid(e, args[i].name_off) ||
					 !name_valid_identifier(e, args[i].name_off)))
			return fail_type(e, t, true, -EINVAL, "Invalid arg#%u", i + 1);
		if (needs_resolve(at) && !is_resolved(e, aid) && (err = resolve(e, at, aid)))
			return err;
		if (!type_id_size(e, &aid, NULL))
			return fail_type(e, t, true, -EINVAL, "Invalid arg#%u", i + 1);
	}
	return 0;
}

static int check_all_types(struct env *e)
{
	e->rsize = calloc(e->nr_types + 1, sizeof(*e->rsize));
	e->rid = calloc(e->nr_types + 1, sizeof(*e->rid));
	e->state = calloc(e->nr_types + 1, 1);
	if (!e->rsize || !e->rid || !e->state)
		return -ENOMEM;
	e->phase = CHECK_TYPE;
	for (uint32_t i = e->base ? 0 : 1; i < e->nr_types; i++) {
		uint32_t id = e->start_id + i;
		const struct btfc_type *t = e->types[i];
		int err;
		e->log_type_id = id;
		if (needs_resolve(t) && !is_resolved(e, id) && (err = resolve(e, t, id)))
			return err;
		if (is_kind(t, BTFC_KIND_FUNC_PROTO) && (err = func_proto_check(e, t)))
			return err;
	}
	return 0;
}

static int parse_type_sec(struct env *e)
{
	/* split BTF stands for the flattened blob, whose type section starts at 0 */
	if ((e->hdr.type_off & 3) && !e->base)
		return fail_plain(e, -EINVAL, 0, "Unaligned type_off");
	if (!e->base && !e->hdr.type_len)
		return fail_plain(e, -EINVAL, 0, "No type found");
	int err = check_all_metas(e);
	return err ? err : check_all_types(e);
}

/*
 * btf_check_type_tags(): type tags come first in a modifier chain; chains end.
 * 7.2's btf_check_modifier_chain_length() keeps only the second rule.
 */
static int check_type_tags(struct env *e, uint32_t start_id)
{
	uint32_t n = e->start_id + e->nr_types, good_id = start_id - 1;

	for (uint32_t i = start_id; i < n; i++) {
		const struct btfc_type *t = type_by_id(e, i);
		int chain_limit = 32;
		uint32_t cur = i;
		if (!t)
			return fail_plain(e, -EINVAL, i, "%s", "");
		if (!is_modifier(t))
			continue;
		bool in_tags = is_kind(t, BTFC_KIND_TYPE_TAG);
		while (is_modifier(t)) {
			if (!chain_limit--)
				return fail_plain(e, -ELOOP, i,
						  "Max chain length or cycle detected");
			if (is_kind(t, BTFC_KIND_TYPE_TAG)) {
				if (!in_tags && !e->v7_2)
					return fail_plain(e, -EINVAL, i,
							  "Type tags don't precede modifiers");
			} else {
				in_tags = false;
			}
			if (cur <= good_id)
				break;
			cur = t->type;
			t = type_by_id(e, cur);
			if (!t) {
				note(e,
				     "type [%u] refers to type id %u, which does not exist; "
				     "the kernel rejects this without a message",
				     i, cur);
				return fail_plain(e, -EINVAL, i, "%s", "");
			}
		}
		good_id = i;
	}
	return 0;
}

BTFC_API const char *btfc_profile_name(enum btfc_profile p)
{
	switch (p) {
	case BTFC_PROFILE_BPF:
		return "bpf";
	case BTFC_PROFILE_MODULE:
		return "module";
	case BTFC_PROFILE_VMLINUX:
		return "vmlinux";
	}
	return "?";
}

/* A base's own bpf-profile resolution under one rule set (struct btfci_vcache below). */
struct vcache {
	bool done;
	uint32_t *rid, *rsize; /* the kernel's resolved ids and sizes, indexed by type id */
	struct btfc_verdict *verdict;
};

static int run(struct btfc_ctx *ctx, const void *data, size_t len, const struct btfc_btf *base,
	       const struct btfc_validate_opts *opts, const struct vcache *cache,
	       struct vcache *keep, struct btfc_verdict *v);

/*
 * The bpf profile of split BTF: BPF_BTF_LOAD takes no base, so what it would
 * see is the flattened blob (base types then the module's, base strings then
 * the module's: same ids and offsets). That is only defined when the split
 * header and string section are sound, so those are checked first, with the
 * split rules.
 */
static int validate_flat(struct btfc_ctx *ctx, const void *data, size_t len,
			 const struct btfc_btf *base, const struct btfc_validate_opts *opts,
			 struct btfc_verdict *v)
{
	struct btfc_validate_opts split = *opts;
	size_t btl, bsl;
	int err;

	split.headers_only =
		true; /* the split blob's header, string and layout sections, as the fast path */
	err = run(ctx, data, len, base, &split, NULL, NULL, v);
	if (err || v->err)
		return err;
	/* the split checks passed: read the header as the kernel does (fields past hdr_len are 0) */
	uint32_t w[8] = { 0 }, hdr_len;
	memcpy(&hdr_len, (const uint8_t *)data + 4, 4);
	memcpy(w, data, hdr_len < sizeof(w) ? hdr_len : sizeof(w));
	uint32_t type_off = w[2], type_len = w[3], str_off = w[4], str_len = w[5], lay_off = w[6],
		 lay_len = w[7];
	if (hdr_len <
	    BTF_HDR_LAYOUT) /* a header cut inside layout_len has no layout section (parse_layout_sec()) */
		lay_off = lay_len = 0;
	const uint8_t *nohdr = (const uint8_t *)data + w[1];
	const void *bt = btfc_btf_types_raw(base, &btl);
	const char *bs = btfc_btf_strs_raw(base, &bsl);
	if (btfc_btf_base(base))
		return btfci_err(ctx, -EINVAL, NULL,
				 "a base that is itself split BTF is not supported");
	/*
	 * The flattened blob: base types then ours, base strings then ours. A layout
	 * section (7.2; checked above, and describing kinds, not types) goes first,
	 * where its offset is aligned whatever the other sections' lengths.
	 */
	size_t hl = lay_len ? 32 : 24, flen = hl + lay_len + btl + type_len + bsl + str_len;
	uint8_t *flat = malloc(flen), *p = flat;
	if (!flat)
		return btfci_err(ctx, -ENOMEM, NULL, "out of memory");
	uint32_t tl = (uint32_t)(btl + type_len), sl = (uint32_t)(bsl + str_len);
	uint32_t fh[8] = { BTF_MAGIC | BTF_VERSION << 16,
			   (uint32_t)hl,
			   lay_len,
			   tl,
			   lay_len + tl,
			   sl,
			   0,
			   lay_len };
	const struct {
		const void *src;
		size_t len;
	} part[] = {
		{ fh, hl },  { nohdr + lay_off, lay_len },
		{ bt, btl }, { nohdr + type_off, type_len },
		{ bs, bsl }, { nohdr + str_off, str_len },
	};
	for (size_t i = 0; i < sizeof(part) / sizeof(part[0]); p += part[i].len, i++)
		memcpy(p, part[i].src, part[i].len);
	err = run(ctx, flat, flen, NULL, opts, NULL, NULL, v);
	free(flat);
	return err;
}

/*
 * One validation. @cache (bpf profile of split BTF): the base's resolution.
 * @keep (bpf profile of standalone BTF): receives the resolved ids and sizes.
 */
static int run(struct btfc_ctx *ctx, const void *data, size_t len, const struct btfc_btf *base,
	       const struct btfc_validate_opts *opts, const struct vcache *cache,
	       struct vcache *keep, struct btfc_verdict *v)
{
	enum btfc_profile profile = opts->profile;
	struct env e = { .v = v,
			 .profile = profile,
			 .base = base,
			 .tag_kflag = !opts->kernel || opts->kernel >= BTFCI_KERNEL_6_14,
			 .section_is_identifier = opts->kernel && opts->kernel < BTFC_KERNEL_6_12,
			 .v7_2 = !opts->kernel || opts->kernel >= BTFC_KERNEL_7_2,
			 .ptr_size = opts->ptr_size ? opts->ptr_size : 8 };
	uint8_t *copy = NULL;
	int err;

	btfc_verdict_release(v);
	*v = (struct btfc_verdict){ .sz = v->sz, .msg = "", .context = "", .note = "" };
	if (cache) {
		e.base_rid = cache->rid;
		e.base_rsize = cache->rsize;
	}
	if (profile == BTFC_PROFILE_BPF && !base && len > BTF_MAX_SIZE) {
		v->phase = "size";
		note(&e, "bpf(BPF_BTF_LOAD) takes at most %d bytes", BTF_MAX_SIZE);
		err = -E2BIG;
		goto out;
	}
	if (len > UINT32_MAX)
		return btfci_err(ctx, -EFBIG, NULL, "BTF larger than 4 GiB");
	/* Work on a copy laid out so that the type section is 4-byte aligned. */
	uint32_t shift = 0;
	if (len >= 12) {
		uint32_t hl, to;
		memcpy(&hl, (const uint8_t *)data + 4, 4);
		memcpy(&to, (const uint8_t *)data + 8, 4);
		shift = (4 - ((hl + to) & 3)) & 3;
	}
	if ((((uintptr_t)data + 4 - shift) & 3) == 0) {
		e.data = data; /* the type section is aligned: read in place */
	} else {
		copy = malloc(len + shift + 1);
		if (!copy) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(copy + shift, data, len);
		e.data = copy + shift;
	}
	e.size = len;
	if (base) {
		e.start_id = btfc_btf_type_cnt(base);
		e.start_str_off = btfc_btf_start_str_off(base) + btfc_btf_header(base)->str_len;
	}

	v->phase = "header";
	err = parse_hdr(&e);
	if (err)
		goto out;
	e.nohdr = e.data + e.hdr.hdr_len;
	v->phase = "strings";
	err = parse_str_sec(&e);
	if (err)
		goto out;
	v->phase = "layout";
	if ((profile == BTFC_PROFILE_BPF && (err = parse_layout_sec(&e))) || opts->headers_only)
		goto out;
	if (profile == BTFC_PROFILE_BPF && base) {
		/* the flattened blob BPF_BTF_LOAD would be given: base types and strings, then ours */
		size_t btl, bsl;
		btfc_btf_types_raw(base, &btl);
		btfc_btf_strs_raw(base, &bsl);
		if (BTF_HDR_MIN + btl + bsl + (uint64_t)e.hdr.type_len + e.hdr.str_len >
		    BTF_MAX_SIZE) {
			v->phase = "size";
			note(&e, "bpf(BPF_BTF_LOAD) takes at most %d bytes", BTF_MAX_SIZE);
			err = -E2BIG;
			goto out;
		}
	}
	if (profile == BTFC_PROFILE_BPF) {
		v->phase = "types";
		err = parse_type_sec(&e);
		if (err && e.phase == CHECK_TYPE)
			v->phase = "resolve";
	} else {
		v->phase = "types";
		err = check_all_metas(&e);
	}
	if (err)
		goto out;
	v->phase = "type_tags";
	err = check_type_tags(&e, base ? e.start_id : 1);
	if (err)
		goto out;
out:
	if (!err)
		v->phase = NULL;
	if (e.msg.oom || e.context.oom || e.note.oom ||
	    btfci_strs_set(&v->priv_, 3, (const char **const[]){ &v->msg, &v->context, &v->note },
			   (const char *const[]){ btfci_str_get(&e.msg), btfci_str_get(&e.context),
						  btfci_str_get(&e.note) }))
		err = -ENOMEM;
	btfci_str_fini(&e.msg);
	btfci_str_fini(&e.context);
	btfci_str_fini(&e.note);
	if (err == -ENOMEM) {
		btfci_err(ctx, -ENOMEM, NULL, "out of memory validating BTF");
	} else {
		v->err = err;
		err = 0;
	}
	if (keep && !err && !v->err) {
		keep->rid = e.rid;
		keep->rsize = e.rsize;
		e.rid = e.rsize = NULL;
	}
	free(e.types);
	free(e.rsize);
	free(e.rid);
	free(e.state);
	free(copy);
	return err;
}

/* bpf-profile resolution of a BTF as a base, per rule set (before 6.14, 6.14+, 7.2+) and pointer size
 * (+ 3: 4 bytes), kept in the base's model (btf_int.h) and released with it through vcache_free() */
struct btfci_vcache {
	struct vcache v[6];
};

static void vcache_free(struct btfci_vcache *c)
{
	for (int i = 0; i < 6; i++) {
		free(c->v[i].rid);
		free(c->v[i].rsize);
		btfc_verdict_release(c->v[i].verdict);
		free(c->v[i].verdict);
	}
	free(c);
}

/* The base's own bpf-profile resolution, computed once per base and rule set. */
static int base_cache(struct btfc_ctx *ctx, const struct btfc_btf *cbase,
		      const struct btfc_validate_opts *opts, const struct vcache **out)
{
	struct btfc_btf *base = (struct btfc_btf *)cbase; /* a cache, like the name index */
	unsigned k = opts->kernel, rules = !k || k >= BTFC_KERNEL_7_2 ? 2 : k >= BTFCI_KERNEL_6_14;
	struct vcache *c;
	int err = 0;

	pthread_mutex_lock(&base->idx_lock);
	if (!base->vcache && (base->vcache = calloc(1, sizeof(*base->vcache))))
		base->vcache_free = vcache_free;
	if (!base->vcache) {
		pthread_mutex_unlock(&base->idx_lock);
		*out = NULL;
		return btfci_err(ctx, -ENOMEM, NULL, "out of memory");
	}
	c = &base->vcache->v[rules + 3 * (opts->ptr_size == 4)];
	if (!c->done) {
		struct btfc_validate_opts bo = { .profile = BTFC_PROFILE_BPF,
						 .kernel = opts->kernel,
						 .ptr_size = opts->ptr_size };
		size_t len;
		const void *raw = btfc_btf_raw(base, &len);
		if (!c->verdict) /* a retry after a failure reuses it */
			c->verdict = calloc(1, sizeof(*c->verdict));
		if (c->verdict)
			c->verdict->sz = sizeof(*c->verdict);
		if (!c->verdict)
			err = btfci_err(ctx, -ENOMEM, NULL, "out of memory");
		else if (btfc_btf_base(base))
			err = btfci_err(ctx, -EINVAL, base->name,
					"a base must be standalone BTF, not split BTF");
		else
			err = run(ctx, raw, len, NULL, &bo, NULL, c, c->verdict);
		c->done = !err;
	}
	pthread_mutex_unlock(&base->idx_lock);
	*out = c;
	return err;
}

static int validate(struct btfc_ctx *ctx, const void *data, size_t len, const struct btfc_btf *base,
		    const struct btfc_validate_opts *opts, struct btfc_verdict *v)
{
	const struct vcache *c;
	int err;

	if (opts->profile != BTFC_PROFILE_BPF || !base)
		return run(ctx, data, len, base, opts, NULL, NULL, v);
	if (opts->flatten)
		return validate_flat(ctx, data, len, base, opts, v);
	/*
	 * The bpf profile of split BTF is what BPF_BTF_LOAD says of the flattened
	 * blob. The base's types come first there and resolve on their own, so
	 * they are validated once per base and their resolution reused.
	 */
	if ((err = base_cache(ctx, base, opts, &c)))
		return err;
	if (c->verdict->err) {
		const struct btfc_verdict *b = c->verdict;
		*v = (struct btfc_verdict){ .sz = v->sz,
					    .priv_ = v->priv_,
					    .err = b->err,
					    .type_id = b->type_id,
					    .phase = b->phase,
					    .msg = v->msg,
					    .context = v->context,
					    .note = v->note };
		if (verdict_strs(v, b->msg, b->context, b->note))
			return btfci_err(ctx, -ENOMEM, NULL, "out of memory");
		return 0;
	}
	return run(ctx, data, len, base, opts, c, NULL, v);
}

static const char *order_name(bool big) { return big ? "big-endian" : "little-endian"; }

BTFC_API void btfc_verdict_release(struct btfc_verdict *v)
{
	if (!v || v->sz < btfci_offsetofend(struct btfc_verdict, priv_))
		return; /* zero-initialised, or too short to hold strings */
	btfci_strs_release(&v->priv_, 0, NULL);
	/* the strings the caller's sz covers point at "" */
	if (v->sz >= btfci_offsetofend(struct btfc_verdict, msg))
		v->msg = "";
	if (v->sz >= btfci_offsetofend(struct btfc_verdict, context))
		v->context = "";
	if (v->sz >= btfci_offsetofend(struct btfc_verdict, note))
		v->note = "";
}

/* btfc_validate() on a verdict this library's size (released or zero-initialised, sz set) */
static int validate_full(struct btfc_ctx *ctx, const void *data, size_t len,
			 const struct btfc_btf *base, const struct btfc_validate_opts *opts,
			 struct btfc_verdict *v)
{
	const uint8_t *p = data;
	const bool host_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
	/* the blob's order from its magic: 0 not BTF, 1 little-endian, 2 big-endian */
	int blob = len < 2                      ? 0 :
		   p[0] == 0x9f && p[1] == 0xeb ? 1 :
		   p[0] == 0xeb && p[1] == 0x9f ? 2 :
						  0;
	bool big = base        ? btfc_btf_source(base)->big_endian :
		   opts->order ? opts->order == BTFC_ORDER_BIG :
		   blob        ? blob == 2 :
				 host_big;
	uint8_t *view = NULL;

	/* what a kernel of that order reads: the blob as its order maps it to ours */
	if (big != host_big) {
		if (!(view = malloc(len ? len : 1)))
			return btfci_err(ctx, -ENOMEM, NULL, "out of memory");
		memcpy(view, data, len);
		btfci_btf_swap(view, len, true);
		data = view;
	}
	int err = validate(ctx, data, len, base, opts, v);
	free(view);
	if (!err && v->err && blob && (blob == 2) != big && !v->note[0]) {
		struct btfci_str n = { 0 };
		btfci_str_addf(
			&n,
			"the BTF is in the other byte order (%s; the kernel is %s): a kernel takes only its own",
			order_name(blob == 2), order_name(big));
		if (n.oom || verdict_strs(v, v->msg, v->context, btfci_str_get(&n)))
			err = btfci_err(ctx, -ENOMEM, NULL, "out of memory");
		btfci_str_fini(&n);
	}
	return err;
}

BTFC_API int btfc_validate(struct btfc_ctx *ctx, const void *data, size_t len,
			   const struct btfc_btf *base, const struct btfc_validate_opts *opts,
			   struct btfc_verdict *v)
{
	struct btfc_verdict full = { .sz = sizeof(full), .msg = "", .context = "", .note = "" };
	int err;

	if ((err = BTFCI_OPTS_CHECK(ctx, opts, btfc_validate_opts)) ||
	    (err = btfci_result_check(ctx, v, "btfc_verdict")))
		return err;
	const struct btfc_validate_opts o = {
		.sz = sizeof(o),
		.profile = BTFCI_OPTS_GET(opts, profile, BTFC_PROFILE_BPF),
		.kernel = BTFCI_OPTS_GET(opts, kernel, BTFC_KERNEL_NEWEST),
		.headers_only = BTFCI_OPTS_GET(opts, headers_only, 0),
		.flatten = BTFCI_OPTS_GET(opts, flatten, 0),
		.order = BTFCI_OPTS_GET(opts, order, BTFC_ORDER_AUTO),
		.ptr_size = BTFCI_OPTS_GET(opts, ptr_size, 0),
	};
	err = validate_full(ctx, data, len, base, &o, &full);
	if (v->sz < btfci_offsetofend(struct btfc_verdict, priv_))
		btfc_verdict_release(&full);
	btfci_result_put(v, &full, sizeof(full));
	return err;
}
