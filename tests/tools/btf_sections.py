#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test oracle, independent of btfcompat's reader:
  btf_sections.py --elf ELF OUT            write the .BTF section of an ELF (either class and byte order) to OUT
  btf_sections.py --section NAME ELF OUT   write section NAME (exit 1 if absent)
  btf_sections.py --names BASE SPLIT       JSON {id: [KIND, name]} of a split raw BTF on a raw base
                                           (raw BTF in either byte order, told by its magic)
  btf_sections.py --cmp LIST               LIST lines "ELF<TAB>SECTION<TAB>FILE": print the ELFs whose
                                           section is absent or differs from FILE, then "N same"
  btf_sections.py --types-then-strings RAW the type section bytes then the string section bytes (stdout)
  btf_sections.py --count RAW              the number of types"""
import struct, sys

def elf_btf(path, want=b".BTF"):
    d = open(path, "rb").read()
    e = ">" if d[5] == 2 else "<"  # EI_DATA: ELFDATA2MSB is big-endian (s390x)
    if d[4] == 2:  # ELFCLASS64
        shoff, = struct.unpack_from(e + "Q", d, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", d, 0x3a)
        secs = [struct.unpack_from(e + "IIQQQQIIQQ", d, shoff + i * shentsize) for i in range(shnum)]
    else:
        shoff, = struct.unpack_from(e + "I", d, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", d, 0x2e)
        secs = [struct.unpack_from(e + "IIIIIIIIII", d, shoff + i * shentsize) for i in range(shnum)]
    stroff = secs[shstrndx][4]
    for s in secs:
        name = d[stroff + s[0]:d.index(b"\0", stroff + s[0])]
        if name == want:
            return d[s[4]:s[4] + s[5]]
    sys.exit("no %s in %s" % (want.decode(), path))

def order(b):
    return ">" if b[:2] == b"\xeb\x9f" else "<"  # the magic 0xeB9F as stored tells the byte order

def sections(b):
    _, _, _, hl, to, tl, so, sl = struct.unpack_from(order(b) + "HBBIIIII", b, 0)
    return b[hl + to:hl + to + tl], b[hl + so:hl + so + sl]

EXTRA = {1: 4, 3: 12, 14: 4, 17: 4}
PER = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}
mode = sys.argv[1]
KINDS = ["UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST",
         "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"]

def names(raw, first_id, base_strs):
    t, s = sections(raw)
    strs_before = len(base_strs)
    out, off, i = {}, 0, first_id
    while off < len(t):
        name_off, info = struct.unpack_from(order(raw) + "II", t, off)
        k, v = (info >> 24) & 0x1f, info & 0xffff
        tab, o = (base_strs, name_off) if name_off < strs_before else (s, name_off - strs_before)
        out[i] = [KINDS[k], tab[o:tab.index(b"\0", o)].decode()]
        off += 12 + EXTRA.get(k, 0) + PER.get(k, 0) * v
        i += 1
    return out

if mode == "--names":
    base = open(sys.argv[2], "rb").read()
    bn = names(base, 1, b"")
    sn = names(open(sys.argv[3], "rb").read(), len(bn) + 1, sections(base)[1])
    import json
    json.dump({**bn, **sn}, sys.stdout)
elif mode == "--cmp":
    same = 0
    for line in open(sys.argv[2]).read().splitlines():
        elf, name, want = line.split("\t")
        try:
            ok = elf_btf(elf, name.encode()) == open(want, "rb").read()
        except (SystemExit, OSError):
            ok = False
        if ok:
            same += 1
        else:
            print(elf)
    print(same, "same")
elif mode == "--section":
    open(sys.argv[4], "wb").write(elf_btf(sys.argv[3], sys.argv[2].encode()))
elif mode == "--elf":
    open(sys.argv[3], "wb").write(elf_btf(sys.argv[2]))
else:
    raw = open(sys.argv[2], "rb").read()
    t, s = sections(raw)
    if mode == "--types-then-strings":
        sys.stdout.buffer.write(t + s)
    else:
        n = off = 0
        while off < len(t):
            info, = struct.unpack_from(order(raw) + "I", t, off + 4)
            k, v = (info >> 24) & 0x1f, info & 0xffff
            off += 12 + EXTRA.get(k, 0) + PER.get(k, 0) * v
            n += 1
        print(n)
