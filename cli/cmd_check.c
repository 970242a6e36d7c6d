// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat check [--base BASE] [--config FILE | --mismatch-allowed yes|no] MODULE...
 * Per module: match / mismatch / invalid / no-btf, how it was decided, and
 * what the kernel running BASE will do with it.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct abi_ctx {
	struct out *o;
	const struct btfc_btf *old, *new;
	size_t n[4]; /* by enum btfc_diff_what */
	size_t moved;
};

static void on_abi(void *user, enum btfc_diff_what what, uint32_t oid, uint32_t nid)
{
	struct abi_ctx *a = user;
	const struct btfc_type *t = btfc_btf_type_by_id(a->old, oid);
	char why[512] = "";

	a->n[what]++;
	if (what == BTFC_DIFF_SAME) {
		a->moved += oid != nid;
		return;
	}
	if (what == BTFC_DIFF_CHANGED)
		btfc_diff_explain(a->old, oid, a->new, nid, why, sizeof(why));
	em_item_begin(a->o);
	em_s(a->o, "change", what == BTFC_DIFF_CHANGED ? "layout changed" : "gone");
	em_s(a->o, "kind", btfc_kind_name(btfc_type_kind(t)));
	em_quoted(a->o, "name", btfc_btf_str(a->old, t->name_off));
	em_u(a->o, "old_id", oid);
	em_u(a->o, "new_id", nid);
	if (why[0])
		em_s(a->o, "what", why);
	em_item_end(a->o);
}

/* check --abi: which base types a module uses changed between two kernels */
static int run_abi(struct cli *cli, struct out *o, const char *from, const char *to, int argc,
		   char **argv)
{
	struct btfc_btf *old, *new;
	int rc = EXIT_OK;

	if (btfc_btf_open(cli->ctx, from, NULL, &old))
		return cli_lib_error(cli);
	if (btfc_btf_open(cli->ctx, to, NULL, &new)) {
		btfc_btf_free(old);
		return cli_lib_error(cli);
	}
	struct btfc_abi_map *map;
	if (btfc_abi_map_new(cli->ctx, old, new, &map)) {
		btfc_btf_free(old);
		btfc_btf_free(new);
		return cli_lib_error(cli);
	}
	cli_list_begin(cli, o);
	for (int i = 0; i < argc; i++) {
		struct btfc_module *m;
		struct btfc_btf *mod;
		if (btfc_module_open(cli->ctx, argv[i], &m) ||
		    btfc_module_btf(cli->ctx, m, old, &mod)) {
			btfc_module_free(m);
			out_flush(o);
			rc = cli_file_error(o, argv[i], cli_lib_error(cli));
			continue;
		}
		btfc_module_free(m);
		struct abi_ctx a = { .o = o, .old = old, .new = new };
		em_obj_begin(o);
		em_s(o, "file", argv[i]);
		em_list_begin(o, "base_types");
		int err = btfc_abi_map_walk(cli->ctx, map, mod, on_abi, &a);
		em_list_end(o);
		btfc_btf_free(mod);
		if (err) {
			out_flush(o);
			rc = cli_lib_error(cli);
			continue;
		}
		size_t used = a.n[0] + a.n[1] + a.n[2] + a.n[3];
		em_u(o, "used", used);
		em_u(o, "unchanged", a.n[BTFC_DIFF_SAME] - a.moved);
		em_u(o, "moved_id_only", a.moved);
		em_u(o, "layout_changed", a.n[BTFC_DIFF_CHANGED]);
		em_u(o, "gone", a.n[BTFC_DIFF_REMOVED]);
		em_s(o, "verdict",
		     a.n[BTFC_DIFF_CHANGED] || a.n[BTFC_DIFF_REMOVED] ? "rebuild" : "relocatable");
		em_obj_end(o, true);
		if ((a.n[BTFC_DIFF_CHANGED] || a.n[BTFC_DIFF_REMOVED]) && rc == EXIT_OK)
			rc = EXIT_FINDING;
	}
	cli_list_end(o);
	btfc_abi_map_free(map);
	btfc_btf_free(old);
	btfc_btf_free(new);
	return rc;
}

static const struct cli_opt opts[] = {
	CLI_KERNEL_OPTTAB,
	{ "kernel", required_argument, NULL, 'K', "VER",
	  "whose rules apply: 6.1, 6.12, 6.18, 7.2, X.Y, newest (default: the base's)",
	  "6.1 6.12 6.18 7.2 newest" },
	{ "abi", no_argument, NULL, 'A', NULL,
	  "with --from and --to: which base types each module uses changed", NULL },
	{ "from", required_argument, NULL, 'F', "OLDBASE",
	  "with --abi: the kernel the modules were built on", NULL },
	{ "to", required_argument, NULL, 'T', "NEWBASE",
	  "with --abi: the kernel they are to run on", NULL },
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	static struct out o;
	const char *base_path = "/sys/kernel/btf/vmlinux", *config = NULL;
	char tree_base[PATH_MAX];
	int base_given = 0;
	BTFC_OPTS(btfc_check_opts, co);
	struct btfc_btf *base;
	int opt, rc = EXIT_OK, abi = 0, kernel_given = 0, allow = -1;
	const char *from = NULL, *to = NULL;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_check, argc, argv)) != -1) {
		if (opt == 'B')
			base_path = optarg, base_given = 1;
		else if (opt == 'C' && cli_opt_file(cli, "--config", optarg))
			return EXIT_ERROR;
		else if (opt == 'C')
			config = optarg;
		else if (opt == 'M' && cli_opt_yesno(cli, "--mismatch-allowed", optarg, &allow))
			return EXIT_ERROR;
		else if (opt == 'A')
			abi = 1;
		else if (opt == 'F')
			from = optarg;
		else if (opt == 'T')
			to = optarg;
		else if (opt == 'K' && cli_opt_kernel(cli, "--kernel", optarg, &co.kernel))
			return EXIT_ERROR;
		else if (opt == 'K')
			kernel_given = 1;
		else if (opt != 'M' && !cli_common_opt(cli, opt))
			return cli_usage(cli, &cmd_check);
	}
	if (optind >= argc || abi != (from && to))
		return cli_usage(cli, &cmd_check);
	if (abi)
		return run_abi(cli, &o, from, to, argc - optind, argv + optind);
	if (!base_given && cli_tree_base(cli, argc - optind, argv + optind, &base_path, tree_base,
					 sizeof(tree_base)))
		return EXIT_ERROR;
	co.mismatch_allowed = cli_mismatch_allowed(base_path, config, allow);
	if (!kernel_given)
		co.kernel = cli_base_kernel(base_path);
	/* before 6.11 the module loader ignores a .BTF.base */
	co.old_loader = cli_old_loader(base_path) ||
			(co.kernel && co.kernel < BTFC_KERNEL_VERSION(6, 11));
	co.stamp_checked = cli_stamp_checked(base_path, config);
	if (btfc_btf_open(cli->ctx, base_path, NULL, &base))
		return cli_lib_error(cli);
	cli_list_begin(cli, &o);
	for (int i = optind; i < argc; i++) {
		BTFC_OPTS(btfc_check, c);
		if (btfc_module_check(cli->ctx, argv[i], base, &co, &c)) {
			out_flush(&o);
			rc = cli_file_error(&o, argv[i], cli_lib_error(cli));
			continue;
		}
		report_check(&o, argv[i], &c);
		if (cli_check_finding(&c) && rc == EXIT_OK)
			rc = EXIT_FINDING;
		btfc_check_release(&c);
	}
	cli_list_end(&o);
	btfc_btf_free(base);
	return rc;
}

const struct cmd cmd_check = {
	.name = "check",
	.run = run,
	.usage =
		"[-j|-p] [--base BASE] [--config FILE | --mismatch-allowed yes|no] [--kernel 6.1|6.12|6.18|7.2|X.Y|newest] MODULE...  |  "
		"check --abi --from OLDBASE --to NEWBASE MODULE...",
	.summary = "does each module's BTF fit BASE, and what will that kernel do with it",
	.shortopts = "B:",
	.opts = opts,
};
