// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * What every verb shares (bpftool's common.c): the usage error, the report's
 * beginning and end, opening a file with its base, colour, and the options
 * every verb takes with the help generated from a verb's option table
 * (cli_getopt()). The command table and main() are main.c's.
 */
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

/* "--name" is a long option of @cmd's that takes an argument */
static bool takes_arg(const struct cmd *cmd, const char *opt)
{
	for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
		if (!strcmp(opt + 2, o->name))
			return o->has_arg == required_argument;
	return false;
}

int cli_usage(struct cli *cli, const struct cmd *cmd)
{
	/* one line, like every other error: what is wrong, and the usage */
	const char *last = optind > 1 && optind <= cli->argc ? cli->argv[optind - 1] : "";
	char what[128];

	if (cli->bad_opt && optopt && optopt != '-' && strncmp(last, "--", 2))
		snprintf(what, sizeof(what), "option '-%c' is unknown or lacks its argument",
			 optopt);
	else if (cli->bad_opt && last[0] == '-' && last[1])
		snprintf(what, sizeof(what), "%s option '%.64s'",
			 takes_arg(cmd, last) ? "no argument for" : "unknown", last);
	else
		snprintf(what, sizeof(what), "wrong number of arguments");
	return cli_error(cli, "%s: %s; usage: %s %s %s", cmd->name, what, cli->prog, cmd->name,
			 cmd->usage);
}

void cli_list_begin(struct cli *cli, struct out *o)
{
	out_init(o, cli_out_fd(cli), cli->mode);
	o->color = cli_use_color(cli, o->fd);
	if (em_json(o))
		em_list_begin(o, NULL);
}

void cli_report_begin(struct cli *cli, struct out *o, const char *dest)
{
	cli_list_begin(cli, o);
	if (dest && !strcmp(dest, "-") && !cli->quiet) {
		o->fd = STDERR_FILENO;
		o->color = cli_use_color(cli, o->fd);
	}
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
	if (!base_path && !strncmp(file, sysfs, sizeof(sysfs) - 1) &&
	    strcmp(file, "/sys/kernel/btf/vmlinux"))
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

int cli_out_fd(struct cli *cli)
{
	if (!cli->quiet)
		return STDOUT_FILENO;
	if (cli->null_fd <= 0)
		cli->null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return cli->null_fd > 0 ? cli->null_fd : STDOUT_FILENO;
}

bool cli_use_color(const struct cli *cli, int fd)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (cli->mode != OUT_TEXT || cli->color == CLI_COLOR_NEVER)
		return false;
	if (cli->color == CLI_COLOR_ALWAYS)
		return true;
	/* https://no-color.org: set and not empty; a dumb terminal has no colours */
	return !(no && *no) && !(term && !strcmp(term, "dumb")) && isatty(fd);
}

/* ---- options every verb takes, the verbs' help ---- */

enum { CLI_OPT_COLOR = 0x180, CLI_OPT_MAX_MODULE };

const struct cli_opt cli_common_opts[] = {
	{ "json", no_argument, NULL, 'j', NULL,
	  "print JSON (docs/json.md: one document on standard output)", NULL },
	{ "pretty", no_argument, NULL, 'p', NULL, "print indented JSON", NULL },
	{ "quiet", no_argument, NULL, 'q', NULL, "print nothing but errors: the exit status tells",
	  NULL },
	{ "color", required_argument, NULL, CLI_OPT_COLOR, "WHEN",
	  "colour outcome words: auto (on a terminal, unless NO_COLOR is set), always, never",
	  "auto always never" },
	{ "max-module-size", required_argument, NULL, CLI_OPT_MAX_MODULE, "N[K|M|G]",
	  "the largest module image read or decompressed (default 256M)", "" },
	{ "help", no_argument, NULL, 'h', NULL, "print this help and exit", NULL },
	{ 0 },
};
_Static_assert(sizeof(cli_common_opts) / sizeof(cli_common_opts[0]) <= CLI_COMMON_OPTS_MAX,
	       "CLI_COMMON_OPTS_MAX");

/* A common option: applied to @cli; false if @opt is not one. Exits 2 on a bad value. */
bool cli_global_opt(struct cli *cli, int opt, const char *arg)
{
	static uint64_t max_module;

	switch (opt) {
	case 'j':
		cli->mode = OUT_JSON;
		return true;
	case 'p':
		cli->mode = OUT_JSON_PRETTY;
		return true;
	case 'q':
		cli->quiet = true;
		return true;
	case CLI_OPT_COLOR:
		if (!strcmp(arg, "auto"))
			cli->color = CLI_COLOR_AUTO;
		else if (!strcmp(arg, "always"))
			cli->color = CLI_COLOR_ALWAYS;
		else if (!strcmp(arg, "never"))
			cli->color = CLI_COLOR_NEVER;
		else
			exit(cli_error(cli, "%s%s--color: '%s' is not auto, always or never",
				       cli->argv ? cli->argv[0] : "", cli->argv ? ": " : "", arg));
		return true;
	case CLI_OPT_MAX_MODULE:
		if (cli_opt_size(cli, "--max-module-size", arg, &max_module))
			exit(EXIT_ERROR);
		if (cli->ctx)
			btfc_ctx_set_max_module(cli->ctx, max_module);
		cli->max_module = max_module;
		return true;
	}
	return false;
}

static size_t opts_count(const struct cli_opt *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

/* whether option @o has a one-letter form: its val in the verb's short options (or the common ones) */
static bool has_short(const struct cmd *cmd, const struct cli_opt *o, bool common)
{
	const char *shorts = common ? CLI_COMMON_SHORT : cmd->shortopts;

	return o->val > 0 && o->val < 128 && o->val != ':' && shorts && strchr(shorts, o->val);
}

/* "  -B, --base BASE     the help" */
void cli_help_line(FILE *f, const struct cmd *cmd, const struct cli_opt *o, bool common)
{
	char left[96];
	bool s = has_short(cmd, o, common);

	snprintf(left, sizeof(left), "%c%c%s--%s%s%s", s ? '-' : ' ', s ? o->val : ' ',
		 s ? ", " : "  ", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	if (strlen(left) > 30)
		fprintf(f, "  %s\n  %-30s %s\n", left, "", o->help);
	else
		fprintf(f, "  %-30s %s\n", left, o->help);
}

void cli_verb_help(FILE *f, const char *prog, const struct cmd *cmd)
{
	fprintf(f, "usage: %s %s %s\n%s\n", prog, cmd->name, cmd->usage, cmd->summary);
	if (opts_count(cmd->opts)) {
		fprintf(f, "\noptions:\n");
		for (const struct cli_opt *o = cmd->opts; o->name; o++)
			cli_help_line(f, cmd, o, false);
	}
	fprintf(f, "\noptions of every command (also before it):\n");
	for (const struct cli_opt *o = cli_common_opts; o->name; o++)
		cli_help_line(f, cmd, o, true);
	fprintf(f,
		"\nexit status: 0 ok, 1 a finding, 2 could not do the job (see man btfcompat)\n");
}

/*
 * help --list [VERB]: the verbs, or VERB's options, one a line, for the shell completions (completions/),
 * tab-separated: the option (-X or --name), its argument's name ("" without one), what completes the
 * argument (its values space-separated, @file, @dir, or "" for a value to type), the help line. A
 * verb that takes a subcommand first (store) has a line "@sub", its words in the third field.
 */
void cli_list_opts(const struct cmd *cmd, const struct cli_opt *o, bool common)
{
	for (; o->name; o++) {
		bool s = has_short(cmd, o, common);
		for (int pass = 0; pass < 1 + s; pass++) {
			if (pass)
				printf("-%c", o->val);
			else
				printf("--%s", o->name);
			printf("\t%s\t", o->arg ? o->arg : "");
			if (o->choices &&
			    !strcmp(o->choices,
				    "@kinds")) /* the BTF kinds, as the library names them */
				for (unsigned k = 1; k <= BTFC_KIND_MAX; k++) {
					for (const char *c = btfc_kind_name(k); *c; c++)
						putchar(tolower((unsigned char)*c));
					fputs(k < BTFC_KIND_MAX ? " " : "", stdout);
				}
			else if (o->arg &&
				 !o->choices) /* a file, a directory, or a value to type */
				fputs(!strcmp(o->arg, "DIR") ? "@dir" : "@file", stdout);
			else
				fputs(o->choices ? o->choices : "", stdout);
			printf("\t%s\n", o->help);
		}
	}
}

int cli_getopt(struct cli *cli, const struct cmd *cmd, int argc, char **argv)
{
	static struct option lopts[96];
	static char shorts[64];
	static int base; /* the verb's argv index before its first option, less one */
	int opt;

	if (cli->cmd != cmd) { /* first call for this verb: build its tables, restart getopt */
		size_t n = 0;
		for (const struct cli_opt *o = cmd->opts; o && o->name && n < 80; o++)
			lopts[n++] = (struct option){ o->name, o->has_arg, o->flag, o->val };
		for (const struct cli_opt *o = cli_common_opts; o->name; o++)
			lopts[n++] = (struct option){ o->name, o->has_arg, o->flag, o->val };
		lopts[n] = (struct option){ 0 };
		snprintf(shorts, sizeof(shorts), "%s%s", cmd->shortopts ? cmd->shortopts : "",
			 CLI_COMMON_SHORT);
		cli->cmd = cmd;
		base = optind > 0 ? optind - 1 : 0;
		optind = 0; /* glibc: re-initialise (argument order, the state of the last scan) */
	} else {
		optind -= base;
	}
	for (;;) {
		opt = getopt_long(argc - base, argv + base, shorts, lopts, NULL);
		if (opt == 'h') {
			cli_verb_help(stdout, cli->prog, cmd);
			exit(EXIT_OK);
		}
		if (!cli_global_opt(cli, opt, optarg))
			break;
	}
	cli->bad_opt |= opt == '?';
	optind += base;
	return opt;
}
