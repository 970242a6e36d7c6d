// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Validator unit tests: one row per check of the kernel's BTF verifier
 * (kernel/bpf/btf.c), in the style of the kernel's own BTF selftests. Each row
 * gives the types (encoder macros), the errno and the exact log line the
 * kernel prints, written from the format strings in kernel/bpf/btf.c.
 * Where bpf(BPF_BTF_LOAD) is permitted, each bpf-profile row is also loaded
 * into the running kernel, which must agree with the row: the table is
 * checked against the anchor, not against our output.
 */
#include <errno.h>
#include <stdbool.h>

#include "btfcompat/btfcompat.h"
#include "testutil.h"
#include "../oracle/kernel_btf_load.h"

#define S(x) x, sizeof(x)
#define ENOTSUPP 524
#define KEEP 0xfffffffeu /* header field left as built */

struct row {
	const char *name;
	uint32_t types[128];
	const char *strs;
	uint32_t str_len;
	int err;            /* expected errno (0: accepted) */
	const char *msg;    /* expected last log line */
	uint32_t hdr[6];    /* overrides of header words 0..5 (KEEP: as built) */
	int cut;            /* bytes cut off the end of the blob */
	int profile;        /* BTFC_PROFILE_*, default bpf */
	unsigned kernel;    /* rules of this kernel (0: newest) */
	bool not_on_running_kernel; /* a rule of another kernel: not comparable with this machine's */
	int layout;         /* a 7.x header (hdr_len 32): -1 no layout section, N > 0 N layout bytes after the strings */
	uint32_t lay[2];    /* with lay_set: layout_off, layout_len instead of the built ones */
	bool lay_set;
	bool big;           /* the blob written big-endian (as s390x's) */
	int order;          /* BTFC_ORDER_* of the judging kernel */
	unsigned ptr_size;  /* the kernel's sizeof(void *), 0: 8 */
};

#define H(...) .hdr = { __VA_ARGS__ }
#define LAY(off, len) .lay = { off, len }, .lay_set = true
#define V7 .not_on_running_kernel = true /* 7.2's rules: this machine runs 6.18 */
#define NOH H(KEEP, KEEP, KEEP, KEEP, KEEP, KEEP)
#define INT_ENC(name) BTF_TYPE_INT_ENC(name, 1, 0, 32, 4) /* a signed 32-bit int */

static const struct row rows[] = {
	/* ---- accepted ---- */
	{ "ok/int-ptr-struct", { INT_ENC(1), BTF_PTR_ENC(3), BTF_STRUCT_ENC(5, 2, 16), BTF_MEMBER_ENC(7, 1, 0),
	  BTF_MEMBER_ENC(9, 2, 64), BTF_END_RAW }, S("\0int\0s\0a\0p"), 0, "", NOH },
	{ "ok/func-and-proto", { INT_ENC(1), BTF_FUNC_PROTO_ENC(1, 1), BTF_FUNC_PROTO_ARG_ENC(5, 1),
	  BTF_FUNC_ENC(7, 2, 1), BTF_END_RAW }, S("\0int\0x\0f"), 0, "", NOH },
	{ "ok/datasec-var", { INT_ENC(1), BTF_VAR_ENC(5, 1, 1), BTF_DATASEC_ENC(7, 1, 4),
	  BTF_VAR_SECINFO_ENC(2, 0, 4), BTF_END_RAW }, S("\0int\0v\0.data"), 0, "", NOH },
	{ "ok/type-tag-before-const", { INT_ENC(1), BTF_TYPE_TAG_ENC(5, 3), BTF_CONST_ENC(1), BTF_PTR_ENC(2),
	  BTF_END_RAW }, S("\0int\0tag"), 0, "", NOH },

	/* ---- header (btf_parse_hdr, btf_check_sec_info) ---- */
	{ "hdr/magic", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -EINVAL, "Invalid magic",
	  H(0x0001eB9E, KEEP, KEEP, KEEP, KEEP, KEEP) },
	{ "hdr/version", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -ENOTSUPP, "Unsupported version",
	  H(0x0002eB9F, KEEP, KEEP, KEEP, KEEP, KEEP) },
	{ "hdr/flags", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -ENOTSUPP, "Unsupported flags",
	  H(0x0101eB9F, KEEP, KEEP, KEEP, KEEP, KEEP) },
	{ "hdr/hdr-len-beyond-data", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -EINVAL, "btf_header not found",
	  H(KEEP, 4096, KEEP, KEEP, KEEP, KEEP) },
	{ "hdr/unsupported-header-bytes", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -E2BIG, "Unsupported btf_header",
	  H(KEEP, 28, KEEP, KEEP, KEEP, KEEP), .kernel = BTFC_KERNEL_6_18 },
	{ "hdr/section-offset", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -EINVAL, "Invalid section offset",
	  H(KEEP, KEEP, KEEP, KEEP, 1000, KEEP) },
	{ "hdr/gap", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -EINVAL, "Unsupported section found",
	  H(KEEP, KEEP, 4, 12, KEEP, KEEP) },
	{ "hdr/overlap", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -EINVAL, "Section overlap found",
	  H(KEEP, KEEP, KEEP, KEEP, 12, KEEP) },
	{ "hdr/total-length", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -EINVAL, "Total section length too long",
	  H(KEEP, KEEP, KEEP, KEEP, KEEP, 100) },
	{ "hdr/trailing-data", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -EINVAL, "Unsupported section found",
	  H(KEEP, KEEP, KEEP, KEEP, KEEP, 3) },
	{ "hdr/no-data", { BTF_END_RAW }, "", 0, -EINVAL, "No data", NOH },

	/* ---- string section (btf_parse_str_sec) ---- */
	{ "str/not-nul-terminated", { INT_ENC(1), BTF_END_RAW }, "\0int", 4, -EINVAL, "Invalid string section", NOH },
	{ "str/first-not-empty", { INT_ENC(0), BTF_END_RAW }, S("int"), -EINVAL, "Invalid string section", NOH },
	{ "str/empty", { INT_ENC(0), BTF_END_RAW }, "", 0, -EINVAL, "Invalid string section", NOH },

	/* ---- type section, common meta (btf_parse_type_sec, btf_check_meta) ---- */
	{ "meta/no-type", { BTF_END_RAW }, S("\0x"), -EINVAL, "No type found", NOH },
	/* the string section must come last, so only an empty type section can sit at an odd offset */
	{ "meta/unaligned-type-off", { BTF_END_RAW }, S("\0int"), -EINVAL, "Unaligned type_off",
	  H(KEEP, KEEP, 5, 0, 0, 5) },
	{ "meta/record-truncated", { INT_ENC(1), 0, 0, BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] meta_left:8 meta_needed:12", NOH },
	{ "meta/btf-info", { BTF_TYPE_ENC(1, 0x0100ffff | 1u << 16, 4), 0x20, BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[1] Invalid btf_info:101ffff", NOH, .kernel = BTFC_KERNEL_6_18 },
	{ "meta/kind-unknown", { BTF_TYPE_ENC(1, 20u << 24, 4), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[1] Invalid kind:20", NOH },
	{ "meta/kind-zero", { BTF_TYPE_ENC(1, 0, 4), BTF_END_RAW }, S("\0int"), -EINVAL, "[1] Invalid kind:0", NOH },
	{ "meta/name-offset", { INT_ENC(99), BTF_END_RAW }, S("\0int"), -EINVAL, "[1] Invalid name_offset:99", NOH },

	/* ---- INT ---- */
	{ "int/meta-left", { BTF_TYPE_ENC(1, 1u << 24, 4), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[1] INT int meta_left:0 meta_needed:4", NOH },
	{ "int/vlen", { BTF_TYPE_ENC(1, BTF_INFO_ENC(1, 0, 1), 4), BTF_INT_ENC(1, 0, 32), BTF_END_RAW }, S("\0int"),
	  -EINVAL, "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=SIGNED vlen != 0", NOH },
	{ "int/kflag", { BTF_TYPE_ENC(1, BTF_INFO_ENC(1, 1, 0), 4), BTF_INT_ENC(1, 0, 32), BTF_END_RAW }, S("\0int"),
	  -EINVAL, "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=SIGNED Invalid btf_info kind_flag", NOH },
	{ "int/int-data", { BTF_TYPE_ENC(1, 1u << 24, 4), 0x10000020, BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[1] INT int Invalid int_data:10000020", NOH },
	{ "int/nr-bits-128", { BTF_TYPE_INT_ENC(1, 0, 8, 128, 16), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[1] INT int size=16 bits_offset=8 nr_bits=128 encoding=(none) nr_bits exceeds 128", NOH },
	{ "int/nr-bits-size", { BTF_TYPE_INT_ENC(1, 0, 0, 64, 4), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[1] INT int size=4 bits_offset=0 nr_bits=64 encoding=(none) nr_bits exceeds type_size", NOH },
	{ "int/encoding", { BTF_TYPE_INT_ENC(1, 3, 0, 32, 4), BTF_END_RAW }, S("\0int"), -ENOTSUPP,
	  "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=UNKN Unsupported encoding", NOH },

	/* ---- PTR and modifiers (btf_ref_type_check_meta, resolve) ---- */
	{ "ref/vlen", { INT_ENC(1), BTF_TYPE_ENC(0, BTF_INFO_ENC(2, 0, 1), 1), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] PTR (anon) type_id=1 vlen != 0", NOH },
	{ "ref/kflag", { INT_ENC(1), BTF_TYPE_ENC(0, BTF_INFO_ENC(10, 1, 0), 1), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] CONST (anon) type_id=1 Invalid btf_info kind_flag", NOH },
	{ "ref/type-id-max", { INT_ENC(1), BTF_PTR_ENC(0x100000), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] PTR (anon) type_id=1048576 Invalid type_id", NOH },
	{ "ref/typedef-no-name", { INT_ENC(1), BTF_TYPEDEF_ENC(0, 1), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] TYPEDEF (anon) type_id=1 Invalid name", NOH },
	{ "ref/typedef-bad-name", { INT_ENC(1), BTF_TYPEDEF_ENC(5, 1), BTF_END_RAW }, S("\0int\0a-b"), -EINVAL,
	  "[2] TYPEDEF a-b type_id=1 Invalid name", NOH },
	{ "ref/type-tag-empty", { INT_ENC(1), BTF_TYPE_TAG_ENC(0, 1), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] TYPE_TAG (anon) type_id=1 Invalid name", NOH },
	{ "ref/const-named", { INT_ENC(1), BTF_TYPE_ENC(1, BTF_INFO_ENC(10, 0, 0), 1), BTF_END_RAW }, S("\0int"),
	  -EINVAL, "[2] CONST int type_id=1 Invalid name", NOH },
	{ "ref/target-missing", { INT_ENC(1), BTF_PTR_ENC(7), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] PTR (anon) type_id=7 Invalid type_id", NOH },
	{ "ref/target-var", { INT_ENC(1), BTF_VAR_ENC(5, 1, 0), BTF_CONST_ENC(2), BTF_END_RAW }, S("\0int\0v"),
	  -EINVAL, "[3] CONST (anon) type_id=2 Invalid type_id", NOH },
	{ "ref/loop", { BTF_CONST_ENC(2), BTF_VOLATILE_ENC(1), BTF_END_RAW }, S("\0x"), -EEXIST,
	  "[1] CONST (anon) type_id=2 Loop detected", NOH },
	/* a typedef of a FUNC resolves to its FUNC_PROTO, which the kernel accepts */
	{ "ref/typedef-of-func-accepted", { INT_ENC(1), BTF_FUNC_PROTO_ENC(1, 0), BTF_FUNC_ENC(5, 2, 0),
	  BTF_TYPEDEF_ENC(7, 3), BTF_END_RAW }, S("\0int\0f\0t"), 0, "", NOH },
	{ "ref/chain-target-missing", { BTF_CONST_ENC(2), BTF_CONST_ENC(3), BTF_CONST_ENC(4), BTF_CONST_ENC(5),
	  BTF_CONST_ENC(6), BTF_CONST_ENC(7), BTF_CONST_ENC(8), BTF_CONST_ENC(9), BTF_CONST_ENC(10), BTF_CONST_ENC(11),
	  BTF_CONST_ENC(12), BTF_CONST_ENC(13), BTF_CONST_ENC(14), BTF_END_RAW }, S("\0x"), -EINVAL,
	  "[13] CONST (anon) type_id=14 Invalid type_id", NOH },
#define C8(n) BTF_CONST_ENC(n + 1), BTF_CONST_ENC(n + 2), BTF_CONST_ENC(n + 3), BTF_CONST_ENC(n + 4), \
	BTF_CONST_ENC(n + 5), BTF_CONST_ENC(n + 6), BTF_CONST_ENC(n + 7), BTF_CONST_ENC(n + 8)
	{ "ref/resolve-depth", { C8(1), C8(9), C8(17), C8(25), BTF_CONST_ENC(34), INT_ENC(1), BTF_END_RAW }, S("\0int"),
	  -E2BIG, "[1] CONST (anon) type_id=2 Exceeded max resolving depth:32", NOH },
	{ "ref/type-tag-after-const", { INT_ENC(1), BTF_CONST_ENC(3), BTF_TYPE_TAG_ENC(5, 1), BTF_END_RAW },
	  S("\0int\0tag"), -EINVAL, "Type tags don't precede modifiers", NOH, .kernel = BTFC_KERNEL_6_18 },

	/* ---- FWD ---- */
	{ "fwd/vlen", { BTF_TYPE_ENC(1, BTF_INFO_ENC(7, 0, 1), 0), BTF_END_RAW }, S("\0s"), -EINVAL,
	  "[1] FWD s struct vlen != 0", NOH },
	{ "fwd/type", { BTF_TYPE_ENC(1, BTF_INFO_ENC(7, 1, 0), 3), BTF_END_RAW }, S("\0s"), -EINVAL,
	  "[1] FWD s union type != 0", NOH },
	{ "fwd/name", { BTF_FWD_ENC(0, 0), BTF_END_RAW }, S("\0s"), -EINVAL, "[1] FWD (anon) struct Invalid name", NOH },

	/* ---- ARRAY ---- */
	{ "array/meta-left", { INT_ENC(1), BTF_TYPE_ENC(0, 3u << 24, 0), 1, BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] ARRAY (anon) meta_left:4 meta_needed:12", NOH },
	{ "array/name", { INT_ENC(1), BTF_TYPE_ENC(1, 3u << 24, 0), BTF_ARRAY_ENC(1, 1, 2), BTF_END_RAW }, S("\0int"),
	  -EINVAL, "[2] ARRAY int type_id=1 index_type_id=1 nr_elems=2 Invalid name", NOH },
	{ "array/size", { INT_ENC(1), BTF_TYPE_ENC(0, 3u << 24, 8), BTF_ARRAY_ENC(1, 1, 2), BTF_END_RAW }, S("\0int"),
	  -EINVAL, "[2] ARRAY (anon) type_id=1 index_type_id=1 nr_elems=2 size != 0", NOH },
	{ "array/elem-void", { INT_ENC(1), BTF_TYPE_ARRAY_ENC(0, 1, 2), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] ARRAY (anon) type_id=0 index_type_id=1 nr_elems=2 Invalid elem", NOH },
	{ "array/index-void", { INT_ENC(1), BTF_TYPE_ARRAY_ENC(1, 0, 2), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] ARRAY (anon) type_id=1 index_type_id=0 nr_elems=2 Invalid index", NOH },
	{ "array/index-not-int", { INT_ENC(1), BTF_PTR_ENC(1), BTF_TYPE_ARRAY_ENC(1, 2, 2), BTF_END_RAW }, S("\0int"),
	  -EINVAL, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=2 Invalid index", NOH },
	{ "array/elem-func-proto", { INT_ENC(1), BTF_FUNC_PROTO_ENC(1, 0), BTF_TYPE_ARRAY_ENC(2, 1, 2), BTF_END_RAW },
	  S("\0int"), -EINVAL, "[3] ARRAY (anon) type_id=2 index_type_id=1 nr_elems=2 Invalid elem", NOH },
	{ "array/of-bitfield-int", { INT_ENC(1), BTF_TYPE_INT_ENC(5, 0, 0, 3, 1), BTF_TYPE_ARRAY_ENC(2, 1, 2),
	  BTF_END_RAW }, S("\0int\0b3"), -EINVAL,
	  "[3] ARRAY (anon) type_id=2 index_type_id=1 nr_elems=2 Invalid array of int", NOH },
	{ "array/overflow", { INT_ENC(1), BTF_TYPE_ARRAY_ENC(1, 1, 0x40000001), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] ARRAY (anon) type_id=1 index_type_id=1 nr_elems=1073741825 Array size overflows U32_MAX", NOH },

	/* ---- STRUCT, UNION ---- */
	{ "struct/meta-left", { INT_ENC(1), BTF_STRUCT_ENC(0, 2, 8), BTF_MEMBER_ENC(0, 1, 0), BTF_END_RAW }, S("\0int"),
	  -EINVAL, "[2] STRUCT (anon) meta_left:12 meta_needed:24", NOH },
	{ "struct/name", { INT_ENC(1), BTF_STRUCT_ENC(5, 0, 4), BTF_END_RAW }, S("\0int\0 s"), -EINVAL,
	  "[2] STRUCT  s size=4 vlen=0 Invalid name", NOH },
	{ "struct/member-name-offset", { INT_ENC(1), BTF_STRUCT_ENC(0, 1, 4), BTF_MEMBER_ENC(50, 1, 0), BTF_END_RAW },
	  S("\0int"), -EINVAL, "\t(invalid-name-offset) type_id=1 bits_offset=0 Invalid member name_offset:50", NOH },
	{ "struct/member-name", { INT_ENC(1), BTF_STRUCT_ENC(0, 1, 4), BTF_MEMBER_ENC(5, 1, 0), BTF_END_RAW },
	  S("\0int\09a"), -EINVAL, "\t9a type_id=1 bits_offset=0 Invalid name", NOH },
	{ "struct/member-void", { INT_ENC(1), BTF_STRUCT_ENC(0, 1, 4), BTF_MEMBER_ENC(1, 0, 0), BTF_END_RAW },
	  S("\0int"), -EINVAL, "\tint type_id=0 bits_offset=0 Invalid type_id", NOH },
	{ "struct/union-offset", { INT_ENC(1), BTF_UNION_ENC(0, 1, 8), BTF_MEMBER_ENC(1, 1, 32), BTF_END_RAW },
	  S("\0int"), -EINVAL, "\tint type_id=1 bits_offset=32 Invalid member bits_offset", NOH },
	{ "struct/offsets-decrease", { INT_ENC(1), BTF_STRUCT_ENC(0, 2, 8), BTF_MEMBER_ENC(1, 1, 32),
	  BTF_MEMBER_ENC(1, 1, 0), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "\tint type_id=1 bits_offset=0 Invalid member bits_offset", NOH },
	{ "struct/offset-beyond-size", { INT_ENC(1), BTF_STRUCT_ENC(0, 1, 4), BTF_MEMBER_ENC(1, 1, 40), BTF_END_RAW },
	  S("\0int"), -EINVAL, "\tint type_id=1 bits_offset=40 Member bits_offset exceeds its struct size", NOH },
	{ "struct/member-fwd", { BTF_FWD_ENC(1, 0), BTF_STRUCT_ENC(0, 1, 4), BTF_MEMBER_ENC(0, 1, 0), BTF_END_RAW },
	  S("\0f"), -EINVAL, "\t(anon) type_id=1 bits_offset=0 Invalid member", NOH },
	{ "struct/member-exceeds", { INT_ENC(1), BTF_STRUCT_ENC(0, 1, 4), BTF_MEMBER_ENC(0, 1, 8), BTF_END_RAW },
	  S("\0int"), -EINVAL, "\t(anon) type_id=1 bits_offset=8 Member exceeds struct_size", NOH },
	{ "struct/ptr-not-aligned", { INT_ENC(1), BTF_PTR_ENC(1), BTF_STRUCT_ENC(0, 1, 16), BTF_MEMBER_ENC(0, 2, 4),
	  BTF_END_RAW }, S("\0int"), -EINVAL, "\t(anon) type_id=2 bits_offset=4 Member is not byte aligned", NOH },
	{ "struct/kflag-bitfield-too-big", { INT_ENC(1), BTF_TYPE_ENC(0, BTF_INFO_ENC(4, 1, 1), 4),
	  BTF_MEMBER_ENC(0, 1, 33u << 24), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "\t(anon) type_id=1 bitfield_size=33 bits_offset=0 Invalid member bitfield_size", NOH },
	{ "struct/kflag-ptr-bitfield", { INT_ENC(1), BTF_PTR_ENC(1), BTF_TYPE_ENC(0, BTF_INFO_ENC(4, 1, 1), 8),
	  BTF_MEMBER_ENC(0, 2, 3u << 24), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "\t(anon) type_id=2 bitfield_size=3 bits_offset=0 Invalid member bitfield_size", NOH },
	{ "struct/kflag-base-type", { BTF_TYPE_INT_ENC(1, 0, 0, 3, 1), BTF_TYPE_ENC(0, BTF_INFO_ENC(4, 1, 1), 4),
	  BTF_MEMBER_ENC(0, 1, 2u << 24), BTF_END_RAW }, S("\0u3"), -EINVAL,
	  "\t(anon) type_id=1 bitfield_size=2 bits_offset=0 Invalid member base type", NOH },
	{ "struct/kflag-member-offset", { INT_ENC(1), BTF_TYPE_ENC(0, BTF_INFO_ENC(4, 1, 1), 8),
	  BTF_MEMBER_ENC(0, 1, 3), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "\t(anon) type_id=1 bitfield_size=0 bits_offset=3 Invalid member offset", NOH },
	{ "struct/int-copy-bits", { BTF_TYPE_INT_ENC(1, 0, 0, 128, 16), BTF_STRUCT_ENC(0, 1, 32),
	  BTF_MEMBER_ENC(0, 1, 4), BTF_END_RAW }, S("\0i128"), -EINVAL,
	  "\t(anon) type_id=1 bits_offset=4 nr_copy_bits exceeds 128", NOH },
	{ "struct/float-misaligned", { BTF_FLOAT_ENC(1, 8), BTF_STRUCT_ENC(0, 1, 16), BTF_MEMBER_ENC(0, 1, 32),
	  BTF_END_RAW }, S("\0double"), -EINVAL, "\t(anon) type_id=1 bits_offset=32 Member is not properly aligned", NOH },
	{ "struct/enum-kflag-bitfield", { BTF_TYPE_ENC(1, BTF_INFO_ENC(6, 0, 0), 4),
	  BTF_TYPE_ENC(0, BTF_INFO_ENC(4, 1, 1), 4), BTF_MEMBER_ENC(0, 1, 40u << 24), BTF_END_RAW }, S("\0e"),
	  -EINVAL, "\t(anon) type_id=1 bitfield_size=40 bits_offset=0 Invalid member bitfield_size", NOH },
	{ "struct/loop", { BTF_STRUCT_ENC(1, 1, 4), BTF_MEMBER_ENC(0, 2, 0), BTF_STRUCT_ENC(3, 1, 4),
	  BTF_MEMBER_ENC(0, 1, 0), BTF_END_RAW }, S("\0a\0b"), -EEXIST, "[1] STRUCT a size=4 vlen=1 Loop detected", NOH },

	/* ---- ENUM, ENUM64 ---- */
	{ "enum/size", { BTF_TYPE_ENC(1, BTF_INFO_ENC(6, 0, 0), 3), BTF_END_RAW }, S("\0e"), -EINVAL,
	  "[1] ENUM e size=3 vlen=0 Unexpected size", NOH },
	{ "enum/name-offset", { BTF_TYPE_ENC(1, BTF_INFO_ENC(6, 0, 1), 4), BTF_ENUM_ENC(40, 0), BTF_END_RAW }, S("\0e"),
	  -EINVAL, "\tInvalid name_offset:40", NOH },
	{ "enum/value-name", { BTF_TYPE_ENC(1, BTF_INFO_ENC(6, 0, 1), 4), BTF_ENUM_ENC(0, 0), BTF_END_RAW }, S("\0e"),
	  -EINVAL, "[1] ENUM e size=4 vlen=1 Invalid name", NOH },
	{ "enum64/meta-left", { BTF_TYPE_ENC(1, BTF_INFO_ENC(19, 0, 2), 8), BTF_ENUM64_ENC(1, 0, 0), BTF_END_RAW },
	  S("\0e"), -EINVAL, "[1] ENUM64 e meta_left:12 meta_needed:24", NOH },

	/* ---- FUNC_PROTO, FUNC ---- */
	{ "proto/name", { INT_ENC(1), BTF_TYPE_ENC(1, BTF_INFO_ENC(13, 0, 0), 1), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] FUNC_PROTO int return=1 args=(void) Invalid name", NOH },
	{ "proto/return-var", { INT_ENC(1), BTF_VAR_ENC(5, 1, 0), BTF_FUNC_PROTO_ENC(2, 0), BTF_END_RAW },
	  S("\0int\0v"), -EINVAL, "[3] FUNC_PROTO (anon) return=2 args=(void) Invalid return type", NOH },
	{ "proto/vararg-named", { INT_ENC(1), BTF_FUNC_PROTO_ENC(1, 2), BTF_FUNC_PROTO_ARG_ENC(5, 1),
	  BTF_FUNC_PROTO_ARG_ENC(5, 0), BTF_END_RAW }, S("\0int\0a"), -EINVAL,
	  "[2] FUNC_PROTO (anon) return=1 args=(1 a, vararg) Invalid arg#2", NOH },
	{ "proto/arg-missing", { INT_ENC(1), BTF_FUNC_PROTO_ENC(1, 1), BTF_FUNC_PROTO_ARG_ENC(5, 9), BTF_END_RAW },
	  S("\0int\0a"), -EINVAL, "[2] FUNC_PROTO (anon) return=1 args=(9 a) Invalid arg#1", NOH },
	{ "func/name", { INT_ENC(1), BTF_FUNC_PROTO_ENC(1, 0), BTF_FUNC_ENC(0, 2, 0), BTF_END_RAW }, S("\0int"),
	  -EINVAL, "[3] FUNC (anon) type_id=2 Invalid name", NOH },
	{ "func/linkage", { INT_ENC(1), BTF_FUNC_PROTO_ENC(1, 0), BTF_FUNC_ENC(1, 2, 2), BTF_END_RAW }, S("\0int"),
	  -EINVAL, "[3] FUNC int type_id=2 Invalid func linkage", NOH },
	{ "func/not-proto", { INT_ENC(1), BTF_FUNC_ENC(1, 1, 0), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] FUNC int type_id=1 Invalid type_id", NOH },
	{ "func/arg-unnamed", { INT_ENC(1), BTF_FUNC_PROTO_ENC(1, 1), BTF_FUNC_PROTO_ARG_ENC(0, 1),
	  BTF_FUNC_ENC(1, 2, 0), BTF_END_RAW }, S("\0int"), -EINVAL, "[3] FUNC int type_id=2 Invalid arg#1", NOH },

	/* ---- VAR, DATASEC ---- */
	{ "var/linkage", { INT_ENC(1), BTF_VAR_ENC(5, 1, 2), BTF_END_RAW }, S("\0int\0v"), -EINVAL,
	  "[2] VAR v type_id=1 linkage=2 Linkage not supported", NOH },
	{ "var/void", { INT_ENC(1), BTF_VAR_ENC(5, 0, 0), BTF_END_RAW }, S("\0int\0v"), -EINVAL,
	  "[2] VAR v type_id=0 linkage=0 Invalid type_id", NOH },
	{ "var/of-func-proto", { INT_ENC(1), BTF_FUNC_PROTO_ENC(1, 0), BTF_VAR_ENC(5, 2, 0), BTF_END_RAW },
	  S("\0int\0v"), -EINVAL, "[3] VAR v type_id=2 linkage=0 Invalid type_id", NOH },
	{ "datasec/size-zero", { INT_ENC(1), BTF_DATASEC_ENC(5, 0, 0), BTF_END_RAW }, S("\0int\0.bss"), -EINVAL,
	  "[2] DATASEC .bss size=0 vlen=0 size == 0", NOH },
	{ "datasec/name", { INT_ENC(1), BTF_DATASEC_ENC(5, 0, 4), BTF_END_RAW }, S("\0int\0a\tb"), -EINVAL,
	  "[2] DATASEC a\tb size=4 vlen=0 Invalid name", NOH },
	{ "datasec/vsi-type", { INT_ENC(1), BTF_DATASEC_ENC(5, 1, 4), BTF_VAR_SECINFO_ENC(0, 0, 4), BTF_END_RAW },
	  S("\0int\0.bss"), -EINVAL, "\t type_id=0 offset=0 size=4 Invalid type_id", NOH },
	{ "datasec/vsi-offset", { INT_ENC(1), BTF_VAR_ENC(10, 1, 0), BTF_DATASEC_ENC(5, 1, 4),
	  BTF_VAR_SECINFO_ENC(2, 4, 4), BTF_END_RAW }, S("\0int\0.bss\0v"), -EINVAL,
	  "\t type_id=2 offset=4 size=4 Invalid offset", NOH },
	{ "datasec/vsi-size", { INT_ENC(1), BTF_VAR_ENC(10, 1, 0), BTF_DATASEC_ENC(5, 1, 4),
	  BTF_VAR_SECINFO_ENC(2, 0, 0), BTF_END_RAW }, S("\0int\0.bss\0v"), -EINVAL,
	  "\t type_id=2 offset=0 size=0 Invalid size", NOH },
	{ "datasec/vsi-offset-size", { INT_ENC(1), BTF_VAR_ENC(10, 1, 0), BTF_DATASEC_ENC(5, 1, 4),
	  BTF_VAR_SECINFO_ENC(2, 2, 4), BTF_END_RAW }, S("\0int\0.bss\0v"), -EINVAL,
	  "\t type_id=2 offset=2 size=4 Invalid offset+size", NOH },
	{ "datasec/not-var", { INT_ENC(1), BTF_DATASEC_ENC(5, 1, 4), BTF_VAR_SECINFO_ENC(1, 0, 4), BTF_END_RAW },
	  S("\0int\0.bss"), -EINVAL, "\t type_id=1 offset=0 size=4 Not a VAR kind member", NOH },
	{ "datasec/var-too-big", { BTF_TYPE_INT_ENC(1, 0, 0, 64, 8), BTF_VAR_ENC(10, 1, 0), BTF_DATASEC_ENC(5, 1, 8),
	  BTF_VAR_SECINFO_ENC(2, 0, 4), BTF_END_RAW }, S("\0int\0.bss\0v"), -EINVAL,
	  "\t type_id=2 offset=0 size=4 Invalid size", NOH },

	/* ---- FLOAT, DECL_TAG ---- */
	{ "float/size", { BTF_FLOAT_ENC(1, 6), BTF_END_RAW }, S("\0f6"), -EINVAL, "[1] FLOAT f6 size=6 Invalid type_size",
	  NOH },
	{ "decl-tag/value", { INT_ENC(1), BTF_DECL_TAG_ENC(0, 1, -1), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] DECL_TAG (anon) type=1 component_idx=-1 Invalid value", NOH },
	{ "decl-tag/component-idx", { INT_ENC(1), BTF_VAR_ENC(5, 1, 0), BTF_DECL_TAG_ENC(7, 2, -2), BTF_END_RAW },
	  S("\0int\0v\0t"), -EINVAL, "[3] DECL_TAG t type=2 component_idx=-2 Invalid component_idx", NOH },
	{ "decl-tag/target", { INT_ENC(1), BTF_DECL_TAG_ENC(5, 1, -1), BTF_END_RAW }, S("\0int\0t"), -EINVAL,
	  "[2] DECL_TAG t type=1 component_idx=-1 Invalid type_id", NOH },
	{ "decl-tag/var-component", { INT_ENC(1), BTF_VAR_ENC(5, 1, 0), BTF_DECL_TAG_ENC(7, 2, 0), BTF_END_RAW },
	  S("\0int\0v\0t"), -EINVAL, "[3] DECL_TAG t type=2 component_idx=0 Invalid component_idx", NOH },
	{ "decl-tag/member-range", { INT_ENC(1), BTF_STRUCT_ENC(5, 1, 4), BTF_MEMBER_ENC(5, 1, 0),
	  BTF_DECL_TAG_ENC(7, 2, 1), BTF_END_RAW }, S("\0int\0s\0t"), -EINVAL,
	  "[3] DECL_TAG t type=2 component_idx=1 Invalid component_idx", NOH },

	/* ---- rules that changed between kernels ---- */
	{ "rules/type-tag-kflag-newest", { INT_ENC(1), BTF_TYPE_ENC(5, BTF_INFO_ENC(18, 1, 0), 1), BTF_PTR_ENC(2),
	  BTF_END_RAW }, S("\0int\0tag"), 0, "", NOH },
	{ "rules/type-tag-kflag-6.12", { INT_ENC(1), BTF_TYPE_ENC(5, BTF_INFO_ENC(18, 1, 0), 1), BTF_PTR_ENC(2),
	  BTF_END_RAW }, S("\0int\0tag"), -EINVAL, "[2] TYPE_TAG tag type_id=1 Invalid btf_info kind_flag", NOH,
	  .kernel = BTFC_KERNEL_6_12, .not_on_running_kernel = true },
	{ "rules/decl-tag-kflag-newest", { INT_ENC(1), BTF_VAR_ENC(5, 1, 0), BTF_TYPE_ENC(7, BTF_INFO_ENC(17, 1, 0), 2),
	  (uint32_t)-1, BTF_END_RAW }, S("\0int\0v\0t"), 0, "", NOH },

	/* DATASEC names: any printable character since 6.12 (the kernel's btf_name_valid_section), identifiers in 6.1 */
	{ "rules/datasec-name-printable-newest", { INT_ENC(1), BTF_VAR_ENC(10, 1, 0), BTF_DATASEC_ENC(5, 1, 4),
	  BTF_VAR_SECINFO_ENC(2, 0, 4), BTF_END_RAW }, S("\0int\0.a-b\0v"), 0, "", NOH },
	{ "rules/datasec-name-identifier-6.1", { INT_ENC(1), BTF_VAR_ENC(10, 1, 0), BTF_DATASEC_ENC(5, 1, 4),
	  BTF_VAR_SECINFO_ENC(2, 0, 4), BTF_END_RAW }, S("\0int\0.a-b\0v"), -EINVAL,
	  "[3] DATASEC .a-b size=4 vlen=1 Invalid name", NOH, .kernel = BTFC_KERNEL_6_1, .not_on_running_kernel = true },

	/*
	 * ---- 7.2 (kernel/bpf/btf.c of linux-source-7.2): the layout section, wider kind and vlen ----
	 * hdr_len 32 adds layout_off and layout_len; btf_check_sec_info() then takes three sections;
	 * btf_parse_str_sec() no longer needs the strings last; btf_parse_layout_sec() (BPF_BTF_LOAD
	 * only) checks the section; BTF_INFO_MASK is gone (7-bit kind, 24-bit vlen); type tags may
	 * follow modifiers (btf_check_modifier_chain_length()).
	 */
	{ "v7/layout-ok", { INT_ENC(1), BTF_PTR_ENC(1), BTF_END_RAW }, S("\0int\0ab"), 0, "", NOH, .layout = 80, V7 },
	{ "v7/hdr32-no-layout", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), 0, "", NOH, .layout = -1, V7 },
	{ "v7/layout-before-strings", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), 0, "", H(KEEP, KEEP, KEEP, KEEP, 24, KEEP),
	  .layout = 8, LAY(16, 8), V7 },
	{ "v7/layout-before-strings-6.18", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -E2BIG, "Unsupported btf_header",
	  H(KEEP, KEEP, KEEP, KEEP, 24, KEEP), .layout = 8, LAY(16, 8), .kernel = BTFC_KERNEL_6_18 },
	{ "v7/layout-unaligned", { INT_ENC(1), BTF_END_RAW }, S("\0int\0a"), -EINVAL, "Unaligned layout_off", NOH,
	  .layout = 8, V7 },
	{ "v7/layout-too-small", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -EINVAL, "Layout section is too small", NOH,
	  .layout = 2, V7 },
	{ "v7/layout-len-multiple", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -EINVAL, "layout_len is not multiple of 4",
	  NOH, .layout = 6, V7 },
	{ "v7/layout-gap", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -EINVAL, "Unsupported section found", NOH,
	  .layout = 8, LAY(24, 4), V7 },
	{ "v7/layout-overlap", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -EINVAL, "Section overlap found", NOH,
	  .layout = 8, LAY(12, 8), V7 },
	{ "v7/layout-offset", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -EINVAL, "Invalid section offset", NOH,
	  .layout = 8, LAY(100, 8), V7 },
	{ "v7/layout-total-length", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -EINVAL, "Total section length too long",
	  NOH, .layout = 8, LAY(KEEP, 12), V7 },
	{ "v7/layout-trailing-data", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -EINVAL, "Unsupported section found",
	  NOH, .layout = 8, LAY(KEEP, 4), V7 },
	{ "v7/hdr32-strings-first", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), 0, "",
	  H(KEEP, KEEP, 8, KEEP, 0, KEEP), .layout = -1, V7 },
	{ "v7/hdr32-strings-first-6.18", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -EINVAL,
	  "String section is not at the end", H(KEEP, KEEP, 8, KEEP, 0, KEEP), .layout = -1, LAY(0, 0),
	  .kernel = BTFC_KERNEL_6_18 },
	{ "v7/header-bytes-beyond-32", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -E2BIG, "Unsupported btf_header",
	  H(KEEP, 36, KEEP, KEEP, KEEP, KEEP), V7 },
	{ "v7/hdr-len-28-layout-not-read", { INT_ENC(1), BTF_END_RAW }, S("\0int"), 0, "",
	  H(KEEP, 28, KEEP, KEEP, KEEP, KEEP), V7 },
	{ "v7/module-layout-not-read", { INT_ENC(1), BTF_END_RAW }, S("\0int"), 0, "", NOH, .layout = 2,
	  .profile = BTFC_PROFILE_MODULE, V7 },
	{ "v7/info-bits-are-vlen", { BTF_TYPE_ENC(1, 0x0100ffff | 1u << 16, 4), 0x20, BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=(none) vlen != 0", NOH, V7 },
	{ "v7/kind-7-bits", { BTF_TYPE_ENC(1, 0x21u << 24, 4), 0x20, BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[1] Invalid kind:33", NOH, V7 },
	{ "v7/kind-7-bits-6.18", { BTF_TYPE_ENC(1, 0x21u << 24, 4), 0x20, BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[1] Invalid btf_info:21000000", NOH, .kernel = BTFC_KERNEL_6_18 },
	{ "v7/vlen-24-bits", { INT_ENC(1), BTF_TYPE_ENC(0, 4u << 24 | 0x10000, 4), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] STRUCT (anon) meta_left:0 meta_needed:786432", NOH, V7 },
	{ "v7/type-tag-after-const", { INT_ENC(1), BTF_CONST_ENC(3), BTF_TYPE_TAG_ENC(5, 1), BTF_END_RAW },
	  S("\0int\0tag"), 0, "", NOH, V7 },
	{ "v7/vmlinux-type-tag-after-const", { INT_ENC(1), BTF_CONST_ENC(3), BTF_TYPE_TAG_ENC(5, 1), BTF_END_RAW },
	  S("\0int\0tag"), 0, "", NOH, .profile = BTFC_PROFILE_VMLINUX, V7 },
	{ "v7/chain-length-kept", { INT_ENC(1), BTF_CONST_ENC(3), BTF_VOLATILE_ENC(2), BTF_END_RAW }, S("\0int"),
	  -ELOOP, "Max chain length or cycle detected", NOH, .profile = BTFC_PROFILE_VMLINUX, V7 },

	/*
	 * ---- byte order: the judging kernel's (a base's, the option, else the blob's own) ----
	 * an s390x kernel takes big-endian BTF; BPF_BTF_LOAD on this little-endian machine does not.
	 */
	{ "order/big-endian-own", { INT_ENC(1), BTF_PTR_ENC(1), BTF_STRUCT_ENC(5, 1, 8), BTF_MEMBER_ENC(7, 2, 0),
	  BTF_END_RAW }, S("\0int\0s\0p"), 0, "", NOH, .big = true, .not_on_running_kernel = true },
	{ "order/big-endian-on-little", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -EINVAL, "btf_header not found", NOH,
	  .big = true, .order = BTFC_ORDER_LITTLE },
	{ "order/little-endian-on-big", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -EINVAL, "btf_header not found", NOH,
	  .order = BTFC_ORDER_BIG, .not_on_running_kernel = true },
	{ "order/big-endian-rules-apply", { INT_ENC(1), BTF_TYPEDEF_ENC(0, 1), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] TYPEDEF (anon) type_id=1 Invalid name", NOH, .big = true, .not_on_running_kernel = true },
	{ "order/hdr-len-2", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -ENOTSUPP, "Unsupported version",
	  H(KEEP, 2, KEEP, KEEP, KEEP, KEEP) },
	{ "order/big-endian-hdr-len-2", { INT_ENC(1), BTF_END_RAW }, S("\0int"), -ENOTSUPP, "Unsupported version",
	  H(KEEP, 2, KEEP, KEEP, KEEP, KEEP), .big = true, .not_on_running_kernel = true },
	{ "order/big-endian-layout", { INT_ENC(1), BTF_END_RAW }, S("\0int\0ab"), -EINVAL, "Layout section is too small",
	  NOH, .layout = 2, .big = true, V7 },

	/* ---- word size: sizeof(void *) of the judging kernel (a 32-bit module's EI_CLASS) ---- */
	{ "ptr/member-in-4-bytes-64-bit", { INT_ENC(1), BTF_PTR_ENC(1), BTF_STRUCT_ENC(5, 1, 4), BTF_MEMBER_ENC(7, 2, 0),
	  BTF_END_RAW }, S("\0int\0s\0p"), -EINVAL, "\tp type_id=2 bits_offset=0 Member exceeds struct_size", NOH },
	{ "ptr/member-in-4-bytes-32-bit", { INT_ENC(1), BTF_PTR_ENC(1), BTF_STRUCT_ENC(5, 1, 4), BTF_MEMBER_ENC(7, 2, 0),
	  BTF_END_RAW }, S("\0int\0s\0p"), 0, "", NOH, .ptr_size = 4, .not_on_running_kernel = true },
	{ "ptr/array-of-ptr-size-32-bit", { INT_ENC(1), BTF_PTR_ENC(1), BTF_TYPE_ARRAY_ENC(2, 1, 2), BTF_STRUCT_ENC(5, 1, 8),
	  BTF_MEMBER_ENC(7, 3, 0), BTF_END_RAW }, S("\0int\0s\0p"), 0, "", NOH, .ptr_size = 4, .not_on_running_kernel = true },
	{ "ptr/array-of-ptr-size-64-bit", { INT_ENC(1), BTF_PTR_ENC(1), BTF_TYPE_ARRAY_ENC(2, 1, 2), BTF_STRUCT_ENC(5, 1, 8),
	  BTF_MEMBER_ENC(7, 3, 0), BTF_END_RAW }, S("\0int\0s\0p"), -EINVAL,
	  "\tp type_id=3 bits_offset=0 Member exceeds struct_size", NOH },

	/* ---- module and vmlinux profiles: no resolve phase ---- */
	{ "profile/vmlinux-skips-resolve", { INT_ENC(1), BTF_PTR_ENC(7), BTF_END_RAW }, S("\0int"), 0, "", NOH,
	  .profile = BTFC_PROFILE_VMLINUX },
	{ "profile/vmlinux-meta", { INT_ENC(1), BTF_TYPEDEF_ENC(0, 1), BTF_END_RAW }, S("\0int"), -EINVAL,
	  "[2] TYPEDEF (anon) type_id=1 Invalid name", NOH, .profile = BTFC_PROFILE_VMLINUX },
	/* the boot path has neither the alignment nor the "No type found" check */
	{ "profile/vmlinux-no-align-check", { BTF_END_RAW }, S("\0int"), 0, "", H(KEEP, KEEP, 5, 0, 0, 5),
	  .profile = BTFC_PROFILE_VMLINUX },
	{ "profile/vmlinux-type-tags", { INT_ENC(1), BTF_CONST_ENC(3), BTF_TYPE_TAG_ENC(5, 1), BTF_END_RAW },
	  S("\0int\0tag"), -EINVAL, "Type tags don't precede modifiers", NOH, .profile = BTFC_PROFILE_VMLINUX,
	  .kernel = BTFC_KERNEL_6_18 },
	{ "profile/vmlinux-layout-not-read", { INT_ENC(1), BTF_END_RAW }, S("\0int"), 0, "", NOH, .layout = 2,
	  .profile = BTFC_PROFILE_VMLINUX, V7 },
	{ "profile/vmlinux-chain-to-nothing", { INT_ENC(1), BTF_CONST_ENC(9), BTF_END_RAW }, S("\0int"), -EINVAL, "",
	  NOH, .profile = BTFC_PROFILE_VMLINUX },
};

/* One layout entry per kind (info_sz, elem_sz, flags 0), as pahole >= 1.31 writes them. */
static const uint8_t kind_layout[20][4] = {
	{ 0, 0 }, { 4, 0 }, { 0, 0 }, { 12, 0 }, { 0, 12 }, { 0, 12 }, { 0, 8 }, { 0, 0 }, { 0, 0 }, { 0, 0 },
	{ 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 8 }, { 4, 0 }, { 0, 12 }, { 0, 0 }, { 4, 0 }, { 0, 0 }, { 0, 12 },
};

/*
 * The row's blob as a 7.x one: hdr_len 32, then types, strings and r->layout
 * layout bytes; a section the header places elsewhere inside the blob is
 * written there.
 */
static uint8_t *build_v7(const struct row *r, uint8_t *b, size_t *len)
{
	uint32_t w[8], n = r->layout > 0 ? (uint32_t)r->layout : 0;
	size_t total = *len + 8 + n;
	uint8_t *nb = calloc(1, total);

	memcpy(w, b, 24);
	uint32_t tlen = (uint32_t)*len - 24 - r->str_len;
	w[1] = 32;
	w[6] = (uint32_t)*len - 24;
	w[7] = n;
	if (r->lay_set) {
		w[6] = r->lay[0] != KEEP ? r->lay[0] : w[6];
		w[7] = r->lay[1] != KEEP ? r->lay[1] : w[7];
	}
	memcpy(nb, w, 32);
	memcpy(nb + (32ull + w[2] + tlen <= total ? 32ull + w[2] : 32), b + 24, tlen);
	uint64_t lo = 32ull + w[6] + n <= total ? 32ull + w[6] : *len + 8, so = 32ull + w[4] + r->str_len <= total
		      ? 32ull + w[4] : 32ull + tlen;
	for (uint32_t i = 0; i < n; i++)
		nb[lo + i] = kind_layout[i / 4 % 20][i % 4];
	memcpy(nb + so, b + 24 + tlen, r->str_len);
	*len = total;
	free(b);
	return nb;
}

/* Big-endian copy of a well-formed little-endian blob, swapped here (not by the library). */
static void to_big_endian(uint8_t *b, size_t len)
{
	uint32_t w[8];
	size_t hl = b[4] == 32 ? 32 : 24;

	memcpy(w, b, hl);
	b[0] = 0xeb;
	b[1] = 0x9f;
	for (size_t i = 4; i < hl; i += 4)
		for (int k = 0; k < 4; k++)
			b[i + k] = (uint8_t)(w[i / 4] >> (24 - 8 * k));
	for (size_t o = hl + w[2]; o + 4 <= hl + w[2] + w[3] && o + 4 <= len; o += 4) {
		uint8_t t[4] = { b[o + 3], b[o + 2], b[o + 1], b[o] };
		memcpy(b + o, t, 4);
	}
	if (hl == 32)
		for (size_t o = hl + w[6]; o + 4 <= hl + w[6] + w[7] && o + 4 <= len; o += 4) {
			uint8_t t = b[o + 2];
			b[o + 2] = b[o + 3];
			b[o + 3] = t;
		}
}

static void *build(const struct row *r, size_t *len)
{
	uint8_t *b = tu_btf_build(r->types, r->strs, r->str_len, len);
	uint32_t *w = (uint32_t *)(void *)b;

	for (int i = 0; i < 6; i++)
		if (r->hdr[i] != KEEP && (r->hdr[0] || r->hdr[1] || r->hdr[2] || r->hdr[3] || r->hdr[4] || r->hdr[5]))
			w[i] = r->hdr[i];
	if (r->layout)
		b = build_v7(r, b, len);
	else if (r->hdr[1] != KEEP && r->hdr[1] > 24 && r->hdr[1] < 64) {
		/* a longer header with a non-zero byte in the extra part */
		uint8_t *nb = calloc(1, *len + r->hdr[1] - 24);
		memcpy(nb, b, 24);
		nb[r->hdr[1] > 32 ? 32 : 24] = 1;
		memcpy(nb + r->hdr[1], b + 24, *len - 24);
		*len += r->hdr[1] - 24;
		free(b);
		b = nb;
	}
	if (r->big)
		to_big_endian(b, *len);
	*len -= r->cut;
	return b;
}

int main(void)
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	int kernel = kbl_available();
	static char logbuf[1 << 20];
	char name[160];
	size_t base_len;
	void *base_blob = build(&rows[0], &base_len);
	struct btfc_btf *base = NULL;

	if (btfc_btf_parse(ctx, base_blob, base_len, "base", NULL, &base))
		return 1;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		BTFC_OPTS(btfc_validate_opts, o, .profile = r->profile, .kernel = r->kernel, .order = r->order,
			  .ptr_size = r->ptr_size);
		BTFC_OPTS(btfc_verdict, v);
		size_t len;
		void *blob = build(r, &len);

		int err = btfc_validate(ctx, blob, len, NULL, &o, &v);
		snprintf(name, sizeof(name), "validate/%s", r->name);
		TU_CHECK(name, !err && v.err == r->err && !strcmp(v.msg, r->msg),
			 "want %d \"%s\", got %d \"%s\" (call %d)", r->err, r->msg, v.err, v.msg, err);

		snprintf(name, sizeof(name), "validate/%s/row-vs-kernel", r->name);
		if (r->profile != BTFC_PROFILE_BPF || r->not_on_running_kernel) {
			/* the module and boot paths are checked against real kernels in QEMU */
		} else if (!kernel) {
			tu_skip(name, "bpf(BPF_BTF_LOAD) not permitted here");
		} else {
			char last[1024], prev[1024];
			int kerr = kbl_load_log(blob, len, logbuf, sizeof(logbuf), last, prev, sizeof(last));
			TU_CHECK(name, kerr == r->err && (!kerr || !strcmp(last, r->msg)),
				 "kernel says %d \"%s\", row says %d \"%s\"", kerr, last, r->err, r->msg);
		}

		/* the same blob as split BTF on a small base: the fast bpf path (the base's
		 * resolution reused) must say what the flattened reference blob says */
		if (r->profile == BTFC_PROFILE_BPF) {
			struct btfc_validate_opts fo = o;
			BTFC_OPTS(btfc_verdict, w);
			fo.flatten = 1;
			btfc_verdict_release(&v);
			int e1 = btfc_validate(ctx, blob, len, base, &o, &v), e2 = btfc_validate(ctx, blob, len, base, &fo, &w);
			snprintf(name, sizeof(name), "validate/%s/split-fast-equals-flat", r->name);
			TU_CHECK(name, e1 == e2 && v.err == w.err && !strcmp(v.msg, w.msg),
				 "fast %d/%d \"%s\", flattened %d/%d \"%s\"", e1, v.err, v.msg, e2, w.err, w.msg);
			btfc_verdict_release(&w);
		}
		btfc_verdict_release(&v);
		free(blob);
	}
	btfc_btf_free(base);
	free(base_blob);
	btfc_ctx_free(ctx);
	return tu_exit();
}
