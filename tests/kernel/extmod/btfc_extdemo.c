// SPDX-License-Identifier: GPL-2.0
/*
 * An external module (built with M=) for tests/kernel_stamp.sh. Its BTF
 * refers to struct linux_binfmt, whose layout kernel B changes.
 */
#include <linux/binfmts.h>
#include <linux/init.h>
#include <linux/module.h>

struct btfc_extdemo {
	struct linux_binfmt *fmt;
	struct list_head list;
	unsigned int count;
};

static struct btfc_extdemo demo;

static noinline int btfc_extdemo_count(struct btfc_extdemo *d, struct linux_binprm *bprm)
{
	return d->count + (bprm ? 1 : 0);
}

static int __init btfc_extdemo_init(void)
{
	INIT_LIST_HEAD(&demo.list);
	return btfc_extdemo_count(&demo, NULL);
}

static void __exit btfc_extdemo_exit(void)
{
}

module_init(btfc_extdemo_init);
module_exit(btfc_extdemo_exit);
MODULE_DESCRIPTION("btfcompat test: an external module with BTF");
MODULE_LICENSE("GPL");
