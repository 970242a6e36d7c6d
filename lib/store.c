// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The store of kernel bases (docs/store.md): one directory, default
 * /var/lib/btfcompat/bases, holding for each base
 *   DIGEST.btf.zst   the vmlinux BTF exactly as stored, zstd-compressed
 *   DIGEST.meta      text: counts, size, one "kernel" line per kernel seen with it
 * where DIGEST is the hex SHA-256 of a stamp (docs/stamp.md): content
 * addressed, so one base shared by two kernel builds is kept once.
 * Writers take an exclusive flock on DIR/lock and write every file through
 * a temporary file, fsync and rename; readers take no lock (a rename is
 * atomic) and recompute the digest of every base they load: a corrupted base
 * is reported and never used.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "btf_int.h"
#include "btfcompat/stamp.h"

#define META_MAGIC "btfcompat-base 1"
#define ZSTD_LEVEL 9

struct btfc_store {
	char *dir;
	bool read_only;
};

static void hex(char *out, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static bool is_digest(const char *s)
{
	size_t i = 0;

	for (; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 64;
}

BTFC_API int btfc_store_open(struct btfc_ctx *ctx, const char *dir, unsigned flags,
			     struct btfc_store **out)
{
	struct btfc_store *s;
	struct stat st;

	*out = NULL;
	if (!(flags & BTFC_STORE_READ_ONLY) && (flags & BTFC_STORE_CREATE)) {
		/* parents too, as mkdir -p; 0755: the bases are public data */
		char p[PATH_MAX];
		if ((size_t)snprintf(p, sizeof(p), "%s", dir) >= sizeof(p))
			return btfci_err(ctx, -ENAMETOOLONG, dir, "path too long");
		for (char *q = p + 1; *q; q++)
			if (*q == '/') {
				*q = 0;
				mkdir(p, 0755);
				*q = '/';
			}
		if (mkdir(p, 0755) && errno != EEXIST)
			return btfci_err(ctx, -errno, dir, "cannot create the store: %s",
					 strerror(errno));
	}
	if (stat(dir, &st))
		return btfci_err(ctx, -errno, dir, "no store here: %s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return btfci_err(ctx, -ENOTDIR, dir, "the store is not a directory");
	if (!(s = calloc(1, sizeof(*s))) || !(s->dir = strdup(dir))) {
		free(s);
		return btfci_err(ctx, -ENOMEM, dir, "out of memory");
	}
	s->read_only = (flags & BTFC_STORE_READ_ONLY) || access(dir, W_OK);
	if (!(flags & BTFC_STORE_READ_ONLY) && s->read_only && (flags & BTFC_STORE_CREATE)) {
		btfc_store_free(s);
		return btfci_err(ctx, -EACCES, dir, "the store is read-only for this user (%s)",
				 strerror(EACCES));
	}
	*out = s;
	return 0;
}

BTFC_API void btfc_store_free(struct btfc_store *s)
{
	if (!s)
		return;
	free(s->dir);
	free(s);
}

BTFC_API const char *btfc_store_dir(const struct btfc_store *s) { return s->dir; }

/*
 * The writers' lock: an exclusive flock on DIR/lock, held until the fd is
 * closed. The file is 0600 and this user's (nobody else can open it, so
 * nobody else can hold it and stall a kernel installation), never opened
 * through a symbolic link; a holder that does not let go is waited for a
 * bounded time.
 */
static int lock_store(struct btfc_store *s, struct btfc_ctx *ctx)
{
	char p[PATH_MAX];

	if (s->read_only)
		return btfci_err(ctx, -EROFS, s->dir, "the store is read-only: cannot change it");
	snprintf(p, sizeof(p), "%s/lock", s->dir);
	int fd = btfci_lock_file(ctx, AT_FDCWD, p, p), err;
	if (fd >= 0 && (err = btfci_flock_wait(ctx, fd, p, "the store"))) {
		close(fd);
		return err;
	}
	return fd;
}

/* Write @n bytes to DIR/NAME through a temporary file, fsync and rename. */
static int write_file(struct btfc_store *s, struct btfc_ctx *ctx, const char *name,
		      const void *data, size_t n)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	const uint8_t *p = data;
	int fd, err = 0;

	snprintf(dst, sizeof(dst), "%s/%s", s->dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", s->dir, name);
	if ((fd = mkstemp(tmp)) < 0)
		return btfci_err(ctx, -errno, dst, "cannot create a temporary file: %s",
				 strerror(errno));
	while (n && !err) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			err = w < 0 ? -errno : -EIO;
		else {
			p += w;
			n -= (size_t)w;
		}
	}
	if (!err && (fchmod(fd, 0644) || fsync(fd)))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, dst))
		err = -errno;
	if (err) {
		unlink(tmp);
		return btfci_err(ctx, err, dst, "cannot write: %s", strerror(-err));
	}
	return 0;
}

static void fsync_path(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* ---- metadata ---- */

static int read_text(const char *path, char **out)
{
	/* a FIFO or a device planted there: refused, never waited on or read without end */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	FILE *f = NULL;
	char *buf = NULL;
	size_t cap = 0;

	*out = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (1 << 20) ||
	    !(f = fdopen(fd, "r"))) {
		close(fd);
		return -EINVAL;
	}
	ssize_t n = getdelim(&buf, &cap, 0, f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

/* Parse DIGEST.meta into @e; -EINVAL when it is not ours. */
static int parse_meta(const char *text, const char *digest, struct btfc_store_entry *e)
{
	const char *line = text;
	int fields = 0;

	*e = (struct btfc_store_entry){ .sz = sizeof(*e) };
	snprintf(e->digest, sizeof(e->digest), "%s", digest);
	if (strncmp(text, META_MAGIC "\n", sizeof(META_MAGIC)))
		return -EINVAL;
	while ((line = strchr(line, '\n')) && *++line) {
		char ver[128], src[PATH_MAX];
		long long when;
		if (sscanf(line, "types %" SCNu32, &e->base_type_cnt) == 1 ||
		    sscanf(line, "strings %" SCNu32, &e->base_str_len) == 1 ||
		    sscanf(line, "size %" SCNu64, &e->btf_size) == 1)
			fields++;
		else if (sscanf(line, "kernel %127[^\t\n]\t%lld\t%4095[^\n]", ver, &when, src) ==
			 3) {
			size_t l = strlen(e->kernels);
			if (l + strlen(ver) + 2 < sizeof(e->kernels))
				snprintf(e->kernels + l, sizeof(e->kernels) - l, "%s%s",
					 l ? " " : "", ver);
			if (when >= e->added) {
				e->added = when;
				snprintf(e->kernel, sizeof(e->kernel), "%s", ver);
				snprintf(e->source, sizeof(e->source), "%s", src);
			}
		}
	}
	return fields == 3 && e->kernel[0] ? 0 : -EINVAL;
}

/* The metadata text of @e plus a kernel line (@ver, @src, now) unless @ver is already there. */
static char *meta_text(const char *old, const struct btfc_stamp *st, size_t size, const char *ver,
		       const char *src)
{
	char *buf = NULL;
	size_t cap = 0;
	FILE *f = open_memstream(&buf, &cap);
	bool have = false;

	if (!f)
		return NULL;
	fprintf(f, META_MAGIC "\ntypes %u\nstrings %u\nsize %zu\n", st->base_type_cnt,
		st->base_str_len, size);
	for (const char *l = old ? strstr(old, "\nkernel ") : NULL; l;
	     l = strstr(l + 1, "\nkernel ")) {
		const char *end = strchr(l + 1, '\n'), *tab = strchr(l + 8, '\t');
		if (!end)
			break;
		have |= tab && tab < end && (size_t)(tab - (l + 8)) == strlen(ver) &&
			!strncmp(l + 8, ver, strlen(ver));
		fprintf(f, "%.*s", (int)(end - l - 1), l + 1);
		fputc('\n', f);
	}
	if (!have)
		fprintf(f, "kernel %s\t%lld\t%s\n", ver, (long long)time(NULL), src);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- add ---- */

BTFC_API int btfci_store_add_v02(struct btfc_store *s, struct btfc_ctx *ctx, const char *path,
				 const char *kernel, struct btfc_store_entry *out)
{
	struct btfc_source_info info = { .sz = sizeof(info) };
	struct btfc_btf *btf = NULL;
	struct btfc_stamp st;
	char digest[65], name[96], meta_path[PATH_MAX], *old = NULL, *meta = NULL;
	void *raw = NULL, *packed = NULL;
	size_t len;
	int lock = -1, err;

	if (out && (err = btfci_result_check(ctx, out, "btfc_store_entry")))
		return err;
	if (!kernel || !*kernel || strpbrk(kernel, "\t\n /"))
		return btfci_err(
			ctx, -EINVAL, path,
			"a kernel version without blanks or slashes is needed to store it");
	if (strpbrk(path, "\t\n"))
		return btfci_err(ctx, -EINVAL, path,
				 "a file name with a tab or newline cannot be recorded");
	if ((err = btfc_read_raw(ctx, path, &raw, &len, &info)))
		return err;
	/* a base: well-formed standalone BTF; parsed from a copy (the raw bytes are stored as they are) */
	if ((err = btfc_btf_open_mem(ctx, raw, len, path, NULL, &btf)) ||
	    (err = btfc_stamp_compute(ctx, btf, &st)))
		goto out;
	hex(digest, st.digest, 32);
	size_t cap = ZSTD_compressBound(len);
	if (!(packed = malloc(cap))) {
		err = btfci_err(ctx, -ENOMEM, path, "out of memory");
		goto out;
	}
	size_t plen = ZSTD_compress(packed, cap, raw, len, ZSTD_LEVEL);
	if (ZSTD_isError(plen)) {
		err = btfci_err(ctx, -EIO, path, "zstd: %s", ZSTD_getErrorName(plen));
		goto out;
	}
	if ((lock = lock_store(s, ctx)) < 0) {
		err = lock;
		goto out;
	}
	snprintf(meta_path, sizeof(meta_path), "%s/%s.meta", s->dir, digest);
	read_text(meta_path, &old);
	/* a stored base that no longer verifies is replaced, not trusted */
	struct btfc_btf *have = NULL;
	bool intact = old && !btfc_store_load(ctx, s, digest, &have);
	btfc_btf_free(have);
	snprintf(name, sizeof(name), "%s.btf.zst", digest);
	if (!intact && (err = write_file(s, ctx, name, packed, plen)))
		goto out;
	if (!(meta = meta_text(intact ? old : NULL, &st, len, kernel, path))) {
		err = btfci_err(ctx, -ENOMEM, path, "out of memory");
		goto out;
	}
	snprintf(name, sizeof(name), "%s.meta", digest);
	if ((err = write_file(s, ctx, name, meta, strlen(meta))))
		goto out;
	fsync_path(s->dir);
	struct btfc_store_entry e;
	if (out && !(err = parse_meta(meta, digest, &e) ?
				   btfci_err(ctx, -EINVAL, meta_path, "metadata unreadable") :
				   0))
		btfci_result_put(out, &e, sizeof(e));
out:
	if (lock >= 0)
		close(lock);
	btfc_btf_free(btf);
	free(raw);
	free(packed);
	free(old);
	free(meta);
	return err;
}
BTFCI_COMPAT(btfci_store_add_v02, btfc_store_add, "LIBBTFCOMPAT_0.2");

/* since 0.5: the context first */
BTFC_API int btfci_store_add(struct btfc_ctx *ctx, struct btfc_store *s, const char *path,
			     const char *kernel, struct btfc_store_entry *out)
{
	return btfci_store_add_v02(s, ctx, path, kernel, out);
}
BTFCI_DEFAULT(btfci_store_add, btfc_store_add, "LIBBTFCOMPAT_0.5");

/* ---- read ---- */

static int entry_read(const struct btfc_store *s, struct btfc_ctx *ctx, const char *digest,
		      struct btfc_store_entry *e)
{
	char p[PATH_MAX], *text;
	int err;

	if (!is_digest(digest))
		return btfci_err(ctx, -EINVAL, digest, "not a base digest (64 hex digits)");
	snprintf(p, sizeof(p), "%s/%s.meta", s->dir, digest);
	if ((err = read_text(p, &text)))
		return btfci_err(ctx, err, p, "cannot read: %s", strerror(-err));
	err = parse_meta(text, digest, e);
	free(text);
	return err ? btfci_err(ctx, err, p, "not a btfcompat base metadata file") : 0;
}

BTFC_API int btfci_store_entry_v02(const struct btfc_store *s, struct btfc_ctx *ctx,
				   const char *digest, struct btfc_store_entry *out)
{
	struct btfc_store_entry e;
	int err;

	if ((err = btfci_result_check(ctx, out, "btfc_store_entry")) ||
	    (err = entry_read(s, ctx, digest, &e)))
		return err;
	btfci_result_put(out, &e, sizeof(e));
	return 0;
}
BTFCI_COMPAT(btfci_store_entry_v02, btfc_store_entry, "LIBBTFCOMPAT_0.2");

/* since 0.5: the context first */
BTFC_API int btfci_store_entry(struct btfc_ctx *ctx, const struct btfc_store *s, const char *digest,
			       struct btfc_store_entry *out)
{
	return btfci_store_entry_v02(s, ctx, digest, out);
}
BTFCI_DEFAULT(btfci_store_entry, btfc_store_entry, "LIBBTFCOMPAT_0.5");

static int cmp_added(const void *a, const void *b)
{
	const struct btfc_store_entry *x = a, *y = b;
	return x->added != y->added ? (x->added < y->added ? 1 : -1) : strcmp(x->kernel, y->kernel);
}

BTFC_API int btfci_store_list_v02(const struct btfc_store *s, struct btfc_ctx *ctx,
				  struct btfc_store_entry **out, size_t *n)
{
	DIR *d = opendir(s->dir);
	struct btfc_store_entry *v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (!d)
		return btfci_err(ctx, -errno, s->dir, "cannot read the store: %s", strerror(errno));
	while ((de = readdir(d))) {
		char digest[65];
		size_t l = strlen(de->d_name);
		if (l != 64 + 5 || strcmp(de->d_name + 64, ".meta"))
			continue;
		memcpy(digest, de->d_name, 64);
		digest[64] = 0;
		if (!is_digest(digest))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct btfc_store_entry *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return btfci_err(ctx, -ENOMEM, s->dir, "out of memory");
			}
			v = nv;
		}
		if (entry_read(
			    s, ctx, digest,
			    &v[*n])) { /* listed, so that verify reports it and prune removes it */
			btfci_log(ctx, BTFC_LOG_WARN, "%s", btfc_ctx_last_error(ctx));
			v[*n] = (struct btfc_store_entry){ .sz = sizeof(v[*n]), .meta_corrupt = 1 };
			memcpy(v[*n].digest, digest, sizeof(digest));
		}
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_added);
	*out = v;
	return 0;
}
BTFCI_COMPAT(btfci_store_list_v02, btfc_store_list, "LIBBTFCOMPAT_0.2");

/* since 0.5: the context first */
BTFC_API int btfci_store_list(struct btfc_ctx *ctx, const struct btfc_store *s,
			      struct btfc_store_entry **out, size_t *n)
{
	return btfci_store_list_v02(s, ctx, out, n);
}
BTFCI_DEFAULT(btfci_store_list, btfc_store_list, "LIBBTFCOMPAT_0.5");

BTFC_API int btfci_store_load_v02(const struct btfc_store *s, struct btfc_ctx *ctx,
				  const char *digest, struct btfc_btf **out)
{
	char p[PATH_MAX];
	uint8_t *packed = NULL, *raw = NULL;
	size_t plen, len;
	struct btfc_stamp st;
	int fd, err;

	*out = NULL;
	if (!is_digest(digest))
		return btfci_err(ctx, -EINVAL, digest, "not a base digest (64 hex digits)");
	snprintf(p, sizeof(p), "%s/%s.btf.zst", s->dir, digest);
	/* a FIFO or a device planted there is refused before any read; the file's size is bounded first */
	struct stat fst;
	if ((fd = btfci_open_regular(ctx, p, ctx->max_module, &fst)) < 0)
		return fd;
	err = btfci_read_regular(ctx, p, fd, &fst, &packed, &plen);
	close(fd);
	if (err)
		return err;
	if (btfci_sniff_compression(packed, plen) != BTFC_COMP_ZSTD) {
		free(packed);
		return btfci_err(ctx, -EBADMSG, p, "corrupted stored base: not zstd data; skipped");
	}
	err = btfci_decompress(ctx, p, BTFC_COMP_ZSTD, packed, plen, &raw, &len);
	free(packed);
	if (err)
		return btfci_err(ctx, -EBADMSG, p, "corrupted stored base (%s); skipped",
				 strerror(-err));
	struct btfc_source_info src = { .container = BTFC_CONT_RAW,
					.compression = BTFC_COMP_ZSTD,
					.file_size = plen,
					.btf_size = len };
	if ((err = btfci_btf_new(ctx, raw, len, p, NULL, raw, NULL, 0, &src, out)))
		return btfci_err(ctx, -EBADMSG, p, "corrupted stored base (not BTF); skipped");
	char got[65];
	if ((err = btfc_stamp_compute(ctx, *out, &st)))
		goto bad;
	hex(got, st.digest, 32);
	if (strcmp(got, digest)) {
		btfci_err(
			ctx, -EBADMSG, p,
			"corrupted stored base: its SHA-256 is %.16s..., not the one it is stored "
			"under; skipped",
			got);
		goto bad;
	}
	return 0;
bad:
	btfc_btf_free(*out);
	*out = NULL;
	return -EBADMSG;
}
BTFCI_COMPAT(btfci_store_load_v02, btfc_store_load, "LIBBTFCOMPAT_0.2");

/* since 0.5: the context first */
BTFC_API int btfci_store_load(struct btfc_ctx *ctx, const struct btfc_store *s, const char *digest,
			      struct btfc_btf **out)
{
	return btfci_store_load_v02(s, ctx, digest, out);
}
BTFCI_DEFAULT(btfci_store_load, btfc_store_load, "LIBBTFCOMPAT_0.5");

BTFC_API int btfci_store_remove_v02(struct btfc_store *s, struct btfc_ctx *ctx, const char *digest)
{
	char p[PATH_MAX];
	int lock, err = 0;

	if (!is_digest(digest))
		return btfci_err(ctx, -EINVAL, digest, "not a base digest (64 hex digits)");
	if ((lock = lock_store(s, ctx)) < 0)
		return lock;
	/* metadata first: a base without it is invisible, and replaced by the next add */
	snprintf(p, sizeof(p), "%s/%s.meta", s->dir, digest);
	if (unlink(p) && errno != ENOENT)
		err = btfci_err(ctx, -errno, p, "cannot remove: %s", strerror(errno));
	snprintf(p, sizeof(p), "%s/%s.btf.zst", s->dir, digest);
	if (!err && unlink(p) && errno != ENOENT)
		err = btfci_err(ctx, -errno, p, "cannot remove: %s", strerror(errno));
	fsync_path(s->dir);
	close(lock);
	return err;
}
BTFCI_COMPAT(btfci_store_remove_v02, btfc_store_remove, "LIBBTFCOMPAT_0.2");

/* since 0.5: the context first */
BTFC_API int btfci_store_remove(struct btfc_ctx *ctx, struct btfc_store *s, const char *digest)
{
	return btfci_store_remove_v02(s, ctx, digest);
}
BTFCI_DEFAULT(btfci_store_remove, btfc_store_remove, "LIBBTFCOMPAT_0.5");
