// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Errors and warnings of the CLI, as bpftool's p_err/p_info: one line on
 * standard error, "btfcompat: message", with file names made terminal-safe;
 * the library's last error with a hint for what the user can do; the last
 * error kept for the JSON object of a file that could not be read.
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
	case BTFC_REASON_SIGNED:
		hint = " (--unsign rewrites it without the signature; sign it again afterwards)";
		break;
	case BTFC_REASON_READ_ONLY:
		hint = " (--rewrite-read-only rewrites it)";
		break;
	case BTFC_REASON_NOT_FIT:
		hint = " (--force overrides)";
		break;
	default:
		break;
	}
	return cli_error(cli, "%s%s", btfc_ctx_last_error(cli->ctx), hint);
}

int cli_lib_failure(struct cli *cli, int rc)
{
	enum btfc_reason r = btfc_ctx_last_reason(cli->ctx);
	int now = cli_lib_error(cli) == EXIT_ERROR && r != BTFC_REASON_NOT_FIT &&
				  r != BTFC_REASON_LAYOUT && r != BTFC_REASON_UNMAPPED ?
			  EXIT_ERROR :
			  EXIT_FINDING;
	return rc > now ? rc : now;
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

void cli_safe_fputs(const char *s, FILE *f)
{
	for (; *s; s++) {
		unsigned char c = *s;
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else if (c == '\\') /* a real newline (\x0a) and the text \x0a print differently */
			fputs("\\\\", f);
		else
			fputc(c, f);
	}
}
