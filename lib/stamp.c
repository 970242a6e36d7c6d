// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Stamps (.BTF.base_checksum) in user space: the SHA-256 from libcrypto
 * plugged into the freestanding core (stamp_core.c), a base's stamp, and a
 * module's stamp section checked against a base. Writing a stamp into a
 * module is a rewriting verb (repair.c).
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "btf_int.h"
#include "btfcompat/stamp.h"
#include "stamp_int.h"

/* libcrypto's SHA-256 behind the core's void callbacks: a failure is remembered and reported after */
struct sha {
	EVP_MD_CTX *md;
	bool failed;
};
static void sha_init(void *s)
{
	struct sha *h = s;
	h->failed |= !EVP_DigestInit_ex(h->md, EVP_sha256(), NULL);
}
static void sha_update(void *s, const void *p, size_t n)
{
	struct sha *h = s;
	h->failed |= !EVP_DigestUpdate(h->md, p, n);
}
static void sha_final(void *s, uint8_t d[32])
{
	struct sha *h = s;
	h->failed |= !EVP_DigestFinal_ex(h->md, d, NULL);
}

/* The base's blob as stored: the model keeps foreign-order BTF swapped to host order. */
static const void *stored_blob(const struct btfc_btf *base, size_t *len, void **tofree)
{
	const uint8_t *raw = btfc_btf_raw(base, len);

	*tofree = NULL;
	if (!base->src.swapped)
		return raw;
	uint8_t *c = malloc(*len);
	if (!c)
		return NULL;
	memcpy(c, raw, *len);
	btfci_btf_swap(c, *len, false);
	*tofree = c;
	return c;
}

int btfci_stamp_check(struct btfc_ctx *ctx, const void *sec, size_t len,
		      const struct btfc_btf *base, struct btfc_stamp *want,
		      struct btfc_stamp *found)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	void *tofree;
	size_t blen;
	const void *blob = stored_blob(base, &blen, &tofree);

	if (!md || !blob) {
		EVP_MD_CTX_free(md);
		return btfci_err(ctx, -ENOMEM, btfc_btf_name(base), "out of memory");
	}
	struct sha h = { md, false };
	struct btfc_sha256_ops ops = { &h, sha_init, sha_update, sha_final };
	int r = btfc_stamp_parse(sec, len, want);
	if (!r)
		r = btfc_stamp_verify(sec, len, blob, blen, &ops, found);
	EVP_MD_CTX_free(md);
	free(tofree);
	if (h.failed)
		return btfci_err(ctx, -EIO, btfc_btf_name(base), "libcrypto's SHA-256 failed");
	return r;
}

BTFC_API int btfc_stamp_compute(struct btfc_ctx *ctx, const struct btfc_btf *base,
				struct btfc_stamp *out)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	void *tofree;
	size_t len;
	const void *blob = stored_blob(base, &len, &tofree);

	if (!md || !blob) {
		EVP_MD_CTX_free(md);
		return btfci_err(ctx, -ENOMEM, btfc_btf_name(base), "out of memory");
	}
	struct sha h = { md, false };
	struct btfc_sha256_ops ops = { &h, sha_init, sha_update, sha_final };
	int r = btfc_stamp_of_base(blob, len, &ops, out);
	EVP_MD_CTX_free(md);
	free(tofree);
	if (h.failed)
		return btfci_err(ctx, -EIO, btfc_btf_name(base), "libcrypto's SHA-256 failed");
	if (btfc_btf_base(base))
		return btfci_err(ctx, -EINVAL, btfc_btf_name(base),
				 "a base must be standalone BTF (vmlinux), not split BTF");
	if (r)
		return btfci_err(ctx, -EINVAL, btfc_btf_name(base), "not well-formed BTF");
	return 0;
}
