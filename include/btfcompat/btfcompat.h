/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libbtfcompat — read, check and repair Linux kernel (module) BTF.
 *
 * Conventions (man libbtfcompat(3) shows a whole program):
 *  - every public symbol starts with btfc_; objects are opaque and named
 *    btfc_<object>_<verb>(); the library's internal functions start with
 *    btfci_ and are never exported (nor is any btfc__ name: libbpf's public
 *    double underscore means nothing here);
 *  - the context comes first, then the object the call acts on:
 *    btfc_store_add(ctx, store, ...), btfc_relocator_btf(ctx, r, ...);
 *    calls that take no context (accessors, releases) start with the object;
 *  - a verb on a module comes in two forms: btfc_module_<verb>(ctx, path,
 *    ...) opens the file, acts and closes it; btfc_module_<verb>_opened(ctx,
 *    m, ...) acts on a module opened with btfc_module_open() or
 *    btfc_module_open_rw() (one read and decompression, several verbs);
 *    a module's accessors, which have no path form, take @m unsuffixed
 *    (btfc_module_section(), btfc_module_btf(), btfc_module_identify());
 *  - a call renamed or reordered to follow these rules keeps its old binary
 *    interface under its old version node for one release (old programs run
 *    unchanged); old names that still mean the same thing stay declared,
 *    deprecated, for one release (btfc_check_module(), btfc_relocator_module());
 *  - functions returning int return 0 (or a non-negative count/id) on success
 *    and a negative errno on failure; functions returning a pointer return
 *    NULL on failure and set nothing global;
 *  - there is no global state: all configuration (logging, limits) lives in a
 *    struct btfc_ctx that the caller creates and passes in;
 *  - every failure is also described in words: the context keeps the last
 *    error message ("FILE: what is wrong") and hands it to the log callback;
 *  - option and result structs begin with `size_t sz`, the size of the struct
 *    the caller was compiled with (libbpf's OPTS idiom), so that both sides
 *    can grow: declare them with BTFC_OPTS() (C only: a GNU C statement
 *    expression; in C++ value-initialise the struct, `struct btfc_check_opts
 *    o{};`, and set `o.sz = sizeof(o);`). Options: NULL means the
 *    defaults; a field beyond sz gets its default; sz 0, or bytes past the
 *    struct this library knows that are not zero (the caller asks for
 *    something it does not know), fail with -EINVAL. Results: the caller
 *    sets sz; the library writes only the bytes sz covers;
 *  - strings in results (messages, evidence) have no length limit and belong
 *    to the result: free them with its btfc_<result>_release().
 */
#ifndef BTFCOMPAT_H
#define BTFCOMPAT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BTFC_VERSION_MAJOR 0
#define BTFC_VERSION_MINOR 5
#define BTFC_VERSION_PATCH 0

/*
 * Declare option or result struct @NAME of type struct @TYPE, all bytes
 * zero (padding too), sz set, fields from the designated initializers
 * that follow: BTFC_OPTS(btfc_check_opts, o, .mismatch_allowed = -1);
 */
#define BTFC_OPTS(TYPE, NAME, ...)                                       \
	struct TYPE NAME = ({                                            \
		memset(&NAME, 0, sizeof(struct TYPE));                   \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ }; \
	})

/* BTF kinds, numbered as in the kernel's uapi linux/btf.h. */
enum btfc_kind {
	BTFC_KIND_UNKN = 0,
	BTFC_KIND_INT = 1,
	BTFC_KIND_PTR = 2,
	BTFC_KIND_ARRAY = 3,
	BTFC_KIND_STRUCT = 4,
	BTFC_KIND_UNION = 5,
	BTFC_KIND_ENUM = 6,
	BTFC_KIND_FWD = 7,
	BTFC_KIND_TYPEDEF = 8,
	BTFC_KIND_VOLATILE = 9,
	BTFC_KIND_CONST = 10,
	BTFC_KIND_RESTRICT = 11,
	BTFC_KIND_FUNC = 12,
	BTFC_KIND_FUNC_PROTO = 13,
	BTFC_KIND_VAR = 14,
	BTFC_KIND_DATASEC = 15,
	BTFC_KIND_FLOAT = 16,
	BTFC_KIND_DECL_TAG = 17,
	BTFC_KIND_TYPE_TAG = 18,
	BTFC_KIND_ENUM64 = 19,
	BTFC_KIND_MAX = 19,
};

/*
 * One BTF type record exactly as laid out in the .BTF type section
 * (struct btf_type in uapi linux/btf.h), always in host byte order.
 * Kind-specific data follows the record; use the accessors below.
 */
struct btfc_type {
	uint32_t name_off;
	uint32_t info; /* vlen: bits 0-15, kind: bits 24-28, kind_flag: bit 31 */
	union {
		uint32_t size;
		uint32_t type;
	};
};

/* Trailing records, identical to the uapi structs of the same name. */
struct btfc_array {
	uint32_t type, index_type, nelems;
};
struct btfc_member {
	uint32_t name_off, type, offset;
};
struct btfc_enum {
	uint32_t name_off;
	int32_t val;
};
struct btfc_enum64 {
	uint32_t name_off, val_lo32, val_hi32;
};
struct btfc_param {
	uint32_t name_off, type;
};
struct btfc_var {
	uint32_t linkage;
};
struct btfc_var_secinfo {
	uint32_t type, offset, size;
};
struct btfc_decl_tag {
	int32_t component_idx;
};

/* Field accessors for a struct btfc_type. */
static inline unsigned btfc_type_kind(const struct btfc_type *t) { return (t->info >> 24) & 0x1f; }
static inline unsigned btfc_type_vlen(const struct btfc_type *t) { return t->info & 0xffff; }
static inline int btfc_type_kflag(const struct btfc_type *t) { return t->info >> 31; }
/* Pointer to the kind-specific data that follows the record. */
static inline const void *btfc_type_data(const struct btfc_type *t) { return t + 1; }

/* Name of a kind as bpftool prints it ("STRUCT"), "UNKNOWN" for unknown kinds. */
const char *btfc_kind_name(unsigned kind);

/* ------------------------------------------------------------------ */
/* Context: logging and last error.                                    */

struct btfc_ctx;

enum btfc_log_level {
	BTFC_LOG_ERROR = 0,
	BTFC_LOG_WARN = 1,
	BTFC_LOG_INFO = 2,
	BTFC_LOG_DEBUG = 3
};

/* Log callback: receives one complete message without trailing newline. */
typedef void (*btfc_log_fn)(void *user, enum btfc_log_level level, const char *msg);

/* Create a context. Logging is off until btfc_ctx_set_log(). NULL on ENOMEM. */
struct btfc_ctx *btfc_ctx_new(void);
/* Free a context. NULL is allowed. Objects created with it must be freed first. */
void btfc_ctx_free(struct btfc_ctx *ctx);
/*
 * A context for a worker thread: @parent's limits and signer, and its memory
 * budget for modules, shared by all the workers of one run: a module image
 * (a .ko read, or a .ko.xz/.zst/.gz decompressed) may grow to
 * BTFC_MODULE_SMALL bytes in every context at once, but beyond that only in
 * one context at a time (the others wait until that module is freed). A run
 * of N workers so holds at most N * 8 MiB plus one module limit of module
 * images, whatever the files claim. @parent must outlive it; one thread per
 * context. NULL on ENOMEM.
 */
struct btfc_ctx *btfc_ctx_new_worker(const struct btfc_ctx *parent);
#define BTFC_MODULE_SMALL (8u << 20)
/* Route messages up to @max_level to @fn (NULL disables logging). */
void btfc_ctx_set_log(struct btfc_ctx *ctx, btfc_log_fn fn, void *user,
		      enum btfc_log_level max_level);
/*
 * The message of the last failure of a call made with @ctx, in the form
 * "SOURCE: what is wrong"; "" if none. Valid until the next call with @ctx.
 */
const char *btfc_ctx_last_error(const struct btfc_ctx *ctx);
/*
 * The same message without its "SOURCE: " prefix (for a caller that names the
 * source itself); "" if none. Valid until the next call with @ctx.
 */
const char *btfc_ctx_last_message(const struct btfc_ctx *ctx);
/*
 * Upper bound for decompressed payloads (vmlinuz, .ko.xz, SHF_COMPRESSED),
 * default 1 GiB: a decompression bomb fails with -EFBIG instead of eating memory.
 */
void btfc_ctx_set_max_decompressed(struct btfc_ctx *ctx, uint64_t bytes);
/*
 * Upper bound for one kernel module's image (a .ko, or what a .ko.xz/.zst/.gz
 * decompresses to), default 256 MiB (the largest modules are tens of MB).
 * Decompression also stops, with -EFBIG, as soon as the output is longer
 * than the ELF image its header announces plus a module signature.
 */
void btfc_ctx_set_max_module(struct btfc_ctx *ctx, uint64_t bytes);

/* Why the last call made with a context refused to do its job, as data (not words to parse). */
enum btfc_reason {
	BTFC_REASON_NONE = 0, /* no refusal (success, or a failure told by the errno alone) */
	BTFC_REASON_NOT_FIT, /* the module's BTF does not fit the base (check: mismatch or invalid) */
	BTFC_REASON_LAYOUT, /* relocate: base types the module uses changed layout */
	BTFC_REASON_UNMAPPED, /* relocate: a type the module names has no counterpart in the new base */
	BTFC_REASON_SIGNED, /* the module is signed and BTFC_REWRITE_UNSIGN was not given */
	BTFC_REASON_READ_ONLY, /* the file is read-only and BTFC_REWRITE_READ_ONLY was not given */
	BTFC_REASON_CHANGED, /* the file changed while it was read or rewritten */
	BTFC_REASON_NOT_REGULAR, /* a source or destination that is not a regular file */
	BTFC_REASON_CORRUPT, /* malformed input (ELF, compression, BTF) */
	BTFC_REASON_LOCKED, /* a lock another process holds was not released in time (BTFCOMPAT_LOCK_TIMEOUT) */
	BTFC_REASON_UNSAFE, /* a file's owner or permissions make using it unsafe (a link, a key, a lock) */
};
/* The reason of the last failure of a call made with @ctx; BTFC_REASON_NONE if none. */
enum btfc_reason btfc_ctx_last_reason(const struct btfc_ctx *ctx);

/* ------------------------------------------------------------------ */
/* Sources: where BTF bytes come from.                                 */

enum btfc_container {
	BTFC_CONT_RAW = 0, /* a raw BTF blob (file or /sys/kernel/btf/...) */
	BTFC_CONT_ELF, /* .BTF section of an ELF file (vmlinux, .ko) */
	BTFC_CONT_VMLINUZ, /* .BTF of the vmlinux inside a bzImage */
	BTFC_CONT_IMAGE, /* the vmlinux BTF inside a kernel Image (arm64, riscv64: raw BTF among
	                        the image's bytes; also Image.gz, then compression says so) */
	BTFC_CONT_ZBOOT, /* the vmlinux BTF inside the compressed Image of an EFI zboot image */
	BTFC_CONT_S390, /* the vmlinux BTF inside the compressed image of an s390 kernel */
	BTFC_CONT_ZIMAGE, /* .BTF of the vmlinux inside a powerpc zImage (.kernel:vmlinux.strip) */
};

enum btfc_compression {
	BTFC_COMP_NONE = 0,
	BTFC_COMP_GZIP,
	BTFC_COMP_XZ,
	BTFC_COMP_LZMA,
	BTFC_COMP_ZSTD,
	BTFC_COMP_LZ4, /* LZ4 legacy frame, as the kernel's bzImage uses */
	BTFC_COMP_BZIP2,
	BTFC_COMP_LZO, /* lzop's format, as the kernel's "lzo" images (lib/decompress_unlzo.c) */
};

/* "none", "gzip", "xz", "lzma", "zstd", "lz4", "bzip2", "lzo". */
const char *btfc_compression_name(enum btfc_compression c);

/* What the reader found when it opened a source (for summaries). */
struct btfc_source_info {
	size_t sz; /* sizeof, set by the caller (btfc_read_raw()) */
	enum btfc_container container;
	enum btfc_compression compression; /* of the file or of the kernel image's payload */
	int elf_section_compressed; /* .BTF had SHF_COMPRESSED */
	int swapped; /* BTF was in the foreign byte order */
	int big_endian; /* byte order of the BTF as stored */
	uint64_t file_size; /* bytes read from disk */
	uint64_t btf_size; /* bytes of the BTF blob */
	unsigned elf_type; /* e_type of the ELF holding .BTF: 1 ET_REL (.ko), 2 ET_EXEC */
	int raw_fallback; /* internal: unrecognised bytes are taken as raw BTF */
};

/* ------------------------------------------------------------------ */
/* BTF model.                                                          */

struct btfc_btf;

/*
 * Open BTF from any source: a raw BTF file, /sys/kernel/btf/<name>, an ELF file
 * (vmlinux or a .ko, .BTF section, SHF_COMPRESSED handled), a compressed module
 * (.ko.xz, .ko.zst, .ko.gz; detected by content, not name) or a kernel image:
 * an x86 bzImage (payload found and decompressed, .BTF taken from the inner
 * vmlinux), an arm64 or riscv64 Image (plain or gzip'd Image.gz; the vmlinux
 * BTF found among its bytes), an EFI zboot image (payload gzip, zstd, xz,
 * lzma, lz4 or bzip2), an s390 image (decompressor plus a compressed
 * vmlinux), a powerpc zImage (ELF with a gzip'd vmlinux) or a vmlinux ELF.
 * Either byte order.
 *
 * @base: NULL for standalone BTF, or the base a split BTF (module) continues.
 *        The base must outlive the returned object.
 * On success stores a new object in *@out and returns 0. On failure returns a
 * negative errno (-ENOENT, -EINVAL for malformed data, -ENODATA when the
 * source holds no BTF, -EFBIG, -ENOMEM, ...) with btfc_ctx_last_error() naming
 * @path and the problem.
 */
int btfc_btf_open(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base,
		  struct btfc_btf **out);

/*
 * Like btfc_btf_open() but for the bytes of a whole source already in memory
 * (any format btfc_btf_open() takes). The bytes are not referenced after the
 * call returns. @name is used in messages.
 */
int btfc_btf_open_mem(struct btfc_ctx *ctx, const void *data, size_t len, const char *name,
		      const struct btfc_btf *base, struct btfc_btf **out);

/*
 * The raw BTF bytes of any source btfc_btf_open() takes, exactly as stored
 * (not parsed, not byte-swapped): what the kernel would be handed. For
 * validating hostile BTF, which the parser may refuse. Bytes that are not
 * recognised as ELF, a compressed file or a bzImage are returned as they are
 * (a raw BTF blob with a broken header is still a blob the kernel can judge). *@data is malloc'd
 * (caller frees); *@info (may be NULL; its sz set) tells where the bytes came from.
 */
int btfc_read_raw(struct btfc_ctx *ctx, const char *path, void **data, size_t *len,
		  struct btfc_source_info *info);

/*
 * Parse a raw BTF blob from memory. The bytes are copied only if they are in
 * the foreign byte order; otherwise @data must stay valid and unchanged for
 * the object's lifetime (zero copy). @name is used in messages.
 */
int btfc_btf_parse(struct btfc_ctx *ctx, const void *data, size_t len, const char *name,
		   const struct btfc_btf *base, struct btfc_btf **out);

/* Free a BTF object. NULL is allowed. */
void btfc_btf_free(struct btfc_btf *btf);

/* The base passed at open/parse time, or NULL. */
const struct btfc_btf *btfc_btf_base(const struct btfc_btf *btf);
/* Source name given at open/parse time. */
const char *btfc_btf_name(const struct btfc_btf *btf);
/* What the reader found about the source (its sz is sizeof as this library knows it). */
const struct btfc_source_info *btfc_btf_source(const struct btfc_btf *btf);

/* Number of type IDs including void (ID 0) and the base's: last ID + 1 (like libbpf). */
uint32_t btfc_btf_type_cnt(const struct btfc_btf *btf);
/* First ID owned by this object: 1, or the base's type_cnt for split BTF. */
uint32_t btfc_btf_start_id(const struct btfc_btf *btf);
/* First string offset owned by this object: 0, or the base's string length. */
uint32_t btfc_btf_start_str_off(const struct btfc_btf *btf);

/*
 * The type with @id (looked up in the base for base IDs), or NULL when @id is
 * out of range. ID 0 (void) has no record: NULL. O(1).
 */
const struct btfc_type *btfc_btf_type_by_id(const struct btfc_btf *btf, uint32_t id);

/*
 * The NUL-terminated string at @off of the (split) string section: offsets
 * below btfc_btf_start_str_off() resolve in the base. NULL if out of range.
 */
const char *btfc_btf_str(const struct btfc_btf *btf, uint32_t off);

/*
 * ID of the first type named @name of kind @kind (0 = any kind), searching the
 * base first. Returns the ID or -ENOENT. The first call builds an index (O(n)).
 */
int64_t btfc_btf_find(const struct btfc_btf *btf, const char *name, unsigned kind);

/* Raw BTF header fields, host byte order. */
struct btfc_header {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint32_t layout_off, layout_len; /* 7.x kind layout section; 0 when hdr_len < 32 */
};
/* The header of this object's own blob. */
const struct btfc_header *btfc_btf_header(const struct btfc_btf *btf);
/* This object's own blob (host byte order), and its type and string sections. */
const void *btfc_btf_raw(const struct btfc_btf *btf, size_t *len);
const void *btfc_btf_types_raw(const struct btfc_btf *btf, size_t *len);
const char *btfc_btf_strs_raw(const struct btfc_btf *btf, size_t *len);

/*
 * A standalone copy of split BTF @btf and its base(s): one blob with the
 * base's types followed by @btf's, and the base's strings followed by @btf's,
 * so every type id and string offset stays the same (what BPF_BTF_LOAD, which
 * takes no base, needs). For standalone @btf a copy of its blob. Returns a
 * malloc'd blob in *@out (caller frees) and its size in *@len, or -ENOMEM.
 */
int btfc_btf_flatten(const struct btfc_btf *btf, void **out, size_t *len);

/* ------------------------------------------------------------------ */
/* Dump, byte-identical to `bpftool btf dump file F` (bpftool 7.1).     */

enum btfc_dump_format {
	BTFC_DUMP_RAW = 0, /* bpftool's text ("raw") format */
	BTFC_DUMP_JSON, /* bpftool -j */
	BTFC_DUMP_JSON_PRETTY, /* bpftool -p */
};

/*
 * Write the types owned by @btf (for split BTF only the module's) to file
 * descriptor @fd in @format. Returns 0 or a negative errno (write errors).
 */
int btfc_btf_dump(const struct btfc_btf *btf, int fd, enum btfc_dump_format format);

/*
 * Write @btf as a C header (vmlinux.h) to file descriptor @fd, byte-identical
 * to `bpftool btf dump file F format c` of Debian 12's bpftool 7.1 (libbpf as
 * in Linux 6.1.192): the include guard, the preserve_access_index pragma
 * block, then every type in id order (for split BTF the base's types first,
 * as bpftool does), each preceded by the definitions and forward declarations
 * it needs. @flags: 0, or a newer bpftool's form (BTFC_DUMP_C_*, below).
 * Returns 0 or a negative errno, the reason recorded in @ctx: -ELOOP for a type
 * cycle C cannot express (bpftool's "unsatisfiable type cycle", or a loop
 * bpftool overflows its stack on); -EINVAL for a type id or a written name out
 * of range, or a member without alignment where bpftool divides by zero;
 * -E2BIG for absurd padding (over 2^26 bits in all); write errors. After an
 * error the output stops where it was (bpftool's too: no footer).
 * Since 0.4.
 */
int btfc_btf_dump_c(struct btfc_ctx *ctx, const struct btfc_btf *btf, int fd, unsigned flags);

/*
 * The form of a newer bpftool's `format c`, for btfc_btf_dump_c()'s @flags (docs in
 * btfcompat-dump(1), "C STYLES"). 0 is Debian 12's bpftool 7.1 as above.
 * BTFC_DUMP_C_7_5 (Debian 13's bpftool 7.5, libbpf 1.5): the __ksym and __weak macros
 *   after the pragma, mode(byte)/mode(word) on enums of 1 and 8 bytes, the types sorted
 *   (bpftool's order: kind rank, name, ...; BTFC_DUMP_C_UNSORTED keeps id order, bpftool's
 *   `unsorted`), and the kfunc prototypes (FUNCs tagged "bpf_kfunc") as `extern ... __weak
 *   __ksym;` before the footer.
 * BTFC_DUMP_C_7_8 (unstable's bpftool 7.8, libbpf 1.8): 7.5's, plus the __bpf_fastcall macro
 *   and kfuncs tagged "bpf_fastcall" marked with it, and type tags with kind_flag written as
 *   plain attributes (`__attribute__((address_space(1)))`).
 * Since 0.5.
 */
#define BTFC_DUMP_C_STYLE_MASK 0xfu
#define BTFC_DUMP_C_7_1 0x0u
#define BTFC_DUMP_C_7_5 0x1u
#define BTFC_DUMP_C_7_8 0x2u
#define BTFC_DUMP_C_UNSORTED 0x10u

/*
 * Like btfc_btf_dump_c(), but only the types @roots (@nroots ids, in that order), each after
 * the definitions and forward declarations it needs, and no kfunc prototypes: bpftool 7.8's
 * `format c root_id ID...` (at most 16 there). An id out of range or given twice is -EINVAL
 * before anything is written. @nroots 0 is btfc_btf_dump_c(). Since 0.5.
 */
int btfc_btf_dump_c_roots(struct btfc_ctx *ctx, const struct btfc_btf *btf, int fd, unsigned flags,
			  const uint32_t *roots, size_t nroots);

/*
 * Merge the split BTFs @mods (@n >= 1, all on the same base object) into one
 * split BTF on that base and deduplicate it, as libbpf's btf__add_btf() and
 * btf__dedup() do for `bpftool btf dump file A file B ...` (bpftool >= 7.7):
 * the same types, in the same order, with the same ids. *@out receives a
 * malloc'd raw BTF blob in host byte order (caller frees), *@len its size;
 * parse it with btfc_btf_parse() on the base. Returns 0 or a negative errno
 * (-EINVAL: not split BTF, different bases, a type id out of range, a
 * reference loop; -ENOMEM). Since 0.5.
 */
int btfc_btf_merge(struct btfc_ctx *ctx, const struct btfc_btf *const *mods, size_t n, void **out,
		   size_t *len);

/* ------------------------------------------------------------------ */
/* Validate, as the kernel does (kernel/bpf/btf.c).                     */

/* Which kernel path's checks to run (see docs/validate.md). */
enum btfc_profile {
	BTFC_PROFILE_BPF = 0, /* bpf(BPF_BTF_LOAD): header, strings, metas, resolve, type tags */
	BTFC_PROFILE_MODULE, /* module load (btf_parse_module): header, strings, metas, type tags */
	BTFC_PROFILE_VMLINUX, /* boot (btf_parse_vmlinux): header, strings, metas, type tags */
};

/* "bpf", "module", "vmlinux". */
const char *btfc_profile_name(enum btfc_profile p);

/*
 * The kernel's verdict on one BTF blob. Its strings are never NULL ("" when
 * empty) and belong to it: free them with btfc_verdict_release().
 */
struct btfc_verdict {
	size_t sz; /* sizeof, set by the caller */
	void *priv_; /* private: the block holding the strings (right after sz, so that
			     * any sz that covers a string covers it) */
	int err; /* 0: accepted; else the negative errno the kernel returns
			     * (-EINVAL, -E2BIG, -ELOOP, -524 for the kernel's ENOTSUPP) */
	uint32_t type_id; /* the type the message is about; 0 for header and string errors */
	const char *phase; /* failing phase: "size", "header", "strings", "types", "resolve",
			     * "type_tags"; NULL when accepted */
	const char *msg; /* the kernel's log line for the failure, exactly (no newline);
			      * "" where the kernel fails without a message */
	const char *context; /* the line the kernel logged before it, for member and
			      * DATASEC entry errors (the containing type), else "" */
	const char *note; /* btfcompat's explanation where the kernel is silent, else "" */
};

/*
 * Free the strings of @v (and point them at ""). NULL, a zero-initialised and
 * an already released verdict are fine. A call that fills a verdict
 * overwrites it: release a previous result first.
 */
void btfc_verdict_release(struct btfc_verdict *v);

/*
 * Kernel versions whose rules differ (see docs/validate.md); any version
 * (major << 16 | minor << 8) is accepted and gets the rules of the newest of
 * these at or below it.
 */
#define BTFC_KERNEL_VERSION(major, minor) ((unsigned)(major) << 16 | (unsigned)(minor) << 8)
#define BTFC_KERNEL_6_1 BTFC_KERNEL_VERSION(6, 1)
#define BTFC_KERNEL_6_12 BTFC_KERNEL_VERSION(6, 12)
#define BTFC_KERNEL_6_18 BTFC_KERNEL_VERSION(6, 18) /* 6.14 to 6.18's rules (checked on 6.18) */
#define BTFC_KERNEL_7_2 BTFC_KERNEL_VERSION(7, 2)
#define BTFC_KERNEL_NEWEST 0 /* the newest rules known: 7.2's */

/* Byte order of the kernel that judges (struct btfc_validate_opts). */
enum btfc_byte_order {
	BTFC_ORDER_AUTO = 0, /* the base's; without a base, the blob's own (its magic) */
	BTFC_ORDER_LITTLE,
	BTFC_ORDER_BIG,
};

/* Options of btfc_validate() (NULL: all defaults, 0 below). */
struct btfc_validate_opts {
	size_t sz; /* sizeof, set by the caller (BTFC_OPTS()) */
	enum btfc_profile profile; /* default: bpf */
	unsigned kernel; /* BTFC_KERNEL_*: whose rules to apply; 0 = newest */
	int headers_only; /* stop after the header, string and (bpf profile) layout section checks */
	int flatten; /* bpf profile of split BTF: validate the flattened blob (the slow
			   * reference path) instead of reusing the base's resolution */
	enum btfc_byte_order order; /* the judging kernel's byte order when there is no base
				     * (with a base, the base's order is the kernel's) */
	unsigned ptr_size; /* the kernel's pointer size, 4 or 8; 0 = 8 */
};

/*
 * Run the checks of @opts->profile on the raw BTF blob @data/@len, as the
 * kernel of that path would, and store the verdict in *@v (its sz set by the
 * caller; release it with btfc_verdict_release()). @opts may be NULL. The bytes are read
 * in the judging kernel's byte order (the base's, else @opts->order, else the
 * blob's own): BTF in the other order fails as it does in that kernel.
 * @base: for split BTF (a module's .BTF), its base (vmlinux); NULL otherwise.
 *        The bpf profile takes standalone BTF only (as BPF_BTF_LOAD does).
 * Returns 0 when a verdict was reached (accepted or not), or a negative errno
 * when it could not be computed (-ENOMEM, -EINVAL for a bad argument).
 */
int btfc_validate(struct btfc_ctx *ctx, const void *data, size_t len, const struct btfc_btf *base,
		  const struct btfc_validate_opts *opts, struct btfc_verdict *v);

/* ------------------------------------------------------------------ */
/* Modules: sections, stamps (see btfcompat/stamp.h, docs/stamp.md).    */

struct btfc_module;

/*
 * Open a kernel module (.ko, or .ko.xz/.ko.zst/.ko.gz: decompressed once) to
 * read several of its sections. Returns 0 or a negative errno (message in
 * ctx): -EINVAL when it is not an ELF file.
 */
int btfc_module_open(struct btfc_ctx *ctx, const char *path, struct btfc_module **out);
void btfc_module_free(struct btfc_module *m);
/* Contents of section @name, valid until btfc_module_free(); -ENODATA if absent. */
int btfc_module_section(const struct btfc_module *m, const char *name, const void **data,
			size_t *len);
/* Bytes of the module's decompressed image (for memory budgets of callers that keep many open). */
size_t btfc_module_size(const struct btfc_module *m);
/* Non-zero if the module carries an appended signature. */
int btfc_module_signed(const struct btfc_module *m);
/* The module's .BTF parsed on @base (see btfc_btf_open()). */
int btfc_module_btf(struct btfc_ctx *ctx, const struct btfc_module *m, const struct btfc_btf *base,
		    struct btfc_btf **out);

struct btfc_stamp;
/* The stamp (counts and SHA-256, libcrypto) that a module built on @base carries. */
int btfc_stamp_compute(struct btfc_ctx *ctx, const struct btfc_btf *base, struct btfc_stamp *out);

/* Flags of btfc_module_stamp() and the other rewriting calls. */
#define BTFC_REWRITE_FORCE \
	1u /* skip the content checks (stamp/distill: the module must fit the base) */
#define BTFC_REWRITE_DRY_RUN \
	2u /* do everything but replace the file (the new file is built in memory) */
#define BTFC_REWRITE_BACKUP 4u /* keep the original as PATH~ */
#define BTFC_REWRITE_UNSIGN \
	16u /* rewrite signed modules: their signature is dropped (else -EPERM) */
#define BTFC_REWRITE_READ_ONLY 32u /* rewrite files without write permission (else -EACCES) */

/*
 * How every rewriting call (stamp, relocate, distill, strip) treats files:
 *  - the module is read once, under an advisory lock (flock(LOCK_EX), held
 *    until the call returns; concurrent btfcompat rewrites of one module run
 *    one after the other; root locks a file of its own, /run/btfcompat/
 *    rewrite-NN.lock, that no other user can open; a lock held longer than
 *    BTFCOMPAT_LOCK_TIMEOUT seconds (default 60): -ETIMEDOUT, reason
 *    BTFC_REASON_LOCKED), and exactly the bytes read are rewritten; if the
 *    file changed before the rename anyway: -EAGAIN "changed while being
 *    rewritten", nothing replaced;
 *  - the new file is written next to the destination (a temporary
 *    NAME.btfcXXXXXX, removed on failure; SIGINT, SIGTERM, SIGHUP and SIGQUIT
 *    are blocked in the calling thread while it exists), fsynced, given the
 *    original's owner, mode (setuid/setgid kept) and extended attributes
 *    (ACLs, security labels; a failure to copy one refuses), and renamed over
 *    the destination; other hard links to the old file keep the old contents;
 *  - a destination that is a symbolic link: the file it points to is
 *    rewritten, the link stays, unless the link's owner is neither the
 *    file's nor root (-EPERM, BTFC_REASON_UNSAFE, as fs.protected_symlinks);
 *    a destination that exists and is not a regular file (a device, a FIFO)
 *    or is the standard output or error: refused with -EINVAL; a read-only
 *    one: -EACCES unless BTFC_REWRITE_READ_ONLY; dest "-": the new module is
 *    written to standard output;
 *  - signed modules: -EPERM unless BTFC_REWRITE_UNSIGN; read-only files:
 *    -EACCES unless BTFC_REWRITE_READ_ONLY.
 * btfc_ctx_last_reason() tells refusals apart.
 *
 * Add or replace the .BTF.base_checksum section of the module at @path with the
 * stamp of @base, in the byte order of the module's .BTF. Sets *@changed to 0
 * when the module already carried exactly this stamp (nothing is written).
 * The module's BTF must fit @base as btfc_module_check() decides it (outcome
 * match; the module's own stamp aside), else -EINVAL with the evidence and
 * reason BTFC_REASON_NOT_FIT, unless BTFC_REWRITE_FORCE.
 */
int btfc_module_stamp(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base,
		      unsigned flags, int *changed);

/*
 * Open the module at @path for a rewrite (what the path-taking rewriting
 * calls do first; a caller that wants to look at the module before it
 * decides, as `strip --stale` checks it, opens it so and hands the handle to
 * btfc_module_strip_opened() or btfc_module_relocate_opened()): symbolic links
 * resolved, a regular file, locked with flock(LOCK_EX) until
 * btfc_module_free() (waiting for another rewrite of it to finish), read
 * once; the rewrite then writes exactly these bytes. Refused as the
 * rewriting calls say above: -EACCES read-only unless BTFC_REWRITE_READ_ONLY,
 * -EPERM signed unless BTFC_REWRITE_UNSIGN (or a signer in @ctx). @verb names
 * the rewrite in messages ("stripping"; NULL: "rewriting"). Every
 * btfc_module_*() call that reads a module takes the handle.
 */
int btfc_module_open_rw(struct btfc_ctx *ctx, const char *path, unsigned flags, const char *verb,
			struct btfc_module **out);

/* ------------------------------------------------------------------ */
/* check: does a module's BTF fit a base, and what will the kernel do?  */

enum btfc_outcome {
	BTFC_OUTCOME_MATCH = 0, /* built on this base (or no evidence of the contrary) */
	BTFC_OUTCOME_MISMATCH, /* built on another base */
	BTFC_OUTCOME_INVALID, /* fails the kernel's checks even on the base it claims */
	BTFC_OUTCOME_NO_BTF, /* nothing to check */
};

enum btfc_method {
	BTFC_METHOD_NONE = 0,
	BTFC_METHOD_STAMP, /* .BTF.base_checksum compared: certain */
	BTFC_METHOD_DISTILLED, /* .BTF.base relocated onto the base as the kernel does: certain */
	BTFC_METHOD_EVIDENCE, /* legacy module: string offsets, references, kernel checks */
};

/* What the kernel that runs BASE does with the module at load time. */
enum btfc_action {
	BTFC_ACTION_NONE = 0, /* no BTF: nothing to do */
	BTFC_ACTION_ACCEPT, /* BTF published in /sys/kernel/btf, types right */
	BTFC_ACTION_ACCEPT_WRONG_TYPES, /* BTF published, but it names other types */
	BTFC_ACTION_DROP_BTF, /* module loads without BTF (CONFIG_MODULE_ALLOW_BTF_MISMATCH=y) */
	BTFC_ACTION_REFUSE_MODULE, /* module load fails (CONFIG_MODULE_ALLOW_BTF_MISMATCH not set) */
	BTFC_ACTION_DROP_OR_REFUSE, /* one of the two; the kernel's config is not known */
};

const char *btfc_outcome_name(enum btfc_outcome o); /* "match", "mismatch", "invalid", "no-btf" */
const char *btfc_method_name(enum btfc_method m); /* "none", "stamp", "distilled", "evidence" */
const char *
btfc_action_name(enum btfc_action a); /* "accept", "accept, types wrong", "drop BTF", ... */

/* Options of btfc_module_check() (NULL: the defaults: mismatch_allowed -1, the others 0). */
struct btfc_check_opts {
	size_t sz; /* sizeof, set by the caller (BTFC_OPTS()) */
	int mismatch_allowed; /* CONFIG_MODULE_ALLOW_BTF_MISMATCH: 1 y, 0 n, -1 unknown */
	unsigned kernel; /* whose validation rules (BTFC_KERNEL_*), 0 newest */
	int old_loader; /* 1: the kernel is older than 6.11 and ignores a .BTF.base (its
			       * module loader parses .BTF on vmlinux directly); 0: it relocates it */
	int stamp_checked; /* 1: the kernel checks .BTF.base_checksum at load
			       * (CONFIG_MODULE_BTF_BASE_CHECKSUM=y, kernel/7.2/ and 6.12/): a
			       * module without .BTF.base stamped for another base, or with a
			       * malformed stamp, never has its BTF parsed: the action is "drop BTF"
			       * or "refuse module", never "accept, types wrong" */
};

/* The result of a check; free its strings with btfc_check_release(). */
struct btfc_check {
	size_t sz; /* sizeof, set by the caller */
	void *priv_; /* private: the block holding evidence */
	enum btfc_outcome outcome;
	enum btfc_method method;
	const char *strength; /* "certain", "strong", "probable" or "none" */
	enum btfc_action action;
	uint32_t refs_checked; /* base references examined (evidence) */
	const char *evidence; /* the first piece of evidence, in words; or why it matches */
	struct btfc_verdict kernel; /* the module loader's verdict (module profile) on BASE (its sz
				     * is set by the library) */
};

/* Free the strings of @c and of its kernel verdict; as btfc_verdict_release(). */
void btfc_check_release(struct btfc_check *c);

/*
 * Decide whether the module at @path fits @base (vmlinux BTF) and predict
 * what a kernel running @base does with it. Thread-safe for one @base shared
 * by several threads (each with its own @ctx). @opts may be NULL; *@out (its
 * sz set by the caller) is released with btfc_check_release(). Returns 0 with *@out filled,
 * or a negative errno when the module cannot be read (message in ctx).
 */
int btfc_module_check(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base,
		      const struct btfc_check_opts *opts, struct btfc_check *out);
/*
 * btfc_module_check() for a module already opened with btfc_module_open()
 * (which does the reading and decompressing, and needs no base: a caller can
 * open modules while it is still reading the base). Same contract; @m is
 * only read, so one module may be checked against several bases.
 */
int btfc_module_check_opened(struct btfc_ctx *ctx, const struct btfc_module *m,
			     const struct btfc_btf *base, const struct btfc_check_opts *opts,
			     struct btfc_check *out);
/* The name of btfc_module_check() before 0.5, kept for one release. */
int btfc_check_module(struct btfc_ctx *ctx, const char *path, const struct btfc_btf *base,
		      const struct btfc_check_opts *opts, struct btfc_check *out)
	__attribute__((deprecated("btfc_module_check()")));

/* ------------------------------------------------------------------ */
/* diff: the named types of two BTFs, matched by kind and name (never  */
/* by id), and what became of the base types a module uses.            */

enum btfc_diff_what {
	BTFC_DIFF_SAME = 0, /* same layout (members, offsets, sizes, values, referenced names) */
	BTFC_DIFF_CHANGED, /* same kind and name, another layout */
	BTFC_DIFF_ADDED, /* only in the new BTF */
	BTFC_DIFF_REMOVED, /* only in the old BTF */
};

/* Called for a named type: what became of it, its id in the old BTF (0 when added) and in the new (0 when removed). */
typedef void (*btfc_diff_fn)(void *user, enum btfc_diff_what what, uint32_t old_id,
			     uint32_t new_id);

/* How many named types each btfc_diff_what had. */
struct btfc_diff_counts {
	size_t sz; /* sizeof, set by the caller */
	size_t added, removed, changed, unchanged;
};

/*
 * Compare the named types of @old_btf and @new_btf (standalone, or split BTF with
 * their bases: only their own types): @fn (may be NULL) is called for every
 * one, in the order of a walk over both sorted by kind and name; *@counts
 * (may be NULL) receives the totals. Returns 0 or a negative errno.
 */
int btfc_diff_walk(struct btfc_ctx *ctx, const struct btfc_btf *old_btf,
		   const struct btfc_btf *new_btf, btfc_diff_fn fn, void *user,
		   struct btfc_diff_counts *counts);

/*
 * What changed between type @old_id of @old_btf and type @new_id of @new_btf (a pair
 * btfc_diff_walk() reported as BTFC_DIFF_CHANGED), in words: "size 8 -> 16;
 * member 'x' removed". As snprintf(): writes at most @cap bytes (NUL
 * included; @buf may be NULL when @cap is 0) and returns the length of the
 * whole text, so a caller can size its buffer; -ENOMEM.
 */
int btfc_diff_explain(const struct btfc_btf *old_btf, uint32_t old_id,
		      const struct btfc_btf *new_btf, uint32_t new_id, char *buf, size_t cap);

/*
 * The fate in @new_btf of every named type of @old_btf (two vmlinux BTFs): one diff,
 * then asked about any number of modules. Both must outlive the map.
 * Returns 0 (the map in *@out) or a negative errno.
 */
struct btfc_abi_map;
int btfc_abi_map_new(struct btfc_ctx *ctx, const struct btfc_btf *old_btf,
		     const struct btfc_btf *new_btf, struct btfc_abi_map **out);
void btfc_abi_map_free(struct btfc_abi_map *m);
/* What became of type @old_id of the old base; *@new_id (may be NULL): its id in the new one (0 when gone). */
enum btfc_diff_what btfc_abi_map_fate(const struct btfc_abi_map *m, uint32_t old_id,
				      uint32_t *new_id);
/*
 * The named base types that module BTF @mod (split BTF on the map's old base)
 * uses, directly or through its own and anonymous types: @fn is called once
 * for each, in id order, with its fate (never BTFC_DIFF_ADDED).
 */
int btfc_abi_map_walk(struct btfc_ctx *ctx, const struct btfc_abi_map *m,
		      const struct btfc_btf *mod, btfc_diff_fn fn, void *user);

/* ------------------------------------------------------------------ */
/* Repair: relocate onto another base, distill a base, strip.          */

#define BTFC_REWRITE_STAMP \
	8u /* relocate: add a .BTF.base_checksum for the new base even if none was there */

/* How relocation matches the base types a module uses in the new base. */
enum btfc_match {
	BTFC_MATCH_LAYOUT = 0, /* same kind and name, and the same layout (members, offsets, sizes,
				* enum values, typedef targets); any change refuses (default) */
	BTFC_MATCH_KERNEL, /* as the kernel (>= 6.11) relocates a distilled .BTF.base and libbpf's
				* btf__relocate() does: kind, name and size only; changed layouts are
				* reported, not refused */
};

/* "layout", "kernel". */
const char *btfc_match_name(enum btfc_match m);

/* A base type the module uses that is not the same in the new base. */
struct btfc_reloc_issue {
	const char *type; /* as C names it: "struct sock" */
	const char *
		what; /* what changed: "size 760 -> 768; member sk_timer removed", or "not in the new base" */
	int fatal; /* it makes this relocation refuse */
	/* what @what says, in numbers (for a summary per type): */
	int gone; /* not in the new base */
	uint32_t old_size, new_size; /* struct, union, enum: its sizes (0: another kind) */
	uint32_t moved, added, removed,
		retyped; /* struct, union: members moved, added, removed, retyped */
};
typedef void (*btfc_reloc_issue_fn)(void *user, const struct btfc_reloc_issue *issue);

/* Counts of one relocation. */
struct btfc_reloc_result {
	size_t sz; /* sizeof, set by the caller */
	int refused; /* 1: nothing written; the reason is the ctx's last error */
	int distilled; /* the module carried a .BTF.base (matched by name and size only) */
	uint32_t base_types; /* named base types the module's BTF uses */
	uint32_t changed; /* of those, changed in (or gone from) the new base */
	uint32_t btf_ids; /* .BTF_ids entries remapped */
	int restamped; /* .BTF.base_checksum written for the new base */
};

struct btfc_relocator;

/*
 * A relocator moves module BTF built on @from (a full vmlinux BTF; NULL when
 * only modules carrying a distilled .BTF.base will be given) onto @to. With
 * @from it compares the two bases once (to judge layouts), so one relocator
 * serves a whole module tree; it may be shared by threads (each call with its
 * own ctx). Both bases must outlive it. Returns 0 or a negative errno.
 */
int btfc_relocator_new(struct btfc_ctx *ctx, const struct btfc_btf *from, const struct btfc_btf *to,
		       struct btfc_relocator **out);
void btfc_relocator_free(struct btfc_relocator *r);

/*
 * Relocate module BTF @mod (split BTF on the relocator's @from, or on a
 * distilled base) onto @to, in memory: *@out is a malloc'd raw split BTF blob
 * on @to (caller frees). Issues are reported through @fn (may be NULL); *@res
 * (may be NULL; its sz set by the caller) receives the counts.
 * Returns 0 when relocated, 1 when refused (reason in ctx), or a negative errno.
 */
int btfc_relocator_btf(struct btfc_ctx *ctx, struct btfc_relocator *r, const struct btfc_btf *mod,
		       enum btfc_match match, btfc_reloc_issue_fn fn, void *user, void **out,
		       size_t *len, struct btfc_reloc_result *res);

/*
 * Relocate the module at @path: its .BTF rewritten onto @to (from the
 * relocator's @from, or from its own .BTF.base, which is then removed), its
 * .BTF_ids entries renumbered (sets kept sorted), its .BTF.base_checksum
 * re-stamped for @to (added with BTFC_REWRITE_STAMP). Written to @dest (NULL:
 * in place), atomically; BTFC_REWRITE_* @flags as for btfc_module_stamp().
 * Returns 0 when relocated (or refused: see res->refused; nothing written),
 * or a negative errno (message in ctx).
 */
int btfc_module_relocate(struct btfc_ctx *ctx, struct btfc_relocator *r, const char *path,
			 const char *dest, enum btfc_match match, unsigned flags,
			 btfc_reloc_issue_fn fn, void *user, struct btfc_reloc_result *res);
/* btfc_module_relocate() of module @m opened with btfc_module_open_rw(). */
int btfc_module_relocate_opened(struct btfc_ctx *ctx, struct btfc_relocator *r,
				struct btfc_module *m, const char *dest, enum btfc_match match,
				unsigned flags, btfc_reloc_issue_fn fn, void *user,
				struct btfc_reloc_result *res);
/* btfc_module_relocate() as it was named (and its arguments ordered) before 0.5, kept for one release. */
int btfc_relocator_module(struct btfc_relocator *r, struct btfc_ctx *ctx, const char *path,
			  const char *dest, enum btfc_match match, unsigned flags,
			  btfc_reloc_issue_fn fn, void *user, struct btfc_reloc_result *res)
	__attribute__((deprecated("btfc_module_relocate(ctx, r, ...)")));

/*
 * Distill: give the module at @path a .BTF.base holding only what its .BTF
 * needs from @base (named structs, unions, enums, ints, floats, forwards;
 * structs without members), renumber its .BTF onto it and its .BTF_ids, as
 * pahole --btf_features=distilled_base and libbpf btf__distill_base() do, so
 * that a kernel >= 6.11 relocates it at load onto whatever vmlinux it runs.
 * A .BTF.base_checksum is removed (the module no longer depends on one base).
 * The module's .BTF must fit @base (checked as btfc_module_check() does)
 * unless BTFC_REWRITE_FORCE. *@changed is 0 when the module already carried
 * a .BTF.base (nothing written). Atomic, into @dest (NULL: in place).
 * Returns 0 or a negative errno (message in ctx).
 */
int btfc_module_distill(struct btfc_ctx *ctx, const char *path, const char *dest,
			const struct btfc_btf *base, unsigned flags, int *changed);

/*
 * Strip: remove .BTF, .BTF.base and .BTF.base_checksum from the module at
 * @path (what `objcopy --remove-section` does, without objcopy): the module
 * then loads without BTF, silently. .BTF_ids stays (the module's code reads
 * it). Sets *@changed to 0 when there was nothing to remove. Atomic, into
 * @dest (NULL: in place). Returns 0 or a negative errno.
 */
int btfc_module_strip(struct btfc_ctx *ctx, const char *path, const char *dest, unsigned flags,
		      int *changed);
/*
 * btfc_module_strip() of module @m opened with btfc_module_open_rw() (@flags
 * as given there): the bytes read then are the ones rewritten, under its lock.
 */
int btfc_module_strip_opened(struct btfc_ctx *ctx, struct btfc_module *m, const char *dest,
			     unsigned flags, int *changed);

/* ------------------------------------------------------------------ */
/* Signing, as the kernel's scripts/sign-file does (docs/sign.md).      */

struct btfc_signer;

#define BTFC_SIGN_KEYID \
	1u /* name the signer by subject key identifier (sign-file -k), not issuer+serial */
#define BTFC_SIGN_OWN \
	2u /* sign only modules that carry a signature by this certificate already (what
			    * DKMS signed, with DKMS's key); modules signed by another key are refused
			    * as without a signer, unsigned ones stay unsigned */

/*
 * A signer from a PEM private key at @key_path (no passphrase) and its X.509
 * certificate at @cert_path (DER or PEM, as sign-file reads them), signing
 * with digest @hash ("sha256", "sha512", ...; NULL: "sha512"). Fails with
 * -EINVAL (message naming the file) for an unreadable key or certificate, an
 * unknown hash, or a certificate that does not belong to the key; with the
 * file's errno when a file cannot be opened. BTFC_SIGN_* @flags.
 */
int btfc_signer_new(struct btfc_ctx *ctx, const char *key_path, const char *cert_path,
		    const char *hash, unsigned flags, struct btfc_signer **out);
void btfc_signer_free(struct btfc_signer *s);
/* The hash algorithm's name as given to btfc_signer_new(). */
const char *btfc_signer_hash(const struct btfc_signer *s);

/*
 * Sign the module image @image/@len (an uncompressed .ko) in memory: *@out
 * (malloc'd, caller frees) is the image followed by the CMS signature,
 * struct module_signature and "~Module signature appended~\n", byte for byte
 * what sign-file writes for the same image, key, certificate and hash (RSA;
 * ECDSA signatures are randomised by nature). An image that is already
 * signed loses its old signature first. Thread-safe for one signer.
 * Returns 0 or a negative errno (message in ctx).
 */
int btfc_signer_sign(struct btfc_ctx *ctx, const struct btfc_signer *s, const void *image,
		     size_t len, void **out, size_t *outlen);

/* 1 when the module image @image/@len carries a signature made with @s's certificate, else 0. */
int btfc_signer_owns(const struct btfc_signer *s, const void *image, size_t len);

/*
 * Sign every module that calls with @ctx rewrite (stamp, relocate, distill,
 * strip) with @s (NULL: stop signing); the signer must outlive its use. With a
 * signer, a signed module is no longer refused: it is signed again.
 */
void btfc_ctx_set_signer(struct btfc_ctx *ctx, const struct btfc_signer *s);

/* ------------------------------------------------------------------ */
/* The store of kernel bases (docs/store.md).                          */

struct btfc_store;

#define BTFC_STORE_DEFAULT_DIR "/var/lib/btfcompat/bases"
#define BTFC_STORE_READ_ONLY 1u /* never write (also implied when the directory is not writable) */
#define BTFC_STORE_CREATE 2u /* create the directory (and its parents) if missing */

/*
 * One stored base, from its metadata. Fixed-size data, no strings to free
 * (entries come in arrays): a kernel version, a path, a list of versions.
 */
struct btfc_store_entry {
	size_t sz; /* sizeof, set by the caller (btfc_store_add(), btfc_store_entry();
				   * btfc_store_list() sets it in every entry it returns) */
	char digest[65]; /* hex SHA-256 of its stamp (docs/stamp.md): its name in the store */
	uint32_t base_type_cnt, base_str_len;
	uint64_t btf_size; /* bytes of the BTF (uncompressed) */
	int64_t added; /* Unix time of the latest add */
	char kernel[128]; /* kernel version of the latest add */
	char source[4096]; /* the file the latest add read it from */
	char kernels[1024]; /* every kernel version it was added for, space-separated */
	int meta_corrupt; /* btfc_store_list(): DIGEST.meta is unreadable or not a base's metadata
				   * (only digest is set): a base to verify and prune, not to use */
};

/*
 * Open the store in directory @dir (BTFC_STORE_DEFAULT_DIR by FHS) with
 * BTFC_STORE_* @flags. Without BTFC_STORE_CREATE a missing directory is
 * -ENOENT; an unwritable one opens read-only (adding and removing then fail
 * with -EROFS) unless BTFC_STORE_CREATE asks to write (-EACCES).
 */
int btfc_store_open(struct btfc_ctx *ctx, const char *dir, unsigned flags, struct btfc_store **out);
void btfc_store_free(struct btfc_store *s);
/* The store's directory. */
const char *btfc_store_dir(const struct btfc_store *s);

/*
 * Add the vmlinux BTF of @path (any base btfc_btf_open() reads: vmlinuz,
 * vmlinux, raw BTF) for kernel version @kernel: the BTF bytes exactly as
 * stored, zstd-compressed, under the digest of its stamp, and a metadata line
 * (kernel, time, @path). A base already stored gets the kernel added to its
 * metadata; a stored copy that no longer verifies is replaced. Safe against
 * concurrent writers (flock on DIR/lock) and crashes (temporary file, fsync,
 * rename). *@out (may be NULL) receives the entry. Returns 0 or a negative errno.
 */
int btfc_store_add(struct btfc_ctx *ctx, struct btfc_store *s, const char *path, const char *kernel,
		   struct btfc_store_entry *out);

/*
 * Every stored base (metadata only; nothing is decompressed), newest add
 * first: *@out malloc'd (caller frees), *@n entries. Unreadable metadata is
 * skipped with a warning through the ctx's log.
 */
int btfc_store_list(struct btfc_ctx *ctx, const struct btfc_store *s, struct btfc_store_entry **out,
		    size_t *n);
/* The metadata of the base with hex digest @digest. */
int btfc_store_entry(struct btfc_ctx *ctx, const struct btfc_store *s, const char *digest,
		     struct btfc_store_entry *e);
/*
 * Load the base with hex digest @digest, recomputing its digest: a stored
 * base that does not decompress, parse or hash to its name fails with
 * -EBADMSG ("corrupted stored base ...; skipped"), never returned.
 */
int btfc_store_load(struct btfc_ctx *ctx, const struct btfc_store *s, const char *digest,
		    struct btfc_btf **out);
/* Remove a stored base (metadata first). -EROFS on a read-only store. */
int btfc_store_remove(struct btfc_ctx *ctx, struct btfc_store *s, const char *digest);

/* ------------------------------------------------------------------ */
/* identify: which kernel build a module's BTF was made for.           */

/*
 * A base to try. An element of an array the caller passes in, not an option
 * or result struct: it has no sz (the library could not step through an
 * array of elements of another size); a longer candidate would come with a
 * new call.
 */
struct btfc_candidate {
	const char *name; /* a kernel version or a path, for messages */
	const struct btfc_btf *base;
	struct btfc_stamp_digest { /* its stamp's counts and digest (btfc_stamp_compute()) */
		uint32_t base_type_cnt, base_str_len;
		uint8_t digest[32];
	} id;
};

/* The result of btfc_module_identify(); free its strings with btfc_identity_release(). */
struct btfc_identity {
	size_t sz; /* sizeof, set by the caller */
	void *priv_; /* private: the block holding why */
	int build; /* index of the candidate it was built for (the first that fits);
				    * -1 when none fits */
	unsigned n_fit; /* candidates it fits: 1 names one build; more when they cannot be
				    * told apart (a distilled .BTF.base relocates onto several) */
	enum btfc_method method; /* stamp (a lookup), distilled or evidence; none without .BTF */
	const char *strength; /* "certain", "strong" (it fits one and every other shows a
				    * mismatch), "probable", or "none" */
	const char *why; /* in words: the evidence for the build, or why none fits */
};

/* Free the strings of @id; as btfc_verdict_release(). */
void btfc_identity_release(struct btfc_identity *id);

/*
 * Identify the build of module @m among the @n candidates @c. A stamp is
 * looked up by digest (no check runs); otherwise the module is checked
 * (btfc_module_check_opened(), as @opts says) against every candidate. @checks (@n
 * entries, may be NULL) receives each candidate's check (after a stamp
 * lookup only outcome, method and strength); the library steps through it
 * by checks[0].sz (set it in the first entry at least) and the caller
 * releases every entry (btfc_check_release()), also after a failure. @m is
 * only read. Returns 0 with *@out filled, or a negative errno (message in ctx).
 */
int btfc_module_identify(struct btfc_ctx *ctx, const struct btfc_module *m,
			 const struct btfc_candidate *c, size_t n,
			 const struct btfc_check_opts *opts, struct btfc_check *checks,
			 struct btfc_identity *out);

#ifdef __cplusplus
}
#endif
#endif
