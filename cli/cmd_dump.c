// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* btfcompat dump [-B BASE] FILE — bpftool's `btf dump file` output, byte for byte. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
	const char *base_path = NULL;
	struct btfc_btf *btf, *base;
	int opt;

	optind = 1;
	static const struct option lopts[] = { { "base", required_argument, NULL, 'B' }, { 0 } };

	while ((opt = getopt_long(argc, argv, "B:" CLI_COMMON_OPTS, lopts, NULL)) != -1) {
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
	int err = btfc_btf_dump(btf, STDOUT_FILENO, f);
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
};
