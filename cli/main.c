// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* btfcompat: command table and shared CLI helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cmd *const cmds[] = { &cmd_dump, &cmd_info, &cmd_validate, &cmd_check, &cmd_scan, &cmd_stamp,
					 &cmd_diff, &cmd_relocate, &cmd_distill, &cmd_strip,
					 &cmd_store, &cmd_identify };

static void vmsg(struct cli *cli, const char *fmt, va_list ap)
{
	char msg[4096 + 1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: ", cli->prog);
	cli_safe_fputs(msg, stderr); /* file names may hold newlines and terminal escapes */
	fputc('\n', stderr);
}

int cli_error(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, fmt, ap);
	va_end(ap);
	return EXIT_ERROR;
}

void cli_warn(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cli, fmt, ap);
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
	return cli_error(cli, "%s: %s; usage: %s %s %s", cmd->name, what, cli->prog, cmd->name, cmd->usage);
}

void cli_list_begin(struct cli *cli, struct out *o)
{
	out_init(o, STDOUT_FILENO, cli->mode);
	if (em_json(o))
		em_list_begin(o, NULL);
}

void cli_report_begin(struct cli *cli, struct out *o, const char *dest)
{
	cli_list_begin(cli, o);
	if (dest && !strcmp(dest, "-"))
		o->fd = STDERR_FILENO;
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
	fprintf(f, "\nglobal options: -j|--json, -p|--pretty, --max-module-size N[K|M|G] (default 256M)\n");
	fprintf(f, "\nexit status: 0 ok, 1 a finding (mismatch, invalid, differs, refused because it does not fit),\n"
		   "2 could not do the job (usage, I/O error, corrupt input)\n");
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = "btfcompat", .mode = OUT_TEXT };
	uint64_t max_module = 0;
	int i = 1, rc;

	/* global options before the verb */
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			cli.mode = OUT_JSON;
		else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			cli.mode = OUT_JSON_PRETTY;
		else if (!strcmp(argv[i], "--max-module-size") && i + 1 < argc) {
			if (cli_opt_size(&cli, argv[i], argv[i + 1], &max_module))
				return EXIT_ERROR;
			i++;
		}
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
		if (max_module)
			btfc_ctx_set_max_module(cli.ctx, max_module);
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
