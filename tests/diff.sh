#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# diff on real kernels: a base against itself and against a copy with permuted
# ids is empty; Debian 6.1's two cloud builds (corpus roles x86-61-old/-new,
# BTFC_K61A/B): ten reported layout changes and ten unchanged structs are checked
# against bpftool's dumps of both, and so is every member af_key's changed base
# structs lose or gain; a hand-made change is reported exactly.
#   tests/diff.sh BTFCOMPAT
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
corpus_env
need_kernels diff BTFC_K61A BTFC_K61B || exit 0
K54=$(kroot "$BTFC_K61A") && K55=$(kroot "$BTFC_K61B") || { fail diff "corpus: cannot fetch"; exit 0; }
V54=$K54/boot/vmlinuz-$BTFC_K61A V55=$K55/boot/vmlinuz-$BTFC_K61B
# raw BTF of both, cut out independently of btfcompat's reader
raw_base "$V54" "$TMP/54.btf" && raw_base "$V55" "$TMP/55.btf"

out=$("$BIN" diff "$V54" "$TMP/54.btf" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^0 added, 0 removed, 0 changed' && pass diff/self-empty || fail diff/self-empty "rc=$rc $out"
python3 "$TOP/tests/tools/shuffle_btf.py" "$TMP/54.btf" "$TMP/54s.btf" 7
out=$("$BIN" diff "$TMP/54.btf" "$TMP/54s.btf" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^0 added, 0 removed, 0 changed' && pass diff/permuted-ids-empty ||
	fail diff/permuted-ids-empty "rc=$rc $out"

"$BIN" -j diff --kind struct "$V54" "$V55" > "$TMP/d.json"; rc=$?
[ $rc = 1 ] && pass diff/old-vs-new-differs || fail diff/old-vs-new-differs "rc=$rc"
bpftool btf dump file "$TMP/54.btf" > "$TMP/54.txt"
bpftool btf dump file "$TMP/55.btf" > "$TMP/55.txt"
python3 - "$TMP/d.json" "$TMP/54.txt" "$TMP/55.txt" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
def structs(path):
    out, cur = {}, None
    for line in open(path):
        m = re.match(r"\[\d+\] STRUCT '([^']*)' size=(\d+) vlen=\d+", line)
        if m:
            cur = m.group(1)
            out.setdefault(cur, []).append([int(m.group(2)), []])
        elif line.startswith("\t'") and cur is not None and out.get(cur):
            mm = re.match(r"\t'([^']*)' type_id=\d+ bits_offset=(\d+)", line)
            if mm:
                out[cur][-1][1].append((mm.group(1), int(mm.group(2))))
        else:
            cur = None
    return out
old, new = structs(sys.argv[2]), structs(sys.argv[3])
changed = [t for t in d["types"] if t["change"] == "changed" and t["name"] in old and len(old[t["name"]]) == 1
           and len(new.get(t["name"], [])) == 1]
sized = [t for t in changed if t["what"].startswith("size ")][:10]
bad = 0
for t in sized:
    a, b = map(int, re.match(r"size (\d+) -> (\d+)", t["what"]).groups())
    ok = old[t["name"]][0][0] == a and new[t["name"]][0][0] == b
    bad += not ok
    print(("PASS" if ok else "FAIL") + ": diff/spot-check/%s: btfcompat says %s" % (t["name"], t["what"][:80]))
reported = {t["name"] for t in d["types"]}
same = [n for n in sorted(old) if n not in reported and n in new and len(old[n]) == 1 and len(new[n]) == 1][:: 500][:10]
for n in same:
    ok = old[n][0] == new[n][0]
    print(("PASS" if ok else "FAIL") + ": diff/spot-check-unchanged/%s" % n)
if len(sized) < 10 or len(same) < 10:
    print("FAIL: diff/spot-check: only %d changed and %d unchanged structs to check" % (len(sized), len(same)))
PY

# a hand-made change: one struct grows by 8 bytes and gets a member renamed
python3 - "$TMP/54.btf" "$TMP/54m.btf" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
_, _, _, hl, to, tl, so, sl = struct.unpack_from("<HBBIIIII", b, 0)
strs = bytes(b[hl + so:hl + so + sl])
EXTRA = {1: 4, 3: 12, 14: 4, 17: 4}; PER = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}
off = 0
while off < tl:
    p = hl + to + off
    name, info, size = struct.unpack_from("<III", b, p)
    k, v = (info >> 24) & 0x1f, info & 0xffff
    if k == 4 and strs[name:strs.index(b"\0", name)] == b"list_head":
        struct.pack_into("<I", b, p + 8, size + 8)
        first = struct.unpack_from("<I", b, p + 12)[0]          # member 0's name: 'next'
        struct.pack_into("<I", b, p + 12, first + 1)             # now 'ext' (the tail of 'next')
        break
    off += 12 + EXTRA.get(k, 0) + PER.get(k, 0) * v
open(sys.argv[2], "wb").write(bytes(b))
PY
out=$("$BIN" diff "$TMP/54.btf" "$TMP/54m.btf" 2>&1); rc=$?
echo "$out" | grep -q "^~ STRUCT 'list_head': size 16 -> 24; member 'next' removed; member 'ext' added at bit 0" &&
	echo "$out" | grep -q '^0 added, 0 removed, 1 changed' && [ $rc = 1 ] && pass diff/hand-made-change ||
	fail diff/hand-made-change "rc=$rc $(echo "$out" | head -n 3 | tr '\n' '|')"

# check --abi over the whole old tree: one row a module; the members af_key's changed base structs
# (the first module with such claims when af_key has none) lose or gain, as bpftool's dumps show
find "$K54/lib/modules" -name '*.ko' | sort > "$TMP/mods"
xargs -a "$TMP/mods" "$BIN" -j check --abi --from "$TMP/54.btf" --to "$TMP/55.btf" > "$TMP/abi.json"
python3 - "$TMP/abi.json" "$TMP/54.txt" "$TMP/55.txt" "$(wc -l < "$TMP/mods")" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
reb = sum(m["verdict"] == "rebuild" for m in d)
print("# check --abi, the old build's modules onto the new: %d modules, %d with no layout change among the base types "
      "they use, %d to rebuild" % (len(d), len(d) - reb, reb))
def structs(path):
    out, cur = {}, None
    for line in open(path):
        m = re.match(r"\[\d+\] STRUCT '([^']*)' ", line)
        if line.startswith("["):
            cur = m.group(1) if m else None
            if cur:
                out.setdefault(cur, []).append([])
        elif cur:
            out[cur][-1].append(line.split()[0].strip("'"))
    return out
old, new = structs(sys.argv[2]), structs(sys.argv[3])
def claims(m):
    return [(t["name"], x, how) for t in m["base_types"] if t["kind"] == "STRUCT"
            and len(old.get(t["name"], [])) == 1 and len(new.get(t["name"], [])) == 1
            for x, how in re.findall(r"member '([^']*)' (removed|added)", t["what"])]
mods = sorted(d, key=lambda m: not m["file"].endswith("/af_key.ko"))
c = next((claims(m) for m in mods if claims(m)), [])
bad = [x for x in c if (x[1] in old[x[0]][0]) != (x[2] == "removed") or (x[1] in new[x[0]][0]) != (x[2] == "added")]
ok = len(d) == int(sys.argv[4]) and c and not bad
print(("PASS: diff/abi/members-as-bpftool (%d claims: %s)" % (len(c), ", ".join("%s.%s %s" % x for x in c[:3]))) if ok else
      "FAIL: diff/abi/members-as-bpftool: %d rows of %s modules; claims %s; wrong %s" % (len(d), sys.argv[4], c[:5], bad[:5]))
print(("PASS: diff/abi/whole-tree (%d rebuild)" % reb) if 0 < reb < len(d) else "FAIL: diff/abi/whole-tree: %d" % reb)
PY

# module BTF on its base: af_key's own types are the same in both builds (ids differ)
A54=$(find "$K54/lib/modules" -name af_key.ko) A55=$(find "$K55/lib/modules" -name af_key.ko)
out=$("$BIN" diff --old-base "$V54" --new-base "$V55" "$A54" "$A55" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^0 added, 0 removed, 0 changed' && pass diff/module-on-its-base ||
	fail diff/module-on-its-base "rc=$rc $out"
