#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# check / scan / stamp on real Debian kernels (corpus roles x86-61-old/-new, x86-612-old/-new:
# BTFC_K61A/B, BTFC_K612A/B; -54, -55, 115, 117 below), and the stamp's test vectors.
#   tests/check_scan.sh BTFCOMPAT
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
C=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

corpus_env
V54=$BTFC_K61A V55=$BTFC_K61B V115=$BTFC_K612A V117=$BTFC_K612B
if need_kernels scan/6.1 BTFC_K61A BTFC_K61B && K54=$(kroot "$V54") && K55=$(kroot "$V55"); then
	scan_case "scan/$V54-on-own-base" "$K54/lib/modules" "$K54/boot/vmlinuz-$V54" match
	scan_case "scan/$V54-on-$V55" "$K54/lib/modules" "$K55/boot/vmlinuz-$V55" mismatch
	# silently accepted modules are named, with the evidence; af_key's kernel action is what the
	# module-profile validator says of it (rejected: the kernel drops its BTF)
	"$BIN" scan -B "$K55/boot/vmlinuz-$V55" "$K54/lib/modules" > "$TMP/s.txt" 2>&1
	w=$(grep -c 'kernel: accept, types wrong' "$TMP/s.txt")
	act='accept, types wrong'
	"$BIN" validate -B "$K55/boot/vmlinuz-$V55" "$(find "$K54/lib/modules" -name af_key.ko)" 2>&1 | grep -q 'rejected (module profile)' && act='drop BTF'
	if [ "$w" -gt 0 ] && grep -q "af_key.ko: mismatch (evidence, strong); kernel: $act" "$TMP/s.txt"; then
		pass "scan/$V54-on-$V55-names-$w-accepted-with-wrong-types"
	else fail "scan/$V54-on-$V55-report" "$w modules accepted with wrong types; af_key ($act): $(grep -A1 af_key.ko "$TMP/s.txt")"; fi
	# output independent of the number of threads
	"$BIN" -j scan -J 1 -B "$K55/boot/vmlinuz-$V55" "$K54/lib/modules" > "$TMP/j1" 2>&1
	"$BIN" -j scan -J 4 -B "$K55/boot/vmlinuz-$V55" "$K54/lib/modules" > "$TMP/j4" 2>&1
	same_file scan/threads-1-vs-4-identical "$TMP/j1" "$TMP/j4"

	# stamped copy of the old tree: certain both ways, also where evidence alone is weak
	cp -r "$K54/lib/modules" "$TMP/stamped"
	find "$TMP/stamped" -name '*.ko' -print0 | xargs -0 -n 200 "$BIN" stamp --unsign -B "$K54/boot/vmlinuz-$V54" > "$TMP/st.out" 2>&1
	scan_case scan/stamped-on-own-base "$TMP/stamped" "$K54/boot/vmlinuz-$V54" match stamp
	scan_case "scan/stamped-on-$V55" "$TMP/stamped" "$K55/boot/vmlinuz-$V55" mismatch stamp
	# a stamped module keeps its BTF byte for byte
	m=$(find "$TMP/stamped" -name af_key.ko)
	"$BIN" dump -B "$K54/boot/vmlinuz-$V54" "$m" > "$TMP/d1"
	"$BIN" dump -B "$K54/boot/vmlinuz-$V54" "$(find "$K54/lib/modules" -name af_key.ko)" > "$TMP/d2"
	same_file stamp/btf-unchanged "$TMP/d2" "$TMP/d1"
	# idempotent: a second stamp writes nothing
	sum1=$(sha256sum "$m" | cut -d' ' -f1)
	out=$("$BIN" stamp --unsign -B "$K54/boot/vmlinuz-$V54" "$m" 2>&1)
	[ "$(sha256sum "$m" | cut -d' ' -f1)" = "$sum1" ] && echo "$out" | grep -q 'stamp=unchanged' &&
		pass stamp/idempotent || fail stamp/idempotent "$out"
	# a read-only module is refused without --rewrite-read-only, and left untouched
	cp "$m" "$TMP/ro.ko"; chmod 0444 "$TMP/ro.ko"; sum1=$(sha256sum "$TMP/ro.ko" | cut -d' ' -f1)
	out=$("$BIN" stamp -B "$K54/boot/vmlinuz-$V54" "$TMP/ro.ko" 2>&1); rc=$?
	[ $rc = 2 ] && echo "$out" | grep -q 'ro.ko: is read-only' && [ "$(sha256sum "$TMP/ro.ko" | cut -d' ' -f1)" = "$sum1" ] &&
		pass stamp/read-only-refused || fail stamp/read-only-refused "rc=$rc $out"
	# signed modules are refused without --unsign, and left untouched
	orig=$(find "$K54/lib/modules" -name xfrm_algo.ko); cp -p "$orig" "$TMP/signed.ko"
	sum1=$(sha256sum "$TMP/signed.ko" | cut -d' ' -f1)
	out=$("$BIN" stamp -B "$K54/boot/vmlinuz-$V54" "$TMP/signed.ko" 2>&1); rc=$?
	[ $rc = 2 ] && echo "$out" | grep -q 'signed' && [ "$(sha256sum "$TMP/signed.ko" | cut -d' ' -f1)" = "$sum1" ] &&
		pass stamp/signed-refused || fail stamp/signed-refused "rc=$rc $out"
	# mode and owner kept
	chmod 0600 "$TMP/signed.ko"; chown 12345:54321 "$TMP/signed.ko" 2>/dev/null
	"$BIN" stamp --unsign -B "$K54/boot/vmlinuz-$V54" "$TMP/signed.ko" >/dev/null 2>&1
	[ "$(stat -c '%a %u %g' "$TMP/signed.ko")" = "600 12345 54321" ] || [ "$(id -u)" != 0 ] &&
		pass stamp/mode-owner-kept || fail stamp/mode-owner-kept "$(stat -c '%a %u %g' "$TMP/signed.ko")"
	# a base that is not vmlinux BTF, a broken module, a truncated .xz: exit 2, file untouched
	head -c 3000 "$orig" > "$TMP/broken.ko"; sum1=$(sha256sum "$TMP/broken.ko" | cut -d' ' -f1)
	out=$("$BIN" stamp --unsign -B "$K54/boot/vmlinuz-$V54" "$TMP/broken.ko" 2>&1); rc=$?
	[ $rc = 2 ] && echo "$out" | grep -q "broken.ko" && [ "$(sha256sum "$TMP/broken.ko" | cut -d' ' -f1)" = "$sum1" ] &&
		pass stamp/broken-elf || fail stamp/broken-elf "rc=$rc $out"
	out=$("$BIN" check -B "$orig" "$orig" 2>&1); rc=$?
	[ $rc = 2 ] && echo "$out" | grep -q "xfrm_algo.ko" && pass check/base-not-vmlinux || fail check/base-not-vmlinux "rc=$rc $out"
	xz -c "$orig" > "$TMP/full.xz"; head -c $(($(stat -c %s "$TMP/full.xz") / 2)) "$TMP/full.xz" > "$TMP/trunc.ko.xz"
	out=$("$BIN" check -B "$K54/boot/vmlinuz-$V54" "$TMP/trunc.ko.xz" 2>&1); rc=$?
	[ $rc = 2 ] && echo "$out" | grep -q "trunc.ko.xz: truncated xz" && pass check/truncated-xz ||
		fail check/truncated-xz "rc=$rc $out"
	# a module whose .BTF is in the other byte order: the kernel takes only its own order
	objcopy --dump-section .BTF="$TMP/le.btf" "$orig" "$TMP/junk" 2>/dev/null &&
	python3 "$TOP/tests/tools/btfswap.py" "$TMP/le.btf" "$TMP/be.btf" &&
	objcopy --update-section .BTF="$TMP/be.btf" "$orig" "$TMP/be.ko" 2>/dev/null
	out=$("$BIN" check -B "$K54/boot/vmlinuz-$V54" "$TMP/be.ko" 2>&1); rc=$?
	# (the kernel reads the swapped hdr_len first: "btf_header not found"; we add why)
	[ $rc = 1 ] && echo "$out" | grep -q 'invalid' && echo "$out" | grep -q 'btf_header not found' &&
		echo "$out" | grep -q 'other byte order' &&
		pass check/other-byte-order || fail check/other-byte-order "rc=$rc $out"
else
	fail scan/6.1 "corpus: cannot fetch $V54 $V55"
fi

if need_kernels scan/6.12 BTFC_K612A BTFC_K612B && K115=$(kroot "$V115") && K117=$(kroot "$V117"); then
	scan_case "scan/$V115-on-own-base" "$K115/lib/modules" "$K115/boot/vmlinuz-$V115" match
	scan_case "scan/$V115-on-$V117" "$K115/lib/modules" "$K117/boot/vmlinuz-$V117" mismatch
	# a stamped .ko.xz stays a .ko.xz the kernel's decompressor takes (crc32)
	m=$(find "$K115/lib/modules" -name af_key.ko.xz); cp "$m" "$TMP/af_key.ko.xz"
	"$BIN" stamp --unsign -B "$K115/boot/vmlinuz-$V115" "$TMP/af_key.ko.xz" >/dev/null 2>&1
	if xz -lvv "$TMP/af_key.ko.xz" 2>/dev/null | grep -q 'CRC32' &&
	   "$BIN" -j check -B "$K115/boot/vmlinuz-$V115" "$TMP/af_key.ko.xz" | grep -q '"method":"stamp"'; then
		pass stamp/ko-xz-recompressed-crc32
	else fail stamp/ko-xz-recompressed-crc32 "$(xz -lvv "$TMP/af_key.ko.xz" 2>&1 | grep -i check)"; fi
else
	fail scan/6.12 "corpus: cannot fetch $V115 $V117"
fi

# test vectors: the digest must equal sha256sum over the sections cut out independently
for src in /sys/kernel/btf/vmlinux ${K54:+$K54/boot/vmlinuz-$V54}; do
	[ -r "$src" ] || continue
	"$BIN" stamp --print -B "$src" > "$TMP/p" 2>&1
	if [ "${src#/sys}" = "$src" ]; then
		raw=$TMP/vmlinux.btf && raw_base "$src" "$raw"
	else raw=$src; fi
	want=$(python3 "$TOP/tests/tools/btf_sections.py" --types-then-strings "$raw" | sha256sum | cut -d' ' -f1)
	cnt=$(python3 "$TOP/tests/tools/btf_sections.py" --count "$raw")
	grep -q "base_type_cnt=$cnt .*sha256=$want" "$TMP/p" && pass "stamp/vector/$(basename "$src")" ||
		fail "stamp/vector/$(basename "$src")" "want $cnt $want, got $(cat "$TMP/p")"
done

# the verify core is freestanding: no libc, nothing undefined
for cc in gcc clang; do
	if "$cc" -std=c17 -O2 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-builtin -I"$TOP/include" -I"$TOP/lib" \
		-c "$TOP/lib/stamp_core.c" -o "$TMP/core-$cc.o" 2> "$TMP/cc.err" && [ -z "$(nm -u "$TMP/core-$cc.o")" ]; then
		pass "stamp/core-freestanding-$cc"
	else fail "stamp/core-freestanding-$cc" "$(head -n 3 "$TMP/cc.err") $(nm -u "$TMP/core-$cc.o" 2>/dev/null | tr '\n' ' ')"; fi
done
