#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Real-corpus validator test: every module of Debian 6.1's older cloud kernel
# (role x86-61-old, BTFC_K61A) must validate "ok" against its own base, in the
# module and in the bpf profile; and the stale case (that module on the newer
# build's base, BTFC_K61B) must not be "ok" for af_key in the module profile
# (tests/qemu/README.md: the real newer kernel drops its BTF). 7.2's layout section: the
# vmlinux BTF of Debian's 7.2 kernel (BTFC_K72) with that section added.
#   tests/corpus_validate.sh BTFCOMPAT
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
corpus_env
need_kernels corpus-validate BTFC_K61A BTFC_K61B || exit 0
K=$(kroot "$BTFC_K61A") && K55=$(kroot "$BTFC_K61B") || { fail corpus-validate "corpus: cannot fetch"; exit 0; }
V54=$K/boot/vmlinuz-$BTFC_K61A
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
find "$K/lib/modules" -name '*.ko' | sort > "$TMP/mods"
n=$(wc -l < "$TMP/mods")
for p in module bpf; do
	# one process per core over the whole tree; each prints "FILE: ok (...)" per module
	par_out "$TMP/mods" "$TMP/$p.out" "$BIN" validate --profile $p -B "$V54"
	ok=$(grep -c ': ok (' "$TMP/$p.out")
	if [ "$ok" = "$n" ]; then pass "corpus-validate/$BTFC_K61A-own-base/$p ($ok/$n ok)"; else
		fail "corpus-validate/$BTFC_K61A-own-base/$p" "$ok/$n ok; first: $(grep -v ': ok (' "$TMP/$p.out" | head -n 3 | tr '\n' '|')"
	fi
done
AFK=$K/lib/modules/$BTFC_K61A/kernel/net/key/af_key.ko
out=$("$BIN" validate -B "$K55/boot/vmlinuz-$BTFC_K61B" "$AFK" 2>&1); rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q 'rejected (module profile)'; then
	pass "corpus-validate/af_key-old-on-new-rejected"
else
	fail "corpus-validate/af_key-old-on-new-rejected" "rc=$rc: $out"
fi

# the bpf profile of split BTF reuses the base's resolution; it must say exactly what the
# flattened blob (the reference path) says, for every stale module
V55=$K55/boot/vmlinuz-$BTFC_K61B
par_out "$TMP/mods" "$TMP/fast.out" "$BIN" validate --profile bpf -B "$V55"
par_out "$TMP/mods" "$TMP/flat.out" "$BIN" validate --profile bpf --flatten -B "$V55"
if [ -s "$TMP/fast.out" ] && diff <(sort "$TMP/fast.out") <(sort "$TMP/flat.out") > "$TMP/ff.diff"; then
	pass "corpus-validate/bpf-split-equals-flattened ($(grep -c 'rejected (bpf' "$TMP/fast.out") rejected)"
else
	fail "corpus-validate/bpf-split-equals-flattened" "$(head -n 4 "$TMP/ff.diff" | tr '\n' '|')"
fi
# and what this machine's kernel says of the flattened blobs (every 8th module; needs bpf())
ORACLE=$(dirname "$BIN")/tests/validate_oracle
if [ -x "$ORACLE" ]; then
	awk 'NR % 8 == 1' "$TMP/mods" | xargs "$ORACLE" -x -B "$V55"
fi

# 7.x BTF with a kind layout section (hdr_len 32): Debian's 7.2 vmlinux BTF (cut out of its
# vmlinuz independently of btfcompat) with the 7.2 layout section added by tests/tools/add_layout.py
# (Debian's 7.2 build has none: its pahole does not emit it). 7.2 takes it, 6.18 does not
# ("Unsupported btf_header"), bpftool dumps it as without the section, and so must we.
need_kernels corpus-validate/layout-section BTFC_K72 || exit 0
K72=$(kroot "$BTFC_K72") || { fail corpus-validate/layout-section "corpus: cannot fetch $BTFC_K72"; exit 0; }
if raw_base "$K72/usr/lib/modules/$BTFC_K72/vmlinuz.unsigned" "$TMP/b72.btf" &&
	python3 "$TOP/tests/tools/add_layout.py" "$TMP/b72.btf" "$TMP/l72.btf"; then
	out=$("$BIN" validate "$TMP/l72.btf" 2>&1) && echo "$out" | grep -q ': ok (bpf profile)' &&
		out=$("$BIN" validate --kernel 6.18 "$TMP/l72.btf" 2>&1); [ $? = 1 ] && echo "$out" | grep -q 'Unsupported btf_header' &&
		pass "corpus-validate/layout-section-7.2-ok-6.18-rejected ($BTFC_K72)" || fail corpus-validate/layout-section "$out"
	cmp -s <(bpftool btf dump file "$TMP/l72.btf") <("$BIN" dump "$TMP/l72.btf") &&
		cmp -s <(bpftool btf dump file "$TMP/b72.btf") <("$BIN" dump "$TMP/l72.btf") &&
		pass corpus-validate/layout-section-dump-as-bpftool || fail corpus-validate/layout-section-dump-as-bpftool "differs"
	[ -x "$ORACLE" ] && "$ORACLE" -x "$TMP/l72.btf" | sed 's/^\(PASS\|FAIL\|SKIP\): /&layout-section-on-this-kernel: /'
else
	fail corpus-validate/layout-section "no vmlinux BTF in $K72/usr/lib/modules/$BTFC_K72/vmlinuz.unsigned"
fi
