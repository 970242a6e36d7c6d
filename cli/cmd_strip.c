// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat strip [--stale [--base BASE]] [--force] [--dry-run] [--backup] [-o OUT] MODULE|DIR...
 * Remove .BTF, .BTF.base and .BTF.base_checksum (objcopy --remove-section, without objcopy).
 * --stale: only from the modules whose BTF does not fit BASE (check's mismatch or
 * invalid), so that the kernel cannot publish wrong types; the others are kept.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/*
 * Strip one module; with @base only when its BTF does not fit it (*@kept), judged on the
 * bytes that are rewritten (one read, under the rewrite's lock). 0 or -1 (error in ctx).
 */
static int strip_one(struct cli *cli, const char *path, const char *dest,
		     const struct btfc_btf *base, const struct btfc_check_opts *co, unsigned flags,
		     int *changed, int *kept)
{
	struct btfc_module *m;
	BTFC_OPTS(btfc_check, c);
	int err;

	*changed = *kept = 0;
	/* a signed module that fits is kept, not refused: the rewrite itself refuses signed ones */
	if (btfc_module_open_rw(cli->ctx, path, flags | (base ? BTFC_REWRITE_UNSIGN : 0),
				"stripping", &m))
		return -1;
	err = base ? btfc_module_check_opened(cli->ctx, m, base, co, &c) : 0;
	if (!err && base)
		*kept = !cli_check_finding(&c) && c.outcome != BTFC_OUTCOME_NO_BTF;
	if (!err && base && c.outcome == BTFC_OUTCOME_NO_BTF)
		; /* nothing to strip: "unchanged (no BTF)" */
	else if (!err && !*kept)
		err = btfc_module_strip_opened(cli->ctx, m, dest, flags, changed);
	btfc_check_release(&c);
	btfc_module_free(m);
	return err ? -1 : 0;
}

static const struct cli_opt opts[] = {
	{ "stale", no_argument, NULL, 'S', NULL,
	  "strip only the modules whose BTF does not fit BASE", NULL },
	{ "base", required_argument, NULL, 'B', "BASE",
	  "with --stale: the kernel's BTF (default /sys/kernel/btf/vmlinux)", NULL },
	{ "print0", no_argument, NULL, 0x200, NULL,
	  "standard output lists the modules stripped, each ending in NUL; the report goes to standard error",
	  NULL },
	CLI_REWRITE_OPTTAB,
	CLI_OUTPUT_OPTTAB,
	CLI_SIGN_OPTTAB,
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	static struct out o;
	const char *dest = NULL, *base_path = NULL;
	struct cli_paths paths = { 0 };
	struct btfc_btf *base = NULL;
	BTFC_OPTS(btfc_check_opts, co);
	unsigned flags = 0;
	int opt, rc = EXIT_OK, stale = 0, print0 = 0;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_strip, argc, argv)) != -1) {
		if (opt == 'S')
			stale = 1;
		else if (opt == 0x200)
			print0 = 1;
		else if (opt == 'B')
			base_path = optarg;
		else if (!cli_common_opt(cli, opt) &&
			 !cli_rewrite_opt(opt, optarg, &flags, &dest) &&
			 !cli_sign_opt(cli, opt, optarg))
			return cli_usage(cli, &cmd_strip);
	}
	if (base_path && !stale)
		return cli_error(cli, "strip: --base goes with --stale");
	if (print0 && dest && !strcmp(dest, "-"))
		return cli_error(cli, "strip: --print0 and -o - both want standard output");
	if (cli_sign_setup(cli, base_path))
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
	cli_report_begin(cli, &o, dest);
	if (print0 &&
	    !cli->quiet) /* standard output is the list of the modules stripped, the report goes to stderr */
		o.fd = STDERR_FILENO;
	for (size_t i = 0; i < paths.n; i++) {
		int changed, keep;
		if (strip_one(cli, paths.v[i], dest, base, &co, flags, &changed, &keep)) {
			out_flush(&o);
			rc = cli_lib_error(cli);
			if (em_json(&o)) { /* listed too: a reader of the JSON alone sees every module */
				em_obj_begin(&o);
				em_s(&o, "file", paths.v[i]);
				em_s(&o, "result", "error");
				em_s(&o, "error", btfc_ctx_last_message(cli->ctx));
				em_obj_end(&o, true);
			}
			continue;
		}
		if (print0 && changed) {
			fputs(paths.v[i], stdout);
			fputc(0, stdout);
		}
		em_obj_begin(&o);
		em_s(&o, "file", paths.v[i]);
		em_s(&o, "result",
		     keep                         ? "kept (its BTF fits the base)" :
		     !changed                     ? "unchanged (no BTF)" :
		     flags & BTFC_REWRITE_DRY_RUN ? "would strip" :
						    "stripped");
		em_obj_end(&o, true);
	}
	cli_list_end(&o);
	if (print0 && fflush(stdout))
		rc = cli_error(cli, "standard output: write error");
	cli_paths_free(&paths);
	btfc_btf_free(base);
	return rc;
}

const struct cmd cmd_strip = {
	.name = "strip",
	.run = run,
	.usage = "[-j|-p] [--stale [--base BASE]] " CLI_REWRITE_USAGE " " CLI_SIGN_USAGE
		 " [-o OUT] [--print0] MODULE|DIR...",
	.summary =
		"remove modules' BTF sections (.BTF, .BTF.base, .BTF.base_checksum); --stale: where it does not fit",
	.shortopts = "o:B:" CLI_REWRITE_OPTS,
	.opts = opts,
};
