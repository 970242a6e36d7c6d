// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * `bpftool btf dump file F` (bpftool 7.1, "raw" format and -j/-p JSON),
 * byte for byte: one printer per kind, written once through the emitter.
 * bpftool's quirks are kept on purpose and marked "sic".
 */
#include <errno.h>
#include <stdlib.h>

#include "btf_int.h"
#include "out.h"

/* FUNC (vlen) and VAR linkage share bpftool's names. */
static const char *linkage_name(uint32_t l)
{
	static const char *const s[] = { "static", "global", "extern" };

	return l < 3 ? s[l] : "(unknown)";
}

/* bpftool's btf_str(): "(anon)" for offset 0, "(invalid)" when out of range. */
static const char *name_of(const struct btfc_btf *btf, uint32_t off)
{
	const char *s;

	if (!off)
		return "(anon)";
	s = btfc_btf_str(btf, off);
	return s ? s : "(invalid)";
}

static void dump_members(struct out *o, const struct btfc_btf *btf, const struct btfc_type *t)
{
	const struct btfc_member *m = btfc_type_data(t);

	em_list_begin(o, "members");
	for (unsigned i = 0; i < btfc_type_vlen(t); i++, m++) {
		uint32_t bit_off = m->offset, bit_sz = 0;
		if (btfc_type_kflag(t)) {
			bit_off = m->offset & 0xffffff;
			bit_sz = m->offset >> 24;
		}
		em_item_begin(o);
		em_quoted(o, "name", name_of(btf, m->name_off));
		em_u(o, "type_id", m->type);
		em_u(o, "bits_offset", bit_off);
		if (bit_sz)
			em_u(o, "bitfield_size", bit_sz);
		em_item_end(o);
	}
	em_list_end(o);
}

static void dump_enum(struct out *o, const struct btfc_btf *btf, const struct btfc_type *t)
{
	bool sgn = btfc_type_kflag(t);
	bool is64 = btfc_type_kind(t) == BTFC_KIND_ENUM64;

	em_s(o, "encoding", sgn ? "SIGNED" : "UNSIGNED");
	em_u(o, "size", t->size);
	em_u(o, "vlen", btfc_type_vlen(t));
	em_list_begin(o, "values");
	for (unsigned i = 0; i < btfc_type_vlen(t); i++) {
		uint32_t name_off;
		/*
		 * sic: bpftool prints an unsigned enum's s32 value with %u in
		 * text but widens it to u64 with sign extension in JSON.
		 */
		uint64_t val = btfci_enum_val(t, i, em_json(o) || sgn, &name_off);
		em_item_begin(o);
		em_quoted(o, "name", name_of(btf, name_off));
		if (sgn)
			em_i(o, "val", (int64_t)val);
		else
			em_u(o, "val", val);
		if (is64)
			em_text(o, sgn ? "LL" : "ULL");
		em_item_end(o);
	}
	em_list_end(o);
}

static void dump_params(struct out *o, const struct btfc_btf *btf, const struct btfc_type *t)
{
	const struct btfc_param *p = btfc_type_data(t);

	em_u(o, "ret_type_id", t->type);
	em_u(o, "vlen", btfc_type_vlen(t));
	em_list_begin(o, "params");
	for (unsigned i = 0; i < btfc_type_vlen(t); i++, p++) {
		em_item_begin(o);
		em_quoted(o, "name", name_of(btf, p->name_off));
		em_u(o, "type_id", p->type);
		em_item_end(o);
	}
	em_list_end(o);
}

static void dump_datasec(struct out *o, const struct btfc_btf *btf, const struct btfc_type *t)
{
	const struct btfc_var_secinfo *v = btfc_type_data(t);

	em_u(o, "size", t->size);
	em_u(o, "vlen", btfc_type_vlen(t));
	em_list_begin(o, "vars");
	for (unsigned i = 0; i < btfc_type_vlen(t); i++, v++) {
		em_item_begin(o);
		em_u(o, "type_id", v->type);
		em_u(o, "offset", v->offset);
		em_u(o, "size", v->size);
		if (!em_json(o) && v->type < btfc_btf_type_cnt(btf)) {
			/* id 0 is libbpf's void record: kind UNKNOWN, no name */
			const struct btfc_type *vt = btfc_btf_type_by_id(btf, v->type);
			em_text(o, " (");
			em_text(o, btfc_kind_name(vt ? btfc_type_kind(vt) : 0));
			em_text(o, " '");
			em_text(o, name_of(btf, vt ? vt->name_off : 0));
			em_text(o, "')");
		}
		em_item_end(o);
	}
	em_list_end(o);
}

static void dump_type(struct out *o, const struct btfc_btf *btf, uint32_t id,
		      const struct btfc_type *t)
{
	unsigned kind = btfc_type_kind(t);
	const char *kname = btfc_kind_name(kind);

	em_obj_begin(o);
	if (em_json(o)) {
		em_u(o, "id", id);
		em_s(o, "kind", kname);
		em_s(o, "name", name_of(btf, t->name_off));
	} else {
		out_raw(o, "[", 1);
		out_u64(o, id);
		out_raw(o, "] ", 2);
		out_str(o, kname);
		o->text_first = false;
		em_quoted(o, NULL, name_of(btf, t->name_off));
	}

	switch (kind) {
	case BTFC_KIND_INT: {
		uint32_t v = *(const uint32_t *)btfc_type_data(t);
		em_u(o, "size", t->size);
		em_u(o, "bits_offset", v >> 16 & 0xff);
		em_u(o, "nr_bits", v & 0xff);
		em_s(o, "encoding", btfci_int_encoding_name(v >> 24 & 0x0f));
		break;
	}
	case BTFC_KIND_PTR:
	case BTFC_KIND_CONST:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_TYPE_TAG:
		em_u(o, "type_id", t->type);
		break;
	case BTFC_KIND_ARRAY: {
		const struct btfc_array *a = btfc_type_data(t);
		em_u(o, "type_id", a->type);
		em_u(o, "index_type_id", a->index_type);
		em_u(o, "nr_elems", a->nelems);
		break;
	}
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
		em_u(o, "size", t->size);
		em_u(o, "vlen", btfc_type_vlen(t));
		dump_members(o, btf, t);
		break;
	case BTFC_KIND_ENUM:
	case BTFC_KIND_ENUM64:
		dump_enum(o, btf, t);
		break;
	case BTFC_KIND_FWD:
		em_s(o, "fwd_kind", btfc_type_kflag(t) ? "union" : "struct");
		break;
	case BTFC_KIND_FUNC:
		em_u(o, "type_id", t->type);
		em_s(o, "linkage", linkage_name(btfc_type_vlen(t)));
		break;
	case BTFC_KIND_FUNC_PROTO:
		dump_params(o, btf, t);
		break;
	case BTFC_KIND_VAR:
		em_u(o, "type_id", t->type);
		em_text(o, ","); /* sic: "type_id=N, linkage=L" */
		em_s(o, "linkage",
		     linkage_name(((const struct btfc_var *)btfc_type_data(t))->linkage));
		break;
	case BTFC_KIND_DATASEC:
		dump_datasec(o, btf, t);
		break;
	case BTFC_KIND_FLOAT:
		em_u(o, "size", t->size);
		break;
	case BTFC_KIND_DECL_TAG:
		em_u(o, "type_id", t->type);
		em_i(o, "component_idx",
		     ((const struct btfc_decl_tag *)btfc_type_data(t))->component_idx);
		break;
	}
	em_obj_end(o, true);
}

BTFC_API int btfc_btf_dump(const struct btfc_btf *btf, int fd, enum btfc_dump_format format)
{
	struct out *o = malloc(sizeof(*o)); /* 64 KiB buffer: not on the stack */

	if (!o)
		return -ENOMEM;
	out_init(o, fd,
		 format == BTFC_DUMP_RAW  ? OUT_TEXT :
		 format == BTFC_DUMP_JSON ? OUT_JSON :
					    OUT_JSON_PRETTY);
	o->bpftool = true; /* bpftool's bytes, its JSON quirks included */
	if (em_json(o)) {
		em_obj_begin(o);
		em_list_begin(o, "types");
	}
	for (uint32_t id = btfc_btf_start_id(btf); id < btfc_btf_type_cnt(btf); id++)
		dump_type(o, btf, id, btfc_btf_type_by_id(btf, id));
	if (em_json(o)) {
		em_list_end(o);
		em_obj_end(o, false);
		out_raw(o, "\n", 1); /* bpftool's jsonw_destroy() */
	}
	int err = out_flush(o);
	free(o);
	return err;
}
