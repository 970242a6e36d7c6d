#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Build the libFuzzer targets with clang and run each for a short while.
#   tests/fuzz_smoke.sh SECONDS
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
SECS=${1:-20}
B=$TOP/build-fuzz
if ! { [ -f "$B/build.ninja" ] || CC=clang meson setup "$B" -Dfuzz=true -Dwerror=true >/dev/null; } ||
   ! ninja -C "$B" > "$B/build.log" 2>&1; then
	fail fuzz/build "$(grep -m3 error "$B/build.log" 2>/dev/null | tr '\n' '|')"; exit 1
fi
for f in "$B"/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	name=$(basename "$f")
	corpus=$(mktemp -d)
	[ -d "$TOP/fuzz/seeds/$name" ] && cp "$TOP/fuzz/seeds/$name"/* "$corpus"/ 2>/dev/null
	if "$f" -max_total_time="$SECS" -rss_limit_mb=4096 -timeout=10 -print_final_stats=1 -artifact_prefix="$B/" "$corpus" > "$B/$name.log" 2>&1; then
		pass "fuzz/$name ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$B/$name.log" | grep -o '[0-9]*$' || echo '?') execs in ${SECS}s)"
	else
		fail "fuzz/$name" "$(grep -m5 -E 'ERROR|SUMMARY|crash-' "$B/$name.log" | tr '\n' '|')"
	fi
	rm -rf "$corpus"
done
