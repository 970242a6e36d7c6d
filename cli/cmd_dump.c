// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat dump [-B BASE] [--relocate-from OLDBASE [--match layout|kernel]] [--format raw|c] FILE
 * [format raw|c] — bpftool's `btf dump file` output, byte for byte: raw (text, -j, -p) or the C
 * header. With --relocate-from, a module built on OLDBASE is relocated onto BASE in memory first
 * (as `relocate` would rewrite it), so that a stale module's header names the running kernel's types.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_opt opts[] = {
	{ "base", required_argument, NULL, 'B', "BASE", "the base of split BTF (a module's)", NULL },
	{ "relocate-from", required_argument, NULL, 'R', "OLDBASE",
	  "the module was built on OLDBASE: relocate it onto BASE in memory, then dump", NULL },
	{ "match", required_argument, NULL, 'm', "layout|kernel",
	  "with --relocate-from: base types matched with their layouts (default) or by name and size", "layout kernel" },
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

/* FILE, built on OLDBASE, relocated onto *base in memory: *btf on *base (*blob backs it) */
static int open_relocated(struct cli *cli, const char *file, const char *from_path, const char *base_path,
			  enum btfc_match match, struct btfc_btf **btf, struct btfc_btf **base, void **blob)
{
	struct btfc_btf *old = NULL, *mod = NULL;
	struct btfc_relocator *r = NULL;
	size_t len = 0;
	int rc = EXIT_ERROR, err;

	*btf = *base = NULL;
	*blob = NULL;
	if (btfc_btf_open(cli->ctx, from_path, NULL, &old) || btfc_btf_open(cli->ctx, base_path, NULL, base) ||
	    btfc_btf_open(cli->ctx, file, old, &mod) || btfc_relocator_new(cli->ctx, old, *base, &r)) {
		rc = cli_lib_error(cli);
		goto out;
	}
	err = btfc_relocator_btf(cli->ctx, r, mod, match, NULL, NULL, blob, &len, NULL);
	if (err == 1) {
		cli_error(cli, "%s: not relocated onto %s: %s", file, base_path, btfc_ctx_last_message(cli->ctx));
		rc = EXIT_FINDING;
	} else if (err || btfc_btf_parse(cli->ctx, *blob, len, file, *base, btf)) {
		rc = cli_lib_error(cli);
	} else {
		rc = EXIT_OK;
	}
out:
	btfc_relocator_free(r);
	btfc_btf_free(mod);
	btfc_btf_free(old);
	return rc;
}

static int run(struct cli *cli, int argc, char **argv)
{
	const char *base_path = NULL, *from_path = NULL;
	struct btfc_btf *btf, *base;
	enum btfc_match match = BTFC_MATCH_LAYOUT;
	void *blob = NULL;
	int opt, c_format = 0;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_dump, argc, argv)) != -1) {
		if (opt == 'B')
			base_path = optarg;
		else if (opt == 'R')
			from_path = optarg;
		else if (opt == 'm') {
			if (cli_opt_match(cli, "--match", optarg, &match))
				return EXIT_ERROR;
		} else if (opt == 'F') {
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
	if (from_path && !base_path)
		return cli_error(cli, "--relocate-from OLDBASE needs -B BASE, the base to relocate onto");
	if (from_path) {
		int rc = open_relocated(cli, argv[optind], from_path, base_path, match, &btf, &base, &blob);
		if (rc != EXIT_OK) {
			cli_close(btf, base);
			free(blob);
			return rc;
		}
	} else if (cli_open(cli, argv[optind], base_path, &btf, &base)) {
		return EXIT_ERROR;
	}
	int err;
	if (c_format) {
		err = btfc_btf_dump_c(cli->ctx, btf, cli_out_fd(cli), 0);
		cli_close(btf, base);
		free(blob);
		return err ? cli_lib_error(cli) : EXIT_OK;
	}
	enum btfc_dump_format f = cli->mode == OUT_TEXT ? BTFC_DUMP_RAW :
				  cli->mode == OUT_JSON ? BTFC_DUMP_JSON : BTFC_DUMP_JSON_PRETTY;
	err = btfc_btf_dump(btf, cli_out_fd(cli), f);
	cli_close(btf, base);
	free(blob);
	if (err)
		return cli_error(cli, "writing output: %s", strerror(-err));
	return EXIT_OK;
}

const struct cmd cmd_dump = {
	.name = "dump",
	.run = run,
	.usage = "[-j|-p] [-B BASE [--relocate-from OLDBASE [--match layout|kernel]]] [--format raw|c] FILE [format raw|c]",
	.summary = "print every type of FILE's BTF exactly as `bpftool btf dump file` does, raw or as C",
	.shortopts = "B:",
	.opts = opts,
};
