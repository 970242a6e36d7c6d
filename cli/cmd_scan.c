// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * btfcompat scan [--base BASE] [-J THREADS] [--all] DIR...
 * check every module (.ko, .ko.xz, .ko.zst, .ko.gz) under DIR, on all cores;
 * a summary of outcomes against the kernel's actions. Output does not depend
 * on the number of threads: modules are reported in path order.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <limits.h>

#include "cli.h"

struct job {
	char *path;
	struct btfc_module *m; /* opened before the base was ready, checked after */
	struct btfc_check c;
	int err;
	char errmsg[512];
	size_t errwhat; /* where in errmsg the message starts, after "PATH: " */
};

struct pool {
	struct job *jobs;
	size_t n;
	atomic_size_t next, done;
	atomic_size_t pending_bytes; /* images opened before the base was ready, all workers */
	/* The workers start while the main thread still reads the base (a vmlinuz
	 * is a decompression of its own): until then they only open (decompress)
	 * modules, at most PENDING_MAX each, and check them once it is there. */
	pthread_mutex_t lock;
	pthread_cond_t ready_cv;
	int ready; /* 0 reading the base, 1 ready, -1 it could not be read */
	const struct btfc_btf *base;
	struct btfc_check_opts opts;
	const struct btfc_ctx *parent; /* the workers' contexts share its limits and memory budget */
};

/* at most this many opened modules per worker, and this many bytes of them in all, wait for the base */
enum { PENDING_MAX = 64 };
#define PENDING_BYTES ((size_t)64 << 20)

static void jobs_free(struct pool *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->jobs[i].path);
		btfc_check_release(&p->jobs[i].c);
	}
	free(p->jobs);
}

static int base_state(struct pool *p, bool wait)
{
	pthread_mutex_lock(&p->lock);
	while (wait && !p->ready)
		pthread_cond_wait(&p->ready_cv, &p->lock);
	int r = p->ready;
	pthread_mutex_unlock(&p->lock);
	return r;
}

static void set_base(struct pool *p, const struct btfc_btf *base)
{
	pthread_mutex_lock(&p->lock);
	p->base = base;
	p->ready = base ? 1 : -1;
	pthread_cond_broadcast(&p->ready_cv);
	pthread_mutex_unlock(&p->lock);
}

static int add_job(struct pool *p, size_t *cap, const char *path)
{
	if (p->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		struct job *nj = realloc(p->jobs, *cap * sizeof(*nj));
		if (!nj)
			return -1;
		p->jobs = nj;
	}
	memset(&p->jobs[p->n], 0, sizeof(p->jobs[0]));
	p->jobs[p->n].c.sz = sizeof(p->jobs[p->n].c);
	if (!(p->jobs[p->n].path = strdup(path)))
		return -1;
	p->n++;
	return 0;
}

static void job_fail(struct job *j, struct btfc_ctx *ctx, int err)
{
	j->err = err;
	snprintf(j->errmsg, sizeof(j->errmsg), "%s", btfc_ctx_last_error(ctx));
	size_t all = strlen(btfc_ctx_last_error(ctx)), msg = strlen(btfc_ctx_last_message(ctx));
	j->errwhat = msg <= all && all - msg < sizeof(j->errmsg) ? all - msg : 0;
}

/* Check an opened job against the base (when it could be read) and close it. */
static void job_finish(struct pool *p, struct btfc_ctx *ctx, struct job *j, bool pending)
{
	int err;

	if (pending)
		atomic_fetch_sub(&p->pending_bytes, btfc_module_size(j->m));
	if (p->ready == 1 && (err = btfc_module_check_opened(ctx, j->m, p->base, &p->opts, &j->c)))
		job_fail(j, ctx, err);
	btfc_module_free(j->m);
	j->m = NULL;
	atomic_fetch_add(&p->done, 1);
}

/* Once the base is there (or could not be read): check and close the jobs opened before. */
static void drain(struct pool *p, struct btfc_ctx *ctx, struct job **pending, size_t *npend)
{
	if (!*npend)
		return;
	base_state(p, true);
	for (; *npend; --*npend)
		job_finish(p, ctx, pending[*npend - 1], true);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct btfc_ctx *ctx = btfc_ctx_new_worker(p->parent);
	struct job *pending[PENDING_MAX];
	size_t npend = 0, i;
	int err;

	while (ctx && (i = atomic_fetch_add(&p->next, 1)) < p->n) {
		struct job *j = &p->jobs[i];
		if ((err = btfc_module_open(ctx, j->path, &j->m))) {
			job_fail(j, ctx, err);
			atomic_fetch_add(&p->done, 1);
			continue;
		}
		size_t size = btfc_module_size(j->m);
		bool pend = npend < PENDING_MAX && !base_state(p, false);
		if (pend && atomic_fetch_add(&p->pending_bytes, size) + size > PENDING_BYTES) {
			atomic_fetch_sub(&p->pending_bytes, size);
			pend = false;
		}
		if (pend) {
			pending[npend++] = j;
			continue;
		}
		drain(p, ctx, pending, &npend);
		base_state(p, true);
		job_finish(p, ctx, j, false);
	}
	drain(p, ctx, pending, &npend);
	btfc_ctx_free(ctx);
	return NULL;
}

static int cmp_job(const void *a, const void *b)
{
	return strcmp(((const struct job *)a)->path, ((const struct job *)b)->path);
}

static const enum btfc_action acts[] = { BTFC_ACTION_ACCEPT,         BTFC_ACTION_ACCEPT_WRONG_TYPES,
					 BTFC_ACTION_DROP_BTF,       BTFC_ACTION_REFUSE_MODULE,
					 BTFC_ACTION_DROP_OR_REFUSE, BTFC_ACTION_NONE };

/* modules per outcome x action (acts[]); returns the modules that could not be read */
static size_t tally(const struct pool *p, size_t t[4][6])
{
	size_t errors = 0;

	memset(t, 0, sizeof(size_t[4][6]));
	for (size_t i = 0; i < p->n; i++) {
		if (p->jobs[i].err) {
			errors++;
			continue;
		}
		for (int a = 0; a < 6; a++)
			t[p->jobs[i].c.outcome][a] += p->jobs[i].c.action == acts[a];
	}
	return errors;
}

/* A label value in the Prometheus/OpenMetrics text format: \\, \" and \n escaped. */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/*
 * --metrics FILE: the summary as OpenMetrics text for node_exporter's textfile collector,
 * written to a temporary file beside FILE, fsynced and renamed over it (the collector must
 * never read half a file). Samples carry no timestamp (the collector refuses them): the time
 * of the scan is a metric of its own.
 */
static int write_metrics(struct cli *cli, const char *path, const char *base_path,
			 const struct pool *p)
{
	size_t t[4][6], errors = tally(p, t);
	char kernel[256], tmp[4096];
	const char *slash = strrchr(path, '/');
	struct timespec now;
	int fd;

	if (cli_base_release(base_path, kernel, sizeof(kernel)))
		snprintf(kernel, sizeof(kernel), "%s", base_path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s.%s.btfcXXXXXX",
			     slash ? (int)(slash - path + 1) : 0, path,
			     slash ? slash + 1 : path) >= sizeof(tmp))
		return cli_error(cli, "scan: --metrics: %s: name too long", path);
	if ((fd = mkstemp(tmp)) < 0)
		return cli_error(cli, "scan: --metrics: %s: %s", tmp, strerror(errno));
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return cli_error(cli, "scan: --metrics: %s: %s", tmp, strerror(errno));
	}
	clock_gettime(CLOCK_REALTIME, &now);
	fputs("# HELP btfcompat_modules Modules scanned, by check outcome and the kernel's predicted action.\n"
	      "# TYPE btfcompat_modules gauge\n",
	      f);
	for (int r = 0; r < 4; r++)
		for (int a = 0; a < 6; a++) {
			if (!t[r][a])
				continue;
			fputs("btfcompat_modules{kernel=\"", f);
			label(f, kernel);
			fprintf(f, "\",outcome=\"%s\",action=\"%s\"} %zu\n", btfc_outcome_name(r),
				btfc_action_name(acts[a]), t[r][a]);
		}
	fputs("# HELP btfcompat_modules_outcome Modules scanned, by check outcome (every outcome, 0 included).\n"
	      "# TYPE btfcompat_modules_outcome gauge\n",
	      f);
	for (int r = 0; r < 4; r++) {
		size_t n = 0;
		for (int a = 0; a < 6; a++)
			n += t[r][a];
		fputs("btfcompat_modules_outcome{kernel=\"", f);
		label(f, kernel);
		fprintf(f, "\",outcome=\"%s\"} %zu\n", btfc_outcome_name(r), n);
	}
	const char *const other[][3] = {
		{ "btfcompat_scan_errors", "Modules that could not be read.", "" },
		{ "btfcompat_scan_timestamp_seconds",
		  "When the scan ran, in seconds since the epoch.", "" },
	};
	for (int m = 0; m < 2; m++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s{kernel=\"", other[m][0], other[m][1],
			other[m][0], other[m][0]);
		label(f, kernel);
		if (m == 0)
			fprintf(f, "\"} %zu\n", errors);
		else
			fprintf(f, "\"} %lld.%03ld\n", (long long)now.tv_sec,
				now.tv_nsec / 1000000);
	}
	fputs("# EOF\n", f);
	int err = fflush(f) || fchmod(fd, 0644) || fsync(fd) ? errno : 0;
	if (fclose(f) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		unlink(tmp);
		return cli_error(cli, "scan: --metrics: %s: %s", path, strerror(err));
	}
	return EXIT_OK;
}

/* outcomes x actions */
static void summary(struct out *o, const struct pool *p, bool listed)
{
	size_t t[4][6], errors = tally(p, t);
	if (em_json(o)) {
		em_obj_begin(o);
		em_u(o, "modules", p->n);
		em_u(o, "errors", errors);
		em_list_begin(o, "summary");
		for (int r = 0; r < 4; r++)
			for (int a = 0; a < 6; a++) {
				if (!t[r][a])
					continue;
				em_item_begin(o);
				em_s(o, "outcome", btfc_outcome_name(r));
				em_s(o, "kernel_action", btfc_action_name(acts[a]));
				em_u(o, "modules", t[r][a]);
				em_item_end(o);
			}
		em_list_end(o);
		em_obj_end(o, false);
		return;
	}
	out_printf(o, "%s%zu modules%s\n%-10s %8s %10s %9s %10s %11s %7s %7s\n", listed ? "\n" : "",
		   p->n, errors ? " (some unreadable)" : "", "outcome", "accept", "types wrong",
		   "drop BTF", "refuse", "drop/refuse", "no BTF", "total");
	for (int r = 0; r < 4; r++) {
		size_t tot = 0;
		for (int a = 0; a < 6; a++)
			tot += t[r][a];
		out_printf(o, "%-10s %8zu %10zu %9zu %10zu %11zu %7zu %7zu\n", btfc_outcome_name(r),
			   t[r][0], t[r][1], t[r][2], t[r][3], t[r][4], t[r][5], tot);
	}
	if (errors)
		out_printf(o, "%-10s %zu\n", "error", errors);
}

static const struct cli_opt opts[] = {
	CLI_KERNEL_OPTTAB,
	{ "threads", required_argument, NULL, 'J', "THREADS",
	  "worker threads (default: one per core)", "" },
	{ "all", no_argument, NULL, 'a', NULL,
	  "list every module, not only those that do not match", NULL },
	{ "metrics", required_argument, NULL, 'O', "FILE",
	  "also write the summary as OpenMetrics text (node_exporter's textfile collector)", NULL },
	{ "print0", no_argument, NULL, 0x200, NULL,
	  "standard output lists the modules whose BTF does not fit, each ending in NUL; the report goes to standard error",
	  NULL },
	{ 0 },
};

static int run(struct cli *cli, int argc, char **argv)
{
	static struct out o;
	const char *base_path = "/sys/kernel/btf/vmlinux", *config = NULL;
	char tree_base[PATH_MAX];
	int base_given = 0;
	struct pool p = { 0 };
	size_t cap = 0;
	long threads = sysconf(_SC_NPROCESSORS_ONLN);
	int opt, rc = EXIT_OK, all = 0, allow = -1, print0 = 0;
	bool listed = false; /* a module line was printed: a blank line before the summary */
	const char *metrics = NULL;
	struct btfc_btf *base;

	optind = 1;
	while ((opt = cli_getopt(cli, &cmd_scan, argc, argv)) != -1) {
		switch (opt) {
		case 'B':
			base_path = optarg, base_given = 1;
			break;
		case 'C':
			if (cli_opt_file(cli, "--config", optarg))
				return EXIT_ERROR;
			config = optarg;
			break;
		case 'M':
			if (cli_opt_yesno(cli, "--mismatch-allowed", optarg, &allow))
				return EXIT_ERROR;
			break;
		case 'J':
			if (cli_opt_long(cli, "-J", optarg, 1, 256, &threads))
				return EXIT_ERROR;
			break;
		case 'a':
			all = 1;
			break;
		case 'O':
			metrics = optarg;
			break;
		case 0x200:
			print0 = 1;
			break;
		default:
			if (!cli_common_opt(cli, opt))
				return cli_usage(cli, &cmd_scan);
		}
	}
	if (optind >= argc || threads < 1 || threads > 256)
		return cli_usage(cli, &cmd_scan);
	if (!base_given && cli_tree_base(cli, argc - optind, argv + optind, &base_path, tree_base,
					 sizeof(tree_base)))
		return EXIT_ERROR;
	p.opts.sz = sizeof(p.opts);
	p.parent = cli->ctx;
	p.opts.mismatch_allowed = cli_mismatch_allowed(base_path, config, allow);
	p.opts.kernel = cli_base_kernel(base_path);
	p.opts.old_loader = cli_old_loader(base_path);
	p.opts.stamp_checked = cli_stamp_checked(base_path, config);
	struct cli_paths paths = { 0 };
	for (int i = optind; i < argc; i++)
		if (cli_collect(cli, argv[i], true, &paths)) {
			cli_paths_free(&paths);
			return EXIT_ERROR;
		}
	for (size_t i = 0; i < paths.n; i++)
		if (add_job(&p, &cap, paths.v[i])) {
			cli_paths_free(&paths);
			return cli_error(cli, "out of memory");
		}
	cli_paths_free(&paths);
	qsort(p.jobs, p.n, sizeof(p.jobs[0]), cmp_job);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.ready_cv, NULL);

	pthread_t tid[256];
	long started = 0;
	for (; started < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, &p))
			break;
	int base_err = btfc_btf_open(cli->ctx, base_path, NULL, &base);
	set_base(&p, base_err ? NULL : base);
	if (!started)
		worker(&p);
	bool tty = !base_err && !cli->quiet && isatty(STDERR_FILENO) && cli->mode == OUT_TEXT;
	while (tty && atomic_load(&p.done) < p.n) {
		fprintf(stderr, "\rscanning %zu/%zu modules", (size_t)atomic_load(&p.done), p.n);
		usleep(100000);
	}
	for (long i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (tty)
		fprintf(stderr, "\r%40s\r", "");
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.ready_cv);
	if (base_err) {
		jobs_free(&p);
		return cli_lib_error(cli);
	}

	/* --print0: standard output is the list of the modules whose BTF does not fit, the report goes to stderr */
	out_init(&o, print0 && !cli->quiet ? STDERR_FILENO : cli_out_fd(cli), cli->mode);
	o.color = cli_use_color(cli, o.fd);
	if (em_json(&o)) {
		em_obj_begin(&o);
		em_list_begin(&o, "modules");
	}
	for (size_t i = 0; i < p.n; i++) {
		struct job *j = &p.jobs[i];
		if (j->err) {
			out_flush(&o);
			cli_error(cli, "%s", j->errmsg);
			rc = EXIT_ERROR;
			if (em_json(&o)) { /* listed too: a reader of the JSON alone sees every module */
				em_obj_begin(&o);
				em_s(&o, "file", j->path);
				em_s(&o, "outcome", "error");
				em_i(&o, "errno", j->err);
				em_s(&o, "error", j->errmsg + j->errwhat);
				em_obj_end(&o, true);
			}
			continue;
		}
		if (cli_check_finding(&j->c)) {
			if (rc == EXIT_OK)
				rc = EXIT_FINDING;
			if (print0) {
				fputs(j->path, stdout);
				fputc(0, stdout);
			}
		} else if (!all && !em_json(&o)) {
			continue;
		}
		report_check(&o, j->path, &j->c);
		listed = true;
	}
	if (em_json(&o)) {
		em_list_end(&o);
		out_raw(&o, ",\"summary\":", 11);
		o.sep = 0;
	}
	summary(&o, &p, listed);
	if (em_json(&o)) {
		out_raw(&o, "}\n", 2);
		o.depth = 0;
	}
	out_flush(&o);
	if (metrics && write_metrics(cli, metrics, base_path, &p))
		rc = EXIT_ERROR;
	if (print0 && fflush(stdout))
		rc = cli_error(cli, "standard output: write error");
	jobs_free(&p);
	btfc_btf_free(base);
	return rc;
}

const struct cmd cmd_scan = {
	.name = "scan",
	.run = run,
	.usage =
		"[-j|-p] [--base BASE] [--config FILE | --mismatch-allowed yes|no] [-J THREADS] [--all] [--metrics FILE] [--print0] DIR...",
	.summary =
		"check every module under DIR (e.g. /lib/modules/VER), on all cores, with a summary",
	.shortopts = "B:J:a",
	.opts = opts,
};
