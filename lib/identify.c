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

#include "internal.h"
#include "btfcompat/stamp.h"

static void say(struct btfc_identity *id, const char *fmt, ...) BTFC_PRINTF(2, 3);
static void say(struct btfc_identity *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(id->why, sizeof(id->why), fmt, ap);
	va_end(ap);
}

/* 1 when the module carries a readable stamp (then *@st is filled), else 0. */
static int module_stamp(const struct btfc_module *m, struct btfc_stamp *st)
{
	const void *sec;
	size_t len;

	return !btfc_module_section(m, BTFC_STAMP_SECTION, &sec, &len) && !btfc_stamp_parse(sec, len, st);
}

static void by_stamp(const struct btfc_stamp *st, const struct btfc_candidate *c, size_t n, struct btfc_check *checks,
		     struct btfc_identity *id)
{
	id->method = BTFC_METHOD_STAMP;
	for (size_t i = 0; i < n; i++) {
		bool same = c[i].id.base_type_cnt == st->base_type_cnt && c[i].id.base_str_len == st->base_str_len &&
			    !memcmp(c[i].id.digest, st->digest, 32);
		if (checks) {
			memset(&checks[i], 0, sizeof(checks[i]));
			checks[i].outcome = same ? BTFC_OUTCOME_MATCH : BTFC_OUTCOME_MISMATCH;
			checks[i].method = BTFC_METHOD_STAMP;
			checks[i].strength = "certain";
		}
		if (same && id->build < 0)
			id->build = (int)i;
		id->n_fit += same;
	}
	id->strength = id->build >= 0 ? "certain" : "none";
	if (id->build >= 0)
		say(id, "stamped for this base (%u types, %u bytes of strings, SHA-256 equal)", st->base_type_cnt,
		    st->base_str_len);
	else
		say(id, "stamped for a base of %u types and %u bytes of strings (SHA-256 %02x%02x%02x%02x...) that is "
		    "none of these", st->base_type_cnt, st->base_str_len, st->digest[0], st->digest[1], st->digest[2],
		    st->digest[3]);
}

BTFC_API int btfc_module_identify(struct btfc_ctx *ctx, const struct btfc_module *m, const struct btfc_candidate *c,
				  size_t n, const struct btfc_check_opts *opts, struct btfc_check *checks,
				  struct btfc_identity *id)
{
	struct btfc_check one, *ck = NULL;
	struct btfc_stamp st;
	const void *sec;
	size_t len;
	int err = 0;

	memset(id, 0, sizeof(*id));
	id->build = -1;
	id->strength = "none";
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
		ck = checks ? &checks[i] : &one;
		if ((err = btfc_module_check(ctx, m, c[i].base, opts, ck)))
			return err;
		id->method = ck->method;
		if (ck->outcome == BTFC_OUTCOME_MATCH) {
			if (id->build < 0) {
				id->build = (int)i;
				id->strength = ck->strength;
				snprintf(id->why, sizeof(id->why), "%s", ck->evidence);
			}
			id->n_fit++;
		} else if (strcmp(ck->strength, "probable"))
			mismatch_strong++;
	}
	if (id->build < 0)
		say(id, "it fits none of the %zu bases%s", n, n ? "" : " (there are no bases to try)");
	else if (id->method == BTFC_METHOD_EVIDENCE && id->n_fit == 1 && mismatch_strong + 1 == n && n > 1)
		id->strength = "strong"; /* fits one, and every other shows a mismatch */
	return 0;
}
