// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * bench_parse — a benchmark, not a test: time btfcompat's raw-BTF parse and
 * dump against libbpf's btf__new() on the same bytes in one process.
 *
 *   bench_parse [-t SECONDS] [-B BASE] [FILE]   FILE defaults to /sys/kernel/btf/vmlinux
 *   bench_parse --extract SRC OUT [BASE]        write the raw .BTF of any source
 *                                               btfc_btf_open() reads (vmlinuz,
 *                                               vmlinux, .ko[.xz|.zst|.gz]) to OUT
 *
 * FILE is a raw BTF blob; it is read into memory once. Each measured side
 * runs iterations for at least SECONDS (default 1) and at least 5 times, each
 * iteration timed alone with CLOCK_MONOTONIC; the median is printed:
 *   parse: btfc_btf_parse() + btfc_btf_free()  vs  btf__new() + btf__free()
 *   dump:  btfc_btf_dump(RAW) of the already parsed BTF to /dev/null
 * With -B, FILE is split BTF over BASE (btf__new_split() on the libbpf side).
 *
 * Links against build/libbtfcompat.a and the oracle libbpf.a built by
 * scripts/oracle-libbpf.sh (see bench/run.sh). libbpf is a benchmark anchor
 * only, never a dependency of the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btfcompat/btfcompat.h"
#include "../tests/oracle/kernel_btf_load.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "bench_parse: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(2);
}

/* Read a whole file (sysfs files report no reliable size: read to EOF). */
static void *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 1 << 20, n = 0;
	char *buf;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	buf = malloc(cap);
	if (!buf)
		die("%s: %s", path, strerror(ENOMEM));
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				die("%s: %s", path, strerror(ENOMEM));
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("%s: %s", path, strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* What one timed iteration does; returns 0 on success. */
typedef int (*iter_fn)(void *arg);

struct result {
	double median_s;
	double total_s;
	long iters;
};

/*
 * Run @fn once to warm up, then time single iterations until the side has run
 * at least @min_s seconds and at least 5 iterations; report the median.
 */
static struct result run_timed(iter_fn fn, void *arg, double min_s, const char *what)
{
	struct result r = { 0 };
	size_t cap = 1024, n = 0;
	double *samples = malloc(sizeof(*samples) * cap);

	if (!samples)
		die("%s: %s", what, strerror(ENOMEM));
	if (fn(arg))
		die("%s failed during warm-up%s", what, "");
	double start = now_s(), t = start;
	while (n < 5 || t - start < min_s) {
		if (n == cap) {
			cap *= 2;
			samples = realloc(samples, sizeof(*samples) * cap);
			if (!samples)
				die("%s: %s", what, strerror(ENOMEM));
		}
		double a = t;
		if (fn(arg))
			die("%s failed%s", what, "");
		t = now_s();
		samples[n++] = t - a;
	}
	r.total_s = t - start;
	qsort(samples, n, sizeof(*samples), cmp_double);
	r.median_s = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
	r.iters = (long)n;
	free(samples);
	return r;
}

struct parse_arg {
	struct btfc_ctx *ctx;
	const void *data;
	size_t len;
	const char *name;
	const struct btfc_btf *our_base;
	struct btf *bpf_base;
	int fd;
	const struct btfc_btf *btf;
};

static int ours_parse(void *p)
{
	struct parse_arg *a = p;
	struct btfc_btf *btf;
	int err = btfc_btf_parse(a->ctx, a->data, a->len, a->name, a->our_base, &btf);

	if (err) {
		fprintf(stderr, "btfc_btf_parse: %s\n", btfc_ctx_last_error(a->ctx));
		return err;
	}
	btfc_btf_free(btf);
	return 0;
}

static int libbpf_parse(void *p)
{
	struct parse_arg *a = p;
	struct btf *btf = a->bpf_base ? btf__new_split(a->data, (__u32)a->len, a->bpf_base)
				      : btf__new(a->data, (__u32)a->len);

	if (!btf) {
		fprintf(stderr, "btf__new: %s\n", strerror(errno));
		return -1;
	}
	btf__free(btf);
	return 0;
}

static int ours_dump(void *p)
{
	struct parse_arg *a = p;
	int err = btfc_btf_dump(a->btf, a->fd, BTFC_DUMP_RAW);

	if (err)
		fprintf(stderr, "btfc_btf_dump: %s\n", strerror(-err));
	return err;
}

static int ours_validate(void *p)
{
	struct parse_arg *a = p;
	struct btfc_validate_opts o = { .profile = BTFC_PROFILE_BPF };
	struct btfc_verdict v;
	int err = btfc_validate(a->ctx, a->data, a->len, a->our_base, &o, &v);

	if (err || v.err)
		fprintf(stderr, "btfc_validate: %d %s\n", err ? err : v.err, err ? btfc_ctx_last_error(a->ctx) : v.msg);
	return err ? err : v.err;
}

static int kernel_load(void *p)
{
	struct parse_arg *a = p;

	return kbl_load(a->data, (uint32_t)a->len);
}

struct dedup_arg {
	const void *data;
	size_t len;
};

/* libbpf's btf__dedup of a fresh copy of the blob (the anchor for `diff`) */
static int libbpf_dedup(void *p)
{
	struct dedup_arg *a = p;
	struct btf *btf = btf__new(a->data, (__u32)a->len);
	int err = btf ? btf__dedup(btf, NULL) : -errno;

	btf__free(btf);
	return err;
}

static int extract(const char *src, const char *out, const char *base_path)
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	struct btfc_btf *btf = NULL, *base = NULL;
	size_t len;

	if (!ctx)
		die("%s%s", strerror(ENOMEM), "");
	if (base_path && btfc_btf_open(ctx, base_path, NULL, &base))
		die("%s%s", btfc_ctx_last_error(ctx), "");
	if (btfc_btf_open(ctx, src, base, &btf))
		die("%s%s", btfc_ctx_last_error(ctx), "");
	const char *raw = btfc_btf_raw(btf, &len);
	FILE *f = fopen(out, "wb");
	if (!f || fwrite(raw, 1, len, f) != len || fclose(f))
		die("%s: %s", out, strerror(errno));
	fprintf(stderr, "bench_parse: %s -> %s (%zu bytes of raw BTF)\n", src, out, len);
	btfc_btf_free(btf);
	btfc_btf_free(base);
	btfc_ctx_free(ctx);
	return 0;
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_parse [-t SECONDS] [-B BASE] [RAW_BTF_FILE]\n"
			"       bench_parse --extract SRC OUT [BASE]\n"
			"       bench_parse --dedup RAW_BTF_FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *path = "/sys/kernel/btf/vmlinux", *base_path = NULL;
	double min_s = 1.0;
	int i = 1;

	if (argc == 3 && !strcmp(argv[1], "--dedup")) {
		struct dedup_arg d;
		libbpf_set_print(quiet_libbpf);
		d.data = slurp(argv[2], &d.len);
		struct result r = run_timed(libbpf_dedup, &d, 1.0, "btf__dedup");
		printf("dedup: libbpf btf__dedup %.1f ms  [%ld iterations]\n", r.median_s * 1e3, r.iters);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--extract")) {
		if (argc != 4 && argc != 5)
			usage();
		return extract(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	}
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			min_s = atof(argv[++i]);
		else if (!strcmp(argv[i], "-B") && i + 1 < argc)
			base_path = argv[++i];
		else if (argv[i][0] == '-')
			usage();
		else
			break;
	}
	if (i < argc)
		path = argv[i++];
	if (i != argc || min_s <= 0)
		usage();

	libbpf_set_print(quiet_libbpf);
	struct btfc_ctx *ctx = btfc_ctx_new();
	if (!ctx)
		die("%s%s", strerror(ENOMEM), "");

	struct parse_arg a = { .ctx = ctx, .name = path };
	void *base_data = NULL;
	struct btfc_btf *our_base = NULL;
	if (base_path) {
		size_t blen;
		base_data = slurp(base_path, &blen);
		if (btfc_btf_parse(ctx, base_data, blen, base_path, NULL, &our_base))
			die("%s%s", btfc_ctx_last_error(ctx), "");
		a.bpf_base = btf__new(base_data, (__u32)blen);
		if (!a.bpf_base)
			die("btf__new(%s): %s", base_path, strerror(errno));
		a.our_base = our_base;
	}
	void *data = slurp(path, &a.len);
	a.data = data;

	/* Sanity: both readers must see the same number of types. */
	struct btfc_btf *btf;
	if (btfc_btf_parse(ctx, data, a.len, path, our_base, &btf))
		die("%s%s", btfc_ctx_last_error(ctx), "");
	struct btf *lb = a.bpf_base ? btf__new_split(data, (__u32)a.len, a.bpf_base)
				    : btf__new(data, (__u32)a.len);
	if (!lb)
		die("btf__new(%s): %s", path, strerror(errno));
	unsigned ours_cnt = btfc_btf_type_cnt(btf), bpf_cnt = btf__type_cnt(lb);
	btf__free(lb);
	printf("file: %s, %zu bytes, %u types%s\n", path, a.len, ours_cnt - btfc_btf_start_id(btf),
	       base_path ? " (split)" : "");
	if (ours_cnt != bpf_cnt)
		printf("WARNING: type count differs: btfcompat %u, libbpf %u\n", ours_cnt, bpf_cnt);
	fflush(stdout);

	struct result ro = run_timed(ours_parse, &a, min_s, "btfc_btf_parse");
	struct result rl = run_timed(libbpf_parse, &a, min_s, "btf__new");
	printf("parse: btfcompat %.3f ms, libbpf btf__new %.3f ms, ratio %.2f (goal <= 1.5)"
	       "  [%ld+%ld iterations]\n",
	       ro.median_s * 1e3, rl.median_s * 1e3, ro.median_s / rl.median_s, ro.iters, rl.iters);
	fflush(stdout);

	/* bpf-profile validation vs the kernel's own BPF_BTF_LOAD of the same bytes */
	struct result rv = run_timed(ours_validate, &a, min_s, "btfc_validate");
	if (!base_path && kbl_available()) {
		struct result rk = run_timed(kernel_load, &a, min_s, "BPF_BTF_LOAD");
		printf("validate: btfcompat bpf profile %.3f ms, kernel BPF_BTF_LOAD %.3f ms, ratio %.2f (goal <= 0.5); "
		       "vs libbpf btf__new %.2f (goal <= 5)  [%ld+%ld iterations]\n",
		       rv.median_s * 1e3, rk.median_s * 1e3, rv.median_s / rk.median_s, rv.median_s / rl.median_s,
		       rv.iters, rk.iters);
	} else {
		printf("validate: btfcompat bpf profile %.3f ms, vs libbpf btf__new %.2f (goal <= 5); "
		       "kernel not measured (%s)\n", rv.median_s * 1e3, rv.median_s / rl.median_s,
		       base_path ? "split BTF" : "bpf() not permitted");
	}
	fflush(stdout);

	a.fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (a.fd < 0)
		die("/dev/null: %s%s", strerror(errno), "");
	a.btf = btf;
	struct result rd = run_timed(ours_dump, &a, min_s, "btfc_btf_dump");
	printf("dump: btfcompat %.3f ms (raw format to /dev/null, %.0f MB/s of BTF)  [%ld iterations]\n",
	       rd.median_s * 1e3, (double)a.len / rd.median_s / 1e6, rd.iters);
	close(a.fd);

	btfc_btf_free(btf);
	btfc_btf_free(our_base);
	btf__free(a.bpf_base);
	btfc_ctx_free(ctx);
	free(data);
	free(base_data);
	return 0;
}
