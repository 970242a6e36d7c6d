// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The public headers from C++ (g++ -std=c++17 -Wall -Wextra -Werror): they
 * compile, their extern "C" declarations link against the shared library,
 * an option struct is set up the C++ way (value-initialised, sz set), and
 * the header's version macros are the project's version (meson passes it).
 */
#include <btfcompat/btfcompat.h>
#include <btfcompat/stamp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

static int failed;

static void report(const char *name, bool ok, const std::string &why)
{
	if (ok)
		std::printf("PASS: %s\n", name);
	else
		std::printf("FAIL: %s: %s\n", name, why.c_str());
	failed += !ok;
}

int main()
{
	struct btfc_ctx *ctx = btfc_ctx_new();
	report("cxx/ctx-new", ctx != nullptr, "btfc_ctx_new() returned NULL");
	if (!ctx)
		return 1;

	struct btfc_btf *btf = nullptr;
	int err = btfc_btf_open(ctx, "/nonexistent/btfcompat-cxx-test", nullptr, &btf);
	const char *msg = btfc_ctx_last_error(ctx);
	report("cxx/open-error-named", err == -ENOENT && btf == nullptr && msg && std::strstr(msg, "btfcompat-cxx-test"),
	       "err " + std::to_string(err) + ", message '" + (msg ? msg : "(null)") + "'");

	struct btfc_check_opts opts{};
	opts.sz = sizeof(opts);
	opts.mismatch_allowed = -1;
	report("cxx/opts-struct", opts.sz == sizeof(struct btfc_check_opts) && opts.kernel == 0, "fields not as set");

	std::string ver = std::to_string(BTFC_VERSION_MAJOR) + "." + std::to_string(BTFC_VERSION_MINOR) + "." +
			  std::to_string(BTFC_VERSION_PATCH);
	report("cxx/header-version-is-project-version", ver == BTFC_PROJECT_VERSION,
	       "btfcompat.h says " + ver + ", meson.build " + BTFC_PROJECT_VERSION);
	btfc_ctx_free(ctx);
	return failed ? 1 : 0;
}
