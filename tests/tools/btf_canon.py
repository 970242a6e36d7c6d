#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test oracle, independent of btfcompat: what a module's BTF means, without ids.
  btf_canon.py BASE SPLIT N     (raw BTF files, either byte order: the magic 0xeB9F as stored tells)
prints one line per type of the first N split types (the module's own), every
reference written as the referenced type's kind and name (anonymous types in
full), then the layouts of the named base types those lines mention. Two
modules whose outputs are equal name the same types with the same layouts."""
import struct, sys

EXTRA = {1: 4, 3: 12, 14: 4, 17: 4}
PER = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}
KINDS = ["UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST",
         "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"]
NAMED = {"STRUCT", "UNION", "ENUM", "ENUM64", "TYPEDEF", "INT", "FLOAT", "FWD", "FUNC", "VAR", "DATASEC"}


def parse(raw, first, strs_before, types):
    e = ">" if raw[:2] == b"\xeb\x9f" else "<"  # big-endian (s390x) BTF stores the magic as eb 9f
    _, _, _, hl, to, tl, so, sl = struct.unpack_from(e + "HBBIIIII", raw, 0)
    t, s = raw[hl + to:hl + to + tl], raw[hl + so:hl + so + sl]
    off, i = 0, first
    while off < len(t):
        name_off, info, st = struct.unpack_from(e + "III", t, off)
        k, v = (info >> 24) & 0x1f, info & 0xffff
        d = off + 12
        x = {"kind": KINDS[k], "name_off": name_off, "st": st, "kflag": info >> 31, "vlen": v, "items": []}
        if k == 3:
            x["items"] = [struct.unpack_from(e + "III", t, d)]
        elif k in PER:
            x["items"] = [struct.unpack_from(e + "I" * (PER[k] // 4), t, d + j * PER[k]) for j in range(v)]
        elif k in EXTRA:
            x["items"] = [struct.unpack_from(e + "I", t, d)]
        off = d + EXTRA.get(k, 0) + PER.get(k, 0) * v
        types[i] = x
        i += 1
    return s, i


def main():
    base, split, n = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), int(sys.argv[3])
    types = {}
    bs, nb = parse(base, 1, 0, types)
    ss, _ = parse(split, nb, len(bs), types)

    def name(o):
        tab, o = (bs, o) if o < len(bs) else (ss, o - len(bs))
        return tab[o:tab.index(b"\0", o)].decode()

    mentioned = set()

    def ref(i, depth=0):
        if i == 0:
            return "void"
        t = types[i]
        if t["kind"] in NAMED and t["name_off"]:
            if i < nb or i >= nb + n:  # a base type, or one distill/relocate copied from the base
                mentioned.add(i)
            return "%s %s" % (t["kind"] if t["kind"] != "FWD" else ("UNION" if t["kflag"] else "STRUCT"), name(t["name_off"]))
        return "(" + body(i, depth + 1) + ")" if depth < 40 else "..."

    def body(i, depth=0):
        t = types[i]
        k, it = t["kind"], t["items"]
        if k in ("STRUCT", "UNION"):
            return "%s size=%d {%s}" % (k, t["st"], "; ".join("%s@%d:%s" % (name(m[0]), m[2], ref(m[1], depth)) for m in it))
        if k in ("ENUM", "ENUM64"):
            return "%s size=%d {%s}" % (k, t["st"], ", ".join("%s=%s" % (name(e[0]), e[1:]) for e in it))
        if k == "ARRAY":
            return "%s[%d] idx %s" % (ref(it[0][0], depth), it[0][2], ref(it[0][1], depth))
        if k == "FUNC_PROTO":
            return "fn(%s) -> %s" % (", ".join("%s %s" % (ref(p[1], depth), name(p[0])) for p in it), ref(t["st"], depth))
        if k == "DATASEC":
            return "DATASEC size=%d {%s}" % (t["st"], "; ".join("%s@%d+%d" % (ref(v[0], depth), v[1], v[2]) for v in it))
        if k in ("INT", "FLOAT", "FWD"):
            return "%s size=%d %s kflag=%d" % (k, t["st"], it, t["kflag"])
        extra = " %s" % (it,) if it else ""
        return "%s kflag=%d%s -> %s" % (k, t["kflag"], extra, ref(t["st"], depth))

    out = []
    for i in range(nb, nb + n):
        t = types[i]
        out.append("%s '%s': %s" % (t["kind"], name(t["name_off"]) if t["name_off"] else "", body(i)))
    for i in sorted(set(mentioned)):  # one level: the layouts of the named base types the module mentions
        if types[i]["kind"] in ("STRUCT", "UNION", "ENUM", "ENUM64", "INT", "FLOAT", "TYPEDEF"):
            out.append("used %s '%s': %s" % (types[i]["kind"], name(types[i]["name_off"]), body(i)))
    sys.stdout.write("\n".join(out[:n]) + "\n" + "\n".join(sorted(set(out[n:]))) + "\n")


main()
