#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Golden tests of `dump --format c` (vmlinux.h): byte-identical to Debian's bpftool
# (`bpftool btf dump file F [--base-btf B] format c`) for every vmlinux of the corpus and a
# stride of modules on their bases; bpftool reads raw BTF and uncompressed .ko only, so it gets
# the BTF cut out independently (tests/tools) and the module decompressed, while we read the
# image and the module as shipped. Then the headers compile with clang -target bpf, and type
# cycles are refused cleanly. bpftool's outputs are cached in WORK.
#   [BTFC_GOLDEN_EVERY=N] tests/golden_c.sh BTFCOMPAT WORKDIR
set -u
BIN=$(realpath "$1"); WORK=$2
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
mkdir -p "$WORK"
TMP=$(mktemp -d "$WORK/tmp.XXXXXX"); trap 'rm -rf "$TMP"' EXIT
corpus_env all
need_kernels golden-c/corpus BTFC_K61A BTFC_K612B BTFC_K72 BTFC_ARM61A BTFC_S390A || exit 0
command -v bpftool >/dev/null || { skip golden-c "bpftool not installed"; exit 0; }
EVERY=${BTFC_GOLDEN_EVERY:-1}

image_of() { # ROOT VER: the kernel image wherever the package put it
	local f
	for f in boot/vmlinuz-$2 usr/lib/modules/$2/vmlinuz usr/lib/modules/$2/vmlinuz.unsigned; do
		[ -f "$1/$f" ] && { echo "$1/$f"; return 0; }
	done
	return 1
}
mods_of() { if [ -d "$1/lib/modules/$2" ]; then echo "$1/lib/modules/$2"; else echo "$1/usr/lib/modules/$2"; fi; }
# bpftool_c OUT ARGS...: bpftool's header, cached (a failed run is not kept)
bpftool_c() {
	local out=$1; shift
	[ -s "$out" ] || { bpftool btf dump file "$@" format c > "$out.tmp" 2>/dev/null && mv "$out.tmp" "$out"; }
}
# plain KO OUT: the module uncompressed (bpftool reads no .ko.xz/.zst)
plain() {
	case $1 in
	*.xz) xz -dc "$1" > "$2" ;; *.zst) zstd -qdc "$1" > "$2" ;; *.gz) gzip -dc "$1" > "$2" ;; *) cp "$1" "$2" ;;
	esac
}

# --- this machine's kernel, and a big-endian copy of it ---
if [ -r /sys/kernel/btf/vmlinux ]; then
	bpftool_c "$WORK/sysfs.h" /sys/kernel/btf/vmlinux
	"$BIN" dump /sys/kernel/btf/vmlinux format c > "$TMP/sysfs.h" 2>&1
	same_file golden-c/sysfs-vmlinux "$WORK/sysfs.h" "$TMP/sysfs.h"
	python3 "$TOP/tests/tools/btfswap.py" /sys/kernel/btf/vmlinux "$TMP/vmlinux.be"
	"$BIN" dump --format c "$TMP/vmlinux.be" > "$TMP/be.h" 2>&1
	same_file golden-c/sysfs-vmlinux-big-endian "$WORK/sysfs.h" "$TMP/be.h"
else
	skip golden-c/sysfs-vmlinux "/sys/kernel/btf/vmlinux not readable"
fi

# --- every vmlinux of the corpus: the image as shipped vs bpftool on its cut-out BTF ---
declare -A IMG RAW
for v in "$BTFC_K61A" "$BTFC_K612B" "$BTFC_K72" "$BTFC_ARM61A" "$BTFC_S390A"; do
	if ! K=$("$TOP/scripts/corpus.sh" --path "$v" 2>"$TMP/corpus.err") || ! IMG[$v]=$(image_of "$K" "$v"); then
		fail "golden-c/$v" "corpus: no image for $v: $(tail -n1 "$TMP/corpus.err")"; continue
	fi
	RAW[$v]=$WORK/$v.btf
	[ -s "${RAW[$v]}" ] || python3 "$TOP/tests/tools/extract-image-btf.py" "${IMG[$v]}" "${RAW[$v]}" ||
		{ rm -f "${RAW[$v]}"; fail "golden-c/$v" "cannot cut the BTF out of ${IMG[$v]}"; continue; }
	bpftool_c "$WORK/$v.h" "${RAW[$v]}" || { fail "golden-c/$v" "bpftool failed on ${RAW[$v]}"; continue; }
	"$BIN" dump --format c "${IMG[$v]}" > "$TMP/$v.h" 2>&1
	same_file "golden-c/$v/vmlinux-image" "$WORK/$v.h" "$TMP/$v.h"
	"$BIN" dump "${RAW[$v]}" format c > "$TMP/$v.raw.h" 2>&1
	same_file "golden-c/$v/vmlinux-raw" "$WORK/$v.h" "$TMP/$v.raw.h"
done
# deterministic: a second run, the same bytes
"$BIN" dump --format c "${IMG[$BTFC_K61A]}" > "$TMP/again.h" 2>&1
same_file golden-c/deterministic "$TMP/$BTFC_K61A.h" "$TMP/again.h"

# --- a stride of modules on their base (x86 .ko, 7.2's .ko.xz, s390x big-endian) ---
# STRIDE per tree: about 16, 6 and 6 modules (BTFC_GOLDEN_EVERY thins them further)
for spec in "$BTFC_K61A:70" "$BTFC_K72:170" "$BTFC_S390A:375"; do
	v=${spec%%:*} stride=$((${spec#*:} * EVERY))
	[ -n "${IMG[$v]:-}" ] || continue
	K=$("$TOP/scripts/corpus.sh" --path "$v" 2>/dev/null); M=$(mods_of "$K" "$v")
	n=0
	for m in $( (cd "$M" && find . -name '*.ko*' | sort) | awk -v s="$stride" 'NR % s == 1'); do
		key=$v.$(echo "${m#./}" | tr / _)
		if [ ! -s "$WORK/$key.h" ]; then
			plain "$M/$m" "$TMP/m.ko" && bpftool_c "$WORK/$key.h" "$TMP/m.ko" --base-btf "${RAW[$v]}" ||
				{ fail "golden-c/$v/module/${m#./}" "bpftool failed"; continue; }
		fi
		"$BIN" dump -B "${IMG[$v]}" "$M/$m" format c > "$TMP/m.h" 2>&1
		same_file "golden-c/$v/module/${m#./}" "$WORK/$key.h" "$TMP/m.h"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || fail "golden-c/$v/modules" "no module found under $M"
done

# --- a stale module relocated in memory onto the newer build's base (dump --relocate-from): the
# header of the module `relocate --match kernel` writes, as bpftool prints it on that base; with
# the default --match layout, dump refuses exactly the modules relocate refuses
if KB=$("$TOP/scripts/corpus.sh" --path "$BTFC_K61B" 2>/dev/null) && IMGB=$(image_of "$KB" "$BTFC_K61B") &&
	[ -n "${IMG[$BTFC_K61A]:-}" ]; then
	RAWB=$WORK/$BTFC_K61B.btf IMGA=${IMG[$BTFC_K61A]}
	[ -s "$RAWB" ] || python3 "$TOP/tests/tools/extract-image-btf.py" "$IMGB" "$RAWB" || rm -f "$RAWB"
	MA=$(mods_of "$("$TOP/scripts/corpus.sh" --path "$BTFC_K61A")" "$BTFC_K61A")
	n=0 same_refusals=0 refused=0
	for m in $( (cd "$MA" && find . -name '*.ko' | sort) | awk -v s=$((150 * EVERY)) 'NR % s == 7'); do
		rm -f "$TMP/r.ko"
		"$BIN" relocate --unsign --match kernel --from "$IMGA" --to "$IMGB" "$MA/$m" -o "$TMP/r.ko" > /dev/null 2>&1
		[ -s "$TMP/r.ko" ] || continue # refused by the kernel's own rule too: nothing to compare
		if ! bpftool btf dump file "$TMP/r.ko" --base-btf "$RAWB" format c > "$TMP/r.want.h" 2> /dev/null; then
			fail "golden-c/relocated-in-memory/${m#./}" "bpftool failed on the relocated module"; continue
		fi
		"$BIN" dump -B "$IMGB" --relocate-from "$IMGA" --match kernel "$MA/$m" format c > "$TMP/r.h" 2>&1
		same_file "golden-c/relocated-in-memory/${m#./}" "$TMP/r.want.h" "$TMP/r.h"
		"$BIN" relocate --unsign --dry-run --from "$IMGA" --to "$IMGB" "$MA/$m" > /dev/null 2>&1; a=$?
		"$BIN" dump -B "$IMGB" --relocate-from "$IMGA" "$MA/$m" format c > /dev/null 2>&1; b=$?
		[ $a = $b ] && same_refusals=$((same_refusals + 1)); [ $b = 1 ] && refused=$((refused + 1))
		n=$((n + 1))
	done
	[ $n -gt 0 ] && [ $same_refusals = $n ] &&
		pass "golden-c/relocated-in-memory/layout-refusals-as-relocate ($n modules, $refused refused)" ||
		fail golden-c/relocated-in-memory/layout-refusals-as-relocate "$same_refusals of $n agree with relocate"
else
	fail golden-c/relocated-in-memory "no image of $BTFC_K61B in the corpus"
fi

# --- the headers compile: a tiny CO-RE program (task->pid through a relocation) ---
if command -v clang >/dev/null; then
	for v in "$BTFC_K61A" "$BTFC_K612B" "$BTFC_K72"; do
		[ -s "$TMP/$v.h" ] || continue
		mkdir -p "$TMP/cc.$v" && cp "$TMP/$v.h" "$TMP/cc.$v/vmlinux.h"
		if clang -target bpf -O2 -g -c "$TOP/tests/golden_c/core.c" -I "$TMP/cc.$v" -o "$TMP/cc.$v/core.o" \
			2> "$TMP/cc.$v/err"; then
			# the access to task_struct.pid is a CO-RE relocation: its access string ("0:N") is in .BTF
			if strings "$TMP/cc.$v/core.o" | grep -qE '^0:[0-9]+$'; then pass "golden-c/$v/compiles-co-re"
			else fail "golden-c/$v/compiles-co-re" "no CO-RE access string in the object"; fi
		else
			fail "golden-c/$v/compiles-co-re" "$(grep -m3 error "$TMP/cc.$v/err" | tr '\n' '|')"
		fi
	done
else
	skip golden-c/compiles "clang not installed"
fi

# --- cycles: bpftool's refusal (same bytes, an error), and what bpftool crashes on (two loops: stack
# overflow; a member of a forward-declared type after a gap: division by zero) ---
for kw in anon-loop:cycl typedef-loop:cycl ptr-loop:cycl "fwd-member:no size or alignment"; do
	k=${kw%%:*} want=${kw#*:}
	python3 "$TOP/tests/golden_c/mkbtf.py" "$k" "$TMP/$k.btf"
	timeout 20 "$BIN" dump --format c "$TMP/$k.btf" > "$TMP/$k.h" 2> "$TMP/$k.err"; rc=$?
	if [ $rc = 2 ] && grep -q "$k.btf: type \[[0-9]*\]: .*$want" "$TMP/$k.err"; then pass "golden-c/refuse/$k"
	else fail "golden-c/refuse/$k" "exit $rc: $(head -c 200 "$TMP/$k.err")"; fi
done
timeout 20 bpftool btf dump file "$TMP/anon-loop.btf" format c > "$TMP/anon-loop.exp" 2>/dev/null
same_file golden-c/refuse/anon-loop-output-as-bpftool "$TMP/anon-loop.exp" "$TMP/anon-loop.h"

# --- mutants of real BTF (tests/tools/mutate_btf.py): where bpftool writes a header (exit 0) ours is the
# same bytes; elsewhere (bpftool refuses or crashes) ours exits 2 with a message, never crashes ---
MUT=$WORK/mutants; N=${BTFC_GOLDEN_C_MUTANTS:-40}
[ -s "$MUT/$((N - 1)).btf" ] || python3 "$TOP/tests/tools/mutate_btf.py" "${RAW[$BTFC_K61A]}" "$MUT" "$N" 7
same=0 refused=0 bad=
for ((i = 0; i < N; i++)); do
	[ -f "$MUT/$i.rc" ] || ( timeout 60 bpftool btf dump file "$MUT/$i.btf" format c > "$MUT/$i.h"
		echo $? > "$MUT/$i.rc" ) 2>/dev/null # (bpftool's crashes reported by the subshell, kept quiet)
	timeout 60 "$BIN" dump --format c "$MUT/$i.btf" > "$TMP/mut.h" 2> "$TMP/mut.err"; rc=$?
	if [ "$(cat "$MUT/$i.rc")" = 0 ]; then
		if [ $rc = 0 ] && cmp -s "$MUT/$i.h" "$TMP/mut.h"; then same=$((same + 1)); else bad="$bad $i(exit $rc)"; fi
	elif [ $rc = 2 ] && [ -s "$TMP/mut.err" ]; then refused=$((refused + 1))
	else bad="$bad $i(bpftool $(cat "$MUT/$i.rc"), ours $rc)"; fi
done
[ -z "$bad" ] && pass "golden-c/mutants ($same as bpftool, $refused refused where bpftool fails)" ||
	fail golden-c/mutants "differ:$bad"

# --- the CLI's spellings ---
"$BIN" -j dump --format c "${RAW[$BTFC_K61A]}" > /dev/null 2> "$TMP/j.err"; rc=$?
[ $rc = 2 ] && grep -q "JSON" "$TMP/j.err" && pass golden-c/cli/json-refused || fail golden-c/cli/json-refused "exit $rc"
"$BIN" dump "${RAW[$BTFC_K61A]}" format x > /dev/null 2> "$TMP/x.err"; rc=$?
[ $rc = 2 ] && grep -q "unknown format 'x'" "$TMP/x.err" && pass golden-c/cli/unknown-format ||
	fail golden-c/cli/unknown-format "exit $rc: $(head -c 200 "$TMP/x.err")"
bpftool btf dump file "${RAW[$BTFC_K61A]}" format raw > "$TMP/raw.exp" 2>/dev/null
"$BIN" dump "${RAW[$BTFC_K61A]}" format raw > "$TMP/raw.ours" 2>&1
same_file golden-c/cli/format-raw "$TMP/raw.exp" "$TMP/raw.ours"
