#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# What the .BTF.base_checksum check (kernel/6.12/*.patch) costs, measured in
# the guest (QEMU/TCG, tests/kernel/guest.sh) on the kernels that
# tests/kernel_stamp.sh builds (scripts/kernel-build.sh, cached):
#   boot      guest uptime when /init starts: patched kernel (B, option on)
#             vs the same tree with the option off (B-off, the unpatched code)
#   first     the first insmod of a boot: stamped module on B (the vmlinux
#             BTF checksum is computed then, once) vs the same module without
#             its stamp on B and B-off's own module on B-off
#   cycle     mean insmod + rmmod of the same module (BENCH_REPEAT times
#             after the first): the per-module check is the difference
# Each boot is repeated BENCH_ROUNDS times (default 3); medians are printed.
# /proc/uptime is the guest's clock (10 ms): `first` is coarse, `cycle` is not.
# BENCH_VERSION=7.2: kernel/7.2's series on the kernels tests/kernel_stamp72.sh
# builds. Both versions' kernels have KUnit (B runs the series' suite at boot):
# these boots pass kunit.enable=0, as the tests' matrix boots do.
# BENCH_ARCH=arm64 or s390x (with BENCH_VERSION=7.2): the kernels of
# `tests/kernel_stamp72.sh BTFCOMPAT ARCH`, booted in that arch's QEMU.
#   bench/kernel_stamp.sh
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/kernel/guest.sh"
ROUNDS=${BENCH_ROUNDS:-3} REPEAT=${BENCH_REPEAT:-200}
VER=${BENCH_VERSION:-6.12}
export GUEST_ARCH=${BENCH_ARCH:-x86_64}
W=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/bench-kernel-stamp
[ "$GUEST_ARCH" = x86_64 ] || W=$W-$GUEST_ARCH
rm -rf "$W"; mkdir -p "$W"
guest_arch_env || { echo "bench: BENCH_ARCH is x86_64, arm64 or s390x" >&2; exit 2; }
[ "$GUEST_ARCH" = x86_64 ] || [ "$VER" = 7.2 ] || { echo "bench: BENCH_ARCH needs BENCH_VERSION=7.2" >&2; exit 2; }
SERIES=()
for p in "$TOP"/kernel/$VER/*.patch; do SERIES+=(--patch "$p"); done
B=(--patch "$TOP/tests/kernel/b-shift.patch")
if [ "$VER" = 7.2 ]; then # the arguments of tests/kernel_stamp72.sh, so its cached kernels are used
	X72=(--set "# CONFIG_CRC_ITU_T is not set" --set CONFIG_NETDEVICES=y --set CONFIG_NET_CORE=y --set CONFIG_DUMMY=m)
	KB=$("$TOP/scripts/kernel-build.sh" --version 7.2 "${GUEST_KBUILD[@]}" "${SERIES[@]}" "${B[@]}" "${X72[@]}" --set CONFIG_MODULE_BTF_BASE_CHECKSUM=y \
		--set CONFIG_KUNIT=y --set CONFIG_MODULE_BTF_BASE_CHECKSUM_KUNIT_TEST=y --seed A B)
	KBOFF=$("$TOP/scripts/kernel-build.sh" --version 7.2 "${GUEST_KBUILD[@]}" "${SERIES[@]}" "${B[@]}" "${X72[@]}" --set CONFIG_KUNIT=y --seed B B-off)
else # the arguments of tests/kernel_stamp.sh (KUNIT=y in every kernel), so its cached kernels are used
	KB=$("$TOP/scripts/kernel-build.sh" "${SERIES[@]}" "${B[@]}" --set CONFIG_MODULE_BTF_BASE_CHECKSUM=y \
		--set CONFIG_KUNIT=y --set CONFIG_MODULE_BTF_BASE_CHECKSUM_KUNIT_TEST=y --seed A B)
	KBOFF=$("$TOP/scripts/kernel-build.sh" "${SERIES[@]}" "${B[@]}" --set CONFIG_KUNIT=y --seed B B-off)
fi
export GUEST_APPEND=kunit.enable=0
M=net/packet/af_packet.ko
cp "$KB/$M" "$W/stamped.ko"
cp "$KB/$M" "$W/plain.ko"; $OBJCOPY --remove-section .BTF.base_checksum "$W/plain.ko"
cp "$KBOFF/$M" "$W/off.ko"
echo "s af_packet $W/stamped.ko" > "$W/on-stamped"
echo "p af_packet $W/plain.ko" > "$W/on-plain"
echo "o af_packet $W/off.ko" > "$W/off-plain"

med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for r in $(seq "$ROUNDS"); do
	for c in on-stamped on-plain off-plain; do
		case $c in on-*) k=$KB ;; *) k=$KBOFF ;; esac
		guest_boot "$(guest_image "$k")" "$W/$c" "$W/g-$c-$r" "$REPEAT" ||
			{ echo "bench: boot $c failed: $(tail -n 3 "$W/g-$c-$r/console.log")" >&2; exit 1; }
		{ cat "$W/g-$c-$r/up"; read -r _ _ first cycle < "$W/g-$c-$r/result"; echo "$first $cycle"; } |
			paste -sd' ' >> "$W/$c.txt"
	done
done
col() { awk -v c="$2" '{ print $c }' "$W/$1.txt" | med; }
printf 'kernel: %s linux-source-%s tinyconfig + tests/kernel/config.fragment, vmlinux BTF %s bytes; module af_packet, %s rounds, %s insmod+rmmod cycles each\n' "$GUEST_ARCH" "$VER" \
	"$(stat -c %s "$KB/vmlinux" >/dev/null && $OBJCOPY -O binary --only-section=.BTF "$KB/vmlinux" "$W/btf" && stat -c %s "$W/btf")" "$ROUNDS" "$REPEAT"
printf '%-34s %12s %14s %14s\n' "" "boot (s)" "first (us)" "cycle (us)"
for c in on-stamped on-plain off-plain; do
	case $c in
	on-stamped) l="patched, stamped module" ;;
	on-plain) l="patched, stamp removed" ;;
	off-plain) l="option off (unpatched code)" ;;
	esac
	printf '%-34s %12s %14s %14s\n' "$l" "$(col $c 1)" "$(col $c 2)" "$(col $c 3)"
done
