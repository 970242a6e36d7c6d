// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * check: does a module's BTF fit a base (docs/design.md, outcomes), and what does the
 * kernel that runs that base do with it?
 *
 *   distilled  a .BTF.base relocated onto the base as kernels >= 6.11 do at
 *              load (names and sizes): certain
 *   stamp      .BTF.base_checksum compared with the base: certain
 *   evidence   legacy modules: name offsets must start base strings, base
 *              references must have a kind their use allows, and the kernel's
 *              own checks (module and bpf profiles) must pass
 *
 * The kernel's action comes from the module-profile verdict (what the module
 * loader checks), the outcome (accepted BTF that names other types) and
 * CONFIG_MODULE_ALLOW_BTF_MISMATCH; a kernel that checks stamps at load
 * (opts->stamp_checked) never parses a module stamped for another base.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "btf_int.h"
#include "btfcompat/stamp.h"
#include "module.h"
#include "relocate.h"
#include "stamp_int.h"

BTFC_API const char *btfc_outcome_name(enum btfc_outcome o)
{
	static const char *const n[] = { "match", "mismatch", "invalid", "no-btf" };
	return (unsigned)o < 4 ? n[o] : "?";
}

BTFC_API const char *btfc_method_name(enum btfc_method m)
{
	static const char *const n[] = { "none", "stamp", "distilled", "evidence" };
	return (unsigned)m < 4 ? n[m] : "?";
}

BTFC_API const char *btfc_action_name(enum btfc_action a)
{
	static const char *const n[] = { "none",     "accept",        "accept, types wrong",
					 "drop BTF", "refuse module", "drop BTF or refuse module" };
	return (unsigned)a < 6 ? n[a] : "?";
}

/* Set the evidence (the arguments may point into the old one); out of memory leaves it NULL (-ENOMEM at the end). */
static void say(struct btfc_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct btfc_check *c, const char *fmt, ...)
{
	struct btfci_str b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	btfci_str_vaddf(&b, fmt, ap);
	va_end(ap);
	if (b.oom || btfci_strs_set(&c->priv_, 1, (const char **const[]){ &c->evidence },
				    (const char *const[]){ btfci_str_get(&b) }))
		btfci_strs_release(&c->priv_, 1, (const char **const[]){ &c->evidence }),
			c->evidence = NULL;
	btfci_str_fini(&b);
}

/* Set the kernel verdict's message, keeping its context and note; out of memory leaves it NULL. */
static void kernel_says(struct btfc_check *c, const char *msg)
{
	struct btfc_verdict *k = &c->kernel;

	if (btfci_strs_set(&k->priv_, 3, (const char **const[]){ &k->msg, &k->context, &k->note },
			   (const char *const[]){ msg, k->context, k->note }))
		k->msg = NULL;
}

/* btfc_validate() into the check's kernel verdict (released first). */
static int kernel_validate(struct btfc_ctx *ctx, const void *data, size_t len,
			   const struct btfc_btf *base, const struct btfc_validate_opts *opts,
			   struct btfc_check *c)
{
	btfc_verdict_release(&c->kernel);
	return btfc_validate(ctx, data, len, base, opts, &c->kernel);
}

BTFC_API void btfc_check_release(struct btfc_check *c)
{
	if (!c || c->sz < btfci_offsetofend(struct btfc_check, priv_))
		return;
	btfci_strs_release(&c->priv_, 0, NULL);
	if (c->sz >= btfci_offsetofend(struct btfc_check, evidence))
		c->evidence = "";
	if (c->sz >= btfci_offsetofend(struct btfc_check, kernel))
		btfc_verdict_release(&c->kernel);
}

/* ---- evidence ---- */

/* How a reference is used, and so which kinds it may name. */
enum use { USE_REF, USE_SIZED, USE_INDEX, USE_PROTO, USE_RET, USE_VAR, USE_TAG_TARGET };

static bool kind_allowed(enum use u, unsigned k)
{
	switch (u) {
	case USE_REF: /* target of PTR, TYPEDEF, CONST, ...: any type, not a declaration */
		return k != BTFC_KIND_FUNC && k != BTFC_KIND_VAR && k != BTFC_KIND_DATASEC &&
		       k != BTFC_KIND_DECL_TAG;
	case USE_RET: /* return and parameter types */
		return k != BTFC_KIND_FUNC && k != BTFC_KIND_VAR && k != BTFC_KIND_DATASEC &&
		       k != BTFC_KIND_DECL_TAG && k != BTFC_KIND_FUNC_PROTO;
	case USE_SIZED: /* member, array element, variable: a complete type */
		return k != BTFC_KIND_FUNC && k != BTFC_KIND_VAR && k != BTFC_KIND_DATASEC &&
		       k != BTFC_KIND_DECL_TAG && k != BTFC_KIND_FUNC_PROTO && k != BTFC_KIND_FWD;
	case USE_INDEX:
		return k == BTFC_KIND_INT || k == BTFC_KIND_TYPEDEF || k == BTFC_KIND_CONST ||
		       k == BTFC_KIND_VOLATILE;
	case USE_PROTO:
		return k == BTFC_KIND_FUNC_PROTO;
	case USE_VAR:
		return k == BTFC_KIND_VAR;
	case USE_TAG_TARGET:
		return k == BTFC_KIND_STRUCT || k == BTFC_KIND_UNION || k == BTFC_KIND_FUNC ||
		       k == BTFC_KIND_VAR || k == BTFC_KIND_TYPEDEF;
	}
	return true;
}

static const char *const use_words[] = {
	"refers to",        "uses as a complete type", "indexes by", "has as prototype",
	"returns or takes", "lists as variable",       "tags"
};

struct ev {
	const struct btfc_btf *btf, *base;
	uint32_t start_str, type_cnt, start_id;
	struct btfc_check *c;
	bool found;
};

static const char *name_at(const struct btfc_btf *b, uint32_t off)
{
	const char *s = off ? btfc_btf_str(b, off) : "(anon)";
	return s ? s : "(invalid)";
}

/* A name offset into the base's strings must start a string there. */
static void ev_name(struct ev *v, uint32_t id, const struct btfc_type *t, uint32_t off,
		    const char *what)
{
	if (v->found || !off || off >= v->start_str)
		return;
	v->c->refs_checked++;
	size_t n;
	const char *s = btfc_btf_strs_raw(v->base, &n);
	if (off >= n || !s[off - 1])
		return;
	uint32_t st = off;
	while (st && s[st - 1])
		st--;
	say(v->c, "[%u] %s%s%s name offset %u falls inside base string '%s' (which starts at %u)",
	    id, btfc_kind_name(btfc_type_kind(t)), what[0] ? " " : "", what, off, s + st, st);
	v->found = true;
}

static void ev_ref(struct ev *v, uint32_t id, const struct btfc_type *t, uint32_t ref, enum use u,
		   const char *what)
{
	if (v->found)
		return;
	if (ref >= v->type_cnt) {
		say(v->c, "[%u] %s '%s' %s type [%u], beyond the last type [%u]", id,
		    btfc_kind_name(btfc_type_kind(t)), name_at(v->btf, t->name_off), use_words[u],
		    ref, v->type_cnt - 1);
		v->found = true;
		return;
	}
	if (!ref || ref >= v->start_id)
		return;
	v->c->refs_checked++;
	const struct btfc_type *rt = btfc_btf_type_by_id(v->base, ref);
	unsigned k = btfc_type_kind(rt);
	if (kind_allowed(u, k))
		return;
	say(v->c, "[%u] %s '%s'%s%s %s type [%u], which is %s %s '%s' in this base", id,
	    btfc_kind_name(btfc_type_kind(t)), name_at(v->btf, t->name_off), what[0] ? " " : "",
	    what, use_words[u], ref,
	    k == BTFC_KIND_INT || k == BTFC_KIND_ENUM || k == BTFC_KIND_ENUM64 ||
			    k == BTFC_KIND_ARRAY ?
		    "an" :
		    "a",
	    btfc_kind_name(k), name_at(v->base, rt->name_off));
	v->found = true;
}

/* Walk every name offset and type reference of the module's own types. */
static void gather_evidence(struct ev *v)
{
	char what[96];

	for (uint32_t id = v->start_id; id < v->type_cnt && !v->found; id++) {
		const struct btfc_type *t = btfc_btf_type_by_id(v->btf, id);
		unsigned vlen = btfc_type_vlen(t);
		ev_name(v, id, t, t->name_off, "");
		switch (btfc_type_kind(t)) {
		case BTFC_KIND_PTR:
		case BTFC_KIND_TYPEDEF:
		case BTFC_KIND_VOLATILE:
		case BTFC_KIND_CONST:
		case BTFC_KIND_RESTRICT:
		case BTFC_KIND_TYPE_TAG:
			ev_ref(v, id, t, t->type, USE_REF, "");
			break;
		case BTFC_KIND_FUNC:
			ev_ref(v, id, t, t->type, USE_PROTO, "");
			break;
		case BTFC_KIND_VAR:
			ev_ref(v, id, t, t->type, USE_SIZED, "");
			break;
		case BTFC_KIND_DECL_TAG:
			ev_ref(v, id, t, t->type, USE_TAG_TARGET, "");
			break;
		case BTFC_KIND_ARRAY: {
			const struct btfc_array *a = btfc_type_data(t);
			ev_ref(v, id, t, a->type, USE_SIZED, "element");
			ev_ref(v, id, t, a->index_type, USE_INDEX, "index");
			break;
		}
		case BTFC_KIND_STRUCT:
		case BTFC_KIND_UNION: {
			const struct btfc_member *m = btfc_type_data(t);
			for (unsigned i = 0; i < vlen && !v->found; i++) {
				snprintf(what, sizeof(what), "member #%u", i);
				ev_name(v, id, t, m[i].name_off, what);
				snprintf(what, sizeof(what), "member '%s'",
					 name_at(v->btf, m[i].name_off));
				ev_ref(v, id, t, m[i].type, USE_SIZED, what);
			}
			break;
		}
		case BTFC_KIND_ENUM: {
			const struct btfc_enum *e = btfc_type_data(t);
			for (unsigned i = 0; i < vlen; i++) {
				snprintf(what, sizeof(what), "value #%u", i);
				ev_name(v, id, t, e[i].name_off, what);
			}
			break;
		}
		case BTFC_KIND_ENUM64: {
			const struct btfc_enum64 *e = btfc_type_data(t);
			for (unsigned i = 0; i < vlen; i++) {
				snprintf(what, sizeof(what), "value #%u", i);
				ev_name(v, id, t, e[i].name_off, what);
			}
			break;
		}
		case BTFC_KIND_FUNC_PROTO: {
			const struct btfc_param *p = btfc_type_data(t);
			ev_ref(v, id, t, t->type, USE_RET, "return");
			for (unsigned i = 0; i < vlen && !v->found; i++) {
				snprintf(what, sizeof(what), "parameter #%u", i);
				ev_name(v, id, t, p[i].name_off, what);
				if (p[i].type ||
				    i + 1 < vlen) /* a last param of type 0 is the vararg */
					ev_ref(v, id, t, p[i].type, USE_RET, what);
			}
			break;
		}
		case BTFC_KIND_DATASEC: {
			const struct btfc_var_secinfo *s = btfc_type_data(t);
			for (unsigned i = 0; i < vlen; i++)
				ev_ref(v, id, t, s[i].type, USE_VAR, "entry");
			break;
		}
		}
	}
}

/* ---- the kernel's action ---- */

static enum btfc_action action_of(const struct btfc_check *c, int mismatch_allowed)
{
	if (c->outcome == BTFC_OUTCOME_NO_BTF)
		return BTFC_ACTION_NONE;
	if (c->kernel.err)
		return mismatch_allowed > 0  ? BTFC_ACTION_DROP_BTF :
		       mismatch_allowed == 0 ? BTFC_ACTION_REFUSE_MODULE :
					       BTFC_ACTION_DROP_OR_REFUSE;
	return c->outcome == BTFC_OUTCOME_MATCH ? BTFC_ACTION_ACCEPT :
						  BTFC_ACTION_ACCEPT_WRONG_TYPES;
}

static const char *stamp_words(int r)
{
	switch (r) {
	case BTFC_STAMP_TYPE_CNT_DIFFERS:
		return "type count";
	case BTFC_STAMP_STR_LEN_DIFFERS:
		return "string section length";
	case BTFC_STAMP_DIGEST_DIFFERS:
		return "contents (SHA-256)";
	default:
		return "?";
	}
}

/*
 * What btf_parse_module() does with a module carrying .BTF.base: the
 * distilled base parsed, the module's BTF checked on it, then relocated
 * onto vmlinux; a failure anywhere drops (or refuses) the module's BTF.
 */
static int check_distilled(struct btfc_ctx *ctx, const char *path, const void *raw, size_t raw_len,
			   const void *sec, size_t sec_len, const struct btfc_btf *base,
			   const struct btfc_validate_opts *vo, struct btfc_check *c)
{
	struct btfc_validate_opts bo = *vo;
	struct btfc_btf *dist = NULL, *mod = NULL;
	struct btfci_blob out = { 0 };
	int err;

	c->method = BTFC_METHOD_DISTILLED;
	c->strength = "certain";
	bo.profile = BTFC_PROFILE_VMLINUX;
	bo.order = btfc_btf_source(base)->big_endian ? BTFC_ORDER_BIG :
						       BTFC_ORDER_LITTLE; /* the running kernel's */
	if ((err = kernel_validate(ctx, sec, sec_len, NULL, &bo, c)))
		return err;
	if (c->kernel.err || btfc_btf_parse(ctx, sec, sec_len, path, NULL, &dist)) {
		c->outcome = BTFC_OUTCOME_INVALID;
		say(c, "its .BTF.base is broken: %s",
		    c->kernel.err ? c->kernel.msg : btfc_ctx_last_error(ctx));
		c->kernel.err = c->kernel.err ? c->kernel.err : -EINVAL;
		return 0;
	}
	if ((err = kernel_validate(ctx, raw, raw_len, dist, vo, c)))
		goto out;
	if (c->kernel.err || btfc_btf_parse(ctx, raw, raw_len, path, dist, &mod)) {
		c->outcome = BTFC_OUTCOME_INVALID;
		say(c, "its .BTF does not fit its own .BTF.base: %s",
		    c->kernel.err ? c->kernel.msg : btfc_ctx_last_error(ctx));
		c->kernel.err = c->kernel.err ? c->kernel.err : -EINVAL;
		goto out;
	}
	int r = btfci_relocate(ctx, mod, base, &out);
	if (r < 0) {
		err = r;
		goto out;
	}
	c->refs_checked = btfc_btf_type_cnt(dist) - 1;
	if (r == 0) {
		c->outcome = BTFC_OUTCOME_MATCH;
		say(c,
		    "its distilled .BTF.base relocates onto this base as the kernel does at load "
		    "(%u base types matched by name and size)",
		    c->refs_checked);
	} else {
		const char *msg = btfc_ctx_last_message(ctx);
		c->outcome = BTFC_OUTCOME_MISMATCH;
		say(c, "the kernel's relocation of its .BTF.base fails: %s", msg);
		c->kernel.err = -EINVAL;
		c->kernel.phase = "relocate";
		kernel_says(c, msg);
	}
out:
	btfci_blob_fini(&out);
	btfc_btf_free(mod);
	btfc_btf_free(dist);
	return err;
}

/* A matching stamp, contradicted by evidence (a stamp written on the wrong base): mismatch. */
static int stamp_contradicted(struct btfc_ctx *ctx, const struct btfc_module *m,
			      const struct btfc_btf *base, struct btfc_check *c)
{
	struct btfc_btf *btf;
	struct btfc_check e = { .sz = sizeof(e), .evidence = "" };

	if (btfc_module_btf(ctx, m, base, &btf))
		return 0; /* the kernel's verdict (already in c) speaks for an unreadable .BTF */
	struct ev v = { .btf = btf,
			.base = base,
			.c = &e,
			.start_id = btfc_btf_start_id(btf),
			.type_cnt = btfc_btf_type_cnt(btf),
			.start_str = btfc_btf_start_str_off(btf) };
	gather_evidence(&v);
	btfc_btf_free(btf);
	c->refs_checked = e.refs_checked;
	if (v.found) {
		c->outcome = BTFC_OUTCOME_MISMATCH;
		c->method = BTFC_METHOD_EVIDENCE;
		c->strength = "strong";
		say(c, "stamped for this base, but the stamp is wrong: %s",
		    e.evidence ? e.evidence : "");
	}
	int err = e.evidence ? 0 : -ENOMEM;
	btfc_check_release(&e);
	return err;
}

BTFC_API int btfci_module_check(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base,
				const struct btfc_check_opts *opts, struct btfc_check *c)
{
	struct btfc_module *m;
	int err;

	if ((err = BTFCI_OPTS_CHECK(ctx, opts, btfc_check_opts)) ||
	    (err = btfci_result_check(ctx, c, "btfc_check")) ||
	    (err = btfc_module_open(ctx, path, &m)))
		return err;
	err = btfc_module_check_opened(ctx, m, base, opts, c);
	btfc_module_free(m);
	return err;
}
/* the path form is btfc_module_check() since 0.5; btfc_check_module, its old name, stays for one release */
BTFCI_DEFAULT(btfci_module_check, btfc_module_check, "LIBBTFCOMPAT_0.5");
BTFC_API extern __typeof__(btfci_module_check) btfc_check_module
	__attribute__((alias("btfci_module_check")));

static int check(struct btfc_ctx *ctx, const struct btfc_module *m, const struct btfc_btf *base,
		 const struct btfc_check_opts *opts, struct btfc_check *c);

BTFC_API int btfc_module_check_opened(struct btfc_ctx *ctx, const struct btfc_module *m,
				      const struct btfc_btf *base,
				      const struct btfc_check_opts *opts, struct btfc_check *out)
{
	struct btfc_check c = {
		.sz = sizeof(c),
		.strength = "none",
		.evidence = "",
		.kernel = { .sz = sizeof(c.kernel), .msg = "", .context = "", .note = "" }
	};
	int err;

	if ((err = BTFCI_OPTS_CHECK(ctx, opts, btfc_check_opts)) ||
	    (err = btfci_result_check(ctx, out, "btfc_check")))
		return err;
	const struct btfc_check_opts o = {
		.sz = sizeof(o),
		.mismatch_allowed = BTFCI_OPTS_GET(opts, mismatch_allowed, -1),
		.kernel = BTFCI_OPTS_GET(opts, kernel, BTFC_KERNEL_NEWEST),
		.old_loader = BTFCI_OPTS_GET(opts, old_loader, 0),
		.stamp_checked = BTFCI_OPTS_GET(opts, stamp_checked, 0),
	};
	err = check(ctx, m, base, &o, &c);
	if (!err && (!c.evidence || !c.kernel.msg))
		err = btfci_err(ctx, -ENOMEM, btfci_module_name(m), "out of memory");
	if (err)
		btfc_check_release(&c);
	else
		btfci_check_put(out, &c);
	return err;
}
/* before 0.5 btfc_module_check() took the opened module: programs linked then keep it */
BTFCI_COMPAT(btfc_module_check_opened, btfc_module_check, "LIBBTFCOMPAT_0.1");

void btfci_check_put(struct btfc_check *out, struct btfc_check *c)
{
	if (out->sz < btfci_offsetofend(struct btfc_check, priv_))
		btfc_check_release(c); /* no string reaches the caller */
	else if (out->sz < btfci_offsetofend(struct btfc_check, kernel))
		btfc_verdict_release(&c->kernel);
	btfci_result_put(out, c, sizeof(*c));
}

static int check(struct btfc_ctx *ctx, const struct btfc_module *m, const struct btfc_btf *base,
		 const struct btfc_check_opts *opts, struct btfc_check *c)
{
	const char *path = btfci_module_name(m);
	const void *raw, *sec;
	size_t raw_len, sec_len;
	bool stamp_refused = false;
	int err = 0;

	if ((err = btfc_module_section(m, ".BTF", &raw, &raw_len)) == -ENODATA) {
		err = 0;
		c->outcome = BTFC_OUTCOME_NO_BTF;
		say(c, "no .BTF section");
		goto done;
	}
	if (err)
		return btfci_refuse(ctx, BTFC_REASON_CORRUPT, err, path,
				    "cannot read its .BTF section: %s",
				    err == -EFBIG ? "too large" : "corrupt section header or data");
	BTFC_OPTS(btfc_validate_opts, vo, .profile = BTFC_PROFILE_MODULE, .kernel = opts->kernel);
	bool distilled = !btfc_module_section(m, ".BTF.base", &sec, &sec_len);

	/* 0. a distilled base: the kernel (>= 6.11) relocates it at load, and so do we */
	if (distilled && !opts->old_loader) {
		err = check_distilled(ctx, path, raw, raw_len, sec, sec_len, base, &vo, c);
		goto done_or_out;
	}
	if ((err = kernel_validate(ctx, raw, raw_len, base, &vo, c)))
		goto out;

	/* 1. a stamp decides */
	if (!btfc_module_section(m, BTFC_STAMP_SECTION, &sec, &sec_len)) {
		struct btfc_stamp want, found;
		int r = btfci_stamp_check(ctx, sec, sec_len, base, &want, &found);
		if (r == -ENOMEM || r == -EIO) {
			err = r;
			goto out;
		}
		/* what a stamp-checking kernel refuses to parse (.BTF.base is relocated as before) */
		stamp_refused = opts->stamp_checked && !distilled &&
				(r == BTFC_STAMP_BAD_STAMP || r > 0);
		if (r >= 0) {
			c->method = BTFC_METHOD_STAMP;
			c->strength = "certain";
			if (r == BTFC_STAMP_MATCH && c->kernel.err) {
				c->outcome = BTFC_OUTCOME_INVALID;
				say(c, "stamped for this base, but the kernel rejects its BTF: %s",
				    c->kernel.msg);
			} else if (r == BTFC_STAMP_MATCH) {
				c->outcome = BTFC_OUTCOME_MATCH;
				say(c,
				    "stamped for this base (%u types, %u bytes of strings, SHA-256 equal)",
				    found.base_type_cnt, found.base_str_len);
				/* a stamp is a claim: the cheap evidence still runs, and wins when it contradicts it */
				if ((err = stamp_contradicted(ctx, m, base, c)))
					goto out;
			} else {
				c->outcome = BTFC_OUTCOME_MISMATCH;
				say(c,
				    "stamped for another base: built against %u types and %u bytes of strings, "
				    "this base has %u types and %u bytes of strings (%s differs)",
				    want.base_type_cnt, want.base_str_len, found.base_type_cnt,
				    found.base_str_len, stamp_words(r));
			}
			goto done;
		}
		/* an unreadable stamp: fall back to the evidence, and say so below */
	}
	/* 2. evidence */
	if (c->kernel.err && c->kernel.phase &&
	    (!strcmp(c->kernel.phase, "header") || !strcmp(c->kernel.phase, "strings"))) {
		c->outcome = BTFC_OUTCOME_INVALID;
		c->method = BTFC_METHOD_EVIDENCE;
		c->strength = "certain";
		say(c, "its BTF is broken whatever the base: %s%s%s%s", c->kernel.msg,
		    c->kernel.note[0] ? " (" : "", c->kernel.note, c->kernel.note[0] ? ")" : "");
		goto done;
	}
	struct btfc_btf *btf;
	if (btfc_module_btf(ctx, m, base, &btf)) {
		c->outcome = BTFC_OUTCOME_INVALID;
		c->method = BTFC_METHOD_EVIDENCE;
		c->strength = "certain";
		say(c, "%s", btfc_ctx_last_error(ctx));
		goto done;
	}
	struct ev v = { .btf = btf,
			.base = base,
			.c = c,
			.start_id = btfc_btf_start_id(btf),
			.type_cnt = btfc_btf_type_cnt(btf),
			.start_str = btfc_btf_start_str_off(btf) };
	gather_evidence(&v);
	c->method = BTFC_METHOD_EVIDENCE;
	if (!v.found && c->kernel.err) {
		say(c, "the module loader rejects it: %s",
		    c->kernel.msg[0] ? c->kernel.msg : c->kernel.note);
		v.found = true;
	}
	if (!v.found) {
		BTFC_OPTS(btfc_verdict, bv);
		BTFC_OPTS(btfc_validate_opts, bo, .profile = BTFC_PROFILE_BPF,
			  .kernel = opts->kernel, .ptr_size = btfci_module_ptr_size(m));
		if ((err = btfc_validate(ctx, raw, raw_len, base, &bo, &bv))) {
			btfc_btf_free(btf);
			goto out;
		}
		if (bv.err) {
			say(c, "BPF_BTF_LOAD of it on this base fails: %s%s%s", bv.context,
			    bv.context[0] ? " " : "", bv.msg);
			v.found = true;
		}
		btfc_verdict_release(&bv);
	}
	btfc_btf_free(btf);
	if (v.found) {
		c->outcome = BTFC_OUTCOME_MISMATCH;
		c->strength = "strong";
	} else {
		c->outcome = BTFC_OUTCOME_MATCH;
		c->strength = c->refs_checked ? "probable" : "certain";
		say(c,
		    c->refs_checked ?
			    "no evidence of a mismatch in %u references to the base, and the kernel's "
			    "checks pass" :
			    "it does not refer to the base at all%.0u",
		    c->refs_checked);
	}
	if (distilled)
		say(c, "%s (its distilled .BTF.base is ignored by kernels before 6.11)",
		    c->evidence);
done_or_out:
	if (err)
		goto out;
done:
	if (stamp_refused) { /* the kernel's stamp check comes before any parsing of the BTF */
		c->kernel.err = -EINVAL;
		c->kernel.phase = "stamp";
		kernel_says(c, c->method == BTFC_METHOD_STAMP ?
				       "its .BTF.base_checksum names another base" :
				       "its .BTF.base_checksum is malformed");
		if (c->method != BTFC_METHOD_STAMP)
			say(c,
			    "%s; its .BTF.base_checksum is malformed, so a kernel that checks stamps does not parse its BTF",
			    c->evidence);
	}
	c->action = action_of(c, opts->mismatch_allowed);
out:
	return err;
}
