// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* One parser per kind of option value (cli.h): a bad value is refused with exit 2, never taken as a default. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"

static const char *verb(const struct cli *cli) { return cli->argv ? cli->argv[0] : "option"; }

static int bad(struct cli *cli, const char *opt, const char *arg, const char *what)
{
	return cli_error(cli, "%s: %s: '%s' is not %s", verb(cli), opt, arg, what);
}

int cli_opt_yesno(struct cli *cli, const char *opt, const char *arg, int *out)
{
	static const char *const yes[] = { "yes", "y", "true", "1" }, *const no[] = { "no", "n",
										      "false",
										      "0" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(arg, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(arg, no[i]))
			return *out = 0, 0;
	}
	return bad(cli, opt, arg, "yes or no");
}

int cli_opt_file(struct cli *cli, const char *opt, const char *arg)
{
	struct stat st;

	if (stat(arg, &st))
		return cli_error(cli, "%s: %s: %s: %s", verb(cli), opt, arg, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bad(cli, opt, arg, "a regular file");
	return 0;
}

int cli_opt_kernel(struct cli *cli, const char *opt, const char *arg, unsigned *out)
{
	if (cli_parse_kernel(arg, out))
		return bad(
			cli, opt, arg,
			"newest or a kernel version X.Y (X 5 to 99, Y below 40; 6.1, 6.12, 6.18 and 7.2 are the kernels whose rules differ)");
	return 0;
}

int cli_opt_long(struct cli *cli, const char *opt, const char *arg, long min, long max, long *out)
{
	char *end, what[64];

	errno = 0;
	long v = strtol(arg, &end, 10);
	if (!errno && end != arg && !*end && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	snprintf(what, sizeof(what), "a whole number from %ld to %ld", min, max);
	return bad(cli, opt, arg, what);
}

int cli_opt_size(struct cli *cli, const char *opt, const char *arg, uint64_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	unsigned shift = 0;
	if (*end && !end[1])
		shift = *end == 'K' || *end == 'k' ? 10 :
			*end == 'M' || *end == 'm' ? 20 :
			*end == 'G' || *end == 'g' ? 30 :
						     64;
	if (errno || end == arg || arg[0] == '-' || shift == 64 || (*end && end[1]) || !v ||
	    v > (~0ull >> shift))
		return bad(cli, opt, arg, "a size in bytes (N, NK, NM or NG)");
	*out = (uint64_t)v << shift;
	return 0;
}

int cli_opt_match(struct cli *cli, const char *opt, const char *arg, enum btfc_match *out)
{
	if (!strcmp(arg, "layout"))
		*out = BTFC_MATCH_LAYOUT;
	else if (!strcmp(arg, "kernel"))
		*out = BTFC_MATCH_KERNEL;
	else
		return bad(cli, opt, arg, "layout or kernel");
	return 0;
}

int cli_parse_kernel(const char *s, unsigned *k)
{
	unsigned maj, min;
	char end;

	if (!strcmp(s, "newest"))
		*k = BTFC_KERNEL_NEWEST;
	else if (sscanf(s, "%u.%u%c", &maj, &min, &end) == 2 && maj >= 5 && maj < 100 && min < 40)
		*k = BTFC_KERNEL_VERSION(maj, min);
	else
		return -1;
	return 0;
}
