// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat diff [--kind K] [--name N] [--id-map] [--old-base B] [--new-base B] OLD NEW
 * Named types added, removed and changed (and how), matched by kind and name,
 * never by id. Exit 0 when equal, 1 when they differ, 2 on error (like diff(1)).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

struct ctx_diff {
	struct out *o;
	const struct btfc_btf *old, *new;
	int kind; /* filter, -1: any */
	const char *name; /* filter, NULL: any */
	bool id_map, color;
	struct btfc_diff_counts shown;
};

static void on_type(void *user, enum btfc_diff_what what, uint32_t oid, uint32_t nid)
{
	struct ctx_diff *d = user;
	const struct btfc_btf *b = oid ? d->old : d->new;
	const struct btfc_type *t = btfc_btf_type_by_id(b, oid ? oid : nid);
	const char *name = btfc_btf_str(b, t->name_off);
	static const char *const verb[] = { "same", "changed", "added", "removed" };
	static const char sign[] = { '=', '~', '+', '-' };
	static const char *const col[] = { "", "\033[33m", "\033[32m", "\033[31m" };
	char why[1024] = "";

	if ((d->kind >= 0 && (int)btfc_type_kind(t) != d->kind) ||
	    (d->name && strcmp(d->name, name)))
		return;
	size_t *cnt[] = { &d->shown.unchanged, &d->shown.changed, &d->shown.added,
			  &d->shown.removed };
	(*cnt[what])++;
	if (what == BTFC_DIFF_SAME && !d->id_map)
		return;
	if (what == BTFC_DIFF_CHANGED)
		btfc_diff_explain(d->old, oid, d->new, nid, why, sizeof(why));
	if (em_json(d->o)) {
		em_item_begin(d->o);
		em_s(d->o, "change", verb[what]);
		em_s(d->o, "kind", btfc_kind_name(btfc_type_kind(t)));
		em_s(d->o, "name", name);
		em_u(d->o, "old_id", oid);
		em_u(d->o, "new_id", nid);
		if (what == BTFC_DIFF_CHANGED)
			em_s(d->o, "what", why);
		em_item_end(d->o);
	} else {
		/* colours raw (ours), names escaped (theirs: a BTF name may hold terminal escapes) */
		out_str(d->o, d->color ? col[what] : "");
		out_printf(d->o, "%c %s '", sign[what], btfc_kind_name(btfc_type_kind(t)));
		out_name(d->o, name);
		out_str(d->o, "'");
		if (d->id_map)
			out_printf(d->o, " [%u] -> [%u]", oid, nid);
		if (why[0]) {
			out_str(d->o, ": ");
			out_name(d->o, why);
		}
		out_str(d->o, d->color ? "\033[0m\n" : "\n");
	}
}

static int parse_kind(const char *s)
{
	for (unsigned k = 1; k <= BTFC_KIND_MAX; k++)
		if (!strcasecmp(s, btfc_kind_name(k)))
			return (int)k;
	return -1;
}

static const struct cli_opt opts[] = {
	{ "kind", required_argument, NULL, 'k', "KIND",
	  "only types of this kind (struct, union, enum, typedef, func, ...)", "@kinds" },
	{ "name", required_argument, NULL, 'n', "NAME", "only types of this name", "" },
	{ "id-map", no_argument, NULL, 'm', NULL, "also print each matched type's old and new id",
	  NULL },
	{ "old-base", required_argument, NULL, 'O', "B", "the base of OLD when it is a module",
	  NULL },
	{ "new-base", required_argument, NULL, 'N', "B", "the base of NEW when it is a module",
	  NULL },
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	static struct out o;
	struct ctx_diff d = { .o = &o, .kind = -1 };
	const char *ob_path = NULL, *nb_path = NULL;
	struct btfc_btf *old = NULL, *new = NULL, *ob = NULL, *nb = NULL;
	BTFC_OPTS(btfc_diff_counts, c);
	int opt, rc = EXIT_ERROR;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_diff, argc, argv)) != -1) {
		switch (opt) {
		case 'k':
			if ((d.kind = parse_kind(optarg)) < 0)
				return cli_error(
					cli,
					"diff: unknown kind '%s' (STRUCT, UNION, ENUM, FUNC, ...)",
					optarg);
			break;
		case 'n':
			d.name = optarg;
			break;
		case 'm':
			d.id_map = true;
			break;
		case 'O':
			ob_path = optarg;
			break;
		case 'N':
			nb_path = optarg;
			break;
		default:
			if (!cli_common_opt(cli, opt))
				return cli_usage(cli, &cmd_diff);
		}
	}
	if (optind != argc - 2)
		return cli_usage(cli, &cmd_diff);
	if (cli_open(cli, argv[optind], ob_path, &old, &ob) ||
	    cli_open(cli, argv[optind + 1], nb_path, &new, &nb))
		goto out;
	d.old = old;
	d.new = new;
	out_init(&o, cli_out_fd(cli), cli->mode);
	d.color = cli_use_color(cli, o.fd);
	if (em_json(&o)) {
		em_obj_begin(&o);
		em_list_begin(&o, "types");
	}
	if (btfc_diff_walk(cli->ctx, old, new, on_type, &d, &c)) {
		out_flush(&o);
		rc = cli_lib_error(cli);
		goto out;
	}
	if (em_json(&o)) {
		em_list_end(&o);
		em_u(&o, "added", d.shown.added);
		em_u(&o, "removed", d.shown.removed);
		em_u(&o, "changed", d.shown.changed);
		em_u(&o, "unchanged", d.shown.unchanged);
		em_obj_end(&o, false);
		out_raw(&o, "\n", 1);
	} else {
		out_printf(&o, "%zu added, %zu removed, %zu changed, %zu unchanged named types\n",
			   d.shown.added, d.shown.removed, d.shown.changed, d.shown.unchanged);
	}
	out_flush(&o);
	rc = d.shown.added || d.shown.removed || d.shown.changed ? EXIT_FINDING : EXIT_OK;
out:
	cli_close(old, ob);
	cli_close(new, nb);
	return rc;
}

const struct cmd cmd_diff = {
	.name = "diff",
	.run = run,
	.usage =
		"[-j|-p] [--kind KIND] [--name NAME] [--id-map] [--old-base B] [--new-base B] OLD NEW",
	.summary =
		"named types added, removed and changed between two BTFs, matched by structure, not id",
	.opts = opts,
};
