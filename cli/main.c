// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* btfcompat: the command table, the help and version verbs, main(). */
#include <errno.h>
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cmd *const cmds[] = { &cmd_dump,    &cmd_info,  &cmd_validate, &cmd_check,
					  &cmd_scan,    &cmd_stamp, &cmd_diff,     &cmd_relocate,
					  &cmd_distill, &cmd_strip, &cmd_store,    &cmd_identify };

static void help(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [OPTIONS] COMMAND [ARGS]\n       %s help [COMMAND] | version\n\ncommands:\n",
		prog, prog);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-9s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f,
		"\n'%s help COMMAND' (or '%s COMMAND --help') lists a command's options; 'man btfcompat' tells more.\n",
		prog, prog);
	fprintf(f, "\noptions (before or after the command):\n");
	for (const struct cli_opt *o = cli_common_opts; o->name; o++)
		cli_help_line(f, NULL, o, true);
	fprintf(f, "  -V, --version                  print the version and exit\n");
	fprintf(f,
		"\nexit status: 0 ok, 1 a finding (mismatch, invalid, differs, refused because it does not fit),\n"
		"2 could not do the job (usage, I/O error, corrupt input)\n");
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		if (!strcmp(name, cmds[c]->name))
			return cmds[c];
	return NULL;
}

static int version(void)
{
	printf("btfcompat %d.%d.%d\n", BTFC_VERSION_MAJOR, BTFC_VERSION_MINOR, BTFC_VERSION_PATCH);
	return EXIT_OK;
}

/* btfcompat help [COMMAND] | help --list [COMMAND] */
static int help_cmd(struct cli *cli, int argc, char **argv)
{
	bool list = argc > 1 && !strcmp(argv[1], "--list");
	const char *name = argc > 1 + list ? argv[1 + list] : NULL;
	const struct cmd *cmd = name ? find_cmd(name) : NULL;

	if (argc > 2 + list || (name && !cmd))
		return cli_error(cli, "help: %s%s%s (see %s help)",
				 name && !cmd ? "unknown command '" : "too many arguments",
				 name && !cmd ? name : "", name && !cmd ? "'" : "", cli->prog);
	if (!list) {
		if (cmd)
			cli_verb_help(stdout, cli->prog, cmd);
		else
			help(stdout, cli->prog);
		return EXIT_OK;
	}
	if (!cmd) {
		for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
			printf("%s\t%s\n", cmds[c]->name, cmds[c]->summary);
		printf("help\tlist the commands, or one command's options\nversion\tprint the version\n");
		cli_list_opts(NULL, cli_common_opts, true);
		printf("-V\t\t\tprint the version and exit\n--version\t\t\tprint the version and exit\n");
		return EXIT_OK;
	}
	if (cmd->subcommands)
		printf("@sub\t\t%s\tsubcommand\n", cmd->subcommands);
	if (cmd->opts)
		cli_list_opts(cmd, cmd->opts, false);
	cli_list_opts(cmd, cli_common_opts, true);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = "btfcompat", .mode = OUT_TEXT };
	struct option gl[CLI_COMMON_OPTS_MAX + 1];
	size_t n = 0;
	int opt, rc;

	/* options before the verb: the common ones and --version; getopt stops at the first word ("+") */
	for (const struct cli_opt *o = cli_common_opts; o->name; o++)
		gl[n++] = (struct option){ o->name, o->has_arg, o->flag, o->val };
	gl[n++] = (struct option){ "version", no_argument, NULL, 'V' };
	gl[n] = (struct option){ 0 };
	opterr = 0; /* bad arguments are reported in one line of our own */
	while ((opt = getopt_long(argc, argv, "+" CLI_COMMON_SHORT "V", gl, NULL)) != -1) {
		if (opt == 'h') {
			help(stdout, cli.prog);
			return EXIT_OK;
		}
		if (opt == 'V')
			return version();
		if (!cli_global_opt(&cli, opt, optarg)) {
			fprintf(stderr, "%s: unknown option '%s' (see %s --help)\n", cli.prog,
				argv[optind - 1], cli.prog);
			return EXIT_ERROR;
		}
	}
	int i = optind;
	if (i >= argc) {
		fprintf(stderr, "%s: no command given (see %s --help)\n", cli.prog, cli.prog);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[i], "help"))
		return help_cmd(&cli, argc - i, argv + i);
	if (!strcmp(argv[i], "version"))
		return i + 1 == argc ? version() : cli_error(&cli, "version takes no arguments");
	const struct cmd *cmd = find_cmd(argv[i]);
	if (!cmd) {
		fprintf(stderr, "%s: unknown command '%s' (see %s --help)\n", cli.prog, argv[i],
			cli.prog);
		return EXIT_ERROR;
	}
	if (i + 1 < argc && (!strcmp(argv[i + 1], "-h") || !strcmp(argv[i + 1], "--help"))) {
		cli_verb_help(stdout, cli.prog, cmd); /* also before a subcommand: store --help */
		return EXIT_OK;
	}
	cli.ctx = btfc_ctx_new();
	if (!cli.ctx)
		return cli_error(&cli, "out of memory");
	if (cli.max_module)
		btfc_ctx_set_max_module(cli.ctx, cli.max_module);
	cli.argc = argc - i;
	cli.argv = argv + i;
	optind = 1;
	optopt = 0;
	rc = cmd->run(&cli, argc - i, argv + i);
	btfc_ctx_free(cli.ctx);
	btfc_signer_free(cli.signer);
	if (cli.null_fd > 0)
		close(cli.null_fd);
	return rc;
}
