// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat strip [--force] [--dry-run] [--backup] [-o OUT] MODULE|DIR...
 * Remove .BTF, .BTF.base and .BTF.base_checksum (objcopy --remove-section, without objcopy).
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
	static const struct option lopts[] = { CLI_REWRITE_LONGOPTS, { 0 } };
	static struct out o;
	const char *dest = NULL;
	struct cli_paths paths = { 0 };
	unsigned flags = 0;
	int opt, rc = EXIT_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:" CLI_REWRITE_OPTS CLI_COMMON_OPTS, lopts, NULL)) != -1)
		if (!cli_common_opt(cli, opt) && !cli_rewrite_opt(opt, optarg, &flags, &dest))
			return cli_usage(cli, &cmd_strip);
	if (cli_collect_args(cli, &cmd_strip, argc, argv, dest, &paths))
		return EXIT_ERROR;
	cli_list_begin(cli, &o);
	for (size_t i = 0; i < paths.n; i++) {
		int changed;
		if (btfc_module_strip(cli->ctx, paths.v[i], dest, flags, &changed)) {
			out_flush(&o);
			rc = cli_lib_error(cli);
			continue;
		}
		em_obj_begin(&o);
		em_s(&o, "file", paths.v[i]);
		em_s(&o, "result", !changed ? "unchanged (no BTF)" : flags & BTFC_REWRITE_DRY_RUN ? "would strip" : "stripped");
		em_obj_end(&o, true);
	}
	cli_list_end(&o);
	cli_paths_free(&paths);
	return rc;
}

const struct cmd cmd_strip = {
	.name = "strip",
	.run = run,
	.usage = "[-j|-p] [--force] [--dry-run] [--backup] [-o OUT] MODULE|DIR...",
	.summary = "remove modules' BTF sections (.BTF, .BTF.base, .BTF.base_checksum)",
};
