// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat store add [--kernel VER] BASE...    store list    store verify
 * btfcompat store prune --keep N [--modules DIR] [--dry-run]
 * (each with [--store DIR]): the store of kernel bases (docs/store.md).
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "btfcompat/stamp.h"
#include "cli.h"

static void print_entry(struct out *o, const struct btfc_store_entry *e, const char *state)
{
	char when[32];
	time_t t = (time_t)e->added;
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	em_obj_begin(o);
	if (em_json(o)) {
		em_s(o, "digest", e->digest);
		em_s(o, "kernel", e->kernel);
		em_s(o, "kernels", e->kernels);
		em_u(o, "base_type_cnt", e->base_type_cnt);
		em_u(o, "base_str_len", e->base_str_len);
		em_u(o, "btf_size", e->btf_size);
		em_s(o, "added", when);
		em_s(o, "source", e->source);
		if (state)
			em_s(o, "state", state);
	} else {
		out_printf(o, "%.16s  %-32s %6u types  %s  %s", e->digest, e->kernels,
			   e->base_type_cnt, when, e->source);
		if (state)
			out_printf(o, "  %s", state);
	}
	em_obj_end(o, true);
}

static int do_add(struct cli *cli, struct btfc_store *s, const char *kernel, int argc, char **argv)
{
	static struct out o;
	int rc = EXIT_OK;

	if (kernel && argc > 1)
		return cli_error(cli, "store add: --kernel names one base");
	cli_list_begin(cli, &o);
	for (int i = 0; i < argc; i++) {
		BTFC_OPTS(btfc_store_entry, e);
		char rel[256];
		const char *k = kernel                                      ? kernel :
				cli_base_release(argv[i], rel, sizeof(rel)) ? NULL :
									      rel;
		if (!k) {
			out_flush(&o);
			rc = cli_file_error(
				&o, argv[i],
				cli_error(
					cli,
					"%s: cannot tell its kernel version from the name: give --kernel VER",
					argv[i]));
			continue;
		}
		if (btfc_store_add(cli->ctx, s, argv[i], k, &e)) {
			out_flush(&o);
			rc = cli_file_error(&o, argv[i], cli_lib_error(cli));
			continue;
		}
		print_entry(&o, &e, "stored");
	}
	cli_list_end(&o);
	return rc;
}

/* list (@verify: load each base, recomputing its digest) */
static int do_list(struct cli *cli, struct btfc_store *s, bool verify)
{
	static struct out o;
	struct btfc_store_entry *e;
	size_t n;
	int rc = EXIT_OK;

	if (btfc_store_list(cli->ctx, s, &e, &n))
		return cli_lib_error(cli);
	cli_list_begin(cli, &o);
	for (size_t i = 0; i < n; i++) {
		const char *state = NULL;
		if (e[i].meta_corrupt) {
			out_flush(&o);
			cli_error(
				cli,
				"%s/%s.meta: not a base's metadata (corrupted?): 'store prune' removes the base "
				"unless a module needs it",
				btfc_store_dir(s), e[i].digest);
			state = "metadata corrupted";
			rc = EXIT_FINDING;
		} else if (verify) {
			struct btfc_btf *btf;
			state = "ok";
			if (btfc_store_load(cli->ctx, s, e[i].digest, &btf)) {
				out_flush(&o);
				cli_lib_error(cli);
				state = "corrupted";
				rc = EXIT_FINDING;
			}
			btfc_btf_free(btf);
		}
		print_entry(&o, &e[i], state);
	}
	cli_list_end(&o);
	free(e);
	return rc;
}

/* ---- prune ---- */

struct keep {
	struct btfc_store_entry *e;
	size_t n;
	char (*why)[160]; /* why each is kept; "" to remove */
	struct cli_bases b; /* the stored bases, for identify (loaded on first need) */
	bool loaded;
	const char *store;
};

static void keep_digest(struct keep *k, const uint8_t *d, const char *why)
{
	char hx[65];

	for (int i = 0; i < 32; i++)
		sprintf(hx + 2 * i, "%02x", d[i]);
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->e[i].digest, hx) && !k->why[i][0])
			snprintf(k->why[i], sizeof(k->why[i]), "%s", why);
}

/* A module under DIR: its stamp, or for out-of-tree modules (updates/, extra/) its identified build. */
static void keep_for_module(struct cli *cli, struct keep *k, const char *path, bool out_of_tree)
{
	struct btfc_module *m;
	struct btfc_stamp st;
	const void *sec;
	size_t len;
	char why[160];

	if (btfc_module_open(cli->ctx, path, &m))
		return;
	snprintf(why, sizeof(why), "needed by %.140s",
		 strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	if (!btfc_module_section(m, BTFC_STAMP_SECTION, &sec, &len) &&
	    !btfc_stamp_parse(sec, len, &st))
		keep_digest(k, st.digest, why);
	else if (out_of_tree && btfc_module_section(m, ".BTF.base", &sec, &len) &&
		 !btfc_module_section(m, ".BTF", &sec, &len)) {
		if (!k->loaded && !cli_bases_load(cli, &k->b, k->store, NULL, 0, false))
			k->loaded = true;
		BTFC_OPTS(btfc_identity, id);
		struct btfc_check *ck = cli_checks_new(k->b.n);
		if (ck && !btfc_module_identify(cli->ctx, m, k->b.c, k->b.n, NULL, ck, &id))
			for (size_t i = 0; i < k->b.n; i++)
				if (ck[i].outcome == BTFC_OUTCOME_MATCH)
					keep_digest(k, k->b.c[i].id.digest, why);
		cli_checks_free(ck, k->b.n);
		btfc_identity_release(&id);
	}
	btfc_module_free(m);
}

static void walk_modules(struct cli *cli, struct keep *k, const char *dir, bool out_of_tree)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char p[4096];
		struct stat st;
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' ||
		    (size_t)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= sizeof(p) ||
		    lstat(p, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			walk_modules(cli, k, p,
				     out_of_tree || !strcmp(de->d_name, "updates") ||
					     !strcmp(de->d_name, "extra"));
		else if (S_ISREG(st.st_mode) && (strstr(de->d_name, ".ko") &&
						 (l > 3 && (!strcmp(de->d_name + l - 3, ".ko") ||
							    strstr(de->d_name, ".ko.")))))
			keep_for_module(cli, k, p, out_of_tree);
	}
	closedir(d);
}

static int do_prune(struct cli *cli, struct btfc_store *s, const char *store, long keep_n,
		    const char *modules, bool dry_run)
{
	static struct out o;
	struct keep k = { .store = store };
	int rc = EXIT_OK;

	if (btfc_store_list(cli->ctx, s, &k.e, &k.n))
		return cli_lib_error(cli);
	if (!(k.why = calloc(k.n ? k.n : 1, sizeof(*k.why)))) {
		free(k.e);
		return cli_error(cli, "out of memory");
	}
	/* the newest N adds, the bases of installed kernels, and what installed modules need */
	for (size_t i = 0; i < k.n && (long)i < keep_n; i++)
		snprintf(k.why[i], sizeof(k.why[i]), "one of the %ld newest", keep_n);
	for (size_t i = 0; i < k.n; i++) {
		char dir[4096], *save, list[sizeof(k.e[i].kernels)];
		snprintf(list, sizeof(list), "%s", k.e[i].kernels);
		for (char *v = strtok_r(list, " ", &save); v && !k.why[i][0];
		     v = strtok_r(NULL, " ", &save)) {
			struct stat st;
			snprintf(dir, sizeof(dir), "%s/%s", modules, v);
			if (!stat(dir, &st) && S_ISDIR(st.st_mode))
				snprintf(k.why[i], sizeof(k.why[i]), "kernel %s is installed", v);
		}
	}
	walk_modules(cli, &k, modules, false);
	cli_list_begin(cli, &o);
	for (size_t i = 0; i < k.n; i++) {
		char state[200];
		if (k.why[i][0])
			snprintf(state, sizeof(state), "kept (%s)", k.why[i]);
		else if (dry_run)
			snprintf(state, sizeof(state), "would remove");
		else if (btfc_store_remove(cli->ctx, s, k.e[i].digest)) {
			out_flush(&o);
			rc = cli_lib_error(cli);
			continue;
		} else
			snprintf(state, sizeof(state), "removed");
		print_entry(&o, &k.e[i], state);
	}
	cli_list_end(&o);
	if (k.loaded)
		cli_bases_free(&k.b);
	free(k.why);
	free(k.e);
	return rc;
}

static const struct cli_opt opts[] = {
	{ "store", required_argument, NULL, 'S', "DIR",
	  "the store (default /var/lib/btfcompat/bases, $BTFCOMPAT_STORE)", NULL },
	{ "kernel", required_argument, NULL, 'k', "VER",
	  "add: the kernel version of the one BASE (default: from its vmlinuz-VER name)", "" },
	{ "keep", required_argument, NULL, 'K', "N",
	  "prune: keep the N newest bases and those still needed", "" },
	{ "modules", required_argument, NULL, 'M', "DIR",
	  "prune: the module trees whose bases are kept (default /lib/modules)", NULL },
	{ "dry-run", no_argument, NULL, 'n', NULL, "prune: only say what would be removed", NULL },
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	const char *store = NULL, *kernel = NULL, *modules = "/lib/modules",
		   *sub = argc > 1 ? argv[1] : "";
	long keep_n = -1;
	bool dry_run = false;
	int opt, rc;

	optind = 2;
	while ((opt = cli_getopt(cli, &cmd_store, argc, argv)) != -1) {
		char *end;
		switch (opt) {
		case 'S':
			store = optarg;
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'M':
			modules = optarg;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'K':
			keep_n = strtol(optarg, &end, 10);
			if (*end || keep_n < 0)
				return cli_error(cli,
						 "store prune: --keep takes a number, not '%s'",
						 optarg);
			break;
		default:
			if (!cli_common_opt(cli, opt))
				return cli_usage(cli, &cmd_store);
		}
	}
	bool add = !strcmp(sub, "add"), prune = !strcmp(sub, "prune");
	if (!add && !prune && strcmp(sub, "list") && strcmp(sub, "verify"))
		return cli_error(cli, "store: unknown subcommand '%s' (add, list, verify, prune)",
				 sub);
	if (prune != (keep_n >= 0))
		return cli_error(cli, "store: --keep N goes with prune, and prune needs it");
	if ((kernel || optind < argc) && !add)
		return cli_error(cli, "store: --kernel and BASE arguments go with add");
	if (add != (optind < argc))
		return cli_usage(cli, &cmd_store);
	struct btfc_store *s;
	if (btfc_store_open(cli->ctx, cli_store_dir(store), add || prune ? BTFC_STORE_CREATE : 0,
			    &s))
		return cli_lib_error(cli);
	if (add)
		rc = do_add(cli, s, kernel, argc - optind, argv + optind);
	else if (prune)
		rc = do_prune(cli, s, store, keep_n, modules, dry_run);
	else
		rc = do_list(cli, s, !strcmp(sub, "verify"));
	btfc_store_free(s);
	return rc;
}

const struct cmd cmd_store = {
	.name = "store",
	.run = run,
	.usage =
		"add|list|verify|prune [-j|-p] [--store DIR] [--kernel VER] [--keep N [--modules DIR] [--dry-run]] "
		"[BASE...]",
	.summary = "the store of kernel bases (/var/lib/btfcompat/bases): add, list, verify, prune",
	.shortopts = "n",
	.opts = opts,
	.subcommands = "add list verify prune",
};
