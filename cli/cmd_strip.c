// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat strip [--stale [--base BASE]] [--force] [--dry-run] [--backup] [-o OUT] MODULE|DIR...
 * Remove .BTF, .BTF.base and .BTF.base_checksum (objcopy --remove-section, without objcopy).
 * --stale: only from the modules whose BTF does not fit BASE (check's mismatch or
 * invalid), so that the kernel cannot publish wrong types; the others are kept.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

/* With @base: does the module's BTF fit it? 1 keep, 0 strip, -1 error (in ctx). */
static int fits(struct cli *cli, const char *path, const struct btfc_btf *base, const struct btfc_check_opts *co)
{
	struct btfc_check c;

	if (btfc_check_module(cli->ctx, path, base, co, &c))
		return -1;
	return !cli_check_finding(&c);
}

static int run(struct cli *cli, int argc, char **argv)
{
	static const struct option lopts[] = { CLI_REWRITE_LONGOPTS, { "stale", no_argument, NULL, 'S' },
					       { "base", required_argument, NULL, 'B' }, CLI_SIGN_LONGOPTS, { 0 } };
	static struct out o;
	const char *dest = NULL, *base_path = NULL;
	struct cli_paths paths = { 0 };
	struct btfc_btf *base = NULL;
	struct btfc_check_opts co = { 0 };
	unsigned flags = 0;
	int opt, rc = EXIT_OK, stale = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:B:" CLI_REWRITE_OPTS CLI_COMMON_OPTS, lopts, NULL)) != -1) {
		if (opt == 'S')
			stale = 1;
		else if (opt == 'B')
			base_path = optarg;
		else if (!cli_common_opt(cli, opt) && !cli_rewrite_opt(opt, optarg, &flags, &dest) &&
			 !cli_sign_opt(cli, opt, optarg))
			return cli_usage(cli, &cmd_strip);
	}
	if (base_path && !stale)
		return cli_error(cli, "strip: --base goes with --stale");
	if (cli_sign_setup(cli))
		return EXIT_ERROR;
	if (stale) {
		if (!base_path)
			base_path = "/sys/kernel/btf/vmlinux";
		co.old_loader = cli_old_loader(base_path);
		if (btfc_btf_open(cli->ctx, base_path, NULL, &base))
			return cli_lib_error(cli);
	}
	if (cli_collect_args(cli, &cmd_strip, argc, argv, dest, &paths)) {
		btfc_btf_free(base);
		return EXIT_ERROR;
	}
	cli_list_begin(cli, &o);
	for (size_t i = 0; i < paths.n; i++) {
		int changed = 0, keep = base ? fits(cli, paths.v[i], base, &co) : 0;
		if (keep < 0 || (!keep && btfc_module_strip(cli->ctx, paths.v[i], dest, flags, &changed))) {
			out_flush(&o);
			rc = cli_lib_error(cli);
			continue;
		}
		em_obj_begin(&o);
		em_s(&o, "file", paths.v[i]);
		em_s(&o, "result", keep ? "kept (its BTF fits the base)"
			 : !changed ? "unchanged (no BTF)"
			 : flags & BTFC_REWRITE_DRY_RUN ? "would strip" : "stripped");
		em_obj_end(&o, true);
	}
	cli_list_end(&o);
	cli_paths_free(&paths);
	btfc_btf_free(base);
	return rc;
}

const struct cmd cmd_strip = {
	.name = "strip",
	.run = run,
	.usage = "[-j|-p] [--stale [--base BASE]] [--force] [--dry-run] [--backup] " CLI_SIGN_USAGE " [-o OUT] MODULE|DIR...",
	.summary = "remove modules' BTF sections (.BTF, .BTF.base, .BTF.base_checksum); --stale: where it does not fit",
};
