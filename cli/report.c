// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Shared by check and scan: one printer for a module's check result (text and JSON), the kernel config. */
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
		static const char *const col[] = { [BTFC_OUTCOME_MATCH] = "\033[32m", [BTFC_OUTCOME_MISMATCH] = "\033[31m",
						   [BTFC_OUTCOME_INVALID] = "\033[1;31m", [BTFC_OUTCOME_NO_BTF] = "\033[33m" };
		bool color = o->color && (unsigned)c->outcome < sizeof(col) / sizeof(col[0]) && col[c->outcome];
		out_name(o, file);
		/* the colour codes are ours, written raw; out_printf escapes control characters */
		out_str(o, ": ");
		out_str(o, color ? col[c->outcome] : "");
		out_str(o, btfc_outcome_name(c->outcome));
		out_str(o, color ? "\033[0m" : "");
		out_printf(o, " (%s, %s); kernel: %s\n  ", btfc_method_name(c->method), c->strength, btfc_action_name(c->action));
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
	static const char *const names[] = { "vmlinuz", "vmlinuz.unsigned", "vmlinux", "vmlinux.unsigned" };
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
	bool ok = real && strcmp(real, path) && image_layout(real, rel, config, cap) && !access(config, R_OK);
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
	return base_config_value(base_path, config, "CONFIG_DEBUG_INFO_BTF_MODULES_CHECKSUM=y") == 1;
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
