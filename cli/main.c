// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* btfcompat: command table and shared CLI helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cmd *const cmds[] = { &cmd_dump, &cmd_info, &cmd_validate, &cmd_check, &cmd_scan, &cmd_stamp,
					 &cmd_diff, &cmd_relocate, &cmd_distill, &cmd_strip,
					 &cmd_store, &cmd_identify };

int cli_error(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERROR;
}

int cli_lib_error(struct cli *cli)
{
	return cli_error(cli, "%s", btfc_ctx_last_error(cli->ctx));
}

int cli_usage(struct cli *cli, const struct cmd *cmd)
{
	/* one line, like every other error: what is wrong, and the usage */
	const char *last = optind > 1 && optind <= cli->argc ? cli->argv[optind - 1] : "";
	char what[128];

	if (optopt && optopt != '-' && strncmp(last, "--", 2))
		snprintf(what, sizeof(what), "option '-%c' is unknown or lacks its argument", optopt);
	else if (last[0] == '-' && last[1])
		snprintf(what, sizeof(what), "unknown option '%.64s'", last);
	else
		snprintf(what, sizeof(what), "wrong number of arguments");
	fprintf(stderr, "%s: %s: %s; usage: %s %s %s\n", cli->prog, cmd->name, what, cli->prog, cmd->name,
		cmd->usage);
	return EXIT_ERROR;
}

void cli_list_begin(struct cli *cli, struct out *o)
{
	out_init(o, STDOUT_FILENO, cli->mode);
	if (em_json(o))
		em_list_begin(o, NULL);
}

void cli_list_end(struct out *o)
{
	if (em_json(o)) {
		em_list_end(o);
		out_raw(o, "\n", 1);
	}
	out_flush(o);
}

bool cli_common_opt(struct cli *cli, int opt)
{
	switch (opt) {
	case 'j':
		cli->mode = OUT_JSON;
		return true;
	case 'p':
		cli->mode = OUT_JSON_PRETTY;
		return true;
	}
	return false;
}

int cli_open(struct cli *cli, const char *file, const char *base_path, struct btfc_btf **btf,
	     struct btfc_btf **base)
{
	static const char sysfs[] = "/sys/kernel/btf/";

	*btf = *base = NULL;
	if (!base_path && !strncmp(file, sysfs, sizeof(sysfs) - 1) && strcmp(file, "/sys/kernel/btf/vmlinux"))
		base_path = "/sys/kernel/btf/vmlinux";
	if (base_path && btfc_btf_open(cli->ctx, base_path, NULL, base))
		return cli_lib_error(cli);
	if (btfc_btf_open(cli->ctx, file, *base, btf)) {
		btfc_btf_free(*base);
		*base = NULL;
		return cli_lib_error(cli);
	}
	return 0;
}

void cli_close(struct btfc_btf *btf, struct btfc_btf *base)
{
	btfc_btf_free(btf);
	btfc_btf_free(base);
}

static void help(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [-j|-p] COMMAND [ARGS]\n\ncommands:\n", prog);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-9s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "\n'%s COMMAND --help' shows a command's usage; 'man btfcompat' tells more.\n", prog);
	fprintf(f, "\nexit status: 0 ok, 1 a finding (mismatch, invalid, differs), 2 usage or I/O error\n");
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = "btfcompat", .mode = OUT_TEXT };
	int i = 1, rc;

	/* global options before the verb */
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			cli.mode = OUT_JSON;
		else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			cli.mode = OUT_JSON_PRETTY;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			help(stdout, cli.prog);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("btfcompat %d.%d.%d\n", BTFC_VERSION_MAJOR, BTFC_VERSION_MINOR,
			       BTFC_VERSION_PATCH);
			return EXIT_OK;
		} else {
			fprintf(stderr, "%s: unknown option '%s' (see %s --help)\n", cli.prog, argv[i], cli.prog);
			return EXIT_ERROR;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "%s: no command given (see %s --help)\n", cli.prog, cli.prog);
		return EXIT_ERROR;
	}
	opterr = 0; /* the verbs report bad arguments in one line of their own */
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		if (strcmp(argv[i], cmds[c]->name))
			continue;
		if (i + 1 < argc && (!strcmp(argv[i + 1], "-h") || !strcmp(argv[i + 1], "--help"))) {
			printf("usage: %s %s %s\n%s\n(see man btfcompat)\n", cli.prog, cmds[c]->name, cmds[c]->usage,
			       cmds[c]->summary);
			return EXIT_OK;
		}
		cli.ctx = btfc_ctx_new();
		if (!cli.ctx)
			return cli_error(&cli, "out of memory");
		cli.argc = argc - i;
		cli.argv = argv + i;
		optopt = 0;
		rc = cmds[c]->run(&cli, argc - i, argv + i);
		btfc_ctx_free(cli.ctx);
		btfc_signer_free(cli.signer);
		return rc;
	}
	fprintf(stderr, "%s: unknown command '%s' (see %s --help)\n", cli.prog, argv[i], cli.prog);
	return EXIT_ERROR;
}
