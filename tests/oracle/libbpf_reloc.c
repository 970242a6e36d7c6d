// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Test oracle (never linked into btfcompat): libbpf 1.5's btf__distill_base()
 * and btf__relocate() over many modules in one process. Build it with
 * tests/oracle/build-libbpf-reloc.sh.
 *   libbpf_reloc [--time] relocate OLDBASE NEWBASE OUTDIR MOD...   -> NAME.btf
 *   libbpf_reloc [--time] distill BASE OUTDIR MOD...   -> NAME.base.btf, NAME.btf
 *   libbpf_reloc [--time] relocate-distilled NEWBASE OUTDIR MOD...   -> NAME.btf
 * MOD: plain ELF .ko (relocate-distilled: with .BTF.base); NAME: its basename
 * without ".ko"; bases: raw BTF or ELF. Files hold btf__raw_data(). Stdout: per
 * module "NAME\tok" or "NAME\tfail\tMSG", MSG = libbpf's warnings joined by
 * " | ". --time: copy every .BTF/.BTF.base out with libelf first, then time
 * btf__new[_split] + distill/relocate + btf__raw_data only; summary on stderr.
 * Exit 0 even when modules fail, 2 on usage or I/O errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

enum mode { RELOCATE, DISTILL, RELOC_DISTILLED };

struct mod {
	const char *path;
	char name[256];
	void *btf, *dbase; /* --time: copies of .BTF and .BTF.base */
	size_t btf_len, dbase_len;
};

static char msg[16384];
static size_t msglen;

/* Keeps each libbpf message as one line "W<text>" (warning) or "D<text>". */
static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024], *p = line, *q;
	size_t l;

	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		return 0;
	if (!strncmp(p, "libbpf: ", 8))
		p += 8;
	l = strlen(p);
	while (l && (p[l - 1] == '\n' || p[l - 1] == ' ')) /* some lack the newline */
		p[--l] = '\0';
	for (q = p; (q = strpbrk(q, "\n\t"));)
		*q = ' ';
	if (l && msglen + l + 3 <= sizeof(msg)) {
		msg[msglen++] = level == LIBBPF_WARN ? 'W' : 'D';
		memcpy(msg + msglen, p, l);
		msglen += l;
		msg[msglen++] = '\n';
		msg[msglen] = '\0';
	}
	return 0;
}

static _Noreturn __attribute__((format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("libbpf_reloc: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

#define usage()                                                                                    \
	die("usage: libbpf_reloc [--time] relocate OLDBASE NEWBASE OUTDIR MOD...\n"                  \
	    "       libbpf_reloc [--time] distill BASE OUTDIR MOD...\n"                                \
	    "       libbpf_reloc [--time] relocate-distilled NEWBASE OUTDIR MOD...")

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void write_out(const char *dir, const char *name, const char *sfx, const void *d, __u32 n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, sfx);
	f = fopen(path, "wb");
	if (!f || fwrite(d, 1, n, f) != n || fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
}

static void *dup_scn(Elf_Scn *scn, size_t *len)
{
	Elf_Data *d = elf_rawdata(scn, NULL);
	void *p = d ? malloc(d->d_size + 1) : NULL;

	if (p)
		memcpy(p, d->d_buf, *len = d->d_size);
	return p;
}

/* --time: read MOD and copy its .BTF / .BTF.base out with libelf. */
static void load_mod(struct mod *m)
{
	FILE *f = fopen(m->path, "rb");
	struct stat st;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	char *buf;
	Elf *elf;

	if (!f || fstat(fileno(f), &st))
		die("cannot open %s: %s", m->path, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		die("cannot read %s: %s", m->path, strerror(errno));
	fclose(f);
	elf = elf_memory(buf, (size_t)st.st_size);
	if (elf && !elf_getshdrstrndx(elf, &shstrndx)) {
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *nm;

			if (!gelf_getshdr(scn, &sh) || !(nm = elf_strptr(elf, shstrndx, sh.sh_name)))
				continue;
			if (!strcmp(nm, BTF_ELF_SEC))
				m->btf = dup_scn(scn, &m->btf_len);
			else if (!strcmp(nm, BTF_BASE_ELF_SEC))
				m->dbase = dup_scn(scn, &m->dbase_len);
		}
	}
	if (elf)
		elf_end(elf);
	free(buf);
}

/* Runs one module; returns NULL on success, else the failing step (*err: errno). */
static const char *one(enum mode mode, struct mod *m, struct btf *base, struct btf *newbase,
		       const char *outdir, double *ms, int *err)
{
	struct btf *split = NULL, *dbase = NULL, *dsplit = NULL;
	const void *raw = NULL, *rawb = NULL;
	const char *step = NULL;
	bool free_dbase = true;
	__u32 sz = 0, szb = 0;
	double t0 = now_ms();

	if (mode == RELOC_DISTILLED) {
		if (!m->btf) { /* libbpf puts .BTF on .BTF.base itself (owns_base) */
			step = "btf__parse_split";
			if (!(dsplit = btf__parse_split(m->path, NULL)))
				goto out;
			dbase = (struct btf *)btf__base_btf(dsplit);
			free_dbase = false;
		} else if (m->dbase) {
			step = "btf__new";
			if (!(dbase = btf__new(m->dbase, (__u32)m->dbase_len)))
				goto out;
			step = "btf__new_split";
			if (!(dsplit = btf__new_split(m->btf, (__u32)m->btf_len, dbase)))
				goto out;
		}
		step = "no " BTF_BASE_ELF_SEC " section";
		errno = ENODATA;
		if (!dbase)
			goto out;
		step = "btf__relocate";
		if (btf__relocate(dsplit, newbase))
			goto out;
		free_dbase = true; /* relocated: dsplit no longer owns it */
	} else {
		step = m->btf ? "btf__new_split" : "btf__parse_split";
		split = m->btf ? btf__new_split(m->btf, (__u32)m->btf_len, base)
			       : btf__parse_split(m->path, base);
		if (!split)
			goto out;
		step = "btf__distill_base";
		if (btf__distill_base(split, &dbase, &dsplit))
			goto out;
		step = "btf__relocate";
		if (mode == RELOCATE && btf__relocate(dsplit, newbase))
			goto out;
		if (mode == DISTILL)
			rawb = btf__raw_data(dbase, &szb);
	}
	step = "btf__raw_data";
	raw = btf__raw_data(dsplit, &sz);
	if (raw && (mode != DISTILL || rawb))
		step = NULL;
out:
	*ms = now_ms() - t0;
	*err = errno;
	if (!step) {
		if (mode == DISTILL)
			write_out(outdir, m->name, ".base.btf", rawb, szb);
		write_out(outdir, m->name, ".btf", raw, sz);
	}
	btf__free(dsplit);
	if (free_dbase)
		btf__free(dbase);
	btf__free(split);
	return step;
}

/* The failure text: libbpf's warnings; without any, step, errno and debug messages. */
static void report(const char *name, const char *step, int err)
{
	char want = msg[0] == 'W' || strstr(msg, "\nW") ? 'W' : 'D', *l, *e;
	const char *sep = "";

	if (!step) {
		printf("%s\tok\n", name);
		return;
	}
	printf("%s\tfail\t", name);
	if (want == 'D')
		printf("%s: %s", step, strerror(err)), sep = " | ";
	for (l = msg; *l; l = e + 1) {
		e = strchr(l, '\n');
		if (*l == want)
			printf("%s%.*s", sep, (int)(e - l - 1), l + 1), sep = " | ";
	}
	putchar('\n');
}

static int cmp_dbl(const void *a, const void *b)
{
	return (*(const double *)a > *(const double *)b) - (*(const double *)a < *(const double *)b);
}

int main(int argc, char **argv)
{
	static const char *const labels[] = { "parse+distill+relocate", "parse+distill", "parse+relocate" };
	struct btf *base = NULL, *newbase = NULL;
	char *outdir, *p;
	bool timed = false;
	enum mode mode = RELOCATE;
	struct mod *mods;
	double *ms, total = 0;
	int i, n, a = 1, nbases = 0;

	if (a < argc && !strcmp(argv[a], "--time"))
		timed = true, a++;
	if (a >= argc)
		usage();
	else if (!strcmp(argv[a], "relocate"))
		mode = RELOCATE, nbases = 2;
	else if (!strcmp(argv[a], "distill"))
		mode = DISTILL, nbases = 1;
	else if (!strcmp(argv[a], "relocate-distilled"))
		mode = RELOC_DISTILLED, nbases = 1;
	if (argc - ++a < nbases + 2 || !nbases || !*argv[a + nbases])
		usage();
	libbpf_set_print(capture);
	elf_version(EV_CURRENT);
	for (i = 0; i < nbases; i++, a++) {
		struct btf **b = (mode == RELOCATE && !i) || mode == DISTILL ? &base : &newbase;

		*b = btf__parse(argv[a], NULL);
		if (!*b)
			die("cannot parse base %s: %s", argv[a], strerror(errno));
	}
	outdir = argv[a++];
	for (p = outdir; *p;) { /* mkdir -p */
		char c;

		p += strspn(p, "/");
		p += strcspn(p, "/");
		c = *p, *p = '\0';
		if (mkdir(outdir, 0755) && errno != EEXIST)
			die("cannot create %s: %s", outdir, strerror(errno));
		*p = c;
	}
	n = argc - a;
	mods = calloc((size_t)n, sizeof(*mods));
	ms = calloc((size_t)n, sizeof(*ms));
	if (!mods || !ms)
		die("out of memory");
	for (i = 0; i < n; i++) {
		struct mod *m = &mods[i];
		const char *b = strrchr(argv[a + i], '/');
		size_t l;

		if (access(m->path = argv[a + i], R_OK))
			die("cannot read %s: %s", m->path, strerror(errno));
		snprintf(m->name, sizeof(m->name), "%s", b ? b + 1 : m->path);
		l = strlen(m->name);
		if (l > 3 && !strcmp(m->name + l - 3, ".ko"))
			m->name[l - 3] = '\0';
		if (timed)
			load_mod(m);
	}
	for (i = 0; i < n; i++) {
		const char *step = "no " BTF_ELF_SEC " section";
		int err = ENODATA;

		msglen = 0;
		msg[0] = '\0';
		if (!timed || mods[i].btf)
			step = one(mode, &mods[i], base, newbase, outdir, &ms[i], &err);
		for (int k = 0; step && k < 2; k++) { /* no stale output of an earlier run */
			char p[4096];

			snprintf(p, sizeof(p), "%s/%s%s", outdir, mods[i].name, k ? ".base.btf" : ".btf");
			unlink(p);
		}
		report(mods[i].name, step, err);
		total += ms[i];
	}
	if (fflush(stdout))
		die("cannot write stdout: %s", strerror(errno));
	if (timed) {
		qsort(ms, (size_t)n, sizeof(*ms), cmp_dbl);
		fprintf(stderr, "time: %d modules, %s total %.3f ms, median %.3f ms per module\n", n,
			labels[mode], total, n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2);
	}
	for (i = 0; i < n; i++)
		free(mods[i].btf), free(mods[i].dbase);
	free(mods);
	free(ms);
	btf__free(base);
	btf__free(newbase);
	return 0;
}
