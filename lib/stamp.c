// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Stamps (.BTF.base_checksum) in user space: the SHA-256 from libcrypto
 * plugged into the freestanding core (stamp_core.c), and the module rewrite.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "btf_int.h"
#include "btfcompat/stamp.h"
#include "elfw.h"

/* libcrypto's SHA-256 behind the core's void callbacks: a failure is remembered and reported after */
struct sha {
	EVP_MD_CTX *md;
	bool failed;
};
static void sha_init(void *s) { struct sha *h = s; h->failed |= !EVP_DigestInit_ex(h->md, EVP_sha256(), NULL); }
static void sha_update(void *s, const void *p, size_t n) { struct sha *h = s; h->failed |= !EVP_DigestUpdate(h->md, p, n); }
static void sha_final(void *s, uint8_t d[32]) { struct sha *h = s; h->failed |= !EVP_DigestFinal_ex(h->md, d, NULL); }

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
	btfc__btf_swap(c, *len, false);
	*tofree = c;
	return c;
}

int btfc__stamp_check(struct btfc_ctx *ctx, const void *sec, size_t len, const struct btfc_btf *base,
		      struct btfc_stamp *want, struct btfc_stamp *found)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	void *tofree;
	size_t blen;
	const void *blob = stored_blob(base, &blen, &tofree);

	if (!md || !blob) {
		EVP_MD_CTX_free(md);
		return btfc__err(ctx, -ENOMEM, btfc_btf_name(base), "out of memory");
	}
	struct sha h = { md, false };
	struct btfc_sha256_ops ops = { &h, sha_init, sha_update, sha_final };
	int r = btfc_stamp_parse(sec, len, want);
	if (!r)
		r = btfc_stamp_verify(sec, len, blob, blen, &ops, found);
	EVP_MD_CTX_free(md);
	free(tofree);
	if (h.failed)
		return btfc__err(ctx, -EIO, btfc_btf_name(base), "libcrypto's SHA-256 failed");
	return r;
}

BTFC_API int btfc_stamp_compute(struct btfc_ctx *ctx, const struct btfc_btf *base, struct btfc_stamp *out)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	void *tofree;
	size_t len;
	const void *blob = stored_blob(base, &len, &tofree);

	if (!md || !blob) {
		EVP_MD_CTX_free(md);
		return btfc__err(ctx, -ENOMEM, btfc_btf_name(base), "out of memory");
	}
	struct sha h = { md, false };
	struct btfc_sha256_ops ops = { &h, sha_init, sha_update, sha_final };
	int r = btfc_stamp_of_base(blob, len, &ops, out);
	EVP_MD_CTX_free(md);
	free(tofree);
	if (h.failed)
		return btfc__err(ctx, -EIO, btfc_btf_name(base), "libcrypto's SHA-256 failed");
	if (btfc_btf_base(base))
		return btfc__err(ctx, -EINVAL, btfc_btf_name(base), "a base must be standalone BTF (vmlinux), not split BTF");
	if (r)
		return btfc__err(ctx, -EINVAL, btfc_btf_name(base), "not well-formed BTF");
	return 0;
}

int btfc__stamp_m(struct btfc_ctx *ctx, struct btfc_module *m, const struct btfc_btf *base, unsigned flags,
		  int *changed)
{
	const char *path = m->name;
	struct btfc_stamp st;
	const void *btf, *old;
	size_t btf_len, old_len;
	uint8_t bytes[BTFC_STAMP_SIZE];
	int err;

	*changed = 0;
	if ((err = btfc_module_section(m, ".BTF", &btf, &btf_len)) || btf_len < 24)
		return err && err != -ENODATA ? btfc__refuse(ctx, BTFC_REASON_CORRUPT, -EINVAL, path, "cannot read its .BTF section")
					      : btfc__err(ctx, -ENODATA, path, "no .BTF section to stamp");
	/* a stamp asserts "built on this base": only where check says so, on the same bytes */
	if (!(flags & BTFC_REWRITE_FORCE)) {
		BTFC_OPTS(btfc_check, c);
		if ((err = btfc_module_check(ctx, m, base, NULL, &c)))
			return err;
		if (c.outcome != BTFC_OUTCOME_MATCH)
			err = btfc__refuse(ctx, BTFC_REASON_NOT_FIT, -EINVAL, path,
					   "its .BTF does not fit %s (%s, %s): not stamping it; %s", btfc_btf_name(base),
					   btfc_outcome_name(c.outcome), btfc_method_name(c.method), c.evidence);
		btfc_check_release(&c);
		if (err)
			return err;
	}
	if ((err = btfc_stamp_compute(ctx, base, &st)))
		return err;
	st.big_endian = ((const uint8_t *)btf)[0] == 0xeb;
	btfc_stamp_encode(&st, bytes);
	if (!btfc_module_section(m, BTFC_STAMP_SECTION, &old, &old_len) && old_len == sizeof(bytes) &&
	    !memcmp(old, bytes, sizeof(bytes)))
		return 0; /* already stamped for this base */
	struct btfc__sec_edit ed = { BTFC_STAMP_SECTION, bytes, sizeof(bytes), 4, false };
	if (!(err = btfc__module_rewrite(ctx, m, NULL, &ed, 1, flags)))
		*changed = 1;
	return err;
}

BTFC_API int btfc_module_stamp(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base, unsigned flags,
			       int *changed)
{
	struct btfc_module *m;
	int err;

	*changed = 0;
	if ((err = btfc_module_open_rw(ctx, path, flags, "stamping", &m)))
		return err;
	err = btfc__stamp_m(ctx, m, base, flags, changed);
	btfc_module_free(m);
	return err;
}
