#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test oracle: the vmlinux BTF of any kernel image, cut out independently of
btfcompat's reader, for bpftool to read. Usage: extract-image-btf.py IMAGE OUT
  * an ELF (vmlinux, ppc64el's /boot/vmlinux-VER): its .BTF section;
  * otherwise the BTF among the file's own bytes (arm64/riscv64 Image), or else
    among the bytes of the first compressed stream in it that the command-line
    decompressors turn into something holding BTF (x86 bzImage: an ELF; EFI
    zboot: an Image; s390: vmlinux.bin; Image.gz), like scripts/extract-vmlinux.
The BTF is the largest blob whose header (either byte order) fits the bytes."""
import re, struct, subprocess, sys

MAGICS = [  # (magic bytes, decompress command)
    (b"\x1f\x8b\x08", ["gzip", "-dc"]),
    (b"\xfd7zXZ\x00", ["xz", "-dc"]),
    (b"BZh", ["bzip2", "-dc"]),
    (b"\x5d\x00\x00", ["xz", "-dc", "--format=lzma"]),
    (b"\x02\x21\x4c\x18", ["lz4", "-dc"]),
    (b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]),
]

def elf_section(d, want):
    cls, order = d[4], "<" if d[5] == 1 else ">"
    if cls == 2:
        shoff, = struct.unpack_from(order + "Q", d, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", d, 0x3a)
        fmt, o_off, o_size = order + "IIQQQQIIQQ", 4, 5
    else:
        shoff, = struct.unpack_from(order + "I", d, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", d, 0x2e)
        fmt, o_off, o_size = order + "IIIIIIIIII", 4, 5
    secs = [struct.unpack_from(fmt, d, shoff + i * shentsize) for i in range(shnum)]
    stroff = secs[shstrndx][o_off]
    for s in secs:
        if d[stroff + s[0]:d.index(b"\0", stroff + s[0])] == want:
            return d[s[o_off]:s[o_off] + s[o_size]]
    return None

def largest_btf(d):
    best = b""
    for magic, order in ((b"\x9f\xeb\x01", "<"), (b"\xeb\x9f\x01", ">")):
        for m in re.finditer(re.escape(magic), d):
            o = m.start()
            if o + 24 > len(d):
                continue
            hl, to, tl, so, sl = struct.unpack_from(order + "IIIII", d, o + 4)
            end = o + hl + max(to + tl, so + sl)
            if hl in (24, 32) and sl and end <= len(d) and end - o > len(best) and d[o + hl + so] == 0:
                best = d[o:end]
    return best

def main():
    img = open(sys.argv[1], "rb").read()
    if img[:4] == b"\x7fELF":
        btf = elf_section(img, b".BTF")
    else:
        btf = largest_btf(img)
        if not btf:
            for pos, magic, cmd in sorted((m.start(), mg, c) for mg, c in MAGICS for m in re.finditer(re.escape(mg), img)):
                out = subprocess.run(cmd, input=img[pos:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
                if len(out) < 1 << 20:
                    continue
                btf = elf_section(out, b".BTF") if out[:4] == b"\x7fELF" else largest_btf(out)
                if btf:
                    break
    if not btf:
        sys.exit("extract-image-btf.py: no BTF found in " + sys.argv[1])
    open(sys.argv[2], "wb").write(btf)

main()
