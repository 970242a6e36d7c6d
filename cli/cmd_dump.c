// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* btfcompat dump [-B BASE] FILE — bpftool's `btf dump file` output, byte for byte. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_opt opts[] = {
	{ "base", required_argument, NULL, 'B', "BASE", "the base of split BTF (a module's)", NULL },
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	const char *base_path = NULL;
	struct btfc_btf *btf, *base;
	int opt;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_dump, argc, argv)) != -1) {
		if (opt == 'B')
			base_path = optarg;
		else if (!cli_common_opt(cli, opt))
			return cli_usage(cli, &cmd_dump);
	}
	if (optind != argc - 1)
		return cli_usage(cli, &cmd_dump);
	if (cli_open(cli, argv[optind], base_path, &btf, &base))
		return EXIT_ERROR;
	enum btfc_dump_format f = cli->mode == OUT_TEXT ? BTFC_DUMP_RAW :
				  cli->mode == OUT_JSON ? BTFC_DUMP_JSON : BTFC_DUMP_JSON_PRETTY;
	int err = btfc_btf_dump(btf, cli_out_fd(cli), f);
	cli_close(btf, base);
	if (err)
		return cli_error(cli, "writing output: %s", strerror(-err));
	return EXIT_OK;
}

const struct cmd cmd_dump = {
	.name = "dump",
	.run = run,
	.usage = "[-j|-p] [-B BASE] FILE",
	.summary = "print every type of FILE's BTF exactly as `bpftool btf dump file` does",
	.shortopts = "B:",
	.opts = opts,
};
