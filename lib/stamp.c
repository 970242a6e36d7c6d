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

static void sha_init(void *s) { EVP_DigestInit_ex(s, EVP_sha256(), NULL); }
static void sha_update(void *s, const void *p, size_t n) { EVP_DigestUpdate(s, p, n); }
static void sha_final(void *s, uint8_t d[32]) { EVP_DigestFinal_ex(s, d, NULL); }

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
	struct btfc_sha256_ops ops = { md, sha_init, sha_update, sha_final };
	int r = btfc_stamp_parse(sec, len, want);
	if (!r)
		r = btfc_stamp_verify(sec, len, blob, blen, &ops, found);
	EVP_MD_CTX_free(md);
	free(tofree);
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
	struct btfc_sha256_ops ops = { md, sha_init, sha_update, sha_final };
	int r = btfc_stamp_of_base(blob, len, &ops, out);
	EVP_MD_CTX_free(md);
	free(tofree);
	if (btfc_btf_base(base))
		return btfc__err(ctx, -EINVAL, btfc_btf_name(base), "a base must be standalone BTF (vmlinux), not split BTF");
	if (r)
		return btfc__err(ctx, -EINVAL, btfc_btf_name(base), "not well-formed BTF");
	return 0;
}

BTFC_API int btfc_module_stamp(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base, unsigned flags,
			       int *changed)
{
	struct btfc_module *m;
	struct btfc_stamp st;
	const void *btf, *old;
	size_t btf_len, old_len;
	uint8_t bytes[BTFC_STAMP_SIZE];
	int err;

	*changed = 0;
	if ((err = btfc__module_open_rw(ctx, path, flags, "stamping", &m)))
		return err;
	if (btfc_module_section(m, ".BTF", &btf, &btf_len) || btf_len < 24) {
		err = btfc__err(ctx, -ENODATA, path, "no .BTF section to stamp");
		goto out;
	}
	/* stamping asserts "built on this base": refuse when the module's BTF does not even validate on it */
	struct btfc_validate_opts vo = { .profile = BTFC_PROFILE_MODULE };
	struct btfc_verdict v;
	if ((err = btfc_validate(ctx, btf, btf_len, base, &vo, &v)))
		goto out;
	if (v.err && !(flags & BTFC_REWRITE_FORCE)) {
		err = btfc__err(ctx, -EINVAL, path, "its .BTF does not validate on %s (%s%s%s): not stamping",
				btfc_btf_name(base), v.msg[0] ? v.msg : "", v.msg[0] ? "" : "kernel error ",
				v.msg[0] ? "" : strerror(-v.err));
		goto out;
	}
	if ((err = btfc_stamp_compute(ctx, base, &st)))
		goto out;
	st.big_endian = ((const uint8_t *)btf)[0] == 0xeb;
	btfc_stamp_encode(&st, bytes);
	if (!btfc_module_section(m, BTFC_STAMP_SECTION, &old, &old_len) && old_len == sizeof(bytes) &&
	    !memcmp(old, bytes, sizeof(bytes)))
		goto out; /* already stamped for this base */
	btfc_module_free(m);
	m = NULL;
	struct btfc__sec_edit ed = { BTFC_STAMP_SECTION, bytes, sizeof(bytes), 4 };
	err = btfc__module_rewrite(ctx, path, NULL, &ed, 1, flags);
	if (!err)
		*changed = 1;
out:
	btfc_module_free(m);
	return err;
}
