// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat dump [-B BASE] [--relocate-from OLDBASE [--match layout|kernel]] [--format raw|c]
 * [--c-style 7.1|7.5|7.8] FILE [[file] FILE]... [format raw|c] [unsorted] — bpftool's `btf dump
 * file` output, byte for byte: raw (text, -j, -p) or the C header, in the form of Debian 12's
 * bpftool (7.1) or, with --c-style, of a newer one. Several modules on one base are merged and
 * deduplicated into one (btfc_btf_merge, as bpftool >= 7.7). With --relocate-from, a module built
 * on OLDBASE is relocated onto BASE in memory first (as `relocate` would rewrite it), so that a
 * stale module's header names the running kernel's types.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_opt opts[] = {
	{ "base", required_argument, NULL, 'B', "BASE", "the base of split BTF (a module's)",
	  NULL },
	{ "relocate-from", required_argument, NULL, 'R', "OLDBASE",
	  "the module was built on OLDBASE: relocate it onto BASE in memory, then dump", NULL },
	{ "match", required_argument, NULL, 'm', "layout|kernel",
	  "with --relocate-from: base types matched with their layouts (default) or by name and size",
	  "layout kernel" },
	{ "c-style", required_argument, NULL, 'S', "7.1|7.5|7.8",
	  "the C header as Debian 12's bpftool 7.1 writes it (default), Debian 13's 7.5 or unstable's 7.8",
	  "7.1 7.5 7.8" },
	{ "format", required_argument, NULL, 'F', "FMT",
	  "raw (bpftool's text, or JSON with -j/-p) or c (the vmlinux.h header); bpftool's `FILE format c` too",
	  "raw c" },
	{ 0 },
};

/* bpftool's keywords: any prefix ("fo" for format), as bpftool's is_prefix() */
static bool is_prefix(const char *s, const char *word)
{
	return *s && !strncmp(s, word, strlen(s));
}

/* "raw" -> 0, "c" -> 1, anything else -> -1 (bpftool's values, compared whole) */
static int parse_format(const char *s) { return !strcmp(s, "raw") ? 0 : !strcmp(s, "c") ? 1 : -1; }

/* FILE, built on OLDBASE, relocated onto *base in memory: *btf on *base (*blob backs it) */
static int open_relocated(struct cli *cli, const char *file, const char *from_path,
			  const char *base_path, enum btfc_match match, struct btfc_btf **btf,
			  struct btfc_btf **base, void **blob)
{
	struct btfc_btf *old = NULL, *mod = NULL;
	struct btfc_relocator *r = NULL;
	size_t len = 0;
	int rc = EXIT_ERROR, err;

	*btf = *base = NULL;
	*blob = NULL;
	if (btfc_btf_open(cli->ctx, from_path, NULL, &old) ||
	    btfc_btf_open(cli->ctx, base_path, NULL, base) ||
	    btfc_btf_open(cli->ctx, file, old, &mod) ||
	    btfc_relocator_new(cli->ctx, old, *base, &r)) {
		rc = cli_lib_error(cli);
		goto out;
	}
	err = btfc_relocator_btf(cli->ctx, r, mod, match, NULL, NULL, blob, &len, NULL);
	if (err == 1) {
		cli_error(cli, "%s: not relocated onto %s: %s", file, base_path,
			  btfc_ctx_last_message(cli->ctx));
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

#define MAX_FILES 64 /* bpftool's MAX_BTF_FILES */

/* several modules on one base: merged and deduplicated into one split BTF (*blob backs it) */
static int open_merged(struct cli *cli, const char **files, int n, const char *base_path,
		       struct btfc_btf **btf, struct btfc_btf **base, void **blob)
{
	struct btfc_btf *mods[MAX_FILES] = { 0 };
	size_t len = 0;
	int rc = EXIT_OK, i;

	*btf = *base = NULL;
	*blob = NULL;
	if (btfc_btf_open(cli->ctx, base_path, NULL, base))
		return cli_lib_error(cli);
	for (i = 0; i < n && rc == EXIT_OK; i++)
		if (btfc_btf_open(cli->ctx, files[i], *base, &mods[i]))
			rc = cli_lib_error(cli);
	if (rc == EXIT_OK && (btfc_btf_merge(cli->ctx, (const struct btfc_btf *const *)mods,
					     (size_t)n, blob, &len) ||
			      btfc_btf_parse(cli->ctx, *blob, len, files[0], *base, btf)))
		rc = cli_lib_error(cli);
	for (i = 0; i < n; i++)
		btfc_btf_free(mods[i]);
	return rc;
}

static int run(struct cli *cli, int argc, char **argv)
{
	static const char sysfs[] = "/sys/kernel/btf/", sysfs_vmlinux[] = "/sys/kernel/btf/vmlinux";
	const char *base_path = NULL, *from_path = NULL, *files[MAX_FILES];
	struct btfc_btf *btf = NULL, *base = NULL;
	enum btfc_match match = BTFC_MATCH_LAYOUT;
	void *blob = NULL;
	int opt, c_format = 0, nfiles = 0, i, rc;
	unsigned style = BTFC_DUMP_C_7_1, unsorted = 0;
	uint32_t roots[16]; /* bpftool's MAX_ROOT_IDS */
	size_t nroots = 0;

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
		} else if (opt == 'S') {
			if (!strcmp(optarg, "7.1"))
				style = BTFC_DUMP_C_7_1;
			else if (!strcmp(optarg, "7.5"))
				style = BTFC_DUMP_C_7_5;
			else if (!strcmp(optarg, "7.8"))
				style = BTFC_DUMP_C_7_8;
			else
				return cli_error(cli, "unknown --c-style '%s': 7.1, 7.5 or 7.8",
						 optarg);
		} else if (!cli_common_opt(cli, opt))
			return cli_usage(cli, &cmd_dump);
	}
	/* FILE [file FILE]... [format raw|c] [unsorted]: bpftool's spelling; a FILE alone is ours too */
	for (i = optind; i < argc; i++) {
		const char *a = argv[i];
		if (nfiles && i + 1 < argc && is_prefix(a, "file"))
			a = argv[++i];
		else if (nfiles && i + 1 < argc && strlen(a) <= 6 && is_prefix(a, "format")) {
			if ((c_format = parse_format(argv[++i])) < 0)
				return cli_error(cli, "unknown format '%s': raw or c", argv[i]);
			continue;
		} else if (nfiles && is_prefix(a, "unsorted")) {
			unsorted = BTFC_DUMP_C_UNSORTED;
			continue;
		} else if (nfiles && i + 1 < argc && is_prefix(a, "root_id")) {
			char *end;
			unsigned long v;
			errno = 0;
			v = strtoul(argv[++i], &end, 0);
			if (errno || *end || !*argv[i] || v > UINT32_MAX)
				return cli_error(cli, "dump: can't parse %s as root ID", argv[i]);
			if (nroots == sizeof(roots) / sizeof(roots[0]))
				return cli_error(cli, "dump: only %zu root_id are supported",
						 nroots);
			roots[nroots++] = (uint32_t)v;
			continue;
		}
		if (nfiles == MAX_FILES)
			return cli_error(cli, "too many BTF files (at most %d)", MAX_FILES);
		files[nfiles++] = a;
	}
	if (!nfiles)
		return cli_usage(cli, &cmd_dump);
	if (nroots && !c_format)
		return cli_error(
			cli,
			"dump: root_id is taken with format c only (bpftool 7.8 takes it with raw too)");
	if (c_format && cli->mode != OUT_TEXT)
		return cli_error(cli, "no JSON for the C format (as bpftool: -j/-p with raw only)");
	if (from_path && !base_path)
		return cli_error(
			cli, "--relocate-from OLDBASE needs -B BASE, the base to relocate onto");
	if (nfiles > 1) {
		/* as bpftool: the running kernel's vmlinux among several is skipped (the base of the
		 * /sys/kernel/btf/ modules, which take it by default), or alone when all are it */
		int n = 0;
		for (i = 0; i < nfiles; i++)
			if (strcmp(files[i], sysfs_vmlinux))
				files[n++] = files[i];
		nfiles = n ? n : 1;
		if (!n)
			files[0] = sysfs_vmlinux;
		for (i = 0; i < nfiles && nfiles > 1 && !base_path; i++)
			if (!strncmp(files[i], sysfs, sizeof(sysfs) - 1))
				base_path = sysfs_vmlinux;
		if (nfiles > 1 && !base_path)
			return cli_error(
				cli,
				"dump: several FILEs are merged on one base: give it with -B BASE "
				"(or give /sys/kernel/btf/ paths)");
		if (nfiles > 1 && from_path)
			return cli_error(cli, "dump: --relocate-from takes one FILE, not several");
	}
	if (from_path)
		rc = open_relocated(cli, files[0], from_path, base_path, match, &btf, &base, &blob);
	else if (nfiles > 1)
		rc = open_merged(cli, files, nfiles, base_path, &btf, &base, &blob);
	else
		rc = cli_open(cli, files[0], base_path, &btf, &base) ? EXIT_ERROR : EXIT_OK;
	if (rc != EXIT_OK) {
		cli_close(btf, base);
		free(blob);
		return rc;
	}
	int err;
	if (c_format) {
		err = btfc_btf_dump_c_roots(cli->ctx, btf, cli_out_fd(cli),
					    style | (style ? unsorted : 0), roots, nroots);
		cli_close(btf, base);
		free(blob);
		return err ? cli_lib_error(cli) : EXIT_OK;
	}
	enum btfc_dump_format f = cli->mode == OUT_TEXT ? BTFC_DUMP_RAW :
				  cli->mode == OUT_JSON ? BTFC_DUMP_JSON :
							  BTFC_DUMP_JSON_PRETTY;
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
	.usage =
		"[-j|-p] [-B BASE [--relocate-from OLDBASE [--match layout|kernel]]] [--format raw|c] [--c-style 7.1|7.5|7.8] "
		"FILE [[file] FILE]... [format raw|c] [unsorted] [root_id ID]...",
	.summary =
		"print every type of FILE's BTF exactly as `bpftool btf dump file` does, raw or as C; "
		"several modules merged on their base",
	.shortopts = "B:",
	.opts = opts,
};
