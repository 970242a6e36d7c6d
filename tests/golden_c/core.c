/*
 * A tiny CO-RE program on a generated vmlinux.h: a relocatable read of task_struct.pid, and
 * nothing of one architecture (pt_regs differs on each), so that every kernel's header builds it.
 */
#include "vmlinux.h"

#define SEC(name) __attribute__((section(name), used))
static long (*bpf_get_current_task)(void) = (void *)35;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size, const void *src) = (void *)113;

char LICENSE[] SEC("license") = "GPL";
int last_pid;

SEC("kprobe/do_nanosleep")
int probe(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	int pid = 0;

	bpf_probe_read_kernel(&pid, sizeof(pid), &t->pid);
	last_pid = pid;
	return 0;
}
