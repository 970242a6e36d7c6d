#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test oracle, independent of btfcompat's reader:
  btf_sections.py --elf ELF OUT            write the .BTF section of a 64-bit ELF to OUT
  btf_sections.py --types-then-strings RAW the type section bytes then the string section bytes (stdout)
  btf_sections.py --count RAW              the number of types"""
import struct, sys

def elf_btf(path):
    d = open(path, "rb").read()
    shoff, = struct.unpack_from("<Q", d, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3a)
    secs = [struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize) for i in range(shnum)]
    stroff = secs[shstrndx][4]
    for s in secs:
        name = d[stroff + s[0]:d.index(b"\0", stroff + s[0])]
        if name == b".BTF":
            return d[s[4]:s[4] + s[5]]
    sys.exit("no .BTF in " + path)

def sections(b):
    _, _, _, hl, to, tl, so, sl = struct.unpack_from("<HBBIIIII", b, 0)
    return b[hl + to:hl + to + tl], b[hl + so:hl + so + sl]

EXTRA = {1: 4, 3: 12, 14: 4, 17: 4}
PER = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}
mode = sys.argv[1]
if mode == "--elf":
    open(sys.argv[3], "wb").write(elf_btf(sys.argv[2]))
else:
    t, s = sections(open(sys.argv[2], "rb").read())
    if mode == "--types-then-strings":
        sys.stdout.buffer.write(t + s)
    else:
        n = off = 0
        while off < len(t):
            info, = struct.unpack_from("<I", t, off + 4)
            k, v = (info >> 24) & 0x1f, info & 0xffff
            off += 12 + EXTRA.get(k, 0) + PER.get(k, 0) * v
            n += 1
        print(n)
