/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Test oracle: load a BTF blob into the running kernel with bpf(BPF_BTF_LOAD).
 * First without a log (fast path); only after a failure again with a large
 * log buffer, and the log's last line is the kernel's message.
 */
#ifndef BTFC_KERNEL_BTF_LOAD_H
#define BTFC_KERNEL_BTF_LOAD_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_bpf
#define __NR_bpf 321
#endif
#define KBL_BPF_BTF_LOAD 18

union kbl_attr {
	struct {
		uint64_t btf;
		uint64_t btf_log_buf;
		uint32_t btf_size;
		uint32_t btf_log_size;
		uint32_t btf_log_level;
		uint32_t btf_log_true_size;
		uint32_t btf_flags;
		int32_t btf_token_fd;
	};
	uint8_t pad[128];
};

/* Returns 0 if accepted, else -errno. Nothing is logged. */
static inline int kbl_load(const void *data, uint32_t size)
{
	union kbl_attr a;

	memset(&a, 0, sizeof(a));
	a.btf = (uintptr_t)data;
	a.btf_size = size;
	long fd = syscall(__NR_bpf, KBL_BPF_BTF_LOAD, &a, sizeof(a));
	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

/*
 * Load with a log of @log_size bytes (level 1) and copy the last non-empty line
 * into @last and the one before into @prev. Returns 0 or -errno.
 */
static inline int kbl_load_log(const void *data, uint32_t size, char *logbuf, uint32_t log_size, char *last,
			       char *prev, size_t cap)
{
	union kbl_attr a;

	memset(&a, 0, sizeof(a));
	logbuf[0] = 0;
	a.btf = (uintptr_t)data;
	a.btf_size = size;
	a.btf_log_buf = (uintptr_t)logbuf;
	a.btf_log_size = log_size;
	a.btf_log_level = 1;
	long fd = syscall(__NR_bpf, KBL_BPF_BTF_LOAD, &a, sizeof(a));
	int err = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close((int)fd);
	last[0] = prev[0] = 0;
	size_t n = strnlen(logbuf, log_size);
	while (n && logbuf[n - 1] == '\n')
		n--;
	size_t e = n, s = n;
	while (s && logbuf[s - 1] != '\n')
		s--;
	snprintf(last, cap, "%.*s", (int)(e - s), logbuf + s);
	if (s) {
		size_t pe = s - 1, ps = pe;
		while (ps && logbuf[ps - 1] != '\n')
			ps--;
		snprintf(prev, cap, "%.*s", (int)(pe - ps), logbuf + ps);
	}
	return err;
}

/* 1 if this process may call BPF_BTF_LOAD (a tiny valid BTF loads), else 0. */
static inline int kbl_available(void)
{
	static const uint32_t blob[] = {
		0x0001eB9F, 24, 0, 16, 16, 5,                 /* header */
		1, 1u << 24, 4, 0x01000020,                   /* [1] INT 'int' size=4 SIGNED 32 bits */
	};
	uint8_t buf[sizeof(blob) + 5];
	memcpy(buf, blob, sizeof(blob));
	memcpy(buf + sizeof(blob), "\0int", 5);
	return kbl_load(buf, sizeof(buf)) == 0;
}

#endif
