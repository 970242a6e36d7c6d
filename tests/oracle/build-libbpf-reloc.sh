#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Build the libbpf 1.5 distill/relocate test oracle (tests/oracle/libbpf_reloc.c)
# against the static libbpf from scripts/oracle-libbpf.sh. libbpf is a test
# oracle only, never linked into btfcompat.
#
#   tests/oracle/build-libbpf-reloc.sh [OUTDIR]    (default: REPO/build-oracle/)
#
# Builds OUTDIR/libbpf_reloc only when it is missing or older than its source,
# this script or libbpf.a, then prints its absolute path on stdout. Progress
# and compiler output go to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
src=$here/libbpf_reloc.c
outdir=${1:-$repo/build-oracle}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
bin=$outdir/libbpf_reloc

prefix=$(bash "$repo/scripts/oracle-libbpf.sh")
lib=$prefix/lib/libbpf.a
[ -f "$lib" ] || { echo "build-libbpf-reloc: $lib missing" >&2; exit 1; }

if [ -x "$bin" ] && [ "$bin" -nt "$src" ] && [ "$bin" -nt "$lib" ] && [ "$bin" -nt "${BASH_SOURCE[0]}" ]; then
	echo "$bin"
	exit 0
fi

echo "build-libbpf-reloc: building $bin" >&2
${CC:-gcc} -std=c17 -O2 -Wall -Wextra -Werror -o "$bin.tmp.$$" "$src" \
	-I "$prefix/include" "$lib" -lelf -lz >&2
mv -f "$bin.tmp.$$" "$bin"
echo "$bin"
