// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Module arguments: files as given, directories walked for .ko/.ko.xz/.ko.zst/.ko.gz (scan, relocate, ...). */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static bool is_module(const char *name)
{
	static const char *const ext[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);
		if (n > e && !strcmp(name + n - e, ext[i]))
			return true;
	}
	return false;
}

static int add(struct cli *cli, struct cli_paths *p, const char *path)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		char **v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return cli_error(cli, "out of memory");
		p->v = v;
		p->cap = cap;
	}
	if (!(p->v[p->n] = strdup(path)))
		return cli_error(cli, "out of memory");
	p->n++;
	return 0;
}

static int walk(struct cli *cli, struct cli_paths *p, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int rc = 0;

	if (!d)
		return cli_error(cli, "%s: cannot open directory", dir);
	while (!rc && (e = readdir(d))) {
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			rc = walk(cli, p, path);
		else if (S_ISREG(st.st_mode) && is_module(e->d_name))
			rc = add(cli, p, path);
	}
	closedir(d);
	return rc;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_collect(struct cli *cli, const char *arg, bool walk_only, struct cli_paths *p)
{
	struct stat st;
	size_t first = p->n;
	int rc;

	if (!stat(arg, &st) && S_ISDIR(st.st_mode))
		rc = walk(cli, p, arg);
	else if (walk_only)
		return cli_error(cli, "%s: cannot open directory", arg);
	else
		return add(cli, p, arg); /* files as given; errors are the verb's to report */
	if (!rc)
		qsort(p->v + first, p->n - first, sizeof(*p->v), cmp_path);
	return rc;
}

int cli_collect_args(struct cli *cli, const struct cmd *cmd, int argc, char **argv, const char *dest,
		     struct cli_paths *p)
{
	if (optind >= argc)
		return cli_usage(cli, cmd);
	for (int i = optind; i < argc; i++)
		if (cli_collect(cli, argv[i], false, p))
			goto fail;
	if (dest && p->n != 1) {
		cli_error(cli, "%s: -o takes one module", cmd->name);
		goto fail;
	}
	return 0;
fail:
	cli_paths_free(p);
	return EXIT_ERROR;
}

void cli_paths_free(struct cli_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

bool cli_rewrite_opt(int opt, const char *arg, unsigned *flags, const char **dest)
{
	switch (opt) {
	case 'f': *flags |= BTFC_REWRITE_FORCE; return true;
	case 'n': *flags |= BTFC_REWRITE_DRY_RUN; return true;
	case 'b': *flags |= BTFC_REWRITE_BACKUP; return true;
	case 'o':
		if (!dest)
			return false;
		*dest = arg;
		return true;
	}
	return false;
}
