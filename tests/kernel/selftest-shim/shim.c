// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The rest of the test_progs shim (test_progs.h beside this file): subtest
 * bookkeeping, the module helpers of selftests/bpf's testing_helpers.c, and a
 * main() that loads ./bpf_testmod.ko as test_progs does, runs
 * serial_test_btf_base_checksum() and prints one line per subtest:
 *   SELFTEST <subtest> OK|FAIL|SKIP
 * then SELFTEST-END. Exit 0 when no subtest failed.
 */
#define _GNU_SOURCE
#include "test_progs.h"
#include <sys/syscall.h>

struct test_env env;
static const char *cur;
static int cur_fail, cur_skip, failed;

static void finish(void)
{
	if (cur)
		printf("SELFTEST %s %s\n", cur, cur_fail ? "FAIL" : cur_skip ? "SKIP" : "OK");
	failed += cur_fail;
	cur = NULL;
	cur_fail = cur_skip = 0;
}

bool test__start_subtest(const char *name)
{
	finish();
	cur = name;
	return true;
}

void test__skip(void)
{
	cur_skip = 1;
}

bool shim_check(bool ok, const char *name, const char *file, int line)
{
	if (!ok) {
		printf("SELFTEST-FAIL %s: %s (%s:%d)\n", cur ? cur : "-", name, file, line);
		cur_fail++;
	}
	return ok;
}

int finit_module(int fd, const char *param_values, int flags)
{
	return syscall(__NR_finit_module, fd, param_values, flags);
}

int load_bpf_testmod(bool verbose)
{
	int fd = open("bpf_testmod.ko", O_RDONLY), err;

	(void)verbose;
	if (fd < 0)
		return -ENOENT;
	err = finit_module(fd, "", 0) ? -errno : 0;
	close(fd);
	return err;
}

int unload_bpf_testmod(bool verbose)
{
	(void)verbose;
	return syscall(__NR_delete_module, "bpf_testmod", O_NONBLOCK) ? -errno : 0;
}

void serial_test_btf_base_checksum(void);

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	env.has_testmod = load_bpf_testmod(false) == 0;
	printf("SELFTEST-TESTMOD %d\n", env.has_testmod);
	cur = "btf_base_checksum";
	serial_test_btf_base_checksum();
	finish();
	printf("SELFTEST-END\n");
	return failed ? 1 : 0;
}
