// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat identify [--store DIR] [--base BASE]... [--no-installed] [-v] MODULE|DIR...
 * Which kernel build each module's BTF was made for, among the stored bases,
 * the installed kernels and the --base given (docs/store.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *how(const struct btfc_identity *id)
{
	switch (id->method) {
	case BTFC_METHOD_STAMP:
		return "certain: stamp";
	case BTFC_METHOD_DISTILLED:
		return "certain: distilled .BTF.base";
	case BTFC_METHOD_EVIDENCE:
		return !strcmp(id->strength, "strong") ? "strong evidence" :
							 "probable: no evidence against";
	default:
		return "no BTF";
	}
}

/* One line per module (and with @verbose one per candidate); returns the exit code for it. */
static int report(struct out *o, const char *file, const struct cli_bases *b,
		  const struct btfc_identity *id, const struct btfc_check *ck, bool verbose,
		  bool is_signed)
{
	char others[2048], fits[2048] = "";
	size_t fl = 0;

	for (size_t i = 0; i < b->n; i++)
		if (ck[i].outcome == BTFC_OUTCOME_MATCH && (int)i != id->build)
			fl += snprintf(fits + fl, fl < sizeof(fits) ? sizeof(fits) - fl : 0, "%s%s",
				       fl ? ", " : "", b->c[i].name);
	bool none = id->method == BTFC_METHOD_NONE;
	int rc = none || (id->build >= 0 &&
			  (id->n_fit == 1 || id->method == BTFC_METHOD_DISTILLED)) ?
			 EXIT_OK :
			 EXIT_FINDING;
	em_obj_begin(o);
	if (em_json(o)) {
		em_s(o, "file", file);
		em_s(o, "build", id->build >= 0 ? b->c[id->build].name : ""); /* "": none */
		em_s(o, "method", btfc_method_name(id->method));
		em_s(o, "strength", id->strength);
		em_u(o, "bases", b->n);
		em_b(o, "signed", is_signed);
		em_list_begin(o, "fits");
		for (size_t i = 0; i < b->n; i++)
			if (ck[i].outcome == BTFC_OUTCOME_MATCH && !none) {
				em_item_begin(o);
				em_s(o, "base", b->c[i].name);
				em_item_end(o);
			}
		em_list_end(o);
		em_s(o, "why", id->why);
		if (verbose) {
			em_list_begin(o, "candidates");
			for (size_t i = 0; i < b->n && !none; i++) {
				em_item_begin(o);
				em_s(o, "base", b->c[i].name);
				em_s(o, "outcome", btfc_outcome_name(ck[i].outcome));
				em_s(o, "strength", ck[i].strength);
				em_s(o, "evidence", ck[i].evidence);
				em_item_end(o);
			}
			em_list_end(o);
		}
	} else {
		out_name(o, file);
		if (none)
			out_printf(o, ": no BTF");
		else if (id->build < 0)
			out_printf(o, ": built for none of the %zu bases tried (%s): %s", b->n,
				   cli_bases_names(b, SIZE_MAX, others, sizeof(others)), id->why);
		else if (id->n_fit == 1 && b->n == 2)
			out_printf(o, ": built for %s (%s); does not fit the other base",
				   b->c[id->build].name, how(id));
		else if (id->n_fit == 1)
			out_printf(o, ": built for %s (%s); fits none of the other %zu bases",
				   b->c[id->build].name, how(id), b->n - 1);
		else if (id->method == BTFC_METHOD_DISTILLED)
			out_printf(o, ": relocates onto %s (%s); also onto %s",
				   b->c[id->build].name, how(id), fits);
		else
			out_printf(o,
				   ": fits %u of %zu bases, cannot tell which build (%s): %s, %s",
				   id->n_fit, b->n, id->strength, b->c[id->build].name, fits);
		for (size_t i = 0; verbose && !none && i < b->n; i++)
			out_printf(o, "\n  %s: %s (%s): %s", b->c[i].name,
				   btfc_outcome_name(ck[i].outcome), ck[i].strength,
				   ck[i].method == BTFC_METHOD_STAMP ? "stamp compared" :
								       ck[i].evidence);
	}
	em_obj_end(o, true);
	return rc;
}

static const struct cli_opt opts[] = {
	{ "store", required_argument, NULL, 'S', "DIR",
	  "the store of bases (default /var/lib/btfcompat/bases, $BTFCOMPAT_STORE)", NULL },
	{ "base", required_argument, NULL, 'B', "BASE", "one more candidate base (repeatable)",
	  NULL },
	{ "no-installed", no_argument, NULL, 'N', NULL,
	  "only the stored bases and --base, not the installed kernels", NULL },
	{ "verbose", no_argument, NULL, 'v', NULL,
	  "also one line per base with its outcome and evidence", NULL },
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	static struct out o;
	const char *store = NULL;
	char **extra = NULL;
	size_t n_extra = 0;
	bool installed = true, verbose = false;
	struct cli_paths paths = { 0 };
	struct cli_bases b = { 0 };
	struct btfc_check *ck = NULL;
	int opt, rc = EXIT_OK;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_identify, argc, argv)) != -1) {
		switch (opt) {
		case 'S':
			store = optarg;
			break;
		case 'N':
			installed = false;
			break;
		case 'v':
			verbose = true;
			break;
		case 'B': {
			char **ne = realloc(extra, (n_extra + 1) * sizeof(*ne));
			if (!ne) {
				free(extra);
				return cli_error(cli, "out of memory");
			}
			extra = ne;
			extra[n_extra++] = optarg;
			break;
		}
		default:
			if (!cli_common_opt(cli, opt)) {
				free(extra);
				return cli_usage(cli, &cmd_identify);
			}
		}
	}
	if (cli_collect_args(cli, &cmd_identify, argc, argv, NULL, &paths) ||
	    cli_bases_load(cli, &b, store, extra, n_extra, installed)) {
		rc = EXIT_ERROR;
		goto out;
	}
	if (!b.n) { /* nothing to tell a build by: say so, never "no BTF" */
		rc = cli_error(
			cli,
			"no kernel bases to compare with: none stored in %s%s, and no --base given",
			cli_store_dir(store), installed ? ", none installed" : "");
		goto out;
	}
	if (!(ck = cli_checks_new(b.n))) {
		rc = cli_error(cli, "out of memory");
		goto out;
	}
	cli_list_begin(cli, &o);
	for (size_t i = 0; i < paths.n; i++) {
		struct btfc_module *m = NULL;
		BTFC_OPTS(btfc_identity, id);
		int r;
		if (btfc_module_open(cli->ctx, paths.v[i], &m) ||
		    btfc_module_identify(cli->ctx, m, b.c, b.n, NULL, ck, &id)) {
			out_flush(&o);
			r = cli_file_error(&o, paths.v[i], cli_lib_error(cli));
		} else {
			r = report(&o, paths.v[i], &b, &id, ck, verbose, btfc_module_signed(m));
		}
		btfc_module_free(m);
		btfc_identity_release(&id);
		for (size_t j = 0; j < b.n; j++)
			btfc_check_release(&ck[j]);
		if (r > rc)
			rc = r;
	}
	cli_list_end(&o);
out:
	cli_checks_free(ck, b.n);
	free(extra);
	cli_paths_free(&paths);
	cli_bases_free(&b);
	return rc;
}

const struct cmd cmd_identify = {
	.name = "identify",
	.run = run,
	.usage =
		"[-j|-p] [--store DIR] [--base BASE]... [--no-installed] [-v|--verbose] MODULE|DIR...",
	.summary =
		"which kernel build each module's BTF was made for (stored bases, installed kernels, --base)",
	.shortopts = "vB:",
	.opts = opts,
};
