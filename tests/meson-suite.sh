#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# How `meson test` runs a shell suite (tests/meson.build registers each one through this script):
# it checks what the suite needs, runs it, and turns the suite's PASS/FAIL/SKIP lines (tests/lib.sh)
# into meson's exit codes: 0 passed, 1 a FAIL line or a non-zero exit, 77 skipped (nothing passed,
# something skipped; or a need below is missing). The suite's lines go to standard output unchanged,
# so tests/run-all.sh counts them as before.
#
#   tests/meson-suite.sh [--needs corpus,root,tsan] [--quick ARG] [--env-arg VAR=DEFAULT] -- CMD ARGS...
#
#   --needs corpus   the kernel corpus is cached (scripts/corpus.sh recorded its roles), else 77: meson
#                    never downloads it (tests/run-all.sh fetches it first); BTFCOMPAT_CACHE moves it
#   --needs root     running as root (the suite installs packages, loads BTF, mounts), else 77
#   --needs tsan     $BTFC_TSAN_BIN (default SOURCE/build-tsan/btfcompat) is built, else 77
#   --quick ARG      append ARG when BTFC_SUITE_QUICK=1 (tests/run-all.sh's sanitizer pass, --quick)
#   --env-arg V=D    append ${V:-D}
#   ARGS: @WORK@ is replaced by the tests' scratch folder (BTFC_TEST_WORK, as tests/run-all.sh's),
#         @TSAN@ by the TSan build's btfcompat
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
WORK=${BTFC_TEST_WORK:-$CACHE/test-work}
TSAN=${BTFC_TSAN_BIN:-$TOP/build-tsan/btfcompat}
needs= extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--needs) needs=$2; shift 2 ;;
	--quick) [ "${BTFC_SUITE_QUICK:-0}" = 1 ] && extra+=("$2"); shift 2 ;;
	--env-arg) v=${2%%=*}; extra+=("${!v:-${2#*=}}"); shift 2 ;;
	--) shift; break ;;
	*) echo "FAIL: meson-suite: unknown option $1"; exit 1 ;;
	esac
done
name=$(basename "$1" .sh)
for n in ${needs//,/ }; do
	case $n in
	corpus) [ -s "$CACHE/roles" ] || { echo "SKIP: $name: no kernel corpus in $CACHE (scripts/corpus.sh fetches it)"; exit 77; } ;;
	root) [ "$(id -u)" = 0 ] || { echo "SKIP: $name: needs root"; exit 77; } ;;
	tsan) [ -x "$TSAN" ] || { echo "SKIP: $name: no TSan build at $TSAN"; exit 77; } ;;
	*) echo "FAIL: meson-suite: unknown need $n"; exit 1 ;;
	esac
done
args=()
for a in "$@"; do a=${a//@WORK@/$WORK}; args+=("${a//@TSAN@/$TSAN}"); done
mkdir -p "$WORK"
out=$(mktemp); trap 'rm -f "$out"' EXIT
"${args[@]}" "${extra[@]}" | tee "$out"
rc=${PIPESTATUS[0]}
if [ "$rc" != 0 ] || grep -q '^FAIL: ' "$out"; then exit 1; fi
if ! grep -q '^PASS: ' "$out" && grep -q '^SKIP: ' "$out"; then exit 77; fi
exit 0
