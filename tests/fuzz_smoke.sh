#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Build the libFuzzer targets with clang and run each for a short while.
#   tests/fuzz_smoke.sh SECONDS
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
corpus_env
SECS=${1:-20}
B=$TOP/build-fuzz
# (the source folder named: `meson test` runs this in the build folder)
log=$(mktemp); trap 'rm -f "$log"' EXIT
if [ ! -f "$B/build.ninja" ] && ! CC=clang meson setup "$B" "$TOP" -Dfuzz=true -Dwerror=true > "$log" 2>&1; then
	fail fuzz/setup "$(tail -n 3 "$log" | tr '\n' '|')"; exit 1
fi
if ! ninja -C "$B" > "$B/build.log" 2>&1; then
	fail fuzz/build "$(grep -m3 error "$B/build.log" 2>/dev/null | tr '\n' '|')"; exit 1
fi
# fuzz_elfw: real modules of the corpus (small ones, a .ko.xz among them) on their own base (BTFC_K61A),
# relocated onto the newer build (BTFC_K61B)
elfw_seeds() {
	local k54 k55
	need_kernels fuzz/elfw-seeds BTFC_K61A BTFC_K61B || return 0
	k54=$(kroot "$BTFC_K61A") && k55=$(kroot "$BTFC_K61B") || { fail fuzz/elfw-seeds "corpus: cannot fetch"; return 0; }
	export BTFC_FUZZ_BASE=$k54/boot/vmlinuz-${BTFC_K61A} BTFC_FUZZ_TO=$k55/boot/vmlinuz-${BTFC_K61B}
	local m i=0
	for m in net/key/af_key.ko lib/crc7.ko crypto/echainiv.ko net/ipv4/ah4.ko; do
		m=$(find "$k54/lib/modules" -path "*/$m" | head -n1)
		[ -f "$m" ] && cp "$m" "$1/seed$i.ko" && i=$((i + 1))
	done
	[ -f "$1/seed0.ko" ] && xz -c --check=crc32 "$1/seed0.ko" > "$1/seed0.ko.xz"
	# broken section name tables (issue 22): SHT_NOBITS, SHT_NOTE, empty, one byte, no NUL, index 0
	local mode
	[ -f "$1/seed1.ko" ] && for mode in nobits note size=0 size=1 nonul shstrndx=0; do
		python3 "$TOP/tests/tools/elf_nametable.py" "$1/seed1.ko" "$1/nametable-$mode.ko" $mode
	done
}
for f in "$B"/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	name=$(basename "$f")
	corpus=$(mktemp -d)
	[ -d "$TOP/fuzz/seeds/$name" ] && cp "$TOP/fuzz/seeds/$name"/* "$corpus"/ 2>/dev/null
	if [ $name = fuzz_elfw ]; then elfw_seeds "$corpus"; fi
	if "$f" -max_total_time="$SECS" -rss_limit_mb=4096 -timeout=10 -print_final_stats=1 -artifact_prefix="$B/" "$corpus" > "$B/$name.log" 2>&1; then
		pass "fuzz/$name ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$B/$name.log" | grep -o '[0-9]*$' || echo '?') execs in ${SECS}s)"
	else
		fail "fuzz/$name" "$(grep -m5 -E 'ERROR|SUMMARY|crash-' "$B/$name.log" | tr '\n' '|')"
	fi
	rm -rf "$corpus"
done
