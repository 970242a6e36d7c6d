// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Module signing with the test key (tests/kernel/test-signing-key.pem: an
 * RSA key and its certificate, as the kernel's signing_key.pem), no corpus.
 * A tiny module (written with libelf) is signed in memory and its trailer
 * checked field by field against the kernel's struct module_signature
 * (include/linux/module_signature.h); the CMS signature is verified with
 * OpenSSL's CMS_verify() over the image, so the expected answer does not come
 * from the library. Then the rewriting calls: a signed module is refused
 * without a signer and signed again with one (the new signature verifies
 * over the new image).
 */
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "btfcompat/stamp.h"
#include "tu_module.h"

#ifndef BTFC_SRCDIR
#error "BTFC_SRCDIR: the source tree (tests/meson.build sets it)"
#endif
#define SRC_KEY BTFC_SRCDIR "/tests/kernel/test-signing-key.pem"
#define TRAILER (12 + sizeof(TU_SIG_MAGIC) - 1) /* struct module_signature + magic */

static const uint32_t a_types[] = { TU_A_TYPES(0, 32, 8) };
static const uint32_t mod_a[] = { TU_MOD_ON_A };

static X509 *cert;
static char KEY[256], NOT_KEY[256], OPEN_KEY[256];

/* A copy of @src at @dst, mode 0600 (the library refuses keys others can read, as sign-file's users keep them). */
static int copy_key(const char *src, const char *dst)
{
	size_t n;
	void *p = tu_read_file(src, &n);
	int err = !p || tu_write_file(dst, p, n) || chmod(dst, 0600);
	free(p);
	return err;
}

/* 1 when the signed image @p/@n carries a CMS signature by the test certificate over its first bytes. */
static int cms_ok(const uint8_t *p, size_t n, char *why, size_t cap)
{
	if (!tu_has_sig(p, n)) {
		snprintf(why, cap, "no signature trailer");
		return 0;
	}
	const uint8_t *info = p + n - TRAILER;
	uint32_t sig_len = (uint32_t)info[8] << 24 | info[9] << 16 | info[10] << 8 | info[11];
	static const uint8_t want_info[8] = {
		0, 0, 2, 0, 0, 0, 0, 0
	}; /* algo, hash, id_type PKCS7, lens, pad */
	if (memcmp(info, want_info, 8) || sig_len > n - TRAILER) {
		snprintf(why, cap, "struct module_signature: %02x %02x %02x %02x %02x, sig_len %u",
			 info[0], info[1], info[2], info[3], info[4], sig_len);
		return 0;
	}
	size_t img = n - TRAILER - sig_len;
	BIO *sig = BIO_new_mem_buf(p + img, (int)sig_len), *data = BIO_new_mem_buf(p, (int)img);
	CMS_ContentInfo *cms = d2i_CMS_bio(sig, NULL);
	STACK_OF(X509) *certs = sk_X509_new_null();
	int ok = cms && certs && sk_X509_push(certs, cert) &&
		 CMS_verify(cms, certs, NULL, data, NULL,
			    CMS_BINARY | CMS_NOVERIFY | CMS_DETACHED) == 1;
	if (!ok)
		snprintf(why, cap, "CMS_verify: %s", ERR_error_string(ERR_get_error(), NULL));
	ERR_clear_error();
	sk_X509_free(certs);
	CMS_ContentInfo_free(cms);
	BIO_free(sig);
	BIO_free(data);
	return ok;
}

static void test_signer(struct btfc_ctx *ctx, struct btfc_signer *s, const uint8_t *img, size_t len)
{
	void *out = NULL, *again = NULL;
	size_t olen = 0, alen = 0;
	char why[256];

	int rc = btfc_signer_sign(ctx, s, img, len, &out, &olen);
	if (rc) {
		tu_fail("sign/image", "rc %d: %s", rc, btfc_ctx_last_error(ctx));
		return;
	}
	TU_CHECK("sign/image-kept", olen > len + TRAILER && !memcmp(out, img, len),
		 "the image is not the signed file's prefix");
	TU_CHECK("sign/trailer-and-cms-verify", cms_ok(out, olen, why, sizeof(why)), "%s", why);
	TU_CHECK("sign/owns",
		 btfc_signer_owns(s, out, olen) == 1 && btfc_signer_owns(s, img, len) == 0,
		 "owns(signed) %d owns(unsigned) %d", btfc_signer_owns(s, out, olen),
		 btfc_signer_owns(s, img, len));
	/* a tampered image does not verify: the check above can fail */
	((uint8_t *)out)[len / 2] ^= 1;
	TU_CHECK("sign/tampered-fails-verify", !cms_ok(out, olen, why, sizeof(why)),
		 "a changed image verified");
	((uint8_t *)out)[len / 2] ^= 1;
	/* signing a signed image replaces its signature (RSA PKCS#1 v1.5: the same bytes) */
	rc = btfc_signer_sign(ctx, s, out, olen, &again, &alen);
	TU_CHECK("sign/resign-replaces", !rc && alen == olen && !memcmp(again, out, olen),
		 "rc %d, %zu bytes, want %zu", rc, alen, olen);
	free(again);
	free(out);
}

/* A rewrite of a signed module: refused without a signer, signed again with one. */
static void test_rewrite(struct btfc_ctx *ctx, struct btfc_signer *s, const struct btfc_btf *a,
			 const struct tu_sec *secs)
{
	const char *ko = tu_path("signed.ko");
	size_t n0, n1;
	char why[256];
	int changed = -1;

	if (tu_ko_write(ko, secs, 1) || tu_sig_append(ko, 256)) {
		tu_fail("sign/rewrite", "cannot write %s", ko);
		return;
	}
	void *before = tu_read_file(ko, &n0);
	int rc = btfc_module_stamp(ctx, ko, a, 0, &changed);
	void *mid = tu_read_file(ko, &n1);
	TU_CHECK("sign/rewrite-refused-without-signer",
		 rc == -EPERM && btfc_ctx_last_reason(ctx) == BTFC_REASON_SIGNED && mid &&
			 n0 == n1 && !memcmp(before, mid, n0),
		 "rc %d reason %d", rc, btfc_ctx_last_reason(ctx));
	free(mid);
	btfc_ctx_set_signer(ctx, s);
	rc = btfc_module_stamp(ctx, ko, a, 0, &changed);
	btfc_ctx_set_signer(ctx, NULL);
	uint8_t *after = tu_read_file(ko, &n1);
	void *sec = NULL;
	size_t slen = 0;
	int ok = !rc && changed == 1 && after && cms_ok(after, n1, why, sizeof(why));
	TU_CHECK("sign/rewrite-signed-again",
		 ok && !tu_ko_section(ko, BTFC_STAMP_SECTION, &sec, &slen) && slen == 48,
		 "rc %d changed %d: %s", rc, changed, rc ? btfc_ctx_last_error(ctx) : why);
	free(sec);
	free(after);
	free(before);
	/* UNSIGN: the rewrite drops the signature */
	const char *ko2 = tu_path("unsign.ko");
	if (tu_ko_write(ko2, secs, 1) || tu_sig_append(ko2, 64)) {
		tu_fail("sign/unsign", "cannot write %s", ko2);
		return;
	}
	rc = btfc_module_stamp(ctx, ko2, a, BTFC_REWRITE_UNSIGN, &changed);
	after = tu_read_file(ko2, &n1);
	TU_CHECK("sign/unsign-drops-signature", !rc && after && !tu_has_sig(after, n1), "rc %d, %s",
		 rc, after && tu_has_sig(after, n1) ? "still signed" : btfc_ctx_last_error(ctx));
	free(after);
}

int main(void)
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	struct btfc_signer *s = NULL;
	snprintf(KEY, sizeof(KEY), "%s", tu_path("key.pem"));
	snprintf(NOT_KEY, sizeof(NOT_KEY), "%s", tu_path("genkey.pem"));
	snprintf(OPEN_KEY, sizeof(OPEN_KEY), "%s", tu_path("open-key.pem"));
	if (copy_key(SRC_KEY, KEY) ||
	    copy_key(BTFC_SRCDIR "/tests/kernel/test-signing-key.genkey", NOT_KEY) ||
	    copy_key(SRC_KEY, OPEN_KEY) || chmod(OPEN_KEY, 0644)) {
		tu_fail("sign/fixture", "cannot copy %s", SRC_KEY);
		return tu_exit();
	}
	BIO *b = BIO_new_file(KEY, "r");
	size_t alen, mlen, klen;

	cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL; /* the key comes first: skipped */
	BIO_free(b);
	if (!cert) {
		tu_fail("sign/fixture", "no certificate in %s", KEY);
		return tu_exit();
	}
	void *ab = TU_BLOB(a_types, TU_A_STRS, &alen), *mb = TU_BLOB(mod_a, TU_MOD_STRS, &mlen);
	struct btfc_btf *a = tu_parse(ctx, ab, alen, "A", NULL);
	struct tu_sec secs[] = { { ".BTF", mb, mlen } };
	const char *ko = tu_path("img.ko");
	uint8_t *img = NULL;

	const struct {
		const char *name, *key, *hash;
		int want;
	} new_rows[] = {
		{ "sign/signer-no-key-file", tu_path("no-such-key.pem"), "sha256", -ENOENT },
		{ "sign/signer-unknown-hash", KEY, "no-such-hash", -EINVAL },
		{ "sign/signer-not-a-key", NOT_KEY, "sha256", -EINVAL },
		{ "sign/signer-key-others-read", OPEN_KEY, "sha256", -EPERM },
	};
	for (size_t i = 0; i < sizeof(new_rows) / sizeof(new_rows[0]); i++) {
		struct btfc_signer *x = NULL;
		int rc = btfc_signer_new(ctx, new_rows[i].key, KEY, new_rows[i].hash, 0, &x);
		TU_CHECK(new_rows[i].name,
			 rc == new_rows[i].want && !x && *btfc_ctx_last_error(ctx),
			 "rc %d (want %d)", rc, new_rows[i].want);
		btfc_signer_free(x);
	}
	int rc = btfc_signer_new(ctx, KEY, KEY, "sha256", 0, &s);
	if (rc || tu_ko_write(ko, secs, 1) || !(img = tu_read_file(ko, &klen))) {
		tu_fail("sign/signer", "rc %d: %s", rc, btfc_ctx_last_error(ctx));
	} else {
		TU_CHECK("sign/signer", !strcmp(btfc_signer_hash(s), "sha256"), "hash %s",
			 btfc_signer_hash(s));
		test_signer(ctx, s, img, klen);
		test_rewrite(ctx, s, a, secs);
	}
	free(img);
	btfc_signer_free(s);
	btfc_btf_free(a);
	free(ab);
	free(mb);
	X509_free(cert);
	btfc_ctx_free(ctx);
	return tu_exit();
}
