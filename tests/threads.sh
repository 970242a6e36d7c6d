#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The threaded scan under ThreadSanitizer: workers open (decompress) modules
# while the main thread still reads the base from a vmlinuz, then check them.
# Real trees (6.1 .ko, 6.12 .ko.xz), several thread counts, and a base that
# cannot be read: no data race reported, output equal to the plain build's.
#   tests/threads.sh PLAIN-BTFCOMPAT TSAN-BTFCOMPAT
set -u
BIN=$(realpath "$1") TSAN=$(realpath "$2")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
corpus_env
need_kernels threads BTFC_K61A BTFC_K61B BTFC_K612A BTFC_K612B || exit 0
K54=$(kroot "$BTFC_K61A") &&
K55=$(kroot "$BTFC_K61B") &&
K115=$(kroot "$BTFC_K612A") &&
K117=$(kroot "$BTFC_K612B") || { fail threads "corpus: cannot fetch"; exit 0; }
# case NAME ARGS...: the TSan binary reports no race and prints what the plain one prints
case_() {
	local name=$1; shift
	"$BIN" "$@" > "$TMP/want" 2> "$TMP/want.err"; local want=$?
	"$TSAN" "$@" > "$TMP/got" 2> "$TMP/got.err"; local got=$?
	if grep -q 'ThreadSanitizer' "$TMP/got.err"; then
		fail "threads/$name" "$(grep -m1 -A3 'WARNING: ThreadSanitizer' "$TMP/got.err" | tr '\n' '|')"
	elif [ $got != $want ] || ! cmp -s "$TMP/want" "$TMP/got" || ! cmp -s "$TMP/want.err" "$TMP/got.err"; then
		fail "threads/$name" "exit $got (plain $want), output $(cmp -s "$TMP/want" "$TMP/got" && echo same || echo differs)"
	else
		pass "threads/$name (exit $got)"
	fi
}
case_ scan-6.1-on-55-J4 -j scan -J 4 -B "$K55/boot/vmlinuz-${BTFC_K61B}" "$K54/lib/modules"
case_ scan-6.1-on-own-J2 scan -J 2 -B "$K54/boot/vmlinuz-${BTFC_K61A}" "$K54/lib/modules"
case_ scan-6.12-xz-on-117-J3 -j scan -J 3 -B "$K117/boot/vmlinuz-${BTFC_K612B}" "$K115/lib/modules"
case_ scan-base-unreadable-J4 scan -J 4 -B "$TMP/no-such-vmlinuz" "$K54/lib/modules"
head -c 3000000 "$K55/boot/vmlinuz-${BTFC_K61B}" > "$TMP/cut-vmlinuz"
case_ scan-base-truncated-J4 scan -J 4 -B "$TMP/cut-vmlinuz" "$K54/lib/modules"
