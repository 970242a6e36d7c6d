#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Every architecture Debian ships with BTF, and Debian 14's /usr/lib/modules/VER/ layout, read and
# judged from one (x86) host:
#   arm64    6.1 cloud, 2 builds  /boot/vmlinuz-VER is an arm64 Image (the BTF among its bytes)
#   s390x    6.12 (13)            /boot/vmlinuz-VER is s390's compressed image; big-endian BTF
#   ppc64el  6.12 (13)            /boot/vmlinux-VER is the vmlinux ELF          (set "ports")
#   riscv64  6.12 (13)            /boot/vmlinux-VER is a riscv64 Image          (set "ports")
#   amd64    7.2 cloud (14)       /usr/lib/modules/VER/vmlinuz.unsigned + config (ALLOW_BTF_MISMATCH off)
# (corpus roles arm64-61-old/-new, s390x-old, ppc64el, riscv64, x86-72: BTFC_ARM61A/B, BTFC_S390A,
# BTFC_PPC, BTFC_RISCV, BTFC_K72; and x86-612-new, BTFC_K612B, for a stale 7.2 module)
# Formats Debian does not ship (Image.gz, EFI zboot with each compression, powerpc zImage) are built
# from these kernels' bytes by tests/tools/mkimage.py, with the layouts of linux-source-6.12.
# The oracle is bpftool, reading BTF cut out by tests/tools/extract-image-btf.py (not our reader).
#   tests/arch.sh BTFCOMPAT
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
WORK=${BTFC_TEST_WORK:-$CACHE/test-work}/arch
mkdir -p "$WORK"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

command -v bpftool >/dev/null || { skip arch "bpftool not installed"; exit 0; }

corpus_env all
image_of() { # ROOT VER: the kernel image wherever the package put it
	local f
	for f in boot/vmlinuz-$2 boot/vmlinux-$2 usr/lib/modules/$2/vmlinuz usr/lib/modules/$2/vmlinuz.unsigned; do
		[ -f "$1/$f" ] && { echo "$1/$f"; return 0; }
	done
	return 1
}
mods_of() { if [ -d "$1/lib/modules/$2" ]; then echo "$1/lib/modules/$2"; else echo "$1/usr/lib/modules/$2"; fi; }
raw_of() { # IMAGE: its vmlinux BTF cut out independently (cached)
	local out=$WORK/$(basename "$1").btf
	[ -s "$out" ] || python3 "$TOP/tests/tools/extract-image-btf.py" "$1" "$out" || rm -f "$out"
	echo "$out"
}
# dump_case NAME IMAGE RAW [-j]: our dump of IMAGE == bpftool's of the independently cut RAW
dump_case() {
	local exp=$3.text${4:-}
	[ -s "$exp" ] || bpftool ${4:-} btf dump file "$3" > "$exp"
	"$BIN" ${4:-} dump "$2" > "$TMP/ours" 2>&1
	same_file "$1" "$exp" "$TMP/ours"
}
# modules_case TAG IMAGE RAW MODDIR: a sample of the tree's modules (af_key and every Nth), -B IMAGE vs bpftool -B RAW
modules_case() {
	local tag=$1 img=$2 raw=$3 md=$4 n i=0 m ko
	(cd "$md" && find . -name '*.ko' -o -name '*.ko.xz' | sort) > "$TMP/mods"
	n=$(wc -l < "$TMP/mods")
	{ grep '/af_key\.ko' "$TMP/mods"; awk -v n="$n" 'NR % int(n / 8 + 1) == 1' "$TMP/mods"; } | sort -u > "$TMP/sample"
	while read -r m; do
		ko=$md/$m
		case $m in *.xz) xz -dc "$ko" > "$TMP/m.ko"; ko=$TMP/m.ko ;; esac
		bpftool -B "$raw" btf dump file "$ko" > "$TMP/exp" 2>&1
		"$BIN" dump -B "$img" "$md/$m" > "$TMP/got" 2>&1
		same_file "arch/$tag/dump-module/${m#./}" "$TMP/exp" "$TMP/got"
		i=$((i + 1))
	done < "$TMP/sample"
	[ "$i" -ge 8 ] || fail "arch/$tag/dump-module-sample" "only $i modules in $md"
}

# ---- each architecture's kernel: its image, a sample of its modules, its whole tree ----------
declare -A IMG RAW MD
for var in BTFC_ARM61A BTFC_ARM61B BTFC_S390A BTFC_K72 BTFC_PPC BTFC_RISCV; do
	need_kernels "arch/$var" $var || continue
	ver=${!var}
	if ! root=$(kroot "$ver") || ! IMG[$ver]=$(image_of "$root" "$ver"); then
		fail "arch/$ver" "no kernel image in the corpus (scripts/corpus.sh $ver)"; continue
	fi
	MD[$ver]=$(mods_of "$root" "$ver")
	RAW[$ver]=$(raw_of "${IMG[$ver]}")
	[ -s "${RAW[$ver]}" ] || { fail "arch/$ver/extract" "extract-image-btf.py found no BTF in ${IMG[$ver]}"; continue; }
	dump_case "arch/$ver/dump-$(basename "${IMG[$ver]}")" "${IMG[$ver]}" "${RAW[$ver]}"
	case $ver in *arm64|*s390x) dump_case "arch/$ver/dump-json" "${IMG[$ver]}" "${RAW[$ver]}" -j ;; esac
	modules_case "$ver" "${IMG[$ver]}" "${RAW[$ver]}" "${MD[$ver]}"
	case $ver in
	*s390x) scan_case "scan/$ver/own-tree" "${MD[$ver]}" "${IMG[$ver]}" match ;;
	*) scan_case "scan/$ver/own-tree" "${MD[$ver]}" "${IMG[$ver]}" match ;;
	esac
done
# the byte order is the kernel's: what info says of s390x (bpftool's libbpf reads both orders)
if [ -n "${IMG[${BTFC_S390A:-none}]:-}" ]; then
	"$BIN" -j info "${IMG[$BTFC_S390A]}" > "$TMP/i.json" 2>&1
	grep -q '"container":"s390-image","compression":"zstd".*"byte_order":"big"' "$TMP/i.json" &&
		pass arch/s390x/info-big-endian-in-s390-image || fail arch/s390x/info-big-endian-in-s390-image "$(head -c 300 "$TMP/i.json")"
fi

# ---- a stale tree: every module a mismatch ---------------------------------------------------
old=${BTFC_ARM61A:-none} new=${BTFC_ARM61B:-none}
[ -n "${IMG[$old]:-}" ] && [ -n "${IMG[$new]:-}" ] &&
	scan_case "scan/arm64/$old-tree-on-$new" "${MD[$old]}" "${IMG[$new]}" mismatch
# (s390x: a stale tree in tests/bigendian.sh)

# ---- Debian 14's layout: /usr/lib/modules/VER/vmlinuz with config beside it ---------------------
V=${BTFC_K72:-none}
if [ -n "${IMG[$V]:-}" ] && need_kernels check/7.2 BTFC_K612B && K612=$(kroot "$BTFC_K612B"); then
	# a stale module: 7.2's af_key.ko carrying 6.12's .BTF (objcopy: test scaffolding)
	xz -dc "${MD[$V]}/kernel/net/key/af_key.ko.xz" > "$TMP/af_key.ko"
	xz -dc "$K612/lib/modules/$BTFC_K612B/kernel/net/key/af_key.ko.xz" > "$TMP/old.ko"
	objcopy --dump-section .BTF="$TMP/old.btf" "$TMP/old.ko" "$TMP/junk" &&
		objcopy --update-section .BTF="$TMP/old.btf" "$TMP/af_key.ko" "$TMP/stale.ko"
	grep -q '^# CONFIG_MODULE_ALLOW_BTF_MISMATCH is not set' "${MD[$V]}/config" ||
		fail "check/7.2/config" "the $V config sets CONFIG_MODULE_ALLOW_BTF_MISMATCH: the cases below assume not"
	# as the package installs it (vmlinuz.unsigned), and as the signed package and Fedora/Arch name it
	out=$("$BIN" check -B "${IMG[$V]}" "$TMP/stale.ko" 2>&1)
	echo "$out" | grep -q 'stale.ko: mismatch .*; kernel: refuse module$' && pass check/7.2/vmlinuz.unsigned-config-beside ||
		fail check/7.2/vmlinuz.unsigned-config-beside "$out"
	L=$TMP/root/usr/lib/modules/$V
	mkdir -p "$L"
	ln "${IMG[$V]}" "$L/vmlinuz" 2>/dev/null || cp "${IMG[$V]}" "$L/vmlinuz"
	cp "${MD[$V]}/config" "$L/config"
	out=$("$BIN" check -B "$L/vmlinuz" "$TMP/stale.ko" 2>&1)
	echo "$out" | grep -q 'kernel: refuse module$' && pass check/7.2/usr-lib-modules-vmlinuz || fail check/7.2/usr-lib-modules-vmlinuz "$out"
	# the config beside it is what decides: the same image with a config that allows the mismatch
	sed -i 's/^# CONFIG_MODULE_ALLOW_BTF_MISMATCH is not set/CONFIG_MODULE_ALLOW_BTF_MISMATCH=y/' "$L/config"
	out=$("$BIN" check -B "$L/vmlinuz" "$TMP/stale.ko" 2>&1)
	echo "$out" | grep -q 'kernel: drop BTF$' && pass check/7.2/config-beside-decides || fail check/7.2/config-beside-decides "$out"
	out=$("$BIN" check -B "${IMG[$V]}" "$TMP/af_key.ko" 2>&1)
	echo "$out" | grep -q 'af_key.ko: match .*; kernel: accept$' && pass check/7.2/own-module-accepted || fail check/7.2/own-module-accepted "$out"
fi

# ---- formats built from real kernels' bytes ----------------------------------------------------
F=$WORK/fixtures-$BTFC_ARM61B-$BTFC_RISCV-$BTFC_PPC # of these releases' bytes
mkdir -p "$F"
fixture() { # OUT CMD...: build once (the fixtures are kept with the other cached test data)
	local out=$1; shift
	[ -s "$out" ] || "$@" || rm -f "$out"
	[ -s "$out" ]
}
A=${BTFC_ARM61B:-none} R=${BTFC_RISCV:-none} P=${BTFC_PPC:-none}
if [ -n "${IMG[$A]:-}" ]; then
	fixture "$F/Image.gz" sh -c "gzip -1 -n -c '${IMG[$A]}' > '$F/Image.gz'" &&
		dump_case "arch/built/arm64-Image.gz" "$F/Image.gz" "${RAW[$A]}"
	for c in gzip zstd xz lzma lz4 bzip2 lzo; do
		fixture "$F/zboot-arm64.$c" python3 "$TOP/tests/tools/mkimage.py" zboot "${IMG[$A]}" "$c" "$F/zboot-arm64.$c" &&
			dump_case "arch/built/zboot-arm64-$c" "$F/zboot-arm64.$c" "${RAW[$A]}"
		"$BIN" -j info "$F/zboot-arm64.$c" 2>&1 | grep -q "\"container\":\"zboot\",\"compression\":\"$c\"" ||
			fail "arch/built/zboot-arm64-$c/info" "$("$BIN" -j info "$F/zboot-arm64.$c" 2>&1 | head -c 200)"
	done
	# a module judged against the zboot image, as against the Image itself
	"$BIN" check -B "$F/zboot-arm64.zstd" "${MD[$A]}/kernel/net/key/af_key.ko" > "$TMP/c1" 2>&1
	"$BIN" check -B "${IMG[$A]}" "${MD[$A]}/kernel/net/key/af_key.ko" > "$TMP/c2" 2>&1
	same_file arch/built/zboot-arm64-check-as-Image "$TMP/c2" "$TMP/c1"
fi
if [ -n "${IMG[$R]:-}" ]; then
	fixture "$F/zboot-riscv64.gzip" python3 "$TOP/tests/tools/mkimage.py" zboot "${IMG[$R]}" gzip "$F/zboot-riscv64.gzip" &&
		dump_case "arch/built/zboot-riscv64-gzip" "$F/zboot-riscv64.gzip" "${RAW[$R]}"
fi
if [ -n "${IMG[$P]:-}" ]; then
	fixture "$F/zImage-ppc64el" python3 "$TOP/tests/tools/mkimage.py" zimage "${IMG[$P]}" "$F/zImage-ppc64el" &&
		dump_case "arch/built/ppc64el-zImage" "$F/zImage-ppc64el" "${RAW[$P]}"
fi

# ---- the same images cut short and corrupted: exit 2, one line naming the file, no crash -----------
# bad NAME FILE PROBLEM-REGEX
bad() {
	timeout -k 2 60 "$BIN" info "$2" > "$TMP/out" 2> "$TMP/err"
	local rc=$? lines
	lines=$(wc -l < "$TMP/err")
	if [ $rc = 2 ] && [ ! -s "$TMP/out" ] && [ "$lines" = 1 ] && grep -qF "$2" "$TMP/err" && grep -qiE "$3" "$TMP/err"; then
		pass "$1"
	else fail "$1" "rc=$rc, $lines lines: $(head -c 300 "$TMP/err")"; fi
}
# cut FILE FRACTION OUT; corrupt FILE FRACTION OUT: 64 bytes inverted at FRACTION of the file
cut_at() { head -c "$(python3 -c "import os; print(int(os.path.getsize('$1') * $2))")" "$1" > "$3"; }
corrupt_at() { python3 -c "
import sys; d = bytearray(open('$1', 'rb').read()); o = int(len(d) * $2)
d[o:o + 64] = bytes(b ^ 0xff for b in d[o:o + 64]); open('$3', 'wb').write(d)"; }
B=$TMP/bad
mkdir -p "$B"
if [ -n "${IMG[$A]:-}" ]; then
	cut_at "${IMG[$A]}" 0.5 "$B/Image-cut-half"; bad arch/bad/arm64-Image-cut-before-btf "$B/Image-cut-half" "no BTF"
	cut_at "${IMG[$A]}" 0.6 "$B/Image-cut-in-btf"; bad arch/bad/arm64-Image-cut-inside-btf "$B/Image-cut-in-btf" "no BTF"
	cut_at "${IMG[$A]}" 0.0000005 "$B/Image-cut-header"; bad arch/bad/arm64-Image-cut-in-header "$B/Image-cut-header" "not BTF|kernel image"
	[ -s "$F/Image.gz" ] && { cut_at "$F/Image.gz" 0.5 "$B/Image.gz-cut"; bad arch/bad/arm64-Image.gz-cut "$B/Image.gz-cut" "truncated gzip"; }
	for c in gzip zstd xz lzo; do
		[ -s "$F/zboot-arm64.$c" ] || continue
		cut_at "$F/zboot-arm64.$c" 0.5 "$B/zboot-$c-cut"; bad "arch/bad/zboot-$c-cut" "$B/zboot-$c-cut" "zboot payload .* exceeds"
		corrupt_at "$F/zboot-arm64.$c" 0.5 "$B/zboot-$c-corrupt"; bad "arch/bad/zboot-$c-corrupt" "$B/zboot-$c-corrupt" "corrupt $c|$c data"
	done
fi
S=${BTFC_S390A:-none}
if [ -n "${IMG[$S]:-}" ]; then
	cut_at "${IMG[$S]}" 0.5 "$B/s390-cut"; bad arch/bad/s390-image-cut "$B/s390-cut" "s390 image"
	corrupt_at "${IMG[$S]}" 0.3 "$B/s390-corrupt"; bad arch/bad/s390-image-corrupt "$B/s390-corrupt" "s390 image"
fi
if [ -s "$F/zImage-ppc64el" ]; then
	cut_at "$F/zImage-ppc64el" 0.5 "$B/zImage-cut"; bad arch/bad/ppc64el-zImage-cut "$B/zImage-cut" "ELF|zImage|gzip"
	corrupt_at "$F/zImage-ppc64el" 0.5 "$B/zImage-corrupt"; bad arch/bad/ppc64el-zImage-corrupt "$B/zImage-corrupt" "gzip"
fi
