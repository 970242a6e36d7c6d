// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * file: reading files safely and locking them. A file is opened without
 * blocking (a FIFO never hangs), refused unless regular, sized with fstat
 * before anything is read (a sparse file over the limit is never read) and
 * read whole, never mapped (a file truncated under a mapping would kill us
 * with SIGBUS); a file that changed while it was read is refused. Locks are
 * flocks waited on for a bounded time, on lock files only their owner can
 * open.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/*
 * Map the pages of a large read buffer before the read fills them: one call instead of a page
 * fault per 4 KiB page (a 4 MB vmlinux BTF: ~1000 faults, ~1 ms of a 16 ms dump, since files are
 * read, not mapped). A hint: kernels before 5.14 refuse it and the read faults as before.
 */
static void prefault(uint8_t *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = 4096, a = ((uintptr_t)p + page - 1) & ~(page - 1),
		  e = ((uintptr_t)p + n) & ~(page - 1);
	if (n >= (1u << 20) && e > a)
		madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p, (void)n;
#endif
}

int btfci_read_fd(struct btfc_ctx *ctx, const char *name, int fd, uint8_t **out, size_t *outlen)
{
	struct stat st;
	size_t cap = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 ?
			     (size_t)st.st_size + 1 :
			     1 << 20;
	size_t len = 0;
	uint8_t *buf = NULL;
	bool seekable = true;

	for (;;) {
		if (len == cap || !buf) {
			if (buf)
				cap *= 2;
			if (cap > ctx->max_decompressed + 1) {
				free(buf);
				return btfci_err(ctx, -EFBIG, name,
						 "file larger than %" PRIu64 " bytes",
						 ctx->max_decompressed);
			}
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return btfci_err(ctx, -ENOMEM, name, "out of memory reading");
			}
			buf = nb;
			prefault(buf + len, cap - len);
		}
		/* pread: independent of the file offset (a memfd just written); read: pipes */
		ssize_t r = seekable ? pread(fd, buf + len, cap - len, len) :
				       read(fd, buf + len, cap - len);
		if (r < 0 && errno == ESPIPE && seekable) {
			seekable = false;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return btfci_err(ctx, -e, name, "read error: %s", strerror(e));
		}
		if (!r)
			break;
		len += r;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int btfci_open_regular(struct btfc_ctx *ctx, const char *path, uint64_t limit, struct stat *st)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int err;

	if (fd < 0)
		return btfci_err(ctx, -errno, path, "cannot open: %s", strerror(errno));
	if (fstat(fd, st)) {
		err = btfci_err(ctx, -errno, path, "cannot stat: %s", strerror(errno));
	} else if (S_ISDIR(st->st_mode)) {
		err = btfci_err(ctx, -EISDIR, path, "is a directory");
	} else if (!S_ISREG(st->st_mode)) {
		err = btfci_refuse(ctx, BTFC_REASON_NOT_REGULAR, -EINVAL, path,
				   "not a regular file (%s): not reading it",
				   S_ISFIFO(st->st_mode) ? "a FIFO" :
				   S_ISCHR(st->st_mode)  ? "a character device" :
				   S_ISBLK(st->st_mode)  ? "a block device" :
				   S_ISSOCK(st->st_mode) ? "a socket" :
							   "special");
	} else if ((uint64_t)st->st_size > limit) {
		err = btfci_err(ctx, -EFBIG, path, "file larger than %" PRIu64 " bytes (the limit)",
				limit);
	} else {
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		return fd;
	}
	close(fd);
	return err;
}

int btfci_flock_wait(struct btfc_ctx *ctx, int fd, const char *name, const char *what)
{
	const char *env = getenv("BTFCOMPAT_LOCK_TIMEOUT");
	char *end;
	unsigned long secs = env && *env ? strtoul(env, &end, 10) : 60;

	if (env && *env && (*end || secs > 86400))
		secs = 60;
	/* polled: a wait of a few seconds at most costs nothing, and no signal or thread is needed */
	for (unsigned long ms = 0;; ms += 50) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return btfci_err(ctx, -errno, name, "cannot lock %s: %s", what,
					 strerror(errno));
		if (ms >= secs * 1000)
			return btfci_refuse(
				ctx, BTFC_REASON_LOCKED, -ETIMEDOUT, name,
				"%s is locked by another process, still after %lu s (BTFCOMPAT_LOCK_TIMEOUT): "
				"giving up",
				what, secs);
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
}

int btfci_lock_file(struct btfc_ctx *ctx, int dirfd, const char *name, const char *path)
{
	struct stat st;
	int fd = openat(dirfd, name,
			O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == ELOOP ?
			       btfci_refuse(ctx, BTFC_REASON_UNSAFE, -ELOOP, path,
					    "is a symbolic link: not following it to lock") :
			       btfci_err(ctx, -errno, path, "cannot open the lock: %s",
					 strerror(errno));
	int err = 0;
	if (fstat(fd, &st))
		err = btfci_err(ctx, -errno, path, "cannot stat the lock: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
		err = btfci_refuse(
			ctx, BTFC_REASON_UNSAFE, -EPERM, path,
			"the lock is %s owned by uid %u, not a regular file of uid %u: not using it (remove it)",
			S_ISREG(st.st_mode) ? "a file" : "not a regular file", (unsigned)st.st_uid,
			(unsigned)geteuid());
	else if ((st.st_mode & 077) &&
		 fchmod(fd, st.st_mode & 0700)) /* an older lock others could open */
		err = btfci_err(ctx, -errno, path, "cannot make the lock private: %s",
				strerror(errno));
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static bool same_times(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

bool btfci_same_file_state(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       same_times(&a->st_mtim, &b->st_mtim) && same_times(&a->st_ctim, &b->st_ctim);
}

int btfci_read_regular(struct btfc_ctx *ctx, const char *name, int fd, const struct stat *st,
		       uint8_t **out, size_t *outlen)
{
	struct stat now;
	int err = btfci_read_fd(ctx, name, fd, out, outlen);

	if (err)
		return err;
	/* sysfs files report a size other than their contents' and no times worth comparing */
	bool sysfs = !strncmp(name, "/sys/", 5);
	if (fstat(fd, &now) ||
	    (!sysfs && ((uint64_t)st->st_size != *outlen || !btfci_same_file_state(st, &now)))) {
		free(*out);
		*out = NULL;
		return btfci_refuse(ctx, BTFC_REASON_CHANGED, -EAGAIN, name,
				    "changed while being read (it is being rewritten?): try again");
	}
	return 0;
}

/*
 * A symbolic link @path (its owner @lst) to a file owned by someone else:
 * refused, as fs.protected_symlinks reasons, unless the link belongs to
 * the target's owner (or to root, who made it). Following a link a user
 * planted would let them point a root rewrite at any root-owned module.
 */
int btfci_check_link(struct btfc_ctx *ctx, const char *path, const struct stat *lst,
		     const struct stat *st)
{
	if (!S_ISLNK(lst->st_mode) || lst->st_uid == st->st_uid || lst->st_uid == 0)
		return 0;
	return btfci_refuse(
		ctx, BTFC_REASON_UNSAFE, -EPERM, path,
		"is a symbolic link of uid %u to a file of uid %u: not following it to rewrite (give the "
		"file itself)",
		(unsigned)lst->st_uid, (unsigned)st->st_uid);
}
