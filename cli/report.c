// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Shared by check and scan: one printer for a module's check result (text and JSON), the kernel config. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"

void report_check(struct out *o, const char *file, const struct btfc_check *c)
{
	em_obj_begin(o);
	if (em_json(o)) {
		em_s(o, "file", file);
		em_s(o, "outcome", btfc_outcome_name(c->outcome));
		em_s(o, "method", btfc_method_name(c->method));
		em_s(o, "strength", c->strength);
		em_s(o, "kernel_action", btfc_action_name(c->action));
		em_u(o, "refs_checked", c->refs_checked);
		em_s(o, "evidence", c->evidence);
		em_i(o, "module_loader_errno", c->kernel.err);
		em_s(o, "module_loader_message", c->kernel.msg);
	} else {
		/* on a terminal (--color): match green, mismatch and invalid red, no BTF yellow */
		static const char *const col[] = { [BTFC_OUTCOME_MATCH] = "\033[32m",
						   [BTFC_OUTCOME_MISMATCH] = "\033[31m",
						   [BTFC_OUTCOME_INVALID] = "\033[1;31m",
						   [BTFC_OUTCOME_NO_BTF] = "\033[33m" };
		bool color = o->color && (unsigned)c->outcome < sizeof(col) / sizeof(col[0]) &&
			     col[c->outcome];
		out_name(o, file);
		/* the colour codes are ours, written raw; out_printf escapes control characters */
		out_str(o, ": ");
		out_str(o, color ? col[c->outcome] : "");
		out_str(o, btfc_outcome_name(c->outcome));
		out_str(o, color ? "\033[0m" : "");
		out_printf(o, " (%s, %s); kernel: %s\n  ", btfc_method_name(c->method), c->strength,
			   btfc_action_name(c->action));
		out_name(o, c->evidence);
	}
	em_obj_end(o, true);
}

/* SYM=y (SYM "CONFIG_...=y") in a kernel config file: 1, 0, or -1 if unreadable. */
static int config_value(const char *path, const char *sym)
{
	char line[256];
	int v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	v = 0; /* a readable config without the line: not set */
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, sym, strlen(sym)))
			v = 1;
	fclose(f);
	return v;
}

/*
 * Where a distribution keeps a kernel image, and so its release and config:
 *   DIR/vmlinuz-VER, DIR/vmlinux-VER          -> VER, DIR/config-VER   (/boot on Debian 12, most others)
 *   DIR/VER/vmlinuz (.unsigned), .../vmlinux  -> VER, DIR/VER/config   (/usr/lib/modules/VER: Debian 13+,
 *                                                                       Fedora, Arch)
 * /sys/kernel/btf/vmlinux is the running kernel's: /boot/config-REL, else /usr/lib/modules/REL/config.
 * Fills @rel and @config (each @cap bytes); false if @path is in neither layout.
 */
static bool image_layout(const char *path, char *rel, char *config, size_t cap)
{
	char buf[3072]; /* shorter than @config: room for what is appended */
	struct utsname u;

	if (!strcmp(path, "/sys/kernel/btf/vmlinux")) {
		if (uname(&u))
			return false;
		snprintf(rel, cap, "%s", u.release);
		snprintf(config, cap, "/boot/config-%s", u.release);
		if (access(config, R_OK))
			snprintf(config, cap, "/usr/lib/modules/%s/config", u.release);
		return true;
	}
	snprintf(buf, sizeof(buf), "%s", path);
	char *slash = strrchr(buf, '/'), *name = slash ? slash + 1 : buf;
	if (!strncmp(name, "vmlinuz-", 8) || !strncmp(name, "vmlinux-", 8)) {
		snprintf(rel, cap, "%s", name + 8);
		*name = 0;
		snprintf(config, cap, "%sconfig-%s", buf, rel);
		return true;
	}
	static const char *const names[] = { "vmlinuz", "vmlinuz.unsigned", "vmlinux",
					     "vmlinux.unsigned" };
	for (size_t i = 0; slash && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]))
			continue;
		*slash = 0;
		const char *dir = strrchr(buf, '/');
		snprintf(rel, cap, "%s", dir ? dir + 1 : buf);
		snprintf(config, cap, "%s/config", buf);
		return *rel != 0;
	}
	return false;
}

/* image_layout() of @path; of the file it links to when that has a config beside it and @path has not. */
static bool find_layout(const char *path, char *rel, char *config, size_t cap)
{
	if (image_layout(path, rel, config, cap) && !access(config, R_OK))
		return true;
	char *real = realpath(path, NULL);
	bool ok = real && strcmp(real, path) && image_layout(real, rel, config, cap) &&
		  !access(config, R_OK);
	free(real);
	return ok || image_layout(path, rel, config, cap);
}

int cli_base_release(const char *base_path, char *rel, size_t cap)
{
	char r[4096], cfg[4096];

	if (!find_layout(base_path, r, cfg, sizeof(r)))
		return -1;
	snprintf(rel, cap, "%s", r);
	return 0;
}

/* SYM in the config of the kernel that runs BASE (@config if given, else the one beside the image); -1 when unknown. */
static int base_config_value(const char *base_path, const char *config, const char *sym)
{
	char rel[4096], cfg[4096];

	if (config)
		return config_value(config, sym);
	return find_layout(base_path, rel, cfg, sizeof(rel)) ? config_value(cfg, sym) : -1;
}

int cli_mismatch_allowed(const char *base_path, const char *config, int allow)
{
	if (allow >= 0)
		return allow;
	return base_config_value(base_path, config, "CONFIG_MODULE_ALLOW_BTF_MISMATCH=y");
}

int cli_stamp_checked(const char *base_path, const char *config)
{
	const char *name = "CONFIG_MODULE_BTF_BASE_CHECKSUM=y"; /* kernel/7.2, kernel/6.12 v2 */
	const char *v1_name = "CONFIG_DEBUG_INFO_BTF_MODULES_CHECKSUM=y"; /* kernel/6.12 v1 */

	return base_config_value(base_path, config, name) == 1 ||
	       base_config_value(base_path, config, v1_name) == 1;
}

int cli_old_loader(const char *base_path)
{
	char rel[256];
	unsigned maj, min;

	if (cli_base_release(base_path, rel, sizeof(rel)) || sscanf(rel, "%u.%u", &maj, &min) != 2)
		return 0;
	return maj < 6 || (maj == 6 && min < 11);
}

bool cli_check_finding(const struct btfc_check *c)
{
	return c->outcome == BTFC_OUTCOME_MISMATCH || c->outcome == BTFC_OUTCOME_INVALID;
}

/* @path's module tree: ROOT (where boot/ is) and VER; false if @path is in none. */
static bool module_tree(const char *path, char *root, char *ver, size_t cap)
{
	char *real = realpath(path, NULL), *m, *end;
	bool ok = false;

	if (real && (m = strstr(real, "/lib/modules/")) && m[13] && m[13] != '/') {
		end = strchr(m + 13, '/');
		snprintf(ver, cap, "%.*s", end ? (int)(end - m - 13) : (int)strlen(m + 13), m + 13);
		*m = 0;
		size_t l = strlen(real);
		if (l >= 4 && !strcmp(real + l - 4, "/usr"))
			real[l - 4] = 0;
		snprintf(root, cap, "%s", real);
		ok = strcmp(ver, ".") && strcmp(ver, "..");
	}
	free(real);
	return ok;
}

int cli_tree_base(struct cli *cli, int n, char *const *files, const char **base_path, char *buf,
		  size_t cap)
{
	char root[PATH_MAX], ver[PATH_MAX], r0[PATH_MAX] = "", v0[PATH_MAX] = "",
					    img[PATH_MAX * 2 + 32];
	struct utsname u;

	for (int i = 0; i < n; i++) {
		if (!module_tree(files[i], root, ver, sizeof(root)))
			continue;
		if (!*v0) {
			snprintf(r0, sizeof(r0), "%s", root);
			snprintf(v0, sizeof(v0), "%s", ver);
		} else if (strcmp(v0, ver) || strcmp(r0, root)) {
			return cli_error(
				cli, "%s and %s are module trees of different kernels: give --base",
				v0, ver);
		}
	}
	if (!*v0)
		return 0;
	static const char *const layouts[] = { "%s/boot/vmlinuz-%s", "%s/boot/vmlinux-%s",
					       "%s/usr/lib/modules/%s/vmlinuz",
					       "%s/usr/lib/modules/%s/vmlinux",
					       "%s/lib/modules/%s/vmlinuz" };
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		snprintf(img, sizeof(img), layouts[i], r0, v0);
		if (!access(img, R_OK)) {
			snprintf(buf, cap, "%s", img);
			*base_path = buf;
			return 0;
		}
	}
	if (!*r0 && !uname(&u) && !strcmp(u.release, v0))
		return 0; /* the running kernel's own tree: its BTF is /sys/kernel/btf/vmlinux */
	/* the kernels that are installed there */
	char list[1024] = "";
	size_t len = 0;
	snprintf(img, sizeof(img), "%s/boot", r0);
	DIR *d = opendir(img);
	for (struct dirent *e; d && (e = readdir(d));)
		if (!strncmp(e->d_name, "vmlinuz-", 8) && len < sizeof(list) - 2)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						len ? ", " : "", e->d_name + 8);
	if (d)
		closedir(d);
	return cli_error(
		cli,
		"%s/lib/modules/%s: kernel %s is not installed (no %s/boot/vmlinuz-%s): give --base%s%s",
		r0, v0, v0, r0, v0, *list ? "; installed: " : "", list);
}

int cli_base_sig_hash(const char *base_path, char *hash, size_t cap)
{
	char rel[4096], cfg[4096], line[256];
	static const char sym[] = "CONFIG_MODULE_SIG_HASH=\"";
	FILE *f;
	int rc = -1;

	if (!base_path || !find_layout(base_path, rel, cfg, sizeof(rel)) || !(f = fopen(cfg, "r")))
		return -1;
	while (rc && fgets(line, sizeof(line), f)) {
		size_t l = strspn(line + sizeof(sym) - 1, "abcdefghijklmnopqrstuvwxyz0123456789-");
		if (!strncmp(line, sym, sizeof(sym) - 1) && l && line[sizeof(sym) - 1 + l] == '"' &&
		    l < cap) {
			snprintf(hash, cap, "%.*s", (int)l, line + sizeof(sym) - 1);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

unsigned cli_base_kernel(const char *base_path)
{
	char rel[256], ver[16] = "";
	unsigned k;

	if (!cli_base_release(base_path, rel, sizeof(rel)))
		sscanf(rel, "%15[0-9.]", ver);
	char *dot = strchr(ver, '.');
	if (dot && (dot = strchr(dot + 1, '.')))
		*dot = 0; /* "7.2.13" -> "7.2" */
	return ver[0] && !cli_parse_kernel(ver, &k) ? k : BTFC_KERNEL_NEWEST;
}
