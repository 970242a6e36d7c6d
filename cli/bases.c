// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The candidate bases of identify, relocate and distill without --from/--base:
 * every --base given, every base in the store, and (unless --no-installed) the
 * installed kernels (/boot/vmlinuz-VER, /usr/lib/modules/VER/vmlinuz) and the
 * running kernel (/sys/kernel/btf/vmlinux). Bases with the same digest are
 * one candidate (named after the first). A stored base that fails its digest
 * check is reported on stderr and skipped.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "btfcompat/stamp.h"
#include "cli.h"

const char *cli_store_dir(const char *opt)
{
	const char *env = getenv("BTFCOMPAT_STORE");

	return opt ? opt : env && *env ? env : BTFC_STORE_DEFAULT_DIR;
}

/* Add one base (takes over @btf); 0, or 1 when it was a duplicate (freed). */
static int add(struct cli *cli, struct cli_bases *b, const char *name, struct btfc_btf *btf)
{
	struct btfc_stamp st;

	if (btfc_stamp_compute(cli->ctx, btf, &st)) {
		fprintf(stderr, "%s: %s (skipped)\n", cli->prog, btfc_ctx_last_error(cli->ctx));
		btfc_btf_free(btf);
		return 1;
	}
	for (size_t i = 0; i < b->n; i++)
		if (!memcmp(b->c[i].id.digest, st.digest, 32)) {
			btfc_btf_free(btf);
			return 1;
		}
	struct btfc_candidate *nc = realloc(b->c, (b->n + 1) * sizeof(*nc));
	if (!nc) {
		btfc_btf_free(btf);
		return cli_error(cli, "out of memory");
	}
	b->c = nc;
	nc[b->n] = (struct btfc_candidate){ .name = strdup(name),
					    .base = btf,
					    .id = { st.base_type_cnt, st.base_str_len, { 0 } } };
	memcpy(nc[b->n].id.digest, st.digest, 32);
	if (!nc[b->n].name) {
		btfc_btf_free(btf);
		return cli_error(cli, "out of memory");
	}
	b->n++;
	return 0;
}

static void add_path(struct cli *cli, struct cli_bases *b, const char *path, const char *name,
		     bool quiet)
{
	struct btfc_btf *btf;

	if (btfc_btf_open(cli->ctx, path, NULL, &btf)) {
		if (!quiet)
			fprintf(stderr, "%s: %s (skipped)\n", cli->prog,
				btfc_ctx_last_error(cli->ctx));
		return;
	}
	add(cli, b, name, btf);
}

/* Every image matching @pattern, named after its kernel release (cli_base_release(): the image layouts). */
static void add_glob(struct cli *cli, struct cli_bases *b, const char *pattern)
{
	glob_t g;

	if (glob(pattern, 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char rel[256];
		const char *p = g.gl_pathv[i];
		add_path(cli, b, p, cli_base_release(p, rel, sizeof(rel)) ? p : rel, false);
	}
	globfree(&g);
}

int cli_bases_load(struct cli *cli, struct cli_bases *b, const char *store_dir, char *const *extra,
		   size_t n_extra, bool installed)
{
	struct btfc_store *s = NULL;

	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < n_extra; i++) {
		struct btfc_btf *btf;
		char rel[256];
		if (btfc_btf_open(cli->ctx, extra[i], NULL, &btf))
			return cli_lib_error(cli);
		if (add(cli, b, cli_base_release(extra[i], rel, sizeof(rel)) ? extra[i] : rel,
			btf) < 0)
			return EXIT_ERROR;
	}
	if (!btfc_store_open(cli->ctx, cli_store_dir(store_dir), BTFC_STORE_READ_ONLY, &s)) {
		struct btfc_store_entry *e;
		size_t n;
		if (!btfc_store_list(cli->ctx, s, &e, &n)) {
			for (size_t i = 0; i < n; i++) {
				struct btfc_btf *btf;
				if (e[i].meta_corrupt)
					continue; /* unnamed: reported by store verify, removed by store prune */
				if (btfc_store_load(cli->ctx, s, e[i].digest, &btf))
					cli_warn(cli, "%s", btfc_ctx_last_error(cli->ctx));
				else { /* named after the first kernel it was stored for */
					e[i].kernels[strcspn(e[i].kernels, " ")] = 0;
					add(cli, b, e[i].kernels, btf);
				}
			}
			free(e);
		}
		btfc_store_free(s);
	}
	if (installed) {
		struct utsname u;
		char running[300];
		/* where distributions install kernel images (cli_base_release()); one base read twice is kept once */
		static const char *const where[] = { "/boot/vmlinuz-*", "/boot/vmlinux-*",
						     "/usr/lib/modules/*/vmlinuz",
						     "/usr/lib/modules/*/vmlinuz.unsigned" };
		for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
			add_glob(cli, b, where[i]);
		snprintf(running, sizeof(running), "%s (running)", uname(&u) ? "?" : u.release);
		add_path(cli, b, "/sys/kernel/btf/vmlinux", running, true);
	}
	return 0;
}

const char *cli_bases_names(const struct cli_bases *b, size_t skip, char *buf, size_t cap)
{
	size_t l = 0;

	buf[0] = 0;
	for (size_t i = 0; i < b->n && l + 1 < cap; i++)
		if (i != skip)
			l += snprintf(buf + l, cap - l, "%s%s", l ? ", " : "", b->c[i].name);
	return buf;
}

void cli_bases_free(struct cli_bases *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free((char *)b->c[i].name);
		btfc_btf_free((struct btfc_btf *)b->c[i].base);
	}
	free(b->c);
	memset(b, 0, sizeof(*b));
}

struct btfc_check *cli_checks_new(size_t n)
{
	struct btfc_check *ck = calloc(n ? n : 1, sizeof(*ck));

	for (size_t i = 0; ck && i < n; i++)
		ck[i].sz = sizeof(ck[i]);
	return ck;
}

void cli_checks_free(struct btfc_check *ck, size_t n)
{
	for (size_t i = 0; ck && i < n; i++)
		btfc_check_release(&ck[i]);
	free(ck);
}

int cli_bases_identify(struct cli *cli, const struct cli_bases *b, const char *path,
		       const char *opt, size_t *idx)
{
	struct btfc_check *ck = cli_checks_new(b->n);
	BTFC_OPTS(btfc_identity, id);
	struct btfc_module *m = NULL;
	char names[2048];
	int rc = EXIT_OK;

	if (!ck)
		return cli_error(cli, "out of memory");
	if (btfc_module_open(cli->ctx, path, &m) ||
	    btfc_module_identify(cli->ctx, m, b->c, b->n, NULL, ck, &id))
		rc = cli_lib_error(cli);
	else if (id.build < 0)
		rc = cli_error(
			cli,
			"%s: cannot tell which base its BTF was built on: %s%s; bases tried: %s (give it "
			"with %s, or add it to the store)",
			path, id.method == BTFC_METHOD_STAMP ? id.why : "",
			id.method == BTFC_METHOD_STAMP ? "" : "it fits none of them",
			b->n ? cli_bases_names(b, SIZE_MAX, names, sizeof(names)) : "none", opt);
	else if (id.n_fit > 1) {
		size_t l = 0;
		for (size_t i = 0; i < b->n; i++)
			if (ck[i].outcome == BTFC_OUTCOME_MATCH)
				l += snprintf(names + l, l < sizeof(names) ? sizeof(names) - l : 0,
					      "%s%s", l ? ", " : "", b->c[i].name);
		rc = cli_error(
			cli,
			"%s: its BTF fits %u bases, cannot tell which it was built on: %s (give it with %s)",
			path, id.n_fit, names, opt);
	} else
		*idx = (size_t)id.build;
	btfc_module_free(m);
	cli_checks_free(ck, b->n);
	btfc_identity_release(&id);
	return rc;
}
