#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# kernel/7.2's selftest (0005: tools/testing/selftests/bpf/prog_tests/
# btf_base_checksum.c) run from its own source in QEMU on the small 7.2 test
# kernels, where test_progs itself cannot be built (hundreds of BPF programs,
# bpftool, a kernel with BPF tracing): the file is compiled against the
# patched tree's tools/lib/bpf (static libbpf.a) with tests/kernel/
# selftest-shim (the test_progs.h names it uses, and a main()), and
# tests/kernel/bpf_testmod-standin stands in for bpf_testmod (same module
# name, an M= build so distilled, struct bpf_testmod_test_read_ctx).
#  * on A (MODULE_ALLOW_BTF_MISMATCH) and B-strict (without it) of
#    tests/kernel_stamp72.sh: all three subtests pass — the recompute from
#    /sys/kernel/btf/vmlinux equals the stamp of the booted kernel's own
#    binfmt_misc.ko (installed under /lib/modules/RELEASE/kernel); the
#    flipped-digest module without .BTF.base loads without BTF (A) or is
#    refused (B-strict) with the line; with .BTF.base it is relocated;
#  * the kernel log of each boot has the line the branch taken implies;
#  * the recompute subtest fails when the installed module is another
#    build's (A's binfmt_misc.ko on B-strict): the test can fail.
#   tests/kernel_selftest72.sh BTFCOMPAT
# BTFC_KDIR_A, BTFC_KDIR_B_strict: already built kernels to use instead (e.g.
# the same kernel code under other patch file names or subjects).
# Kernels: those of tests/kernel_stamp72.sh (same arguments, so cached when
# it ran; built from the patches that touch the kernel, all but 0005); scratch in ${BTFC_TEST_WORK:-~/.cache/btfcompat/test-work}/kernel-selftest72.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
. "$TOP/tests/kernel/guest.sh"
. "$TOP/tests/kernel/series-tree.sh"
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
W=${BTFC_TEST_WORK:-$CACHE/test-work}/kernel-selftest72
T=kernel-selftest72
need_qemu_tools || exit 0
BB=$(guest_busybox) || { skip $T "no statically linked busybox"; exit 0; }
LIBS="/usr/lib/x86_64-linux-gnu/libelf.a /usr/lib/x86_64-linux-gnu/libz.a /usr/lib/x86_64-linux-gnu/libzstd.a"
for l in $LIBS; do
	[ -f "$l" ] || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
		libelf-dev zlib1g-dev libzstd-dev > /dev/null 2>&1; }
	[ -f "$l" ] || { skip $T "no $l (libelf-dev zlib1g-dev libzstd-dev)"; exit 0; }
done
rm -rf "$W"; mkdir -p "$W"

# ---- the kernels of tests/kernel_stamp72.sh (the same arguments: the same cache entries) ----
# the series' patches that touch the kernel (0005 only adds tools/testing/selftests files): the
# kernels do not change with the selftest, so a new version of it needs no kernel build
SERIES=()
for p in "$TOP"/kernel/7.2/*.patch; do
	grep '^+++ b/' "$p" | grep -qv '^+++ b/tools/testing/' && SERIES+=(--patch "$p")
done
ON=(--set CONFIG_MODULE_BTF_BASE_CHECKSUM=y) BSHIFT=(--patch "$TOP/tests/kernel/b-shift.patch")
X72=(--set "# CONFIG_CRC_ITU_T is not set" --set CONFIG_NETDEVICES=y --set CONFIG_NET_CORE=y --set CONFIG_DUMMY=m)
KUNIT=(--set CONFIG_KUNIT=y --set CONFIG_MODULE_BTF_BASE_CHECKSUM_KUNIT_TEST=y)
kb() { # NAME ARGS...: build (or find cached) a kernel; sets K_NAME (BTFC_KDIR_NAME: a built one instead)
	local n=$1 d rc v=BTFC_KDIR_${1//-/_}; shift
	if [ -n "${!v:-}" ]; then
		[ -f "${!v}/.btfc-done" ] || { fail "$T/build-$n" "$v=${!v} is not a built kernel"; exit 0; }
		printf -v "K_${n//-/_}" %s "${!v}"; echo "note: kernel $n: ${!v} ($v)" >&2; return 0
	fi
	d=$(nice -n 5 "$TOP/scripts/kernel-build.sh" --version 7.2 "$@" "$n" 2> "$W/build-$n.err"); rc=$?
	[ $rc = 3 ] && { skip $T "$(cat "$W/build-$n.err")"; exit 0; }
	[ $rc = 0 ] || { fail $T/build-$n "$(tail -n 3 "$W/build-$n.err")"; exit 0; }
	printf -v "K_${n//-/_}" %s "$d"
}
kb A "${SERIES[@]}" "${X72[@]}" "${ON[@]}" "${KUNIT[@]}"
kb B "${SERIES[@]}" "${BSHIFT[@]}" "${X72[@]}" "${ON[@]}" "${KUNIT[@]}" --seed A
kb B-strict "${SERIES[@]}" "${BSHIFT[@]}" "${X72[@]}" "${ON[@]}" "${KUNIT[@]}" --set "# CONFIG_MODULE_ALLOW_BTF_MISMATCH is not set" --seed B
KA=$K_A KBS=$K_B_strict
# the test's source and libbpf: the whole series applied (tests/kernel/series-tree.sh)
series_tree 7.2 2> "$W/tree.err" || { fail $T/series-tree "$(tail -n 3 "$W/tree.err")"; exit 0; }
SRC=$PATCHED

# ---- the test program: the selftest's own source, libbpf of the tree, the shim ----
mkdir -p "$W/libbpf"
nice -n 10 make -s -C "$SRC/tools/lib/bpf" OUTPUT="$W/libbpf/" -j2 "$W/libbpf/libbpf.a" > "$W/libbpf.log" 2>&1 ||
	{ fail $T/libbpf "$(tail -n 3 "$W/libbpf.log")"; exit 0; }
# shellcheck disable=SC2086
gcc -static -O2 -std=gnu11 -Wall -Werror -I"$TOP/tests/kernel/selftest-shim" -I"$SRC/tools/lib" -I"$SRC/tools/include" \
	-I"$SRC/tools/include/uapi" -o "$W/selftest" "$SRC/tools/testing/selftests/bpf/prog_tests/btf_base_checksum.c" \
	"$TOP/tests/kernel/selftest-shim/shim.c" "$W/libbpf/libbpf.a" $LIBS > "$W/cc.log" 2>&1 &&
	pass "$T/selftest-compiles: prog_tests/btf_base_checksum.c against the tree's tools/lib/bpf, static, -Wall -Werror" ||
	{ fail $T/selftest-compiles "$(head -n 5 "$W/cc.log" | tr '\n' '|')"; exit 0; }

# boot K NAME INTREE: the kernel K with the stand-in bpf_testmod built against it and INTREE
# installed as /lib/modules/RELEASE/kernel/fs/binfmt_misc.ko; the program's lines in $W/g-NAME
boot() {
	local k=$1 n=$2 intree=$3 r rel
	r=$W/root-$n
	rel=$(cat "$k/include/config/kernel.release")
	rm -rf "$W/standin-$n" "$r"; cp -r "$TOP/tests/kernel/bpf_testmod-standin" "$W/standin-$n"
	make -C "$k" M="$W/standin-$n" modules > "$W/standin-$n.log" 2>&1 ||
		{ fail "$T/standin-$n" "$(grep -m 3 -i error "$W/standin-$n.log" | tr '\n' '|')"; return 1; }
	mkdir -p "$r"/{bin,proc,sys,dev,t} "$r/lib/modules/$rel/kernel/fs"
	cp "$BB" "$r/bin/busybox"; ln -s busybox "$r/bin/sh"
	cp "$W/selftest" "$W/standin-$n/bpf_testmod.ko" "$r/t/"
	cp "$intree" "$r/lib/modules/$rel/kernel/fs/binfmt_misc.ko"
	cat > "$r/init" <<-'EOF'
	#!/bin/sh
	/bin/busybox mount -t proc proc /proc
	/bin/busybox --install -s
	mount -t sysfs sysfs /sys
	mount -t devtmpfs dev /dev
	echo 1 > /proc/sys/kernel/printk
	dmesg -c > /dev/null
	cd /t && ./selftest; echo "SELFTEST-RC $?"
	dmesg | while IFS= read -r l; do echo "KS-LOG $l"; done
	echo "KS-END"
	reboot -f
	EOF
	chmod 755 "$r/init"
	(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$W/initrd-$n"
	timeout -k 5 600 qemu-system-x86_64 -accel tcg -cpu max -m 256 -nographic -no-reboot -monitor none \
		-serial "file:$W/console-$n.raw" -kernel "$k/arch/x86/boot/bzImage" -initrd "$W/initrd-$n" \
		-append "console=ttyS0 quiet loglevel=1 panic=-1 rdinit=/init kunit.enable=0" < /dev/null > "$W/qemu-$n.out" 2>&1
	tr -d '\r' < "$W/console-$n.raw" > "$W/g-$n"
	grep -q '^KS-END' "$W/g-$n" || { fail "$T/boot-$n" "no end marker: $(tail -n 5 "$W/g-$n" | tr '\n' '|')"; return 1; }
}
subtests() { # NAME: "subtest result" lines of the program's run
	sed -n 's/^SELFTEST \([a-z_]*\) \(OK\|FAIL\|SKIP\)$/\1 \2/p' "$W/g-$1"
}
ALL="recompute_equals_intree_stamp stale_stamp_no_base stale_stamp_with_base"
for b in A Bstrict; do
	case $b in A) k=$KA; want='loading the module without BTF' ;; Bstrict) k=$KBS; want='refusing to load the module' ;; esac
	boot "$k" "$b" "$k/fs/binfmt_misc.ko" || continue
	got=$(subtests "$b" | sed -n '/^btf_base_checksum /d; p' | tr '\n' ' ')
	[ "$got" = "$(for s in $ALL; do printf '%s OK ' "$s"; done)" ] && grep -q '^SELFTEST-TESTMOD 1$' "$W/g-$b" &&
		grep -q '^SELFTEST-RC 0$' "$W/g-$b" &&
		pass "$T/subtests-$b: $got" ||
		fail "$T/subtests-$b" "$got $(grep -E '^SELFTEST-(FAIL|TESTMOD|RC)' "$W/g-$b" | head -n 4 | tr '\n' '|')"
	grep '^KS-LOG ' "$W/g-$b" | grep -F 'module [bpf_testmod] BTF was built against' | grep -F '(checksum differs)' | grep -qF ": $want" &&
		pass "$T/kernel-line-$b: the flipped digest logged with ': $want'" ||
		fail "$T/kernel-line-$b" "$(grep -F 'bpf_testmod' "$W/g-$b" | head -n 3 | tr '\n' '|')"
done
# the recompute can fail: on B-strict, A's binfmt_misc.ko (stamped for A's vmlinux BTF) installed instead
if boot "$KBS" other "$KA/fs/binfmt_misc.ko"; then
	r=$(subtests other | sed -n 's/^recompute_equals_intree_stamp //p')
	[ "$r" = FAIL ] && grep -q '^SELFTEST-FAIL recompute_equals_intree_stamp' "$W/g-other" &&
		pass "$T/recompute-detects-other-build: A's module on B-strict: $(grep -m 1 '^SELFTEST-FAIL' "$W/g-other" | cut -d' ' -f2-)" ||
		fail "$T/recompute-detects-other-build" "recompute subtest: ${r:-no result}"
fi
exit 0
