// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfdemo: a tiny out-of-tree module for btfcompat's tests/dkms.sh. Its BTF
 * refers to vmlinux types (struct sk_buff, struct sock, struct list_head), so
 * a .BTF built against another kernel's vmlinux names the wrong types.
 */
#include <linux/module.h>
#include <linux/list.h>
#include <linux/skbuff.h>
#include <net/sock.h>

struct btfdemo_state {
	struct list_head entries;
	struct sock *last_sk;
	unsigned long seen;
};

struct btfdemo_state btfdemo_state;
EXPORT_SYMBOL_GPL(btfdemo_state);

noinline unsigned int btfdemo_skb_len(struct sk_buff *skb)
{
	btfdemo_state.last_sk = skb->sk;
	btfdemo_state.seen++;
	return skb->len + skb->data_len;
}
EXPORT_SYMBOL_GPL(btfdemo_skb_len);

noinline int btfdemo_sock_family(const struct sock *sk)
{
	return sk->sk_family;
}
EXPORT_SYMBOL_GPL(btfdemo_sock_family);

static int __init btfdemo_init(void)
{
	INIT_LIST_HEAD(&btfdemo_state.entries);
	return 0;
}

static void __exit btfdemo_exit(void)
{
}

module_init(btfdemo_init);
module_exit(btfdemo_exit);
MODULE_LICENSE("Dual BSD/GPL"); /* GPL-compatible: it uses EXPORT_SYMBOL_GPL */
MODULE_DESCRIPTION("btfcompat test module: BTF that refers to vmlinux types");
MODULE_VERSION("1.0");
