// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Shared by check and scan: one printer for a module's check result (text and JSON), the kernel config. */
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

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
		out_name(o, file);
		out_printf(o, ": %s (%s, %s); kernel: %s\n  ", btfc_outcome_name(c->outcome), btfc_method_name(c->method),
			   c->strength, btfc_action_name(c->action));
		out_name(o, c->evidence);
	}
	em_obj_end(o, true);
}

/* CONFIG_MODULE_ALLOW_BTF_MISMATCH from a kernel config file: 1, 0, or -1 if unreadable. */
static int config_value(const char *path)
{
	char line[256];
	int v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	v = 0; /* a readable config without the line: not set */
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CONFIG_MODULE_ALLOW_BTF_MISMATCH=y", 34))
			v = 1;
	fclose(f);
	return v;
}

int cli_mismatch_allowed(const char *base_path, const char *config, int allow)
{
	char buf[4096];

	if (allow >= 0)
		return allow;
	if (config)
		return config_value(config);
	if (!strcmp(base_path, "/sys/kernel/btf/vmlinux")) {
		struct utsname u;
		if (uname(&u))
			return -1;
		snprintf(buf, sizeof(buf), "/boot/config-%s", u.release);
		return config_value(buf);
	}
	/* /boot/vmlinuz-VER -> /boot/config-VER */
	snprintf(buf, sizeof(buf), "%s", base_path);
	char *slash = strrchr(buf, '/'), *name = slash ? slash + 1 : buf;
	if (strncmp(name, "vmlinuz-", 8))
		return -1;
	char ver[1024];
	snprintf(ver, sizeof(ver), "%s", name + 8);
	snprintf(name, sizeof(buf) - (name - buf), "config-%s", ver);
	return config_value(buf);
}

int cli_old_loader(const char *base_path)
{
	struct utsname u;
	const char *rel = NULL, *b = strrchr(base_path, '/');
	unsigned maj, min;

	b = b ? b + 1 : base_path;
	if (!strncmp(b, "vmlinuz-", 8) || !strncmp(b, "vmlinux-", 8))
		rel = b + 8;
	else if (!strcmp(base_path, "/sys/kernel/btf/vmlinux") && !uname(&u))
		rel = u.release;
	if (!rel || sscanf(rel, "%u.%u", &maj, &min) != 2)
		return 0;
	return maj < 6 || (maj == 6 && min < 11);
}

bool cli_check_finding(const struct btfc_check *c)
{
	return c->outcome == BTFC_OUTCOME_MISMATCH || c->outcome == BTFC_OUTCOME_INVALID;
}
