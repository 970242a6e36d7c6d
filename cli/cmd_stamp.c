// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat stamp [--base BASE] [--force] [--dry-run] [--backup] MOD...
 * btfcompat stamp --print [--base BASE]
 * Add or replace each module's .BTF.base_checksum (docs/stamp.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "btfcompat/stamp.h"
#include "cli.h"

static void hex(char *out, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void print_stamp(struct out *o, const char *file, const char *state,
			const struct btfc_stamp *st)
{
	char dg[65];

	hex(dg, st->digest, 32);
	em_obj_begin(o);
	em_s(o, "file", file);
	em_s(o, "stamp", state);
	em_u(o, "base_type_cnt", st->base_type_cnt);
	em_u(o, "base_str_len", st->base_str_len);
	em_s(o, "sha256", dg);
	em_obj_end(o, true);
}

static const struct cli_opt opts[] = {
	{ "base", required_argument, NULL, 'B', "BASE",
	  "the base the modules were built on (default /sys/kernel/btf/vmlinux)", NULL },
	{ "print", no_argument, NULL, 'P', NULL, "print the stamp of BASE, write nothing", NULL },
	CLI_REWRITE_OPTTAB,
	CLI_SIGN_OPTTAB,
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	static struct out o;
	const char *base_path = "/sys/kernel/btf/vmlinux";
	unsigned flags = 0;
	int opt, print = 0, rc = EXIT_OK;
	struct btfc_btf *base;
	struct btfc_stamp st;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_stamp, argc, argv)) != -1) {
		switch (opt) {
		case 'B':
			base_path = optarg;
			break;
		case 'P':
			print = 1;
			break;
		default:
			if (!cli_common_opt(cli, opt) &&
			    !cli_rewrite_opt(opt, optarg, &flags, NULL) &&
			    !cli_sign_opt(cli, opt, optarg))
				return cli_usage(cli, &cmd_stamp);
		}
	}
	if (print == (optind < argc))
		return cli_usage(cli, &cmd_stamp);
	if (cli_sign_setup(cli, base_path))
		return EXIT_ERROR;
	if (btfc_btf_open(cli->ctx, base_path, NULL, &base))
		return cli_lib_error(cli);
	if (btfc_stamp_compute(cli->ctx, base, &st)) {
		btfc_btf_free(base);
		return cli_lib_error(cli);
	}
	cli_list_begin(cli, &o);
	if (print)
		print_stamp(&o, base_path, "base", &st);
	for (int i = optind; i < argc; i++) {
		int changed;
		if (btfc_module_stamp(cli->ctx, argv[i], base, flags, &changed)) {
			out_flush(&o);
			rc = cli_file_error(&o, argv[i],
					    cli_lib_failure(cli, rc)); /* go on with the others */
			continue;
		}
		print_stamp(&o, argv[i],
			    !changed                     ? "unchanged" :
			    flags & BTFC_REWRITE_DRY_RUN ? "would stamp" :
							   "stamped",
			    &st);
	}
	cli_list_end(&o);
	btfc_btf_free(base);
	return rc;
}

const struct cmd cmd_stamp = {
	.name = "stamp",
	.run = run,
	.usage = "[-j|-p] [--base BASE] " CLI_REWRITE_USAGE " " CLI_SIGN_USAGE
		 " MODULE...  |  stamp --print [--base BASE]",
	.summary = "record in each module's .BTF.base_checksum which base its BTF was built on",
	.shortopts = "B:" CLI_REWRITE_OPTS,
	.opts = opts,
};
