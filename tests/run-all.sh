#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Every test of btfcompat. On a fresh Debian 12 machine (as root) it installs
# what it needs, builds with gcc, clang, gcc+ASan+UBSan and gcc+TSan, fetches the real
# kernel corpus, runs all suites against the plain and the ASan build, runs
# the fuzz targets briefly, and ends with the line "N passed, N failed, N skipped".
# Every suite runs through `meson test` (tests/meson.build registers them); this script adds the
# builds, the corpus fetch, the parallel groups and the counts.
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

# mt BUILD-DIR NAME: one suite through `meson test` (tests/meson.build registers them all; the suite's
# PASS/FAIL/SKIP lines come through -v unchanged; each run its own log file, as groups run in parallel)
# (-t 0: no time limit, as before; the CI budget is the whole run's)
mt() { meson test -C "$1" --no-rebuild -v -t 0 --logbase "testlog-$2" "$2"; }

run_suites() { # TAG BUILD-DIR
	local tag=$1 b=$2 t
	for t in $(meson test -C "$b" --no-rebuild --list --suite unit 2>/dev/null | sed -n 's|^.*:unit / ||p'); do
		suite "$tag-$t" mt "$b" "$t"
	done
	suite "$tag-badinput-cli" mt "$b" badinput-cli
	for t in golden golden-c corpus-validate check-scan diff relocate cli-conventions sign store hostile; do
		suite "$tag-$t" mt "$b" $t
	done
	# the validator against this machine's kernel: a slice of mutants of real BTF
	local cases=${BTFC_ORACLE_CASES:-2000}
	[ "$tag" = asan ] && cases=${BTFC_ORACLE_CASES_ASAN:-500}
	BTFC_ORACLE_CASES=$cases suite "$tag-oracle-bpf" mt "$b" oracle-bpf
}

# Kernel-dominated suites (QEMU boots: one TCG thread each; SIGKILL timing; installs), run once,
# on the plain build.
kernel_suites() { # TAG BUILD-DIR
	local tag=$1 b=$2 t
	for t in oracle-qemu qemu-repair kernel-stamp kernel-stamp72 dkms arch install package hook-system bigendian crash-safety; do
		BTFC_SUITE_QUICK=$QUICK suite "$tag-$t" mt "$b" $t
	done
}

suite builds bash -c "$(declare -f build_variant build_check); LOGS=$LOGS
	build_check gcc build
	CC=clang build_check clang build-clang
	build_check asan build-asan -Db_sanitize=address,undefined -Db_lundef=false
	build_check tsan build-tsan -Db_sanitize=thread -Db_lundef=false"

suite corpus-resolve mt build corpus-resolve
# the house: the include and symbol graph of lib/ and cli/, no circles (objects of the gcc build)
suite house mt build house
suite bench-smoke mt build bench-smoke
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
		export BTFC_SUITE_QUICK=1 # store and hostile: their quick pass
		[ -x build-asan/btfcompat ] && run_suites asan build-asan
		echo "$P $F $S" > "$LOGS/asan.count"
	)
	read -r P F S < "$LOGS/asan.count"
	[ -x build-tsan/btfcompat ] && BTFC_TSAN_BIN=$TOP/build-tsan/btfcompat suite tsan-threads mt build tsan-threads
	suite fuzz-smoke mt build fuzz-smoke
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
