// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat distill [--base BASE | [--store DIR] [--no-installed]] [--force] [--dry-run] [--backup] [--sign-*]
 *                   [-o OUT] MODULE|DIR...
 * Give each module a distilled .BTF.base so that kernels >= 6.11 relocate its BTF at load.
 * Without --base, each module's base is the one identify finds (stored bases, installed kernels).
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static const struct cli_opt opts[] = {
	{ "base", required_argument, NULL, 'B', "BASE",
	  "the base the modules were built on (default: the one identify finds)", NULL },
	{ "store", required_argument, NULL, 'S', "DIR",
	  "without --base: the store of bases to look in", NULL },
	{ "no-installed", no_argument, NULL, 'N', NULL,
	  "without --base: leave out the installed kernels", NULL },
	CLI_REWRITE_OPTTAB,
	CLI_OUTPUT_OPTTAB,
	CLI_SIGN_OPTTAB,
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	static struct out o;
	const char *base_path = NULL, *dest = NULL, *store = NULL;
	struct cli_bases cands = { 0 };
	bool installed = true;
	struct cli_paths paths = { 0 };
	struct btfc_btf *base = NULL;
	unsigned flags = 0;
	int opt, rc = EXIT_OK;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_distill, argc, argv)) != -1) {
		if (opt == 'B')
			base_path = optarg;
		else if (opt == 'S')
			store = optarg;
		else if (opt == 'N')
			installed = false;
		else if (!cli_common_opt(cli, opt) &&
			 !cli_rewrite_opt(opt, optarg, &flags, &dest) &&
			 !cli_sign_opt(cli, opt, optarg))
			return cli_usage(cli, &cmd_distill);
	}
	if (cli_sign_setup(cli, base_path))
		return EXIT_ERROR;
	if (cli_collect_args(cli, &cmd_distill, argc, argv, dest, &paths))
		return EXIT_ERROR;
	if (base_path ? btfc_btf_open(cli->ctx, base_path, NULL, &base) != 0 :
			cli_bases_load(cli, &cands, store, NULL, 0, installed) != 0) {
		cli_paths_free(&paths);
		return base_path ? cli_lib_error(cli) : EXIT_ERROR;
	}
	cli_report_begin(cli, &o, dest);
	for (size_t i = 0; i < paths.n; i++) {
		int changed;
		size_t k;
		if (!base_path && cli_bases_identify(cli, &cands, paths.v[i], "--base", &k)) {
			out_flush(&o);
			rc = cli_file_error(&o, paths.v[i], EXIT_ERROR); /* printed */
			continue;
		}
		if (btfc_module_distill(cli->ctx, paths.v[i], dest,
					base_path ? base : cands.c[k].base, flags, &changed)) {
			out_flush(&o);
			rc = cli_file_error(&o, paths.v[i], cli_lib_failure(cli, rc));
			continue;
		}
		em_obj_begin(&o);
		em_s(&o, "file", paths.v[i]);
		em_s(&o, "result",
		     !changed                     ? "unchanged (already has a .BTF.base)" :
		     flags & BTFC_REWRITE_DRY_RUN ? "would distill" :
						    "distilled");
		em_obj_end(&o, true);
	}
	cli_list_end(&o);
	cli_paths_free(&paths);
	cli_bases_free(&cands);
	btfc_btf_free(base);
	return rc;
}

const struct cmd cmd_distill = {
	.name = "distill",
	.run = run,
	.usage = "[-j|-p] [--base BASE | [--store DIR] [--no-installed]] " CLI_REWRITE_USAGE
		 " " CLI_SIGN_USAGE " [-o OUT] MODULE|DIR...",
	.summary = "give modules a distilled .BTF.base, relocated by kernels >= 6.11 at load",
	.shortopts = "B:o:" CLI_REWRITE_OPTS,
	.opts = opts,
};
