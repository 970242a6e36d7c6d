#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The main job on a real Debian kernel pair, from a fresh Debian 12 machine (as root):
# installs dependencies, builds, fetches and caches Debian's 6.1.0-54 and 6.1.0-55 cloud
# kernels (corpus roles x86-61-old/-new: the nearest pair when the mirror has dropped these;
# "-54" and "-55" below), then asks of every module of -54 what -55's kernel will do with its BTF, and
# repairs them: relocated onto -55's base, re-checked, loaded in QEMU-booted kernels.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
scripts/setup.sh
C=$(scripts/corpus.sh)
eval "$(scripts/corpus.sh --env x86-61-old x86-61-new)"
V54=$BTFC_K61A V55=$BTFC_K61B
K54=$C/$V54 K55=$C/$V55
B=build/btfcompat
show() { echo; echo "\$ $*" | sed "s|$C|~/.cache/btfcompat|g"; "$@" 2>&1 | sed "s|$C|~/.cache/btfcompat|g"; }
excerpt() { echo; echo "\$ $* | ..." | sed "s|$C|~/.cache/btfcompat|g"; "$@" 2>&1 | sed "s|$C|~/.cache/btfcompat|g" > "$T/out"; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

echo "== 1. $V54's modules on $V55's kernel (base read from its vmlinuz; config beside it)"
excerpt $B scan --base "$K55/boot/vmlinuz-$V55" "$K54/lib/modules" || true
grep -A1 -m2 'types wrong' "$T/out"; echo "  ..."
grep -A1 -m1 '/af_key.ko' "$T/out"; echo "  ..."
sed -n '/^[0-9]* modules/,$p' "$T/out"
echo "modules whose BTF the -55 kernel accepts although it names other types:"
grep -o '[^/]*\.ko: mismatch ([^)]*); kernel: accept, types wrong' "$T/out" | cut -d: -f1 | tr '\n' ' ' | fold -s -w 100; echo

echo; echo "== 2. the same modules on their own kernel"
show $B scan --base "$K54/boot/vmlinuz-$V54" "$K54/lib/modules"

echo; echo "== 3. stamped (.BTF.base_checksum) copies: certain either way"
cp -r "$K54/lib/modules" "$T/stamped"
find "$T/stamped" -name '*.ko' -print0 | xargs -0 -n 300 $B stamp --unsign --base "$K54/boot/vmlinuz-$V54" > "$T/st"
echo "stamped $(grep -c 'stamp=stamped' "$T/st") modules (Debian signs its modules: --unsign drops the signature)"
show $B scan --base "$K54/boot/vmlinuz-$V54" "$T/stamped"
excerpt $B scan --base "$K55/boot/vmlinuz-$V55" "$T/stamped" || true
grep -A1 -m1 '/af_key.ko' "$T/out" | sed "s|$T|...|"; sed -n '/^[0-9]* modules/,$p' "$T/out"

echo; echo "== 4. repair: -54's modules relocated onto -55's base, re-checked, and loaded in QEMU with their BTF"
cp -r "$K54/lib/modules" "$T/relocated"
excerpt $B relocate --unsign --match kernel --from "$K54/boot/vmlinuz-$V54" --to "$K55/boot/vmlinuz-$V55" "$T/relocated" || true
grep -m1 -A2 '/af_key.ko: relocated' "$T/out" | sed "s|$T|...|"; echo "  ..."
grep -m1 '/nft_compat.ko: refused' "$T/out" | sed "s|$T|...|"
sed -n '/nft_compat.ko: refused/,/^[^ ]/p' "$T/out" | grep -m1 '^  !' | cut -c1-160; echo "  ..."
echo "relocated $(grep -c ': relocated' "$T/out"), refused $(grep -c ': refused' "$T/out") (a type they embed changed size: rebuild them)"
excerpt $B scan --base "$K55/boot/vmlinuz-$V55" "$T/relocated" || true
sed -n '/^[0-9]* modules/,$p' "$T/out"
cp -r "$K54/lib/modules" "$T/layout"
$B relocate --unsign --from "$K54/boot/vmlinuz-$V54" --to "$K55/boot/vmlinuz-$V55" "$T/layout" > "$T/out" 2>&1 || true
echo; echo "the default, --match layout, also refuses every module a changed base type touches:" \
	"relocated $(grep -c ': relocated' "$T/out"), refused $(grep -c ': refused' "$T/out")"
echo; echo "\$ tests/qemu_repair.sh $B    # real 6.1 and 6.12 kernels in QEMU"
bash tests/qemu_repair.sh "$B" | grep -E '^(PASS|FAIL|SKIP)'
