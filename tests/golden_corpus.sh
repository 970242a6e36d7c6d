#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Golden tests: `btfcompat dump` must be byte-identical to Debian's bpftool on
# real kernels. bpftool's outputs are cached in WORK so several builds (plain,
# ASan) are compared against one set of expectations.
#   [BTFC_GOLDEN_EVERY=N] tests/golden_corpus.sh BTFCOMPAT WORKDIR
set -u
BIN=$(realpath "$1"); WORK=$2
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
mkdir -p "$WORK"
J=$(nproc)
corpus_env
need_kernels golden/debian BTFC_K61A BTFC_K612B || exit 0

if ! command -v bpftool >/dev/null; then
	skip golden "bpftool not installed"; exit 0
fi

# --- the running kernel's BTF ---
if [ -r /sys/kernel/btf/vmlinux ]; then
	for fmt in text:"" json:-j pretty:-p; do
		n=${fmt%%:*} f=${fmt#*:}
		[ -f "$WORK/sysfs.$n" ] || bpftool $f btf dump file /sys/kernel/btf/vmlinux > "$WORK/sysfs.$n"
		"$BIN" $f dump /sys/kernel/btf/vmlinux > "$WORK/ours.sysfs.$n" 2>&1
		same_file "golden/sysfs-vmlinux/$n" "$WORK/sysfs.$n" "$WORK/ours.sysfs.$n"
	done
	# a big-endian copy: bpftool (libbpf swaps it) and we must print the same
	python3 "$TOP/tests/tools/btfswap.py" /sys/kernel/btf/vmlinux "$WORK/vmlinux.be"
	[ -f "$WORK/be.text" ] || bpftool btf dump file "$WORK/vmlinux.be" > "$WORK/be.text"
	"$BIN" dump "$WORK/vmlinux.be" > "$WORK/ours.be.text" 2>&1
	same_file "golden/big-endian-vmlinux/vs-bpftool" "$WORK/be.text" "$WORK/ours.be.text"
	same_file "golden/big-endian-vmlinux/vs-little-endian" "$WORK/sysfs.text" "$WORK/ours.be.text"
	# module BTF from sysfs, base defaulting to sysfs vmlinux (as bpftool does)
	for m in $(ls /sys/kernel/btf | grep -v '^vmlinux$' | head -n 5); do
		bpftool btf dump file "/sys/kernel/btf/$m" > "$WORK/sysmod.$m" 2>/dev/null
		"$BIN" dump "/sys/kernel/btf/$m" > "$WORK/ours.sysmod.$m" 2>&1
		same_file "golden/sysfs-module/$m" "$WORK/sysmod.$m" "$WORK/ours.sysmod.$m"
	done
else
	skip golden/sysfs-vmlinux "/sys/kernel/btf/vmlinux not readable"
fi

# --- Debian 6.1's older cloud build (role x86-61-old): vmlinuz and every module ---
# (bpftool's outputs kept in W, a directory of that release: a cache never compared with another build)
V61=$BTFC_K61A W=$WORK/$BTFC_K61A
if ! K=$("$TOP/scripts/corpus.sh" --path "$V61" 2>"$WORK/corpus.err"); then
	fail golden/debian-6.1 "corpus: cannot fetch $V61: $(tail -n1 "$WORK/corpus.err")"
else
	mkdir -p "$W"
	VMLINUZ=$K/boot/vmlinuz-$V61
	VMLINUX=$W/vmlinux-$V61
	[ -f "$VMLINUX" ] || python3 "$TOP/tests/tools/extract-vmlinux.py" "$VMLINUZ" "$VMLINUX"
	[ -f "$W/v54.text" ] || bpftool btf dump file "$VMLINUX" > "$W/v54.text"
	[ -f "$W/v54.json" ] || bpftool -j btf dump file "$VMLINUX" > "$W/v54.json"
	"$BIN" dump "$VMLINUZ" > "$W/ours.v54.text" 2>&1
	same_file "golden/$V61/vmlinuz-text" "$W/v54.text" "$W/ours.v54.text"
	"$BIN" -j dump "$VMLINUZ" > "$W/ours.v54.json" 2>&1
	same_file "golden/$V61/vmlinuz-json" "$W/v54.json" "$W/ours.v54.json"
	"$BIN" dump "$VMLINUX" > "$W/ours.v54elf.text" 2>&1
	same_file "golden/$V61/vmlinux-elf-text" "$W/v54.text" "$W/ours.v54elf.text"

	# every module, bpftool with -B the vmlinux ELF; ours with -B its .BTF cut out (the same base without
	# reading 50 MB per module: the ELF base is compared above); JSON for every 10th
	[ -f "$VMLINUX.btf" ] || { python3 "$TOP/tests/tools/btf_sections.py" --section .BTF "$VMLINUX" "$VMLINUX.btf.tmp" &&
		mv "$VMLINUX.btf.tmp" "$VMLINUX.btf"; } # never a half-written cut kept in the cache
	mkdir -p "$W/mods"
	# BTFC_GOLDEN_EVERY=N: every N-th module only (the sanitizer pass: the plain pass did them all)
	(cd "$K/lib/modules" && find . -name '*.ko' | sort) | awk -v n="${BTFC_GOLDEN_EVERY:-1}" 'NR % n == 1 || n == 1' \
		> "$W/mods.list"
	echo "$(wc -l < "$W/mods.list") modules" >&2
	export BIN VMLINUX K W TOP V61
	nl -ba "$W/mods.list" | xargs -P "$J" -L 64 bash -c '
		. "$TOP/tests/lib.sh"
		while [ $# -gt 0 ]; do
			i=$1 m=$2; shift 2
			key=$(echo "$m" | tr / _)
			exp=$W/mods/$key.text got=$W/mods/$key.ours
			[ -f "$exp" ] || bpftool -B "$VMLINUX" btf dump file "$K/lib/modules/$m" > "$exp" 2>&1
			"$BIN" dump -B "$VMLINUX.btf" "$K/lib/modules/$m" > "$got" 2>&1
			same_file "golden/$V61/module/$m" "$exp" "$got" && rm -f "$got"
			if [ $((i % 10)) = 0 ]; then
				[ -f "$exp.json" ] || bpftool -j -B "$VMLINUX" btf dump file "$K/lib/modules/$m" > "$exp.json" 2>&1
				"$BIN" -j dump -B "$VMLINUX.btf" "$K/lib/modules/$m" > "$got.json" 2>&1
				same_file "golden/$V61/module-json/$m" "$exp.json" "$got.json" && rm -f "$got.json"
			fi
		done' _
fi

# --- Debian 6.12: ten .ko.xz modules with -B the vmlinuz (zstd payload) ---
V12=$BTFC_K612B W=$WORK/$BTFC_K612B
if ! K12=$("$TOP/scripts/corpus.sh" --path "$V12" 2>"$WORK/corpus.err"); then
	fail golden/debian-6.12 "corpus: cannot fetch $V12: $(tail -n1 "$WORK/corpus.err")"
else
	mkdir -p "$W"
	VMLINUZ12=$K12/boot/vmlinuz-$V12
	VMLINUX12=$W/vmlinux-$V12
	[ -f "$VMLINUX12" ] || python3 "$TOP/tests/tools/extract-vmlinux.py" "$VMLINUZ12" "$VMLINUX12"
	for m in net/ipv4/ip_gre fs/nfs/nfs drivers/net/vxlan/vxlan crypto/cryptd net/sctp/sctp \
		 fs/btrfs/btrfs drivers/block/nbd net/netfilter/nf_conntrack drivers/md/dm-mod fs/nls/nls_utf8; do
		ko=$(find "$K12/lib/modules" -path "*/kernel/$m.ko.xz" | head -n1)
		if [ -z "$ko" ]; then fail "golden/6.12/$m.ko.xz" "module not found in $K12"; continue; fi
		key=$(echo "$m" | tr / _)
		xz -dc "$ko" > "$W/$key.ko"
		[ -f "$W/$key.612.text" ] || bpftool -B "$VMLINUX12" btf dump file "$W/$key.ko" > "$W/$key.612.text" 2>&1
		"$BIN" dump -B "$VMLINUZ12" "$ko" > "$W/ours.$key.612" 2>&1
		same_file "golden/6.12/$m.ko.xz" "$W/$key.612.text" "$W/ours.$key.612"
	done
fi
