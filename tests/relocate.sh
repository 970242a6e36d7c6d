#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# relocate / distill / strip on real Debian kernels, against libbpf 1.5
# (btf__distill_base + btf__relocate, built from linux-source-6.12 as a test
# oracle) and this machine's kernel (BPF_BTF_LOAD of the flattened result):
#  * the whole tree of Debian 6.1's older cloud build onto the newer's base (corpus
#    roles x86-61-old/-new: BTFC_K61A/B; -54 and -55 below), --match kernel: relocated
#    and refused exactly where libbpf is, every relocated .BTF byte-identical
#    to libbpf's, every refusal names the type and what changed;
#  * --match layout: relocates the modules whose base types kept their
#    layout, refuses the others naming every changed type (as bpftool's dumps differ);
#  * every relocated module validates ok on -55 (ours; kernel on a sample)
#    and `scan` finds it matching;
#  * distill: byte-identical to libbpf's btf__distill_base for every module;
#    libbpf relocates our .BTF.base; we relocate it identically;
#  * .BTF_ids slots renumbered to the same functions, sets sorted;
#  * strip: BTF sections gone, relocations and symbols intact;
#  * bad input: exit 2, message naming the file, original untouched.
#   tests/relocate.sh BTFCOMPAT
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
TMP=$(mktemp -d); trap 'chmod -R u+w "$TMP"; rm -rf "$TMP"' EXIT
corpus_env
need_kernels relocate BTFC_K61A BTFC_K61B || exit 0
K54=$(kroot "$BTFC_K61A") && K55=$(kroot "$BTFC_K61B") || { fail relocate "corpus: cannot fetch"; exit 0; }
V54=$K54/boot/vmlinuz-$BTFC_K61A V55=$K55/boot/vmlinuz-$BTFC_K61B
M54=$K54/lib/modules/$BTFC_K61A/kernel
raw_base "$V54" "$TMP/54.btf" && raw_base "$V55" "$TMP/55.btf" # cut out independently of our reader
LIBBPF=$(bash "$TOP/tests/oracle/build-libbpf-reloc.sh" "$TOP/build-oracle" 2>"$TMP/oracle.log") || LIBBPF=
find "$M54" -name '*.ko' | sort > "$TMP/mods"
N=$(wc -l < "$TMP/mods")

# section NAME of a plain 64-bit little-endian .ko, read without btfcompat
sec() { python3 "$TOP/tests/tools/btf_sections.py" --section "$2" "$1" "$3"; }

# ---- relocate, --match kernel, whole tree ----
cp -a "$M54" "$TMP/kern"
"$BIN" -j relocate --match kernel --unsign --from "$V54" --to "$V55" "$TMP/kern" > "$TMP/kern.json"; rc=$?
python3 - "$TMP/kern.json" > "$TMP/kern.tsv" <<'PY'
import json, os, sys
for x in json.load(open(sys.argv[1])):
    fatal = ";".join("%s: %s" % (i["type"], i["what"][:60]) for i in x["issues"] if i["fatal"])
    print("%s\t%s\t%s\t%s\t%d" % (os.path.basename(x["file"])[:-3], x["result"], x["reason"], fatal, x["changed"]))
PY
nrel=$(awk -F'\t' '$2 == "relocated"' "$TMP/kern.tsv" | wc -l)
# most of a tree relocates between two builds of one stable series; libbpf says which, below
[ "$rc" = 1 ] && [ "$nrel" -gt $((N / 2)) ] && pass "relocate/kernel-mode: $nrel of $N relocated onto $BTFC_K61B" ||
	fail relocate/kernel-mode "rc=$rc relocated=$nrel"
# every refusal names a distilled type and its change
bad=$(awk -F'\t' '$2 == "refused" && ($3 !~ /distilled base BTF type/ || $4 !~ /size [0-9]+ -> [0-9]+/)' "$TMP/kern.tsv")
[ -z "$bad" ] && pass "relocate/refusals-name-the-changed-type ($(awk -F'\t' '$2 == "refused"' "$TMP/kern.tsv" | wc -l))" ||
	fail relocate/refusals-name-the-changed-type "$(echo "$bad" | head -n 2)"

if [ -n "$LIBBPF" ]; then
	mkdir -p "$TMP/lb"
	xargs -a "$TMP/mods" "$LIBBPF" relocate "$TMP/54.btf" "$TMP/55.btf" "$TMP/lb" > "$TMP/lb.tsv"
	diff <(awk -F'\t' '{ print $1 "\t" ($2 == "ok" ? "relocated" : "refused") }' "$TMP/lb.tsv" | sort) \
		<(cut -f1,2 "$TMP/kern.tsv" | sort) > "$TMP/lbv.diff" &&
		pass "relocate/same-verdicts-as-libbpf ($(grep -c "	ok" "$TMP/lb.tsv") ok)" ||
		fail relocate/same-verdicts-as-libbpf "$(head -n 4 "$TMP/lbv.diff" | tr '\n' '|')"
	# the kernel's message for each refusal is libbpf's
	diff <(awk -F'\t' '$2 == "fail" { print $1 "\t" $3 }' "$TMP/lb.tsv" | sed 's/ | .*//' | sort) \
		<(awk -F'\t' '$2 == "refused" { print $1 "\t" $3 }' "$TMP/kern.tsv" | sort) > "$TMP/lbm.diff" &&
		pass relocate/refusal-messages-as-libbpf || fail relocate/refusal-messages-as-libbpf "$(head -n 4 "$TMP/lbm.diff" | tr '\n' '|')"
	find "$TMP/kern" -name '*.ko' | sort | while read -r f; do m=$(basename "$f" .ko)
		grep -q "^$m	relocated" "$TMP/kern.tsv" && printf '%s\t.BTF\t%s\n' "$f" "$TMP/lb/$m.btf"; done > "$TMP/cmp.lst"
	python3 "$TOP/tests/tools/btf_sections.py" --cmp "$TMP/cmp.lst" > "$TMP/cmp.out"
	[ "$(wc -l < "$TMP/cmp.out")" = 1 ] && pass "relocate/byte-identical-to-libbpf ($(cat "$TMP/cmp.out"))" ||
		fail relocate/byte-identical-to-libbpf "differ: $(head -n 3 "$TMP/cmp.out" | tr '\n' ' ')"
else
	skip relocate/libbpf-oracle "libbpf 1.5 oracle not built: $(tail -n 1 "$TMP/oracle.log")"
fi

# relocated modules: ours says ok (both profiles), the kernel agrees on a sample, scan finds them matching
awk -F'\t' '$2 == "relocated" { print $1 }' "$TMP/kern.tsv" | sort > "$TMP/relocated"
find "$TMP/kern" -name '*.ko' | sort | while read -r f; do
	grep -qx "$(basename "$f" .ko)" "$TMP/relocated" && echo "$f"; done > "$TMP/relfiles"
for prof in bpf module; do
	xargs -a "$TMP/relfiles" -n 200 "$BIN" validate --profile $prof -B "$V55" > "$TMP/val.$prof" 2>&1
	nok=$(grep -c ": ok (" "$TMP/val.$prof")
	[ "$nok" = "$(wc -l < "$TMP/relfiles")" ] && pass "relocate/validate-ok-$prof ($nok)" ||
		fail "relocate/validate-ok-$prof" "$nok ok of $(wc -l < "$TMP/relfiles"): $(grep -v ': ok (' "$TMP/val.$prof" | head -n 2)"
done
ORACLE=$(dirname "$BIN")/tests/validate_oracle
if [ -x "$ORACLE" ]; then # each PASS: the kernel's verdict equals ours, which is ok for all
	awk 'NR % 6 == 1' "$TMP/relfiles" | xargs "$ORACLE" -x -B "$V55" | sed 's/^\(PASS\|FAIL\|SKIP\): /&relocate\/kernel-loads-relocated: /'
fi
"$BIN" -j scan -B "$V55" "$TMP/kern" > "$TMP/scan.json"
python3 - "$TMP/scan.json" "$TMP/relocated" "$TMP/scan.err" <<'PY' && pass relocate/scan-finds-relocated-matching || fail relocate/scan-finds-relocated-matching "$(cat "$TMP/scan.err")"
import json, os, sys
rel = set(open(sys.argv[2]).read().split())
bad = [m["file"] for m in json.load(open(sys.argv[1]))["modules"]
       if (os.path.basename(m["file"])[:-3] in rel) != (m["outcome"] == "match")]
open(sys.argv[3], "w").write(" ".join(bad[:5]))
sys.exit(1 if bad else 0)
PY

# ---- --match layout (the default): refuses every module whose base types changed ----
cp -a "$M54" "$TMP/lay"
"$BIN" -j relocate --unsign --from "$V54" --to "$V55" "$TMP/lay" > "$TMP/lay.json"
python3 - "$TMP/lay.json" "$TMP/kern.json" <<'PY' > "$TMP/lay.out"
import json, os, sys
lay = {os.path.basename(x["file"]): x for x in json.load(open(sys.argv[1]))}
ker = {os.path.basename(x["file"]): x for x in json.load(open(sys.argv[2]))}
clean = sum(1 for x in lay.values() if x["result"] == "relocated")
wrong = [m for m, x in lay.items()
         if (x["result"] == "relocated") != (ker[m]["result"] == "relocated" and ker[m]["changed"] == 0)
         or (x["result"] == "refused" and not any(i["fatal"] for i in x["issues"]))]
print(clean, len(lay) - clean, " ".join(wrong[:5]))
PY
read -r clean refused wrong < "$TMP/lay.out"
[ -z "$wrong" ] && [ "$clean" -gt 0 ] && [ "$refused" -gt 0 ] &&
	pass "relocate/layout-mode: $clean relocated cleanly, $refused refused (a used base type changed), named" ||
	fail relocate/layout-mode "clean=$clean refused=$refused wrong: $wrong"
# one refusal (af_key's, else the first module's refused above): every struct it names as changed
# differs between bpftool's dumps of the two bases, and no file is written
bpftool btf dump file "$TMP/54.btf" > "$TMP/54.txt"; bpftool btf dump file "$TMP/55.btf" > "$TMP/55.txt"
rm_=$(python3 -c 'import json, sys; r = [x["file"] for x in json.load(open(sys.argv[1])) if x["result"] == "refused"]
print(next((f for f in r if f.endswith("/af_key.ko")), r[0] if r else ""))' "$TMP/lay.json")
rm_=$M54/${rm_#"$TMP/lay/"}
out=$("$BIN" relocate --unsign --from "$V54" --to "$V55" "$rm_" -o "$TMP/ak.ko" 2>&1); rc=$?
python3 - "$TMP/54.txt" "$TMP/55.txt" "$out" <<'PY' && [ $rc = 1 ] && [ ! -e "$TMP/ak.ko" ] &&
import re, sys
def structs(path):
    out, cur = {}, None
    for line in open(path):
        if line.startswith("["):
            m = re.match(r"\[\d+\] STRUCT '([^']+)' (size=\d+)", line)
            cur = m.group(1) if m else None
            if cur:
                out.setdefault(cur, []).append([m.group(2)])
        elif cur:
            out[cur][-1].append(re.sub(r"type_id=\d+ ", "", line.strip()))
    return out
old, new = structs(sys.argv[1]), structs(sys.argv[2])
named = re.findall(r"^ *! struct ([^:]+): ", sys.argv[3], re.M)
sys.exit(0 if named and all(old.get(n) != new.get(n) for n in named) else 1)
PY
	pass "relocate/layout-refusal-names-changed-structs ($(basename "$rm_"): $(echo "$out" | grep -c '^ *! struct') as bpftool's dumps differ)" ||
	fail relocate/layout-refusal-names-changed-structs "$(basename "$rm_") rc=$rc $out"
# one line per changed type (counts); with -v every member by name
outv=$("$BIN" relocate -v --unsign --from "$V54" --to "$V55" "$rm_" -o "$TMP/ak.ko" 2>&1); rcv=$?
[ $rcv = 1 ] && [ ! -e "$TMP/ak.ko" ] && echo "$out" | grep -qE '^ *! struct [^:]+: .*(moved|added|removed|size)' &&
	! echo "$out" | grep -q "member '" && echo "$outv" | grep -q "member '" &&
	pass relocate/layout-refusal-summary-and-v-list || fail relocate/layout-refusal-summary-and-v-list "rc=$rcv $out"

# ---- .BTF_ids: every slot names the same function after relocation, sets stay sorted ----
for m in tcp_bbr nf_conntrack; do
	btf_ids_case "relocate/btf-ids-$m" "$(find "$TMP/kern" -name "$m.ko")" "$TMP/55.btf" "<"
done

# ---- distill (whole old tree on its own base) ----
cp -a "$M54" "$TMP/dist"
"$BIN" -j distill --unsign --base "$V54" "$TMP/dist" > "$TMP/dist.json"; rc=$?
nd=$(grep -o '"result":"distilled"' "$TMP/dist.json" | wc -l)
[ $rc = 0 ] && [ "$nd" = "$N" ] && pass "distill/whole-tree ($nd)" || fail distill/whole-tree "rc=$rc distilled=$nd"
find "$TMP/dist" -name '*.ko' | sort > "$TMP/dmods"
if [ -n "$LIBBPF" ]; then
	mkdir -p "$TMP/lbd" "$TMP/lbr"
	xargs -a "$TMP/mods" "$LIBBPF" distill "$TMP/54.btf" "$TMP/lbd" > /dev/null
	while read -r f; do m=$(basename "$f" .ko)
		printf '%s\t.BTF\t%s\n%s\t.BTF.base\t%s\n' "$f" "$TMP/lbd/$m.btf" "$f" "$TMP/lbd/$m.base.btf"; done < "$TMP/dmods" > "$TMP/cmp.lst"
	python3 "$TOP/tests/tools/btf_sections.py" --cmp "$TMP/cmp.lst" > "$TMP/cmp.out"
	[ "$(wc -l < "$TMP/cmp.out")" = 1 ] && pass "distill/byte-identical-to-libbpf ($(cat "$TMP/cmp.out") sections, .BTF and .BTF.base)" ||
		fail distill/byte-identical-to-libbpf "differ: $(head -n 3 "$TMP/cmp.out" | tr '\n' ' ')"
	# libbpf's btf__relocate takes our .BTF.base, and gets what it gets from its own distill
	xargs -a "$TMP/dmods" "$LIBBPF" relocate-distilled "$TMP/55.btf" "$TMP/lbr" > "$TMP/lbr.tsv"
	bad=$(awk -F'\t' '$2 == "ok" { print $1 }' "$TMP/lbr.tsv" | while read -r m; do
		cmp -s "$TMP/lbr/$m.btf" "$TMP/lb/$m.btf" || echo "$m"; done)
	nok=$(awk -F'\t' '$2 == "ok"' "$TMP/lbr.tsv" | wc -l)
	[ -z "$bad" ] && [ "$nok" = "$nrel" ] && pass "distill/libbpf-relocates-our-base ($nok, identical to its own)" ||
		fail distill/libbpf-relocates-our-base "ok=$nok bad=$(echo $bad | cut -c1-100)"
fi
# we relocate a distilled module without --from, as the kernel does at load
cp -a "$TMP/dist" "$TMP/dist2"
"$BIN" -j relocate --unsign --to "$V55" "$TMP/dist2" > "$TMP/dr.json"
python3 - "$TMP/dr.json" "$TMP/kern.json" <<'PY' > "$TMP/dr.out"
import json, os, sys
a = {os.path.basename(x["file"]): x["result"] for x in json.load(open(sys.argv[1]))}
b = {os.path.basename(x["file"]): x["result"] for x in json.load(open(sys.argv[2]))}
print(" ".join(m for m in a if a[m] != b[m])[:200])
PY
differ=$(cat "$TMP/dr.out")
find "$TMP/dist2" -name '*.ko' | sort | while read -r f; do m=$(basename "$f" .ko)
	grep -q "^$m	relocated" "$TMP/kern.tsv" && printf '%s\t.BTF\t%s\n' "$f" "$TMP/lb/$m.btf"; done > "$TMP/cmp.lst"
if [ -n "$LIBBPF" ]; then
	python3 "$TOP/tests/tools/btf_sections.py" --cmp "$TMP/cmp.lst" > "$TMP/cmp.out"
	[ -z "$differ" ] && [ "$(wc -l < "$TMP/cmp.out")" = 1 ] &&
		pass "relocate/distilled-module-without-from (verdicts as from the full base; $(cat "$TMP/cmp.out") as libbpf)" ||
		fail relocate/distilled-module-without-from "verdicts differ: $differ; bytes differ: $(head -n 3 "$TMP/cmp.out" | tr '\n' ' ')"
fi
# check knows a distilled module: the kernel's relocation decides, certain
"$BIN" -j scan -B "$TMP/55.btf" "$TMP/dist" > "$TMP/dscan.json"
python3 - "$TMP/dscan.json" "$TMP/kern.tsv" <<'PY' && pass "check/distilled-method-certain ($nrel match, $((N - nrel)) mismatch as the kernel's relocation)" || fail check/distilled-method-certain "$(cat "$TMP/dscan.err" 2>/dev/null)"
import json, os, sys
verdict = {l.split("\t")[0]: l.split("\t")[1] for l in open(sys.argv[2]).read().splitlines()}
bad = [m["file"] for m in json.load(open(sys.argv[1]))["modules"]
       if m["method"] != "distilled" or m["strength"] != "certain"
       or (m["outcome"] == "match") != (verdict[os.path.basename(m["file"])[:-3]] == "relocated")]
sys.exit(1 if bad else 0)
PY
out=$("$BIN" check -B "$V55" "$(find "$TMP/dist" -name af_key.ko)")
echo "$out" | grep -q "mismatch (evidence" && echo "$out" | grep -q "ignored by kernels before 6.11" &&
	pass check/distilled-on-6.1-kernel-is-evidence || fail check/distilled-on-6.1-kernel-is-evidence "$out"

# ---- strip ----
for m in af_key tcp_bbr; do
	f=$(find "$M54" -name "$m.ko"); cp "$f" "$TMP/s.ko"
	out=$("$BIN" strip --unsign "$TMP/s.ko" 2>&1); rc=$?
	relocs() { readelf -rW "$1" | awk '/^Relocation section/ { s = $3 } /^[0-9a-f]+ / { print s, $1, $3, $5 }'; }
	syms() { readelf -sW "$1" | awk '$1 ~ /:$/ { print $2, $4, $5, $8 }'; }
	if [ $rc = 0 ] && ! readelf -SW "$TMP/s.ko" | grep -q ' \.BTF ' && [ "$(relocs "$f")" = "$(relocs "$TMP/s.ko")" ] &&
		[ "$(syms "$f")" = "$(syms "$TMP/s.ko")" ] && "$BIN" check -B "$V54" "$TMP/s.ko" | grep -q no-btf; then
		pass "strip/$m: .BTF gone, relocations and symbols intact, check says no-btf"
	else
		fail "strip/$m" "rc=$rc $out"
	fi
	out=$("$BIN" strip "$TMP/s.ko" 2>&1)
	echo "$out" | grep -q unchanged && pass "strip/$m-twice-unchanged" || fail "strip/$m-twice-unchanged" "$out"
done
cp "$(find "$TMP/dist" -name af_key.ko)" "$TMP/sd.ko"
"$BIN" strip --unsign "$TMP/sd.ko" >/dev/null && ! readelf -SW "$TMP/sd.ko" | grep -q '\.BTF\(\.base\)\? ' &&
	pass strip/distilled-module-both-sections || fail strip/distilled-module-both-sections "$(readelf -SW "$TMP/sd.ko" | grep BTF)"

# ---- bad input: exit 2, the file named, the original untouched ----
ak=$M54/net/key/af_key.ko
cp "$ak" "$TMP/ak.ko"; sum=$(sha256sum < "$TMP/ak.ko")
bad_case() { # NAME EXPECTED-RC PATTERN CMD...
	local name=$1 want=$2 pat=$3 out rc; shift 3
	out=$("$@" 2>&1); rc=$?
	[ "$rc" = "$want" ] && echo "$out" | grep -q -- "$pat" && [ "$(sha256sum < "$TMP/ak.ko")" = "$sum" ] &&
		pass "relocate/bad-input/$name" || fail "relocate/bad-input/$name" "rc=$rc $out"
}
bad_case signed 2 "module is signed: relocating it voids" "$BIN" relocate --from "$V54" --to "$V55" "$TMP/ak.ko"
bad_case no-from 2 "cannot tell which base its BTF was built on" "$BIN" relocate --unsign --no-installed --store "$TMP/no-store" --to "$V55" "$TMP/ak.ko"
bad_case dry-run 0 "would relocate" "$BIN" relocate --dry-run --unsign --match kernel --from "$V54" --to "$V55" "$TMP/ak.ko"
cp "$(find "$TMP/kern" -name af_key.ko)" "$TMP/ak55.ko" # relocated onto -55 (so unsigned): not built on -54
# a module that does not fit: a finding (exit 1), as relocate's refusals
bad_case distill-wrong-base 1 "not built on" "$BIN" distill --base "$V54" "$TMP/ak55.ko"
chmod a-w "$TMP/ak.ko"
bad_case read-only 2 "is read-only" "$BIN" strip "$TMP/ak.ko"
chmod u+w "$TMP/ak.ko"
bad_case bad-match 2 "is not layout or kernel" "$BIN" relocate --match nope --from "$V54" --to "$V55" "$TMP/ak.ko"
bad_case two-with-o 2 "-o takes one module" "$BIN" strip -o "$TMP/o.ko" "$TMP/ak.ko" "$TMP/ak.ko"
head -c 3000 "$ak" > "$TMP/trunc.ko"
bad_case truncated-elf 2 "trunc.ko" "$BIN" relocate --unsign --match kernel --from "$V54" --to "$V55" "$TMP/trunc.ko"
bad_case base-is-module 2 "not a vmlinux BTF\|split" "$BIN" relocate --unsign --from "$V54" --to "$ak" "$TMP/ak.ko"
exit 0
