#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Real-corpus validator test: every module of Debian 6.1.0-54-cloud must
# validate "ok" against its own base, in the module and in the bpf profile;
# and the stale case (the -54 module on -55's base) must not be "ok" for
# af_key in the module profile (design.md §5: the real -55 kernel drops its BTF).
#   tests/corpus_validate.sh BTFCOMPAT
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
if ! K=$("$TOP/scripts/corpus.sh" --path 6.1.0-54-cloud-amd64 2>/dev/null); then
	skip corpus-validate "corpus unavailable"; exit 0
fi
K55=$("$TOP/scripts/corpus.sh" --path 6.1.0-55-cloud-amd64 2>/dev/null)
V54=$K/boot/vmlinuz-6.1.0-54-cloud-amd64
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
find "$K/lib/modules" -name '*.ko' | sort > "$TMP/mods"
n=$(wc -l < "$TMP/mods")
for p in module bpf; do
	# one process per core over the whole tree; each prints "FILE: ok (...)" per module
	par_out "$TMP/mods" "$TMP/$p.out" "$BIN" validate --profile $p -B "$V54"
	ok=$(grep -c ': ok (' "$TMP/$p.out")
	if [ "$ok" = "$n" ]; then pass "corpus-validate/6.1.0-54-own-base/$p ($ok/$n ok)"; else
		fail "corpus-validate/6.1.0-54-own-base/$p" "$ok/$n ok; first: $(grep -v ': ok (' "$TMP/$p.out" | head -n 3 | tr '\n' '|')"
	fi
done
AFK=$K/lib/modules/6.1.0-54-cloud-amd64/kernel/net/key/af_key.ko
out=$("$BIN" validate -B "$K55/boot/vmlinuz-6.1.0-55-cloud-amd64" "$AFK" 2>&1); rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q 'rejected (module profile)'; then
	pass "corpus-validate/af_key-54-on-55-rejected"
else
	fail "corpus-validate/af_key-54-on-55-rejected" "rc=$rc: $out"
fi

# the bpf profile of split BTF reuses the base's resolution; it must say exactly what the
# flattened blob (the reference path) says, for every stale module
V55=$K55/boot/vmlinuz-6.1.0-55-cloud-amd64
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

# 7.x BTF with a kind layout section (hdr_len 32): cilium/ebpf's btf/testdata/vmlinux.btf.gz,
# when it is in the cache (never in git; fetched by hand, see docs/validate.md)
CIL=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/cilium/vmlinux.btf.gz
if [ -f "$CIL" ]; then
	gzip -dc "$CIL" > "$TMP/cil.btf"
	out=$("$BIN" validate "$TMP/cil.btf" 2>&1) && echo "$out" | grep -q ': ok (bpf profile)' &&
		out=$("$BIN" validate --kernel 6.18 "$TMP/cil.btf" 2>&1); [ $? = 1 ] && echo "$out" | grep -q 'Unsupported btf_header' &&
		pass "corpus-validate/layout-section-7.2-ok-6.18-rejected" || fail corpus-validate/layout-section "$out"
	if command -v bpftool >/dev/null; then
		cmp -s <(bpftool btf dump file "$TMP/cil.btf") <("$BIN" dump "$TMP/cil.btf") &&
			pass corpus-validate/layout-section-dump-as-bpftool || fail corpus-validate/layout-section-dump-as-bpftool "differs"
	fi
	[ -x "$ORACLE" ] && "$ORACLE" -x "$TMP/cil.btf" | sed 's/^\(PASS\|FAIL\|SKIP\): /&layout-section-on-this-kernel: /'
else
	skip corpus-validate/layout-section "no $CIL"
fi
