// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat dump [-B BASE] [--format raw|c] FILE [format raw|c] — bpftool's
 * `btf dump file` output, byte for byte: raw (text, -j, -p) or the C header.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_opt opts[] = {
	{ "base", required_argument, NULL, 'B', "BASE", "the base of split BTF (a module's)", NULL },
	{ "format", required_argument, NULL, 'F', "FMT",
	  "raw (bpftool's text, or JSON with -j/-p) or c (the vmlinux.h header); bpftool's `FILE format c` too",
	  "raw c" },
	{ 0 },
};

/* "raw" -> 0, "c" -> 1, anything else -> -1 (bpftool's values, compared whole) */
static int parse_format(const char *s)
{
	return !strcmp(s, "raw") ? 0 : !strcmp(s, "c") ? 1 : -1;
}

static int run(struct cli *cli, int argc, char **argv)
{
	const char *base_path = NULL;
	struct btfc_btf *btf, *base;
	int opt, c_format = 0;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_dump, argc, argv)) != -1) {
		if (opt == 'B')
			base_path = optarg;
		else if (opt == 'F') {
			if ((c_format = parse_format(optarg)) < 0)
				return cli_error(cli, "unknown format '%s': raw or c", optarg);
		} else if (!cli_common_opt(cli, opt))
			return cli_usage(cli, &cmd_dump);
	}
	/* bpftool's spelling: `FILE format c` (any prefix of "format", as bpftool takes it) */
	if (optind == argc - 3 && strlen(argv[optind + 1]) <= 6 &&
	    !strncmp(argv[optind + 1], "format", strlen(argv[optind + 1]))) {
		if ((c_format = parse_format(argv[optind + 2])) < 0)
			return cli_error(cli, "unknown format '%s': raw or c", argv[optind + 2]);
		argc -= 2;
	}
	if (optind != argc - 1)
		return cli_usage(cli, &cmd_dump);
	if (c_format && cli->mode != OUT_TEXT)
		return cli_error(cli, "no JSON for the C format (as bpftool: -j/-p with raw only)");
	if (cli_open(cli, argv[optind], base_path, &btf, &base))
		return EXIT_ERROR;
	int err;
	if (c_format) {
		err = btfc_btf_dump_c(cli->ctx, btf, cli_out_fd(cli), 0);
		cli_close(btf, base);
		return err ? cli_lib_error(cli) : EXIT_OK;
	}
	enum btfc_dump_format f = cli->mode == OUT_TEXT ? BTFC_DUMP_RAW :
				  cli->mode == OUT_JSON ? BTFC_DUMP_JSON : BTFC_DUMP_JSON_PRETTY;
	err = btfc_btf_dump(btf, cli_out_fd(cli), f);
	cli_close(btf, base);
	if (err)
		return cli_error(cli, "writing output: %s", strerror(-err));
	return EXIT_OK;
}

const struct cmd cmd_dump = {
	.name = "dump",
	.run = run,
	.usage = "[-j|-p] [-B BASE] [--format raw|c] FILE [format raw|c]",
	.summary = "print every type of FILE's BTF exactly as `bpftool btf dump file` does, raw or as C",
	.shortopts = "B:",
	.opts = opts,
};
