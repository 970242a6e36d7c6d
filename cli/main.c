// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* btfcompat: command table and shared CLI helpers. */
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

static const struct cmd *const cmds[] = { &cmd_dump, &cmd_info, &cmd_validate, &cmd_check, &cmd_scan, &cmd_stamp,
					 &cmd_diff, &cmd_relocate, &cmd_distill, &cmd_strip,
					 &cmd_store, &cmd_identify };

static char last_msg[4096 + 1024]; /* the last error printed, for the JSON output (cli_file_error) */

static void vmsg(struct cli *cli, bool error, const char *fmt, va_list ap)
{
	char msg[sizeof(last_msg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (error)
		memcpy(last_msg, msg, sizeof(msg));
	fprintf(stderr, "%s: ", cli->prog);
	cli_safe_fputs(msg, stderr); /* file names may hold newlines and terminal escapes */
	fputc('\n', stderr);
}

int cli_error(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, true, fmt, ap);
	va_end(ap);
	return EXIT_ERROR;
}

void cli_warn(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet)
		return;
	va_start(ap, fmt);
	vmsg(cli, false, fmt, ap);
	va_end(ap);
}

int cli_lib_error(struct cli *cli)
{
	const char *hint = "";

	switch (btfc_ctx_last_reason(cli->ctx)) {
	case BTFC_REASON_SIGNED: hint = " (--unsign rewrites it without the signature; sign it again afterwards)"; break;
	case BTFC_REASON_READ_ONLY: hint = " (--rewrite-read-only rewrites it)"; break;
	case BTFC_REASON_NOT_FIT: hint = " (--force overrides)"; break;
	default: break;
	}
	return cli_error(cli, "%s%s", btfc_ctx_last_error(cli->ctx), hint);
}

int cli_lib_failure(struct cli *cli, int rc)
{
	enum btfc_reason r = btfc_ctx_last_reason(cli->ctx);
	int now = cli_lib_error(cli) == EXIT_ERROR && r != BTFC_REASON_NOT_FIT && r != BTFC_REASON_LAYOUT &&
		  r != BTFC_REASON_UNMAPPED ? EXIT_ERROR : EXIT_FINDING;
	return rc > now ? rc : now;
}

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
		snprintf(what, sizeof(what), "option '-%c' is unknown or lacks its argument", optopt);
	else if (cli->bad_opt && last[0] == '-' && last[1])
		snprintf(what, sizeof(what), "%s option '%.64s'", takes_arg(cmd, last) ? "no argument for" : "unknown", last);
	else
		snprintf(what, sizeof(what), "wrong number of arguments");
	return cli_error(cli, "%s: %s; usage: %s %s %s", cmd->name, what, cli->prog, cmd->name, cmd->usage);
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

int cli_file_error(struct out *o, const char *file, int rc)
{
	if (em_json(o)) {
		em_obj_begin(o);
		em_s(o, "file", file);
		em_s(o, "error", last_msg);
		em_obj_end(o, true);
	}
	return rc;
}

/* ---- options every verb takes, the verbs' help, the command table ---- */

enum { CLI_OPT_COLOR = 0x180, CLI_OPT_MAX_MODULE };

static const struct cli_opt common_opts[] = {
	{ "json", no_argument, NULL, 'j', NULL, "print JSON (docs/json.md: one document on standard output)", NULL },
	{ "pretty", no_argument, NULL, 'p', NULL, "print indented JSON", NULL },
	{ "quiet", no_argument, NULL, 'q', NULL, "print nothing but errors: the exit status tells", NULL },
	{ "color", required_argument, NULL, CLI_OPT_COLOR, "WHEN",
	  "colour outcome words: auto (on a terminal, unless NO_COLOR is set), always, never", "auto always never" },
	{ "max-module-size", required_argument, NULL, CLI_OPT_MAX_MODULE, "N[K|M|G]",
	  "the largest module image read or decompressed (default 256M)", "" },
	{ "help", no_argument, NULL, 'h', NULL, "print this help and exit", NULL },
	{ 0 },
};
#define COMMON_SHORT "jpqh"

/* A common option: applied to @cli; false if @opt is not one. Exits 2 on a bad value. */
static bool common_opt(struct cli *cli, int opt, const char *arg)
{
	static uint64_t max_module;

	switch (opt) {
	case 'j': cli->mode = OUT_JSON; return true;
	case 'p': cli->mode = OUT_JSON_PRETTY; return true;
	case 'q': cli->quiet = true; return true;
	case CLI_OPT_COLOR:
		if (!strcmp(arg, "auto"))
			cli->color = CLI_COLOR_AUTO;
		else if (!strcmp(arg, "always"))
			cli->color = CLI_COLOR_ALWAYS;
		else if (!strcmp(arg, "never"))
			cli->color = CLI_COLOR_NEVER;
		else
			exit(cli_error(cli, "%s%s--color: '%s' is not auto, always or never", cli->argv ? cli->argv[0] : "",
				       cli->argv ? ": " : "", arg));
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
	const char *shorts = common ? COMMON_SHORT : cmd->shortopts;

	return o->val > 0 && o->val < 128 && o->val != ':' && shorts && strchr(shorts, o->val);
}

/* "  -B, --base BASE     the help" */
static void help_line(FILE *f, const struct cmd *cmd, const struct cli_opt *o, bool common)
{
	char left[96];
	bool s = has_short(cmd, o, common);

	snprintf(left, sizeof(left), "%c%c%s--%s%s%s", s ? '-' : ' ', s ? o->val : ' ', s ? ", " : "  ", o->name,
		 o->arg ? " " : "", o->arg ? o->arg : "");
	if (strlen(left) > 30)
		fprintf(f, "  %s\n  %-30s %s\n", left, "", o->help);
	else
		fprintf(f, "  %-30s %s\n", left, o->help);
}

static void verb_help(FILE *f, const char *prog, const struct cmd *cmd)
{
	fprintf(f, "usage: %s %s %s\n%s\n", prog, cmd->name, cmd->usage, cmd->summary);
	if (opts_count(cmd->opts)) {
		fprintf(f, "\noptions:\n");
		for (const struct cli_opt *o = cmd->opts; o->name; o++)
			help_line(f, cmd, o, false);
	}
	fprintf(f, "\noptions of every command (also before it):\n");
	for (const struct cli_opt *o = common_opts; o->name; o++)
		help_line(f, cmd, o, true);
	fprintf(f, "\nexit status: 0 ok, 1 a finding, 2 could not do the job (see man btfcompat)\n");
}

/*
 * help --list [VERB]: the verbs, or VERB's options, one a line, for the shell completions (completions/),
 * tab-separated: the option (-X or --name), its argument's name ("" without one), what completes the
 * argument (its values space-separated, @file, @dir, or "" for a value to type), the help line. A
 * verb that takes a subcommand first (store) has a line "@sub", its words in the third field.
 */
static void list_opts(const struct cmd *cmd, const struct cli_opt *o, bool common)
{
	for (; o->name; o++) {
		bool s = has_short(cmd, o, common);
		for (int pass = 0; pass < 1 + s; pass++) {
			if (pass)
				printf("-%c", o->val);
			else
				printf("--%s", o->name);
			printf("\t%s\t", o->arg ? o->arg : "");
			if (o->choices && !strcmp(o->choices, "@kinds")) /* the BTF kinds, as the library names them */
				for (unsigned k = 1; k <= BTFC_KIND_MAX; k++) {
					for (const char *c = btfc_kind_name(k); *c; c++)
						putchar(tolower((unsigned char)*c));
					fputs(k < BTFC_KIND_MAX ? " " : "", stdout);
				}
			else if (o->arg && !o->choices) /* a file, a directory, or a value to type */
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
		for (const struct cli_opt *o = common_opts; o->name; o++)
			lopts[n++] = (struct option){ o->name, o->has_arg, o->flag, o->val };
		lopts[n] = (struct option){ 0 };
		snprintf(shorts, sizeof(shorts), "%s%s", cmd->shortopts ? cmd->shortopts : "", COMMON_SHORT);
		cli->cmd = cmd;
		base = optind > 0 ? optind - 1 : 0;
		optind = 0; /* glibc: re-initialise (argument order, the state of the last scan) */
	} else {
		optind -= base;
	}
	for (;;) {
		opt = getopt_long(argc - base, argv + base, shorts, lopts, NULL);
		if (opt == 'h') {
			verb_help(stdout, cli->prog, cmd);
			exit(EXIT_OK);
		}
		if (!common_opt(cli, opt, optarg))
			break;
	}
	cli->bad_opt |= opt == '?';
	optind += base;
	return opt;
}

static void help(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [OPTIONS] COMMAND [ARGS]\n       %s help [COMMAND] | version\n\ncommands:\n", prog, prog);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-9s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "\n'%s help COMMAND' (or '%s COMMAND --help') lists a command's options; 'man btfcompat' tells more.\n",
		prog, prog);
	fprintf(f, "\noptions (before or after the command):\n");
	for (const struct cli_opt *o = common_opts; o->name; o++)
		help_line(f, NULL, o, true);
	fprintf(f, "  -V, --version                  print the version and exit\n");
	fprintf(f, "\nexit status: 0 ok, 1 a finding (mismatch, invalid, differs, refused because it does not fit),\n"
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
		return cli_error(cli, "help: %s%s%s (see %s help)", name && !cmd ? "unknown command '" : "too many arguments",
				 name && !cmd ? name : "", name && !cmd ? "'" : "", cli->prog);
	if (!list) {
		if (cmd)
			verb_help(stdout, cli->prog, cmd);
		else
			help(stdout, cli->prog);
		return EXIT_OK;
	}
	if (!cmd) {
		for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
			printf("%s\t%s\n", cmds[c]->name, cmds[c]->summary);
		printf("help\tlist the commands, or one command's options\nversion\tprint the version\n");
		list_opts(NULL, common_opts, true);
		printf("-V\t\t\tprint the version and exit\n--version\t\t\tprint the version and exit\n");
		return EXIT_OK;
	}
	if (cmd->subcommands)
		printf("@sub\t\t%s\tsubcommand\n", cmd->subcommands);
	if (cmd->opts)
		list_opts(cmd, cmd->opts, false);
	list_opts(cmd, common_opts, true);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = "btfcompat", .mode = OUT_TEXT };
	struct option gl[sizeof(common_opts) / sizeof(common_opts[0]) + 1];
	size_t n = 0;
	int opt, rc;

	/* options before the verb: the common ones and --version; getopt stops at the first word ("+") */
	for (const struct cli_opt *o = common_opts; o->name; o++)
		gl[n++] = (struct option){ o->name, o->has_arg, o->flag, o->val };
	gl[n++] = (struct option){ "version", no_argument, NULL, 'V' };
	gl[n] = (struct option){ 0 };
	opterr = 0; /* bad arguments are reported in one line of our own */
	while ((opt = getopt_long(argc, argv, "+" COMMON_SHORT "V", gl, NULL)) != -1) {
		if (opt == 'h') {
			help(stdout, cli.prog);
			return EXIT_OK;
		}
		if (opt == 'V')
			return version();
		if (!common_opt(&cli, opt, optarg)) {
			fprintf(stderr, "%s: unknown option '%s' (see %s --help)\n", cli.prog, argv[optind - 1], cli.prog);
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
		fprintf(stderr, "%s: unknown command '%s' (see %s --help)\n", cli.prog, argv[i], cli.prog);
		return EXIT_ERROR;
	}
	if (i + 1 < argc && (!strcmp(argv[i + 1], "-h") || !strcmp(argv[i + 1], "--help"))) {
		verb_help(stdout, cli.prog, cmd); /* also before a subcommand: store --help */
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
