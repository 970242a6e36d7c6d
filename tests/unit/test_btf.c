// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Model and dump unit tests, as data tables. Each row builds a BTF with the
 * encoder macros and gives the dump bpftool 7.1 prints for it, written from
 * bpftool's btf.c format strings. When bpftool is installed, the same blob is
 * also dumped by bpftool and must match the row, so the table itself is
 * checked against the anchor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "btfcompat/btfcompat.h"
#include "testutil.h"

#define S(x) x, sizeof(x) /* string section literal incl. final NUL */

struct dump_row {
	const char *name;
	uint32_t types[64];
	const char *strs;
	uint32_t str_len;
	const char *text; /* expected `bpftool btf dump file` output */
	const char *json; /* expected `bpftool -j btf dump file` output, or NULL */
};

static const struct dump_row dump_rows[] = {
	{ "int-encodings",
	  { BTF_TYPE_INT_ENC(1, 1, 0, 32, 4), BTF_TYPE_INT_ENC(5, 0, 0, 8, 1),
	    BTF_TYPE_INT_ENC(9, 4, 0, 1, 1), BTF_TYPE_INT_ENC(0, 2, 3, 5, 1), BTF_END_RAW },
	  S("\0int\0u8x\0bool"),
	  "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
	  "[2] INT 'u8x' size=1 bits_offset=0 nr_bits=8 encoding=(none)\n"
	  "[3] INT 'bool' size=1 bits_offset=0 nr_bits=1 encoding=BOOL\n"
	  "[4] INT '(anon)' size=1 bits_offset=3 nr_bits=5 encoding=CHAR\n",
	  "{\"types\":[{\"id\":1,\"kind\":\"INT\",\"name\":\"int\",\"size\":4,\"bits_offset\":0,\"nr_bits\":32,"
	  "\"encoding\":\"SIGNED\"},{\"id\":2,\"kind\":\"INT\",\"name\":\"u8x\",\"size\":1,\"bits_offset\":0,"
	  "\"nr_bits\":8,\"encoding\":\"(none)\"},{\"id\":3,\"kind\":\"INT\",\"name\":\"bool\",\"size\":1,"
	  "\"bits_offset\":0,\"nr_bits\":1,\"encoding\":\"BOOL\"},{\"id\":4,\"kind\":\"INT\",\"name\":\"(anon)\","
	  "\"size\":1,\"bits_offset\":3,\"nr_bits\":5,\"encoding\":\"CHAR\"}]}\n" },
	{ "modifiers",
	  { BTF_TYPE_INT_ENC(1, 1, 0, 32, 4), BTF_PTR_ENC(1), BTF_CONST_ENC(2), BTF_VOLATILE_ENC(3),
	    BTF_RESTRICT_ENC(2), BTF_TYPEDEF_ENC(5, 1), BTF_TYPE_TAG_ENC(9, 2), BTF_END_RAW },
	  S("\0int\0s32\0user"),
	  "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
	  "[2] PTR '(anon)' type_id=1\n"
	  "[3] CONST '(anon)' type_id=2\n"
	  "[4] VOLATILE '(anon)' type_id=3\n"
	  "[5] RESTRICT '(anon)' type_id=2\n"
	  "[6] TYPEDEF 's32' type_id=1\n"
	  "[7] TYPE_TAG 'user' type_id=2\n",
	  NULL },
	{ "array-struct-bitfields",
	  { BTF_TYPE_INT_ENC(1, 1, 0, 32, 4), BTF_TYPE_ARRAY_ENC(1, 1, 16),
	    BTF_STRUCT_ENC(5, 2, 68), BTF_MEMBER_ENC(9, 1, 0), BTF_MEMBER_ENC(11, 2, 32),
	    BTF_TYPE_ENC(13, BTF_INFO_ENC(BTFC_KIND_STRUCT, 1, 2), 4),
	    BTF_MEMBER_ENC(9, 1, (3u << 24) | 0), BTF_MEMBER_ENC(11, 1, (29u << 24) | 3),
	    BTF_UNION_ENC(0, 1, 4), BTF_MEMBER_ENC(0, 1, 0), BTF_END_RAW },
	  S("\0int\0foo\0a\0b\0bits"),
	  "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
	  "[2] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=16\n"
	  "[3] STRUCT 'foo' size=68 vlen=2\n"
	  "\t'a' type_id=1 bits_offset=0\n"
	  "\t'b' type_id=2 bits_offset=32\n"
	  "[4] STRUCT 'bits' size=4 vlen=2\n"
	  "\t'a' type_id=1 bits_offset=0 bitfield_size=3\n"
	  "\t'b' type_id=1 bits_offset=3 bitfield_size=29\n"
	  "[5] UNION '(anon)' size=4 vlen=1\n"
	  "\t'(anon)' type_id=1 bits_offset=0\n",
	  "{\"types\":[{\"id\":1,\"kind\":\"INT\",\"name\":\"int\",\"size\":4,\"bits_offset\":0,\"nr_bits\":32,"
	  "\"encoding\":\"SIGNED\"},{\"id\":2,\"kind\":\"ARRAY\",\"name\":\"(anon)\",\"type_id\":1,"
	  "\"index_type_id\":1,\"nr_elems\":16},{\"id\":3,\"kind\":\"STRUCT\",\"name\":\"foo\",\"size\":68,"
	  "\"vlen\":2,\"members\":[{\"name\":\"a\",\"type_id\":1,\"bits_offset\":0},{\"name\":\"b\","
	  "\"type_id\":2,\"bits_offset\":32}]},{\"id\":4,\"kind\":\"STRUCT\",\"name\":\"bits\",\"size\":4,"
	  "\"vlen\":2,\"members\":[{\"name\":\"a\",\"type_id\":1,\"bits_offset\":0,\"bitfield_size\":3},"
	  "{\"name\":\"b\",\"type_id\":1,\"bits_offset\":3,\"bitfield_size\":29}]},{\"id\":5,\"kind\":\"UNION\","
	  "\"name\":\"(anon)\",\"size\":4,\"vlen\":1,\"members\":[{\"name\":\"(anon)\",\"type_id\":1,"
	  "\"bits_offset\":0}]}]}\n" },
	{ "enums",
	  { BTF_TYPE_ENC(1, BTF_INFO_ENC(BTFC_KIND_ENUM, 0, 2), 4), BTF_ENUM_ENC(3, 0),
	    BTF_ENUM_ENC(5, 0xffffffff), BTF_TYPE_ENC(1, BTF_INFO_ENC(BTFC_KIND_ENUM, 1, 1), 4),
	    BTF_ENUM_ENC(3, 0xfffffffe), BTF_TYPE_ENC(7, BTF_INFO_ENC(BTFC_KIND_ENUM64, 0, 1), 8),
	    BTF_ENUM64_ENC(3, 1, 0x80000000),
	    BTF_TYPE_ENC(7, BTF_INFO_ENC(BTFC_KIND_ENUM64, 1, 1), 8),
	    BTF_ENUM64_ENC(5, 0xfffffffd, 0xffffffff), BTF_END_RAW },
	  S("\0e\0A\0B\0e64"),
	  "[1] ENUM 'e' encoding=UNSIGNED size=4 vlen=2\n"
	  "\t'A' val=0\n"
	  "\t'B' val=4294967295\n"
	  "[2] ENUM 'e' encoding=SIGNED size=4 vlen=1\n"
	  "\t'A' val=-2\n"
	  "[3] ENUM64 'e64' encoding=UNSIGNED size=8 vlen=1\n"
	  "\t'A' val=9223372036854775809ULL\n"
	  "[4] ENUM64 'e64' encoding=SIGNED size=8 vlen=1\n"
	  "\t'B' val=-3LL\n",
	  /* sic: bpftool widens an unsigned ENUM's -1 to u64 in JSON */
	  "{\"types\":[{\"id\":1,\"kind\":\"ENUM\",\"name\":\"e\",\"encoding\":\"UNSIGNED\",\"size\":4,\"vlen\":2,"
	  "\"values\":[{\"name\":\"A\",\"val\":0},{\"name\":\"B\",\"val\":18446744073709551615}]},{\"id\":2,"
	  "\"kind\":\"ENUM\",\"name\":\"e\",\"encoding\":\"SIGNED\",\"size\":4,\"vlen\":1,\"values\":[{\"name\":"
	  "\"A\",\"val\":-2}]},{\"id\":3,\"kind\":\"ENUM64\",\"name\":\"e64\",\"encoding\":\"UNSIGNED\",\"size\":8,"
	  "\"vlen\":1,\"values\":[{\"name\":\"A\",\"val\":9223372036854775809}]},{\"id\":4,\"kind\":\"ENUM64\","
	  "\"name\":\"e64\",\"encoding\":\"SIGNED\",\"size\":8,\"vlen\":1,\"values\":[{\"name\":\"B\",\"val\":-3}]}]}\n" },
	{ "fwd-func-proto-var-datasec-float-decltag",
	  { BTF_FWD_ENC(1, 0), BTF_FWD_ENC(1, 1), BTF_TYPE_INT_ENC(5, 1, 0, 32, 4),
	    BTF_FUNC_PROTO_ENC(3, 2), BTF_FUNC_PROTO_ARG_ENC(9, 3), BTF_FUNC_PROTO_ARG_ENC(0, 0),
	    BTF_FUNC_ENC(13, 4, 1), BTF_FUNC_ENC(13, 4, 7), BTF_VAR_ENC(16, 3, 0),
	    BTF_VAR_ENC(16, 3, 2), BTF_VAR_ENC(16, 3, 9), BTF_DATASEC_ENC(18, 3, 12),
	    BTF_VAR_SECINFO_ENC(7, 0, 4), BTF_VAR_SECINFO_ENC(0, 4, 4),
	    BTF_VAR_SECINFO_ENC(99, 8, 4), BTF_FLOAT_ENC(24, 8), BTF_DECL_TAG_ENC(31, 3, -1),
	    BTF_DECL_TAG_ENC(31, 4, 1), BTF_END_RAW },
	  S("\0foo\0int\0arg\0fn\0v\0.data\0double\0tag"),
	  "[1] FWD 'foo' fwd_kind=struct\n"
	  "[2] FWD 'foo' fwd_kind=union\n"
	  "[3] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
	  "[4] FUNC_PROTO '(anon)' ret_type_id=3 vlen=2\n"
	  "\t'arg' type_id=3\n"
	  "\t'(anon)' type_id=0\n"
	  "[5] FUNC 'fn' type_id=4 linkage=global\n"
	  "[6] FUNC 'fn' type_id=4 linkage=(unknown)\n"
	  "[7] VAR 'v' type_id=3, linkage=static\n"
	  "[8] VAR 'v' type_id=3, linkage=extern\n"
	  "[9] VAR 'v' type_id=3, linkage=(unknown)\n"
	  "[10] DATASEC '.data' size=12 vlen=3\n"
	  "\ttype_id=7 offset=0 size=4 (VAR 'v')\n"
	  "\ttype_id=0 offset=4 size=4 (UNKNOWN '(anon)')\n"
	  "\ttype_id=99 offset=8 size=4\n"
	  "[11] FLOAT 'double' size=8\n"
	  "[12] DECL_TAG 'tag' type_id=3 component_idx=-1\n"
	  "[13] DECL_TAG 'tag' type_id=4 component_idx=1\n",
	  NULL },
	{ "names-invalid-and-json-escapes",
	  { BTF_TYPEDEF_ENC(1, 0), BTF_TYPEDEF_ENC(9, 0), BTF_TYPEDEF_ENC(500, 0), BTF_END_RAW },
	  S("\0a\"b\\c'd\0t\tx"),
	  "[1] TYPEDEF 'a\"b\\c'd' type_id=0\n"
	  "[2] TYPEDEF 't\tx' type_id=0\n"
	  "[3] TYPEDEF '(invalid)' type_id=0\n",
	  /* sic: bpftool's json_writer escapes a backslash as \n (and leaves ' alone) */
	  "{\"types\":[{\"id\":1,\"kind\":\"TYPEDEF\",\"name\":\"a\\\"b\\nc'd\",\"type_id\":0},{\"id\":2,"
	  "\"kind\":\"TYPEDEF\",\"name\":\"t\\tx\",\"type_id\":0},{\"id\":3,\"kind\":\"TYPEDEF\",\"name\":"
	  "\"(invalid)\",\"type_id\":0}]}\n" },
};

/* Run our dump of @btf in @fmt into a malloc'd string. */
static char *our_dump(const struct btfc_btf *btf, enum btfc_dump_format fmt)
{
	char path[] = "/tmp/btfc-test-XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	if (btfc_btf_dump(btf, fd, fmt)) {
		close(fd);
		return NULL;
	}
	off_t n = lseek(fd, 0, SEEK_END);
	char *s = calloc(1, n + 1);
	if (pread(fd, s, n, 0) != n) {
		free(s);
		s = NULL;
	}
	close(fd);
	return s;
}

/* bpftool's dump of @blob; NULL if bpftool is not installed. */
static char *bpftool_dump(const void *blob, size_t len, bool json, int *rc)
{
	char in[] = "/tmp/btfc-test-in-XXXXXX", cmd[256];
	int fd = mkstemp(in);
	bool wrote = write(fd, blob, len) ==
		     (ssize_t)len; /* a short write fails the case (rc -1) */
	close(fd);
	snprintf(cmd, sizeof(cmd), "bpftool %s btf dump file %s 2>/dev/null", json ? "-j" : "", in);
	FILE *p = popen(cmd, "r");
	char *s = calloc(1, 1 << 16);
	size_t n = fread(s, 1, (1 << 16) - 1, p);
	s[n] = 0;
	*rc = pclose(p);
	if (!wrote)
		*rc = -1;
	unlink(in);
	return s;
}

static bool have_bpftool(void) { return system("command -v bpftool >/dev/null 2>&1") == 0; }

static void test_dump_rows(void)
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	bool bpftool = have_bpftool();
	char name[128];

	for (size_t i = 0; i < sizeof(dump_rows) / sizeof(dump_rows[0]); i++) {
		const struct dump_row *r = &dump_rows[i];
		struct btfc_btf *btf;
		size_t len;
		void *blob = tu_btf_build(r->types, r->strs, r->str_len, &len);

		snprintf(name, sizeof(name), "dump/%s/parse", r->name);
		int err = btfc_btf_parse(ctx, blob, len, r->name, NULL, &btf);
		TU_CHECK(name, !err, "parse failed: %s", btfc_ctx_last_error(ctx));
		if (err) {
			free(blob);
			continue;
		}
		for (int json = 0; json <= 1; json++) {
			const char *want = json ? r->json : r->text;
			if (!want)
				continue;
			char *got = our_dump(btf, json ? BTFC_DUMP_JSON : BTFC_DUMP_RAW);
			snprintf(name, sizeof(name), "dump/%s/%s", r->name, json ? "json" : "text");
			TU_CHECK(name, got && !strcmp(got, want), "got:\n%s\nwant:\n%s",
				 got ? got : "(null)", want);
			free(got);
			snprintf(name, sizeof(name), "dump/%s/%s-row-vs-bpftool", r->name,
				 json ? "json" : "text");
			if (!bpftool) {
				tu_skip(name, "bpftool not installed");
				continue;
			}
			int rc;
			char *bt = bpftool_dump(blob, len, json, &rc);
			TU_CHECK(name, rc == 0 && !strcmp(bt, want),
				 "bpftool rc=%d printed:\n%s\nrow says:\n%s", rc, bt, want);
			free(bt);
		}
		btfc_btf_free(btf);
		free(blob);
	}
	btfc_ctx_free(ctx);
}

/* ---- model: ids, strings, split, lookup, byte order ---- */

static void test_model(void)
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	/* base: [1] int, [2] struct foo { int a; }, [3] ptr -> 2 */
	static const uint32_t base_types[] = {
		BTF_TYPE_INT_ENC(1, 1, 0, 32, 4),
		BTF_STRUCT_ENC(5, 1, 4),
		BTF_MEMBER_ENC(9, 1, 0),
		BTF_PTR_ENC(2),
		BTF_END_RAW,
	};
	static const char base_strs[] = "\0int\0foo\0a";
	/* split: [4] typedef foo_t -> 2 (name at base_len + 1), [5] struct bar { foo_t *p; } */
	const uint32_t bl = sizeof(base_strs);
	const uint32_t split_types[] = {
		BTF_TYPEDEF_ENC(bl + 1, 2),
		BTF_STRUCT_ENC(bl + 7, 1, 8),
		BTF_MEMBER_ENC(bl + 11, 3, 0),
		BTF_TYPEDEF_ENC(1, 1),
		BTF_END_RAW,
	};
	static const char split_strs[] = "\0foo_t\0bar\0p";
	size_t blen, slen;
	void *bblob = tu_btf_build(base_types, base_strs, sizeof(base_strs), &blen);
	void *sblob = tu_btf_build(split_types, split_strs, sizeof(split_strs), &slen);
	struct btfc_btf *base = NULL, *split = NULL;

	TU_CHECK("model/base-parse", !btfc_btf_parse(ctx, bblob, blen, "base", NULL, &base), "%s",
		 btfc_ctx_last_error(ctx));
	TU_CHECK("model/split-parse", !btfc_btf_parse(ctx, sblob, slen, "split", base, &split),
		 "%s", btfc_ctx_last_error(ctx));
	if (!base || !split)
		goto out;
	TU_CHECK("model/base-type-cnt", btfc_btf_type_cnt(base) == 4, "%u",
		 btfc_btf_type_cnt(base));
	TU_CHECK("model/split-start-id", btfc_btf_start_id(split) == 4, "%u",
		 btfc_btf_start_id(split));
	TU_CHECK("model/split-type-cnt", btfc_btf_type_cnt(split) == 7, "%u",
		 btfc_btf_type_cnt(split));
	TU_CHECK("model/split-start-str", btfc_btf_start_str_off(split) == bl, "%u",
		 btfc_btf_start_str_off(split));
	TU_CHECK("model/void-is-null", btfc_btf_type_by_id(split, 0) == NULL, "id 0 has a record");
	TU_CHECK("model/out-of-range-null", btfc_btf_type_by_id(split, 7) == NULL,
		 "id 7 has a record");
	const struct btfc_type *t = btfc_btf_type_by_id(split, 2);
	TU_CHECK("model/base-id-through-split",
		 t && btfc_type_kind(t) == BTFC_KIND_STRUCT &&
			 !strcmp(btfc_btf_str(split, t->name_off), "foo"),
		 "wrong type for id 2");
	t = btfc_btf_type_by_id(split, 5);
	TU_CHECK("model/split-id",
		 t && btfc_type_kind(t) == BTFC_KIND_STRUCT && t->size == 8 &&
			 !strcmp(btfc_btf_str(split, t->name_off), "bar"),
		 "wrong type for id 5");
	TU_CHECK("model/split-str-in-base", !strcmp(btfc_btf_str(split, 1), "int"), "offset 1");
	TU_CHECK("model/split-str-own", !strcmp(btfc_btf_str(split, bl + 11), "p"), "own offset");
	TU_CHECK("model/split-str-out-of-range",
		 btfc_btf_str(split, bl + sizeof(split_strs)) == NULL, "not NULL");
	TU_CHECK("model/find-base", btfc_btf_find(split, "foo", BTFC_KIND_STRUCT) == 2, "foo");
	TU_CHECK("model/find-own", btfc_btf_find(split, "bar", 0) == 5, "bar");
	TU_CHECK("model/find-kind-filter",
		 btfc_btf_find(split, "foo", BTFC_KIND_TYPEDEF) == -ENOENT, "typedef foo");
	TU_CHECK("model/find-missing", btfc_btf_find(split, "nope", 0) == -ENOENT, "nope");
	TU_CHECK("model/find-first-of-dups", btfc_btf_find(split, "int", 0) == 1,
		 "int should be 1 (base) not 6");

	/* byte-swapped copy of the base must read the same */
	{
		uint8_t *sw = malloc(blen);
		memcpy(sw, bblob, blen);
		uint32_t *w = (uint32_t *)(void *)sw;
		uint16_t magic = 0xeB9F;
		magic = __builtin_bswap16(magic);
		memcpy(sw, &magic, 2);
		for (int i = 1; i < 6; i++)
			w[i] = __builtin_bswap32(w[i]);
		for (size_t i = 6; i < 6 + (blen - 24 - sizeof(base_strs)) / 4; i++)
			w[i] = __builtin_bswap32(w[i]);
		struct btfc_btf *swapped = NULL;
		int err = btfc_btf_parse(ctx, sw, blen, "swapped", NULL, &swapped);
		TU_CHECK("model/swapped-parse", !err, "%s", btfc_ctx_last_error(ctx));
		if (swapped) {
			TU_CHECK("model/swapped-flags",
				 btfc_btf_source(swapped)->swapped &&
					 btfc_btf_source(swapped)->big_endian,
				 "not flagged big-endian");
			size_t a, b;
			const void *ta = btfc_btf_types_raw(base, &a),
				   *tb = btfc_btf_types_raw(swapped, &b);
			TU_CHECK("model/swapped-same-types", a == b && !memcmp(ta, tb, a),
				 "type sections differ");
			btfc_btf_free(swapped);
		}
		free(sw);
	}
out:
	btfc_btf_free(split);
	btfc_btf_free(base);
	free(bblob);
	free(sblob);
	btfc_ctx_free(ctx);
}

int main(void)
{
	test_dump_rows();
	test_model();
	return tu_exit();
}
