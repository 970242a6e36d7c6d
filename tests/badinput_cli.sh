#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Bad input through the CLI: every case must exit with exactly 2 (usage or
# I/O error), within 10 s, without a signal, printing nothing on stdout and
# exactly one line on stderr that starts with "btfcompat: " and names the
# file (or the option) and the problem.
#   tests/badinput_cli.sh BUILD/btfcompat
# Prints PASS:/FAIL:/SKIP: lines (tests/unit/testutil.h protocol); exits 1 on any FAIL.
set -u
BIN=${1:-}
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	echo "FAIL: cli/setup: usage: $0 PATH/TO/btfcompat (got '${BIN}')"; exit 1
fi
FAILED=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; FAILED=1; }
skip() { echo "SKIP: $1: $2"; }

D=$(mktemp -d "${TMPDIR:-/tmp}/btfc-badinput-cli.XXXXXX") || { echo "FAIL: cli/setup: mktemp -d"; exit 1; }
trap 'rm -rf "$D"' EXIT

# expect_error NAME NEEDLE PROBLEM -- ARGS...: run btfcompat ARGS; NEEDLE (the file or
# option) and PROBLEM (an extended regex for what is wrong, case-insensitive; "" = any)
# must appear in its single stderr line.
expect_error() {
	local name=$1 needle=$2 problem=$3 rc lines first
	shift 4
	timeout -k 2 10 "$BIN" "$@" > "$D/out" 2> "$D/err" < /dev/null
	rc=$?
	lines=$(wc -l < "$D/err")
	first=$(head -n 1 "$D/err")
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		fail "$name" "no result within 10 s (hang?)"
	elif [ "$rc" -ge 128 ]; then
		fail "$name" "killed by signal $((rc - 128)): $(tr '\n' '|' < "$D/err" | head -c 300)"
	elif [ "$rc" != 2 ]; then
		fail "$name" "exit code $rc, expected 2; stderr: $(tr '\n' '|' < "$D/err" | head -c 300)"
	elif [ -s "$D/out" ]; then
		fail "$name" "wrote $(wc -c < "$D/out") bytes to stdout"
	elif [ "$lines" != 1 ] || [ "$(tail -c 1 "$D/err" | od -An -c | tr -d ' ')" != '\n' ]; then
		fail "$name" "stderr is $lines lines, expected one: $(tr '\n' '|' < "$D/err" | head -c 300)"
	elif [ "${first#btfcompat: }" = "$first" ]; then
		fail "$name" "stderr does not start with 'btfcompat: ': $first"
	elif ! grep -qF -- "$needle" "$D/err"; then
		fail "$name" "stderr does not name '$needle': $first"
	elif [ -n "$problem" ] && ! grep -qiE -- "$problem" "$D/err"; then
		fail "$name" "stderr does not say what is wrong (/$problem/): $first"
	else
		pass "$name"
	fi
}

# gen_garbage FILE BYTES SEED: deterministic binary garbage (an LCG).
gen_garbage() {
	local n=$2 x=$3 s='' b i
	for ((i = 0; i < n; i++)); do
		x=$(( (x * 1103515245 + 12345) & 0x7fffffff ))
		printf -v b '\\x%02x' $(( (x >> 16) & 0xff ))
		s+=$b
	done
	printf %b "$s" > "$1"
}

# ---- inputs ----
gen_garbage "$D/garbage.bin" 4096 1
yes 'this is not BTF: 0123456789 {} [] <> ~!@#' | head -c 4096 > "$D/garbage.txt"
: > "$D/empty.ko"
mkdir "$D/a-directory"
VML=/sys/kernel/btf/vmlinux
HAVE_VML=0
if head -c 1000 "$VML" > "$D/truncated.btf" 2>/dev/null && [ "$(wc -c < "$D/truncated.btf")" = 1000 ]; then
	HAVE_VML=1
fi
HAVE_KO=0
# relocatable objects as a stand-in for modules: one without .BTF, one whose .BTF is not BTF
if command -v cc > /dev/null && printf '' > "$D/empty.c" && cc -c -o "$D/nobtf.ko" "$D/empty.c" 2> /dev/null &&
   printf '%s\n' '__attribute__((section(".BTF"), used)) static const char btf[64] = "not BTF at all";' \
	> "$D/junk.c" && cc -c -o "$D/junkbtf.ko" "$D/junk.c" 2> /dev/null; then
	size=$(wc -c < "$D/junkbtf.ko")
	head -c $((size * 6 / 10)) "$D/junkbtf.ko" > "$D/truncated.ko" # section headers (at the end) cut off
	HAVE_KO=1
fi
HAVE_XZ=0
if command -v xz > /dev/null; then
	# something worth compressing: real BTF if readable, else text
	if [ $HAVE_VML = 1 ]; then head -c 262144 "$VML"; else seq 1 40000; fi > "$D/payload"
	if xz -c "$D/payload" > "$D/corrupt.ko.xz" && xz -c "$D/payload" > "$D/truncated.ko.xz"; then
		size=$(wc -c < "$D/corrupt.ko.xz")
		printf '\xde\xad\xbe\xef\x00\xff' | dd of="$D/corrupt.ko.xz" bs=1 seek=$((size / 2)) conv=notrunc status=none
		truncate -s $((size / 2)) "$D/truncated.ko.xz"
		HAVE_XZ=1
	fi
fi

# ---- files that are not BTF, through each verb that opens them ----
for verb in dump info; do
	expect_error "cli/$verb/garbage-binary" "$D/garbage.bin" "not BTF|unrecogni|not recogni|format" -- $verb "$D/garbage.bin"
	expect_error "cli/$verb/garbage-text" "$D/garbage.txt" "not BTF|unrecogni|not recogni|format" -- $verb "$D/garbage.txt"
	expect_error "cli/$verb/empty-file" "$D/empty.ko" "empty" -- $verb "$D/empty.ko"
	expect_error "cli/$verb/directory" "$D/a-directory" "directory" -- $verb "$D/a-directory"
	expect_error "cli/$verb/nonexistent" "$D/no-such-file.ko" "no such file|not exist|cannot open" -- $verb "$D/no-such-file.ko"
	if [ $HAVE_VML = 1 ]; then
		expect_error "cli/$verb/truncated-btf" "$D/truncated.btf" "exceeds|truncated|short" -- $verb "$D/truncated.btf"
	else
		skip "cli/$verb/truncated-btf" "cannot read $VML"
	fi
	if [ $HAVE_KO = 1 ]; then
		expect_error "cli/$verb/ko-without-btf" "$D/nobtf.ko" "\.BTF" -- $verb "$D/nobtf.ko"
		expect_error "cli/$verb/ko-btf-not-btf" "$D/junkbtf.ko" "BTF|magic" -- $verb "$D/junkbtf.ko"
		# section headers cut off: corrupt, not "without .BTF"
		expect_error "cli/$verb/truncated-ko" "$D/truncated.ko" "section headers at [0-9]+.* exceed the file size" -- $verb "$D/truncated.ko"
	else
		for c in ko-without-btf ko-btf-not-btf truncated-ko; do skip "cli/$verb/$c" "no C compiler"; done
	fi
	if [ $HAVE_XZ = 1 ]; then
		expect_error "cli/$verb/corrupt-xz" "$D/corrupt.ko.xz" "xz" -- $verb "$D/corrupt.ko.xz"
		expect_error "cli/$verb/truncated-xz" "$D/truncated.ko.xz" "xz" -- $verb "$D/truncated.ko.xz"
	else
		skip "cli/$verb/corrupt-xz" "no xz"
		skip "cli/$verb/truncated-xz" "no xz"
	fi
done

# validate takes unrecognised bytes as raw BTF and judges them (exit 1, a finding);
# a source it cannot read at all is still an error
expect_error "cli/validate/empty-file" "$D/empty.ko" "empty" -- validate "$D/empty.ko"
expect_error "cli/validate/directory" "$D/a-directory" "directory" -- validate "$D/a-directory"
expect_error "cli/validate/nonexistent" "$D/no-such-file.ko" "no such file|not exist|cannot open" -- validate "$D/no-such-file.ko"
if [ $HAVE_KO = 1 ]; then
	expect_error "cli/validate/ko-without-btf" "$D/nobtf.ko" "\.BTF" -- validate "$D/nobtf.ko"
else
	skip "cli/validate/ko-without-btf" "no C compiler"
fi
if [ $HAVE_XZ = 1 ]; then
	expect_error "cli/validate/corrupt-xz" "$D/corrupt.ko.xz" "xz" -- validate "$D/corrupt.ko.xz"
else
	skip "cli/validate/corrupt-xz" "no xz"
fi

# ---- a bad base ----
expect_error "cli/dump/base-garbage" "$D/garbage.bin" "not BTF|unrecogni|not recogni|format" -- dump -B "$D/garbage.bin" "$D/garbage.txt"
expect_error "cli/dump/base-nonexistent" "$D/no-base" "no such file|not exist|cannot open" -- dump -B "$D/no-base" "$D/garbage.txt"
if [ $HAVE_VML = 1 ]; then
	expect_error "cli/dump/good-base-garbage-file" "$D/garbage.bin" "not BTF|unrecogni|not recogni|format" -- dump -B "$VML" "$D/garbage.bin"
	expect_error "cli/validate/base-garbage" "$D/garbage.bin" "not BTF|unrecogni|not recogni|format" -- validate -B "$D/garbage.bin" "$VML"
else
	skip "cli/dump/good-base-garbage-file" "cannot read $VML"
	skip "cli/validate/base-garbage" "cannot read $VML"
fi

# ---- usage errors: one line naming the option or what is missing ----
expect_error "cli/unknown-global-option" "--bogus" "unknown|unrecogni|invalid" -- --bogus dump "$D/garbage.bin"
expect_error "cli/unknown-command" "frobnicate" "unknown|unrecogni|invalid" -- frobnicate "$D/garbage.bin"
expect_error "cli/no-command" "btfcompat" "command|usage|missing" --
for verb in dump info validate; do
	expect_error "cli/$verb/unknown-option" "-x" "unknown|unrecogni|invalid" -- $verb -x "$D/garbage.bin"
	expect_error "cli/$verb/unknown-long-option" "--bogus" "unknown|unrecogni|invalid" -- $verb --bogus "$D/garbage.bin"
	expect_error "cli/$verb/missing-file" "$verb" "FILE|missing|usage" -- $verb
	expect_error "cli/$verb/missing-option-argument" "-B" "argument|requires|missing" -- $verb "$D/garbage.bin" -B
done
# several FILEs are merged on one base (bpftool 7.7+): without -B that is a usage error naming the base
expect_error "cli/dump/several-files-need-a-base" "dump" "-B BASE" -- dump "$D/garbage.bin" "$D/garbage.txt"
# option values: one parser per kind of value, a bad value refused (not taken as a default)
expect_error "cli/check/mismatch-allowed-bad" "--mismatch-allowed" "'maybe' is not yes or no" -- check --mismatch-allowed maybe "$D/garbage.bin"
expect_error "cli/scan/mismatch-allowed-bad" "--mismatch-allowed" "'maybe' is not yes or no" -- scan --mismatch-allowed maybe "$D/a-directory"
expect_error "cli/check/config-missing" "--config" "/nope.*No such file" -- check --config /nope "$D/garbage.bin"
expect_error "cli/scan/config-missing" "--config" "/nope.*No such file" -- scan --config /nope "$D/a-directory"
expect_error "cli/check/kernel-unknown" "--kernel" "'5.99' is not newest or a kernel version" -- check --kernel 5.99 "$D/garbage.bin"
expect_error "cli/validate/kernel-unknown" "--kernel" "'5.99' is not newest or a kernel version" -- validate --kernel 5.99 "$D/garbage.bin"
expect_error "cli/validate/profile-unknown" "--profile" "'kernel' is not bpf, module or vmlinux" -- validate --profile kernel "$D/garbage.bin"
expect_error "cli/scan/threads-trailing-junk" "-J" "'2abc' is not a whole number" -- scan -J 2abc "$D/a-directory"
expect_error "cli/scan/threads-zero" "-J" "'0' is not a whole number from 1" -- scan -J 0 "$D/a-directory"
expect_error "cli/relocate/match-unknown" "--match" "'nope' is not layout or kernel" -- relocate --match nope "$D/garbage.bin"
expect_error "cli/max-module-size-bad" "--max-module-size" "'12X' is not a size" -- --max-module-size 12X check "$D/garbage.bin"
# a directory without modules is not "all good"
expect_error "cli/scan/no-modules" "$D/a-directory" "no modules under" -- scan --base "$D/garbage.bin" "$D/a-directory"
expect_error "cli/strip/no-modules" "$D/a-directory" "no modules under" -- strip "$D/a-directory"
# FIFOs and devices: refused at once, never waited on or read to the limit
mkfifo "$D/fifo.ko"
for verb in dump info validate check strip; do
	expect_error "cli/$verb/fifo" "$D/fifo.ko" "not a regular file \(a FIFO\)" -- $verb "$D/fifo.ko"
	expect_error "cli/$verb/dev-zero" "/dev/zero" "not a regular file" -- $verb /dev/zero
done
# strip --stale: the base and the modules are read before anything is written
cp "$D/garbage.bin" "$D/garbage.ko"; cp "$D/garbage.ko" "$D/garbage.ko.orig"
expect_error "cli/strip/base-without-stale" "--base" "stale" -- strip --base "$D/garbage.bin" "$D/garbage.ko"
expect_error "cli/strip/stale-base-garbage" "$D/garbage.bin" "not BTF|unrecogni|not recogni|format" -- strip --stale --base "$D/garbage.bin" "$D/garbage.ko"
if [ -r "$VML" ]; then
	expect_error "cli/strip/stale-garbage-module" "$D/garbage.ko" "ELF|not BTF|unrecogni|format" -- strip --stale --base "$VML" "$D/garbage.ko"
fi
cmp -s "$D/garbage.ko" "$D/garbage.ko.orig" && pass cli/strip/garbage-module-untouched || fail cli/strip/garbage-module-untouched "rewritten"

# names with control characters and backslashes: valid JSON, no forged lines or escapes in text (a backslash
# doubled: a real newline, \x0a, and the four characters \x0a print differently)
if [ $HAVE_KO = 1 ]; then
	weird=$D/$'we\\ird\n\033[31mname\t.ko'
	cp "$D/nobtf.ko" "$weird"
	"$BIN" -j strip --dry-run "$weird" > "$D/w.json" 2> "$D/w.err"
	if python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d[0]["file"] == sys.argv[2], d' "$D/w.json" "$weird" 2> "$D/w.py"; then
		pass cli/json-escapes-control-and-backslash
	else fail cli/json-escapes-control-and-backslash "$(head -c 300 "$D/w.json") $(tail -n 1 "$D/w.py")"; fi
	"$BIN" strip --dry-run "$weird" > "$D/w.txt" 2>&1
	if [ "$(wc -l < "$D/w.txt")" = 1 ] && ! grep -q $'\033' "$D/w.txt" && grep -qF 'we\\ird\x0a\x1b[31mname\x09.ko' "$D/w.txt"; then
		pass cli/text-neutralises-control-characters
	else fail cli/text-neutralises-control-characters "$(od -c "$D/w.txt" | head -n 3 | tr '\n' '|')"; fi
	"$BIN" check --base "$D/garbage.bin" "$weird" > /dev/null 2> "$D/w.err"
	[ "$(wc -l < "$D/w.err")" = 1 ] && ! grep -q $'\033' "$D/w.err" && pass cli/stderr-neutralises-control-characters ||
		fail cli/stderr-neutralises-control-characters "$(od -c "$D/w.err" | head -n 3 | tr '\n' '|')"
else
	skip cli/json-escapes-control-and-backslash "no C compiler"
fi

[ $FAILED = 0 ]
