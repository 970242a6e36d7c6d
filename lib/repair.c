// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * repair: the rewriting verbs: relocate, distill, strip and stamp kernel
 * modules' BTF, on disk.
 *
 * relocate = distill on the old base, then relocate onto the new one, exactly
 * as libbpf and the kernel do (relocate.c); on top of that, with the old base
 * at hand, every named base type the module uses is compared with its new
 * namesake (diff.c), so a layout change refuses by default instead of
 * passing silently. The module's .BTF_ids (resolve_btfids' type ids, which
 * the module's code reads) are renumbered with the same map, sets re-sorted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_int.h"
#include "btfcompat/stamp.h"
#include "diff.h"
#include "elfw.h"
#include "relocate.h"
#include "repair.h"
#include "stamp_int.h"

BTFC_API const char *btfc_match_name(enum btfc_match m)
{
	return m == BTFC_MATCH_KERNEL ? "kernel" : "layout";
}

/* ---- .BTF_ids: resolve_btfids' id slots and sorted sets ---- */

struct btf_ids {
	uint8_t *data; /* host order while loaded (ids_load, ids_store) */
	size_t len;
	bool swap; /* the module's ELF is in the other byte order */
	uint32_t *slot; /* offsets of id words */
	size_t n_slot;
	struct ids_set {
		uint32_t off;
		bool set8; /* {cnt, flags, {id, flags}[cnt]} rather than {cnt, id[cnt]} */
	} * set;
	size_t n_set;
};

static int push(void *arr, size_t *n, size_t size)
{
	void **a = arr;
	if (*n == 0 || (*n >= 8 && !(*n & (*n - 1)))) { /* capacity: 8, then powers of two */
		void *p = realloc(*a, (*n ? *n * 2 : 8) * size);
		if (!p)
			return -ENOMEM;
		*a = p;
	}
	(*n)++;
	return 0;
}

static int ids_sym(void *user, const char *name, uint64_t value)
{
	struct btf_ids *ids = user;

	if (strncmp(name, "__BTF_ID__", 10))
		return 0;
	name += 10;
	if (value > ids->len || ids->len - value < 4)
		return -EINVAL;
	bool set8 = !strncmp(name, "set8__", 6);
	if (set8 || !strncmp(name, "set__", 5)) {
		if (push(&ids->set, &ids->n_set, sizeof(*ids->set)))
			return -ENOMEM;
		ids->set[ids->n_set - 1] = (struct ids_set){ (uint32_t)value, set8 };
		return 0;
	}
	if (push(&ids->slot, &ids->n_slot, sizeof(*ids->slot)))
		return -ENOMEM;
	ids->slot[ids->n_slot - 1] = (uint32_t)value;
	return 0;
}

static void ids_fini(struct btf_ids *ids)
{
	free(ids->data);
	free(ids->slot);
	free(ids->set);
	memset(ids, 0, sizeof(*ids));
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* Swap every 32-bit word of @ids (the section is all u32: ids, counts, flags). */
static void ids_swap(struct btf_ids *ids)
{
	for (size_t o = 0; ids->swap && o + 4 <= ids->len; o += 4) {
		uint32_t v = btfci_bswap32(rd32(ids->data + o));
		memcpy(ids->data + o, &v, 4);
	}
}

/* The module's .BTF_ids (in host order) and where its ids are; an absent section is empty. */
static int ids_load(struct btfc_ctx *ctx, const char *path, const struct btfc_module *m,
		    struct btf_ids *ids)
{
	const void *sec;
	size_t len;

	memset(ids, 0, sizeof(*ids));
	int err = btfc_module_section(m, ".BTF_ids", &sec, &len);
	if (err == -ENODATA)
		return 0;
	if (!err && !(ids->data = malloc(len ? len : 1)))
		err = -ENOMEM;
	if (!err) {
		memcpy(ids->data, sec, len);
		ids->len = len;
		ids->swap = btfci_module_big_endian(m) != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
		ids_swap(ids);
		err = btfci_module_symbols(m, ".BTF_ids", ids_sym, ids);
	}
	for (size_t i = 0; !err && i < ids->n_set; i++) {
		uint32_t o = ids->set[i].off, cnt = rd32(ids->data + o);
		uint64_t need = ids->set[i].set8 ? 8 + 8ull * cnt : 4 + 4ull * cnt;
		if (o + need > len)
			err = -EINVAL;
	}
	if (err) {
		ids_fini(ids);
		return btfci_err(ctx, err, path,
				 err == -ENOMEM ? "out of memory" :
						  "corrupt .BTF_ids section or symbols");
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = rd32(a), y = rd32(b);
	return x < y ? -1 : x > y;
}

/* Map every id slot through @fn (0: cannot), then sort the sets as resolve_btfids does. */
static int ids_remap(struct btf_ids *ids, uint32_t (*fn)(void *, uint32_t), void *user,
		     uint32_t *bad)
{
	for (size_t i = 0; i < ids->n_slot; i++) {
		uint8_t *p = ids->data + ids->slot[i];
		uint32_t v = rd32(p), nv;
		if (!v)
			continue;
		if (!(nv = fn(user, v))) {
			*bad = v;
			return -ENOENT;
		}
		memcpy(p, &nv, 4);
	}
	for (size_t i = 0; i < ids->n_set; i++) {
		uint8_t *p = ids->data + ids->set[i].off;
		uint32_t cnt = rd32(p);
		if (ids->set[i].set8)
			qsort(p + 8, cnt, 8, cmp_u32);
		else
			qsort(p + 4, cnt, 4, cmp_u32);
	}
	return 0;
}

/* Base ids the slots name (the types the new BTF must keep). */
static uint32_t *ids_base_refs(const struct btf_ids *ids, const struct btfc_btf *mod, size_t *n)
{
	uint32_t start = btfc_btf_start_id(mod), *r = malloc((ids->n_slot + 1) * sizeof(*r));

	*n = 0;
	for (size_t i = 0; r && i < ids->n_slot; i++) {
		uint32_t v = rd32(ids->data + ids->slot[i]);
		if (v && v < start)
			r[(*n)++] = v;
	}
	return r;
}

/* Kinds a distilled base cannot hold (a .BTF_ids slot may still name them). */
static bool base_only_kind(const struct btfc_btf *mod, uint32_t id)
{
	const struct btfc_type *t = btfc_btf_type_by_id(mod, id);
	unsigned k = t ? btfc_type_kind(t) : 0;

	return k == BTFC_KIND_FUNC || k == BTFC_KIND_VAR || k == BTFC_KIND_DATASEC ||
	       k == BTFC_KIND_DECL_TAG;
}

/* ---- relocator ---- */

struct btfc_relocator {
	const struct btfc_btf *from, *to;
	struct btfc_abi_map *abi; /* fate of every named type of @from in @to */
};

BTFC_API int btfc_relocator_new(struct btfc_ctx *ctx, const struct btfc_btf *from,
				const struct btfc_btf *to, struct btfc_relocator **out)
{
	struct btfc_relocator *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return btfci_err(ctx, -ENOMEM, NULL, "out of memory");
	if ((from && from->base) || to->base) {
		free(r);
		return btfci_err(ctx, -EINVAL, btfc_btf_name(to->base ? to : from),
				 "not a vmlinux BTF (it is split BTF)");
	}
	if (from && from->src.big_endian != to->src.big_endian) {
		free(r);
		return btfci_err(ctx, -EINVAL, btfc_btf_name(to),
				 "is %s-endian and %s %s-endian: no module moves between them",
				 to->src.big_endian ? "big" : "little", btfc_btf_name(from),
				 from->src.big_endian ? "big" : "little");
	}
	r->from = from;
	r->to = to;
	int err;
	if (from && (err = btfc_abi_map_new(ctx, from, to, &r->abi))) {
		free(r);
		return err;
	}
	*out = r;
	return 0;
}

BTFC_API void btfc_relocator_free(struct btfc_relocator *r)
{
	if (!r)
		return;
	btfc_abi_map_free(r->abi);
	free(r);
}

/* One relocation in memory: the new blob and the map of every old id. */
struct job {
	struct btfc_relocator *r;
	struct btfc_ctx *ctx;
	const struct btfc_btf *mod;
	enum btfc_match match;
	btfc_reloc_issue_fn fn;
	void *user;
	struct btfc_reloc_result *res;
	const uint32_t *full; /* old id -> new id */
	uint32_t n_full;
	uint32_t fatal;
	const char *
		refused; /* the name of the distilled type the kernel's rules could not map, or NULL */
};

static void issue(struct job *j, uint32_t old_id, const char *what, bool fatal, bool gone,
		  const struct btfci_diff_counts *n)
{
	char type[256];

	j->fatal += fatal;
	if (!j->fn)
		return;
	btfci_type_render(j->r->from, old_id, type, sizeof(type));
	struct btfc_reloc_issue is = { type,        what,     fatal,    gone,       n->old_size,
				       n->new_size, n->moved, n->added, n->removed, n->retyped };
	j->fn(j->user, &is);
}

/* Text built as "; a; b" without its leading "; ". */
static const char *after_sep(const struct btfci_str *s)
{
	return s->oom || s->len < 2 ? "(out of memory)" : s->s + 2;
}

/* Judge one named base type the module uses (or its .BTF_ids names). */
static void judge(struct job *j, uint32_t old_id)
{
	const struct btfc_type *t = btfc_btf_type_by_id(j->r->from, old_id);
	unsigned k = btfc_type_kind(t);
	uint32_t nid;
	struct btfci_str what = { 0 };
	struct btfci_diff_counts n = { 0 };
	enum btfc_diff_what fate;

	if (k == BTFC_KIND_FWD)
		return; /* a forward declaration has no layout */
	j->res->base_types++;
	switch ((fate = btfc_abi_map_fate(j->r->abi, old_id, &nid))) {
	case BTFC_DIFF_SAME: {
		uint32_t got = old_id < j->n_full ? j->full[old_id] : 0;
		bool distilled = k == BTFC_KIND_STRUCT || k == BTFC_KIND_UNION ||
				 k == BTFC_KIND_ENUM || k == BTFC_KIND_ENUM64 ||
				 k == BTFC_KIND_INT || k == BTFC_KIND_FLOAT;
		if (j->full && distilled && got && got != nid) {
			btfci_str_addf(
				&what,
				"; matched by name and size to [%u], but the type with the same layout is [%u]",
				got, nid);
			j->res->changed++;
			issue(j, old_id, after_sep(&what), true, false, &n);
			btfci_str_fini(&what);
		}
		return;
	}
	case BTFC_DIFF_CHANGED:
		btfci_diff_explain(j->r->from, old_id, j->r->to, nid, &what, &n);
		break;
	default:
		btfci_str_addf(&what, "; not in the new base");
	}
	j->res->changed++;
	issue(j, old_id, after_sep(&what),
	      j->match == BTFC_MATCH_LAYOUT ||
		      (t->name_off && j->refused &&
		       !strcmp(btfc_btf_str(j->r->from, t->name_off), j->refused)),
	      fate != BTFC_DIFF_CHANGED, &n);
	btfci_str_fini(&what);
}

static void judge_cb(void *user, enum btfc_diff_what what, uint32_t old_id, uint32_t new_id)
{
	(void)what;
	(void)new_id;
	judge(user, old_id);
}

/*
 * Relocate @mod; *@full maps every old id. @roots: extra base ids to carry.
 * 0 relocated, 1 refused, < 0 error.
 */
static int relocate(struct job *j, const uint32_t *roots, size_t n_roots, struct btfci_blob *out,
		    uint32_t **full)
{
	struct btfc_ctx *ctx = j->ctx;
	const struct btfc_btf *mod = j->mod;
	const char *name = btfc_btf_name(mod);
	struct btfci_blob db = { 0 }, ds = { 0 };
	struct btfc_btf *d = NULL, *s = NULL;
	int rc;

	*full = NULL;
	j->res->distilled = mod->base != j->r->from;
	if (!j->res->distilled) {
		/* full base: distill, then relocate what the kernel would relocate */
		if ((rc = btfci_distill(ctx, mod, roots, n_roots, &db, &ds)) ||
		    (rc = btfc_btf_parse(ctx, db.data, db.len, name, NULL, &d)) ||
		    (rc = btfc_btf_parse(ctx, ds.data, ds.len, name, d, &s)))
			goto out;
		rc = btfci_relocate(ctx, s, j->r->to, out);
		if (rc == 0) {
			uint32_t n = btfc_btf_type_cnt(mod);
			if (!(*full = calloc(n, sizeof(**full)))) {
				rc = btfci_err(ctx, -ENOMEM, name, "out of memory");
				goto out;
			}
			for (uint32_t i = 0; i < n; i++)
				(*full)[i] = ds.id_map[i] < out->n_map ? out->id_map[ds.id_map[i]] :
									 0;
			j->n_full = n;
		}
	} else {
		rc = btfci_relocate(ctx, mod, j->r->to, out);
		if (rc == 0) {
			*full = out->id_map;
			j->n_full = out->n_map;
			out->id_map = NULL;
		}
	}
	if (rc < 0)
		goto out;
	/* with the old base at hand: what became of every named base type the module uses */
	if (!j->res->distilled && j->r->abi) {
		struct btfci_err_save why; /* the refusal, kept while the judging below runs */
		btfci_err_save(ctx, &why);
		const struct btfc_type *rt =
			rc == 1 && out->refused_id ? btfc_btf_type_by_id(d, out->refused_id) : NULL;
		j->refused = rt ? btfc_btf_str(d, rt->name_off) : NULL;
		j->full = *full;
		int err = btfc_abi_map_walk(ctx, j->r->abi, mod, judge_cb, j);
		for (size_t i = 0; !err && i < n_roots; i++) {
			const struct btfc_type *t = btfc_btf_type_by_id(mod, roots[i]);
			if (t && btfc_type_kind(t) == BTFC_KIND_FUNC)
				judge(j, roots[i]);
		}
		if (err) {
			rc = err;
			goto out;
		}
		btfci_err_restore(ctx, &why);
		if (rc == 0 && j->fatal) {
			rc = btfci_refuse(
				ctx, BTFC_REASON_LAYOUT, 1, name,
				"%u base type%s it uses changed in %s: its code was compiled for other layouts; "
				"rebuild it (or relocate by name and size, as the kernel does)",
				j->fatal, j->fatal == 1 ? "" : "s", btfc_btf_name(j->r->to));
		}
	}
out:
	if (rc) {
		free(*full);
		*full = NULL;
		btfci_blob_fini(out);
	}
	btfc_btf_free(s);
	btfc_btf_free(d);
	btfci_blob_fini(&db);
	btfci_blob_fini(&ds);
	return rc;
}

static int relocator_btf(struct btfc_relocator *r, struct btfc_ctx *ctx, const struct btfc_btf *mod,
			 enum btfc_match match, btfc_reloc_issue_fn fn, void *user, void **out,
			 size_t *len, struct btfc_reloc_result *res)
{
	struct btfci_blob b;
	uint32_t *full;

	*out = NULL;
	*len = 0;
	if (!mod->base || (mod->base != r->from && mod->base->base))
		return btfci_err(ctx, -EINVAL, btfc_btf_name(mod),
				 "not split BTF on the relocator's base");
	struct job j = { r, ctx, mod, match, fn, user, res, NULL, 0, 0 };
	int rc = relocate(&j, NULL, 0, &b, &full);
	res->refused = rc == 1;
	if (rc == 1 && ctx->reason == BTFC_REASON_NONE) /* as relocate_m: why is data */
		ctx->reason = BTFC_REASON_UNMAPPED;
	if (rc)
		return rc;
	free(full);
	free(b.id_map);
	if (mod->src.swapped) /* in the module's own byte order, as libbpf's btf__raw_data() */
		btfci_btf_swap(b.data, b.len, false);
	*out = b.data;
	*len = b.len;
	return 0;
}

/* .BTF_ids remapping after a relocation */
struct idmap {
	const uint32_t *full;
	uint32_t n;
	const struct btfc_btf *mod, *to;
};

static uint32_t map_reloc(void *user, uint32_t v)
{
	struct idmap *m = user;

	if (v < m->n && m->full[v])
		return m->full[v];
	/* a base type the module's BTF does not use (a function, say): by kind and name */
	const struct btfc_type *t = btfc_btf_type_by_id(m->mod, v);
	if (!t || v >= btfc_btf_start_id(m->mod) || !t->name_off)
		return 0;
	int64_t id = btfc_btf_find(m->to, btfc_btf_str(m->mod, t->name_off), btfc_type_kind(t));
	return id > 0 ? (uint32_t)id : 0;
}

static void describe_id(const struct btfc_btf *b, uint32_t id, char *buf, size_t cap)
{
	const struct btfc_type *t = btfc_btf_type_by_id(b, id);
	snprintf(buf, cap, "[%u] %s '%s'", id, t ? btfc_kind_name(btfc_type_kind(t)) : "?",
		 t ? btfc_btf_str(b, t->name_off) : "?");
}

/* Open the module's BTF: on its .BTF.base if it has one, else on @from. */
static int open_mod_btf(struct btfc_ctx *ctx, const char *path, const struct btfc_module *m,
			const struct btfc_btf *from, struct btfc_btf **dist, struct btfc_btf **mod)
{
	const void *sec, *bsec;
	size_t len, blen;
	int err;

	*dist = *mod = NULL;
	if ((err = btfc_module_section(m, ".BTF", &sec, &len)))
		return btfci_err(ctx, err == -ENODATA ? -ENODATA : -EINVAL, path,
				 err == -ENODATA ? "no .BTF section" :
						   "cannot read its .BTF section");
	if (!btfc_module_section(m, ".BTF.base", &bsec, &blen)) {
		char nm[4096];
		snprintf(nm, sizeof(nm), "%s .BTF.base", path);
		if ((err = btfc_btf_parse(ctx, bsec, blen, nm, NULL, dist)))
			return err;
		err = btfc_btf_parse(ctx, sec, len, path, *dist, mod);
	} else if (!from) {
		return btfci_err(ctx, -EINVAL, path,
				 "has no .BTF.base: the base it was built on is needed");
	} else {
		err = btfc_btf_parse(ctx, sec, len, path, from, mod);
	}
	const struct btfc_btf *b = *dist ? *dist : from;
	if (!err && (*mod)->src.big_endian != b->src.big_endian) /* the kernel takes neither */
		err = btfci_err(
			ctx, -EINVAL, path,
			"its .BTF is %s-endian and %s %s-endian: a kernel takes only its own byte order",
			(*mod)->src.big_endian ? "big" : "little", btfc_btf_name(b),
			b->src.big_endian ? "big" : "little");
	return err;
}

BTFC_API int btfci_relocator_btf(struct btfc_ctx *ctx, struct btfc_relocator *r,
				 const struct btfc_btf *mod, enum btfc_match match,
				 btfc_reloc_issue_fn fn, void *user, void **out, size_t *len,
				 struct btfc_reloc_result *res)
{
	struct btfc_reloc_result full = { .sz = sizeof(full) };
	int err;

	if (res && (err = btfci_result_check(ctx, res, "btfc_reloc_result")))
		return err;
	err = relocator_btf(r, ctx, mod, match, fn, user, out, len, &full);
	if (res)
		btfci_result_put(res, &full, sizeof(full));
	return err;
}
BTFCI_DEFAULT(btfci_relocator_btf, btfc_relocator_btf, "LIBBTFCOMPAT_0.5");

/* before 0.5: (r, ctx, ...) */
BTFC_API int btfci_relocator_btf_v01(struct btfc_relocator *r, struct btfc_ctx *ctx,
				     const struct btfc_btf *mod, enum btfc_match match,
				     btfc_reloc_issue_fn fn, void *user, void **out, size_t *len,
				     struct btfc_reloc_result *res)
{
	return btfci_relocator_btf(ctx, r, mod, match, fn, user, out, len, res);
}
BTFCI_COMPAT(btfci_relocator_btf_v01, btfc_relocator_btf, "LIBBTFCOMPAT_0.1");

static int relocate_m(struct btfc_relocator *r, struct btfc_ctx *ctx, struct btfc_module *m,
		      const char *dest, enum btfc_match match, unsigned flags,
		      btfc_reloc_issue_fn fn, void *user, struct btfc_reloc_result *res)
{
	const char *path = m->name;
	struct btfc_btf *dist = NULL, *mod = NULL;
	struct btf_ids ids = { 0 };
	struct btfci_blob b = { 0 };
	uint32_t *full = NULL, *roots = NULL;
	uint8_t stamp[BTFC_STAMP_SIZE];
	size_t n_roots = 0;
	int err;

	memset(res, 0, sizeof(*res));
	if ((err = open_mod_btf(ctx, path, m, r->from, &dist, &mod)) ||
	    (err = ids_load(ctx, path, m, &ids)))
		goto out;
	if (!(roots = ids_base_refs(&ids, mod, &n_roots))) {
		err = btfci_err(ctx, -ENOMEM, path, "out of memory");
		goto out;
	}
	/* the slots' base types of kinds a distilled base can hold travel with the module's BTF */
	size_t k = 0;
	for (size_t i = 0; i < n_roots; i++)
		if (!base_only_kind(mod, roots[i]))
			roots[k++] = roots[i];
	struct job j = { r, ctx, mod, match, fn, user, res, NULL, 0, 0 };
	err = relocate(&j, roots, dist ? 0 : k, &b, &full);
	if (err == 1) {
		res->refused = 1;
		if (ctx->reason == BTFC_REASON_NONE)
			ctx->reason = BTFC_REASON_UNMAPPED;
		err = 0;
		goto out;
	}
	if (err)
		goto out;
	uint32_t bad = 0;
	struct idmap im = { full, j.n_full, mod, r->to };
	if (ids_remap(&ids, map_reloc, &im, &bad)) {
		char d[300];
		describe_id(mod, bad, d, sizeof(d));
		res->refused = 1;
		btfci_refuse(ctx, BTFC_REASON_UNMAPPED, 1, path,
			     ".BTF_ids names type %s, which has no counterpart in %s", d,
			     btfc_btf_name(r->to));
		goto out;
	}
	res->btf_ids = ids.n_slot;
	if (mod->src.swapped) /* written in the byte order it came in */
		btfci_btf_swap(b.data, b.len, false);
	ids_swap(&ids);
	struct btfci_sec_edit ed[4] = { { ".BTF", b.data, b.len, 4, false },
					{ ".BTF.base", NULL, 0, 0, true } };
	size_t n = 2;
	if (ids.n_slot)
		ed[n++] = (struct btfci_sec_edit){ ".BTF_ids", ids.data, ids.len, 1, false };
	const void *old;
	size_t old_len;
	if ((flags & BTFC_REWRITE_STAMP) ||
	    !btfc_module_section(m, BTFC_STAMP_SECTION, &old, &old_len)) {
		struct btfc_stamp st;
		if ((err = btfc_stamp_compute(ctx, r->to, &st)))
			goto out;
		st.big_endian =
			(uint8_t)mod->src.big_endian; /* in the order of the module's .BTF */
		btfc_stamp_encode(&st, stamp);
		ed[n++] = (struct btfci_sec_edit){ BTFC_STAMP_SECTION, stamp, sizeof(stamp), 4,
						   false };
		res->restamped = 1;
	}
	err = btfci_module_rewrite(ctx, m, dest, ed, n, flags);
out:
	free(full);
	free(roots);
	btfci_blob_fini(&b);
	ids_fini(&ids);
	btfc_btf_free(mod);
	btfc_btf_free(dist);
	return err;
}

BTFC_API int btfci_module_relocate(struct btfc_ctx *ctx, struct btfc_relocator *r, const char *path,
				   const char *dest, enum btfc_match match, unsigned flags,
				   btfc_reloc_issue_fn fn, void *user,
				   struct btfc_reloc_result *res)
{
	struct btfc_module *m;
	int err;

	if ((err = btfci_result_check(ctx, res, "btfc_reloc_result")) ||
	    (err = btfc_module_open_rw(ctx, path, flags, "relocating", &m)))
		return err;
	err = btfc_module_relocate_opened(ctx, r, m, dest, match, flags, fn, user, res);
	btfc_module_free(m);
	return err;
}
/* the path form is btfc_module_relocate(ctx, r, ...) since 0.5 */
BTFCI_DEFAULT(btfci_module_relocate, btfc_module_relocate, "LIBBTFCOMPAT_0.5");

/* its name and argument order before 0.5, kept for one release */
BTFC_API int btfc_relocator_module(struct btfc_relocator *r, struct btfc_ctx *ctx, const char *path,
				   const char *dest, enum btfc_match match, unsigned flags,
				   btfc_reloc_issue_fn fn, void *user,
				   struct btfc_reloc_result *res)
{
	return btfci_module_relocate(ctx, r, path, dest, match, flags, fn, user, res);
}

BTFC_API int btfc_module_relocate_opened(struct btfc_ctx *ctx, struct btfc_relocator *r,
					 struct btfc_module *m, const char *dest,
					 enum btfc_match match, unsigned flags,
					 btfc_reloc_issue_fn fn, void *user,
					 struct btfc_reloc_result *res)
{
	struct btfc_reloc_result full = { .sz = sizeof(full) };
	int err;

	if ((err = btfci_result_check(ctx, res, "btfc_reloc_result")))
		return err;
	err = relocate_m(r, ctx, m, dest, match, flags, fn, user, &full);
	btfci_result_put(res, &full, sizeof(full));
	return err;
}

/* before 0.5 btfc_module_relocate() took (r, ctx, m, ...): programs linked then keep it */
BTFC_API int btfci_module_relocate_v03(struct btfc_relocator *r, struct btfc_ctx *ctx,
				       struct btfc_module *m, const char *dest,
				       enum btfc_match match, unsigned flags,
				       btfc_reloc_issue_fn fn, void *user,
				       struct btfc_reloc_result *res)
{
	return btfc_module_relocate_opened(ctx, r, m, dest, match, flags, fn, user, res);
}
BTFCI_COMPAT(btfci_module_relocate_v03, btfc_module_relocate, "LIBBTFCOMPAT_0.3");

/* ---- distill ---- */

static uint32_t map_distill(void *user, uint32_t v)
{
	const struct btfci_blob *s = user;
	return v < s->n_map ? s->id_map[v] : 0;
}

int btfci_distill_m(struct btfc_ctx *ctx, struct btfc_module *m, const char *dest,
		    const struct btfc_btf *base, unsigned flags, int *changed)
{
	const char *path = m->name;
	struct btfc_btf *dist = NULL, *mod = NULL;
	struct btf_ids ids = { 0 };
	struct btfci_blob db = { 0 }, ds = { 0 };
	uint32_t *roots = NULL;
	size_t n_roots = 0;
	const void *sec;
	size_t len;
	int err = 0;

	*changed = 0;
	if (base->base)
		return btfci_err(ctx, -EINVAL, btfc_btf_name(base),
				 "not a vmlinux BTF (it is split BTF)");
	if (!btfc_module_section(m, ".BTF.base", &sec, &len))
		goto out; /* already distilled */
	if (btfc_module_section(m, ".BTF", &sec, &len) ==
	    -ENODATA) /* as stamp and relocate: nothing to do it on */
		return btfci_err(ctx, -ENODATA, path, "no .BTF section to distill");
	if (!(flags & BTFC_REWRITE_FORCE)) {
		/* distilling on the wrong base would name wrong types forever after */
		BTFC_OPTS(btfc_check, c);
		if ((err = btfc_module_check_opened(ctx, m, base, NULL, &c)))
			goto out;
		if (c.outcome != BTFC_OUTCOME_MATCH)
			err = btfci_refuse(
				ctx, BTFC_REASON_NOT_FIT, -EINVAL, path,
				"its .BTF was not built on %s (%s: %s): not distilling it",
				btfc_btf_name(base), btfc_outcome_name(c.outcome), c.evidence);
		btfc_check_release(&c);
		if (err)
			goto out;
	}
	if ((err = open_mod_btf(ctx, path, m, base, &dist, &mod)) ||
	    (err = ids_load(ctx, path, m, &ids)))
		goto out;
	if (!(roots = ids_base_refs(&ids, mod, &n_roots))) {
		err = btfci_err(ctx, -ENOMEM, path, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_roots; i++) {
		if (base_only_kind(mod, roots[i])) {
			char d[300];
			describe_id(mod, roots[i], d, sizeof(d));
			err = btfci_err(
				ctx, -ENOTSUP, path,
				".BTF_ids names base type %s, which a distilled base cannot carry: not distilling",
				d);
			goto out;
		}
	}
	if ((err = btfci_distill(ctx, mod, roots, n_roots, &db, &ds)))
		goto out;
	uint32_t bad;
	if (ids_remap(&ids, map_distill, &ds, &bad)) {
		err = btfci_err(ctx, -EINVAL, path,
				".BTF_ids names type [%u], which is out of range", bad);
		goto out;
	}
	if (mod->src.swapped) { /* written in the byte order they came in, as libbpf's distill does */
		btfci_btf_swap(ds.data, ds.len, false);
		btfci_btf_swap(db.data, db.len, false);
	}
	ids_swap(&ids);
	struct btfci_sec_edit ed[4] = {
		{ ".BTF", ds.data, ds.len, 4, false },
		{ ".BTF.base", db.data, db.len, 4, false },
		{ BTFC_STAMP_SECTION, NULL, 0, 0, true },
	};
	size_t n = 3;
	if (ids.n_slot)
		ed[n++] = (struct btfci_sec_edit){ ".BTF_ids", ids.data, ids.len, 1, false };
	if (!(err = btfci_module_rewrite(ctx, m, dest, ed, n, flags)))
		*changed = 1;
out:
	free(roots);
	btfci_blob_fini(&db);
	btfci_blob_fini(&ds);
	ids_fini(&ids);
	btfc_btf_free(mod);
	btfc_btf_free(dist);
	return err;
}

BTFC_API int btfc_module_distill(struct btfc_ctx *ctx, const char *path, const char *dest,
				 const struct btfc_btf *base, unsigned flags, int *changed)
{
	struct btfc_module *m;
	int err;

	*changed = 0;
	if (base->base)
		return btfci_err(ctx, -EINVAL, btfc_btf_name(base),
				 "not a vmlinux BTF (it is split BTF)");
	if ((err = btfc_module_open_rw(ctx, path, flags, "distilling", &m)))
		return err;
	err = btfci_distill_m(ctx, m, dest, base, flags, changed);
	btfc_module_free(m);
	return err;
}

/* ---- strip ---- */

BTFC_API int btfc_module_strip_opened(struct btfc_ctx *ctx, struct btfc_module *m, const char *dest,
				      unsigned flags, int *changed)
{
	static const char *const secs[] = { ".BTF", ".BTF.base", BTFC_STAMP_SECTION };
	struct btfci_sec_edit ed[3];
	size_t n = 0;
	int err;

	*changed = 0;
	for (size_t i = 0; i < 3; i++) {
		const void *d;
		size_t len;
		if (btfc_module_section(m, secs[i], &d, &len) != -ENODATA)
			ed[n++] = (struct btfci_sec_edit){ secs[i], NULL, 0, 0, true };
	}
	if (!n)
		return 0;
	if (!(err = btfci_module_rewrite(ctx, m, dest, ed, n, flags)))
		*changed = 1;
	return err;
}

BTFC_API int btfc_module_strip(struct btfc_ctx *ctx, const char *path, const char *dest,
			       unsigned flags, int *changed)
{
	struct btfc_module *m;
	int err;

	*changed = 0;
	if ((err = btfc_module_open_rw(ctx, path, flags, "stripping", &m)))
		return err;
	err = btfc_module_strip_opened(ctx, m, dest, flags, changed);
	btfc_module_free(m);
	return err;
}

/* ---- stamp: the base a module was built on, in a section of its own ---- */

int btfci_stamp_m(struct btfc_ctx *ctx, struct btfc_module *m, const struct btfc_btf *base,
		  unsigned flags, int *changed)
{
	const char *path = m->name;
	struct btfc_stamp st;
	const void *btf, *old;
	size_t btf_len, old_len;
	uint8_t bytes[BTFC_STAMP_SIZE];
	int err;

	*changed = 0;
	if ((err = btfc_module_section(m, ".BTF", &btf, &btf_len)) || btf_len < 24)
		return err && err != -ENODATA ?
			       btfci_refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, path,
					    "cannot read its .BTF section") :
			       btfci_err(ctx, -ENODATA, path, "no .BTF section to stamp");
	/* a stamp asserts "built on this base": only where check says so, on the same bytes */
	if (!(flags & BTFC_REWRITE_FORCE)) {
		BTFC_OPTS(btfc_check, c);
		if ((err = btfc_module_check_opened(ctx, m, base, NULL, &c)))
			return err;
		if (c.outcome != BTFC_OUTCOME_MATCH)
			err = btfci_refuse(ctx, BTFC_REASON_NOT_FIT, -EINVAL, path,
					   "its .BTF does not fit %s (%s, %s): not stamping it; %s",
					   btfc_btf_name(base), btfc_outcome_name(c.outcome),
					   btfc_method_name(c.method), c.evidence);
		btfc_check_release(&c);
		if (err)
			return err;
	}
	if ((err = btfc_stamp_compute(ctx, base, &st)))
		return err;
	st.big_endian = ((const uint8_t *)btf)[0] == 0xeb;
	btfc_stamp_encode(&st, bytes);
	if (!btfc_module_section(m, BTFC_STAMP_SECTION, &old, &old_len) &&
	    old_len == sizeof(bytes) && !memcmp(old, bytes, sizeof(bytes)))
		return 0; /* already stamped for this base */
	struct btfci_sec_edit ed = { BTFC_STAMP_SECTION, bytes, sizeof(bytes), 4, false };
	if (!(err = btfci_module_rewrite(ctx, m, NULL, &ed, 1, flags)))
		*changed = 1;
	return err;
}

BTFC_API int btfc_module_stamp(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base,
			       unsigned flags, int *changed)
{
	struct btfc_module *m;
	int err;

	*changed = 0;
	if ((err = btfc_module_open_rw(ctx, path, flags, "stamping", &m)))
		return err;
	err = btfci_stamp_m(ctx, m, base, flags, changed);
	btfc_module_free(m);
	return err;
}
