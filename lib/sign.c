// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Module signing, as the kernel's scripts/sign-file does it (read in
 * linux-source-6.12): a detached CMS (PKCS#7) SignedData over the whole
 * module image, without certificates and without signed attributes, the
 * signer named by issuer and serial number (or by subject key identifier,
 * sign-file -k), then struct module_signature (all zero but id_type
 * PKEY_ID_PKCS7 and the big-endian signature length) and the magic
 * "~Module signature appended~\n". With an RSA key (PKCS#1 v1.5, no
 * randomness) the result is byte for byte what sign-file writes.
 */
#include <errno.h>
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module.h"
#include "sign.h"

#define PKEY_ID_PKCS7 2

struct btfc_signer {
	EVP_PKEY *key;
	X509 *cert;
	const EVP_MD *md;
	unsigned flags;
	char hash[32];
};

/* The last libcrypto error in words (the queue is emptied). */
static const char *ssl_reason(char *buf, size_t cap)
{
	unsigned long e = ERR_peek_last_error();

	if (!e)
		snprintf(buf, cap, "not in a format it understands");
	else
		ERR_error_string_n(e, buf, cap);
	ERR_clear_error();
	return buf;
}

/* A key with a passphrase is refused instead of prompting on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

/* The certificate @p/@n (in BIO @b) as sign-file reads it: DER when it starts like a DER SEQUENCE, else PEM. */
static X509 *read_cert(const uint8_t *p, size_t n, BIO *b)
{
	if (n >= 2 && p[0] == 0x30 && p[1] >= 0x81 && p[1] <= 0x84)
		return d2i_X509_bio(b, NULL);
	return PEM_read_bio_X509(b, NULL, NULL, NULL);
}

/*
 * A key or certificate file read whole (*@buf, *@len; 0 or a negative
 * errno): a regular file of at most 1 MiB (a FIFO or a device is refused,
 * never waited on); with @private, only a file no one but its owner can read
 * or write (sign-file and DKMS keep keys 0600; a key others can read signs
 * for them too).
 */
static int read_small(struct btfc_ctx *ctx, const char *path, bool private, const char *what,
		      uint8_t **buf, size_t *len)
{
	struct stat st;
	int fd = btfci_open_regular(ctx, path, 1 << 20, &st), err;

	if (fd < 0)
		return fd;
	if (private && (st.st_mode & 077))
		err = btfci_refuse(
			ctx, BTFC_REASON_UNSAFE, -EPERM, path,
			"%s has mode %04o: others can read or change it; not using it (chmod 600, as "
			"sign-file and DKMS keep keys)",
			what, (unsigned)(st.st_mode & 07777));
	else
		err = btfci_read_regular(ctx, path, fd, &st, buf, len);
	close(fd);
	return err;
}

/* A read-only memory BIO on @buf/@len. */
static BIO *mem_bio(struct btfc_ctx *ctx, const char *path, const uint8_t *buf, size_t len,
		    int *err)
{
	BIO *b = len <= INT_MAX ? BIO_new_mem_buf(buf, (int)len) : NULL;

	*err = b ? 0 : btfci_err(ctx, -ENOMEM, path, "out of memory");
	return b;
}

/* The hashes the kernel verifies module signatures with (CONFIG_MODULE_SIG_SHA256/384/512). */
static const char *const kernel_hashes[] = { "sha256", "sha384", "sha512" };

BTFC_API int btfc_signer_new(struct btfc_ctx *ctx, const char *key_path, const char *cert_path,
			     const char *hash, unsigned flags, struct btfc_signer **out)
{
	struct btfc_signer *s;
	char why[256];
	BIO *b;
	int err;

	*out = NULL;
	if (!hash)
		hash = "sha512"; /* CONFIG_MODULE_SIG_HASH of Debian's kernels, and DKMS's default */
	bool known = false;
	for (size_t i = 0; i < sizeof(kernel_hashes) / sizeof(kernel_hashes[0]); i++)
		known |= !strcmp(hash, kernel_hashes[i]);
	if (!known)
		return btfci_err(ctx, -EINVAL, hash,
				 "not a hash the kernel verifies module signatures with "
				 "(sha256, sha384, sha512)");
	if (!(s = calloc(1, sizeof(*s))))
		return btfci_err(ctx, -ENOMEM, key_path, "out of memory");
	s->flags = flags;
	snprintf(s->hash, sizeof(s->hash), "%s", hash);
	ERR_clear_error();
	if (!(s->md = EVP_get_digestbyname(hash))) {
		btfc_signer_free(s);
		return btfci_err(ctx, -EINVAL, hash, "this libcrypto has no %s", hash);
	}
	uint8_t *buf = NULL;
	size_t len = 0;
	if ((err = read_small(ctx, key_path, true, "the signing key", &buf, &len)) ||
	    !(b = mem_bio(ctx, key_path, buf, len, &err))) {
		free(buf);
		btfc_signer_free(s);
		return err;
	}
	s->key = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	OPENSSL_cleanse(buf, len);
	free(buf);
	buf = NULL;
	if (!s->key) {
		btfci_err(ctx, -EINVAL, key_path, "not a PEM private key without passphrase (%s)",
			  ssl_reason(why, sizeof(why)));
		btfc_signer_free(s);
		return -EINVAL;
	}
	if ((err = read_small(ctx, cert_path, false, "the certificate", &buf, &len)) ||
	    !(b = mem_bio(ctx, cert_path, buf, len, &err))) {
		free(buf);
		btfc_signer_free(s);
		return err;
	}
	s->cert = read_cert(buf, len, b);
	BIO_free(b);
	free(buf);
	if (!s->cert) {
		btfci_err(ctx, -EINVAL, cert_path, "not an X.509 certificate, DER or PEM (%s)",
			  ssl_reason(why, sizeof(why)));
		btfc_signer_free(s);
		return -EINVAL;
	}
	if (X509_check_private_key(s->cert, s->key) != 1) {
		ERR_clear_error();
		btfc_signer_free(s);
		return btfci_err(ctx, -EINVAL, cert_path,
				 "the certificate does not belong to the key %s", key_path);
	}
	*out = s;
	return 0;
}

BTFC_API void btfc_signer_free(struct btfc_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	free(s);
}

BTFC_API const char *btfc_signer_hash(const struct btfc_signer *s) { return s->hash; }

/* Length of @p/@n without an appended signature (and its trailer), or @n if it has none. */
static size_t unsigned_len(const uint8_t *p, size_t n)
{
	const size_t tail = SIG_INFO_LEN + SIG_MAGIC_LEN;

	if (!btfci_module_signed(p, n) || n < tail)
		return n;
	const uint8_t *info = p + n - tail;
	uint32_t sig_len = (uint32_t)info[8] << 24 | (uint32_t)info[9] << 16 |
			   (uint32_t)info[10] << 8 | info[11];
	return sig_len <= n - tail ? n - tail - sig_len : n;
}

BTFC_API int btfci_signer_sign_v02(const struct btfc_signer *s, struct btfc_ctx *ctx,
				   const void *image, size_t len, void **out, size_t *outlen)
{
	const unsigned cms_flags = CMS_NOCERTS | CMS_BINARY;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *sig = NULL;
	char why[256];
	int err = -EINVAL;

	*out = NULL;
	*outlen = 0;
	len = unsigned_len(image, len);
	if (len > INT_MAX)
		return btfci_err(ctx, -EFBIG, NULL, "module too large to sign");
	ERR_clear_error();
	if (!(in = BIO_new_mem_buf(image, (int)len)) || !(sig = BIO_new(BIO_s_mem())))
		goto fail;
	/* sign-file's calls and flags, exactly */
	cms = CMS_sign(NULL, NULL, NULL, NULL, cms_flags | CMS_PARTIAL | CMS_DETACHED | CMS_STREAM);
	if (!cms ||
	    !CMS_add1_signer(cms, s->cert, s->key, s->md,
			     cms_flags | CMS_NOSMIMECAP | CMS_NOATTR |
				     (s->flags & BTFC_SIGN_KEYID ? CMS_USE_KEYID : 0)) ||
	    CMS_final(cms, in, NULL, cms_flags) != 1 || i2d_CMS_bio_stream(sig, cms, NULL, 0) != 1)
		goto fail;
	char *sp;
	long sn = BIO_get_mem_data(sig, &sp);
	if (sn <= 0 || (uint64_t)sn > UINT32_MAX)
		goto fail;
	size_t total = len + (size_t)sn + SIG_INFO_LEN + SIG_MAGIC_LEN;
	uint8_t *o = malloc(total);
	if (!o) {
		err = -ENOMEM;
		goto fail;
	}
	uint8_t info[SIG_INFO_LEN] = { 0,
				       0,
				       PKEY_ID_PKCS7,
				       0,
				       0,
				       0,
				       0,
				       0,
				       (uint8_t)(sn >> 24),
				       (uint8_t)(sn >> 16),
				       (uint8_t)(sn >> 8),
				       (uint8_t)sn };
	memcpy(o, image, len);
	memcpy(o + len, sp, (size_t)sn);
	memcpy(o + len + sn, info, sizeof(info));
	memcpy(o + len + sn + sizeof(info), SIG_MAGIC, SIG_MAGIC_LEN);
	*out = o;
	*outlen = total;
	err = 0;
fail:
	if (err)
		btfci_err(ctx, err, NULL, "signing failed: %s",
			  err == -ENOMEM ? "out of memory" : ssl_reason(why, sizeof(why)));
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(sig);
	return err;
}
BTFCI_COMPAT(btfci_signer_sign_v02, btfc_signer_sign, "LIBBTFCOMPAT_0.2");

/* since 0.5: the context first */
BTFC_API int btfci_signer_sign(struct btfc_ctx *ctx, const struct btfc_signer *s, const void *image,
			       size_t len, void **out, size_t *outlen)
{
	return btfci_signer_sign_v02(s, ctx, image, len, out, outlen);
}
BTFCI_DEFAULT(btfci_signer_sign, btfc_signer_sign, "LIBBTFCOMPAT_0.5");

/* 1 when @p/@n carries a signature whose signer is @s's certificate (issuer and serial, or key id). */
static bool signed_by(const struct btfc_signer *s, const uint8_t *p, size_t n)
{
	size_t body = unsigned_len(p, n), tail = SIG_INFO_LEN + SIG_MAGIC_LEN;
	const unsigned char *der = p + body;
	bool own = false;

	if (body == n || n - body - tail > LONG_MAX)
		return false;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &der, (long)(n - body - tail));
	STACK_OF(CMS_SignerInfo) *sis = cms ? CMS_get0_SignerInfos(cms) : NULL;
	for (int i = 0; sis && i < sk_CMS_SignerInfo_num(sis) && !own; i++)
		own = !CMS_SignerInfo_cert_cmp(sk_CMS_SignerInfo_value(sis, i), s->cert);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return own;
}

BTFC_API int btfc_signer_owns(const struct btfc_signer *s, const void *image, size_t len)
{
	return signed_by(s, image, len);
}

bool btfci_want_sign(const struct btfc_ctx *ctx, const uint8_t *image, size_t len)
{
	return ctx->signer &&
	       (!(ctx->signer->flags & BTFC_SIGN_OWN) || signed_by(ctx->signer, image, len));
}

BTFC_API void btfc_ctx_set_signer(struct btfc_ctx *ctx, const struct btfc_signer *s)
{
	ctx->signer = s;
}

int btfci_sign_image(struct btfc_ctx *ctx, const char *path, uint8_t **image, size_t *len)
{
	void *signed_img;
	size_t n;
	int err = btfc_signer_sign(ctx, ctx->signer, *image, *len, &signed_img, &n);

	if (err) {
		char msg[sizeof(ctx->err)];
		snprintf(msg, sizeof(msg), "%s", ctx->err);
		return btfci_err(ctx, err, path, "%s", msg);
	}
	free(*image);
	*image = signed_img;
	*len = n;
	return 0;
}
