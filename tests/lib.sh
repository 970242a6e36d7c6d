# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Shell side of the test protocol (see tests/unit/testutil.h): one line per case.
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-}"; }
skip() { echo "SKIP: $1: ${2:-}"; }
# check NAME CMD...: PASS if CMD succeeds, else FAIL with its output's first lines.
check() {
	local name=$1 out; shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(printf '%s' "$out" | head -n 5)"; fi
}
# same_file NAME EXPECTED ACTUAL: byte-identical, else FAIL with the first differing line.
same_file() {
	if cmp -s "$2" "$3"; then pass "$1"; else
		fail "$1" "differs from $2: $(diff "$2" "$3" 2>&1 | head -n 4 | tr '\n' '|')"
	fi
}
# par_out LIST OUT CMD...: run CMD FILE... over the files listed in LIST, one process per core and
# 200 files a process, into OUT. Each process writes a file of its own: parallel writers to one
# file cut lines at their stdio buffer boundaries.
par_out() {
	local list=$1 out=$2 d; shift 2
	d=$(mktemp -d)
	BTFC_PAR_DIR=$d xargs -a "$list" -P "$(nproc)" -n 200 bash -c '"$@" > "$BTFC_PAR_DIR/$BASHPID" 2>&1' _ "$@" 2>/dev/null
	cat "$d"/* > "$out" 2>/dev/null; rm -rf "$d"
}
# btf_ids_case NAME MODULE NEWBASE.btf ORDER: after a relocation onto NEWBASE, every .BTF_ids slot of
# MODULE names the same function and the sets stay sorted (ORDER: < or >; uses $TMP)
btf_ids_case() {
	local name=$1 f=$2 nb=$3 order=$4 py=$TOP/tests/tools/btf_sections.py
	python3 "$py" --section .BTF "$f" "$TMP/ids.btf" && python3 "$py" --names "$nb" "$TMP/ids.btf" > "$TMP/ids.json" &&
		python3 "$py" --section .BTF_ids "$f" "$TMP/ids.sec" &&
		python3 "$TOP/tests/tools/check_btf_ids.py" "$order" "$TMP/ids.json" "$TMP/ids.sec" <(readelf -sW "$f") 2> "$TMP/ids.err" &&
		pass "$name" || fail "$name" "$(cat "$TMP/ids.err" 2>/dev/null)"
}
# raw_base VMLINUZ OUT.btf: the vmlinux .BTF of a bzImage, cut out independently of btfcompat's reader
raw_base() {
	python3 "$TOP/tests/tools/extract-vmlinux.py" "$1" "$2.vmlinux" &&
		python3 "$TOP/tests/tools/btf_sections.py" --elf "$2.vmlinux" "$2" && rm -f "$2.vmlinux"
}
# need_qemu_tools: install QEMU and the initramfs tools when root; else SKIP (returns 1) when missing.
need_qemu_tools() {
	if [ "$(id -u)" = 0 ]; then
		local need=() t
		for t in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio depmod:kmod objcopy:binutils xz:xz-utils; do
			command -v "${t%%:*}" >/dev/null || [ -x "/bin/${t%%:*}" ] || [ -x "/sbin/${t%%:*}" ] || need+=("${t#*:}")
		done
		[ ${#need[@]} = 0 ] || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >/dev/null 2>&1
	fi
	for t in qemu-system-x86_64 objcopy; do
		command -v $t >/dev/null || { skip "$(basename "$0" .sh)" "$t not installed (needs root to install)"; return 1; }
	done
}
# scan_count JSON OUTCOME [ACTION [METHOD]]: modules of a scan -j with that outcome (and action, method)
scan_count() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
a = sys.argv + ["", ""]
print(sum(1 for m in d["modules"] if m["outcome"] == a[2] and a[3] in ("", m["kernel_action"])
          and a[4] in ("", m["method"])))' "$@"; }
# scan_case NAME TREE BASE WANT_OUTCOME [METHOD]: every module of TREE has WANT_OUTCOME on BASE
# (uses $BIN, and $TMP for its files)
scan_case() {
	local name=$1 tree=$2 base=$3 want=$4 method=${5:-} n got
	"$BIN" -j scan -B "$base" "$tree" > "$TMP/s.json" 2> "$TMP/s.err"
	n=$(find "$tree" -name '*.ko*' | wc -l)
	if [ -n "$method" ]; then got=$(scan_count "$TMP/s.json" "$want" "" "$method" 2>/dev/null)
	else got=$(scan_count "$TMP/s.json" "$want" 2>/dev/null); fi
	if [ "$got" = "$n" ]; then pass "$name ($got/$n $want)"; else
		fail "$name" "$got/$n $want; $(head -c 300 "$TMP/s.err")"; fi
}
# corpus_env: the kernels of the corpus roles (scripts/corpus.sh --env: BTFC_K61A=6.1.0-54-cloud-amd64 ...,
# the pinned release or the nearest one Debian's mirror still has), fetched when not cached yet
corpus_env() { eval "$("$TOP/scripts/corpus.sh" --env "$@" 2>/dev/null)"; }
# need_kernels NAME VAR...: every role named is resolved, else FAIL naming the missing packages (returns 1)
need_kernels() {
	local name=$1 v m bad=; shift
	for v; do
		m=${v}_MISSING
		[ -n "${!v:-}" ] || bad="$bad${bad:+; }${!m:-$v: corpus not fetched (scripts/corpus.sh)}"
	done
	[ -z "$bad" ] || { fail "$name" "missing from Debian's mirror: $bad"; return 1; }
}
# kroot VER: the extracted root of a corpus kernel (scripts/corpus.sh --path)
kroot() { "$TOP/scripts/corpus.sh" --path "$1" 2>/dev/null; }
# unhex: hex digits on stdin -> those bytes on stdout (xxd -r -p, which a minimal Debian lacks)
unhex() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("".join(sys.stdin.read().split())))'; }
# kernel_predict T BIN WORK BOOT KDIR: `btfcompat check` and `scan` (-B KDIR/vmlinux, --config
# KDIR/.config) name, for every module of boot BOOT (WORK/f/ID.ko), the action the booted kernel
# took (WORK/obs-BOOT: "ID ACTION" lines, observed in the guest)
kernel_predict() {
	local t=$1 bin=$2 w=$3 b=$4 k=$5 ids=() f v id
	while read -r id _; do ids+=("$w/f/$id.ko"); done < "$w/obs-$b"
	"$bin" check -j -B "$k/vmlinux" --config "$k/.config" "${ids[@]}" > "$w/check-$b.json" 2> "$w/check-$b.err"
	rm -rf "$w/scan-$b"; mkdir -p "$w/scan-$b"
	for f in "${ids[@]}"; do ln "$f" "$w/scan-$b/" 2> /dev/null || cp "$f" "$w/scan-$b/"; done
	"$bin" scan -j -B "$k/vmlinux" --config "$k/.config" "$w/scan-$b" > "$w/scan-$b.json" 2> "$w/scan-$b.err"
	for v in check scan; do
		python3 -c 'import json,sys,os
d = json.load(open(sys.argv[1]))
for r in (d["modules"] if isinstance(d, dict) else d):
    print(os.path.basename(r["file"])[:-3], r["kernel_action"])' "$w/$v-$b.json" 2>> "$w/$v-$b.err" | sort > "$w/pred-$v-$b"
		if sort "$w/obs-$b" | cmp -s - "$w/pred-$v-$b"; then
			pass "$t/$v-predicts-$b: $(wc -l < "$w/obs-$b") modules, $(sort "$w/obs-$b" | cut -d' ' -f2- | sort | uniq -c | sed 's/^ *//' | tr '\n' ';')"
		else
			fail "$t/$v-predicts-$b" "$(sort "$w/obs-$b" | diff - "$w/pred-$v-$b" | grep '^[<>]' | head -n 4 | tr '\n' '|') $(head -c 200 "$w/$v-$b.err")"
		fi
	done
}

# kernel_checkpatch T SRC PATCH...: checkpatch --strict on each patch, in the kernel tree SRC;
# the one warning allowed is "does MAINTAINERS need updating?" for a new file that MAINTAINERS
# already covers (get_maintainer.pl names the BPF maintainers); the checks allowed are "Avoid
# CamelCase" on the C library's ELF typedefs (`} Elf64_Shdr;` in <elf.h>: 7.2's selftest reads
# module images), which checkpatch cannot tell from kernel names
kernel_checkpatch() {
	local t=$1 src=$2 n=0 bad= p out c f
	shift 2
	for p in "$@"; do
		out=$(cd "$src" && ./scripts/checkpatch.pl --strict "$p" 2>&1)
		c=$(sed -n 's/^CHECK: Avoid CamelCase: <\([A-Za-z0-9_]*\)>$/\1/p' <<< "$out" |
			while read -r f; do grep -qx "} $f;" /usr/include/elf.h && echo "$f"; done | wc -l)
		if grep -q "^total: 0 errors, 0 warnings, $c checks" <<< "$out"; then n=$((n + 1)); continue; fi
		if grep -q "^total: 0 errors, 1 warnings, $c checks" <<< "$out" && grep -q 'does MAINTAINERS need updating' <<< "$out"; then
			f=$(sed -n 's/^ *create mode [0-7]* //p' "$p")
			[ -n "$f" ] && (cd "$src" && ./scripts/get_maintainer.pl --nogit --nogit-fallback -f "$f" 2>/dev/null) | grep -q 'ast@kernel.org' &&
				{ n=$((n + 1)); continue; }
		fi
		bad="$bad ${p##*/}: $(grep -E '^(ERROR|WARNING|CHECK)' <<< "$out" | head -n 2 | tr '\n' '|')"
	done
	[ -z "$bad" ] && [ "$n" = $# ] && pass "$t/checkpatch-strict-clean: $n patches" || fail "$t/checkpatch-strict-clean" "$bad"
}

# kbuild_noop T KDIR EXTDIR WORK: a no-op `make modules` (twice) and `make M=EXTDIR` rebuild nothing
# (v1's `; exit $$ret` in Makefile.modfinal kept if_changed from writing the .cmd file: every no-op
# make re-ran pahole, resolve_btfids and the stamp on every module)
kbuild_noop() {
	local t=$1 k=$2 ext=$3 w=$4 r
	noop() { grep -E '^ *(BTF \[M\]|LD \[M\]|CC \[M\]|CSUM) ' "$1" | head -n 3 | tr '\n' '|'; }
	nice -n 5 make -C "$k/src" O="$k" -j2 modules > "$w/inc1.log" 2>&1 &&
		nice -n 5 make -C "$k/src" O="$k" -j2 modules > "$w/inc2.log" 2>&1
	r=$?
	[ $r = 0 ] && [ -z "$(noop "$w/inc2.log")" ] && [ -z "$(noop "$w/inc1.log")" ] &&
		pass "$t/incremental-make-modules-noop: two more \`make modules\` after the build: nothing rebuilt" ||
		fail $t/incremental-make-modules-noop "rc $r: $(noop "$w/inc1.log") / $(noop "$w/inc2.log")"
	make -C "$k" M="$ext" modules > "$w/inc-ext.log" 2>&1; r=$?
	[ $r = 0 ] && [ -z "$(noop "$w/inc-ext.log")" ] &&
		pass "$t/incremental-make-M-noop: a second \`make M=\`: nothing rebuilt" ||
		fail $t/incremental-make-M-noop "rc $r: $(noop "$w/inc-ext.log")"
}
