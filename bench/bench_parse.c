// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * bench_parse — a benchmark, not a test: time btfcompat's raw-BTF parse and
 * dump against libbpf's btf__new() on the same bytes in one process.
 *
 *   bench_parse [-t SECONDS] [-B BASE] [FILE]   FILE defaults to /sys/kernel/btf/vmlinux
 *   bench_parse --extract SRC OUT [BASE]        write the raw .BTF of any source
 *                                               btfc_btf_open() reads (vmlinuz,
 *                                               vmlinux, .ko[.xz|.zst|.gz]) to OUT
 *   bench_parse --dedup RAW                     libbpf btf__dedup() of RAW
 *   bench_parse --relocate OLDBASE NEWBASE MOD...
 *                                               relocate every MOD's .BTF from
 *                                               OLDBASE onto NEWBASE (raw BTF
 *                                               bases, plain .ko modules)
 *
 * FILE is a raw BTF blob; it is read into memory once. Each measured side
 * runs iterations for at least SECONDS (default 1) and at least 5 times, each
 * iteration timed alone with CLOCK_MONOTONIC; the median is printed:
 *   parse: btfc_btf_parse() + btfc_btf_free()  vs  btf__new() + btf__free()
 *   dump:  btfc_btf_dump(RAW) of the already parsed BTF to /dev/null
 * With -B, FILE is split BTF over BASE (btf__new_split() on the libbpf side).
 *
 * --relocate reads every module's .BTF into memory first (libelf), then runs
 * 5 rounds over all modules per side, each module timed alone:
 *   ours:   btfc_btf_parse(split on OLDBASE) + btfc_relocator_btf() + frees,
 *           with BTFC_MATCH_KERNEL and with BTFC_MATCH_LAYOUT; the relocator
 *           (one diff of the two bases) is created outside the rounds and its
 *           creation timed on its own (best of 5)
 *   libbpf: btf__new_split(OLDBASE) + btf__distill_base() + btf__relocate(NEWBASE)
 *           + btf__raw_data() + frees
 * "total" is the best round's sum over modules, "median" the median over
 * modules of each module's best time. Before timing, every module that both
 * relocate is checked once for byte-identical output (kernel match vs libbpf).
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

#include <gelf.h>
#include <libelf.h>

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
	struct btf *btf = a->bpf_base ? btf__new_split(a->data, (__u32)a->len, a->bpf_base) :
					btf__new(a->data, (__u32)a->len);

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
	BTFC_OPTS(btfc_validate_opts, o, .profile = BTFC_PROFILE_BPF);
	BTFC_OPTS(btfc_verdict, v);
	int err = btfc_validate(a->ctx, a->data, a->len, a->our_base, &o, &v);

	if (err || v.err)
		fprintf(stderr, "btfc_validate: %d %s\n", err ? err : v.err,
			err ? btfc_ctx_last_error(a->ctx) : v.msg);
	err = err ? err : v.err;
	btfc_verdict_release(&v);
	return err;
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

/* ---- --relocate -------------------------------------------------------- */

struct rmod {
	const char *path;
	void *btf; /* malloc'd copy of .BTF, NULL when the module has none */
	size_t len;
};

/* Copy @path's .BTF section out with libelf; leaves m->btf NULL if absent. */
static void rmod_load(struct rmod *m)
{
	size_t flen, shstrndx;
	void *file = slurp(m->path, &flen);
	Elf *elf = elf_memory(file, flen);
	Elf_Scn *scn = NULL;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		die("%s: not an ELF file (%s)", m->path, elf_errmsg(-1));
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *nm;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(nm = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(nm, BTF_ELF_SEC))
			continue;
		if (!(d = elf_rawdata(scn, NULL)) || !d->d_size)
			break;
		m->btf = malloc(d->d_size);
		if (!m->btf)
			die("%s: %s", m->path, strerror(ENOMEM));
		memcpy(m->btf, d->d_buf, m->len = d->d_size);
		break;
	}
	elf_end(elf);
	free(file);
}

struct reloc_bench {
	struct btfc_ctx *ctx;
	struct btfc_relocator *rel;
	struct btfc_btf *our_old;
	struct btf *bpf_old, *bpf_new;
	struct rmod *mods;
	int n;
};

/* One module, our side: 1 relocated, 0 refused, -1 error (*out kept if @keep). */
static int ours_reloc_one(struct reloc_bench *b, const struct rmod *m, enum btfc_match match,
			  void **keep, size_t *keep_len)
{
	BTFC_OPTS(btfc_reloc_result, res);
	struct btfc_btf *mod;
	void *out = NULL;
	size_t len = 0;
	int err = btfc_btf_parse(b->ctx, m->btf, m->len, m->path, b->our_old, &mod);

	if (err)
		return -1;
	err = btfc_relocator_btf(b->ctx, b->rel, mod, match, NULL, NULL, &out, &len, &res);
	btfc_btf_free(mod);
	if (keep && err == 0) {
		*keep = out;
		*keep_len = len;
	} else {
		free(out);
	}
	return err < 0 ? -1 : err == 0;
}

/* One module, libbpf's side: 1 relocated, 0 failed (raw kept if @keep). */
static int libbpf_reloc_one(struct reloc_bench *b, const struct rmod *m, void **keep,
			    size_t *keep_len)
{
	struct btf *split = btf__new_split(m->btf, (__u32)m->len, b->bpf_old), *dbase = NULL,
		   *dsplit = NULL;
	const void *raw = NULL;
	__u32 sz = 0;
	int ok = 0;

	if (split && !btf__distill_base(split, &dbase, &dsplit) &&
	    !btf__relocate(dsplit, b->bpf_new) && (raw = btf__raw_data(dsplit, &sz))) {
		ok = 1;
		if (keep) {
			*keep = malloc(sz);
			if (!*keep)
				die("%s%s", strerror(ENOMEM), "");
			memcpy(*keep, raw, *keep_len = sz);
		}
	}
	btf__free(dsplit);
	btf__free(dbase);
	btf__free(split);
	return ok;
}

enum reloc_side { SIDE_KERNEL, SIDE_LAYOUT, SIDE_LIBBPF };

struct reloc_times {
	double total_ms, median_ms;
	int ok, refused, errors;
};

#define RELOC_ROUNDS 5

/* Best of RELOC_ROUNDS rounds over all modules of one side. */
static struct reloc_times reloc_rounds(struct reloc_bench *b, enum reloc_side side)
{
	struct reloc_times t = { .total_ms = 1e300 };
	double *best = malloc(sizeof(*best) * (size_t)b->n);
	int cnt = 0;

	if (!best)
		die("%s%s", strerror(ENOMEM), "");
	for (int i = 0; i < b->n; i++)
		best[i] = 1e300;
	for (int round = 0; round < RELOC_ROUNDS; round++) {
		int ok = 0, refused = 0, errors = 0;
		double sum = 0;

		for (int i = 0; i < b->n; i++) {
			const struct rmod *m = &b->mods[i];
			int r;

			if (!m->btf)
				continue;
			double a = now_s();
			r = side == SIDE_LIBBPF ?
				    libbpf_reloc_one(b, m, NULL, NULL) :
				    ours_reloc_one(b, m,
						   side == SIDE_KERNEL ? BTFC_MATCH_KERNEL :
									 BTFC_MATCH_LAYOUT,
						   NULL, NULL);
			double d = now_s() - a;
			sum += d;
			if (d < best[i])
				best[i] = d;
			ok += r == 1;
			refused += r == 0;
			errors += r < 0;
		}
		if (sum * 1e3 < t.total_ms)
			t.total_ms = sum * 1e3;
		t.ok = ok, t.refused = refused, t.errors = errors;
	}
	for (int i = 0; i < b->n; i++)
		if (b->mods[i].btf)
			best[cnt++] = best[i];
	qsort(best, (size_t)cnt, sizeof(*best), cmp_double);
	t.median_ms =
		cnt ? (cnt % 2 ? best[cnt / 2] : (best[cnt / 2 - 1] + best[cnt / 2]) / 2) * 1e3 : 0;
	free(best);
	return t;
}

static int silent_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static int relocate_bench(const char *old_path, const char *new_path, int nmods, char **mod_paths)
{
	struct reloc_bench b = { .n = nmods };
	struct btfc_btf *our_new;
	size_t old_len, new_len;
	void *old_data = slurp(old_path, &old_len), *new_data = slurp(new_path, &new_len);

	libbpf_set_print(silent_libbpf); /* the refused modules would warn every round */
	elf_version(EV_CURRENT);
	b.ctx = btfc_ctx_new();
	if (!b.ctx)
		die("%s%s", strerror(ENOMEM), "");
	if (btfc_btf_parse(b.ctx, old_data, old_len, old_path, NULL, &b.our_old) ||
	    btfc_btf_parse(b.ctx, new_data, new_len, new_path, NULL, &our_new))
		die("%s%s", btfc_ctx_last_error(b.ctx), "");
	if (!(b.bpf_old = btf__new(old_data, (__u32)old_len)) ||
	    !(b.bpf_new = btf__new(new_data, (__u32)new_len)))
		die("btf__new: %s%s", strerror(errno), "");

	b.mods = calloc((size_t)nmods, sizeof(*b.mods));
	if (!b.mods)
		die("%s%s", strerror(ENOMEM), "");
	int with_btf = 0;
	size_t bytes = 0;
	for (int i = 0; i < nmods; i++) {
		b.mods[i].path = mod_paths[i];
		rmod_load(&b.mods[i]);
		with_btf += b.mods[i].btf != NULL;
		bytes += b.mods[i].len;
	}
	printf("relocate: %d modules, %d with .BTF (%.1f MB), %s -> %s\n", nmods, with_btf,
	       (double)bytes / 1e6, old_path, new_path);
	fflush(stdout);

	/* relocator creation: one diff of the two bases; best of 5 */
	double create_ms = 1e300;
	for (int k = 0; k < RELOC_ROUNDS; k++) {
		struct btfc_relocator *r;
		double a = now_s();
		if (btfc_relocator_new(b.ctx, b.our_old, our_new, &r))
			die("btfc_relocator_new: %s%s", btfc_ctx_last_error(b.ctx), "");
		double d = (now_s() - a) * 1e3;
		if (d < create_ms)
			create_ms = d;
		if (k == RELOC_ROUNDS - 1)
			b.rel = r;
		else
			btfc_relocator_free(r);
	}
	printf("relocate: relocator_new %.3f ms (best of %d)\n", create_ms, RELOC_ROUNDS);

	/* untimed: same output as libbpf, module by module? */
	int same = 0, differ = 0, disagree = 0;
	for (int i = 0; i < nmods; i++) {
		void *o = NULL, *l = NULL;
		size_t ol = 0, ll = 0;
		if (!b.mods[i].btf)
			continue;
		int ro = ours_reloc_one(&b, &b.mods[i], BTFC_MATCH_KERNEL, &o, &ol);
		int rl = libbpf_reloc_one(&b, &b.mods[i], &l, &ll);
		if (ro == 1 && rl == 1) {
			if (ol == ll && !memcmp(o, l, ol))
				same++;
			else if (differ++ < 3)
				printf("relocate: WARNING: %s: output differs from libbpf's (%zu vs %zu bytes)\n",
				       b.mods[i].path, ol, ll);
		} else if ((ro == 1) != (rl == 1) && disagree++ < 3) {
			printf("relocate: WARNING: %s: btfcompat %s, libbpf %s\n", b.mods[i].path,
			       ro == 1 ? "relocated" :
			       ro == 0 ? "refused" :
					 "error",
			       rl ? "relocated" : "failed");
		}
		free(o);
		free(l);
	}
	printf("relocate: output vs libbpf: %d identical, %d different, %d ok/refused disagreements\n",
	       same, differ, disagree);
	fflush(stdout);

	static const char *const label[] = { "btfcompat kernel", "btfcompat layout", "libbpf" };
	struct reloc_times t[3];
	for (int s = 0; s < 3; s++) {
		t[s] = reloc_rounds(&b, (enum reloc_side)s);
		printf("relocate: %s total %.1f ms, median %.4f ms per module, %d ok, %d refused, %d errors"
		       "  [best of %d]\n",
		       label[s], t[s].total_ms, t[s].median_ms, t[s].ok, t[s].refused, t[s].errors,
		       RELOC_ROUNDS);
		fflush(stdout);
	}
	printf("relocate: ratio kernel/libbpf total %.2f, median %.2f; layout/libbpf total %.2f, median %.2f"
	       " (goal <= 0.5)\n",
	       t[0].total_ms / t[2].total_ms, t[0].median_ms / t[2].median_ms,
	       t[1].total_ms / t[2].total_ms, t[1].median_ms / t[2].median_ms);

	for (int i = 0; i < nmods; i++)
		free(b.mods[i].btf);
	free(b.mods);
	btfc_relocator_free(b.rel);
	btfc_btf_free(b.our_old);
	btfc_btf_free(our_new);
	btf__free(b.bpf_old);
	btf__free(b.bpf_new);
	btfc_ctx_free(b.ctx);
	free(old_data);
	free(new_data);
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
			"       bench_parse --dedup RAW_BTF_FILE\n"
			"       bench_parse --relocate OLDBASE NEWBASE MOD...\n");
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
		printf("dedup: libbpf btf__dedup %.1f ms  [%ld iterations]\n", r.median_s * 1e3,
		       r.iters);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--relocate")) {
		if (argc < 5)
			usage();
		return relocate_bench(argv[2], argv[3], argc - 4, argv + 4);
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
	struct btf *lb = a.bpf_base ? btf__new_split(data, (__u32)a.len, a.bpf_base) :
				      btf__new(data, (__u32)a.len);
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
		       rv.median_s * 1e3, rk.median_s * 1e3, rv.median_s / rk.median_s,
		       rv.median_s / rl.median_s, rv.iters, rk.iters);
	} else {
		printf("validate: btfcompat bpf profile %.3f ms, vs libbpf btf__new %.2f (goal <= 5); "
		       "kernel not measured (%s)\n",
		       rv.median_s * 1e3, rv.median_s / rl.median_s,
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
