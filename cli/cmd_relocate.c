// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat relocate [--from OLDBASE | --store DIR --no-installed] [--to NEWBASE] [--match layout|kernel]
 *                    [--stamp] [--force] [--dry-run] [--backup] [--sign-*] [-o OUT] MODULE|DIR...
 * Rewrite each module's BTF so that it names the same types in NEWBASE.
 * Without --from, a module's old base is the one identify finds for it
 * (stored bases, installed kernels, NEWBASE).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Without --from: the candidate bases, and one relocator per candidate, made on first use. */
struct olds {
	const char *store;
	bool installed;
	char *to_path;
	const struct btfc_btf *to;
	struct cli_bases b;
	struct btfc_relocator **r;
	bool loaded;
};

static bool distilled(struct cli *cli, const char *path)
{
	struct btfc_module *m = NULL;
	const void *sec;
	size_t len;
	bool d = !btfc_module_open(cli->ctx, path, &m) &&
		 !btfc_module_section(m, ".BTF.base", &sec, &len);

	btfc_module_free(m);
	return d;
}

/* The relocator for legacy module @path from the base identify finds for it; NULL when none (error printed). */
static struct btfc_relocator *old_base(struct cli *cli, struct olds *o, const char *path)
{
	size_t i;

	if (!o->loaded) {
		o->loaded = true; /* once: what was loaded is freed by olds_free() */
		if (cli_bases_load(cli, &o->b, o->store, &o->to_path, 1, o->installed) ||
		    !(o->r = calloc(o->b.n ? o->b.n : 1, sizeof(*o->r))))
			cli_bases_free(
				&o->b); /* the error is printed; every module then has no base to try */
	}
	if (cli_bases_identify(cli, &o->b, path, "--from", &i) != EXIT_OK)
		return NULL;
	if (!o->r[i] && btfc_relocator_new(cli->ctx, o->b.c[i].base, o->to, &o->r[i]))
		cli_lib_error(cli);
	return o->r[i];
}

static void olds_free(struct olds *o)
{
	for (size_t i = 0; o->r && i < o->b.n; i++)
		btfc_relocator_free(o->r[i]);
	free(o->r);
	if (o->loaded)
		cli_bases_free(&o->b);
}

/* Issues arrive before the verdict; kept to print under it. */
struct issues {
	struct btfc_reloc_issue *v;
	size_t n, cap;
};

static void on_issue(void *user, const struct btfc_reloc_issue *is)
{
	struct issues *l = user;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct btfc_reloc_issue *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	char *type = strdup(is->type), *what = strdup(is->what);
	if (!type || !what) {
		free(type);
		free(what);
		return;
	}
	l->v[l->n] = *is;
	l->v[l->n].type = type;
	l->v[l->n++].what = what;
}

static void issues_clear(struct issues *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].type);
		free((char *)l->v[i].what);
	}
	l->n = 0;
}

/* One changed type in a line: what changed in numbers; the whole text when it lists no members (or with -v). */
static void print_issue(struct out *o, const struct btfc_reloc_issue *is, bool verbose)
{
	const char *sep = "";

	out_printf(o, "\n  %s ", is->fatal ? "!" : "~");
	out_name(o, is->type);
	out_str(o, ": ");
	if (verbose || is->gone || !(is->moved + is->added + is->removed + is->retyped)) {
		out_name(o, is->what);
		return;
	}
	if (is->old_size != is->new_size)
		out_printf(o, "size %u -> %u; ", is->old_size, is->new_size);
	out_str(o, "members");
	const uint32_t n[] = { is->moved, is->added, is->removed, is->retyped };
	static const char *const what[] = { "moved", "added", "removed", "retyped" };
	for (int i = 0; i < 4; i++) {
		if (!n[i])
			continue;
		out_printf(o, "%s %u %s", sep, n[i], what[i]);
		sep = ",";
	}
}

static void print(struct out *o, const char *file, const char *state, const char *reason,
		  enum btfc_match match, const struct btfc_reloc_result *r, const struct issues *l,
		  bool verbose)
{
	em_obj_begin(o);
	if (em_json(o)) {
		em_s(o, "file", file);
		em_s(o, "result", state);
		em_s(o, "match", r->distilled ? "kernel" : btfc_match_name(match));
		em_b(o, "distilled_base", r->distilled);
		em_u(o, "base_types", r->base_types);
		em_u(o, "changed", r->changed);
		em_u(o, "btf_ids", r->btf_ids);
		em_b(o, "restamped", r->restamped);
		em_s(o, "reason", reason);
		em_list_begin(o, "issues");
		for (size_t i = 0; i < l->n; i++) {
			em_item_begin(o);
			em_s(o, "type", l->v[i].type);
			em_s(o, "what", l->v[i].what);
			em_b(o, "fatal", l->v[i].fatal);
			em_b(o, "gone", l->v[i].gone);
			em_u(o, "old_size", l->v[i].old_size);
			em_u(o, "new_size", l->v[i].new_size);
			em_u(o, "members_moved", l->v[i].moved);
			em_u(o, "members_added", l->v[i].added);
			em_u(o, "members_removed", l->v[i].removed);
			em_u(o, "members_retyped", l->v[i].retyped);
			em_item_end(o);
		}
		em_list_end(o);
	} else {
		out_name(o, file);
		out_printf(o, ": %s", state);
		if (*reason) {
			out_str(o, ": ");
			out_name(o, reason);
		} else {
			out_printf(o, " (%s; %u base types used, %u changed%s%s)",
				   r->distilled ? "from its .BTF.base, by name and size" :
				   match == BTFC_MATCH_KERNEL ? "matched by name and size" :
								"layouts checked",
				   r->base_types, r->changed,
				   r->btf_ids ? "; .BTF_ids renumbered" : "",
				   r->restamped ? "; re-stamped" : "");
		}
		for (size_t i = 0; i < l->n; i++)
			print_issue(o, &l->v[i], verbose);
	}
	em_obj_end(o, true);
}

static const struct cli_opt opts[] = {
	{ "from", required_argument, NULL, 'F', "OLDBASE",
	  "the base the modules were built on (default: the one identify finds)", NULL },
	{ "to", required_argument, NULL, 'T', "NEWBASE",
	  "the base to relocate onto (default /sys/kernel/btf/vmlinux)", NULL },
	{ "match", required_argument, NULL, 'm', "layout|kernel",
	  "layout: refuse when a used base type changed layout (default); kernel: by name and size",
	  "layout kernel" },
	{ "stamp", no_argument, NULL, 's', NULL,
	  "add a .BTF.base_checksum for NEWBASE even if the module had none", NULL },
	{ "store", required_argument, NULL, 'S', "DIR",
	  "without --from: the store of bases to look in", NULL },
	{ "no-installed", no_argument, NULL, 'N', NULL,
	  "without --from: leave out the installed kernels", NULL },
	{ "verbose", no_argument, NULL, 'v', NULL,
	  "list every changed member of every changed type, not a summary per type", NULL },
	CLI_REWRITE_OPTTAB,
	CLI_OUTPUT_OPTTAB,
	CLI_SIGN_OPTTAB,
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	static struct out o;
	const char *from_path = NULL, *to_path = "/sys/kernel/btf/vmlinux", *dest = NULL;
	enum btfc_match match = BTFC_MATCH_LAYOUT;
	struct btfc_btf *from = NULL, *to = NULL;
	struct btfc_relocator *r = NULL;
	struct cli_paths paths = { 0 };
	struct issues l = { 0 };
	struct olds olds = { .installed = true };
	unsigned flags = 0;
	int opt, rc = EXIT_OK;
	bool verbose = false;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_relocate, argc, argv)) != -1) {
		switch (opt) {
		case 'F':
			from_path = optarg;
			break;
		case 'T':
			to_path = optarg;
			break;
		case 's':
			flags |= BTFC_REWRITE_STAMP;
			break;
		case 'S':
			olds.store = optarg;
			break;
		case 'N':
			olds.installed = false;
			break;
		case 'v':
			verbose = true;
			break;
		case 'm':
			if (cli_opt_match(cli, "--match", optarg, &match))
				return EXIT_ERROR;
			break;
		default:
			if (!cli_common_opt(cli, opt) &&
			    !cli_rewrite_opt(opt, optarg, &flags, &dest) &&
			    !cli_sign_opt(cli, opt, optarg))
				return cli_usage(cli, &cmd_relocate);
		}
	}
	if (cli_sign_setup(cli, to_path))
		return EXIT_ERROR;
	if (cli_collect_args(cli, &cmd_relocate, argc, argv, dest, &paths))
		return EXIT_ERROR;
	if ((from_path && btfc_btf_open(cli->ctx, from_path, NULL, &from)) ||
	    btfc_btf_open(cli->ctx, to_path, NULL, &to) ||
	    btfc_relocator_new(cli->ctx, from, to, &r)) {
		rc = cli_lib_error(cli);
		goto out;
	}
	olds.to = to;
	olds.to_path = (char *)to_path;
	cli_report_begin(cli, &o, dest);
	for (size_t i = 0; i < paths.n; i++) {
		BTFC_OPTS(btfc_reloc_result, res);
		struct btfc_relocator *ri =
			from || distilled(cli, paths.v[i]) ? r : old_base(cli, &olds, paths.v[i]);
		issues_clear(&l);
		if (!ri) {
			out_flush(&o);
			rc = cli_file_error(&o, paths.v[i],
					    EXIT_ERROR); /* printed; go on with the others */
			continue;
		}
		if (btfc_module_relocate(cli->ctx, ri, paths.v[i], dest, match, flags, on_issue, &l,
					 &res)) {
			out_flush(&o);
			rc = cli_file_error(&o, paths.v[i],
					    cli_lib_failure(cli, rc)); /* go on with the others */
			continue;
		}
		if (res.refused && rc == EXIT_OK)
			rc = EXIT_FINDING;
		const char *why = res.refused ? btfc_ctx_last_message(cli->ctx) :
						""; /* the file is printed already */
		print(&o, paths.v[i],
		      res.refused                  ? "refused" :
		      flags & BTFC_REWRITE_DRY_RUN ? "would relocate" :
						     "relocated",
		      why, match, &res, &l, verbose);
	}
	cli_list_end(&o);
out:
	olds_free(&olds);
	issues_clear(&l);
	free(l.v);
	cli_paths_free(&paths);
	btfc_relocator_free(r);
	btfc_btf_free(from);
	btfc_btf_free(to);
	return rc;
}

const struct cmd cmd_relocate = {
	.name = "relocate",
	.run = run,
	.usage =
		"[-j|-p] [--from OLDBASE | [--store DIR] [--no-installed]] [--to NEWBASE] [--match layout|kernel] [--stamp] [-v|--verbose] " CLI_REWRITE_USAGE
		" " CLI_SIGN_USAGE " [-o OUT] MODULE|DIR...",
	.summary = "rewrite modules' BTF to name the same types in another kernel's base",
	.shortopts = "F:T:m:o:v" CLI_REWRITE_OPTS,
	.opts = opts,
};
