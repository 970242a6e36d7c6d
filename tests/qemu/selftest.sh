#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Demonstrates tests/qemu/boot-modules.sh on real Debian kernels (QEMU, TCG).
# Prints one PASS:/FAIL:/SKIP: line per case and "# " lines with timings.
#
#   tests/qemu/selftest.sh [--full]
#
# Default cases (5 boots, about 1 minute on 2 cores without KVM):
#   a  6.1.0-55, its own modules: modprobe af_key (pulls xfrm_algo) -> /sys/kernel/btf/af_key,
#      and the BTF read back from the guest equals af_key.ko's .BTF section
#   b  the same with af_key.ko's .BTF replaced by 6.1.0-54's -> loads (rc 0), no /sys/kernel/btf/af_key,
#      and the kernel logged "failed to validate module [af_key] BTF: -22"
#   c  20 modules from net, fs, drivers and crypto, one boot, all with /sys/kernel/btf entries
#   d  --insmod-seq: af_key.ko with its own and with 6.1.0-54's .BTF, alternating, N files in one boot
#   e  6.12.117 (.ko.xz tree): own af_key -> present; af_key.ko with 6.12.115's .BTF -> absent
# --full (or BTFC_QEMU_FULL=1) adds, several minutes:
#   f  --all over the whole 6.1.0-55 tree: every module that loads has its /sys/kernel/btf entry
#   g  the whole 6.1.0-55 tree with every module's .BTF taken from 6.1.0-54: counts reported
#   h  --insmod-seq with 1000 files
# Work files: $BTFC_TEST_WORK/qemu (default ~/.cache/btfcompat/test-work/qemu); kept for inspection.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$TOP/tests/lib.sh"
BM=$HERE/boot-modules.sh
FULL=${BTFC_QEMU_FULL:-0}
[ "${1:-}" = --full ] && FULL=1
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
WORK=${BTFC_TEST_WORK:-$CACHE/test-work}/qemu
rm -rf "$WORK"; mkdir -p "$WORK"

corpus_env # the corpus roles' kernels (pinned: 6.1.0-54/-55, 6.12.115/117, named in the cases above)
V55=$BTFC_K61B V54=$BTFC_K61A
V12N=$BTFC_K612B V12O=$BTFC_K612A
P55=qemu/$V55 P12=qemu/$V12N

# objcopy is test scaffolding only (the product never shells out to it)
if ! command -v objcopy > /dev/null; then
	[ "$(id -u)" = 0 ] && apt-get install -y -qq binutils > /dev/null 2>&1
fi
HAVE_OBJCOPY=1; command -v objcopy > /dev/null || HAVE_OBJCOPY=0

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# tsv_get FILE MODULE COLUMN
tsv_get() { awk -F'\t' -v m="$2" -v c="$3" 'NR > 1 && $1 == m { print $c; exit }' "$1"; }
# module file (relative) of NAME in a corpus modules dir
modpath() { (cd "$1" && find . \( -name "$2.ko" -o -name "$2.ko.xz" \) | sed 's|^\./||' | head -n1); }
# plain ELF of a .ko or .ko.xz
plain() { case $1 in *.xz) xz -dc "$1" > "$2" ;; *) cp "$1" "$2" ;; esac; }
# swap_btf MOD BTF_DONOR OUT: OUT = MOD with the .BTF section of BTF_DONOR (both .ko or .ko.xz)
swap_btf() {
	local t=$3.tmp
	plain "$1" "$t.mod" && plain "$2" "$t.donor" &&
	objcopy --dump-section .BTF="$t.btf" "$t.donor" "$t.junk" &&
	objcopy --update-section .BTF="$t.btf" "$t.mod" "$3"
	local rc=$?
	rm -f "$t.mod" "$t.donor" "$t.btf" "$t.junk"
	return $rc
}
# a modules dir that shares files with SRC (hard links), where callers replace single files
linkcopy() { cp -al "$1" "$2" 2> /dev/null || cp -a "$1" "$2"; }
# boot CASE ARGS...: run boot-modules.sh; sets BRC; prints its timing line
boot() {
	local name=$1; shift
	local t0; t0=$(now)
	BNAME=$name
	"$BM" -v "$@" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr"
	BRC=$?
	echo "# $name: $(grep -E 'wall|SKIP|final marker' "$WORK/$name.stderr" | sed 's/^boot-modules: //' | head -n2 | tr '\n' ' ')(total $(since "$t0")s with staging)"
	if [ "$BRC" = 1 ]; then tail -n 12 "$WORK/$name.stderr" | sed 's/^/#   /'; fi
}
# after a boot: SKIP/FAIL the case unless the boot completed
boot_ok() { # CASE
	case $BRC in
	0) return 0 ;;
	3) skip "$1" "$(grep -m1 SKIP "$WORK/$BNAME.stderr" 2>/dev/null || echo 'qemu unavailable')"; return 1 ;;
	*) fail "$1" "boot failed (rc $BRC), see $WORK/$BNAME.stderr"; return 1 ;;
	esac
}

K55=$("$TOP/scripts/corpus.sh" --path "$V55" 2> /dev/null) || K55=
K54=$("$TOP/scripts/corpus.sh" --path "$V54" 2> /dev/null) || K54=
if [ -z "$K55" ]; then
	for c in af_key-own-btf af_key-54-btf twenty-modules insmod-seq; do skip "$P55/$c" "corpus $V55 unavailable"; done
else
	M55=$K55/lib/modules/$V55 M54=$K54/lib/modules/$V54

	# (a) own BTF
	echo af_key > "$WORK/a.list"
	boot a --ver $V55 --load "$WORK/a.list" --fetch-btf af_key --fetch-dir "$WORK/a-btf" --out "$WORK/a.tsv"
	c=$P55/af_key-own-btf
	if ! boot_ok "$c"; then skip $P55/af_key-btf-readback "no boot"
	else
		r="$(tsv_get "$WORK/a.tsv" af_key 2)/$(tsv_get "$WORK/a.tsv" af_key 3)"
		[ "$r" = 0/1 ] && pass "$c" || fail "$c" "load_rc/btf_present = $r, want 0/1"
		c=$P55/af_key-btf-readback
		if [ "$HAVE_OBJCOPY" = 1 ]; then
			objcopy --dump-section .BTF="$WORK/a-section.btf" "$M55/$(modpath "$M55" af_key)" "$WORK/a.junk" 2> /dev/null
			if cmp -s "$WORK/a-section.btf" "$WORK/a-btf/af_key.btf"; then pass "$c"
			else fail "$c" "/sys/kernel/btf/af_key differs from af_key.ko .BTF"; fi
		else skip "$c" "no objcopy"; fi
	fi

	# (b) af_key.ko carrying 6.1.0-54's .BTF
	c=$P55/af_key-54-btf
	if [ "$HAVE_OBJCOPY" = 0 ] || [ -z "$K54" ]; then skip "$c" "needs objcopy and corpus $V54"
	else
		linkcopy "$M55" "$WORK/b-mods"
		p=$(modpath "$M55" af_key)
		rm -f "$WORK/b-mods/$p"
		if ! swap_btf "$M55/$p" "$M54/$(modpath "$M54" af_key)" "$WORK/b-mods/$p"; then fail "$c" "objcopy failed"
		else
			boot b --ver $V55 --modules-dir "$WORK/b-mods" --load "$WORK/a.list" --out "$WORK/b.tsv"
			if boot_ok "$c"; then
				r="$(tsv_get "$WORK/b.tsv" af_key 2)/$(tsv_get "$WORK/b.tsv" af_key 3)"
				[ "$r" = 0/0 ] && pass "$c" || fail "$c" "load_rc/btf_present = $r, want 0/0"
				# 6.1 logs the BTF verifier's complaint per module (6.12 only warns once)
				c=$P55/af_key-54-btf-kernel-log
				r=$(tsv_get "$WORK/b.tsv" af_key 5)
				[ "$r" = -22 ] && pass "$c" || fail "$c" "btf_err = '$r', want -22 (failed to validate module [af_key] BTF: -22)"
				echo "# b: kernel said: $(tsv_get "$WORK/b.tsv" af_key 6)"
			fi
		fi
	fi

	# (c) 20 modules from four subsystems in one boot
	c=$P55/twenty-modules
	printf '%s\n' af_key 8021q sctp openvswitch nf_tables \
		btrfs xfs nfs overlay squashfs \
		vxlan bonding virtio_net loop raid1 \
		twofish_generic serpent_generic chacha20poly1305 ccm sha3_generic > "$WORK/c.list"
	boot c --ver $V55 --load "$WORK/c.list" --out "$WORK/c.tsv"
	if boot_ok "$c"; then
		bad=$(awk -F'\t' 'NR > 1 && !($2 == 0 && $3 == 1) { printf "%s(rc %s, btf %s) ", $1, $2, $3 }' "$WORK/c.tsv")
		n=$(($(wc -l < "$WORK/c.tsv") - 1))
		[ -z "$bad" ] && [ "$n" = 20 ] && pass "$c" || fail "$c" "$n rows; not loaded with BTF: $bad"
	fi

	# (d) insmod-seq: own and 6.1.0-54 BTF alternating
	seqcase() { # N
		local n=$1 c=$P55/af_key-insmod-seq-$1 i p
		if [ "$HAVE_OBJCOPY" = 0 ] || [ -z "$K54" ]; then skip "$c" "needs objcopy and corpus $V54"; return; fi
		p=$(modpath "$M55" af_key)
		rm -rf "$WORK/seq$n"; mkdir -p "$WORK/seq$n"
		swap_btf "$M55/$p" "$M54/$(modpath "$M54" af_key)" "$WORK/seq$n/stale.ko" || { fail "$c" "objcopy failed"; return; }
		for ((i = 0; i < n; i++)); do
			if ((i % 2)); then cp "$WORK/seq$n/stale.ko" "$WORK/seq$n/$i.ko"; else cp "$M55/$p" "$WORK/seq$n/$i.ko"; fi
		done
		for ((i = 0; i < n; i++)); do echo "$WORK/seq$n/$i.ko"; done > "$WORK/seq$n.list"
		boot "seq$n" --ver $V55 --insmod-seq-list "$WORK/seq$n.list" --out "$WORK/seq$n.tsv"
		if boot_ok "$c"; then
			local bad
			bad=$(awk -F'\t' 'NR > 1 { want = ($1 % 2) ? 0 : 1; if (!($3 == 0 && $4 == want && $5 == 0)) { print $1; n++ } }
				END { if (NR - 1 != '"$n"') print "rows=" NR - 1 }' "$WORK/seq$n.tsv" | head -n 5 | tr '\n' ' ')
			[ -z "$bad" ] && pass "$c" || fail "$c" "unexpected rows: $bad"
		fi
	}
	seqcase 200

	if [ "$FULL" = 1 ]; then
		# (f) the whole tree
		c=$P55/all-modules-own-btf
		boot f --ver $V55 --all --timeout 1800 --out "$WORK/f.tsv"
		if boot_ok "$c"; then
			counts=$(awk -F'\t' 'NR > 1 { n++; if ($2 == 0) ok++; else bad++; if ($3 == 1) b++; if ($2 == 0 && $3 != 1) miss++ }
				END { printf "%d modules, %d loaded, %d btf present, %d failed to load, %d loaded without btf", n, ok, b, bad, miss }' "$WORK/f.tsv")
			echo "# f: $counts"
			miss=$(awk -F'\t' 'NR > 1 && $2 == 0 && $3 != 1' "$WORK/f.tsv" | wc -l)
			ok=$(awk -F'\t' 'NR > 1 && $2 == 0' "$WORK/f.tsv" | wc -l)
			[ "$miss" = 0 ] && [ "$ok" -ge 1000 ] && pass "$c" || fail "$c" "$counts"
		fi
		# (g) the whole tree with 6.1.0-54's .BTF everywhere
		c=$P55/all-modules-54-btf
		t0=$(now); nsw=0
		(cd "$M55" && find . -name '*.ko' | sed 's|^\./||') > "$WORK/g.files"
		mkdir -p "$WORK/g-mods"
		cp "$M55"/modules.order "$M55"/modules.builtin "$M55"/modules.builtin.modinfo "$WORK/g-mods/"
		while IFS= read -r p; do
			mkdir -p "$WORK/g-mods/$(dirname "$p")"
			if [ -f "$M54/$p" ] && swap_btf "$M55/$p" "$M54/$p" "$WORK/g-mods/$p" 2> /dev/null; then nsw=$((nsw + 1))
			else cp "$M55/$p" "$WORK/g-mods/$p"; fi
		done < "$WORK/g.files"
		echo "# g: $nsw of $(wc -l < "$WORK/g.files") modules got $V54's .BTF ($(since "$t0")s with objcopy)"
		boot g --ver $V55 --modules-dir "$WORK/g-mods" --all --timeout 1800 --out "$WORK/g.tsv"
		if boot_ok "$c"; then
			counts=$(awk -F'\t' 'NR > 1 { n++; if ($2 == 0) ok++; else bad++; if ($3 == 1) b++ }
				END { printf "%d modules, %d loaded, %d btf present, %d failed to load", n, ok, b, bad }' "$WORK/g.tsv")
			echo "# g: $counts; dmesg: $(head -n 3 "$WORK/g.dmesg.txt" | tr '\n' '|')"
			r="$(tsv_get "$WORK/g.tsv" af_key 2)/$(tsv_get "$WORK/g.tsv" af_key 3)"
			[ "$r" = 0/0 ] && pass "$c" || fail "$c" "af_key load_rc/btf_present = $r, want 0/0 ($counts)"
		fi
		seqcase 1000
	fi
fi

# (e) 6.12: .ko.xz tree, own BTF and 6.12.115's BTF
K12N=$("$TOP/scripts/corpus.sh" --path "$V12N" 2> /dev/null) || K12N=
K12O=$("$TOP/scripts/corpus.sh" --path "$V12O" 2> /dev/null) || K12O=
if [ -z "$K12N" ]; then
	skip "$P12/af_key-own-btf" "corpus $V12N unavailable"; skip "$P12/af_key-115-btf" "corpus $V12N unavailable"
else
	M12N=$K12N/lib/modules/$V12N M12O=$K12O/lib/modules/$V12O
	echo af_key > "$WORK/e.list"
	c=$P12/af_key-own-btf
	boot e1 --ver $V12N --load "$WORK/e.list" --out "$WORK/e1.tsv"
	if boot_ok "$c"; then
		r="$(tsv_get "$WORK/e1.tsv" af_key 2)/$(tsv_get "$WORK/e1.tsv" af_key 3)"
		[ "$r" = 0/1 ] && pass "$c" || fail "$c" "load_rc/btf_present = $r, want 0/1"
	fi
	c=$P12/af_key-115-btf
	if [ "$HAVE_OBJCOPY" = 0 ] || [ -z "$K12O" ]; then skip "$c" "needs objcopy and corpus $V12O"
	else
		linkcopy "$M12N" "$WORK/e2-mods"
		p=$(modpath "$M12N" af_key)
		# a plain af_key.ko next to the tree's af_key.ko.xz: boot-modules.sh must prefer the .ko
		if ! swap_btf "$M12N/$p" "$M12O/$(modpath "$M12O" af_key)" "$WORK/e2-mods/${p%.xz}"; then fail "$c" "objcopy failed"
		else
			boot e2 --ver $V12N --modules-dir "$WORK/e2-mods" --load "$WORK/e.list" --out "$WORK/e2.tsv"
			if boot_ok "$c"; then
				r="$(tsv_get "$WORK/e2.tsv" af_key 2)/$(tsv_get "$WORK/e2.tsv" af_key 3)"
				[ "$r" = 0/0 ] && pass "$c" || fail "$c" "load_rc/btf_present = $r, want 0/0"
			fi
		fi
	fi
fi
exit 0
