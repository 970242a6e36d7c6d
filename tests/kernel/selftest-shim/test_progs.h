/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The part of selftests/bpf's test_progs.h that kernel/7.2's selftest
 * (prog_tests/btf_base_checksum.c, patch 0005) uses, so that the test's own
 * source runs as a small static program in the QEMU guests of
 * tests/kernel_selftest72.sh, where test_progs (hundreds of BPF programs,
 * bpftool, a kernel with BPF tracing) cannot be built. Same names and
 * meanings: each ASSERT_* is true when its check holds and otherwise prints
 * a FAIL line for the current subtest; shim.c has the rest and main().
 */
#ifndef BTFC_SELFTEST_SHIM_H
#define BTFC_SELFTEST_SHIM_H
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) (offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif

struct test_env {
	bool has_testmod;
};
extern struct test_env env;

bool test__start_subtest(const char *name);
void test__skip(void);
bool shim_check(bool ok, const char *name, const char *file, int line);

int finit_module(int fd, const char *param_values, int flags);
int load_bpf_testmod(bool verbose);
int unload_bpf_testmod(bool verbose);

#define SHIM_CHECK(cond, name) shim_check((cond), (name), __FILE__, __LINE__)
#define ASSERT_OK(res, name) SHIM_CHECK((res) == 0, name)
#define ASSERT_ERR(res, name) SHIM_CHECK((res) < 0, name)
#define ASSERT_EQ(a, b, name) SHIM_CHECK((a) == (b), name)
#define ASSERT_NEQ(a, b, name) SHIM_CHECK((a) != (b), name)
#define ASSERT_LT(a, b, name) SHIM_CHECK((a) < (b), name)
#define ASSERT_LE(a, b, name) SHIM_CHECK((a) <= (b), name)
#define ASSERT_GT(a, b, name) SHIM_CHECK((a) > (b), name)
#define ASSERT_GE(a, b, name) SHIM_CHECK((a) >= (b), name)
#define ASSERT_TRUE(a, name) SHIM_CHECK(!!(a), name)
#define ASSERT_FALSE(a, name) SHIM_CHECK(!(a), name)
#define ASSERT_OK_PTR(p, name) SHIM_CHECK((p) && (unsigned long)(p) < -4095UL, name)
#define ASSERT_STREQ(a, b, name) SHIM_CHECK(!strcmp((a), (b)), name)
#define ASSERT_HAS_SUBSTR(s, sub, name) SHIM_CHECK(strstr((s), (sub)) != NULL, name)
#endif
