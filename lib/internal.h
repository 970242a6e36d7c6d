/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Internal interfaces shared by the library's layers. Not installed.
 *
 * Naming: the public API is btfc_* (btfcompat.h); everything internal is
 * btfci_* (macros BTFCI_*), hidden from the shared library by the version
 * script and never called by the CLI (tests/install.sh checks both). There
 * is no btfc__ name: in libbpf a double underscore marks the public API.
 */
#ifndef BTFC_INTERNAL_H
#define BTFC_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "btfcompat/btfcompat.h"

#define BTFC_API __attribute__((visibility("default")))
/*
 * A public call renamed or reordered to follow btfcompat.h's naming rules
 * (as libbpf's DEFAULT_VERSION/COMPAT_VERSION): the definition @impl becomes
 * the default version of @name in version node @node (BTFCI_DEFAULT), or an
 * old binary interface kept for programs linked before (BTFCI_COMPAT). The
 * nodes (string literals, "LIBBTFCOMPAT_0.5") are lib/libbtfcompat.map's.
 */
#define BTFCI_DEFAULT(impl, name, node) __asm__(".symver " #impl ", " #name "@@" node)
#define BTFCI_COMPAT(impl, name, node) __asm__(".symver " #impl ", " #name "@" node)
#define BTFC_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Kernel versions where one rule changes, inside the public rule sets (BTFC_KERNEL_*) */
#define BTFCI_KERNEL_6_14 \
	BTFC_KERNEL_VERSION(6, 14) /* kind_flag allowed on TYPE_TAG and DECL_TAG */

#define BTF_MAGIC 0xeB9F
#define BTF_VERSION 1
#define BTF_HDR_MIN 24 /* sizeof(struct btf_header) up to 6.x */
#define BTF_HDR_LAYOUT 32 /* 7.x: with layout_off, layout_len */

struct btfc_ctx {
	btfc_log_fn log_fn;
	void *log_user;
	enum btfc_log_level log_max;
	uint64_t max_decompressed;
	const struct btfc_signer *signer; /* sign rewritten modules (sign.c) */
	uint64_t max_module; /* a module's decompressed image (btfc_ctx_set_max_module()) */
	/* module images beyond BTFC_MODULE_SMALL, one context at a time */
	struct btfci_budget *budget;
	bool budget_owned; /* created with it (btfc_ctx_new()), not shared from a parent */
	enum btfc_reason reason; /* why the last call refused, as data */
	size_t err_what; /* where in err the message starts, after "NAME: " */
	unsigned quiet; /* > 0: failures are recorded but not logged (tries that may fail: btfci_err_save()) */
	char err[512];
};

/*
 * The last error of a context (message, reason), saved while calls whose
 * failures are not the caller's answer overwrite it, and put back after:
 *   struct btfci_err_save s; btfci_err_save(ctx, &s); ...; btfci_err_restore(ctx, &s);
 * Only the error is saved: limits, log, signer and budget are the caller's throughout.
 */
struct btfci_err_save {
	enum btfc_reason reason;
	size_t what;
	char err[sizeof(((struct btfc_ctx *)0)->err)];
};
void btfci_err_save(const struct btfc_ctx *ctx, struct btfci_err_save *s);
void btfci_err_restore(struct btfc_ctx *ctx, const struct btfci_err_save *s);

/*
 * The run's large-module slot (btfc_ctx_new_worker()): btfci_budget_take()
 * waits until no other context holds it and takes it (again, when @ctx holds
 * it already); every take is given back with btfci_budget_put(). A module
 * that took it holds it until btfc_module_free().
 */
struct btfci_budget;
bool btfci_budget_take(struct btfc_ctx *ctx); /* false: @ctx has no budget (nothing taken) */
void btfci_budget_put(struct btfci_budget *b);

/*
 * Record a failure: formats "NAME: message" into ctx->err, logs it at ERROR
 * level and returns @err (a negative errno) so callers can `return btfci_err(...)`.
 * @name may be NULL (then only the message is kept); @ctx may be NULL (a call
 * whose caller gets the errno alone: nothing is kept).
 */
int btfci_err(struct btfc_ctx *ctx, int err, const char *name, const char *fmt, ...)
	BTFC_PRINTF(4, 5);
/* btfci_err() that also records why the call refused (btfc_ctx_last_reason()). */
int btfci_refuse(struct btfc_ctx *ctx, enum btfc_reason reason, int err, const char *name,
		 const char *fmt, ...) BTFC_PRINTF(5, 6);
/* Append the formatted text to the NUL-terminated string in @buf (@cap bytes), truncating. */
void btfci_appendf(char *buf, size_t cap, const char *fmt, ...) BTFC_PRINTF(3, 4);
/*
 * A string built piece by piece, growing as needed (no length limit): s is
 * malloc'd, NUL-terminated; oom is set (and what fit kept) if it could not grow.
 */
struct btfci_str {
	char *s;
	size_t len, cap;
	bool oom;
};
void btfci_str_addf(struct btfci_str *b, const char *fmt, ...) BTFC_PRINTF(2, 3);
void btfci_str_vaddf(struct btfci_str *b, const char *fmt, va_list ap);
/* The text so far ("" before anything was added). */
static inline const char *btfci_str_get(const struct btfci_str *b) { return b->s ? b->s : ""; }
void btfci_str_fini(struct btfci_str *b);

/*
 * Sized options and results: libbpf's OPTS idiom (libbpf_internal.h), our own
 * small equivalent. Every option and result struct starts with size_t sz.
 */
#define btfci_offsetofend(TYPE, F) (offsetof(TYPE, F) + sizeof(((TYPE *)0)->F))
/* Whether options @o (may be NULL) are long enough to carry field F. */
#define BTFCI_OPTS_HAS(o, F) ((o) && (o)->sz >= btfci_offsetofend(__typeof__(*(o)), F))
/* Field F of options @o; @def when @o is NULL or too short to carry it. */
#define BTFCI_OPTS_GET(o, F, def) (BTFCI_OPTS_HAS(o, F) ? (o)->F : (def))
/*
 * Options @opts (may be NULL: the defaults) of a struct this library knows as
 * @known bytes: -EINVAL with a message naming @type when sz is smaller than sz
 * itself, or larger with a non-zero byte past @known (the caller asks for
 * something this library does not know).
 */
int btfci_opts_check(struct btfc_ctx *ctx, const void *opts, size_t known, const char *type);
#define BTFCI_OPTS_CHECK(ctx, o, TYPE) btfci_opts_check(ctx, o, sizeof(struct TYPE), #TYPE)
/* A result to fill: -EINVAL naming @type when @out is NULL or its sz is smaller than sz itself. */
int btfci_result_check(struct btfc_ctx *ctx, const void *out, const char *type);
/*
 * Hand over result @full (@known bytes, filled by the library) to the
 * caller's @out: only the bytes its sz covers are written, its sz is kept.
 */
void btfci_result_put(void *out, const void *full, size_t known);
/*
 * The strings of a result: *@field[i] = a copy of @val[i] (NULL: ""), all in
 * one new malloc'd block stored in *@priv; the old block is freed after the
 * copy (values may point into it). -ENOMEM leaves the result unchanged.
 */
int btfci_strs_set(void **priv, size_t n, const char **const field[], const char *const val[]);
/* Free the block of a result (its sz known to cover @priv) and point its @n strings at "". */
void btfci_strs_release(void **priv, size_t n, const char **const field[]);

/* Hand check @c (full size) over to the caller's @out (btfci_result_put(); strings it cannot hold freed). */
void btfci_check_put(struct btfc_check *out, struct btfc_check *c);

/* Log a message at @level (no-op if logging is off). */
void btfci_log(struct btfc_ctx *ctx, enum btfc_log_level level, const char *fmt, ...)
	BTFC_PRINTF(3, 4);

/*
 * ---- files (file.c) ----
 *
 * Read all of @fd (from offset 0; pipes and sysfs files of unknown size too)
 * into a new malloc'd buffer; at most ctx->max_decompressed bytes (-EFBIG).
 * Errors name @name.
 */
int btfci_read_fd(struct btfc_ctx *ctx, const char *name, int fd, uint8_t **out, size_t *outlen);

/*
 * Open @path for reading without blocking (a FIFO never hangs) and refuse
 * anything but a regular file (-EINVAL "not a regular file (a FIFO)"), a
 * directory (-EISDIR), a file larger than @limit (-EFBIG). Files under /sys/
 * may report a size other than their contents'. Returns the descriptor (the
 * file's status in *@st) or a negative errno (message in ctx).
 */
int btfci_open_regular(struct btfc_ctx *ctx, const char *path, uint64_t limit, struct stat *st);
/*
 * All of regular file @fd (status @st from when it was opened) into a new
 * malloc'd buffer; -EAGAIN "changed while being read" when its size or times
 * moved while it was read (it is being rewritten). Errors name @name.
 */
int btfci_read_regular(struct btfc_ctx *ctx, const char *name, int fd, const struct stat *st,
		       uint8_t **out, size_t *outlen);

/*
 * Take an exclusive flock on @fd, waiting at most BTFCOMPAT_LOCK_TIMEOUT
 * seconds (default 60) for whoever holds it: then -ETIMEDOUT, reason
 * BTFC_REASON_LOCKED, "@what is locked by another process". Errors name @name.
 */
int btfci_flock_wait(struct btfc_ctx *ctx, int fd, const char *name, const char *what);
/*
 * Open (creating it 0600) the lock file @name in directory @dirfd for an
 * exclusive flock: never through a symbolic link, and only a regular file
 * that this user owns and nobody else can open (group/other bits of an older
 * one are removed). Returns the descriptor or a negative errno (message
 * naming @path).
 */
int btfci_lock_file(struct btfc_ctx *ctx, int dirfd, const char *name, const char *path);

/*
 * A symbolic link @path (its status @lst) to a file (@st) owned by someone
 * else: refused (-EPERM, BTFC_REASON_UNSAFE) unless the link belongs to the
 * target's owner or to root, as fs.protected_symlinks reasons.
 */
int btfci_check_link(struct btfc_ctx *ctx, const char *path, const struct stat *lst,
		     const struct stat *st);
/* Same device, inode, size, mtime and ctime (file.c). */
bool btfci_same_file_state(const struct stat *a, const struct stat *b);

/* ---- decompression and compression (decomp.c) ---- */

/*
 * Compress @n bytes at @in in format @c as kbuild does (xz with crc32 and a
 * 1 MiB dictionary, zstd, gzip) into a new malloc'd buffer; -ENOTSUP for the
 * other formats. Errors name @path.
 */
int btfci_compress(struct btfc_ctx *ctx, const char *path, enum btfc_compression c,
		   const uint8_t *in, size_t n, uint8_t **out, size_t *outlen);

/* Compression format recognised by its magic bytes at @p, BTFC_COMP_NONE if none. */
enum btfc_compression btfci_sniff_compression(const uint8_t *p, size_t n);

/*
 * Decompress @n bytes at @in in format @c into a new malloc'd buffer (*out,
 * *outlen). Stops at the end of the first complete stream/frame sequence and
 * ignores trailing bytes (the bzImage payload carries a 4-byte size after the
 * stream). Output larger than ctx->max_decompressed fails with -EFBIG.
 * Corrupt or truncated input fails with -EINVAL; errors name @name.
 */
int btfci_decompress(struct btfc_ctx *ctx, const char *name, enum btfc_compression c,
		     const uint8_t *in, size_t n, uint8_t **out, size_t *outlen);

/*
 * Called once the first BTFC_BOUND_PREFIX bytes of output exist: returns the
 * size the whole output may have (0: no opinion). Lets a reader that knows
 * its format (a module's ELF header tells where its image ends) stop a
 * decompression bomb early instead of at the limit.
 */
typedef size_t (*btfci_bound_fn)(void *user, const uint8_t *p, size_t n);
#define BTFC_BOUND_PREFIX 64
/*
 * btfci_decompress() with an explicit @limit and an optional @bound; with
 * @budgeted (a module image), output beyond BTFC_MODULE_SMALL first takes
 * ctx's budget (btfci_budget_take(); *@budgeted then true, also on failure:
 * the caller gives it back). *@first_end (when not NULL): how many input
 * bytes the first gzip member, xz stream or zstd frame took (0: unknown, for
 * the other formats). The output grows as data arrives, never allocated
 * ahead from what a header claims.
 */
int btfci_decompress_bounded(struct btfc_ctx *ctx, const char *name, enum btfc_compression c,
			     const uint8_t *in, size_t n, uint64_t limit, btfci_bound_fn bound,
			     void *user, bool *budgeted, size_t *first_end, uint8_t **out,
			     size_t *outlen);

/*
 * If @p is an x86 bzImage ("HdrS" setup header), store its compressed payload
 * in *payload and *plen and return 1; return 0 if it is not a bzImage; return
 * -EINVAL (message naming @name) if the header points outside the file.
 */
int btfci_bzimage_payload(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
			  const uint8_t **payload, size_t *plen);

/*
 * If @p is an EFI zboot image ("MZ", "zimg" at 4), store its compressed
 * payload and the compression its header names and return 1; 0 if it is not
 * one; -EINVAL if the header is cut short or points outside the file;
 * -EOPNOTSUPP for a compression this library cannot decode (lzo). Errors name @name.
 */
int btfci_zboot_payload(struct btfc_ctx *ctx, const char *name, const uint8_t *p, size_t n,
			const uint8_t **payload, size_t *plen, enum btfc_compression *comp);

/* "arm64 Image" or "riscv64 Image" if @p starts with that kernel Image header, else NULL. */
const char *btfci_boot_image(const uint8_t *p, size_t n);

/* Whether @p is an s390 kernel image ("S390EP" at 0x10008). */
bool btfci_s390_image(const uint8_t *p, size_t n);

/* Offset of the first compressed-stream magic at or after @from; @n if there is none. */
size_t btfci_next_stream(const uint8_t *p, size_t n, size_t from);

/* ---- byte order ---- */
static inline uint16_t btfci_bswap16(uint16_t v) { return __builtin_bswap16(v); }
static inline uint32_t btfci_bswap32(uint32_t v) { return __builtin_bswap32(v); }

/*
 * Byte-swap the BTF blob @p/@len in place between host order and the other
 * one, field by field as a kernel of that order reads it: the magic (u16), the
 * header words the kernel reads (hdr_len of them, at most 32 bytes), every
 * word of the type section, the u16 flags of each layout entry; strings stay.
 * The header words that place the sections are taken in host order: after
 * the swap when @to_host, before it otherwise. A section outside the blob is
 * left alone (the kernel rejects its header before reading it). A header
 * that ends inside a word (hdr_len % 4) leaves that word unswapped.
 */
void btfci_btf_swap(uint8_t *p, size_t len, bool to_host);

/* FNV-1a hash of a NUL-terminated string (name index, string sets). */
uint32_t btfci_hash_str(const char *s);

/* Bytes of kind-specific data after a type record; -1 for unknown kinds. */
long btfci_type_extra(const struct btfc_type *t);

#endif
