#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Repair, end to end on real Debian kernels booted in QEMU (tests/qemu/boot-modules.sh); the
# corpus roles' kernels (x86-61-old/-new, x86-612-old/-new; the pinned releases named below):
#  1. 6.1.0-55 and its own modules: /sys/kernel/btf/<mod> present;
#  2. the same modules carrying 6.1.0-54's .BTF: absent (the seed's failure);
#  3. after `relocate --from 54 --to 55`: present, and the BTF read back from
#     the guest means (tests/tools/btf_canon.py, against -55's base) what the
#     original -54 module meant against -54's base;
#  4. 6.12.117's modules carrying 6.12.115's .BTF, `distill`ed against 6.12.115,
#     loaded into 6.12.117 (which relocates .BTF.base at load): present, types right;
#  5. `strip`: the module loads, no BTF, no BTF message in the kernel log.
# 27 modules from net, fs, drivers, crypto and lib (dependencies loaded first).
# Cases 1, 2 and 5 run in one boot (insmod, look, rmmod per file); 3 and 4 boot once each.
# objcopy swaps .BTF to make the stale modules: test scaffolding, never the product.
#   tests/qemu_repair.sh BTFCOMPAT
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
WORK=${BTFC_TEST_WORK:-$CACHE/test-work}/qemu-repair
BM=$TOP/tests/qemu/boot-modules.sh
need_qemu_tools || exit 0
corpus_env
need_kernels qemu-repair BTFC_K61A BTFC_K61B BTFC_K612A BTFC_K612B || exit 0
K54=$(kroot "$BTFC_K61A") &&
K55=$(kroot "$BTFC_K61B") || { fail qemu-repair "corpus: cannot fetch"; exit 0; }
rm -rf "$WORK"; mkdir -p "$WORK"
R54=$BTFC_K61A R55=$BTFC_K61B
MODS61="ah4 esp4 netlink_diag af_packet_diag act_meta_mark xfrm_ipcomp nf_nat_ftp mpls_gso
	vfat isofs udf squashfs overlay fuse exfat nls_cp437
	zram nbd evdev softdog uio
	ccm xts blake2b_generic twofish_generic lz4hc_compress reed_solomon"
raw_base "$K54/boot/vmlinuz-$R54" "$WORK/54.btf" && raw_base "$K55/boot/vmlinuz-$R55" "$WORK/55.btf"
modfile() { find "$1" -name "$2.ko" -o -name "$2.ko.xz" | head -n 1; }
# swap SRC.ko DONOR.ko OUT.ko: SRC with DONOR's .BTF
swap() {
	objcopy --dump-section .BTF="$3.btf" "$2" "$3.junk" && objcopy --update-section .BTF="$3.btf" "$1" "$3" &&
		rm -f "$3.btf" "$3.junk"
}
# same_meaning NAME OLDBASE OLD.ko NEWBASE NEW.btf: the guest's BTF means what the original meant
same_meaning() {
	local n
	python3 "$TOP/tests/tools/btf_sections.py" --elf "$3" "$WORK/orig.btf" &&
		n=$(python3 "$TOP/tests/tools/btf_sections.py" --count "$WORK/orig.btf") &&
		python3 "$TOP/tests/tools/btf_canon.py" "$2" "$WORK/orig.btf" "$n" > "$WORK/a.canon" &&
		python3 "$TOP/tests/tools/btf_canon.py" "$4" "$5" "$n" > "$WORK/b.canon" &&
		cmp -s "$WORK/a.canon" "$WORK/b.canon"
}

# ---- 6.1: own, stale, stripped (one boot, one insmod each), relocated (one boot, BTF fetched) ----
M55=$K55/lib/modules/$R55 M54=$K54/lib/modules/$R54
mkdir -p "$WORK/own" "$WORK/stale" "$WORK/strip"
{ cp -al "$M55" "$WORK/reloc" 2> /dev/null || { rm -rf "$WORK/reloc"; cp -a "$M55" "$WORK/reloc"; }; } # links where one file system
: > "$WORK/seq.list"
for m in $MODS61; do
	o=$(modfile "$M55" "$m") d=$(modfile "$M54" "$m")
	cp "$o" "$WORK/own/$m.ko"
	swap "$o" "$d" "$WORK/stale/$m.ko"
	cp "$o" "$WORK/strip/$m.ko"
	printf '%s\n%s\n%s\n' "$WORK/own/$m.ko" "$WORK/stale/$m.ko" "$WORK/strip/$m.ko" >> "$WORK/seq.list"
	rel=${o#"$M55"/}
	rm "$WORK/reloc/$rel"; cp "$WORK/stale/$m.ko" "$WORK/reloc/$rel" # the stale module, then repaired in place
	echo "$WORK/reloc/$rel" >> "$WORK/reloc.files"
	echo "$m" >> "$WORK/load61"
done
"$BIN" strip --unsign "$WORK"/strip/*.ko > "$WORK/strip.out" 2>&1 || fail qemu-repair/strip "$(head -n 3 "$WORK/strip.out")"
xargs -a "$WORK/reloc.files" "$BIN" relocate --from "$K54/boot/vmlinuz-$R54" --to "$K55/boot/vmlinuz-$R55" \
	> "$WORK/reloc.out" 2>&1 && pass "qemu-repair/relocate-$(wc -l < "$WORK/load61")-stale-modules (layouts checked)" ||
	fail qemu-repair/relocate-26-stale-modules "$(grep -v ': relocated' "$WORK/reloc.out" | head -n 3)"
"$BIN" check -B "$K55/boot/vmlinuz-$R55" $(cat "$WORK/reloc.files") > "$WORK/recheck.out" 2>&1 &&
	pass "qemu-repair/relocated-recheck-all-match" || fail qemu-repair/relocated-recheck-all-match "$(grep -v ': match' "$WORK/recheck.out" | head -n 2)"

"$BM" --ver "$R55" --kernel-root "$K55" --insmod-seq-list "$WORK/seq.list" --out "$WORK/seq61.tsv" > "$WORK/seq61.log" 2>&1
rc=$?; [ $rc = 3 ] && { skip qemu-repair "$(grep SKIP "$WORK/seq61.log")"; exit 0; }
# seq table: index module insmod_rc btf_present rmmod_rc btf_err btf_log file
python3 - "$WORK/seq61.tsv" "$R55" <<'PY'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()[1:]]
by = {"own": [], "stale": [], "strip": []}
for r in rows:
    by[r[7].split("/")[-2]].append(r)
def report(name, ok, rs, what):
    bad = [r[1] for r in rs if not ok(r)]
    print(("PASS: qemu-repair/%s-%s: %d modules %s" % (sys.argv[2], name, len(rs), what)) if rs and not bad
          else "FAIL: qemu-repair/%s-%s: %s" % (sys.argv[2], name, " ".join(bad[:6]) or "no rows"))
report("own-module-btf-present", lambda r: r[2] == "0" and r[3] == "1", by["own"], "loaded, /sys/kernel/btf/<mod> present")
report("stale-older-btf-absent", lambda r: r[2] == "0" and r[3] == "0", by["stale"], "loaded, BTF dropped (the seed's failure)")
report("stripped-loads-no-btf-silently", lambda r: r[2] == "0" and r[3] == "0" and r[5] in ("", "-") and r[6] in ("", "-"),
       by["strip"], "loaded, no BTF, no BTF message")
PY

"$BM" --ver "$R55" --kernel-root "$K55" --modules-dir "$WORK/reloc" --load "$WORK/load61" \
	--fetch-btf "$(tr '\n-' ',_' < "$WORK/load61" | sed 's/,$//')" --fetch-dir "$WORK/fetch61" --out "$WORK/reloc61.tsv" \
	> "$WORK/reloc61.log" 2>&1
ok=0 bad=
for m in $MODS61; do
	s=${m//-/_}
	if awk -F'\t' -v m="$m" '$1 == m && $2 == 0 && $3 == 1 { f = 1 } END { exit !f }' "$WORK/reloc61.tsv" &&
		same_meaning "$m" "$WORK/54.btf" "$(modfile "$M54" "$m")" "$WORK/55.btf" "$WORK/fetch61/$s.btf"; then
		ok=$((ok + 1))
	else
		bad="$bad $m"
	fi
done
[ -z "$bad" ] && pass "qemu-repair/$R55-relocated-present-types-right: $ok modules, the guest's BTF means what $R54's meant" ||
	fail "qemu-repair/$R55-relocated-present-types-right" "$bad"

# ---- 6.12: the newer build's code carrying the older's .BTF, distilled against the older, loaded into the newer ----
K115=$(kroot "$BTFC_K612A") &&
K117=$(kroot "$BTFC_K612B") || { fail qemu-repair/6.12 "corpus: cannot fetch"; exit 0; }
R115=$BTFC_K612A R117=$BTFC_K612B
M115=$K115/lib/modules/$R115 M117=$K117/lib/modules/$R117
MODS612="ah4 netlink_diag af_packet_diag vfat isofs squashfs zram evdev softdog ccm xts reed_solomon"
raw_base "$K115/boot/vmlinuz-$R115" "$WORK/115.btf" && raw_base "$K117/boot/vmlinuz-$R117" "$WORK/117.btf"
{ cp -al "$M117" "$WORK/dist" 2> /dev/null || { rm -rf "$WORK/dist"; cp -a "$M117" "$WORK/dist"; }; }
: > "$WORK/load612"
for m in $MODS612; do
	o=$(modfile "$M117" "$m") d=$(modfile "$M115" "$m") rel=${o#"$M117"/}
	xz -dc "$o" > "$WORK/o.ko"; xz -dc "$d" > "$WORK/d115.$m.ko"
	rm "$WORK/dist/$rel"
	swap "$WORK/o.ko" "$WORK/d115.$m.ko" "$WORK/dist/${rel%.xz}"
	echo "$WORK/dist/${rel%.xz}" >> "$WORK/dist.files"
	echo "$m" >> "$WORK/load612"
done
xargs -a "$WORK/dist.files" "$BIN" distill --base "$K115/boot/vmlinuz-$R115" > "$WORK/distill.out" 2>&1 &&
	pass "qemu-repair/distill-$(wc -l < "$WORK/load612")-stale-6.12-modules-on-$R115" || fail qemu-repair/distill "$(head -n 3 "$WORK/distill.out")"
"$BM" --ver "$R117" --kernel-root "$K117" --modules-dir "$WORK/dist" --load "$WORK/load612" \
	--fetch-btf "$(tr '\n-' ',_' < "$WORK/load612" | sed 's/,$//')" --fetch-dir "$WORK/fetch612" --out "$WORK/dist612.tsv" \
	> "$WORK/dist612.log" 2>&1
ok=0 bad=
for m in $MODS612; do
	if awk -F'\t' -v m="$m" '$1 == m && $2 == 0 && $3 == 1 { f = 1 } END { exit !f }' "$WORK/dist612.tsv" &&
		same_meaning "$m" "$WORK/115.btf" "$WORK/d115.$m.ko" "$WORK/117.btf" "$WORK/fetch612/${m//-/_}.btf"; then
		ok=$((ok + 1))
	else
		bad="$bad $m"
	fi
done
[ -z "$bad" ] && pass "qemu-repair/$R117-distilled-present-types-right: $ok modules relocated by the kernel at load" ||
	fail "qemu-repair/$R117-distilled-present-types-right" "$bad"
exit 0
