#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The main job on a real Debian kernel pair, from a fresh Debian 12 machine:
# installs dependencies, builds, fetches and caches Debian's 6.1.0-54 and
# 6.1.0-55 cloud kernels, then reads, dumps and validates their BTF, and shows
# what the module loader of -55 makes of a module built for -54.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
scripts/setup.sh
C=$(scripts/corpus.sh)
K54=$C/6.1.0-54-cloud-amd64 K55=$C/6.1.0-55-cloud-amd64
V54=$K54/boot/vmlinuz-6.1.0-54-cloud-amd64 V55=$K55/boot/vmlinuz-6.1.0-55-cloud-amd64
MOD=lib/modules/6.1.0-54-cloud-amd64/kernel/net/key/af_key.ko
B=build/btfcompat
run() { echo; echo "\$ ${*/#$TOP\//}" | sed "s|$C|~/.cache/btfcompat|g"; "$@" 2>&1 | sed "s|$C|~/.cache/btfcompat|g"; }

run $B info "$V54"
run bash -c "$B dump $V54 | head -n 5"
run $B info -B "$V54" "$K54/$MOD"
run bash -c "$B dump -B $V54 $K54/$MOD | tail -n 4"
echo; echo "# every module of 6.1.0-54 against its own base (module profile):"
n=$(find "$K54/lib/modules" -name '*.ko' | wc -l)
ok=$(find "$K54/lib/modules" -name '*.ko' -print0 | xargs -0 -P "$(nproc)" -n 200 $B validate -B "$V54" | grep -c ': ok (')
echo "$ok of $n modules: ok"
echo; echo "# the same af_key.ko on 6.1.0-55's kernel: what its module loader and BPF_BTF_LOAD say"
run $B validate -B "$V55" "$K54/$MOD" || true
run $B validate --profile bpf -B "$V55" "$K54/$MOD" || true
