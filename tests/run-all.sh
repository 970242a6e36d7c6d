#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Every test of btfcompat. On a fresh Debian 12 machine (as root) it installs
# what it needs, builds with gcc, clang, gcc+ASan+UBSan and gcc+TSan, fetches the real
# kernel corpus, runs all suites against the plain and the ASan build, runs
# the fuzz targets briefly, and ends with the line "N passed, N failed, N skipped".
#   tests/run-all.sh [--quick]     --quick: skip the ASan pass and the fuzz smoke run
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
QUICK=0; [ "${1:-}" = --quick ] && QUICK=1
LOGS=$TOP/build/test-logs
WORK=${BTFC_TEST_WORK:-${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/test-work}
P=0 F=0 S=0

# Suites run in parallel groups and several install packages when they first need them: every
# apt-get of this run waits for the dpkg lock instead of failing on it (APT_CONFIG adds to apt's own
# configuration; the machine's files are not changed).
APTCONF=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/apt-lock-wait.conf
mkdir -p "$(dirname "$APTCONF")" && echo 'DPkg::Lock::Timeout "1800";' > "$APTCONF" && export APT_CONFIG=$APTCONF

if ! scripts/setup.sh; then
	echo "setup failed"; echo "0 passed, 1 failed"; exit 1
fi
mkdir -p "$LOGS" "$WORK"
rm -f "$LOGS"/*.count
"$TOP/scripts/corpus.sh" >/dev/null || echo "note: corpus not fully fetched; the tests that need the missing kernels fail naming them" >&2
# the kernel of each corpus role (BTFC_K61A=6.1.0-54-cloud-amd64 ...: pinned, or the nearest build
# Debian's mirror still has), for the suites and the unit tests
set -a; eval "$("$TOP/scripts/corpus.sh" --env 2>/dev/null)"; set +a

# suite NAME CMD...: run CMD, keep its output in the log, count its PASS/FAIL/SKIP lines.
suite() {
	local name=$1 log=$LOGS/$1.log; shift
	local t0=$SECONDS
	"$@" > "$log" 2>&1
	local rc=$? p f s
	p=$(grep -c '^PASS: ' "$log"); f=$(grep -c '^FAIL: ' "$log"); s=$(grep -c '^SKIP: ' "$log")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL: $name: exited $rc without a FAIL line: $(tail -n 3 "$log" | tr '\n' '|')"; f=1
	fi
	grep -E '^(FAIL|SKIP): ' "$log" | head -n 30
	printf '%-28s %5d passed %3d failed %3d skipped  (%ds)\n' "$name" "$p" "$f" "$s" $((SECONDS - t0))
	P=$((P + p)); F=$((F + f)); S=$((S + s))
}

build_variant() { # DIR MESON-ARGS...
	local dir=$1; shift
	{ [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@"; } && ninja -C "$dir"
}
build_check() { # NAME DIR ARGS...: a build is a test: it must compile warning-free
	local name=$1; shift
	if build_variant "$@" > "$LOGS/build-$name.log" 2>&1; then echo "PASS: build/$name"; else
		echo "FAIL: build/$name: $(grep -m3 -E 'error|warning' "$LOGS/build-$name.log" | tr '\n' '|')"; fi
}

run_suites() { # TAG BUILD-DIR
	local tag=$1 b=$2
	for t in "$b"/tests/test_*; do
		[ -f "$t" ] && [ -x "$t" ] && suite "$tag-$(basename "$t")" "$t"
	done
	[ -f tests/badinput_cli.sh ] && suite "$tag-badinput-cli" tests/badinput_cli.sh "$b/btfcompat"
	suite "$tag-golden" tests/golden_corpus.sh "$b/btfcompat" "$WORK/golden"
	suite "$tag-golden-c" tests/golden_c.sh "$b/btfcompat" "$WORK/golden-c"
	suite "$tag-corpus-validate" tests/corpus_validate.sh "$b/btfcompat"
	suite "$tag-check-scan" tests/check_scan.sh "$b/btfcompat"
	suite "$tag-diff" tests/diff.sh "$b/btfcompat"
	suite "$tag-relocate" tests/relocate.sh "$b/btfcompat"
	suite "$tag-cli-conventions" tests/cli_conventions.sh "$b/btfcompat"
	suite "$tag-sign" tests/sign.sh "$b/btfcompat"
	suite "$tag-store" tests/store.sh "$b/btfcompat" $([ "$tag" = asan ] && echo quick)
	suite "$tag-hostile" tests/hostile.sh "$b/btfcompat" $([ "$tag" = asan ] && echo quick)
	# the validator against this machine's kernel: a slice of mutants of real BTF
	local v61 cases=${BTFC_ORACLE_CASES:-2000}
	[ "$tag" = asan ] && cases=${BTFC_ORACLE_CASES_ASAN:-500}
	v61=$("$TOP/scripts/corpus.sh" --path "$BTFC_K61A" 2>/dev/null)/boot/vmlinuz-$BTFC_K61A
	suite "$tag-oracle-bpf" "$b/tests/validate_oracle" -n "$cases" -s 1 "$v61"
}

# Kernel-dominated suites (QEMU boots: one TCG thread each; SIGKILL timing; installs), run once,
# on the plain build.
kernel_suites() { # TAG BUILD-DIR
	local tag=$1 b=$2
	suite "$tag-oracle-qemu" tests/qemu_oracle.sh "$b/btfcompat" $([ $QUICK = 1 ] && echo --quick)
	suite "$tag-qemu-repair" tests/qemu_repair.sh "$b/btfcompat"
	suite "$tag-kernel-stamp" tests/kernel_stamp.sh "$b/btfcompat"
	suite "$tag-kernel-stamp72" tests/kernel_stamp72.sh "$b/btfcompat"
	suite "$tag-dkms" tests/dkms.sh "$b/btfcompat"
	suite "$tag-arch" tests/arch.sh "$b/btfcompat"
	suite "$tag-install" tests/install.sh "$b"
	suite "$tag-package" tests/package.sh "$b"
	suite "$tag-hook-system" tests/hook_system.sh "$b"
	suite "$tag-bigendian" tests/bigendian.sh "$b/btfcompat"
	suite "$tag-crash-safety" tests/crash_safety.sh "$b/btfcompat"
}

suite builds bash -c "$(declare -f build_variant build_check); LOGS=$LOGS
	build_check gcc build
	CC=clang build_check clang build-clang
	build_check asan build-asan -Db_sanitize=address,undefined -Db_lundef=false
	build_check tsan build-tsan -Db_sanitize=thread -Db_lundef=false"

suite corpus-resolve tests/corpus_resolve.sh
run_suites gcc build
if [ $QUICK = 0 ]; then
	# The kernel suites mostly wait on one QEMU thread; the sanitizer pass, TSan and the fuzz
	# run beside them on the other core. The background group's lines and counts come after.
	( P=0 F=0 S=0; kernel_suites gcc build > "$LOGS/kernel-suites.out"; echo "$P $F $S" > "$LOGS/kernel-suites.count" ) &
	kpid=$!
	(
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
		export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98
		export BTFC_GOLDEN_EVERY=${BTFC_GOLDEN_EVERY:-3}
		[ -x build-asan/btfcompat ] && run_suites asan build-asan
		echo "$P $F $S" > "$LOGS/asan.count"
	)
	read -r P F S < "$LOGS/asan.count"
	[ -x build-tsan/btfcompat ] && suite tsan-threads tests/threads.sh build/btfcompat build-tsan/btfcompat
	suite fuzz-smoke tests/fuzz_smoke.sh "${BTFC_FUZZ_SECONDS:-20}"
	wait $kpid
	cat "$LOGS/kernel-suites.out"
	if read -r p f s < "$LOGS/kernel-suites.count"; then P=$((P + p)); F=$((F + f)); S=$((S + s)); else
		echo "FAIL: kernel-suites: the group ended without its counts"; F=$((F + 1)); fi
else
	kernel_suites gcc build
fi

echo "logs: $LOGS"
echo "$P passed, $F failed, $S skipped"
[ "$F" = 0 ]
