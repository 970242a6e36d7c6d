// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Module arguments: files as given, directories walked for .ko/.ko.xz/.ko.zst/.ko.gz (scan, relocate, ...). */
#include <errno.h>
#include <fts.h>
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

/* NAME.btfcXXXXXX: the temporary file of a rewrite that was killed (SIGKILL, power loss) */
static bool is_stale_temp(const char *name)
{
	const char *t = strstr(name, ".btfc");
	return t && strlen(t) == 11 && t > name;
}

/*
 * Every module under @dir, without recursion (fts, physical: symbolic links
 * under @dir are not followed; @dir itself may be one, as given) and without a path buffer of our own: a tree of any depth
 * is walked; paths the system cannot open (longer than PATH_MAX) and
 * directories that cannot be read are reported, not cut or skipped silently.
 */
static int walk(struct cli *cli, struct cli_paths *p, const char *dir)
{
	char *const roots[] = { (char *)dir, NULL };
	FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_COMFOLLOW | FTS_NOCHDIR | FTS_NOSTAT, NULL);
	FTSENT *e;
	int rc = 0;

	if (!fts)
		return cli_error(cli, "%s: cannot open directory: %s", dir, strerror(errno));
	while (!rc && (e = fts_read(fts))) {
		switch (e->fts_info) {
		case FTS_D:
			if (e->fts_level > 0 && e->fts_name[0] == '.')
				fts_set(fts, e, FTS_SKIP);
			break;
		case FTS_DNR:
		case FTS_ERR:
		case FTS_NS:
			rc = cli_error(cli, "%s: cannot read: %s", e->fts_path,
				       strerror(e->fts_errno));
			break;
		case FTS_F:
		case FTS_NSOK:
			if (e->fts_name[0] == '.')
				break;
			if (is_stale_temp(e->fts_name))
				cli_warn(cli,
					 "%s: left by an interrupted rewrite (ignored; remove it)",
					 e->fts_path);
			else if (is_module(e->fts_name)) {
				struct stat st;
				/* FTS_NOSTAT: only a candidate's type is asked (a regular file, not a link) */
				if (lstat(e->fts_path, &st))
					rc = cli_error(cli, "%s: cannot stat: %s", e->fts_path,
						       strerror(errno));
				else if (S_ISREG(st.st_mode))
					rc = add(cli, p, e->fts_path);
			}
			break;
		}
	}
	if (!rc && errno && !e)
		rc = cli_error(cli, "%s: cannot walk: %s", dir, strerror(errno));
	fts_close(fts);
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
		return cli_error(cli, "%s: cannot open directory: %s", arg,
				 strerror(errno ? errno : ENOTDIR));
	else
		return add(cli, p, arg); /* files as given; errors are the verb's to report */
	if (!rc && p->n == first)
		return cli_error(cli, "no modules under %s (.ko, .ko.xz, .ko.zst, .ko.gz)", arg);
	if (!rc)
		qsort(p->v + first, p->n - first, sizeof(*p->v), cmp_path);
	return rc;
}

int cli_collect_args(struct cli *cli, const struct cmd *cmd, int argc, char **argv,
		     const char *dest, struct cli_paths *p)
{
	if (dest == CLI_DEST_TWICE)
		return cli_error(cli, "%s: -o is given more than once", cmd->name);
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

const char CLI_DEST_TWICE[] = "(-o twice)";

bool cli_rewrite_opt(int opt, const char *arg, unsigned *flags, const char **dest)
{
	switch (opt) {
	case 'f':
		*flags |= BTFC_REWRITE_FORCE;
		return true;
	case CLI_OPT_UNSIGN:
		*flags |= BTFC_REWRITE_UNSIGN;
		return true;
	case CLI_OPT_READ_ONLY:
		*flags |= BTFC_REWRITE_READ_ONLY;
		return true;
	case 'n':
		*flags |= BTFC_REWRITE_DRY_RUN;
		return true;
	case 'b':
		*flags |= BTFC_REWRITE_BACKUP;
		return true;
	case 'o':
		if (!dest)
			return false;
		*dest = *dest ? CLI_DEST_TWICE : arg; /* cli_collect_args() refuses it */
		return true;
	}
	return false;
}
