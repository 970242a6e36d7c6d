// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The old binary interfaces of the calls 0.5 renamed or reordered (btfcompat.h, "Conventions"),
 * as a program linked before 0.5 finds them in the shared library: each under its old version
 * node, bound to the code that keeps its old meaning, beside the new default version. The
 * reordered store calls are called the old way and the new way and must agree. Links the shared
 * library (the version nodes exist only there) and looks symbols up with dlvsym(), never by
 * taking an address in this program.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btfcompat/btfcompat.h"
#include "testutil.h"

/* name@node is the old interface; @same_as: the current symbol it must be bound to (NULL: its own code) */
static const struct {
	const char *name, *node, *same_as;
} rows[] = {
	{ "btfc_module_check", "LIBBTFCOMPAT_0.1", "btfc_module_check_opened" },
	{ "btfc_check_module", "LIBBTFCOMPAT_0.1", NULL },
	{ "btfc_module_relocate", "LIBBTFCOMPAT_0.3", NULL },
	{ "btfc_relocator_module", "LIBBTFCOMPAT_0.1", NULL },
	{ "btfc_relocator_btf", "LIBBTFCOMPAT_0.1", NULL },
	{ "btfc_signer_sign", "LIBBTFCOMPAT_0.2", NULL },
	{ "btfc_store_add", "LIBBTFCOMPAT_0.2", NULL },
	{ "btfc_store_entry", "LIBBTFCOMPAT_0.2", NULL },
	{ "btfc_store_list", "LIBBTFCOMPAT_0.2", NULL },
	{ "btfc_store_load", "LIBBTFCOMPAT_0.2", NULL },
	{ "btfc_store_remove", "LIBBTFCOMPAT_0.2", NULL },
};

typedef int (*old_list_fn)(const struct btfc_store *, struct btfc_ctx *, struct btfc_store_entry **,
			   size_t *);
typedef int (*new_list_fn)(struct btfc_ctx *, const struct btfc_store *, struct btfc_store_entry **,
			   size_t *);
typedef int (*old_entry_fn)(const struct btfc_store *, struct btfc_ctx *, const char *,
			    struct btfc_store_entry *);
typedef int (*new_entry_fn)(struct btfc_ctx *, const struct btfc_store *, const char *,
			    struct btfc_store_entry *);

int main(void)
{
	char t[160];

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		void *old = dlvsym(RTLD_DEFAULT, rows[i].name, rows[i].node);
		void *now = dlsym(RTLD_DEFAULT, rows[i].same_as ? rows[i].same_as : rows[i].name);
		snprintf(t, sizeof(t), "compat/%s@%s", rows[i].name, rows[i].node);
		if (rows[i].same_as)
			TU_CHECK(t, old && old == now, "%p, %s at %p", old, rows[i].same_as, now);
		else
			TU_CHECK(t, old != NULL, "not exported");
	}
	/* the new default of a reordered name is not its old interface */
	void *o = dlvsym(RTLD_DEFAULT, "btfc_store_list", "LIBBTFCOMPAT_0.2");
	void *n = dlvsym(RTLD_DEFAULT, "btfc_store_list", "LIBBTFCOMPAT_0.5");
	TU_CHECK("compat/btfc_store_list@@LIBBTFCOMPAT_0.5 is the new one",
		 n && n != o && n == dlsym(RTLD_DEFAULT, "btfc_store_list"), "0.5 %p, 0.2 %p", n,
		 o);

	/* the old and the new order, called: the same answers on one store */
	char dir[] = "/tmp/btfc-compat-XXXXXX";
	struct btfc_ctx *ctx = btfc_ctx_new();
	struct btfc_store *s = NULL;
	if (!ctx || !mkdtemp(dir) || btfc_store_open(ctx, dir, 0, &s)) {
		tu_fail("compat/setup", "%s", ctx ? btfc_ctx_last_error(ctx) : "no context");
		return tu_exit();
	}
	struct btfc_store_entry *e1 = NULL, *e2 = NULL;
	size_t n1 = 99, n2 = 98;
	int r1 = ((old_list_fn)o)(s, ctx, &e1, &n1), r2 = ((new_list_fn)n)(ctx, s, &e2, &n2);
	TU_CHECK("compat/store_list old and new order agree",
		 r1 == 0 && r2 == 0 && n1 == 0 && n2 == 0, "old %d (%zu), new %d (%zu)", r1, n1, r2,
		 n2);
	free(e1);
	free(e2);
	old_entry_fn oe =
		(old_entry_fn)dlvsym(RTLD_DEFAULT, "btfc_store_entry", "LIBBTFCOMPAT_0.2");
	new_entry_fn ne =
		(new_entry_fn)dlvsym(RTLD_DEFAULT, "btfc_store_entry", "LIBBTFCOMPAT_0.5");
	static const char digest[] =
		"00000000000000000000000000000000000000000000000000000000000000aa";
	BTFC_OPTS(btfc_store_entry, x1);
	BTFC_OPTS(btfc_store_entry, x2);
	r1 = oe ? oe(s, ctx, digest, &x1) : 1;
	r2 = ne ? ne(ctx, s, digest, &x2) : 1;
	TU_CHECK("compat/store_entry old and new order agree", r1 < 0 && r1 == r2, "old %d, new %d",
		 r1, r2);
	btfc_store_free(s);
	btfc_ctx_free(ctx);
	rmdir(dir);
	return tu_exit();
}
