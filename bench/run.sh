#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Benchmarks (not tests): btfcompat against libbpf 1.5 and bpftool 7.1 on the
# same BTF bytes. See bench/README.md.
#
#   bench/run.sh [SOURCE...]
#   bench/run.sh --smoke BTFCOMPAT   CI's smoke run: tiny inputs, the work of each row counted
#
# SOURCE: anything btfcompat opens (raw BTF, vmlinux, vmlinuz, .ko[.xz|.zst|.gz]);
# its .BTF is extracted to a temporary raw file first. Default: the running
# kernel's /sys/kernel/btf/vmlinux and Debian's 6.1.0-54-cloud-amd64 vmlinuz
# (fetched by scripts/corpus.sh). Env: BENCH_RUNS (default 5) CLI runs per
# measurement, BENCH_MIN_TIME (default 1) seconds per side in bench_parse.
#
# Builds what it needs: the project into build-bench/ (buildtype=release),
# the libbpf oracle (scripts/oracle-libbpf.sh), build-bench/bench_parse.
# Exit status is 0 whatever the timings are; non-zero only if it cannot run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
eval "$("$ROOT/scripts/corpus.sh" --env 2>/dev/null)" # the corpus roles' kernels (BTFC_K61A ...)
cd "$ROOT"
BUILD=$ROOT/build-bench
RUNS=${BENCH_RUNS:-5}
MIN_TIME=${BENCH_MIN_TIME:-1}
export PATH=$PATH:/usr/sbin:/sbin

log() { echo "bench: $*" >&2; }
BENCH_FAILED=0
# rewritten ORIG-DIR NEW-DIR: how many .ko files under NEW-DIR differ from their original (the work done)
rewritten() { local n=0 f; while read -r f; do cmp -s "$1/$f" "$2/$f" || n=$((n + 1)); done < <(cd "$2" && find . -name '*.ko'); echo $n; }

# ---- smoke: `bench/run.sh --smoke BTFCOMPAT` (CI; meson test suite bench) -------------------
# Every CLI row on tiny inputs (the 6.1 base and SMOKE_MODULES modules of its tree), once: no timing
# is judged, but each row prints what it did beside what it timed, and a row whose work did not
# happen is a FAIL line (tests/lib.sh's protocol): a dump that printed no type, a relocation that
# rewrote no module, a stamp without a digest.
if [ "${1:-}" = --smoke ]; then
	set +e +o pipefail # each row judges its own work
	OURS=$(cd "$OLDPWD" && realpath "$2"); N=${SMOKE_MODULES:-12} TOP=$ROOT
	. "$ROOT/tests/lib.sh"
	need_kernels bench-smoke BTFC_K61A BTFC_K61B || exit 0
	K54=$(kroot "$BTFC_K61A") K55=$(kroot "$BTFC_K61B")
	TMP=$(mktemp -d /tmp/btfc-bench.XXXXXX); trap 'rm -rf "$TMP"' EXIT
	raw_base "$K54/boot/vmlinuz-$BTFC_K61A" "$TMP/v54.btf" && raw_base "$K55/boot/vmlinuz-$BTFC_K61B" "$TMP/v55.btf" ||
		{ fail bench-smoke "cannot cut the raw bases"; exit 0; }
	ms() { local t0 t1; t0=$(date +%s%N); "$@"; local rc=$?; t1=$(date +%s%N); echo "$(((t1 - t0) / 1000000))" > "$TMP/ms"; return $rc; }
	# dump: types printed
	ms "$OURS" dump "$TMP/v54.btf" > "$TMP/dump.txt"
	nt=$(grep -c '^\[' "$TMP/dump.txt"); want=$(command -v bpftool >/dev/null && bpftool btf dump file "$TMP/v54.btf" | grep -c '^\[' || true)
	echo "dump: $(cat "$TMP/ms") ms, $nt types printed${want:+ (bpftool prints $want)}"
	[ "$nt" -gt 0 ] && { [ -z "$want" ] || [ "$nt" = "$want" ]; } && pass "bench/dump ($nt types)" || fail bench/dump "$nt types printed${want:+, want $want}"
	# relocate: N signed modules rewritten onto -55's base and signed with the test key
	mkdir -p "$TMP/orig" "$TMP/tree"
	find "$K54/lib/modules" -name '*.ko' | sort | head -n "$N" | while read -r f; do cp "$f" "$TMP/orig/"; done
	cp "$TMP/orig/"*.ko "$TMP/tree/"
	install -m 600 "$ROOT/tests/kernel/test-signing-key.pem" "$TMP/key.pem"
	ms "$OURS" relocate --match kernel --force --sign-key "$TMP/key.pem" --sign-cert "$TMP/key.pem" --sign-hash sha256 \
		--from "$TMP/v54.btf" --to "$TMP/v55.btf" "$TMP/tree" > "$TMP/rel.out" 2>&1
	rw=$(rewritten "$TMP/orig" "$TMP/tree"); signed=$(grep -l 'Module signature appended' "$TMP/tree/"*.ko | wc -l)
	echo "relocate: $(cat "$TMP/ms") ms, $rw of $N modules rewritten, $signed signed"
	[ "$rw" = "$N" ] && [ "$signed" = "$N" ] && pass "bench/relocate ($rw/$N rewritten and signed)" ||
		fail bench/relocate "$rw/$N rewritten, $signed signed: $(tail -n 2 "$TMP/rel.out" | tr '\n' '|')"
	# the same row as the full run had it: --force alone refuses signed modules: it must show as no work
	cp "$TMP/orig/"*.ko "$TMP/tree/"
	"$OURS" relocate --match kernel --force --from "$TMP/v54.btf" --to "$TMP/v55.btf" "$TMP/tree" > "$TMP/rel0.out" 2>&1
	rw0=$(rewritten "$TMP/orig" "$TMP/tree"); nsig=$(grep -c 'module is signed' "$TMP/rel0.out")
	[ "$rw0" = 0 ] && [ "$nsig" = "$N" ] && pass "bench/relocate-refusal-counted (--force alone: $rw0/$N rewritten, $nsig refused as signed)" ||
		fail bench/relocate-refusal-counted "--force alone: $rw0 signed modules rewritten, $nsig/$N refused as signed"
	# stamp --print: a digest
	ms "$OURS" stamp --print -B "$TMP/v54.btf" > "$TMP/stamp.out" 2>&1
	echo "stamp --print: $(cat "$TMP/ms") ms: $(head -c 120 "$TMP/stamp.out")"
	grep -qE '[0-9a-f]{64}' "$TMP/stamp.out" && pass bench/stamp || fail bench/stamp "no digest: $(head -c 200 "$TMP/stamp.out")"
	exit 0
fi

# ---- 1. packages -----------------------------------------------------------
need=()
for p in meson ninja-build pkg-config gcc libc6-dev make libelf-dev zlib1g-dev liblzma-dev \
	libzstd-dev liblz4-dev libbz2-dev libssl-dev bpftool time; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		log "missing packages: ${need[*]} (run as root or install them)"
		exit 1
	fi
	for p in "${need[@]}"; do
		c=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
		if [ -z "$c" ] || [ "$c" = "(none)" ]; then
			log "apt-get update"
			apt-get update -qq >&2
			break
		fi
	done
	log "apt-get install ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
BPFTOOL=$(command -v bpftool)
TIME=/usr/bin/time

# ---- 2. builds -------------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
	log "meson setup $BUILD (release)"
	# -Dwerror=false: a new -O3 warning must not stop a benchmark.
	meson setup "$BUILD" --buildtype=release -Dwerror=false >&2
fi
ORACLE=$(bash "$ROOT/scripts/oracle-libbpf.sh")
# bench_parse is a target of the project's own build (bench/meson.build), against this libbpf
meson configure "$BUILD" -Dbench_libbpf="$ORACLE" >&2
log "ninja -C $BUILD"
ninja -C "$BUILD" btfcompat libbtfcompat.a bench/bench_parse >&2
BENCH=$BUILD/bench/bench_parse
OURS=$BUILD/btfcompat
# unstable's bpftool 7.8 (from its Debian package, run in place) for the --c-style 7.8 rows; optional
BPFTOOL78=$(bash "$ROOT/scripts/newer-bpftool.sh" 7.8 2>/dev/null) || BPFTOOL78=

# ---- 3. inputs (raw BTF files in a temp dir: every tool reads the same bytes)
TMP=$(mktemp -d /tmp/btfc-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
names=() files=()
add_input() { # NAME SOURCE
	local out=$TMP/$1.btf
	if "$BENCH" --extract "$2" "$out" 2>"$TMP/extract.err"; then
		names+=("$1")
		files+=("$out")
	else
		log "skipping $2: $(cat "$TMP/extract.err")"
	fi
}
if [ $# -gt 0 ]; then
	for s in "$@"; do
		add_input "$(basename "$s" .btf)" "$s"
	done
else
	if [ -r /sys/kernel/btf/vmlinux ]; then
		add_input "running-$(uname -r)" /sys/kernel/btf/vmlinux
	else
		log "no /sys/kernel/btf/vmlinux on this machine"
	fi
	# Debian 12's 6.1 and unstable's 7.2 (its image under /usr/lib/modules/VER/)
	for v in "${BTFC_K61A:-}" "${BTFC_K72:-}"; do
		[ -n "$v" ] || continue
		if kroot=$(bash "$ROOT/scripts/corpus.sh" --path "$v" 2>"$TMP/corpus.err"); then
			for img in "$kroot/boot/vmlinuz-$v" "$kroot/usr/lib/modules/$v/vmlinuz" "$kroot/usr/lib/modules/$v/vmlinuz.unsigned"; do
				[ -f "$img" ] && { add_input "vmlinuz-$v" "$img"; break; }
			done
		else
			log "skipping $v: $(tail -n1 "$TMP/corpus.err")"
		fi
	done
fi
[ ${#files[@]} -gt 0 ] || { log "no input"; exit 1; }

# ---- 4. measurements ------------------------------------------------------
# Median wall time in ms of RUNS runs of "$@" with stdout to /dev/null.
median_ms() {
	local i t0 t1 ts=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>>"$TMP/cmd.err" || { echo "FAIL"; return 0; }
		t1=$(date +%s%N)
		ts+=($(((t1 - t0) / 1000)))
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR] = $1} END {
		m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}
# Peak RSS in KiB of "$@" with stdout to /dev/null.
peak_kib() {
	"$TIME" -f %M -o "$TMP/rss" "$@" >/dev/null 2>>"$TMP/cmd.err" || { echo "FAIL"; return 0; }
	tail -n1 "$TMP/rss"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }

summary=()
FMT='%-28s %-27s %11s %11s %6s  %s'
# shellcheck disable=SC2059
row() { summary+=("$(printf "$FMT" "$@")"); }

for idx in "${!files[@]}"; do
	name=${names[$idx]} f=${files[$idx]}
	size=$(stat -c %s "$f")
	echo "== $name ($size bytes of raw BTF) =="

	# parse vs libbpf btf__new, and in-process dump
	"$BENCH" -t "$MIN_TIME" "$f" | tee "$TMP/bp.out"
	p_ours=$(sed -n 's/^parse: btfcompat \([0-9.]*\) ms.*/\1/p' "$TMP/bp.out")
	p_bpf=$(sed -n 's/^parse: .*btf__new \([0-9.]*\) ms.*/\1/p' "$TMP/bp.out")
	d_lib=$(sed -n 's/^dump: btfcompat \([0-9.]*\) ms.*/\1/p' "$TMP/bp.out")
	v_ours=$(sed -n 's/^validate: btfcompat bpf profile \([0-9.]*\) ms.*/\1/p' "$TMP/bp.out")
	v_kern=$(sed -n 's/^validate: .*BPF_BTF_LOAD \([0-9.]*\) ms.*/\1/p' "$TMP/bp.out")

	# CLI raw dump vs bpftool: wall time
	: >"$TMP/cmd.err"
	d_ours=$(median_ms "$OURS" dump "$f")
	d_bpf=$(median_ms "$BPFTOOL" btf dump file "$f")
	speed=$(ratio "$d_bpf" "$d_ours")
	echo "dump wall (median of $RUNS): btfcompat dump $d_ours ms, bpftool btf dump file $d_bpf ms, bpftool/btfcompat ${speed}x (goal >= 3x)"

	# byte-identical output?
	"$OURS" dump "$f" >"$TMP/ours.txt" 2>>"$TMP/cmd.err" || true
	"$BPFTOOL" btf dump file "$f" >"$TMP/bpftool.txt" 2>>"$TMP/cmd.err" || true
	if cmp -s "$TMP/ours.txt" "$TMP/bpftool.txt"; then
		same=identical
		echo "dump output: identical ($(wc -l <"$TMP/bpftool.txt") lines)"
	else
		same=DIFFERENT
		echo "dump output: DIFFERENT: $(cmp "$TMP/ours.txt" "$TMP/bpftool.txt" 2>&1 | head -n1)"
		diff "$TMP/ours.txt" "$TMP/bpftool.txt" 2>&1 | head -n 6 | sed 's/^/    /' || true
	fi

	# the C header (vmlinux.h) vs bpftool's `format c`: wall time, and the bytes
	c_ours=$(median_ms "$OURS" dump --format c "$f")
	c_bpf=$(median_ms "$BPFTOOL" btf dump file "$f" format c)
	c_speed=$(ratio "$c_bpf" "$c_ours")
	"$OURS" dump --format c "$f" >"$TMP/ours.h" 2>>"$TMP/cmd.err" || true
	"$BPFTOOL" btf dump file "$f" format c >"$TMP/bpftool.h" 2>>"$TMP/cmd.err" || true
	if cmp -s "$TMP/ours.h" "$TMP/bpftool.h"; then c_same=identical; else
		c_same="DIFFERENT: $(cmp "$TMP/ours.h" "$TMP/bpftool.h" 2>&1 | head -n1)"; fi
	echo "format c wall (median of $RUNS): btfcompat $c_ours ms, bpftool $c_bpf ms, bpftool/btfcompat ${c_speed}x (goal >= 2x); output $c_same"

	# unstable's form (--c-style 7.8: sorted, kfunc prototypes) vs unstable's bpftool 7.8, when it runs here
	c78_ours=- c78_bpf=- c78_speed=- c78_same="no bpftool 7.8 (scripts/newer-bpftool.sh)"
	if [ -n "$BPFTOOL78" ]; then
		c78_ours=$(median_ms "$OURS" dump --c-style 7.8 --format c "$f")
		c78_bpf=$(median_ms "$BPFTOOL78" btf dump file "$f" format c)
		c78_speed=$(ratio "$c78_bpf" "$c78_ours")
		"$OURS" dump --c-style 7.8 --format c "$f" >"$TMP/ours78.h" 2>>"$TMP/cmd.err" || true
		"$BPFTOOL78" btf dump file "$f" format c >"$TMP/bpftool78.h" 2>>"$TMP/cmd.err" || true
		if cmp -s "$TMP/ours78.h" "$TMP/bpftool78.h"; then c78_same=identical; else
			c78_same="DIFFERENT: $(cmp "$TMP/ours78.h" "$TMP/bpftool78.h" 2>&1 | head -n1)"; fi
		echo "format c 7.8 wall (median of $RUNS): btfcompat --c-style 7.8 $c78_ours ms, bpftool 7.8 $c78_bpf ms, bpftool/btfcompat ${c78_speed}x; output $c78_same"
	fi

	# peak RSS
	r_ours=$(peak_kib "$OURS" dump "$f")
	r_bpf=$(peak_kib "$BPFTOOL" btf dump file "$f")
	rss_ratio=$(ratio "$r_ours" "$((size / 1024))")
	echo "peak RSS: btfcompat dump $r_ours KiB, blob $((size / 1024)) KiB, ratio $rss_ratio (goal <= 2); bpftool $r_bpf KiB"
	if [ -s "$TMP/cmd.err" ]; then
		echo "stderr of the runs: $(head -n3 "$TMP/cmd.err")"
	fi
	echo

	mb() { awk -v k="$1" 'BEGIN { if (k + 0 > 0) printf "%.1f MB", k * 1024 / 1e6; else printf "%s", k }'; }
	row "$name" "parse vs libbpf btf__new" "$p_ours ms" "$p_bpf ms" "$(ratio "$p_ours" "$p_bpf")" "ours/libbpf, goal <= 1.5"
	row "" "validate (bpf) vs BPF_BTF_LOAD" "$v_ours ms" "${v_kern:--} ms" "$(ratio "$v_ours" "$v_kern")" "ours/kernel, goal <= 0.5"
	row "" "validate (bpf) vs btf__new" "$v_ours ms" "$p_bpf ms" "$(ratio "$v_ours" "$p_bpf")" "ours/libbpf, goal <= 5"
	row "" "dump in-process (library)" "$d_lib ms" "" "" "btfc_btf_dump() to /dev/null"
	row "" "dump CLI vs bpftool (wall)" "$d_ours ms" "$d_bpf ms" "${speed}x" "bpftool/ours, goal >= 3x; output $same"
	row "" "format c CLI vs bpftool (wall)" "$c_ours ms" "$c_bpf ms" "${c_speed}x" "bpftool/ours, goal >= 2x; output $c_same"
	row "" "format c 7.8 vs bpftool 7.8" "$c78_ours ms" "$c78_bpf ms" "${c78_speed}x" "bpftool/ours, goal >= 2x; output $c78_same"
	row "" "peak RSS dump vs blob size" "$(mb "$r_ours")" "$(mb "$((size / 1024))")" "$rss_ratio" "ours/blob, goal <= 2 (bpftool $(mb "$r_bpf"))"
done

# several modules merged on one base (bpftool >= 7.7's `file A file B`): 7.2's nf_tables, nft_ct and
# nf_conntrack on 7.2's raw base, both tools on the same uncompressed copies, unstable's form
if [ -n "$BPFTOOL78" ] && [ -s "$TMP/vmlinuz-${BTFC_K72:-none}.btf" ] &&
	K=$("$ROOT/scripts/corpus.sh" --path "$BTFC_K72" 2>/dev/null); then
	mods=() bargs=()
	for m in nf_tables nft_ct nf_conntrack; do
		xz -dc "$K/usr/lib/modules/$BTFC_K72/kernel/net/netfilter/$m.ko.xz" >"$TMP/$m.ko" 2>/dev/null || continue
		mods+=("$TMP/$m.ko") bargs+=(file "$TMP/$m.ko")
	done
	base=$TMP/vmlinuz-$BTFC_K72.btf
	if [ ${#mods[@]} = 3 ]; then
		: >"$TMP/cmd.err"
		mg_ours=$(median_ms "$OURS" dump --c-style 7.8 -B "$base" "${mods[@]}" format c)
		mg_bpf=$(median_ms "$BPFTOOL78" btf dump "${bargs[@]}" --base-btf "$base" format c)
		"$OURS" dump --c-style 7.8 -B "$base" "${mods[@]}" format c >"$TMP/mo.h" 2>>"$TMP/cmd.err" || true
		"$BPFTOOL78" btf dump "${bargs[@]}" --base-btf "$base" format c >"$TMP/mb.h" 2>>"$TMP/cmd.err" || true
		cmp -s "$TMP/mo.h" "$TMP/mb.h" && mg_same=identical || mg_same=DIFFERENT
		echo "merged 3 modules format c 7.8 (median of $RUNS): btfcompat $mg_ours ms, bpftool 7.8 $mg_bpf ms, bpftool/btfcompat $(ratio "$mg_bpf" "$mg_ours")x; output $mg_same"
		row "merge 3 modules of $BTFC_K72" "format c 7.8 vs bpftool 7.8" "$mg_ours ms" "$mg_bpf ms" "$(ratio "$mg_bpf" "$mg_ours")x" "bpftool/ours; output $mg_same"
	fi
fi

# module-profile validation of a whole module tree against its base (one process per core)
if K=$("$ROOT/scripts/corpus.sh" --path "$BTFC_K61A" 2>/dev/null); then
	find "$K/lib/modules" -name '*.ko' > "$TMP/mods"
	t0=$(date +%s.%N)
	xargs -a "$TMP/mods" -P "$(nproc)" -n 600 "$OURS" validate -B "$K/boot/vmlinuz-${BTFC_K61A}" >/dev/null 2>&1 || true
	t1=$(date +%s.%N)
	ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
	echo "module-profile validate of the $BTFC_K61A tree ($(wc -l <"$TMP/mods") modules, base parsed from vmlinuz per process): $ms ms wall"
	row "$BTFC_K61A module tree" "validate (module), wall" "$ms ms" "" "" "$(wc -l <"$TMP/mods") modules, $(nproc) cores"
fi

# scan: a whole stale tree, full verdict per module, base parsed from its vmlinuz (2 cores)
wall_ms() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
best_ms() { local best=999999999 m; for _ in 1 2 3; do m=$(wall_ms "$@"); [ "$m" -lt "$best" ] && best=$m; done; echo "$best"; }
C=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
if K54=$("$ROOT/scripts/corpus.sh" --path "$BTFC_K61A" 2>/dev/null) &&
   K55=$("$ROOT/scripts/corpus.sh" --path "$BTFC_K61B" 2>/dev/null); then
	s_ms=$(best_ms "$OURS" scan -B "$K55/boot/vmlinuz-${BTFC_K61B}" "$K54/lib/modules")
	echo "scan of $BTFC_K61A's $(find "$K54/lib/modules" -name '*.ko' | wc -l) modules against $BTFC_K61B's vmlinuz: $s_ms ms wall (best of 3; goal < 250 ms)"
	row "scan $BTFC_K61A on $BTFC_K61B" "whole tree, wall" "$s_ms ms" "" "" "goal < 250 ms, incl. base from vmlinuz"
	# stamp vs sha256sum of the same bytes (the base's BTF)
	"$BENCH" --extract "$K54/boot/vmlinuz-${BTFC_K61A}" "$TMP/v54.btf" 2>/dev/null
	st_ms=$(best_ms "$OURS" stamp --print -B "$TMP/v54.btf")
	sh_ms=$(best_ms sha256sum "$TMP/v54.btf")
	echo "stamp --print (parse + SHA-256 of types+strings): $st_ms ms, sha256sum of the same file: $sh_ms ms"
	row "stamp of 6.1 vmlinux BTF" "vs sha256sum, wall" "$st_ms ms" "$sh_ms ms" "$(ratio "$st_ms" "$sh_ms")" "goal <= 1.1"
	# diff of the two 6.1 bases vs libbpf's btf__dedup of one of them
	"$BENCH" --extract "$K55/boot/vmlinuz-${BTFC_K61B}" "$TMP/v55.btf" 2>/dev/null
	df_ms=$(best_ms "$OURS" diff "$TMP/v54.btf" "$TMP/v55.btf")
	dd_ms=$("$BENCH" --dedup "$TMP/v54.btf" | sed -n 's/^dedup: libbpf btf__dedup \([0-9.]*\) ms.*/\1/p')
	echo "diff of the $BTFC_K61A and $BTFC_K61B bases: $df_ms ms wall (goal <= 150); libbpf btf__dedup of one base: $dd_ms ms"
	row "diff $BTFC_K61A vs $BTFC_K61B" "vs btf__dedup of one, wall" "$df_ms ms" "$dd_ms ms" "$(ratio "$df_ms" "$dd_ms")" "goal <= 150 ms and <= 2"

	# relocate: the whole -54 tree onto -55's base, in-process vs libbpf 1.5
	# distill+relocate (bench_parse --relocate), then the two CLIs
	find "$K54/lib/modules" -name '*.ko' | sort >"$TMP/mods54"
	mapfile -t mods54 <"$TMP/mods54"
	nm=${#mods54[@]}
	"$BENCH" --relocate "$TMP/v54.btf" "$TMP/v55.btf" "${mods54[@]}" | tee "$TMP/rl.out" ||
		log "bench_parse --relocate failed"
	rl() { # SIDE FIELD: total|median|ok|refused of "relocate: SIDE total ..."
		sed -n "s/^relocate: $1 total \([0-9.]*\) ms, median \([0-9.]*\) ms per module, \([0-9]*\) ok, \([0-9]*\) refused.*/\\$2/p" "$TMP/rl.out"; }
	rk_t=$(rl 'btfcompat kernel' 1) rk_m=$(rl 'btfcompat kernel' 2) rk_ok=$(rl 'btfcompat kernel' 3) rk_no=$(rl 'btfcompat kernel' 4)
	ry_t=$(rl 'btfcompat layout' 1) ry_m=$(rl 'btfcompat layout' 2) ry_ok=$(rl 'btfcompat layout' 3) ry_no=$(rl 'btfcompat layout' 4)
	rb_t=$(rl libbpf 1) rb_m=$(rl libbpf 2) rb_ok=$(rl libbpf 3) rb_no=$(rl libbpf 4)
	rn_ms=$(sed -n 's/^relocate: relocator_new \([0-9.]*\) ms.*/\1/p' "$TMP/rl.out")
	r_same=$(sed -n 's/^relocate: output vs libbpf: \([0-9]*\) identical.*/\1/p' "$TMP/rl.out")
	row "relocate $BTFC_K61A onto $BTFC_K61B" "per module (median)" "$rk_m ms" "$rb_m ms" "$(ratio "$rk_m" "$rb_m")" "ours (kernel match)/libbpf distill+relocate, goal <= 0.5"
	row "" "whole tree, in-process" "$rk_t ms" "$rb_t ms" "$(ratio "$rk_t" "$rb_t")" "goal <= 0.5; ok/refused: ours $rk_ok/$rk_no, libbpf $rb_ok/$rb_no; ${r_same:-?} outputs identical"
	row "" "whole tree, layout match" "$ry_t ms" "$rb_t ms" "$(ratio "$ry_t" "$rb_t")" "ours ok/refused $ry_ok/$ry_no (a used type's layout changed: refused); median $ry_m ms"
	row "" "relocator_new (base diff)" "$rn_ms ms" "" "" "once per tree, outside the rows above"

	# CLI wall clock: ours rewrites every .ko in place (atomic, fsync'd) in a
	# fresh copy of the tree; libbpf_reloc only writes each raw split BTF.
	if RELOC=$(bash "$ROOT/tests/oracle/build-libbpf-reloc.sh" 2>"$TMP/reloc-build.err"); then
		cli_best() { # PREP-FN CMD...: "WALL CPU" ms, best wall of 3 (+ its user+sys) via /usr/bin/time
			local prep=$1 i w c bw=999999 bc=0; shift
			for i in 1 2 3; do
				"$prep"
				"$TIME" -f '%e %U %S' -o "$TMP/rt.time" "$@" >/dev/null 2>&1 || true
				read -r w c < <(tail -n1 "$TMP/rt.time" | awk '{ printf "%.0f %.0f\n", $1 * 1000, ($2 + $3) * 1000 }')
				[ "$w" -lt "$bw" ] && bw=$w bc=$c
			done
			echo "$bw $bc"
		}
		fresh_tree() { rm -rf "$TMP/rtree"; cp -a "$K54/lib/modules" "$TMP/rtree"; sync; }
		fresh_out() { rm -rf "$TMP/rout"; sync; }
		# Debian's modules are signed: they are rewritten and signed again with the test key (a
		# relocation that refuses a signed module does no work; the row counts what was rewritten)
		install -m 600 "$ROOT/tests/kernel/test-signing-key.pem" "$TMP/key.pem"
		ro=$(cli_best fresh_tree "$OURS" relocate --match kernel --force --sign-key "$TMP/key.pem" --sign-cert "$TMP/key.pem" \
			--sign-hash sha256 --from "$TMP/v54.btf" --to "$TMP/v55.btf" "$TMP/rtree")
		rw=$(rewritten "$K54/lib/modules" "$TMP/rtree")
		rb=$(cli_best fresh_out "$RELOC" relocate "$TMP/v54.btf" "$TMP/v55.btf" "$TMP/rout" "${mods54[@]}")
		read -r ro_w ro_c <<<"$ro"
		read -r rb_w rb_c <<<"$rb"
		rm -rf "$TMP/rtree" "$TMP/rout"
		echo "relocate CLI, $nm modules (best of 3): btfcompat relocate --match kernel --force --sign-key $ro_w ms wall ($ro_c ms user+sys;" \
			"$rw of $nm .ko rewritten in place and signed, fsync'd), libbpf_reloc relocate $rb_w ms wall ($rb_c ms user+sys; raw BTF files only)"
		[ "$rw" -gt 0 ] || { log "relocate CLI: no module was rewritten: the row measured a refusal"; BENCH_FAILED=1; }
		row "" "CLI whole tree (wall)" "$ro_w ms" "$rb_w ms" "$(ratio "$ro_w" "$rb_w")" "$rw/$nm .ko rewritten atomically (fsync) and signed; libbpf_reloc writes raw BTF only; cpu $ro_c vs $rb_c ms"
	else
		log "skipping relocate CLI: $(tail -n1 "$TMP/reloc-build.err")"
	fi
fi
if K115=$("$ROOT/scripts/corpus.sh" --path "$BTFC_K612A" 2>/dev/null) &&
   K117=$("$ROOT/scripts/corpus.sh" --path "$BTFC_K612B" 2>/dev/null); then
	x_ms=$(best_ms "$OURS" scan -B "$K117/boot/vmlinuz-${BTFC_K612B}" "$K115/lib/modules")
	find "$K115/lib/modules" -name '*.ko.xz' > "$TMP/xz.list"
	d_ms=$(best_ms sh -c "xargs -a '$TMP/xz.list' -P $(nproc) -n 100 xz -dc")
	echo "scan of $BTFC_K612A's $(find "$K115/lib/modules" -name '*.ko.xz' | wc -l) .ko.xz against $BTFC_K612B: $x_ms ms; xz -dc of the same files on $(nproc) cores: $d_ms ms"
	row "scan 6.12 .ko.xz tree" "vs xz -dc, wall" "$x_ms ms" "$d_ms ms" "$(ratio "$x_ms" "$d_ms")" "goal <= 1.2"
fi

rev=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')
lbv=$(grep -oE '^LIBBPF_[0-9.]+' "$ORACLE/../src/tools/lib/bpf/libbpf.map" 2>/dev/null | sort -rV | head -n1 | cut -d_ -f2 || true)
btv=$("$BPFTOOL" version 2>/dev/null | head -n1 || true)
echo "== summary (btfcompat $rev, libbpf ${lbv:-?}, $btv) =="
# shellcheck disable=SC2059
printf "$FMT\n" input measure btfcompat reference ratio note
printf '%s\n' "${summary[@]}"
[ "$BENCH_FAILED" = 0 ] || { log "a row measured work that did not happen (see above)"; exit 1; }
