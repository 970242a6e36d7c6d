// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * identify: which of several bases a module's BTF was built on.
 *   stamp      the module's .BTF.base_checksum looked up among the
 *              candidates' digests: certain, and no check runs
 *   distilled  its .BTF.base relocated onto each candidate (check's
 *              distilled method): every base it relocates onto
 *   evidence   check's evidence against each candidate; the build is the one
 *              it fits, "strong" when every other shows a mismatch
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "btfcompat/stamp.h"

static void say(struct btfc_identity *id, const char *fmt, ...) BTFC_PRINTF(2, 3);
static void say(struct btfc_identity *id, const char *fmt, ...)
{
	struct btfci_str b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	btfci_str_vaddf(&b, fmt, ap);
	va_end(ap);
	if (b.oom || btfci_strs_set(&id->priv_, 1, (const char **const[]){ &id->why },
				    (const char *const[]){ btfci_str_get(&b) }))
		id->why = NULL; /* -ENOMEM at the end */
	btfci_str_fini(&b);
}

BTFC_API void btfc_identity_release(struct btfc_identity *id)
{
	if (!id || id->sz < btfci_offsetofend(struct btfc_identity, priv_))
		return;
	btfci_strs_release(&id->priv_, 0, NULL);
	if (id->sz >= btfci_offsetofend(struct btfc_identity, why))
		id->why = "";
}

/* Element @i of the caller's array of checks, whose stride is checks[0].sz. */
static struct btfc_check *check_at(struct btfc_check *checks, size_t i)
{
	struct btfc_check *c = (struct btfc_check *)(void *)((char *)checks + i * checks[0].sz);

	c->sz = checks[0].sz;
	return c;
}

/* 1 when the module carries a readable stamp (then *@st is filled), else 0. */
static int module_stamp(const struct btfc_module *m, struct btfc_stamp *st)
{
	const void *sec;
	size_t len;

	return !btfc_module_section(m, BTFC_STAMP_SECTION, &sec, &len) &&
	       !btfc_stamp_parse(sec, len, st);
}

static void by_stamp(const struct btfc_stamp *st, const struct btfc_candidate *c, size_t n,
		     struct btfc_check *checks, struct btfc_identity *id)
{
	id->method = BTFC_METHOD_STAMP;
	for (size_t i = 0; i < n; i++) {
		bool same = c[i].id.base_type_cnt == st->base_type_cnt &&
			    c[i].id.base_str_len == st->base_str_len &&
			    !memcmp(c[i].id.digest, st->digest, 32);
		if (checks) {
			struct btfc_check ck = { .sz = sizeof(ck),
						 .outcome = same ? BTFC_OUTCOME_MATCH :
								   BTFC_OUTCOME_MISMATCH,
						 .method = BTFC_METHOD_STAMP,
						 .strength = "certain",
						 .evidence = "",
						 .kernel = { .sz = sizeof(ck.kernel),
							     .msg = "",
							     .context = "",
							     .note = "" } };
			btfci_check_put(check_at(checks, i), &ck);
		}
		if (same && id->build < 0)
			id->build = (int)i;
		id->n_fit += same;
	}
	id->strength = id->build >= 0 ? "certain" : "none";
	if (id->build >= 0)
		say(id, "stamped for this base (%u types, %u bytes of strings, SHA-256 equal)",
		    st->base_type_cnt, st->base_str_len);
	else
		say(id,
		    "stamped for a base of %u types and %u bytes of strings (SHA-256 %02x%02x%02x%02x...) that is "
		    "none of these",
		    st->base_type_cnt, st->base_str_len, st->digest[0], st->digest[1],
		    st->digest[2], st->digest[3]);
}

static int identify(struct btfc_ctx *ctx, const struct btfc_module *m,
		    const struct btfc_candidate *c, size_t n, const struct btfc_check_opts *opts,
		    struct btfc_check *checks, struct btfc_identity *id)
{
	struct btfc_stamp st;
	const void *sec;
	size_t len;
	int err = 0;

	if (btfc_module_section(m, ".BTF", &sec, &len)) {
		say(id, "no .BTF section");
		return 0;
	}
	/* a stamp decides by lookup, unless the module also carries a .BTF.base the kernel would use */
	if (btfc_module_section(m, ".BTF.base", &sec, &len) && module_stamp(m, &st)) {
		by_stamp(&st, c, n, checks, id);
		return 0;
	}
	unsigned mismatch_strong = 0;
	for (size_t i = 0; i < n; i++) {
		BTFC_OPTS(btfc_check, ck);
		if ((err = btfc_module_check_opened(ctx, m, c[i].base, opts, &ck)))
			return err;
		id->method = ck.method;
		if (ck.outcome == BTFC_OUTCOME_MATCH) {
			if (id->build < 0) {
				id->build = (int)i;
				id->strength = ck.strength;
				say(id, "%s", ck.evidence);
			}
			id->n_fit++;
		} else if (strcmp(ck.strength, "probable"))
			mismatch_strong++;
		if (checks)
			btfci_check_put(check_at(checks, i), &ck);
		else
			btfc_check_release(&ck);
	}
	if (id->build < 0)
		say(id, "it fits none of the %zu bases%s", n,
		    n ? "" : " (there are no bases to try)");
	else if (id->method == BTFC_METHOD_EVIDENCE && id->n_fit == 1 && mismatch_strong + 1 == n &&
		 n > 1)
		id->strength = "strong"; /* fits one, and every other shows a mismatch */
	return 0;
}

BTFC_API int btfc_module_identify(struct btfc_ctx *ctx, const struct btfc_module *m,
				  const struct btfc_candidate *c, size_t n,
				  const struct btfc_check_opts *opts, struct btfc_check *checks,
				  struct btfc_identity *out)
{
	struct btfc_identity id = { .sz = sizeof(id), .build = -1, .strength = "none", .why = "" };
	int err;

	if ((err = btfci_result_check(ctx, out, "btfc_identity")) ||
	    (n && checks && (err = btfci_result_check(ctx, checks, "btfc_check"))))
		return err;
	err = identify(ctx, m, c, n, opts, checks, &id);
	if (!err && !id.why)
		err = btfci_err(ctx, -ENOMEM, btfci_module_name(m), "out of memory");
	if (err || out->sz < btfci_offsetofend(struct btfc_identity, priv_))
		btfc_identity_release(&id);
	if (!err)
		btfci_result_put(out, &id, sizeof(id));
	return err;
}
