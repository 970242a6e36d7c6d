// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The API's growth rules, from the caller's side:
 *  - options (libbpf's OPTS rules, libbpf_internal.h OPTS_VALID/OPTS_HAS):
 *    NULL = defaults, a field beyond sz = its default, sz 0 = -EINVAL, a
 *    longer struct = fine when its tail is zero, -EINVAL when not;
 *  - results: written only as far as the caller's sz (guard bytes after it
 *    stay as they were), sz 0 = -EINVAL;
 *  - result strings: no length limit (a kernel log line longer than the
 *    1024 bytes btfc_verdict.msg used to hold comes through whole, as the
 *    running kernel logs it), released by one call, safely twice.
 * Run under ASan (meson -Db_sanitize=address): a string block that is
 * neither handed over nor freed shows as a leak.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "btfcompat/btfcompat.h"
#include "testutil.h"
#include "../oracle/kernel_btf_load.h"

#define LONG_NAME \
	1000 /* > KSYM_NAME_LEN (512): the kernel's btf_name_valid_identifier() refuses it */
#define GUARD 0xa5

/* [1] STRUCT <LONG_NAME 'a's> size=4 vlen=0: valid but for its name. */
static void *long_name_btf(size_t *len, char **name)
{
	static const uint32_t types[] = { BTF_STRUCT_ENC(1, 0, 4), BTF_END_RAW };
	char strs[LONG_NAME + 2] = "";

	memset(strs + 1, 'a', LONG_NAME);
	*name = strndup(strs + 1, LONG_NAME);
	return tu_btf_build(types, strs, sizeof(strs), len);
}

static bool guard_intact(const void *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (((const unsigned char *)p)[i] != GUARD)
			return false;
	return true;
}

/* The caller's sz, for a struct this library knows as @full bytes (the caller's is @full + 16). */
enum sz_kind { SZ_NULL, SZ_0, SZ_4, SZ_SHORT, SZ_EXACT, SZ_LONG, SZ_LONG_DIRTY };
static size_t caller_sz(enum sz_kind k, size_t full, size_t short_sz)
{
	return k == SZ_4     ? 4 :
	       k == SZ_SHORT ? short_sz :
	       k == SZ_EXACT ? full :
	       k >= SZ_LONG  ? full + 16 :
			       0;
}

/* Options: the verdict on the long-name blob tells whether headers_only (set, but beyond a short sz) was seen. */
static const struct opts_row {
	const char *name;
	enum sz_kind sz;
	int want_ret; /* the call's return */
	int want_err; /* btfc_validate()'s verdict: -EINVAL (the name checked), 0 (headers only) */
} opts_rows[] = {
	{ "null-is-defaults", SZ_NULL, 0, -EINVAL },
	{ "sz-0", SZ_0, -EINVAL, 0 },
	{ "sz-short-of-sz-itself", SZ_4, -EINVAL, 0 },
	{ "short-sz-field-default", SZ_SHORT, 0, -EINVAL },
	{ "exact-sz", SZ_EXACT, 0, 0 },
	{ "long-sz-zero-tail", SZ_LONG, 0, 0 },
	{ "long-sz-non-zero-tail", SZ_LONG_DIRTY, -EINVAL, 0 },
};

static void test_opts(struct btfc_ctx *ctx, const void *blob, size_t len,
		      const struct btfc_btf *base)
{
	char name[128];

	for (size_t i = 0; i < sizeof(opts_rows) / sizeof(opts_rows[0]); i++) {
		const struct opts_row *r = &opts_rows[i];
		union {
			struct btfc_validate_opts o;
			unsigned char b[sizeof(struct btfc_validate_opts) + 16];
		} u;
		memset(&u, 0, sizeof(u));
		u.o.sz = caller_sz(r->sz, sizeof(u.o),
				   offsetof(struct btfc_validate_opts, headers_only));
		u.o.headers_only = 1; /* seen only when sz covers it */
		u.b[sizeof(u.o) + 3] = r->sz == SZ_LONG_DIRTY;
		BTFC_OPTS(btfc_verdict, v);
		int ret = btfc_validate(ctx, blob, len, NULL, r->sz == SZ_NULL ? NULL : &u.o, &v);
		snprintf(name, sizeof(name), "api/validate-opts/%s", r->name);
		TU_CHECK(name, ret == r->want_ret && (ret || v.err == r->want_err),
			 "returned %d (want %d), verdict %d (want %d): %s", ret, r->want_ret, v.err,
			 r->want_err, ret ? btfc_ctx_last_error(ctx) : v.msg);
		btfc_verdict_release(&v);

		/* the same rules for btfc_check_opts: a missing module is -ENOENT once the options pass */
		union {
			struct btfc_check_opts o;
			unsigned char b[sizeof(struct btfc_check_opts) + 16];
		} c;
		memset(&c, 0, sizeof(c));
		c.o.sz = caller_sz(r->sz, sizeof(c.o), offsetof(struct btfc_check_opts, kernel));
		c.b[sizeof(c.o) + 3] = r->sz == SZ_LONG_DIRTY;
		BTFC_OPTS(btfc_check, ck);
		ret = btfc_module_check(ctx, "/nonexistent/m.ko", base,
					r->sz == SZ_NULL ? NULL : &c.o, &ck);
		int want = r->want_ret ? r->want_ret : -ENOENT;
		snprintf(name, sizeof(name), "api/check-opts/%s", r->name);
		TU_CHECK(name, ret == want, "returned %d, want %d: %s", ret, want,
			 btfc_ctx_last_error(ctx));
		btfc_check_release(&ck);
	}
}

static void test_results(struct btfc_ctx *ctx, const void *blob, size_t len)
{
	union {
		struct btfc_verdict v;
		unsigned char b[sizeof(struct btfc_verdict) + 16];
	} u;

	/* a result whose sz ends before phase: err and type_id written, nothing after sz */
	memset(&u, GUARD, sizeof(u));
	u.v.sz = offsetof(struct btfc_verdict, phase);
	int ret = btfc_validate(ctx, blob, len, NULL, NULL, &u.v);
	TU_CHECK("api/result/short-sz-written-up-to-sz",
		 !ret && u.v.err == -EINVAL && u.v.type_id == 1 &&
			 guard_intact(&u, u.v.sz, sizeof(u)),
		 "returned %d, err %d, type_id %u, bytes after sz %s", ret, u.v.err, u.v.type_id,
		 guard_intact(&u, u.v.sz, sizeof(u)) ? "untouched" : "WRITTEN");
	btfc_verdict_release(&u.v);
	TU_CHECK("api/result/short-sz-release-stays-within-sz", guard_intact(&u, u.v.sz, sizeof(u)),
		 "btfc_verdict_release() wrote past sz");

	/* sz covering nothing but itself: nothing written (and nothing leaked) */
	memset(&u, GUARD, sizeof(u));
	u.v.sz = sizeof(size_t);
	ret = btfc_validate(ctx, blob, len, NULL, NULL, &u.v);
	TU_CHECK("api/result/sz-only", !ret && guard_intact(&u, sizeof(size_t), sizeof(u)),
		 "returned %d, %s", ret,
		 guard_intact(&u, sizeof(size_t), sizeof(u)) ? "" : "bytes after sz written");

	/* a newer caller's longer result: ours is filled, its tail left alone */
	memset(&u, GUARD, sizeof(u));
	u.v.sz = sizeof(u);
	ret = btfc_validate(ctx, blob, len, NULL, NULL, &u.v);
	TU_CHECK("api/result/long-sz-tail-untouched",
		 !ret && u.v.err == -EINVAL && guard_intact(&u, sizeof(u.v), sizeof(u)),
		 "returned %d, err %d", ret, u.v.err);
	btfc_verdict_release(&u.v);

	memset(&u, 0, sizeof(u));
	ret = btfc_validate(ctx, blob, len, NULL, NULL, &u.v);
	TU_CHECK("api/result/sz-0", ret == -EINVAL, "returned %d", ret);

	ret = btfc_validate(ctx, blob, len, NULL, NULL, NULL);
	TU_CHECK("api/result/null", ret == -EINVAL, "returned %d", ret);

	/* btfc_diff_counts: only the fields sz covers */
	struct btfc_btf *a = NULL;
	union {
		struct btfc_diff_counts c;
		unsigned char b[sizeof(struct btfc_diff_counts)];
	} d;
	memset(&d, GUARD, sizeof(d));
	d.c.sz = offsetof(struct btfc_diff_counts, removed);
	ret = btfc_btf_parse(ctx, blob, len, "a", NULL, &a) ?
		      -1 :
		      btfc_diff_walk(ctx, a, a, NULL, NULL, &d.c);
	TU_CHECK("api/result/diff-counts-short-sz",
		 !ret && d.c.added == 0 && guard_intact(&d, d.c.sz, sizeof(d)),
		 "returned %d, added %zu", ret, d.c.added);
	btfc_btf_free(a);
}

static void test_strings(struct btfc_ctx *ctx, const void *blob, size_t len, const char *long_name)
{
	/* the kernel's log for it, as btf_verifier_log_type() writes it: "[%u] %s %s%s", the struct's
	 * log_details "size=%u vlen=%u", " ", the message (kernel/bpf/btf.c) */
	size_t want_len = strlen(long_name) + 64;
	char *want = malloc(want_len);
	snprintf(want, want_len, "[1] STRUCT %s size=4 vlen=0 Invalid name", long_name);

	BTFC_OPTS(btfc_verdict, v);
	int ret = btfc_validate(ctx, blob, len, NULL, NULL, &v);
	TU_CHECK("api/strings/long-kernel-message-whole",
		 !ret && v.err == -EINVAL && strlen(v.msg) > 1024 && !strcmp(v.msg, want),
		 "returned %d, err %d, %zu bytes: \"%.80s...\"", ret, v.err, strlen(v.msg), v.msg);

	if (!kbl_available()) {
		tu_skip("api/strings/long-kernel-message-as-the-kernel-logs-it",
			"bpf(BPF_BTF_LOAD) not permitted here");
	} else {
		static char logbuf[1 << 16];
		char last[4096], prev[4096];
		int kerr = kbl_load_log(blob, (uint32_t)len, logbuf, sizeof(logbuf), last, prev,
					sizeof(last));
		TU_CHECK("api/strings/long-kernel-message-as-the-kernel-logs-it",
			 kerr == v.err && !strcmp(last, v.msg),
			 "kernel %d \"%.60s...\" (%zu bytes), ours %d (%zu bytes)", kerr, last,
			 strlen(last), v.err, strlen(v.msg));
	}

	btfc_verdict_release(&v);
	btfc_verdict_release(&v);
	TU_CHECK("api/strings/release-twice",
		 !v.priv_ && !strcmp(v.msg, "") && !strcmp(v.context, "") && !strcmp(v.note, ""),
		 "after two releases: msg \"%s\"", v.msg);

	struct btfc_check zero_check = { 0 };
	struct btfc_identity zero_id = { 0 };
	btfc_check_release(&zero_check);
	btfc_identity_release(&zero_id);
	btfc_check_release(NULL);
	btfc_verdict_release(NULL);
	btfc_identity_release(NULL);
	tu_pass("api/strings/release-zero-initialised-and-null");
	free(want);
}

/* btfc_diff_explain() as snprintf(): the whole length, whatever the buffer. */
static void test_explain(struct btfc_ctx *ctx)
{
	static const uint32_t t_old[] = { BTF_TYPE_INT_ENC(1, 1, 0, 32, 4), BTF_STRUCT_ENC(3, 1, 4),
					  BTF_MEMBER_ENC(5, 1, 0), BTF_END_RAW };
	static const uint32_t t_new[] = { BTF_TYPE_INT_ENC(1, 1, 0, 32, 4), BTF_STRUCT_ENC(3, 2, 8),
					  BTF_MEMBER_ENC(5, 1, 0), BTF_MEMBER_ENC(7, 1, 32),
					  BTF_END_RAW };
	static const char strs[] = "\0int\0s\0a\0b";
	size_t ol, nl;
	void *ob = tu_btf_build(t_old, strs, sizeof(strs), &ol),
	     *nb = tu_btf_build(t_new, strs, sizeof(strs), &nl);
	struct btfc_btf *o = NULL, *n = NULL;
	char big[256], small[8];

	if (btfc_btf_parse(ctx, ob, ol, "old", NULL, &o) ||
	    btfc_btf_parse(ctx, nb, nl, "new", NULL, &n)) {
		tu_fail("api/diff-explain-length", "%s", btfc_ctx_last_error(ctx));
	} else {
		int whole = btfc_diff_explain(o, 2, n, 2, big, sizeof(big)),
		    cut = btfc_diff_explain(o, 2, n, 2, small, sizeof(small));
		int none = btfc_diff_explain(o, 2, n, 2, NULL, 0);
		TU_CHECK("api/diff-explain-length",
			 whole > 0 && (size_t)whole == strlen(big) && cut == whole &&
				 none == whole && !strncmp(small, big, sizeof(small) - 1) &&
				 strlen(small) == sizeof(small) - 1,
			 "whole %d \"%s\", cut %d \"%s\", none %d", whole, big, cut, small, none);
	}
	btfc_btf_free(o);
	btfc_btf_free(n);
	free(ob);
	free(nb);
}

int main(void)
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	static const uint32_t base_types[] = { BTF_TYPE_INT_ENC(1, 1, 0, 32, 4), BTF_END_RAW };
	size_t len, blen;
	char *name;
	void *blob = long_name_btf(&len, &name),
	     *bblob = tu_btf_build(base_types, "\0int", 5, &blen);
	struct btfc_btf *base = NULL;

	if (!ctx || btfc_btf_parse(ctx, bblob, blen, "base", NULL, &base))
		return 1;
	test_opts(ctx, blob, len, base);
	test_results(ctx, blob, len);
	test_strings(ctx, blob, len, name);
	test_explain(ctx);
	btfc_btf_free(base);
	free(bblob);
	free(blob);
	free(name);
	btfc_ctx_free(ctx);
	return tu_exit();
}
