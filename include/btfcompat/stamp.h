/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The .BTF.base_checksum section (docs/stamp.md) and its verify core.
 *
 * This header and lib/stamp_core.c are freestanding C: no libc, no
 * allocation, only <stdint.h> and <stddef.h>, so that a kernel or a boot
 * loader can carry them. The SHA-256 itself is supplied by the caller
 * (libcrypto in user space, lib/crypto in a kernel) through struct
 * btfc_sha256_ops.
 *
 * Section layout, version 1, in the byte order of the module's .BTF:
 *   0  u16 magic          0xeB9F (the BTF magic; also tells the byte order)
 *   2  u8  version        1
 *   3  u8  algorithm      1 = SHA-256
 *   4  u32 hdr_len        16 (bytes before the digest)
 *   8  u32 base_type_cnt  number of types in the base (its last type id)
 *  12  u32 base_str_len   length of the base's string section
 *  16  u8  digest[32]     SHA-256 of the base's type section bytes followed by
 *                         its string section bytes, exactly as stored
 */
#ifndef BTFCOMPAT_STAMP_H
#define BTFCOMPAT_STAMP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BTFC_STAMP_MAGIC 0xeB9F
#define BTFC_STAMP_VERSION 1
#define BTFC_STAMP_ALG_SHA256 1
#define BTFC_STAMP_HDR_LEN 16
#define BTFC_STAMP_SIZE 48
#define BTFC_STAMP_SECTION ".BTF.base_checksum"

/* A parsed stamp, fields in host byte order. */
struct btfc_stamp {
	uint8_t version, algorithm;
	uint8_t big_endian; /* the stamp (and so the module's .BTF) is big-endian */
	uint32_t hdr_len;
	uint32_t base_type_cnt;
	uint32_t base_str_len;
	uint8_t digest[32];
};

/* A SHA-256 provided by the caller; @state points at the caller's context. */
struct btfc_sha256_ops {
	void *state;
	void (*init)(void *state);
	void (*update)(void *state, const void *data, size_t len);
	void (*final)(void *state, uint8_t digest[32]);
};

/* Outcome of btfc_stamp_verify(); negative values mean "no usable answer". */
enum btfc_stamp_result {
	BTFC_STAMP_MATCH = 0, /* built against exactly this base */
	BTFC_STAMP_TYPE_CNT_DIFFERS = 1, /* the base has another number of types */
	BTFC_STAMP_STR_LEN_DIFFERS = 2, /* same type count, another string section length */
	BTFC_STAMP_DIGEST_DIFFERS = 3, /* same counts, other bytes */
	BTFC_STAMP_BAD_STAMP = -1, /* the section is not a stamp this code understands */
	BTFC_STAMP_BAD_BASE = -2, /* the base is not well-formed BTF */
};

/*
 * Parse the section bytes @sec/@len into *@out. Returns 0, or
 * BTFC_STAMP_BAD_STAMP for a wrong size, magic, version, algorithm or hdr_len.
 */
int btfc_stamp_parse(const void *sec, size_t len, struct btfc_stamp *out);

/*
 * Encode @st (host order fields; st->big_endian picks the byte order) into the
 * BTFC_STAMP_SIZE bytes at @out.
 */
void btfc_stamp_encode(const struct btfc_stamp *st, void *out);

/*
 * The counts and digest of a base BTF blob as a stamp would record them:
 * walks the header and type section of @base/@base_len (either byte order)
 * to count its types and hashes its type and string sections as stored.
 * Returns 0, or BTFC_STAMP_BAD_BASE if the blob is not well-formed.
 */
int btfc_stamp_of_base(const void *base, size_t base_len, const struct btfc_sha256_ops *sha,
		       struct btfc_stamp *out);

/*
 * Verify the stamp section @sec/@len against the base BTF blob @base/@base_len.
 * The cheap checks (type count, string length) come first; the digest is
 * computed only when both agree. If @found is not NULL it receives the base's
 * counts (and digest when computed) for messages.
 */
int btfc_stamp_verify(const void *sec, size_t len, const void *base, size_t base_len,
		      const struct btfc_sha256_ops *sha, struct btfc_stamp *found);

#ifdef __cplusplus
}
#endif
#endif
