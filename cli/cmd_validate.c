// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* btfcompat validate [--profile P] [--kernel V] [-B BASE] FILE... — the kernel's verdict, offline. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"

static int parse_profile(const char *s, int *p)
{
	static const char *const names[] = { "bpf", "module", "vmlinux" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i]))
			return *p = i, 0;
	return -1;
}

static int parse_order(const char *s, int *order)
{
	if (!strcmp(s, "little"))
		*order = BTFC_ORDER_LITTLE;
	else if (!strcmp(s, "big"))
		*order = BTFC_ORDER_BIG;
	else if (!strcmp(s, "host"))
		*order = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? BTFC_ORDER_BIG :
								  BTFC_ORDER_LITTLE;
	else
		return -1;
	return 0;
}

/* What the input is decides the default: module BTF -> module, vmlinux -> vmlinux, raw -> bpf. */
static enum btfc_profile default_profile(const char *file, const struct btfc_source_info *src,
					 bool split)
{
	if (split || src->elf_type == 1 /* ET_REL: a .ko */)
		return BTFC_PROFILE_MODULE;
	if (src->container >= BTFC_CONT_VMLINUZ /* a kernel image */ || src->elf_type == 2 ||
	    !strcmp(file, "/sys/kernel/btf/vmlinux"))
		return BTFC_PROFILE_VMLINUX;
	return BTFC_PROFILE_BPF;
}

static void print_verdict(struct out *o, const char *file, enum btfc_profile p,
			  const struct btfc_verdict *v)
{
	em_obj_begin(o);
	if (em_json(o)) {
		em_s(o, "file", file);
		em_s(o, "profile", btfc_profile_name(p));
		em_s(o, "verdict", v->err ? "rejected" : "ok");
		em_i(o, "errno", v->err);
		if (v->err) {
			em_s(o, "phase", v->phase ? v->phase : "");
			em_u(o, "type_id", v->type_id);
			em_s(o, "message", v->msg);
			em_s(o, "context", v->context);
			em_s(o, "note", v->note);
		}
	} else {
		out_name(o, file);
		out_printf(o, ": %s (%s profile)", v->err ? "rejected" : "ok",
			   btfc_profile_name(p));
		if (v->err) {
			out_printf(o, ", errno %d, phase %s\n", v->err, v->phase ? v->phase : "?");
			/* (names from the BTF in them: escaped, as every name written as text) */
			if (v->context[0]) {
				out_str(o, "  ");
				out_name(o, v->context);
				out_str(o, "\n");
			}
			if (v->msg[0]) {
				out_str(o, "  ");
				out_message(o, v->msg);
			} else
				out_printf(o, "  (the kernel fails without a message)");
			if (v->note[0]) {
				out_str(o, "\n  note: ");
				out_name(o, v->note);
			}
		}
	}
	em_obj_end(o, true);
}

static const struct cli_opt opts[] = {
	{ "profile", required_argument, NULL, 'P', "bpf|module|vmlinux",
	  "the kernel path: BPF_BTF_LOAD, module load or boot (default: by file)",
	  "bpf module vmlinux" },
	{ "kernel", required_argument, NULL, 'K', "VER",
	  "whose rules apply: 6.1, 6.12, 6.18, 7.2, X.Y, newest (default: the base's)",
	  "6.1 6.12 6.18 7.2 newest" },
	{ "base", required_argument, NULL, 'B', "BASE", "the base of split BTF", NULL },
	{ "flatten", no_argument, NULL, 'F', NULL,
	  "bpf profile of split BTF: validate it flattened onto its base", NULL },
	{ "target-endian", required_argument, NULL, 'E', "little|big|host",
	  "the byte order of the judging kernel without a base (default: FILE's)",
	  "little big host" },
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	static struct out o;
	const char *base_path = NULL;
	int opt, profile = -1, rc = EXIT_OK, flatten = 0, order = BTFC_ORDER_AUTO, kernel_given = 0;
	unsigned kernel = BTFC_KERNEL_NEWEST;
	struct btfc_btf *base = NULL;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_validate, argc, argv)) != -1) {
		if (opt == 'B')
			base_path = optarg;
		else if (opt == 'P' && parse_profile(optarg, &profile))
			return cli_error(cli,
					 "validate: --profile: '%s' is not bpf, module or vmlinux",
					 optarg);
		else if (opt == 'K' && cli_opt_kernel(cli, "--kernel", optarg, &kernel))
			return EXIT_ERROR;
		else if (opt == 'E' && parse_order(optarg, &order))
			return cli_error(
				cli, "validate: --target-endian: '%s' is not little, big or host",
				optarg);
		else if (opt == 'K')
			kernel_given = 1;
		else if (opt == 'P' || opt == 'E')
			;
		else if (opt == 'F')
			flatten = 1;
		else if (!cli_common_opt(cli, opt))
			return cli_usage(cli, &cmd_validate);
	}
	if (optind >= argc)
		return cli_usage(cli, &cmd_validate);
	if (base_path && btfc_btf_open(cli->ctx, base_path, NULL, &base))
		return cli_lib_error(cli);
	if (base_path && !kernel_given)
		kernel = cli_base_kernel(base_path); /* the base's kernel, when its name tells */
	cli_list_begin(cli, &o);
	for (int i = optind; i < argc; i++) {
		BTFC_OPTS(btfc_source_info, src);
		BTFC_OPTS(btfc_verdict, v);
		void *data;
		size_t len;
		if (btfc_read_raw(cli->ctx, argv[i], &data, &len, &src)) {
			out_flush(&o);
			rc = cli_file_error(
				&o, argv[i],
				cli_lib_error(
					cli)); /* go on with the other files; exit 2 at the end */
			continue;
		}
		/*
		 * A file that is none of the formats read (no BTF magic, not ELF, not compressed, not a kernel
		 * image) is an error here as in every verb (exit 2); BTF with the magic is judged (exit 1).
		 */
		const uint8_t *d = data;
		if (src.container == BTFC_CONT_RAW &&
		    !(len >= 2 &&
		      ((d[0] == 0x9f && d[1] == 0xeb) || (d[0] == 0xeb && d[1] == 0x9f)))) {
			out_flush(&o);
			rc = cli_file_error(
				&o, argv[i],
				cli_error(
					cli,
					"%s: not BTF, ELF, a compressed module or a kernel image (starts with %02x %02x)",
					argv[i], len > 0 ? d[0] : 0, len > 1 ? d[1] : 0));
			free(data);
			continue;
		}
		BTFC_OPTS(btfc_validate_opts, vo, .profile = profile, .kernel = kernel,
			  .flatten = flatten, .order = (enum btfc_byte_order)order);
		if (profile < 0)
			vo.profile = default_profile(argv[i], &src, base != NULL);
		if (vo.profile == BTFC_PROFILE_MODULE && !base) {
			free(data);
			out_flush(&o);
			rc = cli_file_error(
				&o, argv[i],
				cli_error(cli,
					  "%s: module BTF is split BTF: give its base with -B "
					  "(e.g. -B /sys/kernel/btf/vmlinux)",
					  argv[i]));
			continue; /* the others may be judged */
		}
		const struct btfc_btf *b = vo.profile == BTFC_PROFILE_VMLINUX ? NULL : base;
		if (btfc_validate(cli->ctx, data, len, b, &vo, &v)) {
			free(data);
			out_flush(&o);
			rc = cli_file_error(&o, argv[i], cli_lib_error(cli));
			continue;
		}
		free(data);
		print_verdict(&o, argv[i], vo.profile, &v);
		if (v.err && rc == EXIT_OK)
			rc = EXIT_FINDING;
		btfc_verdict_release(&v);
	}
	cli_list_end(&o);
	btfc_btf_free(base);
	return rc;
}

const struct cmd cmd_validate = {
	.name = "validate",
	.run = run,
	.usage =
		"[-j|-p] [--profile bpf|module|vmlinux] [--kernel 6.1|6.12|6.18|7.2|X.Y|newest] [--target-endian little|big|host] [--flatten] "
		"[-B BASE] FILE...",
	.summary =
		"check FILE's BTF as the kernel would (BPF_BTF_LOAD, module load or boot) and print its verdict",
	.shortopts = "B:",
	.opts = opts,
};
