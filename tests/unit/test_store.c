// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The store of kernel bases (docs/store.md) in a scratch directory, no
 * corpus: the two bases of tu_module.h written as raw BTF files are added,
 * listed, loaded back (the bytes must be the ones added), added again for a
 * second kernel (one base, two kernels), corrupted (the load refuses) and
 * removed. A base's name is the SHA-256 of its type and string sections,
 * computed here with EVP, not by the library.
 */
#include <openssl/evp.h>

#include "tu_module.h"

static const uint32_t a_types[] = { TU_A_TYPES(0, 32, 8) };
static const uint32_t b_types[] = { TU_B_TYPES };

static void want_digest(const void *blob, char out[65])
{
	const uint32_t *h = blob;
	const uint8_t *b = blob;
	uint8_t d[32];
	unsigned dl = 32;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, b + h[1] + h[2], h[3]);
	EVP_DigestUpdate(md, b + h[1] + h[4], h[5]);
	EVP_DigestFinal_ex(md, d, &dl);
	EVP_MD_CTX_free(md);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

int main(void)
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	struct btfc_store *st = NULL;
	size_t alen, blen;
	void *ab = TU_BLOB(a_types, TU_A_STRS, &alen), *bb = TU_BLOB(b_types, TU_B_STRS, &blen);
	const char *apath = tu_path("a.btf"), *bpath = tu_path("b.btf"),
		   *dir = tu_path("store/bases");
	char da[65], db[65];
	struct btfc_store_entry *list = NULL;
	size_t n = 0;

	want_digest(ab, da);
	want_digest(bb, db);
	if (tu_write_file(apath, ab, alen) || tu_write_file(bpath, bb, blen)) {
		tu_fail("store/fixture", "cannot write the bases");
		return tu_exit();
	}
	int rc = btfc_store_open(ctx, dir, 0, &st);
	TU_CHECK("store/open-missing", rc == -ENOENT && !st, "rc %d", rc);
	if ((rc = btfc_store_open(ctx, dir, BTFC_STORE_CREATE, &st))) {
		tu_fail("store/open-create", "rc %d: %s", rc, btfc_ctx_last_error(ctx));
		return tu_exit();
	}
	tu_pass("store/open-create");

	BTFC_OPTS(btfc_store_entry, e);
	rc = btfc_store_add(ctx, st, apath, "6.1.0-a", &e);
	TU_CHECK("store/add",
		 !rc && !strcmp(e.digest, da) && e.base_type_cnt == 5 &&
			 e.base_str_len == TU_A_STR_LEN && e.btf_size == alen &&
			 !strcmp(e.kernel, "6.1.0-a"),
		 "rc %d digest %s (want %s) types %u strings %u size %llu: %s", rc, e.digest, da,
		 e.base_type_cnt, e.base_str_len, (unsigned long long)e.btf_size,
		 btfc_ctx_last_error(ctx));
	rc = btfc_store_add(ctx, st, bpath, "6.1.0-b", NULL);
	rc = rc ? rc : btfc_store_add(ctx, st, apath, "6.1.0-a2", NULL);
	rc = rc ? rc : btfc_store_list(ctx, st, &list, &n);
	int seen_a = 0, seen_b = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		if (!strcmp(list[i].digest, da))
			seen_a = !strcmp(list[i].kernels, "6.1.0-a 6.1.0-a2") &&
				 !strcmp(list[i].kernel, "6.1.0-a2");
		if (!strcmp(list[i].digest, db))
			seen_b = !strcmp(list[i].kernels, "6.1.0-b") && list[i].base_type_cnt == 6;
	}
	TU_CHECK("store/list-one-base-two-kernels", !rc && n == 2 && seen_a && seen_b,
		 "rc %d, %zu entries, A with both kernels %d, B %d: %s", rc, n, seen_a, seen_b,
		 btfc_ctx_last_error(ctx));
	free(list);

	struct btfc_btf *got = NULL;
	size_t glen = 0;
	const void *graw;
	rc = btfc_store_load(ctx, st, db, &got);
	graw = got ? btfc_btf_raw(got, &glen) : NULL;
	TU_CHECK("store/load-bytes-as-added",
		 !rc && graw && glen == blen && !memcmp(graw, bb, blen), "rc %d, %zu bytes: %s", rc,
		 glen, btfc_ctx_last_error(ctx));
	btfc_btf_free(got);
	got = NULL;

	/* a stored base whose bytes changed is refused, never returned */
	char zst[512];
	snprintf(zst, sizeof(zst), "%s/%s.btf.zst", dir, da);
	size_t zlen = 0;
	uint8_t *z = tu_read_file(zst, &zlen);
	if (!z || zlen < 8) {
		tu_fail("store/corrupt-refused", "no %s", zst);
	} else {
		z[zlen / 2] ^= 0xff;
		tu_write_file(zst, z, zlen);
		rc = btfc_store_load(ctx, st, da, &got);
		TU_CHECK("store/corrupt-refused", rc == -EBADMSG && !got, "rc %d", rc);
		btfc_btf_free(got);
		got = NULL;
		/* adding it again replaces the broken copy */
		rc = btfc_store_add(ctx, st, apath, "6.1.0-a3", NULL);
		rc = rc ? rc : btfc_store_load(ctx, st, da, &got);
		graw = got ? btfc_btf_raw(got, &glen) : NULL;
		TU_CHECK("store/add-repairs",
			 !rc && graw && glen == alen && !memcmp(graw, ab, alen), "rc %d: %s", rc,
			 btfc_ctx_last_error(ctx));
		btfc_btf_free(got);
	}
	free(z);

	rc = btfc_store_remove(ctx, st, db);
	list = NULL;
	n = 0;
	int lrc = btfc_store_list(ctx, st, &list, &n);
	TU_CHECK("store/remove", !rc && !lrc && n == 1 && !strcmp(list[0].digest, da),
		 "rc %d, %zu left", rc, n);
	free(list);
	btfc_store_free(st);

	/* read-only: listing works, adding fails with -EROFS */
	st = NULL;
	rc = btfc_store_open(ctx, dir, BTFC_STORE_READ_ONLY, &st);
	int arc = st ? btfc_store_add(ctx, st, bpath, "6.1.0-b", NULL) : 0;
	TU_CHECK("store/read-only", !rc && arc == -EROFS, "open %d add %d", rc, arc);
	btfc_store_free(st);

	free(ab);
	free(bb);
	btfc_ctx_free(ctx);
	return tu_exit();
}
