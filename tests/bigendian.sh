#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Big-endian kernels: two of Debian 13's s390x 6.12 builds, corpus roles
# s390x-old and s390x-new (BTFC_S390A, BTFC_S390B; pinned 6.12.107 and 6.12.111,
# else the nearest the mirror has), their .BTF is
# big-endian, as an s390x kernel takes it), judged and repaired as that kernel
# would, on this little-endian machine:
#  * the vmlinux BTF cut out of each vmlinuz independently (tests/tools/s390-btf.py);
#  * dump byte-identical to bpftool for the base and a sample of modules;
#  * scan of the old build's tree on its own base: every module `match`; the module
#    profile says ok; a big-endian module on a little-endian base (and the other
#    way round) is what the kernel calls it: invalid, in the other byte order;
#  * relocate the whole old tree onto the new build's base (--match kernel):
#    relocated and refused exactly where libbpf 1.5 is, every .BTF byte-identical
#    to libbpf's; relocated modules validate ok on the new base and scan finds them
#    matching; .BTF_ids slots (big-endian) name the same functions, sets sorted;
#  * distill the tree: .BTF and .BTF.base byte-identical to libbpf's btf__distill_base;
#  * stamp: every field big-endian as docs/stamp.md says (vector 4), check by stamp;
#    strip: the BTF sections gone, the module still ELF;
#  * diff of the two bases equals diff of their little-endian copies;
#  * mixed byte orders (module vs base, base vs base) refused: exit 2, one line;
#  * stamp vector 3 of docs/stamp.md (the smallest base, big-endian), byte for byte.
# Data: scripts/corpus.sh (FAIL naming the package when Debian's mirror has no
# pair of s390x builds). The bases are
# the BTF cut out of each vmlinuz by the test tool (our reader of s390's
# vmlinuz format is another change's).
#   tests/bigendian.sh BTFCOMPAT
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
TMP=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d); trap 'chmod -R u+w "$TMP"; rm -rf "$TMP"' EXIT # tmpfs: the whole-tree rewrites fsync every module
corpus_env
need_kernels bigendian BTFC_S390A BTFC_S390B BTFC_K612B || exit 0
V1=$BTFC_S390A V2=$BTFC_S390B
R1=$(kroot "$V1") && R2=$(kroot "$V2") && [ -f "$R1/boot/vmlinuz-$V1" ] && [ -f "$R2/boot/vmlinuz-$V2" ] ||
	{ fail bigendian "Debian s390x kernels $V1 and $V2: no vmlinuz in the corpus"; exit 0; }
command -v zstd >/dev/null || { skip bigendian "zstd not installed (cuts the base out of the vmlinuz)"; exit 0; }
Z1=$R1/boot/vmlinuz-$V1 Z2=$R2/boot/vmlinuz-$V2
M1=$(dirname "$(find "$R1" -name "modules.order" -path "*/$V1/*" | head -n 1)")
python3 "$TOP/tests/tools/s390-btf.py" "$Z1" "$TMP/b1.btf" && python3 "$TOP/tests/tools/s390-btf.py" "$Z2" "$TMP/b2.btf" &&
	[ "$(head -c 2 "$TMP/b1.btf" | od -An -tx1 | tr -d ' ')" = eb9f ] &&
	pass "be/base-cut-out ($(python3 "$TOP/tests/tools/btf_sections.py" --count "$TMP/b1.btf") and $(python3 "$TOP/tests/tools/btf_sections.py" --count "$TMP/b2.btf") types, big-endian)" ||
	{ fail be/base-cut-out "no big-endian BTF in $Z1 or $Z2"; exit 0; }
sec() { python3 "$TOP/tests/tools/btf_sections.py" --section "$2" "$1" "$3"; }

# plain copies of the old build's tree (libbpf and bpftool read plain ELF)
cp -a "$M1/kernel" "$TMP/plain"
find "$TMP/plain" -name '*.ko.xz' -print0 | xargs -0 -n 200 xz -d
find "$TMP/plain" -name '*.ko' | sort > "$TMP/mods"
N=$(wc -l < "$TMP/mods")

# ---- read: dump as bpftool ----
if command -v bpftool >/dev/null; then
	bad=
	bpftool btf dump file "$TMP/b1.btf" > "$TMP/d.exp" 2>&1
	"$BIN" dump "$TMP/b1.btf" > "$TMP/d.got" 2>&1
	cmp -s "$TMP/d.exp" "$TMP/d.got" || bad="vmlinux"
	n=0
	for f in $(awk 'NR % 100 == 1' "$TMP/mods"); do
		bpftool -B "$TMP/b1.btf" btf dump file "$f" > "$TMP/d.exp" 2>&1
		"$BIN" dump -B "$TMP/b1.btf" "$f" > "$TMP/d.got" 2>&1
		cmp -s "$TMP/d.exp" "$TMP/d.got" && n=$((n + 1)) || bad="$bad $(basename "$f")"
	done
	[ -z "$bad" ] && pass "be/dump-as-bpftool (vmlinux and $n modules)" || fail be/dump-as-bpftool "differ: $bad"
else
	skip be/dump-as-bpftool "bpftool not installed"
fi

# ---- judge: the own tree on its own base ----
"$BIN" -j scan -B "$TMP/b1.btf" "$M1" > "$TMP/scan.json"; rc=$?
nm=$(python3 -c 'import json, sys; print(sum(m["outcome"] == "match" for m in json.load(open(sys.argv[1]))["modules"]))' "$TMP/scan.json")
[ $rc = 0 ] && [ "$nm" = "$N" ] && pass "be/scan-own-tree ($nm of $N match)" || fail be/scan-own-tree "rc=$rc match=$nm of $N"
xargs -a "$TMP/mods" -n 300 "$BIN" validate -B "$TMP/b1.btf" > "$TMP/val" 2>&1
nok=$(grep -c ': ok (module profile)' "$TMP/val")
[ "$nok" = "$N" ] && pass "be/validate-module-profile ($nok ok)" || fail be/validate-module-profile "$nok of $N: $(grep -v ': ok' "$TMP/val" | head -n 2)"
"$BIN" validate "$TMP/b1.btf" | grep -q ': ok (bpf profile)' && pass be/validate-base-own-order || fail be/validate-base-own-order "$("$BIN" validate "$TMP/b1.btf")"
# what this machine's bpf() says of big-endian BTF: rejected; ours with --target-endian host
out=$("$BIN" validate --target-endian host "$TMP/b1.btf" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'btf_header not found' && echo "$out" | grep -q 'other byte order (big-endian; the kernel is little-endian)' &&
	pass be/validate-on-little-endian-host || fail be/validate-on-little-endian-host "rc=$rc $out"
# the other byte order is what the kernel calls it: a little-endian base, a big-endian module
K=$(kroot "$BTFC_K612B")
AK=$(grep '/af_key.ko$' "$TMP/mods")
if [ -n "$K" ]; then
	out=$("$BIN" check -B "$K/boot/vmlinuz-$BTFC_K612B" "$AK" 2>&1); rc=$?
	[ $rc = 1 ] && echo "$out" | grep -q 'invalid' && echo "$out" | grep -q 'other byte order (big-endian; the kernel is little-endian)' &&
		pass be/big-endian-module-on-little-endian-kernel || fail be/big-endian-module-on-little-endian-kernel "rc=$rc $out"
	LK=$(find "$K" -name 'af_key.ko*' | head -n 1)
	out=$("$BIN" check -B "$TMP/b1.btf" "$LK" 2>&1); rc=$?
	[ $rc = 1 ] && echo "$out" | grep -q 'invalid' && echo "$out" | grep -q 'other byte order (little-endian; the kernel is big-endian)' &&
		pass be/little-endian-module-on-big-endian-kernel || fail be/little-endian-module-on-big-endian-kernel "rc=$rc $out"
else
	fail be/other-byte-order "corpus: cannot fetch $BTFC_K612B"
fi

# ---- relocate onto the other big-endian kernel, against libbpf 1.5 ----
LIBBPF=$(bash "$TOP/tests/oracle/build-libbpf-reloc.sh" "$TOP/build-oracle" 2>"$TMP/oracle.log") || LIBBPF=
cp -a "$TMP/plain" "$TMP/rel"
"$BIN" -j relocate --match kernel --unsign --from "$TMP/b1.btf" --to "$TMP/b2.btf" "$TMP/rel" > "$TMP/rel.json"; rc=$?
python3 - "$TMP/rel.json" > "$TMP/rel.tsv" <<'PY'
import json, os, sys
for x in json.load(open(sys.argv[1])):
    print("%s\t%s\t%s" % (os.path.basename(x["file"])[:-3], x["result"], x["reason"]))
PY
nrel=$(awk -F'\t' '$2 == "relocated"' "$TMP/rel.tsv" | wc -l)
# most of a tree relocates between two builds of one stable series; libbpf says which, below
[ "$nrel" -gt $((N / 2)) ] && pass "be/relocate-onto-$V2 ($nrel of $N relocated, rc=$rc)" || fail be/relocate "rc=$rc relocated=$nrel"
if [ -n "$LIBBPF" ]; then
	mkdir -p "$TMP/lb"
	xargs -a "$TMP/mods" "$LIBBPF" relocate "$TMP/b1.btf" "$TMP/b2.btf" "$TMP/lb" > "$TMP/lb.tsv"
	diff <(awk -F'\t' '{ print $1 "\t" ($2 == "ok" ? "relocated" : "refused") }' "$TMP/lb.tsv" | sort) \
		<(cut -f1,2 "$TMP/rel.tsv" | sort) > "$TMP/v.diff" &&
		pass "be/relocate-same-verdicts-as-libbpf ($(grep -c '	ok' "$TMP/lb.tsv") ok, $(grep -c '	fail' "$TMP/lb.tsv") refused)" ||
		fail be/relocate-same-verdicts-as-libbpf "$(head -n 4 "$TMP/v.diff" | tr '\n' '|')"
	diff <(awk -F'\t' '$2 == "fail" { print $1 "\t" $3 }' "$TMP/lb.tsv" | sed 's/ | .*//' | sort) \
		<(awk -F'\t' '$2 == "refused" { print $1 "\t" $3 }' "$TMP/rel.tsv" | sort) > "$TMP/m.diff" &&
		pass be/relocate-refusal-messages-as-libbpf || fail be/relocate-refusal-messages-as-libbpf "$(head -n 4 "$TMP/m.diff" | tr '\n' '|')"
	find "$TMP/rel" -name '*.ko' | sort | while read -r f; do m=$(basename "$f" .ko)
		grep -q "^$m	relocated" "$TMP/rel.tsv" && printf '%s\t.BTF\t%s\n' "$f" "$TMP/lb/$m.btf"; done > "$TMP/cmp.lst"
	python3 "$TOP/tests/tools/btf_sections.py" --cmp "$TMP/cmp.lst" > "$TMP/cmp.out"
	[ "$(wc -l < "$TMP/cmp.out")" = 1 ] && [ "$(cut -d' ' -f1 "$TMP/cmp.out")" = "$nrel" ] &&
		pass "be/relocate-byte-identical-to-libbpf ($(cat "$TMP/cmp.out"))" ||
		fail be/relocate-byte-identical-to-libbpf "differ: $(head -n 3 "$TMP/cmp.out" | tr '\n' ' ')"
else
	skip be/libbpf-oracle "libbpf 1.5 oracle not built: $(tail -n 1 "$TMP/oracle.log")"
fi
awk -F'\t' '$2 == "relocated" { print $1 }' "$TMP/rel.tsv" | sort > "$TMP/relocated"
find "$TMP/rel" -name '*.ko' | sort | while read -r f; do
	grep -qx "$(basename "$f" .ko)" "$TMP/relocated" && echo "$f"; done > "$TMP/relfiles"
xargs -a "$TMP/relfiles" -n 300 "$BIN" validate -B "$TMP/b2.btf" > "$TMP/rval" 2>&1
nok=$(grep -c ': ok (module profile)' "$TMP/rval")
[ "$nok" = "$nrel" ] && pass "be/relocated-validate-ok-on-$V2 ($nok)" || fail be/relocated-validate-ok "$nok of $nrel"
"$BIN" -j scan -B "$TMP/b2.btf" "$TMP/rel" > "$TMP/rscan.json"
python3 - "$TMP/rscan.json" "$TMP/relocated" <<'PY' && pass be/scan-finds-relocated-matching || fail be/scan-finds-relocated-matching "$(cat "$TMP/rscan.err" 2>/dev/null)"
import json, os, sys
rel = set(open(sys.argv[2]).read().split())
bad = [m["file"] for m in json.load(open(sys.argv[1]))["modules"]
       if (os.path.basename(m["file"])[:-3] in rel) != (m["outcome"] == "match")]
sys.exit(1 if bad else 0)
PY
# .BTF_ids of big-endian modules: every slot names the same function, sets sorted
for m in tcp_bbr nf_conntrack; do
	f=$(find "$TMP/rel" -name "$m.ko")
	grep -qx "$m" "$TMP/relocated" || { fail "be/btf-ids-$m" "not relocated"; continue; }
	btf_ids_case "be/btf-ids-$m" "$f" "$TMP/b2.btf" ">"
done

# ---- distill the tree on its own base, against libbpf ----
cp -a "$TMP/plain" "$TMP/dist"
"$BIN" -j distill --unsign --base "$TMP/b1.btf" "$TMP/dist" > "$TMP/dist.json"; rc=$?
nd=$(grep -o '"result":"distilled"' "$TMP/dist.json" | wc -l)
[ $rc = 0 ] && [ "$nd" = "$N" ] && pass "be/distill-whole-tree ($nd)" || fail be/distill-whole-tree "rc=$rc distilled=$nd"
if [ -n "$LIBBPF" ]; then
	mkdir -p "$TMP/lbd"
	xargs -a "$TMP/mods" "$LIBBPF" distill "$TMP/b1.btf" "$TMP/lbd" > /dev/null
	find "$TMP/dist" -name '*.ko' | sort | while read -r f; do m=$(basename "$f" .ko)
		printf '%s\t.BTF\t%s\n%s\t.BTF.base\t%s\n' "$f" "$TMP/lbd/$m.btf" "$f" "$TMP/lbd/$m.base.btf"; done > "$TMP/dcmp.lst"
	python3 "$TOP/tests/tools/btf_sections.py" --cmp "$TMP/dcmp.lst" > "$TMP/dcmp.out"
	[ "$(wc -l < "$TMP/dcmp.out")" = 1 ] && [ "$(cut -d' ' -f1 "$TMP/dcmp.out")" = $((2 * N)) ] &&
		pass "be/distill-byte-identical-to-libbpf ($(cat "$TMP/dcmp.out") sections, .BTF and .BTF.base)" ||
		fail be/distill-byte-identical-to-libbpf "differ: $(head -n 3 "$TMP/dcmp.out" | tr '\n' ' ')"
fi
"$BIN" -j scan -B "$TMP/b2.btf" "$TMP/dist" > "$TMP/dscan.json"
python3 - "$TMP/dscan.json" "$TMP/rel.tsv" <<'PY' && pass "be/distilled-check-as-the-kernel-relocates" || fail be/distilled-check-as-the-kernel-relocates "method or verdicts differ"
import json, os, sys
verdict = {l.split("\t")[0]: l.split("\t")[1] for l in open(sys.argv[2]).read().splitlines()}
bad = [m["file"] for m in json.load(open(sys.argv[1]))["modules"]
       if m["method"] != "distilled" or (m["outcome"] == "match") != (verdict[os.path.basename(m["file"])[:-3]] == "relocated")]
sys.exit(1 if bad else 0)
PY

# ---- stamp: big-endian fields (docs/stamp.md), computed here from the base as stored ----
cp "$AK" "$TMP/ak.ko"
"$BIN" stamp --unsign -B "$TMP/b1.btf" "$TMP/ak.ko" > /dev/null && sec "$TMP/ak.ko" .BTF.base_checksum "$TMP/st.bin" &&
python3 - "$TMP/st.bin" "$TMP/b1.btf" "$(python3 "$TOP/tests/tools/btf_sections.py" --count "$TMP/b1.btf")" <<'PY' && pass "be/stamp-fields-big-endian" || fail be/stamp-fields-big-endian "$(od -An -tx1 "$TMP/st.bin" | head -n 2 | tr -d '\n')"
import hashlib, struct, sys
st, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
_, _, _, hl, to, tl, so, sl = struct.unpack_from(">HBBIIIII", b, 0)
t, s = b[hl + to:hl + to + tl], b[hl + so:hl + so + sl]
want = b"\xeb\x9f\x01\x01" + struct.pack(">III", 16, int(sys.argv[3]), sl) + hashlib.sha256(t + s).digest()
sys.exit(0 if st == want else 1)
PY
out=$("$BIN" check -B "$TMP/b1.btf" "$TMP/ak.ko"); echo "$out" | grep -q 'match (stamp, certain)' &&
	out=$("$BIN" check -B "$TMP/b2.btf" "$TMP/ak.ko"); echo "$out" | grep -q 'mismatch (stamp, certain)' &&
	pass be/stamp-checked || fail be/stamp-checked "$out"
"$BIN" strip --unsign "$TMP/ak.ko" > /dev/null && ! readelf -SW "$TMP/ak.ko" | grep -q '\.BTF[ .]' &&
	readelf -sW "$TMP/ak.ko" | grep -q ' pfkey_' && "$BIN" check -B "$TMP/b1.btf" "$TMP/ak.ko" | grep -q 'no-btf' &&
	pass be/strip || fail be/strip "sections left or module damaged"
# ---- diff: the same findings as on little-endian copies (tests/tools/btfswap.py) ----
python3 "$TOP/tests/tools/btfswap.py" "$TMP/b1.btf" "$TMP/le1.btf" && python3 "$TOP/tests/tools/btfswap.py" "$TMP/b2.btf" "$TMP/le2.btf"
"$BIN" diff "$TMP/b1.btf" "$TMP/b2.btf" > "$TMP/diff.be" 2>&1
"$BIN" diff "$TMP/le1.btf" "$TMP/le2.btf" > "$TMP/diff.le" 2>&1
[ -s "$TMP/diff.be" ] && cmp -s "$TMP/diff.be" "$TMP/diff.le" && pass "be/diff-as-on-little-endian-copies ($(tail -n 1 "$TMP/diff.be"))" ||
	fail be/diff-as-on-little-endian-copies "$(diff "$TMP/diff.be" "$TMP/diff.le" | head -n 3 | tr '\n' '|')"

# ---- mixed byte orders: no kernel takes them; refused with exit 2 and one line naming the file ----
mixed() { # NAME NEEDLE ARGS...
	local name=$1 needle=$2 rc
	shift 2
	"$BIN" "$@" > "$TMP/mx.out" 2> "$TMP/mx.err"; rc=$?
	[ $rc = 2 ] && [ "$(wc -l < "$TMP/mx.err")" = 1 ] && grep -qF -- "$needle" "$TMP/mx.err" && grep -q 'endian' "$TMP/mx.err" &&
		[ ! -e "$TMP/mx.ko" ] && pass "be/mixed/$name" || fail "be/mixed/$name" "rc=$rc $(cat "$TMP/mx.err")"
}
mixed relocate-bases-of-two-orders le2.btf relocate --force --unsign --from "$TMP/b1.btf" --to "$TMP/le2.btf" "$AK" -o "$TMP/mx.ko"
mixed relocate-big-endian-module-on-little-endian-from "$AK" relocate --force --unsign --from "$TMP/le1.btf" --to "$TMP/le2.btf" "$AK" -o "$TMP/mx.ko"
mixed distill-big-endian-module-on-little-endian-base "$AK" distill --force --unsign --base "$TMP/le1.btf" "$AK" -o "$TMP/mx.ko"

# ---- stamp vector 3 (docs/stamp.md): the smallest base stored big-endian; expected bytes from the doc ----
printf 'eb9f010000000018000000000000001000000010000000050000000101000000000000040100002000696e7400' | unhex > "$TMP/small.btf"
cp "$AK" "$TMP/ak3.ko"
"$BIN" stamp --force --unsign -B "$TMP/small.btf" "$TMP/ak3.ko" > /dev/null 2>&1 && sec "$TMP/ak3.ko" .BTF.base_checksum "$TMP/st3.bin" &&
	[ "$(od -An -tx1 "$TMP/st3.bin" | tr -d ' \n')" = eb9f01010000001000000001000000050687ced93b63c13d9c13ca7777fe512902b1bcdf9d9f6105af5046f5f122007a ] &&
	pass be/stamp-vector-3 || fail be/stamp-vector-3 "$(od -An -tx1 "$TMP/st3.bin" 2>/dev/null | tr -d ' \n')"
exit 0
