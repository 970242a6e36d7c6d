// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for selftests/bpf's bpf_testmod, for tests/kernel_selftest72.sh:
 * the small test kernels cannot build the real one (it needs BPF tracing,
 * struct_ops, kfuncs). It has what kernel/7.2's selftest (0005,
 * prog_tests/btf_base_checksum.c) looks at: the module name bpf_testmod, an
 * M= build (so a distilled .BTF.base), and struct bpf_testmod_test_read_ctx,
 * whose member off is the vmlinux type loff_t.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/types.h>

struct bpf_testmod_test_read_ctx {
	char *buf;
	loff_t off;
	size_t len;
};

static struct bpf_testmod_test_read_ctx ctx;

static noinline int bpf_testmod_test_read(struct bpf_testmod_test_read_ctx *c)
{
	return c->len + (c->off ? 1 : 0);
}

static int __init bpf_testmod_init(void)
{
	return bpf_testmod_test_read(&ctx);
}

static void __exit bpf_testmod_exit(void)
{
}

module_init(bpf_testmod_init);
module_exit(bpf_testmod_exit);
MODULE_DESCRIPTION("btfcompat test: a stand-in for selftests/bpf's bpf_testmod");
MODULE_LICENSE("GPL");
