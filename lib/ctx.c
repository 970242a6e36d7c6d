// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Context: logging, last error, limits. The library keeps no global state. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

BTFC_API struct btfc_ctx *btfc_ctx_new(void)
{
	struct btfc_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx) {
		ctx->max_decompressed = 1ull << 30;
		ctx->max_module = 256ull << 20;
	}
	return ctx;
}

BTFC_API void btfc_ctx_free(struct btfc_ctx *ctx)
{
	free(ctx);
}

BTFC_API void btfc_ctx_set_log(struct btfc_ctx *ctx, btfc_log_fn fn, void *user,
			       enum btfc_log_level max_level)
{
	ctx->log_fn = fn;
	ctx->log_user = user;
	ctx->log_max = max_level;
}

BTFC_API const char *btfc_ctx_last_error(const struct btfc_ctx *ctx)
{
	return ctx->err;
}

BTFC_API const char *btfc_ctx_last_message(const struct btfc_ctx *ctx)
{
	return ctx->err + ctx->err_what;
}

BTFC_API void btfc_ctx_set_max_decompressed(struct btfc_ctx *ctx, uint64_t bytes)
{
	ctx->max_decompressed = bytes;
}

BTFC_API void btfc_ctx_set_max_module(struct btfc_ctx *ctx, uint64_t bytes)
{
	ctx->max_module = bytes;
}

BTFC_API enum btfc_reason btfc_ctx_last_reason(const struct btfc_ctx *ctx)
{
	return ctx->reason;
}

void btfc__appendf(char *buf, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
}

static void vlog(struct btfc_ctx *ctx, enum btfc_log_level level, const char *fmt, va_list ap)
{
	char msg[512];

	if (!ctx->log_fn || level > ctx->log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	ctx->log_fn(ctx->log_user, level, msg);
}

void btfc__log(struct btfc_ctx *ctx, enum btfc_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(ctx, level, fmt, ap);
	va_end(ap);
}

static int verr(struct btfc_ctx *ctx, int err, const char *name, const char *fmt, va_list ap)
{
	int n = 0;

	if (name)
		n = snprintf(ctx->err, sizeof(ctx->err), "%s: ", name);
	if (n < 0 || (size_t)n >= sizeof(ctx->err))
		n = 0;
	ctx->err_what = n;
	vsnprintf(ctx->err + n, sizeof(ctx->err) - n, fmt, ap);
	if (ctx->log_fn && ctx->log_max >= BTFC_LOG_ERROR)
		ctx->log_fn(ctx->log_user, BTFC_LOG_ERROR, ctx->err);
	return err;
}

int btfc__err(struct btfc_ctx *ctx, int err, const char *name, const char *fmt, ...)
{
	va_list ap;

	ctx->reason = BTFC_REASON_NONE;
	va_start(ap, fmt);
	verr(ctx, err, name, fmt, ap);
	va_end(ap);
	return err;
}

int btfc__refuse(struct btfc_ctx *ctx, enum btfc_reason reason, int err, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(ctx, err, name, fmt, ap);
	va_end(ap);
	ctx->reason = reason;
	return err;
}
