/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/* The btfcompat CLI: one file per verb, this header shared by all. */
#ifndef BTFC_CLI_H
#define BTFC_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "btfcompat/btfcompat.h"
#include "out.h"

/* Exit codes (docs/design.md): 0 all good, 1 a finding (mismatch/invalid/differs), 2 usage or I/O error. */
enum { EXIT_OK = 0, EXIT_FINDING = 1, EXIT_ERROR = 2 };

enum cli_color { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };

struct cli {
	struct btfc_ctx *ctx;
	enum out_mode mode; /* -j / -p */
	enum cli_color color; /* --color */
	bool quiet; /* -q: the report goes nowhere; errors only */
	int null_fd; /* /dev/null, opened for -q */
	uint64_t max_module; /* --max-module-size before the verb (0: the default) */
	const struct cmd *cmd; /* the verb whose options cli_getopt() scans */
	bool bad_opt; /* getopt found an unknown option, or one without its argument */
	const char *prog;
	int argc; /* the verb's arguments, argv[0] being the verb */
	char **argv;
	const char *sign_key, *sign_cert, *sign_hash; /* --sign-* (sign.c) */
	unsigned sign_flags;
	struct btfc_signer *signer; /* freed by main */
};

/*
 * One option of a verb: the first four fields are struct option's (getopt_long), then what
 * --help, the man page's checks and the shell completion show. A table ends with { 0 }.
 */
struct cli_opt {
	const char *name;
	int has_arg;
	int *flag;
	int val;
	const char *arg; /* the argument's name in --help ("BASE"); NULL without one */
	const char *help; /* one line */
	/* the argument's values, space-separated, for completion; NULL: a file */
	const char *choices;
};

struct cmd {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *usage;
	const char *summary;
	const char *shortopts; /* getopt's short options ("B:"): each one's val is in opts */
	const struct cli_opt
		*opts; /* the long options, { 0 }-terminated; the common ones are added */
	const char *subcommands; /* space-separated words the verb takes first (store), or NULL */
};

extern const struct cmd cmd_dump, cmd_info, cmd_validate, cmd_stamp, cmd_check, cmd_scan, cmd_diff,
	cmd_relocate, cmd_distill, cmd_strip, cmd_store, cmd_identify;

/* ---- the options every verb takes and the help generated from the option tables (common.c) ---- */

/* The options taken before or after any verb ({ 0 }-terminated, at most CLI_COMMON_OPTS_MAX with it); their short forms. */
#define CLI_COMMON_OPTS_MAX 16
#define CLI_COMMON_SHORT "jpqh"
extern const struct cli_opt cli_common_opts[];
/* Apply common option @opt (its argument @arg); false if it is none of them. */
bool cli_global_opt(struct cli *cli, int opt, const char *arg);
/* One line of help for option @o of @cmd (NULL: a common option). */
void cli_help_line(FILE *f, const struct cmd *cmd, const struct cli_opt *o, bool common);
/* `btfcompat VERB --help`: the usage and every option of @cmd with its line. */
void cli_verb_help(FILE *f, const char *prog, const struct cmd *cmd);
/* The options @o of @cmd as `help --list` prints them for completion. */
void cli_list_opts(const struct cmd *cmd, const struct cli_opt *o, bool common);

/* ---- errors and warnings (err.c) ---- */

/* Print "btfcompat: MSG" to stderr; returns EXIT_ERROR. */
int cli_error(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the library's last error (with the option that overrides a refusal); returns EXIT_ERROR. */
int cli_lib_error(struct cli *cli);
/*
 * For a verb that goes on with its other arguments: print the library's last
 * error and return the worse of @rc and its exit code: EXIT_FINDING when the
 * library refused because the module does not fit the base, else EXIT_ERROR.
 */
int cli_lib_failure(struct cli *cli, int rc);
/* Print "btfcompat: MSG" to stderr, not changing the exit code (a warning). */
void cli_warn(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a verb's usage to stderr; returns EXIT_ERROR. */
int cli_usage(struct cli *cli, const struct cmd *cmd);

/*
 * Open FILE as BTF, on BASE when given. With no BASE and a file under
 * /sys/kernel/btf/ other than vmlinux, the base is /sys/kernel/btf/vmlinux
 * (as bpftool does). On success *btf and *base (NULL if none) are set; the
 * caller frees both with cli_close(). Returns 0 or EXIT_ERROR (message printed).
 */
int cli_open(struct cli *cli, const char *file, const char *base_path, struct btfc_btf **btf,
	     struct btfc_btf **base);
void cli_close(struct btfc_btf *btf, struct btfc_btf *base);

/* One module's check result, in text or JSON (check and scan). */
void report_check(struct out *o, const char *file, const struct btfc_check *c);
/* A finding (exit 1): the module's BTF does not fit the base (mismatch) or fails the kernel's checks (invalid). */
bool cli_check_finding(const struct btfc_check *c);
/*
 * CONFIG_MODULE_ALLOW_BTF_MISMATCH of the kernel that runs BASE: @allow
 * (1/0 from --mismatch-allowed; -1 not given) if given, else from @config, else from the config file beside
 * the base image (/boot/vmlinuz-VER -> /boot/config-VER; /usr/lib/modules/VER/vmlinuz
 * or vmlinuz.unsigned -> /usr/lib/modules/VER/config; symlinks followed) or of the
 * running kernel for /sys/kernel/btf/vmlinux.
 * 1, 0, or -1 when unknown.
 */
int cli_mismatch_allowed(const char *base_path, const char *config, int allow);
/*
 * 1 when the kernel that runs BASE checks .BTF.base_checksum at module load
 * (CONFIG_MODULE_BTF_BASE_CHECKSUM=y, the kernel/7.2/ and kernel/6.12/ v2
 * series, or CONFIG_DEBUG_INFO_BTF_MODULES_CHECKSUM=y, kernel/6.12/ v1, in the
 * config found as for cli_mismatch_allowed()), else 0.
 */
int cli_stamp_checked(const char *base_path, const char *config);

/*
 * 1 when the kernel that runs BASE is older than 6.11 (its module loader
 * ignores .BTF.base), known from a /boot/vmlinuz-VER or /usr/lib/modules/VER/vmlinuz name or, for
 * /sys/kernel/btf/vmlinux, the running kernel; else 0.
 */
int cli_old_loader(const char *base_path);
/* --kernel's argument ("newest", "6.12", "7.2", any "X.Y") as BTFC_KERNEL_*; -1 if not a version. */
int cli_parse_kernel(const char *s, unsigned *k);
/* The kernel version a base's path names (vmlinuz-VER, /usr/lib/modules/VER/..., the running one); 0 if none. */
unsigned cli_base_kernel(const char *base_path);
/*
 * The release of the kernel whose image @base_path is, from where it lies (vmlinuz-VER,
 * /usr/lib/modules/VER/vmlinuz, the running kernel's for /sys/kernel/btf/vmlinux; symlinks
 * followed) into @rel (@cap bytes): 0, or -1 if the path names none.
 */
int cli_base_release(const char *base_path, char *rel, size_t cap);
/*
 * The default base of check and scan for @files (@n of them): when they lie in a module tree
 * ROOT/lib/modules/VER or ROOT/usr/lib/modules/VER, that tree's installed kernel
 * (ROOT/boot/vmlinuz-VER, ROOT/boot/vmlinux-VER, the tree's vmlinuz or vmlinux) into @buf (@cap
 * bytes) and *@base_path, or the running kernel's BTF when VER is the running kernel; else
 * *@base_path stays. -1 (error reported, naming the kernels installed under ROOT/boot) when the
 * tree's kernel is not installed or the files lie in trees of different kernels.
 */
int cli_tree_base(struct cli *cli, int n, char *const *files, const char **base_path, char *buf,
		  size_t cap);

/* Per-file verbs: in JSON mode the output is one list of objects, one per file. */
void cli_list_begin(struct cli *cli, struct out *o);
void cli_list_end(struct out *o); /* also flushes */
/* cli_list_begin() for the rewriting verbs: with -o - the module goes to stdout, so the report goes to stderr. */
void cli_report_begin(struct cli *cli, struct out *o, const char *dest);

/* Common option parsing: returns true and consumes -j/-p if @opt is one of them. */
bool cli_common_opt(struct cli *cli, int opt);
#define CLI_COMMON_OPTS "jp"

/*
 * getopt_long() over @cmd's options (cmd->shortopts, cmd->opts) and the options every verb
 * takes, which it consumes itself: -j/--json, -p/--pretty, -q/--quiet, --color WHEN,
 * --max-module-size N, -h/--help (prints the verb's help and exits 0; a bad value of a common
 * option prints the error and exits 2). Scans from the optind the verb set (1, or 2 after a
 * subcommand). Returns the next option of the verb's own, '?' for an unknown one, -1 at the end.
 */
int cli_getopt(struct cli *cli, const struct cmd *cmd, int argc, char **argv);
/* The descriptor the verb's report goes to: standard output, or /dev/null with -q. */
int cli_out_fd(struct cli *cli);
/* Whether text written to @fd gets colours: text output and --color=always, or auto on a terminal without NO_COLOR. */
bool cli_use_color(const struct cli *cli, int fd);
/*
 * A file a verb could not read or judge, its error just printed (cli_error(), cli_lib_error(),
 * ...): in JSON mode also an object {"file": FILE, "error": MESSAGE} in the verb's output, as
 * bpftool's p_err() puts errors in its JSON. Returns @rc. Call out_flush() before printing.
 */
int cli_file_error(struct out *o, const char *file, int rc);

/* Module paths collected from the command line. */
struct cli_paths {
	char **v;
	size_t n, cap;
};
/*
 * Add @arg: a directory is walked for modules (.ko, .ko.xz, .ko.zst, .ko.gz;
 * sorted), anything else is added as it is, unless @walk_only (then it must
 * be a directory). Returns 0 or EXIT_ERROR (message printed).
 */
int cli_collect(struct cli *cli, const char *arg, bool walk_only, struct cli_paths *p);
/* The verb's MODULE|DIR... arguments from optind on (at least one; just one with -o @dest). */
int cli_collect_args(struct cli *cli, const struct cmd *cmd, int argc, char **argv,
		     const char *dest, struct cli_paths *p);
void cli_paths_free(struct cli_paths *p);

/*
 * Options of the verbs that rewrite modules: -f/--force (skip the content checks), --unsign (rewrite signed
 * modules, dropping the signature), --rewrite-read-only, -n/--dry-run, -b/--backup, -o/--output FILE|- (when @dest).
 */
#define CLI_REWRITE_OPTS "fnb"
#define CLI_OPT_UNSIGN 0x100
#define CLI_OPT_READ_ONLY 0x101
/* The option-table macros: one option a row, as in the verbs' tables (tests/cli_conventions.sh reads them). */
// clang-format off
#define CLI_REWRITE_OPTTAB                                                                                         \
	{ "force", no_argument, NULL, 'f', NULL, "skip the content checks (that the module's BTF fits the base)", NULL }, \
	{ "dry-run", no_argument, NULL, 'n', NULL, "build the new module in memory and discard it", NULL },          \
	{ "backup", no_argument, NULL, 'b', NULL, "keep the old module as MODULE~", NULL },                        \
	{ "unsign", no_argument, NULL, CLI_OPT_UNSIGN, NULL, "also rewrite signed modules, dropping the signature", NULL }, \
	{ "rewrite-read-only", no_argument, NULL, CLI_OPT_READ_ONLY, NULL, "also rewrite modules without write permission", NULL }
// clang-format on
// clang-format off
#define CLI_OUTPUT_OPTTAB                                                                                          \
	{ "output", required_argument, NULL, 'o', "OUT", "write to OUT instead of in place (one module; -: standard output)", NULL }
// clang-format on
bool cli_rewrite_opt(int opt, const char *arg, unsigned *flags, const char **dest);
/* What *dest becomes when -o is given twice (cli_collect_args() refuses it). */
extern const char CLI_DEST_TWICE[];
#define CLI_REWRITE_USAGE "[--force] [--unsign] [--rewrite-read-only] [--dry-run] [--backup]"

/* Signing options of the rewriting verbs: --sign-key KEY --sign-cert CERT [--sign-hash HASH] [--sign-keyid]. */
enum {
	CLI_OPT_SIGN_KEY = 0x110,
	CLI_OPT_SIGN_CERT,
	CLI_OPT_SIGN_HASH,
	CLI_OPT_SIGN_KEYID,
	CLI_OPT_SIGN_OWN
};
/* check's and scan's kernel: its BTF, and what its module loader does with BTF that does not fit */
// clang-format off
#define CLI_KERNEL_OPTTAB                                                                                          \
	{ "base", required_argument, NULL, 'B', "BASE", "the kernel's BTF (default: a /lib/modules/VER tree's own kernel, else /sys/kernel/btf/vmlinux; /boot/vmlinuz-VER works)", NULL }, \
	{ "config", required_argument, NULL, 'C', "FILE", "the kernel's config (default: the one beside the base image)", NULL }, \
	{ "mismatch-allowed", required_argument, NULL, 'M', "yes|no", "CONFIG_MODULE_ALLOW_BTF_MISMATCH, instead of a config", "yes no" }
// clang-format on
// clang-format off
#define CLI_SIGN_OPTTAB                                                                                            \
	{ "sign-key", required_argument, NULL, CLI_OPT_SIGN_KEY, "KEY", "sign rewritten modules with this PEM private key (with --sign-cert)", NULL }, \
	{ "sign-cert", required_argument, NULL, CLI_OPT_SIGN_CERT, "CERT", "the X.509 certificate of --sign-key (DER or PEM)", NULL }, \
	{ "sign-hash", required_argument, NULL, CLI_OPT_SIGN_HASH, "HASH", "the signature's digest (default: the kernel's CONFIG_MODULE_SIG_HASH, else sha512)", "sha256 sha384 sha512" }, \
	{ "sign-keyid", no_argument, NULL, CLI_OPT_SIGN_KEYID, NULL, "name the signer by subject key identifier (sign-file -k)", NULL }, \
	{ "sign-own", no_argument, NULL, CLI_OPT_SIGN_OWN, NULL, "sign only modules already signed with CERT; others stay as they are", NULL }
// clang-format on
#define CLI_SIGN_USAGE \
	"[--sign-key KEY --sign-cert CERT [--sign-hash HASH] [--sign-keyid] [--sign-own]]"
bool cli_sign_opt(struct cli *cli, int opt, const char *arg);
/*
 * After option parsing: load the key and certificate and sign with them (ctx). Without
 * --sign-hash, the hash is the CONFIG_MODULE_SIG_HASH of the kernel whose image @base_path is
 * (its config beside it; NULL: none), else the library's default. 0 or EXIT_ERROR (printed).
 */
int cli_sign_setup(struct cli *cli, const char *base_path);
/* CONFIG_MODULE_SIG_HASH of the kernel whose image @base_path is, into @hash (@cap bytes): 0, or -1 if unknown. */
int cli_base_sig_hash(const char *base_path, char *hash, size_t cap);

/* ---- the store and candidate bases (bases.c) ---- */

/* The store's directory: @opt (--store), else $BTFCOMPAT_STORE, else BTFC_STORE_DEFAULT_DIR. */
const char *cli_store_dir(const char *opt);

struct cli_bases {
	struct btfc_candidate *c; /* names and bases owned */
	size_t n;
};
/*
 * The candidates: @extra (--base; an unreadable one is an error), the store
 * at @store_dir (read-only; corrupted bases reported and skipped), and with
 * @installed the installed and running kernels. Duplicates (same digest) are
 * dropped. Returns 0 or EXIT_ERROR (printed).
 */
int cli_bases_load(struct cli *cli, struct cli_bases *b, const char *store_dir, char *const *extra,
		   size_t n_extra, bool installed);
/* "a, b, c": the names of all candidates but index @skip (SIZE_MAX: none skipped). */
const char *cli_bases_names(const struct cli_bases *b, size_t skip, char *buf, size_t cap);
void cli_bases_free(struct cli_bases *b);
/* @n check results for btfc_module_identify() (sz set in each), NULL on ENOMEM; freed (and released) by cli_checks_free(). */
struct btfc_check *cli_checks_new(size_t n);
void cli_checks_free(struct btfc_check *ck, size_t n);
/*
 * The candidate that the module at @path was built on (identify): its index
 * in *@idx and 0; EXIT_ERROR (printed, naming the bases tried) when none fits
 * or several do (the message suggests option @opt).
 */
int cli_bases_identify(struct cli *cli, const struct cli_bases *b, const char *path,
		       const char *opt, size_t *idx);

/*
 * One parser per kind of option value, shared by every verb: each returns 0
 * with the value stored, or prints "btfcompat: VERB: --OPT: 'VALUE' is not
 * ..." and returns EXIT_ERROR. @opt is the option as the user wrote it.
 */
int cli_opt_yesno(struct cli *cli, const char *opt, const char *arg,
		  int *out); /* yes|no (y|n|true|false|1|0) */
int cli_opt_file(struct cli *cli, const char *opt, const char *arg); /* an existing file */
int cli_opt_kernel(struct cli *cli, const char *opt, const char *arg,
		   unsigned *out); /* 6.1|6.12|newest */
int cli_opt_long(struct cli *cli, const char *opt, const char *arg, long min, long max,
		 long *out); /* a whole number */
int cli_opt_size(struct cli *cli, const char *opt, const char *arg,
		 uint64_t *out); /* N[K|M|G] bytes */
int cli_opt_match(struct cli *cli, const char *opt, const char *arg,
		  enum btfc_match *out); /* layout|kernel */

/* Write @s to stderr (or to a text report) with control characters shown as \xNN (no forged lines or escapes). */
void cli_safe_fputs(const char *s, FILE *f);

#endif
