// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Context: logging, last error, limits. The library keeps no global state. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct btfci_budget {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const struct btfc_ctx *owner; /* holds the large-module slot, or NULL */
	unsigned held; /* takes not yet given back */
};

BTFC_API struct btfc_ctx *btfc_ctx_new(void)
{
	struct btfc_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx && !(ctx->budget = calloc(1, sizeof(*ctx->budget)))) {
		free(ctx);
		return NULL;
	}
	if (ctx) {
		ctx->max_decompressed = 1ull << 30;
		ctx->max_module = 256ull << 20;
		ctx->budget_owned = true;
		pthread_mutex_init(&ctx->budget->mu, NULL);
		pthread_cond_init(&ctx->budget->cv, NULL);
	}
	return ctx;
}

BTFC_API struct btfc_ctx *btfc_ctx_new_worker(const struct btfc_ctx *parent)
{
	struct btfc_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx) {
		ctx->max_decompressed = parent->max_decompressed;
		ctx->max_module = parent->max_module;
		ctx->signer = parent->signer;
		ctx->budget = parent->budget;
	}
	return ctx;
}

BTFC_API void btfc_ctx_free(struct btfc_ctx *ctx)
{
	if (ctx && ctx->budget_owned) {
		pthread_mutex_destroy(&ctx->budget->mu);
		pthread_cond_destroy(&ctx->budget->cv);
		free(ctx->budget);
	}
	free(ctx);
}

bool btfci_budget_take(struct btfc_ctx *ctx)
{
	struct btfci_budget *b = ctx->budget;

	if (!b)
		return false;
	pthread_mutex_lock(&b->mu);
	while (b->owner && b->owner != ctx)
		pthread_cond_wait(&b->cv, &b->mu);
	b->owner = ctx;
	b->held++;
	pthread_mutex_unlock(&b->mu);
	return true;
}

void btfci_budget_put(struct btfci_budget *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	if (b->held && !--b->held) {
		b->owner = NULL;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
}

BTFC_API void btfc_ctx_set_log(struct btfc_ctx *ctx, btfc_log_fn fn, void *user,
			       enum btfc_log_level max_level)
{
	ctx->log_fn = fn;
	ctx->log_user = user;
	ctx->log_max = max_level;
}

BTFC_API const char *btfc_ctx_last_error(const struct btfc_ctx *ctx) { return ctx->err; }

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

BTFC_API enum btfc_reason btfc_ctx_last_reason(const struct btfc_ctx *ctx) { return ctx->reason; }

void btfci_appendf(char *buf, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
}

void btfci_str_vaddf(struct btfci_str *b, const char *fmt, va_list ap)
{
	va_list aq;

	va_copy(aq, ap);
	int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, aq);
	va_end(aq);
	if (n < 0 || b->oom)
		return;
	if (!b->s || b->len + n >= b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += n;
}

void btfci_str_addf(struct btfci_str *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	btfci_str_vaddf(b, fmt, ap);
	va_end(ap);
}

void btfci_str_fini(struct btfci_str *b)
{
	free(b->s);
	*b = (struct btfci_str){ 0 };
}

int btfci_opts_check(struct btfc_ctx *ctx, const void *opts, size_t known, const char *type)
{
	if (!opts)
		return 0;
	size_t sz = *(const size_t *)opts;
	if (sz < sizeof(size_t))
		return btfci_err(
			ctx, -EINVAL, NULL,
			"struct %s: sz %zu is too small (set it to sizeof; BTFC_OPTS() does)", type,
			sz);
	for (size_t i = known; i < sz; i++)
		if (((const uint8_t *)opts)[i])
			return btfci_err(ctx, -EINVAL, NULL,
					 "struct %s: the caller sets a field at byte %zu that this "
					 "library (%zu bytes of it) does not know",
					 type, i, known);
	return 0;
}

int btfci_result_check(struct btfc_ctx *ctx, const void *out, const char *type)
{
	if (!out || *(const size_t *)out < sizeof(size_t))
		return btfci_err(ctx, -EINVAL, NULL, "struct %s: %s", type,
				 out ? "sz is too small (set it to sizeof; BTFC_OPTS() does)" :
				       "no result to fill");
	return 0;
}

void btfci_result_put(void *out, const void *full, size_t known)
{
	size_t sz = *(const size_t *)out;

	memcpy((uint8_t *)out + sizeof(size_t), (const uint8_t *)full + sizeof(size_t),
	       (sz < known ? sz : known) - sizeof(size_t));
}

int btfci_strs_set(void **priv, size_t n, const char **const field[], const char *const val[])
{
	size_t len = 0, l[8];

	for (size_t i = 0; i < n; i++)
		len += (l[i] = val[i] ? strlen(val[i]) : 0) + 1;
	char *block = malloc(len), *p = block;
	if (!block)
		return -ENOMEM;
	for (size_t i = 0; i < n; p += l[i++] + 1) {
		memcpy(p, val[i] ? val[i] : "", l[i] + 1);
		*field[i] = p;
	}
	free(*priv);
	*priv = block;
	return 0;
}

void btfci_strs_release(void **priv, size_t n, const char **const field[])
{
	free(*priv);
	*priv = NULL;
	for (size_t i = 0; i < n; i++)
		*field[i] = "";
}

static void vlog(struct btfc_ctx *ctx, enum btfc_log_level level, const char *fmt, va_list ap)
{
	char msg[512];

	if (!ctx->log_fn || level > ctx->log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	ctx->log_fn(ctx->log_user, level, msg);
}

void btfci_log(struct btfc_ctx *ctx, enum btfc_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(ctx, level, fmt, ap);
	va_end(ap);
}

static int verr(struct btfc_ctx *ctx, int err, const char *name, const char *fmt, va_list ap)
{
	int n = 0;

	if (!ctx)
		return err;
	if (name)
		n = snprintf(ctx->err, sizeof(ctx->err), "%s: ", name);
	if (n < 0 || (size_t)n >= sizeof(ctx->err))
		n = 0;
	ctx->err_what = n;
	vsnprintf(ctx->err + n, sizeof(ctx->err) - n, fmt, ap);
	if (ctx->log_fn && ctx->log_max >= BTFC_LOG_ERROR && !ctx->quiet)
		ctx->log_fn(ctx->log_user, BTFC_LOG_ERROR, ctx->err);
	return err;
}

int btfci_err(struct btfc_ctx *ctx, int err, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ctx)
		ctx->reason = BTFC_REASON_NONE;
	va_start(ap, fmt);
	verr(ctx, err, name, fmt, ap);
	va_end(ap);
	return err;
}

int btfci_refuse(struct btfc_ctx *ctx, enum btfc_reason reason, int err, const char *name,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(ctx, err, name, fmt, ap);
	va_end(ap);
	if (ctx)
		ctx->reason = reason;
	return err;
}

void btfci_err_save(const struct btfc_ctx *ctx, struct btfci_err_save *s)
{
	s->reason = ctx->reason;
	s->what = ctx->err_what;
	memcpy(s->err, ctx->err, sizeof(s->err));
}

void btfci_err_restore(struct btfc_ctx *ctx, const struct btfci_err_save *s)
{
	ctx->reason = s->reason;
	ctx->err_what = s->what;
	memcpy(ctx->err, s->err, sizeof(ctx->err));
}
