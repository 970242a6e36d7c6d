// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Bad input, in process: every malformed source must end in a negative errno
 * and a one-line message "NAME: what is wrong" (NAME: the name passed in),
 * never in a crash, a hang or an over-read (this program also runs under
 * ASan+UBSan). Where a mutated input is accepted, the object must be sound:
 * every id's record lies inside the type section and is as long as its kind
 * says (sizes from uapi linux/btf.h, not from the library), every string it
 * names resolves inside a string section and is NUL-terminated there, every
 * referenced id resolves iff it is in range, btfc_btf_find() finds names,
 * btfc_btf_dump() writes the whole thing to /dev/null, and btfc_btf_dump_c()
 * writes it as C or refuses with a message.
 *
 * Hand-made cases are table rows; each says what the bug is (expected errno
 * and words the message must contain, written from the defect, not copied
 * from the library's output). Generated cases (truncations, byte flips,
 * garbage, corrupt compressed data) run in groups with a fixed seed and
 * print one PASS line per group, or one FAIL line per failing case (the
 * first 20 in all). The real-data groups use /sys/kernel/btf/vmlinux and are
 * SKIPped when it cannot be read:
 *  - truncate-every-offset: vmlinux BTF cut at 0..4095 bytes, all rejected;
 *  - flip-real*: 1-8 bytes replaced (fixed xorshift seed) in a smaller real
 *    BTF, vmlinux's header + its records up to the first boundary past 64 KiB
 *    + the string prefix they use (~100 KB instead of 5 MB, so each case's
 *    parse + dump + walk is cheap under ASan): 6,000 cases in the first 64 KiB
 *    (a quarter of the flips aimed at the first 64 bytes: header and first
 *    records), 500 in the string section, 2,000 on the same BTF stored in the
 *    foreign byte order; plus a split BTF on vmlinux.
 * BTFC_TEST_VERBOSE=1 prints every case's outcome and message to stderr.
 */
#include <bzlib.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <lzma.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "btfcompat/btfcompat.h"
#include "testutil.h"

#define S(x) x, sizeof(x) /* string section literal incl. final NUL */
#define KEEP 0xfffffffeu /* header word left as built */
#define NOH .hdr = { KEEP, KEEP, KEEP, KEEP, KEEP, KEEP }
#define H(w0, w1, w2, w3, w4, w5) .hdr = { w0, w1, w2, w3, w4, w5 }
#define WORD0(magic, version, flags) \
	((uint32_t)(magic) | (uint32_t)(version) << 16 | (uint32_t)(flags) << 24)

/* Expected outcome besides a specific negative errno. */
#define XP_OK 0
#define XP_ANY 1 /* accepted (and then sound) or cleanly rejected: the format leaves it open */
#define XP_FAIL 2 /* rejected with any errno a malformed source may give */

enum { API_BOTH = 0, API_OPEN = 1, API_PARSE = 2 };

static struct btfc_ctx *ctx;
static int devnull = -1;
static const char *volatile cur_case = "(start)";
static int group_fail_lines; /* FAIL lines printed for generated cases, capped */
static int last_accepted; /* did the last run_one() get an object? */
static bool verbose; /* BTFC_TEST_VERBOSE set: every outcome to stderr */
static const char *
	self_exe; /* this program's file (argv[0]: /proc may not be mounted, as in a build chroot) */
#define MAX_GROUP_FAIL_LINES 20

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static uint64_t rng_state;
static uint64_t rnd(void) /* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static char why[2048];
__attribute__((format(printf, 1, 2))) static const char *reason(const char *fmt, ...)
{
	char tmp[sizeof(why)]; /* the arguments may point into why */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(why, tmp, sizeof(why));
	return why;
}

static void on_alarm(int sig)
{
	(void)sig;
	/* not async-signal-safe, but the process is about to end anyway */
	printf("FAIL: %s: no result after the time limit (hang?)\n", cur_case);
	fflush(stdout);
	_exit(1);
}

/* Bytes of kind data after a record, from uapi linux/btf.h; -1: not a BTF kind. */
static long rec_extra(uint32_t info)
{
	unsigned vlen = info & 0xffff;

	switch (info >> 24 & 0x1f) {
	case BTFC_KIND_INT:
	case BTFC_KIND_VAR:
	case BTFC_KIND_DECL_TAG:
		return 4;
	case BTFC_KIND_PTR:
	case BTFC_KIND_FWD:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_CONST:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_FUNC:
	case BTFC_KIND_FLOAT:
	case BTFC_KIND_TYPE_TAG:
		return 0;
	case BTFC_KIND_ARRAY:
		return 12;
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
	case BTFC_KIND_ENUM64:
	case BTFC_KIND_DATASEC:
		return 12l * vlen;
	case BTFC_KIND_ENUM:
	case BTFC_KIND_FUNC_PROTO:
		return 8l * vlen;
	default:
		return -1;
	}
}

/* Words per vlen entry and where its name / type id sit in it (-1: none). */
static void entry_layout(unsigned kind, int *words, int *name_at, int *type_at)
{
	*words = 0, *name_at = -1, *type_at = -1;
	switch (kind) {
	case BTFC_KIND_STRUCT:
	case BTFC_KIND_UNION:
		*words = 3, *name_at = 0, *type_at = 1;
		break;
	case BTFC_KIND_ENUM:
		*words = 2, *name_at = 0;
		break;
	case BTFC_KIND_ENUM64:
		*words = 3, *name_at = 0;
		break;
	case BTFC_KIND_FUNC_PROTO:
		*words = 2, *name_at = 0, *type_at = 1;
		break;
	case BTFC_KIND_DATASEC:
		*words = 3, *type_at = 0;
		break;
	}
}

static bool has_type_ref(unsigned kind)
{
	switch (kind) {
	case BTFC_KIND_PTR:
	case BTFC_KIND_TYPEDEF:
	case BTFC_KIND_VOLATILE:
	case BTFC_KIND_CONST:
	case BTFC_KIND_RESTRICT:
	case BTFC_KIND_FUNC:
	case BTFC_KIND_FUNC_PROTO:
	case BTFC_KIND_VAR:
	case BTFC_KIND_DECL_TAG:
	case BTFC_KIND_TYPE_TAG:
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* The properties                                                      */

/* btfc_btf_str(@off): NULL exactly when out of range, else NUL-terminated inside a string section. */
static const char *check_str(const struct btfc_btf *b, uint32_t off)
{
	const char *s = btfc_btf_str(b, off);
	size_t own;

	btfc_btf_strs_raw(b, &own);
	uint64_t total = (uint64_t)btfc_btf_start_str_off(b) + own;
	if (off >= total)
		return s ? reason("string offset %u past the end (%llu) resolves", off,
				  (unsigned long long)total) :
			   NULL;
	if (!s)
		return reason("string offset %u is in range (< %llu) but resolves to NULL", off,
			      (unsigned long long)total);
	for (const struct btfc_btf *c = b; c; c = btfc_btf_base(c)) {
		size_t n;
		const char *sec = btfc_btf_strs_raw(c, &n);
		if (s >= sec && s < sec + n)
			return memchr(s, 0, sec + n - s) ?
				       NULL :
				       reason("string at offset %u is not NUL-terminated", off);
	}
	return reason("string offset %u resolves outside every string section", off);
}

/* btfc_btf_type_by_id(@id): NULL exactly for void and ids past the last. */
static const char *check_ref(const struct btfc_btf *b, uint32_t id)
{
	const struct btfc_type *t = btfc_btf_type_by_id(b, id);
	bool in_range = id && id < btfc_btf_type_cnt(b);

	if (in_range != (t != NULL))
		return reason("type id %u (type_cnt %u) %s", id, btfc_btf_type_cnt(b),
			      t ? "resolves though out of range" :
				  "does not resolve though in range");
	return NULL;
}

/* Is the BTF object sound? NULL if so, else why. */
static const char *verify(const struct btfc_btf *b, int fmt)
{
	uint32_t start = btfc_btf_start_id(b), cnt = btfc_btf_type_cnt(b), named[2] = { 0, 0 };
	size_t tlen;
	const uint8_t *types = btfc_btf_types_raw(b, &tlen), *end = types + tlen, *next = types;
	const char *r;

	if (cnt < start)
		return reason("type_cnt %u below start id %u", cnt, start);
	if (btfc_btf_type_by_id(b, 0))
		return "id 0 (void) has a record";
	if ((r = check_ref(b, cnt)) || (r = check_ref(b, UINT32_MAX)))
		return r;
	for (uint32_t id = start; id < cnt; id++) {
		const struct btfc_type *t = btfc_btf_type_by_id(b, id);
		const uint8_t *p = (const uint8_t *)t;
		if (!t)
			return reason("[%u] has no record", id);
		if (p != next)
			return reason("[%u] does not start where [%u] ends", id, id - 1);
		if (end - p < 12)
			return reason("[%u] record runs past the type section", id);
		unsigned kind = btfc_type_kind(t), vlen = btfc_type_vlen(t);
		long x = rec_extra(t->info);
		if (x < 0)
			return reason(
				"[%u] has kind %u, which BTF does not define, yet was accepted", id,
				kind);
		if ((uint64_t)(end - p) < 12 + (uint64_t)x)
			return reason("[%u] %s vlen %u runs past the type section", id,
				      btfc_kind_name(kind), vlen);
		next = p + 12 + x;
		const uint32_t *d = btfc_type_data(t);
		if ((r = check_str(b, t->name_off)))
			return reason("[%u] name: %s", id, r);
		if (has_type_ref(kind) && (r = check_ref(b, t->type)))
			return reason("[%u]: %s", id, r);
		if (kind == BTFC_KIND_ARRAY &&
		    ((r = check_ref(b, d[0])) || (r = check_ref(b, d[1]))))
			return reason("[%u]: %s", id, r);
		int words, name_at, type_at;
		entry_layout(kind, &words, &name_at, &type_at);
		for (unsigned i = 0; words && i < vlen; i++) {
			if (name_at >= 0 && (r = check_str(b, d[i * words + name_at])))
				return reason("[%u] entry %u name: %s", id, i, r);
			if (type_at >= 0 && (r = check_ref(b, d[i * words + type_at])))
				return reason("[%u] entry %u: %s", id, i, r);
		}
		const char *nm = btfc_btf_str(b, t->name_off);
		if (nm && *nm)
			named[!!named[0]] = id;
	}
	if (next != end)
		return reason("%td bytes of the type section follow the last record", end - next);
	int err = btfc_btf_dump(b, devnull, fmt);
	if (err)
		return reason("dump (format %d) failed: %d", fmt, err);
	/* the C header: written, or refused for what C cannot express (cycles, ids or names out of range) */
	err = btfc_btf_dump_c(ctx, b, devnull, 0);
	if (err && err != -ELOOP && err != -EINVAL && err != -E2BIG)
		return reason("dump as C failed: %d", err);
	if (err && !strstr(btfc_ctx_last_error(ctx), "type [") &&
	    !strstr(btfc_ctx_last_error(ctx), "name offset"))
		return reason("dump as C refused without saying which type: %s",
			      btfc_ctx_last_error(ctx));
	for (int i = 0; i < 2; i++) {
		if (!named[i])
			continue;
		const struct btfc_type *t = btfc_btf_type_by_id(b, named[i]);
		const char *nm = btfc_btf_str(b, t->name_off);
		int64_t f = btfc_btf_find(b, nm, btfc_type_kind(t));
		const struct btfc_type *ft = f > 0 ? btfc_btf_type_by_id(b, (uint32_t)f) : NULL;
		if (!ft || f > named[i] || btfc_type_kind(ft) != btfc_type_kind(t) ||
		    !btfc_btf_str(b, ft->name_off) || strcmp(btfc_btf_str(b, ft->name_off), nm))
			return reason(
				"find('%s', %s) gave %lld, expected the first such type, at most [%u]",
				nm, btfc_kind_name(btfc_type_kind(t)), (long long)f, named[i]);
	}
	if (btfc_btf_find(b, "\001no such type\002", 0) != -ENOENT)
		return "find of an absent name is not -ENOENT";
	return NULL;
}

/* Does the last error read "NAME: problem", one line, mentioning one of @need ('|'-separated)? */
static const char *check_msg(const char *name, const char *need)
{
	const char *m = btfc_ctx_last_error(ctx);
	size_t n = strlen(name);

	if (strncmp(m, name, n) || strncmp(m + n, ": ", 2) || !m[n + 2])
		return reason("message \"%s\" does not start with \"%s: \" and a problem", m, name);
	if (strchr(m, '\n'))
		return reason("message \"%s\" is more than one line", m);
	if (!need)
		return NULL;
	char alt[256];
	snprintf(alt, sizeof(alt), "%s", need);
	for (char *save = NULL, *w = strtok_r(alt, "|", &save); w; w = strtok_r(NULL, "|", &save))
		if (strcasestr(m + n + 2, w))
			return NULL;
	return reason("message \"%s\" does not mention %s", m, need);
}

static bool plausible_errno(int err)
{
	return err == -EINVAL || err == -ENODATA || err == -EFBIG ||
	       err == -EOPNOTSUPP /* zboot's lzo */;
}

static const char *expect_str(int expect)
{
	static char buf[32];

	if (expect == XP_OK)
		return "success";
	if (expect == XP_FAIL)
		return "failure";
	if (expect == XP_ANY)
		return "anything";
	snprintf(buf, sizeof(buf), "%d (%s)", expect, strerror(-expect));
	return buf;
}

/*
 * Open @len bytes as @name through @api (btfc_btf_parse() gets an exact-size
 * heap copy, so an over-read is caught) and check the outcome.
 */
static const char *run_one(const char *name, const void *data, size_t len, int api,
			   const struct btfc_btf *base, int expect, const char *need, int fmt)
{
	struct btfc_btf *b = NULL;
	void *copy = NULL;
	const char *r = NULL;
	int err;

	cur_case = name;
	if (api == API_PARSE) {
		copy = malloc(len ? len : 1);
		if (len)
			memcpy(copy, data, len);
		err = btfc_btf_parse(ctx, copy, len, name, base, &b);
	} else {
		err = btfc_btf_open_mem(ctx, data, len, name, base, &b);
	}
	last_accepted = !err;
	if (verbose)
		fprintf(stderr, "%s: %d: %s\n", api == API_PARSE ? "parse" : "open", err,
			err ? btfc_ctx_last_error(ctx) : "(accepted)");
	if (!err) {
		if (!b)
			r = "returned 0 without an object";
		else if (expect < 0 || expect == XP_FAIL)
			r = reason("accepted (expected %s)", expect_str(expect));
		else
			r = verify(b, fmt);
	} else if (b) {
		r = reason("returned %d but stored an object", err);
	} else if (err > 0) {
		r = reason("returned positive %d", err);
	} else if (expect == XP_OK) {
		r = reason("rejected (%d): %s", err, btfc_ctx_last_error(ctx));
	} else if (expect < 0 && err != expect) {
		r = reason("returned %d (%s), expected %s: %s", err, strerror(-err),
			   expect_str(expect), btfc_ctx_last_error(ctx));
	} else if (expect > 0 && !plausible_errno(err)) {
		r = reason("returned %d (%s), not an errno of malformed input: %s", err,
			   strerror(-err), btfc_ctx_last_error(ctx));
	} else {
		r = check_msg(name, need);
	}
	btfc_btf_free(b);
	free(copy);
	return r;
}

/* A group of generated cases: count, and report failures (capped). */
struct group {
	const char *name;
	unsigned cases, accepted, failed;
};

static void group_case(struct group *g, const char *case_name, const char *r)
{
	g->cases++;
	g->accepted += last_accepted;
	if (!r)
		return;
	g->failed++;
	if (group_fail_lines++ < MAX_GROUP_FAIL_LINES)
		tu_fail(case_name, "%s", r);
}

static void group_end(struct group *g)
{
	if (!g->failed) {
		printf("PASS: %s: %u cases (%u accepted, %u rejected)\n", g->name, g->cases,
		       g->accepted, g->cases - g->accepted);
		tu_passed++;
	} else if (group_fail_lines > MAX_GROUP_FAIL_LINES)
		tu_fail(g->name, "%u of %u cases failed (FAIL lines beyond the first %d not shown)",
			g->failed, g->cases, MAX_GROUP_FAIL_LINES);
}

/* ------------------------------------------------------------------ */
/* Building inputs                                                     */

/* Store a raw BTF blob in the foreign byte order (header of @hl bytes, type section at @toff/@tlen). */
static void to_foreign(uint8_t *blob, size_t hl, size_t toff, size_t tlen)
{
	uint8_t t = blob[0];
	blob[0] = blob[1];
	blob[1] = t;
	for (size_t off = 4; off < hl; off += 4) {
		uint32_t w;
		memcpy(&w, blob + off, 4);
		w = __builtin_bswap32(w);
		memcpy(blob + off, &w, 4);
	}
	for (size_t off = toff; off + 4 <= toff + tlen; off += 4) {
		uint32_t w;
		memcpy(&w, blob + off, 4);
		w = __builtin_bswap32(w);
		memcpy(blob + off, &w, 4);
	}
}

struct row {
	const char *name;
	uint32_t types[96];
	const char *strs;
	uint32_t str_len;
	int expect; /* XP_OK, XP_ANY, XP_FAIL or the negative errno */
	const char *need; /* the message mentions one of these ('|'-separated), NULL: not checked */
	uint32_t hdr[6]; /* overrides of header words 0..5 (KEEP: as built) */
	int pad; /* zero bytes between header and type section (type_off = pad) */
	int cut; /* bytes cut off the end */
	int api; /* API_BOTH, API_OPEN, API_PARSE */
	bool swap; /* stored in the foreign byte order */
	bool split; /* split BTF on the small base below */
	uint32_t lay[2]; /* with a 32-byte header (hdr_len 32, pad >= 8): layout_off, layout_len */
};

static uint8_t *build_row(const struct row *r, size_t *len)
{
	uint32_t ntypes = 0;

	while (r->types[ntypes] != BTF_END_RAW)
		ntypes++;
	size_t tlen = ntypes * 4, total = 24 + r->pad + tlen + r->str_len;
	uint8_t *b = calloc(1, total);
	uint32_t hdr[6] = { WORD0(0xeB9F, 1, 0),       24,        (uint32_t)r->pad, (uint32_t)tlen,
			    (uint32_t)(r->pad + tlen), r->str_len };
	for (int i = 0; i < 6; i++)
		if (r->hdr[i] != KEEP)
			hdr[i] = r->hdr[i];
	memcpy(b, hdr, 24);
	if (hdr[1] == 32 && r->pad >= 8)
		memcpy(b + 24, r->lay, 8);
	memcpy(b + 24 + r->pad, r->types, tlen);
	memcpy(b + 24 + r->pad + tlen, r->strs, r->str_len);
	if (r->swap)
		to_foreign(b, hdr[1] == 32 && r->pad >= 8 ? 32 : 24, 24 + r->pad, tlen);
	*len = total - r->cut;
	return b;
}

/* The base of the split rows: [1] int, [2] struct foo { int a; }; strings "\0int\0foo\0a" (11 bytes). */
static const uint32_t base_types[] = {
	BTF_TYPE_INT_ENC(1, 1, 0, 32, 4),
	BTF_STRUCT_ENC(5, 1, 4),
	BTF_MEMBER_ENC(9, 1, 0),
	BTF_END_RAW,
};
#define BASE_STRS "\0int\0foo\0a"
#define BS 11u /* first string offset of a split BTF on it */
#define BID 3u /* first type id of a split BTF on it */
static uint8_t *base_blob;
static struct btfc_btf *small_base;

/* One type of every kind, valid: the subject of the all-kinds mutations. */
#define ALLKINDS_TYPES                                                                          \
	BTF_TYPE_INT_ENC(1, 1, 0, 32, 4), /* [1] int */                                         \
		BTF_PTR_ENC(1), /* [2] */                                                       \
		BTF_TYPE_ARRAY_ENC(1, 1, 4), /* [3] */                                          \
		BTF_STRUCT_ENC(5, 2, 16), BTF_MEMBER_ENC(7, 1, 0),                              \
		BTF_MEMBER_ENC(9, 2, 64), /* [4] s */                                           \
		BTF_UNION_ENC(0, 1, 4), BTF_MEMBER_ENC(7, 1, 0), /* [5] */                      \
		BTF_TYPE_ENC(11, BTF_INFO_ENC(BTFC_KIND_ENUM, 0, 2), 4), BTF_ENUM_ENC(13, 0),   \
		BTF_ENUM_ENC(15, 1), /* [6] e */                                                \
		BTF_FWD_ENC(17, 0), /* [7] fwd */                                               \
		BTF_TYPEDEF_ENC(21, 1), /* [8] td */                                            \
		BTF_VOLATILE_ENC(1), BTF_CONST_ENC(1), BTF_RESTRICT_ENC(2), /* [9] [10] [11] */ \
		BTF_FUNC_PROTO_ENC(1, 1), BTF_FUNC_PROTO_ARG_ENC(7, 1), /* [12] */              \
		BTF_FUNC_ENC(24, 12, 1), /* [13] f */                                           \
		BTF_VAR_ENC(26, 1, 1), /* [14] v */                                             \
		BTF_DATASEC_ENC(28, 1, 4), BTF_VAR_SECINFO_ENC(14, 0, 4), /* [15] .data */      \
		BTF_FLOAT_ENC(34, 8), /* [16] dbl */                                            \
		BTF_DECL_TAG_ENC(38, 4, 0), /* [17] tag */                                      \
		BTF_TYPE_TAG_ENC(38, 2), /* [18] tag */                                         \
		BTF_TYPE_ENC(42, BTF_INFO_ENC(BTFC_KIND_ENUM64, 1, 1), 8),                      \
		BTF_ENUM64_ENC(46, 1, 0x80000000u) /* [19] e64 */
#define ALLKINDS_STRS "\0int\0s\0a\0b\0e\0X\0Y\0fwd\0td\0f\0v\0.data\0dbl\0tag\0e64\0Z"

/* ------------------------------------------------------------------ */
/* Hand-made rows                                                      */

#define T_INT BTF_TYPE_INT_ENC(1, 1, 0, 32, 4)
#define T_OK T_INT, BTF_PTR_ENC(1) /* 28 bytes */
#define STRS_OK S("\0int")

static const struct row rows[] = {
	/* sanity: the harness accepts what is right */
	{ "valid",
	  { T_OK, BTF_STRUCT_ENC(5, 1, 4), BTF_MEMBER_ENC(1, 1, 0), BTF_END_RAW },
	  S("\0int\0foo"),
	  XP_OK,
	  NULL,
	  NOH },
	{ "valid-foreign-order",
	  { T_OK, BTF_STRUCT_ENC(5, 1, 4), BTF_MEMBER_ENC(1, 1, 0), BTF_END_RAW },
	  S("\0int\0foo"),
	  XP_OK,
	  NULL,
	  NOH,
	  .swap = true },
	{ "valid-all-kinds", { ALLKINDS_TYPES, BTF_END_RAW }, S(ALLKINDS_STRS), XP_OK, NULL, NOH },
	{ "no-types", { BTF_END_RAW }, S(""), XP_ANY, NULL, NOH },

	/* header length */
	{ "hdr_len-0",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "header",
	  H(KEEP, 0, KEEP, KEEP, KEEP, KEEP) },
	{ "hdr_len-16",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "header",
	  H(KEEP, 16, KEEP, KEEP, KEEP, KEEP) },
	{ "hdr_len-23",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "header",
	  H(KEEP, 23, KEEP, KEEP, KEEP, KEEP) },
	{ "hdr_len-beyond-size",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "header",
	  H(KEEP, 1000, KEEP, KEEP, KEEP, KEEP) },
	{ "hdr_len-ffffffff",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "header",
	  H(KEEP, 0xffffffff, KEEP, KEEP, KEEP, KEEP) },
	{ "hdr_len-fffffff0",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "header",
	  H(KEEP, 0xfffffff0, KEEP, KEEP, KEEP, KEEP) },
	{ "hdr_len-80000000",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "header",
	  H(KEEP, 0x80000000, KEEP, KEEP, KEEP, KEEP) },
	/* a longer header (the kernel takes one whose extra bytes are zero): the format leaves it open */
	{ "hdr_len-32-zero-tail",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  XP_ANY,
	  NULL,
	  H(KEEP, 32, 0, KEEP, 28, KEEP),
	  .pad = 8 },
	/*
	 * 7.x: a 32-byte header with layout_off, layout_len (pad 8: the two words; type_off 0,
	 * types 28 bytes, strings "\0int\0" at 28 and the 4-byte layout section "abc\0" after them)
	 */
	{ "hdr_len-32-layout",
	  { T_OK, BTF_END_RAW },
	  S("\0int\0abc"),
	  XP_OK,
	  NULL,
	  H(KEEP, 32, 0, KEEP, 28, 5),
	  .pad = 8,
	  .lay = { 33, 4 } },
	{ "hdr_len-32-layout-foreign-order",
	  { T_OK, BTF_END_RAW },
	  S("\0int\0abc"),
	  XP_OK,
	  NULL,
	  H(KEEP, 32, 0, KEEP, 28, 5),
	  .pad = 8,
	  .lay = { 33, 4 },
	  .swap = true },
	{ "hdr_len-32-layout-past-end",
	  { T_OK, BTF_END_RAW },
	  S("\0int\0abc"),
	  -EINVAL,
	  "layout",
	  H(KEEP, 32, 0, KEEP, 28, 5),
	  .pad = 8,
	  .lay = { 33, 8 } },
	{ "hdr_len-32-layout-off-wraps",
	  { T_OK, BTF_END_RAW },
	  S("\0int\0abc"),
	  -EINVAL,
	  "layout",
	  H(KEEP, 32, 0, KEEP, 28, 5),
	  .pad = 8,
	  .lay = { 0xfffffffc, 8 } },
	{ "hdr_len-32-layout-len-ffffffff",
	  { T_OK, BTF_END_RAW },
	  S("\0int\0abc"),
	  -EINVAL,
	  "layout",
	  H(KEEP, 32, 0, KEEP, 28, 5),
	  .pad = 8,
	  .lay = { 33, 0xffffffff } },
	{ "hdr_len-32-layout-foreign-order-past-end",
	  { T_OK, BTF_END_RAW },
	  S("\0int\0abc"),
	  -EINVAL,
	  "layout",
	  H(KEEP, 32, 0, KEEP, 28, 5),
	  .pad = 8,
	  .lay = { 33, 8 },
	  .swap = true },
	/* the 32-byte header cut short: 28 and 31 bytes of it, and nothing after */
	{ "hdr_len-32-truncated-28",
	  { T_OK, BTF_END_RAW },
	  S("\0int\0abc"),
	  -EINVAL,
	  "header",
	  H(KEEP, 32, 0, KEEP, 28, 5),
	  .pad = 8,
	  .lay = { 33, 4 },
	  .cut = 28 + 9 + 4 },
	{ "hdr_len-32-truncated-31-foreign-order",
	  { T_OK, BTF_END_RAW },
	  S("\0int\0abc"),
	  -EINVAL,
	  "header",
	  H(KEEP, 32, 0, KEEP, 28, 5),
	  .pad = 8,
	  .lay = { 33, 4 },
	  .cut = 28 + 9 + 1,
	  .swap = true },
	{ "hdr_len-26-unaligned-types",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  XP_ANY,
	  NULL,
	  H(KEEP, 26, 0, KEEP, 28, KEEP),
	  .pad = 2 },

	/* section offsets and lengths: 32-bit sums that wrap */
	{ "type_off-wraps",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "type section",
	  H(KEEP, KEEP, 0xfffffff0, KEEP, KEEP, KEEP) },
	{ "type_off-ffffffff",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "type section",
	  H(KEEP, KEEP, 0xffffffff, KEEP, KEEP, KEEP) },
	{ "type_len-wraps",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "type section",
	  H(KEEP, KEEP, 4, 0xfffffffc, KEEP, KEEP) },
	{ "type_len-ffffffff",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "type section",
	  H(KEEP, KEEP, KEEP, 0xffffffff, KEEP, KEEP) },
	{ "type_len-past-end",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "type section",
	  H(KEEP, KEEP, KEEP, 0x1000, KEEP, KEEP) },
	{ "type_off-past-end",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "type section",
	  H(KEEP, KEEP, 0x1000, KEEP, KEEP, KEEP) },
	{ "str_off-wraps",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "string section",
	  H(KEEP, KEEP, KEEP, KEEP, 0xffffffff, KEEP) },
	{ "str_len-wraps",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "string section",
	  H(KEEP, KEEP, KEEP, KEEP, 1, 0xffffffff) },
	{ "str_off-and-len-wrap",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "string section",
	  H(KEEP, KEEP, KEEP, KEEP, 0x80000000, 0x80000005) },
	{ "str_len-past-end",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "string section",
	  H(KEEP, KEEP, KEEP, KEEP, KEEP, 6) },
	{ "str_off-past-end",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "string section",
	  H(KEEP, KEEP, KEEP, KEEP, 0x10000, KEEP) },
	{ "all-offsets-ffffffff",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "section|header",
	  H(KEEP, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff) },
	{ "sections-overlap",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "overlap",
	  H(KEEP, KEEP, KEEP, KEEP, 24, KEEP) },
	{ "type_len-into-strings",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "overlap",
	  H(KEEP, KEEP, KEEP, 32, KEEP, KEEP) },
	{ "type_off-unaligned", { T_OK, BTF_END_RAW }, STRS_OK, -EINVAL, "align", NOH, .pad = 2 },
	{ "type_len-unaligned",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "align|truncated",
	  H(KEEP, KEEP, KEEP, 26, KEEP, KEEP) },

	/* the type section */
	{ "struct-vlen-ffff",
	  { T_INT, BTF_STRUCT_ENC(1, 0xffff, 4), BTF_MEMBER_ENC(1, 1, 0), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "vlen",
	  NOH },
	{ "union-vlen-2-of-1",
	  { T_INT, BTF_UNION_ENC(1, 2, 4), BTF_MEMBER_ENC(1, 1, 0), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "vlen",
	  NOH },
	{ "enum-vlen-100",
	  { BTF_TYPE_ENC(1, BTF_INFO_ENC(BTFC_KIND_ENUM, 0, 100), 4), BTF_ENUM_ENC(1, 0),
	    BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "vlen",
	  NOH },
	{ "enum64-vlen-ffff",
	  { BTF_TYPE_ENC(1, BTF_INFO_ENC(BTFC_KIND_ENUM64, 0, 0xffff), 8), BTF_ENUM64_ENC(1, 0, 0),
	    BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "vlen",
	  NOH },
	{ "func_proto-vlen-ffff",
	  { T_INT, BTF_FUNC_PROTO_ENC(1, 0xffff), BTF_FUNC_PROTO_ARG_ENC(0, 1), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "vlen",
	  NOH },
	{ "datasec-vlen-ffff",
	  { T_INT, BTF_DATASEC_ENC(1, 0xffff, 4), BTF_VAR_SECINFO_ENC(1, 0, 4), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "vlen",
	  NOH },
	{ "record-truncated",
	  { 1, BTF_INFO_ENC(BTFC_KIND_PTR, 0, 0), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "truncated",
	  NOH },
	{ "second-record-truncated", { T_INT, 0, BTF_END_RAW }, STRS_OK, -EINVAL, "[2]", NOH },
	/* an INT / ARRAY / VAR / DECL_TAG record without its fixed data */
	{ "int-data-missing",
	  { BTF_TYPE_ENC(1, BTF_INFO_ENC(BTFC_KIND_INT, 0, 0), 4), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "[1]",
	  NOH },
	{ "array-data-missing",
	  { T_INT, BTF_TYPE_ENC(0, BTF_INFO_ENC(BTFC_KIND_ARRAY, 0, 0), 0), 1, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "[2]",
	  NOH },
	{ "var-data-missing",
	  { T_INT, BTF_TYPE_ENC(1, BTF_INFO_ENC(BTFC_KIND_VAR, 0, 0), 1), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "[2]",
	  NOH },
	{ "kind-0",
	  { BTF_TYPE_ENC(1, BTF_INFO_ENC(0, 0, 0), 0), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "kind",
	  NOH },
	{ "kind-20",
	  { T_INT, BTF_TYPE_ENC(1, BTF_INFO_ENC(20, 0, 0), 0), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "kind",
	  NOH },
	{ "kind-25",
	  { T_INT, BTF_TYPE_ENC(1, BTF_INFO_ENC(25, 0, 0), 0), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "unknown kind",
	  NOH },
	{ "kind-31",
	  { BTF_TYPE_ENC(1, BTF_INFO_ENC(31, 1, 0xffff), 0), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "kind",
	  NOH },
	/* structurally sound but semantically wrong: names/ids out of range are the validator's business */
	{ "name_off-past-strings",
	  { BTF_TYPE_INT_ENC(1000, 1, 0, 32, 4), BTF_STRUCT_ENC(0xffffffff, 1, 4),
	    BTF_MEMBER_ENC(0x7fffffff, 1, 0), BTF_END_RAW },
	  STRS_OK,
	  XP_ANY,
	  NULL,
	  NOH },
	{ "type-ids-past-end",
	  { T_INT, BTF_PTR_ENC(99), BTF_TYPE_ARRAY_ENC(0xffffffff, 1000, 1),
	    BTF_STRUCT_ENC(1, 1, 4), BTF_MEMBER_ENC(1, 0x80000000, 0), BTF_DATASEC_ENC(1, 1, 4),
	    BTF_VAR_SECINFO_ENC(0xfffffff0, 0, 4), BTF_END_RAW },
	  STRS_OK,
	  XP_ANY,
	  NULL,
	  NOH },
	{ "name-is-last-nul",
	  { BTF_TYPE_INT_ENC(4, 1, 0, 32, 4), BTF_END_RAW },
	  STRS_OK,
	  XP_ANY,
	  NULL,
	  NOH },

	/* the string section */
	{ "strs-no-trailing-nul",
	  { T_OK, BTF_END_RAW },
	  "\0int",
	  4,
	  -EINVAL,
	  "string section|NUL",
	  NOH },
	{ "strs-one-byte-not-nul", { BTF_END_RAW }, "x", 1, -EINVAL, "string section|NUL", NOH },
	{ "strs-empty", { T_OK, BTF_END_RAW }, "", 0, -EINVAL, "string section|strings", NOH },
	{ "strs-not-starting-with-nul",
	  { T_OK, BTF_END_RAW },
	  S("int"),
	  -EINVAL,
	  "string section|strings",
	  NOH },
	{ "strs-all-ff",
	  { T_OK, BTF_END_RAW },
	  "\377\377\377\377",
	  4,
	  -EINVAL,
	  "string section|NUL",
	  NOH },

	/* magic and version */
	{ "version-0",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "version",
	  H(WORD0(0xeB9F, 0, 0), KEEP, KEEP, KEEP, KEEP, KEEP) },
	{ "version-2",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "version",
	  H(WORD0(0xeB9F, 2, 0), KEEP, KEEP, KEEP, KEEP, KEEP) },
	{ "version-255",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "version",
	  H(WORD0(0xeB9F, 255, 0), KEEP, KEEP, KEEP, KEEP, KEEP) },
	{ "flags-set",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  XP_ANY,
	  NULL,
	  H(WORD0(0xeB9F, 1, 0xff), KEEP, KEEP, KEEP, KEEP, KEEP) },
	{ "magic-bad-parse",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "magic|not BTF",
	  H(WORD0(0x1234, 1, 0), KEEP, KEEP, KEEP, KEEP, KEEP),
	  .api = API_PARSE },
	{ "magic-bad-open",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "not BTF|magic|not recognised",
	  H(WORD0(0x1234, 1, 0), KEEP, KEEP, KEEP, KEEP, KEEP),
	  .api = API_OPEN },
	{ "magic-half",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  NULL,
	  H(WORD0(0x009f, 1, 0), KEEP, KEEP, KEEP, KEEP, KEEP) },

	/* foreign byte order */
	{ "foreign-hdr_len-garbage",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "header",
	  H(KEEP, 0x41414141, KEEP, KEEP, KEEP, KEEP),
	  .swap = true },
	{ "foreign-type_len-wraps",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "type section",
	  H(KEEP, KEEP, 4, 0xfffffffc, KEEP, KEEP),
	  .swap = true },
	{ "foreign-str_len-wraps",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "string section",
	  H(KEEP, KEEP, KEEP, KEEP, 1, 0xffffffff),
	  .swap = true },
	{ "foreign-kind-25",
	  { T_INT, BTF_TYPE_ENC(1, BTF_INFO_ENC(25, 0, 0), 0), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "unknown kind",
	  NOH,
	  .swap = true },
	{ "foreign-struct-vlen-ffff",
	  { T_INT, BTF_STRUCT_ENC(1, 0xffff, 4), BTF_MEMBER_ENC(1, 1, 0), BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "vlen",
	  NOH,
	  .swap = true },
	{ "foreign-strs-no-nul",
	  { T_OK, BTF_END_RAW },
	  "\0int",
	  4,
	  -EINVAL,
	  "string section|NUL",
	  NOH,
	  .swap = true },
	{ "foreign-type_off-unaligned",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "align",
	  NOH,
	  .pad = 2,
	  .swap = true },
	{ "foreign-truncated",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "string section|exceeds|truncated",
	  NOH,
	  .cut = 2,
	  .swap = true },

	/* cut short */
	{ "cut-last-byte",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "string section|exceeds|truncated",
	  NOH,
	  .cut = 1 },
	{ "cut-into-types",
	  { T_OK, BTF_END_RAW },
	  STRS_OK,
	  -EINVAL,
	  "section|exceeds|truncated",
	  NOH,
	  .cut = 10 },

	/* split BTF on the small base ([1] int, [2] foo; strings "\0int\0foo\0a") */
	{ "split-valid",
	  { BTF_PTR_ENC(2), BTF_STRUCT_ENC(BS + 1, 1, 8), BTF_MEMBER_ENC(9, BID, 0), BTF_END_RAW },
	  S("\0bar"),
	  XP_OK,
	  NULL,
	  NOH,
	  .split = true },
	{ "split-name-into-base",
	  { BTF_TYPEDEF_ENC(5, 2), BTF_END_RAW },
	  S("\0x"),
	  XP_OK,
	  NULL,
	  NOH,
	  .split = true },
	{ "split-foreign-order",
	  { BTF_PTR_ENC(2), BTF_TYPEDEF_ENC(BS + 1, BID), BTF_END_RAW },
	  S("\0bar"),
	  XP_OK,
	  NULL,
	  NOH,
	  .split = true,
	  .swap = true },
	{ "split-name_off-past-strings",
	  { BTF_TYPEDEF_ENC(BS + 100, 1), BTF_STRUCT_ENC(0xffffffff, 1, 4),
	    BTF_MEMBER_ENC(BS + 5, 1, 0), BTF_END_RAW },
	  S("\0bar"),
	  XP_ANY,
	  NULL,
	  NOH,
	  .split = true },
	{ "split-name_off-at-own-end",
	  { BTF_TYPEDEF_ENC(BS + 5, 1), BTF_END_RAW },
	  S("\0bar"),
	  XP_ANY,
	  NULL,
	  NOH,
	  .split = true },
	{ "split-type-ids-past-end",
	  { BTF_PTR_ENC(BID + 5), BTF_STRUCT_ENC(0, 1, 4), BTF_MEMBER_ENC(0, 0xffffffff, 0),
	    BTF_END_RAW },
	  S("\0bar"),
	  XP_ANY,
	  NULL,
	  NOH,
	  .split = true },
	{ "split-strs-no-trailing-nul",
	  { BTF_TYPEDEF_ENC(BS + 1, 1), BTF_END_RAW },
	  "\0bar",
	  4,
	  -EINVAL,
	  "string section|NUL",
	  NOH,
	  .split = true },
	{ "split-strs-empty",
	  { BTF_TYPEDEF_ENC(1, 1), BTF_END_RAW },
	  "",
	  0,
	  XP_ANY,
	  NULL,
	  NOH,
	  .split = true },
	{ "split-strs-not-starting-with-nul",
	  { BTF_TYPEDEF_ENC(BS, 1), BTF_END_RAW },
	  S("bar"),
	  XP_ANY,
	  NULL,
	  NOH,
	  .split = true },
	{ "split-str_off-wraps",
	  { BTF_TYPEDEF_ENC(BS + 1, 1), BTF_END_RAW },
	  S("\0bar"),
	  -EINVAL,
	  "string section",
	  H(KEEP, KEEP, KEEP, KEEP, 0xfffffffe, 8),
	  .split = true },
	{ "split-str_len-past-end",
	  { BTF_TYPEDEF_ENC(BS + 1, 1), BTF_END_RAW },
	  S("\0bar"),
	  -EINVAL,
	  "string section",
	  H(KEEP, KEEP, KEEP, KEEP, KEEP, 0x7fffffff),
	  .split = true },
	{ "split-hdr_len-huge",
	  { BTF_TYPEDEF_ENC(BS + 1, 1), BTF_END_RAW },
	  S("\0bar"),
	  -EINVAL,
	  "header",
	  H(KEEP, 0xffffffe8, KEEP, KEEP, KEEP, KEEP),
	  .split = true },
	{ "split-vlen-ffff",
	  { BTF_STRUCT_ENC(0, 0xffff, 4), BTF_MEMBER_ENC(0, 1, 0), BTF_END_RAW },
	  S("\0bar"),
	  -EINVAL,
	  "vlen",
	  NOH,
	  .split = true },
	/* the id in the message is the split id: base type_cnt (3) + 0 */
	{ "split-kind-25-names-split-id",
	  { BTF_TYPE_ENC(0, BTF_INFO_ENC(25, 0, 0), 0), BTF_END_RAW },
	  S("\0bar"),
	  -EINVAL,
	  "[3]",
	  NOH,
	  .split = true },
	{ "split-second-record-truncated",
	  { BTF_PTR_ENC(1), 0, 0, BTF_END_RAW },
	  S("\0bar"),
	  -EINVAL,
	  "[4]",
	  NOH,
	  .split = true },
};

static void run_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		size_t len;
		uint8_t *blob = build_row(r, &len);
		const char *res = NULL;
		for (int api = API_OPEN; api <= API_PARSE && !res; api++) {
			if (r->api && r->api != api)
				continue;
			res = run_one(r->name, blob, len, api, r->split ? small_base : NULL,
				      r->expect, r->need, (int)i % 3);
			if (res)
				tu_fail(r->name, "%s: %s",
					api == API_OPEN ? "btfc_btf_open_mem" : "btfc_btf_parse",
					res);
		}
		if (!res)
			tu_pass(r->name);
		free(blob);
	}
}

/* ------------------------------------------------------------------ */
/* Generated cases                                                     */

/* @ncases copies of @orig with 1-8 bytes replaced: 1/4 of them in the first 64 bytes, the rest in [lo, hi). */
static void flip_group(const char *name, const uint8_t *orig, size_t len, size_t lo, size_t hi,
		       unsigned ncases, uint64_t seed, const struct btfc_btf *base)
{
	struct group g = { .name = name };
	uint8_t *work = malloc(len);
	char cname[128];

	/* raw BTF goes through both entry points, containers through btfc_btf_open_mem() */
	bool raw = len >= 2 &&
		   ((orig[0] == 0x9f && orig[1] == 0xeb) || (orig[0] == 0xeb && orig[1] == 0x9f));

	if (hi > len)
		hi = len;
	rng_state = seed;
	for (unsigned i = 0; i < ncases; i++) {
		memcpy(work, orig, len);
		unsigned nflips = 1 + rnd() % 8;
		for (unsigned f = 0; f < nflips; f++) {
			size_t pos = rnd() % 4 == 0 ? rnd() % (len < 64 ? len : 64) :
						      lo + rnd() % (hi - lo);
			work[pos] ^= (uint8_t)(1 + rnd() % 255);
		}
		snprintf(cname, sizeof(cname), "%s-%u", name, i);
		const char *r = run_one(cname, work, len, raw && i % 2 ? API_PARSE : API_OPEN, base,
					XP_ANY, NULL, i % 3);
		group_case(&g, cname, r);
	}
	free(work);
	group_end(&g);
}

/* Every prefix of @blob shorter than @upto (and than the blob) must be rejected as too short. */
static void truncate_group(const char *name, const uint8_t *blob, size_t len, size_t upto,
			   const struct btfc_btf *base)
{
	struct group g = { .name = name };
	char cname[128];

	for (size_t n = 0; n < upto && n < len; n++) {
		snprintf(cname, sizeof(cname), "%s-%zu", name, n);
		const char *r = run_one(cname, blob, n, n % 2 ? API_PARSE : API_OPEN, base, XP_FAIL,
					n == 1 ? NULL : "empty|short|truncated|exceeds", 0);
		group_case(&g, cname, r);
	}
	group_end(&g);
}

/* The whole file at @path, or NULL. */
static uint8_t *read_whole(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = NULL;

	if (fd < 0)
		return NULL;
	for (;;) {
		if (!buf || n == cap) {
			uint8_t *nb = realloc(buf, buf ? (cap *= 2) : cap);
			if (!nb)
				break;
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r <= 0) {
			close(fd);
			if (r < 0 || !n) {
				free(buf);
				return NULL;
			}
			*len = n;
			return buf;
		}
		n += r;
	}
	close(fd);
	free(buf);
	return NULL;
}

/*
 * A smaller real BTF: vmlinux's records up to the first boundary past 64 KiB
 * and its strings up to the last one they use (pahole/libbpf write strings in
 * first-use order, so that prefix is small), so one parse+dump+walk is cheap.
 * Walks the records with this file's own size table. NULL if @v is not plain
 * host-order BTF with a 24-byte header.
 */
static uint8_t *cut_real(const uint8_t *v, size_t vlen, size_t *out_len, uint32_t *out_types,
			 size_t *out_tlen)
{
	uint32_t h[6], off = 0, n = 0, maxname = 0;

	if (vlen < 24)
		return NULL;
	memcpy(h, v, 24);
	if ((h[0] & 0xffff) != 0xeB9F || h[1] != 24 || (uint64_t)h[2] + h[3] > vlen - 24 ||
	    (uint64_t)h[4] + h[5] > vlen - 24 || !h[5])
		return NULL;
	const uint8_t *types = v + 24 + h[2];
	const char *strs = (const char *)v + 24 + h[4];
	while (off < h[3] && off < 65536) {
		uint32_t t[3];
		if (h[3] - off < 12)
			return NULL;
		memcpy(t, types + off, 12);
		long x = rec_extra(t[1]);
		if (x < 0 || h[3] - off - 12 < (uint64_t)x)
			return NULL;
		if (t[0] > maxname)
			maxname = t[0];
		int words, name_at, type_at;
		entry_layout(t[1] >> 24 & 0x1f, &words, &name_at, &type_at);
		for (unsigned i = 0; name_at >= 0 && i < (t[1] & 0xffff); i++) {
			uint32_t no;
			memcpy(&no, types + off + 12 + 4 * (i * words + name_at), 4);
			if (no > maxname)
				maxname = no;
		}
		off += 12 + x;
		n++;
	}
	if (maxname >= h[5])
		return NULL;
	const char *z = memchr(strs + maxname, 0, h[5] - maxname);
	if (!z)
		return NULL;
	uint32_t slen = z - strs + 1;
	uint8_t *out = malloc(24 + off + slen);
	uint32_t nh[6] = { h[0], 24, 0, off, off, slen };
	memcpy(out, nh, 24);
	memcpy(out + 24, types, off);
	memcpy(out + 24 + off, strs, slen);
	*out_len = 24 + off + slen;
	*out_types = n;
	*out_tlen = off;
	return out;
}

static void real_groups(void)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	size_t vlen = 0, clen = 0, ctlen = 0;
	uint32_t ctypes = 0;
	uint8_t *v = read_whole(path, &vlen), *cut = NULL;
	char what[128];

	if (!v) {
		const char *groups[] = {
			"truncate-every-offset", "real-cut-parses",         "flip-real",
			"flip-real-strings",     "flip-real-foreign-order", "split-on-vmlinux"
		};
		for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
			tu_skip(groups[i], "cannot read /sys/kernel/btf/vmlinux");
		return;
	}
	/* the sections extend far past 4 KiB: every prefix is short */
	truncate_group("truncate-every-offset", v, vlen, 4096, NULL);

	cut = cut_real(v, vlen, &clen, &ctypes, &ctlen);
	if (!cut) {
		tu_fail("real-cut-parses",
			"vmlinux BTF is not host-order BTF with a 24-byte header and known kinds");
	} else {
		const char *r = run_one("real-cut", cut, clen, API_OPEN, NULL, XP_OK, NULL, 0);
		snprintf(what, sizeof(what), "real-cut-parses (%u types, %zu bytes)", ctypes, clen);
		TU_CHECK(what, !r, "%s", r);
		/* flips in the first 64 KiB: the header and the first ~1,600 real records */
		flip_group("flip-real", cut, clen, 0, 65536, 6000, 0x5eed0001, NULL);
		/* flips in the string section, including its final NUL */
		flip_group("flip-real-strings", cut, clen, 24 + ctlen, clen, 500, 0x5eed0002, NULL);
		/* the same BTF in the foreign byte order */
		to_foreign(cut, 24, 24, ctlen);
		flip_group("flip-real-foreign-order", cut, clen, 0, 65536, 2000, 0x5eed0003, NULL);
	}

	/* a module-like split BTF on the real vmlinux */
	struct btfc_btf *vb = NULL;
	if (btfc_btf_open(ctx, path, NULL, &vb)) {
		tu_fail("split-on-vmlinux", "cannot open %s: %s", path, btfc_ctx_last_error(ctx));
	} else {
		uint32_t cnt = btfc_btf_type_cnt(vb);
		size_t vs;
		btfc_btf_strs_raw(vb, &vs);
		uint32_t so = (uint32_t)vs;
		const struct row sr = {
			"split-on-vmlinux",
			{ BTF_PTR_ENC(1), BTF_STRUCT_ENC(so + 1, 3, 16), BTF_MEMBER_ENC(1, cnt, 0),
			  BTF_MEMBER_ENC(so - 1, cnt - 1, 64), BTF_MEMBER_ENC(so + 4, cnt + 1, 96),
			  BTF_TYPEDEF_ENC(so + 1000, cnt + 1), BTF_END_RAW },
			S("\0bar"),
			XP_ANY,
			NULL,
			NOH
		};
		size_t len;
		uint8_t *blob = build_row(&sr, &len);
		const char *r = run_one(sr.name, blob, len, API_OPEN, vb, XP_ANY, NULL, 0);
		if (!r)
			r = run_one(sr.name, blob, len, API_PARSE, vb, XP_ANY, NULL, 1);
		TU_CHECK(sr.name, !r, "%s", r);
		flip_group("flip-split-on-vmlinux", blob, len, 0, len, 500, 0x5eed0004, vb);
		free(blob);
		btfc_btf_free(vb);
	}
	free(cut);
	free(v);
}

static void small_groups(void)
{
	static const uint32_t allk[] = { ALLKINDS_TYPES, BTF_END_RAW };
	size_t len;
	uint8_t *blob = tu_btf_build(allk, ALLKINDS_STRS, sizeof(ALLKINDS_STRS), &len);

	flip_group("flip-all-kinds", blob, len, 0, len, 3000, 0x5eed0010, NULL);
	truncate_group("truncate-all-kinds", blob, len, len, NULL);
	free(blob);

	const struct row *sv = NULL;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!strcmp(rows[i].name, "split-valid"))
			sv = &rows[i];
	blob = build_row(sv, &len);
	flip_group("flip-split", blob, len, 0, len, 1000, 0x5eed0011, small_base);
	free(blob);
}

/* ------------------------------------------------------------------ */
/* Containers: garbage, ELF, compressed, bzImage, files                */

static uint8_t *xmalloc_rand(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
	return p;
}

static void garbage_groups(void)
{
	static const size_t sizes[] = { 1,   2,     3,     4,     5,    7,    8,    13,
					16,  23,    24,    25,    63,   64,   100,  511,
					512, 0x24f, 0x250, 0x251, 1000, 4096, 4097, 65536 };
	struct group g = { .name = "garbage-random" };
	char cname[128];

	rng_state = 0x6a7ba6e;
	for (unsigned i = 0; i < 100; i++) {
		size_t n = i < sizeof(sizes) / sizeof(sizes[0]) ? sizes[i] : 1 + rnd() % 20000;
		uint8_t *p = xmalloc_rand(n);
		snprintf(cname, sizeof(cname), "garbage-%u", i);
		group_case(&g, cname,
			   run_one(cname, p, n, i % 2 ? API_PARSE : API_OPEN, NULL, XP_FAIL, NULL,
				   0));
		free(p);
	}
	group_end(&g);

	/* garbage behind a BTF magic, either byte order */
	g = (struct group){ .name = "garbage-after-btf-magic" };
	for (unsigned i = 0; i < 100; i++) {
		size_t n = 2 + rnd() % 5000;
		uint8_t *p = xmalloc_rand(n);
		p[0] = i % 2 ? 0x9f : 0xeb;
		p[1] = i % 2 ? 0xeb : 0x9f;
		snprintf(cname, sizeof(cname), "garbage-btf-magic-%u", i);
		group_case(&g, cname,
			   run_one(cname, p, n, i % 4 < 2 ? API_PARSE : API_OPEN, NULL, XP_FAIL,
				   NULL, 0));
		free(p);
	}
	group_end(&g);

	/* all-zero and all-ones buffers */
	g = (struct group){ .name = "garbage-uniform" };
	static const size_t usizes[] = { 1, 2, 4, 24, 0x250, 4096, 65536, 1 << 20 };
	for (unsigned i = 0; i < sizeof(usizes) / sizeof(usizes[0]); i++) {
		for (int fill = 0; fill < 2; fill++) {
			uint8_t *p = malloc(usizes[i]);
			memset(p, fill ? 0xff : 0, usizes[i]);
			for (int api = API_OPEN; api <= API_PARSE; api++) {
				snprintf(cname, sizeof(cname), "uniform-%02x-%zu", fill ? 0xff : 0,
					 usizes[i]);
				group_case(&g, cname,
					   run_one(cname, p, usizes[i], api, NULL, XP_FAIL, NULL,
						   0));
			}
			free(p);
		}
	}
	group_end(&g);
}

/* A minimal ELF64 LE relocatable with .shstrtab and one section (.BTF or .data), and ways to break it. */
enum elf_variant {
	E_OK,
	E_NOBTF,
	E_SHOFF_OUT,
	E_SHNUM_HUGE,
	E_SHSTRNDX_OUT,
	E_BTF_OFF_OUT,
	E_BTF_SIZE_OUT,
	E_BTF_NOBITS,
	E_BTF_NAME_OUT,
	E_COMPRESSED,
	E_CHDR_HUGE,
	E_CHDR_GARBAGE,
	E_SHENTSIZE_BAD,
	E_BTF_EMPTY,
	E_BTF_EMPTY_OFF_OUT,
	E_ZIMAGE, /* a powerpc zImage: the section is .kernel:vmlinux.strip */
};

static uint8_t *make_elf(const void *sec, size_t sec_len, enum elf_variant var, size_t *len)
{
	/* 1: .shstrtab, 11: .BTF, 16: .data, 22: .kernel:vmlinux.strip */
	static const char shstr[] = "\0.shstrtab\0.BTF\0.data\0.kernel:vmlinux.strip";
	uint8_t *payload = (uint8_t *)sec;
	size_t plen = sec_len;

	if (var == E_COMPRESSED || var == E_CHDR_HUGE || var == E_CHDR_GARBAGE) {
		uLongf zl = compressBound(sec_len);
		payload = malloc(sizeof(Elf64_Chdr) + zl);
		Elf64_Chdr ch = { .ch_type = ELFCOMPRESS_ZLIB,
				  .ch_size = var == E_CHDR_HUGE ? 1ull << 40 : sec_len,
				  .ch_addralign = 4 };
		memcpy(payload, &ch, sizeof(ch));
		compress2(payload + sizeof(ch), &zl, sec, sec_len, 9);
		if (var == E_CHDR_GARBAGE)
			for (uLongf i = 2; i < zl; i++)
				payload[sizeof(ch) + i] ^= 0x5a;
		plen = sizeof(ch) + zl;
	}
	size_t str_at = sizeof(Elf64_Ehdr), sec_at = (str_at + sizeof(shstr) + 7) & ~7ul,
	       sh_at = (sec_at + plen + 7) & ~7ul, total = sh_at + 3 * sizeof(Elf64_Shdr);
	uint8_t *b = calloc(1, total);
	Elf64_Ehdr eh = { .e_type = ET_REL,
			  .e_machine = EM_X86_64,
			  .e_version = EV_CURRENT,
			  .e_shoff = sh_at,
			  .e_ehsize = sizeof(Elf64_Ehdr),
			  .e_shentsize = sizeof(Elf64_Shdr),
			  .e_shnum = 3,
			  .e_shstrndx = 1 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	Elf64_Shdr sh[3] = { { 0 },
			     { .sh_name = 1,
			       .sh_type = SHT_STRTAB,
			       .sh_offset = str_at,
			       .sh_size = sizeof(shstr),
			       .sh_addralign = 1 },
			     { .sh_name = var == E_NOBTF  ? 16 :
					  var == E_ZIMAGE ? 22 :
							    11,
			       .sh_type = SHT_PROGBITS,
			       .sh_offset = sec_at,
			       .sh_size = plen,
			       .sh_addralign = 4 } };
	switch (var) {
	case E_SHOFF_OUT:
		eh.e_shoff = 0x7ffffff0;
		break;
	case E_SHNUM_HUGE:
		eh.e_shnum = 0xfff0;
		break;
	case E_SHSTRNDX_OUT:
		eh.e_shstrndx = 77;
		break;
	case E_SHENTSIZE_BAD:
		eh.e_shentsize = 13;
		break;
	case E_BTF_OFF_OUT:
		sh[2].sh_offset = 0x7fff0000;
		break;
	case E_BTF_SIZE_OUT:
		sh[2].sh_size = 0xffffffffffffull;
		break;
	case E_BTF_NOBITS:
		sh[2].sh_type = SHT_NOBITS;
		break;
	case E_BTF_NAME_OUT:
		sh[2].sh_name = 0xffffff;
		break;
	case E_BTF_EMPTY:
		sh[2].sh_size = 0;
		break;
	case E_BTF_EMPTY_OFF_OUT:
		sh[2].sh_size = 0, sh[2].sh_offset = 0xd40000000068ull;
		break;
	case E_COMPRESSED:
	case E_CHDR_HUGE:
	case E_CHDR_GARBAGE:
		sh[2].sh_flags = SHF_COMPRESSED;
		sh[2].sh_addralign = 8;
		break;
	default:
		break;
	}
	memcpy(b, &eh, sizeof(eh));
	memcpy(b + str_at, shstr, sizeof(shstr));
	memcpy(b + sec_at, payload, plen);
	memcpy(b + sh_at, sh, sizeof(sh));
	if (payload != sec)
		free(payload);
	*len = total;
	return b;
}

static void elf_rows(const uint8_t *btf, size_t btf_len)
{
	static const struct {
		const char *name;
		enum elf_variant var;
		int expect;
		const char *need;
	} er[] = {
		{ "elf-valid", E_OK, XP_OK, NULL },
		{ "elf-without-btf", E_NOBTF, -ENODATA, "no .BTF" },
		/*
		 * A section header table outside the file is a corrupt (e.g. truncated) ELF,
		 * but libelf then lists no sections and the reader reports "no .BTF section
		 * (built without CONFIG_DEBUG_INFO_BTF_MODULES?)": misleading, reported, not asserted.
		 */
		{ "elf-shoff-past-end", E_SHOFF_OUT, XP_FAIL, NULL },
		{ "elf-shnum-huge", E_SHNUM_HUGE, XP_FAIL, NULL },
		/* libelf reads ELF64 section headers at their fixed size: harmless */
		{ "elf-shentsize-bad", E_SHENTSIZE_BAD, XP_ANY, NULL },
		{ "elf-shstrndx-past-end", E_SHSTRNDX_OUT, XP_FAIL, NULL },
		{ "elf-btf-offset-past-end", E_BTF_OFF_OUT, -EINVAL, "ELF|.BTF" },
		{ "elf-btf-size-past-end", E_BTF_SIZE_OUT, -EINVAL, "ELF|.BTF" },
		{ "elf-btf-nobits", E_BTF_NOBITS, -EINVAL, ".BTF" },
		{ "elf-btf-name-past-shstrtab", E_BTF_NAME_OUT, XP_FAIL, NULL },
		{ "elf-btf-compressed", E_COMPRESSED, XP_OK, NULL },
		{ "elf-btf-compressed-size-huge", E_CHDR_HUGE, -EFBIG, ".BTF" },
		{ "elf-btf-compressed-corrupt", E_CHDR_GARBAGE, -EINVAL, ".BTF" },
	};
	for (size_t i = 0; i < sizeof(er) / sizeof(er[0]); i++) {
		size_t len;
		uint8_t *e = make_elf(btf, btf_len, er[i].var, &len);
		const char *r =
			run_one(er[i].name, e, len, API_OPEN, NULL, er[i].expect, er[i].need, 0);
		TU_CHECK(er[i].name, !r, "%s", r);
		free(e);
	}
	/* .BTF holding garbage, and an ELF cut short at every length */
	uint8_t junk[100];
	rng_state = 0xe1f;
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rnd();
	size_t len;
	uint8_t *e = make_elf(junk, sizeof(junk), E_OK, &len);
	const char *r = run_one("elf-btf-garbage", e, len, API_OPEN, NULL, -EINVAL, NULL, 0);
	TU_CHECK("elf-btf-garbage", !r, "%s", r);
	free(e);
	e = make_elf(btf, btf_len, E_OK, &len);
	struct group g = { .name = "elf-truncate-every-offset" };
	char cname[64];
	for (size_t n = 1; n < len; n++) {
		snprintf(cname, sizeof(cname), "elf-truncate-%zu", n);
		group_case(&g, cname, run_one(cname, e, n, API_OPEN, NULL, XP_FAIL, NULL, 0));
	}
	group_end(&g);
	flip_group("elf-flip", e, len, 0, len, 1000, 0x5eed0020, NULL);
	free(e);
}

/* An ELF whose .BTF section is empty: not BTF, and nothing to copy. */
static void elf_empty_rows(const uint8_t *btf, size_t btf_len)
{
	static const struct {
		const char *name;
		enum elf_variant var;
	} er[] = {
		{ "elf-btf-empty", E_BTF_EMPTY },
		{ "elf-btf-empty-offset-past-end", E_BTF_EMPTY_OFF_OUT },
	};
	for (size_t i = 0; i < sizeof(er) / sizeof(er[0]); i++) {
		size_t len;
		uint8_t *e = make_elf(btf, btf_len, er[i].var, &len);
		const char *r = run_one(er[i].name, e, len, API_OPEN, NULL, XP_FAIL,
					"empty|short|truncated|.BTF", 0);
		TU_CHECK(er[i].name, !r, "%s", r);
		free(e);
	}
}

/* Compress @n bytes at @in as @fmt; malloc'd. */
static uint8_t *compress_as(const char *fmt, const void *in, size_t n, size_t *out_len)
{
	size_t cap = n + n / 2 + 1024;
	uint8_t *out = malloc(cap);

	if (!strcmp(fmt, "gzip")) {
		z_stream z = { 0 };
		deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
		z.next_in = (Bytef *)in;
		z.avail_in = n;
		z.next_out = out;
		z.avail_out = cap;
		deflate(&z, Z_FINISH);
		*out_len = z.total_out;
		deflateEnd(&z);
	} else if (!strcmp(fmt, "xz")) {
		size_t pos = 0;
		lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, in, n, out, &pos, cap);
		*out_len = pos;
	} else if (!strcmp(fmt, "lzma")) {
		lzma_stream s = LZMA_STREAM_INIT;
		lzma_options_lzma o;
		lzma_lzma_preset(&o, 6);
		o.dict_size = 1 << 20;
		if (lzma_alone_encoder(&s, &o) != LZMA_OK)
			abort();
		s.next_in = in;
		s.avail_in = n;
		s.next_out = out;
		s.avail_out = cap;
		while (lzma_code(&s, LZMA_FINISH) == LZMA_OK)
			;
		*out_len = s.total_out;
		lzma_end(&s);
	} else if (!strcmp(fmt, "zstd")) {
		ZSTD_CCtx *c = ZSTD_createCCtx();
		ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
		*out_len = ZSTD_compress2(c, out, cap, in, n);
		ZSTD_freeCCtx(c);
	} else if (!strcmp(fmt, "bzip2")) {
		unsigned ol = cap;
		BZ2_bzBuffToBuffCompress((char *)out, &ol, (char *)in, n, 9, 0, 0);
		*out_len = ol;
	} else { /* lz4 legacy frame: magic, then [u32 LE size][block] */
		static const uint8_t m[4] = { 0x02, 0x21, 0x4c, 0x18 };
		memcpy(out, m, 4);
		int cl = LZ4_compress_default(in, (char *)out + 8, (int)n, (int)(cap - 8));
		uint32_t le = (uint32_t)cl; /* little-endian host */
		memcpy(out + 4, &le, 4);
		*out_len = 8 + cl;
	}
	return out;
}

static void compressed_rows(const uint8_t *btf, size_t btf_len)
{
	static const struct {
		const char *fmt;
		uint8_t magic[16];
		size_t mlen;
	} cf[] = {
		{ "gzip", { 0x1f, 0x8b, 0x08 }, 3 },
		{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6 },
		{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
		{ "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4 },
		{ "bzip2", { 'B', 'Z', 'h', '9' }, 4 },
		/* .lzma has no magic: its 13-byte header (1 MiB dictionary, size unknown) is what is recognised */
		{ "lzma",
		  { 0x5d, 0, 0, 0x10, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		  13 },
	};
	char cname[128];

	rng_state = 0xc0ffee;
	for (size_t i = 0; i < sizeof(cf) / sizeof(cf[0]); i++) {
		const char *fmt = cf[i].fmt;
		size_t clen;
		uint8_t *c = compress_as(fmt, btf, btf_len, &clen);
		const char *r;

		/* sanity: the intact stream opens */
		snprintf(cname, sizeof(cname), "%s-valid", fmt);
		r = run_one(cname, c, clen, API_OPEN, NULL, XP_OK, NULL, 0);
		TU_CHECK(cname, !r, "%s", r);

		/* the magic followed by garbage: names the format */
		for (size_t glen = 0; glen <= 1000; glen += 200) {
			uint8_t *gb = xmalloc_rand(cf[i].mlen + glen + 16);
			memcpy(gb, cf[i].magic, cf[i].mlen);
			snprintf(cname, sizeof(cname), "%s-magic-then-%zu-garbage-bytes", fmt,
				 glen + 16);
			r = run_one(cname, gb, cf[i].mlen + glen + 16, API_OPEN, NULL, -EINVAL, fmt,
				    0);
			TU_CHECK(cname, !r, "%s", r);
			free(gb);
		}

		/* cut short at every length past the magic: names the format */
		struct group g = { .name = NULL };
		char gname[64];
		snprintf(gname, sizeof(gname), "%s-truncate-every-offset", fmt);
		g.name = gname;
		for (size_t n = cf[i].mlen; n < clen; n++) {
			snprintf(cname, sizeof(cname), "%s-truncate-%zu", fmt, n);
			group_case(&g, cname,
				   run_one(cname, c, n, API_OPEN, NULL, XP_FAIL, fmt, 0));
		}
		group_end(&g);

		/* every byte past the magic replaced, one at a time: sound or rejected (naming the format) */
		g = (struct group){ .name = NULL };
		snprintf(gname, sizeof(gname), "%s-corrupt-every-byte", fmt);
		g.name = gname;
		uint8_t *w = malloc(clen);
		for (size_t pos = cf[i].mlen; pos < clen; pos++) {
			for (int v = 0; v < 2; v++) {
				memcpy(w, c, clen);
				w[pos] ^= v ? 0x01 : 0xff;
				snprintf(cname, sizeof(cname), "%s-corrupt-%zu-%s", fmt, pos,
					 v ? "bit" : "byte");
				/* lz4's legacy frame and .lzma carry no checksum: a change may decode to other bytes */
				bool checked = i < 3 || i == 4;
				group_case(&g, cname,
					   run_one(cname, w, clen, API_OPEN, NULL, XP_ANY,
						   checked ? fmt : NULL, pos % 3));
			}
		}
		group_end(&g);
		free(w);
		free(c);
	}

	/* the middle of a bigger .xz flipped (the requirement's "corrupt .xz") */
	{
		size_t n = 256 * 1024, clen;
		uint8_t *big = malloc(n);
		for (size_t i = 0; i < n; i++)
			big[i] = (uint8_t)(i * 7 + (i >> 9));
		memcpy(big, btf, btf_len < n ? btf_len : n);
		uint8_t *c = compress_as("xz", big, n, &clen);
		c[clen / 2] ^= 0x55;
		c[clen / 2 + 1] ^= 0xaa;
		const char *r =
			run_one("xz-corrupt-middle", c, clen, API_OPEN, NULL, -EINVAL, "xz", 0);
		TU_CHECK("xz-corrupt-middle", !r, "%s", r);
		free(c);
		free(big);
	}

	/* a decompression bomb beyond the context's limit: -EFBIG naming the format */
	btfc_ctx_set_max_decompressed(ctx, 1 << 20);
	for (size_t i = 0; i < sizeof(cf) / sizeof(cf[0]); i++) {
		size_t n = 4 << 20, clen;
		uint8_t *z = calloc(1, n);
		memcpy(z, btf, btf_len);
		uint8_t *c = compress_as(cf[i].fmt, z, n, &clen);
		snprintf(cname, sizeof(cname), "%s-bomb-over-limit", cf[i].fmt);
		const char *r = run_one(cname, c, clen, API_OPEN, NULL, -EFBIG, cf[i].fmt, 0);
		TU_CHECK(cname, !r, "%s", r);
		free(c);
		free(z);
	}
	btfc_ctx_set_max_decompressed(ctx, 1ull << 30);

	/* compressed content that is not BTF, and compression inside compression */
	{
		uint8_t junk[300];
		size_t clen, c2len;
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)rnd();
		uint8_t *c = compress_as("gzip", junk, sizeof(junk), &clen);
		const char *r =
			run_one("gzip-of-garbage", c, clen, API_OPEN, NULL, -EINVAL, NULL, 0);
		TU_CHECK("gzip-of-garbage", !r, "%s", r);
		free(c);
		c = compress_as("gzip", btf, btf_len, &clen);
		uint8_t *c2 = compress_as("xz", c, clen, &c2len);
		r = run_one("xz-of-gzip", c2, c2len, API_OPEN, NULL, XP_ANY, NULL, 0);
		TU_CHECK("xz-of-gzip", !r, "%s", r);
		free(c2);
		free(c);
	}
}

/* An x86 bzImage: setup header ("HdrS" at 0x202), payload at (setup_sects + 1) * 512 + payload_offset. */
static uint8_t *make_bzimage(const uint8_t *payload, size_t plen, uint16_t version, uint32_t poff,
			     uint32_t plen_field, size_t *len)
{
	size_t at = 5 * 512 + 0x100, total = at + plen + 4;
	uint8_t *b = calloc(1, total);

	b[0x1f1] = 4; /* setup_sects */
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = version & 0xff;
	b[0x207] = version >> 8;
	memcpy(b + 0x248, &poff, 4); /* little-endian host */
	memcpy(b + 0x24c, &plen_field, 4);
	memcpy(b + at, payload, plen);
	*len = total;
	return b;
}

static void bzimage_rows(const uint8_t *btf, size_t btf_len)
{
	size_t elen, noblen, clen, cnoblen, cjlen, len;
	uint8_t *elf = make_elf(btf, btf_len, E_OK, &elen),
		*nob = make_elf(btf, btf_len, E_NOBTF, &noblen);
	uint8_t *c = compress_as("gzip", elf, elen, &clen),
		*cnob = compress_as("gzip", nob, noblen, &cnoblen);
	uint8_t junk[64];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	uint8_t *cj = compress_as("gzip", junk, sizeof(junk), &cjlen);
	uint8_t *corrupt = malloc(clen);
	memcpy(corrupt, c, clen);
	for (size_t i = 12; i < clen - 8; i += 7)
		corrupt[i] ^= 0x33;

	const struct {
		const char *name;
		const uint8_t *payload;
		size_t plen;
		uint16_t version;
		uint32_t poff, plen_field;
		int expect;
		const char *need;
	} br[] = {
		{ "bzimage-valid", c, clen, 0x20f, 0x100, (uint32_t)clen, XP_OK, NULL },
		{ "bzimage-payload_offset-past-end", c, clen, 0x20f, 0xffffff00, (uint32_t)clen,
		  -EINVAL, "bzImage|payload" },
		{ "bzimage-payload_offset-ffffffff", c, clen, 0x20f, 0xffffffff, 1, -EINVAL,
		  "bzImage|payload" },
		{ "bzimage-payload_length-past-end", c, clen, 0x20f, 0x100, (uint32_t)clen + 5,
		  -EINVAL, "bzImage|payload" },
		{ "bzimage-payload_length-ffffffff", c, clen, 0x20f, 0x100, 0xffffffff, -EINVAL,
		  "bzImage|payload" },
		{ "bzimage-old-boot-protocol", c, clen, 0x206, 0x100, (uint32_t)clen, -EINVAL,
		  "bzImage|protocol" },
		{ "bzimage-payload-empty", c, clen, 0x20f, 0x100, 0, -EINVAL, "bzImage|payload" },
		{ "bzimage-payload-not-compressed", junk, sizeof(junk), 0x20f, 0x100, sizeof(junk),
		  -EINVAL, "bzImage|payload" },
		{ "bzimage-payload-corrupt-gzip", corrupt, clen, 0x20f, 0x100, (uint32_t)clen,
		  -EINVAL, "gzip" },
		{ "bzimage-payload-truncated-gzip", c, clen, 0x20f, 0x100, (uint32_t)clen / 2,
		  -EINVAL, "gzip" },
		{ "bzimage-payload-not-elf", cj, cjlen, 0x20f, 0x100, (uint32_t)cjlen, -EINVAL,
		  "ELF|bzImage" },
		{ "bzimage-vmlinux-without-btf", cnob, cnoblen, 0x20f, 0x100, (uint32_t)cnoblen,
		  -ENODATA, "no .BTF" },
	};
	for (size_t i = 0; i < sizeof(br) / sizeof(br[0]); i++) {
		uint8_t *b = make_bzimage(br[i].payload, br[i].plen, br[i].version, br[i].poff,
					  br[i].plen_field, &len);
		const char *r =
			run_one(br[i].name, b, len, API_OPEN, NULL, br[i].expect, br[i].need, 0);
		TU_CHECK(br[i].name, !r, "%s", r);
		free(b);
	}
	/* "HdrS" in a file too short for the payload fields */
	uint8_t *b = make_bzimage(c, clen, 0x20f, 0x100, (uint32_t)clen, &len);
	const char *r =
		run_one("bzimage-too-short-for-header", b, 0x24f, API_OPEN, NULL, XP_FAIL, NULL, 0);
	TU_CHECK("bzimage-too-short-for-header", !r, "%s", r);
	flip_group("bzimage-flip-header", b, len, 0x1f0, 0x260, 500, 0x5eed0030, NULL);
	free(b);
	free(corrupt);
	free(cj);
	free(c);
	free(cnob);
	free(elf);
	free(nob);
}

/* ------------------------------------------------------------------ */
/* Kernel images of other architectures                                */

/*
 * An arm64 (or riscv64) Image: the 64-byte header, @pre filler bytes that hold
 * a decoy (a small BTF blob, and a BTF magic with a header that does not fit),
 * the BTF, 777 filler bytes.
 */
static uint8_t *make_image(const uint8_t *btf, size_t btf_len, bool riscv, size_t *len)
{
	static const uint32_t small[] = { BTF_TYPE_INT_ENC(1, 1, 0, 32, 4), BTF_END_RAW };
	size_t slen, pre = 4096, n = 64 + pre + btf_len + 777;
	uint8_t *decoy = tu_btf_build(small, "\0int", 5, &slen);
	uint8_t *p = malloc(n);

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + (i >> 7));
	memset(p, 0, 64);
	memcpy(p, "MZ", 2);
	memcpy(p + 0x38, riscv ? "RSC\x05" : "ARM\x64", 4);
	memcpy(p + 64 + 100, decoy, slen);
	memcpy(p + 64 + 1000, "\x9f\xeb\x01\x00\x18\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\x7f",
	       16);
	memcpy(p + 64 + pre, btf, btf_len);
	free(decoy);
	*len = n;
	return p;
}

/* An EFI zboot image (zboot-header.S): header page, payload @pl/@plen, compression @type. */
static uint8_t *make_zboot(const uint8_t *pl, size_t plen, uint32_t size_field, const char *type,
			   size_t *len)
{
	size_t at = 0x1000, n = at + plen;
	uint8_t *p = calloc(1, n);
	uint32_t off = (uint32_t)at;

	memcpy(p, "MZ\0\0zimg", 8);
	memcpy(p + 8, &off, 4); /* little-endian host */
	memcpy(p + 12, &size_field, 4);
	memcpy(p + 0x18, type, strlen(type) + 1);
	memcpy(p + 0x38, "\xcd\x23\x82\x81\x40\x00\x00\x00PE\0\0", 12);
	memcpy(p + at, pl, plen);
	*len = n;
	return p;
}

/* An s390 image: IPL start, "S390EP" at 0x10008, a decoy zstd magic in the "decompressor", then @pl. */
static uint8_t *make_s390(const uint8_t *pl, size_t plen, size_t *len)
{
	size_t at = 0x11000, n = at + plen + 4;
	uint8_t *p = calloc(1, n);

	memcpy(p, "\x00\x08\x00\x00\x80\x00\x02\x00", 8);
	memcpy(p + 0x10008, "S390EP\x00\x01", 8);
	memcpy(p + 0x10400, "\x28\xb5\x2f\xfd\x00\x01\x02\x03", 8);
	memcpy(p + at, pl, plen);
	memcpy(p + at + plen, "\x00\x00\x10\x00", 4);
	*len = n;
	return p;
}

static void image_rows(const uint8_t *btf, size_t btf_len)
{
	static const char *const fmts[] = { "gzip", "xz", "lzma", "zstd", "lz4", "bzip2" };
	size_t ilen, len, zlen, jlen;
	uint8_t *img = make_image(btf, btf_len, false, &ilen), *b, *z;
	char cname[128], gname[96];
	const char *r;
	uint8_t junk[4096];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + (i >> 5));

	/* plain Image: the largest sound blob is found past the decoys, both architectures */
	r = run_one("image-arm64", img, ilen, API_OPEN, NULL, XP_OK, NULL, 0);
	if (!r) {
		struct btfc_btf *o = NULL;
		btfc_btf_open_mem(ctx, img, ilen, "image-arm64", NULL, &o);
		if (!o || btfc_btf_type_cnt(o) < 10 ||
		    btfc_btf_source(o)->container != BTFC_CONT_IMAGE)
			r = "the decoy was taken, or the container is not BTFC_CONT_IMAGE";
		btfc_btf_free(o);
	}
	TU_CHECK("image-arm64", !r, "%s", r);
	b = make_image(btf, btf_len, true, &len);
	r = run_one("image-riscv64", b, len, API_OPEN, NULL, XP_OK, NULL, 0);
	TU_CHECK("image-riscv64", !r, "%s", r);
	free(b);
	/* an Image without BTF (only the unsound decoy): -ENODATA naming the format */
	b = make_image(junk, 0, false, &len);
	memset(b + 64 + 100, 0, 64); /* no small blob either */
	r = run_one("image-without-btf", b, len, API_OPEN, NULL, -ENODATA, "arm64 Image", 0);
	TU_CHECK("image-without-btf", !r, "%s", r);
	free(b);
	/* the BTF's string section pushed past the end: no sound blob but the decoy */
	b = malloc(ilen);
	memcpy(b, img, ilen);
	uint32_t big = 0x7fffffff;
	memcpy(b + 64 + 4096 + 20, &big, 4);
	r = run_one("image-btf-str_len-past-end", b, ilen, API_OPEN, NULL, XP_ANY, NULL, 0);
	TU_CHECK("image-btf-str_len-past-end", !r, "%s", r);
	free(b);

	/* cut anywhere before the BTF's end: no sound blob (the small decoy blanked), an error naming the format */
	b = malloc(ilen);
	memcpy(b, img, ilen);
	memset(b + 64 + 100, 0, 64);
	struct group g = { .name = "image-truncate-every-offset" };
	for (size_t n = 1; n < 64 + 4096 + btf_len; n += n < 128 ? 1 : 7) {
		snprintf(cname, sizeof(cname), "image-truncate-%zu", n);
		group_case(&g, cname,
			   run_one(cname, b, n, API_OPEN, NULL, n < 64 ? XP_FAIL : -ENODATA,
				   n < 64 ? NULL : "arm64 Image", 0));
	}
	group_end(&g);
	free(b);
	flip_group("image-flip", img, ilen, 0, ilen, 500, 0x5eed0040, NULL);

	/* Image.gz */
	z = compress_as("gzip", img, ilen, &zlen);
	r = run_one("image-gz", z, zlen, API_OPEN, NULL, XP_OK, NULL, 0);
	TU_CHECK("image-gz", !r, "%s", r);
	g = (struct group){ .name = "image-gz-truncate-every-offset" };
	for (size_t n = 3; n < zlen; n += 5) {
		snprintf(cname, sizeof(cname), "image-gz-truncate-%zu", n);
		group_case(&g, cname, run_one(cname, z, n, API_OPEN, NULL, XP_FAIL, "gzip", 0));
	}
	group_end(&g);
	free(z);

	/* EFI zboot, every compression; the size field excludes the appended size word (all but gzip) */
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		z = compress_as(fmts[i], img, ilen, &zlen);
		uint8_t *zs = malloc(zlen + 4);
		memcpy(zs, z, zlen);
		memcpy(zs + zlen, &(uint32_t){ (uint32_t)ilen }, 4);
		bool sz = strcmp(fmts[i], "gzip");
		b = make_zboot(zs, zlen + (sz ? 4 : 0), (uint32_t)zlen, fmts[i], &len);
		snprintf(cname, sizeof(cname), "zboot-%s", fmts[i]);
		r = run_one(cname, b, len, API_OPEN, NULL, XP_OK, NULL, 0);
		TU_CHECK(cname, !r, "%s", r);
		snprintf(gname, sizeof(gname), "zboot-%s-truncate", fmts[i]);
		g = (struct group){ .name = gname };
		for (size_t n = 0x1000 + 8; n < len - (sz ? 4 : 0); n += 1 + (len - 0x1000) / 40) {
			snprintf(cname, sizeof(cname), "zboot-%s-truncate-%zu", fmts[i], n);
			group_case(&g, cname,
				   run_one(cname, b, n, API_OPEN, NULL, -EINVAL, "zboot|exceeds",
					   0));
		}
		group_end(&g);
		/* the payload's middle corrupted: sound or rejected, naming the format where it is checksummed */
		snprintf(gname, sizeof(gname), "zboot-%s-corrupt", fmts[i]);
		g = (struct group){ .name = gname };
		for (unsigned k = 0; k < 40; k++) {
			uint8_t *w = malloc(len);
			memcpy(w, b, len);
			w[0x1000 + 16 + (k * 7919) % (zlen - 24)] ^= (uint8_t)(1 + k);
			bool checked = i < 2 || i == 3 || i == 5;
			snprintf(cname, sizeof(cname), "zboot-%s-corrupt-%u", fmts[i], k);
			group_case(&g, cname,
				   run_one(cname, w, len, API_OPEN, NULL, XP_ANY,
					   checked ? fmts[i] : NULL, k % 3));
			free(w);
		}
		group_end(&g);
		free(b);
		free(zs);
		free(z);
	}
	z = compress_as("gzip", img, ilen, &zlen);
	uint8_t *zj = compress_as("gzip", junk, sizeof(junk), &jlen);
	const struct {
		const char *name;
		const uint8_t *pl;
		size_t plen;
		uint32_t size_field;
		const char *type;
		int expect;
		const char *need;
	} zr[] = {
		{ "zboot-type-says-lzo-of-gzip", z, zlen, (uint32_t)zlen, "lzo", -EINVAL, "lzo" },
		{ "zboot-unknown-type", z, zlen, (uint32_t)zlen, "zip", -EOPNOTSUPP, "zip" },
		{ "zboot-size-past-end", z, zlen, (uint32_t)zlen + 1, "gzip", -EINVAL, "zboot" },
		{ "zboot-size-ffffffff", z, zlen, 0xffffffff, "gzip", -EINVAL, "zboot" },
		{ "zboot-size-0", z, zlen, 0, "gzip", -EINVAL, "zboot" },
		{ "zboot-type-says-zstd-of-gzip", z, zlen, (uint32_t)zlen, "zstd", -EINVAL,
		  "zstd" },
		{ "zboot-payload-not-an-image", zj, jlen, (uint32_t)jlen, "gzip", -ENODATA,
		  "zboot" },
	};
	for (size_t i = 0; i < sizeof(zr) / sizeof(zr[0]); i++) {
		b = make_zboot(zr[i].pl, zr[i].plen, zr[i].size_field, zr[i].type, &len);
		r = run_one(zr[i].name, b, len, API_OPEN, NULL, zr[i].expect, zr[i].need, 0);
		TU_CHECK(zr[i].name, !r, "%s", r);
		if (i == 0) {
			r = run_one("zboot-header-cut-short", b, 0x3f, API_OPEN, NULL, -EINVAL,
				    "zboot", 0);
			TU_CHECK("zboot-header-cut-short", !r, "%s", r);
		}
		free(b);
	}
	b = make_zboot(z, zlen, (uint32_t)zlen, "gzip", &len);
	flip_group("zboot-flip-header", b, len, 0, 0x40, 500, 0x5eed0041, NULL);
	free(b);
	free(zj);
	free(z);

	/* s390: the compressed vmlinux.bin (no header to find it by) after a decoy magic */
	z = compress_as("zstd", img + 64, ilen - 64, &zlen);
	b = make_s390(z, zlen, &len);
	r = run_one("s390-zstd", b, len, API_OPEN, NULL, XP_OK, NULL, 0);
	TU_CHECK("s390-zstd", !r, "%s", r);
	g = (struct group){ .name = "s390-truncate" };
	for (size_t n = 0x10010; n < len - 4; n += 1 + (len - 0x10010) / 60) {
		snprintf(cname, sizeof(cname), "s390-truncate-%zu", n);
		group_case(&g, cname, run_one(cname, b, n, API_OPEN, NULL, -EINVAL, "s390", 0));
	}
	group_end(&g);
	flip_group("s390-flip-payload", b, len, 0x11000, len, 300, 0x5eed0042, NULL);
	free(b);
	free(z);
	z = compress_as("xz", junk, sizeof(junk), &zlen);
	b = make_s390(z, zlen, &len);
	r = run_one("s390-payload-without-btf", b, len, API_OPEN, NULL, -EINVAL, "s390", 0);
	TU_CHECK("s390-payload-without-btf", !r, "%s", r);
	free(b);
	free(z);
	b = make_s390(junk, sizeof(junk), &len);
	r = run_one("s390-no-payload", b, len, API_OPEN, NULL, -EINVAL, "s390", 0);
	TU_CHECK("s390-no-payload", !r, "%s", r);
	free(b);

	/* powerpc zImage: a gzip'd vmlinux ELF in .kernel:vmlinux.strip */
	size_t elen;
	uint8_t *elf = make_elf(btf, btf_len, E_OK, &elen);
	const struct {
		const char *name;
		const uint8_t *sec;
		size_t slen;
		bool gz;
		int expect;
		const char *need;
	} zi[] = {
		{ "zimage-gzip", elf, elen, true, XP_OK, NULL },
		{ "zimage-uncompressed", elf, elen, false, XP_OK, NULL },
		{ "zimage-gzip-of-junk", junk, sizeof(junk), true, -EINVAL, "zImage" },
		{ "zimage-junk", junk, sizeof(junk), false, -EINVAL, "zImage" },
	};
	for (size_t i = 0; i < sizeof(zi) / sizeof(zi[0]); i++) {
		size_t sl = zi[i].slen;
		uint8_t *sec = zi[i].gz ? compress_as("gzip", zi[i].sec, zi[i].slen, &sl) : NULL;
		b = make_elf(sec ? sec : zi[i].sec, sl, E_ZIMAGE, &len);
		r = run_one(zi[i].name, b, len, API_OPEN, NULL, zi[i].expect, zi[i].need, 0);
		TU_CHECK(zi[i].name, !r, "%s", r);
		if (i == 0) {
			g = (struct group){ .name = "zimage-truncate-every-offset" };
			for (size_t n = 1; n < len; n += 3) {
				snprintf(cname, sizeof(cname), "zimage-truncate-%zu", n);
				group_case(&g, cname,
					   run_one(cname, b, n, API_OPEN, NULL, XP_FAIL, NULL, 0));
			}
			group_end(&g);
			flip_group("zimage-flip", b, len, 0, len, 500, 0x5eed0043, NULL);
		}
		free(b);
		free(sec);
	}
	free(elf);
	free(img);
}

/* btfc_btf_open() on files that are not BTF sources. */
static void file_rows(void)
{
	char dir[] = "/tmp/btfc-badinput-XXXXXX", path[256];
	struct btfc_btf *b = NULL;
	int err;
	const char *r;

	if (!mkdtemp(dir)) {
		tu_skip("file-rows", "mkdtemp failed");
		return;
	}
#define FILE_CASE(cname, p, expect, need)                                                    \
	do {                                                                                 \
		b = NULL;                                                                    \
		cur_case = cname;                                                            \
		err = btfc_btf_open(ctx, p, NULL, &b);                                       \
		if (!err)                                                                    \
			r = "accepted";                                                      \
		else if (b)                                                                  \
			r = "failed but stored an object";                                   \
		else if ((expect) && err != (expect))                                        \
			r = reason("returned %d (%s), expected %d: %s", err, strerror(-err), \
				   (expect), btfc_ctx_last_error(ctx));                      \
		else                                                                         \
			r = check_msg(p, need);                                              \
		btfc_btf_free(b);                                                            \
		TU_CHECK(cname, !r, "%s", r);                                                \
	} while (0)

	snprintf(path, sizeof(path), "%s/does-not-exist.ko", dir);
	FILE_CASE("file-nonexistent", path, -ENOENT, NULL);
	FILE_CASE("file-directory", dir, -EISDIR, "directory");
	snprintf(path, sizeof(path), "%s/empty.ko", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	FILE_CASE("file-empty", path, -EINVAL, "empty");
	unlink(path);
	/* devices and FIFOs are refused at once: /dev/zero was read to the 1 GiB limit, a FIFO hung */
	FILE_CASE("file-dev-null", "/dev/null", -EINVAL, "not a regular file");
	FILE_CASE("file-dev-zero", "/dev/zero", -EINVAL, "not a regular file");
	snprintf(path, sizeof(path), "%s/fifo.ko", dir);
	if (mkfifo(path, 0600)) {
		tu_skip("file-fifo", "mkfifo failed");
	} else {
		FILE_CASE("file-fifo", path, -EINVAL, "FIFO");
		unlink(path);
	}
	/* this very program: an ELF without .BTF (gcc and clang emit none) */
	FILE_CASE("file-elf-without-btf", self_exe, -ENODATA, "no .BTF");
	snprintf(path, sizeof(path), "%s/garbage.ko.xz", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	static const uint8_t gx[] = { 0xfd, '7',  'z',  'X',  'Z',  0,    0,    4,   0xe6, 0xd6,
				      0xb4, 0x46, 2,    0,    0x21, 1,    0x16, 0,   0,    0,
				      0x74, 0x2f, 0xe5, 0xa3, 0xff, 0xff, 0xff, 0xff };
	if (write(fd, gx, sizeof(gx)) != (ssize_t)sizeof(gx))
		tu_fail("file-corrupt-xz", "cannot write %s", path);
	close(fd);
	FILE_CASE("file-corrupt-xz", path, -EINVAL, "xz");
	unlink(path);
	rmdir(dir);
#undef FILE_CASE
}

/* Lengths 0..23 of a valid BTF, through both entry points. */
static void short_group(void)
{
	static const uint32_t t[] = { T_OK, BTF_END_RAW };
	size_t len;
	uint8_t *blob = tu_btf_build(t, "\0int", 5, &len);
	struct group g = { .name = "short-lengths-0-23" };
	char cname[64];

	for (size_t n = 0; n < 24; n++) {
		for (int api = API_OPEN; api <= API_PARSE; api++) {
			snprintf(cname, sizeof(cname), "short-%zu-%s", n,
				 api == API_OPEN ? "open" : "parse");
			/* one byte of a magic is not yet recognisable as BTF */
			const char *need = n == 1 && api == API_OPEN ? NULL :
								       "empty|short|truncated";
			group_case(&g, cname, run_one(cname, blob, n, api, NULL, -EINVAL, need, 0));
		}
	}
	group_end(&g);
	free(blob);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	static const uint32_t allk[] = { ALLKINDS_TYPES, BTF_END_RAW };
	size_t ak_len, base_len;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	verbose = getenv("BTFC_TEST_VERBOSE") != NULL;
	self_exe = argc > 0 ? argv[0] : "/proc/self/exe";
	signal(SIGALRM, on_alarm);
	alarm(600);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ctx = btfc_ctx_new();
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!ctx || devnull < 0) {
		tu_fail("setup", "no context or no /dev/null");
		return tu_exit();
	}
	base_blob = tu_btf_build(base_types, BASE_STRS, sizeof(BASE_STRS), &base_len);
	if (btfc_btf_parse(ctx, base_blob, base_len, "small-base", NULL, &small_base)) {
		tu_fail("setup", "the small base does not parse: %s", btfc_ctx_last_error(ctx));
		return tu_exit();
	}
	uint8_t *ak = tu_btf_build(allk, ALLKINDS_STRS, sizeof(ALLKINDS_STRS), &ak_len);

	run_rows();
	short_group();
	small_groups();
	garbage_groups();
	elf_rows(ak, ak_len);
	compressed_rows(ak, ak_len);
	bzimage_rows(ak, ak_len);
	image_rows(ak, ak_len);
	file_rows();
	real_groups();
	/* last: today these reach memcpy(copy, NULL, 0) in io.c, which UBSan reports (and stops at) */
	elf_empty_rows(ak, ak_len);

	free(ak);
	btfc_btf_free(small_base);
	free(base_blob);
	btfc_ctx_free(ctx);
	close(devnull);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "test_badinput: %d passed, %d failed, %d skipped in %.1f s\n", tu_passed,
		tu_failed, tu_skipped,
		(double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return tu_exit();
}
