// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* btfcompat info [-B BASE] FILE... — where the BTF came from and what it holds. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *container_name(enum btfc_container c)
{
	switch (c) {
	case BTFC_CONT_ELF:
		return "elf";
	case BTFC_CONT_VMLINUZ:
		return "vmlinuz";
	case BTFC_CONT_IMAGE:
		return "image";
	case BTFC_CONT_ZBOOT:
		return "zboot";
	case BTFC_CONT_S390:
		return "s390-image";
	case BTFC_CONT_ZIMAGE:
		return "zimage";
	default:
		return "raw";
	}
}

static void print_info(struct out *o, const char *file, const struct btfc_btf *btf)
{
	const struct btfc_source_info *src = btfc_btf_source(btf);
	const struct btfc_header *h = btfc_btf_header(btf);
	uint32_t counts[BTFC_KIND_MAX + 1] = { 0 };
	uint32_t first = btfc_btf_start_id(btf), end = btfc_btf_type_cnt(btf);

	for (uint32_t id = first; id < end; id++)
		counts[btfc_type_kind(btfc_btf_type_by_id(btf, id))]++;

	em_obj_begin(o);
	em_s(o, "file", file);
	em_s(o, "container", container_name(src->container));
	em_s(o, "compression", btfc_compression_name(src->compression));
	em_b(o, "section_compressed", src->elf_section_compressed);
	em_s(o, "byte_order", src->big_endian ? "big" : "little");
	em_u(o, "file_bytes", src->file_size);
	em_u(o, "btf_bytes", src->btf_size);
	em_u(o, "hdr_len", h->hdr_len);
	em_u(o, "types", end - first);
	em_u(o, "first_id", first);
	em_u(o, "type_bytes", h->type_len);
	em_u(o, "str_bytes", h->str_len);
	em_u(o, "first_str_off", btfc_btf_start_str_off(btf));
	em_s(o, "base", btfc_btf_base(btf) ? btfc_btf_name(btfc_btf_base(btf)) : "(none)");
	em_list_begin(o, "kinds");
	for (unsigned k = 1; k <= BTFC_KIND_MAX; k++) {
		if (!counts[k])
			continue;
		em_item_begin(o);
		em_s(o, "kind", btfc_kind_name(k));
		em_u(o, "count", counts[k]);
		em_item_end(o);
	}
	em_list_end(o);
	em_obj_end(o, true);
}

static const struct cli_opt opts[] = {
	{ "base", required_argument, NULL, 'B', "BASE", "the base of split BTF (a module's)",
	  NULL },
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	static struct out o;
	const char *base_path = NULL;
	int opt, rc = EXIT_OK;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_info, argc, argv)) != -1) {
		if (opt == 'B')
			base_path = optarg;
		else if (!cli_common_opt(cli, opt))
			return cli_usage(cli, &cmd_info);
	}
	if (optind >= argc)
		return cli_usage(cli, &cmd_info);
	cli_list_begin(cli, &o);
	for (int i = optind; i < argc; i++) {
		struct btfc_btf *btf, *base;
		out_flush(&o);
		if (cli_open(cli, argv[i], base_path, &btf, &base)) {
			rc = cli_file_error(&o, argv[i], EXIT_ERROR); /* printed */
			continue;
		}
		print_info(&o, argv[i], btf);
		cli_close(btf, base);
	}
	cli_list_end(&o);
	if (o.err)
		return cli_error(cli, "writing output: %s", strerror(-o.err));
	return rc;
}

const struct cmd cmd_info = {
	.name = "info",
	.run = run,
	.usage = "[-j|-p] [-B BASE] FILE...",
	.summary = "summarise FILE's BTF: source format, byte order, sizes, types per kind",
	.shortopts = "B:",
	.opts = opts,
};
