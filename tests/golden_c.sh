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
	# bpftool >= 7.7 skips the running kernel's vmlinux among several files; all of them it: itself, once
	"$BIN" dump /sys/kernel/btf/vmlinux file /sys/kernel/btf/vmlinux format c > "$TMP/sysfs2.h" 2>&1
	same_file golden-c/sysfs-vmlinux-named-twice "$WORK/sysfs.h" "$TMP/sysfs2.h"
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

# --- the headers compile: a tiny CO-RE program (task->pid through a relocation), for every kernel of
# the corpus (s390x's with -target bpfeb, its byte order), and 7.2's in unstable's form (kfunc externs)
compiles() { # NAME HEADER TARGET
	local dir=$TMP/cc.$1
	mkdir -p "$dir" && cp "$2" "$dir/vmlinux.h"
	if clang -target "$3" -O2 -g -c "$TOP/tests/golden_c/core.c" -I "$dir" -o "$dir/core.o" 2> "$dir/err"; then
		# the access to task_struct.pid is a CO-RE relocation: its access string ("0:N") is in .BTF
		if strings "$dir/core.o" | grep -qE '^0:[0-9]+$'; then pass "golden-c/$1/compiles-co-re"
		else fail "golden-c/$1/compiles-co-re" "no CO-RE access string in the object"; fi
	else
		fail "golden-c/$1/compiles-co-re" "$(grep -m3 error "$dir/err" | tr '\n' '|')"
	fi
}
if command -v clang >/dev/null; then
	for v in "$BTFC_K61A" "$BTFC_K612B" "$BTFC_K72" "$BTFC_ARM61A" "$BTFC_S390A"; do
		[ -s "$TMP/$v.h" ] || continue
		tgt=bpf; [ "$v" = "$BTFC_S390A" ] && tgt=bpfeb
		compiles "$v" "$TMP/$v.h" $tgt
	done
	if [ -n "${IMG[$BTFC_K72]:-}" ]; then
		"$BIN" dump --c-style 7.8 --format c "${IMG[$BTFC_K72]}" > "$TMP/k72-78.h" 2>&1
		grep -q '__weak __ksym;$' "$TMP/k72-78.h" && compiles "$BTFC_K72-style-7.8" "$TMP/k72-78.h" bpf ||
			fail "golden-c/$BTFC_K72-style-7.8/compiles-co-re" "no kfunc prototypes in the header"
	fi
else
	skip golden-c/compiles "clang not installed"
fi

# --- newer bpftool's form (--c-style 7.5, 7.8): Debian 13's and unstable's bpftool (scripts/newer-bpftool.sh
# runs them from their packages) on every vmlinux of the corpus, sorted (their default) and, for 7.2, unsorted;
# a few modules on their base in 7.8's form
declare -A NEWER
for sv in 7.5 7.8; do
	if NEWER[$sv]=$("$TOP/scripts/newer-bpftool.sh" $sv 2> "$TMP/newer.err"); then :; else
		NEWER[$sv]=; skip "golden-c/style-$sv" "no bpftool $sv: $(tail -n1 "$TMP/newer.err")"
	fi
done
# newer_c SV OUT ARGS...: bpftool SV's header, cached (a failed run is not kept)
newer_c() {
	local sv=$1 out=$2; shift 2
	[ -s "$out" ] || { "${NEWER[$sv]}" btf dump file "$@" > "$out.tmp" 2>/dev/null && mv "$out.tmp" "$out"; }
}
for sv in 7.5 7.8; do
	[ -n "${NEWER[$sv]}" ] || continue
	for v in "$BTFC_K61A" "$BTFC_K612B" "$BTFC_K72" "$BTFC_ARM61A" "$BTFC_S390A"; do
		[ -n "${IMG[$v]:-}" ] || continue
		newer_c $sv "$WORK/$v.$sv.h" "${RAW[$v]}" format c || { fail "golden-c/style-$sv/$v" "bpftool $sv failed"; continue; }
		"$BIN" dump --c-style $sv --format c "${IMG[$v]}" > "$TMP/s.h" 2>&1
		same_file "golden-c/style-$sv/$v" "$WORK/$v.$sv.h" "$TMP/s.h"
	done
	if [ -n "${IMG[$BTFC_K72]:-}" ]; then
		newer_c $sv "$WORK/$BTFC_K72.$sv.unsorted.h" "${RAW[$BTFC_K72]}" format c unsorted
		"$BIN" dump --c-style $sv "${IMG[$BTFC_K72]}" format c unsorted > "$TMP/s.h" 2>&1
		same_file "golden-c/style-$sv/$BTFC_K72/unsorted" "$WORK/$BTFC_K72.$sv.unsorted.h" "$TMP/s.h"
	fi
done
# bpftool 7.8's root_id (format c: those types and what they need, no kfuncs), and its refusals
if [ -n "${NEWER[7.8]}" ] && [ -n "${IMG[$BTFC_K72]:-}" ]; then
	for ids in "5" "1000 5 0x10"; do
		ra=(); for x in $ids; do ra+=(root_id "$x"); done
		newer_c 7.8 "$WORK/$BTFC_K72.7.8.root${ids// /_}.h" "${RAW[$BTFC_K72]}" format c "${ra[@]}"
		"$BIN" dump --c-style 7.8 "${IMG[$BTFC_K72]}" format c "${ra[@]}" > "$TMP/r.h" 2>&1
		same_file "golden-c/style-7.8/root_id ${ids}" "$WORK/$BTFC_K72.7.8.root${ids// /_}.h" "$TMP/r.h"
	done
	for bad in "999999:invalid root ID" "5 5:duplicate root_id"; do
		ra=(); for x in ${bad%%:*}; do ra+=(root_id "$x"); done
		"$BIN" dump "${RAW[$BTFC_K72]}" format c "${ra[@]}" > "$TMP/r.h" 2> "$TMP/r.err"; rc=$?
		[ $rc = 2 ] && [ ! -s "$TMP/r.h" ] && grep -q "${bad#*:}" "$TMP/r.err" && pass "golden-c/root_id-refused/${bad%%:*}" ||
			fail "golden-c/root_id-refused/${bad%%:*}" "exit $rc: $(head -c 200 "$TMP/r.err")"
	done
fi
if [ -n "${NEWER[7.8]}" ]; then
	for spec in "$BTFC_K61A:500" "$BTFC_K72:400"; do
		v=${spec%%:*} stride=${spec#*:}
		[ -n "${IMG[$v]:-}" ] || continue
		K=$("$TOP/scripts/corpus.sh" --path "$v" 2>/dev/null); M=$(mods_of "$K" "$v")
		for m in $( (cd "$M" && find . -name '*.ko*' | sort) | awk -v s="$stride" 'NR % s == 2'); do
			key=$v.$(echo "${m#./}" | tr / _).7.8
			[ -s "$WORK/$key.h" ] || { plain "$M/$m" "$TMP/m.ko" && newer_c 7.8 "$WORK/$key.h" "$TMP/m.ko" --base-btf "${RAW[$v]}" format c; }
			"$BIN" dump --c-style 7.8 -B "${IMG[$v]}" "$M/$m" format c > "$TMP/m.h" 2>&1
			same_file "golden-c/style-7.8/$v/module/${m#./}" "$WORK/$key.h" "$TMP/m.h"
		done
	done
fi

# --- several modules merged on one base (bpftool >= 7.7's `file A file B --base-btf V`): netfilter's
# nf_tables, nft_ct and nf_conntrack (they share types the base lacks), of 6.1, 7.2 and s390x 6.12
# (big-endian), compared with
# unstable's bpftool 7.8: the merged BTF (raw: same types, order, ids) and its header in 7.8's form;
# the 7.1 form of it is the 7.1 printer (above) on that same BTF. Deterministic: a second run, the same bytes.
MERGE="net/netfilter/nf_tables net/netfilter/nft_ct net/netfilter/nf_conntrack"
if [ -n "${NEWER[7.8]}" ]; then
	for v in "$BTFC_K61A" "$BTFC_K72" "$BTFC_S390A"; do
		[ -n "${IMG[$v]:-}" ] || continue
		K=$("$TOP/scripts/corpus.sh" --path "$v" 2>/dev/null); M=$(mods_of "$K" "$v")
		ours=() theirs=() n=0
		for m in $MERGE; do
			f=$(ls "$M/kernel/$m".ko* 2>/dev/null | head -n1)
			[ -n "$f" ] || continue
			plain "$f" "$TMP/merge$n.ko"
			ours+=("$f") theirs+=(file "$TMP/merge$n.ko") n=$((n + 1))
		done
		[ $n = 3 ] || { fail "golden-c/merged/$v" "found $n of: $MERGE"; continue; }
		for fmt in raw c; do
			if ! "${NEWER[7.8]}" btf dump "${theirs[@]}" --base-btf "${RAW[$v]}" format $fmt > "$TMP/merged.want" 2> "$TMP/merged.err"; then
				fail "golden-c/merged/$v/$fmt" "bpftool 7.8: $(head -c 200 "$TMP/merged.err")"; continue
			fi
			"$BIN" dump --c-style 7.8 -B "${IMG[$v]}" "${ours[0]}" file "${ours[1]}" file "${ours[2]}" format $fmt > "$TMP/merged.h" 2>&1
			same_file "golden-c/merged/$v/$fmt (3 modules)" "$TMP/merged.want" "$TMP/merged.h"
		done
		# the merge dropped duplicates: fewer types than the three modules own
		sum=0
		for f in "${ours[@]}"; do sum=$((sum + $("$BIN" dump -B "${IMG[$v]}" "$f" | grep -c '^\['))); done
		got=$("$BIN" dump -B "${IMG[$v]}" "${ours[@]}" | grep -c '^\[')
		[ "$got" -gt 0 ] && [ "$got" -lt $sum ] && pass "golden-c/merged/$v/deduplicated ($sum types -> $got)" ||
			fail "golden-c/merged/$v/deduplicated" "$sum types -> $got"
		"$BIN" dump --c-style 7.8 -B "${IMG[$v]}" "${ours[@]}" format c > "$TMP/merged2.h" 2>&1
		same_file "golden-c/merged/$v/deterministic" "$TMP/merged.h" "$TMP/merged2.h"
	done
fi
# a merge needs a base; the vmlinux among the files is the base, not a module (as bpftool)
if [ -n "${IMG[$BTFC_K61A]:-}" ]; then
	MA=$(mods_of "$("$TOP/scripts/corpus.sh" --path "$BTFC_K61A")" "$BTFC_K61A")/kernel/net/netfilter
	"$BIN" dump "$MA/nft_ct.ko" file "$MA/nf_tables.ko" format c > /dev/null 2> "$TMP/nobase.err"; rc=$?
	[ $rc = 2 ] && grep -q "base" "$TMP/nobase.err" && pass golden-c/merged/needs-a-base ||
		fail golden-c/merged/needs-a-base "exit $rc: $(head -c 200 "$TMP/nobase.err")"
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
