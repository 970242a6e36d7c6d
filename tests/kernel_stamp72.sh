#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The .BTF.base_checksum series for Linux 7.2 (kernel/7.2/*.patch), proven on
# small kernels built from Debian's linux-source-7.2 (scripts/kernel-build.sh
# --version 7.2) and booted in QEMU (tests/kernel/guest.sh):
#  * the series applies with no fuzz and checkpatch --strict reports nothing;
#  * resolve_btfids stamps every in-tree module with the bytes the format
#    (docs/stamp.md) derives from the final vmlinux .BTF, an SHT_PROGBITS
#    section without SHF_ALLOC; an M= module is distilled (.BTF.base) and not
#    stamped; with the option off nothing is stamped;
#  * a second `make modules` and a second `make M=` rebuild nothing;
#  * kernel B (A + tests/kernel/b-shift.patch) with MODULE_ALLOW_BTF_MISMATCH:
#    its own modules keep BTF that names the build's types, quietly; A's
#    stamped modules load without BTF, one info line each with both bases'
#    counts and one boot-wide warning; the same modules unstamped load as
#    without the series; truncated and wrong-version stamps: the line, no
#    crash; without MODULE_ALLOW_BTF_MISMATCH A's stamped modules are refused;
#  * the series' KUnit suite passes at boot on B and on B-strict;
#  * on B built with the option off (the series' load side compiled out)
#    A's stamped modules fare exactly as the same modules unstamped.
#  * `btfcompat check` and `scan`, with each booted kernel's BTF and config,
#    predict what it did with every module (tests/lib.sh: kernel_predict).
# Kernels (cached in ~/.cache/btfcompat/kernel-7.2, kernel-7.2-ARCH for arm64
# and s390x): A full, B, B-strict and B-off incremental (--seed).
# 7.2's tinyconfig cannot select CRC_ITU_T (no prompt): the third in-tree
# module is drivers/net/dummy.ko.
#   tests/kernel_stamp72.sh BTFCOMPAT [ARCH [--on-demand]]
# ARCH: x86_64 (the default; in tests/run-all.sh), arm64 or s390x (big-endian):
# cross compiled (scripts/kernel-build.sh --arch), booted in qemu-system-aarch64
# -M virt / qemu-system-s390x (tests/kernel/guest.sh), test names
# kernel-stamp72/ARCH/...; --on-demand (the meson suites kernel-stamp72-arm64
# and -s390x): skip unless BTFC_KERNEL_ARCHES (e.g. arm64,s390x) names ARCH.
set -u
BIN=$(realpath "$1")
export GUEST_ARCH=${2:-x86_64}
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
. "$TOP/tests/kernel/guest.sh"
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
W=${BTFC_TEST_WORK:-$CACHE/test-work}/kernel-stamp72
T=kernel-stamp72
PY="python3 $TOP/tests/tools/btf_sections.py"
guest_arch_env || { echo "kernel_stamp72: ARCH is x86_64, arm64 or s390x" >&2; exit 2; }
if [ "$GUEST_ARCH" != x86_64 ]; then
	T=$T/$GUEST_ARCH W=$W-$GUEST_ARCH
	if [ "${3:-}" = --on-demand ] && [[ ",${BTFC_KERNEL_ARCHES:-}," != *",$GUEST_ARCH,"* ]]; then
		skip $T "on demand: BTFC_KERNEL_ARCHES=$GUEST_ARCH runs it (docs/kernel.md)"; exit 0
	fi
	command -v "$OBJCOPY" > /dev/null || { skip $T "no $OBJCOPY (binutils-${CROSS_COMPILE%-})"; exit 0; }
fi
need_qemu_tools || exit 0
guest_busybox > /dev/null || { skip $T "no statically linked busybox"; exit 0; }
rm -rf "$W"; mkdir -p "$W"

# ---- kernels ----
SERIES=() NPATCH=0
for p in "$TOP"/kernel/7.2/*.patch; do SERIES+=(--patch "$p"); NPATCH=$((NPATCH + 1)); done
ON=(--set CONFIG_MODULE_BTF_BASE_CHECKSUM=y) BSHIFT=(--patch "$TOP/tests/kernel/b-shift.patch")
X72=(--set "# CONFIG_CRC_ITU_T is not set" --set CONFIG_NETDEVICES=y --set CONFIG_NET_CORE=y --set CONFIG_DUMMY=m)
kb() { # NAME ARGS...: build (or find cached) a kernel; sets K_NAME
	local n=$1 d rc; shift
	d=$(nice -n 5 "$TOP/scripts/kernel-build.sh" --version 7.2 "${GUEST_KBUILD[@]}" "$@" "$n" 2> "$W/build-$n.err"); rc=$?
	[ $rc = 3 ] && { skip $T "$(cat "$W/build-$n.err")"; exit 0; }
	[ $rc = 0 ] || { fail $T/build-$n "$(tail -n 3 "$W/build-$n.err")"; exit 0; }
	printf -v "K_${n//-/_}" %s "$d"
}
# every kernel has KUNIT=y: it changes struct module, so A's modules would not load on B
# otherwise; the series' KUnit suite runs at boot on B and B-strict (ALLOW_BTF_MISMATCH on
# and off) in boots of their own, the matrix boots pass kunit.enable=0 (the suite's mismatch
# lines would use up the boot's pr_warn_once and the ratelimited lines' burst)
KUNIT=(--set CONFIG_KUNIT=y --set CONFIG_MODULE_BTF_BASE_CHECKSUM_KUNIT_TEST=y)
kb A "${SERIES[@]}" "${X72[@]}" "${ON[@]}" "${KUNIT[@]}" &&
	pass "$T/series-applies-no-fuzz: $NPATCH patches onto linux-source-7.2 7.2.$(sed -n 's/^SUBLEVEL = //p' "$K_A/src/Makefile")"
kb B "${SERIES[@]}" "${BSHIFT[@]}" "${X72[@]}" "${ON[@]}" "${KUNIT[@]}" --seed A
kb B-strict "${SERIES[@]}" "${BSHIFT[@]}" "${X72[@]}" "${ON[@]}" "${KUNIT[@]}" --set "# CONFIG_MODULE_ALLOW_BTF_MISMATCH is not set" --seed B
kb B-off "${SERIES[@]}" "${BSHIFT[@]}" "${X72[@]}" --set CONFIG_KUNIT=y --seed B
KA=$K_A KB=$K_B KBS=$K_B_strict KBOFF=$K_B_off
grep -q '^CONFIG_MODULE_ALLOW_BTF_MISMATCH=y' "$KBS/.config" && fail $T/b-strict-config "ALLOW_BTF_MISMATCH still set"
grep -q '^CONFIG_MODULE_BTF_BASE_CHECKSUM=y' "$KBOFF/.config" && fail $T/b-off-config "MODULE_BTF_BASE_CHECKSUM set"

# checkpatch --strict, per patch, in the kernel's own tree (tests/lib.sh: what is allowed)
kernel_checkpatch $T "$KA/src" "$TOP"/kernel/7.2/*.patch

# ---- what the build wrote ----
INTREE="fs/binfmt_misc.ko net/packet/af_packet.ko drivers/net/dummy.ko"
modname() { local n=${1##*/}; n=${n%.ko}; echo "${n//-/_}"; }
sec() { $PY --section "$1" "$2" "$3" > /dev/null 2>&1 && [ -s "$3" ]; }
for k in A B Boff; do
	case $k in A) v=$KA ;; B) v=$KB ;; Boff) v=$KBOFF ;; esac
	$PY --elf "$v/vmlinux" "$W/$k.base"
	for m in $INTREE; do echo "$v/$m"; done > "$W/$k.list"
done
# the stamp the format defines (docs/stamp.md), from vmlinux's .BTF with the independent reader and sha256sum
# (every field in the byte order of the BTF, which its magic 0xeB9F as stored tells: s390x's is big-endian)
bo() { python3 -c 'import sys; print(">" if open(sys.argv[1],"rb").read(2) == b"\xeb\x9f" else "<")' "$1"; }
strlen() { python3 -c 'import struct,sys; print(struct.unpack_from(sys.argv[2] + "I", open(sys.argv[1],"rb").read(), 20)[0])' "$1" "$(bo "$1")"; }
want_stamp() {
	{ python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack(sys.argv[1] + "HBBIII", 0xeb9f, 1, 1, 16, *map(int, sys.argv[2:])))' \
		"$(bo "$1")" "$($PY --count "$1")" "$(strlen "$1")"
	  $PY --types-then-strings "$1" | sha256sum | cut -c1-64 | unhex; } > "$2"
}
for k in A B; do
	want_stamp "$W/$k.base" "$W/$k.want"
	bad=
	while read -r f; do
		sec .BTF.base_checksum "$f" "$W/s" && cmp -s "$W/s" "$W/$k.want" || bad="$bad $(modname "$f")"
		$READELF -SW "$f" | grep -F ' .BTF.base_checksum ' | grep -q ' PROGBITS ' || bad="$bad $(modname "$f")(type)"
		$READELF -SW "$f" | grep -F ' .BTF.base_checksum ' | awk '{ print $(NF-3) }' | grep -q A && bad="$bad $(modname "$f")(SHF_ALLOC)"
	done < "$W/$k.list"
	[ -z "$bad" ] && pass "$T/kbuild-stamps-$k: $(wc -l < "$W/$k.list") in-tree modules carry the stamp of vmlinux $k's final .BTF ($($PY --count "$W/$k.base") types, $(strlen "$W/$k.base") string bytes), SHT_PROGBITS, not SHF_ALLOC" ||
		fail $T/kbuild-stamps-$k "$bad"
done
# btfcompat stamp writes the same bytes as resolve_btfids
cp "$KA/net/packet/af_packet.ko" "$W/rest.ko"; $OBJCOPY --remove-section .BTF.base_checksum "$W/rest.ko"
"$BIN" stamp --base "$KA/vmlinux" "$W/rest.ko" > "$W/rest.out" 2>&1 && sec .BTF.base_checksum "$W/rest.ko" "$W/s2" &&
	sec .BTF.base_checksum "$KA/net/packet/af_packet.ko" "$W/s1" && cmp -s "$W/s1" "$W/s2" &&
	pass "$T/btfcompat-stamp-equals-kbuild" || fail $T/btfcompat-stamp-equals-kbuild "$(cat "$W/rest.out")"
bad=; while read -r f; do sec .BTF.base_checksum "$f" "$W/s" && bad="$bad $(modname "$f")"; done < "$W/Boff.list"
[ -z "$bad" ] && pass "$T/option-off-no-stamp" || fail $T/option-off-no-stamp "$bad"

# external module: 7.2 distills M= modules (resolve_btfids --distill_base): .BTF.base, no stamp
extmod() { # KDIR OUTDIR
	rm -rf "$2"; cp -r "$TOP/tests/kernel/extmod" "$2"
	make -C "$1" M="$2" modules > "$2.log" 2>&1 || { fail $T/extmod "$(tail -n 3 "$2.log")"; exit 0; }
}
extmod "$KA" "$W/extA"
sec .BTF.base "$W/extA/btfc_extdemo.ko" "$W/s" && ! sec .BTF.base_checksum "$W/extA/btfc_extdemo.ko" "$W/s" &&
	pass "$T/extmod-distilled-not-stamped: M= module has .BTF.base and no .BTF.base_checksum" ||
	fail $T/extmod-distilled-not-stamped "$($READELF -SW "$W/extA/btfc_extdemo.ko" | grep -F .BTF | tr -s ' ' | tr '\n' '|')"

# ---- incremental builds: a second make does nothing ----
kbuild_noop $T "$KA" "$W/extA" "$W"

# ---- the cases ----
mkdir -p "$W/f"
add() { # LIST ID FILE
	cp "$3" "$W/f/$2.ko"; echo "$2 $(modname "$3") $W/f/$2.ko" >> "$W/$1"
}
while read -r f; do add boot-B "own-$(modname "$f")" "$f"; done < "$W/B.list"
while read -r f; do
	n=$(modname "$f")
	add boot-B "stale-$n" "$f"; add boot-Bstrict "strict-$n" "$f"
	add boot-B "unst-$n" "$f"; $OBJCOPY --remove-section .BTF.base_checksum "$W/f/unst-$n.ko"
	add boot-Boff "offstamped-$n" "$f"
	add boot-Boff "offplain-$n" "$f"; $OBJCOPY --remove-section .BTF.base_checksum "$W/f/offplain-$n.ko"
done < "$W/A.list"
sec .BTF.base_checksum "$KB/drivers/net/dummy.ko" "$W/s"
head -c 20 "$W/s" > "$W/trunc"; { head -c 2 "$W/s"; printf '\x02'; tail -c 45 "$W/s"; } > "$W/ver2"
for m in trunc ver2; do
	add boot-B "$m-dummy" "$KB/drivers/net/dummy.ko"
	$OBJCOPY --update-section .BTF.base_checksum="$W/$m" "$W/f/$m-dummy.ko"
done

boot() { # NAME KDIR
	GUEST_APPEND=kunit.enable=0 guest_boot "$(guest_image "$2")" "$W/boot-$1" "$W/g-$1"; local rc=$?
	[ $rc = 3 ] && { skip $T "qemu or busybox unavailable"; exit 0; }
	[ $rc = 0 ] && pass "$T/boot-$1: $(wc -l < "$W/g-$1/result") insmods, the guest ran to its end" ||
		fail $T/boot-$1 "no end marker: $(tail -n 5 "$W/g-$1/console.log" | tr '\n' '|')"
}
boot B "$KB"; boot Bstrict "$KBS"; boot Boff "$KBOFF"

# observed action per case: accept / accept, types wrong / drop BTF / refuse module
observe() { # BOOT BOOTBASE
	local id n rc p f own m
	while read -r id n rc p; do
		f=$W/f/$id.ko
		if [ "$rc" != 0 ]; then echo "$id refuse module"; continue; fi
		[ "$p" = 1 ] || { echo "$id drop BTF"; continue; }
		case $id in own-*|trunc-*|ver2-*) own=$W/B.base ;; *) own=$W/A.base ;; esac
		$PY --elf "$f" "$W/mod.btf"
		m=$($PY --count "$W/mod.btf")
		if [ "$(python3 "$TOP/tests/tools/btf_canon.py" "$own" "$W/mod.btf" "$m" | sha256sum)" = \
		     "$(python3 "$TOP/tests/tools/btf_canon.py" "$2" "$W/g-$1/btf/$id.btf" "$m" 2>&1 | sha256sum)" ]; then
			echo "$id accept"
		else
			echo "$id accept, types wrong"
		fi
	done < "$W/g-$1/result"
}
observe B "$W/B.base" > "$W/obs-B"
observe Boff "$W/Boff.base" > "$W/obs-Boff"
$PY --elf "$KBS/vmlinux" "$W/Bs.base"; observe Bstrict "$W/Bs.base" > "$W/obs-Bstrict"
# what btfcompat check and scan say each booted kernel does with each module
for b in B:$KB Bstrict:$KBS Boff:$KBOFF; do kernel_predict $T "$BIN" "$W" "${b%%:*}" "${b#*:}"; done

expect() { # NAME BOOT PATTERN ACTION WHAT
	local sel bad
	sel=$(grep -E "^$3 " "$W/obs-$2")
	bad=$(awk -v a="$4" '{ id = $1; sub(/^[^ ]+ /, "") } $0 != a { print id ": " $0 }' <<< "$sel")
	[ -n "$sel" ] && [ -z "$bad" ] && pass "$T/$1: $(wc -l <<< "$sel") modules: $5" ||
		fail "$T/$1" "$(head -n 4 <<< "${bad:-no such case}" | tr '\n' '|')"
}
expect fresh-stamped-keeps-btf B 'own-[^ ]+' accept "B's own stamped modules: /sys/kernel/btf/<mod> names the build's types"
expect stale-stamped-dropped B 'stale-[^ ]+' 'drop BTF' "A's stamped modules on B: loaded without BTF"
expect stale-stamped-refused-strict Bstrict 'strict-[^ ]+' 'refuse module' "refused without MODULE_ALLOW_BTF_MISMATCH"
expect malformed-stamp-dropped B '(trunc|ver2)-[^ ]+' 'drop BTF' "truncated and wrong-version stamps: loaded without BTF"
# unstamped: loaded, no stamp line (their BTF fares as btf_parse_module decides, as without the series)
bad=$(grep -E '^unst-' "$W/obs-B" | grep -v ' accept' | grep -v ' drop BTF')
[ -z "$bad" ] && [ "$(grep -c '^unst-' "$W/obs-B")" = 3 ] && ! grep -E '^unst-' "$W/g-B/klog" | grep -q 'base_checksum\|was built against' &&
	pass "$T/unstamped-loads-as-today: 3 modules loaded, no stamp line ($(grep '^unst-' "$W/obs-B" | sed 's/^unst-//' | tr '\n' ';'))" ||
	fail $T/unstamped-loads-as-today "$(grep -E '^unst-' "$W/obs-B" "$W/g-B/klog" | head -n 4 | tr '\n' '|')"
# the option off: a stamped module fares exactly as the same module unstamped
nl=$(grep -c '^offstamped-' "$W/obs-Boff")
diff <(sed -n 's/^offstamped-//p' "$W/obs-Boff") <(sed -n 's/^offplain-//p' "$W/obs-Boff") > /dev/null && [ "$nl" = 3 ] &&
	! grep -q '^offstamped-.* refuse' "$W/obs-Boff" &&
	pass "$T/stamped-on-option-off-loads: $nl stamped modules fare as unstamped ($(sed -n 's/^offstamped-//p' "$W/obs-Boff" | tr '\n' ';'))" ||
	fail $T/stamped-on-option-off-loads "$(tr '\n' ';' < "$W/obs-Boff")"

# the kernel log: one line per stale module with both bases' counts (from the BTF blobs), one warning per boot
ac=$($PY --count "$W/A.base") as=$(strlen "$W/A.base") bc=$($PY --count "$W/B.base") bs=$(strlen "$W/B.base")
sc=$($PY --count "$W/Bs.base") ss=$(strlen "$W/Bs.base")
bad=
for m in $INTREE; do
	n=$(modname "$m")
	grep -F "stale-$n " "$W/g-B/klog" | grep -qF "module [$n] BTF was built against $ac types and $as bytes of strings, vmlinux BTF has $bc and $bs: loading the module without BTF" || bad="$bad stale-$n"
	grep -F "strict-$n " "$W/g-Bstrict/klog" | grep -qF "module [$n] BTF was built against $ac types and $as bytes of strings, vmlinux BTF has $sc and $ss: refusing to load the module" || bad="$bad strict-$n"
done
[ -z "$bad" ] && pass "$T/mismatch-log-line: A's $ac types/$as string bytes, the booted kernel's, the action" ||
	fail $T/mismatch-log-line "$bad: $(grep -E "stale-|strict-" "$W/g-B/klog" "$W/g-Bstrict/klog" | head -n 2 | tr '\n' '|')"
nw=$(grep -c 'Kernel module BTF mismatch detected' "$W/g-B/klog")
[ "$nw" = 1 ] && pass "$T/warn-once: one boot-wide warning for $(grep -c '^stale-\|^trunc-\|^ver2-' "$W/obs-B") dropped modules" ||
	fail $T/warn-once "$nw warnings"
grep -F "trunc-dummy " "$W/g-B/klog" | grep -qF "module [dummy] .BTF.base_checksum is malformed (20 bytes, version 1, algorithm 1): loading the module without BTF" &&
	grep -F "ver2-dummy " "$W/g-B/klog" | grep -qF "module [dummy] .BTF.base_checksum is malformed (48 bytes, version 2, algorithm 1): loading the module without BTF" &&
	pass "$T/malformed-log-lines" || fail $T/malformed-log-lines "$(grep -E "^(trunc|ver2)" "$W/g-B/klog" | tr '\n' '|')"
# KUnit: the series' suite, run at boot by B (ALLOW_BTF_MISMATCH on) and B-strict (off)
: > "$W/boot-none"
for b in B Bstrict; do
	case $b in B) k=$KB ;; Bstrict) k=$KBS ;; esac
	guest_boot "$(guest_image "$k")" "$W/boot-none" "$W/g-kunit-$b" ||
		fail "$T/kunit-$b-boot" "$(tail -n 5 "$W/g-kunit-$b/console.log" | tr '\n' '|')"
	r=$(grep -oE '# btf_base_checksum: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+ total:[0-9]+' "$W/g-kunit-$b/bootlog")
	case $r in
	*' fail:0 skip:0 '*) pass "$T/kunit-$b: ${r#\# }" ;;
	*) fail "$T/kunit-$b" "${r:-no KUnit result}: $(grep -E 'not ok|Expected' "$W/g-kunit-$b/bootlog" | head -n 3 | tr '\n' '|')" ;;
	esac
done
grep -E '^own-' "$W/g-B/klog" | grep -q 'BTF' && fail $T/quiet-when-fine "$(grep -E '^own-' "$W/g-B/klog" | head -n 2)" ||
	pass "$T/quiet-when-fine: no BTF log line for B's own modules"
exit 0
