// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat check [--base BASE] [--config FILE | --mismatch-allowed yes|no] MODULE...
 * Per module: match / mismatch / invalid / no-btf, how it was decided, and
 * what the kernel running BASE will do with it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "base", required_argument, NULL, 'B' },
		{ "config", required_argument, NULL, 'C' },
		{ "mismatch-allowed", required_argument, NULL, 'M' },
		{ "kernel", required_argument, NULL, 'K' },
		{ 0 },
	};
	static struct out o;
	const char *base_path = "/sys/kernel/btf/vmlinux", *config = NULL, *allow = NULL;
	struct btfc_check_opts co = { 0 };
	struct btfc_btf *base;
	int opt, rc = EXIT_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "B:" CLI_COMMON_OPTS, lopts, NULL)) != -1) {
		if (opt == 'B')
			base_path = optarg;
		else if (opt == 'C')
			config = optarg;
		else if (opt == 'M')
			allow = optarg;
		else if (opt == 'K')
			co.kernel = !strcmp(optarg, "6.1") ? BTFC_KERNEL_6_1 : !strcmp(optarg, "6.12") ? BTFC_KERNEL_6_12 : 0;
		else if (!cli_common_opt(cli, opt))
			return cli_usage(cli, &cmd_check);
	}
	if (optind >= argc)
		return cli_usage(cli, &cmd_check);
	co.mismatch_allowed = cli_mismatch_allowed(base_path, config, allow);
	if (btfc_btf_open(cli->ctx, base_path, NULL, &base))
		return cli_lib_error(cli);
	cli_list_begin(cli, &o);
	for (int i = optind; i < argc; i++) {
		struct btfc_check c;
		if (btfc_check_module(cli->ctx, argv[i], base, &co, &c)) {
			out_flush(&o);
			rc = cli_lib_error(cli);
			continue;
		}
		report_check(&o, argv[i], &c);
		if ((c.outcome == BTFC_OUTCOME_MISMATCH || c.outcome == BTFC_OUTCOME_INVALID) && rc == EXIT_OK)
			rc = EXIT_FINDING;
	}
	cli_list_end(&o);
	btfc_btf_free(base);
	return rc;
}

const struct cmd cmd_check = {
	.name = "check",
	.run = run,
	.usage = "[-j|-p] [--base BASE] [--config FILE | --mismatch-allowed yes|no] MODULE...",
	.summary = "does each module's BTF fit BASE, and what will that kernel do with it",
};
