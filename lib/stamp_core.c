// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The verify core of .BTF.base_checksum: freestanding C (no libc, no
 * allocation; CI compiles it with -ffreestanding -nostdlib). See stamp.h.
 */
#include "btfcompat/stamp.h"
#include "btf_kind.h"

#define API __attribute__((visibility("default")))

static uint32_t rd32(const uint8_t *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] :
		    (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void wr32(uint8_t *p, uint32_t v, int be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

API int btfc_stamp_parse(const void *sec, size_t len, struct btfc_stamp *out)
{
	const uint8_t *p = sec;
	int be;

	if (len != BTFC_STAMP_SIZE)
		return BTFC_STAMP_BAD_STAMP;
	if (p[0] == 0x9f && p[1] == 0xeb)
		be = 0;
	else if (p[0] == 0xeb && p[1] == 0x9f)
		be = 1;
	else
		return BTFC_STAMP_BAD_STAMP;
	out->big_endian = (uint8_t)be;
	out->version = p[2];
	out->algorithm = p[3];
	out->hdr_len = rd32(p + 4, be);
	out->base_type_cnt = rd32(p + 8, be);
	out->base_str_len = rd32(p + 12, be);
	for (int i = 0; i < 32; i++)
		out->digest[i] = p[16 + i];
	if (out->version != BTFC_STAMP_VERSION || out->algorithm != BTFC_STAMP_ALG_SHA256 ||
	    out->hdr_len != BTFC_STAMP_HDR_LEN)
		return BTFC_STAMP_BAD_STAMP;
	return 0;
}

API void btfc_stamp_encode(const struct btfc_stamp *st, void *out)
{
	uint8_t *p = out;
	int be = st->big_endian;

	p[be ? 0 : 1] = 0xeb;
	p[be ? 1 : 0] = 0x9f;
	p[2] = BTFC_STAMP_VERSION;
	p[3] = BTFC_STAMP_ALG_SHA256;
	wr32(p + 4, BTFC_STAMP_HDR_LEN, be);
	wr32(p + 8, st->base_type_cnt, be);
	wr32(p + 12, st->base_str_len, be);
	for (int i = 0; i < 32; i++)
		p[16 + i] = st->digest[i];
}

/* The base's header and type count; 0 or BTFC_STAMP_BAD_BASE. */
static int base_layout(const uint8_t *b, size_t len, int *be, uint32_t *types_at,
		       uint32_t *types_len, uint32_t *strs_at, uint32_t *strs_len, uint32_t *cnt)
{
	if (len < 24)
		return BTFC_STAMP_BAD_BASE;
	if (b[0] == 0x9f && b[1] == 0xeb)
		*be = 0;
	else if (b[0] == 0xeb && b[1] == 0x9f)
		*be = 1;
	else
		return BTFC_STAMP_BAD_BASE;
	uint32_t hl = rd32(b + 4, *be), to = rd32(b + 8, *be), tl = rd32(b + 12, *be);
	uint32_t so = rd32(b + 16, *be), sl = rd32(b + 20, *be);
	if (hl < 24 || hl > len || (uint64_t)to + tl > len - hl || (uint64_t)so + sl > len - hl ||
	    tl % 4)
		return BTFC_STAMP_BAD_BASE;
	*types_at = hl + to;
	*types_len = tl;
	*strs_at = hl + so;
	*strs_len = sl;
	uint32_t n = 0, off = 0;
	while (off < tl) {
		if (tl - off < 12)
			return BTFC_STAMP_BAD_BASE;
		long extra = btfci_kind_extra(rd32(b + hl + to + off + 4, *be));
		if (extra < 0 || (uint64_t)extra > tl - off - 12)
			return BTFC_STAMP_BAD_BASE;
		off += 12 + (uint32_t)extra;
		n++;
	}
	*cnt = n;
	return 0;
}

API int btfc_stamp_of_base(const void *base, size_t base_len, const struct btfc_sha256_ops *sha,
			   struct btfc_stamp *out)
{
	const uint8_t *b = base;
	uint32_t ta, tl, sa, sl, cnt;
	int be;

	if (base_layout(b, base_len, &be, &ta, &tl, &sa, &sl, &cnt))
		return BTFC_STAMP_BAD_BASE;
	out->version = BTFC_STAMP_VERSION;
	out->algorithm = BTFC_STAMP_ALG_SHA256;
	out->hdr_len = BTFC_STAMP_HDR_LEN;
	out->big_endian = (uint8_t)be;
	out->base_type_cnt = cnt;
	out->base_str_len = sl;
	sha->init(sha->state);
	sha->update(sha->state, b + ta, tl);
	sha->update(sha->state, b + sa, sl);
	sha->final(sha->state, out->digest);
	return 0;
}

API int btfc_stamp_verify(const void *sec, size_t len, const void *base, size_t base_len,
			  const struct btfc_sha256_ops *sha, struct btfc_stamp *found)
{
	struct btfc_stamp want, have;
	uint32_t ta, tl, sa, sl, cnt;
	int be;

	if (btfc_stamp_parse(sec, len, &want))
		return BTFC_STAMP_BAD_STAMP;
	if (base_layout(base, base_len, &be, &ta, &tl, &sa, &sl, &cnt))
		return BTFC_STAMP_BAD_BASE;
	have.base_type_cnt = cnt;
	have.base_str_len = sl;
	if (found) {
		found->base_type_cnt = cnt;
		found->base_str_len = sl;
	}
	if (cnt != want.base_type_cnt)
		return BTFC_STAMP_TYPE_CNT_DIFFERS;
	if (sl != want.base_str_len)
		return BTFC_STAMP_STR_LEN_DIFFERS;
	if (btfc_stamp_of_base(base, base_len, sha, &have))
		return BTFC_STAMP_BAD_BASE;
	if (found)
		*found = have;
	for (int i = 0; i < 32; i++)
		if (have.digest[i] != want.digest[i])
			return BTFC_STAMP_DIGEST_DIFFERS;
	return BTFC_STAMP_MATCH;
}
