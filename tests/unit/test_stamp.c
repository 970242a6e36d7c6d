// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The .BTF.base_checksum stamp in memory and on a tiny module (no corpus).
 * The expected stamp is built here from docs/stamp.md's table: the counts of
 * the base as written with the encoder macros, and the SHA-256 (libcrypto's
 * EVP, not the library) of its type section bytes followed by its string
 * section bytes. Rows: compute, encode, parse, verify (match, and each kind of
 * difference), stamping a module file (written with libelf), its check
 * against the base it was stamped for and against another, and a stamp of a
 * base the module does not fit, refused.
 */
#include <openssl/evp.h>

#include "btfcompat/stamp.h"
#include "tu_module.h"

static const uint32_t a_types[] = { TU_A_TYPES(0, 32, 8) };
static const uint32_t a_swapped[] = { TU_A_TYPES(32, 0, 8) }; /* same counts, other bytes */
static const uint32_t b_types[] = { TU_B_TYPES };
static const uint32_t mod_a[] = { TU_MOD_ON_A };
#define A_LONGER_STRS TU_A_STRS "\0zz" /* same types, 3 more string bytes */

/* The 48 bytes docs/stamp.md gives for the little-endian base @blob of @cnt types. */
static void want_stamp(const void *blob, uint32_t cnt, uint8_t out[BTFC_STAMP_SIZE])
{
	const uint32_t *h =
		blob; /* magic/version/flags, hdr_len, type_off, type_len, str_off, str_len */
	const uint8_t *b = blob;
	unsigned dl = 32;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint32_t f[3] = { 16, cnt, h[5] };

	out[0] = 0x9f, out[1] = 0xeb, out[2] = 1, out[3] = 1;
	memcpy(out + 4, f, sizeof(f)); /* host order = little-endian here (x86-64; see main) */
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, b + h[1] + h[2], h[3]);
	EVP_DigestUpdate(md, b + h[1] + h[4], h[5]);
	EVP_DigestFinal_ex(md, out + 16, &dl);
	EVP_MD_CTX_free(md);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

struct blob {
	const char *name;
	void *p;
	size_t len;
	uint32_t cnt;
	uint8_t stamp[BTFC_STAMP_SIZE];
	struct btfc_btf *btf;
};

static void test_compute(struct btfc_ctx *ctx, struct blob *bs, size_t n)
{
	char name[96], a[97], b[97];

	for (size_t i = 0; i < n; i++) {
		struct btfc_stamp st = { 0 };
		uint8_t enc[BTFC_STAMP_SIZE];
		snprintf(name, sizeof(name), "stamp/compute/%s", bs[i].name);
		int rc = btfc_stamp_compute(ctx, bs[i].btf, &st);
		btfc_stamp_encode(&st, enc);
		hex(enc, sizeof(enc), a);
		hex(bs[i].stamp, sizeof(enc), b);
		TU_CHECK(name,
			 !rc && st.base_type_cnt == bs[i].cnt &&
				 !memcmp(enc, bs[i].stamp, sizeof(enc)),
			 "rc %d, %s, want %s", rc, a, b);
		struct btfc_stamp back = { 0 };
		snprintf(name, sizeof(name), "stamp/parse/%s", bs[i].name);
		rc = btfc_stamp_parse(bs[i].stamp, BTFC_STAMP_SIZE, &back);
		TU_CHECK(name,
			 !rc && back.base_type_cnt == bs[i].cnt && !back.big_endian &&
				 back.hdr_len == 16 && !memcmp(back.digest, bs[i].stamp + 16, 32),
			 "rc %d cnt %u hdr_len %u", rc, back.base_type_cnt, back.hdr_len);
	}
}

/* The freestanding verify core with a SHA-256 from libcrypto. */
static void sha_init(void *s) { EVP_DigestInit_ex(s, EVP_sha256(), NULL); }
static void sha_update(void *s, const void *p, size_t n) { EVP_DigestUpdate(s, p, n); }
static void sha_final(void *s, uint8_t d[32])
{
	unsigned l = 32;
	EVP_DigestFinal_ex(s, d, &l);
}

static const struct verify_row {
	const char *name;
	int stamp_of, base; /* indices into the blobs */
	int want;
} verify_rows[] = {
	{ "verify/match", 0, 0, BTFC_STAMP_MATCH },
	{ "verify/match-b", 2, 2, BTFC_STAMP_MATCH },
	{ "verify/type-count", 0, 2, BTFC_STAMP_TYPE_CNT_DIFFERS },
	{ "verify/string-length", 0, 3, BTFC_STAMP_STR_LEN_DIFFERS },
	{ "verify/digest", 0, 1, BTFC_STAMP_DIGEST_DIFFERS },
};

static void test_verify(struct blob *bs)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct btfc_sha256_ops ops = { md, sha_init, sha_update, sha_final };

	for (size_t i = 0; i < sizeof(verify_rows) / sizeof(verify_rows[0]); i++) {
		const struct verify_row *r = &verify_rows[i];
		struct btfc_stamp found = { 0 };
		int rc = btfc_stamp_verify(bs[r->stamp_of].stamp, BTFC_STAMP_SIZE, bs[r->base].p,
					   bs[r->base].len, &ops, &found);
		TU_CHECK(r->name, rc == r->want && found.base_type_cnt == bs[r->base].cnt,
			 "got %d (want %d), found %u types", rc, r->want, found.base_type_cnt);
	}
	/* malformed stamps: one byte short, each header byte wrong */
	uint8_t bad[BTFC_STAMP_SIZE];
	struct btfc_stamp st;
	TU_CHECK("stamp/parse/short",
		 btfc_stamp_parse(bs[0].stamp, BTFC_STAMP_SIZE - 1, &st) == BTFC_STAMP_BAD_STAMP,
		 "a 47-byte stamp was taken");
	static const struct {
		const char *name;
		unsigned at;
		uint8_t v;
	} bad_rows[] = {
		{ "stamp/parse/magic", 0, 0x9e },
		{ "stamp/parse/version", 2, 2 },
		{ "stamp/parse/algorithm", 3, 2 },
		{ "stamp/parse/hdr-len", 4, 20 },
	};
	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		memcpy(bad, bs[0].stamp, sizeof(bad));
		bad[bad_rows[i].at] = bad_rows[i].v;
		int rc = btfc_stamp_parse(bad, sizeof(bad), &st);
		int vrc = btfc_stamp_verify(bad, sizeof(bad), bs[0].p, bs[0].len, &ops, NULL);
		TU_CHECK(bad_rows[i].name,
			 rc == BTFC_STAMP_BAD_STAMP && vrc == BTFC_STAMP_BAD_STAMP,
			 "parse %d verify %d", rc, vrc);
	}
	EVP_MD_CTX_free(md);
}

/* Stamp a module file, read the section back with libelf, check it against both bases. */
static void test_module(struct btfc_ctx *ctx, struct blob *bs, const void *mod, size_t mod_len)
{
	const char *ko = tu_path("stamp.ko");
	struct tu_sec secs[] = { { ".BTF", mod, mod_len } };
	void *sec = NULL;
	size_t len = 0;
	int changed = -1;

	if (tu_ko_write(ko, secs, 1)) {
		tu_fail("stamp/module", "cannot write %s", ko);
		return;
	}
	int rc = btfc_module_stamp(ctx, ko, bs[0].btf, 0, &changed);
	if (rc || changed != 1 || tu_ko_section(ko, BTFC_STAMP_SECTION, &sec, &len)) {
		tu_fail("stamp/module", "rc %d changed %d, section %s: %s", rc, changed,
			sec ? "present" : "absent", btfc_ctx_last_error(ctx));
		return;
	}
	TU_CHECK("stamp/module", len == BTFC_STAMP_SIZE && !memcmp(sec, bs[0].stamp, len),
		 "the section (%zu bytes) is not the stamp of A", len);
	free(sec);
	rc = btfc_module_stamp(ctx, ko, bs[0].btf, 0, &changed);
	TU_CHECK("stamp/module-again-unchanged", !rc && changed == 0, "rc %d changed %d", rc,
		 changed);

	static const struct {
		const char *name;
		int base;
		enum btfc_outcome outcome;
	} check_rows[] = {
		{ "stamp/check-own-base", 0, BTFC_OUTCOME_MATCH },
		{ "stamp/check-other-base", 2, BTFC_OUTCOME_MISMATCH },
		{ "stamp/check-same-counts-other-bytes", 1, BTFC_OUTCOME_MISMATCH },
	};
	for (size_t i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
		BTFC_OPTS(btfc_check, c);
		rc = btfc_module_check(ctx, ko, bs[check_rows[i].base].btf, NULL, &c);
		TU_CHECK(check_rows[i].name,
			 !rc && c.outcome == check_rows[i].outcome && c.method == BTFC_METHOD_STAMP,
			 "rc %d outcome %s method %s: %s", rc, btfc_outcome_name(c.outcome),
			 btfc_method_name(c.method),
			 c.evidence ? c.evidence : btfc_ctx_last_error(ctx));
		btfc_check_release(&c);
	}

	/* a base the module does not fit: refused, the file untouched; forced: written */
	const char *ko2 = tu_path("stamp-misfit.ko");
	size_t before_len, after_len;
	if (tu_ko_write(ko2, secs, 1)) {
		tu_fail("stamp/misfit", "cannot write %s", ko2);
		return;
	}
	void *before = tu_read_file(ko2, &before_len);
	rc = btfc_module_stamp(ctx, ko2, bs[2].btf, 0, &changed);
	void *after = tu_read_file(ko2, &after_len);
	TU_CHECK("stamp/misfit-refused",
		 rc == -EINVAL && btfc_ctx_last_reason(ctx) == BTFC_REASON_NOT_FIT && before &&
			 after && before_len == after_len && !memcmp(before, after, before_len),
		 "rc %d reason %d, file %s", rc, btfc_ctx_last_reason(ctx),
		 after && before_len == after_len && !memcmp(before, after, before_len) ?
			 "unchanged" :
			 "changed");
	free(after);
	rc = btfc_module_stamp(ctx, ko2, bs[2].btf, BTFC_REWRITE_FORCE, &changed);
	sec = NULL;
	TU_CHECK("stamp/misfit-forced",
		 !rc && changed == 1 && !tu_ko_section(ko2, BTFC_STAMP_SECTION, &sec, &len) &&
			 len == BTFC_STAMP_SIZE && !memcmp(sec, bs[2].stamp, len),
		 "rc %d changed %d: %s", rc, changed, btfc_ctx_last_error(ctx));
	free(sec);
	free(before);
}

int main(void)
{
	static const uint32_t probe = 1;
	if (*(const uint8_t *)&probe != 1) {
		tu_skip("stamp", "the expected stamps are written little-endian");
		return tu_exit();
	}
	struct btfc_ctx *ctx = btfc_ctx_new();
	struct blob bs[] = { { "a", .cnt = 5 },
			     { "a-swapped", .cnt = 5 },
			     { "b", .cnt = 6 },
			     { "a-longer-strings", .cnt = 5 } };
	size_t n = sizeof(bs) / sizeof(bs[0]), mod_len;
	bs[0].p = TU_BLOB(a_types, TU_A_STRS, &bs[0].len);
	bs[1].p = TU_BLOB(a_swapped, TU_A_STRS, &bs[1].len);
	bs[2].p = TU_BLOB(b_types, TU_B_STRS, &bs[2].len);
	bs[3].p = TU_BLOB(a_types, A_LONGER_STRS, &bs[3].len);
	for (size_t i = 0; i < n; i++) {
		want_stamp(bs[i].p, bs[i].cnt, bs[i].stamp);
		bs[i].btf = tu_parse(ctx, bs[i].p, bs[i].len, bs[i].name, NULL);
	}
	void *mod = TU_BLOB(mod_a, TU_MOD_STRS, &mod_len);

	test_compute(ctx, bs, n);
	test_verify(bs);
	test_module(ctx, bs, mod, mod_len);

	for (size_t i = 0; i < n; i++) {
		btfc_btf_free(bs[i].btf);
		free(bs[i].p);
	}
	free(mod);
	btfc_ctx_free(ctx);
	return tu_exit();
}
