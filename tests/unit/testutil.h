/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Tiny test helpers. Protocol read by tests/run-all.sh: one line per case,
 *   PASS: name
 *   FAIL: name: why
 *   SKIP: name: why
 * A test program that exits non-zero without printing FAIL counts as one FAIL.
 *
 * BTF encoder macros in the style of the kernel's BTF selftests
 * (tools/testing/selftests/bpf/test_btf.h): a type section is a uint32_t array.
 */
#ifndef BTFC_TESTUTIL_H
#define BTFC_TESTUTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tu_failed, tu_passed, tu_skipped;

static inline void tu_pass(const char *name)
{
	printf("PASS: %s\n", name);
	tu_passed++;
}
static inline void tu_skip(const char *name, const char *why)
{
	printf("SKIP: %s: %s\n", name, why);
	tu_skipped++;
}
__attribute__((format(printf, 2, 3))) static inline void tu_fail(const char *name, const char *fmt,
								 ...)
{
	va_list ap;
	printf("FAIL: %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	tu_failed++;
}
/* Report @name as passed if @cond, else failed with the formatted reason. */
#define TU_CHECK(name, cond, ...)                   \
	do {                                        \
		if (cond)                           \
			tu_pass(name);              \
		else                                \
			tu_fail(name, __VA_ARGS__); \
	} while (0)
static inline int tu_exit(void)
{
	fflush(stdout);
	return tu_failed ? 1 : 0;
}

/* ---- BTF encoders (host byte order) ---- */
#define BTF_INFO_ENC(kind, kflag, vlen) \
	((((uint32_t)(kflag)&1) << 31) | (((uint32_t)(kind)&0x1f) << 24) | ((vlen)&0xffff))
#define BTF_TYPE_ENC(name, info, size_or_type) (name), (info), (size_or_type)
#define BTF_INT_ENC(encoding, bits_offset, nr_bits) \
	(((uint32_t)(encoding) << 24) | ((bits_offset) << 16) | (nr_bits))
#define BTF_TYPE_INT_ENC(name, encoding, bits_offset, bits, sz)    \
	BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_INT, 0, 0), sz), \
		BTF_INT_ENC(encoding, bits_offset, bits)
#define BTF_PTR_ENC(type) BTF_TYPE_ENC(0, BTF_INFO_ENC(BTFC_KIND_PTR, 0, 0), type)
#define BTF_CONST_ENC(type) BTF_TYPE_ENC(0, BTF_INFO_ENC(BTFC_KIND_CONST, 0, 0), type)
#define BTF_VOLATILE_ENC(type) BTF_TYPE_ENC(0, BTF_INFO_ENC(BTFC_KIND_VOLATILE, 0, 0), type)
#define BTF_RESTRICT_ENC(type) BTF_TYPE_ENC(0, BTF_INFO_ENC(BTFC_KIND_RESTRICT, 0, 0), type)
#define BTF_TYPEDEF_ENC(name, type) BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_TYPEDEF, 0, 0), type)
#define BTF_ARRAY_ENC(type, index_type, nr_elems) (type), (index_type), (nr_elems)
#define BTF_TYPE_ARRAY_ENC(type, index_type, nr_elems)           \
	BTF_TYPE_ENC(0, BTF_INFO_ENC(BTFC_KIND_ARRAY, 0, 0), 0), \
		BTF_ARRAY_ENC(type, index_type, nr_elems)
#define BTF_STRUCT_ENC(name, nr_elems, sz) \
	BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_STRUCT, 0, nr_elems), sz)
#define BTF_UNION_ENC(name, nr_elems, sz) \
	BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_UNION, 0, nr_elems), sz)
#define BTF_MEMBER_ENC(name, type, bits_offset) (name), (type), (bits_offset)
#define BTF_ENUM_ENC(name, val) (name), (val)
#define BTF_ENUM64_ENC(name, lo, hi) (name), (lo), (hi)
#define BTF_FWD_ENC(name, kind_flag) \
	BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_FWD, kind_flag, 0), 0)
#define BTF_FUNC_PROTO_ENC(ret_type, nargs) \
	BTF_TYPE_ENC(0, BTF_INFO_ENC(BTFC_KIND_FUNC_PROTO, 0, nargs), ret_type)
#define BTF_FUNC_PROTO_ARG_ENC(name, type) (name), (type)
#define BTF_FUNC_ENC(name, func_proto, linkage) \
	BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_FUNC, 0, linkage), func_proto)
#define BTF_VAR_ENC(name, type, linkage) \
	BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_VAR, 0, 0), type), (linkage)
#define BTF_VAR_SECINFO_ENC(type, offset, size) (type), (offset), (size)
#define BTF_DATASEC_ENC(name, vlen, size) \
	BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_DATASEC, 0, vlen), size)
#define BTF_FLOAT_ENC(name, sz) BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_FLOAT, 0, 0), sz)
#define BTF_DECL_TAG_ENC(name, type, component_idx) \
	BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_DECL_TAG, 0, 0), type), (uint32_t)(component_idx)
#define BTF_TYPE_TAG_ENC(name, type) \
	BTF_TYPE_ENC(name, BTF_INFO_ENC(BTFC_KIND_TYPE_TAG, 0, 0), type)
#define BTF_END_RAW 0xdeadbeef

/*
 * Assemble a raw BTF blob from a type section (@types, terminated by
 * BTF_END_RAW) and a string section (@strs, @str_len bytes including NULs).
 * Returns a malloc'd blob and its size in *len.
 */
static inline void *tu_btf_build(const uint32_t *types, const char *strs, uint32_t str_len,
				 size_t *len)
{
	uint32_t ntypes = 0;
	while (types[ntypes] != BTF_END_RAW)
		ntypes++;
	uint32_t tlen = ntypes * 4;
	size_t total = 24 + tlen + str_len;
	uint8_t *b = calloc(1, total);
	uint32_t hdr[6] = { 0x0001eB9F | (0u << 24), 24, 0, tlen, tlen, str_len };
	hdr[0] = 0xeB9F | (1u << 16); /* magic, version 1, flags 0 */
	memcpy(b, hdr, 24);
	memcpy(b + 24, types, tlen);
	memcpy(b + 24 + tlen, strs, str_len);
	*len = total;
	return b;
}

#endif
